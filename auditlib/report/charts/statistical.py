"""Judgement-shift charts: SPC (Making Data Count look), funnel plot, re-audit heatmap.

Each function returns ``(figure, alt_text)``: a matplotlib Figure (built without
pyplot, so no global state) and a sentence or two saying what the chart shows,
with its key numbers, for the report's alt text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter

from auditlib import disclosure
from auditlib.analysis import spc, stats
from auditlib.errors import ReportError
from auditlib.report import wording
from auditlib.report.charts import layout
from auditlib.report.charts.palette import (
    JUDGEMENT_COLOURS,
    OKABE_ITO,
    PAUSED_COLOUR,
    PAUSED_HATCH,
    SPC_COLOURS,
)

__all__ = ["describe_spc_chart", "plot_funnel", "plot_reaudit_heatmap", "plot_spc"]

_POINT_COLOURS = {
    "common_cause": SPC_COLOURS["common"],
    "special_cause_improvement": SPC_COLOURS["improvement"],
    "special_cause_concern": SPC_COLOURS["concern"],
    "special_cause_neither": SPC_COLOURS["neither"],
}
_POINT_NAMES = {
    "common_cause": "Common cause",
    "special_cause_improvement": "Special cause: improvement",
    "special_cause_concern": "Special cause: concern",
    "special_cause_neither": "Special cause: neither",
}
_TARGET_COLOUR = OKABE_ITO[5]
#: Suppressed points (published disclosure profile) are not drawn; this marks where they are.
SUPPRESSED_POINT_TEXT = disclosure.SUPPRESSED


def _suppressed_points(result: spc.SPCResult, suppress: pd.Series | Sequence[bool] | None):
    """A boolean array over the chart's points: True where the value must not be shown.

    ``suppress`` is a Series indexed by the points' ``x`` (e.g. months), where a point
    missing from it is shown, or a sequence with one flag per point.
    """
    d = result.data
    if suppress is None:
        return np.zeros(len(d), dtype=bool)
    if isinstance(suppress, pd.Series):
        flags = pd.Series(d["x"].to_numpy()).map(suppress.astype(bool).to_dict())
        return flags.fillna(False).to_numpy(dtype=bool)
    flags = np.asarray(list(suppress), dtype=bool)
    if len(flags) != len(d):
        raise ReportError(
            f"The suppression flags have {len(flags)} values for an SPC chart of {len(d)} points."
        )
    return flags


def _fit(fig: Figure, ax, *, right: float = 0.0, bottom: float = 0.0) -> tuple[float, float]:
    """Place the plot by arithmetic, leaving ``right``/``bottom`` points for a legend or
    note outside it and :data:`~auditlib.report.charts.layout.EDGE_PAD` at every edge."""
    pad = layout.EDGE_PAD
    return layout.fit_axes(
        fig, ax, layout.Margins(left=pad, right=pad + right, top=pad, bottom=pad + bottom)
    )


def _right_reach(ax, plot_width: float) -> float:
    """Points the x tick labels and the point labels reach right of the plot."""
    low, high = ax.get_xlim()
    per_unit = plot_width / (high - low)
    reach = 0.0
    for tick in ax.get_xticklabels():
        x = tick.get_position()[0]
        if tick.get_text() and low <= x <= high:
            half = layout.text_width(tick.get_text(), tick.get_fontsize()) / 2
            reach = max(reach, (x - low) * per_unit + half - plot_width)
    for text in ax.texts:
        offset = text.xyann[0] if getattr(text, "xyann", None) is not None else 0.0
        width = layout.text_width(text.get_text(), text.get_fontsize())
        reach = max(reach, (text.xy[0] - low) * per_unit + offset + width - plot_width)
    return reach


def _percent_axis(ax, scale: float) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: wording.format_pct(v * scale)))


# ---------------------------------------------------------------------- SPC
@layout.settled
def plot_spc(
    result: spc.SPCResult,
    *,
    measure: str,
    title: str | None = None,
    latest_label: str | None = None,
    paused_label: str = "paused",
    suppress: pd.Series | Sequence[bool] | None = None,
) -> tuple[Figure, str]:
    """SPC chart in the NHS Making Data Count style; returns (figure, alt text).

    Grey common-cause points, blue improvement and orange concern special-cause
    points (purple when no direction is set), mean as a solid line and process
    limits dashed, drawn separately for each rebased period. Rows without a
    value (a paused month) are shaded and labelled. ``suppress`` (True per point,
    by ``x`` or in order; published disclosure): those points are not drawn but
    marked ``[c]``, and the alt text does not state their values. The mean and
    limits still use every point: they are not counts of a few children.
    """
    d = result.data.reset_index(drop=True)
    hidden = _suppressed_points(result, suppress)
    xs = np.arange(len(d))
    scale = 100.0 if result.chart in ("p", "laney_p") else 1.0
    fig = layout.mark_laid_out(Figure(figsize=(9, 4.2)))
    ax = fig.add_subplot()
    values = np.where(hidden, np.nan, d["value"].to_numpy(dtype=float))
    ax.plot(xs, values, color=SPC_COLOURS["line"], linewidth=1, zorder=2)
    for period, part in d.groupby("period", sort=False):
        idx = part.index.to_numpy()
        has = part["value"].notna().to_numpy()
        if not has.any():
            continue
        # step lines so p-chart limits that vary with n are drawn point by point
        kw = {"where": "mid", "zorder": 1}
        ax.step(idx, part["mean"], color=SPC_COLOURS["line"], linewidth=1.2, **kw)
        ax.step(
            idx, part["upper"], color=SPC_COLOURS["limits"], linestyle="--", linewidth=1.2, **kw
        )
        ax.step(
            idx, part["lower"], color=SPC_COLOURS["limits"], linestyle="--", linewidth=1.2, **kw
        )
        if period != d["period"].iloc[0]:
            ax.axvline(idx[0] - 0.5, color=SPC_COLOURS["limits"], linestyle=":", linewidth=1)
            ax.annotate(
                "limits recalculated",
                (idx[0] - 0.45, 0.98),
                xycoords=("data", "axes fraction"),
                va="top",
                rotation=90,
                fontsize=8,
                color=SPC_COLOURS["line"],
            )
    for kind, colour in _POINT_COLOURS.items():
        sel = (d["point_type"] == kind).to_numpy() & ~hidden
        if sel.any():
            ax.scatter(
                xs[sel], values[sel], s=36, color=colour, edgecolor="white", linewidth=0.6, zorder=3
            )
    # A suppressed point may be a gap already (published charts leave hidden months out of
    # the limits): it is marked [c], never drawn as paused.
    for i in np.flatnonzero(hidden):
        ax.annotate(
            SUPPRESSED_POINT_TEXT,
            (i, 0.02),
            xycoords=("data", "axes fraction"),
            fontsize=7,
            ha="center",
        )
    for i in np.flatnonzero(d["value"].isna().to_numpy() & ~hidden):
        ax.axvspan(
            i - 0.5,
            i + 0.5,
            facecolor=PAUSED_COLOUR,
            hatch=PAUSED_HATCH,
            edgecolor="#BDBDBD",
            linewidth=0,
        )
        ax.annotate(
            paused_label,
            (i, 0.02),
            xycoords=("data", "axes fraction"),
            rotation=90,
            fontsize=7,
            ha="center",
        )
    if result.target is not None:
        ax.axhline(result.target, color=_TARGET_COLOUR, linewidth=1.2)
    ax.set_xticks(xs, [str(x) for x in d["x"]], rotation=90, fontsize=8)
    ax.set_xlim(-0.7, len(d) - 0.3)
    ax.set_ylabel(measure)
    if scale == 100 or result.chart == "xmr":
        _percent_axis(ax, scale)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title or f"{measure}: statistical process control chart", loc="left")
    handles = [
        Line2D([], [], marker="o", linestyle="", color=colour, label=_POINT_NAMES[kind])
        for kind, colour in _POINT_COLOURS.items()
        if ((d["point_type"] == kind).to_numpy() & ~hidden).any()
    ]
    handles += [
        Line2D([], [], color=SPC_COLOURS["line"], label="Mean"),
        Line2D([], [], color=SPC_COLOURS["limits"], linestyle="--", label="Process limits"),
    ]
    if result.target is not None:
        handles.append(Line2D([], [], color=_TARGET_COLOUR, label="Target"))
    ax.legend(
        handles=handles, fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0)
    )
    legend_width, _ = layout.legend_size([h.get_label() for h in handles], 8)
    right = legend_width + layout.legend_axes_pad(8)
    if result.trial_limits:
        ax.text(
            1.0,
            1.01,
            f"Trial limits: fewer than {spc.MIN_POINTS_FOR_LIMITS} points",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=8,
            style="italic",
        )
    below = 0.0
    if hidden.any():
        note = (
            f"{disclosure.SUPPRESSED}: value suppressed (it rests on a count of {disclosure.SUPPRESS_FROM} to "
            f"{disclosure.SUPPRESS_TO}, or would reveal one); the point is not drawn."
        )
        # In a band of its own under the month labels.
        fig.text(
            *layout.points_to_figure(fig, layout.EDGE_PAD, layout.EDGE_PAD),
            note,
            fontsize=8,
            va="bottom",
        )
        below = layout.text_height(note, 8) + layout.EDGE_PAD
    _fit(fig, ax, right=right, bottom=below)
    return fig, describe_spc_chart(
        result, measure=measure, latest_label=latest_label, suppress=suppress
    )


def describe_spc_chart(
    result: spc.SPCResult,
    *,
    measure: str,
    latest_label: str | None = None,
    suppress: pd.Series | Sequence[bool] | None = None,
) -> str:
    """Alt text for :func:`plot_spc` (suppressed points' values are not stated)."""
    hidden = _suppressed_points(result, suppress)
    d = result.data
    fmt = wording._spc_value_formatter(result)
    # Suppressed points say nothing, not even whether they are special causes.
    shown = d[d["value"].notna().to_numpy() & ~hidden]
    first, last = str(d["x"].iloc[0]), str(d["x"].iloc[-1])
    counts = shown["point_type"].value_counts()
    specials = []
    for kind, word in (
        ("special_cause_improvement", "improvement"),
        ("special_cause_concern", "concern"),
        ("special_cause_neither", "neither improvement nor concern"),
    ):
        if counts.get(kind, 0):
            specials.append(f"{int(counts[kind])} {word}")
    special_text = (
        f"{int(counts.drop('common_cause', errors='ignore').sum())} special-cause points ({', '.join(specials)})"
        if specials
        else "no special-cause points"
    )
    periods = d["period"].nunique()
    times = {2: "once", 3: "twice"}.get(periods, f"{periods - 1} times")
    rebase = f", with limits recalculated {times}" if periods > 1 else ""
    paused = int((d["value"].isna().to_numpy() & ~hidden).sum())
    paused_text = (
        f"; {paused} month{'s' if paused != 1 else ''} paused or without audits" if paused else ""
    )
    summ = result.summary()
    suppressed_text = ""
    if hidden[-1]:
        # The latest point is suppressed: no value, and no verdict resting on it.
        verdict = wording.describe_spc_suppressed(measure, latest_label or last)
    else:
        verdict = wording.describe_spc(result, measure, latest_label=latest_label)
    if hidden.any():
        count = int(hidden.sum())
        suppressed_text = f"; {count} point{'s' if count != 1 else ''} suppressed ({disclosure.SUPPRESSED}) and not drawn"
        if not hidden[-1]:
            shown_rows = np.flatnonzero(d["value"].notna().to_numpy())
            last_index = int(shown_rows[-1]) if len(shown_rows) else -1
            if last_index >= 0 and hidden[last_index]:
                # The verdict opens "<measure> in <month> (<value>…": the value goes.
                value = fmt(float(d["value"].iloc[last_index]))
                verdict = verdict.replace(f"({value}", f"({disclosure.SUPPRESSED}", 1)

    def limit(value: float) -> str:
        # One point has a mean but no moving range, so no limits: "not available".
        return fmt(value) if np.isfinite(value) else disclosure.NOT_AVAILABLE

    limits = (
        f"Latest limits: mean {fmt(summ['mean'])}, process limits {limit(summ['lower'])} to "
        f"{limit(summ['upper'])}"
        if np.isfinite(summ["mean"])
        else "No limits: no point of the latest period is shown"
    )
    return (
        f"Statistical process control chart of {measure} from {first} to {last} "
        f"({len(shown)} points{rebase}{paused_text}{suppressed_text}). {limits}. "
        f"{special_text.capitalize()}. " + verdict
    )


# -------------------------------------------------------------------- funnel
@layout.settled
def plot_funnel(
    result: stats.FunnelResult,
    *,
    measure: str,
    unit_noun: str = "team",
    title: str | None = None,
    improvement: wording.Direction | None = None,
) -> tuple[Figure, str]:
    """Funnel plot: each unit's proportion against its number of audits, with the
    target and the 95 % (dashed) and 99.8 % (solid) limits; units outside the
    99.8 % limits are labelled. Returns (figure, alt text)."""
    fig = layout.mark_laid_out(Figure(figsize=(8, 4.8)))
    ax = fig.add_subplot()
    lim = result.limits
    ax.axhline(result.target, color=SPC_COLOURS["line"], linewidth=1.2)
    for tag, style, name in (("95", "--", "95% limits"), ("998", "-", "99.8% limits")):
        ax.plot(
            lim["n"],
            lim[f"upper_{tag}"],
            color=SPC_COLOURS["limits"],
            linestyle=style,
            linewidth=1,
            label=name,
        )
        ax.plot(
            lim["n"], lim[f"lower_{tag}"], color=SPC_COLOURS["limits"], linestyle=style, linewidth=1
        )
    u = result.units[result.units["direction"] != "no audits"]
    colours = np.where(
        u["outside_998"],
        np.where(u["p"] > result.target, SPC_COLOURS["concern"], SPC_COLOURS["improvement"]),
        SPC_COLOURS["common"],
    )
    if improvement == "up":  # high is good: swap the colours
        colours = np.where(
            u["outside_998"],
            np.where(u["p"] > result.target, SPC_COLOURS["improvement"], SPC_COLOURS["concern"]),
            SPC_COLOURS["common"],
        )
    elif improvement is None:
        colours = np.where(u["outside_998"], SPC_COLOURS["neither"], SPC_COLOURS["common"])
    ax.scatter(u["n"], u["p"], s=40, c=list(colours), edgecolor="white", linewidth=0.6, zorder=3)
    for _, row in u[u["outside_998"]].iterrows():
        ax.annotate(
            str(row["unit"]),
            (row["n"], row["p"]),
            xytext=(4, 4),
            textcoords="offset points",
            fontsize=8,
        )
    _percent_axis(ax, 100.0)
    ax.set_xlim(0, lim["n"].max())
    ax.set_ylim(
        0,
        min(
            1.0,
            max(float(np.nanmax(u["p"])) if len(u) else 0, float(lim["upper_998"].iloc[-1])) * 1.1
            + 0.02,
        ),
    )
    ax.set_xlabel(f"Completed audits per {unit_noun}")
    ax.set_ylabel(measure)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(
        handles=[
            Line2D(
                [],
                [],
                color=SPC_COLOURS["line"],
                label=f"Overall {wording.format_pct(100 * result.target)}",
            ),
            Line2D([], [], color=SPC_COLOURS["limits"], linestyle="--", label="95% limits"),
            Line2D([], [], color=SPC_COLOURS["limits"], label="99.8% limits"),
        ],
        fontsize=8,
        frameon=False,
    )
    ax.set_title(title or f"{measure} by {unit_noun}: funnel plot", loc="left")
    plot_width, _ = _fit(fig, ax)
    # Labels of teams near the right edge, and the last tick label, may reach past the plot.
    reach = _right_reach(ax, plot_width)
    if reach > 0:
        _fit(fig, ax, right=reach)
    alt = (
        f"Funnel plot of {measure} for {len(u)} {unit_noun}s against their number of completed audits "
        f"(from {int(u['n'].min()) if len(u) else 0} to {int(u['n'].max()) if len(u) else 0}), "
        f"with 95% and 99.8% limits around the overall {wording.format_pct(100 * result.target)}. "
        + wording.describe_funnel(result, measure, unit_noun=unit_noun, improvement=improvement)
    )
    return fig, alt


# -------------------------------------------------------------- re-audit heat
@layout.settled
def plot_reaudit_heatmap(
    shift: stats.ReauditShift, *, title: str | None = None
) -> tuple[Figure, str]:
    """Original × re-audit cross-table: cells coloured blue below the diagonal
    (improved), orange above (declined) and grey on it (same), darker with more
    cases, each labelled with its count. Returns (figure, alt text)."""
    t = shift.table
    labels = list(t.index)
    counts = t.to_numpy()
    k = len(labels)
    fig = layout.mark_laid_out(Figure(figsize=(6.4, 5.2)))
    ax = fig.add_subplot()
    top = max(int(counts.max()), 1)
    rgba = np.zeros((k, k, 4))
    for i in range(k):
        for j in range(k):
            base = (
                SPC_COLOURS["improvement"]
                if j < i
                else SPC_COLOURS["concern"]
                if j > i
                else SPC_COLOURS["common"]
            )
            rgb = np.array([int(base[h : h + 2], 16) / 255 for h in (1, 3, 5)])
            rgba[i, j, :3] = rgb
            rgba[i, j, 3] = 0.12 + 0.88 * counts[i, j] / top
            ax.text(
                j, i, str(int(counts[i, j])), ha="center", va="center", fontsize=10, color="black"
            )
    # One square per cell, drawn as shapes (not an image), so the chart stays vector.
    cells = [Rectangle((j - 0.5, i - 0.5), 1, 1) for i in range(k) for j in range(k)]
    ax.add_collection(
        PatchCollection(cells, facecolors=rgba.reshape(k * k, 4), edgecolors="none", linewidths=0)
    )
    ax.set_xlim(-0.5, k - 0.5)
    ax.set_ylim(k - 0.5, -0.5)  # the first judgement at the top, as a table reads
    # Square cells: the plot keeps to the left of its room, so the title above it fits.
    ax.set_aspect("equal", anchor="W")
    ax.set_xticks(range(k), labels, rotation=30, ha="right")
    ax.set_yticks(range(k), labels)
    for tick, lab in zip(ax.get_yticklabels(), labels, strict=True):
        tick.set_color("black")
        tick.set_bbox(
            {"facecolor": JUDGEMENT_COLOURS.get(lab, "white"), "alpha": 0.35, "edgecolor": "none"}
        )
    ax.set_xlabel("Re-audit judgement")
    ax.set_ylabel("Original judgement")
    ax.set_title(title or "Re-audit shifts: original against re-audit judgement", loc="left")
    _fit(fig, ax)
    off = counts.copy()
    np.fill_diagonal(off, 0)
    move = ""
    if off.max() > 0:
        i, j = np.unravel_index(int(np.argmax(off)), off.shape)
        move = f" The most common change was {labels[i]} to {labels[j]} ({int(off[i, j])} cases)."
    alt = (
        f"Heatmap of {shift.n} re-audited cases, original judgement in rows and re-audit judgement in "
        f"columns; cells below the diagonal are improvements, above it declines. "
        + wording.describe_reaudit_shift(shift)
        + move
    )
    return fig, alt


def shade_periods(fig: Figure, chart: Any, periods: Iterable[tuple[str, list[str]]]) -> None:
    """Shade and label each period's months on an SPC chart drawn by :func:`plot_spc`."""
    from matplotlib.transforms import blended_transform_factory

    ax = fig.axes[0]
    xs = [str(x) for x in chart.data["x"]]
    shades = {"A": "#0072B2", "B": "#E69F00"}  # Okabe–Ito blue and orange, very light
    trans = blended_transform_factory(ax.transData, ax.transAxes)
    for name, months in periods:
        idx = [i for i, x in enumerate(xs) if x in set(months)]
        if not idx:
            continue
        lo, hi = min(idx) - 0.5, max(idx) + 0.5
        ax.axvspan(lo, hi, color=shades.get(name, "#999999"), alpha=0.10, zorder=0, linewidth=0)
        ax.text(
            (lo + hi) / 2,
            0.995,
            f"Period {name}",
            transform=trans,
            ha="center",
            va="top",
            fontsize=8,
            fontweight="bold",
            color="#262626",
        )
