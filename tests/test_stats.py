"""Statistics pinned to published reference values.

Sources (each test names its own):
- Newcombe RG (1998a) "Two-sided confidence intervals for the single proportion:
  comparison of seven methods", Stat Med 17:857–872, Table I (methods 3 and 5).
- Newcombe RG (1998b) "Interval estimation for the difference between independent
  proportions: comparison of eleven methods", Stat Med 17:873–890, method 10.
- R documentation examples: ``chisq.test`` (Agresti 2007 party × gender table,
  X² = 30.07, df 2, p = 2.954e-07), ``fisher.test`` (TeaTasting, p = 0.4857),
  ``prop.trend.test`` (smokers / patients, X² = 8.2249, p = 0.004132),
  ``mcnemar.test`` (Agresti's presidential approval table, McNemar's X² = 16.818,
  p = 4.115e-05).
- Agresti A (2013) *Categorical Data Analysis*, 3rd ed., §3.4 (2nd ed. §3.4.5): infant
  malformation × alcohol, linear-by-linear M² = 6.57 (scores 0, .5, 1.5, 4, 7) and 1.83
  (scores 1–5).
- statsmodels' own test suite: ``stats/tests/results/contingency_table_r_results.csv``
  (R values for Stuart–Maxwell and Bowker, shift_zeros=False) and
  ``stats/tests/test_inter_rater.py`` (SAS PROC FREQ printout for simple and weighted
  kappa with ASE and 95 % limits).
- Stuart A (1955), Biometrika 42:412–416, unaided distance vision of 7477 women:
  Stuart–Maxwell Q = 11.96 (R coin ``vision`` docs), p = 0.00753.
- R effsize ``cliff.delta`` (tests and source): delta = -0.25 and its three variance
  terms 0.2669753, 0.447, 1.0055556 (Cliff 1996 consistent estimator); delta = -0.44
  for the "double factor" example.
- Spiegelhalter DJ (2005) "Funnel plots for comparing institutional performance",
  Stat Med 24:1185–1202, Appendix A.1.1 (binomial limits with interpolation), §6
  (over-dispersion): checked against a direct computation from the binomial pmf.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats import contingency_tables as ct

from auditlib.analysis import stats
from auditlib.data import schema

J = list(schema.JUDGEMENTS)  # Outstanding, Good, Requires Improvement, Inadequate


# ---------------------------------------------------------- proportion intervals
@pytest.mark.parametrize(
    ("k", "n", "wilson", "exact"),
    [
        # Newcombe 1998a, Table I: method 3 (score) and method 5 (Clopper–Pearson)
        (81, 263, (0.2553, 0.3662), (0.2527, 0.3676)),
        (15, 148, (0.0624, 0.1605), (0.0578, 0.1617)),
        (0, 20, (0.0, 0.1611), (0.0, 0.1684)),
        (1, 29, (0.0061, 0.1718), (0.0009, 0.1776)),
    ],
)
def test_proportion_ci_matches_newcombe_table_1(k, n, wilson, exact):
    assert stats.proportion_ci(k, n) == pytest.approx(wilson, abs=5e-5)
    assert stats.proportion_ci(k, n, method="clopper-pearson") == pytest.approx(exact, abs=5e-5)


def test_proportion_ci_is_vectorised_and_never_wald():
    lo, hi = stats.proportion_ci(np.array([81, 15]), np.array([263, 148]))
    assert lo.tolist() == pytest.approx([0.2553, 0.0624], abs=5e-5)
    assert hi.tolist() == pytest.approx([0.3662, 0.1605], abs=5e-5)
    assert np.isnan(stats.proportion_ci(0, 0)[0])
    with pytest.raises(stats.StatsError, match="wilson"):
        stats.proportion_ci(3, 10, method="wald")  # type: ignore[arg-type]
    with pytest.raises(stats.StatsError):
        stats.proportion_ci(11, 10)


# ------------------------------------------------------ two-proportion comparison
def test_newcombe_difference_interval_method_10():
    # Newcombe 1998b: 56/70 − 48/80 → 0.0524 to 0.3339; 9/10 − 3/10 → 0.1705 to 0.8090
    a = stats.compare_proportions(56, 70, 48, 80)
    assert (a.ci_low, a.ci_high) == pytest.approx((0.0524, 0.3339), abs=5e-5)
    assert a.difference_pp == pytest.approx(20.0)
    b = stats.compare_proportions(9, 10, 3, 10)
    assert (b.ci_low, b.ci_high) == pytest.approx((0.1705, 0.8090), abs=5e-5)


def test_z_test_is_pearson_chi_square_without_correction():
    a = stats.compare_proportions(56, 70, 48, 80)
    chi2, p, _, _ = sps.chi2_contingency([[56, 14], [48, 32]], correction=False)
    assert a.z**2 == pytest.approx(chi2) and a.p_z == pytest.approx(p)
    assert a.test == "z" and a.p_value == a.p_z


def test_fisher_is_quoted_when_expected_counts_are_small():
    # R fisher.test(TeaTasting): p-value = 0.4857
    tea = stats.compare_proportions(3, 4, 1, 4)
    assert tea.test == "fisher"
    assert tea.p_value == pytest.approx(0.4857, abs=5e-5)
    assert not tea.significant


# ------------------------------------------------------- distribution comparison
def test_chi_square_and_cramers_v_match_r_chisq_test_example():
    # R chisq.test example (Agresti 2007): X-squared = 30.07, df = 2, p-value = 2.954e-07
    c = stats.compare_distributions([762, 327, 468], [484, 239, 477], labels=J[1:])
    assert c.chi_square.statistic == pytest.approx(30.07, abs=5e-3)
    assert c.chi_square.df == 2
    assert c.chi_square.p_value == pytest.approx(2.954e-07, rel=1e-3)
    assert c.cramers_v == pytest.approx(math.sqrt(c.chi_square.statistic / 2757))
    assert not c.small_expected and c.quoted is c.mann_whitney


def test_cochran_armitage_matches_r_prop_trend_test():
    # R: prop.trend.test(c(83, 90, 129, 70), c(86, 93, 136, 82)): X-squared = 8.2249, p = 0.004132.
    # The four groups are ordered columns; smokers / non-smokers are the two rows.
    smokers = np.array([83, 90, 129, 70])
    non_smokers = np.array([86, 93, 136, 82]) - smokers
    c = stats.compare_distributions(smokers, non_smokers)
    assert c.cochran_armitage.statistic == pytest.approx(8.2249, abs=5e-5)
    assert c.cochran_armitage.p_value == pytest.approx(0.004132, abs=5e-7)


def test_linear_by_linear_building_block_matches_agresti():
    # Agresti: M² = 6.57 (P = 0.010) with scores 0, .5, 1.5, 4, 7; 1.83 with scores 1–5
    table = np.array([[17066, 14464, 788, 126, 37], [48, 38, 5, 1, 1]])
    tab = ct.Table(table, shift_zeros=False)
    for scores, m2 in (([0, 0.5, 1.5, 4, 7], 6.57), ([1, 2, 3, 4, 5], 1.83)):
        res = tab.test_ordinal_association(
            row_scores=np.array([0.0, 1.0]), col_scores=np.array(scores, float)
        )
        assert res.zscore**2 == pytest.approx(m2, abs=5e-3)


def test_cliffs_delta_matches_effsize():
    # effsize tests: treatment c(10,10,20,20,20,30,30,30,40,50), control c(10,20,30,40,40,50) → -0.25
    values = np.array([10, 20, 30, 40, 50], dtype=float)
    treat = np.array([2, 3, 3, 1, 1])
    control = np.array([1, 1, 1, 2, 1])
    delta, (lo, hi) = stats._cliffs_delta(treat, control, values, 0.95)
    assert delta == pytest.approx(-0.25)
    # effsize source: the three variance terms are 0.2669753, 0.447 and 1.0055556, so
    # var = ((n2-1)·0.2669753 + (n1-1)·0.447 + 1.0055556) / (n1·n2), and the Feng–Cliff interval follows
    var = (5 * 0.2669753 + 9 * 0.447 + 1.0055556) / 60
    z = sps.norm.ppf(0.975)
    d = -0.25
    root = z * math.sqrt(var) * math.sqrt((1 - d**2) ** 2 + z**2 * var)
    assert (lo, hi) == pytest.approx(
        ((d - d**3 - root) / (1 - d**2 + z**2 * var), (d - d**3 + root) / (1 - d**2 + z**2 * var)),
        abs=1e-6,
    )
    # effsize "double factor": v = A B A C B | C B B C B → -0.44 (A < B < C)
    delta2, _ = stats._cliffs_delta(
        np.array([2, 2, 1]), np.array([0, 3, 2]), np.array([1.0, 2.0, 3.0]), 0.95
    )
    assert delta2 == pytest.approx(-0.44)


def test_cliffs_delta_and_mann_whitney_agree():
    # delta = 2U/(n1 n2) − 1, with U counting ties as a half; positive = period a better
    a = [5, 20, 12, 3]
    b = [2, 15, 20, 8]
    c = stats.compare_distributions(a, b)
    assert c.cliffs_delta == pytest.approx(2 * c.mann_whitney.statistic / (c.n_a * c.n_b) - 1)
    assert c.cliffs_delta > 0 and c.mean_score_a > c.mean_score_b
    assert c.cliffs_delta_ci[0] < c.cliffs_delta < c.cliffs_delta_ci[1]


def _exact_conditional_p(table: np.ndarray) -> tuple[float, float]:
    """Enumerate every 2×k table with the same margins: exact chi-square and rank-sum p."""
    rows, cols = table.sum(1), table.sum(0)
    n = table.sum()
    obs_chi = stats._chi2_stat(table.astype(float))
    centre = rows[0] * (n + 1) / 2
    obs_rs = abs(stats._rank_sum_first_row(table.astype(float)) - centre)
    p_chi = p_rs = 0.0
    for first in itertools.product(*(range(c + 1) for c in cols)):
        if sum(first) != rows[0]:
            continue
        t = np.array([first, cols - np.array(first)], dtype=float)
        prob = np.prod(
            [math.comb(int(c), int(a)) for c, a in zip(cols, first, strict=True)]
        ) / math.comb(int(n), int(rows[0]))
        if stats._chi2_stat(t) >= obs_chi * (1 - 1e-9):
            p_chi += prob
        if abs(stats._rank_sum_first_row(t) - centre) >= obs_rs * (1 - 1e-9):
            p_rs += prob
    return p_chi, p_rs


def test_small_tables_use_seeded_monte_carlo_close_to_the_exact_answer():
    a, b = [3, 2, 1, 0], [0, 2, 3, 4]
    c = stats.compare_distributions(a, b)
    assert c.small_expected
    assert c.chi_square_exact is not None and c.mann_whitney_exact is not None
    assert c.quoted is c.mann_whitney_exact
    p_chi, p_rs = _exact_conditional_p(np.array([a, b]))
    se = math.sqrt(0.25 / stats.MONTE_CARLO_DRAWS)
    assert c.chi_square_exact.p_value == pytest.approx(p_chi, abs=4 * se)
    assert c.mann_whitney_exact.p_value == pytest.approx(p_rs, abs=4 * se)
    # the same seed gives the same answer
    assert stats.compare_distributions(a, b).quoted.p_value == c.quoted.p_value


def test_cochrans_rule_in_full_an_expected_count_below_one_fails_it():
    # 60 audits this month against 1,000: Outstanding's expected count this month is
    # 10 × 60 / 1060 = 0.57. Only 1 of 8 expected counts is below 5 (12.5 %, within the 20 %
    # part of the rule), but one below 1 fails the rule: Monte Carlo p-values are quoted.
    c = stats.compare_distributions([0, 15, 30, 15], [10, 250, 500, 240])
    expected = np.outer([60, 1000], [10, 265, 530, 255]) / 1060
    assert expected.min() == pytest.approx(0.566, abs=5e-4)
    assert (expected < 5).mean() == 0.125
    assert stats.cochran_rule_fails(expected) == ["an expected count is below 1"]
    assert c.small_expected and c.quoted is c.mann_whitney_exact
    assert any("below 1" in note for note in c.notes)
    # with no count below 1 and none below 5 the rule holds
    assert stats.cochran_rule_fails(np.full((2, 4), 6.0)) == []
    assert not stats.compare_distributions([10, 15, 30, 15], [150, 250, 500, 240]).small_expected


def test_two_by_two_small_table_uses_fisher():
    c = stats.compare_distributions([3, 1], [1, 3], labels=[schema.GOOD, schema.INADEQUATE])
    assert c.chi_square_exact is not None and c.chi_square_exact.name == "Fisher's exact"
    assert c.chi_square_exact.p_value == pytest.approx(0.4857, abs=5e-5)  # R TeaTasting


def test_distribution_inputs_count_table_and_unused_labels():
    counts = pd.DataFrame(
        {schema.OUTSTANDING: [0, 0], schema.GOOD: [10, 4], schema.REQUIRES_IMPROVEMENT: [20, 20], schema.INADEQUATE: [5, 12],
         schema.NOT_RECORDED: [1, 0], "completed": [36, 36]},
        index=["2020-08", "2020-09"],
    )  # fmt: skip
    c = stats.compare_distributions(counts)
    assert list(c.table.index) == ["2020-08", "2020-09"]
    assert (c.n_a, c.n_b) == (35, 36)  # Not recorded is not on the scale
    assert any("Outstanding" in note for note in c.notes)
    assert c.chi_square.df == 2  # Outstanding absent from both periods is left out
    with pytest.raises(stats.StatsError, match="ordinal score"):
        stats.compare_distributions([1, 2], [3, 4], labels=[schema.GOOD, schema.NOT_RECORDED])


# ------------------------------------------------------------- re-audit shifts
VISION = np.array(
    [[1520, 266, 124, 66], [234, 1512, 432, 78], [117, 362, 1772, 205], [36, 82, 179, 492]]
)


def test_stuart_maxwell_matches_stuart_1955_vision():
    shift = stats.summarise_reaudit_shifts(pd.DataFrame(VISION, index=J, columns=J))
    assert shift.stuart_maxwell.statistic == pytest.approx(11.96, abs=5e-3)  # coin docs: Q = 11.96
    assert shift.stuart_maxwell.p_value == pytest.approx(0.00753, abs=5e-6)
    assert shift.stuart_maxwell.df == 3
    assert shift.n == 7477
    assert shift.n_same == int(np.trace(VISION))
    # rows are the original, columns the re-audit, best first: below the diagonal is an improvement
    assert shift.n_improved == int(np.tril(VISION, -1).sum())
    assert shift.n_improved + shift.n_same + shift.n_declined == shift.n


# statsmodels test_contingency_tables.py tables[2] and its R results (homog_stat, bowker_stat)
TABLE_WITH_A_ZERO = np.array([[20, 10, 5], [3, 30, 15], [0, 5, 40]])


def test_shift_zeros_trap_is_avoided():
    shift = stats.summarise_reaudit_shifts(
        pd.DataFrame(TABLE_WITH_A_ZERO, index=J[:3], columns=J[:3])
    )
    # R (statsmodels contingency_table_r_results.csv, row 3)
    assert shift.stuart_maxwell.statistic == pytest.approx(13.7647058823529, rel=1e-9)
    assert shift.stuart_maxwell.df == 2
    assert shift.bowker.statistic == pytest.approx(13.7692307692308, rel=1e-9)
    assert shift.bowker.p_value == pytest.approx(0.00323670650323545, rel=1e-7)
    # statsmodels' default shift_zeros=True adds 0.5 to the zero cell and gets different answers
    default = ct.SquareTable(TABLE_WITH_A_ZERO)
    assert default.homogeneity().statistic != pytest.approx(13.7647058823529, rel=1e-3)
    assert default.symmetry().statistic != pytest.approx(13.7692307692308, rel=1e-3)


def test_pairs_and_square_table_give_the_same_result():
    pairs = pd.DataFrame(
        {
            "original": [schema.INADEQUATE] * 5 + [schema.REQUIRES_IMPROVEMENT] * 6 + [schema.GOOD] * 3 + [schema.NOT_RECORDED],
            "reaudit": [schema.REQUIRES_IMPROVEMENT] * 3 + [schema.INADEQUATE] * 2 + [schema.GOOD] * 4
            + [schema.REQUIRES_IMPROVEMENT] * 2 + [schema.GOOD, schema.OUTSTANDING, schema.REQUIRES_IMPROVEMENT] + [schema.GOOD],
        }
    )  # fmt: skip
    a = stats.summarise_reaudit_shifts(pairs, "original", "reaudit")
    b = stats.summarise_reaudit_shifts(a.table)
    assert (a.n, a.n_excluded) == (14, 1)
    # improved: 3 (Inad→RI) + 4 (RI→Good) + 1 (Good→Outstanding); same: 2 + 2 + 1; declined: 1 (Good→RI)
    assert (a.n_improved, a.n_same, a.n_declined) == (8, 5, 1)
    assert a.pct_improved == pytest.approx(100 * 8 / 14)
    assert a.stuart_maxwell == b.stuart_maxwell and a.bowker == b.bowker


def test_mcnemar_matches_r_example_and_goes_exact_when_small():
    # R mcnemar.test(Performance): 794, 150 / 86, 570 → McNemar's chi-squared = 16.818, p = 4.115e-05
    t = pd.DataFrame(0, index=J, columns=J)
    t.loc[schema.GOOD, schema.GOOD], t.loc[schema.GOOD, schema.REQUIRES_IMPROVEMENT] = 794, 150
    (
        t.loc[schema.REQUIRES_IMPROVEMENT, schema.GOOD],
        t.loc[schema.REQUIRES_IMPROVEMENT, schema.REQUIRES_IMPROVEMENT],
    ) = (
        86,
        570,
    )
    m = stats.summarise_reaudit_shifts(t).mcnemar_good_or_better
    assert m.statistic == pytest.approx(16.818, abs=5e-4)
    assert m.p_value == pytest.approx(4.115e-05, abs=5e-9)
    # 1 lost Good-or-better, 7 gained: exact binomial p = 2 × P(X ≤ 1 | 8, ½) = 2 × 9/256
    small = pd.DataFrame(0, index=J, columns=J)
    small.loc[schema.GOOD, schema.INADEQUATE] = 1
    small.loc[schema.REQUIRES_IMPROVEMENT, schema.OUTSTANDING] = 7
    small.loc[schema.INADEQUATE, schema.INADEQUATE] = 10
    e = stats.summarise_reaudit_shifts(small)
    assert e.mcnemar_good_or_better.exact
    assert e.mcnemar_good_or_better.p_value == pytest.approx(2 * 9 / 256)
    assert (e.good_or_better_before, e.good_or_better_after) == (1, 7)


# A hand-worked Bowker case: Outstanding only on the diagonal, every other pair in use
BOWKER_HAND = [[5, 0, 0, 0], [0, 10, 3, 1], [0, 6, 20, 2], [0, 2, 4, 8]]


def test_bowker_counts_only_the_pairs_in_use():
    # (G,RI): (3−6)²/9 = 1; (G,I): (1−2)²/3 = 1/3; (RI,I): (2−4)²/6 = 2/3 → X² = 2 on 3 df.
    # Counting Outstanding's three empty pairs would give 6 df: p = 0.920 instead of 0.572.
    shift = stats.summarise_reaudit_shifts(pd.DataFrame(BOWKER_HAND, index=J, columns=J))
    assert shift.bowker.df == 3
    assert shift.bowker.statistic == pytest.approx(2.0)
    assert shift.bowker.p_value == pytest.approx(sps.chi2.sf(2.0, 3))
    assert shift.bowker.p_value == pytest.approx(0.5724067, abs=5e-7)
    assert sps.chi2.sf(2.0, 6) == pytest.approx(0.9196986, abs=5e-7)  # what 6 df would say
    # a pair between judgements in use but with no movement (Good ↔ Inadequate) is left out
    # too: X² = 1 + 2/3 on 2 df, p = exp(−5/6)
    t = np.array(BOWKER_HAND)
    t[1, 3] = t[3, 1] = 0
    r = stats.bowker_test(t)
    assert (r.df, r.statistic) == (2, pytest.approx(5 / 3))
    assert r.p_value == pytest.approx(math.exp(-5 / 6))
    # nothing moved at all: no pair, X² = 0, p = 1
    assert stats.bowker_test(np.diag([3, 4, 5, 6])) == stats.TestResult("Bowker", 0.0, 1.0, 0.0)
    with pytest.raises(stats.StatsError, match="square"):
        stats.bowker_test(np.ones((2, 3)))


def test_stuart_maxwell_leaves_out_categories_nobody_moved_through():
    t = pd.DataFrame(0, index=J, columns=J)
    t.loc[schema.OUTSTANDING, schema.OUTSTANDING] = 4  # no movement in or out: singular otherwise
    t.loc[schema.REQUIRES_IMPROVEMENT, schema.GOOD] = 9
    t.loc[schema.GOOD, schema.REQUIRES_IMPROVEMENT] = 2
    t.loc[schema.INADEQUATE, schema.REQUIRES_IMPROVEMENT] = 6
    t.loc[schema.REQUIRES_IMPROVEMENT, schema.REQUIRES_IMPROVEMENT] = 5
    shift = stats.summarise_reaudit_shifts(t)
    sub = t.loc[J[1:], J[1:]].to_numpy()
    expected = ct.SquareTable(sub, shift_zeros=False).homogeneity()
    assert shift.stuart_maxwell.statistic == pytest.approx(expected.statistic)
    assert np.isfinite(shift.stuart_maxwell.p_value) and shift.notes


# ---------------------------------------------------------------- funnel plots
def _spiegelhalter_limit(n: int, theta: float, p: float) -> float:
    """Appendix A.1.1 from the pmf: smallest r with F(r) ≥ p, interpolated."""
    cdf = 0.0
    for r in range(n + 1):
        below = cdf
        cdf += math.comb(n, r) * theta**r * (1 - theta) ** (n - r)
        if cdf >= p:
            return max(0.0, (r - (cdf - p) / (cdf - below)) / n)  # plotted no lower than 0
    raise AssertionError


@pytest.mark.parametrize(("n", "theta"), [(20, 0.2), (57, 0.15), (133, 0.31)])
def test_funnel_limits_follow_spiegelhalter_appendix(n, theta):
    for level in (0.95, 0.998):
        lo, hi = stats.funnel_limits(n, theta, level)
        assert lo[0] == pytest.approx(_spiegelhalter_limit(n, theta, (1 - level) / 2), abs=1e-12)
        assert hi[0] == pytest.approx(
            _spiegelhalter_limit(n, theta, 1 - (1 - level) / 2), abs=1e-12
        )


def test_funnel_limits_approach_the_normal_limits_for_large_n():
    lo, hi = stats.funnel_limits(20000, 0.2, 0.998)
    half = sps.norm.ppf(0.999) * math.sqrt(0.2 * 0.8 / 20000)
    assert (lo[0], hi[0]) == pytest.approx((0.2 - half, 0.2 + half), abs=2e-4)


def _team_counts() -> pd.DataFrame:
    n = np.array([12, 25, 40, 60, 80, 30, 45, 90, 20, 70])
    k = np.array([2, 5, 8, 11, 16, 6, 27, 3, 4, 14])  # team G high, team H low
    return pd.DataFrame(
        {schema.INADEQUATE: k, schema.GOOD: n - k, "completed": n},
        index=[f"Team {c}" for c in "ABCDEFGHIJ"],
    )


def _overdispersed_counts() -> pd.DataFrame:
    n = np.array([40, 55, 60, 35, 80, 45, 50, 70, 65, 30, 75, 42])
    k = np.array([2, 20, 6, 14, 9, 18, 4, 25, 8, 12, 30, 3])
    return pd.DataFrame(
        {schema.INADEQUATE: k, "completed": n}, index=[f"Team {i}" for i in range(12)]
    )


def test_funnel_flags_units_outside_the_limits():
    counts = _team_counts()
    f = stats.compute_funnel(counts, schema.INADEQUATE)
    u = f.units.set_index("unit")
    assert f.target == pytest.approx(96 / 472)
    assert u.loc["Team G", "outside_998"] and u.loc["Team G", "direction"] == "above"
    assert u.loc["Team H", "outside_998"] and u.loc["Team H", "direction"] == "below"
    assert not u.drop(["Team G", "Team H"])["outside_95"].any()
    theta = f.target
    assert u.loc["Team G", "z"] == pytest.approx(
        (27 / 45 - theta) / math.sqrt(theta * (1 - theta) / 45)
    )
    assert {"n", "lower_95", "upper_95", "lower_998", "upper_998"} <= set(f.limits.columns)
    assert f.limits["n"].max() >= 90


def test_funnel_overdispersion_phi_and_tau2_by_hand():
    counts = _overdispersed_counts()
    f_none = stats.compute_funnel(counts, schema.INADEQUATE)
    z = f_none.units["z"].to_numpy()
    lo, hi = np.quantile(z, [0.1, 0.9])
    phi = np.mean(np.clip(z, lo, hi) ** 2)
    mult = stats.compute_funnel(counts, schema.INADEQUATE, overdispersion="multiplicative")
    assert mult.phi == pytest.approx(phi) and phi > 1
    theta, n = mult.target, counts["completed"].to_numpy()
    u = mult.units
    assert u["upper_998"].to_numpy() == pytest.approx(
        theta + sps.norm.ppf(0.999) * np.sqrt(phi * theta * (1 - theta) / n)
    )
    add = stats.compute_funnel(counts, schema.INADEQUATE, overdispersion="additive")
    w = n / (theta * (1 - theta))
    tau2 = (12 * phi - 11) / (w.sum() - (w**2).sum() / w.sum())
    assert add.tau2 == pytest.approx(tau2)
    assert add.units["upper_95"].to_numpy() == pytest.approx(
        theta + sps.norm.ppf(0.975) * np.sqrt(theta * (1 - theta) / n + tau2)
    )
    # wider limits flag fewer units
    assert add.units["outside_95"].sum() <= f_none.units["outside_95"].sum()


def test_funnel_limits_are_widened_only_when_the_overdispersion_test_says_so():
    # φ̂ = 1.65 > 1, but 10 × 1.65 = 16.5 on χ²(9) gives p = 0.058: not over-dispersed, so
    # the exact binomial limits stay (the old code inflated whenever φ̂ > 1)
    n = np.array([40, 55, 60, 35, 80, 45, 50, 70, 65, 30])
    k = np.array([5, 9, 18, 4, 23, 12, 5, 18, 10, 9])
    counts = pd.DataFrame({schema.INADEQUATE: k, "completed": n})
    mild = stats.compute_funnel(counts, schema.INADEQUATE, overdispersion="multiplicative")
    assert mild.phi == pytest.approx(1.6452551, abs=5e-7)
    assert mild.overdispersion_p == pytest.approx(sps.chi2.sf(10 * mild.phi, 9))
    assert mild.overdispersion_p == pytest.approx(0.0580118, abs=5e-7)
    assert not mild.overdispersion_applied
    exact = stats.compute_funnel(counts, schema.INADEQUATE)
    assert mild.units["upper_998"].to_numpy() == pytest.approx(exact.units["upper_998"].to_numpy())
    additive = stats.compute_funnel(counts, schema.INADEQUATE, overdispersion="additive")
    assert additive.tau2 == 0 and not additive.overdispersion_applied
    # clearly over-dispersed (p < 0.001): widened
    strong = stats.compute_funnel(
        _overdispersed_counts(), schema.INADEQUATE, overdispersion="multiplicative"
    )
    assert strong.overdispersion_p < 0.001 and strong.overdispersion_applied
    tidy = strong.to_frame()
    assert len(tidy) == 12 and {"unit", "z", "phi", "overdispersion_applied"} <= set(tidy.columns)


def test_funnel_accepts_several_event_labels_and_skips_empty_units():
    counts = _team_counts()
    counts[schema.OUTSTANDING] = 0
    counts.loc["Team K"] = 0
    g = stats.compute_funnel(counts, schema.GOOD_OR_BETTER)
    assert g.target == pytest.approx(376 / 472)
    assert g.units.set_index("unit").loc["Team K", "direction"] == "no audits"
    assert not g.units.set_index("unit").loc["Team K", "outside_95"]
    with pytest.raises(stats.StatsError, match="strictly between"):
        stats.compute_funnel(counts, [schema.GOOD, schema.INADEQUATE])  # every audit is an event


# ------------------------------------------------------------------- agreement
TABLE10 = pd.DataFrame([[0, 4, 1], [0, 8, 0], [0, 1, 5]], index=J[:3], columns=J[:3])


def test_kappa_matches_sas_printout():
    # statsmodels test_inter_rater.py, SAS PROC FREQ: simple kappa 0.4842, ASE 0.1380, CI 0.2137–0.7547;
    # weighted (Cicchetti–Allison, i.e. linear) 0.4701, ASE 0.1457, CI 0.1845–0.7558
    simple = stats.compute_kappa(TABLE10, weights="none")
    assert (simple.kappa, simple.se, simple.ci_low, simple.ci_high) == pytest.approx(
        (0.4842, 0.1380, 0.2137, 0.7547), abs=5e-5
    )
    linear = stats.compute_kappa(TABLE10, weights="linear")
    assert (linear.kappa, linear.se, linear.ci_low, linear.ci_high) == pytest.approx(
        (0.4701, 0.1457, 0.1845, 0.7558), abs=5e-5
    )
    assert linear.p_value == pytest.approx(0.0010, abs=5e-5)


def _fce_kappa(table: np.ndarray, agreement_weights: np.ndarray) -> tuple[float, float]:
    """Weighted kappa and its large-sample SE, Fleiss, Cohen & Everitt (1969) eq. 13."""
    n = table.sum()
    p = table / n
    row, col = p.sum(1), p.sum(0)
    po = (agreement_weights * p).sum()
    pe = (agreement_weights * np.outer(row, col)).sum()
    kappa = (po - pe) / (1 - pe)
    wi = agreement_weights @ col
    wj = row @ agreement_weights
    terms = (p * (agreement_weights - (wi[:, None] + wj[None, :]) * (1 - kappa)) ** 2).sum()
    var = (terms - (kappa - pe * (1 - kappa)) ** 2) / (n * (1 - pe) ** 2)
    return kappa, math.sqrt(var)


def test_weighted_kappa_se_follows_fleiss_cohen_everitt():
    t = TABLE10.to_numpy(dtype=float)
    i, j = np.indices(t.shape)
    linear_w = 1 - np.abs(i - j) / 2
    # the hand formula reproduces SAS's linear ASE 0.1457 …
    assert _fce_kappa(t, linear_w) == pytest.approx((0.4701, 0.1457), abs=5e-5)
    # … and agrees with the quadratic result
    quad = stats.compute_kappa(TABLE10, weights="quadratic")
    assert (quad.kappa, quad.se) == pytest.approx(_fce_kappa(t, 1 - ((i - j) / 2) ** 2), rel=1e-9)


def test_grade_change_matrix_and_kappa_from_pairs():
    pairs = pd.DataFrame(
        {"auditor": [schema.GOOD, schema.GOOD, schema.INADEQUATE, schema.REQUIRES_IMPROVEMENT, schema.NOT_RECORDED],
         "moderator": [schema.GOOD, schema.REQUIRES_IMPROVEMENT, schema.INADEQUATE, schema.REQUIRES_IMPROVEMENT, schema.GOOD]}
    )  # fmt: skip
    m = stats.make_grade_change_matrix(pairs, "auditor", "moderator")
    assert list(m.index) == J and list(m.columns) == J
    assert m.loc[schema.GOOD, schema.REQUIRES_IMPROVEMENT] == 1 and m.to_numpy().sum() == 4
    k = stats.compute_kappa(pairs, "auditor", "moderator", weights="none")
    assert k.n == 4 and k.kappa == pytest.approx(stats.compute_kappa(m, weights="none").kappa)


# ------------------------------------------------------------------ tidy frames
def test_every_result_has_a_tidy_frame():
    p = stats.compare_proportions(4, 60, 140, 612)
    row = p.to_frame().iloc[0]
    assert (row["difference"], row["p_value"], row["test"]) == (p.difference, p.p_value, "z")
    d = stats.compare_distributions([0, 15, 30, 15], [10, 250, 500, 240])
    tests = d.to_frame()
    assert tests.loc[tests["quoted"], "test"].tolist() == [d.quoted.name]
    assert tests["p_value"].tolist()[0] == d.chi_square.p_value and tests["exact"].sum() == 2
    shift = stats.summarise_reaudit_shifts(pd.DataFrame(BOWKER_HAND, index=J, columns=J))
    frame = shift.to_frame()
    assert frame["test"].tolist()[:2] == ["Stuart–Maxwell", "Bowker"]
    assert frame.loc[frame["test"] == "Bowker", "df"].item() == 3
    long = shift.table_frame()
    assert len(long) == 16 and long["pairs"].sum() == shift.n
    assert (
        long.query("original == 'Good' and reaudit == 'Requires Improvement'")["pairs"].item() == 3
    )
    kappa = stats.compute_kappa(TABLE10, weights="linear").to_frame().iloc[0]
    assert kappa["kappa"] == pytest.approx(0.4701, abs=5e-5) and kappa["n"] == 19
