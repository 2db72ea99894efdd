"""The demo programme's audit rows: teams, dates, ids, cohorts, moderation, domains, re-audits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa

from auditlib.data import schema
from auditlib.demo.calibration import (
    AUDIT_COLUMNS,
    COMBINED_ROUND,
    DEFAULT_SEED,
    EXTRACT_DATE,
    MONTH_PLANS,
    THEMES,
    build_calibration,
)
from auditlib.errors import AuditlibError

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


# ==================================================================== plants
#: Planted effects (docs/demo-data.md, "Planted effects"). Within each month the
#: calibrated judgements are handed out to the month's completed original audits in the
#: order of a latent quality, so every published count stays as it is while the cases
#: that get the better judgements are chosen by
#:     latent = −HARD_CASE_DIFFICULTY·[CSE risk or missing] − HARSH_AUDITOR_SHIFT·[harsh
#:              auditor] + logistic noise,
#: a proportional-odds model with month-specific cut-points (the months' calibrated
#: splits). Children at risk of CSE or reported missing are harder cases by this much on
#: the logit scale, in every month — so a month themed on them (September 2020: missing,
#: CSE) is harder by design — and one auditor grades harsher by this much.
HARD_CASE_DIFFICULTY = 1.0
HARSH_AUDITOR = 6  # index within a copy: auditor_id TM007 in copy 0
HARSH_AUDITOR_SHIFT = 2.8
#: The plants draw from their own random stream, so every other column is as without them.
PLANT_STREAM = 12


def _plant_judgements(
    rng: np.random.Generator,
    final: np.ndarray,
    group: np.ndarray,
    hard: np.ndarray,
    harsh: np.ndarray,
) -> np.ndarray:
    """Hand out each group's judgement codes (best = lowest code first) in the order of a
    latent quality: the same multiset of codes per group, planted effects on who gets them.

    Only rows with a graded code (0–3) take part; Not recorded (4) and -1 rows are kept.
    """
    out = final.copy()
    latent = (
        -HARD_CASE_DIFFICULTY * hard - HARSH_AUDITOR_SHIFT * harsh + rng.logistic(size=len(final))
    )
    rows = np.flatnonzero((final >= 0) & (final <= 3))
    by_latent = rows[np.lexsort((-latent[rows], group[rows]))]
    by_code = rows[np.lexsort((final[rows], group[rows]))]
    out[by_latent] = final[by_code]
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
    final: np.ndarray,
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
    # each copy's originals carry their own (planted) judgements
    orig_final = final.reshape(scale, length)[:, orig_pos]
    weight = _REAUDIT_PICK_WEIGHT[orig_final.clip(-1, 4)] * (orig_final >= 0)
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
        w = weight * lag_weight[None, :]
        with np.errstate(divide="ignore"):
            key = np.log(w) + rng.gumbel(size=used.shape)
        ok = (w > 0) & ~used & (done < np.datetime64(plan.month + "-01"))
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

    # ---- planted effects: harder cases and a harsh auditor choose who gets which judgement
    plant_rng = np.random.default_rng([seed, PLANT_STREAM])
    planted_auditor = copy * AUDITORS_PER_COPY + plant_rng.integers(0, AUDITORS_PER_COPY, rows)
    original_done = is_completed & ~reaudit
    final = _plant_judgements(
        plant_rng,
        np.where(original_done, final, -1),
        copy * len(MONTH_PLANS) + month,
        (cohort["cse"] > 0) | (cohort["missing"] > 0),
        planted_auditor % AUDITORS_PER_COPY == HARSH_AUDITOR,
    )
    link = _link_reaudits(rng, skel, scale, completed_date, final)
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
    # originals keep the auditor their planted judgement was drawn for
    auditor = np.where(reaudit, auditor, planted_auditor)
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
