"""The monthly report's sections, built as blocks (no kernel): content, omission, disclosure."""

from __future__ import annotations

import re
import shutil
from functools import cache

import pandas as pd
import pytest

from auditlib.errors import ReportError
from auditlib.paths import DEMO_DATA_DIR
from auditlib.report import blocks, monthly
from auditlib.report.blocks import Chart, Table, blocks_text


@cache
def report(month: str = "2020-09", disclosure: str = "internal") -> monthly.MonthContext:
    return monthly.prepare(month, DEMO_DATA_DIR, disclosure)


def text(blocks) -> str:
    return " ".join(blocks_text(blocks).split())


def test_headline_states_the_seed_figures_and_the_month():
    t = text(monthly.headline.section(report()))
    assert "Since December 2018 and up to and including September 2020, 1,632 children's cases" in t
    assert "an overall compliance rate of 80%" in t
    assert "Since March 2019, 456 re-audits have been allocated and 361 completed" in t
    month = report().figures["month"]
    assert (
        f"In September 2020, {month['allocated']} audits were allocated and {month['completed']} completed"
        in t
    )
    assert "paused from March to May 2020: COVID-19 stay-at-home order" in t


def test_judgement_section_compares_with_the_previous_month():
    t = text(monthly.judgements.section(report()))
    assert "Compared with August 2020, Good or better rose by 10 percentage points" in t
    assert "Inadequate fell by 9 percentage points" in t
    figures = [b for b in monthly.judgements.section(report()) if isinstance(b, Chart)]
    assert len(figures) == 2 and all(len(f.alt) > 80 for f in figures)


def test_shift_verdicts_are_computed_from_the_numbers():
    t = text(monthly.shifts.section(report()))
    # the months since the pause are too few for a shift: runs no longer span a gap
    assert "% Good or better in September 2020 (34%): within normal variation" in t
    assert "% Inadequate in September 2020 (7%): within normal variation" in t
    assert "7% Inadequate in September 2020 (n=61) against 15% in August 2020 (n=79)" in t
    assert "Of 356 re-audited cases" in t and "Stuart–Maxwell" in t
    assert "weighted kappa" in t


def test_first_month_after_the_pause_compares_with_february():
    t = text(monthly.judgements.section(report("2020-06")))
    assert "Compared with February 2020" in t


def test_practice_themes_name_the_months_themes_and_inadequate_shares():
    t = text(monthly.themes.section(report()))
    assert (
        "7% of cases audited in September 2020 and 15% in August 2020 were judged Inadequate" in t
    )
    assert "Children reported missing in the last 6 months" in t


def test_priority_recommendations_mark_repeats_and_are_omitted_without_any():
    t = text(monthly.recommendations.priority_section(report()))
    assert "(first recommended in August 2020)" in t
    first = text(monthly.recommendations.priority_section(report("2018-11")))
    assert "first recommended" not in first  # nothing earlier to repeat


def test_sections_without_data_are_left_out(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DEMO_DATA_DIR, data)
    for name in ("feedback.csv", "reflections.csv", "recommendations.yml"):
        (data / name).unlink()
    r = monthly.prepare("2020-09", data)
    assert monthly.feedback.section(r) == []
    assert monthly.reflections.section(r) == []
    assert monthly.recommendations.priority_section(r) == []
    assert monthly.recommendations.section(r) == []
    assert monthly.headline.section(r)  # the rest still there


def test_published_profile_suppresses_small_counts_in_narrative():
    t = text(monthly.judgements.section(report("2020-09", "published")))
    # September 2020 had 4 Inadequate of 61 audits: a count of 1-5, so its share is [c]
    assert "[c] Inadequate" in t
    assert "7% Inadequate" not in t
    internal = text(monthly.judgements.section(report("2020-09", "internal")))
    assert "7% Inadequate" in internal


def test_published_shift_verdicts_hide_shares_resting_on_small_counts():
    t = text(monthly.shifts.section(report("2020-09", "published")))
    # A suppressed month gets no SPC verdict (its share would sit between stated limits).
    assert "% Inadequate in September 2020: [c] — the figure is suppressed" in t
    assert "(7%)" not in t


def test_data_quality_accounts_for_every_row():
    r = report()
    blocks = monthly.data_quality.section(r)
    table = next(b for b in blocks if isinstance(b, Table)).frame
    audits = table.loc["audits.csv"]
    read, used, excluded = (
        int(audits[c].replace(",", "")) for c in ("Rows read", "Rows used", "Rows excluded")
    )
    assert read == used + excluded == len(pd.read_csv(DEMO_DATA_DIR / "audits.csv"))
    assert r.figures["input_hash"][:16] in text(blocks)


def test_paused_month_has_no_report():
    with pytest.raises(
        ReportError, match=r"2020-04: the programme was paused from 2020-03 to 2020-05"
    ):
        monthly.prepare("2020-04", DEMO_DATA_DIR)


def test_month_outside_the_data_has_no_report():
    with pytest.raises(
        ReportError, match=r"2021-01: the data in .* have no audits allocated in this month"
    ):
        monthly.prepare("2021-01", DEMO_DATA_DIR)


@pytest.mark.parametrize("month", ["2018-11", "2020-06", "2020-09"])
@pytest.mark.parametrize("disclosure", ["internal", "published"])
def test_key_messages_sum_up_the_sections_and_link_to_them(month, disclosure):
    ctx = report(month, disclosure)
    built = monthly.build(ctx)
    headings = {b.text for b in built if isinstance(b, blocks.Heading)}
    messages = monthly.key_messages.section(ctx)[1].text.splitlines()
    assert 3 <= len(messages) <= 6
    for message in messages:
        targets = re.findall(r"\]\(#([\w-]+)\)", message)
        assert len(targets) == 1, message
        assert targets[0] in {blocks.anchor(h) for h in headings}, message
    # Nothing computed twice: the judgement message is the shift section's own verdicts.
    shift_text = text(monthly.shifts.section(ctx))
    for measure in ("% Good or better", "% Inadequate"):
        verdict = monthly.shifts.spc_verdict(ctx, measure)
        assert verdict in messages[1] and " ".join(verdict.split()) in shift_text


def test_key_messages_state_the_headline_figures_and_repeats():
    messages = text(monthly.key_messages.section(report()))
    assert "80% of the 1,632 audits allocated since December 2018 have been completed" in messages
    assert "66% of the 93 allocated in September 2020" in messages
    repeats = int(report().recommendations["repeated"].sum())
    assert f"{repeats} of the {len(report().recommendations)} recommendations" in messages


def test_key_messages_hide_what_the_sections_hide_when_published():
    published = text(monthly.key_messages.section(report("2020-09", "published")))
    assert "% Inadequate in September 2020: [c] — the figure is suppressed" in published
    assert "(7%)" not in published
