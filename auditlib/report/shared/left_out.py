"""What a report says where a section is left out because its optional file failed its
checks (the rest of the report goes on; the run exits with a distinct code)."""

from __future__ import annotations

from auditlib.data.pipeline import AuditData, OptionalFailure
from auditlib.report.blocks import Callout

TITLE = "Left out"


def failures_for(data: AuditData, section: str) -> list[OptionalFailure]:
    """The optional files whose failure left ``section`` out ("feedback", "reflections", …)."""
    return [f for f in data.optional_failures if section in f.left_out]


def sentence(failure: OptionalFailure) -> str:
    """'feedback.csv could not be used (2 errors, the first in row 4, column 'source'), so
    the feedback section is left out.' — where, never the value (it could identify someone)."""
    n = len(failure.problems)
    first = failure.problems[0] if failure.problems else None
    where = ""
    if first is not None and (first.row is not None or first.column):
        parts = [
            f"row {first.row}" if first.row is not None else "",
            f"column '{first.column}'" if first.column else "",
        ]
        where = ", the first in " + ", ".join(p for p in parts if p)
    sections = " and ".join(failure.left_out)
    plural = "s are" if len(failure.left_out) > 1 else " is"
    return (
        f"{failure.file} could not be used ({n} error{'s' if n != 1 else ''}{where}), so the "
        f"{sections} section{plural} left out of this report."
    )


def notices(data: AuditData, section: str) -> list[Callout]:
    """A warning box for each optional file that left ``section`` out (none when it is in)."""
    return [
        Callout(
            sentence(f) + " Run auditlib validate to list every problem; fix the file and run the "
            "report again.",
            "warning",
            TITLE,
        )
        for f in failures_for(data, section)
    ]
