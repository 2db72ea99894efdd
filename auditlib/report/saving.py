"""Writing a report's machine-readable figures: figures.json and ``tables/*.csv``.

Beside the figures the report computes, figures.json holds what the page showed: every
table (``tables``, tidy) and every other piece of text (``statements``: headings,
narrative, verdicts, notes, alt text and captions, each with the numbers it states), so
that every number a reader sees on the page is in figures.json too.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from auditlib.publish.export import write_figures_json
from auditlib.publish.layout import FIGURES_FILE, TABLES_DIR
from auditlib.publish.tables import write_tables
from auditlib.report.blocks import Shown
from auditlib.report.tidy import named_tables, statements_for_figures, tables_for_figures

#: figures.json's section of every table the report showed, as shown.
TABLES_KEY = "tables"
#: figures.json's section of every other piece of text the report showed, as shown.
STATEMENTS_KEY = "statements"


def save_report_figures(
    published: Mapping[str, Any],
    shown: Shown,
    output_dir: str | os.PathLike[str],
    name: str = FIGURES_FILE,
) -> Path:
    """Write ``published`` (figures already protected) with what the report showed to
    ``output_dir/name``, and each table to ``output_dir/tables/<table>.csv``."""
    named = named_tables(shown.tables)  # each table made tidy once, for both files
    figures = {
        **published,
        TABLES_KEY: tables_for_figures(shown.tables, named),
        STATEMENTS_KEY: statements_for_figures(shown.statements),
    }
    write_tables(shown.tables, Path(output_dir) / TABLES_DIR, named)
    return write_figures_json(figures, output_dir, name)
