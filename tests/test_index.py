"""auditlib.publish.index (and the page of auditlib.report.overview): the programme overview.

The month folders hold real figures.json files, built from the demo programme for its last
three months under each disclosure profile; the HTML reports beside them are stand-ins
(the overview only links to them). The expected figures are the demo programme's own.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from auditlib import disclosure
from auditlib.data.pipeline import load_audit_data
from auditlib.paths import DEMO_DATA_DIR
from auditlib.publish import index
from auditlib.publish.export import check_offline
from auditlib.report.figures import build_figures

MONTHS = ("2020-07", "2020-08", "2020-09")
SHIFT = "2019-06_to_2020-02_vs_2020-06_to_2020-09"


@pytest.fixture(scope="module")
def demo_figures() -> dict[str, dict]:
    data = load_audit_data(DEMO_DATA_DIR)
    return {month: build_figures(data, month) for month in MONTHS}


def _publish(root: Path, demo_figures: dict[str, dict], profile: str) -> None:
    for month, figures in demo_figures.items():
        folder = root / month
        folder.mkdir(parents=True)
        (folder / f"audit-highlights-{month}.html").write_text("<html></html>", encoding="utf-8")
        published = disclosure.apply_to_figures(figures, profile)
        (folder / "figures.json").write_text(json.dumps(published), encoding="utf-8")


def _shift_report(root: Path, name: str, title: str, verdicts: tuple[str, str, str]) -> Path:
    folder = root / "shifts" / name
    folder.mkdir(parents=True)
    (folder / "judgement-shifts.html").write_text("<html></html>", encoding="utf-8")
    figures = {
        "title": title,
        "organisation": "Example Council",
        "by": None,
        "comparison": {
            "good_or_better": {"verdict": verdicts[0]},
            "inadequate": {"verdict": verdicts[1]},
            "distribution": {"verdict": verdicts[2]},
        },
    }
    (folder / "shift-figures.json").write_text(json.dumps(figures), encoding="utf-8")
    return folder


def _page(root: Path) -> BeautifulSoup:
    return BeautifulSoup(index.write_index(root).read_text(encoding="utf-8"), "html.parser")


def _text(node) -> str:
    return " ".join(node.get_text(" ").split())


def _cards(page: BeautifulSoup) -> dict[str, str]:
    return {
        _text(card.select_one(".card-heading")): _text(card)
        for card in page.select("li.overview-card")
    }


def _month_rows(page: BeautifulSoup) -> dict[str, list[str]]:
    table = page.select_one("table.months-table")
    return {
        _text(row.th): [_text(cell) for cell in row.find_all("td")]
        for row in table.tbody.find_all("tr")
    }


@pytest.fixture
def internal_page(tmp_path, demo_figures) -> BeautifulSoup:
    _publish(tmp_path, demo_figures, "internal")
    _shift_report(
        tmp_path,
        SHIFT,
        "Judgement shifts: June to September 2020 against June 2019 to February 2020",
        ("significant improvement", "no significant difference", "significantly better"),
    )
    return _page(tmp_path)


# ---------------------------------------------------------------- the headline
def test_the_headline_gives_the_latest_months_figures(internal_page):
    cards = _cards(internal_page)
    to_date = cards["Audit compliance, programme to date"]
    assert "80%" in to_date and "1,298 of 1,632 audits allocated since December 2018" in to_date
    assert "no SPC signal" in to_date  # a running total is not read on an SPC chart
    assert "79%" in cards["Re-audit compliance, programme to date"]
    assert "361 of 456 re-audits" in cards["Re-audit compliance, programme to date"]
    month = cards["Audit compliance, September 2020"]
    assert "66%" in month and "61 of 93 audits allocated in September 2020" in month
    # 32 outstanding, 15 of them overdue: 17 are not due yet.
    assert "17 audits are not yet due, so the figure can still rise" in month
    assert "34%" in cards["Good or better, September 2020"]
    assert "21 of 61 completed audits" in cards["Good or better, September 2020"]
    assert "7%" in cards["Inadequate, September 2020"]
    assert "4 of 61 completed audits" in cards["Inadequate, September 2020"]


def test_each_monthly_figure_says_its_spc_signal_in_words(internal_page, demo_figures):
    cards = _cards(internal_page)
    spc = demo_figures["2020-09"]["spc"]
    compliance = cards["Audit compliance, September 2020"]
    assert "Concern (lower than usual): special cause variation" in compliance
    assert spc["compliance"]["verdict"] in compliance
    # Good or better: its run above the average since October 2019 is broken by the pauses
    # (runs do not span a gap, as in NHSRplotthedots), so it is common cause
    good = cards["Good or better, September 2020"]
    assert "No significant change : common cause variation" in good
    assert spc["good_or_better"]["verdict"] in good
    inadequate = cards["Inadequate, September 2020"]
    assert "No significant change : common cause variation" in inadequate
    # The icons are decorative: the words carry the meaning.
    icons = internal_page.select("svg.signal-icon")
    assert len(icons) == 3 and all(icon["aria-hidden"] == "true" for icon in icons)
    # only the special-cause icon (compliance, low) carries a letter
    assert [i.find("text").string for i in icons if i.find("text")] == ["L"]


def test_the_trend_charts_are_described_and_carry_their_numbers(internal_page, demo_figures):
    charts = internal_page.select("svg.trend-chart")
    assert [c.find("title").string for c in charts] == [
        "Audit compliance by month",
        "Good or better by month",
        "Inadequate by month",
    ]
    trend = demo_figures["2020-09"]["trend"]
    audited = [e for e in trend if e["state"] == "audited"]
    inadequate = charts[2]
    assert len(inadequate.find_all("circle")) == len(audited)
    desc = inadequate.find("desc").string
    assert desc.startswith("Inadequate each month from November 2018 to September 2020")
    assert "latest 7% (September 2020)" in desc and "Paused: December 2019" in desc
    # The table behind the Inadequate chart: every trend month, paused ones said so.
    table = internal_page.select_one("#trend-inadequate-table").find_parent("table")
    rows = [[_text(c) for c in row.find_all(["th", "td"])] for row in table.tbody.find_all("tr")]
    assert len(rows) == len(trend)
    assert ["Sep 2020", "7%", "common cause"] in rows
    assert ["Apr 2020", "paused", ""] in rows
    compliance = internal_page.select_one("#trend-compliance-table").find_parent("table")
    assert ["Sep 2020", "66%", "concern"] in [
        [_text(c) for c in row.find_all(["th", "td"])] for row in compliance.tbody.find_all("tr")
    ]


# ---------------------------------------------------------------- the tables
def test_every_month_has_a_row_with_its_own_figures_and_a_link(internal_page):
    rows = _month_rows(internal_page)
    assert list(rows) == ["September 2020", "August 2020", "July 2020"]  # newest first
    assert rows["August 2020"][:5] == ["93", "79", "85%", "24%", "15%"]
    assert rows["July 2020"][:5] == ["90", "75", "83%", "28%", "16%"]
    assert re.fullmatch(r"\d{1,2} \w{3} \d{4}, \d\d:\d\d", rows["July 2020"][5])
    link = internal_page.select_one("table.months-table tbody tr th a")
    assert link["href"] == "2020-09/audit-highlights-2020-09.html"


def test_the_shift_reports_are_listed_with_their_verdicts_and_links(internal_page):
    table = internal_page.select_one("table.shifts-table")
    row = table.tbody.find("tr")
    assert row.th.a["href"] == f"shifts/{SHIFT}/judgement-shifts.html"
    cells = [_text(c) for c in row.find_all("td")]
    assert cells[:4] == [
        "none",
        "significant improvement",
        "no significant difference",
        "significantly better",
    ]


def test_the_page_is_offline_accessible_and_has_no_script(internal_page):
    page = str(internal_page)
    check_offline(page)
    assert "<script" not in page and 'lang="en-GB"' in page
    assert internal_page.title.string == "Audit Highlights Reports – Example Council"
    assert "Internal version: not for publication." in _text(internal_page)
    for table in internal_page.find_all("table"):
        assert table.caption is not None and table.find("th", scope="col") is not None
    for chart in internal_page.select("svg[role=img]"):
        assert chart["aria-labelledby"].split()[0] == chart.find("title")["id"]


# ---------------------------------------------------------------- published profile
def test_published_shows_only_what_the_figures_files_show(tmp_path, demo_figures):
    _publish(tmp_path, demo_figures, "published")
    page = _page(tmp_path)
    figures = json.loads((tmp_path / "2020-09" / "figures.json").read_text(encoding="utf-8"))
    assert figures["month"]["judgements"]["Inadequate"] == "[c]"  # 4 Inadequate in September
    inadequate = _cards(page)["Inadequate, September 2020"]
    assert "[c] of 61 completed audits" in inadequate
    assert "7%" not in inadequate and " 4 " not in f" {inadequate} "
    assert "No significant change" in inadequate  # the signal stays, as in the report
    rows = _month_rows(page)
    for month, label in (("2020-07", "July 2020"), ("2020-08", "August 2020")):
        shown = json.loads((tmp_path / month / "figures.json").read_text(encoding="utf-8"))
        if shown["month"]["judgements_pct"]["Inadequate"] == "[c]":
            assert rows[label][4] == "[c]"
    chart = page.select("svg.trend-chart")[2]
    assert not chart.find_all("line", attrs={"stroke-dasharray": True})  # no limits drawn
    assert "The average and limits are not shown" in chart.find("desc").string
    assert "Published version" in _text(page)


# ---------------------------------------------------------------- what is on disk
def test_write_index_lists_every_month_with_status(tmp_path):
    for month, label in [("2020-08", "August 2020"), ("2020-09", "September 2020")]:
        folder = tmp_path / month
        folder.mkdir()
        (folder / f"audit-highlights-{month}.html").write_text("<html></html>", encoding="utf-8")
        (folder / "figures.json").write_text(
            json.dumps({"month_label": label, "organisation": "Example Council"}), encoding="utf-8"
        )
    failed = tmp_path / "_failed"
    (failed / "2020-09").mkdir(parents=True)
    (failed / "2020-09" / "failure.txt").write_text("It broke <here>.", encoding="utf-8")
    (failed / "2020-10").mkdir()
    (failed / "2020-10" / "failure.txt").write_text("Never worked.", encoding="utf-8")
    (tmp_path / "not-a-month").mkdir()

    page = _page(tmp_path)
    rows = _month_rows(page)
    assert list(rows) == ["October 2020", "September 2020", "August 2020"]
    links = [a["href"] for a in page.select("table.months-table th a")]
    assert links == [
        "2020-09/audit-highlights-2020-09.html",
        "2020-08/audit-highlights-2020-08.html",
    ]
    assert rows["August 2020"][:5] == ["[x]"] * 5  # figures.json states no figures
    assert "Last run failed" in rows["September 2020"][5]
    assert "_failed/2020-09/failure.txt" in rows["September 2020"][5]
    assert "last good one" in rows["September 2020"][5]
    assert rows["October 2020"][5].startswith("No report")
    text = str(page)
    assert "It broke" not in text  # the reason stays out of the published index
    assert "Example Council" in text and "not-a-month" not in text


def test_build_records_say_reused_rebuilt_or_frozen(tmp_path, demo_figures):
    from auditlib.publish import builds

    _publish(tmp_path, demo_figures, "internal")
    for month in ("2020-07", "2020-08"):
        folder = tmp_path / month
        (folder / f"audit-highlights-{month}.ipynb").write_text("{}", encoding="utf-8")
        record = builds.build_record(month, {}, folder, 1.0)
        record["built_at"] = record["last_run_at"] = "2020-10-06T09:30:00+00:00"
        builds.write_build_record(folder, record)
    builds.freeze(tmp_path / "2020-07", "2020-07", "approved by the board")
    builds.note_reused(tmp_path / "2020-08")
    rows = _month_rows(_page(tmp_path))
    assert "6 Oct 2020" in rows["July 2020"][5] and "frozen since " in rows["July 2020"][5]
    assert "approved by the board" in rows["July 2020"][5]
    assert "reused by the last run" in rows["August 2020"][5]
    assert "unchanged since it was built on 6 October 2020" in rows["August 2020"][5]
    assert "6 Oct 2020" not in rows["September 2020"][5]  # no record: the file's own time
    frozen = index.write_index(tmp_path, frozen={"2020-09": "Board"}).read_text()
    assert "frozen in programme.yml — Board" in frozen


def test_a_corrupt_figures_file_leaves_its_row_without_figures(tmp_path, demo_figures):
    _publish(tmp_path, demo_figures, "internal")
    (tmp_path / "2020-09" / "figures.json").write_text("{not json", encoding="utf-8")
    page = _page(tmp_path)
    rows = _month_rows(page)
    assert rows["September 2020"][:5] == ["[x]"] * 5
    # The headline falls back to the newest month whose figures can be read.
    assert "August 2020 at a glance" in _text(page.h2)


def test_figures_of_an_unexpected_shape_do_not_stop_the_page(tmp_path, demo_figures):
    _publish(tmp_path, demo_figures, "internal")
    odd = dict(demo_figures["2020-09"])
    odd.update(disclosure="internal", trend={"2020-09": 1}, spc=["x"], programme="?")
    odd["month"] = {**odd["month"], "judgements_pct": None}
    (tmp_path / "2020-09" / "figures.json").write_text(json.dumps(odd), encoding="utf-8")
    page = _page(tmp_path)
    cards = _cards(page)
    assert "66%" in cards["Audit compliance, September 2020"]
    assert "[z]" in cards["Inadequate, September 2020"]  # no share stated
    assert "No SPC reading" in cards["Good or better, September 2020"]
    assert "[x]" in cards["Audit compliance, programme to date"]
    assert "Internal version" in _text(page)


def test_an_empty_folder_still_gets_a_page(tmp_path):
    page = _page(tmp_path)
    text = _text(page)
    assert "No monthly report has been produced yet." in text
    assert "No judgement-shift report has been produced" in text


def test_shift_reports_newest_first_and_failed_ones_said(tmp_path):
    older = _shift_report(tmp_path, "a_vs_b", "Older", ("", "", ""))
    newer = _shift_report(tmp_path, "c_vs_d", "Newer", ("", "", ""))
    os.utime(older / "judgement-shifts.html", (1_600_000_000, 1_600_000_000))
    os.utime(newer / "judgement-shifts.html", (1_700_000_000, 1_700_000_000))
    failed = tmp_path / "shifts" / "_failed" / "e_vs_f"
    failed.mkdir(parents=True)
    (failed / "failure.txt").write_text("Secret input value", encoding="utf-8")
    records = index.shift_records(tmp_path / "shifts")
    assert [r.name for r in records] == ["c_vs_d", "a_vs_b", "e_vs_f"]
    page = _page(tmp_path)
    rows = page.select("table.shifts-table tbody tr")
    assert "Last run failed" in _text(rows[2]) and "Secret" not in str(page)
