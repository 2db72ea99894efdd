"""auditlib.publish.folders: a run writes, replaces and removes only what it wrote.

Each folder case builds a small output folder holding things a user owns, runs the real
publishing job (with notebook execution replaced by a function that writes what papermill
would), and then checks every path outside the tool's own outputs byte for byte.
"""

from __future__ import annotations

import errno
import hashlib
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from auditlib.cli import main as cli_main
from auditlib.errors import ReportError
from auditlib.publish import folders, job, runner

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
NOTEBOOK = FIXTURES / "report_fixture.ipynb"
DATA = FIXTURES / "report_data"
DEMO = ROOT / "data" / "demo"


def _fake_execute(notebook, executed, params, *args, **kwargs):
    """Write what papermill would: an executed notebook, and figures.json."""
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell(f"# Report {params['report_month']}"),
        new_code_cell(
            "show_markdown(...)",
            outputs=[new_output("display_data", data={"text/markdown": "## Headline\n\nOK."})],
        ),
    ]
    nbformat.write(nb, executed)
    figures = {"report_month": params["report_month"], "input_hash": "fake"}
    (Path(params["output_dir"]) / "figures.json").write_text(json.dumps(figures), encoding="utf-8")


@pytest.fixture
def fake_kernel(monkeypatch):
    monkeypatch.setattr(job, "execute_notebook", _fake_execute)


def snapshot(root: Path) -> dict[str, str]:
    """Every path under ``root`` with a hash of its bytes ('dir' for folders)."""
    found = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        found[rel] = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def users_things(out: Path) -> dict[str, str]:
    """A user's files in an output folder: their own month folder, index page and .tmp folder."""
    (out / "2020-09").mkdir(parents=True)
    (out / "2020-09" / "my-own-file.txt").write_text("mine", encoding="utf-8")
    (out / "index.html").write_text("<html><body>My own index</body></html>", encoding="utf-8")
    (out / ".tmp-foo").mkdir()
    (out / ".tmp-foo" / "keep.txt").write_text("keep", encoding="utf-8")
    (out / ".tmp-2020-08-99999999-abc").mkdir()  # looks like auditlib's, but has no marker
    (out / ".old-2020-09-99999999-abc").mkdir()
    return snapshot(out)


# ---------------------------------------------------------------- --out and --data apart
@pytest.mark.parametrize("where", ["equal", "inside", "containing"])
def test_report_refuses_an_out_folder_overlapping_the_data(tmp_path, where, capsys):
    data = tmp_path / "D" / "2020-09"
    shutil.copytree(DEMO, data)
    out = {"equal": data, "inside": data / "out", "containing": tmp_path / "D"}[where]
    before = snapshot(tmp_path)
    code = cli_main(["report", "--month", "2020-09", "--data", str(data), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    assert "must be kept apart" in err and "Traceback" not in err
    assert snapshot(tmp_path) == before  # every input file still there, unchanged


@pytest.mark.parametrize("where", ["equal", "inside", "containing"])
def test_shifts_refuses_an_out_folder_overlapping_the_data(tmp_path, where, capsys):
    data = tmp_path / "D" / "data"
    shutil.copytree(DEMO, data)
    out = {"equal": data, "inside": data / "x", "containing": tmp_path}[where]
    before = snapshot(tmp_path)
    argv = ["shifts", "--a", "2019-10:2020-02", "--b", "2020-06:2020-09"]
    code = cli_main([*argv, "--data", str(data), "--out", str(out)])
    assert code == 1
    assert "must be kept apart" in capsys.readouterr().err
    assert snapshot(tmp_path) == before


def test_a_symlink_cannot_hide_the_overlap(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    link = tmp_path / "link"
    link.symlink_to(data)
    with pytest.raises(ReportError, match="is the data folder"):
        folders.check_out_apart_from_data(link, data)


def test_run_months_refuses_an_out_folder_containing_the_data(tmp_path, fake_kernel):
    data = tmp_path / "2020-09"
    shutil.copytree(DATA, data)
    before = snapshot(tmp_path)
    with pytest.raises(ReportError, match="contains the data folder"):
        runner.run_months(["2020-09"], NOTEBOOK, data, tmp_path, jobs=1, progress=False)
    assert snapshot(tmp_path) == before


# ---------------------------------------------------------------- a user's things survive
def test_a_users_month_folder_index_and_tmp_folders_are_left_alone(tmp_path, fake_kernel):
    out = tmp_path / "out"
    before = users_things(out)
    summary = runner.run_months(["2020-08", "2020-09"], NOTEBOOK, DATA, out, jobs=1, progress=False)
    assert [r.month for r in summary.succeeded] == ["2020-08"]
    (refused,) = summary.failed
    assert "was not written by auditlib" in refused.message and "2020-09" in refused.message
    assert any("index.html" in w and "left alone" in w for w in summary.warnings)
    assert "left alone" in summary.describe()
    after = snapshot(out)
    # Everything the user had is there, byte for byte ...
    assert {k: v for k, v in after.items() if k in before} == before
    # ... and all that is new is auditlib's own report folder.
    new = {k for k in after if k not in before}
    assert new == {
        "2020-08",
        "2020-08/.auditlib-report",
        "2020-08/build.json",
        "2020-08/audit-highlights-2020-08.html",
        "2020-08/audit-highlights-2020-08.ipynb",
        "2020-08/figures.json",
    }


def test_a_users_file_in_a_report_folder_survives_every_run(tmp_path, fake_kernel):
    out = tmp_path / "out"
    runner.run_month(NOTEBOOK, "2020-09", DATA, out)
    (out / "2020-09" / "my-notes.txt").write_text("notes", encoding="utf-8")
    (out / "2020-09" / "extra").mkdir()
    (out / "2020-09" / "extra" / "a.txt").write_text("a", encoding="utf-8")
    for _ in range(3):
        runner.run_month(NOTEBOOK, "2020-09", DATA, out)
        assert (out / "2020-09" / "my-notes.txt").read_text(encoding="utf-8") == "notes"
        assert (out / "2020-09" / "extra" / "a.txt").read_text(encoding="utf-8") == "a"
    marker = folders.read_marker(out / "2020-09")
    assert "my-notes.txt" not in marker["files"] and "figures.json" in marker["files"]
    assert not list(out.glob(".old-*")) and not list(out.glob(".tmp-*"))


def test_a_report_folder_from_before_the_marker_is_still_replaced(tmp_path, fake_kernel):
    out = tmp_path / "out"
    legacy = out / "2020-09"
    legacy.mkdir(parents=True)
    (legacy / "figures.json").write_text('{"input_hash": "abc"}', encoding="utf-8")
    (legacy / "audit-highlights-2020-09.html").write_text("old", encoding="utf-8")
    runner.run_month(NOTEBOOK, "2020-09", DATA, out)
    assert "Fake" not in (legacy / "audit-highlights-2020-09.html").read_text(encoding="utf-8")
    assert folders.read_marker(legacy) is not None


def test_a_file_or_link_where_the_report_folder_goes_is_refused(tmp_path, fake_kernel):
    out = tmp_path / "out"
    out.mkdir()
    (out / "2020-09").write_text("a file", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folders.write_marker(elsewhere, folders.STATE_REPORT)
    (out / "2020-08").symlink_to(elsewhere)
    before = snapshot(tmp_path)
    for month in ("2020-09", "2020-08"):
        with pytest.raises(ReportError, match="not a folder auditlib wrote"):
            runner.run_month(NOTEBOOK, month, DATA, out)
    assert snapshot(tmp_path) == before


def test_only_auditlibs_stale_temporaries_are_removed(tmp_path):
    foreign = tmp_path / ".tmp-2020-09-99999999-x"
    foreign.mkdir()
    ours = folders.make_temporary(tmp_path, "2020-09")
    folders.write_marker(ours, folders.STATE_BUILDING, pid=99999999)
    live = folders.make_temporary(tmp_path, "2020-10")
    assert folders.clean_stale_temporaries(tmp_path) == [ours]
    assert foreign.is_dir() and live.is_dir()


def test_a_foreign_failed_folder_is_neither_replaced_nor_removed(tmp_path, monkeypatch):
    out = tmp_path / "out"
    theirs = out / "_failed" / "2020-09"
    theirs.mkdir(parents=True)
    (theirs / "theirs.txt").write_text("theirs", encoding="utf-8")
    before = snapshot(out)

    def fails(notebook, executed, params, *args, **kwargs):
        _fake_execute(notebook, executed, params)
        raise ReportError("The report for 2020-09 was not produced: because.")

    monkeypatch.setattr(job, "execute_notebook", fails)
    with pytest.raises(ReportError, match="Nothing was kept"):
        runner.run_month(NOTEBOOK, "2020-09", DATA, out)
    folders.clear_failure(out, "2020-09")
    assert snapshot(out) == before


def test_index_html_is_replaced_only_when_auditlib_wrote_it(tmp_path, fake_kernel):
    out = tmp_path / "out"
    runner.run_months(["2020-09"], NOTEBOOK, DATA, out, jobs=1, progress=False)
    first = (out / "index.html").read_text(encoding="utf-8")
    assert folders.is_auditlib_page(out / "index.html")
    runner.run_months(["2020-08"], NOTEBOOK, DATA, out, jobs=1, progress=False)
    assert (out / "index.html").read_text(encoding="utf-8") != first  # ours: replaced


# ---------------------------------------------------------------- the swap under stress
def _swap_many(root: str, worker: int, runs: int, failures) -> None:
    root_path = Path(root)
    for run in range(runs):
        tmp = folders.make_temporary(root_path, "2020-09")
        for name in ("a.html", "b.json"):
            (tmp / name).write_text(f"{worker}-{run}", encoding="utf-8")
        try:
            folders.swap_into_place(tmp, root_path / "2020-09")
        except Exception as exc:  # recorded, so the test can show every failure
            failures.put(f"{worker}-{run}: {type(exc).__name__}: {exc}")
            shutil.rmtree(tmp, ignore_errors=True)


@pytest.mark.slow
def test_three_processes_swapping_one_month_never_fail_nor_leave_old_folders(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    context = multiprocessing.get_context("spawn")
    failures = context.Queue()
    runs = 150
    first = folders.make_temporary(out, "2020-09")
    (first / "a.html").write_text("first", encoding="utf-8")
    folders.swap_into_place(first, out / "2020-09")
    (out / "2020-09" / "users-file.txt").write_text("mine", encoding="utf-8")
    workers = [
        context.Process(target=_swap_many, args=(str(out), worker, runs, failures))
        for worker in range(3)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=300)
        assert process.exitcode == 0
    found = []
    while not failures.empty():
        found.append(failures.get())
    assert found == []
    assert sorted(p.name for p in out.iterdir()) == ["2020-09"]  # no .old-*, no .tmp-*
    final = out / "2020-09"
    # The folder is one run's whole report (both files from the same run), plus the user's file.
    assert (final / "a.html").read_text(encoding="utf-8") == (final / "b.json").read_text(
        encoding="utf-8"
    )
    assert (final / "users-file.txt").read_text(encoding="utf-8") == "mine"


# ---------------------------------------------------------------- a full disk
def test_an_empty_notebook_is_not_kept_as_if_it_were_the_notebook(tmp_path, monkeypatch):
    out = tmp_path / "out"

    def disk_full(notebook, executed, params, *args, **kwargs):
        Path(executed).write_bytes(b"")  # what a write on a full disk leaves
        raise ReportError("The report for 2020-09 was not produced: [Errno 28] No space left.")

    monkeypatch.setattr(job, "execute_notebook", disk_full)
    with pytest.raises(ReportError) as info:
        runner.run_month(NOTEBOOK, "2020-09", DATA, out)
    assert "could not be kept: it was empty" in str(info.value)
    assert "is kept in" not in str(info.value)
    kept = out / "_failed" / "2020-09"
    assert not (kept / "audit-highlights-2020-09.ipynb").exists()
    assert "could not be kept" in (kept / "failure.txt").read_text(encoding="utf-8")


def test_a_copy_cut_short_by_a_full_disk_is_dropped(tmp_path, monkeypatch):
    out = tmp_path / "out"

    def fails(notebook, executed, params, *args, **kwargs):
        _fake_execute(notebook, executed, params)
        raise ReportError("The report for 2020-09 was not produced: because.")

    def copy_fills_the_disk(source, target, *args, **kwargs):
        Path(target).write_bytes(Path(source).read_bytes()[:10])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(job, "execute_notebook", fails)
    monkeypatch.setattr(folders.shutil, "copy2", copy_fills_the_disk)
    with pytest.raises(ReportError) as info:
        runner.run_month(NOTEBOOK, "2020-09", DATA, out)
    assert "could not be kept: copying it failed" in str(info.value)
    assert not (out / "_failed" / "2020-09" / "audit-highlights-2020-09.ipynb").exists()


def test_the_whole_command_leaves_a_users_things_alone(tmp_path):
    """The real command, end to end, on a folder of a user's things (no kernel: it is refused)."""
    out = tmp_path / "out"
    before = users_things(out)
    result = subprocess.run(
        [sys.executable, "-m", "auditlib", "report", "--month", "2020-09", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert result.returncode == 1, result.stdout
    assert "was not written by auditlib" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "left alone" in result.stdout
    assert snapshot(out) == before
