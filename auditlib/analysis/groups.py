"""Comparing two periods group by group (teams, areas, cohorts, domains), with Holm's
adjustment for testing many groups at once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from auditlib.analysis import comparisons, stats
from auditlib.data import schema

#: A group is tested only with at least this many completed audits in both periods.
MIN_GROUP_AUDITS: Final = 10


def adjust_holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment of p-values for multiple comparisons (NaN kept as NaN).

    >>> [round(p, 3) for p in adjust_holm([0.01, 0.04, 0.03])]
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = multipletests(p[ok], alpha=stats.ALPHA, method="holm")[1]
    return out.tolist()


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
    table_a: pd.DataFrame, table_b: pd.DataFrame, min_audits: int = MIN_GROUP_AUDITS
) -> pd.DataFrame:
    """One row per (group, measure): counts in A and B, the test of B against A, the
    Holm-adjusted p across the groups tested for that measure, and the verdict.

    ``table_a`` and ``table_b`` are count tables by group (judgement labels and
    ``completed``) with the same index. ``comparison`` is None where a group has fewer
    than ``min_audits`` completed audits in a period (verdict ``few``).
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
        for r, p_holm in zip(part, adjust_holm([r["p_value"] for r in part]), strict=True):
            r["p_holm"] = p_holm
            c = r["comparison"]
            r["verdict"] = "few" if c is None else verdict_code(c, direction, p_holm)
            r["raw_verdict"] = "few" if c is None else verdict_code(c, direction, c.p_value)
        rows.extend(part)
    return pd.DataFrame(rows)
