"""Statistics for judgement shifts: intervals, two-period tests, re-audit shifts,
team funnels and auditor–moderator agreement.

Every method, its constants and its published source are listed in
``docs/methods.md``; the tests in ``tests/test_stats.py`` pin each one to
published reference values. Nothing here rounds: rounding is for display
(:mod:`auditlib.report.wording`).

Judgement scales are ordered best first (``schema.JUDGEMENTS``); ordinal scores
come from ``schema.JUDGEMENT_SCORE`` (higher is better) and ``Not recorded`` is
left out of every test because it has no place on the scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from auditlib.data import schema
from auditlib.errors import AuditlibError
from auditlib.lazy import LazyModule

sps = LazyModule("scipy.stats")
ct = LazyModule("statsmodels.stats.contingency_tables")
inter_rater = LazyModule("statsmodels.stats.inter_rater")

__all__ = [
    "ALPHA",
    "EXPECTED_FLOOR",
    "EXPECTED_MIN",
    "EXPECTED_SMALL_SHARE",
    "FUNNEL_LEVELS",
    "MCNEMAR_EXACT_BELOW",
    "MIN_FUNNEL_UNITS",
    "MONTE_CARLO_DRAWS",
    "MONTE_CARLO_SEED",
    "WINSOR_SHARE",
    "DistributionComparison",
    "FunnelResult",
    "KappaResult",
    "ProportionComparison",
    "ReauditShift",
    "StatsError",
    "TestResult",
    "bowker_test",
    "cochran_rule_fails",
    "compare_distributions",
    "compare_proportions",
    "compute_funnel",
    "compute_kappa",
    "funnel_limits",
    "holm_adjust",
    "make_grade_change_matrix",
    "proportion_ci",
    "summarise_reaudit_shifts",
]

#: Significance level used by every verdict.
ALPHA = 0.05
#: Cochran's rule: the chi-square approximation is doubtful when any expected count is
#: below 1 or more than 20 % of expected counts are below 5 (Cochran 1954; Agresti 2013 §3.2).
EXPECTED_MIN = 5.0
#: A funnel plot needs at least this many units (teams, areas) with audits.
MIN_FUNNEL_UNITS = 3
EXPECTED_SMALL_SHARE = 0.20
EXPECTED_FLOOR = 1.0
#: Monte Carlo (conditional on both margins) replacement for small tables: draws and seed.
MONTE_CARLO_DRAWS = 20_000
MONTE_CARLO_SEED = 20181101
#: McNemar: exact binomial test when fewer than this many discordant pairs.
MCNEMAR_EXACT_BELOW = 25
#: Spiegelhalter (2005) winsorises z-scores at the 10th and 90th percentiles.
WINSOR_SHARE = 0.10
#: Funnel limits: two-sided coverage of the inner and outer limits.
FUNNEL_LEVELS = (0.95, 0.998)


class StatsError(AuditlibError):
    """Input that a statistical method cannot use (negative counts, k > n, …)."""


# --------------------------------------------------------------------- helpers
def _z(level: float) -> float:
    if not 0 < level < 1:
        raise StatsError(f"level must be between 0 and 1, not {level!r}")
    return float(sps.norm.ppf(1 - (1 - level) / 2))


def _as_counts(values: object, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if np.any(np.isnan(arr)) or np.any(arr < 0) or np.any(arr != np.round(arr)):
        raise StatsError(f"{name} must be whole numbers of audits, not negative or missing")
    return arr


def cochran_rule_fails(expected: np.ndarray) -> list[str]:
    """Why the chi-square approximation is doubtful for these expected counts (empty: it is not).

    Cochran's rule in full: no expected count below 1, and no more than 20 % below 5.

    >>> cochran_rule_fails(np.array([[0.8, 9.2], [6.0, 7.0]]))
    ['an expected count is below 1', 'more than 20% of expected counts are below 5']
    """
    reasons = []
    if (expected < EXPECTED_FLOOR).any():
        reasons.append(f"an expected count is below {EXPECTED_FLOOR:g}")
    if (expected < EXPECTED_MIN).mean() > EXPECTED_SMALL_SHARE:
        reasons.append(
            f"more than {EXPECTED_SMALL_SHARE:.0%} of expected counts are below {EXPECTED_MIN:g}"
        )
    return reasons


# ------------------------------------------------------ 1. proportion intervals
def proportion_ci(
    k: float | Sequence[float] | np.ndarray,
    n: float | Sequence[float] | np.ndarray,
    level: float = 0.95,
    method: Literal["wilson", "clopper-pearson"] = "wilson",
) -> tuple[float | np.ndarray, float | np.ndarray]:
    """Confidence interval for a proportion k/n; vectorised over arrays.

    ``wilson`` is the score interval (Wilson 1927; Newcombe 1998 method 3);
    ``clopper-pearson`` the exact interval (Newcombe method 5). The Wald interval
    is deliberately not offered. n = 0 gives (nan, nan).

    >>> lo, hi = proportion_ci(81, 263)
    >>> f"{lo:.4f} {hi:.4f}"
    '0.2553 0.3662'
    """
    k_arr = _as_counts(k, "k")
    n_arr = _as_counts(n, "n")
    if np.any(k_arr > n_arr):
        raise StatsError("k cannot be larger than n")
    z = _z(level)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "wilson":
            p = k_arr / n_arr
            denom = 1 + z**2 / n_arr
            centre = (p + z**2 / (2 * n_arr)) / denom
            half = z * np.sqrt(p * (1 - p) / n_arr + z**2 / (4 * n_arr**2)) / denom
            lo, hi = centre - half, centre + half
            # exact 0 and 1 at the boundaries (the closed form leaves rounding dust)
            lo = np.where(k_arr == 0, 0.0, lo)
            hi = np.where(k_arr == n_arr, 1.0, hi)
        elif method == "clopper-pearson":
            a = 1 - level
            lo = np.where(k_arr == 0, 0.0, sps.beta.ppf(a / 2, k_arr, n_arr - k_arr + 1))
            hi = np.where(k_arr == n_arr, 1.0, sps.beta.ppf(1 - a / 2, k_arr + 1, n_arr - k_arr))
        else:
            raise StatsError(
                f"unknown interval method {method!r}: use 'wilson' or 'clopper-pearson'"
            )
    lo = np.where(n_arr == 0, np.nan, lo)
    hi = np.where(n_arr == 0, np.nan, hi)
    if lo.ndim == 0:
        return float(lo), float(hi)
    return lo, hi


# ------------------------------------------------------- 2. multiple comparisons
def holm_adjust(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Holm's (1979) step-down adjusted p-values; NaN stays NaN and is not counted.

    The adjusted p of the i-th smallest of m p-values is max over j ≤ i of
    min(1, (m − j + 1) p₍ⱼ₎); "significant" then means adjusted p < ``ALPHA``,
    which keeps the chance of any false positive in the family at or below ALPHA.

    >>> holm_adjust([0.01, 0.04, 0.03]).round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    if ok.size:
        order = ok[np.argsort(p[ok], kind="stable")]
        m = ok.size
        stepped = np.minimum(1.0, (m - np.arange(m)) * p[order])
        out[order] = np.maximum.accumulate(stepped)
    return out


# ----------------------------------------------- 3a. two independent proportions
@dataclass(frozen=True)
class ProportionComparison:
    """A share in one period (1) against another (2). Proportions are 0–1."""

    k1: int
    n1: int
    k2: int
    n2: int
    p1: float
    p2: float
    difference: float  # p1 - p2
    ci_low: float  # Newcombe hybrid score interval for p1 - p2
    ci_high: float
    level: float
    z: float  # pooled two-proportion z (= signed root of Pearson chi-square)
    p_z: float
    p_fisher: float  # Fisher's exact test, two-sided
    test: Literal["z", "fisher"]  # the one a report quotes
    p_value: float  # the quoted one

    @property
    def difference_pp(self) -> float:
        """Difference in percentage points (p1 - p2) × 100."""
        return 100 * self.difference

    @property
    def significant(self) -> bool:
        return bool(self.p_value < ALPHA)

    def to_frame(self) -> pd.DataFrame:
        """One row: both shares, the difference with its interval and both tests."""
        return pd.DataFrame(
            [
                {
                    "k1": self.k1,
                    "n1": self.n1,
                    "k2": self.k2,
                    "n2": self.n2,
                    "p1": self.p1,
                    "p2": self.p2,
                    "difference": self.difference,
                    "ci_low": self.ci_low,
                    "ci_high": self.ci_high,
                    "z": self.z,
                    "p_z": self.p_z,
                    "p_fisher": self.p_fisher,
                    "test": self.test,
                    "p_value": self.p_value,
                    "significant": self.significant,
                }
            ]
        )


def compare_proportions(
    k1: int, n1: int, k2: int, n2: int, level: float = 0.95
) -> ProportionComparison:
    """Compare a share (e.g. % Inadequate) in period 1 with period 2.

    Effect size: p1 − p2 with Newcombe's hybrid score interval (Newcombe 1998b,
    method 10). Tests: the pooled z test (Pearson chi-square without continuity
    correction) and Fisher's exact test; the report quotes Fisher when any
    expected count is below 5, else z.
    """
    k1_, n1_, k2_, n2_ = (_as_counts(v, "counts") for v in (k1, n1, k2, n2))
    if k1_ > n1_ or k2_ > n2_:
        raise StatsError("k cannot be larger than n")
    if n1_ == 0 or n2_ == 0:
        raise StatsError("both periods need at least one completed audit to compare")
    p1, p2 = float(k1_ / n1_), float(k2_ / n2_)
    l1, u1 = proportion_ci(k1_, n1_, level)
    l2, u2 = proportion_ci(k2_, n2_, level)
    d = p1 - p2
    ci_low = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    ci_high = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)

    pooled = float((k1_ + k2_) / (n1_ + n2_))
    se0 = np.sqrt(pooled * (1 - pooled) * (1 / n1_ + 1 / n2_))
    if se0 == 0:  # both shares 0 % or both 100 %: nothing to test
        z, p_z = 0.0, 1.0
    else:
        z = float(d / se0)
        p_z = float(2 * sps.norm.sf(abs(z)))
    table = np.array([[k1_, n1_ - k1_], [k2_, n2_ - k2_]], dtype=int)
    p_fisher = float(sps.fisher_exact(table).pvalue)
    expected = np.outer([n1_, n2_], [k1_ + k2_, n1_ + n2_ - k1_ - k2_]) / (n1_ + n2_)
    test: Literal["z", "fisher"] = "fisher" if expected.min() < EXPECTED_MIN else "z"
    return ProportionComparison(
        k1=int(k1_),
        n1=int(n1_),
        k2=int(k2_),
        n2=int(n2_),
        p1=p1,
        p2=p2,
        difference=d,
        ci_low=float(ci_low),
        ci_high=float(ci_high),
        level=level,
        z=z,
        p_z=p_z,
        p_fisher=p_fisher,
        test=test,
        p_value=p_fisher if test == "fisher" else p_z,
    )


# ------------------------------------------------ 3b. two judgement distributions
@dataclass(frozen=True)
class TestResult:
    """One test: its statistic, degrees of freedom (if any) and p-value."""

    __test__ = False  # a result, not a pytest test class

    name: str
    statistic: float
    p_value: float
    df: float | None = None
    exact: bool = False  # True for exact / Monte Carlo permutation p-values


def _tests_frame(tests: Sequence[TestResult], quoted: TestResult | None = None) -> pd.DataFrame:
    """Tests as a tidy frame: test, statistic, df, p_value, exact (and quoted)."""
    return pd.DataFrame(
        {
            "test": [t.name for t in tests],
            "statistic": [t.statistic for t in tests],
            "df": [t.df for t in tests],
            "p_value": [t.p_value for t in tests],
            "exact": [t.exact for t in tests],
            "quoted": [t is quoted for t in tests],
        }
    )


@dataclass(frozen=True)
class DistributionComparison:
    """Two periods' judgement distributions (period a against period b)."""

    table: pd.DataFrame  # 2 × k counts: rows a, b; columns the judgement labels used
    n_a: int
    n_b: int
    chi_square: TestResult
    chi_square_exact: TestResult | None  # Monte Carlo (or Fisher for 2×2) when small
    small_expected: bool  # Cochran's rule failed
    cramers_v: float
    mann_whitney: TestResult  # asymptotic, tie- and continuity-corrected
    mann_whitney_exact: TestResult | None  # Monte Carlo permutation when small
    cliffs_delta: float  # P(a better than b) − P(a worse than b), on the ordinal scores
    cliffs_delta_ci: tuple[float, float]
    cochran_armitage: TestResult
    quoted: TestResult  # the ordinal test the report quotes
    mean_score_a: float
    mean_score_b: float
    level: float = 0.95
    notes: list[str] = field(default_factory=list)

    @property
    def significant(self) -> bool:
        return bool(self.quoted.p_value < ALPHA)

    def to_frame(self) -> pd.DataFrame:
        """One row per test run (name, statistic, df, p, exact, quoted) with the effect sizes."""
        tests = [
            self.chi_square,
            self.chi_square_exact,
            self.mann_whitney,
            self.mann_whitney_exact,
            self.cochran_armitage,
        ]
        return _tests_frame([t for t in tests if t is not None], quoted=self.quoted).assign(
            n_a=self.n_a,
            n_b=self.n_b,
            cramers_v=self.cramers_v,
            cliffs_delta=self.cliffs_delta,
            cliffs_delta_low=self.cliffs_delta_ci[0],
            cliffs_delta_high=self.cliffs_delta_ci[1],
            small_expected=self.small_expected,
        )


def _two_row_table(a: object, b: object | None, labels: Sequence[str]) -> pd.DataFrame:
    """Coerce two count vectors, a 2×k array or a count-table DataFrame to a 2×k frame."""
    if b is None:
        if isinstance(a, pd.DataFrame):
            missing = [lab for lab in labels if lab not in a.columns]
            if missing:
                raise StatsError(f"the count table has no column(s) {missing}")
            frame = a.loc[:, list(labels)]
            if len(frame) != 2:
                raise StatsError("a count table to compare must have exactly two rows (periods)")
            values = frame.to_numpy()
            index = [str(i) for i in frame.index]
        else:
            values = np.asarray(a)
            index = ["a", "b"]
            if values.shape != (2, len(labels)):
                raise StatsError(f"expected a 2 × {len(labels)} table of counts")
    else:
        va, vb = (
            (
                v.reindex(list(labels), fill_value=0).to_numpy()
                if isinstance(v, pd.Series)
                else np.asarray(v)
            )
            for v in (a, b)
        )
        if va.shape != (len(labels),) or vb.shape != (len(labels),):
            raise StatsError(f"each count vector needs {len(labels)} values, one per label")
        values = np.vstack([va, vb])
        index = ["a", "b"]
    values = _as_counts(values, "judgement counts").astype(int)
    return pd.DataFrame(values, index=index, columns=list(labels))


def _chi2_stat(tables: np.ndarray) -> np.ndarray:
    """Pearson X² for a stack of tables (…, r, c) with the margins of each table."""
    n = tables.sum(axis=(-2, -1), keepdims=True)
    e = tables.sum(axis=-1, keepdims=True) * tables.sum(axis=-2, keepdims=True) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        contrib = np.where(e > 0, (tables - e) ** 2 / e, 0.0)
    return contrib.sum(axis=(-2, -1))


def _rank_sum_first_row(tables: np.ndarray) -> np.ndarray:
    """Mid-rank sum of row 0 for 2×k tables whose columns are ordered categories."""
    col = tables.sum(axis=-2)
    upto = np.cumsum(col, axis=-1)
    midranks = upto - (col - 1) / 2
    return (tables[..., 0, :] * midranks).sum(axis=-1)


def _cliffs_delta(
    ca: np.ndarray, cb: np.ndarray, scores: np.ndarray, level: float
) -> tuple[float, tuple[float, float]]:
    """Cliff's delta from category counts, with the Cliff (1996) consistent variance and
    Feng & Cliff's asymmetric interval (as R effsize::cliff.delta with
    ``use.unbiased=FALSE, use.normal=TRUE``)."""
    n1, n2 = ca.sum(), cb.sum()
    dom = np.sign(np.subtract.outer(scores, scores))  # dom[i, j] = sign(score_i - score_j)
    fa, fb = ca / n1, cb / n2
    d_i = dom @ fb  # per category of a: mean dominance over b
    d_j = dom.T @ fa  # per category of b: mean dominance of a over it (as a column)
    d = float(fa @ d_i)
    d_adj = d * (n1 * n2 - 1) / (n1 * n2) if abs(d) == 1 else d
    # sums over individual observations, grouped by category
    s_i = (ca * (d_i - d_adj) ** 2).sum() / (n1 - 1) if n1 > 1 else 0.0
    s_j = (cb * (d_j - d_adj) ** 2).sum() / (n2 - 1) if n2 > 1 else 0.0
    ssr = (np.outer(ca, cb) * (dom - d_adj) ** 2).sum()
    s_ij = ssr / ((n1 - 1) * (n2 - 1)) if n1 > 1 and n2 > 1 else 0.0
    var = ((n2 - 1) * s_i + (n1 - 1) * s_j + s_ij) / (n1 * n2)
    z = _z(level)
    root = z * np.sqrt(var) * np.sqrt((1 - d_adj**2) ** 2 + z**2 * var)
    den = 1 - d_adj**2 + z**2 * var
    lo = (d_adj - d_adj**3 - root) / den if den > 0 else -1.0
    hi = (d_adj - d_adj**3 + root) / den if den > 0 else 1.0
    if d == 1:
        hi = 1.0
    if d == -1:
        lo = -1.0
    return d, (float(lo), float(hi))


def compare_distributions(
    a: object,
    b: object | None = None,
    *,
    labels: Sequence[str] = schema.JUDGEMENTS,
    level: float = 0.95,
    draws: int = MONTE_CARLO_DRAWS,
    seed: int = MONTE_CARLO_SEED,
) -> DistributionComparison:
    """Compare two periods' judgement distributions (a against b).

    Input: two count vectors over ``labels`` (best first; a pandas Series is
    aligned by label), a 2 × k array, or a two-row count table. ``Not recorded``
    is not on the ordinal scale and is left out by default.

    Reports the chi-square test of homogeneity (with Cramér's V), the
    Mann–Whitney test on the ordinal scores (with Cliff's delta and its interval)
    and the Cochran–Armitage trend test. When Cochran's rule fails (an expected
    count below 1, or more than 20 % below 5), exact alternatives are added —
    Fisher for a 2 × 2 table, else a Monte Carlo test conditional on both margins
    with a fixed seed — and the quoted ordinal test becomes the Monte Carlo
    permutation Mann–Whitney.
    """
    labels = tuple(labels)
    unknown = [lab for lab in labels if lab not in schema.JUDGEMENT_SCORE]
    if unknown:
        raise StatsError(f"labels {unknown} have no ordinal score; compare graded judgements only")
    frame = _two_row_table(a, b, labels)
    notes: list[str] = []
    keep = frame.sum(axis=0) > 0
    if not keep.all():
        notes.append(
            "judgements absent from both periods left out: "
            + ", ".join(str(c) for c in frame.columns[~keep])
        )
    used = frame.loc[:, keep]
    tab = used.to_numpy(dtype=float)
    n_a, n_b = int(tab[0].sum()), int(tab[1].sum())
    if n_a == 0 or n_b == 0:
        raise StatsError("both periods need at least one graded audit to compare")
    # Scores: higher is better; the table's columns are best first.
    scores = np.array([schema.JUDGEMENT_SCORE[c] for c in used.columns], dtype=float)
    n = tab.sum()
    k = tab.shape[1]

    # chi-square of homogeneity
    if k < 2:
        chi = TestResult("chi-square", 0.0, 1.0, 0.0)
        expected = tab
        cramers_v = 0.0
    else:
        stat, p, dof, expected = sps.chi2_contingency(tab, correction=False)
        chi = TestResult("chi-square", float(stat), float(p), float(dof))
        cramers_v = float(np.sqrt(stat / (n * (min(tab.shape) - 1))))
    cochran = cochran_rule_fails(np.asarray(expected, dtype=float)) if k >= 2 else []
    small = bool(cochran)

    # Mann–Whitney on the ordinal scores (expanded; scipy's tie-corrected normal approx.)
    xa = np.repeat(scores, tab[0].astype(int))
    xb = np.repeat(scores, tab[1].astype(int))
    if k < 2:
        mw = TestResult("Mann–Whitney", n_a * n_b / 2, 1.0)
    else:
        res = sps.mannwhitneyu(xa, xb, alternative="two-sided", method="asymptotic")
        mw = TestResult("Mann–Whitney", float(res.statistic), float(res.pvalue))

    delta, delta_ci = _cliffs_delta(tab[0], tab[1], scores, level)

    # Cochran–Armitage: N/(N−1) × the linear-by-linear statistic (Agresti 2013 §5.3.5; R prop.trend.test)
    if k < 2:
        ca = TestResult("Cochran–Armitage trend", 0.0, 1.0, 1.0)
    else:
        lbl = ct.Table(tab, shift_zeros=False).test_ordinal_association(
            row_scores=np.array([0.0, 1.0]), col_scores=scores
        )
        ca_stat = float(n / (n - 1) * lbl.zscore**2)
        ca = TestResult("Cochran–Armitage trend", ca_stat, float(sps.chi2.sf(ca_stat, 1)), 1.0)

    chi_exact: TestResult | None = None
    mw_exact: TestResult | None = None
    if small and k >= 2:
        if tab.shape == (2, 2):
            chi_exact = TestResult(
                "Fisher's exact",
                float("nan"),
                float(sps.fisher_exact(tab.astype(int)).pvalue),
                exact=True,
            )
        rng = np.random.default_rng(seed)
        sims = (
            sps.random_table(tab.sum(axis=1), tab.sum(axis=0), seed=rng)
            .rvs(size=draws)
            .astype(float)
        )
        if chi_exact is None:
            sim_chi = _chi2_stat(sims)
            # R's chisq.test(simulate.p.value = TRUE): (1 + #{X²* ≥ X²}) / (B + 1)
            p_mc = (1 + np.sum(sim_chi >= chi.statistic * (1 - 1e-7))) / (draws + 1)
            chi_exact = TestResult(
                "chi-square (Monte Carlo)", chi.statistic, float(p_mc), chi.df, exact=True
            )
        centre = n_a * (n + 1) / 2
        obs = abs(_rank_sum_first_row(tab) - centre)
        sim = np.abs(_rank_sum_first_row(sims) - centre)
        p_mw = (1 + np.sum(sim >= obs * (1 - 1e-7))) / (draws + 1)
        mw_exact = TestResult(
            "Mann–Whitney (Monte Carlo permutation)", mw.statistic, float(p_mw), exact=True
        )
        method = (
            "Fisher's exact test"
            if tab.shape == (2, 2)
            else f"Monte Carlo ({draws} draws, seed {seed})"
        )
        notes.append(
            f"Cochran's rule fails ({' and '.join(cochran)}): {method} p-values are quoted"
        )

    quoted = mw_exact if mw_exact is not None else mw
    return DistributionComparison(
        table=frame,
        n_a=n_a,
        n_b=n_b,
        chi_square=chi,
        chi_square_exact=chi_exact,
        small_expected=small,
        cramers_v=cramers_v,
        mann_whitney=mw,
        mann_whitney_exact=mw_exact,
        cliffs_delta=delta,
        cliffs_delta_ci=delta_ci,
        cochran_armitage=ca,
        quoted=quoted,
        mean_score_a=float(xa.mean()),
        mean_score_b=float(xb.mean()),
        level=level,
        notes=notes,
    )


# ---------------------------------------------------------- 4. re-audit shifts
@dataclass(frozen=True)
class ReauditShift:
    """Paired original → re-audit final judgements."""

    table: pd.DataFrame  # rows: original judgement; columns: re-audit judgement (best first)
    n: int
    n_excluded: int  # pairs with a Not recorded (or unknown) judgement on either side
    n_improved: int
    n_same: int
    n_declined: int
    stuart_maxwell: TestResult  # marginal homogeneity
    bowker: TestResult  # symmetry
    mcnemar_good_or_better: TestResult  # Good or better yes/no, before vs after
    good_or_better_before: int
    good_or_better_after: int
    notes: list[str] = field(default_factory=list)

    @property
    def pct_improved(self) -> float:
        return 100 * self.n_improved / self.n if self.n else float("nan")

    @property
    def pct_same(self) -> float:
        return 100 * self.n_same / self.n if self.n else float("nan")

    @property
    def pct_declined(self) -> float:
        return 100 * self.n_declined / self.n if self.n else float("nan")

    @property
    def significant(self) -> bool:
        return bool(self.stuart_maxwell.p_value < ALPHA)

    def to_frame(self) -> pd.DataFrame:
        """One row per test (Stuart–Maxwell quoted, Bowker, McNemar) with the counts."""
        return _tests_frame(
            [self.stuart_maxwell, self.bowker, self.mcnemar_good_or_better],
            quoted=self.stuart_maxwell,
        ).assign(
            pairs=self.n,
            improved=self.n_improved,
            same=self.n_same,
            declined=self.n_declined,
        )

    def table_frame(self) -> pd.DataFrame:
        """The original × re-audit table in long form: original, reaudit, pairs."""
        long = self.table.stack().rename("pairs").reset_index()
        long.columns = ["original", "reaudit", "pairs"]
        return long


def make_grade_change_matrix(
    data: pd.DataFrame,
    rows: str,
    columns: str,
    labels: Sequence[str] = schema.JUDGEMENTS,
) -> pd.DataFrame:
    """Cross-table of two judgement columns (e.g. auditor × moderator), full scale both ways.

    Pairs where either side is not one of ``labels`` are left out.

    >>> df = pd.DataFrame({"a": ["Good", "Good", "Inadequate"], "b": ["Good", "Outstanding", "Inadequate"]})
    >>> make_grade_change_matrix(df, "a", "b").loc["Good", "Outstanding"]
    np.int64(1)
    """
    for col in (rows, columns):
        if col not in data.columns:
            raise StatsError(f"no column {col!r} in the data")
    labels = list(labels)
    # Counted by label codes (-1: not a label), as a crosstab would but without its cost.
    codes = pd.Index(labels)
    a = codes.get_indexer(data[rows].astype(object)).astype(np.int64)
    b = codes.get_indexer(data[columns].astype(object)).astype(np.int64)
    pair = (a >= 0) & (b >= 0)
    k = len(labels)
    counts = np.bincount(a[pair] * k + b[pair], minlength=k * k).reshape(k, k)
    return pd.DataFrame(
        counts.astype("int64"),
        index=pd.Index(labels, name=rows),
        columns=pd.Index(labels, name=columns),
    )


def _square_table(
    data: pd.DataFrame, original: str | None, reaudit: str | None
) -> tuple[pd.DataFrame, int]:
    """A judgement × judgement table (best first) and the number of pairs left out."""
    labels = list(schema.JUDGEMENTS)
    if original is None and reaudit is None:
        unknown = (set(data.index) | set(data.columns)) - set(schema.JUDGEMENT_LABELS)
        if unknown:
            raise StatsError(
                f"a square table must be indexed by judgement labels, not {sorted(map(str, unknown))}"
            )
        table = data.reindex(index=labels, columns=labels, fill_value=0)
        _as_counts(table.to_numpy(), "table counts")
        excluded = int(data.to_numpy().sum() - table.to_numpy().sum())
        return table.astype("int64"), excluded
    if original is None or reaudit is None:
        raise StatsError("give both the original and the re-audit column, or a square table")
    table = make_grade_change_matrix(data, original, reaudit)
    return table, int(len(data) - table.to_numpy().sum())


def bowker_test(table: np.ndarray | pd.DataFrame) -> TestResult:
    """Bowker's test of symmetry over the pairs of categories in use.

    The rule: a pair (i, j) counts only when at least one case moved between
    them (nᵢⱼ + nⱼᵢ > 0). A pair with no movement has 0/0 as its term and carries
    no information about symmetry; counting it adds a degree of freedom and
    dilutes the test. So X² = Σ (nᵢⱼ − nⱼᵢ)² / (nᵢⱼ + nⱼᵢ)
    over the pairs in use, on as many degrees of freedom as there are such pairs;
    with none, X² = 0 and p = 1. A judgement seen only on the diagonal (e.g.
    Outstanding kept as Outstanding) adds no pair.

    >>> t = [[5, 0, 0, 0], [0, 10, 3, 1], [0, 6, 20, 2], [0, 2, 4, 8]]
    >>> r = bowker_test(t)
    >>> (r.df, round(r.statistic, 4), round(r.p_value, 4))
    (3.0, 2.0, 0.5724)
    """
    t = _as_counts(table, "table counts")
    if t.ndim != 2 or t.shape[0] != t.shape[1]:
        raise StatsError("Bowker's test needs a square table")
    upper, lower = t[np.triu_indices_from(t, 1)], t.T[np.triu_indices_from(t, 1)]
    moved = (upper + lower) > 0
    df = int(moved.sum())
    if df == 0:
        return TestResult("Bowker", 0.0, 1.0, 0.0)
    statistic = float((((upper - lower) ** 2)[moved] / (upper + lower)[moved]).sum())
    return TestResult("Bowker", statistic, float(sps.chi2.sf(statistic, df)), float(df))


def summarise_reaudit_shifts(
    data: pd.DataFrame,
    original: str | None = None,
    reaudit: str | None = None,
) -> ReauditShift:
    """Paired shifts from original audit to re-audit.

    ``data`` is either a frame of pairs (give the two column names) or a square
    table (index: original, columns: re-audit, the judgement labels). Reports the
    cross-table, the counts improved / same / declined, Stuart–Maxwell (marginal
    homogeneity) and Bowker (symmetry) tests — statsmodels ``SquareTable`` with
    ``shift_zeros=False``, since its default adds 0.5 to zero cells and changes
    both — and McNemar's test for Good or better (exact binomial when fewer than
    25 discordant pairs, else chi-square with continuity correction).
    """
    table, excluded = _square_table(data, original, reaudit)
    t = table.to_numpy(dtype=float)
    labels = list(table.index)
    n = int(t.sum())
    if n == 0:
        raise StatsError("no re-audit pairs with a judgement on both sides")
    # rows/columns are best first, so j < i (column left of the diagonal) is an improvement
    improved = int(np.tril(t, -1).sum())
    declined = int(np.triu(t, 1).sum())
    same = int(np.trace(t))
    notes: list[str] = []

    # Stuart–Maxwell: drop categories with no movement in or out (their margin difference
    # is exactly 0 with 0 variance, which makes the covariance matrix singular).
    movement = t.sum(0) + t.sum(1) - 2 * np.diag(t)
    keep = movement > 0
    if keep.sum() >= 2:
        sub = t[np.ix_(keep, keep)]
        hm = ct.SquareTable(sub, shift_zeros=False).homogeneity()
        sm = TestResult("Stuart–Maxwell", float(hm.statistic), float(hm.pvalue), float(hm.df))
        if not keep.all():
            notes.append(
                "Stuart–Maxwell leaves out judgements no case moved into or out of: "
                + ", ".join(lab for lab, kp in zip(labels, keep, strict=True) if not kp)
            )
    else:
        sm = TestResult("Stuart–Maxwell", 0.0, 1.0, 0.0)
    bw = bowker_test(t)
    if bw.df < len(labels) * (len(labels) - 1) / 2 and bw.df > 0:
        notes.append(
            f"Bowker's test uses the {int(bw.df)} pairs of judgements between which at least one "
            "case moved"
        )

    gob = np.array([lab in schema.GOOD_OR_BETTER for lab in labels])
    before_yes_after_no = t[np.ix_(gob, ~gob)].sum()
    before_no_after_yes = t[np.ix_(~gob, gob)].sum()
    two = np.array(
        [
            [t[np.ix_(gob, gob)].sum(), before_yes_after_no],
            [before_no_after_yes, t[np.ix_(~gob, ~gob)].sum()],
        ]
    )
    discordant = before_yes_after_no + before_no_after_yes
    if discordant == 0:
        mc = TestResult("McNemar", 0.0, 1.0, exact=True)
    elif discordant < MCNEMAR_EXACT_BELOW:
        r = ct.mcnemar(two, exact=True)
        mc = TestResult("McNemar (exact binomial)", float(r.statistic), float(r.pvalue), exact=True)
    else:
        r = ct.mcnemar(two, exact=False, correction=True)
        mc = TestResult("McNemar", float(r.statistic), float(r.pvalue), 1.0)
    return ReauditShift(
        table=table,
        n=n,
        n_excluded=excluded,
        n_improved=improved,
        n_same=same,
        n_declined=declined,
        stuart_maxwell=sm,
        bowker=bw,
        mcnemar_good_or_better=mc,
        good_or_better_before=int(t[gob, :].sum()),
        good_or_better_after=int(t[:, gob].sum()),
        notes=notes,
    )


# ------------------------------------------------------------- 5. funnel plots
def funnel_limits(
    n: float | Sequence[float] | np.ndarray, target: float, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Exact binomial control limits for a proportion at sample size(s) n.

    Spiegelhalter (2005), Appendix A.1.1: with r_p the p-quantile of
    Binomial(n, target) (smallest r with F(r) ≥ p) and
    α = (F(r_p) − p) / (F(r_p) − F(r_p − 1)), the limit is (r_p − α) / n.
    """
    if not 0 <= target <= 1:
        raise StatsError("the funnel target must be a proportion between 0 and 1")
    n_arr = np.atleast_1d(np.asarray(n, dtype=float))
    out = []
    for p in ((1 - level) / 2, 1 - (1 - level) / 2):
        r = sps.binom.ppf(p, n_arr, target)
        f_r = sps.binom.cdf(r, n_arr, target)
        f_below = sps.binom.cdf(r - 1, n_arr, target)
        with np.errstate(divide="ignore", invalid="ignore"):
            alpha = np.where(f_r > f_below, (f_r - p) / (f_r - f_below), 0.0)
            out.append(np.clip((r - alpha) / n_arr, 0.0, 1.0))
    return out[0], out[1]


@dataclass(frozen=True)
class FunnelResult:
    """Funnel plot data: one row per unit, and limit curves over n for plotting."""

    units: (
        pd.DataFrame
    )  # unit, n, k, p, z, lower_95 … upper_998, outside_95, outside_998, direction
    limits: pd.DataFrame  # n, lower_95, upper_95, lower_998, upper_998
    target: float
    overdispersion: Literal["none", "multiplicative", "additive"]
    phi: float  # Spiegelhalter's dispersion estimate from winsorised z-scores
    tau2: float  # additive between-unit variance (0 unless additive is applied)
    overdispersion_p: float  # chi-square test of phi = 1 on (units − 1) df
    measure: str
    overdispersion_applied: bool = False  # limits widened: asked for, and the test says so

    def to_frame(self) -> pd.DataFrame:
        """The units table with the funnel's settings as columns (tidy, one row per unit)."""
        return self.units.assign(
            target=self.target,
            measure=self.measure,
            overdispersion=self.overdispersion,
            overdispersion_applied=self.overdispersion_applied,
            phi=self.phi,
            overdispersion_p=self.overdispersion_p,
            tau2=self.tau2,
        )


def _winsorise(z: np.ndarray, share: float) -> np.ndarray:
    lo, hi = np.quantile(z, [share, 1 - share])
    return np.clip(z, lo, hi)


def compute_funnel(
    counts: pd.DataFrame,
    events: str | Sequence[str],
    total: str = "completed",
    *,
    target: float | None = None,
    overdispersion: Literal["none", "multiplicative", "additive"] = "none",
    grid_points: int = 200,
) -> FunnelResult:
    """Funnel plot data for a proportion across units (e.g. teams).

    ``counts`` is a count table indexed by unit; ``events`` names the label
    column(s) counted as events (e.g. ``schema.INADEQUATE`` or
    ``schema.GOOD_OR_BETTER``); ``total`` the denominator column. The target is
    the overall proportion unless given. Limits are exact binomial with
    Spiegelhalter's interpolation at 95 % and 99.8 %. With ``multiplicative``
    or ``additive`` overdispersion, φ̂ is estimated from z-scores winsorised at
    10 %/90 % and tested (Iφ̂ against χ²(I − 1)); only when that test is
    significant at ``ALPHA`` are the limits the normal ones inflated by φ̂, or
    widened by τ² (DerSimonian–Laird style), as in Spiegelhalter (2005).
    Otherwise the exact limits stay and ``overdispersion_applied`` is False.
    """
    cols = [events] if isinstance(events, str) else list(events)
    missing = [c for c in [*cols, total] if c not in counts.columns]
    if missing:
        raise StatsError(f"the count table has no column(s) {missing}")
    k = _as_counts(counts[cols].sum(axis=1).to_numpy(), "event counts")
    n = _as_counts(counts[total].to_numpy(), "totals")
    if np.any(k > n):
        raise StatsError("a unit has more events than audits")
    use = n > 0
    if use.sum() == 0:
        raise StatsError("no unit has any completed audits")
    theta = float(k[use].sum() / n[use].sum()) if target is None else float(target)
    if theta <= 0 or theta >= 1:
        raise StatsError("the funnel target must be strictly between 0 and 1")
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(use, k / n, np.nan)
        se = np.sqrt(theta * (1 - theta) / n)
        z = (p - theta) / se
    zu = z[use]
    n_units = int(use.sum())
    phi = float(np.mean(_winsorise(zu, WINSOR_SHARE) ** 2)) if n_units > 1 else 1.0
    od_p = float(sps.chi2.sf(n_units * phi, n_units - 1)) if n_units > 1 else 1.0
    if overdispersion not in ("none", "multiplicative", "additive"):
        raise StatsError("overdispersion must be 'none', 'multiplicative' or 'additive'")
    # Widen the limits only when the over-dispersion test says so (Iφ̂ beyond the upper
    # 5 % point of χ²(I − 1)); a φ̂ above 1 by chance alone is no reason to.
    overdispersed = n_units > 1 and od_p < ALPHA and phi > 1
    tau2 = 0.0
    if overdispersion == "additive" and overdispersed:
        w = 1 / se[use] ** 2
        tau2 = float((n_units * phi - (n_units - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    inflate = overdispersion == "multiplicative" and overdispersed

    def limits_at(nn: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        if (
            overdispersion == "none"
            or (overdispersion == "multiplicative" and not inflate)
            or (overdispersion == "additive" and tau2 == 0)
        ):
            return funnel_limits(nn, theta, level)
        var = theta * (1 - theta) / nn
        var = var * phi if overdispersion == "multiplicative" else var + tau2
        zq = _z(level)
        return np.clip(theta - zq * np.sqrt(var), 0, 1), np.clip(theta + zq * np.sqrt(var), 0, 1)

    units = pd.DataFrame(
        {
            "unit": [str(i) for i in counts.index],
            "n": n.astype(int),
            "k": k.astype(int),
            "p": p,
            "z": z if not inflate else z / np.sqrt(phi),
        }
    )
    if overdispersion == "additive" and tau2 > 0:
        units["z"] = (p - theta) / np.sqrt(se**2 + tau2)
    n_safe = np.where(use, n, 1.0)
    for level in FUNNEL_LEVELS:
        tag = _level_tag(level)
        lo, hi = limits_at(n_safe, level)
        units[f"lower_{tag}"] = np.where(use, lo, np.nan)
        units[f"upper_{tag}"] = np.where(use, hi, np.nan)
        units[f"outside_{tag}"] = use & ((p < lo) | (p > hi))
    outer = _level_tag(FUNNEL_LEVELS[-1])
    inner = _level_tag(FUNNEL_LEVELS[0])
    units["direction"] = np.select(
        [
            units[f"outside_{inner}"] & (units["p"] > theta),
            units[f"outside_{inner}"] & (units["p"] < theta),
        ],
        ["above", "below"],
        default="within",
    )
    units.loc[~use, "direction"] = "no audits"
    del outer

    grid = np.unique(np.round(np.linspace(1, max(n.max() * 1.1, 10), grid_points)))
    lim = pd.DataFrame({"n": grid})
    for level in FUNNEL_LEVELS:
        lo, hi = limits_at(grid, level)
        lim[f"lower_{_level_tag(level)}"] = lo
        lim[f"upper_{_level_tag(level)}"] = hi
    return FunnelResult(
        units=units,
        limits=lim,
        target=theta,
        overdispersion=overdispersion,
        phi=phi,
        tau2=tau2,
        overdispersion_p=od_p,
        measure=" or ".join(cols),
        overdispersion_applied=bool(inflate or tau2 > 0),
    )


def _level_tag(level: float) -> str:
    """0.95 → '95', 0.998 → '998' (column-name friendly)."""
    return f"{level * 100:g}".replace(".", "")


# ---------------------------------------------------------------- 6. agreement
@dataclass(frozen=True)
class KappaResult:
    """Cohen's kappa (weighted or not) with its asymptotic interval."""

    kappa: float
    se: float  # asymptotic standard error (Fleiss, Cohen & Everitt 1969)
    ci_low: float
    ci_high: float
    z: float  # test of kappa = 0 (uses the null standard error)
    p_value: float
    n: int
    weights: Literal["none", "linear", "quadratic"]
    level: float
    table: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """One row: kappa, its standard error and interval, the test of kappa = 0."""
        return pd.DataFrame(
            [
                {
                    "kappa": self.kappa,
                    "se": self.se,
                    "ci_low": self.ci_low,
                    "ci_high": self.ci_high,
                    "z": self.z,
                    "p_value": self.p_value,
                    "n": self.n,
                    "weights": self.weights,
                }
            ]
        )


def compute_kappa(
    data: pd.DataFrame,
    rater_a: str | None = None,
    rater_b: str | None = None,
    *,
    weights: Literal["none", "linear", "quadratic"] = "linear",
    level: float = 0.95,
) -> KappaResult:
    """Agreement between two raters (e.g. auditor and moderator) on the judgement scale.

    ``data`` is a frame of pairs (give both column names) or a square table.
    Linear (Cicchetti–Allison) or quadratic (Fleiss–Cohen) weights; the standard
    error and interval follow Fleiss, Cohen & Everitt (1969) as SAS PROC FREQ and
    statsmodels ``cohens_kappa`` compute them.
    """
    if rater_a is None and rater_b is None:
        table, _ = _square_table(data, None, None)
    else:
        if rater_a is None or rater_b is None:
            raise StatsError("give both rater columns, or a square table")
        table = make_grade_change_matrix(data, rater_a, rater_b)
    t = table.to_numpy(dtype=float)
    # drop categories neither rater used (they would only add empty rows/columns)
    used = (t.sum(0) + t.sum(1)) > 0
    t_used = t[np.ix_(used, used)]
    n = int(t.sum())
    if n == 0:
        raise StatsError("no pairs with a judgement from both raters")
    if weights not in ("none", "linear", "quadratic"):
        raise StatsError("weights must be 'none', 'linear' or 'quadratic'")
    # weights are distances between the categories' positions on the full scale
    positions = np.arange(len(table))[used].astype(float)
    if t_used.shape[0] < 2:
        raise StatsError("kappa needs at least two judgement categories in use")
    if weights == "none":
        res = inter_rater.cohens_kappa(t_used)
    else:
        res = inter_rater.cohens_kappa(t_used, weights=positions, wt=weights)
    z = _z(level)
    se = float(res.std_kappa)
    return KappaResult(
        kappa=float(res.kappa),
        se=se,
        ci_low=float(res.kappa - z * se),
        ci_high=float(res.kappa + z * se),
        z=float(res.z_value),
        p_value=float(res.pvalue_two_sided),
        n=n,
        weights=weights,
        level=level,
        table=table,
    )
