"""auditlib.report.figures: the SPC section and the monthly compliance the overview page reads,
and a month's figures depending on its own months' rows, not on later ones.

The limits are checked against the XmR arithmetic done here by hand on figures.json's own
trend numbers, not by calling the SPC code again: mean ± 2.66 × mean moving range, as
NHSRplotthedots computes it — moving ranges only between consecutive months (none across a
paused month), screened once at 3.267 × their mean (docs/methods.md).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from auditlib import disclosure
from auditlib.analysis import metrics
from auditlib.data import schema
from auditlib.data.pipeline import load_audit_data
from auditlib.demo.next_month import append_month
from auditlib.paths import DEMO_DATA_DIR
from auditlib.report import figures as figures_module
from auditlib.report.figures import build_figures

AUDITED = "audited"


@pytest.fixture(scope="module")
def demo():
    return load_audit_data(DEMO_DATA_DIR)


@pytest.fixture(scope="module")
def september(demo):
    return build_figures(demo, "2020-09")


def _xmr(values: list[float | None]) -> tuple[float, float, float]:
    """Mean and limits of a monthly series in which None is a gap (a paused month)."""
    seen = [v for v in values if v is not None]
    mean = sum(seen) / len(seen)
    moving = [abs(b - a) for a, b in itertools.pairwise(values) if a is not None and b is not None]
    average = sum(moving) / len(moving)
    kept = [m for m in moving if m < 3.267 * average]
    spread = 2.66 * sum(kept) / len(kept)
    return mean, max(0.0, mean - spread), min(100.0, mean + spread)


def test_each_trend_month_states_its_compliance(september):
    for entry in september["trend"]:
        if entry["state"] == AUDITED:
            assert entry["compliance_pct"] == pytest.approx(
                100 * entry["completed"] / entry["allocated"]
            )
        else:
            assert entry["compliance_pct"] is None, entry["month"]
    last = september["trend"][-1]
    assert last["compliance_pct"] == pytest.approx(september["month"]["compliance_pct"])


def test_compliance_limits_follow_the_xmr_rule_from_the_headline_start(september):
    reading = september["spc"]["compliance"]
    window = [e for e in september["trend"] if e["month"] >= september["programme"]["from_month"]]
    months = [e for e in window if e["state"] == AUDITED]
    mean, lower, upper = _xmr([e["compliance_pct"] for e in window])
    assert reading["mean"] == pytest.approx(mean)
    assert reading["lower_limit"] == pytest.approx(lower)
    assert reading["upper_limit"] == pytest.approx(upper)
    assert list(reading["points"]) == [e["month"] for e in months]  # paused months are gaps
    assert "2018-11" not in reading["points"]  # before compliance counts
    assert reading["limits_from"] == "2018-12"


def test_judgement_limits_follow_the_xmr_rule_over_the_whole_trend(september):
    for key, share in (("good_or_better", "good_or_better_pct"), ("inadequate", "Inadequate")):
        reading = september["spc"][key]
        values = [e[share] if e["state"] == AUDITED else None for e in september["trend"]]
        mean, lower, upper = _xmr(values)
        assert reading["mean"] == pytest.approx(mean), key
        assert reading["lower_limit"] == pytest.approx(lower), key
        assert reading["upper_limit"] == pytest.approx(upper), key
        assert reading["share"] == share


def test_the_latest_month_signal_and_verdict(september):
    spc = september["spc"]
    # September 2020 (demo): 61 of 93 completed, far under the usual compliance; Good or
    # better above its average since October 2019, but the December 2019 and spring 2020
    # pauses break that run (only four months since), so within normal variation;
    # Inadequate 7 % within its range.
    assert spc["compliance"]["signal"] == "concern"
    assert spc["compliance"]["latest_rules"] == ["astronomical"]
    assert spc["compliance"]["verdict"].startswith("Audit compliance in September 2020 (66%)")
    assert spc["good_or_better"]["signal"] == "common_cause"
    assert spc["good_or_better"]["verdict"].startswith(
        "% Good or better in September 2020 (34%): within normal variation"
    )
    assert spc["inadequate"]["signal"] == "common_cause"
    assert spc["inadequate"]["verdict"].startswith(
        "% Inadequate in September 2020 (7%): within normal variation"
    )
    for reading in spc.values():
        if isinstance(reading, dict):
            assert reading["latest_month"] == "2020-09"


def test_the_first_month_has_too_few_months_and_no_compliance_chart(demo):
    first = build_figures(demo, "2018-11")
    assert first["spc"]["compliance"] is None  # compliance counts from December 2018
    assert first["spc"]["inadequate"]["signal"] == "too_few_months"
    assert "too few months to tell" in first["spc"]["inadequate"]["verdict"]


def test_a_month_with_too_few_audits_says_so_without_its_share():
    import pandas as pd

    from auditlib.analysis import spc

    result = spc.compute_xmr(
        [20.0, 22.0, 19.0, 21.0, 20.0, 23.0, 18.0, 50.0], x=[f"2020-0{i}" for i in range(1, 9)]
    )
    reading = figures_module.spc_summary(result, "inadequate", "August 2020", "2020-08", n=6)
    assert reading["signal"] == figures_module.TOO_FEW_AUDITS
    assert "50%" not in reading["verdict"] and "too few audits" in reading["verdict"]
    # A month with no point of its own (nothing completed) is never read from an earlier one.
    reading = figures_module.spc_summary(result, "inadequate", "September 2020", "2020-09", n=0)
    assert reading["signal"] == figures_module.TOO_FEW_AUDITS
    assert reading["latest_variation"] is None
    assert isinstance(result.data, pd.DataFrame)


def test_published_figures_hide_the_readings_a_suppressed_month_rests_on(september):
    published = disclosure.apply_to_figures(september, "published")
    trend = {e["month"]: e for e in published["trend"]}
    inadequate = published["spc"]["inadequate"]
    hidden = [m for m, e in trend.items() if e["Inadequate"] == disclosure.SUPPRESSED]
    assert hidden  # the demo programme has months of 1 to 5 Inadequate
    for month in hidden:
        assert inadequate["points"][month] == disclosure.SUPPRESSED
    assert inadequate["mean"] == disclosure.SUPPRESSED
    assert inadequate["upper_limit"] == disclosure.SUPPRESSED
    # The signal stays (the report says it too); the percentages of the verdict do not.
    assert inadequate["signal"] == "common_cause"
    assert "%)" not in inadequate["verdict"] and "[c]" in inadequate["verdict"]
    # Compliance rests on no hidden month: it is unchanged.
    assert published["spc"]["compliance"] == september["spc"]["compliance"]
    assert json.loads(json.dumps(published)) == published


# ---------------------------------------------------------------- not re-dated by later months
def _last_team(folder: Path, month: str) -> str:
    """The team of the last row of ``month`` in the folder's audits.csv (next month's export
    appends its rows at the end)."""
    audits = pd.read_csv(folder / "audits.csv", dtype=str)
    return str(audits.loc[audits["audit_month"] == month, "team"].iloc[-1])


def _with_a_messy_new_month(folder: Path) -> str:
    """The demo folder plus next month's export, with a blank line, an exact duplicate
    and a new spelling of a team in the new month's rows (each a warning or exclusion)."""
    shutil.copytree(DEMO_DATA_DIR, folder)
    month = append_month(folder)
    lines = (folder / "audits.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    last = lines[-1]
    team = _last_team(folder, month)
    assert team != team.lower()
    variant = last.replace(team, team.lower())
    variant = variant.replace(last.split(",")[0], "A0009999")
    lines += [",".join([""] * len(header)), last, variant]
    (folder / "audits.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return month


@pytest.fixture(scope="module")
def before_and_after(tmp_path_factory):
    folder = tmp_path_factory.mktemp("figures") / "demo"
    month = _with_a_messy_new_month(folder)
    return load_audit_data(DEMO_DATA_DIR), load_audit_data(folder), month


def test_a_new_months_rows_change_no_earlier_months_figures(before_and_after):
    before, after, new_month = before_and_after
    assert new_month == "2020-10"
    assert after.reconciliation["audits"].excluded_by_reason  # the mess was seen
    for month in metrics.audited_months(before.audits):
        old, new = (
            figures_module.build_figures(before, month),
            figures_module.build_figures(after, month),
        )
        assert old["input_hash"] != new["input_hash"]
        old.pop("input_hash"), new.pop("input_hash")
        assert old == new, month


def test_the_new_month_accounts_for_its_own_rows(before_and_after):
    before, after, month = before_and_after
    quality = figures_module.build_figures(after, month)["data_quality"]
    previous = figures_module.build_figures(before, "2020-09")["data_quality"]
    added = len(after.audits) - len(before.audits)
    assert quality["rows_used"] == previous["rows_used"] + added
    # The duplicate is excluded in the new month; the blank line belongs to no month.
    assert quality["excluded_by_reason"] == {"exact duplicate of an earlier row": 1}
    assert quality["rows_read"] == quality["rows_used"] + 1
    assert after.reconciliation["audits"].rows_read == quality["rows_read"] + 1
    assert quality["warnings"] > previous["warnings"]
    variant = _last_team(after.data_dir, month)  # the new spelling, in the last row
    assert variant == variant.lower()
    assert any(f"{variant!r} (1 row)" in n for n in quality["notes"]), quality["notes"]
    assert quality["tables"]["feedback"]["rows_read"] > previous["tables"]["feedback"]["rows_read"]


def test_as_at_is_the_latest_date_a_months_rows_hold_and_never_after_the_extract(
    before_and_after,
):
    before, _, _ = before_and_after
    audits = before.audits
    for month in ("2018-11", "2020-02", "2020-09"):
        rows = audits.loc[audits[schema.AUDIT_MONTH] <= month]
        latest = max(rows[schema.ALLOCATED_DATE].max(), rows[schema.COMPLETED_DATE].max())
        expected = min(latest.date(), dt.date.fromisoformat(before.programme.extract_date))
        assert figures_module.month_as_at(before, month) == expected
    assert figures_module.month_as_at(before, "2018-11") == dt.date(2019, 1, 2)
    assert figures_module.month_as_at(before, "2020-09") == dt.date(2020, 10, 3)


def test_a_late_completion_moves_its_months_as_at_on(tmp_path):
    folder = tmp_path / "late"
    shutil.copytree(DEMO_DATA_DIR, folder)
    text = (folder / "audits.csv").read_text(encoding="utf-8")
    line = next(row for row in text.splitlines() if ",2019-03," in row and ",extension," in row)
    done = line.replace(",,extension,", ",2020-06-15,completed,", 1)
    (folder / "audits.csv").write_text(text.replace(line, done), encoding="utf-8")
    after = load_audit_data(folder)
    assert line != done and figures_module.month_as_at(after, "2019-03") == dt.date(2020, 6, 15)
    assert figures_module.month_as_at(after, "2019-02") == dt.date(2019, 5, 3)


def test_the_data_quality_facts_count_the_rows_up_to_the_report_month(before_and_after):
    _, after, month = before_and_after
    new = figures_module.build_figures(after, month)["data_quality"]
    old = figures_module.build_figures(after, "2020-09")["data_quality"]
    # Warnings by kind add up to the warnings counted; the duplicate is the new month's.
    for dq in (new, old):
        assert sum(k["count"] for k in dq["warnings_by_kind"]) == dq["warnings"]
    duplicates = [k for k in new["warnings_by_kind"] if k["warning"].startswith("exact duplicate")]
    assert [(k["file"], k["count"]) for k in duplicates] == [("audits.csv", 1)]
    assert not any(k["warning"].startswith("exact duplicate") for k in old["warnings_by_kind"])
    # Merges: the new spelling (one row) only in the new month's figures.
    variant = _last_team(after.data_dir, month)
    assert [m["rows"] for m in new["name_merges"] if m["spelling"] == variant] == [1]
    assert not [m for m in old["name_merges"] if m["spelling"] == variant]
    assert (
        sum(m["rows"] for m in new["name_merges"]) == sum(m["rows"] for m in old["name_merges"]) + 1
    )
    # What is said of the files is the same in both reports.
    for key in ("files", "date_readings", "newer_exports", "left_out"):
        assert new[key] == old[key], key
    assert new["files"]["audits"] == {"file": "audits.csv", "format": "CSV separated by commas"}
