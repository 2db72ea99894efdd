"""``python -m auditlib …`` is the same as the ``auditlib`` command."""

from auditlib.cli.main import main

raise SystemExit(main())
