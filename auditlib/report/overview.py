"""The programme overview page (``outputs/index.html``): how the programme is going, at a glance.

Built only from what the reports wrote: each month's ``figures.json`` and each judgement-shift
report's ``shift-figures.json`` (nothing is re-computed from data). The page shows

1. the latest month's headline figures, each monthly one with its SPC signal (NHS *Making
   Data Count*: improvement, concern or common cause, said in words beside the icon);
2. small trend charts of audit compliance, % Good or better and % Inadequate across the
   programme (inline SVG, each with a description and a table of its numbers);
3. a table of every month with its key figures, a link to its report and when it was built;
4. the judgement-shift reports produced, with their verdicts and links.

Under the published profile a figure that figures.json holds as ``[c]`` is shown as ``[c]``:
the page shows only what the figures files show. Offline, no script, one stylesheet inline.

Pure: records in, HTML out (:mod:`auditlib.publish.index` reads the files and writes the page).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from auditlib import disclosure
from auditlib.data import schema
from auditlib.data.programme import format_month
from auditlib.publish.export import CSP_META
from auditlib.report import trend_svg, wording
from auditlib.report.charts.palette import SPC_COLOURS

esc = html.escape

#: Page title (the organisation follows it).
TITLE: Final = "Audit Highlights Reports"

#: The overview's headline measures with an SPC reading: figures.json ``spc`` key →
#: (card heading, the month's share as (section, key[, label]), the trend entries' share).
MONTHLY_MEASURES: Final = {
    "compliance": ("Audit compliance", "compliance_pct"),
    "good_or_better": ("Good or better", "good_or_better_pct"),
    "inadequate": ("Inadequate", schema.INADEQUATE),
}


@dataclass(frozen=True)
class SignalWords:
    """How the page names a signal: a short name, what it means, and the MDC icon's colour."""

    name: str
    meaning: str
    colour: str


#: figures.json ``spc.<measure>.signal`` → words. Colour is never the only carrier.
SIGNALS: Final = {
    "improvement": SignalWords(
        "Improvement",
        "special cause variation, a real change for the better",
        SPC_COLOURS["improvement"],
    ),
    "concern": SignalWords(
        "Concern",
        "special cause variation, a real change for the worse",
        SPC_COLOURS["concern"],
    ),
    "neither": SignalWords(
        "Special cause",
        "a real change, neither better nor worse",
        SPC_COLOURS["neither"],
    ),
    "common_cause": SignalWords(
        "No significant change",
        "common cause variation, within the normal month-to-month range",
        SPC_COLOURS["common"],
    ),
    "too_few_audits": SignalWords(
        "No signal", "too few audits were completed this month to tell", "#ffffff"
    ),
    "too_few_months": SignalWords(
        "No signal yet", "too few months since the limits were set to tell", "#ffffff"
    ),
    "suppressed": SignalWords(
        "No signal shown",
        "the month's figure is suppressed ([c]), so no reading is given",
        "#ffffff",
    ),
}
#: Point types as the trend tables name them.
POINT_WORDS: Final = {
    "common_cause": "common cause",
    "special_cause_improvement": "improvement",
    "special_cause_concern": "concern",
    "special_cause_neither": "special cause",
}
ICON_SIZE: Final = 28


@dataclass(frozen=True)
class MonthRecord:
    """One month folder as the overview sees it."""

    month: str
    #: The month's figures.json (empty when missing or unreadable).
    figures: Mapping[str, Any] = field(default_factory=dict)
    #: Relative link to the report's HTML, or "" when there is none.
    link: str = ""
    #: When the report was built, in words ("" when there is no report).
    built: str = ""
    #: What the build record says ("reused from an earlier run", "frozen …"), if anything.
    build_note: str = ""
    #: The failure note's relative path when the last run failed, and when it failed.
    failure_note: str = ""
    failed_at: str = ""

    @property
    def label(self) -> str:
        return str(self.figures.get("month_label") or format_month(self.month))


@dataclass(frozen=True)
class ShiftRecord:
    """One judgement-shift report folder as the overview sees it."""

    name: str
    figures: Mapping[str, Any] = field(default_factory=dict)
    link: str = ""
    built: str = ""
    failure_note: str = ""
    failed_at: str = ""


# ---------------------------------------------------------------- formatting
def format_share(value: Any, fragile: bool = False) -> str:
    """A figures.json percentage as the page shows it: "66%", a symbol as it is, None → [z].

    >>> format_share(65.59), format_share("[c]"), format_share(None), format_share(8.0, True)
    ('66%', '[c]', '[z]', '8% [low]')
    """
    if isinstance(value, str):
        return value
    if value is None or not isinstance(value, int | float):
        return disclosure.NOT_APPLICABLE
    return wording.format_pct(float(value)) + (f" {disclosure.LOW}" if fragile else "")


def format_count(value: Any) -> str:
    """A figures.json count: "1,298", a symbol as it is, anything else [x].

    >>> format_count(1298), format_count("[c]"), format_count(None)
    ('1,298', '[c]', '[x]')
    """
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return disclosure.NOT_AVAILABLE


def short_month(month: str) -> str:
    """``2020-09`` → ``Sep 2020`` (chart axes and narrow tables).

    >>> short_month("2019-07")
    'Jul 2019'
    """
    return format_month(month)[:3] + " " + month[:4]


def short_label(label: str) -> str:
    """A month label with its month names shortened: ``July/August 2019`` → ``Jul/Aug 2019``.

    >>> short_label("July/August 2019"), short_label("September 2020")
    ('Jul/Aug 2019', 'Sep 2020')
    """
    for name in schema.MONTH_NAMES:
        label = label.replace(name, name[:3])
    return label


def profile_of(figures: Mapping[str, Any]) -> str:
    """The disclosure profile a figures file was written under ("" when it does not say).

    >>> profile_of({"disclosure": {"profile": "published"}}), profile_of({"disclosure": "internal"})
    ('published', 'internal')
    """
    record = figures.get("disclosure")
    if isinstance(record, str):
        return record
    return str(record.get("profile") or "") if isinstance(record, Mapping) else ""


def _section(figures: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """A nested section of a figures file, or {} when it is missing or not a mapping."""
    value = figures.get(key)
    return value if isinstance(value, Mapping) else {}


def _fragile(figures: Mapping[str, Any], path: str) -> bool:
    return path in (_section(figures, "disclosure").get("fragile") or [])


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _date_words(iso: Any) -> str:
    try:
        day = date.fromisoformat(str(iso))
    except ValueError:
        return ""
    return f"{day.day} {day:%B %Y}"


# ---------------------------------------------------------------- the page
def overview_html(
    months: Sequence[MonthRecord],
    shifts: Sequence[ShiftRecord],
    *,
    css: str,
    version: str,
    written: str,
) -> str:
    """The whole overview page. ``months`` newest first; ``written``: when, in words."""
    latest = next((m for m in months if m.link and _section(m.figures, "month")), None)
    organisation = next(
        (str(m.figures["organisation"]) for m in months if m.figures.get("organisation")), ""
    )
    if not organisation:
        organisation = next((str(s.figures.get("organisation") or "") for s in shifts), "")
    heading = f"{TITLE} – {organisation}" if organisation else TITLE
    sections = [_intro(latest, months)]
    if latest is not None:
        sections += [_glance(latest), _trends(latest)]
    sections += [_months_table(months), _shifts_section(shifts)]
    contact = str(latest.figures.get("contact") or "") if latest else ""
    contact_line = f"<p>Questions about these reports: {esc(contact)}.</p>" if contact else ""
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
{CSP_META}
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="generator" content="auditlib {esc(version)}">
<title>{esc(heading)}</title>
<style type="text/css">
{css}
</style>
</head>
<body class="auditlib-report overview-page">
<a class="skip-link" href="#main-content">Skip to the overview</a>
<main id="main-content" tabindex="-1">
<div class="jp-RenderedHTMLCommon">
<h1>{esc(heading)}</h1>
{"".join(sections)}
</div>
</main>
<footer class="report-footer">
<p>Overview written by auditlib {esc(version)} on {esc(written)}, from the figures file each
report wrote (figures.json, shift-figures.json); nothing on this page is re-computed from the data.
Every page opens offline and contains no code.</p>
{contact_line}
</footer>
</body>
</html>
"""


def _intro(latest: MonthRecord | None, months: Sequence[MonthRecord]) -> str:
    if latest is None:
        return "<p>No monthly report has been produced yet.</p>"
    f = latest.figures
    facts = [esc(str(f.get("programme_name") or "Case audit programme")) + "."]
    facts.append(
        f'The latest report is <a href="{esc(latest.link)}">{esc(latest.label)}</a>'
        + (f" (data as at {esc(_date_words(f['as_at']))})" if f.get("as_at") else "")
        + "."
    )
    profiles = sorted({profile_of(m.figures) for m in months} - {""})
    profile = profile_of(f)
    if len(profiles) > 1:
        facts.append(
            "<strong>The reports here were produced under different disclosure profiles "
            f"({esc(', '.join(profiles))}); each month's table row says which.</strong>"
        )
    elif profile == disclosure.DisclosureProfile.PUBLISHED:
        facts.append(
            f"Published version: counts from {disclosure.SUPPRESS_FROM} to "
            f"{disclosure.SUPPRESS_TO}, and figures that would reveal them, are shown as "
            f"{disclosure.SUPPRESSED}."
        )
    elif profile == disclosure.DisclosureProfile.INTERNAL:
        facts.append("<em>Internal version: not for publication.</em>")
    return f'<p class="overview-lede">{" ".join(facts)}</p>'


# ---------------------------------------------------------------- 1. at a glance
def _glance(latest: MonthRecord) -> str:
    f = latest.figures
    label = latest.label
    programme = _section(f, "programme")
    month = _section(f, "month")
    spc = _section(f, "spc")
    cards_to_date = [
        _card(
            "Audit compliance, programme to date",
            format_share(programme.get("compliance_pct"), _fragile(f, "programme.compliance_pct")),
            f"{format_count(programme.get('completed'))} of "
            f"{format_count(programme.get('allocated'))} audits allocated since "
            f"{programme.get('from_month_label') or 'the start'} have been completed.",
            _running_total(label),
        ),
        _card(
            "Re-audit compliance, programme to date",
            format_share(
                programme.get("reaudit_compliance_pct"),
                _fragile(f, "programme.reaudit_compliance_pct"),
            ),
            (
                f"{format_count(programme.get('reaudits_completed'))} of "
                f"{format_count(programme.get('reaudits_allocated'))} re-audits allocated since "
                f"{programme.get('reaudits_from_month_label')} have been completed."
                if programme.get("reaudits_from_month_label")
                else "No re-audits have been allocated yet."
            ),
            _running_total(label),
        ),
    ]
    judgements = _section(month, "judgements")
    judgement_pcts = _section(month, "judgements_pct")
    details = {
        "compliance": (
            format_share(month.get("compliance_pct"), _fragile(f, "month.compliance_pct")),
            f"{format_count(month.get('completed'))} of {format_count(month.get('allocated'))} "
            f"audits allocated in {label} have been completed.{_not_yet_due(month, label, f)}",
        ),
        "good_or_better": (
            format_share(month.get("good_or_better_pct"), _fragile(f, "month.good_or_better_pct")),
            f"{format_count(month.get('good_or_better'))} of "
            f"{format_count(month.get('completed'))} completed audits were judged Good or "
            "Outstanding.",
        ),
        "inadequate": (
            format_share(
                judgement_pcts.get(schema.INADEQUATE),
                _fragile(f, f"month.judgements_pct.{schema.INADEQUATE}"),
            ),
            f"{format_count(judgements.get(schema.INADEQUATE))} of "
            f"{format_count(month.get('completed'))} completed audits were judged Inadequate.",
        ),
    }
    cards_month = [
        _card(f"{name}, {label}", value, detail, _signal(spc.get(key), name))
        for key, (name, _share) in MONTHLY_MEASURES.items()
        for value, detail in [details[key]]
    ]
    return f"""<h2 id="at-a-glance">{esc(label)} at a glance</h2>
<h3 id="programme-to-date">Programme to date</h3>
<ul class="overview-cards">{"".join(cards_to_date)}</ul>
<h3 id="this-month">{esc(label)}</h3>
<ul class="overview-cards">{"".join(cards_month)}</ul>
<p class="signal-key"><strong>How to read the signals.</strong> Each monthly figure is read
on a statistical process control (SPC) chart the NHS <em>Making Data Count</em> way: is the
month within the programme's normal month-to-month variation (<strong>common cause</strong>),
or a real change (<strong>special cause</strong>: an <strong>improvement</strong> or a
<strong>concern</strong>)? The icons follow Making Data Count: grey for common cause, blue for
an improvement, orange for a concern, H or L when the month is higher or lower than usual.
The words beside each icon say the same.</p>
<p><a href="{esc(latest.link)}">Read the {esc(label)} report</a> for the judgements, the
practice themes, feedback and recommendations.</p>
"""


def _card(heading: str, value: str, detail: str, signal: str) -> str:
    return (
        '<li class="overview-card">'
        f'<p class="card-heading">{esc(heading)}</p>'
        f'<p class="card-value">{esc(value)}</p>'
        f'<p class="card-detail">{esc(detail)}</p>'
        f"{signal}</li>"
    )


def _running_total(label: str) -> str:
    return (
        '<div class="signal signal-none"><p>A running total, so it has no SPC signal: '
        f"the month's compliance below is read for {esc(label)}.</p></div>"
    )


def _not_yet_due(month: Mapping[str, Any], label: str, figures: Mapping[str, Any]) -> str:
    """A note when some of the month's outstanding audits are not yet overdue."""
    outstanding, overdue = month.get("outstanding"), month.get("overdue")
    if not (_is_number(outstanding) and _is_number(overdue)) or outstanding <= overdue:
        if outstanding == disclosure.SUPPRESSED or overdue == disclosure.SUPPRESSED:
            return " Some audits may not be due yet, so the figure can still rise."
        return ""
    profile = profile_of(figures) or disclosure.DisclosureProfile.INTERNAL
    waiting = disclosure.format_count(int(outstanding - overdue), profile)
    audits = "audit is" if waiting == "1" else "audits are"
    return f" {waiting} {audits} not yet due, so the figure can still rise."


def _signal(reading: Any, name: str) -> str:
    """The SPC signal of one measure: icon, words, and the report's own sentence."""
    if not isinstance(reading, Mapping) or reading.get("signal") not in SIGNALS:
        return (
            '<div class="signal signal-none"><p>No SPC reading in this month\'s figures '
            "(the measure has no month to chart yet, or the report was produced by an older "
            "auditlib).</p></div>"
        )
    kind = str(reading["signal"])
    words = SIGNALS[kind]
    letter = _high_or_low(reading)
    side = {"H": " (higher than usual)", "L": " (lower than usual)"}.get(letter, "")
    verdict = str(reading.get("verdict") or "")
    return (
        f'<div class="signal signal-{esc(kind.replace("_", "-"))}">'
        f"{_icon(kind, letter)}"
        f"<p><strong>{esc(words.name)}</strong>{esc(side)}: {esc(words.meaning)}.</p>"
        + (f'<p class="signal-verdict">{esc(verdict)}</p>' if verdict else "")
        + "</div>"
    )


def _high_or_low(reading: Mapping[str, Any]) -> str:
    """H or L for a special-cause month (MDC icons), from its signal and the better direction."""
    better = reading.get("improvement")
    kind = reading.get("signal")
    if kind not in ("improvement", "concern") or better not in ("up", "down"):
        return ""
    high = (kind == "improvement") == (better == "up")
    return "H" if high else "L"


def _icon(kind: str, letter: str) -> str:
    """A Making Data Count style variation icon (decorative: the words carry the meaning)."""
    words = SIGNALS[kind]
    half = ICON_SIZE / 2
    if kind in ("too_few_audits", "too_few_months"):
        mark = (
            f'<circle cx="{half}" cy="{half}" r="{half - 2}" fill="#ffffff" '
            f'stroke="{SPC_COLOURS["common"]}" stroke-width="2" stroke-dasharray="3 2"/>'
        )
    else:
        mark = (
            f'<circle cx="{half}" cy="{half}" r="{half - 1}" fill="{words.colour}" '
            f'stroke="{SPC_COLOURS["line"]}" stroke-width="1"/>'
        )
        if letter:
            mark += (
                f'<text x="{half}" y="{half + 5}" text-anchor="middle" font-size="15" '
                f'font-weight="700" fill="{SPC_COLOURS["line"]}">{letter}</text>'
            )
        elif kind == "common_cause":
            mark += (
                f'<path d="M6 {half} q4 -6 8 0 t8 0" fill="none" stroke="#ffffff" '
                'stroke-width="2"/>'
            )
    return (
        f'<svg class="signal-icon" width="{ICON_SIZE}" height="{ICON_SIZE}" '
        f'viewBox="0 0 {ICON_SIZE} {ICON_SIZE}" aria-hidden="true" focusable="false" '
        f'xmlns="http://www.w3.org/2000/svg">{mark}</svg>'
    )


# ---------------------------------------------------------------- 2. trends
def _trends(latest: MonthRecord) -> str:
    f = latest.figures
    entries = f.get("trend") if isinstance(f.get("trend"), list) else []
    trend = [e for e in entries if isinstance(e, Mapping) and e.get("month")]
    spc = _section(f, "spc")
    from_month = str(_section(f, "programme").get("from_month") or "")
    figures = []
    for key, (name, share) in MONTHLY_MEASURES.items():
        entries = [e for e in trend if key != "compliance" or str(e["month"]) >= from_month]
        if entries:
            figures.append(_trend_figure(key, name, share, entries, spc.get(key)))
    if not figures:
        return ""
    first = trend[0]["month"] if trend else ""
    return f"""<h2 id="trends">Across the programme</h2>
<p>Each chart shows a month's figure as a dot on a line from {esc(format_month(first))} to
{esc(latest.label)}, with the average (solid line) and the process limits (dashed) of the
latest period. Larger, outlined dots are special cause: blue an improvement, orange a
concern. Shaded months were paused. The numbers are in the table under each chart.</p>
<div class="trend-charts">{"".join(figures)}</div>
"""


def _trend_figure(
    key: str,
    name: str,
    share: str,
    entries: Sequence[Mapping[str, Any]],
    reading: Any,
) -> str:
    reading = reading if isinstance(reading, Mapping) else {}
    kinds = reading.get("points") if isinstance(reading.get("points"), Mapping) else {}
    points = []
    rows = []
    for entry in entries:
        month = str(entry["month"])
        value = entry.get(share)
        paused = entry.get("state") == schema.PAUSED
        kind = str(kinds.get(month) or "")
        points.append(
            trend_svg.TrendPoint(
                month,
                short_month(month),
                float(value) if _is_number(value) else None,
                kind,
                paused,
            )
        )
        if paused:
            shown, signal = "paused", ""
        else:
            shown = format_share(value)
            signal = POINT_WORDS.get(kind, "")
        rows.append(
            f'<tr><th scope="row">{esc(short_label(str(entry.get("label") or month)))}</th>'
            f'<td class="num">{esc(shown)}</td><td>{esc(signal)}</td></tr>'
        )
    limits = None
    if all(_is_number(reading.get(k)) for k in ("mean", "lower_limit", "upper_limit")):
        limits = trend_svg.Limits(
            float(reading["mean"]),
            float(reading["lower_limit"]),
            float(reading["upper_limit"]),
            str(reading.get("limits_from") or ""),
        )
    hidden_limits = reading.get("mean") == disclosure.SUPPRESSED
    note = (
        '<p class="chart-note">No average or limits are drawn: a month with a suppressed '
        f"figure ({disclosure.SUPPRESSED}) is in their period.</p>"
        if hidden_limits
        else ""
    )
    chart_id = f"trend-{key.replace('_', '-')}"
    svg = trend_svg.trend_svg(
        points,
        chart_id=chart_id,
        title=f"{name} by month",
        description=_describe_trend(name, points, limits, reading),
        limits=limits,
    )
    caption = f"{name} by month"
    return f"""<figure class="trend-figure" aria-labelledby="{chart_id}-caption">
<figcaption id="{chart_id}-caption">{esc(caption)}</figcaption>
{svg}
{note}<details><summary>{esc(name)}: the numbers</summary>
<div class="table-wrap" role="region" aria-labelledby="{chart_id}-table" tabindex="0">
<table class="audit-table compact-table"><caption id="{chart_id}-table">{esc(name)} by month</caption>
<thead><tr><th scope="col">Month</th><th scope="col" class="num">%</th>
<th scope="col">Signal</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table></div>
</details>
</figure>"""


def _describe_trend(
    name: str,
    points: Sequence[trend_svg.TrendPoint],
    limits: trend_svg.Limits | None,
    reading: Mapping[str, Any],
) -> str:
    """The chart's description: range, latest month, limits and special causes in words."""
    shown = [p for p in points if p.value is not None]
    if not shown:
        return f"{name}: no month has a value to chart."
    low = min(shown, key=lambda p: p.value or 0.0)
    high = max(shown, key=lambda p: p.value or 0.0)
    last = shown[-1]
    text = [
        f"{name} each month from {format_month(points[0].month)} to "
        f"{format_month(points[-1].month)}: lowest {format_share(low.value)} "
        f"({format_month(low.month)}), highest {format_share(high.value)} "
        f"({format_month(high.month)}), latest {format_share(last.value)} "
        f"({format_month(last.month)})."
    ]
    if limits is not None:
        text.append(
            f"Average {format_share(limits.mean)}, process limits {format_share(limits.lower)} "
            f"to {format_share(limits.upper)}."
        )
    elif reading.get("mean") == disclosure.SUPPRESSED:
        text.append("The average and limits are not shown: a suppressed month is in their period.")
    special = [p for p in shown if p.point_type.startswith("special_cause")]
    if special:
        text.append(
            "Special cause: "
            + "; ".join(f"{format_month(p.month)} ({POINT_WORDS[p.point_type]})" for p in special)
            + "."
        )
    paused = [p for p in points if p.paused]
    if paused:
        text.append("Paused: " + ", ".join(format_month(p.month) for p in paused) + ".")
    hidden = [p for p in points if p.value is None and not p.paused]
    if hidden:
        text.append(
            f"Not drawn ({disclosure.SUPPRESSED} or no audits): "
            + ", ".join(format_month(p.month) for p in hidden)
            + "."
        )
    return " ".join(text)


# ---------------------------------------------------------------- 3. every month
def _months_table(months: Sequence[MonthRecord]) -> str:
    if not months:
        return '<h2 id="every-month">Every month\'s report</h2><p>No reports have been produced yet.</p>'
    profiles = {profile_of(m.figures) for m in months}
    mixed = len(profiles - {""}) > 1
    rows = [_month_row(m, mixed) for m in months]
    return f"""<h2 id="every-month">Every month's report</h2>
<p>Newest first. Each link opens that month's report; the figures are the ones it states.</p>
<div class="table-wrap" role="region" aria-labelledby="months-caption" tabindex="0">
<table class="audit-table months-table"><caption id="months-caption">Every report produced, with its key figures</caption>
<thead><tr><th scope="col">Report</th><th scope="col" class="num">Audits allocated</th>
<th scope="col" class="num">Completed</th><th scope="col" class="num">Compliance</th>
<th scope="col" class="num">Good or better</th><th scope="col" class="num">Inadequate</th>
<th scope="col">Built</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table></div>
"""


def _month_row(record: MonthRecord, mixed: bool) -> str:
    f = record.figures
    month = _section(f, "month")
    label = esc(record.label)
    name = f'<a href="{esc(record.link)}">{label}</a>' if record.link else label
    if mixed:
        profile = profile_of(f)
        name += f' <span class="row-note">({esc(str(profile or "unknown profile"))})</span>'
    if month:
        cells = [
            format_count(month.get("allocated")),
            format_count(month.get("completed")),
            format_share(month.get("compliance_pct"), _fragile(f, "month.compliance_pct")),
            format_share(month.get("good_or_better_pct"), _fragile(f, "month.good_or_better_pct")),
            format_share(
                _section(month, "judgements_pct").get(schema.INADEQUATE),
                _fragile(f, f"month.judgements_pct.{schema.INADEQUATE}"),
            ),
        ]
    else:
        cells = [disclosure.NOT_AVAILABLE] * 5
    built = f'<span class="nowrap">{esc(record.built)}</span>' if record.built else "No report"
    if record.build_note:
        built += f'<br><span class="row-note">{esc(record.build_note)}</span>'
    if record.failure_note:
        built += (
            f"<br><strong>Last run failed</strong> ({esc(record.failed_at)}); the reason is in "
            f"{esc(record.failure_note)}."
            + (" The report linked is the last good one." if record.link else "")
        )
    return (
        f'<tr><th scope="row">{name}</th>'
        + "".join(f'<td class="num">{esc(c)}</td>' for c in cells)
        + f"<td>{built}</td></tr>"
    )


# ---------------------------------------------------------------- 4. shift reports
def _shifts_section(shifts: Sequence[ShiftRecord]) -> str:
    head = '<h2 id="shift-reports">Judgement-shift reports</h2>'
    if not shifts:
        return (
            head + "<p>No judgement-shift report has been produced. Statisticians produce one "
            "with <code>auditlib shifts --a FROM:TO --b FROM:TO</code>; it then appears here.</p>"
        )
    rows = [_shift_row(s) for s in shifts]
    return f"""{head}
<p>The statisticians' reports: is a change between two periods real, or noise?</p>
<div class="table-wrap" role="region" aria-labelledby="shifts-caption" tabindex="0">
<table class="audit-table shifts-table"><caption id="shifts-caption">Judgement-shift reports produced, newest first</caption>
<thead><tr><th scope="col">Report</th><th scope="col">Breakdown</th>
<th scope="col">Good or better</th><th scope="col">Inadequate</th>
<th scope="col">All judgements</th><th scope="col">Built</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table></div>
"""


def _shift_row(record: ShiftRecord) -> str:
    f = record.figures
    title = esc(str(f.get("title") or record.name))
    name = f'<a href="{esc(record.link)}">{title}</a>' if record.link else title
    comparison = _section(f, "comparison")

    def verdict(key: str) -> str:
        part = comparison.get(key)
        return str(part.get("verdict") or "") if isinstance(part, Mapping) else ""

    by = f.get("by")
    built = f'<span class="nowrap">{esc(record.built)}</span>' if record.built else "No report"
    if record.failure_note:
        built += (
            f"<br><strong>Last run failed</strong> ({esc(record.failed_at)}); the reason is in "
            f"{esc(record.failure_note)}."
        )
    cells = [
        f"by {by}" if by else "none",
        verdict("good_or_better"),
        verdict("inadequate"),
        verdict("distribution"),
    ]
    return (
        f'<tr><th scope="row">{name}</th>'
        + "".join(f"<td>{esc(c)}</td>" for c in cells)
        + f"<td>{built}</td></tr>"
    )
