"""Half-up rounding and largest-remainder shares (auditlib.analysis.rounding)."""

from __future__ import annotations

import doctest
import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditlib.analysis import rounding
from auditlib.analysis.rounding import largest_remainder, round_half_up


def test_doctests_run():
    assert doctest.testmod(rounding).failed == 0


@pytest.mark.parametrize(
    ("x", "decimals", "expected"),
    [
        (0.5, 0, 1),  # Python's round gives 0
        (1.5, 0, 2),
        (2.5, 0, 3),  # Python's round gives 2
        (62.5, 0, 63),  # 5 of 8 audits: 62.5 % shown as 63 %, not 62 %
        (12.5, 0, 13),  # 1 of 8
        (0.125, 2, 0.13),  # an exact binary tie: round(0.125, 2) gives 0.12
        (1.005, 2, 1.01),  # stored as 1.00499999…; a person reads 1.005
        (2.675, 2, 2.68),  # stored as 2.67499999…
        (100 * 7 / 15, 0, 47),  # 46.67
        (100 * 7 / 15, 1, 46.7),
        (0.4999, 0, 0),
        (-0.5, 0, -1),  # halves go away from zero
        (-2.5, 0, -3),
        (-1.005, 2, -1.01),
        (125, -1, 130),
        (Decimal("2.5"), 0, 3),
        (np.float64(62.5), 0, 63),
        (np.int64(7), 0, 7),
    ],
)
def test_round_half_up(x, decimals, expected):
    got = round_half_up(x, decimals)
    assert got == expected
    assert type(got) is (int if decimals <= 0 else float)


def test_round_half_up_differs_from_builtin_round_on_ties():
    # The reason the module exists: banker's rounding sends these halves down.
    assert [round(v) for v in (0.5, 2.5, 62.5)] == [0, 2, 62]
    assert [round_half_up(v) for v in (0.5, 2.5, 62.5)] == [1, 3, 63]


def test_round_half_up_edge_values():
    assert math.isnan(round_half_up(float("nan")))
    assert round_half_up(float("inf")) == float("inf")
    # A tiny negative does not come back as "-0.0".
    assert str(round_half_up(-0.001, 2)) == "0.0"
    with pytest.raises(TypeError):
        round_half_up(True)
    with pytest.raises(TypeError):
        round_half_up("2.5")  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=3))
def test_every_written_half_rounds_up(k, decimals):
    # The number written "<k>5" with decimals+1 places, e.g. k=12, decimals=1: 1.25 → 1.3.
    written = Decimal(f"{k}5").scaleb(-(decimals + 1))
    expected = Decimal(k + 1).scaleb(-decimals)
    assert Decimal(str(round_half_up(float(written), decimals))) == expected
    assert Decimal(str(round_half_up(-float(written), decimals))) == -expected


def test_largest_remainder_three_equal_parts_tie_goes_to_the_later():
    # Quotas are 33⅓ each: floors give 99, one unit is left and the remainders
    # tie, so it goes to the last part (the worst judgement in best-first order).
    assert largest_remainder([1, 1, 1]) == [33, 33, 34]
    # Two units left over on a total of 101: quotas 33⅔, the last two get one each.
    assert largest_remainder([1, 1, 1], total=101) == [33, 34, 34]


def test_largest_remainder_hamilton_seats_example():
    # Hamilton / Hare-quota example: 100,000 votes, 10 seats, quota 10,000.
    # Quotas 4.7, 1.6, 1.58, 1.2, 0.61, 0.31 → floors 4,1,1,1,0,0 (7 seats);
    # the 3 seats left go to the largest remainders .70 (A), .61 (E), .60 (B).
    votes = [47_000, 16_000, 15_800, 12_000, 6_100, 3_100]
    assert largest_remainder(votes, total=10) == [5, 2, 1, 1, 1, 0]


def test_largest_remainder_against_half_up_on_a_judgement_split():
    # 7 audits: 1 Good, 3 RI, 3 Inadequate → 14.29, 42.86, 42.86: half-up gives
    # 14 + 43 + 43 = 100 here, but 1, 1, 1 of 3 gives 33 × 3 = 99 by half-up.
    assert largest_remainder([0, 1, 3, 3, 0]) == [0, 14, 43, 43, 0]
    assert sum(round_half_up(100 / 3) for _ in range(3)) == 99
    assert sum(largest_remainder([1, 1, 1])) == 100


def test_largest_remainder_with_decimals_and_containers():
    # Quotas 166.67, 333.33, 500 tenths: floors 999, one tenth to the 0.67 remainder.
    assert largest_remainder([1, 2, 3], decimals=1) == [16.7, 33.3, 50.0]
    assert sum(Decimal(str(p)) for p in largest_remainder([1, 2, 3], decimals=1)) == 100
    series = pd.Series([1, 1, 1], index=["Good", "Requires Improvement", "Inadequate"], name="n")
    got = largest_remainder(series)
    assert got.tolist() == [33, 33, 34]
    assert list(got.index) == list(series.index) and got.name == "n"
    assert largest_remainder({"a": 1, "b": 3}) == {"a": 25, "b": 75}


def test_largest_remainder_zero_and_bad_input():
    assert largest_remainder([0, 0, 0]) == [0, 0, 0]  # a paused month: nothing to share
    assert largest_remainder([]) == []
    with pytest.raises(ValueError, match="negative"):
        largest_remainder([3, -1])
    with pytest.raises(ValueError, match="finite"):
        largest_remainder([3, float("nan")])
    with pytest.raises(ValueError, match="decimals"):
        largest_remainder([1, 2], decimals=-1)


@given(
    st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=8).filter(any),
    st.integers(min_value=0, max_value=2),
)
def test_largest_remainder_sums_exactly_and_stays_within_one_unit(counts, decimals):
    units = [
        round(Decimal(str(p)).scaleb(decimals)) for p in largest_remainder(counts, 100, decimals)
    ]
    assert sum(units) == 100 * 10**decimals
    for count, unit in zip(counts, units, strict=True):
        quota = Fraction(count * 100 * 10**decimals, sum(counts))
        assert math.floor(quota) <= unit <= math.ceil(quota)
    # A larger count never gets fewer units than a smaller one.
    for a, ua in zip(counts, units, strict=True):
        for b, ub in zip(counts, units, strict=True):
            if a > b:
                assert ua >= ub
