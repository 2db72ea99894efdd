"""A report table as tidy rows: one row per cell shown, for figures.json and for
``tables/<name>.csv`` (Power BI, Excel).

The rows are read from the table *as the report shows it*, so disclosure control is
already applied: a hidden count is ``[c]`` here as on the page, and no figure can be in a
tidy table that the page does not state.

Columns (documented for users in docs/outputs.md):

``table``      the table's name (``judgements_by_month``, ``cohorts``, …)
``row``        the row's label (a month, a cohort, a team, …)
``column``     the column's label as the report heads it
``value``      the cell exactly as shown ("12 (20%)", "63% [low]", "[c]")
``number``     the count or statistic in the cell, when it states one (12; 0.075)
``percent``    the percentage in the cell, when it states one (20)
``flag``       a symbol the cell carries: ``[c]`` suppressed, ``[low]`` fewer than 10,
               ``[z]`` not applicable, ``[x]`` not available
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, Final

import numpy as np
import pandas as pd

from auditlib.report.blocks import Statement, Table, anchor

COLUMNS: Final = ("table", "row", "column", "value", "number", "percent", "flag")
_FLAG_RE: Final = re.compile(r"\[(c|low|z|x)\]")
_NUMBER: Final = r"[-+−]?\d[\d,]*(?:\.\d+)?"
_COUNT_AND_PCT_RE: Final = re.compile(rf"^({_NUMBER})\s*\(({_NUMBER})%\)$")
_PCT_RE: Final = re.compile(rf"^({_NUMBER})%$")
_NUMBER_RE: Final = re.compile(rf"^{_NUMBER}$")
#: A number inside running text: a sign only where it cannot be a hyphen ("2020-09" is
#: 2020 and 9, "−4.6" is -4.6), thousands commas only in groups of three ("1,298").
NUMBER_IN_TEXT_RE: Final = re.compile(
    r"(?:(?<![\w.,])[-+−](?=\d))?(?<![\d.])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
)


def table_name(table: Table) -> str:
    """The table's name: its own, or one made from its caption."""
    return table.name or anchor(table.caption).replace("-", "_")[:60]


def parse_cell(value: Any) -> dict[str, Any]:
    """The number, percentage and flag a displayed cell states.

    >>> parse_cell("12 (20%)")
    {'value': '12 (20%)', 'number': 12, 'percent': 20.0, 'flag': ''}
    >>> parse_cell("63% [low]")
    {'value': '63% [low]', 'number': None, 'percent': 63.0, 'flag': '[low]'}
    >>> parse_cell("[c]")
    {'value': '[c]', 'number': None, 'percent': None, 'flag': '[c]'}
    >>> parse_cell("1,298")["number"], parse_cell("0.075")["number"], parse_cell("−4.6")["number"]
    (1298, 0.075, -4.6)
    """
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    flags = _FLAG_RE.findall(text)
    flag = f"[{flags[0]}]" if flags else ""
    core = _FLAG_RE.sub("", text).strip()
    number: int | float | None = None
    percent: float | None = None
    if found := _COUNT_AND_PCT_RE.match(core):
        number, percent = _number(found[1]), float(_number(found[2]))
    elif found := _PCT_RE.match(core):
        percent = float(_number(found[1]))
    elif _NUMBER_RE.match(core):
        number = _number(core)
    return {"value": text, "number": number, "percent": percent, "flag": flag}


def _number(text: str) -> int | float:
    plain = text.replace(",", "").replace("−", "-")
    return float(plain) if "." in plain else int(plain)


def numbers_in(text: str) -> list[int | float]:
    """Every number written in ``text``, in order.

    >>> numbers_in("42 allocated, 1,298 read; p = 0.031; change −4.6 points (2020-09)")
    [42, 1298, 0.031, -4.6, 2020, 9]
    """
    return [_number(found) for found in NUMBER_IN_TEXT_RE.findall(text)]


def statements_for_figures(statements: list[Statement]) -> list[dict[str, Any]]:
    """Every piece of text shown, as figures.json holds it: its section, kind, the text
    as shown and the numbers it states."""
    return [
        {
            "section": statement.section,
            "kind": statement.kind,
            "text": statement.text,
            "numbers": numbers_in(statement.text),
        }
        for statement in statements
    ]


def tidy_rows(table: Table) -> list[dict[str, Any]]:
    """The table as tidy rows (see the module's columns), as plain dicts."""
    name = table_name(table)
    rows = []
    for label, values in _rows(table.frame):
        row = " – ".join(map(str, label)) if isinstance(label, tuple) else str(label)
        for column, value in values:
            rows.append({"table": name, "row": row, "column": str(column), **parse_cell(value)})
    return rows


def _rows(frame: pd.DataFrame) -> Iterator[tuple[Any, Iterable[tuple[Any, Any]]]]:
    """Each row's label and its (column, value) pairs, the values as ``iterrows`` gives them.

    A table of display strings (every column text or objects) is read without building a Series
    per row, which is most of the cost; other frames go through ``iterrows`` (which makes
    a row of ints and floats all floats) so that every cell reads as it always has.
    """
    if all(_holds_text(dtype) for dtype in frame.dtypes):
        columns = list(frame.columns)
        rows = frame.to_numpy(dtype=object).tolist()
        for label, values in zip(frame.index, rows, strict=True):
            yield label, zip(columns, values, strict=True)
    else:
        for label, series in frame.iterrows():
            yield label, series.items()


def _holds_text(dtype: Any) -> bool:
    """Objects, or pandas' ``str`` (missing as NaN): read alike by ``iterrows`` and as
    an array of objects, value for value."""
    if isinstance(dtype, pd.StringDtype):
        return dtype.na_value is not pd.NA
    return bool(dtype == np.dtype(object))


def tidy(table: Table) -> pd.DataFrame:
    """The table as tidy rows (see the module's columns)."""
    return pd.DataFrame(tidy_rows(table), columns=list(COLUMNS), dtype=object)


def named_tables(tables: Iterable[Table]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Each table's unique name (``cohorts``, ``cohorts_2``, …) and its tidy rows (whose
    ``table`` is that name): what figures.json and ``tables/*.csv`` are written from."""
    named: list[tuple[str, list[dict[str, Any]]]] = []
    taken: dict[str, Any] = {}
    for table in tables:
        name = _unique(table_name(table), taken)
        taken[name] = True
        rows = tidy_rows(table)
        for row in rows:
            row["table"] = name
        named.append((name, rows))
    return named


def tables_for_figures(
    tables: list[Table], named: list[tuple[str, list[dict[str, Any]]]] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Every table shown, as figures.json holds it: name → its tidy rows (no table name).

    ``named`` is :func:`named_tables` of ``tables`` when the caller has it already."""
    if named is None:
        named = named_tables(tables)
    return {name: [_without_table(row) for row in rows] for name, rows in named}


def _without_table(row: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in row.items() if key != "table"}


def _unique(name: str, taken: dict[str, Any]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    return candidate
