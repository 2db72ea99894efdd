"""Value parsers: every label and date form real exports use, and the ones they must refuse."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from auditlib.data import parsing


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Outstanding", "Outstanding"),
        ("good", "Good"),
        ("G", "Good"),
        (" Good. ", "Good"),
        ("RI", "Requires Improvement"),
        ("Requires improvement to be good", "Requires Improvement"),
        ("req imp", "Requires Improvement"),
        ("REQUIRES   IMPROVEMENT", "Requires Improvement"),
        ("inadequate", "Inadequate"),
        (1, "Outstanding"),
        (2.0, "Good"),
        ("3", "Requires Improvement"),
        (4, "Inadequate"),
        ("", None),
        (None, None),
        (np.nan, None),
    ],
)
def test_judgement_labels(raw, expected):
    assert parsing.parse_judgement(raw) == expected


@pytest.mark.parametrize("raw", ["Adequate", "5", "Good-ish", "0"])
def test_unknown_judgements_are_refused(raw):
    with pytest.raises(ValueError, match="unknown judgement label"):
        parsing.parse_judgement(raw)


def test_programme_labels_extend_the_vocabulary():
    assert (
        parsing.parse_judgement("ri2g", {"ri2g": "Requires Improvement"}) == "Requires Improvement"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("03/04/2020", dt.date(2020, 4, 3)),  # UK day-first
        ("3/4/2020", dt.date(2020, 4, 3)),
        ("03/04/20", dt.date(2020, 4, 3)),
        ("2020-04-03", dt.date(2020, 4, 3)),
        ("2020-04-03 00:00:00", dt.date(2020, 4, 3)),
        ("03-04-2020", dt.date(2020, 4, 3)),
        ("03.04.2020", dt.date(2020, 4, 3)),
        ("3 Apr 2020", dt.date(2020, 4, 3)),
        ("3 April 2020", dt.date(2020, 4, 3)),
        ("03-Apr-20", dt.date(2020, 4, 3)),
        (pd.Timestamp("2020-04-03"), dt.date(2020, 4, 3)),
        (dt.datetime(2020, 4, 3, 0, 0), dt.date(2020, 4, 3)),
        (43924, dt.date(2020, 4, 3)),  # Excel serial day number
        ("43924", dt.date(2020, 4, 3)),
    ],
)
def test_dates(raw, expected):
    assert parsing.parse_date(raw) == expected


@pytest.mark.parametrize(
    "raw", ["31/02/2020", "13/13/2020", "04/13/2020", "yesterday", "12", "2020-02-30"]
)
def test_bad_dates_are_refused(raw):
    with pytest.raises(ValueError, match="not a date"):
        parsing.parse_date(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2020-09", "2020-09"),
        ("2020-9", "2020-09"),
        ("2020/09", "2020-09"),
        ("09/2020", "2020-09"),
        ("Sep 2020", "2020-09"),
        ("Sept 2020", "2020-09"),
        ("September 2020", "2020-09"),
        ("sep-20", "2020-09"),
        ("2020-09-01", "2020-09"),
        ("01/09/2020", "2020-09"),
        (pd.Timestamp("2020-09-01"), "2020-09"),
    ],
)
def test_months(raw, expected):
    assert parsing.parse_month(raw) == expected


@pytest.mark.parametrize("raw", ["2020-13", "Sept", "2020", "13/2020", "Smarch 2020"])
def test_bad_months_are_refused(raw):
    with pytest.raises(ValueError, match="not a month"):
        parsing.parse_month(raw)


def test_month_labels_map_back_to_months():
    assert parsing.parse_month("July/August 2019", {"july/august 2019": "2019-07"}) == "2019-07"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Yes", True), ("N", False), ("1", True), (0, False), (True, True), ("", None)],
)
def test_booleans(raw, expected):
    assert parsing.parse_bool(raw) is expected


def test_ints_refuse_fractions_and_negatives():
    assert parsing.parse_int("3.0") == 3
    with pytest.raises(ValueError, match="whole number"):
        parsing.parse_int("3.5")
    with pytest.raises(ValueError, match="negative"):
        parsing.parse_int(-1)


def test_ids_keep_leading_zeros_and_undo_excel_floats():
    assert parsing.parse_id("007") == "007"
    assert parsing.parse_id(7.0) == "7"
    column = parsing.parse_column(pd.Series(["007", "123.0", " x ", ""]), "id")
    assert column.values.isna().tolist() == [False, False, False, True]
    assert column.values.iloc[:3].tolist() == ["007", "123", "x"]


def test_parse_column_reports_every_bad_value_with_its_positions():
    parsed = parsing.parse_column(
        pd.Series(["2020-01-01", "bad", "01/02/2020", "bad", None, "worse"]), "date"
    )
    assert {k: v[1].tolist() for k, v in parsed.failures.items()} == {"bad": [1, 3], "worse": [5]}
    assert parsed.values.dtype == "datetime64[ns]"
    assert parsed.values.iloc[2] == pd.Timestamp("2020-02-01")
    assert parsed.values.isna().tolist() == [False, True, False, True, True, True]


def test_parse_column_judgements_are_an_ordered_categorical():
    parsed = parsing.parse_column(pd.Series(["G", "4", None]), "judgement")
    assert parsed.values.dtype.ordered
    assert list(parsed.values.cat.categories) == [
        "Outstanding",
        "Good",
        "Requires Improvement",
        "Inadequate",
        "Not recorded",
    ]
    assert parsed.values.cat.codes.tolist() == [1, 3, -1]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("04/03/2020", dt.date(2020, 4, 3)),  # US month-first
        ("4/3/20", dt.date(2020, 4, 3)),
        ("04-03-2020", dt.date(2020, 4, 3)),
        ("2020-04-03", dt.date(2020, 4, 3)),  # ISO reads the same either way
        ("Apr 3, 2020", dt.date(2020, 4, 3)),
        ("3 Apr 2020", dt.date(2020, 4, 3)),
    ],
)
def test_month_first_dates(raw, expected):
    assert parsing.parse_date(raw, order="month-first") == expected


def test_a_date_that_reads_only_the_other_way_says_the_column_mixes_orders():
    with pytest.raises(ValueError, match="reads only as month-first: the column mixes"):
        parsing.parse_date("01/13/2022")
    with pytest.raises(ValueError, match=r"not a date \(expected month-first, e.g. 04/03/2020"):
        parsing.parse_date("31/02/2020", order="month-first")


def test_month_columns_holding_dates_follow_the_order():
    assert parsing.parse_month("01/05/2022") == "2022-05"
    assert parsing.parse_month("01/05/2022", order="month-first") == "2022-01"
    column = parsing.parse_column(
        pd.Series(["01/05/2022", "2022-02"]), "month", None, "month-first"
    )
    assert column.values.tolist() == ["2022-01", "2022-02"]


@pytest.mark.parametrize(
    ("values", "order", "day_first", "month_first"),
    [
        (["01/05/2022", "13/05/2022"], "day-first", ("13/05/2022", 1), None),
        (["01/05/2022", "05/13/2022 00:00:00"], "month-first", None, ("05/13/2022 00:00:00", 1)),
        (["01/05/2022", "02/05/2022"], None, None, None),
        (["13/05/2022", "05/13/2022"], None, ("13/05/2022", 0), ("05/13/2022", 1)),
        (["2022-05-13", "13 May 2022"], None, None, None),  # nothing numbers-only
    ],
)
def test_date_order_evidence(values, order, day_first, month_first):
    evidence = parsing.date_order_evidence(pd.Series(values))
    assert (evidence.order, evidence.day_first, evidence.month_first) == (
        order,
        day_first,
        month_first,
    )


def test_closest_header_and_missing_column_reason():
    assert parsing.closest_header(["Overall Grade"], ["Final Grade", "Grade Date"]) == "Final Grade"
    assert parsing.closest_header(["team"], ["Audit Ref"]) is None
    reason = parsing.missing_column_reason("no team", ["team"], ["a;b;c"], ["a;b;c"])
    assert reason.endswith(
        "Headers found: a;b;c (one header only: the file's fields may be separated by a "
        "character other than a comma, semicolon or tab)"
    )
