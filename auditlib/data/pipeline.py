"""Load and clean a whole data folder in one call: what notebooks and commands use.

>>> from auditlib.data.pipeline import load_audit_data
>>> data = load_audit_data("data/demo")            # doctest: +SKIP
>>> data.audits.shape, data.reconciliation["audits"].rows_used   # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pandas as pd

from auditlib.analysis import redaction
from auditlib.data import guards, quality, schema
from auditlib.data.cleaning import (
    EXCLUDED_FILE_LEFT_OUT,
    Cleaned,
    NameMerge,
    Reconciliation,
    clean_audits,
    clean_text_table,
)
from auditlib.data.dates import DateReading
from auditlib.data.loading import (
    Dataset,
    NewerExport,
    RawTable,
    hash_inputs,
    input_paths,
    load_dataset,
)
from auditlib.data.programme import Programme
from auditlib.errors import DataError, Problem

#: Optional inputs, and the report sections each feeds: when one fails its checks it is
#: left out (with what it feeds) and the report is still produced. Without the names to
#: redact, no free text can be shown safely, so every section that shows free text goes.
OPTIONAL_INPUTS: dict[str, tuple[str, ...]] = {
    "feedback": ("feedback",),
    "reflections": ("reflections",),
    "recommendations": ("recommendations",),
    "names": ("feedback", "reflections", "recommendations"),
}
#: How many of a left-out file's problems its notice names.
FIRST_PROBLEMS = 3


@dataclass(frozen=True)
class OptionalFailure:
    """An optional file that failed its checks: left out, with the sections it feeds."""

    #: "feedback", "reflections", "recommendations" or "names"
    input: str
    file: str
    #: its errors (every one; :meth:`first_problems` for a notice)
    problems: tuple[Problem, ...]
    #: the report sections left out because of it
    left_out: tuple[str, ...]

    def first_problems(self, n: int = FIRST_PROBLEMS) -> list[Problem]:
        """The first ``n`` errors, in file order."""
        return list(self.problems[:n])

    def notice(self) -> str:
        """What a reader (and the person running the report) is told.

        >>> OptionalFailure("feedback", "feedback.csv", (Problem("feedback.csv", 4, "source",
        ...     "neighbour", "unknown feedback source"),), ("feedback",)).notice()
        "feedback.csv could not be used (1 error), so the feedback section is left out. First: row 4, column 'source': value 'neighbour' — unknown feedback source. `auditlib validate` lists every problem."
        """
        n = len(self.problems)
        sections = " and ".join(self.left_out)
        first = "; ".join(_where(p) for p in self.first_problems())
        more = f" (and {n - FIRST_PROBLEMS} more)" if n > FIRST_PROBLEMS else ""
        return (
            f"{self.file} could not be used ({n} error{'s' if n != 1 else ''}), so the "
            f"{sections} section{'s are' if len(self.left_out) > 1 else ' is'} left out. "
            f"First: {first}{more}. `auditlib validate` lists every problem."
        )

    def as_dict(self) -> dict[str, Any]:
        """Plain data for figures.json and the data-quality section."""
        return {
            "input": self.input,
            "file": self.file,
            "errors": len(self.problems),
            "left_out": list(self.left_out),
            "first_problems": [_where(p) for p in self.first_problems()],
            "notice": self.notice(),
        }


def _where(problem: Problem) -> str:
    """A problem without its file and severity: "row 4, column 'source': value 'x' — reason"."""
    where = ", ".join(
        part
        for part in (
            f"row {problem.row}" if problem.row is not None else "",
            f"column '{problem.column}'" if problem.column else "",
        )
        if part
    )
    lead = where + (f": value {problem.value!r}" if problem.value is not None else "")
    return f"{lead} — {problem.reason}" if lead else problem.reason


@dataclass
class AuditData:
    """A data folder, loaded, checked and cleaned."""

    data_dir: Path
    programme: Programme
    audits: pd.DataFrame
    feedback: pd.DataFrame | None
    reflections: pd.DataFrame | None
    recommendations: dict[str, dict[str, list[Any]]]
    denylist: tuple[str, ...]
    input_hash: str
    problems: list[Problem] = field(default_factory=list)
    reconciliation: dict[str, Reconciliation] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    #: the merged name variants behind the notes, with their rows (see cleaning.NameMerge)
    name_merges: list[NameMerge] = field(default_factory=list)
    #: optional files left out because they failed their checks (the report goes on)
    optional_failures: list[OptionalFailure] = field(default_factory=list)
    #: how each date column with numbers-only dates was read (day- or month-first)
    date_readings: list[DateReading] = field(default_factory=list)
    #: table → file type as read ("CSV separated by semicolons", "ODS", …)
    formats: dict[str, str] = field(default_factory=dict)
    #: files beside the ones in use that look like newer exports of the same table
    newer_exports: list[NewerExport] = field(default_factory=list)
    #: months whose judgements jump far beyond the programme's history (also warnings)
    judgement_jumps: list[quality.JudgementJump] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """Errors that stop the report (those in a left-out optional file do not)."""
        left_out = {f.file for f in self.optional_failures}
        return [p for p in self.problems if p.severity == "error" and p.file not in left_out]

    @property
    def left_out_errors(self) -> list[Problem]:
        """Errors in optional files that were left out: listed, but the report goes on."""
        left_out = {f.file for f in self.optional_failures}
        return [p for p in self.problems if p.severity == "error" and p.file in left_out]

    @property
    def left_out_sections(self) -> tuple[str, ...]:
        """Report sections left out because an optional file failed ("feedback", …)."""
        return tuple(dict.fromkeys(s for f in self.optional_failures for s in f.left_out))

    def jumps_for(self, month: str) -> list[quality.JudgementJump]:
        """The judgement jumps of one month (for that month's data-quality section)."""
        return [j for j in self.judgement_jumps if j.month == month]

    def data_quality_facts(self, month: str | None = None) -> dict[str, Any]:
        """What a data-quality section shows beyond the row counts, as plain data (for
        figures.json): each file's type, how its dates were read, the judgement jumps
        (of ``month``, or every month), optional files left out, and newer exports found
        beside the files read. Jump counts are counts: disclosure control applies."""
        jumps = self.jumps_for(month) if month is not None else self.judgement_jumps
        return {
            "formats": {self.files.get(name, name): kind for name, kind in self.formats.items()},
            "date_readings": [r.as_dict() for r in self.date_readings],
            "judgement_jumps": [j.as_dict() for j in jumps],
            "left_out": [f.as_dict() for f in self.optional_failures],
            "newer_exports": [n.message() for n in self.newer_exports],
        }

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def _frame_with_rows(table: RawTable) -> pd.DataFrame:
    frame = table.frame.copy(deep=False)
    frame[schema.SOURCE_ROW] = table.source_rows.to_numpy()
    return frame


def clean_dataset(dataset: Dataset) -> AuditData:
    """Clean every table of a loaded :class:`Dataset`, collecting every problem.

    An optional file (feedback, reflections, recommendations, names) with errors is
    left out — with the sections it feeds — and recorded in ``optional_failures``;
    only errors elsewhere stop the report (:attr:`AuditData.errors`).
    """
    problems = list(dataset.problems)
    reconciliation: dict[str, Reconciliation] = {}
    notes: list[str] = []
    failures: list[OptionalFailure] = []
    audits_table = dataset.audits
    problems.extend(audits_table.problems)
    if audits_table.problems and audits_table.frame.empty:
        cleaned = Cleaned(pd.DataFrame(), [], Reconciliation("audits", 0))
    else:
        cleaned = clean_audits(
            _frame_with_rows(audits_table),
            dataset.programme,
            audits_table.label,
            audits_table.headers,
        )
    problems.extend(cleaned.problems)
    problems.extend(month_range_problems(cleaned.frame, audits_table.label, dataset.programme))
    reconciliation["audits"] = cleaned.reconciliation
    notes.extend(cleaned.notes)
    readings = list(cleaned.date_readings)
    jumps = quality.judgement_jumps(cleaned.frame)
    problems.extend(
        j.as_problem(audits_table.label, audits_table.header_for(schema.OVERALL_JUDGEMENT))
        for j in jumps
    )
    known_ids = cleaned.frame.get(schema.AUDIT_ID, None)

    frames: dict[str, pd.DataFrame | None] = {}
    specs = {
        "feedback": (schema.FEEDBACK_COLUMN_KINDS, schema.FEEDBACK_REQUIRED),
        "reflections": (schema.REFLECTIONS_COLUMN_KINDS, schema.REFLECTIONS_REQUIRED),
    }
    for name, (kinds, required) in specs.items():
        table = getattr(dataset, name)
        if table is None:
            frames[name] = None
            continue
        found = list(table.problems)
        if table.problems and table.frame.empty:
            result = None
        else:
            result = clean_text_table(
                _frame_with_rows(table),
                name,
                kinds,
                required,
                table.label,
                known_ids,
                dataset.programme,
            )
            found.extend(result.problems)
            readings.extend(result.date_readings)
        problems.extend(found)
        errors = tuple(p for p in found if p.severity == "error")
        if errors or result is None:
            failures.append(OptionalFailure(name, table.label, errors, OPTIONAL_INPUTS[name]))
            frames[name] = None
            reconciliation[name] = Reconciliation(
                name, table.rows_read, {EXCLUDED_FILE_LEFT_OUT: table.rows_read}
            )
            continue
        reconciliation[name] = result.reconciliation
        frames[name] = result.frame

    recommendations = dataset.recommendations
    for name in ("recommendations", "names"):
        path = dataset.files.get(name)
        errors = tuple(
            p
            for p in dataset.problems
            if path is not None and p.file == path.name and p.severity == "error"
        )
        if not errors:
            continue
        failures.append(OptionalFailure(name, path.name, errors, OPTIONAL_INPUTS[name]))
        if "recommendations" in OPTIONAL_INPUTS[name]:
            recommendations = {}
        for section in OPTIONAL_INPUTS[name]:
            if frames.get(section) is not None:
                frames[section] = None
                table = getattr(dataset, section)
                reconciliation[section] = Reconciliation(
                    section, table.rows_read, {EXCLUDED_FILE_LEFT_OUT: table.rows_read}
                )
    files = {t.name: t.label for t in dataset.tables()}
    data = AuditData(
        data_dir=dataset.data_dir,
        programme=dataset.programme,
        audits=cleaned.frame,
        feedback=frames["feedback"],
        reflections=frames["reflections"],
        recommendations=recommendations,
        denylist=dataset.denylist,
        input_hash=dataset.input_hash,
        problems=sort_problems(problems),
        reconciliation=reconciliation,
        notes=notes,
        files=files,
        name_merges=list(cleaned.name_merges),
        optional_failures=failures,
        date_readings=readings,
        formats={t.name: t.format for t in dataset.tables()},
        newer_exports=list(dataset.newer_exports),
        judgement_jumps=jumps,
    )
    return redact_human_text(data)


def month_range_problems(audits: pd.DataFrame, label: str, programme: Any) -> list[Problem]:
    """An error for every audit month outside the sane range (before 2000, or more than a
    year after the extract date): a mistyped year would otherwise stretch the trend over a
    century of empty months."""
    if audits.empty or schema.AUDIT_MONTH not in audits.columns:
        return []
    months = audits[schema.AUDIT_MONTH].astype("string")
    latest = guards.latest_month(programme.extract_date)
    outside = audits.loc[months.notna() & ((months < guards.EARLIEST_MONTH) | (months > latest))]
    rows = outside[schema.SOURCE_ROW].tolist() if schema.SOURCE_ROW in outside else []
    return [
        Problem(
            label,
            int(row) if row is not None and not pd.isna(row) else None,
            schema.AUDIT_MONTH,
            str(month),
            f"the month {guards.month_out_of_range(str(month), programme.extract_date)}",
        )
        for row, month in zip(rows, outside[schema.AUDIT_MONTH].tolist(), strict=True)
    ]


#: Columns people type names into: where a case sits. Redacted like free text.
PLACE_COLUMNS: Final = (schema.TEAM, schema.AREA, schema.SERVICE)
#: Columns whose values are the data's own identifiers: their shapes are learned and
#: redacted wherever they appear in text.
ID_SHAPE_COLUMNS: Final = (
    schema.CHILD_ID,
    schema.AUDIT_ID,
    schema.ORIGINAL_AUDIT_ID,
    schema.AUDITOR_ID,
    schema.SOCIAL_WORKER_ID,
    schema.FEEDBACK_ID,
)


def redact_human_text(data: AuditData) -> AuditData:
    """Redact every human-entered field before any report sees it (a new :class:`AuditData`).

    Team, area and service names, feedback and reflection texts, every text and URL in
    recommendations.yml, and programme.yml's organisation, programme, contact, month labels
    and pause reasons go through :func:`auditlib.analysis.redaction.redact_text` with the
    denylist and the identifier shapes learned from the id columns: a child's name or id
    typed into a team name never reaches a table, a sentence or alt text. Text is
    normalised on the way (control characters stripped). Identifier columns themselves are
    kept for counting; reports never show them.
    """
    ids = redaction.learn_id_patterns(
        value
        for frame in (data.audits, data.feedback, data.reflections)
        if frame is not None
        for column in ID_SHAPE_COLUMNS
        if column in frame.columns
        for value in frame[column].dropna().unique().tolist()
    )
    names = data.denylist

    def text(value: Any) -> Any:
        return redaction.redact_text(value, names, ids=ids)

    def frame(df: pd.DataFrame | None, columns: tuple[str, ...]) -> pd.DataFrame | None:
        present = [c for c in columns if df is not None and c in df.columns]
        if df is None or not present:
            return df
        return redaction.redact_frame(df, present, names, ids=ids)

    programme = data.programme
    programme = dataclasses.replace(
        programme,
        organisation=text(programme.organisation),
        programme=text(programme.programme),
        contact=text(programme.contact),
        month_labels={month: text(label) for month, label in programme.month_labels.items()},
        pauses=tuple(
            dataclasses.replace(pause, reason=text(pause.reason)) for pause in programme.pauses
        ),
    )
    return dataclasses.replace(
        data,
        programme=programme,
        audits=frame(data.audits, PLACE_COLUMNS),
        feedback=frame(data.feedback, (schema.TEXT,)),
        reflections=frame(data.reflections, (schema.TEXT,)),
        recommendations=_redact_nested(data.recommendations, text),
        # The data-quality section names each merged spelling: redacted like the column.
        name_merges=[
            dataclasses.replace(merge, variant=text(merge.variant), winner=text(merge.winner))
            for merge in data.name_merges
        ],
    )


def _redact_nested(value: Any, text: Any) -> Any:
    """Every string inside nested dicts and lists redacted (keys kept: months, field names)."""
    if isinstance(value, str):
        return text(value)
    if isinstance(value, dict):
        return {key: _redact_nested(item, text) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_redact_nested(item, text) for item in value)
    return value


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Errors first, then by file and row, so a reader meets the blocking ones first."""
    return sorted(
        problems,
        key=lambda p: (
            p.severity != "error",
            p.file,
            p.row if p.row is not None else -1,
            p.column or "",
        ),
    )


#: Data folders loaded ahead by :func:`preload_audit_data`, by folder, with their input hash.
_PRELOADED: dict[Path, AuditData] = {}


def preload_audit_data(data_dir: str | Path) -> None:
    """Load and clean a data folder now, for this process and every process forked from it.

    The report runner's pre-imported kernel process calls it once, so that each month's
    kernel (a fork of it) starts with the data already cleaned instead of reading and
    cleaning every file again. :func:`load_audit_data` hands the loaded data out only
    while the folder's files are byte for byte the ones loaded.
    """
    data = load_audit_data(data_dir)
    _PRELOADED[data.data_dir] = data


def adopt_audit_data(data_dir: str | Path, data: object) -> bool:
    """Keep ``data``, loaded from ``data_dir`` by another process, as if
    :func:`preload_audit_data` had loaded it here: only if it is that folder's data, loaded
    from files byte for byte the ones there now, and without an error that stops a report
    (:func:`load_audit_data` raises for those). Returns whether it was kept."""
    folder = Path(data_dir).resolve()
    if not isinstance(data, AuditData) or data.data_dir != folder or data.errors:
        return False
    if data.input_hash != hash_inputs(input_paths(folder)):
        return False
    _PRELOADED[folder] = data
    return True


def load_audit_data(data_dir: str | Path, strict: bool = True) -> AuditData:
    """Load, check and clean a data folder.

    With ``strict`` (the default) an error that stops the report raises
    :class:`DataError` carrying every problem (file, row, column, value, reason),
    many of one kind summarised first; warnings never raise, nor do errors in an
    optional file, which is left out instead (``data.optional_failures``).
    """
    preloaded = _PRELOADED.get(Path(data_dir).resolve()) if _PRELOADED else None
    if preloaded is not None and preloaded.input_hash == hash_inputs(input_paths(data_dir)):
        return preloaded
    data = clean_dataset(load_dataset(data_dir))
    if strict and data.errors:
        from auditlib.data.validation import format_summaries, summarise_problems

        head = (
            f"{len(data.errors)} problem(s) in {data.data_dir} stop the report "
            "(run `auditlib validate` to list them all):"
        )
        summaries = summarise_problems(data.errors)
        if summaries:
            head += "\n" + format_summaries(summaries)
        # A newer export beside the file read is often why the data look wrong.
        head += "".join(f"\nNote: {n.message()}" for n in data.newer_exports)
        raise DataError(data.errors, head)
    return data
