"""The disclosure rule: the profiles, the symbols, and how one count or share is shown."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from enum import StrEnum
from numbers import Integral, Real
from typing import Final

import numpy as np

from auditlib.analysis.rounding import round_half_up
from auditlib.data import schema
from auditlib.errors import ConfigError

# ------------------------------------------------------------------ the rule
#: Counts from SUPPRESS_FROM to SUPPRESS_TO inclusive are suppressed in ``published``.
SUPPRESS_FROM: Final = 1
SUPPRESS_TO: Final = 5
#: In ``internal``, a percentage with a denominator below this is flagged.
FRAGILE_BELOW: Final = 10

SUPPRESSED: Final = "[c]"
NOT_APPLICABLE: Final = "[z]"
NOT_AVAILABLE: Final = "[x]"
LOW: Final = "[low]"
SYMBOLS: Final = (SUPPRESSED, NOT_APPLICABLE, NOT_AVAILABLE)

#: Why a cell is hidden, as :func:`suppression_mask` reports it.
SHOWN: Final = "shown"
PRIMARY: Final = "primary"
SECONDARY: Final = "secondary"

# Count-table vocabulary shared with auditlib.analysis.metrics. TODO: move to schema (requested).
TOTAL_COLUMN: Final = schema.COMPLETED
STATE_COLUMN: Final = schema.STATE
MONTH_LABEL_COLUMN: Final = schema.MONTH_LABEL
STATE_PAUSED: Final = schema.PAUSED


class DisclosureProfile(StrEnum):
    """Which disclosure rule a report follows; equal to its name as a string."""

    INTERNAL = "internal"
    PUBLISHED = "published"

    @classmethod
    def from_name(cls, name: str | DisclosureProfile) -> DisclosureProfile:
        """The profile called ``name`` (case and spaces ignored).

        >>> DisclosureProfile.from_name(" Published ") is DisclosureProfile.PUBLISHED
        True
        """
        if isinstance(name, cls):
            return name
        if isinstance(name, str):
            for profile in cls:
                if profile.value == name.strip().lower():
                    return profile
        raise ConfigError(
            f"Unknown disclosure profile {name!r}: use 'internal' (every count shown, "
            "percentages of fewer than 10 audits flagged) or 'published' "
            "(counts of 1 to 5 suppressed, DfE convention)."
        )

    @property
    def suppresses(self) -> bool:
        """True when small counts are hidden."""
        return self is DisclosureProfile.PUBLISHED

    @property
    def flags_fragile(self) -> bool:
        """True when percentages of few audits are flagged rather than hidden."""
        return self is DisclosureProfile.INTERNAL


INTERNAL: Final = DisclosureProfile.INTERNAL
PUBLISHED: Final = DisclosureProfile.PUBLISHED


def is_small(n: int) -> bool:
    """True for a count the published profile suppresses (1 to 5; never 0).

    >>> [is_small(n) for n in (0, 1, 5, 6)]
    [False, True, True, False]
    """
    return SUPPRESS_FROM <= n <= SUPPRESS_TO


# ------------------------------------------------------------ scalar helpers
def _missing(value: object) -> bool:
    return value is None or (isinstance(value, Real | np.floating) and math.isnan(float(value)))


def format_count(n: int | str | None, profile: DisclosureProfile | str) -> str:
    """A count as a sentence or table shows it: "1,298", or ``[c]`` for 1–5 when published.

    A symbol (e.g. ``[c]`` from :func:`apply_to_figures`) passes through; None or NaN
    is ``[x]``. Counts that sit in a table need its secondary suppression: format
    them from the protected figures, not from raw numbers.

    >>> format_count(1298, "internal"), format_count(3, "published"), format_count(0, "published")
    ('1,298', '[c]', '0')
    """
    profile = DisclosureProfile.from_name(profile)
    if isinstance(n, str):
        if n in SYMBOLS:
            return n
        raise ValueError(f"expected a count or one of {SYMBOLS}, got {n!r}")
    if _missing(n):
        return NOT_AVAILABLE
    count = _as_count(n, "count")
    if profile.suppresses and is_small(count):
        return SUPPRESSED
    return f"{count:,}"


def format_pct(
    k: int | str | None,
    n: int | str | None,
    profile: DisclosureProfile | str,
    decimals: int = 0,
) -> str:
    """``k`` as a percentage of ``n``, rounded half-up: "63%".

    ``published``: ``[c]`` when ``k`` or ``n`` is 1–5 (or already ``[c]``).
    ``internal``: "43% [low]" when ``n`` is below 10. ``[z]`` when ``n`` is 0,
    ``[x]`` when either is missing.

    >>> format_pct(5, 8, "published"), format_pct(5, 8, "internal"), format_pct(10, 16, "published")
    ('[c]', '63% [low]', '63%')
    """
    profile = DisclosureProfile.from_name(profile)
    if SUPPRESSED in (k, n):
        return SUPPRESSED
    for value in (k, n):
        if isinstance(value, str):
            if value in SYMBOLS:
                return NOT_AVAILABLE if value == NOT_AVAILABLE else NOT_APPLICABLE
            raise ValueError(f"expected a count or one of {SYMBOLS}, got {value!r}")
    if _missing(k) or _missing(n):
        return NOT_AVAILABLE
    part, whole = _as_count(k, "numerator"), _as_count(n, "denominator")
    if part > whole:
        raise ValueError(f"a share cannot exceed its total: {part} of {whole}")
    if whole == 0:
        return NOT_APPLICABLE
    if profile.suppresses and (is_small(part) or is_small(whole)):
        return SUPPRESSED
    text = _pct_text(part, whole, decimals)
    if profile.flags_fragile and whole < FRAGILE_BELOW:
        text += f" {LOW}"
    return text


def disclose_value(n: int | str | None, profile: DisclosureProfile | str) -> int | str | None:
    """A count for figures.json: the int, or ``"[c]"`` when the profile hides it.

    >>> disclose_value(3, "published"), disclose_value(3, "internal"), disclose_value(0, "published")
    ('[c]', 3, 0)
    """
    profile = DisclosureProfile.from_name(profile)
    if n is None or (isinstance(n, str) and n in SYMBOLS):
        return n
    count = _as_count(n, "count")
    return SUPPRESSED if profile.suppresses and is_small(count) else count


def symbol_key(profile: DisclosureProfile | str) -> list[tuple[str, str]]:
    """The key to the symbols a report under this profile can show: (symbol, meaning)."""
    profile = DisclosureProfile.from_name(profile)
    key = []
    if profile.suppresses:
        key.append(
            (
                SUPPRESSED,
                f"{SUPPRESS_FROM} to {SUPPRESS_TO}: suppressed to protect confidentiality "
                "(DfE convention); another figure in the same row or column may also be "
                "suppressed so the hidden number cannot be worked out. 0 is a true zero.",
            )
        )
    else:
        key.append((LOW, f"fewer than {FRAGILE_BELOW} audits: treat the percentage with caution."))
    key.append(
        (NOT_APPLICABLE, "not applicable (for example, the audit programme was paused that month).")
    )
    key.append((NOT_AVAILABLE, "not available."))
    return key


def describe_rule(profile: DisclosureProfile | str) -> str:
    """One plain paragraph on the disclosure rule, for the report's methods section."""
    profile = DisclosureProfile.from_name(profile)
    if profile.suppresses:
        return (
            f"This report follows the Department for Education's rule for children's social "
            f"care statistics: any number from {SUPPRESS_FROM} to {SUPPRESS_TO} is suppressed "
            f"and shown as {SUPPRESSED}; 0 is a true zero. Where a total is shown, a second "
            f"figure in the same row or column is also suppressed when needed, so that no "
            f"suppressed number can be worked out by subtraction. Percentages of a suppressed "
            f"number, or of a suppressed total, are suppressed too."
        )
    return (
        f"This is an internal report: every count is shown. Percentages of fewer than "
        f"{FRAGILE_BELOW} audits are marked {LOW}, because one audit more or less moves "
        f"them by more than 10 percentage points; read them with caution. It must not be "
        f"published as it stands."
    )


# ------------------------------------------------------- figures convention
COUNT_KEYS: Final = frozenset(
    {
        "n",
        schema.ALLOCATED,
        schema.COMPLETED,
        schema.EXEMPT,
        schema.CANCELLED,
        schema.EXTENSION,
        "outstanding",
        "overdue",
        "reaudits_allocated",
        "reaudits_completed",
        "reaudits_exempt",
        "reaudits_cancelled",
        "reaudits_outstanding",
        "reaudits_overdue",
        # data_quality: rows of the input files are audits (children's cases) too.
        "rows_read",
        "rows_used",
        "rows_excluded",
        "errors",
        "warnings",
        "not_recorded",
    }
)
COUNT_SUFFIX: Final = "_count"
#: Count groups by name → the sibling count they add up to.
GROUP_TOTALS: Final = {"judgements": schema.COMPLETED, "excluded_by_reason": "rows_excluded"}
GROUP_KEYS: Final = frozenset(GROUP_TOTALS)
GROUP_SUFFIX: Final = "_counts"
#: The sibling ``judgements`` (and a plain ``<x>_pct``) is a share of.
GROUP_TOTAL_KEY: Final = schema.COMPLETED
#: ``<stem>_counts`` adds up to a sibling ``<stem>_total`` (a count) when there is one.
TOTAL_SUFFIX: Final = "_total"
SHARE_SUFFIX: Final = "_pct"
#: Shares whose numerator and denominator are not ``<stem>`` and ``completed``.
SHARE_PARTS: Final = {
    "compliance_pct": (schema.COMPLETED, schema.ALLOCATED),
    "reaudit_compliance_pct": ("reaudits_completed", "reaudits_allocated"),
}
#: Counts that are sums of some labels of a sibling group: key → (group key, labels).
AGGREGATES: Final = {"good_or_better": ("judgements", schema.GOOD_OR_BETTER)}
#: Counts that are the sum of two sibling counts: allocated audits are completed or
#: outstanding; rows read are used or excluded. Protected like a table row.
SUMS: Final = {
    schema.ALLOCATED: (schema.COMPLETED, "outstanding"),
    "reaudits_allocated": ("reaudits_completed", "reaudits_outstanding"),
    "rows_read": ("rows_used", "rows_excluded"),
}
NOT_COUNT_KEYS: Final = frozenset(
    {
        "year",
        "seed",
        "scale",
        "decimals",
        "fragile_below",
        "figures_version",
    }
)
NOT_COUNT_SUFFIXES: Final = ("_year",)
NOT_COUNT_SECTIONS: Final = frozenset(
    {
        "disclosure",
        # data_quality's detail: rows of files by kind, spellings, date readings, notices.
        # Its two figures that count children's audits by judgement (judgement jumps, and
        # the Not recorded warnings) are protected by their own rules
        # (auditlib.disclosure.figures: _protect_jumps, _protect_not_recorded).
        "files",
        "warnings_by_kind",
        "name_merges",
        "date_readings",
        "judgement_jumps",
        "left_out",
        "newer_exports",
    }
)
#: The key :func:`apply_to_figures` adds, saying what was done.
DISCLOSURE_KEY: Final = "disclosure"
#: figures.json's section of SPC readings, and the limits a hidden month's share is in.
SPC_KEY: Final = "spc"
SPC_LIMIT_KEYS: Final = ("mean", "lower_limit", "upper_limit")
#: A percentage in a sentence, and a difference stated in percentage points (which gives a
#: suppressed share away as surely as the share).
_PERCENT_RE: Final = re.compile(r"\d+(?:\.\d+)?%")
_POINTS_RE: Final = re.compile(r"\d+(?:\.\d+)?(?= percentage points?\b)")
#: A p-value as :func:`auditlib.report.wording.format_p` writes it, and a Holm-adjusted one.
_P_RE: Final = re.compile(r"\bp [=<] \d+(?:\.\d+)?")
_HOLM_P_RE: Final = re.compile(r"\bHolm-adjusted p [=<] \d+(?:\.\d+)?")


# ------------------------------------------------------------ helpers
def _as_count(value: object, where: str) -> int:
    """A non-negative whole number, or a plain error naming where it came from."""
    if isinstance(value, bool | np.bool_) or value is None:
        raise ValueError(f"{where}: expected a count, got {value!r}")
    whole = isinstance(value, Integral | np.integer) or (
        isinstance(value, Real | np.floating) and float(value).is_integer()
    )
    if whole:
        number = int(value)
    else:
        raise ValueError(f"{where}: expected a whole number of audits, got {value!r}")
    if number < 0:
        raise ValueError(f"{where}: a count cannot be negative, got {number}")
    return number


def _pct_text(k: int, n: int, decimals: int) -> str:
    value = round_half_up(Decimal(100 * k) / Decimal(n), decimals)
    return f"{value:.{max(decimals, 0)}f}%"


def hide_percentages(sentence: str) -> str:
    """A sentence with every percentage and percentage-point difference shown as ``[c]``.

    >>> hide_percentages("% Inadequate in May (7%): up 3 percentage points, range 2% to 9%.")
    '% Inadequate in May ([c]): up [c] percentage points, range [c] to [c].'
    """
    return _POINTS_RE.sub(SUPPRESSED, _PERCENT_RE.sub(SUPPRESSED, sentence))


def hide_p_values(sentence: str, *, holm_only: bool = False) -> str:
    """A sentence with its p-values shown as ``p = [c]`` (with ``holm_only``, only the
    Holm-adjusted ones): with the totals known, a test's p gives its count back.

    >>> hide_p_values("no difference (z test, Holm-adjusted p = 0.22; unadjusted p < 0.001).")
    'no difference (z test, Holm-adjusted p = [c]; unadjusted p = [c]).'
    >>> hide_p_values("(Holm-adjusted p = 0.22; unadjusted p = 0.11)", holm_only=True)
    '(Holm-adjusted p = [c]; unadjusted p = 0.11)'
    """
    if holm_only:
        return _HOLM_P_RE.sub(f"Holm-adjusted p = {SUPPRESSED}", sentence)
    return _P_RE.sub(f"p = {SUPPRESSED}", sentence)
