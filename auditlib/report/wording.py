"""Plain-English verdicts generated from the numbers, short enough for a manager to quote.

Nothing here is hand-written per month: each sentence is built from a result of
:mod:`auditlib.analysis.spc` or :mod:`auditlib.analysis.stats`. Every displayed number is rounded
half up (:func:`auditlib.analysis.rounding.round_half_up`), never with Python's banker's ``round``.
Too few audits to tell is :data:`auditlib.analysis.comparisons.MIN_MONTH_AUDITS`.

Direction matters: for % Inadequate a fall is an improvement (``"down"``), for
% Good or better a rise is (``"up"``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from auditlib.analysis import auditors, casemix, comparisons, regression_to_mean, spc, stats
from auditlib.analysis.rounding import round_half_up
from auditlib.data import schema

__all__ = [
    "MIN_SPC_POINTS",
    "bounded_verdict",
    "describe_auditor_effects",
    "describe_auditor_variation",
    "describe_casemix",
    "describe_distribution_comparison",
    "describe_funnel",
    "describe_kappa",
    "describe_proportion_comparison",
    "describe_reaudit_shift",
    "describe_regression_check",
    "describe_regression_to_mean",
    "describe_spc",
    "describe_spc_and_test",
    "describe_spc_suppressed",
    "describe_test_family",
    "format_count_pct",
    "format_p",
    "format_pct",
]

#: Below this many points in the latest period an SPC verdict is "too few months to tell":
#: no run rule can fire and moving-range limits are unstable.
MIN_SPC_POINTS = 7


# ---------------------------------------------------------------- formatting
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
    if n is not None and n < comparisons.MIN_MONTH_AUDITS:
        return f"{head}: too few audits to tell — fewer than {comparisons.MIN_MONTH_AUDITS} were completed."
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


def describe_spc_suppressed(measure: str, latest_label: str) -> str:
    """The verdict in place of :func:`describe_spc` when the latest value is suppressed
    (published disclosure): no value, and no verdict that would rest on it."""
    return f"{measure} in {latest_label}: [c] — the figure is suppressed, so no verdict is given."


# ------------------------------------------------------------ period comparisons
Direction = Literal["up", "down"]


#: Whose family of tests a sentence's Holm-adjusted p is for, by default.
MONTH_FAMILY = "the month's"


def _p_words(
    p_value: float,
    p_adjusted: float | None,
    family_size: int | None,
    family: str = MONTH_FAMILY,
    bounded: bool = False,
) -> str:
    """'p = 0.016' or 'Holm-adjusted p = 0.079 for the month's 6 tests; unadjusted p = 0.016'
    (``bounded``: 'unadjusted p = 0.016; Holm-adjusted, at most 6 times that')."""
    if bounded and family_size:
        return f"unadjusted {format_p(p_value)}; Holm-adjusted, at most {family_size} times that"
    if p_adjusted is None:
        return format_p(p_value)
    tests = f" for {family} {family_size} tests" if family_size else ""
    return f"Holm-adjusted {format_p(p_adjusted)}{tests}; unadjusted {format_p(p_value)}"


#: A test's verdict when only a bound on its Holm-adjusted p may be stated: significant
#: (the bound is below alpha), not significant (even unadjusted p is not), or undecided.
Judged = Literal["significant", "not significant", "undecided"]


def bounded_verdict(p_value: float, family_size: int) -> Judged:
    """Judge a test on the bound Holm's p never exceeds (family size × p), as a published
    report does when some of the family's tests are withheld: the Holm-adjusted p itself
    depends on the withheld tests' p-values."""
    if family_size * p_value < stats.ALPHA:
        return "significant"
    if p_value >= stats.ALPHA:
        return "not significant"
    return "undecided"


#: The words of an undecided verdict (see :func:`bounded_verdict`).
UNDECIDED = (
    "not judged in this published version (significant before adjustment; whether it stays "
    "so after Holm adjustment depends on the tests not shown)"
)


def describe_proportion_comparison(
    comparison: stats.ProportionComparison,
    measure: str,
    *,
    period: str,
    reference: str,
    improvement: Direction,
    p_adjusted: float | None = None,
    family_size: int | None = None,
    family: str = MONTH_FAMILY,
    bounded: bool = False,
) -> str:
    """'7% Inadequate in September 2020 (n=40) against 22% over the previous 12 months
    (n=600): a significant improvement of 15 percentage points (Fisher's exact test, p = 0.012).'

    ``period`` and ``reference`` are phrases with their preposition ("in September
    2020", "over the previous 12 months"); ``improvement`` is "down" for
    Inadequate, "up" for Good or better. With ``p_adjusted`` (the Holm-adjusted p
    of the month's family of ``family_size`` tests, :func:`comparisons.month_test_family`)
    "significant" is judged on the adjusted p, and the sentence gives both; ``family``
    says whose tests they are ("the month's", "the report's").
    """
    c = comparison
    test = "Fisher's exact test" if c.test == "fisher" else "z test"
    head = (
        f"{format_pct(100 * c.p1)} {measure} {period} (n={c.n1}) against "
        f"{format_pct(100 * c.p2)} {reference} (n={c.n2})"
    )
    p_text = _p_words(c.p_value, p_adjusted, family_size, family, bounded)
    significant = c.significant if p_adjusted is None else bool(p_adjusted < stats.ALPHA)
    if bounded and family_size:
        judged = bounded_verdict(c.p_value, family_size)
        if judged == "undecided":
            return f"{head}: {UNDECIDED} ({test}, {p_text})."
        significant = judged == "significant"
    if not significant:
        return f"{head}: no significant difference ({test}, {p_text})."
    better = (c.difference < 0) == (improvement == "down")
    words = "a significant improvement" if better else "a significant deterioration"
    size = _num(abs(c.difference_pp))
    unit = "percentage point" if size == "1" else "percentage points"
    return f"{head}: {words} of {size} {unit} ({test}, {p_text})."


def describe_distribution_comparison(
    comparison: stats.DistributionComparison,
    *,
    period: str,
    reference: str,
    p_adjusted: float | None = None,
    family_size: int | None = None,
    family: str = MONTH_FAMILY,
    bounded: bool = False,
) -> str:
    """'Judgements in September 2020 (n=40) compared with those over the previous 12 months
    (n=600): no significant shift (Mann–Whitney test, p = 0.41; Cliff's delta 0.05).'

    Positive Cliff's delta means period a (``period``) was better. ``p_adjusted``,
    ``family_size`` and ``family`` as :func:`describe_proportion_comparison`.
    """
    c = comparison
    test = "Monte Carlo permutation test" if c.quoted.exact else "Mann–Whitney test"
    effect = f"Cliff's delta {_num(c.cliffs_delta, 2)}"
    head = f"Judgements {period} (n={c.n_a}) compared with those {reference} (n={c.n_b})"
    p_text = _p_words(c.quoted.p_value, p_adjusted, family_size, family, bounded)
    significant = c.significant if p_adjusted is None else bool(p_adjusted < stats.ALPHA)
    if bounded and family_size:
        judged = bounded_verdict(c.quoted.p_value, family_size)
        if judged == "undecided":
            return f"{head}: {UNDECIDED} ({test}, {p_text}; {effect})."
        significant = judged == "significant"
    if not significant:
        return f"{head}: no significant shift ({test}, {p_text}; {effect})."
    words = "significantly better" if c.cliffs_delta > 0 else "significantly worse"
    return f"{head}: {words} ({test}, {p_text}; {effect})."


_NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


def describe_test_family(
    family: pd.DataFrame,
    shown: Sequence[bool] | None = None,
    significant: Sequence[bool] | None = None,
    undecided: int = 0,
) -> str:
    """What the month's comparisons are, which p is adjusted and what "significant" means.

    ``family`` is :func:`auditlib.analysis.comparisons.month_test_family`; ``shown`` (one
    flag per test) marks the tests a published version states: the count of significant
    tests is then over those alone, since one over all of them would give a withheld test's
    verdict away; ``significant`` (one flag per test) replaces the family's own verdicts
    (a published version judges shown tests on a bound when some are withheld), and
    ``undecided`` counts the shown tests that bound leaves undecided.
    """
    size = len(family)
    if size == 0:
        return ""
    alpha = _num(stats.ALPHA, 2)
    independence = (
        "Every test treats each audit as independent of the others (a child audited twice, "
        "or many audits by one auditor, bend that a little)."
    )
    if size == 1:
        return (
            "The SPC charts are the primary signal; this comparison is secondary, and "
            f"'significant' means p is below {alpha}. {independence}"
        )
    count = _NUMBER_WORDS.get(size, str(size))
    flags = np.ones(size, dtype=bool) if shown is None else np.asarray(shown, dtype=bool)
    verdicts = (
        family["significant"].to_numpy(dtype=bool)
        if significant is None
        else np.asarray(significant, dtype=bool)
    )
    found = int((verdicts & flags).sum())
    if flags.all():
        found_text = (
            "; none is significant after adjustment"
            if found == 0
            else f"; {found} of the {count} {'is' if found == 1 else 'are'} significant after "
            "adjustment"
        )
    elif not flags.any():
        found_text = ""
    else:
        stated = int(flags.sum())
        found_text = (
            f"; none of the {stated} shown is significant after adjustment"
            if found == 0
            else f"; {found} of the {stated} shown {'is' if found == 1 else 'are'} significant "
            "after adjustment"
        )
    if undecided and found_text:
        found_text += f", and {undecided} cannot be judged without the tests not shown"
    return (
        "The SPC charts are the primary signal; the comparisons with earlier months are "
        f"secondary and are treated as one family of {count} tests. Each p-value is "
        f"Holm-adjusted for all {count}, and a difference is called significant only when its "
        f"adjusted p is below {alpha}, so that across the {count} there is at most a "
        f"{format_pct(100 * stats.ALPHA)} chance of calling any difference significant when "
        f"nothing has changed{found_text}. {independence}"
    )


def describe_spc_and_test(
    result: spc.SPCResult,
    test: pd.Series,
    *,
    measure: str,
    unit: str = "months",
) -> str | None:
    """One sentence on why the SPC verdict and a comparison test disagree (None: they agree).

    ``test`` is a row of :func:`comparisons.month_test_family` for the same measure
    (a share, not the distribution). The chart asks whether the latest month lies outside
    the range the programme's own month-to-month variation produces, or is part of a run;
    the test asks whether one month differs from a reference by more than sampling
    chance, after Holm adjustment.
    """
    if result.n_points < MIN_SPC_POINTS or int(test["n_month"]) < comparisons.MIN_MONTH_AUDITS:
        return None  # no SPC verdict to reconcile
    kind = result.variation
    special = kind.startswith("special_cause")
    significant = bool(test["significant"])
    period = str(test["period"])
    reference = str(test["reference"])
    against = (
        "the previous 12 months pooled"
        if test["comparison"] == "previous 12 months"
        else f"{reference} alone"
    )
    adjusted = f"after adjustment for the month's {int(test['family_size'])} tests"
    if not special and not significant:
        return None
    if not special:
        return (
            f"The chart and the test differ because the test sets {period} against {against}, "
            f"allowing only for the chance variation of sampling {int(test['n_month'])} audits, "
            "while the chart's limits come from how much the monthly figure has actually moved "
            "from month to month (themes, teams and auditors included): a single month outside "
            "the test's range but inside the chart's is not, on its own, a change in the process."
        )
    last = result.latest
    rule = str(last["rule"])
    spc_better = kind == "special_cause_improvement"
    if significant:
        test_better = test["verdict"] == "improvement"
        if kind == "special_cause_neither" or spc_better == test_better:
            return None
        return (
            f"The chart and the test point different ways because the chart judges {period} "
            f"against the average of the {result.n_points} {unit} since its limits were set "
            f"({_spc_value_formatter(result)(float(last['mean']))}), while the test compares it "
            f"with {against}."
        )
    if rule in ("shift", "trend", "two_in_three"):
        return (
            f"The chart and the test differ because the chart's signal is a run-based rule "
            f"({spc.RULE_DESCRIPTIONS[rule]}), which reads several {unit} together, while the "
            f"test compares {period} alone with {against}: one {unit.removesuffix('s')} of a run "
            f"can be too close to the comparison on its own for the test to call, {adjusted}."
        )
    return (
        f"The chart and the test differ because the chart measures {period} against limits set "
        f"from the {result.n_points} {unit} since they were last set (average "
        f"{_spc_value_formatter(result)(float(last['mean']))}), while the test compares it with "
        f"{against}, {adjusted}."
    )


def describe_reaudit_shift(
    shift: stats.ReauditShift,
    expectation: regression_to_mean.ReauditExpectation | None = None,
) -> str:
    """'Of 361 re-audited cases, 40% improved, 50% stayed the same and 10% declined:
    a significant overall improvement (Stuart–Maxwell p < 0.001).' followed by the
    regression-to-the-mean caveat and, given ``expectation``
    (:func:`comparisons.expected_reaudit_movement`), how the movement compares with what
    no change in practice would give."""
    s_ = shift
    head = (
        f"Of {s_.n} re-audited cases, {format_pct(s_.pct_improved)} improved, "
        f"{format_pct(s_.pct_same)} stayed the same and {format_pct(s_.pct_declined)} declined"
    )
    p = format_p(s_.stuart_maxwell.p_value)
    if s_.n < comparisons.MIN_MONTH_AUDITS:
        return f"{head}: too few re-audits to tell."
    if not s_.significant:
        sentence = f"{head}: no significant overall change (Stuart–Maxwell {p})."
    else:
        words = (
            "a significant overall improvement"
            if s_.n_improved > s_.n_declined
            else "a significant overall deterioration"
            if s_.n_declined > s_.n_improved
            else "a significant change in the spread of judgements"
        )
        sentence = f"{head}: {words} (Stuart–Maxwell {p})."
    return f"{sentence} {describe_regression_to_mean(expectation)}"


def describe_regression_to_mean(expectation: regression_to_mean.ReauditExpectation | None) -> str:
    """The regression-to-the-mean caveat for re-audits, with the expected movement under no
    change in practice when it could be worked out."""
    caveat = (
        "Cases are chosen for re-audit because their first judgement was poor, so some "
        "improvement is expected even with no change in practice (regression to the mean)"
    )
    e = expectation
    if e is None:
        return caveat + "."
    basis = (
        f"allowing for how often auditors and moderators agree, kappa {_num(e.reliability, 2)}"
        if e.reliability_source == "moderation"
        else "taking single judgements to be no more reliable than chance, the largest "
        "allowance, as there is no moderation to measure their reliability"
    )
    expected = (
        f"{caveat}: with no change, about {format_pct(e.pct_expected_improved)} would have "
        f"improved and {format_pct(e.pct_expected_declined)} declined ({basis})."
    )
    change = (
        f"mean change {_signed(e.observed_mean_change)} of a grade against "
        f"{_signed(e.expected_mean_change)} expected; {format_p(e.p_value)}"
    )
    if not e.significant:
        return (
            f"{expected} The movement seen is no more than that ({change}): it does not show "
            "a change in practice beyond regression to the mean."
        )
    if e.difference > 0:
        return (
            f"{expected} The {format_pct(e.pct_observed_improved)} who improved is more than "
            f"that: an improvement beyond regression to the mean ({change})."
        )
    return (
        f"{expected} The re-audits moved less than that ({change}): practice looks worse than "
        "regression to the mean alone would suggest."
    )


def _signed(x: float, ndigits: int = 2) -> str:
    """'+0.38', '−0.10', '0.00' (half up)."""
    text = _num(abs(x), ndigits)
    if float(text) == 0:
        return text
    return ("+" if x > 0 else "−") + text


# ------------------------------------------------------------------- case mix
def _casemix_allowing(themes: Sequence[str], whose: str = "this month's") -> str:
    """'this month's CSE and missing children theme (and its mix of teams)'."""
    names = [schema.COHORT_SHORT_NAMES.get(key, key) for key in themes]
    if not names:
        return f"{whose} mix of cohorts and teams"
    plural = "themes" if len(names) > 1 and whose != "this month's" else "theme"
    return f"{whose} {_join(names)} {plural} (and its mix of cohorts and teams)"


def describe_casemix(
    result: casemix.CasemixResult,
    *,
    label: str,
    themes: Sequence[str] = (),
    reference: str = "the previous 12 months",
    whose: str = "this month's",
) -> str:
    """'After allowing for this month's CSE theme (and its mix of cohorts and teams), Good or
    better in September 2020 was 34% (21 of 61) against 20% expected from the previous 12
    months' rates for audits like these (23% of all audits then): better than its case mix
    predicts (observed/expected 1.76, 95% CI 1.09 to 2.69).'

    ``themes`` are the month's theme keys (programme.yml); ``reference`` names the
    reference period; ``whose`` the period the themes are of ("this month's", "period B's").
    """
    r = result
    what = r.measure.removeprefix("% ")
    head = (
        f"After allowing for {_casemix_allowing(themes, whose)}, {what} in {label} was "
        f"{format_pct(r.observed_pct)} ({r.observed} of {r.n}) against "
        f"{format_pct(r.expected_pct)} expected from {_possessive(reference)} rates for audits "
        "like these "
        f"({format_pct(r.reference_pct)} of all audits then)"
    )
    level = format_pct(100 * r.level)
    numbers = (
        f"observed/expected {_num(r.ratio, 2)}, {level} CI {_num(r.ci_low, 2)} to "
        f"{_num(r.ci_high, 2)}"
    )
    if r.better is None:
        return f"{head}: no difference from what this mix of cases would give ({numbers})."
    words = "better" if r.better else "worse"
    return f"{head}: {words} than its case mix predicts ({numbers})."


def _possessive(phrase: str) -> str:
    """'the previous 12 months' → "the previous 12 months'"; 'period A' → "period A's"."""
    return f"{phrase}'" if phrase.endswith("s") else f"{phrase}'s"


_MODEL_WORDS = {
    "good_or_better": ("logistic regression", "the odds of Good or better"),
    "inadequate": ("logistic regression", "the odds of Inadequate"),
    "ordinal": ("proportional-odds model", "the odds of a better judgement"),
}


def describe_regression_check(
    check: casemix.RegressionCheck,
    model: str,
    *,
    label: str,
    reference: str = "the previous 12 months",
) -> str:
    """'A logistic regression allowing for cohorts, teams and themed months puts the odds of
    Good or better in September 2020 at 2.53 times those of the previous 12 months (95% CI
    1.32 to 4.87; p = 0.005); unadjusted, 1.79 times.'

    ``model`` is "good_or_better", "inadequate" or "ordinal" (the whole scale).
    """
    name, odds = _MODEL_WORDS[model]
    row = check.month_effect(model)
    if row is None:
        why = next((note for note in check.notes if note.startswith(model)), "")
        reason = why.split(": ", 1)[-1] if why else ""
        return f"The {name} could not be fitted" + (f" ({reason})." if reason else ".")
    allowing = _join(
        [
            words
            for words, present in (
                ("cohorts", any(c.startswith(schema.COHORT_PREFIX) for c in check.covariates)),
                ("teams", schema.TEAM in check.covariates),
                ("themed months", casemix.THEMED_TERM in check.covariates),
            )
            if present
        ]
    )
    crude = check.crude.loc[check.crude["model"] == model, "odds_ratio"]
    crude_text = f"; unadjusted, {_num(float(crude.iloc[0]), 2)} times" if len(crude) else ""
    level = format_pct(100 * check.level)
    return (
        f"A {name} allowing for {allowing or 'nothing else'} puts {odds} in {label} at "
        f"{_num(float(row['odds_ratio']), 2)} times those of {reference} ({level} CI "
        f"{_num(float(row['ci_low']), 2)} to {_num(float(row['ci_high']), 2)}; "
        f"{format_p(float(row['p_value']))}){crude_text}."
    )


# ------------------------------------------------------------------- auditors
def describe_auditor_variation(overall: pd.DataFrame | pd.Series) -> str:
    """The overall figure only (the published profile may show this and nothing else):
    'After allowing for case mix, 9% of the variation in judgements lies between auditors
    (95% CI 5% to 23%; 12 auditors): more than chance would give (F test, p < 0.001).'

    ``overall`` is :meth:`auditors.AuditorEffects.overall` (or its one row).
    """
    row = overall.iloc[0] if isinstance(overall, pd.DataFrame) else overall

    def share(x: float) -> str:
        # a share that rounds to 0% but is not 0 says so
        return "under 1%" if 0 < 100 * x < 0.5 else format_pct(100 * x)

    head = (
        f"After allowing for case mix (cohorts, team and month), {share(float(row['icc']))} "
        f"of the variation in judgements lies between auditors (95% CI "
        f"{share(float(row['icc_low']))} to {share(float(row['icc_high']))}; "
        f"{int(row['auditors'])} auditors)"
    )
    p = format_p(float(row["p_value"]))
    if bool(row["significant"]):
        return f"{head}: more than chance would give (F test, {p})."
    return f"{head}: no more than chance would give (F test, {p}), so no difference between auditors is shown."


def describe_auditor_effects(effects: auditors.AuditorEffects) -> str:
    """The overall figure and the auditors outside the 99.8% funnel limits, by pseudonym
    (internal profile only): 'Auditor J grades harsher than the average auditor on like
    cases (by 0.75 of a grade, 95% CI 0.64 to 0.86), outside the 99.8% funnel limits.'"""
    overall = describe_auditor_variation(effects.overall())
    table = effects.auditors
    out = table[table["outside_998"]]
    if out.empty:
        n95 = int(table["outside_95"].sum())
        extra = f"; {n95} {'is' if n95 == 1 else 'are'} outside the 95% limits only" if n95 else ""
        return f"{overall} No auditor is outside the 99.8% funnel limits{extra}."
    parts = []
    for _, row in out.iterrows():
        words = "harsher than" if row["effect"] < 0 else "more generously than"
        parts.append(
            f"{row['auditor']} grades {words} the average auditor on like cases (by "
            f"{_num(abs(row['effect']), 2)} of a grade, 95% CI {_num(abs(row['ci_high'] if row['effect'] < 0 else row['ci_low']), 2)} "
            f"to {_num(abs(row['ci_low'] if row['effect'] < 0 else row['ci_high']), 2)})"
        )
    verb = "is" if len(out) == 1 else "are"
    return f"{overall} {_join(parts)}; {'that' if len(out) == 1 else 'those'} {verb} outside the 99.8% funnel limits."


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
