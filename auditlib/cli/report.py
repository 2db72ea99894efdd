"""``auditlib report``: one month's Audit Highlights Report, or every month's."""

from __future__ import annotations

import argparse
from pathlib import Path

from auditlib.cli.arguments import add_data_argument, add_disclosure_argument, add_out_argument

NAME = "report"
HELP = "Produce the Audit Highlights Report for one month (--month) or every month (--all)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--month", metavar="YYYY-MM", help="the month to report on")
    which.add_argument("--all", action="store_true", help="every month with audits")
    add_data_argument(parser)
    add_out_argument(parser, "output folder (default: outputs/)")
    parser.add_argument(
        "--jobs", type=int, default=None, metavar="N", help="months run in parallel (default: CPUs)"
    )
    add_disclosure_argument(parser)
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from auditlib.analysis import metrics
    from auditlib.data.pipeline import load_audit_data
    from auditlib.data.programme import check_month
    from auditlib.errors import ReportError
    from auditlib.paths import NOTEBOOKS_DIR
    from auditlib.publish.runner import run_months
    from auditlib.report.figures import check_report_month

    # Check the data once, here, so a bad file is one plain message, not one per month.
    data = load_audit_data(args.data)
    if args.all:
        months = metrics.audited_months(data.audits)
        if not months:
            raise ReportError(f"{args.data}: no month has any allocated audits")
    else:
        month = check_month(args.month, "--month")
        check_report_month(data, month)
        months = [month]
    # Batch runs leave out the notebook's explore cells (the frames an analyst looks at).
    parameters: dict[str, object] = {"explore": False}
    if args.disclosure:
        parameters["disclosure"] = args.disclosure
    summary = run_months(
        months,
        NOTEBOOKS_DIR / "monthly_highlights.ipynb",
        args.data,
        args.out,
        parameters,
        jobs=args.jobs,
        progress=not args.no_progress,
    )
    print(summary.describe())
    index = Path(args.out).resolve() / "index.html"
    if summary.succeeded:
        print(f"Reports: {index}")
    return summary.exit_code
