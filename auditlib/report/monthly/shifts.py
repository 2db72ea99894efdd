"""4. Judgement shifts: is this month's change real or normal variation?

SPC charts of % Good or better and % Inadequate, the month against the previous month
and the previous 12, re-audit shifts and auditor–moderator agreement.
"""

from __future__ import annotations

import pandas as pd

from auditlib.analysis import comparisons, metrics, spc
from auditlib.data import schema
from auditlib.disclosure import is_small
from auditlib.report import figures, wording
from auditlib.report.blocks import Block, Callout, Chart, Heading, Markdown, Table
from auditlib.report.charts.statistical import plot_spc
from auditlib.report.monthly import auditors, casemix
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
        *casemix.section(ctx),
        *reaudit_blocks(ctx),
        *moderation_blocks(ctx),
        *auditors.section(ctx),
    ]


def spc_blocks(ctx: MonthContext) -> list[Block]:
    """Each measure's verdict and SPC chart; months figures.json hides are not drawn."""
    blocks: list[Block] = []
    for measure, (labels, _direction) in comparisons.MEASURES.items():
        suppress = pd.Series(
            {month: ctx.measure_hidden(month, labels) for month in ctx.trend.index}
        )
        chart = spc_chart(ctx, measure)
        blocks += [
            Heading(measure, 3),
            Callout(spc_verdict(ctx, measure), "verdict", f"{measure}: verdict"),
        ]
        if not chart.data["value"].notna().any():
            continue  # published, with every point suppressed: nothing to draw
        fig, alt = plot_spc(
            chart,
            measure=measure,
            latest_label=ctx.label,
            suppress=suppress if ctx.profile.suppresses else None,
        )
        blocks.append(Chart(fig, alt, f"{measure} by month (SPC chart)"))
    return blocks


def spc_chart(ctx: MonthContext, measure: str) -> spc.SPCResult:
    """The SPC chart of a measure as the report draws it: figures.json's reading of it.

    Published, a month whose share figures.json hides is left out, as a gap (as in
    figures.json's ``spc`` section): the mean, the limits and every verdict then rest only on
    shares the report shows (with hidden months in them, a mean or a limit to the nearest
    percent can give a hidden count away).
    """
    gaps = (
        figures.spc_gaps(ctx.published_figures).get(_spc_key(measure))
        if ctx.view.suppresses
        else None
    )
    if not gaps:
        return ctx.shifts.spc[measure]
    trend = figures.without_months(ctx.trend, gaps, schema.COMPLETED)
    return comparisons.spc_for_measure(trend, measure, ctx.data.programme.spc_rebase)


def spc_verdict(ctx: MonthContext, measure: str) -> str:
    """The month's SPC verdict on a measure: figures.json's, as published (no verdict on a
    suppressed share, none resting on one)."""
    labels, _direction = comparisons.MEASURES[measure]
    summary = ctx.published_figures["spc"].get(_spc_key(measure))
    if summary is not None:
        return summary["verdict"]
    # No point to chart at all: every month's share is suppressed, or none has audits.
    if ctx.view.suppresses and ctx.measure_hidden(ctx.month, labels):
        return wording.describe_spc_suppressed(measure, ctx.label)
    return (
        f"{measure} in {ctx.label}: too few audits to tell — "
        f"fewer than {wording.MIN_AUDITS} were completed."
    )


def _spc_key(measure: str) -> str:
    return next(k for k, (name, _share) in figures.SPC_MEASURES.items() if name == measure)


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
    view = ctx.view
    for comparison in found:
        reference = reference_words(comparison.reference)
        reference_months = references.get(id(comparison), [])
        months = [ctx.month, *reference_months]
        # A pooled n with a hidden month's n in it gives that month's n away.
        n_hidden = any(ctx.hidden_trend.at[m, schema.COMPLETED] for m in months)
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
            hidden = any(ctx.measure_hidden(month, labels) for month in months)
            hidden = hidden or any(is_small(c) for c in counts)
            lines.append("- " + view.hide_ns(view.disclose(sentence, hidden), n_hidden))
        if comparison.distribution is not None:
            # The test rests on every judgement count of the months compared (and its n's
            # leave Not recorded out, so they would give hidden Not recorded counts away).
            rests_on_hidden = ctx.hidden_trend.loc[months, list(schema.JUDGEMENT_LABELS)]
            if view.suppresses and rests_on_hidden.to_numpy().any():
                lines.append(
                    f"- Judgements in {comparison.period} compared with those {reference}: "
                    "not shown, because some of the counts the test rests on are suppressed."
                )
                continue
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
            name="reaudits",
        ),
    ]


def moderation_blocks(ctx: MonthContext) -> list[Block]:
    if ctx.shifts.kappa is None:
        return []
    return [Heading("Moderation", 3), Markdown(wording.describe_kappa(ctx.shifts.kappa))]


def reference_words(reference: str) -> str:
    """'the previous 12 months' → 'over the previous 12 months'; a month → 'in August 2020'."""
    return f"over {reference}" if reference.startswith("the ") else f"in {reference}"
