"""The broken and awkward input corpus (tests/data/corpus): each file's exact result."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from auditlib.data.validation import format_problem_table, format_rows, validate_folder

CORPUS = Path(__file__).parent / "data" / "corpus"
PROGRAMME = """organisation: Test Council
start_month: 2020-01
pauses:
  - {from: 2020-06, to: 2020-06, reason: COVID-19 stay-at-home order}
"""
XLSX_PROGRAMME = (
    PROGRAMME
    + """files: {audits: 14_local_columns.xlsx}
columns:
  audit_id: Audit Ref
  child_id: Child Ref
  audit_type: Type
  original_audit_id: Re-audit of
  audit_month: Programme Month
  allocated_date: Date Allocated
  due_date: Due
  completed_date: Date Completed
  status: Audit Status
  team: Team Name
  overall_judgement: Auditor Grade
  moderated_judgement: Moderated Grade
labels:
  status: {Complete: completed, Exemption agreed: exempt}
  judgement: {RI2G: Requires Improvement}
"""
)
UNKNOWN_JUDGEMENT = (
    "unknown judgement label (expected one of: Outstanding, Good, Requires Improvement, "
    "Inadequate; map local labels under 'labels:' in programme.yml)"
)
NOT_A_DATE = "not a date (expected day-first, e.g. 03/04/2020, or 2020-04-03)"
NOT_A_MONTH = "not a month (expected YYYY-MM, e.g. 2020-09)"
SAME_ID = (
    "the same audit_id is on rows 2, 4 with different details; keep one row per audit "
    "(re-audits have their own audit_id)"
)
NOT_RECORDED = "completed with no judgement: kept, and counted as 'Not recorded'"

#: file → exact problems (severity, row, column, value, reason) and (rows read, used, excluded)
EXPECTED = {
    "01_missing_required_column.csv": (
        [("error", None, "team", None, "required column is missing")],
        (3, 3, 0),
    ),
    "02_unknown_judgement.csv": (
        [("error", 3, "overall_judgement", "Adequate", UNKNOWN_JUDGEMENT)],
        (3, 3, 0),
    ),
    "03_unparseable_date.csv": (
        [("error", 2, "allocated_date", "31/02/2020", NOT_A_DATE)],
        (3, 3, 0),
    ),
    "04_day_first_dates.csv": ([], (3, 3, 0)),
    "05_completed_before_allocated.csv": (
        [("error", 2, "completed_date", "01/03/2020", "completed before it was allocated")],
        (3, 3, 0),
    ),
    "06_malformed_month.csv": (
        [
            ("error", 2, "audit_month", "2020-13", NOT_A_MONTH),
            ("error", 3, "audit_month", "Sept", NOT_A_MONTH),
        ],
        (3, 3, 0),
    ),
    "07_duplicate_id_conflict.csv": (
        [("error", 2, "audit_id", "A1", SAME_ID), ("error", 4, "audit_id", "A1", SAME_ID)],
        (3, 3, 0),
    ),
    "08_exact_duplicate_rows.csv": (
        [("warning", 4, None, None, "exact duplicate of row 2: excluded and counted")],
        (4, 3, 1),
    ),
    "09_unknown_original_audit.csv": (
        [("error", 4, "original_audit_id", "A999", "no audit has this audit_id")],
        (3, 3, 0),
    ),
    "10_completed_no_judgement.csv": (
        [("warning", 3, "overall_judgement", None, NOT_RECORDED)],
        (3, 3, 0),
    ),
    "11_unknown_status.csv": (
        [
            (
                "error",
                4,
                "status",
                "finished",
                "unknown status (expected one of: allocated, completed, extension, exempt, "
                "cancelled; map local labels under 'labels:' in programme.yml)",
            )
        ],
        (3, 3, 0),
    ),
    "12_cp1252_curly_quotes.csv": ([], (3, 3, 0)),
    "13_utf8_bom.csv": ([], (3, 3, 0)),
    "14_local_columns.xlsx": ([], (3, 3, 0)),
    "15_empty.csv": ([("error", None, None, None, "the file is empty (0 bytes)")], (0, 0, 0)),
    "16_header_only.csv": (
        [("error", None, None, None, "the file has a header but no data rows")],
        (0, 0, 0),
    ),
    "17_text_column_of_numbers.csv": ([], (3, 3, 0)),
    "18_changes_shape.csv": (
        [
            (
                "error",
                3,
                None,
                None,
                "the row has 13 fields but the header has 12 (the file changes shape here: "
                "a stray comma, or a column added part-way)",
            )
        ],
        (0, 0, 0),
    ),
    "19_label_variants.csv": ([], (3, 3, 0)),
    "20_blank_rows.csv": ([], (4, 3, 1)),
    "21_audit_in_paused_month.csv": (
        [
            (
                "error",
                3,
                "audit_month",
                "2020-06",
                "programme.yml says the programme was paused 2020-06 to 2020-06 "
                "(COVID-19 stay-at-home order), but this audit is in that month",
            )
        ],
        (3, 3, 0),
    ),
}


def make_folder(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    if name.endswith(".xlsx"):
        shutil.copy(CORPUS / name, folder / name)
        (folder / "programme.yml").write_text(XLSX_PROGRAMME)
    else:
        shutil.copy(CORPUS / name, folder / "audits.csv")
        (folder / "programme.yml").write_text(PROGRAMME)
    return folder


def test_corpus_has_at_least_15_files_and_each_has_an_expected_result():
    files = sorted(p.name for p in CORPUS.iterdir() if p.suffix in (".csv", ".xlsx"))
    assert len(files) >= 15
    assert files == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_gives_exactly_the_expected_problems(tmp_path, name):
    expected_problems, (read, used, excluded) = EXPECTED[name]
    report = validate_folder(make_folder(tmp_path, name))
    got = [(p.severity, p.row, p.column, p.value, p.reason) for p in report.data.problems]
    assert got == expected_problems
    rec = report.data.reconciliation["audits"]
    assert (rec.rows_read, rec.rows_used, rec.rows_excluded) == (read, used, excluded)
    assert rec.rows_read == rec.rows_used + rec.rows_excluded
    assert report.ok == all(p[0] != "error" for p in expected_problems)


def test_day_first_date_is_read_as_3_april(tmp_path):
    audits = validate_folder(make_folder(tmp_path, "04_day_first_dates.csv")).data.audits
    assert audits.loc[0, "allocated_date"] == pd.Timestamp("2020-04-03")
    assert audits.loc[0, "audit_month"] == "2020-04"


def test_cp1252_text_keeps_curly_quotes_and_pound_sign(tmp_path):
    audits = validate_folder(make_folder(tmp_path, "12_cp1252_curly_quotes.csv")).data.audits
    assert audits.loc[0, "team"] == "Children’s Services – £ Team"


def test_bom_does_not_hide_the_first_column(tmp_path):
    audits = validate_folder(make_folder(tmp_path, "13_utf8_bom.csv")).data.audits
    assert audits["audit_id"].tolist() == ["A1", "A2", "A3"]


def test_xlsx_local_columns_labels_and_excel_dates_are_mapped(tmp_path):
    data = validate_folder(make_folder(tmp_path, "14_local_columns.xlsx")).data
    audits = data.audits
    assert audits["status"].astype(str).tolist() == ["completed", "completed", "exempt"]
    assert audits["audit_month"].tolist() == ["2020-09"] * 3
    assert audits["completed_date"].iloc[1] == pd.Timestamp("2020-09-21")
    # A2: auditor said Good, moderator RI2G → final judgement Requires Improvement
    assert audits["final_judgement"].astype(str).tolist()[:2] == ["Requires Improvement"] * 2
    # The header was on the second row of the sheet, so data start on row 3.
    assert audits["source_row"].tolist() == [3, 4, 5]


def test_text_column_holding_numbers_stays_text(tmp_path):
    audits = validate_folder(make_folder(tmp_path, "17_text_column_of_numbers.csv")).data.audits
    assert audits.loc[0, "audit_id"] == "00123"
    assert audits.loc[0, "team"] == "42"


def test_label_variants_are_understood(tmp_path):
    audits = validate_folder(make_folder(tmp_path, "19_label_variants.csv")).data.audits
    assert audits["final_judgement"].astype(str).tolist() == [
        "Good",
        "Inadequate",
        "Requires Improvement",
    ]


def test_completed_without_judgement_is_counted_as_not_recorded(tmp_path):
    audits = validate_folder(make_folder(tmp_path, "10_completed_no_judgement.csv")).data.audits
    assert audits["final_judgement"].astype(str).tolist()[:2] == ["Good", "Not recorded"]


def test_format_rows_collapses_runs():
    assert format_rows([2, 3, 4, 7]) == "2–4, 7"
    assert format_rows(list(range(2, 40, 2)), limit=3) == "2, 4, 6 (and 16 more)"


def test_problem_table_names_file_row_column_value(tmp_path):
    report = validate_folder(make_folder(tmp_path, "02_unknown_judgement.csv"))
    table = format_problem_table(report.data.problems)
    line = table.splitlines()[2]
    for part in (
        "ERROR",
        "audits.csv",
        "3",
        "overall_judgement",
        "'Adequate'",
        "unknown judgement label",
    ):
        assert part in line


@pytest.mark.parametrize(
    ("name", "code"),
    [("02_unknown_judgement.csv", 1), ("15_empty.csv", 1), ("19_label_variants.csv", 0)],
)
def test_validate_command_exit_code_and_no_traceback(tmp_path, name, code):
    folder = make_folder(tmp_path, name)
    result = subprocess.run(
        [sys.executable, "-m", "auditlib", "validate", "--data", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == code
    assert "Traceback" not in result.stdout + result.stderr
    assert "error(s)" in result.stdout


def test_validate_command_plain_message_for_missing_programme(tmp_path):
    (tmp_path / "audits.csv").write_text("audit_id\n1\n")
    result = subprocess.run(
        [sys.executable, "-m", "auditlib", "validate", "--data", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "no programme.yml" in result.stderr
    assert "Traceback" not in result.stderr


def test_problems_csv_lists_every_problem_one_row_each(tmp_path):
    folder = make_folder(tmp_path, "07_duplicate_id_conflict.csv")
    out = tmp_path / "problems.csv"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "auditlib",
            "validate",
            "--data",
            str(folder),
            "--problems-csv",
            str(out),
        ],
        capture_output=True,
        check=False,
    )
    problems = pd.read_csv(out)
    assert problems["row"].tolist() == [2, 4]
    assert set(problems["column"]) == {"audit_id"}
