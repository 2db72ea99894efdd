"""auditlib.report.tidy and auditlib.publish.tables: the report's tables as tidy rows and CSV."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from auditlib.publish.tables import write_tables
from auditlib.report import blocks
from auditlib.report.blocks import Table
from auditlib.report.tidy import (
    COLUMNS,
    named_tables,
    numbers_in,
    parse_cell,
    statements_for_figures,
    tables_for_figures,
    tidy,
    tidy_rows,
)


@pytest.mark.parametrize(
    ("cell", "number", "percent", "flag"),
    [
        ("12 (20%)", 12, 20.0, ""),
        ("1,298", 1298, None, ""),
        ("63% [low]", None, 63.0, "[low]"),
        ("7 (70%) [low]", 7, 70.0, "[low]"),
        ("[c]", None, None, "[c]"),
        ("[z]", None, None, "[z]"),
        ("0.075", 0.075, None, ""),
        ("−4.6", -4.6, None, ""),
        ("< 0.001", None, None, ""),
        ("−0.6\u00a0to\u00a0+12.6", None, None, ""),
        ("Assessment Team North", None, None, ""),
        (None, None, None, ""),
    ],
)
def test_a_cell_states_its_number_percentage_and_flag(cell, number, percent, flag):
    parsed = parse_cell(cell)
    assert (parsed["number"], parsed["percent"], parsed["flag"]) == (number, percent, flag)
    assert parsed["value"] == ("" if cell is None else cell)


def _table() -> Table:
    frame = pd.DataFrame(
        {"Good": ["10 (40%)", "[c]"], "Inadequate": ["2 (8%)", "[c]"], "Total": ["25", "9"]},
        index=pd.Index(["Children in Need", "=cmd|' /C calc'!A0"], name="Cohort"),
    )
    return Table(frame, "Judgements by cohort", name="cohorts")


def test_tidy_has_one_row_per_cell_shown():
    rows = tidy(_table())
    assert list(rows.columns) == list(COLUMNS)
    assert len(rows) == 6
    cin = rows.loc[(rows["row"] == "Children in Need") & (rows["column"] == "Good")].iloc[0]
    assert (cin["number"], cin["percent"], cin["value"]) == (10, 40.0, "10 (40%)")
    hidden = rows.loc[rows["flag"] == "[c]"]
    assert len(hidden) == 2 and hidden["number"].isna().all()


def test_figures_hold_every_table_by_name():
    tables = tables_for_figures([_table(), _table()])
    assert list(tables) == ["cohorts", "cohorts_2"]
    assert tables["cohorts"][0] == {
        "row": "Children in Need",
        "column": "Good",
        "value": "10 (40%)",
        "number": 10,
        "percent": 40.0,
        "flag": "",
    }


def test_csv_files_are_tidy_and_safe_in_a_spreadsheet(tmp_path):
    (path,) = write_tables([_table()], tmp_path / "tables")
    assert path.name == "cohorts.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(COLUMNS)
    assert rows[0]["number"] == "10" and rows[0]["percent"] == "40.0"
    # A team name written as a formula is text in Excel, never run.
    assert {r["row"] for r in rows} == {"Children in Need", "'=cmd|' /C calc'!A0"}


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("42 allocated and 38 completed", [42, 38]),
        ("1,298 rows; 12,5 is not a thousands group", [1298, 12, 5]),
        ("p = 0.031, change −4.6 points (−10.8 to +0.7)", [0.031, -4.6, -10.8, 0.7]),
        ("September 2020 (2020-09) against 2019-09", [2020, 2020, 9, 2019, 9]),
        ("Team 1-2 of Area-3", [1, 2, 3]),
        ("no numbers here", []),
    ],
)
def test_numbers_in_text_reads_what_a_reader_reads(text, numbers):
    assert numbers_in(text) == numbers


def test_everything_shown_is_recorded_with_its_section(monkeypatch):
    monkeypatch.setattr(blocks.display, "show_heading", lambda *a, **k: None)
    monkeypatch.setattr(blocks.display, "show_markdown", lambda *a, **k: None)
    monkeypatch.setattr(blocks.display, "show_table", lambda *a, **k: None)
    monkeypatch.setattr(blocks.display, "show_callout", lambda *a, **k: None)
    shown = blocks.record_shown()
    try:
        blocks.show_blocks(
            [
                blocks.Markdown("Before any heading: 3 things."),
                blocks.Heading("Judgement shifts"),
                blocks.Heading("Against last month", 3),
                blocks.Callout("Up 6 points (p = 0.04).", kind="verdict", title="Verdict"),
                _table(),
            ]
        )
    finally:
        blocks._recorded = None
    assert shown.tables[0].name == "cohorts"
    statements = statements_for_figures(shown.statements)
    assert [(s["section"], s["kind"]) for s in statements] == [
        ("", "text"),
        ("judgement-shifts", "heading"),
        ("judgement-shifts", "heading"),
        ("judgement-shifts", "verdict_title"),
        ("judgement-shifts", "verdict"),
        ("judgement-shifts", "table_caption"),
    ]
    assert statements[4]["numbers"] == [6, 0.04] and statements[0]["numbers"] == [3]


def _tidy_by_iterrows(table: Table) -> list[dict]:
    """The rows as tidy() read them before it skipped iterrows (the reference)."""
    rows = []
    for label, values in table.frame.iterrows():
        row = " – ".join(map(str, label)) if isinstance(label, tuple) else str(label)
        for column, value in values.items():
            rows.append({"table": "t", "row": row, "column": str(column), **parse_cell(value)})
    return rows


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"a": ["1 (10%)", None, "[c]"], "b": ["x", "2", float("nan")]}),
        pd.DataFrame({"a": pd.array(["3", None, 4], dtype=object), "b": ["1", "2", "3"]}),
        # Mixed numbers: iterrows makes the row all floats ("3.0"), and so must tidy.
        pd.DataFrame({"n": [3, 4], "share": [0.5, 0.25]}),
        pd.DataFrame({"a": ["1", "2"]}, index=pd.MultiIndex.from_tuples([("x", 1), ("y", 2)])),
        pd.DataFrame({"a": pd.array(["1", None], dtype="string")}),
    ],
)
def test_tidy_reads_every_frame_as_iterrows_does(frame):
    table = Table(frame, "T", name="t")
    assert tidy_rows(table) == _tidy_by_iterrows(table)
    assert tidy(table).to_dict("records") == _tidy_by_iterrows(table)
    mixed = tidy_rows(Table(pd.DataFrame({"n": [3], "share": [0.5]}), "M", name="t"))
    assert mixed[0]["value"] == "3.0"


def test_csv_and_figures_come_from_the_same_named_rows(tmp_path):
    named = named_tables([_table(), _table()])
    assert [name for name, _ in named] == ["cohorts", "cohorts_2"]
    assert tables_for_figures([], named) == tables_for_figures([_table(), _table()])
    paths = write_tables([], tmp_path / "tables", named)
    assert [p.name for p in paths] == ["cohorts.csv", "cohorts_2.csv"]
    assert paths[1].read_bytes() == write_tables([_table()], tmp_path / "one")[
        0
    ].read_bytes().replace(b"\r\ncohorts,", b"\r\ncohorts_2,")
