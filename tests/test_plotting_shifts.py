"""Judgement-shift charts: they draw, use the palette, and say in words what they show."""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from auditlib.analysis import spc, stats
from auditlib.data import schema
from auditlib.report.charts import statistical
from auditlib.report.charts.palette import SPC_COLOURS

matplotlib.use("Agg")

MONTHS = [f"{y}-{m:02d}" for y in (2018, 2019, 2020) for m in range(1, 13)][10:32]


def _render(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=40)
    return buf.getvalue()


def _planted() -> pd.Series:
    rng = np.random.default_rng(7)
    k = rng.binomial(60, [0.25] * 14 + [0.08] * 8).astype(float)
    k[16:19] = np.nan  # March–May 2020 paused
    return pd.Series(100 * k / 60, index=MONTHS)


def _scatter_colours(fig: Figure) -> set[str]:
    ax = fig.axes[0]
    return {to_hex(c) for coll in ax.collections for c in coll.get_facecolors()}


def test_spc_chart_colours_pause_and_alt_text():
    result = spc.compute_xmr(_planted(), improvement="down", bounds=(0, 100))
    fig, alt = statistical.plot_spc(result, measure="% Inadequate", latest_label="August 2020")
    assert isinstance(fig, Figure) and _render(fig).startswith(b"\x89PNG")
    colours = _scatter_colours(fig)
    assert to_hex(SPC_COLOURS["improvement"]) in colours
    assert to_hex(SPC_COLOURS["concern"]) in colours
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts.count("paused") == 3
    summ = result.summary()
    assert "from 2018-11 to 2020-08 (19 points; 3 months paused or without audits)" in alt
    assert f"{summ['special_cause_improvement']} improvement" in alt
    # the pause breaks the run below the average, so no shift yet; with the moving ranges
    # screened (NHSRplotthedots' default) August is below the lower process limit
    assert alt.endswith(
        "% Inadequate in August 2020 (5%): a significant improvement — below the lower process limit."
    )
    # unscreened (the MDC Excel tools), the limits are wider and it is two-in-three instead
    plain = spc.compute_xmr(_planted(), improvement="down", bounds=(0, 100), screen_outliers=False)
    _, plain_alt = statistical.plot_spc(plain, measure="% Inadequate", latest_label="August 2020")
    assert plain_alt.endswith("two of the last three months close to the lower process limit.")


def test_spc_chart_shows_rebase_and_trial_limits():
    result = spc.compute_xmr(_planted(), improvement="down", rebase=["2020-06"], bounds=(0, 100))
    fig, alt = statistical.plot_spc(result, measure="% Inadequate")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "limits recalculated" in texts
    assert any(t.startswith("Trial limits") for t in texts)
    assert "with limits recalculated once" in alt and "too few months to tell" in alt


def test_p_chart_axis_in_percent():
    k = pd.Series([12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22], index=MONTHS[:15])
    result = spc.compute_p_chart(k, pd.Series(50, index=k.index), improvement="down")
    fig, alt = statistical.plot_spc(result, measure="% Inadequate")
    _render(fig)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert any(label.endswith("%") for label in labels)
    assert "mean 22%" in alt  # p̄ = 167 / 750 = 22.3 %


def test_funnel_plot_labels_outliers():
    n = np.array([12, 25, 40, 60, 80, 30, 45, 90, 20, 70])
    k = np.array([2, 5, 8, 11, 16, 6, 27, 3, 4, 14])
    counts = pd.DataFrame(
        {schema.INADEQUATE: k, "completed": n}, index=[f"Team {c}" for c in "ABCDEFGHIJ"]
    )
    result = stats.compute_funnel(counts, schema.INADEQUATE)
    fig, alt = statistical.plot_funnel(result, measure="% Inadequate", improvement="down")
    _render(fig)
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["Team G", "Team H"]
    colours = _scatter_colours(fig)
    assert {to_hex(SPC_COLOURS["concern"]), to_hex(SPC_COLOURS["improvement"])} <= colours
    assert alt.startswith("Funnel plot of % Inadequate for 10 teams")
    assert "(from 12 to 90)" in alt and "2 of 10 teams are outside the 99.8% limits" in alt


def test_reaudit_heatmap_counts_and_alt_text():
    j = list(schema.JUDGEMENTS)
    t = pd.DataFrame(0, index=j, columns=j)
    t.loc[schema.INADEQUATE, schema.REQUIRES_IMPROVEMENT] = 30
    t.loc[schema.REQUIRES_IMPROVEMENT, schema.GOOD] = 25
    t.loc[schema.REQUIRES_IMPROVEMENT, schema.REQUIRES_IMPROVEMENT] = 40
    t.loc[schema.GOOD, schema.REQUIRES_IMPROVEMENT] = 5
    shift = stats.summarise_reaudit_shifts(t)
    fig, alt = statistical.plot_reaudit_heatmap(shift)
    _render(fig)
    cell_texts = [t_.get_text() for t_ in fig.axes[0].texts]
    assert sorted(int(x) for x in cell_texts) == sorted(t.to_numpy().ravel().tolist())
    assert "Of 100 re-audited cases, 55% improved" in alt
    assert alt.endswith("The most common change was Inadequate to Requires Improvement (30 cases).")


def test_spc_chart_does_not_draw_or_state_suppressed_points():
    result = spc.compute_xmr(_planted(), improvement="down", bounds=(0, 100))
    suppress = pd.Series({MONTHS[2]: True, MONTHS[-1]: True, MONTHS[3]: False})
    fig, alt = statistical.plot_spc(
        result, measure="% Inadequate", latest_label="August 2020", suppress=suppress
    )
    ax = fig.axes[0]
    y = np.asarray(ax.get_lines()[0].get_ydata(), dtype=float)
    assert np.isnan(y[[2, 21]]).all() and not np.isnan(y[[0, 1, 3, 20]]).any()
    drawn_x = {float(x) for coll in ax.collections for x, _ in coll.get_offsets()}
    assert not {2.0, 21.0} & drawn_x and 3.0 in drawn_x
    assert [t.get_text() for t in ax.texts].count("[c]") == 2
    # 17 points shown of 19; a suppressed latest month gets no verdict.
    assert "(17 points; 3 months paused or without audits; 2 points suppressed ([c])" in alt
    assert "(5%" not in alt
    assert "% Inadequate in August 2020: [c] — the figure is suppressed, so no verdict" in alt
    # Without a mask nothing is hidden (see test_spc_chart_colours_pause_and_alt_text).
    _, plain = statistical.plot_spc(result, measure="% Inadequate", latest_label="August 2020")
    assert "(5%)" in plain and "suppressed" not in plain
