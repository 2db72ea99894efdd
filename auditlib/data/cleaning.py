"""From rows as written to canonical, typed rows — with every row accounted for.

:func:`clean_audits` is the whole pipeline for the audits table; each step is
also a small pure function (DataFrame in, new DataFrame out) that can be used
on its own with ``.pipe()``. Nothing is dropped silently: a row is either
used, or excluded with a reason (exact duplicates, blank rows), and every
value that cannot be understood is a :class:`~auditlib.errors.Problem` naming
file, row, column and value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from auditlib.data import cohorts as cohort_rules
from auditlib.data import dates, parsing, schema
from auditlib.data.parsing import CATEGORIES, PARSERS, category_dtype, normalise_key, parse_column
from auditlib.data.programme import PROGRAMME_FILE, Programme
from auditlib.errors import ConfigError, Problem

EXCLUDED_DUPLICATE = "exact duplicate of an earlier row"
EXCLUDED_BLANK = "blank row"
EXCLUDED_FILE_LEFT_OUT = "the file was left out: it has errors"
#: The warning on each completed audit with no judgement: one per audit counted as Not
#: recorded, so their count is a count of children's audits by judgement.
NO_JUDGEMENT_WARNING = "completed with no judgement: kept, and counted as 'Not recorded'"
#: How a missing required column is reported before the closest header and the headers found.
MISSING_REQUIRED = (
    f"required column is missing (map the file's header to it under 'columns:' in {PROGRAMME_FILE})"
)

JUDGEMENT_DTYPE = pd.CategoricalDtype(list(schema.JUDGEMENT_LABELS), ordered=True)
STATUS_DTYPE = pd.CategoricalDtype(list(schema.STATUSES))
AUDIT_TYPE_DTYPE = pd.CategoricalDtype(list(schema.AUDIT_TYPES))


@dataclass
class Reconciliation:
    """Rows read = rows used + rows excluded, with the reason for each exclusion.

    ``excluded_rows`` names each excluded row (by its row number in the file) with its
    reason and the audit month it belongs to ("" for a blank row, which has none), so a
    month's report can account for the rows of its own months (:meth:`up_to`).
    """

    table: str
    rows_read: int
    excluded_by_reason: dict[str, int] = field(default_factory=dict)
    excluded_rows: dict[int, tuple[str, str]] = field(default_factory=dict)

    @property
    def rows_excluded(self) -> int:
        return sum(self.excluded_by_reason.values())

    @property
    def rows_used(self) -> int:
        return self.rows_read - self.rows_excluded

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows_read": self.rows_read,
            "rows_used": self.rows_used,
            "rows_excluded": self.rows_excluded,
            "excluded_by_reason": dict(self.excluded_by_reason),
        }

    def up_to(self, month: str, frame: pd.DataFrame | None) -> Reconciliation:
        """The rows of audit months up to and including ``month``: those of ``frame`` (the
        cleaned table) it uses, and those excluded. A blank row belongs to no month.

        >>> rec = Reconciliation("audits", 4, {EXCLUDED_BLANK: 1, EXCLUDED_DUPLICATE: 1},
        ...     {5: (EXCLUDED_BLANK, ""), 4: (EXCLUDED_DUPLICATE, "2020-09")})
        >>> used = pd.DataFrame({"audit_month": ["2020-08", "2020-09"]})
        >>> rec.up_to("2020-08", used).as_dict()["rows_read"], rec.up_to("2020-09", used).rows_read
        (1, 3)
        """
        used = 0
        if frame is not None and schema.AUDIT_MONTH in frame:
            months = frame[schema.AUDIT_MONTH].astype("string")
            used = int((months <= month).fillna(False).sum())
        counts: dict[str, int] = {}
        for reason, row_month in self.excluded_rows.values():
            if row_month and row_month <= month:
                counts[reason] = counts.get(reason, 0) + 1
        excluded = {r: counts[r] for r in self.excluded_by_reason if counts.get(r)}
        return Reconciliation(self.table, used + sum(excluded.values()), excluded)


@dataclass(frozen=True)
class NameMerge:
    """One spelling of a name merged into the usual one, and the rows that had it."""

    column: str
    variant: str
    winner: str
    #: row numbers in the file of the rows spelt this way
    rows: tuple[int, ...]

    def note(self, rows: int | None = None) -> str:
        """The data-quality note, for all its rows or for ``rows`` of them."""
        n = len(self.rows) if rows is None else rows
        return f"{self.column}: {self.variant!r} ({n} row{'s' if n != 1 else ''}) merged into {self.winner!r}"


@dataclass
class Cleaned:
    """A cleaned table, the problems found, and how every input row was used."""

    frame: pd.DataFrame
    problems: list[Problem]
    reconciliation: Reconciliation
    #: things a reader of the data-quality section should know (merged name variants, …)
    notes: list[str] = field(default_factory=list)
    #: the merged name variants behind some of the notes, with their rows
    name_merges: list[NameMerge] = field(default_factory=list)
    #: how each date column holding numbers-only dates was read (day- or month-first)
    date_readings: list[dates.DateReading] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


# --------------------------------------------------------------------------- steps


def label_extras(
    programme: Programme | None, column: str, kind: str | None = None
) -> dict[str, Any]:
    """programme.yml ``labels:`` for ``column``, checked to map onto canonical values.

    ``labels: {judgement: {...}}`` applies to every judgement column. ``kind`` is the
    column's kind when it is not an audits column (feedback's ``source``, …).
    """
    if programme is None:
        return {}
    kind = (
        kind
        or schema.AUDIT_COLUMN_KINDS.get(column)
        or ("judgement" if column.startswith(schema.DOMAIN_PREFIX) else None)
    )
    table: dict[str, Any] = {}
    if kind == "judgement":
        table.update(programme.labels.get("judgement", {}))
    table.update(programme.labels.get(column, {}))
    if not table or kind is None:
        return table
    parser = PARSERS[kind]
    checked = {}
    for local, canonical in table.items():
        try:
            checked[local] = parser(canonical)
        except ValueError:
            raise ConfigError(
                f"{programme.source or PROGRAMME_FILE}: labels: {column}: {local!r} maps to "
                f"{canonical!r}, which is not a known {kind.replace('_', ' ')}"
            ) from None
    return checked


def flag_blank_rows(df: pd.DataFrame) -> pd.Series:
    """True where every cell of a row is blank (Excel leaves these in exports).

    >>> flag_blank_rows(pd.DataFrame({"a": ["x", None, " "], "b": [None, None, ""]})).tolist()
    [False, True, True]
    """
    data = df.drop(columns=[schema.SOURCE_ROW], errors="ignore")
    if data.empty:
        return pd.Series(False, index=df.index)
    # Only rows whose first cell is blank can be blank: check the rest on those alone.
    candidates = np.flatnonzero(_blank_cells(data.iloc[:, 0]))
    blank = np.zeros(len(data), dtype=bool)
    if len(candidates):
        part = data.iloc[candidates]
        blank[candidates] = np.all([_blank_cells(part[c]) for c in part.columns], axis=0)
    return pd.Series(blank, index=df.index)


def _blank_cells(column: pd.Series) -> np.ndarray:
    blank = column.isna().to_numpy().copy()
    if column.dtype == object or pd.api.types.is_string_dtype(column):
        blank |= column.astype("string").str.strip().eq("").to_numpy(dtype=bool, na_value=False)
    return blank


def flag_exact_duplicates(df: pd.DataFrame) -> pd.Series:
    """For each row, the source row of the earlier identical row it repeats, else NA.

    >>> frame = pd.DataFrame({"audit_id": ["A", "B", "A"], "team": ["x", "y", "x"], "source_row": [2, 3, 4]})
    >>> flag_exact_duplicates(frame).tolist()
    [<NA>, <NA>, 2]
    """
    data = df.drop(columns=[schema.SOURCE_ROW], errors="ignore")
    out = pd.Series(pd.NA, index=df.index, dtype="Int64")
    if data.empty:
        return out
    # Identical rows share their audit_id, so only rows whose id repeats need hashing.
    if schema.AUDIT_ID in data:
        ids = data[schema.AUDIT_ID]
        suspects = np.flatnonzero(ids.duplicated(keep=False).to_numpy() | ids.isna().to_numpy())
    else:
        suspects = np.arange(len(data))
    if len(suspects) < 2:
        return out
    part = data.iloc[suspects]
    try:
        hashes = pd.util.hash_pandas_object(part, index=False).to_numpy()
    except TypeError:  # unhashable cells (e.g. lists): compare their text
        hashes = pd.util.hash_pandas_object(part.astype("string"), index=False).to_numpy()
    dup = pd.Series(hashes).duplicated(keep="first").to_numpy()
    if not dup.any():
        return out
    first_pos = pd.Series(np.arange(len(hashes))).groupby(hashes).transform("min").to_numpy()
    rows = df[schema.SOURCE_ROW].to_numpy() if schema.SOURCE_ROW in df else np.arange(len(df)) + 2
    first_row = rows[suspects[first_pos]]
    values = out.to_numpy(dtype=object)
    values[suspects[dup]] = first_row[dup]
    return pd.Series(values, index=df.index, dtype="Int64")


def add_final_judgement(df: pd.DataFrame) -> pd.DataFrame:
    """Final judgement = moderated if present, else overall; a completed audit with neither is Not recorded.

    >>> frame = pd.DataFrame({"status": ["completed"] * 3 + ["allocated"],
    ...     "overall_judgement": ["Good", "Inadequate", None, None],
    ...     "moderated_judgement": [None, "Requires Improvement", None, None]})
    >>> add_final_judgement(frame)["final_judgement"].tolist()
    ['Good', 'Requires Improvement', 'Not recorded', nan]
    """
    out = df.copy(deep=False)  # copy-on-write: the input is never changed
    overall = out.get(schema.OVERALL_JUDGEMENT, pd.Series(pd.NA, index=out.index)).astype(
        JUDGEMENT_DTYPE
    )
    moderated = out.get(schema.MODERATED_JUDGEMENT, pd.Series(pd.NA, index=out.index)).astype(
        JUDGEMENT_DTYPE
    )
    final = moderated.where(moderated.notna(), overall)
    completed = out[schema.STATUS].astype("string").eq(schema.COMPLETED).fillna(False).to_numpy()
    final = final.where(~(completed & final.isna().to_numpy()), schema.NOT_RECORDED)
    # Only completed audits carry a judgement that counts.
    out[schema.FINAL_JUDGEMENT] = final.where(completed).astype(JUDGEMENT_DTYPE)
    return out


def locate_originals(df: pd.DataFrame) -> np.ndarray:
    """For each re-audit, the row position of the audit it names (-1: none, not found, or not a re-audit).

    >>> frame = pd.DataFrame({"audit_id": ["A1", "R1", "R2"], "original_audit_id": [None, "A1", "A9"],
    ...     "audit_type": ["audit", "re-audit", "re-audit"]})
    >>> locate_originals(frame).tolist()
    [-1, 0, -1]
    """
    ids = pd.Index(df[schema.AUDIT_ID].to_numpy(dtype=object, na_value=None))
    first = np.flatnonzero(
        ~ids.duplicated()
    )  # a clashing id is an error elsewhere; use its first row
    reaudit = (df[schema.AUDIT_TYPE] == schema.REAUDIT).to_numpy(dtype=bool, na_value=False)
    position = np.full(len(df), -1, dtype=np.int64)
    if reaudit.any():
        wanted = df[schema.ORIGINAL_AUDIT_ID].to_numpy(dtype=object, na_value=None)[reaudit]
        found = ids[first].get_indexer(wanted)
        position[reaudit] = np.where(found >= 0, first[np.maximum(found, 0)], -1)
    return position


def link_reaudits(df: pd.DataFrame, originals: np.ndarray | None = None) -> pd.DataFrame:
    """On each re-audit, the final judgement of the audit it re-audits (``original_judgement``).

    ``originals`` is :func:`locate_originals` of ``df`` when already known.

    >>> frame = pd.DataFrame({"audit_id": ["A1", "R1"], "original_audit_id": [None, "A1"],
    ...     "audit_type": ["audit", "re-audit"],
    ...     "final_judgement": pd.Categorical(["Inadequate", "Good"], categories=["Good", "Inadequate"])})
    >>> link_reaudits(frame)["original_judgement"].tolist()
    [nan, 'Inadequate']
    """
    out = df.copy(deep=False)
    final = out[schema.FINAL_JUDGEMENT]
    position = locate_originals(out) if originals is None else originals
    codes = np.where(position >= 0, final.cat.codes.to_numpy()[np.maximum(position, 0)], -1)
    out[schema.ORIGINAL_JUDGEMENT] = pd.Categorical.from_codes(codes, dtype=final.dtype)
    return out


def add_cohort_flags(
    df: pd.DataFrame, cohorts: Mapping[str, cohort_rules.Cohort] | None = None
) -> pd.DataFrame:
    """Boolean ``cohort_<key>`` columns, one per cohort (by default the seed's six).

    ``cohorts`` is a programme's (``programme.cohorts``). A missing or blank source
    value means "not known to be in the cohort" (False).

    >>> frame = pd.DataFrame({"cin": [True, False], "cp_plan": [True, True],
    ...     "cp_category": ["sexual", "neglect"], "age_at_audit": [3, 12],
    ...     "cse_risk": ["none", "emerging"], "missing_episodes_6m": [0, 2]})
    >>> add_cohort_flags(frame).filter(like="cohort_").astype(int).values.tolist()
    [[1, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1]]
    """
    chosen = cohort_rules.DEFAULT_COHORTS if cohorts is None else cohorts
    return cohort_rules.add_cohort_flags(df, chosen.values())


def merge_name_variants(df: pd.DataFrame, column: str) -> tuple[pd.DataFrame, list[str]]:
    """Merge spellings of one name that differ only in case and spacing.

    The most frequent spelling wins (ties: the first alphabetically); each
    merge is returned as a note for the data-quality section.

    >>> frame = pd.DataFrame({"team": ["Team A", "team a", "Team A", "Team B"]})
    >>> merged, notes = merge_name_variants(frame, "team")
    >>> merged["team"].tolist(), notes
    (['Team A', 'Team A', 'Team A', 'Team B'], ["team: 'team a' (1 row) merged into 'Team A'"])
    """
    out, merges = merge_name_spellings(df, column)
    return out, sorted(m.note() for m in merges)


def merge_name_spellings(df: pd.DataFrame, column: str) -> tuple[pd.DataFrame, list[NameMerge]]:
    """:func:`merge_name_variants`, each merge returned with the rows it changed.

    Rows are named by ``source_row`` when ``df`` has it, else by position from 0.
    """
    if column not in df or df[column].isna().all():
        return df.copy(deep=False), []
    # Work on the distinct names (a few hundred), not the rows (maybe millions).
    codes, uniques = pd.factorize(df[column].astype("string"))
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    names = pd.Series(counts, index=pd.Index(uniques, dtype=object))
    keys = names.index.map(normalise_key)
    canonical = list(names.index)
    rows = df[schema.SOURCE_ROW].to_numpy() if schema.SOURCE_ROW in df else np.arange(len(df))
    merges = []
    for _key, group in names.groupby(np.asarray(keys)):
        if len(group) < 2:
            continue
        order = sorted(group.items(), key=lambda kv: (-kv[1], kv[0]))
        winner = order[0][0]
        for variant, _n in order[1:]:
            code = names.index.get_loc(variant)
            canonical[code] = winner
            merges.append(
                NameMerge(column, variant, winner, tuple(int(r) for r in rows[codes == code]))
            )
    out = df.copy(deep=False)
    if merges:
        merged = pd.array(canonical, dtype="string").take(codes, allow_fill=True)
        out[column] = pd.Series(merged, index=df.index)
    return out, sorted(merges, key=lambda m: m.note())


# ---------------------------------------------------------------------- pipeline


def clean_audits(
    df: pd.DataFrame,
    programme: Programme | None = None,
    file: str = "audits.csv",
    headers: Mapping[str, str] | None = None,
) -> Cleaned:
    """Clean the audits table: parse, check, de-duplicate, derive.

    ``df`` has canonical column names (see :func:`auditlib.data.loading.read_table`)
    and optionally ``source_row`` (row numbers as a person sees them in the
    file; otherwise the header is taken as row 1). ``df`` is not changed.
    Running it on its own output gives the same output (it is idempotent).
    """
    return _AuditsCleaning(df, programme, file, headers).run()


class _AuditsCleaning:
    """:func:`clean_audits`, step by step. The steps share the frame as it is so far, the
    file's row numbers of its rows, and the problems and row accounting found."""

    def __init__(
        self,
        df: pd.DataFrame,
        programme: Programme | None,
        file: str,
        headers: Mapping[str, str] | None,
    ) -> None:
        self.programme = programme
        self.file = file
        self.headers = dict(headers or {})
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        self.name_merges: list[NameMerge] = []
        frame = df.copy(deep=False)
        if schema.SOURCE_ROW not in frame:
            frame[schema.SOURCE_ROW] = np.arange(len(frame), dtype="int64") + 2
        self.frame = frame
        self.had = set(frame.columns)
        self.cohorts = programme.cohorts if programme is not None else cohort_rules.DEFAULT_COHORTS
        self.cohort_kinds = cohort_rules.extra_column_kinds(self.cohorts.values())
        self.reconciliation = Reconciliation("audits", len(frame))
        self.default_order = programme.date_format if programme is not None else parsing.DAY_FIRST
        self.domain_columns = [c for c in frame.columns if c.startswith(schema.DOMAIN_PREFIX)]

    @property
    def rows(self) -> np.ndarray:
        """The file's row number of each row of the frame as it is now."""
        return self.frame[schema.SOURCE_ROW].to_numpy()

    def name(self, column: str) -> str:
        """A column as the file heads it, with the canonical name when they differ."""
        local = self.headers.get(column, column)
        return column if local == column else f"{local} ({column})"

    def add(
        self,
        positions: np.ndarray,
        column: str | None,
        values: Any,
        reason: str,
        severity: str = "error",
    ) -> None:
        """One problem per position (values: one for all, or one per position)."""
        rows = self.rows
        values = (
            values
            if isinstance(values, list | np.ndarray | pd.Series)
            else [values] * len(positions)
        )
        for pos, value in zip(positions, values, strict=True):
            self.problems.append(
                Problem(
                    self.file,
                    int(rows[pos]),
                    self.name(column) if column else None,
                    _show(value),
                    reason,
                    severity,
                )
            )

    def run(self) -> Cleaned:
        missing = self.check_columns()
        self.drop_blank_rows()
        # Which way round day and month are, per date column (a part above 12 settles it).
        date_columns = [
            c for c in (*schema.AUDIT_DATE_COLUMNS, schema.AUDIT_MONTH) if c in self.frame
        ]
        self.readings = dates.read_date_orders(
            self.frame, date_columns, self.default_order, self.file, self.rows, self.name
        )
        # The two date columns the sanity checks quote, as written (shown as the file has them).
        self.raw_dates = {c: self.frame[c] for c in _CHECKED_DATES if c in self.frame}
        self.parse_columns()
        self.drop_exact_duplicates()
        for column in schema.AUDIT_OPTIONAL:
            if column not in self.frame:
                self.frame[column] = pd.Series(
                    pd.NA, index=self.frame.index, dtype=_empty_dtype(column)
                )
        if missing:
            return self.cleaned()
        self.check_values()
        self.merge_names()
        self.set_dtypes()
        self.check_judgements()
        self.frame = (
            self.frame.pipe(add_final_judgement)
            .pipe(link_reaudits, self.originals)
            .pipe(add_cohort_flags, self.cohorts)
        )
        return self.cleaned()

    def cleaned(self) -> Cleaned:
        return Cleaned(
            self.frame,
            self.problems,
            self.reconciliation,
            self.notes,
            name_merges=self.name_merges,
            date_readings=list(self.readings.values()),
        )

    def check_columns(self) -> list[str]:
        """Required columns missing (each a problem), and a header with no rows."""
        missing = [c for c in schema.AUDIT_REQUIRED if c not in self.frame]
        self.problems.extend(
            missing_column_problems(
                self.frame,
                "audits",
                schema.AUDIT_REQUIRED,
                self.programme,
                self.file,
                self.headers,
                self.cohort_kinds,
            )
        )
        if len(self.frame) == 0 and not missing:
            self.problems.append(
                Problem(self.file, None, None, None, "the file has a header but no data rows")
            )
        return missing

    def drop_blank_rows(self) -> None:
        """Blank rows are not data (Excel leaves them in exports): counted, not used."""
        blank = flag_blank_rows(self.frame).to_numpy()
        if blank.any():
            self.reconciliation.excluded_by_reason[EXCLUDED_BLANK] = int(blank.sum())
            for row in self.rows[blank]:
                self.reconciliation.excluded_rows[int(row)] = (EXCLUDED_BLANK, "")
            self.frame = self.frame.loc[~blank].reset_index(drop=True)

    def parse_columns(self) -> None:
        """Parse every known column, collecting every value that cannot be understood."""
        kinds = {**schema.AUDIT_COLUMN_KINDS, **self.cohort_kinds}
        n = len(self.frame)
        self.failed = {column: np.zeros(n, dtype=bool) for column in kinds}
        for column in [c for c in kinds if c in self.frame] + self.domain_columns:
            kind = kinds.get(column, "judgement")
            reading = self.readings.get(column)
            order = reading.order if reading is not None else self.default_order
            parsed = parse_column(
                self.frame[column], kind, label_extras(self.programme, column), order
            )
            self.failed[column] = np.zeros(n, dtype=bool)
            for value, (reason, positions) in parsed.failures.items():
                self.add(positions, column, value, _explain(reason, kind))
                self.failed[column][positions] = True
            self.frame[column] = parsed.values

    def drop_exact_duplicates(self) -> None:
        """Exact repeats of an earlier row (after parsing, so "Good" and "good" match):
        excluded, counted under their month, and each a warning."""
        frame, rows = self.frame, self.rows
        repeat_of = flag_exact_duplicates(frame)
        duplicate = repeat_of.notna().to_numpy()
        if not duplicate.any():
            return
        self.reconciliation.excluded_by_reason[EXCLUDED_DUPLICATE] = int(duplicate.sum())
        months = (
            frame[schema.AUDIT_MONTH].astype("string").fillna("").to_numpy(dtype=object)
            if schema.AUDIT_MONTH in frame
            else np.full(len(frame), "", dtype=object)
        )
        for pos in np.flatnonzero(duplicate):
            self.reconciliation.excluded_rows[int(rows[pos])] = (
                EXCLUDED_DUPLICATE,
                str(months[pos]),
            )
        for pos in np.flatnonzero(duplicate):
            self.problems.append(
                Problem(
                    self.file,
                    int(rows[pos]),
                    None,
                    None,
                    f"exact duplicate of row {int(repeat_of.iloc[pos])}: excluded and counted",
                    "warning",
                )
            )
        kept = np.flatnonzero(~duplicate)
        self.frame = frame.loc[~duplicate].reset_index(drop=True)
        self.failed = {column: flags[~duplicate] for column, flags in self.failed.items()}
        self.raw_dates = {c: v.iloc[kept].reset_index(drop=True) for c, v in self.raw_dates.items()}

    def check_values(self) -> None:
        """Blank required values, checks across columns and rows, and the dates' sanity."""
        frame = self.frame
        for column in schema.AUDIT_REQUIRED:
            blank_value = frame[column].isna().to_numpy() & ~self.failed[column]
            if blank_value.any():
                self.add(np.flatnonzero(blank_value), column, None, "required value is blank")
        self.originals = locate_originals(frame)
        _check_rows(frame, self.programme, self.add, self.originals)
        raw_dates = {c: self.raw_dates.get(c, frame[c]) for c in _CHECKED_DATES}
        dates.check_dates(frame, raw_dates, self.readings, self.programme, self.add)

    def merge_names(self) -> None:
        """Spellings of a team, area or service that differ only in case and spacing."""
        for column in (schema.TEAM, schema.AREA, schema.SERVICE):
            self.frame, merges = merge_name_spellings(self.frame, column)
            self.notes.extend(m.note() for m in merges)
            self.name_merges.extend(merges)

    def set_dtypes(self) -> None:
        frame = self.frame
        frame[schema.STATUS] = frame[schema.STATUS].astype(STATUS_DTYPE)
        frame[schema.AUDIT_TYPE] = frame[schema.AUDIT_TYPE].astype(AUDIT_TYPE_DTYPE)
        for column in (schema.OVERALL_JUDGEMENT, schema.MODERATED_JUDGEMENT, *self.domain_columns):
            frame[column] = frame[column].astype(JUDGEMENT_DTYPE)

    def check_judgements(self) -> None:
        """A completed audit needs a judgement: without the column it is an error (every
        one would read as Not recorded); a blank one is a warning, counted as Not recorded."""
        frame = self.frame
        completed = frame[schema.STATUS].eq(schema.COMPLETED).to_numpy()
        if completed.any() and schema.OVERALL_JUDGEMENT not in self.had:
            # A column mapped in programme.yml but absent is reported as that instead.
            mapped = self.programme.columns if self.programme is not None else {}
            if schema.OVERALL_JUDGEMENT not in mapped:
                self.problems.append(self._no_judgement_column(int(completed.sum())))
            return
        no_judgement = (
            completed
            & frame[schema.OVERALL_JUDGEMENT].isna().to_numpy()
            & frame[schema.MODERATED_JUDGEMENT].isna().to_numpy()
            & ~self.failed[schema.OVERALL_JUDGEMENT]
            & ~self.failed[schema.MODERATED_JUDGEMENT]
        )
        if no_judgement.any():
            self.add(
                np.flatnonzero(no_judgement),
                schema.OVERALL_JUDGEMENT,
                None,
                NO_JUDGEMENT_WARNING,
                "warning",
            )

    def _no_judgement_column(self, completed: int) -> Problem:
        found, unmapped = _headers_found(self.frame, "audits", self.headers, self.cohort_kinds)
        return Problem(
            self.file,
            None,
            schema.OVERALL_JUDGEMENT,
            None,
            parsing.missing_column_reason(
                f"the judgement column is missing, and {completed} completed "
                f"audit(s) need one (map the file's header to it under 'columns:' in "
                f"{PROGRAMME_FILE})",
                [schema.OVERALL_JUDGEMENT, "overall grade", "judgement", "grade"],
                found,
                unmapped,
            ),
        )


#: The two date columns whose sanity checks quote the value as the file wrote it.
_CHECKED_DATES = (schema.ALLOCATED_DATE, schema.COMPLETED_DATE)


#: Canonical columns each table knows (others are kept but not read).
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "audits": tuple(schema.AUDIT_COLUMN_KINDS),
    "feedback": tuple(schema.FEEDBACK_COLUMN_KINDS),
    "reflections": tuple(schema.REFLECTIONS_COLUMN_KINDS),
}


def missing_column_problems(
    frame: pd.DataFrame,
    table: str,
    required: tuple[str, ...],
    programme: Programme | None,
    file: str,
    headers: Mapping[str, str] | None = None,
    extra_columns: Mapping[str, str] | None = None,
) -> list[Problem]:
    """An error for each column the table needs that the file lacks, naming the closest
    header the file has and every header found: a column programme.yml maps under
    ``columns:``, a required column, and (audits, when programme.yml defines cohorts)
    each column a cohort reads. ``extra_columns`` are the council's own columns the
    cohorts read (recognised, so never offered as "did you mean")."""
    headers = dict(headers or {})
    found, unmapped = _headers_found(frame, table, headers, extra_columns or {})
    problems = []
    for canon, local in (programme.columns if programme is not None else {}).items():
        if canon in frame or not _maps_into(canon, table):
            continue
        problems.append(
            Problem(
                file,
                None,
                f"{local} ({canon})" if local != canon else canon,
                None,
                parsing.missing_column_reason(
                    f"{PROGRAMME_FILE} maps {canon} to the header '{local}' (columns:), "
                    "but the file has no such column",
                    [local, canon],
                    found,
                    unmapped,
                ),
            )
        )
    mapped = set(programme.columns) if programme is not None else set()
    for column in required:
        if column not in frame and column not in mapped:
            problems.append(
                Problem(
                    file,
                    None,
                    column,
                    None,
                    parsing.missing_column_reason(MISSING_REQUIRED, [column], found, unmapped),
                )
            )
    if table == "audits" and programme is not None and programme.cohorts_defined:
        problems.extend(_missing_cohort_columns(frame, programme, file, found, unmapped))
    return problems


def _headers_found(
    frame: pd.DataFrame, table: str, headers: Mapping[str, str], extra: Mapping[str, str]
) -> tuple[list[str], list[str]]:
    """Every header as the file writes it, and those not taken as any known column (the
    candidates for "did you mean")."""
    columns = [c for c in frame.columns if c != schema.SOURCE_ROW]
    found = [headers.get(c, c) for c in columns]
    unmapped = [
        str(c)
        for c in columns
        if c not in TABLE_COLUMNS[table]
        and c not in extra
        and not (table == "audits" and str(c).startswith(schema.DOMAIN_PREFIX))
    ]
    return found, unmapped


def _maps_into(canon: str, table: str) -> bool:
    """Whether a ``columns:`` entry is about ``table``: one the table knows, or (audits)
    a name no table knows — the council's own audits column, such as a cohort's flag."""
    if canon in TABLE_COLUMNS[table] or (table == "audits" and canon.startswith("judgement_")):
        return True
    return table == "audits" and not any(canon in known for known in TABLE_COLUMNS.values())


def _missing_cohort_columns(
    frame: pd.DataFrame,
    programme: Programme,
    file: str,
    found: list[str],
    unmapped: list[str],
) -> list[Problem]:
    """A column a programme's own cohort reads that the file lacks: an error each (one
    mapped under ``columns:`` is reported as a mapped column instead)."""
    problems = []
    reported = set()
    for cohort in programme.cohorts.values():
        for condition in cohort.conditions:
            if (
                condition.column in frame
                or condition.column in programme.columns
                or condition.column in reported
            ):
                continue
            reported.add(condition.column)
            header = condition.header or condition.column
            problems.append(
                Problem(
                    file,
                    None,
                    header,
                    None,
                    parsing.missing_column_reason(
                        f"cohort '{cohort.key}' ({PROGRAMME_FILE} cohorts:) reads this "
                        "column, but the file has no such column",
                        [header, condition.column],
                        found,
                        unmapped,
                    ),
                )
            )
    return problems


def _check_rows(
    frame: pd.DataFrame, programme: Programme | None, add, originals: np.ndarray
) -> None:
    """Checks across columns and rows: ids, re-audit links, months (dates: :mod:`.dates`)."""
    ids = frame[schema.AUDIT_ID]
    clash = ids.duplicated(keep=False) & ids.notna()
    if clash.any():
        rows = frame[schema.SOURCE_ROW]
        for audit_id, group in frame.loc[clash].groupby(schema.AUDIT_ID, sort=False).groups.items():
            positions = np.asarray([frame.index.get_loc(i) for i in group])
            where = ", ".join(str(r) for r in rows.iloc[positions])
            add(
                positions,
                schema.AUDIT_ID,
                audit_id,
                f"the same audit_id is on rows {where} with different details; "
                "keep one row per audit (re-audits have their own audit_id)",
            )

    reaudit = frame[schema.AUDIT_TYPE].eq(schema.REAUDIT).fillna(False).to_numpy()
    original = frame[schema.ORIGINAL_AUDIT_ID]
    no_original = reaudit & original.isna().to_numpy()
    if no_original.any():
        add(
            np.flatnonzero(no_original),
            schema.ORIGINAL_AUDIT_ID,
            None,
            "a re-audit must name the audit it re-audits",
        )
    unknown = reaudit & original.notna().to_numpy() & (originals < 0)
    if unknown.any():
        positions = np.flatnonzero(unknown)
        add(
            positions,
            schema.ORIGINAL_AUDIT_ID,
            original.iloc[positions].tolist(),
            "no audit has this audit_id",
        )

    if programme is not None:
        month = frame[schema.AUDIT_MONTH]
        before = (month < programme.start_month).fillna(False).to_numpy()
        if before.any():
            positions = np.flatnonzero(before)
            add(
                positions,
                schema.AUDIT_MONTH,
                month.iloc[positions].tolist(),
                f"before the programme's start_month ({programme.start_month}) in programme.yml",
            )
        for pause in programme.pauses:
            inside = month.between(pause.start, pause.end).fillna(False).to_numpy()
            if inside.any():
                positions = np.flatnonzero(inside)
                add(
                    positions,
                    schema.AUDIT_MONTH,
                    month.iloc[positions].tolist(),
                    f"programme.yml says the programme was paused {pause.start} to {pause.end}"
                    f" ({pause.reason or 'no reason given'}), but this audit is in that month",
                )


def is_known(values: pd.Series, known: pd.Series) -> np.ndarray:
    """True where a value occurs in ``known`` (a hash lookup; Arrow ``isin`` is slow at scale).

    >>> is_known(pd.Series(["a", "z", None]), pd.Series(["a", "b"])).tolist()
    [True, False, False]
    """
    wanted = pd.unique(values.dropna())
    if len(wanted) * 8 < len(known):
        # Few values against many known ids (feedback rows against a million audits):
        # find which of the few occur, rather than indexing the many.
        present = set(known[known.isin(list(wanted)).to_numpy(dtype=bool, na_value=False)].unique())
        return np.fromiter(
            (v in present for v in values.to_numpy(dtype=object, na_value=None)), bool, len(values)
        )
    index = pd.Index(known.dropna().to_numpy(dtype=object)).unique()
    return index.get_indexer(values.to_numpy(dtype=object, na_value=None)) >= 0


def _empty_dtype(column: str) -> Any:
    kind = schema.AUDIT_COLUMN_KINDS.get(column)
    if kind in CATEGORIES:
        return category_dtype(kind)
    return {"date": "datetime64[ns]", "int": "Int64", "bool": "boolean"}.get(kind or "", "string")


def _explain(reason: str, kind: str) -> str:
    if reason.startswith("unknown"):
        known = {
            "judgement": schema.JUDGEMENT_LABELS[:4],
            "status": schema.STATUSES,
            "audit_type": schema.AUDIT_TYPES,
            "cp_category": schema.CP_CATEGORIES,
            "cse_risk": schema.CSE_RISKS,
        }.get(kind)
        if known:
            reason += f" (expected one of: {', '.join(known)}; map local labels under 'labels:' in programme.yml)"
    return reason


def _show(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%d/%m/%Y")
    return str(value)


def clean_text_table(
    df: pd.DataFrame,
    table: str,
    kinds: Mapping[str, str],
    required: tuple[str, ...],
    file: str,
    known_audit_ids: pd.Series | None = None,
    programme: Programme | None = None,
) -> Cleaned:
    """Clean feedback or reflections: parse each column, check required ones, drop blank rows.

    A row that names an audit_id the audits table does not have is a warning
    (kept): feedback can arrive for an audit exported in a later file.
    """
    problems: list[Problem] = []
    frame = df.copy(deep=False)
    if schema.SOURCE_ROW not in frame:
        frame[schema.SOURCE_ROW] = np.arange(len(frame), dtype="int64") + 2
    reconciliation = Reconciliation(table, len(frame))
    missing = [c for c in required if c not in frame]
    problems.extend(missing_column_problems(frame, table, required, programme, file))
    blank = flag_blank_rows(frame).to_numpy()
    if blank.any():
        reconciliation.excluded_by_reason[EXCLUDED_BLANK] = int(blank.sum())
        for row in frame[schema.SOURCE_ROW].to_numpy()[blank]:
            reconciliation.excluded_rows[int(row)] = (EXCLUDED_BLANK, "")
        frame = frame.loc[~blank].reset_index(drop=True)
    rows = frame[schema.SOURCE_ROW].to_numpy()
    default_order = programme.date_format if programme is not None else parsing.DAY_FIRST
    month_columns = [c for c, kind in kinds.items() if kind == "month"]
    readings = dates.read_date_orders(frame, month_columns, default_order, file, rows)
    for column, kind in kinds.items():
        if column not in frame:
            continue
        extra = label_extras(programme, column, kind)
        order = readings[column].order if column in readings else default_order
        parsed = parse_column(frame[column], kind, extra, order)
        for value, (reason, positions) in parsed.failures.items():
            for pos in positions:
                problems.append(Problem(file, int(rows[pos]), column, _show(value), reason))
        frame[column] = parsed.values
        if column in required:
            bad = {p.row for p in problems if p.column == column}
            for pos in np.flatnonzero(frame[column].isna().to_numpy()):
                if int(rows[pos]) not in bad:
                    problems.append(
                        Problem(file, int(rows[pos]), column, None, "required value is blank")
                    )
    if not missing and known_audit_ids is not None and schema.AUDIT_ID in frame:
        unknown = frame[schema.AUDIT_ID].notna() & ~is_known(
            frame[schema.AUDIT_ID], known_audit_ids
        )
        for pos in np.flatnonzero(unknown.to_numpy(dtype=bool, na_value=False)):
            problems.append(
                Problem(
                    file,
                    int(rows[pos]),
                    schema.AUDIT_ID,
                    str(frame[schema.AUDIT_ID].iloc[pos]),
                    "no audit in the audits file has this audit_id (kept)",
                    "warning",
                )
            )
    return Cleaned(frame, problems, reconciliation, [], date_readings=list(readings.values()))
