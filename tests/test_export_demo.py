"""Every demo report's executed notebook exports to the same page by auditlib's fast paths
(:mod:`auditlib.publish.direct` in place of nbconvert's Jinja template,
:mod:`auditlib.publish.soup` in place of its BeautifulSoup pass) as by nbconvert's own,
under both disclosure profiles; and each report's tables were written from the same tidy
rows figures.json holds."""

from __future__ import annotations

import copy
import csv
import json

import nbformat
import pytest

from auditlib.publish import export, soup
from auditlib.report import tidy
from tests.rendered import PROFILES, XDIST_GROUP, RenderedReports, demo_reports

pytestmark = [pytest.mark.slow, XDIST_GROUP]

FOOTER = export.ReportFooter(input_hash="0123abcd" * 8, contact="Audit Manager, Example Council")


@pytest.fixture(scope="session")
def reports(tmp_path_factory: pytest.TempPathFactory) -> RenderedReports:
    return demo_reports(tmp_path_factory)


def test_every_demo_report_exports_as_nbconvert_would(reports, monkeypatch):
    original = soup.reserialise
    fell_back: list[str] = []
    for profile in PROFILES:
        for month in reports.months:
            nb = nbformat.read(reports.notebook(profile, month), as_version=4)
            title = f"Audit Highlights Report – {month} – Example Council"
            with monkeypatch.context() as patch:
                patch.setattr(
                    soup,
                    "reserialise",
                    lambda page, m=f"{profile} {month}": original(page) or fell_back.append(m),
                )
                fast = export.render_html(nb, title=title, footer=FOOTER)
            with monkeypatch.context() as patch:
                patch.setattr(soup, "reserialise", lambda page: None)
                slow = export.render_html(nb, title=title, footer=FOOTER)
            assert fast == slow, f"{profile} {month}"
    assert not fell_back, f"the fast path fell back for {fell_back}"


def test_every_demo_report_is_written_directly_as_the_template_writes_it(reports):
    exporter = export._exporter()
    for profile in PROFILES:
        for month in reports.months:
            nb = nbformat.read(reports.notebook(profile, month), as_version=4)
            nb.metadata["title"] = title = f"Audit Highlights Report – {month}"
            resources = {
                "metadata": {"name": title},
                "auditlib": {**FOOTER.as_resources(), "csp": export.CONTENT_SECURITY_POLICY},
            }
            written = exporter.render_directly(nb, copy.deepcopy(resources))
            assert written is not None, f"{profile} {month}"
            assert written == exporter.render_template(nb, resources), f"{profile} {month}"


def test_every_table_csv_holds_the_rows_figures_json_holds(reports):
    for profile in PROFILES:
        for month in reports.months:
            figures = json.loads(reports.figures(profile, month).read_text(encoding="utf-8"))
            folder = reports.month_dir(profile, month) / "tables"
            assert sorted(p.stem for p in folder.glob("*.csv")) == sorted(figures["tables"])
            for name, rows in figures["tables"].items():
                with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
                    written = list(csv.DictReader(handle))
                assert [r["table"] for r in written] == [name] * len(rows)
                assert [r["value"].removeprefix("'") for r in written] == [
                    row["value"] for row in rows
                ]
                assert [r["number"] for r in written] == [
                    "" if row["number"] is None else str(row["number"]) for row in rows
                ]
                assert list(written[0]) == list(tidy.COLUMNS) if written else True
