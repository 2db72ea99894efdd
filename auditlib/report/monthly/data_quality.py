"""9. Data quality and methods: every input row accounted for, definitions, the disclosure
rule, and the version and input hash that reproduce the report."""

from __future__ import annotations

import pandas as pd

from auditlib.publish.layout import FIGURES_FILE
from auditlib.report.blocks import Block, Heading, Markdown, Table
from auditlib.report.monthly.context import MonthContext
from auditlib.report.shared.methods import (
    definitions,
    disclosure_blocks,
    reproducibility_blocks,
)

HEADING = "Data quality and methods"


def section(ctx: MonthContext) -> list[Block]:
    dq = ctx.published_figures["data_quality"]
    return [
        Heading(HEADING),
        Table(
            rows_table(ctx),
            "Every input row accounted for: rows read = rows used + rows excluded",
            name="input_rows",
        ),
        Markdown("\n\n".join(notes(dq, ctx))),
        Heading("Definitions", 3),
        Markdown(definitions()),
        *disclosure_blocks(ctx.profile),
        *reproducibility_blocks(ctx.figures, FIGURES_FILE),
    ]


def rows_table(ctx: MonthContext) -> pd.DataFrame:
    """One row per input file: rows read, used and excluded, and why."""
    rows = []
    # Rows of the input are audits too: published, the counts disclosure control hid stay hidden.
    count = ctx.view.count
    for name, rec in ctx.published_figures["data_quality"]["tables"].items():
        reasons = "; ".join(
            f"{count(n)} {reason}" for reason, n in rec["excluded_by_reason"].items()
        )
        rows.append(
            {
                "File": ctx.data.files.get(name, name),
                "Rows read": count(rec["rows_read"]),
                "Rows used": count(rec["rows_used"]),
                "Rows excluded": count(rec["rows_excluded"]),
                "Why excluded": reasons or "–",
            }
        )
    return pd.DataFrame(rows).set_index("File")


def notes(dq: dict, ctx: MonthContext) -> list[str]:
    count = ctx.view.count
    out = [
        f"{count(dq['warnings'])} warning(s) were found in the data (run `auditlib validate` for "
        f"the list); {count(dq['not_recorded'])} completed audit(s) had no judgement and are "
        "counted as *Not recorded*."
    ]
    return out + [f"Name variants merged: {n}." for n in dq["notes"]]
