"""What a report section may say under a disclosure profile, in one place for every report.

Sections never format a count or a share themselves: they ask a :class:`DisclosureView`,
which applies the profile (``[c]`` for a count of 1 to 5 when published, ``[low]`` for a
share of fewer than 10 when internal) and knows what the protected figures hide. A
sentence whose numbers rest on a hidden count loses them (:meth:`DisclosureView.disclose`).

:func:`hidden_trend` is the one mask of the monthly judgement trend: which figures of each
month the published figures.json hides. The trend table, the charts and every sentence
follow it, so no output can be used to work out a number another one suppresses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd

from auditlib.data import schema
from auditlib.disclosure.rules import (
    SHOWN,
    SUPPRESSED,
    DisclosureProfile,
    format_count,
    format_pct,
    hide_percentages,
    is_small,
)
from auditlib.disclosure.suppression import suppression_mask

#: The column of Outstanding + Good in a judgement count table.
GOOD_OR_BETTER: Final = "good_or_better"


@dataclass(frozen=True)
class DisclosureView:
    """Counts, shares and sentences as a report may show them under ``profile``."""

    profile: DisclosureProfile

    @property
    def suppresses(self) -> bool:
        return self.profile.suppresses

    @staticmethod
    def shown(value: Any) -> bool:
        """False for a value the protected figures hide (``[c]``)."""
        return not (isinstance(value, str) and value == SUPPRESSED)

    def count(self, n: int | str | None) -> str:
        """'1,298', or ``[c]`` (a hidden value passes through)."""
        return format_count(n, self.profile)

    def counted(self, n: int | str | None, one: str, many: str) -> str:
        """'1 audit was' / '3 audits were' / '[c] audits were' (a hidden count reads as plural)."""
        shown = self.count(n)
        return f"{shown} {one if shown == '1' else many}"

    def pct(self, k: int | str | None, n: int | str | None, shown: bool = True) -> str:
        """``k`` of ``n`` as a rounded percentage; ``[c]`` when it must not be shown."""
        return format_pct(k, n, self.profile) if shown else SUPPRESSED

    def reveals(self, counts: Iterable[int]) -> bool:
        """Under ``published``, would stating these counts (or shares of them) reveal 1 to 5?"""
        return self.suppresses and any(is_small(int(c)) for c in counts)

    def disclose(self, sentence: str, hidden: bool) -> str:
        """Under ``published``, a sentence resting on a hidden figure loses its percentages
        and any difference in percentage points."""
        if self.suppresses and hidden:
            return hide_percentages(sentence)
        return sentence


def with_good_or_better(table: pd.DataFrame) -> pd.DataFrame:
    """A judgement count table with its ``good_or_better`` column (Outstanding + Good), which
    disclosure control protects together with the labels it sums."""
    return table.assign(**{GOOD_OR_BETTER: table[schema.OUTSTANDING] + table[schema.GOOD]})


def trend_mask(trend: pd.DataFrame, profile: DisclosureProfile) -> pd.DataFrame:
    """The trend table's own suppression (with its Good or better column)."""
    return suppression_mask(
        with_good_or_better(trend), profile, cells=list(schema.JUDGEMENT_LABELS)
    )


def hidden_trend(
    trend: pd.DataFrame,
    profile: DisclosureProfile,
    published: Mapping[str, Any],
    month: str,
) -> pd.DataFrame:
    """Which judgement figures of each trend month the report hides (True = suppressed).

    Indexed like ``trend``; columns: the judgement labels, ``completed`` and
    ``good_or_better``. Read from the protected figures (``published``, what figures.json
    holds, whose report month is ``month``), so every table, chart and sentence hides
    exactly what figures.json hides. All False under the ``internal`` profile.
    """
    columns = [*schema.JUDGEMENT_LABELS, schema.COMPLETED, GOOD_OR_BETTER]
    hidden = pd.DataFrame(False, index=trend.index, columns=columns)
    if not profile.suppresses:
        return hidden
    entries = {e["month"]: e for e in published["trend"]}
    for row in hidden.index:
        entry = entries.get(row)
        if entry is None:
            continue
        values = dict(entry.get("judgements") or {})
        values[schema.COMPLETED] = entry.get(schema.COMPLETED)
        values[GOOD_OR_BETTER] = entry.get(GOOD_OR_BETTER)
        if row == month:
            # The month's own section of figures.json must agree too.
            own = published["month"]
            for label, value in own["judgements"].items():
                values[label] = SUPPRESSED if value == SUPPRESSED else values[label]
            for key in (schema.COMPLETED, GOOD_OR_BETTER):
                if own.get(key) == SUPPRESSED:
                    values[key] = SUPPRESSED
        for column in columns:
            hidden.at[row, column] = values.get(column) == SUPPRESSED
    # The trend table's own protection (with its Good or better column) too: the two agree
    # (the published-profile tests check the reports), and should they not, hiding both
    # keeps the table safe on its own.
    own_mask = trend_mask(trend, profile).reindex(columns=columns, fill_value=SHOWN) != SHOWN
    hidden |= own_mask
    hidden.loc[hidden[schema.COMPLETED], columns] = True
    return hidden
