"""The exit codes of every ``auditlib`` command (docs/data-contract.md lists them)."""

from __future__ import annotations

#: Done: every report produced, or the data folder can be reported on.
OK = 0
#: Stopped by an error a user can fix: data, settings, a report that failed.
ERROR = 1
#: The command line was wrong (argparse's own code).
USAGE = 2
#: Done, but an optional file (feedback, reflections, recommendations, names) failed its
#: checks and was left out, with the report sections it feeds.
DEGRADED = 3
#: Interrupted (Ctrl-C); nothing half-written was kept.
INTERRUPTED = 130
