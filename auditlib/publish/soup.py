"""nbconvert's BeautifulSoup pass, done without building a tree, for simple HTML.

nbconvert's :class:`~nbconvert.HTMLExporter` parses every page it renders with
BeautifulSoup (``html.parser``) to add alt text to images that have none and make output
areas tab stops, then writes the tree out again. For a report that pass is most of the
export's time, although it changes little: attributes come out sorted, ``class`` lists
with single spaces, void elements as ``<br/>``, character references as characters with
only ``&``, ``<`` and ``>`` escaped, a newline after the doctype.

:func:`reserialise` writes the same page directly, token by token, for the simple,
well-formed HTML auditlib's template produces: balanced tags, double-quoted attribute
values without ``<`` or ``>``, the character references it knows, no comments, scripts or
templates. For anything else it returns ``None`` and the caller runs BeautifulSoup as
nbconvert does, so an unusual (or hostile) notebook is exported exactly as before.
"""

from __future__ import annotations

import functools
import html
import re
from typing import Final

#: The alt text nbconvert gives an image that has none.
MISSING_ALT: Final = "No description has been provided for this image"
#: Output areas nbconvert makes tab stops inside the notebook element.
_TAB_STOP_CLASSES: Final = frozenset({"jp-Cell-inputWrapper", "jp-OutputArea-output"})
_NOTEBOOK_CLASS: Final = "jp-Notebook"
#: Elements whose text html.parser passes through unparsed (and BeautifulSoup unescaped).
_RAW_TEXT_TAGS: Final = frozenset({"style"})
#: Elements BeautifulSoup treats specially, or that html.parser reads as raw text.
_UNSUPPORTED_TAGS: Final = frozenset({"script", "template", "textarea", "rt", "rp"})
#: Named character references both BeautifulSoup and this module decode alike.
_NAMED_REFERENCES: Final = {
    "amp": "&",
    "lt": "<",
    "gt": ">",
    "quot": '"',
    "apos": "'",
    "nbsp": "\xa0",
}

_DOCTYPE: Final = "<!DOCTYPE html>"
_TAG_RE: Final = re.compile(
    r"<(?:/(?P<end>[a-zA-Z][a-zA-Z0-9]*)"
    r"|(?P<start>[a-zA-Z][a-zA-Z0-9]*)"
    r"(?P<attrs>(?:\s+[a-zA-Z][-a-zA-Z0-9:_]*(?:=\"[^\"<>]*\")?)*)\s*(?P<slash>/?))>"
)
_ATTR_RE: Final = re.compile(r"\s+([a-zA-Z][-a-zA-Z0-9:_]*)(?:=\"([^\"<>]*)\")?")
_REFERENCE_RE: Final = re.compile(
    r"&(?:#([0-9]{1,7});|#x([0-9a-fA-F]{1,6});|([a-zA-Z][a-zA-Z0-9]*);)?"
)
_WORD_RE: Final = re.compile(r"\S+")
_ESCAPES: Final = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
#: BeautifulSoup writes text of only these characters as one newline (or one space)...
_ASCII_SPACES: Final = frozenset("\x20\x0a\x09\x0c\x0d")
#: ...except inside these elements.
_WHITESPACE_KEEPING_TAGS: Final = frozenset({"pre", "textarea"})


class Unsupported(Exception):
    """The page holds HTML this module does not reproduce; BeautifulSoup must do it."""


def reserialise(page: str) -> str | None:
    """``page`` as nbconvert's BeautifulSoup pass writes it, or ``None`` if it is not simple.

    >>> reserialise('<div  class="a  b" id="x"><br>Tom &amp; Jerry&#x27;s</div>')
    '<div class="a b" id="x"><br/>Tom &amp; Jerry\\'s</div>'
    >>> reserialise("<div><p>unclosed</div>") is None
    True
    """
    try:
        return _Writer(page).run()
    except Unsupported:
        return None


@functools.lru_cache(maxsize=1)
def _bs4_rules() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """BeautifulSoup's void elements and space-separated attributes (from bs4 itself)."""
    from bs4.builder import HTMLTreeBuilder

    lists = {
        tag: frozenset(names)
        for tag, names in HTMLTreeBuilder.DEFAULT_CDATA_LIST_ATTRIBUTES.items()
    }
    return frozenset(HTMLTreeBuilder.DEFAULT_EMPTY_ELEMENT_TAGS), lists


class _Writer:
    """One pass over a page: text and tags written as BeautifulSoup writes them."""

    def __init__(self, page: str) -> None:
        if "\r" in page or "\x00" in page:
            raise Unsupported("carriage return or NUL")
        self.page = page
        self.out: list[str] = []
        #: Open elements (name, whether it is or is inside the notebook element).
        self.stack: list[tuple[str, bool]] = []
        #: How many open elements keep their whitespace (``<pre>``).
        self.keeping = 0
        #: Start tags already written: (name, attributes, self-closing, in the notebook) →
        #: (the tag written, void, its children in the notebook).
        self.known: dict[tuple[str, str, bool, bool], tuple[str, bool, bool]] = {}
        self.void, self.lists = _bs4_rules()

    def run(self) -> str:
        page, position = self.page, 0
        if page.startswith(_DOCTYPE):
            # BeautifulSoup writes a doctype followed by a newline.
            self.out.append(_DOCTYPE + "\n")
            position = len(_DOCTYPE)
        while True:
            start = page.find("<", position)
            if start < 0:
                self.text(page[position:])
                break
            text = page[position:start]
            if text == "\n":  # most text between tags: written as it is
                self.out.append(text)
            elif text:
                self.text(text)
            tag = _TAG_RE.match(page, start)
            if tag is None:
                raise Unsupported(f"markup at {start}")
            position = tag.end()
            if tag["end"]:
                self.end(tag["end"].lower())
                continue
            name = tag["start"].lower()
            self.start(name, tag["attrs"], bool(tag["slash"]))
            if name in _RAW_TEXT_TAGS:
                close = page.find(f"</{name}>", position)
                raw = page[position:close]
                if close < 0 or "</" in raw or "<!" in raw:
                    raise Unsupported(f"<{name}> content")
                self.text(raw, raw=True)
                position = close
        if self.stack:
            raise Unsupported("unclosed elements")
        return "".join(self.out)

    def text(self, text: str, *, raw: bool = False) -> None:
        if not text:
            return
        if "&" in text and not raw:
            text = _REFERENCE_RE.sub(_decode_reference, text)
        if not self.keeping and _ASCII_SPACES.issuperset(text):
            text = "\n" if "\n" in text else " "
        self.out.append(text if raw else text.translate(_ESCAPES))

    def start(self, name: str, attrs_text: str, self_closing: bool) -> None:
        in_notebook = bool(self.stack) and self.stack[-1][1]
        key = (name, attrs_text, self_closing, in_notebook)
        known = self.known.get(key)
        if known is None:  # a report repeats its tags (<td class="num">): each is worked out once
            known = self.known[key] = self._start_tag(name, attrs_text, self_closing, in_notebook)
        written, void, inside_notebook = known
        self.out.append(written)
        if not void:
            self.stack.append((name, inside_notebook))
            self.keeping += name in _WHITESPACE_KEEPING_TAGS

    def _start_tag(
        self, name: str, attrs_text: str, self_closing: bool, in_notebook: bool
    ) -> tuple[str, bool, bool]:
        """The start tag as BeautifulSoup writes it, whether it is void, and whether its
        children are inside the notebook element."""
        if name in _UNSUPPORTED_TAGS:
            raise Unsupported(f"<{name}>")
        void = name in self.void
        if self_closing and not void:
            raise Unsupported(f"<{name}/>")
        attrs: dict[str, str] = {}
        lists = self.lists.get("*", frozenset()) | self.lists.get(name, frozenset())
        for found in _ATTR_RE.finditer(attrs_text):
            key, value = found[1].lower(), found[2]
            if key in attrs:
                raise Unsupported(f"duplicate {key}=")
            value = html.unescape(value) if value else ""
            attrs[key] = " ".join(_WORD_RE.findall(value)) if key in lists else value
        classes = attrs.get("class", "").split()
        # What nbconvert adds: alt text where an image has none, and a tab stop on each
        # output area (and input wrapper) inside the notebook.
        if name == "img" and "alt" not in attrs:
            attrs["alt"] = MISSING_ALT
        if name == "div" and in_notebook and _TAB_STOP_CLASSES.intersection(classes):
            attrs["tabindex"] = "0"
        parts = [f"<{name}"]
        for key, value in sorted(attrs.items()):
            parts.append(f" {key}={_quoted(value.translate(_ESCAPES))}")
        parts.append("/>" if void else ">")
        return "".join(parts), void, in_notebook or _NOTEBOOK_CLASS in classes

    def end(self, name: str) -> None:
        if not self.stack or self.stack[-1][0] != name:
            raise Unsupported(f"</{name}> out of place")
        self.stack.pop()
        self.keeping -= name in _WHITESPACE_KEEPING_TAGS
        self.out.append(f"</{name}>")


def _decode_reference(found: re.Match[str]) -> str:
    decimal, hexadecimal, named = found.groups()
    if named is not None:
        if named not in _NAMED_REFERENCES:
            raise Unsupported(f"&{named};")
        return _NAMED_REFERENCES[named]
    if decimal is None and hexadecimal is None:
        follower = found.string[found.end() : found.end() + 1]
        if follower.isascii() and (follower.isalpha() or follower == "#"):
            raise Unsupported("an incomplete character reference")
        return "&"  # a bare ampersand is text
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if not (32 <= code < 127 or 160 <= code < 0xD800 or 0xE000 <= code < 0xFFFE):
        raise Unsupported(f"character reference {code}")
    return chr(code)


def _quoted(value: str) -> str:
    """An attribute value quoted as BeautifulSoup quotes it."""
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace('"', "&quot;") + '"'
