"""Colour-blind-safe colours, the same for a judgement on every chart.

Judgements use ColorBrewer RdBu (safe for the common colour-vision
deficiencies), red for Inadequate through blue for Outstanding, and a neutral
grey for Not recorded. Other series use Okabe–Ito.
"""

from __future__ import annotations

from typing import Final

from auditlib.data import schema

JUDGEMENT_COLOURS: Final = {
    schema.OUTSTANDING: "#0571B0",
    schema.GOOD: "#92C5DE",
    schema.REQUIRES_IMPROVEMENT: "#F4A582",
    schema.INADEQUATE: "#CA0020",
    schema.NOT_RECORDED: "#BDBDBD",
}
#: Text colour with at least 4.5:1 contrast on each judgement colour.
JUDGEMENT_TEXT_COLOURS: Final = {
    schema.OUTSTANDING: "#FFFFFF",
    schema.GOOD: "#000000",
    schema.REQUIRES_IMPROVEMENT: "#000000",
    schema.INADEQUATE: "#FFFFFF",
    schema.NOT_RECORDED: "#000000",
}
#: Okabe–Ito, for series that are not judgements.
OKABE_ITO: Final = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#000000",
)
#: SPC (NHS Making Data Count convention): improvement blue, concern orange, common cause grey.
SPC_COLOURS: Final = {
    "common": "#7B7D7D",
    "improvement": "#289DE0",
    "concern": "#FAB428",
    "neither": "#361475",
    "line": "#231F20",
    "limits": "#7B7D7D",
}
PAUSED_HATCH: Final = "////"
PAUSED_COLOUR: Final = "#F2F2F2"
#: Suppressed figures (published disclosure profile): one white, cross-hatched segment.
SUPPRESSED_COLOUR: Final = "#FFFFFF"
SUPPRESSED_HATCH: Final = "xxxx"
SUPPRESSED_EDGE: Final = "#6F6F6F"
