"""Rounding as a reader expects it: half-up, and 100 % stacks that add up.

Python's :func:`round` (like R's) rounds halves to even, so ``round(2.5) == 2``
and ``round(62.5) == 62``; and binary floats hold 1.005 as 1.00499999…, so
even ``Decimal(1.005)`` rounds it down. Both surprise a reader checking a
report by hand. Here every number is rounded through its shortest decimal
representation (what Python prints), half away from zero.

Convention for negatives: halves round away from zero (``-0.5 → -1``,
``-2.5 → -3``), so a number and its negative round to the same magnitude.

Stacked 100 % bars use :func:`largest_remainder` (Hamilton's method) so the
segments add up to exactly 100; the report says so where it uses it.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from numbers import Integral, Real

import numpy as np
import pandas as pd


def _to_decimal(x: Real | Decimal) -> Decimal:
    """The decimal a person reads for ``x``: floats through their shortest repr (1.005 stays 1.005)."""
    if isinstance(x, Decimal):
        return x
    if isinstance(x, bool | np.bool_):
        raise TypeError(f"expected a number, got a boolean ({x!r})")
    if isinstance(x, Integral | np.integer):
        return Decimal(int(x))
    if isinstance(x, Real | np.floating):
        # str() of a float is its shortest round-tripping decimal, e.g. '1.005' for 1.005.
        return Decimal(str(float(x)))
    raise TypeError(f"expected a number, got {type(x).__name__} ({x!r})")


def _quantum(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


def round_half_up(x: Real | Decimal, decimals: int = 0) -> int | float:
    """Round ``x`` to ``decimals`` places, halves away from zero, on its decimal representation.

    Returns an ``int`` when ``decimals <= 0`` (so ``f"{round_half_up(p)}%"`` reads "63%"),
    otherwise the float nearest the rounded decimal. NaN and infinities come back unchanged.

    >>> [round_half_up(v) for v in (0.5, 1.5, 2.5, 62.5, -0.5)]
    [1, 2, 3, 63, -1]
    >>> round_half_up(1.005, 2), round_half_up(0.125, 2)
    (1.01, 0.13)
    """
    d = _to_decimal(x)
    if not d.is_finite():
        return float(d)
    # Adding zero drops the sign of a negative zero, so -0.001 never shows as "-0.0".
    rounded = d.quantize(_quantum(decimals), rounding=ROUND_HALF_UP) + 0
    return int(rounded) if decimals <= 0 else float(rounded)


def _to_fraction(x: object, where: str) -> Fraction:
    try:
        d = _to_decimal(x)  # type: ignore[arg-type]
    except TypeError:
        raise ValueError(f"{where}: expected a number, got {x!r}") from None
    if not d.is_finite():
        raise ValueError(f"{where}: expected a finite number, got {x!r}")
    if d < 0:
        raise ValueError(f"{where}: counts cannot be negative, got {x!r}")
    return Fraction(d)


def _from_units(units: int, decimals: int) -> int | float:
    return units if decimals <= 0 else float(Decimal(units).scaleb(-decimals))


def largest_remainder(
    counts: Sequence[Real] | Mapping[Hashable, Real] | pd.Series,
    total: Real = 100,
    decimals: int = 0,
) -> list[int | float] | dict[Hashable, int | float] | pd.Series:
    """Share ``total`` between ``counts`` in proportion, rounded so the parts add up exactly.

    Hamilton's method: each part gets the whole units (of ``10**-decimals``) of its exact
    quota, and the units left over go one each to the largest remainders. Remainders are
    compared exactly (as fractions). **Ties go to the later part**: with judgement labels
    in their best-first order, a tied unit goes to the worse judgement, so rounding never
    flatters practice. All-zero counts give all zeros (there is nothing to share).

    Takes a list (returns a list), a mapping (returns a dict) or a Series (returns a
    Series with the same index); ints when ``decimals == 0``.

    >>> largest_remainder([1, 1, 1])
    [33, 33, 34]
    >>> largest_remainder([47000, 16000, 15800, 12000, 6100, 3100], total=10)
    [5, 2, 1, 1, 1, 0]
    """
    if isinstance(counts, pd.Series):
        parts = largest_remainder(counts.tolist(), total, decimals)
        return pd.Series(parts, index=counts.index, name=counts.name)
    if isinstance(counts, Mapping):
        parts = largest_remainder(list(counts.values()), total, decimals)
        return dict(zip(counts.keys(), parts, strict=True))
    if decimals < 0:
        raise ValueError(f"decimals must be 0 or more, got {decimals}")
    values = [_to_fraction(c, f"counts[{i}]") for i, c in enumerate(counts)]
    scale = 10**decimals
    total_units = _to_fraction(total, "total") * scale
    if total_units.denominator != 1:
        raise ValueError(f"total {total!r} is not a whole number of units at {decimals} decimals")
    whole = sum(values, Fraction(0))
    if whole == 0:
        return [_from_units(0, decimals) for _ in values]
    quotas = [v * total_units / whole for v in values]
    units = [math.floor(q) for q in quotas]
    left = int(total_units) - sum(units)
    # Largest remainder first; among equal remainders the later position first.
    order = sorted(range(len(values)), key=lambda i: (quotas[i] - units[i], i), reverse=True)
    for i in order[:left]:
        units[i] += 1
    return [_from_units(u, decimals) for u in units]
