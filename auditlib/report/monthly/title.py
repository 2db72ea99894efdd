"""The report's title and the line under it."""

from __future__ import annotations

from auditlib.report.blocks import Block, Markdown
from auditlib.report.monthly.context import MonthContext
from auditlib.report.shared.methods import title_facts


def section(ctx: MonthContext) -> list[Block]:
    return [
        Markdown(f"# Audit Highlights Report – {ctx.label}"),
        Markdown(title_facts(ctx.figures, ctx.profile)),
    ]
