"""One more month for a demo data folder, as next month's export would bring.

The monthly routine is: the new month's export arrives, ``auditlib report --all`` runs,
and only what changed is rebuilt. :func:`append_month` makes that export from a demo
folder (``auditlib demo-data`` output): it appends a month after the last one, its audits
copied from the last month's with new ids and dates a month on, with their feedback,
reflections and recommendations, and moves ``extract_date`` on a month. Every existing
line of every file is kept exactly as it was, as in a real cumulative export.

Used by the benchmark (``bench/bench_routine.py``) and the tests of reuse.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import yaml

from auditlib.data import schema
from auditlib.data.programme import PROGRAMME_FILE

_EXTRACT_RE = re.compile(r'^(extract_date:\s*"?)(\d{4}-\d{2}-\d{2})("?)', re.M)
_DATE_COLUMNS = (schema.ALLOCATED_DATE, schema.DUE_DATE, schema.COMPLETED_DATE)


def append_month(folder: str | Path) -> str:
    """Append the month after the folder's last audit month; returns that month (YYYY-MM)."""
    folder = Path(folder)
    audits = _read(folder / "audits.csv")
    last = max(row[schema.AUDIT_MONTH] for row in audits[1])
    month = _month_after(last)
    fields, rows = audits
    template = [
        r for r in rows if r[schema.AUDIT_MONTH] == last and r[schema.AUDIT_TYPE] == schema.AUDIT
    ]
    next_id = max(_number(r[schema.AUDIT_ID]) for r in rows) + 1
    next_child = max(_number(r[schema.CHILD_ID]) for r in rows) + 1
    new_ids: dict[str, str] = {}
    added = []
    for offset, row in enumerate(template):
        new = dict(row)
        new[schema.AUDIT_ID] = _renumber(row[schema.AUDIT_ID], next_id + offset)
        new[schema.CHILD_ID] = _renumber(row[schema.CHILD_ID], next_child + offset)
        new[schema.AUDIT_MONTH] = month
        for column in _DATE_COLUMNS:
            if new.get(column):
                new[column] = _a_month_on(new[column])
        new_ids[row[schema.AUDIT_ID]] = new[schema.AUDIT_ID]
        added.append(new)
    _append(folder / "audits.csv", fields, added)
    for name, key in (("feedback.csv", "feedback_id"), ("reflections.csv", None)):
        path = folder / name
        if not path.is_file():
            continue
        fields, rows = _read(path)
        copies = [r for r in rows if r[schema.AUDIT_ID] in new_ids]
        next_key = max((_number(r[key]) for r in rows), default=0) + 1 if key else 0
        more = []
        for offset, row in enumerate(copies):
            new = {**row, schema.AUDIT_ID: new_ids[row[schema.AUDIT_ID]], schema.AUDIT_MONTH: month}
            if key:
                new[key] = _renumber(row[key], next_key + offset)
            more.append(new)
        _append(path, fields, more)
    _append_recommendations(folder / "recommendations.yml", last, month)
    _move_extract_date(folder / PROGRAMME_FILE)
    return month


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _append(path: Path, fields: list[str], rows: list[dict[str, str]]) -> None:
    text = path.read_text(encoding="utf-8")
    out = io.StringIO()
    writer = csv.DictWriter(out, fields, lineterminator="\n")
    writer.writerows(rows)
    separator = "" if text.endswith("\n") else "\n"
    path.write_text(text + separator + out.getvalue(), encoding="utf-8")


def _append_recommendations(path: Path, last: str, month: str) -> None:
    if not path.is_file():
        return
    recommendations = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entry = recommendations.get(last) or recommendations.get(dt.date.fromisoformat(last + "-01"))
    if not entry:
        return
    text = path.read_text(encoding="utf-8")
    addition = yaml.safe_dump({month: entry}, sort_keys=False, allow_unicode=True, width=120)
    path.write_text(text + ("" if text.endswith("\n") else "\n") + addition, encoding="utf-8")


def _move_extract_date(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    moved = _EXTRACT_RE.sub(lambda m: m[1] + _a_month_on(m[2]) + m[3], text, count=1)
    path.write_text(moved, encoding="utf-8")


def _month_after(month: str) -> str:
    """``2020-12`` → ``2021-01``.

    >>> _month_after("2020-12")
    '2021-01'
    """
    year, mon = (int(x) for x in month.split("-"))
    return f"{year + 1:04d}-01" if mon == 12 else f"{year:04d}-{mon + 1:02d}"


def _a_month_on(day: str) -> str:
    """The same day a month later (the 28th at most, so every month has it).

    >>> _a_month_on("2020-01-31")
    '2020-02-28'
    """
    date = dt.date.fromisoformat(day[:10])
    year, month = (date.year + 1, 1) if date.month == 12 else (date.year, date.month + 1)
    return dt.date(year, month, min(date.day, 28)).isoformat()


def _number(identifier: str) -> int:
    digits = re.sub(r"\D", "", identifier or "")
    return int(digits) if digits else 0


def _renumber(identifier: str, number: int) -> str:
    """The identifier's letters with a new number of the same width: A0000001 → A0002289."""
    prefix = re.match(r"\D*", identifier)[0]
    width = len(identifier) - len(prefix)
    return f"{prefix}{number:0{width}d}"
