"""Statistical process control as NHS England's "Making Data Count" (MDC) defines it,
computed exactly as NHS-R's **NHSRplotthedots v0.2.2** computes it.

XmR ("plot the dots") charts, p-charts and Laney p′ charts share one rule
engine, a port of NHSRplotthedots' ``ptd_spc_standard`` and
``ptd_calculate_point_type`` (``tests/test_spc.py`` holds an independent,
line-by-line port of the R source and compares point types on thousands of
seeded random series). Constants and rules (see ``docs/methods.md``):

* XmR centre line = mean; process limits = mean ± 2.66 × mean moving range;
  near ("2σ") limits at 2/3 of that distance (± 1.773 × mean MR).
* Moving-range screening (on by default, as NHSRplotthedots and PowerBI-SPC):
  moving ranges ≥ 3.267 × the mean MR are left out and the mean MR recomputed
  once. ``screen_outliers=False`` gives the MDC Excel tools' unscreened limits.
* A missing value (a paused month) is a *gap*: no moving range is taken across
  it, and no run or two-in-three window spans it (NHSRplotthedots on a series
  with the missing rows kept). ``gaps="bridge"`` instead treats the observed
  points as consecutive (NHSRplotthedots on the series with those rows removed).
* Special-cause rules, within each rebased period:
  - astronomical: a point above the upper or below the lower process limit;
  - trend: 7 points in a row each higher (or each lower) than the one before
    (a tie breaks it); every point of such a run is flagged;
  - two in three: a point between a near limit and the process limit, in a
    window of three consecutive points all on the same side of the mean of
    which at least two are between the near and process limits (a point beyond
    the process limit does not count: it is astronomical);
  - shift: 7 points in a row on one side of the mean (a point on the mean
    breaks it); every point of such a run is flagged.
* A point flagged by several rules is typed by the first in that order
  (astronomical, trend, two in three, shift). Its direction is its side of the
  mean, except under a trend, where it is the trend's direction (the step to the
  next point when that point is in a trend too, else the step from the last).
* Fewer than 13 points in a period: the limits are *trial limits*.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np
import pandas as pd

from auditlib.errors import AuditlibError

__all__ = [
    "D2",
    "LIMIT_FACTOR",
    "MIN_POINTS_FOR_LIMITS",
    "NEAR_FACTOR",
    "RULES",
    "RULE_DESCRIPTIONS",
    "RUN_LENGTH",
    "SCREEN_FACTOR",
    "SPCError",
    "SPCResult",
    "compute_laney_p_chart",
    "compute_p_chart",
    "compute_xmr",
]

#: 3 / d2 with d2 = 1.128 for moving ranges of two points (Wheeler; MDC).
LIMIT_FACTOR = 2.66
#: Near ("2σ") limits sit at 2/3 of the distance to the process limits.
NEAR_FACTOR = LIMIT_FACTOR * 2 / 3
#: D4 for n = 2: the upper range limit used to screen moving ranges.
SCREEN_FACTOR = 3.267
#: d2 for n = 2: turns a mean moving range into a sigma (Laney 2002).
D2 = 1.128
#: Shift and trend rules: runs of this many points.
RUN_LENGTH = 7
#: Two-in-three rule: a window of this many points, of which this many are near a limit.
WINDOW_LENGTH = 3
WINDOW_NEAR = 2
#: Fewer points than this in a period: trial limits (MDC).
MIN_POINTS_FOR_LIMITS = 13

#: The rules in order of precedence: a point flagged by several is typed by the first.
RULES = ("astronomical", "trend", "two_in_three", "shift")
#: Plain words for each rule, for verdicts and alt text.
RULE_DESCRIPTIONS = {
    "astronomical": "a point outside the process limits",
    "shift": f"{RUN_LENGTH} or more points in a row on one side of the average",
    "trend": f"{RUN_LENGTH} or more points in a row each higher (or each lower) than the last",
    "two_in_three": "two out of three points in a row close to a process limit",
}

Improvement = Literal["up", "down", "neither"]
#: How a missing value is treated: a gap that breaks moving ranges and runs
#: (NHSRplotthedots with the row kept), or bridged (with the row removed).
Gaps = Literal["break", "bridge"]
PointType = Literal[
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neither",
    "no_data",
]


class SPCError(AuditlibError):
    """Data an SPC chart cannot be drawn from."""


@dataclass(frozen=True)
class SPCResult:
    """A chart's points (tidy, one row per point) and its summary.

    ``data`` columns: x, value, n (p-charts), period, mean, upper, lower,
    near_upper, near_lower, moving_range, astronomical, trend, two_in_three,
    shift (each rule's flag), special_cause, rule (the rule that types the
    point, by precedence; empty when common cause), direction (+1 above /
    increasing, −1 below / decreasing, 0 none), point_type, trial_limits.
    """

    data: pd.DataFrame
    chart: Literal["xmr", "p", "laney_p"]
    improvement: Improvement
    target: float | None
    screen_outliers: bool
    sigma_z: float | None = None  # Laney p′ only (latest period)
    warnings: list[str] = field(default_factory=list)
    gaps: Gaps = "break"

    # --- summary of the latest period and point -------------------------------
    # The summary reads the latest point many times over (the report's sentences, its
    # figures); the points never change once computed, so it is found once.
    @cached_property
    def latest(self) -> pd.Series:
        """The last point that has a value."""
        rows = self.data[self.data["value"].notna()]
        if rows.empty:
            raise SPCError("the series has no values")
        return rows.iloc[-1]

    @cached_property
    def latest_period(self) -> pd.DataFrame:
        period = self.latest["period"]
        return self.data[self.data["period"] == period]

    @property
    def n_points(self) -> int:
        """Points with a value in the latest period."""
        return int(self.latest_period["value"].notna().sum())

    @property
    def trial_limits(self) -> bool:
        return bool(self.latest["trial_limits"])

    @property
    def has_limits(self) -> bool:
        """False when the latest period has no moving range to set limits from."""
        return bool(np.isfinite(float(self.latest["upper"])))

    @property
    def latest_rules(self) -> list[str]:
        """The rules that flag the latest point, the one that types it first."""
        last = self.latest
        flagged = [rule for rule in RULES if bool(last[rule])]
        return flagged

    @property
    def variation(self) -> str:
        """MDC variation icon for the latest point: its point type."""
        return str(self.latest["point_type"])

    def latest_run(self, rule: Literal["shift", "trend"]) -> int:
        """Length of the run (of ``rule``) that ends at the latest point.

        Shift: points in a row on the latest point's side of the mean; trend:
        points in a row each moving the same way as the latest step. Runs stop at
        a gap unless ``gaps="bridge"``.
        """
        part = self.latest_period
        last_pos = int(np.flatnonzero(part["value"].notna().to_numpy())[-1])
        part = part.iloc[: last_pos + 1]
        if self.gaps == "bridge":
            part = part[part["value"].notna()]
        v = part["value"].to_numpy(dtype=float)
        if rule == "shift":
            side = np.sign(v - part["mean"].to_numpy(dtype=float))
            return _trailing_equal(side)
        steps = np.sign(np.diff(v))
        return _trailing_equal(steps) + 1 if len(steps) else 1

    @property
    def assurance(self) -> str | None:
        """MDC assurance icon against the target, for the latest period.

        ``consistently_passing`` (both limits on the good side of the target),
        ``consistently_failing`` (both on the bad side), ``inconsistent`` (the
        target lies between the limits), or None (no target or no direction).
        As NHSRplotthedots ``ptd_calculate_assurance_type``.
        """
        if self.target is None or self.improvement == "neither":
            return None
        last = self.latest
        lower, upper = float(last["lower"]), float(last["upper"])
        if self.improvement == "up":
            if lower > self.target:
                return "consistently_passing"
            if upper < self.target:
                return "consistently_failing"
        else:
            if upper < self.target:
                return "consistently_passing"
            if lower > self.target:
                return "consistently_failing"
        return "inconsistent"

    def summary(self) -> dict[str, object]:
        """The summary figures a report or notebook shows."""
        last = self.latest
        counts = self.latest_period["point_type"].value_counts()
        return {
            "chart": self.chart,
            "points": self.n_points,
            "mean": float(last["mean"]),
            "lower": float(last["lower"]),
            "upper": float(last["upper"]),
            "trial_limits": self.trial_limits,
            "common_cause": int(counts.get("common_cause", 0)),
            "special_cause_improvement": int(counts.get("special_cause_improvement", 0)),
            "special_cause_concern": int(counts.get("special_cause_concern", 0)),
            "special_cause_neither": int(counts.get("special_cause_neither", 0)),
            "variation": self.variation,
            "assurance": self.assurance,
            "latest_rules": self.latest_rules,
            "warnings": list(self.warnings),
        }


def _trailing_equal(values: np.ndarray) -> int:
    """How many of the last values equal the very last one (NaN equals nothing)."""
    if not len(values):
        return 0
    run = 1
    while run < len(values) and values[-run - 1] == values[-1]:
        run += 1
    return run


# ------------------------------------------------------------------ rule engine
def _run_ends(same: np.ndarray, length: int) -> np.ndarray:
    """True at i when ``same[i - length + 1 .. i]`` are all True."""
    n = len(same)
    ends = np.zeros(n, dtype=bool)
    if n < length:
        return ends
    counts = np.convolve(same.astype(int), np.ones(length, dtype=int), mode="valid")
    ends[length - 1 :] = counts == length
    return ends


def _part_of_run(ends: np.ndarray, length: int) -> np.ndarray:
    """True at i when a run of ``length`` ends at any of i .. i + length − 1."""
    padded = np.concatenate([ends, np.zeros(length - 1, dtype=bool)])
    counts = np.convolve(padded.astype(int), np.ones(length, dtype=int), mode="valid")
    return counts > 0


def _shift(side: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Points in a run of ``RUN_LENGTH`` on one side of the mean (0 on the mean breaks it)."""
    flags = np.zeros(len(side), dtype=bool)
    for sign in (1, -1):
        ends = _run_ends(observed & (side == sign), RUN_LENGTH)
        flags |= _part_of_run(ends, RUN_LENGTH)
    return flags


def _trend(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Trend flags and each flagged point's trend direction (+1 up, −1 down).

    A run of ``RUN_LENGTH`` points each higher (lower) than the last; a tie or a
    gap breaks it. A point's direction is the step to the next point when that
    point is in a trend too, else the step from the previous point — so the point
    between two trends takes the later one's direction, as NHSRplotthedots does
    (and a tie there reads as decreasing, as there).
    """
    n = len(values)
    flags = np.zeros(n, dtype=bool)
    direction = np.zeros(n, dtype=int)
    if n < RUN_LENGTH:
        return flags, direction
    with np.errstate(invalid="ignore"):
        steps = np.sign(np.diff(values))  # NaN across a gap
    for sign in (1, -1):
        # a trend of RUN_LENGTH points is RUN_LENGTH − 1 steps the same way
        ends = _run_ends(np.concatenate([[False], steps == sign]), RUN_LENGTH - 1)
        ends[: RUN_LENGTH - 1] = False
        flags |= _part_of_run(ends, RUN_LENGTH)
    nxt = np.concatenate([flags[1:], [False]])
    right = np.concatenate([steps, steps[-1:]])
    left = np.concatenate([[0.0], steps])
    chosen = np.where(nxt & flags, right, left)
    direction = np.where(flags, np.where(chosen == 1, 1, -1), 0)
    return flags, direction


def _two_in_three(close: np.ndarray, side: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Points close to a limit (between the near and process limits) that sit in a window
    of three observed points on one side of the mean with at least two close to a limit."""
    n = len(close)
    hits = np.zeros(n, dtype=bool)
    for start in range(max(n - WINDOW_LENGTH + 1, 0)):
        window = slice(start, start + WINDOW_LENGTH)
        if not observed[window].all():
            continue
        if close[window].sum() >= WINDOW_NEAR and abs(side[window].sum()) == WINDOW_LENGTH:
            hits[window] = True
    return hits & close


def _classify(
    v: np.ndarray,
    mean: np.ndarray,
    upper: np.ndarray,
    lower: np.ndarray,
    near_upper: np.ndarray,
    near_lower: np.ndarray,
) -> dict[str, np.ndarray]:
    """Rule flags, the deciding rule and its direction for one period's points (in order)."""
    observed = ~np.isnan(v)
    with np.errstate(invalid="ignore"):
        side = np.where(observed, np.sign(v - mean), 0.0)
        outside = observed & ((v > upper) | (v < lower))  # NaN limits flag nothing
        close = observed & ~outside & ((v < near_lower) | (v > near_upper))
    trend, trend_direction = _trend(v)
    two = _two_in_three(close, side, observed)
    shift = _shift(side, observed)
    rule = np.select([outside, trend, two, shift], list(RULES), default="")
    # Above / Increasing = +1; everything else flagged is −1 (a side of 0 reads "below", as in R)
    side_direction = np.where(side > 0, 1, -1)
    direction = np.select(
        [outside, trend, two | shift], [side_direction, trend_direction, side_direction], 0
    )
    return {
        "astronomical": outside,
        "trend": trend,
        "two_in_three": two,
        "shift": shift,
        "rule": rule,
        "direction": direction.astype(int),
    }


def _period_slices(period: np.ndarray) -> list[np.ndarray]:
    """Row positions of each period, in order."""
    return [np.flatnonzero(period == p) for p in pd.unique(period)]


#: The limit columns the rule engine reads, in :func:`_classify`'s argument order.
_LIMIT_COLUMNS = ("mean", "upper", "lower", "near_upper", "near_lower")

#: A chart's columns while it is computed (one array per column, built into a frame once).
Columns = dict[str, np.ndarray]


def _apply_rules(cols: Columns, improvement: Improvement, gaps: Gaps) -> Columns:
    """Rule flags, the deciding rule, its direction and point types, period by period."""
    value = cols["value"]
    n = len(value)
    flags: Columns = {rule: np.zeros(n, dtype=bool) for rule in RULES}
    flags["rule"] = np.full(n, "", dtype=object)
    flags["direction"] = np.zeros(n, dtype=int)
    for rows in _period_slices(cols["period"]):
        if gaps == "bridge":
            rows = rows[~np.isnan(value[rows])]
        if not len(rows) or np.isnan(value[rows]).all():
            continue
        found = _classify(value[rows], *(cols[name][rows] for name in _LIMIT_COLUMNS))
        for name, result in found.items():
            flags[name][rows] = result
    has_value = ~np.isnan(value)
    special = (flags["rule"] != "") & has_value
    if improvement == "neither":
        kind = np.where(special, "special_cause_neither", "common_cause")
    else:
        good = 1 if improvement == "up" else -1
        kind = np.where(
            special,
            np.where(
                flags["direction"] == good, "special_cause_improvement", "special_cause_concern"
            ),
            "common_cause",
        )
    flags["rule"] = flags["rule"].astype(str)
    return {
        **flags,
        "special_cause": special,
        "point_type": np.where(has_value, kind, "no_data"),
    }


# ------------------------------------------------------------------- helpers
def _check_improvement(improvement: str) -> Improvement:
    if improvement not in ("up", "down", "neither"):
        raise SPCError(f"improvement must be 'up', 'down' or 'neither', not {improvement!r}")
    return improvement  # type: ignore[return-value]


def _check_gaps(gaps: str) -> Gaps:
    if gaps not in ("break", "bridge"):
        raise SPCError(f"gaps must be 'break' or 'bridge', not {gaps!r}")
    return gaps  # type: ignore[return-value]


def _periods(x: list[object], rebase: Sequence[object] | None) -> np.ndarray:
    """Period number for each point: 0 before the first rebase point, then 1, 2, …"""
    period = np.zeros(len(x), dtype=int)
    if not rebase:
        return period
    labels = [str(v) for v in x]
    for point in rebase:
        key = str(point)
        if key not in labels:
            raise SPCError(f"rebase point {point!r} is not one of the chart's x values")
        period[labels.index(key) :] += 1
    return period


def _columns(values: object, x: object | None, rebase: Sequence[object] | None) -> Columns:
    """x, value and period columns of a series (a Series' index gives x)."""
    if isinstance(values, pd.Series) and x is None:
        x_vals = list(values.index)
        v = values.to_numpy(dtype=float)
    else:
        v = np.asarray(values, dtype=float)
        x_vals = list(range(1, len(v) + 1)) if x is None else list(x)  # type: ignore[call-overload]
    if len(x_vals) != len(v):
        raise SPCError("x and values must have the same length")
    if v.ndim != 1:
        raise SPCError("values must be one series")
    # x stays a list: the frame infers its dtype (month labels, numbers, dates)
    return {"x": x_vals, "value": v, "period": _periods(x_vals, rebase)}  # type: ignore[dict-item]


def _moving_ranges(values: np.ndarray, gaps: Gaps) -> np.ndarray:
    """|xᵢ − xᵢ₋₁| per row (NaN for the first row and, with ``break``, across a gap)."""
    mr = np.full(len(values), np.nan)
    if gaps == "bridge":
        where = np.flatnonzero(~np.isnan(values))
        mr[where[1:]] = np.abs(np.diff(values[where]))
    else:
        mr[1:] = np.abs(np.diff(values))
    return mr


def _mean_moving_range(mr: np.ndarray, screen: bool) -> float:
    """Mean moving range, screened once at 3.267 × the mean when ``screen``.

    NaN when there is no moving range (or, screened, when every one is 0), as in
    NHSRplotthedots and PowerBI-SPC: the chart then has no limits.
    """
    kept = mr[~np.isnan(mr)]
    if not kept.size:
        return float("nan")
    average = float(kept.mean())
    if screen:
        kept = kept[kept < SCREEN_FACTOR * average]
        average = float(kept.mean()) if kept.size else float("nan")
    return average


#: Column order of a chart's ``data``.
_ORDER = (
    "x",
    "value",
    "n",
    "period",
    *_LIMIT_COLUMNS,
    "moving_range",
    *RULES,
    "special_cause",
    "rule",
    "direction",
    "point_type",
    "trial_limits",
)


def _finish(
    cols: Columns,
    chart: Literal["xmr", "p", "laney_p"],
    improvement: Improvement,
    target: float | None,
    screen_outliers: bool,
    gaps: Gaps,
    sigma_z: float | None = None,
    extra_warnings: Sequence[str] = (),
    bounds: tuple[float, float] | None = None,
) -> SPCResult:
    observed = ~np.isnan(cols["value"])
    periods, counts = np.unique(cols["period"][observed], return_counts=True)
    points = dict(zip(periods.tolist(), counts.tolist(), strict=True))
    cols["trial_limits"] = np.array(
        [points.get(int(p), 0) < MIN_POINTS_FOR_LIMITS for p in cols["period"]], dtype=bool
    )
    cols.update(_apply_rules(cols, improvement, gaps))
    if bounds is not None:
        # drawn limits only: the rules above used the unclipped ones (no point can pass a bound)
        for name in ("upper", "lower", "near_upper", "near_lower"):
            cols[name] = np.clip(cols[name], *bounds)
    data = pd.DataFrame({name: cols[name] for name in _ORDER if name in cols})
    warnings = list(extra_warnings)
    for period, count in points.items():
        if count < MIN_POINTS_FOR_LIMITS:
            where = "" if len(points) == 1 else f" in period {int(period) + 1}"
            warnings.append(
                f"only {count} points{where}: fewer than {MIN_POINTS_FOR_LIMITS}, so the limits are trial limits"
            )
    return SPCResult(
        data=data,
        chart=chart,
        improvement=improvement,
        target=target,
        screen_outliers=screen_outliers,
        sigma_z=sigma_z,
        warnings=warnings,
        gaps=gaps,
    )


# ---------------------------------------------------------------------- charts
def compute_xmr(
    values: object,
    x: object | None = None,
    *,
    improvement: Improvement = "neither",
    rebase: Sequence[object] | None = None,
    target: float | None = None,
    screen_outliers: bool = True,
    bounds: tuple[float, float] | None = None,
    gaps: Gaps = "break",
) -> SPCResult:
    """XmR chart ("plot the dots") of a series, as NHSRplotthedots ``ptd_spc`` computes it.

    ``values`` is a sequence or a Series (its index gives x); NaN is a gap (a
    paused month). ``improvement`` says which way is better ("down" for %
    Inadequate, "up" for % Good or better); ``rebase`` lists the x values where
    new limits start (e.g. after the 2020 pause); ``target`` adds the assurance
    summary; ``screen_outliers`` (default True, as NHSRplotthedots) screens moving
    ranges; ``gaps="bridge"`` takes moving ranges and runs across gaps (the
    default, ``"break"``, does not). ``bounds`` clips the drawn limits to the
    values the measure can take, e.g. ``(0, 100)`` for a percentage; rules use
    the unclipped limits (no point can pass a bound, so no rule changes).

    >>> r = compute_xmr([1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2, 1], improvement="up")
    >>> f"{r.summary()['upper']:.3f}", r.variation
    ('4.583', 'common_cause')
    """
    improvement = _check_improvement(improvement)
    gaps = _check_gaps(gaps)
    cols = _columns(values, x, rebase)
    v = cols["value"]
    cols.update({c: np.full(len(v), np.nan) for c in (*_LIMIT_COLUMNS, "moving_range")})
    for rows in _period_slices(cols["period"]):
        part = v[rows]
        if np.isnan(part).all():
            continue
        mr = _moving_ranges(part, gaps)
        mean = float(np.nanmean(part))
        amr = _mean_moving_range(mr, screen_outliers)
        cols["moving_range"][rows] = mr
        cols["mean"][rows] = mean
        cols["upper"][rows] = mean + LIMIT_FACTOR * amr
        cols["lower"][rows] = mean - LIMIT_FACTOR * amr
        cols["near_upper"][rows] = mean + NEAR_FACTOR * amr
        cols["near_lower"][rows] = mean - NEAR_FACTOR * amr
    return _finish(cols, "xmr", improvement, target, screen_outliers, gaps, bounds=bounds)


def _proportion_columns(
    k: object, n: object, x: object | None, rebase: Sequence[object] | None
) -> tuple[Columns, np.ndarray]:
    """The chart's columns (value = k/n, n) and the event counts (NaN where n = 0)."""
    k_arr = np.asarray(k, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    if k_arr.shape != n_arr.shape or k_arr.ndim != 1:
        raise SPCError("k and n must be two series of the same length")
    if np.any(k_arr[~np.isnan(k_arr)] < 0) or np.any(k_arr > n_arr):
        raise SPCError("counts must be between 0 and n")
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n_arr > 0, k_arr / n_arr, np.nan)  # n = 0 (e.g. a paused month): no point
    index = k.index if isinstance(k, pd.Series) and x is None else None
    cols = _columns(p, x if x is not None else index, rebase)
    cols["n"] = np.where(n_arr > 0, n_arr, np.nan)
    return cols, np.where(n_arr > 0, k_arr, np.nan)


def _compute_proportion_chart(
    k: object,
    n: object,
    x: object | None,
    improvement: Improvement,
    rebase: Sequence[object] | None,
    target: float | None,
    laney: bool,
    screen_outliers: bool,
    gaps: Gaps,
) -> SPCResult:
    improvement = _check_improvement(improvement)
    gaps = _check_gaps(gaps)
    cols, events = _proportion_columns(k, n, x, rebase)
    p, size = cols["value"], cols["n"]
    cols.update({c: np.full(len(p), np.nan) for c in (*_LIMIT_COLUMNS, "moving_range")})
    sigma_z: float | None = None
    warnings: list[str] = []
    for rows in _period_slices(cols["period"]):
        observed = ~np.isnan(p[rows])
        if not observed.any():
            continue
        pbar = events[rows][observed].sum() / size[rows][observed].sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            sigma = np.sqrt(pbar * (1 - pbar) / size[rows])
        scale = 1.0
        if laney:
            with np.errstate(divide="ignore", invalid="ignore"):
                z = (p[rows] - pbar) / sigma
            mr = _moving_ranges(z, gaps)
            # PowerBI-SPC pprime.ts: σz = screened mean |Δz| / 1.128
            scale = _mean_moving_range(mr, screen_outliers) / D2
            cols["moving_range"][rows] = mr
            sigma_z = scale
        cols["mean"][rows] = pbar
        cols["upper"][rows] = np.minimum(pbar + 3 * sigma * scale, 1.0)
        cols["lower"][rows] = np.maximum(pbar - 3 * sigma * scale, 0.0)
        cols["near_upper"][rows] = np.minimum(pbar + 2 * sigma * scale, 1.0)
        cols["near_lower"][rows] = np.maximum(pbar - 2 * sigma * scale, 0.0)
        if pbar in (0.0, 1.0):
            warnings.append("every point is 0 % or 100 %: the limits collapse onto the centre line")
    return _finish(
        cols,
        "laney_p" if laney else "p",
        improvement,
        target,
        screen_outliers if laney else False,
        gaps,
        sigma_z,
        warnings,
    )


def compute_p_chart(
    k: object,
    n: object,
    x: object | None = None,
    *,
    improvement: Improvement = "neither",
    rebase: Sequence[object] | None = None,
    target: float | None = None,
    gaps: Gaps = "break",
) -> SPCResult:
    """p-chart: p̄ ± 3√(p̄(1−p̄)/nᵢ) per point, clipped to [0, 1]; near limits at 2σ.

    Points with n = 0 (a paused month) are kept as rows with no value.
    """
    return _compute_proportion_chart(
        k, n, x, improvement, rebase, target, laney=False, screen_outliers=False, gaps=gaps
    )


def compute_laney_p_chart(
    k: object,
    n: object,
    x: object | None = None,
    *,
    improvement: Improvement = "neither",
    rebase: Sequence[object] | None = None,
    target: float | None = None,
    screen_outliers: bool = True,
    gaps: Gaps = "break",
) -> SPCResult:
    """Laney p′ chart: zᵢ = (pᵢ − p̄)/σᵢ, σ_z = mean |Δz| / 1.128, limits p̄ ± 3σᵢσ_z.

    Laney (2002); the p-chart adjusted for over- (σ_z > 1) or under-dispersion.
    Moving ranges of z are screened at 3.267 × their mean before σ_z is taken,
    as PowerBI-SPC does by default (``screen_outliers=False``: unscreened, as
    Laney and Minitab).
    """
    return _compute_proportion_chart(
        k,
        n,
        x,
        improvement,
        rebase,
        target,
        laney=True,
        screen_outliers=screen_outliers,
        gaps=gaps,
    )
