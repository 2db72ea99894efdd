"""Fixed chart layout by arithmetic: text sizes from font metrics, axes placed from margins.

Matplotlib's constrained layout (and ``bbox_inches="tight"``) finds room for tick labels,
legends and annotations by drawing the whole figure and measuring every text on it, often
several times over. The report's charts know which texts they hold and where, so they work
their margins out from the font's own metrics instead and place their axes once: the figure
is then drawn a single time, when it is saved.

All lengths here are in points (1/72 inch), the unit of font sizes, measured from the
figure's edges.

>>> text_width("100%", 8.0) > text_width("0%", 8.0)
True
>>> text_height("63%", 7.0), round(text_height("Nov\\n2018", 8.0), 1)  # DejaVu Sans
(7.0, 19.2)
"""

from __future__ import annotations

import functools
import math
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final, ParamSpec, TypeVar

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, fontManager, get_font
from matplotlib.text import Text
from matplotlib.textpath import text_to_path
from matplotlib.ticker import FixedFormatter, FuncFormatter, NullFormatter, PercentFormatter

POINTS_PER_INCH: Final = 72.0
#: Room between a chart's outermost labels and the figure's edges (points): what
#: constrained layout's default pad of 0.06 inch left before.
EDGE_PAD: Final = 0.06 * POINTS_PER_INCH
#: Matplotlib's legend spacings (rcParams defaults), as multiples of the legend's font size.
_LEGEND_BORDER_PAD: Final = 0.4
_LEGEND_LABEL_SPACING: Final = 0.5
_LEGEND_AXES_PAD: Final = 0.5
_LEGEND_HANDLE_TEXT_PAD: Final = 0.8
_LEGEND_HANDLE_LENGTH: Final = 2.0
_LEGEND_COLUMN_SPACING: Final = 2.0


# ----------------------------------------------------------------------------- text metrics
def _properties(size: float, weight: str) -> FontProperties:
    # The family comes from rcParams at call time: the house style's inside its context.
    return FontProperties(family=mpl.rcParams["font.family"], size=size, weight=weight)


@functools.lru_cache(maxsize=16384)
def _line_width(line: str, size: float, weight: str, family: tuple[str, ...]) -> float:
    if not line:
        return 0.0
    width, _, _ = text_metrics(line, _properties(size, weight))
    return float(width)


#: The settings a font lookup and a text's metrics depend on besides the font's own
#: properties.
FONT_SETTINGS: Final = (
    "font.family",
    "font.style",
    "font.variant",
    "font.weight",
    "font.stretch",
    "font.size",
    "font.serif",
    "font.sans-serif",
    "font.cursive",
    "font.fantasy",
    "font.monospace",
    # these last three change how a text in a given font file measures
    "font.enable_last_resort",
    "text.hinting_factor",
    "text.kerning_factor",
)
#: Texts measured, by text, font files, size and settings (see :func:`text_metrics`).
_MEASURED: dict[tuple[Any, ...], tuple[float, float, float]] = {}
#: At most this many kept: a process that measures endless texts starts afresh.
_MEASURED_KEPT: Final = 65_536


def font_settings() -> tuple[Any, ...]:
    """The current values of :data:`FONT_SETTINGS` (lists as tuples, to be a key)."""
    values = (mpl.rcParams[key] for key in FONT_SETTINGS)
    return tuple(tuple(v) if isinstance(v, list) else v for v in values)


def text_metrics(text: str, prop: FontProperties) -> tuple[float, float, float]:
    """Width, height and descent in points of one line of ``text`` in the font ``prop``
    describes, exactly as matplotlib measures it (``TextToPath``).

    Measured once per process for each text, font file and size, whoever asks: this
    module's arithmetic layout, or the SVG renderer while a chart is saved (most texts a
    chart draws were measured to lay it out).
    """
    settings = font_settings()
    # The font files found stand for the font settings; the last three settings (fallback
    # glyphs, hinting, kerning) change the measure itself.
    files = _font_files(prop.copy(), settings)
    key = (text, files, prop.get_size_in_points(), settings[-3:])
    found = _MEASURED.get(key)
    if found is None:
        if len(_MEASURED) >= _MEASURED_KEPT:
            _MEASURED.clear()
        found = text_to_path.get_text_width_height_descent(text, prop, ismath=False)
        _MEASURED[key] = found
    return found


@functools.lru_cache(maxsize=256)
def _font_files(prop: FontProperties, settings: tuple[Any, ...]) -> tuple[Any, ...]:
    """The font files matplotlib draws ``prop`` with (its first choice and fallbacks)."""
    return tuple(fontManager._find_fonts_by_props(prop))


@functools.lru_cache(maxsize=64)
def _vertical_metrics(size: float, weight: str, family: tuple[str, ...]) -> tuple[float, float]:
    """(height of one line alone, height of each line of several) for a font size, in points.

    Matplotlib sizes a line from the font's typographic ascender and descender, and adds
    the font's line gap between lines of a multi-line text.
    """
    font = get_font(findfont(_properties(size, weight)))
    units = font.get_sfnt_table("head")["unitsPerEm"]
    table = font.get_sfnt_table("OS/2")
    if table is not None:
        ascent, descent, gap = (
            table["sTypoAscender"],
            -table["sTypoDescender"],
            table["sTypoLineGap"],
        )
    else:
        hhea = font.get_sfnt_table("hhea")
        ascent, descent, gap = hhea["ascent"], -hhea["descent"], hhea["lineGap"]
    one = (ascent + descent) / units * size
    return one, one + gap / units * size


def _family() -> tuple[str, ...]:
    family = mpl.rcParams["font.family"]
    names = [family] if isinstance(family, str) else list(family)
    # The generic family resolves through its rcParams list, which the house style sets.
    return tuple(names + [f for n in names for f in mpl.rcParams.get(f"font.{n}", ())])


def text_width(text: str, size: float, weight: str = "normal") -> float:
    """Width in points of ``text`` (its widest line) at ``size`` points, unrotated."""
    family = _family()
    return max(_line_width(line, float(size), weight, family) for line in str(text).split("\n"))


def text_height(
    text: str, size: float, weight: str = "normal", *, lines: int | None = None
) -> float:
    """Height in points of ``text`` (or of ``lines`` lines) at ``size`` points, unrotated."""
    count = lines if lines is not None else str(text).count("\n") + 1
    one, each = _vertical_metrics(float(size), weight, _family())
    return one if count == 1 else count * each


def premeasure(texts: Iterable[str], sizes: Iterable[float], weight: str = "normal") -> int:
    """Measure ``texts`` at each of ``sizes`` ahead, in the house style, into the caches
    :func:`text_width` and the SVG renderer read (each line apart, as they measure it);
    returns how many were measured. Pure caches: a text measured ahead measures the same.
    """
    from auditlib.report.charts.style import use_house_style

    lines = {line for text in texts for line in str(text).split("\n") if line}
    with use_house_style():
        family = _family()
        for size in sizes:
            for line in lines:
                _line_width(line, float(size), weight, family)
    return len(lines)


def rotated_extent(width: float, height: float, degrees: float) -> tuple[float, float]:
    """Width and height of the box around a ``width`` × ``height`` text rotated by ``degrees``."""
    angle = math.radians(degrees)
    cos, sin = abs(math.cos(angle)), abs(math.sin(angle))
    return width * cos + height * sin, width * sin + height * cos


def legend_size(
    labels: Iterable[str],
    fontsize: float,
    *,
    ncols: int = 1,
    handlelength: float = _LEGEND_HANDLE_LENGTH,
    handletextpad: float = _LEGEND_HANDLE_TEXT_PAD,
    columnspacing: float = _LEGEND_COLUMN_SPACING,
    borderpad: float = _LEGEND_BORDER_PAD,
    labelspacing: float = _LEGEND_LABEL_SPACING,
) -> tuple[float, float]:
    """Width and height in points of a legend of ``labels``, by matplotlib's legend rules."""
    labels = list(labels)
    if not labels:
        return 0.0, 0.0
    rows = math.ceil(len(labels) / ncols)
    columns = [labels[i * rows : (i + 1) * rows] for i in range(ncols)]
    entry = (handlelength + handletextpad) * fontsize
    widths = [entry + max(text_width(t, fontsize) for t in col) for col in columns if col]
    width = sum(widths) + columnspacing * fontsize * (len(widths) - 1)
    line = max(text_height(t, fontsize) for t in labels)
    height = rows * line + (rows - 1) * labelspacing * fontsize
    return width + 2 * borderpad * fontsize, height + 2 * borderpad * fontsize


def legend_axes_pad(fontsize: float) -> float:
    """The gap matplotlib leaves between a legend and the point it is anchored to."""
    return _LEGEND_AXES_PAD * fontsize


# ----------------------------------------------------------------------------- placing axes
def mark_laid_out(fig: Figure) -> Figure:
    """Record that ``fig``'s axes are placed by arithmetic: saving it needs no layout pass.

    Not a layout engine on purpose: matplotlib draws a figure that has one an extra time
    before saving it, which is the cost this module exists to avoid.
    """
    _LAID_OUT.add(fig)
    return fig


def is_laid_out(fig: Any) -> bool:
    """Whether :func:`mark_laid_out` placed ``fig``'s axes (so it needs no "tight" box)."""
    try:
        return fig in _LAID_OUT
    except TypeError:  # not weak-referenceable: not one of ours
        return False


_LAID_OUT: weakref.WeakSet[Figure] = weakref.WeakSet()


@dataclass(frozen=True)
class Margins:
    """Room, in points from each edge of the figure, left around an axes' plotting area."""

    left: float
    right: float
    top: float
    bottom: float

    def plot_width(self, fig: Figure) -> float:
        return fig.get_figwidth() * POINTS_PER_INCH - self.left - self.right

    def plot_height(self, fig: Figure) -> float:
        return fig.get_figheight() * POINTS_PER_INCH - self.top - self.bottom


def place_axes(fig: Figure, ax: Axes, margins: Margins) -> tuple[float, float]:
    """Put ``ax`` inside ``margins``; returns its plotting area's width and height in points.

    Raises ``ValueError`` when the margins leave no room, which only a chart asked to hold
    far more text than its size allows can do.
    """
    width_pt = fig.get_figwidth() * POINTS_PER_INCH
    height_pt = fig.get_figheight() * POINTS_PER_INCH
    plot_w, plot_h = margins.plot_width(fig), margins.plot_height(fig)
    if plot_w <= 0 or plot_h <= 0:
        raise ValueError("the chart's labels leave no room for the plot at this size")
    ax.set_position(
        (margins.left / width_pt, margins.bottom / height_pt, plot_w / width_pt, plot_h / height_pt)
    )
    return plot_w, plot_h


def points_to_figure(fig: Figure, x: float, y: float) -> tuple[float, float]:
    """A position in points from the figure's lower-left corner, as figure fractions."""
    return x / (fig.get_figwidth() * POINTS_PER_INCH), y / (fig.get_figheight() * POINTS_PER_INCH)


def decoration_room(ax: Axes) -> Margins:
    """Points an axes' own decorations take outside its plotting area, by arithmetic.

    Counts what matplotlib draws around a plain axes: tick marks and tick labels (at their
    rotation, with any box around them) on the left and bottom, the axis labels, and the
    titles above. Ticks on the right or top, and texts placed outside the plot by hand,
    are the caller's to add.
    """
    left = bottom = top = 0.0
    if ax.yaxis.get_visible():
        left = _axis_room(ax.yaxis, ax.get_yticklabels(), across=0)
        if ax.yaxis.label.get_text():
            left += ax.yaxis.labelpad + _text_extent(ax.yaxis.label)[0]
    if ax.xaxis.get_visible():
        bottom = _axis_room(ax.xaxis, ax.get_xticklabels(), across=1)
        if ax.xaxis.label.get_text():
            bottom += ax.xaxis.labelpad + _text_extent(ax.xaxis.label)[1]
    for title in (ax.title, ax._left_title, ax._right_title):
        if title.get_text():
            pad = float(mpl.rcParams["axes.titlepad"])
            top = max(top, pad + _text_extent(title)[1])
    return Margins(left=left, right=0.0, top=top, bottom=bottom)


def _text_extent(text: Text) -> tuple[float, float]:
    """Width and height in points of a Text at its rotation, with the box around it if any."""
    words, size = text.get_text(), text.get_fontsize()
    weight = text.get_fontweight()
    width, height = text_width(words, size, str(weight)), text_height(words, size, str(weight))
    box = text.get_bbox_patch()
    if box is not None:
        # A square box's pad is a fraction of the font size on each side.
        pad = 2 * getattr(box.get_boxstyle(), "pad", 0.0) * size
        width, height = width + pad, height + pad
    return rotated_extent(width, height, text.get_rotation())


def _axis_room(axis: Any, labels: Iterable[Text], *, across: int) -> float:
    """Points from the plot's edge to the far side of an axis's tick labels."""
    shown = [t for t in labels if t.get_visible() and t.get_text()]
    ticks = axis.get_major_ticks(1)
    length = ticks[0].get_tick_padding() if ticks else 0.0
    pad = ticks[0].get_pad() if ticks else 0.0
    if not shown:
        return length
    return length + pad + max(_text_extent(t)[across] for t in shown)


def fit_axes(fig: Figure, ax: Axes, extra: Margins) -> tuple[float, float]:
    """Place ``ax`` so that its decorations (:func:`decoration_room`) and ``extra`` points
    at each side fit in the figure; returns the plot's width and height in points.

    Placed twice: an automatic tick locator picks its ticks by the axis's length, so the
    tick labels (and the room they take) are only final once the axes has its size. When
    the axes at its size has the ticks it had before, the second placing would be the
    first again, and is skipped.
    """
    size = (0.0, 0.0)
    for _ in range(2):
        room = decoration_room(ax)
        ticks = _tick_locations(ax)  # those the room was worked out for
        size = place_axes(
            fig,
            ax,
            Margins(
                left=extra.left + room.left,
                right=extra.right + room.right,
                top=extra.top + room.top,
                bottom=extra.bottom + room.bottom,
            ),
        )
        if all(np.array_equal(a, b) for a, b in zip(ticks, _tick_locations(ax), strict=True)):
            break
    return size


def _tick_locations(ax: Axes) -> tuple[Any, Any]:
    """The major tick locations of both axes, as their locators place them now."""
    return ax.xaxis.get_majorticklocs(), ax.yaxis.get_majorticklocs()


# ----------------------------------------------------------------------------- settled texts
#: Formatters that never write an offset ("1e3", "+2.5e1") above an axis, which would make
#: matplotlib move a title clear of it.
_NO_OFFSET_FORMATTERS: Final = (FixedFormatter, FuncFormatter, NullFormatter, PercentFormatter)

#: A bound on a text's descent below its baseline, as a fraction of its font size.
_TITLE_DESCENT: Final = 1 / 3

_P = ParamSpec("_P")
_R = TypeVar("_R")


def settle_texts(fig: Figure) -> Figure:
    """Tell matplotlib that the titles and the empty axis labels of ``fig`` stay where they
    are, so that drawing it does not measure every tick label to find that out.

    Before it draws an axes, matplotlib looks for room for its title above anything on top
    of the axes (x tick labels or an axis label on top, an offset text of the y axis), and
    moves each axis label clear of its tick labels, measuring them all each time. A title
    has nothing to clear when there is nothing on top and its pad above the axes exceeds
    its descent; an empty label is not drawn at all. Those keep their places, as matplotlib
    would have left them; any other title or label is left to matplotlib.
    """
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if not axis.label.get_text():
                axis._autolabelpos = False
        if _title_stays(fig, ax):
            ax._autotitlepos = False
    return fig


def _title_stays(fig: Figure, ax: Axes) -> bool:
    """Whether matplotlib's title placing would leave ``ax``'s titles at the top of the axes."""
    if ax.child_axes or len(ax.get_shared_x_axes().get_siblings(ax)) > 1:
        return False
    if len(ax._twinned_axes.get_siblings(ax)) > 1:
        return False
    if len(fig._align_label_groups["title"].get_siblings(ax)) > 1:
        return False
    if ax.xaxis.get_ticks_position() != "bottom" or ax.xaxis.get_label_position() != "bottom":
        return False
    if not isinstance(ax.yaxis.get_major_formatter(), _NO_OFFSET_FORMATTERS):
        return False
    titles = (ax.title, ax._left_title, ax._right_title)
    if any(title.get_position()[1] != 1.0 for title in titles):
        return False
    # The pad between the axes' top and the titles' baseline, against each title's
    # descent (under a quarter of its size in the house fonts and their fallbacks; a
    # third, to be sure), both in pixels.
    pad = ax.titleOffsetTrans.get_matrix()[1, 2]
    deepest = max(
        (title.get_fontsize() * fig.dpi / POINTS_PER_INCH for title in titles if title.get_text()),
        default=0.0,
    )
    return bool(pad > deepest * _TITLE_DESCENT) and all(
        title.get_rotation() == 0 and title.get_va() == "baseline" for title in titles
    )


def settled(chart: Callable[_P, _R]) -> Callable[_P, _R]:
    """A chart function (returning its figure first) whose figure's texts are settled
    (:func:`settle_texts`) once it is built."""

    @functools.wraps(chart)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        result = chart(*args, **kwargs)
        settle_texts(result[0])  # type: ignore[index]
        return result

    return wrapper
