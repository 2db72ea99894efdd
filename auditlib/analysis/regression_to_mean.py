"""Regression to the mean in re-audits: how far would re-audited cases have moved with no
change in practice?

Cases are chosen for re-audit *because* their first judgement was poor. Any single
judgement carries some error, so a case picked for a poor first judgement will, on
average, be judged a little better the second time even if nothing about the work
has changed: regression to the mean. The re-audit "improvement" is therefore
compared with the movement expected under no change.

The model (stated in ``docs/methods.md``): a judgement is the case's true grade with
probability r and otherwise a draw from the grade distribution π of audits in
general. Two independent judgements of the same case then agree beyond chance with
Cohen's kappa κ = r², and a case first judged g would, with no change in practice,
be judged h the second time with probability

    P(h | g) = κ·[h = g] + (1 − κ)·π_h.

κ comes from auditor–moderator agreement (unweighted kappa). Moderators see the
auditor's judgement, so that κ overstates how reliable a single judgement is, and
the expected movement shown is, if anything, *less* than regression to the mean
would really give: an improvement beyond it is not an artefact of the allowance.
With no moderation data κ = 0 is used, which is the most regression to the mean
could give (judgements no better than chance).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from auditlib.analysis import stats
from auditlib.data import schema
from auditlib.lazy import LazyModule

sps = LazyModule("scipy.stats")

__all__ = [
    "ReauditExpectation",
    "expected_reaudit_change",
    "transition_under_no_change",
]

ReliabilitySource = Literal["moderation", "none"]


def transition_under_no_change(
    reference: Mapping[str, float] | pd.Series, reliability: float
) -> pd.DataFrame:
    """P(re-audit judgement | original judgement) with no change in practice.

    Rows: original judgement; columns: re-audit judgement (both best first); each row
    sums to 1.

    >>> t = transition_under_no_change({"Outstanding": 0, "Good": 20, "Requires Improvement": 60,
    ...     "Inadequate": 20}, 0.5)
    >>> t.loc["Inadequate"].round(2).tolist()
    [0.0, 0.1, 0.3, 0.6]
    """
    if not 0 <= reliability <= 1:
        raise stats.StatsError(f"reliability must be between 0 and 1, not {reliability!r}")
    labels = list(schema.JUDGEMENTS)
    counts = pd.Series(dict(reference), dtype=float).reindex(labels, fill_value=0.0)
    if counts.lt(0).any() or counts.sum() <= 0:
        raise stats.StatsError("the reference judgements need at least one graded audit")
    pi = (counts / counts.sum()).to_numpy()
    matrix = reliability * np.eye(len(labels)) + (1 - reliability) * np.tile(pi, (len(labels), 1))
    return pd.DataFrame(matrix, index=pd.Index(labels, name="original"), columns=labels)


@dataclass(frozen=True)
class ReauditExpectation:
    """Observed re-audit movement against the movement expected with no change in practice."""

    by_grade: pd.DataFrame  # one row per original judgement: pairs, observed and expected shares
    n: int
    observed_improved: int
    observed_declined: int
    expected_improved: float  # expected number of cases, with no change in practice
    expected_declined: float
    observed_mean_change: float  # mean change in score (re-audit − original; + is better)
    expected_mean_change: float
    difference: float  # observed − expected mean change: the improvement beyond regression
    ci_low: float
    ci_high: float
    p_value: float  # Monte Carlo, two-sided, under no change
    reliability: float
    reliability_source: ReliabilitySource
    reference: pd.Series  # the grade distribution π (shares, best first)
    level: float
    draws: int
    seed: int

    @property
    def pct_observed_improved(self) -> float:
        return 100 * self.observed_improved / self.n

    @property
    def pct_expected_improved(self) -> float:
        return 100 * self.expected_improved / self.n

    @property
    def pct_observed_declined(self) -> float:
        return 100 * self.observed_declined / self.n

    @property
    def pct_expected_declined(self) -> float:
        return 100 * self.expected_declined / self.n

    @property
    def significant(self) -> bool:
        """The observed movement differs from what no change would give (p < ALPHA)."""
        return bool(self.p_value < stats.ALPHA)

    def to_frame(self) -> pd.DataFrame:
        """Tidy: one row per original judgement plus an ``All`` row, with the overall figures."""
        total = pd.DataFrame(
            {
                "pairs": [self.n],
                "observed_improved": [self.observed_improved],
                "observed_same": [self.n - self.observed_improved - self.observed_declined],
                "observed_declined": [self.observed_declined],
                "expected_improved": [self.expected_improved],
                "expected_same": [self.n - self.expected_improved - self.expected_declined],
                "expected_declined": [self.expected_declined],
            },
            index=pd.Index(["All"], name="original"),
        )
        frame = pd.concat([self.by_grade, total])
        return frame.assign(
            observed_mean_change=self.observed_mean_change,
            expected_mean_change=self.expected_mean_change,
            difference=self.difference,
            ci_low=self.ci_low,
            ci_high=self.ci_high,
            p_value=self.p_value,
            reliability=self.reliability,
            reliability_source=self.reliability_source,
        ).reset_index()


def expected_reaudit_change(
    pairs: pd.DataFrame,
    reference: Mapping[str, float] | pd.Series,
    reliability: float | None = None,
    *,
    original: str = "original",
    reaudit: str = "reaudit",
    level: float = 0.95,
    draws: int = stats.MONTE_CARLO_DRAWS,
    seed: int = stats.MONTE_CARLO_SEED,
) -> ReauditExpectation:
    """Compare re-audit movement with the movement expected under no change in practice.

    ``pairs`` has the original and re-audit final judgements (pairs with Not recorded on
    either side are left out); ``reference`` counts the judgements of the audits the
    originals were chosen from (π); ``reliability`` is κ (None: 0, the most regression
    to the mean there could be). The test: the mean change in score (Inadequate 1 …
    Outstanding 4) against its distribution under no change, by Monte Carlo (``draws``
    simulated sets of re-audit judgements, fixed ``seed``; two-sided p =
    (1 + #{|simulated − expected| ≥ |observed − expected|}) / (draws + 1)). The
    interval for observed − expected is observed ± z·SD/√n (π and κ taken as known).
    """
    source: ReliabilitySource = "moderation" if reliability is not None else "none"
    kappa = float(np.clip(reliability, 0.0, 1.0)) if reliability is not None else 0.0
    labels = list(schema.JUDGEMENTS)
    graded = pairs.loc[pairs[original].isin(labels) & pairs[reaudit].isin(labels)]
    n = len(graded)
    if n == 0:
        raise stats.StatsError("no re-audit pairs with a judgement on both sides")
    transition = transition_under_no_change(reference, kappa)
    scores = np.array([schema.JUDGEMENT_SCORE[label] for label in labels], dtype=float)
    before = graded[original].astype(str).map(schema.JUDGEMENT_SCORE).to_numpy(dtype=float)
    after = graded[reaudit].astype(str).map(schema.JUDGEMENT_SCORE).to_numpy(dtype=float)
    change = after - before

    rows = []
    expected_total = 0.0
    expected_up = expected_down = 0.0
    rng = np.random.default_rng(seed)
    simulated = np.zeros(draws)
    for g, label in enumerate(labels):
        mine = graded[original].astype(str) == label
        count = int(mine.sum())
        probs = transition.loc[label].to_numpy()
        better = scores > scores[g]
        worse = scores < scores[g]
        e_up, e_down = float(probs[better].sum()), float(probs[worse].sum())
        if count:
            moved = change[mine.to_numpy()]
            rows.append(
                {
                    "original": label,
                    "pairs": count,
                    "observed_improved": int((moved > 0).sum()),
                    "observed_same": int((moved == 0).sum()),
                    "observed_declined": int((moved < 0).sum()),
                    "expected_improved": count * e_up,
                    "expected_same": count * (1 - e_up - e_down),
                    "expected_declined": count * e_down,
                }
            )
            expected_up += count * e_up
            expected_down += count * e_down
            expected_total += count * float(probs @ (scores - scores[g]))
            draws_g = rng.multinomial(count, probs, size=draws)
            simulated += draws_g @ (scores - scores[g])
    by_grade = pd.DataFrame(rows).set_index("original")
    observed_mean = float(change.mean())
    expected_mean = expected_total / n
    simulated_mean = simulated / n
    distance = np.abs(simulated_mean - expected_mean)
    observed_distance = abs(observed_mean - expected_mean)
    p_value = float((1 + np.sum(distance >= observed_distance * (1 - 1e-9))) / (draws + 1))
    z = float(sps.norm.ppf(1 - (1 - level) / 2))
    se = float(change.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    difference = observed_mean - expected_mean
    reference_counts = pd.Series(dict(reference), dtype=float).reindex(labels, fill_value=0.0)
    return ReauditExpectation(
        by_grade=by_grade,
        n=n,
        observed_improved=int((change > 0).sum()),
        observed_declined=int((change < 0).sum()),
        expected_improved=expected_up,
        expected_declined=expected_down,
        observed_mean_change=observed_mean,
        expected_mean_change=expected_mean,
        difference=difference,
        ci_low=difference - z * se,
        ci_high=difference + z * se,
        p_value=p_value,
        reliability=kappa,
        reliability_source=source,
        reference=reference_counts / reference_counts.sum(),
        level=level,
        draws=draws,
        seed=seed,
    )
