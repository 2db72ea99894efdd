"""What notebooks call to show things, so notebooks hold no presentation logic.

Every helper emits a rich output that the exporter (:mod:`auditlib.publish.export`)
turns into accessible, code-free HTML:

- :func:`show_figure` — a chart as SVG (or PNG for dense pictures) with its alt text and
  caption in the output metadata (the report template writes a real ``alt=`` and a
  ``<figcaption>``);
- :func:`show_table` — an HTML table with a ``<caption>`` and scoped headers;
- :func:`show_heading`, :func:`show_markdown` — narrative that becomes real
  ``<h2>``/``<h3>`` and paragraphs, picked up by the table of contents;
- :func:`show_callout` — a plain-English verdict, note or warning.

Each ``show_*`` has a pure ``render_*`` twin that returns the output bundle
(or HTML) without displaying it, so it can be tested without a kernel.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import functools
import hashlib
import html
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any, Final

#: Resolution of report charts: sharp on high-density screens and in print.
FIGURE_DPI: Final = 150
#: CSS pixels per inch: a figure is shown at its size in inches × this, so text in
#: charts reads at the same size as the report's text.
CSS_PX_PER_INCH: Final = 96
#: The two image formats a chart can be shown in, and their MIME types.
SVG: Final = "svg"
PNG: Final = "png"
SVG_MIME: Final = "image/svg+xml"
PNG_MIME: Final = "image/png"
#: More drawn shapes than this (points, bars, texts, line vertices) and a chart is shown as
#: a PNG: its SVG would be bigger than the picture (e.g. a dense scatter or heatmap).
MAX_SVG_SHAPES: Final = 4000
#: An SVG that still comes out bigger than this is drawn again as a PNG.
MAX_SVG_BYTES: Final = 200_000
#: Fonts for chart text in SVG, as the house style lists them: the browser takes the first
#: it has, and every chart's text is laid out so that it fits in any of them.
_SVG_FONTS: Final = "'DejaVu Sans','Arial','Liberation Sans','Helvetica',sans-serif"
_SVG_RC: Final = {
    # Text as text: selectable, searchable, sharp in print, and smaller than outlines.
    "svg.fonttype": "none",
    # Element ids from a fixed salt, so the same chart gives the same file every time.
    "svg.hashsalt": "auditlib",
}
_SVG_PROLOG_RE: Final = re.compile(r"<\?xml[^>]*\?>\s*|<!DOCTYPE[^>]*>\s*", re.S)
_SVG_METADATA_RE: Final = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_SVG_COMMENT_RE: Final = re.compile(r"<!--.*?-->\s*", re.S)
#: Not inside a text's words: from there, no bracket comes before the text's closing tag
#: (inside a tag, its ">" does; a text's own "<" and ">" are escaped).
_OUTSIDE_TEXT: Final = r"(?![^<>]*</text>)"
_SVG_FONT_FAMILY_RE: Final = re.compile(r"\s*font-family:[^;\"]*;?" + _OUTSIDE_TEXT)
_SVG_BETWEEN_TAGS_RE: Final = re.compile(r">\s+<")
#: These three never match a bracket, so they are applied to the markup between a
#: chart's texts (:func:`_outside_texts`) rather than checked against every text ahead.
_SVG_DECIMALS_RE: Final = re.compile(r"(\d\.\d\d)\d+")
_SVG_SPACES_RE: Final = re.compile(r"\s*\n\s*")
_SVG_TRAILING_SPACE_RE: Final = re.compile(r"\s+\"")
_TEXT_END: Final = "</text>"
#: Output-metadata keys the exporter reads (under the image's MIME type).
ALT_KEY: Final = "alt"
CAPTION_KEY: Final = "caption"
CALLOUT_KINDS: Final = ("verdict", "note", "warning")
_CALLOUT_LABELS: Final = {"verdict": "Verdict", "note": "Note", "warning": "Warning"}

# A display string that reads as a number: 12, 1,234, -3.5, 45.3%, 12 (45%), or a
# disclosure mark such as [c], [z], [x], [low], or a dash for "none".
_NUMBER = r"[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s*%?"
_NUMERIC_RE: Final = re.compile(rf"^(?:{_NUMBER}(?:\s*\(\s*{_NUMBER}\s*\))?|\[[a-z]+\])$")
_DASHES: Final = {"", "-", "–", "—"}


class DisplayError(ValueError):
    """A display helper was called with something it cannot show accessibly."""


# ---------------------------------------------------------------- figures
@dataclasses.dataclass(frozen=True)
class RenderedFigure:
    """A chart already rendered by :func:`render_figure` (its output bundle), e.g. by
    another process (:mod:`auditlib.report.sharing`): shown as it is."""

    data: dict
    metadata: dict


def render_figure(
    fig: Any, alt: str, caption: str | None = None, *, image_format: str | None = None
) -> tuple[dict, dict]:
    """Render a matplotlib figure to an image output bundle ``(data, metadata)``.

    The alt text must describe what the chart shows (its message, not its type); it goes
    into the image's metadata (``metadata[mime]['alt']``) and into the ``text/plain``
    fallback. ``image_format`` is ``"svg"`` or ``"png"``; by default each chart gets the
    smaller and sharper of the two (:func:`choose_image_format`): SVG, with its text as
    real text, for bar and line charts; PNG for dense pictures whose SVG would be big.
    The image is shown at the figure's physical size.
    """
    if isinstance(fig, RenderedFigure):
        return fig.data, fig.metadata
    alt = _require_text(alt, "alt")
    fmt = image_format or choose_image_format(fig)
    if fmt not in (SVG, PNG):
        raise DisplayError(f"image_format must be {SVG!r} or {PNG!r}, not {image_format!r}")
    svg = _svg_text(fig) if fmt == SVG else None
    if svg is not None and image_format is None and len(svg) > MAX_SVG_BYTES:
        fmt, svg = PNG, None  # drawn as SVG it would outweigh a picture: show a picture
    image_meta: dict[str, Any] = {ALT_KEY: alt}
    if svg is not None:
        mime = SVG_MIME
        content: str = svg
        width_in, height_in = _laid_out_size(fig)
        image_meta["width"] = round(width_in * CSS_PX_PER_INCH)
        image_meta["height"] = round(height_in * CSS_PX_PER_INCH)
    else:
        mime = PNG_MIME
        png = _png_bytes(fig)
        content = base64.b64encode(png).decode("ascii")
        width_px, height_px = _png_size(png)
        # Shown at the figure's physical size; CSS caps it at the page width.
        image_meta["width"] = round(width_px * CSS_PX_PER_INCH / FIGURE_DPI)
        image_meta["height"] = round(height_px * CSS_PX_PER_INCH / FIGURE_DPI)
    if caption:
        image_meta[CAPTION_KEY] = caption.strip()
    return {mime: content, "text/plain": alt}, {mime: image_meta}


def choose_image_format(fig: Any) -> str:
    """``"svg"`` for charts of bars, lines and text; ``"png"`` for pictures and dense plots.

    An SVG keeps text as text (sharp at any zoom and in print, and smaller than a picture)
    as long as the chart draws a modest number of shapes; an image (``imshow``) or a plot of
    thousands of points is smaller, and as sharp, as a PNG.
    """
    shapes = 0
    for ax in fig.get_axes():
        if ax.get_images():
            return PNG
        for collection in ax.collections:
            shapes += max(len(collection.get_offsets()), len(collection.get_paths()))
        shapes += sum(len(line.get_xdata()) for line in ax.get_lines())
        shapes += len(ax.patches) + len(ax.texts)
    return SVG if shapes <= MAX_SVG_SHAPES else PNG


def show_figure(
    fig: Any, alt: str, caption: str | None = None, *, image_format: str | None = None
) -> None:
    """Display a matplotlib figure (SVG or PNG) with alt text (and caption), then close it.

    Closing stops the inline backend from showing the same figure a second time
    at the end of the cell.
    """
    from IPython.display import display

    try:
        data, metadata = render_figure(fig, alt, caption, image_format=image_format)
    finally:
        if not isinstance(fig, RenderedFigure):
            _close(fig)
    display(data, raw=True, metadata=metadata)


def _close(fig: Any) -> None:
    import matplotlib.pyplot as plt

    plt.close(fig)


def _laid_out(fig: Any) -> bool:
    """Whether the figure places its own axes (fixed or constrained layout): saved whole,
    it needs no "tight" bounding box, which would cost a second drawing."""
    from auditlib.report.charts.layout import is_laid_out

    engine = fig.get_layout_engine() if hasattr(fig, "get_layout_engine") else None
    return is_laid_out(fig) or type(engine).__name__ == "ConstrainedLayoutEngine"


def _laid_out_size(fig: Any) -> tuple[float, float]:
    return float(fig.get_figwidth()), float(fig.get_figheight())


def _png_bytes(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(
        buffer,
        format="png",
        dpi=FIGURE_DPI,
        bbox_inches=None if _laid_out(fig) else "tight",
        facecolor="white",
        metadata={"Software": None},
    )
    return buffer.getvalue()


def _svg_text(fig: Any) -> str:
    """The figure as a compact, deterministic SVG whose text is real text."""
    import matplotlib as mpl

    buffer = io.StringIO()
    with mpl.rc_context(_SVG_RC), _text_measured_once():
        fig.savefig(
            buffer,
            format="svg",
            bbox_inches=None if _laid_out(fig) else "tight",
            facecolor="white",
            metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
        )
    return compact_svg(buffer.getvalue())


@contextlib.contextmanager
def _text_measured_once() -> Iterator[None]:
    """While saving SVG, measure each text once per process rather than once per figure.

    Matplotlib caches text metrics per renderer, and every SVG saved gets a new renderer,
    so a month's charts measured "63%" and every month label afresh, chart after chart.
    The metrics come from the same font code either way (``TextToPath``).
    """
    from matplotlib.backends import backend_svg

    from auditlib.report.charts import layout

    renderer = backend_svg.RendererSVG
    original = renderer.get_text_width_height_descent

    def measure(self: Any, s: str, prop: Any, ismath: Any) -> tuple[float, float, float]:
        if ismath:
            return original(self, s, prop, ismath)
        return _svg_text_metrics(s, prop.copy())

    settings = layout.font_settings()  # nothing changes them while a figure is drawn

    def font_height(self: Any, prop: Any) -> tuple[float | None, float | None, float | None]:
        return _svg_font_height_metrics(prop.copy(), settings)

    renderer.get_text_width_height_descent = measure
    # Matplotlib asks a renderer with this method for a font's ascent, descent and line
    # gap (the PDF and PS ones have it); without it, every text's layout looks the font
    # up again (once per family in its list) and reads its tables.
    renderer._get_font_height_metrics = font_height
    try:
        yield
    finally:
        renderer.get_text_width_height_descent = original
        del renderer._get_font_height_metrics


#: Matplotlib draws an SVG at 72 dots per inch, whatever the figure's own resolution
#: (``FigureCanvasSVG.print_svg`` sets it while drawing).
_SVG_DRAWING_DPI: Final = 72


@functools.lru_cache(maxsize=256)
def _svg_font_height_metrics(
    prop: Any, settings: tuple[Any, ...]
) -> tuple[float | None, float | None, float | None]:
    """A font's ascent, descent and line gap in an SVG's pixels, worked out exactly as
    ``matplotlib.text.Text._get_layout`` does from the font's OS/2 (else hhea) table;
    ``settings`` (:func:`auditlib.report.charts.layout.font_settings`) is part of the
    key, as the font found depends on them. (None, None, None) when the font has neither
    table: matplotlib then measures."""
    from matplotlib.font_manager import fontManager, get_font

    font = get_font(fontManager._find_fonts_by_props(prop))
    possible = [
        ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
        ("hhea", "lineGap", "ascent", "descent"),
    ]
    for table_name, linegap_key, ascent_key, descent_key in possible:
        table = font.get_sfnt_table(table_name)
        if table is None:
            continue
        fontsize = prop.get_size_in_points()
        units_per_em = font.get_sfnt_table("head")["unitsPerEm"]
        scale = 1 / units_per_em * fontsize * _SVG_DRAWING_DPI / 72
        line_gap = table[linegap_key] * scale
        min_ascent = table[ascent_key] * scale
        min_descent = -table[descent_key] * scale
        return min_ascent, min_descent, line_gap
    return None, None, None


@functools.lru_cache(maxsize=4096)
def _svg_text_metrics(text: str, prop: Any) -> tuple[float, float, float]:
    from auditlib.report.charts.layout import text_metrics

    return text_metrics(text, prop)  # measured already, most likely, to lay the chart out


def compact_svg(svg: str) -> str:
    """Matplotlib's SVG without what a browser does not need, one font for all its text.

    Drops the XML prolog, DOCTYPE, metadata and comments; gives every text the house font
    list once, in the stylesheet, instead of in each text's style; keeps two decimals of a
    point in coordinates (a hundredth of a point is far below a printer's dot); and
    removes the whitespace between tags.

    >>> compact_svg('<?xml version="1.0"?><svg><!-- a --> <path d="M 1.234567 2 "/></svg>')
    '<svg><path d="M 1.23 2"/></svg>'
    """
    svg = _SVG_PROLOG_RE.sub("", svg)
    svg = _SVG_METADATA_RE.sub("", svg)
    svg = _SVG_COMMENT_RE.sub("", svg)
    svg = _SVG_BETWEEN_TAGS_RE.sub("><", svg)
    # Each pattern stops short of a text's own words (see _OUTSIDE_TEXT): only the markup
    # is compacted, never what a chart says.
    svg = _SVG_FONT_FAMILY_RE.sub("", svg)
    svg = _outside_texts(svg, _compact_markup)
    if "<text" in svg:
        style = f"text{{font-family:{_SVG_FONTS}}}"
        if "</style>" in svg:
            svg = svg.replace("</style>", style + "</style>", 1)
        else:
            svg = re.sub(r"(<svg\b[^>]*>)", rf"\1<style>{style}</style>", svg, count=1)
    return svg.strip()


def _compact_markup(markup: str) -> str:
    """Coordinates to two decimals, line breaks and the spaces before a quote dropped."""
    markup = _SVG_DECIMALS_RE.sub(r"\1", markup)
    markup = _SVG_SPACES_RE.sub(" ", markup)
    return _SVG_TRAILING_SPACE_RE.sub('"', markup)


def _outside_texts(svg: str, change: Any) -> str:
    """``change`` applied to all of ``svg`` but its texts' words: the characters between
    the last bracket before each ``</text>`` and that tag (what :data:`_OUTSIDE_TEXT`
    keeps a pattern from matching). ``change`` must neither match nor write a bracket.

    Found by searching, not by a look-ahead at every place a pattern could match: that
    scanned each long path's coordinates to its end, once per number in it.

    >>> _outside_texts('<g d="1 2"><text x="1 2">1 2</text></g>', lambda m: m.replace(" ", ""))
    '<gd="12"><textx="12">1 2</text></g>'
    """
    parts: list[str] = []
    start = 0
    end = svg.find(_TEXT_END)
    while end != -1:
        words = max(svg.rfind("<", start, end), svg.rfind(">", start, end), start - 1) + 1
        parts += [change(svg[start:words]), svg[words : end + len(_TEXT_END)]]
        start = end + len(_TEXT_END)
        end = svg.find(_TEXT_END, start)
    parts.append(change(svg[start:]))
    return "".join(parts)


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


# ---------------------------------------------------------------- tables
def render_table(
    df: Any,
    caption: str,
    *,
    index: bool | None = None,
    numeric: Iterable[str] | None = None,
    note: str | None = None,
) -> str:
    """Build an accessible HTML table from a frame of display strings.

    The index becomes row headers (``<th scope="row">``) unless ``index=False``
    (by default a plain 0, 1, 2… index is left out);
    column labels become ``<th scope="col">``. Columns whose values all read as
    numbers (``12``, ``45.3%``, ``12 (45%)``, ``[c]``) are right-aligned, or
    name them in ``numeric``. Values are shown as given: apply rounding and
    disclosure before calling.

    >>> import pandas as pd
    >>> t = render_table(pd.DataFrame({"n": ["3"]}, index=["Team A"]), "Audits")
    >>> '>Audits</caption>' in t and '<th scope="row">Team A</th>' in t
    True
    >>> '<td class="num">3</td>' in t
    True
    """
    caption = _require_text(caption, "caption")
    if index is None:
        index = not _is_default_index(df.index)
    columns = [_label(c) for c in df.columns]
    values = [[_cell_text(v) for v in row] for row in df.itertuples(index=False, name=None)]
    wanted = set(numeric) if numeric is not None else None
    by_column = [[row[i] for row in values] for i in range(len(columns))]
    is_numeric = [
        (label in wanted) if wanted is not None else _looks_numeric(texts)
        for label, texts in zip(columns, by_column, strict=True)
    ]
    index_name = _label(df.index.name) if df.index.name is not None else ""
    esc = html.escape

    # A labelled, focusable region lets keyboard users scroll a table wider than the page.
    table_id = "table-" + hashlib.sha1(f"{caption}{columns}{values}".encode()).hexdigest()[:10]
    lines = [
        f'<div class="table-wrap" role="region" aria-labelledby="{table_id}" tabindex="0">',
        '<table class="audit-table">',
        f'<caption id="{table_id}">{esc(caption)}</caption>',
        "<thead>",
        "<tr>",
    ]
    if index:
        # The corner cell names the row headers when the index has a name.
        lines.append(f'<th scope="col">{esc(index_name)}</th>' if index_name else "<td></td>")
    for label, num in zip(columns, is_numeric, strict=True):
        cls = ' class="num"' if num else ""
        lines.append(f'<th scope="col"{cls}>{esc(label)}</th>')
    lines += ["</tr>", "</thead>", "<tbody>"]
    for key, row in zip(df.index, values, strict=True):
        lines.append("<tr>")
        if index:
            lines.append(f'<th scope="row">{esc(_label(key))}</th>')
        for text, num in zip(row, is_numeric, strict=True):
            cls = ' class="num"' if num else ""
            lines.append(f"<td{cls}>{esc(text)}</td>")
        lines.append("</tr>")
    lines += ["</tbody>", "</table>", "</div>"]
    if note:
        lines.append(f'<p class="table-note">{esc(note.strip())}</p>')
    return "\n".join(lines)


def show_table(
    df: Any,
    caption: str,
    *,
    index: bool | None = None,
    numeric: Iterable[str] | None = None,
    note: str | None = None,
) -> None:
    """Display a frame of display strings as an accessible HTML table (see :func:`render_table`)."""
    from IPython.display import display

    table = render_table(df, caption, index=index, numeric=numeric, note=note)
    display({"text/html": table, "text/plain": caption}, raw=True)


def _is_default_index(index: Any) -> bool:
    import pandas as pd

    return (
        isinstance(index, pd.RangeIndex)
        and index.name is None
        and index.start == 0
        and index.step == 1
    )


def _label(value: Any) -> str:
    if isinstance(value, tuple):
        return " – ".join(_label(v) for v in value if _label(v))
    return "" if value is None else str(value)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    try:
        import pandas as pd

        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def _looks_numeric(column: Iterable[str]) -> bool:
    texts = [t.strip() for t in column]
    filled = [t for t in texts if t not in _DASHES]
    return bool(filled) and all(_NUMERIC_RE.match(t) for t in filled)


# ---------------------------------------------------------------- narrative
def render_heading(text: str, level: int = 2) -> dict:
    """A heading as a Markdown output bundle (``level`` 2–4; the report title is the h1)."""
    text = _require_text(text, "heading text")
    if level not in (2, 3, 4):
        raise DisplayError(f"heading level must be 2, 3 or 4, not {level!r}")
    one_line = " ".join(text.split())
    return {"text/markdown": f"{'#' * level} {one_line}", "text/plain": one_line}


def show_heading(text: str, level: int = 2) -> None:
    """Display a section heading that becomes a real ``<h2>``/``<h3>`` in the report."""
    from IPython.display import display

    display(render_heading(text, level), raw=True)


def show_markdown(text: str) -> None:
    """Display Markdown narrative (paragraphs, lists, headings) generated from numbers."""
    from IPython.display import display

    display({"text/markdown": _require_text(text, "text"), "text/plain": text}, raw=True)


def render_callout(text: str, kind: str = "verdict", title: str | None = None) -> str:
    """A boxed plain-English statement as HTML; ``kind`` is verdict, note or warning.

    The kind is written as a visible label, not conveyed by colour alone.
    """
    text = _require_text(text, "text")
    if kind not in CALLOUT_KINDS:
        raise DisplayError(f"callout kind must be one of {', '.join(CALLOUT_KINDS)}, not {kind!r}")
    label = html.escape(title.strip() if title else _CALLOUT_LABELS[kind])
    paragraphs = "".join(
        f"<p>{html.escape(p.strip())}</p>" for p in re.split(r"\n\s*\n", text) if p.strip()
    )
    return (
        f'<div class="callout callout-{kind}" role="note">'
        f'<p class="callout-label"><strong>{label}</strong></p>{paragraphs}</div>'
    )


def show_callout(text: str, kind: str = "verdict", title: str | None = None) -> None:
    """Display a verdict, note or warning box (see :func:`render_callout`)."""
    from IPython.display import display

    display({"text/html": render_callout(text, kind, title), "text/plain": text}, raw=True)


def _require_text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DisplayError(f"{what} must be a non-empty string (got {value!r})")
    return value.strip()
