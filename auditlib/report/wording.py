"""Plain-English verdicts generated from the numbers, short enough for a manager to quote.

Nothing here is hand-written per month: each sentence is built from a result of
:mod:`auditlib.analysis.spc` or :mod:`auditlib.analysis.stats`. Every displayed number is rounded
half up (:func:`round_half_up`), never with Python's banker's ``round``.

Direction matters: for % Inadequate a fall is an improvement (``"down"``), for
% Good or better a rise is (``"up"``).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

import numpy as np

from auditlib.analysis import spc, stats

__all__ = [
    "MIN_AUDITS",
    "MIN_SPC_POINTS",
    "describe_distribution_comparison",
    "describe_funnel",
    "describe_kappa",
    "describe_proportion_comparison",
    "describe_reaudit_shift",
    "describe_spc",
    "format_count_pct",
    "format_p",
    "format_pct",
    "round_half_up",
]

#: Below this many points in the latest period an SPC verdict is "too few months to tell":
#: no run rule can fire and moving-range limits are unstable.
MIN_SPC_POINTS = 7
#: Below this many completed audits in the latest month, one audit moves the share by more
#: than 10 percentage points: the verdict is "too few audits to tell".
MIN_AUDITS = 10


# ---------------------------------------------------------------- formatting
def round_half_up(x: float, ndigits: int = 0) -> float:
    """Round half away from zero at ``ndigits`` decimals, as people expect on paper.

    Uses the shortest decimal form of the float, so 2.675 rounds to 2.68 (Python's
    ``round`` gives 2.67 for that and 2 for 2.5).

    >>> round_half_up(2.5), round_half_up(0.125, 2), round_half_up(-1.5)
    (3.0, 0.13, -2.0)
    """
    if x is None or not np.isfinite(x):
        return float("nan")
    quantum = Decimal(1).scaleb(-ndigits)
    return float(Decimal(repr(float(x))).quantize(quantum, rounding=ROUND_HALF_UP))


def _num(x: float, ndigits: int = 0) -> str:
    value = round_half_up(x, ndigits)
    if value == 0:
        value = 0.0  # never print "-0"
    return f"{value:.{ndigits}f}"


def format_pct(pct: float, ndigits: int = 0) -> str:
    """A percentage (0–100) for display: ``format_pct(14.5) == '15%'``."""
    return f"{_num(pct, ndigits)}%"


def format_count_pct(k: int, n: int) -> str:
    """'7% (3 of 40)'."""
    return f"{format_pct(100 * k / n)} ({k} of {n})" if n else "no audits"


def format_p(p: float) -> str:
    """'p < 0.001', 'p = 0.012', 'p = 0.34' (three decimals below 0.1, else two)."""
    if p is None or not np.isfinite(p):
        return "p not available"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {_num(p, 3 if p < 0.1 else 2)}"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# ---------------------------------------------------------------------- SPC
def _spc_value_formatter(result: spc.SPCResult) -> Callable[[float], str]:
    # p-charts hold proportions (0–1); an XmR chart of a monthly share is drawn in percent
    if result.chart in ("p", "laney_p"):
        return lambda v: format_pct(100 * v)
    return format_pct


def _latest_rule_phrases(result: spc.SPCResult, unit: str) -> list[str]:
    """The rules that flag the latest point, in plain words with their direction and length;
    the rule that decides the point's type (NHSRplotthedots' precedence) comes first."""
    last = result.latest
    high = bool(last["value"] > last["mean"])
    phrases = []
    for rule in result.latest_rules:
        if rule == "astronomical":
            phrases.append(
                "above the upper process limit"
                if last["value"] > last["upper"]
                else "below the lower process limit"
            )
        elif rule == "shift":
            run = result.latest_run("shift")
            phrases.append(f"{run} {unit} in a row {'above' if high else 'below'} the average")
        elif rule == "trend":
            run = result.latest_run("trend")
            rising = int(last["direction"]) > 0 if last["rule"] == "trend" else None
            if rising is None:
                part = result.latest_period
                values = part.loc[part["value"].notna(), "value"].to_numpy(dtype=float)
                rising = bool(values[-1] > values[-2])
            phrases.append(
                f"{run} {unit} in a row, each {'higher' if rising else 'lower'} than the last"
            )
        elif rule == "two_in_three":
            phrases.append(
                f"two of the last three {unit} close to the {'upper' if high else 'lower'} process limit"
            )
    return phrases


def describe_spc(
    result: spc.SPCResult,
    measure: str,
    *,
    latest_label: str | None = None,
    latest_n: int | None = None,
    value_format: Callable[[float], str] | None = None,
    unit: str = "months",
) -> str:
    """Verdict on the latest point of an SPC chart.

    ``measure`` names the series ("% Inadequate"); ``latest_label`` the latest
    point ("September 2020", default its x value); ``latest_n`` the audits behind
    it (p-charts know their own n). Values of an XmR chart are shown as
    percentages unless ``value_format`` says otherwise; ``unit`` names the points
    ("months") when a rule is put into words.
    """
    fmt = value_format or _spc_value_formatter(result)
    last = result.latest
    label = latest_label or str(last["x"])
    n = (
        latest_n
        if latest_n is not None
        else (int(last["n"]) if "n" in last and np.isfinite(last["n"]) else None)
    )
    head = f"{measure} in {label} ({fmt(float(last['value']))}" + (
        f", n={n})" if n is not None else ")"
    )
    if result.n_points < MIN_SPC_POINTS:
        return (
            f"{head}: too few months to tell — only {result.n_points} "
            f"since the limits were last set, and at least {MIN_SPC_POINTS} are needed."
        )
    if n is not None and n < MIN_AUDITS:
        return f"{head}: too few audits to tell — fewer than {MIN_AUDITS} were completed."
    kind = result.variation
    if kind == "common_cause" and not result.has_limits:
        verdict = (
            "within normal variation (the months since the limits were last set do not vary "
            "from one to the next, so there are no process limits)"
        )
    elif kind == "common_cause":
        verdict = (
            f"within normal variation (the usual range is {fmt(float(last['lower']))} "
            f"to {fmt(float(last['upper']))})"
        )
    else:
        words = {
            "special_cause_improvement": "a significant improvement",
            "special_cause_concern": "a significant deterioration",
            "special_cause_neither": "a significant change",
        }[kind]
        verdict = f"{words} — {_join(_latest_rule_phrases(result, unit))}"
    note = (
        f" These are trial limits, from fewer than {spc.MIN_POINTS_FOR_LIMITS} months."
        if result.trial_limits
        else ""
    )
    return f"{head}: {verdict}.{note}"


# ------------------------------------------------------------ period comparisons
Direction = Literal["up", "down"]


def describe_proportion_comparison(
    comparison: stats.ProportionComparison,
    measure: str,
    *,
    period: str,
    reference: str,
    improvement: Direction,
) -> str:
    """'7% Inadequate in September 2020 (n=40) against 22% over the previous 12 months
    (n=600): a significant improvement of 15 percentage points (Fisher's exact test, p = 0.012).'

    ``period`` and ``reference`` are phrases with their preposition ("in September
    2020", "over the previous 12 months"); ``improvement`` is "down" for
    Inadequate, "up" for Good or better.
    """
    c = comparison
    test = "Fisher's exact test" if c.test == "fisher" else "z test"
    head = (
        f"{format_pct(100 * c.p1)} {measure} {period} (n={c.n1}) against "
        f"{format_pct(100 * c.p2)} {reference} (n={c.n2})"
    )
    if not c.significant:
        return f"{head}: no significant difference ({test}, {format_p(c.p_value)})."
    better = (c.difference < 0) == (improvement == "down")
    words = "a significant improvement" if better else "a significant deterioration"
    size = _num(abs(c.difference_pp))
    unit = "percentage point" if size == "1" else "percentage points"
    return f"{head}: {words} of {size} {unit} ({test}, {format_p(c.p_value)})."


def describe_distribution_comparison(
    comparison: stats.DistributionComparison, *, period: str, reference: str
) -> str:
    """'Judgements in September 2020 (n=40) compared with those over the previous 12 months
    (n=600): no significant shift (Mann–Whitney test, p = 0.41; Cliff's delta 0.05).'

    Positive Cliff's delta means period a (``period``) was better.
    """
    c = comparison
    test = "Monte Carlo permutation test" if c.quoted.exact else "Mann–Whitney test"
    effect = f"Cliff's delta {_num(c.cliffs_delta, 2)}"
    head = f"Judgements {period} (n={c.n_a}) compared with those {reference} (n={c.n_b})"
    if not c.significant:
        return f"{head}: no significant shift ({test}, {format_p(c.quoted.p_value)}; {effect})."
    words = "significantly better" if c.cliffs_delta > 0 else "significantly worse"
    return f"{head}: {words} ({test}, {format_p(c.quoted.p_value)}; {effect})."


def describe_reaudit_shift(shift: stats.ReauditShift) -> str:
    """'Of 361 re-audited cases, 40% improved, 50% stayed the same and 10% declined:
    a significant overall improvement (Stuart–Maxwell p < 0.001).'"""
    s_ = shift
    head = (
        f"Of {s_.n} re-audited cases, {format_pct(s_.pct_improved)} improved, "
        f"{format_pct(s_.pct_same)} stayed the same and {format_pct(s_.pct_declined)} declined"
    )
    p = format_p(s_.stuart_maxwell.p_value)
    if s_.n < MIN_AUDITS:
        return f"{head}: too few re-audits to tell."
    if not s_.significant:
        return f"{head}: no significant overall change (Stuart–Maxwell {p})."
    words = (
        "a significant overall improvement"
        if s_.n_improved > s_.n_declined
        else "a significant overall deterioration"
        if s_.n_declined > s_.n_improved
        else "a significant change in the spread of judgements"
    )
    return f"{head}: {words} (Stuart–Maxwell {p})."


# -------------------------------------------------------------------- funnels
def describe_funnel(
    result: stats.FunnelResult,
    measure: str,
    *,
    unit_noun: str = "team",
    improvement: Direction | None = None,
) -> str:
    """'2 of 14 teams are outside the 99.8% limits for % Inadequate: Team A (higher than
    expected, 40% of 25) and Team B (lower than expected, 2% of 90).'"""
    u = result.units[result.units["direction"] != "no audits"]
    total = len(u)
    plural = f"{unit_noun}s" if total != 1 else unit_noun
    out = u[u["outside_998"]]
    target = format_pct(100 * result.target)
    if out.empty:
        n95 = int(u["outside_95"].sum())
        extra = f"; {n95} {'is' if n95 == 1 else 'are'} outside the 95% limits only" if n95 else ""
        return f"All {total} {plural} are within the 99.8% limits for {measure} (overall {target}){extra}."
    parts = []
    for _, row in out.iterrows():
        high = row["p"] > result.target
        side = "higher than expected" if high else "lower than expected"
        if improvement is not None:
            side += ", better" if (high == (improvement == "up")) else ", worse"
        parts.append(f"{row['unit']} ({side}: {format_count_pct(int(row['k']), int(row['n']))})")
    verb = "is" if len(out) == 1 else "are"
    return (
        f"{len(out)} of {total} {plural} {verb} outside the 99.8% limits for {measure} "
        f"(overall {target}): {_join(parts)}."
    )


# ------------------------------------------------------------------ agreement
#: Landis & Koch (1977) descriptive bands for kappa: upper bound and word (below 0: poor).
KAPPA_BANDS = (
    (0.20, "slight"),
    (0.40, "fair"),
    (0.60, "moderate"),
    (0.80, "substantial"),
    (1.0, "almost perfect"),
)


def describe_kappa(result: stats.KappaResult, *, raters: str = "auditors and moderators") -> str:
    """'Agreement between auditors and moderators was moderate (linear weighted kappa 0.47,
    95% CI 0.18 to 0.76; n=19).' Bands from Landis & Koch (1977)."""
    k = result.kappa
    band = (
        "poor"
        if k < 0
        else next((name for upper, name in KAPPA_BANDS if k <= upper), "almost perfect")
    )
    kind = "kappa" if result.weights == "none" else f"{result.weights} weighted kappa"
    level = format_pct(100 * result.level)
    return (
        f"Agreement between {raters} was {band} ({kind} {_num(k, 2)}, {level} CI "
        f"{_num(result.ci_low, 2)} to {_num(result.ci_high, 2)}; n={result.n})."
    )
