"""The ``auditlib`` command's entry point: start what takes longest first, then run it.

``auditlib report`` spends its first two seconds waiting for the kernels' pre-imported
process (:mod:`auditlib.publish.kernelpool`) to import the scientific libraries. This
module imports almost nothing, so for ``report`` that process starts a tenth of a second
after the command does, before the command line is even parsed; then the command runs
as usual (:func:`auditlib.cli.main.run_command`), and finds it running.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import NoReturn

#: Options after ``report`` that mean no kernels will be started.
_NO_KERNELS = ("-h", "--help", "--no-kernel-preload")


def run() -> NoReturn:
    """The ``auditlib`` command."""
    start_kernels_early(sys.argv[1:])
    from auditlib.cli.main import run_command

    run_command()


def start_kernels_early(args: Sequence[str]) -> bool:
    """Start the kernels' process now if ``args`` are a ``report`` command that will need
    it, preloading the data folder ``--data`` names (the demo programme by default);
    returns whether it was started. A guess the command line turns out not to match (a
    folder written another way) costs nothing but the head start: the kernels then read
    the data folder themselves."""
    if not sys.platform.startswith("linux") or not args or args[0] != "report":
        return False
    if any(arg in _NO_KERNELS for arg in args):
        return False
    data = None
    for i, arg in enumerate(args):
        if arg == "--data" and i + 1 < len(args):
            data = args[i + 1]
        elif arg.startswith("--data="):
            data = arg.split("=", 1)[1]
    from auditlib.paths import DEMO_DATA_DIR, NOTEBOOKS_DIR
    from auditlib.publish import kernelpool
    from auditlib.publish.layout import MONTHLY_NOTEBOOK

    kernelpool.start(NOTEBOOKS_DIR / MONTHLY_NOTEBOOK, data_dir=data or DEMO_DATA_DIR)
    return True


if __name__ == "__main__":
    run()
