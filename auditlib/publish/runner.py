"""Run the monthly notebook for one month or many, and publish each report atomically.

Each month is published by :func:`auditlib.publish.job.publish_report` into
``out_dir/YYYY-MM/``; a month that fails leaves the previous good report untouched
and keeps the failed executed notebook in ``out_dir/_failed/YYYY-MM/`` for debugging.

Parameters a report notebook must declare in its ``parameters`` cell
(papermill injects them; the runner always passes the first three):

- ``report_month: str`` — the month reported, ``YYYY-MM``;
- ``data_dir: str`` — absolute path of the data folder;
- ``output_dir: str`` — absolute path of the folder the notebook writes
  ``figures.json`` into (with :func:`auditlib.publish.export.write_figures_json`);
- anything else the caller passes in ``parameters`` (e.g. ``disclosure``).

The page title and footer come from ``figures.json`` (``month_label``,
``organisation``, ``contact``, ``input_hash``).

Many months run in parallel worker processes (:func:`run_months`). Given each month's
fingerprint (:mod:`auditlib.publish.fingerprint`), a month whose report is complete and
whose fingerprint is unchanged is reused, not rebuilt, and a frozen month is left exactly
as it is (:mod:`auditlib.publish.builds`); every report built gets a ``build.json``.
Each month built gets a fresh kernel process; with ``prewarm=True`` (the default) that kernel
is forked from a per-worker process that has already imported what the
notebook imports (:mod:`auditlib.publish.kernelpool`), which removes the kernel start
and import cost from every month without sharing any state between months.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import itertools
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from auditlib.data.schema import MONTH_RE
from auditlib.errors import ReportError
from auditlib.publish import builds
from auditlib.publish.fingerprint import Fingerprint
from auditlib.publish.folders import (
    check_out_apart_from_data,
    clean_stale_temporaries,
    make_out_dir,
)
from auditlib.publish.index import write_index
from auditlib.publish.job import ReportJob, publish_report
from auditlib.publish.layout import FIGURES_FILE, report_stem
from auditlib.publish.pdf import EXIT_PDF_MISSING, PdfError

#: Parameters the runner sets itself; a caller cannot override them.
RUNNER_PARAMETERS: Final = ("report_month", "data_dir", "output_dir")
#: A notebook that imports this prepares its month with :func:`auditlib.report.monthly.prepare`,
#: which can share its sections with a section helper (:mod:`auditlib.report.sharing`).
SHARING_NOTEBOOK_MODULE: Final = "auditlib.report.monthly"


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
    fingerprint: Mapping[str, Any] | None = None,
    pdf: bool = False,
    share_sections: bool = False,
) -> Path:
    """Execute ``notebook`` for ``month`` and publish ``out_dir/YYYY-MM/`` atomically.

    Writes ``audit-highlights-YYYY-MM.html``, the executed ``.ipynb``,
    ``figures.json`` and ``build.json`` (with ``fingerprint``, the month's
    :meth:`Fingerprint.as_record`, when given), and returns the HTML path. On any
    failure raises :class:`ReportError` with a plain one-paragraph message (month,
    cell, reason) and leaves the previous ``out_dir/YYYY-MM/`` as it was. ``timeout``
    is per cell, in seconds. ``prewarm`` forks the kernel from a pre-imported process
    (see :mod:`auditlib.publish.kernelpool`). A frozen month rebuilt this way stays frozen.
    ``pdf`` also prints the report to ``audit-highlights-YYYY-MM.pdf``; a PDF that cannot
    be made raises :class:`~auditlib.publish.pdf.PdfError` after the report is published.
    ``share_sections`` (with ``prewarm``, for a CPU that would otherwise be idle) has a
    section helper build some of the report's sections beside the kernel
    (:mod:`auditlib.report.sharing`); the report is the same either way.
    """
    check_month(month)
    started = time.perf_counter()
    root = Path(out_dir).resolve()

    def record_build(folder: Path) -> None:
        seconds = time.perf_counter() - started
        builds.write_build_record(
            folder, builds.build_record(month, fingerprint or {}, folder, seconds)
        )
        builds.carry_frozen(root / month, folder)

    clashing = sorted(set(parameters or {}) & set(RUNNER_PARAMETERS))
    if clashing:
        raise ReportError(
            f"The runner sets {', '.join(clashing)} itself; do not pass it in parameters."
        )
    job = ReportJob(
        notebook=Path(notebook).resolve(),
        params={
            "report_month": month,
            "data_dir": str(Path(data_dir).resolve()),
            **dict(parameters or {}),
        },
        root=root,
        name=month,
        stem=report_stem(month),
        figures_file=FIGURES_FILE,
        what=f"The report for {month}",
        title=lambda figures: monthly_title(figures, month),
        data_dir=Path(data_dir).resolve(),
        before_swap=record_build,
        pdf=pdf,
    )
    if not (share_sections and prewarm):
        return publish_report(job, kernel_name=kernel_name, timeout=timeout, prewarm=prewarm)
    with section_helper(job.notebook, job.params) as kernel_env:
        return publish_report(
            job, kernel_name=kernel_name, timeout=timeout, prewarm=prewarm, kernel_env=kernel_env
        )


@contextlib.contextmanager
def section_helper(notebook: Path, params: Mapping[str, Any]) -> Iterator[dict[str, str]]:
    """A section helper for the month ``params`` names, beside its kernel: yields the
    environment that tells the kernel where to find it (empty when there is none), and
    stops it and removes its folder afterwards (see :mod:`auditlib.report.sharing`)."""
    from auditlib.publish import kernelpool
    from auditlib.report import sharing

    zygote = kernelpool.running()
    if zygote is None or SHARING_NOTEBOOK_MODULE not in kernelpool.notebook_imports(notebook):
        yield {}
        return
    folder = Path(tempfile.mkdtemp(prefix="auditlib-sections-"))
    connection = None
    try:
        sharing.write_spec(
            folder,
            sharing.spec(params["report_month"], params.get("data_dir"), params.get("disclosure")),
        )
        with sharing.runner_figures(folder) as store_figures:
            connection = zygote.start_section_helper(str(folder))
            # The month's figures, worked out here (while the kernels' process is still
            # importing) from the data this process read and handed over, if it did.
            data = kernelpool.handed_over(params["data_dir"])
            if connection is not None and data is not None:
                # (should that fail, the kernel works them out itself, and says why in its cell)
                with contextlib.suppress(Exception):
                    store_figures(data)
        yield {sharing.SHARE_ENV: str(folder)} if connection is not None else {}
    finally:
        if connection is not None:
            connection.close()  # the helper exits, if it has not yet
        shutil.rmtree(folder, ignore_errors=True)


def share_sections_when(to_build: int, jobs: int, cpus: int | None = None) -> bool:
    """Whether each month built gets section helpers: when the months in flight leave
    a CPU idle for each of them."""
    cpus = cpus or _cpus()
    return 0 < min(to_build, jobs) * 2 <= cpus


def monthly_title(figures: Mapping[str, Any], month: str) -> str:
    """The page title of a month's report: 'Audit Highlights Report – September 2020 – Org'."""
    label = str(figures.get("month_label") or month)
    organisation = str(figures.get("organisation") or "").strip()
    return f"Audit Highlights Report – {label}" + (f" – {organisation}" if organisation else "")


def check_month(month: str) -> None:
    if not isinstance(month, str) or not MONTH_RE.match(month):
        raise ReportError(f"{month!r} is not a month: write it as YYYY-MM, e.g. 2020-09.")


# ---------------------------------------------------------------- many months
#: What became of a month in a run.
BUILT, REUSED, FROZEN, FAILED = "built", "reused", "frozen", "failed"


@dataclass(frozen=True)
class MonthResult:
    """The outcome of one month: the report path, or the plain failure message.

    ``action`` says whether the report was built, reused (its inputs unchanged) or left
    frozen; ``reason`` says why, in words.
    """

    month: str
    ok: bool
    html: Path | None = None
    message: str = ""
    seconds: float = 0.0
    action: str = BUILT
    reason: str = ""
    #: Why the month's PDF was not made (the report itself was), when one was asked for.
    pdf_message: str = ""


@dataclass
class RunSummary:
    """Every month's outcome, in month order, and the wall time of the run."""

    results: list[MonthResult] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False
    #: What the run left undone that is not a month's failure (e.g. an index it may not replace).
    warnings: list[str] = field(default_factory=list)

    @property
    def succeeded(self) -> list[MonthResult]:
        return [r for r in self.results if r.ok]

    @property
    def failed(self) -> list[MonthResult]:
        return [r for r in self.results if not r.ok]

    def with_action(self, action: str) -> list[MonthResult]:
        """The months built, reused or left frozen (``BUILT``, ``REUSED``, ``FROZEN``)."""
        return [r for r in self.results if r.ok and r.action == action]

    @property
    def pdf_missing(self) -> list[MonthResult]:
        """Months whose report was produced but whose PDF was not."""
        return [r for r in self.results if r.ok and r.pdf_message]

    @property
    def exit_code(self) -> int:
        """0 when every month was produced, 1 otherwise (130 when interrupted); every report
        produced but a PDF missing: :data:`~auditlib.publish.pdf.EXIT_PDF_MISSING`."""
        if self.interrupted:
            return 130
        if self.failed:
            return 1
        return EXIT_PDF_MISSING if self.pdf_missing else 0

    def describe(self) -> str:
        """A plain summary: counts, which months were built (and why), reused or left frozen,
        then each failure's message on its own paragraph."""
        counts = [
            f"{len(self.with_action(BUILT))} built",
            f"{len(self.with_action(REUSED))} reused (inputs unchanged)",
        ]
        if self.with_action(FROZEN):
            counts.append(f"{len(self.with_action(FROZEN))} left as frozen")
        lines = [
            f"{len(self.succeeded)} of {len(self.results)} report(s) produced in "
            f"{self.seconds:.1f} s: {', '.join(counts)}."
        ]
        for action, title in ((BUILT, "Built"), (REUSED, "Reused"), (FROZEN, "Frozen")):
            by_reason: dict[str, list[str]] = {}
            for result in self.with_action(action):
                by_reason.setdefault(result.reason, []).append(result.month)
            for reason, months in by_reason.items():
                because = f" ({reason})" if reason else ""
                lines.append(f"{title}{because}: {_months_text(months)}.")
        lines += [f"\n{r.message}" for r in self.failed]
        lines += [f"\n{w}" for w in self.warnings]
        lines += [f"\n{r.pdf_message}" for r in self.pdf_missing]
        return "\n".join(lines)


def _months_text(months: Sequence[str]) -> str:
    """'2020-08, 2020-09', or '2018-11 … 2020-07 (16 months)' for many."""
    if len(months) <= 4:
        return ", ".join(months)
    return f"{months[0]} … {months[-1]} ({len(months)} months)"


def default_jobs() -> int:
    """Months in flight at once by default: one more than the CPUs this process may use.

    A month's worker is idle while its kernel starts and stops, and its kernel while the
    worker writes the HTML: with one month per CPU those gaps leave a CPU idle (a cold
    ``--all`` of the demo programme took 20 s with 2 months in flight on 2 CPUs, 17 s
    with 3). A month in flight costs memory (a worker and a kernel, about 400 MB), not CPU.
    """
    return _cpus() + 1


def _cpus() -> int:
    """The CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


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
    fingerprints: Mapping[str, Fingerprint] | None = None,
    force: bool = False,
    named: Sequence[str] = (),
    frozen: Mapping[str, str] | None = None,
    pdf: bool = False,
) -> RunSummary:
    """Produce the report of every month in ``months``, ``jobs`` at a time, with a progress bar.

    Each month is independent: a failure is recorded (``_failed/YYYY-MM/``) and the
    others go on. ``jobs`` defaults to :func:`default_jobs` (at most the number of
    months to build). Ctrl-C cancels the months not yet started, lets running ones
    finish or fail atomically, and raises :class:`KeyboardInterrupt`. Writes
    ``out_dir/index.html`` at the end unless ``index=False``. ``pdf`` prints each
    report to a PDF beside it (:mod:`auditlib.publish.pdf`).

    With ``fingerprints`` (from :func:`auditlib.publish.fingerprint.month_fingerprints`),
    a month whose complete report has the same fingerprint is reused; ``force`` rebuilds
    every month all the same. A frozen month (``auditlib freeze``, or ``frozen`` from
    programme.yml) is never rebuilt, unless it is in ``named`` and ``force`` is set.
    With ``pdf``, a month whose report has no PDF yet is built again to make one.
    """
    months = list(dict.fromkeys(months))
    for month in months:
        check_month(month)
    out_root = Path(out_dir).resolve()
    check_out_apart_from_data(out_root, data_dir)
    make_out_dir(out_root)
    clean_stale_temporaries(out_root)
    records = {m: f.as_record() for m, f in (fingerprints or {}).items()}
    plans = {
        month: builds.plan_month(
            out_root / month,
            month,
            records.get(month) if fingerprints is not None else None,
            force=force,
            named=month in set(named),
            frozen_in_programme=frozen,
            pdf=pdf,
        )
        for month in months
    }
    to_build = [m for m in months if plans[m].action == "build"]
    jobs = max(1, min(jobs or default_jobs(), len(to_build) or 1))
    # Fewer months than CPUs: the idle CPUs build sections beside the kernels.
    share = prewarm and share_sections_when(len(to_build), jobs)
    if to_build and prewarm:
        # One pre-imported process for every month's kernel (workers inherit it), its
        # imports running while this process gets ready.
        start_kernels(notebook, data_dir)
    else:
        stop_kernels()
    task = {
        "notebook": str(Path(notebook).resolve()),
        "data_dir": str(Path(data_dir).resolve()),
        "out_dir": str(out_root),
        "parameters": dict(parameters or {}),
        "kernel_name": kernel_name,
        "timeout": timeout,
        "prewarm": prewarm,
        "fingerprints": {m: records[m] for m in to_build if m in records},
        "reasons": {m: plans[m].reason for m in to_build},
        "pdf": pdf,
        "share_sections": share,
    }
    started = time.perf_counter()
    summary = RunSummary()
    for month in months:
        plan = plans[month]
        if plan.action == "reuse":
            builds.note_reused(out_root / month)
        if plan.action != "build":
            html = out_root / month / f"{report_stem(month)}.html"
            action = REUSED if plan.action == "reuse" else FROZEN
            summary.results.append(
                MonthResult(month, True, html, action=action, reason=plan.reason)
            )
    bar = _progress_bar(
        len(to_build), progress, len(summary.with_action(REUSED)), len(summary.with_action(FROZEN))
    )
    try:
        if jobs == 1:
            if to_build:
                # The exporter is built while the first notebook runs in its kernel.
                threading.Thread(target=_warm_up_export, name="auditlib-warm-up").start()
            for month in to_build:
                result = _run_one(month, task)
                _note(bar, summary, result)
        elif to_build:
            _run_parallel(to_build, task, jobs, bar, summary)
    except KeyboardInterrupt:
        summary.interrupted = True
        raise
    finally:
        bar.close()
        summary.results.sort(key=lambda r: r.month)
        summary.seconds = time.perf_counter() - started
        if index and summary.results:
            try:
                write_index(out_root, frozen=frozen)
            except ReportError as exc:  # reports were produced; the index is left alone
                summary.warnings.append(str(exc))
    return summary


def _run_parallel(
    months: list[str], task: dict[str, Any], jobs: int, bar: Any, summary: RunSummary
) -> None:
    _warm_up_parent()
    with cf.ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=_mp_context(),
        initializer=_init_worker,
        initargs=(os.getpid(),),
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
            fingerprint=task.get("fingerprints", {}).get(month),
            pdf=task.get("pdf", False),
            share_sections=task.get("share_sections", False),
        )
    except PdfError as exc:
        html_path = out_root / month / f"{report_stem(month)}.html"
        return MonthResult(
            month,
            True,
            html=html_path,
            pdf_message=str(exc),
            seconds=time.perf_counter() - started,
            reason=task.get("reasons", {}).get(month, ""),
        )
    except ReportError as exc:
        return MonthResult(
            month, False, message=str(exc), seconds=time.perf_counter() - started, action=FAILED
        )
    reason = task.get("reasons", {}).get(month, "")
    return MonthResult(
        month, True, html=html_path, seconds=time.perf_counter() - started, reason=reason
    )


def _note(bar: Any, summary: RunSummary, result: MonthResult) -> None:
    summary.results.append(result)
    bar.update(1)
    if not result.ok:
        bar.set_postfix_str(f"{len(summary.failed)} failed", refresh=True)


def _progress_bar(total: int, enabled: bool, reused: int = 0, frozen: int = 0) -> Any:
    """A bar over the months to build; its label counts those reused or left frozen."""
    from tqdm.auto import tqdm

    # No monitor thread: the pool forks after this, and forking with threads is unsafe.
    tqdm.monitor_interval = 0
    kept = [f"{reused} reused"] if reused else []
    kept += [f"{frozen} frozen"] if frozen else []
    label = "Building reports" + (f" ({', '.join(kept)})" if kept else "")
    return tqdm(total=total, unit="month", desc=label, disable=not enabled or None, file=sys.stderr)


def start_kernels(
    notebook: str | os.PathLike[str], data_dir: str | os.PathLike[str] | None = None
) -> None:
    """Start the pre-imported kernel process for ``notebook`` now (see
    :mod:`auditlib.publish.kernelpool`), so its imports overlap whatever comes next.

    ``report`` calls it before reading the data; :func:`run_months` uses it, or stops it
    when no month needs building. Linux only (elsewhere kernels start the ordinary way).
    """
    if sys.platform.startswith("linux"):
        from auditlib.publish import kernelpool

        kernelpool.start(Path(notebook).resolve(), data_dir)


def stop_kernels() -> None:
    from auditlib.publish import kernelpool

    kernelpool.stop()


def _warm_up_export() -> None:
    from auditlib.publish.export import warm_up

    warm_up()


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


def _init_worker(parent: int) -> None:
    # Ctrl-C is the parent's to handle: a worker finishes (or fails) its month atomically.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A parent killed outright (kill -9) cannot tell its workers: the kernel does. The
    # worker's zygote and kernels follow it the same way (see auditlib.publish.kernelpool).
    from auditlib.publish.kernelpool import die_with_parent

    die_with_parent(signal.SIGKILL, parent=parent)
