"""The code passes the pre-commit hooks (ruff, ruff-format, nbstripout) as committed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run(*cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_lint_passes():
    result = run(str(BIN / "ruff"), "check", ".")
    assert result.returncode == 0, result.stdout


def test_ruff_format_passes():
    result = run(str(BIN / "ruff"), "format", "--check", ".")
    assert result.returncode == 0, result.stdout


def test_notebooks_are_committed_without_outputs():
    notebooks = sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("notebooks/*.ipynb"))
    notebooks += sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("tests/fixtures/*.ipynb"))
    assert notebooks
    result = run(str(BIN / "nbstripout"), "--verify", *notebooks)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pre_commit_config_uses_the_same_tools():
    config = (ROOT / ".pre-commit-config.yaml").read_text()
    for hook in ("id: ruff", "id: ruff-format", "id: nbstripout"):
        assert hook in config
