"""Redact personal identifiers from free text before anything is displayed.

Every piece of feedback, reflection or recommendation text that reaches a
report goes through :func:`redact_text`. Each identifier found is replaced by a
labelled token, so a reader can see *that* something was removed and what kind:

============================  ====================  =========================================
kind                          token                 what is found
============================  ====================  =========================================
``email``                     ``[email]``           ``name@domain.tld``, with spaces around
                                                    the ``@``, and written out to dodge
                                                    filters: ``jane[at]council.gov.uk``,
                                                    ``jane (at) council (dot) gov (dot) uk``,
                                                    ``jane dot smith at council dot gov dot uk``
``id``                        ``[id]``              the data's own identifiers: shapes learned
                                                    from the id columns (``C8756263``,
                                                    ``SW0123``, ``A0000001`` → a letter prefix
                                                    and so many digits), see
                                                    :func:`learn_id_patterns`
``phone``                     ``[phone]``           UK numbers starting ``0``, ``(0…)`` or
                                                    ``+44`` with 9–10 further digits, spaces,
                                                    dashes or brackets anywhere
                                                    (``01372 832491``, ``020 7946 0018``,
                                                    ``(01632) 960 001``, ``07989-081-145``,
                                                    ``+44 (0)7700 900123``, ``07700.900.123``,
                                                    ``0044 7700 900123``); every number
                                                    Google's ``phonenumbers`` parser finds
                                                    valid for the UK; and any run of
                                                    6–13 digits straight after "tel",
                                                    "phone", "mobile", "mob" or "landline"
``nhs_number``                ``[NHS number]``      10 digits (``943 476 5919``,
                                                    ``943-476-5919``, ``9434765919``) that
                                                    pass the NHS mod-11 check digit and do not
                                                    start with 0 (numbers starting 0 are read
                                                    as phone numbers); any 10 digits straight
                                                    after "NHS no." / "NHS number", check
                                                    digit or not (a mistyped NHS number is
                                                    still an NHS number)
``date_of_birth``             ``[date of birth]``   a date straight after "DOB", "D.O.B.",
                                                    "date of birth", "born (on/in)" or
                                                    "birthday": full dates in any common form,
                                                    day + month without a year, and month +
                                                    year ("born in March 2015"); two-digit
                                                    years too ("DOB: 3.3.15", "born 3 Mar 15",
                                                    "born 2015-3-3")
``date``                      ``[date]``            any other *full* date — day, month and
                                                    year: ``03/04/2020``, ``3-4-20``,
                                                    ``03.04.2020``, ``2020-04-03``,
                                                    ``3rd April 2020``, ``April 3, 2020``
``postcode``                  ``[postcode]``        full UK postcodes (``KT1 2EE``,
                                                    ``kt12ee``, ``SW1A-1AA``, ``SW1A  1AA``)
                                                    in a real postcode area (or
                                                    ZZ, BF); an outward code alone (``KT1``) only when
                                                    clearly a postcode: after "postcode",
                                                    "address", "lives in/at", "living
                                                    in/at/near", "resides in", "moved to", or
                                                    followed by "area"
``name``                      ``[name]``            a title (Mr, Mrs, Ms, Miss, Mx, Dr, Prof,
                                                    Sir, Dame, Lord, Lady, Rev, Revd, Cllr,
                                                    with or without a full stop; MR, MRS,
                                                    MISS, DR) and a name (``Mr Smith``,
                                                    ``Mr de Souza``, ``Mrs. smith``,
                                                    ``Sir John Smith``,
                                                    ``Ms J. Brown``, ``Mrs O'Neil``,
                                                    ``Dr Patel``, ``Miss Jones-Smith``,
                                                    ``Mr John Smith``, ``MRS SMITH``); any
                                                    name on the denylist (``names.txt``)
============================  ====================  =========================================

Decisions worth knowing (the report's methods section can quote them):

* **Text is normalised before matching**, and the normalised text is what comes back:
  Unicode NFKC (full-width ``Ｊａｙｄｅｎ`` becomes ``Jayden``), zero-width characters and
  soft hyphens removed (``Jay\u200bden`` is ``Jayden``), and control characters — NUL,
  ESC, the bidirectional overrides — stripped (:func:`clean_text`). Line breaks and tabs
  stay.
* **Every pass is linear in the length of the text**: each pattern can only start at a
  word boundary, so a 150,000-letter word costs about as much as 150,000 letters of
  prose, never its square.

* **Full dates are always removed.** A date in a case note can be a date of
  birth with no cue ("Child A (12/03/2011)"), and exact dates of events help
  re-identify a family. A date is labelled ``[date of birth]`` only after a
  birth cue, otherwise ``[date]``. Month + year ("March 2020"), month names,
  years and times ("10:30") are left alone unless they follow a birth cue.
* **Outward codes alone are removed only in a postcode context.** ``S47``,
  ``S20`` and ``S17`` are sections of the Children Act, ``SW1`` may be "social
  worker 1", ``M1`` and ``A3`` are roads: a bare outward code is ambiguous.
* **Denylist names** match whole words, case-insensitively, with straight or
  curly apostrophes and any hyphenated part attached ("Jones" also takes
  "Jones-Smith"). A single-word entry only matches a word that starts with a
  capital letter, so "Hope" or "Will" on the list do not remove "hope" or
  "will"; multi-word entries ("Kasey Senior") match in any case.
* **Names without a title and not on the denylist are not found.** No pattern
  can tell "Sporting Chances" from a person; the denylist is the control.
* **Local phone numbers without an area code** (``832491``) are only removed
  after a phone cue.
* Redaction is **idempotent**: tokens are never matched again, and the passes
  repeat until nothing more is found, so redacting twice gives the same text as
  redacting once.
* Missing values (``None``, ``NaN``, ``pd.NA``) are returned unchanged; any
  other non-text value is redacted as ``str(value)``. :func:`redact_text`
  never raises.
* Over-redaction is preferred to a leak: "Dr Barnardo's" becomes "[name]'s",
  "the M25 area" becomes "the [postcode] area".

>>> redact_text("Call Mrs O'Neil on 07989 081145 or kasey@example.org.")
'Call [name] on [phone] or [email].'
>>> redact_text("DOB 12/03/2011, NHS 943 476 5919, lives in KT1 since March 2020")
'DOB [date of birth], NHS [NHS number], lives in [postcode] since March 2020'
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any, Final

import pandas as pd

from auditlib.errors import DataError, Problem

# ------------------------------------------------------------------- tokens
EMAIL: Final = "email"
ID: Final = "id"
PHONE: Final = "phone"
POSTCODE: Final = "postcode"
NHS_NUMBER: Final = "nhs_number"
DATE_OF_BIRTH: Final = "date_of_birth"
DATE: Final = "date"
NAME: Final = "name"

#: kind → the token that replaces it, in the order kinds are reported.
TOKENS: Final = {
    EMAIL: "[email]",
    ID: "[id]",
    PHONE: "[phone]",
    POSTCODE: "[postcode]",
    NHS_NUMBER: "[NHS number]",
    DATE_OF_BIRTH: "[date of birth]",
    DATE: "[date]",
    NAME: "[name]",
}
REDACTION_KINDS: Final = tuple(TOKENS)

_TOKEN_SPLIT = re.compile("(" + "|".join(re.escape(t) for t in TOKENS.values()) + ")")

# ------------------------------------------------------------------- emails
# Every pattern starts at a boundary (a look-behind), so no match attempt begins inside a
# word: that keeps each pass linear in the length of the text.
# Parts are bounded (an address's local part has at most 64 characters, a domain label 63),
# so each attempt costs a bounded amount of work: that keeps the passes linear.
_LOCAL = r"[\w%+'-]{1,64}"
_LABEL = r"[A-Za-z0-9-]{1,63}"
_EMAIL_RE = re.compile(
    rf"(?<![\w.%+'-])[\w.%+'-]{{1,64}}[ \t]{{0,3}}@[ \t]{{0,3}}{_LABEL}(?:\.{_LABEL}){{0,8}}"
    r"\.[A-Za-z]{2,24}\b"
)
# "jane[at]council.gov.uk", "jane (at) council (dot) gov (dot) uk": an "at" in brackets.
_AT_BRACKETED = r"[ \t]{0,3}[\[({<][ \t]{0,3}at[ \t]{0,3}[\])}>][ \t]{0,3}"
_DOT_ANY = (
    r"(?:[ \t]{0,3}[\[({<][ \t]{0,3}dot[ \t]{0,3}[\])}>][ \t]{0,3}|[ \t]{1,3}dot[ \t]{1,3}|\.)"
)
_EMAIL_BRACKETED_RE = re.compile(
    rf"(?<![\w.%+'-]){_LOCAL}(?:{_DOT_ANY}{_LOCAL}){{0,4}}{_AT_BRACKETED}"
    rf"{_LABEL}(?:{_DOT_ANY}{_LABEL}){{0,6}}{_DOT_ANY}[A-Za-z]{{2,24}}\b",
    re.IGNORECASE,
)
# "jane dot smith at council dot gov dot uk": only with a real top-level domain at the end,
# so "she was at home" is left alone.
_TLD_WORDS = r"(?:uk|com|org|net|gov|nhs|ac|co|sch|police|info|io|edu|me|eu|scot|wales|cymru)"
_SPELLED_DOT = r"(?:[ \t]{1,3}dot[ \t]{1,3}|\.)"
_EMAIL_SPELLED_RE = re.compile(
    rf"(?<![\w.%+'-]){_LOCAL}(?:{_SPELLED_DOT}{_LOCAL}){{0,4}}[ \t]{{1,3}}at[ \t]{{1,3}}"
    rf"{_LABEL}(?:{_SPELLED_DOT}{_LABEL}){{0,6}}{_SPELLED_DOT}{_TLD_WORDS}\b",
    re.IGNORECASE,
)

# ------------------------------------------------------------ NHS numbers
_NHS_SHAPE = r"\d{3}(?P<nsep>[ .-]?)\d{3}(?P=nsep)\d{4}"
_NHS_RE = re.compile(rf"(?<![\w+£.])({_NHS_SHAPE})(?![\d.]\d|\d)")
_NHS_CUE_RE = re.compile(
    r"(\bNHS\s*(?:no\b\.?|num\b\.?|number\b|#)?\s*(?:is\s+|was\s+)?[:=\-–]?\s*)"
    r"(\d(?:[ .-]?\d){9})(?!\d)",
    re.IGNORECASE,
)


def is_valid_nhs_number(digits: str) -> bool:
    """True when ten digits pass the NHS mod-11 check digit.

    >>> is_valid_nhs_number("9434765919"), is_valid_nhs_number("9434765918")
    (True, False)
    """
    digits = re.sub(r"\D", "", digits)
    if len(digits) != 10:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


# ----------------------------------------------------------------- phones
# After the leading 0 (or +44) a UK number has 9 or 10 digits; separators
# (space, dash, brackets) may sit between any two digits. An opening bracket is
# only part of the number when it encloses the area code: "(01632) 960 001".
# Dots may separate groups ("07700.900.123") but never follow the leading 0, which keeps
# decimals ("0.1234567890") out; "0044" is the international prefix dialled from abroad.
_PHONE_RE = re.compile(
    r"(?:(?<![\w+])(?:\+|00)44[\s.-]?(?:\(0\)[\s.-]?)?(?:[\s\-()]{0,2}\d)"
    r"|(?<![\w+£])(?<!\d[.,])(?:\(0(?=\d{2,5}\))|0)(?:[\s\-()]{0,2}\d))"
    r"(?:[\s\-().]{0,2}\d){8,9}"
    r"(?![\d]|\.\d)"
)
# Stretches worth giving to the phone-number parser: a digit, then 6 or more digits and
# separators. Only these are parsed, so parsing stays linear (and quick) on long texts.
# A decimal ("0.1234567890") is never a candidate.
_PHONE_CANDIDATE_RE = re.compile(
    r"(?<![\w+.,])(?!\d[.,]\d)(?:\+|\(\+?)?\d[\d\s().\-/]{6,30}\d(?!\d)"
)
_PHONE_CUE_RE = re.compile(
    r"(\b(?:tel|telephone|phone|mobile|mob|landline)\b\.?(?:\s*(?:no\b\.?|number\b))?"
    r"\s*(?:is\s+|was\s+)?[:=\-–]?\s*)"
    r"(\+?\d(?:[\s-]?\d){5,12})(?![\d/])",
    re.IGNORECASE,
)

# ------------------------------------------------------------------- dates
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
_NUMERIC_DATE = (
    r"(?<![\d/.\-:])(?:\d{1,2}(?P<sep>[/\-])\d{1,2}(?P=sep)(?:\d{4}|\d{2})|\d{1,2}\.\d{1,2}\.\d{4}"
    r"|\d{4}-\d{1,2}-\d{1,2})(?![\d/\-:]|\.\d)"
)
# After a birth cue a dotted date may have a two-digit year ("DOB: 3.3.15").
_DOTTED_SHORT_DATE = r"(?<![\d.])\d{1,2}\.\d{1,2}\.\d{2}(?![\d]|\.\d)"
_WRITTEN_DATE = (
    rf"\b(?:{_DAY}(?:\s+of)?[\s\-]+{_MONTH},?[\s\-]+\d{{4}}"
    rf"|{_MONTH}\s+{_DAY},?\s+\d{{4}})\b"
)
_FULL_DATE_RE = re.compile(rf"(?:{_NUMERIC_DATE}|{_WRITTEN_DATE})", re.IGNORECASE)
# After a birth cue: full dates, day + month, or month + year (a partial date of birth).
_DOB_CUE_RE = re.compile(
    r"(\b(?:d\.?o\.?b\b\.?|date\s+of\s+birth|born(?:\s+on|\s+in)?|birthday(?:\s+is|\s+on)?)"
    r"\s*(?:is\s+|was\s+)?[:=\-–]?\s*(?:the\s+)?)"
    rf"({_NUMERIC_DATE}|{_WRITTEN_DATE}|{_DOTTED_SHORT_DATE}|\d{{1,2}}/\d{{1,2}}(?![\d/])"
    rf"|\b{_DAY}(?:\s+of)?[\s\-]+{_MONTH},?[\s\-]+\d{{2}}(?![\d:])"
    rf"|\b{_DAY}(?:\s+of)?\s+{_MONTH}(?!\w)|\b{_MONTH}\s+\d{{4}}\b)",
    re.IGNORECASE,
)


def _is_plausible_date(text: str) -> bool:
    """Day and month in range (UK day-first, or US month-first) for numeric dates."""
    parts = re.split(r"[/.\-]", text)
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return True  # written dates are checked by the pattern itself
    # ISO dates are year-first; all others day-first (or US month-first).
    d, m = (int(parts[2]), int(parts[1])) if len(parts[0]) == 4 else (int(parts[0]), int(parts[1]))
    return (1 <= d <= 31 and 1 <= m <= 12) or (1 <= m <= 31 and 1 <= d <= 12)


# --------------------------------------------------------------- postcodes
# The UK's postcode areas (Royal Mail); plus ZZ, the NHS pseudo-postcodes
# ("ZZ99 3CZ": no fixed abode), and BF (BFPO).
_AREAS = """
    AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN
    DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY
    L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM
    S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN
    WR WS WV YO ZE
    ZZ BF
"""
#: Postcode areas: ``XX1 2AB`` shapes outside them are left alone.
POSTCODE_AREAS: Final = frozenset(_AREAS.split())
_OUTWARD = r"([A-Za-z]{1,2})\d[A-Za-z\d]?"
# One or two spaces, none, or a hyphen between the halves ("SW1A-1AA", "SW1A  1AA").
_FULL_POSTCODE_RE = re.compile(rf"(?<![\w-]){_OUTWARD}(?:[ \t]{{1,2}}|-)?\d[A-Za-z]{{2}}(?![\w-])")
_OUTWARD_CUE_RE = re.compile(
    r"((?i:\b(?:post\s?code|postal\s+code|address|lives?\s+(?:in|at|near)|living\s+(?:in|at|near)"
    r"|resid(?:es|ing|ent)\s+(?:in|at)|moved\s+to|relocated\s+to)\b\s*(?:is\s+)?[:\-–]?\s*"
    r"(?:the\s+)?))"
    r"(([A-Z]{1,2})\d[A-Z\d]?)(?![\w-])"
    # "lives in S20 accommodation": a section of the Children Act, not a place.
    r"(?!\s+(?:accommodation|enquir|orders?\b|placements?\b|agreements?\b))"
)
_OUTWARD_AREA_RE = re.compile(r"(?<![\w-])(([A-Z]{1,2})\d[A-Z\d]?)(?=\s+area\b)")

# ------------------------------------------------------------------- names
# Capitals too ("MRS SMITH"), except MS: "MS Teams" is software, not a person.
_TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Lord|Lady|Rev|Revd|Cllr|MR|MRS|MISS|DR)"
# Titles after which a lower-case name still reads as a name ("Mrs. smith"); not Miss,
# Lady or Lord, which start ordinary sentences ("Miss you all").
_TITLE_BEFORE_LOWER = r"(?:Mr|Mrs|Ms|Mx|Dr)"
# Surname particles written in lower case: "Mr de Souza", "Ms van der Berg".
_PARTICLE = r"(?:de|da|di|du|del|della|der|den|van|von|le|la|ter|ten|al|el|bin|ibn|st)"
# Lower-case words that follow a title without being a name.
_NOT_A_LOWER_NAME = (
    r"(?!(?:and|or|the|a|an|is|was|were|are|be|been|said|says|has|had|have|will|would|at|on"
    r"|in|to|of|for|from|who|with|also|both|as|by|if|so|not|no|but|then|came|went|rang"
    r"|called|told|asked|visited|attended)\b)"
)
_NAME_WORD = r"(?:[A-Z][’'])?(?:Ma?c)?[A-Z][a-z]+(?:-(?:[A-Z][’'])?[A-Z][a-z]+)*"
_CAPS_WORD = r"[A-Z]{2,}(?:-[A-Z]{2,})*"
# Words that often follow a titled surname but are not part of it.
_NOT_A_NAME = (
    r"(?!(?:Team|Teams|Social|Senior|Service|Services|Manager|Managers|School|Police|Health"
    r"|Council|Worker|Workers|And|The|From|Who|Was|Is|Said|Says|Has|Had|Will|At|On|In)\b)"
)
_TITLED_NAME_RE = re.compile(
    rf"\b{_TITLE}\.?\s+(?:[A-Z]\.\s*|[A-Z]\s+(?=[A-Z]))*(?:{_PARTICLE}\s+){{0,2}}"
    rf"(?:{_NAME_WORD}(?:\s+{_NOT_A_NAME}{_NAME_WORD}){{0,2}}|{_CAPS_WORD})(?![\w-])"
)
_TITLED_LOWER_NAME_RE = re.compile(
    rf"\b{_TITLE_BEFORE_LOWER}\.?\s+{_NOT_A_LOWER_NAME}[a-z][a-z'’]+(?:-[a-z]+)?(?![\w-])"
)


@lru_cache(maxsize=32)
def _denylist_pattern(entries: tuple[str, ...]) -> re.Pattern[str] | None:
    cleaned = {" ".join(e.split()) for e in entries if isinstance(e, str)}
    cleaned = sorted((e for e in cleaned if len(e) >= 2), key=lambda e: (-len(e), e))
    if not cleaned:
        return None
    alternatives = []
    for entry in cleaned:
        escaped = re.escape(entry)
        escaped = re.sub(r"(?:\\ | )+", r"\\s+", escaped)
        escaped = re.sub(r"['’]", "['’]", escaped)
        alternatives.append(escaped)
    attached = r"(?-i:[A-Z][\w'’]*)"
    return re.compile(
        rf"(?<![\w'’-])(?:{attached}-)*(?:{'|'.join(alternatives)})(?:-{attached})*(?![\w-])",
        re.IGNORECASE,
    )


# ------------------------------------------------------------------ engine
def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.api.types.is_scalar(value) and pd.isna(value))
    except (TypeError, ValueError):
        return False


def _sub_outside_tokens(
    text: str, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str | None]
) -> tuple[str, int]:
    """Apply ``pattern`` to the parts of ``text`` that are not already tokens.

    ``replace`` returns the replacement, or ``None`` to keep the match as it is.
    Working only between tokens is what makes redaction idempotent.
    """
    count = 0

    def substitute(match: re.Match[str]) -> str:
        nonlocal count
        out = replace(match)
        if out is None:
            return match.group(0)
        count += 1
        return out

    parts = _TOKEN_SPLIT.split(text)
    for i in range(0, len(parts), 2):
        if parts[i]:
            parts[i] = pattern.sub(substitute, parts[i])
    return "".join(parts), count


def _keep_cue(kind: str) -> Callable[[re.Match[str]], str]:
    return lambda m: m.group(1) + TOKENS[kind]


def _nhs_by_check_digit(m: re.Match[str]) -> str | None:
    number = m.group(1)
    if number[0] == "0" or not is_valid_nhs_number(number):
        return None
    return TOKENS[NHS_NUMBER]


def _full_date(m: re.Match[str]) -> str | None:
    return TOKENS[DATE] if _is_plausible_date(m.group(0)) else None


def _full_postcode(m: re.Match[str]) -> str | None:
    code = m.group(0)
    # Mixed case ("A5 2nd") is ordinary text; postcodes are written in one case.
    if code not in (code.upper(), code.lower()):
        return None
    return TOKENS[POSTCODE] if m.group(1).upper() in POSTCODE_AREAS else None


def _outward_after_cue(m: re.Match[str]) -> str | None:
    return m.group(1) + TOKENS[POSTCODE] if m.group(3) in POSTCODE_AREAS else None


def _outward_before_area(m: re.Match[str]) -> str | None:
    return TOKENS[POSTCODE] if m.group(2) in POSTCODE_AREAS else None


def _denylisted(m: re.Match[str]) -> str | None:
    found = m.group(0)
    # A single word on the list only counts when written as a name (capitalised).
    if not re.search(r"\s", found) and not found[0].isupper():
        return None
    return TOKENS[NAME]


def _phone_by_parser(m: re.Match[str]) -> str | None:
    """Numbers in a candidate stretch that ``phonenumbers`` finds valid (UK numbering)."""
    import phonenumbers

    stretch = m.group(0)
    found = [
        (match.start, match.end)
        for match in phonenumbers.PhoneNumberMatcher(
            stretch, PHONE_REGION, leniency=phonenumbers.Leniency.VALID
        )
    ]
    if not found:
        return None
    out, last = [], 0
    for begin, end in found:
        out += [stretch[last:begin], TOKENS[PHONE]]
        last = end
    out.append(stretch[last:])
    return "".join(out)


def _passes(
    denylist: tuple[str, ...], ids: tuple[str, ...] = ()
) -> list[tuple[str, re.Pattern[str], Callable]]:
    """The passes in the order they run: cued patterns before the generic ones."""
    passes: list[tuple[str, re.Pattern[str], Callable]] = [
        (EMAIL, _EMAIL_RE, lambda m: TOKENS[EMAIL]),
        (EMAIL, _EMAIL_BRACKETED_RE, lambda m: TOKENS[EMAIL]),
        (EMAIL, _EMAIL_SPELLED_RE, lambda m: TOKENS[EMAIL]),
    ]
    id_pattern = _id_pattern(ids)
    if id_pattern is not None:
        passes.append((ID, id_pattern, lambda m: TOKENS[ID]))
    passes += [
        (NHS_NUMBER, _NHS_CUE_RE, _keep_cue(NHS_NUMBER)),
        (DATE_OF_BIRTH, _DOB_CUE_RE, _keep_cue(DATE_OF_BIRTH)),
        (DATE, _FULL_DATE_RE, _full_date),
        (PHONE, _PHONE_CUE_RE, _keep_cue(PHONE)),
        (NHS_NUMBER, _NHS_RE, _nhs_by_check_digit),
        (PHONE, _PHONE_RE, lambda m: TOKENS[PHONE]),
        (PHONE, _PHONE_CANDIDATE_RE, _phone_by_parser),
        (POSTCODE, _FULL_POSTCODE_RE, _full_postcode),
        (POSTCODE, _OUTWARD_CUE_RE, _outward_after_cue),
        (POSTCODE, _OUTWARD_AREA_RE, _outward_before_area),
        (NAME, _TITLED_NAME_RE, lambda m: TOKENS[NAME]),
        (NAME, _TITLED_LOWER_NAME_RE, lambda m: TOKENS[NAME]),
    ]
    pattern = _denylist_pattern(tuple(clean_text(e) for e in denylist if isinstance(e, str)))
    if pattern is not None:
        passes.append((NAME, pattern, _denylisted))
    return passes


_MAX_ROUNDS: Final = 5


#: Texts whose redaction is remembered (by text, denylist and identifier shapes): a
#: report redacts the same free text in several sections, and the report runner's
#: pre-imported kernel process redacts every row once for all its months' kernels
#: (:func:`auditlib.report.preload.preload`). Bounded, so a huge table cannot fill memory.
REDACTED_TEXTS_KEPT: Final = 65_536


def _redact_with_counts(
    value: Any, denylist: Iterable[str], ids: Iterable[str] = ()
) -> tuple[Any, Counter[str]]:
    if _is_missing(value):
        return value, Counter()
    text = value if isinstance(value, str) else str(value)
    try:
        redacted, counts = _redact_remembered(text, _as_tuple(denylist), _as_tuple(ids))
    except TypeError:  # an entry that cannot be a key (not a text): worked out afresh
        redacted, counts = _redact_remembered.__wrapped__(text, _as_tuple(denylist), _as_tuple(ids))
    return redacted, Counter(dict(counts))  # a caller's own copy of the counts


@lru_cache(maxsize=REDACTED_TEXTS_KEPT)
def _redact_remembered(
    value: str, denylist: tuple[str, ...], ids: tuple[str, ...]
) -> tuple[str, tuple[tuple[str, int], ...]]:
    """:func:`_redact_with_counts` of a text: a pure function of its arguments, remembered."""
    counts: Counter[str] = Counter()
    text = clean_text(value)
    passes = _passes(denylist, ids)
    # A token can change what is next to a number ("Mr Smith+44…" → "[name]+44…"),
    # so run the passes again until nothing changes: that makes redaction idempotent.
    for _ in range(_MAX_ROUNDS):
        found = 0
        for kind, pattern, replace in passes:
            text, n = _sub_outside_tokens(text, pattern, replace)
            counts[kind] += n
            found += n
        if not found:
            break
    return text, tuple(counts.items())


def _as_tuple(denylist: Iterable[str] | None) -> tuple[str, ...]:
    if denylist is None:
        return ()
    if isinstance(denylist, str):
        return (denylist,)
    return tuple(denylist)


# ------------------------------------------------------------- normalising
#: Characters that show nothing but split a word for a pattern (zero-width, soft hyphen,
#: word joiner, byte-order mark).
_INVISIBLE: Final = "\u00ad\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff"
#: Control characters stripped from all text: C0 (but tab and line breaks), DEL, C1, and
#: the bidirectional embeddings, overrides, isolates and marks.
_CONTROLS: Final = (
    "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r")
    + "\x7f"
    + "".join(chr(c) for c in range(0x80, 0xA0))
    + "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_STRIP_TABLE: Final = dict.fromkeys(map(ord, _INVISIBLE + _CONTROLS))


def clean_text(text: str) -> str:
    r"""Text as redaction (and every report) sees it: NFKC, no invisible or control characters.

        Full-width and other compatibility forms become their plain letters, zero-width
        characters and soft hyphens are removed, and NUL, ESC, DEL, C1 and bidirectional
        control characters are stripped; tabs and line breaks stay (``
    `` becomes ``
    ``).

        >>> clean_text("Ｊａｙ\u200bden\x00\x1b[31m \u202eevil")
        'Jayden[31m evil'
    """
    text = unicodedata.normalize("NFKC", text).translate(_STRIP_TABLE)
    return text.replace("\r\n", "\n").replace("\r", "\n")


# ------------------------------------------------------------- learned ids
#: The fewest digits an identifier shape needs: shorter ones would catch ordinary numbers.
MIN_ID_DIGITS: Final = 3
#: An all-digit identifier is only learned with at least this many digits (so years and
#: counts are never taken for ids).
MIN_ALL_DIGIT_ID: Final = 6
#: Identifiers longer than this are not learned (they are not ids but stray text).
MAX_ID_LENGTH: Final = 40
#: More distinct shapes than this and letters are generalised (``C\\d{7}`` → ``[A-Z]\\d{7}``).
MAX_ID_SHAPES: Final = 40
#: Where phone numbers are parsed as dialled from: the UK.
PHONE_REGION: Final = "GB"


def learn_id_patterns(values: Iterable[Any]) -> tuple[str, ...]:
    """The shapes of the data's own identifiers, as regular expressions to redact.

    Each identifier becomes its shape: letters and punctuation as written, each run of
    digits as that many digits (``C8756263`` → ``C\\d{7}``, ``SW0123`` → ``SW\\d{4}``).
    Identifiers with fewer than :data:`MIN_ID_DIGITS` digits, or all digits and fewer
    than :data:`MIN_ALL_DIGIT_ID`, are not learned. With more than :data:`MAX_ID_SHAPES`
    shapes the letters are generalised to "so many letters". Pass the result to
    :func:`redact_text` as ``ids``.

    >>> learn_id_patterns(["C8756263", "C1234567", "SW0123", "A0000001", "12", None])
    ('A\\\\d{7}', 'C\\\\d{7}', 'SW\\\\d{4}')
    """
    samples = {
        str(v).strip()
        for v in values
        if not _is_missing(v) and 0 < len(str(v).strip()) <= MAX_ID_LENGTH
    }
    shapes = {shape for v in samples if (shape := _id_shape(v, letters=True))}
    if len(shapes) > MAX_ID_SHAPES:
        shapes = {shape for v in samples if (shape := _id_shape(v, letters=False))}
    if len(shapes) > MAX_ID_SHAPES:
        counted = Counter(_id_shape(v, letters=False) for v in samples)
        shapes = {shape for shape, _ in counted.most_common(MAX_ID_SHAPES) if shape}
    return tuple(sorted(shapes))


def _id_shape(value: str, *, letters: bool) -> str:
    value = clean_text(value)
    digits = sum(c.isdigit() for c in value)
    if digits < MIN_ID_DIGITS or (digits == len(value) and digits < MIN_ALL_DIGIT_ID):
        return ""
    if any(c.isspace() for c in value):
        return ""
    parts = []
    for run in re.findall(r"\d+|[A-Za-z]+|[^\dA-Za-z]+", value):
        if run[0].isdigit():
            parts.append(rf"\d{{{len(run)}}}")
        elif run[0].isalpha() and run.isascii():
            parts.append(run.upper() if letters else f"[A-Z]{{{len(run)}}}")
        else:
            parts.append(re.escape(run))
    return "".join(parts)


@lru_cache(maxsize=32)
def _id_pattern(ids: tuple[str, ...]) -> re.Pattern[str] | None:
    if not ids:
        return None
    alternatives = "|".join(sorted(ids, key=lambda p: (-len(p), p)))
    return re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])", re.IGNORECASE)


# --------------------------------------------------------------------- API
def redact_text(text: Any, denylist: Iterable[str] = (), *, ids: Iterable[str] = ()) -> Any:
    """Replace personal identifiers in ``text`` with labelled tokens.

    ``denylist`` is a list of names (one per entry, e.g. from ``names.txt``); ``ids`` the
    identifier shapes learned from the data (:func:`learn_id_patterns`). The text is
    normalised first (:func:`clean_text`). Missing values come back unchanged; other
    non-text values as redacted text.

    >>> redact_text("Ms J. Brown (DOB 01/02/2010) said Jo was great", denylist=["Jo"])
    '[name] (DOB [date of birth]) said [name] was great'
    >>> redact_text(None) is None
    True
    """
    return _redact_with_counts(text, denylist, ids)[0]


def count_redactions(
    text: Any, denylist: Iterable[str] = (), *, ids: Iterable[str] = ()
) -> dict[str, int]:
    """How many identifiers of each kind :func:`redact_text` removes — counts only, never values.

    >>> count_redactions("Mr Smith, 07989 081145, 020 7946 0018")
    {'email': 0, 'id': 0, 'phone': 2, 'postcode': 0, 'nhs_number': 0, 'date_of_birth': 0, 'date': 0, 'name': 1}
    """
    counts = _redact_with_counts(text, denylist, ids)[1]
    return {kind: counts.get(kind, 0) for kind in REDACTION_KINDS}


def _require_columns(df: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataError(
            [
                Problem(file=what, row=None, column=c, value=None, reason="column not found")
                for c in missing
            ],
            summary=f"{what}: {len(missing)} column(s) not found: {', '.join(missing)}",
        )


def _text_series(values: list[Any], like: pd.Series) -> pd.Series:
    """Keep a text column's dtype (object or pandas string) when replacing its values."""
    keep = pd.api.types.is_string_dtype(like.dtype) or like.dtype == object
    return pd.Series(values, index=like.index, dtype=like.dtype if keep else object)


def redact_frame(
    df: pd.DataFrame,
    columns: Sequence[str] | str,
    denylist: Iterable[str] = (),
    *,
    ids: Iterable[str] = (),
) -> pd.DataFrame:
    """Return a copy of ``df`` with the text in ``columns`` redacted (the input is not changed).

    >>> df = pd.DataFrame({"text": ["Dr Patel rang 07700 900123", None]})
    >>> out = redact_frame(df, "text")
    >>> out.loc[0, "text"], bool(pd.isna(out.loc[1, "text"])), df.loc[0, "text"]
    ('[name] rang [phone]', True, 'Dr Patel rang 07700 900123')
    """
    columns = [columns] if isinstance(columns, str) else list(columns)
    _require_columns(df, columns, "table to redact")
    names, shapes = _as_tuple(denylist), _as_tuple(ids)
    out = df.copy()
    for column in columns:
        values = df[column].tolist()
        # Each distinct text once: team names and repeated answers cost one redaction each.
        done: dict[Any, Any] = {}
        redacted = []
        for v in values:
            key = v if isinstance(v, str) else None
            if key is not None and key in done:
                redacted.append(done[key])
                continue
            result = redact_text(v, names, ids=shapes)
            if key is not None:
                done[key] = result
            redacted.append(result)
        out[column] = _text_series(redacted, df[column])
    return out


def summarise_redactions(
    df: pd.DataFrame, columns: Sequence[str] | str, denylist: Iterable[str] = ()
) -> pd.DataFrame:
    """Count what redaction removes from each column, by kind — for the data-quality section.

    Returns one row per kind (all kinds, zeros included) and one column per
    text column plus ``total``. No redacted value is ever returned.
    """
    columns = [columns] if isinstance(columns, str) else list(columns)
    _require_columns(df, columns, "table to redact")
    names = _as_tuple(denylist)
    table = pd.DataFrame(0, index=pd.Index(REDACTION_KINDS, name="kind"), columns=columns)
    for column in columns:
        totals: Counter[str] = Counter()
        for value in df[column].tolist():
            totals.update(_redact_with_counts(value, names)[1])
        table[column] = [totals.get(kind, 0) for kind in REDACTION_KINDS]
    table["total"] = table[columns].sum(axis=1)
    return table.astype("int64")
