"""Executed notebook → offline, code-free, accessible HTML report.

One :class:`~nbconvert.HTMLExporter` per process, built once, with auditlib's
template (``auditlib/templates/auditlib_report``, which extends JupyterLab's):
no input cells or prompts, no ``injected-parameters`` or ``remove`` cells, no
stderr, no script or stylesheet from the web, real alt text, a table of
contents, a footer and print styles.

A notebook with an error output, a traceback or a chart without alt text is
refused with a :class:`~auditlib.errors.ReportError` naming the cell: a report
with a traceback is never written.
"""

from __future__ import annotations

import copy
import functools
import html
import json
import math
import os
import re
import secrets
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from auditlib import __version__
from auditlib.errors import ReportError
from auditlib.paths import TEMPLATES_DIR

if TYPE_CHECKING:
    from nbformat import NotebookNode

TEMPLATE_NAME: Final = "auditlib_report"
#: Cells with these tags never reach the report.
REMOVE_CELL_TAGS: Final = frozenset({"injected-parameters", "remove"})
#: The placeholder nbconvert's lab template writes when an image has no alt text.
DEFAULT_ALT: Final = "No description has been provided for this image"
IMAGE_MIMES: Final = ("image/png", "image/jpeg", "image/svg+xml")
TRACEBACK_MARK: Final = "Traceback (most recent call last)"

#: What a report (and the index) may do in a browser: show itself, its inline styles and
#: its ``data:`` images, and nothing else — no script, no frame, no form, no request.
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'none'; "
    "object-src 'none'; frame-src 'none'; child-src 'none'; worker-src 'none'; "
    "font-src 'none'; connect-src 'none'; media-src 'none'; manifest-src 'none'; "
    "form-action 'none'; base-uri 'none'"
)
#: The Content-Security-Policy as the ``<meta>`` every page auditlib writes carries.
CSP_META: Final = f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'

# ---- the sanitiser's allow-list: what a report's body may hold
SAFE_TAGS: Final = frozenset(
    [
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "details",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "i",
        "img",
        "kbd",
        "li",
        "main",
        "mark",
        "nav",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "section",
        "small",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    ]
)
SAFE_ATTRIBUTES: Final = {
    "*": {"class", "id", "role", "tabindex", "title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "th": {"scope", "colspan", "rowspan", "headers"},
    "td": {"colspan", "rowspan", "headers"},
    "ol": {"start"},
}
#: A data: URL's base64 payload long enough to set aside while the sanitiser parses a page.
_IMAGE_PAYLOAD_RE: Final = re.compile(r"(data:image/[a-zA-Z0-9.+-]+;base64,)([A-Za-z0-9+/=]{256,})")
#: Links a report may hold: http(s) and in-page anchors.
_SAFE_LINK_RE: Final = re.compile(r"^(?:#[^\s]*|https?://[^\s]+)$", re.I)
#: Images a report may hold: inline only.
_DATA_IMAGE_RE: Final = re.compile(r"^data:image/(?:png|jpeg|gif|webp|svg\+xml)[;,]", re.I)

# ---- the offline check: every attribute or CSS construct that can make a request
#: Attributes whose value a browser fetches (or pings) as a URL.
_FETCHED_ATTRIBUTES: Final = frozenset(
    [
        "src",
        "srcset",
        "poster",
        "data",
        "background",
        "lowsrc",
        "dynsrc",
        "longdesc",
        "usemap",
        "codebase",
        "archive",
        "manifest",
        "profile",
        "icon",
        "imagesrcset",
        "action",
        "formaction",
        "ping",
        "cite",
        "xlink:href",
    ]
)
#: Elements that load, run or submit something whatever their attributes.
_FORBIDDEN_TAGS: Final = frozenset(
    [
        "script",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "base",
        "form",
        "portal",
        "link",
    ]
)
#: ``<meta http-equiv>`` values that only describe the page.
_HARMLESS_HTTP_EQUIV: Final = frozenset({"content-security-policy", "content-type"})
_CSS_URL_RE: Final = re.compile(r"url\(\s*(?P<q>[\"']?)\s*(?P<url>[^)\"']*)", re.I)
_CSS_FETCH_RE: Final = re.compile(r"@import\b|image-set\(|\bsrc\s*:", re.I)
_URL_JUNK_RE: Final = re.compile(r"[\x00-\x20\x7f]+")
_SCRIPT_SCHEME_RE: Final = re.compile(r"^(?:javascript|vbscript|livescript|mocha):", re.I)
_HEADING_RE: Final = re.compile(r"<h([1-3])((?:\s[^>]*)?)>(.*?)</h\1\s*>", re.S | re.I)
_ID_RE: Final = re.compile(r"\sid\s*=\s*\"([^\"]*)\"", re.I)
_TAG_RE: Final = re.compile(r"<[^>]+>")
_MAIN_OPEN: Final = '<main id="main-content">'
#: The resources render_html gives the template, which the page written directly fills in.
_DIRECT_RESOURCES: Final = frozenset(
    {"version", "input_hash", "generated", "contact", "jupyter_css_placeholder", "csp"}
)
#: Where the skip link leads: after the table of contents.
_TOC_TARGET: Final = '<div id="report-start" tabindex="-1"></div>'
# Markup the offline check reads without html.parser: tags with double-quoted attribute
# values (as nh3 and BeautifulSoup write them), end tags, comments and the doctype.
_PLAIN_TAG_RE: Final = re.compile(
    r"<(?:(?P<name>[a-zA-Z][a-zA-Z0-9]*)"
    r"(?P<attrs>(?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:=\"[^\"]*\")?)*)\s*(?P<slash>/?)>"
    r"|/[a-zA-Z][a-zA-Z0-9]*\s*>|!--(?:(?!--).)*-->|!DOCTYPE html>)",
    re.S,
)
_PLAIN_ATTRIBUTE_RE: Final = re.compile(r"\s+([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:=\"([^\"]*)\")?")
_STYLE_END_RE: Final = re.compile(r"</\s*style\s*>", re.I)
_JP_TABINDEX_RE: Final = re.compile(r'(<div class="jp-[^"]*"[^>]*?)\s+tabindex="0"')
LANGUAGE: Final = "en-GB"
#: The id of a report's key messages (a first h2 the contents follow).
SUMMARY_ID: Final = "key-messages"


@dataclass(frozen=True)
class ReportFooter:
    """What the report's footer states about how it was made."""

    input_hash: str
    contact: str = ""
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    version: str = __version__

    def as_resources(self) -> dict[str, str]:
        """The footer's fields as template resources, the time in words."""
        from auditlib.publish.stylesheet import PLACEHOLDER

        when = self.generated_at.astimezone()
        offset = when.strftime("%z")
        zone = "UTC" if offset in ("+0000", "") else f"UTC{offset[:3]}:{offset[3:]}"
        return {
            "version": self.version,
            "input_hash": self.input_hash or "not recorded",
            "generated": f"{when.day} {when:%B %Y at %H:%M} {zone}",
            "contact": self.contact,
            "jupyter_css_placeholder": PLACEHOLDER,
        }


# ---------------------------------------------------------------- public API
def export_html(
    notebook: str | os.PathLike[str] | NotebookNode,
    html_path: str | os.PathLike[str],
    *,
    title: str,
    footer: ReportFooter,
) -> Path:
    """Write the report for an executed notebook (a path or a node) to ``html_path``.

    Raises :class:`ReportError` naming the cell if the notebook holds an error,
    a traceback or an image without alt text, or if the HTML would make a
    network request. The file appears whole or not at all.
    """
    nb = _read(notebook)
    check_notebook(nb)
    page = sanitise_page(render_html(nb, title=title, footer=footer))
    check_offline(page)
    return write_text_atomically(Path(html_path), page)


def render_html(nb: NotebookNode, *, title: str, footer: ReportFooter) -> str:
    """The report's HTML for an executed notebook (no checks; see :func:`export_html`)."""
    nb = copy.copy(nb)
    nb.metadata = copy.deepcopy(nb.metadata)
    nb.metadata["title"] = title
    resources = {
        "metadata": {"name": title},
        "auditlib": {**footer.as_resources(), "csp": CONTENT_SECURITY_POLICY},
    }
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    return body


def check_notebook(nb: NotebookNode) -> None:
    """Refuse a notebook whose report would show an error, a traceback or an image without alt text."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or _is_removed(cell):
            continue
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "error":
                raise ReportError(
                    f"The executed notebook has an error at {describe_cell(nb, index)}: "
                    f"{output.get('ename', 'Error')}: {plain_text(output.get('evalue', ''))}. "
                    "No report was written."
                )
            if _shows_traceback(output):
                raise ReportError(
                    f"The executed notebook prints a traceback at {describe_cell(nb, index)}; "
                    "no report was written. Catch the problem in auditlib and raise a plain error."
                )
            if kind in ("display_data", "execute_result"):
                for mime in IMAGE_MIMES:
                    if mime in output.get("data", {}) and not _alt_text(output, mime):
                        raise ReportError(
                            f"An image at {describe_cell(nb, index)} has no alt text; "
                            "show charts with auditlib.report.display.show_figure(fig, alt=...). "
                            "No report was written."
                        )


def check_offline(page: str) -> None:
    """Refuse HTML that could run a script or make any request when opened.

    The last line of defence after escaping and sanitising: every element is looked at —
    scripts, frames, forms, ``<base>`` and ``<link>``; every event-handler attribute; every
    URL-bearing attribute (``src``, ``srcset``, ``poster``, ``data``, ``ping``, svg
    ``<image href>``, …: only ``data:`` URLs load nothing); links (only http(s), in-page
    anchors and relative pages, never ``javascript:``); ``<meta http-equiv>`` (a refresh is
    a request); and CSS in ``<style>`` and ``style=`` (``url()`` other than ``data:``,
    ``@import``, ``image-set()``).
    """
    finding = _OfflineCheck.first_problem(page)
    if finding:
        raise ReportError(f"The report would {finding}; no report was written.")


class _OfflineCheck(HTMLParser):
    """Walks a page and records the first thing that could run or fetch."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problem = ""
        self._in_style = False

    @classmethod
    def first_problem(cls, page: str) -> str:
        if cls._certainly_clean(page):
            return ""
        check = cls()
        check.feed(page)
        check.close()
        return check.problem

    @classmethod
    def _certainly_clean(cls, page: str) -> bool:
        """Whether the page is plain markup (as a report's is) with nothing to refuse.

        The same checks on the same start tags, attributes and styles as the parser's walk,
        read with one regular expression per tag; it only ever answers "clean" for markup
        it reads exactly as ``html.parser`` does (double-quoted attributes, no scripts or
        other raw text but ``<style>``, no ``<`` in text). For anything else, or anything
        found, the parser walks the page and names the problem as before.
        """
        check = cls()
        passed: set[tuple[str, str]] = set()
        find = page.find
        position = 0
        while True:
            start = find("<", position)
            if start < 0:
                return not check.problem
            tag = _PLAIN_TAG_RE.match(page, start)
            if tag is None:
                return False
            position = tag.end()
            name = tag["name"]
            if name is None:  # an end tag, a comment or the doctype
                continue
            name = name.lower()
            if name in _FORBIDDEN_TAGS:
                return False
            seen = (name, tag["attrs"])
            if seen not in passed:  # a tag found clean once is clean again (<td class="num">)
                attrs = [
                    (key.lower(), html.unescape(value) if value else value)
                    for key, value in _PLAIN_ATTRIBUTE_RE.findall(tag["attrs"])
                ]
                check._check_start(name, attrs, tag.group(0))
                passed.add(seen)
            if name == "style":
                if tag["slash"]:  # the parser would read the text after it as CSS
                    return False
                close = _STYLE_END_RE.search(page, position)
                if close is None or "<" in page[position : close.start()]:
                    return False
                check._css(page[position : close.start()])
                position = close.end()
            if check.problem:
                return False

    def _found(self, what: str, snippet: str) -> None:
        if not self.problem:
            self.problem = f"{what} ({snippet[:80]!r}…)"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check_start(tag, attrs, self.get_starttag_text() or f"<{tag}>")
        self._in_style = tag == "style"

    def _check_start(self, tag: str, attrs: list[tuple[str, str | None]], snippet: str) -> None:
        if tag in _FORBIDDEN_TAGS:
            self._found(f"run a script or make a network request (a <{tag}> element)", snippet)
        # Event handlers first: a script is the worse thing to report.
        for name, value in sorted(attrs, key=lambda a: not a[0].lower().startswith("on")):
            self._attribute(tag, name.lower(), value or "", snippet)
        if tag == "meta":
            equiv = (dict(attrs).get("http-equiv") or "").strip().lower()
            if equiv and equiv not in _HARMLESS_HTTP_EQUIV:
                self._found(f"make a network request (<meta http-equiv={equiv!r}>)", snippet)

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self._css(data)

    def _attribute(self, tag: str, name: str, value: str, snippet: str) -> None:
        url = _URL_JUNK_RE.sub("", value)
        if name.startswith("on"):
            self._found(f"run a script from an {name}= attribute", snippet)
        elif name == "style":
            self._css(value)
        elif _SCRIPT_SCHEME_RE.match(url):
            self._found(f"run a script from a {url.split(':')[0]}: URL", snippet)
        elif name in ("srcset", "imagesrcset"):
            for candidate in value.split(","):
                parts = candidate.split()
                if parts and not parts[0].lower().startswith("data:"):
                    self._found("make a network request (srcset)", snippet)
        elif name in _FETCHED_ATTRIBUTES or (name == "href" and tag != "a"):
            if not (url.lower().startswith("data:") or (name == "href" and url.startswith("#"))):
                self._found(f"make a network request ({name}= on <{tag}>)", snippet)
        elif name == "href" and url.lower().startswith("data:"):
            self._found("link to a data: URL", snippet)

    def _css(self, css: str) -> None:
        for found in _CSS_URL_RE.finditer(css):
            url = _URL_JUNK_RE.sub("", found["url"])
            if not url.lower().startswith("data:") and not url.startswith("#"):
                self._found("make a network request (CSS url())", found.group(0))
        fetch = _CSS_FETCH_RE.search(css)
        if fetch:
            self._found("make a network request (CSS)", css[fetch.start() : fetch.start() + 80])


def sanitise_page(page: str) -> str:
    """The page with its body passed through the allow-list sanitiser (nh3).

    The head is the template's own (title escaped, styles, metas); everything between
    ``<body …>`` and ``</body>`` is cleaned: only :data:`SAFE_TAGS` with
    :data:`SAFE_ATTRIBUTES` survive, links only to http(s) and in-page anchors, images only
    as ``data:`` URLs; scripts, styles, event handlers and anything else are dropped.
    """
    opened = re.search(r"<body\b[^>]*>", page, re.I)
    closed = page.lower().rfind("</body>")
    if not opened or closed < opened.end():
        return sanitise_fragment(page)
    body = page[opened.end() : closed]
    return page[: opened.end()] + sanitise_fragment(body) + page[closed:]


def sanitise_fragment(fragment: str) -> str:
    """An HTML fragment reduced to the report's allow-list (see :func:`sanitise_page`).

    >>> sanitise_fragment('<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:x()">a</a></p>')
    '<p>Hi <a rel="noopener noreferrer">a</a></p>'
    """
    import nh3

    # An inline chart's base64 payload is most of a report's bytes, and the sanitiser only
    # looks at how a data: URL starts: each long payload is set aside under a unique
    # stand-in while nh3 parses the page, then put back as it was.
    payloads: list[str] = []
    nonce = secrets.token_hex(8)
    while nonce in fragment:
        nonce = secrets.token_hex(8)

    def set_aside(found: re.Match[str]) -> str:
        payloads.append(found[2])
        return f"{found[1]}{nonce}x{len(payloads) - 1}x{nonce}"

    fragment = _IMAGE_PAYLOAD_RE.sub(set_aside, fragment)
    cleaned = nh3.clean(
        fragment,
        tags=set(SAFE_TAGS),
        clean_content_tags={"script", "style", "template", "noscript", "textarea", "title"},
        attributes={tag: set(names) for tag, names in SAFE_ATTRIBUTES.items()},
        attribute_filter=_filter_attribute,
        generic_attribute_prefixes={"aria-", "data-"},
        url_schemes={"http", "https", "data"},
        strip_comments=True,
    )
    if not payloads:
        return cleaned
    return re.sub(f"{nonce}x([0-9]+)x{nonce}", lambda found: payloads[int(found[1])], cleaned)


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    """Links to http(s) or in-page anchors only; images from ``data:`` only."""
    if name == "href":
        return value if _SAFE_LINK_RE.match(value.strip()) else None
    if name == "src":
        return value if tag == "img" and _DATA_IMAGE_RE.match(value.strip()) else None
    return value


def render_markdown(text: str) -> str:
    """Markdown → HTML with any HTML in the text shown as text, never as markup.

    The one way Markdown (narrative built from data, programme.yml and
    recommendations.yml) becomes HTML in a report.

    >>> render_markdown("Team <b>A</b> & *B*")
    '<p>Team &lt;b&gt;A&lt;/b&gt; &amp; <em>B</em></p>\\n'
    """
    return _render_markdown(str(text or ""))


@functools.lru_cache(maxsize=4096)
def _render_markdown(text: str) -> str:
    # Months repeat much of their text (headings, notes, methods): each is rendered once.
    return str(_markdown()(text))


@functools.lru_cache(maxsize=1)
def _markdown() -> Any:
    import mistune

    return mistune.create_markdown(escape=True, plugins=["strikethrough", "table"])


def describe_cell(nb: NotebookNode, index: int) -> str:
    """Where a cell is, as a person finds it in the notebook they edit.

    Counts cells from 1 without papermill's injected cells, and gives the
    section heading above it and its first line of code.
    """
    position = sum(1 for cell in nb.cells[: index + 1] if not _is_papermill_cell(cell))
    heading = _section_heading(nb, index)
    first_line = (
        _first_code_line(nb.cells[index].get("source", "")) if index < len(nb.cells) else ""
    )
    parts = [f"cell {position}"]
    details = []
    if heading:
        details.append(f'section "{heading}"')
    if first_line:
        details.append(f"first line `{first_line}`")
    if details:
        parts.append(f"({', '.join(details)})")
    return " ".join(parts)


def write_figures_json(
    figures: Mapping[str, Any], output_dir: str | os.PathLike[str], name: str = "figures.json"
) -> Path:
    """Write ``figures.json`` (or ``name``) into ``output_dir`` (the notebook's ``output_dir`` parameter).

    NumPy and pandas scalars become plain JSON numbers, NaN becomes ``null``;
    keys keep their order. Returns the path written.
    """
    text = json.dumps(_jsonable(figures), indent=2, ensure_ascii=False, allow_nan=False)
    return write_text_atomically(Path(output_dir) / name, text + "\n")


def warm_up() -> None:
    """Build the exporter, compile its template, render the page around a report's cells
    and read JupyterLab's stylesheets now (about half a second, once per process)."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("## Warm-up")]
    # Both kinds of footer (with and without a contact line), so that the page around
    # the cells is ready for any report; then the sanitiser and the offline check.
    for contact in ("", "warm-up"):
        page = render_html(nb, title="warm-up", footer=ReportFooter(input_hash="", contact=contact))
    check_offline(sanitise_page(page))
    from auditlib.publish import stylesheet

    stylesheet.jupyter_rules()


def report_css() -> str:
    """The report stylesheet, for pages (like the index) built without nbconvert."""
    return (TEMPLATES_DIR / TEMPLATE_NAME / "static" / "report.css").read_text(encoding="utf-8")


# ---------------------------------------------------------------- table of contents
def add_toc(body: str) -> str:
    """Give every h2/h3 a unique id and put a table of contents before the first h2.

    A Jinja filter of the report template (applied to the whole ``<body>``);
    also marks h2s after the first for a print page break, and places the
    skip link's target after the contents.
    """
    used: set[str] = set()
    entries: list[tuple[int, str, str]] = []

    def visit(match: re.Match[str]) -> str:
        level, attrs, inner = int(match[1]), match[2] or "", match[3]
        text = " ".join(html.unescape(_TAG_RE.sub("", inner)).split())
        existing = _ID_RE.search(attrs)
        if existing:
            attrs = _ID_RE.sub("", attrs, count=1)
        slug = _unique(existing[1] if existing else _slug(text), used)
        if level >= 2:
            if level == 2 and any(lvl == 2 for lvl, _, _ in entries):
                attrs = _add_class(attrs, "page-break")
            entries.append((level, slug, text))
        return f'<h{level} id="{html.escape(slug)}"{attrs}>{inner}</h{level}>'

    body = _HEADING_RE.sub(visit, body)
    target = _TOC_TARGET
    nav = _toc_html(entries) + target
    h2s = list(re.finditer(r"<h2[\s>]", body))
    # The contents come after a report's key messages, which a reader should meet first.
    if h2s and f'id="{SUMMARY_ID}"' in body[h2s[0].start() : h2s[0].start() + 200] and len(h2s) > 1:
        h2s = h2s[1:]
    if h2s:
        return body[: h2s[0].start()] + nav + body[h2s[0].start() :]
    if _MAIN_OPEN in body:
        return body.replace(_MAIN_OPEN, _MAIN_OPEN + target, 1)
    return target + body


def _toc_html(entries: list[tuple[int, str, str]]) -> str:
    if not any(level == 2 for level, _, _ in entries):
        return ""
    lines = [
        '<nav class="report-toc" aria-labelledby="report-toc-title">',
        '<p class="toc-title" id="report-toc-title">Contents</p>',
        "<ol>",
    ]
    open_sub = False
    started = False
    for level, slug, text in entries:
        link = f'<a href="#{html.escape(slug)}">{html.escape(text)}</a>'
        if level == 2:
            if open_sub:
                lines.append("</ol>")
                open_sub = False
            if started:
                lines.append("</li>")
            lines.append(f"<li>{link}")
            started = True
        elif started:  # an h3 before any h2 stays out of the contents
            if not open_sub:
                lines.append("<ol>")
                open_sub = True
            lines.append(f"<li>{link}</li>")
    if open_sub:
        lines.append("</ol>")
    lines += ["</li>", "</ol>", "</nav>"]
    return "\n".join(lines)


def _slug(text: str) -> str:
    from auditlib.report.blocks import anchor  # one rule for a heading's id, also for links

    return anchor(text)


def _unique(slug: str, used: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in used:
        candidate, n = f"{slug}-{n}", n + 1
    used.add(candidate)
    return candidate


def _add_class(attrs: str, name: str) -> str:
    found = re.search(r"\sclass\s*=\s*\"([^\"]*)\"", attrs, re.I)
    if found:
        return attrs[: found.start(1)] + f"{found[1]} {name}" + attrs[found.end(1) :]
    return f'{attrs} class="{name}"'


# ---------------------------------------------------------------- the exporter
#: Held while the exporter is built: a run warms it up in a thread while a notebook runs.
_EXPORTER_LOCK: Final = threading.Lock()


def _exporter() -> Any:
    """The one HTMLExporter of this process (building one costs more than using it)."""
    with _EXPORTER_LOCK:
        return _build_exporter()


@functools.lru_cache(maxsize=1)
def _build_exporter() -> Any:
    import nbformat
    from nbconvert import HTMLExporter, TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor
    from traitlets.config import Config

    from auditlib.publish import direct, soup, stylesheet

    class _ReportCleanup(Preprocessor):  # type: ignore[misc]
        """Drop stderr (warnings are for the analyst, kept in the .ipynb) and empty code cells."""

        def preprocess(self, nb: Any, resources: Any) -> tuple[Any, Any]:
            for cell in nb.cells:
                if cell.cell_type == "code":
                    cell.outputs = [
                        out
                        for out in cell.get("outputs", [])
                        if not (out.get("output_type") == "stream" and out.get("name") == "stderr")
                    ]
            nb.cells = [c for c in nb.cells if c.cell_type != "code" or c.outputs]
            return nb, resources

    class _ReportExporter(HTMLExporter):  # type: ignore[misc]
        def _init_resources(self, resources: Any) -> Any:
            resources = super()._init_resources(resources)
            # The trait only takes ISO 639-1 codes; reports are in British English.
            resources["language_code"] = LANGUAGE
            # No code is shown, so no syntax-highlighting CSS (its preprocessor is off).
            resources.setdefault("inlining", {"css": []})
            return resources

        def render_template(self, nb: Any, resources: Any) -> str:
            """The template's page, before nbconvert's BeautifulSoup pass (after
            HTMLExporter's own preparation)."""
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter(
                "highlight_code",
                self.filters.get(
                    "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
                ),
            )
            resources = self._init_resources(resources)
            self.register_filter(
                "filter_data_type",
                WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources
                ),
            )
            page, _ = TemplateExporter.from_notebook_node(self, nb, resources)
            return str(page)

        def render_directly(self, nb: Any, resources: Any) -> str | None:
            """The template's page written by :mod:`auditlib.publish.direct` (the same
            characters), or ``None`` when the notebook holds what only the template writes."""
            values = (resources or {}).get("auditlib") or {}
            if set(values) != _DIRECT_RESOURCES:
                return None
            cells = direct.cells_html(nb, REMOVE_CELL_TAGS, render_markdown)
            if cells is None:
                return None
            key = (bool(values["contact"]), values["csp"], values["jupyter_css_placeholder"])
            if key not in self.skeletons:
                title, stand_ins = direct.Skeleton.values(contact=key[0])
                empty = nbformat.v4.new_notebook()
                empty.metadata["title"] = title
                page = self.render_template(
                    empty,
                    {
                        "metadata": {"name": title},
                        "auditlib": {
                            **stand_ins,
                            "csp": key[1],
                            "jupyter_css_placeholder": key[2],
                        },
                    },
                )
                self.skeletons[key] = direct.Skeleton.from_page(page, _MAIN_OPEN, _TOC_TARGET)
            title = nb.metadata.get("title", resources["metadata"]["name"])
            return self.skeletons[key].page(
                cells, title=title, footer=values, table_of_contents=add_toc
            )

        def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> Any:
            # The template's page, written directly where auditlib.publish.direct can (or
            # by nbconvert's Jinja template), then BeautifulSoup's pass done by
            # auditlib.publish.soup: the same page nbconvert writes, in a fraction of the time.
            given = copy.deepcopy(resources)
            rendered = self.render_directly(nb, resources)
            if rendered is None:
                rendered = self.render_template(nb, resources)
            page = soup.reserialise(rendered)
            if page is None:  # not simple HTML: nbconvert's own pass, exactly as it was
                page, resources = super().from_notebook_node(nb, given, **kw)
            # nbconvert makes every cell and output a tab stop; in a report only links
            # and scrollable tables (which carry their own tabindex) should be.
            page = _JP_TABINDEX_RE.sub(r"\1", page)
            return stylesheet.inline_used_css(page), resources

    exporter = _ReportExporter(
        config=Config({"CSSHTMLHeaderPreprocessor": {"enabled": False}}),
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        optimistic_validation=True,
        filters={"auditlib_toc": add_toc, "auditlib_markdown": render_markdown},
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags=set(REMOVE_CELL_TAGS), enabled=True), enabled=True
    )
    exporter.register_preprocessor(_ReportCleanup(enabled=True), enabled=True)
    exporter.skeletons = {}  # the page around the cells, per footer kind (render_directly)
    return exporter


# ---------------------------------------------------------------- helpers
def _read(notebook: Any) -> NotebookNode:
    import nbformat

    if isinstance(notebook, str | os.PathLike):
        return nbformat.read(os.fspath(notebook), as_version=4)
    return notebook


def _is_removed(cell: Mapping[str, Any]) -> bool:
    return bool(REMOVE_CELL_TAGS & set(cell.get("metadata", {}).get("tags", [])))


def _is_papermill_cell(cell: Mapping[str, Any]) -> bool:
    tags = set(cell.get("metadata", {}).get("tags", []))
    return bool(tags & {"injected-parameters", "papermill-error-cell-tag"})


def _alt_text(output: Mapping[str, Any], mime: str) -> str:
    meta = output.get("metadata", {})
    alt = (meta.get(mime) or {}).get("alt") or meta.get("alt") or ""
    alt = str(alt).strip()
    return "" if alt == DEFAULT_ALT else alt


def _shows_traceback(output: Mapping[str, Any]) -> bool:
    texts = [output.get("text", "")] if output.get("output_type") == "stream" else []
    texts += [v for k, v in output.get("data", {}).items() if k.startswith("text/")]
    return any(TRACEBACK_MARK in (t if isinstance(t, str) else "".join(t)) for t in texts)


def plain_text(text: str) -> str:
    """One line, without terminal colour codes."""
    text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", str(text))
    return " ".join(text.split())


def _first_code_line(source: str | list[str]) -> str:
    text = "".join(source) if isinstance(source, list) else source
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return stripped if len(stripped) <= 80 else stripped[:77] + "…"
    return ""


def _section_heading(nb: NotebookNode, index: int) -> str:
    """The last Markdown heading (in a Markdown cell or a heading output) above a cell."""
    for cell in reversed(nb.cells[: index + 1]):
        texts: list[str] = []
        if cell.cell_type == "markdown":
            texts.append("".join(cell.source) if isinstance(cell.source, list) else cell.source)
        elif cell.cell_type == "code":
            texts += [
                "".join(md) if isinstance(md, list) else md
                for out in cell.get("outputs", [])
                if (md := out.get("data", {}).get("text/markdown"))
            ]
        for text in reversed(texts):
            headings = re.findall(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", text, re.M)
            if headings:
                return headings[-1]
    return ""


def _jsonable(value: Any) -> Any:
    # The plain types most values are, first: figures.json holds tens of thousands.
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is dict:
        return {str(k): _jsonable(v) for k, v in value.items()}
    if kind is list:
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if hasattr(value, "item") and callable(value.item):  # NumPy scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, int | float | str | bool):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError, ImportError):
        pass
    return str(value)


def write_text_atomically(path: Path, text: str, *, newline: str | None = None) -> Path:
    """Write ``text`` to ``path`` whole or not at all (a temporary file renamed into place).
    ``newline=""`` writes line endings as they are in ``text`` (CSV files)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes files private; reports are for reading
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
