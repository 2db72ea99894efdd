"""Judgements in the two periods: counts, shares and a 100% bar chart."""

from __future__ import annotations

import pandas as pd

from auditlib.data import schema
from auditlib.data.programme import format_month
from auditlib.disclosure import SUPPRESSED, display_share_table
from auditlib.report.blocks import Block, Chart, Heading, Markdown, Table
from auditlib.report.charts.judgements import plot_judgements_by_group
from auditlib.report.shared.phrases import join_words
from auditlib.report.shift_report.context import ShiftContext

TABLE_NOTE = (
    "Final judgement: the moderated judgement where there is one, else the auditor's. "
    "Re-audits are not counted. Percentages are rounded half up, so a period may not sum to "
    "exactly 100%."
)


def section(ctx: ShiftContext) -> list[Block]:
    blocks: list[Block] = [Heading("Judgements in the two periods"), Markdown(period_notes(ctx))]
    counts = period_table(ctx)
    table = display_share_table(counts, ctx.profile, cells=list(schema.JUDGEMENT_LABELS))
    blocks.append(
        Table(
            hide_as_published(ctx, table),
            "Overall judgements in each period: completed audits (% of the period)",
            note=TABLE_NOTE,
            name="judgements_by_period",
        )
    )
    if ctx.any_hidden_in_periods():
        blocks.append(
            Markdown(
                "*The chart of the two periods is not shown in the published version: its "
                "percentages would reveal suppressed numbers.*"
            )
        )
    else:
        fig, alt = plot_judgements_by_group(
            counts, "Overall judgements, period A against period B", min_n=1
        )
        blocks.append(
            Chart(
                fig,
                alt,
                f"Period A is {ctx.label_a}; period B is {ctx.label_b}. Each bar is 100% of "
                "the period's completed audits.",
            )
        )
    return blocks


def period_notes(ctx: ShiftContext) -> str:
    """'- Period A, …: 520 completed audits (of 640 allocated); no audits in …'"""
    notes = []
    for name, period in (("A", ctx.a), ("B", ctx.b)):
        pub = ctx.published_period(period)
        text = (
            f"Period {name}, {ctx.period_label(period)}: {ctx.view.count(pub['completed'])} "
            f"completed audits (of {ctx.view.count(pub['allocated'])} allocated)"
        )
        without = [m for m in period.months if m not in pub["months_with_audits"]]
        if without:
            words = []
            for month in without:
                why = "paused" if ctx.data.programme.pause_for(month) else "no audit round"
                words.append(f"{format_month(month)} ({why})")
            text += f"; no audits in {join_words(words)}"
        notes.append(f"- {text}.")
    return "\n".join(notes)


def period_table(ctx: ShiftContext) -> pd.DataFrame:
    """The two periods' counts: one row each, judgement labels and ``completed``."""
    return pd.DataFrame(
        [ctx.counts(ctx.a), ctx.counts(ctx.b)],
        index=pd.Index(
            [f"A: {ctx.short_label(ctx.a)}", f"B: {ctx.short_label(ctx.b)}"], name="Period"
        ),
    )[[*schema.JUDGEMENT_LABELS, schema.COMPLETED]].astype("int64")


def hide_as_published(ctx: ShiftContext, table: pd.DataFrame) -> pd.DataFrame:
    """Hide in the display table every count the protected figures hide (and its share)."""
    if not ctx.profile.suppresses:
        return table
    out = table.copy()
    for i, period in enumerate((ctx.a, ctx.b)):
        pub = ctx.published_period(period)
        if not ctx.view.shown(pub["completed"]):
            out.iloc[i, -1] = SUPPRESSED
        for label in schema.JUDGEMENT_LABELS:
            if not ctx.view.shown(pub["judgements"][label]):
                out.iloc[i, out.columns.get_loc(label)] = SUPPRESSED
    return out
