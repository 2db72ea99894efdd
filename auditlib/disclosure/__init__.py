"""Disclosure control: what a report may show of small numbers (DESIGN.md §7).

Two profiles (``disclosure:`` in programme.yml, or ``--disclosure``):

``published``
    DfE's rule for children's social care statistics. Any count from 1 to 5
    is suppressed and shown as ``[c]``; 0 is a true zero and is shown.
    **Secondary suppression**: wherever a total is shown, a hidden count
    must not be recoverable by subtraction, so in every row or column whose
    total is shown (and in the totals themselves) either nothing is hidden
    or at least two figures are. When only one is hidden, the smallest
    non-zero figure shown in that row or column is hidden too (a total only
    when nothing else is left), and the rows and columns are checked again
    until none can be worked out — including by combining several rows and
    columns, or because the hidden cells of a row must all be 1 (each ``[c]``
    is at least 1, as 0 is shown). That is checked exactly: for every hidden
    number, the smallest and largest values that fit everything shown must
    differ (a small linear programme). A percentage is hidden when its count
    or its denominator is.
``internal``
    Every count is shown; a percentage whose denominator is below 10 is
    flagged ``[low]`` (GSS shorthand for low reliability, read aloud sensibly
    by screen readers, unlike a dagger).

Other symbols (GSS shorthand in square brackets): ``[z]`` not applicable
(a paused month; a percentage of nothing), ``[x]`` not available.

Everything here is a pure function: tables and dicts in, new ones out.

Figures dict convention (:func:`apply_to_figures`): keys say what a value is.

* **Counts** (of audits, i.e. of children's cases): keys in :data:`COUNT_KEYS`
  (``allocated``, ``completed``, ``exempt``, ``outstanding``, ``reaudits_…``),
  keys ending ``_count`` or ``_total``, and any key that a sibling
  ``<key>_pct`` names as its numerator (e.g. ``good_or_better`` beside
  ``good_or_better_pct``).
* **Count groups**: a dict ``{label: count}`` under ``judgements`` (adding up
  to the sibling ``completed``) or under ``<stem>_counts`` (adding up to a
  sibling ``<stem>_total``, if any); each sum is protected by secondary
  suppression like a table row. A sibling
  ``good_or_better`` is the sum of the group's Outstanding and Good and is
  protected with it (:data:`AGGREGATES`).
* **Shares** (unrounded percentages): keys ending ``_pct``. ``compliance_pct``
  is ``completed`` of ``allocated`` and ``reaudit_compliance_pct`` is
  ``reaudits_completed`` of ``reaudits_allocated`` (:data:`SHARE_PARTS`); any
  other ``<x>_pct`` is sibling ``<x>`` of sibling ``completed``; a dict under
  ``<group>_pct`` holds one share per label of the sibling group ``<group>``.
* **SPC readings**: under ``spc``, one dict per measure naming with ``share`` the
  key of the ``trend`` entries' share it charts, with ``points`` {month: point type},
  the latest period's ``mean`` / ``lower_limit`` / ``upper_limit`` and a ``verdict``
  about ``latest_month``. Under ``published`` a month whose share is hidden loses its
  point type; the limits go when any hidden month is in their period (with every
  other month shown, an exact mean gives the hidden share back by subtraction); the
  verdict loses its percentages when the latest month's share is hidden, as the
  report's sentence does (:func:`hide_percentages`).
* **Not counts**: strings (months, hashes, versions, labels), booleans,
  ``None``, non-integer numbers (statistics), keys in :data:`NOT_COUNT_KEYS`
  or ending ``_year``, and whole sections in :data:`NOT_COUNT_SECTIONS`
  (``data_quality``: counts of rows in the input files, not of children with
  a characteristic). Anything else that is an integer is an error naming the
  key, so a new count can never slip out unprotected.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from numbers import Integral, Real
from typing import Any, Final

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from auditlib.analysis.rounding import round_half_up
from auditlib.data import schema
from auditlib.errors import ConfigError

# ------------------------------------------------------------------ the rule
#: Counts from SUPPRESS_FROM to SUPPRESS_TO inclusive are suppressed in ``published``.
SUPPRESS_FROM: Final = 1
SUPPRESS_TO: Final = 5
#: In ``internal``, a percentage with a denominator below this is flagged.
FRAGILE_BELOW: Final = 10

SUPPRESSED: Final = "[c]"
NOT_APPLICABLE: Final = "[z]"
NOT_AVAILABLE: Final = "[x]"
LOW: Final = "[low]"
SYMBOLS: Final = (SUPPRESSED, NOT_APPLICABLE, NOT_AVAILABLE)

#: Why a cell is hidden, as :func:`suppression_mask` reports it.
SHOWN: Final = "shown"
PRIMARY: Final = "primary"
SECONDARY: Final = "secondary"

# Count-table vocabulary shared with auditlib.analysis.metrics. TODO: move to schema (requested).
TOTAL_COLUMN: Final = schema.COMPLETED
STATE_COLUMN: Final = "state"
MONTH_LABEL_COLUMN: Final = "month_label"
STATE_PAUSED: Final = "paused"

# ------------------------------------------------------- figures convention
COUNT_KEYS: Final = frozenset(
    {
        "n",
        schema.ALLOCATED,
        schema.COMPLETED,
        schema.EXEMPT,
        schema.CANCELLED,
        schema.EXTENSION,
        "outstanding",
        "overdue",
        "reaudits_allocated",
        "reaudits_completed",
        "reaudits_exempt",
        "reaudits_cancelled",
        "reaudits_outstanding",
        "reaudits_overdue",
    }
)
COUNT_SUFFIX: Final = "_count"
GROUP_KEYS: Final = frozenset({"judgements"})
GROUP_SUFFIX: Final = "_counts"
#: The sibling ``judgements`` (and a plain ``<x>_pct``) is a share of.
GROUP_TOTAL_KEY: Final = schema.COMPLETED
#: ``<stem>_counts`` adds up to a sibling ``<stem>_total`` (a count) when there is one.
TOTAL_SUFFIX: Final = "_total"
SHARE_SUFFIX: Final = "_pct"
#: Shares whose numerator and denominator are not ``<stem>`` and ``completed``.
SHARE_PARTS: Final = {
    "compliance_pct": (schema.COMPLETED, schema.ALLOCATED),
    "reaudit_compliance_pct": ("reaudits_completed", "reaudits_allocated"),
}
#: Counts that are sums of some labels of a sibling group: key → (group key, labels).
AGGREGATES: Final = {"good_or_better": ("judgements", schema.GOOD_OR_BETTER)}
NOT_COUNT_KEYS: Final = frozenset(
    {"year", "seed", "scale", "decimals", "fragile_below", "figures_version"}
)
NOT_COUNT_SUFFIXES: Final = ("_year",)
NOT_COUNT_SECTIONS: Final = frozenset({"data_quality", "disclosure"})
#: The key :func:`apply_to_figures` adds, saying what was done.
DISCLOSURE_KEY: Final = "disclosure"
#: figures.json's section of SPC readings, and the limits a hidden month's share is in.
SPC_KEY: Final = "spc"
SPC_LIMIT_KEYS: Final = ("mean", "lower_limit", "upper_limit")
#: A percentage in a sentence, and a difference stated in percentage points (which gives a
#: suppressed share away as surely as the share).
_PERCENT_RE: Final = re.compile(r"\d+(?:\.\d+)?%")
_POINTS_RE: Final = re.compile(r"\d+(?:\.\d+)?(?= percentage points?\b)")


class DisclosureProfile(StrEnum):
    """Which disclosure rule a report follows; equal to its name as a string."""

    INTERNAL = "internal"
    PUBLISHED = "published"

    @classmethod
    def from_name(cls, name: str | DisclosureProfile) -> DisclosureProfile:
        """The profile called ``name`` (case and spaces ignored).

        >>> DisclosureProfile.from_name(" Published ") is DisclosureProfile.PUBLISHED
        True
        """
        if isinstance(name, cls):
            return name
        if isinstance(name, str):
            for profile in cls:
                if profile.value == name.strip().lower():
                    return profile
        raise ConfigError(
            f"Unknown disclosure profile {name!r}: use 'internal' (every count shown, "
            "percentages of fewer than 10 audits flagged) or 'published' "
            "(counts of 1 to 5 suppressed, DfE convention)."
        )

    @property
    def suppresses(self) -> bool:
        """True when small counts are hidden."""
        return self is DisclosureProfile.PUBLISHED

    @property
    def flags_fragile(self) -> bool:
        """True when percentages of few audits are flagged rather than hidden."""
        return self is DisclosureProfile.INTERNAL


INTERNAL: Final = DisclosureProfile.INTERNAL
PUBLISHED: Final = DisclosureProfile.PUBLISHED


def is_small(n: int) -> bool:
    """True for a count the published profile suppresses (1 to 5; never 0).

    >>> [is_small(n) for n in (0, 1, 5, 6)]
    [False, True, True, False]
    """
    return SUPPRESS_FROM <= n <= SUPPRESS_TO


# ------------------------------------------------- secondary suppression core
@dataclass(frozen=True)
class _Line:
    """An additive relation a reader can see: ``sum(members) == total``."""

    members: tuple[Hashable, ...]
    total: Hashable

    @property
    def cells(self) -> tuple[Hashable, ...]:
        return (*self.members, self.total)


def _components(hidden: Sequence[Hashable], lines: Sequence[_Line]) -> dict[Hashable, list[_Line]]:
    """For each hidden cell, the lines of its group: hidden cells joined through shared lines."""
    parent = {cell: cell for cell in hidden}

    def root(cell: Hashable) -> Hashable:
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    touching = [line for line in lines if any(cell in parent for cell in line.cells)]
    for line in touching:
        inside = [cell for cell in line.cells if cell in parent]
        for cell in inside[1:]:
            parent[root(cell)] = root(inside[0])
    by_root: dict[Hashable, list[_Line]] = {}
    for line in touching:
        first = next(cell for cell in line.cells if cell in parent)
        by_root.setdefault(root(first), []).append(line)
    return {cell: by_root.get(root(cell), []) for cell in hidden}


def _range_is_one_value(
    cell: Hashable,
    lines: Sequence[_Line],
    hidden: set[Hashable],
    values: Mapping[Hashable, int | None],
) -> bool:
    """True when the lines leave ``cell`` only one possible value (hidden values are ≥ 1)."""
    if not lines:
        return False
    if len(lines) == 1:
        # One sum on its own: worked out when it is the only hidden cell, or when
        # the total is shown and what is left for the k hidden cells is exactly k (all 1s).
        (line,) = lines
        inner = [c for c in line.members if c in hidden]
        if line.total in hidden:
            return not inner
        left = (values[line.total] or 0) - sum(
            values[c] or 0 for c in line.members if c not in hidden
        )
        return len(inner) == 1 or left == len(inner)
    unknown = list(dict.fromkeys(c for line in lines for c in line.cells if c in hidden))
    column = {c: j for j, c in enumerate(unknown)}
    a_eq = np.zeros((len(lines), len(unknown)))
    b_eq = np.zeros(len(lines))
    for i, line in enumerate(lines):
        for c in line.members:
            if c in column:
                a_eq[i, column[c]] += 1.0
            else:
                b_eq[i] -= values[c] or 0
        if line.total in column:
            a_eq[i, column[line.total]] -= 1.0
        else:
            b_eq[i] += values[line.total] or 0
    objective = np.zeros(len(unknown))
    objective[column[cell]] = 1.0
    low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(1, None), method="highs")
    high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(1, None), method="highs")
    return low.status == 0 and high.status == 0 and -high.fun - low.fun < 0.5


def _pinned(
    hidden: Sequence[Hashable],
    lines: Sequence[_Line],
    values: Mapping[Hashable, int | None],
    only: Hashable | None = None,
) -> Hashable | None:
    """The first hidden cell (or ``only``, if given and pinned) a reader could work out, or None.

    Each sum a reader sees is an equation; shown values are constants and
    every hidden value is at least 1 (0 is always shown). A hidden cell is
    *pinned* when its smallest and largest values consistent with all of that
    are equal: by subtraction, through chains of rows and columns, or because
    the hidden cells of a row must all be 1. Sums that share hidden cells are
    solved together as a linear programme; the constraints of a table are
    totally unimodular, so its bounds are whole numbers and "smallest <
    largest" means at least two possible whole numbers.
    """
    groups = _components(hidden, lines)
    hidden_set = set(hidden)
    for cell in [only] if only is not None else hidden:
        if _range_is_one_value(cell, groups[cell], hidden_set, values):
            return cell
    return None


def _protect(
    values: Mapping[Hashable, int | None],
    lines: Sequence[_Line],
) -> dict[Hashable, str]:
    """Why each hidden cell is hidden (primary / secondary); cells not in the result are shown.

    ``values`` is in reading order (ties between equal candidates go to the
    earlier cell); a value of None is a cell already hidden (e.g. ``[c]`` from
    an earlier pass).
    """
    order = {cell: i for i, cell in enumerate(values)}
    totals = {line.total for line in lines}
    reasons: dict[Hashable, str] = {}
    for cell, value in values.items():
        if value is None or is_small(value):
            reasons[cell] = PRIMARY

    def candidates(cells: Iterable[Hashable]) -> list[Hashable]:
        shown = {c for c in cells if c not in reasons and (values[c] or 0) > 0}
        # Prefer an inner cell to a total, then the smallest, then the first in reading order.
        return sorted(shown, key=lambda c: (c in totals, values[c], order[c]))

    while True:
        changed = False
        for line in lines:
            if sum(cell in reasons for cell in line.cells) == 1:
                pick = candidates(line.cells)
                if pick:
                    reasons[pick[0]] = SECONDARY
                    changed = True
        if changed:
            continue
        hidden = [cell for cell in values if cell in reasons]
        target = _pinned(hidden, lines, values)
        if target is None:
            return reasons
        # The cell can still be worked out (rows and columns combined, or all 1s).
        # Hide the first candidate that frees it: its neighbours first, then any
        # other shown cell; failing all, the smallest neighbour, and look again.
        # Once every non-zero cell is hidden nothing is pinned (doubling them all fits).
        near = candidates(c for line in lines if target in line.cells for c in line.cells)
        anywhere = [c for c in candidates(c for line in lines for c in line.cells) if c not in near]
        if not near and not anywhere:
            return reasons
        pick = next(
            (
                c
                for c in near + anywhere
                if _pinned([*hidden, c], lines, values, only=target) is None
            ),
            (near or anywhere)[0],
        )
        reasons[pick] = SECONDARY


# --------------------------------------------------------------- count tables
def _as_count(value: object, where: str) -> int:
    """A non-negative whole number, or a plain error naming where it came from."""
    if isinstance(value, bool | np.bool_) or value is None:
        raise ValueError(f"{where}: expected a count, got {value!r}")
    whole = isinstance(value, Integral | np.integer) or (
        isinstance(value, Real | np.floating) and float(value).is_integer()
    )
    if whole:
        number = int(value)
    else:
        raise ValueError(f"{where}: expected a whole number of audits, got {value!r}")
    if number < 0:
        raise ValueError(f"{where}: a count cannot be negative, got {number}")
    return number


@dataclass(frozen=True)
class _Layout:
    body: list[str]
    total: str | None
    aggregates: dict[str, list[str]]  # column → the body columns it is the sum of
    columns: list[str]  # body, then total, then aggregates, then other counts
    counts: np.ndarray  # rows × columns, ints


def _layout(
    table: pd.DataFrame,
    cells: Sequence[str] | None,
    total_col: str | None,
    total_row: bool,
    other_counts: Sequence[str] | None,
    aggregates: Mapping[str, Sequence[str]] | None,
) -> _Layout:
    body = list(cells) if cells is not None else [c for c in schema.JUDGEMENT_LABELS if c in table]
    if not body:
        raise ValueError("count table has none of the judgement labels; pass cells=[...]")
    if total_col is not None and total_col not in table:
        raise ValueError(f"count table has no total column {total_col!r}; pass total_col=None")
    if aggregates is None:
        aggregates = {key: labels for key, (_, labels) in AGGREGATES.items() if key in table}
    sums_of = {key: [c for c in labels if c in body] for key, labels in aggregates.items()}
    if other_counts is None:
        other_counts = [
            c
            for c in table.columns
            if c in COUNT_KEYS and c not in body and c != total_col and c not in sums_of
        ]
    columns = [*body, *([total_col] if total_col is not None else []), *sums_of, *other_counts]
    missing = [c for c in columns if c not in table]
    if missing:
        raise ValueError(f"count table has no column(s) {missing}")
    raw = table[columns].to_numpy(dtype=object)
    counts = np.array(
        [
            [
                _as_count(v, f"row {row!r}, column {col!r}")
                for v, col in zip(values, columns, strict=True)
            ]
            for row, values in zip(table.index, raw, strict=True)
        ],
        dtype=np.int64,
    ).reshape(len(table.index), len(columns))
    if total_col is not None:
        sums = counts[:, : len(body)].sum(axis=1)
        for row, got, want in zip(table.index, counts[:, len(body)], sums, strict=True):
            if got != want:
                raise ValueError(
                    f"row {row!r}: {total_col!r} is {got} but the counts add up to {want}"
                )
    for key, parts in sums_of.items():
        sums = counts[:, [columns.index(c) for c in parts]].sum(axis=1)
        for row, got, want in zip(table.index, counts[:, columns.index(key)], sums, strict=True):
            if got != want:
                raise ValueError(f"row {row!r}: {key!r} is {got} but {parts} add up to {want}")
    if total_row:
        if len(table.index) < 2:
            raise ValueError("total_row=True needs a table with the totals as its last row")
        sums = counts[:-1].sum(axis=0)
        for col, got, want in zip(columns, counts[-1], sums, strict=True):
            if got != want:
                raise ValueError(
                    f"total row {table.index[-1]!r}, column {col!r}: is {got} "
                    f"but the rows above add up to {want}"
                )
    return _Layout(body, total_col, sums_of, columns, counts)


def _table_lines(n_rows: int, layout: _Layout, total_row: bool) -> list[_Line]:
    """The sums a reader can see, over cells addressed (row position, column position)."""
    n_body = len(layout.body)
    n_cols = len(layout.columns)
    inner_rows = range(n_rows - 1) if total_row else range(n_rows)
    lines = []
    if layout.total is not None:
        # Every row, the totals row included, adds up to its total.
        for r in range(n_rows):
            lines.append(_Line(tuple((r, c) for c in range(n_body)), (r, n_body)))
    for key, parts in layout.aggregates.items():
        # e.g. Good or better: Outstanding + Good in every row.
        members = [layout.columns.index(c) for c in parts]
        for r in range(n_rows):
            lines.append(_Line(tuple((r, c) for c in members), (r, layout.columns.index(key))))
    if total_row:
        for c in range(n_cols):
            lines.append(_Line(tuple((r, c) for r in inner_rows), (n_rows - 1, c)))
    return lines


def _mask_array(table: pd.DataFrame, layout: _Layout, total_row: bool) -> np.ndarray:
    n_rows, n_cols = layout.counts.shape
    values = {(r, c): int(layout.counts[r, c]) for r in range(n_rows) for c in range(n_cols)}
    reasons = _protect(values, _table_lines(n_rows, layout, total_row))
    mask = np.full((n_rows, n_cols), SHOWN, dtype=object)
    for (r, c), why in reasons.items():
        mask[r, c] = why
    return mask


def suppression_mask(
    table: pd.DataFrame,
    profile: DisclosureProfile | str,
    *,
    total_row: bool = False,
    total_col: str | None = TOTAL_COLUMN,
    cells: Sequence[str] | None = None,
    other_counts: Sequence[str] | None = None,
    aggregates: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Which count cells a profile hides, and why: ``shown``, ``primary`` or ``secondary``.

    ``table`` is a count table: ``cells`` (default: the judgement labels it has)
    add up to ``total_col`` (None when the table shows no row totals). With
    ``total_row=True`` its last row holds the column totals. ``other_counts``
    (default: columns such as ``allocated`` named in :data:`COUNT_KEYS`) are
    counts outside the sums: primary suppression only, unless a total row sums them.
    ``aggregates`` maps a column to the cells it is the sum of (default: a
    ``good_or_better`` column, Outstanding + Good, when the table has one); it is
    protected as one more sum in each row.

    Figures shown elsewhere in the report that add up with this table's must be
    protected with it, in one call: column totals (a team table's columns add up
    to the month's split) as the total row, a "% Good or better" series as the
    ``good_or_better`` column; then show those figures from this mask.

    >>> t = pd.DataFrame({"Good": [3], "Inadequate": [20], "completed": [23]}, index=["A"])
    >>> suppression_mask(t, "published", cells=["Good", "Inadequate"]).loc["A"].tolist()
    ['primary', 'secondary', 'shown']
    """
    profile = DisclosureProfile.from_name(profile)
    layout = _layout(table, cells, total_col, total_row, other_counts, aggregates)
    if profile.suppresses:
        mask = _mask_array(table, layout, total_row)
    else:
        mask = np.full(layout.counts.shape, SHOWN, dtype=object)
    return pd.DataFrame(mask, index=table.index.copy(), columns=layout.columns).astype(str)


def _paused_rows(table: pd.DataFrame) -> np.ndarray:
    if STATE_COLUMN not in table:
        return np.zeros(len(table.index), dtype=bool)
    return (table[STATE_COLUMN].astype("string") == STATE_PAUSED).to_numpy(
        dtype=bool, na_value=False
    )


def suppress_counts(
    table: pd.DataFrame,
    profile: DisclosureProfile | str,
    *,
    total_row: bool = False,
    total_col: str | None = TOTAL_COLUMN,
    cells: Sequence[str] | None = None,
    other_counts: Sequence[str] | None = None,
    aggregates: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """A copy of a count table with its counts as display text under the profile.

    Hidden counts read ``[c]``, a paused month's counts ``[z]``, others e.g. "1,298".
    Columns that are not counts (``month_label``, ``state``…) are kept as they are.
    Arguments as for :func:`suppression_mask`.

    >>> t = pd.DataFrame({"Good": [3, 0], "Inadequate": [20, 9], "completed": [23, 9]})
    >>> suppress_counts(t, "published", cells=["Good", "Inadequate"]).values.tolist()
    [['[c]', '[c]', '23'], ['0', '9', '9']]
    """
    mask = suppression_mask(
        table,
        profile,
        total_row=total_row,
        total_col=total_col,
        cells=cells,
        other_counts=other_counts,
        aggregates=aggregates,
    )
    paused = _paused_rows(table)
    out = table.copy()
    for j, col in enumerate(mask.columns):
        texts = []
        for i, value in enumerate(table[col].to_numpy(dtype=object)):
            if paused[i]:
                texts.append(NOT_APPLICABLE)
            elif mask.iat[i, j] != SHOWN:
                texts.append(SUPPRESSED)
            else:
                texts.append(f"{int(value):,}")
        out[col] = pd.Series(texts, index=table.index, dtype="str")
    return out


def _pct_text(k: int, n: int, decimals: int) -> str:
    value = round_half_up(Decimal(100 * k) / Decimal(n), decimals)
    return f"{value:.{max(decimals, 0)}f}%"


def display_share_table(
    counts: pd.DataFrame,
    profile: DisclosureProfile | str,
    *,
    decimals: int = 0,
    total_row: bool = False,
    total_col: str = TOTAL_COLUMN,
    cells: Sequence[str] | None = None,
    aggregates: Mapping[str, Sequence[str]] | None = None,
    n_header: str = "Completed audits",
    hidden: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """A table for the reader: "count (percentage)" per label, and the number of audits.

    Percentages are of the row's ``total_col``, rounded half-up; ``aggregates``
    (e.g. ``good_or_better``) follow the labels. ``published``:
    a hidden count reads ``[c]`` with no percentage, and a percentage of a
    hidden total reads ``[c]`` ("0 ([c])"). ``internal``: a percentage of
    fewer than 10 audits is flagged, "3 (43% [low])". A paused month reads ``[z]``
    throughout; a month with no audits shows its zeros without percentages.
    The index becomes ``month_label`` (named "Month") when the table has one.
    ``hidden`` (True where suppressed, with a row for every row and a column for the
    cells and ``total_col``) replaces the mask this function would compute: pass the
    mask figures.json was protected with, so the table and figures.json hide the same
    counts and one cannot be used to work out the other's hidden numbers.

    >>> t = pd.DataFrame({"Good": [4, 18], "Inadequate": [3, 6], "completed": [7, 24]},
    ...     index=["A", "B"])
    >>> display_share_table(t, "internal", cells=["Good", "Inadequate"]).values.tolist()
    [['4 (57% [low])', '3 (43% [low])', '7'], ['18 (75%)', '6 (25%)', '24']]
    >>> display_share_table(t, "published", cells=["Good", "Inadequate"]).values.tolist()
    [['[c]', '[c]', '7'], ['18 (75%)', '6 (25%)', '24']]
    """
    profile = DisclosureProfile.from_name(profile)
    mask = suppression_mask(
        counts,
        profile,
        total_row=total_row,
        total_col=total_col,
        cells=cells,
        other_counts=[],
        aggregates=aggregates,
    )
    if hidden is not None:
        missing = counts.index.difference(hidden.index)
        if len(missing) or not set(mask.columns) <= set(hidden.columns):
            raise ValueError("the hidden mask must have every row and count column of the table")
        given = hidden.loc[counts.index, list(mask.columns)].astype(bool).to_numpy(copy=True)
        # Whatever the caller's mask says, a count of 1 to 5 is never shown.
        given |= (mask.to_numpy() == PRIMARY) & profile.suppresses
        mask = pd.DataFrame(
            np.where(given, SECONDARY, SHOWN), index=mask.index, columns=mask.columns
        )
    body = [c for c in mask.columns if c != total_col]
    paused = _paused_rows(counts)
    values = counts[[*body, total_col]].to_numpy(dtype=object)
    hide = mask[[*body, total_col]].to_numpy() != SHOWN
    rows = []
    for i in range(len(counts.index)):
        n = int(values[i, -1])
        n_hidden = hide[i, -1]
        if paused[i]:
            rows.append([NOT_APPLICABLE] * (len(body) + 1))
            continue
        texts = []
        for j in range(len(body)):
            k = int(values[i, j])
            if hide[i, j]:
                texts.append(SUPPRESSED)
            elif n_hidden:
                texts.append(f"{k:,} ({SUPPRESSED})")
            elif n == 0:
                texts.append(f"{k:,}")
            else:
                flag = f" {LOW}" if profile.flags_fragile and n < FRAGILE_BELOW else ""
                texts.append(f"{k:,} ({_pct_text(k, n, decimals)}{flag})")
        texts.append(SUPPRESSED if n_hidden else f"{n:,}")
        rows.append(texts)
    index = counts.index.copy()
    if MONTH_LABEL_COLUMN in counts:
        index = pd.Index(counts[MONTH_LABEL_COLUMN].astype(str).tolist(), name="Month")
    return pd.DataFrame(rows, index=index, columns=[*body, n_header]).astype(str)


# ------------------------------------------------------------ scalar helpers
def _missing(value: object) -> bool:
    return value is None or (isinstance(value, Real | np.floating) and math.isnan(float(value)))


def format_count(n: int | str | None, profile: DisclosureProfile | str) -> str:
    """A count as a sentence or table shows it: "1,298", or ``[c]`` for 1–5 when published.

    A symbol (e.g. ``[c]`` from :func:`apply_to_figures`) passes through; None or NaN
    is ``[x]``. Counts that sit in a table need its secondary suppression: format
    them from the protected figures, not from raw numbers.

    >>> format_count(1298, "internal"), format_count(3, "published"), format_count(0, "published")
    ('1,298', '[c]', '0')
    """
    profile = DisclosureProfile.from_name(profile)
    if isinstance(n, str):
        if n in SYMBOLS:
            return n
        raise ValueError(f"expected a count or one of {SYMBOLS}, got {n!r}")
    if _missing(n):
        return NOT_AVAILABLE
    count = _as_count(n, "count")
    if profile.suppresses and is_small(count):
        return SUPPRESSED
    return f"{count:,}"


def format_pct(
    k: int | str | None,
    n: int | str | None,
    profile: DisclosureProfile | str,
    decimals: int = 0,
) -> str:
    """``k`` as a percentage of ``n``, rounded half-up: "63%".

    ``published``: ``[c]`` when ``k`` or ``n`` is 1–5 (or already ``[c]``).
    ``internal``: "43% [low]" when ``n`` is below 10. ``[z]`` when ``n`` is 0,
    ``[x]`` when either is missing.

    >>> format_pct(5, 8, "published"), format_pct(5, 8, "internal"), format_pct(10, 16, "published")
    ('[c]', '63% [low]', '63%')
    """
    profile = DisclosureProfile.from_name(profile)
    if SUPPRESSED in (k, n):
        return SUPPRESSED
    for value in (k, n):
        if isinstance(value, str):
            if value in SYMBOLS:
                return NOT_AVAILABLE if value == NOT_AVAILABLE else NOT_APPLICABLE
            raise ValueError(f"expected a count or one of {SYMBOLS}, got {value!r}")
    if _missing(k) or _missing(n):
        return NOT_AVAILABLE
    part, whole = _as_count(k, "numerator"), _as_count(n, "denominator")
    if part > whole:
        raise ValueError(f"a share cannot exceed its total: {part} of {whole}")
    if whole == 0:
        return NOT_APPLICABLE
    if profile.suppresses and (is_small(part) or is_small(whole)):
        return SUPPRESSED
    text = _pct_text(part, whole, decimals)
    if profile.flags_fragile and whole < FRAGILE_BELOW:
        text += f" {LOW}"
    return text


def disclose_value(n: int | str | None, profile: DisclosureProfile | str) -> int | str | None:
    """A count for figures.json: the int, or ``"[c]"`` when the profile hides it.

    >>> disclose_value(3, "published"), disclose_value(3, "internal"), disclose_value(0, "published")
    ('[c]', 3, 0)
    """
    profile = DisclosureProfile.from_name(profile)
    if n is None or (isinstance(n, str) and n in SYMBOLS):
        return n
    count = _as_count(n, "count")
    return SUPPRESSED if profile.suppresses and is_small(count) else count


def symbol_key(profile: DisclosureProfile | str) -> list[tuple[str, str]]:
    """The key to the symbols a report under this profile can show: (symbol, meaning)."""
    profile = DisclosureProfile.from_name(profile)
    key = []
    if profile.suppresses:
        key.append(
            (
                SUPPRESSED,
                f"{SUPPRESS_FROM} to {SUPPRESS_TO}: suppressed to protect confidentiality "
                "(DfE convention); another figure in the same row or column may also be "
                "suppressed so the hidden number cannot be worked out. 0 is a true zero.",
            )
        )
    else:
        key.append((LOW, f"fewer than {FRAGILE_BELOW} audits: treat the percentage with caution."))
    key.append(
        (NOT_APPLICABLE, "not applicable (for example, the audit programme was paused that month).")
    )
    key.append((NOT_AVAILABLE, "not available."))
    return key


def describe_rule(profile: DisclosureProfile | str) -> str:
    """One plain paragraph on the disclosure rule, for the report's methods section."""
    profile = DisclosureProfile.from_name(profile)
    if profile.suppresses:
        return (
            f"This report follows the Department for Education's rule for children's social "
            f"care statistics: any number from {SUPPRESS_FROM} to {SUPPRESS_TO} is suppressed "
            f"and shown as {SUPPRESSED}; 0 is a true zero. Where a total is shown, a second "
            f"figure in the same row or column is also suppressed when needed, so that no "
            f"suppressed number can be worked out by subtraction. Percentages of a suppressed "
            f"number, or of a suppressed total, are suppressed too."
        )
    return (
        f"This is an internal report: every count is shown. Percentages of fewer than "
        f"{FRAGILE_BELOW} audits are marked {LOW}, because one audit more or less moves "
        f"them by more than 10 percentage points; read them with caution. It must not be "
        f"published as it stands."
    )


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
    if key in GROUP_KEYS:
        return GROUP_TOTAL_KEY
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
    out[DISCLOSURE_KEY] = {
        "profile": profile.value,
        "symbols": dict(symbol_key(profile)),
        "suppressed": walk.suppressed,
        "fragile": walk.fragile,
    }
    return out


def hide_percentages(sentence: str) -> str:
    """A sentence with every percentage and percentage-point difference shown as ``[c]``.

    >>> hide_percentages("% Inadequate in May (7%): up 3 percentage points, range 2% to 9%.")
    '% Inadequate in May ([c]): up [c] percentage points, range [c] to [c].'
    """
    return _POINTS_RE.sub(SUPPRESSED, _PERCENT_RE.sub(SUPPRESSED, sentence))


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
