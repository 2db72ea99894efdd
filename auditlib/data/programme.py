"""The settings of an audit programme, from a data folder's ``programme.yml``.

The file holds the programme's months, pauses, month labels, cohorts and
themes, disclosure profile, contact line, and how this council's files, column
headers, labels and dates map onto the canonical ones (docs/data-contract.md).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditlib.data import cohorts as cohort_rules
from auditlib.data import guards, parsing, schema
from auditlib.errors import ConfigError

PROGRAMME_FILE = "programme.yml"
DISCLOSURE_PROFILES = ("internal", "published")
#: How programme.yml may write ``date_format`` → the order it means.
DATE_FORMATS = {
    parsing.DAY_FIRST: parsing.DAY_FIRST,
    "dd/mm/yyyy": parsing.DAY_FIRST,
    "uk": parsing.DAY_FIRST,
    parsing.MONTH_FIRST: parsing.MONTH_FIRST,
    "mm/dd/yyyy": parsing.MONTH_FIRST,
    "us": parsing.MONTH_FIRST,
}
_MONTH = re.compile(schema.MONTH_PATTERN)


@dataclass(frozen=True)
class Pause:
    """Months with no audit round, inclusive, and why."""

    start: str
    end: str
    reason: str

    def covers(self, month: str) -> bool:
        return self.start <= month <= self.end


@dataclass(frozen=True)
class Programme:
    """Settings of one audit programme (one council's ``programme.yml``)."""

    organisation: str
    programme: str
    start_month: str
    compliance_from_month: str
    pauses: tuple[Pause, ...] = ()
    month_labels: Mapping[str, str] = field(default_factory=dict)
    themes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    disclosure: str = "internal"
    contact: str = ""
    files: Mapping[str, str] = field(default_factory=dict)
    columns: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    sheets: Mapping[str, str] = field(default_factory=dict)
    denylist: str | None = None
    extract_date: str | None = None
    #: months from which SPC limits are recalculated (a change in how audits are done)
    spc_rebase: tuple[str, ...] = ()
    #: approved months whose reports are never rebuilt (month: note, "" without one)
    frozen: Mapping[str, str] = field(default_factory=dict)
    source: Path | None = None
    #: ``files:`` and ``denylist:`` may name files outside the data folder (off by default)
    allow_files_outside_data_folder: bool = False
    #: how numbers-only dates are read when no value in a file settles it (day-first: UK)
    date_format: str = parsing.DAY_FIRST
    #: practice-theme cohorts by key: programme.yml's ``cohorts:``, else the seed's six
    cohorts: Mapping[str, cohort_rules.Cohort] = field(
        default_factory=lambda: dict(cohort_rules.DEFAULT_COHORTS)
    )
    #: True when programme.yml defines the cohorts (then the columns they read are expected)
    cohorts_defined: bool = False

    def pause_for(self, month: str) -> Pause | None:
        """The pause covering ``month``, if any."""
        return next((p for p in self.pauses if p.covers(month)), None)

    def label_for(self, month: str) -> str:
        """How the report names ``month`` ("July/August 2019", or "September 2020").

        >>> Programme("O", "P", "2018-11", "2018-12", month_labels={"2019-07": "July/August 2019"}).label_for("2019-07")
        'July/August 2019'
        """
        if month in self.month_labels:
            return self.month_labels[month]
        return format_month(month)

    def months_until(self, last: str) -> list[str]:
        """Every calendar month from the programme start to ``last``, inclusive."""
        return list(iter_months(self.start_month, last))


def format_month(month: str) -> str:
    """``2020-09`` → ``September 2020``.

    >>> format_month("2020-09")
    'September 2020'
    """
    names = schema.MONTH_NAMES
    year, mon = month.split("-")
    return f"{names[int(mon) - 1]} {year}"


def iter_months(first: str, last: str) -> Iterator[str]:
    """Calendar months from ``first`` to ``last`` inclusive, as ``YYYY-MM``.

    >>> list(iter_months("2019-11", "2020-02"))
    ['2019-11', '2019-12', '2020-01', '2020-02']
    """
    year, month = (int(x) for x in first.split("-"))
    while f"{year:04d}-{month:02d}" <= last:
        yield f"{year:04d}-{month:02d}"
        month += 1
        if month == 13:
            year, month = year + 1, 1


def previous_month(month: str) -> str:
    """The calendar month before ``month``.

    >>> previous_month("2020-01")
    '2019-12'
    """
    year, mon = (int(x) for x in month.split("-"))
    return f"{year - 1:04d}-12" if mon == 1 else f"{year:04d}-{mon - 1:02d}"


def check_month(value: Any, what: str) -> str:
    """``value`` as ``YYYY-MM`` or a :class:`ConfigError` that says what was wrong."""
    text = str(value).strip()
    if not _MONTH.match(text):
        raise ConfigError(f"{what}: {value!r} is not a month (expected YYYY-MM, e.g. 2020-09)")
    return text


def load_programme(data_dir: str | Path) -> Programme:
    """Read and check ``programme.yml`` in ``data_dir``.

    Raises :class:`ConfigError` with a plain message when the folder or file is
    missing, unreadable, not YAML, or a required key is missing or malformed.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise ConfigError(f"data folder {str(data_dir)!r} does not exist")
    path = data_dir / PROGRAMME_FILE
    if not os.path.lexists(path):
        raise ConfigError(
            f"{path}: no {PROGRAMME_FILE} in the data folder — every data folder needs one "
            "(copy data/demo/programme.yml and edit it)"
        )
    try:
        raw = guards.load_yaml_file(path)
    except guards.SettingsFileError as exc:
        raise ConfigError(str(exc)) from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: must be a mapping of settings (key: value), got {raw!r}")
    return programme_from_dict(raw, source=path)


def programme_from_dict(raw: Mapping[str, Any], source: Path | None = None) -> Programme:
    """Build a :class:`Programme` from parsed YAML, checking each key."""
    where = str(source) if source else PROGRAMME_FILE

    def need(key: str) -> Any:
        if raw.get(key) in (None, ""):
            raise ConfigError(f"{where}: required setting {key!r} is missing")
        return raw[key]

    def mapping(key: str) -> dict:
        value = raw.get(key) or {}
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: {key!r} must be a mapping (key: value)")
        return value

    extract = raw.get("extract_date")

    def sane(month: str, what: str) -> str:
        problem = guards.month_out_of_range(month, str(extract) if extract else None)
        if problem:
            raise ConfigError(f"{where}: {what}: {month} {problem}")
        return month

    start = sane(check_month(need("start_month"), f"{where}: start_month"), "start_month")
    compliance_from = sane(
        check_month(raw.get("compliance_from_month", start), f"{where}: compliance_from_month"),
        "compliance_from_month",
    )
    pauses = []
    for i, item in enumerate(raw.get("pauses") or [], start=1):
        if not isinstance(item, dict) or "from" not in item:
            raise ConfigError(f"{where}: pause {i} needs 'from' (and 'to', 'reason')")
        first = sane(check_month(item["from"], f"{where}: pause {i} 'from'"), f"pause {i}")
        last = sane(
            check_month(item.get("to", item["from"]), f"{where}: pause {i} 'to'"), f"pause {i}"
        )
        if last < first:
            raise ConfigError(f"{where}: pause {i} ends ({last}) before it starts ({first})")
        pauses.append(Pause(first, last, str(item.get("reason", "")).strip()))
    month_labels = {
        check_month(k, f"{where}: month_labels"): str(v) for k, v in mapping("month_labels").items()
    }
    columns = {str(k): str(v) for k, v in mapping("columns").items()}
    cohorts_defined = raw.get("cohorts") is not None
    cohorts = (
        cohort_rules.cohorts_from_config(raw["cohorts"], where, columns)
        if cohorts_defined
        else dict(cohort_rules.DEFAULT_COHORTS)
    )
    themes = {}
    for month, keys in mapping("themes").items():
        month = check_month(month, f"{where}: themes")
        keys = [keys] if isinstance(keys, str) else list(keys or [])
        unknown = [str(c) for c in keys if c not in cohorts]
        if unknown:
            raise ConfigError(
                f"{where}: themes for {month}: unknown cohort {unknown[0]!r} "
                f"(cohorts: {', '.join(cohorts) or 'none'}; "
                "define a programme's own under 'cohorts:')"
            )
        themes[month] = tuple(keys)
    date_format = str(raw.get("date_format") or parsing.DAY_FIRST).strip().lower()
    if date_format not in DATE_FORMATS:
        raise ConfigError(
            f"{where}: date_format must be 'day-first' (UK: 03/04/2020 is 3 April) or "
            f"'month-first' (US: 03/04/2020 is 4 March), got {raw.get('date_format')!r}"
        )
    disclosure = str(raw.get("disclosure", "internal")).strip().lower()
    if disclosure not in DISCLOSURE_PROFILES:
        raise ConfigError(
            f"{where}: disclosure must be 'internal' or 'published', got {raw.get('disclosure')!r}"
        )
    labels = {}
    for column, table in mapping("labels").items():
        if not isinstance(table, dict):
            raise ConfigError(
                f"{where}: labels for {column!r} must be a mapping (local: canonical)"
            )
        labels[str(column)] = {str(k): v for k, v in table.items()}
    extract = raw.get("extract_date")
    if extract:
        try:
            dt.date.fromisoformat(str(extract))
        except ValueError:
            raise ConfigError(
                f"{where}: extract_date {extract!r} is not a date (expected YYYY-MM-DD, "
                "e.g. 2020-10-05: the day the export was taken)"
            ) from None
    rebase = tuple(check_month(v, f"{where}: spc_rebase") for v in (raw.get("spc_rebase") or []))
    frozen = _frozen_months(raw.get("frozen"), where)
    return Programme(
        organisation=str(need("organisation")),
        programme=str(raw.get("programme", "Case audit programme")),
        start_month=start,
        compliance_from_month=compliance_from,
        pauses=tuple(pauses),
        month_labels=month_labels,
        themes=themes,
        disclosure=disclosure,
        contact=str(raw.get("contact", "")),
        files={str(k): str(v) for k, v in mapping("files").items()},
        columns=columns,
        labels=labels,
        sheets={str(k): str(v) for k, v in mapping("sheets").items()},
        denylist=str(raw["denylist"]) if raw.get("denylist") else None,
        extract_date=str(extract) if extract else None,
        spc_rebase=rebase,
        frozen=frozen,
        source=source,
        allow_files_outside_data_folder=raw.get("allow_files_outside_data_folder") is True,
        date_format=DATE_FORMATS[date_format],
        cohorts=cohorts,
        cohorts_defined=cohorts_defined,
    )


def _frozen_months(value: Any, where: str) -> dict[str, str]:
    """``frozen:`` as a list of months, or a mapping of month to a note (who approved it).

    >>> _frozen_months(["2021-12"], "programme.yml"), _frozen_months({"2021-11": "Board, 3 Feb"}, "p")
    ({'2021-12': ''}, {'2021-11': 'Board, 3 Feb'})
    """
    if value in (None, "", []):
        return {}
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list | tuple):
        items = ((month, "") for month in value)
    else:
        items = ((value, ""),)
    return {
        check_month(month, f"{where}: frozen"): "" if note is None else str(note).strip()
        for month, note in items
    }
