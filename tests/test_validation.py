"""The broken and awkward input corpus (tests/data/corpus): each file's exact result."""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from auditlib import cli
from auditlib.data.validation import (
    format_problem_table,
    format_rows,
    likely_cause,
    summarise_problems,
    validate_folder,
)

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
MIXED_ORDERS = (
    "not a date when read day-first (it reads only as month-first: the column mixes "
    "day-first and month-first dates)"
)
HEADERS = (
    "audit_id, child_id, audit_type, original_audit_id, audit_month, allocated_date, "
    "due_date, completed_date, status, team, overall_judgement, moderated_judgement"
)
FAR_FROM_MONTH = (
    "allocated more than 31 days outside its audit month: kept; check the date and the month"
)
READ_MONTH_FIRST = (
    " — read month-first it falls in its month: if the file is month-first, "
    "set date_format: month-first in programme.yml"
)
OWN_COHORT_PROGRAMME = (
    PROGRAMME
    + """cohorts:
  domestic_abuse:
    name: Children living with domestic abuse
    label: Domestic abuse
    column: DA Flag
themes: {2020-09: [domestic_abuse]}
"""
)
JUMP_REASON = (
    "2020-05: 10 of 12 completed audits (83%) are Not recorded, against 2% in 2020-01 to "
    "2020-04 (48 completed) — far beyond the programme's history (chance below one in a "
    "million were nothing to have changed); is the judgement column still mapped (renamed "
    "in the export?), or are grades left blank?"
)
NOT_A_MONTH = "not a month (expected YYYY-MM, e.g. 2020-09)"
SAME_ID = (
    "the same audit_id is on rows 2, 4 with different details; keep one row per audit "
    "(re-audits have their own audit_id)"
)
NOT_RECORDED = "completed with no judgement: kept, and counted as 'Not recorded'"

#: file → exact problems (severity, row, column, value, reason) and (rows read, used, excluded)
EXPECTED = {
    "01_missing_required_column.csv": (
        [
            (
                "error",
                None,
                "team",
                None,
                "required column is missing (map the file's header to it under 'columns:' in "
                "programme.yml). Headers found: " + HEADERS.replace(" team,", ""),
            )
        ],
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
        [
            (
                "warning",
                2,
                "completed_date",
                "01/03/2020",
                "completed before it was allocated: kept (the judgement counts); check the dates",
            )
        ],
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
            ),
            # Its allocation date was left in September.
            ("warning", 3, "allocated_date", "01/09/2020", FAR_FROM_MONTH),
        ],
        (3, 3, 0),
    ),
    "22_renamed_mapped_column.csv": (
        [
            (
                "error",
                None,
                "Overall Grade (overall_judgement)",
                None,
                "programme.yml maps overall_judgement to the header 'Overall Grade' (columns:), "
                "but the file has no such column — did you mean 'Final Grade'? Headers found: "
                + HEADERS.replace("overall_judgement", "Final Grade"),
            )
        ],
        (3, 3, 0),
    ),
    "23_us_dates_day_above_12.csv": ([], (3, 3, 0)),
    "24_us_dates_no_day_above_12.csv": (
        [
            ("warning", row, "allocated_date", value, FAR_FROM_MONTH + READ_MONTH_FIRST)
            for row, value in ((2, "01/05/2022"), (3, "01/06/2022"), (4, "01/07/2022"))
        ],
        (3, 3, 0),
    ),
    "25_semicolons.csv": ([], (3, 3, 0)),
    "26_tabs.tsv": ([], (3, 3, 0)),
    "27_ods_export.ods": ([], (3, 3, 0)),
    "28_xls_export.xls": ([], (3, 3, 0)),
    "29_newer_export_2020-08.csv": (
        [
            (
                "warning",
                None,
                None,
                None,
                "29_newer_export_2020-09.csv looks like a newer audits export than "
                "29_newer_export_2020-08.csv, which is the one read: it holds months up to "
                "2020-09; 29_newer_export_2020-08.csv stops at 2020-08. To read it instead, "
                "change programme.yml to:  files: {audits: 29_newer_export_2020-09.csv}",
            )
        ],
        (3, 3, 0),
    ),
    "30_own_cohort.csv": ([], (3, 3, 0)),
    "31_broken_feedback.csv": (
        [("error", 3, "source", "neighbour", "unknown feedback source")],
        (3, 3, 0),
    ),
    "32_not_recorded_jump.csv": (
        [("warning", None, "overall_judgement", "2020-05", JUMP_REASON)]
        + [
            ("warning", row, "overall_judgement", None, NOT_RECORDED)
            for row in range(50, 60)  # the first ten of May's twelve rows (rows 50–61)
        ],
        (60, 60, 0),
    ),
    "33_mixed_date_orders.csv": (
        [
            ("error", i + 2, "allocated_date", f"09/{13 + i % 12}/2020", MIXED_ORDERS)
            for i in range(1, 24, 2)
        ],
        (24, 24, 0),
    ),
    "34_team_renamed.csv": ([], (3, 3, 0)),
}


@dataclass(frozen=True)
class Setup:
    """How a corpus file is placed in a data folder, and the programme.yml beside it."""

    programme: str = PROGRAMME
    #: the corpus file's name in the folder
    target: str = "audits.csv"
    #: other corpus files in the folder: (corpus name, name in the folder)
    companions: tuple[tuple[str, str], ...] = ()


NEWER_PAIR = ("29_newer_export_2020-08.csv", "29_newer_export_2020-09.csv")
SETUPS = {
    "14_local_columns.xlsx": Setup(XLSX_PROGRAMME, "14_local_columns.xlsx"),
    "22_renamed_mapped_column.csv": Setup(
        PROGRAMME + "columns: {overall_judgement: Overall Grade}\n"
    ),
    "26_tabs.tsv": Setup(target="audits.tsv"),
    "27_ods_export.ods": Setup(target="audits.ods"),
    "28_xls_export.xls": Setup(target="audits.xls"),
    NEWER_PAIR[0]: Setup(
        PROGRAMME + f"files: {{audits: {NEWER_PAIR[0]}}}\n",
        NEWER_PAIR[0],
        ((NEWER_PAIR[1], NEWER_PAIR[1]),),
    ),
    "30_own_cohort.csv": Setup(OWN_COHORT_PROGRAMME),
    "31_broken_feedback.csv": Setup(
        target="feedback.csv", companions=(("13_utf8_bom.csv", "audits.csv"),)
    ),
    "34_team_renamed.csv": Setup(
        PROGRAMME + "labels:\n  team: {North Locality Team: Team North}\n"
    ),
}
#: Corpus files that only sit beside another case's file.
COMPANIONS = {NEWER_PAIR[1]}
#: Cases whose errors are in an optional file: left out, and the report goes on.
DEGRADED = {"31_broken_feedback.csv"}
CORPUS_TYPES = (".csv", ".tsv", ".xlsx", ".xls", ".ods")


def make_folder(tmp_path: Path, name: str, programme: str | None = None) -> Path:
    """A data folder holding corpus file ``name`` as its case needs (``programme``: another
    programme.yml)."""
    setup = SETUPS.get(name, Setup())
    folder = tmp_path / "data"
    folder.mkdir(parents=True)
    shutil.copy(CORPUS / name, folder / setup.target)
    for companion, target in setup.companions:
        shutil.copy(CORPUS / companion, folder / target)
    (folder / "programme.yml").write_text(programme or setup.programme)
    return folder


def test_corpus_has_at_least_15_files_and_each_has_an_expected_result():
    files = sorted(p.name for p in CORPUS.iterdir() if p.suffix in CORPUS_TYPES)
    assert len(files) >= 15
    assert files == sorted([*EXPECTED, *COMPANIONS])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_gives_exactly_the_expected_problems(tmp_path, name):
    expected_problems, (read, used, excluded) = EXPECTED[name]
    report = validate_folder(make_folder(tmp_path, name))
    got = [(p.severity, p.row, p.column, p.value, p.reason) for p in report.data.problems]
    assert got == expected_problems
    rec = report.data.reconciliation["audits"]
    assert (rec.rows_read, rec.rows_used, rec.rows_excluded) == (read, used, excluded)
    assert rec.rows_read == rec.rows_used + rec.rows_excluded
    errors = any(p[0] == "error" for p in expected_problems)
    assert report.ok == (not errors or name in DEGRADED)
    assert report.degraded == (name in DEGRADED)


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


# ------------------------------------------------- next month's export, case by case
def run_auditlib(*args: str | Path) -> subprocess.CompletedProcess:
    """The ``auditlib`` command, run in this process (as its console script runs it)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([str(a) for a in args])
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def test_renamed_mapped_column_stops_validate_and_report_naming_the_closest_header(tmp_path):
    folder = make_folder(tmp_path, "22_renamed_mapped_column.csv")
    validate = run_auditlib("validate", "--data", folder)
    assert validate.returncode == 1
    assert "did you mean 'Final Grade'?" in validate.stdout
    assert "Headers found: audit_id, child_id" in validate.stdout
    report = run_auditlib("report", "--month", "2020-09", "--data", folder, "--out", tmp_path / "o")
    assert report.returncode == 1
    assert "'Overall Grade' (columns:), but the file has no such column" in report.stderr
    assert "did you mean 'Final Grade'?" in report.stderr
    assert "Traceback" not in report.stdout + report.stderr
    assert not (tmp_path / "o" / "2020-09").exists()


def test_us_dates_with_a_day_above_12_are_read_month_first_and_say_why(tmp_path):
    folder = make_folder(tmp_path, "23_us_dates_day_above_12.csv")
    data = validate_folder(folder).data
    assert data.audits["allocated_date"].tolist() == [
        pd.Timestamp("2022-01-05"),
        pd.Timestamp("2022-01-05"),
        pd.Timestamp("2022-01-06"),
    ]
    assert data.audits["completed_date"].iloc[0] == pd.Timestamp("2022-01-13")
    readings = {r.column: (r.order, r.basis) for r in data.date_readings}
    assert readings == {
        "allocated_date": ("month-first", "file"),
        "due_date": ("month-first", "file"),
        "completed_date": ("month-first", "value"),
    }
    said = run_auditlib("validate", "--data", folder)
    assert said.returncode == 0
    assert (
        "completed_date: read month-first — '01/13/2022' (row 2) can only be month-first"
        in said.stdout
    )


def test_us_dates_with_no_day_above_12_follow_date_format(tmp_path):
    name = "24_us_dates_no_day_above_12.csv"
    default = validate_folder(make_folder(tmp_path / "uk", name)).data
    # Read UK day-first, 01/05/2022 is 1 May: far from its January audit month (warned above).
    assert default.audits["allocated_date"].iloc[0] == pd.Timestamp("2022-05-01")
    assert {r.basis for r in default.date_readings} == {"setting"}
    us = make_folder(tmp_path / "us", name, PROGRAMME + "date_format: month-first\n")
    data = validate_folder(us).data
    assert data.problems == []
    assert data.audits["allocated_date"].tolist() == [
        pd.Timestamp("2022-01-05"),
        pd.Timestamp("2022-01-06"),
        pd.Timestamp("2022-01-07"),
    ]
    said = run_auditlib("validate", "--data", us)
    assert (
        "allocated_date: read month-first — no value settles it (no day above 12), so "
        "date_format in programme.yml decides" in said.stdout
    )


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("25_semicolons.csv", "CSV separated by semicolons"),
        ("26_tabs.tsv", "CSV separated by tabs"),
    ],
)
def test_csv_separator_is_found_and_said(tmp_path, name, kind):
    folder = make_folder(tmp_path, name)
    data = validate_folder(folder).data
    assert data.formats["audits"] == kind
    assert data.audits["audit_id"].tolist() == ["A1", "A2", "A3"]
    if name.endswith(".csv"):
        assert data.audits["team"].tolist()[0] == "North, East"  # a comma inside a field
    said = run_auditlib("validate", "--data", folder)
    assert said.returncode == 0
    assert f"({kind}): 3 rows read, 3 used, 0 excluded" in said.stdout


@pytest.mark.parametrize(
    ("name", "kind", "rows"),
    [("27_ods_export.ods", "ODS", [2, 3, 4]), ("28_xls_export.xls", "XLS", [4, 5, 6])],
)
def test_ods_and_xls_are_read_with_their_date_cells(tmp_path, name, kind, rows):
    data = validate_folder(make_folder(tmp_path, name)).data
    assert data.formats["audits"] == kind
    assert data.audits["completed_date"].iloc[1] == pd.Timestamp("2020-09-21")
    assert data.audits["final_judgement"].astype(str).tolist()[:2] == ["Good", "Inadequate"]
    # The .xls has a title row and a blank row above its header.
    assert data.audits["source_row"].tolist() == rows


def test_newer_export_beside_the_mapped_one_is_named_with_the_change(tmp_path):
    folder = make_folder(tmp_path, NEWER_PAIR[0])
    said = run_auditlib("validate", "--data", folder)
    assert said.returncode == 0
    assert "change programme.yml to:  files: {audits: 29_newer_export_2020-09.csv}" in said.stdout
    report = run_auditlib("report", "--month", "2020-09", "--data", folder, "--out", tmp_path / "o")
    assert report.returncode == 1
    assert "Note: 29_newer_export_2020-09.csv looks like a newer audits export" in report.stderr
    assert "have no audits allocated in this month" in report.stderr
    assert "Traceback" not in report.stdout + report.stderr


def test_a_programmes_own_cohort_is_flagged_and_counted(tmp_path):
    from auditlib.analysis import metrics

    data = validate_folder(make_folder(tmp_path, "30_own_cohort.csv")).data
    assert list(data.programme.cohorts) == ["domestic_abuse"]
    assert data.programme.themes == {"2020-09": ("domestic_abuse",)}
    assert data.audits["cohort_domestic_abuse"].tolist() == [True, False, True]
    table = metrics.judgements_by_cohort(data.audits, "2020-09", data.programme.cohorts)
    assert table.index.tolist() == ["Children living with domestic abuse"]
    assert table.loc["Children living with domestic abuse", "Good"] == 1
    assert table.loc["Children living with domestic abuse", "completed"] == 1
    short = metrics.judgements_by_cohort(data.audits, "2020-09", data.programme.cohorts, True)
    assert short.index.tolist() == ["Domestic abuse"]


def test_a_cohort_column_the_file_lacks_is_an_error_naming_the_closest(tmp_path):
    programme = OWN_COHORT_PROGRAMME.replace("column: DA Flag", "column: DA Flags")
    data = validate_folder(make_folder(tmp_path, "30_own_cohort.csv", programme)).data
    assert [(p.column, p.reason.split(" Headers found")[0]) for p in data.errors] == [
        (
            "DA Flags",
            "cohort 'domestic_abuse' (programme.yml cohorts:) reads this column, but the file "
            "has no such column — did you mean 'DA Flag'?",
        )
    ]


def test_a_broken_feedback_file_is_left_out_and_validate_exits_3(tmp_path):
    folder = make_folder(tmp_path, "31_broken_feedback.csv")
    data = validate_folder(folder).data
    assert data.errors == []
    assert data.feedback is None
    assert [(f.file, f.left_out, len(f.problems)) for f in data.optional_failures] == [
        ("feedback.csv", ("feedback",), 1)
    ]
    assert data.reconciliation["feedback"].excluded_by_reason == {
        "the file was left out: it has errors": 3
    }
    said = run_auditlib("validate", "--data", folder)
    assert said.returncode == 3
    assert "left out: feedback.csv could not be used (1 error)" in said.stdout
    assert "row 3, column 'source': value 'neighbour' — unknown feedback source" in said.stdout
    assert "The report can be produced, but without: feedback (exit code 3)" in said.stdout


def test_a_jump_in_not_recorded_is_a_warning_validate_shows(tmp_path):
    folder = make_folder(tmp_path, "32_not_recorded_jump.csv")
    data = validate_folder(folder).data
    assert [(j.month, j.judgement, j.count, j.completed) for j in data.judgement_jumps] == [
        ("2020-05", "Not recorded", 10, 12)
    ]
    assert data.jumps_for("2020-04") == []
    said = run_auditlib("validate", "--data", folder)
    assert said.returncode == 0
    assert "2020-05: 10 of 12 completed audits (83%) are Not recorded" in said.stdout


def test_many_errors_of_one_kind_are_summarised_before_the_list(tmp_path):
    folder = make_folder(tmp_path, "33_mixed_date_orders.csv")
    said = run_auditlib("validate", "--data", folder)
    assert said.returncode == 1
    head, table = said.stdout.split("\n\n", 1)[0], said.stdout.split("\n\n", 1)[1]
    assert head == (
        "Problems of one kind, many times:\n"
        f"- 12 errors in audits.csv, column 'allocated_date': {MIXED_ORDERS}. First rows: "
        "3, 5, 7, 9, 11; e.g. '09/14/2020', '09/16/2020', '09/18/2020', '09/20/2020', "
        "'09/22/2020'. Likely cause: two exports in different date formats pasted together; "
        "make the column one format."
    )
    assert table.splitlines()[0].split() == ["file", "row(s)", "column", "value", "problem"]
    assert "allocated_date: mixes day-first and month-first dates ('13/09/2020' on row 2" in table


def test_team_renames_and_merges_map_under_labels(tmp_path):
    data = validate_folder(make_folder(tmp_path, "34_team_renamed.csv")).data
    assert data.audits["team"].tolist() == ["Team North", "Team North", "Team South"]
    unmapped = validate_folder(make_folder(tmp_path / "plain", "34_team_renamed.csv", PROGRAMME))
    assert unmapped.data.audits["team"].nunique() == 3


def test_summaries_need_enough_problems_of_one_kind():
    from auditlib.errors import Problem

    few = [Problem("a.csv", row, "status", "x", "unknown status") for row in range(2, 11)]
    assert summarise_problems(few) == []
    many = [*few, Problem("a.csv", 11, "status", "y", "unknown status")]
    [summary] = summarise_problems(many)
    assert (summary.count, summary.rows, summary.values) == (10, (2, 3, 4, 5, 6), ("x", "y"))
    assert summary.cause == likely_cause("unknown status")
    assert "labels:" in summary.cause
