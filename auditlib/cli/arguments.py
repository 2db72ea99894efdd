"""Arguments several subcommands share, defined once."""

from __future__ import annotations

import argparse
from pathlib import Path

from auditlib.paths import DEMO_DATA_DIR, OUTPUTS_DIR


def add_data_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        type=Path,
        default=DEMO_DATA_DIR,
        metavar="DIR",
        help="data folder with programme.yml and audits.* (default: the demo programme, data/demo)",
    )


def add_disclosure_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--disclosure",
        choices=("internal", "published"),
        default=None,
        help="disclosure profile (default: programme.yml's setting)",
    )


def add_out_argument(parser: argparse.ArgumentParser, help: str) -> None:
    parser.add_argument("--out", type=Path, default=OUTPUTS_DIR, metavar="DIR", help=help)
