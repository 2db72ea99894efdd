"""The judgement-jump rule: a month far beyond the programme's history, and only then."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats

from auditlib.data import quality

GRADES = ("Good", "Requires Improvement", "Inadequate")


def audits(months: dict[str, list[str]]) -> pd.DataFrame:
    """Completed audits (type audit): month → final judgements."""
    rows = [
        {"audit_type": "audit", "audit_month": month, "final_judgement": judgement}
        for month, judgements in months.items()
        for judgement in judgements
    ]
    return pd.DataFrame(rows)


HISTORY = {
    f"2020-0{m}": ["Good"] * 5 + ["Requires Improvement"] * 5 + ["Inadequate"] * 2
    for m in range(1, 5)
}


def test_a_month_of_blank_grades_is_a_jump_with_its_figures():
    frame = audits({**HISTORY, "2020-05": ["Not recorded"] * 10 + ["Good"] * 2})
    [jump] = quality.judgement_jumps(frame)
    assert (jump.month, jump.judgement, jump.count, jump.completed) == (
        "2020-05",
        "Not recorded",
        10,
        12,
    )
    assert (jump.history_first, jump.history_last, jump.history_completed) == (
        "2020-01",
        "2020-04",
        48,
    )
    assert jump.expected_share == pytest.approx(1 / 50)  # (0 + 1) / (48 + 2)
    assert jump.tail_probability == pytest.approx(stats.binom.sf(9, 12, 1 / 50))
    assert jump.as_dict()["share"] == pytest.approx(100 * 10 / 12)


def test_a_real_change_in_practice_is_not_a_jump():
    # Good from 42 % to 75 % of 12: a rise of 33 points, but 9 or more of 12 happens by
    # chance about 2 % of the time — well within the p-chart's limit.
    frame = audits({**HISTORY, "2020-05": ["Good"] * 9 + ["Inadequate"] * 3})
    assert quality.judgement_jumps(frame) == []


def test_a_large_rise_that_chance_explains_is_not_a_jump():
    # 2 of 3 Inadequate (67 % against 17 %): a big rise, but three audits prove little.
    frame = audits({**HISTORY, "2020-05": ["Inadequate", "Inadequate", "Good"]})
    assert quality.judgement_jumps(frame) == []


def test_too_little_history_is_not_checked():
    short = {k: v for k, v in HISTORY.items() if k <= "2020-02"}
    frame = audits({**short, "2020-03": ["Not recorded"] * 12})
    assert quality.judgement_jumps(frame) == []


def test_history_is_the_last_12_months_and_months_can_be_chosen():
    early = {f"2019-{m:02d}": ["Not recorded"] * 12 for m in range(1, 13)}
    recent = {f"2020-{m:02d}": ["Good"] * 12 for m in range(1, 13)}
    frame = audits({**early, **recent, "2021-01": ["Not recorded"] * 12})
    [jump] = quality.judgement_jumps(frame, "2021-01")
    assert (jump.history_first, jump.history_last) == ("2020-01", "2020-12")
    # After a year of Not recorded, all-Good months are jumps until 12 Good of 12 is no
    # longer beyond the limit: July 2020's history is half Good (0.5^12 = 0.0002 < 0.00135),
    # August's (7 × 12 + 1) / 146 = 58 % (0.58^12 = 0.0015) is within it.
    assert [j.month for j in quality.judgement_jumps(frame)] == [
        *[f"2020-{m:02d}" for m in range(1, 8)],
        "2021-01",
    ]


def test_reaudits_and_open_audits_are_not_counted():
    frame = audits({**HISTORY, "2020-05": ["Good"] * 12})
    extra = pd.DataFrame(
        [{"audit_type": "re-audit", "audit_month": "2020-05", "final_judgement": "Not recorded"}]
        * 20
        + [{"audit_type": "audit", "audit_month": "2020-05", "final_judgement": None}] * 20
    )
    counts = quality.judgement_counts(pd.concat([frame, extra]))
    assert counts.loc["2020-05"].tolist() == [0, 12, 0, 0, 0]
