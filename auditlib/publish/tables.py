"""The report's tables as tidy CSV files: ``tables/<name>.csv`` beside the report."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from auditlib.publish.csvfiles import write_csv
from auditlib.report.blocks import Table
from auditlib.report.tidy import COLUMNS, named_tables


def write_tables(
    tables: Iterable[Table],
    folder: str | os.PathLike[str],
    named: list[tuple[str, list[dict[str, Any]]]] | None = None,
) -> list[Path]:
    """Write each table as ``folder/<name>.csv`` (formula-safe; see :mod:`.csvfiles`).

    ``named`` is :func:`auditlib.report.tidy.named_tables` of ``tables`` when the caller
    has it already."""
    out = Path(folder)
    written: list[Path] = []
    for name, rows in named_tables(tables) if named is None else named:
        out.mkdir(parents=True, exist_ok=True)
        cells = ([row[column] for column in COLUMNS] for row in rows)
        written.append(write_csv(out / f"{name}.csv", list(COLUMNS), cells))
    return written
