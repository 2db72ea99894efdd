"""``python -m auditlib …`` is the same as the ``auditlib`` command."""

from auditlib.cli import main

raise SystemExit(main())
