"""Auditor effects: a planted harsh auditor is found, by letter only; no effect, no difference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy.special import expit

from auditlib.analysis import auditors
from auditlib.data import schema
from auditlib.report import wording
from tests import synthetic_programme as synthetic

HARSH = 4  # the planted auditor's index: id TM105


@pytest.fixture(scope="module")
def harsh():
    audits, programme, base = synthetic.make_programme(seed=3, harsh_auditor=HARSH, harsh_steps=1)
    return (
        audits,
        auditors.auditor_effects(audits, synthetic.MONTHS, key="2022-01", programme=programme),
        base,
    )


@pytest.fixture(scope="module")
def null():
    audits, programme, _ = synthetic.make_programme(seed=3)
    return audits, auditors.auditor_effects(
        audits, synthetic.MONTHS, key="2022-01", programme=programme
    )


def _harsh_letter(audits: pd.DataFrame) -> str:
    return auditors.pseudonymise(audits[schema.AUDITOR_ID], "2022-01")[f"TM{HARSH + 101:03d}"]


def test_a_planted_harsh_auditor_is_recovered_within_its_interval(harsh):
    audits, result, base = harsh
    assert result.significant and result.p_value < 1e-6
    letter = _harsh_letter(audits)
    row = result.auditors.set_index("auditor").loc[letter]
    # one grade harsher on every case that was not already Inadequate; against the
    # audit-weighted average auditor (which includes this one) the effect is that shift
    # times (1 − this auditor's share of audits)
    mine = (audits[schema.AUDITOR_ID] == f"TM{HARSH + 101:03d}").to_numpy()
    not_inadequate = 1 - expit(synthetic.CUTS[0] - base[mine])
    truth = -not_inadequate.mean() * (1 - mine.mean())
    assert row["ci_low"] < truth < row["ci_high"]
    assert row["effect"] == pytest.approx(truth, abs=0.1)
    assert row["outside_998"] and row["direction"] == "harsher"
    # nobody else is outside the 99.8% limits
    assert result.auditors.loc[result.auditors["auditor"] != letter, "outside_998"].sum() == 0
    text = wording.describe_auditor_effects(result)
    assert f"{letter} grades harsher than the average auditor on like cases" in text
    assert "more than chance would give" in text


def test_the_anova_figures_match_a_direct_fixed_effects_fit(harsh):
    audits, result, _ = harsh
    frame = audits.assign(
        score=audits[schema.FINAL_JUDGEMENT].map(schema.JUDGEMENT_SCORE).astype(float),
        cse=audits[schema.COHORT_PREFIX + "cse"].astype(float),
        month=audits[schema.AUDIT_MONTH],
        team=audits[schema.TEAM],
        auditor=audits[schema.AUDITOR_ID],
    )
    base = smf.ols("score ~ cse + C(team) + C(month)", frame).fit()
    full = smf.ols("score ~ cse + C(team) + C(month) + C(auditor)", frame).fit()
    f_test = full.compare_f_test(base)
    assert result.f_statistic == pytest.approx(f_test[0], rel=1e-6)
    assert result.p_value == pytest.approx(f_test[1], abs=1e-12)
    assert result.sigma2_residual == pytest.approx(full.mse_resid, rel=1e-6)
    # each effect is the auditor's intercept less the audit-weighted mean intercept
    names = auditors.pseudonymise(frame["auditor"], "2022-01")
    ids = sorted(frame["auditor"].unique())
    intercepts = np.array([full.params.get(f"C(auditor)[T.{i}]", 0.0) for i in ids])
    weights = frame["auditor"].value_counts().reindex(ids).to_numpy() / len(frame)
    effects = pd.Series(intercepts - weights @ intercepts, index=[names[i] for i in ids])
    mine = result.auditors.set_index("auditor")["effect"]
    assert mine.to_numpy() == pytest.approx(effects.reindex(mine.index).to_numpy(), abs=1e-8)


def test_the_icc_agrees_with_a_random_intercept_model(harsh):
    audits, result, _ = harsh
    frame = audits.assign(
        score=audits[schema.FINAL_JUDGEMENT].map(schema.JUDGEMENT_SCORE).astype(float),
        cse=audits[schema.COHORT_PREFIX + "cse"].astype(float),
    )
    mixed = smf.mixedlm(
        "score ~ cse + C(team) + C(audit_month)", frame, groups=frame[schema.AUDITOR_ID]
    ).fit(reml=True)
    var_a = float(mixed.cov_re.iloc[0, 0])
    icc = var_a / (var_a + float(mixed.scale))
    assert result.icc == pytest.approx(icc, abs=0.01)
    assert result.icc_low < icc < result.icc_high


def test_no_auditor_effect_gives_no_difference(null):
    _, result = null
    assert not result.significant
    assert result.icc_low == 0 and result.icc < 0.01
    assert not result.auditors["outside_998"].any()
    text = wording.describe_auditor_variation(result.overall())
    assert "no more than chance would give" in text and "no difference between auditors" in text


def test_auditors_appear_only_by_letter_and_the_published_figure_names_none(harsh, null):
    audits, result, _ = harsh
    ids = set(audits[schema.AUDITOR_ID])
    letters = set(result.auditors["auditor"])
    assert letters == {f"Auditor {c}" for c in "ABCDEFGHIJKL"}
    for frame in (result.auditors, result.overall()):
        text = frame.to_csv()
        assert not any(i in text for i in ids)
    assert not any(i in wording.describe_auditor_effects(result) for i in ids)
    # the published figure has no auditor rows or letters at all
    _, programme, _ = synthetic.make_programme(seed=3, harsh_auditor=HARSH, harsh_steps=1)
    published = auditors.summarise_auditor_variation(audits, synthetic.MONTHS, programme=programme)
    assert len(published) == 1 and "auditor" not in published.columns
    assert "Auditor " not in published.to_csv()
    assert published["icc"].item() == pytest.approx(result.icc)


def test_pseudonyms_are_stable_within_a_key_and_do_not_follow_the_ids():
    ids = [f"TM{i:03d}" for i in range(1, 31)]
    first = auditors.pseudonymise(ids, "2020-09")
    assert first == auditors.pseudonymise(list(reversed(ids)), "2020-09")
    assert sorted(first.values(), key=lambda n: (len(n), n))[-1] == "Auditor AD"  # 30 letters
    assert [first[i] for i in ids] != sorted(first.values(), key=lambda n: (len(n), n))
    assert auditors.pseudonymise(ids, "2020-10") != first


def test_small_auditors_are_left_out_with_a_note():
    audits, programme, _ = synthetic.make_programme(seed=5, per_month=20)
    audits.loc[audits.index[:3], schema.AUDITOR_ID] = "TM999"  # an auditor with 3 audits
    result = auditors.auditor_effects(audits, synthetic.MONTHS, key="k", programme=programme)
    assert result.n_auditors == 12 and any("fewer than 5" in note for note in result.notes)
