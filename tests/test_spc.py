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
- PowerBI-SPC (AUS-DOH-Safety-and-Quality), test/Chart Types/pprime.test.ts: the
  P′ chart's limits for 20 months of counts, with its default moving-range screening.
- ``tests/nhsrplotthedots_port.py``: NHSRplotthedots v0.2.2's ptd_spc_standard and
  ptd_calculate_point_type ported line by line from the R source; point types,
  limits and assurance are compared with it on seeded random series.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditlib.analysis import spc
from tests import nhsrplotthedots_port as port

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
    # r3 (no screening, the MDC Excel tools' way): lpl -4.596625, upl 5.935457
    plain = spc.compute_xmr(y, screen_outliers=False).data.iloc[0]
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
    observed = np.ones(9, dtype=bool)
    assert spc._shift(np.array([1] * 8 + [-1]), observed).tolist() == [True] * 8 + [False]
    assert not spc._shift(np.array([1] * 6 + [-1]), observed[:7]).any()
    # ptd_seven_point_trend: 1:7 is a trend; c(1:3, 3:6) (a tie) is not; c(2, 1:7, 3) flags 1:7
    assert spc._trend(np.arange(1, 8, dtype=float))[0].all()
    assert not spc._trend(np.array([1, 2, 3, 3, 4, 5, 6], dtype=float))[0].any()
    flags, direction = spc._trend(np.array([2, 1, 2, 3, 4, 5, 6, 7, 3], dtype=float))
    assert flags.tolist() == [False] + [True] * 7 + [False]
    assert direction[1:8].tolist() == [1] * 7
    flags, direction = spc._trend(np.array([7, 6, 5, 4, 3, 2, 1], dtype=float))
    assert flags.all() and (direction == -1).all()
    # ptd_two_in_three: c(0, 0, 1, 1, 0, 0, 0) all above → the two close points; opposite
    # sides of the mean (c(1, -1, 1)) → nothing
    close = np.array([0, 0, 1, 1, 0, 0, 0], dtype=bool)
    assert spc._two_in_three(close, np.ones(7), np.ones(7, dtype=bool)).tolist() == close.tolist()
    close = np.array([1, 0, 1], dtype=bool)
    assert not spc._two_in_three(close, np.array([1, -1, 1]), np.ones(3, dtype=bool)).any()


def test_the_port_reproduces_nhsrplotthedots_own_unit_tests():
    # test-ptd_calculate_point_type.R, vector by vector
    assert port.ptd_seven_point_one_side_mean([1] * 8 + [-1]) == [0] * 6 + [1, 1, 0]
    assert port.ptd_seven_point_one_side_mean([-1] * 8 + [1]) == [0] * 6 + [1, 1, 0]
    assert port.ptd_part_of_seven_trend([0] * 7 + [-1, 0]) == [0] + [1] * 7 + [0]
    assert port.ptd_seven_point_trend([1, 2, 3, 3, 4, 5, 6]) == [0] * 7
    assert port.ptd_seven_point_trend([2, *range(1, 8), 3]) == [0] * 7 + [1, 0]
    assert port.ptd_seven_point_trend([2, *range(7, 0, -1), 3]) == [0] * 7 + [-1, 0]
    assert port.ptd_two_in_three([0, 0, 1, 0, 1, 0, 0], [1] * 7) == [0, 0, 1, 1, 1, 0, 0]
    assert port.ptd_two_in_three([0, 0, 1, 1, 0, 0, 0], [1] * 7) == [0, 1, 1, 1, 1, 0, 0]
    assert port.ptd_two_in_three([1, 0, 1], [1, -1, 1]) == [0, 0, 0]
    iv = [1, 0, 0, 1, 1]
    assert port.ptd_part_of_two_in_three(port.ptd_two_in_three(iv, [1] * 5), iv) == [0, 0, 0, 1, 1]
    # R stops when a gap sits inside an otherwise rising window of seven
    with pytest.raises(port.RStop):
        port.ptd_seven_point_trend([1, 2, 3, float("nan"), 5, 6, 7])
    assert port.ptd_seven_point_trend([1, 2, 3, float("nan"), 5, 6, 7], na_in_if="false") == [0] * 7


#: ours → NHSRplotthedots improvement_direction
_DIRECTIONS = {"up": "increase", "down": "decrease", "neither": "neutral"}
#: point-type series compared with the port, per gap treatment
PORT_SERIES = {"break": 1000, "bridge": 300}


def _random_series(rng: np.random.Generator) -> np.ndarray:
    """Short series of the kinds that exercise every rule: noise, small integers (ties),
    random walks, steps, slopes, staircases, the odd outlier."""
    n = int(rng.integers(1, 41))
    kind = int(rng.integers(0, 6))
    steps = np.arange(n)
    if kind == 0:
        y = rng.normal(size=n)
    elif kind == 1:
        y = rng.integers(0, 4, size=n).astype(float)
    elif kind == 2:
        y = np.cumsum(rng.normal(size=n))
    elif kind == 3:
        y = rng.normal(size=n) + np.where(steps > n // 2, rng.normal(0, 2), 0)
    elif kind == 4:
        y = rng.normal(size=n) * 0.3 + steps * rng.choice([-1, 1]) * 0.2
    else:
        y = np.cumsum(rng.choice([-1.0, 0.0, 1.0, 1.0], size=n))
    if rng.random() < 0.15:
        y[rng.integers(0, n)] += rng.choice([-1, 1]) * 8
    return y


def _port_case(seed: int, gaps: str) -> dict | None:
    """One seeded series run through ours and the R port; None if it has no value at all."""
    rng = np.random.default_rng(seed)
    y = _random_series(rng)
    n = len(y)
    if n > 2 and (gaps == "bridge" or rng.random() < 0.5):
        y[rng.integers(0, n, size=int(rng.integers(1, 4)))] = np.nan
    if np.isnan(y).all():
        return None
    rebase: list[int] = []
    if n > 1 and rng.random() < 0.4:
        rebase = sorted({int(r) for r in rng.integers(1, n, size=int(rng.integers(1, 3)))})
    if gaps == "bridge":  # a rebase date on a removed row does not exist in R's data
        rebase = [r for r in rebase if not np.isnan(y[r])]
    improvement = str(rng.choice(list(_DIRECTIONS)))
    target = float(rng.normal()) if rng.random() < 0.5 else None
    screen = bool(rng.random() < 0.7)
    ours = spc.compute_xmr(
        y,
        improvement=improvement,  # type: ignore[arg-type]
        rebase=[r + 1 for r in rebase],
        target=target,
        screen_outliers=screen,
        gaps=gaps,  # type: ignore[arg-type]
    )
    keep = ~np.isnan(y) if gaps == "bridge" else np.ones(n, dtype=bool)
    positions = np.flatnonzero(keep)
    theirs = port.ptd_spc(
        list(y[keep]),
        [int(np.searchsorted(positions, r)) for r in rebase],
        _DIRECTIONS[improvement],
        target,
        screen,
        na_in_if="false",
    )
    return {"y": y[keep], "ours": ours.data[keep].reset_index(drop=True), "theirs": theirs,
            "assurance": ours.assurance, "improvement": improvement}  # fmt: skip


_ASSURANCE = {
    "consistent_pass": "consistently_passing",
    "consistent_fail": "consistently_failing",
    "inconsistent": "inconsistent",
    None: None,
}


@pytest.mark.parametrize("gaps", list(PORT_SERIES))
def test_point_types_match_the_port_of_nhsrplotthedots_on_random_series(gaps):
    compared = 0
    seen = {rule: 0 for rule in spc.RULES}
    trend_against_side = 0
    for seed in range(PORT_SERIES[gaps]):
        case = _port_case(seed, gaps)
        if case is None:
            continue
        ours, theirs = case["ours"], case["theirs"]
        observed = ~np.isnan(case["y"])
        expected = [t.replace("neutral_high", "neither").replace("neutral_low", "neither")
                    for t in theirs["point_type"]]  # fmt: skip
        got = ours["point_type"].tolist()
        assert [g for g, o in zip(got, observed, strict=True) if o] == [
            e for e, o in zip(expected, observed, strict=True) if o
        ], f"seed {seed}: {case['y'].tolist()}"
        for ours_col, their_col in (("mean", "mean_col"), ("lower", "lpl"), ("upper", "upl")):
            assert ours[ours_col].to_numpy() == pytest.approx(
                np.array(theirs[their_col], dtype=float), nan_ok=True
            ), f"seed {seed}: {ours_col}"
        if observed[-1]:
            assert case["assurance"] == _ASSURANCE[theirs["assurance_type"][0]], f"seed {seed}"
        compared += 1
        for rule in spc.RULES:
            seen[rule] += int(ours[rule].any())
        trend = ours["rule"] == "trend"
        side = np.sign(ours["value"] - ours["mean"])
        trend_against_side += int((trend & (side != ours["direction"])).any())
    assert compared >= PORT_SERIES[gaps] * 0.95
    # the comparison is not empty: every rule fires in many series, and trends that run
    # across the mean (typed by the trend, not the side) occur
    assert min(seen.values()) >= PORT_SERIES[gaps] // 20, seen
    assert trend_against_side >= PORT_SERIES[gaps] // 50


def test_a_point_in_a_trend_takes_the_trends_direction():
    # the example: 1…10, higher is better. Points 1 and 2 are below the lower limit
    # (astronomical outranks trend: a concern, as in R); point 3 is near the lower limit, below
    # the mean, inside the rising trend: an improvement (it used to be typed a concern)
    d = spc.compute_xmr(list(range(1, 11)), improvement="up").data
    assert d["rule"].tolist() == ["astronomical"] * 2 + ["trend"] * 6 + ["astronomical"] * 2
    assert d.loc[2, "value"] < d.loc[2, "near_lower"] and d.loc[2, "direction"] == 1
    assert (
        d["point_type"].tolist()
        == ["special_cause_concern"] * 2 + ["special_cause_improvement"] * 8
    )


def test_the_trend_outranks_the_side_of_the_mean():
    # eight points around 2, then seven falling from 9 to 6: all seven are above the mean
    # (a shift above) and in a falling trend; the trend decides, so with lower-is-better
    # they are improvements (by their side they would have been concerns)
    y = [0.0, 4.0] * 4 + [9, 8.5, 8, 7.5, 7, 6.5, 6]
    d = spc.compute_xmr(y, improvement="down").data
    falling = d.iloc[8:]
    assert (falling["value"] > falling["mean"]).all()
    assert falling["shift"].all() and falling["trend"].all()
    assert not falling[["astronomical", "two_in_three"]].any().any()
    assert (falling["rule"] == "trend").all() and (falling["direction"] == -1).all()
    assert (falling["point_type"] == "special_cause_improvement").all()


def test_two_in_three_ignores_points_beyond_the_process_limit():
    # NHSRplotthedots counts only points between the near and the process limits: one point
    # close to the upper limit and one beyond it are astronomical + common cause, not 2-in-3
    y = [1.0, -1.0] * 8
    d0 = spc.compute_xmr(y, screen_outliers=True).data.iloc[0]
    near, upper = d0["near_upper"], d0["upper"]
    y[13], y[14] = (near + upper) / 2, upper + 5
    d = spc.compute_xmr(y, screen_outliers=True, improvement="up").data
    assert bool(d.loc[14, "astronomical"]) and not d["two_in_three"].any()
    assert d.loc[13, "point_type"] == "common_cause"


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
    typed_by_trend = rising["rule"] == "trend"
    assert typed_by_trend.sum() >= 5
    assert (rising.loc[typed_by_trend, "point_type"] == "special_cause_concern").all()


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


def test_a_gap_breaks_moving_ranges_unless_bridged():
    y = [10.0, 12, np.nan, np.nan, 11, 13]
    d = spc.compute_xmr(y, screen_outliers=False).data
    assert len(d) == 6
    assert d["point_type"].iloc[2] == "no_data"
    # R's abs(diff(y)) with the paused rows kept: no range across the gap
    assert d["moving_range"].tolist()[1::4] == [2, 2] and d["moving_range"].isna().sum() == 4
    assert d["upper"].iloc[0] == pytest.approx(np.mean([10, 12, 11, 13]) + 2.66 * 2)
    # bridged: ranges between consecutive observed points |12-10|, |11-12|, |13-11|
    b = spc.compute_xmr(y, screen_outliers=False, gaps="bridge").data
    assert b["moving_range"].dropna().tolist() == [2, 1, 2]
    assert b["upper"].iloc[0] == pytest.approx(np.mean([10, 12, 11, 13]) + 2.66 * 5 / 3)


def test_a_gap_breaks_runs_unless_bridged():
    # six points above the mean, a paused month, one more above: no 7-point shift across
    # the gap; bridged, the seven observed points in a row are a shift
    y = [5.0] * 8 + [9.0] * 6 + [np.nan] + [9.0]
    # (the first eight, below the mean, are a shift either way)
    broken = spc.compute_xmr(y, improvement="up").data
    assert broken["shift"].tolist() == [True] * 8 + [False] * 8
    bridged = spc.compute_xmr(y, improvement="up", gaps="bridge").data
    assert bridged["shift"].tolist() == [True] * 8 + [True] * 6 + [False, True]
    assert bridged["point_type"].iloc[-1] == "special_cause_improvement"
    with pytest.raises(spc.SPCError, match="gaps"):
        spc.compute_xmr(y, gaps="skip")  # type: ignore[arg-type]


def test_no_moving_range_means_no_limits_and_no_astronomical_point():
    # every range is 0 (screened: all dropped) or there is none: NHSRplotthedots gives NaN limits
    flat = spc.compute_xmr([5.0, 5.0, np.nan, 7.0, 7.0], improvement="up")
    assert flat.data["upper"].isna().all() and not flat.has_limits
    assert (flat.data["point_type"].dropna() != "special_cause_improvement").all()
    assert not flat.data["astronomical"].any()


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


# PowerBI-SPC test/Chart Types/pprime.test.ts (percentages, 4 decimals)
PBI_NUMERATORS = [266501, 264225, 276532, 281461, 269071, 261215, 270409, 279778, 270483, 270320,
                  267923, 271478, 255353, 256820, 261835, 259144, 255910, 260863, 264465, 260989]  # fmt: skip
PBI_DENOMINATORS = [280443, 276823, 291681, 296155, 282343, 275888, 283867, 295251, 284468, 282529,
                    279618, 283932, 266629, 268091, 276803, 271578, 266005, 273520, 278574, 273772]  # fmt: skip
PBI_UL99 = [96.567, 96.5753, 96.5421, 96.5326, 96.5627, 96.5775, 96.5593, 96.5345, 96.5579, 96.5623,
            96.5689, 96.5591, 96.5996, 96.5961, 96.5753, 96.5877, 96.6012, 96.583, 96.5713, 96.5824]  # fmt: skip
PBI_UL95 = [96.1413, 96.1469, 96.1247, 96.1184, 96.1384, 96.1483, 96.1362, 96.1197, 96.1353, 96.1382,
            96.1426, 96.1361, 96.1631, 96.1607, 96.1469, 96.1551, 96.1641, 96.152, 96.1442, 96.1516]  # fmt: skip
PBI_LL99 = [94.013, 94.0046, 94.0378, 94.0473, 94.0173, 94.0025, 94.0207, 94.0454, 94.022, 94.0177,
            94.0111, 94.0208, 93.9803, 93.9839, 94.0046, 93.9923, 93.9788, 93.9969, 94.0087, 93.9975]  # fmt: skip


def test_laney_p_prime_matches_powerbi_spc_reference():
    r = spc.compute_laney_p_chart(PBI_NUMERATORS, PBI_DENOMINATORS)
    assert r.screen_outliers
    d = r.data
    assert (100 * d["upper"]).to_numpy() == pytest.approx(PBI_UL99, abs=5e-5)
    assert (100 * d["near_upper"]).to_numpy() == pytest.approx(PBI_UL95, abs=5e-5)
    assert (100 * d["lower"]).to_numpy() == pytest.approx(PBI_LL99, abs=5e-5)


def test_laney_sigma_z_screens_moving_ranges_as_powerbi_spc():
    # one month far out: its two z moving ranges exceed 3.267 × their mean and are dropped
    k = np.array(MONTGOMERY_7_1, dtype=float)
    n = np.array([50, 55, 48, 60, 45, 50, 52, 49, 61, 47] * 3, dtype=float)
    k[9] = 45
    pbar = k.sum() / n.sum()
    z = (k / n - pbar) / np.sqrt(pbar * (1 - pbar) / n)
    mr = np.abs(np.diff(z))
    kept = mr[mr < 3.267 * mr.mean()]
    assert len(kept) == len(mr) - 2
    screened = spc.compute_laney_p_chart(k, n)
    plain = spc.compute_laney_p_chart(k, n, screen_outliers=False)
    assert screened.sigma_z == pytest.approx(kept.mean() / 1.128)
    assert plain.sigma_z == pytest.approx(mr.mean() / 1.128)
    assert bool(screened.data.loc[9, "astronomical"])


def test_bad_input_raises_a_plain_error():
    with pytest.raises(spc.SPCError):
        spc.compute_xmr([1, 2, 3], improvement="sideways")  # type: ignore[arg-type]
    with pytest.raises(spc.SPCError):
        spc.compute_p_chart([5, 1], [4, 10])
