"""9. Data quality and methods: every input row accounted for, what was found in the data
(as small tables of counts), definitions, the disclosure rule, and the version and input
hash that reproduce the report.

The counts are of rows in the input files, for the audit months up to the report month
(figures.json's ``data_quality``); ``auditlib validate`` lists the rows behind them. Each
table is shown only when it has rows. A judgement jump is a warning box; a newer export
beside the files read and an optional file left out are notices.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from auditlib.disclosure import SUPPRESSED
from auditlib.publish.layout import FIGURES_FILE
from auditlib.report import sharing
from auditlib.report.blocks import Block, Callout, Heading, Markdown, Table
from auditlib.report.monthly.context import MonthContext
from auditlib.report.shared.methods import (
    definitions,
    disclosure_blocks,
    reproducibility_blocks,
)

HEADING = "Data quality and methods"
#: Where the rows behind every count are listed.
VALIDATE_HINT = "Run auditlib validate to list the rows behind each count."
#: How the date-readings table names each basis (auditlib.data.dates).
DATE_BASES = {
    "value": "Settled by a value",
    "file": "Like another date column of the file",
    "setting": "date_format in programme.yml",
    "mixed": "Mixed: date_format in programme.yml",
}
JUMPS_TITLE = "Judgements far beyond the programme's history"
NEWER_TITLE = "Newer export found"
LEFT_OUT_TITLE = "Left out"


@sharing.shareable
def section(ctx: MonthContext) -> list[Block]:
    dq = ctx.published_figures["data_quality"]
    return [
        Heading(HEADING),
        Markdown(summary(ctx, dq)),
        *jump_callouts(dq),
        *notices(dq),
        Table(
            rows_table(dq),
            "Every input row accounted for: rows read = rows used + rows excluded",
            name="input_rows",
        ),
        *optional_table(
            exclusions_table(dq),
            "Rows excluded, by reason (not counted in any figure)",
            "data_quality_exclusions",
        ),
        *optional_table(
            warnings_table(dq),
            "Warnings, by kind (the rows are kept and counted)",
            "data_quality_warnings",
            VALIDATE_HINT,
        ),
        *optional_table(
            merges_table(dq),
            "Name spellings merged into the usual spelling",
            "data_quality_name_merges",
        ),
        *optional_table(
            dates_table(dq),
            "How numbers-only dates were read (day-first or month-first)",
            "data_quality_date_readings",
        ),
        Heading("Definitions", 3),
        Markdown(definitions()),
        *disclosure_blocks(ctx.profile),
        *reproducibility_blocks(ctx.figures, FIGURES_FILE),
    ]


def optional_table(
    frame: pd.DataFrame, caption: str, name: str, note: str | None = None
) -> list[Table]:
    """The table, or nothing when it has no rows (a report never shows an empty table)."""
    return [Table(frame, caption, note=note, name=name)] if len(frame) else []


def _plural(n: int | str, one: str, many: str | None = None) -> str:
    """A count and its noun ("1 row", "1,234 rows"); a disclosure symbol as it is ("[c] rows")."""
    if isinstance(n, str):
        return f"{n} {many or one + 's'}"
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _count(n: int | str) -> str:
    """A count as a table cell ("1,234"); a disclosure symbol as it is."""
    return n if isinstance(n, str) else f"{n:,}"


def summary(ctx: MonthContext, dq: dict[str, Any]) -> str:
    """The paragraph above the tables: what the counts cover, and the totals."""
    merged = sum(m["rows"] for m in dq["name_merges"])
    excluded_counts = [rec["rows_excluded"] for rec in dq["tables"].values()]
    # Published, a hidden count stays hidden in the total it is part of.
    excluded: int | str = (
        SUPPRESSED if any(isinstance(n, str) for n in excluded_counts) else sum(excluded_counts)
    )
    not_recorded = dq["not_recorded"]
    found = [
        f"{_plural(excluded, 'row')} excluded",
        f"{_plural(dq['warnings'], 'warning')} (the rows are kept)",
    ]
    if merged:
        found.append(
            f"{_plural(merged, 'row')} whose name was spelt another way merged into the usual "
            "spelling"
        )
    parts = [
        f"This report reads the rows of the audit months up to {ctx.label}. Every one is "
        f"accounted for below: {', '.join(found[:-1])} and {found[-1]}.",
        f"{_plural(not_recorded, 'completed audit')} had no judgement and "
        f"{'is' if not_recorded == 1 else 'are'} counted as *Not recorded*.",
        "`auditlib validate` lists every row behind these counts.",
    ]
    return " ".join(parts)


def jump_callouts(dq: dict[str, Any]) -> list[Callout]:
    """One warning box for the months whose judgements jump far beyond the history."""
    jumps = dq["judgement_jumps"]
    if not jumps:
        return []
    text = "\n\n".join(_sentence(jump["description"]) for jump in jumps)
    return [
        Callout(
            text + "\n\nThe audits are counted as the export has them: check the export and the "
            "column and label mapping in programme.yml before relying on the judgements of "
            + ", ".join(dict.fromkeys(j["month"] for j in jumps))
            + ".",
            "warning",
            JUMPS_TITLE,
        )
    ]


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


def notices(dq: dict[str, Any]) -> list[Callout]:
    """A notice for each optional file left out and each newer export found."""
    left = [
        Callout(
            f"{f['notice']} Run auditlib validate to list every problem.", "warning", LEFT_OUT_TITLE
        )
        for f in dq["left_out"]
    ]
    newer = [Callout(message, "note", NEWER_TITLE) for message in dq["newer_exports"]]
    return left + newer


def rows_table(dq: dict[str, Any]) -> pd.DataFrame:
    """One row per input file: its type, and rows read, used and excluded."""
    rows = []
    for name, rec in dq["tables"].items():
        file = dq["files"].get(name, {})
        rows.append(
            {
                "File": file.get("file", name),
                "Read as": file.get("format") or "–",
                "Rows read": _count(rec["rows_read"]),
                "Rows used": _count(rec["rows_used"]),
                "Rows excluded": _count(rec["rows_excluded"]),
            }
        )
    return pd.DataFrame(rows).set_index("File")


def exclusions_table(dq: dict[str, Any]) -> pd.DataFrame:
    """Rows excluded, by file and reason."""
    rows = [
        {"File": dq["files"].get(name, {}).get("file", name), "Reason": reason, "Rows": _count(n)}
        for name, rec in dq["tables"].items()
        for reason, n in rec["excluded_by_reason"].items()
    ]
    return pd.DataFrame(rows, columns=["File", "Reason", "Rows"]).set_index("File")


def _where(file: str, column: str | None) -> str:
    """A file and column as one cell ("audits.csv, overall_judgement"): fewer columns
    read better on a phone."""
    return f"{file}, {column}" if column else file


def warnings_table(dq: dict[str, Any]) -> pd.DataFrame:
    """Warnings by file, column and kind, most frequent first."""
    rows = [
        {
            "Where": _where(w["file"], w["column"]),
            "Warning": w["warning"],
            "Count": _count(w["count"]),
        }
        for w in dq["warnings_by_kind"]
    ]
    return pd.DataFrame(rows, columns=["Where", "Warning", "Count"]).set_index("Where")


def merges_table(dq: dict[str, Any]) -> pd.DataFrame:
    """Each spelling merged into the usual one, with its rows (of the months reported),
    led by the name it was merged into."""
    rows = [
        {
            "Merged into": m["merged_into"],
            "Spelling in the file": m["spelling"],
            "Column": m["column"],
            "Rows": _count(m["rows"]),
        }
        for m in dq["name_merges"]
    ]
    columns = ["Merged into", "Spelling in the file", "Column", "Rows"]
    return pd.DataFrame(rows, columns=columns).set_index("Merged into")


def dates_table(dq: dict[str, Any]) -> pd.DataFrame:
    """Each date column holding numbers-only dates: which way round it was read, and why."""
    rows = [
        {
            "Where": _where(r["file"], r["column"]),
            "Read": r["order"],
            "How it was decided": f"{DATE_BASES.get(r['basis'], r['basis'])}: {r['reason']}",
        }
        for r in dq["date_readings"]
    ]
    columns = ["Where", "Read", "How it was decided"]
    return pd.DataFrame(rows, columns=columns).set_index("Where")
