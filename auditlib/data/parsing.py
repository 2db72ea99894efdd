"""Turn raw cell values into canonical ones, one column at a time.

Real exports write the same thing many ways (``RI``, ``req imp``, ``3``;
``03/04/2020``, ``2020-04-03``, an Excel date cell). Each ``parse_*`` function
here takes *one* raw value and returns its canonical value, ``None`` for a
blank, or raises :class:`ValueError` with a short reason. :func:`parse_column`
applies one to a whole column by parsing each *distinct* value once (a column
of a million rows has a few hundred distinct dates), so parsing is both
thorough and fast, and reports every bad value with the rows that hold it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from auditlib.data import schema

_SPACES = re.compile(r"\s+")
_HEADER_JUNK = re.compile(r"[^0-9a-z]+")
_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
#: How a date written with numbers only (``03/04/2020``) is read.
DAY_FIRST = "day-first"
MONTH_FIRST = "month-first"
DATE_ORDERS = (DAY_FIRST, MONTH_FIRST)
#: Formats that read the same whichever order a file uses, most common first.
_UNAMBIGUOUS_FORMATS = (
    "%Y-%m-%d",
    "%d %b %Y",
    "%d %B %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d %b %y",
    "%b %d %Y",
    "%B %d %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%Y/%m/%d",
)
#: Day and month as numbers: which is which depends on the file (UK day-first, US month-first).
_NUMERIC_FORMATS = {
    DAY_FIRST: ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y"),
    MONTH_FIRST: ("%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y", "%m.%d.%Y"),
}
#: ``d/m/yyyy`` or ``m/d/yyyy`` (``/``, ``-`` or ``.``), with the midnight time exports append.
_NUMERIC_DATE = re.compile(
    r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{2}|\d{4})(?:[ T]00:00(?::00(?:\.0+)?)?)?"
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def is_blank(value: Any) -> bool:
    """True for None, NaN, NaT and strings of only whitespace.

    >>> [is_blank(v) for v in (None, float("nan"), "  ", "x", 0)]
    [True, True, True, False, False]
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def normalise_header(header: Any) -> str:
    """Headers are matched ignoring case, spaces and punctuation.

    >>> normalise_header(" Audit ID "), normalise_header("audit_id"), normalise_header("Re-audit of")
    ('audit_id', 'audit_id', 're_audit_of')
    """
    return _HEADER_JUNK.sub("_", str(header).strip().lower()).strip("_")


#: How alike a header must be (difflib's ratio, on normalised headers) to be offered as
#: "did you mean"; 0.6 is difflib's own default and finds "Final Grade" for "Overall Grade".
CLOSE_HEADER_RATIO = 0.6
#: At most this many headers are listed in a message about a missing column.
HEADERS_SHOWN = 40


def closest_header(wanted: Iterable[str], candidates: Iterable[str]) -> str | None:
    """The candidate header most like any of ``wanted`` (case and punctuation ignored), if close.

    >>> closest_header(["Overall Grade", "overall_judgement"], ["Audit Ref", "Final Grade"])
    'Final Grade'
    >>> closest_header(["team"], ["Audit Ref", "Status"]) is None
    True
    """
    by_key = {normalise_header(c): str(c) for c in candidates}
    best, best_ratio = None, CLOSE_HEADER_RATIO
    for name in wanted:
        key = normalise_header(name)
        for candidate_key, candidate in by_key.items():
            ratio = difflib.SequenceMatcher(None, key, candidate_key).ratio()
            if ratio > best_ratio:
                best, best_ratio = candidate, ratio
    return best


def missing_column_reason(
    lead: str, wanted: Iterable[str], found: Sequence[str], candidates: Sequence[str]
) -> str:
    """A message for a missing column: what is missing, the closest header, the headers found.

    >>> missing_column_reason("no column 'Overall Grade'", ["Overall Grade"], ["Ref", "Final Grade"], ["Final Grade"])
    "no column 'Overall Grade' — did you mean 'Final Grade'? Headers found: Ref, Final Grade"
    """
    best = closest_header(wanted, candidates)
    reason = lead + (f" — did you mean {best!r}?" if best else ".")
    shown = ", ".join(str(h) for h in found[:HEADERS_SHOWN])
    if len(found) > HEADERS_SHOWN:
        shown += f" (and {len(found) - HEADERS_SHOWN} more)"
    reason += f" Headers found: {shown or 'none'}"
    if len(found) == 1 and any(mark in str(found[0]) for mark in ";|\t,"):
        reason += (
            " (one header only: the file's fields may be separated by a character other "
            "than a comma, semicolon or tab)"
        )
    return reason


def normalise_key(value: Any) -> str:
    """Lower-case, trimmed, inner spaces collapsed: the form aliases are looked up in.

    >>> normalise_key("  Requires   Improvement ")
    'requires improvement'
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SPACES.sub(" ", str(value).strip().lower())


def _lookup(value: Any, aliases: Mapping[str, Any], what: str, extra: Mapping[str, Any]) -> Any:
    if is_blank(value):
        return None
    key = normalise_key(value)
    for table in (extra, aliases):
        if key in table:
            return table[key]
    # Tolerate trailing punctuation such as "Good." or "RI;"
    stripped = key.strip(" .;:,")
    for table in (extra, aliases):
        if stripped in table:
            return table[stripped]
    raise ValueError(f"unknown {what}")


def parse_judgement(value: Any, extra: Mapping[str, str] = {}) -> str | None:
    """A judgement on Ofsted's scale, from any label real exports use.

    >>> [parse_judgement(v) for v in ("RI", "requires improvement to be good", "G", 4, " good ")]
    ['Requires Improvement', 'Requires Improvement', 'Good', 'Inadequate', 'Good']
    """
    return _lookup(value, schema.JUDGEMENT_ALIASES, "judgement label", extra)


def parse_status(value: Any, extra: Mapping[str, str] = {}) -> str | None:
    """An audit status: allocated, completed, extension, exempt or cancelled."""
    return _lookup(value, schema.STATUS_ALIASES, "status", extra)


def parse_audit_type(value: Any, extra: Mapping[str, str] = {}) -> str | None:
    """``audit`` or ``re-audit``."""
    return _lookup(value, schema.AUDIT_TYPE_ALIASES, "audit type", extra)


def parse_cp_category(value: Any, extra: Mapping[str, str] = {}) -> str | None:
    """A CP plan category (neglect, physical, emotional, sexual, multiple)."""
    return _lookup(value, schema.CP_CATEGORY_ALIASES, "CP category", extra)


def parse_cse_risk(value: Any, extra: Mapping[str, str] = {}) -> str | None:
    """A CSE risk level (none, emerging, experiencing, significant)."""
    return _lookup(value, schema.CSE_RISK_ALIASES, "CSE risk level", extra)


def parse_feedback_source(value: Any, extra: Mapping[str, str] = {}) -> str | None:
    """Who gave the feedback (parent, carer, …, partner agency: police)."""
    return _lookup(value, schema.FEEDBACK_SOURCE_ALIASES, "feedback source", extra)


def parse_feedback_kind(value: Any, extra: Mapping[str, str] = {}) -> str | None:
    """``strength`` or ``improvement``."""
    return _lookup(value, schema.FEEDBACK_KIND_ALIASES, "feedback kind", extra)


def parse_bool(value: Any, extra: Mapping[str, bool] = {}) -> bool | None:
    """Yes/No, Y/N, True/False, 1/0.

    >>> [parse_bool(v) for v in ("Yes", "n", 1, True, "")]
    [True, False, True, True, None]
    """
    if isinstance(value, bool | np.bool_):
        return bool(value)
    return _lookup(value, schema.BOOL_ALIASES, "yes/no value", extra)


def parse_int(value: Any, extra: Mapping[str, int] = {}) -> int | None:
    """A whole number of at least 0 (``3``, ``3.0``).

    >>> parse_int("3.0"), parse_int(7)
    (3, 7)
    """
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError("not a whole number")
    try:
        number = float(str(value).strip().replace(",", ""))
    except ValueError:
        raise ValueError("not a whole number") from None
    if not number.is_integer():
        raise ValueError("not a whole number")
    if number < 0:
        raise ValueError("must not be negative")
    return int(number)


def parse_question(value: Any, extra: Mapping[str, int] = {}) -> int | None:
    """A reflection question number, 1 to 4."""
    number = parse_int(value)
    if number is not None and number not in schema.REFLECTION_QUESTIONS:
        raise ValueError("reflection question must be 1, 2, 3 or 4")
    return number


def parse_id(value: Any, extra: Mapping[str, str] = {}) -> str | None:
    """An identifier, kept as text exactly as written (leading zeros kept).

    Excel sometimes turns ``123`` into ``123.0``; that is undone.

    >>> parse_id(" 00123 "), parse_id(123.0)
    ('00123', '123')
    """
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_name(value: Any, extra: Mapping[str, str] = {}) -> str | None:
    """A team, area or service name: trimmed, inner spaces collapsed, local aliases applied."""
    if is_blank(value):
        return None
    text = _SPACES.sub(" ", str(value).strip())
    return extra.get(normalise_key(text), text)


def parse_free_text(value: Any, extra: Mapping[str, str] = {}) -> str | None:
    """Free text, trimmed (redaction happens later, before display)."""
    if is_blank(value):
        return None
    return str(value).strip()


def parse_date(value: Any, extra: Mapping[str, Any] = {}, order: str = DAY_FIRST) -> dt.date | None:
    """A calendar date; numbers-only dates read in ``order`` (UK day-first by default).

    Accepts ISO dates, numeric dates with ``/ - .`` separators, month names,
    Excel date cells and Excel serial day numbers. Which order a file uses is
    decided per column by :func:`date_order_evidence` (a part above 12 settles it).

    >>> parse_date("03/04/2020"), parse_date("2020-04-03"), parse_date("3 Apr 2020")
    (datetime.date(2020, 4, 3), datetime.date(2020, 4, 3), datetime.date(2020, 4, 3))
    >>> parse_date("03/04/2020", order="month-first")
    datetime.date(2020, 3, 4)
    """
    if is_blank(value):
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        return _from_excel_serial(float(value))
    text = _SPACES.sub(" ", str(value).strip())
    # Drop a midnight time that Excel and databases append ("2020-04-03 00:00:00").
    text = re.sub(r"[ T]00:00(:00(\.0+)?)?$", "", text)
    other = MONTH_FIRST if order == DAY_FIRST else DAY_FIRST
    for fmt in (*_UNAMBIGUOUS_FORMATS[:1], *_NUMERIC_FORMATS[order], *_UNAMBIGUOUS_FORMATS[1:]):
        parsed = _strptime(text, fmt)
        if parsed is not None:
            return parsed
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return _from_excel_serial(float(text))
    if any(_strptime(text, fmt) for fmt in _NUMERIC_FORMATS[other]):
        raise ValueError(
            f"not a date when read {order} (it reads only as {other}: "
            "the column mixes day-first and month-first dates)"
        )
    example = "03/04/2020" if order == DAY_FIRST else "04/03/2020"
    raise ValueError(f"not a date (expected {order}, e.g. {example}, or 2020-04-03)")


def _strptime(text: str, fmt: str) -> dt.date | None:
    try:
        parsed = dt.datetime.strptime(text, fmt).date()
    except ValueError:
        return None
    return _two_digit_year(parsed) if fmt.endswith("%y") else parsed


@dataclass(frozen=True)
class DateEvidence:
    """What a column's values say about the order of day and month.

    Each example is ``(raw value, position)`` of the first value that can only be
    read one way (a first part above 12 is a day; a second part above 12 is a day).
    """

    #: the column holds numbers-only dates such as 03/04/2020, whose order matters
    numeric: bool = False
    day_first: tuple[Any, int] | None = None
    month_first: tuple[Any, int] | None = None

    @property
    def order(self) -> str | None:
        """The order the values settle, or None (no evidence, or evidence both ways)."""
        if (self.day_first is None) == (self.month_first is None):
            return None
        return DAY_FIRST if self.day_first is not None else MONTH_FIRST


def date_order_evidence(raw: pd.Series) -> DateEvidence:
    """Which way round a column's numbers-only dates are: each distinct value looked at once.

    >>> date_order_evidence(pd.Series(["01/05/2022", "01/13/2022"])).order
    'month-first'
    >>> date_order_evidence(pd.Series(["01/05/2022", "02/05/2022"])).order is None
    True
    """
    if pd.api.types.is_datetime64_any_dtype(raw) or pd.api.types.is_numeric_dtype(raw):
        return DateEvidence()
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    numeric = False
    found: dict[str, tuple[Any, int]] = {}
    for code, value in enumerate(uniques):
        if not isinstance(value, str):
            continue
        match = _NUMERIC_DATE.fullmatch(value.strip())
        if match is None:
            continue
        numeric = True
        first, second = int(match[1]), int(match[3])
        if first > 12 and second <= 12:
            key = DAY_FIRST
        elif second > 12 and first <= 12:
            key = MONTH_FIRST
        else:
            continue
        if key not in found:
            # factorize numbers values in order of first appearance: this is the earliest row.
            found[key] = (value, int(np.argmax(codes == code)))
        if len(found) == 2:
            break
    return DateEvidence(numeric, found.get(DAY_FIRST), found.get(MONTH_FIRST))


def _two_digit_year(parsed: dt.date) -> dt.date:
    # strptime puts 00–68 in 2000s; audit data is never from the 1900s either way.
    return parsed if parsed.year >= 2000 else parsed.replace(year=parsed.year + 100)


def _from_excel_serial(number: float) -> dt.date:
    if not number.is_integer() or not 20000 <= number <= 80000:
        raise ValueError("not a date (a number that is not an Excel date)")
    return _EXCEL_EPOCH + dt.timedelta(days=int(number))


def parse_month(value: Any, extra: Mapping[str, str] = {}, order: str = DAY_FIRST) -> str | None:
    """A programme month as ``YYYY-MM``.

    Accepts ``2020-09``, ``2020-9``, ``09/2020``, ``Sep 2020``, ``September 2020``,
    a date (its month; numbers-only dates read in ``order``), and any label
    programme.yml's ``month_labels`` gives.

    >>> [parse_month(v) for v in ("2020-09", "Sept 2020", "09/2020", "2020-09-01")]
    ['2020-09', '2020-09', '2020-09', '2020-09']
    """
    if is_blank(value):
        return None
    if isinstance(value, pd.Timestamp | dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    text = _SPACES.sub(" ", str(value).strip())
    key = text.lower()
    if key in extra:
        return extra[key]
    match = re.fullmatch(r"(\d{4})[-/](\d{1,2})(?:[-/]\d{1,2})?(?: 00:00:00)?", text)
    if match:
        return _month(int(match[1]), int(match[2]))
    match = re.fullmatch(r"(\d{1,2})[-/](\d{4})", text)
    if match:
        return _month(int(match[2]), int(match[1]))
    match = re.fullmatch(r"([A-Za-z]+)\.?[ \-/]+'?(\d{2}|\d{4})", text)
    if match and match[1].lower() in _MONTHS:
        year = int(match[2])
        return _month(year + 2000 if year < 100 else year, _MONTHS[match[1].lower()])
    try:
        day = parse_date(text, order=order)
    except ValueError:
        day = None
    if day is not None:
        return f"{day.year:04d}-{day.month:02d}"
    raise ValueError("not a month (expected YYYY-MM, e.g. 2020-09)")


def _month(year: int, month: int) -> str:
    if not 1 <= month <= 12 or not 1990 <= year <= 2100:
        raise ValueError("not a month (expected YYYY-MM, e.g. 2020-09)")
    return f"{year:04d}-{month:02d}"


#: kind (from :data:`auditlib.data.schema.AUDIT_COLUMN_KINDS`) → parser
PARSERS: dict[str, Callable[..., Any]] = {
    "id": parse_id,
    "name": parse_name,
    "free_text": parse_free_text,
    "judgement": parse_judgement,
    "status": parse_status,
    "audit_type": parse_audit_type,
    "cp_category": parse_cp_category,
    "cse_risk": parse_cse_risk,
    "feedback_source": parse_feedback_source,
    "feedback_kind": parse_feedback_kind,
    "bool": parse_bool,
    "int": parse_int,
    "question": parse_question,
    "date": parse_date,
    "month": parse_month,
}


@dataclass(frozen=True)
class ParsedColumn:
    """A parsed column: the canonical values, and every value that could not be parsed."""

    values: pd.Series
    #: raw value → (reason, positional row indexes holding it)
    failures: dict[Any, tuple[str, np.ndarray]]


def parse_column(
    raw: pd.Series,
    kind: str,
    extra: Mapping[str, Any] | None = None,
    date_order: str = DAY_FIRST,
) -> ParsedColumn:
    """Parse every value of ``raw`` with the parser for ``kind``, each distinct value once.

    ``date_order`` says how numbers-only dates are read (``date`` and ``month`` kinds).

    Returns the canonical values (typed: dates as ``datetime64``, whole numbers
    as ``Int64``, yes/no as ``boolean``, vocabularies such as judgements as
    categoricals, the rest as strings; blanks missing) and the failures, which keep their raw value and rows.

    >>> parsed = parse_column(pd.Series(["RI", "G", "RI", "Adequate"]), "judgement")
    >>> parsed.values.tolist(), {k: v[1].tolist() for k, v in parsed.failures.items()}
    (['Requires Improvement', 'Good', 'Requires Improvement', nan], {'Adequate': [3]})
    """
    parser = PARSERS[kind]
    if kind in ("date", "month"):
        parser = functools.partial(parser, order=date_order)
    extra = {normalise_key(k): v for k, v in (extra or {}).items()}
    if kind in _TEXT_KINDS and not extra and not pd.api.types.is_numeric_dtype(raw):
        return ParsedColumn(values=_parse_text_fast(raw, kind), failures={})
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    parsed_uniques: list[Any] = []
    failures: dict[Any, tuple[str, np.ndarray]] = {}
    bad_codes = []
    for code, value in enumerate(uniques):
        try:
            parsed_uniques.append(parser(value, extra))
        except ValueError as exc:
            parsed_uniques.append(None)
            failures[value] = (str(exc), np.empty(0, dtype=np.int64))
            bad_codes.append(code)
    if bad_codes:
        for code in bad_codes:
            failures[uniques[code]] = (
                failures[uniques[code]][0],
                np.flatnonzero(codes == code),
            )
    values = _typed(parsed_uniques, codes, kind, raw.index)
    return ParsedColumn(values=values, failures=failures)


_TEXT_KINDS = ("id", "name", "free_text")


def _parse_text_fast(raw: pd.Series, kind: str) -> pd.Series:
    """Vectorised :func:`parse_id` / :func:`parse_name` / :func:`parse_free_text` for text columns
    (identifier columns have as many distinct values as rows)."""
    text = raw.astype("string").str.strip()
    if kind == "name":
        # Names repeat: collapse inner spaces once per distinct value.
        codes, uniques = pd.factorize(text)
        uniques = pd.Series(uniques, dtype="string").str.replace(r"\s+", " ", regex=True)
        text = pd.Series(
            pd.array(uniques, dtype="string").take(codes, allow_fill=True), index=raw.index
        )
    elif kind == "id" and text.str.endswith(".0").any():
        # Excel turns 123 into "123.0" in some exports; undo it as parse_id does.
        text = text.str.replace(r"^(\d+)\.0$", r"\1", regex=True)
    return text.mask(text.eq("").fillna(False))


#: Enumerated kinds come back as categoricals over their vocabulary.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "judgement": schema.JUDGEMENT_LABELS,
    "status": schema.STATUSES,
    "audit_type": schema.AUDIT_TYPES,
    "cp_category": schema.CP_CATEGORIES,
    "cse_risk": schema.CSE_RISKS,
    "feedback_source": schema.FEEDBACK_SOURCES,
    "feedback_kind": schema.FEEDBACK_KINDS,
}


def category_dtype(kind: str) -> pd.CategoricalDtype:
    """The categorical dtype of an enumerated kind (judgements are ordered worst last)."""
    return pd.CategoricalDtype(list(CATEGORIES[kind]), ordered=kind == "judgement")


def _typed(parsed_uniques: list[Any], codes: np.ndarray, kind: str, index: pd.Index) -> pd.Series:
    # Build the typed column from the distinct parsed values, then take by code:
    # one Python call per distinct value, numpy for the rest.
    if kind in CATEGORIES:
        vocabulary = {v: i for i, v in enumerate(CATEGORIES[kind])}
        unique_codes = np.array(
            [vocabulary.get(v, -1) for v in parsed_uniques] + [-1], dtype=np.int16
        )
        taken_codes = unique_codes[np.where(codes < 0, len(parsed_uniques), codes)]
        values = pd.Categorical.from_codes(taken_codes, dtype=category_dtype(kind))
        return pd.Series(values, index=index)
    if kind == "date":
        uniq = pd.to_datetime(pd.Series([*parsed_uniques, None], dtype=object))
        uniq = uniq.astype("datetime64[ns]")
    elif kind in ("int", "question"):
        uniq = pd.Series([*parsed_uniques, None], dtype="Int64")
    elif kind == "bool":
        uniq = pd.Series([*parsed_uniques, None], dtype="boolean")
    else:
        uniq = pd.Series([*parsed_uniques, None], dtype="string")
    # code -1 (a blank cell) takes the final None
    taken = uniq.take(np.where(codes < 0, len(parsed_uniques), codes))
    taken.index = index
    return taken
