"""The embedded synthetic audit programme .

``data/demo/`` is what :func:`write_programme` writes with the default seed:
no real child, worker or council, deterministic from a seed, and calibrated so
that every figure the seed report publishes comes out exactly as published
when computed with the definitions of docs/data-contract.md.

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

from auditlib.demo.audits import TEAMS, generate_audits
from auditlib.demo.calibration import (
    COMPLIANCE_FROM_MONTH,
    DEFAULT_SEED,
    DOMAIN_COLUMNS,
    MONTH_PLANS,
    PROGRAMME_ALLOCATED,
    PROGRAMME_COMPLETED,
    REAUDITS_ALLOCATED,
    REAUDITS_COMPLETED,
    TEXT_COPIES_CAP,
    build_calibration,
    choose_counts_with_total,
    find_judgement_counts,
    list_counts_rounding_to,
    round_half_up_pct,
)
from auditlib.demo.identifiers import list_planted_identifiers
from auditlib.demo.programme import generate_programme, write_programme
from auditlib.demo.voices import generate_free_text

__all__ = [
    "COMPLIANCE_FROM_MONTH",
    "DEFAULT_SEED",
    "DOMAIN_COLUMNS",
    "MONTH_PLANS",
    "PROGRAMME_ALLOCATED",
    "PROGRAMME_COMPLETED",
    "REAUDITS_ALLOCATED",
    "REAUDITS_COMPLETED",
    "TEAMS",
    "TEXT_COPIES_CAP",
    "build_calibration",
    "choose_counts_with_total",
    "find_judgement_counts",
    "generate_audits",
    "generate_free_text",
    "generate_programme",
    "list_counts_rounding_to",
    "list_planted_identifiers",
    "round_half_up_pct",
    "write_programme",
]
