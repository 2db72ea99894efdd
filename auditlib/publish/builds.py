"""What a month's report folder records about how it was built, and whether it is frozen.

Every report the runner builds gets ``build.json`` beside it, written into the folder
before the folder is swapped into place (so the record and the report appear together):
the month's fingerprint (:mod:`auditlib.publish.fingerprint`), when it was built and how
long it took, and a SHA-256 of each file of the report. A later run reuses the report
only when the fingerprint still matches *and* every file is there with the bytes the
record names: a report cut short, hand-edited or half-copied is rebuilt, never reused.

A month can be *frozen* once approved (``auditlib freeze --month 2021-12``, or a
``frozen:`` list in programme.yml): ``frozen.json`` in its folder says when, and
``report --all`` (even ``--force``) then leaves the folder exactly as it is. Only a
month named with ``report --month M --force`` is rebuilt while frozen (it stays frozen).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Literal

from auditlib.publish.layout import FIGURES_FILE, TABLES_DIR, report_stem

BUILD_FILE: Final = "build.json"
FROZEN_FILE: Final = "frozen.json"
BUILD_RECORD_VERSION: Final = 1

#: What a run does with a month.
Action = Literal["build", "reuse", "frozen"]


@dataclass(frozen=True)
class BuildFacts:
    """What ``build.json`` says about a report (``None``/empty where it says nothing)."""

    month: str
    fingerprint: str
    parts: Mapping[str, str]
    built_at: datetime | None
    seconds: float | None
    files: Mapping[str, str]
    last_run: str
    last_run_at: datetime | None

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> BuildFacts:
        fingerprint = record.get("fingerprint") or {}
        return cls(
            month=str(record.get("month") or ""),
            fingerprint=str(fingerprint.get("digest") or ""),
            parts=dict(fingerprint.get("parts") or {}),
            built_at=_time(record.get("built_at")),
            seconds=record.get("seconds"),
            files=dict(record.get("files") or {}),
            last_run=str(record.get("last_run") or "built"),
            last_run_at=_time(record.get("last_run_at")) or _time(record.get("built_at")),
        )


@dataclass(frozen=True)
class FrozenFacts:
    """Why and since when a month is frozen."""

    month: str
    since: datetime | None
    note: str
    #: "the freeze command" or "programme.yml"
    by: str

    def describe(self) -> str:
        """'frozen since 3 February 2022, 10:05' (and ' — ' its note)."""
        when = f" since {when_text(self.since)}" if self.since else f" in {self.by}"
        note = f" — {self.note}" if self.note else ""
        return f"frozen{when}{note}"


@dataclass(frozen=True)
class MonthPlan:
    """What a run does with a month, and why (the reason is for people)."""

    month: str
    action: Action
    reason: str
    frozen: FrozenFacts | None = None


# ---------------------------------------------------------------- records
def report_files(month: str) -> tuple[str, ...]:
    """The files every month's report has (build.json vouches for these, and for the PDF
    when one was printed)."""
    stem = report_stem(month)
    return (f"{stem}.html", f"{stem}.ipynb", FIGURES_FILE)


def pdf_file(month: str) -> str:
    """The A4 PDF printed beside a month's report when ``report --pdf`` asks for one."""
    return f"{report_stem(month)}.pdf"


def build_record(
    month: str, fingerprint: Mapping[str, Any], folder: Path, seconds: float
) -> dict[str, Any]:
    """The record of a report just built in ``folder`` (not yet swapped into place)."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    return {
        "build_record_version": BUILD_RECORD_VERSION,
        "month": month,
        "fingerprint": dict(fingerprint),
        "built_at": now,
        "seconds": round(seconds, 2),
        "files": {
            name: _sha256(folder / name)
            for name in (*report_files(month), pdf_file(month), *_table_files(folder))
            if (folder / name).is_file()
        },
        "last_run": "built",
        "last_run_at": now,
    }


def _table_files(folder: Path) -> list[str]:
    """The report's tidy tables (``tables/<name>.csv``), as paths relative to ``folder``:
    part of the report, so a changed or missing one means it is not reused."""
    tables = folder / TABLES_DIR
    if not tables.is_dir():
        return []
    return sorted(f"{TABLES_DIR}/{path.name}" for path in tables.iterdir() if path.is_file())


def write_build_record(folder: Path, record: Mapping[str, Any]) -> Path:
    from auditlib.publish.export import write_text_atomically

    return write_text_atomically(folder / BUILD_FILE, json.dumps(record, indent=2) + "\n")


def read_build(folder: str | os.PathLike[str]) -> BuildFacts | None:
    """The facts ``build.json`` records in a month's folder; ``None`` without a readable one."""
    record = _read_json(Path(folder) / BUILD_FILE)
    return BuildFacts.from_record(record) if record else None


def note_reused(folder: Path) -> None:
    """Record in ``build.json`` that a run found the report up to date and kept it."""
    record = _read_json(folder / BUILD_FILE)
    if record:
        record["last_run"] = "reused"
        record["last_run_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        write_build_record(folder, record)


def check_files(folder: Path, month: str) -> str:
    """Why ``folder`` does not hold a whole report for ``month`` ("" when it does)."""
    if not folder.is_dir():
        return "it has no report yet"
    missing = [name for name in report_files(month) if not (folder / name).is_file()]
    if missing:
        return f"its earlier output is incomplete ({', '.join(missing)} missing)"
    figures = _read_json(folder / FIGURES_FILE)
    if figures.get("report_month") != month:
        return f"its earlier {FIGURES_FILE} is unreadable or for another month"
    return ""


def check_complete(folder: Path, month: str, record: Mapping[str, Any] | None) -> str:
    """Why the report in ``folder`` cannot be trusted as it is ("" when it can).

    Every file must be present, with the bytes ``build.json`` records for it, and
    figures.json must be a JSON object for this month.
    """
    problem = check_files(folder, month)
    if problem:
        return problem
    if not record:
        return "its earlier output has no readable build.json"
    recorded = record.get("files") or {}
    extra = set(_table_files(folder)) - set(recorded)
    if extra:
        return f"its earlier output holds {sorted(extra)[0]}, which was not built with it"
    for name in dict.fromkeys([*report_files(month), *recorded]):
        if recorded.get(name) != _sha256(folder / name):
            return f"its earlier {name} is not the one that was built (changed, cut short or gone)"
    return ""


# ---------------------------------------------------------------- planning
def plan_month(
    folder: Path,
    month: str,
    fingerprint: Mapping[str, Any] | None,
    *,
    force: bool = False,
    named: bool = False,
    frozen_in_programme: Mapping[str, str] | None = None,
    pdf: bool = False,
) -> MonthPlan:
    """Build, reuse or leave frozen: what a run does with ``month``'s report in ``folder``.

    ``fingerprint`` is :meth:`Fingerprint.as_record` (``None``: always build). ``named``:
    the month was asked for by name (``--month``), which lets ``force`` rebuild it even
    when frozen. ``pdf``: the run prints PDFs, so a report without one is built again.
    """
    frozen = frozen_state(folder, month, frozen_in_programme)
    record = _read_json(folder / BUILD_FILE)
    problem = check_complete(folder, month, record)
    if frozen is not None and not (force and named):
        if problem and not folder.is_dir():
            # Nothing approved to keep yet: build it once (it is frozen from then on).
            return MonthPlan(month, "build", "it is frozen but has no report yet", frozen)
        reason = frozen.describe()
        if problem:
            reason += f"; {problem}: rebuild it with --month {month} --force"
        elif named:
            reason += f"; report --month {month} --force rebuilds it"
        return MonthPlan(month, "frozen", reason, frozen)
    if force:
        return MonthPlan(month, "build", "--force", frozen)
    if fingerprint is None:
        return MonthPlan(month, "build", "no fingerprint to compare", frozen)
    if problem:
        return MonthPlan(month, "build", problem, frozen)
    if pdf and not (folder / pdf_file(month)).is_file():
        return MonthPlan(month, "build", "a PDF was asked for and it has none yet", frozen)
    earlier = (record or {}).get("fingerprint") or {}
    if earlier.get("digest") == fingerprint.get("digest"):
        return MonthPlan(month, "reuse", "its inputs are unchanged", frozen)
    changed = [
        name
        for name, digest in (fingerprint.get("parts") or {}).items()
        if (earlier.get("parts") or {}).get(name) != digest
    ]
    what = ", ".join(changed) if changed else "the fingerprint's make-up"
    return MonthPlan(month, "build", f"changed: {what}", frozen)


# ---------------------------------------------------------------- freezing
def frozen_state(
    folder: Path, month: str, frozen_in_programme: Mapping[str, str] | None = None
) -> FrozenFacts | None:
    """Whether (and since when) a month is frozen: by ``auditlib freeze`` or programme.yml."""
    record = _read_json(folder / FROZEN_FILE)
    if record:
        return FrozenFacts(
            month=month,
            since=_time(record.get("frozen_at")),
            note=str(record.get("note") or ""),
            by="the freeze command",
        )
    if frozen_in_programme and month in frozen_in_programme:
        return FrozenFacts(month, None, str(frozen_in_programme[month] or ""), "programme.yml")
    return None


def freeze(folder: Path, month: str, note: str = "") -> FrozenFacts:
    """Freeze the report in ``folder``: from now on no run rebuilds it unless named and forced.

    Raises ``ValueError`` (with the reason) when there is no complete report to freeze.
    """
    # A report built before build records existed can be frozen too: its files are what
    # was approved.
    problem = check_files(folder, month)
    if problem:
        raise ValueError(problem)
    now = datetime.now(UTC)
    from auditlib.publish.export import write_text_atomically

    record = {
        "month": month,
        "frozen_at": now.isoformat(timespec="seconds"),
        "note": note.strip(),
        "files": {name: _sha256(folder / name) for name in report_files(month)},
    }
    write_text_atomically(folder / FROZEN_FILE, json.dumps(record, indent=2) + "\n")
    return FrozenFacts(month, now, note.strip(), "the freeze command")


def unfreeze(folder: Path) -> bool:
    """Unfreeze a month frozen by ``auditlib freeze``; returns whether it was frozen so."""
    try:
        (folder / FROZEN_FILE).unlink()
    except FileNotFoundError:
        return False
    return True


def carry_frozen(old: Path, new: Path) -> None:
    """Keep a frozen month frozen when a forced rebuild replaces its folder."""
    source = old / FROZEN_FILE
    if source.is_file():
        record = _read_json(source)
        record["rebuilt_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        from auditlib.publish.export import write_text_atomically

        write_text_atomically(new / FROZEN_FILE, json.dumps(record, indent=2) + "\n")


# ---------------------------------------------------------------- helpers
def when_text(moment: datetime) -> str:
    """'3 February 2022, 10:05' in local time."""
    local = moment.astimezone()
    return f"{local.day} {local:%B %Y, %H:%M}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
