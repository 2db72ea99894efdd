"""Re-audits: did practice improve between the original audit and the re-audit?

Both reports show the same verdict, heat map and cross-table, each for its own re-audits
(the monthly report: every re-audit completed up to the month; the shift report: the
re-audits of period B). The verdict sets the movement against what regression to the mean
would give with no change in practice (:mod:`auditlib.analysis.regression_to_mean`).
"""

from __future__ import annotations

import re
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
    """The original × re-audit cross-table as shown: labelled, with row totals, disclosure applied."""
    table = shift.table.copy()
    table.index = pd.Index([f"Original: {i}" for i in table.index], name="Original audit")
    table.columns = [f"Re-audit: {c}" for c in table.columns]
    shown = suppress_counts(
        table.assign(**{schema.COMPLETED: table.sum(axis=1)}), profile, cells=list(table.columns)
    )
    return shown.rename(columns={schema.COMPLETED: "Total"})


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
    secret = hidden(shift, view, with_total)
    sentence = view.disclose(wording.describe_reaudit_shift(shift, expectation), secret)
    if secret and view.suppresses:
        sentence = _MEAN_CHANGE.sub(
            f"mean change {SUPPRESSED} of a grade against {SUPPRESSED} expected", sentence
        )
    return Callout(sentence, "verdict", "Re-audits: verdict")


#: The mean changes a hidden verdict does not state: the observed one is the table's
#: cells weighted by their change of grade, over n (it gives a hidden cell back).
_MEAN_CHANGE: Final = re.compile(
    r"mean change [+−]?\d+\.\d+ of a grade against [+−]?\d+\.\d+ expected"
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
