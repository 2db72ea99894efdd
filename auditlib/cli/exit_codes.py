"""The exit codes of every ``auditlib`` command (docs/data-contract.md lists them)."""

from __future__ import annotations

from auditlib.publish.pdf import EXIT_PDF_MISSING

#: Done: every report produced, or the data folder can be reported on.
OK = 0
#: Stopped by an error a user can fix: data, settings, a report that failed.
ERROR = 1
#: The command line was wrong (argparse's own code).
USAGE = 2
#: Done, but an optional file (feedback, reflections, recommendations, names) failed its
#: checks and was left out, with the report sections it feeds.
DEGRADED = 3
#: Every report written, but a PDF asked for with --pdf could not be made.
PDF_MISSING = EXIT_PDF_MISSING
#: Interrupted (Ctrl-C); nothing half-written was kept.
INTERRUPTED = 130
