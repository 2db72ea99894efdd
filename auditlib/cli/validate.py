"""``auditlib validate``: check a data folder and list every problem."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from auditlib.cli.arguments import add_data_argument

NAME = "validate"
HELP = "Check a data folder and list every problem (file, row, column, value)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_argument(parser)
    parser.add_argument(
        "--problems-csv",
        type=Path,
        metavar="FILE",
        help="also write every problem, one row each, to this CSV file",
    )


def run(args: argparse.Namespace) -> int:
    from auditlib.cli import exit_codes
    from auditlib.data.validation import (
        format_problem_table,
        format_summaries,
        summarise_problems,
        validate_folder,
    )

    report = validate_folder(args.data)
    problems = report.data.problems
    summaries = summarise_problems(problems)
    if summaries:
        # Many problems of one kind usually share one cause: say so before the list.
        print("Problems of one kind, many times:")
        print(format_summaries(summaries))
        print()
    if problems:
        print(format_problem_table(problems))
        print()
    print(report.summary())
    if args.problems_csv:
        import csv

        with open(args.problems_csv, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["severity", "file", "row", "column", "value", "problem"])
            for p in problems:
                writer.writerow(
                    [p.severity, p.file, p.row or "", p.column or "", p.value or "", p.reason]
                )
        print(f"Every problem written to {args.problems_csv}")
    if not report.ok:
        print(
            "Fix the errors above (or map local labels in programme.yml) and run again.",
            file=sys.stderr,
        )
        return exit_codes.ERROR
    if report.degraded:
        left_out = ", ".join(report.data.left_out_sections)
        print(
            f"The report can be produced, but without: {left_out} "
            f"(exit code {exit_codes.DEGRADED}). Fix the files named above to include them."
        )
        return exit_codes.DEGRADED
    warnings = len(report.data.warnings)
    print(
        "OK: the data folder can be reported on"
        + (f" ({warnings} warning(s) above are worth reading)." if warnings else ".")
    )
    return exit_codes.OK
