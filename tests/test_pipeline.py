"""auditlib.data.pipeline: a data folder loaded ahead is handed out only while it is unchanged."""

from __future__ import annotations

import shutil

from auditlib.data import pipeline
from auditlib.paths import DEMO_DATA_DIR


def test_preloaded_data_is_reused_until_a_file_changes(tmp_path, monkeypatch):
    folder = tmp_path / "demo"
    shutil.copytree(DEMO_DATA_DIR, folder)
    monkeypatch.setattr(pipeline, "_PRELOADED", {})
    pipeline.preload_audit_data(folder)
    first = pipeline.load_audit_data(folder)
    assert pipeline.load_audit_data(str(folder)) is first  # no reading or cleaning again
    with open(folder / "feedback.csv", "a", encoding="utf-8") as handle:
        handle.write("F09999,A0000001,2018-11,parent,strength,Kind and clear.\n")
    fresh = pipeline.load_audit_data(folder)
    assert fresh is not first and len(fresh.feedback) == len(first.feedback) + 1
    assert fresh.input_hash != first.input_hash
