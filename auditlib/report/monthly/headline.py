"""1. Headline: programme-to-date audit and re-audit compliance, the month's compliance,
exempt and outstanding audits, and pauses."""

from __future__ import annotations

import pandas as pd

from auditlib.analysis.voices import escape_markdown
from auditlib.report import sharing
from auditlib.report.blocks import Block, Heading, Markdown, Table
from auditlib.report.monthly.context import MonthContext
from auditlib.report.shared.phrases import span_words

HEADING = "Headline"
TABLE_CAPTION = (
    "Audit compliance: allocated audits completed (exempt and cancelled audits are not counted "
    "as allocated)"
)


@sharing.shareable
def section(ctx: MonthContext) -> list[Block]:
    return [Heading(HEADING), Markdown("\n\n".join(paragraphs(ctx))), compliance_table(ctx)]


def paragraphs(ctx: MonthContext) -> list[str]:
    f, view = ctx.published_figures, ctx.view
    p, mo = f["programme"], f["month"]
    cases = view.counted(p["allocated"], "child's case has", "children's cases have")
    if ctx.month < p["from_month"]:
        out = [f"Compliance for the programme to date is counted from {p['from_month_label']}."]
    else:
        out = [
            f"Since {p['from_month_label']} and up to and including {ctx.label}, {cases} "
            "been allocated for audit. "
            f"Of these, {view.counted(p['completed'], 'audit has', 'audits have')} been completed: "
            f"**an overall compliance rate of {view.pct(p['completed'], p['allocated'])}**."
        ]
    if p["reaudits_allocated"]:
        out.append(
            f"Since {p['reaudits_from_month_label']}, "
            f"{view.counted(p['reaudits_allocated'], 're-audit has', 're-audits have')} "
            f"been allocated and {view.count(p['reaudits_completed'])} completed, "
            f"**giving an overall re-audit compliance rate of "
            f"{view.pct(p['reaudits_completed'], p['reaudits_allocated'])}**."
        )
    month_text = (
        f"In {ctx.label}, {view.counted(mo['allocated'], 'audit was', 'audits were')} allocated and "
        f"{view.count(mo['completed'])} completed ({view.pct(mo['completed'], mo['allocated'])})"
    )
    extras = []
    if mo["exempt"]:
        extras.append(f"{view.counted(mo['exempt'], 'was', 'were')} exempt")
    if mo["outstanding"]:
        overdue = f", {view.count(mo['overdue'])} of them overdue" if mo["overdue"] else ""
        extras.append(f"{view.counted(mo['outstanding'], 'is', 'are')} outstanding{overdue}")
    out.append(month_text + ("; " + " and ".join(extras) if extras else "") + ".")
    for pause in f["pauses"]:
        reason = f": {escape_markdown(pause['reason'].rstrip('.'))}" if pause["reason"] else ""
        out.append(
            f"The audit programme was paused {span_words(pause['from'], pause['to'])}{reason}."
        )
    return out


def compliance_table(ctx: MonthContext) -> Table:
    f, view = ctx.published_figures, ctx.view
    p, mo = f["programme"], f["month"]
    rows = [
        (p["allocated"], p["completed"], p["exempt"]),
        (p["reaudits_allocated"], p["reaudits_completed"], p["reaudits_exempt"]),
        (mo["allocated"], mo["completed"], mo["exempt"]),
    ]
    table = pd.DataFrame(
        {
            "Allocated": [view.count(a) for a, _, _ in rows],
            "Completed": [view.count(c) for _, c, _ in rows],
            "Compliance": [view.pct(c, a) for a, c, _ in rows],
            "Exempt": [view.count(e) for _, _, e in rows],
        },
        index=pd.Index(
            [
                f"Audits, {p['from_month_label']} to {ctx.label}",
                f"Re-audits, {p['reaudits_from_month_label'] or '–'} to {ctx.label}",
                f"Audits, {ctx.label}",
            ],
            name="Audits",
        ),
    )
    return Table(table, TABLE_CAPTION, name="compliance")
