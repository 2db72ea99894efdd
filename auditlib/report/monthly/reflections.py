"""7. Social worker reflections by question, recurring themes flagged."""

from __future__ import annotations

from auditlib.analysis import voices
from auditlib.data import schema
from auditlib.report import sharing
from auditlib.report.blocks import Block, Callout, Heading, Markdown
from auditlib.report.monthly.context import MonthContext
from auditlib.report.shared import left_out

INTRO = (
    "Completing an audit includes meeting the social worker, and the auditor completes a "
    "reflection sheet of four questions about practice. The answers below are grouped by "
    "question; themes that recur across recent months are flagged."
)
#: Answers shown per question (the longest first), and recurring themes flagged per question.
ANSWERS_PER_QUESTION = 6
RECURRING_PER_QUESTION = 2
RECURRING_MIN_MENTIONS = 2


HEADING = "Social worker reflections"


@sharing.shareable(statistics=False)
def section(ctx: MonthContext) -> list[Block]:
    notices = left_out.notices(ctx.data, "reflections")
    if notices:
        return [Heading(HEADING), *notices]
    reflections = ctx.data.reflections
    if reflections is None or not (reflections[schema.AUDIT_MONTH] == ctx.month).any():
        return []
    blocks: list[Block] = [Heading(HEADING), Markdown(INTRO)]
    tagged = voices.tag_themes(reflections, ctx.themes, denylist=ctx.data.denylist)
    recurring = voices.find_recurring_themes(
        tagged,
        ctx.month,
        months=ctx.audited_months,
        by=schema.QUESTION,
        min_mentions=RECURRING_MIN_MENTIONS,
        themes=ctx.themes,
    )
    this_month = tagged.loc[tagged[schema.AUDIT_MONTH] == ctx.month]
    for number, question in schema.REFLECTION_QUESTIONS.items():
        answers = this_month.loc[this_month[schema.QUESTION] == number]
        if not len(answers):
            continue
        blocks.append(Heading(question, 3))
        found = (
            recurring.loc[(recurring[schema.QUESTION] == number) & recurring["in_report_month"]]
            .sort_values(["mentions", "theme_id"], ascending=[False, True])
            .head(RECURRING_PER_QUESTION)
        )
        if len(found):
            items = [f"{row['name']} (also in {row['also_in']})" for _, row in found.iterrows()]
            noun = "a recurring theme" if len(items) == 1 else "recurring themes"
            blocks.append(
                Callout(
                    f"This is {noun} in answers to this question: {'; '.join(items)}.",
                    "note",
                    "Recurring",
                )
            )
        texts = sorted(set(answers[schema.TEXT].dropna()), key=lambda x: (-len(x), x))
        quoted = "\n".join(f"- “{voices.escape_markdown(x)}”" for x in texts[:ANSWERS_PER_QUESTION])
        blocks.append(Markdown(quoted))
    return blocks
