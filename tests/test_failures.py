"""Graceful failure: ``auditlib report`` when things go wrong, as a user runs it.

Each case runs ``python -m auditlib report …`` in a subprocess (or, to simulate a file
another program has locked — root reads anything — the CLI in-process) and checks:
a plain message naming what is wrong, a non-zero exit where it is an error, no
"Traceback" in stdout or stderr, and never a half-written report in the output folder.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from auditlib import cli
from auditlib.paths import DEMO_DATA_DIR

REPORT_FILES = {
    "audit-highlights-{m}.html",
    "audit-highlights-{m}.ipynb",
    "figures.json",
    "build.json",
    "tables",
}
PROGRAMME_YML = """\
organisation: Tiny Council
programme: One-audit programme
start_month: "2021-03"
compliance_from_month: "2021-03"
disclosure: internal
contact: Audit lead, Tiny Council
"""
AUDITS_HEADER = (
    "audit_id,child_id,audit_type,audit_month,allocated_date,due_date,completed_date,"
    "status,team,overall_judgement"
)


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    @property
    def said(self) -> str:
        return self.out + self.err


def run_cli(*args: str | Path, timeout: float = 300) -> Run:
    done = subprocess.run(
        [sys.executable, "-m", "auditlib", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    return Run(done.returncode, done.stdout, done.stderr)


def assert_plain_failure(run: Run, *words: str) -> None:
    """Non-zero, no traceback, and the message says what is wrong."""
    assert run.code == 1, run
    assert "Traceback" not in run.said, run.said
    for word in words:
        assert word in run.err, (word, run.err)


def assert_nothing_half_written(out: Path) -> None:
    """No temporary folders, and every month folder holds a whole report."""
    if not out.exists():
        return
    leftovers = [p.name for p in out.iterdir() if p.name.startswith((".tmp-", ".old-"))]
    assert not leftovers, leftovers
    for folder in out.iterdir():
        if folder.is_dir() and folder.name[:2] == "20":
            month = folder.name
            expected = {name.format(m=month) for name in REPORT_FILES} | {".auditlib-report"}
            assert {p.name for p in folder.iterdir()} == expected, month
            page = (folder / f"audit-highlights-{month}.html").read_text(encoding="utf-8")
            assert page.rstrip().endswith("</html>"), month
            json.loads((folder / "figures.json").read_text(encoding="utf-8"))


def month_folders(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.is_dir()) if out.exists() else []


def copy_demo(tmp_path: Path, name: str, *files: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for file in files:
        shutil.copy2(DEMO_DATA_DIR / file, folder / file)
    return folder


# ---------------------------------------------------------------- months
@pytest.mark.parametrize(
    ("month", "words"),
    [
        ("2030-01", ["2030-01", "no audits allocated in this month", "2018-11 to 2020-09"]),
        ("2018-10", ["2018-10", "no audits allocated in this month"]),
        ("2020-04", ["2020-04", "paused", "COVID-19 stay-at-home order", "no report"]),
        ("2020-13", ["'2020-13' is not a month", "YYYY-MM"]),
    ],
)
def test_a_month_without_a_report_is_a_plain_error(tmp_path, month, words):
    out = tmp_path / "out"
    run = run_cli("report", "--month", month, "--out", out, "--no-progress")
    assert_plain_failure(run, *words)
    assert month_folders(out) == []  # nothing written, not even an empty folder


@pytest.mark.slow
def test_a_month_with_a_single_audit_is_reported_as_too_few_to_tell(tmp_path):
    data = tmp_path / "one"
    data.mkdir()
    (data / "programme.yml").write_text(PROGRAMME_YML, encoding="utf-8")
    (data / "audits.csv").write_text(
        f"{AUDITS_HEADER}\n"
        "A1,C9000001,audit,2021-03,2021-03-01,2021-03-29,2021-03-20,completed,Team A,Good\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    run = run_cli("report", "--month", "2021-03", "--data", data, "--out", out, "--no-progress")
    assert run.code == 0, run
    assert "Traceback" not in run.said
    assert "1 of 1 report(s) produced" in run.out
    assert_nothing_half_written(out)
    page = (out / "2021-03" / "audit-highlights-2021-03.html").read_text(encoding="utf-8")
    for measure in ("% Good or better", "% Inadequate"):
        assert (
            f"{measure} in March 2021: too few audits to tell — fewer than 10 were completed."
            in page
        )
    figures = json.loads((out / "2021-03" / "figures.json").read_text(encoding="utf-8"))
    assert figures["month"]["completed"] == 1
    assert figures["month"]["judgements"]["Good"] == 1


# ---------------------------------------------------------------- the data folder
def test_a_data_folder_without_programme_yml(tmp_path):
    data = copy_demo(tmp_path, "no-programme", "audits.csv")
    out = tmp_path / "out"
    run = run_cli("report", "--month", "2020-09", "--data", data, "--out", out)
    assert_plain_failure(run, "programme.yml", "every data folder needs one")
    assert month_folders(out) == []


def test_a_data_folder_that_does_not_exist(tmp_path):
    run = run_cli("report", "--month", "2020-09", "--data", tmp_path / "nowhere")
    assert_plain_failure(run, "does not exist", "nowhere")


def test_a_folder_where_the_audits_file_should_be(tmp_path):
    data = copy_demo(tmp_path, "folder", "programme.yml", "names.txt")
    (data / "audits.csv").mkdir()
    out = tmp_path / "out"
    run = run_cli("report", "--month", "2020-09", "--data", data, "--out", out)
    assert_plain_failure(run, "audits.csv", "is a folder, not a file")
    assert month_folders(out) == []


@pytest.mark.parametrize(
    ("locked", "command", "code", "words"),
    [
        ("audits.csv", "report", 1, ["audits.csv", "permission denied", "open or locked"]),
        # Without the names to redact, the free text is left out; the rest is reported.
        (
            "names.txt",
            "validate",
            3,
            ["names.txt could not be used", "cannot be read", "permission denied"],
        ),
    ],
)
def test_a_locked_file(tmp_path, monkeypatch, capsys, locked, command, code, words):
    """Root reads any file, so the lock is simulated: reading that file is refused."""
    data = copy_demo(tmp_path, "locked", "programme.yml", "audits.csv", "names.txt")
    real_read_bytes = Path.read_bytes
    real_open = open

    def refuse(path: Path) -> bytes:
        if Path(path).name == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_read_bytes(path)

    def refuse_open(file, *args, **kwargs):
        if isinstance(file, str | os.PathLike) and Path(file).name == locked:
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    monkeypatch.setattr("builtins.open", refuse_open)
    out = tmp_path / "out"
    args = ["--data", str(data)]
    if command == "report":
        args += ["--month", "2020-09", "--out", str(out)]
    got = cli.main([command, *args])
    said = capsys.readouterr()
    assert got == code, said
    assert "Traceback" not in said.out + said.err
    for word in words:
        assert word in said.out + said.err, (word, said)
    assert month_folders(out) == []


@pytest.mark.slow
def test_a_broken_feedback_file_is_left_out_and_the_report_exits_3(tmp_path):
    """The month's report is produced without its feedback section; the run says which
    file and why, and ends with the distinct exit code 3."""
    corpus = Path(__file__).parent / "data" / "corpus"
    data = tmp_path / "data"
    data.mkdir()
    (data / "programme.yml").write_text(
        "organisation: Test Council\nstart_month: 2020-01\n", encoding="utf-8"
    )
    shutil.copy(corpus / "13_utf8_bom.csv", data / "audits.csv")
    shutil.copy(corpus / "31_broken_feedback.csv", data / "feedback.csv")
    out = tmp_path / "out"
    run = run_cli("report", "--month", "2020-09", "--data", data, "--out", out, "--no-progress")
    assert run.code == 3, run
    assert "Traceback" not in run.said
    assert "1 of 1 report(s) produced" in run.out
    assert (
        "Left out: feedback.csv could not be used (1 error), so the feedback section is left "
        "out. First: row 3, column 'source': value 'neighbour' — unknown feedback source."
    ) in run.err
    assert "Produced without: feedback" in run.err
    assert_nothing_half_written(out)
    page = (out / "2020-09" / "audit-highlights-2020-09.html").read_text(encoding="utf-8")
    # The section says why it is missing (where, not the value: it could identify someone).
    assert "Parent, child, carer and partner agency feedback" in page
    assert (
        "feedback.csv could not be used (1 error, the first in row 3, column &#x27;source&#x27;), "
        "so the feedback section is left out of this report."
    ) in page.replace("'", "&#x27;")
    assert "neighbour" not in page
    assert "Kept us informed" not in page


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda row: row + ",extra,fields", ["has 30 fields but the header has 28", "stray"]),
        (lambda row: row.rsplit(",", 3)[0], ["has 25 fields but the header has 28", "dropped"]),
    ],
    ids=["wider", "narrower"],
)
def test_a_csv_that_changes_shape_halfway(tmp_path, change, words):
    data = copy_demo(tmp_path, "shape", "programme.yml", "names.txt")
    lines = (DEMO_DATA_DIR / "audits.csv").read_text(encoding="utf-8").splitlines()
    half = len(lines) // 2
    changed = lines[:half] + [change(row) for row in lines[half:]]
    (data / "audits.csv").write_text("\n".join(changed) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    run = run_cli("report", "--month", "2020-09", "--data", data, "--out", out)
    # The first changed row is named by its number as a spreadsheet shows it (header = 1).
    assert_plain_failure(run, "audits.csv", f"row {half + 1} —", *words)
    assert month_folders(out) == []


def test_an_output_folder_that_is_a_file(tmp_path):
    out = tmp_path / "out"
    out.write_text("not a folder", encoding="utf-8")
    run = run_cli("report", "--month", "2020-09", "--out", out, "--no-progress")
    assert_plain_failure(run, str(out), "is a file, not a folder")
    assert out.read_text(encoding="utf-8") == "not a folder"


# ---------------------------------------------------------------- Ctrl-C
@pytest.mark.slow
def test_an_interrupted_run_keeps_every_report_whole(tmp_path):
    out = tmp_path / "out"
    # A previous good report of the last month, which the interrupted run must not touch.
    first = run_cli("report", "--month", "2020-09", "--out", out, "--no-progress")
    assert first.code == 0, first
    previous = (out / "2020-09" / "audit-highlights-2020-09.html").read_bytes()

    # As a terminal's Ctrl-C does: SIGINT to the whole process group, once the first month is in.
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "auditlib", "report", "--all", "--out", str(out), "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # A shell running the test suite in the background ignores SIGINT, and a child
        # inherits that; give the run the default disposition a terminal would.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        first_month = out / "2018-11" / "audit-highlights-2018-11.html"
        while not first_month.exists() and process.poll() is None:
            assert time.monotonic() - started < 240, "the first month never appeared"
            time.sleep(0.1)
        assert process.poll() is None, "the run ended before it could be interrupted"
        os.killpg(process.pid, signal.SIGINT)
        stdout, stderr = process.communicate(timeout=240)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    run = Run(process.returncode, stdout, stderr)
    assert run.code == 130, run
    assert "Traceback" not in run.said, run.said
    assert "interrupted; nothing half-written was kept" in run.err
    assert_nothing_half_written(out)
    done = month_folders(out)
    assert "2018-11" in done and len(done) < 18, done  # stopped part-way
    assert (out / "2020-09" / "audit-highlights-2020-09.html").read_bytes() == previous
    assert not (out / "_failed").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{month}/audit-highlights-{month}.html"' in index for month in done)
