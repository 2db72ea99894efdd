"""The shift report's title, the line under it, and what it asks."""

from __future__ import annotations

from auditlib.report.blocks import Block, Markdown
from auditlib.report.shared.methods import title_facts
from auditlib.report.shift_report.context import ShiftContext

BY_WORDS = {
    "team": "team by team",
    "area": "area by area",
    "cohort": "cohort by cohort (practice-theme cohorts)",
    "domain": "practice domain by practice domain",
}


def section(ctx: ShiftContext) -> list[Block]:
    intro = (
        f"This report asks whether audit judgements in **period B, {ctx.label_b}**, differ "
        f"from those in **period A, {ctx.label_a}** (the reference), by more than chance "
        "would explain."
    )
    if ctx.by:
        intro += f" It also compares the two periods {BY_WORDS[ctx.by]}."
    return [
        Markdown(f"# {ctx.title}"),
        Markdown(title_facts(ctx.figures, ctx.profile)),
        Markdown(intro),
    ]
