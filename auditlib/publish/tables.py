"""The report's tables as tidy CSV files: ``tables/<name>.csv`` beside the report."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Final

import pandas as pd

from auditlib.report.blocks import Table
from auditlib.report.tidy import table_name, tidy

TABLES_DIR: Final = "tables"
#: A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, made plain text with a leading '.

    >>> neutralise("=HYPERLINK(1)"), neutralise("Team A"), neutralise(-3)
    ("'=HYPERLINK(1)", 'Team A', -3)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_tables(tables: Iterable[Table], folder: str | os.PathLike[str]) -> list[Path]:
    """Write each table as ``folder/<name>.csv`` (UTF-8 with BOM, so Excel reads it right)."""
    out = Path(folder)
    written: list[Path] = []
    names: set[str] = set()
    for table in tables:
        name, n = table_name(table), 2
        while name in names:
            name, n = f"{table_name(table)}_{n}", n + 1
        names.add(name)
        frame = tidy(table).assign(table=name)
        for column in ("table", "row", "column", "value"):  # the text a spreadsheet could run
            frame[column] = [neutralise(v) for v in frame[column]]
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"{name}.csv"
        pd.DataFrame(frame).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
        written.append(path)
    return written
