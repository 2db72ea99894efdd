"""A line-by-line port of NHSRplotthedots v0.2.2's point typing, as a test reference.

Ported from the R source (github.com/nhs-r-community/NHSRplotthedots, tag 0.2.2):
``R/ptd_spc_standard.R`` (mean, moving ranges, screening, limits, the
``outside_limits`` / ``relative_to_mean`` / ``close_to_limits`` columns) and
``R/ptd_calculate_point_type.R`` (``ptd_seven_point_one_side_mean``,
``ptd_part_of_seven_trend``, ``ptd_seven_point_trend``, ``ptd_two_in_three``,
``ptd_part_of_two_in_three``, ``ptd_special_cause_type``, ``ptd_point_type``),
plus ``ptd_calculate_assurance_type``. It is deliberately written apart from
:mod:`auditlib.analysis.spc` — R's loops, padding and vector recycling kept as
they are, and R's missing value ``NA`` carried through with R's three-valued
logic — so that the comparison in ``tests/test_spc.py`` checks one against the
other rather than the code against itself.

``NA`` is ``None`` in logical vectors and ``nan`` in numeric ones. R stops with
"missing value where TRUE/FALSE needed" when ``ptd_seven_point_trend``'s
``if (all(d == 1))`` meets a gap inside an otherwise monotone window;
``na_in_if="false"`` reads that ``NA`` as FALSE instead (no trend), the reading
every other rule gives a window with a gap in it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

NA = None


class RStop(Exception):
    """What R would stop with."""


# ------------------------------------------------------------ R's logic and arithmetic
def _is_na(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def r_all(xs: Sequence[object]) -> bool | None:
    if any(x is False for x in xs):
        return False
    if any(_is_na(x) for x in xs):
        return NA
    return True


def r_any(xs: Sequence[object]) -> bool | None:
    if any(x is True for x in xs):
        return True
    if any(_is_na(x) for x in xs):
        return NA
    return False


def r_and(a: object, b: object) -> bool | None:
    if a is False or b is False:
        return False
    if _is_na(a) or _is_na(b):
        return NA
    return True


def r_or(a: object, b: object) -> bool | None:
    if a is True or b is True:
        return True
    if _is_na(a) or _is_na(b):
        return NA
    return False


def r_not(a: object) -> bool | None:
    return NA if _is_na(a) else not a


def r_cmp(a: object, b: object, op: str) -> bool | None:
    if _is_na(a) or _is_na(b):
        return NA
    a_, b_ = float(a), float(b)  # type: ignore[arg-type]
    return {"==": a_ == b_, "!=": a_ != b_, ">": a_ > b_, "<": a_ < b_, ">=": a_ >= b_}[op]


def r_num(x: object) -> float:
    """as.numeric of a logical or number."""
    if _is_na(x):
        return math.nan
    return float(x)  # type: ignore[arg-type]


def r_sum(xs: Sequence[object]) -> float:
    values = [r_num(x) for x in xs]
    return math.nan if any(math.isnan(v) for v in values) else sum(values)


def r_sign(x: float) -> float:
    if math.isnan(x):
        return math.nan
    return float((x > 0) - (x < 0))


def r_diff(xs: Sequence[float]) -> list[float]:
    return [xs[i + 1] - xs[i] for i in range(len(xs) - 1)]


def r_mean_na_rm(xs: Sequence[float]) -> float:
    kept = [x for x in xs if not math.isnan(x)]
    return sum(kept) / len(kept) if kept else math.nan  # R: mean(numeric(0)) is NaN


# ---------------------------------------------------------------- ptd_spc_standard.R
def ptd_spc_standard(y: Sequence[float], screen_outliers: bool = True) -> dict[str, list]:
    """One (facet, rebase group): mean_col, lpl, upl, outside_limits, relative_to_mean,
    close_to_limits, as ``ptd_spc_standard`` computes them (no fix_after_n_points)."""
    limit = 2.66
    limitclose = 2 * (limit / 3)
    y = [math.nan if _is_na(v) else float(v) for v in y]
    n = len(y)
    mean_col = r_mean_na_rm(y)
    mr = [math.nan] + [abs(d) for d in r_diff(y)]
    amr = r_mean_na_rm(mr)
    if screen_outliers:
        # case_when(mr < 3.267 * amr ~ mr, TRUE ~ NA): an NA condition falls through to NA
        mr = [m if r_cmp(m, 3.267 * amr, "<") is True else math.nan for m in mr]
    amr = r_mean_na_rm(mr)
    lpl, upl = mean_col - limit * amr, mean_col + limit * amr
    nlpl, nupl = mean_col - limitclose * amr, mean_col + limitclose * amr
    outside = [r_or(r_cmp(v, upl, ">"), r_cmp(v, lpl, "<")) for v in y]
    rtm = [r_sign(v - mean_col) for v in y]
    close = [
        r_and(r_not(o), r_or(r_cmp(v, nlpl, "<"), r_cmp(v, nupl, ">")))
        for v, o in zip(y, outside, strict=True)
    ]
    return {
        "y": y,
        "mean_col": [mean_col] * n,
        "lpl": [lpl] * n,
        "upl": [upl] * n,
        "outside_limits": outside,
        "relative_to_mean": rtm,
        "close_to_limits": close,
    }


# ---------------------------------------------------------- ptd_calculate_point_type.R
def ptd_seven_point_one_side_mean(v: Sequence[float]) -> list[float]:
    vp = [0.0] * 6 + list(v)
    out = []
    for i in range(6, len(vp)):  # R: seq_along(v) + 6
        same = r_all([r_cmp(vp[i], vp[i - k], "==") for k in range(1, 7)])
        out.append(r_num(r_and(same, r_cmp(vp[i], 0, "!="))))
    return out


def ptd_part_of_seven_trend(v: Sequence[float]) -> list[float]:
    vp = list(v) + [0.0] * 6
    return [r_num(r_any([r_cmp(abs(vp[i + k]), 1, "==") for k in range(7)])) for i in range(len(v))]


def ptd_seven_point_trend(y: Sequence[float], na_in_if: str = "error") -> list[float]:
    if len(y) < 7:
        return [0.0] * len(y)
    out = [0.0] * 6
    for i in range(6, len(y)):
        window = [y[i - k] for k in range(7)]  # y[i - 0:6]
        d = [r_sign(x) * -1 for x in r_diff(window)]
        result = 0.0
        for value in (1, -1):
            cond = r_all([r_cmp(x, value, "==") for x in d])
            if cond is NA:
                if na_in_if == "error":
                    raise RStop("missing value where TRUE/FALSE needed")
                cond = False
            if cond:
                result = float(value)
                break
        out.append(result)
    return out


def ptd_two_in_three(v: Sequence[object], rtm: Sequence[float]) -> list[float]:
    if len(v) == 0:
        return []
    vp = [0.0, 0.0, *[r_num(x) for x in v], 0.0, 0.0]
    rtmp = [0.0, 0.0, *rtm, 0.0, 0.0]
    out = []
    for i in range(len(v)):
        result: bool | None = False
        for offset in (0, 1, 2):
            window = range(i + offset, i + offset + 3)
            near = r_cmp(r_sum([vp[j] for j in window]), 2, ">=")
            side = r_sum([rtmp[j] for j in window])
            same = r_cmp(abs(side) if not math.isnan(side) else math.nan, 3, "==")
            result = r_or(result, r_and(near, same))
        out.append(r_num(result))
    return out


def ptd_part_of_two_in_three(v: Sequence[float], x: Sequence[object]) -> list[float]:
    return [
        r_num(r_and(r_cmp(a, 1, "=="), r_cmp(abs(r_num(b)), 1, "==")))
        for a, b in zip(v, x, strict=True)
    ]


def ptd_special_cause_type(
    y: Sequence[float],
    relative_to_mean: Sequence[float],
    close_to_limits: Sequence[object],
    outside_limits: Sequence[object],
    na_in_if: str = "error",
) -> list[str | None]:
    n = len(y)
    part_trend = ptd_part_of_seven_trend(ptd_seven_point_trend(y, na_in_if))
    part_two = ptd_part_of_two_in_three(
        ptd_two_in_three(close_to_limits, relative_to_mean), close_to_limits
    )
    part_shift = ptd_part_of_seven_trend(ptd_seven_point_one_side_mean(relative_to_mean))
    sdy = [r_sign(d) for d in r_diff(y)]
    # ifelse(c(part[-1], 0) & part, c(sdy, tail(sdy, 1)), c(0, sdy))
    nxt = [*part_trend[1:], 0.0]
    right = [*sdy, *sdy[-1:]]
    left = [0.0, *sdy]
    chosen = []
    for i in range(n):
        cond = r_and(
            r_cmp(nxt[i], 0, "!=") if not math.isnan(nxt[i]) else NA,
            r_cmp(part_trend[i], 0, "!=") if not math.isnan(part_trend[i]) else NA,
        )
        if cond is NA:
            chosen.append(math.nan)
        elif cond:
            chosen.append(right[i] if i < len(right) else math.nan)
        else:
            chosen.append(left[i])
    out: list[str | None] = []
    for i in range(n):
        rtm = relative_to_mean[i]
        above_or_below = None if math.isnan(rtm) else ("Above" if rtm > 0 else "Below")
        # case_when: the first TRUE condition wins; NA counts as FALSE
        if r_cmp(r_num(outside_limits[i]), 0, "!=") is True:
            out.append(None if math.isnan(rtm) else ("Above UCL" if rtm == 1 else "Below LCL"))
        elif r_cmp(part_trend[i], 0, "!=") is True:
            word = "NA" if math.isnan(chosen[i]) else ("In" if chosen[i] == 1 else "De")
            out.append(f"7 Point Trend ({word}creasing)")
        elif r_cmp(part_two[i], 0, "!=") is True:
            out.append(f"2 in 3 {above_or_below or 'NA'} CL")
        elif r_cmp(part_shift[i], 0, "!=") is True:
            out.append(f"7 Points {above_or_below or 'NA'} CL")
        else:
            out.append("Common Cause")
    return out


def ptd_point_type(
    special_cause_type: Sequence[str | None], improvement_direction: int
) -> list[str]:
    out = []
    for t in special_cause_type:
        if t is not None and ("Above" in t or "Increasing" in t):
            v = 1
        elif t is not None and ("Below" in t or "Decreasing" in t):
            v = -1
        else:
            v = 0
        if improvement_direction == 0:
            out.append(
                "special_cause_neutral_high"
                if v > 0
                else "special_cause_neutral_low"
                if v < 0
                else "common_cause"
            )
        else:
            v *= improvement_direction
            out.append(
                "special_cause_improvement"
                if v > 0
                else "special_cause_concern"
                if v < 0
                else "common_cause"
            )
    return out


# ------------------------------------------------------------------------ ptd_spc
def ptd_spc(
    y: Sequence[float],
    rebase: Sequence[int] = (),
    improvement_direction: str = "increase",
    target: float | None = None,
    screen_outliers: bool = True,
    na_in_if: str = "error",
) -> dict[str, list]:
    """Point types, limits and the assurance type of one series (no facets).

    ``rebase`` lists 0-based row positions where a new rebase group starts
    (R: ``rebase_group = cumsum(rebase)``).
    """
    direction = {"increase": 1, "neutral": 0, "decrease": -1}[improvement_direction]
    starts = sorted({0, *rebase})
    bounds = [*starts, len(y)]
    columns: dict[str, list] = {
        k: [] for k in ("mean_col", "lpl", "upl", "special_cause_type", "point_type")
    }
    for a, b in itertools.pairwise(bounds):
        if a == b:
            continue
        part = ptd_spc_standard(y[a:b], screen_outliers)
        types = ptd_special_cause_type(
            part["y"],
            part["relative_to_mean"],
            part["close_to_limits"],
            part["outside_limits"],
            na_in_if,
        )
        columns["mean_col"] += part["mean_col"]
        columns["lpl"] += part["lpl"]
        columns["upl"] += part["upl"]
        columns["special_cause_type"] += types
        columns["point_type"] += ptd_point_type(types, direction)
    assurance = None
    if target is not None and direction != 0:
        upl, lpl = columns["upl"][-1], columns["lpl"][-1]
        increasing = direction == 1
        if r_cmp(target, upl, ">") is True:
            assurance = "consistent_fail" if increasing else "consistent_pass"
        elif r_cmp(target, lpl, "<") is True:
            assurance = "consistent_pass" if increasing else "consistent_fail"
        else:
            assurance = "inconsistent"
    columns["assurance_type"] = [assurance]
    return columns
