"""auditlib.report.charts.layout: charts laid out by arithmetic, checked against a real drawing.

The charts never draw before they are saved; these tests draw them (with Agg, as a PNG
would be) and check what the arithmetic promised: month labels that do not overlap,
nothing outside the figure, no plot under the title or note, and every segment label
inside its segment.
"""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from auditlib.analysis import spc, stats
from auditlib.data import schema
from auditlib.report.charts import judgements, layout, statistical
from auditlib.report.charts.style import use_house_style

LABELS = list(schema.JUDGEMENT_LABELS)


def _trend(n_months: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    months = pd.period_range("2019-01", periods=n_months, freq="M").strftime("%Y-%m")
    counts = pd.DataFrame(
        rng.integers(0, 40, size=(n_months, len(LABELS))), columns=LABELS, index=months
    )
    counts[schema.OUTSTANDING] //= 8
    counts[schema.NOT_RECORDED] //= 10
    labels = pd.period_range("2019-01", periods=n_months, freq="M").strftime("%B %Y")
    return counts.assign(
        **{
            schema.COMPLETED: counts.sum(axis=1),
            judgements.MONTH_LABEL: list(labels),
            judgements.STATE: judgements.AUDITED,
        }
    )


def _drawn(fig: Figure):
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def _inside(box: Bbox, fig: Figure, slack: float = 1.5) -> bool:
    width, height = fig.bbox.width, fig.bbox.height
    return (
        box.x0 >= -slack
        and box.y0 >= -slack
        and box.x1 <= width + slack
        and (box.y1 <= height + slack)
    )


@pytest.mark.parametrize("n_months", [3, 12, 25, 48, 80])
def test_month_labels_never_overlap_and_everything_stays_in_the_figure(n_months):
    fig, _ = judgements.plot_judgement_trend(_trend(n_months))
    renderer = _drawn(fig)
    ax = fig.axes[0]
    ticks = [t for t in ax.get_xticklabels() if t.get_text()]
    boxes = sorted((t.get_window_extent(renderer) for t in ticks), key=lambda b: b.x0)
    rotation = ticks[0].get_rotation()
    for a, b in itertools.pairwise(boxes):
        if rotation == 0:
            assert a.x1 <= b.x0 + 0.5
        else:
            # Slanted or upright labels are apart along the axis by more than their height.
            assert b.x0 - a.x0 > 0
    assert (
        ticks[-1]
        .get_text()
        .replace("\n", " ")
        .endswith(str(_trend(n_months)[judgements.MONTH_LABEL].iloc[-1][-4:]))
    )
    texts = [*ticks, *ax.texts, *fig.texts, *ax.get_yticklabels()]
    for text in texts:
        if text.get_text() and text.get_visible():
            assert _inside(text.get_window_extent(renderer), fig), text.get_text()
    # The plot and its n labels sit between the title band and the note.
    title, note = (
        fig.texts[0].get_window_extent(renderer),
        fig.texts[-1].get_window_extent(renderer),
    )
    plot = ax.get_window_extent(renderer)
    assert plot.y1 < title.y0 and plot.y0 > note.y1
    legend = fig.legends[0].get_window_extent(renderer)
    assert not legend.overlaps(plot)
    for t in (t for t in ax.texts if t.get_gid() == "n"):
        assert t.get_window_extent(renderer).y0 >= plot.y1 - 0.5


def test_the_label_mode_follows_the_width_a_month_has():
    wide = judgements._month_tick_plan(["January 2020", "February 2020"], slot=60)
    assert wide.rotation == 0 and wide.labels[0] == "Jan\n2020"
    slanted = judgements._month_tick_plan(["January 2020"] * 20, slot=20)
    assert slanted.rotation == 45 and slanted.labels[0] == "Jan 2020"
    every = judgements._month_tick_plan([f"M{i} 2020" for i in range(40)], slot=4)
    assert every.rotation == 90
    shown = [i for i, label in enumerate(every.labels) if label]
    assert shown[-1] == 39 and len(shown) < 40  # the latest month is always labelled


def test_segment_labels_fit_their_segments_when_drawn():
    for table in (_trend(18), _trend(40, seed=8)):
        fig, _ = judgements.plot_judgement_trend(table)
        renderer = _drawn(fig)
        ax = fig.axes[0]
        segments = [p for c in ax.containers for p in c.patches]
        for text in ax.texts:
            if not text.get_text().endswith("%"):
                continue
            x, y = text.get_position()
            rect = next(
                p
                for p in segments
                if abs(p.get_x() + p.get_width() / 2 - x) < 1e-9
                and p.get_y() <= y <= p.get_y() + p.get_height()
            )
            inner = rect.get_window_extent(renderer).expanded(1.0, 1.0)
            box = text.get_window_extent(renderer)
            # Agg measures hinted text a pixel or so wider than the font's own metrics.
            assert box.width <= inner.width + 2.5 and box.height <= inner.height + 2.5


def test_group_and_month_charts_keep_their_labels_in_the_figure():
    groups = pd.DataFrame(
        {
            schema.OUTSTANDING: [1, 0, 2],
            schema.GOOD: [30, 3, 9],
            schema.REQUIRES_IMPROVEMENT: [30, 12, 20],
            schema.INADEQUATE: [9, 6, 4],
            schema.NOT_RECORDED: [0, 1, 0],
        },
        index=[
            "Children reported missing in the last 6 months and at risk of CSE",
            "Children in Need (CiN)",
            "Care leavers",
        ],
    )
    groups[schema.COMPLETED] = groups.sum(axis=1)
    split = groups.iloc[0].copy()
    split[schema.REQUIRES_IMPROVEMENT] = 200  # one long bar whose label must still fit
    split[schema.COMPLETED] = split[LABELS].sum()
    for fig, _ in (
        judgements.plot_judgements_by_group(groups, "Overall judgements by cohort"),
        judgements.plot_month_split(split, "September 2020"),
    ):
        renderer = _drawn(fig)
        ax = fig.axes[0]
        for text in [*ax.texts, *ax.get_yticklabels(), *fig.texts]:
            if text.get_text():
                assert _inside(text.get_window_extent(renderer), fig), text.get_text()


def test_statistical_charts_fit_their_titles_legends_and_notes():
    k = pd.Series([12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22])
    months = [f"2019-{m:02d}" for m in range(1, 13)] + ["2020-01", "2020-02", "2020-03"]
    result = spc.compute_xmr(pd.Series(100 * k.to_numpy() / 50, index=months), improvement="down")
    suppress = pd.Series({months[2]: True})
    j = list(schema.JUDGEMENTS)
    table = pd.DataFrame([[0, 1, 0, 0], [0, 6, 2, 0], [0, 30, 40, 10], [0, 5, 30, 20]], j, j)
    counts = pd.DataFrame(
        {schema.INADEQUATE: [2, 5, 8, 11, 27], "completed": [12, 25, 40, 60, 45]},
        index=[f"Team {c}" for c in "ABCDE"],
    )
    charts = [
        statistical.plot_spc(result, measure="% Inadequate", suppress=suppress)[0],
        statistical.plot_reaudit_heatmap(stats.summarise_reaudit_shifts(table))[0],
        statistical.plot_funnel(
            stats.compute_funnel(counts, schema.INADEQUATE), measure="% Inadequate"
        )[0],
    ]
    for fig in charts:
        renderer = _drawn(fig)
        ax = fig.axes[0]
        texts = [ax.title, ax._left_title, ax.xaxis.label, ax.yaxis.label, *fig.texts, *ax.texts]
        # Tick labels outside the view are not drawn.
        low, high = sorted(ax.get_xlim())
        texts += [t for t in ax.get_xticklabels() if low <= t.get_position()[0] <= high]
        low, high = sorted(ax.get_ylim())
        texts += [t for t in ax.get_yticklabels() if low <= t.get_position()[1] <= high]
        for text in texts:
            if text.get_text() and text.get_visible():
                assert _inside(text.get_window_extent(renderer), fig), text.get_text()
        for legend in [*fig.legends, *([ax.get_legend()] if ax.get_legend() else [])]:
            assert _inside(legend.get_window_extent(renderer), fig)


def test_text_metrics_agree_with_matplotlibs_own_layout():
    fig = Figure(dpi=72)
    FigureCanvasAgg(fig)
    with use_house_style():
        for text, size in (("Requires Improvement", 8), ("100%", 8), ("n=36", 7), ("Nov\n2018", 8)):
            drawn = fig.text(0, 0, text, fontsize=size)
            box = drawn.get_window_extent(fig.canvas.get_renderer())
            assert layout.text_width(text, size) == pytest.approx(box.width, abs=1.5)
            assert layout.text_height(text, size) == pytest.approx(box.height, abs=1.5)
    assert layout.rotated_extent(10, 2, 90) == pytest.approx((2, 10))
    width, height = layout.legend_size(["Mean", "Process limits"], 8)
    assert 60 < width < 120 and 20 < height < 40


def test_a_chart_asked_to_hold_more_than_its_size_says_so():
    fig = Figure(figsize=(1, 1))
    ax = fig.add_subplot()
    with pytest.raises(ValueError, match="no room"):
        layout.place_axes(fig, ax, layout.Margins(left=50, right=50, top=10, bottom=10))


def test_each_text_is_measured_once_whoever_asks_and_as_matplotlib_measures_it():
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    from auditlib.report import display

    words = "Overall judgements by month, 2018 to 2020 (test of the shared metrics)"
    with use_house_style():
        prop = FontProperties(family=matplotlib.rcParams["font.family"], size=8.0)
        own = text_to_path.get_text_width_height_descent(words, prop, ismath=False)
        layout._MEASURED.clear()
        width = layout.text_width(words, 8.0)  # the layout measures it ...
        assert width == own[0]
        assert len(layout._MEASURED) == 1
        # ... and the SVG renderer, asking with its own font properties, finds it measured
        assert display._svg_text_metrics(words, prop.copy()) == own
        assert len(layout._MEASURED) == 1
        # another size is another measurement
        assert layout.text_metrics(words, FontProperties(size=9.0)) != own
        assert len(layout._MEASURED) == 2


def _unsettle(fig: Figure) -> None:
    """Matplotlib's own placing of every title and axis label back."""
    for ax in fig.axes:
        ax._autotitlepos = True
        ax.xaxis._autolabelpos = True
        ax.yaxis._autolabelpos = True


@pytest.mark.parametrize(
    ("month", "disclosure"), [("2020-09", "internal"), ("2019-06", "published")]
)
def test_settled_titles_and_labels_are_where_matplotlib_puts_them(month, disclosure):
    """Every chart of a demo month's report draws the same SVG whether its titles and
    empty axis labels were settled (:func:`layout.settle_texts`) or placed by matplotlib."""
    from auditlib.paths import DEMO_DATA_DIR
    from auditlib.report import display, monthly
    from auditlib.report.blocks import Chart

    ctx = monthly.prepare(month, str(DEMO_DATA_DIR), disclosure)
    charts = [b for b in monthly.build(ctx) if isinstance(b, Chart)]
    assert len(charts) >= 6
    settled_titles = 0
    for chart in charts:
        settled_titles += sum(not ax._autotitlepos for ax in chart.figure.axes)
        settled, _ = display.render_figure(chart.figure, chart.alt, chart.caption)
        _unsettle(chart.figure)
        placed, _ = display.render_figure(chart.figure, chart.alt, chart.caption)
        assert settled == placed
    assert settled_titles >= 3  # the SPC, funnel and heatmap titles at least


def test_a_title_with_something_above_the_axes_is_left_to_matplotlib():
    with use_house_style():
        fig = Figure()
        ax = fig.add_subplot()
        ax.set_title("Title", loc="left")
        ax.xaxis.tick_top()
        ax.set_ylabel("Share")
    layout.settle_texts(fig)
    assert ax._autotitlepos is not False
    assert ax.yaxis._autolabelpos and not ax.xaxis._autolabelpos
