"""Charts an analyst adds to a report notebook with plain matplotlib or pandas.

A cell such as ``df.plot(); plt.show()`` shows its figure in the HTML report like the
report's own charts: as an image with alt text (the HTML export refuses an image without
one). The alt text is built from what the figure says about itself — its title, axis
labels and legend — so give an added chart a title and labelled axes, or show it with
:func:`auditlib.report.display.show_figure` and write the alt text yourself.

:func:`enable_analyst_charts` is called by the reports' ``prepare`` functions; it does
nothing outside IPython.
"""

from __future__ import annotations

from typing import Any

from auditlib.report import display

#: Said when a figure says nothing about itself.
UNTITLED = "A chart added to this report (it has no title or axis labels to describe it)"


def describe_figure(fig: Any) -> str:
    """Alt text from a figure's own words: its title, each chart's title, axes and series.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([1, 2], label="Good"); _ = ax.set_title("Audits by month")
    >>> _ = ax.set_xlabel("Month"); _ = ax.set_ylabel("Audits"); _ = ax.legend()
    >>> describe_figure(fig)
    'Chart: Audits by month. Audits (vertical axis) against Month (horizontal axis). Series: Good.'
    >>> plt.close(fig)
    """
    parts = []
    title = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) is not None else ""
    if title.strip():
        parts.append(title.strip())
    for ax in fig.get_axes():
        words = []
        if ax.get_title().strip():
            words.append(ax.get_title().strip())
        x, y = ax.get_xlabel().strip(), ax.get_ylabel().strip()
        if x and y:
            words.append(f"{y} (vertical axis) against {x} (horizontal axis)")
        elif x or y:
            words.append(f"axis: {x or y}")
        _handles, labels = ax.get_legend_handles_labels()
        series = [label for label in labels if label and not label.startswith("_")]
        if series:
            words.append("Series: " + ", ".join(series))
        if words:
            parts.append(". ".join(words))
    if not parts:
        return UNTITLED
    return "Chart: " + ". ".join(parts) + "."


def _chart_with_alt(fig: Any, image_format: str) -> tuple[Any, dict[str, Any]] | None:
    """The figure in ``image_format`` with its alt text, if that is the format
    :func:`auditlib.report.display.choose_image_format` gives it (else nothing: the other
    format's formatter shows it)."""
    import base64

    if not fig.get_axes() or display.choose_image_format(fig) != image_format:
        return None
    data, metadata = display.render_figure(fig, describe_figure(fig), image_format=image_format)
    mime = display.SVG_MIME if image_format == display.SVG else display.PNG_MIME
    content = data[mime] if image_format == display.SVG else base64.b64decode(data[mime])
    return content, metadata[mime]


def enable_analyst_charts() -> bool:
    """In IPython, show any matplotlib figure a cell leaves open as a chart with alt text.

    Returns whether it was enabled (False outside IPython).
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return False
    shell = get_ipython()
    if shell is None:
        return False
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    plt.close("all")  # the report's own charts are shown explicitly; start clean
    # Load the inline backend now, so that its own formatters are set before ours replace them.
    plt.figure().clear()
    plt.close("all")
    formatters = shell.display_formatter.formatters
    for mime in ("image/jpeg", "application/pdf"):
        formatters[mime].pop(Figure, None)
    # As the report's own charts: SVG for bars and lines, PNG for dense pictures.
    formatters[display.SVG_MIME].for_type(Figure, lambda fig: _chart_with_alt(fig, display.SVG))
    formatters[display.PNG_MIME].for_type(Figure, lambda fig: _chart_with_alt(fig, display.PNG))
    formatters["text/plain"].for_type(
        Figure, lambda fig, printer, cycle: printer.text(describe_figure(fig))
    )
    return True
