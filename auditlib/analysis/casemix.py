"""Case-mix adjusted comparisons: is a month's change real, or a different mix of cases?

A themed month audits harder cases by design (children at risk of exploitation,
missing children, under-5s on a plan), and months differ in which teams were
audited. Two answers, for % Good or better and % Inadequate:

1. **Indirect standardisation** (:func:`standardise_month`). Each of the month's
   completed audits is matched with the reference period's rate for audits like it —
   the same cohorts, the same team, the same audit type. When the reference period has
   fewer than ``MIN_STRATUM_AUDITS`` such audits, the rate for the same cohorts and
   audit type across all teams is used, and failing that the rate for the audit type.
   Expected E = the sum of those rates; observed O = the month's count. O/E with an
   exact Poisson interval (Garwood 1936; Ulm 1990) and the exact Poisson test (as R's
   ``poisson.test(O, E)``): below 1 means fewer events than this mix of cases would
   have had in the reference period.
2. **A regression check** (:func:`regression_check`) on the reference period and the
   month together: logistic regressions (statsmodels ``Logit``) of Good or better and
   of Inadequate, and a proportional-odds model of the whole scale (statsmodels
   ``OrderedModel``), each with an indicator for the month, the cohort flags, the team
   (teams with fewer than ``MIN_TEAM_AUDITS`` audits pooled) and a themed-month flag.
   The month's coefficient is its adjusted log odds ratio against the reference period.

Every function returns, or has a ``to_frame`` giving, a tidy DataFrame; the audit-level
data the models use is :func:`casemix_frame`. Judgements are final judgements of
completed audits; *Not recorded* counts in the denominator of the two shares (as in the
report's own figures) and is left out of the ordinal model.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from auditlib.analysis import comparisons, metrics, stats
from auditlib.data import schema
from auditlib.data.programme import Programme
from auditlib.lazy import LazyModule

discrete_model = LazyModule("statsmodels.discrete.discrete_model")
sm_tools = LazyModule("statsmodels.tools.tools")
special = LazyModule("scipy.special")
sps = LazyModule("scipy.stats")

__all__ = [
    "MIN_STRATUM_AUDITS",
    "MIN_TEAM_AUDITS",
    "STRATA",
    "CasemixResult",
    "MonthCasemix",
    "RegressionCheck",
    "adjust_month",
    "casemix_frame",
    "poisson_ratio",
    "regression_check",
    "standardise_month",
]

#: A reference stratum needs this many audits for its own rate; fewer: a coarser stratum.
MIN_STRATUM_AUDITS = 10
#: Teams with fewer audits than this (reference period and month together) are pooled
#: as "Other teams" in the regression, so that no team's coefficient rests on a handful.
MIN_TEAM_AUDITS = 20
OTHER_TEAMS = "Other teams"
#: The strata tried in turn, finest first (column names of :func:`casemix_frame`).
STRATA: tuple[tuple[str, ...], ...] = (
    ("cohorts", schema.TEAM, schema.AUDIT_TYPE),
    ("cohorts", schema.AUDIT_TYPE),
    (schema.AUDIT_TYPE,),
)
#: The level of a month's intervals.
LEVEL = 0.95
#: The two shares adjusted, with the outcome column each uses.
OUTCOMES = {"% Good or better": "good_or_better", "% Inadequate": "inadequate"}
NO_COHORT = "none"
#: Columns :func:`casemix_frame` adds only when asked (``extra_columns``).
_EXTRA_COLUMNS = (schema.AUDITOR_ID,)

Verdict = Literal["higher than expected", "lower than expected", "no difference"]


# ------------------------------------------------------------------- the data
def _cohort_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.startswith(schema.COHORT_PREFIX)]


def casemix_frame(
    audits: pd.DataFrame,
    months: Iterable[str] | str,
    programme: Programme | None = None,
    audit_types: Sequence[str] = (schema.AUDIT,),
    extra_columns: Sequence[str] = (),
) -> pd.DataFrame:
    """One row per completed audit of ``audit_types`` in ``months``, ready to model.

    Columns: audit_month, audit_type, team, the ``cohort_<key>`` flags, cohorts
    (the cohorts the audit is in, joined with "+", or "none"), themed_month (the month has
    a theme in programme.yml), judgement (final), score (Inadequate 1 … Outstanding 4;
    NaN for Not recorded), good_or_better, inadequate. No identifier column unless asked
    for in ``extra_columns`` (:mod:`auditlib.analysis.auditors` asks for the auditor, and
    replaces it with a pseudonym at once).
    """
    months = [months] if isinstance(months, str) else list(months)
    # Only the columns used: taking rows of all of them costs more than the rest.
    used = [schema.AUDIT_MONTH, schema.AUDIT_TYPE, schema.TEAM, schema.STATUS]
    used += [schema.FINAL_JUDGEMENT, *_cohort_columns(audits), *extra_columns]
    rows = metrics.select(audits, months, None, used)
    rows = rows.loc[
        rows[schema.AUDIT_TYPE].isin(list(audit_types)).to_numpy(dtype=bool, na_value=False)
        & (rows[schema.STATUS] == schema.COMPLETED).to_numpy(dtype=bool, na_value=False)
    ]
    cohorts = _cohort_columns(rows)
    judgement = (
        rows[schema.FINAL_JUDGEMENT]
        .astype(object)
        .where(rows[schema.FINAL_JUDGEMENT].notna(), schema.NOT_RECORDED)
    )
    flags = rows[cohorts].to_numpy(dtype=bool)
    profile = np.full(len(rows), "", dtype=object)
    for column, on in zip(cohorts, flags.T, strict=True):
        name = column.removeprefix(schema.COHORT_PREFIX)
        profile = np.where(on, np.where(profile == "", name, profile + "+" + name), profile)
    profile = np.where(profile == "", NO_COHORT, profile)
    themes = programme.themes if programme is not None else {}
    themed = [month for month, keys in themes.items() if keys]
    frame = pd.DataFrame(
        {
            schema.AUDIT_MONTH: rows[schema.AUDIT_MONTH].astype(str).to_numpy(),
            schema.AUDIT_TYPE: rows[schema.AUDIT_TYPE].astype(str).to_numpy(),
            schema.TEAM: rows[schema.TEAM].astype(str).to_numpy(),
            **{c: flags[:, i] for i, c in enumerate(cohorts)},
            "cohorts": profile,
            "themed_month": rows[schema.AUDIT_MONTH].astype(str).isin(themed).to_numpy(dtype=bool),
            "judgement": judgement.astype(str).to_numpy(),
            **{c: rows[c].to_numpy() for c in extra_columns if c in rows},
        }
    )
    frame["score"] = frame["judgement"].map(schema.JUDGEMENT_SCORE).astype(float)
    frame["good_or_better"] = frame["judgement"].isin(schema.GOOD_OR_BETTER)
    frame["inadequate"] = frame["judgement"].eq(schema.INADEQUATE)
    return frame


# ---------------------------------------------------------- O/E with its interval
def poisson_ratio(
    observed: int, expected: float, level: float = 0.95
) -> tuple[float, float, float, float]:
    """O/E, its exact (Garwood) interval and the exact two-sided Poisson test of O/E = 1.

    The p-value sums the probabilities of every count no more likely than the one
    observed, as R's ``poisson.test(observed, expected)`` does.

    >>> ratio, low, high, p = poisson_ratio(137, 24.19893)
    >>> f"{ratio:.6f} {low:.6f} {high:.6f}", p < 1e-16
    ('5.661407 4.753125 6.692709', True)
    """
    if observed < 0 or observed != int(observed):
        raise stats.StatsError("the observed count must be a whole number of audits")
    if not expected > 0:
        raise stats.StatsError("the expected count must be positive")
    alpha = 1 - level
    low = 0.0 if observed == 0 else sps.chi2.ppf(alpha / 2, 2 * observed) / 2
    high = sps.chi2.ppf(1 - alpha / 2, 2 * observed + 2) / 2
    # R's poisson.test, two-sided: counts as likely or less likely than the observed one
    mean = expected
    relative = 1 + 1e-7
    d = sps.poisson.pmf(observed, mean)
    if observed == mean:
        p = 1.0
    elif observed < mean:
        top = int(np.ceil(2 * mean - observed))
        while sps.poisson.pmf(top, mean) > d:
            top *= 2
        upper = np.arange(int(np.ceil(mean)), top + 1)
        y = int(np.sum(sps.poisson.pmf(upper, mean) <= d * relative))
        p = sps.poisson.cdf(observed, mean) + sps.poisson.sf(top - y, mean)
    else:
        lower = np.arange(0, int(np.floor(mean)) + 1)
        y = int(np.sum(sps.poisson.pmf(lower, mean) <= d * relative))
        p = sps.poisson.cdf(y - 1, mean) + sps.poisson.sf(observed - 1, mean)
    return observed / expected, low / expected, high / expected, float(min(1.0, p))


def _period(month: str | Sequence[str]) -> tuple[list[str], str]:
    """The months of a period (one month or several) and a label: '2020-09', '2020-07 to 2020-09'."""
    months = [month] if isinstance(month, str) else sorted(month)
    if not months:
        raise stats.StatsError("the period to compare has no months")
    label = months[0] if len(months) == 1 else f"{months[0]} to {months[-1]}"
    return months, label


# -------------------------------------------------------- indirect standardisation
@dataclass(frozen=True)
class CasemixResult:
    """A month's share against the share its case mix would have had in the reference period."""

    measure: str
    month: str
    reference_months: list[str]
    n: int
    observed: int
    expected: float
    ratio: float  # O/E
    ci_low: float
    ci_high: float
    p_value: float
    reference_pct: float  # the reference period's crude share
    level: float
    improvement: str  # "up" or "down"
    #: each of the month's audits with its expected rate and the stratum level it used
    matched: pd.DataFrame = field(repr=False, compare=False)
    outcome: str = field(default="", repr=False, compare=False)

    @functools.cached_property
    def strata(self) -> pd.DataFrame:
        """One row per stratum of the month's audits: the level used, n, O and E (worked
        out when asked for: the reports do not show it)."""
        keys = list(STRATA[0])
        return (
            self.matched.groupby([*keys, "level"], observed=True)
            .agg(
                n=(self.outcome, "size"),
                observed=(self.outcome, "sum"),
                expected=("expected", "sum"),
            )
            .reset_index()
        )

    @property
    def observed_pct(self) -> float:
        return 100 * self.observed / self.n

    @property
    def expected_pct(self) -> float:
        return 100 * self.expected / self.n

    @property
    def verdict(self) -> Verdict:
        """Against the expected share: outside the interval's side of 1, else no difference."""
        if self.ci_low > 1:
            return "higher than expected"
        if self.ci_high < 1:
            return "lower than expected"
        return "no difference"

    @property
    def better(self) -> bool | None:
        """True when the month did better than its case mix predicts (None: no difference)."""
        if self.verdict == "no difference":
            return None
        return (self.verdict == "higher than expected") == (self.improvement == "up")

    def to_frame(self) -> pd.DataFrame:
        """One row: the month's observed and expected share, O/E, interval, test, verdict."""
        return pd.DataFrame(
            [
                {
                    "measure": self.measure,
                    "month": self.month,
                    "n": self.n,
                    "observed": self.observed,
                    "expected": self.expected,
                    "observed_pct": self.observed_pct,
                    "expected_pct": self.expected_pct,
                    "reference_pct": self.reference_pct,
                    "ratio": self.ratio,
                    "ci_low": self.ci_low,
                    "ci_high": self.ci_high,
                    "p_value": self.p_value,
                    "verdict": self.verdict,
                }
            ]
        )


def _stratum_rates(
    reference: pd.DataFrame, keys: Sequence[str], outcome: str
) -> dict[object, float]:
    """The reference rate of ``outcome`` (a 0/1 column) in each stratum of ``keys`` with at
    least ``MIN_STRATUM_AUDITS`` audits, keyed as a pandas grouping's index would be (a
    tuple of the keys, or the one key's value); a blank key is in no stratum.

    Counted in one pass: the rate is the count over the audits, the very number pandas'
    grouped mean gives for 0s and 1s, without a grouping's cost for a few hundred audits.
    """
    columns = [reference[key].tolist() for key in keys]
    strata = zip(*columns, strict=True) if len(keys) > 1 else columns[0]
    sizes: dict[object, int] = {}
    events: dict[object, int] = {}
    for stratum, event in zip(
        strata, reference[outcome].to_numpy(dtype=bool).tolist(), strict=True
    ):
        sizes[stratum] = sizes.get(stratum, 0) + 1
        events[stratum] = events.get(stratum, 0) + event
    return {
        stratum: float(np.float64(events[stratum]) / np.float64(size))
        for stratum, size in sizes.items()
        if size >= MIN_STRATUM_AUDITS and not _blank(stratum)
    }


def _blank(stratum: object) -> bool:
    """Whether a stratum's key (or any of its keys) is missing, as grouping leaves out."""
    values = stratum if isinstance(stratum, tuple) else (stratum,)
    return any(value is None or value is pd.NA or value != value for value in values)


def _expected_rates(reference: pd.DataFrame, month: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Each of the month's audits with the reference rate of the finest stratum that has
    enough audits (``level`` 0 = finest)."""
    expected = np.full(len(month), np.nan)
    levels = np.full(len(month), -1, dtype=np.int64)
    for level, keys in enumerate(STRATA):
        rate_of = _stratum_rates(reference, keys, outcome)
        if not rate_of:
            continue
        todo = np.flatnonzero(np.isnan(expected))
        # Each audit's stratum looked up in the rates (a left join, by a dict: the month
        # has a few hundred audits, far too few for a merge to pay for itself).
        strata = zip(*(month[key].to_numpy()[todo].tolist() for key in keys), strict=True)
        if len(keys) == 1:
            strata = (stratum[0] for stratum in strata)  # a one-key index holds plain values
        rates = np.array([rate_of.get(stratum, np.nan) for stratum in strata], dtype=float)
        found = ~np.isnan(rates)
        expected[todo[found]] = rates[found]
        levels[todo[found]] = level
    if np.isnan(expected).any():
        # an audit type the reference period never had enough of: its crude rate
        expected = np.where(np.isnan(expected), float(reference[outcome].mean()), expected)
        levels[levels < 0] = len(STRATA)
    out = month.copy()
    out["expected"] = expected
    out["level"] = levels
    return out


def standardise_month(
    audits: pd.DataFrame,
    month: str | Sequence[str],
    reference_months: Sequence[str],
    measure: str = "% Good or better",
    *,
    programme: Programme | None = None,
    audit_types: Sequence[str] = (schema.AUDIT,),
    level: float = 0.95,
) -> CasemixResult:
    """The month's share of ``measure`` against the share expected for its case mix.

    ``month`` is one month or a period of several (the shift report's period B);
    ``reference_months`` are the months whose rates set the expectation (e.g. the previous
    12 audited months, or period A). See the module docstring for the strata and the interval.
    """
    months, label = _period(month)
    if measure not in OUTCOMES:
        raise stats.StatsError(f"measure must be one of {list(OUTCOMES)}, not {measure!r}")
    reference = casemix_frame(audits, reference_months, programme, audit_types)
    this = casemix_frame(audits, months, programme, audit_types)
    return _standardise(this, reference, label, reference_months, measure, level)


def _standardise(
    this: pd.DataFrame,
    reference: pd.DataFrame,
    label: str,
    reference_months: Sequence[str],
    measure: str,
    level: float,
) -> CasemixResult:
    """:func:`standardise_month` on the month's and the reference months' audits
    (:func:`casemix_frame`), built once for both measures."""
    outcome = OUTCOMES[measure]
    if this.empty:
        raise stats.StatsError(f"no completed audits in {label} to standardise")
    if reference.empty:
        raise stats.StatsError("no completed audits in the reference period")
    matched = _expected_rates(reference, this, outcome)
    observed = int(matched[outcome].sum())
    expected = float(matched["expected"].sum())
    if expected <= 0:
        raise stats.StatsError(
            f"the reference period has no {measure.removeprefix('% ')} audits to expect any from"
        )
    ratio, low, high, p = poisson_ratio(observed, expected, level)
    return CasemixResult(
        measure=measure,
        month=label,
        reference_months=list(reference_months),
        n=len(this),
        observed=observed,
        expected=expected,
        ratio=ratio,
        ci_low=low,
        ci_high=high,
        p_value=p,
        reference_pct=100 * float(reference[outcome].mean()),
        level=level,
        improvement=comparisons.MEASURES[measure][1],
        matched=matched,
        outcome=outcome,
    )


# ---------------------------------------------------------------- regression check
@dataclass(frozen=True)
class RegressionCheck:
    """The month's adjusted effect in three models, and every coefficient (tidy)."""

    month: str
    reference_months: list[str]
    n: int
    coefficients: pd.DataFrame  # model, term, estimate, se, odds_ratio, ci_low, ci_high, p_value
    crude: pd.DataFrame  # model, odds_ratio, ci_low, ci_high, p_value: the month alone
    covariates: list[str]
    notes: list[str] = field(default_factory=list)
    level: float = 0.95

    def month_effect(self, model: str) -> pd.Series | None:
        """The month's row of a model ("good_or_better", "inadequate", "ordinal"); None when
        that model was not fitted."""
        if self.coefficients.empty:
            return None
        rows = self.coefficients[
            (self.coefficients["model"] == model) & (self.coefficients["term"] == MONTH_TERM)
        ]
        return rows.iloc[0] if len(rows) else None

    def to_frame(self) -> pd.DataFrame:
        """The month's adjusted and crude odds ratios, one row per model."""
        if self.coefficients.empty:
            return pd.DataFrame()
        adjusted = self.coefficients[self.coefficients["term"] == MONTH_TERM]
        return adjusted.merge(self.crude, on="model", suffixes=("", "_crude"), how="left")


MONTH_TERM = "this_month"
THEMED_TERM = "themed_month"


def _design(
    frame: pd.DataFrame, months: Sequence[str], notes: list[str]
) -> tuple[pd.DataFrame, list[str]]:
    """The covariates: period indicator, cohort flags, team dummies, themed-month flag."""
    x = pd.DataFrame(index=frame.index)
    x[MONTH_TERM] = frame[schema.AUDIT_MONTH].isin(list(months)).astype(float)
    covariates = []
    for column in _cohort_columns(frame):
        values = frame[column].astype(float)
        if values.nunique() > 1:
            x[column] = values
            covariates.append(column)
    themed = frame["themed_month"].astype(float)
    # identifiable only when themed months and the month do not coincide exactly
    if themed.nunique() > 1 and not themed.equals(x[MONTH_TERM]):
        x[THEMED_TERM] = themed
        covariates.append(THEMED_TERM)
    elif themed.nunique() > 1:
        notes.append("the themed-month flag is the month itself here, so it is left out")
    counts = frame[schema.TEAM].value_counts()
    small = counts[counts < MIN_TEAM_AUDITS].index
    team = frame[schema.TEAM].where(~frame[schema.TEAM].isin(small), OTHER_TEAMS)
    if len(small):
        notes.append(
            f"{len(small)} team{'s' if len(small) != 1 else ''} with fewer than "
            f"{MIN_TEAM_AUDITS} audits pooled as '{OTHER_TEAMS}'"
        )
    if team.nunique() > 1:
        base = team.value_counts().index[0]  # the largest team is the baseline
        dummies = pd.get_dummies(team, prefix="team", prefix_sep=": ", dtype=float)
        dummies = dummies.drop(columns=f"team: {base}")
        x = pd.concat([x, dummies], axis=1)
        covariates.append(schema.TEAM)
    return x, covariates


def _rows(model: str, result: object, names: Sequence[str], z: float) -> pd.DataFrame:
    params = pd.Series(np.asarray(result.params), index=list(result.model.exog_names))  # type: ignore[attr-defined]
    bse = pd.Series(np.asarray(result.bse), index=params.index)  # type: ignore[attr-defined]
    pvalues = pd.Series(np.asarray(result.pvalues), index=params.index)  # type: ignore[attr-defined]
    params, bse, pvalues = params[list(names)], bse[list(names)], pvalues[list(names)]
    with np.errstate(over="ignore", invalid="ignore"):
        high = np.exp(params.to_numpy() + z * bse.to_numpy())
    if not (np.isfinite(high).all() and np.isfinite(bse.to_numpy()).all()):
        # (Quasi-)separation: an interval without bounds is no answer; the caller notes it.
        raise ValueError("an estimate has no finite interval (the outcome separates the data)")
    return pd.DataFrame(
        {
            "model": model,
            "term": params.index,
            "estimate": params.to_numpy(),
            "se": bse.to_numpy(),
            "odds_ratio": np.exp(params.to_numpy()),
            "ci_low": np.exp(params.to_numpy() - z * bse.to_numpy()),
            "ci_high": high,
            "p_value": pvalues.to_numpy(),
        }
    )


def _fit_logit(y: pd.Series, x: pd.DataFrame) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # separation or no convergence: no answer, not a wrong one
        return discrete_model.Logit(
            y.astype(float), sm_tools.add_constant(x, has_constant="add")
        ).fit(disp=0, maxiter=200)


@functools.cache
def _logit_ordered_model() -> type:
    """The proportional-odds model class, defined on first use (statsmodels is imported then,
    not when auditlib is: see :mod:`auditlib.lazy`)."""
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    class _LogitOrderedModel(OrderedModel):
        """statsmodels' proportional-odds model with the logistic cdf and pdf evaluated by
        ``scipy.special`` directly: the same function as ``distr="logit"`` (scipy.stats.logistic),
        without the generic distribution machinery that made each fit take half a second."""

        def cdf(self, x):
            return special.expit(x)

        def pdf(self, x):
            p = special.expit(x)
            return p * (1.0 - p)

        def _terms(self, params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            """The logistic cdf at each audit's lower and upper bound, kept for the last
            parameters asked about: the optimiser asks for the likelihood and then its
            gradient at the same point, and both start from these."""
            key = params.tobytes()
            last = getattr(self, "_last_terms", None)
            if last is None or last[0] != key:
                low, upp = self._bounds(params)
                last = (key, (self.cdf(low), self.cdf(upp)))
                self._last_terms = last
            return last[1]

        def loglike(self, params):
            """statsmodels' log-likelihood (the same operations, so the same number), from
            the cdf values :meth:`_terms` keeps for the gradient."""
            cdf_low, cdf_upp = self._terms(np.asarray(params, dtype=float))
            prob = np.maximum(cdf_upp - cdf_low, 0)
            return np.log(prob + 1e-20).sum()

        def score(self, params):
            """The log-likelihood's gradient, worked out rather than by finite differences (which
            cost one likelihood per parameter at every step of the optimiser).

            With thresholds t_0 = θ_0 and t_j = t_{j-1} + exp(θ_j), an audit with judgement
            code y has probability F(t_y − xβ) − F(t_{y−1} − xβ) (t_{−1} = −∞, t_{K−1} = +∞), so
            with f = F′ at the upper (u) and lower (l) bound and P the probability:
            ∂/∂β = −x (f_u − f_l)/P; ∂/∂θ_0 = (f_u − f_l)/P;
            ∂/∂θ_j = exp(θ_j) (f_u [y ≥ j] − f_l [y − 1 ≥ j])/P for j ≥ 1.
            """
            params = np.asarray(params, dtype=float)
            cdf_low, cdf_upp = self._terms(params)
            # the pdf and the probability as pdf() and prob() work them out, from the same cdf
            f_low, f_upp = cdf_low * (1.0 - cdf_low), cdf_upp * (1.0 - cdf_upp)  # 0 at ±∞
            prob = np.maximum(cdf_upp - cdf_low, 0) + 1e-20
            y = np.asarray(self.endog, dtype=int)
            k_thresholds = self.k_levels - 1
            th_params = params[-k_thresholds:]
            gradient = np.empty_like(params)
            gradient[:-k_thresholds] = -((f_upp - f_low) / prob) @ self.exog
            gradient[-k_thresholds] = np.sum((f_upp - f_low) / prob)
            for j in range(1, k_thresholds):
                term = (f_upp * (y >= j) - f_low * (y - 1 >= j)) / prob
                gradient[-k_thresholds + j] = np.exp(th_params[j]) * term.sum()
            return gradient

        def hessian(self, params):
            """statsmodels' numerical Hessian (``approx_hess3`` of the log-likelihood, what
            the standard errors come from), to the last bit, with the log-likelihoods it
            needs worked out together (:func:`_loglikes`) rather than one call at a time."""
            return _batched_hessian(self, np.asarray(params, dtype=float))

    return _LogitOrderedModel


#: Log-likelihoods worked out together at most this many at a time (memory: this many
#: times the audits, several arrays of doubles).
_HESSIAN_CHUNK = 64


def _batched_hessian(model: object, x: np.ndarray) -> np.ndarray:
    """``statsmodels.tools.numdiff.approx_hess3(x, model.loglike)``, the same numbers: the
    same step sizes and points, each point's log-likelihood computed by the same operations
    (:func:`_loglikes`), and the same arithmetic on them."""
    from statsmodels.tools.numdiff import _get_epsilon

    n = len(x)
    h = _get_epsilon(x, 4, None, n)
    ee = np.diag(h)
    hess = np.outer(h, h)
    pairs = [(i, j) for i in range(n) for j in range(i, n)]
    points = np.array(
        [
            point
            for i, j in pairs
            for point in (
                x + ee[i, :] + ee[j, :],
                x + ee[i, :] - ee[j, :],
                x - ee[i, :] + ee[j, :],
                x - ee[i, :] - ee[j, :],
            )
        ]
    )
    values = _loglikes(model, points)
    for number, (i, j) in enumerate(pairs):
        f1, f2, f3, f4 = values[4 * number : 4 * number + 4]
        hess[i, j] = np.squeeze((f1 - f2 - (f3 - f4)) / (4.0 * hess[i, j]))
        hess[j, i] = hess[i, j]
    return hess


def _loglikes(model: object, points: np.ndarray) -> list[np.float64]:
    """``model.loglike(p)`` for each row ``p`` of ``points``, bit for bit: the thresholds,
    the linear predictor (one ``exog.dot`` per distinct coefficient vector, as statsmodels
    does it), the logistic cdf, the log and the sum are the same operations, applied to
    many points at once."""
    exog = np.asarray(model.exog)  # type: ignore[attr-defined]
    endog = np.asarray(model.endog)  # type: ignore[attr-defined]
    k_thresholds = model.k_levels - 1  # type: ignore[attr-defined]
    if getattr(model, "offset", None) is not None:  # never set by this module
        return [model.loglike(p) for p in points]  # type: ignore[attr-defined]
    linpred: dict[bytes, np.ndarray] = {}
    values: list[np.float64] = []
    for start in range(0, len(points), _HESSIAN_CHUNK):
        chunk = points[start : start + _HESSIAN_CHUNK]
        th = chunk[:, -k_thresholds:]
        # transform_threshold_params: first threshold, then exponentiated increments
        steps = np.concatenate((th[:, :1], np.exp(th[:, 1:])), axis=1).cumsum(axis=1)
        infinite = np.full((len(chunk), 1), np.inf)
        thresh = np.concatenate((-infinite, steps, infinite), axis=1)
        xb = np.empty((len(chunk), len(endog)))
        for row, point in enumerate(chunk):
            beta = point[:-k_thresholds]
            key = beta.tobytes()
            if key not in linpred:
                linpred[key] = exog.dot(beta)
            xb[row] = linpred[key]
        low = thresh[:, endog] - xb
        upp = thresh[:, endog + 1] - xb
        prob = np.maximum(special.expit(upp) - special.expit(low), 0)
        obs = np.log(prob + 1e-20)
        values += [row.sum() for row in obs]
    return values


def __getattr__(name: str) -> object:
    if name == "_LogitOrderedModel":
        return _logit_ordered_model()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _fit_ordinal(score: pd.Series, x: pd.DataFrame) -> object:
    levels = sorted(score.unique())
    endog = pd.Series(pd.Categorical(score, categories=levels, ordered=True), index=score.index)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = _logit_ordered_model()(endog, x, distr="logit")
        return model.fit(method="bfgs", disp=False, maxiter=500)


def regression_check(
    audits: pd.DataFrame,
    month: str | Sequence[str],
    reference_months: Sequence[str],
    *,
    programme: Programme | None = None,
    level: float = 0.95,
    models: Sequence[str] = ("good_or_better", "inadequate", "ordinal"),
) -> RegressionCheck:
    """The month's (or a period's) adjusted odds ratios: logistic (Good or better; Inadequate) and
    proportional odds (the whole scale, higher = better), with cohort, team and
    themed-month covariates; the crude (month-only) odds ratios beside them. ``models``
    chooses which of the three are fitted (a monthly report states only the ordinal one).

    A model that cannot be fitted (complete separation, no convergence) is left out
    with a note rather than reported wrong.
    """
    period, label = _period(month)
    frame = casemix_frame(audits, [*reference_months, *period], programme)
    return _regression_check(frame, period, label, reference_months, level, models)


def _regression_check(
    frame: pd.DataFrame,
    period: list[str],
    label: str,
    reference_months: Sequence[str],
    level: float,
    models: Sequence[str],
) -> RegressionCheck:
    """:func:`regression_check` on the audits of the period and the reference months
    (:func:`casemix_frame`)."""
    notes: list[str] = []
    if frame.empty or not frame[schema.AUDIT_MONTH].isin(period).any():
        raise stats.StatsError(f"no completed audits in {label} to compare")
    x, covariates = _design(frame, period, notes)
    z = float(sps.norm.ppf(1 - (1 - level) / 2))
    adjusted, crude = [], []
    unknown = set(models) - {"good_or_better", "inadequate", "ordinal"}
    if unknown:
        raise stats.StatsError(f"unknown model(s): {sorted(unknown)}")
    for model, outcome in (("good_or_better", "good_or_better"), ("inadequate", "inadequate")):
        if model not in models:
            continue
        y = frame[outcome]
        if y.nunique() < 2:
            notes.append(f"{model}: every audit has the same outcome, so there is no model")
            continue
        try:
            adjusted.append(_rows(model, _fit_logit(y, x), x.columns, z))
            crude.append(_rows(model, _fit_logit(y, x[[MONTH_TERM]]), [MONTH_TERM], z))
        except Exception as error:
            notes.append(f"{model}: the logistic model could not be fitted ({error})")
    graded = frame["score"].notna()
    try:
        if "ordinal" not in models:
            raise _NotAsked
        xs = x.loc[graded]
        xs = xs.loc[:, xs.nunique() > 1] if MONTH_TERM in xs else xs
        if MONTH_TERM not in xs:
            raise ValueError("the month has no graded audit")
        adjusted.append(
            _rows("ordinal", _fit_ordinal(frame.loc[graded, "score"], xs), xs.columns, z)
        )
        crude.append(
            _rows(
                "ordinal",
                _fit_ordinal(frame.loc[graded, "score"], xs[[MONTH_TERM]]),
                [MONTH_TERM],
                z,
            )
        )
    except _NotAsked:
        pass
    except Exception as error:
        notes.append(f"ordinal: the proportional-odds model could not be fitted ({error})")
    coefficients = pd.concat(adjusted, ignore_index=True) if adjusted else pd.DataFrame()
    crude_frame = (
        pd.concat(crude, ignore_index=True)[["model", "odds_ratio", "ci_low", "ci_high", "p_value"]]
        if crude
        else pd.DataFrame(columns=["model", "odds_ratio", "ci_low", "ci_high", "p_value"])
    )
    return RegressionCheck(
        month=label,
        reference_months=list(reference_months),
        n=len(frame),
        coefficients=coefficients,
        crude=crude_frame,
        covariates=covariates,
        notes=notes,
        level=level,
    )


class _NotAsked(Exception):
    """The caller did not ask for this model."""


def reference_months_for(trend: pd.DataFrame, month: str, count: int = 12) -> list[str]:
    """The audited months among the ``count`` before ``month`` (the pooled reference)."""
    return [
        mo
        for mo in comparisons.previous_months(month, count)
        if mo in trend.index and trend.at[mo, "state"] == metrics.AUDITED
    ]


@dataclass(frozen=True)
class MonthCasemix:
    """Everything the case-mix paragraph of a month's report says."""

    month: str
    themes: tuple[str, ...]
    reference_months: list[str]
    standardised: dict[str, CasemixResult]  # by measure ("% Good or better", "% Inadequate")
    regression: RegressionCheck | None
    notes: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        """One row per measure: observed, expected, O/E with its interval, verdict."""
        frames = [result.to_frame() for result in self.standardised.values()]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def adjust_month(
    audits: pd.DataFrame,
    programme: Programme,
    month: str,
    trend: pd.DataFrame | None = None,
    models: Sequence[str] = ("good_or_better", "inadequate", "ordinal"),
    *,
    frame: pd.DataFrame | None = None,
) -> MonthCasemix:
    """The month against the previous 12 audited months, allowing for case mix: both shares
    standardised, and the regression check. Measures that cannot be standardised (no
    audits, no reference) are left out with a note.

    ``frame``: :func:`casemix_frame` of the month and those reference months, when the
    caller has it already (a month's report builds it once for this and the auditors);
    any extra column of it is left out."""
    trend = trend if trend is not None else metrics.judgement_trend(audits, programme, month)
    reference = reference_months_for(trend, month)
    notes: list[str] = []
    standardised: dict[str, CasemixResult] = {}
    regression = None
    if reference:
        # The audits of the month and of the reference months, built once for both
        # measures and the regression check (the same rows, in the same order, as each
        # would select on its own).
        if frame is None:
            frame = casemix_frame(audits, [*reference, month], programme)
        else:
            frame = frame[[c for c in frame.columns if c not in _EXTRA_COLUMNS]]
        in_month = (frame[schema.AUDIT_MONTH] == month).to_numpy()
        this = frame.loc[in_month].reset_index(drop=True)
        reference_frame = frame.loc[~in_month].reset_index(drop=True)
        for measure in OUTCOMES:
            try:
                standardised[measure] = _standardise(
                    this, reference_frame, month, reference, measure, LEVEL
                )
            except stats.StatsError as error:
                notes.append(f"{measure}: {error}")
        if standardised:
            try:
                regression = _regression_check(frame, [month], month, reference, LEVEL, models)
            except stats.StatsError as error:
                notes.append(f"regression check: {error}")
    else:
        notes.append("no audited month in the previous 12 to compare with")
    return MonthCasemix(
        month=month,
        themes=tuple(programme.themes.get(month, ())),
        reference_months=reference,
        standardised=standardised,
        regression=regression,
        notes=notes,
    )
