"""auditlib.publish.stylesheet: only the JupyterLab CSS a report can use reaches the page."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_markdown_cell, new_notebook

from auditlib.publish import export, stylesheet

PAGE = """<html><body class="jp-Notebook auditlib-report" data-jp-theme-light="true">
<div class="jp-Cell jp-MarkdownCell"><div class="jp-RenderedHTMLCommon"><h2 id="a">A</h2>
<table><tr><td>1</td></tr></table><p>Text</p></div></div></body></html>"""

CSS = """
/* comment { with: braces } */
:root { --jp-used: #111; --jp-unused: #222; --jp-chain: var(--jp-deep); --jp-deep: 4px;
        --jp-icon: url(data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=); }
.jp-RenderedHTMLCommon table { color: var(--jp-used); margin: var(--jp-chain) }
.jp-Dialog, .jp-Cell { display: block }
.jp-Dialog .jp-Cell { display: none }
body[data-jp-theme-light='true'] h2 { font-weight: 600 }
div:not(.jp-Dialog) > p { line-height: 1.5 }
.jp-Spinner { animation: spin 1s linear }
@keyframes spin { from { transform: rotate(0) } to { transform: rotate(360deg) } }
@keyframes fade { from { opacity: 0 } }
@media print { .jp-Cell { break-inside: avoid } .jp-Toolbar { display: none } }
@media screen { .jp-Toolbar { display: flex } }
@font-face { font-family: icons; src: url(icons.woff2) }
@page { margin: 1cm }
"""


@pytest.fixture(scope="module")
def lean() -> str:
    return stylesheet.lean_css(stylesheet.parse_css(CSS), PAGE, also_read_by="")


def test_rules_that_can_match_the_page_are_kept(lean):
    assert ".jp-RenderedHTMLCommon table { color: var(--jp-used)" in lean
    assert "body[data-jp-theme-light='true'] h2" in lean
    assert "div:not(.jp-Dialog) > p" in lean  # what :not() excludes need not be on the page
    assert "@media print {\n.jp-Cell { break-inside: avoid }\n}" in lean
    assert "@page { margin: 1cm }" in lean


def test_rules_for_what_the_page_lacks_are_dropped(lean):
    assert ".jp-Dialog" not in lean.replace(":not(.jp-Dialog)", "")
    assert ".jp-Cell { display: block }" in lean  # the list is cut to its matching selector
    assert ".jp-Toolbar" not in lean and "@media screen" not in lean
    assert ".jp-Spinner" not in lean and "@keyframes" not in lean
    assert "@font-face" not in lean and "icons.woff2" not in lean


def test_only_the_custom_properties_read_are_kept(lean):
    assert "--jp-used: #111" in lean and "--jp-chain: var(--jp-deep)" in lean
    assert "--jp-deep: 4px" in lean  # read through another property
    assert "--jp-unused" not in lean and "--jp-icon" not in lean
    kept = stylesheet.lean_css(stylesheet.parse_css(CSS), PAGE, also_read_by="a{b:var(--jp-icon)}")
    # A data: URL's ";" does not split the declaration.
    assert "--jp-icon: url(data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)" in kept


def test_keyframes_stay_when_a_kept_rule_animates(lean):
    page = PAGE.replace('class="jp-Cell ', 'class="jp-Spinner jp-Cell ')
    kept = stylesheet.lean_css(stylesheet.parse_css(CSS), page)
    assert "@keyframes spin" in kept and "@keyframes fade" not in kept


def test_a_report_page_carries_a_small_part_of_jupyterlabs_css():
    nb = new_notebook()
    nb.cells = [new_markdown_cell("## Headline\n\nCompliance is **80%**.\n\n- one\n- two")]
    nbformat.validate(nb)
    page = export.render_html(nb, title="T", footer=export.ReportFooter(input_hash="x"))
    full = sum(len(p.read_text(encoding="utf-8")) for p in stylesheet._jupyter_css_paths())
    styles = "".join(stylesheet._STYLE_RE.findall(page))
    assert full > 200_000
    assert len(styles) < 40_000
    assert stylesheet.PLACEHOLDER not in page
    assert ".jp-RenderedHTMLCommon ul" in styles  # lists are styled as in JupyterLab
    assert ".jp-Dialog" not in styles and ".highlight .k" not in styles
    assert "print-color-adjust: exact" in styles and "@page { margin: 0.5in; }" in styles


def test_only_the_names_selectors_mention_decide_the_css():
    rules = stylesheet.parse_css(CSS + "#a { color: red } td[headers] { x: y } H2 { z: 1 }")
    names = stylesheet.mentioned_names(rules)
    assert {"jp-Dialog", "jp-Cell", "jp-Spinner"} <= names.classes and "a" in names.ids
    assert {"data-jp-theme-light", "headers"} <= names.attributes and "h2" in names.tags
    other = PAGE.replace('id="a"', 'id="b"').replace("<p>", '<p id="unused" class="own">')
    for page in (PAGE, other):
        inventory = stylesheet.PageInventory.of(page)
        reduced = inventory.within(names)
        assert reduced.classes <= names.classes and "own" not in reduced.classes
        assert stylesheet._lean_css(rules, reduced, "") == stylesheet.lean_css(rules, page)
    # The page with the heading's id "b" does not have the rule for #a; the reduced
    # inventories differ there and only there.
    first, second = (stylesheet.PageInventory.of(p).within(names) for p in (PAGE, other))
    assert first.ids == {"a"} and second.ids == frozenset()
    assert (first.tags, first.classes, first.attributes) == (
        second.tags,
        second.classes,
        second.attributes,
    )
