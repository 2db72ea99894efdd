"""In brief: the verdicts a manager can quote, period B against period A."""

from __future__ import annotations

import re
from typing import Final

from auditlib.analysis import comparisons, groups, stats
from auditlib.disclosure import SUPPRESSED, hide_p_values
from auditlib.report import wording
from auditlib.report.blocks import Block, Callout, Heading, Markdown
from auditlib.report.shared.phrases import join_words
from auditlib.report.shift_report import breakdown, reaudits
from auditlib.report.shift_report.context import ShiftContext

_N_RE: Final = re.compile(r"n=\d[\d,]*")
#: Whose family the Holm-adjusted p's are for: period B's tests against period A.
FAMILY: Final = "the report's"


def section(ctx: ShiftContext) -> list[Block]:
    paragraphs = [headline(ctx)]
    paragraphs += [proportion_sentence(ctx, measure) for measure in comparisons.MEASURES]
    dist = distribution_sentence(ctx)
    if dist:
        paragraphs.append(dist)
    if ctx.reaudits is not None and ctx.reaudits.n >= comparisons.MIN_MONTH_AUDITS:
        sentence = reaudits.verdict_sentence(ctx)
        paragraphs.append(f"Re-audits in {ctx.label_b}: " + sentence[0].lower() + sentence[1:])
    if ctx.by:
        paragraphs.append(f"By {ctx.group_noun}: " + breakdown.summary(ctx))
    return [
        Heading("In brief"),
        Callout(
            "\n\n".join(paragraphs), "verdict", f"Verdicts: {ctx.label_b} against {ctx.label_a}"
        ),
        Markdown(
            f"The {len(ctx.test_family)} tests of period B against period A (each share and the "
            "whole spread of judgements) are one family: each p-value is Holm-adjusted for all "
            f"of them, and *significant* means the adjusted p is below {stats.ALPHA:g}, so that "
            "a difference called significant would arise by chance less than "
            f"{wording.format_pct(100 * stats.ALPHA)} of the time across the family if nothing "
            "had changed; *no significant difference* means the data cannot tell a real change "
            "from chance, not that nothing changed. Every test assumes audits are independent "
            "of one another."
        ),
    ]


def headline(ctx: ShiftContext) -> str:
    """One sentence a manager can quote: what, if anything, changed between the periods."""
    a, b = ctx.label_a, ctx.label_b
    proportions = ctx.comparison.proportions
    codes = {
        measure: groups.verdict_code(c, comparisons.MEASURES[measure][1], p_holm(ctx, measure))
        for measure, c in proportions.items()
        # under published, a measure resting on a suppressed count is not spoken of at all
        if ctx.both_shown(measure)
    }
    better = [m for m, code in codes.items() if code == "improvement"]
    worse = [m for m, code in codes.items() if code == "deterioration"]
    if better and worse:
        return (
            f"A mixed picture: {join_words(better)} improved but {join_words(worse)} "
            f"deteriorated in {b} compared with {a}, each by more than chance would explain."
        )
    if better or worse:
        moved = join_words(better or worse)
        return (
            f"Judgements were {'better' if better else 'worse'} in {b} than in {a}: "
            f"{moved} {'improved' if better else 'deteriorated'} by more than chance "
            "would explain."
        )
    dist = ctx.comparison.distribution
    stated = dist is not None and ctx.distribution_stated()
    if stated and p_holm(ctx, comparisons.DISTRIBUTION) < stats.ALPHA:
        tail = (
            ", but neither % Good or better nor % Inadequate on its own changed by more "
            "than chance would explain."
            if len(codes) == len(proportions)
            else "."
        )
        return (
            f"Judgements as a whole were {'better' if dist.cliffs_delta > 0 else 'worse'} in "
            f"{b} than in {a}" + tail
        )
    if len(codes) < len(proportions) or (dist is not None and not stated):
        return f"No difference shown between {b} and {a} is larger than chance would explain."
    return f"No difference between {b} and {a} is larger than chance would explain."


def p_holm(ctx: ShiftContext, measure: str) -> float:
    """A test's Holm-adjusted p in the family of B against A (NaN when not tested)."""
    row = ctx.family_row(measure)
    return float(row["p_holm"]) if row is not None else float("nan")


def proportion_sentence(ctx: ShiftContext, measure: str) -> str:
    c = ctx.comparison.proportions[measure]
    sentence = wording.describe_proportion_comparison(
        c,
        measure.removeprefix("% "),
        period=f"in {ctx.label_b}",
        reference=f"in {ctx.label_a}",
        improvement=comparisons.MEASURES[measure][1],
        p_adjusted=p_holm(ctx, measure),
        family_size=len(ctx.test_family),
        family=FAMILY,
    )
    if ctx.both_shown(measure):
        return sentence
    # The difference and p-value would let a reader work the hidden count out again.
    return (
        f"{measure}: not shown in this published version, because a count it rests on is "
        f"suppressed ({SUPPRESSED})."
    )


def distribution_sentence(ctx: ShiftContext) -> str | None:
    dist = ctx.comparison.distribution
    if dist is None:
        return None
    if not ctx.distribution_stated():
        # Its verdict, p-values and Cliff's delta rest on a suppressed count: like the
        # monthly report, the published version states no result for it.
        return (
            "Judgements as a whole: not shown in this published version, because a count the "
            f"test rests on is suppressed ({SUPPRESSED})."
        )
    sentence = wording.describe_distribution_comparison(
        dist,
        period=f"in {ctx.label_b}",
        reference=f"in {ctx.label_a}",
        p_adjusted=p_holm(ctx, comparisons.DISTRIBUTION),
        family_size=len(ctx.test_family),
        family=FAMILY,
    )
    if holm_set_by_hidden(ctx, comparisons.DISTRIBUTION):
        # its adjusted p is a hidden share test's carried up: it would give that p back
        sentence = hide_p_values(sentence, holm_only=True)
    return sentence if ctx.graded_shown() else _N_RE.sub(f"n={SUPPRESSED}", sentence)


def holm_set_by_hidden(ctx: ShiftContext, measure: str) -> bool:
    """Is a test's Holm-adjusted p set by a test the published profile withholds?"""
    row = ctx.family_row(measure)
    if row is None:
        return False
    setter = ctx.test_family.iloc[int(row["holm_set_by"])]["measure"]
    if setter == comparisons.DISTRIBUTION:
        return not ctx.distribution_stated()
    return setter in comparisons.MEASURES and not ctx.both_shown(setter)
