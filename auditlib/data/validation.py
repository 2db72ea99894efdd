"""``auditlib validate``: check a data folder and show every problem, readably.

Problems are grouped so that one systematic mistake (a local label used on
4,000 rows) reads as one line naming the rows, not 4,000 lines.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from auditlib.data.loading import load_dataset
from auditlib.data.pipeline import AuditData, clean_dataset
from auditlib.errors import Problem


@dataclass
class ValidationReport:
    """The outcome of checking a data folder."""

    data: AuditData

    @property
    def ok(self) -> bool:
        return not self.data.errors

    def summary(self) -> str:
        """One paragraph: files, rows read / used / excluded, errors and warnings."""
        lines = [f"Data folder: {self.data.data_dir}"]
        for name, rec in self.data.reconciliation.items():
            file = self.data.files.get(name, name)
            excluded = ", ".join(f"{n} {reason}" for reason, n in rec.excluded_by_reason.items())
            lines.append(
                f"  {file}: {rec.rows_read} rows read, {rec.rows_used} used, {rec.rows_excluded} excluded"
                + (f" ({excluded})" if excluded else "")
            )
        for note in self.data.notes:
            lines.append(f"  note: {note}")
        lines.append(f"{len(self.data.errors)} error(s), {len(self.data.warnings)} warning(s).")
        return "\n".join(lines)


def validate_folder(data_dir: str | Path) -> ValidationReport:
    """Load and check every file of ``data_dir``; never raises for problems inside files."""
    return ValidationReport(clean_dataset(load_dataset(data_dir)))


def group_problems(problems: list[Problem]) -> list[tuple[Problem, list[int]]]:
    """Problems that differ only by row, merged: (one of them, every row number)."""
    groups: dict[tuple, list[Problem]] = defaultdict(list)
    for problem in problems:
        key = (problem.severity, problem.file, problem.column, problem.value, problem.reason)
        groups[key].append(problem)
    merged = []
    for items in groups.values():
        rows = sorted(p.row for p in items if p.row is not None)
        merged.append((items[0], rows))
    return merged


def format_rows(rows: list[int], limit: int = 12) -> str:
    """Row numbers, with runs collapsed: ``2–5, 9, 12 (and 40 more)``.

    >>> format_rows([2, 3, 4, 5, 9, 12])
    '2–5, 9, 12'
    """
    if not rows:
        return ""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    parts = [f"{a}" if a == b else f"{a}–{b}" for a, b in runs]
    if len(parts) > limit:
        hidden = sum(b - a + 1 for a, b in runs[limit:])
        return ", ".join(parts[:limit]) + f" (and {hidden} more)"
    return ", ".join(parts)


def format_problem_table(problems: list[Problem], width: int = 120) -> str:
    """A plain-text table a person can read: severity, file, row(s), column, value, reason."""
    if not problems:
        return ""
    header = ("", "file", "row(s)", "column", "value", "problem")
    body = []
    for problem, rows in group_problems(problems):
        value = "" if problem.value is None else repr(problem.value)
        if len(value) > 40:
            value = value[:37] + "…'"
        body.append(
            (
                problem.severity.upper(),
                problem.file,
                format_rows(rows) if rows else "—",
                problem.column or "—",
                value or "—",
                problem.reason,
            )
        )
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(5)]
    widths = [min(w, 40) for w in widths]

    def line(cells: tuple[str, ...]) -> str:
        left = "  ".join(cell[:w].ljust(w) for cell, w in zip(cells[:5], widths, strict=True))
        return f"{left}  {cells[5]}"

    out = [line(header), line((*tuple("─" * w for w in widths), "─" * 7))]
    out.extend(line(row) for row in body)
    return "\n".join(out)
