"""Statistical process control as NHS England's "Making Data Count" (MDC) defines it.

XmR ("plot the dots") charts, p-charts and Laney p′ charts share one rule
engine. Constants and rules (see ``docs/methods.md``):

* XmR centre line = mean; process limits = mean ± 2.66 × mean moving range;
  near ("2σ") limits at 2/3 of that distance (± 1.773 × mean MR).
* Optional moving-range screening: moving ranges ≥ 3.267 × mean MR are left
  out and the mean MR recomputed once (NHSRplotthedots ``screen_outliers``;
  the MDC Excel tools do not screen, so neither do we by default).
* Special-cause rules, evaluated within each rebased period:
  - astronomical: a point above the upper or below the lower process limit;
  - shift: 7 or more consecutive points on one side of the mean (a point
    exactly on the mean breaks the run);
  - trend: 7 or more consecutive points each higher (or each lower) than the
    one before (a tie breaks the run);
  - two of three: 2 of 3 consecutive points beyond the same near limit
    (beyond 2σ on the same side; a point beyond the process limit counts).
* Every point of a qualifying run is flagged, as NHSRplotthedots does.
* Fewer than 13 points in a period: the limits are *trial limits*.

Missing values (e.g. paused months) are kept as rows with no value; the
moving range runs between consecutive points that have a value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from auditlib.errors import AuditlibError

__all__ = [
    "D2",
    "LIMIT_FACTOR",
    "MIN_POINTS_FOR_LIMITS",
    "NEAR_FACTOR",
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
#: Shift and trend rules: runs of at least this many points.
RUN_LENGTH = 7
#: Fewer points than this in a period: trial limits (MDC).
MIN_POINTS_FOR_LIMITS = 13

RULES = ("astronomical", "shift", "trend", "two_in_three")
#: Plain words for each rule, for verdicts and alt text.
RULE_DESCRIPTIONS = {
    "astronomical": "a point outside the process limits",
    "shift": f"{RUN_LENGTH} or more points in a row on one side of the average",
    "trend": f"{RUN_LENGTH} or more points in a row each higher (or each lower) than the last",
    "two_in_three": "two out of three points in a row close to a process limit",
}

Improvement = Literal["up", "down", "neither"]
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
    near_upper, near_lower, moving_range, astronomical, shift, trend,
    two_in_three, special_cause, point_type, trial_limits.
    """

    data: pd.DataFrame
    chart: Literal["xmr", "p", "laney_p"]
    improvement: Improvement
    target: float | None
    screen_outliers: bool
    sigma_z: float | None = None  # Laney p′ only (latest period)
    warnings: list[str] = field(default_factory=list)

    # --- summary of the latest period and point -------------------------------
    @property
    def latest(self) -> pd.Series:
        """The last point that has a value."""
        rows = self.data[self.data["value"].notna()]
        if rows.empty:
            raise SPCError("the series has no values")
        return rows.iloc[-1]

    @property
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
    def latest_rules(self) -> list[str]:
        """The rules that flag the latest point (empty when common cause)."""
        last = self.latest
        return [rule for rule in RULES if bool(last[rule])]

    @property
    def variation(self) -> str:
        """MDC variation icon for the latest point: its point type."""
        return str(self.latest["point_type"])

    @property
    def assurance(self) -> str | None:
        """MDC assurance icon against the target, for the latest period.

        ``consistently_passing`` (both limits on the good side of the target),
        ``consistently_failing`` (both on the bad side), ``inconsistent`` (the
        target lies between the limits), or None (no target or no direction).
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


# ------------------------------------------------------------------ rule engine
def _runs(mask_values: np.ndarray, min_len: int) -> np.ndarray:
    """Flag members of runs of equal non-zero values of at least ``min_len``."""
    flags = np.zeros(len(mask_values), dtype=bool)
    start = 0
    for i in range(1, len(mask_values) + 1):
        if i == len(mask_values) or mask_values[i] != mask_values[start]:
            if mask_values[start] != 0 and i - start >= min_len:
                flags[start:i] = True
            start = i
    return flags


def _trend(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Trend flags and each flagged point's trend direction (+1 up, −1 down)."""
    n = len(values)
    flags = np.zeros(n, dtype=bool)
    direction = np.zeros(n, dtype=int)
    if n < RUN_LENGTH:
        return flags, direction
    steps = np.sign(np.diff(values))  # a tie gives 0 and so breaks the run
    start = 0
    for i in range(1, len(steps) + 1):
        if i == len(steps) or steps[i] != steps[start]:
            # steps[start:i] joins points start .. i
            if steps[start] != 0 and (i - start) + 1 >= RUN_LENGTH:
                flags[start : i + 1] = True
                direction[start : i + 1] = int(steps[start])
            start = i
    return flags, direction


def _two_in_three(beyond: np.ndarray) -> np.ndarray:
    """Flag points beyond a near limit that are 2 of 3 consecutive points beyond it."""
    n = len(beyond)
    flags = np.zeros(n, dtype=bool)
    for i in range(max(n - 2, 0)):
        window = beyond[i : i + 3]
        if window.sum() >= 2:
            flags[i : i + 3] |= window
    return flags


def _apply_rules(frame: pd.DataFrame, improvement: Improvement) -> pd.DataFrame:
    """Add rule flags and point types; rules run within each period on points with values."""
    out = frame.copy()
    for rule in RULES:
        out[rule] = False
    out["point_type"] = "no_data"
    trend_dir = pd.Series(0, index=out.index)
    for _, idx in out.groupby("period", sort=False).groups.items():
        part = out.loc[idx]
        part = part[part["value"].notna()]
        if part.empty:
            continue
        v = part["value"].to_numpy(dtype=float)
        mean = part["mean"].to_numpy(dtype=float)
        side = np.sign(v - mean)
        out.loc[part.index, "astronomical"] = (v > part["upper"].to_numpy()) | (
            v < part["lower"].to_numpy()
        )
        out.loc[part.index, "shift"] = _runs(side, RUN_LENGTH)
        tflags, tdir = _trend(v)
        out.loc[part.index, "trend"] = tflags
        trend_dir.loc[part.index] = tdir
        above = v > part["near_upper"].to_numpy()
        below = v < part["near_lower"].to_numpy()
        out.loc[part.index, "two_in_three"] = _two_in_three(above) | _two_in_three(below)
    has_value = out["value"].notna()
    special = out[list(RULES)].any(axis=1) & has_value
    out["special_cause"] = special
    # A point's direction is its side of the mean; a point flagged only by a trend
    # takes the trend's direction (it can sit on either side of the mean).
    side = np.sign(out["value"] - out["mean"]).fillna(0).astype(int)
    only_trend = out["trend"] & ~out[["astronomical", "shift", "two_in_three"]].any(axis=1)
    direction = side.where(~only_trend, trend_dir)
    if improvement == "neither":
        kind = np.where(special, "special_cause_neither", "common_cause")
    else:
        good = 1 if improvement == "up" else -1
        kind = np.where(
            special,
            np.where(direction == good, "special_cause_improvement", "special_cause_concern"),
            "common_cause",
        )
    out["point_type"] = np.where(has_value, kind, "no_data")
    return out


# ------------------------------------------------------------------- helpers
def _check_improvement(improvement: str) -> Improvement:
    if improvement not in ("up", "down", "neither"):
        raise SPCError(f"improvement must be 'up', 'down' or 'neither', not {improvement!r}")
    return improvement  # type: ignore[return-value]


def _periods(x: pd.Series, rebase: Sequence[object] | None) -> np.ndarray:
    """Period number for each point: 0 before the first rebase point, then 1, 2, …"""
    period = np.zeros(len(x), dtype=int)
    if not rebase:
        return period
    labels = list(x.astype(str))
    for point in rebase:
        key = str(point)
        if key not in labels:
            raise SPCError(f"rebase point {point!r} is not one of the chart's x values")
        period[labels.index(key) :] += 1
    return period


def _frame(values: object, x: object | None) -> pd.DataFrame:
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
    return pd.DataFrame({"x": x_vals, "value": v})


def _finish(
    frame: pd.DataFrame,
    chart: Literal["xmr", "p", "laney_p"],
    improvement: Improvement,
    target: float | None,
    screen_outliers: bool,
    sigma_z: float | None = None,
    extra_warnings: Sequence[str] = (),
) -> SPCResult:
    counts = frame[frame["value"].notna()].groupby("period").size()
    frame["trial_limits"] = frame["period"].map(counts).fillna(0).lt(MIN_POINTS_FOR_LIMITS)
    out = _apply_rules(frame, improvement)
    warnings = list(extra_warnings)
    for period, count in counts.items():
        if count < MIN_POINTS_FOR_LIMITS:
            where = "" if counts.size == 1 else f" in period {int(period) + 1}"
            warnings.append(
                f"only {count} points{where}: fewer than {MIN_POINTS_FOR_LIMITS}, so the limits are trial limits"
            )
    return SPCResult(
        data=out,
        chart=chart,
        improvement=improvement,
        target=target,
        screen_outliers=screen_outliers,
        sigma_z=sigma_z,
        warnings=warnings,
    )


# ---------------------------------------------------------------------- charts
def compute_xmr(
    values: object,
    x: object | None = None,
    *,
    improvement: Improvement = "neither",
    rebase: Sequence[object] | None = None,
    target: float | None = None,
    screen_outliers: bool = False,
    bounds: tuple[float, float] | None = None,
) -> SPCResult:
    """XmR chart ("plot the dots") of a series, NHS Making Data Count rules.

    ``values`` is a sequence or a Series (its index gives x); ``improvement`` says
    which way is better ("down" for % Inadequate, "up" for % Good or better);
    ``rebase`` lists the x values where new limits start (e.g. after the 2020
    pause); ``target`` adds the assurance summary; ``bounds`` clips the limits to
    the values the measure can take, e.g. ``(0, 100)`` for a percentage (no point
    can pass a bound, so no rule changes).

    >>> r = compute_xmr([1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2, 1], improvement="up")
    >>> f"{r.summary()['upper']:.3f}", r.variation
    ('4.583', 'common_cause')
    """
    improvement = _check_improvement(improvement)
    frame = _frame(values, x)
    frame["period"] = _periods(frame["x"], rebase)
    cols = {
        c: np.nan for c in ("mean", "upper", "lower", "near_upper", "near_lower", "moving_range")
    }
    frame = frame.assign(**cols)
    for _, idx in frame.groupby("period", sort=False).groups.items():
        part = frame.loc[idx]
        part = part[part["value"].notna()]
        if part.empty:
            continue
        v = part["value"].to_numpy(dtype=float)
        mr = np.abs(np.diff(v))
        mean = v.mean()
        amr = mr.mean() if mr.size else 0.0
        if screen_outliers and mr.size:
            kept = mr[mr < SCREEN_FACTOR * amr]
            amr = kept.mean() if kept.size else amr
        frame.loc[part.index, "moving_range"] = np.concatenate([[np.nan], mr])
        frame.loc[idx, "mean"] = mean
        frame.loc[idx, "upper"] = mean + LIMIT_FACTOR * amr
        frame.loc[idx, "lower"] = mean - LIMIT_FACTOR * amr
        frame.loc[idx, "near_upper"] = mean + NEAR_FACTOR * amr
        frame.loc[idx, "near_lower"] = mean - NEAR_FACTOR * amr
    if bounds is not None:
        low, high = bounds
        for col in ("upper", "lower", "near_upper", "near_lower"):
            frame[col] = frame[col].clip(lower=low, upper=high)
    return _finish(frame, "xmr", improvement, target, screen_outliers)


def _proportion_frame(k: object, n: object, x: object | None) -> pd.DataFrame:
    k_arr = np.asarray(k, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    if k_arr.shape != n_arr.shape or k_arr.ndim != 1:
        raise SPCError("k and n must be two series of the same length")
    if np.any(k_arr[~np.isnan(k_arr)] < 0) or np.any(k_arr > n_arr):
        raise SPCError("counts must be between 0 and n")
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n_arr > 0, k_arr / n_arr, np.nan)  # n = 0 (e.g. a paused month): no point
    frame = _frame(p, x if x is not None else (k.index if isinstance(k, pd.Series) else None))
    frame.insert(2, "n", np.where(n_arr > 0, n_arr, np.nan))
    frame["_k"] = np.where(n_arr > 0, k_arr, np.nan)
    return frame


def _compute_proportion_chart(
    k: object,
    n: object,
    x: object | None,
    improvement: Improvement,
    rebase: Sequence[object] | None,
    target: float | None,
    laney: bool,
) -> SPCResult:
    improvement = _check_improvement(improvement)
    frame = _proportion_frame(k, n, x)
    frame["period"] = _periods(frame["x"], rebase)
    frame = frame.assign(
        mean=np.nan, upper=np.nan, lower=np.nan, near_upper=np.nan, near_lower=np.nan
    )
    frame["moving_range"] = np.nan
    sigma_z: float | None = None
    warnings: list[str] = []
    for _, idx in frame.groupby("period", sort=False).groups.items():
        part = frame.loc[idx]
        part = part[part["value"].notna()]
        if part.empty:
            continue
        kk, nn = part["_k"].to_numpy(), part["n"].to_numpy()
        pbar = kk.sum() / nn.sum()
        sigma = np.sqrt(pbar * (1 - pbar) / nn)
        scale = 1.0
        if laney:
            with np.errstate(divide="ignore", invalid="ignore"):
                z = (part["value"].to_numpy() - pbar) / sigma
            mr = np.abs(np.diff(z))
            scale = float(mr.mean() / D2) if mr.size else 1.0
            frame.loc[part.index, "moving_range"] = np.concatenate([[np.nan], mr])
            sigma_z = scale
        frame.loc[idx, "mean"] = pbar
        frame.loc[part.index, "upper"] = np.minimum(pbar + 3 * sigma * scale, 1.0)
        frame.loc[part.index, "lower"] = np.maximum(pbar - 3 * sigma * scale, 0.0)
        frame.loc[part.index, "near_upper"] = np.minimum(pbar + 2 * sigma * scale, 1.0)
        frame.loc[part.index, "near_lower"] = np.maximum(pbar - 2 * sigma * scale, 0.0)
        if pbar in (0.0, 1.0):
            warnings.append("every point is 0 % or 100 %: the limits collapse onto the centre line")
    frame = frame.drop(columns="_k")
    return _finish(
        frame, "laney_p" if laney else "p", improvement, target, False, sigma_z, warnings
    )


def compute_p_chart(
    k: object,
    n: object,
    x: object | None = None,
    *,
    improvement: Improvement = "neither",
    rebase: Sequence[object] | None = None,
    target: float | None = None,
) -> SPCResult:
    """p-chart: p̄ ± 3√(p̄(1−p̄)/nᵢ) per point, clipped to [0, 1]; near limits at 2σ.

    Points with n = 0 (a paused month) are kept as rows with no value.
    """
    return _compute_proportion_chart(k, n, x, improvement, rebase, target, laney=False)


def compute_laney_p_chart(
    k: object,
    n: object,
    x: object | None = None,
    *,
    improvement: Improvement = "neither",
    rebase: Sequence[object] | None = None,
    target: float | None = None,
) -> SPCResult:
    """Laney p′ chart: zᵢ = (pᵢ − p̄)/σᵢ, σ_z = mean |Δz| / 1.128, limits p̄ ± 3σᵢσ_z.

    Laney (2002); the p-chart adjusted for over- (σ_z > 1) or under-dispersion.
    """
    return _compute_proportion_chart(k, n, x, improvement, rebase, target, laney=True)
