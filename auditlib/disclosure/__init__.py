"""Disclosure control: what a report may show of small numbers.

Two profiles (``disclosure:`` in programme.yml, or ``--disclosure``):

``published``
    DfE's rule for children's social care statistics. Any count from 1 to 5
    is suppressed and shown as ``[c]``; 0 is a true zero and is shown.
    **Secondary suppression**: wherever a total is shown, a hidden count
    must not be recoverable by subtraction, so in every row or column whose
    total is shown (and in the totals themselves) either nothing is hidden
    or at least two figures are. When only one is hidden, the smallest
    non-zero figure shown in that row or column is hidden too (a total only
    when nothing else is left), and the rows and columns are checked again
    until none can be worked out — including by combining several rows and
    columns, or because the hidden cells of a row must all be 1 (each ``[c]``
    is at least 1, as 0 is shown). That is checked exactly: for every hidden
    number, the smallest and largest values that fit everything shown must
    differ (a small linear programme). A percentage is hidden when its count
    or its denominator is.
``internal``
    Every count is shown; a percentage whose denominator is below 10 is
    flagged ``[low]`` (GSS shorthand for low reliability, read aloud sensibly
    by screen readers, unlike a dagger).

Other symbols (GSS shorthand in square brackets): ``[z]`` not applicable
(a paused month; a percentage of nothing), ``[x]`` not available.

Everything here is a pure function: tables and dicts in, new ones out. The modules:
:mod:`.rules` (profiles, symbols, one count or share), :mod:`.suppression` (tables),
:mod:`.figures` (figures.json) and :mod:`.view` (what a report section may say).

Figures dict convention (:func:`apply_to_figures`): keys say what a value is.

* **Counts** (of audits, i.e. of children's cases): keys in :data:`COUNT_KEYS`
  (``allocated``, ``completed``, ``exempt``, ``outstanding``, ``reaudits_…``),
  keys ending ``_count`` or ``_total``, and any key that a sibling
  ``<key>_pct`` names as its numerator (e.g. ``good_or_better`` beside
  ``good_or_better_pct``).
* **Count groups**: a dict ``{label: count}`` under ``judgements`` (adding up
  to the sibling ``completed``) or under ``<stem>_counts`` (adding up to a
  sibling ``<stem>_total``, if any); each sum is protected by secondary
  suppression like a table row. A sibling
  ``good_or_better`` is the sum of the group's Outstanding and Good and is
  protected with it (:data:`AGGREGATES`).
* **Shares** (unrounded percentages): keys ending ``_pct``. ``compliance_pct``
  is ``completed`` of ``allocated`` and ``reaudit_compliance_pct`` is
  ``reaudits_completed`` of ``reaudits_allocated`` (:data:`SHARE_PARTS`); any
  other ``<x>_pct`` is sibling ``<x>`` of sibling ``completed``; a dict under
  ``<group>_pct`` holds one share per label of the sibling group ``<group>``.
* **SPC readings**: under ``spc``, one dict per measure naming with ``share`` the
  key of the ``trend`` entries' share it charts, with ``points`` {month: point type},
  the latest period's ``mean`` / ``lower_limit`` / ``upper_limit`` and a ``verdict``
  about ``latest_month``. Under ``published`` a month whose share is hidden loses its
  point type; the limits go when any hidden month is in their period (with every
  other month shown, an exact mean gives the hidden share back by subtraction); the
  verdict loses its percentages when the latest month's share is hidden, as the
  report's sentence does (:func:`hide_percentages`).
* **Not counts**: strings (months, hashes, versions, labels), booleans,
  ``None``, non-integer numbers (statistics), keys in :data:`NOT_COUNT_KEYS`
  or ending ``_year``, and whole sections in :data:`NOT_COUNT_SECTIONS`
  (``data_quality``: counts of rows in the input files, not of children with
  a characteristic — but its judgement jumps and its count of audits with no
  judgement are, and are hidden as the trend hides their cells). Anything else that is an integer is an error naming the
  key, so a new count can never slip out unprotected.
"""

from __future__ import annotations

from auditlib.disclosure.figures import (
    AGGREGATES,
    COUNT_KEYS,
    COUNT_SUFFIX,
    DISCLOSURE_KEY,
    GROUP_KEYS,
    GROUP_SUFFIX,
    GROUP_TOTAL_KEY,
    GROUP_TOTALS,
    NOT_COUNT_KEYS,
    NOT_COUNT_SECTIONS,
    NOT_COUNT_SUFFIXES,
    SHARE_PARTS,
    SHARE_SUFFIX,
    SPC_KEY,
    SPC_LIMIT_KEYS,
    SUMS,
    TOTAL_SUFFIX,
    apply_to_figures,
)
from auditlib.disclosure.rules import (
    FRAGILE_BELOW,
    INTERNAL,
    LOW,
    MONTH_LABEL_COLUMN,
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    PRIMARY,
    PUBLISHED,
    SECONDARY,
    SHOWN,
    STATE_COLUMN,
    STATE_PAUSED,
    SUPPRESS_FROM,
    SUPPRESS_TO,
    SUPPRESSED,
    SYMBOLS,
    TOTAL_COLUMN,
    DisclosureProfile,
    describe_rule,
    disclose_value,
    format_count,
    format_pct,
    hide_p_values,
    hide_percentages,
    is_small,
    symbol_key,
)
from auditlib.disclosure.suppression import (
    display_share_table,
    suppress_counts,
    suppression_mask,
)

__all__ = [
    "AGGREGATES",
    "COUNT_KEYS",
    "COUNT_SUFFIX",
    "DISCLOSURE_KEY",
    "FRAGILE_BELOW",
    "GROUP_KEYS",
    "GROUP_SUFFIX",
    "GROUP_TOTALS",
    "GROUP_TOTAL_KEY",
    "INTERNAL",
    "LOW",
    "MONTH_LABEL_COLUMN",
    "NOT_APPLICABLE",
    "NOT_AVAILABLE",
    "NOT_COUNT_KEYS",
    "NOT_COUNT_SECTIONS",
    "NOT_COUNT_SUFFIXES",
    "PRIMARY",
    "PUBLISHED",
    "SECONDARY",
    "SHARE_PARTS",
    "SHARE_SUFFIX",
    "SHOWN",
    "SPC_KEY",
    "SPC_LIMIT_KEYS",
    "STATE_COLUMN",
    "STATE_PAUSED",
    "SUMS",
    "SUPPRESSED",
    "SUPPRESS_FROM",
    "SUPPRESS_TO",
    "SYMBOLS",
    "TOTAL_COLUMN",
    "TOTAL_SUFFIX",
    "DisclosureProfile",
    "apply_to_figures",
    "describe_rule",
    "disclose_value",
    "display_share_table",
    "format_count",
    "format_pct",
    "hide_p_values",
    "hide_percentages",
    "is_small",
    "suppress_counts",
    "suppression_mask",
    "symbol_key",
]
