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
from auditlib.data import guards, schema
from auditlib.data.cleaning import Cleaned, Reconciliation, clean_audits, clean_text_table
from auditlib.data.loading import Dataset, RawTable, load_dataset
from auditlib.data.programme import Programme
from auditlib.errors import DataError, Problem


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

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def _frame_with_rows(table: RawTable) -> pd.DataFrame:
    frame = table.frame.copy(deep=False)
    frame[schema.SOURCE_ROW] = table.source_rows.to_numpy()
    return frame


def clean_dataset(dataset: Dataset) -> AuditData:
    """Clean every table of a loaded :class:`Dataset`, collecting every problem."""
    problems = list(dataset.problems)
    reconciliation: dict[str, Reconciliation] = {}
    notes: list[str] = []
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
        problems.extend(table.problems)
        if table.problems and table.frame.empty:
            frames[name] = None
            continue
        result = clean_text_table(
            _frame_with_rows(table),
            name,
            kinds,
            required,
            table.label,
            known_ids,
            dataset.programme,
        )
        problems.extend(result.problems)
        reconciliation[name] = result.reconciliation
        frames[name] = result.frame
    files = {t.name: t.label for t in dataset.tables()}
    data = AuditData(
        data_dir=dataset.data_dir,
        programme=dataset.programme,
        audits=cleaned.frame,
        feedback=frames["feedback"],
        reflections=frames["reflections"],
        recommendations=dataset.recommendations,
        denylist=dataset.denylist,
        input_hash=dataset.input_hash,
        problems=sort_problems(problems),
        reconciliation=reconciliation,
        notes=notes,
        files=files,
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


def load_audit_data(data_dir: str | Path, strict: bool = True) -> AuditData:
    """Load, check and clean a data folder.

    With ``strict`` (the default) any error raises :class:`DataError` carrying
    every problem (file, row, column, value, reason); warnings never raise.
    """
    data = clean_dataset(load_dataset(data_dir))
    if strict and data.errors:
        raise DataError(
            data.problems,
            f"{len(data.errors)} problem(s) in {data.data_dir} stop the report "
            "(run `auditlib validate` to list them all):",
        )
    return data
