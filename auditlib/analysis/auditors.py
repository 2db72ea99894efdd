"""Auditor effects: how much of the variation in judgements lies between auditors?

Some auditors may grade harder than others. After allowing for case mix (cohort flags,
team and month), a random-intercept model of the judgement score (Inadequate 1 …
Outstanding 4) splits the remaining variation into a between-auditor part σ²ₐ and a
within-auditor part σ²ₑ; the intraclass correlation ICC = σ²ₐ / (σ²ₐ + σ²ₑ) is the share
that lies between auditors. Estimation is by the ANOVA method on the fixed-effects fit
(Searle, Casella & McCulloch 1992, ch. 3):

* RSS₀: the case-mix model without auditors; RSS₁: with an intercept per auditor;
  F = ((RSS₀ − RSS₁)/(k − 1)) / (RSS₁/(N − p₁)) — an exact test of "no auditor
  differences" under normal errors;
* σ²ₑ = RSS₁/(N − p₁), σ²ₐ = max(0, (MSₐ − σ²ₑ)/n₀) with n₀ = (N − Σnⱼ²/N)/(k − 1);
* the ICC's interval from the F distribution (Searle 1971; n₀ for unequal groups).

Each auditor's effect is their intercept minus the audit-weighted average intercept —
how many grades more generous (+) or harsher (−) than the average auditor, on like
cases — with ±z·σₑ/√nⱼ intervals: an auditor funnel on case-mix-adjusted scores.

Auditors are shown only by pseudonymous letters (:func:`pseudonymise`): letters are
assigned in the order of a keyed hash of the id, so they are stable within one report
(one key) and do not follow the ids' order or carry over between reports. No auditor id
leaves this module. The published profile shows only the overall figure
(:func:`summarise_auditor_variation`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from auditlib.analysis import casemix, stats
from auditlib.data import schema
from auditlib.data.programme import Programme
from auditlib.lazy import LazyModule

sparse = LazyModule("scipy.sparse")
sparse_linalg = LazyModule("scipy.sparse.linalg")
sps = LazyModule("scipy.stats")

__all__ = [
    "FUNNEL_LEVELS",
    "MIN_AUDITOR_AUDITS",
    "AuditorEffects",
    "auditor_effects",
    "pseudonymise",
    "summarise_auditor_variation",
]

#: Auditors with fewer graded audits than this are left out (their effect would be noise).
MIN_AUDITOR_AUDITS = 5
#: Funnel limits for the auditor effects (two-sided coverage), as the team funnels.
FUNNEL_LEVELS = stats.FUNNEL_LEVELS
#: Least-squares tolerance: the fits are exact to far below any figure shown.
_LSQR_TOLERANCE = 1e-12


def _letters(index: int) -> str:
    """0 → 'A', 25 → 'Z', 26 → 'AA', …"""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def pseudonymise(ids: Iterable[object], key: str) -> dict[str, str]:
    """A letter for each distinct id, in the order of SHA-256(key + id).

    The same ``key`` (e.g. the report's month or periods) always gives the same letters;
    the letters do not follow the ids' own order.

    >>> names = pseudonymise(["TM001", "TM002", "TM003"], key="2020-09")
    >>> sorted(names.values()), names == pseudonymise(["TM003", "TM001", "TM002"], "2020-09")
    (['Auditor A', 'Auditor B', 'Auditor C'], True)
    """
    distinct = sorted({str(i) for i in ids})
    order = sorted(distinct, key=lambda i: hashlib.sha256(f"{key}\x1f{i}".encode()).hexdigest())
    return {i: f"Auditor {_letters(n)}" for n, i in enumerate(order)}


@dataclass(frozen=True)
class AuditorEffects:
    """Between-auditor variation after case mix, and each auditor's adjusted effect."""

    auditors: pd.DataFrame  # one row per auditor (pseudonym): n, observed, expected, effect, …
    n: int  # graded audits analysed
    n_auditors: int
    f_statistic: float
    df_auditors: int
    df_residual: int
    p_value: float
    sigma2_auditor: float
    sigma2_residual: float
    icc: float
    icc_low: float
    icc_high: float
    level: float
    covariates: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def significant(self) -> bool:
        """Auditors differ by more than chance, after case mix (F test, p < ALPHA)."""
        return bool(self.p_value < stats.ALPHA)

    def overall(self) -> pd.DataFrame:
        """The overall figure only (one row; no auditor): for the published profile."""
        return pd.DataFrame(
            [
                {
                    "auditors": self.n_auditors,
                    "audits": self.n,
                    "icc": self.icc,
                    "icc_low": self.icc_low,
                    "icc_high": self.icc_high,
                    "f_statistic": self.f_statistic,
                    "df_auditors": self.df_auditors,
                    "df_residual": self.df_residual,
                    "p_value": self.p_value,
                    "significant": self.significant,
                }
            ]
        )


def _design(frame: pd.DataFrame, columns: Sequence[str]) -> tuple[sparse.csr_matrix, list[str]]:
    """Sparse design: intercept, then one-hot blocks (first level dropped) and 0/1 flags."""
    blocks = [sparse.csr_matrix(np.ones((len(frame), 1)))]
    names = ["intercept"]
    for column in columns:
        values = frame[column]
        if values.dtype == bool:
            if values.nunique() > 1:
                blocks.append(sparse.csr_matrix(values.to_numpy(dtype=float)[:, None]))
                names.append(column)
            continue
        codes, levels = pd.factorize(values, sort=True)
        if len(levels) < 2:
            continue
        rows = np.flatnonzero(codes > 0)
        block = sparse.csr_matrix(
            (np.ones(len(rows)), (rows, codes[rows] - 1)), shape=(len(frame), len(levels) - 1)
        )
        blocks.append(block)
        names += [f"{column}: {level}" for level in levels[1:]]
    return sparse.hstack(blocks, format="csr"), names


def _fit(design: sparse.csr_matrix, y: np.ndarray) -> tuple[np.ndarray, float, int]:
    """Least squares: coefficients, residual sum of squares and the design's rank.

    The one-hot blocks have full column rank (each drops its first level), so the rank is
    the number of columns.
    """
    solution = sparse_linalg.lsqr(
        design, y, atol=_LSQR_TOLERANCE, btol=_LSQR_TOLERANCE, iter_lim=10_000
    )
    beta = solution[0]
    residual = y - design @ beta
    return beta, float(residual @ residual), design.shape[1]


def auditor_effects(
    audits: pd.DataFrame,
    months: Iterable[str] | str,
    *,
    key: str,
    programme: Programme | None = None,
    level: float = 0.95,
    frame: pd.DataFrame | None = None,
) -> AuditorEffects:
    """Auditor effects on the judgement score over ``months``, after case mix.

    ``key`` seeds the pseudonyms (use one key per report). Completed, graded audits of
    type ``audit`` with an auditor; auditors with fewer than ``MIN_AUDITOR_AUDITS`` are
    left out (and counted in a note). ``frame``: the case-mix frame of those months with
    the auditor column (:func:`casemix.casemix_frame` with ``extra_columns``), when the
    caller has it already.
    """
    if schema.AUDITOR_ID not in audits:
        raise stats.StatsError("the audits have no auditor column, so auditors cannot be compared")
    if frame is None:
        frame = casemix.casemix_frame(audits, months, programme, extra_columns=[schema.AUDITOR_ID])
    frame = frame.loc[frame["score"].notna() & frame[schema.AUDITOR_ID].notna()].copy()
    names = pseudonymise(frame[schema.AUDITOR_ID], key)
    frame["auditor"] = frame.pop(schema.AUDITOR_ID).astype(str).map(names)
    counts = frame["auditor"].value_counts()
    few = counts[counts < MIN_AUDITOR_AUDITS].index
    notes = []
    if len(few):
        notes.append(
            f"{len(few)} auditor{'s' if len(few) != 1 else ''} with fewer than "
            f"{MIN_AUDITOR_AUDITS} graded audits left out"
        )
        frame = frame.loc[~frame["auditor"].isin(few)]
    if frame["auditor"].nunique() < 2:
        raise stats.StatsError("at least two auditors with enough graded audits are needed")
    cohorts = [c for c in frame.columns if c.startswith(schema.COHORT_PREFIX)]
    covariates = [*cohorts, schema.TEAM, schema.AUDIT_MONTH]
    y = frame["score"].to_numpy(dtype=float)
    base, base_names = _design(frame, covariates)
    # The full design is the base one with the auditors' block after it (built once).
    auditor_block, auditor_names = _design(frame, ["auditor"])
    full = sparse.hstack([base, auditor_block[:, 1:]], format="csr")
    full_names = [*base_names, *auditor_names[1:]]
    beta0, rss0, p0 = _fit(base, y)
    beta, rss1, p1 = _fit(full, y)
    n = len(frame)
    k = int(frame["auditor"].nunique())
    df_a, df_e = p1 - p0, n - p1
    if df_e <= 0:
        raise stats.StatsError("too few audits for the number of auditors, teams and months")
    ms_e = rss1 / df_e
    ms_a = (rss0 - rss1) / df_a
    f = ms_a / ms_e if ms_e > 0 else float("inf")
    p_value = float(sps.f.sf(f, df_a, df_e))
    sizes = frame["auditor"].value_counts()
    sizes = sizes.loc[sorted(sizes.index, key=lambda name: (len(name), name))]  # A … Z, AA …
    n0 = (n - float((sizes**2).sum()) / n) / (k - 1)
    sigma2_a = max(0.0, (ms_a - ms_e) / n0)
    icc = sigma2_a / (sigma2_a + ms_e)
    alpha = 1 - level
    f_low = f / sps.f.ppf(1 - alpha / 2, df_a, df_e)
    f_high = f / sps.f.ppf(alpha / 2, df_a, df_e)
    icc_low = float(np.clip((f_low - 1) / (f_low + n0 - 1), 0, 1))
    icc_high = float(np.clip((f_high - 1) / (f_high + n0 - 1), 0, 1))

    # each auditor's intercept (the first auditor is the baseline, 0) minus the weighted mean
    auditor_levels = list(sizes.index)
    intercepts = np.zeros(k)
    coef = dict(zip(full_names, beta, strict=True))
    for j, name in enumerate(auditor_levels):
        intercepts[j] = coef.get(f"auditor: {name}", 0.0)
    weights = sizes.to_numpy(dtype=float) / n
    effect = intercepts - float(weights @ intercepts)
    se = np.sqrt(ms_e / sizes.to_numpy(dtype=float))
    expected = pd.Series(base @ beta0, index=frame.index)  # case-mix expected score
    table = pd.DataFrame(
        {
            "auditor": auditor_levels,
            "audits": sizes.to_numpy(),
            "observed_mean": frame.groupby("auditor")["score"].mean().reindex(auditor_levels).to_numpy(),
            "expected_mean": expected.groupby(frame["auditor"]).mean().reindex(auditor_levels).to_numpy(),
            "effect": effect,
            "se": se,
        }
    )  # fmt: skip
    z = float(sps.norm.ppf(1 - alpha / 2))
    table["ci_low"] = table["effect"] - z * table["se"]
    table["ci_high"] = table["effect"] + z * table["se"]
    for funnel_level in FUNNEL_LEVELS:
        tag = f"{funnel_level * 100:g}".replace(".", "")
        half = float(sps.norm.ppf(1 - (1 - funnel_level) / 2)) * table["se"]
        table[f"outside_{tag}"] = table["effect"].abs() > half
    table["direction"] = np.select(
        [table["outside_95"] & (table["effect"] > 0), table["outside_95"] & (table["effect"] < 0)],
        ["more generous", "harsher"],
        "within",
    )
    return AuditorEffects(
        auditors=table,
        n=n,
        n_auditors=k,
        f_statistic=float(f),
        df_auditors=int(df_a),
        df_residual=int(df_e),
        p_value=p_value,
        sigma2_auditor=float(sigma2_a),
        sigma2_residual=float(ms_e),
        icc=float(icc),
        icc_low=icc_low,
        icc_high=icc_high,
        level=level,
        covariates=[c for c in covariates if any(n.startswith(c) for n in base_names)],
        notes=notes,
    )


def summarise_auditor_variation(
    audits: pd.DataFrame,
    months: Iterable[str] | str,
    *,
    programme: Programme | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Only the overall figure (one row: auditors, audits, ICC with its interval, F test):
    what the published profile may show. No auditor, not even by letter."""
    return auditor_effects(
        audits, months, key="published", programme=programme, level=level
    ).overall()
