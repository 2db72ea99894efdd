"""auditlib.report.figures: a month's figures depend on its own months' rows, not later ones."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from auditlib.analysis import metrics
from auditlib.data import schema
from auditlib.data.pipeline import load_audit_data
from auditlib.demo.next_month import append_month
from auditlib.paths import DEMO_DATA_DIR
from auditlib.report import figures


def _with_a_messy_new_month(folder: Path) -> str:
    """The demo folder plus next month's export, with a blank line, an exact duplicate
    and a new spelling of a team in the new month's rows (each a warning or exclusion)."""
    shutil.copytree(DEMO_DATA_DIR, folder)
    month = append_month(folder)
    lines = (folder / "audits.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    last = lines[-1]
    variant = last.replace("Assessment Team North West", "assessment team north west")
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
        old, new = figures.build_figures(before, month), figures.build_figures(after, month)
        assert old["input_hash"] != new["input_hash"]
        old.pop("input_hash"), new.pop("input_hash")
        assert old == new, month


def test_the_new_month_accounts_for_its_own_rows(before_and_after):
    before, after, month = before_and_after
    quality = figures.build_figures(after, month)["data_quality"]
    previous = figures.build_figures(before, "2020-09")["data_quality"]
    added = len(after.audits) - len(before.audits)
    assert quality["rows_used"] == previous["rows_used"] + added
    # The duplicate is excluded in the new month; the blank line belongs to no month.
    assert quality["excluded_by_reason"] == {"exact duplicate of an earlier row": 1}
    assert quality["rows_read"] == quality["rows_used"] + 1
    assert after.reconciliation["audits"].rows_read == quality["rows_read"] + 1
    assert quality["warnings"] > previous["warnings"]
    assert any("'assessment team north west' (1 row)" in n for n in quality["notes"])
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
        assert figures.month_as_at(before, month) == expected
    assert figures.month_as_at(before, "2018-11") == dt.date(2019, 1, 2)
    assert figures.month_as_at(before, "2020-09") == dt.date(2020, 10, 3)


def test_a_late_completion_moves_its_months_as_at_on(tmp_path):
    folder = tmp_path / "late"
    shutil.copytree(DEMO_DATA_DIR, folder)
    text = (folder / "audits.csv").read_text(encoding="utf-8")
    line = next(row for row in text.splitlines() if ",2019-03," in row and ",extension," in row)
    done = line.replace(",,extension,", ",2020-06-15,completed,", 1)
    (folder / "audits.csv").write_text(text.replace(line, done), encoding="utf-8")
    after = load_audit_data(folder)
    assert line != done and figures.month_as_at(after, "2019-03") == dt.date(2020, 6, 15)
    assert figures.month_as_at(after, "2019-02") == dt.date(2019, 5, 3)
