"""Everything a judgement-shift report reads, computed once: the context its sections share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Final

import pandas as pd

from auditlib.analysis import (
    auditors,
    casemix,
    comparisons,
    groups,
    metrics,
    regression_to_mean,
    stats,
)
from auditlib.data import schema
from auditlib.data.pipeline import AuditData
from auditlib.data.programme import iter_months
from auditlib.disclosure import DisclosureProfile
from auditlib.disclosure.view import DisclosureView
from auditlib.errors import ReportError
from auditlib.publish.layout import SHIFTS_FIGURES_FILE
from auditlib.report.blocks import Shown
from auditlib.report.saving import save_report_figures
from auditlib.report.shift_report.periods import BREAKDOWNS, PARTITIONS, Period

#: The figures' names of the two measures (comparisons.MEASURES names them for people).
MEASURE_KEYS: Final = {"% Good or better": "good_or_better", "% Inadequate": "inadequate"}
#: The collapsed scale the breakdown tables count over: Good or better, then the rest.
GOOD_OR_BETTER_LABEL: Final = "Good or better"
_MONTH_NAME_RE: Final = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December)\b"
)


@dataclass(frozen=True)
class ShiftCasemix:
    """Period B allowing for case mix, period A the reference."""

    themes: tuple[str, ...]  # the theme keys of B's months
    standardised: dict[str, casemix.CasemixResult]  # by measure
    regression: casemix.RegressionCheck | None


@dataclass
class ShiftContext:
    """One judgement-shift report: period B against period A (the reference), optionally
    broken down ``by`` team, area, cohort or domain."""

    a: Period
    b: Period
    by: str | None
    data: AuditData
    profile: DisclosureProfile
    figures: dict[str, Any] = field(default_factory=dict)
    #: everything the notebook has shown (see :func:`auditlib.report.blocks.record_shown`)
    shown: Shown = field(default_factory=Shown)

    # ------------------------------------------------------------------ naming
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
        """The period label with short month names, for table rows: 'Sep 2019 to Feb 2020'."""
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

    # ------------------------------------------------------------------ analyses
    @cached_property
    def period_counts(self) -> dict[str, pd.Series]:
        """Each period's count row: completed audits by final judgement, and ``completed``."""
        return {
            p.spec: comparisons.pooled_counts(self.data.audits, p.months) for p in (self.a, self.b)
        }

    def counts(self, period: Period) -> pd.Series:
        return self.period_counts[period.spec]

    @cached_property
    def comparison(self) -> comparisons.Comparison:
        """B against A: each measure's share, and the ordinal distribution."""
        return comparisons.compare_counts(
            self.counts(self.b), self.counts(self.a), self.label_b, self.label_a
        )

    @cached_property
    def test_family(self) -> pd.DataFrame:
        """B against A as one family of tests (each share and the distribution), Holm-adjusted
        together (:func:`comparisons.month_test_family`): every verdict reads its p from here."""
        return comparisons.month_test_family([self.comparison])

    def family_row(self, measure: str) -> pd.Series | None:
        """The family's row for a measure (or ``comparisons.DISTRIBUTION``)."""
        rows = self.test_family.loc[self.test_family["measure"] == measure]
        return rows.iloc[0] if len(rows) else None

    @cached_property
    def casemix(self) -> ShiftCasemix | None:
        """Period B against the rates period A had for audits like B's (indirect
        standardisation), and the ordinal regression check; None when neither can be made."""
        audits, programme = self.data.audits, self.data.programme
        standardised: dict[str, casemix.CasemixResult] = {}
        for measure in comparisons.MEASURES:
            try:
                standardised[measure] = casemix.standardise_month(
                    audits, self.b.months, self.a.months, measure, programme=programme
                )
            except stats.StatsError:
                continue
        if not standardised:
            return None
        try:
            regression = casemix.regression_check(
                audits, self.b.months, self.a.months, programme=programme, models=("ordinal",)
            )
        except stats.StatsError:
            regression = None
        themes = [key for m in self.b.months for key in programme.themes.get(m, ())]
        return ShiftCasemix(tuple(dict.fromkeys(themes)), standardised, regression)

    @cached_property
    def auditor_effects(self) -> auditors.AuditorEffects | None:
        """Auditor effects after case mix over both periods (None without an auditor column
        or with too few auditors)."""
        try:
            return auditors.auditor_effects(
                self.data.audits,
                [*self.a.months, *self.b.months],
                key=f"{self.a.spec} {self.b.spec}",
                programme=self.data.programme,
            )
        except stats.StatsError:
            return None

    @cached_property
    def last_month(self) -> str:
        """The last month with audits: the SPC charts run to it."""
        return max(metrics.audited_months(self.data.audits))

    @cached_property
    def trend(self) -> pd.DataFrame:
        return metrics.judgement_trend(self.data.audits, self.data.programme, self.last_month)

    @cached_property
    def spc(self) -> dict[str, Any]:
        rebase = self.data.programme.spc_rebase
        return {
            measure: comparisons.spc_for_measure(self.trend, measure, rebase)
            for measure in comparisons.MEASURES
        }

    @cached_property
    def reaudit_pairs(self) -> pd.DataFrame:
        return comparisons.reaudit_pairs(self.data.audits, self.b.months)

    @cached_property
    def reaudits(self) -> stats.ReauditShift | None:
        pairs = self.reaudit_pairs
        graded = pairs["original"].isin(schema.JUDGEMENTS) & pairs["reaudit"].isin(
            schema.JUDGEMENTS
        )
        if graded.sum() < 2:
            return None
        return stats.summarise_reaudit_shifts(pairs, "original", "reaudit")

    @cached_property
    def reaudit_expectation(self) -> regression_to_mean.ReauditExpectation | None:
        """B's re-audit movement against what regression to the mean alone would give; the
        reliability κ from every moderated audit up to the end of B."""
        if self.reaudits is None:
            return None
        to_date = list(iter_months(self.data.programme.start_month, self.b.last))
        moderation = comparisons.moderation_pairs(self.data.audits, to_date)
        moderation = moderation.loc[
            moderation["auditor"].isin(schema.JUDGEMENTS)
            & moderation["moderator"].isin(schema.JUDGEMENTS)
        ]
        return comparisons.expected_reaudit_movement(
            self.data.audits, self.reaudit_pairs, moderation
        )

    @cached_property
    def moderation(self) -> pd.DataFrame:
        """Audits of B with a judgement from both the auditor and the moderator (graded)."""
        pairs = comparisons.moderation_pairs(self.data.audits, self.b.months)
        graded = pairs["auditor"].isin(schema.JUDGEMENTS) & pairs["moderator"].isin(
            schema.JUDGEMENTS
        )
        return pairs.loc[graded]

    @cached_property
    def kappa(self) -> stats.KappaResult | None:
        pairs = self.moderation
        if len(pairs) < comparisons.MIN_MODERATED_PAIRS or pairs.nunique().min() < 2:
            return None
        return stats.compute_kappa(pairs, "auditor", "moderator")

    @cached_property
    def group_tables(self) -> dict[str, pd.DataFrame]:
        """The breakdown's count table for each period (every group of either, zeros kept)."""
        tables = {p.spec: self._raw_group_counts(p) for p in (self.a, self.b)}
        index = tables[self.a.spec].index.union(tables[self.b.spec].index, sort=False)
        if self.by in PARTITIONS:
            index = index.sort_values()
        return {spec: t.reindex(index, fill_value=0).astype("int64") for spec, t in tables.items()}

    def group_counts(self, period: Period) -> pd.DataFrame:
        return self.group_tables[period.spec]

    def _raw_group_counts(self, period: Period) -> pd.DataFrame:
        audits = self.data.audits
        if self.by in PARTITIONS:
            column = schema.TEAM if self.by == "team" else schema.AREA
            table = metrics.count_judgements(audits, period.months, by=column)
            table.index = pd.Index([str(i) for i in table.index], name=self.by)
        elif self.by == "cohort":
            table = metrics.judgements_by_cohort(audits, period.months, self.data.programme.cohorts)
        elif self.by == "domain":
            table = metrics.judgements_by_domain(audits, period.months)
        else:  # pragma: no cover - checked by check_data
            raise ReportError(f"no breakdown {self.by!r}")
        return table[[*schema.JUDGEMENT_LABELS, schema.COMPLETED]]

    @cached_property
    def group_tests(self) -> pd.DataFrame:
        """One row per (group, measure): counts, the test, Holm-adjusted p, verdict."""
        return groups.compare_groups(self.group_counts(self.a), self.group_counts(self.b))

    # ------------------------------------------------------------------ disclosure
    @cached_property
    def view(self) -> DisclosureView:
        return DisclosureView(self.profile)

    @cached_property
    def published_figures(self) -> dict[str, Any]:
        """shift-figures.json as written: the figures with the disclosure profile applied."""
        from auditlib.report.shift_report.figures import protect_figures

        return protect_figures(self.figures, self.profile)

    def save_figures(self, output_dir: str | Path | None) -> Path | None:
        """Write shift-figures.json (disclosure applied) into ``output_dir``; nothing when empty."""
        if not output_dir:
            return None
        return save_report_figures(
            self.published_figures, self.shown, output_dir, SHIFTS_FIGURES_FILE
        )

    def published_period(self, period: Period) -> dict[str, Any]:
        return self.published_figures["period_a" if period == self.a else "period_b"]

    def measure_shown(self, period: Period, measure: str) -> bool:
        """Whether the protected figures show a period's measure count and its total."""
        pub = self.published_period(period)
        k = (
            pub["good_or_better"]
            if measure == "% Good or better"
            else pub["judgements"][schema.INADEQUATE]
        )
        return self.view.shown(k) and self.view.shown(pub["completed"])

    def both_shown(self, measure: str) -> bool:
        return self.measure_shown(self.a, measure) and self.measure_shown(self.b, measure)

    def graded_shown(self) -> bool:
        """Whether the graded totals (completed less Not recorded) can be shown: under
        ``published`` they would reveal a hidden Not recorded count."""
        for period in (self.a, self.b):
            pub = self.published_period(period)
            if not (
                self.view.shown(pub["completed"])
                and self.view.shown(pub["judgements"][schema.NOT_RECORDED])
            ):
                return False
        return True

    def group_shown(self, group: str, measure: str) -> dict[str, bool]:
        """Whether the protected figures show a group's measure count and total, per period."""
        entry = next(
            g for g in self.published_figures["breakdown"]["groups"] if g["group"] == str(group)
        )
        label = GOOD_OR_BETTER_LABEL if measure == "% Good or better" else schema.INADEQUATE
        return {
            key: self.view.shown(entry[key]["judgement_total"])
            and self.view.shown(entry[key]["judgement_counts"][label])
            for key in ("period_a", "period_b")
        }

    def distribution_stated(self) -> bool:
        """Does the report state the test of the whole distribution (its verdict included)?
        Not under ``published`` when a count it rests on (a judgement count or the total of
        either period) is suppressed: the monthly report withholds such a test too."""
        return not self.any_hidden_in_periods()

    def any_hidden_in_periods(self) -> bool:
        if not self.profile.suppresses:
            return False
        for period in (self.a, self.b):
            pub = self.published_period(period)
            if not self.view.shown(pub["completed"]):
                return True
            if any(not self.view.shown(v) for v in pub["judgements"].values()):
                return True
        return False
