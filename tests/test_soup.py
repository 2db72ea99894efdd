"""auditlib.publish.soup: nbconvert's BeautifulSoup pass without the tree, pinned to bs4.

Every page :func:`soup.reserialise` writes must be, byte for byte, the page nbconvert's
own pass writes (BeautifulSoup with ``html.parser``, alt text added, output areas made tab
stops); anything it cannot promise that for, it must leave to BeautifulSoup.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from auditlib.publish import export, soup
from tests.test_export import FOOTER, _code, _display, _notebook


def _nbconvert_pass(page: str) -> str:
    """What nbconvert's HTMLExporter does to a rendered page (nbconvert 7)."""
    tree = BeautifulSoup(page, features="html.parser")
    for elem in tree.select("img:not([alt])"):
        elem.attrs["alt"] = soup.MISSING_ALT
    for elem in tree.select(".jp-Notebook div.jp-Cell-inputWrapper"):
        elem.attrs["tabindex"] = "0"
    for elem in tree.select(".jp-Notebook div.jp-OutputArea-output"):
        elem.attrs["tabindex"] = "0"
    return str(tree)


SIMPLE = [
    '<!DOCTYPE html>\n<html lang="en-GB">\n<head><meta charset="utf-8" />\n\n\n<title>A &amp; B &lt;c&gt; "q" &#x27;s</title></head>'
    '<body class="jp-Notebook  x" data-a="1">\n  \n<main><div class="jp-OutputArea-output  y" tabindex="-1">t</div></main></body>\n\n</html>',
    '<div id="b" class="  a   b  " title="x &gt; y &amp; &quot;z&quot;" aria-label="it\'s">x</div>',
    "<p>Tom &amp; Jerry &#39;s &#160; &nbsp; &apos; a & b &#x2014; 5 > 3</p>",
    '<img src="data:image/png;base64,AAAA" width="3"><img alt="" src="x"><br><br/><hr />',
    "<pre>\n  kept   \n\n</pre><div>\n \t \n</div><span>  </span><span>\t</span>",
    '<style type="text/css">\n.a > b { content: "&amp;"; }\n</style><p class="jp-Cell-inputWrapper">x</p>',
    '<div class="jp-Notebook"><div><div class="jp-Cell-inputWrapper jp-OutputArea-output"></div></div></div>'
    '<div class="jp-OutputArea-output">outside the notebook</div>',
    '<table class="audit-table"><caption id="c">Caption</caption><thead><tr><th scope="col" headers=" a  b ">'
    "H</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>",
    '<a href="https://example.org/?a=1&amp;b=2" rel="noopener  noreferrer">link</a><details open><summary>s</summary></details>',
    '<P CLASS="Up">Upper-case names</P><ul>\n<li>one</li>\n<li>two</li>\n</ul>',
]


@pytest.mark.parametrize("page", SIMPLE)
def test_simple_html_comes_out_as_beautifulsoup_writes_it(page):
    assert soup.reserialise(page) == _nbconvert_pass(page)


UNSUPPORTED = [
    "<div><p>unclosed</div>",
    "<div>stray end</div></span>",
    "<p>unclosed at the end",
    "<script>alert(1)</script>",
    "<template><p>x</p></template>",
    "<textarea>x</textarea>",
    "<!-- a comment --><p>x</p>",
    "<p>&unknown; reference</p>",
    "<p>&amp reference without a semicolon</p>",
    "<p>&#128; a C1 control</p>",
    "<p a=1>unquoted attribute</p>",
    "<p a='single'>single quotes</p>",
    '<p a="x" a="y">duplicate</p>',
    '<p title="a > b">bracket in a value</p>',
    "<p>a < b</p>",
    "<div/>",
    "<br></br>",
    "<p>carriage\r\nreturn</p>",
    "<style>a { x: '</b>' }</style>",
    "<![CDATA[x]]>",
    "<?php x ?>",
]


@pytest.mark.parametrize("page", UNSUPPORTED)
def test_anything_else_is_left_to_beautifulsoup(page):
    assert soup.reserialise(page) is None


def _render_both_ways(nb, monkeypatch) -> tuple[str, str]:
    title = "Audit Highlights Report – September 2020 – Example & <Council>"
    fast = export.render_html(nb, title=title, footer=FOOTER)
    with monkeypatch.context() as patch:
        patch.setattr(soup, "reserialise", lambda page: None)
        slow = export.render_html(nb, title=title, footer=FOOTER)
    return fast, slow


def test_a_report_exports_identically_with_and_without_beautifulsoup(monkeypatch):
    taken: list[bool] = []
    original = soup.reserialise

    def spy(page: str) -> str | None:
        result = original(page)
        taken.append(result is not None)
        return result

    monkeypatch.setattr(soup, "reserialise", spy)
    fast, slow = _render_both_ways(_notebook(), monkeypatch)
    assert taken == [True]  # the report's page took the fast path...
    assert fast == slow  # ...and came out as nbconvert's own pass writes it


def test_hostile_output_falls_back_and_is_still_sanitised(monkeypatch, tmp_path):
    hostile = _code(
        "display(HTML(...))",
        [
            _display(
                {"text/html": "<div><p>unclosed <script>alert(1)</script><img src=x onerror=y>"}
            ),
            _display({"text/html": '<a href="javascript:alert(1)">x</a><!-- note -->'}),
        ],
    )
    nb = _notebook(hostile)
    fast, slow = _render_both_ways(nb, monkeypatch)
    assert fast == slow
    path = export.export_html(nb, tmp_path / "r.html", title="T", footer=FOOTER)
    page = path.read_text(encoding="utf-8")
    body = page.split("<body", 1)[1]
    assert "<script" not in body and "onerror" not in body and "javascript:" not in body
