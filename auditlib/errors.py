"""One base exception for everything auditlib raises on purpose.

The CLI catches :class:`AuditlibError` and prints its message (never a
traceback); anything else is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass


class AuditlibError(Exception):
    """Base class: a problem a user can act on, with a plain message."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file, located as a person sees it.

    ``row`` is the row number as shown by a spreadsheet program (the header is
    row 1, so the first data row is row 2); ``None`` when the problem is about
    the whole file or a whole column.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str
    severity: str = "error"  # "error" stops the run; "warning" is reported and counted

    def as_text(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        value = "" if self.value is None else f": value {self.value!r}"
        return f"{self.severity.upper()}: {where}{value} — {self.reason}"


class DataError(AuditlibError):
    """Input data that cannot be used; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem], summary: str | None = None):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        head = summary or f"{len(errors)} problem(s) in the input data"
        lines = [head] + [p.as_text() for p in errors[:50]]
        if len(errors) > 50:
            lines.append(f"… and {len(errors) - 50} more (run `auditlib validate` for all)")
        super().__init__("\n".join(lines))


class ConfigError(AuditlibError):
    """programme.yml (or another settings file) is missing or malformed."""


class ReportError(AuditlibError):
    """A report could not be produced; the message says which month, which cell or check, and why."""
