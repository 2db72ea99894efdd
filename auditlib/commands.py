"""Subcommand definitions. Heavy imports happen inside each ``run`` so ``--help`` is quick."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from auditlib.cli import command
from auditlib.paths import DEMO_DATA_DIR, OUTPUTS_DIR


def _data_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        type=Path,
        default=DEMO_DATA_DIR,
        metavar="DIR",
        help="data folder with programme.yml and audits.* (default: the demo programme, data/demo)",
    )


def _disclosure_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--disclosure",
        choices=("internal", "published"),
        default=None,
        help="disclosure profile (default: programme.yml's setting)",
    )


def _validate_arguments(parser: argparse.ArgumentParser) -> None:
    _data_argument(parser)
    parser.add_argument(
        "--problems-csv",
        type=Path,
        metavar="FILE",
        help="also write every problem, one row each, to this CSV file",
    )


@command(
    "validate",
    "Check a data folder and list every problem (file, row, column, value).",
    _validate_arguments,
)
def run_validate(args: argparse.Namespace) -> int:
    from auditlib.validation import format_problem_table, validate_folder

    report = validate_folder(args.data)
    problems = report.data.problems
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
        return 1
    print("OK: the data folder can be reported on.")
    return 0


def _demo_data_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        default=DEMO_DATA_DIR,
        metavar="DIR",
        help="folder to write (default: data/demo)",
    )
    parser.add_argument(
        "--seed", type=int, default=2018, metavar="N", help="random seed (default 2018)"
    )
    parser.add_argument(
        "--scale",
        type=int,
        default=1,
        metavar="K",
        help="copies of the programme, for benchmarks (default 1)",
    )
    parser.add_argument(
        "--format",
        choices=("csv", "parquet"),
        default=None,
        help="audits file format (default: csv, or parquet when --scale > 50)",
    )


@command(
    "demo-data",
    "Write the synthetic demo programme (no real child), calibrated to the seed report.",
    _demo_data_arguments,
)
def run_demo_data(args: argparse.Namespace) -> int:
    from auditlib.demo import write_programme

    fmt = args.format or ("parquet" if args.scale > 50 else "csv")
    files = write_programme(args.out, seed=args.seed, scale=args.scale, fmt=fmt)
    print(
        f"Wrote {len(files)} files to {args.out} (seed {args.seed}, scale {args.scale}, audits as {fmt})."
    )
    return 0


def _report_arguments(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--month", metavar="YYYY-MM", help="the month to report on")
    which.add_argument("--all", action="store_true", help="every month with audits")
    _data_argument(parser)
    parser.add_argument(
        "--out",
        type=Path,
        default=OUTPUTS_DIR,
        metavar="DIR",
        help="output folder (default: outputs/)",
    )
    parser.add_argument(
        "--jobs", type=int, default=None, metavar="N", help="months run in parallel (default: CPUs)"
    )
    _disclosure_argument(parser)
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


@command(
    "report",
    "Produce the Audit Highlights Report for one month (--month) or every month (--all).",
    _report_arguments,
)
def run_report(args: argparse.Namespace) -> int:
    from auditlib import metrics
    from auditlib.errors import ReportError
    from auditlib.figures import check_report_month
    from auditlib.paths import NOTEBOOKS_DIR
    from auditlib.pipeline import load_audit_data
    from auditlib.programme import check_month
    from auditlib.runner import run_months

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
    parameters = {"disclosure": args.disclosure} if args.disclosure else {}
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


def _shifts_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--a",
        required=True,
        metavar="FROM:TO",
        help="period A, the earlier (reference) period: months YYYY-MM:YYYY-MM, or one month",
    )
    parser.add_argument(
        "--b",
        required=True,
        metavar="FROM:TO",
        help="period B, compared with A: after A and not overlapping it",
    )
    parser.add_argument(
        "--by",
        choices=("team", "area", "cohort", "domain"),
        default=None,
        help="also compare the periods group by group (p-values Holm-adjusted)",
    )
    _data_argument(parser)
    parser.add_argument(
        "--out",
        type=Path,
        default=OUTPUTS_DIR,
        metavar="DIR",
        help="output folder; the report goes in DIR/shifts/<A>_vs_<B>[_by-<by>]/ (default: outputs/)",
    )
    _disclosure_argument(parser)


@command(
    "shifts",
    "Judgement shifts: compare period B with period A (optionally by team, area, cohort or domain).",
    _shifts_arguments,
)
def run_shifts(args: argparse.Namespace) -> int:
    from auditlib.shift_report import run_shift_report

    html = run_shift_report(args.a, args.b, args.by, args.data, args.out, args.disclosure)
    print(f"Judgement-shift report: {html}")
    return 0
