"""The month's family of tests: six comparisons, Holm-adjusted together, one verdict each."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from auditlib.analysis import comparisons, stats
from auditlib.data import pipeline, schema
from auditlib.paths import DEMO_DATA_DIR

LABELS = list(schema.JUDGEMENT_LABELS)


def _counts(outstanding: int, good: int, ri: int, inadequate: int) -> pd.Series:
    values = [outstanding, good, ri, inadequate, 0]
    return pd.Series([*values, sum(values)], index=[*LABELS, "completed"])


def test_holm_matches_the_step_down_rule_and_statsmodels():
    # by hand: sorted 0.01, 0.03, 0.04 → 3 × 0.01, max(0.03, 2 × 0.03), max(0.06, 1 × 0.04)
    assert stats.holm_adjust([0.01, 0.04, 0.03]).tolist() == pytest.approx([0.03, 0.06, 0.06])
    rng = np.random.default_rng(12)
    for _ in range(50):
        p = rng.uniform(0, 0.2, size=int(rng.integers(1, 8)))
        expected = multipletests(p, method="holm")[1]
        assert stats.holm_adjust(p) == pytest.approx(expected)
    # a missing p-value is neither adjusted nor counted in m
    out = stats.holm_adjust([0.02, np.nan, 0.01])
    assert np.isnan(out[1]) and out[[0, 2]].tolist() == pytest.approx([0.02, 0.02])


def test_the_family_adjusts_six_tests_together_and_judges_on_the_adjusted_p():
    month = _counts(0, 20, 36, 4)  # 60 audits: 33% Good or better, 7% Inadequate
    last = _counts(0, 18, 45, 16)  # 79
    year = _counts(2, 140, 330, 140)  # 612
    vs_previous = comparisons.compare_counts(
        month, last, "September 2020", "August 2020", comparisons.PREVIOUS_MONTH
    )
    vs_year = comparisons.compare_counts(
        month, year, "September 2020", "the previous 12 months", comparisons.PREVIOUS_12_MONTHS
    )
    family = comparisons.month_test_family([vs_previous, None, vs_year])
    assert len(family) == 6 and (family["family_size"] == 6).all()
    assert (
        family["comparison"].tolist()
        == [comparisons.PREVIOUS_MONTH] * 3 + [comparisons.PREVIOUS_12_MONTHS] * 3
    )
    assert family["measure"].tolist() == [*comparisons.MEASURES, comparisons.DISTRIBUTION] * 2
    raw = [
        vs_previous.proportions["% Good or better"].p_value,
        vs_previous.proportions["% Inadequate"].p_value,
        vs_previous.distribution.quoted.p_value,
        vs_year.proportions["% Good or better"].p_value,
        vs_year.proportions["% Inadequate"].p_value,
        vs_year.distribution.quoted.p_value,
    ]
    assert family["p_value"].tolist() == pytest.approx(raw)
    assert family["p_holm"].tolist() == pytest.approx(multipletests(raw, method="holm")[1])
    assert (family["p_holm"] >= family["p_value"]).all()
    assert (family["significant"] == (family["p_holm"] < stats.ALPHA)).all()
    # the year's % Inadequate: 7% against 23% is significant unadjusted (p ≈ 0.004) and
    # stays significant after adjustment; a difference significant only before adjustment
    # is "no difference"
    inadequate = family.iloc[4]
    assert inadequate["effect"] == pytest.approx(100 * (4 / 60 - 140 / 612))
    assert inadequate["p_value"] < 0.01 and inadequate["verdict"] == "improvement"
    raw_only = family[(family["p_value"] < stats.ALPHA) & ~family["significant"]]
    assert (raw_only["verdict"] == "no difference").all()
    # Cliff's delta is positive when this month is better
    distribution = family.iloc[5]
    assert distribution["effect"] > 0 and distribution["effect_name"] == "Cliff's delta"


def test_no_comparison_gives_an_empty_family_with_the_columns():
    family = comparisons.month_test_family([None, None])
    assert family.empty and {"p_value", "p_holm", "significant"} <= set(family.columns)


@pytest.fixture(scope="module")
def demo_month():
    data = pipeline.load_audit_data(DEMO_DATA_DIR)
    return data, comparisons.analyse_month(data.audits, data.programme, "2020-09")


def test_analyse_month_carries_the_family_and_the_regression_to_the_mean(demo_month):
    data, result = demo_month
    assert len(result.family) == 6
    assert set(result.family["comparison"]) == {
        comparisons.PREVIOUS_MONTH,
        comparisons.PREVIOUS_12_MONTHS,
    }
    # each re-audit pair knows its original's month, which is earlier
    pairs = result.reaudit_pairs
    assert pairs["original_month"].notna().all()
    assert (pairs["original_month"] < pairs[schema.AUDIT_MONTH]).all()
    expectation = result.reaudit_expectation
    assert expectation is not None and expectation.n == result.reaudits.n
    assert expectation.reliability_source == "moderation"
    moderation = comparisons.moderation_pairs(data.audits)
    graded = moderation.isin(schema.JUDGEMENTS).all(axis=1)
    kappa = stats.compute_kappa(moderation[graded], "auditor", "moderator", weights="none").kappa
    assert expectation.reliability == pytest.approx(kappa)


def test_measure_counts_are_the_row_sums_of_the_measures_labels():
    """Whole-number counts added column by column; anything else summed by pandas."""
    table = pd.DataFrame(
        {label: [3, 0, 7] for label in schema.JUDGEMENT_LABELS}, index=["a", "b", "c"]
    )
    table[schema.GOOD] = [1, 2, 5]
    floats = table.astype(float)
    floats.loc["b", schema.OUTSTANDING] = float("nan")
    for frame in (table, floats):
        for measure, (labels, _) in comparisons.MEASURES.items():
            pd.testing.assert_series_equal(
                comparisons.measure_counts(frame, measure), frame[list(labels)].sum(axis=1)
            )
