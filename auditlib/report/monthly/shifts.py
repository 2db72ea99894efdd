"""4. Judgement shifts: is this month's change real or normal variation?

SPC charts of % Good or better and % Inadequate, the month against the previous month
and the previous 12, re-audit shifts and auditor–moderator agreement.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditlib.analysis import comparisons, metrics, spc, stats
from auditlib.data import schema
from auditlib.disclosure import SUPPRESSED, hide_p_values, is_small
from auditlib.report import figures, sharing, wording
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
METHODS = f"""\
*How to read this:* each line compares the share of audits this month with an earlier period.
For one share (e.g. % Inadequate) the test is a comparison of two proportions (Fisher's exact
test when numbers are small, otherwise a z test), with the difference in percentage points and
its 95% confidence interval. For the whole spread of judgements the test is the Mann–Whitney
test, which uses the order Outstanding > Good > Requires Improvement > Inadequate; Cliff's delta
is its effect size (0 = no shift, ±1 = complete). The SPC charts above are the primary signal;
these comparisons are secondary and are one family: each p-value is Holm-adjusted for all the
month's comparisons, and "significant" means the *adjusted* p is below {stats.ALPHA} (each line gives
both p-values). Every test assumes audits are independent of one another."""


@sharing.shareable
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
        f"fewer than {comparisons.MIN_MONTH_AUDITS} were completed."
    )


def _spc_key(measure: str) -> str:
    return next(k for k, (name, _share) in figures.SPC_MEASURES.items() if name == measure)


def comparison_blocks(ctx: MonthContext) -> list[Block]:
    """This month against the previous audited month and against the previous 12 months:
    the month's family of tests, each with its Holm-adjusted p, what the family means, and
    a sentence wherever the SPC chart and a test disagree."""
    family = ctx.test_family
    if family.empty:
        return []
    lines = ["- " + sentence for sentence in comparison_sentences(ctx)]
    blocks: list[Block] = [
        Heading(f"{ctx.label} against earlier months", 3),
        Markdown("\n".join(lines)),
        Markdown(
            wording.describe_test_family(
                family,
                shown=stated_flags(ctx),
                significant=[v == "significant" for v in published_verdicts(ctx)],
                undecided=published_verdicts(ctx).count("undecided"),
            )
        ),
    ]
    reconciled = reconciliation_sentences(ctx)
    if reconciled:
        blocks.append(Markdown("\n\n".join(reconciled)))
    return [*blocks, Markdown(METHODS)]


def comparison_for(ctx: MonthContext, kind: str) -> comparisons.Comparison | None:
    """The month's comparison of that kind (``comparisons.PREVIOUS_MONTH`` or
    ``comparisons.PREVIOUS_12_MONTHS``)."""
    result = ctx.shifts
    return {
        comparisons.PREVIOUS_MONTH: result.vs_previous,
        comparisons.PREVIOUS_12_MONTHS: result.vs_year,
    }[kind]


def reference_months(ctx: MonthContext, kind: str) -> list[str]:
    """The months a comparison's reference pools."""
    if kind == comparisons.PREVIOUS_MONTH:
        previous = metrics.previous_audited_month(ctx.trend, ctx.month)
        return [previous] if previous else []
    return list(ctx.year_months)


def test_hidden(ctx: MonthContext, row: pd.Series) -> bool:
    """Would a share test's percentages reveal a suppressed count? Always False for the
    distribution (it states no percentage) and under the internal profile.

    The same rule figures.json's ``tests`` section follows (see :mod:`auditlib.disclosure`).
    """
    if row["measure"] not in comparisons.MEASURES or not ctx.view.suppresses:
        return False  # nothing is hidden under a profile that suppresses nothing
    labels, _direction = comparisons.MEASURES[row["measure"]]
    comparison = comparison_for(ctx, row["comparison"])
    # A pooled share would reveal the one hidden month in it by subtraction.
    hidden = ctx.measure_hidden(ctx.month, labels) or any(
        ctx.measure_hidden(month, labels) for month in reference_months(ctx, row["comparison"])
    )
    if comparison is not None:
        counts = [int(comparison.a[list(labels)].sum()), int(comparison.b[list(labels)].sum())]
        hidden = hidden or any(is_small(c) for c in counts)
    return bool(hidden and ctx.view.suppresses)


def comparison_sentences(ctx: MonthContext) -> list[str]:
    """One sentence per test of the month's family, in the family's order, with the
    Holm-adjusted p beside the unadjusted one; disclosure applied. With a test withheld,
    each test shown is judged on the bound its Holm-adjusted p never exceeds (see
    :func:`holm_bounded`)."""
    sentences = []
    bounded = holm_bounded(ctx)
    for _, row in ctx.test_family.iterrows():
        comparison = comparison_for(ctx, row["comparison"])
        if comparison is None:  # pragma: no cover - the family is built from these
            continue
        reference = reference_words(comparison.reference)
        adjusted = {
            "p_adjusted": float(row["p_holm"]),
            "family_size": int(row["family_size"]),
            "bounded": bounded,
        }
        months = [ctx.month, *reference_months(ctx, row["comparison"])]
        if test_hidden(ctx, row) or distribution_hidden(ctx, row):
            # Even a verdict's direction, beside the counts shown elsewhere, can pin a
            # suppressed count (the disclosure audit found "[c] against [c] …: a significant
            # improvement" did): the published version states no result for such a test.
            what = (
                "Judgements"
                if row["measure"] == comparisons.DISTRIBUTION
                else row["measure"].removeprefix("% ")
            )
            sentences.append(
                f"{what} in {comparison.period} against "
                f"{reference.removeprefix('over ').removeprefix('in ')}: "
                "not shown in this published version, because a count the test rests on is "
                "suppressed."
            )
            continue
        # A pooled n with a hidden month's n in it gives that month's n away.
        n_hidden = any(ctx.hidden_trend.at[m, schema.COMPLETED] for m in months)
        if row["measure"] == comparisons.DISTRIBUTION:
            assert comparison.distribution is not None
            sentence = wording.describe_distribution_comparison(
                comparison.distribution,
                period=f"in {comparison.period}",
                reference=reference,
                **adjusted,
            )
        else:
            sentence = wording.describe_proportion_comparison(
                comparison.proportions[row["measure"]],
                row["measure"].removeprefix("% "),
                period=f"in {comparison.period}",
                reference=reference,
                improvement=row["improvement"],
                **adjusted,
            )
        sentences.append(ctx.view.hide_ns(disclose_test(ctx, row, sentence), n_hidden))
    return sentences


def distribution_hidden(ctx: MonthContext, row: pd.Series) -> bool:
    """Under ``published``, does the distribution test rest on a suppressed count? It rests
    on every judgement count of the months compared (and its n's leave Not recorded out, so
    they would give hidden Not recorded counts away)."""
    if row["measure"] != comparisons.DISTRIBUTION or not ctx.view.suppresses:
        return False
    months = [ctx.month, *reference_months(ctx, row["comparison"])]
    rests_on = ctx.hidden_trend.loc[months, list(schema.JUDGEMENT_LABELS)]
    return bool(rests_on.to_numpy().any())


def holm_p_hidden(ctx: MonthContext, row: pd.Series) -> bool:
    """Is a test's Holm-adjusted p hidden? When its own test is, or when the step-down
    carries up the p of a hidden test (the adjusted p would give that one back)."""
    setter = ctx.test_family.iloc[int(row["holm_set_by"])]
    return any(test_hidden(ctx, r) or distribution_hidden(ctx, r) for r in (row, setter))


def disclose_test(ctx: MonthContext, row: pd.Series, sentence: str) -> str:
    """A test's sentence as the profile may state it: a hidden share test loses its
    percentages, difference and p-values; a test whose Holm-adjusted p is set by a hidden
    one loses that p (the rule figures.json's ``tests`` section follows)."""
    if test_hidden(ctx, row):
        return hide_p_values(ctx.view.disclose(sentence, True))
    if holm_p_hidden(ctx, row) and not holm_bounded(ctx):
        return hide_p_values(sentence, holm_only=True)
    return sentence


def stated(ctx: MonthContext, row: pd.Series) -> bool:
    """Does the report state this test's result (its verdict included)? Not under
    ``published`` when the test rests on a suppressed count."""
    return not (test_hidden(ctx, row) or distribution_hidden(ctx, row))


def stated_flags(ctx: MonthContext) -> list[bool]:
    """:func:`stated` for each test of the month's family, in the family's order."""
    return [stated(ctx, row) for _, row in ctx.test_family.iterrows()]


def holm_bounded(ctx: MonthContext) -> bool:
    """Are the tests shown judged on a bound of their Holm-adjusted p? Under ``published``,
    when a test of the family is withheld: a Holm-adjusted p is a function of every test's
    p (its rank among them, or a smaller p carried up), so printing it, or a verdict on it,
    would say something of the withheld tests' counts. The bound, family size × p, rests
    on the test's own p alone; a test significant on it is significant after Holm's
    adjustment too, and one whose unadjusted p is not below alpha is not."""
    return ctx.view.suppresses and not all(stated_flags(ctx))


def published_verdicts(ctx: MonthContext) -> list[str]:
    """Each test's verdict as the report states it: "withheld", or "significant", "not
    significant" or "undecided" (judged on the bound when :func:`holm_bounded`)."""
    bounded = holm_bounded(ctx)
    out = []
    for _, row in ctx.test_family.iterrows():
        if not stated(ctx, row):
            out.append("withheld")
        elif bounded:
            out.append(wording.bounded_verdict(float(row["p_value"]), int(row["family_size"])))
        else:
            out.append("significant" if bool(row["significant"]) else "not significant")
    return out


def reconciliation_sentences(ctx: MonthContext) -> list[str]:
    """Where a measure's SPC verdict and one of its tests disagree, one sentence on why,
    led by the measure ('% Inadequate: The chart and the test differ because …').

    Only for a test the report states, and read off the chart as the report draws it:
    whether there is a sentence at all says whether the test is significant, so one
    about a withheld test would give its verdict away (and a chart with suppressed
    months in it, their shares).
    """
    sentences = []
    family = ctx.test_family
    for measure, (labels, _direction) in comparisons.MEASURES.items():
        if ctx.view.suppresses and ctx.measure_hidden(ctx.month, labels):
            continue  # no verdict is given on a suppressed month
        chart = spc_chart(ctx, measure)
        verdicts = dict(zip(family.index, published_verdicts(ctx), strict=True))
        for i, row in family.loc[family["measure"] == measure].iterrows():
            if verdicts[i] in ("withheld", "undecided"):
                continue
            # The verdict the report states (on the bound, when tests are withheld).
            row = row.copy()
            row["significant"] = verdicts[i] == "significant"
            why = wording.describe_spc_and_test(chart, row, measure=measure)
            if why is not None:
                sentences.append(f"{measure}: {why}")
    return sentences


def family_summary(ctx: MonthContext) -> str:
    """The family's adjusted verdicts in one sentence, for the key messages: how many of
    the month's comparisons are significant after Holm adjustment, and which."""
    family = ctx.test_family
    if family.empty:
        return ""
    size = len(family)
    # A test the published version does not state gives no verdict here either.
    verdicts = np.array(published_verdicts(ctx))
    withheld = int((verdicts == "withheld").sum())
    found = family.loc[verdicts == "significant"]
    if withheld:
        # Only the tests shown are summed up: a count over all of them would give the
        # withheld ones' verdicts away.
        undecided = int((verdicts == "undecided").sum())
        text = (
            f"{withheld} of the month's {size} comparisons with earlier months are not shown "
            "in this published version, because a count they rest on is suppressed. "
            + _family_summary_text(ctx, found, size - withheld, "shown", bounded=True)
        )
        if undecided:
            text += (
                f" {undecided} of those shown {'is' if undecided == 1 else 'are'} significant "
                "before adjustment, but whether after it depends on the tests not shown."
            )
        return text
    return _family_summary_text(ctx, found, size)


def _family_summary_text(
    ctx: MonthContext,
    found: pd.DataFrame,
    size: int,
    which: str = "with earlier months",
    *,
    bounded: bool = False,
) -> str:
    if size == 0:
        return ""
    if found.empty:
        return (
            f"None of the month's {size} comparisons {which} is significant after Holm adjustment."
        )
    parts = []
    for _, row in found.iterrows():
        what = (
            "the whole spread of judgements"
            if row["measure"] == comparisons.DISTRIBUTION
            else row["measure"]
        )
        comparison = comparison_for(ctx, row["comparison"])
        against = reference_words(comparison.reference) if comparison is not None else ""
        if bounded:
            # The Holm-adjusted p would say something of the tests withheld.
            p_text = f"unadjusted {wording.format_p(float(row['p_value']))}"
        elif holm_p_hidden(ctx, row):
            p_text = f"Holm-adjusted p = {SUPPRESSED}"
        else:
            p_text = f"Holm-adjusted {wording.format_p(float(row['p_holm']))}"
        parts.append(
            f"{what} against {against.removeprefix('over ').removeprefix('in ')} "
            f"({row['verdict']}, {p_text})"
        )
    verb = "is" if len(found) == 1 else "are"
    return (
        f"{len(found)} of the month's {size} comparisons {which} {verb} "
        f"significant after Holm adjustment: {'; '.join(parts)}."
    )


def reaudit_blocks(ctx: MonthContext) -> list[Block]:
    shift = ctx.shifts.reaudits
    if shift is None:
        return []
    return [
        Heading(REAUDIT_HEADING, 3),
        reaudits.verdict(shift, ctx.view, ctx.reaudit_expectation),
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
