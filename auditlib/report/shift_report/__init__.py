"""The statisticians' judgement-shift report: period B against period A.

Built like the monthly report: :func:`prepare` checks the periods, loads the data and
builds the :class:`ShiftContext` once; each section module has a pure
``section(ctx) -> list[Block]``; the notebook ``judgement_shifts.ipynb`` shows them in
order. Sections the monthly report also has (re-audits, moderation, definitions and
disclosure) are built from the same shared pieces (:mod:`auditlib.report.shared`).

A *period* is a run of programme months ``FROM:TO`` (or one month ``YYYY-MM``). Period A
is the earlier one, the reference; period B is compared with it. The tests are the ones
the monthly report quotes (stated once, in :mod:`auditlib.analysis.comparisons`); with a
breakdown (team, area, cohort or domain) each group is tested too and the p-values are
Holm-adjusted across the groups (:mod:`auditlib.analysis.groups`).

Every count the report shows passes through the disclosure profile: the figures
(``shift-figures.json``) are protected by :func:`.figures.protect_figures` and the
tables show a count only where the protected figures do.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from auditlib.data.pipeline import AuditData, load_audit_data
from auditlib.disclosure import DisclosureProfile
from auditlib.paths import DEMO_DATA_DIR
from auditlib.report.blocks import Block, record_shown
from auditlib.report.notebook import enable_analyst_charts
from auditlib.report.shift_report import (
    breakdown,
    casemix,
    checks,
    distributions,
    methods,
    moderation,
    reaudits,
    spc,
    summary,
    tests,
    title,
)
from auditlib.report.shift_report.context import ShiftContext
from auditlib.report.shift_report.figures import build_figures
from auditlib.report.shift_report.periods import (
    BREAKDOWNS,
    Period,
    check_by,
    check_periods,
    output_folder_name,
    parse_period,
)

#: The report's sections in order: (name, section function).
SECTIONS: tuple[tuple[str, Callable[[ShiftContext], list[Block]]], ...] = (
    ("title", title.section),
    ("summary", summary.section),
    ("distributions", distributions.section),
    ("tests", tests.section),
    ("spc", spc.section),
    ("casemix", casemix.section),
    ("reaudits", reaudits.section),
    ("moderation", moderation.section),
    ("breakdown", breakdown.section),
    ("methods", methods.section),
)


def prepare(
    a: str,
    b: str,
    by: str | None = None,
    data_dir: str | Path | None = None,
    disclosure: str | None = None,
) -> ShiftContext:
    """Check the periods, load and clean the data folder (default: the demo programme) and
    compute every figure. Bad periods raise :class:`ReportError` before any loading."""
    period_a = parse_period(a, "Period A")
    period_b = parse_period(b, "Period B")
    check_periods(period_a, period_b)
    by = check_by(by)
    data = load_audit_data(Path(data_dir) if data_dir else DEMO_DATA_DIR)
    ctx = from_data(data, period_a, period_b, by, disclosure)
    enable_analyst_charts()
    return ctx


def from_data(
    data: AuditData,
    a: Period | str,
    b: Period | str,
    by: str | None = None,
    disclosure: str | None = None,
) -> ShiftContext:
    """The report's context for already-loaded data (tests change ``data.audits`` and call this)."""
    period_a = a if isinstance(a, Period) else parse_period(a, "Period A")
    period_b = b if isinstance(b, Period) else parse_period(b, "Period B")
    check_periods(period_a, period_b)
    by = check_by(by)
    profile = DisclosureProfile.from_name(disclosure or data.programme.disclosure)
    ctx = ShiftContext(period_a, period_b, by, data, profile, shown=record_shown())
    checks.check_data(ctx)
    ctx.figures = build_figures(ctx)
    return ctx


def build(ctx: ShiftContext) -> list[Block]:
    """Every section's blocks, in report order."""
    return [block for _, section in SECTIONS for block in section(ctx)]


__all__ = [
    "BREAKDOWNS",
    "SECTIONS",
    "Period",
    "ShiftContext",
    "build",
    "check_by",
    "check_periods",
    "from_data",
    "output_folder_name",
    "parse_period",
    "prepare",
]
