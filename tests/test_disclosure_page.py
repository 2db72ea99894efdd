"""The page audit on issue #15's page cases: numbers a published page states that gave a
suppressed count away, each audited as the page states it now (nothing pinned) and, where
the old wording can be stated as facts, as it was (pinned), so each test can fail.

Each builds only the sections it needs (on the demo data, or a copy changed by hand) and
audits their facts with :func:`auditlib.disclosure.audit.run_audit`: seconds, not the
minutes of a whole month (``scripts/disclosure_audit.py`` runs those).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from auditlib.analysis import comparisons, metrics
from auditlib.data import schema
from auditlib.data.pipeline import AuditData, load_audit_data
from auditlib.disclosure import published, queries, registry, report_facts
from auditlib.disclosure.audit import Computed, Equals, run_audit
from auditlib.paths import DEMO_DATA_DIR
from auditlib.report import monthly, wording
from auditlib.report.blocks import Table, close_charts
from auditlib.report.monthly import headline, themes
from auditlib.report.monthly.context import MonthContext

MONTH = "2020-09"


def page_items(ctx: MonthContext, names: tuple[str, ...]) -> list[report_facts.Item]:
    """The named sections of a month's report as a reader meets them."""
    sections = {name: section(ctx) for name, section in monthly.SECTIONS if name in names}
    items = report_facts.items_from_blocks(sections)
    for blocks in sections.values():
        close_charts(blocks)
    return items


def text_of(items: list[report_facts.Item]) -> str:
    return "\n".join(item.text for item in items if item.kind == "text")


def cell_of(result, query):
    (found,) = [c for c in result.cells if c.query == query]
    return found


def copy_demo(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    """A copy of the demo data folder and its audits, to change and write back."""
    folder = tmp_path / "data"
    shutil.copytree(DEMO_DATA_DIR, folder)
    audits = pd.read_csv(folder / "audits.csv", dtype=str, keep_default_na=False)
    return folder, audits


@pytest.fixture(scope="module")
def demo() -> AuditData:
    return load_audit_data(DEMO_DATA_DIR)


def test_a_pair_of_ns_no_longer_gives_not_recorded_away(demo):
    # Issue #15: September 2020 printed "(n=612)" for the share tests against the previous
    # 12 months and "(n=602)" for the distribution test, whose n's leave Not recorded out:
    # 10 Not recorded, and with November 2019's 8 shown, July's and August's [c] were 1 each.
    ctx = published.month_context(demo, MONTH, "published")
    items = page_items(ctx, ("judgements", "shifts"))
    text = text_of(items)
    year = list(ctx.year_months)
    graded = queries.completed(year, judgements=schema.JUDGEMENTS)
    assert "(n=612)" in text  # the share test is still stated
    assert f"(n={int(ctx.trend.loc[year, schema.JUDGEMENTS].to_numpy().sum())})" not in text
    assert "Judgements in September 2020 against the previous 12 months: not shown" in text
    facts = report_facts.facts_from_items(ctx, items)
    universes = queries.universes(demo)
    result = run_audit(facts, universes, exact=True)
    assert result.passed, result.summary()
    hidden = [
        queries.completed(m, judgements=(schema.NOT_RECORDED,)) for m in ("2020-07", "2020-08")
    ]
    for query in hidden:
        cell = cell_of(result, query)
        assert cell.value == 1 and cell.high > cell.low, cell.describe()
    # The page as it was: both n's stated.
    old = [
        Equals("old page: (n=612)", {queries.completed(year): 1}, 612),
        Equals("old page: (n=602)", {graded: 1}, 602),
    ]
    before = run_audit([*facts, *old], universes, exact=True)
    assert {c.query for c in before.pinned} >= set(hidden), before.summary()


def test_outstanding_beside_allocated_and_completed(tmp_path):
    # Issue #15: "42 allocated and 38 completed … [c] are outstanding" gave 4. A September
    # with 4 audits outstanding, none exempt or cancelled: the headline hides completed too.
    folder, audits = copy_demo(tmp_path)
    month = (audits["audit_month"] == MONTH) & (audits["audit_type"] == schema.AUDIT)
    waiting = month & audits["status"].isin(["allocated", "extension"])
    drop = (month & audits["status"].isin(["exempt", "cancelled"])) | (
        waiting & (waiting.cumsum() > 4)
    )
    audits.loc[~drop].to_csv(folder / "audits.csv", index=False)
    data = load_audit_data(folder)
    ctx = published.month_context(data, MONTH, "published")
    items = page_items(ctx, ("headline",))
    text = text_of(items)
    allocated = int((month & ~drop & ~audits["status"].isin(["exempt", "cancelled"])).sum())
    assert f"In September 2020, {allocated} audits were allocated and [c] completed" in text
    assert "[c] are outstanding" in text
    facts = report_facts.facts_from_items(ctx, items)
    facts += registry.facts_from_figures(ctx.published_figures, data, label="figures.json")
    universes = queries.universes(data)
    result = run_audit(facts, universes, exact=True)
    assert result.passed, result.summary()
    outstanding = cell_of(result, queries.outstanding(MONTH))
    assert outstanding.value == 4 and outstanding.high > outstanding.low
    # The headline as it was: completed stated beside allocated.
    completed = Equals("old headline", {queries.completed(MONTH): 1}, allocated - 4)
    before = run_audit([*facts, completed], universes, exact=True)
    assert queries.outstanding(MONTH) in {c.query for c in before.pinned}, before.summary()


def test_a_team_outside_the_funnel_is_named_without_its_numbers(tmp_path):
    # Issue #15: the funnel sentence printed "worse: [c] (1 of 58)": the count itself. A
    # team with 1 Good or better audit in the 12 months is named, with its side of the
    # limits only, and the audit of the section pins nothing.
    folder, audits = copy_demo(tmp_path)
    window = (
        (audits["audit_month"] >= "2019-10")
        & (audits["audit_month"] <= MONTH)
        & (audits["audit_type"] == schema.AUDIT)
        & (audits["status"] == schema.COMPLETED)
    )
    key = audits["team"].str.split().str.join(" ").str.lower()
    team = key[window].value_counts().index[0]
    mine = window & (key == team)
    audits.loc[mine, ["overall_judgement", "moderated_judgement"]] = [
        schema.REQUIRES_IMPROVEMENT,
        "",
    ]
    audits.loc[mine[mine].index[0], "overall_judgement"] = schema.GOOD
    audits.to_csv(folder / "audits.csv", index=False)
    data = load_audit_data(folder)
    ctx = published.month_context(data, MONTH, "published")
    items = page_items(ctx, ("themes",))
    sentence = next(i.text for i in items if "limits for % Good or better" in i.text)
    found = re.search(r": (?P<name>[^:]+) \(lower than expected, worse\)\.$", sentence)
    assert found and found["name"].lower() == team, sentence
    assert not re.search(r"\d+ of \d+\)", sentence)
    funnel = [i for i in items if i.text == sentence]
    facts = report_facts.facts_from_items(ctx, funnel)
    named = found["name"]
    window = [*comparisons.previous_months(MONTH, themes.TEAM_WINDOW_MONTHS - 1), MONTH]
    gob = queries.completed(window, judgements=schema.GOOD_OR_BETTER, team=named)
    n = queries.completed(window, team=named)
    # No count of the named team's Good or better audits is stated at all; its side of the
    # limits is a condition on (count, audits), and even a reader given the team's audits
    # is left more than one count.
    assert not [f for f in facts if isinstance(f, Equals) and gob in f.expr]
    (side,) = [f for f in facts if isinstance(f, Computed)]
    assert side.inputs == (gob, n)
    audited = int(mine.sum())
    fits = [k for k in range(audited + 1) if side.accepts((k, audited))]
    assert 1 in fits and len(fits) >= 2, fits
    given_n = Equals("a reader given the team's audits", {n: 1}, audited)
    result = run_audit([*facts, given_n], queries.universes(data))
    assert result.passed, result.summary()
    # The sentence as it was stated the count: 1 Good or better audit, a count of 1 to 5.
    internal = published.month_context(data, MONTH, "internal")
    old = next(
        i.text for i in page_items(internal, ("themes",)) if "limits for % Good or better" in i.text
    )
    assert re.search(rf"{re.escape(named)} \(lower than expected, worse: \d+% \(1 of \d+\)\)", old)


def test_describe_test_family_counts_only_the_tests_shown():
    # A withheld test's verdict must not be counted: "1 of the six is significant" beside
    # "none of the 2 shown" gave the withheld one's verdict away (September 2020).
    family = pd.DataFrame({"significant": [False, True, False, False, False, False]})
    shown = [True, False, False, True, False, False]
    text = wording.describe_test_family(family, shown=shown)
    assert "none of the 2 shown is significant after adjustment" in text
    assert "1 of the six" not in text
    assert "none is significant" not in wording.describe_test_family(family, shown=[False] * 6)
    assert "1 of the six is significant" in wording.describe_test_family(family)


def test_overdue_beside_a_hidden_outstanding_count(demo):
    # February 2019's team table showed a team's overdue 6 beside its outstanding [c] of 10
    # allocated; every outstanding audit was overdue (both columns total 20), so the 6 was
    # a floor that pinned outstanding at 6 and completed at 4. Overdue goes with it now.
    month = "2019-02"
    team = "Assessment Team South West"
    ctx = published.month_context(demo, month, "published")
    tables = [
        b
        for b in themes.section(ctx)
        if isinstance(b, Table) and b.caption.startswith("Audit compliance by team")
    ]
    items = report_facts.items_from_blocks({"themes": tables, "headline": headline.section(ctx)})
    (table,) = [i.frame for i in items if i.caption.startswith("Audit compliance by team")]
    assert table.at[team, "Outstanding"] == table.at[team, "Overdue"] == "[c]"
    for t in table.index:
        if table.at[t, "Outstanding"] == "[c]":
            assert table.at[t, "Overdue"] == "[c]", t
    facts = report_facts.facts_from_items(ctx, items)
    facts += registry.facts_from_figures(ctx.published_figures, demo, label="figures.json")
    universes = queries.universes(demo)
    result = run_audit(facts, universes, exact=True)
    assert result.passed, result.summary()
    outstanding = queries.outstanding(month, team=team)
    cell = cell_of(result, outstanding)
    assert cell.value == 6 and cell.high > cell.low
    # The table as it was: the team's overdue shown.
    as_at = ctx.figures.get("as_at")
    old = Equals("old table", {queries.outstanding(month, overdue_at=as_at, team=team): 1}, 6)
    before = run_audit([*facts, old], universes, exact=True)
    assert outstanding in {c.query for c in before.pinned}, before.summary()


def reaudit_cell(month: str, original: str, reaudit: str) -> queries.Audits:
    months = metrics.months_between("2018-11", month)
    return queries.completed(months, schema.REAUDIT, judgements=(reaudit,), original=(original,))


@pytest.mark.parametrize("month", ["2019-05", "2020-09"])
def test_reaudit_verdict_and_table_beside_a_hidden_cell(demo, month):
    # September 2020's verdict said 46% improved and figures.json 163 improved: with the
    # table's other cells shown, its three [c]s were 1, 10 and 1. May 2019's table hid the
    # Good row's total alone, which the rows' sum (64, stated) gave back as 1.
    ctx = published.month_context(demo, month, "published")
    items = report_facts.items_from_blocks(
        {"shifts": monthly.shifts.reaudit_blocks(ctx), "headline": headline.section(ctx)}
    )
    verdict = next(i.text for i in items if i.text.startswith("Re-audits: verdict"))
    assert "how they moved is not shown in this published version" in verdict
    assert not re.search(r"\d+%|mean change|p [<=≥]", verdict)
    expectation = ctx.published_figures["reaudit_expectation"]
    assert expectation["rests_on_small_cell"] is True
    assert set(expectation["movement_counts"].values()) == {"[c]"}
    assert expectation["verdict"] == "[c]"
    facts = report_facts.facts_from_items(ctx, items)
    facts += registry.facts_from_figures(ctx.published_figures, demo, label="figures.json")
    universes = queries.universes(demo)
    result = run_audit(facts, universes, exact=True)
    assert result.passed, result.summary()
    # As it was: September's improved count, May's row totals beside the hidden one.
    if month == "2020-09":
        score = schema.JUDGEMENT_SCORE
        improved = {
            reaudit_cell(month, o, r): 1
            for o in schema.JUDGEMENTS
            for r in schema.JUDGEMENTS
            if score[r] > score[o]
        }
        old = [Equals("old verdict: 163 improved", improved, 163)]
        cell = reaudit_cell(month, schema.GOOD, schema.OUTSTANDING)
    else:
        old = [
            Equals(
                f"old table: {o} total",
                {reaudit_cell(month, o, r): 1 for r in schema.JUDGEMENTS},
                n,
            )
            for o, n in ((schema.REQUIRES_IMPROVEMENT, 32), (schema.INADEQUATE, 31))
        ]
        cell = reaudit_cell(month, schema.GOOD, schema.GOOD)
    before = run_audit([*facts, *old], universes, exact=True)
    assert cell in {c.query for c in before.pinned}, before.summary()


@pytest.mark.slow
def test_a_cohort_of_nearly_every_audit_hides_what_the_month_hides(demo):
    # July 2020: Children in Need were 68 of the month's 75 audits, and the cohort table
    # showed their Good (20) beside the month's Good or better (21) and Outstanding [c]:
    # the month's Outstanding was 1 and its Good 20. The cohort's Good is hidden now.
    month = "2020-07"
    ctx = published.month_context(demo, month, "published")
    cohorts = [
        b
        for b in themes.section(ctx)
        if isinstance(b, Table) and b.caption.startswith("Overall judgements by cohort")
    ]
    items = report_facts.items_from_blocks(
        {"judgements": monthly.judgements.section(ctx), "themes": cohorts}
    )
    (table,) = [i.frame for i in items if i.caption.startswith("Overall judgements by cohort")]
    assert table.at["Children in Need (CiN)", schema.GOOD] == "[c]"
    facts = report_facts.facts_from_items(ctx, items)
    facts += registry.facts_from_figures(ctx.published_figures, demo, label="figures.json")
    universes = queries.universes(demo)
    result = run_audit(facts, universes)
    assert result.passed, result.summary()
    outstanding = queries.completed(month, judgements=(schema.OUTSTANDING,))
    assert not cell_of(result, outstanding).pinned
    # The table as it was: the cohort's Good shown.
    old = Equals(
        "old cohort table",
        {queries.completed(month, judgements=(schema.GOOD,), cohort="cin"): 1},
        20,
    )
    before = run_audit([*facts, old], universes)
    assert outstanding in {c.query for c in before.pinned}, before.summary()
