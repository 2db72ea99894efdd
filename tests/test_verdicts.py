"""Plain-English verdicts: built from the numbers, rounded half up, direction-aware."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditlib.analysis import comparisons, spc, stats
from auditlib.analysis.rounding import round_half_up
from auditlib.data import schema
from auditlib.report import wording

MONTHS = [f"{y}-{m:02d}" for y in (2018, 2019, 2020) for m in range(1, 13)][10:]  # from 2018-11


def _monthly_inadequate(rates: list[float], seed: int, n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    k = rng.binomial(n, rates)
    return pd.DataFrame({"k": k, "n": n}, index=MONTHS[: len(rates)])


# ------------------------------------------------------------------- rounding
def test_round_half_up_is_not_bankers_rounding():
    assert round(2.5) == 2  # Python rounds half to even …
    assert round_half_up(2.5) == 3  # … the report must not
    assert round_half_up(0.5) == 1
    assert round_half_up(14.5) == 15
    assert round_half_up(2.675, 2) == 2.68  # the float is 2.67499…; shown as typed
    assert round_half_up(-2.5) == -3  # half away from zero
    assert wording.format_pct(12.5) == "13%" and wording.format_pct(0.0) == "0%"
    assert wording.format_pct(-0.2) == "0%"  # never "-0%"


def test_format_p():
    assert wording.format_p(0.0004) == "p < 0.001"
    assert wording.format_p(0.0125) == "p = 0.013"
    assert wording.format_p(0.345) == "p = 0.35"
    assert wording.format_p(float("nan")) == "p not available"


# ------------------------------------------------------------------------ SPC
def test_planted_shift_is_a_significant_improvement():
    # % Inadequate around 25 % for 14 months, then around 8 % for 8 months
    data = _monthly_inadequate([0.25] * 14 + [0.08] * 8, seed=7)
    pct = 100 * data["k"] / data["n"]
    result = spc.compute_xmr(pct, improvement="down")
    verdict = wording.describe_spc(result, "% Inadequate", latest_label="June 2020", latest_n=60)
    assert verdict.startswith(
        f"% Inadequate in June 2020 ({wording.format_pct(pct.iloc[-1])}, n=60): "
    )
    assert "a significant improvement" in verdict
    assert "shift" in result.latest_rules
    below = (result.data["value"] < result.data["mean"]).to_numpy()
    run = int(np.cumprod(below[::-1]).sum())  # the trailing run of months below the average
    assert run >= 8 and f"{run} months in a row below the average" in verdict
    # the same data read as "Good or better" style (up is good) is a deterioration
    flipped = spc.compute_xmr(pct, improvement="up")
    assert "a significant deterioration" in wording.describe_spc(
        flipped, "% Inadequate", latest_n=60
    )


def test_stable_noise_is_within_normal_variation():
    data = _monthly_inadequate([0.20] * 22, seed=2020)
    pct = 100 * data["k"] / data["n"]
    xmr = spc.compute_xmr(pct, improvement="down")
    verdict = wording.describe_spc(xmr, "% Inadequate", latest_label="August 2020", latest_n=60)
    low, high = wording.format_pct(xmr.latest["lower"]), wording.format_pct(xmr.latest["upper"])
    assert verdict.endswith(f"within normal variation (the usual range is {low} to {high}).")
    # the p-chart of the same counts agrees, and shows its proportions as percentages
    p = spc.compute_p_chart(data["k"], data["n"], improvement="down")
    p_verdict = wording.describe_spc(p, "% Inadequate")
    assert "within normal variation" in p_verdict
    assert f"({wording.format_pct(100 * data['k'].iloc[-1] / 60)}, n=60)" in p_verdict


def test_too_few_audits_or_months_to_tell():
    data = _monthly_inadequate([0.25] * 14 + [0.08] * 8, seed=7)
    pct = 100 * data["k"] / data["n"]
    result = spc.compute_xmr(pct, improvement="down")
    assert "too few audits to tell" in wording.describe_spc(
        result, "% Inadequate", latest_n=comparisons.MIN_MONTH_AUDITS - 1
    )
    short = spc.compute_xmr(pct.iloc[: wording.MIN_SPC_POINTS - 1], improvement="down")
    assert "too few months to tell" in wording.describe_spc(short, "% Inadequate", latest_n=60)
    trial = spc.compute_xmr(pct.iloc[:10], improvement="down")
    assert "trial limits" in wording.describe_spc(trial, "% Inadequate", latest_n=60)


# ---------------------------------------------------------- period comparisons
def test_proportion_sentence_rounds_half_up_and_knows_direction():
    # 1 of 40 is 2.5 %: shown as 3 %, not Python's 2 %
    same = stats.compare_proportions(1, 40, 30, 600)
    text = wording.describe_proportion_comparison(
        same,
        "Inadequate",
        period="in September 2020",
        reference="over the previous 12 months",
        improvement="down",
    )
    assert text == (
        "3% Inadequate in September 2020 (n=40) against 5% over the previous 12 months (n=600): "
        f"no significant difference (Fisher's exact test, {wording.format_p(same.p_value)})."
    )
    drop = stats.compare_proportions(3, 100, 132, 600)
    down = wording.describe_proportion_comparison(
        drop,
        "Inadequate",
        period="in September 2020",
        reference="over the previous 12 months",
        improvement="down",
    )
    assert "a significant improvement of 19 percentage points (z test, p < 0.001)" in down
    # the same fall in Good or better is a deterioration
    up = wording.describe_proportion_comparison(
        drop,
        "Good or better",
        period="in September 2020",
        reference="in August 2020",
        improvement="up",
    )
    assert "a significant deterioration of 19 percentage points" in up


def test_distribution_sentence():
    better = stats.compare_distributions([10, 40, 40, 10], [2, 20, 50, 28])
    text = wording.describe_distribution_comparison(
        better, period="in September 2020", reference="over the previous 12 months"
    )
    assert text.startswith(
        "Judgements in September 2020 (n=100) compared with those over the previous 12 months (n=100): "
        "significantly better"
    )
    assert f"Cliff's delta {round_half_up(better.cliffs_delta, 2):.2f}" in text
    same = stats.compare_distributions([10, 40, 40, 10], [11, 39, 41, 9])
    assert "no significant shift" in wording.describe_distribution_comparison(
        same, period="a", reference="b"
    )


def test_reaudit_sentence():
    j = list(schema.JUDGEMENTS)
    t = pd.DataFrame(0, index=j, columns=j)
    t.loc[schema.INADEQUATE, schema.REQUIRES_IMPROVEMENT] = 30
    t.loc[schema.REQUIRES_IMPROVEMENT, schema.GOOD] = 25
    t.loc[schema.REQUIRES_IMPROVEMENT, schema.REQUIRES_IMPROVEMENT] = 40
    t.loc[schema.GOOD, schema.REQUIRES_IMPROVEMENT] = 5
    shift = stats.summarise_reaudit_shifts(t)
    text = wording.describe_reaudit_shift(shift)
    # the verdict, then always the regression-to-the-mean caveat
    assert text == (
        "Of 100 re-audited cases, 55% improved, 40% stayed the same and 5% declined: "
        "a significant overall improvement (Stuart–Maxwell p < 0.001). Cases are chosen for "
        "re-audit because their first judgement was poor, so some improvement is expected even "
        "with no change in practice (regression to the mean)."
    )


def _family_row(**values: object) -> pd.Series:
    base = {
        "comparison": "previous 12 months",
        "period": "September 2020",
        "reference": "the previous 12 months",
        "measure": "% Inadequate",
        "n_month": 60,
        "family_size": 6,
        "significant": False,
        "verdict": "no difference",
    }
    return pd.Series({**base, **values})


def test_adjusted_p_decides_significance_and_both_are_given():
    c = stats.compare_proportions(4, 60, 140, 612)
    assert c.p_value < stats.ALPHA
    text = wording.describe_proportion_comparison(
        c,
        "Inadequate",
        period="in September 2020",
        reference="over the previous 12 months",
        improvement="down",
        p_adjusted=0.08,
        family_size=6,
    )
    assert text.endswith(
        "no significant difference (z test, Holm-adjusted p = 0.080 for the month's 6 tests; "
        f"unadjusted {wording.format_p(c.p_value)})."
    )
    significant = wording.describe_proportion_comparison(
        c,
        "Inadequate",
        period="in September 2020",
        reference="over the previous 12 months",
        improvement="down",
        p_adjusted=0.02,
        family_size=6,
    )
    assert "a significant improvement of 16 percentage points (z test, Holm-adjusted p = 0.020" in (
        significant
    )
    d = stats.compare_distributions([10, 40, 40, 10], [2, 20, 50, 28])
    assert "no significant shift (Mann–Whitney test, Holm-adjusted p = 0.12" in (
        wording.describe_distribution_comparison(
            d, period="a", reference="b", p_adjusted=0.12, family_size=6
        )
    )


def test_family_sentence_says_which_p_is_adjusted_and_what_significant_means():
    family = pd.DataFrame({"significant": [False, False, True, False, False, False]})
    text = wording.describe_test_family(family)
    assert "SPC charts are the primary signal" in text
    assert "one family of six tests" in text and "Holm-adjusted for all six" in text
    assert "adjusted p is below 0.05" in text and "1 of the six is significant" in text
    assert "independent" in text
    assert wording.describe_test_family(family.iloc[:0]) == ""


def test_spc_and_test_disagreement_gets_one_sentence_saying_why():
    stable = spc.compute_xmr(
        100 * _monthly_inadequate([0.20] * 22, seed=2020)["k"] / 60, improvement="down"
    )
    assert stable.variation == "common_cause"
    # normal variation on the chart, significant against the pooled year
    pooled = wording.describe_spc_and_test(
        stable,
        _family_row(significant=True, verdict="improvement"),
        measure="% Inadequate",
    )
    assert pooled is not None and pooled.count(".") == 1
    assert "the previous 12 months pooled" in pooled and "sampling 60 audits" in pooled
    assert "month to month" in pooled
    # both say nothing happened: no sentence
    assert wording.describe_spc_and_test(stable, _family_row(), measure="% Inadequate") is None
    # a shift on the chart that no single-month test calls
    shifted = spc.compute_xmr(
        100 * _monthly_inadequate([0.25] * 14 + [0.08] * 8, seed=7)["k"] / 60, improvement="down"
    )
    rule = shifted.latest["rule"]  # two-in-three outranks the shift here, as in R
    assert rule == "two_in_three" and "shift" in shifted.latest_rules
    run = wording.describe_spc_and_test(
        shifted, _family_row(comparison="previous month", reference="August 2020"), measure="x"
    )
    assert run is not None and "run-based rule" in run
    assert spc.RULE_DESCRIPTIONS[rule] in run and "August 2020 alone" in run
    assert "6 tests" in run
    # both see the improvement: no sentence
    assert (
        wording.describe_spc_and_test(
            shifted, _family_row(significant=True, verdict="improvement"), measure="x"
        )
        is None
    )
    # too few months for an SPC verdict: nothing to reconcile
    short = spc.compute_xmr([5.0, 6.0, 7.0], improvement="down")
    assert wording.describe_spc_and_test(short, _family_row(significant=True), measure="x") is None


def test_funnel_and_kappa_sentences():
    n = np.array([12, 25, 40, 60, 80, 30, 45, 90, 20, 70])
    k = np.array([2, 5, 8, 11, 16, 6, 27, 3, 4, 14])
    counts = pd.DataFrame(
        {schema.INADEQUATE: k, "completed": n}, index=[f"Team {c}" for c in "ABCDEFGHIJ"]
    )
    f = stats.compute_funnel(counts, schema.INADEQUATE)
    text = wording.describe_funnel(f, "% Inadequate", improvement="down")
    assert text == (
        "2 of 10 teams are outside the 99.8% limits for % Inadequate (overall 20%): "
        "Team G (higher than expected, worse: 60% (27 of 45)) and Team H (lower than expected, better: 3% (3 of 90))."
    )
    table = pd.DataFrame(
        [[0, 4, 1], [0, 8, 0], [0, 1, 5]],
        index=list(schema.JUDGEMENTS)[:3],
        columns=list(schema.JUDGEMENTS)[:3],
    )
    kappa = stats.compute_kappa(table, weights="linear")
    assert wording.describe_kappa(kappa) == (
        "Agreement between auditors and moderators was moderate (linear weighted kappa 0.47, 95% CI 0.18 to 0.76; n=19)."
    )


@pytest.mark.parametrize(
    ("value", "word"),
    [(-0.1, "poor"), (0.1, "slight"), (0.55, "moderate"), (0.9, "almost perfect")],
)
def test_kappa_bands(value, word):
    res = stats.KappaResult(
        value, 0.1, value - 0.2, value + 0.2, 1.0, 0.5, 50, "none", 0.95, pd.DataFrame()
    )
    assert f"was {word} (kappa" in wording.describe_kappa(res)
