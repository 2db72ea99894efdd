"""Reading files: formats, encodings, sheets, header mapping, unreadable files; raw files untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from auditlib.data.loading import load_dataset, normalise_header, read_table
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


def test_a_bare_carriage_return_in_a_field_is_a_located_problem_not_a_traceback(tmp_path):
    path = tmp_path / "audits.csv"
    path.write_bytes(b"audit_id,status\nA1,completed\nA2,\r=1+1\nA3,completed\n")
    table = read_table(path, "audits")
    assert table.frame.empty
    (problem,) = table.problems
    assert problem.file == "audits.csv" and problem.row is not None
    assert "not a readable CSV row" in problem.reason
