"""auditlib.publish.fingerprint: a month's fingerprint changes exactly when what it reads does."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from auditlib.data.pipeline import load_audit_data
from auditlib.paths import DEMO_DATA_DIR, NOTEBOOKS_DIR
from auditlib.publish import fingerprint
from auditlib.publish.layout import MONTHLY_NOTEBOOK

NOTEBOOK = NOTEBOOKS_DIR / MONTHLY_NOTEBOOK


def _copy_demo(folder: Path) -> Path:
    shutil.copytree(DEMO_DATA_DIR, folder)
    return folder


def _edit_csv(path: Path, row_id: str, column: str, value: str, key: str = "audit_id") -> str:
    """Set one cell of the row whose ``key`` is ``row_id``; returns that row's audit_month."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0])
    target = next(r for r in rows if r[key] == row_id)
    target[column] = value
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fields)
        writer.writeheader()
        writer.writerows(rows)
    return target["audit_month"]


def _fingerprints(folder: Path, **parameters: str) -> dict[str, fingerprint.Fingerprint]:
    data = load_audit_data(folder)
    from auditlib.analysis import metrics

    months = metrics.audited_months(data.audits)
    return fingerprint.month_fingerprints(data, months, notebook=NOTEBOOK, parameters=parameters)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict[str, fingerprint.Fingerprint]:
    return _fingerprints(_copy_demo(tmp_path_factory.mktemp("fp") / "demo"))


def _changed(before, after, part: str) -> list[str]:
    return [m for m in before if before[m].parts[part] != after[m].parts[part]]


def _digest_changed(before, after) -> list[str]:
    return [m for m in before if before[m].digest != after[m].digest]


def test_fingerprints_are_deterministic_and_have_every_part(demo, tmp_path):
    again = _fingerprints(_copy_demo(tmp_path / "again"))
    assert {m: f.digest for m, f in demo.items()} == {m: f.digest for m, f in again.items()}
    assert list(demo["2020-09"].parts) == list(fingerprint.PARTS)
    assert len({f.digest for f in demo.values()}) == len(demo)  # every month reads other rows
    record = demo["2020-09"].as_record()
    assert record["digest"] == demo["2020-09"].digest and record["version"] == 1


def test_a_moderated_past_judgement_changes_exactly_the_months_that_show_it(demo, tmp_path):
    folder = _copy_demo(tmp_path / "moderated")
    with open(folder / "audits.csv", newline="", encoding="utf-8") as handle:
        row = next(
            r
            for r in csv.DictReader(handle)
            if r["audit_month"] == "2019-06" and r["moderated_judgement"] == "Requires Improvement"
        )
    _edit_csv(folder / "audits.csv", row["audit_id"], "moderated_judgement", "Good")
    after = _fingerprints(folder)
    shown_from = [m for m in demo if m >= "2019-06"]
    assert _changed(demo, after, "audit rows") == shown_from
    assert _digest_changed(demo, after) == shown_from
    assert after["2019-06"].changed_parts(demo["2019-06"].parts) == ["audit rows"]


def test_a_late_completion_changes_its_month_and_every_later_one(demo, tmp_path):
    folder = _copy_demo(tmp_path / "late")
    with open(folder / "audits.csv", newline="", encoding="utf-8") as handle:
        row = next(
            r
            for r in csv.DictReader(handle)
            if r["audit_month"] == "2020-06" and r["status"] == "extension"
        )
    _edit_csv(folder / "audits.csv", row["audit_id"], "status", "completed")
    _edit_csv(folder / "audits.csv", row["audit_id"], "completed_date", "2020-09-30")
    _edit_csv(folder / "audits.csv", row["audit_id"], "overall_judgement", "Good")
    after = _fingerprints(folder)
    assert _changed(demo, after, "audit rows") == ["2020-06", "2020-07", "2020-08", "2020-09"]


def test_feedback_changes_only_the_months_whose_recurring_themes_read_it(demo, tmp_path):
    folder = _copy_demo(tmp_path / "feedback")
    with open(folder / "feedback.csv", newline="", encoding="utf-8") as handle:
        first = next(r for r in csv.DictReader(handle) if r["audit_month"] == "2019-03")
    _edit_csv(
        folder / "feedback.csv", first["feedback_id"], "text", "A new comment.", "feedback_id"
    )
    after = _fingerprints(folder)
    # March 2019 and the next two audit months look back at it; nothing else does.
    assert _changed(demo, after, "feedback") == ["2019-03", "2019-04", "2019-05"]
    assert _digest_changed(demo, after) == ["2019-03", "2019-04", "2019-05"]


def test_settings_count_only_where_a_month_uses_them(demo, tmp_path):
    folder = _copy_demo(tmp_path / "settings")
    programme = (folder / "programme.yml").read_text(encoding="utf-8")
    programme = programme.replace(
        'month_labels:\n  "2019-07": "July/August 2019"',
        'month_labels:\n  "2019-07": "July/August 2019"\n  "2020-06": "June 2020 (restart)"',
    )
    programme += '\nfrozen: ["2019-01"]\npauses_note: ignored\n'
    (folder / "programme.yml").write_text(programme, encoding="utf-8")
    after = _fingerprints(folder)
    assert _changed(demo, after, "settings") == ["2020-06", "2020-07", "2020-08", "2020-09"]
    organisation = programme.replace("organisation: Example Council", "organisation: Other")
    (folder / "programme.yml").write_text(organisation, encoding="utf-8")
    assert _changed(demo, _fingerprints(folder), "settings") == list(demo)


def test_the_disclosure_profile_and_the_notebook_count_for_every_month(demo, tmp_path):
    published = _fingerprints(_copy_demo(tmp_path / "published"), disclosure="published")
    assert _changed(demo, published, "disclosure") == list(demo)
    assert _changed(demo, published, "audit rows") == []
    stated = _fingerprints(_copy_demo(tmp_path / "stated"), disclosure="internal")
    assert _digest_changed(demo, stated) == []  # programme.yml says internal already


def test_next_months_export_leaves_every_earlier_fingerprint_as_it_was(demo, tmp_path):
    from auditlib.demo.next_month import append_month

    folder = _copy_demo(tmp_path / "next")
    month = append_month(folder)
    after = _fingerprints(folder)
    assert list(after) == [*demo, month]
    assert _digest_changed(demo, after) == []


def test_text_window_is_the_recurring_themes_window():
    months = ["2019-10", "2019-11", "2020-01", "2020-02", "2020-06"]
    assert fingerprint.text_window(months, "2020-06") == ["2020-01", "2020-02", "2020-06"]
    assert fingerprint.text_window(months, "2019-11") == ["2019-10", "2019-11"]


# ---------------------------------------------------------------- the command, real kernels
TINY_PROGRAMME = """\
organisation: Tiny Council
programme: Three-month programme
start_month: "2021-03"
compliance_from_month: "2021-03"
disclosure: internal
contact: Audit lead, Tiny Council
"""
TINY_HEADER = (
    "audit_id,child_id,audit_type,audit_month,allocated_date,due_date,completed_date,"
    "status,team,overall_judgement,moderated_judgement"
)
JUDGEMENTS = ("Good", "Requires Improvement", "Inadequate", "Requires Improvement")


def _tiny_rows(month: str, first: int) -> list[str]:
    rows = []
    for i, judgement in enumerate(JUDGEMENTS):
        n = first + i
        rows.append(
            f"A{n:04d},C90{n:05d},audit,{month},{month}-0{i + 1},{month}-28,{month}-2{i},"
            f"completed,Team {'AB'[i % 2]},{judgement},"
        )
    return rows


def _report(*args: str | Path) -> str:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "auditlib", "report", "--no-progress", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    return done.stdout


@pytest.mark.slow
def test_report_all_rebuilds_only_what_changed_and_leaves_a_frozen_month(tmp_path):
    from auditlib import cli

    data, out = tmp_path / "data", tmp_path / "out"
    data.mkdir()
    (data / "programme.yml").write_text(TINY_PROGRAMME, encoding="utf-8")
    rows = _tiny_rows("2021-03", 1) + _tiny_rows("2021-04", 11) + _tiny_rows("2021-05", 21)
    (data / "audits.csv").write_text("\n".join([TINY_HEADER, *rows]) + "\n", encoding="utf-8")

    said = _report("--all", "--data", data, "--out", out)
    assert "3 of 3 report(s) produced" in said and "3 built, 0 reused" in said

    html = {
        m: (out / m / f"audit-highlights-{m}.html").read_bytes() for m in ("2021-03", "2021-05")
    }
    said = _report("--all", "--data", data, "--out", out)
    assert "0 built, 3 reused (inputs unchanged)" in said

    # A moderated judgement in April: April and May show it, March does not.
    moderated = (
        (data / "audits.csv")
        .read_text(encoding="utf-8")
        .replace(
            "A0012,C9000012,audit,2021-04,2021-04-02,2021-04-28,2021-04-21,completed,Team B,"
            "Requires Improvement,",
            "A0012,C9000012,audit,2021-04,2021-04-02,2021-04-28,2021-04-21,completed,Team B,"
            "Requires Improvement,Good",
        )
    )
    (data / "audits.csv").write_text(moderated, encoding="utf-8")
    said = _report("--all", "--data", data, "--out", out)
    assert "2 built, 1 reused" in said
    assert "Built (changed: audit rows): 2021-04, 2021-05." in said
    assert (out / "2021-03" / "audit-highlights-2021-03.html").read_bytes() == html["2021-03"]
    figures = (out / "2021-05" / "figures.json").read_text(encoding="utf-8")
    assert '"Good": 2' in figures  # May's trend shows April's moderated judgement

    # May is approved and frozen; a later change to April rebuilds only the others.
    assert cli.main(["freeze", "--month", "2021-05", "--out", str(out), "--note", "Board"]) == 0
    approved = _files(out / "2021-05")
    (data / "audits.csv").write_text(moderated.replace(",Good\n", ",Outstanding\n"), "utf-8")
    said = _report("--all", "--force", "--data", data, "--out", out)
    assert "2 built, 0 reused (inputs unchanged), 1 left as frozen" in said
    assert _files(out / "2021-05") == approved
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "frozen since" in index and "— Board" in index

    # Next month's export: only the new month is built.
    with open(data / "audits.csv", "a", encoding="utf-8") as handle:
        handle.write("\n".join(_tiny_rows("2021-06", 31)) + "\n")
    said = _report("--all", "--data", data, "--out", out)
    assert "1 built, 2 reused (inputs unchanged), 1 left as frozen" in said
    assert "Built (it has no report yet): 2021-06." in said


def _files(folder: Path) -> dict[str, bytes]:
    """Every file under a report folder (tables/ included) and its bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }
