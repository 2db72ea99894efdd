"""auditlib.data.guards: bounded input — aliases, sizes, only regular files, paths, months.

Every case goes through the real command (``auditlib validate`` / ``report``) in a child
process with a timeout, so a hang is a failure, and checks for a plain message and no
traceback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from auditlib.data import guards
from auditlib.data.pipeline import load_audit_data
from auditlib.errors import ConfigError, DataError

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
#: A command that takes longer than this has hung (a normal validate takes a few seconds).
HANG_SECONDS = 120

#: The issue's "billion laughs": 35 lines that expand to 9**10 strings.
ALIAS_BOMB = "\n".join(
    [
        "organisation: Example Council",
        'start_month: "2018-11"',
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
        "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
        "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]",
        "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]",
        "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]",
        "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]",
        "j: &j [*i,*i,*i,*i,*i,*i,*i,*i,*i]",
        "contact: *j",
    ]
    + [f"# padding line {n}" for n in range(22)]
)


def demo_copy(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DEMO, data)
    return data


def auditlib(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "auditlib", *args],
        capture_output=True,
        text=True,
        timeout=HANG_SECONDS,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def refused(result: subprocess.CompletedProcess, *phrases: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output, output
    for phrase in phrases:
        assert phrase in output, output


# ---------------------------------------------------------------- YAML
def test_the_alias_bomb_fails_fast_with_a_plain_message(tmp_path):
    data = demo_copy(tmp_path)
    (data / "programme.yml").write_text(ALIAS_BOMB, encoding="utf-8")
    assert len(ALIAS_BOMB.splitlines()) == 35
    refused(auditlib("validate", "--data", str(data)), "aliases (*name) are not allowed", "line 4")


def test_an_alias_in_recommendations_is_a_problem_not_a_crash(tmp_path):
    data = demo_copy(tmp_path)
    (data / "recommendations.yml").write_text(
        '2020-09:\n  high_priority: &x ["A"]\n  practice_standards: *x\n', encoding="utf-8"
    )
    refused(auditlib("validate", "--data", str(data)), "recommendations.yml", "aliases")


def test_an_oversized_settings_file_is_refused(tmp_path):
    data = demo_copy(tmp_path)
    with open(data / "recommendations.yml", "a", encoding="utf-8") as handle:
        handle.write("#" * (guards.MAX_YAML_BYTES + 10) + "\n")
    refused(auditlib("validate", "--data", str(data)), "settings files are limited")


# ---------------------------------------------------------------- only regular files
@pytest.mark.parametrize(
    "name", ["audits.csv", "feedback.csv", "recommendations.yml", "names.txt", "programme.yml"]
)
@pytest.mark.parametrize("kind", ["dev-zero", "named-pipe"])
def test_a_device_or_pipe_as_an_input_is_refused_without_hanging(tmp_path, name, kind):
    data = demo_copy(tmp_path)
    target = data / name
    target.unlink()
    if kind == "dev-zero":
        target.symlink_to("/dev/zero")
    else:
        os.mkfifo(target)
    expected = "a device (through a link)" if kind == "dev-zero" else "a named pipe"
    refused(auditlib("validate", "--data", str(data)), name, expected, "only ordinary files")


# ---------------------------------------------------------------- paths named in programme.yml
def _set(data: Path, extra: str) -> None:
    with open(data / "programme.yml", "a", encoding="utf-8") as handle:
        handle.write("\n" + extra + "\n")


@pytest.mark.parametrize("where", ["../outside.csv", "ABSOLUTE"])
def test_files_outside_the_data_folder_are_refused_unless_allowed(tmp_path, where):
    data = demo_copy(tmp_path)
    outside = tmp_path / "outside.csv"
    shutil.move(data / "audits.csv", outside)
    entry = str(outside) if where == "ABSOLUTE" else where
    _set(data, f"files: {{audits: '{entry}'}}")
    refused(
        auditlib("validate", "--data", str(data)),
        "is outside the data folder",
        "allow_files_outside_data_folder",
    )
    _set(data, "allow_files_outside_data_folder: true")
    result = auditlib("validate", "--data", str(data))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_denylist_outside_the_data_folder_is_refused(tmp_path):
    data = demo_copy(tmp_path)
    shutil.move(data / "names.txt", tmp_path / "names.txt")
    text = (data / "programme.yml").read_text(encoding="utf-8")
    (data / "programme.yml").write_text(
        text.replace("denylist: names.txt", "denylist: ../names.txt"), encoding="utf-8"
    )
    refused(auditlib("validate", "--data", str(data)), "denylist", "outside the data folder")


# ---------------------------------------------------------------- months in a sane range
def test_a_start_month_before_2000_is_refused(tmp_path):
    data = demo_copy(tmp_path)
    text = (data / "programme.yml").read_text(encoding="utf-8")
    (data / "programme.yml").write_text(
        text.replace('start_month: "2018-11"', 'start_month: "1900-01"'), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="1900-01 is before 2000-01"):
        load_audit_data(data)


def test_an_audit_month_far_after_the_extract_is_refused_with_its_row(tmp_path):
    data = demo_copy(tmp_path)
    audits = pd.read_csv(data / "audits.csv", dtype=str, keep_default_na=False)
    audits.loc[4, "audit_month"] = "2100-12"
    audits.loc[5, "audit_month"] = "2021-10"  # 12 months after the extract: still accepted
    audits.to_csv(data / "audits.csv", index=False)
    with pytest.raises(DataError) as info:
        load_audit_data(data)
    errors = [p for p in info.value.problems if p.column == "audit_month" and p.value == "2100-12"]
    assert [(p.file, p.row) for p in errors] == [("audits.csv", 6)]
    assert "more than 12 months after the extract date" in errors[0].reason
    assert not [p for p in info.value.problems if p.value == "2021-10"]


def test_latest_month_counts_from_today_without_an_extract_date():
    import datetime as dt

    assert guards.latest_month(None, dt.date(2020, 12, 15)) == "2021-12"
    assert guards.month_out_of_range("1999-12", None)
    assert guards.month_out_of_range("2000-01", None) is None


# ---------------------------------------------------------------- an all-exempt month
def test_an_all_exempt_month_is_reported_as_such(tmp_path):
    data = demo_copy(tmp_path)
    audits = pd.read_csv(data / "audits.csv", dtype=str, keep_default_na=False)
    audits = audits.loc[audits["audit_month"] == "2018-11"].copy()
    audits["status"] = "exempt"
    for column in ("completed_date", "overall_judgement", "moderated_judgement"):
        audits[column] = ""
    audits.loc[:, [c for c in audits if c.startswith("judgement_")]] = ""
    audits.to_csv(data / "audits.csv", index=False)
    for name in ("feedback.csv", "reflections.csv"):
        (data / name).unlink()
    n = len(audits)
    one = auditlib(
        "report", "--month", "2018-11", "--data", str(data), "--out", str(tmp_path / "o")
    )
    refused(one, "every audit of this month was exempt or cancelled", f"{n} exempt")
    assert "Months with audits: none" not in one.stderr
    every = auditlib("report", "--all", "--data", str(data), "--out", str(tmp_path / "o"))
    refused(every, "every audit was exempt or cancelled", f"{n} exempt")


def test_a_settings_file_read_again_is_the_same_and_each_reader_has_its_own_copy(tmp_path):
    from auditlib.data.guards import SettingsFileError, load_yaml_file

    path = tmp_path / "programme.yml"
    path.write_text("organisation: Example Council\nthemes: {2020-09: [missing]}\n", "utf-8")
    first = load_yaml_file(path)
    first["themes"]["2020-09"].append("cse")  # what one reader does to its copy
    again = load_yaml_file(path)
    assert again == {"organisation": "Example Council", "themes": {"2020-09": ["missing"]}}
    # a changed file is read as it now is
    path.write_text("organisation: Other Council\n", "utf-8")
    assert load_yaml_file(path) == {"organisation": "Other Council"}
    path.write_text("a: &x 1\nb: *x\n", "utf-8")
    with pytest.raises(SettingsFileError, match="aliases"):
        load_yaml_file(path)
    with pytest.raises(SettingsFileError, match="aliases"):
        load_yaml_file(path)  # refused every time, not remembered as read
