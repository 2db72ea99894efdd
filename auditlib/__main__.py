"""``python -m auditlib …`` is the same as the ``auditlib`` command."""

from auditlib.cli.main import run_command

run_command()
