"""The monthly Audit Highlights Report, one module per section.

A report is an assembly: :func:`prepare` builds the month's :class:`MonthContext` once
(data, figures, disclosure profile, tidy frames), and each section module has a pure
``section(ctx) -> list[Block]``. The notebook ``monthly_highlights.ipynb`` shows them in
order with :func:`auditlib.report.blocks.show_blocks`; :data:`SECTIONS` lists them for
code that wants the whole report at once (:func:`build`).
"""

from __future__ import annotations

from collections.abc import Callable

from auditlib.report import sharing
from auditlib.report.blocks import Block
from auditlib.report.monthly import (
    data_quality,
    feedback,
    headline,
    judgements,
    key_messages,
    recommendations,
    reflections,
    shifts,
    themes,
    title,
)
from auditlib.report.monthly.context import MonthContext
from auditlib.report.monthly.context import prepare as _prepare
from auditlib.report.notebook import enable_analyst_charts

#: The report's sections in order: (name, section function).
SECTIONS: tuple[tuple[str, Callable[[MonthContext], list[Block]]], ...] = (
    ("title", title.section),
    ("key_messages", key_messages.section),
    ("headline", headline.section),
    ("priorities", recommendations.priority_section),
    ("judgements", judgements.section),
    ("shifts", shifts.section),
    ("themes", themes.section),
    ("feedback", feedback.section),
    ("reflections", reflections.section),
    ("recommendations", recommendations.section),
    ("data_quality", data_quality.section),
)


def prepare(
    report_month: str, data_dir: str | None = None, disclosure: str | None = None
) -> MonthContext:
    """The month's context (see :func:`auditlib.report.monthly.context.prepare`); in a
    notebook, also lets charts an analyst adds with plain matplotlib show with alt text."""
    # Given a section helper by the runner, share the work with it: its figures first.
    share = sharing.join(report_month, data_dir, disclosure, [section for _, section in SECTIONS])
    figures = share.take_figures() if share is not None else None
    ctx = _prepare(report_month, data_dir, disclosure, figures)
    enable_analyst_charts()
    ctx.section_share = share
    return ctx


def run_section_helper(folder: str, second: bool = False) -> int:
    """Build the report's sections, in order, for the kernel sharing ``folder`` (the
    ``second`` helper: only those that need no statistics; see
    :mod:`auditlib.report.sharing`); returns how many were built."""
    shareable = [section for _, section in SECTIONS if sharing.is_shareable(section)]
    return sharing.run_helper(folder, shareable, second=second)


def build(ctx: MonthContext) -> list[Block]:
    """Every section's blocks, in report order."""
    return [block for _, section in SECTIONS for block in section(ctx)]


__all__ = [
    "SECTIONS",
    "MonthContext",
    "build",
    "data_quality",
    "feedback",
    "headline",
    "judgements",
    "key_messages",
    "prepare",
    "recommendations",
    "reflections",
    "shifts",
    "themes",
    "title",
]
