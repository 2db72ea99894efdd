"""Allowing for case mix, and auditors: is B's change real, or did B audit a different mix
of cases (themed cohorts, other teams) or have harsher or milder auditors?"""

from __future__ import annotations

from auditlib.report import wording
from auditlib.report.blocks import Block, Heading, Markdown
from auditlib.report.shift_report.context import ShiftContext

HEADING = "Allowing for case mix and auditors"
REFERENCE = "period A"
INTRO = (
    "A period that audits harder cases by design (a themed cohort such as CSE risk or missing "
    "children, or under-fives on a plan), or other teams, can look worse or better for that "
    "reason alone. Each share of period B is set against the share period A's rates would "
    "give for period B's mix of audits (indirect standardisation: observed ÷ expected, with an "
    "exact 95% interval); a proportional-odds regression allowing for cohorts, teams and "
    "themed months checks the same on the whole scale."
)
AUDITOR_INTRO = (
    "Do some auditors grade more harshly or more generously than others on like cases? The "
    "model allows for each audit's cohorts, team and month over both periods; the share of the "
    "remaining variation that lies between auditors is its intraclass correlation. Auditors "
    "are never named: within this report each has a letter."
)


def section(ctx: ShiftContext) -> list[Block]:
    blocks: list[Block] = []
    mix = ctx.casemix
    if mix is not None:
        sentences = [casemix_sentence(ctx, measure) for measure in mix.standardised]
        if mix.regression is not None:
            sentences.append(
                wording.describe_regression_check(
                    mix.regression, "ordinal", label=ctx.label_b, reference=REFERENCE
                )
            )
        blocks += [Heading(HEADING), Markdown(INTRO), Markdown("\n\n".join(sentences))]
    effects = ctx.auditor_effects
    if effects is not None:
        if not blocks:
            blocks.append(Heading(HEADING))
        text = (
            wording.describe_auditor_variation(effects.overall())
            if ctx.view.suppresses
            else wording.describe_auditor_effects(effects)
        )
        blocks += [Heading("Auditors", 3), Markdown(AUDITOR_INTRO), Markdown(text)]
    return blocks


def casemix_sentence(ctx: ShiftContext, measure: str) -> str:
    """A measure of period B against what period A's rates give for B's mix; not shown under
    ``published`` when a count it rests on is hidden (shift-figures.json's ``casemix`` too)."""
    assert ctx.casemix is not None
    result = ctx.casemix.standardised[measure]
    hidden = ctx.view.reveals([result.observed, result.n - result.observed, result.n])
    if ctx.view.suppresses and (hidden or not ctx.both_shown(measure)):
        return (
            f"{measure}: the case-mix comparison is not shown in this published version, "
            "because a count it rests on is suppressed."
        )
    return wording.describe_casemix(
        result,
        label=ctx.label_b,
        themes=ctx.casemix.themes,
        reference=REFERENCE,
        whose="period B's",
    )
