"""pyproject.toml (pip) and environment.yml (conda) must ask for the same packages."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _requirement(spec: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", spec)
    assert match, spec
    return match[1].lower().replace("_", "-"), match[2].replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_side = dict(_requirement(d) for d in project["dependencies"])
    pip_side.update(_requirement(d) for d in project["optional-dependencies"]["dev"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_side = dict(
        _requirement(d)
        for d in env["dependencies"]
        # python itself and pip are conda's tools, not dependencies (python-calamine is one)
        if isinstance(d, str) and _requirement(d)[0] not in ("python", "pip")
    )
    assert conda_side == pip_side


def test_environment_yml_pins_the_python_the_project_requires():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python == "python=3.11"
    assert project["requires-python"] == ">=3.11"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    test_command = "python3 tasks.py test"
    assert test_command in readme
    assert test_command in ci.splitlines()
