"""auditlib.data.pipeline: human-entered fields are redacted before any report sees them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from auditlib.data.pipeline import load_audit_data

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("typed") / "data"
    shutil.copytree(DEMO, folder)
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


def test_team_and_area_names_are_redacted(data):
    teams = set(data.audits["team"].dropna())
    assert "Team of [name] [id]" in teams
    assert not [t for t in teams if "C8756263" in t or "Jayden" in t or "\u202e" in t]
    assert "North (call [phone])" in set(data.audits["area"])


def test_programme_texts_are_redacted_and_cleaned(data):
    programme = data.programme
    assert programme.organisation == "Example Council[2J"
    assert programme.contact == "[name], [email]"
    assert programme.label_for("2020-09") == "September 2020 ([id]'s round)"
    assert programme.pauses[0].reason == "[name] was off; ring [phone]"


def test_recommendation_texts_and_urls_are_redacted(data):
    added = data.recommendations["2020-09"]["high_priority"][-1]
    assert added["text"] == "Ask [name]"
    assert added["items"][0]["url"] == "mailto:[email]?subject=[id]"


def test_ids_are_still_there_for_counting(data):
    # Identifier columns are counted (distinct children, re-audits), never shown.
    assert data.audits["child_id"].str.fullmatch(r"C\d{7}").all()
