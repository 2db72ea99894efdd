"""Each month's practice recommendations and standards, with repeats marked.

``recommendations.yml`` (optional in a data folder) holds, per audit month,
the high-priority practice recommendations and the practice standards::

    2020-08:
      high_priority:
        - Managers to ensure that supervision is held in line with expected timescales…
        - text: All teams to review and reflect on the key learning identified for
            children that go missing and are vulnerable to exploitation and hidden crimes
          numbering: letters          # sub-items shown a., b., c. (default: bullets)
          items:
            - Response and timeliness to children who go missing;
            - Timeliness and quality of CSE risk assessments…
      practice_standards:
        - Team Managers and Social Workers to raise any concerns with the quality of audits…
    2020-09:
      practice_standards:
        - text: Review and signpost practitioners to the following key resources.
          items:
            - {text: Return Home Interviews, url: "https://example.org/rhi"}
            - CSE information on the Healthy Surrey website
        # Short form: a list straight after a text is that text's sub-items.
        - Further Workbook training and workshops to establish a consistent standard.
        - - Workbook champions per area
          - Video training guides on SharePoint

Rules: the months are ``YYYY-MM`` (quote them or not); the two sections are
``high_priority`` and ``practice_standards``, both optional; an item is a text,
or a mapping with ``text`` and optionally ``items`` — its sub-items: texts, or
``{text, url}`` links (``sub_items`` is accepted as another name for
``items``) — and ``numbering`` (``letters`` or ``bullets``); a list straight
after a text item is that item's sub-items.

**Repeats.** An item is *repeated* when an earlier month (either section) has
an item with the same normalised text — lower case, curly quotes and dashes
made straight, punctuation dropped, spaces collapsed — or a near-identical one:
:func:`difflib.SequenceMatcher` ratio of the normalised texts at least
:data:`REPEAT_SIMILARITY` (0.9, so a changed word or two in a long sentence
still counts, while a different recommendation on the same topic does not).
Only an item's own text is compared, not its sub-items. ``first_month`` is the
earliest month with a match.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, Final

import pandas as pd

from auditlib.analysis.redaction import redact_text
from auditlib.analysis.voices import describe_months, escape_markdown
from auditlib.data import schema
from auditlib.errors import DataError, Problem

FILE: Final = "recommendations.yml"
HIGH_PRIORITY: Final = "high_priority"
PRACTICE_STANDARDS: Final = "practice_standards"
SECTIONS: Final = (HIGH_PRIORITY, PRACTICE_STANDARDS)
SECTION_TITLES: Final = {
    HIGH_PRIORITY: "High-priority practice recommendations",
    PRACTICE_STANDARDS: "Recommendations and practice standards",
}
#: The keys that hold an item's sub-points ("items" is what auditlib.demo writes).
_SUB_ITEM_KEYS: Final = ("items", "sub_items")
LETTERS: Final = "letters"
BULLETS: Final = "bullets"
#: Normalised texts at least this similar (difflib ratio) count as the same recommendation.
REPEAT_SIMILARITY: Final = 0.9

COLUMNS: Final = (
    "section",
    "number",
    "text",
    "sub_items",
    "repeated",
    "first_month",
    "earlier_months",
    "similarity",
)

_MONTH_RE = re.compile(schema.MONTH_PATTERN)
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"'})


def normalise_recommendation(text: str) -> str:
    """The text recommendations are compared on.

    >>> normalise_recommendation("  Managers, CPC’s and IRO’s – to ensure…  ")
    'managers cpcs and iros to ensure'
    """
    text = unicodedata.normalize("NFKC", str(text)).translate(_QUOTES).lower()
    text = text.replace("'", "")  # "CPC's" and "CPCs" are the same word
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def _month_key(key: Any) -> str:
    # YAML reads an unquoted 2020-08-01 as a date; accept it as its month.
    return key.strftime("%Y-%m") if hasattr(key, "strftime") else str(key).strip()


def _problem(month: str | None, section: str | None, number: int | None, value: Any, reason: str):
    where = " / ".join(
        p for p in (month, section, None if number is None else f"item {number}") if p
    )
    shown = None if value is None else str(value)[:80]
    return Problem(file=FILE, row=None, column=where or None, value=shown, reason=reason)


def _parse_sub_item(value: Any) -> dict[str, Any] | None:
    if isinstance(value, str) and value.strip():
        return {"text": value.strip(), "url": None}
    if isinstance(value, Mapping) and isinstance(value.get("text"), str) and value["text"].strip():
        url = value.get("url")
        if url is None or isinstance(url, str):
            return {"text": value["text"].strip(), "url": url}
    return None


def _parse_section(
    items: Any, month: str, section: str, problems: list[Problem]
) -> list[dict[str, Any]]:
    if items is None:
        return []
    if not isinstance(items, list):
        problems.append(_problem(month, section, None, items, "expected a list of items"))
        return []
    parsed: list[dict[str, Any]] = []
    for position, item in enumerate(items, start=1):
        if isinstance(item, list):
            # Short form: a list straight after a text item holds its sub-items.
            if not parsed or parsed[-1]["_short_subs_used"]:
                problems.append(
                    _problem(
                        month,
                        section,
                        position,
                        item,
                        "a list of sub-items must follow a text item",
                    )
                )
                continue
            subs = [_parse_sub_item(v) for v in item]
            if any(sub is None for sub in subs):
                problems.append(
                    _problem(
                        month, section, position, item, "sub-items must be texts or {text, url}"
                    )
                )
                continue
            parsed[-1]["sub_items"] = subs
            parsed[-1]["_short_subs_used"] = True
            continue
        if isinstance(item, str) and item.strip():
            parsed.append(
                {
                    "text": item.strip(),
                    "sub_items": [],
                    "numbering": BULLETS,
                    "_short_subs_used": False,
                }
            )
            continue
        if isinstance(item, Mapping):
            text = item.get("text")
            unknown = set(item) - {"text", *_SUB_ITEM_KEYS, "numbering"}
            numbering = item.get("numbering", BULLETS)
            given = [key for key in _SUB_ITEM_KEYS if key in item]
            subs_raw = (item.get(given[0]) if given else None) or []
            subs = [_parse_sub_item(v) for v in subs_raw] if isinstance(subs_raw, list) else [None]
            if not isinstance(text, str) or not text.strip():
                problems.append(_problem(month, section, position, item, "the item has no 'text'"))
            elif len(given) > 1:
                problems.append(
                    _problem(
                        month, section, position, given, "use 'items' or 'sub_items', not both"
                    )
                )
            elif unknown:
                problems.append(
                    _problem(month, section, position, sorted(unknown), "unknown keys in the item")
                )
            elif numbering not in (LETTERS, BULLETS):
                problems.append(
                    _problem(
                        month,
                        section,
                        position,
                        numbering,
                        "numbering must be 'letters' or 'bullets'",
                    )
                )
            elif any(sub is None for sub in subs):
                problems.append(
                    _problem(
                        month, section, position, subs_raw, "sub-items must be texts or {text, url}"
                    )
                )
            else:
                parsed.append(
                    {
                        "text": text.strip(),
                        "sub_items": subs,
                        "numbering": numbering,
                        # An explicit sub_items list cannot also take the short form.
                        "_short_subs_used": bool(subs),
                    }
                )
            continue
        problems.append(
            _problem(month, section, position, item, "an item must be a text or a mapping")
        )
    return parsed


def _parse(recs: Mapping[Any, Any] | None) -> tuple[dict[str, dict[str, list]], list[Problem]]:
    problems: list[Problem] = []
    months: dict[str, dict[str, list]] = {}
    if recs is None:
        return months, problems
    if not isinstance(recs, Mapping):
        return months, [
            _problem(None, None, None, type(recs).__name__, "expected a mapping of months")
        ]
    for key, body in recs.items():
        month = _month_key(key)
        if not _MONTH_RE.match(month):
            problems.append(_problem(month, None, None, key, "a month must be written YYYY-MM"))
            continue
        if month in months:
            problems.append(_problem(month, None, None, key, "the month appears twice"))
            continue
        if body is None:
            months[month] = {section: [] for section in SECTIONS}
            continue
        if not isinstance(body, Mapping):
            problems.append(
                _problem(
                    month, None, None, body, "expected high_priority: and/or practice_standards:"
                )
            )
            continue
        for section in set(body) - set(SECTIONS):
            problems.append(
                _problem(
                    month,
                    str(section),
                    None,
                    section,
                    f"unknown section; use {' or '.join(SECTIONS)}",
                )
            )
        months[month] = {
            section: _parse_section(body.get(section), month, section, problems)
            for section in SECTIONS
        }
    return months, problems


def check_recommendations(recs: Mapping[Any, Any] | None) -> list[Problem]:
    """Every problem in a parsed recommendations.yml (empty when it is usable).

    >>> [p.reason for p in check_recommendations({"Aug 2020": {"high_priority": ["x"]}})]
    ['a month must be written YYYY-MM']
    """
    return _parse(recs)[1]


def _similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    # difflib's two upper bounds (real_quick_ratio, quick_ratio), worked out as difflib does
    # but without building a matcher, which indexes every character of b: most pairs of
    # recommendations fail them, and only the rest need the full ratio.
    length = len(a) + len(b)
    if _ratio(min(len(a), len(b)), length) < REPEAT_SIMILARITY:
        return 0.0
    common = sum((_characters(a) & _characters(b)).values())
    if _ratio(common, length) < REPEAT_SIMILARITY:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _ratio(matches: int, length: int) -> float:
    """difflib's ratio of ``matches`` in two sequences of ``length`` items together."""
    return 2.0 * matches / length if length else 1.0


@functools.lru_cache(maxsize=4096)
def _characters(text: str) -> Counter[str]:
    """How many times each character occurs in ``text`` (not to be changed: shared)."""
    return Counter(text)


def recommendations_for(
    recs: Mapping[Any, Any] | None,
    month: str,
    *,
    redact: bool = True,
    denylist: Iterable[str] = (),
) -> pd.DataFrame:
    """The month's recommendations, one row per item, repeats from earlier months marked.

    Columns: ``section`` (``high_priority`` / ``practice_standards``),
    ``number`` (1, 2… within the section), ``text``, ``sub_items`` (list of
    ``{"label", "text", "url"}``; label "a", "b"… or "" for bullets),
    ``repeated``, ``first_month`` (earliest month with this item; the month
    itself when new), ``earlier_months`` (every earlier month with it) and
    ``similarity`` (best match with an earlier item: 1.0 for the same
    normalised text, 0.0 when new). Texts are redacted unless ``redact=False``.
    A month with no entry gives an empty table. Raises :class:`DataError`
    listing every problem when the file is malformed.

    >>> recs = {"2020-08": {"high_priority": ["Managers to hold supervision on time."]},
    ...         "2020-09": {"high_priority": ["MANAGERS to hold supervision on time",
    ...                                       "Review CSE risk assessments."]}}
    >>> recommendations_for(recs, "2020-09")[["number", "repeated", "first_month"]].values.tolist()
    [[1, True, '2020-08'], [2, False, '2020-09']]
    """
    months, problems = _parse(recs)
    if problems:
        raise DataError(problems, summary=f"{FILE}: {len(problems)} problem(s)")
    month = str(month)
    earlier: list[tuple[str, str]] = [
        (m, normalise_recommendation(item["text"]))
        for m in sorted(months)
        if m < month
        for section in SECTIONS
        for item in months[m][section]
    ]
    names = tuple(denylist)

    def shown(text: str | None) -> str | None:
        return redact_text(text, names) if redact and text is not None else text

    records = []
    for section in SECTIONS:
        for number, item in enumerate(months.get(month, {}).get(section, []), start=1):
            key = normalise_recommendation(item["text"])
            matches: dict[str, float] = {}
            for m, other in earlier:
                score = _similarity(key, other)
                if score >= REPEAT_SIMILARITY:
                    matches[m] = max(score, matches.get(m, 0.0))
            subs = [
                {
                    "label": chr(ord("a") + i) if item["numbering"] == LETTERS and i < 26 else "",
                    "text": shown(sub["text"]),
                    "url": sub["url"],
                }
                for i, sub in enumerate(item["sub_items"])
            ]
            records.append(
                {
                    "section": section,
                    "number": number,
                    "text": shown(item["text"]),
                    "sub_items": subs,
                    "repeated": bool(matches),
                    "first_month": min(matches) if matches else month,
                    "earlier_months": sorted(matches),
                    "similarity": max(matches.values()) if matches else 0.0,
                }
            )
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))


def list_recommendation_months(recs: Mapping[Any, Any] | None) -> list[str]:
    """The months that have recommendations, in order (problems are ignored here)."""
    return sorted(_parse(recs)[0])


def format_recommendations(
    table: pd.DataFrame,
    section: str | None = None,
    *,
    labels: Mapping[str, str] | None = None,
    mark_repeats: bool = True,
) -> str:
    """Markdown for the report: a numbered list, sub-items indented, repeats noted.

    ``section`` picks one section (default: all, in order). A repeated item
    ends with "*(first recommended in August 2020)*"; ``labels`` overrides a
    month's words (programme.yml ``month_labels``). Texts are escaped, so a
    ``[name]`` token shows as written.

    >>> recs = {"2020-08": {"high_priority": ["Hold supervision on time."]},
    ...         "2020-09": {"high_priority": ["Hold supervision on time.",
    ...             {"text": "Review:", "numbering": "letters", "items": ["missing", "CSE"]}]}}
    >>> print(format_recommendations(recommendations_for(recs, "2020-09")))
    1. Hold supervision on time. *(first recommended in August 2020)*
    2. Review:
        - a. missing
        - b. CSE
    """
    rows = table if section is None else table.loc[table["section"] == section]
    lines: list[str] = []
    for record in rows.to_dict("records"):
        line = f"{record['number']}. {escape_markdown(str(record['text']))}"
        if mark_repeats and record["repeated"]:
            line += f" *(first recommended in {describe_months([record['first_month']], labels)})*"
        lines.append(line)
        for sub in record["sub_items"]:
            text = escape_markdown(str(sub["text"]))
            if str(sub.get("url") or "").lower().startswith(("https://", "http://")):
                text = f"[{text}]({sub['url']})"  # other kinds of link are not made at all
            label = f"{sub['label']}. " if sub.get("label") else ""
            lines.append(f"    - {label}{text}")
    return "\n".join(lines)
