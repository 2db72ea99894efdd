"""Every CSV file auditlib writes, written safely: one helper for all of them.

A spreadsheet program runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula (``=HYPERLINK(…)``, ``@SUM(…)``, ``+cmd|' /C calc'!A0``), and a leading tab or
carriage return can hide such a start. Input values (a team name, a problem's value) reach
CSV files the tool writes — ``--problems-csv`` now, and the report's tables later — so
every text cell that starts with one of those characters is written with a leading
apostrophe, which spreadsheets show as text and never run (OWASP's advice for CSV
injection). Numbers are written as numbers: a number cannot be a formula.

Files are written whole or not at all (a temporary file renamed into place).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Final

from auditlib.publish.export import write_text_atomically

#: A text cell starting with one of these is neutralised.
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
#: What is put before such a cell: spreadsheets show an apostrophe-led cell as text.
NEUTRALISER: Final = "'"


def neutralise_cell(value: Any) -> Any:
    """A cell value that no spreadsheet will run as a formula.

    >>> neutralise_cell('=HYPERLINK("http://x","y")'), neutralise_cell("@SUM(A1)")
    ('\\'=HYPERLINK("http://x","y")', "'@SUM(A1)")
    >>> neutralise_cell("-3"), neutralise_cell(-3), neutralise_cell("Team A")
    ("'-3", -3, 'Team A')
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return NEUTRALISER + value
    return value


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text with every cell (the header too) neutralised; missing values left blank.

    >>> csv_text(["name", "n"], [["=1+1", 2], [None, 3]])
    "name,n\\r\\n'=1+1,2\\r\\n,3\\r\\n"
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise_cell(_blank_if_missing(c)) for c in header])
    for row in rows:
        writer.writerow([neutralise_cell(_blank_if_missing(c)) for c in row])
    return buffer.getvalue()


def write_csv(
    path: str | os.PathLike[str], header: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> Path:
    """Write a CSV file safely (cells neutralised, whole or not at all); returns its path."""
    # newline="": the csv module's own \r\n line endings, untranslated.
    return write_text_atomically(Path(path), csv_text(header, rows), newline="")


def write_frame_csv(frame: Any, path: str | os.PathLike[str], *, index: bool = False) -> Path:
    """Write a pandas frame as a safe CSV file (e.g. a report table's tidy CSV)."""
    table = frame.reset_index() if index else frame
    rows = table.itertuples(index=False, name=None)
    return write_csv(path, [str(c) for c in table.columns], rows)


def _blank_if_missing(value: Any) -> Any:
    if value is None:
        return ""
    kind = type(value)
    if kind is str or kind is int:  # most cells: never missing
        return value
    try:
        import pandas as pd

        if pd.api.types.is_scalar(value) and pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return value
