"""auditlib.publish.runner: one month or many, published atomically; failures located and plain.

Tests marked slow execute the fixture notebooks in real kernels; the others
replace notebook execution with a function that writes what papermill would.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from auditlib.errors import ReportError
from auditlib.publish import builds, folders, job, pdf, runner
from auditlib.publish.export import DEFAULT_ALT
from auditlib.publish.fingerprint import Fingerprint

FIXTURES = Path(__file__).parent / "fixtures"
NOTEBOOK = FIXTURES / "report_fixture.ipynb"
ISOLATION = FIXTURES / "isolation_fixture.ipynb"
DATA = FIXTURES / "report_data"


def _month_files(folder: Path) -> set[str]:
    """What a report folder holds, without auditlib's ownership marker."""
    return {p.name for p in folder.iterdir()} - {folders.OWNER_MARKER}


def _expected_files(month: str) -> set[str]:
    return {
        f"audit-highlights-{month}.html",
        f"audit-highlights-{month}.ipynb",
        "figures.json",
        "build.json",
    }


def _no_temporaries(out: Path) -> bool:
    return not [p for p in out.iterdir() if p.name.startswith((".tmp-", ".old-"))]


# ---------------------------------------------------------------- without a kernel
def _fake_execute(notebook, executed, params, *args, **kwargs):
    """Write what papermill would: an executed notebook, and figures.json from the notebook."""
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell(f"# Report {params['report_month']}"),
        new_code_cell(repr(params), outputs=[], metadata={"tags": ["injected-parameters"]}),
        new_code_cell(
            "show_markdown(...)",
            outputs=[
                new_output("display_data", data={"text/markdown": "## Headline\n\nAll well."})
            ],
        ),
    ]
    nbformat.write(nb, executed)
    figures = {
        "report_month": params["report_month"],
        "month_label": "Fake month",
        "input_hash": "fake-hash",
    }
    (Path(params["output_dir"]) / "figures.json").write_text(json.dumps(figures), encoding="utf-8")


@pytest.fixture
def fake_kernel(monkeypatch):
    monkeypatch.setattr(job, "execute_notebook", _fake_execute)


def test_run_month_publishes_the_three_files(tmp_path, fake_kernel):
    html = runner.run_month(NOTEBOOK, "2020-09", DATA, tmp_path / "out")
    assert html == tmp_path / "out" / "2020-09" / "audit-highlights-2020-09.html"
    assert _month_files(html.parent) == _expected_files("2020-09")
    assert folders.read_marker(html.parent)["files"] == sorted(_expected_files("2020-09"))
    assert "<title>Audit Highlights Report – Fake month</title>" in html.read_text(encoding="utf-8")
    assert _no_temporaries(tmp_path / "out")
    assert oct(html.parent.stat().st_mode & 0o777) == "0o755"


def test_failure_during_export_keeps_the_previous_report(tmp_path, fake_kernel, monkeypatch):
    out = tmp_path / "out"
    good = runner.run_month(NOTEBOOK, "2020-09", DATA, out)
    before = {p.name: p.read_bytes() for p in good.parent.iterdir()}

    def half_written_then_crash(executed, html_path, **kwargs):
        Path(html_path).write_text("<html><body>half a rep", encoding="utf-8")
        raise OSError("disk full")

    monkeypatch.setattr(job, "export_html", half_written_then_crash)
    with pytest.raises(ReportError) as info:
        runner.run_month(NOTEBOOK, "2020-09", DATA, out)
    message = str(info.value)
    assert "2020-09" in message and "OSError: disk full" in message
    assert "previous report" in message and "unchanged" in message
    assert {p.name: p.read_bytes() for p in good.parent.iterdir()} == before
    assert _no_temporaries(out)
    kept = out / "_failed" / "2020-09"
    assert (kept / "audit-highlights-2020-09.ipynb").is_file()
    assert "disk full" in (kept / "failure.txt").read_text(encoding="utf-8")


def test_a_later_success_clears_the_failure_record(tmp_path, fake_kernel, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setattr(
        job, "read_figures", lambda *a: (_ for _ in ()).throw(ReportError("no figures"))
    )
    with pytest.raises(ReportError):
        runner.run_month(NOTEBOOK, "2020-09", DATA, out)
    assert (out / "_failed" / "2020-09" / "failure.txt").is_file()
    monkeypatch.undo()
    monkeypatch.setattr(job, "execute_notebook", _fake_execute)
    runner.run_month(NOTEBOOK, "2020-09", DATA, out)
    assert not (out / "_failed").exists()


def test_swap_puts_the_old_folder_back_if_the_new_one_cannot_be_moved(tmp_path, monkeypatch):
    final, tmp = tmp_path / "2020-09", tmp_path / ".tmp-2020-09-1-x"
    final.mkdir()
    (final / "old.html").write_text("old", encoding="utf-8")
    folders.write_marker(final, folders.STATE_REPORT, files=["old.html"])
    tmp.mkdir()
    real_replace = os.replace

    def failing_replace(src, dst):
        if Path(src) == tmp:
            raise OSError("simulated crash while renaming")
        return real_replace(src, dst)

    monkeypatch.setattr(folders.os, "replace", failing_replace)
    with pytest.raises(OSError):
        folders.swap_into_place(tmp, final)
    assert (final / "old.html").read_text(encoding="utf-8") == "old"
    assert not list(tmp_path.glob(".old-*"))


def test_a_swap_cut_short_is_recovered_and_stale_temporaries_are_removed(tmp_path):
    dead_pid = "99999999"
    old = tmp_path / f".old-2020-09-{dead_pid}-xyz"
    old.mkdir()
    (old / "audit-highlights-2020-09.html").write_text("good", encoding="utf-8")
    folders.write_marker(old, folders.STATE_REPORT, files=["audit-highlights-2020-09.html"])
    stale = tmp_path / f".tmp-2020-09-{dead_pid}-abc"
    live = tmp_path / f".tmp-2020-10-{os.getpid()}-abc"
    stale.mkdir()
    live.mkdir()
    folders.write_marker(stale, folders.STATE_BUILDING, pid=int(dead_pid))
    folders.write_marker(live, folders.STATE_BUILDING, pid=os.getpid())
    folders.recover_interrupted_swap(tmp_path, "2020-09")
    assert (tmp_path / "2020-09" / "audit-highlights-2020-09.html").read_text(
        encoding="utf-8"
    ) == "good"
    assert folders.clean_stale_temporaries(tmp_path) == [stale]
    assert live.is_dir() and not stale.exists()


@pytest.mark.parametrize("month", ["2020-13", "2020-9", "Sept 2020", "2020-09-01"])
def test_run_month_refuses_a_bad_month(tmp_path, month):
    with pytest.raises(ReportError, match="YYYY-MM"):
        runner.run_month(NOTEBOOK, month, DATA, tmp_path)


def test_run_month_refuses_parameters_it_sets_itself_and_a_missing_notebook(tmp_path):
    with pytest.raises(ReportError, match="output_dir"):
        runner.run_month(NOTEBOOK, "2020-09", DATA, tmp_path, {"output_dir": "/elsewhere"})
    with pytest.raises(ReportError, match="does not exist"):
        runner.run_month(tmp_path / "missing.ipynb", "2020-09", DATA, tmp_path)


def test_a_notebook_that_writes_no_figures_is_a_failure(tmp_path, monkeypatch):
    def no_figures(notebook, executed, params, *args, **kwargs):
        nbformat.write(new_notebook(), executed)

    monkeypatch.setattr(job, "execute_notebook", no_figures)
    with pytest.raises(ReportError, match=r"figures\.json into output_dir"):
        runner.run_month(NOTEBOOK, "2020-09", DATA, tmp_path)
    assert not (tmp_path / "2020-09").exists()


def test_run_months_in_process_summarises_successes_and_failures(tmp_path, monkeypatch):
    def fail_in_june(notebook, executed, params, *args, **kwargs):
        if params["report_month"] == "2020-06":
            raise ReportError("The report for 2020-06 was not produced: because.")
        _fake_execute(notebook, executed, params)

    monkeypatch.setattr(job, "execute_notebook", fail_in_june)
    summary = runner.run_months(
        ["2020-07", "2020-06", "2020-07"], NOTEBOOK, DATA, tmp_path, jobs=1, progress=False
    )
    assert [r.month for r in summary.results] == ["2020-06", "2020-07"]
    assert [r.month for r in summary.failed] == ["2020-06"]
    assert summary.exit_code == 1
    text = summary.describe()
    assert text.startswith("1 of 2 report(s) produced")
    assert "because." in text
    assert (tmp_path / "index.html").is_file()


def _fingerprints(months, rows: str = "r1") -> dict[str, Fingerprint]:
    return {m: Fingerprint(m, {"audit rows": f"{rows}-{m}", "settings": "s"}) for m in months}


@pytest.fixture
def counted_kernel(monkeypatch):
    """Fake execution that records which months were actually built."""
    built: list[str] = []

    def execute(notebook, executed, params, *args, **kwargs):
        built.append(params["report_month"])
        _fake_execute(notebook, executed, params)

    monkeypatch.setattr(job, "execute_notebook", execute)
    return built


def _run(out, months, fingerprints, **kwargs):
    return runner.run_months(
        months, NOTEBOOK, DATA, out, jobs=1, progress=False, fingerprints=fingerprints, **kwargs
    )


def test_unchanged_months_are_reused_and_changed_or_corrupt_ones_rebuilt(tmp_path, counted_kernel):
    months = ["2020-07", "2020-08", "2020-09"]
    first = _run(tmp_path, months, _fingerprints(months))
    assert counted_kernel == months and {r.action for r in first.results} == {runner.BUILT}
    record = json.loads((tmp_path / "2020-08" / "build.json").read_text())
    assert record["fingerprint"]["digest"] == _fingerprints(months)["2020-08"].digest

    counted_kernel.clear()
    second = _run(tmp_path, months, _fingerprints(months))
    assert counted_kernel == []
    assert [r.action for r in second.results] == [runner.REUSED] * 3
    assert "3 of 3 report(s) produced" in second.describe()
    assert "0 built, 3 reused (inputs unchanged)" in second.describe()
    assert "reused by the last run" in (tmp_path / "index.html").read_text(encoding="utf-8")

    # August's rows changed (so September's, which reads them, did too); July's figures.json
    # was cut short. Each is rebuilt, and the summary says why.
    changed = {**_fingerprints(["2020-07"]), **_fingerprints(["2020-08", "2020-09"], "r2")}
    (tmp_path / "2020-07" / "figures.json").write_text('{"report_mon', encoding="utf-8")
    counted_kernel.clear()
    third = _run(tmp_path, months, changed)
    assert counted_kernel == months
    text = third.describe()
    assert "Built (changed: audit rows): 2020-08, 2020-09." in text
    assert "Built (its earlier figures.json is unreadable or for another month): 2020-07." in text

    counted_kernel.clear()
    forced = _run(tmp_path, months, changed, force=True)
    assert counted_kernel == months and "Built (--force): 2020-07, 2020-08, 2020-09." in (
        forced.describe()
    )


def test_a_frozen_month_survives_a_changed_export_and_force(tmp_path, counted_kernel):
    months = ["2020-08", "2020-09"]
    _run(tmp_path, months, _fingerprints(months))
    builds.freeze(tmp_path / "2020-08", "2020-08", "approved by the board")
    approved = {p.name: p.read_bytes() for p in (tmp_path / "2020-08").iterdir()}
    counted_kernel.clear()
    summary = _run(tmp_path, months, _fingerprints(months, "r2"), force=True)
    assert counted_kernel == ["2020-09"]
    assert {p.name: p.read_bytes() for p in (tmp_path / "2020-08").iterdir()} == approved
    assert [r.action for r in summary.results] == [runner.FROZEN, runner.BUILT]
    assert "1 left as frozen" in summary.describe() and summary.exit_code == 0
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "frozen since " in page and "approved by the board" in page
    # Named with --month and forced, it is rebuilt, and stays frozen.
    counted_kernel.clear()
    _run(tmp_path, ["2020-08"], _fingerprints(["2020-08"], "r2"), force=True, named=["2020-08"])
    assert counted_kernel == ["2020-08"]
    assert builds.frozen_state(tmp_path / "2020-08", "2020-08") is not None
    # Frozen in programme.yml: left alone too.
    counted_kernel.clear()
    summary = _run(
        tmp_path, ["2020-09"], _fingerprints(["2020-09"], "r3"), frozen={"2020-09": "Board"}
    )
    assert counted_kernel == [] and summary.results[0].action == runner.FROZEN


def test_summary_exit_codes():
    ok = runner.MonthResult("2020-09", True)
    bad = runner.MonthResult("2020-08", False, message="x")
    assert runner.RunSummary([ok]).exit_code == 0
    assert runner.RunSummary([ok, bad]).exit_code == 1
    assert runner.RunSummary([ok], interrupted=True).exit_code == 130


def test_a_missing_pdf_has_its_own_exit_code_and_is_said():
    ok = runner.MonthResult("2020-09", True)
    no_pdf = runner.MonthResult("2020-08", True, pdf_message="The report for 2020-08: no PDF.")
    bad = runner.MonthResult("2020-07", False, message="It failed.")
    summary = runner.RunSummary([no_pdf, ok])
    assert summary.exit_code == pdf.EXIT_PDF_MISSING == 4
    assert (
        summary.describe()
        == "2 of 2 report(s) produced in 0.0 s: 2 built, 0 reused (inputs unchanged).\n"
        "Built: 2020-08, 2020-09.\n\nThe report for 2020-08: no PDF."
    )
    assert runner.RunSummary([no_pdf, bad]).exit_code == 1  # a failed report says more


# ---------------------------------------------------------------- real kernels
@pytest.fixture(scope="module")
def produced(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    summary = runner.run_months(
        ["2020-08", "2020-06", "2020-07"],
        NOTEBOOK,
        DATA,
        out,
        {"disclosure": "internal", "fail_month": "2020-06"},
        jobs=2,
        progress=False,
    )
    return out, summary


@pytest.mark.slow
def test_run_months_produces_every_good_month_and_reports_the_bad_one(produced):
    out, summary = produced
    assert [r.month for r in summary.succeeded] == ["2020-07", "2020-08"]
    assert [r.month for r in summary.failed] == ["2020-06"]
    assert summary.exit_code == 1
    for month in ("2020-07", "2020-08"):
        assert _month_files(out / month) == _expected_files(month)
    assert not (out / "2020-06").exists()
    assert _no_temporaries(out)
    figures = json.loads((out / "2020-08" / "figures.json").read_text(encoding="utf-8"))
    assert figures["report_month"] == "2020-08" and figures["disclosure"] == "internal"
    assert figures["month"]["completed"] == sum(figures["month"]["judgements"].values())


@pytest.mark.slow
def test_failure_message_names_month_cell_and_reason_without_traceback(produced):
    out, summary = produced
    message = summary.failed[0].message
    assert message.startswith("The report for 2020-06 was not produced")
    assert re.search(
        r"stopped at cell \d+ \(section \"Judgement shifts\", first line `show_heading", message
    )
    assert "ValueError: fixture failure requested for 2020-06" in message
    assert message.endswith(
        f"The executed notebook is kept in {out / '_failed' / '2020-06'} for debugging."
    )
    assert "Traceback" not in message and "\x1b" not in message and "\n" not in message
    kept = out / "_failed" / "2020-06"
    assert (kept / "audit-highlights-2020-06.ipynb").is_file()
    assert (kept / "failure.txt").read_text(encoding="utf-8").strip() == message


@pytest.mark.slow
def test_executed_report_html_is_offline_code_free_and_accessible(produced):
    out, _ = produced
    page = (out / "2020-08" / "audit-highlights-2020-08.html").read_text(encoding="utf-8")
    body = page.split("<body", 1)[1]
    assert "<script" not in page and not re.search(r"<link\b[^>]*href=[\"']?https?:", page)
    assert "jp-InputArea" not in body and "In&nbsp;[" not in body and "Out[" not in body
    assert "SOURCE-CODE-SENTINEL" not in body and "fixture_sentinel_variable" not in body
    assert "SECRET-REMOVED-CELL" not in body and "Traceback" not in body
    executed = nbformat.read(out / "2020-08" / "audit-highlights-2020-08.ipynb", as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and f'id="cell-id={injected[0].id}"' not in page
    assert str(DATA.resolve()) not in body
    images = re.findall(r"<img\b[^>]*>", page)
    assert len(images) == 1
    assert (
        'alt="Line chart of completed audits by judgement' in images[0] and DEFAULT_ALT not in page
    )
    assert re.search(r"<h2[^>]*>Judgement shifts</h2>", page) and re.search(
        r"<h3[^>]*>Trend</h3>", page
    )
    assert re.search(r'<nav[^>]*class="report-toc"', page)
    assert "<title>Audit Highlights Report – August 2020 – Fixture Council</title>" in page
    footer = re.search(r"<footer.*?</footer>", page, re.S).group(0)
    figures = json.loads((out / "2020-08" / "figures.json").read_text(encoding="utf-8"))
    assert figures["input_hash"] in footer and "Audit &amp; Practice Standards Manager" in footer


@pytest.mark.slow
def test_index_lists_the_months_and_the_failure(produced):
    out, _ = produced
    page = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="2020-08/audit-highlights-2020-08.html">August 2020</a>' in page
    assert '<a href="2020-07/audit-highlights-2020-07.html">July 2020</a>' in page
    assert "Last run failed" in page and "_failed/2020-06/failure.txt" in page


@pytest.mark.slow
def test_a_failing_month_keeps_the_previous_good_report(produced, tmp_path):
    out, _ = produced
    shutil.copytree(out / "2020-08", tmp_path / "2020-08")
    before = {
        p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in (tmp_path / "2020-08").iterdir()
    }
    with pytest.raises(ReportError) as info:
        runner.run_month(
            NOTEBOOK, "2020-08", DATA, tmp_path, {"fail_month": "2020-08"}, prewarm=False
        )
    message = str(info.value)
    assert "2020-08" in message and "fixture failure requested" in message
    assert "The previous report in" in message and "Traceback" not in message
    after = {
        p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in (tmp_path / "2020-08").iterdir()
    }
    assert after == before
    assert (tmp_path / "_failed" / "2020-08" / "audit-highlights-2020-08.ipynb").is_file()
    assert _no_temporaries(tmp_path)


@pytest.mark.slow
def test_forked_kernels_share_no_state_between_months(tmp_path):
    months = ["2020-01", "2020-02", "2020-03"]
    summary = runner.run_months(
        months, ISOLATION, DATA, tmp_path / "forked", jobs=1, progress=False, prewarm=True
    )
    fresh = runner.run_month(ISOLATION, "2020-04", DATA, tmp_path / "fresh", prewarm=False)
    assert summary.exit_code == 0, summary.describe()
    runs = [
        json.loads((tmp_path / "forked" / m / "figures.json").read_text(encoding="utf-8"))
        for m in months
    ]
    baseline = json.loads((fresh.parent / "figures.json").read_text(encoding="utf-8"))
    assert [r["leaked"] for r in runs] == [False, False, False]
    assert {r["linewidth"] for r in runs} == {baseline["linewidth"]}
    assert {r["backend"] for r in runs} == {baseline["backend"]}
    assert len({r["pid"] for r in runs}) == 3
    assert len({r["numpy_draw"] for r in runs}) == 3
    assert {r["cwd"] for r in runs} == {str(FIXTURES.resolve())} == {baseline["cwd"]}
    # and the kernels really were forks of the zygote, not a silent fallback
    assert all("-m auditlib.publish.kernelpool" in r["cmdline"] for r in runs)
    # with one BLAS thread each (kernelpool.KERNEL_THREADS_ENV, set in the zygote before
    # numpy and scipy loaded their OpenBLAS)
    assert [r["blas_threads"] for r in runs] == [[1], [1], [1]]
    assert "-m ipykernel_launcher" in baseline["cmdline"]
    # and so has a kernel started afresh, through its environment
    assert baseline["blas_threads"] == [1]


@pytest.mark.slow
def test_a_zygote_with_threads_starts_kernels_by_fork_and_exec(tmp_path, monkeypatch):
    from auditlib.publish import kernelpool

    (tmp_path / "threaded_module.py").write_text(
        "import threading, time\nthreading.Thread(target=time.sleep, args=(3600,), daemon=True).start()\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.setattr(
        kernelpool, "DEFAULT_PRELOAD", (*kernelpool.DEFAULT_PRELOAD, "threaded_module")
    )
    kernelpool.stop()
    try:
        html = runner.run_month(ISOLATION, "2020-01", DATA, tmp_path / "out", prewarm=True)
    finally:
        kernelpool.stop()
    figures = json.loads((html.parent / "figures.json").read_text(encoding="utf-8"))
    assert "-m ipykernel_launcher" in figures["cmdline"] and not figures["leaked"]


@pytest.mark.slow
def test_ctrl_c_cancels_pending_months_and_leaves_no_half_written_folder(tmp_path):
    script = (
        "import sys\n"
        "from auditlib.publish import runner\n"
        "from auditlib.data.programme import iter_months\n"
        "months = list(iter_months('2019-01', '2020-08'))\n"
        f"runner.run_months(months, {str(NOTEBOOK)!r}, {str(DATA)!r}, {str(tmp_path)!r}, jobs=2, progress=False)\n"
    )
    # Its own process group, so that SIGINT reaches it and its workers, as Ctrl-C in a terminal does.
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # A shell running the suite in the background ignores SIGINT, and a child inherits
        # that; give the run the default disposition a terminal would.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(
        p.name[:2] in ("20",) for p in tmp_path.iterdir()
    ):
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0
    assert "Interrupted" in err
    months = [p for p in tmp_path.iterdir() if re.fullmatch(r"\d{4}-\d\d", p.name)]
    assert 1 <= len(months) < 20
    for folder in months:
        assert _month_files(folder) == _expected_files(folder.name)
    assert _no_temporaries(tmp_path)


# The real-browser checks (network, console, axe-core) live in tests/test_browser.py.


def test_months_in_flight_default_to_one_more_than_the_cpus(tmp_path, monkeypatch):
    """A month's worker idles while its kernel starts and stops: one month more than the
    CPUs keeps every CPU busy."""
    assert runner.default_jobs() == len(os.sched_getaffinity(0)) + 1
    seen: list[int] = []
    monkeypatch.setattr(
        runner, "_run_parallel", lambda months, task, jobs, bar, summary: seen.append(jobs)
    )
    monkeypatch.setattr(runner, "default_jobs", lambda: 3)
    four = ["2020-01", "2020-02", "2020-06", "2020-07"]
    runner.run_months(four, ISOLATION, DATA, tmp_path / "a", progress=False, prewarm=False)
    runner.run_months(four[:2], ISOLATION, DATA, tmp_path / "b", progress=False, prewarm=False)
    runner.run_months(four, ISOLATION, DATA, tmp_path / "c", jobs=2, progress=False, prewarm=False)
    assert seen == [3, 2, 2]  # the default, at most the months to build, or as asked
