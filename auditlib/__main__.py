"""``python -m auditlib …`` is the same as the ``auditlib`` command."""

from auditlib.launch import run

run()
