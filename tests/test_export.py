"""auditlib.publish.export: executed notebook → offline, code-free, accessible HTML.

These tests build executed notebooks in memory (no kernel), with the same
output bundles auditlib.report.display produces inside a kernel.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from auditlib.errors import ReportError
from auditlib.paths import TEMPLATES_DIR
from auditlib.publish import export
from auditlib.report import display

FOOTER = export.ReportFooter(input_hash="0123abcd" * 8, contact="Audit Manager, Example Council")
ALT = "Bar chart: 10 Good and 3 Inadequate audits in September 2020."


def _display(data: dict, metadata: dict | None = None):
    return new_output("display_data", data=data, metadata=metadata or {})


def _figure_output(alt: str = ALT, image_format: str = "svg"):
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar(["Good", "Inadequate"], [10, 3])
    data, meta = display.render_figure(
        fig, alt=alt, caption="Completed audits, September 2020.", image_format=image_format
    )
    plt.close(fig)
    return _display(data, meta)


def _code(source: str, outputs=(), tags=()):
    cell = new_code_cell(source, outputs=list(outputs), execution_count=1)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def _notebook(*extra_cells):
    table = pd.DataFrame(
        {"Audits": ["10", "3"]}, index=pd.Index(["Good", "Inadequate"], name="Judgement")
    )
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell("# Audit Highlights Report – September 2020"),
        _code('report_month = "2020-09"', tags=["parameters"]),
        _code('report_month = "2020-09"\ndata_dir = "/secret/path"', tags=["injected-parameters"]),
        _code("import pandas as pd\nsource_sentinel_name = 1"),
        _code(
            "print('REMOVE-ME')",
            [new_output("stream", name="stdout", text="REMOVE-ME\n")],
            tags=["remove"],
        ),
        new_markdown_cell("## Headline\n\nCompliance is **80%**."),
        _code(
            "show_heading('Overall judgements')",
            [
                _display(display.render_heading("Overall judgements", 2)),
                _display(
                    {"text/html": display.render_table(table, caption="Judgements, September 2020")}
                ),
                new_output("stream", name="stderr", text="FutureWarning: STDERR-NOISE\n"),
            ],
        ),
        _code(
            "show_figure(fig, alt=...)",
            [
                _display(display.render_heading("Trend", 3)),
                _figure_output(),
                _figure_output(image_format="png"),
            ],
        ),
        _code(
            "show_callout(...)",
            [_display({"text/html": display.render_callout("Within normal variation.")})],
        ),
        new_markdown_cell("## Data quality and methods\n\nEvery row is accounted for."),
        *extra_cells,
    ]
    return nb


@pytest.fixture(scope="module")
def page() -> str:
    return export.render_html(
        _notebook(),
        title="Audit Highlights Report – September 2020 – Example Council",
        footer=FOOTER,
    )


def _body(page: str) -> str:
    return page.split("<body", 1)[1]


def test_report_makes_no_network_request(page):
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", page, re.I)
    assert not re.search(r"<link\b[^>]*href\s*=\s*[\"']?(https?:)?//", page, re.I)
    assert not re.search(r"https?://[^\s\"')]+\.(?:js|css|woff2?|ttf)", page, re.I)
    assert "@import" not in page
    assert "<script" not in page  # no JavaScript at all
    export.check_offline(page)  # and our own guard agrees


def test_report_has_no_code_prompts_or_removed_cells(page):
    body = _body(page)
    assert "jp-InputArea" not in body
    assert "jp-InputPrompt" not in body and "jp-OutputPrompt" not in body
    assert "In&nbsp;[" not in body and "Out[" not in body
    assert "source_sentinel_name" not in body and "import pandas" not in body
    assert "/secret/path" not in body  # the injected-parameters cell is gone
    assert "REMOVE-ME" not in body
    assert "STDERR-NOISE" not in body
    assert "Traceback" not in body


def test_report_images_carry_the_alt_text_and_caption(page):
    # The same chart as SVG (the default for a bar chart) and as PNG: shown alike.
    images = re.findall(r"<img\b[^>]*>", page)
    assert len(images) == 2
    assert all(f'alt="{ALT}"' in image for image in images)
    assert export.DEFAULT_ALT not in page
    assert page.count("<figcaption>Completed audits, September 2020.</figcaption>") == 2
    assert images[0].count("data:image/svg+xml;base64,") == 1
    assert images[1].count("data:image/png;base64,") == 1
    # Both at the figure's physical size, 3 × 2 inches at 96 CSS pixels an inch.
    svg_size = re.search(r'height="(\d+)".*width="(\d+)"', images[0]).groups()
    assert svg_size == ("192", "288")
    svg = base64.b64decode(re.search(r"base64,([^\"]+)", images[0])[1]).decode()
    assert svg.startswith("<svg") and ">Inadequate</text>" in svg


def test_report_has_language_title_skip_link_toc_and_footer(page):
    assert '<html lang="en-GB">' in page
    assert "<title>Audit Highlights Report – September 2020 – Example Council</title>" in page
    assert '<a class="skip-link" href="#report-start">' in page
    assert 'id="report-start"' in page
    toc = re.search(r'<nav[^>]*class="report-toc".*?</nav>', page, re.S)
    assert toc, "no table of contents"
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', toc.group(0))
    assert [text for _, text in links] == [
        "Headline",
        "Overall judgements",
        "Trend",
        "Data quality and methods",
    ]
    for anchor, _ in links:
        assert re.search(rf"<h[23][^>]* id=\"{re.escape(anchor)}\"", page), anchor
    assert re.search(r'<h3 id="trend"', page)
    footer = re.search(r"<footer.*?</footer>", page, re.S).group(0)
    assert "auditlib " in footer and FOOTER.version in footer
    assert FOOTER.input_hash in footer
    assert "Audit Manager, Example Council" in footer
    assert re.search(r"\d{1,2} \w+ \d{4} at \d{2}:\d{2}", footer)


def test_report_has_print_styles_and_page_breaks_after_the_first_section(page):
    assert "@media print" in page
    assert re.search(r"nav\.report-toc[^{]*\{\s*display: none", page)
    assert '<h2 id="headline">' in page  # the first section does not start a new page
    assert re.search(
        r'<h2 class="page-break" id="overall-judgements">|<h2 id="overall-judgements" class="page-break">',
        page,
    )


def test_only_tables_and_the_skip_target_are_focusable(page):
    body = _body(page)
    assert re.findall(r'tabindex="([^"]+)"', body) == ["-1", "0"]


def test_export_html_writes_the_file(tmp_path):
    path = export.export_html(_notebook(), tmp_path / "r.html", title="T", footer=FOOTER)
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left


def test_export_refuses_an_error_output_and_names_the_cell(tmp_path):
    error = new_output(
        "error",
        ename="ValueError",
        evalue="no audits in \x1b[31m2020-09\x1b[0m",
        traceback=["Traceback (most recent call last)", "..."],
    )
    nb = _notebook(_code("compute_shift(df)\nmore()", [error]))
    with pytest.raises(ReportError) as info:
        export.export_html(nb, tmp_path / "r.html", title="T", footer=FOOTER)
    message = str(info.value)
    # 11 cells in all, less papermill's injected-parameters cell: the analyst's 10th
    assert "cell 10 " in message
    assert 'section "Data quality and methods"' in message
    assert "`compute_shift(df)`" in message
    assert "ValueError: no audits in 2020-09" in message
    assert "Traceback" not in message and "\x1b" not in message
    assert not (tmp_path / "r.html").exists()


def test_export_refuses_a_printed_traceback(tmp_path):
    printed = new_output(
        "stream", name="stdout", text="Traceback (most recent call last):\n  File ..."
    )
    with pytest.raises(ReportError, match="traceback"):
        export.export_html(
            _notebook(_code("log()", [printed])), tmp_path / "r.html", title="T", footer=FOOTER
        )


@pytest.mark.parametrize("alt", [None, "", export.DEFAULT_ALT])
def test_export_refuses_an_image_without_alt_text(tmp_path, alt):
    output = _figure_output()
    if alt is None:
        del output.metadata["image/svg+xml"]["alt"]
    else:
        output.metadata["image/svg+xml"]["alt"] = alt
    with pytest.raises(ReportError, match="no alt text"):
        export.export_html(
            _notebook(_code("plt.show()", [output])), tmp_path / "r.html", title="T", footer=FOOTER
        )


def test_javascript_outputs_are_dropped():
    js = new_output(
        "display_data",
        data={"application/javascript": "fetch('https://example.org')", "text/plain": "<JS>"},
    )
    page = export.render_html(_notebook(_code("show_js()", [js])), title="T", footer=FOOTER)
    assert "<script" not in page and "example.org" not in page


def test_errors_in_removed_cells_do_not_block_the_report(tmp_path):
    error = new_output("error", ename="KeyError", evalue="x", traceback=[])
    export.export_html(
        _notebook(_code("x", [error], tags=["remove"])),
        tmp_path / "r.html",
        title="T",
        footer=FOOTER,
    )


@pytest.mark.parametrize(
    "snippet",
    [
        '<script src="https://cdn.example/require.js"></script>',
        '<script src=""></script>',
        '<link rel="stylesheet" href="https://fonts.example/css">',
        "<style>@import url(x.css);</style>",
        '<style>body { background: url("//cdn.example/bg.png") }</style>',
        '<img src="http://example.org/x.png" alt="x">',
        '<svg><image href="http://example.org/i.png"/></svg>',
        '<svg><image xlink:href="//example.org/i.png"/></svg>',
        '<video poster="http://example.org/p.png"></video>',
        '<img srcset="data:image/png;base64,AA 1x, http://example.org/2x.png 2x" alt="">',
        '<div style="background-image: url(http://example.org/bg.png)">x</div>',
        '<style>.a { background: image-set("x.png" 1x) }</style>',
        '<a ping="http://example.org/ping" href="#x">x</a>',
        '<iframe src="data:text/html,x"></iframe>',
        '<meta http-equiv="refresh" content="0;url=http://example.org/">',
        '<object data="http://example.org/o"></object>',
        '<base href="http://example.org/">',
    ],
)
def test_check_offline_catches_network_requests(snippet):
    with pytest.raises(ReportError, match="network"):
        export.check_offline(f"<html><head>{snippet}</head></html>")


def test_lab_css_links_no_web_fonts_or_stylesheets():
    import jupyter_core.paths

    sheets = [
        css
        for base in jupyter_core.paths.jupyter_path("nbconvert", "templates", "lab", "static")
        for css in Path(base).glob("*.css")
    ]
    assert sheets, "JupyterLab's template CSS was not found"
    found = [
        (css.name, hit)
        for css in sheets
        for hit in re.findall(
            r"@import|@font-face|url\(\s*[\"']?(?:https?:)?//", css.read_text(encoding="utf-8")
        )
    ]
    assert found == []


def test_lab_css_is_inlined_in_the_report(page):
    assert '<link rel="stylesheet"' not in page
    assert "--jp-content-font-family" in page and ".jp-RenderedHTMLCommon" in page


def test_add_toc_makes_unique_ids_and_skips_h3_before_the_first_h2():
    body = '<main id="main-content"><h1>T</h1><h3>Early</h3><h2>Notes</h2><h3 class="x">A &amp; B</h3><h2>Notes</h2></main>'
    out = export.add_toc(body)
    assert '<h2 id="notes">' in out and '<h2 id="notes-2" class="page-break">' in out
    assert '<h3 id="a-b" class="x">' in out
    nav = re.search(r"<nav.*</nav>", out, re.S).group(0)
    assert re.findall(r'href="#([^"]+)"', nav) == ["notes", "a-b", "notes-2"]
    assert "Early" not in nav
    assert "A &amp; B" in nav
    assert out.index("<nav") > out.index("</h1>") and out.index("<nav") < out.index(
        '<h2 id="notes">'
    )


def test_add_toc_without_sections_still_places_the_skip_target():
    out = export.add_toc('<main id="main-content"><p>Nothing</p></main>')
    assert "<nav" not in out
    assert '<main id="main-content"><div id="report-start" tabindex="-1"></div>' in out


def test_describe_cell_counts_cells_as_the_analyst_sees_them():
    nb = _notebook()
    index = next(i for i, c in enumerate(nb.cells) if "show_figure" in c.source)
    assert (
        export.describe_cell(nb, index)
        == 'cell 7 (section "Trend", first line `show_figure(fig, alt=...)`)'
    )


def test_write_figures_json_converts_numpy_and_nan(tmp_path):
    path = export.write_figures_json(
        {
            "report_month": "2020-09",
            "month": {"completed": np.int64(59), "pct": np.float64(0.1), "gap": float("nan")},
            "labels": ("a", "b"),
        },
        tmp_path,
    )
    assert path == tmp_path / "figures.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == {
        "report_month": "2020-09",
        "month": {"completed": 59, "pct": 0.1, "gap": None},
        "labels": ["a", "b"],
    }


# ---------------------------------------------------------------- colour contrast
def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_helper_matches_wcag_reference_values():
    assert _contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert _contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_report_colours_meet_wcag_aa():
    css = (TEMPLATES_DIR / export.TEMPLATE_NAME / "static" / "report.css").read_text(
        encoding="utf-8"
    )
    colours = dict(re.findall(r"--report-([a-z-]+):\s*(#[0-9a-fA-F]{6})", css))
    backgrounds = ["#ffffff", colours["panel"]]
    for name in ("text", "muted", "link", "link-visited"):  # text: 4.5:1 (1.4.3)
        for bg in backgrounds:
            assert _contrast(colours[name], bg) >= 4.5, (name, bg)
    for name in ("rule", "verdict", "note", "warning"):  # borders that carry meaning: 3:1 (1.4.11)
        for bg in backgrounds:
            assert _contrast(colours[name], bg) >= 3.0, (name, bg)
    assert _contrast("#0b0c0c", colours["focus"]) >= 4.5  # focused link text on the focus colour


def test_written_notebook_round_trips(tmp_path):
    path = tmp_path / "nb.ipynb"
    nbformat.write(_notebook(), path)
    export.export_html(path, tmp_path / "r.html", title="T", footer=FOOTER)
    assert 'alt="' + ALT in (tmp_path / "r.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "snippet",
    [
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
        "<body onload=alert(1)>",
        "<details open ontoggle=alert(1)>",
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    ],
)
def test_check_offline_catches_scripts(snippet):
    with pytest.raises(ReportError, match=r"script|data: URL"):
        export.check_offline(f"<html><body>{snippet}</body></html>")


def test_check_offline_accepts_what_a_report_holds():
    export.check_offline(
        f"<html><head>{export.CSP_META}<style>.a{{background:url(data:image/png;base64,AA)}}"
        '</style></head><body><a href="#top">top</a><a href="https://example.org/x">web</a>'
        '<a href="2020-09/audit-highlights-2020-09.html">month</a>'
        '<img src="data:image/png;base64,AA" alt="chart"></body></html>'
    )


def test_the_sanitiser_keeps_the_report_and_drops_everything_else():
    kept = (
        '<nav class="report-toc" aria-labelledby="t"><a href="#s">S</a></nav>'
        '<table class="audit-table"><caption id="c">Teams</caption><tr><th scope="col">n</th></tr></table>'
        '<figure class="report-figure"><img src="data:image/png;base64,AA" alt="A chart" width="10">'
        "<figcaption>Caption</figcaption></figure>"
    )
    cleaned = export.sanitise_fragment(kept)
    for piece in ('aria-labelledby="t"', 'scope="col"', 'alt="A chart"', "data:image/png", "#s"):
        assert piece in cleaned
    hostile = export.sanitise_fragment(
        "<script>x()</script><img src=http://e/x.png onerror=y()><a href='javascript:z()'>a</a>"
        "<a href='mailto:a@b.org'>m</a><a href='https://ok.example/'>ok</a><style>p{}</style>"
        "<iframe src=x></iframe><svg><image href=http://e/i.png /></svg><p style='color:red'>p</p>"
    )
    assert "<script" not in hostile and "x()" not in hostile and "onerror" not in hostile
    assert "javascript" not in hostile and "mailto" not in hostile and "http://e" not in hostile
    assert "<iframe" not in hostile and "<svg" not in hostile and "style=" not in hostile
    assert 'href="https://ok.example/"' in hostile


def test_markdown_shows_html_in_the_text_as_text():
    html = export.render_markdown(
        "## Team <script>alert(1)</script>\n\n- “<img src=x onerror=y>” [x](javascript:alert(1))"
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img" not in html and "&lt;img src=x onerror=y&gt;" in html
    assert 'href="javascript' not in html


def test_every_report_carries_the_content_security_policy(page):
    head = page[: page.index("<body")]
    assert "Content-Security-Policy" in head
    for directive in (
        "default-src 'none'",
        "img-src data:",
        "script-src 'none'",
        "frame-src 'none'",
    ):
        assert directive in head
    assert head.index("Content-Security-Policy") < head.index("<style")


def _parser_walk(page: str) -> str:
    """The offline check by html.parser alone (what every page got before the fast read)."""
    check = export._OfflineCheck()
    check.feed(page)
    check.close()
    return check.problem


OFFLINE_PAGES = [
    # Plain markup with something to refuse: the fast read must not call any of it clean.
    '<html><head><style>@import url(x.css);</style></head><body><p class="a">x</p></body></html>',
    '<html><body><div title="javascript:alert(1)">x</div></body></html>',
    '<html><body><p>x</p><img src="http://example.org/x.png" alt="x"></body></html>',
    '<html><body><a href="data:text/html,x">x</a></body></html>',
    '<html><body><div style="background: url(//cdn.example/bg.png)">x</div></body></html>',
    '<html><body><td class="num">1</td><td class="num" onclick="x()">2</td></body></html>',
    '<html><head><meta http-equiv="refresh" content="0"></head></html>',
    "<html><head><style/>body { background: url(http://example.org/x) }</head></html>",
    '<html><head><style>a{}</style><style>b { background: url("http://x/y") }</style></head></html>',
    "<html><head><STYLE>a { background: url(http://x/y) }</STYLE></head></html>",
    '<html><head><title>javascript:x</title><link rel="icon" href="x.ico"></head></html>',
    '<html><body><svg><image href="http://example.org/i.png"/></svg></body></html>',
    '<html><body><p title="a>b" onclick="x()">q</p></body></html>',
    # Markup the fast read leaves to the parser (it walks it as before).
    "<html><body><img src=x onerror=alert(1)></body></html>",
    "<html><body><!-- a -- > <img src=http://x> --></body></html>",
    "<html><body><p>a < b</p><img src='http://x'></body></html>",
    # Clean pages.
    f"<!DOCTYPE html>\n<html><head>{export.CSP_META}<title>T &amp; x</title>"
    "<style>.a{background:url(data:image/png;base64,AA)}</style></head>"
    '<body><a href="#top">top</a><a href="https://example.org/?a=1&amp;b=2">web</a>'
    '<img src="data:image/png;base64,AA" alt="chart"><br><br/><!-- note --></body></html>',
]


@pytest.mark.parametrize("page", OFFLINE_PAGES)
def test_the_offline_check_finds_what_the_parser_finds(page):
    assert export._OfflineCheck.first_problem(page) == _parser_walk(page)


def test_a_report_page_is_read_clean_without_the_parser(page, monkeypatch):
    clean = export.sanitise_page(page)
    assert export._OfflineCheck._certainly_clean(clean)
    assert _parser_walk(clean) == ""


PAYLOAD = base64.b64encode(bytes(range(256)) * 3).decode()


@pytest.mark.parametrize(
    "fragment",
    [
        f'<p>x</p><img src="data:image/png;base64,{PAYLOAD}" alt="a"><img src="data:image/png;base64,AA">',
        f'<img src="data:image/png;base64,{PAYLOAD}\n" alt="newline kept">',
        f"<p>In text: data:image/svg+xml;base64,{PAYLOAD} and again data:image/png;base64,{PAYLOAD}</p>",
        f'<a href="data:image/png;base64,{PAYLOAD}" title="data:image/png;base64,{PAYLOAD}">x</a>',
        f'<script>var s = "data:image/png;base64,{PAYLOAD}";</script><p onclick="x()">y</p>',
        f'<img src="DATA:IMAGE/PNG;BASE64,{PAYLOAD}" alt="upper case"><img src="http://x/{PAYLOAD}">',
        f"<xmp><b>data:image/png;base64,{PAYLOAD}</b></xmp><!-- data:image/png;base64,{PAYLOAD} -->",
    ],
)
def test_setting_image_payloads_aside_does_not_change_what_the_sanitiser_writes(
    fragment, monkeypatch
):
    fast = export.sanitise_fragment(fragment)
    monkeypatch.setattr(export, "_IMAGE_PAYLOAD_RE", re.compile(r"(?!)(x)(y)"))  # nothing aside
    assert fast == export.sanitise_fragment(fragment)


def test_a_report_page_is_sanitised_the_same_with_its_payloads_set_aside(page, monkeypatch):
    fast = export.sanitise_page(page)
    assert fast.count(";base64,") == page.count(";base64,") > 0  # the charts are kept
    monkeypatch.setattr(export, "_IMAGE_PAYLOAD_RE", re.compile(r"(?!)(x)(y)"))
    assert fast == export.sanitise_page(page)
