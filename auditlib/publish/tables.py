"""The report's tables as tidy CSV files: ``tables/<name>.csv`` beside the report."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from auditlib.publish.csvfiles import write_frame_csv
from auditlib.report.blocks import Table
from auditlib.report.tidy import table_name, tidy


def write_tables(tables: Iterable[Table], folder: str | os.PathLike[str]) -> list[Path]:
    """Write each table as ``folder/<name>.csv`` (formula-safe; see :mod:`.csvfiles`)."""
    out = Path(folder)
    written: list[Path] = []
    names: set[str] = set()
    for table in tables:
        name, n = table_name(table), 2
        while name in names:
            name, n = f"{table_name(table)}_{n}", n + 1
        names.add(name)
        out.mkdir(parents=True, exist_ok=True)
        written.append(write_frame_csv(tidy(table).assign(table=name), out / f"{name}.csv"))
    return written
