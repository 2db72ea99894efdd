"""The names of what a report run writes (contract: users, scripts and tests rely on them)."""

from __future__ import annotations

from typing import Final

#: The machine-readable figures beside each monthly report.
FIGURES_FILE: Final = "figures.json"
#: The folder beside figures.json that holds each table the report shows as tidy CSV.
TABLES_DIR: Final = "tables"
#: The monthly notebook the runner executes.
MONTHLY_NOTEBOOK: Final = "monthly_highlights.ipynb"
#: The judgement-shift notebook, and what its report folder holds.
SHIFTS_NOTEBOOK: Final = "judgement_shifts.ipynb"
SHIFTS_DIR: Final = "shifts"
SHIFTS_STEM: Final = "judgement-shifts"
SHIFTS_FIGURES_FILE: Final = "shift-figures.json"


def report_stem(month: str) -> str:
    """The file name (without suffix) of a month's report: ``audit-highlights-YYYY-MM``."""
    return f"audit-highlights-{month}"
