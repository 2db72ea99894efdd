"""Small phrases the report sections build sentences and table cells from."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from auditlib.analysis.rounding import round_half_up
from auditlib.data.programme import format_month
from auditlib.report import wording

#: The minus sign of differences (U+2212), never a hyphen.
MINUS: Final = "−"
#: A table cell with nothing to show.
DASH: Final = "–"


def join_words(items: Sequence[str]) -> str:
    """'a, b and c'.

    >>> join_words(["a", "b", "c"]), join_words(["a"]), join_words([])
    ('a, b and c', 'a', '')
    """
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def span_words(first: str, last: str) -> str:
    """'in March 2020', 'from March to May 2020', 'from December 2019 to January 2020'.

    >>> span_words("2020-03", "2020-05")
    'from March to May 2020'
    """
    if first == last:
        return f"in {format_month(first)}"
    a, b = format_month(first).split(), format_month(last).split()
    if a[1] == b[1]:
        return f"from {a[0]} to {b[0]} {b[1]}"
    return f"from {' '.join(a)} to {' '.join(b)}"


def article(noun: str) -> str:
    """'An' before a vowel sound ('An area'), else 'A' ('A team')."""
    return "An" if noun[:1].lower() in "aeiou" else "A"


def signed(x: float, ndigits: int = 1) -> str:
    """'+5.9', '−4.6', '0.0' (percentage points, half-up).

    >>> signed(5.94), signed(-4.55), signed(0.04)
    ('+5.9', '−4.6', '0.0')
    """
    value = round_half_up(x, ndigits)
    if value == 0:
        return f"{0:.{ndigits}f}"
    text = f"{abs(value):.{ndigits}f}"
    return f"+{text}" if value > 0 else f"{MINUS}{text}"


def interval(low: float, high: float, ndigits: int = 1) -> str:
    """A confidence interval that never breaks across lines: '−0.6 to +12.6'."""
    return f"{signed(low, ndigits)}\u00a0to\u00a0{signed(high, ndigits)}"


def p_cell(p: float) -> str:
    """A p-value for a table cell: '0.075', '< 0.001'."""
    return wording.format_p(p).removeprefix("p = ").replace("p < ", "< ")
