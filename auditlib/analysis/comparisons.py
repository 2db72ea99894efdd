"""Judgement shifts: is a change in judgements real, or noise?

Glue between the cleaned audits and :mod:`auditlib.analysis.spc` / :mod:`auditlib.analysis.stats`:
which series, which periods, which pairs. Used by the monthly report's
"Judgement shifts" section and by the statisticians' shifts notebook.

Which test the report quotes (stated once, here):

* For **% Inadequate** and **% Good or better** in a month against a reference
  period: the two-proportion comparison (Newcombe difference with its 95 % CI;
  Fisher's exact test when any expected count is below 5, otherwise the z test).
* For the **whole distribution**: the ordinal Mann–Whitney test with Cliff's
  delta (Monte Carlo when the table is small) — judgements are ordered, and
  an ordinal test uses that order.
* Over time: an **XmR chart** (NHS Making Data Count) of the monthly %; its
  verdict is the one quoted first, because it asks whether the latest month is
  within the programme's normal variation.
* **Re-audits**: Stuart–Maxwell (marginal homogeneity) on the original ×
  re-audit table, with % improved / same / declined, set against the movement
  expected with no change in practice (regression to the mean:
  :mod:`auditlib.analysis.regression_to_mean`).

**The month's family of tests.** The SPC chart is the primary signal. The period
comparisons — this month against the previous audited month and against the
previous 12 months, each for % Good or better, % Inadequate and the whole
distribution (up to six tests) — are secondary, and are one family: their
p-values are Holm-adjusted together (:func:`month_test_family`), and a test is
"significant" when its *adjusted* p is below ``stats.ALPHA``. Every test treats
audits as independent of one another.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from auditlib.analysis import metrics, regression_to_mean, spc, stats
from auditlib.data import schema
from auditlib.data.programme import Programme, iter_months, previous_month

#: measure name → (judgement labels it counts, direction of improvement)
MEASURES: dict[str, tuple[tuple[str, ...], str]] = {
    "% Good or better": (schema.GOOD_OR_BETTER, "up"),
    "% Inadequate": ((schema.INADEQUATE,), "down"),
}
#: Fewer audits than this in the month: the report says "too few audits to tell".
MIN_MONTH_AUDITS = 10
#: The two period comparisons of a month's family of tests.
PREVIOUS_MONTH = "previous month"
PREVIOUS_12_MONTHS = "previous 12 months"
#: The family's third "measure": the whole judgement distribution.
DISTRIBUTION = "judgement distribution"
#: Fewer auditor–moderator pairs than this: no kappa, so no reliability for the
#: regression-to-the-mean allowance (the largest allowance is used instead).
MIN_MODERATED_PAIRS = 10


def measure_counts(table: pd.DataFrame, measure: str) -> pd.Series:
    """Audits counted by a measure (e.g. Outstanding + Good) per row of a count table."""
    labels, _ = MEASURES[measure]
    columns = [table[label] for label in labels]
    if all(column.dtype == np.int64 for column in columns):
        # Whole numbers add up exactly in any order: the sum pandas' row sum gives, without
        # building a frame of the columns first.
        total = columns[0].to_numpy().copy()
        for column in columns[1:]:
            total += column.to_numpy()
        return pd.Series(total, index=table.index)
    return table[list(labels)].sum(axis=1)


def spc_for_measure(
    trend: pd.DataFrame, measure: str, rebase: Sequence[str] | None = None
) -> spc.SPCResult:
    """XmR chart of a measure's monthly % over the trend (paused and empty months are gaps)."""
    _, direction = MEASURES[measure]
    audited = (trend["state"] == metrics.AUDITED) & (trend["completed"] > 0)
    pct = (100 * measure_counts(trend, measure) / trend["completed"].where(audited)).astype(float)
    return spc.compute_xmr(
        pct.to_numpy(),
        x=list(trend.index),
        improvement=direction,
        rebase=list(rebase) if rebase else None,
        bounds=(0.0, 100.0),
    )


def pooled_counts(audits: pd.DataFrame, months: Iterable[str]) -> pd.Series:
    """One count row (judgement labels + completed) over several months together."""
    return metrics.count_judgements(audits, list(months)).iloc[0]


def previous_months(month: str, count: int = 12) -> list[str]:
    """The ``count`` calendar months before ``month``.

    >>> previous_months("2020-02", 3)
    ['2019-11', '2019-12', '2020-01']
    """
    first = month
    for _ in range(count):
        first = previous_month(first)
    return list(iter_months(first, previous_month(month)))


@dataclass
class Comparison:
    """One period against a reference period."""

    period: str  # words: "September 2020"
    reference: str  # words: "the previous 12 months"
    a: pd.Series  # counts of the period
    b: pd.Series  # counts of the reference
    proportions: dict[str, stats.ProportionComparison] = field(default_factory=dict)
    distribution: stats.DistributionComparison | None = None
    kind: str = ""  # PREVIOUS_MONTH or PREVIOUS_12_MONTHS in a month's family

    @property
    def enough(self) -> bool:
        return (
            int(self.a["completed"]) >= MIN_MONTH_AUDITS
            and int(self.b["completed"]) >= MIN_MONTH_AUDITS
        )


def compare_counts(
    a: pd.Series, b: pd.Series, period: str, reference: str, kind: str = ""
) -> Comparison:
    """Compare two count rows: each measure's share, and the whole ordinal distribution."""
    comparison = Comparison(period, reference, a, b, kind=kind)
    na, nb = int(a["completed"]), int(b["completed"])
    if na == 0 or nb == 0:
        return comparison
    for measure, (labels, _) in MEASURES.items():
        ka, kb = int(a[list(labels)].sum()), int(b[list(labels)].sum())
        comparison.proportions[measure] = stats.compare_proportions(ka, na, kb, nb)
    graded_a = a[list(schema.JUDGEMENTS)].to_numpy(dtype=int)
    graded_b = b[list(schema.JUDGEMENTS)].to_numpy(dtype=int)
    if graded_a.sum() and graded_b.sum():
        comparison.distribution = stats.compare_distributions(graded_a, graded_b)
    return comparison


def reaudit_pairs(audits: pd.DataFrame, months: Iterable[str] | None = None) -> pd.DataFrame:
    """Completed re-audits (in ``months``, or all) with their original audit's final judgement.

    Columns ``original`` and ``reaudit`` (final judgements), the re-audit's
    ``audit_month``, ``team``, ``area``, and ``original_month`` (the month of the
    audit it re-audits).
    """
    columns = [schema.STATUS, schema.ORIGINAL_JUDGEMENT, schema.FINAL_JUDGEMENT]
    columns += [schema.AUDIT_MONTH, schema.TEAM, schema.AREA, schema.ORIGINAL_AUDIT_ID]
    re = metrics.select(audits, months, schema.REAUDIT, columns)  # only the columns used
    re = re.loc[(re[schema.STATUS] == schema.COMPLETED).to_numpy(dtype=bool, na_value=False)]
    pairs = re.rename(
        columns={schema.ORIGINAL_JUDGEMENT: "original", schema.FINAL_JUDGEMENT: "reaudit"}
    )
    pairs = pairs.loc[pairs["original"].notna()]
    ids = audits[[schema.AUDIT_ID, schema.AUDIT_MONTH]]  # not every column de-duplicated
    months = ids.drop_duplicates(schema.AUDIT_ID).set_index(schema.AUDIT_ID)[schema.AUDIT_MONTH]
    pairs = pairs.assign(original_month=pairs[schema.ORIGINAL_AUDIT_ID].map(months))
    return pairs[
        ["original", "reaudit", schema.AUDIT_MONTH, schema.TEAM, schema.AREA, "original_month"]
    ].reset_index(drop=True)


def moderation_pairs(audits: pd.DataFrame, months: Iterable[str] | None = None) -> pd.DataFrame:
    """Completed audits with both an auditor's and a moderator's judgement."""
    columns = [schema.OVERALL_JUDGEMENT, schema.MODERATED_JUDGEMENT, schema.STATUS]
    rows = metrics.select(audits, months, schema.AUDIT, columns)
    both = rows[schema.OVERALL_JUDGEMENT].notna() & rows[schema.MODERATED_JUDGEMENT].notna()
    both &= (rows[schema.STATUS] == schema.COMPLETED).to_numpy(dtype=bool, na_value=False)
    return rows.loc[both, [schema.OVERALL_JUDGEMENT, schema.MODERATED_JUDGEMENT]].rename(
        columns={schema.OVERALL_JUDGEMENT: "auditor", schema.MODERATED_JUDGEMENT: "moderator"}
    )


def month_test_family(comparisons: Iterable[Comparison | None]) -> pd.DataFrame:
    """The month's family of secondary tests, one row per test, Holm-adjusted together.

    Columns: comparison (``PREVIOUS_MONTH`` / ``PREVIOUS_12_MONTHS``), period,
    reference, measure (a share, or ``DISTRIBUTION``), improvement ("up"/"down"),
    test, statistic, effect_name, effect, effect_low, effect_high (a share's
    difference in percentage points, this month minus the reference; Cliff's delta
    for the distribution, + when this month is better), n_month, n_reference,
    p_value (unadjusted), p_holm, significant (p_holm < ``stats.ALPHA``), verdict
    ("improvement", "deterioration", "shift" or "no difference", on p_holm),
    family_size and holm_set_by (the row whose own step, (m − rank + 1)·p, gives this
    row's p_holm: itself, or a smaller p's when the step-down carries that one up; a
    report that hides one test's p must hide every p_holm it sets). An empty frame when
    no comparison could be made.
    """
    rows: list[dict[str, object]] = []
    for comparison in comparisons:
        if comparison is None:
            continue
        base = {
            "comparison": comparison.kind,
            "period": comparison.period,
            "reference": comparison.reference,
        }
        for measure, c in comparison.proportions.items():
            rows.append(
                {
                    **base,
                    "measure": measure,
                    "improvement": MEASURES[measure][1],
                    "test": "Fisher's exact test" if c.test == "fisher" else "z test",
                    "statistic": c.z if c.test == "z" else float("nan"),
                    "effect_name": "difference (percentage points)",
                    "effect": c.difference_pp,
                    "effect_low": 100 * c.ci_low,
                    "effect_high": 100 * c.ci_high,
                    "n_month": c.n1,
                    "n_reference": c.n2,
                    "p_value": c.p_value,
                }
            )
        d = comparison.distribution
        if d is not None:
            rows.append(
                {
                    **base,
                    "measure": DISTRIBUTION,
                    "improvement": "up",
                    "test": d.quoted.name,
                    "statistic": d.quoted.statistic,
                    "effect_name": "Cliff's delta",
                    "effect": d.cliffs_delta,
                    "effect_low": d.cliffs_delta_ci[0],
                    "effect_high": d.cliffs_delta_ci[1],
                    "n_month": d.n_a,
                    "n_reference": d.n_b,
                    "p_value": d.quoted.p_value,
                }
            )
    columns = [
        "comparison", "period", "reference", "measure", "improvement", "test", "statistic",
        "effect_name", "effect", "effect_low", "effect_high", "n_month", "n_reference",
        "p_value", "p_holm", "significant", "verdict", "family_size", "holm_set_by",
    ]  # fmt: skip
    if not rows:
        return pd.DataFrame(columns=columns)
    family = pd.DataFrame(rows)
    family["p_holm"] = stats.holm_adjust(family["p_value"].to_numpy(dtype=float))
    family["significant"] = family["p_holm"] < stats.ALPHA
    better = (family["effect"] > 0) == (family["improvement"] == "up")
    family["verdict"] = np.select(
        [~family["significant"], better, family["effect"] != 0],
        ["no difference", "improvement", "deterioration"],
        "shift",
    )
    family["family_size"] = len(family)
    family["holm_set_by"] = holm_set_by(family["p_value"].to_numpy(dtype=float))
    return family[columns]


def holm_set_by(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """For each p-value, the position of the p whose Holm step sets its adjusted p.

    Holm's adjusted p of the i-th smallest is the running maximum of the steps
    min(1, (m − j + 1)·p₍ⱼ₎) for j ≤ i; this gives the j (as a position in ``p_values``).
    NaN p-values (not in the family) point to themselves.

    >>> holm_set_by([0.01, 0.04, 0.03]).tolist()
    [0, 2, 2]
    """
    p = np.asarray(p_values, dtype=float)
    out = np.arange(p.size)
    ok = np.flatnonzero(np.isfinite(p))
    if not ok.size:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    steps = np.minimum(1.0, (ok.size - np.arange(ok.size)) * p[order])
    best = 0
    for i in range(ok.size):
        if steps[i] > steps[best]:
            best = i
        out[order[i]] = order[best]
    return out


def expected_reaudit_movement(
    audits: pd.DataFrame,
    pairs: pd.DataFrame,
    moderation: pd.DataFrame,
    draws: int = stats.MONTE_CARLO_DRAWS,
) -> regression_to_mean.ReauditExpectation | None:
    """Re-audit movement against the movement expected with no change in practice.

    π is the judgement distribution of completed audits in the months the originals
    came from; κ the unweighted auditor–moderator kappa (``moderation`` pairs; none
    when fewer than ``MIN_MODERATED_PAIRS``, and then κ = 0, the largest allowance).
    """
    graded = pairs.loc[
        pairs["original"].isin(schema.JUDGEMENTS) & pairs["reaudit"].isin(schema.JUDGEMENTS)
    ]
    if graded.empty:
        return None
    months = sorted(graded["original_month"].dropna().unique())
    reference = pooled_counts(audits, months)[list(schema.JUDGEMENTS)]
    if reference.sum() == 0:
        return None
    kappa = None
    if len(moderation) >= MIN_MODERATED_PAIRS and moderation.nunique().min() > 1:
        kappa = stats.compute_kappa(moderation, "auditor", "moderator", weights="none").kappa
    return regression_to_mean.expected_reaudit_change(graded, reference, kappa, draws=draws)


@dataclass
class MonthShifts:
    """Everything section 4 of a month's report says."""

    month: str
    spc: dict[str, spc.SPCResult]
    vs_previous: Comparison | None
    vs_year: Comparison | None
    reaudits: stats.ReauditShift | None
    reaudit_pairs: pd.DataFrame
    kappa: stats.KappaResult | None
    moderated: int
    #: the month's family of secondary tests (:func:`month_test_family`)
    family: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: re-audit movement against regression to the mean (None without re-audits)
    reaudit_expectation: regression_to_mean.ReauditExpectation | None = None


def analyse_month(
    audits: pd.DataFrame,
    programme: Programme,
    month: str,
    trend: pd.DataFrame | None = None,
    rebase: Sequence[str] | None = None,
) -> MonthShifts:
    """SPC of each measure, this month against the previous audited month and the previous
    12 months, re-audit shifts to date, and auditor–moderator agreement to date."""
    trend = trend if trend is not None else metrics.judgement_trend(audits, programme, month)
    label = programme.label_for(month)
    charts = {measure: spc_for_measure(trend, measure, rebase) for measure in MEASURES}
    this = pooled_counts(audits, [month])
    prev_month = metrics.previous_audited_month(trend, month)
    vs_previous = (
        compare_counts(
            this,
            pooled_counts(audits, [prev_month]),
            label,
            programme.label_for(prev_month),
            PREVIOUS_MONTH,
        )
        if prev_month
        else None
    )
    year = [
        mo
        for mo in previous_months(month, 12)
        if mo in trend.index and trend.at[mo, "state"] == metrics.AUDITED
    ]
    vs_year = (
        compare_counts(
            this, pooled_counts(audits, year), label, "the previous 12 months", PREVIOUS_12_MONTHS
        )
        if year
        else None
    )
    to_date = list(iter_months(programme.start_month, month))
    pairs = reaudit_pairs(audits, to_date)
    reaudits = None
    graded = pairs.loc[
        pairs["original"].isin(schema.JUDGEMENTS) & pairs["reaudit"].isin(schema.JUDGEMENTS)
    ]
    if len(graded) >= 2:
        reaudits = stats.summarise_reaudit_shifts(pairs, "original", "reaudit")
    moderation = moderation_pairs(audits, to_date)
    moderation = moderation.loc[
        moderation["auditor"].isin(schema.JUDGEMENTS)
        & moderation["moderator"].isin(schema.JUDGEMENTS)
    ]
    kappa = None
    if len(moderation) >= MIN_MODERATED_PAIRS and moderation.nunique().min() > 1:
        kappa = stats.compute_kappa(moderation, "auditor", "moderator")
    expectation = (
        expected_reaudit_movement(audits, pairs, moderation) if reaudits is not None else None
    )
    return MonthShifts(
        month,
        charts,
        vs_previous,
        vs_year,
        reaudits,
        pairs,
        kappa,
        len(moderation),
        family=month_test_family([vs_previous, vs_year]),
        reaudit_expectation=expectation,
    )
