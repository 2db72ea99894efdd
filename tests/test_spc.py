"""SPC charts pinned to published reference values.

Sources
- NHSRplotthedots (NHS-R Community's implementation of NHS England's Making Data
  Count XmR charts), tests/testthat/_snaps/ptd_spc_standard.md and
  _snaps/ptd_spc.md: the series is R's ``set.seed(123); rnorm(20)``, whose 8-digit
  values the snapshot itself prints.
- NHSRplotthedots tests/testthat/test-ptd_calculate_point_type.R for the run rules
  and test-ptd_spc_standard.R for "two of three on opposite sides is not special".
- Montgomery, *Introduction to Statistical Quality Control*, Example 7.1 (orange
  juice cans, 30 samples of 50): p̄ = 0.2313, UCL = 0.4102, LCL = 0.0524, samples
  15 and 23 above the UCL.
- Laney (2002), "Improved control charts for attributes", Quality Engineering 14(4),
  and Minitab's "Methods and formulas for Laney P' chart": checked against an
  independent step-by-step computation in the test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditlib.analysis import spc

# R: set.seed(123); rnorm(20) — as printed by NHSRplotthedots' snapshot
RNORM_123 = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774,
    1.71506499, 0.46091621, -1.26506123, -0.68685285, -0.44566197,
    1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113,
    1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141,
]  # fmt: skip


def test_xmr_limits_match_nhsrplotthedots_snapshot():
    # ptd_spc_standard.md r1: mean_col 0.1416238, lpl -3.01138, upl 3.294627 (screen_outliers = TRUE)
    r = spc.compute_xmr(RNORM_123, screen_outliers=True)
    d = r.data
    assert d["mean"].iloc[0] == pytest.approx(0.1416238, abs=5e-8)
    assert d["lower"].iloc[0] == pytest.approx(-3.01138, abs=5e-6)
    assert d["upper"].iloc[0] == pytest.approx(3.294627, abs=5e-7)
    # ptd_spc.md summary: 20 points, all common cause
    summ = r.summary()
    assert (summ["points"], summ["common_cause"], summ["variation"]) == (20, 20, "common_cause")
    # near limits at 2/3 of the distance to the process limits
    assert d["near_upper"].iloc[0] - d["mean"].iloc[0] == pytest.approx(
        2 / 3 * (d["upper"].iloc[0] - d["mean"].iloc[0])
    )


def test_moving_range_screening_matches_nhsrplotthedots():
    y = list(RNORM_123)
    y[14] = 10  # as the NHSRplotthedots test does (R's y[15] <- 10)
    screened = spc.compute_xmr(y, screen_outliers=True).data.iloc[0]
    # r2: mean 0.6694159, lpl -2.383666, upl 3.722497
    assert screened["mean"] == pytest.approx(0.6694159, abs=5e-8)
    assert screened["lower"] == pytest.approx(-2.383666, abs=5e-7)
    assert screened["upper"] == pytest.approx(3.722497, abs=5e-7)
    # r3 (no screening, the MDC Excel default and ours): lpl -4.596625, upl 5.935457
    plain = spc.compute_xmr(y).data.iloc[0]
    assert plain["lower"] == pytest.approx(-4.596625, abs=5e-7)
    assert plain["upper"] == pytest.approx(5.935457, abs=5e-7)
    # the outlier itself is astronomical against the screened limits
    r = spc.compute_xmr(y, screen_outliers=True, improvement="up")
    assert bool(r.data["astronomical"].iloc[14])
    assert r.data["point_type"].iloc[14] == "special_cause_improvement"


def test_rebase_gives_separate_limits_per_period():
    # NHSRplotthedots ptd_spc.md: faceting the same 20 points into 1–10 and 11–20 gives
    # mean 0.0746 / -2.60 / 2.75 and 0.209 / -3.28 / 3.70; a rebase at point 11 must match.
    r = spc.compute_xmr(RNORM_123, rebase=[11], screen_outliers=True)
    by = r.data.groupby("period")[["mean", "lower", "upper"]].first()
    assert list(by.index) == [0, 1]
    assert by.loc[0].tolist() == pytest.approx([0.0746, -2.60, 2.75], abs=5e-3)
    assert by.loc[1].tolist() == pytest.approx([0.209, -3.28, 3.70], abs=5e-3)
    # and the second period's limits differ from the unrebased ones
    whole = spc.compute_xmr(RNORM_123, screen_outliers=True).data.iloc[0]
    assert by.loc[1, "upper"] != pytest.approx(whole["upper"])


def test_rebase_on_month_labels_and_unknown_label_is_an_error():
    months = [f"2020-{m:02d}" for m in range(1, 13)] + [f"2021-{m:02d}" for m in range(1, 9)]
    r = spc.compute_xmr(pd.Series(RNORM_123, index=months), rebase=["2020-06"])
    assert r.data.loc[r.data["x"] == "2020-05", "period"].item() == 0
    assert r.data.loc[r.data["x"] == "2020-06", "period"].item() == 1
    with pytest.raises(spc.SPCError, match="2019-01"):
        spc.compute_xmr(pd.Series(RNORM_123, index=months), rebase=["2019-01"])


def test_fewer_than_13_points_gives_trial_limits():
    twelve = spc.compute_xmr(RNORM_123[:12])
    assert twelve.trial_limits and twelve.data["trial_limits"].all()
    assert any("trial limits" in w for w in twelve.warnings)
    thirteen = spc.compute_xmr(RNORM_123[:13])
    assert not thirteen.trial_limits and thirteen.warnings == []
    # after a rebase only the short new period is on trial limits
    r = spc.compute_xmr(RNORM_123, rebase=[15])
    assert not r.data.loc[r.data["period"] == 0, "trial_limits"].any()
    assert r.data.loc[r.data["period"] == 1, "trial_limits"].all() and r.trial_limits


# ----------------------------------------------------------------- run rules
def test_run_helpers_match_nhsrplotthedots_vectors():
    # ptd_seven_point_one_side_mean + ptd_part_of_seven_trend: c(rep(1, 8), -1) → first 8 flagged
    assert spc._runs(np.array([1] * 8 + [-1]), 7).tolist() == [True] * 8 + [False]
    assert spc._runs(np.array([1] * 6 + [-1]), 7).tolist() == [False] * 7
    # ptd_seven_point_trend: 1:7 is a trend; c(1:3, 3:6) (a tie) is not; c(2, 1:7, 3) flags 1:7
    assert spc._trend(np.arange(1, 8))[0].all()
    assert not spc._trend(np.array([1, 2, 3, 3, 4, 5, 6]))[0].any()
    flags, direction = spc._trend(np.array([2, 1, 2, 3, 4, 5, 6, 7, 3]))
    assert flags.tolist() == [False] + [True] * 7 + [False]
    assert direction[1:8].tolist() == [1] * 7
    flags, direction = spc._trend(np.array([7, 6, 5, 4, 3, 2, 1]))
    assert flags.all() and (direction == -1).all()


def test_point_on_the_mean_breaks_a_shift():
    # mean is exactly 10 in both series: 16 points, symmetric around 10
    broken = [12] * 6 + [10] + [12] + [8] * 6 + [10] + [8]
    full = [12] * 8 + [8] * 8
    assert np.mean(broken) == 10 and np.mean(full) == 10
    assert not spc.compute_xmr(broken).data["shift"].any()
    d = spc.compute_xmr(full).data
    assert d["shift"].all()


def test_a_tie_breaks_a_trend():
    base = [5, 9, 5, 9, 5, 9]
    tied = spc.compute_xmr([*base, 1, 2, 3, 3, 4, 5, 6, *base]).data
    assert not tied["trend"].any()
    rising = spc.compute_xmr([*base, 1, 2, 3, 4, 5, 6, 7, *base], improvement="down").data
    assert rising["trend"].tolist() == [False] * 6 + [True] * 7 + [False] * 6
    # a rising trend is a concern when lower is better, even for points below the mean
    trend_only = rising["trend"] & ~rising[["astronomical", "shift", "two_in_three"]].any(axis=1)
    assert (rising.loc[trend_only, "point_type"] == "special_cause_concern").all()


def test_two_of_three_on_opposite_sides_is_not_special():
    # NHSRplotthedots test-ptd_spc_standard.R: c(1, -1) × 8, then 5.5 and -5.5
    y = [1.0, -1.0] * 8
    y[14], y[15] = 5.5, -5.5
    r = spc.compute_xmr(y, screen_outliers=True)
    assert r.data["point_type"].tail(2).tolist() == ["common_cause", "common_cause"]


def test_two_of_three_on_the_same_side_is_special():
    y = [1.0, -1.0] * 8
    y[13], y[15] = 6.0, 6.0  # points 14 and 16 beyond the upper near limit, 15 not
    d = spc.compute_xmr(y, screen_outliers=True, improvement="up").data
    near = d["near_upper"].iloc[0]
    assert y[13] > near and y[15] > near and d["value"].iloc[14] < near < d["upper"].iloc[0]
    assert d["two_in_three"].tolist() == [False] * 13 + [True, False, True]
    assert d["point_type"].iloc[15] == "special_cause_improvement"


def test_missing_values_stay_as_rows_and_are_skipped_by_moving_range():
    y = [10.0, 12, np.nan, np.nan, 11, 13]
    d = spc.compute_xmr(y).data
    assert len(d) == 6
    assert d["point_type"].iloc[2] == "no_data"
    # moving ranges between consecutive *observed* points: |12-10|, |11-12|, |13-11|
    assert d["moving_range"].dropna().tolist() == [2, 1, 2]
    assert d["upper"].iloc[0] == pytest.approx(np.mean([10, 12, 11, 13]) + 2.66 * 5 / 3)


def test_assurance_against_target():
    # limits 0.142 ± 3.15; a target of 5 is above the upper limit
    up = spc.compute_xmr(RNORM_123, screen_outliers=True, improvement="up", target=5)
    down = spc.compute_xmr(RNORM_123, screen_outliers=True, improvement="down", target=5)
    between = spc.compute_xmr(RNORM_123, screen_outliers=True, improvement="down", target=0)
    assert (up.assurance, down.assurance, between.assurance) == (
        "consistently_failing",
        "consistently_passing",
        "inconsistent",
    )
    assert spc.compute_xmr(RNORM_123).assurance is None


# ----------------------------------------------------------------- p charts
MONTGOMERY_7_1 = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22,
                  8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6]  # fmt: skip


def test_p_chart_matches_montgomery_example_7_1():
    r = spc.compute_p_chart(MONTGOMERY_7_1, [50] * 30, improvement="down")
    d = r.data
    assert d["mean"].iloc[0] == pytest.approx(0.2313, abs=5e-5)
    assert d["upper"].iloc[0] == pytest.approx(0.4102, abs=5e-5)
    assert d["lower"].iloc[0] == pytest.approx(0.0524, abs=5e-5)
    # samples 15 and 23 are out of control (above the UCL)
    assert d.index[d["astronomical"]].tolist() == [14, 22]
    assert (d.loc[[14, 22], "point_type"] == "special_cause_concern").all()


def test_p_chart_limits_vary_with_n_and_are_clipped():
    k, n = [1, 0, 5, 2], [4, 50, 10, 100]
    d = spc.compute_p_chart(k, n).data
    pbar = sum(k) / sum(n)
    expected_upper = np.minimum(pbar + 3 * np.sqrt(pbar * (1 - pbar) / np.array(n)), 1)
    assert d["upper"].to_numpy() == pytest.approx(expected_upper)
    assert (d["lower"] >= 0).all() and d["lower"].iloc[0] == 0


def test_p_chart_keeps_a_paused_month_as_a_gap():
    d = spc.compute_p_chart([3, 0, 4], [30, 0, 28], x=["2020-02", "2020-03", "2020-04"]).data
    assert d["point_type"].tolist()[1] == "no_data" and np.isnan(d["value"].iloc[1])
    assert d["mean"].iloc[0] == pytest.approx(7 / 58)


def test_laney_p_chart_against_a_step_by_step_computation():
    k = np.array(MONTGOMERY_7_1)
    n = np.array([50, 55, 48, 60, 45, 50, 52, 49, 61, 47] * 3)
    r = spc.compute_laney_p_chart(k, n)
    pbar = k.sum() / n.sum()
    sigma_p = np.sqrt(pbar * (1 - pbar) / n)
    z = (k / n - pbar) / sigma_p
    sigma_z = np.mean(np.abs(np.diff(z))) / 1.128
    assert r.sigma_z == pytest.approx(sigma_z)
    assert r.data["upper"].to_numpy() == pytest.approx(np.minimum(pbar + 3 * sigma_p * sigma_z, 1))
    assert r.data["lower"].to_numpy() == pytest.approx(np.maximum(pbar - 3 * sigma_p * sigma_z, 0))
    # these data are overdispersed relative to the binomial, so p′ limits are wider
    p_upper = spc.compute_p_chart(k, n).data["upper"].to_numpy()
    assert sigma_z > 1 and (r.data["upper"].to_numpy() > p_upper).all()


def test_bad_input_raises_a_plain_error():
    with pytest.raises(spc.SPCError):
        spc.compute_xmr([1, 2, 3], improvement="sideways")  # type: ignore[arg-type]
    with pytest.raises(spc.SPCError):
        spc.compute_p_chart([5, 1], [4, 10])
