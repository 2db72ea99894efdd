"""The wheel works anywhere: built from the repository, installed into a fresh virtual
environment in a temporary folder outside the repository, every command runs from there.

The fresh environment gets auditlib only from the wheel; its dependencies (and nbconvert's
templates) come from the test run's own environment through a ``.pth`` file and
``JUPYTER_PATH``, so the test needs no network.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wheel")]


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"{' '.join(cmd)}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path, dict[str, str]]:
    """(bin folder of the fresh environment, a work folder outside the repo, its environment)."""
    base = tmp_path_factory.mktemp("wheel")
    wheels = base / "wheels"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    # Built from a copy, so that the build never writes into the repository (build/, egg-info).
    source = base / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "outputs", "build", "dist", "node_modules", "*.egg-info", "__pycache__"
        ),
    )
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)],
        base,
        env,
    )
    (wheel,) = wheels.glob("auditlib-*.whl")
    target = base / "venv"
    venv.EnvBuilder(with_pip=True).create(target)
    python = target / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The dependencies, from this test run's environment (appended: the wheel comes first).
    (Path(purelib) / "_auditlib_test_dependencies.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", encoding="utf-8"
    )
    run([str(python), "-m", "pip", "install", "--no-deps", "-q", str(wheel)], base, env)
    # nbconvert's own templates are data files of the environment that installed it: share
    # them, but not its kernel specs (the kernel must be the fresh environment's Python).
    jupyter = base / "jupyter" / "nbconvert"
    jupyter.mkdir(parents=True)
    (jupyter / "templates").symlink_to(
        Path(sys.prefix) / "share" / "jupyter" / "nbconvert" / "templates"
    )
    work = base / "work"
    work.mkdir()
    env.update(PATH=f"{target / 'bin'}:{env.get('PATH', '')}", JUPYTER_PATH=str(base / "jupyter"))
    return target / "bin", work, env


def test_the_installed_package_is_the_wheel_not_the_repository(installed):
    bin_dir, work, env = installed
    found = run(
        [str(bin_dir / "python"), "-c", "import auditlib; print(auditlib.__file__)"], work, env
    )
    assert str(ROOT) not in found.stdout and "site-packages" in found.stdout


def test_every_command_runs_from_any_folder(installed):
    bin_dir, work, env = installed
    auditlib = str(bin_dir / "auditlib")
    run([auditlib, "demo-data", "--out", "d"], work, env)
    assert (work / "d" / "audits.csv").is_file() and (work / "d" / "programme.yml").is_file()
    checked = run([auditlib, "validate", "--data", "d"], work, env)
    assert "OK" in checked.stdout
    run(
        [auditlib, "report", "--month", "2020-09", "--data", "d", "--out", "o", "--no-progress"],
        work,
        env,
    )
    figures = json.loads((work / "o" / "2020-09" / "figures.json").read_text(encoding="utf-8"))
    assert figures["programme"]["allocated"] == 1632 and figures["programme"]["completed"] == 1298
    assert (work / "o" / "2020-09" / "audit-highlights-2020-09.html").is_file()
    summary = run(
        [
            auditlib,
            "report",
            "--all",
            "--jobs",
            "2",
            "--data",
            "d",
            "--out",
            "all",
            "--no-progress",
        ],
        work,
        env,
    )
    assert "18 of 18 report(s) produced" in summary.stdout
    assert (work / "all" / "index.html").is_file()
    run(
        [
            auditlib,
            "shifts",
            "--a",
            "2019-09:2020-02",
            "--b",
            "2020-06:2020-09",
            "--data",
            "d",
            "--out",
            "o",
        ],
        work,
        env,
    )
    shifted = work / "o" / "shifts" / "2019-09_to_2020-02_vs_2020-06_to_2020-09"
    assert (shifted / "judgement-shifts.html").is_file()


def test_the_packaged_demo_is_the_default_data_and_outputs_land_here(installed):
    bin_dir, work, env = installed
    run([str(bin_dir / "auditlib"), "report", "--month", "2020-08", "--no-progress"], work, env)
    assert (work / "outputs" / "2020-08" / "figures.json").is_file()
