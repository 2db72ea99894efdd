"""Cohorts defined in programme.yml: what marks an audit, the seed's six as defaults, and
plain messages for every way a definition can be wrong."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditlib.data import cohorts, schema
from auditlib.data.cleaning import clean_audits
from auditlib.data.programme import programme_from_dict
from auditlib.errors import ConfigError


def define(settings: dict, columns: dict | None = None) -> cohorts.Cohort:
    return next(iter(cohorts.cohorts_from_config({"x": settings}, "p.yml", columns).values()))


def test_the_default_six_are_the_seed_reports_cohorts_in_order():
    assert list(cohorts.DEFAULT_COHORTS) == list(schema.COHORTS)
    assert [c.name for c in cohorts.DEFAULT_COHORTS.values()] == list(schema.COHORTS.values())
    assert cohorts.DEFAULT_COHORTS["under5_cp"].describe() == "cp_plan is yes and age_at_audit < 5"


def test_default_cohorts_mark_the_same_audits_as_their_definitions():
    frame = pd.DataFrame(
        {
            "cin": [True, False, False, None],
            "cp_plan": [False, True, True, True],
            "cp_category": [None, "sexual", "neglect", None],
            "age_at_audit": [3, 4, 5, None],
            "cse_risk": ["none", "emerging", None, "significant"],
            "missing_episodes_6m": [0, 1, None, 2],
        }
    )
    flags = cohorts.add_cohort_flags(frame, cohorts.DEFAULT_COHORTS.values())
    got = {key: flags[f"cohort_{key}"].tolist() for key in cohorts.DEFAULT_COHORTS}
    assert got == {
        "cin": [True, False, False, False],
        "under5_cp": [False, True, False, False],  # age 5 is not under 5; unknown age is not
        "cp_sexual": [False, True, False, False],
        "cse": [False, True, False, True],
        "missing": [False, True, False, True],
        "missing_cse": [False, True, False, True],
    }


@pytest.mark.parametrize(
    ("settings", "values", "inside"),
    [
        ({"name": "N", "column": "DA flag"}, ["Yes", "no", None, "Y"], [True, False, False, True]),
        ({"name": "N", "where": {"Episodes": ">= 2"}}, [1, 2, None, 7], [False, True, False, True]),
        ({"name": "N", "where": {"Episodes": "!= 2"}}, [1, 2, None, 7], [True, False, False, True]),
        (
            {"name": "N", "where": {"Primary need": ["Abuse or neglect", "Family dysfunction"]}},
            ["abuse or  neglect", "Disability", None, "FAMILY DYSFUNCTION"],
            [True, False, False, True],
        ),
    ],
)
def test_conditions_on_a_councils_own_column(settings, values, inside):
    cohort = define(settings)
    [column] = cohort.columns
    kinds = cohorts.extra_column_kinds([cohort])
    frame = pd.DataFrame(
        {
            "audit_id": ["A1", "A2", "A3", "A4"],
            "child_id": ["C1", "C2", "C3", "C4"],
            "audit_type": "audit",
            "audit_month": "2020-09",
            "allocated_date": "2020-09-01",
            "status": "allocated",
            "team": "T",
            column: values,
        }
    )
    programme = programme_from_dict(
        {"organisation": "O", "start_month": "2020-01", "cohorts": {"x": settings}}
    )
    cleaned = clean_audits(frame, programme)
    assert cleaned.errors == [], cleaned.errors
    assert cleaned.frame["cohort_x"].tolist() == inside
    assert kinds[column] in ("bool", "int", "name")


def test_a_yes_no_cohort_column_with_an_unknown_value_is_an_error_naming_the_row():
    programme = programme_from_dict(
        {
            "organisation": "O",
            "start_month": "2020-01",
            "cohorts": {"da": {"name": "DA", "column": "DA flag"}},
        }
    )
    frame = pd.DataFrame(
        {
            "audit_id": ["A1"],
            "child_id": ["C1"],
            "audit_type": ["audit"],
            "audit_month": ["2020-09"],
            "allocated_date": ["2020-09-01"],
            "status": ["allocated"],
            "team": ["T"],
            "da_flag": ["Maybe"],
        }
    )
    [problem] = clean_audits(frame, programme).errors
    assert (problem.row, problem.column, problem.value) == (2, "da_flag", "Maybe")
    assert problem.reason.startswith("unknown yes/no value")


def test_a_condition_may_name_a_column_by_the_councils_header_mapped_in_columns():
    cohort = define({"name": "CP", "where": {"CP Plan?": "yes"}}, {"cp_plan": "CP Plan?"})
    assert cohort.conditions[0].column == "cp_plan"
    assert cohort.conditions[0].test == "one_of"  # the string 'yes' is a value, not yes/no
    flag = define({"name": "CP", "where": {"CP Plan?": True}}, {"cp_plan": "CP Plan?"})
    assert flag.conditions[0].test == "flag"


def test_vocabulary_values_are_read_through_their_labels():
    cohort = define({"name": "Sexual abuse", "where": {"cp_category": "Sexual abuse"}})
    assert cohort.conditions[0].values == ("sexual",)
    frame = pd.DataFrame({"cp_category": pd.Categorical(["sexual", "neglect", None])})
    assert cohort.members(frame).tolist() == [True, False, False]


def test_a_missing_column_means_nobody_is_known_to_be_in_the_cohort():
    assert not cohorts.DEFAULT_COHORTS["cin"].members(pd.DataFrame({"x": [1, 2]})).any()
    assert cohorts.DEFAULT_COHORTS["cin"].members(pd.DataFrame({"x": [1, 2]})).dtype == np.bool_


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"Bad Key": {"name": "N", "column": "c"}}, "a cohort key is lower-case letters"),
        ({"x": "just a name"}, "needs name: and column: (or where:) settings"),
        ({"x": {"column": "c"}}, "needs a name"),
        ({"x": {"name": "N"}}, "needs column: (a yes/no column) or where:"),
        ({"x": {"name": "N", "colour": "red", "column": "c"}}, "unknown setting 'colour'"),
        (
            {"x": {"name": "N", "where": {"age_at_audit": True}}},
            "'age_at_audit' is not a yes/no column",
        ),
        ({"x": {"name": "N", "where": {"team": "< 5"}}}, "the column is not a number"),
        (
            {"x": {"name": "N", "where": {"cse_risk": ["emerging", "huge"]}}},
            "'huge' is not a known CSE risk level",
        ),
        ({"x": {"name": "N", "where": {"c": {"a": 1}}}}, "the test must be yes/no, a comparison"),
        (
            {"x": {"name": "N", "column": "flag"}, "y": {"name": "M", "where": {"flag": "> 1"}}},
            "column 'flag' is tested both as yes/no and as a number",
        ),
    ],
)
def test_bad_definitions_get_a_plain_message(raw, message):
    with pytest.raises(
        ConfigError, match=message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")
    ):
        cohorts.cohorts_from_config(raw, "p.yml")
