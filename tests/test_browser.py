"""The reports in a real browser: headless Chromium, network blocked, axe-core for WCAG 2.2 AA.

Each page (two months' reports under both disclosure profiles, and both index pages) is
opened from its file:// URL with every other request refused and recorded, console errors
and uncaught page errors recorded, then scanned by axe-core for the WCAG 2.0/2.1/2.2 A and
AA rules. A report must attempt no request, log no error and have no serious or critical
violation. One full-page screenshot is kept in the test's temporary folder.

Needs Debian's chromium and axe-core from npm: ``python3 tasks.py browser-deps`` installs
both; without them these tests are skipped with a message saying so. Playwright drives the
system Chromium (never a downloaded one: do not run ``playwright install``).
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.rendered import XDIST_GROUP, RenderedReports, demo_reports

pytestmark = [pytest.mark.slow, pytest.mark.browser, XDIST_GROUP]

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
ENABLE = "run `python3 tasks.py browser-deps` to enable the browser tests"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = ("serious", "critical")
#: Which reports to open: the first month (short trend, early programme) and the latest.
MONTHS = ("2018-11", "2020-09")
PROFILES = ("internal", "published")


@dataclass
class Visit:
    """What one page did in the browser."""

    name: str
    requests: list[str] = field(default_factory=list)  # attempted beyond the page itself
    console_errors: list[str] = field(default_factory=list)
    violations: list[dict[str, Any]] = field(default_factory=list)
    title: str = ""
    images: int = 0

    def blocking(self) -> list[str]:
        return [
            f"{self.name}: {v['impact']} {v['id']} ({v['help']}) at "
            + "; ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:3])
            for v in self.violations
            if v["impact"] in BLOCKING_IMPACTS
        ]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason=f"Playwright is missing (pip install -e '.[dev]'); {ENABLE}"
    )
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is missing: {ENABLE}")
    if not AXE.is_file():
        pytest.skip(f"axe-core is missing ({AXE.relative_to(ROOT)}): {ENABLE}")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


def visit(browser: Any, path: Path, name: str, screenshot: Path | None = None) -> Visit:
    """Open ``path`` offline, record requests and errors, run axe-core; optionally screenshot."""
    result = Visit(name)
    own = path.resolve().as_uri()
    # axe-core is injected as a script, which the report's Content-Security-Policy forbids:
    # the policy is set aside here (the pages must still make no request and log no error
    # without it); tests/test_injection.py opens hostile pages with the policy in force.
    context = browser.new_context(service_workers="block", bypass_csp=True)

    def note(url: str) -> bool:
        """Record a request for anything but the page itself; True if it was one."""
        if url.split("#")[0] == own:
            return False
        if url[:120] not in result.requests:
            result.requests.append(url[:120])
        return True

    def route(request_route: Any) -> None:
        if note(request_route.request.url):
            request_route.abort()
        else:
            request_route.continue_()

    try:
        context.route("**/*", route)
        page = context.new_page()
        page.on(
            "console",
            lambda message: message.type == "error" and result.console_errors.append(message.text),
        )
        page.on("pageerror", lambda error: result.console_errors.append(str(error)))
        # Requests the router does not see (a data: URI is not a request at all).
        page.on("request", lambda request: note(request.url))
        page.goto(own, wait_until="load")
        page.wait_for_load_state("networkidle")
        result.title = page.title()
        result.images = page.locator("img").count()
        if screenshot is not None:
            page.screenshot(path=str(screenshot), full_page=True)
        page.add_script_tag(path=str(AXE))
        outcome = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
        )
        result.violations = outcome["violations"]
    finally:
        context.close()
    return result


@pytest.fixture(scope="session")
def rendered_reports(tmp_path_factory) -> RenderedReports:
    return demo_reports(tmp_path_factory)


@pytest.fixture(scope="module")
def visits(browser, rendered_reports, tmp_path_factory) -> list[Visit]:
    shots = tmp_path_factory.mktemp("browser")
    screenshot = shots / f"published-{MONTHS[-1]}-full-page.png"
    pages = [
        (rendered_reports.html(profile, month), f"{profile} {month}")
        for profile in PROFILES
        for month in MONTHS
    ]
    pages += [(rendered_reports.index(profile), f"{profile} index.html") for profile in PROFILES]
    found = []
    for path, name in pages:
        shot = screenshot if name == f"published {MONTHS[-1]}" else None
        found.append(visit(browser, path, name, shot))
    impacts = Counter(v["impact"] for visit in found for v in visit.violations)
    print(
        f"\nBrowser: {len(found)} pages; requests attempted {sum(len(v.requests) for v in found)}; "
        f"console errors {sum(len(v.console_errors) for v in found)}; axe violations by impact "
        f"{dict(impacts) or 'none'}.\nFull-page screenshot: {screenshot}"
    )
    return found


# ---------------------------------------------------------------- the harness can fail
def test_the_harness_sees_requests_errors_and_violations(browser, tmp_path):
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html><head><title>Bad</title><link rel="stylesheet" '
        'href="https://cdn.example.invalid/x.css"></head><body><main>'
        '<img src="https://images.example.invalid/chart.png">'
        "<script>console.error('boom')</script></main></body></html>",
        encoding="utf-8",
    )
    result = visit(browser, page, "bad")
    assert any("cdn.example.invalid" in url for url in result.requests)
    assert any("images.example.invalid" in url for url in result.requests)
    assert "boom" in result.console_errors
    ids = {v["id"]: v["impact"] for v in result.violations}
    assert ids.get("image-alt") == "critical"  # an image without alt text
    assert ids.get("html-has-lang") == "serious"


# ---------------------------------------------------------------- the reports
def test_reports_open_with_every_chart_and_a_title(visits):
    reports = [v for v in visits if "index" not in v.name]
    assert len(reports) == len(MONTHS) * len(PROFILES)
    for report in reports:
        assert report.title.startswith("Audit Highlights Report – "), report.name
        assert report.images >= 3, report.name  # charts are inline, and they load offline


def test_no_page_attempts_a_network_or_file_request(visits):
    found = [f"{v.name}: {url}" for v in visits for url in v.requests]
    assert not found, "\n".join(found)


def test_no_page_logs_a_console_error(visits):
    found = [f"{v.name}: {text}" for v in visits for text in v.console_errors]
    assert not found, "\n".join(found)


def test_no_serious_or_critical_accessibility_violation(visits):
    found = [line for v in visits for line in v.blocking()]
    assert not found, "\n".join(found)


# ---------------------------------------------------------------- fits any screen and the page
#: Phone, tablet and desktop widths (CSS pixels).
WIDTHS = (390, 768, 1280)
#: The printed page's content width in CSS pixels: A4 (210 mm) less report.css's 14 mm margins.
PRINT_WIDTH = round((210 - 2 * 14) / 25.4 * 96)
MEASURE = """() => {
  const wraps = [...document.querySelectorAll('.table-wrap')];
  const over = wraps.filter(w => w.scrollWidth > w.clientWidth + 1);
  const sticky = over.map(w => {
    w.scrollLeft = w.scrollWidth;  // scroll the table to its last column
    const left = w.getBoundingClientRect().left;
    const firsts = [...w.querySelectorAll('tr > :first-child')].map(
      c => Math.abs(c.getBoundingClientRect().left - left));
    const caption = w.querySelector('caption');
    return {caption: caption ? caption.textContent.slice(0, 40) : '',
            drift: Math.max(0, ...firsts),
            captionDrift: caption ? Math.abs(caption.getBoundingClientRect().left - left) : 0};
  });
  const pictures = [...document.querySelectorAll('figure img, svg.trend-chart')];
  return {
    page: document.documentElement.scrollWidth - window.innerWidth,
    tables: wraps.length,
    overflowing: over.map(w => (w.querySelector('caption') || w).textContent.slice(0, 40)),
    sticky,
    widePictures: pictures.filter(
      p => p.getBoundingClientRect().width > p.parentElement.getBoundingClientRect().width + 1
    ).length,
    pictures: pictures.length,
  };
}"""


def measure(browser: Any, path: Path, width: int, media: str = "screen") -> dict[str, Any]:
    """Open ``path`` at ``width`` CSS pixels (screen or print media) and measure its layout."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        context.route(
            "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
        )
        page = context.new_page()
        page.emulate_media(media=media)
        page.goto(path.resolve().as_uri(), wait_until="load")
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        return page.evaluate(MEASURE)
    finally:
        context.close()


@pytest.fixture(scope="module")
def layouts(browser, rendered_reports) -> dict[tuple[str, str, int], dict[str, Any]]:
    """The September 2020 report and the overview page, both profiles, at the three widths."""
    found = {}
    for profile in PROFILES:
        pages = {
            "report": rendered_reports.html(profile, MONTHS[-1]),
            "index": rendered_reports.index(profile),
        }
        for name, path in pages.items():
            for width in WIDTHS:
                found[(profile, name, width)] = measure(browser, path, width)
            found[(profile, name, PRINT_WIDTH)] = measure(browser, path, PRINT_WIDTH, "print")
    lines = [
        f"{p} {n} {w}px: {len(m['overflowing'])} of {m['tables']} tables scroll in their box"
        for (p, n, w), m in found.items()
    ]
    print("\nLayout:\n" + "\n".join(lines))
    return found


def test_no_page_scrolls_sideways_and_pictures_fit(layouts):
    for (profile, name, width), facts in layouts.items():
        assert facts["page"] <= 0, (profile, name, width, facts["page"])
        assert facts["widePictures"] == 0, (profile, name, width)
    assert all(layouts[(p, "report", 1280)]["pictures"] >= 3 for p in PROFILES)


def test_no_table_scrolls_sideways_at_desktop_width_or_in_print(layouts):
    for profile in PROFILES:
        for name in ("report", "index"):
            for width in (1280, PRINT_WIDTH):
                facts = layouts[(profile, name, width)]
                assert facts["tables"] >= 3, (profile, name)
                assert facts["overflowing"] == [], (profile, name, width)


def test_on_phones_and_tablets_wide_tables_scroll_with_their_first_column_in_view(layouts):
    for profile in PROFILES:
        phone = layouts[(profile, "report", 390)]
        # The demo report's trend table (eight columns) cannot fit a phone: it scrolls.
        assert any(c.startswith("Overall judgements by month") for c in phone["overflowing"])
        for width in (390, 768):
            for name in ("report", "index"):
                for table in layouts[(profile, name, width)]["sticky"]:
                    assert table["drift"] <= 1, (profile, name, width, table)
                    assert table["captionDrift"] <= 1, (profile, name, width, table)
