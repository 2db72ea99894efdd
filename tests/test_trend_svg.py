"""auditlib.report.trend_svg: the overview's small SPC trend charts as inline SVG."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

from auditlib.report import trend_svg
from auditlib.report.trend_svg import Limits, TrendPoint

SVG = "{http://www.w3.org/2000/svg}"


def _points() -> list[TrendPoint]:
    return [
        TrendPoint("2020-01", "Jan 2020", 20.0, "common_cause"),
        TrendPoint("2020-02", "Feb 2020", 40.0, "special_cause_concern"),
        TrendPoint("2020-03", "Mar 2020", None, paused=True),
        TrendPoint("2020-04", "Apr 2020", None),  # suppressed or empty: not drawn
        TrendPoint("2020-05", "May 2020", 10.0, "special_cause_improvement"),
        TrendPoint("2020-06", "Jun 2020", 12.0, "common_cause"),
    ]


def _parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def test_a_point_for_each_month_with_a_value_and_special_causes_drawn_larger():
    root = _parse(trend_svg.trend_svg(_points(), chart_id="c", title="T", description="D"))
    circles = root.findall(f"{SVG}circle")
    assert len(circles) == 4
    radii = [float(c.get("r")) for c in circles]
    assert radii == [
        trend_svg.POINT_RADIUS,
        trend_svg.SPECIAL_RADIUS,
        trend_svg.SPECIAL_RADIUS,
        trend_svg.POINT_RADIUS,
    ]
    concern, improvement = circles[1], circles[2]
    assert concern.get("fill") == trend_svg.POINT_STYLES["special_cause_concern"][0]
    assert improvement.get("fill") == trend_svg.POINT_STYLES["special_cause_improvement"][0]
    assert concern.get("stroke")  # outlined: the signal does not rest on colour alone
    # 40 % is the highest value: the axis runs to 50 %, and a point at 40 % sits 4/5 up.
    top, bottom = trend_svg.MARGIN_TOP, trend_svg.HEIGHT - trend_svg.MARGIN_BOTTOM
    assert float(concern.get("cy")) == round(bottom - 0.8 * (bottom - top), 1)


def test_the_line_breaks_at_gaps_and_a_paused_month_is_shaded():
    root = _parse(trend_svg.trend_svg(_points(), chart_id="c", title="T", description="D"))
    lines = root.findall(f"{SVG}polyline")
    assert [len(line.get("points").split()) for line in lines] == [2, 2]
    shaded = [r for r in root.findall(f"{SVG}rect") if r.get("fill") == trend_svg.PAUSED_COLOUR]
    assert len(shaded) == 1


def test_limits_are_drawn_from_their_first_month_only_when_given():
    plain = _parse(trend_svg.trend_svg(_points(), chart_id="c", title="T", description="D"))
    with_limits = _parse(
        trend_svg.trend_svg(
            _points(),
            chart_id="c",
            title="T",
            description="D",
            limits=Limits(mean=15.0, lower=2.0, upper=30.0, start_month="2020-05"),
        )
    )
    extra = len(with_limits.findall(f"{SVG}line")) - len(plain.findall(f"{SVG}line"))
    assert extra == 3  # mean, lower and upper limit
    dashed = [ln for ln in with_limits.findall(f"{SVG}line") if ln.get("stroke-dasharray")]
    assert len(dashed) == 2
    # They start at May 2020 (the fifth of six months), not at the first month.
    step = (trend_svg.WIDTH - trend_svg.MARGIN_LEFT - trend_svg.MARGIN_RIGHT) / 5
    assert float(dashed[0].get("x1")) == round(trend_svg.MARGIN_LEFT + 4 * step, 1)


def test_the_chart_is_named_and_described_and_escapes_its_text():
    svg = trend_svg.trend_svg(
        _points(), chart_id="trend-x", title='A <b> & "c"', description="Lowest 10% & highest 40%"
    )
    root = _parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "trend-x-title trend-x-desc"
    assert root.find(f"{SVG}title").text == 'A <b> & "c"'
    assert root.find(f"{SVG}desc").text == "Lowest 10% & highest 40%"
    assert "<b>" not in svg
    labels = [t.text for t in root.findall(f"{SVG}text")]
    assert labels[:3] == ["0%", "25%", "50%"] and labels[-2:] == ["Jan 2020", "Jun 2020"]
    assert not re.search(r"<script|href=", svg)


def test_an_empty_or_single_month_chart_still_draws():
    assert "<circle" not in trend_svg.trend_svg([], chart_id="c", title="T", description="D")
    one = _parse(
        trend_svg.trend_svg(
            [TrendPoint("2020-01", "Jan 2020", 50.0)], chart_id="c", title="T", description="D"
        )
    )
    assert len(one.findall(f"{SVG}circle")) == 1
