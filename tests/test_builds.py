"""auditlib.publish.builds: build records, when a report is reused, rebuilt or left frozen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditlib.publish import builds, index

MONTH = "2021-12"
FINGERPRINT = {"version": 1, "digest": "aaa", "parts": {"audit rows": "r1", "settings": "s1"}}


def _report(out: Path, month: str = MONTH, fingerprint=FINGERPRINT) -> Path:
    """A complete report folder, as the runner leaves one."""
    folder = out / month
    folder.mkdir(parents=True)
    (folder / f"audit-highlights-{month}.html").write_text("<html>report</html>\n")
    (folder / f"audit-highlights-{month}.ipynb").write_text("{}")
    (folder / "figures.json").write_text(json.dumps({"report_month": month}))
    (folder / "tables").mkdir()
    (folder / "tables" / "headline.csv").write_text("table,row,column,value\n")
    builds.write_build_record(folder, builds.build_record(month, fingerprint, folder, 1.5))
    return folder


def _plan(out: Path, fingerprint=FINGERPRINT, **kwargs) -> builds.MonthPlan:
    return builds.plan_month(out / MONTH, MONTH, fingerprint, **kwargs)


def test_a_complete_report_with_the_same_fingerprint_is_reused(tmp_path):
    _report(tmp_path)
    plan = _plan(tmp_path)
    assert (plan.action, plan.reason) == ("reuse", "its inputs are unchanged")


def test_a_changed_fingerprint_rebuilds_and_says_which_inputs_changed(tmp_path):
    _report(tmp_path)
    changed = {"version": 1, "digest": "bbb", "parts": {"audit rows": "r2", "settings": "s1"}}
    plan = _plan(tmp_path, changed)
    assert (plan.action, plan.reason) == ("build", "changed: audit rows")


def test_a_month_without_a_report_or_fingerprint_is_built(tmp_path):
    assert _plan(tmp_path).action == "build"
    assert _plan(tmp_path).reason == "it has no report yet"
    _report(tmp_path)
    assert _plan(tmp_path, None).action == "build"


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (lambda f: (f / "figures.json").unlink(), "figures.json missing"),
        (lambda f: (f / "figures.json").write_text('{"report_month": "2021-1'), "figures.json"),
        (
            lambda f: (f / f"audit-highlights-{MONTH}.html").write_text("<html>rep"),
            "not the one that was built",
        ),
        (lambda f: (f / "build.json").write_text("{not json"), "no readable build.json"),
        (lambda f: (f / "tables" / "headline.csv").unlink(), "tables/headline.csv"),
        (
            lambda f: (f / "tables" / "headline.csv").write_text("table,row\n"),
            "tables/headline.csv is not the one that was built",
        ),
        (
            lambda f: (f / "tables" / "stray.csv").write_text("x\n"),
            "holds tables/stray.csv, which was not built with it",
        ),
        (lambda f: (f / f"audit-highlights-{MONTH}.ipynb").unlink(), "ipynb missing"),
    ],
)
def test_a_corrupt_or_partial_report_is_never_reused(tmp_path, damage, words):
    folder = _report(tmp_path)
    damage(folder)
    plan = _plan(tmp_path)
    assert plan.action == "build" and words in plan.reason


def test_figures_for_another_month_are_not_reused(tmp_path):
    folder = _report(tmp_path)
    (folder / "figures.json").write_text(json.dumps({"report_month": "2021-11"}))
    record = json.loads((folder / "build.json").read_text())
    record["files"]["figures.json"] = builds._sha256(folder / "figures.json")
    (folder / "build.json").write_text(json.dumps(record))
    assert "for another month" in _plan(tmp_path).reason


def test_force_rebuilds_an_up_to_date_month(tmp_path):
    _report(tmp_path)
    assert (_plan(tmp_path, force=True).action, _plan(tmp_path, force=True).reason) == (
        "build",
        "--force",
    )


def test_a_frozen_month_is_left_alone_even_when_its_inputs_change_or_force_is_given(tmp_path):
    folder = _report(tmp_path)
    facts = builds.freeze(folder, MONTH, "approved by the board")
    changed = {"version": 1, "digest": "bbb", "parts": {"audit rows": "r2"}}
    for kwargs in ({}, {"force": True}):
        plan = _plan(tmp_path, changed, **kwargs)
        assert plan.action == "frozen"
        assert plan.reason.startswith("frozen since ") and "approved by the board" in plan.reason
    # Named with --month and forced: rebuilt (the runner keeps it frozen).
    assert _plan(tmp_path, changed, force=True, named=True).action == "build"
    assert facts.since is not None


def test_programme_yml_freezes_a_month_and_a_missing_one_is_built_once(tmp_path):
    plan = _plan(tmp_path, frozen_in_programme={MONTH: ""})
    assert (plan.action, plan.reason) == ("build", "it is frozen but has no report yet")
    _report(tmp_path)
    changed = {"version": 1, "digest": "bbb", "parts": {}}
    plan = _plan(tmp_path, changed, force=True, frozen_in_programme={MONTH: "Board, 3 Feb 2022"})
    assert plan.action == "frozen" and plan.reason == "frozen in programme.yml — Board, 3 Feb 2022"


def test_a_frozen_report_damaged_since_is_kept_and_the_fix_is_named(tmp_path):
    folder = _report(tmp_path)
    builds.freeze(folder, MONTH)
    (folder / "figures.json").unlink()
    plan = _plan(tmp_path)
    assert plan.action == "frozen"
    assert "figures.json missing" in plan.reason and f"--month {MONTH} --force" in plan.reason


def test_freeze_refuses_a_folder_without_a_whole_report(tmp_path):
    with pytest.raises(ValueError, match="no report yet"):
        builds.freeze(tmp_path / MONTH, MONTH)
    folder = _report(tmp_path)
    (folder / f"audit-highlights-{MONTH}.html").unlink()
    with pytest.raises(ValueError, match="html missing"):
        builds.freeze(folder, MONTH)


def test_unfreeze_and_carry_frozen(tmp_path):
    folder = _report(tmp_path)
    builds.freeze(folder, MONTH, "approved")
    new = tmp_path / "new"
    new.mkdir()
    builds.carry_frozen(folder, new)
    carried = json.loads((new / builds.FROZEN_FILE).read_text())
    assert carried["note"] == "approved" and carried["rebuilt_at"]
    assert builds.unfreeze(folder) is True and builds.unfreeze(folder) is False
    assert builds.frozen_state(folder, MONTH) is None


def test_note_reused_records_the_run_and_keeps_the_report(tmp_path):
    folder = _report(tmp_path)
    before = (folder / f"audit-highlights-{MONTH}.html").read_bytes()
    builds.note_reused(folder)
    facts = builds.read_build(folder)
    assert facts is not None and facts.last_run == "reused"
    assert facts.fingerprint == "aaa" and facts.seconds == 1.5
    assert (folder / f"audit-highlights-{MONTH}.html").read_bytes() == before
    assert _plan(tmp_path).action == "reuse"  # noting the run does not spoil the record


def test_index_status_says_built_reused_or_frozen(tmp_path):
    folder = _report(tmp_path)
    assert index.build_status(folder) == "built by the last run"
    builds.note_reused(folder)
    status = index.build_status(folder)
    assert (
        status.startswith("reused by the last run (") and "unchanged since it was built" in status
    )
    assert index.build_status(folder, {MONTH: "Board"}) == "frozen in programme.yml — Board"
    builds.freeze(folder, MONTH)
    assert index.build_status(folder).startswith("frozen since ")
    page = index.write_index(tmp_path).read_text(encoding="utf-8")
    assert "frozen since " in page
    assert index.build_status(tmp_path / "2021-11") == ""
