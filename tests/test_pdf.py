"""auditlib.publish.pdf and ``report --pdf``: the board-pack PDF, printed by headless Chromium.

The first tests put a stand-in ``chromium`` (a small script) in its place, to check what
auditlib asks of it and what happens when it fails. Those marked ``browser`` print real
demo reports with Debian's Chromium and read the PDF back with pypdf.
"""

from __future__ import annotations

import json
import re
import shutil
import stat
import sys
from pathlib import Path

import pytest

from auditlib.analysis.rounding import round_half_up
from auditlib.cli.main import main
from auditlib.publish import job, pdf, runner
from tests.rendered import XDIST_GROUP, RenderedReports, demo_reports
from tests.test_runner import DATA, NOTEBOOK, _fake_execute, _no_temporaries

TITLE = "Audit Highlights Report – September 2020 – Example Council"
CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is missing: run `python3 tasks.py browser-deps`"
)
#: A4 in PostScript points, as Chromium writes it (210 × 297 mm).
A4 = (595.0, 842.0)


def _fake_chromium(tmp_path: Path, body: str) -> Path:
    """A stand-in Chromium: a Python script; ``body`` runs with ``args`` and ``out`` set."""
    script = tmp_path / "fake-chromium"
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys, json, pathlib, time\n"
        "args = sys.argv[1:]\n"
        "out = next(a.split('=', 1)[1] for a in args if a.startswith('--print-to-pdf='))\n"
        f"pathlib.Path({str(tmp_path / 'args.json')!r}).write_text(json.dumps(args))\n" + body,
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


PRINTS = (
    "page = pathlib.Path(args[-1].removeprefix('file://')).read_text()\n"
    "pathlib.Path({where!r}).write_text(page)\n"
    "pathlib.Path(out).write_bytes(b'%PDF-1.7 stand-in')\n"
)


def _page(tmp_path: Path) -> Path:
    page = tmp_path / "report.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>R</title></head><body><p>Hello</p></body></html>",
        encoding="utf-8",
    )
    return page


# ---------------------------------------------------------------- what is asked of Chromium
def test_the_pdf_is_printed_offline_with_the_title_and_page_numbers(tmp_path):
    seen = tmp_path / "printed.html"
    chromium = _fake_chromium(tmp_path, PRINTS.format(where=str(seen)))
    out = pdf.write_pdf(_page(tmp_path), tmp_path / "report.pdf", title=TITLE, chromium=chromium)
    assert out.read_bytes().startswith(b"%PDF-")
    args = json.loads((tmp_path / "args.json").read_text())
    for switch in (
        "--headless",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=http://127.0.0.1:9",
        "--disable-javascript",
        "--no-pdf-header-footer",
    ):
        assert switch in args
    assert any(a.startswith("--user-data-dir=") for a in args)  # a throw-away profile
    printed = seen.read_text()
    assert f'@top-left {{ content: "{TITLE}"' in printed
    assert 'content: "Page " counter(page) " of " counter(pages)' in printed
    assert printed.index("@page") < printed.index("</head>")
    # Nothing but the PDF is left behind.
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "args.json",
        "fake-chromium",
        "printed.html",
        "report.html",
        "report.pdf",
    ]


def test_a_title_cannot_break_out_of_its_css_string():
    css = pdf.margin_css('Report "A" </style><script>x</script> \\ end')
    assert "</style>" not in css and "<script" not in css
    assert 'content: "Report \\"A\\" \\3C /style\\3E ' in css
    assert "\\\\ end" in css


def test_without_chromium_it_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setenv(pdf.CHROMIUM_ENV, str(tmp_path / "no-such-chromium"))
    assert pdf.find_chromium() is None
    with pytest.raises(pdf.PdfError) as info:
        pdf.write_pdf(_page(tmp_path), tmp_path / "report.pdf", title=TITLE)
    message = str(info.value)
    assert "python3 tasks.py browser-deps" in message and "apt-get install chromium" in message
    assert "no-such-chromium" in message
    assert not (tmp_path / "report.pdf").exists()


def test_a_chromium_that_fails_is_reported_and_leaves_nothing(tmp_path):
    chromium = _fake_chromium(
        tmp_path, "sys.stderr.write('warming up\\nno display\\n')\nsys.exit(3)\n"
    )
    with pytest.raises(pdf.PdfError, match=r"did not print report.html \(exit 3: no display\)"):
        pdf.write_pdf(_page(tmp_path), tmp_path / "report.pdf", title=TITLE, chromium=chromium)
    garbage = _fake_chromium(tmp_path, "pathlib.Path(out).write_text('not a pdf')\n")
    with pytest.raises(pdf.PdfError):
        pdf.write_pdf(_page(tmp_path), tmp_path / "report.pdf", title=TITLE, chromium=garbage)
    slow = _fake_chromium(tmp_path, "time.sleep(30)\n")
    with pytest.raises(pdf.PdfError, match="did not finish printing"):
        pdf.write_pdf(
            _page(tmp_path), tmp_path / "report.pdf", title=TITLE, chromium=slow, timeout=1
        )
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {"args.json", "fake-chromium", "report.html"}


# ---------------------------------------------------------------- in the publishing job
@pytest.fixture
def fake_kernel(monkeypatch):
    monkeypatch.setattr(job, "execute_notebook", _fake_execute)


def test_the_pdf_is_made_before_the_swap_so_the_folder_appears_whole(
    tmp_path, fake_kernel, monkeypatch
):
    seen = tmp_path / "printed.html"
    monkeypatch.setenv(
        pdf.CHROMIUM_ENV, str(_fake_chromium(tmp_path, PRINTS.format(where=str(seen))))
    )
    out = tmp_path / "out"
    html = runner.run_month(NOTEBOOK, "2020-09", DATA, out, pdf=True)
    files = sorted(p.name for p in html.parent.iterdir())
    assert files == [
        ".auditlib-report",  # auditlib's ownership marker
        "audit-highlights-2020-09.html",
        "audit-highlights-2020-09.ipynb",
        "audit-highlights-2020-09.pdf",
        "build.json",
        "figures.json",
    ]
    printed_from = json.loads((tmp_path / "args.json").read_text())[-1]
    assert "/.tmp-2020-09-" in printed_from  # printed inside the temporary folder
    assert "Audit Highlights Report – Fake month" in seen.read_text()
    assert _no_temporaries(out)


def test_a_failed_pdf_still_publishes_the_report_and_says_why(tmp_path, fake_kernel, monkeypatch):
    monkeypatch.setenv(pdf.CHROMIUM_ENV, str(_fake_chromium(tmp_path, "sys.exit(1)\n")))
    out = tmp_path / "out"
    with pytest.raises(pdf.PdfError) as info:
        runner.run_month(NOTEBOOK, "2020-09", DATA, out, pdf=True)
    assert "the HTML report was written" in str(info.value) and "not its PDF" in str(info.value)
    folder = out / "2020-09"
    assert {p.name for p in folder.iterdir()} == {
        ".auditlib-report",  # auditlib's ownership marker
        "audit-highlights-2020-09.html",
        "audit-highlights-2020-09.ipynb",
        "figures.json",
        "build.json",
    }
    assert not (out / "_failed").exists() and _no_temporaries(out)
    summary = runner.run_months(["2020-09"], NOTEBOOK, DATA, out, jobs=1, progress=False, pdf=True)
    assert summary.exit_code == pdf.EXIT_PDF_MISSING
    assert summary.results[0].ok and "not its PDF" in summary.describe()


def test_report_pdf_without_chromium_writes_the_html_and_exits_4(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv(pdf.CHROMIUM_ENV, str(tmp_path / "no-such-chromium"))
    asked = {}

    def fake_run_months(months, *args, pdf=False, **kwargs):
        asked.update(months=months, pdf=pdf)
        return runner.RunSummary([runner.MonthResult(months[0], True)])

    monkeypatch.setattr(runner, "run_months", fake_run_months)
    code = main(["report", "--month", "2020-09", "--out", str(tmp_path / "out"), "--pdf"])
    err = capsys.readouterr().err
    assert code == pdf.EXIT_PDF_MISSING
    assert asked == {"months": ["2020-09"], "pdf": False}  # the reports are still made
    assert "Chromium was not found, so the reports are written without PDFs" in err
    assert "python3 tasks.py browser-deps" in err and "The HTML reports were written." in err


# ---------------------------------------------------------------- real Chromium
@pytest.fixture(scope="session")
def rendered_reports(tmp_path_factory) -> RenderedReports:
    return demo_reports(tmp_path_factory)


@pytest.fixture(scope="module")
def printed(rendered_reports, tmp_path_factory) -> dict[str, Path]:
    if CHROMIUM is None:
        pytest.skip("Chromium is missing: run `python3 tasks.py browser-deps`")
    folder = tmp_path_factory.mktemp("pdf")
    return {
        profile: pdf.write_pdf(
            rendered_reports.html(profile, "2020-09"),
            folder / f"{profile}-2020-09.pdf",
            title=TITLE,
        )
        for profile in ("internal", "published")
    }


def _pages(path: Path) -> list[str]:
    pypdf = pytest.importorskip("pypdf", reason="pypdf is missing (pip install -e '.[dev]')")
    reader = pypdf.PdfReader(path)
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == A4, (width, height)
    return [page.extract_text() for page in reader.pages]


@needs_chromium
@pytest.mark.slow
@pytest.mark.browser
@XDIST_GROUP
def test_the_report_pdf_opens_on_a4_with_title_page_numbers_and_headline(printed, rendered_reports):
    figures = json.loads(rendered_reports.figures("internal", "2020-09").read_text())
    for profile, path in printed.items():
        pages = _pages(path)
        assert 8 <= len(pages) <= 40, (profile, len(pages))
        for number, text in enumerate(pages, start=1):
            assert TITLE in text and f"Page {number} of {len(pages)}" in text, (profile, number)
        text = " ".join(" ".join(pages).split())
        p, mo = figures["programme"], figures["month"]
        assert f"{p['allocated']:,} children's cases have been allocated for audit" in text
        assert f"{p['completed']:,} audits have been completed" in text
        assert f"overall compliance rate of {round_half_up(p['compliance_pct'])}%" in text
        assert f"re-audit compliance rate of {round_half_up(p['reaudit_compliance_pct'])}%" in text
        assert (
            f"{mo['allocated']} audits were allocated and {mo['completed']} completed "
            f"({round_half_up(mo['compliance_pct'])}%)" in text
        )
        assert ("[c]" in text) == (profile == "published")


@needs_chromium
@pytest.mark.slow
@pytest.mark.browser
@XDIST_GROUP
def test_no_trend_row_is_split_and_no_page_ends_on_a_heading(printed, rendered_reports):
    from bs4 import BeautifulSoup

    pages = _pages(printed["internal"])
    figures = json.loads(rendered_reports.figures("internal", "2020-09").read_text())
    labels = ("Outstanding", "Good", "Requires Improvement", "Inadequate", "Not recorded")
    for entry in figures["trend"]:
        if entry["state"] != "audited":
            continue
        cells = [f"{entry['judgements'][k]} ({round_half_up(entry[k])}%)" for k in labels]
        cells += [f"{entry['good_or_better']} ({round_half_up(entry['good_or_better_pct'])}%)"]
        row = " ".join([*cells, str(entry["completed"])])
        # Every cell of the row, the last column included, on one line of one page.
        assert sum(row in page for page in pages) == 1, (entry["month"], row)
    html = rendered_reports.html("internal", "2020-09").read_text(encoding="utf-8")
    headings = {
        " ".join(h.get_text(" ").split())
        for h in BeautifulSoup(html, "html.parser").find_all(["h2", "h3"])
    }
    for number, text in enumerate(pages, start=1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        body = [line for line in lines if not re.fullmatch(r"Page \d+ of \d+", line)]
        body = [line for line in body if line != TITLE]
        assert body and body[-1] not in headings, (number, body[-1:])


@needs_chromium
@pytest.mark.browser
def test_links_are_kept_in_the_pdf(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    page = tmp_path / "links.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>L</title></head><body>'
        '<p><a href="#far">to the end</a> and <a href="https://example.org/x">a site</a></p>'
        '<div style="height: 3000px"></div><h2 id="far">The end</h2></body></html>',
        encoding="utf-8",
    )
    reader = pypdf.PdfReader(pdf.write_pdf(page, tmp_path / "links.pdf", title="Links"))
    links = [a.get_object() for p in reader.pages for a in p.get("/Annots") or []]
    uris = [link["/A"]["/URI"] for link in links if "/A" in link]
    assert uris == ["https://example.org/x"]
    assert [str(link["/Dest"]) for link in links if "/Dest" in link] == ["/far"]
    assert len(reader.pages) >= 2
