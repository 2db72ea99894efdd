"""The whole data folder in one call: optional files that fail are left out, not blocking;
a folder loaded ahead is handed out only while it is unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from auditlib.data import pipeline
from auditlib.data.pipeline import load_audit_data
from auditlib.errors import DataError
from auditlib.paths import DEMO_DATA_DIR

CORPUS = Path(__file__).parent / "data" / "corpus"
PROGRAMME = "organisation: Test Council\nstart_month: 2020-01\n"
FEEDBACK = (
    "feedback_id,audit_id,audit_month,source,kind,text\n"
    "F1,A1,2020-09,parent,strength,Listened to us.\n"
)
REFLECTIONS = "audit_id,audit_month,question,text\nA1,2020-09,1,Kept the child at the centre.\n"
RECOMMENDATIONS = "2020-09:\n  high_priority: [Record the child's voice.]\n"


def folder(tmp_path: Path, **files: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    shutil.copy(CORPUS / "13_utf8_bom.csv", tmp_path / "audits.csv")
    defaults = {
        "programme.yml": PROGRAMME,
        "feedback.csv": FEEDBACK,
        "reflections.csv": REFLECTIONS,
        "recommendations.yml": RECOMMENDATIONS,
        "names.txt": "Jane Doe\n",
    }
    for name, text in {**defaults, **{k.replace("_", "."): v for k, v in files.items()}}.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_a_good_folder_leaves_nothing_out(tmp_path):
    data = load_audit_data(folder(tmp_path))
    assert data.optional_failures == [] and data.left_out_sections == ()
    assert len(data.feedback) == 1 and len(data.reflections) == 1
    assert data.recommendations["2020-09"]["high_priority"] == ["Record the child's voice."]


def test_a_broken_recommendations_file_is_left_out(tmp_path):
    data = load_audit_data(
        folder(tmp_path, recommendations_yml="Sept 2020:\n  high_priority: [x]\n")
    )
    assert data.errors == []
    assert data.recommendations == {}
    [failure] = data.optional_failures
    assert (failure.input, failure.file, failure.left_out) == (
        "recommendations",
        "recommendations.yml",
        ("recommendations",),
    )
    assert len(data.feedback) == 1  # nothing else is touched


def test_an_unreadable_names_file_leaves_out_every_section_with_free_text(tmp_path, monkeypatch):
    path = folder(tmp_path)
    real = Path.read_bytes

    def locked(self: Path) -> bytes:
        if self.name == "names.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", locked)
    data = load_audit_data(path)
    assert data.errors == []
    assert (data.feedback, data.reflections, data.recommendations) == (None, None, {})
    assert data.left_out_sections == ("feedback", "reflections", "recommendations")
    [failure] = data.optional_failures
    assert failure.notice() == (
        "names.txt could not be used (1 error), so the feedback and reflections and "
        "recommendations sections are left out. First: the denylist cannot be read "
        "(permission denied — is it open or locked?). `auditlib validate` lists every problem."
    )
    assert data.reconciliation["feedback"].as_dict() == {
        "rows_read": 1,
        "rows_used": 0,
        "rows_excluded": 1,
        "excluded_by_reason": {"the file was left out: it has errors": 1},
    }


def test_a_feedback_file_with_many_errors_names_the_first_three(tmp_path):
    rows = "".join(f"F{i},A1,2020-09,neighbour,strength,Text {i}.\n" for i in range(1, 6))
    data = load_audit_data(folder(tmp_path, feedback_csv=FEEDBACK.splitlines()[0] + "\n" + rows))
    [failure] = data.optional_failures
    assert [p.row for p in failure.first_problems()] == [2, 3, 4]
    assert "(and 2 more)" in failure.notice()
    assert failure.as_dict()["errors"] == 5
    assert len(data.left_out_errors) == 5


def test_errors_in_the_audits_still_stop_the_report_with_a_summary_first(tmp_path):
    rows = "\n".join(
        f"A{i},C{i},audit,2020-09,01/09/2020,finished,Team North" for i in range(1, 13)
    )
    path = folder(tmp_path)
    (path / "audits.csv").write_text(
        "audit_id,child_id,audit_type,audit_month,allocated_date,status,team\n" + rows + "\n"
    )
    with pytest.raises(DataError) as caught:
        load_audit_data(path)
    message = str(caught.value)
    assert message.splitlines()[1].startswith(
        "- 12 errors in audits.csv, column 'status': unknown status"
    )
    assert "Likely cause: a local label used throughout the export" in message
    assert len(caught.value.problems) == 12


def test_data_quality_facts_for_a_month(tmp_path):
    path = folder(tmp_path, feedback_csv=FEEDBACK.replace("parent", "neighbour"))
    path.joinpath("audits.csv").write_text(
        (CORPUS / "23_us_dates_day_above_12.csv").read_text(), encoding="utf-8"
    )
    facts = load_audit_data(path).data_quality_facts("2022-01")
    assert facts["formats"] == {
        "audits.csv": "CSV separated by commas",
        "feedback.csv": "CSV separated by commas",
        "reflections.csv": "CSV separated by commas",
    }
    assert [(r["column"], r["order"], r["basis"]) for r in facts["date_readings"]] == [
        ("allocated_date", "month-first", "file"),
        ("due_date", "month-first", "file"),
        ("completed_date", "month-first", "value"),
    ]
    assert facts["judgement_jumps"] == [] and facts["newer_exports"] == []
    [left_out] = facts["left_out"]
    assert (left_out["file"], left_out["left_out"], left_out["errors"]) == (
        "feedback.csv",
        ["feedback"],
        1,
    )
    assert left_out["first_problems"] == [
        "row 2, column 'source': value 'neighbour' — unknown feedback source"
    ]


# ---------------------------------------------------------------- typed fields redacted
TYPED_DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"


@pytest.fixture(scope="module")
def typed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("typed") / "data"
    shutil.copytree(TYPED_DEMO, folder)
    audits = pd.read_csv(folder / "audits.csv", dtype=str, keep_default_na=False)
    first_team = audits["team"] == audits["team"].iloc[0]
    audits.loc[first_team, "team"] = "Team of Jayden C8756263\u202e"
    audits.loc[audits.index[:3], "area"] = "North (call 07700 900123)"
    audits.to_csv(folder / "audits.csv", index=False)
    programme = yaml.safe_load((folder / "programme.yml").read_text(encoding="utf-8"))
    programme["organisation"] = "Example Council\x00\x1b[2J"
    programme["contact"] = "Mrs. okafor, jane dot smith at council dot gov dot uk"
    programme["month_labels"] = {"2020-09": "September 2020 (SW0123's round)"}
    programme["pauses"][0]["reason"] = "Ｐｒｉｙａ was off; ring 0044 7700 900123"
    (folder / "programme.yml").write_text(yaml.safe_dump(programme), encoding="utf-8")
    recommendations = yaml.safe_load((folder / "recommendations.yml").read_text(encoding="utf-8"))
    recommendations["2020-09"]["high_priority"].append(
        {
            "text": "Ask Mr de Souza",
            "items": [{"text": "Write", "url": "mailto:jane@council.gov.uk?subject=A0000001"}],
        }
    )
    (folder / "recommendations.yml").write_text(yaml.safe_dump(recommendations), encoding="utf-8")
    return load_audit_data(folder)


def test_team_and_area_names_are_redacted(typed):
    teams = set(typed.audits["team"].dropna())
    assert "Team of [name] [id]" in teams
    assert not [t for t in teams if "C8756263" in t or "Jayden" in t or "\u202e" in t]
    assert "North (call [phone])" in set(typed.audits["area"])


def test_programme_texts_are_redacted_and_cleaned(typed):
    programme = typed.programme
    assert programme.organisation == "Example Council[2J"
    assert programme.contact == "[name], [email]"
    assert programme.label_for("2020-09") == "September 2020 ([id]'s round)"
    assert programme.pauses[0].reason == "[name] was off; ring [phone]"


def test_recommendation_texts_and_urls_are_redacted(typed):
    added = typed.recommendations["2020-09"]["high_priority"][-1]
    assert added["text"] == "Ask [name]"
    assert added["items"][0]["url"] == "mailto:[email]?subject=[id]"


def test_ids_are_still_there_for_counting(typed):
    # Identifier columns are counted (distinct children, re-audits), never shown.
    assert typed.audits["child_id"].str.fullmatch(r"C\d{7}").all()


def test_preloaded_data_is_reused_until_a_file_changes(tmp_path, monkeypatch):
    data_dir = tmp_path / "demo"
    shutil.copytree(DEMO_DATA_DIR, data_dir)
    monkeypatch.setattr(pipeline, "_PRELOADED", {})
    pipeline.preload_audit_data(data_dir)
    first = pipeline.load_audit_data(data_dir)
    assert pipeline.load_audit_data(str(data_dir)) is first  # no reading or cleaning again
    with open(data_dir / "feedback.csv", "a", encoding="utf-8") as handle:
        handle.write("F09999,A0000001,2018-11,parent,strength,Kind and clear.\n")
    fresh = pipeline.load_audit_data(data_dir)
    assert fresh is not first and len(fresh.feedback) == len(first.feedback) + 1
    assert fresh.input_hash != first.input_hash
