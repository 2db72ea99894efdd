"""Auditor–moderator agreement in period B."""

from __future__ import annotations

from auditlib.analysis import comparisons
from auditlib.report import wording
from auditlib.report.blocks import Block, Callout, Heading, Markdown
from auditlib.report.shared import moderation
from auditlib.report.shift_report.context import ShiftContext


def section(ctx: ShiftContext) -> list[Block]:
    pairs = ctx.moderation
    blocks: list[Block] = [Heading("Auditor–moderator agreement in period B")]
    n = len(pairs)
    if n == 0:
        return [*blocks, Markdown(f"No audit of {ctx.label_b} was moderated.")]
    changes = ctx.figures["moderation"]["grade_counts"]
    shown = not ctx.view.reveals([changes["same"], changes["raised"], changes["lowered"], n])
    view = ctx.view
    blocks.append(
        Markdown(
            f"{view.count(n)} audits of {ctx.label_b} have both the auditor's and the moderator's "
            f"judgement. The moderator kept the auditor's grade in "
            f"{view.pct(changes['same'], n, shown)}, raised it in "
            f"{view.pct(changes['raised'], n, shown)} and lowered it in "
            f"{view.pct(changes['lowered'], n, shown)}."
        )
    )
    if ctx.kappa is not None:
        blocks.append(Callout(wording.describe_kappa(ctx.kappa), "verdict", "Agreement: verdict"))
    else:
        blocks.append(
            Markdown(
                f"Too few moderated audits (fewer than {comparisons.MIN_MODERATED_PAIRS}, or one grade "
                "only) to measure agreement."
            )
        )
    blocks.append(
        moderation.matrix_table(
            pairs,
            ctx.profile,
            f"Moderated audits of {ctx.label_b}: auditor's judgement (rows) against the "
            "moderator's (columns)",
        )
    )
    return blocks
