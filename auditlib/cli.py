"""The ``auditlib`` command. Every subcommand catches :class:`AuditlibError` and
prints a plain message with a non-zero exit: users never see a traceback for
a problem they can fix."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from auditlib import __version__
from auditlib.errors import AuditlibError

#: name → (help, add_arguments, run); subcommands register themselves below.
Command = tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]
COMMANDS: dict[str, Command] = {}


def command(name: str, help: str, add_arguments: Callable[[argparse.ArgumentParser], None]):
    """Register ``run(args) -> exit code`` as the subcommand ``name``."""

    def register(run: Callable[[argparse.Namespace], int]):
        COMMANDS[name] = (help, add_arguments, run)
        return run

    return register


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="auditlib",
        description="Children's social care case-audit data → monthly Audit Highlights Reports.",
    )
    parser.add_argument("--version", action="version", version=f"auditlib {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, add_arguments, run) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        add_arguments(p)
        p.set_defaults(run=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    _load_commands()
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


def _load_commands() -> None:
    """Import the modules that register subcommands (kept lazy so --help is fast)."""
    from auditlib import commands  # noqa: F401


if __name__ == "__main__":
    raise SystemExit(main())
