"""Publishing one report: execute its notebook, export the HTML, swap the folder in.

Both reports (the monthly Audit Highlights Report and the judgement-shift report) are
published the same way, by :func:`publish_report` with a :class:`ReportJob` that says
which notebook, which parameters, and where the report goes:

1. the notebook runs into a temporary folder beside the report's final place, and
   writes its figures file there (``figures.json`` or ``shift-figures.json``);
2. the HTML is exported from the executed notebook, titled from those figures (and,
   when asked, printed to a PDF beside it, so the folder is whole when it appears);
3. the temporary folder replaces the report folder in one rename.

A run that fails raises :class:`ReportError` with a plain message (which report, which
cell, why), keeps the failed notebook in ``_failed/<name>/`` and leaves the previous
report untouched.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditlib.errors import ReportError
from auditlib.publish.execute import execute_notebook
from auditlib.publish.export import ReportFooter, export_html
from auditlib.publish.folders import (
    check_out_apart_from_data,
    check_replaceable,
    clear_failure,
    keep_failed,
    make_out_dir,
    make_temporary,
    recover_interrupted_swap,
    swap_into_place,
)
from auditlib.publish.pdf import PdfError, write_pdf


@dataclass(frozen=True)
class ReportJob:
    """One report to publish in ``root/name/``: ``stem.html``, ``stem.ipynb`` and the figures."""

    notebook: Path
    #: Parameters for the notebook; ``output_dir`` (the temporary folder) is added.
    params: Mapping[str, Any]
    root: Path
    name: str
    stem: str
    figures_file: str
    #: How messages name the report: "The report for 2020-09".
    what: str
    #: The page title from the report's figures.
    title: Callable[[Mapping[str, Any]], str]
    #: The data folder the report reads: the output folder must be apart from it.
    data_dir: Path | None = None
    #: Also print the HTML to ``stem.pdf`` (A4, for a board pack) before the swap.
    pdf: bool = False
    #: Called with the temporary folder once the report is complete in it, just before
    #: it is swapped into place (e.g. to add the build record that goes with it).
    before_swap: Callable[[Path], None] | None = None

    @property
    def final(self) -> Path:
        return self.root / self.name

    def previous_note(self) -> str:
        html = self.final / f"{self.stem}.html"
        if html.is_file():
            return f"The previous report in {self.final} is unchanged."
        return f"No earlier report for {self.name} exists in {self.root}."


def publish_report(
    job: ReportJob,
    *,
    kernel_name: str = "python3",
    timeout: int | None = 600,
    prewarm: bool = False,
    kernel_env: dict[str, str] | None = None,
) -> Path:
    """Run ``job`` and publish its folder atomically; returns the HTML path.

    With ``job.pdf``, a PDF that cannot be made does not stop the report: the folder is
    published with its HTML, then :class:`PdfError` says why the PDF is missing.
    """
    if not job.notebook.is_file():
        raise ReportError(f"{job.what} was not produced: notebook {job.notebook} does not exist.")
    if job.data_dir is not None:
        check_out_apart_from_data(job.root, job.data_dir)
    make_out_dir(job.root)
    recover_interrupted_swap(job.root, job.name)
    try:
        # Before any kernel starts: a folder that is not auditlib's is never replaced.
        check_replaceable(job.final)
    except ReportError as exc:
        raise ReportError(f"{job.what} was not produced: {exc}") from None
    tmp = make_temporary(job.root, job.name)
    executed = tmp / f"{job.stem}.ipynb"
    figures_path = tmp / job.figures_file
    try:
        executed_nb = execute_notebook(
            job.notebook,
            executed,
            {**job.params, "output_dir": str(tmp)},
            what=job.what,
            previous=job.previous_note(),
            kernel_name=kernel_name,
            timeout=timeout,
            prewarm=prewarm,
            kernel_env=kernel_env,
        )
        figures = read_figures(figures_path, job)
        footer = ReportFooter(
            input_hash=str(figures.get("input_hash") or ""),
            contact=str(figures.get("contact") or ""),
        )
        try:
            # (the executed notebook as written, not read back from its file)
            export_html(
                executed_nb if executed_nb is not None else executed,
                tmp / f"{job.stem}.html",
                title=job.title(figures),
                footer=footer,
            )
        except ReportError as exc:
            raise ReportError(f"{job.what} was not produced: {exc} {job.previous_note()}") from None
        pdf_problem = ""
        if job.pdf:
            try:
                write_pdf(
                    tmp / f"{job.stem}.html", tmp / f"{job.stem}.pdf", title=job.title(figures)
                )
            except PdfError as exc:
                pdf_problem = str(exc)
        if job.before_swap is not None:
            job.before_swap(tmp)
        swap_into_place(tmp, job.final)
    except ReportError as exc:
        message = str(exc)
        if not message.startswith(job.what):
            message = f"{job.what} was not produced: {message} {job.previous_note()}"
        message += keep_failed(job.root, job.name, [executed, figures_path], message)
        raise ReportError(message) from None
    except Exception as exc:  # a crash we did not foresee still gets a plain, located message
        reason = " ".join(str(exc).split()) or "no message"
        message = (
            f"{job.what} was not produced: {type(exc).__name__}: {reason}. {job.previous_note()}"
        )
        message += keep_failed(job.root, job.name, [executed, figures_path], message)
        raise ReportError(message) from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    clear_failure(job.root, job.name)
    html_path = job.final / f"{job.stem}.html"
    if pdf_problem:
        raise PdfError(
            f"{job.what}: the HTML report was written ({html_path}), but not its PDF: {pdf_problem}"
        )
    return html_path


def read_figures(path: Path, job: ReportJob) -> dict[str, Any]:
    if not path.is_file():
        raise ReportError(
            f"{job.what} was not produced: {job.notebook.name} ran but wrote no "
            f"{job.figures_file} into output_dir "
            "(call auditlib.publish.export.write_figures_json(figures, output_dir))."
        )
    try:
        figures = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportError(
            f"{job.what} was not produced: {job.figures_file} is unreadable ({exc})."
        ) from None
    return figures if isinstance(figures, dict) else {}
