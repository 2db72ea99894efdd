"""Over the whole programme: each measure's SPC chart with the two periods shaded, and
where each period's months sit on it."""

from __future__ import annotations

from typing import Any

from auditlib.analysis import comparisons, metrics, spc
from auditlib.data import schema
from auditlib.disclosure import is_small
from auditlib.report import wording
from auditlib.report.blocks import Block, Chart, Heading, Markdown, close_charts
from auditlib.report.charts.statistical import plot_spc, shade_periods
from auditlib.report.shared.phrases import join_words
from auditlib.report.shift_report.context import ShiftContext

POINT_KINDS = {
    "special_cause_improvement": "special-cause improvement",
    "special_cause_concern": "special-cause concern",
    "special_cause_neither": "special-cause variation",
}
HIDDEN_CHART = (
    "*The chart is not shown in the published version: a month's share rests "
    "on fewer than 6 audits and would reveal a suppressed number.*"
)


def section(ctx: ShiftContext) -> list[Block]:
    first = ctx.data.programme.label_for(ctx.trend.index[0])
    last = ctx.data.programme.label_for(ctx.last_month)
    blocks: list[Block] = [
        Heading("Over the whole programme"),
        Markdown(
            f"The charts show each month's share from {first} to {last} as statistical process "
            "control (SPC) charts in the NHS *Making Data Count* style, with the two periods "
            "shaded. Points outside the dashed process limits, or long runs above or below the "
            "average, signal a real change; anything else is normal month-to-month variation."
        ),
    ]
    for measure, chart in ctx.spc.items():
        blocks += [Heading(measure, 3), Markdown(placement(ctx, chart))]
        fig, alt = plot_spc(
            chart,
            measure=measure,
            title=f"{measure} by month, {first} to {last}",
            latest_label=last,
        )
        shade_periods(fig, chart, [("A", ctx.a.months), ("B", ctx.b.months)])
        alt += f" Period A ({ctx.label_a}) and period B ({ctx.label_b}) are shaded and labelled."
        shown = Chart(
            fig,
            alt,
            f"{measure} by month (SPC chart). Shaded: period A ({ctx.label_a}) and "
            f"period B ({ctx.label_b}).",
        )
        if reveals_small(ctx, measure):
            close_charts([shown])
            blocks.append(Markdown(HIDDEN_CHART))
        else:
            blocks.append(shown)
    return blocks


def reveals_small(ctx: ShiftContext, measure: str) -> bool:
    """Under ``published``, does any month's point rest on a count of 1 to 5?"""
    if not ctx.profile.suppresses:
        return False
    audited = ctx.trend["state"] == metrics.AUDITED
    k = comparisons.measure_counts(ctx.trend, measure)[audited]
    n = ctx.trend.loc[audited, schema.COMPLETED]
    return any(is_small(int(v)) for v in [*k, *n])


def placement(ctx: ShiftContext, chart: Any) -> str:
    """Where each period's months sit on the chart: normal variation, or special cause
    (which kind, which months, which rule); then the chart's average and limits."""
    points = chart.data
    summary = chart.summary()
    lines = []
    for name, period in (("A", ctx.a), ("B", ctx.b)):
        inside = points[points["x"].isin(period.months) & points["value"].notna()]
        n = len(inside)
        head = f"- **Period {name}** ({n} month{'s' if n != 1 else ''} charted): "
        if not n:
            lines.append(head + "no month with audits.")
            continue
        special = inside[inside["point_type"] != "common_cause"]
        if special.empty:
            lines.append(head + "every month within normal variation.")
            continue
        parts = []
        for kind, rows in special.groupby("point_type", sort=False):
            months = join_words([ctx.data.programme.label_for(str(x)) for x in rows["x"]])
            rules = [spc.RULE_DESCRIPTIONS[r] for r in spc.RULES if rows[r].any()]
            count = len(rows)
            parts.append(
                f"{count} of {n} show{'s' if count == 1 else ''} "
                f"{POINT_KINDS.get(str(kind), str(kind))} ({months}), flagged by "
                + join_words(rules)
            )
        lines.append(head + "; ".join(parts) + ".")
    limits = (
        f"The chart's average is {wording.format_pct(summary['mean'])} and its process limits "
        f"{wording.format_pct(summary['lower'])} to {wording.format_pct(summary['upper'])}"
    )
    if points["period"].nunique() > 1:
        limits += " (the latest set of limits)"
    if summary["trial_limits"]:
        limits += f"; these are trial limits, from fewer than {spc.MIN_POINTS_FOR_LIMITS} months"
    return "\n".join(lines) + "\n\n" + limits + "."
