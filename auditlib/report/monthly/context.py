"""Everything one month's report reads, computed once: the context its sections share."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from auditlib.analysis import (
    auditors,
    casemix,
    comparisons,
    metrics,
    regression_to_mean,
    stats,
    voices,
)
from auditlib.analysis.recommendations import recommendations_for
from auditlib.data import schema
from auditlib.data.pipeline import AuditData, load_audit_data
from auditlib.disclosure import SUPPRESSED, DisclosureProfile
from auditlib.disclosure.history import protect_figures, publish_headlines
from auditlib.disclosure.view import GOOD_OR_BETTER, DisclosureView, hidden_trend
from auditlib.paths import DEMO_DATA_DIR, THEMES_FILE
from auditlib.report import figures as report_figures
from auditlib.report.blocks import Shown, record_shown
from auditlib.report.figures import build_spc, headline_series, spc_gaps
from auditlib.report.saving import save_report_figures
from auditlib.report.sharing import Figures, SectionShare

#: Columns that identify a child, a worker or an allocation: never in a frame a notebook shows.
IDENTIFIER_COLUMNS = (
    schema.AUDIT_ID,
    schema.CHILD_ID,
    schema.ORIGINAL_AUDIT_ID,
    schema.AUDITOR_ID,
    schema.SOCIAL_WORKER_ID,
)


@dataclass
class MonthContext:
    """One month's report: the data, its figures and disclosure profile, and tidy frames.

    Built once by :func:`prepare`; every section reads from it, so nothing is computed
    twice. The frames (``trend``, ``month_audits``, ``cohorts``, ``domains``) are the ones
    an analyst explores in the notebook.
    """

    month: str
    data: AuditData
    figures: dict[str, Any]
    profile: DisclosureProfile
    #: everything the notebook has shown (see :func:`auditlib.report.blocks.record_shown`)
    shown: Shown = field(default_factory=Shown)
    #: the folder shared with a section helper, when the runner gave the kernel one
    #: (see :mod:`auditlib.report.sharing`)
    section_share: SectionShare | None = field(default=None, repr=False)

    # ------------------------------------------------------------------ naming
    @property
    def label(self) -> str:
        """The report month as the report names it ("September 2020")."""
        return self.figures["report_month_label"]

    def label_for(self, month: str) -> str:
        return self.data.programme.label_for(month)

    # ------------------------------------------------------------------ disclosure
    @cached_property
    def view(self) -> DisclosureView:
        return DisclosureView(self.profile)

    @cached_property
    def published_figures(self) -> dict[str, Any]:
        """figures.json as written: the figures and the statistics sections
        (:attr:`statistics_figures`) with the disclosure profile applied, protected against
        what earlier months' reports published (see :attr:`protected_figures`)."""
        return self._protect({**self.figures, **self.statistics_figures})

    @cached_property
    def protected_figures(self) -> dict[str, Any]:
        """The figures without the statistics sections, protected as figures.json is: what
        the trend hides (the same as figures.json's trend, without fitting any model)."""
        return self._protect(self.figures)

    def _protect(self, figures: dict[str, Any]) -> dict[str, Any]:
        """The disclosure profile applied, and protection against what earlier months'
        reports published (programme-to-date differences; see
        :mod:`auditlib.disclosure.history`)."""
        published = protect_figures(figures, self.profile, self.earlier_headlines)
        gaps = spc_gaps(published)
        if not self.profile.suppresses or not any(gaps.values()):
            return published
        # The SPC readings again, without the months whose share is suppressed (their
        # limits to the nearest percent could give those shares away), then protected.
        spc = build_spc(self.data, self.month, self.trend, gaps)
        return protect_figures({**figures, "spc": spc}, self.profile, self.earlier_headlines)

    @cached_property
    def earlier_headlines(self) -> list[dict[str, Any]]:
        """Every earlier audited month's headline figures, as their reports published them."""
        if not self.profile.suppresses:
            return []
        months = [m for m in metrics.audited_months(self.data.audits) if m < self.month]
        return publish_headlines(headline_series(self.data, months), self.profile)

    @cached_property
    def hidden_trend(self) -> pd.DataFrame:
        """Which judgement figures of each trend month the report hides (see
        :func:`auditlib.disclosure.view.hidden_trend`)."""
        return hidden_trend(self.trend, self.profile, self.protected_figures, self.month)

    @cached_property
    def statistics_figures(self) -> dict[str, Any]:
        """figures.json's statistics sections, from the results the report's sentences state
        (nothing computed twice): ``tests`` (the month's family), ``reaudit_expectation``,
        ``casemix`` and ``auditors`` (the overall figure); None where there is none."""
        references = {
            comparisons.PREVIOUS_MONTH: [
                m for m in [metrics.previous_audited_month(self.trend, self.month)] if m
            ],
            comparisons.PREVIOUS_12_MONTHS: list(self.year_months),
        }
        expectation = self.reaudit_expectation
        mix = self.casemix
        effects = self.auditor_effects
        return {
            "tests": report_figures.build_tests(self.test_family, self.shifts, references),
            "reaudit_expectation": (
                report_figures.build_reaudit_expectation(
                    expectation,
                    self.shifts.reaudits.table if self.shifts.reaudits is not None else None,
                )
                if expectation
                else None
            ),
            "casemix": report_figures.build_casemix(mix) if mix and mix.standardised else None,
            "auditors": report_figures.build_auditors(effects) if effects else None,
        }

    def share(self, month: str, what: str) -> str:
        """A judgement's share (or ``good_or_better``'s) of a trend month, as the report
        shows it: ``[c]`` wherever figures.json hides the count or its total."""
        row = self.trend.loc[month]
        hidden = self.hidden_trend.loc[month]
        if hidden[what] or hidden[schema.COMPLETED]:
            return SUPPRESSED
        k = row[schema.OUTSTANDING] + row[schema.GOOD] if what == GOOD_OR_BETTER else row[what]
        return self.view.pct(int(k), int(row[schema.COMPLETED]))

    def measure_hidden(self, month: str | None, labels: tuple[str, ...]) -> bool:
        """Is a measure (Good or better, or Inadequate) of a trend month suppressed?"""
        if month is None or month not in self.hidden_trend.index:
            return False
        column = GOOD_OR_BETTER if tuple(labels) == tuple(schema.GOOD_OR_BETTER) else labels[0]
        return bool(self.hidden_trend.at[month, column])

    def save_figures(self, output_dir: str | Path | None) -> Path | None:
        """Write figures.json (disclosure applied) into ``output_dir``, with every table the
        report showed (as shown), and each table as ``tables/<name>.csv``; nothing when empty."""
        if not output_dir:
            return None
        return save_report_figures(self.published_figures, self.shown, output_dir)

    # ------------------------------------------------------------------ tidy frames
    @cached_property
    def trend(self) -> pd.DataFrame:
        """One row per programme month: its state and completed audits by final judgement."""
        return metrics.judgement_trend(self.data.audits, self.data.programme, self.month)

    @cached_property
    def audited_months(self) -> list[str]:
        return [m for m in self.trend.index if self.trend.at[m, "state"] == metrics.AUDITED]

    @cached_property
    def year_months(self) -> list[str]:
        """The audited months of the 12 before the report month (the pooled reference)."""
        return [m for m in comparisons.previous_months(self.month, 12) if m in self.audited_months]

    @cached_property
    def month_audits(self) -> pd.DataFrame:
        """The month's audits and re-audits, without any identifier column."""
        audits = self.data.audits
        rows = audits.loc[audits[schema.AUDIT_MONTH] == self.month]
        return rows.drop(columns=[c for c in IDENTIFIER_COLUMNS if c in rows]).reset_index(
            drop=True
        )

    @cached_property
    def month_counts(self) -> pd.Series:
        """The month's completed audits by final judgement."""
        return metrics.count_judgements(self.data.audits, self.month).iloc[0]

    @cached_property
    def cohorts(self) -> pd.DataFrame:
        """The month's completed audits by cohort and final judgement."""
        return metrics.judgements_by_cohort(
            self.data.audits, self.month, self.data.programme.cohorts
        )

    @cached_property
    def domains(self) -> pd.DataFrame:
        """The month's completed audits by practice domain and domain judgement."""
        return metrics.judgements_by_domain(self.data.audits, self.month)

    @cached_property
    def shifts(self) -> comparisons.MonthShifts:
        """SPC, comparisons with earlier months, re-audits and moderation (pure results)."""
        return comparisons.analyse_month(
            self.data.audits,
            self.data.programme,
            self.month,
            self.trend,
            self.data.programme.spc_rebase,
        )

    @cached_property
    def test_family(self) -> pd.DataFrame:
        """The month's family of secondary tests, Holm-adjusted together
        (:func:`comparisons.month_test_family`): every sentence, key message and figure
        that calls a comparison significant reads its verdict from here."""
        return self.shifts.family

    @cached_property
    def reaudit_expectation(self) -> regression_to_mean.ReauditExpectation | None:
        """Re-audit movement to date against what regression to the mean alone would give."""
        return self.shifts.reaudit_expectation

    @cached_property
    def casemix(self) -> casemix.MonthCasemix | None:
        """The month against the previous 12 audited months, allowing for case mix."""
        # The report states the ordinal model only, so only that one is fitted.
        return casemix.adjust_month(
            self.data.audits,
            self.data.programme,
            self.month,
            self.trend,
            models=("ordinal",),
            frame=self._casemix_frame,
        )

    @cached_property
    def _casemix_frame(self) -> pd.DataFrame:
        """The completed audits of the month and of its reference months as the case-mix
        models take them (:func:`casemix.casemix_frame`), with the auditor column (which
        :attr:`auditor_effects` replaces with pseudonyms at once): built once for both."""
        months = [*casemix.reference_months_for(self.trend, self.month), self.month]
        extra = [schema.AUDITOR_ID] if schema.AUDITOR_ID in self.data.audits else []
        return casemix.casemix_frame(
            self.data.audits, months, self.data.programme, extra_columns=extra
        )

    @cached_property
    def auditor_effects(self) -> auditors.AuditorEffects | None:
        """Auditor effects after case mix over the last 12 audited months and this one
        (None when they cannot be estimated: no auditor column, or too few auditors)."""
        months = [*casemix.reference_months_for(self.trend, self.month), self.month]
        try:
            return auditors.auditor_effects(
                self.data.audits,
                months,
                key=self.month,
                programme=self.data.programme,
                frame=self._casemix_frame,
            )
        except stats.StatsError:
            return None

    @cached_property
    def recommendations(self) -> pd.DataFrame:
        """The month's recommendations and practice standards, repeats marked."""
        return recommendations_for(
            self.data.recommendations, self.month, denylist=self.data.denylist
        )

    @cached_property
    def themes(self) -> tuple[voices.Theme, ...]:
        """The theme dictionary: the data folder's own themes.yml, else auditlib's."""
        return report_themes(self.data)


def report_themes(data: AuditData) -> tuple[voices.Theme, ...]:
    """The theme dictionary a report of ``data`` uses: the data folder's own themes.yml,
    else auditlib's."""
    custom = data.data_dir / "themes.yml"
    return voices.load_themes(custom if custom.exists() else THEMES_FILE)


def prepare(
    report_month: str,
    data_dir: str | Path | None = None,
    disclosure: str | None = None,
    figures_and_trend: Figures | None = None,
) -> MonthContext:
    """Load and clean the data folder (default: the demo programme) and compute the figures
    (or take ``figures_and_trend`` as :func:`auditlib.report.figures.figures_and_trend`
    worked them out for the same month, e.g. in the runner, when they were worked out
    from the same data)."""
    data = load_audit_data(Path(data_dir) if data_dir else DEMO_DATA_DIR)
    profile = DisclosureProfile.from_name(disclosure or data.programme.disclosure)
    given = figures_and_trend.for_data(data) if figures_and_trend is not None else None
    figures, trend = given or report_figures.figures_and_trend(data, report_month)
    figures["disclosure"] = profile.value
    ctx = MonthContext(report_month, data, figures, profile, record_shown())
    ctx.trend = trend  # the one the figures were built from: not worked out twice
    return ctx
