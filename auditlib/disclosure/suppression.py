"""Primary and exact secondary suppression of count tables (DfE's rule), and share tables."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from auditlib.data import schema
from auditlib.disclosure.rules import (
    AGGREGATES,
    COUNT_KEYS,
    FRAGILE_BELOW,
    LOW,
    MONTH_LABEL_COLUMN,
    NOT_APPLICABLE,
    PRIMARY,
    SECONDARY,
    SHOWN,
    STATE_COLUMN,
    STATE_PAUSED,
    SUPPRESSED,
    TOTAL_COLUMN,
    DisclosureProfile,
    _as_count,
    _pct_text,
    is_small,
)
from auditlib.lazy import LazyModule

optimize = LazyModule("scipy.optimize")


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
    low = optimize.linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(1, None), method="highs")
    high = optimize.linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(1, None), method="highs")
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
