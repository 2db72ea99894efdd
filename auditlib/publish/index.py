"""The index page of an output folder: the programme overview (``index.html``).

Read from what is on disk — each month's ``figures.json``, each judgement-shift report's
``shift-figures.json``, the ``_failed/`` notes and any build record — never by
re-computing a report; :mod:`auditlib.report.overview` turns that into the page. Offline and
accessible like the reports: no script and no web resource.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from auditlib.data.schema import MONTH_RE
from auditlib.publish.folders import FAILED_DIR, FAILURE_NOTE, check_page_replaceable, is_owned
from auditlib.publish.layout import (
    FIGURES_FILE,
    SHIFTS_DIR,
    SHIFTS_FIGURES_FILE,
    SHIFTS_STEM,
    report_stem,
)
from auditlib.report.overview import MonthRecord, ShiftRecord, overview_html

INDEX_FILE: Final = "index.html"
#: A report folder's build record (:mod:`auditlib.publish.builds`): its fingerprint,
#: ``built_at``, and whether the last run built or reused it; a frozen month also has
#: ``frozen.json``. Optional: without it the HTML file's time is "built".
BUILD_RECORD: Final = "build.json"


def write_index(
    out_root: str | os.PathLike[str], *, frozen: Mapping[str, str] | None = None
) -> Path:
    """Write ``out_root/index.html``: the programme overview from every report folder in it.

    Lists every month folder's report (and failed runs) and every judgement-shift report
    in ``out_root/shifts/``; the latest month's figures give the headline and trends. Each
    month says whether it is frozen (``frozen``: programme.yml's list, besides
    ``auditlib freeze``) or was built or reused by the last run (:func:`build_status`).
    """
    from auditlib import __version__
    from auditlib.publish.export import check_offline, report_css, write_text_atomically

    root = Path(out_root)
    check_page_replaceable(root / INDEX_FILE)  # a user's own index.html is left alone
    page = overview_html(
        month_records(root, frozen),
        shift_records(root / SHIFTS_DIR),
        css=report_css(),
        version=__version__,
        written=_when(time.time()),
    )
    check_offline(page)
    return write_text_atomically(root / INDEX_FILE, page)


def month_records(root: Path, frozen: Mapping[str, str] | None = None) -> list[MonthRecord]:
    """Every month with a report folder or a failed run in ``root``, newest first."""
    failed_root = root / FAILED_DIR
    months = _names(root, report=True) | _names(failed_root, report=False)
    records = []
    for month in sorted(months, reverse=True):
        folder = root / month
        report = folder / f"{report_stem(month)}.html"
        note = failed_root / month / FAILURE_NOTE
        build = read_build_record(folder)
        records.append(
            MonthRecord(
                month=month,
                figures=_load_json(folder / FIGURES_FILE) if report.is_file() else {},
                link=f"{month}/{report.name}" if report.is_file() else "",
                built=_built(report, build),
                build_note=build_status(folder, frozen) if report.is_file() else "",
                # The message itself stays in _failed/: an exception's text could quote input
                # values, and the index is a published output.
                failure_note=f"{FAILED_DIR}/{month}/{FAILURE_NOTE}" if note.is_file() else "",
                failed_at=_when(note.stat().st_mtime) if note.is_file() else "",
            )
        )
    return records


def shift_records(shifts_root: Path) -> list[ShiftRecord]:
    """Every judgement-shift report (and failed run) in ``shifts_root``, newest built first."""
    if not shifts_root.is_dir():
        return []
    failed_root = shifts_root / FAILED_DIR
    names = {
        p.name for p in shifts_root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
    }
    if failed_root.is_dir():
        names |= {p.name for p in failed_root.iterdir() if (p / FAILURE_NOTE).is_file()}
    records = []
    for name in names:
        folder = shifts_root / name
        report = folder / f"{SHIFTS_STEM}.html"
        note = failed_root / name / FAILURE_NOTE
        if not report.is_file() and not note.is_file():
            continue
        records.append(
            ShiftRecord(
                name=name,
                figures=_load_json(folder / SHIFTS_FIGURES_FILE) if report.is_file() else {},
                link=f"{SHIFTS_DIR}/{name}/{report.name}" if report.is_file() else "",
                built=_when(report.stat().st_mtime) if report.is_file() else "",
                failure_note=(
                    f"{SHIFTS_DIR}/{FAILED_DIR}/{name}/{FAILURE_NOTE}" if note.is_file() else ""
                ),
                failed_at=_when(note.stat().st_mtime) if note.is_file() else "",
            )
        )
    newest = {r.name: _mtime(shifts_root / r.name / f"{SHIFTS_STEM}.html") for r in records}
    return sorted(records, key=lambda r: (newest[r.name], r.name), reverse=True)


def read_build_record(folder: Path) -> dict[str, Any]:
    """The report folder's build record (:data:`BUILD_RECORD`), or {} when there is none."""
    return _load_json(folder / BUILD_RECORD)


def _names(folder: Path, *, report: bool) -> set[str]:
    if not folder.is_dir():
        return set()
    return {
        p.name
        for p in folder.iterdir()
        if MONTH_RE.match(p.name) and (_is_report(p) if report else (p / FAILURE_NOTE).is_file())
    }


def _is_report(folder: Path) -> bool:
    """A month folder auditlib wrote (a user's own ``2020-07/`` is not listed)."""
    return is_owned(folder) or (folder / f"{report_stem(folder.name)}.html").is_file()


def _built(report: Path, build: dict[str, Any]) -> str:
    if not report.is_file():
        return ""
    when = _parse_time(build.get("built_at"))
    return _when(when if when is not None else report.stat().st_mtime)


def build_status(folder: str | os.PathLike[str], frozen: Mapping[str, str] | None = None) -> str:
    """What a month's folder says about its report: frozen, or built or reused by the last run.

    "frozen since 3 February 2022, 10:05"; "built by the last run";
    "reused by the last run (30 November 2025, 09:12): its inputs are unchanged since it was
    built on 2 November 2025, 08:40"; "" when the folder records nothing (an older report).
    """
    from auditlib.publish import builds

    path = Path(folder)
    state = builds.frozen_state(path, path.name, frozen)
    if state is not None:
        return state.describe()
    facts = builds.read_build(path)
    if facts is None or facts.last_run_at is None:
        return ""
    when = builds.when_text(facts.last_run_at)
    if facts.last_run == "reused" and facts.built_at is not None:
        return (
            f"reused by the last run ({when}): its inputs are unchanged since it was built "
            f"on {builds.when_text(facts.built_at)}"
        )
    # The overview's "Built" column states the time already.
    return "built by the last run"


def _parse_time(value: Any) -> float | None:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _load_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _when(timestamp: float) -> str:
    moment = datetime.fromtimestamp(timestamp, UTC).astimezone()
    return f"{moment.day} {moment:%b %Y, %H:%M}"
