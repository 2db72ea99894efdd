"""Auditor–moderator agreement: how often moderation changed the auditor's judgement."""

from __future__ import annotations

import pandas as pd

from auditlib.analysis import stats
from auditlib.data import schema
from auditlib.disclosure import DisclosureProfile, suppress_counts
from auditlib.report.blocks import Table

MATRIX_NOTE = (
    "The diagonal is agreement. Kappa is linear-weighted (Cicchetti–Allison): a one-grade "
    "disagreement counts less than a two-grade one. Bands from Landis & Koch (1977)."
)


def grade_changes(pairs: pd.DataFrame) -> dict[str, int]:
    """How many moderated audits kept, raised or lowered the auditor's grade."""
    before = pairs["auditor"].map(schema.JUDGEMENT_SCORE).astype(float)
    after = pairs["moderator"].map(schema.JUDGEMENT_SCORE).astype(float)
    return {
        "same": int((before == after).sum()),
        "raised": int((after > before).sum()),
        "lowered": int((after < before).sum()),
    }


def matrix_table(pairs: pd.DataFrame, profile: DisclosureProfile, caption: str) -> Table:
    """The auditor × moderator cross-table, with row totals, disclosure applied."""
    matrix = stats.make_grade_change_matrix(pairs, "auditor", "moderator")
    matrix.index = pd.Index([f"Auditor: {i}" for i in matrix.index], name="Auditor")
    matrix.columns = [f"Moderator: {c}" for c in matrix.columns]
    table = suppress_counts(
        matrix.assign(completed=matrix.sum(axis=1)), profile, cells=list(matrix.columns)
    )
    return Table(
        table.rename(columns={schema.COMPLETED: "Total"}),
        caption,
        note=MATRIX_NOTE,
        name="moderation",
    )
