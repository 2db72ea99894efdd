"""Leak scan: no child id, worker id, name or planted identifier in any output.

Every demo month is rendered under both disclosure profiles (once per session, see
:mod:`tests.rendered`), and each report's HTML, executed notebook and figures.json is
searched twice: as the raw file (attributes, JSON strings, alt text) and as the text a
reader sees (HTML tags removed and entities decoded; JSON strings decoded). Inline
images are taken out first: their base64 is noise in which short ids could turn up
by chance.

Ids and names are matched as whole tokens (so ``SW0012`` does not match inside
``SW00123``), case-insensitively; phone numbers, postcodes, NHS numbers and dates of
birth are matched with and without their spaces, and dates in other common forms.
"""

from __future__ import annotations

import csv
import html
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from auditlib.data import schema
from auditlib.demo import list_planted_identifiers
from auditlib.paths import DEMO_DATA_DIR
from tests.rendered import DATA_IMAGE_RE, XDIST_GROUP, RenderedReports, demo_reports

pytestmark = [pytest.mark.slow, XDIST_GROUP]

ID_COLUMNS = (schema.CHILD_ID, schema.AUDITOR_ID, schema.SOCIAL_WORKER_ID)
_TOKEN_RE = re.compile(r"[A-Za-z0-9]+")
_IMAGE_MIMES = ("image/png", "image/jpeg", "image/gif", "image/svg+xml")
# Generic shapes that should never be in a report, whoever they belong to.
_GENERIC = {
    "email address": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    "UK phone number": re.compile(r"(?<![\w])(?:\+44\s?|0)7\d{3}\s?\d{3}\s?\d{3}(?![\w])"),
}


# ---------------------------------------------------------------- what to look for
@dataclass(frozen=True)
class Identifiers:
    """Everything that must never reach an output, by kind."""

    tokens: dict[str, str]  # upper-cased id or name → its kind
    phrases: dict[str, re.Pattern[str]]  # multi-part identifiers (phones, postcodes…) → pattern

    @property
    def count(self) -> int:
        return len(self.tokens) + len(self.phrases)


def _demo_ids() -> dict[str, str]:
    ids: dict[str, str] = {}
    with open(DEMO_DATA_DIR / "audits.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for column in ID_COLUMNS:
                if row[column].strip():
                    ids[row[column].strip().upper()] = column
    return ids


def _demo_names() -> list[str]:
    lines = (DEMO_DATA_DIR / "names.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _phrase_pattern(value: str, kind: str) -> re.Pattern[str]:
    """The identifier with any spacing (or none) between its parts, as a whole token."""
    parts = re.split(r"[\s]+", value.strip())
    if kind == "date_of_birth":
        day, month, year = re.split(r"[/.-]", value)
        forms = [
            rf"{day}\s*[/.-]\s*{month}\s*[/.-]\s*{year}",
            rf"{year}-{month}-{day}",
            rf"{int(day)}/{int(month)}/{year}",
        ]
        body = "|".join(forms)
    else:
        body = r"\s*".join(re.escape(p) for p in parts)
    return re.compile(rf"(?<![A-Za-z0-9])(?:{body})(?![A-Za-z0-9])", re.IGNORECASE)


def collect_identifiers() -> Identifiers:
    """Ids from audits.csv, every planted identifier, every name in names.txt."""
    tokens = _demo_ids()
    phrases: dict[str, re.Pattern[str]] = {}
    for kind, values in list_planted_identifiers().items():
        for value in values:
            if _TOKEN_RE.fullmatch(value):
                tokens[value.upper()] = kind
            else:
                phrases[f"{kind}: {value}"] = _phrase_pattern(value, kind)
    for name in _demo_names():
        for part in _TOKEN_RE.findall(name):
            tokens.setdefault(part.upper(), "name")
    return Identifiers(tokens, phrases)


# ---------------------------------------------------------------- what to search
def _strip_images(text: str) -> str:
    return DATA_IMAGE_RE.sub("data:image", text)


def _json_strings(value: object, key: str = "") -> Iterator[str]:
    """Every string in a JSON document (keys too), except image data."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            if str(k) not in _IMAGE_MIMES:
                yield from _json_strings(v, str(k))
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item, key)
    elif isinstance(value, str):
        yield _strip_images(value)
    elif value is not None:
        yield str(value)


def _raw_notebook(text: str) -> str:
    """The notebook file as written, with the base64 of its images taken out."""
    mimes = "|".join(re.escape(m) for m in _IMAGE_MIMES)
    return re.sub(rf'("(?:{mimes})":\s*)"[^"]*"', r'\1""', _strip_images(text))


def _html_text(page: str) -> str:
    """What a reader sees: no tags, style or script; entities decoded; spaces collapsed."""
    page = re.sub(r"<(style|script)\b.*?</\1\s*>", " ", page, flags=re.S | re.I)
    text = html.unescape(re.sub(r"<[^>]+>", " ", _strip_images(page)))
    return " ".join(text.split())


def searchable_forms(path: Path) -> dict[str, str]:
    """The forms of a report file to search: the raw file and its decoded text."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        return {"raw": _strip_images(raw), "text": _html_text(raw)}
    decoded = "\n".join(_json_strings(json.loads(raw)))
    raw_form = _raw_notebook(raw) if path.suffix == ".ipynb" else raw
    return {"raw": raw_form, "text": decoded}


@dataclass(frozen=True)
class Hit:
    file: str
    form: str
    kind: str
    context: str


def find_identifiers(
    text: str, identifiers: Identifiers, *, where: str = "", form: str = ""
) -> list[Hit]:
    """Every identifier in ``text`` (whole tokens, case-insensitive) with a little context.

    >>> ids = Identifiers({"SW0012": "social_worker_id"}, {})
    >>> [h.kind for h in find_identifiers("seen by sw0012 today", ids)]
    ['social_worker_id']
    >>> find_identifiers("ref SW00123", ids)
    []
    """
    hits = []
    for match in _TOKEN_RE.finditer(text):
        kind = identifiers.tokens.get(match[0].upper())
        if kind:
            hits.append(Hit(where, form, kind, _context(text, match.start(), match.end())))
    for kind, pattern in [*identifiers.phrases.items(), *_GENERIC.items()]:
        for match in pattern.finditer(text):
            hits.append(Hit(where, form, kind, _context(text, match.start(), match.end())))
    return hits


def _context(text: str, start: int, end: int) -> str:
    # The hit itself is masked so a failing test does not print the identifier in full.
    found = text[start:end]
    masked = found[:2] + "…" if len(found) > 3 else "…"
    return f"…{text[max(0, start - 40) : start]}[{masked}]{text[end : end + 40]}…"


def scan(files: Iterable[Path], identifiers: Identifiers, root: Path) -> list[Hit]:
    hits = []
    for path in files:
        for form, text in searchable_forms(path).items():
            hits += find_identifiers(
                text, identifiers, where=str(path.relative_to(root)), form=form
            )
    return hits


# ---------------------------------------------------------------- tests
@pytest.fixture(scope="session")
def rendered_reports(tmp_path_factory) -> RenderedReports:
    return demo_reports(tmp_path_factory)


@pytest.fixture(scope="module")
def identifiers() -> Identifiers:
    return collect_identifiers()


def test_the_identifier_list_covers_every_kind(identifiers):
    kinds = Counter(identifiers.tokens.values())
    assert kinds[schema.CHILD_ID] > 1000
    assert kinds[schema.AUDITOR_ID] > 10 and kinds[schema.SOCIAL_WORKER_ID] > 100
    assert {n.upper() for n in _demo_names()} <= set(identifiers.tokens)
    planted = list_planted_identifiers()
    phrase_kinds = {key.split(":")[0] for key in identifiers.phrases}
    assert phrase_kinds == set(planted) - {"name"}


def test_the_scan_finds_what_the_inputs_plant(identifiers, tmp_path):
    """The scanner itself: every planted identifier is found in the raw free text it was planted in."""
    sources = [DEMO_DATA_DIR / "feedback.csv", DEMO_DATA_DIR / "reflections.csv"]
    text = "\n".join(p.read_text(encoding="utf-8") for p in sources)
    found = {h.kind for h in find_identifiers(text, identifiers)}
    assert set(list_planted_identifiers()) <= {k.split(":")[0] for k in found}
    # And in each searchable form: an id in an alt text, a name in a table cell, a
    # phone number split by an entity, a postcode in a notebook string, a JSON key.
    page = tmp_path / "r.html"
    page.write_text(
        '<img alt="case C0114288" src="data:image/png;base64,U1cwMDEy"><td>Priya</td>'
        "<p>07700&#32;900 461</p>",
        encoding="utf-8",
    )
    notebook = tmp_path / "r.ipynb"
    notebook.write_text(json.dumps({"cells": [{"source": "ZZ99  3CZ"}]}), encoding="utf-8")
    figures = tmp_path / "figures.json"
    figures.write_text(json.dumps({"TM001": 1}), encoding="utf-8")
    hits = scan([page, notebook, figures], identifiers, tmp_path)
    assert {(h.file, h.kind) for h in hits} >= {
        ("r.html", schema.CHILD_ID),
        ("r.html", "name"),
        ("r.html", "phone: 07700 900 461"),
        ("r.ipynb", "postcode: ZZ99 3CZ"),
        ("figures.json", schema.AUDITOR_ID),
    }


def test_no_identifier_reaches_any_report(rendered_reports, identifiers):
    files = rendered_reports.files()
    assert files and all(p.is_file() for p in files)
    hits = scan(files, identifiers, rendered_reports.root)
    print(
        f"\nLeak scan: {len(files)} report files ({len(rendered_reports.months)} months × "
        f"{len(files) // len(rendered_reports.months) // 3} profiles × 3 files), "
        f"{identifiers.count} identifiers checked "
        f"({', '.join(f'{n} {k}' for k, n in sorted(Counter(identifiers.tokens.values()).items()))}, "
        f"{len(identifiers.phrases)} multi-part), {len(hits)} hits."
    )
    assert not hits, "\n".join(f"{h.file} ({h.form}): {h.kind} {h.context}" for h in hits[:30])


def test_the_index_pages_hold_no_identifier(rendered_reports, identifiers):
    pages = [rendered_reports.index(p) for p in ("internal", "published")]
    assert not scan(pages, identifiers, rendered_reports.root)
