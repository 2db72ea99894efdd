"""Synthetic audits with planted effects of known size, for the case-mix and auditor tests.

Each completed audit gets a latent quality

    latent = team effect + CSE_EFFECT·[in the CSE cohort] + month_effect·[the last month]
             + auditor_effect + logistic noise

and its judgement is the band of the latent between fixed cut-points (Inadequate below
−1.5, Requires Improvement to 1.0, Good to 3.5, Outstanding above). That is exactly a
proportional-odds model, so the ordinal model's coefficients are the planted effects, and
the logistic models of Good or better (and of Inadequate, with the sign turned) have the
same coefficients. Themed months draw ``THEME_SHARE`` of their audits from the CSE cohort.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

from auditlib.data import schema
from auditlib.data.programme import Programme

MONTHS = [f"2021-{m:02d}" for m in range(1, 13)] + ["2022-01"]
TEST_MONTH = MONTHS[-1]
CUTS = np.array([-1.5, 1.0, 3.5])  # Inadequate | RI | Good | Outstanding
CSE_SHARE = 0.1
THEME_SHARE = 0.8
TEAMS = [f"Team {c}" for c in "ABCDEF"]
TEAM_EFFECTS = np.array([0.3, 0.0, -0.2, 0.1, -0.3, 0.2])
AUDITORS = 12
#: Judgement codes best first, as schema.JUDGEMENTS.
_LABELS = np.array(schema.JUDGEMENTS)


def grade(latent: np.ndarray) -> np.ndarray:
    """Judgement labels from latent qualities (bands between the cut-points)."""
    band = np.searchsorted(CUTS, latent)  # 0 Inadequate … 3 Outstanding
    return _LABELS[3 - band]


def probability_good_or_better(linear: np.ndarray) -> np.ndarray:
    """P(Good or better) for a linear predictor (logistic noise)."""
    return expit(linear - CUTS[1])


def make_programme(
    seed: int,
    *,
    cse_effect: float = -1.0,
    month_effect: float = 0.0,
    themed: tuple[str, ...] = (MONTHS[5], TEST_MONTH),
    per_month: int = 300,
    harsh_auditor: int | None = None,
    harsh_steps: int = 0,
    auditor_sd: float = 0.0,
) -> tuple[pd.DataFrame, Programme, np.ndarray]:
    """Cleaned-looking audits, their programme (themes) and each audit's linear predictor
    *without* the month effect (to work out the true expected counts).

    ``harsh_auditor`` (an index) grades ``harsh_steps`` grades harsher than the latent
    says, on every audit (never below Inadequate); ``auditor_sd`` adds a normal random
    auditor effect to the latent.
    """
    rng = np.random.default_rng(seed)
    month = np.repeat(MONTHS, per_month)
    n = len(month)
    in_theme = np.isin(month, themed)
    cse = rng.random(n) < np.where(in_theme, THEME_SHARE, CSE_SHARE)
    team = rng.integers(0, len(TEAMS), n)
    auditor = rng.integers(0, AUDITORS, n)
    auditor_effects = rng.normal(0, auditor_sd, AUDITORS) if auditor_sd else np.zeros(AUDITORS)
    base = TEAM_EFFECTS[team] + cse_effect * cse + auditor_effects[auditor]
    latent = base + month_effect * (month == TEST_MONTH) + rng.logistic(size=n)
    judgement = grade(latent)
    if harsh_auditor is not None and harsh_steps:
        codes = pd.Series(judgement).map({label: i for i, label in enumerate(_LABELS)})
        codes = codes.to_numpy(dtype=int, copy=True)  # 0 best … 3 worst
        harsh = auditor == harsh_auditor
        codes[harsh] = np.minimum(codes[harsh] + harsh_steps, 3)
        judgement = _LABELS[codes]
    audits = pd.DataFrame(
        {
            schema.AUDIT_ID: [f"A{i:06d}" for i in range(n)],
            schema.AUDIT_TYPE: schema.AUDIT,
            schema.AUDIT_MONTH: month,
            schema.STATUS: schema.COMPLETED,
            schema.TEAM: np.array(TEAMS)[team],
            schema.AUDITOR_ID: [f"TM{a + 101:03d}" for a in auditor],
            schema.FINAL_JUDGEMENT: judgement,
            **{schema.COHORT_PREFIX + key: False for key in schema.COHORTS},
        }
    )
    audits[schema.COHORT_PREFIX + "cse"] = cse
    programme = Programme(
        "Synthetic Council",
        "Synthetic programme",
        MONTHS[0],
        MONTHS[0],
        themes={m: ("cse",) for m in themed},
    )
    return audits, programme, base
