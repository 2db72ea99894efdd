"""By team, area, cohort or practice domain: each group's shares in the two periods,
tested with Holm's adjustment, and (for teams and areas) funnel plots of period B."""

from __future__ import annotations

from typing import Any, Final

import pandas as pd

from auditlib.analysis import comparisons, groups, stats
from auditlib.data import schema
from auditlib.disclosure import SUPPRESSED, is_small
from auditlib.report import wording
from auditlib.report.blocks import Block, Callout, Chart, Heading, Markdown, Table
from auditlib.report.charts.statistical import plot_funnel
from auditlib.report.shared.phrases import DASH, article, interval, join_words, p_cell, signed
from auditlib.report.shift_report.context import ShiftContext
from auditlib.report.shift_report.periods import PARTITIONS

TITLES: Final = {
    "team": "By team",
    "area": "By area",
    "cohort": "By cohort",
    "domain": "By practice domain",
}
#: The same verdicts as the figures', short enough for a table column.
TABLE_VERDICTS: Final = {
    "improvement": "Significant improvement",
    "deterioration": "Significant deterioration",
    "none": "Not significant",
    "few": "Too few to test",
}
DIFFERENCE: Final = "B\u00a0−\u00a0A"
MEASURE_NAMES: Final = {"% Good or better": "good_or_better", "% Inadequate": "inadequate"}
NUMERIC: Final = ("n A", "n B", "A", "B", DIFFERENCE, "95% CI", "p", "Holm p")


def section(ctx: ShiftContext) -> list[Block]:
    if not ctx.by:
        return []
    noun = ctx.group_noun
    intro = (
        f"Each {noun}'s share in period B against its share in period A, tested as for the "
        f"whole programme. {article(noun)} {noun} is tested only when it has at least "
        f"{comparisons.MIN_MONTH_AUDITS} completed audits in both periods. **Testing many {noun}s at once "
        f"makes some 'significant' results likely by chance alone, so the verdict uses "
        f"Holm-adjusted p-values** (the Holm–Bonferroni method, across the {noun}s tested for "
        "each measure)."
    )
    if ctx.by == "cohort":
        intro += " An audit can be in more than one cohort, so the cohorts overlap."
    if ctx.by == "domain":
        intro += (
            " Each completed audit grades each domain; a domain left blank is *Not recorded* "
            "and stays in the denominator."
        )
    blocks: list[Block] = [
        Heading(TITLES[ctx.by]),
        Markdown(intro),
        Callout(summary(ctx), "verdict", f"By {noun}: verdict"),
    ]
    for measure in comparisons.MEASURES:
        blocks += [
            Heading(f"{measure} by {noun}", 3),
            Table(
                group_table(ctx, measure),
                f"{measure} by {noun}: period A ({ctx.label_a}) against period B ({ctx.label_b})",
                note="n: completed audits. B − A: the difference in percentage points, with its "
                "95% confidence interval; p: Fisher's exact test when any expected count is below 5, "
                "else the z test; Holm p: adjusted for the number of "
                f"{noun}s tested. The verdict uses the Holm-adjusted p-value. "
                "A dash means not tested (fewer than "
                f"{comparisons.MIN_MONTH_AUDITS} audits in a period).",
                numeric=NUMERIC,
                name=f"{ctx.by}_{MEASURE_NAMES[measure]}",
            ),
        ]
    return blocks + funnel_blocks(ctx)


def summary(ctx: ShiftContext) -> str:
    """Which groups improved or deteriorated once the p-values are Holm-adjusted."""
    tests = ctx.group_tests
    noun = ctx.group_noun
    tested = tests.loc[tests["verdict"] != "few"]
    parts = []
    for measure in comparisons.MEASURES:
        rows = tested.loc[tested["measure"] == measure]
        for code, verb in (("improvement", "improved"), ("deterioration", "deteriorated")):
            names = [
                str(g)
                for g in rows.loc[rows["verdict"] == code, "group"]
                if all(ctx.group_shown(g, measure).values())
            ]
            if names:
                parts.append(f"{measure} {verb} for {join_words(names)}")
    head = (
        f"{tested['group'].nunique()} of {tests['group'].nunique()} {noun}s had at least "
        f"{comparisons.MIN_MONTH_AUDITS} audits in both periods and were tested"
    )
    hidden = any(
        not all(ctx.group_shown(g, m).values())
        for g, m in zip(tested["group"], tested["measure"], strict=True)
    )
    if hidden:
        head += " (results resting on suppressed numbers are not shown)"
    if not parts:
        return (
            head + f"; none{' of those shown' if hidden else ''} differs significantly once "
            "the p-values are adjusted for testing many groups (Holm)."
        )
    return (
        head
        + ". After Holm's adjustment for testing many groups, "
        + "; ".join(parts)
        + ", by more than chance would explain."
    )


def group_table(ctx: ShiftContext, measure: str) -> pd.DataFrame:
    tests = ctx.group_tests.loc[ctx.group_tests["measure"] == measure]
    published = {g["group"]: g for g in ctx.published_figures["breakdown"]["groups"]}
    view = ctx.view
    rows = []
    for _, r in tests.iterrows():
        pub = published[str(r["group"])]
        shown = ctx.group_shown(r["group"], measure)
        row: dict[str, Any] = {
            ctx.group_noun.capitalize(): r["group"],
            "n A": view.count(pub["period_a"]["judgement_total"]),
            "n B": view.count(pub["period_b"]["judgement_total"]),
            "A": view.pct(r["k_a"], r["n_a"], shown["period_a"]) if r["n_a"] else DASH,
            "B": view.pct(r["k_b"], r["n_b"], shown["period_b"]) if r["n_b"] else DASH,
        }
        c = r["comparison"]
        if c is None:
            row.update(dict.fromkeys((DIFFERENCE, "95% CI", "p", "Holm p"), DASH))
            row["Verdict"] = TABLE_VERDICTS["few"]
        elif not (shown["period_a"] and shown["period_b"]):
            row.update(dict.fromkeys((DIFFERENCE, "95% CI", "p", "Holm p", "Verdict"), SUPPRESSED))
        else:
            verdict = TABLE_VERDICTS[r["verdict"]]
            if r["verdict"] == "none" and r["raw_verdict"] != "none":
                verdict += " after adjustment"
            row.update(
                {
                    # Whole points: with a few dozen audits a group, decimals are noise.
                    DIFFERENCE: signed(c.difference_pp, 0),
                    "95% CI": interval(100 * c.ci_low, 100 * c.ci_high, 0),
                    "p": p_cell(c.p_value),
                    "Holm p": p_cell(r["p_holm"]),
                    "Verdict": verdict,
                }
            )
        rows.append(row)
    return pd.DataFrame(rows).set_index(ctx.group_noun.capitalize())


def funnel_blocks(ctx: ShiftContext) -> list[Block]:
    """Period B's funnel plot of each measure by team or area (groups that split the audits)."""
    if ctx.by not in PARTITIONS:
        return []
    noun = ctx.group_noun
    table = ctx.group_counts(ctx.b)
    table = table.loc[table[schema.COMPLETED] > 0]
    if len(table) < stats.MIN_FUNNEL_UNITS:
        return []
    blocks: list[Block] = [
        Heading(f"Period B by {noun}: funnel plots", 3),
        Markdown(
            f"Within period B ({ctx.label_b}), each {noun}'s share against its number of "
            f"completed audits. {article(noun)} {noun} outside the 99.8% limits differs from the "
            "overall share by more than chance would explain; limits allow for overdispersion "
            "(Spiegelhalter's multiplicative method) when the groups vary more than binomially."
        ),
    ]
    total = int(table[schema.COMPLETED].sum())
    for measure, (labels, direction) in comparisons.MEASURES.items():
        if not 0 < groups.measure_count(table.sum(), measure) < total:
            continue
        result = stats.compute_funnel(
            table, list(labels), schema.COMPLETED, overdispersion="multiplicative"
        )
        units = result.units
        if ctx.profile.suppresses and (
            units["k"].map(is_small).any()
            or units["n"].map(is_small).any()
            or (units["n"] - units["k"]).map(is_small).any()
        ):
            blocks.append(
                Markdown(
                    f"*The funnel plot of {measure} is not shown in the published version: "
                    f"some {noun}s' numbers are 1 to 5 and would be revealed.*"
                )
            )
            continue
        fig, alt = plot_funnel(
            result,
            measure=measure,
            unit_noun=noun,
            improvement=direction,
            title=f"{measure} by {noun}, {ctx.label_b}: funnel plot",
        )
        blocks += [
            Markdown(
                wording.describe_funnel(result, measure, unit_noun=noun, improvement=direction)
            ),
            Chart(
                fig,
                alt,
                f"{measure} by {noun} in period B ({ctx.label_b}): {noun}s outside the funnel "
                "differ by more than chance.",
            ),
        ]
    return blocks
