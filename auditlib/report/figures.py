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
from auditlib.analysis import comparisons, metrics, spc
from auditlib.data import schema
from auditlib.data.pipeline import AuditData
from auditlib.data.programme import Programme, format_month
from auditlib.disclosure.rules import SUPPRESSED
from auditlib.errors import ReportError
from auditlib.report import wording

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
    check_report_month(data, report_month)
    programme = data.programme
    audits = data.audits
    as_at = month_as_at(data, report_month)
    headline = headline_figures(data, report_month)
    trend = metrics.judgement_trend(audits, programme, report_month)
    shares = metrics.judgement_shares(trend)

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
        entry["good_or_better_pct"] = _pct(
            metrics.good_or_better_pct(trend.loc[[month_key]]).iloc[0]
        )
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
    return figures


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
    if n < wording.MIN_AUDITS:
        return (
            f"{measure} in {label}: too few audits to tell — "
            f"fewer than {wording.MIN_AUDITS} were completed."
        )
    if suppressed:
        return wording.describe_spc_suppressed(measure, label)
    if str(result.latest["x"]) != month:
        return (
            f"{measure} in {label}: too few audits to tell — "
            f"fewer than {wording.MIN_AUDITS} were completed."
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
    points = result.data.loc[result.data["value"].notna()]
    if points.empty:
        return None
    latest = result.latest
    latest_period = result.latest_period
    is_month = str(latest["x"]) == month
    if n >= wording.MIN_AUDITS and suppressed:
        signal = SUPPRESSED_SIGNAL
    elif n < wording.MIN_AUDITS or not is_month:
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
        "points": {
            str(x): str(kind) for x, kind in zip(points["x"], points["point_type"], strict=True)
        },
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
    those (and the warnings about them): later months' rows never change a month's
    figures. A blank row belongs to no month and is in no report's count (``auditlib
    validate`` lists it); a warning about a file as a whole is in every report's.
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
    for merge in data.name_merges:
        n = sum(1 for row in merge.rows if row in rows_in_scope)
        if n:
            notes.append(merge.note(n))
    return {
        **tables.get("audits", {}),
        "errors": len(data.errors),
        "warnings": _warnings_up_to(data, frames, report_month),
        "not_recorded": int(not_recorded.sum()),
        "tables": tables,
        "notes": sorted(notes),
    }


def _warnings_up_to(
    data: AuditData, frames: dict[str, pd.DataFrame | None], report_month: str
) -> int:
    """Warnings about the rows of months up to ``report_month``, or about a whole file."""
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
    count = 0
    for problem in data.warnings:
        if problem.row is None:
            count += 1
            continue
        month = months_by_file.get(problem.file, {}).get(problem.row, "")
        count += bool(month) and month <= report_month
    return count
