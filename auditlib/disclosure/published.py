"""Audit what a programme has published: its months' figures.json and report pages, alone or
together (a reader holds every month's report, so differences between them count too).

A month as published is a :class:`PublishedMonth`: its figures.json and its page, read from a
report folder (:func:`read_output_folder`) or from the report's blocks
(:func:`from_context`). :func:`audit_months` turns all of them into facts about the data
folder's rows (:mod:`auditlib.disclosure.registry` and
:mod:`auditlib.disclosure.report_facts`) and runs :func:`auditlib.disclosure.audit.run_audit`
once over all of them: every suppressed cell of every month, against everything published.

More facts can only pin more cells, so an audit of all months together passes only when
every audit of fewer months would.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditlib.data.pipeline import AuditData
from auditlib.disclosure import queries, registry, report_facts
from auditlib.disclosure.audit import MILP_TIME_LIMIT, AuditResult, Fact, run_audit
from auditlib.disclosure.rules import DisclosureProfile
from auditlib.publish import layout

if TYPE_CHECKING:
    from auditlib.report.monthly.context import MonthContext


@dataclass
class PublishedMonth:
    """One month as a reader has it: figures.json and (when given) the report's page."""

    month: str
    figures: dict[str, Any]
    items: list[report_facts.Item] | None = None


def from_context(ctx: MonthContext, *, page: bool = True) -> PublishedMonth:
    """A month as its report publishes it, from the report's own blocks (charts are drawn:
    about ten seconds a month); ``page=False`` keeps figures.json only."""
    items = None
    if page:
        from auditlib.report import monthly
        from auditlib.report.blocks import close_charts

        sections = {name: section(ctx) for name, section in monthly.SECTIONS}
        items = report_facts.items_from_blocks(sections)
        for blocks in sections.values():
            close_charts(blocks)
    return PublishedMonth(ctx.month, ctx.published_figures, items)


def read_output_folder(out_dir: str | Path, months: Iterable[str]) -> list[PublishedMonth]:
    """Months as published in a report folder: ``<month>/figures.json`` and the HTML page."""
    out = []
    for month in months:
        folder = Path(out_dir) / month
        figures = json.loads((folder / layout.FIGURES_FILE).read_text(encoding="utf-8"))
        page = folder / f"{layout.report_stem(month)}.html"
        items = (
            report_facts.items_from_html(page.read_text(encoding="utf-8"))
            if page.exists()
            else None
        )
        out.append(PublishedMonth(month, figures, items))
    return out


def month_context(data: AuditData, month: str, profile: DisclosureProfile | str) -> MonthContext:
    """The context a month's report was built from (what its words refer to)."""
    from auditlib.report.figures import build_figures
    from auditlib.report.monthly.context import MonthContext

    profile = DisclosureProfile.from_name(profile)
    figures = build_figures(data, month)
    figures["disclosure"] = profile.value
    return MonthContext(month, data, figures, profile)


def facts_for(
    data: AuditData, published: PublishedMonth, profile: DisclosureProfile | str
) -> list[Fact]:
    """Everything one month published, as facts (figures.json, then its page)."""
    facts = registry.facts_from_figures(
        published.figures, data, label=f"{published.month} figures.json"
    )
    if published.items is not None:
        ctx = month_context(data, published.month, profile)
        facts += report_facts.facts_from_items(
            ctx, published.items, label=f"{published.month} report"
        )
    return facts


def audit_months(
    data: AuditData,
    published: Sequence[PublishedMonth],
    profile: DisclosureProfile | str = DisclosureProfile.PUBLISHED,
    *,
    exact: bool = False,
    time_limit: float = MILP_TIME_LIMIT,
) -> AuditResult:
    """One audit of everything these months published together (``time_limit``: seconds
    the solver may spend on each integer programme before a cell is "not decided")."""
    facts = [fact for month in published for fact in facts_for(data, month, profile)]
    return run_audit(facts, queries.universes(data), exact=exact, time_limit=time_limit)


__all__ = [
    "PublishedMonth",
    "audit_months",
    "facts_for",
    "from_context",
    "month_context",
    "read_output_folder",
]
