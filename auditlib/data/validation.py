"""``auditlib validate``: check a data folder and show every problem, readably.

Problems are grouped so that one systematic mistake (a local label used on
4,000 rows) reads as one line naming the rows, not 4,000 lines; and many
problems of one kind (495 dates that will not read) are summarised first —
count, first rows, likely cause — before the list.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from auditlib.data.loading import load_dataset
from auditlib.data.pipeline import AuditData, clean_dataset
from auditlib.data.programme import PROGRAMME_FILE
from auditlib.errors import Problem

#: Problems of one kind (file, column, reason) at least this many are summarised first.
SUMMARY_THRESHOLD = 10
#: Rows and values a summary names.
FIRST_SHOWN = 5

#: Likely causes, by words in a problem's reason (first match wins).
LIKELY_CAUSES: tuple[tuple[str, str], ...] = (
    (
        "mixes day-first and month-first",
        "two exports in different date formats pasted together; make the column one format",
    ),
    (
        "not a date",
        "text or another date format in a date column; check the column holds dates "
        "(day-first 03/04/2020, month-first 04/03/2020, or 2020-04-03)",
    ),
    (
        "not a month",
        "months written another way; use YYYY-MM (2020-09), or name the label under "
        f"month_labels: in {PROGRAMME_FILE}",
    ),
    (
        "unknown",
        f"a local label used throughout the export; map it under 'labels:' in {PROGRAMME_FILE} "
        "(e.g. labels: {status: {Finished: completed}})",
    ),
    (
        "required value is blank",
        "a column empty in this export: renamed, or mapped to the wrong header?",
    ),
    (
        "outside its audit month",
        "dates read the wrong way round (day-first against month-first), or months mistyped",
    ),
    (
        "after ",
        f"dates read the wrong way round, or an old extract_date in {PROGRAMME_FILE}",
    ),
    (
        "completed before it was allocated",
        "dates read the wrong way round, or allocation dates recorded after the event",
    ),
    ("exact duplicate", "the same rows exported twice (two exports appended?)"),
    (
        "this audit_id",
        "the audits file is older than this one, or ids written differently (leading zeros?)",
    ),
    (
        "completed with no judgement",
        "grades left blank, or the judgement column mapped to the wrong header",
    ),
    ("the same audit_id", "two exports merged, with changed details for the same audits"),
)


@dataclass(frozen=True)
class ProblemSummary:
    """Many problems of one kind: how many, the first rows and values, the likely cause."""

    severity: str
    file: str
    column: str | None
    reason: str
    count: int
    rows: tuple[int, ...]
    values: tuple[str, ...]
    cause: str

    def describe(self) -> str:
        """One paragraph: count, where, what, first rows and values, likely cause."""
        where = self.file + (f", column '{self.column}'" if self.column else "")
        kind = "errors" if self.severity == "error" else "warnings"
        text = f"{self.count} {kind} in {where}: {self.reason.rstrip('.')}."
        if self.rows:
            text += f" First rows: {', '.join(map(str, self.rows))}"
            text += f"; e.g. {', '.join(repr(v) for v in self.values)}." if self.values else "."
        if self.cause:
            text += f" Likely cause: {self.cause}."
        return text


def likely_cause(reason: str) -> str:
    """The likely cause of a problem, from its reason ('' when none is known).

    >>> likely_cause("exact duplicate of row 2: excluded and counted")
    'the same rows exported twice (two exports appended?)'
    """
    return next((cause for words, cause in LIKELY_CAUSES if words in reason), "")


def summarise_problems(
    problems: list[Problem], threshold: int = SUMMARY_THRESHOLD
) -> list[ProblemSummary]:
    """Each kind of problem (same severity, file, column, reason) with at least
    ``threshold`` problems, most frequent first; duplicates' differing row numbers in
    the reason ("exact duplicate of row 2") count as one kind."""
    groups: dict[tuple, list[Problem]] = defaultdict(list)
    for problem in problems:
        key = (problem.severity, problem.file, problem.column, kind_of(problem.reason))
        groups[key].append(problem)
    summaries = []
    for (severity, file, column, reason), items in groups.items():
        if len(items) < threshold:
            continue
        rows = tuple(sorted({p.row for p in items if p.row is not None}))[:FIRST_SHOWN]
        values = tuple(dict.fromkeys(p.value for p in items if p.value is not None))[:FIRST_SHOWN]
        summaries.append(
            ProblemSummary(
                severity, file, column, reason, len(items), rows, values, likely_cause(reason)
            )
        )
    return sorted(summaries, key=lambda s: (s.severity != "error", -s.count))


def kind_of(reason: str) -> str:
    """A warning's or error's reason without what differs between rows of one kind."""
    # "exact duplicate of row 12: …" differs only by the row it repeats.
    if reason.startswith("exact duplicate of row"):
        return "exact duplicate of an earlier row: excluded and counted"
    if reason.startswith("the same audit_id is on rows"):
        return "the same audit_id is on several rows with different details"
    return reason


def format_summaries(summaries: list[ProblemSummary]) -> str:
    """The summaries as a short list, for the head of ``validate``'s output."""
    return "\n".join(f"- {s.describe()}" for s in summaries)


@dataclass
class ValidationReport:
    """The outcome of checking a data folder."""

    data: AuditData

    @property
    def ok(self) -> bool:
        """True when nothing stops the report (an optional file may still be left out)."""
        return not self.data.errors

    @property
    def degraded(self) -> bool:
        """True when the report can be produced, but without what a failed optional
        file feeds (``auditlib`` then exits with code 3)."""
        return self.ok and bool(self.data.optional_failures)

    def summary(self) -> str:
        """Files (type, rows read / used / excluded), how dates were read, notes, newer
        exports, files left out, and the counts of errors and warnings."""
        data = self.data
        lines = [f"Data folder: {data.data_dir}"]
        for name, rec in data.reconciliation.items():
            file = data.files.get(name, name)
            kind = f" ({data.formats[name]})" if name in data.formats else ""
            excluded = ", ".join(f"{n} {reason}" for reason, n in rec.excluded_by_reason.items())
            lines.append(
                f"  {file}{kind}: {rec.rows_read} rows read, {rec.rows_used} used, "
                f"{rec.rows_excluded} excluded" + (f" ({excluded})" if excluded else "")
            )
        for reading in data.date_readings:
            lines.append(f"  dates in {reading.file}: {reading.describe()}")
        for note in data.notes:
            lines.append(f"  note: {note}")
        for newer in data.newer_exports:
            lines.append(f"  newer export: {newer.message()}")
        for failure in data.optional_failures:
            lines.append(f"  left out: {failure.notice()}")
        blocking = len(data.errors)
        left_out = len(data.left_out_errors)
        counts = f"{blocking} error(s)"
        if left_out:
            counts += f" that stop the report, {left_out} in files left out"
        lines.append(f"{counts}, {len(data.warnings)} warning(s).")
        return "\n".join(lines)


def run_notes(data: AuditData) -> list[str]:
    """What a report run says before it starts: newer exports beside the files read,
    and optional files left out (the run then ends with exit code 3)."""
    notes = [f"Note: {n.message()}" for n in data.newer_exports]
    notes += [f"Left out: {f.notice()}" for f in data.optional_failures]
    return notes


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
