"""auditlib.report.shift_report: periods, verdicts on the demo data, planted shifts, breakdowns,
disclosure, and the notebook run by papermill and by ``auditlib shifts``.

Figures are checked against values computed here from the demo CSV with plain pandas
and scipy, not against the module's own helpers.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from auditlib import disclosure
from auditlib.analysis import stats
from auditlib.analysis.rounding import round_half_up
from auditlib.cli import main
from auditlib.data import schema
from auditlib.data.pipeline import load_audit_data
from auditlib.errors import ReportError
from auditlib.paths import DEMO_DATA_DIR, NOTEBOOKS_DIR
from auditlib.report import shift_report, tidy
from auditlib.report.blocks import Callout, Chart, Table, blocks_text
from auditlib.report.shift_report import (
    Period,
    ShiftContext,
    check_periods,
    from_data,
    output_folder_name,
    parse_period,
)
from auditlib.report.shift_report.figures import protect_figures

A = "2019-09:2020-02"
B = "2020-06:2020-09"
MONTHS_A = ["2019-09", "2019-10", "2019-11", "2019-12", "2020-01", "2020-02"]
MONTHS_B = ["2020-06", "2020-07", "2020-08", "2020-09"]


@pytest.fixture(scope="module")
def demo_data():
    return load_audit_data(DEMO_DATA_DIR)


@pytest.fixture(scope="module")
def raw_audits() -> pd.DataFrame:
    """The demo audits as written, with the final judgement worked out by hand."""
    raw = pd.read_csv(DEMO_DATA_DIR / "audits.csv", dtype=str)
    # the export spells team names several ways (case, spaces): cleaning merges them
    raw["team_key"] = raw["team"].map(lambda x: " ".join(x.split()).lower())
    raw["final"] = (
        raw["moderated_judgement"].fillna(raw["overall_judgement"]).fillna("Not recorded")
    )
    return raw


def _completed(raw: pd.DataFrame, months: list[str]) -> pd.DataFrame:
    keep = (
        (raw["audit_type"] == "audit")
        & (raw["status"] == "completed")
        & raw["audit_month"].isin(months)
    )
    return raw.loc[keep]


@pytest.fixture(scope="module")
def report(demo_data) -> ShiftContext:
    return from_data(demo_data, A, B, "team")


# ---------------------------------------------------------------- periods
@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2019-09:2020-02", "2019-09", "2020-02"),
        ("2020-09", "2020-09", "2020-09"),
        (" 2019-12 : 2020-01 ", "2019-12", "2020-01"),
    ],
)
def test_parse_period_reads_ranges_and_single_months(text, first, last):
    period = parse_period(text)
    assert (period.first, period.last) == (first, last)
    assert period.months[0] == first and period.months[-1] == last


def test_period_months_cross_the_year():
    assert parse_period("2019-11:2020-02").months == ["2019-11", "2019-12", "2020-01", "2020-02"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2019-9:2020-02", "is not a period"),
        ("September 2019", "is not a period"),
        ("2019-09:2020-02:2020-03", "is not a period"),
        ("", "is not a period"),
        ("2019-13", "2019-13 is not a month"),
        ("2019-09:2020-00", "2020-00 is not a month"),
        ("2020-02:2019-09", "runs backwards"),
    ],
)
def test_parse_period_refuses_malformed_text_plainly(text, words):
    with pytest.raises(ReportError, match=words) as caught:
        parse_period(text, "Period A")
    assert str(caught.value).startswith("Period A")


def test_b_before_a_and_overlaps_are_refused():
    with pytest.raises(ReportError, match="comes before period A"):
        check_periods(parse_period("2020-06:2020-09"), parse_period("2019-09:2020-02"))
    with pytest.raises(ReportError, match="overlap"):
        check_periods(parse_period("2019-09:2020-02"), parse_period("2020-02:2020-06"))
    with pytest.raises(ReportError, match="overlap"):
        check_periods(parse_period("2020-01"), parse_period("2020-01"))
    check_periods(parse_period("2019-09:2020-01"), parse_period("2020-02"))  # adjacent is fine


def test_a_period_with_no_audits_is_refused(demo_data):
    with pytest.raises(ReportError, match=r"Period B \(2020-03:2020-05.*no audits.*paused"):
        from_data(demo_data, A, "2020-03:2020-05")
    with pytest.raises(ReportError, match=r"Period A \(2017-01:2017-06.*no audits"):
        from_data(demo_data, "2017-01:2017-06", B)


def test_a_month_folded_into_the_previous_round_says_so(demo_data):
    with pytest.raises(
        ReportError, match=r"part of the July/August 2019 round.*start the period at 2019-07"
    ):
        from_data(demo_data, "2019-08", "2019-09")


def test_an_unknown_breakdown_is_refused(demo_data):
    with pytest.raises(ReportError, match="Unknown breakdown 'service'"):
        from_data(demo_data, A, B, "service")


def test_output_folder_name_has_no_colon():
    name = output_folder_name(Period("2019-09", "2020-02"), Period("2020-09", "2020-09"), "team")
    assert name == "2019-09_to_2020-02_vs_2020-09_by-team"
    assert ":" not in name


# ---------------------------------------------------------------- demo verdicts
def test_period_figures_match_a_count_by_hand(report, raw_audits):
    for key, months in (("period_a", MONTHS_A), ("period_b", MONTHS_B)):
        rows = _completed(raw_audits, months)
        figures = report.figures[key]
        assert figures["completed"] == len(rows)
        assert figures["judgements"][schema.INADEQUATE] == int(
            (rows["final"] == "Inadequate").sum()
        )
        assert figures["judgements_pct"][schema.INADEQUATE] == pytest.approx(
            100 * (rows["final"] == "Inadequate").mean()
        )
    assert report.figures["period_a"]["paused_months"] == ["2019-12"]


def test_inadequate_verdict_is_computed_and_shown(report, raw_audits):
    a, b = _completed(raw_audits, MONTHS_A), _completed(raw_audits, MONTHS_B)
    ka, na = int((a["final"] == "Inadequate").sum()), len(a)
    kb, nb = int((b["final"] == "Inadequate").sum()), len(b)
    # the pooled two-proportion z test, by hand
    pooled = (ka + kb) / (na + nb)
    z = (kb / nb - ka / na) / np.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    p = 2 * sps.norm.sf(abs(z))
    figures = report.figures["comparison"]["inadequate"]
    assert figures["p_value"] == pytest.approx(p)
    assert figures["difference_pp"] == pytest.approx(100 * (kb / nb - ka / na))
    verdict = "no significant difference" if p >= 0.05 else "significant"
    assert figures["verdict"].startswith(verdict)
    text = blocks_text(shift_report.summary.section(report))
    expected = (
        f"{int(round_half_up(100 * kb / nb))}% Inadequate in June to September 2020 (n={nb}) "
        f"against {int(round_half_up(100 * ka / na))}% in September 2019 to February 2020 (n={na})"
    )
    assert expected in text
    assert f"p = {round_half_up(p, 3):.3f}" in text


def test_comparison_table_states_both_measures(report):
    tables = [b for b in shift_report.tests.section(report) if isinstance(b, Table)]
    measures = tables[0].frame
    assert list(measures.index) == ["% Good or better", "% Inadequate"]
    diff = report.figures["comparison"]["inadequate"]["difference_pp"]
    assert measures.loc["% Inadequate", "Difference B − A (points)"] == (
        f"−{round_half_up(-diff, 1):.1f}" if diff < 0 else f"+{round_half_up(diff, 1):.1f}"
    )


def test_re_audits_are_those_of_period_b(report, raw_audits):
    re = raw_audits.loc[
        (raw_audits["audit_type"] == "re-audit")
        & (raw_audits["status"] == "completed")
        & raw_audits["audit_month"].isin(MONTHS_B)
    ]
    originals = raw_audits.set_index("audit_id")["final"]
    pairs = pd.DataFrame(
        {"before": originals.reindex(re["original_audit_id"]).to_numpy(), "after": re["final"]}
    )
    graded = pairs.loc[
        pairs["before"].isin(schema.JUDGEMENTS) & pairs["after"].isin(schema.JUDGEMENTS)
    ]
    score = schema.JUDGEMENT_SCORE
    improved = int((graded["after"].map(score) > graded["before"].map(score)).sum())
    figures = report.figures["reaudits"]
    assert figures["change_total"] == len(graded)
    assert figures["change_counts"]["improved"] == improved


def test_moderation_counts_grade_changes(report, raw_audits):
    b = _completed(raw_audits, MONTHS_B).dropna(subset=["overall_judgement", "moderated_judgement"])
    lowered = (
        b["moderated_judgement"].map(schema.JUDGEMENT_SCORE)
        < b["overall_judgement"].map(schema.JUDGEMENT_SCORE)
    ).sum()
    figures = report.figures["moderation"]
    assert figures["grade_total"] == len(b)
    assert figures["grade_counts"]["lowered"] == int(lowered)
    assert 0 < figures["kappa"] <= 1


# ---------------------------------------------------------------- planted shifts
def _with_b_judgements(data, new_final: pd.Series):
    audits = data.audits.copy()
    audits.loc[new_final.index, schema.FINAL_JUDGEMENT] = new_final
    return dataclasses.replace(data, audits=audits)


def _b_rows(data) -> pd.Index:
    a = data.audits
    keep = (
        (a[schema.AUDIT_TYPE] == schema.AUDIT)
        & (a[schema.STATUS] == schema.COMPLETED)
        & a[schema.AUDIT_MONTH].isin(MONTHS_B)
    )
    return a.index[keep.to_numpy(dtype=bool)]


def test_a_planted_fall_in_inadequate_is_a_significant_improvement(demo_data):
    rows = _b_rows(demo_data)
    final = demo_data.audits.loc[rows, schema.FINAL_JUDGEMENT].astype(str)
    inadequate = final.index[final == schema.INADEQUATE]
    planted = final.copy()
    # about 15% → 1.5% Inadequate; those audits become Good, so Good or better rises too
    planted[inadequate[: int(len(inadequate) * 0.9)]] = schema.GOOD
    report = from_data(_with_b_judgements(demo_data, planted), A, B)
    assert report.figures["period_b"]["judgements_pct"][schema.INADEQUATE] < 2
    assert report.figures["comparison"]["inadequate"]["verdict"] == "significant improvement"
    a_rows = demo_data.audits.loc[
        (demo_data.audits[schema.AUDIT_TYPE] == schema.AUDIT)
        & (demo_data.audits[schema.STATUS] == schema.COMPLETED)
        & demo_data.audits[schema.AUDIT_MONTH].isin(MONTHS_A)
    ]
    before = 100 * (a_rows[schema.FINAL_JUDGEMENT] == schema.INADEQUATE).mean()
    after = 100 * (planted == schema.INADEQUATE).mean()
    points = int(round_half_up(before - after))
    assert points > 10
    callout = next(b for b in shift_report.summary.section(report) if isinstance(b, Callout))
    assert f"{int(round_half_up(after))}% Inadequate in June to September 2020" in callout.text
    assert f"a significant improvement of {points} percentage points" in callout.text
    assert callout.text.startswith(
        "Judgements were better in June to September 2020 than in September 2019 to February "
        "2020: % Good or better and % Inadequate improved by more than chance would explain."
    )


def test_no_shift_when_b_has_a_s_distribution(demo_data):
    a_counts = pd.Series(
        {
            label: count
            for label, count in from_data(demo_data, A, B).figures["period_a"]["judgements"].items()
        }
    )
    rows = _b_rows(demo_data)
    # B's audits get A's shares (largest remainder), in a fixed order
    exact = a_counts / a_counts.sum() * len(rows)
    counts = np.floor(exact).astype(int)
    counts[(exact - counts).sort_values(ascending=False).index[: len(rows) - counts.sum()]] += 1
    labels = np.repeat(counts.index.to_numpy(), counts.to_numpy())
    planted = pd.Series(labels, index=rows)
    report = from_data(_with_b_judgements(demo_data, planted), A, B)
    comparison = report.figures["comparison"]
    assert comparison["inadequate"]["verdict"] == "no significant difference"
    assert comparison["good_or_better"]["verdict"] == "no significant difference"
    assert comparison["distribution"]["verdict"] == "no significant shift"
    assert abs(comparison["inadequate"]["difference_pp"]) < 0.5
    assert "no significant difference" in blocks_text(shift_report.summary.section(report))
    assert shift_report.summary.headline(report) == (
        "No difference between June to September 2020 and September 2019 to February 2020 "
        "is larger than chance would explain."
    )


def test_demo_tests_are_one_holm_family_and_the_headline_reads_the_adjusted_p(report):
    # On the demo data the ordinal test alone is below 0.05 unadjusted (p = 0.027), but
    # not once the report's three tests are Holm-adjusted together.
    comparison = report.figures["comparison"]
    p = {
        key: comparison[key]["p_value"] for key in ("good_or_better", "inadequate", "distribution")
    }
    assert p["distribution"] < 0.05 < min(p["good_or_better"], p["inadequate"])
    # Holm by hand: sorted p's times 3, 2, 1, each at least the one before.
    ordered = sorted(p, key=p.get)
    steps = [min(1.0, (3 - i) * p[key]) for i, key in enumerate(ordered)]
    holm = {key: max(steps[: i + 1]) for i, key in enumerate(ordered)}
    assert {key: comparison[key]["p_holm"] for key in p} == pytest.approx(holm)
    assert holm["distribution"] == pytest.approx(3 * p["distribution"])
    assert holm["distribution"] > 0.05
    assert comparison["p_adjustment"] == "Holm"
    assert not comparison["distribution"]["significant"]
    assert comparison["distribution"]["verdict"] == "no significant shift"
    text = blocks_text(shift_report.summary.section(report))
    assert (
        f"Holm-adjusted p = {round_half_up(holm['distribution'], 3):.3f} for the report's 3 tests"
        in text
    )
    assert shift_report.summary.headline(report).startswith(
        "No difference between June to September 2020 and September 2019 to February 2020"
    )
    table = next(b for b in shift_report.tests.section(report) if isinstance(b, Table)).frame
    assert table.loc["% Inadequate", "Holm p"] == f"{round_half_up(holm['inadequate'], 2):.2f}"


def test_shift_report_states_case_mix_auditors_and_regression_to_the_mean(report):
    text = blocks_text(shift_report.casemix.section(report))
    mix = report.figures["casemix"]["measures"]["good_or_better"]
    # observed and expected recomputed from the figures: O/E is their ratio
    assert mix["ratio"] == pytest.approx(mix["observed_count"] / mix["expected"])
    assert report.figures["casemix"]["reference_months"] == report.a.months
    assert (
        f"Good or better in June to September 2020 was "
        f"{int(round_half_up(mix['observed_share']))}% ({mix['observed_count']} of "
        f"{mix['month_total']}) against {int(round_half_up(mix['expected_share']))}% expected "
        "from period A's rates" in text
    )
    assert "of the variation in judgements lies between auditors" in text
    expectation = report.figures["reaudits"]["expectation"]
    assert expectation["movement_total"] == report.figures["reaudits"]["change_total"]
    verdict = blocks_text(shift_report.reaudits.section(report))
    assert "regression to the mean" in verdict
    assert (
        f"about {int(round_half_up(expectation['expected_improved_share']))}% would have improved"
        in verdict
    )


# ---------------------------------------------------------------- breakdowns
def test_holm_matches_the_step_down_rule():
    p = [0.01, 0.04, 0.03, float("nan"), 0.5]
    # sorted 0.01, 0.03, 0.04, 0.5 with m = 4: 0.04, 0.09, 0.09 (monotone), 0.5
    assert stats.holm_adjust(p)[:3] == pytest.approx([0.04, 0.09, 0.09])
    assert np.isnan(stats.holm_adjust(p)[3])
    assert stats.holm_adjust(p)[4] == pytest.approx(0.5)


def test_team_table_has_one_row_per_team_and_holm_p_at_least_raw(report, raw_audits):
    teams = sorted(
        set(_completed(raw_audits, MONTHS_A)["team_key"])
        | set(_completed(raw_audits, MONTHS_B)["team_key"])
    )
    tables = [
        b
        for b in shift_report.breakdown.section(report)
        if isinstance(b, Table) and "by team" in b.caption
    ]
    assert len(tables) == 2  # one per measure
    for table in tables:
        assert sorted(name.lower() for name in table.frame.index) == teams
        assert list(table.frame.index) == sorted(table.frame.index)
    tests = report.group_tests
    tested = tests.loc[tests["p_value"].notna()]
    assert len(tested) > 0
    assert (tested["p_holm"] >= tested["p_value"] - 1e-12).all()
    # the family is the teams tested for one measure
    for _measure, part in tested.groupby("measure"):
        assert part["p_holm"].max() <= 1.0
        assert part["p_holm"].min() == pytest.approx(min(1.0, part["p_value"].min() * len(part)))
    # n in each period per team, by hand
    b = _completed(raw_audits, MONTHS_B)
    frame = tables[0].frame
    for team in frame.index:
        assert frame.loc[team, "n B"] == f"{int((b['team_key'] == team.lower()).sum()):,}"


def test_team_table_says_holm_and_multiple_comparisons(report):
    text = blocks_text(shift_report.breakdown.section(report))
    assert "Holm" in text and "Testing many teams at once" in text
    assert any(
        isinstance(b, Chart) and "Funnel plot" in b.alt
        for b in shift_report.breakdown.section(report)
    )


@pytest.mark.parametrize("by", ["area", "cohort", "domain"])
def test_other_breakdowns_have_a_row_per_group(demo_data, by):
    report = from_data(demo_data, A, B, by)
    table = next(b for b in shift_report.breakdown.section(report) if isinstance(b, Table))
    if by == "cohort":
        assert list(table.frame.index) == list(schema.COHORTS.values())
        assert not any(
            isinstance(b, Chart) for b in shift_report.breakdown.section(report)
        )  # no funnel
    elif by == "domain":
        assert "Voice of the child" in table.frame.index
    else:
        assert list(table.frame.index) == sorted(demo_data.audits[schema.AREA].dropna().unique())
    groups = report.figures["breakdown"]["groups"]
    assert len(groups) == len(table.frame)


# ---------------------------------------------------------------- disclosure
def _ints(value, path=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _ints(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _ints(v, f"{path}[{i}]")
    elif isinstance(value, int) and not isinstance(value, bool):
        yield path, value


def test_published_figures_hide_every_count_of_1_to_5(demo_data):
    report = from_data(demo_data, A, B, "team", "published")
    published = report.published_figures
    small = [(p, v) for p, v in _ints(published) if 1 <= v <= 5 and "figures_version" not in p]
    assert small == []
    # Outstanding in B is 2 in the demo data: hidden, with at least one more in its row
    judgements = published["period_b"]["judgements"]
    assert judgements[schema.OUTSTANDING] == disclosure.SUPPRESSED
    assert sum(v == disclosure.SUPPRESSED for v in judgements.values()) >= 2
    shown = blocks_text(shift_report.distributions.section(report))
    assert "B: Jun to Sep 2020,[c]" in shown


#: Two periods of the demo data whose judgement counts are all 0 or above 5 (nothing hidden).
A_SHOWN, B_SHOWN = "2018-12:2019-07", "2019-09:2020-02"


def _distribution_verdict(report: ShiftContext) -> str:
    return next(
        b.text
        for b in shift_report.tests.section(report)
        if isinstance(b, Callout) and b.title == "Distribution: verdict"
    )


def test_published_distribution_test_withheld_when_a_count_it_rests_on_is_suppressed(demo_data):
    # Period B's Outstanding is 2 in the demo data: [c]; the Mann–Whitney test of the whole
    # spread rests on it, so its verdict, p-values and Cliff's delta are not stated anywhere.
    report = from_data(demo_data, A, B, None, "published")
    assert report.published_figures["period_b"]["judgements"][schema.OUTSTANDING] == "[c]"
    verdict = _distribution_verdict(report)
    assert verdict.startswith("Judgements as a whole: not shown in this published version")
    assert not re.search(r"Mann–Whitney|Monte Carlo|Cliff|p [<=≥]|significant", verdict)
    in_brief = blocks_text(shift_report.summary.section(report))
    assert "Judgements as a whole: not shown" in in_brief
    assert "Cliff's delta" not in in_brief
    assert "Judgements as a whole were" not in in_brief  # the headline's distribution verdict
    tables = [b.name for b in shift_report.tests.section(report) if isinstance(b, Table)]
    assert "distribution_tests" not in tables
    entry = report.published_figures["comparison"]["distribution"]
    assert entry["test"] == report.comparison.distribution.quoted.name
    for key in ("p_value", "p_holm", "significant", "verdict", "cliffs_delta", "mann_whitney_p"):
        assert entry[key] == "[c]", key
    # No other test's Holm p is the withheld one's carried up.
    for key, other in report.published_figures["comparison"].items():
        if isinstance(other, dict) and other.get("p_holm_set_by") == "distribution":
            assert other["p_holm"] == "[c]", key


def test_published_distribution_test_stated_when_no_count_is_suppressed(demo_data):
    report = from_data(demo_data, A_SHOWN, B_SHOWN, None, "published")
    for key in ("period_a", "period_b"):
        period = report.published_figures[key]
        assert "[c]" not in [period["completed"], *period["judgements"].values()]
    dist = report.comparison.distribution
    verdict = _distribution_verdict(report)
    assert verdict.startswith(f"Judgements in {report.label_b} (n={dist.n_a:,})")
    assert "Cliff's delta" in verdict and "not shown" not in verdict
    tables = [b.name for b in shift_report.tests.section(report) if isinstance(b, Table)]
    assert "distribution_tests" in tables
    entry = report.published_figures["comparison"]["distribution"]
    assert entry["p_value"] == pytest.approx(dist.quoted.p_value)
    # The internal profile states it whatever the counts.
    internal = from_data(demo_data, A, B, None, "internal")
    assert "not shown" not in _distribution_verdict(internal)


def test_published_team_columns_cannot_be_worked_out_from_the_period(demo_data):
    report = from_data(demo_data, A, B, "team", "published")
    published = report.published_figures
    for key in ("period_a", "period_b"):
        for label in (schema.REQUIRES_IMPROVEMENT, schema.INADEQUATE, schema.NOT_RECORDED):
            column = [g[key]["judgement_counts"][label] for g in published["breakdown"]["groups"]]
            column.append(published[key]["judgements"][label])
            hidden = sum(v == disclosure.SUPPRESSED for v in column)
            assert hidden != 1, (key, label, column)


def test_internal_figures_are_unchanged_but_flagged(report):
    published = protect_figures(report.figures, "internal")
    assert published["period_b"]["judgements"] == report.figures["period_b"]["judgements"]
    assert published["disclosure"]["profile"] == "internal"


def test_save_figures_writes_plain_json(report, tmp_path):
    path = report.save_figures(tmp_path)
    assert path == tmp_path / "shift-figures.json"
    figures = json.loads(path.read_text(encoding="utf-8"))
    assert figures["period_a"]["completed"] == report.figures["period_a"]["completed"]
    assert figures["breakdown"]["p_adjustment"] == "Holm"
    assert report.save_figures("") is None


# ---------------------------------------------------------------- the notebook and the CLI
def _identifiers() -> set[str]:
    raw = pd.read_csv(DEMO_DATA_DIR / "audits.csv", dtype=str)
    ids: set[str] = set()
    for column in schema.IDENTIFIER_COLUMNS:
        ids |= set(raw[column].dropna())
    return ids


_BASE64_IMAGE = re.compile(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+")


def _without_images(text: str) -> str:
    return _BASE64_IMAGE.sub("", text)


def _check_outputs(folder: Path) -> None:
    html = (folder / "judgement-shifts.html").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src\s*=", html, re.I)
    assert not re.search(r"<link[^>]+href\s*=\s*[\"']?\s*https?:", html, re.I)
    assert "Traceback" not in html
    for code in ("shift_report.prepare", "show_blocks(", "import ", "period_a: str"):
        assert code not in html
    images = re.findall(r"<img\b[^>]*>", html)
    assert len(images) >= 4
    for tag in images:
        alt = re.search(r'\balt="([^"]*)"', tag)
        assert alt and alt[1].strip()
        assert alt[1] != "No description has been provided for this image"
    notebook = json.loads((folder / "judgement-shifts.ipynb").read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            output.get("data", {}).pop("image/png", None)
    texts = {
        "html": _without_images(html),
        "ipynb": json.dumps(notebook),
        "json": (folder / "shift-figures.json").read_text(encoding="utf-8"),
    }
    ids = _identifiers()
    assert len(ids) > 100
    pattern = re.compile("|".join(sorted(map(re.escape, ids), key=len, reverse=True)))
    for name, text in texts.items():
        found = pattern.search(text)
        assert found is None, f"{name} contains identifier {found[0]!r}"


@pytest.mark.slow
def test_notebook_runs_with_papermill_on_its_defaults(tmp_path):
    import papermill as pm

    out = tmp_path / "out.ipynb"
    # no parameters at all: the notebook's own defaults, as in JupyterLab
    pm.execute_notebook(
        str(NOTEBOOKS_DIR / "judgement_shifts.ipynb"),
        str(out),
        kernel_name="python3",
        progress_bar=False,
        cwd=str(tmp_path),
    )
    nb = json.loads(out.read_text(encoding="utf-8"))
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert errors == []
    markdown = " ".join(
        "".join(o["data"]["text/markdown"])
        for c in nb["cells"]
        for o in c.get("outputs", [])
        if "text/markdown" in o.get("data", {})
    )
    assert "# Judgement shifts: June to September 2020 against September 2019 to February 2020" in (
        markdown
    )
    assert "By team" not in markdown  # no breakdown by default
    assert not list(tmp_path.glob("*.json"))  # output_dir "" writes nothing


@pytest.mark.slow
def test_cli_writes_the_report_folder(tmp_path, capsys):
    code = main(["shifts", "--a", A, "--b", B, "--by", "team", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    folder = tmp_path / "shifts" / "2019-09_to_2020-02_vs_2020-06_to_2020-09_by-team"
    assert code == 0
    assert str(folder / "judgement-shifts.html") in out
    assert {p.name for p in folder.iterdir()} == {
        ".auditlib-report",  # auditlib's ownership marker
        "judgement-shifts.html",
        "judgement-shifts.ipynb",
        "shift-figures.json",
        "tables",
    }
    assert not [p for p in (tmp_path / "shifts").iterdir() if p.name.startswith(".")]
    _check_outputs(folder)
    figures = json.loads((folder / "shift-figures.json").read_text(encoding="utf-8"))
    assert figures["by"] == "team" and figures["disclosure"]["profile"] == "internal"
    # Every number the page states is in shift-figures.json (the footer is the page's
    # production stamp: when it was made).
    page = (folder / "judgement-shifts.html").read_text(encoding="utf-8")
    page = re.sub(r'<footer class="report-footer">.*?</footer>', " ", page, flags=re.S)
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r'src="data:[^"]*"', "", page)))
    known = json.dumps(figures, ensure_ascii=False)
    known_numbers = {round(float(n), 6) for n in tidy.numbers_in(known)}
    shown = tidy.numbers_in(text)
    assert len(shown) > 200
    assert sorted({n for n in shown if round(float(n), 6) not in known_numbers}) == []
    # The overview page lists it, with its verdicts, from shift-figures.json.
    overview = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert f'href="shifts/{folder.name}/judgement-shifts.html"' in overview
    assert figures["comparison"]["good_or_better"]["verdict"] in overview


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--a", B, "--b", A], "comes before period A"),
        (["--a", "2019-09:2020-13", "--b", B], "2020-13 is not a month"),
        (["--a", A, "--b", "2020-03:2020-05"], "no audits"),
        (["--a", A, "--b", "2020-01:2020-06"], "overlap"),
    ],
)
def test_cli_errors_are_plain_and_start_no_kernel(tmp_path, capsys, argv, words):
    code = main(["shifts", *argv, "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1
    assert words in err and "Traceback" not in err
    assert err.startswith("auditlib shifts: ")
    assert not (tmp_path / "shifts").exists() or not any((tmp_path / "shifts").iterdir())


def test_cohort_tests_match_a_count_by_hand(demo_data, raw_audits):
    report = from_data(demo_data, A, B, "cohort")
    name = schema.COHORTS["cse"]
    at_risk = raw_audits["cse_risk"].isin(["emerging", "experiencing", "significant"])
    counts = []
    for months in (MONTHS_A, MONTHS_B):
        rows = _completed(raw_audits.loc[at_risk], months)
        counts.append((int(rows["final"].isin(["Outstanding", "Good"]).sum()), len(rows)))
    (ka, na), (kb, nb) = counts
    pooled = (ka + kb) / (na + nb)
    z = (kb / nb - ka / na) / np.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    tests = report.group_tests
    row = tests.loc[(tests["group"] == name) & (tests["measure"] == "% Good or better")].iloc[0]
    assert (row["k_a"], row["n_a"], row["k_b"], row["n_b"]) == (ka, na, kb, nb)
    assert row["p_value"] == pytest.approx(2 * sps.norm.sf(abs(z)))
    # the summary names exactly the cohorts whose Holm-adjusted p is below 0.05
    summary = shift_report.breakdown.summary(report)
    for _, r in tests.iterrows():
        named = f"{r['measure']} improved for" in summary and str(r["group"]) in summary
        if r["p_holm"] < 0.05:
            assert named
    assert (name in summary) == (row["p_holm"] < 0.05)
