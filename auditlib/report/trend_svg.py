"""Small trend charts as inline SVG, for pages built without matplotlib (the overview page).

One measure's monthly percentage across the programme, drawn the NHS *Making Data
Count* way: a line through the months, the latest limits' mean (solid) and process
limits (dashed), special-cause points coloured as the report's SPC charts colour
them (blue improvement, orange concern, purple neither) and drawn larger and
outlined, so they do not rest on colour alone. Paused months are a shaded gap, and
a month whose value is suppressed (``[c]``) is not drawn. The SVG carries a title
and a description (``role="img"``); the page shows the same numbers in a table.

Pure: numbers in, markup out. Every string is escaped.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from auditlib.report.charts.palette import PAUSED_COLOUR, SPC_COLOURS

#: The drawing's coordinate box (it scales to its container; text scales with it).
WIDTH: Final = 320
HEIGHT: Final = 180
MARGIN_LEFT: Final = 38
MARGIN_RIGHT: Final = 10
MARGIN_TOP: Final = 12
MARGIN_BOTTOM: Final = 30
FONT_SIZE: Final = 11
#: Point radii: a special-cause point is larger, so its signal does not rest on colour.
POINT_RADIUS: Final = 2.6
SPECIAL_RADIUS: Final = 4.4
#: The y axis runs from 0 to a multiple of this (percentage points).
Y_STEP: Final = 10
AXIS_COLOUR: Final = "#484949"
GRID_COLOUR: Final = "#d8dadb"
#: Point type → (fill colour, drawn as special cause).
POINT_STYLES: Final = {
    "common_cause": (SPC_COLOURS["common"], False),
    "special_cause_improvement": (SPC_COLOURS["improvement"], True),
    "special_cause_concern": (SPC_COLOURS["concern"], True),
    "special_cause_neither": (SPC_COLOURS["neither"], True),
}


@dataclass(frozen=True)
class TrendPoint:
    """One month of the chart: its value (None when paused, empty or suppressed)."""

    month: str
    short_label: str
    value: float | None
    point_type: str = ""
    paused: bool = False


@dataclass(frozen=True)
class Limits:
    """The latest period's mean and process limits, and the first month they apply to."""

    mean: float
    lower: float
    upper: float
    start_month: str


def y_top(values: Sequence[float]) -> float:
    """The top of the y axis: the next multiple of :data:`Y_STEP` above every value (≤ 100).

    >>> y_top([7.2, 35.3]), y_top([96.0]), y_top([])
    (40, 100, 10)
    """
    highest = max(values, default=0.0)
    return min(100, max(Y_STEP, Y_STEP * math.ceil((highest + 0.5) / Y_STEP)))


def trend_svg(
    points: Sequence[TrendPoint],
    *,
    chart_id: str,
    title: str,
    description: str,
    limits: Limits | None = None,
) -> str:
    """An accessible inline SVG line chart of ``points`` (percentages) with optional limits."""
    esc = html.escape
    values = [p.value for p in points if p.value is not None]
    extremes = [*values, *((limits.upper, limits.mean) if limits else ())]
    top = y_top(extremes)
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    step = plot_w / max(len(points) - 1, 1)

    def x_at(i: int) -> float:
        return MARGIN_LEFT + (i * step if len(points) > 1 else plot_w / 2)

    def y_at(v: float) -> float:
        return MARGIN_TOP + plot_h * (1 - max(0.0, min(v, top)) / top)

    parts: list[str] = [
        f'<svg class="trend-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="{FONT_SIZE}">',
        f'<title id="{chart_id}-title">{esc(title)}</title>',
        f'<desc id="{chart_id}-desc">{esc(description)}</desc>',
    ]
    # Paused months: a shaded band the width of one month.
    for i, point in enumerate(points):
        if point.paused:
            left = max(MARGIN_LEFT, x_at(i) - step / 2)
            right = min(WIDTH - MARGIN_RIGHT, x_at(i) + step / 2)
            parts.append(
                f'<rect x="{left:.1f}" y="{MARGIN_TOP}" width="{right - left:.1f}" '
                f'height="{plot_h}" fill="{PAUSED_COLOUR}"/>'
            )
    # Grid and y labels at 0, half and top.
    for tick in (0, top / 2, top):
        y = y_at(tick)
        parts.append(
            f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{MARGIN_LEFT - 4}" y="{y + FONT_SIZE / 3:.1f}" text-anchor="end" '
            f'fill="{AXIS_COLOUR}">{_number(tick)}%</text>'
        )
    # Limits over the months they apply to.
    if limits is not None and points:
        start = next((i for i, p in enumerate(points) if p.month >= limits.start_month), 0)
        x1, x2 = x_at(start), x_at(len(points) - 1)
        for value, dash in ((limits.upper, "4 3"), (limits.lower, "4 3"), (limits.mean, "")):
            y = y_at(value)
            dashes = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(
                f'<line x1="{x1:.1f}" x2="{x2:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
                f'stroke="{SPC_COLOURS["limits"] if dash else SPC_COLOURS["line"]}" '
                f'stroke-width="{1 if dash else 1.2}"{dashes}/>'
            )
    # The line: consecutive months with values, broken at gaps.
    run: list[str] = []
    for i, point in enumerate([*points, None]):
        if point is not None and point.value is not None:
            run.append(f"{x_at(i):.1f},{y_at(point.value):.1f}")
            continue
        if len(run) > 1:
            parts.append(
                f'<polyline points="{" ".join(run)}" fill="none" '
                f'stroke="{SPC_COLOURS["line"]}" stroke-width="1.4"/>'
            )
        run = []
    for i, point in enumerate(points):
        if point.value is None:
            continue
        colour, special = POINT_STYLES.get(point.point_type, (SPC_COLOURS["common"], False))
        radius = SPECIAL_RADIUS if special else POINT_RADIUS
        outline = f' stroke="{SPC_COLOURS["line"]}" stroke-width="1"' if special else ""
        parts.append(
            f'<circle cx="{x_at(i):.1f}" cy="{y_at(point.value):.1f}" r="{radius}" '
            f'fill="{colour}"{outline}/>'
        )
    # x labels: the first and the last month.
    if points:
        base = HEIGHT - MARGIN_BOTTOM + FONT_SIZE + 6
        parts.append(
            f'<text x="{x_at(0):.1f}" y="{base}" text-anchor="start" fill="{AXIS_COLOUR}">'
            f"{esc(points[0].short_label)}</text>"
        )
        if len(points) > 1:
            parts.append(
                f'<text x="{x_at(len(points) - 1):.1f}" y="{base}" text-anchor="end" '
                f'fill="{AXIS_COLOUR}">{esc(points[-1].short_label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _number(value: float) -> str:
    return f"{value:g}"
