"""Regression to the mean in re-audits: recovered on synthetic data with and without change."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditlib.analysis import regression_to_mean as rtm
from auditlib.analysis import stats
from auditlib.data import schema
from auditlib.report import wording

LABELS = list(schema.JUDGEMENTS)  # best first; scores 4 … 1
#: The synthetic programme: grade shares (no Outstanding), how often one judgement is the
#: case's true grade, and how likely a case is picked for re-audit by its first judgement.
PI = np.array([0.0, 0.25, 0.5, 0.25])
RATING_RELIABILITY = 0.8  # so two judgements agree beyond chance with kappa 0.64
PICK = np.array([0.0, 0.0, 0.15, 0.6])
PLANTED_CHANCE = 0.3  # with change: a re-audit is one grade better with this chance


def _rate(rng: np.random.Generator, truth: np.ndarray) -> np.ndarray:
    """One judgement per case: the true grade, or a draw from PI."""
    noise = rng.choice(4, size=len(truth), p=PI)
    return np.where(rng.random(len(truth)) < RATING_RELIABILITY, truth, noise)


def _programme(seed: int, change: bool) -> tuple[pd.DataFrame, pd.Series, float]:
    """Re-audit pairs, the reference counts and a moderation kappa, all simulated."""
    rng = np.random.default_rng(seed)
    truth = rng.choice(4, size=6000, p=PI)
    first = _rate(rng, truth)
    picked = rng.random(len(truth)) < PICK[first]
    second = _rate(rng, truth[picked])
    if change:
        better = (rng.random(len(second)) < PLANTED_CHANCE) & (second > 0)
        second = second - better  # a lower code is a better grade
    pairs = pd.DataFrame(
        {"original": np.array(LABELS)[first[picked]], "reaudit": np.array(LABELS)[second]}
    )
    reference = pd.Series(np.bincount(first, minlength=4), index=LABELS)
    # auditor and moderator: two independent judgements of 1,500 other cases
    cases = rng.choice(4, size=1500, p=PI)
    moderation = pd.DataFrame(
        {"auditor": np.array(LABELS)[_rate(rng, cases)], "moderator": np.array(LABELS)[_rate(rng, cases)]}
    )  # fmt: skip
    kappa = stats.compute_kappa(moderation, "auditor", "moderator", weights="none").kappa
    return pairs, reference, kappa


def test_transition_under_no_change_by_hand():
    t = rtm.transition_under_no_change(dict(zip(LABELS, [0, 20, 60, 20], strict=True)), 0.5)
    # Inadequate stays with 0.5 + 0.5 × 0.2; moves to RI with 0.5 × 0.6, to Good 0.5 × 0.2
    assert t.loc[schema.INADEQUATE].tolist() == pytest.approx([0, 0.1, 0.3, 0.6])
    assert t.sum(axis=1).tolist() == pytest.approx([1, 1, 1, 1])
    assert (rtm.transition_under_no_change({schema.GOOD: 1}, 1.0).to_numpy() == np.eye(4)).all()
    with pytest.raises(stats.StatsError, match="reliability"):
        rtm.transition_under_no_change({schema.GOOD: 1}, 1.5)


def test_the_models_kappa_is_the_reliability_squared():
    # two independent judgements of the same cases agree beyond chance with kappa = r²
    _, _, kappa = _programme(seed=3, change=False)
    assert kappa == pytest.approx(RATING_RELIABILITY**2, abs=0.04)


def test_no_change_regression_to_the_mean_alone_is_not_called_an_improvement():
    pairs, reference, kappa = _programme(seed=11, change=False)
    result = rtm.expected_reaudit_change(pairs, reference, kappa)
    # the naive paired test calls regression to the mean a significant improvement …
    naive = stats.summarise_reaudit_shifts(pairs, "original", "reaudit")
    assert naive.significant and naive.n_improved > 3 * naive.n_declined
    # … the comparison with no change does not
    assert result.n == len(pairs) > 500
    assert result.expected_mean_change > 0.1  # selection alone moves the cases up
    assert not result.significant
    assert result.ci_low < 0 < result.ci_high
    assert result.pct_observed_improved == pytest.approx(result.pct_expected_improved, abs=4)
    sentence = wording.describe_regression_to_mean(result)
    assert "does not show a change in practice beyond regression to the mean" in sentence
    assert f"kappa {wording._num(kappa, 2)}" in sentence


def test_a_planted_improvement_is_recovered_within_its_interval():
    pairs, reference, kappa = _programme(seed=11, change=True)
    result = rtm.expected_reaudit_change(pairs, reference, kappa)
    # no Outstanding in the programme, so every re-audit can move up: the true mean change
    # beyond regression to the mean is exactly the planted chance of one grade
    assert result.significant and result.p_value < 0.001
    assert result.ci_low < PLANTED_CHANCE < result.ci_high
    assert result.difference == pytest.approx(PLANTED_CHANCE, abs=0.08)
    assert "an improvement beyond regression to the mean" in wording.describe_regression_to_mean(
        result
    )


def test_without_moderation_the_largest_allowance_is_used_and_said():
    pairs, reference, _ = _programme(seed=11, change=True)
    result = rtm.expected_reaudit_change(pairs, reference, None)
    assert result.reliability == 0 and result.reliability_source == "none"
    # κ = 0: every re-audit judgement is expected to look like the reference population
    pi = reference / reference.sum()
    inadequate = result.by_grade.loc[schema.INADEQUATE]
    assert inadequate["expected_improved"] == pytest.approx(
        inadequate["pairs"] * (1 - pi[schema.INADEQUATE])
    )
    assert "no more reliable than chance" in wording.describe_regression_to_mean(result)


def test_the_tidy_frame_and_the_monte_carlo_seed():
    pairs, reference, kappa = _programme(seed=5, change=False)
    a = rtm.expected_reaudit_change(pairs, reference, kappa)
    b = rtm.expected_reaudit_change(pairs, reference, kappa)
    assert a.p_value == b.p_value  # fixed seed
    frame = a.to_frame()
    assert frame["original"].tolist()[-1] == "All"
    assert frame.loc[frame["original"] == "All", "pairs"].item() == a.n
    assert frame["observed_improved"].iloc[:-1].sum() == a.observed_improved
    # pairs with Not recorded are left out
    extra = pd.concat(
        [pairs, pd.DataFrame({"original": [schema.NOT_RECORDED], "reaudit": [schema.GOOD]})]
    )
    assert rtm.expected_reaudit_change(extra, reference, kappa).n == a.n
