"""Only the CSS a report uses: JupyterLab's stylesheets cut down to the rules that match it.

nbconvert's ``lab`` template inlines all of JupyterLab's CSS (about 260 KB: the editor,
the file browser, dialogs, widgets, dark-theme hooks…) into every page. A report shows
headings, paragraphs, lists, tables and figures, so :func:`lean_jupyter_css` keeps only
the rules whose selectors can match an element of the page (its tags, classes, ids and
attributes), the ``@media`` blocks holding such rules, and the custom properties
(``--jp-…``) those rules and the report's own stylesheet read. What is dropped could not
have styled anything on the page, so the page looks, and prints, the same.

The report template writes :data:`PLACEHOLDER` where JupyterLab's CSS went; the exporter
replaces it with :func:`inline_used_css` once the page's body is rendered.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

#: Written by the report template where JupyterLab's stylesheets would go.
PLACEHOLDER: Final = "/* auditlib: the JupyterLab rules this page uses */"
#: JupyterLab's stylesheets in nbconvert's lab template, in the order the template inlines them.
JUPYTER_CSS_FILES: Final = ("index.css", "theme-light.css")
#: At-rules whose block holds rules (kept when any rule inside is kept).
_GROUPING_AT_RULES: Final = frozenset({"media", "supports", "container", "layer", "document"})

_COMMENT_RE: Final = re.compile(r"/\*.*?\*/", re.S)
# Braces and semicolons outside strings and url(…) (an unquoted data: URL has ";" in it):
# the points where CSS's structure changes.
_TOKEN_RE: Final = re.compile(r"\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'|url\([^)]*\)|[{};]")
_FUNCTIONAL_PSEUDO_RE: Final = re.compile(r":{1,2}[\w-]+\((?:[^()]|\([^()]*\))*\)")
_PSEUDO_RE: Final = re.compile(r":{1,2}[\w-]+")
_ATTRIBUTE_RE: Final = re.compile(r"\[\s*([\w:-]+)[^\]]*\]")
_CLASS_RE: Final = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
_ID_RE: Final = re.compile(r"#(-?[_a-zA-Z][\w-]*)")
_TYPE_RE: Final = re.compile(r"(?:^|(?<=[\s>+~(]))([a-zA-Z][\w-]*)")
_VAR_USE_RE: Final = re.compile(r"var\(\s*(--[\w-]+)")
_CUSTOM_PROPERTY_RE: Final = re.compile(r"^\s*(--[\w-]+)\s*:")
_KEYFRAMES_USE_RE: Final = re.compile(r"animation(?:-name)?\s*:\s*([^;]+)")

# What a page has, read from its markup.
_TAG_RE: Final = re.compile(r"<([a-zA-Z][\w-]*)([^>]*)>")
_STYLE_RE: Final = re.compile(r"<style[^>]*>(.*?)</style>", re.S)
_ATTR_RE: Final = re.compile(r"([\w:-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")


@dataclass(frozen=True)
class _Rule:
    """One CSS rule: a style rule (``selectors`` and ``declarations``) or an at-rule
    (``at`` its name, ``prelude`` the rest, ``children`` the rules of a grouping block,
    ``text`` the whole rule as written for any other)."""

    selectors: tuple[str, ...] = ()
    declarations: tuple[str, ...] = ()
    at: str = ""
    prelude: str = ""
    children: tuple[_Rule, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class PageInventory:
    """The tags, classes, ids and attribute names of a page (lower-cased tags)."""

    tags: frozenset[str]
    classes: frozenset[str]
    ids: frozenset[str]
    attributes: frozenset[str]

    @classmethod
    def of(cls, page: str) -> PageInventory:
        tags: set[str] = set()
        classes: set[str] = set()
        ids: set[str] = set()
        attributes: set[str] = set()
        for tag, attrs in _TAG_RE.findall(page):
            tags.add(tag.lower())
            for name, value in _ATTR_RE.findall(attrs):
                name = name.lower()
                attributes.add(name)
                value = value.strip("\"'")
                if name == "class":
                    classes.update(value.split())
                elif name == "id":
                    ids.add(value)
        return cls(frozenset(tags), frozenset(classes), frozenset(ids), frozenset(attributes))

    def within(self, names: PageInventory) -> PageInventory:
        """Only the names also in ``names`` (those some selector mentions): a selector can
        match this inventory exactly when it can match the whole page's."""
        return PageInventory(
            self.tags & names.tags,
            self.classes & names.classes,
            self.ids & names.ids,
            self.attributes & names.attributes,
        )


def mentioned_names(rules: Iterable[_Rule]) -> PageInventory:
    """Every tag, class, id and attribute name the rules' selectors require (as
    :func:`selector_may_match` reads them)."""
    tags: set[str] = set()
    classes: set[str] = set()
    ids: set[str] = set()
    attributes: set[str] = set()
    for rule in _style_rules(rules):
        for selector in rule.selectors:
            simple = _FUNCTIONAL_PSEUDO_RE.sub("", selector)
            attributes.update(name.lower() for name in _ATTRIBUTE_RE.findall(simple))
            simple = _PSEUDO_RE.sub("", _ATTRIBUTE_RE.sub("", simple))
            classes.update(_CLASS_RE.findall(simple))
            ids.update(_ID_RE.findall(simple))
            without_names = _ID_RE.sub("", _CLASS_RE.sub("", simple))
            tags.update(tag.lower() for tag in _TYPE_RE.findall(without_names))
    return PageInventory(frozenset(tags), frozenset(classes), frozenset(ids), frozenset(attributes))


# ---------------------------------------------------------------- parsing
def parse_css(css: str) -> tuple[_Rule, ...]:
    """The rules of a stylesheet, comments dropped (enough CSS for JupyterLab's files)."""
    rules, _ = _parse_block(_COMMENT_RE.sub(" ", css), 0)
    return tuple(rules)


def _parse_block(css: str, start: int) -> tuple[list[_Rule], int]:
    """Rules from ``start`` to the matching ``}`` (or the end); returns them and the end."""
    rules: list[_Rule] = []
    head_start = start
    position = start
    while True:
        token = _TOKEN_RE.search(css, position)
        if token is None:
            return rules, len(css)
        kind = token.group(0)
        if kind not in "{};":  # a string or url(…): skip it whole
            position = token.end()
            continue
        if kind == "}":
            return rules, token.end()
        head = css[head_start : token.start()].strip()
        if kind == ";":  # a statement at-rule (@charset, @import): kept as written
            if head:
                rules.append(_Rule(at=_at_name(head), text=head + ";"))
            head_start = position = token.end()
            continue
        # kind == "{": a block opens
        if head.startswith("@") and _at_name(head) in _GROUPING_AT_RULES:
            children, end = _parse_block(css, token.end())
            name = _at_name(head)
            rules.append(_Rule(at=name, prelude=head, children=tuple(children)))
        else:
            end = _block_end(css, token.end())
            body = css[token.end() : end - 1]
            if head.startswith("@"):
                rules.append(_Rule(at=_at_name(head), prelude=head, text=f"{head} {{{body}}}"))
            else:
                rules.append(
                    _Rule(
                        selectors=tuple(s.strip() for s in _split_selectors(head) if s.strip()),
                        declarations=tuple(_declarations(body)),
                    )
                )
        head_start = position = end


def _at_name(head: str) -> str:
    match = re.match(r"@([\w-]+)", head)
    return match.group(1).lower() if match else ""


def _block_end(css: str, start: int) -> int:
    """The position just after the ``}`` closing a block opened before ``start``."""
    depth = 1
    position = start
    while depth:
        token = _TOKEN_RE.search(css, position)
        if token is None:
            return len(css)
        if token.group(0) == "{":
            depth += 1
        elif token.group(0) == "}":
            depth -= 1
        position = token.end()
    return position


def _split_selectors(head: str) -> list[str]:
    """A selector list split at its top-level commas (not those inside ``:is(…)``)."""
    parts, depth, current = [], 0, []
    for char in head:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _declarations(body: str) -> list[str]:
    parts, start = [], 0
    for token in _TOKEN_RE.finditer(body):
        if token.group(0) == ";":
            parts.append(body[start : token.start()])
            start = token.end()
    parts.append(body[start:])
    return [" ".join(p.split()) for p in parts if p.strip()]


# ---------------------------------------------------------------- matching
def selector_may_match(selector: str, page: PageInventory) -> bool:
    """Whether ``selector`` can match an element of the page (a cautious yes when unsure).

    Every class, id, type and attribute name the selector requires must be on the page;
    what is inside functional pseudo-classes (``:not(…)``, ``:is(…)``) is not required.

    >>> page = PageInventory.of('<div class="jp-Cell"><table id="t"></table></div>')
    >>> selector_may_match(".jp-Cell > table", page), selector_may_match(".jp-Dialog", page)
    (True, False)
    >>> selector_may_match("div:not(.jp-Dialog)", page)
    True
    """
    simple = _FUNCTIONAL_PSEUDO_RE.sub("", selector)
    attributes = _ATTRIBUTE_RE.findall(simple)
    simple = _PSEUDO_RE.sub("", _ATTRIBUTE_RE.sub("", simple))
    if any(name.lower() not in page.attributes for name in attributes):
        return False
    if any(name not in page.classes for name in _CLASS_RE.findall(simple)):
        return False
    if any(name not in page.ids for name in _ID_RE.findall(simple)):
        return False
    without_names = _ID_RE.sub("", _CLASS_RE.sub("", simple))
    return all(tag.lower() in page.tags for tag in _TYPE_RE.findall(without_names))


def _used_rules(rules: Iterable[_Rule], page: PageInventory) -> list[_Rule]:
    kept = []
    for rule in rules:
        if rule.children:
            children = _used_rules(rule.children, page)
            if children:
                kept.append(_Rule(at=rule.at, prelude=rule.prelude, children=tuple(children)))
        elif rule.at:
            # @page applies to the page as a whole; @keyframes and @font-face are decided
            # by _prune, once the rules that might use them are known.
            kept.append(rule)
        else:
            selectors = tuple(s for s in rule.selectors if selector_may_match(s, page))
            if selectors:
                kept.append(_Rule(selectors=selectors, declarations=rule.declarations))
    return kept


def _style_rules(rules: Iterable[_Rule]) -> Iterable[_Rule]:
    for rule in rules:
        if rule.children:
            yield from _style_rules(rule.children)
        elif not rule.at:
            yield rule


def _custom_properties_needed(rules: list[_Rule], extra_css: str) -> set[str]:
    """Custom properties read by the kept rules or ``extra_css``, and those they read."""
    definitions: dict[str, list[str]] = {}
    wanted: set[str] = set(_VAR_USE_RE.findall(extra_css))
    for rule in _style_rules(rules):
        for declaration in rule.declarations:
            defined = _CUSTOM_PROPERTY_RE.match(declaration)
            if defined:
                definitions.setdefault(defined.group(1), []).append(declaration)
            else:
                wanted.update(_VAR_USE_RE.findall(declaration))
    pending = list(wanted)
    while pending:
        for declaration in definitions.get(pending.pop(), []):
            for name in _VAR_USE_RE.findall(declaration):
                if name not in wanted:
                    wanted.add(name)
                    pending.append(name)
    return wanted


def _prune(rules: list[_Rule], properties: set[str], animations: set[str]) -> list[_Rule]:
    """Drop unread custom properties, unused keyframes and rules left empty."""
    out = []
    for rule in rules:
        if rule.children:
            children = _prune(list(rule.children), properties, animations)
            if children:
                out.append(_Rule(at=rule.at, prelude=rule.prelude, children=tuple(children)))
        elif rule.at in ("keyframes", "-webkit-keyframes"):
            name = rule.prelude.split(maxsplit=1)[-1].strip()
            if name in animations:
                out.append(rule)
        elif rule.at == "font-face":
            continue  # JupyterLab's icon fonts: a report shows no icons
        elif rule.at:
            out.append(rule)
        else:
            declarations = tuple(
                d
                for d in rule.declarations
                if not (m := _CUSTOM_PROPERTY_RE.match(d)) or m.group(1) in properties
            )
            if declarations:
                out.append(_Rule(selectors=rule.selectors, declarations=declarations))
    return out


def _serialise(rules: Iterable[_Rule]) -> str:
    lines = []
    for rule in rules:
        if rule.children:
            lines.append(f"{rule.prelude} {{\n{_serialise(rule.children)}\n}}")
        elif rule.at:
            lines.append(rule.text)
        else:
            lines.append(f"{', '.join(rule.selectors)} {{ {'; '.join(rule.declarations)} }}")
    return "\n".join(lines)


# ---------------------------------------------------------------- the public functions
def lean_css(rules: tuple[_Rule, ...], page: str, *, also_read_by: str = "") -> str:
    """The rules of ``rules`` that can style ``page``, with only the custom properties they
    (or the stylesheet ``also_read_by``) read, as CSS text."""
    return _lean_css(rules, PageInventory.of(page), also_read_by)


def _lean_css(rules: tuple[_Rule, ...], inventory: PageInventory, also_read_by: str) -> str:
    kept = _used_rules(rules, inventory)
    properties = _custom_properties_needed(kept, also_read_by)
    animations: set[str] = set()
    for rule in _style_rules(kept):
        for declaration in rule.declarations:
            match = _KEYFRAMES_USE_RE.search(declaration)
            if match:
                animations.update(match.group(1).replace(",", " ").split())
    return _serialise(_prune(kept, properties, animations))


@functools.lru_cache(maxsize=1)
def jupyter_rules() -> tuple[_Rule, ...]:
    """JupyterLab's light-theme stylesheets from nbconvert's lab template, parsed once."""
    return parse_css("\n".join(path.read_text(encoding="utf-8") for path in _jupyter_css_paths()))


@functools.lru_cache(maxsize=1)
def _jupyter_names() -> PageInventory:
    return mentioned_names(jupyter_rules())


@functools.lru_cache(maxsize=64)
def _lean_jupyter_css(inventory: PageInventory, also_read_by: str) -> str:
    """JupyterLab's rules for a page with this inventory (reports of one programme mostly
    share one, so a process exporting many months works each out once)."""
    return _lean_css(jupyter_rules(), inventory, also_read_by)


def _jupyter_css_paths() -> list[Path]:
    from jupyter_core.paths import jupyter_path

    for folder in jupyter_path("nbconvert", "templates"):
        static = Path(folder) / "lab" / "static"
        paths = [static / name for name in JUPYTER_CSS_FILES]
        if all(p.is_file() for p in paths):
            return paths
    return []


def inline_used_css(page: str) -> str:
    """``page`` with :data:`PLACEHOLDER` replaced by the JupyterLab CSS the page uses."""
    if PLACEHOLDER not in page:
        return page
    # The page's own stylesheets (the report's) may read JupyterLab's custom properties.
    own_css = "\n".join(_STYLE_RE.findall(page.replace(PLACEHOLDER, "")))
    # Keyed by the names JupyterLab's selectors mention: pages differing only in their own
    # ids (a table's, a heading's) share one result.
    inventory = PageInventory.of(page).within(_jupyter_names())
    css = _lean_jupyter_css(inventory, own_css)
    return page.replace(PLACEHOLDER, css, 1)
