"""Everything a month's report shows, read back from its blocks as facts for the audit.

The disclosure audit (:mod:`auditlib.disclosure.audit`) must see every number a reader
sees: tables, narrative, chart alt text, n's and p-values, not only figures.json. This
module reads a monthly report's blocks (what :func:`auditlib.report.monthly.build`
returns: the text and tables exactly as published) and turns each number into a fact
about a query (:mod:`auditlib.disclosure.queries`).

It refuses what it cannot read: a table whose caption it does not know, or a number left
in a sentence no reading rule explains, is an :class:`UnreadNumberError` naming the
block and the number. So a section that starts printing a new number fails the audit's
tests until a rule here says what the number counts. Free text (recommendations, quotes,
reflections) and fixed text (definitions, methods) are skipped by section.

Charts are read from their alt text: the labels drawn on a chart are the same rounded
figures as the table beside it (see :mod:`auditlib.report.charts.judgements`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from auditlib.analysis import comparisons, metrics, stats
from auditlib.data import schema
from auditlib.disclosure import queries
from auditlib.disclosure.audit import (
    AuditDefinitionError,
    Computed,
    Equals,
    Expr,
    Fact,
    Query,
    Within,
    count,
    rounded_share,
)
from auditlib.disclosure.rules import NOT_APPLICABLE, NOT_AVAILABLE, SUPPRESSED

if TYPE_CHECKING:  # the report package imports disclosure, not the other way round
    from auditlib.report.blocks import Block
    from auditlib.report.monthly.context import MonthContext

# ---------------------------------------------------------------- tokens
_SYMBOL: Final = r"\[c\]|\[z\]|\[x\]"
#: A count as the report prints it: "1,298", "61", or a symbol.
COUNT: Final = rf"(?:{_SYMBOL}|\d{{1,3}}(?:,\d{{3}})+|\d+)"
#: A percentage as printed: "34%", "12.5%", "43% [low]", or a symbol.
PCT: Final = rf"(?:{_SYMBOL}|\d+(?:\.\d+)?%(?: \[low\])?)"
LABELS: Final = "|".join(re.escape(label) for label in schema.JUDGEMENT_LABELS)
_MONTH_NAMES: Final = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
)
#: Dates and months are not counts: taken out before looking for unread numbers.
_DATES: Final = re.compile(
    rf"\b\d{{1,2}} (?:{_MONTH_NAMES}) \d{{4}}\b"
    rf"|\b(?:{_MONTH_NAMES})(?:/(?:{_MONTH_NAMES}))? \d{{4}}\b"
    r"|\b\d{4}-\d{2}(?:-\d{2})?\b"
)
_NUMBER: Final = re.compile(rf"{_SYMBOL}|\d")


class UnreadNumberError(AuditDefinitionError):
    """A number in the report that no reading rule explains."""


def _count_value(token: str) -> int | str:
    """ "1,298" → 1298; ``[c]`` stays; ``[z]``/``[x]`` → themselves."""
    token = token.strip()
    if token in (SUPPRESSED, NOT_APPLICABLE, NOT_AVAILABLE):
        return token
    return int(token.replace(",", ""))


def _pct_value(token: str) -> tuple[Fraction, int] | str:
    """ "34%" → (34, 0 decimals); "12.5% [low]" → (12.5, 1); a symbol stays."""
    token = token.strip().removesuffix(" [low]")
    if token in (SUPPRESSED, NOT_APPLICABLE, NOT_AVAILABLE):
        return token
    number = token.removesuffix("%")
    decimals = len(number.split(".")[1]) if "." in number else 0
    return Fraction(number), decimals


# ---------------------------------------------------------------- the reader
class _Reader:
    """Facts from one report, with the context that says what its words refer to."""

    def __init__(self, ctx: MonthContext, label: str):
        self.ctx = ctx
        self.label = label
        self.facts: list[Fact] = []
        #: Printed sentences that rest on the month's family of tests (see _family_fact).
        self.family: list[str] = []
        #: The re-audit verdict for each table tried (see _reaudit_fact), shared by its facts.
        self.reaudit_verdicts: dict[tuple[int, ...], str | None] = {}
        programme = ctx.data.programme
        self.months: dict[str, str] = {}
        for month in metrics.months_between(programme.start_month, ctx.month):
            self.months.setdefault(programme.label_for(month), month)

    # ------------------------------------------------------------ naming
    def month(self, label: str) -> str:
        label = label.strip()
        if label not in self.months:
            raise AuditDefinitionError(f"{self.label}: no month is labelled {label!r}")
        return self.months[label]

    def where(self, place: str) -> str:
        return f"{self.label}: {place}"

    # ------------------------------------------------------------ facts
    def count(self, place: str, query: Query | Expr, token: str) -> None:
        """A count shown as ``token``: a number, ``[c]``, or ``[z]``/``[x]`` (nothing known)."""
        value = _count_value(token)
        if value in (NOT_APPLICABLE, NOT_AVAILABLE):
            return
        if isinstance(query, Mapping):
            if value != SUPPRESSED:
                self.facts.append(Equals(self.where(place), query, int(value)))
            return
        self.facts.append(count(self.where(place), query, value))

    def share(
        self,
        place: str,
        numerator: Query | Expr,
        denominator: Query | Expr,
        token: str,
        *,
        half_width: Fraction | None = None,
    ) -> None:
        """A rounded percentage: two inequalities (nothing when suppressed)."""
        value = _pct_value(token)
        if isinstance(value, str):
            if value == NOT_APPLICABLE:  # a percentage of nothing
                self.facts.append(Equals(self.where(place), _expr(denominator), 0))
            return
        shown, decimals = value
        self.facts.extend(
            rounded_share(
                self.where(place), numerator, denominator, shown, decimals, half_width=half_width
            )
        )

    def family_text(self, place: str, text: str) -> None:
        """A sentence the month's family of tests must reproduce, as printed."""
        self.family.append(text)

    def equals(self, place: str, expr: Query | Expr, value: int) -> None:
        self.facts.append(Equals(self.where(place), _expr(expr), value))

    # ------------------------------------------------------------ text
    def claim(self, place: str, text: str, rules: Sequence[Rule]) -> None:
        """Read ``text`` with ``rules``; any number no rule explains is an error."""
        rest = text
        for rule in rules:
            for found in list(rule.pattern.finditer(rest)):
                rule.read(self, place, found)
            rest = rule.pattern.sub(lambda m: " " * len(m.group(0)), rest)
        left = _DATES.sub(" ", rest)
        for month_label in self.months:
            left = left.replace(month_label, " ")
        stray = _NUMBER.search(left)
        if stray:
            start = max(0, stray.start() - 60)
            raise UnreadNumberError(
                f"{self.label}: {place}: no rule reads the number in "
                f"…{left[start : stray.end() + 40].strip()}… (full text: {text[:300]!r})"
            )


def _group(found: re.Match[str], name: str) -> str | None:
    """A named group's text, or None when the pattern has no such group or it did not match."""
    return found.groupdict().get(name)


def _expr(value: Query | Expr) -> Expr:
    return value if isinstance(value, Mapping) else {value: 1}


def _minus(a: Query | Expr, b: Query | Expr) -> Expr:
    out: dict[Query, Fraction] = {}
    for expr, sign in ((_expr(a), 1), (_expr(b), -1)):
        for q, c in expr.items():
            out[q] = out.get(q, Fraction(0)) + sign * Fraction(c)
    return {q: c for q, c in out.items() if c}


class Rule:
    """A sentence (regular expression) and what its numbers are."""

    def __init__(self, pattern: str, read: Callable[[_Reader, str, re.Match[str]], None]):
        self.pattern = re.compile(pattern)
        self.read = read


def _ignore(_reader: _Reader, _place: str, _found: re.Match[str]) -> None:
    """Numbers that are not counts of people (constants, months, teams, versions)."""


def constant(pattern: str) -> Rule:
    return Rule(pattern, _ignore)


# ---------------------------------------------------------------- queries used here
def _measure(months: str | Iterable[str], measure: str) -> Query:
    labels, _ = comparisons.MEASURES[measure]
    return queries.completed(months, judgements=labels)


def _label(months: str | Iterable[str], label: str) -> Query:
    labels = schema.GOOD_OR_BETTER if label == "Good or better" else (label,)
    return queries.completed(months, judgements=labels)


# ================================================================ 1. headline
def _read_programme(reader: _Reader, place: str, found: re.Match[str]) -> None:
    window = reader.ctx.figures["programme"]
    months = metrics.months_between(window["from_month"], reader.ctx.month)
    allocated, completed = queries.allocated(months), queries.completed(months)
    reader.count(f"{place} (allocated)", allocated, found["allocated"])
    reader.count(f"{place} (completed)", completed, found["completed"])
    reader.share(f"{place} (compliance)", completed, allocated, found["pct"])


def _reaudit_window(reader: _Reader) -> list[str]:
    first = reader.ctx.figures["programme"]["reaudits_from_month"]
    return metrics.months_between(first, reader.ctx.month) if first else []


def _read_reaudits(reader: _Reader, place: str, found: re.Match[str]) -> None:
    months = _reaudit_window(reader)
    allocated = queries.allocated(months, schema.REAUDIT)
    completed = queries.completed(months, schema.REAUDIT)
    reader.count(f"{place} (re-audits allocated)", allocated, found["allocated"])
    reader.count(f"{place} (re-audits completed)", completed, found["completed"])
    reader.share(f"{place} (re-audit compliance)", completed, allocated, found["pct"])


def _read_month_headline(reader: _Reader, place: str, found: re.Match[str]) -> None:
    month = reader.month(found["month"])
    as_at = reader.ctx.figures.get("as_at")
    allocated, completed = queries.allocated(month), queries.completed(month)
    reader.count(f"{place} (allocated)", allocated, found["allocated"])
    reader.count(f"{place} (completed)", completed, found["completed"])
    reader.share(f"{place} (compliance)", completed, allocated, found["pct"])
    exempt = queries.with_status(month, schema.EXEMPT)
    outstanding = queries.outstanding(month)
    overdue = queries.outstanding(month, overdue_at=as_at)
    # A clause left out says its count is 0.
    reader.count(f"{place} (exempt)", exempt, found["exempt"] or "0")
    reader.count(f"{place} (outstanding)", outstanding, found["outstanding"] or "0")
    if found["outstanding"]:
        reader.count(f"{place} (overdue)", overdue, found["overdue"] or "0")


HEADLINE_RULES: Final = (
    Rule(
        rf"Since .+? and up to and including .+?, (?P<allocated>{COUNT}) (?:child's case has|"
        rf"children's cases have) been allocated for audit\. Of these, (?P<completed>{COUNT}) "
        rf"(?:audit has|audits have) been completed: an overall compliance rate of "
        rf"(?P<pct>{PCT})\.",
        _read_programme,
    ),
    Rule(
        rf"Since .+?, (?P<allocated>{COUNT}) re-audits? (?:has|have) been allocated and "
        rf"(?P<completed>{COUNT}) completed, giving an overall re-audit compliance rate of "
        rf"(?P<pct>{PCT})\.",
        _read_reaudits,
    ),
    Rule(
        rf"In (?P<month>[^,]+?), (?P<allocated>{COUNT}) audits? (?:was|were) allocated and "
        rf"(?P<completed>{COUNT}) completed \((?P<pct>{PCT})\)(?:; (?:(?P<exempt>{COUNT}) "
        rf"(?:was|were) exempt)?(?: and )?(?:(?P<outstanding>{COUNT}) (?:is|are) "
        rf"outstanding(?:, (?P<overdue>{COUNT}) of them overdue)?)?)?\.",
        _read_month_headline,
    ),
    # A pause's reason is free text from programme.yml.
    constant(r"The audit programme was paused [^\n]*"),
)


def _read_compliance_table(reader: _Reader, frame: pd.DataFrame, caption: str) -> None:
    programme = reader.ctx.figures["programme"]
    for row_name, row in frame.iterrows():
        name = str(row_name)
        if name.startswith("Re-audits"):
            months, kind = _reaudit_window(reader), schema.REAUDIT
        elif name == f"Audits, {reader.ctx.label}":
            months, kind = [reader.ctx.month], schema.AUDIT
        elif name.startswith("Audits, "):
            months = metrics.months_between(programme["from_month"], reader.ctx.month)
            kind = schema.AUDIT
        else:
            raise UnreadNumberError(f"{reader.label}: {caption}: unknown row {name!r}")
        place = f"table '{caption[:40]}…', row {name!r}"
        allocated, completed = queries.allocated(months, kind), queries.completed(months, kind)
        reader.count(place + " Allocated", allocated, row["Allocated"])
        reader.count(place + " Completed", completed, row["Completed"])
        reader.share(place + " Compliance", completed, allocated, row["Compliance"])
        reader.count(
            place + " Exempt", queries.with_status(months, schema.EXEMPT, kind), row["Exempt"]
        )


# ================================================================ 3. judgements
def _read_month_sentence(reader: _Reader, place: str, found: re.Match[str]) -> None:
    month = reader.month(found["month"])
    n = queries.completed(month)
    reader.count(f"{place} (completed)", n, found["n"])
    for group, label in (
        ("gob", "Good or better"),
        ("ri", schema.REQUIRES_IMPROVEMENT),
        ("inad", schema.INADEQUATE),
    ):
        reader.share(f"{place} ({label})", _label(month, label), n, found[group])
    nr = _label(month, schema.NOT_RECORDED)
    if found["nr"]:
        reader.share(f"{place} (Not recorded)", nr, n, found["nr"])
    else:
        reader.equals(f"{place} (no Not recorded clause)", nr, 0)
    if found["previous"]:
        previous = reader.month(found["previous"])
        for what, labels_key in (("gob_move", "Good or better"), ("inad_move", schema.INADEQUATE)):
            _read_move(reader, place, month, previous, labels_key, found[what])


def _read_move(
    reader: _Reader, place: str, month: str, previous: str, label: str, words: str
) -> None:
    """'rose by 10 percentage points': the rounded difference of two shares whose
    denominators are printed (so the difference is linear in the counts)."""
    n_now = reader.ctx.trend.at[month, schema.COMPLETED]
    n_before = reader.ctx.trend.at[previous, schema.COMPLETED]
    now, before = _label(month, label), _label(previous, label)
    # 100 k1 / n1 - 100 k2 / n2, with the printed n's as constants.
    expr = {now: Fraction(100, int(n_now)), before: Fraction(-100, int(n_before))}
    if words == "was unchanged":
        low, high = Fraction(-1, 2), Fraction(1, 2)
    else:
        points = int(re.search(r"\d+", words).group(0))  # type: ignore[union-attr]
        sign = 1 if words.startswith("rose") else -1
        low, high = (
            (Fraction(points) - Fraction(1, 2), Fraction(points) + Fraction(1, 2))
            if sign > 0
            else (-Fraction(points) - Fraction(1, 2), -Fraction(points) + Fraction(1, 2))
        )
    reader.facts.append(
        Within(reader.where(f"{place} ({label} {words})"), expr, low=low, high=high)
    )


_MOVE: Final = r"(?:rose by \d+ percentage points?|fell by \d+ percentage points?|was unchanged)"


def _split_items(text: str) -> Iterable[tuple[str, str, str | None]]:
    """'Outstanding 0% (0), Good [c], …' → (label, percentage, count or None)."""
    for item in re.finditer(rf"(?P<label>{LABELS}) (?P<pct>{PCT})(?: \((?P<k>{COUNT})\))?", text):
        yield item["label"], item["pct"], item["k"]


def _read_month_split(reader: _Reader, place: str, found: re.Match[str]) -> None:
    month = reader.month(found["month"])
    n = queries.completed(month)
    reader.count(f"{place} (n)", n, found["n"])
    for label, pct, k in _split_items(found["split"]):
        reader.share(f"{place} ({label} %)", _label(month, label), n, pct)
        if k is not None:
            reader.count(f"{place} ({label})", _label(month, label), k)
    reader.share(f"{place} (Good or better)", _label(month, "Good or better"), n, found["gob"])


def _read_rounds(reader: _Reader, place: str, found: re.Match[str]) -> None:
    """'18 rounds with 1,368 completed audits in all (n per round from 61 to 93).'"""
    audited = [m for m in reader.ctx.audited_months if reader.ctx.trend.at[m, "completed"] > 0]
    if _group(found, "total"):
        reader.equals(
            f"{place} (completed in all)", queries.completed(audited), _int(found["total"])
        )
    if _group(found, "low"):
        # Every round whose n is shown has a completed count in that range.
        for month in audited:
            if not reader.ctx.hidden_trend.at[month, schema.COMPLETED]:
                reader.facts.append(
                    Within(
                        reader.where(f"{place} (n per round)"),
                        {queries.completed(month): 1},
                        low=Fraction(_int(found["low"])),
                        high=Fraction(_int(found["high"])),
                    )
                )


def _read_extreme(reader: _Reader, place: str, found: re.Match[str]) -> None:
    """'Inadequate ranged from 14% (January 2020) to 31% (September 2019)': the named months'
    shares, rounded (the range is over the months whose share is shown)."""
    label = found["label"]
    for pct, months in ((found["p1"], found["m1"]), (found["p2"], found["m2"])):
        if pct is None:
            continue
        for month_label in _listed_months(months):
            month = reader.month(month_label)
            reader.share(
                f"{place} ({label} extreme)", _label(month, label), queries.completed(month), pct
            )


def _read_latest(reader: _Reader, place: str, found: re.Match[str]) -> None:
    """'In September 2020, the latest month (n=61): Outstanding [c], Good [c], …'"""
    latest = reader.month(found["month"])
    n = queries.completed(latest)
    reader.count(f"{place} (latest n)", n, found["n"])
    for label, pct, _ in _split_items(found["split"]):
        reader.share(f"{place} (latest {label})", _label(latest, label), n, pct)


def _listed_months(text: str) -> list[str]:
    """'January 2020 and March 2020' → the labels ('N other months' are not named)."""
    parts = re.split(r", | and ", text)
    return [p for p in parts if p and not re.fullmatch(r"\d+ other months", p)]


def _int(token: str) -> int:
    return int(token.replace(",", ""))


JUDGEMENT_RULES: Final = (
    Rule(
        rf"Of the (?P<n>{COUNT}) audits? completed for (?P<month>.+?), (?P<gob>{PCT}) were judged "
        rf"Good or better, (?P<ri>{PCT}) Requires Improvement and (?P<inad>{PCT}) Inadequate"
        rf"(?:; (?P<nr>{PCT}) had no judgement recorded)?\.(?: Compared with (?P<previous>.+?), "
        rf"Good or better (?P<gob_move>{_MOVE}) and Inadequate (?P<inad_move>{_MOVE})\.)?",
        _read_month_sentence,
    ),
    Rule(
        r"No audits had been completed for (?P<month>.+?) when the data were extracted\.",
        lambda r, p, f: r.equals(p, queries.completed(r.month(f["month"])), 0),
    ),
    Rule(
        rf"Horizontal bar chart of overall judgements for (?P<month>.+?), (?P<n>{COUNT}) completed "
        rf"audits: (?P<split>.+?)\. Good or better \(Outstanding and Good\) (?P<gob>{PCT})\.",
        _read_month_split,
    ),
    Rule(
        r"Bar chart of overall judgements for (?P<month>.+?): no completed audits\.",
        lambda r, p, f: r.equals(p, queries.completed(r.month(f["month"])), 0),
    ),
    constant(
        r"100% stacked bar chart of overall judgements by month from .+? to .+?, one bar per "
        r"audit round, Inadequate at the bottom\."
    ),
    Rule(
        r"\d+ rounds with (?P<total>[\d,]+) completed audits in all \(n per round from "
        r"(?P<low>\d+) to (?P<high>\d+)\)\.",
        _read_rounds,
    ),
    Rule(
        r"\d+ rounds \((?:n per round from (?P<low>\d+) to (?P<high>\d+); )?n suppressed in "
        r"\d+\)\.",
        _read_rounds,
    ),
    Rule(
        r"(?P<label>Inadequate|Good or better|Requires Improvement) (?:ranged )?(?:from "
        r"(?P<p1>\d+%) \((?P<m1>[^)]*)\) to (?P<p2>\d+%) \((?P<m2>[^)]*)\)|\[c\] "
        r"\(suppressed in every round\))",
        _read_extreme,
    ),
    Rule(
        r"Some rounds include audits with no judgement recorded, up to (?P<p1>\d+%) "
        r"\((?P<m1>[^)]*)\)\.",
        lambda r, p, f: _read_extreme(r, p, _Fake(f, label=schema.NOT_RECORDED, p2=None, m2=None)),
    ),
    Rule(
        rf"In (?P<month>[^,(]+?), the latest (?:audited )?month \(n=(?P<n>{COUNT})\): "
        rf"(?P<split>[^.]*)\.",
        _read_latest,
    ),
    constant(r"The programme was paused [^.]*\.|There was no audit round in [^.]*\."),
    constant(r"\d+ other months"),
    constant(r"No month in the period has completed audits\."),
    constant(r"Each bar is 100% of the month's completed audits; n is above each bar\."),
    constant(r"Percentages are rounded half up, so a month may not sum to exactly 100%\."),
    constant(
        r"Figures from counts of 1 to 5, and any from which one could be worked out, are "
        r"suppressed \(\[c\]\)"
    ),
)


def _read_share_table(
    reader: _Reader,
    frame: pd.DataFrame,
    caption: str,
    row_query: Callable[[str, str | None], Query],
    n_column: str = "Completed audits",
) -> None:
    """A table of "count (percentage)" cells per judgement label and the row's n.

    ``row_query(row, label)`` is the query of a cell (``label`` None: the row's n).
    """
    for row_name, row in frame.iterrows():
        n = row_query(str(row_name), None)
        place = f"table '{caption[:40]}…', row {row_name!r}"
        n_token = row[n_column]
        reader.count(f"{place} n", n, n_token)
        for column in frame.columns:
            if column == n_column:
                continue
            label = "Good or better" if column == "Good or better" else column
            query = row_query(str(row_name), label)
            text = str(row[column])
            cell = re.fullmatch(rf"(?P<k>{COUNT})(?: \((?P<p>{PCT})\))?", text)
            if cell is None:
                raise UnreadNumberError(f"{reader.label}: {place}, {column}: cannot read {text!r}")
            reader.count(f"{place}, {column}", query, cell["k"])
            if cell["p"]:
                reader.share(f"{place}, {column} %", query, n, cell["p"])


def _read_trend_table(reader: _Reader, frame: pd.DataFrame, caption: str) -> None:
    def query(row: str, label: str | None) -> Query:
        month = reader.month(row)
        return queries.completed(month) if label is None else _label(month, label)

    _read_share_table(reader, frame, caption, query)


# ================================================================ 4. judgement shifts
def _comparison_months(reader: _Reader, reference: str) -> list[str]:
    """The months a comparison's reference words name ('over the previous 12 months',
    'in August 2020', 'the previous 12 months', 'August 2020')."""
    words = reference.removeprefix("over ").removeprefix("in ")
    if words == "the previous 12 months":
        return list(reader.ctx.year_months)
    return [reader.month(words)]


def _read_comparison(reader: _Reader, place: str, found: re.Match[str]) -> None:
    """'34% Good or better in September 2020 (n=61) against 24% in August 2020 (n=79): …
    (z test, Holm-adjusted p = 0.16 for the month's 6 tests; unadjusted p = 0.040).' — the
    n's and the two shares; the verdict, the difference and both p-values are the month's
    family of tests (:func:`_family_fact`): the Holm-adjusted p rests on every test's p."""
    measure = "% " + found["measure"]
    this = [reader.month(found["period"])]
    reference = _comparison_months(reader, found["reference"])
    k1, k2 = _measure(this, measure), _measure(reference, measure)
    n1, n2 = queries.completed(this), queries.completed(reference)
    reader.count(f"{place} (n)", n1, found["n1"])
    reader.count(f"{place} (reference n)", n2, found["n2"])
    reader.share(f"{place} (share)", k1, n1, found["p1"])
    reader.share(f"{place} (reference share)", k2, n2, found["p2"])
    reader.family_text(place, found.group(0))


def _read_distribution(reader: _Reader, place: str, found: re.Match[str]) -> None:
    """'Judgements in September 2020 (n=61) compared with those over the previous 12 months
    (n=602): …' — n's count the graded audits (Not recorded left out); the verdict, Cliff's
    delta and both p-values are the month's family of tests (:func:`_family_fact`)."""
    this = [reader.month(found["period"])]
    reference = _comparison_months(reader, found["reference"])
    graded = schema.JUDGEMENTS
    if found["n1"]:
        n1 = queries.completed(this, judgements=graded)
        n2 = queries.completed(reference, judgements=graded)
        reader.count(f"{place} (graded n)", n1, found["n1"])
        reader.count(f"{place} (reference graded n)", n2, found["n2"])
    reader.family_text(place, found.group(0))


def _read_family_text(reader: _Reader, place: str, found: re.Match[str]) -> None:
    """A sentence that says something of the month's family of tests (a test withheld, how
    many tests are significant): regenerated with the family (:func:`_family_fact`)."""
    reader.family_text(place, found.group(0))


def _family_fact(reader: _Reader) -> Computed:
    """The month's family of tests as one statistic of the counts its shown tests rest on.

    Each test's p is a function of its own counts, but the Holm-adjusted p beside it is a
    function of every test's p (its rank among them, or a smaller p carried up), and how
    many tests are significant says something of the counts too. So the audit tries every
    combination of the counts the tests shown rest on (each share test: the measure's
    count and the completed audits on each side; the distribution: each graded label on
    each side) that the other facts allow, recomputes the family and every sentence the
    report derives from it (with the report's own code and disclosure) and keeps the
    combinations that print exactly what was printed. A withheld test's counts are not
    among them: with a test withheld, the published report judges the others on a bound
    that rests on their own p alone (see
    :func:`auditlib.report.monthly.shifts.holm_bounded`), so nothing printed depends on
    them; they keep their real values.
    """
    ctx = reader.ctx
    from auditlib.report import wording
    from auditlib.report.monthly import shifts as shifts_section

    kinds = {
        comparisons.PREVIOUS_MONTH: ctx.shifts.vs_previous,
        comparisons.PREVIOUS_12_MONTHS: ctx.shifts.vs_year,
    }
    side_months = {"this": [ctx.month]}
    for kind, comparison in kinds.items():
        if comparison is not None:
            side_months[kind] = shifts_section.reference_months(ctx, kind)

    def query(side: str, what: str) -> Query:
        months = side_months[side]
        if what in comparisons.MEASURES:
            return _measure(months, what)
        if what == schema.COMPLETED:
            return queries.completed(months)
        return queries.completed(months, judgements=(what,))

    keys: dict[tuple[str, str], None] = {}
    for _, row in ctx.test_family.iterrows():
        if not shifts_section.stated(ctx, row):
            continue
        kind = str(row["comparison"])
        if row["measure"] in comparisons.MEASURES:
            for side in ("this", kind):
                keys.setdefault((side, str(row["measure"])), None)
                keys.setdefault((side, schema.COMPLETED), None)
        else:
            for side in ("this", kind):
                for label in schema.JUDGEMENTS:
                    keys.setdefault((side, label), None)
    names = list(keys)
    inputs = tuple(query(side, what) for side, what in names)
    printed = [text.strip() for text in reader.family]
    cache: dict[tuple[Any, ...], Any] = {}

    def cached(key: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        if key not in cache:
            cache[key] = make()
        return cache[key]

    def replaced(kind: str, values: Mapping[tuple[str, str], int]) -> comparisons.Comparison:
        real = kinds[kind]
        assert real is not None

        def get(side: str, what: str, series: pd.Series) -> int:
            if (side, what) in values:
                return values[(side, what)]
            if what in comparisons.MEASURES:
                return int(series[list(comparisons.MEASURES[what][0])].sum())
            return int(series[what])

        sides = (("this", real.a), (kind, real.b))
        proportions = {}
        for measure in real.proportions:
            k1, n1, k2, n2 = (
                get(side, what, series)
                for side, series in sides
                for what in (measure, schema.COMPLETED)
            )
            proportions[measure] = cached(
                ("p", k1, n1, k2, n2),
                lambda k1=k1, n1=n1, k2=k2, n2=n2: stats.compare_proportions(k1, n1, k2, n2),
            )
        distribution = real.distribution
        if distribution is not None and all((kind, label) in values for label in schema.JUDGEMENTS):
            a = tuple(values[("this", label)] for label in schema.JUDGEMENTS)
            b = tuple(values[(kind, label)] for label in schema.JUDGEMENTS)
            distribution = cached(
                ("d", a, b),
                lambda: stats.compare_distributions(np.array(a), np.array(b)),
            )
        return dataclasses.replace(real, proportions=proportions, distribution=distribution)

    def texts(values: Mapping[tuple[str, str], int]) -> set[str]:
        new = {
            kind: replaced(kind, values) if comparison is not None else None
            for kind, comparison in kinds.items()
        }
        vs_previous = new[comparisons.PREVIOUS_MONTH]
        vs_year = new[comparisons.PREVIOUS_12_MONTHS]
        family = comparisons.month_test_family([vs_previous, vs_year])
        shifts = dataclasses.replace(
            ctx.shifts, vs_previous=vs_previous, vs_year=vs_year, family=family
        )
        other = _ContextWith(ctx, shifts=shifts, test_family=family)
        verdicts = shifts_section.published_verdicts(other)
        out = set(shifts_section.comparison_sentences(other))
        out.add(
            wording.describe_test_family(
                family,
                shown=shifts_section.stated_flags(other),
                significant=[v == "significant" for v in verdicts],
                undecided=verdicts.count("undecided"),
            )
        )
        out.add(shifts_section.family_summary(other))
        out.update(shifts_section.reconciliation_sentences(other))
        return {text.strip() for text in out}

    def accepts(values: tuple[int, ...]) -> bool:
        if any(v < 0 for v in values):
            return False
        try:
            regenerated = texts(dict(zip(names, values, strict=True)))
        except (stats.StatsError, ValueError, ZeroDivisionError):
            return False
        return all(text in regenerated for text in printed)

    return Computed(reader.where("the month's family of tests"), inputs, accepts)


class _ContextWith:
    """A month's context with some of its results replaced (the family recomputed from
    other counts); everything else is the real context's."""

    def __init__(self, ctx: MonthContext, **replaced: Any):
        self._ctx = ctx
        self.__dict__.update(replaced)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ctx, name)


def _read_reconciliation(reader: _Reader, place: str, found: re.Match[str]) -> None:
    """'% Good or better: The chart and the test differ because the test sets September
    2020 against …, allowing only for the chance variation of sampling 61 audits, …':
    the month's completed audits, the chart's mean (a mean of the shares it draws) and,
    through the family, whether the test is significant."""
    if _group(found, "n"):
        reader.count(f"{place} (n)", queries.completed(reader.ctx.month), found["n"])
    for group in ("mean", "mean2"):
        if _group(found, group):
            _spc_mean(reader, place, found["measure"], found[group])
    reader.family_text(place, found.group(0))


def _read_spc(reader: _Reader, place: str, found: re.Match[str]) -> None:
    """An SPC verdict ('% Inadequate in September 2020 (19%): …': the latest value) or alt
    text ('Latest limits: mean 19%, process limits 3% to 35%'): the mean of the latest
    period's shares is linear in their counts (the trend table prints the n's); the limits
    add the mean moving range, a condition the audit checks combination by combination."""
    ctx = reader.ctx
    measure = found["measure"]
    if _group(found, "mean") is None:
        value = _group(found, "value")
        if value:
            month = reader.month(found["month"])
            reader.share(
                f"{place} ({measure} value)",
                _measure(month, measure),
                queries.completed(month),
                value,
            )
        return
    chart = spc_chart_for(ctx, measure)
    period = chart.latest_period
    points = [str(x) for x in period.loc[period["value"].notna(), "x"]]
    if not points:
        return
    ns = [int(ctx.trend.at[point, schema.COMPLETED]) for point in points]
    counts = tuple(_measure(point, measure) for point in points)
    _spc_mean(reader, place, measure, found["mean"])
    printed = (found["mean"], found["lower"], found["upper"])
    # Where the shown points sit in the period (a gap breaks a moving range), and how the
    # chart takes its mean moving range: the limits are recomputed as the chart does.
    is_point = period["value"].notna().to_numpy()
    layout = _XmrLayout(is_point, chart.gaps, chart.screen_outliers)

    def accepts(values: tuple[int, ...]) -> bool:
        if any(k > n for k, n in zip(values, ns, strict=True)):
            return False
        return _xmr_matches(values, ns, printed, layout)

    reader.facts.append(Computed(reader.where(f"{place} ({measure} limits)"), counts, accepts))


def _spc_mean(reader: _Reader, place: str, measure: str, token: str) -> None:
    """An SPC chart's mean as printed: the mean of the latest period's shares, linear in
    their counts (the trend table prints the n's)."""
    ctx = reader.ctx
    period = spc_chart_for(ctx, measure).latest_period
    points = [str(x) for x in period.loc[period["value"].notna(), "x"]]
    mean = _pct_value(token)
    if not points or isinstance(mean, str):
        return
    ns = [int(ctx.trend.at[point, schema.COMPLETED]) for point in points]
    counts = tuple(_measure(point, measure) for point in points)
    shown, decimals = mean
    half = Fraction(1, 2 * 10**decimals)
    expr = {q: Fraction(100, n * len(points)) for q, n in zip(counts, ns, strict=True)}
    reader.facts.append(
        Within(
            reader.where(f"{place} ({measure} mean)"),
            expr,
            low=shown - half,
            high=shown + half,
            high_strict=True,
        )
    )


@dataclass(frozen=True)
class _XmrLayout:
    """How an XmR chart's latest period is laid out: which rows are points (the others are
    gaps), whether a gap breaks a moving range, and whether moving ranges are screened."""

    is_point: np.ndarray
    gaps: str = "bridge"
    screen: bool = False


def _xmr_text(
    values: Sequence[int], ns: Sequence[int], layout: _XmrLayout | None = None
) -> tuple[str, str, str]:
    """Mean and process limits of an XmR chart of 100 k / n, as the alt text prints them
    (computed by :mod:`auditlib.analysis.spc`'s own moving-range functions)."""
    from auditlib.analysis import spc
    from auditlib.report import wording

    v = np.array([100 * k / n for k, n in zip(values, ns, strict=True)], dtype=float)
    if layout is None:
        layout = _XmrLayout(np.ones(len(v), dtype=bool))
    full = np.full(len(layout.is_point), np.nan)
    full[layout.is_point] = v
    mean = float(v.mean())
    amr = spc._mean_moving_range(spc._moving_ranges(full, layout.gaps), layout.screen)
    if np.isnan(amr):  # no moving range: no limits, printed as [x]
        return wording.format_pct(mean), NOT_AVAILABLE, NOT_AVAILABLE
    lower = min(max(mean - spc.LIMIT_FACTOR * amr, 0.0), 100.0)
    upper = min(max(mean + spc.LIMIT_FACTOR * amr, 0.0), 100.0)
    return wording.format_pct(mean), wording.format_pct(lower), wording.format_pct(upper)


def _xmr_matches(
    values: Sequence[int],
    ns: Sequence[int],
    printed: Sequence[str],
    layout: _XmrLayout | None = None,
) -> bool:
    """Each printed figure (``[c]`` matches anything) equals the recomputed one."""
    return all(
        shown in (SUPPRESSED, got)
        for shown, got in zip(printed, _xmr_text(values, ns, layout), strict=True)
    )


def _read_too_few(reader: _Reader, place: str, found: re.Match[str]) -> None:
    """'… too few audits to tell — fewer than 10 were completed': the month's completed
    audits are below the limit."""
    month = reader.month(found["month"])
    reader.facts.append(
        Within(
            reader.where(f"{place} (fewer than {found['limit']} completed)"),
            {queries.completed(month): 1},
            high=Fraction(int(found["limit"])),
            high_strict=True,
        )
    )


def spc_chart_for(ctx: MonthContext, measure: str):
    """The SPC chart the report draws for ``measure`` (published: see the shifts section)."""
    from auditlib.report.monthly import shifts as shifts_section

    chart_for = getattr(shifts_section, "spc_chart", None)
    if chart_for is not None:
        return chart_for(ctx, measure)
    return ctx.shifts.spc[measure]


def _reaudit_cells(reader: _Reader) -> dict[tuple[str, str], Query]:
    """The re-audit table's cells to date: (original, re-audit judgement) → query."""
    months = metrics.months_between(reader.ctx.data.programme.start_month, reader.ctx.month)
    return {
        (o, r): queries.completed(months, schema.REAUDIT, judgements=(r,), original=(o,))
        for o in schema.JUDGEMENTS
        for r in schema.JUDGEMENTS
    }


def _read_reaudit_verdict(reader: _Reader, place: str, found: re.Match[str]) -> None:
    """The re-audit verdict: its n and shares (linear), and the whole sentence — the
    Stuart–Maxwell p, the movement expected under regression to the mean and its test —
    as a statistic of the re-audit table (:func:`_reaudit_fact`)."""
    cells = _reaudit_cells(reader)
    n: Expr = dict.fromkeys(cells.values(), 1)
    score = schema.JUDGEMENT_SCORE
    groups = {
        "improved": {q: 1 for (o, r), q in cells.items() if score[r] > score[o]},
        "same": {q: 1 for (o, r), q in cells.items() if score[r] == score[o]},
        "declined": {q: 1 for (o, r), q in cells.items() if score[r] < score[o]},
    }
    reader.count(f"{place} (n)", n, found["n"])
    for name, expr in groups.items():
        reader.share(f"{place} ({name})", expr, n, found[name])
    if _group(found, "o_up"):
        reader.share(f"{place} (improved, again)", groups["improved"], n, found["o_up"])
    if _group(found, "observed"):
        change = {q: Fraction(score[r] - score[o]) for (o, r), q in cells.items()}
        _signed_mean(reader, f"{place} (observed mean change)", change, n, found["observed"])
        _read_expected_movement(reader, place, found)
    total = found["n"]
    reader.facts.append(
        _reaudit_fact(reader, place, found.group(0), None if total == SUPPRESSED else _int(total))
    )


def _read_reaudit_withheld(reader: _Reader, place: str, found: re.Match[str]) -> None:
    """'Of 64 re-audited cases: how they moved is not shown …': the number of pairs only."""
    n: Expr = dict.fromkeys(_reaudit_cells(reader).values(), 1)
    reader.count(f"{place} (n)", n, found["n"])


def _signed_mean(reader: _Reader, place: str, total: Expr, n: Expr, token: str) -> None:
    """'+0.40', '−0.10' or '0.00' (half up, two decimals) of total / n: two inequalities."""
    if token == SUPPRESSED:
        return
    value = Fraction(token.replace("−", "-").replace("+", ""))
    half = Fraction(1, 200)
    if value > 0:
        low, high, low_strict, high_strict = value - half, value + half, False, True
    elif value < 0:
        low, high, low_strict, high_strict = value - half, value + half, True, False
    else:
        low, high, low_strict, high_strict = -half, half, True, True
    for bound, strict, is_low in ((low, low_strict, True), (high, high_strict, False)):
        expr = _minus(total, {q: bound * Fraction(c) for q, c in _expr(n).items()})
        reader.facts.append(
            Within(
                reader.where(place),
                expr,
                low=Fraction(0) if is_low else None,
                high=None if is_low else Fraction(0),
                low_strict=strict and is_low,
                high_strict=strict and not is_low,
            )
        )


def _read_expected_movement(reader: _Reader, place: str, found: re.Match[str]) -> None:
    """'with no change, about 10% would have improved and 4% declined (…) … +0.08 expected':
    with κ and the re-audit table's row totals taken as known (the attacker is given the
    true ones: more than is published), each is linear in the judgement counts π is made
    of (completed audits of the months the originals came from), so three pairs of
    inequalities on those counts."""
    expectation = reader.ctx.reaudit_expectation
    if expectation is None:
        return
    ctx = reader.ctx
    pairs = ctx.shifts.reaudit_pairs
    graded = pairs.loc[
        pairs["original"].isin(schema.JUDGEMENTS) & pairs["reaudit"].isin(schema.JUDGEMENTS)
    ]
    months = sorted(graded["original_month"].dropna().unique())
    kappa = Fraction(expectation.reliability)
    rows = graded["original"].astype(str).value_counts()
    n = len(graded)
    score = schema.JUDGEMENT_SCORE
    pi = {h: queries.completed(months, judgements=(h,)) for h in schema.JUDGEMENTS}
    total: Expr = dict.fromkeys(pi.values(), 1)
    for token, better in ((found["e_up"], True), (found["e_down"], False)):
        weights = {
            q: Fraction(
                sum(
                    int(rows.get(o, 0))
                    for o in schema.JUDGEMENTS
                    if (score[h] > score[o] if better else score[h] < score[o])
                )
            )
            * (1 - kappa)
            / n
            for h, q in pi.items()
        }
        what = "improved" if better else "declined"
        reader.share(f"{place} (expected {what}, no change)", weights, total, token)
    mean_original = Fraction(sum(int(rows.get(o, 0)) * score[o] for o in schema.JUDGEMENTS), n)
    expected = {q: (1 - kappa) * (score[h] - mean_original) for h, q in pi.items()}
    _signed_mean(reader, f"{place} (expected mean change)", expected, total, found["expected"])


def _reaudit_fact(reader: _Reader, place: str, printed: str, total: int | None) -> Computed:
    """The re-audit verdict as printed, as a statistic of the table's 16 cells: the
    Stuart–Maxwell test and the regression-to-the-mean comparison recomputed (π and κ as
    they really are) for each combination the other facts allow, disclosed as printed
    (``total``: the n it prints, when it does; the key messages repeat the verdict, so
    verdicts are kept per report)."""
    from auditlib.analysis import regression_to_mean
    from auditlib.report.shared import reaudits

    ctx = reader.ctx
    cells = _reaudit_cells(reader)
    keys = list(cells)
    expectation = ctx.reaudit_expectation
    reference = expectation.reference if expectation is not None else None
    kappa = (
        expectation.reliability
        if expectation is not None and expectation.reliability_source == "moderation"
        else None
    )
    labels = list(schema.JUDGEMENTS)

    verdicts: dict[tuple[int, ...], str | None] = reader.reaudit_verdicts

    def accepts(values: tuple[int, ...]) -> bool:
        if sum(values) < 2 or (total is not None and sum(values) != total):
            return False
        if values not in verdicts:
            verdicts[values] = verdict_text(values)
        text = verdicts[values]
        return text is not None and printed in text

    def verdict_text(values: tuple[int, ...]) -> str | None:
        table = pd.DataFrame(
            np.array(values, dtype=int).reshape(len(labels), len(labels)),
            index=labels,
            columns=labels,
        )
        try:
            shift = stats.summarise_reaudit_shifts(table)
            again = None
            if reference is not None:
                pairs = pd.DataFrame(
                    [(o, r) for (o, r), v in zip(keys, values, strict=True) for _ in range(v)],
                    columns=["original", "reaudit"],
                )
                again = regression_to_mean.expected_reaudit_change(pairs, reference, kappa)
        except (stats.StatsError, ValueError, ZeroDivisionError):
            return None
        return reaudits.verdict(shift, ctx.view, again).text

    return Computed(reader.where(f"{place} (re-audit tests)"), tuple(cells.values()), accepts)


def _read_kappa(reader: _Reader, place: str, found: re.Match[str]) -> None:
    months = metrics.months_between(reader.ctx.data.programme.start_month, reader.ctx.month)
    moderated = queries.completed(months, moderated=True)
    reader.count(f"{place} (n)", moderated, found["n"])


def _read_casemix(reader: _Reader, place: str, found: re.Match[str]) -> None:
    """ "Good or better in September 2020 was 34% (21 of 61) against 15% expected …": the
    month's count, its completed audits and their share, and the reference months' share
    ("(23% of all audits then)"). The expected share and the observed/expected ratio with
    its interval rest on the reference months' rates by cohort and team: no published
    count is made of those strata, so the audit does not model them (see
    docs/disclosure.md); the comparison is withheld when a count of the measure in the
    month or a reference month is suppressed."""
    month = reader.ctx.month
    label = "Good or better" if found["measure"] == "Good or better" else found["measure"]
    k, n = _label(month, label), queries.completed(month)
    reader.count(f"{place} ({label}, k)", k, found["k"])
    reader.count(f"{place} ({label}, n)", n, found["n"])
    reader.share(f"{place} ({label}, %)", k, n, found["pct"])
    # "(23% of all audits then)": the measure's share of the reference months' audits.
    mix = reader.ctx.casemix
    result = mix.standardised.get("% " + found["measure"]) if mix is not None else None
    if result is not None:
        months = list(result.reference_months)
        reader.share(
            f"{place} ({label}, reference %)",
            _label(months, label),
            queries.completed(months),
            found["reference"],
        )


_P: Final = r"(?:p (?:[<=≥] [\d.]+)|p not available)"
#: A p-value as printed, or hidden ("p = [c]").
_PV: Final = r"(?:p (?:[<=≥] (?:[\d.]+|\[c\]))|p not available)"
#: A test's p: alone, or Holm-adjusted for the month's family beside the unadjusted one.
_TEST_P: Final = (
    rf"(?:Holm-adjusted {_PV}(?: for the month's \d+ tests)?; unadjusted {_PV}|unadjusted "
    rf"{_PV}; Holm-adjusted, at most \d+ times that|{_PV})"
)
#: A test's verdict when the family's Holm-adjusted p's are not printed and its own bound
#: does not decide it (see auditlib.report.wording.bounded_verdict).
_UNDECIDED: Final = (
    r"not judged in this published version \(significant before adjustment; whether it "
    r"stays so after Holm adjustment depends on the tests not shown\)"
)
#: A ratio or interval of a model (odds ratio, observed/expected): not a count.
_RATIO: Final = r"-?[\d.]+"
CASEMIX_RULES: Final = (
    constant(
        r"A month that audits harder cases by design .+? checks the same on the whole scale\."
    ),
    Rule(
        rf"After allowing for this month's .+?, (?P<measure>Good or better|Inadequate) in "
        rf"(?P<month>.+?) was (?P<pct>{PCT}) \((?P<k>{COUNT}) of (?P<n>{COUNT})\) against "
        rf"{PCT} expected from the previous 12 months' rates for audits like these "
        rf"\((?P<reference>{PCT}) of all audits then\): [^(]*\(observed/expected {_RATIO}, \d+% CI {_RATIO} to "
        rf"{_RATIO}\)\.",
        _read_casemix,
    ),
    # Model statistics of the previous 12 months: not modelled by the audit.
    constant(
        rf"An? (?:logistic regression|proportional-odds model) allowing for [^.]*? puts the "
        rf"odds of [^.]*? at {_RATIO} times those of the previous 12 months \(\d+% CI {_RATIO} "
        rf"to {_RATIO}; {_P}\)(?:; unadjusted, {_RATIO} times)?\."
    ),
    constant(r"The (?:logistic regression|proportional-odds model) could not be fitted[^.]*\."),
    constant(r"Do some auditors grade more harshly .+? is its intraclass correlation\."),
    constant(
        rf"After allowing for case mix \(cohorts, team and month\), (?:under 1%|{PCT}) of the "
        rf"variation in judgements lies between auditors \(\d+% CI (?:under 1%|{PCT}) to "
        rf"(?:under 1%|{PCT}); \d+ auditors\): [^(]*\(F test, {_P}\)[^.]*\."
    ),
)
SHIFT_RULES: Final = (
    *CASEMIX_RULES,
    Rule(
        rf"(?P<p1>{PCT}) (?P<measure>Good or better|Inadequate) in (?P<period>.+?) "
        rf"\(n=(?P<n1>{COUNT})\) against (?P<p2>{PCT}) (?P<reference>over the previous 12 months|"
        rf"in .+?) \(n=(?P<n2>{COUNT})\): (?:no significant difference|a significant "
        rf"(?:improvement|deterioration) of (?:\[c\]|\d+) percentage points?|{_UNDECIDED}) "
        rf"\((?:z test|Fisher's exact test)(?:, {_TEST_P})?\)\.",
        _read_comparison,
    ),
    Rule(
        rf"Judgements in (?P<period>.+?)(?: \(n=(?P<n1>{COUNT})\))? compared with those "
        rf"(?P<reference>over the previous 12 months|in .+?)(?: \(n=(?P<n2>{COUNT})\))?: "
        rf"(?:{_UNDECIDED} |[^.(]*?)\((?:Monte Carlo permutation test|Mann–Whitney test)"
        rf"(?:, {_TEST_P})?"
        rf"(?:; Cliff's delta (?:-?[\d.]+|\[c\]))?\)\.",
        _read_distribution,
    ),
    # A test the published version withholds: its sentence says so (and the family
    # summary does not count it).
    Rule(
        r"(?:Good or better|Inadequate|Judgements) in [^:\n]+? against [^:\n]+?: not shown in "
        r"this published version, because a count the test rests on is suppressed\.",
        _read_family_text,
    ),
    # What the family is (counts of tests) and how many of those shown are significant.
    Rule(
        r"The SPC charts are the primary signal; (?:the comparisons with earlier months are|"
        r"this comparison is) secondary[^\n]*?bend that a little\)\.",
        _read_family_text,
    ),
    constant(
        r"(?s)How to read this: each line compares the share of audits this month with an "
        r"earlier period\..*?Every test assumes audits are independent of one another\."
    ),
    Rule(
        rf"(?P<measure>% Good or better|% Inadequate): The chart and the test (?:differ|point "
        rf"different ways) because (?:the test sets [^\n]+? against [^\n]+?, allowing only for "
        rf"the chance variation of sampling (?P<n>{COUNT}) audits, while the chart's limits "
        rf"come from [^\n]+? a change in the process\.|the chart judges [^\n]+? against the "
        rf"average of the \d+ months since its limits were set \((?P<mean>{PCT})\), while the "
        rf"test compares it with [^\n]+?\.|the chart's signal is a run-based rule \([^)]*\), "
        rf"which reads several months together, while the test compares [^\n]+? alone with "
        rf"[^\n]+?: one month of a run can be too close to the comparison on its own for the "
        rf"test to call, after adjustment for the month's \d+ tests\.|the chart measures "
        rf"[^\n]+? against limits set from the \d+ months since they were last set \(average "
        rf"(?P<mean2>{PCT})\), while the test compares it with [^\n]+?, after adjustment for "
        rf"the month's \d+ tests\.)",
        _read_reconciliation,
    ),
    Rule(
        rf"Statistical process control chart of (?P<measure>% Good or better|% Inadequate) from "
        rf"\S+ to \S+ \(\d+ points?(?:, with limits recalculated [^;)]*)?(?:; \d+ months? paused "
        rf"or without audits)?(?:; \d+ points? suppressed \(\[c\]\) and not drawn)?\)\. Latest "
        rf"limits: mean (?P<mean>{PCT}), process limits (?P<lower>{PCT}) to (?P<upper>{PCT})\. "
        rf"(?:No special-cause points|\d+ special-cause points \([^)]*\))\.",
        _read_spc,
    ),
    Rule(
        rf"(?P<measure>% Good or better|% Inadequate) in (?P<month>[^(:]+?)(?: \((?P<value>{PCT})"
        rf"(?:, n=(?P<n>{COUNT}))?\))?: (?=too few|within|a significant)",
        _read_spc,
    ),
    Rule(
        rf"Of (?P<n>{COUNT}) re-audited cases: how they moved is not shown in this published "
        rf"version, because a count it rests on is suppressed\.",
        _read_reaudit_withheld,
    ),
    Rule(
        rf"Of (?P<n>{COUNT}) re-audited cases, (?P<improved>{PCT}) improved, (?P<same>{PCT}) "
        rf"stayed the same and (?P<declined>{PCT}) declined: [^(]*?(?:\(Stuart–Maxwell "
        rf"{_PV}\))?\.(?: Cases are chosen for re-audit because their first judgement was "
        rf"poor, so some improvement is expected even with no change in practice \(regression "
        rf"to the mean\)(?:\.|: with no change, about (?P<e_up>{PCT}) would have improved and "
        rf"(?P<e_down>{PCT}) declined \((?:allowing for how often auditors and moderators "
        rf"agree, kappa -?[\d.]+|taking single judgements to be no more reliable than chance, "
        rf"the largest allowance, as there is no moderation to measure their reliability)\)\. "
        rf"(?:The movement seen is no more than that|The (?P<o_up>{PCT}) who improved is more "
        rf"than that|The re-audits moved less than that)(?:: an improvement beyond regression "
        rf"to the mean)? \(mean change (?P<observed>[+−]?[\d.]+|\[c\]) of a grade "
        rf"against (?P<expected>[+−]?[\d.]+|\[c\]) expected; {_PV}\)(?:: it does not show a change in "
        rf"practice beyond regression to the mean|: practice looks worse than regression to "
        rf"the mean alone would suggest)?\.))?",
        _read_reaudit_verdict,
    ),
    Rule(
        r"Agreement between auditors and moderators was [a-z ]+ \([a-z ]*kappa -?[\d.]+, \d+% CI "
        rf"-?[\d.]+ to -?[\d.]+; n=(?P<n>{COUNT})\)\.",
        _read_kappa,
    ),
    constant(
        r"(?:% Good or better|% Inadequate) in [^:]+: \[c\] — the figure is suppressed, so no "
        r"verdict is given\."
    ),
    Rule(
        r"(?P<measure>% Good or better|% Inadequate) in (?P<month>[^:]+): too few audits to "
        r"tell — fewer than (?P<limit>\d+) were completed\.",
        _read_too_few,
    ),
    constant(r"No limits: no point of the latest period is shown\."),
    constant(
        r"Judgements in .+? compared with those .+?: not shown, because some of the counts "
        r"the test rests on are suppressed\."
    ),
    # SPC verdict phrases: numbers of months, and percentages of the chart's own limits.
    constant(
        r"too few months to tell — only \d+ since the limits were last set, and at least "
        r"\d+ are needed\."
    ),
    constant(r"the usual range is (?:\[c\]|\d+%) to (?:\[c\]|\d+%)"),
    constant(
        r"\d+ months in a row(?:, each (?:higher|lower) than the last| (?:above|below) "
        r"the average)"
    ),
    constant(r"These are trial limits, from fewer than \d+ months\."),
    constant(r"the order Outstanding > Good > Requires Improvement > Inadequate"),
    constant(
        r"95% confidence interval|\(0 = no shift, ±1 = complete\)|\"Significant\" means "
        r"p < 0\.05\."
    ),
)


class _Fake:
    """A match with some groups replaced (for a rule that reuses another's reader)."""

    def __init__(self, found: re.Match[str], **groups: Any):
        self._found = found
        self._groups = {**found.groupdict(), **groups}

    def __getitem__(self, name: str) -> Any:
        return self._groups[name]

    def groupdict(self) -> dict[str, Any]:
        return dict(self._groups)

    def group(self, index: int = 0) -> str:
        return self._found.group(index)


def _read_reaudit_table(reader: _Reader, frame: pd.DataFrame, caption: str) -> None:
    months = metrics.months_between(reader.ctx.data.programme.start_month, reader.ctx.month)
    for row_name, row in frame.iterrows():
        original = str(row_name).removeprefix("Original: ")
        total: Expr = {}
        for column in frame.columns:
            place = f"table '{caption[:40]}…', {row_name}, {column}"
            if column == "Total":
                reader.count(place, total, row[column])
                continue
            label = str(column).removeprefix("Re-audit: ")
            query = queries.completed(
                months, schema.REAUDIT, judgements=(label,), original=(original,)
            )
            total = {**total, query: 1}
            reader.count(place, query, row[column])


# ================================================================ 5. practice themes
def _cohort_key(name: str) -> str:
    for key, label in schema.COHORTS.items():
        if label == name:
            return key
    raise AuditDefinitionError(f"no cohort is called {name!r}")


def _domain_column(name: str) -> str:
    for key, label in schema.DOMAIN_NAMES.items():
        if label == name:
            return schema.DOMAIN_PREFIX + key
    return schema.DOMAIN_PREFIX + name.lower().replace(" ", "_")


def _group_query(kind: str, month: str) -> Callable[[str, str | None], Query]:
    def query(group: str, label: str | None) -> Query:
        labels = None
        if label is not None:
            labels = schema.GOOD_OR_BETTER if label == "Good or better" else (label,)
        if kind == "cohort":
            return queries.completed(month, judgements=labels, cohort=_cohort_key(group))
        return queries.Audits(
            schema.AUDIT,
            (month,),
            (schema.COMPLETED,),
            judgements=labels,
            column=_domain_column(group) if labels is not None else schema.FINAL_JUDGEMENT,
        )

    return query


def _read_group_alt(kind: str) -> Callable[[_Reader, str, re.Match[str]], None]:
    def read(reader: _Reader, place: str, found: re.Match[str]) -> None:
        query = _group_query(kind, reader.ctx.month)
        names = "|".join(
            re.escape(n)
            for n in sorted(
                schema.COHORTS.values() if kind == "cohort" else _domain_names(reader),
                key=len,
                reverse=True,
            )
        )
        for group in re.finditer(
            rf"(?P<name>{names}) \(n=(?P<n>{COUNT})\)(?:: (?P<split>[^.]*))?", found.group(0)
        ):
            n = query(group["name"], None)
            reader.count(f"{place} ({group['name']} n)", n, group["n"])
            for label, pct, _ in _split_items(group["split"] or ""):
                reader.share(
                    f"{place} ({group['name']} {label})", query(group["name"], label), n, pct
                )

    return read


def _domain_names(reader: _Reader) -> list[str]:
    return [str(name) for name in reader.ctx.domains.index]


def _read_group_table(kind: str) -> Callable[[_Reader, pd.DataFrame, str], None]:
    def read(reader: _Reader, frame: pd.DataFrame, caption: str) -> None:
        _read_share_table(reader, frame, caption, _group_query(kind, reader.ctx.month))

    return read


def _read_inadequate_intro(reader: _Reader, place: str, found: re.Match[str]) -> None:
    for pct, month_label in ((found["p1"], found["m1"]), (found["p2"], found["m2"])):
        if pct is None:
            continue
        month = reader.month(month_label)
        reader.share(place, _label(month, schema.INADEQUATE), queries.completed(month), pct)


def _team_window(reader: _Reader) -> list[str]:
    from auditlib.report.monthly import themes as themes_section

    window = [
        *comparisons.previous_months(reader.ctx.month, themes_section.TEAM_WINDOW_MONTHS - 1),
        reader.ctx.month,
    ]
    return window


def _read_funnel(reader: _Reader, place: str, found: re.Match[str]) -> None:
    """'All 17 teams are within the 99.8% limits for % Good or better (overall 26%)…' and
    named teams '(lower than expected, worse: 2% (1 of 58))'."""
    window = _team_window(reader)
    if found["overall"]:
        reader.share(
            f"{place} (overall)",
            queries.completed(window, judgements=schema.GOOD_OR_BETTER),
            queries.completed(window),
            found["overall"],
        )
    teams = sorted(
        set(reader.ctx.data.audits[schema.TEAM].dropna().astype(str)), key=len, reverse=True
    )
    if not teams:
        return
    names = "|".join(re.escape(t) for t in teams)
    for unit in re.finditer(
        rf"(?P<team>{names}) \((?P<side>higher|lower) than expected(?:, (?:better|worse))?"
        rf"(?:: (?P<pct>{PCT})(?: \((?P<k>{COUNT}) of (?P<n>{COUNT})\))?)?\)",
        found.group(0),
    ):
        k = queries.completed(window, judgements=schema.GOOD_OR_BETTER, team=unit["team"])
        n = queries.completed(window, team=unit["team"])
        if unit["k"]:
            reader.count(f"{place} ({unit['team']} k)", k, unit["k"])
            reader.count(f"{place} ({unit['team']} n)", n, unit["n"])
        if unit["pct"]:
            reader.share(f"{place} ({unit['team']} %)", k, n, unit["pct"])
        _funnel_side(reader, place, unit["team"], unit["side"], k, n)


def _funnel_side(reader: _Reader, place: str, team: str, side: str, k: Query, n: Query) -> None:
    """Outside the 99.8% limits on one side: a condition on (k, n), given the funnel's
    target and dispersion as computed from every team (taken as known: conservative)."""
    result = _funnel(reader)
    units = result.units.set_index("unit")
    if team not in units.index:
        return

    def accepts(values: tuple[int, ...]) -> bool:
        kk, nn = values
        if nn <= 0 or kk > nn:
            return False
        low, high = _limits_at(result, nn)
        share = kk / nn
        return share > high if side == "higher" else share < low

    reader.facts.append(Computed(reader.where(f"{place} ({team} outside)"), (k, n), accepts))


def _funnel(reader: _Reader) -> stats.FunnelResult:
    window = _team_window(reader)
    teams = metrics.count_judgements(reader.ctx.data.audits, window, by=schema.TEAM)
    teams = teams.loc[teams["completed"] > 0]
    return stats.compute_funnel(
        teams, list(schema.GOOD_OR_BETTER), "completed", overdispersion="multiplicative"
    )


def _limits_at(result: stats.FunnelResult, n: int) -> tuple[float, float]:
    """The 99.8% limits at ``n`` audits, as :func:`stats.compute_funnel` draws them."""
    if result.overdispersion == "multiplicative" and result.phi > 1:
        from scipy.stats import norm

        z = float(norm.ppf(1 - (1 - FUNNEL_LEVEL) / 2))
        se = np.sqrt(result.phi * result.target * (1 - result.target) / n)
        return max(result.target - z * se, 0.0), min(result.target + z * se, 1.0)
    low, high = stats.funnel_limits(n, result.target, FUNNEL_LEVEL)
    return float(low[0]), float(high[0])


#: The funnel limits a team named in the report is outside.
FUNNEL_LEVEL: Final = 0.998


def _read_team_table(reader: _Reader, frame: pd.DataFrame, caption: str) -> None:
    month = reader.ctx.month
    as_at = reader.ctx.figures.get("as_at")
    for team, row in frame.iterrows():
        extra = {} if team == "All teams" else {"team": str(team)}
        place = f"table '{caption[:40]}…', row {team!r}"
        allocated = queries.allocated(month, **extra)
        completed = queries.completed(month, **extra)
        reader.count(place + " Allocated", allocated, row["Allocated"])
        reader.count(place + " Completed", completed, row["Completed"])
        reader.share(place + " Compliance", completed, allocated, row["Compliance"])
        reader.count(
            place + " Outstanding", queries.outstanding(month, **extra), row["Outstanding"]
        )
        reader.count(
            place + " Overdue",
            queries.outstanding(month, overdue_at=as_at, **extra),
            row["Overdue"],
        )


THEME_RULES: Final = (
    Rule(
        rf"(?P<p1>{PCT}) of cases audited in (?P<m1>.+?)(?: and (?P<p2>{PCT}) in (?P<m2>.+?))? "
        r"were judged Inadequate\.",
        _read_inadequate_intro,
    ),
    constant(r"This month's themed audits looked at: [^\n]*"),
    Rule(
        r"100% stacked horizontal bar chart: Overall judgements by cohort, .+?\. \d+ groups, "
        r"sorted [^,]+, Inadequate on the left\.[^\n]*",
        _read_group_alt("cohort"),
    ),
    Rule(
        r"100% stacked horizontal bar chart: Domain judgements, .+?\. \d+ groups, sorted "
        r"[^,]+, Inadequate on the left\.[^\n]*",
        _read_group_alt("domain"),
    ),
    Rule(
        rf"(?:All \d+ teams are within|\d+ of \d+ teams (?:is|are) outside) the (?:99\.8%|\[c\]) "
        rf"limits for % Good or better \(overall (?P<overall>{PCT})\)[^\n]*",
        _read_funnel,
    ),
    constant(
        r"An audit can be in more than one cohort\.|Each completed audit grades each "
        r"domain of practice\."
    ),
    constant(
        r"Allocated = completed \+ outstanding; overdue audits are outstanding audits "
        r"past their due date\."
    ),
)


# ================================================================ key messages
def _read_key_compliance(reader: _Reader, place: str, found: re.Match[str]) -> None:
    """'Compliance: 80% of the 1,632 audits allocated since December 2018 have been completed,
    and 66% of the 93 allocated in September 2020.'"""
    if _group(found, "p1"):
        window = reader.ctx.figures["programme"]
        months = metrics.months_between(window["from_month"], reader.ctx.month)
        allocated, completed = queries.allocated(months), queries.completed(months)
        reader.count(f"{place} (programme allocated)", allocated, found["a1"])
        reader.share(f"{place} (programme compliance)", completed, allocated, found["p1"])
    month = reader.month(found["month"])
    allocated, completed = queries.allocated(month), queries.completed(month)
    reader.count(f"{place} (allocated)", allocated, found["a2"])
    reader.share(f"{place} (compliance)", completed, allocated, found["p2"])


KEY_MESSAGE_RULES: Final = (
    Rule(
        rf"Compliance: (?P<p1>{PCT}) of the (?P<a1>{COUNT}) audits allocated since .+? have been "
        rf"completed, and (?P<p2>{PCT}) of the (?P<a2>{COUNT}) allocated in (?P<month>[^.]+?)\.",
        _read_key_compliance,
    ),
    Rule(
        rf"Compliance: (?P<p2>{PCT}) of the (?P<a2>{COUNT}) allocated in (?P<month>.+?) have been "
        rf"completed\.",
        _read_key_compliance,
    ),
    # The month's family of tests summed up: counts of tests, regenerated with the family.
    Rule(
        r"(?:\d+|None) of the month's \d+ comparisons (?:with earlier months|shown) "
        r"[^\n]*?(?= See Judgement shifts\.)",
        _read_family_text,
    ),
    # Recommendations are counted, not people.
    constant(
        r"Recommendations: (?:None of the \d+ recommendations|\d+ of the \d+ recommendations) "
        r"for [^:.]+? (?:repeats?) [^\n]*"
    ),
)


# ================================================================ 6. feedback
def _source_code(name: str) -> str:
    from auditlib.analysis import voices

    for source in (*schema.FEEDBACK_SOURCES, voices.NO_SOURCE):
        shown = source.capitalize() if source == source.lower() else source
        if name in (shown, source):
            return source
    return name


def _read_feedback_table(reader: _Reader, frame: pd.DataFrame, caption: str) -> None:
    month = reader.ctx.month
    kinds = {"Strengths": schema.STRENGTH, "Areas for improvement": schema.IMPROVEMENT}
    for source_name, row in frame.iterrows():
        source = None if source_name == "All sources" else _source_code(str(source_name))
        place = f"table '{caption[:40]}…', row {source_name!r}"
        for column, kind in kinds.items():
            reader.count(
                f"{place}, {column}", queries.Feedback((month,), source, kind), row[column]
            )
        reader.count(f"{place}, Total", queries.Feedback((month,), source), row["Total"])


def _read_feedback_themes(reader: _Reader, frame: pd.DataFrame, caption: str) -> None:
    month = reader.ctx.month
    ids = {theme.name: theme.id for theme in reader.ctx.themes}
    kinds = {"Strengths": schema.STRENGTH, "Areas for improvement": schema.IMPROVEMENT}
    for name, row in frame.iterrows():
        theme = ids.get(str(name), str(name))
        for column, kind in kinds.items():
            reader.count(
                f"table '{caption[:40]}…', {name}, {column}",
                queries.Feedback((month,), kind=kind, theme=theme),
                row[column],
            )


FEEDBACK_RULES: Final = (
    constant(
        r"A theme is recurring when it appears in at least \d+ of the last \d+ audit months\."
    ),
)


# ================================================================ 9. data quality
def _read_rows_table(reader: _Reader, frame: pd.DataFrame, caption: str) -> None:
    data = reader.ctx.data
    names = {data.files.get(name, name): name for name in data.reconciliation}
    for file_name, row in frame.iterrows():
        table = names.get(str(file_name), str(file_name))
        # The report counts the rows of its own months and earlier ones.
        to_date = queries.months_to(data, reader.ctx.month)
        used: Query = (
            queries.Audits(audit_type=None, months=to_date)
            if table == "audits"
            else queries.Rows(table, months=to_date)
        )
        excluded = queries.Rows(queries.EXCLUDED_PREFIX + table, months=to_date)
        place = f"table '{caption[:40]}…', {file_name}"
        reader.count(place + " read", {used: 1, excluded: 1}, row["Rows read"])
        reader.count(place + " used", used, row["Rows used"])
        reader.count(place + " excluded", excluded, row["Rows excluded"])
        for reason in re.finditer(
            r"(?P<n>[\d,]+) (?P<reason>[^;]+)", str(row.get("Why excluded", ""))
        ):
            reader.count(
                place + " excluded for " + reason["reason"],
                queries.Rows(
                    queries.EXCLUDED_PREFIX + table,
                    reason=reason["reason"].strip(),
                    months=to_date,
                ),
                reason["n"],
            )


def _read_dq_notes(reader: _Reader, place: str, found: re.Match[str]) -> None:
    from auditlib.disclosure.registry import _problem_rows

    to_date = queries.months_to(reader.ctx.data, reader.ctx.month)
    expr, loose = _problem_rows(reader.ctx.data, "warning", to_date)
    if found["warnings"] != SUPPRESSED and expr:
        reader.equals(f"{place} (warnings)", expr, _int(found["warnings"]) - loose)
    reader.count(
        f"{place} (Not recorded)",
        queries.Audits(audit_type=None, months=to_date, judgements=(schema.NOT_RECORDED,)),
        found["nr"],
    )


def _excluded_rows(reader: _Reader) -> dict[Query, int]:
    """Every input file's excluded rows of the report's months and earlier ones."""
    to_date = queries.months_to(reader.ctx.data, reader.ctx.month)
    return {
        queries.Rows(queries.EXCLUDED_PREFIX + table, months=to_date): 1
        for table in reader.ctx.data.reconciliation
    }


def _read_dq_summary(reader: _Reader, place: str, found: re.Match[str]) -> None:
    """'… 0 rows excluded, 28 warnings (the rows are kept) and 21 rows whose name was spelt
    another way merged …' (merged spellings are rows of the input, not characteristics)."""
    reader.count(f"{place} (rows excluded)", _excluded_rows(reader), found["excluded"])
    from auditlib.disclosure.registry import _problem_rows

    to_date = queries.months_to(reader.ctx.data, reader.ctx.month)
    expr, loose = _problem_rows(reader.ctx.data, "warning", to_date)
    if found["warnings"] != SUPPRESSED and expr:
        reader.equals(f"{place} (warnings)", expr, _int(found["warnings"]) - loose)


def _read_dq_not_recorded(reader: _Reader, place: str, found: re.Match[str]) -> None:
    to_date = queries.months_to(reader.ctx.data, reader.ctx.month)
    reader.count(
        f"{place} (Not recorded)",
        queries.Audits(audit_type=None, months=to_date, judgements=(schema.NOT_RECORDED,)),
        found["nr"],
    )


def _read_exclusions_table(reader: _Reader, frame: pd.DataFrame, caption: str) -> None:
    data = reader.ctx.data
    names = {data.files.get(name, name): name for name in data.reconciliation}
    to_date = queries.months_to(data, reader.ctx.month)
    for file_name, row in frame.iterrows():
        table = names.get(str(file_name), str(file_name))
        reader.count(
            f"table '{caption[:40]}…', {file_name}: {row['Reason']}",
            queries.Rows(
                queries.EXCLUDED_PREFIX + table, reason=str(row["Reason"]).strip(), months=to_date
            ),
            row["Rows"],
        )


def _read_warnings_table(reader: _Reader, frame: pd.DataFrame, caption: str) -> None:
    """Warnings by kind: the audits with no judgement are the Not recorded count; the other
    kinds count rows with a data problem (the audit does not model them one by one)."""
    to_date = queries.months_to(reader.ctx.data, reader.ctx.month)
    for where, row in frame.iterrows():
        if "counted as 'Not recorded'" in str(row["Warning"]):
            reader.count(
                f"table '{caption[:40]}…', {where}",
                queries.Audits(audit_type=None, months=to_date, judgements=(schema.NOT_RECORDED,)),
                row["Count"],
            )


DATA_QUALITY_RULES: Final = (
    Rule(
        rf"This report reads the rows of the audit months up to [^.]+\. Every one is accounted "
        rf"for below: (?P<excluded>{COUNT}) rows? excluded(?:, | and )(?P<warnings>{COUNT}) "
        r"warnings? \(the rows are kept\)(?: and [\d,]+ rows? whose name was spelt another "
        r"way merged into the usual spelling)?\.",
        _read_dq_summary,
    ),
    Rule(
        rf"(?P<nr>{COUNT}) completed audits? had no judgement and (?:is|are) counted as "
        r"Not recorded\.",
        _read_dq_not_recorded,
    ),
    constant(r"auditlib validate lists every row behind these counts\."),
    constant(r"Run auditlib validate to list the rows behind each count\."),
    Rule(
        rf"(?P<warnings>{COUNT}) warning\(s\) were found in the data \(run auditlib validate "
        rf"for the list\); (?P<nr>{COUNT}) completed audit\(s\) had no judgement and are counted "
        r"as Not recorded\.",
        _read_dq_notes,
    ),
    # Spelling variants of a team name merged: rows of the input, not people's characteristics.
    constant(r"Name variants merged: [^\n]*"),
)


# ================================================================ tables by caption
TABLE_READERS: Final[
    tuple[tuple[re.Pattern[str], Callable[[_Reader, pd.DataFrame, str], None]], ...]
] = (
    (re.compile(r"Audit compliance: allocated audits completed"), _read_compliance_table),
    (re.compile(r"Overall judgements by month, "), _read_trend_table),
    (re.compile(r"Re-audits completed up to "), _read_reaudit_table),
    (re.compile(r"Overall judgements by cohort, "), _read_group_table("cohort")),
    (re.compile(r"Domain judgements, "), _read_group_table("domain")),
    (re.compile(r"Audit compliance by team, "), _read_team_table),
    (re.compile(r"Feedback received for audits of "), _read_feedback_table),
    (re.compile(r"Themes in feedback for "), _read_feedback_themes),
    (re.compile(r"Every input row accounted for"), _read_rows_table),
    (re.compile(r"Rows excluded, by reason"), _read_exclusions_table),
    (re.compile(r"Warnings, by kind"), _read_warnings_table),
    # Rows of the input spelt another way, and how its dates were read: not people.
    (re.compile(r"Name spellings merged into the usual spelling"), lambda r, f, c: None),
    (re.compile(r"How numbers-only dates were read"), lambda r, f, c: None),
    (re.compile(r"Key to symbols$"), lambda r, f, c: None),
)

#: Section name → the sentence rules of its text. Sections not listed are free text
#: (recommendations, reflections) and are not read.
SECTION_RULES: Final[dict[str, tuple[Rule, ...]]] = {
    "title": (constant(r"counts of 1 to 5 are suppressed"),),
    "key_messages": (*KEY_MESSAGE_RULES, *SHIFT_RULES),
    "headline": HEADLINE_RULES,
    "judgements": JUDGEMENT_RULES,
    "shifts": SHIFT_RULES,
    "themes": THEME_RULES,
    "feedback": FEEDBACK_RULES,
    "data_quality": DATA_QUALITY_RULES,
}
FREE_TEXT_SECTIONS: Final = frozenset({"priorities", "recommendations", "reflections"})
#: Headings after which a section's text is fixed wording (definitions, the disclosure rule,
#: reproducibility): not read.
FIXED_TEXT_HEADINGS: Final = frozenset({"Definitions", "Disclosure control", "Reproducibility"})
#: A line quoting feedback: "“…” — parent".
_QUOTE_LINE: Final = re.compile(r"^“.*”(?: — .*)?$")
#: How the HTML names each section (its level-2 heading), in report order.
SECTION_HEADINGS: Final = (
    ("key_messages", re.compile(r"Key messages$")),
    ("headline", re.compile(r"Headline$")),
    ("priorities", re.compile(r"High-priority practice recommendations")),
    ("judgements", re.compile(r"Overall judgements – ")),
    ("shifts", re.compile(r"Judgement shifts$")),
    ("themes", re.compile(r"Practice themes$")),
    ("feedback", re.compile(r"Parent, child, carer and partner agency feedback$")),
    ("reflections", re.compile(r"Social worker reflections$")),
    ("recommendations", re.compile(r"Recommendations and practice standards")),
    ("data_quality", re.compile(r"Data quality and methods$")),
)


@dataclass
class Item:
    """One piece of a report as a reader meets it: a heading, some text, a table or a chart."""

    section: str
    kind: str  # "heading", "text", "table", "chart"
    text: str = ""  # heading, text, or a chart's alt text
    caption: str = ""
    frame: pd.DataFrame | None = None
    note: str = ""


def _plain(markdown: str) -> str:
    """Markdown as a reader sees it on the page: no emphasis marks, links, escapes, list marks."""
    text = re.sub(r"(?<!\\)\[([^\]]+)\]\([^)]*\)", r"\1", markdown)  # a link reads as its text
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text, flags=re.S)
    text = re.sub(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", r"\1", text, flags=re.S)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!<>])", r"\1", text)
    text = text.replace("`", "")
    lines = [re.sub(r"^\s*(?:#+|[-*+]|\d+\.)\s+", "", line) for line in text.splitlines()]
    return "\n".join(lines)


def items_from_blocks(sections: Mapping[str, Sequence[Block]]) -> list[Item]:
    """The report's blocks (section name → blocks) as items."""
    from auditlib.report.blocks import Callout, Chart, Heading, Markdown, Table

    items: list[Item] = []
    for name, blocks in sections.items():
        for block in blocks:
            if isinstance(block, Heading):
                items.append(Item(name, "heading", block.text))
            elif isinstance(block, Markdown):
                items.append(Item(name, "text", _plain(block.text)))
            elif isinstance(block, Callout):
                title = f"{block.title}\n" if block.title else ""
                items.append(Item(name, "text", title + _plain(block.text)))
            elif isinstance(block, Table):
                frame = block.frame.astype(str)
                items.append(
                    Item(name, "table", caption=block.caption, frame=frame, note=block.note or "")
                )
            elif isinstance(block, Chart):
                items.append(Item(name, "chart", block.alt, caption=block.caption or ""))
    return items


def items_from_html(html_text: str) -> list[Item]:
    """A published report's HTML page as items (sections from its level-2 headings)."""
    parser = _ReportHTML()
    parser.feed(html_text)
    parser.close()
    return parser.items


class _ReportHTML(HTMLParser):
    """Reads the exported report: headings, text, tables (caption, header, rows), figures."""

    _BLOCK_TEXT: Final = ("p", "li", "h1", "h2", "h3", "h4", "figcaption", "caption", "th", "td")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[Item] = []
        self.section = "title"
        self._skip = 0
        self._text: list[str] | None = None  # the element being read
        self._tag = ""
        self._classes: list[str] = []
        self._table: dict[str, Any] | None = None
        self._row: list[str] | None = None
        self._figure: Item | None = None
        self._lines: list[str] = []  # running text of the current output

    # -- structure
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        classes = (attr.get("class") or "").split()
        if tag in ("style", "script", "nav"):
            self._skip += 1
            return
        if self._skip:
            return
        if tag == "div" and "jp-OutputArea-child" in classes:
            self._flush()
        if tag == "table":
            self._flush()
            self._table = {"caption": "", "header": [], "rows": []}
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag == "img":
            self._flush()
            self._figure = Item(self.section, "chart", attr.get("alt") or "")
            self.items.append(self._figure)
        if tag in self._BLOCK_TEXT:
            self._text, self._tag, self._classes = [], tag, classes
        elif tag == "br" and self._text is not None:
            self._text.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "nav"):
            self._skip -= 1
            return
        if self._skip:
            return
        if tag == self._tag and self._text is not None:
            text = "".join(self._text).strip()
            self._text = None
            self._end_text(tag, text)
        if tag == "tr" and self._table is not None and self._row is not None:
            if self._table["header"] or not self._row:
                self._table["rows"].append(self._row)
            else:
                self._table["header"] = self._row
            self._row = None
        elif tag == "thead" and self._table is not None and self._table["rows"]:
            self._table["header"] = self._table["rows"].pop()
        elif tag == "table" and self._table is not None:
            table, self._table = self._table, None
            header, rows = table["header"], table["rows"]
            frame = pd.DataFrame(
                [r[1:] for r in rows],
                index=pd.Index([r[0] for r in rows], name=header[0] if header else None),
                columns=header[1:] if header else None,
            ).astype(str)
            self.items.append(Item(self.section, "table", caption=table["caption"], frame=frame))
        elif tag == "figure":
            self._figure = None

    def handle_data(self, data: str) -> None:
        if not self._skip and self._text is not None:
            self._text.append(data)

    def _end_text(self, tag: str, text: str) -> None:
        if self._table is not None:
            if tag == "caption":
                self._table["caption"] = text
            elif tag in ("th", "td") and self._row is not None:
                self._row.append(text)
            return
        if tag in ("h1", "h2", "h3", "h4"):
            self._flush()
            if tag == "h2":
                self.section = next(
                    (name for name, pattern in SECTION_HEADINGS if pattern.match(text)), text
                )
            self.items.append(Item(self.section, "heading", text))
        elif tag == "figcaption" and self._figure is not None:
            self._figure.caption = text
        elif tag == "p" and "table-note" in self._classes and self.items:
            last = self.items[-1]
            if last.kind == "table":
                last.note = text
        elif tag in ("p", "li"):
            self._lines.append(text)

    def _flush(self) -> None:
        if self._lines:
            self.items.append(Item(self.section, "text", "\n".join(self._lines)))
            self._lines = []

    def close(self) -> None:
        super().close()
        self._flush()


def facts_from_report(
    ctx: MonthContext, sections: Mapping[str, Sequence[Block]], *, label: str | None = None
) -> list[Fact]:
    """Every number of a monthly report (its blocks by section name) as audit facts."""
    return facts_from_items(ctx, items_from_blocks(sections), label=label)


def facts_from_html(ctx: MonthContext, html_text: str, *, label: str | None = None) -> list[Fact]:
    """Every number of a published report's HTML page as audit facts."""
    return facts_from_items(ctx, items_from_html(html_text), label=label)


def facts_from_items(
    ctx: MonthContext, items: Sequence[Item], *, label: str | None = None
) -> list[Fact]:
    """Every number of a report (as :class:`Item` s) as facts about queries.

    Raises :class:`UnreadNumberError` for a table or a number no rule reads.
    """
    reader = _Reader(ctx, label or f"{ctx.month} report")
    fixed: set[str] = set()
    for i, item in enumerate(items):
        name = item.section
        if name in FREE_TEXT_SECTIONS:
            continue
        if name not in SECTION_RULES:
            raise UnreadNumberError(f"{reader.label}: no reading rules for section {name!r}")
        rules = SECTION_RULES[name]
        place = f"{name} section, item {i + 1}"
        if item.kind == "heading":
            if item.text in FIXED_TEXT_HEADINGS:
                fixed.add(name)
            reader.claim(place, item.text, ())
            continue
        if name in fixed:
            continue
        if item.kind == "table":
            assert item.frame is not None
            _read_table(reader, item.frame, item.caption)
            reader.claim(place + " caption", item.caption, ())
            if item.note:
                reader.claim(place + " note", item.note, rules)
        elif item.kind == "text":
            text = "\n".join(
                line for line in item.text.splitlines() if not _QUOTE_LINE.match(line.strip())
            )
            reader.claim(place, text, rules)
        elif item.kind == "chart":
            reader.claim(place + " alt text", item.text, rules)
            if item.caption:
                reader.claim(place + " caption", item.caption, rules)
    if reader.family:
        reader.facts.append(_family_fact(reader))
    return reader.facts


def _read_table(reader: _Reader, frame: pd.DataFrame, caption: str) -> None:
    for pattern, read in TABLE_READERS:
        if pattern.match(caption):
            read(reader, frame.astype(str), caption)
            return
    raise UnreadNumberError(f"{reader.label}: no rule reads the table {caption!r}")


__all__ = [
    "FREE_TEXT_SECTIONS",
    "SECTION_RULES",
    "TABLE_READERS",
    "Item",
    "Rule",
    "UnreadNumberError",
    "constant",
    "facts_from_html",
    "facts_from_items",
    "facts_from_report",
    "items_from_blocks",
    "items_from_html",
]
