#!/usr/bin/env python3
"""Set-up and everyday tasks, needing nothing but python3 (3.11+).

    python3 tasks.py reports        # make .venv if needed, install, build every demo report
    python3 tasks.py test           # make .venv if needed, install, run the whole test suite
    python3 tasks.py browser-deps   # optional: Debian chromium + axe-core (browser tests, report --pdf)
    python3 tasks.py bench          # benchmarks (print figures); `bench routine` for one

Each task creates the virtual environment ``.venv`` and installs auditlib into it
(editable, with the dev extras) the first time, and again whenever
pyproject.toml or setup.py changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".auditlib-installed"


def say(text: str) -> None:
    print(f"[tasks] {text}", flush=True)


def run(*cmd: str | Path, **kwargs) -> int:
    return subprocess.call([str(c) for c in cmd], cwd=ROOT, **kwargs)


def ensure_venv() -> None:
    """Create .venv and install auditlib[dev] into it, once per pyproject.toml version."""
    if sys.version_info < (3, 11):  # noqa: UP036 - tasks.py may be run by an older python3
        sys.exit(f"auditlib needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    wanted = hashlib.sha256(
        b"".join((ROOT / name).read_bytes() for name in ("pyproject.toml", "setup.py"))
    ).hexdigest()
    if PYTHON.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    if not PYTHON.exists():
        say(f"creating virtual environment {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    say("installing auditlib and its dependencies into .venv (first time: a few minutes)")
    pip = [PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    if run(*pip, "--upgrade", "pip") != 0 or run(*pip, "-e", ".[dev]") != 0:
        sys.exit("[tasks] installing dependencies failed (see pip's message above)")
    if run(PYTHON, "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3") != 0:
        sys.exit("[tasks] registering the Jupyter kernel failed")
    STAMP.write_text(wanted)


def task_reports(args: list[str]) -> int:
    ensure_venv()
    code = run(PYTHON, "-m", "auditlib", "report", "--all", *args)
    return code


def task_test(args: list[str]) -> int:
    ensure_venv()
    return run(PYTHON, "-m", "pytest", "-n", "2", "--dist", "loadgroup", *args)


def task_bench(args: list[str]) -> int:
    """Every benchmark, or the one named first (``bench routine --quick``)."""
    ensure_venv()
    scripts = sorted((ROOT / "bench").glob("bench_*.py"))
    if args and (ROOT / "bench" / f"bench_{args[0]}.py") in scripts:
        scripts, args = [ROOT / "bench" / f"bench_{args[0]}.py"], args[1:]
    code = 0
    for script in scripts:
        say(f"running {script.name}")
        code |= run(PYTHON, script, *args)
    return code


def task_browser_deps(args: list[str]) -> int:
    """Debian's chromium (apt) and axe-core (npm): the browser tests and ``report --pdf``."""
    if not shutil.which("chromium"):
        if os.geteuid() != 0 or not shutil.which("apt-get"):
            say(
                "chromium is missing: install Debian's 'chromium' package as root to run the browser tests"
            )
            return 1
        say("installing Debian's chromium")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        if run("apt-get", "update", "-qq", env=env) != 0:
            return 1
        if (
            run("apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium", env=env)
            != 0
        ):
            return 1
    axe = ROOT / "node_modules" / "axe-core" / "axe.min.js"
    if not axe.exists():
        if not shutil.which("npm"):
            say("npm is missing: install Node.js/npm to fetch axe-core for the accessibility tests")
            return 1
        say("installing axe-core from the npm registry")
        if run("npm", "install", "--no-save", "--no-audit", "--no-fund", "axe-core@4") != 0:
            return 1
    say("browser test dependencies are ready")
    return 0


TASKS = {
    "reports": task_reports,
    "test": task_test,
    "bench": task_bench,
    "browser-deps": task_browser_deps,
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in TASKS:
        print(__doc__)
        return 2
    return TASKS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
