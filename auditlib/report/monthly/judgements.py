"""3. Overall judgements: the month's split and the trend since the programme began, with
n on every bar and pauses shown as paused, and the table behind them."""

from __future__ import annotations

from auditlib.analysis.rounding import round_half_up
from auditlib.data import schema
from auditlib.data.programme import format_month
from auditlib.disclosure import SUPPRESSED, display_share_table, is_small
from auditlib.disclosure.view import GOOD_OR_BETTER, with_good_or_better
from auditlib.report import sharing
from auditlib.report.blocks import Block, Chart, Heading, Markdown, Table
from auditlib.report.charts.judgements import plot_judgement_trend, plot_month_split
from auditlib.report.monthly.context import MonthContext

TABLE_NOTE = (
    "Final judgement: the moderated judgement where there is one, else the auditor's. "
    "Percentages are rounded half up, so a month may not sum to exactly 100%."
)


@sharing.shareable(statistics=False)
def section(ctx: MonthContext) -> list[Block]:
    first = format_month(ctx.data.programme.start_month)
    blocks: list[Block] = [Heading(f"Overall judgements – {first} to {ctx.label}")]
    completed = sum(ctx.figures["month"]["judgements"].values())
    if completed == 0:
        blocks.append(
            Markdown(f"No audits had been completed for {ctx.label} when the data were extracted.")
        )
    else:
        blocks.append(Markdown(month_sentence(ctx, completed)))
        fig, alt = plot_month_split(
            ctx.month_counts, ctx.label, suppress=ctx.hidden_trend.loc[ctx.month]
        )
        blocks.append(
            Chart(fig, alt, f"Overall judgements, {ctx.label} (final judgement after moderation)")
        )
    fig, alt = plot_judgement_trend(
        ctx.trend,
        title=f"Overall judgements by month, {first} to {ctx.label}",
        suppress=ctx.hidden_trend,
    )
    blocks.append(
        Chart(fig, alt, "Each bar is 100% of the month's completed audits; n is above each bar.")
    )
    table = display_share_table(
        with_good_or_better(ctx.trend),
        ctx.profile,
        cells=list(schema.JUDGEMENT_LABELS),
        hidden=ctx.hidden_trend,
    ).rename(columns={GOOD_OR_BETTER: "Good or better"})
    blocks.append(
        Table(
            table,
            f"Overall judgements by month, {first} to {ctx.label}: completed audits (% of the month)",
            note=TABLE_NOTE,
            name="judgements_by_month",
        )
    )
    return blocks


def month_sentence(ctx: MonthContext, completed: int) -> str:
    """'Of the 61 audits completed for September 2020, 34% were judged Good or better, …'"""
    month = ctx.month
    hidden_total = ctx.hidden_trend.at[month, schema.COMPLETED]
    total = SUPPRESSED if hidden_total else ctx.view.count(completed)
    sentence = (
        f"Of the {total} {'audit' if total == '1' else 'audits'} completed for {ctx.label}, "
        f"{ctx.share(month, GOOD_OR_BETTER)} were judged Good or better, "
        f"{ctx.share(month, schema.REQUIRES_IMPROVEMENT)} Requires Improvement and "
        f"{ctx.share(month, schema.INADEQUATE)} Inadequate"
    )
    if ctx.figures["month"]["judgements"][schema.NOT_RECORDED]:
        sentence += f"; {ctx.share(month, schema.NOT_RECORDED)} had no judgement recorded"
    sentence += "."
    previous = ctx.figures["month"].get("previous_month")
    if previous:
        change = change_sentence(ctx, ctx.label_for(previous))
        sentence += " " + change
    return sentence


def change_sentence(ctx: MonthContext, previous_label: str) -> str:
    """'Compared with August 2020, Good or better rose by 10 percentage points and
    Inadequate fell by 9 percentage points.' — or nothing under published disclosure
    when a share rests on a suppressed count."""
    mo = ctx.figures["month"]
    prev = next(t for t in ctx.figures["trend"] if t["month"] == mo["previous_month"])
    counts = [mo["good_or_better"], mo["judgements"][schema.INADEQUATE], prev["good_or_better"]]
    counts.append(prev["judgements"][schema.INADEQUATE])
    hidden = [
        ctx.measure_hidden(month, labels)
        for month in (ctx.month, mo["previous_month"])
        for labels in (schema.GOOD_OR_BETTER, (schema.INADEQUATE,))
    ]
    if ctx.profile.suppresses and (any(hidden) or any(is_small(c) for c in counts)):
        return ""

    def move(now: float | None, before: float | None, what: str) -> str:
        now, before = now or 0.0, before or 0.0
        points = round_half_up(abs(now - before))
        if points == 0:
            return f"{what} was unchanged"
        unit = "percentage point" if points == 1 else "percentage points"
        return f"{what} {'rose' if now > before else 'fell'} by {points} {unit}"

    good = move(mo["good_or_better_pct"], prev["good_or_better_pct"], "Good or better")
    inadequate = move(
        mo["judgements_pct"][schema.INADEQUATE], prev[schema.INADEQUATE], "Inadequate"
    )
    return f"Compared with {previous_label}, {good} and {inadequate}."
