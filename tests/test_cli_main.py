"""auditlib.cli.main: the command leaves at once when done, with its code, its output whole
and its exit handlers run."""

from __future__ import annotations

import subprocess
import sys

import auditlib

SCRIPT = """
import atexit, sys
from auditlib.cli import run_command
atexit.register(lambda: print("exit handler ran", file=sys.stderr))
print("before", end="")  # left in the buffer: a pipe is not line-buffered
run_command(sys.argv[1:])
print("never reached")
"""


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, *args], capture_output=True, text=True, timeout=120
    )


def test_a_command_done_exits_with_its_output_flushed_and_exit_handlers_run():
    done = run("--version")
    assert done.returncode == 0
    assert done.stdout.startswith("before") and auditlib.__version__ in done.stdout
    assert "never reached" not in done.stdout
    assert "exit handler ran" in done.stderr


def test_a_failing_command_keeps_its_exit_code(tmp_path):
    done = run("validate", "--data", str(tmp_path / "no such folder"))
    assert done.returncode == 1
    assert "no such folder" in done.stderr and "Traceback" not in done.stderr
    assert "exit handler ran" in done.stderr


def test_usage_errors_exit_2():
    assert run("report").returncode == 2
