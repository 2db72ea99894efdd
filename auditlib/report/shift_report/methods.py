"""Definitions and methods of the shift report: its periods, the shared definitions, the
disclosure rule and how to reproduce it."""

from __future__ import annotations

from auditlib.publish.layout import SHIFTS_FIGURES_FILE
from auditlib.report.blocks import Block, Heading, Markdown
from auditlib.report.shared.methods import definitions, disclosure_blocks, reproducibility_blocks
from auditlib.report.shift_report.context import ShiftContext


def section(ctx: ShiftContext) -> list[Block]:
    periods = (
        f"- **Period A** ({ctx.a.spec}) is the reference: {ctx.label_a}. **Period B** "
        f"({ctx.b.spec}): {ctx.label_b}. A period is a run of programme (audit allocation) "
        "months; its audits are those allocated in its months.\n"
        "- **Re-audits in period B** are re-audits allocated in B's months and completed; "
        "each is paired with its original audit's final judgement, whenever that was.\n"
        "- **Moderation** compares the auditor's overall judgement with the moderator's on "
        "audits of period B that were moderated."
    )
    # The monthly definitions that apply here (compliance is not part of this report).
    return [
        Heading("Definitions and methods"),
        Markdown(periods + "\n" + definitions(compliance=False)),
        *disclosure_blocks(ctx.profile),
        *reproducibility_blocks(
            ctx.figures,
            SHIFTS_FIGURES_FILE,
            extra="Statistical methods and their references: `docs/methods.md`.",
        ),
    ]
