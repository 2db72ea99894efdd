"""Re-audits in period B: did practice improve?"""

from __future__ import annotations

from auditlib.report import wording
from auditlib.report.blocks import Block, Heading, Markdown, Table
from auditlib.report.shared import reaudits
from auditlib.report.shift_report.context import ShiftContext


def section(ctx: ShiftContext) -> list[Block]:
    blocks: list[Block] = [Heading("Re-audits in period B: did practice improve?")]
    intro = (
        f"Re-audits of period B's months ({ctx.label_b}) that were completed, each paired "
        "with the final judgement of the audit it re-audits."
    )
    shift = ctx.reaudits
    if shift is None:
        n = len(ctx.reaudit_pairs)
        blocks.append(
            Markdown(
                intro
                + f" There {'is' if n == 1 else 'are'} {ctx.view.count(n)} such re-audit"
                + ("" if n == 1 else "s")
                + " with a judgement on both sides: too few to test."
            )
        )
        return blocks
    view = ctx.view
    mc = shift.mcnemar_good_or_better
    details = (
        f"Good or better: {view.count(shift.good_or_better_before)} of "
        f"{view.count(shift.n)} cases at the original audit and "
        f"{view.count(shift.good_or_better_after)} at re-audit ({mc.name}, "
        f"{wording.format_p(mc.p_value)}). "
        f"Bowker's test of symmetry: {wording.format_p(shift.bowker.p_value)}."
    )
    if shift.n_excluded:
        details += (
            f" {view.count(shift.n_excluded)} pair(s) with no judgement on one side are left out."
        )
    if shift.notes:
        notes = "; ".join(shift.notes)
        details += " " + notes[:1].upper() + notes[1:] + "."
    return [
        *blocks,
        Markdown(intro),
        reaudits.verdict(shift, view, ctx.reaudit_expectation, with_total=True),
        Markdown(details),
        *reaudits.heatmap(
            shift, view, title=f"Re-audits in {ctx.label_b}: original against re-audit judgement"
        ),
        Table(
            reaudits.reaudit_table(shift, ctx.profile),
            f"Re-audits of {ctx.label_b}: original audit judgement (rows) against re-audit "
            "judgement (columns)",
            note="Cells left of the diagonal improved at re-audit; cells right of it declined.",
            name="reaudits",
        ),
    ]


def verdict_sentence(ctx: ShiftContext) -> str:
    """The re-audit verdict as the report's summary quotes it."""
    assert ctx.reaudits is not None
    return reaudits.verdict(ctx.reaudits, ctx.view, ctx.reaudit_expectation, with_total=True).text
