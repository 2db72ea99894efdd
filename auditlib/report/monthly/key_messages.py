"""Key messages: the three to six things a director should take away, first.

Each message is built from the same numbers and verdicts as the section it summarises
(nothing is computed twice: the sentences come from the sections' own functions), under
the same disclosure rules, and links to that section.
"""

from __future__ import annotations

from auditlib.analysis import comparisons
from auditlib.report import sharing
from auditlib.report.blocks import Block, Heading, Markdown, anchor
from auditlib.report.monthly import data_quality, headline, recommendations, shifts
from auditlib.report.monthly.context import MonthContext
from auditlib.report.shared import left_out, reaudits

HEADING = "Key messages"


@sharing.shareable
def section(ctx: MonthContext) -> list[Block]:
    messages = [
        compliance_message(ctx),
        judgement_message(ctx),
        reaudit_message(ctx),
        recommendation_message(ctx),
        left_out_message(ctx),
    ]
    lines = [f"- {message}" for message in messages if message]
    return [Heading(HEADING), Markdown("\n".join(lines))]


def see(heading: str) -> str:
    """' See [Judgement shifts](#judgement-shifts).': a link to the section a message sums up."""
    return f" See [{heading}](#{anchor(heading)})."


def compliance_message(ctx: MonthContext) -> str:
    """Programme-to-date and this month's compliance, as the headline states them."""
    f, view = ctx.published_figures, ctx.view
    p, mo = f["programme"], f["month"]
    month = (
        f"{view.pct(mo['completed'], mo['allocated'])} of the {view.count(mo['allocated'])} "
        f"allocated in {ctx.label}"
    )
    if not p["allocated"]:  # a month before programme-to-date compliance is counted
        return f"**Compliance:** {month[:1].upper()}{month[1:]} have been completed." + see(
            headline.HEADING
        )
    return (
        f"**Compliance:** {view.pct(p['completed'], p['allocated'])} of the "
        f"{view.count(p['allocated'])} audits allocated since {p['from_month_label']} have been "
        f"completed, and {month}." + see(headline.HEADING)
    )


def judgement_message(ctx: MonthContext) -> str:
    """Did judgements really move? The SPC verdicts of the judgement-shifts section, then the
    month's comparisons with earlier months judged on their Holm-adjusted p (the same
    verdicts the section states)."""
    verdicts = [shifts.spc_verdict(ctx, measure) for measure in comparisons.MEASURES]
    family = shifts.family_summary(ctx)
    return f"**Judgements:** {' '.join([*verdicts, family]).strip()}" + see(shifts.HEADING)


def reaudit_message(ctx: MonthContext) -> str:
    """Did re-audits find practice improved? The re-audit verdict, when there are re-audits."""
    shift = ctx.shifts.reaudits
    if shift is None:
        return ""
    verdict = reaudits.verdict(shift, ctx.view, ctx.reaudit_expectation).text
    return f"**Re-audits:** {verdict}" + see(shifts.REAUDIT_HEADING)


def recommendation_message(ctx: MonthContext) -> str:
    """How many of the month's recommendations repeat earlier months' (still to be achieved)."""
    recs = ctx.recommendations
    if not len(recs):
        return ""
    repeats = int(recs["repeated"].sum())
    heading = (
        recommendations.heading(ctx)
        if (recs["section"] == recommendations.PRACTICE_STANDARDS).any()
        else recommendations.priority_heading(ctx)
    )
    total = len(recs)
    if not repeats:
        text = f"None of the {total} recommendations for {ctx.label} repeats an earlier month's."
    elif repeats == 1:
        text = f"1 of the {total} recommendations for {ctx.label} repeats an earlier month's: it is still to be achieved."
    else:
        text = (
            f"{repeats} of the {total} recommendations for {ctx.label} repeat earlier months': "
            "they are still to be achieved."
        )
    return f"**Recommendations:** {text}" + see(heading)


def left_out_message(ctx: MonthContext) -> str:
    """Which optional files could not be used, so which sections are missing."""
    sentences = [left_out.sentence(f) for f in ctx.data.optional_failures]
    if not sentences:
        return ""
    return "**Left out:** " + " ".join(sentences) + see(data_quality.HEADING)
