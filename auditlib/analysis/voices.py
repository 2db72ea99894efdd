"""Feedback and social worker reflections: themes, recurring themes, quotes.

The "voices" sections of the report (sections 6 and 7) are built
from two tables (see docs/data-contract.md):

* feedback — ``feedback_id, audit_id, audit_month, source, kind, text``;
* reflections — ``audit_id, audit_month, question (1–4), text``.

Themes come from a documented dictionary (``auditlib/resources/themes.yml``; see that file
for how keywords match). :func:`tag_themes` adds to each row the ids of the
themes it mentions and the words that matched, so a reader can check a tag.

Everything that returns text returns it **redacted** (:mod:`auditlib.analysis.redaction`)
unless told otherwise; functions never change their input.

Typical use in a notebook::

    themes = load_themes()
    tagged = tag_themes(feedback, themes, denylist=names)      # redacted + tagged
    summarise_feedback(tagged, month)                          # source × kind counts
    count_themes(tagged, themes, by="kind", month=month)       # theme × kind counts
    quotes = select_quotes(tagged, n=3, month=month)           # redacted quotes
    format_quotes(quotes, "strength")                          # Markdown bullets

    said = tag_themes(reflections, themes, denylist=names)
    recurring = find_recurring_themes(said, month, themes=themes, months=audited)
    marked = mark_recurring(said, recurring)
    format_reflections(group_reflections(marked, month))       # Markdown by question
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import yaml

from auditlib.analysis.redaction import TOKENS, _require_columns, _text_series, redact_text
from auditlib.data import guards, schema
from auditlib.errors import ConfigError, DataError, Problem
from auditlib.paths import THEMES_FILE

#: The documented default dictionary (a data folder may carry its own).
DEFAULT_THEMES_FILE: Final = THEMES_FILE

#: Columns added by :func:`tag_themes` and :func:`mark_recurring`.
THEMES: Final = "themes"
THEME_MATCHES: Final = "theme_matches"
#: How many audit months (the report month and those before it) recurrence looks back over.
RECURRING_WINDOW: Final = 3
RECURRING_THEMES: Final = "recurring_themes"
RECURRING_NOTE: Final = "recurring_note"
#: Columns of the tables built here.
THEME_ID: Final = "theme_id"
THEME_NAME: Final = "name"
TOTAL: Final = "total"
ALL_SOURCES: Final = "All sources"
NO_SOURCE: Final = "source not recorded"

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_ACRONYM_RE = re.compile(r"^[A-Z][A-Z0-9]+$")
_TOKEN_RE = re.compile("|".join(re.escape(t) for t in TOKENS.values()))
_MONTH_RE = re.compile(schema.MONTH_PATTERN)
# Not calendar.month_name: that follows the machine's locale.
_MONTH_NAMES: Final = schema.MONTH_NAMES


# ------------------------------------------------------------------ themes
@dataclass(frozen=True)
class Theme:
    """One theme of the dictionary, with its keywords compiled into one pattern."""

    id: str
    name: str
    description: str
    keywords: tuple[str, ...]
    pattern: re.Pattern[str]

    def find(self, text: str) -> list[str]:
        """The distinct words of ``text`` that match, as written, in order of appearance.

        Repeats that differ only in case or spacing are listed once.

        >>> theme = parse_themes({"themes": [{"id": "x", "name": "X", "description": "",
        ...     "keywords": ["caseload*", "multi-agency"]}]})[0]
        >>> theme.find("High caseloads; a Multiagency meeting; Caseloads again, caseload")
        ['caseloads', 'Multiagency', 'caseload']
        """
        return list(_find_words(self.pattern, text))


def _find_words(pattern: re.Pattern[str], text: str) -> tuple[str, ...]:
    """The distinct words of ``text`` that ``pattern`` matches (see :meth:`Theme.find`)."""
    found: dict[str, str] = {}
    for match in pattern.finditer(text):
        word = " ".join(match.group(0).split())
        found.setdefault(word.lower(), word)
    return tuple(found.values())


#: Texts tagged (:func:`tag_themes`) are remembered, by theme dictionary, denylist and
#: text: every month's report tags the whole feedback table, and the report runner's
#: pre-imported kernel process tags every row once for all its months' kernels
#: (:func:`auditlib.report.preload.preload`). At most this many texts per dictionary and
#: denylist, so a huge table cannot fill memory.
TAGGED_TEXTS_KEPT: Final = 65_536
_TAGGED: dict[tuple[Any, ...], dict[str, tuple[Any, tuple[tuple[str, tuple[str, ...]], ...]]]] = {}


def _theme_matches(
    themes: tuple[tuple[str, re.Pattern[str]], ...], text: str
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each theme (id, pattern) that matches ``text``, with its words, in dictionary order."""
    return tuple((key, words) for key, pattern in themes if (words := _find_words(pattern, text)))


def _compile_keyword(keyword: str) -> str:
    """A keyword phrase → regex source (rules documented in auditlib/resources/themes.yml)."""
    if keyword.startswith("re:"):
        return f"(?:{keyword[3:]})"
    out = []
    for piece in re.split(r"(\s+|-)", keyword.strip()):
        if not piece:
            continue
        if piece.isspace():
            out.append(r"[\s/-]+")
        elif piece == "-":
            out.append(r"[\s-]?")
        else:
            stem = piece.endswith("*")
            word = piece.rstrip("*")
            source = re.sub(r"['’]", "['’]", re.escape(word))
            if _ACRONYM_RE.match(word):
                source = f"(?-i:{source})"
            out.append(source + (r"\w*" if stem else ""))
    return "".join(out)


def parse_themes(config: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> tuple[Theme, ...]:
    """Build the theme dictionary from parsed YAML (``{"themes": [...]}`` or the list itself).

    Raises :class:`ConfigError` naming the theme and field when the dictionary is malformed.
    """
    items = config.get("themes") if isinstance(config, Mapping) else config
    if not isinstance(items, list) or not items:
        raise ConfigError("themes.yml: expected a non-empty list under 'themes:'")
    themes: list[Theme] = []
    seen: set[str] = set()
    for position, item in enumerate(items, start=1):
        where = f"themes.yml, theme {position}"
        if not isinstance(item, Mapping):
            raise ConfigError(f"{where}: expected a mapping with id, name, description, keywords")
        theme_id = item.get("id")
        if not isinstance(theme_id, str) or not _ID_RE.match(theme_id):
            raise ConfigError(f"{where}: 'id' must be lower_snake_case text, got {theme_id!r}")
        where = f"themes.yml, theme '{theme_id}'"
        if theme_id in seen:
            raise ConfigError(f"{where}: the id is used twice")
        seen.add(theme_id)
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{where}: 'name' is missing")
        keywords = item.get("keywords")
        if (
            not isinstance(keywords, list)
            or not keywords
            or not all(isinstance(k, str) and k.strip() for k in keywords)
        ):
            raise ConfigError(f"{where}: 'keywords' must be a non-empty list of phrases")
        # Longest first, so "placement breakdown" wins over "breakdown" in what is reported.
        ordered = sorted(dict.fromkeys(k.strip() for k in keywords), key=lambda k: (-len(k), k))
        try:
            parts = [_compile_keyword(k) for k in ordered]
            pattern = re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)
        except re.error as exc:
            raise ConfigError(f"{where}: a keyword is not a valid pattern ({exc})") from exc
        description = item.get("description") or ""
        themes.append(
            Theme(theme_id, name.strip(), str(description).strip(), tuple(keywords), pattern)
        )
    return tuple(themes)


def load_themes(source: str | Path | Mapping[str, Any] | None = None) -> tuple[Theme, ...]:
    """Read a theme dictionary from a YAML file (default: the packaged ``themes.yml``) or a parsed dict."""
    if source is None:
        source = DEFAULT_THEMES_FILE
    if isinstance(source, Mapping):
        return parse_themes(source)
    path = Path(source)
    if not path.exists():
        raise ConfigError(f"theme dictionary not found: {path}")
    if path == DEFAULT_THEMES_FILE:
        return _packaged_themes(path.read_text(encoding="utf-8"))
    else:
        # A council's own file: the settings-file guards (regular file, size, no aliases).
        try:
            config = guards.load_yaml_file(path)
        except guards.SettingsFileError as exc:
            raise ConfigError(str(exc)) from None
    if not isinstance(config, Mapping):
        raise ConfigError(f"{path.name}: expected a mapping with a 'themes:' list")
    return parse_themes(config)


@lru_cache(maxsize=4)
def _packaged_themes(text: str) -> tuple[Theme, ...]:
    """auditlib's own theme dictionary, from its text: read by every report, so parsed
    once per process (by the report runner's pre-imported kernel process for all its
    kernels), with libyaml's safe loader where PyYAML has it (about ten times faster
    than the pure-Python one). The themes are frozen: sharing them is safe."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    config = yaml.load(text, Loader=loader)
    if not isinstance(config, Mapping):
        raise ConfigError(f"{DEFAULT_THEMES_FILE.name}: expected a mapping with a 'themes:' list")
    return parse_themes(config)


def _theme_names(themes: Iterable[Theme] | None) -> dict[str, str]:
    return {t.id: t.name for t in themes} if themes is not None else {}


# ----------------------------------------------------------------- helpers
def _natural_key(value: Any) -> tuple:
    """Sort key that puts F2 before F10."""
    text = "" if value is None else str(value)
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.lower())
        for part in re.split(r"(\d+)", text)
        if part
    )


def _months(df: pd.DataFrame) -> pd.Series:
    return df[schema.AUDIT_MONTH].astype(str)


def _in_month(df: pd.DataFrame, month: str | None) -> pd.DataFrame:
    if month is None:
        return df
    return df.loc[_months(df) == str(month)]


def _object_series(values: list[Any], index: pd.Index) -> pd.Series:
    return pd.Series(values, index=index, dtype=object)


def describe_months(months: Iterable[str], labels: Mapping[str, str] | None = None) -> str:
    """Months in words for a sentence: one year is named once.

    ``labels`` overrides a month's words (programme.yml ``month_labels``).

    >>> describe_months(["2020-08", "2020-07"])
    'July and August 2020'
    >>> describe_months(["2019-12", "2020-01", "2020-02"])
    'December 2019, January 2020 and February 2020'
    >>> describe_months(["2019-07", "2019-09"], labels={"2019-07": "July/August 2019"})
    'July/August 2019 and September 2019'
    """
    ordered = sorted({str(m) for m in months})
    if not ordered:
        return ""
    labels = {str(k): v for k, v in (labels or {}).items()}
    years = {m[:4] for m in ordered}
    one_year = len(years) == 1 and not any(m in labels for m in ordered)
    words = []
    for month in ordered:
        if month in labels:
            words.append(labels[month])
        elif _MONTH_RE.match(month):
            name = _MONTH_NAMES[int(month[5:7]) - 1]
            words.append(name if one_year else f"{name} {month[:4]}")
        else:
            words.append(month)
    text = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return f"{text} {ordered[0][:4]}" if one_year else text


# ----------------------------------------------------------------- tagging
def tag_themes(
    df: pd.DataFrame,
    themes: Iterable[Theme],
    text_col: str = schema.TEXT,
    *,
    redact: bool = True,
    denylist: Iterable[str] = (),
) -> pd.DataFrame:
    """Tag each row with the themes its text mentions.

    Returns a copy with ``text_col`` redacted (unless ``redact=False``) and two
    columns: ``themes`` (theme ids, in dictionary order) and ``theme_matches``
    (``{theme id: [matched words]}``). Matching runs on the redacted text with
    its tokens blanked, so every matched word can be seen in the shown text.

    >>> th = load_themes({"themes": [
    ...     {"id": "caseloads", "name": "Caseloads", "keywords": ["caseload*"]},
    ...     {"id": "transfer", "name": "Transfer", "keywords": ["transfer*"]}]})
    >>> out = tag_themes(pd.DataFrame({"text": ["High caseloads, Mr Smith said"]}), th)
    >>> out.loc[0, "text"], out.loc[0, "themes"], out.loc[0, "theme_matches"]
    ('High caseloads, [name] said', ['caseloads'], {'caseloads': ['caseloads']})
    """
    _require_columns(df, [text_col], "text table")
    themes = tuple(themes)
    names = tuple(denylist)
    patterns = tuple((t.id, t.pattern) for t in themes)
    # A pattern's source and flags stand for it in the key (hashing a compiled pattern
    # hashes its whole program).
    known = _TAGGED.setdefault(
        (tuple((t.id, t.pattern.pattern, t.pattern.flags) for t in themes), names, redact), {}
    )
    if len(known) > TAGGED_TEXTS_KEPT:
        known.clear()
    texts: list[Any] = []
    tags: list[list[str]] = []
    matches: list[dict[str, list[str]]] = []
    for value in df[text_col].tolist():
        tagged = known.get(value) if isinstance(value, str) else None
        if tagged is None:
            text = redact_text(value, names) if redact else value
            searchable = _TOKEN_RE.sub(" ", text) if isinstance(text, str) else ""
            tagged = (text, _theme_matches(patterns, searchable))
            if isinstance(value, str):
                known[value] = tagged
        texts.append(tagged[0])
        # each row its own lists (a caller may change them)
        found = {key: list(words) for key, words in tagged[1]}
        tags.append(list(found))
        matches.append(found)
    out = df.copy()
    out[text_col] = _text_series(texts, df[text_col])
    out[THEMES] = _object_series(tags, df.index)
    out[THEME_MATCHES] = _object_series(matches, df.index)
    return out


def _require_tagged(df: pd.DataFrame) -> None:
    if THEMES not in df.columns:
        raise ConfigError("this table has no theme tags: run tag_themes(...) on it first")


def explode_themes(tagged: pd.DataFrame) -> pd.DataFrame:
    """One row per (row, theme): the tagged table in long form, with ``theme_id`` and
    ``matched`` (the matched words, comma-separated). Rows without a theme drop out."""
    _require_tagged(tagged)
    records = []
    keep = [c for c in tagged.columns if c not in (THEMES, THEME_MATCHES)]
    for index, row in tagged.iterrows():
        matches = row.get(THEME_MATCHES) or {}
        for theme_id in row[THEMES]:
            record = {c: row[c] for c in keep}
            record["row"] = index
            record[THEME_ID] = theme_id
            record["matched"] = ", ".join(matches.get(theme_id, []))
            records.append(record)
    return pd.DataFrame.from_records(records, columns=[*keep, "row", THEME_ID, "matched"])


def count_themes(
    tagged: pd.DataFrame,
    themes: Iterable[Theme] | None = None,
    by: str | None = None,
    *,
    month: str | None = None,
    include_zero: bool = False,
) -> pd.DataFrame:
    """How many rows mention each theme, optionally split by a column (``kind``, ``question``…).

    Index ``theme_id``; columns ``name`` (when ``themes`` is given), one per
    value of ``by`` (kinds in schema order, questions 1–4, else sorted), and
    ``total``. Sorted by total, most first, ties in dictionary order. A row
    counts once per theme however many of its words match.
    """
    _require_tagged(tagged)
    rows = _in_month(tagged, month)
    themes = tuple(themes) if themes is not None else ()
    order = [t.id for t in themes]
    seen = [tid for tags in rows[THEMES] for tid in tags]
    order += sorted(set(seen) - set(order))
    if by is None:
        groups: list[Any] = []
    else:
        _require_columns(rows, [by], "tagged table")
        present = list(dict.fromkeys(rows[by].tolist()))
        # Kinds and questions always get all their columns, so tables line up month to month.
        canonical: Sequence[Any] = {
            schema.KIND: schema.FEEDBACK_KINDS,
            schema.QUESTION: tuple(schema.REFLECTION_QUESTIONS),
        }.get(by, ())
        groups = list(canonical) + sorted(
            (g for g in present if g not in canonical), key=_natural_key
        )
    counts: Counter[tuple[str, Any]] = Counter()
    for tags, group in zip(
        rows[THEMES].tolist(), rows[by].tolist() if by else [None] * len(rows), strict=True
    ):
        for theme_id in tags:
            counts[(theme_id, group)] += 1
    table = pd.DataFrame(
        [[counts[(tid, g)] for g in groups] for tid in order],
        index=pd.Index(order, name=THEME_ID),
        columns=groups,
        dtype="int64",
    )
    table[TOTAL] = [sum(n for (tid, _), n in counts.items() if tid == t) for t in order]
    if not include_zero:
        table = table.loc[table[TOTAL] > 0]
    rank = {tid: i for i, tid in enumerate(order)}
    table = table.iloc[
        sorted(range(len(table)), key=lambda i: (-table[TOTAL].iloc[i], rank[table.index[i]]))
    ]
    names = _theme_names(themes)
    if names:
        table.insert(0, THEME_NAME, [names.get(tid, tid) for tid in table.index])
    return table


def describe_top_themes(
    counts: pd.DataFrame,
    n: int = 3,
    *,
    column: str = TOTAL,
    noun: tuple[str, str] = ("item", "items"),
) -> str:
    """The ``n`` most frequent themes of a :func:`count_themes` table, in words.

    >>> table = pd.DataFrame({"name": ["Caseloads", "Transfer", "CSE"], "total": [3, 1, 0]},
    ...                      index=["caseloads", "transfer", "cse"])
    >>> describe_top_themes(table, noun=("answer", "answers"))
    'Caseloads (3 answers) and Transfer (1 answer)'
    """
    if column not in counts.columns:
        raise ConfigError(f"the theme table has no column {column!r}")
    top = counts.loc[counts[column] > 0].sort_values(column, ascending=False, kind="stable")
    parts = []
    for theme_id, record in zip(top.index[:n], top.head(n).to_dict("records"), strict=True):
        count = int(record[column])
        label = record.get(THEME_NAME, theme_id)
        parts.append(f"{label} ({count} {noun[0] if count == 1 else noun[1]})")
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


# --------------------------------------------------------------- feedback
def _require_kinds(df: pd.DataFrame) -> None:
    """Counts must reconcile: a kind outside the schema is an error, not a silent drop."""
    kinds = df[schema.KIND].astype(object)
    bad = df.loc[~kinds.isin(schema.FEEDBACK_KINDS)]
    if len(bad):
        problems = [
            Problem(
                file="feedback",
                row=None,
                column=schema.KIND,
                value=None if pd.isna(value) else str(value),
                reason=f"kind must be one of {', '.join(schema.FEEDBACK_KINDS)} (feedback_id {fid})",
            )
            for fid, value in zip(
                bad.get(schema.FEEDBACK_ID, pd.Series(["?"] * len(bad))).tolist(),
                bad[schema.KIND].tolist(),
                strict=True,
            )
        ]
        raise DataError(problems, summary=f"feedback: {len(bad)} row(s) with an unknown kind")


def summarise_feedback(
    df: pd.DataFrame, month: str | None = None, *, include_empty: bool = False
) -> pd.DataFrame:
    """Feedback counts by source × kind, for one month or (``month=None``) all months.

    Index ``source`` in schema order (unknown sources after, sorted), then an
    ``All sources`` row; columns ``strength``, ``improvement``, ``total``.
    Sources with no feedback are left out unless ``include_empty``; a missing
    source is counted as "source not recorded", so every row is counted.

    >>> fb = pd.DataFrame({"audit_month": ["2020-09"] * 3,
    ...     "source": ["parent", "parent", "carer"],
    ...     "kind": ["strength", "improvement", "strength"]})
    >>> summarise_feedback(fb)["total"].tolist()
    [2, 1, 3]
    """
    _require_columns(df, [schema.AUDIT_MONTH, schema.SOURCE, schema.KIND], "feedback")
    _require_kinds(df)
    rows = _in_month(df, month)
    sources_seen = rows[schema.SOURCE].astype(object).where(rows[schema.SOURCE].notna(), NO_SOURCE)
    present = set(sources_seen.tolist())
    sources = [src for src in schema.FEEDBACK_SOURCES if include_empty or src in present]
    sources += sorted(present - set(schema.FEEDBACK_SOURCES), key=_natural_key)
    # Counted by position in the table (what crosstab, then reindexing to these sources and
    # kinds, gave; a kind missing or unknown is not counted), without crosstab's cost.
    kinds = list(schema.FEEDBACK_KINDS)
    where = {source: i for i, source in enumerate(sources)}
    column = {kind: j for j, kind in enumerate(kinds)}
    counts = np.zeros((len(sources), len(kinds)), dtype="int64")
    for source, kind in zip(sources_seen.tolist(), rows[schema.KIND].tolist(), strict=True):
        if kind in column:
            counts[where[source], column[kind]] += 1
    table = pd.DataFrame(counts, index=pd.Index(sources), columns=kinds)
    table.loc[ALL_SOURCES] = table.sum(axis=0)
    table[TOTAL] = table.sum(axis=1)
    table.index.name = schema.SOURCE
    table.columns.name = None
    return table.astype("int64")


def summarise_feedback_by_month(df: pd.DataFrame) -> pd.DataFrame:
    """Feedback over time: index ``audit_month`` (in order), columns ``strength``,
    ``improvement``, ``total``. Only months with feedback appear."""
    _require_columns(df, [schema.AUDIT_MONTH, schema.KIND], "feedback")
    _require_kinds(df)
    months = _months(df)
    counts = pd.crosstab(months, df[schema.KIND]) if len(df) else pd.DataFrame()
    table = counts.reindex(
        index=sorted(set(months.tolist())), columns=list(schema.FEEDBACK_KINDS), fill_value=0
    ).fillna(0)
    table[TOTAL] = table.sum(axis=1)
    table.index.name = schema.AUDIT_MONTH
    table.columns.name = None
    return table.astype("int64")


def select_quotes(
    df: pd.DataFrame,
    n: int = 3,
    *,
    month: str | None = None,
    kinds: Sequence[str] = schema.FEEDBACK_KINDS,
    min_chars: int = 40,
    max_chars: int = 600,
    denylist: Iterable[str] = (),
) -> pd.DataFrame:
    """Choose up to ``n`` feedback quotes per kind, by a fixed rule; text comes back redacted.

    The rule (the report can state it): for each kind (strengths, then areas
    for improvement), consider the feedback of that kind (in ``month`` when
    given) whose redacted text is between ``min_chars`` and ``max_chars``
    characters long, keeping only the first (by feedback id) of any texts that
    are the same apart from case and spacing. Then pick one quote at a time,
    each time taking the candidate that comes first on:

    1. a source not yet quoted for this kind;
    2. the most themes not yet covered by the quotes already picked;
    3. the longest text;
    4. the lowest feedback id (in natural order: F2 before F10).

    With fewer candidates than ``n``, fewer quotes are returned. Themes are used
    when the table has been through :func:`tag_themes`. Columns: ``kind``,
    ``pick`` (1…n), ``feedback_id``, ``audit_month``, ``source``, ``text`` and
    ``themes`` when tagged.
    """
    _require_columns(df, [schema.FEEDBACK_ID, schema.SOURCE, schema.KIND, schema.TEXT], "feedback")
    if n < 0:
        raise ConfigError(f"the number of quotes must be 0 or more, got {n}")
    rows = _in_month(df, month)
    names = tuple(denylist)
    tagged = THEMES in rows.columns
    picked_rows = []
    for kind in kinds:
        candidates = []
        seen_texts: set[str] = set()
        subset = rows.loc[rows[schema.KIND] == kind]
        ordered = sorted(
            range(len(subset)), key=lambda i: _natural_key(subset[schema.FEEDBACK_ID].iloc[i])
        )
        for i in ordered:
            row = subset.iloc[i]
            text = redact_text(row[schema.TEXT], names)
            if not isinstance(text, str):
                continue
            text = text.strip()
            key = " ".join(text.lower().split())
            if not min_chars <= len(text) <= max_chars or key in seen_texts:
                continue
            seen_texts.add(key)
            candidates.append((row, text, list(row[THEMES]) if tagged else []))
        used_sources: set[Any] = set()
        covered: set[str] = set()
        for pick in range(1, min(n, len(candidates)) + 1):
            position = min(
                range(len(candidates)),
                key=lambda i: (
                    candidates[i][0][schema.SOURCE] in used_sources,
                    -len(set(candidates[i][2]) - covered),
                    -len(candidates[i][1]),
                    _natural_key(candidates[i][0][schema.FEEDBACK_ID]),
                ),
            )
            best = candidates.pop(position)
            row, text, theme_ids = best
            used_sources.add(row[schema.SOURCE])
            covered.update(theme_ids)
            record = {
                schema.KIND: kind,
                "pick": pick,
                schema.FEEDBACK_ID: row[schema.FEEDBACK_ID],
                schema.AUDIT_MONTH: row.get(schema.AUDIT_MONTH),
                schema.SOURCE: row[schema.SOURCE],
                schema.TEXT: text,
            }
            if tagged:
                record[THEMES] = theme_ids
            picked_rows.append(record)
    columns = [
        schema.KIND,
        "pick",
        schema.FEEDBACK_ID,
        schema.AUDIT_MONTH,
        schema.SOURCE,
        schema.TEXT,
    ]
    if tagged:
        columns.append(THEMES)
    return pd.DataFrame.from_records(picked_rows, columns=columns)


# ------------------------------------------------------------- reflections
def group_reflections(
    df: pd.DataFrame,
    month: str | None = None,
    *,
    redact: bool = True,
    denylist: Iterable[str] = (),
) -> pd.DataFrame:
    """The answers to each of the four reflection questions (all four rows, even if empty).

    Index ``question`` (1–4); columns ``question_text``, ``n_answers`` and
    ``answers`` (redacted texts, ordered by audit id then input order).
    Columns ``themes`` / ``recurring_note`` of the input, when present, come
    along as lists aligned with ``answers``.
    """
    _require_columns(
        df, [schema.AUDIT_ID, schema.AUDIT_MONTH, schema.QUESTION, schema.TEXT], "reflections"
    )
    rows = _in_month(df, month)
    questions = pd.to_numeric(rows[schema.QUESTION], errors="coerce")
    names = tuple(denylist)
    extra = [c for c in (THEMES, RECURRING_NOTE) if c in rows.columns]
    records = []
    for number, question_text in schema.REFLECTION_QUESTIONS.items():
        subset = rows.loc[questions == number]
        order = sorted(
            range(len(subset)), key=lambda i: (_natural_key(subset[schema.AUDIT_ID].iloc[i]), i)
        )
        answers, kept = [], []
        for i in order:
            value = subset[schema.TEXT].iloc[i]
            text = redact_text(value, names) if redact else value
            if isinstance(text, str) and text.strip():
                answers.append(text.strip())
                kept.append(i)
        record = {
            schema.QUESTION: number,
            "question_text": question_text,
            "n_answers": len(answers),
            "answers": answers,
        }
        for column in extra:
            record[column] = [subset[column].iloc[i] for i in kept]
        records.append(record)
    return pd.DataFrame.from_records(records).set_index(schema.QUESTION)


def find_recurring_themes(
    tagged: pd.DataFrame,
    month: str,
    window: int = RECURRING_WINDOW,
    min_months: int = 2,
    *,
    months: Iterable[str] | None = None,
    by: str | None = None,
    min_mentions: int = 1,
    themes: Iterable[Theme] | None = None,
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Themes that recur: present in at least ``min_months`` of the last ``window`` audit months.

    A theme is *present* in a month when at least ``min_mentions`` rows of that
    month mention it (default 1); with many answers a month, ``min_mentions=2``
    keeps the flag for what is said repeatedly rather than once.

    The window is ``month`` and the audit months before it: by default the
    months found in ``tagged``; pass ``months`` (e.g. the trend's audited
    months) so a month with no text still counts as an audit month. Paused
    months are not audit months. ``by`` finds recurrence within each group of
    a column (e.g. ``question``) instead of across the table.

    One row per recurring theme (and group): ``theme_id``, ``name``,
    ``months`` (where it appeared in the window), ``n_months``, ``mentions``
    (rows mentioning it in the window), ``in_report_month``, ``other_months``
    and ``also_in`` — those other months in words, e.g. "July and August
    2020". Sorted by ``n_months``, then ``mentions``, most first, then
    dictionary order; ``.head(k)`` keeps the k strongest.
    """
    _require_tagged(tagged)
    _require_columns(tagged, [schema.AUDIT_MONTH], "tagged table")
    if window < 1 or not 1 <= min_months <= window:
        raise ConfigError(
            f"recurring themes need 1 ≤ min_months ≤ window; got window={window}, "
            f"min_months={min_months}"
        )
    if min_mentions < 1:
        raise ConfigError(f"recurring themes need min_mentions ≥ 1; got {min_mentions}")
    month = str(month)
    audit_months = {str(m) for m in (months if months is not None else _months(tagged))}
    in_window = sorted(m for m in audit_months | {month} if m <= month)[-window:]
    rows = tagged.loc[_months(tagged).isin(in_window)]
    if by is not None:
        _require_columns(rows, [by], "tagged table")
    mentions: Counter[tuple[Any, str, str]] = Counter()
    for tags, row_month, group in zip(
        rows[THEMES].tolist(),
        _months(rows).tolist(),
        rows[by].tolist() if by else [None] * len(rows),
        strict=True,
    ):
        for theme_id in tags:
            mentions[(group, theme_id, row_month)] += 1
    seen: dict[tuple[Any, str], set[str]] = {}
    for (group, theme_id, row_month), count in mentions.items():
        if count >= min_mentions:
            seen.setdefault((group, theme_id), set()).add(row_month)
    themes = tuple(themes) if themes is not None else ()
    names = _theme_names(themes)
    rank = {t.id: i for i, t in enumerate(themes)}
    records = []
    for (group, theme_id), found in seen.items():
        if len(found) < min_months:
            continue
        other = sorted(found - {month})
        record = {} if by is None else {by: group}
        record.update(
            {
                THEME_ID: theme_id,
                THEME_NAME: names.get(theme_id, theme_id),
                "months": sorted(found),
                "n_months": len(found),
                "mentions": sum(
                    n for (g, tid, _), n in mentions.items() if g == group and tid == theme_id
                ),
                "in_report_month": month in found,
                "other_months": other,
                "also_in": describe_months(other, labels),
            }
        )
        records.append(record)
    columns = ([] if by is None else [by]) + [
        THEME_ID,
        THEME_NAME,
        "months",
        "n_months",
        "mentions",
        "in_report_month",
        "other_months",
        "also_in",
    ]
    records.sort(
        key=lambda r: (
            _natural_key(r.get(by)) if by else (),
            -r["n_months"],
            -r["mentions"],
            rank.get(r[THEME_ID], len(rank)),
            r[THEME_ID],
        )
    )
    return pd.DataFrame.from_records(records, columns=columns)


def mark_recurring(
    tagged: pd.DataFrame, recurring: pd.DataFrame, *, by: str | None = None
) -> pd.DataFrame:
    """Add ``recurring_themes`` (the row's theme ids that recur) and ``recurring_note``.

    The note is a sentence the report can print under an answer, e.g.
    "A recurring theme: Caseloads and workload (also in July and August 2020)."
    Empty when none of the row's themes recur.
    """
    _require_tagged(tagged)
    lookup: dict[tuple[Any, str], Mapping[str, Any]] = {}
    for record in recurring.to_dict("records"):
        lookup[(record.get(by) if by else None, record[THEME_ID])] = record
    flags, notes = [], []
    groups = tagged[by].tolist() if by else [None] * len(tagged)
    for tags, group in zip(tagged[THEMES].tolist(), groups, strict=True):
        hits = [lookup[(group, tid)] for tid in tags if (group, tid) in lookup]
        flags.append([h[THEME_ID] for h in hits])
        parts = [
            h[THEME_NAME] + (f" (also in {h['also_in']})" if h["also_in"] else "") for h in hits
        ]
        if not parts:
            notes.append("")
        elif len(parts) == 1:
            notes.append(f"A recurring theme: {parts[0]}.")
        else:
            notes.append("Recurring themes: " + "; ".join(parts) + ".")
    out = tagged.copy()
    out[RECURRING_THEMES] = _object_series(flags, tagged.index)
    out[RECURRING_NOTE] = _object_series(notes, tagged.index)
    return out


# ---------------------------------------------------------------- markdown
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def escape_markdown(text: str) -> str:
    """Escape text so Markdown shows it as written (tokens like ``[name]`` included).

    Line breaks become spaces, so a multi-line answer stays inside its quote or bullet (a
    line of ``---`` or an indented line could otherwise end the list, as a rule or code).

    >>> escape_markdown("[name] said *great*")
    '\\\\[name\\\\] said \\\\*great\\\\*'
    >>> escape_markdown("Line one\\n---\\n    code")
    'Line one --- code'
    """
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def format_quotes(
    quotes: pd.DataFrame, kind: str | None = None, *, show_source: bool = True
) -> str:
    """Markdown bullets for quotes from :func:`select_quotes`, e.g. ``- “…” — foster carer``.

    ``kind`` keeps one kind (``strength`` / ``improvement``). Texts are already
    redacted by :func:`select_quotes`; they are escaped here.
    """
    rows = quotes if kind is None else quotes.loc[quotes[schema.KIND] == kind]
    lines = []
    for record in rows.to_dict("records"):
        text = escape_markdown(str(record[schema.TEXT]).strip().strip('"“”'))
        source = f" — {escape_markdown(str(record[schema.SOURCE]))}" if show_source else ""
        lines.append(f"- “{text}”{source}")
    return "\n".join(lines)


def format_reflections(
    grouped: pd.DataFrame, *, heading_level: int = 3, empty: str = "No answers this month."
) -> str:
    """Markdown for the reflections section from :func:`group_reflections`.

    One heading per question, its answers as bullets and, when the table went
    through :func:`mark_recurring`, each answer's recurring-theme note in
    italics beneath it.
    """
    hashes = "#" * heading_level
    blocks = []
    for record in grouped.to_dict("records"):
        lines = [f"{hashes} {escape_markdown(str(record['question_text']))}", ""]
        notes = record.get(RECURRING_NOTE) or [""] * len(record["answers"])
        for answer, note in zip(record["answers"], notes, strict=True):
            lines.append(f"- {escape_markdown(answer)}")
            if note:
                lines.append(f"  *{escape_markdown(note)}*")
        if not record["answers"]:
            lines.append(f"*{empty}*")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
