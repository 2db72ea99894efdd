"""The real monthly notebook, executed: HTML quality, figures shown = figures.json = library.

Two months are rendered once per session: September 2020 (the seed's last month)
and June 2020 (the first month after the COVID-19 pause).
"""

from __future__ import annotations

import html as htmllib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from auditlib.analysis.rounding import round_half_up
from auditlib.data.pipeline import load_audit_data
from auditlib.disclosure import apply_to_figures
from auditlib.paths import DEMO_DATA_DIR, NOTEBOOKS_DIR
from auditlib.publish.runner import run_months
from auditlib.report import monthly, tidy
from auditlib.report.figures import build_figures

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("monthly-notebook")]
NOTEBOOK = NOTEBOOKS_DIR / "monthly_highlights.ipynb"
MONTHS = ["2020-06", "2020-09"]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("outputs")
    summary = run_months(MONTHS, NOTEBOOK, DEMO_DATA_DIR, out, jobs=2, progress=False)
    assert summary.exit_code == 0, summary.describe()
    return out


def html_of(out: Path, month: str) -> str:
    return (out / month / f"audit-highlights-{month}.html").read_text(encoding="utf-8")


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'src="data:[^"]*"', "", page)
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize("month", MONTHS)
def test_outputs_are_written(rendered, month):
    folder = rendered / month
    # The report's files, and auditlib's hidden ownership marker.
    assert sorted(p.name for p in folder.iterdir()) == [
        ".auditlib-report",
        f"audit-highlights-{month}.html",
        f"audit-highlights-{month}.ipynb",
        "build.json",
        "figures.json",
        "tables",
    ]
    # Every table the report shows, as tidy CSV and in figures.json, under the same names.
    figures = json.loads((folder / "figures.json").read_text(encoding="utf-8"))
    csvs = sorted(p.stem for p in (folder / "tables").glob("*.csv"))
    assert csvs == sorted(figures["tables"]) and len(csvs) >= 8
    assert {"judgements_by_month", "cohorts", "domains", "team_compliance"} <= set(csvs)
    index = (rendered / "index.html").read_text()
    assert f"{month}/audit-highlights-{month}.html" in index


@pytest.mark.parametrize("month", MONTHS)
def test_html_is_offline_code_free_and_accessible(rendered, month):
    page = html_of(rendered, month)
    assert not re.search(r"<script[^>]+src=[\"']?https?:", page, re.I)
    assert not re.search(r"<link[^>]+href=[\"']?https?:", page, re.I)
    assert not re.search(r"(src|href)=[\"']https?://", page, re.I)
    assert "Traceback" not in page
    assert not re.search(r'class="[^"]*\b(jp-InputArea|jp-InputPrompt|jp-OutputPrompt)\b', page)
    assert "monthly.prepare" not in page and "show_blocks(" not in page  # no code
    assert "injected-parameters" not in page and "report_month =" not in page
    images = re.findall(r"<img\b[^>]*>", page)
    assert len(images) >= 6
    for img in images:
        alt = re.search(r'alt="([^"]*)"', img)
        assert alt and len(alt.group(1)) > 40, img[:120]
        assert "No description has been provided" not in alt.group(1)
    assert '<html lang="en-GB"' in page
    assert page.count("<h1") == 1
    assert "<caption" in page and 'scope="col"' in page


@pytest.mark.parametrize("month", MONTHS)
def test_figures_json_equals_the_library_figures(rendered, month):
    written = json.loads((rendered / month / "figures.json").read_text())
    # The tables section holds the tables as shown (tested against the HTML elsewhere).
    assert written.pop("tables")
    assert written.pop("statements")
    data = load_audit_data(DEMO_DATA_DIR)
    expected = build_figures(data, month)
    expected["disclosure"] = data.programme.disclosure
    # the statistics sections come from the month's context (its cached results)
    expected |= monthly.prepare(month, DEMO_DATA_DIR).statistics_figures
    expected = json.loads(json.dumps(apply_to_figures(expected, data.programme.disclosure)))
    assert written == expected


@pytest.mark.parametrize("month", MONTHS)
def test_figures_shown_equal_figures_json(rendered, month):
    f = json.loads((rendered / month / "figures.json").read_text())
    text = " ".join(visible_text(html_of(rendered, month)).split())
    p, mo = f["programme"], f["month"]
    assert (
        f"{p['allocated']:,} children's cases have been allocated for audit. "
        f"Of these, {p['completed']:,} audits have been completed: "
        f"an overall compliance rate of {round_half_up(p['compliance_pct'])}%"
    ) in text
    assert (
        f"{p['reaudits_allocated']:,} re-audits have been allocated and {p['reaudits_completed']:,} completed, "
        f"giving an overall re-audit compliance rate of {round_half_up(p['reaudit_compliance_pct'])}%"
    ) in text
    label = f["report_month_label"]
    assert (
        f"In {label}, {mo['allocated']:,} audits were allocated and {mo['completed']:,} completed "
        f"({round_half_up(mo['compliance_pct'])}%)"
    ) in text
    pct = {k: round_half_up(v) for k, v in mo["judgements_pct"].items()}
    assert (
        f"{round_half_up(mo['good_or_better_pct'])}% were judged Good or better, "
        f"{pct['Requires Improvement']}% Requires Improvement and {pct['Inadequate']}% Inadequate"
    ) in text
    # every month of the trend table: "count (pct%)" for each label, as figures.json says
    for entry in f["trend"]:
        if entry["state"] != "audited":
            continue
        for label_name, count in entry["judgements"].items():
            assert f"{count:,} ({round_half_up(entry[label_name])}%)" in text, (
                entry["month"],
                label_name,
            )


def test_seed_figures_appear_in_the_september_report(rendered):
    text = " ".join(visible_text(html_of(rendered, "2020-09")).split())
    for fragment in (
        "1,632 children's cases",
        "1,298 audits have been completed",
        "compliance rate of 80%",
        "456 re-audits",
        "361 completed",
        "re-audit compliance rate of 79%",
        "7% of cases audited in September 2020 and 15% in August 2020 were judged Inadequate",
        "July/August 2019",
    ):
        assert fragment in text


def test_first_month_after_the_pause_compares_with_february(rendered):
    text = " ".join(visible_text(html_of(rendered, "2020-06")).split())
    assert "Compared with February 2020" in text
    assert "paused from March to May 2020" in text


def test_executed_notebook_keeps_its_parameters_and_has_no_errors(rendered):
    nb = nbformat.read(rendered / "2020-06" / "audit-highlights-2020-06.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "2020-06" in injected[0].source
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error"


def test_committed_notebook_is_thin_and_clean():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for line in tagged[0].source.splitlines():
        assert re.match(r"^\w+: \w+ = .+  # .+$", line), line
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None
            assert "def " not in cell.source and "import pandas" not in cell.source
            assert len(cell.source.splitlines()) <= 5


def test_papermill_runs_the_notebook_directly(tmp_path):
    out = tmp_path / "out.ipynb"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            str(NOTEBOOK),
            str(out),
            "-p",
            "report_month",
            "2020-08",
            "-p",
            "output_dir",
            str(tmp_path),
            "--kernel",
            "python3",
            "--no-progress-bar",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,  # not the repository: paths come from the package
    )
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads((tmp_path / "figures.json").read_text())
    assert figures["report_month"] == "2020-08"
    assert round_half_up(figures["month"]["judgements_pct"]["Inadequate"]) == 15


def test_notebook_runs_top_to_bottom_with_its_defaults_in_a_fresh_kernel(tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    shown = json.dumps([c.get("outputs", []) for c in nb.cells], ensure_ascii=False)
    assert "Audit Highlights Report – September 2020" in shown


def test_a_failing_month_keeps_the_previous_report_and_says_why(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DEMO_DATA_DIR, data)
    out = tmp_path / "outputs"
    first = run_months(["2020-09"], NOTEBOOK, data, out, jobs=1, progress=False)
    assert first.exit_code == 0
    report = out / "2020-09" / "audit-highlights-2020-09.html"
    before = report.read_bytes()

    audits = data / "audits.csv"
    lines = audits.read_text().splitlines()
    header = lines[0].split(",")
    row = lines[5].split(",")
    row[header.index("overall_judgement")] = "Adequate"
    lines[5] = ",".join(row)
    audits.write_text("\n".join(lines) + "\n")

    second = run_months(["2020-09"], NOTEBOOK, data, out, jobs=1, progress=False)
    assert second.exit_code == 1
    message = second.failed[0].message
    assert "2020-09" in message
    assert "Adequate" in message and "row 6" in message and "overall_judgement" in message
    assert "Traceback" not in message
    assert report.read_bytes() == before  # the previous good report is untouched
    assert not list(out.glob(".tmp-*"))


def test_report_command_refuses_bad_data_before_running_any_month(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DEMO_DATA_DIR, data)
    (data / "audits.csv").write_text(
        (data / "audits.csv").read_text().replace(",completed,", ",finished,", 1)
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "auditlib",
            "report",
            "--all",
            "--data",
            str(data),
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "unknown status" in result.stderr and "'finished'" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "o").exists()


def test_an_analysts_own_cells_land_in_the_html(tmp_path):
    """A section added with the library's blocks, and a chart drawn with plain pandas and
    matplotlib (``df.plot(); plt.show()``), both come out in the HTML report: the chart as
    an image with alt text from its own title and labels, not as "<Figure size …>"."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "from auditlib.report.blocks import Heading, Markdown\n"
            'show_blocks([Heading("For the director"), Markdown("Audits by area, as asked.")])'
        )
    )
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "import matplotlib.pyplot as plt\n"
            "ax = ctx.month_audits.groupby('area').size().plot.bar(title='Audits by area')\n"
            "ax.set_xlabel('Area'); ax.set_ylabel('Audits')\n"
            "plt.show()"
        )
    )
    notebook = tmp_path / "nb" / "monthly_highlights.ipynb"
    notebook.parent.mkdir()
    nbformat.write(nb, notebook)
    out = tmp_path / "out"
    summary = run_months(["2020-09"], notebook, DEMO_DATA_DIR, out, jobs=1, progress=False)
    assert summary.exit_code == 0, summary.describe()
    page = html_of(out, "2020-09")
    assert "For the director" in page and "Audits by area, as asked." in page
    assert "&lt;Figure size" not in page and "<Figure size" not in page
    alt = "Chart: Audits by area. Audits (vertical axis) against Area (horizontal axis)."
    assert f'alt="{alt}"' in page


@pytest.mark.parametrize("month", MONTHS)
def test_tables_in_figures_json_are_the_tables_shown(rendered, month):
    """figures.json's tables (and so tables/*.csv) hold each HTML table cell for cell."""
    page = html_of(rendered, month)
    written = json.loads((rendered / month / "figures.json").read_text())["tables"]
    shown = {}
    for caption, body in re.findall(
        r"<caption[^>]*>(.*?)</caption>.*?<tbody>(.*?)</tbody>", page, re.S
    ):
        rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
        cells = [
            [
                htmllib.unescape(c).strip()
                for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
            ]
            for row in rows
        ]
        shown[htmllib.unescape(caption)] = cells
    assert len(shown) >= len(written) >= 8
    trend = written["judgements_by_month"]
    caption = next(c for c in shown if c.startswith("Overall judgements by month"))
    html_rows = shown[caption]
    columns = list(dict.fromkeys(r["column"] for r in trend))
    for html_row in html_rows:
        label, values = html_row[0], html_row[1:]
        tidy_values = [r["value"] for r in trend if r["row"] == label]
        assert tidy_values == values[: len(columns)], label


def _numbers_of(value) -> set[float]:
    """Every number in a figures.json value: numbers themselves, numbers written in its
    strings (and in its keys: months), recursively."""
    found: set[float] = set()
    if isinstance(value, bool) or value is None:
        return found
    if isinstance(value, int | float):
        found.add(round(float(value), 6))
    elif isinstance(value, str):
        found.update(round(float(n), 6) for n in tidy.numbers_in(value))
    elif isinstance(value, dict):
        for key, item in value.items():
            found |= _numbers_of(str(key)) | _numbers_of(item)
    elif isinstance(value, list):
        for item in value:
            found |= _numbers_of(item)
    return found


@pytest.mark.parametrize("month", MONTHS)
def test_every_number_on_the_page_is_in_figures_json(rendered, month):
    """A reader can find every number the report's page states in its figures.json."""
    figures = json.loads((rendered / month / "figures.json").read_text(encoding="utf-8"))
    known = _numbers_of(figures)
    page = html_of(rendered, month)
    # The page's footer is its production stamp (when this HTML was made): its version and
    # input hash are figures.json's, its clock time is not a figure of the report.
    (footer,) = re.findall(r'<footer class="report-footer">.*?</footer>', page, re.S)
    assert figures["input_hash"] in footer and figures["auditlib_version"] in footer
    text = " ".join(visible_text(page.replace(footer, "")).split())
    shown = tidy.numbers_in(text)
    assert len(shown) > 300  # the page is full of numbers
    missing = sorted({n for n in shown if round(float(n), 6) not in known})
    assert missing == [], [
        text[max(0, m.start() - 60) : m.end() + 20]
        for m in tidy.NUMBER_IN_TEXT_RE.finditer(text)
        if tidy.numbers_in(m.group())[0] in missing
    ][:12]
    # Not trivially so: the statements carry the numbers of the narrative, in order.
    statements = figures["statements"]
    key_messages = [s for s in statements if s["section"] == "key-messages" and s["kind"] == "text"]
    assert key_messages and all(s["numbers"] == tidy.numbers_in(s["text"]) for s in statements)
    headline = figures["month"]
    assert any(headline["completed"] in s["numbers"] for s in statements)
