"""5. Practice themes: judgements by cohort and by practice domain; teams on a funnel plot,
and compliance by team."""

from __future__ import annotations

import re

import pandas as pd

from auditlib.analysis import comparisons, metrics, stats
from auditlib.analysis.voices import escape_markdown
from auditlib.data import schema
from auditlib.data.programme import format_month
from auditlib.disclosure import (
    SHOWN,
    SUPPRESSED,
    display_share_table,
    is_small,
    suppress_counts,
    suppression_mask,
)
from auditlib.report import sharing, wording
from auditlib.report.blocks import Block, Chart, Heading, Markdown, Table
from auditlib.report.charts.judgements import plot_judgements_by_group
from auditlib.report.charts.statistical import plot_funnel
from auditlib.report.monthly.context import MonthContext
from auditlib.report.shared.phrases import join_words

#: A named team's figures in the funnel sentence: ": 2% (1 of 58)".
FUNNEL_FIGURES = re.compile(r": \d+% \(\d+ of \d+\)(?=\))")
#: The funnel's target in its sentence: "(overall 26%)".
FUNNEL_OVERALL = re.compile(r"\(overall \d+%\)")
#: Teams are compared over the report month and the 11 before it.
TEAM_WINDOW_MONTHS = 12
COMPLIANCE_NOTE = "Allocated = completed + outstanding; overdue audits are outstanding audits past their due date."


@sharing.shareable(statistics=False)
def section(ctx: MonthContext) -> list[Block]:
    blocks: list[Block] = [Heading("Practice themes")]
    blocks += intro_blocks(ctx)
    blocks += group_blocks(
        ctx,
        ctx.cohorts,
        "Judgements by cohort",
        f"Overall judgements by cohort, {ctx.label}",
        "An audit can be in more than one cohort.",
        f"Overall judgements by cohort, {ctx.label}: completed audits (% of the cohort)",
        "cohorts",
    )
    blocks += group_blocks(
        ctx,
        ctx.domains,
        "Judgements by practice domain",
        f"Domain judgements, {ctx.label}",
        "Each completed audit grades each domain of practice.",
        f"Domain judgements, {ctx.label}: completed audits (% of audits)",
        "domains",
    )
    blocks += team_blocks(ctx)
    return blocks


def intro_blocks(ctx: MonthContext) -> list[Block]:
    blocks: list[Block] = []
    previous = ctx.figures["month"].get("previous_month")
    if sum(ctx.figures["month"]["judgements"].values()):
        sentence = f"{ctx.share(ctx.month, schema.INADEQUATE)} of cases audited in {ctx.label}"
        if previous:
            sentence += (
                f" and {ctx.share(previous, schema.INADEQUATE)} in {ctx.label_for(previous)}"
            )
        blocks.append(Markdown(sentence + " were judged Inadequate."))
    themes = ctx.data.programme.themes.get(ctx.month, ())
    if themes:
        cohorts = ctx.data.programme.cohorts
        names = [escape_markdown(cohorts[key].name if key in cohorts else key) for key in themes]
        blocks.append(Markdown(f"This month's themed audits looked at: {join_words(names)}."))
    return blocks


def group_blocks(
    ctx: MonthContext,
    table: pd.DataFrame,
    heading: str,
    title: str,
    caption: str,
    table_caption: str,
    name: str,
) -> list[Block]:
    """A count table by group (cohorts, domains) as a 100% bar chart and a share table,
    both hiding the same cells; nothing when no group has a completed audit."""
    table = table.loc[table["completed"] > 0]
    if not len(table):
        return []
    mask = suppression_mask(
        table, ctx.profile, cells=list(schema.JUDGEMENT_LABELS), other_counts=[]
    )
    hidden = mask != SHOWN
    if name == "cohorts" and ctx.profile.suppresses:
        hidden = _hide_as_the_month(ctx, table, hidden)
    fig, alt = plot_judgements_by_group(table, title, suppress=hidden)
    shares = display_share_table(
        table, ctx.profile, cells=list(schema.JUDGEMENT_LABELS), hidden=hidden
    )
    return [Heading(heading, 3), Chart(fig, alt, caption), Table(shares, table_caption, name=name)]


def _hide_as_the_month(
    ctx: MonthContext, table: pd.DataFrame, hidden: pd.DataFrame
) -> pd.DataFrame:
    """Cohort counts of a judgement the month's trend hides are hidden too (then each row is
    made safe again: no hidden cell alone, nor hidden cells that must all be 1).

    A cohort can hold nearly every audit of the month: July 2020's Children in Need showed
    Good 20 of 68 beside the month's Good or better 21 and Outstanding [c], so the month's
    Outstanding was 1 and its Good 20.
    """
    hidden = hidden.copy()
    labels = list(schema.JUDGEMENT_LABELS)
    for label in labels:
        if ctx.hidden_trend.at[ctx.month, label]:
            hidden[label] = hidden[label] | (table[label] > 0)
    for group in table.index:
        while True:
            inner = [c for c in labels if hidden.at[group, c]]
            left = int(table.loc[group, inner].sum())
            if not inner or (len(inner) > 1 and left > len(inner)):
                break
            others = [c for c in labels if not hidden.at[group, c] and table.at[group, c] > 0]
            if not others:
                hidden.at[group, schema.COMPLETED] = True
                break
            hidden.at[group, min(others, key=lambda c: int(table.at[group, c]))] = True
    return hidden


def team_blocks(ctx: MonthContext) -> list[Block]:
    """Teams' % Good or better on a funnel plot over 12 months, and the month's compliance."""
    window = [*comparisons.previous_months(ctx.month, TEAM_WINDOW_MONTHS - 1), ctx.month]
    teams = metrics.count_judgements(ctx.data.audits, window, by=schema.TEAM)
    teams = teams.loc[teams["completed"] > 0]
    if len(teams) < stats.MIN_FUNNEL_UNITS:
        return []
    programme = ctx.data.programme
    first = ctx.label_for(window[0]) if window[0] >= programme.start_month else None
    span = f"{first or format_month(programme.start_month)} to {ctx.label}"
    blocks: list[Block] = [Heading("Teams", 3)]
    result = stats.compute_funnel(
        teams, list(schema.GOOD_OR_BETTER), "completed", overdispersion="multiplicative"
    )
    named = result.units.loc[result.units["outside_998"].astype(bool)]
    # A team named with "2% (1 of 90)" (or "98% (89 of 90)") states a count of 1 to 5.
    small = any(
        is_small(int(k)) or is_small(int(n) - int(k))
        for k, n in zip(named["k"], named["n"], strict=True)
    )
    text = wording.describe_funnel(result, "% Good or better", unit_noun="team", improvement="up")
    if ctx.profile.suppresses and small:
        # Published, the named teams keep their side of the limits but lose their numbers:
        # with n shown, "[c] of 58" beside the limit could still pin the count.
        text = FUNNEL_FIGURES.sub("", text)
    pooled = [m for m in window if m in ctx.hidden_trend.index]
    if ctx.profile.suppresses and any(ctx.measure_hidden(m, schema.GOOD_OR_BETTER) for m in pooled):
        # The overall share pools every team's months, hidden months' counts included.
        text = FUNNEL_OVERALL.sub(f"(overall {SUPPRESSED})", text)
    blocks.append(Markdown(text))
    if not ctx.profile.suppresses:
        fig, alt = plot_funnel(
            result, measure="% Good or better", unit_noun="team", improvement="up"
        )
        blocks.append(
            Chart(
                fig,
                alt,
                f"% Good or better by team, {span}: teams outside the funnel differ by more than chance",
            )
        )
    compliance = metrics.compliance_by(
        ctx.data.audits,
        schema.TEAM,
        ctx.month,
        schema.AUDIT,
        metrics.default_as_at(ctx.data.audits, programme),
    )
    if len(compliance):
        blocks.append(
            Table(
                team_compliance_table(ctx, compliance),
                f"Audit compliance by team, {ctx.label}",
                note=COMPLIANCE_NOTE,
                name="team_compliance",
            )
        )
    return blocks


def _hide_overdue_beside_outstanding(table: pd.DataFrame, shown: pd.DataFrame) -> None:
    """Hide a team's overdue count wherever its outstanding count is hidden (in ``shown``).

    Overdue audits are outstanding ones, so an overdue count shown is a floor under the
    hidden outstanding count; with every team's overdue shown and the two columns' totals
    equal (all outstanding audits overdue), each floor is the count itself (the page audit
    found February 2019's 6 outstanding of 10 that way). A lone hidden overdue count would
    come back by subtraction from the column's total (the headline states it), so a second
    is hidden with it: the smallest other one above 0.
    """
    teams = [t for t in table.index if t != "All teams"]
    for team in teams:
        if shown.at[team, "outstanding"] == SUPPRESSED:
            shown.at[team, "overdue"] = SUPPRESSED
    hidden = [t for t in teams if shown.at[t, "overdue"] == SUPPRESSED]
    if len(hidden) == 1:
        others = [t for t in teams if t not in hidden and int(table.at[t, "overdue"]) > 0]
        if others:
            pick = min(others, key=lambda t: int(table.at[t, "overdue"]))
            shown.at[pick, "overdue"] = SUPPRESSED


def team_compliance_table(ctx: MonthContext, compliance: pd.DataFrame) -> pd.DataFrame:
    """Teams' compliance with an "All teams" row, protected as one table.

    Allocated = completed + outstanding in every row, and the columns add up to the
    month's figures in the headline, so a count of 1 to 5 hidden alone in a row or
    column could be worked out by subtraction: secondary suppression covers both.
    """
    columns = [schema.COMPLETED, "outstanding", schema.ALLOCATED, "overdue"]
    counts = compliance[columns].astype("int64")
    table = pd.concat([counts, pd.DataFrame([counts.sum()], index=["All teams"])])
    protection = {
        "total_row": True,
        "total_col": schema.ALLOCATED,
        "cells": [schema.COMPLETED, "outstanding"],
        "other_counts": ["overdue"],
    }
    mask = suppression_mask(table, ctx.profile, **protection)
    shown = suppress_counts(table, ctx.profile, **protection)
    if ctx.profile.suppresses:
        _hide_overdue_beside_outstanding(table, shown)
    # A rate is hidden with either of its counts (every team at once, not row by row).
    hidden_rates = (
        (mask[[schema.COMPLETED, schema.ALLOCATED]] != SHOWN).any(axis=1).loc[table.index]
    ).to_numpy()
    rates = []
    for hidden, completed, allocated in zip(
        hidden_rates,
        table[schema.COMPLETED].tolist(),
        table[schema.ALLOCATED].tolist(),
        strict=True,
    ):
        rates.append(SUPPRESSED if hidden else ctx.view.pct(int(completed), int(allocated)))
    return pd.DataFrame(
        {
            "Allocated": shown[schema.ALLOCATED],
            "Completed": shown[schema.COMPLETED],
            "Compliance": rates,
            "Outstanding": shown["outstanding"],
            "Overdue": shown["overdue"],
        },
        index=pd.Index(table.index, name="Team"),
    )
