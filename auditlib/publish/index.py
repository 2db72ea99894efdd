"""The index page of an output folder: every report produced, with its state.

Offline and accessible like the reports: one table with a caption, scoped headers,
relative links, and no script or web resource. Built from what is on disk (each month's
figures.json and the ``_failed/`` notes), never by re-computing a report.
"""

from __future__ import annotations

import html
import json
import os
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from auditlib.data.schema import MONTH_RE
from auditlib.publish.folders import FAILED_DIR, FAILURE_NOTE
from auditlib.publish.layout import FIGURES_FILE, report_stem

INDEX_FILE: Final = "index.html"


def write_index(
    out_root: str | os.PathLike[str],
    *,
    title: str = "Audit Highlights Reports",
    frozen: Mapping[str, str] | None = None,
) -> Path:
    """Write ``out_root/index.html`` listing every month folder's report (and failed runs).

    Offline and accessible like the reports: one table with a caption, scoped
    headers, relative links, and no script or web resource. Each month's status says
    whether it is frozen (``frozen``: programme.yml's list, besides ``auditlib freeze``)
    or was built or reused by the last run (:func:`build_status`).
    """
    root = Path(out_root)
    rows: list[dict[str, str]] = []
    months = (
        {p.name for p in root.iterdir() if p.is_dir() and MONTH_RE.match(p.name)}
        if root.is_dir()
        else set()
    )
    failed_root = root / FAILED_DIR
    failed = (
        {p.name for p in failed_root.iterdir() if MONTH_RE.match(p.name)}
        if failed_root.is_dir()
        else set()
    )
    organisation = ""
    for month in sorted(months | failed, reverse=True):
        report = root / month / f"{report_stem(month)}.html"
        figures = _load_json(root / month / FIGURES_FILE)
        organisation = organisation or str(figures.get("organisation") or "")
        label = str(figures.get("month_label") or _month_words(month))
        note = failed_root / month / FAILURE_NOTE
        generated = _when(report.stat().st_mtime) if report.is_file() else ""
        if note.is_file():
            # The message itself stays in _failed/: an exception's text could quote input
            # values, and the index is a published output.
            status = f"Last run failed ({_when(note.stat().st_mtime)}); the reason is in {FAILED_DIR}/{month}/{FAILURE_NOTE}."
            if report.is_file():
                status += " The report linked is the last good one."
        else:
            status = "Produced" if report.is_file() else "No report"
        build = build_status(root / month, frozen) if report.is_file() else ""
        if build:
            status += f"; {build}"
        rows.append(
            {
                "month": month,
                "label": label,
                "link": f"{month}/{report.name}" if report.is_file() else "",
                "generated": generated,
                "status": status,
                "build": build,
                "ok": "1" if report.is_file() and not note.is_file() else "",
            }
        )
    page = _index_html(rows, title=title, organisation=organisation)
    from auditlib.publish.export import check_offline, write_text_atomically

    check_offline(page)
    return write_text_atomically(root / INDEX_FILE, page)


def build_status(folder: str | os.PathLike[str], frozen: Mapping[str, str] | None = None) -> str:
    """What a month's folder says about its report: frozen, or built or reused by the last run.

    "frozen since 3 February 2022, 10:05"; "built by the last run (30 November 2025, 09:12)";
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
    return f"built by the last run ({when})"


def _index_html(rows: list[dict[str, str]], *, title: str, organisation: str) -> str:
    from auditlib import __version__
    from auditlib.publish.export import report_css

    esc = html.escape
    heading = f"{title} – {organisation}" if organisation else title
    body = []
    for row in rows:
        label = esc(row["label"])
        link = f'<a href="{esc(row["link"])}">{label}</a>' if row["link"] else label
        status = esc(row["status"])
        if status.startswith("Last run failed"):
            status = "<strong>Last run failed</strong>" + status[len("Last run failed") :]
        body.append(
            f'<tr><th scope="row">{link}</th><td class="nowrap">{esc(row["month"])}</td>'
            f'<td class="nowrap">{esc(row["generated"])}</td><td>{status}</td></tr>'
        )
    table = (
        '<div class="table-wrap" role="region" aria-labelledby="index-caption" tabindex="0">'
        '<table class="audit-table"><caption id="index-caption">Every report produced, newest first</caption>'
        '<thead><tr><th scope="col">Report</th><th scope="col">Month</th>'
        '<th scope="col">Generated</th><th scope="col">Status</th></tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
        if rows
        else "<p>No reports have been produced yet.</p>"
    )
    now = _when(time.time())
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{esc(heading)}</title>
<style type="text/css">
{report_css()}
.auditlib-report .nowrap, .auditlib-report th[scope="row"] {{ white-space: nowrap; }}
.auditlib-report h1 {{ font-size: 2rem; line-height: 1.2; }}
</style>
</head>
<body class="auditlib-report">
<a class="skip-link" href="#main-content">Skip to the list of reports</a>
<main id="main-content" tabindex="-1">
<div class="jp-RenderedHTMLCommon">
<h1>{esc(heading)}</h1>
<p>Each link opens a month's report. Reports open offline and contain no code.</p>
{table}
</div>
</main>
<footer class="report-footer"><p>Index written by auditlib {esc(__version__)} on {esc(now)}.</p></footer>
</body>
</html>
"""


def _load_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _month_words(month: str) -> str:
    return datetime.strptime(month, "%Y-%m").strftime("%B %Y")


def _when(timestamp: float) -> str:
    moment = datetime.fromtimestamp(timestamp, UTC).astimezone()
    return f"{moment.day} {moment:%B %Y, %H:%M}"
