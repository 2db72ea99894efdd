"""Themes, feedback summaries, quotes, reflections and recurring themes."""

from __future__ import annotations

import pandas as pd
import pytest

from auditlib.analysis import voices
from auditlib.analysis.voices import (
    DEFAULT_THEMES_FILE,
    RECURRING_NOTE,
    RECURRING_THEMES,
    THEME_MATCHES,
    THEMES,
    count_themes,
    describe_months,
    describe_top_themes,
    explode_themes,
    find_recurring_themes,
    format_quotes,
    format_reflections,
    group_reflections,
    load_themes,
    mark_recurring,
    parse_themes,
    select_quotes,
    summarise_feedback,
    summarise_feedback_by_month,
    tag_themes,
)
from auditlib.data import schema
from auditlib.errors import ConfigError, DataError

SMALL = {
    "themes": [
        {"id": "caseloads", "name": "Caseloads", "keywords": ["caseload*", "workload"]},
        {"id": "multi_agency", "name": "Multi-agency", "keywords": ["multi-agency", "CAMHS"]},
        {"id": "communication", "name": "Communication", "keywords": ["communicat*", "phone*"]},
        {"id": "changes", "name": "Changes of SW", "keywords": ["other SW*", "different SW*"]},
        {"id": "partners", "name": "Partners", "keywords": ["partner agency"]},
    ]
}


@pytest.fixture(scope="module")
def small():
    return parse_themes(SMALL)


@pytest.fixture(scope="module")
def default_themes():
    return load_themes()


def _tags(themes, text: str) -> dict[str, list[str]]:
    out = tag_themes(pd.DataFrame({schema.TEXT: [text]}), themes)
    return out.loc[0, THEME_MATCHES]


# ------------------------------------------------------------------ dictionary
def test_default_dictionary_has_the_required_themes(default_themes):
    ids = [t.id for t in default_themes]
    required = {
        "communication",
        "worker_changes",
        "transfer",
        "caseloads",
        "early_help_delay",
        "carer_information",
        "relationship",
        "multi_agency",
        "supervision",
        "training",
        "missing_exploitation",
        "cultural_competence",
        "placement_stability",
        "recording",
    }
    assert required <= set(ids)
    assert len(ids) == len(set(ids))
    assert all(t.name and t.description and t.keywords for t in default_themes)
    assert DEFAULT_THEMES_FILE.name == "themes.yml"


def test_load_themes_reads_a_file_or_a_dict(tmp_path):
    path = tmp_path / "themes.yml"
    path.write_text(
        "themes:\n  - id: x\n    name: X\n    description: d\n    keywords: [a*]\n",
        encoding="utf-8",
    )
    [theme] = load_themes(path)
    assert (theme.id, theme.name, theme.description, theme.keywords) == ("x", "X", "d", ("a*",))
    assert [t.id for t in load_themes(SMALL)] == [
        "caseloads",
        "multi_agency",
        "communication",
        "changes",
        "partners",
    ]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"themes": []}, "non-empty list"),
        ({"themes": [{"id": "Bad Id", "name": "x", "keywords": ["a"]}]}, "lower_snake_case"),
        ({"themes": [{"id": "a", "name": "A", "keywords": []}]}, "theme 'a'.*keywords"),
        ({"themes": [{"id": "a", "keywords": ["x"]}]}, "theme 'a'.*name"),
        (
            {"themes": [{"id": "a", "name": "A", "keywords": ["x"]}] * 2},
            "theme 'a'.*used twice",
        ),
        ({"themes": [{"id": "a", "name": "A", "keywords": ["re:(unclosed"]}]}, "not a valid"),
    ],
)
def test_bad_dictionaries_are_named(config, message):
    with pytest.raises(ConfigError, match=message):
        parse_themes(config)


def test_load_themes_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_themes(tmp_path / "nope.yml")


# --------------------------------------------------------------- keyword rules
def test_stems_match_any_ending_and_whole_words_only(small):
    assert _tags(small, "High caseloads and a big caseload.") == {
        "caseloads": ["caseloads", "caseload"]
    }
    assert _tags(small, "Communicating, communication.") == {
        "communication": ["Communicating", "communication"]
    }
    # Not inside another word: "workloads" is not "workload" (no stem), "recaseload" is not.
    assert _tags(small, "workloads; recaseload") == {}


def test_hyphen_is_optional_and_space_matches_hyphen(small):
    assert _tags(small, "multi agency, multiagency, Multi-Agency and multi-agency") == {
        "multi_agency": ["multi agency", "multiagency", "Multi-Agency"]
    }
    assert _tags(small, "partner-agency and partner/agency") == {
        "partners": ["partner-agency", "partner/agency"]
    }


def test_acronyms_match_in_capitals_only_and_apostrophes_either_way(small):
    assert _tags(small, "camhs was slow") == {}
    assert _tags(small, "CAMHS was slow") == {"multi_agency": ["CAMHS"]}
    assert _tags(small, "14 other SW’s and different SW's") == {
        "changes": ["other SW", "different SW"]
    }


def test_tokens_never_match_keywords(small):
    # "[phone]" must not tag communication; the number itself is redacted.
    out = tag_themes(pd.DataFrame({schema.TEXT: ["Ring 07989 081145 about the caseload"]}), small)
    assert out.loc[0, schema.TEXT] == "Ring [phone] about the caseload"
    assert out.loc[0, THEMES] == ["caseloads"]
    raw = tag_themes(pd.DataFrame({schema.TEXT: ["Phoned twice"]}), small)
    assert raw.loc[0, THEMES] == ["communication"]


# ------------------------------------------------------------------- tagging
SEED = {
    "s1": (
        "Mother spoke positively about the SW stating she had an open transparent relationship "
        "with him. Prior to this she had 14 other SW’s who worked with her son",
        {"worker_changes": ["other SW"], "relationship": ["transparent", "relationship"]},
    ),
    "i1": (
        "A theme that was identified was from education who identified communication from the "
        "social worker as an area which could be improved.",
        {"communication": ["communication"], "multi_agency": ["education"]},
    ),
    "i2": (
        "would have benefited from more information about a child at the start of placement",
        {"carer_information": ["more information", "start of placement"]},
    ),
    "i4": (
        "social workers not responding to them and they then have to chase them up for updates",
        {"communication": ["responding", "chase", "updates"]},
    ),
    "i5": (
        "poor support at the early intervention stage which lead to their children suffering "
        "needless delay of services",
        {"early_help_delay": ["early intervention", "delay"]},
    ),
    "r1": ("A clear and consistent transfer process", {"transfer": ["transfer"]}),
    "r2": (
        "The impact of high caseloads on direct work, ensuring LCS is up to date",
        {
            "caseloads": ["caseloads"],
            "relationship": ["direct work"],
            "recording": ["LCS", "up to date"],
        },
    ),
    "r3": (
        "Children and their families having visits from different SW’s due to people leaving",
        {"worker_changes": ["different SW", "people leaving"]},
    ),
    "r4": (
        "Thinking outside of the usual for engaging children who frequently go missing.",
        {"relationship": ["engaging"], "missing_exploitation": ["go missing"]},
    ),
    "r5": (
        "Gain a greater knowledge of different cultural backgrounds",
        {"training": ["knowledge"], "cultural_competence": ["cultural"]},
    ),
    "r6": (
        "Earlier and more purposeful intervention to prevent placement breakdown",
        {
            "early_help_delay": ["Earlier"],
            "placement_stability": ["placement breakdown"],
            "planning": ["purposeful intervention"],
        },
    ),
    "n1": (
        "The culturally matched mentor from Sporting Chances",
        {"cultural_competence": ["culturally"]},
    ),
    "n2": ("Extremely positive feedback received from mum.", {}),
}


@pytest.mark.parametrize("key", list(SEED))
def test_default_dictionary_on_the_seed_reports_words(default_themes, key):
    text, expected = SEED[key]
    matches = _tags(default_themes, text)
    assert matches == expected
    out = tag_themes(pd.DataFrame({schema.TEXT: [text]}), default_themes)
    # Tags are in dictionary order and every matched word is in the text shown.
    order = [t.id for t in default_themes]
    assert out.loc[0, THEMES] == sorted(expected, key=order.index)
    assert all(w in out.loc[0, schema.TEXT] for words in matches.values() for w in words)


def test_tag_themes_returns_a_new_redacted_frame(small):
    df = pd.DataFrame(
        {
            schema.FEEDBACK_ID: ["F1", "F2", "F3"],
            schema.TEXT: ["Mr Smith: high caseload", None, "CAMHS and Jayden"],
        }
    )
    before = df.copy(deep=True)
    out = tag_themes(df, small, denylist=["Jayden"])
    pd.testing.assert_frame_equal(df, before)
    assert out[schema.TEXT].tolist()[0] == "[name]: high caseload"
    assert pd.isna(out[schema.TEXT].tolist()[1])
    assert out[schema.TEXT].tolist()[2] == "CAMHS and [name]"
    assert out[THEMES].tolist() == [["caseloads"], [], ["multi_agency"]]
    assert out[THEME_MATCHES].tolist() == [
        {"caseloads": ["caseload"]},
        {},
        {"multi_agency": ["CAMHS"]},
    ]
    unredacted = tag_themes(df, small, redact=False)
    assert unredacted[schema.TEXT].tolist()[0] == "Mr Smith: high caseload"


def test_tag_themes_on_another_column(small):
    out = tag_themes(pd.DataFrame({"answer": ["multi-agency work"]}), small, text_col="answer")
    assert out.loc[0, THEMES] == ["multi_agency"]


def test_explode_themes_has_one_row_per_row_and_theme(small):
    tagged = tag_themes(
        pd.DataFrame(
            {schema.FEEDBACK_ID: ["F1", "F2"], schema.TEXT: ["caseload and CAMHS", "nothing"]}
        ),
        small,
    )
    long = explode_themes(tagged)
    assert long[[schema.FEEDBACK_ID, "theme_id", "matched"]].values.tolist() == [
        ["F1", "caseloads", "caseload"],
        ["F1", "multi_agency", "CAMHS"],
    ]


# ------------------------------------------------------------------ feedback
def _feedback() -> pd.DataFrame:
    rows = [
        ("F1", "A1", "2020-08", "parent", "strength", "Great communication and a good workload."),
        (
            "F2",
            "A2",
            "2020-08",
            "parent",
            "improvement",
            "Poor communication, Mr Smith never rang.",
        ),
        ("F3", "A3", "2020-08", "foster carer", "improvement", "More CAMHS input needed."),
        ("F4", "A4", "2020-09", "parent", "strength", "Lovely worker."),
        ("F5", "A5", "2020-09", "partner agency: police", "improvement", "Communication poor."),
        ("F6", "A6", "2020-09", "local councillor", "strength", "Caseload is too high."),
        ("F7", "A7", "2020-09", "parent", "improvement", "Caseload and communication."),
    ]
    return pd.DataFrame(
        rows,
        columns=[
            schema.FEEDBACK_ID,
            schema.AUDIT_ID,
            schema.AUDIT_MONTH,
            schema.SOURCE,
            schema.KIND,
            schema.TEXT,
        ],
    )


def test_summarise_feedback_by_source_and_kind():
    table = summarise_feedback(_feedback())
    assert list(table.index) == [
        "parent",
        "foster carer",
        "partner agency: police",
        "local councillor",  # an unknown source is kept, after the known ones
        "All sources",
    ]
    assert list(table.columns) == ["strength", "improvement", "total"]
    assert table.loc["parent"].tolist() == [2, 2, 4]
    assert table.loc["All sources"].tolist() == [3, 4, 7]
    month = summarise_feedback(_feedback(), "2020-08")
    assert month.loc["All sources"].tolist() == [1, 2, 3]
    assert "partner agency: police" not in month.index
    everything = summarise_feedback(_feedback(), "2020-08", include_empty=True)
    assert len(everything) == len(schema.FEEDBACK_SOURCES) + 1
    assert everything.loc["child/young person"].tolist() == [0, 0, 0]


def test_summarise_feedback_counts_every_row():
    df = _feedback()
    df.loc[0, schema.SOURCE] = None
    table = summarise_feedback(df)
    assert table.loc["source not recorded"].tolist() == [1, 0, 1]
    assert table.loc["All sources", "total"] == len(df)
    bad = _feedback()
    bad.loc[2, schema.KIND] = "Strength"
    with pytest.raises(DataError, match="unknown kind") as caught:
        summarise_feedback(bad)
    assert caught.value.problems[0].value == "Strength"
    assert "F3" in caught.value.problems[0].reason
    with pytest.raises(DataError):
        summarise_feedback_by_month(bad)


def test_summarise_feedback_for_an_empty_month_is_all_zero():
    table = summarise_feedback(_feedback(), "2019-01")
    assert table.index.tolist() == ["All sources"]
    assert table.loc["All sources"].tolist() == [0, 0, 0]


def test_summarise_feedback_by_month():
    table = summarise_feedback_by_month(_feedback())
    assert table.index.tolist() == ["2020-08", "2020-09"]
    assert table.values.tolist() == [[1, 2, 3], [2, 2, 4]]


def test_count_themes_by_kind_and_month(small):
    tagged = tag_themes(_feedback(), small)
    table = count_themes(tagged, small, by=schema.KIND)
    assert table.index.tolist() == ["communication", "caseloads", "multi_agency"]
    assert table.columns.tolist() == ["name", "strength", "improvement", "total"]
    assert table.loc["communication"].tolist() == ["Communication", 1, 3, 4]
    assert table.loc["caseloads"].tolist() == ["Caseloads", 2, 1, 3]
    september = count_themes(tagged, small, by=schema.KIND, month="2020-09")
    assert september.loc["communication", "total"] == 2
    assert september.loc["caseloads", "strength"] == 1
    plain = count_themes(tagged)
    assert plain.columns.tolist() == ["total"]
    with_zero = count_themes(tagged, small, include_zero=True)
    assert with_zero.loc["partners", "total"] == 0


def test_describe_top_themes(small):
    tagged = tag_themes(_feedback(), small)
    table = count_themes(tagged, small, by=schema.KIND)
    assert describe_top_themes(table) == (
        "Communication (4 items), Caseloads (3 items) and Multi-agency (1 item)"
    )
    assert describe_top_themes(table, 1, column="strength") == "Caseloads (2 items)"
    assert describe_top_themes(table.iloc[:0]) == ""


def test_count_themes_ties_keep_dictionary_order(small):
    tagged = tag_themes(pd.DataFrame({schema.TEXT: ["CAMHS", "caseload"]}), small)
    assert count_themes(tagged, small).index.tolist() == ["caseloads", "multi_agency"]


def test_count_themes_needs_tags():
    with pytest.raises(ConfigError, match="tag_themes"):
        count_themes(_feedback())


# -------------------------------------------------------------------- quotes
def _quote_frame() -> pd.DataFrame:
    rows = [
        # id, source, kind, text
        (
            "F10",
            "parent",
            "strength",
            "The social worker kept in touch about the caseload each week.",
        ),
        (
            "F2",
            "parent",
            "strength",
            "Very good communication throughout, and always rang back the same day.",
        ),
        (
            "F3",
            "carer",
            "strength",
            "Communication was good and the worker explained everything clearly.",
        ),
        (
            "F4",
            "foster carer",
            "strength",
            "CAMHS and school worked together well with the social worker.",
        ),
        ("F5", "carer", "strength", "Short."),
        (
            "F6",
            "parent",
            "strength",
            "very good communication throughout, and always rang back the same day.",
        ),
        (
            "F7",
            "parent",
            "improvement",
            "Mr Smith did not return calls; communication must improve.",
        ),
        (
            "F8",
            "partner agency: health",
            "improvement",
            "Communication from the team with our service was poor.",
        ),
    ]
    df = pd.DataFrame(rows, columns=[schema.FEEDBACK_ID, schema.SOURCE, schema.KIND, schema.TEXT])
    return df.assign(**{schema.AUDIT_MONTH: "2020-09", schema.AUDIT_ID: df[schema.FEEDBACK_ID]})


def test_select_quotes_follows_the_stated_rule(small):
    tagged = tag_themes(_quote_frame(), small)
    quotes = select_quotes(tagged, n=3)
    strengths = quotes.loc[quotes[schema.KIND] == "strength"]
    # 1st: every source is new and no theme is covered, so most new themes wins: F4
    # (multi_agency) ties F10 (caseloads) and F2/F3 (communication) on one theme each,
    # then the longest text wins: F2 (70 characters) over F3 (67), F4 and F10 (61).
    # 2nd: parent is used; of carer F3 and foster carer F4, F4 brings a new theme.
    # 3rd: carer F3 is the only unused source left.
    assert strengths[schema.FEEDBACK_ID].tolist() == ["F2", "F4", "F3"]
    assert strengths["pick"].tolist() == [1, 2, 3]
    improvements = quotes.loc[quotes[schema.KIND] == "improvement"]
    # Both sources new, one theme each: the longer redacted text first (F7, 56 characters
    # once "Mr Smith" is "[name]", against F8's 54).
    assert improvements[schema.FEEDBACK_ID].tolist() == ["F7", "F8"]
    assert improvements[schema.TEXT].tolist()[0] == (
        "[name] did not return calls; communication must improve."
    )


def test_select_quotes_is_deterministic_whatever_the_row_order(small):
    tagged = tag_themes(_quote_frame(), small)
    expected = select_quotes(tagged, n=4)
    for seed in range(5):
        shuffled = tagged.sample(frac=1, random_state=seed)
        pd.testing.assert_frame_equal(select_quotes(shuffled, n=4), expected)


def test_select_quotes_window_duplicates_and_ties():
    df = _quote_frame()
    quotes = select_quotes(df, n=10, kinds=["strength"])
    # F5 is too short; F6 repeats F2 apart from case; untagged, so no theme preference.
    assert sorted(quotes[schema.FEEDBACK_ID]) == ["F10", "F2", "F3", "F4"]
    assert THEMES not in quotes.columns
    narrow = select_quotes(df, n=10, kinds=["strength"], max_chars=65)
    assert sorted(narrow[schema.FEEDBACK_ID]) == ["F10", "F4"]
    # Identical length, same source, no themes: natural feedback-id order (F2 before F10).
    tie = pd.DataFrame(
        {
            schema.FEEDBACK_ID: ["F10", "F2"],
            schema.SOURCE: ["parent", "parent"],
            schema.KIND: ["strength", "strength"],
            schema.TEXT: ["x" * 50, "y" * 50],
            schema.AUDIT_MONTH: ["2020-09"] * 2,
        }
    )
    assert select_quotes(tie, n=1)[schema.FEEDBACK_ID].tolist() == ["F2"]


def test_select_quotes_month_filter_and_zero():
    df = _quote_frame()
    assert select_quotes(df, n=3, month="2020-08").empty
    assert select_quotes(df, n=0).empty


def test_format_quotes():
    quotes = select_quotes(_quote_frame(), n=1, kinds=["improvement"])
    assert format_quotes(quotes) == (
        "- “\\[name\\] did not return calls; communication must improve.” — parent"
    )
    assert format_quotes(quotes, show_source=False).endswith("improve.”")


# --------------------------------------------------------------- reflections
def _reflections() -> pd.DataFrame:
    rows = [
        ("A10", "2020-07", 2, "High caseloads again."),
        ("A11", "2020-07", 2, "A clear transfer process is needed."),
        ("A12", "2020-08", 2, "Caseload pressure on direct work."),
        ("A20", "2020-09", 2, "The transfer process between teams."),
        ("A3", "2020-09", 2, "Mr Smith: CAMHS were hard to reach."),
        ("A21", "2020-09", 1, "Multi-agency meetings worked well."),
        ("A22", "2020-09", 4, "Earlier multi-agency meeting."),
    ]
    return pd.DataFrame(
        rows, columns=[schema.AUDIT_ID, schema.AUDIT_MONTH, schema.QUESTION, schema.TEXT]
    )


@pytest.fixture(scope="module")
def reflection_themes():
    return parse_themes(
        {
            "themes": [
                {"id": "caseloads", "name": "Caseloads and workload", "keywords": ["caseload*"]},
                {"id": "transfer", "name": "Transfer between teams", "keywords": ["transfer*"]},
                {
                    "id": "multi_agency",
                    "name": "Multi-agency",
                    "keywords": ["multi-agency", "CAMHS"],
                },
            ]
        }
    )


def test_group_reflections_by_question():
    grouped = group_reflections(_reflections(), "2020-09")
    assert grouped.index.tolist() == [1, 2, 3, 4]
    assert grouped["question_text"].tolist() == list(schema.REFLECTION_QUESTIONS.values())
    assert grouped["n_answers"].tolist() == [1, 2, 0, 1]
    # Natural audit-id order (A3 before A20), redacted.
    assert grouped.loc[2, "answers"] == [
        "[name]: CAMHS were hard to reach.",
        "The transfer process between teams.",
    ]
    assert group_reflections(_reflections())["n_answers"].tolist() == [1, 5, 0, 1]


def test_recurring_needs_min_months_in_the_window(reflection_themes):
    tagged = tag_themes(_reflections(), reflection_themes)
    recurring = find_recurring_themes(tagged, "2020-09", themes=reflection_themes)
    # transfer: July and September (2 of 3) → recurring, though absent in August;
    # caseloads: July and August → recurring by the definition, not in the report month;
    # multi_agency: September only → not recurring.
    assert recurring["theme_id"].tolist() == ["caseloads", "transfer"]
    transfer = recurring.set_index("theme_id").loc["transfer"]
    assert transfer["months"] == ["2020-07", "2020-09"]
    assert transfer["n_months"] == 2
    assert transfer["mentions"] == 2
    assert bool(transfer["in_report_month"])
    assert transfer["also_in"] == "July 2020"
    caseloads = recurring.set_index("theme_id").loc["caseloads"]
    assert not caseloads["in_report_month"]
    assert caseloads["also_in"] == "July and August 2020"
    assert caseloads["name"] == "Caseloads and workload"


def test_recurring_window_and_min_months_are_respected(reflection_themes):
    tagged = tag_themes(_reflections(), reflection_themes)
    # Window of 2 (August, September): transfer is only in September now.
    two = find_recurring_themes(tagged, "2020-09", window=2, min_months=2)
    assert two["theme_id"].tolist() == []
    # min_months=1: anything in the window counts.
    one = find_recurring_themes(tagged, "2020-09", window=2, min_months=1)
    assert sorted(one["theme_id"]) == ["caseloads", "multi_agency", "transfer"]
    # min_months=3 of 3: nothing is in all three months.
    assert find_recurring_themes(tagged, "2020-09", min_months=3).empty
    # An earlier report month only sees months up to it.
    august = find_recurring_themes(tagged, "2020-08")
    assert august["theme_id"].tolist() == ["caseloads"]
    assert august.loc[0, "also_in"] == "July 2020"


def test_recurring_window_is_audit_months_not_calendar_months(reflection_themes):
    rows = pd.DataFrame(
        {
            schema.AUDIT_ID: ["A1", "A2", "A3"],
            schema.AUDIT_MONTH: ["2020-02", "2020-06", "2020-07"],
            schema.QUESTION: [2, 2, 2],
            schema.TEXT: ["transfer", "nothing", "transfer"],
        }
    )
    tagged = tag_themes(rows, reflection_themes)
    # March–May 2020 were paused: the last three audit months are February, June, July.
    found = find_recurring_themes(tagged, "2020-07")
    assert found["theme_id"].tolist() == ["transfer"]
    assert found.loc[0, "also_in"] == "February 2020"
    # Told that May 2020 was audited (with no reflections), February drops out.
    months = ["2020-02", "2020-05", "2020-06", "2020-07"]
    assert find_recurring_themes(tagged, "2020-07", months=months).empty


def test_recurring_by_question(reflection_themes):
    tagged = tag_themes(_reflections(), reflection_themes)
    by_q = find_recurring_themes(tagged, "2020-09", by=schema.QUESTION)
    assert by_q[[schema.QUESTION, "theme_id"]].values.tolist() == [
        [2, "caseloads"],
        [2, "transfer"],
    ]
    # multi_agency is in September under questions 1, 2 and 4 — one month each: not recurring.
    assert "multi_agency" not in by_q["theme_id"].tolist()


def test_recurring_min_mentions_counts_rows_per_month(reflection_themes):
    rows = pd.DataFrame(
        {
            schema.AUDIT_ID: [f"A{i}" for i in range(6)],
            schema.AUDIT_MONTH: ["2020-07", "2020-08", "2020-08", "2020-09", "2020-09", "2020-09"],
            schema.QUESTION: [2, 2, 2, 2, 2, 2],
            schema.TEXT: ["transfer", "transfer", "transfer", "transfer", "caseload", "caseload"],
        }
    )
    tagged = tag_themes(rows, reflection_themes)
    once = find_recurring_themes(tagged, "2020-09")
    assert once["theme_id"].tolist() == ["transfer"]
    assert once.loc[0, "months"] == ["2020-07", "2020-08", "2020-09"]
    assert once.loc[0, "mentions"] == 4
    # Same number of months: more mentions first, whatever the dictionary order.
    both = find_recurring_themes(tagged, "2020-09", min_months=1, themes=reflection_themes)
    assert both["theme_id"].tolist() == ["transfer", "caseloads"]
    assert both["mentions"].tolist() == [4, 2]
    assert find_recurring_themes(tagged, "2020-09", window=1, min_months=1)[
        "theme_id"
    ].tolist() == ["caseloads", "transfer"]
    twice = find_recurring_themes(tagged, "2020-09", min_mentions=2)
    # transfer is said twice only in August; caseloads twice only in September.
    assert twice.empty
    twice_in_one = find_recurring_themes(tagged, "2020-09", min_months=1, min_mentions=2)
    # Mentions count every row in the window: transfer 4, caseloads 2.
    assert twice_in_one[["theme_id", "months", "mentions"]].values.tolist() == [
        ["transfer", ["2020-08"], 4],
        ["caseloads", ["2020-09"], 2],
    ]
    with pytest.raises(ConfigError, match="min_mentions"):
        find_recurring_themes(tagged, "2020-09", min_mentions=0)


@pytest.mark.parametrize(("window", "min_months"), [(0, 1), (3, 0), (2, 3)])
def test_recurring_rejects_impossible_settings(reflection_themes, window, min_months):
    tagged = tag_themes(_reflections(), reflection_themes)
    with pytest.raises(ConfigError, match="min_months"):
        find_recurring_themes(tagged, "2020-09", window=window, min_months=min_months)


def test_mark_recurring_and_format_reflections(reflection_themes):
    tagged = tag_themes(_reflections(), reflection_themes)
    recurring = find_recurring_themes(
        tagged, "2020-09", themes=reflection_themes, labels={"2020-07": "July/August 2020"}
    )
    marked = mark_recurring(tagged, recurring)
    september = marked.loc[marked[schema.AUDIT_MONTH] == "2020-09"]
    assert september[RECURRING_THEMES].tolist() == [["transfer"], [], [], []]
    assert september[RECURRING_NOTE].tolist()[0] == (
        "A recurring theme: Transfer between teams (also in July/August 2020)."
    )
    assert RECURRING_NOTE not in tagged.columns  # input untouched
    text = format_reflections(group_reflections(september, "2020-09"))
    assert text.splitlines()[:3] == [
        "### What do you think you have done well on this case?",
        "",
        "- Multi-agency meetings worked well.",
    ]
    assert (
        "- The transfer process between teams.\n"
        "  *A recurring theme: Transfer between teams (also in July/August 2020).*"
    ) in text
    assert (
        "### Do you have enough tools to enable you to undertake your role?\n\n*No answers this month.*"
        in text
    )


def test_describe_months():
    assert describe_months([]) == ""
    assert describe_months(["2020-09"]) == "September 2020"
    assert describe_months(["2020-06", "2020-07", "2020-08"]) == "June, July and August 2020"
    assert describe_months(["2019-11", "2020-01"]) == "November 2019 and January 2020"


# ---------------------------------------------------------------- no mutation
def test_no_function_mutates_its_input(small):
    feedback = _feedback()
    reflections = _reflections()
    fb_before, rf_before = feedback.copy(deep=True), reflections.copy(deep=True)
    tagged = tag_themes(feedback, small)
    tagged_before = tagged.copy(deep=True)
    summarise_feedback(feedback, "2020-09")
    summarise_feedback_by_month(feedback)
    count_themes(tagged, small, by=schema.KIND)
    explode_themes(tagged)
    select_quotes(tagged, n=2)
    recurring = find_recurring_themes(tagged, "2020-09")
    mark_recurring(tagged, recurring)
    group_reflections(reflections, "2020-09")
    pd.testing.assert_frame_equal(feedback, fb_before)
    pd.testing.assert_frame_equal(reflections, rf_before)
    pd.testing.assert_frame_equal(tagged, tagged_before)


def test_docstring_examples():
    import doctest

    import auditlib.analysis.recommendations
    import auditlib.analysis.redaction
    import auditlib.analysis.voices

    for module in (
        auditlib.analysis.voices,
        auditlib.analysis.redaction,
        auditlib.analysis.recommendations,
    ):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.attempted > 0
        assert result.failed == 0, module.__name__


def test_feedback_counts_are_crosstabs_reindexed_to_the_sources_and_kinds():
    """summarise_feedback counts by position; the table is what pandas' crosstab, reindexed
    to the sources shown and the two kinds, gives (missing and unknown sources included)."""
    import numpy as np

    from auditlib.data.pipeline import load_audit_data
    from auditlib.paths import DEMO_DATA_DIR

    feedback = load_audit_data(DEMO_DATA_DIR).feedback.copy()
    feedback[schema.SOURCE] = feedback[schema.SOURCE].astype(object)
    feedback.loc[feedback.index[:5], schema.SOURCE] = None
    feedback.loc[feedback.index[5:8], schema.SOURCE] = "zz other"
    for month in ("2020-09", None, "1999-01"):
        for include_empty in (False, True):
            table = voices.summarise_feedback(feedback, month, include_empty=include_empty)
            rows = feedback if month is None else feedback[feedback[schema.AUDIT_MONTH] == month]
            seen = rows[schema.SOURCE].where(rows[schema.SOURCE].notna(), voices.NO_SOURCE)
            sources = list(table.index[:-1])
            expected = (
                pd.crosstab(seen, rows[schema.KIND]) if len(rows) else pd.DataFrame()
            ).reindex(index=sources, columns=list(schema.FEEDBACK_KINDS), fill_value=0)
            assert np.array_equal(
                table.iloc[:-1][list(schema.FEEDBACK_KINDS)].to_numpy(),
                expected.fillna(0).to_numpy(dtype="int64"),
            )
            assert table.loc[voices.ALL_SOURCES, "total"] == expected.fillna(0).to_numpy().sum()
