"""Every figure a month's report states, as one plain dict: what figures.json holds.

The notebook shows these figures and writes this dict; tests compare the two.
Shares are unrounded percentages (display rounds them half-up); counts are
ints. Disclosure control is applied on top by :mod:`auditlib.disclosure`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from auditlib import __version__
from auditlib.analysis import (
    auditors,
    casemix,
    comparisons,
    metrics,
    regression_to_mean,
    spc,
    stats,
)
from auditlib.data import cleaning, schema, validation
from auditlib.data.pipeline import AuditData
from auditlib.data.programme import Programme, format_month
from auditlib.disclosure.rules import SUPPRESSED, is_small
from auditlib.errors import Problem, ReportError
from auditlib.report import wording
from auditlib.report.shared import left_out

FIGURES_VERSION = 1


def check_report_month(data: AuditData, report_month: str) -> None:
    """Raise :class:`ReportError` with a plain message if there is no report for this month."""
    months = metrics.audited_months(data.audits)
    if report_month in months:
        return
    pause = data.programme.pause_for(report_month)
    if pause is not None:
        raise ReportError(
            f"{report_month}: the programme was paused from {pause.start} to {pause.end}"
            f" ({pause.reason or 'no reason given'}), so there is no report for this month. "
            f"Months with audits: {_span(months)}."
        )
    not_allocated = not_allocated_counts(data, report_month)
    if not_allocated:
        told = " and ".join(f"{n} {status}" for status, n in not_allocated.items())
        raise ReportError(
            f"{report_month}: every audit of this month was exempt or cancelled ({told}), so "
            "no audit was allocated and there is nothing to report on. "
            + (f"Months with audits: {_span(months)}." if months else "No month has any.")
        )
    raise ReportError(
        f"{report_month}: the data in {data.data_dir} have no audits allocated in this month. "
        f"Months with audits: {_span(months)}."
    )


def not_allocated_counts(data: AuditData, month: str | None = None) -> dict[str, int]:
    """Exempt and cancelled audits (type audit), in ``month`` or in all months: ``{status: n}``.

    Empty when there are none: then a month without allocated audits simply had no audits.
    """
    audits = data.audits
    if audits.empty or schema.STATUS not in audits.columns:
        return {}
    rows = (
        audits.loc[audits[schema.AUDIT_TYPE] == schema.AUDIT]
        if schema.AUDIT_TYPE in audits
        else audits
    )
    if month is not None:
        rows = rows.loc[rows[schema.AUDIT_MONTH] == month]
    counts = rows[schema.STATUS].value_counts()
    return {
        status: int(counts[status])
        for status in schema.NOT_ALLOCATED_STATUSES
        if status in counts.index and counts[status]
    }


def _span(months: list[str]) -> str:
    if not months:
        return "none"
    return f"{months[0]} to {months[-1]} ({len(months)} months)"


def _pct(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def headline_figures(data: AuditData, report_month: str) -> dict[str, Any]:
    """The report month's programme-to-date, month and data-quality blocks of figures.json
    (what disclosure control needs of every earlier month to protect this one)."""
    programme = data.programme
    audits = data.audits
    as_at = month_as_at(data, report_month)
    # The previous audited month, as the trend has it: months with audits, pauses left out.
    previous = [
        m
        for m in metrics.audited_months(audits)
        if m < report_month and programme.pause_for(m) is None
    ]
    return _headline(
        data,
        programme,
        report_month,
        metrics.programme_to_date(audits, programme, report_month, as_at),
        metrics.compute_compliance(audits, report_month, schema.AUDIT, as_at),
        metrics.compute_compliance(audits, report_month, schema.REAUDIT, as_at),
        metrics.judgement_distribution(audits, report_month),
        metrics.first_month(audits, schema.REAUDIT),
        previous[-1] if previous else None,
    )


def _headline(
    data: AuditData,
    programme: Programme,
    report_month: str,
    ptd: dict[str, metrics.Compliance],
    month: metrics.Compliance,
    month_re: metrics.Compliance,
    dist: pd.DataFrame,
    first_re: str | None,
    previous: str | None,
) -> dict[str, Any]:
    return {
        "report_month": report_month,
        "programme": {
            "from_month": programme.compliance_from_month,
            "from_month_label": format_month(programme.compliance_from_month),
            "allocated": ptd[schema.AUDIT].allocated,
            "completed": ptd[schema.AUDIT].completed,
            "exempt": ptd[schema.AUDIT].exempt,
            "cancelled": ptd[schema.AUDIT].cancelled,
            "outstanding": ptd[schema.AUDIT].outstanding,
            "overdue": ptd[schema.AUDIT].overdue,
            "compliance_pct": ptd[schema.AUDIT].compliance_pct,
            "reaudits_from_month": first_re,
            "reaudits_from_month_label": format_month(first_re) if first_re else None,
            "reaudits_allocated": ptd[schema.REAUDIT].allocated,
            "reaudits_completed": ptd[schema.REAUDIT].completed,
            "reaudits_exempt": ptd[schema.REAUDIT].exempt,
            "reaudit_compliance_pct": ptd[schema.REAUDIT].compliance_pct,
        },
        "month": {
            "allocated": month.allocated,
            "completed": month.completed,
            "exempt": month.exempt,
            "cancelled": month.cancelled,
            "outstanding": month.outstanding,
            "overdue": month.overdue,
            "compliance_pct": month.compliance_pct,
            "reaudits_allocated": month_re.allocated,
            "reaudits_completed": month_re.completed,
            "reaudit_compliance_pct": month_re.compliance_pct,
            "judgements": {label: int(dist.at[label, "n"]) for label in schema.JUDGEMENT_LABELS},
            "judgements_pct": {
                label: _pct(dist.at[label, "pct"]) for label in schema.JUDGEMENT_LABELS
            },
            "good_or_better": int(dist.loc[list(schema.GOOD_OR_BETTER), "n"].sum()),
            "good_or_better_pct": _pct(
                dist.loc[list(schema.GOOD_OR_BETTER), "pct"].sum() if dist["n"].sum() else None
            ),
            "previous_month": previous,
        },
        # Counts of the rows up to the month: differences between months count rows too.
        "data_quality": month_data_quality(data, report_month),
    }


def headline_series(data: AuditData, months: list[str]) -> list[dict[str, Any]]:
    """:func:`headline_figures` of several months at once, counted in one pass (what a
    month's report needs of every earlier month; equal to calling it month by month)."""
    if not months:
        return []
    programme = data.programme
    audits = data.audits
    rows = metrics.select(
        audits, None, None, [schema.AUDIT_TYPE, schema.AUDIT_MONTH, schema.STATUS, schema.DUE_DATE]
    )
    status = rows[schema.STATUS].astype("string")
    open_rows = status.isin(schema.OPEN_STATUSES).to_numpy(dtype=bool, na_value=False)
    flags = pd.DataFrame(
        {
            "rows": 1,
            schema.EXEMPT: status.eq(schema.EXEMPT).to_numpy(dtype=bool, na_value=False),
            schema.CANCELLED: status.eq(schema.CANCELLED).to_numpy(dtype=bool, na_value=False),
            schema.COMPLETED: status.eq(schema.COMPLETED).to_numpy(dtype=bool, na_value=False),
            "outstanding": open_rows,
        }
    ).astype("int64")
    keys = [
        rows[schema.AUDIT_TYPE].astype("string").to_numpy(),
        rows[schema.AUDIT_MONTH].to_numpy(),
    ]
    sums = flags.groupby(keys).sum()
    # Overdue depends on each report's own as-at date (see month_as_at): counted per report.
    due = (
        rows[schema.DUE_DATE].to_numpy(dtype="datetime64[ns]")
        if schema.DUE_DATE in rows
        else np.full(len(rows), np.datetime64("NaT"), dtype="datetime64[ns]")
    )
    row_types, row_months = keys[0], keys[1].astype(object)
    first_re = metrics.first_month(audits, schema.REAUDIT)

    def compliance(audit_type: str, window: list[str], as_at: dt.date | None) -> metrics.Compliance:
        part = sums.loc[[k for k in sums.index if k[0] == audit_type and k[1] in set(window)]]
        total = part.sum()
        overdue = 0
        if as_at is not None:
            mask = (row_types == audit_type) & np.isin(row_months, window) & open_rows
            overdue = int((due[mask] < np.datetime64(as_at, "ns")).sum())
        return metrics.Compliance(
            allocated=int(total.get("rows", 0) - total.get(schema.EXEMPT, 0))
            - int(total.get(schema.CANCELLED, 0)),
            completed=int(total.get(schema.COMPLETED, 0)),
            exempt=int(total.get(schema.EXEMPT, 0)),
            cancelled=int(total.get(schema.CANCELLED, 0)),
            outstanding=int(total.get("outstanding", 0)),
            overdue=overdue,
        )

    counts = metrics.count_judgements(audits, months, by=schema.AUDIT_MONTH).reindex(
        months, fill_value=0
    )
    audited = [m for m in metrics.audited_months(audits) if programme.pause_for(m) is None]
    out = []
    for report_month in months:
        as_at = month_as_at(data, report_month)
        window = metrics.months_between(programme.compliance_from_month, report_month)
        re_window = metrics.months_between(first_re, report_month) if first_re else []
        table = counts.loc[[report_month]]
        shares = metrics.judgement_shares(table).iloc[0]
        n = table[metrics.COUNT_COLUMNS].iloc[0].astype(int)
        previous = [m for m in audited if m < report_month]
        out.append(
            _headline(
                data,
                programme,
                report_month,
                {
                    schema.AUDIT: compliance(schema.AUDIT, window, as_at),
                    schema.REAUDIT: compliance(schema.REAUDIT, re_window, as_at),
                },
                compliance(schema.AUDIT, [report_month], as_at),
                compliance(schema.REAUDIT, [report_month], as_at),
                pd.DataFrame({"n": n, "pct": shares}),
                first_re,
                previous[-1] if previous else None,
            )
        )
    return out


def build_figures(data: AuditData, report_month: str) -> dict[str, Any]:
    """The figures of the report for ``report_month`` (before disclosure control)."""
    return figures_and_trend(data, report_month)[0]


def figures_and_trend(data: AuditData, report_month: str) -> tuple[dict[str, Any], pd.DataFrame]:
    """:func:`build_figures`, and the judgement trend it was built from
    (:func:`auditlib.analysis.metrics.judgement_trend`, which the figures do not hold on to)."""
    check_report_month(data, report_month)
    programme = data.programme
    audits = data.audits
    as_at = month_as_at(data, report_month)
    headline = headline_figures(data, report_month)
    trend = metrics.judgement_trend(audits, programme, report_month)
    shares = metrics.judgement_shares(trend)
    good_or_better = metrics.good_or_better_pct(trend)  # row by row, as for each month alone

    trend_rows = []
    for month_key, row in trend.iterrows():
        entry: dict[str, Any] = {
            "month": month_key,
            "label": row["month_label"],
            "state": row["state"],
            "allocated": int(row["allocated"]),
            "completed": int(row["completed"]),
            "judgements": {label: int(row[label]) for label in schema.JUDGEMENT_LABELS},
        }
        # DESIGN §4: % per judgement label, under the label (None for a paused month).
        for label in schema.JUDGEMENT_LABELS:
            entry[label] = _pct(shares.at[month_key, label])
        entry["good_or_better"] = int(row[schema.OUTSTANDING] + row[schema.GOOD])
        entry["good_or_better_pct"] = _pct(good_or_better.at[month_key])
        # The month's audit compliance, for the overview page's trend and its SPC chart.
        entry["compliance_pct"] = (
            100 * entry["completed"] / entry["allocated"] if entry["allocated"] else None
        )
        if row["state"] == metrics.PAUSED:
            entry["note"] = row["note"]
        trend_rows.append(entry)

    figures: dict[str, Any] = {
        "figures_version": FIGURES_VERSION,
        "report_month": report_month,
        "report_month_label": programme.label_for(report_month),
        "month_label": programme.label_for(report_month),
        "organisation": programme.organisation,
        "contact": programme.contact,
        "programme_name": programme.programme,
        "as_at": as_at.isoformat() if as_at else None,
        "programme": headline["programme"],
        "month": headline["month"],
        "pauses": [
            {"from": p.start, "to": p.end, "reason": p.reason}
            for p in programme.pauses
            if p.start <= report_month
        ],
        "trend": trend_rows,
        "spc": build_spc(data, report_month, trend),
        "data_quality": headline["data_quality"],
        "auditlib_version": __version__,
        "input_hash": data.input_hash,
    }
    return figures, trend


# ------------------------------------------------------------------------- SPC
#: figures.json's SPC section: key → (measure as sentences name it, the trend entries' share
#: it charts). The two judgement measures are :data:`comparisons.MEASURES`' own.
SPC_MEASURES: dict[str, tuple[str, str]] = {
    "compliance": ("Audit compliance", "compliance_pct"),
    "good_or_better": ("% Good or better", "good_or_better_pct"),
    "inadequate": ("% Inadequate", schema.INADEQUATE),
}
#: The overview's signal for each Making Data Count point type of the latest month.
SIGNALS: dict[str, str] = {
    "common_cause": "common_cause",
    "special_cause_improvement": "improvement",
    "special_cause_concern": "concern",
    "special_cause_neither": "neither",
}
TOO_FEW_AUDITS = "too_few_audits"
#: Published, when the month's own share is suppressed: no reading of it is given.
SUPPRESSED_SIGNAL = "suppressed"
TOO_FEW_MONTHS = "too_few_months"
NO_DATA = "no_data"


def compliance_spc(
    trend: pd.DataFrame, from_month: str, rebase: tuple[str, ...] = ()
) -> spc.SPCResult:
    """XmR chart of each month's audit compliance % from ``from_month`` (the headline's start).

    Paused months and months with nothing allocated are gaps, as in the judgement charts.
    """
    months = trend.loc[trend.index >= from_month]
    audited = (months["state"] == metrics.AUDITED) & (months["allocated"] > 0)
    pct = (100 * months["completed"] / months["allocated"].where(audited)).astype(float)
    return spc.compute_xmr(
        pct.to_numpy(),
        x=list(months.index),
        improvement="up",
        rebase=[m for m in rebase if m in months.index] or None,
        bounds=(0.0, 100.0),
    )


def spc_verdict(
    result: spc.SPCResult, measure: str, label: str, month: str, n: int, suppressed: bool = False
) -> str:
    """The sentence a report quotes about ``month`` on an SPC chart (``n``: its audits).

    Too few audits in the month is said first and without the month's share: it is no basis
    for any verdict (and with none the chart's latest point is an earlier month). A month
    whose share is ``suppressed`` (published) gets no verdict: it would rest on that share.
    """
    if n < comparisons.MIN_MONTH_AUDITS:
        return (
            f"{measure} in {label}: too few audits to tell — "
            f"fewer than {comparisons.MIN_MONTH_AUDITS} were completed."
        )
    if suppressed:
        return wording.describe_spc_suppressed(measure, label)
    if str(result.latest["x"]) != month:
        return (
            f"{measure} in {label}: too few audits to tell — "
            f"fewer than {comparisons.MIN_MONTH_AUDITS} were completed."
        )
    return wording.describe_spc(result, measure, latest_label=label)


def spc_summary(
    result: spc.SPCResult, key: str, label: str, month: str, n: int, suppressed: bool = False
) -> dict[str, Any] | None:
    """One measure of figures.json's ``spc`` section: limits, the month's signal, every point.

    ``signal`` is what the overview page shows for ``month``: ``improvement``, ``concern``,
    ``neither`` (special cause with no better direction), ``common_cause``, or
    ``too_few_audits`` / ``too_few_months`` when the report's verdict says so. None when the
    chart has no point at all.
    """
    measure, share = SPC_MEASURES[key]
    shown = result.data["value"].notna().to_numpy()
    if not shown.any():
        return None
    xs = result.data["x"].to_numpy()[shown].tolist()
    kinds = result.data["point_type"].to_numpy()[shown].tolist()
    latest = result.latest
    latest_period = result.latest_period
    is_month = str(latest["x"]) == month
    if n >= comparisons.MIN_MONTH_AUDITS and suppressed:
        signal = SUPPRESSED_SIGNAL
    elif n < comparisons.MIN_MONTH_AUDITS or not is_month:
        signal = TOO_FEW_AUDITS
    elif result.n_points < wording.MIN_SPC_POINTS:
        signal = TOO_FEW_MONTHS
    else:
        signal = SIGNALS.get(result.variation, NO_DATA)
    return {
        "measure": measure,
        "share": share,
        "improvement": result.improvement,
        "mean": _pct(latest["mean"]),
        "lower_limit": _pct(latest["lower"]),
        "upper_limit": _pct(latest["upper"]),
        "trial_limits": result.trial_limits,
        "limits_from": str(latest_period["x"].iloc[0]),
        "latest_month": str(latest["x"]),
        "latest_variation": result.variation if is_month else None,
        "latest_rules": result.latest_rules if is_month else [],
        "signal": signal,
        "verdict": spc_verdict(result, measure, label, month, n, suppressed),
        "points": {str(x): str(kind) for x, kind in zip(xs, kinds, strict=True)},
    }


def build_spc(
    data: AuditData,
    report_month: str,
    trend: pd.DataFrame,
    gaps: Mapping[str, set[str]] | None = None,
) -> dict[str, Any]:
    """figures.json's ``spc`` section: the Making Data Count reading of each headline measure.

    The month's audit compliance (from ``compliance_from_month``), % Good or better and
    % Inadequate, each an XmR chart over the trend exactly as the report draws it.
    ``gaps`` (published: :func:`spc_gaps`) leaves out, per measure, the months whose share is
    suppressed: the limits, the signals and the verdict then rest only on shares shown.
    """
    programme = data.programme
    label = programme.label_for(report_month)
    row = trend.loc[report_month]
    gaps = gaps or {}
    charts = {
        "compliance": (
            compliance_spc(
                without_months(trend, gaps.get("compliance"), schema.ALLOCATED),
                programme.compliance_from_month,
                programme.spc_rebase,
            ),
            int(row["allocated"]),
        ),
    }
    for key, (measure, _share) in SPC_MEASURES.items():
        if measure in comparisons.MEASURES:
            charts[key] = (
                comparisons.spc_for_measure(
                    without_months(trend, gaps.get(key), schema.COMPLETED),
                    measure,
                    programme.spc_rebase,
                ),
                int(row["completed"]),
            )
    section: dict[str, Any] = {"from_month": programme.start_month}
    for key, (result, n) in charts.items():
        hidden = report_month in gaps.get(key, set())
        section[key] = spc_summary(result, key, label, report_month, n, hidden)
    return section


def without_months(trend: pd.DataFrame, months: set[str] | None, denominator: str) -> pd.DataFrame:
    """The trend with ``months`` made gaps (no denominator, so no share), for an SPC chart."""
    if not months:
        return trend
    out = trend.copy()
    out.loc[[m for m in trend.index if m in months], denominator] = 0
    return out


def spc_gaps(published: Mapping[str, Any]) -> dict[str, set[str]]:
    """For each measure of the ``spc`` section, the months whose share published figures.json
    hides (``[c]`` in its trend entry): the published SPC readings leave them out."""
    trend = [e for e in published.get("trend") or [] if isinstance(e, Mapping)]
    return {
        key: {str(e.get("month")) for e in trend if e.get(share) == SUPPRESSED}
        for key, (_measure, share) in SPC_MEASURES.items()
    }


# ----------------------------------------------------------------------- as at, data quality
def month_as_at(data: AuditData, report_month: str) -> dt.date | None:
    """The date a month's figures are "as at": the latest allocation or completion among
    the audits its report counts (those of months up to and including it).

    It depends on the month's own rows only, so a report is not re-dated when later
    months' rows are added; it moves on when one of its rows does (a late completion).
    Overdue audits are counted at this date. ``extract_date`` in programme.yml is the
    latest it can be: no report is dated after the day its data were exported.
    """
    audits = data.audits
    in_scope = (audits[schema.AUDIT_MONTH].astype("string") <= report_month).fillna(False)
    rows = audits.loc[in_scope.to_numpy(dtype=bool)]
    latest = metrics.default_as_at(rows)
    extract = data.programme.extract_date
    if extract:
        extracted = dt.date.fromisoformat(extract)
        latest = extracted if latest is None else min(latest, extracted)
    return latest


def month_data_quality(data: AuditData, report_month: str) -> dict[str, Any]:
    """The data-quality figures of a month's report: every row it reads accounted for.

    A report reads the rows of the audit months up to and including its own, so it counts
    those (and the warnings about them, the name spellings merged in them and the judgement
    jumps of those months): later months' rows never change a month's figures. A blank
    row belongs to no month and is in no report's count (``auditlib validate`` lists it); a
    warning about a file as a whole is in every report's. What is said of the files
    themselves (their type, how their dates were read, newer exports beside them, optional
    files left out) is the same in every month's report.

    These are counts of rows in the input files, outside the disclosure rule, except the
    judgement jumps: counts of children's audits by judgement, which
    :func:`auditlib.disclosure.apply_to_figures` hides as the trend hides them.
    """
    frames = {"audits": data.audits, "feedback": data.feedback, "reflections": data.reflections}
    tables = {
        name: rec.up_to(report_month, frames.get(name)).as_dict()
        for name, rec in data.reconciliation.items()
    }
    audits = data.audits
    in_scope = (audits[schema.AUDIT_MONTH].astype("string") <= report_month).fillna(False)
    in_scope = in_scope.to_numpy(dtype=bool)
    rows_in_scope = set(audits.loc[in_scope, schema.SOURCE_ROW].tolist())
    not_recorded = audits.loc[in_scope, schema.FINAL_JUDGEMENT] == schema.NOT_RECORDED
    notes = []
    merges = []
    for merge in data.name_merges:
        n = sum(1 for row in merge.rows if row in rows_in_scope)
        if n:
            notes.append(merge.note(n))
            merges.append(
                {
                    "column": merge.column,
                    "spelling": merge.variant,
                    "merged_into": merge.winner,
                    "rows": n,
                }
            )
    facts = data.data_quality_facts()
    warnings = warnings_up_to(data, report_month)
    return {
        **tables.get("audits", {}),
        "errors": len(data.errors),
        "warnings": len(warnings),
        "not_recorded": int(not_recorded.sum()),
        "tables": tables,
        "notes": sorted(notes),
        "files": {
            name: {"file": data.files.get(name, name), "format": data.formats.get(name)}
            for name in tables
        },
        "warnings_by_kind": warnings_by_kind(data, warnings),
        "name_merges": sorted(
            merges, key=lambda m: (m["column"], m["merged_into"].casefold(), m["spelling"])
        ),
        "date_readings": facts["date_readings"],
        "judgement_jumps": [j.as_dict() for j in data.judgement_jumps if j.month <= report_month],
        # Where each left-out file's first error is, never its value (it could name someone).
        "left_out": [
            {
                "input": failure.input,
                "file": failure.file,
                "errors": len(failure.problems),
                "sections": list(failure.left_out),
                "notice": left_out.sentence(failure),
            }
            for failure in data.optional_failures
        ],
        "newer_exports": facts["newer_exports"],
    }


#: How the warnings-by-kind table names the warnings the section shows in full elsewhere.
JUMP_KIND = "a judgement's share far beyond the programme's history (the warning above)"
NEWER_EXPORT_KIND = "a newer export beside the file read (the notice above)"


def warnings_by_kind(data: AuditData, warnings: list[Problem]) -> list[dict[str, Any]]:
    """Warnings grouped by file, column and kind (the reason without what differs from row
    to row), most frequent first: ``[{file, column, warning, count}]``."""
    jumps = {j.describe() for j in data.judgement_jumps}
    newer = {n.message() for n in data.newer_exports}
    counts: dict[tuple[str, str, str], int] = {}
    for problem in warnings:
        if problem.reason in jumps:
            kind = JUMP_KIND
        elif problem.reason in newer:
            kind = NEWER_EXPORT_KIND
        else:
            kind = validation.kind_of(problem.reason)
        key = (problem.file, problem.column or "", kind)
        counts[key] = counts.get(key, 0) + 1
    return [
        {
            "file": file,
            "column": column,
            "warning": kind,
            "count": n,
            # one per audit counted as Not recorded: disclosure control applies
            "judgement_count": kind == cleaning.NO_JUDGEMENT_WARNING,
        }
        for (file, column, kind), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def warnings_up_to(data: AuditData, report_month: str) -> list[Problem]:
    """Warnings about the rows of months up to ``report_month``, or about a whole file; a
    judgement jump is about its month, so counts up to that month only."""
    frames = {"audits": data.audits, "feedback": data.feedback, "reflections": data.reflections}
    jump_months = {j.describe(): j.month for j in data.judgement_jumps}
    months_by_file: dict[str, dict[int, str]] = {}
    wanted: dict[str, set[int]] = {}
    for problem in data.warnings:
        if problem.row is not None:
            wanted.setdefault(problem.file, set()).add(problem.row)
    for name, label in data.files.items():
        rows = wanted.get(label)
        frame = frames.get(name)
        if not rows:
            continue
        found: dict[int, str] = {}
        if frame is not None and schema.SOURCE_ROW in frame and schema.AUDIT_MONTH in frame:
            hit = frame.loc[frame[schema.SOURCE_ROW].isin(list(rows)).to_numpy(dtype=bool)]
            found = dict(
                zip(
                    hit[schema.SOURCE_ROW].tolist(),
                    hit[schema.AUDIT_MONTH].astype("string").fillna("").tolist(),
                    strict=True,
                )
            )
        rec = data.reconciliation.get(name)
        for row, (_reason, month) in rec.excluded_rows.items() if rec else ():
            if row in rows:
                found[row] = month
        months_by_file[label] = found
    counted = []
    for problem in data.warnings:
        if problem.row is None:
            month = jump_months.get(problem.reason)
            if month is None or month <= report_month:
                counted.append(problem)
            continue
        month = months_by_file.get(problem.file, {}).get(problem.row, "")
        if month and month <= report_month:
            counted.append(problem)
    return counted


# ------------------------------------------------------------------ statistics
#: The share in the ``trend`` entries each judgement measure rests on (as ``spc`` names it).
MEASURE_SHARES: dict[str, str] = {
    measure: share for measure, share in SPC_MEASURES.values() if measure in comparisons.MEASURES
}
#: figures.json's key for each measure of the month's family of tests.
TEST_MEASURE_KEYS: dict[str, str] = {
    "% Good or better": "good_or_better",
    "% Inadequate": "inadequate",
    comparisons.DISTRIBUTION: "distribution",
}
TEST_COMPARISON_KEYS: dict[str, str] = {
    comparisons.PREVIOUS_MONTH: "previous_month",
    comparisons.PREVIOUS_12_MONTHS: "previous_12_months",
}


def _number(value: Any) -> float | None:
    """A statistic for JSON: a plain float, None for NaN or missing."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def test_id(row: pd.Series | dict[str, Any]) -> str:
    """A test's id in figures.json: 'previous_12_months.inadequate'."""
    return f"{TEST_COMPARISON_KEYS[row['comparison']]}.{TEST_MEASURE_KEYS[row['measure']]}"


def build_tests(
    family: pd.DataFrame,
    shifts: comparisons.MonthShifts,
    reference_months: dict[str, list[str]],
) -> dict[str, Any]:
    """figures.json's ``tests`` section: the month's family of secondary tests.

    One entry per test with its raw and Holm-adjusted p and the verdict on the adjusted p,
    the months it rests on (``reference_months``: comparison kind → months) and, for a
    share, the ``share`` of the trend entries it compares (disclosure control hides what a
    hidden share would give away: see :mod:`auditlib.disclosure`).
    """
    entries = []
    for _, row in family.iterrows():
        comparison = (
            shifts.vs_previous
            if row["comparison"] == comparisons.PREVIOUS_MONTH
            else shifts.vs_year
        )
        entry: dict[str, Any] = {
            "id": test_id(row),
            "comparison": row["comparison"],
            "measure": row["measure"],
            "share": MEASURE_SHARES.get(row["measure"]),
            "reference": row["reference"],
            "reference_months": list(reference_months.get(row["comparison"], [])),
            "test": row["test"],
            "month_total": int(row["n_month"]),
            "reference_total": int(row["n_reference"]),
        }
        if row["measure"] in comparisons.MEASURES and comparison is not None:
            labels, _direction = comparisons.MEASURES[row["measure"]]
            entry["month_count"] = int(comparison.a[list(labels)].sum())
            entry["reference_count"] = int(comparison.b[list(labels)].sum())
        entry |= {
            "statistic": _number(row["statistic"]),
            "effect_name": row["effect_name"],
            "effect": _number(row["effect"]),
            "effect_low": _number(row["effect_low"]),
            "effect_high": _number(row["effect_high"]),
            "p_value": _number(row["p_value"]),
            "p_holm": _number(row["p_holm"]),
            "p_holm_set_by": test_id(family.iloc[int(row["holm_set_by"])]),
            "significant": bool(row["significant"]),
            "verdict": row["verdict"],
        }
        entries.append(entry)
    # The family's size is len(family): no bare whole number, which under ``published`` would
    # read as a count of audits.
    return {"alpha": stats.ALPHA, "adjustment": "Holm", "family": entries}


def reaudit_verdict(expectation: regression_to_mean.ReauditExpectation) -> str:
    """'beyond regression to the mean', 'less than regression to the mean' or 'no more than
    regression to the mean' (the re-audit sentence's verdict)."""
    if not expectation.significant:
        return "no more than regression to the mean"
    return (
        "beyond regression to the mean"
        if expectation.difference > 0
        else "less than regression to the mean"
    )


def build_reaudit_expectation(
    expectation: regression_to_mean.ReauditExpectation,
    table: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """figures.json's ``reaudit_expectation`` section: re-audit movement against the movement
    regression to the mean would give with no change in practice. Shares are percentages of
    ``movement_total`` (the graded pairs). ``table`` is the original × re-audit table the
    movement is counted from: ``rests_on_small_cell`` says whether a cell of it is 1 to 5
    (a published table shows it as ``[c]``, and the movement counts would give it back)."""
    e = expectation
    small = table is not None and any(is_small(int(c)) for c in table.to_numpy().ravel())
    return {
        "rests_on_small_cell": bool(small),
        "movement_counts": {
            "improved": e.observed_improved,
            "same": e.n - e.observed_improved - e.observed_declined,
            "declined": e.observed_declined,
        },
        "movement_total": e.n,
        "expected_improved": e.expected_improved,
        "expected_declined": e.expected_declined,
        "expected_improved_share": e.pct_expected_improved,
        "expected_declined_share": e.pct_expected_declined,
        "observed_mean_change": e.observed_mean_change,
        "expected_mean_change": e.expected_mean_change,
        "difference": e.difference,
        "ci_low": _number(e.ci_low),
        "ci_high": _number(e.ci_high),
        "p_value": e.p_value,
        "reliability": e.reliability,
        "reliability_source": e.reliability_source,
        "verdict": reaudit_verdict(e),
    }


def build_casemix(mix: casemix.MonthCasemix) -> dict[str, Any]:
    """figures.json's ``casemix`` section: each measure's observed share against the share
    expected from the reference months' rates for the month's mix (O/E with its exact
    interval), and the ordinal regression check."""
    measures = {
        TEST_MEASURE_KEYS[measure]: casemix_measure(r) for measure, r in mix.standardised.items()
    }
    return {
        "reference_months": list(mix.reference_months),
        "themes": list(mix.themes),
        "measures": measures,
        "regression": regression_figures(mix.regression),
    }


def casemix_measure(r: casemix.CasemixResult) -> dict[str, Any]:
    """One measure of a ``casemix`` section: observed against expected, O/E and interval."""
    return {
        "measure": r.measure,
        "share": MEASURE_SHARES[r.measure],
        "month_total": r.n,
        "observed_count": r.observed,
        "other_count": r.n - r.observed,
        "observed_share": r.observed_pct,
        "expected": r.expected,
        "expected_share": r.expected_pct,
        "reference_share": r.reference_pct,
        "ratio": _number(r.ratio),
        "ci_low": _number(r.ci_low),
        "ci_high": _number(r.ci_high),
        "p_value": _number(r.p_value),
        "level": r.level,
        "verdict": r.verdict,
        "better": r.better,
    }


def regression_figures(check: casemix.RegressionCheck | None) -> dict[str, Any] | None:
    """The ordinal regression check's adjusted (and crude) odds ratio for the month or
    period (None when it was not fitted)."""
    row = check.month_effect("ordinal") if check is not None else None
    if row is None or check is None:
        return None
    crude = check.crude.loc[check.crude["model"] == "ordinal", "odds_ratio"]
    return {
        "model": "ordinal",
        "audit_total": check.n,
        "covariates": list(check.covariates),
        "odds_ratio": _number(row["odds_ratio"]),
        "ci_low": _number(row["ci_low"]),
        "ci_high": _number(row["ci_high"]),
        "p_value": _number(row["p_value"]),
        "crude_odds_ratio": _number(crude.iloc[0]) if len(crude) else None,
    }


def build_auditors(effects: auditors.AuditorEffects) -> dict[str, Any]:
    """figures.json's ``auditors`` section: the overall figure only (never an auditor)."""
    return {
        "auditor_count": int(effects.n_auditors),
        "audit_count": int(effects.n),
        "icc": _number(effects.icc),
        "icc_low": _number(effects.icc_low),
        "icc_high": _number(effects.icc_high),
        "p_value": _number(effects.p_value),
        "significant": bool(effects.significant),
    }
