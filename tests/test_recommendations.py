"""Recommendations: the YAML shape, repeats from earlier months, problems, Markdown."""

from __future__ import annotations

import copy
import datetime

import pytest
import yaml

from auditlib.analysis.recommendations import (
    COLUMNS,
    REPEAT_SIMILARITY,
    check_recommendations,
    format_recommendations,
    list_recommendation_months,
    normalise_recommendation,
    recommendations_for,
)
from auditlib.errors import DataError

# The seed report's August and September 2020 recommendations, in the documented shape.
SEED = yaml.safe_load(
    """
2020-08:
  high_priority:
    - Managers to ensure that supervision is held in line with expected timescales and evidences reflective discussion, impact of intervention, proactive decision making where there is drift and delay and review of decision / actions that support driving the plan forward.
    - Management oversights / case discussions are recorded to respond to significant events/ changes in circumstances/ how overdue task will be addressed together with the rationale for the decision making and timescales.
    - Managers, Social Workers, CPC’s and IRO’s to ensure that planning and review for children is timely and that any drift or delay is responded to with a clear plan of how this will be managed and addressed.
  practice_standards:
    - Managers to ensure that supervision is held in line with expected timescales and evidences reflective discussion, impact of intervention, proactive decision making where there is drift and delay and review of decision / actions that support driving the plan forward.
    - All other teams to review and reflect on how to improve the quality and timeliness of recording within their teams. I.e. updating of case summaries, chronologies, involvement and family relationships.
    - Team Managers and Social Workers to raise any concerns with the quality of audits to the APS Team as soon as possible.
    - Team Managers to block out time for the audit each month, plan for the case reflection meeting, and request exemptions and extensions via the correct process and in a timely way.
    - Monthly highlight reports to be shared with Directors, Assistant Directors and all frontline teams in order to be used and discussed in area meetings.
2020-09:
  high_priority:
    - Managers to ensure that supervision is held in line with expected timescales and evidences reflective discussion, impact of intervention, proactive decision making where there is drift and delay and review of decision / actions that support driving the plan forward.
    - Management oversights / case discussions are recorded to respond to significant events/ changes in circumstances/ how overdue task will be addressed together with the rationale for the decision making and timescales.
    - Managers, Social Workers, CPC's and IRO's to ensure that planning and review for children is timely and that any drift or delay is responded to with a clear plan of how this will be managed and addressed.
    - text: "All teams to review and reflect on the key learning identified for children that go missing and are vulnerable to exploitation and hidden crimes:"
      numbering: letters
      items:
        - Response and timeliness to children who go missing;
        - Timeliness and quality of CSE risk assessments, so that they are pertinent to the current risks, include a plan of intervention to reduce risks and evidence the child's and parent's contribution;
        - Risk assessments for children who are at risk from sexual harm both within and outside their homes and how we engage partner agencies to support the child, their family and us in the resulting plans.
  practice_standards:
    - text: "All teams to review and reflect on the key learning identified in this month's highlight report and to raise any feedback, service needs, or key barriers to Kasey Senior, Audit and Practice Standards Manager or Mike Hall, Child Exploitation and Hidden Crimes Manager:"
      sub_items:
        - Response and timeliness to children who go missing, with increased confidence in the use of missing procedure.
        - Timeliness and quality of CSE risk assessments.
    - Review and signpost practitioners to the following key resources for CSE and Missing procedures.
    - - {text: SSCP Safeguarding Children from Sexual Exploitation, url: "https://example.org/sscp"}
      - {text: Return Home Interviews, url: "https://example.org/rhi"}
      - CSE information on Healthy Surrey website
    - Team Managers and Social Workers to raise any concerns with the quality of audits to the APS Team as soon as possible.
    - team managers to block out time for the audit each month, plan for the case reflection meeting and request exemptions and extensions via the correct process, in a timely way
    - Further Workbook training and workshops to establish a consistent standard of practice when completing. [Remember to utilise Workbook champions per area and video training guides on Share point].
"""
)


def test_the_seed_parses_without_problems():
    assert check_recommendations(SEED) == []
    assert list_recommendation_months(SEED) == ["2020-08", "2020-09"]


def test_repeats_in_the_seed_september():
    table = recommendations_for(SEED, "2020-09", denylist=["Kasey Senior", "Mike Hall"])
    assert list(table.columns) == list(COLUMNS)
    hp = table.loc[table["section"] == "high_priority"]
    ps = table.loc[table["section"] == "practice_standards"]
    assert hp["number"].tolist() == [1, 2, 3, 4]
    # 1 and 2 are August's items word for word; 3 differs only in curly vs straight quotes.
    assert hp["repeated"].tolist() == [True, True, True, False]
    assert hp["first_month"].tolist() == ["2020-08", "2020-08", "2020-08", "2020-09"]
    assert hp["similarity"].tolist() == [1.0, 1.0, 1.0, 0.0]
    # Standards: 3 is word for word; 4 differs in case and punctuation only; the new
    # learning item (1) shares its opening with August's recording item but is not it.
    assert ps["repeated"].tolist() == [False, False, True, True, False]
    assert ps["earlier_months"].tolist()[2] == ["2020-08"]


def test_sub_items_letters_bullets_and_links():
    table = recommendations_for(SEED, "2020-09", denylist=["Kasey Senior", "Mike Hall"])
    hp4 = table.iloc[3]
    assert [sub["label"] for sub in hp4["sub_items"]] == ["a", "b", "c"]
    assert hp4["sub_items"][0] == {
        "label": "a",
        "text": "Response and timeliness to children who go missing;",
        "url": None,
    }
    ps = table.loc[table["section"] == "practice_standards"]
    # The short form: a list straight after a text item is its sub-items.
    links = ps.iloc[1]["sub_items"]
    assert [(s["label"], s["text"], s["url"]) for s in links] == [
        ("", "SSCP Safeguarding Children from Sexual Exploitation", "https://example.org/sscp"),
        ("", "Return Home Interviews", "https://example.org/rhi"),
        ("", "CSE information on Healthy Surrey website", None),
    ]
    # Texts are redacted: the names on the denylist are gone.
    assert ps.iloc[0]["text"].endswith(
        "key barriers to [name], Audit and Practice Standards Manager or [name], "
        "Child Exploitation and Hidden Crimes Manager:"
    )
    raw = recommendations_for(SEED, "2020-09", redact=False, denylist=["Kasey Senior"])
    assert "Kasey Senior" in raw.loc[raw["section"] == "practice_standards"].iloc[0]["text"]


def test_normalised_text_ignores_case_quotes_punctuation_and_spaces():
    assert normalise_recommendation("  CPC’s and IRO’s —   to ensure… “timely” ") == (
        "cpcs and iros to ensure timely"
    )
    assert normalise_recommendation("CPC's and IRO's - to ensure. \"timely\"") == (
        "cpcs and iros to ensure timely"
    )


def _three_months(august: str, september: str) -> dict:
    base = (
        "Team Managers to block out time for the audit each month and plan the reflection meeting."
    )
    return {
        "2020-07": {"practice_standards": [base]},
        "2020-08": {"high_priority": [august]},
        "2020-09": {"practice_standards": [september]},
    }


def test_near_identical_text_counts_as_a_repeat_from_its_first_month():
    base = (
        "Team Managers to block out time for the audit each month and plan the reflection meeting."
    )
    one_word = base.replace("block out", "set aside")
    recs = _three_months(base, one_word)
    row = recommendations_for(recs, "2020-09").iloc[0]
    assert row["repeated"]
    assert row["first_month"] == "2020-07"
    assert row["earlier_months"] == ["2020-07", "2020-08"]
    assert REPEAT_SIMILARITY <= row["similarity"] < 1.0
    # A different recommendation on the same subject is new.
    other = "Team Managers to share the audit findings with their teams in the next team meeting."
    new = recommendations_for(_three_months(base, other), "2020-09").iloc[0]
    assert not new["repeated"]
    assert new["first_month"] == "2020-09"
    assert new["earlier_months"] == []


def test_only_earlier_months_count():
    table = recommendations_for(SEED, "2020-08")
    # August is the first month: its items appear in both its sections but are not repeats.
    assert not table["repeated"].any()
    assert (table["first_month"] == "2020-08").all()


def test_month_without_recommendations_gives_an_empty_table():
    table = recommendations_for(SEED, "2020-10")
    assert table.empty
    assert list(table.columns) == list(COLUMNS)
    assert recommendations_for(None, "2020-10").empty
    assert format_recommendations(table) == ""


def test_month_keys_may_be_dates_or_empty():
    recs = {datetime.date(2020, 8, 1): {"high_priority": ["Do X."]}, "2020-09": None}
    assert check_recommendations(recs) == []
    assert list_recommendation_months(recs) == ["2020-08", "2020-09"]
    assert recommendations_for(recs, "2020-09").empty


@pytest.mark.parametrize(
    ("recs", "column", "reason"),
    [
        ({"Aug 2020": {"high_priority": ["x"]}}, "Aug 2020", "YYYY-MM"),
        ({"2020-08": {"priorities": ["x"]}}, "2020-08 / priorities", "unknown section"),
        ({"2020-08": {"high_priority": "x"}}, "2020-08 / high_priority", "list of items"),
        (
            {"2020-08": {"high_priority": [3]}},
            "2020-08 / high_priority / item 1",
            "text or a mapping",
        ),
        (
            {"2020-08": {"high_priority": [["a"]]}},
            "2020-08 / high_priority / item 1",
            "follow a text",
        ),
        (
            {"2020-08": {"high_priority": [{"text": "x", "numbering": "roman"}]}},
            "2020-08 / high_priority / item 1",
            "numbering",
        ),
        (
            {"2020-08": {"high_priority": [{"text": "x", "colour": "red"}]}},
            "2020-08 / high_priority / item 1",
            "unknown keys",
        ),
        (
            {"2020-08": {"high_priority": [{"text": "x", "sub_items": [{"url": "u"}]}]}},
            "2020-08 / high_priority / item 1",
            "sub-items",
        ),
        (
            {"2020-08": {"high_priority": [{"text": "x", "items": ["a"], "sub_items": ["b"]}]}},
            "2020-08 / high_priority / item 1",
            "not both",
        ),
        (
            {"2020-08": {"high_priority": [{"sub_items": ["a"]}]}},
            "2020-08 / high_priority / item 1",
            "no 'text'",
        ),
        (
            {"2020-08": {"high_priority": ["x", ["a"], ["b"]]}},
            "2020-08 / high_priority / item 3",
            "follow a text",
        ),
        ({"2020-08": ["x"]}, "2020-08", "high_priority"),
    ],
)
def test_problems_name_month_section_and_item(recs, column, reason):
    [problem] = check_recommendations(recs)
    assert problem.file == "recommendations.yml"
    assert problem.column == column
    assert reason in problem.reason
    with pytest.raises(DataError, match=reason):
        recommendations_for(recs, "2020-08")


def test_the_input_is_not_changed():
    before = copy.deepcopy(SEED)
    recommendations_for(SEED, "2020-09", denylist=["Kasey Senior"])
    check_recommendations(SEED)
    assert before == SEED


def test_format_recommendations_marks_repeats_and_escapes():
    table = recommendations_for(SEED, "2020-09", denylist=["Kasey Senior", "Mike Hall"])
    text = format_recommendations(table, "practice_standards")
    lines = text.splitlines()
    assert lines[0].startswith("1. All teams to review and reflect on the key learning")
    assert "key barriers to \\[name\\], Audit" in lines[0]
    assert lines[1] == (
        "    - Response and timeliness to children who go missing, with increased confidence "
        "in the use of missing procedure."
    )
    assert lines[4] == (
        "    - [SSCP Safeguarding Children from Sexual Exploitation](https://example.org/sscp)"
    )
    assert lines[7] == (
        "3. Team Managers and Social Workers to raise any concerns with the quality of audits to "
        "the APS Team as soon as possible. *(first recommended in August 2020)*"
    )
    assert lines[-1].endswith("on Share point\\].")
    high = format_recommendations(table, "high_priority", mark_repeats=False)
    assert "first recommended" not in high
    assert "    - c. Risk assessments for children" in high
    labelled = format_recommendations(table, labels={"2020-08": "July/August 2020"})
    assert "*(first recommended in July/August 2020)*" in labelled
