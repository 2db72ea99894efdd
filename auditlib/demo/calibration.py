"""The demo programme's settings and its calibration to the seed report's published figures."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from auditlib.data import schema
from auditlib.errors import AuditlibError

DEFAULT_SEED = 2018
START_MONTH = "2018-11"
COMPLIANCE_FROM_MONTH = "2018-12"
FIRST_REAUDIT_MONTH = "2019-03"
REPORT_MONTH = "2020-09"
#: The day the (imaginary) export was taken: nothing is completed after it.
EXTRACT_DATE = "2020-10-05"
#: The seed's programme-to-date figures (docs/demo-data.md), which the calibration must hit.
PROGRAMME_ALLOCATED = 1632
PROGRAMME_COMPLETED = 1298
REAUDITS_ALLOCATED = 456
REAUDITS_COMPLETED = 361
#: July and August 2019 were one round, allocated in July with eight weeks to complete.
COMBINED_ROUND = "2019-07"
MONTH_LABELS: Mapping[str, str] = {COMBINED_ROUND: "July/August 2019"}
#: (first month, last month, reason). December 2019 is absent from the seed
#: report: modelled as a month with no round (see docs/demo-data.md).
PAUSES: tuple[tuple[str, str, str], ...] = (
    ("2019-12", "2019-12", "No audit round in December 2019 (none was held over Christmas)"),
    ("2020-03", "2020-05", "COVID-19 stay-at-home order"),
)
#: Each month's practice-theme cohorts (keys of schema.COHORTS): most of the
#: month's audits are drawn from these.
THEMES: Mapping[str, tuple[str, ...]] = {
    "2019-02": ("cin",),
    "2019-05": ("under5_cp",),
    "2019-09": ("cse",),
    "2019-11": ("missing",),
    "2020-02": ("cp_sexual",),
    "2020-07": ("cin",),
    "2020-08": ("cin", "under5_cp", "cp_sexual"),
    "2020-09": ("missing", "cse"),
}
#: Feedback and reflections are written for at most this many copies of the
#: programme: text does not need to scale for benchmarks.
TEXT_COPIES_CAP = 3
DENYLIST_FILE = "names.txt"
#: First line of every programme.yml this module writes; write_programme only
#: overwrites folders that carry it, so it cannot clobber a council's own data.
MARKER = "# Synthetic audit programme written by auditlib.demo"

OUT, GOOD, RI, INAD, NR = schema.JUDGEMENT_LABELS  # Outstanding … Not recorded, in schema order
DOMAIN_KEYS = (
    "voice_of_child",
    "assessment",
    "planning",
    "management_oversight",
    "supervision",
    "recording",
)
DOMAIN_COLUMNS = tuple(schema.DOMAIN_PREFIX + key for key in DOMAIN_KEYS)
AUDIT_COLUMNS = (
    schema.AUDIT_ID,
    schema.CHILD_ID,
    schema.AUDIT_TYPE,
    schema.ORIGINAL_AUDIT_ID,
    schema.AUDIT_MONTH,
    schema.ALLOCATED_DATE,
    schema.DUE_DATE,
    schema.COMPLETED_DATE,
    schema.STATUS,
    schema.TEAM,
    schema.AREA,
    schema.SERVICE,
    schema.AUDITOR_ID,
    schema.SOCIAL_WORKER_ID,
    schema.OVERALL_JUDGEMENT,
    schema.MODERATED_JUDGEMENT,
    *DOMAIN_COLUMNS,
    schema.CIN,
    schema.CP_PLAN,
    schema.CP_CATEGORY,
    schema.AGE_AT_AUDIT,
    schema.CSE_RISK,
    schema.MISSING_EPISODES_6M,
)


# =============================================================== calibration
@dataclass(frozen=True)
class MonthPlan:
    """What one audit round must look like.

    ``published`` holds the seed's percentages, which the counts must round
    half-up to exactly; ``remainder`` names the label that takes the rest when
    the published labels sum to less than 99 %; ``soft`` gives target shares
    for labels the seed does not publish; ``fixed`` gives exact counts.
    ``allocated`` and ``completion`` are a plausible volume profile; the search
    moves completion so that the programme totals come out exactly.
    """

    month: str
    allocated: int
    completion: float
    exempt: int
    cancelled: int
    published: Mapping[str, int] = field(default_factory=dict)
    remainder: str | None = None
    soft: Mapping[str, float] = field(default_factory=dict)
    fixed: Mapping[str, int] = field(default_factory=dict)
    reaudits: int = 0
    reaudit_completion: float = 0.0
    reaudit_exempt: int = 0
    reaudit_cancelled: int = 0


def _pub(good: int, ri: int, inadequate: int) -> dict[str, int]:
    return {GOOD: good, RI: ri, INAD: inadequate}


#: One entry per month with an audit round, in order. The published splits are
#: the seed's "Overall Judgements" (Good / Requires Improvement / Inadequate).
MONTH_PLANS: tuple[MonthPlan, ...] = (
    MonthPlan("2018-11", 80, 0.88, 4, 1, _pub(1, 63, 17), remainder=NR),
    MonthPlan("2018-12", 88, 0.74, 5, 1, _pub(11, 60, 29)),
    MonthPlan("2019-01", 96, 0.76, 4, 2, _pub(15, 60, 25)),
    MonthPlan("2019-02", 92, 0.79, 6, 0, _pub(29, 51, 19)),
    MonthPlan(
        "2019-03",
        104,
        0.80,
        3,
        1,
        _pub(9, 67, 23),
        reaudits=24,
        reaudit_completion=0.75,
        reaudit_exempt=1,
    ),
    MonthPlan("2019-04", 98, 0.80, 5, 2, _pub(12, 65, 23), reaudits=28, reaudit_completion=0.78),
    MonthPlan(
        "2019-05",
        101,
        0.82,
        4,
        1,
        _pub(16, 70, 15),
        reaudits=30,
        reaudit_completion=0.80,
        reaudit_exempt=1,
    ),
    MonthPlan(
        "2019-06",
        95,
        0.80,
        6,
        1,
        _pub(5, 75, 20),
        reaudits=31,
        reaudit_completion=0.77,
        reaudit_cancelled=1,
    ),
    MonthPlan(
        "2019-07",
        110,
        0.84,
        7,
        2,
        _pub(13, 70, 17),
        reaudits=38,
        reaudit_completion=0.84,
        reaudit_exempt=2,
    ),
    MonthPlan("2019-09", 97, 0.79, 4, 1, _pub(8, 61, 31), reaudits=33, reaudit_completion=0.79),
    MonthPlan(
        "2019-10",
        102,
        0.83,
        5,
        0,
        _pub(22, 61, 17),
        reaudits=34,
        reaudit_completion=0.82,
        reaudit_exempt=1,
    ),
    MonthPlan(
        "2019-11",
        94,
        0.80,
        3,
        2,
        _pub(23, 52, 15),
        remainder=NR,
        reaudits=32,
        reaudit_completion=0.81,
    ),
    MonthPlan(
        "2020-01",
        99,
        0.82,
        5,
        1,
        _pub(28, 58, 14),
        reaudits=33,
        reaudit_completion=0.82,
        reaudit_exempt=1,
    ),
    MonthPlan(
        "2020-02",
        96,
        0.72,
        6,
        3,
        _pub(26, 50, 24),
        reaudits=31,
        reaudit_completion=0.70,
        reaudit_cancelled=2,
    ),
    MonthPlan(
        "2020-06",
        84,
        0.80,
        7,
        1,
        soft={GOOD: 24, RI: 56, INAD: 20},
        reaudits=30,
        reaudit_completion=0.80,
        reaudit_exempt=2,
    ),
    MonthPlan(
        "2020-07",
        90,
        0.83,
        4,
        1,
        soft={GOOD: 27, RI: 55, INAD: 17},
        fixed={OUT: 1, NR: 1},
        reaudits=34,
        reaudit_completion=0.83,
    ),
    MonthPlan(
        "2020-08",
        93,
        0.85,
        5,
        0,
        {INAD: 15},
        soft={GOOD: 25, RI: 60},
        fixed={NR: 1},
        reaudits=36,
        reaudit_completion=0.84,
        reaudit_exempt=1,
    ),
    MonthPlan(
        "2020-09",
        93,
        0.66,
        3,
        1,
        {INAD: 7},
        soft={GOOD: 33, RI: 60},
        fixed={OUT: 1},
        reaudits=42,
        reaudit_completion=0.66,
        reaudit_exempt=1,
    ),
)
#: Share of a month's not-yet-completed audits whose status is ``extension``.
EXTENSION_SHARE = 0.2


def round_half_up_pct(part: int, whole: int) -> int:
    """100 × part / whole rounded half-up, in exact integer arithmetic.

    >>> round_half_up_pct(1, 8), round_half_up_pct(5, 200), round_half_up_pct(2, 3)
    (13, 3, 67)
    """
    return (200 * part + whole) // (2 * whole)


def list_counts_rounding_to(pct: int, whole: int) -> range:
    """Every count k (0 ≤ k ≤ whole) with ``round_half_up_pct(k, whole) == pct``.

    >>> list(list_counts_rounding_to(17, 81))
    [14]
    >>> list(list_counts_rounding_to(50, 3))
    []
    """
    # 200k + n >= 2n·pct  and  200k + n < 2n·(pct + 1)
    low = max(0, -(-(2 * whole * pct - whole) // 200))
    high = min(whole, -(-(2 * whole * (pct + 1) - whole) // 200) - 1)
    return range(low, high + 1)


def split_largest_remainder(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """Split ``total`` in proportion to ``weights``, rounding by largest remainder.

    >>> split_largest_remainder(10, {"a": 1, "b": 1, "c": 1})
    {'a': 4, 'b': 3, 'c': 3}
    """
    weight_sum = sum(weights.values())
    exact = {k: total * w / weight_sum for k, w in weights.items()}
    counts = {k: math.floor(v) for k, v in exact.items()}
    short = total - sum(counts.values())
    # ties go to the label listed first, so the split is deterministic
    order = sorted(exact, key=lambda k: (-(exact[k] - counts[k]), list(weights).index(k)))
    for k in order[:short]:
        counts[k] += 1
    return counts


def find_judgement_counts(plan: MonthPlan, completed: int) -> dict[str, int] | None:
    """Counts per judgement label for ``completed`` audits that reproduce ``plan``, or None.

    Every combination of counts that rounds half-up to the published
    percentages is tried; the one closest to the published values wins (ties:
    the first found), so the result is deterministic.

    >>> find_judgement_counts(MONTH_PLANS[0], 70)
    {'Outstanding': 0, 'Good': 1, 'Requires Improvement': 44, 'Inadequate': 12, 'Not recorded': 13}
    """
    labels = list(plan.published)
    candidates = [list_counts_rounding_to(plan.published[k], completed) for k in labels]
    best: tuple[float, dict[str, int]] | None = None
    for combo in itertools.product(*candidates):
        counts = dict.fromkeys(schema.JUDGEMENT_LABELS, 0)
        counts.update(plan.fixed)
        counts.update(zip(labels, combo, strict=True))
        rest = completed - sum(counts.values())
        if rest < 0:
            continue
        if plan.remainder:
            if rest == 0:
                continue
            counts[plan.remainder] += rest
        elif plan.soft:
            for label, n in split_largest_remainder(rest, plan.soft).items():
                counts[label] += n
        elif rest:
            continue
        # a label published as a whole month must not gain an unpublished neighbour
        distance = sum(abs(100 * counts[k] / completed - plan.published[k]) for k in labels)
        if best is None or distance < best[0]:
            best = (distance, counts)
    return None if best is None else best[1]


def choose_counts_with_total(
    targets: Sequence[float], feasible: Sequence[Sequence[int]], total: int
) -> list[int]:
    """One count per month from ``feasible`` summing to ``total``, closest to ``targets``.

    Exact dynamic programme minimising the sum of squared distances to the
    targets; ties keep the earliest candidate, so it is deterministic.

    >>> choose_counts_with_total([10, 10], [[8, 9, 12], [9, 11]], 20)
    [9, 11]
    """
    inf = math.inf
    cost = np.full(total + 1, inf)
    cost[0] = 0.0
    picks: list[np.ndarray] = []
    for target, options in zip(targets, feasible, strict=True):
        new = np.full(total + 1, inf)
        pick = np.full(total + 1, -1)
        for n in options:
            if n > total:
                continue
            candidate = np.full(total + 1, inf)
            candidate[n:] = cost[: total + 1 - n] + (n - target) ** 2
            better = candidate < new
            new[better] = candidate[better]
            pick[better] = n
        cost = new
        picks.append(pick)
    if not np.isfinite(cost[total]):
        raise AuditlibError(f"no combination of feasible monthly counts adds up to {total}")
    chosen, remaining = [], total
    for pick in reversed(picks):
        n = int(pick[remaining])
        chosen.append(n)
        remaining -= n
    return chosen[::-1]


@cache
def build_calibration() -> pd.DataFrame:
    """The calibrated counts of one copy of the programme, one row per audit round.

    Columns: ``allocated``, ``completed``, ``extension``, ``open`` (allocated,
    not completed, no extension), ``exempt``, ``cancelled``, one column per
    judgement label (completed audits by final judgement), and the same
    ``reaudit_*`` counts. Independent of the seed.
    """
    in_window = [p.month >= COMPLIANCE_FROM_MONTH for p in MONTH_PLANS]

    def plausible(plan: MonthPlan) -> list[int]:
        low = math.ceil(0.6 * plan.allocated)
        return [n for n in range(low, plan.allocated + 1) if find_judgement_counts(plan, n)]

    def completion_targets(volumes: list[int], rates: list[float], total: int) -> list[float]:
        raw = [v * r for v, r in zip(volumes, rates, strict=True)]
        return [r * total / sum(raw) for r in raw]

    window = [p for p, w in zip(MONTH_PLANS, in_window, strict=True) if w]
    if sum(p.allocated for p in window) != PROGRAMME_ALLOCATED:
        raise AuditlibError("MONTH_PLANS allocations do not add up to the programme total")
    completed = dict(
        zip(
            (p.month for p in window),
            choose_counts_with_total(
                completion_targets(
                    [p.allocated for p in window],
                    [p.completion for p in window],
                    PROGRAMME_COMPLETED,
                ),
                [plausible(p) for p in window],
                PROGRAMME_COMPLETED,
            ),
            strict=True,
        )
    )
    for plan in MONTH_PLANS:
        if plan.month not in completed:  # before the compliance window: nearest feasible
            target = plan.allocated * plan.completion
            completed[plan.month] = min(plausible(plan), key=lambda n: (abs(n - target), n))

    reaudit_plans = [p for p in MONTH_PLANS if p.reaudits]
    if sum(p.reaudits for p in reaudit_plans) != REAUDITS_ALLOCATED:
        raise AuditlibError("MONTH_PLANS re-audits do not add up to the programme total")
    reaudit_completed = dict(
        zip(
            (p.month for p in reaudit_plans),
            choose_counts_with_total(
                completion_targets(
                    [p.reaudits for p in reaudit_plans],
                    [p.reaudit_completion for p in reaudit_plans],
                    REAUDITS_COMPLETED,
                ),
                [range(math.ceil(0.6 * p.reaudits), p.reaudits + 1) for p in reaudit_plans],
                REAUDITS_COMPLETED,
            ),
            strict=True,
        )
    )

    rows = []
    for plan in MONTH_PLANS:
        n = completed[plan.month]
        not_done = plan.allocated - n
        extension = math.floor(EXTENSION_SHARE * not_done + 0.5)
        rn = reaudit_completed.get(plan.month, 0)
        r_not_done = plan.reaudits - rn
        r_extension = math.floor(EXTENSION_SHARE * r_not_done + 0.5)
        rows.append(
            {
                schema.AUDIT_MONTH: plan.month,
                "allocated": plan.allocated,
                "completed": n,
                "extension": extension,
                "open": not_done - extension,
                "exempt": plan.exempt,
                "cancelled": plan.cancelled,
                **find_judgement_counts(plan, n),
                "reaudit_allocated": plan.reaudits,
                "reaudit_completed": rn,
                "reaudit_extension": r_extension,
                "reaudit_open": r_not_done - r_extension,
                "reaudit_exempt": plan.reaudit_exempt,
                "reaudit_cancelled": plan.reaudit_cancelled,
            }
        )
    return pd.DataFrame(rows).set_index(schema.AUDIT_MONTH)
