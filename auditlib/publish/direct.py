"""The report template's cells, written directly instead of through nbconvert and Jinja.

Exporting a report spends much of its time in nbconvert's machinery around the template:
a deep copy of the notebook, its preprocessors, and Jinja walking a dozen nested blocks
for each of about a hundred outputs. A report's notebook holds little: Markdown cells and
code cells whose outputs are Markdown, HTML tables and callouts, and images with alt text
(all shown by :mod:`auditlib.report.display`). :func:`cells_html` writes the HTML the
template (``auditlib/resources/templates/auditlib_report``) writes for those cells,
character for character; the page around them (head, skip link, footer) still comes from
the template itself (:class:`Skeleton`).

For a notebook holding anything else (raw cells, streams, errors, execute results, tagged
code cells, JavaScript or widgets, an output not shown by its Markdown, HTML or image)
:func:`cells_html` returns ``None`` and the report is rendered by nbconvert as before.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

#: nbconvert's HTML display priority (HTMLExporter's ``display_data_priority``).
DISPLAY_PRIORITY: Final = (
    "application/vnd.jupyter.widget-view+json",
    "application/javascript",
    "text/html",
    "text/markdown",
    "image/svg+xml",
    "text/vnd.mermaid",
    "text/latex",
    "image/png",
    "image/jpeg",
    "text/plain",
)
#: Output kinds written here; any other chosen kind is left to the template.
_WRITTEN: Final = frozenset(
    {"text/html", "text/markdown", "image/svg+xml", "image/png", "image/jpeg"}
)

_CODE_CELL_OPEN: Final = (
    '<div {id}class="jp-Cell jp-CodeCell jp-Notebook-cell  jp-mod-noInput ">\n\n'
    '<div class="jp-Cell-outputWrapper">\n'
    '<div class="jp-Collapser jp-OutputCollapser jp-Cell-outputCollapser">\n'
    "</div>\n\n"
    '<div class="jp-OutputArea jp-Cell-outputArea">\n'
)
_CODE_CELL_CLOSE: Final = "\n</div>\n\n</div>\n\n</div>"
_OUTPUT_OPEN: Final = '<div class="jp-OutputArea-child">\n\n'
_OUTPUT_CLOSE: Final = "\n\n</div>\n"
_MARKDOWN_CELL: Final = (
    '\n<div class="jp-Cell jp-MarkdownCell jp-Notebook-cell">\n'
    '<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-MarkdownOutput" '
    'data-mime-type="text/markdown">\n{html}\n</div>\n</div>'
)
_MARKDOWN_OUTPUT: Final = (
    '<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-OutputArea-output " '
    'data-mime-type="text/markdown">\n{html}\n</div>'
)
_HTML_OUTPUT: Final = (
    '<div class="jp-RenderedHTMLCommon jp-RenderedHTML jp-OutputArea-output " '
    'data-mime-type="text/html">\n{html}\n</div>'
)


def cells_html(nb: Any, remove_tags: frozenset[str], markdown: Callable[[str], str]) -> str | None:
    """The template's HTML for the notebook's cells (between ``<main …>`` and the footer,
    before the table of contents), or ``None`` if the notebook holds what only the
    template writes.

    ``remove_tags`` are the tags of cells left out; ``markdown`` renders Markdown as the
    template's ``auditlib_markdown`` filter does.
    """
    if "widgets" in nb.get("metadata", {}):
        return None
    parts: list[str] = []
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if remove_tags.intersection(tags):
            continue
        kind = cell.get("cell_type")
        if kind == "markdown":
            source = cell.get("source")
            if not isinstance(source, str) or cell.metadata.get("transient"):
                return None
            parts.append(_MARKDOWN_CELL.format(html=markdown(source)))
        elif kind == "code":
            written = _code_cell(cell, tags, markdown)
            if written is None:
                return None
            parts.append(written)
        else:
            return None
    return "".join(parts)


def _code_cell(cell: Any, tags: list[str], markdown: Callable[[str], str]) -> str | None:
    """A code cell as the template writes it ("" when it shows nothing), or ``None``."""
    outputs = [
        out
        for out in cell.get("outputs", [])
        if not (out.get("output_type") == "stream" and out.get("name") == "stderr")
    ]
    if not outputs:  # a code cell with nothing to show is left out
        return ""
    if tags:
        return None
    cell_id = cell.get("id") or ""
    id_attribute = f'id="{html.escape("cell-id=" + cell_id)}" ' if cell_id else " "
    parts = [_CODE_CELL_OPEN.format(id=id_attribute)]
    for output in outputs:
        written = _output(output, markdown)
        if written is None:
            return None
        parts.append(_OUTPUT_OPEN + written + _OUTPUT_CLOSE)
    parts.append(_CODE_CELL_CLOSE)
    return "".join(parts)


def _output(output: Mapping[str, Any], markdown: Callable[[str], str]) -> str | None:
    if output.get("output_type") != "display_data":
        return None
    data = output.get("data", {})
    chosen = next((mime for mime in DISPLAY_PRIORITY if mime in data), None)
    if chosen not in _WRITTEN or not isinstance(data[chosen], str):
        return None
    value = data[chosen]
    if chosen == "text/markdown":
        return _MARKDOWN_OUTPUT.format(html=markdown(value))
    if chosen == "text/html":
        return _HTML_OUTPUT.format(html=value)
    return _image(output, chosen, value)


def _image(output: Mapping[str, Any], mime: str, value: str) -> str:
    """The template's ``report_image`` macro: a figure with alt text and caption."""
    alt = _metadata(output, "alt", mime)
    caption = _metadata(output, "caption", mime)
    width = _metadata(output, "width", mime)
    height = _metadata(output, "height", mime)
    # An SVG is base64-encoded from its text; PNG and JPEG data are base64 already.
    payload = base64.b64encode(value.encode()).decode() if mime == "image/svg+xml" else value
    parts = [
        '<div class="jp-RenderedImage jp-OutputArea-output">\n<figure class="report-figure">\n',
        f'<img src="data:{mime};base64,{html.escape(payload)}"',
        f' alt="{html.escape(str(alt or ""))}"',
    ]
    if width is not None:
        parts.append(f' width="{html.escape(str(width))}"')
    if height is not None:
        parts.append(f' height="{html.escape(str(height))}"')
    parts.append(">")
    if caption:
        parts.append(f"\n<figcaption>{html.escape(str(caption))}</figcaption>")
    parts.append("\n</figure>\n</div>")
    return "".join(parts)


def _metadata(output: Mapping[str, Any], key: str, mime: str) -> Any:
    """nbconvert's ``get_metadata`` filter: the image's own metadata first, then the output's."""
    metadata = output.get("metadata") or {}
    if mime in metadata:
        value = metadata[mime].get(key)
        if value is not None:
            return value
    return metadata.get(key)


# ---------------------------------------------------------------- the page around the cells
#: Stand-ins rendered through the template once, then replaced by each report's values.
_STAND_IN: Final = "auditlibstandin"
_STAND_IN_RE: Final = re.compile(_STAND_IN + r"(title|version|generated|hash|contact)x")


@dataclass(frozen=True)
class Skeleton:
    """The template's page for a notebook without cells, with stand-ins for its values:
    ``head`` up to ``</head>``, then ``before`` and ``after`` the cells (the body before
    its table of contents, up to ``</html>``)."""

    head: str
    before: str
    after: str

    @staticmethod
    def values(contact: bool) -> tuple[str, dict[str, str]]:
        """The title, and the footer's resources, to render a skeleton with (a footer with
        a contact line, or without one)."""
        return f"{_STAND_IN}titlex", {
            "version": f"{_STAND_IN}versionx",
            "generated": f"{_STAND_IN}generatedx",
            "input_hash": f"{_STAND_IN}hashx",
            "contact": f"{_STAND_IN}contactx" if contact else "",
        }

    @classmethod
    def from_page(cls, page: str, main_open: str, toc_target: str) -> Skeleton:
        """Split the template's page for a notebook without cells (its body's table of
        contents reduced to ``toc_target`` placed after ``main_open``, which is undone)."""
        head_end = page.index("</head>") + len("</head>")
        body = page[head_end:].replace(main_open + toc_target, main_open, 1)
        cells_at = body.index(main_open) + len(main_open)
        return cls(page[:head_end], body[:cells_at], body[cells_at:])

    def page(
        self,
        cells: str,
        *,
        title: str,
        footer: Mapping[str, str],
        table_of_contents: Callable[[str], str],
    ) -> str:
        """The template's page for these cells: values escaped as the template escapes them."""
        values = {
            "title": html.escape(str(title), quote=False),
            "version": html.escape(str(footer["version"])),
            "generated": html.escape(str(footer["generated"])),
            "hash": html.escape(str(footer["input_hash"])),
            "contact": html.escape(str(footer["contact"])),
        }

        def fill(text: str) -> str:
            return _STAND_IN_RE.sub(lambda found: values[found[1]], text)

        return fill(self.head) + table_of_contents(fill(self.before) + cells + fill(self.after))
