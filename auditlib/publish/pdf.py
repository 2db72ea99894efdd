"""The board-pack PDF of a report: the HTML printed to A4 by headless Chromium.

``auditlib report … --pdf`` writes ``audit-highlights-YYYY-MM.pdf`` beside the HTML. The
page layout is the report's own print stylesheet (``report.css``, ``@media print``): A4,
every table column on the page, no table row, chart or callout split across pages,
headings kept with what follows. For the PDF a copy of the page gets the report title in
the top margin and "Page N of M" in the bottom one (CSS page-margin boxes), and Chromium
keeps the links and adds a document outline (bookmarks) from the headings.

Printing is offline: the HTML has already passed the offline check, and Chromium runs
with every host name unresolvable, a proxy that goes nowhere, no scripts, no extensions
and a throw-away profile.

Chromium is the Debian package (``apt-get install chromium``, or ``python3 tasks.py
browser-deps``); ``AUDITLIB_CHROMIUM`` may name another Chrome or Chromium program.
Without it :func:`write_pdf` raises :class:`PdfError` saying how to install it; the
HTML report is unaffected (see :mod:`auditlib.publish.job`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Final

from auditlib.errors import ReportError

#: Environment variable naming the Chrome/Chromium program to print with.
CHROMIUM_ENV: Final = "AUDITLIB_CHROMIUM"
#: Programs tried in order when the variable is not set.
CHROMIUM_NAMES: Final = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: How to get Chromium, said whenever it is missing.
INSTALL_HINT: Final = (
    "Install Chromium with `python3 tasks.py browser-deps` (as root on Debian or Ubuntu) or "
    "`apt-get install chromium`, or set AUDITLIB_CHROMIUM to a Chrome or Chromium program."
)
#: Seconds one report may take to print (a demo month takes 2–4 s).
PRINT_TIMEOUT: Final = 180.0
#: The exit code of ``auditlib report --pdf`` when every HTML report was written but a PDF
#: was not (distinct from 1, "a report failed").
EXIT_PDF_MISSING: Final = 4
#: Chromium's switches: headless, offline, no scripts, nothing kept between runs.
CHROMIUM_ARGS: Final = (
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--mute-audio",
    # Offline while printing: no name resolves and every proxied request goes nowhere.
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--disable-javascript",
    # Our own margins (title and page numbers), not Chromium's date and file path.
    "--no-pdf-header-footer",
    "--generate-pdf-document-outline",
)
#: Text of the margin boxes (CSS Paged Media); the title is added per report.
MARGIN_FONT: Final = 'font: 8pt system-ui, "Segoe UI", Roboto, Arial, sans-serif; color: #484949;'


class PdfError(ReportError):
    """A PDF could not be made (the HTML report it would print is still written)."""


def find_chromium() -> Path | None:
    """The Chromium program to print with: ``$AUDITLIB_CHROMIUM``, else the first on PATH."""
    named = os.environ.get(CHROMIUM_ENV, "").strip()
    if named:
        found = shutil.which(named)
        return Path(found) if found else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def missing_chromium_message() -> str:
    """What to say when there is no Chromium to print with."""
    named = os.environ.get(CHROMIUM_ENV, "").strip()
    if named:
        return f"{CHROMIUM_ENV} names {named!r}, which is not a program that can be run. {INSTALL_HINT}"
    return f"Chromium is not installed, and the PDF is printed with it. {INSTALL_HINT}"


def margin_css(title: str) -> str:
    """The PDF's page-margin boxes: the title at the top left, "Page N of M" at the bottom right.

    >>> 'content: "Report \\\\"A\\\\" \\\\3C x"' in margin_css('Report "A" <x')
    True
    """
    return (
        "@media print { @page {"
        f" @top-left {{ content: {_css_string(title)}; {MARGIN_FONT} }}"
        f' @bottom-right {{ content: "Page " counter(page) " of " counter(pages); {MARGIN_FONT} }}'
        " } }"
    )


def print_copy(page: str, title: str) -> str:
    """The HTML Chromium prints: the report with its margin boxes added to the head."""
    style = f'<style type="text/css">{margin_css(title)}</style>'
    head_end = page.find("</head>")
    if head_end < 0:
        return style + page
    return page[:head_end] + style + page[head_end:]


def write_pdf(
    html_path: str | os.PathLike[str],
    pdf_path: str | os.PathLike[str],
    *,
    title: str,
    chromium: Path | None = None,
    timeout: float = PRINT_TIMEOUT,
) -> Path:
    """Print ``html_path`` to ``pdf_path`` (A4) with headless Chromium; returns ``pdf_path``.

    The PDF appears whole or not at all. Raises :class:`PdfError` with a plain message
    when Chromium is missing, fails or times out.
    """
    html_file, pdf_file = Path(html_path), Path(pdf_path)
    program = chromium or find_chromium()
    if program is None:
        raise PdfError(missing_chromium_message())
    page = html_file.read_text(encoding="utf-8")
    printable = html_file.with_name(f".print-{html_file.name}")
    partial = pdf_file.with_name(f".{pdf_file.name}.partial")
    profile = Path(tempfile.mkdtemp(prefix="auditlib-chromium-"))
    try:
        printable.write_text(print_copy(page, title), encoding="utf-8")
        command = [
            str(program),
            *CHROMIUM_ARGS,
            *(("--no-sandbox",) if _is_root() else ()),
            f"--user-data-dir={profile}",
            f"--print-to-pdf={partial}",
            printable.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise PdfError(
                f"Chromium did not finish printing {html_file.name} within {timeout:.0f} s."
            ) from None
        except OSError as exc:
            raise PdfError(
                f"Chromium ({program}) could not be started: {exc.strerror or exc}."
            ) from None
        if not _is_pdf(partial):
            said = _last_line(done.stderr)
            raise PdfError(
                f"Chromium ({program}) did not print {html_file.name} "
                f"(exit {done.returncode}{': ' + said if said else ''})."
            )
        os.chmod(partial, 0o644)
        os.replace(partial, pdf_file)
    finally:
        printable.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)
        shutil.rmtree(profile, ignore_errors=True)
    return pdf_file


def _css_string(text: str) -> str:
    """A CSS string literal that cannot close its rule or the style element."""
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("<", "\\3C ")
        .replace(">", "\\3E ")
        .replace("\n", " ")
        .replace("\r", " ")
    )
    return f'"{escaped}"'


def _is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(5) == b"%PDF-"
    except OSError:
        return False


def _is_root() -> bool:
    # Chromium refuses to start as root with its sandbox on (containers, CI).
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _last_line(text: str) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""
