"""Every demo month rendered once per test session, under both disclosure profiles.

Rendering the whole demo programme twice takes a few minutes, so the leak scan,
the published-profile checks and the browser tests share one set of reports.
Test modules call :func:`demo_reports` from a session-scoped fixture and mark themselves with
:data:`XDIST_GROUP`, so under ``pytest -n 2 --dist loadgroup`` they all run in one
worker and the reports are rendered once; the cache below makes every module get the
same reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from auditlib.analysis import metrics
from auditlib.data.pipeline import load_audit_data
from auditlib.paths import DEMO_DATA_DIR, NOTEBOOKS_DIR

PROFILES = ("internal", "published")
XDIST_GROUP = pytest.mark.xdist_group("rendered_demo_reports")
#: A data: URI of an image, base64 and all (stripped before searching text).
DATA_IMAGE_RE = re.compile(r"data:image/[A-Za-z0-9.+-]+;base64,[A-Za-z0-9+/=\s]*")


@dataclass(frozen=True)
class RenderedReports:
    """Where the reports of every demo month are, per disclosure profile."""

    root: Path
    months: tuple[str, ...]

    def out_dir(self, profile: str) -> Path:
        return self.root / profile

    def month_dir(self, profile: str, month: str) -> Path:
        return self.out_dir(profile) / month

    def html(self, profile: str, month: str) -> Path:
        return self.month_dir(profile, month) / f"audit-highlights-{month}.html"

    def notebook(self, profile: str, month: str) -> Path:
        return self.month_dir(profile, month) / f"audit-highlights-{month}.ipynb"

    def figures(self, profile: str, month: str) -> Path:
        return self.month_dir(profile, month) / "figures.json"

    def index(self, profile: str) -> Path:
        return self.out_dir(profile) / "index.html"

    def files(self) -> list[Path]:
        """Every report file: HTML, executed notebook and figures.json, both profiles."""
        return [
            getter(profile, month)
            for profile in PROFILES
            for month in self.months
            for getter in (self.html, self.notebook, self.figures)
        ]


_CACHE: dict[Path, RenderedReports] = {}


def render_demo_reports(root: Path, jobs: int = 2) -> RenderedReports:
    """Render every demo month under both profiles into ``root/<profile>/``; fail on any failure."""
    from auditlib.publish.runner import run_months

    if root in _CACHE:
        return _CACHE[root]
    data = load_audit_data(DEMO_DATA_DIR)
    months = tuple(metrics.audited_months(data.audits))
    for profile in PROFILES:
        summary = run_months(
            months,
            NOTEBOOKS_DIR / "monthly_highlights.ipynb",
            DEMO_DATA_DIR,
            root / profile,
            {"disclosure": profile},
            jobs=jobs,
            progress=False,
        )
        died = [r.month for r in summary.failed if "DeadKernelError" in r.message]
        if died:
            # A kernel killed under heavy machine load is not what these tests check:
            # say so, and give those months one more go, one at a time.
            print(f"\nRetrying {profile} {', '.join(died)}: the kernel died.\n{summary.describe()}")
            summary = run_months(
                died,
                NOTEBOOKS_DIR / "monthly_highlights.ipynb",
                DEMO_DATA_DIR,
                root / profile,
                {"disclosure": profile},
                jobs=1,
                progress=False,
            )
        assert not summary.failed, summary.describe()
    _CACHE[root] = RenderedReports(root, months)
    return _CACHE[root]


def demo_reports(tmp_path_factory: pytest.TempPathFactory) -> RenderedReports:
    """Every demo month's report, both profiles, rendered once per session (and xdist worker).

    Call it from a session-scoped fixture in each test module; the cache above makes every
    module get the same reports.
    """
    return render_demo_reports(tmp_path_factory.getbasetemp() / "demo-reports")
