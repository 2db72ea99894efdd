"""6. Feedback from parents, children, carers and partner agencies: counts by source,
quotes chosen by a stated rule, themes and recurring themes."""

from __future__ import annotations

from typing import Any

import pandas as pd

from auditlib.analysis import voices
from auditlib.data import schema
from auditlib.disclosure import suppress_counts
from auditlib.report import sharing
from auditlib.report.blocks import Block, Heading, Markdown, Table
from auditlib.report.monthly.context import MonthContext
from auditlib.report.shared import left_out

INTRO = (
    "Seeking feedback from parents, carers, partners and children (where appropriate) is a "
    "key part of quality-assuring frontline practice. It is shared with social workers and "
    "their managers, to build on what works and learn from what needs to improve."
)
#: Quotes shown of each kind (strengths, areas for improvement).
QUOTES_PER_KIND = 3
#: A theme recurs when it is mentioned in at least this many of the last 3 audit months.
RECURRING_MIN_MENTIONS = 2
THEMES_NOTE = (
    "Themes are tagged from the words of each comment with the theme dictionary "
    "(data/themes.yml). A theme is recurring when it appears in at least 2 of the "
    "last 3 audit months."
)


HEADING = "Parent, child, carer and partner agency feedback"


@sharing.shareable(statistics=False)
def section(ctx: MonthContext) -> list[Block]:
    notices = left_out.notices(ctx.data, "feedback")
    if notices:
        return [Heading(HEADING), *notices]
    feedback = ctx.data.feedback
    if feedback is None or not (feedback[schema.AUDIT_MONTH] == ctx.month).any():
        return []
    blocks: list[Block] = [
        Heading(HEADING),
        Markdown(INTRO),
        Table(
            source_table(ctx),
            f"Feedback received for audits of {ctx.label}, by source",
            name="feedback_sources",
        ),
    ]
    blocks += quote_blocks(ctx)
    blocks += theme_blocks(ctx)
    return blocks


def source_table(ctx: MonthContext) -> pd.DataFrame:
    """Strengths and areas for improvement by source, protected as one table."""
    table = voices.summarise_feedback(ctx.data.feedback, ctx.month)
    shown = suppress_counts(
        table.rename(
            columns={
                "strength": "Strengths",
                "improvement": "Areas for improvement",
                "total": "completed",
            }
        ),
        ctx.profile,
        cells=["Strengths", "Areas for improvement"],
        # The last row is All sources: each column's total, protected with the rows above
        # (six [c]s above an "All sources" 6 were each exactly 1).
        total_row=True,
    ).rename(columns={"completed": "Total"})
    shown.index = pd.Index(
        [str(i).capitalize() if i == i.lower() else str(i) for i in shown.index], name="Source"
    )
    return shown


def quote_blocks(ctx: MonthContext) -> list[Block]:
    quotes = voices.select_quotes(
        ctx.data.feedback, QUOTES_PER_KIND, month=ctx.month, denylist=ctx.data.denylist
    )
    blocks: list[Block] = []
    for kind, title in (
        (schema.STRENGTH, "Practice strengths"),
        (schema.IMPROVEMENT, "Areas for improvement"),
    ):
        text = voices.format_quotes(quotes, kind)
        if text:
            blocks += [Heading(title, 3), Markdown(text)]
    return blocks


def theme_blocks(ctx: MonthContext) -> list[Block]:
    tagged = voices.tag_themes(ctx.data.feedback, ctx.themes, denylist=ctx.data.denylist)
    counts = voices.count_themes(tagged, ctx.themes, by=schema.KIND, month=ctx.month)
    if not len(counts):
        return []
    recurring = voices.find_recurring_themes(
        tagged,
        ctx.month,
        months=ctx.audited_months,
        min_mentions=RECURRING_MIN_MENTIONS,
        themes=ctx.themes,
    )
    # Each theme's first recurrence in the report month, looked up once for all themes.
    also: dict[Any, Any] = {}
    for theme_id, in_month, also_in in zip(
        recurring["theme_id"], recurring["in_report_month"], recurring["also_in"], strict=True
    ):
        if in_month:
            also.setdefault(theme_id, also_in)
    rows = []
    for theme_id, row in counts.iterrows():
        rows.append(
            {
                "Theme": row.get("name", theme_id),
                "Strengths": ctx.view.count(int(row.get(schema.STRENGTH, 0))),
                "Areas for improvement": ctx.view.count(int(row.get(schema.IMPROVEMENT, 0))),
                "Recurring": f"Yes (also {also[theme_id]})" if theme_id in also else "No",
            }
        )
    return [
        Heading("Themes in this month's feedback", 3),
        Table(
            pd.DataFrame(rows).set_index("Theme"),
            f"Themes in feedback for {ctx.label} (a comment can touch several themes)",
            note=THEMES_NOTE,
            name="feedback_themes",
        ),
    ]
