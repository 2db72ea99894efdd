"""The monthly Audit Highlights Report, section by section.

The notebook ``notebooks/monthly_highlights.ipynb`` is thin: it builds a
:class:`MonthlyReport` and calls one ``show_*`` method per section. Each
section is first built as a list of *blocks* (heading, Markdown, table,
figure, callout) by a ``*_blocks`` method — pure, testable without a kernel —
and a section with nothing to say returns no blocks at all, so the report
never shows an empty heading or placeholder text.

Every number in the narrative comes from the figures dict (what
``figures.json`` holds) and passes through the disclosure profile. Under the
``published`` profile each month's judgement figures are hidden exactly where
figures.json hides them (:attr:`MonthlyReport.hidden_trend`): the trend table,
the charts and the sentences all follow that one mask, so no output can be used
to work out a number another one suppresses.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from auditlib import disclosure as dc
from auditlib.analysis import metrics, stats, voices
from auditlib.analysis.comparisons import MEASURES, analyse_month, previous_months
from auditlib.analysis.recommendations import format_recommendations, recommendations_for
from auditlib.analysis.rounding import round_half_up
from auditlib.analysis.voices import load_themes
from auditlib.data import schema
from auditlib.data.pipeline import AuditData, load_audit_data
from auditlib.data.programme import format_month
from auditlib.paths import DEMO_DATA_DIR, THEMES_FILE
from auditlib.publish.export import write_figures_json
from auditlib.report import display, wording
from auditlib.report.charts.judgements import (
    plot_judgement_trend,
    plot_judgements_by_group,
    plot_month_split,
)
from auditlib.report.charts.statistical import plot_funnel, plot_reaudit_heatmap, plot_spc
from auditlib.report.figures import build_figures

# ------------------------------------------------------------------ blocks


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class Markdown:
    text: str


@dataclass(frozen=True)
class Table:
    frame: pd.DataFrame
    caption: str
    note: str | None = None
    index: bool = True
    #: columns to right-align as numbers even when some cells are not plain numbers
    numeric: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Figure:
    figure: Any
    alt: str
    caption: str | None = None


@dataclass(frozen=True)
class Callout:
    text: str
    kind: str = "verdict"
    title: str | None = None


Block = Heading | Markdown | Table | Figure | Callout


def show_blocks(blocks: Iterable[Block]) -> None:
    """Display blocks in a notebook with :mod:`auditlib.report.display`."""

    for block in blocks:
        if isinstance(block, Heading):
            display.show_heading(block.text, block.level)
        elif isinstance(block, Markdown):
            display.show_markdown(block.text)
        elif isinstance(block, Table):
            display.show_table(
                block.frame,
                block.caption,
                note=block.note,
                index=block.index,
                numeric=block.numeric,
            )
        elif isinstance(block, Figure):
            display.show_figure(block.figure, block.alt, block.caption)
        elif isinstance(block, Callout):
            display.show_callout(block.text, block.kind, block.title)
        else:  # pragma: no cover - a programming error
            raise TypeError(f"not a report block: {block!r}")


def blocks_text(blocks: Iterable[Block]) -> str:
    """All the words of some blocks (headings, text, table cells, alt text) — for tests."""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, Heading | Markdown):
            parts.append(block.text)
        elif isinstance(block, Callout):
            parts.extend(filter(None, (block.title, block.text)))
        elif isinstance(block, Table):
            parts.append(block.caption)
            parts.append(block.frame.to_csv())
            parts.extend(filter(None, [block.note]))
        elif isinstance(block, Figure):
            parts.extend(filter(None, (block.alt, block.caption)))
    return "\n".join(parts)


# ------------------------------------------------------------------ the report


@dataclass
class MonthlyReport:
    """Everything one month's report shows, computed once."""

    month: str
    data: AuditData
    figures: dict[str, Any]
    profile: dc.DisclosureProfile
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def prepare(
        cls, report_month: str, data_dir: str | Path | None = None, disclosure: str | None = None
    ) -> MonthlyReport:
        """Load and clean the data folder (default: the demo programme) and compute the figures."""
        data = load_audit_data(Path(data_dir) if data_dir else DEMO_DATA_DIR)
        profile = dc.DisclosureProfile.from_name(disclosure or data.programme.disclosure)
        figures = build_figures(data, report_month)
        figures["disclosure"] = profile.value
        return cls(report_month, data, figures, profile)

    # -------------------------------------------------------------- helpers
    @property
    def label(self) -> str:
        """The report month as the report names it ("September 2020")."""
        return self.figures["report_month_label"]

    @property
    def published_figures(self) -> dict[str, Any]:
        """figures.json as written: the figures with the disclosure profile applied."""
        if "published" not in self._cache:
            self._cache["published"] = dc.apply_to_figures(self.figures, self.profile)
        return self._cache["published"]

    def count(self, n: int | None) -> str:
        return dc.format_count(n, self.profile)

    def counted(self, n: int | None, one: str, many: str) -> str:
        """'1 audit was' / '3 audits were' / '[c] audits were' (a hidden count reads as plural)."""
        shown = self.count(n)
        return f"{shown} {one if shown == '1' else many}"

    def pct(self, k: int | None, n: int | None) -> str:
        return dc.format_pct(k, n, self.profile)

    @property
    def trend_mask(self) -> pd.DataFrame:
        """Which cells of the trend table (with its Good or better column) are hidden."""
        if "mask" not in self._cache:
            self._cache["mask"] = dc.suppression_mask(
                with_good_or_better(self.trend), self.profile, cells=list(schema.JUDGEMENT_LABELS)
            )
        return self._cache["mask"]

    @property
    def hidden_trend(self) -> pd.DataFrame:
        """Which judgement figures of each trend month the report hides (True = suppressed).

        Indexed like :attr:`trend`; columns: the judgement labels, ``completed`` and
        ``good_or_better``. Read from the protected figures (what figures.json holds), so
        every table, chart and sentence hides exactly what figures.json hides. All False
        under the ``internal`` profile.
        """
        if "hidden" not in self._cache:
            columns = [*schema.JUDGEMENT_LABELS, schema.COMPLETED, GOOD_OR_BETTER]
            hidden = pd.DataFrame(False, index=self.trend.index, columns=columns)
            if self.profile.suppresses:
                published = self.published_figures
                entries = {e["month"]: e for e in published["trend"]}
                for month in hidden.index:
                    entry = entries.get(month)
                    if entry is None:
                        continue
                    values = dict(entry.get("judgements") or {})
                    values[schema.COMPLETED] = entry.get(schema.COMPLETED)
                    values[GOOD_OR_BETTER] = entry.get(GOOD_OR_BETTER)
                    if month == self.month:
                        # The month's own section of figures.json must agree too.
                        mo = published["month"]
                        for label, value in mo["judgements"].items():
                            values[label] = (
                                dc.SUPPRESSED if value == dc.SUPPRESSED else values[label]
                            )
                        for key in (schema.COMPLETED, GOOD_OR_BETTER):
                            if mo.get(key) == dc.SUPPRESSED:
                                values[key] = dc.SUPPRESSED
                    for column in columns:
                        hidden.at[month, column] = values.get(column) == dc.SUPPRESSED
                # The trend table's own protection (with its Good or better column) too: the
                # two agree (tests/test_published_profile.py checks the reports), and should
                # they not, hiding both keeps the table safe on its own.
                own = self.trend_mask.reindex(columns=columns, fill_value=dc.SHOWN) != dc.SHOWN
                hidden |= own
                hidden.loc[hidden[schema.COMPLETED], columns] = True
            self._cache["hidden"] = hidden
        return self._cache["hidden"]

    def share(self, month: str, what: str) -> str:
        """A judgement's share (or ``good_or_better``'s) of a trend month, as the report shows it.

        ``[c]`` wherever figures.json hides the count or its total.
        """
        row = self.trend.loc[month]
        hidden = self.hidden_trend.loc[month]
        if hidden[what] or hidden[schema.COMPLETED]:
            return dc.SUPPRESSED
        k = row[schema.OUTSTANDING] + row[schema.GOOD] if what == GOOD_OR_BETTER else row[what]
        return self.pct(int(k), int(row[schema.COMPLETED]))

    def _measure_hidden(self, month: str | None, labels: Iterable[str]) -> bool:
        """Is a measure (Good or better, or Inadequate) of a trend month suppressed?"""
        if month is None or month not in self.hidden_trend.index:
            return False
        labels = tuple(labels)
        column = GOOD_OR_BETTER if labels == tuple(schema.GOOD_OR_BETTER) else labels[0]
        return bool(self.hidden_trend.at[month, column])

    @property
    def trend(self) -> pd.DataFrame:
        if "trend" not in self._cache:
            self._cache["trend"] = metrics.judgement_trend(
                self.data.audits, self.data.programme, self.month
            )
        return self._cache["trend"]

    def save_figures(self, output_dir: str | Path | None) -> Path | None:
        """Write figures.json (disclosure applied) into ``output_dir``; nothing when empty."""
        if not output_dir:
            return None

        return write_figures_json(self.published_figures, output_dir)

    # -------------------------------------------------------------- title
    def title_blocks(self) -> list[Block]:
        return [
            Markdown(f"# Audit Highlights Report – {self.label}"),
            Markdown(title_facts(self.figures, self.profile)),
        ]

    # -------------------------------------------------------------- 1. headline
    def headline_blocks(self) -> list[Block]:
        f = self.figures
        p, mo = f["programme"], f["month"]
        blocks: list[Block] = [Heading("Headline")]
        cases = self.counted(p["allocated"], "child's case has", "children's cases have")
        paragraphs = [
            f"Since {p['from_month_label']} and up to and including {self.label}, {cases} "
            "been allocated for audit. "
            f"Of these, {self.counted(p['completed'], 'audit has', 'audits have')} been completed: "
            f"**an overall compliance rate of {self.pct(p['completed'], p['allocated'])}**."
        ]
        if p["reaudits_allocated"]:
            paragraphs.append(
                f"Since {p['reaudits_from_month_label']}, "
                f"{self.counted(p['reaudits_allocated'], 're-audit has', 're-audits have')} "
                f"been allocated and {self.count(p['reaudits_completed'])} completed, "
                f"**giving an overall re-audit compliance rate of "
                f"{self.pct(p['reaudits_completed'], p['reaudits_allocated'])}**."
            )
        month_text = (
            f"In {self.label}, {self.counted(mo['allocated'], 'audit was', 'audits were')} allocated and "
            f"{self.count(mo['completed'])} completed ({self.pct(mo['completed'], mo['allocated'])})"
        )
        extras = []
        if mo["exempt"]:
            extras.append(f"{self.counted(mo['exempt'], 'was', 'were')} exempt")
        if mo["outstanding"]:
            overdue = f", {self.count(mo['overdue'])} of them overdue" if mo["overdue"] else ""
            extras.append(f"{self.counted(mo['outstanding'], 'is', 'are')} outstanding{overdue}")
        paragraphs.append(month_text + ("; " + " and ".join(extras) if extras else "") + ".")
        for pause in f["pauses"]:
            span = _span_words(pause["from"], pause["to"])
            reason = f": {pause['reason'].rstrip('.')}" if pause["reason"] else ""
            paragraphs.append(f"The audit programme was paused {span}{reason}.")
        blocks.append(Markdown("\n\n".join(paragraphs)))
        table = pd.DataFrame(
            {
                "Allocated": [
                    self.count(p["allocated"]),
                    self.count(p["reaudits_allocated"]),
                    self.count(mo["allocated"]),
                ],
                "Completed": [
                    self.count(p["completed"]),
                    self.count(p["reaudits_completed"]),
                    self.count(mo["completed"]),
                ],
                "Compliance": [
                    self.pct(p["completed"], p["allocated"]),
                    self.pct(p["reaudits_completed"], p["reaudits_allocated"]),
                    self.pct(mo["completed"], mo["allocated"]),
                ],
                "Exempt": [
                    self.count(p["exempt"]),
                    self.count(p["reaudits_exempt"]),
                    self.count(mo["exempt"]),
                ],
            },
            index=pd.Index(
                [
                    f"Audits, {p['from_month_label']} to {self.label}",
                    f"Re-audits, {p['reaudits_from_month_label'] or '–'} to {self.label}",
                    f"Audits, {self.label}",
                ],
                name="Audits",
            ),
        )
        blocks.append(
            Table(
                table,
                "Audit compliance: allocated audits completed (exempt and cancelled audits are not counted as allocated)",
            )
        )
        return blocks

    # -------------------------------------------------------------- 3. judgements
    def judgement_blocks(self) -> list[Block]:

        f = self.figures
        mo = f["month"]
        counts = mo["judgements"]
        n = sum(counts.values())
        first = format_month(self.data.programme.start_month)
        blocks: list[Block] = [Heading(f"Overall judgements – {first} to {self.label}")]
        if n == 0:
            blocks.append(
                Markdown(
                    f"No audits had been completed for {self.label} when the data were extracted."
                )
            )
        else:
            total = (
                dc.SUPPRESSED
                if self.hidden_trend.at[self.month, schema.COMPLETED]
                else self.count(n)
            )
            sentence = (
                f"Of the {total} {'audit' if total == '1' else 'audits'} completed for {self.label}, "
                f"{self.share(self.month, GOOD_OR_BETTER)} were judged Good or better, "
                f"{self.share(self.month, schema.REQUIRES_IMPROVEMENT)} Requires Improvement and "
                f"{self.share(self.month, schema.INADEQUATE)} Inadequate"
            )
            if counts[schema.NOT_RECORDED]:
                sentence += (
                    f"; {self.share(self.month, schema.NOT_RECORDED)} had no judgement recorded"
                )
            sentence += "."
            if mo.get("previous_month"):
                prev = self.data.programme.label_for(mo["previous_month"])
                sentence += " " + self._change_sentence(prev)
            blocks.append(Markdown(sentence))
            month_counts = metrics.count_judgements(self.data.audits, self.month).iloc[0]
            fig, alt = plot_month_split(
                month_counts, self.label, suppress=self.hidden_trend.loc[self.month]
            )
            blocks.append(
                Figure(
                    fig, alt, f"Overall judgements, {self.label} (final judgement after moderation)"
                )
            )
        fig, alt = plot_judgement_trend(
            self.trend,
            title=f"Overall judgements by month, {first} to {self.label}",
            suppress=self.hidden_trend,
        )
        blocks.append(
            Figure(
                fig, alt, "Each bar is 100% of the month's completed audits; n is above each bar."
            )
        )
        table = dc.display_share_table(
            with_good_or_better(self.trend),
            self.profile,
            cells=list(schema.JUDGEMENT_LABELS),
            hidden=self.hidden_trend,
        ).rename(columns={GOOD_OR_BETTER: "Good or better"})
        blocks.append(
            Table(
                table,
                f"Overall judgements by month, {first} to {self.label}: completed audits (% of the month)",
                note="Final judgement: the moderated judgement where there is one, else the auditor's. "
                "Percentages are rounded half up, so a month may not sum to exactly 100%.",
            )
        )
        return blocks

    def _change_sentence(self, previous_label: str) -> str:
        """'Compared with August 2020, Good or better rose by 10 percentage points and
        Inadequate fell by 9 percentage points.' — or nothing under published disclosure
        when a share rests on a suppressed count."""

        mo = self.figures["month"]
        prev = next(t for t in self.figures["trend"] if t["month"] == mo["previous_month"])
        counts = [mo["good_or_better"], mo["judgements"][schema.INADEQUATE], prev["good_or_better"]]
        counts.append(prev["judgements"][schema.INADEQUATE])
        hidden = [
            self._measure_hidden(month, labels)
            for month in (self.month, mo["previous_month"])
            for labels in (schema.GOOD_OR_BETTER, (schema.INADEQUATE,))
        ]
        if self.profile.suppresses and (any(hidden) or any(dc.is_small(c) for c in counts)):
            return ""

        def move(now: float | None, before: float | None, what: str) -> str:
            now, before = now or 0.0, before or 0.0
            points = round_half_up(abs(now - before))
            if points == 0:
                return f"{what} was unchanged"
            unit = "percentage point" if points == 1 else "percentage points"
            return f"{what} {'rose' if now > before else 'fell'} by {points} {unit}"

        good = move(mo["good_or_better_pct"], prev["good_or_better_pct"], "Good or better")
        inad = move(mo["judgements_pct"][schema.INADEQUATE], prev[schema.INADEQUATE], "Inadequate")
        return f"Compared with {previous_label}, {good} and {inad}."

    # -------------------------------------------------------------- 4. judgement shifts
    @property
    def shifts(self):

        if "shifts" not in self._cache:
            self._cache["shifts"] = analyse_month(
                self.data.audits,
                self.data.programme,
                self.month,
                self.trend,
                self.data.programme.spc_rebase,
            )
        return self._cache["shifts"]

    def shift_blocks(self) -> list[Block]:

        result = self.shifts
        blocks: list[Block] = [
            Heading("Judgement shifts"),
            Markdown(
                "Is this month's change a real shift or normal month-to-month variation? "
                "The charts below are statistical process control (SPC) charts in the NHS "
                "*Making Data Count* style: points outside the grey limits, or long runs above or "
                "below the average, signal a real change; anything else is normal variation."
            ),
        ]
        completed = int(self.figures["month"]["completed"])
        for measure, (labels, _direction) in MEASURES.items():
            chart = result.spc[measure]
            if completed < wording.MIN_AUDITS:
                # Said first, and without the month's share: it is no basis for any verdict
                # (and with none completed the chart's latest point is an earlier month).
                verdict = (
                    f"{measure} in {self.label}: too few audits to tell — "
                    f"fewer than {wording.MIN_AUDITS} were completed."
                )
            else:
                verdict = wording.describe_spc(chart, measure, latest_label=self.label)
            blocks.append(Heading(measure, 3))
            hidden_now = self._measure_hidden(self.month, labels)
            blocks.append(
                Callout(self._disclose(verdict, hidden_now), "verdict", f"{measure}: verdict")
            )
            # Months whose measure figures.json hides are not drawn (they are marked [c]).
            suppress = pd.Series(
                {month: self._measure_hidden(month, labels) for month in self.trend.index}
            )
            fig, alt = plot_spc(
                chart,
                measure=measure,
                latest_label=self.label,
                suppress=suppress if self.profile.suppresses else None,
            )
            blocks.append(Figure(fig, alt, f"{measure} by month (SPC chart)"))
        references = {
            id(result.vs_previous): [metrics.previous_audited_month(self.trend, self.month)],
            id(result.vs_year): self._year_months(),
        }
        comparisons = [
            c for c in (result.vs_previous, result.vs_year) if c is not None and c.proportions
        ]
        if comparisons:
            blocks.append(Heading(f"{self.label} against earlier months", 3))
            lines = []
            for comparison in comparisons:
                reference_months = references.get(id(comparison), [])
                for measure, (labels, direction) in MEASURES.items():
                    sentence = wording.describe_proportion_comparison(
                        comparison.proportions[measure],
                        measure.removeprefix("% "),
                        period=f"in {comparison.period}",
                        reference=_reference_words(comparison.reference),
                        improvement=direction,
                    )
                    counts = [
                        int(comparison.a[list(labels)].sum()),
                        int(comparison.b[list(labels)].sum()),
                    ]
                    # A pooled share would reveal the one hidden month in it by subtraction.
                    hidden = self._measure_hidden(self.month, labels) or any(
                        self._measure_hidden(month, labels) for month in reference_months
                    )
                    hidden = hidden or any(dc.is_small(c) for c in counts)
                    lines.append("- " + self._disclose(sentence, hidden))
                if comparison.distribution is not None:
                    sentence = wording.describe_distribution_comparison(
                        comparison.distribution,
                        period=f"in {comparison.period}",
                        reference=_reference_words(comparison.reference),
                    )
                    lines.append("- " + sentence)
            blocks.append(Markdown("\n".join(lines)))
            blocks.append(Markdown(SHIFT_METHODS))
        if result.reaudits is not None:
            shift = result.reaudits
            blocks.append(Heading("Re-audits: did practice improve?", 3))
            sentence = wording.describe_reaudit_shift(shift)
            small = [shift.n_improved, shift.n_same, shift.n_declined]
            hidden = any(dc.is_small(int(c)) for c in small)
            blocks.append(
                Callout(self._disclose(sentence, hidden), "verdict", "Re-audits: verdict")
            )
            if not self.profile.suppresses:
                fig, alt = plot_reaudit_heatmap(shift)
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
                    f"Re-audits completed up to {self.label}: original audit judgement (rows) against re-audit judgement (columns)",
                )
            )
        if result.kappa is not None:
            blocks.append(Heading("Moderation", 3))
            blocks.append(Markdown(wording.describe_kappa(result.kappa)))
        return blocks

    def _year_months(self) -> list[str]:
        """The audited months of the 12 before the report month (the pooled reference)."""
        return [mo for mo in previous_months(self.month, 12) if mo in self._audited_months()]

    def _disclose(self, sentence: str, hidden: bool) -> str:
        """Under ``published``, a sentence resting on a suppressed figure loses its
        percentages and any difference in percentage points."""
        if self.profile.suppresses and hidden:
            return _POINTS.sub(dc.SUPPRESSED, _PERCENT.sub(dc.SUPPRESSED, sentence))
        return sentence

    # -------------------------------------------------------------- 5. practice themes
    def theme_blocks(self) -> list[Block]:

        blocks: list[Block] = [Heading("Practice themes")]
        f = self.figures
        counts = f["month"]["judgements"]
        n = sum(counts.values())
        prev = f["month"].get("previous_month")
        if n:
            sentence = (
                f"{self.share(self.month, schema.INADEQUATE)} of cases audited in {self.label}"
            )
            if prev:
                sentence += (
                    f" and {self.share(prev, schema.INADEQUATE)} in "
                    f"{self.data.programme.label_for(prev)}"
                )
            blocks.append(Markdown(sentence + " were judged Inadequate."))
        themes = self.data.programme.themes.get(self.month, ())
        if themes:
            names = [schema.COHORTS[key] for key in themes]
            blocks.append(Markdown(f"This month's themed audits looked at: {_join_words(names)}."))
        cohorts = metrics.judgements_by_cohort(self.data.audits, self.month)
        blocks.extend(
            self._group_blocks(
                cohorts,
                "Judgements by cohort",
                f"Overall judgements by cohort, {self.label}",
                "An audit can be in more than one cohort.",
                f"Overall judgements by cohort, {self.label}: completed audits (% of the cohort)",
            )
        )
        domains = metrics.judgements_by_domain(self.data.audits, self.month)
        blocks.extend(
            self._group_blocks(
                domains,
                "Judgements by practice domain",
                f"Domain judgements, {self.label}",
                "Each completed audit grades each domain of practice.",
                f"Domain judgements, {self.label}: completed audits (% of audits)",
            )
        )
        blocks.extend(self._team_blocks())
        return blocks

    def _group_mask(self, table: pd.DataFrame) -> pd.DataFrame:
        """The one suppression mask a group table and its chart share (True = hidden)."""
        mask = dc.suppression_mask(
            table, self.profile, cells=list(schema.JUDGEMENT_LABELS), other_counts=[]
        )
        return mask != dc.SHOWN

    def _group_blocks(
        self, table: pd.DataFrame, heading: str, title: str, caption: str, table_caption: str
    ) -> list[Block]:
        """A count table by group (cohorts, domains) as a 100% bar chart and a share table,
        both hiding the same cells; nothing when no group has a completed audit."""
        table = table.loc[table["completed"] > 0]
        if not len(table):
            return []
        hidden = self._group_mask(table)
        fig, alt = plot_judgements_by_group(table, title, suppress=hidden)
        shares = dc.display_share_table(
            table, self.profile, cells=list(schema.JUDGEMENT_LABELS), hidden=hidden
        )
        return [Heading(heading, 3), Figure(fig, alt, caption), Table(shares, table_caption)]

    def _team_blocks(self) -> list[Block]:

        window = [*previous_months(self.month, 11), self.month]
        teams = metrics.count_judgements(self.data.audits, window, by=schema.TEAM)
        teams = teams.loc[teams["completed"] > 0]
        if len(teams) < 3:
            return []
        first = (
            self.data.programme.label_for(window[0])
            if window[0] >= self.data.programme.start_month
            else None
        )
        span = f"{first or format_month(self.data.programme.start_month)} to {self.label}"
        blocks: list[Block] = [Heading("Teams", 3)]
        result = stats.compute_funnel(
            teams, list(schema.GOOD_OR_BETTER), "completed", overdispersion="multiplicative"
        )
        named = result.units.loc[result.units["outside_998"].astype(bool)]
        # A team named with "2% of 90" (or "98% of 90") states a count of 1 to 5.
        small = any(
            dc.is_small(int(k)) or dc.is_small(int(n) - int(k))
            for k, n in zip(named["k"], named["n"], strict=True)
        )
        funnel_text = wording.describe_funnel(
            result, "% Good or better", unit_noun="team", improvement="up"
        )
        blocks.append(Markdown(self._disclose(funnel_text, small)))
        if not self.profile.suppresses:
            fig, alt = plot_funnel(
                result, measure="% Good or better", unit_noun="team", improvement="up"
            )
            blocks.append(
                Figure(
                    fig,
                    alt,
                    f"% Good or better by team, {span}: teams outside the funnel differ by more than chance",
                )
            )
        compliance = metrics.compliance_by(
            self.data.audits,
            schema.TEAM,
            self.month,
            schema.AUDIT,
            metrics.default_as_at(self.data.audits, self.data.programme),
        )
        if len(compliance):
            blocks.append(
                Table(
                    self._team_compliance_table(compliance),
                    f"Audit compliance by team, {self.label}",
                    note="Allocated = completed + outstanding; overdue audits are outstanding "
                    "audits past their due date.",
                )
            )
        return blocks

    def _team_compliance_table(self, compliance: pd.DataFrame) -> pd.DataFrame:
        """Teams' compliance with an "All teams" row, protected as one table.

        Allocated = completed + outstanding in every row, and the columns add up to the
        month's figures in the headline, so a count of 1 to 5 hidden alone in a row or
        column could be worked out by subtraction: secondary suppression covers both.
        """
        columns = [schema.COMPLETED, "outstanding", schema.ALLOCATED, "overdue"]
        counts = compliance[columns].astype("int64")
        total = pd.DataFrame([counts.sum()], index=["All teams"])
        table = pd.concat([counts, total])
        mask = dc.suppression_mask(
            table,
            self.profile,
            total_row=True,
            total_col=schema.ALLOCATED,
            cells=[schema.COMPLETED, "outstanding"],
            other_counts=["overdue"],
        )
        shown = dc.suppress_counts(
            table,
            self.profile,
            total_row=True,
            total_col=schema.ALLOCATED,
            cells=[schema.COMPLETED, "outstanding"],
            other_counts=["overdue"],
        )
        rates = []
        for team in table.index:
            hidden = (mask.loc[team, [schema.COMPLETED, schema.ALLOCATED]] != dc.SHOWN).any()
            rates.append(
                dc.SUPPRESSED
                if hidden
                else self.pct(
                    int(table.at[team, schema.COMPLETED]), int(table.at[team, schema.ALLOCATED])
                )
            )
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

    # -------------------------------------------------------------- 2 and 8. recommendations
    def _recommendations(self) -> pd.DataFrame:

        if "recs" not in self._cache:
            self._cache["recs"] = recommendations_for(
                self.data.recommendations, self.month, denylist=self.data.denylist
            )
        return self._cache["recs"]

    def priority_blocks(self) -> list[Block]:

        recs = self._recommendations()
        high = recs.loc[recs["section"] == "high_priority"] if len(recs) else recs
        if not len(high):
            return []
        return [
            Heading(f"High-priority practice recommendations: {self.label}"),
            Markdown(
                "Auditing helps us know ourselves, learn from the best practice and find practice "
                "that needs to improve; it matters only if it leads to real change for the children "
                f"and families we support. The high-priority practice recommendations for {self.label} are:"
            ),
            Markdown(format_recommendations(high)),
        ]

    def recommendation_blocks(self) -> list[Block]:

        recs = self._recommendations()
        standards = recs.loc[recs["section"] == "practice_standards"] if len(recs) else recs
        if not len(standards):
            return []
        repeats = int(standards["repeated"].sum())
        intro = f"Recommendations and practice standards for {self.label}."
        if repeats:
            intro += (
                f" {repeats} of the {len(standards)} repeat earlier months' recommendations "
                "(marked with the month each first appeared): they are still to be achieved."
            )
        return [
            Heading(f"Recommendations and practice standards: {self.label}"),
            Markdown(intro),
            Markdown(format_recommendations(standards)),
        ]

    # -------------------------------------------------------------- 6. feedback
    def _themes(self):

        if "themes" not in self._cache:
            custom = self.data.data_dir / "themes.yml"
            self._cache["themes"] = load_themes(custom if custom.exists() else THEMES_FILE)
        return self._cache["themes"]

    def feedback_blocks(self) -> list[Block]:

        feedback = self.data.feedback
        if feedback is None or not len(feedback):
            return []
        month_rows = feedback.loc[feedback[schema.AUDIT_MONTH] == self.month]
        if not len(month_rows):
            return []
        blocks: list[Block] = [
            Heading("Parent, child, carer and partner agency feedback"),
            Markdown(
                "Seeking feedback from parents, carers, partners and children (where appropriate) is a "
                "key part of quality-assuring frontline practice. It is shared with social workers and "
                "their managers, to build on what works and learn from what needs to improve."
            ),
        ]
        table = voices.summarise_feedback(feedback, self.month)
        shown = dc.suppress_counts(
            table.rename(
                columns={
                    "strength": "Strengths",
                    "improvement": "Areas for improvement",
                    "total": "completed",
                }
            ),
            self.profile,
            cells=["Strengths", "Areas for improvement"],
        ).rename(columns={"completed": "Total"})
        shown.index = pd.Index(
            [str(i).capitalize() if i == i.lower() else str(i) for i in shown.index], name="Source"
        )
        blocks.append(Table(shown, f"Feedback received for audits of {self.label}, by source"))
        quotes = voices.select_quotes(feedback, 3, month=self.month, denylist=self.data.denylist)
        for kind, title in (
            (schema.STRENGTH, "Practice strengths"),
            (schema.IMPROVEMENT, "Areas for improvement"),
        ):
            text = voices.format_quotes(quotes, kind)
            if text:
                blocks.append(Heading(title, 3))
                blocks.append(Markdown(text))
        tagged = voices.tag_themes(feedback, self._themes(), denylist=self.data.denylist)
        counts = voices.count_themes(tagged, self._themes(), by=schema.KIND, month=self.month)
        if len(counts):
            blocks.append(Heading("Themes in this month's feedback", 3))
            recurring = voices.find_recurring_themes(
                tagged,
                self.month,
                months=self._audited_months(),
                min_mentions=2,
                themes=self._themes(),
            )
            rows = []
            for theme_id, row in counts.iterrows():
                again = recurring.loc[
                    (recurring["theme_id"] == theme_id) & recurring["in_report_month"]
                ]
                rows.append(
                    {
                        "Theme": row.get("name", theme_id),
                        "Strengths": self.count(int(row.get(schema.STRENGTH, 0))),
                        "Areas for improvement": self.count(int(row.get(schema.IMPROVEMENT, 0))),
                        "Recurring": f"Yes (also {again['also_in'].iloc[0]})"
                        if len(again)
                        else "No",
                    }
                )
            blocks.append(
                Table(
                    pd.DataFrame(rows).set_index("Theme"),
                    f"Themes in feedback for {self.label} (a comment can touch several themes)",
                    note="Themes are tagged from the words of each comment with the theme dictionary "
                    "(data/themes.yml). A theme is recurring when it appears in at least 2 of the "
                    "last 3 audit months.",
                )
            )
        return blocks

    def _audited_months(self) -> list[str]:
        trend = self.trend
        return [mo for mo in trend.index if trend.at[mo, "state"] == metrics.AUDITED]

    # -------------------------------------------------------------- 7. reflections
    def reflection_blocks(self) -> list[Block]:

        reflections = self.data.reflections
        if reflections is None or not (reflections[schema.AUDIT_MONTH] == self.month).any():
            return []
        blocks: list[Block] = [
            Heading("Social worker reflections"),
            Markdown(
                "Completing an audit includes meeting the social worker, and the auditor completes a "
                "reflection sheet of four questions about practice. The answers below are grouped by "
                "question; themes that recur across recent months are flagged."
            ),
        ]
        tagged = voices.tag_themes(reflections, self._themes(), denylist=self.data.denylist)
        recurring = voices.find_recurring_themes(
            tagged,
            self.month,
            months=self._audited_months(),
            by=schema.QUESTION,
            min_mentions=2,
            themes=self._themes(),
        )
        this_month = tagged.loc[tagged[schema.AUDIT_MONTH] == self.month]
        for number, question in schema.REFLECTION_QUESTIONS.items():
            answers = this_month.loc[this_month[schema.QUESTION] == number]
            if not len(answers):
                continue
            blocks.append(Heading(question, 3))
            found = (
                recurring.loc[(recurring[schema.QUESTION] == number) & recurring["in_report_month"]]
                .sort_values(["mentions", "theme_id"], ascending=[False, True])
                .head(2)
            )
            if len(found):
                items = [f"{row['name']} (also in {row['also_in']})" for _, row in found.iterrows()]
                noun = "a recurring theme" if len(items) == 1 else "recurring themes"
                blocks.append(
                    Callout(
                        f"This is {noun} in answers to this question: {'; '.join(items)}.",
                        "note",
                        "Recurring",
                    )
                )
            texts = sorted(set(answers[schema.TEXT].dropna()), key=lambda x: (-len(x), x))[:6]
            blocks.append(Markdown("\n".join(f"- “{voices.escape_markdown(x)}”" for x in texts)))
        return blocks

    # -------------------------------------------------------------- 9. data quality
    def data_quality_blocks(self) -> list[Block]:
        f = self.figures
        dq = f["data_quality"]
        blocks: list[Block] = [Heading("Data quality and methods")]
        rows = []
        for name, rec in dq["tables"].items():
            reasons = (
                "; ".join(f"{n} {reason}" for reason, n in rec["excluded_by_reason"].items()) or "–"
            )
            rows.append(
                {
                    "File": self.data.files.get(name, name),
                    "Rows read": f"{rec['rows_read']:,}",
                    "Rows used": f"{rec['rows_used']:,}",
                    "Rows excluded": f"{rec['rows_excluded']:,}",
                    "Why excluded": reasons,
                }
            )
        blocks.append(
            Table(
                pd.DataFrame(rows).set_index("File"),
                "Every input row accounted for: rows read = rows used + rows excluded",
            )
        )
        notes = [
            f"{dq['warnings']:,} warning(s) were found in the data (run `auditlib validate` for the list); "
            f"{dq['not_recorded']:,} completed audit(s) had no judgement and are counted as *Not recorded*."
        ]
        notes += [f"Name variants merged: {n}." for n in dq["notes"]]
        blocks.append(Markdown("\n\n".join(notes)))
        blocks.append(Heading("Definitions", 3))
        blocks.append(Markdown(DEFINITIONS))
        blocks.append(Heading("Disclosure control", 3))
        blocks.append(Markdown(dc.describe_rule(self.profile)))
        key = pd.DataFrame(dc.symbol_key(self.profile), columns=["Symbol", "Meaning"]).set_index(
            "Symbol"
        )
        blocks.append(Table(key, "Key to symbols"))
        blocks.append(Heading("Reproducibility", 3))
        as_at = f["as_at"]
        blocks.append(
            Markdown(
                f"Produced by auditlib {f['auditlib_version']} from the data folder's files "
                f"(input hash `{f['input_hash'][:16]}`). Figures are as at {as_at}. "
                "Every figure in this report is also in the machine-readable `figures.json` beside it."
            )
        )
        return blocks

    # -------------------------------------------------------------- display
    def show_title(self) -> None:
        show_blocks(self.title_blocks())

    def show_headline(self) -> None:
        show_blocks(self.headline_blocks())

    def show_judgements(self) -> None:
        show_blocks(self.judgement_blocks())

    def show_priority_recommendations(self) -> None:
        show_blocks(self.priority_blocks())

    def show_feedback(self) -> None:
        show_blocks(self.feedback_blocks())

    def show_reflections(self) -> None:
        show_blocks(self.reflection_blocks())

    def show_recommendations(self) -> None:
        show_blocks(self.recommendation_blocks())

    def show_shifts(self) -> None:
        show_blocks(self.shift_blocks())

    def show_practice_themes(self) -> None:
        show_blocks(self.theme_blocks())

    def show_data_quality(self) -> None:
        show_blocks(self.data_quality_blocks())


DEFINITIONS = """\
- **Allocated**: audits of the month whose status is not *exempt* or *cancelled*. Exempt audits are counted and shown separately.
- **Completed**: allocated audits with status *completed*; *allocated* and *extension* mean not yet completed (outstanding). Outstanding audits past their due date are *overdue*.
- **Compliance**: completed ÷ allocated. *Programme to date* runs from the first month compliance is counted; re-audit compliance from the first month with re-audits.
- **Final judgement**: the moderated judgement where there is one, otherwise the auditor's overall judgement; a completed audit with neither is *Not recorded*.
- **Judgement split of a month**: completed audits (not re-audits) of the month by final judgement; the denominator is every completed audit of the month. **Good or better** = Outstanding + Good.
- **Percentages** are rounded half up for display (62.5% shows as 63%); charts of 100% bars label each bar so that it adds to 100%.
- A **paused** month had no audit round and is shown as paused, never as zero."""


SHIFT_METHODS = """\
*How to read this:* each line compares the share of audits this month with an earlier period.
For one share (e.g. % Inadequate) the test is a comparison of two proportions (Fisher's exact
test when numbers are small, otherwise a z test), with the difference in percentage points and
its 95% confidence interval. For the whole spread of judgements the test is the Mann–Whitney
test, which uses the order Outstanding > Good > Requires Improvement > Inadequate; Cliff's delta
is its effect size (0 = no shift, ±1 = complete). "Significant" means p < 0.05."""

_PERCENT = re.compile(r"\d+(?:\.\d+)?%")
#: A difference stated in percentage points gives a suppressed share away as surely as the share.
_POINTS = re.compile(r"\d+(?:\.\d+)?(?= percentage points?\b)")
#: The column of :attr:`MonthlyReport.hidden_trend` for Outstanding + Good.
GOOD_OR_BETTER = "good_or_better"


def title_facts(figures: dict[str, Any], profile: dc.DisclosureProfile) -> str:
    """The line under a report's title: organisation · programme · data as at …, and which
    version (internal or published) this is."""
    facts = [figures["organisation"], figures["programme_name"]]
    if figures.get("as_at"):
        facts.append(f"data as at {dt.date.fromisoformat(figures['as_at']).strftime('%-d %B %Y')}")
    version = (
        "Published version: counts of 1 to 5 are suppressed"
        if profile.suppresses
        else "Internal version: not for publication"
    )
    return " · ".join(facts) + f"  \n*{version}.*"


def reaudit_table(shift: stats.ReauditShift, profile: dc.DisclosureProfile) -> pd.DataFrame:
    """The original × re-audit cross-table as shown: labelled, with row totals, disclosure applied."""
    table = shift.table.copy()
    table.index = pd.Index([f"Original: {i}" for i in table.index], name="Original audit")
    table.columns = [f"Re-audit: {c}" for c in table.columns]
    shown = dc.suppress_counts(
        table.assign(**{schema.COMPLETED: table.sum(axis=1)}), profile, cells=list(table.columns)
    )
    return shown.rename(columns={schema.COMPLETED: "Total"})


def with_good_or_better(table: pd.DataFrame) -> pd.DataFrame:
    """A count table with its ``good_or_better`` column (Outstanding + Good), which
    disclosure control protects together with the labels it sums."""
    return table.assign(**{GOOD_OR_BETTER: table[schema.OUTSTANDING] + table[schema.GOOD]})


def _reference_words(reference: str) -> str:
    """'the previous 12 months' → 'over the previous 12 months'; a month → 'in August 2020'."""
    return f"over {reference}" if reference.startswith("the ") else f"in {reference}"


def _join_words(items: list[str]) -> str:
    """'a, b and c'.

    >>> _join_words(["a", "b", "c"])
    'a, b and c'
    """
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _close(fig: Any) -> None:
    import matplotlib.pyplot as plt

    plt.close(fig)


def _span_words(first: str, last: str) -> str:
    if first == last:
        return f"in {format_month(first)}"
    a, b = format_month(first).split(), format_month(last).split()
    if a[1] == b[1]:
        return f"from {a[0]} to {b[0]} {b[1]}"
    return f"from {' '.join(a)} to {' '.join(b)}"
