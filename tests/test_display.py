"""auditlib.report.display: what notebooks call to show figures, tables, headings and verdicts."""

from __future__ import annotations

import base64
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from auditlib.data import schema
from auditlib.report import display
from auditlib.report.charts import judgements


def _figure(width: float = 4, height: float = 2):
    fig, ax = plt.subplots(figsize=(width, height))
    ax.bar([schema.GOOD, schema.INADEQUATE], [10, 3])
    return fig


def _counts() -> pd.Series:
    values = {schema.OUTSTANDING: 1, schema.GOOD: 20, schema.REQUIRES_IMPROVEMENT: 36}
    values |= {schema.INADEQUATE: 4, schema.NOT_RECORDED: 0}
    return pd.Series({**values, schema.COMPLETED: 61})


def test_render_figure_puts_alt_and_caption_in_png_metadata():
    data, meta = display.render_figure(
        _figure(), alt="Bar chart: 10 Good, 3 Inadequate.", caption="Audits.", image_format="png"
    )
    png = base64.b64decode(data["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert meta["image/png"]["alt"] == "Bar chart: 10 Good, 3 Inadequate."
    assert meta["image/png"]["caption"] == "Audits."
    assert data["text/plain"] == "Bar chart: 10 Good, 3 Inadequate."
    # Shown at physical size: pixel width at 150 dpi → CSS pixels at 96 per inch.
    pixel_width, _ = display._png_size(png)
    assert meta["image/png"]["width"] == round(pixel_width * 96 / 150)
    assert 200 < meta["image/png"]["width"] <= 4 * 96 + 10


def test_render_figure_without_caption_has_no_caption_key():
    _, meta = display.render_figure(_figure(), alt="A chart.")
    assert "caption" not in meta["image/svg+xml"]


def test_a_bar_chart_is_an_svg_with_real_text_alt_caption_and_its_physical_size():
    fig, alt = judgements.plot_month_split(_counts(), "September 2020")
    data, meta = display.render_figure(fig, alt, caption="Overall judgements.")
    svg = data["image/svg+xml"]
    assert list(data) == ["image/svg+xml", "text/plain"] and data["text/plain"] == alt
    # Text is text, in the house fonts, not glyph outlines.
    assert ">Requires Improvement</text>" in svg and '<path id="DejaVuSans' not in svg
    assert "font-family:'DejaVu Sans'" in svg
    image = meta["image/svg+xml"]
    assert image["alt"] == alt and image["caption"] == "Overall judgements."
    # Laid out at its own size, shown at its physical size: inches × 96 CSS pixels.
    assert (image["width"], image["height"]) == (
        round(fig.get_figwidth() * 96),
        round(fig.get_figheight() * 96),
    )


def test_svg_output_is_deterministic_and_carries_no_date_or_web_address():
    first = display.render_figure(judgements.plot_month_split(_counts(), "May 2020")[0], "A.")
    second = display.render_figure(judgements.plot_month_split(_counts(), "May 2020")[0], "A.")
    assert first == second
    svg = first[0]["image/svg+xml"]
    assert svg.startswith("<svg") and "<!DOCTYPE" not in svg and "<metadata" not in svg
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg
    # The only addresses left are the SVG namespaces, which no browser fetches.
    addresses = set(re.findall(r"https?://[^\"\s]+", svg))
    assert addresses <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def test_compact_svg_keeps_a_charts_own_words_exactly():
    svg = (
        '<?xml version="1.0"?>\n<svg>\n <text style="font-size: 8px; '
        'font-family: \'DejaVu Sans\', sans-serif; fill: #262626" x="1.23456">'
        '3.14159 "quoted" </text>\n</svg>'
    )
    compact = display.compact_svg(svg)
    assert '>3.14159 "quoted" </text>' in compact
    assert 'x="1.23"' in compact and "font-family: 'DejaVu" not in compact


def test_pictures_and_dense_plots_are_png_and_a_format_can_be_asked_for():
    picture, ax = plt.subplots(figsize=(3, 2))
    ax.imshow(np.arange(100).reshape(10, 10))
    assert display.choose_image_format(picture) == "png"
    dense, ax = plt.subplots(figsize=(3, 2))
    ax.scatter(np.arange(display.MAX_SVG_SHAPES + 1), np.arange(display.MAX_SVG_SHAPES + 1))
    assert display.choose_image_format(dense) == "png"
    data, _ = display.render_figure(dense, alt="Many points.")
    assert "image/png" in data
    assert display.choose_image_format(_figure()) == "svg"
    data, _ = display.render_figure(_figure(), alt="Two bars.", image_format="png")
    assert "image/png" in data
    with pytest.raises(display.DisplayError, match="image_format"):
        display.render_figure(_figure(), alt="Two bars.", image_format="gif")
    plt.close("all")


@pytest.mark.parametrize("alt", ["", "   ", None])
def test_render_figure_refuses_missing_alt(alt):
    with pytest.raises(display.DisplayError, match="alt"):
        display.render_figure(_figure(), alt=alt)


def test_show_figure_closes_the_figure_even_when_alt_is_missing(capsys):
    fig = _figure()
    display.show_figure(fig, alt="Ten Good and three Inadequate audits.")
    assert fig.number not in plt.get_fignums()
    fig2 = _figure()
    with pytest.raises(display.DisplayError):
        display.show_figure(fig2, alt="")
    assert fig2.number not in plt.get_fignums()


def test_render_table_is_accessible_and_right_aligns_numbers():
    frame = pd.DataFrame(
        {
            "Audits": ["12", "1,234", "[c]"],
            "Share": ["45.3%", "—", "12 (45%)"],
            "Comment": ["fine", "12 days", "ok"],
        },
        index=pd.Index(["Team A", "Team B", "Team <C>"], name="Team"),
    )
    table = display.render_table(frame, caption="Audits by team")
    assert ">Audits by team</caption>" in table
    assert '<th scope="col">Team</th>' in table
    assert '<th scope="col" class="num">Audits</th>' in table
    assert '<th scope="col" class="num">Share</th>' in table
    assert '<th scope="col">Comment</th>' in table
    assert '<th scope="row">Team A</th>' in table
    assert '<td class="num">1,234</td>' in table
    assert '<td class="num">[c]</td>' in table
    assert "<td>12 days</td>" in table
    assert "Team &lt;C&gt;" in table and "Team <C>" not in table
    # the caption labels a focusable scrolling region
    region_id = table.split('aria-labelledby="', 1)[1].split('"', 1)[0]
    assert f'<caption id="{region_id}">' in table
    assert "style=" not in table and "dataframe" not in table


def test_render_table_without_index_and_with_explicit_numeric_columns():
    frame = pd.DataFrame({"Month": ["2020-08", "2020-09"], "Audits": ["n/a", "7"]})
    table = display.render_table(frame, caption="By month", index=False, numeric=["Audits"])
    assert 'scope="row"' not in table
    assert "<td></td>" not in table  # no corner cell without row headers
    assert '<td class="num">n/a</td>' in table
    # "2020-08" is not a number, whatever it looks like
    assert "<td>2020-08</td>" in table


def test_render_table_unnamed_index_gets_an_empty_corner_and_flattens_multiindex_columns():
    columns = pd.MultiIndex.from_tuples([("Audit", "n"), ("Audit", "%")])
    frame = pd.DataFrame([["1", "2"]], columns=columns, index=["Team A"])
    table = display.render_table(frame, caption="Nested")
    assert "<thead>\n<tr>\n<td></td>" in table
    assert '<th scope="col" class="num">Audit – n</th>' in table


def test_render_table_leaves_out_a_default_range_index_unless_asked():
    frame = pd.DataFrame({"Audits": ["3", "4"]})
    assert 'scope="row"' not in display.render_table(frame, caption="Plain")
    assert '<th scope="row">1</th>' in display.render_table(frame, caption="Plain", index=True)


def test_render_table_refuses_missing_caption():
    with pytest.raises(display.DisplayError):
        display.render_table(pd.DataFrame({"a": ["1"]}), caption=" ")


@pytest.mark.parametrize(("level", "prefix"), [(2, "## "), (3, "### "), (4, "#### ")])
def test_render_heading_is_markdown_at_the_level(level, prefix):
    bundle = display.render_heading("  Overall\n judgements ", level)
    assert bundle["text/markdown"] == f"{prefix}Overall judgements"


@pytest.mark.parametrize("level", [1, 5, "2"])
def test_render_heading_refuses_other_levels(level):
    with pytest.raises(display.DisplayError):
        display.render_heading("Title", level)


def test_render_callout_labels_the_kind_in_text_and_escapes():
    box = display.render_callout(
        "Inadequate share is <b>within</b> normal variation.\n\nSecond point.", kind="verdict"
    )
    assert '<div class="callout callout-verdict" role="note">' in box
    assert "<strong>Verdict</strong>" in box
    assert "&lt;b&gt;within&lt;/b&gt;" in box
    assert box.count("<p>") == 2
    assert "<strong>Warning</strong>" in display.render_callout("Small numbers.", kind="warning")
    assert "<strong>Read this</strong>" in display.render_callout(
        "x", kind="note", title="Read this"
    )


def test_render_callout_refuses_unknown_kind():
    with pytest.raises(display.DisplayError, match="verdict"):
        display.render_callout("x", kind="info")


def test_svg_text_and_font_metrics_from_the_caches_give_matplotlibs_own_svg():
    """The SVG drawn with the measured-once text and font-height caches is the one
    matplotlib draws on its own (texts of several sizes, weights and lines)."""
    import io

    def chart():
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.bar(["Good", "Requires\nImprovement"], [10, 3])
        ax.set_title("Judgements, September 2020", fontweight="bold", fontsize=11)
        ax.text(0, 5, "63%\n(12)", fontsize=7)
        ax.set_ylabel("Audits", fontsize=8.5)
        return fig

    display._svg_font_height_metrics.cache_clear()
    cached = display._svg_text(chart())
    again = display._svg_text(chart())  # every metric now from the caches
    assert display._svg_font_height_metrics.cache_info().hits > 0
    buffer = io.StringIO()
    with matplotlib.rc_context(display._SVG_RC):
        chart().savefig(
            buffer,
            format="svg",
            bbox_inches="tight",
            facecolor="white",
            metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
        )
    own = display.compact_svg(buffer.getvalue())
    assert cached == again == own
    assert not hasattr(matplotlib.backends.backend_svg.RendererSVG, "_get_font_height_metrics")
    plt.close("all")


def test_compacting_between_texts_equals_the_look_ahead_rule():
    """The markup is compacted exactly where a pattern with the look-ahead
    ``(?![^<>]*</text>)`` would match: everywhere but a text's own words."""
    import random

    outside = r"(?![^<>]*</text>)"
    rules = [
        (re.compile(r"(\d\.\d\d)\d+" + outside), r"\1"),
        (re.compile(r"\s*\n\s*" + outside), " "),
        (re.compile(r"\s+\"" + outside), '"'),
    ]

    def by_look_ahead(svg: str) -> str:
        for pattern, replacement in rules:
            svg = pattern.sub(replacement, svg)
        return svg

    pieces = ["<", ">", "</text>", '<text x="1.23456">', " ", "\n", '"', "1.23456", "a", "\t"]
    rng = random.Random(20201101)
    samples = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 20))) for _ in range(3000)]
    samples.append('<path d="M 1.23456 2.34567\n L 3.45678 4"/><text x="9.87654">63.456%\n</text>')
    for svg in samples:
        assert display._outside_texts(svg, display._compact_markup) == by_look_ahead(svg)
    assert display._outside_texts(samples[-1], display._compact_markup) == (
        '<path d="M 1.23 2.34 L 3.45 4"/><text x="9.87">63.456%\n</text>'
    )
