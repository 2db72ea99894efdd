"""``auditlib freeze``: keep an approved month's report exactly as it was approved."""

from __future__ import annotations

import argparse
from pathlib import Path

from auditlib.cli.arguments import add_out_argument

NAME = "freeze"
HELP = (
    "Freeze an approved month's report so that no later run rebuilds it "
    "(--unfreeze to undo, --list to see which are frozen)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--month",
        metavar="YYYY-MM",
        action="append",
        default=[],
        help="the month to freeze (give it again for more months)",
    )
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--unfreeze", action="store_true", help="unfreeze the month(s) instead")
    what.add_argument("--list", action="store_true", help="list the frozen months")
    parser.add_argument(
        "--note", default="", help="why it is frozen, e.g. 'approved by the board on 3 Feb 2022'"
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        metavar="DIR",
        help="with --list: also list the months programme.yml in this data folder freezes",
    )
    add_out_argument(parser, "output folder holding the reports (default: outputs/)")


def run(args: argparse.Namespace) -> int:
    from auditlib.data.programme import check_month
    from auditlib.errors import ReportError
    from auditlib.publish import builds

    out = Path(args.out).resolve()
    if args.list:
        return _list(out, args.data)
    if not args.month:
        raise ReportError("say which month: auditlib freeze --month YYYY-MM (or --list)")
    months = [check_month(m, "--month") for m in args.month]
    for month in months:
        folder = out / month
        if args.unfreeze:
            if builds.unfreeze(folder):
                print(
                    f"{month} is no longer frozen: report --all rebuilds it when its inputs change."
                )
            else:
                print(
                    f"{month} was not frozen with auditlib freeze in {out}"
                    " (a month listed under frozen: in programme.yml stays frozen until it is "
                    "taken off that list)."
                )
            continue
        try:
            facts = builds.freeze(folder, month, args.note)
        except ValueError as exc:
            raise ReportError(
                f"{folder}: no complete report to freeze ({exc}); "
                f"build it first with auditlib report --month {month}."
            ) from None
        print(
            f"{month} is {facts.describe()}: report --all will leave {folder} as it is. "
            f"Only report --month {month} --force rebuilds it (and it stays frozen); "
            f"auditlib freeze --unfreeze --month {month} undoes this."
        )
    return 0


def _list(out: Path, data: Path | None) -> int:
    from auditlib.data.programme import load_programme
    from auditlib.data.schema import MONTH_RE
    from auditlib.publish import builds

    in_programme = load_programme(data).frozen if data is not None else {}
    months = sorted(
        {p.name for p in out.iterdir() if p.is_dir() and MONTH_RE.match(p.name)}
        if out.is_dir()
        else set()
    )
    frozen = [
        facts
        for month in sorted(set(months) | set(in_programme))
        if (facts := builds.frozen_state(out / month, month, in_programme)) is not None
    ]
    if not frozen:
        print(f"No month is frozen in {out}.")
        return 0
    for facts in frozen:
        print(f"{facts.month}: {facts.describe()}")
    return 0
