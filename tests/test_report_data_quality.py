"""The monthly report's data-quality section: small tables of counts, the jump warning and
the notices, on the demo data, on a messy new month, and on folders that trigger each fact."""

from __future__ import annotations

import json
import shutil
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from auditlib.data import schema
from auditlib.disclosure import SUPPRESSED
from auditlib.paths import DEMO_DATA_DIR
from auditlib.publish.layout import FIGURES_FILE
from auditlib.report import monthly
from auditlib.report.blocks import Callout, Table, blocks_text, show_blocks
from auditlib.report.figures import JUMP_KIND
from auditlib.report.monthly import data_quality
from tests.test_figures import _with_a_messy_new_month

CORPUS = Path(__file__).parent / "data" / "corpus"
JUMP_PROGRAMME = """organisation: Test Council
start_month: 2020-01
pauses:
  - {from: 2020-06, to: 2020-06, reason: COVID-19 stay-at-home order}
"""
MERGES = "data_quality_name_merges"


@cache
def demo(month: str = "2020-09", disclosure: str = "internal") -> monthly.MonthContext:
    return monthly.prepare(month, DEMO_DATA_DIR, disclosure)


def tables(blocks) -> dict[str, Table]:
    return {b.name: b for b in blocks if isinstance(b, Table)}


def text(blocks) -> str:
    return " ".join(blocks_text(blocks).split())


def merged_rows_up_to(ctx: monthly.MonthContext) -> dict[tuple[str, str], int]:
    """Each merged spelling's rows among the audits of months up to the report month,
    counted from the cleaned audits' own row numbers."""
    audits = ctx.data.audits
    rows = set(audits.loc[audits[schema.AUDIT_MONTH] <= ctx.month, schema.SOURCE_ROW])
    counts = {(m.variant, m.winner): sum(r in rows for r in m.rows) for m in ctx.data.name_merges}
    return {key: n for key, n in counts.items() if n}


def test_the_demo_months_section_is_a_few_small_tables_not_a_wall_of_sentences():
    ctx = demo()
    blocks = data_quality.section(ctx)
    found = tables(blocks)
    assert list(found)[:3] == ["input_rows", "data_quality_warnings", MERGES]
    # Nothing is excluded in the demo, so there is no exclusions table (never an empty one).
    assert "data_quality_exclusions" not in found
    assert "Name variants merged" not in text(blocks)
    rows = found["input_rows"].frame
    assert rows.loc["audits.csv", "Read as"] == "CSV separated by commas"
    assert (
        rows.loc["audits.csv", "Rows read"] == f"{len(pd.read_csv(DEMO_DATA_DIR / 'audits.csv')):,}"
    )
    [warning] = found["data_quality_warnings"].frame.to_dict("records")
    assert warning["Warning"] == "completed with no judgement: kept, and counted as 'Not recorded'"
    assert int(warning["Count"]) == ctx.figures["data_quality"]["not_recorded"] == 28
    assert "auditlib validate" in found["data_quality_warnings"].note
    assert "28 warnings (the rows are kept)" in text(blocks)
    assert not [b for b in blocks if isinstance(b, Callout)]  # no jump, nothing left out


@pytest.mark.parametrize("month", ["2019-06", "2020-09"])
def test_the_merge_table_is_the_merges_of_the_months_up_to_the_report_month(month):
    ctx = demo(month)
    frame = tables(data_quality.section(ctx))[MERGES].frame
    shown = {
        (row["Spelling in the file"], row["Merged into"]): int(row["Rows"])
        for _, row in frame.reset_index().iterrows()
    }
    assert shown == merged_rows_up_to(ctx)
    assert set(frame["Column"]) == {"team"}
    if month == "2020-09":
        assert sum(shown.values()) == 21 and len(shown) == 12
    else:
        assert 0 < sum(shown.values()) < 21


def test_the_tables_are_written_to_figures_json_and_tables_csv(tmp_path):
    ctx = monthly.prepare("2020-09", DEMO_DATA_DIR, "internal")
    show_blocks(data_quality.section(ctx))
    ctx.save_figures(tmp_path)
    figures = json.loads((tmp_path / FIGURES_FILE).read_text(encoding="utf-8"))
    tidy = pd.read_csv(tmp_path / "tables" / f"{MERGES}.csv")  # one row per cell
    rows = tidy.loc[tidy["column"] == "Rows", "number"]
    assert len(rows) == len(figures["data_quality"]["name_merges"]) == 12
    assert rows.sum() == sum(m["rows"] for m in figures["data_quality"]["name_merges"]) == 21
    assert (tmp_path / "tables" / "data_quality_warnings.csv").exists()


@pytest.fixture(scope="module")
def messy(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dq") / "messy"
    assert _with_a_messy_new_month(folder) == "2020-10"
    return folder


def test_a_messy_new_month_shows_its_exclusion_and_new_spelling_only_in_its_own_report(messy):
    new = monthly.prepare("2020-10", messy, "internal")
    old = monthly.prepare("2020-09", messy, "internal")
    new_tables, old_tables = tables(data_quality.section(new)), tables(data_quality.section(old))
    exclusions = new_tables["data_quality_exclusions"].frame
    assert exclusions.reset_index().to_dict("records") == [
        {"File": "audits.csv", "Reason": "exact duplicate of an earlier row", "Rows": "1"}
    ]
    assert "data_quality_exclusions" not in old_tables
    new_merges = new_tables[MERGES].frame.reset_index()
    old_merges = old_tables[MERGES].frame.reset_index()
    added = set(new_merges["Spelling in the file"]) - set(old_merges["Spelling in the file"])
    [spelling] = added
    assert spelling == spelling.lower()
    assert new_merges.loc[new_merges["Spelling in the file"] == spelling, "Rows"].tolist() == ["1"]
    assert len(new_merges) == len(old_merges) + 1
    # The earlier report is what it was before the new month arrived.
    assert old_tables[MERGES].frame.equals(tables(data_quality.section(demo()))[MERGES].frame)
    warnings = new_tables["data_quality_warnings"].frame.reset_index()
    duplicate = warnings.loc[warnings["Warning"].str.startswith("exact duplicate")]
    assert duplicate["Count"].tolist() == ["1"]
    assert sum(int(n) for n in warnings["Count"]) == new.figures["data_quality"]["warnings"]


@pytest.fixture(scope="module")
def jump(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("jump") / "data"
    folder.mkdir()
    shutil.copy(CORPUS / "32_not_recorded_jump.csv", folder / "audits.csv")
    (folder / "programme.yml").write_text(JUMP_PROGRAMME, encoding="utf-8")
    return folder


@pytest.mark.filterwarnings("error::RuntimeWarning")  # a separated model is a note, not inf
def test_a_jump_is_a_warning_box_with_its_figures(jump):
    ctx = monthly.prepare("2020-05", jump, "internal")
    blocks = data_quality.section(ctx)
    [box] = [b for b in blocks if isinstance(b, Callout)]
    assert (box.kind, box.title) == ("warning", data_quality.JUMPS_TITLE)
    assert box.text.startswith("2020-05: 10 of 12 completed audits (83%) are Not recorded")
    assert "is the judgement column still mapped" in box.text
    kinds = tables(blocks)["data_quality_warnings"].frame.set_index("Warning")["Count"]
    assert kinds[JUMP_KIND] == "1"
    assert kinds["completed with no judgement: kept, and counted as 'Not recorded'"] == "10"
    dates = tables(blocks)["data_quality_date_readings"].frame
    assert dates.loc["audits.csv, due_date"].tolist() == [
        "day-first",
        "Settled by a value: '28/01/2020' (row 2) can only be day-first",
    ]
    assert dates.loc["audits.csv, allocated_date", "How it was decided"].startswith(
        "Like another date column of the file: like due_date in the same file"
    )
    # The month before has no jump: its report counts no jump warning (the jump is later).
    before = monthly.prepare("2020-04", jump, "internal")
    dq = before.figures["data_quality"]
    assert dq["judgement_jumps"] == [] and dq["warnings"] == 0
    assert not [b for b in data_quality.section(before) if isinstance(b, Callout)]


def test_the_published_profile_hides_the_jump_and_not_recorded_counts_the_trend_hides(jump):
    ctx = monthly.prepare("2020-05", jump, "published")
    # 10 Not recorded and 2 Inadequate of 12: the 2 is hidden, so the 10 is too.
    assert ctx.published_figures["month"]["judgements"][schema.NOT_RECORDED] == SUPPRESSED
    dq = ctx.published_figures["data_quality"]
    [figures_jump] = dq["judgement_jumps"]
    assert (figures_jump["count"], figures_jump["share"], figures_jump["completed"]) == (
        SUPPRESSED,
        SUPPRESSED,
        12,
    )
    assert figures_jump["tail_probability"] == SUPPRESSED
    assert dq["not_recorded"] == dq["warnings"] == SUPPRESSED
    blocks = data_quality.section(ctx)
    shown = text(blocks)
    assert "2020-05: [c] of 12 completed audits ([c]) are Not recorded" in shown
    assert "10 of 12" not in shown and "83%" not in shown
    kinds = tables(blocks)["data_quality_warnings"].frame.set_index("Warning")["Count"]
    assert kinds["completed with no judgement: kept, and counted as 'Not recorded'"] == SUPPRESSED
    assert "[c] completed audits had no judgement" in shown
    # The row counts of the files are not counts of children: shown as they are.
    assert tables(blocks)["input_rows"].frame.loc["audits.csv", "Rows read"] == "60"


def test_a_newer_export_and_a_left_out_file_are_notices(tmp_path):
    folder = tmp_path / "demo"
    shutil.copytree(DEMO_DATA_DIR, folder)
    _with_a_messy_new_month(tmp_path / "next")
    shutil.copy(tmp_path / "next" / "audits.csv", folder / "audits_2020-10.csv")
    feedback = (folder / "feedback.csv").read_text(encoding="utf-8").splitlines()
    header = feedback[0].split(",")
    cells = feedback[1].split(",")
    cells[header.index("source")] = "neighbour"
    feedback[1] = ",".join(cells)
    (folder / "feedback.csv").write_text("\n".join(feedback) + "\n", encoding="utf-8")
    ctx = monthly.prepare("2020-09", folder, "published")
    boxes = {b.title: b for b in data_quality.section(ctx) if isinstance(b, Callout)}
    assert set(boxes) == {data_quality.NEWER_TITLE, data_quality.LEFT_OUT_TITLE}
    newer = boxes[data_quality.NEWER_TITLE].text
    assert newer.startswith("audits_2020-10.csv looks like a newer audits export than audits.csv")
    assert "files: {audits: audits_2020-10.csv}" in newer
    left = boxes[data_quality.LEFT_OUT_TITLE].text
    assert left.startswith("feedback.csv could not be used (1 error, the first in row 2")
    assert "neighbour" not in left  # where the problem is, never the value
    dq = ctx.published_figures["data_quality"]
    assert [f["file"] for f in dq["left_out"]] == ["feedback.csv"]
    assert "neighbour" not in json.dumps(dq)
    assert dq["newer_exports"] == [newer]
