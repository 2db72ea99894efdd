"""4. Judgement shifts: is this month's change real or normal variation?

SPC charts of % Good or better and % Inadequate, the month against the previous month
and the previous 12, re-audit shifts and auditor–moderator agreement.
"""

from __future__ import annotations

import pandas as pd

from auditlib.analysis import comparisons, metrics
from auditlib.disclosure import is_small
from auditlib.report import figures, wording
from auditlib.report.blocks import Block, Callout, Chart, Heading, Markdown, Table
from auditlib.report.charts.statistical import plot_spc
from auditlib.report.monthly.context import MonthContext
from auditlib.report.shared import reaudits

HEADING = "Judgement shifts"
REAUDIT_HEADING = "Re-audits: did practice improve?"
INTRO = (
    "Is this month's change a real shift or normal month-to-month variation? "
    "The charts below are statistical process control (SPC) charts in the NHS "
    "*Making Data Count* style: points outside the grey limits, or long runs above or "
    "below the average, signal a real change; anything else is normal variation."
)
METHODS = """\
*How to read this:* each line compares the share of audits this month with an earlier period.
For one share (e.g. % Inadequate) the test is a comparison of two proportions (Fisher's exact
test when numbers are small, otherwise a z test), with the difference in percentage points and
its 95% confidence interval. For the whole spread of judgements the test is the Mann–Whitney
test, which uses the order Outstanding > Good > Requires Improvement > Inadequate; Cliff's delta
is its effect size (0 = no shift, ±1 = complete). "Significant" means p < 0.05."""


def section(ctx: MonthContext) -> list[Block]:
    return [
        Heading(HEADING),
        Markdown(INTRO),
        *spc_blocks(ctx),
        *comparison_blocks(ctx),
        *reaudit_blocks(ctx),
        *moderation_blocks(ctx),
    ]


def spc_blocks(ctx: MonthContext) -> list[Block]:
    """Each measure's verdict and SPC chart; months figures.json hides are not drawn."""
    blocks: list[Block] = []
    for measure, (labels, _direction) in comparisons.MEASURES.items():
        suppress = pd.Series(
            {month: ctx.measure_hidden(month, labels) for month in ctx.trend.index}
        )
        fig, alt = plot_spc(
            ctx.shifts.spc[measure],
            measure=measure,
            latest_label=ctx.label,
            suppress=suppress if ctx.profile.suppresses else None,
        )
        blocks += [
            Heading(measure, 3),
            Callout(spc_verdict(ctx, measure), "verdict", f"{measure}: verdict"),
            Chart(fig, alt, f"{measure} by month (SPC chart)"),
        ]
    return blocks


def spc_verdict(ctx: MonthContext, measure: str) -> str:
    """The month's SPC verdict on a measure (figures.json's), as the report may state it."""
    labels, _direction = comparisons.MEASURES[measure]
    key = next(k for k, (name, _share) in figures.SPC_MEASURES.items() if name == measure)
    verdict = ctx.figures["spc"][key]["verdict"]
    return ctx.view.disclose(verdict, ctx.measure_hidden(ctx.month, labels))


def comparison_blocks(ctx: MonthContext) -> list[Block]:
    """This month against the previous audited month and against the previous 12 months."""
    result = ctx.shifts
    references = {
        id(result.vs_previous): [metrics.previous_audited_month(ctx.trend, ctx.month)],
        id(result.vs_year): ctx.year_months,
    }
    found = [c for c in (result.vs_previous, result.vs_year) if c is not None and c.proportions]
    if not found:
        return []
    lines = []
    for comparison in found:
        reference = reference_words(comparison.reference)
        reference_months = references.get(id(comparison), [])
        for measure, (labels, direction) in comparisons.MEASURES.items():
            sentence = wording.describe_proportion_comparison(
                comparison.proportions[measure],
                measure.removeprefix("% "),
                period=f"in {comparison.period}",
                reference=reference,
                improvement=direction,
            )
            counts = [int(comparison.a[list(labels)].sum()), int(comparison.b[list(labels)].sum())]
            # A pooled share would reveal the one hidden month in it by subtraction.
            hidden = ctx.measure_hidden(ctx.month, labels) or any(
                ctx.measure_hidden(month, labels) for month in reference_months
            )
            hidden = hidden or any(is_small(c) for c in counts)
            lines.append("- " + ctx.view.disclose(sentence, hidden))
        if comparison.distribution is not None:
            sentence = wording.describe_distribution_comparison(
                comparison.distribution, period=f"in {comparison.period}", reference=reference
            )
            lines.append("- " + sentence)
    return [
        Heading(f"{ctx.label} against earlier months", 3),
        Markdown("\n".join(lines)),
        Markdown(METHODS),
    ]


def reaudit_blocks(ctx: MonthContext) -> list[Block]:
    shift = ctx.shifts.reaudits
    if shift is None:
        return []
    return [
        Heading(REAUDIT_HEADING, 3),
        reaudits.verdict(shift, ctx.view),
        *reaudits.heatmap(shift, ctx.view),
        Table(
            reaudits.reaudit_table(shift, ctx.profile),
            f"Re-audits completed up to {ctx.label}: original audit judgement (rows) against "
            "re-audit judgement (columns)",
        ),
    ]


def moderation_blocks(ctx: MonthContext) -> list[Block]:
    if ctx.shifts.kappa is None:
        return []
    return [Heading("Moderation", 3), Markdown(wording.describe_kappa(ctx.shifts.kappa))]


def reference_words(reference: str) -> str:
    """'the previous 12 months' → 'over the previous 12 months'; a month → 'in August 2020'."""
    return f"over {reference}" if reference.startswith("the ") else f"in {reference}"
