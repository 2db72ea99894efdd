"""auditlib.report.preload and the caches it fills: a month's report is the same whether or
not the work was done ahead, or another month's report ran first in the same process."""

from __future__ import annotations

import os
from typing import Any

import pandas as pd
import pytest

from auditlib.analysis import redaction, voices
from auditlib.data import schema
from auditlib.data.pipeline import load_audit_data
from auditlib.paths import DEMO_DATA_DIR
from auditlib.report import display, monthly
from auditlib.report.blocks import Callout, Chart, Heading, Markdown, Table
from auditlib.report.charts import layout, style
from auditlib.report.monthly.context import report_themes
from auditlib.report.preload import preload, premeasure_chart_texts

#: The pure-function caches a month's kernel may find filled by the pre-imported process.
CACHES = (redaction._redact_remembered, voices._packaged_themes)


def clear_caches() -> None:
    for cache in CACHES:
        cache.cache_clear()
    voices._TAGGED.clear()
    layout._MEASURED.clear()
    layout._line_width.cache_clear()
    display._svg_text_metrics.cache_clear()


def report_text(month: str, disclosure: str = "internal") -> list[Any]:
    """Everything a month's report shows, as comparable values (charts as their SVG)."""
    ctx = monthly.prepare(month, str(DEMO_DATA_DIR), disclosure)
    shown: list[Any] = []
    for block in monthly.build(ctx):
        if isinstance(block, (Heading, Markdown, Callout)):
            shown.append(block.text)
        elif isinstance(block, Table):
            shown.append((block.caption, block.frame.to_csv()))
        elif isinstance(block, Chart):
            data, metadata = display.render_figure(block.figure, block.alt, block.caption)
            display._close(block.figure)
            shown.append((data, metadata))
    shown.append(ctx.published_figures)
    return shown


def test_tagging_ahead_gives_what_tagging_afresh_gives():
    data = load_audit_data(DEMO_DATA_DIR)
    themes = report_themes(data)
    clear_caches()
    afresh = voices.tag_themes(data.feedback, themes, denylist=data.denylist)
    assert redaction._redact_remembered.cache_info().currsize > 0
    preload(DEMO_DATA_DIR)
    ahead = voices.tag_themes(data.feedback, themes, denylist=data.denylist)
    assert (
        sum(len(texts) for texts in voices._TAGGED.values()) >= data.feedback[schema.TEXT].nunique()
    )
    pd.testing.assert_frame_equal(ahead, afresh)
    # and each row has lists of its own: changing one row's tags leaves the cache alone
    ahead.loc[ahead.index[0], voices.THEMES].append("changed")
    again = voices.tag_themes(data.feedback, themes, denylist=data.denylist)
    pd.testing.assert_frame_equal(again, afresh)


def test_remembered_redaction_equals_redaction_worked_out():
    data = load_audit_data(DEMO_DATA_DIR)
    names = tuple(data.denylist)
    texts = [*data.feedback[schema.TEXT].dropna().tolist(), "Mr Smith, 07989 081145"]
    for text in texts:
        text_out, counts = redaction._redact_remembered.__wrapped__(text, names, ())
        assert redaction.redact_text(text, names) == text_out
        assert redaction._redact_with_counts(text, names)[1] == dict(counts)
    # a caller's counts are its own
    counts = redaction._redact_with_counts("Mr Smith said", names)[1]
    counts["name"] += 10
    assert redaction.count_redactions("Mr Smith said", names)["name"] == 1


@pytest.mark.slow
def test_a_month_does_not_depend_on_work_done_ahead_or_another_month():
    clear_caches()
    fresh = report_text("2020-09")
    clear_caches()
    preload(DEMO_DATA_DIR)
    report_text("2019-06", "published")
    after_another = report_text("2020-09")
    assert after_another == fresh


def test_chart_texts_measured_ahead_measure_as_measured_afresh():
    """The texts measured ahead (percentages, the programme's months, judgements) are in
    the caches, with the very widths a kernel measuring them afresh gets."""
    data = load_audit_data(DEMO_DATA_DIR)
    texts = [("63%", 6.5), ("100%", 10.0), ("2019-06", style.TICK_SIZE), ("Sep", 8.0)]
    texts += [("Requires Improvement", style.TICK_SIZE), ("lp", style.TITLE_SIZE)]
    clear_caches()
    with style.use_house_style():
        afresh = [layout.text_width(text, size) for text, size in texts]
    clear_caches()
    assert premeasure_chart_texts(data) > 150
    measured = len(layout._MEASURED)
    assert measured > 400
    with style.use_house_style():
        ahead = [layout.text_width(text, size) for text, size in texts]
    assert ahead == afresh
    assert len(layout._MEASURED) == measured  # none measured again


# ---------------------------------------------------------------- the data handed over
@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A copy of the demo programme, and no folder loaded ahead in this process."""
    import shutil

    from auditlib.data import pipeline

    monkeypatch.setattr(pipeline, "_PRELOADED", {})
    copy = tmp_path / "data"
    shutil.copytree(DEMO_DATA_DIR, copy)
    return copy


def _left(data: Any, path) -> Any:
    import pickle

    path.write_bytes(pickle.dumps(data))
    return path


def test_the_data_handed_over_is_taken_without_loading_the_folder_again(
    folder, tmp_path, monkeypatch
):
    from auditlib.data import pipeline

    loaded = load_audit_data(folder)
    handed = _left(loaded, tmp_path / "data.pickle")

    def no_cleaning(*args, **kwargs):
        raise AssertionError("the folder was read and cleaned again")

    monkeypatch.setattr(pipeline, "clean_dataset", no_cleaning)
    preload(folder, handed_over=handed)
    taken = load_audit_data(folder)
    assert taken.input_hash == loaded.input_hash
    pd.testing.assert_frame_equal(taken.audits, loaded.audits)
    assert load_audit_data(folder) is taken  # kept, as preload_audit_data keeps it


def test_data_handed_over_from_files_since_changed_is_not_taken(folder, tmp_path):
    from auditlib.data import pipeline

    loaded = load_audit_data(folder)
    handed = _left(loaded, tmp_path / "data.pickle")
    audits = next(folder.glob("audits.*"))
    audits.write_bytes(audits.read_bytes() + b"\n")  # one byte more: another export
    assert not pipeline.adopt_audit_data(folder, pickle_load(handed))
    preload(folder, handed_over=handed)  # loads the folder itself
    assert load_audit_data(folder).input_hash != loaded.input_hash


def test_only_a_folders_own_data_is_taken(folder, tmp_path):
    from auditlib.data import pipeline

    loaded = load_audit_data(folder)
    assert not pipeline.adopt_audit_data(DEMO_DATA_DIR, loaded)  # another folder
    assert not pipeline.adopt_audit_data(folder, {"audits": loaded.audits})  # not data
    assert not pipeline.adopt_audit_data(folder, None)
    # an unreadable or partial file is not taken either
    partial = tmp_path / "partial.pickle"
    partial.write_bytes(_left(loaded, tmp_path / "whole.pickle").read_bytes()[:1000])
    from auditlib.report.preload import adopt_handed_over

    assert not adopt_handed_over(folder, partial)
    assert not adopt_handed_over(folder, tmp_path / "missing.pickle")
    assert pipeline.adopt_audit_data(folder, loaded)


def test_the_runner_hands_over_only_the_folder_its_kernels_load(folder, tmp_path):
    import sys

    from auditlib.publish import kernelpool

    if not sys.platform.startswith("linux"):
        pytest.skip("the kernels' process is Linux only")
    kernelpool.stop()
    try:
        zygote = kernelpool.start(None, data_dir=folder)
        assert not kernelpool.hand_over(load_audit_data(DEMO_DATA_DIR))
        assert not os.path.exists(zygote.handoff)
        assert kernelpool.handed_over(folder) is None  # nothing handed over yet
        loaded = load_audit_data(folder)
        assert kernelpool.hand_over(loaded)
        assert pickle_load(zygote.handoff).input_hash == load_audit_data(folder).input_hash
        # and the runner can take what it handed over (for this folder only)
        assert kernelpool.handed_over(folder) is loaded
        assert kernelpool.handed_over(DEMO_DATA_DIR) is None
    finally:
        kernelpool.stop()


def pickle_load(path) -> Any:
    import pickle

    with open(path, "rb") as handle:
        return pickle.load(handle)
