"""Judgement charts for the report: the monthly trend, one month's split, groups, headline lines.

Every chart function takes a count table (or the trend table, see :mod:`auditlib.analysis.metrics`) and
returns ``(fig, alt_text)``: a matplotlib Figure drawn in the house style and a plain-English
description with the key numbers, for the report's alt text.

Conventions shared by all charts here:

- Judgements keep one colour (:mod:`auditlib.report.charts.palette`) and one stacking order,
  :data:`STACK_ORDER`: Inadequate on the baseline (bottom, or left), then Requires Improvement,
  Good, Outstanding, and Not recorded last. Inadequate is the share directors watch most, so it
  gets the common baseline that makes bars comparable; Not recorded is outside the scale, so it
  never shifts the others.
- Shares are of all completed audits (DESIGN §3) and are shown rounded half up from the
  unrounded values (the same figures the report's text quotes); the charts say so in a note.
- Paused months are drawn as a hatched bar or band labelled "Paused", never as zero; months with
  no audit round are labelled "No round".
- Figures are built with :class:`matplotlib.figure.Figure`, not pyplot, so nothing keeps them
  alive: they cost nothing once the caller drops them.
- Disclosure: each chart takes an optional ``suppress`` mask (True where a figure is hidden) or
  a ``profile``; under the ``published`` profile no segment, n or alt text shows a suppressed
  figure. Suppressed segments of a bar are merged into one white cross-hatched segment labelled
  ``[c]`` at the end of the bar, so neither a label nor a segment's size gives one away (their
  sum is the bar's total less what is shown, which the reader knows anyway). Without either
  argument the charts show every figure, as before.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Final, Literal

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Annotation, Text
from matplotlib.ticker import MultipleLocator, PercentFormatter

from auditlib import disclosure
from auditlib.data import schema
from auditlib.errors import ReportError
from auditlib.report.charts import layout, style
from auditlib.report.charts.palette import (
    JUDGEMENT_COLOURS,
    JUDGEMENT_TEXT_COLOURS,
    PAUSED_COLOUR,
    PAUSED_HATCH,
    SUPPRESSED_COLOUR,
    SUPPRESSED_EDGE,
    SUPPRESSED_HATCH,
)

# The trend table's extra columns and states (defined in auditlib.data.schema).
MONTH_LABEL: Final = schema.MONTH_LABEL
STATE: Final = schema.STATE
AUDITED: Final = schema.AUDITED
PAUSED: Final = schema.PAUSED
NO_AUDITS: Final = schema.NO_AUDITS
STATES: Final = (AUDITED, PAUSED, NO_AUDITS)

GOOD_OR_BETTER_LABEL: Final = "Good or better"
PAUSED_TEXT: Final = "Paused"
NO_ROUND_TEXT: Final = "No round"
NONE_COMPLETED_TEXT: Final = "None completed"

#: Stacking order, bottom to top (left to right); see the module docstring for why.
STACK_ORDER: Final = (
    schema.INADEQUATE,
    schema.REQUIRES_IMPROVEMENT,
    schema.GOOD,
    schema.OUTSTANDING,
    schema.NOT_RECORDED,
)

#: What a suppressed figure reads as (GSS shorthand), and its legend entry.
SUPPRESSED_TEXT: Final = disclosure.SUPPRESSED
SUPPRESSED_LEGEND: Final = f"Suppressed {disclosure.SUPPRESSED}"
#: The optional column of a ``suppress`` mask saying whether Good or better may be shown.
GOOD_OR_BETTER_KEY: Final = "good_or_better"
SUPPRESSION_NOTE: Final = (
    f"{disclosure.SUPPRESSED}: suppressed to protect confidentiality (a count of "
    f"{disclosure.SUPPRESS_FROM} to {disclosure.SUPPRESS_TO}, or a figure from which one could be worked out); "
    "suppressed segments are merged into one hatched segment at the end of the bar."
)
_SUPPRESSED_ALT: Final = (
    f"Figures from counts of {disclosure.SUPPRESS_FROM} to {disclosure.SUPPRESS_TO}, and any from which one "
    f"could be worked out, are suppressed ({disclosure.SUPPRESSED})"
)

Rounding = Literal["half-up", "largest-remainder"]
#: A disclosure mask: True where a figure must not be shown (see :func:`hidden_cells`).
Suppress = pd.DataFrame | pd.Series | None
GroupOrder = Literal["given", "good_or_better", "inadequate"]

#: Fewer completed audits than this and a group's percentages swing by 10 points per audit:
#: too few to compare, so the group is listed but not drawn.
DEFAULT_MIN_N: Final = 10

ROUNDING_NOTES: Final[dict[str, str]] = {
    "half-up": "Percentages are of completed audits, rounded half up, so a bar's labels "
    "may not add to exactly 100%.",
    "largest-remainder": "Percentages are of completed audits, rounded by largest remainder "
    "so each bar's labels add to 100%.",
}
GROUP_ORDER_TEXT: Final[dict[str, str]] = {
    "given": "in the order given",
    "good_or_better": "by % Good or better, highest first",
    "inadequate": "by % Inadequate, highest first",
}

_MONTH_NAMES: Final = schema.MONTH_NAMES
_MONTH_NAME_RE: Final = re.compile(r"\b(" + "|".join(_MONTH_NAMES) + r")\b")
_YEAR_RE: Final = re.compile(r"\s*\b(\d{4})$")

#: Segment labels smaller than this are dropped rather than shrunk further.
_MIN_SEGMENT_FONT: Final = 5.5
#: Time axes are laid out for at least this many months, so early reports do not get slabs.
_MIN_SLOTS: Final = 8
#: Characters per line of a chart's note at 7 pt across A4 text width.
_NOTE_WRAP: Final = 125

# Colours for the non-judgement furniture: paused hatching and its outline.
_PAUSED_EDGE: Final = "#A6A6A6"
_BAR_EDGE: Final = "white"


# ------------------------------------------------------------------------------- data helpers
def judgement_shares(table: pd.DataFrame) -> pd.DataFrame:
    """Return the unrounded % of completed audits for each judgement label, row by row.

    The denominator is the ``completed`` column (all completed audits, DESIGN §3); a row with
    none completed gets NaN, not 0, because nothing was judged.

    >>> t = pd.DataFrame(
    ...     {"Outstanding": [0], "Good": [1], "Requires Improvement": [2],
    ...      "Inadequate": [1], "Not recorded": [0], "completed": [4]},
    ...     index=["2020-09"],
    ... )
    >>> judgement_shares(t).loc["2020-09"].tolist()
    [0.0, 25.0, 50.0, 25.0, 0.0]
    """
    counts = _check_counts(table, "count table")
    completed = counts[schema.COMPLETED]
    # Multiply before dividing so shares such as 29/200 come out exactly 14.5.
    labels = counts[list(schema.JUDGEMENT_LABELS)].mul(100)
    return labels.div(completed.where(completed > 0), axis=0).astype("float64")


def _check_counts(table: pd.DataFrame, what: str) -> pd.DataFrame:
    """Return the judgement counts and ``completed`` as int64, or raise a plain ReportError."""
    labels = list(schema.JUDGEMENT_LABELS)
    missing = [label for label in labels if label not in table.columns]
    if missing:
        raise ReportError(
            f"The {what} has no column for {', '.join(missing)}; "
            f"it needs a count for each of {', '.join(labels)}."
        )
    # One float array for the checks (a count table is a few dozen cells; pandas' per-column
    # machinery would cost more than the arithmetic).
    values = np.column_stack([_as_floats(table[label]) for label in labels])
    bad = np.isnan(values) | (values < 0) | (values != np.round(values))
    if bad.any():
        rows = _list_rows(table.index[bad.any(axis=1)])
        raise ReportError(
            f"The {what} has judgement counts that are not whole numbers of 0 or more "
            f"(rows {rows})."
        )
    counts = pd.DataFrame(values.astype("int64"), index=table.index, columns=labels)
    total = counts.sum(axis=1)
    if schema.COMPLETED in table.columns:
        completed = _as_floats(table[schema.COMPLETED])
        mismatch = np.isnan(completed) | (completed != total.to_numpy())
        if mismatch.any():
            rows = _list_rows(counts.index[mismatch])
            raise ReportError(
                f"In the {what}, '{schema.COMPLETED}' is not the sum of the judgement counts "
                f"(rows {rows}); every completed audit must have a judgement or Not recorded."
            )
    return counts.assign(**{schema.COMPLETED: total})


def _as_floats(column: pd.Series) -> np.ndarray:
    """A column as floats, anything that is not a number as NaN."""
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
        return column.to_numpy(dtype="float64", na_value=np.nan)
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _check_trend(trend: pd.DataFrame) -> pd.DataFrame:
    """Validate the trend table; return counts, ``completed``, month labels and states."""
    missing = [col for col in (MONTH_LABEL, STATE) if col not in trend.columns]
    if missing:
        raise ReportError(f"The trend table has no column {', '.join(missing)}.")
    if trend.empty:
        raise ReportError("The trend table has no months, so there is nothing to chart.")
    states = trend[STATE].astype("string")
    unknown = sorted(set(states.dropna()) - set(STATES)) + (
        ["(blank)"] if states.isna().any() else []
    )
    if unknown:
        raise ReportError(
            f"The trend table has unknown state(s) {', '.join(unknown)}; "
            f"expected one of {', '.join(STATES)}."
        )
    months = pd.Index(trend.index.astype("string"))
    if not (months.is_unique and months.is_monotonic_increasing):
        raise ReportError("The trend table's months must be unique and in order.")
    not_audited = (states != AUDITED).to_numpy()
    labels = [label for label in schema.JUDGEMENT_LABELS if label in trend.columns]
    filled = trend.copy()
    # Paused and no-audit months carry no counts: a blank there is a zero, not an error.
    filled.loc[not_audited, labels] = filled.loc[not_audited, labels].fillna(0)
    if schema.COMPLETED in filled.columns:
        filled.loc[not_audited, schema.COMPLETED] = filled.loc[
            not_audited, schema.COMPLETED
        ].fillna(0)
    counts = _check_counts(filled, "trend table")
    counted = not_audited & (counts[schema.COMPLETED] > 0).to_numpy()
    if counted.any():
        raise ReportError(
            "The trend table has completed audits in month(s) marked paused or no audits: "
            f"{_list_rows(counts.index[counted])}."
        )
    # A month without a label is still a month: show its YYYY-MM rather than "<NA>".
    month_labels = trend[MONTH_LABEL].astype("string")
    month_labels = month_labels.fillna(pd.Series(months, index=trend.index))
    return counts.assign(**{MONTH_LABEL: month_labels, STATE: states})


def _list_rows(index: Iterable[object], limit: int = 5) -> str:
    rows = [str(i) for i in index]
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return ", ".join(rows[:limit]) + more


def hidden_cells(
    table: pd.DataFrame,
    *,
    suppress: Suppress = None,
    profile: disclosure.DisclosureProfile | str | None = None,
) -> pd.DataFrame:
    """Return which figures of a count table a chart must not show (True = suppressed).

    Columns: the judgement labels, ``completed`` and ``good_or_better``. ``suppress`` is a
    boolean mask with a row for every row of ``table`` (a Series for a one-row table) and any
    of those columns (a missing one is all False): pass the mask the report's tables and
    figures.json use, so chart and table hide the same figures. Without it, a ``profile``
    that suppresses computes the mask with :func:`auditlib.disclosure.suppression_mask`.
    A hidden ``completed`` hides every share of it; ``good_or_better`` (Outstanding + Good)
    is hidden with either of them unless the mask says otherwise.

    >>> t = pd.DataFrame({"Outstanding": [0], "Good": [3], "Requires Improvement": [20],
    ...     "Inadequate": [9], "Not recorded": [0], "completed": [32]}, index=["2020-09"])
    >>> h = hidden_cells(t, profile="published")
    >>> [c for c in h.columns if h.at["2020-09", c]]
    ['Good', 'Inadequate', 'good_or_better']
    >>> bool(hidden_cells(t).any().any())
    False
    """
    labels = list(schema.JUDGEMENT_LABELS)
    columns = [*labels, schema.COMPLETED, GOOD_OR_BETTER_KEY]
    hidden = pd.DataFrame(False, index=table.index, columns=columns)
    if suppress is None:
        if profile is None or not disclosure.DisclosureProfile.from_name(profile).suppresses:
            return hidden
        mask = (
            disclosure.suppression_mask(table, profile, cells=labels, other_counts=[])
            != disclosure.SHOWN
        )
    elif isinstance(suppress, pd.Series):
        if len(table.index) != 1:
            raise ReportError("A suppression mask for a table of several rows must be a DataFrame.")
        mask = pd.DataFrame([suppress.to_numpy()], index=table.index, columns=suppress.index)
    else:
        mask = suppress
    unknown = [str(c) for c in mask.columns if c not in columns]
    if unknown:
        raise ReportError(
            f"The suppression mask has unknown column(s) {', '.join(unknown)}; "
            f"expected some of {', '.join(columns)}."
        )
    missing = table.index.difference(mask.index)
    if len(missing):
        # A row left out would be drawn in full: refuse rather than disclose.
        raise ReportError(f"The suppression mask has no row for {_list_rows(missing)}.")
    # In one boolean array (a count table is a few dozen cells; pandas' per-column
    # machinery would cost more than the logic): a blank in the mask is shown.
    given = mask.reindex(index=table.index, columns=columns).to_numpy(dtype=object)
    flags = np.where(pd.isna(given), False, given).astype(bool)
    completed = columns.index(schema.COMPLETED)
    good_or_better = columns.index(GOOD_OR_BETTER_KEY)
    flags[flags[:, completed], : len(labels)] = True
    if GOOD_OR_BETTER_KEY not in mask.columns:
        outstanding, good = labels.index(schema.OUTSTANDING), labels.index(schema.GOOD)
        flags[:, good_or_better] = flags[:, outstanding] | flags[:, good]
    flags[:, good_or_better] |= flags[:, completed]
    return pd.DataFrame(flags, index=hidden.index, columns=hidden.columns)


def _suppressed_handle() -> Patch:
    return Patch(
        facecolor=SUPPRESSED_COLOUR,
        edgecolor=SUPPRESSED_EDGE,
        hatch=SUPPRESSED_HATCH,
        linewidth=0.6,
        label=SUPPRESSED_LEGEND,
    )


def _suppressed_label(ax: Axes, x: float, y: float, fontsize: float, **kwargs: object) -> Text:
    """``[c]`` on a white patch, legible over the hatching."""
    return ax.text(
        x,
        y,
        SUPPRESSED_TEXT,
        ha="center",
        va="center",
        fontsize=fontsize,
        color=style.TEXT_COLOUR,
        bbox={"facecolor": SUPPRESSED_COLOUR, "edgecolor": "none", "pad": 0.6},
        **kwargs,
    )


# ----------------------------------------------------------------------------- text helpers
def _half_up(value: float) -> int:
    # Quantise to 9 places first so a float such as 14.499999999999998 (really 14.5) rounds up.
    return int(Decimal(f"{value:.9f}").quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _pct(value: float) -> str:
    return f"{_half_up(value)}%"


def _rounded_shares(shares: pd.Series, rounding: Rounding) -> dict[str, int]:
    """Whole-number % per label: half up, or largest remainder so they add to 100."""
    if rounding == "half-up":
        return {label: _half_up(v) for label, v in shares.items()}
    if rounding != "largest-remainder":
        raise ReportError(f"Unknown rounding {rounding!r}; use 'half-up' or 'largest-remainder'.")
    exact = {label: Decimal(f"{v:.9f}") for label, v in shares.items()}
    floors = {label: int(v) for label, v in exact.items()}
    spare = 100 - sum(floors.values())
    # Ties go to the label earlier in the judgement scale, so the result is deterministic.
    by_remainder = sorted(exact, key=lambda label: exact[label] - floors[label], reverse=True)
    for label in by_remainder[:spare]:
        floors[label] += 1
    return floors


def _short_month(label: str) -> str:
    """``"July/August 2019"`` → ``"Jul/Aug 2019"``: month names cut to three letters."""
    return _MONTH_NAME_RE.sub(lambda m: m.group(0)[:3], label)


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _months_text(labels: Sequence[str], limit: int = 3) -> str:
    if len(labels) > limit:
        return _join([*labels[:limit], f"{len(labels) - limit} other months"])
    return _join(list(labels))


def _range_text(shares: pd.Series, labels: pd.Series) -> str:
    """``"from 7% (September 2020) to 31% (September 2019)"``, over the values not suppressed."""
    if shares.dropna().empty:
        return f"{SUPPRESSED_TEXT} (suppressed in every round)"
    return f"from {_extreme_text(shares, labels, 'min')} to {_extreme_text(shares, labels, 'max')}"


def _extreme_text(shares: pd.Series, labels: pd.Series, which: Literal["min", "max"]) -> str:
    """``"31% (September 2019)"``: the extreme as shown (rounded) and every month showing it."""
    rounded = shares.dropna().map(_half_up)
    target = rounded.min() if which == "min" else rounded.max()
    months = [str(labels[i]) for i in rounded.index[rounded == target]]
    return f"{target}% ({_months_text(months)})"


def _span_text(first: str, last: str) -> str:
    """``"from March to May 2020"``; a single month is ``"in March 2020"``."""
    if first == last:
        return f"in {first}"
    first_year, last_year = _YEAR_RE.search(first), _YEAR_RE.search(last)
    if first_year and last_year and first_year.group(1) == last_year.group(1):
        first = _YEAR_RE.sub("", first)
    return f"from {first} to {last}"


def _runs(mask: Sequence[bool]) -> list[tuple[int, int]]:
    """Index ranges (first, last) of consecutive True values."""
    runs: list[tuple[int, int]] = []
    for i, flag in enumerate(mask):
        if flag and runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        elif flag:
            runs.append((i, i))
    return runs


def _split_text(
    shares: pd.Series, counts: pd.Series | None = None, hidden: pd.Series | None = None
) -> str:
    """``"Outstanding 0%, Good 29%, …"``: the four grades always, Not recorded only if any.

    A label ``hidden`` marks as suppressed reads ``[c]``, without its count.
    """
    parts = []
    for label in schema.JUDGEMENT_LABELS:
        if label == schema.NOT_RECORDED and not shares[label] > 0:
            continue
        if hidden is not None and hidden[label]:
            parts.append(f"{label} {SUPPRESSED_TEXT}")
            continue
        count = f" ({counts[label]})" if counts is not None else ""
        parts.append(f"{label} {_pct(shares[label])}{count}")
    return ", ".join(parts)


def _n_text(n: int, hidden: bool) -> str:
    return SUPPRESSED_TEXT if hidden else str(n)


def _pauses_and_gaps_text(data: pd.DataFrame) -> str:
    labels = data[MONTH_LABEL].tolist()
    sentences = []
    paused = _runs((data[STATE] == PAUSED).tolist())
    if paused:
        spans = _join([_span_text(labels[a], labels[b]) for a, b in paused])
        sentences.append(f"The programme was paused {spans}.")
    gaps = [labels[i] for i, state in enumerate(data[STATE]) if state == NO_AUDITS]
    if gaps:
        sentences.append(f"There was no audit round in {_months_text(gaps, limit=6)}.")
    return " ".join(sentences)


# ---------------------------------------------------------------------------- figure helpers
#: Room between the plot's own labels and the figure's edges or its title, legend and note
#: bands (what constrained layout's ``w_pad``/``h_pad`` of 0.06 inch gave before).
_PAD: Final = layout.EDGE_PAD
#: Gap between neighbouring labels (points) below which they count as touching.
_LABEL_GAP: Final = 2.0
_ROW_LABEL_GAP: Final = 1.5
#: A segment label keeps half a point clear of its segment's edges on each side.
_SEGMENT_PAD: Final = 0.5
#: Tolerance (points) when a label is checked against its segment: the old, measured
#: layout allowed Agg's whole-pixel rounding of text extents, one pixel at 100 dpi.
_SEGMENT_SLACK: Final = 0.72
#: Offset (points) of labels placed beside a bar or above it.
_BESIDE: Final = 4.0
#: Matplotlib's autoscale margin, as the charts had it before their limits were set here.
_AUTOSCALE_MARGIN: Final = 0.05


@dataclass(frozen=True)
class _Bands:
    """Points reserved at the figure's top (title, legend) and bottom (note)."""

    top: float
    bottom: float


@dataclass(frozen=True)
class _MonthTicks:
    """How month labels fit under a time axis, worked out from the slot width alone."""

    labels: list[str]
    rotation: int
    #: points below the axis the labels take (tick padding included)
    below: float
    #: points the first label reaches left of its tick, and the last right of its tick
    left_reach: float
    right_reach: float


def _new_figure(height: float) -> tuple[Figure, Axes]:
    """A house-style figure at A4 text width, laid out by arithmetic (no layout engine).

    The Agg canvas is only attached so a caller can measure or draw the figure if it wishes;
    the charts themselves never draw before the figure is saved.
    """
    fig = layout.mark_laid_out(Figure(figsize=(style.A4_TEXT_WIDTH_IN, height)))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    # Fixed here, not left to rcParams: ticks are created lazily and may be drawn later,
    # outside the house-style context.
    ax.tick_params(labelsize=style.TICK_SIZE, colors=style.TEXT_COLOUR)
    return fig, ax


def _frame(
    fig: Figure,
    title: str,
    note: str,
    handles: Sequence[Patch | Line2D] = (),
    subtitle: str | None = None,
) -> _Bands:
    """Title and legend above the plot, note below, each in a band of its own.

    Returns the points the bands take at the top and bottom of the figure: the plot is
    placed between them (:func:`_place`), so the title, legend and note can never overlap
    the plot or each other.
    """
    height = fig.get_figheight()
    margin = 0.06  # inches
    line = 1.25 / 72  # inches per point of font size, per line
    note_lines = textwrap.wrap(note, _NOTE_WRAP)
    title_h = style.TITLE_SIZE * line + (style.LABEL_SIZE * line + 0.04 if subtitle else 0)
    # One row of legend fits six entries at A4 width; more (e.g. Paused and Suppressed) wrap.
    columns = len(handles) if len(handles) <= 6 else math.ceil(len(handles) / 2)
    rows = math.ceil(len(handles) / columns) if handles else 0
    legend_h = rows * style.TICK_SIZE * 1.9 / 72 if handles else 0.0
    note_h = len(note_lines) * style.SMALL_SIZE * line
    left = margin / fig.get_figwidth()
    top = 1 - margin / height
    fig.text(left, top, title, ha="left", va="top", fontsize=style.TITLE_SIZE, fontweight="bold")
    if subtitle:
        fig.text(
            left,
            top - (style.TITLE_SIZE * line + 0.04) / height,
            subtitle,
            ha="left",
            va="top",
            fontsize=style.LABEL_SIZE,
            color=style.MUTED_COLOUR,
        )
    if handles:
        fig.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(left, top - (title_h + 0.08) / height),
            bbox_transform=fig.transFigure,
            borderaxespad=0,
            borderpad=0,
            ncols=columns,
            handlelength=1.0,
            handleheight=0.9,
            columnspacing=1.1,
            handletextpad=0.4,
            fontsize=style.TICK_SIZE,
        )
    fig.text(
        left,
        margin / height,
        "\n".join(note_lines),
        ha="left",
        va="bottom",
        fontsize=style.SMALL_SIZE,
        color=style.MUTED_COLOUR,
        linespacing=1.25,
    )
    bottom = margin + note_h + 0.06
    above = margin + title_h + 0.08 + legend_h + (0.06 if handles else 0)
    return _Bands(top=above * layout.POINTS_PER_INCH, bottom=bottom * layout.POINTS_PER_INCH)


def _place(
    fig: Figure,
    ax: Axes,
    bands: _Bands,
    *,
    left: float = 0.0,
    right: float = 0.0,
    top: float = 0.0,
    bottom: float = 0.0,
) -> tuple[float, float]:
    """Place the plot between the bands, leaving ``left`` … ``bottom`` points for its own
    labels (tick labels, n, annotations); returns the plot's width and height in points."""
    margins = layout.Margins(
        left=_PAD + left,
        right=_PAD + right,
        top=bands.top + _PAD + top,
        bottom=bands.bottom + _PAD + bottom,
    )
    try:
        return layout.place_axes(fig, ax, margins)
    except ValueError:
        raise ReportError(
            "A chart has more labels than its size leaves room for; "
            "report this with the data that caused it."
        ) from None


def _tick_label_room(labels: Iterable[str], size: float = style.TICK_SIZE) -> float:
    """Points the y tick labels take left of the plot (tick length 0, matplotlib's pad)."""
    widest = max((layout.text_width(label, size) for label in labels), default=0.0)
    return widest + float(mpl.rcParams["ytick.major.pad"])


def _percent_labels(ticks: Sequence[float]) -> list[str]:
    """The labels ``PercentFormatter(decimals=0)`` gives ``ticks`` ("0%", "25%", …)."""
    return [f"{t:.0f}%" for t in ticks]


def _slot(plot_width: float, xlim: tuple[float, float]) -> float:
    """Width in points of one month's slot on a categorical x axis."""
    left, right = xlim
    return plot_width / (right - left)


def _month_tick_plan(labels: Sequence[str], slot: float) -> _MonthTicks:
    """One tick label per month, as readable as the width allows, by arithmetic.

    Two-line horizontal labels if they fit side by side; else one line slanted at 45°; else
    vertical; else vertical on every k-th month, counting back from the latest so it is always
    labelled.
    """
    short = [_short_month(label) for label in labels]
    pad = 4.0  # the x tick pad set on every time axis
    two_line = [_YEAR_RE.sub(r"\n\1", label) for label in short]
    widths = [layout.text_width(label, style.TICK_SIZE) for label in two_line]
    if all((a + b) / 2 + _LABEL_GAP <= slot for a, b in pairwise(widths)):
        height = max(layout.text_height(label, style.TICK_SIZE) for label in two_line)
        return _MonthTicks(two_line, 0, pad + height, widths[0] / 2, widths[-1] / 2)
    line = max(layout.text_height(label, style.TICK_SIZE) for label in short)
    widths = [layout.text_width(label, style.TICK_SIZE) for label in short]
    if slot * np.sqrt(0.5) >= line + _LABEL_GAP:
        # Anchored at the label's top-right corner and turned 45°: it reaches down and left.
        below = max((w + line) * np.sqrt(0.5) for w in widths)
        return _MonthTicks(short, 45, pad + below, widths[0] * np.sqrt(0.5), line * np.sqrt(0.5))
    every = int(np.ceil((line + _LABEL_GAP) / slot))
    shown = [label if (len(short) - 1 - i) % every == 0 else "" for i, label in enumerate(short)]
    below = max(layout.text_width(label, style.TICK_SIZE) for label in shown)
    return _MonthTicks(shown, 90, pad + below, line / 2, line / 2)


def _apply_month_ticks(ax: Axes, plan: _MonthTicks) -> None:
    x = np.arange(len(plan.labels))
    ax.tick_params(axis="x", length=0, pad=4)
    if plan.rotation == 45:
        ax.set_xticks(x, plan.labels, rotation=45, ha="right", rotation_mode="anchor")
    else:
        ax.set_xticks(x, plan.labels, rotation=plan.rotation, ha="center")


@dataclass(frozen=True)
class _TimeAxis:
    """Where a plot with one slot per month goes across the figure, and its month labels."""

    left: float
    right: float
    slot: float
    ticks: _MonthTicks


def _plan_time_axis(
    fig: Figure,
    ax: Axes,
    labels: Sequence[str],
    *,
    left: float,
    right: float = 0.0,
    right_of_last: float = 0.0,
) -> _TimeAxis:
    """Room at either side of a plot with one slot per month, and how its labels fit.

    ``left``/``right``: points the plot's other labels need; ``right_of_last``: points a
    label of the last month reaches right of its tick (e.g. an end value). The slot width
    decides how the month labels fit, and the labels may in turn need more room at either
    side, so this settles in at most three rounds of arithmetic.
    """
    xlim = ax.get_xlim()
    width_pt = fig.get_figwidth() * layout.POINTS_PER_INCH
    need_left, need_right = left, right
    for _ in range(3):
        slot = _slot(width_pt - 2 * _PAD - need_left - need_right, xlim)
        plan = _month_tick_plan(labels, slot)
        first_gap = (0 - xlim[0]) * slot
        last_gap = (xlim[1] - (len(labels) - 1)) * slot
        wanted_left = max(left, plan.left_reach - first_gap)
        wanted_right = max(right, plan.right_reach - last_gap, right_of_last - last_gap)
        if wanted_left <= need_left + 0.01 and wanted_right <= need_right + 0.01:
            break
        need_left, need_right = max(need_left, wanted_left), max(need_right, wanted_right)
    return _TimeAxis(need_left, need_right, slot, plan)


def _fit_row_labels(texts: Sequence[Text], slot: float) -> float:
    """Turn a row of labels (n above bars) vertical, and shrink it, if it would overlap.

    Returns the points the row takes above its anchor (the labels' height, or their
    length once turned).
    """
    if not texts:
        return 0.0
    size = texts[0].get_fontsize()
    placed = sorted((t.xy[0] * slot, layout.text_width(t.get_text(), size)) for t in texts)
    lefts = [x - w / 2 for x, w in placed]
    rights = [x + w / 2 for x, w in placed]
    if all(a + _ROW_LABEL_GAP <= b for a, b in zip(rights, lefts[1:], strict=False)):
        return max(layout.text_height(t.get_text(), size) for t in texts)
    step = min(b - a for a, b in pairwise(lefts))
    height = layout.text_height("0", size)
    size = max(size * min(1.0, (step - _ROW_LABEL_GAP) / height), _MIN_SEGMENT_FONT)
    for text in texts:
        text.set_rotation(90)
        text.set_fontsize(size)
    return max(layout.text_width(t.get_text(), size) for t in texts)


def _fit_segment_labels(
    pairs: Sequence[tuple[Text, Rectangle]],
    to_points: tuple[float, float],
    *,
    vertical: bool,
) -> None:
    """Shrink segment labels to the bars' thickness (not below a legible size), then remove
    any that still do not fit inside their segment.

    ``to_points``: points per data unit along x and along y, so each segment's size is
    known without drawing.
    """
    if not pairs:
        return
    per_x, per_y = to_points
    sizes = [(abs(r.get_width()) * per_x, abs(r.get_height()) * per_y) for _, r in pairs]
    base = style.SMALL_SIZE

    def extent(text: Text, size: float) -> tuple[float, float]:
        return layout.text_width(text.get_text(), size), layout.text_height(text.get_text(), size)

    boxes = [extent(t, base) for t, _ in pairs]
    # One size for every label on the chart: labels of varying size look like varying emphasis.
    if vertical:
        scale = min(
            (rw - 2 * _SEGMENT_PAD) / tw for (tw, _), (rw, _) in zip(boxes, sizes, strict=True)
        )
    else:
        scale = min(
            (rh - 2 * _SEGMENT_PAD) / th for (_, th), (_, rh) in zip(boxes, sizes, strict=True)
        )
    # Down to the next half point.
    size = min(base, np.floor(base * scale * 2) / 2)
    if size < _MIN_SEGMENT_FONT:
        for text, _ in pairs:
            text.remove()
        return
    if size < base:
        for text, _ in pairs:
            text.set_fontsize(size)
        boxes = [extent(t, size) for t, _ in pairs]
    for (text, _), (tw, th), (rw, rh) in zip(pairs, boxes, sizes, strict=True):
        too_wide = tw + 2 * _SEGMENT_PAD > rw + _SEGMENT_SLACK
        if too_wide or th + 2 * _SEGMENT_PAD > rh + _SEGMENT_SLACK:
            text.remove()


def _bars(
    ax: Axes,
    positions: Sequence[float],
    lengths: Sequence[float] | float,
    *,
    thickness: float,
    base: Sequence[float] | float = 0.0,
    horizontal: bool = False,
    label: str = "",
    color: str | Sequence[str],
    edgecolor: str | Sequence[str],
    **props: object,
) -> BarContainer:
    """Bars like ``ax.bar``/``ax.barh`` (a labelled container of rectangles), added without
    matplotlib's autoscaling: every chart here sets its limits itself, and updating the
    data limits bar by bar is most of what ``ax.bar`` costs."""
    count = len(positions)
    lengths = np.broadcast_to(np.asarray(lengths, dtype=float), (count,))
    bases = np.broadcast_to(np.asarray(base, dtype=float), (count,))
    faces = [color] * count if isinstance(color, str) else list(color)
    edges = [edgecolor] * count if isinstance(edgecolor, str) else list(edgecolor)
    patches = []
    for at, length, start, face, edge in zip(positions, lengths, bases, faces, edges, strict=True):
        corner = (start, at - thickness / 2) if horizontal else (at - thickness / 2, start)
        size = (length, thickness) if horizontal else (thickness, length)
        rect = Rectangle(corner, *size, facecolor=face, edgecolor=edge, label="_nolegend_", **props)
        ax.add_artist(rect)
        patches.append(rect)
    container = BarContainer(
        patches,
        datavalues=lengths,
        orientation="horizontal" if horizontal else "vertical",
        label=label,
    )
    ax.add_container(container)
    return container


def _bar_limits(count: int, thickness: float) -> tuple[float, float]:
    """Axis limits around ``count`` bars at 0, 1, … as matplotlib's autoscale set them."""
    low, high = -thickness / 2, count - 1 + thickness / 2
    margin = _AUTOSCALE_MARGIN * (high - low)
    return low - margin, high + margin


def _judgement_handles(labels: Iterable[str]) -> list[Patch]:
    return [
        Patch(facecolor=JUDGEMENT_COLOURS[label], edgecolor="none", label=label) for label in labels
    ]


def _paused_handle() -> Patch:
    return Patch(
        facecolor=PAUSED_COLOUR,
        edgecolor=_PAUSED_EDGE,
        hatch=PAUSED_HATCH,
        linewidth=0.6,
        label=PAUSED_TEXT,
    )


# ------------------------------------------------------------------------------------ charts
@layout.settled
def plot_judgement_trend(
    trend: pd.DataFrame,
    *,
    title: str = "Overall judgements by month",
    rounding: Rounding = "half-up",
    suppress: Suppress = None,
    profile: disclosure.DisclosureProfile | str | None = None,
) -> tuple[Figure, str]:
    """Draw one 100 % stacked bar per month of the trend table; return ``(fig, alt_text)``.

    n (completed audits) is printed above every audited bar and the % inside every segment
    tall enough to hold it. Paused months are hatched full-height bars labelled "Paused";
    months with no audit round are labelled "No round". ``suppress`` (a mask of the trend,
    see :func:`hidden_cells`) or ``profile="published"``: suppressed figures are shown as
    ``[c]``, their segments merged at the top of the bar, and left out of the alt text; a
    bar with a suppressed segment is labelled half up whatever ``rounding`` says.
    """
    data = _check_trend(trend)
    shares = judgement_shares(data)
    hidden = hidden_cells(data, suppress=suppress, profile=profile)
    n_months = len(data)
    x = np.arange(n_months)
    state = data[STATE].to_numpy()
    completed = data[schema.COMPLETED].to_numpy()
    drawn = (state == AUDITED) & (completed > 0)
    label_hidden = hidden[list(schema.JUDGEMENT_LABELS)].to_numpy()
    row_hidden = label_hidden.any(axis=1) & drawn

    with style.use_house_style():
        fig, ax = _new_figure(style.FULL_HEIGHT_IN + 0.5)
        # Wide bars: at 25 months a 0.82 bar still holds "63%" at 7 pt.
        width = 0.82
        bottoms = np.zeros(n_months)
        # Largest remainder would let a suppressed share move a shown label: half up there.
        rounded = {
            i: _rounded_shares(shares.iloc[i], "half-up" if row_hidden[i] else rounding)
            for i in range(n_months)
            if drawn[i]
        }
        segments: list[tuple[Text, Rectangle]] = []
        for label in STACK_ORDER:
            heights = np.where(hidden[label].to_numpy(), 0.0, shares[label].fillna(0).to_numpy())
            bars = _bars(
                ax,
                x[drawn],
                heights[drawn],
                thickness=width,
                base=bottoms[drawn],
                color=JUDGEMENT_COLOURS[label],
                edgecolor=_BAR_EDGE,
                linewidth=0.6,
                label=label,
            )
            for xi, rect in zip(x[drawn], bars.patches, strict=True):
                if heights[xi] > 0:
                    text = ax.text(
                        xi,
                        bottoms[xi] + heights[xi] / 2,
                        f"{rounded[xi][label]}%",
                        ha="center",
                        va="center",
                        fontsize=style.SMALL_SIZE,
                        color=JUDGEMENT_TEXT_COLOURS[label],
                    )
                    segments.append((text, rect))
            bottoms = bottoms + np.where(drawn, heights, 0)
        merged = np.where(label_hidden, shares[list(schema.JUDGEMENT_LABELS)].fillna(0), 0.0).sum(
            axis=1
        )
        with_merged = drawn & (merged > 0)
        if with_merged.any():
            bars = _bars(
                ax,
                x[with_merged],
                merged[with_merged],
                thickness=width,
                base=bottoms[with_merged],
                color=SUPPRESSED_COLOUR,
                hatch=SUPPRESSED_HATCH,
                edgecolor=SUPPRESSED_EDGE,
                linewidth=0.6,
                label=SUPPRESSED_LEGEND,
            )
            for xi, rect in zip(x[with_merged], bars.patches, strict=True):
                text = _suppressed_label(ax, xi, bottoms[xi] + merged[xi] / 2, style.SMALL_SIZE)
                segments.append((text, rect))

        paused = state == PAUSED
        if paused.any():
            _bars(
                ax,
                x[paused],
                100,
                thickness=width,
                color=PAUSED_COLOUR,
                hatch=PAUSED_HATCH,
                edgecolor=_PAUSED_EDGE,
                linewidth=0.6,
                label=PAUSED_TEXT,
            )
        n_labels: list[Text] = []
        for xi in x:
            if state[xi] == AUDITED:
                # n above every audited bar, including one where none were completed.
                n_label = ax.annotate(
                    _n_text(completed[xi], hidden[schema.COMPLETED].iloc[xi]),
                    (xi, 100),
                    xytext=(0, 4),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=style.SMALL_SIZE,
                    gid="n",
                )
                n_labels.append(n_label)
            note = {PAUSED: PAUSED_TEXT, NO_AUDITS: NO_ROUND_TEXT}.get(state[xi])
            if state[xi] == AUDITED and completed[xi] == 0:
                note = NONE_COMPLETED_TEXT
            if note:
                ax.text(
                    xi,
                    50,
                    note,
                    rotation=90,
                    ha="center",
                    va="center",
                    fontsize=style.ANNOTATION_SIZE,
                    color=style.MUTED_COLOUR,
                    bbox={"facecolor": PAUSED_COLOUR, "edgecolor": "none", "pad": 1.5}
                    if state[xi] == PAUSED
                    else None,
                )
        ax.annotate(
            "n",
            (0, 100),
            xycoords=("axes fraction", "data"),
            xytext=(-6, 4),
            textcoords="offset points",
            ha="right",
            va="bottom",
            fontsize=style.SMALL_SIZE,
            fontweight="bold",
        )

        # A short programme still gets bar widths as if there were 8 months, centred, rather
        # than a few slabs filling the page.
        spare = max(0, _MIN_SLOTS - n_months) / 2
        ax.set_xlim(-0.6 - spare, n_months - 0.4 + spare)
        ax.set_ylim(0, 100)
        ax.set_yticks([0, 25, 50, 75, 100])
        ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
        ax.spines[["left", "bottom"]].set_visible(False)
        ax.tick_params(axis="y", length=0)
        handles = _judgement_handles(schema.JUDGEMENT_LABELS)
        if paused.any():
            handles.append(_paused_handle())
        note = (
            f"n = completed audits, shown above each bar. {ROUNDING_NOTES[rounding]} "
            "Percentages are shown where they fit."
        )
        if hidden.to_numpy().any():
            handles.append(_suppressed_handle())
            note += " " + SUPPRESSION_NOTE
        bands = _frame(fig, title, note, handles)
        left = max(
            _tick_label_room(_percent_labels(ax.get_yticks())),
            6 + layout.text_width("n", style.SMALL_SIZE, "bold"),
        )
        axis = _plan_time_axis(fig, ax, data[MONTH_LABEL].tolist(), left=left)
        above = _BESIDE + _fit_row_labels(n_labels, axis.slot)
        _apply_month_ticks(ax, axis.ticks)
        _, plot_h = _place(
            fig, ax, bands, left=axis.left, right=axis.right, top=above, bottom=axis.ticks.below
        )
        _fit_segment_labels(segments, (axis.slot, plot_h / 100), vertical=True)

    return fig, _trend_alt_text(data, shares, hidden)


def _trend_alt_text(data: pd.DataFrame, shares: pd.DataFrame, hidden: pd.DataFrame) -> str:
    labels = data[MONTH_LABEL]
    months = data[MONTH_LABEL].tolist()
    audited = (data[STATE] == AUDITED) & (data[schema.COMPLETED] > 0)
    any_hidden = bool((hidden.to_numpy() & audited.to_numpy()[:, None]).any())
    raw = shares
    # Suppressed shares are left out of every range and extreme below.
    shares = shares.mask(hidden[list(schema.JUDGEMENT_LABELS)])
    parts = [
        f"100% stacked bar chart of overall judgements by month from {months[0]} "
        f"to {months[-1]}, one bar per audit round, Inadequate at the bottom."
    ]
    if audited.any():
        sh = shares[audited]
        good_or_better = (sh[schema.OUTSTANDING] + sh[schema.GOOD]).mask(hidden[GOOD_OR_BETTER_KEY])
        n_hidden = hidden[schema.COMPLETED] & audited
        n_shown = data.loc[audited & ~n_hidden, schema.COMPLETED]
        if not n_hidden.any():
            parts.append(
                f"{int(audited.sum())} rounds with {int(data[schema.COMPLETED].sum()):,} completed "
                f"audits in all (n per round from {int(n_shown.min())} to {int(n_shown.max())})."
            )
        else:
            # No grand total: with one round's n suppressed it would give that n away.
            span = (
                f"n per round from {int(n_shown.min())} to {int(n_shown.max())}; "
                if len(n_shown)
                else ""
            )
            parts.append(
                f"{int(audited.sum())} rounds ({span}n suppressed in {int(n_hidden.sum())})."
            )
        parts.append(
            f"Inadequate ranged {_range_text(sh[schema.INADEQUATE], labels)}; "
            f"Good or better {_range_text(good_or_better, labels)}; "
            f"Requires Improvement {_range_text(sh[schema.REQUIRES_IMPROVEMENT], labels)}."
        )
        if (sh[schema.NOT_RECORDED] > 0).any():
            parts.append(
                "Some rounds include audits with no judgement recorded, up to "
                f"{_extreme_text(sh[schema.NOT_RECORDED], labels, 'max')}."
            )
        if any_hidden:
            parts.append(_SUPPRESSED_ALT + " and left out of these ranges.")
        last = audited[audited].index[-1]
        latest = "the latest month" if last == data.index[-1] else "the latest audited month"
        n_last = _n_text(
            int(data.loc[last, schema.COMPLETED]), bool(hidden.loc[last, schema.COMPLETED])
        )
        parts.append(
            f"In {labels[last]}, {latest} (n={n_last}): "
            f"{_split_text(raw.loc[last], hidden=hidden.loc[last])}."
        )
    else:
        parts.append("No month in the period has completed audits.")
    parts.append(_pauses_and_gaps_text(data))
    return " ".join(p for p in parts if p)


@layout.settled
def plot_month_split(
    counts_row: pd.Series,
    month_label: str,
    *,
    suppress: pd.Series | None = None,
    profile: disclosure.DisclosureProfile | str | None = None,
) -> tuple[Figure, str]:
    """Draw one month's judgement split as labelled horizontal bars; return ``(fig, alt_text)``.

    ``counts_row`` is one row of a count table. Each bar is labelled with its % (half up) and
    count; the four grades always appear, Not recorded only when there is one. ``suppress``
    (True for each label, ``completed`` or ``good_or_better`` to hide; see
    :func:`hidden_cells`) or ``profile="published"``: a suppressed label gets no bar and reads
    ``[c]``, here and in the alt text.
    """
    counts = _check_counts(counts_row.to_frame().T, "month's counts")
    hidden = hidden_cells(counts, suppress=suppress, profile=profile).iloc[0]
    n = int(counts[schema.COMPLETED].iloc[0])
    row = counts.iloc[0]
    shares = judgement_shares(counts).iloc[0]
    labels = [
        label for label in schema.JUDGEMENT_LABELS if label != schema.NOT_RECORDED or row[label] > 0
    ]
    good_or_better = SUPPRESSED_TEXT
    if n > 0 and not hidden[GOOD_OR_BETTER_KEY]:
        good_or_better = _pct(shares[schema.OUTSTANDING] + shares[schema.GOOD])

    with style.use_house_style():
        fig, ax = _new_figure(0.9 + 0.34 * len(labels))
        y = np.arange(len(labels))
        if n > 0:
            widths = [0.0 if hidden[label] else shares[label] for label in labels]
            bars = _bars(
                ax,
                y,
                widths,
                thickness=0.68,
                horizontal=True,
                color=[JUDGEMENT_COLOURS[label] for label in labels],
                edgecolor=[
                    style.TEXT_COLOUR if label == schema.NOT_RECORDED else "none"
                    for label in labels
                ],
                linewidth=0.4,
            )
            for label, rect, width in zip(labels, bars.patches, widths, strict=True):
                rect.set_label(label)
                ax.annotate(
                    SUPPRESSED_TEXT if hidden[label] else f"{_pct(width)} ({row[label]})",
                    (width, rect.get_y() + rect.get_height() / 2),
                    xytext=(4, 0),
                    textcoords="offset points",
                    ha="left",
                    va="center",
                    fontsize=style.TICK_SIZE,
                )
        else:
            ax.text(
                50,
                (len(labels) - 1) / 2,
                "No completed audits",
                ha="center",
                va="center",
                color=style.MUTED_COLOUR,
            )
        ax.set_yticks(y, labels)
        low, high = _bar_limits(len(labels), 0.68)
        ax.set_ylim(high, low)  # the first label at the top
        ax.set_xlim(0, 100)
        ax.xaxis.set_visible(False)
        ax.spines[["bottom"]].set_visible(False)
        ax.tick_params(axis="y", length=0)
        n_text = _n_text(n, hidden[schema.COMPLETED])
        subtitle = (
            f"{n_text} completed audits"
            if n != 1 or hidden[schema.COMPLETED]
            else "1 completed audit"
        )
        if n > 0:
            subtitle += f"; Good or better {good_or_better}"
        note = "Percentages are of completed audits, rounded half up; counts in brackets."
        if hidden.any():
            note += " " + SUPPRESSION_NOTE.split(";")[0] + "."
        bands = _frame(fig, f"Overall judgements, {month_label}", note, subtitle=subtitle)
        left = _tick_label_room(labels)
        # Each bar's label sits beside its end: the plot leaves room for the longest reach.
        across = fig.get_figwidth() * layout.POINTS_PER_INCH - 2 * _PAD - left
        right = 0.0
        for text in ax.texts if n > 0 else ():
            share = text.xy[0] / 100
            reach = _BESIDE + layout.text_width(text.get_text(), style.TICK_SIZE)
            if share > 0:
                right = max(right, (reach - across * (1 - share)) / share)
        _place(fig, ax, bands, left=left, right=right)

    if n == 0:
        return fig, f"Bar chart of overall judgements for {month_label}: no completed audits."
    split = _split_text(shares, row, hidden)
    alt = (
        f"Horizontal bar chart of overall judgements for {month_label}, {n_text} completed "
        f"audits: {split}. Good or better (Outstanding and Good) {good_or_better}."
    )
    if hidden.any():
        alt += f" {_SUPPRESSED_ALT}."
    return fig, alt


@layout.settled
def plot_judgements_by_group(
    table: pd.DataFrame,
    title: str,
    *,
    min_n: int = DEFAULT_MIN_N,
    order: GroupOrder = "given",
    rounding: Rounding = "half-up",
    suppress: Suppress = None,
    profile: disclosure.DisclosureProfile | str | None = None,
) -> tuple[Figure, str]:
    """Draw a 100 % stacked horizontal bar per group; return ``(fig, alt_text)``.

    Groups are the table's index (cohorts, teams, areas, domains). ``order``: ``"given"`` keeps
    the table's order, ``"good_or_better"`` / ``"inadequate"`` sort by that share, highest
    first (ties keep the given order). Groups with fewer than ``min_n`` completed audits are
    not drawn: they are listed last, in grey, as too few to compare. ``suppress`` (a mask of
    the table, see :func:`hidden_cells`) or ``profile="published"``: suppressed figures read
    ``[c]``, their segments are merged at the end of the bar, and a group whose sorting share
    is suppressed sorts as if it were 0, so its place gives nothing away.
    """
    counts = _check_counts(table, "group table")
    if counts.empty:
        raise ReportError(f"There are no groups to chart for '{title}'.")
    if order not in GROUP_ORDER_TEXT:
        raise ReportError(f"Unknown order {order!r}; use one of {', '.join(GROUP_ORDER_TEXT)}.")
    hidden = hidden_cells(counts, suppress=suppress, profile=profile)
    shares = judgement_shares(counts)
    n = counts[schema.COMPLETED]
    comparable = n >= max(min_n, 1)
    key = {
        "given": pd.Series(0.0, index=counts.index),
        "good_or_better": -(shares[schema.OUTSTANDING] + shares[schema.GOOD]).mask(
            hidden[GOOD_OR_BETTER_KEY]
        ),
        "inadequate": -shares[schema.INADEQUATE].mask(hidden[schema.INADEQUATE]),
    }[order]
    position = pd.Series(np.arange(len(counts)), index=counts.index)
    ranked = (
        pd.DataFrame({"small": ~comparable, "key": key.fillna(0), "position": position})
        .sort_values(["small", "key", "position"], kind="stable")
        .index
    )
    names = [textwrap.fill(str(name), 34) for name in ranked]
    lines = sum(name.count("\n") + 1 for name in names)

    with style.use_house_style():
        fig, ax = _new_figure(1.45 + 0.3 * len(ranked) + 0.13 * lines)
        y = np.arange(len(ranked))
        ok = comparable[ranked].to_numpy()
        lefts = np.zeros(len(ranked))
        segments: list[tuple[Text, Rectangle]] = []
        label_hidden = hidden.loc[ranked, list(schema.JUDGEMENT_LABELS)].to_numpy()
        rounded = {
            i: _rounded_shares(shares.loc[g], "half-up" if label_hidden[i].any() else rounding)
            for i, g in enumerate(ranked)
            if ok[i]
        }
        # Every label's column at once (one lookup, not one per label).
        stack_hidden = hidden.loc[ranked, list(STACK_ORDER)].to_numpy()
        stack_shares = shares.loc[ranked, list(STACK_ORDER)].fillna(0).to_numpy()
        for column, label in enumerate(STACK_ORDER):
            widths = np.where(stack_hidden[:, column], 0.0, stack_shares[:, column])
            bars = _bars(
                ax,
                y[ok],
                widths[ok],
                base=lefts[ok],
                thickness=0.66,
                horizontal=True,
                color=JUDGEMENT_COLOURS[label],
                edgecolor=_BAR_EDGE,
                linewidth=0.6,
                label=label,
            )
            for yi, rect in zip(y[ok], bars.patches, strict=True):
                if widths[yi] > 0:
                    text = ax.text(
                        lefts[yi] + widths[yi] / 2,
                        yi,
                        f"{rounded[yi][label]}%",
                        ha="center",
                        va="center",
                        fontsize=style.SMALL_SIZE,
                        color=JUDGEMENT_TEXT_COLOURS[label],
                    )
                    segments.append((text, rect))
            lefts = lefts + np.where(ok, widths, 0)
        merged = np.where(
            label_hidden, shares.loc[ranked, list(schema.JUDGEMENT_LABELS)].fillna(0), 0.0
        ).sum(axis=1)
        with_merged = ok & (merged > 0)
        if with_merged.any():
            bars = _bars(
                ax,
                y[with_merged],
                merged[with_merged],
                base=lefts[with_merged],
                thickness=0.66,
                horizontal=True,
                color=SUPPRESSED_COLOUR,
                hatch=SUPPRESSED_HATCH,
                edgecolor=SUPPRESSED_EDGE,
                linewidth=0.6,
                label=SUPPRESSED_LEGEND,
            )
            for yi, rect in zip(y[with_merged], bars.patches, strict=True):
                text = _suppressed_label(ax, lefts[yi] + merged[yi] / 2, yi, style.SMALL_SIZE)
                segments.append((text, rect))
        n_shown = {g: _n_text(n[g], hidden.at[g, schema.COMPLETED]) for g in ranked}
        for yi, group in enumerate(ranked):
            if ok[yi]:
                ax.annotate(
                    f"n={n_shown[group]}",
                    (100, yi),
                    xytext=(4, 0),
                    textcoords="offset points",
                    ha="left",
                    va="center",
                    fontsize=style.SMALL_SIZE,
                    gid="n",
                )
            else:
                why = "no completed audits" if n[group] == 0 else "too few to compare"
                ax.text(
                    1,
                    yi,
                    f"n={n_shown[group]} — {why}",
                    ha="left",
                    va="center",
                    fontsize=style.ANNOTATION_SIZE,
                    color=style.MUTED_COLOUR,
                    gid="n",
                )
        ax.set_yticks(y, names)
        for tick, is_ok in zip(ax.get_yticklabels(), ok, strict=True):
            tick.set_color(style.TEXT_COLOUR if is_ok else style.MUTED_COLOUR)
        low, high = _bar_limits(len(ranked), 0.66)
        ax.set_ylim(high, low)  # the first group at the top
        ax.set_xlim(0, 100)
        # Every bar spans 0–100 % and its segments are labelled, so an x axis adds only ink.
        ax.xaxis.set_visible(False)
        ax.spines[["left", "bottom"]].set_visible(False)
        ax.tick_params(axis="y", length=0)
        note = f"Sorted {GROUP_ORDER_TEXT[order]}. {ROUNDING_NOTES[rounding]}"
        if (~comparable).any():
            note += f" Groups with fewer than {min_n} completed audits are not compared."
        handles = _judgement_handles(schema.JUDGEMENT_LABELS)
        if hidden.to_numpy().any():
            handles.append(_suppressed_handle())
            note += " " + SUPPRESSION_NOTE
        bands = _frame(fig, title, note, handles)
        n_width = max(
            (
                layout.text_width(t.get_text(), style.SMALL_SIZE)
                for t in ax.texts
                if t.get_gid() == "n" and isinstance(t, Annotation)
            ),
            default=0.0,
        )
        plot_w, plot_h = _place(
            fig, ax, bands, left=_tick_label_room(names), right=_BESIDE + n_width
        )
        _fit_segment_labels(segments, (plot_w / 100, plot_h / (high - low)), vertical=False)

    alt = _group_alt_text(title, shares, ranked, comparable, min_n, order, n_shown, hidden)
    return fig, alt


def _group_alt_text(
    title: str,
    shares: pd.DataFrame,
    ranked: pd.Index,
    comparable: pd.Series,
    min_n: int,
    order: str,
    n_shown: dict[object, str],
    hidden: pd.DataFrame,
) -> str:
    parts = [
        f"100% stacked horizontal bar chart: {title}. {len(ranked)} groups, "
        f"sorted {GROUP_ORDER_TEXT[order]}, Inadequate on the left."
    ]
    for group in ranked:
        if comparable[group]:
            split = _split_text(shares.loc[group], hidden=hidden.loc[group])
            parts.append(f"{group} (n={n_shown[group]}): {split}.")
    small = [g for g in ranked if not comparable[g]]
    if small:
        listed = _join([f"{g} (n={n_shown[g]})" for g in small])
        parts.append(
            f"Too few to compare (fewer than {min_n} completed audits), so not drawn: {listed}."
        )
    if hidden.to_numpy().any():
        parts.append(_SUPPRESSED_ALT + ".")
    return " ".join(parts)


@layout.settled
def plot_good_or_better_trend(
    trend: pd.DataFrame,
    *,
    title: str = "Good or better and Inadequate by month",
) -> tuple[Figure, str]:
    """Draw % Good or better and % Inadequate by month as two lines; return ``(fig, alt_text)``.

    The lines break over paused months (shown as a hatched band labelled "Paused") and months
    with no audit round, so no value is invented for them. The latest values are labelled.
    """
    data = _check_trend(trend)
    shares = judgement_shares(data)
    state = data[STATE].to_numpy()
    audited = (data[STATE] == AUDITED) & (data[schema.COMPLETED] > 0)
    good_or_better = (shares[schema.OUTSTANDING] + shares[schema.GOOD]).where(audited)
    inadequate = shares[schema.INADEQUATE].where(audited)
    x = np.arange(len(data))
    top = max(good_or_better.max(skipna=True), inadequate.max(skipna=True))
    top = 50.0 if np.isnan(top) else float(np.ceil((top + 8) / 10) * 10)

    with style.use_house_style():
        fig, ax = _new_figure(style.FULL_HEIGHT_IN)
        ax.grid(axis="y")
        for first, last in _runs((state == PAUSED).tolist()):
            ax.axvspan(
                first - 0.45,
                last + 0.45,
                facecolor=PAUSED_COLOUR,
                hatch=PAUSED_HATCH,
                edgecolor=_PAUSED_EDGE,
                linewidth=0,
                label=PAUSED_TEXT,
            )
            ax.text(
                (first + last) / 2,
                top * 0.5,
                PAUSED_TEXT,
                rotation=90 if first == last else 0,
                ha="center",
                va="center",
                fontsize=style.ANNOTATION_SIZE,
                color=style.MUTED_COLOUR,
                bbox={"facecolor": PAUSED_COLOUR, "edgecolor": "none", "pad": 1.5},
            )
        for xi in x[state == NO_AUDITS]:
            ax.text(
                xi,
                top * 0.5,
                NO_ROUND_TEXT,
                rotation=90,
                ha="center",
                va="center",
                fontsize=style.ANNOTATION_SIZE,
                color=style.MUTED_COLOUR,
            )
        series = [
            (GOOD_OR_BETTER_LABEL, good_or_better, JUDGEMENT_COLOURS[schema.OUTSTANDING], "o", "-"),
            (schema.INADEQUATE, inadequate, JUDGEMENT_COLOURS[schema.INADEQUATE], "s", "--"),
        ]
        last_points = []
        for label, values, colour, marker, line in series:
            ax.plot(
                x,
                values.to_numpy(),
                color=colour,
                marker=marker,
                markersize=4,
                linestyle=line,
                linewidth=1.8,
                label=label,
            )
            if values.notna().any():
                last = int(np.flatnonzero(values.notna().to_numpy())[-1])
                last_points.append((last, float(values.iloc[last]), colour))
        # Keep the two end labels apart when the lines finish close together.
        offsets = [0.0] * len(last_points)
        if len(last_points) == 2 and abs(last_points[0][1] - last_points[1][1]) < top * 0.06:
            higher = 0 if last_points[0][1] >= last_points[1][1] else 1
            offsets[higher], offsets[1 - higher] = 5.0, -5.0
        for (xi, value, colour), dy in zip(last_points, offsets, strict=True):
            ax.annotate(
                _pct(value),
                (xi, value),
                xytext=(7, dy),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=style.TICK_SIZE,
                fontweight="bold",
                color=colour,
            )
        spare = max(0, _MIN_SLOTS - len(data)) / 2
        ax.set_xlim(-0.6 - spare, len(data) - 0.4 + spare)
        ax.set_ylim(0, top)
        ax.yaxis.set_major_locator(MultipleLocator(10))
        ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
        ax.spines[["left"]].set_visible(False)
        ax.tick_params(axis="y", length=0)
        handles: list[Patch | Line2D] = list(ax.get_lines())
        if (state == PAUSED).any():
            handles.append(_paused_handle())
        bands = _frame(
            fig,
            title,
            "Percentages of completed audits in each round; Good or better = Outstanding + Good. "
            "Latest values labelled, rounded half up.",
            handles,
        )
        end_labels = max(
            (
                7 + layout.text_width(_pct(value), style.TICK_SIZE, "bold")
                for _, value, _ in last_points
            ),
            default=0.0,
        )
        axis = _plan_time_axis(
            fig,
            ax,
            data[MONTH_LABEL].tolist(),
            left=_tick_label_room(_percent_labels(np.arange(0, top + 1, 10))),
            right_of_last=end_labels,
        )
        _apply_month_ticks(ax, axis.ticks)
        _place(fig, ax, bands, left=axis.left, right=axis.right, bottom=axis.ticks.below)

    return fig, _lines_alt_text(data, good_or_better, inadequate)


def _lines_alt_text(data: pd.DataFrame, good_or_better: pd.Series, inadequate: pd.Series) -> str:
    labels = data[MONTH_LABEL]
    months = labels.tolist()
    parts = [
        f"Line chart of the percentage of completed audits judged Good or better (Outstanding "
        f"or Good) and judged Inadequate, by month from {months[0]} to {months[-1]}."
    ]
    for name, values in ((GOOD_OR_BETTER_LABEL, good_or_better), (schema.INADEQUATE, inadequate)):
        if values.notna().any():
            last = values.dropna().index[-1]
            parts.append(
                f"{name} ranged from {_extreme_text(values, labels, 'min')} to "
                f"{_extreme_text(values, labels, 'max')} and was {_pct(values[last])} "
                f"in {labels[last]}."
            )
    if not good_or_better.notna().any():
        parts.append("No month in the period has completed audits.")
    gaps = _pauses_and_gaps_text(data)
    if gaps:
        parts.append(gaps + " The lines break where there was no audit round.")
    return " ".join(parts)
