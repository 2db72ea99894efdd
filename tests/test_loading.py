"""Reading files: formats, encodings, sheets, header mapping, unreadable files; raw files untouched."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd
import pytest

from auditlib.data.loading import (
    NewerExport,
    files_setting,
    load_dataset,
    normalise_header,
    read_table,
    sniff_separator,
)
from auditlib.errors import ConfigError

PROGRAMME = "organisation: T\nstart_month: 2020-01\n"
CSV = "Audit ID,Child ID,Audit Type,Audit Month,Allocated Date,Status,Team\nA1,C1,audit,2020-09,01/09/2020,allocated,North\n"


def folder(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in {"programme.yml": PROGRAMME, **files}.items():
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return tmp_path


def test_headers_match_ignoring_case_spaces_and_punctuation(tmp_path):
    table = read_table(folder(tmp_path, {"audits.csv": CSV}) / "audits.csv", "audits")
    assert list(table.frame.columns) == [
        "audit_id",
        "child_id",
        "audit_type",
        "audit_month",
        "allocated_date",
        "status",
        "team",
    ]
    assert table.headers["audit_id"] == "Audit ID"
    assert table.source_rows.tolist() == [2]


def test_parquet_and_csv_give_the_same_rows(tmp_path):
    path = folder(tmp_path, {"audits.csv": CSV})
    frame = pd.read_csv(path / "audits.csv", dtype=str)
    frame.to_parquet(tmp_path / "a.parquet")
    parquet = read_table(tmp_path / "a.parquet", "audits")
    assert parquet.frame["audit_id"].tolist() == ["A1"]
    assert parquet.source_rows.tolist() == [1]  # a record number: Parquet has no header row


def test_named_sheet_and_missing_sheet(tmp_path):
    with pd.ExcelWriter(tmp_path / "a.xlsx") as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="Notes", index=False)
        pd.read_csv(pd.io.common.StringIO(CSV)).to_excel(writer, sheet_name="Audits", index=False)
    table = read_table(tmp_path / "a.xlsx", "audits", sheet="Audits")
    assert table.frame["audit_id"].tolist() == ["A1"]
    missing = read_table(tmp_path / "a.xlsx", "audits", sheet="Nope")
    assert "no sheet named 'Nope' (sheets: Notes, Audits)" in missing.problems[0].reason


def test_a_file_that_is_not_what_its_name_says(tmp_path):
    (tmp_path / "audits.xlsx").write_text("this is not a spreadsheet")
    table = read_table(tmp_path / "audits.xlsx", "audits")
    assert table.frame.empty
    assert table.problems[0].file == "audits.xlsx"
    assert "cannot be read as .xlsx" in table.problems[0].reason


def test_locked_or_unreadable_file(tmp_path, monkeypatch):
    path = folder(tmp_path, {"audits.csv": CSV}) / "audits.csv"

    def locked(self):  # what Windows/SMB shares do while Excel holds the file open
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", locked)
    table = read_table(path, "audits")
    assert table.frame.empty
    assert table.problems[0].reason == "cannot be read (permission denied — is it open or locked?)"


def test_two_audits_files_are_ambiguous(tmp_path):
    folder(tmp_path, {"audits.csv": CSV, "audits.xlsx": b""})
    with pytest.raises(ConfigError, match="more than one audits file"):
        load_dataset(tmp_path)


def test_no_audits_file(tmp_path):
    folder(tmp_path, {})
    with pytest.raises(ConfigError, match="no audits file"):
        load_dataset(tmp_path)


def test_files_setting_names_the_export(tmp_path):
    folder(tmp_path, {"LCS export.csv": CSV})
    (tmp_path / "programme.yml").write_text(PROGRAMME + "files: {audits: LCS export.csv}\n")
    data = load_dataset(tmp_path)
    assert data.audits.label == "LCS export.csv"
    (tmp_path / "programme.yml").write_text(PROGRAMME + "files: {audits: missing.csv}\n")
    with pytest.raises(ConfigError, match=r"'missing\.csv' does not exist"):
        load_dataset(tmp_path)


def test_loading_never_modifies_raw_files_and_hash_changes_with_content(tmp_path):
    folder(tmp_path, {"audits.csv": CSV, "names.txt": "# names\nJane Doe\n"})
    before = {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in tmp_path.iterdir()
    }
    first = load_dataset(tmp_path)
    after = {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in tmp_path.iterdir()
    }
    assert before == after
    assert first.denylist == ("Jane Doe",)
    (tmp_path / "audits.csv").write_text(CSV.replace("North", "South"))
    assert load_dataset(tmp_path).input_hash != first.input_hash


def test_normalise_header():
    assert normalise_header("Date Allocated") == "date_allocated"
    assert normalise_header("  AUDIT-ID ") == "audit_id"


@pytest.mark.parametrize(
    ("text", "separator"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1;2,5;x\n", ";"),  # a decimal comma inside a field
        ("a\tb\tc\n1\t2\t3\n", "\t"),
        ('a;b\n"x, y";2\n', ";"),
        ("only one column\nvalue\n", ","),
    ],
)
def test_the_csv_separator_is_sniffed(text, separator):
    assert sniff_separator(text) == separator


def test_a_semicolon_file_reads_into_columns_and_says_so(tmp_path):
    path = folder(tmp_path, {"audits.csv": CSV.replace(",", ";")}) / "audits.csv"
    table = read_table(path, "audits")
    assert table.frame["team"].tolist() == ["North"]
    assert (table.separator, table.format) == (";", "CSV separated by semicolons")


def test_a_spreadsheet_title_above_the_header_is_skipped(tmp_path):
    frame = pd.read_csv(pd.io.common.StringIO(CSV))
    with pd.ExcelWriter(tmp_path / "a.xlsx") as writer:
        pd.DataFrame([["Case audit export, September 2020"]]).to_excel(
            writer, index=False, header=False
        )
        frame.to_excel(writer, index=False, startrow=2)
    table = read_table(tmp_path / "a.xlsx", "audits")
    assert table.frame["audit_id"].tolist() == ["A1"]
    assert table.source_rows.tolist() == [4]  # title on row 1, blank row 2, header row 3


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_a_file_that_is_not_the_spreadsheet_its_name_says(tmp_path, suffix):
    (tmp_path / f"audits{suffix}").write_text("this is not a spreadsheet")
    table = read_table(tmp_path / f"audits{suffix}", "audits")
    assert table.frame.empty
    assert table.problems[0].reason.startswith(f"cannot be read as {suffix}")


def newer(tmp_path: Path, files: dict[str, str], mapped: str) -> list[NewerExport]:
    folder(tmp_path, files)
    (tmp_path / "programme.yml").write_text(PROGRAMME + f"files: {{audits: {mapped}}}\n")
    return load_dataset(tmp_path).newer_exports


def test_a_later_saved_export_of_the_same_months_is_named(tmp_path):
    found = newer(tmp_path, {"old.csv": CSV, "new.csv": CSV.replace("North", "South")}, "old.csv")
    assert found == []  # saved at the same moment: nothing says which is newer
    os.utime(tmp_path / "old.csv", (1_600_000_000, 1_600_000_000))
    os.utime(tmp_path / "new.csv", (1_600_086_400, 1_600_086_400))
    [export] = load_dataset(tmp_path).newer_exports
    assert (export.candidate, export.setting) == ("new.csv", "files: {audits: new.csv}")
    assert export.why.startswith("it has the same headers and was saved later")


def test_older_exports_other_tables_lock_files_and_other_headers_are_not_newer(tmp_path):
    older = CSV.replace("2020-09", "2020-08")
    files = {
        "current.csv": CSV,
        "older.csv": older,  # earlier months, even if saved later
        "~$current.csv": CSV.replace("2020-09", "2020-10"),  # Excel's lock file
        "other.csv": "x,y\n1,2\n",
    }
    found = newer(tmp_path, files, "current.csv")
    os.utime(tmp_path / "older.csv", (2_000_000_000, 2_000_000_000))
    assert found == [] and load_dataset(tmp_path).newer_exports == []


def test_the_files_setting_keeps_the_other_files():
    assert (
        files_setting({"audits": "Audit export Feb 2022.xlsx", "feedback": "fb.csv"})
        == "files: {audits: Audit export Feb 2022.xlsx, feedback: fb.csv}"
    )


def test_a_bare_carriage_return_in_a_field_is_a_located_problem_not_a_traceback(tmp_path):
    path = tmp_path / "audits.csv"
    path.write_bytes(b"audit_id,status\nA1,completed\nA2,\r=1+1\nA3,completed\n")
    table = read_table(path, "audits")
    assert table.frame.empty
    (problem,) = table.problems
    assert problem.file == "audits.csv" and problem.row is not None
    assert "not a readable CSV row" in problem.reason
