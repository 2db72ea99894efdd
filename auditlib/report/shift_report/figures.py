"""Every figure a judgement-shift report states (shift-figures.json), and its protection."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Final

import pandas as pd

from auditlib import __version__
from auditlib.analysis import comparisons, groups, metrics, stats
from auditlib.data import schema
from auditlib.disclosure import (
    DISCLOSURE_KEY,
    SHOWN,
    SUPPRESSED,
    DisclosureProfile,
    apply_to_figures,
    suppression_mask,
)
from auditlib.disclosure.figures import CASEMIX_HIDDEN_KEYS, protect_reaudit_expectation
from auditlib.report import figures as report_figures
from auditlib.report.shared.moderation import grade_changes
from auditlib.report.shift_report.context import GOOD_OR_BETTER_LABEL, MEASURE_KEYS, ShiftContext
from auditlib.report.shift_report.periods import PARTITIONS, Period

FIGURES_VERSION: Final = 1
#: The collapsed scale the breakdown tables count over: Good or better, then the rest.
COLLAPSED_LABELS: Final = (
    GOOD_OR_BETTER_LABEL,
    schema.REQUIRES_IMPROVEMENT,
    schema.INADEQUATE,
    schema.NOT_RECORDED,
)
VERDICT_WORDS: Final = {
    "improvement": "Significant improvement",
    "deterioration": "Significant deterioration",
    "none": "No significant difference",
    "few": "Too few audits to tell",
}


def build_figures(ctx: ShiftContext) -> dict[str, Any]:
    """The report's figures (before disclosure control)."""
    programme = ctx.data.programme
    as_at = metrics.default_as_at(ctx.data.audits, programme)
    figures: dict[str, Any] = {
        "figures_version": FIGURES_VERSION,
        "report": "judgement shifts",
        "title": ctx.title,
        "organisation": programme.organisation,
        "programme_name": programme.programme,
        "contact": programme.contact,
        "as_at": as_at.isoformat() if as_at else None,
        "period_a": period_figures(ctx, ctx.a),
        "period_b": period_figures(ctx, ctx.b),
        "by": ctx.by,
        "comparison": comparison_figures(ctx),
        "spc": spc_figures(ctx),
        "reaudits": reaudit_figures(ctx),
        "moderation": moderation_figures(ctx),
        "casemix": casemix_figures(ctx),
        "auditors": (
            report_figures.build_auditors(ctx.auditor_effects) if ctx.auditor_effects else None
        ),
    }
    if ctx.by:
        figures["breakdown"] = breakdown_figures(ctx)
    figures["auditlib_version"] = __version__
    figures["input_hash"] = ctx.data.input_hash
    return figures


def period_figures(ctx: ShiftContext, period: Period) -> dict[str, Any]:
    counts = ctx.counts(period)
    n = int(counts[schema.COMPLETED])
    allocated = metrics.compute_compliance(ctx.data.audits, period.months, schema.AUDIT).allocated
    audited = set(metrics.audited_months(ctx.data.audits))
    good = groups.measure_count(counts, "% Good or better")
    return {
        "from": period.first,
        "to": period.last,
        "label": ctx.period_label(period),
        "months": period.months,
        "months_with_audits": [m for m in period.months if m in audited],
        "paused_months": [m for m in period.months if ctx.data.programme.pause_for(m) is not None],
        "allocated": int(allocated),
        "completed": n,
        "judgements": {label: int(counts[label]) for label in schema.JUDGEMENT_LABELS},
        "judgements_pct": {
            label: (100 * int(counts[label]) / n if n else None)
            for label in schema.JUDGEMENT_LABELS
        },
        "good_or_better": good,
        "good_or_better_pct": 100 * good / n if n else None,
    }


def proportion_figures(
    c: stats.ProportionComparison, improvement: str, p_value: float | None = None
) -> dict[str, Any]:
    """One measure's test; ``significant`` and the verdict use ``p_value`` when given (Holm)."""
    p = c.p_value if p_value is None else p_value
    return {
        "difference_pp": c.difference_pp,
        "ci_low_pp": 100 * c.ci_low,
        "ci_high_pp": 100 * c.ci_high,
        "ci_level": c.level,
        "test": "Fisher's exact test" if c.test == "fisher" else "z test",
        "p_value": c.p_value,
        "significant": bool(p < stats.ALPHA),
        "improvement": improvement,
        "verdict": VERDICT_WORDS[groups.verdict_code(c, improvement, p)].lower(),
    }


def comparison_figures(ctx: ShiftContext) -> dict[str, Any]:
    """B against A: each share's test and the distribution's, one Holm family (``p_holm``;
    ``significant`` and ``verdict`` on it)."""
    family = ctx.test_family
    # the family's size is the number of tests here (no bare whole number: see build_tests)
    tests: dict[str, Any] = {"p_adjustment": "Holm"}
    for measure, (_labels, direction) in comparisons.MEASURES.items():
        c = ctx.comparison.proportions.get(measure)
        if c is not None:
            row = ctx.family_row(measure)
            assert row is not None
            tests[MEASURE_KEYS[measure]] = {
                "measure": measure,
                **proportion_figures(c, direction, float(row["p_holm"])),
                "p_holm": float(row["p_holm"]),
                "p_holm_set_by": _family_key(family, row),
            }
    dist = ctx.comparison.distribution
    row = ctx.family_row(comparisons.DISTRIBUTION)
    if dist is not None and row is not None:
        significant = bool(row["significant"])
        tests["distribution"] = {
            "test": dist.quoted.name,
            "p_value": dist.quoted.p_value,
            "p_holm": float(row["p_holm"]),
            "p_holm_set_by": _family_key(family, row),
            "significant": significant,
            "cliffs_delta": dist.cliffs_delta,
            "cliffs_delta_ci_low": dist.cliffs_delta_ci[0],
            "cliffs_delta_ci_high": dist.cliffs_delta_ci[1],
            "mann_whitney_p": dist.mann_whitney.p_value,
            "chi_square": dist.chi_square.statistic,
            "chi_square_df": dist.chi_square.df,
            "chi_square_p": dist.chi_square.p_value,
            "cramers_v": dist.cramers_v,
            "cochran_armitage": dist.cochran_armitage.statistic,
            "cochran_armitage_p": dist.cochran_armitage.p_value,
            "mean_score_a": dist.mean_score_b,  # stats' "b" is the reference, period A
            "mean_score_b": dist.mean_score_a,
            "small_expected": dist.small_expected,
            "verdict": "no significant shift"
            if not significant
            else ("significantly better" if dist.cliffs_delta > 0 else "significantly worse"),
        }
    return tests


def _family_key(family: pd.DataFrame, row: pd.Series) -> str:
    """The key in ``comparison`` of the test whose Holm step sets ``row``'s adjusted p."""
    measure = family.iloc[int(row["holm_set_by"])]["measure"]
    return MEASURE_KEYS.get(measure, "distribution")


def casemix_figures(ctx: ShiftContext) -> dict[str, Any] | None:
    """Period B allowing for case mix, period A the reference (figures.json's ``casemix``
    shape, see :func:`auditlib.report.figures.build_casemix`)."""
    mix = ctx.casemix
    if mix is None:
        return None
    measures = {}
    for measure, r in mix.standardised.items():
        measures[MEASURE_KEYS[measure]] = report_figures.casemix_measure(r)
    return {
        "reference_months": list(ctx.a.months),
        "months": list(ctx.b.months),
        "themes": list(mix.themes),
        "measures": measures,
        "regression": report_figures.regression_figures(mix.regression),
    }


def spc_figures(ctx: ShiftContext) -> dict[str, Any]:
    out: dict[str, Any] = {"from_month": ctx.trend.index[0], "to_month": ctx.last_month}
    for measure, chart in ctx.spc.items():
        summary = chart.summary()
        points = chart.data
        entry: dict[str, Any] = {
            "measure": measure,
            "mean": summary["mean"],
            "lower_limit": summary["lower"],
            "upper_limit": summary["upper"],
            "trial_limits": summary["trial_limits"],
            "latest_variation": summary["variation"],
        }
        for key, period in (("a", ctx.a), ("b", ctx.b)):
            inside = points[points["x"].isin(period.months) & points["value"].notna()]
            special = inside[inside["point_type"] != "common_cause"]
            entry[f"months_charted_{key}"] = [str(x) for x in inside["x"]]
            entry[f"special_cause_months_{key}"] = {
                str(x): str(t) for x, t in zip(special["x"], special["point_type"], strict=True)
            }
        out[MEASURE_KEYS[measure]] = entry
    return out


def reaudit_figures(ctx: ShiftContext) -> dict[str, Any]:
    shift = ctx.reaudits
    out: dict[str, Any] = {"months": ctx.b.months}
    if shift is None:
        out["change_total"] = len(ctx.reaudit_pairs)
        return out
    n = shift.n
    changes = {"improved": shift.n_improved, "same": shift.n_same, "declined": shift.n_declined}
    out.update(
        {
            "change_counts": changes,
            "change_total": n,
            "change_counts_pct": {k: 100 * v / n for k, v in changes.items()},
            "excluded_count": shift.n_excluded,
            "stuart_maxwell": shift.stuart_maxwell.statistic,
            "stuart_maxwell_df": shift.stuart_maxwell.df,
            "stuart_maxwell_p": shift.stuart_maxwell.p_value,
            "bowker_p": shift.bowker.p_value,
            "mcnemar_good_or_better_p": shift.mcnemar_good_or_better.p_value,
            "significant": shift.significant,
        }
    )
    if ctx.reaudit_expectation is not None:
        out["expectation"] = report_figures.build_reaudit_expectation(
            ctx.reaudit_expectation, ctx.reaudits.table if ctx.reaudits is not None else None
        )
    return out


def moderation_figures(ctx: ShiftContext) -> dict[str, Any]:
    pairs = ctx.moderation
    out: dict[str, Any] = {
        "months": ctx.b.months,
        "grade_counts": grade_changes(pairs),
        "grade_total": len(pairs),
    }
    if ctx.kappa is not None:
        k = ctx.kappa
        out.update(
            {
                "kappa": k.kappa,
                "kappa_ci_low": k.ci_low,
                "kappa_ci_high": k.ci_high,
                "kappa_weights": k.weights,
                "kappa_p": k.p_value,
            }
        )
    return out


def breakdown_figures(ctx: ShiftContext) -> dict[str, Any]:
    ta, tb = ctx.group_counts(ctx.a), ctx.group_counts(ctx.b)
    tests = ctx.group_tests
    entries = []
    for group in ta.index:
        entry: dict[str, Any] = {"group": str(group)}
        for key, table in (("period_a", ta), ("period_b", tb)):
            row = table.loc[group]
            collapsed = collapse(row)
            n = int(row[schema.COMPLETED])
            entry[key] = {
                "judgement_counts": collapsed,
                "judgement_total": n,
                "judgement_counts_pct": {
                    label: (100 * v / n if n else None) for label, v in collapsed.items()
                },
            }
        entry_tests = {}
        for measure, (_labels, direction) in comparisons.MEASURES.items():
            r = tests.loc[(tests["group"] == group) & (tests["measure"] == measure)].iloc[0]
            c = r["comparison"]
            if c is None:
                entry_tests[MEASURE_KEYS[measure]] = {"verdict": VERDICT_WORDS["few"].lower()}
            else:
                entry_tests[MEASURE_KEYS[measure]] = {
                    **proportion_figures(c, direction, r["p_holm"]),
                    "p_holm": r["p_holm"],
                }
        entry["tests"] = entry_tests
        entries.append(entry)
    return {
        "by": ctx.by,
        "p_adjustment": "Holm",
        # a threshold, not a count of audits: text, so disclosure control leaves it alone
        "tested_when": f"at least {comparisons.MIN_MONTH_AUDITS} completed audits in both periods",
        "groups": entries,
    }


def collapse(row: pd.Series) -> dict[str, int]:
    """A count row over the collapsed scale: Good or better, Requires Improvement,
    Inadequate, Not recorded."""
    return {
        GOOD_OR_BETTER_LABEL: int(row[schema.OUTSTANDING]) + int(row[schema.GOOD]),
        schema.REQUIRES_IMPROVEMENT: int(row[schema.REQUIRES_IMPROVEMENT]),
        schema.INADEQUATE: int(row[schema.INADEQUATE]),
        schema.NOT_RECORDED: int(row[schema.NOT_RECORDED]),
    }


def protect_figures(figures: Mapping[str, Any], profile: DisclosureProfile | str) -> dict:
    """The figures with the disclosure profile applied (shift-figures.json).

    :func:`auditlib.disclosure.apply_to_figures` protects each group of counts with its
    total. A team or area breakdown also adds up, column by column, to the period's
    counts; under ``published`` those columns are protected first, with the period's
    counts as the total row, so no hidden team figure can be worked out from the period's.
    """
    profile = DisclosureProfile.from_name(profile)
    figs = copy.deepcopy(dict(figures))
    breakdown = figs.get("breakdown")
    if profile.suppresses and breakdown and breakdown.get("by") in PARTITIONS:
        for key in ("period_a", "period_b"):
            _protect_partition(figs, key, profile)
    out = apply_to_figures(figs, profile)
    if profile.suppresses:
        _protect_tests(out)
    return out


#: What a share test of B against A loses when a count it rests on is hidden.
COMPARISON_HIDDEN_KEYS: Final = ("difference_pp", "ci_low_pp", "ci_high_pp", "p_value", "p_holm")
#: B's re-audit figures made from the change counts (hidden with a table cell of 1 to 5).
REAUDIT_CHANGE_KEYS: Final = (
    "change_counts",
    "change_counts_pct",
    "stuart_maxwell",
    "stuart_maxwell_p",
    "bowker_p",
    "mcnemar_good_or_better_p",
)
#: The distribution test's figures that only the test's name survives of when it is withheld.
DISTRIBUTION_KEPT_KEYS: Final = ("test",)


def _distribution_hidden(figs: Mapping[str, Any]) -> bool:
    """Does the distribution test rest on a hidden count (a judgement count or the total of
    either period)? The report then states no result for it."""
    for key in ("period_a", "period_b"):
        period = figs.get(key) or {}
        counts = [period.get(schema.COMPLETED), *(period.get("judgements") or {}).values()]
        if SUPPRESSED in counts:
            return True
    return False


def _measure_hidden(figs: Mapping[str, Any], measure_key: str) -> bool:
    """Is a measure's count, or the total, of either period hidden in the protected figures?"""
    for key in ("period_a", "period_b"):
        period = figs.get(key) or {}
        count = (
            period.get("good_or_better")
            if measure_key == "good_or_better"
            else (period.get("judgements") or {}).get(schema.INADEQUATE)
        )
        if SUPPRESSED in (count, period.get(schema.COMPLETED)):
            return True
    return False


def _protect_tests(figs: dict[str, Any]) -> None:
    """Under ``published``: a share test resting on a hidden count loses its difference and
    p-values (as the report's sentence is not shown), a test whose Holm p such a test sets
    loses that p, and a case-mix measure resting on one loses its figures. Paths are added
    to the ``disclosure`` record."""
    paths: list[str] = []
    comparison = figs.get("comparison") or {}
    hidden = {
        key for key in MEASURE_KEYS.values() if key in comparison and _measure_hidden(figs, key)
    }
    if "distribution" in comparison and _distribution_hidden(figs):
        entry = comparison["distribution"]
        for name in entry:
            if name not in DISTRIBUTION_KEPT_KEYS:
                entry[name] = SUPPRESSED
                paths.append(f"comparison.distribution.{name}")
        hidden.add("distribution")
    for key in hidden - {"distribution"}:
        for name in COMPARISON_HIDDEN_KEYS:
            if name in comparison[key]:
                comparison[key][name] = SUPPRESSED
                paths.append(f"comparison.{key}.{name}")
    for key, entry in comparison.items():
        if isinstance(entry, dict) and key not in hidden and entry.get("p_holm_set_by") in hidden:
            entry["p_holm"] = SUPPRESSED
            paths.append(f"comparison.{key}.p_holm")
    mix = figs.get("casemix") or {}
    for key, entry in (mix.get("measures") or {}).items():
        if _measure_hidden(figs, key) or any(
            entry.get(c) == SUPPRESSED for c in ("observed_count", "other_count", "month_total")
        ):
            for name in CASEMIX_HIDDEN_KEYS:
                if name in entry:
                    entry[name] = SUPPRESSED
                    paths.append(f"casemix.measures.{key}.{name}")
    reaudits = figs.get("reaudits") or {}
    expectation = reaudits.get("expectation")
    if isinstance(expectation, dict):
        paths += protect_reaudit_expectation(expectation, "reaudits.expectation")
        if expectation.get("rests_on_small_cell"):
            # The change counts, shares and tests give a hidden cell of B's re-audit table
            # back as the expectation's movement counts would.
            for name in REAUDIT_CHANGE_KEYS:
                value = reaudits.get(name)
                if isinstance(value, dict):
                    paths += [f"reaudits.{name}.{k}" for k in value]
                    reaudits[name] = dict.fromkeys(value, SUPPRESSED)
                elif name in reaudits:
                    reaudits[name] = SUPPRESSED
                    paths.append(f"reaudits.{name}")
    record = figs[DISCLOSURE_KEY]["suppressed"]
    figs[DISCLOSURE_KEY]["suppressed"] = [p for p in record if p not in paths] + paths


def _protect_partition(figs: dict[str, Any], key: str, profile: DisclosureProfile) -> None:
    entries = figs["breakdown"]["groups"]
    period = figs[key]
    total = {
        GOOD_OR_BETTER_LABEL: period["good_or_better"],
        **{label: period["judgements"][label] for label in COLLAPSED_LABELS[1:]},
    }
    rows = [
        {**g[key]["judgement_counts"], schema.COMPLETED: g[key]["judgement_total"]} for g in entries
    ]
    rows.append({**total, schema.COMPLETED: period["completed"]})
    table = pd.DataFrame(rows, columns=[*COLLAPSED_LABELS, schema.COMPLETED])
    mask = suppression_mask(table, profile, total_row=True, cells=list(COLLAPSED_LABELS))
    hidden = mask != SHOWN
    column = {name: mask.columns.get_loc(name) for name in [*COLLAPSED_LABELS, schema.COMPLETED]}
    for i, g in enumerate(entries):
        entry = g[key]
        for label in COLLAPSED_LABELS:
            if hidden.iat[i, column[label]]:
                entry["judgement_counts"][label] = SUPPRESSED
        if hidden.iat[i, column[schema.COMPLETED]]:
            entry["judgement_total"] = SUPPRESSED
    last = len(entries)
    for label in COLLAPSED_LABELS:
        if hidden.iat[last, column[label]]:
            if label == GOOD_OR_BETTER_LABEL:
                period["good_or_better"] = SUPPRESSED
                for part in schema.GOOD_OR_BETTER:
                    period["judgements"][part] = SUPPRESSED
            else:
                period["judgements"][label] = SUPPRESSED
    if hidden.iat[last, column[schema.COMPLETED]]:
        period["completed"] = SUPPRESSED
