"""The pieces a report section is made of, and how a notebook shows them.

A section is a function ``section(ctx) -> list[Block]``: pure (no display, no disk),
so it can be tested without a kernel, and a section with nothing to say returns no
blocks, so the report never shows an empty heading. :func:`show_blocks` displays
them in a notebook through :mod:`auditlib.report.display`, which the HTML export
turns into headings, paragraphs, accessible tables, charts with alt text and callouts.

An analyst adding a one-off section to a notebook builds the same blocks::

    from auditlib.report.blocks import Heading, Markdown, Chart, show_blocks
    show_blocks([Heading("Audits by area"), Markdown("…"), Chart(fig, alt="…")])
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from auditlib.report import display


@dataclass(frozen=True)
class Heading:
    """A section heading: level 2 for a section, 3 for a part of one."""

    text: str
    level: int = 2


@dataclass(frozen=True)
class Markdown:
    """Narrative: paragraphs and lists, written from the numbers."""

    text: str


@dataclass(frozen=True)
class Table:
    """A table of display strings (rounding and disclosure already applied)."""

    frame: pd.DataFrame
    caption: str
    note: str | None = None
    index: bool = True
    #: Columns to right-align as numbers even when some cells are not plain numbers
    #: ("13% [low]", "−4.6 to +12.6"); None: decided from the cells.
    numeric: tuple[str, ...] | None = None
    #: The table's name in figures.json and in ``tables/<name>.csv`` (default: from the caption).
    name: str | None = None


@dataclass(frozen=True)
class Chart:
    """A matplotlib figure, with alt text saying what it shows, and an optional caption."""

    figure: Any
    alt: str
    caption: str | None = None


@dataclass(frozen=True)
class Callout:
    """A boxed plain-English statement: a verdict, a note or a warning."""

    text: str
    kind: str = "verdict"
    title: str | None = None


Block = Heading | Markdown | Table | Chart | Callout


@dataclass(frozen=True)
class Statement:
    """A piece of text the report showed: where, what kind, and the words as shown."""

    #: the anchor of the section (level-2 heading) it is in ("" before the first)
    section: str
    #: heading, text, a callout's kind (verdict, note, warning, ...), alt, caption,
    #: table_caption or table_note
    kind: str
    text: str


@dataclass
class Shown:
    """Everything :func:`show_blocks` has shown since :func:`record_shown`: the tables, and
    every other piece of text (headings, narrative, callouts, alt text, captions), in order.

    A report's ``prepare`` starts recording, so that its figures.json and ``tables/*.csv``
    hold exactly what the report showed (an analyst's own sections included).
    """

    tables: list[Table] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    section: str = ""

    def add(self, block: Block) -> None:
        if isinstance(block, Heading):
            if block.level <= 2:
                self.section = anchor(block.text)
            self._say("heading", block.text)
        elif isinstance(block, Markdown):
            self._say("text", block.text)
        elif isinstance(block, Callout):
            self._say(f"{block.kind}_title", block.title)
            self._say(block.kind, block.text)
        elif isinstance(block, Table):
            self.tables.append(block)
            self._say("table_caption", block.caption)
            self._say("table_note", block.note)
        elif isinstance(block, Chart):
            self._say("alt", block.alt)
            self._say("caption", block.caption)

    def _say(self, kind: str, text: str | None) -> None:
        if text:
            self.statements.append(Statement(self.section, kind, text))


#: What :func:`show_blocks` has shown since :func:`record_shown` (None: not recording).
_recorded: Shown | None = None


def record_shown() -> Shown:
    """Keep everything :func:`show_blocks` shows from now on, in the :class:`Shown` returned."""
    global _recorded
    _recorded = Shown()
    return _recorded


def show_blocks(blocks: Iterable[Block]) -> None:
    """Display blocks in a notebook."""
    for block in blocks:
        if _recorded is not None:
            _recorded.add(block)
        if isinstance(block, Heading):
            display.show_heading(block.text, block.level)
        elif isinstance(block, Markdown):
            display.show_markdown(block.text)
        elif isinstance(block, Table):
            display.show_table(
                block.frame,
                block.caption,
                note=block.note,
                index=block.index,
                numeric=block.numeric,
            )
        elif isinstance(block, Chart):
            display.show_figure(block.figure, block.alt, block.caption)
        elif isinstance(block, Callout):
            display.show_callout(block.text, block.kind, block.title)
        else:  # pragma: no cover - a programming error
            raise TypeError(f"not a report block: {block!r}")


def blocks_text(blocks: Iterable[Block]) -> str:
    """All the words of some blocks (headings, text, table cells, alt text) — for tests."""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, Heading | Markdown):
            parts.append(block.text)
        elif isinstance(block, Callout):
            parts.extend(filter(None, (block.title, block.text)))
        elif isinstance(block, Table):
            parts.append(block.caption)
            parts.append(block.frame.to_csv())
            parts.extend(filter(None, [block.note]))
        elif isinstance(block, Chart):
            parts.extend(filter(None, (block.alt, block.caption)))
    return "\n".join(parts)


def close_charts(blocks: Iterable[Block]) -> None:
    """Close the figures of blocks that will not be shown (tests, or a section left out)."""
    import matplotlib.pyplot as plt

    for block in blocks:
        if isinstance(block, Chart):
            plt.close(block.figure)


def anchor(heading: str) -> str:
    """The id the HTML report gives a heading, for a link to it: ``[…](#judgement-shifts)``.

    >>> anchor("Overall judgements – November 2018 to September 2020")
    'overall-judgements-november-2018-to-september-2020'
    """
    return re.sub(r"[^\w]+", "-", heading.lower()).strip("-") or "section"
