"""The statisticians' judgement-shift report: period B against period A.

The notebook ``notebooks/judgement_shifts.ipynb`` is thin, like the monthly
one: it builds a :class:`ShiftReport` and calls one ``show_*`` method per
section. Each section is first built as a list of blocks (see
:mod:`auditlib.report.monthly`) by a ``*_blocks`` method, testable without a kernel.

A *period* is a run of programme months ``FROM:TO`` (or one month ``YYYY-MM``).
Period A is the earlier one, the reference; period B is compared with it. The
tests are the ones the monthly report quotes (stated once, in
:mod:`auditlib.analysis.comparisons`); with a breakdown (team, area, cohort or domain) each
group is tested too and the p-values are Holm-adjusted across the groups.

Every count the report shows passes through the disclosure profile: the
figures (``shift-figures.json``) are protected with
:func:`auditlib.disclosure.apply_to_figures` and the tables show a count only
where the protected figures do.

:func:`run_shift_report` executes the notebook with papermill and publishes
``outputs/shifts/<A>_vs_<B>[_by-<by>]/`` atomically (what ``auditlib shifts`` runs).
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.transforms import blended_transform_factory
from statsmodels.stats.multitest import multipletests

from auditlib import __version__
from auditlib import disclosure as dc
from auditlib.analysis import comparisons, metrics, spc, stats
from auditlib.data import schema
from auditlib.data.pipeline import AuditData, load_audit_data
from auditlib.data.programme import format_month, iter_months, previous_month
from auditlib.errors import ReportError
from auditlib.paths import DEMO_DATA_DIR
from auditlib.publish.export import write_figures_json
from auditlib.publish.layout import SHIFTS_FIGURES_FILE as FIGURES_FILE
from auditlib.report import display, wording
from auditlib.report.charts.judgements import plot_judgements_by_group
from auditlib.report.charts.statistical import plot_funnel, plot_reaudit_heatmap, plot_spc
from auditlib.report.monthly import (
    DEFINITIONS,
    Block,
    Callout,
    Figure,
    Heading,
    Markdown,
    Table,
    reaudit_table,
    show_blocks,
    title_facts,
)

__all__ = [
    "BREAKDOWNS",
    "Period",
    "ShiftReport",
    "adjust_holm",
    "check_periods",
    "output_folder_name",
    "parse_period",
]

FIGURES_VERSION: Final = 1

#: Breakdowns a report can make, and what the report calls one group of each.
BREAKDOWNS: Final = {
    "team": "team",
    "area": "area",
    "cohort": "cohort",
    "domain": "practice domain",
}
#: Breakdowns whose groups split the audits (each audit in exactly one): their counts add
#: up to the period's, so the disclosure control protects the columns too.
PARTITIONS: Final = ("team", "area")
#: Figures keys of the two measures (shifts.MEASURES names them for people).
MEASURE_KEYS: Final = {"% Good or better": "good_or_better", "% Inadequate": "inadequate"}
#: The collapsed scale the breakdown tables count over: Good or better, then the rest.
GOOD_OR_BETTER_LABEL: Final = "Good or better"
COLLAPSED_LABELS: Final = (
    GOOD_OR_BETTER_LABEL,
    schema.REQUIRES_IMPROVEMENT,
    schema.INADEQUATE,
    schema.NOT_RECORDED,
)
#: Fewer pairs than this and a kappa is not worth quoting (as in the monthly report).
MIN_MODERATION_PAIRS: Final = 10
#: Funnel plots need at least this many groups with audits (as in the monthly report).
MIN_FUNNEL_UNITS: Final = 3

_PERIOD_RE: Final = re.compile(r"^\s*(\d{4}-\d{2})\s*(?::\s*(\d{4}-\d{2})\s*)?$")
_MONTH_RE: Final = re.compile(schema.MONTH_PATTERN)
_PERCENT: Final = re.compile(r"\d+(?:\.\d+)?%")
_N_RE: Final = re.compile(r"n=\d[\d,]*")
_MONTH_NAME_RE: Final = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December)\b"
)
_MINUS: Final = "−"
_GROUP_NUMERIC: Final = ("n A", "n B", "A", "B", "B\u00a0−\u00a0A", "95% CI", "p", "Holm p")
_DASH: Final = "–"

VERDICT_WORDS: Final = {
    "improvement": "Significant improvement",
    "deterioration": "Significant deterioration",
    "none": "No significant difference",
    "few": "Too few audits to tell",
}


#: The same verdicts, short enough for a table column.
TABLE_VERDICTS: Final = {
    "improvement": "Significant improvement",
    "deterioration": "Significant deterioration",
    "none": "Not significant",
    "few": "Too few to test",
}


# ------------------------------------------------------------------ blocks
@dataclass(frozen=True)
class NumericTable(Table):
    """A table whose ``numeric`` columns are right-aligned as numbers even where a cell carries
    a flag ("13% [low]") or a range ("−4.6 to +12.6"), which the display helper would not
    recognise as numbers on its own."""

    numeric: tuple[str, ...] = ()


def show_report_blocks(blocks: Iterable[Block]) -> None:
    """Display blocks as :func:`auditlib.report.monthly.show_blocks` does, with :class:`NumericTable`."""

    for block in blocks:
        if isinstance(block, NumericTable):
            display.show_table(
                block.frame,
                block.caption,
                note=block.note,
                index=block.index,
                numeric=[c for c in block.numeric if c in block.frame.columns],
            )
        else:
            show_blocks([block])


# ------------------------------------------------------------------ periods
@dataclass(frozen=True)
class Period:
    """A run of programme months, ``first`` to ``last`` inclusive (``YYYY-MM``)."""

    first: str
    last: str

    @property
    def months(self) -> list[str]:
        return list(iter_months(self.first, self.last))

    @property
    def spec(self) -> str:
        """As written on the command line: ``2019-09:2020-02`` (one month: ``2020-09``)."""
        return self.first if self.first == self.last else f"{self.first}:{self.last}"

    @property
    def slug(self) -> str:
        """For a folder name (no colon): ``2019-09_to_2020-02``."""
        return self.first if self.first == self.last else f"{self.first}_to_{self.last}"

    def overlaps(self, other: Period) -> bool:
        return self.first <= other.last and other.first <= self.last


def parse_period(text: str, name: str = "period") -> Period:
    """A period from ``FROM:TO`` (months ``YYYY-MM``) or one month ``YYYY-MM``.

    >>> parse_period("2019-09:2020-02").months[:2], parse_period(" 2020-09 ").spec
    (['2019-09', '2019-10'], '2020-09')
    """
    found = _PERIOD_RE.match(str(text)) if isinstance(text, str) else None
    how = (
        "write it as FROM:TO with months YYYY-MM, e.g. 2019-09:2020-02, or one month, e.g. 2020-09"
    )
    if not found:
        raise ReportError(f"{name} {text!r} is not a period: {how}.")
    first, last = found[1], found[2] or found[1]
    for month in (first, last):
        if not _MONTH_RE.match(month):
            raise ReportError(f"{name} {text!r}: {month} is not a month; {how}.")
    if last < first:
        raise ReportError(
            f"{name} {text!r} runs backwards: {format_month(first)} is after "
            f"{format_month(last)}. Write the earlier month first."
        )
    return Period(first, last)


def check_periods(a: Period, b: Period) -> None:
    """Period B must come after period A, without overlapping it."""
    if b.last < a.first:
        raise ReportError(
            f"Period B ({b.spec}) comes before period A ({a.spec}): A is the earlier period, "
            "the reference, and B the one compared with it. Swap them."
        )
    if a.overlaps(b):
        raise ReportError(
            f"Periods A ({a.spec}) and B ({b.spec}) overlap: an audit cannot be compared with "
            "itself. Choose periods that share no month, A before B."
        )


def output_folder_name(a: Period, b: Period, by: str | None) -> str:
    """``2019-09_to_2020-02_vs_2020-06_to_2020-09[_by-team]``."""
    return f"{a.slug}_vs_{b.slug}" + (f"_by-{by}" if by else "")


def check_by(by: str | None) -> str | None:
    by = (by or "").strip().lower() or None
    if by is not None and by not in BREAKDOWNS:
        raise ReportError(
            f"Unknown breakdown {by!r}: use one of {', '.join(BREAKDOWNS)} (or none)."
        )
    return by


# ------------------------------------------------------------------ statistics helpers
def adjust_holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment of p-values for multiple comparisons (NaN kept as NaN).

    >>> [round(p, 3) for p in adjust_holm([0.01, 0.04, 0.03])]
    [0.03, 0.06, 0.06]
    """

    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = multipletests(p[ok], alpha=stats.ALPHA, method="holm")[1]
    return out.tolist()


def _verdict_code(comparison: stats.ProportionComparison, improvement: str, p_value: float) -> str:
    if not p_value < stats.ALPHA:
        return "none"
    better = (comparison.difference < 0) == (improvement == "down")
    return "improvement" if better else "deterioration"


def _signed(x: float, ndigits: int = 1) -> str:
    """'+5.9', '−4.6', '0.0' (percentage points, half-up)."""
    value = wording.round_half_up(x, ndigits)
    if value == 0:
        return f"{0:.{ndigits}f}"
    text = f"{abs(value):.{ndigits}f}"
    return f"+{text}" if value > 0 else f"{_MINUS}{text}"


def _range(low: float, high: float, ndigits: int = 1) -> str:
    """A confidence interval that never breaks across lines: '−0.6 to +12.6'."""
    return f"{_signed(low, ndigits)}\u00a0to\u00a0{_signed(high, ndigits)}"


def _p_text(p: float) -> str:
    """A p-value for a table cell: '0.075', '< 0.001'."""
    return wording.format_p(p).removeprefix("p = ").replace("p < ", "< ")


def _pct_number(x: float, ndigits: int = 1) -> str:
    return f"{wording.round_half_up(x, ndigits):.{ndigits}f}%"


def _measure_counts(counts: pd.Series | Mapping[str, int], measure: str) -> int:
    labels, _ = comparisons.MEASURES[measure]
    return int(sum(int(counts[label]) for label in labels))


def _article(noun: str) -> str:
    """'An' before a vowel sound ('An area'), else 'A' ('A team')."""
    return "An" if noun[:1].lower() in "aeiou" else "A"


def _join_words(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _close(fig: Any) -> None:

    plt.close(fig)


# ------------------------------------------------------------------ the report
@dataclass
class ShiftReport:
    """Everything a judgement-shift report shows, computed once."""

    a: Period
    b: Period
    by: str | None
    data: AuditData
    profile: dc.DisclosureProfile
    figures: dict[str, Any] = field(default_factory=dict)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    # -------------------------------------------------------------- building
    @classmethod
    def prepare(
        cls,
        a: str,
        b: str,
        by: str | None = None,
        data_dir: str | Path | None = None,
        disclosure: str | None = None,
    ) -> ShiftReport:
        """Check the periods, load and clean the data folder (default: the demo programme)
        and compute every figure. Bad periods raise :class:`ReportError` before any loading."""
        period_a = parse_period(a, "Period A")
        period_b = parse_period(b, "Period B")
        check_periods(period_a, period_b)
        by = check_by(by)
        data = load_audit_data(Path(data_dir) if data_dir else DEMO_DATA_DIR)
        return cls.from_data(data, period_a, period_b, by, disclosure)

    @classmethod
    def from_data(
        cls,
        data: AuditData,
        a: Period | str,
        b: Period | str,
        by: str | None = None,
        disclosure: str | None = None,
    ) -> ShiftReport:
        """The report for already-loaded data (tests change ``data.audits`` and call this)."""
        period_a = a if isinstance(a, Period) else parse_period(a, "Period A")
        period_b = b if isinstance(b, Period) else parse_period(b, "Period B")
        check_periods(period_a, period_b)
        by = check_by(by)
        profile = dc.DisclosureProfile.from_name(disclosure or data.programme.disclosure)
        report = cls(period_a, period_b, by, data, profile)
        for name, period in (("A", period_a), ("B", period_b)):
            report._check_has_audits(name, period)
        if by is not None:
            report._check_breakdown()
        report.figures = report._build_figures()
        return report

    def _check_has_audits(self, name: str, period: Period) -> None:
        audited = set(metrics.audited_months(self.data.audits))
        months = [mo for mo in period.months if mo in audited]
        label = self.period_label(period)
        if not months:
            pauses = [
                p
                for p in self.data.programme.pauses
                if p.start <= period.last and period.first <= p.end
            ]
            why = ""
            if pauses:
                why = (
                    " (the programme was paused: "
                    + "; ".join(
                        f"{p.start} to {p.end}, {p.reason or 'no reason given'}" for p in pauses
                    )
                    + ")"
                )
            folded = [
                (mo, previous_month(mo))
                for mo in period.months
                if format_month(mo).split()[0]
                in self.data.programme.month_labels.get(previous_month(mo), "")
            ]
            for mo, into in folded:
                why += (
                    f" ({format_month(mo)} was part of the "
                    f"{self.data.programme.label_for(into)} round, whose audits are counted "
                    f"under {into}: start the period at {into})"
                )
            span = sorted(audited)
            have = f"{span[0]} to {span[-1]}" if span else "none"
            raise ReportError(
                f"Period {name} ({period.spec}, {label}) has no audits{why}. "
                f"Months with audits: {have}."
            )
        completed = int(comparisons.pooled_counts(self.data.audits, period.months)["completed"])
        if completed == 0:
            raise ReportError(
                f"Period {name} ({period.spec}, {label}) has allocated audits but none completed "
                "yet, so there are no judgements to compare."
            )

    def _check_breakdown(self) -> None:
        if self.by in PARTITIONS:
            column = schema.TEAM if self.by == "team" else schema.AREA
            rows = metrics.select(self.data.audits, [*self.a.months, *self.b.months])
            if column not in rows or rows[column].isna().all():
                raise ReportError(
                    f"The data record no {self.by} for the audits of these periods, so there is "
                    f"nothing to break down by {self.by}."
                )
        elif self.by == "domain" and not any(
            c.startswith(schema.DOMAIN_PREFIX) for c in self.data.audits.columns
        ):
            raise ReportError(
                "The data have no domain judgements (judgement_<domain> columns), so there is "
                "nothing to break down by domain."
            )

    # -------------------------------------------------------------- naming
    def period_label(self, period: Period) -> str:
        """'September 2019 to February 2020', 'June to September 2020', 'September 2020'."""
        first = self.data.programme.label_for(period.first)
        last = self.data.programme.label_for(period.last)
        if period.first == period.last:
            return first
        a, b = first.rsplit(" ", 1), last.rsplit(" ", 1)
        if a[-1] == b[-1] and len(a) == 2 and len(b) == 2:
            return f"{a[0]} to {last}"
        return f"{first} to {last}"

    def short_label(self, period: Period) -> str:
        """The period label with short month names, for table rows and chart labels:
        'Sep 2019 to Feb 2020'."""
        return _MONTH_NAME_RE.sub(lambda found: found[0][:3], self.period_label(period))

    @property
    def label_a(self) -> str:
        return self.period_label(self.a)

    @property
    def label_b(self) -> str:
        return self.period_label(self.b)

    @property
    def title(self) -> str:
        """The report's title (also the HTML page title)."""
        return f"Judgement shifts: {self.label_b} against {self.label_a}"

    @property
    def group_noun(self) -> str:
        return BREAKDOWNS[self.by] if self.by else ""

    # -------------------------------------------------------------- computed once
    def _cached(self, key: str, make: Any) -> Any:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def counts(self, period: Period) -> pd.Series:
        """The period's count row: completed audits by final judgement, and ``completed``."""
        return self._cached(
            f"counts:{period.spec}",
            lambda: comparisons.pooled_counts(self.data.audits, period.months),
        )

    @property
    def comparison(self) -> comparisons.Comparison:
        """B against A: each measure's share, and the ordinal distribution."""
        return self._cached(
            "comparison",
            lambda: comparisons.compare_counts(
                self.counts(self.b), self.counts(self.a), self.label_b, self.label_a
            ),
        )

    @property
    def last_month(self) -> str:
        """The last month with audits: the SPC charts run to it."""
        return max(metrics.audited_months(self.data.audits))

    @property
    def trend(self) -> pd.DataFrame:
        return self._cached(
            "trend",
            lambda: metrics.judgement_trend(self.data.audits, self.data.programme, self.last_month),
        )

    @property
    def spc(self) -> dict[str, Any]:
        return self._cached(
            "spc",
            lambda: {
                measure: comparisons.spc_for_measure(
                    self.trend, measure, self.data.programme.spc_rebase
                )
                for measure in comparisons.MEASURES
            },
        )

    @property
    def reaudit_pairs(self) -> pd.DataFrame:
        return self._cached(
            "pairs", lambda: comparisons.reaudit_pairs(self.data.audits, self.b.months)
        )

    @property
    def reaudits(self) -> stats.ReauditShift | None:
        def make() -> stats.ReauditShift | None:
            pairs = self.reaudit_pairs
            graded = pairs["original"].isin(schema.JUDGEMENTS) & pairs["reaudit"].isin(
                schema.JUDGEMENTS
            )
            if graded.sum() < 2:
                return None
            return stats.summarise_reaudit_shifts(pairs, "original", "reaudit")

        return self._cached("reaudits", make)

    @property
    def moderation(self) -> pd.DataFrame:
        """Audits of B with a judgement from both the auditor and the moderator (graded)."""

        def make() -> pd.DataFrame:
            pairs = comparisons.moderation_pairs(self.data.audits, self.b.months)
            graded = pairs["auditor"].isin(schema.JUDGEMENTS) & pairs["moderator"].isin(
                schema.JUDGEMENTS
            )
            return pairs.loc[graded]

        return self._cached("moderation", make)

    @property
    def kappa(self) -> stats.KappaResult | None:
        def make() -> stats.KappaResult | None:
            pairs = self.moderation
            if len(pairs) < MIN_MODERATION_PAIRS or pairs.nunique().min() < 2:
                return None
            return stats.compute_kappa(pairs, "auditor", "moderator")

        return self._cached("kappa", make)

    def group_counts(self, period: Period) -> pd.DataFrame:
        """The breakdown's count table for a period (every group of either period, zeros kept)."""

        def make() -> pd.DataFrame:
            tables = {p.spec: self._raw_group_counts(p) for p in (self.a, self.b)}
            index = tables[self.a.spec].index.union(tables[self.b.spec].index, sort=False)
            if self.by in PARTITIONS:
                index = index.sort_values()
            return {
                spec: t.reindex(index, fill_value=0).astype("int64") for spec, t in tables.items()
            }

        return self._cached("groups", make)[period.spec]

    def _raw_group_counts(self, period: Period) -> pd.DataFrame:
        audits = self.data.audits
        if self.by in PARTITIONS:
            column = schema.TEAM if self.by == "team" else schema.AREA
            table = metrics.count_judgements(audits, period.months, by=column)
            table.index = pd.Index([str(i) for i in table.index], name=self.by)
        elif self.by == "cohort":
            table = metrics.judgements_by_cohort(audits, period.months)
        elif self.by == "domain":
            table = metrics.judgements_by_domain(audits, period.months)
        else:  # pragma: no cover - checked in from_data
            raise ReportError(f"no breakdown {self.by!r}")
        return table[[*schema.JUDGEMENT_LABELS, schema.COMPLETED]]

    @property
    def group_tests(self) -> pd.DataFrame:
        """One row per (group, measure): counts in A and B, the test, Holm-adjusted p, verdict."""
        return self._cached("group_tests", self._compute_group_tests)

    def _compute_group_tests(self) -> pd.DataFrame:
        ta, tb = self.group_counts(self.a), self.group_counts(self.b)
        rows = []
        for measure, (_labels, direction) in comparisons.MEASURES.items():
            part = []
            for group in ta.index:
                ka, na = (
                    _measure_counts(ta.loc[group], measure),
                    int(ta.at[group, schema.COMPLETED]),
                )
                kb, nb = (
                    _measure_counts(tb.loc[group], measure),
                    int(tb.at[group, schema.COMPLETED]),
                )
                row: dict[str, Any] = {
                    "group": group,
                    "measure": measure,
                    "k_a": ka,
                    "n_a": na,
                    "k_b": kb,
                    "n_b": nb,
                    "comparison": None,
                    "p_value": float("nan"),
                }
                if min(na, nb) >= wording.MIN_AUDITS:
                    c = stats.compare_proportions(kb, nb, ka, na)
                    row["comparison"] = c
                    row["p_value"] = c.p_value
                part.append(row)
            holm = adjust_holm([r["p_value"] for r in part])
            for r, p_holm in zip(part, holm, strict=True):
                r["p_holm"] = p_holm
                c = r["comparison"]
                r["verdict"] = "few" if c is None else _verdict_code(c, direction, p_holm)
                r["raw_verdict"] = "few" if c is None else _verdict_code(c, direction, c.p_value)
            rows.extend(part)
        return pd.DataFrame(rows)

    # -------------------------------------------------------------- figures
    def _period_figures(self, period: Period) -> dict[str, Any]:
        counts = self.counts(period)
        n = int(counts[schema.COMPLETED])
        allocated = metrics.compute_compliance(
            self.data.audits, period.months, schema.AUDIT
        ).allocated
        audited = set(metrics.audited_months(self.data.audits))
        pct = (lambda k: 100 * k / n) if n else (lambda k: None)
        good = _measure_counts(counts, "% Good or better")
        return {
            "from": period.first,
            "to": period.last,
            "label": self.period_label(period),
            "months": period.months,
            "months_with_audits": [mo for mo in period.months if mo in audited],
            "paused_months": [
                mo for mo in period.months if self.data.programme.pause_for(mo) is not None
            ],
            "allocated": int(allocated),
            "completed": n,
            "judgements": {label: int(counts[label]) for label in schema.JUDGEMENT_LABELS},
            "judgements_pct": {label: pct(int(counts[label])) for label in schema.JUDGEMENT_LABELS},
            "good_or_better": good,
            "good_or_better_pct": pct(good),
        }

    @staticmethod
    def _proportion_figures(
        c: stats.ProportionComparison, improvement: str, p_value: float | None = None
    ) -> dict[str, Any]:
        p = c.p_value if p_value is None else p_value
        return {
            "difference_pp": c.difference_pp,
            "ci_low_pp": 100 * c.ci_low,
            "ci_high_pp": 100 * c.ci_high,
            "ci_level": c.level,
            "test": "Fisher's exact test" if c.test == "fisher" else "z test",
            "p_value": c.p_value,
            "significant": bool(p < stats.ALPHA),
            "improvement": improvement,
            "verdict": VERDICT_WORDS[_verdict_code(c, improvement, p)].lower(),
        }

    def _build_figures(self) -> dict[str, Any]:
        data, programme = self.data, self.data.programme
        as_at = metrics.default_as_at(data.audits, programme)
        comparison = self.comparison
        figures: dict[str, Any] = {
            "figures_version": FIGURES_VERSION,
            "report": "judgement shifts",
            "title": self.title,
            "organisation": programme.organisation,
            "programme_name": programme.programme,
            "contact": programme.contact,
            "as_at": as_at.isoformat() if as_at else None,
            "period_a": self._period_figures(self.a),
            "period_b": self._period_figures(self.b),
            "by": self.by,
        }
        tests: dict[str, Any] = {}
        for measure, (_labels, direction) in comparisons.MEASURES.items():
            c = comparison.proportions.get(measure)
            if c is not None:
                tests[MEASURE_KEYS[measure]] = {
                    "measure": measure,
                    **self._proportion_figures(c, direction),
                }
        dist = comparison.distribution
        if dist is not None:
            tests["distribution"] = {
                "test": dist.quoted.name,
                "p_value": dist.quoted.p_value,
                "significant": dist.significant,
                "cliffs_delta": dist.cliffs_delta,
                "cliffs_delta_ci_low": dist.cliffs_delta_ci[0],
                "cliffs_delta_ci_high": dist.cliffs_delta_ci[1],
                "mann_whitney_p": dist.mann_whitney.p_value,
                "chi_square": dist.chi_square.statistic,
                "chi_square_df": dist.chi_square.df,
                "chi_square_p": dist.chi_square.p_value,
                "cramers_v": dist.cramers_v,
                "cochran_armitage": dist.cochran_armitage.statistic,
                "cochran_armitage_p": dist.cochran_armitage.p_value,
                "mean_score_a": dist.mean_score_b,  # stats' "b" is the reference, period A
                "mean_score_b": dist.mean_score_a,
                "small_expected": dist.small_expected,
                "verdict": "no significant shift"
                if not dist.significant
                else ("significantly better" if dist.cliffs_delta > 0 else "significantly worse"),
            }
        figures["comparison"] = tests
        figures["spc"] = self._spc_figures()
        figures["reaudits"] = self._reaudit_figures()
        figures["moderation"] = self._moderation_figures()
        if self.by:
            figures["breakdown"] = self._breakdown_figures()
        figures["auditlib_version"] = __version__
        figures["input_hash"] = data.input_hash
        return figures

    def _spc_figures(self) -> dict[str, Any]:
        out: dict[str, Any] = {"from_month": self.trend.index[0], "to_month": self.last_month}
        for measure, chart in self.spc.items():
            summary = chart.summary()
            points = chart.data
            entry: dict[str, Any] = {
                "measure": measure,
                "mean": summary["mean"],
                "lower_limit": summary["lower"],
                "upper_limit": summary["upper"],
                "trial_limits": summary["trial_limits"],
                "latest_variation": summary["variation"],
            }
            for key, period in (("a", self.a), ("b", self.b)):
                inside = points[points["x"].isin(period.months) & points["value"].notna()]
                special = inside[inside["point_type"] != "common_cause"]
                entry[f"months_charted_{key}"] = [str(x) for x in inside["x"]]
                entry[f"special_cause_months_{key}"] = {
                    str(x): str(t) for x, t in zip(special["x"], special["point_type"], strict=True)
                }
            out[MEASURE_KEYS[measure]] = entry
        return out

    def _reaudit_figures(self) -> dict[str, Any]:
        shift = self.reaudits
        out: dict[str, Any] = {"months": self.b.months}
        if shift is None:
            out["change_total"] = len(self.reaudit_pairs)
            return out
        n = shift.n
        changes = {"improved": shift.n_improved, "same": shift.n_same, "declined": shift.n_declined}
        out.update(
            {
                "change_counts": changes,
                "change_total": n,
                "change_counts_pct": {k: 100 * v / n for k, v in changes.items()},
                "excluded_count": shift.n_excluded,
                "stuart_maxwell": shift.stuart_maxwell.statistic,
                "stuart_maxwell_df": shift.stuart_maxwell.df,
                "stuart_maxwell_p": shift.stuart_maxwell.p_value,
                "bowker_p": shift.bowker.p_value,
                "mcnemar_good_or_better_p": shift.mcnemar_good_or_better.p_value,
                "significant": shift.significant,
            }
        )
        return out

    def _moderation_figures(self) -> dict[str, Any]:
        pairs = self.moderation
        score = schema.JUDGEMENT_SCORE
        before = pairs["auditor"].map(score).astype(float)
        after = pairs["moderator"].map(score).astype(float)
        changes = {
            "same": int((before == after).sum()),
            "raised": int((after > before).sum()),
            "lowered": int((after < before).sum()),
        }
        out: dict[str, Any] = {
            "months": self.b.months,
            "grade_counts": changes,
            "grade_total": len(pairs),
        }
        if self.kappa is not None:
            k = self.kappa
            out.update(
                {
                    "kappa": k.kappa,
                    "kappa_ci_low": k.ci_low,
                    "kappa_ci_high": k.ci_high,
                    "kappa_weights": k.weights,
                    "kappa_p": k.p_value,
                }
            )
        return out

    def _breakdown_figures(self) -> dict[str, Any]:
        ta, tb = self.group_counts(self.a), self.group_counts(self.b)
        tests = self.group_tests
        groups = []
        for group in ta.index:
            entry: dict[str, Any] = {"group": str(group)}
            for key, table in (("period_a", ta), ("period_b", tb)):
                row = table.loc[group]
                collapsed = _collapse(row)
                n = int(row[schema.COMPLETED])
                entry[key] = {
                    "judgement_counts": collapsed,
                    "judgement_total": n,
                    "judgement_counts_pct": {
                        label: (100 * v / n if n else None) for label, v in collapsed.items()
                    },
                }
            entry_tests = {}
            for measure, (_labels, direction) in comparisons.MEASURES.items():
                r = tests.loc[(tests["group"] == group) & (tests["measure"] == measure)].iloc[0]
                c = r["comparison"]
                if c is None:
                    entry_tests[MEASURE_KEYS[measure]] = {"verdict": VERDICT_WORDS["few"].lower()}
                else:
                    entry_tests[MEASURE_KEYS[measure]] = {
                        **self._proportion_figures(c, direction, r["p_holm"]),
                        "p_holm": r["p_holm"],
                    }
            entry["tests"] = entry_tests
            groups.append(entry)
        return {
            "by": self.by,
            "p_adjustment": "Holm",
            # a threshold, not a count of audits: text, so disclosure control leaves it alone
            "tested_when": f"at least {wording.MIN_AUDITS} completed audits in both periods",
            "groups": groups,
        }

    @property
    def published_figures(self) -> dict[str, Any]:
        """shift-figures.json as written: the figures with the disclosure profile applied."""
        return self._cached("published", lambda: protect_figures(self.figures, self.profile))

    def save_figures(self, output_dir: str | os.PathLike[str] | None) -> Path | None:
        """Write shift-figures.json (disclosure applied) into ``output_dir``; nothing when empty."""
        if not output_dir:
            return None

        return write_figures_json(self.published_figures, output_dir, FIGURES_FILE)

    # -------------------------------------------------------------- disclosure helpers
    def _shown(self, value: Any) -> bool:
        return not (isinstance(value, str) and value == dc.SUPPRESSED)

    def _published_period(self, period: Period) -> dict[str, Any]:
        key = "period_a" if period == self.a else "period_b"
        return self.published_figures[key]

    def _measure_shown(self, period: Period, measure: str) -> bool:
        """Whether the protected figures show a period's measure count and its total."""
        pub = self._published_period(period)
        key = "good_or_better" if measure == "% Good or better" else None
        k = pub[key] if key else pub["judgements"][schema.INADEQUATE]
        return self._shown(k) and self._shown(pub["completed"])

    def _pct(self, k: int, n: int, shown: bool = True) -> str:
        if not shown:
            return dc.SUPPRESSED
        return dc.format_pct(k, n, self.profile)

    def _count(self, n: Any) -> str:
        return dc.format_count(n, self.profile) if self._shown(n) else dc.SUPPRESSED

    def _disclose(self, sentence: str, shown: bool) -> str:
        """A sentence whose shares rest on a hidden count loses its percentages."""
        return sentence if shown else _PERCENT.sub(dc.SUPPRESSED, sentence)

    # -------------------------------------------------------------- title and summary
    def title_blocks(self) -> list[Block]:
        intro = (
            f"This report asks whether audit judgements in **period B, {self.label_b}**, differ "
            f"from those in **period A, {self.label_a}** (the reference), by more than chance "
            "would explain."
        )
        if self.by:
            intro += f" It also compares the two periods {self._by_words()}."
        return [
            Markdown(f"# {self.title}"),
            Markdown(title_facts(self.figures, self.profile)),
            Markdown(intro),
        ]

    def _by_words(self) -> str:
        return {
            "team": "team by team",
            "area": "area by area",
            "cohort": "cohort by cohort (practice-theme cohorts)",
            "domain": "practice domain by practice domain",
        }[self.by or ""]

    def _proportion_sentence(self, measure: str) -> str:
        c = self.comparison.proportions[measure]
        _, direction = comparisons.MEASURES[measure]
        sentence = wording.describe_proportion_comparison(
            c,
            measure.removeprefix("% "),
            period=f"in {self.label_b}",
            reference=f"in {self.label_a}",
            improvement=direction,
        )
        if self._measure_shown(self.a, measure) and self._measure_shown(self.b, measure):
            return sentence
        # The difference and p-value would let a reader work the hidden count out again.
        return (
            f"{measure}: not shown in this published version, because a count it rests on is "
            f"suppressed ({dc.SUPPRESSED})."
        )

    def _distribution_sentence(self) -> str | None:
        dist = self.comparison.distribution
        if dist is None:
            return None
        sentence = wording.describe_distribution_comparison(
            dist, period=f"in {self.label_b}", reference=f"in {self.label_a}"
        )
        return sentence if self._graded_shown() else _N_RE.sub(f"n={dc.SUPPRESSED}", sentence)

    def _graded_shown(self) -> bool:
        """Whether the graded totals (completed less Not recorded) can be shown: under
        ``published`` they would reveal a hidden Not recorded count."""
        for period in (self.a, self.b):
            pub = self._published_period(period)
            if not (
                self._shown(pub["completed"])
                and self._shown(pub["judgements"][schema.NOT_RECORDED])
            ):
                return False
        return True

    def headline(self) -> str:
        """One sentence a manager can quote: what, if anything, changed between the periods."""
        a, b = self.label_a, self.label_b
        codes = {
            measure: _verdict_code(c, comparisons.MEASURES[measure][1], c.p_value)
            for measure, c in self.comparison.proportions.items()
            # under published, a measure resting on a suppressed count is not spoken of at all
            if self._measure_shown(self.a, measure) and self._measure_shown(self.b, measure)
        }
        better = [mm for mm, code in codes.items() if code == "improvement"]
        worse = [mm for mm, code in codes.items() if code == "deterioration"]
        if better and worse:
            return (
                f"A mixed picture: {_join_words(better)} improved but {_join_words(worse)} "
                f"deteriorated in {b} compared with {a}, each by more than chance would explain."
            )
        if better or worse:
            moved = _join_words(better or worse)
            return (
                f"Judgements were {'better' if better else 'worse'} in {b} than in {a}: "
                f"{moved} {'improved' if better else 'deteriorated'} by more than chance "
                "would explain."
            )
        dist = self.comparison.distribution
        if dist is not None and dist.significant:
            return (
                f"Judgements as a whole were {'better' if dist.cliffs_delta > 0 else 'worse'} in "
                f"{b} than in {a}"
                + (
                    ", but neither % Good or better nor % Inadequate on its own changed by more "
                    "than chance would explain."
                    if len(codes) == len(self.comparison.proportions)
                    else "."
                )
            )
        if len(codes) < len(self.comparison.proportions):
            return f"No difference shown between {b} and {a} is larger than chance would explain."
        return f"No difference between {b} and {a} is larger than chance would explain."

    def summary_blocks(self) -> list[Block]:
        paragraphs = [self.headline()]
        paragraphs += [self._proportion_sentence(measure) for measure in comparisons.MEASURES]
        dist = self._distribution_sentence()
        if dist:
            paragraphs.append(dist)
        if self.reaudits is not None and self.reaudits.n >= wording.MIN_AUDITS:
            paragraphs.append(
                f"Re-audits in {self.label_b}: "
                + self._reaudit_sentence()[0].lower()
                + self._reaudit_sentence()[1:]
            )
        if self.by:
            paragraphs.append(f"By {self.group_noun}: " + self._breakdown_summary())
        return [
            Heading("In brief"),
            Callout(
                "\n\n".join(paragraphs),
                "verdict",
                f"Verdicts: {self.label_b} against {self.label_a}",
            ),
            Markdown(
                "*Significant* means a difference this large would arise by chance less than "
                f"{wording.format_pct(100 * stats.ALPHA)} of the time (p < {stats.ALPHA:g}) if nothing had "
                "changed; *no significant difference* means the data cannot tell a real change "
                "from chance, not that nothing changed."
            ),
        ]

    # -------------------------------------------------------------- distributions
    def _period_table(self) -> pd.DataFrame:
        rows = pd.DataFrame(
            [self.counts(self.a), self.counts(self.b)],
            index=pd.Index(
                [f"A: {self.short_label(self.a)}", f"B: {self.short_label(self.b)}"], name="Period"
            ),
        )[[*schema.JUDGEMENT_LABELS, schema.COMPLETED]].astype("int64")
        return rows

    def distribution_blocks(self) -> list[Block]:

        blocks: list[Block] = [Heading("Judgements in the two periods")]
        notes = []
        for name, period in (("A", self.a), ("B", self.b)):
            pub = self._published_period(period)
            text = (
                f"Period {name}, {self.period_label(period)}: {self._count(pub['completed'])} "
                f"completed audits (of {self._count(pub['allocated'])} allocated)"
            )
            without = [mo for mo in period.months if mo not in pub["months_with_audits"]]
            if without:
                words = []
                for mo in without:
                    pause = self.data.programme.pause_for(mo)
                    why = "paused" if pause else "no audit round"
                    words.append(f"{format_month(mo)} ({why})")
                text += f"; no audits in {_join_words(words)}"
            notes.append(f"- {text}.")
        blocks.append(Markdown("\n".join(notes)))
        counts = self._period_table()
        table = dc.display_share_table(counts, self.profile, cells=list(schema.JUDGEMENT_LABELS))
        table = self._overlay_period_suppression(table)
        blocks.append(
            Table(
                table,
                "Overall judgements in each period: completed audits (% of the period)",
                note="Final judgement: the moderated judgement where there is one, else the "
                "auditor's. Re-audits are not counted. Percentages are rounded half up, so a "
                "period may not sum to exactly 100%.",
            )
        )
        if self._any_hidden_in_periods():
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
                Figure(
                    fig,
                    alt,
                    f"Period A is {self.label_a}; period B is {self.label_b}. Each bar is 100% of "
                    "the period's completed audits.",
                )
            )
        return blocks

    def _overlay_period_suppression(self, table: pd.DataFrame) -> pd.DataFrame:
        """Hide in the display table every count the protected figures hide (and its share)."""
        if not self.profile.suppresses:
            return table
        out = table.copy()
        for i, period in enumerate((self.a, self.b)):
            pub = self._published_period(period)
            if not self._shown(pub["completed"]):
                out.iloc[i, -1] = dc.SUPPRESSED
            for label in schema.JUDGEMENT_LABELS:
                if not self._shown(pub["judgements"][label]):
                    out.iloc[i, out.columns.get_loc(label)] = dc.SUPPRESSED
        return out

    def _any_hidden_in_periods(self) -> bool:
        if not self.profile.suppresses:
            return False
        for period in (self.a, self.b):
            pub = self._published_period(period)
            if not self._shown(pub["completed"]):
                return True
            if any(not self._shown(v) for v in pub["judgements"].values()):
                return True
        return False

    # -------------------------------------------------------------- comparisons
    def comparison_blocks(self) -> list[Block]:
        blocks: list[Block] = [
            Heading("Is the change real?"),
            Markdown(
                f"Each measure in period B ({self.label_b}) against period A ({self.label_a}), "
                "then the whole spread of judgements, with the tests behind the verdicts in "
                "*In brief*."
            ),
        ]
        comparison = self.comparison
        rows = []
        for measure in comparisons.MEASURES:
            c = comparison.proportions.get(measure)
            if c is None:
                continue
            shown = self._measure_shown(self.a, measure) and self._measure_shown(self.b, measure)
            hide = dc.SUPPRESSED
            rows.append(
                {
                    "Measure": measure,
                    "A": self._pct(c.k2, c.n2, self._measure_shown(self.a, measure)),
                    "B": self._pct(c.k1, c.n1, self._measure_shown(self.b, measure)),
                    "Difference B − A (points)": _signed(c.difference_pp) if shown else hide,
                    "95% CI (points)": _range(100 * c.ci_low, 100 * c.ci_high) if shown else hide,
                    "Test": "Fisher's exact" if c.test == "fisher" else "z test",
                    "p-value": _p_text(c.p_value) if shown else hide,
                }
            )
        if rows:
            blocks.append(
                NumericTable(
                    pd.DataFrame(rows).set_index("Measure"),
                    f"Each measure in period B ({self.label_b}) against period A ({self.label_a})",
                    note="Difference in percentage points with Newcombe's hybrid score 95% "
                    "confidence interval; Fisher's exact test when any expected count is below 5, "
                    "otherwise the two-proportion z test.",
                    numeric=("A", "B", "Difference B − A (points)", "95% CI (points)", "p-value"),
                )
            )
        dist = comparison.distribution
        if dist is not None:
            blocks.append(Heading("The whole spread of judgements", 3))
            blocks.append(
                Callout(self._distribution_sentence() or "", "verdict", "Distribution: verdict")
            )
            blocks.append(
                Table(
                    self._distribution_table(dist),
                    self._distribution_caption(),
                    note=self._distribution_note(dist),
                )
            )
        blocks.append(Heading("Which tests, and why", 3))
        blocks.append(Markdown(methods_text()))
        return blocks

    def _distribution_caption(self) -> str:
        return (
            "Tests of the whole distribution of judgements (Outstanding to Inadequate), "
            "period B against period A"
        )

    def _distribution_table(self, dist: stats.DistributionComparison) -> pd.DataFrame:
        lo, hi = dist.cliffs_delta_ci
        mw = dist.quoted
        rows = [
            {
                "Test": f"{mw.name} (quoted)",
                "Statistic": f"{wording.round_half_up(mw.statistic, 1):,.1f}",
                "p-value": _p_text(mw.p_value),
                "Effect size": f"Cliff's delta {_signed(dist.cliffs_delta, 2)} "
                f"(95% CI {_signed(lo, 2)} to {_signed(hi, 2)})",
            }
        ]
        if dist.mann_whitney_exact is not None:
            rows.append(
                {
                    "Test": "Mann–Whitney (normal approximation)",
                    "Statistic": f"{wording.round_half_up(dist.mann_whitney.statistic, 1):,.1f}",
                    "p-value": _p_text(dist.mann_whitney.p_value),
                    "Effect size": _DASH,
                }
            )
        chi = dist.chi_square
        rows.append(
            {
                "Test": f"Chi-square test of homogeneity ({int(chi.df or 0)} df)",
                "Statistic": f"{wording.round_half_up(chi.statistic, 2):.2f}",
                "p-value": _p_text(chi.p_value),
                "Effect size": f"Cramér's V {wording.round_half_up(dist.cramers_v, 2):.2f}",
            }
        )
        if dist.chi_square_exact is not None:
            rows.append(
                {
                    "Test": dist.chi_square_exact.name[:1].upper() + dist.chi_square_exact.name[1:],
                    "Statistic": _DASH,
                    "p-value": _p_text(dist.chi_square_exact.p_value),
                    "Effect size": _DASH,
                }
            )
        ca = dist.cochran_armitage
        rows.append(
            {
                "Test": "Cochran–Armitage trend test (1 df)",
                "Statistic": f"{wording.round_half_up(ca.statistic, 2):.2f}",
                "p-value": _p_text(ca.p_value),
                "Effect size": f"Mean score A {wording.round_half_up(dist.mean_score_b, 2):.2f}, "
                f"B {wording.round_half_up(dist.mean_score_a, 2):.2f}",
            }
        )
        return pd.DataFrame(rows).set_index("Test")

    def _distribution_note(self, dist: stats.DistributionComparison) -> str:
        n_a, n_b = (
            f"{n:,}" if self._graded_shown() else dc.SUPPRESSED for n in (dist.n_b, dist.n_a)
        )
        note = (
            f"Graded audits only (Not recorded has no place on the scale): n = {n_a} in A "
            f"and {n_b} in B. Scores: Outstanding 4, Good 3, Requires Improvement 2, "
            "Inadequate 1. A positive Cliff's delta means judgements in B were better."
        )
        if dist.notes:
            note += " Note: " + "; ".join(dist.notes) + "."
        return note

    # -------------------------------------------------------------- SPC
    def spc_blocks(self) -> list[Block]:

        first = self.data.programme.label_for(self.trend.index[0])
        last = self.data.programme.label_for(self.last_month)
        blocks: list[Block] = [
            Heading("Over the whole programme"),
            Markdown(
                f"The charts show each month's share from {first} to {last} as statistical process "
                "control (SPC) charts in the NHS *Making Data Count* style, with the two periods "
                "shaded. Points outside the dashed process limits, or long runs above or below the "
                "average, signal a real change; anything else is normal month-to-month variation."
            ),
        ]
        for measure, chart in self.spc.items():
            blocks.append(Heading(measure, 3))
            blocks.append(Markdown(self._spc_sentence(measure, chart)))
            fig, alt = plot_spc(
                chart,
                measure=measure,
                title=f"{measure} by month, {first} to {last}",
                latest_label=last,
            )
            _shade_periods(fig, chart, [("A", self.a.months), ("B", self.b.months)])
            alt += (
                f" Period A ({self.label_a}) and period B ({self.label_b}) are shaded and labelled."
            )
            if self._spc_reveals_small(measure):
                _close(fig)
                blocks.append(
                    Markdown(
                        "*The chart is not shown in the published version: a month's share rests "
                        "on fewer than 6 audits and would reveal a suppressed number.*"
                    )
                )
            else:
                blocks.append(
                    Figure(
                        fig,
                        alt,
                        f"{measure} by month (SPC chart). Shaded: period A ({self.label_a}) and "
                        f"period B ({self.label_b}).",
                    )
                )
        return blocks

    def _spc_reveals_small(self, measure: str) -> bool:
        if not self.profile.suppresses:
            return False
        trend = self.trend
        audited = trend["state"] == metrics.AUDITED
        k = comparisons.measure_counts(trend, measure)[audited]
        n = trend.loc[audited, schema.COMPLETED]
        return bool(any(dc.is_small(int(v)) for v in [*k, *n]))

    def _spc_sentence(self, measure: str, chart: Any) -> str:
        """Where each period's months sit on the chart: normal variation, or special cause
        (which kind, which months, which rule)."""

        chart_points = chart.data
        summary = chart.summary()
        kinds = {
            "special_cause_improvement": "special-cause improvement",
            "special_cause_concern": "special-cause concern",
            "special_cause_neither": "special-cause variation",
        }
        lines = []
        for name, period in (("A", self.a), ("B", self.b)):
            inside = chart_points[
                chart_points["x"].isin(period.months) & chart_points["value"].notna()
            ]
            points = len(inside)
            head = f"- **Period {name}** ({points} month{'s' if points != 1 else ''} charted): "
            if not points:
                lines.append(head + "no month with audits.")
                continue
            special = inside[inside["point_type"] != "common_cause"]
            if special.empty:
                lines.append(head + "every month within normal variation.")
                continue
            parts = []
            for kind, rows in special.groupby("point_type", sort=False):
                months = _join_words([self.data.programme.label_for(str(x)) for x in rows["x"]])
                rules = [spc.RULE_DESCRIPTIONS[r] for r in spc.RULES if rows[r].any()]
                count = len(rows)
                parts.append(
                    f"{count} of {points} show{'s' if count == 1 else ''} "
                    f"{kinds.get(str(kind), str(kind))} ({months}), flagged by "
                    + _join_words(rules)
                )
            lines.append(head + "; ".join(parts) + ".")
        limits = (
            f"The chart's average is {wording.format_pct(summary['mean'])} and its process limits "
            f"{wording.format_pct(summary['lower'])} to {wording.format_pct(summary['upper'])}"
        )
        if chart_points["period"].nunique() > 1:
            limits += " (the latest set of limits)"
        if summary["trial_limits"]:
            limits += (
                f"; these are trial limits, from fewer than {spc.MIN_POINTS_FOR_LIMITS} months"
            )
        return "\n".join(lines) + "\n\n" + limits + "."

    # -------------------------------------------------------------- re-audits
    def _reaudit_sentence(self) -> str:
        shift = self.reaudits
        assert shift is not None
        sentence = wording.describe_reaudit_shift(shift)
        small = [shift.n_improved, shift.n_same, shift.n_declined, shift.n]
        shown = not (self.profile.suppresses and any(dc.is_small(int(c)) for c in small))
        return self._disclose(sentence, shown)

    def reaudit_blocks(self) -> list[Block]:

        blocks: list[Block] = [Heading("Re-audits in period B: did practice improve?")]
        intro = (
            f"Re-audits of period B's months ({self.label_b}) that were completed, each paired "
            "with the final judgement of the audit it re-audits."
        )
        shift = self.reaudits
        if shift is None:
            n = len(self.reaudit_pairs)
            blocks.append(
                Markdown(
                    intro
                    + f" There {'is' if n == 1 else 'are'} {self._count(n)} such re-audit"
                    + ("" if n == 1 else "s")
                    + " with a judgement on both sides: too few to test."
                )
            )
            return blocks
        blocks.append(Markdown(intro))
        blocks.append(Callout(self._reaudit_sentence(), "verdict", "Re-audits: verdict"))
        mc = shift.mcnemar_good_or_better
        gob = (
            f"Good or better: {self._count(shift.good_or_better_before)} of "
            f"{self._count(shift.n)} cases at the original audit and "
            f"{self._count(shift.good_or_better_after)} at re-audit ({mc.name}, {wording.format_p(mc.p_value)}). "
            f"Bowker's test of symmetry: {wording.format_p(shift.bowker.p_value)}."
        )
        if shift.n_excluded:
            gob += f" {self._count(shift.n_excluded)} pair(s) with no judgement on one side are left out."
        if shift.notes:
            notes = "; ".join(shift.notes)
            gob += " " + notes[:1].upper() + notes[1:] + "."
        blocks.append(Markdown(gob))
        if not self.profile.suppresses:
            fig, alt = plot_reaudit_heatmap(
                shift, title=f"Re-audits in {self.label_b}: original against re-audit judgement"
            )
            blocks.append(
                Figure(
                    fig,
                    alt,
                    "Original audit against re-audit: number of cases in each pair of judgements",
                )
            )
        blocks.append(
            Table(
                reaudit_table(shift, self.profile),
                f"Re-audits of {self.label_b}: original audit judgement (rows) against re-audit "
                "judgement (columns)",
                note="Cells left of the diagonal improved at re-audit; cells right of it declined.",
            )
        )
        return blocks

    # -------------------------------------------------------------- moderation
    def moderation_blocks(self) -> list[Block]:
        pairs = self.moderation
        blocks: list[Block] = [Heading("Auditor–moderator agreement in period B")]
        n = len(pairs)
        if n == 0:
            blocks.append(Markdown(f"No audit of {self.label_b} was moderated."))
            return blocks
        f = self.figures["moderation"]["grade_counts"]
        counts = [f["same"], f["raised"], f["lowered"], n]
        shown = not (self.profile.suppresses and any(dc.is_small(int(c)) for c in counts))
        text = (
            f"{self._count(n)} audits of {self.label_b} have both the auditor's and the moderator's "
            f"judgement. The moderator kept the auditor's grade in {self._pct(f['same'], n, shown)}, "
            f"raised it in {self._pct(f['raised'], n, shown)} and lowered it in "
            f"{self._pct(f['lowered'], n, shown)}."
        )
        blocks.append(Markdown(text))
        if self.kappa is not None:
            blocks.append(
                Callout(wording.describe_kappa(self.kappa), "verdict", "Agreement: verdict")
            )
        else:
            blocks.append(
                Markdown(
                    f"Too few moderated audits (fewer than {MIN_MODERATION_PAIRS}, or one grade "
                    "only) to measure agreement."
                )
            )
        matrix = stats.make_grade_change_matrix(pairs, "auditor", "moderator")
        matrix.index = pd.Index([f"Auditor: {i}" for i in matrix.index], name="Auditor")
        matrix.columns = [f"Moderator: {c}" for c in matrix.columns]
        table = dc.suppress_counts(
            matrix.assign(completed=matrix.sum(axis=1)), self.profile, cells=list(matrix.columns)
        )
        blocks.append(
            Table(
                table.rename(columns={schema.COMPLETED: "Total"}),
                f"Moderated audits of {self.label_b}: auditor's judgement (rows) against the "
                "moderator's (columns)",
                note="The diagonal is agreement. Kappa is linear-weighted (Cicchetti–Allison): a "
                "one-grade disagreement counts less than a two-grade one. Bands from Landis & "
                "Koch (1977).",
            )
        )
        return blocks

    # -------------------------------------------------------------- breakdown
    def _group_shown(self, group: str, measure: str) -> dict[str, bool]:
        """Whether the protected figures show a group's measure count and total, per period."""
        entry = next(
            g for g in self.published_figures["breakdown"]["groups"] if g["group"] == str(group)
        )
        label = GOOD_OR_BETTER_LABEL if measure == "% Good or better" else schema.INADEQUATE
        return {
            key: self._shown(entry[key]["judgement_total"])
            and self._shown(entry[key]["judgement_counts"][label])
            for key in ("period_a", "period_b")
        }

    def _breakdown_summary(self) -> str:
        tests = self.group_tests
        noun = self.group_noun
        tested = tests.loc[tests["verdict"] != "few"]
        groups = tests["group"].nunique()
        parts = []
        for measure in comparisons.MEASURES:
            rows = tested.loc[tested["measure"] == measure]
            for code, verb in (("improvement", "improved"), ("deterioration", "deteriorated")):
                names = [
                    str(g)
                    for g in rows.loc[rows["verdict"] == code, "group"]
                    if all(self._group_shown(g, measure).values())
                ]
                if names:
                    parts.append(f"{measure} {verb} for {_join_words(names)}")
        n_tested = tested["group"].nunique()
        head = (
            f"{n_tested} of {groups} {noun}s had at least {wording.MIN_AUDITS} audits in "
            "both periods and were tested"
        )
        hidden = any(
            not all(self._group_shown(g, mm).values())
            for g, mm in zip(tested["group"], tested["measure"], strict=True)
        )
        if hidden:
            head += " (results resting on suppressed numbers are not shown)"
        if not parts:
            return (
                head + f"; none{' of those shown' if hidden else ''} differs significantly once "
                "the p-values are adjusted for testing many groups (Holm)."
            )
        return (
            head
            + ". After Holm's adjustment for testing many groups, "
            + "; ".join(parts)
            + ", by more than chance would explain."
        )

    def breakdown_blocks(self) -> list[Block]:
        if not self.by:
            return []
        noun = self.group_noun
        title = {
            "team": "By team",
            "area": "By area",
            "cohort": "By cohort",
            "domain": "By practice domain",
        }[self.by]
        blocks: list[Block] = [Heading(title)]
        intro = (
            f"Each {noun}'s share in period B against its share in period A, tested as for the "
            f"whole programme. {_article(noun)} {noun} is tested only when it has at least {wording.MIN_AUDITS} "
            f"completed audits in both periods. **Testing many {noun}s at once makes some "
            f"'significant' results likely by chance alone, so the verdict uses Holm-adjusted "
            f"p-values** (the Holm–Bonferroni method, across the {noun}s tested for each measure)."
        )
        if self.by == "cohort":
            intro += " An audit can be in more than one cohort, so the cohorts overlap."
        if self.by == "domain":
            intro += (
                " Each completed audit grades each domain; a domain left blank is *Not recorded* "
                "and stays in the denominator."
            )
        blocks.append(Markdown(intro))
        blocks.append(Callout(self._breakdown_summary(), "verdict", f"By {noun}: verdict"))
        for measure in comparisons.MEASURES:
            blocks.append(Heading(f"{measure} by {noun}", 3))
            blocks.append(
                NumericTable(
                    self._group_table(measure),
                    f"{measure} by {noun}: period A ({self.label_a}) against period B ({self.label_b})",
                    note="n: completed audits. B − A: the difference in percentage points, with its "
                    "95% confidence interval; p: Fisher's exact test when any expected count is below 5, "
                    "else the z test; Holm p: adjusted for the number of "
                    f"{noun}s tested. The verdict uses the Holm-adjusted p-value. "
                    "A dash means not tested (fewer than "
                    f"{wording.MIN_AUDITS} audits in a period).",
                    numeric=_GROUP_NUMERIC,
                )
            )
        blocks.extend(self._funnel_blocks())
        return blocks

    def _group_table(self, measure: str) -> pd.DataFrame:
        tests = self.group_tests
        tests = tests.loc[tests["measure"] == measure]
        published = {g["group"]: g for g in self.published_figures["breakdown"]["groups"]}
        rows = []
        for _, r in tests.iterrows():
            pub = published[str(r["group"])]
            shown = self._group_shown(r["group"], measure)
            pa, pb = pub["period_a"], pub["period_b"]
            c = r["comparison"]
            all_shown = shown["period_a"] and shown["period_b"]
            hide = dc.SUPPRESSED
            row = {
                self.group_noun.capitalize(): r["group"],
                "n A": self._count(pa["judgement_total"]),
                "n B": self._count(pb["judgement_total"]),
                "A": self._pct(r["k_a"], r["n_a"], shown["period_a"]) if r["n_a"] else _DASH,
                "B": self._pct(r["k_b"], r["n_b"], shown["period_b"]) if r["n_b"] else _DASH,
            }
            if c is None:
                row.update(
                    {
                        "B\u00a0−\u00a0A": _DASH,
                        "95% CI": _DASH,
                        "p": _DASH,
                        "Holm p": _DASH,
                        "Verdict": TABLE_VERDICTS["few"],
                    }
                )
            elif not all_shown:
                row.update(
                    {
                        "B\u00a0−\u00a0A": hide,
                        "95% CI": hide,
                        "p": hide,
                        "Holm p": hide,
                        "Verdict": hide,
                    }
                )
            else:
                verdict = TABLE_VERDICTS[r["verdict"]]
                if r["verdict"] == "none" and r["raw_verdict"] != "none":
                    verdict += " after adjustment"
                row.update(
                    {
                        # Whole points: with a few dozen audits a group, decimals are noise.
                        "B\u00a0−\u00a0A": _signed(c.difference_pp, 0),
                        "95% CI": _range(100 * c.ci_low, 100 * c.ci_high, 0),
                        "p": _p_text(c.p_value),
                        "Holm p": _p_text(r["p_holm"]),
                        "Verdict": verdict,
                    }
                )
            rows.append(row)
        return pd.DataFrame(rows).set_index(self.group_noun.capitalize())

    def _funnel_blocks(self) -> list[Block]:

        if self.by not in PARTITIONS:
            return []
        noun = self.group_noun
        table = self.group_counts(self.b)
        table = table.loc[table[schema.COMPLETED] > 0]
        if len(table) < MIN_FUNNEL_UNITS:
            return []
        blocks: list[Block] = [Heading(f"Period B by {noun}: funnel plots", 3)]
        blocks.append(
            Markdown(
                f"Within period B ({self.label_b}), each {noun}'s share against its number of "
                f"completed audits. {_article(noun)} {noun} outside the 99.8% limits differs from the overall "
                "share by more than chance would explain; limits allow for overdispersion "
                "(Spiegelhalter's multiplicative method) when the groups vary more than binomially."
            )
        )
        for measure, (labels, direction) in comparisons.MEASURES.items():
            result = (
                stats.compute_funnel(
                    table, list(labels), schema.COMPLETED, overdispersion="multiplicative"
                )
                if 0 < _measure_counts(table.sum(), measure) < int(table[schema.COMPLETED].sum())
                else None
            )
            if result is None:
                continue
            reveals = self.profile.suppresses and (
                result.units["k"].map(dc.is_small).any()
                or result.units["n"].map(dc.is_small).any()
                or (result.units["n"] - result.units["k"]).map(dc.is_small).any()
            )
            if reveals:
                blocks.append(
                    Markdown(
                        f"*The funnel plot of {measure} is not shown in the published version: "
                        f"some {noun}s' numbers are 1 to 5 and would be revealed.*"
                    )
                )
                continue
            blocks.append(
                Markdown(
                    wording.describe_funnel(result, measure, unit_noun=noun, improvement=direction)
                )
            )
            fig, alt = plot_funnel(
                result,
                measure=measure,
                unit_noun=noun,
                improvement=direction,
                title=f"{measure} by {noun}, {self.label_b}: funnel plot",
            )
            blocks.append(
                Figure(
                    fig,
                    alt,
                    f"{measure} by {noun} in period B ({self.label_b}): {noun}s outside the funnel "
                    "differ by more than chance.",
                )
            )
        return blocks

    # -------------------------------------------------------------- methods
    def methods_blocks(self) -> list[Block]:
        f = self.figures
        as_at = (
            dt.date.fromisoformat(f["as_at"]).strftime("%-d %B %Y") if f["as_at"] else "not known"
        )
        blocks: list[Block] = [Heading("Definitions and methods")]
        periods = (
            f"- **Period A** ({self.a.spec}) is the reference: {self.label_a}. **Period B** "
            f"({self.b.spec}): {self.label_b}. A period is a run of programme (audit allocation) "
            "months; its audits are those allocated in its months.\n"
            f"- **Re-audits in period B** are re-audits allocated in B's months and completed; "
            "each is paired with its original audit's final judgement, whenever that was.\n"
            "- **Moderation** compares the auditor's overall judgement with the moderator's on "
            "audits of period B that were moderated."
        )
        # The monthly definitions that apply here (compliance is not part of this report).
        shared = [
            line for line in DEFINITIONS.splitlines() if not line.startswith("- **Compliance**")
        ]
        blocks.append(Markdown(periods + "\n" + "\n".join(shared)))
        blocks.append(Heading("Disclosure control", 3))
        blocks.append(Markdown(dc.describe_rule(self.profile)))
        key = pd.DataFrame(dc.symbol_key(self.profile), columns=["Symbol", "Meaning"]).set_index(
            "Symbol"
        )
        blocks.append(Table(key, "Key to symbols"))
        blocks.append(Heading("Reproducibility", 3))
        blocks.append(
            Markdown(
                f"Produced by auditlib {f['auditlib_version']} from the data folder's files "
                f"(input hash `{f['input_hash'][:16]}`). Figures are as at {as_at}. Every "
                f"figure in this report is also in the machine-readable `{FIGURES_FILE}` beside it. "
                "Statistical methods and their references: `docs/methods.md`."
            )
        )
        return blocks

    # -------------------------------------------------------------- all, and display
    def all_blocks(self) -> list[Block]:
        """Every section's blocks, in report order (for tests)."""
        return [
            *self.title_blocks(),
            *self.summary_blocks(),
            *self.distribution_blocks(),
            *self.comparison_blocks(),
            *self.spc_blocks(),
            *self.reaudit_blocks(),
            *self.moderation_blocks(),
            *self.breakdown_blocks(),
            *self.methods_blocks(),
        ]

    def show_title(self) -> None:
        show_report_blocks(self.title_blocks())

    def show_summary(self) -> None:
        show_report_blocks(self.summary_blocks())

    def show_distributions(self) -> None:
        show_report_blocks(self.distribution_blocks())

    def show_comparisons(self) -> None:
        show_report_blocks(self.comparison_blocks())

    def show_spc(self) -> None:
        show_report_blocks(self.spc_blocks())

    def show_reaudits(self) -> None:
        show_report_blocks(self.reaudit_blocks())

    def show_moderation(self) -> None:
        show_report_blocks(self.moderation_blocks())

    def show_breakdown(self) -> None:
        show_report_blocks(self.breakdown_blocks())

    def show_methods(self) -> None:
        show_report_blocks(self.methods_blocks())


# ------------------------------------------------------------------ module helpers
def _collapse(row: pd.Series) -> dict[str, int]:
    """A count row over the collapsed scale: Good or better, Requires Improvement, Inadequate,
    Not recorded."""
    return {
        GOOD_OR_BETTER_LABEL: int(row[schema.OUTSTANDING]) + int(row[schema.GOOD]),
        schema.REQUIRES_IMPROVEMENT: int(row[schema.REQUIRES_IMPROVEMENT]),
        schema.INADEQUATE: int(row[schema.INADEQUATE]),
        schema.NOT_RECORDED: int(row[schema.NOT_RECORDED]),
    }


#: Used only when auditlib.analysis.comparisons has no docstring to quote (python -OO strips them).
_RULE_FALLBACK: Final = (
    "* For **% Inadequate** and **% Good or better**: the two-proportion comparison (Newcombe "
    "difference with its 95% CI; Fisher's exact test when any expected count is below 5, "
    "otherwise the z test).\n"
    "* For the **whole distribution**: the ordinal Mann–Whitney test with Cliff's delta (Monte "
    "Carlo when the table is small).\n"
    "* Over time: an **XmR chart** (NHS Making Data Count) of the monthly %.\n"
    "* **Re-audits**: Stuart–Maxwell (marginal homogeneity) on the original × re-audit table."
)


def methods_text() -> str:
    """The rule for which test is quoted, as :mod:`auditlib.analysis.comparisons` states it (quoted from its
    docstring, so the two cannot drift apart), with this report's additions."""
    doc = comparisons.__doc__ or ""
    found = re.search(r"Which test the report quotes.*?:\n\n(.*)", doc, re.S)
    rule = found[1].strip() if found else _RULE_FALLBACK
    rule = re.sub(r"\n[ \t]+", " ", rule)  # join each bullet's continuation lines
    lead = "The tests are the ones the monthly report uses, chosen by this rule (from `auditlib.analysis.comparisons`):"
    extra = (
        "Here the *month* is period B and the *reference period* is period A. With a breakdown, "
        "each group is tested the same way and the p-values are adjusted for multiple comparisons "
        "with Holm's method. Auditor–moderator agreement is Cohen's kappa with linear weights and "
        'its 95% confidence interval. "Significant" means p < 0.05.'
    )
    return "\n\n".join(part for part in (lead, rule, extra) if part)


def _shade_periods(fig: Any, chart: Any, periods: Iterable[tuple[str, list[str]]]) -> None:
    """Shade and label each period's months on an SPC chart drawn by ``plot_spc``."""

    ax = fig.axes[0]
    xs = [str(x) for x in chart.data["x"]]
    shades = {"A": "#0072B2", "B": "#E69F00"}  # Okabe–Ito blue and orange, very light
    trans = blended_transform_factory(ax.transData, ax.transAxes)
    for name, months in periods:
        idx = [i for i, x in enumerate(xs) if x in set(months)]
        if not idx:
            continue
        lo, hi = min(idx) - 0.5, max(idx) + 0.5
        ax.axvspan(lo, hi, color=shades.get(name, "#999999"), alpha=0.10, zorder=0, linewidth=0)
        ax.text(
            (lo + hi) / 2,
            0.995,
            f"Period {name}",
            transform=trans,
            ha="center",
            va="top",
            fontsize=8,
            fontweight="bold",
            color="#262626",
        )


def protect_figures(figures: Mapping[str, Any], profile: dc.DisclosureProfile | str) -> dict:
    """The figures with the disclosure profile applied (shift-figures.json).

    :func:`auditlib.disclosure.apply_to_figures` protects each group of counts
    with its total. A team or area breakdown also adds up, column by column, to
    the period's counts; under ``published`` those columns are protected first,
    with the period's counts as the total row, so no hidden team figure can be
    worked out from the period's.
    """
    profile = dc.DisclosureProfile.from_name(profile)
    figs = copy.deepcopy(dict(figures))
    breakdown = figs.get("breakdown")
    if profile.suppresses and breakdown and breakdown.get("by") in PARTITIONS:
        for key in ("period_a", "period_b"):
            _protect_partition(figs, key, profile)
    return dc.apply_to_figures(figs, profile)


def _protect_partition(figs: dict[str, Any], key: str, profile: dc.DisclosureProfile) -> None:
    groups = figs["breakdown"]["groups"]
    period = figs[key]
    total = {
        GOOD_OR_BETTER_LABEL: period["good_or_better"],
        **{label: period["judgements"][label] for label in COLLAPSED_LABELS[1:]},
    }
    rows = [
        {**g[key]["judgement_counts"], schema.COMPLETED: g[key]["judgement_total"]} for g in groups
    ]
    rows.append({**total, schema.COMPLETED: period["completed"]})
    table = pd.DataFrame(rows, columns=[*COLLAPSED_LABELS, schema.COMPLETED])
    mask = dc.suppression_mask(table, profile, total_row=True, cells=list(COLLAPSED_LABELS))
    hidden = mask != dc.SHOWN
    for i, g in enumerate(groups):
        entry = g[key]
        for label in COLLAPSED_LABELS:
            if hidden.iat[i, mask.columns.get_loc(label)]:
                entry["judgement_counts"][label] = dc.SUPPRESSED
        if hidden.iat[i, mask.columns.get_loc(schema.COMPLETED)]:
            entry["judgement_total"] = dc.SUPPRESSED
    last = len(groups)
    for label in COLLAPSED_LABELS:
        if hidden.iat[last, mask.columns.get_loc(label)]:
            if label == GOOD_OR_BETTER_LABEL:
                period["good_or_better"] = dc.SUPPRESSED
                for part in schema.GOOD_OR_BETTER:
                    period["judgements"][part] = dc.SUPPRESSED
            else:
                period["judgements"][label] = dc.SUPPRESSED
    if hidden.iat[last, mask.columns.get_loc(schema.COMPLETED)]:
        period["completed"] = dc.SUPPRESSED
