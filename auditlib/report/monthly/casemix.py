"""Allowing for case mix: is the month's change real, or did it audit a different mix of
cases (a themed cohort, other teams)? Part of the judgement-shifts section."""

from __future__ import annotations

from auditlib.analysis import comparisons
from auditlib.report import wording
from auditlib.report.blocks import Block, Heading, Markdown
from auditlib.report.monthly.context import MonthContext

HEADING = "Allowing for case mix"
INTRO = (
    "A month that audits harder cases by design (a themed cohort such as CSE risk or "
    "missing children, or under-fives on a plan), or other teams, can look worse or better "
    "for that reason alone. Each share below is set against the share the previous 12 "
    "months' rates would give for this month's mix of audits (indirect standardisation: "
    "observed ÷ expected, with an exact 95% interval); a regression allowing for cohorts, "
    "teams and themed months checks the same on the whole scale."
)


def section(ctx: MonthContext) -> list[Block]:
    mix = ctx.casemix
    if mix is None or not mix.standardised:
        return []
    sentences = []
    for result in mix.standardised.values():
        sentence = wording.describe_casemix(result, label=ctx.label, themes=mix.themes)
        # "21 of 61": a count of 1 to 5 (or one of the month's suppressed shares) is not stated.
        hidden = ctx.view.reveals([result.observed, result.n - result.observed, result.n])
        # The reference share pools the reference months: one hidden month in it would be
        # given back by subtraction (figures.json's ``casemix`` follows the same rule).
        hidden = hidden or any(
            ctx.measure_hidden(month, _labels(result.measure))
            for month in [ctx.month, *mix.reference_months]
        )
        if hidden and ctx.view.suppresses:
            sentences.append(
                f"{result.measure}: the case-mix comparison is not shown in this published "
                "version, because a count it rests on is suppressed."
            )
        else:
            sentences.append(sentence)
    if mix.regression is not None:
        sentences.append(
            wording.describe_regression_check(mix.regression, "ordinal", label=ctx.label)
        )
    return [Heading(HEADING, 3), Markdown(INTRO), Markdown("\n\n".join(sentences))]


def _labels(measure: str) -> tuple[str, ...]:
    return comparisons.MEASURES[measure][0]
