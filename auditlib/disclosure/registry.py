"""Which rows each figures.json number counts: one registry, read by the disclosure audit.

Every number in figures.json (and every ``[c]``) must match a rule here, or the audit
stops with an error naming the key: a new figure cannot reach a published report without
the audit knowing what it counts. A rule is a pattern over the key's dotted path
(``month.judgements.Good``, ``trend[3].completed``) and says what the value is:

* :func:`count_rule` — a count: the query whose rows it counts (or a sum of queries);
* :func:`share_rule` — a percentage: the paths of its numerator and denominator counts;
* :func:`other_rule` — not about people (a version number): nothing to audit.

To add a figure to figures.json, add its rule to :data:`RULES` (the audit's tests run it
against the real figures of every demo month, so a rule that counts the wrong rows fails
loudly: :func:`facts_from_figures` gives facts whose values must hold for the data).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from numbers import Real
from typing import Any, Final

from auditlib.analysis import metrics
from auditlib.data import schema
from auditlib.data.pipeline import AuditData
from auditlib.disclosure import queries
from auditlib.disclosure.audit import Equals, Expr, Fact, Query, Within, count, exact_share
from auditlib.disclosure.rules import SUPPRESSED
from auditlib.errors import AuditlibError

COUNT: Final = "count"
SHARE: Final = "share"
OTHER: Final = "other"
STATISTIC: Final = "statistic"
_LABELS: Final = "|".join(re.escape(label) for label in schema.JUDGEMENT_LABELS)


class UnregisteredFigureError(AuditlibError):
    """A number in figures.json that no rule of the registry describes."""


@dataclass(frozen=True)
class Scope:
    """What a rule needs to build its query: the data, the figures and the path's groups."""

    data: AuditData
    figures: Mapping[str, Any]
    groups: Mapping[str, str]

    @property
    def report_month(self) -> str:
        return self.figures["report_month"]

    @property
    def as_at(self) -> str | None:
        return self.figures.get("as_at")

    def trend_month(self) -> str:
        """The month of the trend entry the path is in."""
        return self.figures["trend"][int(self.groups["i"])]["month"]

    def window(self) -> list[str]:
        """The headline's programme-to-date months (audits)."""
        first = self.figures["programme"]["from_month"]
        return metrics.months_between(first, self.report_month)

    def to_date(self) -> tuple[str, ...]:
        """The audit months of the rows the report's data-quality figures count."""
        return queries.months_to(self.data, self.report_month)

    def reaudit_window(self) -> list[str]:
        first = self.figures["programme"].get("reaudits_from_month")
        return metrics.months_between(first, self.report_month) if first else []


Build = Callable[[Scope], Query | Expr]


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern[str]
    kind: str
    build: Build | None = None
    numerator: str | None = None  # share: the numerator's path, with {groups}
    denominator: str | None = None
    #: statistic: the facts a printed value of it states, given its scope and value.
    facts: Callable[[Scope, str, float], list[Fact]] | None = None


def count_rule(pattern: str, build: Build) -> Rule:
    return Rule(re.compile(pattern), COUNT, build)


def share_rule(pattern: str, numerator: str, denominator: str) -> Rule:
    return Rule(re.compile(pattern), SHARE, numerator=numerator, denominator=denominator)


def other_rule(pattern: str) -> Rule:
    return Rule(re.compile(pattern), OTHER)


def statistic_rule(pattern: str, facts: Callable[[Scope, str, float], list[Fact]]) -> Rule:
    """A number computed from counts (a mean of shares): ``facts`` says what it states."""
    return Rule(re.compile(pattern), STATISTIC, facts=facts)


#: What an unrounded statistic in figures.json is known to within (float arithmetic).
_FLOAT_TOLERANCE: Final = Fraction(1, 10**7)


def _spc_mean(scope: Scope, path: str, value: float) -> list[Fact]:
    """An SPC chart's mean is the mean of its latest period's shares: linear in their counts
    (the n's are the trend's, shown in the same figures). Its limits add the mean moving
    range of the same shares, so they rest on the same counts: checked through the mean."""
    chart = scope.figures["spc"][scope.groups["chart"]]
    points = chart.get("points") or {}
    first = str(chart.get("limits_from") or "")
    months = [m for m, kind in points.items() if m >= first and kind != SUPPRESSED]
    entries = {e["month"]: e for e in scope.figures.get("trend") or []}
    share = chart.get("share")
    expr: dict[Query, Fraction] = {}
    for month in months:
        entry = entries.get(month, {})
        numerator, denominator = _share_counts(share, month)
        n = entry.get(schema.ALLOCATED if share == "compliance_pct" else schema.COMPLETED)
        if not isinstance(n, int) or isinstance(n, bool) or n == 0:
            return []  # a hidden n: the mean is not linear in what a reader knows
        expr[numerator] = expr.get(numerator, Fraction(0)) + Fraction(100, n * len(months))
        del denominator
    if not expr:
        return []
    centre = Fraction(value)
    return [
        Within(
            f"figures.json: {path}",
            expr,
            low=centre - _FLOAT_TOLERANCE,
            high=centre + _FLOAT_TOLERANCE,
        )
    ]


def _share_counts(share: str, month: str) -> tuple[Query, Query]:
    """The counts a trend entry's share is of: compliance, Good or better, a label."""
    if share == "compliance_pct":
        return queries.completed(month), queries.allocated(month)
    labels = schema.GOOD_OR_BETTER if share == "good_or_better_pct" else (share,)
    return queries.completed(month, judgements=labels), queries.completed(month)


# ---------------------------------------------------------------- compliance blocks
def _compliance_rules(prefix: str, months: Callable[[Scope], list[str] | str]) -> list[Rule]:
    """allocated … overdue and compliance of audits, then re-audits, over some months."""
    out = []
    for stem, audit_type in (("", schema.AUDIT), ("reaudits_", schema.REAUDIT)):
        window = months if not stem else _reaudit_months(prefix, months)

        def build(kind: str, t: str = audit_type, w=window) -> Build:
            def query(scope: Scope) -> Query:
                span = w(scope)
                if kind == "allocated":
                    return queries.allocated(span, t)
                if kind == "completed":
                    return queries.completed(span, t)
                if kind in (schema.EXEMPT, schema.CANCELLED):
                    return queries.with_status(span, kind, t)
                if kind == "outstanding":
                    return queries.outstanding(span, t)
                return queries.outstanding(span, t, overdue_at=scope.as_at)

            return query

        for kind in ("allocated", "completed", "exempt", "cancelled", "outstanding", "overdue"):
            out.append(count_rule(rf"{prefix}\.{stem}{kind}", build(kind)))
    out.append(
        share_rule(rf"{prefix}\.compliance_pct", f"{prefix}.completed", f"{prefix}.allocated")
    )
    out.append(
        share_rule(
            rf"{prefix}\.reaudit_compliance_pct",
            f"{prefix}.reaudits_completed",
            f"{prefix}.reaudits_allocated",
        )
    )
    return out


def _reaudit_months(prefix: str, months: Callable[[Scope], list[str] | str]):
    if prefix == "programme":
        return Scope.reaudit_window
    return months


def _judgement_rules(prefix: str, p: str, month: Callable[[Scope], str]) -> list[Rule]:
    """A month's split: counts, shares (in a ``judgements_pct`` group or under the label),
    Good or better. ``prefix`` is the pattern of the block's path, ``p`` its template."""
    return [
        count_rule(
            rf"{prefix}\.judgements\.(?P<label>{_LABELS})",
            lambda s: queries.completed(month(s), judgements=(s.groups["label"],)),
        ),
        count_rule(
            rf"{prefix}\.good_or_better",
            lambda s: queries.completed(month(s), judgements=schema.GOOD_OR_BETTER),
        ),
        share_rule(
            rf"{prefix}\.judgements_pct\.(?P<label>{_LABELS})",
            p + ".judgements.{label}",
            p + ".completed",
        ),
        share_rule(rf"{prefix}\.(?P<label>{_LABELS})", p + ".judgements.{label}", p + ".completed"),
        share_rule(rf"{prefix}\.good_or_better_pct", p + ".good_or_better", p + ".completed"),
    ]


def _problem_rows(
    data: AuditData, severity: str, months: tuple[str, ...] | None = None
) -> tuple[Expr, int]:
    """Problems of one severity as counts of the rows they are about, plus those about no
    row the report uses (file-level problems, or rows excluded whole).

    With ``months`` (a month's warnings count only the rows of its months, as
    :func:`auditlib.report.figures.month_data_quality` does), a problem about a row is
    counted when the row's audit month is one of them; a file-level one always.
    """
    expr: dict[Query, int] = {}
    loose = 0
    used = {
        "audits": queries.AUDITS,
        "feedback": queries.FEEDBACK,
        "reflections": queries.REFLECTIONS,
    }
    by_file: dict[str, str] = {data.files.get(name, name): name for name in used}
    excluded_month = {
        (name, row): month
        for name, rec in data.reconciliation.items()
        for row, (_reason, month) in rec.excluded_rows.items()
    }
    groups: dict[tuple[str, str], set[int]] = {}
    for problem in data.problems:
        if problem.severity != severity:
            continue
        table = by_file.get(problem.file, problem.file)
        if problem.row is None:
            loose += 1
            continue
        if months is not None:
            month = excluded_month.get((table, int(problem.row)))
            if table not in used or month is not None:
                loose += bool(month) and month in months
                continue
        elif table not in used:
            loose += 1
            continue
        groups.setdefault((table, problem.reason), set()).add(int(problem.row))
    for (table, _), rows in groups.items():
        query: Query = (
            queries.Audits(audit_type=None, rows=frozenset(rows), months=months)
            if table == "audits"
            else queries.Rows(used[table], source_rows=frozenset(rows), months=months)
        )
        expr[query] = expr.get(query, 0) + 1
    return expr, loose


def _table_rules() -> list[Rule]:
    """data_quality: rows read, used and excluded (by reason) per input file."""

    def universe(name: str) -> str:
        return {"audits": queries.AUDITS}.get(name, name)

    def used(scope: Scope) -> Query:
        name = scope.groups.get("table", "audits")
        if name == "audits":
            return queries.Audits(audit_type=None, months=scope.to_date())
        return queries.Rows(universe(name), months=scope.to_date())

    def excluded(scope: Scope) -> Query:
        name = scope.groups.get("table", "audits")
        return queries.Rows(
            queries.EXCLUDED_PREFIX + name,
            reason=scope.groups.get("reason"),
            months=scope.to_date(),
        )

    out = []
    for prefix in (r"data_quality", r"data_quality\.tables\.(?P<table>[^.]+)"):
        out += [
            count_rule(rf"{prefix}\.rows_used", used),
            count_rule(rf"{prefix}\.rows_excluded", excluded),
            count_rule(rf"{prefix}\.excluded_by_reason\.(?P<reason>.+)", excluded),
            count_rule(rf"{prefix}\.rows_read", lambda s: {used(s): 1, excluded(s): 1}),
        ]
    return out


#: The registry: every figures.json number, first match wins.
RULES: Final[tuple[Rule, ...]] = (
    other_rule(r"figures_version"),
    *_compliance_rules(r"programme", Scope.window),
    *_compliance_rules(r"month", lambda s: s.report_month),
    *_judgement_rules(r"month", "month", lambda s: s.report_month),
    count_rule(r"trend\[(?P<i>\d+)\]\.allocated", lambda s: queries.allocated(s.trend_month())),
    count_rule(r"trend\[(?P<i>\d+)\]\.completed", lambda s: queries.completed(s.trend_month())),
    share_rule(
        r"trend\[(?P<i>\d+)\]\.compliance_pct", "trend[{i}].completed", "trend[{i}].allocated"
    ),
    *_judgement_rules(r"trend\[(?P<i>\d+)\]", "trend[{i}]", Scope.trend_month),
    *_table_rules(),
    statistic_rule(r"spc\.(?P<chart>[^.]+)\.mean", _spc_mean),
    other_rule(r"spc\.(?P<chart>[^.]+)\.(?:lower_limit|upper_limit)"),
    count_rule(
        r"data_quality\.not_recorded",
        lambda s: queries.Audits(
            audit_type=None, months=s.to_date(), judgements=(schema.NOT_RECORDED,)
        ),
    ),
)
#: figures.json sections that repeat the page: ``tables`` holds every table the report
#: shows, cell for cell as shown (tests/test_notebook_monthly.py checks it against the
#: HTML), so the audit reads those numbers from the page
#: (:mod:`auditlib.disclosure.report_facts`), where their captions say what they count.
#: An audit of figures.json alone leaves them out.
PAGE_SECTIONS: Final = frozenset({"tables", "statements"})
#: figures.json's parts the audit does not model yet, so it leaves them out: the statistics
#: sections (their figures are hidden by rule when they rest on a suppressed count, see
#: :func:`auditlib.disclosure.figures.apply_to_figures`) and the data-quality detail (row
#: counts of files, warnings by kind, name spellings, date readings, judgement jumps). The
#: same numbers the page states are audited from the page.
UNMODELLED: Final = (
    "tests",
    "reaudit_expectation",
    "casemix",
    "auditors",
    "data_quality.files",
    "data_quality.warnings_by_kind",
    "data_quality.name_merges",
    "data_quality.date_readings",
    "data_quality.judgement_jumps",
    "data_quality.left_out",
    "data_quality.newer_exports",
)
#: Problem counts: sums over the rows the problems are about (see :func:`_problem_rows`).
PROBLEM_KEYS: Final = {"data_quality.errors": "error", "data_quality.warnings": "warning"}


# ---------------------------------------------------------------- reading figures
def leaves(figures: Mapping[str, Any], path: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, value) of every number or symbol in a figures dict, in its order
    (paths as :func:`auditlib.disclosure.apply_to_figures` names them)."""
    for key, value in figures.items():
        here = f"{path}.{key}" if path else str(key)
        yield from _leaves(value, here)


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        yield from leaves(value, path)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _leaves(item, f"{path}[{i}]")
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, Real) or value == SUPPRESSED:
        yield path, value


def _unmodelled(path: str) -> bool:
    return any(path == part or path.startswith((f"{part}.", f"{part}[")) for part in UNMODELLED)


def match(path: str) -> tuple[Rule, dict[str, str]] | None:
    for rule in RULES:
        found = rule.pattern.fullmatch(path)
        if found:
            return rule, {k: v for k, v in found.groupdict().items() if v is not None}
    return None


def facts_from_figures(
    figures: Mapping[str, Any], data: AuditData, *, label: str = "figures.json"
) -> list[Fact]:
    """Every number of a figures dict as facts for the audit (``label`` prefixes the sources).

    Raises :class:`UnregisteredFigureError` naming the first number no rule describes.
    Sections that are not disclosure-controlled (the ``disclosure`` record) are skipped, and
    so are ``tables`` and ``statements`` (:data:`PAGE_SECTIONS`) and the parts the audit does
    not model yet (:data:`UNMODELLED`).
    """
    body = {k: v for k, v in figures.items() if k != "disclosure" and k not in PAGE_SECTIONS}
    values = dict(leaves(body))
    facts: list[Fact] = []
    counted: dict[str, Query | Expr] = {}
    shares: list[tuple[str, Rule, dict[str, str]]] = []
    for path, value in values.items():
        if _unmodelled(path):
            continue
        if path in PROBLEM_KEYS:
            if value == SUPPRESSED:
                continue
            severity = PROBLEM_KEYS[path]
            # Errors are the whole file's; warnings those about the month's rows (and files).
            months = (
                queries.months_to(data, figures["report_month"]) if severity == "warning" else None
            )
            expr, loose = _problem_rows(data, severity, months)
            if expr:
                facts.append(_equals(f"{label}: {path}", expr, int(value) - loose))
            continue
        found = match(path)
        if found is None:
            raise UnregisteredFigureError(
                f"{label}: {path} = {value!r} has no rule in auditlib.disclosure.registry: "
                "say which rows it counts (count_rule), which counts it is a share of "
                "(share_rule) or that it is not about people (other_rule)"
            )
        rule, groups = found
        if rule.kind == OTHER:
            continue
        if rule.kind == STATISTIC:
            if value != SUPPRESSED:
                assert rule.facts is not None
                facts.extend(rule.facts(Scope(data, figures, groups), path, float(value)))
            continue
        if rule.kind == SHARE:
            shares.append((path, rule, groups))
            continue
        assert rule.build is not None
        built = rule.build(Scope(data, figures, groups))
        counted[path] = built
        source = f"{label}: {path}"
        if isinstance(built, Mapping):
            if value != SUPPRESSED:
                facts.append(_equals(source, built, int(value)))
        else:
            facts.append(count(source, built, value))
    for path, rule, groups in shares:
        value = values[path]
        if value == SUPPRESSED:
            continue
        numerator = rule.numerator.format(**groups)  # type: ignore[union-attr]
        denominator = rule.denominator.format(**groups)  # type: ignore[union-attr]
        for part in (numerator, denominator):
            if part not in counted:
                raise UnregisteredFigureError(
                    f"{label}: {path} is a share of {part}, which figures.json does not hold"
                )
        facts.append(
            exact_share(f"{label}: {path}", counted[numerator], counted[denominator], float(value))
        )
    return facts


def _equals(source: str, expr: Query | Expr, value: int) -> Fact:
    terms = expr if isinstance(expr, Mapping) else {expr: 1}
    return Equals(source, terms, value)
