"""Re-audits: did practice improve between the original audit and the re-audit?

Both reports show the same verdict, heat map and cross-table, each for its own re-audits
(the monthly report: every re-audit completed up to the month; the shift report: the
re-audits of period B). The verdict sets the movement against what regression to the mean
would give with no change in practice (:mod:`auditlib.analysis.regression_to_mean`).
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from auditlib.analysis import regression_to_mean, stats
from auditlib.data import schema
from auditlib.disclosure import SUPPRESSED, DisclosureProfile, suppress_counts
from auditlib.disclosure.view import DisclosureView
from auditlib.report import wording
from auditlib.report.blocks import Callout, Chart
from auditlib.report.charts.statistical import plot_reaudit_heatmap

HEATMAP_CAPTION = "Original audit against re-audit: number of cases in each pair of judgements"


def reaudit_table(shift: stats.ReauditShift, profile: DisclosureProfile) -> pd.DataFrame:
    """The original × re-audit cross-table as shown: labelled, with row totals, disclosure applied.

    The rows add up to the number of re-audited cases, which the verdict and the headline
    state, so the table is protected with that total row too (then left off the display): a
    row total hidden alone came back by subtraction (May 2019's one Good-to-Good re-audit).
    """
    table = shift.table.copy()
    table.index = pd.Index([f"Original: {i}" for i in table.index], name="Original audit")
    table.columns = [f"Re-audit: {c}" for c in table.columns]
    body = table.assign(**{schema.COMPLETED: table.sum(axis=1)})
    with_total = pd.concat([body, pd.DataFrame([body.sum()], index=[_ALL_PAIRS])])
    shown = suppress_counts(with_total, profile, cells=list(table.columns), total_row=True)
    return shown.drop(index=_ALL_PAIRS).rename(columns={schema.COMPLETED: "Total"})


#: The total row the re-audit table is protected with (not shown).
_ALL_PAIRS: Final = "All re-audited cases"


def verdict(
    shift: stats.ReauditShift,
    view: DisclosureView,
    expectation: regression_to_mean.ReauditExpectation | None = None,
    *,
    with_total: bool = False,
) -> Callout:
    """The re-audit verdict with the regression-to-the-mean caveat and, given
    ``expectation`` (:func:`comparisons.expected_reaudit_movement`), how much of the movement
    no change in practice would give on its own. Its shares go when a count it rests on
    would reveal 1 to 5."""
    if hidden(shift, view, with_total) and view.suppresses:
        # Its shares, mean changes and p-values rest on the table's hidden cells, and even
        # its words (a significant improvement, beyond regression to the mean) are a
        # condition on them: like a test resting on a suppressed count, it states no result.
        n = SUPPRESSED if with_total and view.reveals([shift.n]) else f"{shift.n:,}"
        sentence = f"Of {n} re-audited cases: {WITHHELD} " + wording.describe_regression_to_mean(
            None
        )
        return Callout(sentence, "verdict", "Re-audits: verdict")
    sentence = wording.describe_reaudit_shift(shift, expectation)
    return Callout(sentence, "verdict", "Re-audits: verdict")


#: What a published verdict resting on a hidden count says instead of its result.
WITHHELD: Final = (
    "how they moved is not shown in this published version, because a count it rests on "
    "is suppressed."
)


def hidden(shift: stats.ReauditShift, view: DisclosureView, with_total: bool = False) -> bool:
    """Would the verdict's figures reveal a count of 1 to 5 (published profile)? Its
    movement counts, or any cell of the table they are counted from: the table shows
    every other cell, so the shares improved, same and declined would give a hidden cell
    back. The rule figures.json's ``reaudit_expectation`` follows too."""
    counts = [shift.n_improved, shift.n_same, shift.n_declined]
    if with_total:
        counts.append(shift.n)
    return view.reveals(counts) or view.reveals(shift.table.to_numpy().ravel())


def heatmap(
    shift: stats.ReauditShift, view: DisclosureView, title: str | None = None
) -> list[Chart]:
    """The heat map of original against re-audit judgement (internal profile only: its cells
    are counts a published table would suppress)."""
    if view.suppresses:
        return []
    fig, alt = plot_reaudit_heatmap(shift, title=title)
    return [Chart(fig, alt, HEATMAP_CAPTION)]
