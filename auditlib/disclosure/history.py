"""figures.json protected as one whole and across months: the step after :func:`apply_to_figures`.

:func:`apply_to_figures` protects each block of figures.json on its own. Two links
between blocks would still give a hidden count away:

* **The month and its trend entry** hold the same counts (the month's allocated,
  completed and judgements): whatever one hides, the other must hide.
* **Totals of the trend.** data_quality's Not recorded total (and its warnings, mostly the
  same rows) adds up every month's Not recorded count: when the total less the counts
  shown leaves only the hidden one (or one for each hidden month), it is hidden too.
* **Programme-to-date figures across months.** Last month's report showed, say, 79
  exempt audits to date; this month's shows 82, so this month's ``[c]`` exempt is 3.
  Published reports cannot be unpublished, so this month's report must not show a
  cumulative figure whose difference from the last one shown would give away a hidden
  monthly count (or a count of 1 to 5 never shown at all, such as a month's exempt
  re-audits). That figure is suppressed too, and it stays suppressed in later months
  until the difference to the last one shown no longer gives anything away.

:func:`protect_figures` applies both until nothing changes; :func:`publish_headlines`
runs it month by month over a programme's headline blocks, giving the earlier reports
as published that the next month's protection needs.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from auditlib.analysis import metrics
from auditlib.disclosure.figures import apply_to_figures
from auditlib.disclosure.rules import SUPPRESSED, DisclosureProfile, is_small

#: Programme-to-date counts → the month's count each accumulates (None: never shown monthly).
CUMULATIVE: Final[dict[str, str | None]] = {
    "allocated": "allocated",
    "completed": "completed",
    "exempt": "exempt",
    "cancelled": "cancelled",
    "outstanding": "outstanding",
    "overdue": "overdue",
    "reaudits_allocated": "reaudits_allocated",
    "reaudits_completed": "reaudits_completed",
    "reaudits_exempt": None,
}
#: data_quality counts (rows of the months up to the report's) → the month block's counts
#: each month's rows add up to, as far as a report shows them. Each also holds rows no
#: report counts month by month (re-audits' exempt, cancelled and unjudged ones).
DATA_QUALITY_CUMULATIVE: Final[dict[str, tuple[str, ...]]] = {
    "not_recorded": ("judgements.Not recorded",),
    "warnings": ("judgements.Not recorded",),
    "rows_read": ("allocated", "exempt", "cancelled", "reaudits_allocated"),
    "rows_used": ("allocated", "exempt", "cancelled", "reaudits_allocated"),
}
#: data_quality counts hidden whenever a count they add up since the last report that
#: showed them is hidden: rows read less the allocated audits is the month's exempt plus
#: cancelled, and with the programme-to-date exempt of two reports that pins cancelled.
DATA_QUALITY_STRICT: Final = frozenset({"rows_read", "rows_used"})
#: Where each cumulative block's window starts (figures.json keys of the programme block).
WINDOW_START: Final = {"": "from_month", "reaudits_": "reaudits_from_month"}
#: Counts the month block and its trend entry share (judgement labels are added).
SHARED_WITH_TREND: Final = ("allocated", "completed", "good_or_better")
#: A bound on protection rounds (each only adds suppressions, so it ends well before).
_MAX_ROUNDS: Final = 50


def protect_figures(
    figures: Mapping[str, Any],
    profile: DisclosureProfile | str,
    earlier: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """figures.json as published: :func:`apply_to_figures`, then the month and its trend
    entry made to hide the same counts, and programme-to-date figures hidden where their
    difference from ``earlier`` reports (as published, any order) would reveal a count.
    ``earlier`` holds every earlier audited month's report: a month between two reports
    without one of its own is taken to have had no audits.
    """
    profile = DisclosureProfile.from_name(profile)
    if not profile.suppresses:
        return apply_to_figures(figures, profile)
    history = sorted(earlier, key=lambda f: f["report_month"])
    forced: set[str] = set()
    for _ in range(_MAX_ROUNDS):
        out = apply_to_figures(_force(figures, forced), profile)
        more = (
            _trend_links(out)
            | _cumulative_links(out, figures, history)
            | _total_links(out, figures)
            | _data_quality_links(out, figures, history)
        )
        if more <= forced:
            return out
        forced |= more
    raise RuntimeError("disclosure protection did not settle")  # pragma: no cover


def publish_headlines(
    headlines: Iterable[Mapping[str, Any]], profile: DisclosureProfile | str
) -> list[dict[str, Any]]:
    """Each month's headline figures (``report_month``, ``programme``, ``month``) as
    published, in month order, each protected against the ones before it."""
    published: list[dict[str, Any]] = []
    for figures in sorted(headlines, key=lambda f: f["report_month"]):
        published.append(protect_figures(figures, profile, published))
    return published


# ---------------------------------------------------------------- helpers
_INDEX: Final = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _path_parts(path: str) -> list[str | int]:
    return [name if name else int(index) for name, index in _INDEX.findall(path)]


def _force(figures: Mapping[str, Any], paths: Iterable[str]) -> dict[str, Any]:
    """A copy with the values at ``paths`` replaced by ``[c]``."""
    out = copy.deepcopy(dict(figures))
    for path in paths:
        parts = _path_parts(path)
        node: Any = out
        for part in parts[:-1]:
            node = node[part]
        node[parts[-1]] = SUPPRESSED
    return out


def _trend_links(published: Mapping[str, Any]) -> set[str]:
    """Paths to hide so the month block and the report month's trend entry agree."""
    month = published.get("month")
    trend = published.get("trend")
    if not isinstance(month, Mapping) or not isinstance(trend, list):
        return set()
    index = next(
        (i for i, entry in enumerate(trend) if entry.get("month") == published["report_month"]),
        None,
    )
    if index is None:
        return set()
    entry = trend[index]
    pairs = [(key, key) for key in SHARED_WITH_TREND if key in month and key in entry]
    pairs += [
        (f"judgements.{label}", f"judgements.{label}")
        for label in (month.get("judgements") or {})
        if label in (entry.get("judgements") or {})
    ]
    out = set()
    for month_key, entry_key in pairs:
        a, b = _get(month, month_key), _get(entry, entry_key)
        if a == SUPPRESSED and b != SUPPRESSED:
            out.add(f"trend[{index}].{entry_key}")
        elif b == SUPPRESSED and a != SUPPRESSED:
            out.add(f"month.{month_key}")
    return out


#: data_quality totals over every audit row, and the trend count each adds up (with rows the
#: trend never shows, such as re-audits): hidden when, with the trend's shown counts, it
#: would give a hidden one away.
TOTALS_OF_TREND: Final = {
    "data_quality.not_recorded": "Not recorded",
    # Warnings are mostly completed audits with no judgement: counted with them.
    "data_quality.warnings": "Not recorded",
}


def _total_links(published: Mapping[str, Any], raw: Mapping[str, Any]) -> set[str]:
    """data_quality totals to hide because, less the trend's shown counts they add up, they
    would reveal a hidden one: when the total holds no rows outside the trend and one
    month is hidden, or what is left is one for each hidden month. (Hiding it whenever a
    month is hidden would hide a figure every earlier report showed: a reader still has it.)
    """
    trend = [e for e in published.get("trend") or [] if isinstance(e, Mapping)]
    raw_trend = {e.get("month"): e for e in raw.get("trend") or [] if isinstance(e, Mapping)}
    out = set()
    for path, label in TOTALS_OF_TREND.items():
        total = _get(raw, path)
        if _get(published, path) in (None, SUPPRESSED) or not isinstance(total, int):
            continue
        shown, hidden, hidden_sum = 0, 0, 0
        for entry in trend:
            figure = (entry.get("judgements") or {}).get(label)
            if figure == SUPPRESSED:
                hidden += 1
                raw_entry = raw_trend.get(entry.get("month")) or {}
                hidden_sum += int((raw_entry.get("judgements") or {}).get(label) or 0)
            elif isinstance(figure, int):
                shown += figure
        left = total - shown
        if hidden and ((hidden == 1 and left == hidden_sum) or left == hidden):
            out.add(path)
    return out


def _get(block: Mapping[str, Any], dotted: str) -> Any:
    node: Any = block
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    return node


def _cumulative_links(
    published: Mapping[str, Any], raw: Mapping[str, Any], history: Sequence[Mapping[str, Any]]
) -> set[str]:
    """Programme-to-date figures whose difference from the last one shown reveals a count.

    Between the last report that showed a cumulative count and this one, the difference
    is the sum of the months in between. It reveals a count when exactly one of those
    months' figures is hidden (it is the difference less the ones shown), when every
    hidden one must be 1 (the difference left equals how many are hidden), or when none
    of them was ever shown and what is left is 1 to 5.
    """
    programme = published.get("programme")
    if not isinstance(programme, Mapping) or not history:
        return set()
    month = published["report_month"]
    by_month = {f["report_month"]: f for f in history if f["report_month"] < month}
    out = set()
    for key, monthly in CUMULATIVE.items():
        value = programme.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            continue
        start_key = WINDOW_START["reaudits_" if key.startswith("reaudits_") else ""]
        start = programme.get(start_key)
        before = _last_shown(by_month, key, start_key, start)
        if before is None:
            continue
        gap = metrics.months_between(
            max(_next_month(before["report_month"]), start or month), month
        )
        shown_sum, hidden, unseen = 0, 0, 0
        for g in gap:
            report = published if g == month else by_month.get(g)
            figure = report["month"].get(monthly) if report and monthly else None
            if report is None and monthly:
                # Every audited month has a report: a month without one had no audits (the
                # trend shows it with none allocated), so each of its counts is 0.
                figure = 0
            if figure == SUPPRESSED:
                hidden += 1
            elif isinstance(figure, int) and not isinstance(figure, bool):
                shown_sum += figure
            else:
                unseen += 1
        left = int(raw["programme"][key]) - int(before["programme"][key]) - shown_sum
        revealed = (hidden == 1 and unseen == 0) or (hidden >= 1 and left == hidden)
        revealed = revealed or (hidden == 0 and unseen >= 1 and is_small(left))
        if revealed:
            out.add(f"programme.{key}")
    return out


#: data_quality's table of the audits file (its rows are the month blocks' counts).
AUDITS_TABLE: Final = "audits"


def _rows_between_small(
    raw: Mapping[str, Any], before: Mapping[str, Any], name: str, key: str
) -> bool:
    """Are an input file's rows (``key``) since the report ``before`` a count of 1 to 5?"""
    now = ((raw["data_quality"].get("tables") or {}).get(name) or {}).get(key)
    then = (((before.get("data_quality") or {}).get("tables") or {}).get(name) or {}).get(key)
    if not (_is_count(now) and _is_count(then)):
        return True
    return is_small(int(now) - int(then))


def _data_quality_links(
    published: Mapping[str, Any], raw: Mapping[str, Any], history: Sequence[Mapping[str, Any]]
) -> set[str]:
    """data_quality counts whose difference from the last report that showed them reveals a
    hidden count: the difference is the rows of the months in between, so less the counts
    shown of them it leaves the hidden ones (and rows never shown month by month). It
    reveals them when it leaves exactly one for each hidden count; rows read and used
    are hidden whenever one is hidden (:data:`DATA_QUALITY_STRICT`)."""
    quality = published.get("data_quality")
    if not isinstance(quality, Mapping) or not history:
        return set()
    month = published["report_month"]
    by_month = {f["report_month"]: f for f in history if f["report_month"] < month}
    out = set()
    for key, parts in DATA_QUALITY_CUMULATIVE.items():
        if not _is_count(quality.get(key)):
            continue
        before = next(
            (
                by_month[m]
                for m in sorted(by_month, reverse=True)
                if _is_count((by_month[m].get("data_quality") or {}).get(key))
            ),
            None,
        )
        if before is None:
            continue
        shown_sum, hidden = 0, 0
        for g in metrics.months_between(_next_month(before["report_month"]), month):
            report = published if g == month else by_month.get(g)
            for part in parts:
                figure = _get(report["month"], part) if report else 0
                if figure == SUPPRESSED:
                    hidden += 1
                elif _is_count(figure):
                    shown_sum += figure
        left = int(raw["data_quality"][key]) - int(before["data_quality"][key]) - shown_sum
        if hidden and (left == hidden or key in DATA_QUALITY_STRICT):
            out.add(f"data_quality.{key}")
            # The same counts per input file (the audits file's are the ones above; the
            # others accumulate month by month alike).
            tables = quality.get("tables")
            for name, table in (tables or {}).items() if isinstance(tables, Mapping) else ():
                if not (isinstance(table, Mapping) and _is_count(table.get(key))):
                    continue
                if name != AUDITS_TABLE and not _rows_between_small(raw, before, name, key):
                    # Another file's rows since the last report that showed them are not
                    # the audits' months' counts: hidden only when they are 1 to 5 (the
                    # feedback tables show each month's total, so hiding a larger
                    # difference hides nothing and is itself worked out).
                    continue
                out.add(f"data_quality.tables.{name}.{key}")
    return out


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _last_shown(
    by_month: Mapping[str, Mapping[str, Any]], key: str, start_key: str, start: str | None
) -> Mapping[str, Any] | None:
    """The latest earlier report that showed ``key`` over the same window."""
    for report_month in sorted(by_month, reverse=True):
        report = by_month[report_month]
        programme = report.get("programme") or {}
        value = programme.get(key)
        if programme.get(start_key) != start:
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            return report
    return None


def _next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + number // 12}-{number % 12 + 1:02d}"


__all__ = ["CUMULATIVE", "protect_figures", "publish_headlines"]
