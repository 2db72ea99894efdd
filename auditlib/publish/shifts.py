"""Run the judgement-shift notebook for two periods and publish its report atomically."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from auditlib.data.pipeline import load_audit_data
from auditlib.errors import ReportError
from auditlib.paths import DEMO_DATA_DIR, NOTEBOOKS_DIR, OUTPUTS_DIR
from auditlib.publish.folders import check_out_apart_from_data
from auditlib.publish.index import write_index
from auditlib.publish.job import ReportJob, publish_report
from auditlib.publish.layout import (
    SHIFTS_DIR,
    SHIFTS_FIGURES_FILE,
    SHIFTS_NOTEBOOK,
    SHIFTS_STEM,
)
from auditlib.report.shift_report import (
    check_by,
    check_periods,
    from_data,
    output_folder_name,
    parse_period,
)


def run_shift_report(
    a: str,
    b: str,
    by: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    out_dir: str | os.PathLike[str] | None = None,
    disclosure: str | None = None,
    *,
    notebook: str | os.PathLike[str] | None = None,
    kernel_name: str = "python3",
    timeout: int | None = 600,
) -> Path:
    """Execute the judgement-shift notebook and publish its report; returns the HTML path.

    Writes ``out_dir/shifts/<A>_vs_<B>[_by-<by>]/`` (``out_dir`` defaults to
    ``outputs/``) with ``judgement-shifts.html``, the executed
    ``judgement-shifts.ipynb`` and ``shift-figures.json``. The folder appears
    whole or not at all: a failed run raises :class:`ReportError` with a plain
    message and leaves any previous report there untouched (the failed notebook
    is kept in ``shifts/_failed/<name>/``). Periods and data are checked before
    any kernel starts. ``out_dir/index.html`` (the programme overview) is rewritten to
    list it.
    """
    period_a = parse_period(a, "Period A")
    period_b = parse_period(b, "Period B")
    check_periods(period_a, period_b)
    by = check_by(by)
    data_path = Path(data_dir or DEMO_DATA_DIR).resolve()
    check_out_apart_from_data(Path(out_dir or OUTPUTS_DIR), data_path)
    # Check the data and the periods here: one plain message, no kernel needed.
    from_data(load_audit_data(data_path), period_a, period_b, by, disclosure)
    name = output_folder_name(period_a, period_b, by)
    job = ReportJob(
        notebook=Path(notebook or NOTEBOOKS_DIR / SHIFTS_NOTEBOOK).resolve(),
        params={
            "period_a": period_a.spec,
            "period_b": period_b.spec,
            "by": by or "",
            "data_dir": str(data_path),
            "disclosure": disclosure or "",
        },
        root=Path(out_dir or OUTPUTS_DIR).resolve() / SHIFTS_DIR,
        name=name,
        stem=SHIFTS_STEM,
        figures_file=SHIFTS_FIGURES_FILE,
        what=f"The shift report {name}",
        title=shift_title,
        data_dir=data_path,
    )
    html = publish_report(job, kernel_name=kernel_name, timeout=timeout)
    # The overview page lists the shift reports: bring it up to date (unless the
    # index.html there is not auditlib's: then it is left alone, and the run says so).
    try:
        write_index(job.root.parent)
    except ReportError as exc:
        print(exc, file=sys.stderr)
    return html


def shift_title(figures: Mapping[str, Any]) -> str:
    """The page title of a shift report: its title, then the organisation."""
    organisation = str(figures.get("organisation") or "").strip()
    return str(figures.get("title") or "Judgement shifts") + (
        f" – {organisation}" if organisation else ""
    )
