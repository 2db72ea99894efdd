"""The predicates behind published counts, over the cleaned data (:mod:`auditlib.disclosure.audit`).

A query says which rows a published count counts, in the report's own definitions
(:mod:`auditlib.analysis.metrics`): *allocated* is every status but exempt and cancelled,
*outstanding* is allocated or extension, *overdue* is outstanding and due before the
as-at date, a month's *judgements* are its completed audits by final judgement. Queries
are frozen dataclasses, so the same count reached from two places is one query.

Universes (the frames a query's rows come from; :func:`universes` builds them):

* ``audits`` — the cleaned audits (``AuditData.audits``);
* ``feedback`` — the cleaned feedback rows, tagged with their themes;
* ``reflections`` — the cleaned reflection rows;
* ``excluded:<table>`` — the rows an input file lost in cleaning (no columns: only their
  number is ever published).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Final

import numpy as np
import pandas as pd

from auditlib.analysis import voices
from auditlib.data import schema
from auditlib.data.cleaning import Reconciliation
from auditlib.data.pipeline import AuditData
from auditlib.paths import THEMES_FILE

AUDITS: Final = "audits"
FEEDBACK: Final = "feedback"
REFLECTIONS: Final = "reflections"
EXCLUDED_PREFIX: Final = "excluded:"
#: The column of an ``excluded:`` universe: why the row was excluded.
REASON: Final = "reason"

#: Statuses counted as allocated (everything but exempt and cancelled).
ALLOCATED_STATUSES: Final = tuple(
    s for s in schema.STATUSES if s not in schema.NOT_ALLOCATED_STATUSES
)
#: The feedback "source" of a row with none (as :func:`voices.summarise_feedback` counts it).
NO_SOURCE: Final = voices.NO_SOURCE


def _months(months: str | Iterable[str] | None) -> tuple[str, ...] | None:
    if months is None:
        return None
    return (months,) if isinstance(months, str) else tuple(sorted(set(months)))


class Table:
    """A universe's rows, with each column's values factorised once: queries test
    membership on integer codes (the audit asks hundreds of them of the same rows)."""

    def __init__(self, frame: pd.DataFrame, real: np.ndarray | None = None):
        self.frame = frame
        #: False for a row that is not in the data: a combination a reader cannot rule out.
        self.real = np.ones(len(frame), dtype=bool) if real is None else np.asarray(real, bool)
        self._codes: dict[str, tuple[np.ndarray, dict[object, int]]] = {}

    def __len__(self) -> int:
        return len(self.frame)

    def __contains__(self, column: str) -> bool:
        return column in self.frame

    def column(self, name: str) -> pd.Series:
        return self.frame[name]

    def isin(self, name: str, values: Iterable[object]) -> np.ndarray:
        """True where column ``name`` holds one of ``values`` (a missing value never does)."""
        if name not in self._codes:
            codes, uniques = pd.factorize(self.frame[name].astype(object), use_na_sentinel=True)
            self._codes[name] = (codes, {value: i for i, value in enumerate(uniques)})
        codes, index = self._codes[name]
        wanted = [index[v] for v in values if v in index]
        return np.isin(codes, wanted) if wanted else np.zeros(len(codes), dtype=bool)

    def isna(self, name: str) -> np.ndarray:
        self.isin(name, ())
        return self._codes[name][0] < 0


def _span(months: tuple[str, ...] | None) -> str:
    if months is None:
        return "all months"
    if len(months) == 1:
        return months[0]
    return f"{months[0]}…{months[-1]} ({len(months)} months)"


@dataclass(frozen=True)
class Audits:
    """Rows of the cleaned audits that satisfy every condition given (None: any).

    ``judgements`` are labels of ``column`` (default the final judgement); on a domain
    column a blank counts as Not recorded, as the domain table counts it.
    """

    universe: ClassVar[str] = AUDITS

    audit_type: str | None = schema.AUDIT
    months: tuple[str, ...] | None = None
    statuses: tuple[str, ...] | None = None
    due_before: str | None = None  # ISO date: outstanding past due at the as-at date
    judgements: tuple[str, ...] | None = None
    column: str = schema.FINAL_JUDGEMENT
    team: str | None = None
    cohort: str | None = None  # a key of schema.COHORTS
    original: tuple[str, ...] | None = None  # re-audits: the original audit's final judgement
    moderated: bool = False  # auditor's and moderator's judgements both on the scale
    rows: frozenset[int] | None = None  # source rows (row numbers of the input file)

    def mask(self, frame: Table) -> np.ndarray:
        keep = np.ones(len(frame), dtype=bool)
        if self.audit_type is not None:
            keep &= frame.isin(schema.AUDIT_TYPE, [self.audit_type])
        if self.months is not None:
            keep &= frame.isin(schema.AUDIT_MONTH, self.months)
        if self.statuses is not None:
            keep &= frame.isin(schema.STATUS, self.statuses)
        if self.due_before is not None:
            due = frame.column(schema.DUE_DATE) if schema.DUE_DATE in frame else None
            # No due dates: nothing is overdue (as metrics.compute_compliance counts it).
            overdue = (
                (due < pd.Timestamp(self.due_before)).to_numpy(dtype=bool, na_value=False)
                if due is not None
                else np.zeros(len(frame), dtype=bool)
            )
            keep &= overdue
        if self.judgements is not None:
            if self.column not in frame:
                keep &= False
            else:
                found = frame.isin(self.column, self.judgements)
                if self.column != schema.FINAL_JUDGEMENT and schema.NOT_RECORDED in self.judgements:
                    found |= frame.isna(self.column)
                keep &= found
        if self.team is not None:
            keep &= frame.isin(schema.TEAM, [self.team])
        if self.cohort is not None:
            flag = schema.COHORT_PREFIX + self.cohort
            keep &= frame.isin(flag, [True]) if flag in frame else False
        if self.original is not None:
            keep &= frame.isin(schema.ORIGINAL_JUDGEMENT, self.original)
        if self.moderated:
            keep &= frame.isin(schema.OVERALL_JUDGEMENT, schema.JUDGEMENTS)
            keep &= frame.isin(schema.MODERATED_JUDGEMENT, schema.JUDGEMENTS)
        if self.rows is not None:
            keep &= frame.isin(schema.SOURCE_ROW, self.rows)
        return keep

    def describe(self) -> str:
        parts = [f"{self.audit_type or 'any type'}s of {_span(self.months)}"]
        if self.statuses is not None:
            named = {
                ALLOCATED_STATUSES: "allocated",
                schema.OPEN_STATUSES: "outstanding",
            }.get(self.statuses, "/".join(self.statuses))
            parts.append(named)
        if self.due_before:
            parts.append(f"due before {self.due_before}")
        if self.judgements is not None:
            where = "" if self.column == schema.FINAL_JUDGEMENT else f" ({self.column})"
            parts.append("/".join(self.judgements) + where)
        for name in ("team", "cohort"):
            if getattr(self, name) is not None:
                parts.append(f"{name} {getattr(self, name)}")
        if self.original is not None:
            parts.append("originally " + "/".join(self.original))
        if self.moderated:
            parts.append("moderated")
        if self.rows is not None:
            parts.append(f"{len(self.rows)} listed rows")
        return ", ".join(parts)


def allocated(months: str | Iterable[str] | None, audit_type: str = schema.AUDIT, **kw) -> Audits:
    """Allocated audits (every status but exempt and cancelled)."""
    return Audits(audit_type, _months(months), ALLOCATED_STATUSES, **kw)


def completed(
    months: str | Iterable[str] | None,
    audit_type: str = schema.AUDIT,
    judgements: Sequence[str] | None = None,
    **kw,
) -> Audits:
    """Completed audits, optionally only those with these final judgements."""
    labels = tuple(judgements) if judgements is not None else None
    return Audits(audit_type, _months(months), (schema.COMPLETED,), judgements=labels, **kw)


def with_status(
    months: str | Iterable[str] | None, status: str, audit_type: str = schema.AUDIT, **kw
) -> Audits:
    """Audits of one status (exempt, cancelled)."""
    return Audits(audit_type, _months(months), (status,), **kw)


def outstanding(
    months: str | Iterable[str] | None,
    audit_type: str = schema.AUDIT,
    overdue_at: str | None = None,
    **kw,
) -> Audits:
    """Outstanding audits (allocated or extension); overdue when due before ``overdue_at``."""
    return Audits(audit_type, _months(months), schema.OPEN_STATUSES, due_before=overdue_at, **kw)


@dataclass(frozen=True)
class Feedback:
    """Feedback rows of ``months`` (None: all), from ``source``, of ``kind``, on ``theme``."""

    universe: ClassVar[str] = FEEDBACK

    months: tuple[str, ...] | None = None
    source: str | None = None
    kind: str | None = None
    theme: str | None = None

    def mask(self, frame: Table) -> np.ndarray:
        keep = np.ones(len(frame), dtype=bool)
        if self.months is not None:
            keep &= frame.isin(schema.AUDIT_MONTH, self.months)
        if self.source is not None:
            keep &= (
                frame.isna(schema.SOURCE)
                if self.source == NO_SOURCE
                else frame.isin(schema.SOURCE, [self.source])
            )
        if self.kind is not None:
            keep &= frame.isin(schema.KIND, [self.kind])
        if self.theme is not None:
            keep &= np.array(
                [self.theme in tags for tags in frame.column(voices.THEMES)], dtype=bool
            )
        return keep

    def describe(self) -> str:
        parts = [f"feedback of {_span(self.months)}"]
        parts += [v for v in (self.source, self.kind, self.theme and f"theme {self.theme}") if v]
        return ", ".join(parts)


@dataclass(frozen=True)
class Rows:
    """Rows of a universe: all of them, those excluded for ``reason``, or those at
    ``source_rows`` (row numbers of the input file, as a problem names them)."""

    universe: str
    reason: str | None = None
    source_rows: frozenset[int] | None = None
    #: Only rows of these audit months (a row with no month, such as a blank one, is in none).
    months: tuple[str, ...] | None = None

    def mask(self, frame: Table) -> np.ndarray:
        keep = np.ones(len(frame), dtype=bool)
        if self.reason is not None:
            keep &= frame.isin(REASON, [self.reason])
        if self.source_rows is not None:
            keep &= frame.isin(schema.SOURCE_ROW, self.source_rows)
        if self.months is not None:
            keep &= (
                frame.isin(schema.AUDIT_MONTH, self.months)
                if schema.AUDIT_MONTH in frame
                else False
            )
        return keep

    def describe(self) -> str:
        where = f" excluded for {self.reason!r}" if self.reason is not None else ""
        rows = f", {len(self.source_rows)} listed rows" if self.source_rows is not None else ""
        span = f" of {_span(self.months)}" if self.months is not None else ""
        return f"rows of {self.universe}{span}{where}{rows}"


def months_to(data: AuditData, month: str) -> tuple[str, ...]:
    """Every audit month of the data's rows (used or excluded) up to and including ``month``:
    the rows a month's data-quality figures count (later months' rows are in none)."""
    found: set[str] = set()
    for frame in (data.audits, data.feedback, data.reflections):
        if frame is not None and schema.AUDIT_MONTH in frame:
            found.update(str(m) for m in frame[schema.AUDIT_MONTH].dropna().astype(str).unique())
    for rec in data.reconciliation.values():
        found.update(m for _reason, m in rec.excluded_rows.values() if m)
    return tuple(sorted(m for m in found if m and m <= month))


def universes(data: AuditData, *, neighbours: bool = True) -> dict[str, Table]:
    """The frames queries count rows of, for one data folder.

    With ``neighbours`` (the audit's reader), each universe also holds every row that differs
    from a real one in one characteristic (another judgement, team, month, cohort…): rows a
    reader cannot rule out, since nothing published says how characteristics combine
    within a record. Without them, a reader would be assumed to know every combination
    that occurs in the data, which pins counts no real reader could work out.
    """
    frames: dict[str, pd.DataFrame] = {AUDITS: data.audits}
    if data.feedback is not None:
        custom = data.data_dir / "themes.yml"
        themes = voices.load_themes(custom if custom.exists() else THEMES_FILE)
        frames[FEEDBACK] = voices.tag_themes(data.feedback, themes, denylist=data.denylist)
    else:
        frames[FEEDBACK] = pd.DataFrame(
            columns=[schema.AUDIT_MONTH, schema.SOURCE, schema.KIND, voices.THEMES]
        )
    frames[REFLECTIONS] = (
        data.reflections if data.reflections is not None else pd.DataFrame(index=range(0))
    )
    for name, rec in data.reconciliation.items():
        frames[EXCLUDED_PREFIX + name] = _excluded_frame(rec)
    if not neighbours:
        return {name: Table(frame) for name, frame in frames.items()}
    listed = sorted(
        {min(rows) for rows in _problem_rows(data).values() if rows}
    )  # one row of each listed problem, to move a row into the list
    out = {}
    for name, frame in frames.items():
        attributes = _attributes(name, frame, listed)
        out[name] = _with_neighbours(frame, attributes)
    return out


#: Judgement columns take every label or none, whatever the data hold.
_JUDGEMENT_VALUES: Final = (*schema.JUDGEMENT_LABELS, None)
#: Due dates that make an outstanding audit overdue, or not, at any as-at date.
_DUE_VALUES: Final = (pd.Timestamp("1900-01-01"), pd.Timestamp("2200-01-01"))


def _attributes(universe: str, frame: pd.DataFrame, listed: Sequence[int]) -> dict[str, list]:
    """The characteristics queries test in a universe, and the values each may take."""

    def observed(column: str) -> list:
        values = pd.unique(frame[column].astype(object))
        return [None if pd.isna(v) else v for v in values]

    if universe == AUDITS:
        out: dict[str, list] = {}
        for column in (schema.AUDIT_TYPE, schema.AUDIT_MONTH, schema.STATUS, schema.TEAM):
            if column in frame:
                out[column] = observed(column)
        for column in frame.columns:
            judgement = column in (
                schema.FINAL_JUDGEMENT,
                schema.ORIGINAL_JUDGEMENT,
                schema.OVERALL_JUDGEMENT,
                schema.MODERATED_JUDGEMENT,
            ) or column.startswith(schema.DOMAIN_PREFIX)
            if judgement:
                out[column] = list(_JUDGEMENT_VALUES)
            elif column.startswith(schema.COHORT_PREFIX):
                out[column] = [True, False]
        if schema.DUE_DATE in frame:
            out[schema.DUE_DATE] = list(_DUE_VALUES)
        if schema.SOURCE_ROW in frame:
            out[schema.SOURCE_ROW] = [-1, *listed]
        return out
    if universe == FEEDBACK:
        return {
            column: observed(column)
            for column in (schema.AUDIT_MONTH, schema.SOURCE, schema.KIND)
            if column in frame
        } | ({voices.THEMES: []} if voices.THEMES in frame else {})
    if REASON in frame:
        return {REASON: observed(REASON), schema.AUDIT_MONTH: observed(schema.AUDIT_MONTH)}
    return {}


def _excluded_frame(rec: Reconciliation) -> pd.DataFrame:
    """One row per row an input file lost: its reason and audit month (None: no month, as
    for a blank row; also for a row counted under a reason but not listed by number)."""
    reasons: list[str] = []
    months: list[str | None] = []
    listed: dict[str, int] = {}
    for reason, month in rec.excluded_rows.values():
        reasons.append(reason)
        months.append(month or None)
        listed[reason] = listed.get(reason, 0) + 1
    for reason, n in rec.excluded_by_reason.items():
        for _ in range(int(n) - listed.get(reason, 0)):
            reasons.append(reason)
            months.append(None)
    return pd.DataFrame(
        {
            REASON: pd.Series(reasons, dtype=object),
            schema.AUDIT_MONTH: pd.Series(months, dtype=object),
        }
    )


def _with_neighbours(frame: pd.DataFrame, attributes: Mapping[str, list]) -> Table:
    """The frame's rows, then each row with one characteristic changed to each other value."""
    parts = [frame]
    for column, values in attributes.items():
        if column == voices.THEMES:
            parts += _theme_toggles(frame)
            continue
        current = frame[column].astype(object)
        for value in values:
            same = current.isna() if value is None else current.eq(value).fillna(False)
            moved = frame.loc[~same.to_numpy(dtype=bool)].copy()
            if not len(moved):
                continue
            if value is None:
                moved[column] = pd.NA if moved[column].dtype != object else None
            else:
                moved[column] = _as_column(moved[column], value)
            parts.append(moved)
    extended = pd.concat(parts, ignore_index=True) if len(parts) > 1 else frame
    real = np.zeros(len(extended), dtype=bool)
    real[: len(frame)] = True
    return Table(extended, real)


def _as_column(column: pd.Series, value: object) -> object:
    """``value`` in a form the column's dtype accepts (a category it lacks becomes one)."""
    if isinstance(column.dtype, pd.CategoricalDtype) and value not in column.cat.categories:
        return pd.Series([value] * len(column), index=column.index, dtype=object)
    return value


def _theme_toggles(frame: pd.DataFrame) -> list[pd.DataFrame]:
    """Each row with one theme added or taken away."""
    themes = sorted({t for tags in frame[voices.THEMES] for t in tags})
    parts = []
    for theme in themes:
        toggled = frame.copy()
        toggled[voices.THEMES] = [
            [t for t in tags if t != theme] if theme in tags else [*tags, theme]
            for tags in frame[voices.THEMES]
        ]
        parts.append(toggled)
    return parts


def _problem_rows(data: AuditData) -> dict[tuple[str, str], set[int]]:
    """The rows of the audits file each problem (file, reason) lists."""
    audits_file = data.files.get("audits", "audits")
    out: dict[tuple[str, str], set[int]] = {}
    for problem in data.problems:
        if problem.row is not None and problem.file in (audits_file, "audits"):
            out.setdefault((problem.severity, problem.reason), set()).add(int(problem.row))
    return out
