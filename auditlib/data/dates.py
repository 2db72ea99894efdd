"""Dates as the file means them: which way round day and month are, and whether they make sense.

A numbers-only date such as ``01/05/2022`` is 1 May in a UK export and 5 January in
a US one. Each date column is read the way its own values settle (a first part above
12 is a day: day-first; a second part above 12: month-first); a column whose values
settle nothing follows the other date columns of the same file, and failing that
programme.yml's ``date_format`` (UK day-first unless set). Which way each column was
read, and why, is a :class:`DateReading` that ``validate`` and the data-quality
section show. The sanity checks here are warnings: the rows are kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from auditlib.data import parsing, schema
from auditlib.data.programme import PROGRAMME_FILE, Programme

#: An allocated date more than this many days before its audit month starts, or after
#: it ends, is far from its month (allocation happens in the month, or just before it).
ALLOCATION_SLACK_DAYS = 31
#: How a reading was decided.
BY_VALUE = "value"
BY_FILE = "file"
BY_SETTING = "setting"
MIXED = "mixed"


@dataclass(frozen=True)
class DateReading:
    """How one date column of one file was read (day-first or month-first), and why."""

    file: str
    #: the column as a person sees it (``Date Allocated (allocated_date)``)
    column: str
    order: str
    #: BY_VALUE (a value settles it), BY_FILE (another date column of the file does),
    #: BY_SETTING (nothing does: date_format) or MIXED (values settle both ways)
    basis: str
    #: the value (and its row) that settles the order; for BY_FILE, in ``evidence_column``
    example: str | None = None
    example_row: int | None = None
    evidence_column: str | None = None
    #: MIXED: a value (and its row) that only reads the other way round
    other_example: str | None = None
    other_row: int | None = None

    def describe(self) -> str:
        """One line for ``validate`` and the data-quality section.

        >>> DateReading("a.csv", "allocated_date", "month-first", BY_VALUE, "01/13/2022", 3).describe()
        "allocated_date: read month-first — '01/13/2022' (row 3) can only be month-first"
        """
        if self.basis == BY_FILE:
            return f"{self.column}: read {self.order}, {self.reason()}"
        if self.basis == MIXED:
            return f"{self.column}: {self.reason()}"
        return f"{self.column}: read {self.order} — {self.reason()}"

    def reason(self) -> str:
        """How the order was decided, without the column (the data-quality table's cell).

        >>> DateReading("a.csv", "allocated_date", "day-first", BY_SETTING).reason()
        'no value settles it (no day above 12), so date_format in programme.yml decides (UK day-first unless set)'
        """
        if self.basis == BY_VALUE:
            return f"{self.example!r} (row {self.example_row}) can only be {self.order}"
        if self.basis == BY_FILE:
            return (
                f"like {self.evidence_column} in the same file ({self.example!r}, row "
                f"{self.example_row}); no value in this column settles it"
            )
        if self.basis == MIXED:
            return (
                f"mixes day-first and month-first dates ({self.example!r} on row "
                f"{self.example_row}, {self.other_example!r} on row {self.other_row}); read "
                f"{self.order} as date_format in {PROGRAMME_FILE} says, so the others are errors"
            )
        return (
            f"no value settles it (no day above 12), so date_format in {PROGRAMME_FILE} "
            "decides (UK day-first unless set)"
        )

    def as_dict(self) -> dict[str, Any]:
        """The reading as plain data (file, column, order, basis and the line shown)."""
        return {
            "file": self.file,
            "column": self.column,
            "order": self.order,
            "basis": self.basis,
            "reason": self.reason(),
            "description": self.describe(),
        }


def read_date_orders(
    frame: pd.DataFrame,
    columns: Iterable[str],
    default: str,
    file: str,
    rows: np.ndarray,
    shown: Callable[[str], str] = str,
) -> dict[str, DateReading]:
    """How each of ``columns`` holding numbers-only dates is read (columns without any:
    nothing to decide, no entry). ``rows`` are the frame's row numbers as a person sees them;
    ``shown`` names a column as the file does."""
    evidence = {
        column: parsing.date_order_evidence(frame[column]) for column in columns if column in frame
    }
    settled = {column: e for column, e in evidence.items() if e.order is not None}
    file_orders = {e.order for e in settled.values()}
    readings = {}
    for column, found in evidence.items():
        if not found.numeric:
            continue
        if found.order is not None:
            value, position = found.day_first or found.month_first  # type: ignore[misc]
            readings[column] = DateReading(
                file, shown(column), found.order, BY_VALUE, str(value), int(rows[position])
            )
        elif found.day_first is not None and found.month_first is not None:
            readings[column] = DateReading(
                file,
                shown(column),
                default,
                MIXED,
                str(found.day_first[0]),
                int(rows[found.day_first[1]]),
                other_example=str(found.month_first[0]),
                other_row=int(rows[found.month_first[1]]),
            )
            if default == parsing.MONTH_FIRST:
                readings[column] = _swap_examples(readings[column])
        elif len(file_orders) == 1:
            source, evidence_found = next(iter(settled.items()))
            value, position = evidence_found.day_first or evidence_found.month_first  # type: ignore[misc]
            readings[column] = DateReading(
                file,
                shown(column),
                evidence_found.order or default,
                BY_FILE,
                str(value),
                int(rows[position]),
                evidence_column=shown(source),
            )
        else:
            readings[column] = DateReading(file, shown(column), default, BY_SETTING)
    return readings


def _swap_examples(reading: DateReading) -> DateReading:
    # A mixed column names the value read as its order first, the refused one second.
    return DateReading(
        reading.file,
        reading.column,
        reading.order,
        reading.basis,
        reading.other_example,
        reading.other_row,
        other_example=reading.example,
        other_row=reading.example_row,
    )


def extract_day(programme: Programme | None) -> tuple[pd.Timestamp, str]:
    """The day the export was taken (programme.yml ``extract_date``; else today), and how
    messages name it."""
    if programme is not None and programme.extract_date:
        try:
            day = parsing.parse_date(programme.extract_date)
        except ValueError:
            day = None
        if day is not None:
            return pd.Timestamp(day), f"the extract date in {PROGRAMME_FILE} ({day:%d/%m/%Y})"
    return pd.Timestamp(dt.date.today()), "today (set extract_date in programme.yml)"


AddProblem = Callable[..., None]


def check_dates(
    frame: pd.DataFrame,
    raw: Mapping[str, pd.Series],
    readings: Mapping[str, DateReading],
    programme: Programme | None,
    add: AddProblem,
) -> None:
    """Sanity checks on parsed dates, each a warning on the rows it finds (kept):
    an allocated date far from its audit month, a completion before allocation, and
    any allocated or completed date after the extract date.

    ``raw`` holds the date columns as written (values are shown as the file has them);
    ``add(positions, column, values, reason, severity)`` records problems.
    """
    allocated = frame[schema.ALLOCATED_DATE]
    completed = frame[schema.COMPLETED_DATE]
    month = frame[schema.AUDIT_MONTH]
    # A few distinct months among many rows: convert each once.
    codes, distinct = pd.factorize(month.astype("string"))
    first_days = pd.to_datetime(pd.Series(distinct, dtype=object), format="%Y-%m", errors="coerce")
    starts = pd.Series(
        np.append(first_days.to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT"))[codes],
        index=frame.index,
    )
    ends = starts + pd.offsets.MonthEnd(0)
    slack = pd.Timedelta(days=ALLOCATION_SLACK_DAYS)
    far = ((allocated < starts - slack) | (allocated > ends + slack)).fillna(False).to_numpy()
    if far.any():
        positions = np.flatnonzero(far)
        reading = readings.get(schema.ALLOCATED_DATE)
        fits = _other_reading_fits(
            raw[schema.ALLOCATED_DATE].iloc[positions],
            starts.iloc[positions],
            ends.iloc[positions],
            slack,
            reading,
        )
        reason = (
            f"allocated more than {ALLOCATION_SLACK_DAYS} days outside its audit month: "
            "kept; check the date and the month"
        )
        hint = ""
        if reading is not None and reading.basis == BY_SETTING:
            # Only when no value settled the order can date_format change how it is read.
            other = _other(reading.order)
            hint = (
                f" — read {other} it falls in its month: if the file is {other}, "
                f"set date_format: {other} in {PROGRAMME_FILE}"
            )
        for group, why in ((positions[~fits], reason), (positions[fits], reason + hint)):
            if len(group):
                add(
                    group,
                    schema.ALLOCATED_DATE,
                    _as_written(raw, schema.ALLOCATED_DATE, group),
                    why,
                    "warning",
                )
    early = (completed < allocated).fillna(False).to_numpy()
    if early.any():
        positions = np.flatnonzero(early)
        add(
            positions,
            schema.COMPLETED_DATE,
            _as_written(raw, schema.COMPLETED_DATE, positions),
            "completed before it was allocated: kept (the judgement counts); check the dates",
            "warning",
        )
    day, named = extract_day(programme)
    for column in (schema.ALLOCATED_DATE, schema.COMPLETED_DATE):
        late = (frame[column] > day).fillna(False).to_numpy()
        if late.any():
            positions = np.flatnonzero(late)
            add(
                positions,
                column,
                _as_written(raw, column, positions),
                f"after {named}, which an export cannot hold: kept; check the date",
                "warning",
            )


def _other(order: str) -> str:
    return parsing.MONTH_FIRST if order == parsing.DAY_FIRST else parsing.DAY_FIRST


def _other_reading_fits(
    values: pd.Series,
    starts: pd.Series,
    ends: pd.Series,
    slack: pd.Timedelta,
    reading: DateReading | None,
) -> np.ndarray:
    """For each value, whether reading it the other way round puts it near its month."""
    if reading is None or reading.basis != BY_SETTING:
        return np.zeros(len(values), dtype=bool)
    other = _other(reading.order)
    read_other: dict[Any, pd.Timestamp | None] = {}  # each distinct value parsed once
    fits = []
    for value, start, end in zip(values, starts, ends, strict=True):
        if value not in read_other:
            try:
                day = parsing.parse_date(value, order=other)
            except ValueError:
                day = None
            read_other[value] = None if day is None else pd.Timestamp(day)
        day = read_other[value]
        fits.append(day is not None and start - slack <= day <= end + slack)
    return np.asarray(fits, dtype=bool)


def _as_written(raw: Mapping[str, pd.Series], column: str, positions: np.ndarray) -> list[Any]:
    values = raw[column].iloc[positions]
    return [v.strftime("%d/%m/%Y") if isinstance(v, pd.Timestamp | dt.date) else v for v in values]
