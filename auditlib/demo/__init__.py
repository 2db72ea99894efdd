"""The embedded synthetic audit programme (DESIGN.md §6).

``data/demo/`` is what :func:`write_programme` writes with the default seed:
no real child, worker or council, deterministic from a seed, and calibrated so
that every figure the seed report publishes comes out exactly as published
when computed with the definitions of DESIGN.md §3.

Two layers:

- **The calibration** (:func:`build_calibration`) fixes, for every month, how
  many audits were allocated, completed, open, exempt and cancelled, and how
  many completed audits got each final judgement. It is found by an exhaustive
  search over the counts that round half-up to the published percentages, then
  a small dynamic programme that picks one feasible count per month so that the
  months add up to the published programme totals. It does not depend on the
  seed: every seed and every scale reproduces the seed report.
- **The rows** (:func:`generate_programme`): dates, teams, ids, cohorts,
  moderation, domain judgements, re-audit links and free text are drawn from a
  ``numpy`` Generator seeded by ``seed``; everything is vectorised so that
  ``scale=600`` (about 1.4 million audit rows) takes seconds.

How it is built and calibrated: ``docs/demo-data.md``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from auditlib.data import schema
from auditlib.errors import AuditlibError

DEFAULT_SEED = 2018
START_MONTH = "2018-11"
COMPLIANCE_FROM_MONTH = "2018-12"
FIRST_REAUDIT_MONTH = "2019-03"
REPORT_MONTH = "2020-09"
#: The day the (imaginary) export was taken: nothing is completed after it.
EXTRACT_DATE = "2020-10-05"
#: The seed's programme-to-date figures (DESIGN.md §6), which the calibration must hit.
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


# =================================================================== places
#: (team, area, service). Copies made by ``scale`` get their own areas.
TEAMS: tuple[tuple[str, str, str], ...] = (
    ("Assessment Team North East", "North East", "Assessment Service"),
    ("Assessment Team North West", "North West", "Assessment Service"),
    ("Assessment Team South East", "South East", "Assessment Service"),
    ("Assessment Team South West", "South West", "Assessment Service"),
    ("Family Safeguarding Team 1", "North East", "Family Safeguarding Service"),
    ("Family Safeguarding Team 2", "North East", "Family Safeguarding Service"),
    ("Family Safeguarding Team 3", "North West", "Family Safeguarding Service"),
    ("Family Safeguarding Team 4", "North West", "Family Safeguarding Service"),
    ("Family Safeguarding Team 5", "South East", "Family Safeguarding Service"),
    ("Family Safeguarding Team 6", "South East", "Family Safeguarding Service"),
    ("Family Safeguarding Team 7", "South West", "Family Safeguarding Service"),
    ("Family Safeguarding Team 8", "South West", "Family Safeguarding Service"),
    ("Looked After Children Team North", "North West", "Corporate Parenting Service"),
    ("Looked After Children Team East", "North East", "Corporate Parenting Service"),
    ("Looked After Children Team South", "South West", "Corporate Parenting Service"),
    ("Children with Disabilities", "South East", "Corporate Parenting Service"),
    ("Care Leavers and 16+ Team", "South East", "Corporate Parenting Service"),
)
#: How likely each kind of team is to hold a case of each legal status (cin, cp, other).
_TEAM_WEIGHTS_BY_STATUS = np.array(
    [
        [1.0, 0.25, 0.8],  # assessment
        [0.6, 1.0, 0.08],  # family safeguarding
        [0.0, 0.0, 1.0],  # looked after children
        [0.5, 0.1, 0.3],  # children with disabilities
        [0.0, 0.0, 0.6],  # care leavers
    ]
)
_TEAM_KIND = np.array([0] * 4 + [1] * 8 + [2] * 3 + [3, 4])
AUDITORS_PER_COPY = 24
WORKERS_PER_TEAM = 10


def _team_tables(scale: int) -> tuple[list[str], list[str], list[str]]:
    """Team spellings, areas and services for every copy.

    Team ``i`` is spelled ``spellings[5 * i]``; ``spellings[5 * i + 1 … 4]`` are
    the stray case and space variants real exports carry.
    """
    spellings, areas, services = [], [], []
    for copy in range(scale):
        suffix = "" if copy == 0 else f" (Region {copy + 1})"
        for team, area, service in TEAMS:
            name = team + suffix
            words = name.split(" ")
            spellings += [
                name,
                name.lower(),
                " ".join(words[:2]) + "  " + " ".join(words[2:]),
                name + " ",
                " ".join(w.lower() if w == "Team" else w for w in words) + " ",
            ]
            areas.append(area + suffix)
            services.append(service)
    return spellings, areas, services


# ================================================================ skeleton
@dataclass(frozen=True)
class _Skeleton:
    """One copy of the programme as codes: one entry per audit row."""

    month: np.ndarray  # index into MONTH_PLANS
    reaudit: np.ndarray  # bool
    status: np.ndarray  # index into schema.STATUSES
    final: np.ndarray  # index into schema.JUDGEMENT_LABELS; -1 none yet (re-audits: drawn later)


@cache
def _build_skeleton() -> _Skeleton:
    cal = build_calibration()
    month, reaudit, status, final = [], [], [], []

    def add(m: int, is_re: bool, st: str, n: int, judgement: int = -1) -> None:
        month.extend([m] * n)
        reaudit.extend([is_re] * n)
        status.extend([schema.STATUSES.index(st)] * n)
        final.extend([judgement] * n)

    for m, (_, row) in enumerate(cal.iterrows()):
        for j, label in enumerate(schema.JUDGEMENT_LABELS):
            add(m, False, schema.COMPLETED, int(row[label]), j)
        for prefix, is_re in (("", False), ("reaudit_", True)):
            if is_re:
                add(m, True, schema.COMPLETED, int(row["reaudit_completed"]))
            add(m, is_re, schema.EXTENSION, int(row[prefix + "extension"]))
            add(m, is_re, schema.ALLOCATED, int(row[prefix + "open"]))
            add(m, is_re, schema.EXEMPT, int(row[prefix + "exempt"]))
            add(m, is_re, schema.CANCELLED, int(row[prefix + "cancelled"]))
    return _Skeleton(
        np.array(month), np.array(reaudit, dtype=bool), np.array(status), np.array(final)
    )


def _month_number(month: str) -> int:
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


# ================================================================== cohorts
_LEGAL = ("cin", "cp", "other")
_LEGAL_P = (0.42, 0.35, 0.23)
#: Age band (0–4, 5–10, 11–17) by legal status.
_AGE_BANDS = ((0, 5), (5, 11), (11, 18))
_AGE_P = {"cin": (0.25, 0.35, 0.40), "cp": (0.38, 0.32, 0.30), "other": (0.12, 0.28, 0.60)}
_CP_CATEGORY_P = {
    "neglect": 0.44,
    "emotional": 0.34,
    "physical": 0.09,
    "sexual": 0.05,
    "multiple": 0.08,
}
_CSE_LEVEL_P = (0.5, 0.33, 0.17)  # emerging, experiencing, significant
#: Share of a themed month's audits drawn from its theme cohorts.
THEME_SHARE = 0.8


def _draw_cohorts(rng: np.random.Generator, month: np.ndarray) -> dict[str, np.ndarray]:
    """Legal status, age, CP category, CSE risk and missing episodes, themed by month."""
    n = len(month)
    legal = rng.choice(3, size=n, p=_LEGAL_P)
    age = np.empty(n, dtype=np.int64)
    u_band = rng.random(n)
    u_age = rng.random(n)
    for code, name in enumerate(_LEGAL):
        rows = legal == code
        band = np.searchsorted(np.cumsum(_AGE_P[name]), u_band[rows], side="right").clip(0, 2)
        low = np.array([b[0] for b in _AGE_BANDS])[band]
        high = np.array([b[1] for b in _AGE_BANDS])[band]
        age[rows] = low + (u_age[rows] * (high - low)).astype(np.int64)
    category = rng.choice(len(_CP_CATEGORY_P), size=n, p=list(_CP_CATEGORY_P.values()))
    looked_after = legal == 2
    at_risk = (age >= 10) & (rng.random(n) < np.where(looked_after, 0.2, 0.09))
    missing_p = np.where(at_risk, 0.45, np.where(looked_after, 0.2, 0.08))
    missing = np.where((age >= 11) & (rng.random(n) < missing_p), 1 + rng.poisson(1.3, n), 0)
    cse_level = 1 + rng.choice(3, size=n, p=_CSE_LEVEL_P)
    cse = np.where(at_risk, cse_level, 0)

    # themed months: most audits come from the month's cohort(s)
    plan_months = [p.month for p in MONTH_PLANS]
    u_theme, pick = rng.random(n), rng.random(n)
    young, teen = rng.integers(0, 5, n), rng.integers(12, 18, n)
    older = rng.integers(3, 18, n)
    extra_missing, extra_cse = 1 + rng.poisson(1.6, n), rng.random(n)
    non_sexual = rng.choice([0, 1, 2, 4], size=n, p=[0.5, 0.35, 0.08, 0.07])
    for month_code, key in enumerate(plan_months):
        themes = THEMES.get(key)
        if not themes:
            continue
        rows = (month == month_code) & (u_theme < THEME_SHARE)
        which = (pick * len(themes)).astype(np.int64)
        for t, theme in enumerate(themes):
            r = rows & (which == t)
            if theme == "cin":
                legal[r] = 0
            elif theme == "under5_cp":
                legal[r], age[r], category[r] = 1, young[r], non_sexual[r]
                cse[r], missing[r] = 0, 0
            elif theme == "cp_sexual":
                legal[r], age[r], category[r] = 1, older[r], 3
            elif theme in ("cse", "missing", "missing_cse"):
                age[r] = teen[r]
                wants_cse = theme != "missing" or extra_cse[r] < 0.4
                wants_missing = theme != "cse" or extra_cse[r] < 0.45
                cse[r] = np.where(wants_cse, np.maximum(cse[r], cse_level[r]), cse[r])
                missing[r] = np.where(
                    wants_missing, np.maximum(missing[r], extra_missing[r]), missing[r]
                )
    # a theme may have changed a child's age: keep exploitation and missing to older children
    cse[age < 10] = 0
    missing[age < 11] = 0
    return {"legal": legal, "age": age, "category": category, "cse": cse, "missing": missing}


# =============================================================== judgements
#: Domain leanings: (chance one grade better, chance one grade worse) than the final.
_DOMAIN_LEANING = {
    "voice_of_child": (0.22, 0.12),
    "assessment": (0.17, 0.17),
    "planning": (0.14, 0.20),
    "management_oversight": (0.08, 0.28),
    "supervision": (0.07, 0.30),
    "recording": (0.12, 0.22),
}
NOT_MODERATED_SHARE = 0.20
MODERATION_CHANGED_SHARE = 0.12  # of completed audits with a judgement
MODERATED_DOWN_SHARE = 0.65  # of changed ones: the auditor had been more generous


def _draw_moderation(rng: np.random.Generator, final: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Overall and moderated label codes (-1 = blank) that give ``final`` as the final judgement."""
    n = len(final)
    judged = (final >= 0) & (final <= 3)
    u = rng.random(n)
    moderated = np.where(judged & (u >= NOT_MODERATED_SHARE), final, -1)
    changed = (
        judged & (u >= NOT_MODERATED_SHARE) & (u < NOT_MODERATED_SHARE + MODERATION_CHANGED_SHARE)
    )
    down = rng.random(n) < MODERATED_DOWN_SHARE
    # moderated down: the overall was one grade better (a lower code), unless already the best
    shift = np.where(down, -1, 1)
    shift = np.where(final == 0, 1, np.where(final == 3, -1, shift))
    overall = np.where(changed, final + shift, np.where(judged, final, -1))
    return overall, moderated


def _draw_domains(
    rng: np.random.Generator, final: np.ndarray, completed: np.ndarray
) -> dict[str, np.ndarray]:
    """Domain judgement codes correlated with the final judgement (-1 = blank)."""
    n = len(final)
    judged = (final >= 0) & (final <= 3)
    # a completed audit with no overall judgement usually still has its domains
    base_unjudged = rng.choice([1, 2, 3], size=n, p=[0.2, 0.6, 0.2])
    base = np.where(judged, final, base_unjudged)
    has_domains = completed & (judged | (rng.random(n) < 0.7))
    out = {}
    for key, (better, worse) in _DOMAIN_LEANING.items():
        u = rng.random(n)
        delta = np.where(u < better, -1, np.where(u < better + worse, 1, 0))
        code = np.clip(base + delta, 0, 3)
        blank_share = 0.06 if key == "supervision" else 0.01
        keep = has_domains & (rng.random(n) >= blank_share)
        out[schema.DOMAIN_PREFIX + key] = np.where(keep, code, -1)
    return out


# =============================================================== audit rows
#: Chance that a completed original audit of each final judgement (by label
#: code) is picked for re-audit: re-audits follow up weaker practice.
_REAUDIT_PICK_WEIGHT = np.array([0.0, 0.4, 2.5, 6.0, 0.0])
#: … and by months since the original (index = lag in months).
_REAUDIT_LAG_WEIGHT = np.array([0, 0, 0.7, 1.0, 0.9, 0.7, 0.5, 0.35, 0.25, 0.2])
#: Re-audit final judgement relative to the original: grades better (+) or worse (−).
_REAUDIT_CHANGE = {2: 0.05, 1: 0.42, 0: 0.42, -1: 0.11}
REAUDIT_NOT_RECORDED_SHARE = 0.02
TEAM_VARIANT_SHARE = 0.02
#: Multiplier of the affine permutation that turns a child's sequence number into an id
#: that looks random (coprime to 10, so the map is one-to-one).
_CHILD_ID_MULTIPLIER = 7_654_321


def _format_ids(prefix: str, numbers: np.ndarray, width: int) -> pd.Series:
    return prefix + pd.Series(numbers, dtype="int64").astype("str").str.zfill(width)


def _labels(codes: np.ndarray, labels: Sequence[str]) -> pd.Series:
    """``labels[code]`` per row, blank where the code is -1 (pyarrow take: fast at a million rows)."""
    codes = np.asarray(codes, dtype=np.int64)
    taken = pa.array(list(labels), type=pa.large_string()).take(pa.array(codes, mask=codes < 0))
    return pd.Series(taken, dtype="str")


def _link_reaudits(
    rng: np.random.Generator,
    skel: _Skeleton,
    scale: int,
    completed_date: np.ndarray,
) -> np.ndarray:
    """For every row, the row index of the original it re-audits (-1 for originals).

    Each copy's re-audits pick, month by month, completed originals from 2–9
    months earlier that were completed before the re-audit month began,
    favouring Inadequate and Requires Improvement and recent months (Gumbel
    top-k sampling, vectorised over copies); an original is re-audited once.
    """
    length = len(skel.month)
    month_numbers = np.array([_month_number(p.month) for p in MONTH_PLANS])
    orig_pos = np.flatnonzero(~skel.reaudit)
    orig_month = month_numbers[skel.month[orig_pos]]
    weight = _REAUDIT_PICK_WEIGHT[skel.final[orig_pos].clip(-1, 4)] * (skel.final[orig_pos] >= 0)
    done = completed_date.reshape(scale, length)[:, orig_pos]
    used = np.zeros((scale, len(orig_pos)), dtype=bool)
    link = np.full(scale * length, -1, dtype=np.int64)
    base = (np.arange(scale) * length)[:, None]
    for m, plan in enumerate(MONTH_PLANS):
        re_pos = np.flatnonzero(skel.reaudit & (skel.month == m))
        if not len(re_pos):
            continue
        lag = month_numbers[m] - orig_month
        lag_weight = np.where(
            (lag >= 0) & (lag < len(_REAUDIT_LAG_WEIGHT)),
            _REAUDIT_LAG_WEIGHT[lag.clip(0, len(_REAUDIT_LAG_WEIGHT) - 1)],
            0.0,
        )
        w = weight * lag_weight
        with np.errstate(divide="ignore"):
            key = np.log(w)[None, :] + rng.gumbel(size=used.shape)
        ok = (w > 0)[None, :] & ~used & (done < np.datetime64(plan.month + "-01"))
        key = np.where(ok, key, -np.inf)
        top = np.argpartition(-key, len(re_pos) - 1, axis=1)[:, : len(re_pos)]
        if not np.isfinite(np.take_along_axis(key, top, axis=1)).all():
            raise AuditlibError(f"not enough completed originals to re-audit in {plan.month}")
        used[np.arange(scale)[:, None], top] = True
        link[(base + re_pos[None, :]).ravel()] = (base + orig_pos[top]).ravel()
    return link


def generate_audits(seed: int = DEFAULT_SEED, scale: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    """The audits table (canonical columns, month order) and each row's copy number.

    ``scale`` copies of the calibrated programme, each with its own teams and
    areas and distinct ids, so every count is exactly ``scale`` times the
    seed's and every percentage is unchanged.
    """
    if not isinstance(scale, int | np.integer) or scale < 1:
        raise AuditlibError(f"scale must be a whole number of at least 1, got {scale!r}")
    rng = np.random.default_rng(seed)
    skel = _build_skeleton()
    length, n_teams = len(skel.month), len(TEAMS)
    rows = scale * length
    copy = np.repeat(np.arange(scale), length)
    month = np.tile(skel.month, scale)
    reaudit = np.tile(skel.reaudit, scale)
    status = np.tile(skel.status, scale)
    final = np.tile(skel.final, scale)
    is_completed = status == schema.STATUSES.index(schema.COMPLETED)
    combined = month == [p.month for p in MONTH_PLANS].index(COMBINED_ROUND)

    # ---- dates: allocated in the first working days of the month
    starts = np.array([np.datetime64(p.month + "-01", "D") for p in MONTH_PLANS])
    allocated = np.busday_offset(starts[month], rng.integers(0, 8, rows), roll="forward")
    due = allocated + np.where(combined, 56, 28).astype("timedelta64[D]")
    room = (np.datetime64(EXTRACT_DATE, "D") - allocated).astype(np.int64) - 1
    delay = 3 + rng.gamma(4.0, 5.5, rows) * np.where(combined, 1.8, 1.0)
    delay = np.where(delay > room, 1 + rng.random(rows) * (room - 1), delay).astype(np.int64)
    completed_date = np.where(
        is_completed, allocated + delay.astype("timedelta64[D]"), np.datetime64("NaT", "D")
    )

    # ---- the case: legal status and cohort fields; a re-audit's are its original's
    cohort = _draw_cohorts(rng, month)
    link = _link_reaudits(rng, skel, scale, completed_date)
    re_rows = np.flatnonzero(link >= 0)
    orig = link[re_rows]
    for key in ("legal", "category", "cse", "missing"):
        cohort[key][re_rows] = cohort[key][orig]
    month_numbers = np.array([_month_number(p.month) for p in MONTH_PLANS])
    lag_months = month_numbers[month[re_rows]] - month_numbers[month[orig]]
    older = cohort["age"][orig] + (rng.random(len(re_rows)) < lag_months / 12)
    cohort["age"][re_rows] = np.minimum(older, 17)

    # ---- team (by legal status) and workers; a re-audit mostly keeps its original's
    team_weights = _TEAM_WEIGHTS_BY_STATUS[_TEAM_KIND]
    team = np.empty(rows, dtype=np.int64)
    for code in range(len(_LEGAL)):
        r = cohort["legal"] == code
        p = team_weights[:, code] / team_weights[:, code].sum()
        team[r] = rng.choice(n_teams, size=int(r.sum()), p=p)
    team += copy * n_teams
    worker = team * WORKERS_PER_TEAM + rng.integers(0, WORKERS_PER_TEAM, rows)
    auditor = copy * AUDITORS_PER_COPY + rng.integers(0, AUDITORS_PER_COPY, rows)
    same_team = rng.random(len(re_rows)) < 0.9
    team[re_rows] = np.where(same_team, team[orig], team[re_rows])
    same_worker = same_team & (rng.random(len(re_rows)) < 0.6)
    worker[re_rows] = np.where(
        same_worker,
        worker[orig],
        team[re_rows] * WORKERS_PER_TEAM + worker[re_rows] % WORKERS_PER_TEAM,
    )
    done_re = re_rows[is_completed[re_rows]]
    orig_final = final[link[done_re]]
    change = rng.choice(list(_REAUDIT_CHANGE), size=len(done_re), p=list(_REAUDIT_CHANGE.values()))
    # improvement stops at Good; a Good case that improves may become Outstanding
    new_final = np.clip(orig_final - change, 1, 3)
    to_outstanding = (orig_final == 1) & (change > 0) & (rng.random(len(done_re)) < 0.3)
    new_final = np.where(to_outstanding, 0, new_final)
    final[done_re] = np.where(rng.random(len(done_re)) < REAUDIT_NOT_RECORDED_SHARE, 4, new_final)

    # ---- judgements: moderation and domains
    overall, moderated = _draw_moderation(rng, np.where(is_completed, final, -1))
    domains = _draw_domains(rng, np.where(is_completed, final, -1), is_completed)

    # ---- ids, then month order
    child = np.zeros(rows, dtype=np.int64)
    originals = np.flatnonzero(link < 0)
    modulus = 10 ** max(7, len(str(len(originals))) + 1)
    offset = int(rng.integers(modulus))
    child[originals] = (_CHILD_ID_MULTIPLIER * np.arange(len(originals)) + offset) % modulus
    child[re_rows] = child[orig]
    order = np.lexsort((rng.random(rows), allocated.astype(np.int64), month))
    position = np.empty(rows, dtype=np.int64)
    position[order] = np.arange(rows)
    id_width = max(7, len(str(rows)))

    spellings, areas, services = _team_tables(scale)
    variant = rng.random(rows) < TEAM_VARIANT_SHARE
    spelling = 5 * team + np.where(variant, rng.integers(1, 5, rows), 0)

    def sort(values: np.ndarray) -> np.ndarray:
        return values[order]

    original_number = np.where(link >= 0, position[link.clip(0)] + 1, 0)
    frame = pd.DataFrame(
        {
            schema.AUDIT_ID: _format_ids("A", np.arange(1, rows + 1), id_width),
            schema.CHILD_ID: _format_ids("C", sort(child), len(str(modulus - 1))),
            schema.AUDIT_TYPE: _labels(sort(reaudit).astype(np.int64), schema.AUDIT_TYPES),
            schema.ORIGINAL_AUDIT_ID: _format_ids("A", sort(original_number), id_width).where(
                sort(link >= 0)
            ),
            schema.AUDIT_MONTH: _labels(sort(month), [p.month for p in MONTH_PLANS]),
            schema.ALLOCATED_DATE: pd.to_datetime(sort(allocated)),
            schema.DUE_DATE: pd.to_datetime(sort(due)),
            schema.COMPLETED_DATE: pd.to_datetime(sort(completed_date)),
            schema.STATUS: _labels(sort(status), schema.STATUSES),
            schema.TEAM: _labels(sort(spelling), spellings),
            schema.AREA: _labels(sort(team), areas),
            schema.SERVICE: _labels(sort(team), services),
            schema.AUDITOR_ID: _format_ids(
                "TM", sort(auditor) + 1, max(3, len(str(scale * AUDITORS_PER_COPY)))
            ),
            schema.SOCIAL_WORKER_ID: _format_ids(
                "SW", sort(worker) + 1, max(4, len(str(scale * n_teams * WORKERS_PER_TEAM)))
            ),
            schema.OVERALL_JUDGEMENT: _labels(sort(overall), schema.JUDGEMENTS),
            schema.MODERATED_JUDGEMENT: _labels(sort(moderated), schema.JUDGEMENTS),
            **{
                column: _labels(sort(codes), schema.JUDGEMENTS) for column, codes in domains.items()
            },
            schema.CIN: sort(cohort["legal"] == 0),
            schema.CP_PLAN: sort(cohort["legal"] == 1),
            schema.CP_CATEGORY: _labels(
                sort(np.where(cohort["legal"] == 1, cohort["category"], -1)), schema.CP_CATEGORIES
            ),
            schema.AGE_AT_AUDIT: sort(cohort["age"]),
            schema.CSE_RISK: _labels(sort(cohort["cse"]), schema.CSE_RISKS),
            schema.MISSING_EPISODES_6M: sort(cohort["missing"]),
        }
    )
    return frame[list(AUDIT_COLUMNS)], sort(copy)


# ============================================================ planted identifiers
#: Personal names planted in free text (written to names.txt, the denylist).
PLANTED_NAMES = (
    "Okafor",
    "Tomasz",
    "Kowalski",
    "Demi",
    "Jayden",
    "Brennan",
    "Priya",
    "Haddad",
    "Amelia",
    "Callum",
)


def nhs_check_digit(first_nine: str) -> int | None:
    """The NHS number check digit (modulus 11) for nine digits; None if there is none.

    >>> nhs_check_digit("943476591")
    9
    """
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return 0 if check == 11 else None if check == 10 else check


def _test_nhs_number() -> str:
    """A valid-format NHS number from the 999 range reserved for testing."""
    for tail in range(100000, 1000000):
        digits = f"999{tail:06d}"
        check = nhs_check_digit(digits)
        if check is not None:
            number = digits + str(check)
            return f"{number[:3]} {number[3:6]} {number[6:]}"
    raise AssertionError("unreachable")


_NHS = _test_nhs_number()
#: (month, kind, source or question, text): identifiers planted in copy 0's free text
#: so that redaction can be shown working. Phone numbers are from Ofcom's ranges
#: for drama (01632 960xxx, 07700 900xxx); postcodes are valid in form but unused;
#: e-mail domains are reserved for examples (RFC 2606).
_PLANTS: tuple[tuple[str, str, str | int, str], ...] = (
    (
        "2019-03",
        "feedback:strength",
        "parent",
        "Mrs Okafor said the social worker always calls her back on 01632 960 123 and keeps her up to date with the plan.",
    ),
    (
        "2019-06",
        "feedback:improvement",
        "foster carer",
        "Foster carer Tomasz Kowalski said he would have benefited from more information about Demi at the start of "
        "placement, and asked for it to be sent to t.kowalski@example.org next time.",
    ),
    (
        "2019-10",
        "feedback:strength",
        "child/young person",
        "Jayden (DOB 03/04/2012) said his social worker listens to him and helped him stay at the same school.",
    ),
    (
        "2020-01",
        "feedback:improvement",
        "partner agency: health",
        "The health visitor said the family moved to KT99 9ZZ and the new address was not shared with health for three weeks.",
    ),
    (
        "2020-02",
        "feedback:improvement",
        "partner agency: education",
        "School asked for updates to come to the safeguarding inbox, dsl.office@example.com, or to 01632 960 987, "
        "as messages left for the social worker went unanswered.",
    ),
    (
        "2020-07",
        "feedback:improvement",
        "parent",
        "Mr Brennan said he had to keep chasing for updates and left messages on 07700 900 461 that were not returned.",
    ),
    (
        "2020-08",
        "feedback:strength",
        "partner agency: health",
        f"The school nurse said the social worker shared Priya's health plan promptly (NHS number {_NHS}) "
        "and invited her to every core group.",
    ),
    (
        "2019-04",
        "reflection",
        2,
        "Mother moved between refuges (last known postcode ZZ99 3CZ), which made regular visits hard to plan.",
    ),
    (
        "2019-11",
        "reflection",
        1,
        "Worked closely with Ms Haddad, the designated safeguarding lead, to keep Amelia's voice at the centre of the plan.",
    ),
    (
        "2020-06",
        "reflection",
        2,
        "The transfer was not clear: the family's new address (GU99 1ZZ) was not on LCS for weeks.",
    ),
    (
        "2020-09",
        "reflection",
        4,
        "I would give Callum (date of birth 21/11/2009) my direct line, 07700 900 782, from the start so that he "
        "does not have to go through the duty desk.",
    ),
)


def list_planted_identifiers() -> dict[str, tuple[str, ...]]:
    """Every identifier planted in the demo's free text, by kind.

    Redaction must remove every one of these; tests scan outputs for them.
    Each appears, exactly as written here, in feedback.csv or reflections.csv.
    """
    return {
        "name": PLANTED_NAMES,
        "email": ("t.kowalski@example.org", "dsl.office@example.com"),
        "phone": ("01632 960 123", "01632 960 987", "07700 900 461", "07700 900 782"),
        "postcode": ("KT99 9ZZ", "ZZ99 3CZ", "GU99 1ZZ"),
        "date_of_birth": ("03/04/2012", "21/11/2009"),
        "nhs_number": (_NHS,),
    }


# ================================================================= feedback
_PARENT, _CARER, _FOSTER, _CHILD, _EDU, _HEALTH, _POLICE, _OTHER = schema.FEEDBACK_SOURCES

#: (source, tag, phrasings). Tags let themes recur across months (_FEEDBACK_BOOSTS).
_STRENGTHS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        _PARENT,
        "relationship",
        (
            "Mother spoke positively about the social worker, saying she has an open and transparent relationship with him "
            "and that he is proactive in supporting the family.",
            "Father said the social worker is honest with him and he always knows where he stands.",
            "Mother said this is the first social worker she has trusted, because she is open with her about the concerns.",
        ),
    ),
    (
        _PARENT,
        "explains",
        (
            "Mother said the social worker is easy to work with, talks to her like an adult and spends time explaining "
            "the work so that she understands what is happening.",
            "Parents said the social worker explained the child protection process clearly and checked they understood the plan.",
        ),
    ),
    (
        _PARENT,
        "support",
        (
            "Mother felt she had the right support to end her relationship with a violent partner and can now focus on her "
            "child and her future.",
            "Mother was very complimentary about the social worker and the domestic abuse practitioner and is finding the "
            "sessions very helpful.",
            "Father praised the social worker for helping him find a nursery place and for attending the first visit with him.",
        ),
    ),
    (
        _PARENT,
        "communication_good",
        (
            "Father said the social worker always returns his calls and keeps him updated about the plan.",
            "Mother said she gets a text before every visit and a call afterwards, which helps her feel involved.",
        ),
    ),
    (
        _CARER,
        "relationship",
        (
            "Grandmother said the social worker took time to get to know the children and explained the plan clearly.",
            "Kinship carer said the social worker has been a constant for the family and visits when she says she will.",
        ),
    ),
    (
        _FOSTER,
        "relationship",
        (
            "Foster carer reported having a good relationship with the social worker, who she finds supportive.",
            "Foster carers said the social worker keeps them informed and involves them in planning for the child.",
        ),
    ),
    (
        _CHILD,
        "relationship",
        (
            "A young person said he had the best social worker in the world and was pleased with her commitment to his family.",
            "A young person said her social worker listens to her and does what she says she will do.",
            "A child told us their social worker is kind and helped them tell the judge what they wanted.",
        ),
    ),
    (
        _CHILD,
        "contact",
        (
            "A child and her father praised the social worker for enabling them to have contact again after many years "
            "and for supporting reunification.",
            "A young person said the social worker helped him see his brothers again, which was the most important thing to him.",
        ),
    ),
    (
        _EDU,
        "partnership",
        (
            "School reported good communication from the social worker, who attends every core group and shares minutes promptly.",
            "The designated safeguarding lead said the social worker's visits in school helped the child settle.",
        ),
    ),
    (
        _HEALTH,
        "partnership",
        (
            "The health visitor said the social worker shared information promptly and invited her to every meeting.",
            "CAMHS colleagues said joint visits with the social worker helped the young person engage.",
        ),
    ),
    (
        _POLICE,
        "missing_response",
        (
            "Police colleagues praised the social worker's quick response when the young person was reported missing.",
            "Police said the social worker's safety plan gave officers clear information when the young person went missing.",
        ),
    ),
    (
        _OTHER,
        "mentor",
        (
            "Extremely positive feedback from the child's mentor about the work undertaken by the social worker.",
            "The youth worker said the social worker made time to plan with her so the young person had one consistent message.",
        ),
    ),
)
_IMPROVEMENTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        _EDU,
        "communication",
        (
            "Education identified communication from the social worker as an area which could be improved.",
            "School said they were not told about changes to the plan until the core group.",
            "The school said it did not receive minutes of the child in need meeting.",
        ),
    ),
    (
        _FOSTER,
        "placement_information",
        (
            "A foster carer said they would have benefited from more information about the child at the start of placement.",
            "Foster carer said she did not have the child's health and school information until weeks into the placement.",
        ),
    ),
    (
        _CHILD,
        "changes_of_worker",
        (
            "One child told us he has had several different social workers and has to tell his story again each time.",
            "A young person said she did not know who her social worker was after her last one left.",
        ),
    ),
    (
        _PARENT,
        "chasing",
        (
            "Parent expressed frustration that the social worker did not respond and they had to chase for updates.",
            "Mother said she had to chase the social worker for updates and her calls were not returned.",
        ),
    ),
    (
        _OTHER,
        "chasing",
        (
            "A partner agency reported frustration that social workers do not respond and they have to chase them up for updates.",
            "The housing officer said she had to chase several times for an update before the review.",
        ),
    ),
    (
        _PARENT,
        "early_help",
        (
            "Parent of a child with significant special needs reported poor support at the early intervention stage, "
            "which led to needless delay in services.",
            "Mother said she asked for help for her son's behaviour for a year before anyone came out.",
        ),
    ),
    (
        _PARENT,
        "changes_of_worker",
        (
            "Mother said she was not told her social worker was changing until the new worker arrived.",
            "Father said the family has had four social workers in a year and the plan starts again each time.",
        ),
    ),
    (
        _HEALTH,
        "communication",
        (
            "The GP surgery said it was not invited to the child protection conference.",
            "Health said reports were requested at short notice before the review conference.",
        ),
    ),
    (
        _POLICE,
        "communication",
        ("Police said the outcome of the strategy discussion was not shared with them.",),
    ),
    (
        _CARER,
        "support",
        (
            "Grandmother said she needed more support with the children's behaviour and did not know who to ask.",
            "Kinship carer said financial support was agreed but took months to arrive.",
        ),
    ),
    (
        _PARENT,
        "communication",
        (
            "A common theme running through feedback was that communication from the social work team needed to improve.",
            "Parents said letters and plans use jargon they do not understand.",
        ),
    ),
)
#: Months where a feedback theme is heard more often (it recurs month to month).
_FEEDBACK_BOOSTS: Mapping[str, tuple[str, ...]] = {
    "changes_of_worker": ("2019-04", "2019-05", "2019-06", "2020-06", "2020-07"),
    "chasing": ("2019-09", "2019-10", "2019-11", "2020-06", "2020-07", "2020-08"),
    "communication": ("2018-12", "2019-01", "2019-02", "2020-01", "2020-02", "2020-09"),
    "early_help": ("2019-10", "2019-11", "2020-01"),
    "placement_information": ("2019-06", "2019-07", "2019-09"),
    "missing_response": ("2019-09", "2019-11", "2020-09"),
}
#: The seed's own feedback (sections 11.1 and 11.2), lightly edited, for its months.
_SEED_FEEDBACK: tuple[tuple[str, str, str, str], ...] = (
    (
        "2020-08",
        schema.STRENGTH,
        _PARENT,
        "Mother spoke positively about the SW stating she had an open transparent relationship with him, and he is "
        "proactive in his support of the family. Prior to this she had 14 other SW's who worked with her son.",
    ),
    (
        "2020-08",
        schema.STRENGTH,
        _CHILD,
        "A young person reported that he had the best social worker in the world. She had just taken him and his "
        "grandmother to view a residential unit where he would be going. Both his grandmother and the young person were "
        "pleased with the social workers commitment to their family.",
    ),
    (
        "2020-08",
        schema.STRENGTH,
        _PARENT,
        "Generally positive feedback for the social worker and the intervention. Child and her father praised the social "
        "worker for enabling them to have contact after 10yrs and supporting reunification.",
    ),
    (
        "2020-08",
        schema.STRENGTH,
        _FOSTER,
        "Foster carer reported having a good relationship with the social worker who she finds supportive.",
    ),
    (
        "2020-09",
        schema.STRENGTH,
        _OTHER,
        "Extremely positive feedback received from mum and child's mentor about work undertaken by social worker.",
    ),
    (
        "2020-09",
        schema.STRENGTH,
        _PARENT,
        "Mother was very complimentary about both SW and DA practitioner and their approach to working with her. She said "
        "that she has found the SW so easy to work with as she talks to her like she is an adult and spends time explaining "
        "the work so that she understands what is happening.",
    ),
    (
        "2020-09",
        schema.STRENGTH,
        _PARENT,
        "Mother felt that she had got the right support to help her end her relationship with her violent partner when "
        "she was pregnant. She praised the social worker for the help support and direction she has now obtained.",
    ),
    (
        "2020-08",
        schema.IMPROVEMENT,
        _EDU,
        "Education identified communication from the social worker as an area which could be improved.",
    ),
    (
        "2020-08",
        schema.IMPROVEMENT,
        _FOSTER,
        "Foster carer stated that they would have benefited from more information about a child at the start of placement.",
    ),
    (
        "2020-09",
        schema.IMPROVEMENT,
        _CHILD,
        "One child told us that he has had several different social workers. He has not yet achieved permanency or stability.",
    ),
    (
        "2020-09",
        schema.IMPROVEMENT,
        _PARENT,
        "Frustration that social workers are not responding and parents then have to chase them up for updates.",
    ),
    (
        "2020-09",
        schema.IMPROVEMENT,
        _OTHER,
        "Partner agency frustration at social workers not responding to them, so that they have to chase them up for updates.",
    ),
    (
        "2020-09",
        schema.IMPROVEMENT,
        _PARENT,
        "Parent of a child with significant special needs received poor support at the early intervention stage which led "
        "to the child suffering needless delay of services.",
    ),
)


def _pick_weighted(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """``k`` indices drawn with probability ∝ weights, without replacement while possible."""
    p = weights / weights.sum()
    nonzero = int((weights > 0).sum())
    if k <= nonzero:
        return rng.choice(len(weights), size=k, replace=False, p=p)
    return rng.choice(len(weights), size=k, replace=True, p=p)


def _month_weights(
    items: Sequence[tuple], boosts: Mapping[str, tuple[str, ...]], month: str, tag_at: int
) -> np.ndarray:
    return np.array([6.0 if month in boosts.get(item[tag_at], ()) else 1.0 for item in items])


def _feedback_rows(
    rng: np.random.Generator, month: str, audit_ids: Sequence[str], plant: bool
) -> list[dict]:
    """One month's feedback: seed sentences in its months, recombined phrasings elsewhere."""
    rows = []
    for m, kind, source, text in _SEED_FEEDBACK:
        if m == month:
            rows.append((source, kind, text))
    wanted = int(rng.integers(5, 16)) - len(rows)
    n_strength = max(0, math.floor(wanted * 0.55 + 0.5))
    for kind, pool, n in (
        (schema.STRENGTH, _STRENGTHS, n_strength),
        (schema.IMPROVEMENT, _IMPROVEMENTS, wanted - n_strength),
    ):
        if n <= 0:
            continue
        for i in _pick_weighted(rng, _month_weights(pool, _FEEDBACK_BOOSTS, month, 1), n):
            source, _, phrasings = pool[i]
            rows.append((source, kind, phrasings[int(rng.integers(len(phrasings)))]))
    if plant:
        for m, what, source, text in _PLANTS:
            if m == month and what.startswith("feedback:"):
                rows.append((str(source), what.split(":")[1], text))
    order = rng.permutation(len(rows))
    audits = rng.choice(
        np.asarray(audit_ids, dtype=object), size=len(rows), replace=len(rows) > len(audit_ids)
    )
    return [
        {
            schema.AUDIT_ID: audits[j],
            schema.AUDIT_MONTH: month,
            schema.SOURCE: rows[i][0],
            schema.KIND: rows[i][1],
            schema.TEXT: rows[i][2],
        }
        for j, i in enumerate(order)
    ]


# ============================================================== reflections
#: question → (tag, phrasings). Tags recur across consecutive months via _REFLECTION_BOOSTS.
_REFLECTIONS: Mapping[int, tuple[tuple[str, tuple[str, ...]], ...]] = {
    1: (
        (
            "relationships",
            (
                "Building an open and honest relationship with the child and their parents.",
                "I have built an open and honest relationship with the young person and her carers.",
            ),
        ),
        (
            "partners_cse",
            (
                "Working closely with partner agencies with regards to CSE and missing.",
                "Close joint working with the police and the exploitation team when the young person went missing.",
            ),
        ),
        (
            "voice",
            (
                "Direct work with the child so that their wishes and feelings are clearly recorded.",
                "Kept the child's voice at the centre of the plan; she knows who I am and why I visit.",
            ),
        ),
        (
            "visits",
            (
                "Visits have been timely and in line with the plan.",
                "Saw the child alone at every visit and recorded what she said in her own words.",
            ),
        ),
        (
            "lockdown_visits",
            (
                "Kept visiting in line with the plan, using doorstep and video visits during lockdown.",
            ),
        ),
        ("life_story", ("Started life story work with the child and his carers.",)),
        (
            "partners",
            (
                "Good communication with school and health, who attend every core group.",
                "Regular multi-agency meetings meant everyone knew the plan.",
            ),
        ),
        ("father", ("Persistent engagement with a father who had not been involved before.",)),
        (
            "chronology",
            (
                "Updated the chronology and used it to inform the assessment.",
                "Clear safety plan agreed with the family and their network.",
            ),
        ),
    ),
    2: (
        (
            "transfer",
            (
                "A clear and consistent transfer process.",
                "The case transferred between teams without a transfer meeting, so work was repeated.",
            ),
        ),
        (
            "caseloads",
            (
                "The impact of high caseloads on direct work, keeping LCS up to date and progressing the plan in a meaningful way.",
                "High caseload meant recording fell behind and direct work was squeezed.",
            ),
        ),
        (
            "different_workers",
            (
                "The family has had visits from different social workers because people are leaving, isolating or unwell.",
                "Several changes of social worker meant the child had to retell her story.",
            ),
        ),
        (
            "camhs",
            (
                "Getting CAMHS on board at critical times of trauma and disruption.",
                "Long waits for CAMHS while the placement was under strain.",
            ),
        ),
        (
            "missing",
            ("The young person goes missing often, which makes building a relationship hard.",),
        ),
        (
            "engagement",
            (
                "Engaging the parents, who cancel visits at short notice.",
                "Mother's mistrust of services after previous involvement.",
            ),
        ),
        ("remote", ("Remote working during lockdown limited face-to-face direct work.",)),
        (
            "placements",
            (
                "Not enough placement choices for a child with complex needs.",
                "Waiting times for specialist services meant the plan drifted.",
            ),
        ),
    ),
    3: (
        (
            "tools_yes",
            (
                "Overall yes: I have the tools, skills, support and training I need.",
                "Yes, with good support from my manager and the team.",
                "Yes. Supervision is regular and reflective, which helps.",
            ),
        ),
        (
            "training",
            (
                "More training and information on how to improve my practice.",
                "I would value training on CSE risk assessments.",
            ),
        ),
        ("life_story", ("Life story work training.",)),
        ("caseloads", ("I need more time rather than more tools; the caseload is the barrier.",)),
        (
            "it",
            (
                "The laptop and LCS work well now; remote access was a problem at first.",
                "Access to interpreters is slow to arrange.",
            ),
        ),
    ),
    4: (
        (
            "shadowing",
            (
                "More shadowing experiences so that I understand the processes better.",
                "Shadow an experienced colleague through a child protection conference first.",
            ),
        ),
        (
            "missing",
            ("Think outside the usual ways of engaging children who frequently go missing.",),
        ),
        (
            "placement",
            ("Earlier and more purposeful intervention to prevent placement breakdown.",),
        ),
        (
            "culture",
            (
                "Gain a greater knowledge of different cultural backgrounds to support my engagement with children.",
            ),
        ),
        (
            "recording",
            (
                "Update the chronology as I go rather than at the end.",
                "Record management oversight and decisions at the time they are made.",
            ),
        ),
        ("father", ("Involve the father from the start.",)),
        (
            "camhs",
            (
                "Escalate to CAMHS earlier.",
                "Hold a multi-agency meeting as soon as drift starts to show.",
            ),
        ),
        ("life_story", ("Start life story work sooner.",)),
    ),
}
_REFLECTION_BOOSTS: Mapping[str, tuple[str, ...]] = {
    "transfer": ("2020-06", "2020-07", "2020-08", "2020-09"),
    "caseloads": (
        "2019-09",
        "2019-10",
        "2019-11",
        "2020-01",
        "2020-02",
        "2020-07",
        "2020-08",
        "2020-09",
    ),
    "different_workers": (
        "2019-04",
        "2019-05",
        "2019-06",
        "2020-06",
        "2020-07",
        "2020-08",
        "2020-09",
    ),
    "camhs": ("2019-10", "2019-11", "2020-01"),
    "missing": ("2019-09", "2019-11", "2020-09"),
    "partners_cse": ("2019-09", "2019-11", "2020-09"),
    "life_story": ("2019-06", "2019-07", "2019-09"),
    "training": ("2019-06", "2019-07", "2020-08", "2020-09"),
    "shadowing": ("2019-03", "2019-04", "2019-05"),
    "culture": ("2020-01", "2020-02", "2020-09"),
    "remote": ("2020-06", "2020-07", "2020-08"),
    "lockdown_visits": ("2020-06", "2020-07"),
}
#: Themes that only make sense from a month on (no lockdown before the pandemic).
_REFLECTION_FROM = {"remote": "2020-06", "lockdown_visits": "2020-06"}
#: The seed's own reflection answers (section 10), for September 2020.
_SEED_REFLECTIONS: Mapping[int, tuple[str, ...]] = {
    1: (
        "Regular risk intervention meetings support me as the worker and ensures a cohesive multiagency response and "
        "support plan for the child.",
        "Working closely with partner agencies with regards to CSE and missing.",
        "Non statutory organisations support in working with children who are at risk of CSE and go missing, i.e. "
        "the culturally matched mentor.",
    ),
    2: (
        "A clear and consistent transfer process.",
        "The impact of high caseloads on direct work, ensuring LCS is up to date and progressing intervention in a "
        "meaningful way.",
        "Children and their families having visits from different SW's due to people leaving, isolating or being unwell.",
        "Positive partner agency support/response (police) regarding children who go missing on multiple occasions.",
        "Getting CAMHS/ ACT/ Wise on board at critical times of trauma and disruption to support the child, family, "
        "their placement and the plan.",
    ),
    3: (
        "Overall I feel I have the necessary tools, skills, support and training to undertake my role.",
        "More training and information for SW's on how to improve their practice.",
        "Life story work training.",
    ),
    4: (
        "More shadowing experiences so that I have a greater understanding of the processes.",
        "Thinking outside of the usual for engaging children who frequently go missing.",
        "Earlier and more purposeful intervention to prevent placement breakdown.",
        "Gain a greater knowledge of different cultural backgrounds to support my engagement with children.",
    ),
}
REFLECTION_AUDITS_PER_MONTH = 7


def _reflection_rows(
    rng: np.random.Generator, month: str, audit_ids: Sequence[str], plant: bool
) -> list[dict]:
    """Four answers each for a sample of the month's completed audits."""
    chosen = rng.choice(
        np.asarray(audit_ids, dtype=object),
        size=min(REFLECTION_AUDITS_PER_MONTH, len(audit_ids)),
        replace=False,
    )
    rows = []
    for question, pool in _REFLECTIONS.items():
        weights = _month_weights(pool, _REFLECTION_BOOSTS, month, 0)
        weights *= np.array([month >= _REFLECTION_FROM.get(tag, "") for tag, _ in pool])
        picks = _pick_weighted(rng, weights, len(chosen))
        answers = [pool[i][1][int(rng.integers(len(pool[i][1])))] for i in picks]
        if month == REPORT_MONTH:
            seed_answers = _SEED_REFLECTIONS[question][: len(answers)]
            answers[: len(seed_answers)] = seed_answers
        if plant:
            planted = [
                text
                for m, what, q, text in _PLANTS
                if m == month and what == "reflection" and q == question
            ]
            answers[len(answers) - len(planted) :] = planted
        rows.extend(zip(chosen, [question] * len(chosen), answers, strict=True))
    rows.sort(key=lambda r: (list(chosen).index(r[0]), r[1]))
    return [
        {schema.AUDIT_ID: a, schema.AUDIT_MONTH: month, schema.QUESTION: q, schema.TEXT: t}
        for a, q, t in rows
    ]


def generate_free_text(
    seed: int, audits: pd.DataFrame, copy: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Feedback and reflections for the first :data:`TEXT_COPIES_CAP` copies' completed audits.

    Identifiers are planted in copy 0 only (see :func:`list_planted_identifiers`).
    """
    rng = np.random.default_rng([seed, 1])
    done = audits[
        (audits[schema.STATUS] == schema.COMPLETED) & (audits[schema.AUDIT_TYPE] == schema.AUDIT)
    ]
    done_copy = copy[done.index.to_numpy()]
    feedback, reflections = [], []
    for c in range(min(TEXT_COPIES_CAP, int(copy.max()) + 1)):
        mine = done[done_copy == c]
        for plan in MONTH_PLANS:
            ids = mine.loc[mine[schema.AUDIT_MONTH] == plan.month, schema.AUDIT_ID].tolist()
            feedback.extend(_feedback_rows(rng, plan.month, ids, plant=c == 0))
            reflections.extend(_reflection_rows(rng, plan.month, ids, plant=c == 0))
    feedback_frame = pd.DataFrame(
        feedback,
        columns=[schema.AUDIT_ID, schema.AUDIT_MONTH, schema.SOURCE, schema.KIND, schema.TEXT],
    )
    feedback_frame = feedback_frame.sort_values([schema.AUDIT_MONTH], kind="stable").reset_index(
        drop=True
    )
    feedback_frame.insert(
        0, schema.FEEDBACK_ID, [f"F{i:05d}" for i in range(1, len(feedback_frame) + 1)]
    )
    reflection_frame = pd.DataFrame(
        reflections, columns=[schema.AUDIT_ID, schema.AUDIT_MONTH, schema.QUESTION, schema.TEXT]
    )
    reflection_frame = reflection_frame.sort_values(
        [schema.AUDIT_MONTH], kind="stable"
    ).reset_index(drop=True)
    return feedback_frame.astype(
        {c: "str" for c in feedback_frame.columns}
    ), reflection_frame.astype(
        {
            schema.AUDIT_ID: "str",
            schema.AUDIT_MONTH: "str",
            schema.QUESTION: "int64",
            schema.TEXT: "str",
        }
    )


# ========================================================== recommendations
_HP_SUPERVISION = (
    "Managers to ensure that supervision is held in line with expected timescales and evidences reflective "
    "discussion, impact of intervention, proactive decision making where there is drift and delay and review of "
    "decision / actions that support driving the plan forward."
)
_HP_OVERSIGHT = (
    "Management oversights / case discussions are recorded to respond to significant events/ changes in "
    "circumstances/ how overdue task will be addressed together with the rationale for the decision making and "
    "timescales."
)
_HP_PLANNING = (
    "Managers, Social Workers, CPC's and IRO's to ensure that planning and review for children is timely and that "
    "any drift or delay is responded to with a clear plan of how this will be managed and addressed."
)
_PS_RAISE = (
    "Team Managers and Social Workers to raise any concerns with the quality of audits to the APS Team as soon as "
    "possible."
)
_PS_BLOCK_TIME = (
    "Team Managers to block out time for the audit each month, plan for the case reflection meeting, and request "
    "exemptions and extensions via the correct process and in a timely way."
)
_PS_SHARE = (
    "Monthly highlight reports to be shared with Directors, Assistant Directors and all frontline teams in order to "
    "be used and discussed in area meetings."
)
_SEXUAL_HARM = (
    "Risk assessments for children who are at risk from sexual harm both within and outside their homes and how we "
    "engage partner agencies to support the child, their family and us in the resulting plans."
)
_CSE_ASSESSMENTS = (
    "Timeliness and quality of CSE risk assessments, so that they are pertinent to the current risks, include a plan "
    "of intervention to reduce risks and evidence the child's and parent's contribution"
)
#: The seed's recommendations for August and September 2020, as published except
#: that people's names became their roles and Surrey's names became generic ones.
SEED_RECOMMENDATIONS: Mapping[str, Mapping[str, list]] = {
    "2020-08": {
        "high_priority": [_HP_SUPERVISION, _HP_OVERSIGHT, _HP_PLANNING],
        "practice_standards": [
            _HP_SUPERVISION,
            _HP_OVERSIGHT,
            _HP_PLANNING.replace("CPC's and IRO's", "CPC’s and IRO’s"),
            "All other teams to review and reflect on how to improve the quality and timeliness of recording within "
            "their teams. I.e. updating of case summaries, chronologies, involvement and family relationships.",
            _PS_RAISE,
            _PS_BLOCK_TIME,
            _PS_SHARE,
        ],
    },
    "2020-09": {
        "high_priority": [
            _HP_SUPERVISION,
            _HP_OVERSIGHT,
            _HP_PLANNING,
            {
                "text": "All teams to review and reflect on the key learning identified for children that go missing "
                "and are vulnerable to exploitation and hidden crimes:",
                "items": [
                    "Response and timeliness to children who go missing;",
                    _CSE_ASSESSMENTS + ";",
                    _SEXUAL_HARM,
                ],
            },
        ],
        "practice_standards": [
            {
                "text": "All teams to review and reflect on the key learning identified in this month's highlight "
                "report and to raise any feedback, service needs, or key barriers to the Audit and Practice "
                "Standards Manager or the Child Exploitation and Hidden Crimes Manager:",
                "items": [
                    "Response and timeliness to children who go missing, with increased confidence in the use of "
                    "missing procedure.",
                    _CSE_ASSESSMENTS + ".",
                    _SEXUAL_HARM,
                ],
            },
            {
                "text": "Review and signpost practitioners to the following key resources for CSE and Missing procedures.",
                "items": [
                    "Safeguarding Children Partnership: Safeguarding Children from Sexual Exploitation",
                    "Procedure for Children Missing from Home and Care 2019",
                    "Tri X Procedures and Documents for Missing",
                    "Return Home Interviews",
                    "CSE information on the council's public health website",
                ],
            },
            _PS_RAISE,
            _PS_BLOCK_TIME,
            "Further Workbook training and workshops to establish a consistent standard of practice when completing. "
            "[Remember to utilise Workbook champions per area and video training guides on Share point].",
        ],
    },
}
_HIGH_PRIORITY_POOL = (
    "Managers to ensure that supervision is held in line with expected timescales and is reflective, evidencing the "
    "impact of intervention and the progress of the plan.",
    "Management oversight to be recorded at key decision points, with the rationale for decisions and clear timescales.",
    "Social workers to evidence the voice of the child in assessments, plans and case recording, including what "
    "direct work has told us.",
    "Chronologies to be up to date and used to inform assessment and planning.",
    "Child in Need plans to be SMART, reviewed within timescales and clear about what will change for the child.",
    "Assessments to be completed within timescales and to analyse risk and need, not only describe them.",
    "Case summaries and family relationships to be kept up to date on LCS so that anyone picking up the case "
    "understands the child's story.",
    "Where there is drift or delay, managers to record a clear plan, with timescales, for how it will be addressed.",
    "Visits to children to be in line with the plan, with children seen alone where appropriate, and recorded "
    "within timescales.",
    "Core groups and Child in Need meetings to include all relevant partner agencies, with minutes shared promptly.",
    "For children under 5 on a Child Protection plan, the health visitor to be invited to every core group and the "
    "child's daily lived experience to be described.",
    "Return home interviews to be offered after every missing episode and their learning recorded in the child's plan.",
    "CSE risk assessments to be reviewed after every significant event and shared with partner agencies.",
    "Children on a Child Protection plan under the category of sexual abuse to have a specialist assessment of risk "
    "considered at the first core group.",
    "Where visits have been virtual during lockdown, managers to review which children need face-to-face visits to "
    "resume first.",
    "Cases to transfer between teams only after a transfer meeting with the family, the current and new social "
    "workers and both managers.",
)
_PRACTICE_STANDARD_POOL = (
    _PS_BLOCK_TIME,
    _PS_RAISE,
    _PS_SHARE,
    "Auditors to meet with the social worker for every audit and complete the reflection sheet.",
    "Audits to be completed within the month they are allocated; outstanding audits will be escalated to the Head "
    "of Service.",
    "Feedback from parents, children and partner agencies to be sought for every audit where appropriate.",
    "Actions agreed in the audit to be recorded on the child's file and reviewed in supervision.",
    "Re-audits to be completed within timescales so that improvement can be evidenced.",
)
#: month → (high-priority pool indices, practice-standard pool indices); items
#: recur month to month, as they do in real programmes.
_RECOMMENDATION_SCHEDULE: Mapping[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "2018-11": ((2, 3, 0), (3, 4)),
    "2018-12": ((2, 3, 1), (3, 4, 5)),
    "2019-01": ((3, 1, 5), (0, 4, 5)),
    "2019-02": ((4, 2, 9), (0, 5, 6)),
    "2019-03": ((4, 5, 1), (0, 6, 7)),
    "2019-04": ((5, 7, 0), (0, 1, 7)),
    "2019-05": ((10, 7, 0), (0, 1, 6)),
    "2019-06": ((0, 6, 8), (0, 1, 2)),
    "2019-07": ((0, 6, 3), (0, 1, 2, 7)),
    "2019-09": ((12, 11, 0), (0, 1, 2)),
    "2019-10": ((12, 11, 9), (0, 1, 2, 5)),
    "2019-11": ((11, 7, 1), (0, 1, 2, 4)),
    "2020-01": ((1, 7, 2), (0, 1, 2, 6)),
    "2020-02": ((13, 1, 7), (0, 1, 2, 7)),
    "2020-06": ((14, 8, 1), (0, 1, 2, 4)),
    "2020-07": ((14, 15, 4), (0, 1, 2, 5)),
}


def build_recommendations() -> dict[str, dict[str, list]]:
    """recommendations.yml as a mapping: each audited month's high-priority
    recommendations and practice standards (items are text, or
    ``{text, items}`` for a recommendation with sub-points)."""
    result: dict[str, dict[str, list]] = {}
    for plan in MONTH_PLANS:
        if plan.month in SEED_RECOMMENDATIONS:
            result[plan.month] = {k: list(v) for k, v in SEED_RECOMMENDATIONS[plan.month].items()}
        else:
            high, standards = _RECOMMENDATION_SCHEDULE[plan.month]
            result[plan.month] = {
                "high_priority": [_HIGH_PRIORITY_POOL[i] for i in high],
                "practice_standards": [_PRACTICE_STANDARD_POOL[i] for i in standards],
            }
    return result


# ================================================================ programme
def build_programme_yaml(seed: int = DEFAULT_SEED, scale: int = 1) -> str:
    """The text of programme.yml: the contract keys of DESIGN.md §2, commented."""
    pauses = "\n".join(f'  - {{from: "{a}", to: "{b}", reason: "{why}"}}' for a, b, why in PAUSES)
    labels = "\n".join(f'  "{m}": "{label}"' for m, label in MONTH_LABELS.items())
    themes = "\n".join(f'  "{m}": [{", ".join(keys)}]' for m, keys in THEMES.items())
    scaled = "" if scale == 1 else f" ×{scale} (one copy per region)"
    return f"""{MARKER} (seed {seed}{scaled}).
# No real child, worker or council: see docs/demo-data.md. Regenerate with
#   auditlib demo-data --out DIR --seed {seed} --scale {scale}
organisation: Example Council
programme: Children's Services case audit programme
start_month: "{START_MONTH}"
compliance_from_month: "{COMPLIANCE_FROM_MONTH}"   # headline compliance counts from here
extract_date: "{EXTRACT_DATE}"            # the day the export was taken (for overdue audits)
pauses:
{pauses}
month_labels:
{labels}
themes:                                 # each month's themed cohort(s): keys of schema.COHORTS
{themes}
disclosure: internal
contact: Audit & Practice Standards Manager, Example Council
denylist: {DENYLIST_FILE}                    # personal names to redact from free text
"""


def build_denylist_text() -> str:
    """names.txt: the personal names planted in the demo's free text, one per line."""
    head = "# Personal names to redact from free text, one per line (synthetic: planted by auditlib.demo)\n"
    return head + "".join(f"{name}\n" for name in PLANTED_NAMES)


# ================================================================== top level
def generate_programme(seed: int = DEFAULT_SEED, scale: int = 1) -> dict[str, pd.DataFrame]:
    """The synthetic programme's tables: ``audits``, ``feedback`` and ``reflections``.

    Deterministic from ``seed``; ``scale`` copies multiply every count exactly
    and leave every percentage unchanged (free text stops at
    :data:`TEXT_COPIES_CAP` copies).

    >>> tables = generate_programme()
    >>> sorted(tables), len(tables["audits"])
    (['audits', 'feedback', 'reflections'], 2288)
    """
    audits, copy = generate_audits(seed, scale)
    feedback, reflections = generate_free_text(seed, audits, copy)
    return {"audits": audits, "feedback": feedback, "reflections": reflections}


def write_programme(
    out_dir: str | Path, seed: int = DEFAULT_SEED, scale: int = 1, fmt: str = "csv"
) -> dict[str, Path]:
    """Write the synthetic programme's data folder; return each file written by name.

    Writes programme.yml, audits.csv (or audits.parquet with ``fmt="parquet"``,
    for big scales), feedback.csv, reflections.csv, recommendations.yml and
    names.txt. Refuses to write over a folder whose programme.yml it did not
    write, so it cannot clobber a council's real data.
    """
    import yaml

    if fmt not in ("csv", "parquet"):
        raise AuditlibError(f"format must be 'csv' or 'parquet', got {fmt!r}")
    out = Path(out_dir)
    existing = out / "programme.yml"
    if existing.is_file() and not existing.read_text(encoding="utf-8").startswith(MARKER):
        raise AuditlibError(
            f"{existing} was not written by auditlib demo-data: refusing to overwrite it "
            "(choose an empty folder with --out)"
        )
    out.mkdir(parents=True, exist_ok=True)
    tables = generate_programme(seed, scale)
    files: dict[str, Path] = {}
    other = out / ("audits.parquet" if fmt == "csv" else "audits.csv")
    other.unlink(missing_ok=True)  # the loader refuses a folder with two audits files
    files["audits"] = out / f"audits.{fmt}"
    if fmt == "csv":
        _write_csv(tables["audits"], files["audits"])
    else:
        tables["audits"].to_parquet(files["audits"], index=False)
    for name in ("feedback", "reflections"):
        files[name] = out / f"{name}.csv"
        _write_csv(tables[name], files[name])
    files["programme"] = existing
    existing.write_text(build_programme_yaml(seed, scale), encoding="utf-8")
    files["recommendations"] = out / "recommendations.yml"
    files["recommendations"].write_text(
        "# Each month's practice recommendations (synthetic; August and September 2020 from the seed report)\n"
        + yaml.safe_dump(build_recommendations(), sort_keys=False, allow_unicode=True, width=120),
        encoding="utf-8",
    )
    files["denylist"] = out / DENYLIST_FILE
    files["denylist"].write_text(build_denylist_text(), encoding="utf-8")
    return files


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, date_format="%Y-%m-%d", lineterminator="\n", encoding="utf-8")
