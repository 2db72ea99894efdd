"""``auditlib validate``: check a data folder and list every problem."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Final

from auditlib.cli.arguments import add_data_argument
from auditlib.errors import AuditlibError, Problem

if TYPE_CHECKING:
    from auditlib.data.pipeline import AuditData

NAME = "validate"
#: The first row of a problem list: how an earlier list written by auditlib is recognised.
PROBLEMS_HEADER: Final = ("severity", "file", "row", "column", "value", "problem")
HELP = "Check a data folder and list every problem (file, row, column, value)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_argument(parser)
    parser.add_argument(
        "--problems-csv",
        type=Path,
        metavar="FILE",
        help="also write every problem, one row each, to this CSV file (never over an input "
        "file or a file that is not an earlier problem list)",
    )


def run(args: argparse.Namespace) -> int:
    """Check the data folder, print every problem (and write them as CSV if asked)."""
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
        write_problems_csv(args.problems_csv, problems, report.data)
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


def write_problems_csv(path: Path, problems: list[Problem], data: AuditData) -> Path:
    """Write every problem, one row each, to ``path`` — never over anything but an earlier list.

    Refused (with a plain message, nothing written) when ``path`` is one of the data
    folder's input files or a name auditlib would read as one, or when a file that is
    not a problem list written by auditlib (its first line is :data:`PROBLEMS_HEADER`)
    is already there. Cells are neutralised against formula injection.
    """
    from auditlib.publish.csvfiles import csv_text, write_csv

    target = Path(path)
    if _is_input(target, data):
        raise AuditlibError(
            f"--problems-csv {target}: that is an input file of the data folder {data.data_dir} "
            "(or a name auditlib reads as one); nothing was written. Choose another file name."
        )
    if os.path.lexists(target):
        if target.is_symlink() or not target.is_file():
            raise AuditlibError(
                f"--problems-csv {target}: it exists and is not an ordinary file; nothing was "
                "written. Choose another file name."
            )
        header = csv_text(PROBLEMS_HEADER, []).encode("utf-8")
        with open(target, "rb") as handle:
            first = handle.read(len(header))
        if first != header:
            raise AuditlibError(
                f"--problems-csv {target}: it exists and is not a problem list written by "
                "auditlib, so it was left alone and nothing was written. Choose another file name."
            )
    rows = ([p.severity, p.file, p.row, p.column, p.value, p.reason] for p in problems)
    return write_csv(target, PROBLEMS_HEADER, rows)


def _is_input(target: Path, data: AuditData) -> bool:
    """True when ``target`` is, or would be read as, one of the data folder's inputs."""
    from auditlib.data.loading import RECOMMENDATIONS_FILE, TABLES
    from auditlib.data.programme import PROGRAMME_FILE

    folder = data.data_dir
    names = {PROGRAMME_FILE, RECOMMENDATIONS_FILE, data.programme.denylist or "names.txt"}
    names |= {f"{table}{ext}" for table, (_, exts) in TABLES.items() for ext in exts}
    inputs = [folder / name for name in names] + [folder / f for f in data.programme.files.values()]
    resolved = Path(os.path.realpath(target))
    for candidate in inputs:
        if resolved == Path(os.path.realpath(candidate)):
            return True
        with contextlib.suppress(OSError):
            if target.exists() and candidate.exists() and os.path.samefile(target, candidate):
                return True
    return False
