"""The ``auditlib`` command. Every subcommand's errors become a plain message and a
non-zero exit: users never see a traceback for a problem they can fix."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from auditlib import __version__
from auditlib.cli import demo_data, freeze, report, shifts, validate
from auditlib.errors import AuditlibError

#: The subcommands, in the order ``--help`` lists them. Each module has ``NAME``, ``HELP``,
#: ``add_arguments(parser)`` and ``run(args) -> exit code``; heavy imports happen inside
#: ``run``, so ``--help`` is quick.
SUBCOMMANDS = (validate, demo_data, report, freeze, shifts)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="auditlib",
        description="Children's social care case-audit data → monthly Audit Highlights Reports.",
    )
    parser.add_argument("--version", action="version", version=f"auditlib {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in SUBCOMMANDS:
        p = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except AuditlibError as exc:
        print(f"auditlib {args.command}: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        # The machine, not auditlib: a full disk, a folder that cannot be written, a file
        # another program has locked. Say which file and why, without a traceback.
        where = f" {exc.filename}" if exc.filename else ""
        print(
            f"auditlib {args.command}: cannot read or write{where}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print(
            f"auditlib {args.command}: interrupted; nothing half-written was kept.", file=sys.stderr
        )
        return 130


def run_command(argv: Sequence[str] | None = None) -> NoReturn:
    """The ``auditlib`` command: :func:`main`, then exit with its code at once.

    Once the command is done, everything it wrote is closed and its exit handlers have
    run (the kernels' process stopped among them); what is left is Python tearing down
    every imported module (pandas, matplotlib, nbconvert…) one by one, a fifth of a
    second that every run would wait for. The output streams are flushed and the exit
    handlers run, then the process leaves without it.
    """
    leave(main(argv))


def leave(code: int) -> NoReturn:
    """Exit with ``code`` now: output flushed and exit handlers run, no module teardown."""
    import atexit

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (e.g. `auditlib … | head`)
            code = code or 1
    atexit._run_exitfuncs()
    os._exit(code)


if __name__ == "__main__":
    run_command()
