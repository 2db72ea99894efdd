"""Disclosure control of a figures dict (figures.json): which values are counts, and hiding them."""

from __future__ import annotations

import copy
from collections.abc import Hashable, Mapping, Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np

from auditlib.data import quality, schema
from auditlib.disclosure.rules import (
    AGGREGATES,
    COUNT_KEYS,
    COUNT_SUFFIX,
    DISCLOSURE_KEY,
    FRAGILE_BELOW,
    GROUP_KEYS,
    GROUP_SUFFIX,
    GROUP_TOTAL_KEY,
    GROUP_TOTALS,
    NOT_COUNT_KEYS,
    NOT_COUNT_SECTIONS,
    NOT_COUNT_SUFFIXES,
    SHARE_PARTS,
    SHARE_SUFFIX,
    SPC_KEY,
    SPC_LIMIT_KEYS,
    SUMS,
    SUPPRESSED,
    SYMBOLS,
    TOTAL_SUFFIX,
    DisclosureProfile,
    _as_count,
    disclose_value,
    hide_percentages,
    symbol_key,
)
from auditlib.disclosure.suppression import _Line, _protect


# ----------------------------------------------------------- figures walking
def _is_number(value: object) -> bool:
    return isinstance(value, Real | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def _is_integer_type(value: object) -> bool:
    return isinstance(value, Integral | np.integer) and not isinstance(value, bool | np.bool_)


def _plain(value: Any) -> Any:
    """numpy scalars as Python ones, so the result serialises to JSON."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def _is_group_key(key: str) -> bool:
    return key in GROUP_KEYS or key.endswith(GROUP_SUFFIX)


def _group_total(key: str) -> str:
    """The sibling a count group adds up to: ``completed``, or ``<stem>_total`` for ``<stem>_counts``."""
    if key in GROUP_TOTALS:
        return GROUP_TOTALS[key]
    return key.removesuffix(GROUP_SUFFIX) + TOTAL_SUFFIX


def _share_parts(key: str, value: object) -> tuple[str, str]:
    """(numerator key, denominator key) of a share, by the convention."""
    stem = key.removesuffix(SHARE_SUFFIX)
    if isinstance(value, Mapping):
        return stem, _group_total(stem)
    if key in SHARE_PARTS:
        return SHARE_PARTS[key]
    return stem, GROUP_TOTAL_KEY


def _is_count_name(key: str) -> bool:
    return key in COUNT_KEYS or key.endswith((COUNT_SUFFIX, TOTAL_SUFFIX)) or key in AGGREGATES


def _is_count_key(key: str, siblings: Mapping[str, Any]) -> bool:
    if _is_count_name(key):
        return True
    return any(
        k.endswith(SHARE_SUFFIX) and _share_parts(k, v)[0] == key for k, v in siblings.items()
    )


def _is_not_count_key(key: str) -> bool:
    return key in NOT_COUNT_KEYS or key.endswith(NOT_COUNT_SUFFIXES)


class _Walk:
    """One pass over a figures dict, collecting the paths it hid or flagged."""

    def __init__(self, profile: DisclosureProfile):
        self.profile = profile
        self.suppressed: list[str] = []
        self.fragile: list[str] = []

    def value(self, value: Any, key: str, path: str) -> Any:
        if isinstance(value, Mapping):
            return self.mapping(value, path)
        if isinstance(value, list | tuple):
            return [self.value(v, key, f"{path}[{i}]") for i, v in enumerate(value)]
        return self.lone_scalar(value, key, path)

    def lone_scalar(self, value: Any, key: str, path: str) -> Any:
        """A scalar with no siblings to relate to (e.g. in a list)."""
        if not _is_number(value):
            return _plain(value)
        if key.endswith(SHARE_SUFFIX):
            raise ValueError(f"{path}: a share in a list has no sibling count to check against")
        if _is_count_name(key):
            shown = disclose_value(value, self.profile)
            if shown == SUPPRESSED:
                self.suppressed.append(path)
            return shown
        return self.other_number(value, key, path)

    def other_number(self, value: Any, key: str, path: str) -> Any:
        if key in schema.JUDGEMENT_LABELS:
            raise ValueError(
                f"{path}: a number keyed by a judgement label must sit in a count group "
                f"('judgements' or '…{GROUP_SUFFIX}') or a share group ('…{SHARE_SUFFIX}')"
            )
        if _is_integer_type(value) and not _is_not_count_key(key):
            raise ValueError(
                f"{path}: is {value!r} a count of audits? Name counts as in COUNT_KEYS or "
                f"'…{COUNT_SUFFIX}', or other whole numbers in NOT_COUNT_KEYS "
                "(auditlib.disclosure), so disclosure control knows what to do with it."
            )
        return _plain(value)

    def mapping(self, figures: Mapping[Any, Any], path: str) -> dict[Any, Any]:
        def at(*keys: Any) -> str:
            return ".".join(str(k) for k in ([path] if path else []) + list(keys))

        # Cells of this level: plain counts by key, group members by (group, label).
        values: dict[Hashable, int | None] = {}
        out: dict[Any, Any] = {}
        shares: list[str] = []
        label_shares: list[str] = []
        groups: list[str] = []
        for key, value in figures.items():
            name = str(key)
            if name in NOT_COUNT_SECTIONS:
                out[key] = copy.deepcopy(value)
            elif isinstance(value, Mapping) and _is_group_key(name):
                groups.append(key)
                for label, count in value.items():
                    values[(key, label)] = self.count_value(count, at(key, label))
            elif name.endswith(SHARE_SUFFIX) and (
                isinstance(value, Mapping)
                or _is_number(value)
                or value is None
                or (isinstance(value, str) and value in SYMBOLS)
            ):
                shares.append(key)
            elif isinstance(value, Mapping | list | tuple):
                out[key] = self.value(value, name, at(key))
            elif (
                name in schema.JUDGEMENT_LABELS
                and isinstance(figures.get("judgements"), Mapping)
                and (
                    _is_number(value)
                    or value is None
                    or (isinstance(value, str) and value in SYMBOLS)
                )
            ):
                # DESIGN §4: a trend entry states "% per judgement label" under the label
                # itself — a share of its ``judgements`` count over ``completed``.
                label_shares.append(key)
            elif _is_number(value) or (isinstance(value, str) and value in SYMBOLS):
                if _is_count_key(name, figures):
                    values[key] = self.count_value(value, at(key))
                elif isinstance(value, str):
                    out[key] = value
                else:
                    out[key] = self.other_number(value, name, at(key))
            else:
                out[key] = _plain(value)

        lines = self.lines(figures, values, groups, at)
        hidden = _protect(values, lines) if self.profile.suppresses else {}
        for cell in values:
            if cell in hidden:
                self.suppressed.append(at(*cell) if isinstance(cell, tuple) else at(cell))
        for key in groups:
            out[key] = {label: self.shown(values, hidden, (key, label)) for label in figures[key]}
        for key in values:
            if not isinstance(key, tuple):
                out[key] = self.shown(values, hidden, key)
        for key in shares:
            out[key] = self.share(figures, key, values, hidden, at)
        for key in label_shares:
            out[key] = self.share_of_cell(
                figures[key], ("judgements", key), GROUP_TOTAL_KEY, values, hidden, at(key)
            )
        return {key: out[key] for key in figures}  # keep the input's key order

    def share_of_cell(
        self,
        pct: Any,
        cell: Hashable,
        denominator: str,
        values: Mapping[Hashable, int | None],
        hidden: Mapping[Hashable, str],
        where: str,
    ) -> Any:
        """One share whose count is ``cell`` and whose denominator is ``denominator``."""
        if cell not in values or denominator not in values:
            raise ValueError(f"{where}: a share needs its count and its denominator beside it")
        if self.profile.suppresses and (
            pct == SUPPRESSED or cell in hidden or denominator in hidden
        ):
            self.suppressed.append(where)
            return SUPPRESSED
        n = values[denominator]
        if self.profile.flags_fragile and n is not None and 0 < n < FRAGILE_BELOW:
            self.fragile.append(where)
        return _plain(pct)

    @staticmethod
    def shown(
        values: Mapping[Hashable, int | None], hidden: Mapping[Hashable, str], cell: Hashable
    ) -> int | str:
        value = values[cell]
        return SUPPRESSED if value is None or cell in hidden else value

    def count_value(self, value: Any, path: str) -> int | None:
        if isinstance(value, str) and value == SUPPRESSED:
            return None
        return _as_count(value, path)

    def lines(
        self,
        figures: Mapping[Any, Any],
        values: Mapping[Hashable, int | None],
        groups: list[str],
        at: Any,
    ) -> list[_Line]:
        lines = []
        for key in groups:
            members = tuple((key, label) for label in figures[key])
            total = _group_total(key)
            if total in values:
                lines.append(_Line(members, total))
                self.check_sum(key, members, total, values, at)
        for key, (group, labels) in AGGREGATES.items():
            if key in values and group in groups:
                members = tuple((group, label) for label in labels if label in figures[group])
                lines.append(_Line(members, key))
                self.check_sum(group, members, key, values, at)
        for total, parts in SUMS.items():
            if total in values and all(part in values for part in parts):
                lines.append(_Line(parts, total))
                self.check_sum(" + ".join(parts), parts, total, values, at)
        return lines

    @staticmethod
    def check_sum(
        group: str,
        members: Sequence[Hashable],
        total: Hashable,
        values: Mapping[Hashable, int | None],
        at: Any,
    ) -> None:
        """A group must add up to its total, or its protection would be wrong."""
        parts = [values[m] for m in members]
        known = [p for p in parts if p is not None]
        if values[total] is None or len(known) < len(parts):
            return
        if sum(known) != values[total]:
            raise ValueError(
                f"{at(total)} is {values[total]} but {at(group)} adds up to {sum(known)}"
            )

    def share(
        self,
        figures: Mapping[Any, Any],
        key: str,
        values: Mapping[Hashable, int | None],
        hidden: Mapping[Hashable, str],
        at: Any,
    ) -> Any:
        value = figures[key]
        numerator, denominator = _share_parts(key, value)
        if denominator not in values:
            raise ValueError(f"{at(key)}: a share needs its denominator {at(denominator)}")
        if isinstance(value, Mapping):
            if numerator not in figures or not _is_group_key(numerator):
                raise ValueError(f"{at(key)}: shares by label need the count group {at(numerator)}")
            cells = {label: (numerator, label) for label in value}
        else:
            if numerator not in values:
                raise ValueError(f"{at(key)}: a share needs its count {at(numerator)}")
            cells = {None: numerator}
        shown = {}
        for label, cell in cells.items():
            if cell not in values:
                raise ValueError(f"{at(key, label)}: no count {at(*cell)} to check it against")
            pct = value[label] if label is not None else value
            where = at(key, label) if label is not None else at(key)
            hide = pct == SUPPRESSED or cell in hidden or denominator in hidden
            if self.profile.suppresses and hide:
                shown[label] = SUPPRESSED
                self.suppressed.append(where)
                continue
            n = values[denominator]
            if self.profile.flags_fragile and n is not None and 0 < n < FRAGILE_BELOW:
                self.fragile.append(where)
            shown[label] = _plain(pct)
        return shown if isinstance(value, Mapping) else shown[None]


def apply_to_figures(
    figures: Mapping[str, Any], profile: DisclosureProfile | str
) -> dict[str, Any]:
    """A copy of a figures dict (figures.json) with the profile's disclosure control applied.

    Which values are counts, shares or neither follows the convention in this
    module's docstring. ``published``: hidden counts and shares become ``"[c]"``,
    with secondary suppression inside each count group and its total.
    ``internal``: values are unchanged. Either way a ``"disclosure"`` entry
    records the profile, the symbols and the paths hidden or flagged.
    Applying it twice gives the same result as once.

    >>> figs = {"report_month": "2020-09", "month": {"completed": 23, "allocated": 30,
    ...     "compliance_pct": 76.7, "judgements": {"Good": 3, "Inadequate": 20}}}
    >>> apply_to_figures(figs, "published")["month"]
    {'completed': 23, 'allocated': 30, 'compliance_pct': 76.7, 'judgements': {'Good': '[c]', 'Inadequate': '[c]'}}
    """
    profile = DisclosureProfile.from_name(profile)
    walk = _Walk(profile)
    body = {k: v for k, v in figures.items() if k != DISCLOSURE_KEY}
    out = walk.mapping(body, "")
    if profile.suppresses and isinstance(out.get(SPC_KEY), Mapping):
        walk.suppressed += _protect_spc(out)
    if profile.suppresses:
        # Paths are recorded even when already hidden (and the walk's own record of them
        # dropped), so applying twice gives the same list.
        statistics = _protect_statistics(out)
        walk.suppressed = [p for p in walk.suppressed if p not in statistics] + statistics
    if profile.suppresses and isinstance(out.get(DATA_QUALITY_KEY), Mapping):
        # As above: the walk may already have recorded some of these (data_quality's counts
        # are counts), so each is listed once, in the same place however often applied.
        quality = _protect_jumps(out, profile) + _protect_not_recorded(out, profile)
        quality = list(dict.fromkeys(quality))
        walk.suppressed = [p for p in walk.suppressed if p not in quality] + quality
    out[DISCLOSURE_KEY] = {
        "profile": profile.value,
        "symbols": dict(symbol_key(profile)),
        "suppressed": walk.suppressed,
        "fragile": walk.fragile,
    }
    return out


def _protect_spc(figures: dict[str, Any]) -> list[str]:
    """Hide in ``figures["spc"]`` what would give a suppressed share away; returns the paths.

    ``figures`` is already protected: a trend month's share is ``[c]`` where it is hidden.
    """
    trend = {
        entry.get("month"): entry
        for entry in figures.get("trend") or []
        if isinstance(entry, Mapping)
    }
    hidden_paths: list[str] = []
    for name, chart in figures[SPC_KEY].items():
        if not isinstance(chart, dict) or not isinstance(chart.get("points"), Mapping):
            continue
        share = chart.get("share")
        hidden = {
            month for month in chart["points"] if trend.get(month, {}).get(share) == SUPPRESSED
        }
        if not hidden:
            continue
        where = f"{SPC_KEY}.{name}"
        # Paths are recorded even when already hidden, so applying twice gives the same list.
        for month in sorted(hidden):
            chart["points"][month] = SUPPRESSED
            hidden_paths.append(f"{where}.points.{month}")
        limits_from = str(chart.get("limits_from") or "")
        if any(month >= limits_from for month in hidden):
            for key in SPC_LIMIT_KEYS:
                if key in chart:
                    chart[key] = SUPPRESSED
                    hidden_paths.append(f"{where}.{key}")
        if chart.get("latest_month") in hidden and isinstance(chart.get("verdict"), str):
            chart["verdict"] = hide_percentages(chart["verdict"])
            hidden_paths.append(f"{where}.verdict")
    return hidden_paths


# ------------------------------------------------------------- statistics
#: figures.json's sections of statistics that rest on the month's counts.
TESTS_KEY = "tests"
CASEMIX_KEY = "casemix"
REAUDIT_KEY = "reaudit_expectation"
#: What a hidden test loses: its difference (percentage points), its p-values (with the
#: totals known, a test's p gives its count back) and its verdict (even the direction of a
#: significant result, beside the counts shown, can pin a hidden count).
TEST_HIDDEN_KEYS = (
    "statistic",
    "effect",
    "effect_low",
    "effect_high",
    "p_value",
    "p_holm",
    "significant",
    "verdict",
)
#: What a hidden distribution test loses besides: its n's, which leave Not recorded out.
DISTRIBUTION_HIDDEN_KEYS = ("month_total", "reference_total")
#: What a hidden case-mix comparison loses (the report states none of it).
CASEMIX_HIDDEN_KEYS = (
    "observed_count",
    "other_count",
    "observed_share",
    "expected",
    "expected_share",
    "reference_share",
    "ratio",
    "ci_low",
    "ci_high",
    "p_value",
    "verdict",
    "better",
)
#: What the re-audit expectation loses when a movement count is hidden: its shares (the
#: report's sentence loses its percentages).
#: What a re-audit expectation resting on a table cell of 1 to 5 loses besides its movement
#: counts: every figure computed from them, and its verdict (the page states none).
REAUDIT_OBSERVED_KEYS = (
    "observed_mean_change",
    "expected_mean_change",
    "difference",
    "ci_low",
    "ci_high",
    "p_value",
    "verdict",
)
REAUDIT_HIDDEN_KEYS = (
    "expected_improved",
    "expected_declined",
    "expected_improved_share",
    "expected_declined_share",
)


def _share_hidden(figures: Mapping[str, Any], months: Sequence[str], share: str | None) -> bool:
    """Is ``share`` (or the total) of any of ``months`` hidden in the protected trend?"""
    if share is None:
        return False
    return _any_hidden(figures, months, (share, schema.COMPLETED))


def _judgements_hidden(figures: Mapping[str, Any], months: Sequence[str]) -> bool:
    """Is any judgement count (or the total) of any of ``months`` hidden in the trend?"""
    return _any_hidden(figures, months, (*schema.JUDGEMENT_LABELS, schema.COMPLETED))


def _any_hidden(figures: Mapping[str, Any], months: Sequence[str], keys: Sequence[str]) -> bool:
    """Is any of ``keys`` of any of ``months`` hidden in the figures' trend?"""
    trend = {
        entry.get("month"): entry
        for entry in figures.get("trend") or []
        if isinstance(entry, Mapping)
    }
    return any(trend.get(month, {}).get(key) == SUPPRESSED for month in months for key in keys)


def _hide(entry: dict[str, Any], keys: Sequence[str], where: str) -> list[str]:
    """Hide ``keys`` of ``entry``; the paths, already hidden ones too."""
    paths = []
    for key in keys:
        if key in entry:
            entry[key] = SUPPRESSED
            paths.append(f"{where}.{key}")
    return paths


def _protect_statistics(figures: dict[str, Any]) -> list[str]:
    """Hide in the ``tests``, ``casemix`` and ``reaudit_expectation`` sections what rests on a
    suppressed count; returns the paths. ``figures`` is already protected.

    * A share test (``tests.family``) is hidden when the share of the report month or of any
      month its reference pools is hidden (a pooled share gives one hidden month back by
      subtraction) or one of its counts is: it loses :data:`TEST_HIDDEN_KEYS`. A
      distribution test is hidden (with its n's) when any judgement count of the months it
      compares is. With any test hidden, every other test loses its ``p_holm`` (a function
      of every p in the family), and its verdict too unless the bound family size × p
      decides it (as the page judges it).
    * A case-mix measure is hidden on the same rule (the month and the reference months) or
      when its observed count, the rest or the total is: it loses :data:`CASEMIX_HIDDEN_KEYS`.
    * The re-audit expectation loses its expected shares when a movement count is hidden,
      and its movement counts and the figures made from them when a cell of the table they
      are counted from is 1 to 5 (:func:`protect_reaudit_expectation`).
    """
    paths: list[str] = []
    month = figures.get("report_month")
    tests = figures.get(TESTS_KEY)
    if isinstance(tests, Mapping) and isinstance(tests.get("family"), list):
        hidden_ids = set()
        for i, entry in enumerate(tests["family"]):
            counts = ("month_count", "reference_count", "month_total", "reference_total")
            hidden = entry.get("share") is not None and (
                _share_hidden(figures, [month, *entry.get("reference_months", [])], entry["share"])
                or any(entry.get(key) == SUPPRESSED for key in counts)
            )
            months = [month, *entry.get("reference_months", [])]
            distribution_hidden = entry.get("share") is None and _judgements_hidden(figures, months)
            if hidden or distribution_hidden:
                hidden_ids.add(entry.get("id"))
                paths += _hide(entry, TEST_HIDDEN_KEYS, f"{TESTS_KEY}.family[{i}]")
            if distribution_hidden:
                paths += _hide(entry, DISTRIBUTION_HIDDEN_KEYS, f"{TESTS_KEY}.family[{i}]")
        from auditlib.analysis.stats import ALPHA  # analysis does not import disclosure

        size = len(tests["family"])
        for i, entry in enumerate(tests["family"]):
            if not hidden_ids or entry.get("id") in hidden_ids:
                continue
            # With a test withheld, a Holm-adjusted p (a function of every test's p) and a
            # verdict on it say something of the withheld tests: the page judges the tests
            # shown on the bound size × p, so only verdicts that bound decides are kept.
            paths += _hide(entry, ("p_holm",), f"{TESTS_KEY}.family[{i}]")
            p = entry.get("p_value")
            if isinstance(p, (int, float)) and p < ALPHA <= size * p:
                paths += _hide(entry, ("significant", "verdict"), f"{TESTS_KEY}.family[{i}]")
    mix = figures.get(CASEMIX_KEY)
    if isinstance(mix, Mapping) and isinstance(mix.get("measures"), Mapping):
        months = [month, *mix.get("reference_months", [])]
        for key, entry in mix["measures"].items():
            counts = ("observed_count", "other_count", "month_total")
            if _share_hidden(figures, months, entry.get("share")) or any(
                entry.get(c) == SUPPRESSED for c in counts
            ):
                paths += _hide(entry, CASEMIX_HIDDEN_KEYS, f"{CASEMIX_KEY}.measures.{key}")
    reaudits = figures.get(REAUDIT_KEY)
    if isinstance(reaudits, Mapping):
        paths += protect_reaudit_expectation(reaudits, REAUDIT_KEY)
    return paths


def protect_reaudit_expectation(reaudits: dict[str, Any], where: str) -> list[str]:
    """A re-audit expectation as ``published`` may state it. Its expected shares go when a
    movement count is hidden; when the table it is counted from has a cell of 1 to 5
    (``rests_on_small_cell``), the movement counts and everything made from them go too:
    with the table's other cells shown, "163 improved" gave a hidden cell back."""
    paths: list[str] = []
    moved = reaudits.get("movement_counts") or {}
    if reaudits.get("rests_on_small_cell"):
        paths += _hide(moved, tuple(moved), f"{where}.movement_counts")
        paths += _hide(reaudits, REAUDIT_OBSERVED_KEYS, where)
    if any(value == SUPPRESSED for value in moved.values()):
        paths += _hide(reaudits, REAUDIT_HIDDEN_KEYS, where)
    return paths


#: figures.json's data-quality section, and its judgement jumps: counts of children's
#: audits by judgement (the rest of the section counts rows of the input files).
DATA_QUALITY_KEY = "data_quality"
JUMPS_KEY = "judgement_jumps"


def _protect_jumps(figures: dict[str, Any], profile: DisclosureProfile) -> list[str]:
    """Hide in each judgement jump of ``figures["data_quality"]`` every figure made from a
    trend figure the trend hides; returns the paths.

    A jump's count and completed audits are its month's trend cells; its expected share
    and history total are sums of the history months' cells, so either goes when any of
    those cells is hidden (subtraction from the sum would give it back); the chance goes
    with the count or the expected share (it gives either back). A month outside the trend
    is protected on its own counts. The warning in words is rewritten from what is left.
    """
    jumps = figures[DATA_QUALITY_KEY].get(JUMPS_KEY)
    if not isinstance(jumps, list):
        return []
    trend = [e for e in figures.get("trend") or [] if isinstance(e, Mapping)]
    by_month = {e.get("month"): e for e in trend}

    def hidden(value: Any) -> bool:
        return value == SUPPRESSED or (
            _is_integer_type(value) and disclose_value(value, profile) == SUPPRESSED
        )

    paths: list[str] = []
    for i, jump in enumerate(jumps):
        if not isinstance(jump, dict):
            continue
        label, (first, last) = jump["judgement"], jump["history"]
        entry = by_month.get(jump["month"])
        if entry is not None:
            count_hidden = hidden(entry.get("judgements", {}).get(label))
            completed_hidden = hidden(entry.get("completed"))
        else:
            count_hidden, completed_hidden = hidden(jump["count"]), hidden(jump["completed"])
        history = [e for e in trend if first <= str(e.get("month")) <= last]
        expected_hidden = any(hidden(e.get("judgements", {}).get(label)) for e in history)
        history_hidden = any(hidden(e.get("completed")) for e in history)
        hide = {
            "count": count_hidden,
            "share": count_hidden or completed_hidden,
            "completed": completed_hidden,
            "expected_share": expected_hidden,
            "history_completed": history_hidden,
            "tail_probability": count_hidden or expected_hidden,
        }
        if not any(hide.values()):
            continue
        # Paths are recorded even when already hidden, so applying twice gives the same list.
        for key in (k for k, h in hide.items() if h):
            jump[key] = SUPPRESSED
            paths.append(f"{DATA_QUALITY_KEY}.{JUMPS_KEY}[{i}].{key}")
        jump["description"] = quality.describe_jump(jump)
    return paths


def _protect_not_recorded(figures: dict[str, Any], profile: DisclosureProfile) -> list[str]:
    """Hide the data-quality section's count of completed audits with no judgement (and
    the warnings that count them, and the warnings' total) when it is 1 to 5 or when the
    trend hides a *Not recorded* count of a month up to the report month: it is their sum
    (with re-audits), so it would give a hidden one back. Returns the paths."""
    dq = figures[DATA_QUALITY_KEY]
    month = figures.get("report_month")
    trend = [e for e in figures.get("trend") or [] if isinstance(e, Mapping)]
    count = dq.get("not_recorded")
    hide = count == SUPPRESSED or (
        _is_integer_type(count) and disclose_value(count, profile) == SUPPRESSED
    )
    hide = hide or any(
        e.get("judgements", {}).get(schema.NOT_RECORDED) == SUPPRESSED
        for e in trend
        if month is None or str(e.get("month")) <= str(month)
    )
    if not hide:
        return []
    where = DATA_QUALITY_KEY
    paths = []
    if "not_recorded" in dq:
        dq["not_recorded"] = SUPPRESSED
        paths.append(f"{where}.not_recorded")
    kinds = dq.get("warnings_by_kind") or []
    for i, kind in enumerate(kinds):
        if isinstance(kind, dict) and kind.get("judgement_count"):
            kind["count"] = SUPPRESSED
            paths.append(f"{where}.warnings_by_kind[{i}].count")
    # The total less the other kinds would give the hidden count back.
    if "warnings" in dq and any(isinstance(k, dict) and k.get("judgement_count") for k in kinds):
        dq["warnings"] = SUPPRESSED
        paths.append(f"{where}.warnings")
    return paths
