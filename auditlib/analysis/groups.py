"""Comparing two periods group by group (teams, areas, cohorts, domains), with Holm's
adjustment for testing many groups at once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from auditlib.analysis import comparisons, stats
from auditlib.data import schema


def verdict_code(comparison: stats.ProportionComparison, improvement: str, p_value: float) -> str:
    """'improvement', 'deterioration' or 'none' for B against A at ``p_value``."""
    if not p_value < stats.ALPHA:
        return "none"
    better = (comparison.difference < 0) == (improvement == "down")
    return "improvement" if better else "deterioration"


def measure_count(counts: pd.Series | Mapping[str, int], measure: str) -> int:
    """The count behind a measure (Outstanding + Good, or Inadequate) in a count row."""
    labels, _ = comparisons.MEASURES[measure]
    return int(sum(int(counts[label]) for label in labels))


def compare_groups(
    table_a: pd.DataFrame,
    table_b: pd.DataFrame,
    min_audits: int = comparisons.MIN_MONTH_AUDITS,
) -> pd.DataFrame:
    """One row per (group, measure): counts in A and B, the test of B against A, the
    Holm-adjusted p across the groups tested for that measure, and the verdict.

    ``table_a`` and ``table_b`` are count tables by group (judgement labels and
    ``completed``) with the same index. ``comparison`` is None where a group has fewer
    than ``min_audits`` completed audits in a period (verdict ``few``): a group is tested
    on the same minimum as a month (``comparisons.MIN_MONTH_AUDITS``). Holm's adjustment
    is :func:`stats.holm_adjust`, the one the month's family uses.
    """
    rows: list[dict[str, Any]] = []
    for measure, (_labels, direction) in comparisons.MEASURES.items():
        part = []
        for group in table_a.index:
            ka = measure_count(table_a.loc[group], measure)
            na = int(table_a.at[group, schema.COMPLETED])
            kb = measure_count(table_b.loc[group], measure)
            nb = int(table_b.at[group, schema.COMPLETED])
            row: dict[str, Any] = {
                "group": group,
                "measure": measure,
                "k_a": ka,
                "n_a": na,
                "k_b": kb,
                "n_b": nb,
                "comparison": None,
                "p_value": float("nan"),
            }
            if min(na, nb) >= min_audits:
                c = stats.compare_proportions(kb, nb, ka, na)
                row["comparison"] = c
                row["p_value"] = c.p_value
            part.append(row)
        adjusted = stats.holm_adjust([r["p_value"] for r in part]).tolist()
        for r, p_holm in zip(part, adjusted, strict=True):
            r["p_holm"] = p_holm
            c = r["comparison"]
            r["verdict"] = "few" if c is None else verdict_code(c, direction, p_holm)
            r["raw_verdict"] = "few" if c is None else verdict_code(c, direction, c.p_value)
        rows.extend(part)
    return pd.DataFrame(rows)
