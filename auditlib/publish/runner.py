"""Run the monthly notebook for one month or many, and publish each report atomically.

For a month ``YYYY-MM`` the runner executes the notebook with papermill into a
temporary folder beside ``out_dir/YYYY-MM/``, exports the HTML report, and
only then swaps the folder into place; a month that fails leaves the previous
good report untouched and keeps the failed executed notebook in
``out_dir/_failed/YYYY-MM/`` for debugging.

Parameters a report notebook must declare in its ``parameters`` cell
(papermill injects them; the runner always passes the first three):

- ``report_month: str`` — the month reported, ``YYYY-MM``;
- ``data_dir: str`` — absolute path of the data folder;
- ``output_dir: str`` — absolute path of the folder the notebook writes
  ``figures.json`` into (with :func:`auditlib.publish.export.write_figures_json`);
- anything else the caller passes in ``parameters`` (e.g. ``disclosure``).

The runner reads ``organisation``, ``month_label``, ``contact`` and
``input_hash`` from ``figures.json`` for the report's title and footer.

Many months run in parallel worker processes (:func:`run_months`). Each month
gets a fresh kernel process; with ``prewarm=True`` (the default) that kernel
is forked from a per-worker process that has already imported what the
notebook imports (:mod:`auditlib.publish.kernelpool`), which removes the kernel start
and import cost from every month without sharing any state between months.
"""

from __future__ import annotations

import concurrent.futures as cf
import html
import itertools
import json
import multiprocessing
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from auditlib.errors import ReportError

MONTH_RE: Final = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
FAILED_DIR: Final = "_failed"
FAILURE_NOTE: Final = "failure.txt"
FIGURES_FILE: Final = "figures.json"
INDEX_FILE: Final = "index.html"
#: Parameters the runner sets itself; a caller cannot override them.
RUNNER_PARAMETERS: Final = ("report_month", "data_dir", "output_dir")
_TMP_PREFIX: Final = ".tmp-"
_OLD_PREFIX: Final = ".old-"


def report_stem(month: str) -> str:
    """The file name (without suffix) of a month's report: ``audit-highlights-YYYY-MM``."""
    return f"audit-highlights-{month}"


# ---------------------------------------------------------------- one month
def run_month(
    notebook: str | os.PathLike[str],
    month: str,
    data_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    parameters: Mapping[str, Any] | None = None,
    kernel_name: str = "python3",
    *,
    timeout: int | None = 600,
    prewarm: bool = False,
) -> Path:
    """Execute ``notebook`` for ``month`` and publish ``out_dir/YYYY-MM/`` atomically.

    Writes ``audit-highlights-YYYY-MM.html``, the executed ``.ipynb`` and
    ``figures.json``, and returns the HTML path. On any failure raises
    :class:`ReportError` with a plain one-paragraph message (month, cell, reason)
    and leaves the previous ``out_dir/YYYY-MM/`` as it was. ``timeout`` is per
    cell, in seconds. ``prewarm`` forks the kernel from a pre-imported process
    (see :mod:`auditlib.publish.kernelpool`).
    """
    _check_month(month)
    notebook_path = Path(notebook).resolve()
    if not notebook_path.is_file():
        raise ReportError(
            f"The report for {month} was not produced: notebook {notebook_path} does not exist."
        )
    data_path = Path(data_dir).resolve()
    out_root = Path(out_dir).resolve()
    clashing = sorted(set(parameters or {}) & set(RUNNER_PARAMETERS))
    if clashing:
        raise ReportError(
            f"The runner sets {', '.join(clashing)} itself; do not pass it in parameters."
        )
    _make_out_dir(out_root)
    _recover_interrupted_swap(out_root, month)
    final = out_root / month
    tmp = Path(tempfile.mkdtemp(prefix=f"{_TMP_PREFIX}{month}-{os.getpid()}-", dir=out_root))
    stem = report_stem(month)
    executed = tmp / f"{stem}.ipynb"
    params = {
        "report_month": month,
        "data_dir": str(data_path),
        "output_dir": str(tmp),
        **dict(parameters or {}),
    }
    try:
        _execute(notebook_path, executed, params, kernel_name, timeout, prewarm, month, final)
        figures = _read_figures(tmp / FIGURES_FILE, month, notebook_path)
        _export(executed, tmp / f"{stem}.html", figures, month, final)
        swap_into_place(tmp, final)
    except ReportError as exc:
        message = str(exc) + _kept_note(out_root, month, executed)
        _keep_failed(out_root, month, tmp, executed, message)
        raise ReportError(message) from None
    except Exception as exc:  # a crash we did not foresee still gets a plain, located message
        reason = " ".join(str(exc).split()) or "no message"
        message = (
            f"The report for {month} was not produced: {type(exc).__name__}: {reason}. "
            f"{_previous_note(final)}{_kept_note(out_root, month, executed)}"
        )
        _keep_failed(out_root, month, tmp, executed, message)
        raise ReportError(message) from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _clear_failure(out_root, month)
    return final / f"{stem}.html"


def _execute(
    notebook: Path,
    executed: Path,
    params: dict[str, Any],
    kernel_name: str,
    timeout: int | None,
    prewarm: bool,
    month: str,
    final: Path,
) -> None:
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    engine_kwargs: dict[str, Any] = {
        # The kernel starts in the notebook's folder, as in JupyterLab, without
        # papermill's cwd= (an os.chdir of the whole process).
        "resources": {"metadata": {"path": str(notebook.parent)}},
        "timeout": timeout,
    }
    from auditlib.publish import kernelpool

    engine_kwargs["kernel_manager_class"] = kernelpool.kernel_manager_class(notebook, fork=prewarm)
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    for attempt in (1, 2):
        try:
            pm.execute_notebook(
                str(notebook),
                str(executed),
                parameters=params,
                kernel_name=kernel_name,
                progress_bar=False,
                request_save_on_cell_execute=False,
                log_output=False,
                **engine_kwargs,
            )
            return
        except PapermillExecutionError as exc:
            raise ReportError(_execution_message(month, notebook, executed, exc, final)) from None
        except DeadKernelError:
            # A kernel killed from outside (e.g. out of memory on a busy machine) says
            # nothing about the report: run the month once more in a new kernel.
            if attempt == 2:
                raise ReportError(
                    f"The report for {month} was not produced: its kernel died twice while "
                    "running the notebook (is the machine out of memory?). "
                    f"{_previous_note(final)}"
                ) from None
        except CellTimeoutError:
            raise ReportError(
                f"The report for {month} was not produced: a cell of {notebook.name} ran for "
                f"longer than {timeout} s. {_previous_note(final)}"
            ) from None


def describe_failure(exc: Any, executed: Path) -> tuple[str, str]:
    """Where a papermill run stopped (the cell, by its section heading or first line) and
    why (the exception's message, plain text): never the traceback."""
    from auditlib.publish.export import _plain, describe_cell

    where = f"cell {exc.cell_index}"
    try:
        import nbformat

        nb = nbformat.read(str(executed), as_version=4)
        index = next(
            (
                i
                for i, cell in enumerate(nb.cells)
                if any(o.get("output_type") == "error" for o in cell.get("outputs", []))
            ),
            None,
        )
        if index is not None:
            where = describe_cell(nb, index)
    except Exception:  # the executed notebook is best-effort context only
        pass
    return where, _plain(exc.evalue) or "no message"


def _execution_message(month: str, notebook: Path, executed: Path, exc: Any, final: Path) -> str:
    where, reason = describe_failure(exc, executed)
    return (
        f"The report for {month} was not produced: {notebook.name} stopped at {where} "
        f"with {exc.ename}: {reason}. {_previous_note(final)}"
    )


def _read_figures(path: Path, month: str, notebook: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ReportError(
            f"The report for {month} was not produced: {notebook.name} ran but wrote no "
            f"{FIGURES_FILE} into output_dir (call auditlib.publish.export.write_figures_json(figures, output_dir))."
        )
    try:
        figures = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportError(
            f"The report for {month} was not produced: {FIGURES_FILE} is unreadable ({exc})."
        ) from None
    return figures if isinstance(figures, dict) else {}


def _export(
    executed: Path, html_path: Path, figures: Mapping[str, Any], month: str, final: Path
) -> None:
    from auditlib.publish.export import ReportFooter, export_html

    label = str(figures.get("month_label") or month)
    organisation = str(figures.get("organisation") or "").strip()
    title = f"Audit Highlights Report – {label}" + (f" – {organisation}" if organisation else "")
    footer = ReportFooter(
        input_hash=str(figures.get("input_hash") or ""),
        contact=str(figures.get("contact") or ""),
    )
    try:
        export_html(executed, html_path, title=title, footer=footer)
    except ReportError as exc:
        raise ReportError(
            f"The report for {month} was not produced: {exc} {_previous_note(final)}"
        ) from None


# ---------------------------------------------------------------- atomic publishing
def swap_into_place(tmp: Path, final: Path) -> None:
    """Make ``tmp`` the month folder; the old folder survives until the new one is in place."""
    old = final.with_name(f"{_OLD_PREFIX}{final.name}-{os.getpid()}")
    if final.exists():
        os.replace(final, old)
    try:
        os.replace(tmp, final)
    except BaseException:
        if old.exists() and not final.exists():
            os.replace(old, final)
        raise
    shutil.rmtree(old, ignore_errors=True)
    os.chmod(final, 0o755)  # mkdtemp makes it private; reports are for reading


def _recover_interrupted_swap(out_root: Path, month: str) -> None:
    """Put back a month folder whose swap was cut short between its two renames."""
    final = out_root / month
    for old in sorted(out_root.glob(f"{_OLD_PREFIX}{month}-*")):
        if _pid_alive(old.name.rsplit("-", 1)[-1]):
            continue
        if not final.exists():
            os.replace(old, final)
        else:
            shutil.rmtree(old, ignore_errors=True)


def clean_stale_temporaries(out_root: str | os.PathLike[str]) -> list[Path]:
    """Remove temporary month folders left by runs that were killed; returns what was removed."""
    removed = []
    root = Path(out_root)
    if not root.is_dir():
        return removed
    for tmp in root.glob(f"{_TMP_PREFIX}*"):
        parts = tmp.name[len(_TMP_PREFIX) :].split("-")
        pid = parts[2] if len(parts) > 2 else ""
        if tmp.is_dir() and not _pid_alive(pid):
            shutil.rmtree(tmp, ignore_errors=True)
            removed.append(tmp)
    return removed


def _pid_alive(pid: str) -> bool:
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _keep_failed(out_root: Path, month: str, tmp: Path, executed: Path, message: str) -> None:
    """Keep the failed executed notebook and the message in ``_failed/YYYY-MM/``.

    Never inside the month folder, which still holds the last good report.
    """
    failed = out_root / FAILED_DIR / month
    try:
        if failed.exists():
            shutil.rmtree(failed)
        failed.mkdir(parents=True)
        if executed.is_file():
            shutil.copy2(executed, failed / executed.name)
        if (tmp / FIGURES_FILE).is_file():
            shutil.copy2(tmp / FIGURES_FILE, failed / FIGURES_FILE)
        (failed / FAILURE_NOTE).write_text(message + "\n", encoding="utf-8")
    except OSError:
        pass


def _clear_failure(out_root: Path, month: str) -> None:
    shutil.rmtree(out_root / FAILED_DIR / month, ignore_errors=True)
    failed_root = out_root / FAILED_DIR
    if failed_root.is_dir() and not any(failed_root.iterdir()):
        failed_root.rmdir()


def _kept_note(out_root: Path, month: str, executed: Path) -> str:
    if not executed.is_file():
        return ""
    return f" The executed notebook is kept in {out_root / FAILED_DIR / month} for debugging."


def _previous_note(final: Path) -> str:
    stem = report_stem(final.name)
    if (final / f"{stem}.html").is_file():
        return f"The previous report in {final} is unchanged."
    return f"No earlier report for {final.name} exists in {final.parent}."


def _make_out_dir(out_root: Path) -> None:
    """Create the output folder, or say plainly why it cannot be."""
    try:
        out_root.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ReportError(f"The output folder {out_root} is a file, not a folder.") from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ReportError(f"The output folder {out_root} cannot be created: {reason}.") from None


def _check_month(month: str) -> None:
    if not isinstance(month, str) or not MONTH_RE.match(month):
        raise ReportError(f"{month!r} is not a month: write it as YYYY-MM, e.g. 2020-09.")


# ---------------------------------------------------------------- many months
@dataclass(frozen=True)
class MonthResult:
    """The outcome of one month: the report path, or the plain failure message."""

    month: str
    ok: bool
    html: Path | None = None
    message: str = ""
    seconds: float = 0.0


@dataclass
class RunSummary:
    """Every month's outcome, in month order, and the wall time of the run."""

    results: list[MonthResult] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def succeeded(self) -> list[MonthResult]:
        return [r for r in self.results if r.ok]

    @property
    def failed(self) -> list[MonthResult]:
        return [r for r in self.results if not r.ok]

    @property
    def exit_code(self) -> int:
        """0 when every month was produced, 1 otherwise (130 when interrupted)."""
        if self.interrupted:
            return 130
        return 1 if self.failed else 0

    def describe(self) -> str:
        """A plain summary: counts, then each failure's message on its own paragraph."""
        lines = [
            f"{len(self.succeeded)} of {len(self.results)} report(s) produced in {self.seconds:.1f} s."
        ]
        lines += [f"\n{r.message}" for r in self.failed]
        return "\n".join(lines)


def run_months(
    months: Sequence[str],
    notebook: str | os.PathLike[str],
    data_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    parameters: Mapping[str, Any] | None = None,
    kernel_name: str = "python3",
    *,
    jobs: int | None = None,
    prewarm: bool = True,
    progress: bool = True,
    timeout: int | None = 600,
    index: bool = True,
) -> RunSummary:
    """Produce the report of every month in ``months``, ``jobs`` at a time, with a progress bar.

    Each month is independent: a failure is recorded (``_failed/YYYY-MM/``) and the
    others go on. ``jobs`` defaults to the number of CPUs (at most the number of
    months). Ctrl-C cancels the months not yet started, lets running ones finish
    or fail atomically, and raises :class:`KeyboardInterrupt`. Writes
    ``out_dir/index.html`` at the end unless ``index=False``.
    """
    months = list(dict.fromkeys(months))
    for month in months:
        _check_month(month)
    out_root = Path(out_dir).resolve()
    _make_out_dir(out_root)
    clean_stale_temporaries(out_root)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(months) or 1))
    task = {
        "notebook": str(Path(notebook).resolve()),
        "data_dir": str(Path(data_dir).resolve()),
        "out_dir": str(out_root),
        "parameters": dict(parameters or {}),
        "kernel_name": kernel_name,
        "timeout": timeout,
        "prewarm": prewarm,
    }
    started = time.perf_counter()
    summary = RunSummary()
    bar = _progress_bar(len(months), progress)
    try:
        if jobs == 1:
            for month in months:
                result = _run_one(month, task)
                _note(bar, summary, result)
        else:
            _run_parallel(months, task, jobs, bar, summary)
    except KeyboardInterrupt:
        summary.interrupted = True
        raise
    finally:
        bar.close()
        summary.results.sort(key=lambda r: r.month)
        summary.seconds = time.perf_counter() - started
        if index and summary.results:
            write_index(out_root)
    return summary


def _run_parallel(
    months: list[str], task: dict[str, Any], jobs: int, bar: Any, summary: RunSummary
) -> None:
    _warm_up_parent()
    with cf.ProcessPoolExecutor(
        max_workers=jobs, mp_context=_mp_context(), initializer=_init_worker
    ) as pool:
        # Keep only ``jobs`` months in flight (the pool would otherwise queue them all),
        # so Ctrl-C has only running months to wait for.
        waiting = iter(months)
        futures: dict[cf.Future, str] = {}
        for month in itertools.islice(waiting, jobs):
            futures[pool.submit(_run_one, month, task)] = month
        try:
            while futures:
                done, _ = cf.wait(futures, return_when=cf.FIRST_COMPLETED)
                for future in done:
                    futures.pop(future)
                    _note(bar, summary, future.result())
                    following = next(waiting, None)
                    if following is not None:
                        futures[pool.submit(_run_one, following, task)] = following
        except KeyboardInterrupt:
            running = sum(1 for f in futures if not f.done())
            print(
                f"\nInterrupted: no further months started; waiting for {running} running month(s) "
                "to finish or fail cleanly.",
                file=sys.stderr,
            )
            pool.shutdown(wait=True, cancel_futures=True)
            for future in futures:
                if future.done() and not future.cancelled() and future.exception() is None:
                    _note(bar, summary, future.result())
            raise


def _run_one(month: str, task: Mapping[str, Any]) -> MonthResult:
    """One month in a worker: never raises for a report problem, returns its message instead."""
    started = time.perf_counter()
    out_root = Path(task["out_dir"])
    try:
        html_path = run_month(
            task["notebook"],
            month,
            task["data_dir"],
            out_root,
            task["parameters"],
            task["kernel_name"],
            timeout=task["timeout"],
            prewarm=task["prewarm"],
        )
    except ReportError as exc:
        return MonthResult(month, False, message=str(exc), seconds=time.perf_counter() - started)
    return MonthResult(month, True, html=html_path, seconds=time.perf_counter() - started)


def _note(bar: Any, summary: RunSummary, result: MonthResult) -> None:
    summary.results.append(result)
    bar.update(1)
    if not result.ok:
        bar.set_postfix_str(f"{len(summary.failed)} failed", refresh=True)


def _progress_bar(total: int, enabled: bool) -> Any:
    from tqdm.auto import tqdm

    # No monitor thread: the pool forks after this, and forking with threads is unsafe.
    tqdm.monitor_interval = 0
    return tqdm(
        total=total, unit="month", desc="Reports", disable=not enabled or None, file=sys.stderr
    )


def _warm_up_parent() -> None:
    """Import papermill and build the exporter once, so forked workers inherit them."""
    import papermill  # noqa: F401

    from auditlib.publish.export import warm_up

    warm_up()


def _mp_context() -> multiprocessing.context.BaseContext:
    # fork shares the warmed-up imports for free; it is only safe with no other threads.
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _init_worker() -> None:
    # Ctrl-C is the parent's to handle: a worker finishes (or fails) its month atomically.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# ---------------------------------------------------------------- index page
def write_index(
    out_root: str | os.PathLike[str], *, title: str = "Audit Highlights Reports"
) -> Path:
    """Write ``out_root/index.html`` listing every month folder's report (and failed runs).

    Offline and accessible like the reports: one table with a caption, scoped
    headers, relative links, and no script or web resource.
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
        rows.append(
            {
                "month": month,
                "label": label,
                "link": f"{month}/{report.name}" if report.is_file() else "",
                "generated": generated,
                "status": status,
                "ok": "1" if report.is_file() and not note.is_file() else "",
            }
        )
    page = _index_html(rows, title=title, organisation=organisation)
    from auditlib.publish.export import _write_text_atomically, check_offline

    check_offline(page)
    return _write_text_atomically(root / INDEX_FILE, page)


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


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` inclusive.

    >>> months_between("2019-11", "2020-02")
    ['2019-11', '2019-12', '2020-01', '2020-02']
    """
    _check_month(first)
    _check_month(last)
    year, month = int(first[:4]), int(first[5:])
    out = []
    while (year, month) <= (int(last[:4]), int(last[5:])):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def iter_failures(summary: RunSummary) -> Iterable[str]:
    """Each failed month's plain message, for a CLI to print."""
    return (r.message for r in summary.failed)
