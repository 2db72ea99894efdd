"""House style for every report chart: fonts, sizes, spines and figure sizes.

Charts are read at A4 width in the HTML report and in print, so sizes are set
in inches for that width and fonts in points as they will appear on the page.

>>> import matplotlib as mpl
>>> with use_house_style():
...     mpl.rcParams["axes.spines.top"]
False
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Final

import matplotlib as mpl

#: A4 is 210 mm wide; less 20 mm margins each side leaves 170 mm ≈ 6.7 in.
A4_TEXT_WIDTH_IN: Final = 6.7
#: Default height for a full-width chart (golden-ish ratio that leaves room for labels).
FULL_HEIGHT_IN: Final = 4.0
#: Resolution of the PNGs embedded in the report: sharp on high-DPI screens and in print.
EXPORT_DPI: Final = 200

#: Font sizes in points, as printed at A4 width; 7 pt is the smallest that stays legible.
TITLE_SIZE: Final = 11.0
LABEL_SIZE: Final = 9.0
TICK_SIZE: Final = 8.0
ANNOTATION_SIZE: Final = 7.5
SMALL_SIZE: Final = 7.0

#: Dark grey for text and axes: softer than black, still over 10:1 on white.
TEXT_COLOUR: Final = "#262626"
#: Grey for notes and "muted" labels (paused, too few to compare): 7:1 on white.
MUTED_COLOUR: Final = "#595959"
GRID_COLOUR: Final = "#D9D9D9"

HOUSE_STYLE: Final[dict[str, Any]] = {
    # DejaVu Sans ships with matplotlib, so the report looks the same on every machine.
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Liberation Sans", "Helvetica"],
    "font.size": LABEL_SIZE,
    "text.color": TEXT_COLOUR,
    "axes.titlesize": TITLE_SIZE,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.titlepad": 10.0,
    "axes.labelsize": LABEL_SIZE,
    "axes.labelcolor": TEXT_COLOUR,
    "axes.edgecolor": TEXT_COLOUR,
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "axes.axisbelow": True,
    "grid.color": GRID_COLOUR,
    "grid.linewidth": 0.6,
    "xtick.labelsize": TICK_SIZE,
    "ytick.labelsize": TICK_SIZE,
    "xtick.color": TEXT_COLOUR,
    "ytick.color": TEXT_COLOUR,
    "xtick.major.size": 3.0,
    "ytick.major.size": 3.0,
    "legend.fontsize": TICK_SIZE,
    "legend.frameon": False,
    "legend.handlelength": 1.2,
    "legend.handleheight": 1.0,
    "legend.columnspacing": 1.2,
    "figure.figsize": (A4_TEXT_WIDTH_IN, FULL_HEIGHT_IN),
    "figure.dpi": 100,
    "figure.facecolor": "white",
    "figure.titlesize": TITLE_SIZE,
    "figure.titleweight": "bold",
    "savefig.dpi": EXPORT_DPI,
    "savefig.facecolor": "white",
    "hatch.color": "#8C8C8C",
    "hatch.linewidth": 0.6,
    # Keep text as text in SVG/PDF so it stays selectable and searchable.
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
}


# Lower-case: it reads as a function call (like numpy's errstate) yet also works with ``with``.
class use_house_style:
    """Apply the house style; undo it when used as a context manager.

    Called on its own (e.g. at the top of a notebook) the style stays in force;
    ``with use_house_style(): ...`` restores the previous settings on exit.
    """

    def __init__(self) -> None:
        # Never restore the backend: switching it back can close open figures.
        self._saved = dict(mpl.rcParams.copy())
        del self._saved["backend"]
        mpl.rcParams.update(HOUSE_STYLE)

    def __enter__(self) -> use_house_style:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # ``_set`` (public API despite the underscore) skips revalidation, as
        # matplotlib's own rc_context does, so restoring never warns.
        for key, value in self._saved.items():
            mpl.rcParams._set(key, value)
