"""auditlib.launch: ``auditlib report`` starts its kernels' process before anything else,
and no other command (nor a report that will start no kernel) does."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from auditlib import launch
from auditlib.paths import DEMO_DATA_DIR, NOTEBOOKS_DIR
from auditlib.publish import kernelpool
from auditlib.publish.layout import MONTHLY_NOTEBOOK

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the kernels' process is Linux only"
)


@pytest.fixture
def started(monkeypatch):
    calls: list[tuple[Path, Path]] = []
    monkeypatch.setattr(
        kernelpool, "start", lambda notebook, data_dir=None: calls.append((notebook, data_dir))
    )
    return calls


@pytest.mark.parametrize(
    ("args", "data"),
    [
        (["report", "--month", "2020-09"], DEMO_DATA_DIR),
        (["report", "--all", "--data", "exports/2021"], "exports/2021"),
        (["report", "--data=exports/2021", "--all"], "exports/2021"),
    ],
)
def test_a_report_starts_the_kernels_process_for_its_data_folder(started, args, data):
    assert launch.start_kernels_early(args)
    assert started == [(NOTEBOOKS_DIR / MONTHLY_NOTEBOOK, data)]


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["validate"],
        ["demo-data", "--out", "x"],
        ["shifts", "--data", "x"],
        ["report", "--help"],
        ["report", "--all", "--no-kernel-preload"],
        ["--version"],
    ],
)
def test_nothing_else_starts_it(started, args):
    assert not launch.start_kernels_early(args)
    assert started == []
