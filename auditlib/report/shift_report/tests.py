"""Is the change real? Each measure's test, then the whole spread of judgements, and which
tests are used and why."""

from __future__ import annotations

import re

import pandas as pd

from auditlib.analysis import comparisons, stats
from auditlib.analysis.rounding import round_half_up
from auditlib.disclosure import SUPPRESSED
from auditlib.report.blocks import Block, Callout, Heading, Markdown, Table
from auditlib.report.shared.phrases import DASH, interval, p_cell, signed
from auditlib.report.shift_report import summary
from auditlib.report.shift_report.context import ShiftContext

MEASURE_NOTE = (
    "Difference in percentage points with Newcombe's hybrid score 95% confidence interval; "
    "Fisher's exact test when any expected count is below 5, otherwise the two-proportion z test."
)
NUMERIC = ("A", "B", "Difference B − A (points)", "95% CI (points)", "p-value", "Holm p")
DISTRIBUTION_CAPTION = (
    "Tests of the whole distribution of judgements (Outstanding to Inadequate), "
    "period B against period A"
)
#: Used only when auditlib.analysis.comparisons has no docstring to quote (python -OO).
RULE_FALLBACK = (
    "* For **% Inadequate** and **% Good or better**: the two-proportion comparison (Newcombe "
    "difference with its 95% CI; Fisher's exact test when any expected count is below 5, "
    "otherwise the z test).\n"
    "* For the **whole distribution**: the ordinal Mann–Whitney test with Cliff's delta (Monte "
    "Carlo when the table is small).\n"
    "* Over time: an **XmR chart** (NHS Making Data Count) of the monthly %.\n"
    "* **Re-audits**: Stuart–Maxwell (marginal homogeneity) on the original × re-audit table."
)


def section(ctx: ShiftContext) -> list[Block]:
    blocks: list[Block] = [
        Heading("Is the change real?"),
        Markdown(
            f"Each measure in period B ({ctx.label_b}) against period A ({ctx.label_a}), "
            "then the whole spread of judgements, with the tests behind the verdicts in "
            "*In brief*."
        ),
    ]
    rows = measure_rows(ctx)
    if rows:
        blocks.append(
            Table(
                pd.DataFrame(rows).set_index("Measure"),
                f"Each measure in period B ({ctx.label_b}) against period A ({ctx.label_a})",
                note=MEASURE_NOTE,
                numeric=NUMERIC,
                name="measure_tests",
            )
        )
    dist = ctx.comparison.distribution
    if dist is not None:
        blocks += [
            Heading("The whole spread of judgements", 3),
            Callout(summary.distribution_sentence(ctx) or "", "verdict", "Distribution: verdict"),
        ]
    if dist is not None and ctx.distribution_stated():
        blocks += [
            Table(
                distribution_table(dist, distribution_holm_cell(ctx)),
                DISTRIBUTION_CAPTION,
                note=distribution_note(ctx, dist),
                name="distribution_tests",
            ),
        ]
    blocks += [Heading("Which tests, and why", 3), Markdown(methods_text())]
    return blocks


def measure_rows(ctx: ShiftContext) -> list[dict[str, str]]:
    rows = []
    for measure in comparisons.MEASURES:
        c = ctx.comparison.proportions.get(measure)
        if c is None:
            continue
        shown = ctx.both_shown(measure)
        rows.append(
            {
                "Measure": measure,
                "A": ctx.view.pct(c.k2, c.n2, ctx.measure_shown(ctx.a, measure)),
                "B": ctx.view.pct(c.k1, c.n1, ctx.measure_shown(ctx.b, measure)),
                "Difference B − A (points)": signed(c.difference_pp) if shown else SUPPRESSED,
                "95% CI (points)": interval(100 * c.ci_low, 100 * c.ci_high)
                if shown
                else SUPPRESSED,
                "Test": "Fisher's exact" if c.test == "fisher" else "z test",
                "p-value": p_cell(c.p_value) if shown else SUPPRESSED,
                "Holm p": p_cell(summary.p_holm(ctx, measure)) if shown else SUPPRESSED,
            }
        )
    return rows


def distribution_table(dist: stats.DistributionComparison, holm: str = DASH) -> pd.DataFrame:
    """The tests of the whole distribution; ``holm`` is the quoted test's Holm-adjusted p
    in the family of B against A, as a cell."""
    lo, hi = dist.cliffs_delta_ci
    mw = dist.quoted
    rows = [
        {
            "Test": f"{mw.name} (quoted; Holm-adjusted p {holm})",
            "Statistic": f"{round_half_up(mw.statistic, 1):,.1f}",
            "p-value": p_cell(mw.p_value),
            "Effect size": f"Cliff's delta {signed(dist.cliffs_delta, 2)} "
            f"(95% CI {signed(lo, 2)} to {signed(hi, 2)})",
        }
    ]
    if dist.mann_whitney_exact is not None:
        rows.append(
            {
                "Test": "Mann–Whitney (normal approximation)",
                "Statistic": f"{round_half_up(dist.mann_whitney.statistic, 1):,.1f}",
                "p-value": p_cell(dist.mann_whitney.p_value),
                "Effect size": DASH,
            }
        )
    chi = dist.chi_square
    rows.append(
        {
            "Test": f"Chi-square test of homogeneity ({int(chi.df or 0)} df)",
            "Statistic": f"{round_half_up(chi.statistic, 2):.2f}",
            "p-value": p_cell(chi.p_value),
            "Effect size": f"Cramér's V {round_half_up(dist.cramers_v, 2):.2f}",
        }
    )
    if dist.chi_square_exact is not None:
        name = dist.chi_square_exact.name
        rows.append(
            {
                "Test": name[:1].upper() + name[1:],
                "Statistic": DASH,
                "p-value": p_cell(dist.chi_square_exact.p_value),
                "Effect size": DASH,
            }
        )
    ca = dist.cochran_armitage
    rows.append(
        {
            "Test": "Cochran–Armitage trend test (1 df)",
            "Statistic": f"{round_half_up(ca.statistic, 2):.2f}",
            "p-value": p_cell(ca.p_value),
            "Effect size": f"Mean score A {round_half_up(dist.mean_score_b, 2):.2f}, "
            f"B {round_half_up(dist.mean_score_a, 2):.2f}",
        }
    )
    return pd.DataFrame(rows).set_index("Test")


def distribution_holm_cell(ctx: ShiftContext) -> str:
    """The quoted distribution test's Holm-adjusted p as a cell (``[c]`` when a hidden share
    test's p sets it)."""
    if summary.holm_set_by_hidden(ctx, comparisons.DISTRIBUTION):
        return SUPPRESSED
    return p_cell(summary.p_holm(ctx, comparisons.DISTRIBUTION))


def distribution_note(ctx: ShiftContext, dist: stats.DistributionComparison) -> str:
    n_a, n_b = (f"{n:,}" if ctx.graded_shown() else SUPPRESSED for n in (dist.n_b, dist.n_a))
    note = (
        f"Graded audits only (Not recorded has no place on the scale): n = {n_a} in A "
        f"and {n_b} in B. Scores: Outstanding 4, Good 3, Requires Improvement 2, "
        "Inadequate 1. A positive Cliff's delta means judgements in B were better."
    )
    if dist.notes:
        note += " Note: " + "; ".join(dist.notes) + "."
    return note


def methods_text() -> str:
    """The rule for which test is quoted, as :mod:`auditlib.analysis.comparisons` states it
    (quoted from its docstring, so the two cannot drift apart), with this report's additions."""
    doc = comparisons.__doc__ or ""
    found = re.search(r"Which test the report quotes.*?:\n\n(.*)", doc, re.S)
    rule = found[1].strip() if found else RULE_FALLBACK
    rule = re.sub(r"\n[ \t]+", " ", rule)  # join each bullet's continuation lines
    lead = (
        "The tests are the ones the monthly report uses, chosen by this rule "
        "(from `auditlib.analysis.comparisons`):"
    )
    extra = (
        "Here the *month* is period B and the *reference period* is period A, and the family "
        "is B's tests against A: each share and the whole distribution, Holm-adjusted "
        "together. With a breakdown, each group is tested the same way and the p-values are "
        "adjusted for multiple comparisons with Holm's method across the groups. Auditor–"
        "moderator agreement is Cohen's kappa with linear weights and its 95% confidence "
        f'interval. "Significant" means the Holm-adjusted p is below {stats.ALPHA:g}; every '
        "test assumes audits are independent of one another."
    )
    return "\n\n".join(part for part in (lead, rule, extra) if part)
