"""Dates as the file means them: day-first or month-first per column, and the sanity checks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditlib.data import dates
from auditlib.data.cleaning import clean_audits
from auditlib.data.programme import programme_from_dict

ROWS = np.array([2, 3, 4])


def readings(frame: pd.DataFrame, default: str = "day-first") -> dict[str, tuple]:
    found = dates.read_date_orders(frame, frame.columns, default, "a.csv", ROWS)
    return {
        column: (r.order, r.basis, r.example, r.example_row, r.evidence_column)
        for column, r in found.items()
    }


def test_a_value_settles_its_column_and_the_file_follows():
    frame = pd.DataFrame(
        {
            "allocated_date": ["01/05/2022", "01/06/2022", "02/01/2022"],
            "completed_date": ["01/12/2022", "01/13/2022", None],
            "due_date": ["2022-02-01", "2022-02-02", "2022-02-03"],
        }
    )
    assert readings(frame) == {
        "allocated_date": ("month-first", "file", "01/13/2022", 3, "completed_date"),
        "completed_date": ("month-first", "value", "01/13/2022", 3, None),
        # ISO dates: nothing to decide, nothing to report
    }


def test_without_evidence_the_setting_decides():
    frame = pd.DataFrame({"allocated_date": ["01/05/2022", "02/05/2022", None]})
    assert readings(frame) == {"allocated_date": ("day-first", "setting", None, None, None)}
    assert readings(frame, "month-first")["allocated_date"][0] == "month-first"


def test_evidence_both_ways_in_one_column_is_mixed_and_named():
    frame = pd.DataFrame({"allocated_date": ["13/01/2022", "01/05/2022", "01/14/2022"]})
    [reading] = dates.read_date_orders(
        frame, ["allocated_date"], "day-first", "a.csv", ROWS
    ).values()
    assert (reading.order, reading.basis) == ("day-first", "mixed")
    assert reading.describe() == (
        "allocated_date: mixes day-first and month-first dates ('13/01/2022' on row 2, "
        "'01/14/2022' on row 4); read day-first as date_format in programme.yml says, "
        "so the others are errors"
    )
    [month_first] = dates.read_date_orders(
        frame, ["allocated_date"], "month-first", "a.csv", ROWS
    ).values()
    assert (month_first.example, month_first.other_example) == ("01/14/2022", "13/01/2022")


def test_columns_that_disagree_leave_the_rest_to_the_setting():
    frame = pd.DataFrame(
        {
            "a": ["13/01/2022", None, None],
            "b": [None, "01/13/2022", None],
            "c": ["01/02/2022", None, None],
        }
    )
    got = readings(frame)
    assert (got["a"][0], got["b"][0], got["c"][:2]) == (
        "day-first",
        "month-first",
        ("day-first", "setting"),
    )


AUDITS = {
    "audit_id": ["A1", "A2", "A3"],
    "child_id": ["C1", "C2", "C3"],
    "audit_type": ["audit"] * 3,
    "audit_month": ["2020-09"] * 3,
    "status": ["completed", "completed", "allocated"],
    "team": ["T"] * 3,
    "overall_judgement": ["Good", "Good", None],
}


def problems(allocated, completed, extract="2020-10-05"):
    programme = programme_from_dict(
        {"organisation": "O", "start_month": "2020-01", "extract_date": extract}
    )
    frame = pd.DataFrame({**AUDITS, "allocated_date": allocated, "completed_date": completed})
    return [
        (p.severity, p.row, p.column, p.value, p.reason)
        for p in clean_audits(frame, programme).problems
    ]


def test_dates_that_make_sense_pass():
    # 1 August is 31 days before September: still near it; the extract day itself is fine.
    assert (
        problems(["01/08/2020", "01/09/2020", "30/09/2020"], ["20/09/2020", "05/10/2020", None])
        == []
    )


def test_allocated_far_from_its_month_completed_before_allocated_and_after_the_extract():
    got = problems(
        ["29/07/2020", "01/09/2020", "06/10/2020"],  # 33 days before September; after the extract
        ["20/09/2020", "31/08/2020", None],  # completed before it was allocated
    )
    assert got == [
        (
            "warning",
            2,
            "allocated_date",
            "29/07/2020",
            "allocated more than 31 days outside its audit month: kept; check the date and the month",
        ),
        (
            "warning",
            3,
            "completed_date",
            "31/08/2020",
            "completed before it was allocated: kept (the judgement counts); check the dates",
        ),
        (
            "warning",
            4,
            "allocated_date",
            "06/10/2020",
            "after the extract date in programme.yml (05/10/2020), which an export cannot hold: "
            "kept; check the date",
        ),
    ]


def test_without_an_extract_date_today_is_the_limit():
    day, named = dates.extract_day(None)
    assert day == pd.Timestamp.today().normalize()
    assert named.startswith("today")
    future = (pd.Timestamp.today() + pd.Timedelta(days=400)).strftime("%d/%m/%Y")
    got = problems(["01/09/2020", "01/09/2020", "01/09/2020"], [future, None, None], extract=None)
    assert [(row, column) for _, row, column, _, _ in got] == [(2, "completed_date")]
