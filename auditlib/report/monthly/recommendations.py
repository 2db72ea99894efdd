"""2 and 8. The month's high-priority practice recommendations, and its recommendations and
practice standards, with repeats from earlier months marked."""

from __future__ import annotations

from auditlib.analysis.recommendations import format_recommendations
from auditlib.report import sharing
from auditlib.report.blocks import Block, Heading, Markdown
from auditlib.report.monthly.context import MonthContext
from auditlib.report.shared import left_out

HIGH_PRIORITY = "high_priority"
PRACTICE_STANDARDS = "practice_standards"
PRIORITY_INTRO = (
    "Auditing helps us know ourselves, learn from the best practice and find practice "
    "that needs to improve; it matters only if it leads to real change for the children "
    "and families we support."
)


def priority_heading(ctx: MonthContext) -> str:
    return f"High-priority practice recommendations: {ctx.label}"


def heading(ctx: MonthContext) -> str:
    return f"Recommendations and practice standards: {ctx.label}"


@sharing.shareable
def priority_section(ctx: MonthContext) -> list[Block]:
    """2. High-priority practice recommendations for the month."""
    recs = ctx.recommendations
    high = recs.loc[recs["section"] == HIGH_PRIORITY] if len(recs) else recs
    if not len(high):
        return []
    return [
        Heading(priority_heading(ctx)),
        Markdown(
            f"{PRIORITY_INTRO} The high-priority practice recommendations for {ctx.label} are:"
        ),
        Markdown(format_recommendations(high)),
    ]


@sharing.shareable
def section(ctx: MonthContext) -> list[Block]:
    """8. Recommendations and practice standards."""
    notices = left_out.notices(ctx.data, "recommendations")
    if notices:
        return [Heading(heading(ctx)), *notices]
    recs = ctx.recommendations
    standards = recs.loc[recs["section"] == PRACTICE_STANDARDS] if len(recs) else recs
    if not len(standards):
        return []
    repeats = int(standards["repeated"].sum())
    intro = f"Recommendations and practice standards for {ctx.label}."
    if repeats:
        intro += (
            f" {repeats} of the {len(standards)} repeat earlier months' recommendations "
            "(marked with the month each first appeared): they are still to be achieved."
        )
    return [
        Heading(heading(ctx)),
        Markdown(intro),
        Markdown(format_recommendations(standards)),
    ]
