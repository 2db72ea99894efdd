"""Stand-in process for a kernel forked by auditlib's zygote (see auditlib.publish.kernelpool).

Run as ``python -I _kernel_client.py SOCKET -- KERNEL_ARGV...`` by jupyter_client
in place of the kernel: asks the zygote to fork a kernel with this process's
working directory, environment and standard streams, forwards signals to it,
and exits with its exit code. Standard library only, so it starts in
milliseconds.
"""

import contextlib
import json
import os
import signal
import socket
import sys


def _die_with_parent() -> None:
    """Get SIGTERM (forwarded to the kernel, which then exits) when the parent dies."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG


def main(argv: list[str]) -> int:
    parent = os.getppid()
    _die_with_parent()
    socket_path, kernel_argv = argv[0], argv[2:]
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(socket_path)
    request = {"argv": kernel_argv, "cwd": os.getcwd(), "env": dict(os.environ)}
    socket.send_fds(conn, [json.dumps(request).encode() + b"\n"], [0, 1, 2])
    reader = conn.makefile("rb")
    first = reader.readline()
    if not first:
        return 1
    pid = json.loads(first)["pid"]

    def forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(OSError):
            os.kill(pid, signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1):
        signal.signal(signum, forward)
    if os.getppid() != parent:  # the parent died before the signal was asked for
        forward(signal.SIGTERM, None)
    while True:
        try:
            line = reader.readline()
        except InterruptedError:
            continue
        if not line:
            return 1  # the zygote went away
        return int(json.loads(line).get("exit", 1))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
