"""Data-quality signals no single cell shows: a month whose judgements jump far beyond
the programme's history.

A renamed judgement column, a label mapped to the wrong grade or a new system that
leaves the grade blank each show as one category — usually *Not recorded* — rising
far above what earlier months had. The rule, for each month, each judgement category
(Outstanding … Not recorded) and completed audits of type ``audit``:

- the history is the :data:`HISTORY_MONTHS` most recent earlier months with completed
  audits; a month is checked once the history has :data:`MIN_HISTORY_MONTHS` months and
  :data:`MIN_HISTORY_AUDITS` completed audits;
- the expected share is the history's pooled share, as (count + 1) / (completed + 2) so
  that a category never seen before still has a small chance rather than none;
- the month is a jump when both (a) were the expected share true, a count at least as
  high would happen with probability below :data:`JUMP_TAIL` (binomial upper tail) —
  the chance of a point beyond a p-chart's 3-sigma upper limit, computed exactly rather
  than by the normal approximation, which is poor for small shares — and (b) the share
  is at least :data:`MIN_RISE_POINTS` percentage points above the expected one. (a)
  alone also flags real changes in practice (a themed month of stronger cases); a
  column or label problem moves a category much further (the case that prompted this
  check: Not recorded from 2 % to 84 %).

Jumps are warnings: the data are kept, and ``validate`` and the report's data-quality
section say what was found.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

from auditlib.data import schema
from auditlib.data.programme import PROGRAMME_FILE
from auditlib.errors import Problem
from auditlib.lazy import LazyModule

stats = LazyModule("scipy.stats")

#: Earlier months a month is compared with (the most recent ones with completed audits).
HISTORY_MONTHS = 12
#: A month is checked only once the history has this many months ...
MIN_HISTORY_MONTHS = 3
#: ... and this many completed audits.
MIN_HISTORY_AUDITS = 30
#: Upper-tail probability below which a month's count is a jump: 0.00135 is the normal
#: distribution's tail beyond 3 sigma, the p-chart's upper control limit.
JUMP_TAIL = 0.00135
#: ... and the share at least this many percentage points above the expected one.
MIN_RISE_POINTS = 25


@dataclass(frozen=True)
class JudgementJump:
    """One month whose share of one judgement is far beyond the programme's history."""

    month: str
    judgement: str
    count: int
    completed: int
    #: the expected share (0–1) from the history, and the history it comes from
    expected_share: float
    history_first: str
    history_last: str
    history_completed: int
    #: the chance of a count at least this high were the expected share true
    tail_probability: float

    @property
    def share(self) -> float:
        """The month's share of the category, 0–1."""
        return self.count / self.completed

    def describe(self) -> str:
        """The warning in words, with the likely cause.

        >>> JudgementJump("2022-01", "Not recorded", 42, 50, 0.02, "2021-01", "2021-12", 600, 1e-40).describe()[:91]
        '2022-01: 42 of 50 completed audits (84%) are Not recorded, against 2% in 2021-01 to 2021-12'
        """
        # Shares as the report rounds them, from the exact fractions.
        shares = {"share": _percent(self.share), "expected_share": _percent(self.expected_share)}
        return describe_jump({**self.as_dict(described=False), **shares})

    def as_problem(self, file: str, column: str = schema.OVERALL_JUDGEMENT) -> Problem:
        """The jump as a warning on the audits file (no row: it is about a whole month)."""
        return Problem(file, None, column, self.month, self.describe(), "warning")

    def as_dict(self, described: bool = True) -> dict[str, Any]:
        """Plain figures for figures.json: counts, shares (percent, unrounded) and the test
        (with the warning in words unless ``described`` is false)."""
        fields = {
            "month": self.month,
            "judgement": self.judgement,
            "count": self.count,
            "completed": self.completed,
            "share": 100 * self.share,
            "expected_share": 100 * self.expected_share,
            "history": [self.history_first, self.history_last],
            "history_completed": self.history_completed,
            "tail_probability": self.tail_probability,
        }
        return {**fields, "description": describe_jump(fields)} if described else fields


def describe_jump(jump: dict[str, Any]) -> str:
    """A jump's warning in words from its figures (:meth:`JudgementJump.as_dict`), any of
    which may be a disclosure symbol (``"[c]"``): a hidden count hides its share too, and a
    hidden count or expected share hides the chance (it would give the count back).

    >>> describe_jump({"month": "2022-01", "judgement": "Good", "count": "[c]", "completed": 9,
    ...     "share": "[c]", "expected_share": 30.0, "history": ["2021-01", "2021-12"],
    ...     "history_completed": 90, "tail_probability": "[c]"}).split(" — ")[0]
    '2022-01: [c] of 9 completed audits ([c]) are Good, against 30% in 2021-01 to 2021-12 (90 completed)'
    """
    first, last = jump["history"]
    text = (
        f"{jump['month']}: {jump['count']} of {jump['completed']} completed audits "
        f"({_shown_percent(jump['share'])}) are {jump['judgement']}, against "
        f"{_shown_percent(jump['expected_share'])} in {first} to {last} "
        f"({jump['history_completed']} completed) — far beyond the programme's history"
    )
    tail = jump["tail_probability"]
    if isinstance(tail, float | int):
        text += f" (chance {_chance(tail)} were nothing to have changed)"
    if jump["judgement"] == schema.NOT_RECORDED:
        return text + (
            "; is the judgement column still mapped (renamed in the export?), or are "
            "grades left blank?"
        )
    return text + f"; check the labels mapped under 'labels:' in {PROGRAMME_FILE}"


def _shown_percent(percent: Any) -> str:
    """A percentage (0–100) rounded half-up to a whole number; text (a share already
    written, or a disclosure symbol) as it is."""
    if isinstance(percent, str):
        return percent
    return f"{Decimal(repr(percent)).quantize(Decimal(1), ROUND_HALF_UP)}%"


def judgement_counts(audits: pd.DataFrame) -> pd.DataFrame:
    """Completed audits (type audit) per month and final judgement: months × labels."""
    labels = list(schema.JUDGEMENT_LABELS)
    if audits.empty or schema.FINAL_JUDGEMENT not in audits:
        return pd.DataFrame(columns=labels, dtype="int64")
    # Counted by integer codes (a million rows): month codes × judgement codes.
    judgement = pd.Categorical(audits[schema.FINAL_JUDGEMENT], categories=labels).codes
    is_audit = (audits[schema.AUDIT_TYPE] == schema.AUDIT).to_numpy(dtype=bool, na_value=False)
    months, names = pd.factorize(audits[schema.AUDIT_MONTH])
    keep = is_audit & (judgement >= 0) & (months >= 0)
    counts = np.bincount(
        months[keep] * len(labels) + judgement[keep], minlength=len(names) * len(labels)
    ).reshape(len(names), len(labels))
    index = pd.Index([str(m) for m in names], name=schema.AUDIT_MONTH)
    table = pd.DataFrame(counts, index=index, columns=labels)
    return table.loc[table.sum(axis=1) > 0].sort_index().astype("int64")


def judgement_jumps(
    audits: pd.DataFrame, months: Iterable[str] | str | None = None
) -> list[JudgementJump]:
    """Every month (or only ``months``) whose share of a judgement jumps far beyond the
    programme's history, by the rule in this module's docstring; in month order."""
    counts = judgement_counts(audits)
    wanted = {months} if isinstance(months, str) else (set(months) if months is not None else None)
    jumps = []
    order = list(counts.index)
    for i, month in enumerate(order):
        if wanted is not None and month not in wanted:
            continue
        history = counts.iloc[max(0, i - HISTORY_MONTHS) : i]
        history_completed = int(history.to_numpy().sum())
        if len(history) < MIN_HISTORY_MONTHS or history_completed < MIN_HISTORY_AUDITS:
            continue
        completed = int(counts.iloc[i].sum())
        for label in schema.JUDGEMENT_LABELS:
            count = int(counts.at[month, label])
            expected = (int(history[label].sum()) + 1) / (history_completed + 2)
            if 100 * (count / completed - expected) < MIN_RISE_POINTS:
                continue
            tail = float(stats.binom.sf(count - 1, completed, expected))
            if tail < JUMP_TAIL:
                jumps.append(
                    JudgementJump(
                        month,
                        label,
                        count,
                        completed,
                        expected,
                        str(history.index[0]),
                        str(history.index[-1]),
                        history_completed,
                        tail,
                    )
                )
    return jumps


def _percent(share: float) -> str:
    """A share (0–1) as a whole percentage, rounded half-up as the report rounds."""
    value = (Decimal(repr(share)) * 100).quantize(Decimal(1), ROUND_HALF_UP)
    return f"{value}%"


def _chance(probability: float) -> str:
    if probability < 1e-6:
        return "below one in a million"
    return f"about 1 in {int(np.round(1 / probability)):,}"
