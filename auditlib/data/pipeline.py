"""Load and clean a whole data folder in one call: what notebooks and commands use.

>>> from auditlib.data.pipeline import load_audit_data
>>> data = load_audit_data("data/demo")            # doctest: +SKIP
>>> data.audits.shape, data.reconciliation["audits"].rows_used   # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from auditlib.data import schema
from auditlib.data.cleaning import (
    Cleaned,
    NameMerge,
    Reconciliation,
    clean_audits,
    clean_text_table,
)
from auditlib.data.loading import Dataset, RawTable, hash_inputs, input_paths, load_dataset
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
    #: the merged name variants behind the notes, with their rows (see cleaning.NameMerge)
    name_merges: list[NameMerge] = field(default_factory=list)

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
    return AuditData(
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
        name_merges=list(cleaned.name_merges),
    )


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


def load_audit_data(data_dir: str | Path, strict: bool = True) -> AuditData:
    """Load, check and clean a data folder.

    With ``strict`` (the default) any error raises :class:`DataError` carrying
    every problem (file, row, column, value, reason); warnings never raise.
    """
    preloaded = _PRELOADED.get(Path(data_dir).resolve()) if _PRELOADED else None
    if preloaded is not None and preloaded.input_hash == hash_inputs(input_paths(data_dir)):
        return preloaded
    data = clean_dataset(load_dataset(data_dir))
    if strict and data.errors:
        raise DataError(
            data.problems,
            f"{len(data.errors)} problem(s) in {data.data_dir} stop the report "
            "(run `auditlib validate` to list them all):",
        )
    return data
