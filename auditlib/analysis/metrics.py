"""Every figure of the highlights report, exactly as the definitions in docs/data-contract.md say.

All functions take the cleaned audits frame (see :func:`auditlib.data.cleaning.clean_audits`)
and return new objects; shares are unrounded percentages (rounding is for
display only). Definitions, for a window of months W and an audit type T:

* **allocated** — rows of type T in W whose status is not exempt or cancelled;
* **completed** — allocated rows with status completed;
* **compliance %** — 100 × completed / allocated;
* **judgement distribution** of a month — completed audits of type ``audit``
  by final judgement, over Outstanding … Not recorded; the denominator is
  every completed audit of the month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from auditlib.data import schema
from auditlib.data.cohorts import DEFAULT_COHORTS, Cohort
from auditlib.data.programme import Programme, format_month, iter_months, previous_month

COUNT_COLUMNS = list(schema.JUDGEMENT_LABELS)
AUDITED, PAUSED, NO_AUDITS = schema.AUDITED, schema.PAUSED, schema.NO_AUDITS


@dataclass(frozen=True)
class Compliance:
    """Allocation and completion counts for a window of months and one audit type."""

    allocated: int
    completed: int
    exempt: int
    cancelled: int
    outstanding: int
    overdue: int

    @property
    def compliance_pct(self) -> float | None:
        """100 × completed / allocated, unrounded; None when nothing was allocated."""
        return 100 * self.completed / self.allocated if self.allocated else None

    def as_dict(self) -> dict[str, float | int | None]:
        return {**asdict(self), "compliance_pct": self.compliance_pct}


def select(
    audits: pd.DataFrame,
    months: Iterable[str] | str | None = None,
    audit_type: str | None = schema.AUDIT,
    columns: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Rows of one audit type (None: both) in the given month(s) (None: all);
    only ``columns`` when given (taking a few columns of a million rows is much cheaper)."""
    mask = np.ones(len(audits), dtype=bool)
    if audit_type is not None:
        mask &= (audits[schema.AUDIT_TYPE] == audit_type).to_numpy(dtype=bool, na_value=False)
    if months is not None:
        months = [months] if isinstance(months, str) else list(months)
        mask &= audits[schema.AUDIT_MONTH].isin(months).to_numpy(dtype=bool, na_value=False)
    if columns is not None:
        wanted = [c for c in dict.fromkeys(columns) if c in audits]
        if 0 < len(wanted) <= _FEW_COLUMNS and audits.columns.is_unique:
            # Each column's rows taken on its own: the same frame as .loc[mask, wanted]
            # (dtypes, index and all) in a quarter of the time, which pandas spends
            # gathering the columns into blocks and aligning the mask to them.
            rows = np.flatnonzero(mask)
            return pd.DataFrame(
                {c: audits[c].array.take(rows) for c in wanted},
                index=audits.index.take(rows),
                copy=False,
            )
        return audits[wanted].loc[mask]
    return audits.loc[mask]


#: Up to this many columns, :func:`select` takes each column's rows on its own.
_FEW_COLUMNS = 12


def months_between(first: str, last: str) -> list[str]:
    """Calendar months ``first`` … ``last`` inclusive.

    >>> months_between("2020-11", "2021-01")
    ['2020-11', '2020-12', '2021-01']
    """
    return list(iter_months(first, last))


def compute_compliance(
    audits: pd.DataFrame,
    months: Iterable[str] | str | None = None,
    audit_type: str = schema.AUDIT,
    as_at: dt.date | None = None,
) -> Compliance:
    """Allocated, completed, exempt, cancelled, outstanding and overdue counts.

    Exempt and cancelled rows are outside the denominator and counted apart;
    ``allocated`` and ``extension`` rows are outstanding (not yet completed);
    outstanding rows past their due date at ``as_at`` are overdue.

    >>> frame = pd.DataFrame({"audit_type": ["audit"] * 5, "audit_month": ["2020-09"] * 5,
    ...     "status": ["completed", "completed", "extension", "exempt", "cancelled"],
    ...     "due_date": pd.to_datetime(["2020-10-01"] * 5)})
    >>> c = compute_compliance(frame, "2020-09", as_at=dt.date(2020, 10, 5))
    >>> (c.allocated, c.completed, c.exempt, c.outstanding, c.overdue, round(c.compliance_pct, 1))
    (3, 2, 1, 1, 1, 66.7)
    """
    rows = select(audits, months, audit_type, [schema.STATUS, schema.DUE_DATE])
    status = rows[schema.STATUS].astype("string")
    counts = status.value_counts()
    get = lambda key: int(counts.get(key, 0))  # noqa: E731
    exempt, cancelled = get(schema.EXEMPT), get(schema.CANCELLED)
    allocated = len(rows) - exempt - cancelled
    open_rows = status.isin(schema.OPEN_STATUSES).to_numpy(dtype=bool, na_value=False)
    overdue = 0
    if as_at is not None and schema.DUE_DATE in rows:
        due = rows[schema.DUE_DATE].to_numpy()
        overdue = int((open_rows & (due < np.datetime64(as_at, "ns"))).sum())
    return Compliance(
        allocated=allocated,
        completed=get(schema.COMPLETED),
        exempt=exempt,
        cancelled=cancelled,
        outstanding=int(open_rows.sum()),
        overdue=overdue,
    )


def first_month(audits: pd.DataFrame, audit_type: str) -> str | None:
    """The first audit month with any row of this type."""
    months = select(audits, None, audit_type, [schema.AUDIT_MONTH])[schema.AUDIT_MONTH].dropna()
    return str(months.min()) if len(months) else None


def programme_to_date(
    audits: pd.DataFrame, programme: Programme, report_month: str, as_at: dt.date | None = None
) -> dict[str, Compliance]:
    """The headline: audits from ``compliance_from_month`` and re-audits from their first
    month, each to the report month."""
    audit_window = months_between(programme.compliance_from_month, report_month)
    first_re = first_month(audits, schema.REAUDIT)
    re_window = months_between(first_re, report_month) if first_re else []
    return {
        schema.AUDIT: compute_compliance(audits, audit_window, schema.AUDIT, as_at),
        schema.REAUDIT: compute_compliance(audits, re_window, schema.REAUDIT, as_at),
    }


def compliance_by(
    audits: pd.DataFrame,
    by: str,
    months: Iterable[str] | str | None = None,
    audit_type: str = schema.AUDIT,
    as_at: dt.date | None = None,
) -> pd.DataFrame:
    """Compliance per team, area or service: one row per group, columns as :class:`Compliance`."""
    rows = select(audits, months, audit_type, [schema.STATUS, schema.DUE_DATE, by])
    status = rows[schema.STATUS].astype("string")
    flags = pd.DataFrame(
        {
            "exempt": status.eq(schema.EXEMPT).to_numpy(dtype=bool, na_value=False),
            "cancelled": status.eq(schema.CANCELLED).to_numpy(dtype=bool, na_value=False),
            "completed": status.eq(schema.COMPLETED).to_numpy(dtype=bool, na_value=False),
            "outstanding": status.isin(schema.OPEN_STATUSES).to_numpy(dtype=bool, na_value=False),
        },
        index=rows.index,
    )
    flags["overdue"] = False
    if as_at is not None and schema.DUE_DATE in rows:
        flags["overdue"] = flags["outstanding"] & (
            rows[schema.DUE_DATE] < pd.Timestamp(as_at)
        ).to_numpy(dtype=bool, na_value=False)
    flags["rows"] = True
    sums = flags.groupby(rows[by].to_numpy(), sort=True).sum()
    frame = pd.DataFrame(
        {
            "allocated": sums["rows"] - sums["exempt"] - sums["cancelled"],
            "completed": sums["completed"],
            "exempt": sums["exempt"],
            "cancelled": sums["cancelled"],
            "outstanding": sums["outstanding"],
            "overdue": sums["overdue"],
        }
    ).astype("int64")
    frame["compliance_pct"] = (
        100 * frame["completed"] / frame["allocated"].where(frame["allocated"] > 0)
    ).astype(float)
    frame.index.name = by
    return frame


def count_judgements(
    audits: pd.DataFrame,
    months: Iterable[str] | str | None = None,
    by: str | None = None,
    audit_type: str = schema.AUDIT,
    judgement: str = schema.FINAL_JUDGEMENT,
) -> pd.DataFrame:
    """A count table: completed audits by judgement label, per group of ``by`` (or one row).

    >>> frame = pd.DataFrame({"audit_type": ["audit"] * 3, "audit_month": ["2020-09"] * 3,
    ...     "status": ["completed"] * 3, "team": ["A", "A", "B"],
    ...     "final_judgement": ["Good", "Inadequate", "Good"]})
    >>> count_judgements(frame, "2020-09", by="team")[["Good", "Inadequate", "completed"]].values.tolist()
    [[1, 1, 2], [1, 0, 1]]
    """
    rows = select(audits, months, audit_type, [schema.STATUS, judgement, *([by] if by else [])])
    return _count_table(rows, by, judgement)


def _count_codes(judgements: pd.Series) -> np.ndarray:
    """Each judgement's position in :data:`COUNT_COLUMNS` (-1: blank or not a label), as
    ``astype(CategoricalDtype(COUNT_COLUMNS))`` codes them; a categorical column's codes
    are translated through its categories instead (a few labels, not every row)."""
    if isinstance(judgements.dtype, pd.CategoricalDtype):
        position = {label: i for i, label in enumerate(COUNT_COLUMNS)}
        where = np.array(
            [position.get(c, -1) for c in judgements.cat.categories] + [-1], dtype=np.int8
        )
        return where[judgements.cat.codes.to_numpy()]  # code -1 (blank) takes the last
    labels = judgements.astype(pd.CategoricalDtype(COUNT_COLUMNS, ordered=True))
    return labels.cat.codes.to_numpy()


def _count_table(rows: pd.DataFrame, by: str | None, judgement: str) -> pd.DataFrame:
    """:func:`count_judgements` of rows already selected (month and audit type)."""
    # Only the completed rows of the columns counted are taken (not of the whole frame).
    completed = (rows[schema.STATUS] == schema.COMPLETED).to_numpy(dtype=bool, na_value=False)
    keep = slice(None) if completed.all() else completed
    codes = _count_codes(rows[judgement][keep])
    if judgement != schema.FINAL_JUDGEMENT:
        # A domain left blank on a completed audit is "Not recorded" for that domain.
        codes = np.where(codes < 0, COUNT_COLUMNS.index(schema.NOT_RECORDED), codes)
    width = len(COUNT_COLUMNS)
    if by is None:
        counts = np.bincount(codes[codes >= 0], minlength=width).reshape(1, width)
        index = pd.Index(["all"])
    else:
        # Counting by integer codes: no crosstab, fast at a million rows.
        groups, names = pd.factorize(rows[by][keep], sort=True)
        keep = (groups >= 0) & (codes >= 0)
        flat = np.bincount(groups[keep] * width + codes[keep], minlength=len(names) * width)
        counts = flat.reshape(len(names), width)
        index = pd.Index(names, name=by)
    counts = counts.astype("int64")
    # The total as a column of its own, in one go (adding it to a frame costs more than
    # the counting).
    return pd.DataFrame(
        np.column_stack([counts, counts.sum(axis=1)]),
        index=index,
        columns=[*COUNT_COLUMNS, "completed"],
    )


def judgement_shares(table: pd.DataFrame) -> pd.DataFrame:
    """Unrounded % of each judgement label per row of a count table (NaN where n = 0).

    >>> t = pd.DataFrame({"Outstanding": [0], "Good": [1], "Requires Improvement": [2],
    ...     "Inadequate": [1], "Not recorded": [0], "completed": [4]})
    >>> judgement_shares(t).loc[0].tolist()
    [0.0, 25.0, 50.0, 25.0, 0.0]
    """
    n = table["completed"].where(table["completed"] > 0)
    return table[COUNT_COLUMNS].div(n, axis=0) * 100


def good_or_better_pct(table: pd.DataFrame) -> pd.Series:
    """Unrounded % Outstanding + Good per row of a count table."""
    return judgement_shares(table)[list(schema.GOOD_OR_BETTER)].sum(axis=1, min_count=1)


def judgement_distribution(audits: pd.DataFrame, month: str) -> pd.DataFrame:
    """The month's split: one row per judgement label, ``n`` and unrounded ``pct``."""
    table = count_judgements(audits, month)
    shares = judgement_shares(table).iloc[0]
    return pd.DataFrame({"n": table[COUNT_COLUMNS].iloc[0].astype(int), "pct": shares}).rename_axis(
        "judgement"
    )


def judgement_trend(audits: pd.DataFrame, programme: Programme, report_month: str) -> pd.DataFrame:
    """The trend table: a count table per month from the programme start to ``report_month``.

    ``state`` is ``audited`` (audits allocated that month), ``paused`` (a pause
    in programme.yml; counts are zero but the month is not a zero) or ``no
    audits``; a month folded into the previous round's label (July/August) is
    left out. ``allocated`` is the month's allocated audits.
    """
    months = months_between(programme.start_month, report_month)
    counts = count_judgements(audits, months, by=schema.AUDIT_MONTH).reindex(months, fill_value=0)
    allocated = select(audits, months, schema.AUDIT, [schema.STATUS, schema.AUDIT_MONTH])
    allocated = allocated.loc[
        ~allocated[schema.STATUS]
        .isin(schema.NOT_ALLOCATED_STATUSES)
        .to_numpy(dtype=bool, na_value=False)
    ]
    n_allocated = (
        allocated.groupby(schema.AUDIT_MONTH, observed=True).size().reindex(months, fill_value=0)
    )
    rows = []
    for i, month in enumerate(months):
        pause = programme.pause_for(month)
        if pause is not None:
            state, note = PAUSED, pause.reason
        elif n_allocated[month] > 0:
            state, note = AUDITED, ""
        elif i and _folded_into(programme, months[i - 1], month):
            continue
        else:
            state, note = NO_AUDITS, ""
        rows.append(
            {
                schema.AUDIT_MONTH: month,
                "month_label": programme.label_for(month),
                "state": state,
                "note": note,
                "allocated": int(n_allocated[month]),
                **{label: int(counts.at[month, label]) for label in COUNT_COLUMNS},
                "completed": int(counts.at[month, "completed"]),
            }
        )
    return pd.DataFrame(rows).set_index(schema.AUDIT_MONTH)


def _folded_into(programme: Programme, previous: str, month: str) -> bool:
    """True when ``previous``'s label names ``month`` too ("July/August 2019" covers August)."""
    label = programme.month_labels.get(previous)
    return bool(label) and format_month(month).split()[0] in label


def judgements_by_cohort(
    audits: pd.DataFrame,
    months: Iterable[str] | str,
    cohorts: Mapping[str, Cohort] | None = None,
    short: bool = False,
) -> pd.DataFrame:
    """A count table per practice-theme cohort (an audit can be in several).

    ``cohorts`` are the programme's (``programme.cohorts``; default: the seed report's
    six), each read from its ``cohort_<key>`` flag column; the index holds their names
    (``short``: their short labels), in the programme's order.
    """
    chosen = DEFAULT_COHORTS if cohorts is None else cohorts
    flags = [cohort.flag_column for cohort in chosen.values()]
    # The month's audits selected once, with only the columns counted.
    rows = select(audits, months, schema.AUDIT, [schema.STATUS, schema.FINAL_JUDGEMENT, *flags])
    tables = []
    for cohort in chosen.values():
        flag = cohort.flag_column
        part = rows.loc[rows[flag].to_numpy(dtype=bool)] if flag in rows else rows.iloc[:0]
        table = _count_table(part, None, schema.FINAL_JUDGEMENT)
        table.index = pd.Index([cohort.label if short else cohort.name])
        tables.append(table)
    if not tables:
        return pd.DataFrame(columns=[*COUNT_COLUMNS, "completed"]).rename_axis("Cohort")
    return pd.concat(tables).rename_axis("Cohort")


def judgements_by_domain(audits: pd.DataFrame, months: Iterable[str] | str) -> pd.DataFrame:
    """A count table per audit domain (``judgement_<domain>`` columns), display names as index."""
    domains = [c for c in audits.columns if c.startswith(schema.DOMAIN_PREFIX)]
    ordered = sorted(
        domains,
        key=lambda c: (
            list(schema.DOMAIN_NAMES).index(c[len(schema.DOMAIN_PREFIX) :])
            if c[len(schema.DOMAIN_PREFIX) :] in schema.DOMAIN_NAMES
            else 99,
            c,
        ),
    )
    rows = select(audits, months, schema.AUDIT, [schema.STATUS, *ordered])  # once for all domains
    tables = []
    for column in ordered:
        key = column[len(schema.DOMAIN_PREFIX) :]
        table = _count_table(rows, None, column)
        table.index = pd.Index([schema.DOMAIN_NAMES.get(key, key.replace("_", " ").capitalize())])
        tables.append(table)
    if not tables:
        return pd.DataFrame(columns=[*COUNT_COLUMNS, "completed"]).rename_axis("Domain")
    return pd.concat(tables).rename_axis("Domain")


def audited_months(audits: pd.DataFrame, programme: Programme | None = None) -> list[str]:
    """Every month with allocated audits (type audit), in order: the months a report can be run for."""
    rows = select(audits, None, schema.AUDIT, [schema.STATUS, schema.AUDIT_MONTH])
    rows = rows.loc[
        ~rows[schema.STATUS]
        .isin(schema.NOT_ALLOCATED_STATUSES)
        .to_numpy(dtype=bool, na_value=False)
    ]
    return sorted(rows[schema.AUDIT_MONTH].dropna().unique().tolist())


def previous_audited_month(trend: pd.DataFrame, month: str) -> str | None:
    """The audited month before ``month`` in the trend (skipping pauses and empty months)."""
    earlier = trend.loc[(trend.index < month) & (trend["state"] == AUDITED)]
    return str(earlier.index[-1]) if len(earlier) else None


def month_on_month(trend: pd.DataFrame, month: str) -> pd.DataFrame | None:
    """Change in each judgement share (percentage points, unrounded) from the previous audited month."""
    before = previous_audited_month(trend, month)
    if before is None or month not in trend.index:
        return None
    shares = judgement_shares(trend.loc[[before, month]])
    return pd.DataFrame(
        {
            "previous_month": before,
            "previous_pct": shares.loc[before],
            "pct": shares.loc[month],
            "change_pp": shares.loc[month] - shares.loc[before],
        }
    ).rename_axis("judgement")


def default_as_at(audits: pd.DataFrame, programme: Programme | None = None) -> dt.date | None:
    """The date the data describe: programme.yml ``extract_date``, else the latest date in the data.

    Overdue counts are "as at" this date, so a report is the same whenever it is run.
    """
    if programme is not None and programme.extract_date:
        return dt.date.fromisoformat(programme.extract_date)
    latest = pd.concat(
        [audits[c] for c in (schema.ALLOCATED_DATE, schema.COMPLETED_DATE) if c in audits],
        ignore_index=True,
    ).max()
    return None if pd.isna(latest) else latest.date()


__all__ = [
    "AUDITED",
    "COUNT_COLUMNS",
    "NO_AUDITS",
    "PAUSED",
    "Compliance",
    "audited_months",
    "compliance_by",
    "compute_compliance",
    "count_judgements",
    "default_as_at",
    "first_month",
    "good_or_better_pct",
    "judgement_distribution",
    "judgement_shares",
    "judgement_trend",
    "judgements_by_cohort",
    "judgements_by_domain",
    "month_on_month",
    "months_between",
    "previous_audited_month",
    "previous_month",
    "programme_to_date",
    "select",
]
