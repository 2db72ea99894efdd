"""Tests for the judgement charts: what is drawn, what the alt text says, and that nothing leaks."""

from __future__ import annotations

import gc
import tracemalloc
import weakref

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from auditlib.data import schema
from auditlib.errors import AuditlibError, ReportError
from auditlib.report.charts import judgements
from auditlib.report.charts.palette import (
    JUDGEMENT_COLOURS,
    JUDGEMENT_TEXT_COLOURS,
    PAUSED_COLOUR,
    PAUSED_HATCH,
)
from auditlib.report.charts.style import HOUSE_STYLE, use_house_style

mpl.use("Agg")  # the charts never need pyplot; the tests use it only to count open figures

LABELS = list(schema.JUDGEMENT_LABELS)

# Counts chosen so that, rounded half up, each month reproduces the split the seed report
# publishes (Good / Requires Improvement / Inadequate; the shortfall from 100 % in November 2018
# and November 2019 is Not recorded). June–September 2020 are not published except August 15 %
# and September 7 % Inadequate.
#          month      label               state        O   G  RI   I  NR
SEED_ROWS = [
    ("2018-11", "November 2018", judgements.AUDITED, 0, 1, 44, 12, 13),
    ("2018-12", "December 2018", judgements.AUDITED, 0, 6, 33, 16, 0),
    ("2019-01", "January 2019", judgements.AUDITED, 0, 10, 41, 17, 0),
    ("2019-02", "February 2019", judgements.AUDITED, 0, 23, 40, 15, 0),
    ("2019-03", "March 2019", judgements.AUDITED, 0, 8, 58, 20, 0),
    ("2019-04", "April 2019", judgements.AUDITED, 0, 9, 49, 17, 0),
    ("2019-05", "May 2019", judgements.AUDITED, 0, 13, 57, 12, 0),
    ("2019-06", "June 2019", judgements.AUDITED, 0, 4, 57, 15, 0),
    ("2019-07", "July/August 2019", judgements.AUDITED, 0, 16, 84, 20, 0),
    ("2019-09", "September 2019", judgements.AUDITED, 0, 5, 38, 19, 0),
    ("2019-10", "October 2019", judgements.AUDITED, 0, 17, 46, 13, 0),
    ("2019-11", "November 2019", judgements.AUDITED, 0, 17, 39, 11, 8),
    ("2019-12", "December 2019", judgements.NO_AUDITS, 0, 0, 0, 0, 0),
    ("2020-01", "January 2020", judgements.AUDITED, 0, 21, 44, 11, 0),
    ("2020-02", "February 2020", judgements.AUDITED, 0, 20, 38, 18, 0),
    ("2020-03", "March 2020", judgements.PAUSED, 0, 0, 0, 0, 0),
    ("2020-04", "April 2020", judgements.PAUSED, 0, 0, 0, 0, 0),
    ("2020-05", "May 2020", judgements.PAUSED, 0, 0, 0, 0, 0),
    ("2020-06", "June 2020", judgements.AUDITED, 0, 11, 37, 12, 0),
    ("2020-07", "July 2020", judgements.AUDITED, 1, 15, 45, 14, 0),
    ("2020-08", "August 2020", judgements.AUDITED, 0, 15, 49, 11, 0),
    ("2020-09", "September 2020", judgements.AUDITED, 2, 20, 46, 5, 0),
]


def make_trend(rows: list[tuple] = SEED_ROWS) -> pd.DataFrame:
    counts = pd.DataFrame(
        [row[3:] for row in rows],
        columns=LABELS,
        index=pd.Index([row[0] for row in rows], name=schema.AUDIT_MONTH),
    )
    return counts.assign(
        **{
            schema.COMPLETED: counts.sum(axis=1),
            judgements.MONTH_LABEL: [row[1] for row in rows],
            judgements.STATE: [row[2] for row in rows],
        }
    )


def make_groups() -> pd.DataFrame:
    counts = pd.DataFrame(
        {
            schema.OUTSTANDING: [1, 0, 0, 2, 0, 0],
            schema.GOOD: [12, 3, 1, 9, 2, 0],
            schema.REQUIRES_IMPROVEMENT: [30, 12, 2, 20, 5, 0],
            schema.INADEQUATE: [9, 6, 1, 4, 3, 0],
            schema.NOT_RECORDED: [0, 1, 0, 0, 0, 0],
        },
        index=list(schema.COHORTS.values()),
    )
    return counts.assign(**{schema.COMPLETED: counts.sum(axis=1)})


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [t.get_text() for t in fig.texts]


def container(ax, label: str):
    return next(c for c in ax.containers if c.get_label() == label)


@pytest.fixture(scope="module")
def trend() -> pd.DataFrame:
    return make_trend()


@pytest.fixture(scope="module")
def trend_chart(trend):
    return judgements.plot_judgement_trend(trend)


# ------------------------------------------------------------------------------ judgement_shares
def test_shares_are_unrounded_percent_of_completed_and_nan_without_audits(trend):
    shares = judgements.judgement_shares(trend)
    assert shares.loc["2018-11", schema.GOOD] == pytest.approx(100 / 70)
    assert shares.loc["2018-11", schema.NOT_RECORDED] == pytest.approx(100 * 13 / 70)
    assert shares.loc["2019-09", schema.INADEQUATE] == pytest.approx(100 * 19 / 62)
    audited = trend[judgements.STATE] == judgements.AUDITED
    assert np.allclose(shares[audited].sum(axis=1), 100)
    assert shares.loc[["2019-12", "2020-04"]].isna().all().all()
    assert list(shares.columns) == LABELS


def test_shares_without_completed_column_use_the_label_total():
    table = pd.DataFrame({label: [1] for label in LABELS}, index=["Team A"])
    assert judgements.judgement_shares(table).loc["Team A"].tolist() == [20.0] * 5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.drop(columns=schema.INADEQUATE), "no column for Inadequate"),
        (lambda t: t.assign(**{schema.COMPLETED: t[schema.COMPLETED] + 1}), "not the sum"),
        (lambda t: t.assign(**{schema.GOOD: -t[schema.GOOD]}), "whole numbers of 0 or more"),
    ],
)
def test_bad_count_tables_raise_a_plain_error(change, message):
    with pytest.raises(AuditlibError, match=message):
        judgements.judgement_shares(change(make_groups()))


# --------------------------------------------------------------------------------- trend chart
def test_trend_alt_text_states_the_key_numbers(trend_chart):
    fig, alt = trend_chart
    assert isinstance(fig, Figure)
    assert alt.startswith(
        "100% stacked bar chart of overall judgements by month from November 2018 to September 2020"
    )
    assert "Inadequate ranged from 7% (September 2020) to 31% (September 2019)" in alt
    assert "Good or better from 1% (November 2018) to 30% (September 2020)" in alt
    assert "Requires Improvement from 50% (February 2020) to 75% (June 2019)" in alt
    assert "18 rounds with 1,358 completed audits" in alt
    assert "up to 19% (November 2018)" in alt
    assert (
        "In September 2020, the latest month (n=73): Outstanding 3%, Good 27%, "
        "Requires Improvement 63%, Inadequate 7%." in alt
    )
    assert "The programme was paused from March to May 2020." in alt
    assert "There was no audit round in December 2019." in alt


def test_trend_bars_are_the_shares_with_palette_colours(trend, trend_chart):
    fig, _ = trend_chart
    ax = fig.axes[0]
    shares = judgements.judgement_shares(trend)
    drawn = np.flatnonzero((trend[judgements.STATE] == judgements.AUDITED).to_numpy())
    inadequate = container(ax, schema.INADEQUATE)
    assert [p.get_x() + p.get_width() / 2 for p in inadequate] == pytest.approx(drawn)
    assert [p.get_height() for p in inadequate] == pytest.approx(
        shares[schema.INADEQUATE].iloc[drawn].to_numpy()
    )
    # Inadequate sits on the baseline of every bar.
    assert all(p.get_y() == 0 for p in inadequate)
    for label in LABELS:
        colours = {p.get_facecolor() for p in container(ax, label)}
        assert colours == {to_rgba(JUDGEMENT_COLOURS[label])}
    # Each audited bar reaches 100 %.
    tops = {}
    for label in LABELS:
        for p in container(ax, label):
            tops[round(p.get_x(), 6)] = max(
                tops.get(round(p.get_x(), 6), 0), p.get_y() + p.get_height()
            )
    assert list(tops.values()) == pytest.approx([100.0] * len(drawn))


def test_trend_segment_labels_are_half_up_with_contrasting_text(trend_chart):
    fig, _ = trend_chart
    ax = fig.axes[0]
    september_2019 = 9  # position of 2019-09 in the table
    at_sep = {t.get_text(): t for t in ax.texts if t.get_position()[0] == september_2019}
    assert {"31%", "61%", "8%"} <= set(at_sep)
    assert to_rgba(at_sep["31%"].get_color()) == to_rgba(JUDGEMENT_TEXT_COLOURS[schema.INADEQUATE])
    assert to_rgba(at_sep["61%"].get_color()) == to_rgba(
        JUDGEMENT_TEXT_COLOURS[schema.REQUIRES_IMPROVEMENT]
    )
    assert any("rounded half up" in text for text in texts(fig))


def test_largest_remainder_labels_add_to_100(trend):
    may_2019 = 6  # 13 / 57 / 12 of 82: half up shows 16 + 70 + 15 = 101
    sums = {}
    for rounding in ("half-up", "largest-remainder"):
        fig, _ = judgements.plot_judgement_trend(trend, rounding=rounding)
        shown = [
            int(t.get_text().rstrip("%"))
            for t in fig.axes[0].texts
            if t.get_position()[0] == may_2019 and t.get_text().endswith("%")
        ]
        sums[rounding] = sum(shown)
        assert any(rounding.replace("-", " ") in text for text in texts(fig))
    assert sums == {"half-up": 101, "largest-remainder": 100}


def test_paused_months_are_hatched_full_bars_labelled_paused(trend, trend_chart):
    fig, _ = trend_chart
    ax = fig.axes[0]
    paused_at = np.flatnonzero((trend[judgements.STATE] == judgements.PAUSED).to_numpy())
    bars = container(ax, judgements.PAUSED_TEXT)
    assert [p.get_x() + p.get_width() / 2 for p in bars] == pytest.approx(paused_at)
    assert all(p.get_height() == 100 for p in bars)
    assert all(p.get_hatch() == PAUSED_HATCH for p in bars)
    assert all(p.get_facecolor() == to_rgba(PAUSED_COLOUR) for p in bars)
    labelled = sorted(
        t.get_position()[0] for t in ax.texts if t.get_text() == judgements.PAUSED_TEXT
    )
    assert labelled == list(paused_at)
    # No judgement segment, not even a zero-height one, at a paused month.
    for label in LABELS:
        centres = [p.get_x() + p.get_width() / 2 for p in container(ax, label)]
        assert not set(np.round(centres, 6)) & set(paused_at)


def test_no_audit_month_is_labelled_no_round(trend, trend_chart):
    fig, _ = trend_chart
    ax = fig.axes[0]
    at = [t.get_position()[0] for t in ax.texts if t.get_text() == judgements.NO_ROUND_TEXT]
    assert at == [trend.index.get_loc("2019-12")]


def test_n_is_printed_above_every_audited_bar(trend, trend_chart):
    fig, _ = trend_chart
    n_labels = [t for t in fig.axes[0].texts if t.get_gid() == "n"]
    audited = trend[trend[judgements.STATE] == judgements.AUDITED]
    assert [t.get_text() for t in n_labels] == [str(n) for n in audited[schema.COMPLETED]]
    assert all(t.xy[1] == 100 for t in n_labels)


def test_month_labels_are_abbreviated_and_the_legend_is_outside(trend_chart):
    fig, _ = trend_chart
    ax = fig.axes[0]
    ticks = [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()]
    assert ticks[8] == "Jul/Aug 2019"
    assert ticks[-1] == "Sep 2020"
    renderer = fig.canvas.get_renderer()
    legend = fig.legends[0].get_window_extent(renderer)
    assert not legend.overlaps(ax.get_window_extent(renderer))
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [*LABELS, judgements.PAUSED_TEXT]


def test_trend_with_unknown_state_or_counts_in_a_paused_month_is_refused():
    bad_state = make_trend().assign(**{judgements.STATE: "on hold"})
    with pytest.raises(ReportError, match="unknown state"):
        judgements.plot_judgement_trend(bad_state)
    counted = make_trend()
    counted.loc["2020-04", [schema.GOOD, schema.COMPLETED]] = 3
    with pytest.raises(ReportError, match="2020-04"):
        judgements.plot_judgement_trend(counted)


def test_trend_months_out_of_order_are_refused_and_a_blank_label_falls_back_to_the_month():
    with pytest.raises(ReportError, match="in order"):
        judgements.plot_judgement_trend(make_trend().iloc[::-1])
    unlabelled = make_trend()
    unlabelled[judgements.MONTH_LABEL] = unlabelled[judgements.MONTH_LABEL].astype("string")
    unlabelled.loc["2019-09", judgements.MONTH_LABEL] = pd.NA
    _, alt = judgements.plot_good_or_better_trend(unlabelled)
    assert "to 31% (2019-09)" in alt


# ------------------------------------------------------------------------------- month split
def test_month_split_bars_and_alt_text(trend):
    fig, alt = judgements.plot_month_split(trend.loc["2020-09"], "September 2020")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == list(schema.JUDGEMENTS)
    assert [p.get_width() for p in ax.patches] == pytest.approx(
        [100 * 2 / 73, 100 * 20 / 73, 100 * 46 / 73, 100 * 5 / 73]
    )
    assert ax.patches[3].get_facecolor() == to_rgba(JUDGEMENT_COLOURS[schema.INADEQUATE])
    assert "7% (5)" in texts(fig)
    assert alt == (
        "Horizontal bar chart of overall judgements for September 2020, 73 completed audits: "
        "Outstanding 3% (2), Good 27% (20), Requires Improvement 63% (46), Inadequate 7% (5). "
        "Good or better (Outstanding and Good) 30%."
    )


def test_month_split_shows_not_recorded_only_when_there_is_one(trend):
    fig, alt = judgements.plot_month_split(trend.loc["2018-11"], "November 2018")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == LABELS
    assert "Not recorded 19% (13)" in alt


def test_month_split_rounds_half_up_not_to_even():
    # 1/8 = 12.5 % and 5/8 = 62.5 %: Python's round() would give 12 and 62.
    row = pd.Series(
        {
            schema.OUTSTANDING: 0,
            schema.GOOD: 1,
            schema.REQUIRES_IMPROVEMENT: 5,
            schema.INADEQUATE: 2,
            schema.NOT_RECORDED: 0,
            schema.COMPLETED: 8,
        }
    )
    fig, alt = judgements.plot_month_split(row, "March 2019")
    assert "Good 13% (1)" in alt
    assert "Requires Improvement 63% (5)" in alt
    assert "63% (5)" in texts(fig)


def test_month_split_with_no_completed_audits_says_so():
    row = pd.Series({**{label: 0 for label in LABELS}, schema.COMPLETED: 0})
    fig, alt = judgements.plot_month_split(row, "June 2020")
    assert alt == "Bar chart of overall judgements for June 2020: no completed audits."
    assert "No completed audits" in texts(fig)
    assert not fig.axes[0].patches


# -------------------------------------------------------------------------------- group chart
def test_groups_sorted_by_inadequate_with_small_groups_listed_last():
    table = make_groups()
    fig, alt = judgements.plot_judgements_by_group(
        table, "Judgements by practice theme", order="inadequate"
    )
    ax = fig.axes[0]
    names = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    cohorts = list(schema.COHORTS.values())
    # 30 %, 27 %, 17 %, 11 % Inadequate, then the two with fewer than 10 audits in given order.
    assert names == [cohorts[i] for i in (4, 1, 0, 3, 2, 5)]
    inadequate = container(ax, schema.INADEQUATE)
    assert len(inadequate) == 4
    assert [p.get_width() for p in inadequate] == pytest.approx(
        [30, 100 * 6 / 22, 100 * 9 / 52, 100 * 4 / 35]
    )
    n_texts = [t.get_text() for t in ax.texts if t.get_gid() == "n"]
    assert n_texts == [
        "n=10",
        "n=22",
        "n=52",
        "n=35",
        "n=4 — too few to compare",
        "n=0 — no completed audits",
    ]
    assert (
        f"{cohorts[0]} (n=52): Outstanding 2%, Good 23%, Requires Improvement 58%, Inadequate 17%."
        in alt
    )
    assert f"{cohorts[2]} (n=4) and {cohorts[5]} (n=0)" in alt
    assert "fewer than 10 completed audits" in alt


def test_groups_given_order_and_min_n_are_respected():
    table = make_groups()
    fig, alt = judgements.plot_judgements_by_group(table, "By theme", min_n=1)
    names = [t.get_text().replace("\n", " ") for t in fig.axes[0].get_yticklabels()]
    assert names == [*table.index[:5], table.index[5]]  # only the empty group is set aside
    assert len(container(fig.axes[0], schema.GOOD)) == 5
    assert "sorted in the order given" in alt


def test_groups_sorted_by_good_or_better():
    fig, _ = judgements.plot_judgements_by_group(make_groups(), "By theme", order="good_or_better")
    names = [t.get_text().replace("\n", " ") for t in fig.axes[0].get_yticklabels()]
    cohorts = list(schema.COHORTS.values())
    # Good or better: 11/35 = 31 %, 13/52 = 25 %, 2/10 = 20 %, 3/22 = 14 %.
    assert names[:4] == [cohorts[i] for i in (3, 0, 4, 1)]


# -------------------------------------------------------------------------------- line chart
def test_good_or_better_lines_break_at_pauses_and_gaps(trend):
    fig, alt = judgements.plot_good_or_better_trend(trend)
    ax = fig.axes[0]
    good_or_better, inadequate = ax.get_lines()[:2]
    not_audited = (trend[judgements.STATE] != judgements.AUDITED).to_numpy()
    for line in (good_or_better, inadequate):
        y = np.asarray(line.get_ydata(), dtype=float)
        assert np.isnan(y[not_audited]).all()
        assert not np.isnan(y[~not_audited]).any()
    assert np.asarray(inadequate.get_ydata())[9] == pytest.approx(100 * 19 / 62)
    assert good_or_better.get_color() == JUDGEMENT_COLOURS[schema.OUTSTANDING]
    assert inadequate.get_color() == JUDGEMENT_COLOURS[schema.INADEQUATE]
    assert texts(fig).count(judgements.PAUSED_TEXT) == 1  # one band for the March–May run
    assert "30%" in texts(fig) and "7%" in texts(fig)
    assert (
        "Inadequate ranged from 7% (September 2020) to 31% (September 2019) "
        "and was 7% in September 2020." in alt
    )
    assert "Good or better ranged from 1% (November 2018) to 30% (September 2020)" in alt
    assert "paused from March to May 2020" in alt


# ------------------------------------------------------------------------------ housekeeping
ALL_CHARTS = [
    lambda: judgements.plot_judgement_trend(make_trend()),
    lambda: judgements.plot_month_split(make_trend().loc["2019-09"], "September 2019"),
    lambda: judgements.plot_judgements_by_group(make_groups(), "By theme"),
    lambda: judgements.plot_good_or_better_trend(make_trend()),
]


def test_inputs_are_not_mutated():
    trend, groups = make_trend(), make_groups()
    row = trend.loc["2019-09"].copy()
    before = trend.copy(), groups.copy(), row.copy()
    judgements.plot_judgement_trend(trend)
    judgements.plot_good_or_better_trend(trend)
    judgements.plot_judgements_by_group(groups, "By theme")
    judgements.plot_month_split(row, "September 2019")
    pd.testing.assert_frame_equal(trend, before[0])
    pd.testing.assert_frame_equal(groups, before[1])
    pd.testing.assert_series_equal(row, before[2])


@pytest.mark.parametrize("chart", ALL_CHARTS)
def test_charts_leave_no_figure_or_style_behind(chart):
    rc_before = dict(mpl.rcParams)
    figures_before = plt.get_fignums()  # other tests in this process may have left some
    fig, alt = chart()
    assert alt
    assert plt.get_fignums() == figures_before
    assert dict(mpl.rcParams) == rc_before
    ref = weakref.ref(fig)
    del fig
    gc.collect()
    assert ref() is None


def test_fifty_charts_keep_no_figure_alive():
    row = make_trend().loc["2019-09"]
    figures_before = plt.get_fignums()
    refs = [weakref.ref(judgements.plot_month_split(row, "September 2019")[0]) for _ in range(50)]
    gc.collect()
    assert [ref for ref in refs if ref() is not None] == []
    assert plt.get_fignums() == figures_before


@pytest.mark.slow
def test_fifty_charts_do_not_grow_memory():
    row = make_trend().loc["2019-09"]
    for _ in range(5):  # warm matplotlib's font and text-layout caches
        judgements.plot_month_split(row, "September 2019")
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        for _ in range(50):
            judgements.plot_month_split(row, "September 2019")
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    # One leaked figure alone holds hundreds of kilobytes.
    assert grown < 200_000


def test_use_house_style_applies_and_restores():
    before = mpl.rcParams["font.size"]
    with use_house_style():
        assert mpl.rcParams["font.size"] == HOUSE_STYLE["font.size"]
        assert mpl.rcParams["axes.spines.right"] is False
    assert mpl.rcParams["font.size"] == before


# ------------------------------------------------------------------ published disclosure profile
def segment_texts_at(ax, x: int) -> list[str]:
    return [t.get_text() for t in ax.texts if t.get_position()[0] == x and t.get_gid() != "n"]


def test_hidden_cells_follow_the_published_rule_with_secondary_suppression(trend):
    hidden = judgements.hidden_cells(trend, profile="published")
    # September 2020: Outstanding 2 and Inadequate 5 are primary; Good or better goes with them.
    assert hidden.loc["2020-09"][hidden.loc["2020-09"]].index.tolist() == [
        schema.OUTSTANDING,
        schema.INADEQUATE,
        judgements.GOOD_OR_BETTER_KEY,
    ]
    # November 2018: Good 1 alone would be worked out from the total, so Inadequate 12 goes too.
    assert hidden.loc["2018-11", [schema.GOOD, schema.INADEQUATE]].all()
    assert not hidden.loc["2019-10"].any()
    assert not judgements.hidden_cells(trend, profile="internal").to_numpy().any()


def test_published_trend_merges_suppressed_segments_and_keeps_them_out_of_the_alt_text(trend):
    fig, alt = judgements.plot_judgement_trend(trend, profile="published")
    ax = fig.axes[0]
    sep = trend.index.get_loc("2020-09")
    inadequate = {round(p.get_x() + p.get_width() / 2): p for p in container(ax, schema.INADEQUATE)}
    assert inadequate[sep].get_height() == 0
    merged = {
        round(p.get_x() + p.get_width() / 2): p for p in container(ax, judgements.SUPPRESSED_LEGEND)
    }
    # Outstanding 2 and Inadequate 5 of 73, as one segment on top of Requires Improvement and Good.
    assert merged[sep].get_height() == pytest.approx(100 * 7 / 73)
    assert merged[sep].get_y() == pytest.approx(100 * 66 / 73)
    assert merged[sep].get_hatch() == judgements.SUPPRESSED_HATCH
    shown = segment_texts_at(ax, sep)
    assert {"63%", "27%"} <= set(shown) and not {"3%", "7%"} & set(shown)
    assert "In September 2020, the latest month (n=73): Outstanding [c], Good 27%, " in alt
    assert "Requires Improvement 63%, Inadequate [c]." in alt
    assert "7% (September 2020)" not in alt and "1% (November 2018)" not in alt
    assert "are suppressed ([c]) and left out of these ranges" in alt
    assert judgements.SUPPRESSED_LEGEND in [t.get_text() for t in fig.legends[0].get_texts()]
    assert any("[c]: suppressed to protect confidentiality" in text for text in texts(fig))


def test_published_trend_hides_an_n_of_1_to_5_and_every_share_of_it():
    rows = [*SEED_ROWS[:-1], ("2020-09", "September 2020", judgements.AUDITED, 0, 1, 2, 1, 0)]
    trend = make_trend(rows)
    fig, alt = judgements.plot_judgement_trend(trend, profile="published")
    ax = fig.axes[0]
    sep = len(rows) - 1
    n_labels = {t.xy[0]: t.get_text() for t in ax.texts if t.get_gid() == "n"}
    assert n_labels[sep] == "[c]" and n_labels[0] == "70"
    merged = {
        round(p.get_x() + p.get_width() / 2): p for p in container(ax, judgements.SUPPRESSED_LEGEND)
    }
    assert merged[sep].get_height() == pytest.approx(100)
    assert not {"25%", "50%"} & set(segment_texts_at(ax, sep))
    assert "(n=[c]): Outstanding [c], Good [c], Requires Improvement [c], Inadequate [c]." in alt
    # No grand total: with one n hidden it would give that n away.
    assert "completed audits in all" not in alt and "n suppressed in 1" in alt


def test_an_explicit_mask_is_what_the_chart_hides(trend):
    mask = pd.DataFrame(False, index=trend.index, columns=[schema.GOOD])
    mask.loc["2019-09", schema.GOOD] = True
    fig, alt = judgements.plot_judgement_trend(trend, suppress=mask)
    ax = fig.axes[0]
    sep_2019 = trend.index.get_loc("2019-09")
    good = {round(p.get_x() + p.get_width() / 2): p for p in container(ax, schema.GOOD)}
    assert good[sep_2019].get_height() == 0
    assert "8%" not in segment_texts_at(ax, sep_2019)
    # Only what the mask says: September 2020's small counts are shown.
    assert "Inadequate ranged from 7% (September 2020)" in alt
    with pytest.raises(ReportError, match="no row for 2020-09"):
        judgements.plot_judgement_trend(trend, suppress=mask.drop(index="2020-09"))
    with pytest.raises(ReportError, match="unknown column"):
        judgements.plot_judgement_trend(trend, suppress=mask.rename(columns={schema.GOOD: "Gud"}))


def test_published_month_split_shows_c_for_suppressed_labels(trend):
    fig, alt = judgements.plot_month_split(
        trend.loc["2020-09"], "September 2020", profile="published"
    )
    assert [p.get_width() for p in fig.axes[0].patches] == pytest.approx(
        [0, 100 * 20 / 73, 100 * 46 / 73, 0]
    )
    assert texts(fig).count("[c]") == 2
    assert "7% (5)" not in texts(fig) and "27% (20)" in texts(fig)
    assert "73 completed audits; Good or better [c]" in texts(fig)
    assert alt == (
        "Horizontal bar chart of overall judgements for September 2020, 73 completed audits: "
        "Outstanding [c], Good 27% (20), Requires Improvement 63% (46), Inadequate [c]. "
        "Good or better (Outstanding and Good) [c]. Figures from counts of 1 to 5, and any "
        "from which one could be worked out, are suppressed ([c])."
    )
    # The report's own mask can keep Good or better shown (figures.json protects it as a sum).
    mask = pd.Series(
        {schema.OUTSTANDING: True, schema.INADEQUATE: True, judgements.GOOD_OR_BETTER_KEY: False}
    )
    _, alt = judgements.plot_month_split(trend.loc["2020-09"], "September 2020", suppress=mask)
    assert "Good or better (Outstanding and Good) 30%." in alt


def test_published_groups_hide_small_n_and_sort_hidden_shares_as_zero():
    cohorts = list(schema.COHORTS.values())
    fig, alt = judgements.plot_judgements_by_group(
        make_groups(), "By theme", order="inadequate", profile="published"
    )
    ax = fig.axes[0]
    names = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    # Only the group with 6 Inadequate shows its share; the others sort as if 0, in given order.
    assert names == [cohorts[i] for i in (1, 0, 3, 4, 2, 5)]
    n_texts = [t.get_text() for t in ax.texts if t.get_gid() == "n"]
    assert n_texts[-2:] == ["n=[c] — too few to compare", "n=0 — no completed audits"]
    assert f"{cohorts[2]} (n=[c]) and {cohorts[5]} (n=0)" in alt
    assert (
        f"{cohorts[0]} (n=52): Outstanding [c], Good 23%, Requires Improvement 58%, "
        "Inadequate [c]." in alt
    )
    assert len(container(ax, judgements.SUPPRESSED_LEGEND)) == 4


def _hidden_cells_by_pandas(table: pd.DataFrame, mask: pd.DataFrame) -> pd.DataFrame:
    """hidden_cells' rules for a given mask, column by column in pandas (as they were)."""
    labels = list(schema.JUDGEMENT_LABELS)
    columns = [*labels, schema.COMPLETED, judgements.GOOD_OR_BETTER_KEY]
    hidden = pd.DataFrame(False, index=table.index, columns=columns)
    given = mask.reindex(index=table.index, columns=columns).astype("object")
    hidden = hidden | given.where(given.notna(), False).astype(bool)
    hidden.loc[hidden[schema.COMPLETED], labels] = True
    if judgements.GOOD_OR_BETTER_KEY not in mask.columns:
        hidden[judgements.GOOD_OR_BETTER_KEY] = hidden[schema.OUTSTANDING] | hidden[schema.GOOD]
    hidden[judgements.GOOD_OR_BETTER_KEY] |= hidden[schema.COMPLETED]
    return hidden


def test_hidden_cells_follow_the_masks_rules_for_any_mask():
    """Random masks (blanks, missing columns, with and without good_or_better): the cells
    hidden are the ones the rules worked out column by column give."""
    rng = np.random.default_rng(5)
    labels = list(schema.JUDGEMENT_LABELS)
    table = pd.DataFrame(
        rng.integers(0, 9, (6, len(labels))), columns=labels, index=[f"r{i}" for i in range(6)]
    )
    table[schema.COMPLETED] = table[labels].sum(axis=1)
    columns = [*labels, schema.COMPLETED, judgements.GOOD_OR_BETTER_KEY]
    for _ in range(40):
        chosen = [c for c in columns if rng.random() < 0.7]
        values = rng.random((len(table), len(chosen))) < 0.25
        mask = pd.DataFrame(values, index=table.index, columns=chosen).astype(object)
        mask = mask.mask(rng.random(mask.shape) < 0.1)  # some blanks
        mask = mask.iloc[rng.permutation(len(mask))]  # in another order
        got = judgements.hidden_cells(table, suppress=mask)
        pd.testing.assert_frame_equal(got, _hidden_cells_by_pandas(table, mask))
