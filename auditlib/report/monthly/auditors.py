"""Auditors: how much of the variation in judgements lies between auditors, after case mix.
Part of the judgement-shifts section. Auditors are never named or shown by id: within one
report each has a letter; the published version states only the overall figure."""

from __future__ import annotations

from auditlib.report import wording
from auditlib.report.blocks import Block, Heading, Markdown
from auditlib.report.monthly.context import MonthContext

HEADING = "Auditors"
INTRO = (
    "Do some auditors grade more harshly or more generously than others on like cases? The "
    "model allows for each audit's cohorts, team and month over the last 12 audited months; "
    "the share of the remaining variation that lies between auditors is its intraclass "
    "correlation."
)


def section(ctx: MonthContext) -> list[Block]:
    effects = ctx.auditor_effects
    if effects is None:
        return []
    if ctx.view.suppresses:
        text = wording.describe_auditor_variation(effects.overall())
    else:
        text = wording.describe_auditor_effects(effects)
    return [Heading(HEADING, 3), Markdown(INTRO), Markdown(text)]
