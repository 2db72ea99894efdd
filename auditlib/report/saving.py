"""Writing a report's machine-readable figures: figures.json and ``tables/*.csv``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from auditlib.publish.export import write_figures_json
from auditlib.publish.layout import FIGURES_FILE, TABLES_DIR
from auditlib.publish.tables import write_tables
from auditlib.report.blocks import Table
from auditlib.report.tidy import tables_for_figures

#: figures.json's section of every table the report showed, as shown.
TABLES_KEY = "tables"


def save_report_figures(
    published: Mapping[str, Any],
    tables: list[Table],
    output_dir: str | os.PathLike[str],
    name: str = FIGURES_FILE,
) -> Path:
    """Write ``published`` (figures already protected) with the report's tables to
    ``output_dir/name``, and each table to ``output_dir/tables/<table>.csv``."""
    figures = {**published, TABLES_KEY: tables_for_figures(tables)}
    write_tables(tables, Path(output_dir) / TABLES_DIR)
    return write_figures_json(figures, output_dir, name)
