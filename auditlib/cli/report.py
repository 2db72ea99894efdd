"""``auditlib report``: one month's Audit Highlights Report, or every month's."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from auditlib.cli.arguments import add_data_argument, add_disclosure_argument, add_out_argument

NAME = "report"
HELP = (
    "Produce the Audit Highlights Report for one month (--month) or every month (--all); "
    "a month whose inputs are unchanged since its report was built is reused."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--month", metavar="YYYY-MM", help="the month to report on")
    which.add_argument("--all", action="store_true", help="every month with audits")
    add_data_argument(parser)
    add_out_argument(parser, "output folder (default: outputs/)")
    parser.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="months run in parallel (default: CPUs + 1)",
    )
    add_disclosure_argument(parser)
    parser.add_argument(
        "--force",
        action="store_true",
        help="rebuild every month even if its inputs are unchanged "
        "(a frozen month only when named with --month)",
    )
    parser.add_argument(
        "--pdf",
        action="store_true",
        help="also print each report to audit-highlights-YYYY-MM.pdf beside the HTML "
        "(A4, for a board pack; needs Chromium)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--no-kernel-preload",
        action="store_true",
        help="start each month's kernel afresh instead of forking it from a pre-imported one",
    )


def run(args: argparse.Namespace) -> int:
    from auditlib.paths import NOTEBOOKS_DIR
    from auditlib.publish.folders import check_out_apart_from_data
    from auditlib.publish.layout import MONTHLY_NOTEBOOK

    # Refused before anything starts: --out must not hold, or sit inside, the data folder.
    check_out_apart_from_data(args.out, args.data)

    notebook = NOTEBOOKS_DIR / MONTHLY_NOTEBOOK
    if sys.platform.startswith("linux") and not args.no_kernel_preload:
        from auditlib.publish import kernelpool

        # The kernels' imports (a couple of seconds) start first, alongside this command's
        # own imports and reading the data; stopped again if every month is up to date.
        kernelpool.start(notebook, data_dir=args.data)

    from auditlib.analysis import metrics
    from auditlib.cli import exit_codes
    from auditlib.data.pipeline import load_audit_data
    from auditlib.data.programme import check_month
    from auditlib.data.validation import run_notes
    from auditlib.errors import ReportError
    from auditlib.publish.fingerprint import month_fingerprints
    from auditlib.publish.runner import run_months
    from auditlib.report.figures import check_report_month, not_allocated_counts

    # Check the data once, here, so a bad file is one plain message, not one per month.
    data = load_audit_data(args.data)
    if sys.platform.startswith("linux") and not args.no_kernel_preload:
        # Left for the kernels' process, which then need not read and clean it again.
        kernelpool.hand_over(data)
    for note in run_notes(data):
        print(note, file=sys.stderr)
    if args.all:
        months = metrics.audited_months(data.audits)
        if not months:
            not_allocated = not_allocated_counts(data)
            told = " and ".join(f"{n} {status}" for status, n in not_allocated.items())
            raise ReportError(
                f"{args.data}: no month has any allocated audits"
                + (f": every audit was exempt or cancelled ({told})." if told else ".")
            )
    else:
        month = check_month(args.month, "--month")
        check_report_month(data, month)
        months = [month]
    # Batch runs leave out the notebook's explore cells (the frames an analyst looks at).
    parameters: dict[str, object] = {"explore": False}
    if args.disclosure:
        parameters["disclosure"] = args.disclosure
    pdf, no_pdf = _pdf_wanted(args.pdf)
    # What each month's report reads, so that a month whose inputs are unchanged is reused.
    fingerprints = month_fingerprints(data, months, notebook=notebook, parameters=parameters)
    summary = run_months(
        months,
        notebook,
        args.data,
        args.out,
        parameters,
        jobs=args.jobs,
        progress=not args.no_progress,
        prewarm=not args.no_kernel_preload,
        fingerprints=fingerprints,
        force=args.force,
        named=[] if args.all else months,
        frozen=data.programme.frozen,
        pdf=pdf,
    )
    print(summary.describe())
    index = Path(args.out).resolve() / "index.html"
    if summary.succeeded:
        print(f"Reports: {index}")
    if no_pdf and summary.succeeded:
        # The HTML reports are written; only the PDF part failed, and the exit code says so.
        print(f"auditlib report: {no_pdf}", file=sys.stderr)
        return summary.exit_code or exit_codes.PDF_MISSING
    if summary.exit_code == exit_codes.OK and data.optional_failures:
        # Produced, but without what a failed optional file feeds: a distinct exit code
        # so that a scheduled run can tell "done" from "done, with sections left out".
        left_out = ", ".join(data.left_out_sections)
        print(f"Produced without: {left_out} (see 'Left out' above).", file=sys.stderr)
        return exit_codes.DEGRADED
    return summary.exit_code


def _pdf_wanted(asked: bool) -> tuple[bool, str]:
    """Whether to print PDFs, and the message when they were asked for but cannot be made."""
    if not asked:
        return False, ""
    from auditlib.publish import pdf

    if pdf.find_chromium() is not None:
        return True, ""
    print(
        "auditlib report: --pdf: Chromium was not found, so the reports are written without PDFs.",
        file=sys.stderr,
    )
    return (
        False,
        f"No PDF was made. {pdf.missing_chromium_message()} The HTML reports were written.",
    )
