"""The ``auditlib`` command line: one module per subcommand, wired up in :mod:`.main`."""

from __future__ import annotations

from auditlib.cli.main import main, run_command

__all__ = ["main", "run_command"]
