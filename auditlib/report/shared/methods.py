"""What both reports say about themselves: the title line, definitions, the disclosure
rule and its symbols, and how the report can be reproduced."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

import pandas as pd

from auditlib.analysis import stats
from auditlib.analysis.voices import escape_markdown
from auditlib.disclosure import DisclosureProfile, describe_rule, symbol_key
from auditlib.report.blocks import Block, Heading, Markdown, Table

DEFINITIONS: Final = f"""\
- **Allocated**: audits of the month whose status is not *exempt* or *cancelled*. Exempt audits are counted and shown separately.
- **Completed**: allocated audits with status *completed*; *allocated* and *extension* mean not yet completed (outstanding). Outstanding audits past their due date are *overdue*.
- **Compliance**: completed ÷ allocated. *Programme to date* runs from the first month compliance is counted; re-audit compliance from the first month with re-audits.
- **Final judgement**: the moderated judgement where there is one, otherwise the auditor's overall judgement; a completed audit with neither is *Not recorded*.
- **Judgement split of a month**: completed audits (not re-audits) of the month by final judgement; the denominator is every completed audit of the month. **Good or better** = Outstanding + Good.
- **Percentages** are rounded half up for display (62.5% shows as 63%); charts of 100% bars label each bar so that it adds to 100%.
- A **paused** month had no audit round and is shown as paused, never as zero.
- **Significant**: a test's p-value is below {stats.ALPHA} *after* Holm's adjustment for the other tests of its family (a month's comparisons with the previous month and the previous 12 months; period B's tests against period A; the groups of a breakdown). The SPC charts are the primary signal and are read by their own rules. Every test assumes that audits are independent of one another: a child audited more than once, or many audits by one auditor, make that only approximately true."""


def definitions(*, compliance: bool = True) -> str:
    """The definitions as a Markdown list; without compliance for a report that states none."""
    lines = DEFINITIONS.splitlines()
    if not compliance:
        lines = [line for line in lines if not line.startswith("- **Compliance**")]
    return "\n".join(lines)


def title_facts(figures: Mapping[str, Any], profile: DisclosureProfile) -> str:
    """The line under a report's title: organisation · programme · data as at …, and which
    version (internal or published) this is."""
    # Names a council typed: shown as written, never read as Markdown formatting.
    facts = [escape_markdown(str(figures[key] or "")) for key in ("organisation", "programme_name")]
    if figures.get("as_at"):
        facts.append(f"data as at {as_at_words(figures['as_at'])}")
    version = (
        "Published version: counts of 1 to 5 are suppressed"
        if profile.suppresses
        else "Internal version: not for publication"
    )
    return " · ".join(facts) + f"  \n*{version}.*"


def as_at_words(as_at: str | None) -> str:
    """'5 October 2020' from '2020-10-05'; 'not known' without a date."""
    return dt.date.fromisoformat(as_at).strftime("%-d %B %Y") if as_at else "not known"


def disclosure_blocks(profile: DisclosureProfile) -> list[Block]:
    """The disclosure rule in words and the key to the symbols a reader will meet."""
    key = pd.DataFrame(symbol_key(profile), columns=["Symbol", "Meaning"]).set_index("Symbol")
    return [
        Heading("Disclosure control", 3),
        Markdown(describe_rule(profile)),
        Table(key, "Key to symbols", name="symbols"),
    ]


def reproducibility_blocks(
    figures: Mapping[str, Any], figures_file: str, extra: str = ""
) -> list[Block]:
    """How the report was made: version, input hash, as-at date, the figures file beside it."""
    text = (
        f"Produced by auditlib {figures['auditlib_version']} from the data folder's files "
        f"(input hash `{figures['input_hash'][:16]}`). Figures are as at "
        f"{as_at_words(figures.get('as_at'))}. Every figure in this report is also in the "
        f"machine-readable `{figures_file}` beside it."
    )
    return [Heading("Reproducibility", 3), Markdown(text + (f" {extra}" if extra else ""))]
