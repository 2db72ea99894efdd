"""Each cleaning step on its own, on hand-made frames."""

from __future__ import annotations

import pandas as pd
import pytest

from auditlib.data import cleaning, schema
from auditlib.data.programme import programme_from_dict
from auditlib.errors import ConfigError


def test_name_variants_merge_to_the_most_common_spelling_and_are_logged():
    frame = pd.DataFrame({"team": ["Team A", "team a", "TEAM  A", "Team A", "Team B", None]})
    merged, notes = cleaning.merge_name_variants(frame, "team")
    assert merged["team"].tolist()[:5] == ["Team A", "Team A", "Team A", "Team A", "Team B"]
    assert notes == [
        "team: 'TEAM  A' (1 row) merged into 'Team A'",
        "team: 'team a' (1 row) merged into 'Team A'",
    ]
    assert frame["team"].tolist()[1] == "team a"  # input untouched


def test_exact_duplicates_point_at_the_row_they_repeat():
    frame = pd.DataFrame(
        {
            "audit_id": ["A", "B", "A", "A", "C"],
            "team": ["x", "y", "x", "z", "q"],
            "source_row": [2, 3, 4, 5, 6],
        }
    )
    assert cleaning.flag_exact_duplicates(frame).tolist() == [pd.NA, pd.NA, 2, pd.NA, pd.NA]


def test_blank_rows_need_every_cell_blank():
    frame = pd.DataFrame(
        {"audit_id": [None, " ", None], "team": [None, "", "x"], "source_row": [2, 3, 4]}
    )
    assert cleaning.flag_blank_rows(frame).tolist() == [True, True, False]


def test_final_judgement_only_on_completed_audits():
    frame = pd.DataFrame(
        {
            "status": ["completed", "completed", "allocated", "completed"],
            "overall_judgement": ["Good", None, "Good", "Inadequate"],
            "moderated_judgement": [None, None, None, "Good"],
        }
    )
    final = cleaning.add_final_judgement(frame)["final_judgement"]
    assert final.astype(object).where(final.notna(), None).tolist() == [
        "Good",
        "Not recorded",
        None,
        "Good",
    ]
    assert final.dtype.ordered


@pytest.mark.parametrize(
    ("row", "cohorts"),
    [
        ({"cin": True}, {"cin"}),
        ({"cp_plan": True, "age_at_audit": 4}, {"under5_cp"}),
        ({"cp_plan": True, "age_at_audit": 5}, set()),
        ({"cp_plan": False, "age_at_audit": 2}, set()),
        ({"cp_plan": True, "cp_category": "sexual", "age_at_audit": 12}, {"cp_sexual"}),
        ({"cse_risk": "emerging"}, {"cse"}),
        ({"cse_risk": "none"}, set()),
        ({"missing_episodes_6m": 1}, {"missing"}),
        ({"missing_episodes_6m": 3, "cse_risk": "significant"}, {"missing", "cse", "missing_cse"}),
    ],
)
def test_cohort_flags(row, cohorts):
    base = {
        "cin": False,
        "cp_plan": False,
        "cp_category": None,
        "age_at_audit": 10,
        "cse_risk": None,
    }
    base["missing_episodes_6m"] = 0
    frame = cleaning.add_cohort_flags(pd.DataFrame([{**base, **row}]))
    got = {key for key in schema.COHORTS if frame.at[0, schema.COHORT_PREFIX + key]}
    assert got == cohorts


def test_reaudits_are_linked_to_their_original_judgement():
    frame = pd.DataFrame(
        {
            "audit_id": ["A1", "A2", "R1", "R2"],
            "original_audit_id": [None, None, "A2", "A1"],
            "audit_type": ["audit", "audit", "re-audit", "re-audit"],
            "final_judgement": pd.Categorical(
                ["Inadequate", "Requires Improvement", "Good", None],
                categories=schema.JUDGEMENT_LABELS,
                ordered=True,
            ),
        }
    )
    linked = cleaning.link_reaudits(frame)[schema.ORIGINAL_JUDGEMENT]
    assert linked.astype(object).where(linked.notna(), None).tolist() == [
        None,
        None,
        "Requires Improvement",
        "Inadequate",
    ]


def test_labels_in_programme_must_map_onto_canonical_values():
    programme = programme_from_dict(
        {
            "organisation": "X",
            "start_month": "2020-01",
            "labels": {"overall_judgement": {"RI2G": "Adequate"}},
        }
    )
    with pytest.raises(
        ConfigError, match="'RI2G' maps to 'Adequate', which is not a known judgement"
    ):
        cleaning.label_extras(programme, "overall_judgement")


def test_judgement_labels_apply_to_every_judgement_column():
    programme = programme_from_dict(
        {"organisation": "X", "start_month": "2020-01", "labels": {"judgement": {"RI2G": "RI"}}}
    )
    assert cleaning.label_extras(programme, "judgement_planning") == {
        "RI2G": "Requires Improvement"
    }
    assert cleaning.label_extras(programme, "moderated_judgement") == {
        "RI2G": "Requires Improvement"
    }


def test_feedback_labels_are_checked_and_applied():
    frame = pd.DataFrame(
        {
            "feedback_id": ["F1"],
            "audit_id": ["A1"],
            "audit_month": ["2020-09"],
            "source": ["Grandparent"],
            "kind": ["strength"],
            "text": ["Kind words."],
        }
    )
    base = {"organisation": "O", "start_month": "2020-01"}
    good = programme_from_dict({**base, "labels": {"source": {"Grandparent": "carer"}}})
    cleaned = cleaning.clean_text_table(
        frame,
        "feedback",
        schema.FEEDBACK_COLUMN_KINDS,
        schema.FEEDBACK_REQUIRED,
        "f.csv",
        programme=good,
    )
    assert cleaned.errors == [] and cleaned.frame["source"].tolist() == ["carer"]
    bad = programme_from_dict({**base, "labels": {"source": {"Grandparent": "granny"}}})
    with pytest.raises(
        ConfigError, match="'Grandparent' maps to 'granny', which is not a known feedback source"
    ):
        cleaning.clean_text_table(
            frame,
            "feedback",
            schema.FEEDBACK_COLUMN_KINDS,
            schema.FEEDBACK_REQUIRED,
            "f.csv",
            programme=bad,
        )
