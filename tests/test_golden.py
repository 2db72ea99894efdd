"""Golden back-test: from data/demo, the library reproduces every figure the seed publishes.

The reference is data/seed_figures.yml (each figure with the seed's own wording).
Figures come from the library's own path — load → clean → build_figures — and
are rounded half-up for comparison, exactly as the report shows them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditlib.analysis.recommendations import recommendations_for
from auditlib.analysis.rounding import round_half_up
from auditlib.data.pipeline import load_audit_data
from auditlib.paths import DEMO_DATA_DIR
from auditlib.report.figures import build_figures

REFERENCE = yaml.safe_load(
    (Path(__file__).resolve().parents[1] / "data" / "seed_figures.yml").read_text()
)
FIGURES = [f for f in REFERENCE["figures"] if not f.get("narrative")]


@cache
def data():
    return load_audit_data(DEMO_DATA_DIR)


@cache
def figures() -> dict[str, Any]:
    return build_figures(data(), REFERENCE["report_month"])


def library_value(key: str) -> Any:
    f = figures()
    parts = key.split(".")
    if parts[0] == "programme":
        name = parts[1]
        if name == "to_month":
            return f["report_month"]
        value = f["programme"][name]
        return round_half_up(value) if name.endswith("_pct") else value
    if parts[0] == "trend":
        month, what = parts[1], parts[2]
        entry = next(t for t in f["trend"] if t["month"] == month)
        if what in ("state", "month_label"):
            return entry["state" if what == "state" else "label"]
        return round_half_up(entry[what])
    if key == "pause.resumed_month":
        last_pause = max(p["to"] for p in f["pauses"] if p["from"] <= "2020-03" <= p["to"])
        return next(
            t["month"] for t in f["trend"] if t["month"] > last_pause and t["state"] == "audited"
        )
    if key == "reflections.questions":
        return int(data().reflections["question"].nunique())
    if parts[0] == "recommendations":
        table = recommendations_for(data().recommendations, parts[1])
        section = table.loc[table["section"] == parts[2]].reset_index(drop=True)
        if len(parts) == 3:
            return len(section)
        return len(section.loc[int(parts[3]) - 1, "sub_items"])
    raise KeyError(f"no library figure for {key!r}: add it here")


@pytest.mark.parametrize("figure", FIGURES, ids=[f["key"] for f in FIGURES])
def test_seed_figure_reproduced_as_published(figure):
    assert library_value(figure["key"]) == figure["value"], figure["seed_text"]


def test_headline_figures_are_the_seed_introduction():
    p = figures()["programme"]
    assert (p["allocated"], p["completed"], round_half_up(p["compliance_pct"])) == (1632, 1298, 80)
    assert (
        p["reaudits_allocated"],
        p["reaudits_completed"],
        round_half_up(p["reaudit_compliance_pct"]),
    ) == (
        456,
        361,
        79,
    )


def test_months_that_do_not_sum_to_100_are_reproduced_as_published():
    trend = {t["month"]: t for t in figures()["trend"]}
    shown = lambda month: sum(  # noqa: E731
        round_half_up(trend[month][label])
        for label in ("Good", "Requires Improvement", "Inadequate")
    )
    assert shown("2018-11") == 81
    assert shown("2019-11") == 90
    assert shown("2019-02") == 99
    assert shown("2019-05") == 101
    assert trend["2019-07"]["label"] == "July/August 2019"
    assert "2019-08" not in trend  # one combined round
    assert trend["2019-12"]["state"] == "paused"


def test_every_reference_figure_is_checked():
    assert len(FIGURES) >= 60
    for figure in REFERENCE["figures"]:
        assert figure["seed_text"], figure["key"]
