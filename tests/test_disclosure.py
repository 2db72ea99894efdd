"""Disclosure control (auditlib.disclosure): DfE suppression, secondary suppression, flags."""

from __future__ import annotations

import copy
import doctest
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from auditlib import disclosure
from auditlib.data import schema
from auditlib.disclosure import (
    INTERNAL,
    PUBLISHED,
    SUPPRESSED,
    DisclosureProfile,
    apply_to_figures,
    describe_rule,
    disclose_value,
    display_share_table,
    format_count,
    format_pct,
    suppress_counts,
    suppression_mask,
    symbol_key,
)
from auditlib.errors import AuditlibError, ConfigError

OUT, G, RI, INAD, NR = schema.JUDGEMENT_LABELS
N = schema.COMPLETED


def count_table(rows: dict[str, list[int]], total_row: str | None = None) -> pd.DataFrame:
    """A count table from {group: [Outstanding, Good, RI, Inadequate, Not recorded]}."""
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(schema.JUDGEMENT_LABELS))
    if total_row is not None:
        table.loc[total_row] = table.sum()
    table[N] = table[list(schema.JUDGEMENT_LABELS)].sum(axis=1)
    return table


def test_doctests_run():
    assert doctest.testmod(disclosure).failed == 0


# ------------------------------------------------------------------ profiles
@pytest.mark.parametrize("name", ["published", "PUBLISHED", " Published "])
def test_profile_from_name(name):
    assert DisclosureProfile.from_name(name) is PUBLISHED
    assert DisclosureProfile.from_name(PUBLISHED) is PUBLISHED
    assert DisclosureProfile.from_name("internal") is INTERNAL
    assert PUBLISHED == "published"  # the profile is its name, as programme.yml spells it


@pytest.mark.parametrize("name", ["public", "", "c", None, 3])
def test_unknown_profile_is_a_plain_config_error(name):
    with pytest.raises(ConfigError) as caught:
        DisclosureProfile.from_name(name)
    message = str(caught.value)
    assert repr(name) in message and "'internal'" in message and "'published'" in message
    assert isinstance(caught.value, AuditlibError)


def test_every_public_function_checks_the_profile_name():
    table = count_table({"A": [0, 1, 2, 3, 4]})
    for call in (
        lambda: suppress_counts(table, "public"),
        lambda: display_share_table(table, "public"),
        lambda: format_count(3, "public"),
        lambda: format_pct(3, 10, "public"),
        lambda: disclose_value(3, "public"),
        lambda: apply_to_figures({}, "public"),
        lambda: symbol_key("public"),
    ):
        with pytest.raises(ConfigError):
            call()


# -------------------------------------------------------- primary suppression
def test_primary_suppression_hides_1_to_5_but_not_0_or_6():
    # O=0 (true zero), G=1 and RI=5 (hidden), I=6 (shown), NR=0; n = 12.
    # Two cells are hidden in the row, so neither can be worked out: no secondary.
    table = count_table({"2020-09": [0, 1, 5, 6, 0]})
    mask = suppression_mask(table, "published")
    assert mask.loc["2020-09"].tolist() == [
        "shown",
        "primary",
        "primary",
        "shown",
        "shown",
        "shown",
    ]
    shown = suppress_counts(table, "published")
    assert shown.loc["2020-09"].tolist() == ["0", "[c]", "[c]", "6", "0", "12"]


def test_internal_shows_every_count():
    table = count_table({"2020-09": [0, 1, 5, 6, 0]})
    assert (suppression_mask(table, "internal") == "shown").all().all()
    assert suppress_counts(table, "internal").loc["2020-09"].tolist() == [
        "0",
        "1",
        "5",
        "6",
        "0",
        "12",
    ]


def test_counts_get_thousands_separators():
    table = count_table({"Programme": [12, 301, 700, 285, 0]})  # n = 1298
    assert suppress_counts(table, "published").loc["Programme", N] == "1,298"


# ------------------------------------------------------ secondary suppression
def test_one_hidden_cell_in_a_row_with_a_total_hides_the_next_smallest():
    # G=3 is hidden; with n=20 shown, 20 - 10 - 7 would give it back. The
    # smallest other non-zero cell is I=7 (not RI=10, not the zeros): hide it.
    table = count_table({"2020-09": [0, 3, 10, 7, 0]})
    mask = suppression_mask(table, "published")
    assert mask.loc["2020-09"].tolist() == [
        "shown",
        "primary",
        "shown",
        "secondary",
        "shown",
        "shown",
    ]
    assert suppress_counts(table, "published").loc["2020-09"].tolist() == [
        "0",
        "[c]",
        "10",
        "[c]",
        "0",
        "20",
    ]


def test_without_a_total_column_one_hidden_cell_is_enough():
    table = count_table({"2020-09": [0, 3, 10, 7, 0]}).drop(columns=N)
    mask = suppression_mask(table, "published", total_col=None)
    assert mask.loc["2020-09"].tolist() == ["shown", "primary", "shown", "shown", "shown"]


def test_a_total_of_1_to_5_is_hidden_with_its_cells():
    # n = 3 from G=2 and RI=1: all three are primary; the zeros stay.
    table = count_table({"Team A": [0, 2, 1, 0, 0]})
    assert suppress_counts(table, "published").loc["Team A"].tolist() == [
        "0",
        "[c]",
        "[c]",
        "0",
        "0",
        "[c]",
    ]


def test_hidden_cells_that_must_all_be_1_are_protected():
    # G=1 and I=1 are hidden, n=8 and RI=6 shown: 8 - 6 = 2 over two hidden cells,
    # each at least 1 (0 is always shown), so both must be 1. Hide RI too.
    table = count_table({"2020-08": [0, 1, 6, 1, 0]})
    assert suppress_counts(table, "published").loc["2020-08"].tolist() == [
        "0",
        "[c]",
        "[c]",
        "[c]",
        "0",
        "8",
    ]


def test_secondary_suppression_across_rows_and_columns():
    # Teams with a total row (as when the month's split is also shown). Primary:
    # A.G=3, A.I=4, B.O=1, C.I=2, C.NR=1, Total.O=1, Total.NR=1.
    # Row B has one hidden (O=1): hide its smallest other non-zero, I=6.
    # Column G has one hidden (A.G=3): hide its smallest other non-zero, C.G=7.
    # Every row and column now has 0 or ≥ 2 hidden, but the total row leaves
    # 63 - 18 - 31 - 12 = 2 for its two hidden cells, each at least 1: both are 1,
    # and columns O and NR then give B.O and C.NR. Hide Total.I=12 as well.
    table = count_table(
        {"A": [0, 3, 10, 4, 0], "B": [1, 8, 12, 6, 0], "C": [0, 7, 9, 2, 1]}, total_row="Total"
    )
    mask = suppression_mask(table, "published", total_row=True)
    hidden = {
        (r, c): why for r in mask.index for c in mask.columns if (why := mask.at[r, c]) != "shown"
    }
    assert hidden == {
        ("A", G): "primary",
        ("A", INAD): "primary",
        ("B", OUT): "primary",
        ("B", INAD): "secondary",
        ("C", G): "secondary",
        ("C", INAD): "primary",
        ("C", NR): "primary",
        ("Total", OUT): "primary",
        ("Total", INAD): "secondary",
        ("Total", NR): "primary",
    }
    assert_no_hidden_count_can_be_worked_out(
        suppress_counts(table, "published", total_row=True), list(schema.JUDGEMENT_LABELS), N, True
    )


def test_a_chain_of_rows_and_columns_is_broken_even_when_every_line_has_two_hidden():
    # Primary cells form two 2×2 blocks (rows 0–1 × a–b, rows 2–3 × c–d) joined
    # by r0.c. Every row and column has 0 or ≥ 2 hidden, yet r0.c can be solved:
    # hidden parts of rows 0 and 1 are (19-10) + (27-12-9) = 15, of columns a and
    # b are (21-11-7) + (25-8-9) = 11, so r0.c = 15 - 11 = 4. One more must go.
    cells = ["a", "b", "c", "d"]
    table = pd.DataFrame(
        [[2, 3, 4, 10], [1, 5, 12, 9], [11, 8, 3, 2], [7, 9, 4, 5]],
        columns=cells,
        index=["r0", "r1", "r2", "r3"],
    )
    table.loc["Total"] = table.sum()
    table[N] = table[cells].sum(axis=1)
    primary_only = table[cells].map(lambda v: 1 <= v <= 5)
    assert primary_only.iloc[:4].sum(axis=1).tolist() == [3, 2, 2, 2]
    assert primary_only.iloc[:4].sum(axis=0).tolist() == [2, 2, 3, 2]
    mask = suppression_mask(table, "published", total_row=True, cells=cells)
    assert (mask == "secondary").sum().sum() >= 1
    # The cheapest fix is r0.d = 10, the only shown cell in row 0.
    assert mask.at["r0", "d"] == "secondary"
    assert_no_hidden_count_can_be_worked_out(
        suppress_counts(table, "published", total_row=True, cells=cells), cells, N, True
    )


def test_a_column_can_force_a_row_total_to_be_hidden():
    # Column a: A=2 (hidden) under a total of 9, so B.a=7 is hidden too. Row B is
    # then 7 and zeros: its total would give 7 back, so the total is hidden as well.
    cells = ["a", "b"]
    table = pd.DataFrame({"a": [2, 7], "b": [0, 0]}, index=["A", "B"])
    table.loc["Total"] = table.sum()
    table[N] = table[cells].sum(axis=1)
    mask = suppression_mask(table, "published", total_row=True, cells=cells)
    assert mask.to_dict("index") == {
        "A": {"a": "primary", "b": "shown", N: "primary"},
        "B": {"a": "secondary", "b": "shown", N: "secondary"},
        "Total": {"a": "shown", "b": "shown", N: "shown"},
    }


def test_a_good_or_better_column_is_protected_as_a_sum():
    # O=3, RI=4 are primary: two hidden in the row, fine by subtraction alone. But
    # good_or_better = O + G = 23 is shown (as the SPC chart of % Good or better
    # would show it): 23 - 20 gives O back, so G=20 is hidden. Then
    # 37 - I - NR - good_or_better = 37 - 10 - 0 - 23 = 4 gives RI back: I=10 goes too.
    table = count_table({"2020-09": [3, 20, 4, 10, 0]})
    table["good_or_better"] = table[OUT] + table[G]
    shown = suppress_counts(table, "published")
    assert shown.loc["2020-09"].tolist() == ["[c]", "[c]", "[c]", "[c]", "0", "37", "23"]
    shares = display_share_table(table, "published")
    assert shares.columns.tolist() == [
        *schema.JUDGEMENT_LABELS,
        "good_or_better",
        "Completed audits",
    ]
    assert shares.loc["2020-09", "good_or_better"] == "23 (62%)"  # 62.16
    # Without the column, the row alone needs no secondary suppression.
    alone = suppress_counts(table.drop(columns="good_or_better"), "published")
    assert alone.loc["2020-09"].tolist() == ["[c]", "20", "[c]", "10", "0", "37"]
    broken = table.assign(good_or_better=24)
    with pytest.raises(ValueError, match="add up to 23"):
        suppress_counts(broken, "internal")


def test_other_count_columns_get_primary_suppression_and_text_columns_pass_through():
    trend = count_table({"2020-08": [0, 4, 12, 3, 0], "2020-09": [0, 0, 0, 0, 0]})
    trend.insert(0, "allocated", [30, 4])
    trend.insert(0, "state", ["audited", "paused"])
    trend.insert(0, "month_label", ["August 2020", "September 2020"])
    shown = suppress_counts(trend, "published")
    assert shown.loc["2020-08"].tolist() == [
        "August 2020",
        "audited",
        "30",
        "0",
        "[c]",
        "12",
        "[c]",
        "0",
        "19",
    ]
    # A paused month is not applicable, not zero, and not suppressed.
    assert shown.loc["2020-09"].tolist()[3:] == ["[z]"] * 6
    assert shown.loc["2020-09", "month_label"] == "September 2020"


def test_inputs_are_not_mutated_and_bad_tables_are_refused():
    table = count_table({"A": [0, 3, 10, 7, 0]})
    before = table.copy()
    suppress_counts(table, "published")
    display_share_table(table, "published")
    pd.testing.assert_frame_equal(table, before)

    broken = table.copy()
    broken.loc["A", N] = 21
    with pytest.raises(ValueError, match="add up to 20"):
        suppress_counts(broken, "published")
    negative = table.copy()
    negative.loc["A", G] = -3
    with pytest.raises(ValueError, match="negative"):
        suppress_counts(negative, "internal")
    with pytest.raises(ValueError, match="total row"):
        suppress_counts(
            count_table({"A": [0, 3, 10, 7, 0], "B": [1, 1, 1, 1, 1]}), "internal", total_row=True
        )


# ---------------------------------------------------------- the reader's view
def _cell(text: str) -> int | None:
    return None if text == "[c]" else int(text.replace(",", ""))


def assert_no_hidden_count_can_be_worked_out(
    shown: pd.DataFrame,
    cells: list[str],
    total_col: str | None,
    total_row: bool,
    aggregates: dict[str, list[str]] | None = None,
) -> None:
    """Play the reader: from the displayed table alone, try to pin each [c].

    1. Brute force the rule as DfE states it: in every row or column with a
       displayed total (or a displayed sum such as Good or better), the number of
       hidden non-zero cells is 0 or ≥ 2, or the total is hidden too.
    2. Then exactly: each [c] is a whole number ≥ 1 (0 is always shown) and every
       shown total adds up; the smallest and largest value each [c] can take
       (integer programming, independent of the code under test) must differ.
    """
    aggregates = aggregates or {}
    columns = [*cells, *([total_col] if total_col else []), *aggregates]
    grid = [
        [_cell(shown.iat[i, shown.columns.get_loc(c)]) for c in columns] for i in range(len(shown))
    ]
    n_rows, n_body = len(grid), len(cells)
    lines = []  # (members, total) as (row, col) positions
    if total_col:
        lines += [([(r, c) for c in range(n_body)], (r, n_body)) for r in range(n_rows)]
    for key, parts in aggregates.items():
        members = [columns.index(c) for c in parts]
        lines += [([(r, c) for c in members], (r, columns.index(key))) for r in range(n_rows)]
    if total_row:
        lines += [
            ([(r, c) for r in range(n_rows - 1)], (n_rows - 1, c)) for c in range(len(columns))
        ]
    for members, total in lines:
        hidden = sum(grid[r][c] is None for r, c in members)
        total_hidden = grid[total[0]][total[1]] is None
        assert hidden == 0 or hidden >= 2 or total_hidden, (members, total)

    unknown = [(r, c) for r in range(n_rows) for c in range(len(columns)) if grid[r][c] is None]
    if not unknown:
        return
    index = {cell: j for j, cell in enumerate(unknown)}
    rows, rhs = [], []
    for members, total in lines:
        row = np.zeros(len(unknown))
        known = 0
        for cell in members:
            if cell in index:
                row[index[cell]] += 1
            else:
                known -= grid[cell[0]][cell[1]]
        if total in index:
            row[index[total]] -= 1
        else:
            known += grid[total[0]][total[1]]
        if row.any():
            rows.append(row)
            rhs.append(known)
    if not rows:
        return
    constraint = LinearConstraint(np.vstack(rows), rhs, rhs)
    bounds = Bounds(1, 10**6)
    integral = np.ones(len(unknown))
    for cell, j in index.items():
        objective = np.zeros(len(unknown))
        objective[j] = 1
        low = milp(objective, constraints=constraint, integrality=integral, bounds=bounds)
        high = milp(-objective, constraints=constraint, integrality=integral, bounds=bounds)
        assert low.status == 0 and high.status == 0
        assert round(-high.fun) > round(low.fun), f"hidden cell {cell} can only be {round(low.fun)}"


values = st.one_of(
    st.just(0), st.integers(min_value=1, max_value=5), st.integers(min_value=6, max_value=40)
)


@st.composite
def tables(draw):
    n_rows = draw(st.integers(min_value=1, max_value=5))
    n_cols = draw(st.integers(min_value=2, max_value=5))
    body = draw(
        st.lists(
            st.lists(values, min_size=n_cols, max_size=n_cols), min_size=n_rows, max_size=n_rows
        )
    )
    cells = [f"c{j}" for j in range(n_cols)]
    table = pd.DataFrame(body, columns=cells, index=[f"r{i}" for i in range(n_rows)])
    total_row = draw(st.booleans())
    total_col = draw(st.booleans())
    if total_row:
        table.loc["Total"] = table.sum()
    if total_col:
        table[N] = table[cells].sum(axis=1)
    aggregates = {}
    if draw(st.booleans()):  # a sum of the first two cells, as Good or better
        table["sum01"] = table["c0"] + table["c1"]
        aggregates = {"sum01": ["c0", "c1"]}
    return table, cells, (N if total_col else None), total_row, aggregates


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_random_tables_hide_1_to_5_and_nothing_hidden_can_be_worked_out(case):
    check_random_table(*case)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_many_random_tables(case):
    check_random_table(*case)


def check_random_table(table, cells, total_col, total_row, aggregates):
    before = table.copy()
    kwargs = {"cells": cells, "total_col": total_col, "total_row": total_row}
    kwargs["aggregates"] = aggregates
    shown = suppress_counts(table, "published", **kwargs)
    pd.testing.assert_frame_equal(table, before)
    columns = [*cells, *([total_col] if total_col else []), *aggregates]
    for col in columns:
        for raw, text in zip(table[col], shown[col], strict=True):
            if 1 <= raw <= 5:
                assert text == "[c]"
            elif raw == 0:
                assert text == "0"
            else:
                assert text in ("[c]", f"{raw:,}")
    assert_no_hidden_count_can_be_worked_out(shown, cells, total_col, total_row, aggregates)
    # Internal: the same table, everything shown.
    internal = suppress_counts(table, "internal", **kwargs)
    assert (internal[columns] != "[c]").all().all()
    # Percentages follow their counts, and a hidden total hides every percentage.
    if total_col:
        shares = display_share_table(
            table, "published", cells=cells, total_row=total_row, aggregates=aggregates
        )
        for col in cells:
            for text, count_text, n_text in zip(shares[col], shown[col], shown[N], strict=True):
                if count_text == "[c]":
                    assert text == "[c]"
                elif n_text == "[c]":
                    assert text == f"{count_text} ([c])"
                elif n_text == "0":
                    assert text == "0"  # no audits: no percentage
                else:
                    assert text.startswith(f"{count_text} (") and text.endswith("%)")


# ------------------------------------------------------------- share tables
def test_share_table_published_percentages_follow_their_counts():
    # Row "2020-09": G=3 hidden, I=7 hidden with it (secondary), n=20 shown.
    # Row "Team A": n=3 hidden, so even the 0% cells show no percentage.
    table = count_table({"2020-09": [0, 3, 10, 7, 0], "Team A": [0, 2, 1, 0, 0]})
    shares = display_share_table(table, "published")
    assert shares.columns.tolist() == [*schema.JUDGEMENT_LABELS, "Completed audits"]
    assert shares.loc["2020-09"].tolist() == ["0 (0%)", "[c]", "10 (50%)", "[c]", "0 (0%)", "20"]
    assert shares.loc["Team A"].tolist() == ["0 ([c])", "[c]", "[c]", "0 ([c])", "0 ([c])", "[c]"]


def test_share_table_follows_a_given_mask_so_it_agrees_with_figures_json():
    # figures.json hid Good and Requires Improvement too (it also shows Good or better):
    # the table must hide exactly those, not its own smaller choice.
    table = count_table({"2020-09": [2, 20, 36, 3, 0]})
    hidden = pd.DataFrame(False, index=table.index, columns=[*schema.JUDGEMENT_LABELS, N])
    hidden.loc[
        "2020-09", [schema.OUTSTANDING, schema.GOOD, schema.REQUIRES_IMPROVEMENT, schema.INADEQUATE]
    ] = True
    shares = display_share_table(table, "published", hidden=hidden)
    assert shares.loc["2020-09"].tolist() == ["[c]", "[c]", "[c]", "[c]", "0 (0%)", "61"]
    # Own choice without the mask: the two small counts only.
    own = display_share_table(table, "published")
    assert own.loc["2020-09"].tolist() == ["[c]", "20 (33%)", "36 (59%)", "[c]", "0 (0%)", "61"]
    # A mask can hide more, never less: a count of 1 to 5 stays hidden whatever it says.
    nothing = hidden & False
    assert (
        display_share_table(table, "published", hidden=nothing).loc["2020-09"].tolist()[0] == "[c]"
    )
    with pytest.raises(ValueError, match="every row"):
        display_share_table(table, "published", hidden=hidden.iloc[:0])


def test_share_table_rounds_half_up_and_flags_small_n_internally():
    # 1 of 8 is 12.5 % → 13 % and 7 of 8 is 87.5 % → 88 % (banker's rounding: 12 %, 88 %).
    # n = 8 < 10, so both are flagged; n = 10 is not.
    table = count_table({"Team A": [0, 1, 7, 0, 0], "Team B": [0, 5, 5, 0, 0]})
    shares = display_share_table(table, "internal")
    assert shares.loc["Team A"].tolist() == [
        "0 (0% [low])",
        "1 (13% [low])",
        "7 (88% [low])",
        "0 (0% [low])",
        "0 (0% [low])",
        "8",
    ]
    assert shares.loc["Team B"].tolist() == [
        "0 (0%)",
        "5 (50%)",
        "5 (50%)",
        "0 (0%)",
        "0 (0%)",
        "10",
    ]
    assert display_share_table(table, "internal", decimals=1).loc["Team A", G] == "1 (12.5% [low])"


def test_share_table_for_the_trend_uses_month_labels_and_shows_pauses():
    trend = count_table(
        {"2020-02": [0, 6, 18, 6, 0], "2020-03": [0, 0, 0, 0, 0], "2019-12": [0, 0, 0, 0, 0]}
    )
    trend.insert(0, "state", ["audited", "paused", "no audits"])
    trend.insert(0, "month_label", ["February 2020", "March 2020", "December 2019"])
    shares = display_share_table(trend, "published")
    assert shares.index.name == "Month"
    assert shares.loc["February 2020"].tolist() == [
        "0 (0%)",
        "6 (20%)",
        "18 (60%)",
        "6 (20%)",
        "0 (0%)",
        "30",
    ]
    assert shares.loc["March 2020"].tolist() == ["[z]"] * 6
    assert shares.loc["December 2019"].tolist() == ["0"] * 6


# ----------------------------------------------------------- scalar helpers
@pytest.mark.parametrize(
    ("n", "published", "internal"),
    [
        (0, "0", "0"),
        (1, "[c]", "1"),
        (5, "[c]", "5"),
        (6, "6", "6"),
        (1298, "1,298", "1,298"),
        (np.int64(3), "[c]", "3"),
        (4.0, "[c]", "4"),
        (None, "[x]", "[x]"),
        (float("nan"), "[x]", "[x]"),
        ("[c]", "[c]", "[c]"),
        ("[z]", "[z]", "[z]"),
    ],
)
def test_format_count(n, published, internal):
    assert format_count(n, "published") == published
    assert format_count(n, "internal") == internal


def test_format_count_refuses_non_counts():
    for bad in (-1, 2.5, "7", True):
        with pytest.raises(ValueError):
            format_count(bad, "internal")


@pytest.mark.parametrize(
    ("k", "n", "published", "internal"),
    [
        (10, 16, "63%", "63%"),  # 62.5 → 63
        (5, 8, "[c]", "63% [low]"),  # k and n small
        (6, 8, "75%", "75% [low]"),  # n = 8 is not 1–5 but is below 10
        (3, 40, "[c]", "8%"),  # 7.5 → 8; k hidden when published
        (0, 4, "[c]", "0% [low]"),  # a percentage of a hidden total is hidden
        (0, 20, "0%", "0%"),
        (20, 20, "100%", "100%"),
        (7, 10, "70%", "70%"),  # n = 10 is not flagged
        (0, 0, "[z]", "[z]"),
        ("[c]", 30, "[c]", "[c]"),
        (8, "[c]", "[c]", "[c]"),
        (None, 30, "[x]", "[x]"),
    ],
)
def test_format_pct(k, n, published, internal):
    assert format_pct(k, n, "published") == published
    assert format_pct(k, n, "internal") == internal


def test_format_pct_decimals_and_bad_shares():
    assert format_pct(10, 80, "published", decimals=1) == "12.5%"
    assert format_pct(1, 8, "internal", decimals=1) == "12.5% [low]"
    assert format_pct(1, 3, "internal", decimals=2) == "33.33% [low]"
    assert format_pct(2, 3, "internal", decimals=2) == "66.67% [low]"
    with pytest.raises(ValueError, match="exceed"):
        format_pct(11, 10, "internal")


def test_disclose_value_for_figures_json():
    assert [disclose_value(n, "published") for n in (0, 1, 5, 6, np.int64(2))] == [
        0,
        "[c]",
        "[c]",
        6,
        "[c]",
    ]
    assert [disclose_value(n, "internal") for n in (0, 1, 5, 6)] == [0, 1, 5, 6]
    assert type(disclose_value(np.int64(7), "published")) is int  # JSON-serialisable
    assert disclose_value(None, "published") is None


def test_symbol_key_names_what_each_profile_can_show():
    published = dict(symbol_key("published"))
    internal = dict(symbol_key("internal"))
    assert list(published) == ["[c]", "[z]", "[x]"]
    assert list(internal) == ["[low]", "[z]", "[x]"]
    assert "1 to 5" in published["[c]"] and "0 is a true zero" in published["[c]"]
    assert "fewer than 10" in internal["[low]"]
    assert "paused" in published["[z]"]
    assert "suppressed" in describe_rule("published") and "[low]" in describe_rule("internal")


# ------------------------------------------------------------------ figures
def figures_example() -> dict:
    return {
        "report_month": "2020-09",
        "auditlib_version": "0.1.0",
        "input_hash": "sha256:9f2c",
        "year": 2020,
        "programme": {
            "allocated": 1632,
            "completed": 1298,
            "exempt": 4,
            "compliance_pct": 100 * 1298 / 1632,
            "reaudits_allocated": 456,
            "reaudits_completed": 361,
            "reaudit_compliance_pct": 100 * 361 / 456,
        },
        "month": {
            "allocated": 40,
            "completed": 37,
            "compliance_pct": 100 * 37 / 40,
            "judgements": {OUT: 3, G: 20, RI: 4, INAD: 10, NR: 0},
            "judgements_pct": {OUT: 300 / 37, G: 2000 / 37, RI: 400 / 37, INAD: 1000 / 37, NR: 0.0},
            "good_or_better": 23,
            "good_or_better_pct": 2300 / 37,
        },
        "trend": [
            {
                "month": "2020-08",
                "month_label": "August 2020",
                "completed": 8,
                "judgements": {OUT: 0, G: 2, RI: 6, INAD: 0, NR: 0},
                "judgements_pct": {OUT: 0.0, G: 25.0, RI: 75.0, INAD: 0.0, NR: 0.0},
            },
            {
                "month": "2020-03",
                "state": "paused",
                "completed": 0,
                "judgements": {OUT: 0, G: 0, RI: 0, INAD: 0, NR: 0},
                "judgements_pct": {OUT: None, G: None, RI: None, INAD: None, NR: None},
            },
        ],
        "spc": {"mean": 14.2, "upper": 31.9, "p_value": 0.27},
        "data_quality": {
            "rows_read": 2000,
            "rows_used": 1996,
            "rows_excluded": 4,
            "excluded_by_reason": {"duplicate audit_id": 3, "unknown team": 1},
        },
    }


def test_figures_published():
    figures = figures_example()
    before = copy.deepcopy(figures)
    out = apply_to_figures(figures, "published")
    assert figures == before  # not mutated

    # Not counts: strings, the year and statistics.
    for key in ("report_month", "auditlib_version", "input_hash", "year", "spc"):
        assert out[key] == figures[key]
    # Data-quality rows are audits too: 3 and 1 excluded are hidden, so is their total
    # (4 would give them back as 1 and 3 less nothing else), and rows_read = used +
    # excluded would give that total back from used: used is hidden with it.
    assert out["data_quality"] == {
        "rows_read": 2000,
        "rows_used": "[c]",
        "rows_excluded": "[c]",
        "excluded_by_reason": {"duplicate audit_id": "[c]", "unknown team": "[c]"},
    }

    # Programme: only exempt = 4 is small; its shares' counts are all large.
    assert out["programme"] == {**figures["programme"], "exempt": "[c]"}

    # Month: O=3 and RI=4 are primary (two hidden in the row with n=37: fine by
    # subtraction alone). But good_or_better = O + G = 23 is shown: it would give
    # O back from G, so G=20 is hidden (the only other cell of that sum). Then
    # 37 - I - NR - good_or_better = 37 - 10 - 0 - 23 = 4 gives RI back, so the
    # smallest shown neighbour of RI, I=10, goes too. Their shares follow.
    month = out["month"]
    assert month["judgements"] == {OUT: "[c]", G: "[c]", RI: "[c]", INAD: "[c]", NR: 0}
    assert month["judgements_pct"] == {OUT: "[c]", G: "[c]", RI: "[c]", INAD: "[c]", NR: 0.0}
    assert (month["completed"], month["allocated"], month["good_or_better"]) == (37, 40, 23)
    assert month["compliance_pct"] == figures["month"]["compliance_pct"]
    assert month["good_or_better_pct"] == figures["month"]["good_or_better_pct"]

    # August: G=2 is alone among the hidden, 8 - 6 = 2 gives it back: RI=6 goes too.
    august = out["trend"][0]
    assert august["judgements"] == {OUT: 0, G: "[c]", RI: "[c]", INAD: 0, NR: 0}
    assert august["judgements_pct"] == {OUT: 0.0, G: "[c]", RI: "[c]", INAD: 0.0, NR: 0.0}
    assert august["completed"] == 8 and august["month"] == "2020-08"
    # A paused month: zeros are true zeros, shares stay empty.
    assert out["trend"][1] == figures["trend"][1]

    record = out["disclosure"]
    assert record["profile"] == "published" and "[c]" in record["symbols"]
    assert "month.judgements.Good" in record["suppressed"]
    assert "trend[0].judgements_pct.Requires Improvement" in record["suppressed"]
    assert "programme.exempt" in record["suppressed"] and record["fragile"] == []
    json.dumps(out)  # still serialisable
    # Applying it again changes nothing.
    assert apply_to_figures(out, "published") == out


def test_figures_internal_flags_small_denominators_and_changes_nothing():
    figures = figures_example()
    out = apply_to_figures(figures, "internal")
    assert {k: v for k, v in out.items() if k != "disclosure"} == figures
    # Only August's shares have 0 < n < 10 (n = 8); the paused month has n = 0.
    assert out["disclosure"]["fragile"] == [
        f"trend[0].judgements_pct.{label}" for label in schema.JUDGEMENT_LABELS
    ]
    assert out["disclosure"]["suppressed"] == []
    assert "[low]" in out["disclosure"]["symbols"]


def test_figures_small_denominator_hides_its_share():
    figures = {"month": {"allocated": 5, "completed": 4, "compliance_pct": 80.0}}
    out = apply_to_figures(figures, "published")
    assert out["month"] == {"allocated": "[c]", "completed": "[c]", "compliance_pct": "[c]"}
    internal = apply_to_figures(figures, "internal")
    assert internal["month"] == figures["month"]
    assert internal["disclosure"]["fragile"] == ["month.compliance_pct"]


def test_figures_convention_names_and_lists():
    figures = {
        "cohorts": {
            "cin": {"completed": 12, "judgements": {G: 3, RI: 9}, "inadequate_count": 0},
            "missing": {"completed": 2, "judgements": {G: 2, RI: 0}},
        },
        "feedback": {"source_counts": {"parent": 3, "police": 8}, "source_total": 11},
        "team_sizes": {"n": [4, 12]},
    }
    out = apply_to_figures(figures, "published")
    # CiN: G=3 alone hidden under n=12 → RI=9 hidden too.
    assert out["cohorts"]["cin"] == {
        "completed": 12,
        "judgements": {G: "[c]", RI: "[c]"},
        "inadequate_count": 0,
    }
    assert out["cohorts"]["missing"] == {"completed": "[c]", "judgements": {G: "[c]", RI: 0}}
    # <stem>_counts adds up to <stem>_total: parent=3 alone hidden → police=8 too.
    assert out["feedback"] == {
        "source_counts": {"parent": "[c]", "police": "[c]"},
        "source_total": 11,
    }
    assert out["team_sizes"] == {"n": ["[c]", 12]}


@pytest.mark.parametrize(
    ("figures", "message"),
    [
        ({"month": {"outstanding_audits": 3}}, "month.outstanding_audits"),  # unknown int
        ({"trend": [{"month": "2020-09", "completed": 9, "Good": 22.2}]}, r"trend\[0\].Good"),
        ({"month": {"allocated": 9, "compliance_pct": 50.0}}, "month.completed"),  # no numerator
        ({"month": {"completed": 9, "judgements_pct": {G: 50.0}}}, "month.judgements"),
        ({"month": {"completed": 9, "judgements": {G: 3, RI: 5}}}, "adds up to 8"),
        ({"month": {"completed": 2.5}}, "whole number"),
    ],
)
def test_figures_that_break_the_convention_are_refused(figures, message):
    with pytest.raises(ValueError, match=message):
        apply_to_figures(figures, "internal")


# ---------------------------------------------------------------- SPC readings
def _spc_figures(inadequate_by_month: dict[str, int], limits_from: str = "2020-06") -> dict:
    """Trend months of 40 completed audits each, and an SPC reading of their % Inadequate."""
    trend = []
    for month, count in inadequate_by_month.items():
        judgements = {OUT: 0, G: 10, RI: 30 - count, INAD: count, NR: 0}
        entry = {"month": month, "completed": 40, "judgements": judgements}
        entry.update({label: 100 * n / 40 for label, n in judgements.items()})
        trend.append(entry)
    last = list(inadequate_by_month)[-1]
    share = 100 * inadequate_by_month[last] / 40
    return {
        "trend": trend,
        "spc": {
            "inadequate": {
                "measure": "% Inadequate",
                "share": INAD,
                "mean": 17.5,
                "lower_limit": 2.5,
                "upper_limit": 32.5,
                "limits_from": limits_from,
                "latest_month": last,
                "signal": "common_cause",
                "verdict": f"% Inadequate in {last} ({share:g}%): within normal variation "
                "(the usual range is 3% to 33%).",
                "points": dict.fromkeys(inadequate_by_month, "common_cause"),
            }
        },
    }


def test_a_hidden_month_hides_its_point_the_limits_and_the_verdicts_percentages():
    figures = _spc_figures({"2020-06": 8, "2020-07": 3, "2020-08": 9})
    out = apply_to_figures(figures, "published")
    reading = out["spc"]["inadequate"]
    assert out["trend"][1][INAD] == "[c]"
    assert reading["points"] == {
        "2020-06": "common_cause",
        "2020-07": "[c]",
        "2020-08": "common_cause",
    }
    # With the other months shown, an exact mean would give July's share back.
    assert (reading["mean"], reading["lower_limit"], reading["upper_limit"]) == ("[c]",) * 3
    # The latest month (August) is shown, so its sentence is too.
    assert reading["verdict"] == figures["spc"]["inadequate"]["verdict"]
    assert "spc.inadequate.mean" in out["disclosure"]["suppressed"]
    assert apply_to_figures(out, "published") == out  # applying twice changes nothing
    assert apply_to_figures(figures, "internal")["spc"] == figures["spc"]


def test_a_hidden_latest_month_keeps_its_signal_but_not_its_percentages():
    figures = _spc_figures({"2020-06": 8, "2020-07": 9, "2020-08": 2})
    reading = apply_to_figures(figures, "published")["spc"]["inadequate"]
    assert reading["signal"] == "common_cause" and reading["points"]["2020-08"] == "[c]"
    assert reading["verdict"] == (
        "% Inadequate in 2020-08 ([c]): within normal variation (the usual range is [c] to [c])."
    )


def test_a_hidden_month_before_the_limits_leaves_them_shown():
    figures = _spc_figures({"2020-01": 4, "2020-06": 8, "2020-07": 9}, limits_from="2020-06")
    reading = apply_to_figures(figures, "published")["spc"]["inadequate"]
    assert reading["points"]["2020-01"] == "[c]"
    assert (reading["mean"], reading["upper_limit"]) == (17.5, 32.5)


def test_hide_percentages_hides_percentages_and_point_differences():
    assert (
        disclosure.hide_percentages(
            "up 12.5 percentage points from 3% to 15.5%; 1 percentage point below 40"
        )
        == "up [c] percentage points from [c] to [c]; [c] percentage point below 40"
    )


def _jump_figures() -> dict:
    """A trend of four months (judgements Good / Not recorded) and a jump in the last."""

    def month(key: str, good: int, not_recorded: int) -> dict:
        judgements = {label: 0 for label in schema.JUDGEMENT_LABELS}
        judgements.update({schema.GOOD: good, schema.NOT_RECORDED: not_recorded})
        return {"month": key, "completed": good + not_recorded, "judgements": judgements}

    trend = [month("2020-01", 20, 0), month("2020-02", 19, 1), month("2020-03", 20, 0)]
    trend.append(month("2020-04", 2, 18))
    jump = {
        "month": "2020-04",
        "judgement": schema.NOT_RECORDED,
        "count": 18,
        "completed": 20,
        "share": 90.0,
        "expected_share": 100 * 2 / 62,
        "history": ["2020-01", "2020-03"],
        "history_completed": 60,
        "tail_probability": 1e-20,
        "description": "…",
    }
    return {
        "report_month": "2020-04",
        "trend": trend,
        "data_quality": {
            "rows_read": 80,
            "warnings": 20,
            "not_recorded": 19,
            "warnings_by_kind": [
                {
                    "file": "a.csv",
                    "column": "x",
                    "warning": "w",
                    "count": 19,
                    "judgement_count": True,
                },
                {
                    "file": "a.csv",
                    "column": "x",
                    "warning": "j",
                    "count": 1,
                    "judgement_count": False,
                },
            ],
            "judgement_jumps": [jump],
        },
    }


def test_a_jump_hides_what_the_trend_hides_and_the_rest_of_data_quality_stays():
    figures = _jump_figures()
    out = apply_to_figures(figures, "published")
    # 2 Good of 20 in April is hidden, so its Not recorded 18 is too (the row adds up);
    # February's Not recorded 1 is hidden: the history's expected share and the chance go.
    assert out["trend"][3]["judgements"][schema.NOT_RECORDED] == SUPPRESSED
    assert out["trend"][1]["judgements"][schema.NOT_RECORDED] == SUPPRESSED
    [jump] = out["data_quality"]["judgement_jumps"]
    hidden = {k for k, v in jump.items() if v == SUPPRESSED}
    assert hidden == {"count", "share", "expected_share", "tail_probability"}
    assert (jump["completed"], jump["history_completed"]) == (20, 60)
    assert jump["description"].startswith(
        "2020-04: [c] of 20 completed audits ([c]) are Not recorded, against [c] in 2020-01"
    )
    # The Not recorded total (a sum over the trend) goes, with its warnings and their total.
    dq = out["data_quality"]
    assert dq["not_recorded"] == dq["warnings"] == dq["warnings_by_kind"][0]["count"] == SUPPRESSED
    assert dq["warnings_by_kind"][1]["count"] == 1 and dq["rows_read"] == 80
    assert "data_quality.judgement_jumps[0].count" in out["disclosure"]["suppressed"]
    assert apply_to_figures(out, "published") == out  # applying twice changes nothing
    assert figures == _jump_figures()  # not mutated
    assert apply_to_figures(figures, "internal")["data_quality"] == figures["data_quality"]


def test_a_jump_whose_trend_is_all_shown_keeps_its_figures():
    figures = _jump_figures()
    for entry in figures["trend"]:
        entry["judgements"][schema.GOOD] += 10
        entry["completed"] += 10
    figures["trend"][1]["judgements"][schema.NOT_RECORDED] = 0
    figures["trend"][1]["judgements"][schema.GOOD] += 1
    out = apply_to_figures(figures, "published")
    assert out["data_quality"] == figures["data_quality"]
