"""programme.yml: the contract keys, and plain messages for every way it can be wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditlib.data import schema
from auditlib.data.cohorts import DEFAULT_COHORTS
from auditlib.data.programme import load_programme
from auditlib.errors import ConfigError

GOOD = """organisation: Example Council
programme: Children's Services case audit programme
start_month: 2018-11
compliance_from_month: 2018-12
pauses:
  - {from: 2020-03, to: 2020-05, reason: "COVID-19 stay-at-home order"}
month_labels: {2019-07: July/August 2019}
themes: {2020-09: [missing, cse]}
disclosure: published
contact: Audit & Practice Standards Manager, Example Council
"""


def write(tmp_path, text):
    (tmp_path / "programme.yml").write_text(text)
    return tmp_path


def test_reads_the_contract_keys(tmp_path):
    prog = load_programme(write(tmp_path, GOOD))
    assert prog.start_month == "2018-11"
    assert prog.compliance_from_month == "2018-12"
    assert prog.pause_for("2020-04").reason == "COVID-19 stay-at-home order"
    assert prog.pause_for("2020-06") is None
    assert prog.label_for("2019-07") == "July/August 2019"
    assert prog.label_for("2020-09") == "September 2020"
    assert prog.themes == {"2020-09": ("missing", "cse")}
    assert prog.disclosure == "published"
    assert prog.months_until("2019-01") == ["2018-11", "2018-12", "2019-01"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("organisation: X\n", "required setting 'start_month' is missing"),
        ("start_month: 2018-11\n", "required setting 'organisation' is missing"),
        ("organisation: X\nstart_month: 2018-13\n", "'2018-13' is not a month"),
        (
            "organisation: X\nstart_month: 2018-11\ndisclosure: secret\n",
            "disclosure must be 'internal' or 'published'",
        ),
        (
            "organisation: X\nstart_month: 2018-11\nthemes: {2020-09: [ghosts]}\n",
            "unknown cohort 'ghosts'",
        ),
        (
            "organisation: X\nstart_month: 2018-11\npauses: [{from: 2020-05, to: 2020-03}]\n",
            "pause 1 ends (2020-03) before it starts (2020-05)",
        ),
        ("organisation: [unclosed\n", "is not valid YAML at line"),
        (
            "organisation: X\nstart_month: 2018-11\nextract_date: 05/10/2020\n",
            "extract_date '05/10/2020' is not a date (expected YYYY-MM-DD",
        ),
        ("- just\n- a list\n", "must be a mapping of settings"),
    ],
)
def test_bad_settings_get_a_plain_message(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_programme(write(tmp_path, text))


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ConfigError, match=r"no programme\.yml in the data folder"):
        load_programme(tmp_path)
    with pytest.raises(ConfigError, match="does not exist"):
        load_programme(tmp_path / "nope")


@pytest.mark.parametrize(
    ("written", "order"),
    [
        (None, "day-first"),
        ("day-first", "day-first"),
        ("DD/MM/YYYY", "day-first"),
        ("month-first", "month-first"),
        ("US", "month-first"),
    ],
)
def test_date_format(tmp_path, written, order):
    text = "organisation: X\nstart_month: 2018-11\n"
    if written:
        text += f"date_format: {written}\n"
    assert load_programme(write(tmp_path, text)).date_format == order


def test_a_bad_date_format_says_what_is_accepted(tmp_path):
    with pytest.raises(ConfigError, match=r"date_format must be 'day-first' .* or 'month-first'"):
        load_programme(write(tmp_path, "organisation: X\nstart_month: 2018-11\ndate_format: ISO\n"))


def test_without_cohorts_the_seed_six_and_with_them_only_the_programmes_own(tmp_path):
    default = load_programme(write(tmp_path, GOOD))
    assert list(default.cohorts) == list(schema.COHORTS) and not default.cohorts_defined
    own = load_programme(
        write(
            tmp_path,
            "organisation: X\nstart_month: 2018-11\n"
            "cohorts:\n  neglect: {name: Neglect, label: Neglect, where: {cp_category: neglect}}\n"
            "themes: {2020-09: [neglect]}\n",
        )
    )
    assert own.cohorts_defined and list(own.cohorts) == ["neglect"]
    assert own.themes == {"2020-09": ("neglect",)}
    with pytest.raises(ConfigError, match=r"unknown cohort 'cin' \(cohorts: neglect; define"):
        load_programme(
            write(
                tmp_path,
                "organisation: X\nstart_month: 2018-11\n"
                "cohorts: {neglect: {name: Neglect, where: {cp_category: neglect}}}\n"
                "themes: {2020-09: [cin]}\n",
            )
        )


ROOT = Path(__file__).resolve().parents[1]


def yaml_blocks(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [block.split("```", 1)[0] for block in text.split("```yaml\n")[1:]]


def test_the_documented_programme_yml_examples_are_read_as_documented(tmp_path):
    blocks = yaml_blocks(ROOT / "docs" / "data-contract.md")
    full = next(b for b in blocks if b.startswith("organisation:"))
    prog = load_programme(write(tmp_path, full))
    assert (prog.start_month, prog.compliance_from_month, prog.extract_date) == (
        "2018-11",
        "2018-12",
        "2020-10-05",
    )
    assert prog.columns == {"audit_id": "Audit Ref", "team": "Team Name"}
    assert prog.labels["team"] == {"North Team": "Team North"}
    assert prog.themes == {"2020-09": ("cin",)} and prog.date_format == "day-first"
    base = "organisation: X\nstart_month: 2018-11\n"
    six = next(b for b in blocks if b.startswith("cohorts:\n  cin:"))
    assert load_programme(write(tmp_path, base + six)).cohorts == dict(DEFAULT_COHORTS)
    own = next(b for b in blocks if "domestic_abuse:" in b and b.startswith("cohorts:"))
    prog = load_programme(write(tmp_path, base + own))
    assert list(prog.cohorts) == ["domestic_abuse", "teenagers_neglect", "exploitation"]
    assert prog.cohorts["exploitation"].describe() == (
        "primary_need is one of exploitation, criminal exploitation"
    )
    readme = next(b for b in yaml_blocks(ROOT / "README.md") if b.startswith("files:"))
    prog = load_programme(write(tmp_path, base + readme))
    assert prog.themes == {"2022-03": ("domestic_abuse",)}


def test_the_demo_programme_defines_the_seed_cohorts():
    prog = load_programme(ROOT / "data" / "demo")
    assert prog.cohorts_defined and prog.cohorts == dict(DEFAULT_COHORTS)
