"""The statistics the reports state, wired in: the month's Holm family, SPC against the tests,
re-audits against regression to the mean, and figures.json's sections under both profiles."""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from auditlib.analysis import comparisons
from auditlib.analysis.rounding import round_half_up
from auditlib.data import schema
from auditlib.disclosure import SUPPRESSED, apply_to_figures
from auditlib.paths import DEMO_DATA_DIR
from auditlib.report import monthly
from auditlib.report.blocks import blocks_text

MONTH = "2020-09"


@cache
def report(month: str = MONTH, disclosure: str = "internal") -> monthly.MonthContext:
    return monthly.prepare(month, DEMO_DATA_DIR, disclosure)


def text(blocks) -> str:
    return " ".join(blocks_text(blocks).split())


def family_entry(ctx: monthly.MonthContext, test_id: str, published: bool = False) -> dict:
    figures = ctx.published_figures if published else ctx.statistics_figures
    return next(e for e in figures["tests"]["family"] if e["id"] == test_id)


def _counts(ctx: monthly.MonthContext, months: list[str]) -> tuple[int, int]:
    """Inadequate and completed audits (type audit) of ``months``, straight from the audits."""
    a = ctx.data.audits
    rows = a.loc[
        (a[schema.AUDIT_TYPE] == schema.AUDIT)
        & (a[schema.STATUS] == schema.COMPLETED)
        & a[schema.AUDIT_MONTH].isin(months)
    ]
    return int((rows[schema.FINAL_JUDGEMENT] == schema.INADEQUATE).sum()), len(rows)


# ------------------------------------------------------------ the month's family
def test_the_demo_months_six_tests_are_holm_adjusted_by_hand():
    ctx = report()
    tests = ctx.statistics_figures["tests"]
    family = tests["family"]
    assert len(family) == 6 and tests["adjustment"] == "Holm"
    raw = np.array([e["p_value"] for e in family])
    # Holm by hand: the i-th smallest p times (6 − i), never below the one before, at most 1.
    order = np.argsort(raw)
    adjusted = np.empty(6)
    running = 0.0
    for i, j in enumerate(order):
        running = max(running, min(1.0, (6 - i) * raw[j]))
        adjusted[j] = running
    assert [e["p_holm"] for e in family] == pytest.approx(adjusted)
    # the raw p of % Inadequate against the previous 12 months: the pooled z test by hand
    k1, n1 = _counts(ctx, [MONTH])
    k2, n2 = _counts(ctx, ctx.year_months)
    pooled = (k1 + k2) / (n1 + n2)
    z = (k1 / n1 - k2 / n2) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    inadequate = family_entry(ctx, "previous_12_months.inadequate")
    assert inadequate["p_value"] == pytest.approx(2 * sps.norm.sf(abs(z)))
    # below 0.05 on its own, but not after adjustment for the six: no longer "significant"
    assert inadequate["p_value"] < 0.05 < inadequate["p_holm"]
    assert inadequate["p_holm"] == pytest.approx(5 * inadequate["p_value"])
    assert not inadequate["significant"] and inadequate["verdict"] == "no difference"
    significant = [e["id"] for e in family if e["significant"]]
    assert significant == ["previous_12_months.distribution"]


def test_the_section_gives_both_ps_and_judges_on_the_adjusted_one():
    ctx = report()
    t = text(monthly.shifts.comparison_blocks(ctx))
    inadequate = family_entry(ctx, "previous_12_months.inadequate")
    holm = f"{round_half_up(inadequate['p_holm'], 3):.3f}"
    raw = f"{round_half_up(inadequate['p_value'], 3):.3f}"
    assert (
        f"7% Inadequate in September 2020 (n=61) against 19% over the previous 12 months "
        f"(n=612): no significant difference (z test, Holm-adjusted p = {holm} for the month's "
        f"6 tests; unadjusted p = {raw})." in t
    )
    assert "treated as one family of six tests" in t
    assert "1 of the six is significant after adjustment" in t
    assert "independent" in t
    assert "means the *adjusted* p is below 0.05" in blocks_text(
        monthly.shifts.comparison_blocks(ctx)
    )
    assert '"Significant" means p < 0.05' not in t


def test_key_messages_use_the_same_adjusted_verdicts():
    ctx = report()
    t = text(monthly.key_messages.section(ctx))
    distribution = family_entry(ctx, "previous_12_months.distribution")
    assert (
        "1 of the month's 6 comparisons with earlier months is significant after Holm "
        "adjustment: the whole spread of judgements against the previous 12 months "
        f"(improvement, Holm-adjusted p = {round_half_up(distribution['p_holm'], 3):.3f})" in t
    )
    assert "% Inadequate against" not in t  # significant unadjusted only: not a message


def test_a_month_where_the_chart_and_a_test_disagree_says_why():
    ctx = report("2019-10")
    entry = family_entry(ctx, "previous_12_months.good_or_better")
    assert entry["significant"]
    assert ctx.figures["spc"]["good_or_better"]["signal"] == "common_cause"
    t = text(monthly.shifts.comparison_blocks(ctx))
    assert (
        "% Good or better: The chart and the test differ because the test sets October 2019 "
        "against the previous 12 months pooled" in t
    )
    # where they agree (September 2020: no share test significant, no SPC signal) nothing is said
    assert "The chart and the test" not in text(monthly.shifts.comparison_blocks(report()))


# ------------------------------------------------------------------ re-audits
def test_reaudit_expectation_recomputed_by_hand():
    ctx = report()
    pairs = ctx.shifts.reaudit_pairs
    graded = pairs.loc[
        pairs["original"].isin(schema.JUDGEMENTS) & pairs["reaudit"].isin(schema.JUDGEMENTS)
    ]
    # π: completed audits' final judgements in the months the originals came from
    a = ctx.data.audits
    rows = a.loc[
        (a[schema.AUDIT_TYPE] == schema.AUDIT)
        & (a[schema.STATUS] == schema.COMPLETED)
        & a[schema.AUDIT_MONTH].isin(graded["original_month"].unique())
        & a[schema.FINAL_JUDGEMENT].isin(schema.JUDGEMENTS)
    ]
    pi = (
        rows[schema.FINAL_JUDGEMENT]
        .value_counts(normalize=True)
        .reindex(schema.JUDGEMENTS, fill_value=0.0)
    )
    # κ: unweighted Cohen's kappa of auditor against moderator, audits up to the month
    mod = a.loc[
        (a[schema.AUDIT_TYPE] == schema.AUDIT)
        & (a[schema.STATUS] == schema.COMPLETED)
        & (a[schema.AUDIT_MONTH] <= MONTH)
        & a[schema.OVERALL_JUDGEMENT].isin(schema.JUDGEMENTS)
        & a[schema.MODERATED_JUDGEMENT].isin(schema.JUDGEMENTS)
    ]
    table = pd.crosstab(mod[schema.OVERALL_JUDGEMENT], mod[schema.MODERATED_JUDGEMENT]).reindex(
        index=schema.JUDGEMENTS, columns=schema.JUDGEMENTS, fill_value=0
    )
    n = table.to_numpy().sum()
    observed = np.trace(table.to_numpy()) / n
    chance = float((table.sum(axis=1) / n) @ (table.sum(axis=0) / n))
    kappa = (observed - chance) / (1 - chance)
    # expected improved: each case stays with κ, else is re-judged from π; better = a lower index
    labels = list(schema.JUDGEMENTS)
    expected = sum(
        (1 - kappa) * float(pi.iloc[: labels.index(g)].sum()) for g in graded["original"]
    )
    figures = ctx.statistics_figures["reaudit_expectation"]
    assert figures["reliability"] == pytest.approx(kappa)
    assert figures["expected_improved"] == pytest.approx(expected)
    assert figures["movement_total"] == len(graded)
    share = 100 * expected / len(graded)
    assert figures["expected_improved_share"] == pytest.approx(share)
    assert figures["verdict"] == "beyond regression to the mean"
    verdict = text(monthly.shifts.reaudit_blocks(ctx))
    assert f"with no change, about {round_half_up(share)}% would have improved" in verdict
    assert "an improvement beyond regression to the mean" in verdict
    assert f"kappa {round_half_up(kappa, 2):.2f}" in verdict


# --------------------------------------------------------------- figures.json
def test_figures_json_holds_the_statistics_sections(tmp_path):
    ctx = report()
    path = ctx.save_figures(tmp_path)
    written = json.loads(path.read_text(encoding="utf-8"))
    assert {"tests", "reaudit_expectation", "casemix", "auditors"} <= set(written)
    gob = written["casemix"]["measures"]["good_or_better"]
    assert gob["ratio"] == pytest.approx(gob["observed_count"] / gob["expected"])
    assert gob["observed_count"] + gob["other_count"] == gob["month_total"] == 61
    assert written["casemix"]["themes"] == ["missing", "cse"]
    auditors = written["auditors"]
    assert 0 < auditors["icc_low"] < auditors["icc"] < auditors["icc_high"] < 1
    assert set(auditors) == {
        "auditor_count", "audit_count", "icc", "icc_low", "icc_high", "p_value", "significant",
    }  # fmt: skip


def test_published_profile_hides_what_rests_on_a_suppressed_count():
    internal, published = report(), report(disclosure="published")
    # September 2020's Inadequate count (4) is suppressed, so every test of % Inadequate is too
    assert published.published_figures["month"]["judgements"][schema.INADEQUATE] == SUPPRESSED
    for test_id in ("previous_month.inadequate", "previous_12_months.inadequate"):
        shown = family_entry(published, test_id, published=True)
        for key in (
            "effect", "effect_low", "effect_high", "p_value", "p_holm", "statistic",
            "significant", "verdict",
        ):  # fmt: skip
            assert shown[key] == SUPPRESSED, (test_id, key)
        assert (
            f"tests.family[{1 if 'previous_month' in test_id else 4}].p_value"
            in (published.published_figures["disclosure"]["suppressed"])
        )
    # the tests resting on shown counts keep their own figures, but not their Holm-adjusted
    # p: with tests withheld, it is a function of the withheld tests' p's too
    shown = family_entry(published, "previous_12_months.good_or_better", published=True)
    real = family_entry(internal, "previous_12_months.good_or_better")
    assert shown["p_value"] == pytest.approx(real["p_value"])
    assert shown["effect"] == pytest.approx(real["effect"])
    assert shown["p_holm"] == SUPPRESSED
    # p = 0.040: significant before adjustment, and 6 × p is not below 0.05, so only the
    # withheld tests' p's would settle the verdict: it is not stated either
    assert real["p_value"] < 0.05 <= 6 * real["p_value"]
    assert shown["significant"] == shown["verdict"] == SUPPRESSED
    # 6 × 0.18 decides the previous month's comparison: no significant difference
    previous = family_entry(published, "previous_month.good_or_better", published=True)
    assert previous["p_holm"] == SUPPRESSED and previous["verdict"] == "no difference"
    # the sentences agree: the hidden test's p-values are not stated anywhere in the section
    hidden = family_entry(internal, "previous_12_months.inadequate")
    t = text(monthly.shifts.section(published))
    # No result at all, not even its direction: beside the counts shown elsewhere, a
    # verdict can pin a suppressed count (the disclosure audit found one that did).
    assert (
        "Inadequate in September 2020 against the previous 12 months: not shown in this "
        "published version, because a count the test rests on is suppressed." in t
    )
    assert f"{round_half_up(hidden['p_value'], 3):.3f}" not in t
    assert f"{round_half_up(hidden['p_holm'], 3):.3f}" not in t
    # the case-mix comparison of % Inadequate is withheld in both
    mix = published.published_figures["casemix"]["measures"]["inadequate"]
    assert all(mix[k] == SUPPRESSED for k in ("ratio", "ci_low", "ci_high", "expected", "verdict"))
    assert "% Inadequate: the case-mix comparison is not shown" in t
    # nothing here depends on the profile but the hiding
    assert internal.statistics_figures["tests"]["family"][4]["p_value"] == hidden["p_value"]
    assert apply_to_figures(published.published_figures, "published") == (
        published.published_figures
    )


def test_a_holm_p_carried_up_from_a_hidden_test_is_hidden_too():
    figures = {
        "report_month": "2020-09",
        "trend": [
            {"month": "2020-09", "completed": 40, "judgements": {"Good": 36, "Inadequate": 4},
             "Good": 90.0, "Inadequate": 10.0},
            {"month": "2020-08", "completed": 40, "judgements": {"Good": 30, "Inadequate": 10},
             "Good": 75.0, "Inadequate": 25.0},
        ],
        "tests": {"family": [
            {"id": "a.inadequate", "share": "Inadequate", "reference_months": ["2020-08"],
             "p_value": 0.01, "p_holm": 0.02, "p_holm_set_by": "a.inadequate", "effect": -15.0},
            {"id": "a.distribution", "share": None, "reference_months": ["2020-08"],
             "p_value": 0.015, "p_holm": 0.02, "p_holm_set_by": "a.inadequate", "effect": 0.2},
        ]},
    }  # fmt: skip
    out = apply_to_figures(figures, "published")
    hidden, other = out["tests"]["family"]
    assert hidden["p_value"] == hidden["p_holm"] == hidden["effect"] == SUPPRESSED
    # the distribution rests on the hidden count too (its n's leave nothing out here, but
    # its verdict and p would pin it), so it states nothing either
    assert other["p_value"] == other["p_holm"] == other["effect"] == SUPPRESSED
    # a distribution resting on shown counts keeps its own p; its adjusted p is carried up
    # from the hidden share test's, so that goes
    shown_trend = [dict(e, judgements=dict(e["judgements"])) for e in figures["trend"]]
    shown_trend[0]["judgements"] = {"Good": 30, "Inadequate": 10}
    shown_trend[0]["Inadequate"] = 25.0
    kept = apply_to_figures({**figures, "trend": shown_trend}, "published")["tests"]["family"]
    assert kept[1]["p_value"] == 0.015 and kept[1]["effect"] == 0.2
    assert apply_to_figures(figures, "internal")["tests"] == figures["tests"]


def test_holm_set_by_names_the_step_that_sets_each_adjusted_p():
    p = [0.01, 0.04, 0.03, float("nan"), 0.005]
    # sorted: 0.005 (×4 = 0.02), 0.01 (×3 = 0.03), 0.03 (×2 = 0.06), 0.04 (×1 → 0.06)
    assert comparisons.holm_set_by(p).tolist() == [0, 2, 2, 3, 4]
