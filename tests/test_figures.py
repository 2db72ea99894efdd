"""auditlib.report.figures: the SPC section and the monthly compliance the overview page reads.

The limits are checked against the XmR arithmetic done here by hand on figures.json's own
trend numbers, not by calling the SPC code again: mean ± 2.66 × mean moving range, as
NHSRplotthedots computes it — moving ranges only between consecutive months (none across a
paused month), screened once at 3.267 × their mean (docs/methods.md).
"""

from __future__ import annotations

import itertools
import json

import pytest

from auditlib import disclosure
from auditlib.data.pipeline import load_audit_data
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
