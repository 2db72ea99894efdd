"""auditlib.demo.next_month: next month's export for a demo folder, old lines untouched."""

from __future__ import annotations

import shutil

from auditlib.analysis import metrics
from auditlib.data.pipeline import load_audit_data
from auditlib.demo.next_month import append_month
from auditlib.paths import DEMO_DATA_DIR


def test_append_month_adds_a_valid_month_and_keeps_every_existing_line(tmp_path):
    folder = tmp_path / "demo"
    shutil.copytree(DEMO_DATA_DIR, folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert append_month(folder) == "2020-10"
    for name in ("audits.csv", "feedback.csv", "reflections.csv", "recommendations.yml"):
        after = (folder / name).read_bytes()
        assert after.startswith(before[name]) and len(after) > len(before[name]), name
    programme = (folder / "programme.yml").read_text(encoding="utf-8")
    assert 'extract_date: "2020-11-05"' in programme
    data = load_audit_data(folder)  # strict: any error would raise
    old = load_audit_data(DEMO_DATA_DIR)
    assert metrics.audited_months(data.audits)[-1] == "2020-10"
    new_rows = data.audits.loc[data.audits["audit_month"] == "2020-10"]
    template = old.audits.loc[
        (old.audits["audit_month"] == "2020-09") & (old.audits["audit_type"] == "audit")
    ]
    assert len(new_rows) == len(template)
    assert not set(new_rows["audit_id"]) & set(old.audits["audit_id"])
    assert (data.feedback["audit_month"] == "2020-10").any()
    assert "2020-10" in data.recommendations
    assert append_month(folder) == "2020-11"
