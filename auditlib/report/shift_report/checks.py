"""What a shift report needs before it can be built: audits in each period, and something
to break down."""

from __future__ import annotations

from auditlib.analysis import metrics
from auditlib.data import schema
from auditlib.data.programme import format_month, previous_month
from auditlib.errors import ReportError
from auditlib.report.shift_report.context import ShiftContext
from auditlib.report.shift_report.periods import PARTITIONS, Period


def check_data(ctx: ShiftContext) -> None:
    """Each period has completed audits, and the breakdown has something to break down."""
    for name, period in (("A", ctx.a), ("B", ctx.b)):
        check_has_audits(ctx, name, period)
    if ctx.by in PARTITIONS:
        column = schema.TEAM if ctx.by == "team" else schema.AREA
        rows = metrics.select(ctx.data.audits, [*ctx.a.months, *ctx.b.months])
        if column not in rows or rows[column].isna().all():
            raise ReportError(
                f"The data record no {ctx.by} for the audits of these periods, so there is "
                f"nothing to break down by {ctx.by}."
            )
    elif ctx.by == "domain" and not any(
        c.startswith(schema.DOMAIN_PREFIX) for c in ctx.data.audits.columns
    ):
        raise ReportError(
            "The data have no domain judgements (judgement_<domain> columns), so there is "
            "nothing to break down by domain."
        )


def check_has_audits(ctx: ShiftContext, name: str, period: Period) -> None:
    programme = ctx.data.programme
    audited = set(metrics.audited_months(ctx.data.audits))
    label = ctx.period_label(period)
    if not any(month in audited for month in period.months):
        why = ""
        pauses = [p for p in programme.pauses if p.start <= period.last and period.first <= p.end]
        if pauses:
            spans = "; ".join(
                f"{p.start} to {p.end}, {p.reason or 'no reason given'}" for p in pauses
            )
            why = f" (the programme was paused: {spans})"
        for month in period.months:
            into = previous_month(month)
            if format_month(month).split()[0] in programme.month_labels.get(into, ""):
                why += (
                    f" ({format_month(month)} was part of the {programme.label_for(into)} "
                    f"round, whose audits are counted under {into}: start the period at {into})"
                )
        span = sorted(audited)
        have = f"{span[0]} to {span[-1]}" if span else "none"
        raise ReportError(
            f"Period {name} ({period.spec}, {label}) has no audits{why}. Months with audits: {have}."
        )
    if int(ctx.counts(period)[schema.COMPLETED]) == 0:
        raise ReportError(
            f"Period {name} ({period.spec}, {label}) has allocated audits but none completed "
            "yet, so there are no judgements to compare."
        )
