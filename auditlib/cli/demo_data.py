"""``auditlib demo-data``: write the synthetic demo programme."""

from __future__ import annotations

import argparse
from pathlib import Path

from auditlib.paths import DEMO_OUT_DIR

NAME = "demo-data"
HELP = "Write the synthetic demo programme (no real child), calibrated to the seed report."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        default=DEMO_OUT_DIR,
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


def run(args: argparse.Namespace) -> int:
    from auditlib.demo import write_programme

    fmt = args.format or ("parquet" if args.scale > 50 else "csv")
    files = write_programme(args.out, seed=args.seed, scale=args.scale, fmt=fmt)
    print(
        f"Wrote {len(files)} files to {args.out} (seed {args.seed}, scale {args.scale}, audits as {fmt})."
    )
    return 0
