"""Periods of programme months (``FROM:TO``) and the breakdowns a shift report can make."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from auditlib.data.programme import format_month, iter_months
from auditlib.data.schema import MONTH_RE
from auditlib.errors import ReportError

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

_PERIOD_RE: Final = re.compile(r"^\s*(\d{4}-\d{2})\s*(?::\s*(\d{4}-\d{2})\s*)?$")


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
        if not MONTH_RE.match(month):
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


def check_by(by: str | None) -> str | None:
    """The breakdown, normalised (``None`` for none); an unknown one is a plain error."""
    by = (by or "").strip().lower() or None
    if by is not None and by not in BREAKDOWNS:
        raise ReportError(
            f"Unknown breakdown {by!r}: use one of {', '.join(BREAKDOWNS)} (or none)."
        )
    return by


def output_folder_name(a: Period, b: Period, by: str | None) -> str:
    """``2019-09_to_2020-02_vs_2020-06_to_2020-09[_by-team]``."""
    return f"{a.slug}_vs_{b.slug}" + (f"_by-{by}" if by else "")
