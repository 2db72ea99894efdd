"""Case-mix adjusted comparisons: planted effects recovered, and no effect where there is none."""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from auditlib.analysis import casemix, stats
from auditlib.data import schema
from auditlib.report import wording
from tests import synthetic_programme as synthetic

REFERENCE = synthetic.MONTHS[:-1]
MONTH = synthetic.TEST_MONTH
CSE = schema.COHORT_PREFIX + "cse"


def _poisson_two_sided_by_definition(observed: int, expected: float) -> float:
    """Sum of P(X = x) over every x no more likely than the observed count."""
    d = sps.poisson.pmf(observed, expected)
    xs = np.arange(0, int(10 * expected + 50))
    pmf = sps.poisson.pmf(xs, expected)
    return float(pmf[pmf <= d * (1 + 1e-7)].sum())


def test_poisson_ratio_interval_and_test():
    # R: poisson.test(137, 24.19893) → rate 5.661407, 95% CI 4.753125 to 6.692709
    ratio, low, high, p = casemix.poisson_ratio(137, 24.19893)
    assert (ratio, low, high) == pytest.approx((5.661407, 4.753125, 6.692709), abs=5e-7)
    assert p < 2.2e-16
    # Garwood's interval by its definition: P(X ≥ O | low·E) = P(X ≤ O | high·E) = 2.5 %
    _, low, high, _ = casemix.poisson_ratio(4, 13.658)
    assert sps.poisson.sf(3, low * 13.658) == pytest.approx(0.025)
    assert sps.poisson.cdf(4, high * 13.658) == pytest.approx(0.025)
    for observed, expected in ((4, 13.658), (21, 11.94), (9, 9.0), (0, 2.5), (30, 29.2)):
        assert casemix.poisson_ratio(observed, expected)[3] == pytest.approx(
            _poisson_two_sided_by_definition(observed, expected), rel=1e-9
        )
    assert casemix.poisson_ratio(0, 2.5)[1] == 0
    with pytest.raises(stats.StatsError):
        casemix.poisson_ratio(3, 0)


def test_expected_rates_fall_back_to_coarser_strata():
    # the reference has 12 CSE audits in team A (enough for its own rate) but only 4 in team B
    reference = pd.DataFrame(
        {
            "cohorts": ["cse"] * 16 + ["none"] * 20,
            schema.TEAM: ["A"] * 12 + ["B"] * 4 + ["A"] * 20,
            schema.AUDIT_TYPE: schema.AUDIT,
            "good_or_better": [True] * 3 + [False] * 9 + [True] * 4 + [True] * 10 + [False] * 10,
        }
    )
    month = pd.DataFrame(
        {
            "cohorts": ["cse", "cse", "none", "cin"],
            schema.TEAM: ["A", "B", "A", "A"],
            schema.AUDIT_TYPE: schema.AUDIT,
            "good_or_better": [False, True, True, False],
        }
    )
    out = casemix._expected_rates(reference, month, "good_or_better")
    assert out["level"].tolist() == [0, 1, 0, 2]
    # team A's CSE rate 3/12; all CSE 7/16; team A's none 10/20; all audits 17/36
    assert out["expected"].tolist() == pytest.approx([3 / 12, 7 / 16, 10 / 20, 17 / 36])


def test_a_harder_themed_month_is_no_different_after_allowing_for_its_theme():
    audits, programme, _ = synthetic.make_programme(seed=4, cse_effect=-1.0, month_effect=0.0)
    frame = casemix.casemix_frame(audits, MONTH, programme)
    assert frame[CSE].mean() > 0.7 and frame["themed_month"].all()
    # crude: the themed month looks much worse than the year before it
    this = frame["good_or_better"]
    before = casemix.casemix_frame(audits, REFERENCE, programme)["good_or_better"]
    crude = stats.compare_proportions(int(this.sum()), len(this), int(before.sum()), len(before))
    assert crude.significant and crude.difference < -0.05
    for measure in casemix.OUTCOMES:
        result = casemix.standardise_month(audits, MONTH, REFERENCE, measure, programme=programme)
        assert result.verdict == "no difference", (measure, result.to_frame().T)
        assert result.ci_low < 1 < result.ci_high
        sentence = wording.describe_casemix(result, label="January 2022", themes=("cse",))
        assert sentence.startswith("After allowing for this month's CSE theme")
        assert "no difference from what this mix of cases would give" in sentence
    check = casemix.regression_check(audits, MONTH, REFERENCE, programme=programme)
    for model, sign in (("good_or_better", 1), ("inadequate", -1), ("ordinal", 1)):
        effect = check.month_effect(model)
        assert effect["ci_low"] < 1 < effect["ci_high"], model
        # the planted cohort effect (−1 on the logit; +1 for Inadequate) is recovered
        cse = check.coefficients.query("model == @model and term == @CSE").iloc[0]
        assert math.log(cse["ci_low"]) < sign * -1.0 < math.log(cse["ci_high"]), model
    assert check.crude["odds_ratio"].iloc[0] < 0.8  # the crude odds ratio says worse


def test_a_month_really_harder_is_found_and_its_size_recovered():
    planted = -0.8
    audits, programme, base = synthetic.make_programme(seed=4, month_effect=planted)
    result = casemix.standardise_month(audits, MONTH, REFERENCE, programme=programme)
    assert result.verdict == "lower than expected" and result.better is False
    # the true O/E: P(Good or better) with the month effect over without, for these audits
    mine = (audits[schema.AUDIT_MONTH] == MONTH).to_numpy()
    true_ratio = (
        synthetic.probability_good_or_better(base[mine] + planted).sum()
        / synthetic.probability_good_or_better(base[mine]).sum()
    )
    assert result.ci_low < true_ratio < result.ci_high
    assert "worse than its case mix predicts" in wording.describe_casemix(
        result, label="January 2022", themes=("cse",)
    )
    check = casemix.regression_check(audits, MONTH, REFERENCE, programme=programme)
    for model, sign in (("good_or_better", 1), ("inadequate", -1), ("ordinal", 1)):
        effect = check.month_effect(model)
        assert effect["ci_high"] < 1 if sign > 0 else effect["ci_low"] > 1
        assert math.log(effect["ci_low"]) < sign * planted < math.log(effect["ci_high"]), model
    text = wording.describe_regression_check(check, "ordinal", label="January 2022")
    assert text.startswith(
        "A proportional-odds model allowing for cohorts, teams and themed months puts the odds "
        "of a better judgement in January 2022 at"
    )


def test_no_effect_anywhere_gives_no_difference():
    audits, programme, _ = synthetic.make_programme(
        seed=9, cse_effect=0.0, month_effect=0.0, themed=()
    )
    for measure in casemix.OUTCOMES:
        result = casemix.standardise_month(audits, MONTH, REFERENCE, measure, programme=programme)
        assert result.verdict == "no difference" and result.better is None
        frame = result.to_frame()
        assert frame["verdict"].item() == "no difference"
        assert frame["observed"].item() == result.observed and result.n == 300
    sentence = wording.describe_casemix(result, label="January 2022")
    assert sentence.startswith("After allowing for this month's mix of cohorts and teams")
    check = casemix.regression_check(audits, MONTH, REFERENCE, programme=programme)
    assert all(
        check.month_effect(m)["ci_low"] < 1 < check.month_effect(m)["ci_high"]
        for m in ("good_or_better", "inadequate", "ordinal")
    )
    # no themed month at all: no themed-month covariate
    assert casemix.THEMED_TERM not in check.covariates
    tidy = check.to_frame()
    assert set(tidy["model"]) == {"good_or_better", "inadequate", "ordinal"}
    assert {"odds_ratio", "odds_ratio_crude", "p_value"} <= set(tidy.columns)


def test_casemix_frame_has_no_identifier_and_counts_not_recorded_in_the_shares():
    audits, programme, _ = synthetic.make_programme(seed=1, per_month=20)
    audits.loc[0, schema.FINAL_JUDGEMENT] = None  # completed with no judgement
    frame = casemix.casemix_frame(audits, synthetic.MONTHS[0], programme)
    assert not set(schema.IDENTIFIER_COLUMNS) & set(frame.columns)
    assert frame.loc[0, "judgement"] == schema.NOT_RECORDED and np.isnan(frame.loc[0, "score"])
    assert not frame.loc[0, "good_or_better"] and not frame.loc[0, "inadequate"]
    assert len(frame) == 20
    with pytest.raises(stats.StatsError, match="measure"):
        casemix.standardise_month(audits, MONTH, REFERENCE, "% Outstanding")


def test_a_period_of_several_months_against_another():
    # the shift report's use: period B (the last three months) against period A
    audits, programme, _ = synthetic.make_programme(seed=4, cse_effect=-1.0, month_effect=0.0)
    period_b = synthetic.MONTHS[-3:]
    result = casemix.standardise_month(
        audits, period_b, synthetic.MONTHS[:6], "% Inadequate", programme=programme
    )
    assert result.n == 900 and result.month == f"{period_b[0]} to {period_b[-1]}"
    assert result.verdict == "no difference"
    check = casemix.regression_check(audits, period_b, synthetic.MONTHS[:6], programme=programme)
    assert check.n == 2700 and check.month_effect("ordinal")["ci_low"] < 1


def test_adjust_month_on_the_demo_finds_september_better_than_its_harder_cases_predict():
    from auditlib.data import pipeline
    from auditlib.paths import DEMO_DATA_DIR

    data = pipeline.load_audit_data(DEMO_DATA_DIR)
    result = casemix.adjust_month(data.audits, data.programme, "2020-09")
    # the 12 months before September 2020 less the December and spring pauses
    assert result.themes == ("missing", "cse") and len(result.reference_months) == 8
    good = result.standardised["% Good or better"]
    # 21 of 61 Good or better; the previous 12 months' rates for these (mostly CSE-risk and
    # missing) cases predict fewer than the crude 23 %
    assert (good.observed, good.n) == (21, 61)
    assert good.expected_pct < good.reference_pct and good.better is True
    frame = result.to_frame()
    assert frame["measure"].tolist() == list(casemix.OUTCOMES)
    assert result.regression is not None and result.regression.month_effect("ordinal") is not None
    first = casemix.adjust_month(data.audits, data.programme, "2018-11")
    assert not first.standardised and first.notes


def test_the_sentence_names_any_reference_period():
    audits, programme, _ = synthetic.make_programme(seed=4, cse_effect=-1.0)
    result = casemix.standardise_month(audits, MONTH, REFERENCE, programme=programme)
    assert "expected from period A's rates for audits like these" in wording.describe_casemix(
        result, label="period B", reference="period A"
    )
    assert "from the previous 12 months' rates" in wording.describe_casemix(result, label="x")


def test_the_ordinal_models_gradient_is_the_likelihoods_and_the_fit_is_statsmodels():
    """The worked-out score equals finite differences of the likelihood, and the fit it
    gives is statsmodels' own OrderedModel fit (its score by finite differences)."""
    from scipy.optimize import approx_fprime
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    rng = np.random.default_rng(7)
    n = 400
    x = pd.DataFrame({"this_month": rng.integers(0, 2, n), "team_b": rng.integers(0, 2, n)})
    latent = 0.8 * x["this_month"] - 0.5 * x["team_b"] + rng.logistic(size=n)
    score = pd.Series(np.digitize(latent, [-1.0, 0.3, 1.5]), name="score")
    endog = pd.Series(pd.Categorical(score, categories=[0, 1, 2, 3], ordered=True))
    model = casemix._LogitOrderedModel(endog, x.astype(float), distr="logit")
    for params in rng.normal(0, 0.7, (3, len(model.start_params))):
        numeric = approx_fprime(params, model.loglike, 1e-7)
        assert np.allclose(model.score(params), numeric, rtol=1e-4, atol=1e-3)
    ours = casemix._fit_ordinal(score, x.astype(float))
    reference = OrderedModel(endog, x.astype(float), distr="logit").fit(
        method="bfgs", disp=False, maxiter=500
    )
    assert np.allclose(ours.params, reference.params, atol=1e-5)
    assert np.allclose(ours.bse, reference.bse, rtol=1e-3)


def _random_ordinal_model(seed: int, n: int, teams: int) -> object:
    """A proportional-odds model of random data: a month flag, cohort flags and team dummies."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({"this_month": rng.integers(0, 2, n), "cohort_a": rng.integers(0, 2, n)})
    team = rng.integers(0, teams, n)
    for t in range(1, teams):
        x[f"team: {t}"] = (team == t).astype(float)
    latent = 0.6 * x["this_month"] - 0.4 * x["cohort_a"] + 0.3 * team + rng.logistic(size=n)
    score = np.digitize(latent, [-1.0, 0.3, 1.5])
    endog = pd.Series(pd.Categorical(score, categories=[0, 1, 2, 3], ordered=True))
    return casemix._LogitOrderedModel(endog, x.astype(float), distr="logit")


@pytest.mark.parametrize(("seed", "n", "teams"), [(3, 300, 2), (11, 1500, 9), (29, 77, 5)])
def test_the_ordinal_hessian_is_statsmodels_numerical_one_to_the_last_bit(seed, n, teams):
    """The Hessian the standard errors come from is statsmodels' approx_hess of the
    likelihood exactly (figures.json's intervals must not move by a bit), at the fit and
    at random parameters, on random data and on the demo's model."""
    from statsmodels.miscmodels.ordinal_model import OrderedModel
    from statsmodels.tools.numdiff import approx_hess

    model = _random_ordinal_model(seed, n, teams)
    rng = np.random.default_rng(seed)
    fitted = model.fit(method="bfgs", disp=False, maxiter=500).params
    statsmodels_loglike = functools.partial(OrderedModel.loglike, model)
    for params in [np.asarray(fitted), *rng.normal(0, 0.7, (2, len(fitted)))]:
        expected = approx_hess(params, statsmodels_loglike)
        assert np.array_equal(model.hessian(params), expected)
        # the likelihood the optimiser sees is statsmodels' own, to the last bit, and the
        # gradient from the terms it kept is the gradient worked out afresh
        assert model.loglike(params) == statsmodels_loglike(params)
        kept = model.score(params)
        model._last_terms = None
        assert np.array_equal(kept, model.score(params))


def test_the_ordinal_hessian_on_the_demo_month_is_statsmodels_own():
    """The demo's September 2020 regression check: the month's interval is the one
    statsmodels' own numerical Hessian gives, to the last bit."""
    from statsmodels.miscmodels.ordinal_model import OrderedModel
    from statsmodels.tools.numdiff import approx_hess

    from auditlib.data.pipeline import load_audit_data
    from auditlib.paths import DEMO_DATA_DIR

    data = load_audit_data(DEMO_DATA_DIR)
    month = "2020-09"
    trend = casemix.metrics.judgement_trend(data.audits, data.programme, month)
    reference = casemix.reference_months_for(trend, month)
    frame = casemix.casemix_frame(data.audits, [*reference, month], data.programme)
    x, _ = casemix._design(frame, [month], [])
    graded = frame["score"].notna()
    xs = x.loc[graded]
    xs = xs.loc[:, xs.nunique() > 1]
    fit = casemix._fit_ordinal(frame.loc[graded, "score"], xs)
    params = np.asarray(fit.params)
    statsmodels_loglike = functools.partial(OrderedModel.loglike, fit.model)
    assert np.array_equal(fit.model.hessian(params), approx_hess(params, statsmodels_loglike))
    assert fit.model.loglike(params) == statsmodels_loglike(params)


def test_a_month_given_its_frame_ahead_is_the_month_worked_out_alone():
    """A month's report builds the case-mix frame once (with the auditor column) for the
    case mix and the auditors: each result equals the one built from the audits alone."""
    from auditlib.analysis import auditors
    from auditlib.data.pipeline import load_audit_data
    from auditlib.paths import DEMO_DATA_DIR

    data = load_audit_data(DEMO_DATA_DIR)
    for month in ("2020-09", "2019-06"):
        trend = casemix.metrics.judgement_trend(data.audits, data.programme, month)
        months = [*casemix.reference_months_for(trend, month), month]
        frame = casemix.casemix_frame(
            data.audits, months, data.programme, extra_columns=[schema.AUDITOR_ID]
        )
        alone = casemix.adjust_month(data.audits, data.programme, month, trend)
        given = casemix.adjust_month(data.audits, data.programme, month, trend, frame=frame)
        pd.testing.assert_frame_equal(given.to_frame(), alone.to_frame(), check_exact=True)
        pd.testing.assert_frame_equal(
            given.regression.coefficients, alone.regression.coefficients, check_exact=True
        )
        for measure, result in alone.standardised.items():
            pd.testing.assert_frame_equal(given.standardised[measure].strata, result.strata)
            assert schema.AUDITOR_ID not in given.standardised[measure].matched
        effects = auditors.auditor_effects(data.audits, months, key=month, programme=data.programme)
        shared = auditors.auditor_effects(
            data.audits, months, key=month, programme=data.programme, frame=frame
        )
        pd.testing.assert_frame_equal(shared.auditors, effects.auditors, check_exact=True)
        assert (shared.f_statistic, shared.icc) == (effects.f_statistic, effects.icc)
        assert schema.AUDITOR_ID in frame  # the caller's frame is left as it was


def test_stratum_rates_are_pandas_grouped_means_to_the_last_bit():
    """Counted in one pass, each stratum's rate is the grouped mean pandas gives (bit for
    bit), strata under MIN_STRATUM_AUDITS audits and blank keys left out."""
    rng = np.random.default_rng(17)
    n = 3000
    reference = pd.DataFrame(
        {
            "cohorts": rng.choice(["none", "cse", "cin+cse", "missing"], n).astype(object),
            schema.TEAM: rng.choice([f"T{i}" for i in range(25)], n).astype(object),
            schema.AUDIT_TYPE: rng.choice(["audit", "reaudit"], n).astype(object),
            "good_or_better": rng.random(n) < 0.37,
        }
    )
    reference.loc[reference.index[:7], schema.TEAM] = None
    for keys in casemix.STRATA:
        ours = casemix._stratum_rates(reference, keys, "good_or_better")
        table = reference.groupby(list(keys), observed=True)["good_or_better"].agg(["mean", "size"])
        table = table[table["size"] >= casemix.MIN_STRATUM_AUDITS]
        expected = dict(zip(table.index, table["mean"].to_numpy(dtype=float), strict=True))
        assert ours == expected and len(ours) >= 2
