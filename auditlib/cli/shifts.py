"""``auditlib shifts``: the statisticians' judgement-shift report for two periods."""

from __future__ import annotations

import argparse

from auditlib.cli.arguments import add_data_argument, add_disclosure_argument, add_out_argument

NAME = "shifts"
HELP = (
    "Judgement shifts: compare period B with period A (optionally by team, area, cohort or domain)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
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
    add_data_argument(parser)
    add_out_argument(
        parser,
        "output folder; the report goes in DIR/shifts/<A>_vs_<B>[_by-<by>]/ (default: outputs/)",
    )
    add_disclosure_argument(parser)


def run(args: argparse.Namespace) -> int:
    from auditlib.publish.shifts import run_shift_report

    html = run_shift_report(args.a, args.b, args.by, args.data, args.out, args.disclosure)
    print(f"Judgement-shift report: {html}")
    return 0
