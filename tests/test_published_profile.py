"""Disclosure in practice: what a ``published`` report of each demo month actually shows.

The unit tests of :mod:`auditlib.disclosure` prove the rule; these read the rendered
reports (HTML tables, chart alt text, narrative, figures.json) the way a reader would, and
check that no count of 1 to 5 is shown, that nothing hidden can be worked out by subtraction
within a table, and that the HTML and figures.json hide the same judgement counts (two
outputs that hide different cells of one row give each other's hidden numbers away).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from auditlib import disclosure
from auditlib.data import schema
from tests.rendered import XDIST_GROUP, RenderedReports, demo_reports

pytestmark = [pytest.mark.slow, XDIST_GROUP]

C = disclosure.SUPPRESSED
LABELS = list(schema.JUDGEMENT_LABELS)
#: Counts of rows in the input files, not of children: outside the disclosure rule
#: (figures.json keeps them in its data_quality section for the same reason). The
#: warnings' count of audits with no judgement is a count of children's audits: hidden
#: as the trend hides it (tests/test_report_data_quality.py).
ROW_COUNT_TABLES = (
    "Every input row accounted for",
    "Rows excluded, by reason",
    "Warnings, by kind",
    "Name spellings merged",
)
#: The same tables by their names in figures.json's ``tables`` (and tables/*.csv).
ROW_COUNT_TABLE_NAMES = (
    "input_rows",
    "data_quality_exclusions",
    "data_quality_warnings",
    "data_quality_name_merges",
)
#: figures.json keys whose numbers are not figures: the words of the page (``statements``:
#: "1 to 5", months, rows), checked on the page itself by the tests below.
NOT_FIGURES_KEYS = ("data_quality", "figures_version", "statements")
#: "1,234", "12 (45%)", "0 ([c])", "3 (43% [low])": a count, maybe with its share.
COUNT_CELL = re.compile(r"^(\d{1,3}(?:,\d{3})*|\d+)(?:\s*\((.+)\))?$")
SMALL_N = re.compile(r"\bn\s*=\s*[1-5]\b")


# ---------------------------------------------------------------- reading a report
@dataclass
class Table:
    caption: str
    header: list[str] = field(default_factory=list)
    rows: list[tuple[str, list[str]]] = field(default_factory=list)  # (row header, td cells)

    def column(self, name: str) -> int:
        """Index among the td cells of the column headed ``name``."""
        return self.header.index(name) - 1


class ReportParser(HTMLParser):
    """Tables (caption, column headers, row header and td cells), alt texts and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[Table] = []
        self.alts: list[str] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self._cell_tag = ""
        self._row: list[tuple[str, str]] | None = None
        self._in_caption = False
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("style", "script"):
            self._skip += 1
        elif tag == "img":
            self.alts.append(attrs.get("alt") or "")
        elif tag == "table":
            self.tables.append(Table(""))
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell, self._cell_tag = [], tag

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1
        elif tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append((self._cell_tag, " ".join("".join(self._cell).split())))
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            table = self.tables[-1]
            if not table.header:
                table.header = [text for _, text in self._row]
            else:
                head = self._row[0][1] if self._row and self._row[0][0] == "th" else ""
                table.rows.append((head, [text for tag, text in self._row if tag == "td"]))
            self._row = None

    def handle_data(self, data):
        if self._skip:
            return
        if self._in_caption and self.tables:
            self.tables[-1].caption += data
        if self._cell is not None:
            self._cell.append(data)
        self.text.append(data)


@dataclass
class Report:
    month: str
    tables: list[Table]
    alts: list[str]
    text: str
    figures: dict

    def table(self, caption_start: str) -> Table:
        return next(t for t in self.tables if t.caption.startswith(caption_start))


def read_report(reports: RenderedReports, profile: str, month: str) -> Report:
    parser = ReportParser()
    parser.feed(reports.html(profile, month).read_text(encoding="utf-8"))
    figures = json.loads(reports.figures(profile, month).read_text(encoding="utf-8"))
    text = " ".join(html.unescape(" ".join(parser.text)).split())
    for table in parser.tables:
        table.caption = " ".join(table.caption.split())
    return Report(month, parser.tables, parser.alts, text, figures)


# ---------------------------------------------------------------- the checks
def shown_small_counts(report: Report) -> list[str]:
    """Every table cell that shows a count of 1 to 5 (outside the row-count table)."""
    found = []
    for table in report.tables:
        if table.caption.startswith(ROW_COUNT_TABLES):
            continue
        for head, cells in table.rows:
            for text in cells:
                match = COUNT_CELL.match(text)
                if match and disclosure.is_small(int(match[1].replace(",", ""))):
                    found.append(f"{table.caption[:50]} / {head}: {text}")
    return found


def shares_of_hidden_totals(report: Report) -> list[str]:
    """Share-table cells that give a percentage of a suppressed total."""
    found = []
    for table in report.tables:
        if table.header[-1:] != ["Completed audits"]:
            continue
        for head, cells in table.rows:
            if cells[-1] == C:
                found += [f"{table.caption[:50]} / {head}: {c}" for c in cells[:-1] if "%" in c]
    return found


def recoverable_cells(table: Table, members: list[str], total: str) -> list[str]:
    """Rows where exactly one of ``members`` is hidden while their ``total`` is shown:
    the hidden one is the total less the others."""
    found = []
    for head, cells in table.rows:
        values = [cells[table.column(name)] for name in members]
        if cells[table.column(total)] != C and sum(v == C for v in values) == 1:
            found.append(f"{table.caption[:50]} / {head}: {values} of {cells[table.column(total)]}")
    return found


def recoverable_in_columns(table: Table, total_row: str, columns: list[str]) -> list[str]:
    """Columns with exactly one hidden cell above a shown total row."""
    found = []
    body = [cells for head, cells in table.rows if head != total_row]
    totals = next((cells for head, cells in table.rows if head == total_row), None)
    if totals is None:
        return [f"{table.caption[:50]}: no {total_row} row"]
    for name in columns:
        i = table.column(name)
        if totals[i] != C and sum(cells[i] == C for cells in body) == 1:
            found.append(f"{table.caption[:50]}: column {name}")
    return found


def small_figures(figures: dict) -> list[str]:
    """Integers of 1 to 5 anywhere in figures.json except counts of input rows (and the
    page's words)."""
    found = []

    def walk(value, path):
        if isinstance(value, dict):
            for key, item in value.items():
                if path == "" and key in NOT_FIGURES_KEYS:
                    continue
                if path == ".tables" and key in ROW_COUNT_TABLE_NAMES:
                    continue
                walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, f"{path}[{i}]")
        elif isinstance(value, int) and not isinstance(value, bool) and disclosure.is_small(value):
            found.append(f"{path} = {value}")

    walk(figures, "")
    return found


def shares_of_hidden_counts(figures: dict) -> list[str]:
    """Percentages in figures.json whose count or denominator is suppressed."""
    found = []
    sections = [("month", figures["month"])] + [
        (f"trend {e['month']}", e) for e in figures["trend"]
    ]
    for name, entry in sections:
        counts = entry.get("judgements") or {}
        shares = entry.get("judgements_pct") or {k: entry.get(k) for k in LABELS}
        hidden_total = entry.get(schema.COMPLETED) == C
        for label, count in counts.items():
            if (count == C or hidden_total) and shares.get(label) not in (C, None):
                found.append(f"{name}: {label} share {shares.get(label)}")
        if (entry.get("good_or_better") == C or hidden_total) and entry.get(
            "good_or_better_pct"
        ) not in (C, None):
            found.append(f"{name}: good_or_better_pct")
        for share, (part, whole) in disclosure.SHARE_PARTS.items():
            hidden = C in (entry.get(part), entry.get(whole))
            if share in entry and hidden and entry[share] != C:
                found.append(f"{name}: {share}")
    return found


def hidden_labels(entry: dict) -> set[str]:
    return {label for label, count in entry["judgements"].items() if count == C}


# ---------------------------------------------------------------- fixtures
@pytest.fixture(scope="session")
def rendered_reports(tmp_path_factory) -> RenderedReports:
    return demo_reports(tmp_path_factory)


@pytest.fixture(scope="module")
def published(rendered_reports) -> list[Report]:
    return [read_report(rendered_reports, "published", m) for m in rendered_reports.months]


@pytest.fixture(scope="module")
def internal(rendered_reports) -> list[Report]:
    return [read_report(rendered_reports, "internal", m) for m in rendered_reports.months]


# ---------------------------------------------------------------- tests
def test_the_checks_find_small_counts_in_the_internal_reports(internal):
    """The checks can fail: the internal reports show every count, small ones included."""
    assert sum(len(shown_small_counts(r)) for r in internal) > 50
    assert sum(len(small_figures(r.figures)) for r in internal) > 20
    assert any(SMALL_N.search(" ".join(r.alts)) for r in internal)


def test_no_table_cell_shows_a_count_of_1_to_5(published):
    found = [cell for report in published for cell in shown_small_counts(report)]
    checked = sum(len(cells) for r in published for t in r.tables for _, cells in t.rows)
    print(f"\nPublished tables: {checked} cells in {len(published)} reports, {len(found)} small.")
    assert not found, "\n".join(found[:20])


def test_no_share_of_a_suppressed_total_is_shown(published):
    found = [cell for report in published for cell in shares_of_hidden_totals(report)]
    assert not found, "\n".join(found[:20])


def test_figures_json_has_no_count_of_1_to_5_and_no_share_of_one(published):
    found = [f"{r.month}: {f}" for r in published for f in small_figures(r.figures)]
    found += [f"{r.month}: {f}" for r in published for f in shares_of_hidden_counts(r.figures)]
    assert not found, "\n".join(found[:20])
    assert all(r.figures["disclosure"]["profile"] == "published" for r in published)


def test_no_hidden_count_can_be_worked_out_within_a_table(published):
    found = []
    for report in published:
        for table in report.tables:
            if table.header[-1:] in (["Completed audits"], ["Total"]):
                members = table.header[1:-1]
                found += recoverable_cells(table, members, table.header[-1])
            if table.caption.startswith("Audit compliance by team"):
                found += recoverable_cells(table, ["Completed", "Outstanding"], "Allocated")
                found += recoverable_in_columns(
                    table, "All teams", ["Allocated", "Completed", "Outstanding", "Overdue"]
                )
                for head, cells in table.rows:
                    parts = [cells[table.column(c)] for c in ("Completed", "Allocated")]
                    if C in parts and cells[table.column("Compliance")] != C:
                        found.append(f"{report.month} {head}: compliance of a hidden count")
            if table.caption.startswith("Feedback received"):
                found += recoverable_in_columns(
                    table, "All sources", ["Strengths", "Areas for improvement", "Total"]
                )
    assert not found, "\n".join(found[:20])


def test_the_html_and_figures_json_hide_the_same_judgement_counts(published):
    """A row hidden differently in two outputs gives its hidden counts away."""
    mismatches = []
    for report in published:
        table = report.table("Overall judgements by month")
        entries = {e["label"]: e for e in report.figures["trend"] if e["state"] == "audited"}
        for head, cells in table.rows:
            if head not in entries:
                continue
            in_html = {label for label, text in zip(LABELS, cells, strict=False) if text == C}
            if in_html != hidden_labels(entries[head]):
                mismatches.append(
                    f"{report.month}, row {head}: HTML hides {sorted(in_html)}, "
                    f"figures.json {sorted(hidden_labels(entries[head]))}"
                )
        this_month = next(e for e in report.figures["trend"] if e["month"] == report.month)
        if hidden_labels(report.figures["month"]) != hidden_labels(this_month):
            mismatches.append(f"{report.month}: figures.json month and trend sections differ")
    assert not mismatches, "\n".join(mismatches[:20])


def test_the_narrative_states_no_share_figures_json_hides(published):
    found = []
    sentence = re.compile(
        r"Of the (\S+) audits completed for [^,]+, (\S+) were judged Good or better, "
        r"(\S+) Requires Improvement and (\S+) Inadequate"
    )
    for report in published:
        mo = report.figures["month"]
        match = sentence.search(report.text)
        if not match:
            assert mo["completed"] == 0, report.month
            continue
        stated = dict(
            zip(
                ["completed", "good_or_better", schema.REQUIRES_IMPROVEMENT, schema.INADEQUATE],
                match.groups(),
                strict=True,
            )
        )
        hidden = hidden_labels(mo) | {k for k in ("good_or_better", "completed") if mo[k] == C}
        found += [f"{report.month}: {k} = {v}" for k, v in stated.items() if k in hidden and v != C]
    assert not found, "\n".join(found)


def test_charts_and_text_state_no_n_of_1_to_5(published):
    found = [
        f"{r.month}: …{where[max(0, m.start() - 60) : m.end()]}"
        for r in published
        for where in (r.text, *r.alts)
        for m in SMALL_N.finditer(where)
    ]
    assert not found, "\n".join(found[:20])


def test_chart_alt_text_marks_hidden_judgements_suppressed(published):
    checked = 0
    for report in published:
        mo = report.figures["month"]
        alt = next((a for a in report.alts if a.startswith("Horizontal bar chart")), None)
        if alt is None:
            continue
        for label in hidden_labels(mo):
            assert f"{label} {C}" in alt, (report.month, label, alt)
            checked += 1
        assert not re.search(r"\([1-5]\)", alt), alt  # no count of 1 to 5 in brackets
    assert checked > 10


def test_the_symbol_key_and_rule_are_in_every_published_report(published):
    for report in published:
        key = report.table("Key to symbols")
        symbols = dict(key.rows)
        assert set(symbols) >= {C, disclosure.NOT_APPLICABLE, disclosure.NOT_AVAILABLE}
        assert symbols[C][0].startswith("1 to 5: suppressed")
        assert "any number from 1 to 5 is suppressed" in report.text
        assert "Published version: counts of 1 to 5 are suppressed" in report.text


def test_the_internal_reports_say_so_and_are_not_suppressed(internal):
    for report in internal:
        assert "Internal version: not for publication" in report.text
        assert C not in report.text
        assert disclosure.LOW in dict(report.table("Key to symbols").rows)
