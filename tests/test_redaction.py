"""Redaction: the corpus (tests/data/redaction_corpus.yml), idempotency, odd inputs, counts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from auditlib.analysis.redaction import (
    REDACTION_KINDS,
    TOKENS,
    clean_text,
    count_redactions,
    is_valid_nhs_number,
    learn_id_patterns,
    redact_frame,
    redact_text,
    summarise_redactions,
)
from auditlib.errors import DataError

CORPUS = yaml.safe_load(
    (Path(__file__).parent / "data" / "redaction_corpus.yml").read_text(encoding="utf-8")
)
CASES = CORPUS["cases"]
DENYLIST = CORPUS["denylist"]
ID_VALUES = CORPUS["id_values"]


def _denylist(case: dict) -> list[str]:
    return case.get("denylist", DENYLIST)


def _ids(case: dict) -> tuple[str, ...]:
    return learn_id_patterns(case.get("id_values", ID_VALUES))


def test_corpus_is_big_and_has_both_sorts_of_case():
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
    left_alone = [c for c in CASES if c["text"] == c["expected"]]
    changed = [c for c in CASES if c["text"] != c["expected"]]
    assert len(CASES) >= 40
    assert len(left_alone) >= 15
    assert len(changed) >= 25
    # Every token appears in some expected output, so every kind is exercised.
    expected = " ".join(c["expected"] for c in changed)
    assert all(token in expected for token in TOKENS.values())


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_corpus(case):
    assert redact_text(case["text"], _denylist(case), ids=_ids(case)) == case["expected"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_corpus_is_idempotent(case):
    once = redact_text(case["text"], _denylist(case), ids=_ids(case))
    assert redact_text(once, _denylist(case), ids=_ids(case)) == once


FRAGMENTS = [
    "Mr Smith",
    "Ms J. Brown",
    "Mrs O'Neil",
    "Kasey Senior",
    "Jayden",
    "hope",
    "Hope",
    "07989 081145",
    "01372 832491",
    "+44 7700 900123",
    "943 476 5919",
    "9434765918",
    "DOB",
    "born on",
    "12/03/2011",
    "3rd March 2015",
    "March 2020",
    "10:30",
    "2020",
    "KT1 2EE",
    "KT1",
    "lives in",
    "area",
    "S47",
    "a@b.co",
    "[name]",
    "[phone]",
    "£250",
    "SW's",
    "-",
    "/",
    "(",
    ")",
    ".",
    ",",
    ":",
    "0",
    "1",
    "’",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=12), st.sampled_from([" ", "", "  "]))
def test_redaction_is_idempotent_and_never_raises(parts, joiner):
    text = joiner.join(parts)
    once = redact_text(text, ["Kasey Senior", "Jayden", "Hope"])
    assert isinstance(once, str)
    assert redact_text(once, ["Kasey Senior", "Jayden", "Hope"]) == once


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_any_text_is_redacted_without_error(text):
    once = redact_text(text, ["Kasey Senior"])
    assert redact_text(once, ["Kasey Senior"]) == once


@pytest.mark.parametrize("value", [None, np.nan, pd.NA, float("nan")])
def test_missing_values_come_back_unchanged(value):
    assert redact_text(value) is value
    assert count_redactions(value) == dict.fromkeys(REDACTION_KINDS, 0)


def test_non_text_values_are_redacted_as_text():
    assert redact_text(9434765919) == "[NHS number]"
    assert redact_text(42) == "42"
    assert redact_text(["Mr Smith"]) == "['[name]']"


def test_denylist_may_be_any_iterable_or_a_single_name():
    assert redact_text("Jayden and Kai", ("Jayden", "Kai")) == "[name] and [name]"
    assert redact_text("Jayden and Kai", "Kai") == "Jayden and [name]"
    assert redact_text("Jayden", None) == "Jayden"
    # Blank entries and one-letter entries are ignored rather than redacting every "a".
    assert redact_text("A visit to Kai", ["", " ", "A", "Kai"]) == "A visit to [name]"


def test_longest_denylist_entry_wins():
    assert redact_text("Kasey Senior and Kasey", ["Kasey", "Kasey Senior"]) == "[name] and [name]"
    assert count_redactions("Kasey Senior and Kasey", ["Kasey", "Kasey Senior"])["name"] == 2


def test_nhs_check_digit():
    assert is_valid_nhs_number("943 476 5919")
    assert is_valid_nhs_number("401-023-2137")
    assert not is_valid_nhs_number("401 023 2136")
    assert not is_valid_nhs_number("943476591")  # nine digits
    # 6 × 2 = 12, remainder 1, check digit 10: no valid number starts like this.
    assert not any(is_valid_nhs_number(f"000000006{d}") for d in "0123456789")


def test_count_redactions_counts_by_kind():
    counts = count_redactions(
        "Mr Smith and Dr Patel, 07989 081145, DOB 01/02/2010 and 03/04/2020, KT1 2EE, Jayden",
        ["Jayden"],
    )
    assert counts == {
        "email": 0,
        "id": 0,
        "phone": 1,
        "postcode": 1,
        "nhs_number": 0,
        "date_of_birth": 1,
        "date": 1,
        "name": 3,
    }
    assert list(counts) == list(REDACTION_KINDS)


def test_redact_frame_returns_a_new_frame_and_keeps_the_input():
    df = pd.DataFrame(
        {
            "feedback_id": ["F1", "F2", "F3"],
            "text": ["Mr Smith rang 07989 081145", None, "Fine"],
            "other": ["Dr Patel", "x", "y"],
        }
    )
    before = df.copy(deep=True)
    out = redact_frame(df, ["text"], ["Jayden"])
    pd.testing.assert_frame_equal(df, before)
    assert out["text"].tolist()[0] == "[name] rang [phone]"
    assert pd.isna(out["text"].tolist()[1])
    assert out["text"].tolist()[2] == "Fine"
    assert out["other"].tolist() == ["Dr Patel", "x", "y"]  # only the named columns
    assert out["text"].dtype == df["text"].dtype
    assert redact_frame(df, "other")["other"].tolist() == ["[name]", "x", "y"]


def test_redact_frame_names_a_missing_column():
    with pytest.raises(DataError, match="notes"):
        redact_frame(pd.DataFrame({"text": ["a"]}), ["notes"])


def test_summarise_redactions_counts_without_values():
    df = pd.DataFrame(
        {
            "text": ["Mr Smith", "ring 07989 081145 or 020 7946 0018", None],
            "note": ["a@b.org", "Jayden", "fine"],
        }
    )
    table = summarise_redactions(df, ["text", "note"], ["Jayden"])
    assert list(table.index) == list(REDACTION_KINDS)
    assert table.loc["phone", "text"] == 2
    assert table.loc["name", "text"] == 1
    assert table.loc["name", "note"] == 1
    assert table.loc["email", "note"] == 1
    assert table.loc["name", "total"] == 2
    assert table["total"].sum() == 5
    # Nothing identifying is in the table: only kinds and counts.
    assert not any("Smith" in str(v) or "0798" in str(v) for v in table.to_numpy().ravel())


# ---------------------------------------------------------------- evasions and bounds
def test_id_shapes_are_learned_from_the_id_columns_values():
    assert learn_id_patterns(["C8756263", "C1234567", "SW0123", "12", "2019", None, ""]) == (
        r"C\d{7}",
        r"SW\d{4}",
    )
    # Too many shapes: letters are generalised, so every id is still covered.
    many = [f"{a}{b}{n:05d}" for a in "ABCDEFGH" for b in "XYZQRSTU" for n in (1, 2)]
    assert learn_id_patterns(many) == (r"[A-Z]{2}\d{5}",)
    assert redact_text("ref KQ01234", ids=learn_id_patterns(many)) == "ref [id]"


def test_control_and_invisible_characters_are_stripped_from_any_text():
    assert clean_text("a\x00b\x1bc\x7fd\u202ee\u2066f\u200bg\ufeffh\r\ni") == "abcdefgh\ni"
    assert clean_text("ＡＢＣ１２３") == "ABC123"
    assert redact_text("Line one\nLine two\tend") == "Line one\nLine two\tend"


def _seconds(text: str, ids: tuple[str, ...]) -> float:
    """The best of three timings, without the garbage collector: other work on the machine
    only ever adds time, so the minimum is the truest."""
    import gc
    import time

    best = float("inf")
    gc.disable()
    try:
        for _ in range(3):
            started = time.perf_counter()
            redact_text(text, DENYLIST, ids=ids)
            best = min(best, time.perf_counter() - started)
    finally:
        gc.enable()
    return best


@pytest.mark.parametrize(
    "unit",
    ["a", "jane dot ", "x (dot) ", "@a.", "1.", "Mr ", "born ", "A1 ", "C8756263 07700 "],
    ids=[
        "letters",
        "spelled-dots",
        "bracketed-dots",
        "at-dots",
        "decimals",
        "titles",
        "cues",
        "codes",
        "ids",
    ],
)
def test_redaction_is_linear_in_the_length_of_the_text(unit):
    """Doubling the text at most about doubles the time (quadratic would quadruple it)."""
    ids = learn_id_patterns(ID_VALUES)
    size = 50_000
    small = (unit * (size // len(unit) + 1))[:size]
    large = (unit * (2 * size // len(unit) + 1))[: 2 * size]
    # Other work on a shared machine can only slow one timing down: a text that is linear
    # shows a ratio near 2 in at least one of three tries, a quadratic one never below 4.
    for _ in range(3):
        ratio = _seconds(large, ids) / _seconds(small, ids)
        if ratio < 3.2:
            break
    assert ratio < 3.2, f"doubling the text multiplied the time by {ratio:.1f}"


def test_a_150k_letter_word_is_redacted_whole():
    word = "a" * 150_000
    assert redact_text(f"Mr Smith {word} 07700 900123") == f"[name] {word} [phone]"
