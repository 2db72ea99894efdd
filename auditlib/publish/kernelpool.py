"""Fresh kernels without the start-up cost: fork each month's kernel from a pre-imported process.

Starting a Python kernel and importing pandas, matplotlib, seaborn and scipy
costs a few seconds of CPU for every month, almost all of it identical work.
A *zygote* process does that work once: it imports the modules a notebook
imports (and ipykernel), then waits. Each kernel is a ``fork()`` of the zygote
that becomes an ordinary ipykernel, so every month still runs in its own
process that has run no other notebook's code: nothing a notebook does
(globals, caches, matplotlib or seaborn settings, random state) reaches another
month. NumPy's global random state is reseeded in each kernel, as a fresh
process would be.

How it plugs in: :func:`kernel_manager_class` returns a jupyter_client kernel
manager whose kernel command is a tiny client (``_kernel_client.py``) that
asks the zygote for a kernel over a Unix socket, passing its stdin/stdout/
stderr, and stays alive as the kernel's stand-in: it forwards signals
(interrupt, terminate) to the kernel and exits with the kernel's exit code, so
jupyter_client manages it like any local kernel. If the client is killed, the
kernel notices and exits. Kernels that are not this Python's ipykernel are
launched the ordinary way.

One zygote serves the process that started it and the worker processes it forks
(``report --all`` starts one before forking its workers, so the imports are paid once,
not once per worker); it exits when the process that started it exits — even when it is
killed with ``kill -9``: the zygote asks the kernel for a signal when its parent dies
(Linux ``PR_SET_PDEATHSIG``, see :func:`die_with_parent`), stops its kernels on that
signal, and every kernel it forks asks for the same signal when the zygote dies. No
process of a run outlives it.
"""

from __future__ import annotations

import ast
import atexit
import contextlib
import ctypes
import functools
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Final

from auditlib.lazy import LAZY_MODULES

#: What a kernel needs and a section helper (:mod:`auditlib.report.sharing`) does not: the
#: zygote imports these last, after the data, and forks a helper asked for meanwhile first.
KERNEL_ONLY_PRELOAD: Final = (
    "ipykernel.kernelapp",
    "matplotlib_inline.backend_inline",
    # What every kernel imports as it starts, imported once here instead (its debugger
    # without debugpy: see _prepare_imports).
    "ipykernel.ipkernel",
    "ipykernel.debugger",
    # And what IPython and ipykernel import as a kernel initialises (a fiftieth of a second
    # each time): its debugger, completer and history (sqlite3), and tornado's event loop.
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.extensions.storemagic",
    "IPython.utils.wildcard",
    "faulthandler",
    "sqlite3",
    "tornado.platform.asyncio",
)
#: Imported by every zygote; the notebook's own imports are added to these (a notebook
#: that imports seaborn, say, gets it preloaded too; one that does not is spared its import).
DEFAULT_PRELOAD: Final = (
    "numpy",
    "pandas",
    "scipy.stats",
    "matplotlib",
    "matplotlib.pyplot",
    *KERNEL_ONLY_PRELOAD,
    # What auditlib imports on first use (so that ``auditlib report`` itself starts fast);
    # every month's kernel uses them, so the zygote imports them once for all.
    *LAZY_MODULES,
)
_INLINE_BACKEND: Final = "module://matplotlib_inline.backend_inline"
#: The youngest generation's collection threshold in every kernel (Python's is 700).
KERNEL_GC_THRESHOLD: Final = 10_000
#: Set in the zygote before numpy loads, so every kernel has it: one BLAS thread. A kernel's
#: matrices are small (a few thousand rows), where OpenBLAS's thread pool costs far more
#: CPU than it saves (a matrix rank took 20 times the CPU with two threads on two cores),
#: and the runner already keeps every core busy with a kernel of its own.
KERNEL_THREADS_ENV: Final = {"OPENBLAS_NUM_THREADS": "1"}
_CLIENT_SCRIPT: Final = Path(__file__).with_name("_kernel_client.py")
#: The pid of the process that started a zygote, passed in its environment.
_OWNER_ENV: Final = "AUDITLIB_ZYGOTE_OWNER"

#: Linux prctl option: the signal this process gets when its parent dies.
PR_SET_PDEATHSIG: Final = 1

#: How often a kernel told to shut down is checked for having gone (jupyter_client: 0.1 s).
SHUTDOWN_POLL_SECONDS: Final = 0.005
#: How long IOPub may stay silent after the kernel's first answer before it counts as not
#: yet connected, and the kernel is asked again. A new subscriber misses what is broadcast
#: before its subscription has reached the kernel; jupyter_client waits 0.2 s to find
#: that out, and nearly every kernel start paid it.
IOPUB_CONNECT_SECONDS: Final = 0.02
#: How long IOPub may then stay silent before the start counts as done all the same
#: (jupyter_client's own wait).
IOPUB_SILENCE_SECONDS: Final = 0.2
#: What a kernel's IOPub sends a subscriber once it has its subscription (JEP 65, XPUB).
IOPUB_WELCOME: Final = "iopub_welcome"

_POOL: Zygote | None = None
#: What this process handed over to its zygote (see :func:`hand_over`).
_HANDED_OVER: object | None = None
#: Tells a zygote which data folder to load ahead for its kernels.
_DATA_ENV: Final = "AUDITLIB_PRELOAD_DATA"
#: Tells a zygote where the data folder it loads ahead may have been left for it, loaded.
_HANDOFF_ENV: Final = "AUDITLIB_PRELOAD_HANDOFF"
#: Set in the zygote after its imports: fork() is only safe while the process has one thread.
_FORK_SAFE = True


def die_with_parent(signum: int = signal.SIGTERM, parent: int | None = None) -> bool:
    """Ask Linux to send this process ``signum`` when its parent process dies.

    ``parent`` is the pid the caller expects as its parent: if that parent has already
    gone (it died before the request was made), the signal is sent at once. Returns False
    where this is not available (not Linux), True otherwise.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if parent is not None and os.getppid() != parent:
        os.kill(os.getpid(), signum)
    return True


def same_interpreter(command: str, executable: str) -> bool:
    """Whether ``command`` runs the interpreter ``executable`` is, in the same environment.

    The same file (a link to it) is; so is an identical copy in the same folder: a virtual
    environment made without links (Python's ``venv.EnvBuilder`` by default, or ``python3
    -m venv --copies``) has ``python``, ``python3`` and ``python3.11`` as three copies of
    one program, and the kernel's ``python`` is then not the same file as the
    ``python3`` a command was started with.
    """
    import filecmp

    try:
        if os.path.samefile(command, executable):
            return True
        return os.path.samefile(
            os.path.dirname(os.path.abspath(command)), os.path.dirname(os.path.abspath(executable))
        ) and filecmp.cmp(command, executable, shallow=False)
    except OSError:
        return False


# ---------------------------------------------------------------- worker side
class Zygote:
    """A running zygote process and the Unix socket it listens on."""

    def __init__(self, preload: Iterable[str], data_dir: str | None = None) -> None:
        self._dir = tempfile.mkdtemp(prefix="auditlib-kernels-")
        self.socket_path = os.path.join(self._dir, "zygote.sock")
        self.preload = tuple(dict.fromkeys(preload))
        self.owner = os.getpid()  # only the owner stops it; forked children may use it
        self.data_dir = data_dir
        #: Where this process may leave the data folder it has loaded, for the zygote to
        #: take instead of loading it again (see :func:`hand_over`).
        self.handoff = os.path.join(self._dir, "data.pickle")
        # Bound here, so clients can connect (and queue) while the zygote is still importing.
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(self.socket_path)
        listener.listen(64)
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "auditlib.publish.kernelpool",
                    str(listener.fileno()),
                    *self.preload,
                ],
                stdin=subprocess.PIPE,  # the zygote exits when this pipe closes (this process ended)
                pass_fds=[listener.fileno()],
                start_new_session=True,  # Ctrl-C in a terminal is not for the kernels
                env={
                    **os.environ,
                    _OWNER_ENV: str(os.getpid()),
                    **({_DATA_ENV: data_dir, _HANDOFF_ENV: self.handoff} if data_dir else {}),
                },
            )
        finally:
            listener.close()

    def alive(self) -> bool:
        if self.owner == os.getpid():
            return self.process.poll() is None
        # In a forked worker the zygote is not our child: ask the system, not waitpid.
        try:
            os.kill(self.process.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return os.path.exists(self.socket_path)

    def client_cmd(self, kernel_cmd: list[str]) -> list[str]:
        """The command that starts ``kernel_cmd`` as a fork of this zygote."""
        return [sys.executable, "-I", str(_CLIENT_SCRIPT), self.socket_path, "--", *kernel_cmd]

    def can_fork(self, kernel_cmd: list[str]) -> bool:
        """Only this interpreter's ipykernel can be forked from the zygote.

        Interpreter options such as ``-Xfrozen_modules=off`` (which ``ipykernel install``
        writes into kernel.json for the debugger) do not change what the kernel runs.
        """
        args = [a for a in kernel_cmd[1:] if not a.startswith("-X")]
        if len(kernel_cmd) < 3 or args[:2] != ["-m", "ipykernel_launcher"]:
            return False
        return same_interpreter(kernel_cmd[0], sys.executable)

    def start_section_helper(self, folder: str) -> socket.socket | None:
        """Ask for a section helper sharing ``folder`` with a month's kernel (see
        :mod:`auditlib.report.sharing`), forked from this zygote once its imports are done.

        Returns at once (the zygote may still be importing) with the connection that keeps
        the helper alive: close it and the helper exits. None if the zygote cannot be asked.
        """
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.connect(self.socket_path)
            conn.sendall(json.dumps({"section_helper": folder}).encode() + b"\n")
        except OSError:
            conn.close()
            return None
        return conn

    def stop(self) -> None:
        if self.process.stdin and not self.process.stdin.closed:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for path in (self.socket_path, self.handoff, self.handoff + ".partial"):
            with contextlib.suppress(OSError):
                os.unlink(path)
        with contextlib.suppress(OSError):
            os.rmdir(self._dir)


def start(
    notebook: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
) -> Zygote:
    """This process's zygote, started if need be, preloading what ``notebook`` imports
    and, given ``data_dir``, that data folder cleaned (see
    :func:`auditlib.report.preload.preload`)."""
    global _POOL
    if _POOL is None or not _POOL.alive():
        preload = [*DEFAULT_PRELOAD, *(notebook_imports(notebook) if notebook else [])]
        folder = str(Path(data_dir).resolve()) if data_dir else None
        _POOL = Zygote(preload, folder)
        atexit.register(stop)
        # multiprocessing workers leave through os._exit, which skips atexit.
        from multiprocessing import util

        util.Finalize(None, stop, exitpriority=10)
    return _POOL


def hand_over(data: object) -> bool:
    """Leave ``data`` (an :class:`~auditlib.data.pipeline.AuditData` this process has just
    loaded) for this process's zygote, if it loads the same folder ahead: the zygote, done
    with its imports, takes it instead of reading and cleaning the folder again, when the
    folder's files are still byte for byte the ones loaded. Returns whether it was left."""
    import pickle

    zygote = _POOL
    folder = getattr(data, "data_dir", None)
    if zygote is None or zygote.owner != os.getpid() or not zygote.data_dir or folder is None:
        return False
    if str(Path(folder).resolve()) != zygote.data_dir:
        return False
    partial = zygote.handoff + ".partial"
    try:
        with open(partial, "wb") as out:
            pickle.dump(data, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, zygote.handoff)  # whole or not at all
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        with contextlib.suppress(OSError):
            os.unlink(partial)
        return False
    global _HANDED_OVER
    _HANDED_OVER = data
    return True


def handed_over(data_dir: str | os.PathLike[str]) -> object | None:
    """The data this process handed over (:func:`hand_over`) if it is that of ``data_dir``."""
    data = _HANDED_OVER
    if data is None or _POOL is None or _POOL.owner != os.getpid():
        return None
    if str(Path(data_dir).resolve()) != str(Path(data.data_dir).resolve()):  # type: ignore[attr-defined]
        return None
    return data


def running() -> Zygote | None:
    """This process's zygote (or the one it inherited), if one is running."""
    return _POOL if _POOL is not None and _POOL.alive() else None


def stop() -> None:
    """Stop this process's zygote (its kernels are told to exit too)."""
    global _POOL, _HANDED_OVER
    if _POOL is not None and _POOL.owner == os.getpid():
        _POOL.stop()
    _POOL = _HANDED_OVER = None


def kernel_manager_class(
    notebook: str | os.PathLike[str] | None = None,
    *,
    fork: bool = True,
    env: dict[str, str] | None = None,
) -> type:
    """A jupyter_client kernel manager class for report runs.

    Its kernels talk over Unix sockets in the temporary folder (no TCP ports to
    collide between parallel kernels, no plain-TCP warning). With ``fork`` they
    are forked from this process's zygote, started now if need be. ``env`` is added
    to each kernel's environment.
    """
    extra_env = dict(env or {})
    import uuid

    from jupyter_client.manager import AsyncKernelManager

    # fork() without exec is only dependable on Linux (macOS system libraries refuse it).
    zygote = start(notebook) if fork and sys.platform.startswith("linux") else None

    class ReportKernelManager(AsyncKernelManager):  # type: ignore[misc]
        def __init__(self, **kwargs: object) -> None:
            kwargs.setdefault("transport", "ipc")
            # A short absolute path: Unix socket paths are limited to about 100 bytes.
            kwargs.setdefault(
                "ip", os.path.join(tempfile.gettempdir(), f"auditlib-{uuid.uuid4().hex[:12]}")
            )
            super().__init__(**kwargs)

        # The client that waits for the kernel's reply, not for 0.2 s of silence.
        client_factory = _report_kernel_client_class()  # type: ignore[assignment]

        async def _async_wait(self, pollinterval: float = 0.1) -> None:
            # jupyter_client checks every 0.1 s whether a kernel told to shut down has
            # gone, and so waits 0.1 s for a kernel that exits at once. The time limits
            # (then SIGTERM, then SIGKILL) are the caller's, as before.
            await super()._async_wait(pollinterval=min(pollinterval, SHUTDOWN_POLL_SECONDS))

        async def _async_interrupt_kernel(self) -> None:
            # jupyter_client interrupts a kernel before asking it to shut down; after a
            # notebook has run that only makes ipykernel log a "KeyboardInterrupt caught"
            # ERROR line into a batch run's output. The shutdown request (then SIGTERM,
            # then SIGKILL) still stops a busy kernel.
            if self.shutting_down:
                return
            await super()._async_interrupt_kernel()

        async def _async_pre_start_kernel(self, **kw: object) -> tuple[list[str], dict]:
            # A kernel started afresh (no zygote, or fork-and-exec) gets the zygote's thread
            # settings through its environment, so every kernel computes the same way.
            kernel_cmd, kw = await super()._async_pre_start_kernel(**kw)
            env = kw.get("env")
            if isinstance(env, dict):
                for name, value in KERNEL_THREADS_ENV.items():
                    env.setdefault(name, value)
                env.update(extra_env)
            return kernel_cmd, kw

        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            cmd = super().format_kernel_cmd(extra_arguments)
            if zygote is not None and zygote.alive() and zygote.can_fork(cmd):
                return zygote.client_cmd(cmd)
            return cmd

    return ReportKernelManager


@functools.cache
def _report_kernel_client_class() -> type:
    """The client class, built on first use (so that importing this module does not
    import jupyter_client)."""
    import time
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient

    class ReportKernelClient(AsyncKernelClient):  # type: ignore[misc]
        """jupyter_client's client, ready as soon as the kernel has answered.

        jupyter_client's ``wait_for_ready`` ends by reading the kernel's broadcast
        (IOPub) channel until it has been silent for 0.2 s, which every kernel start
        waits out in full, and it gives a kernel whose broadcasts it does not yet hear
        0.2 s before asking again. This one asks for the kernel's info as jupyter_client
        does, then reads IOPub until the kernel says it is idle after answering that
        request (the last message the request causes), or welcomes this client (it then
        hears it): the same messages are read, without the wait; and it asks again after
        0.02 s of silence. A kernel that never says either is waited for as before.
        """

        async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.time() + (float("inf") if timeout is None else timeout)
            while True:
                request = self.kernel_info()
                try:
                    reply = await self.shell_channel.get_msg(timeout=1)
                except Empty:
                    reply = None
                answered = reply is not None and reply["msg_type"] == "kernel_info_reply"
                if answered and await self._idle_after(request):
                    self._handle_kernel_info_reply(reply)
                    return
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.time() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

        wait_for_ready = _async_wait_for_ready

        async def _idle_after(self, request: str) -> bool:
            """Read IOPub up to the idle status that ends ``request``; False if IOPub
            stays silent for :data:`IOPUB_CONNECT_SECONDS` before any message (not yet
            connected: the caller asks again), True once that status is read, or the
            kernel's welcome (it has this client's subscription, JEP 65), or IOPub falls
            silent for :data:`IOPUB_SILENCE_SECONDS` after a message."""
            seen = False
            while True:
                wait = IOPUB_SILENCE_SECONDS if seen else IOPUB_CONNECT_SECONDS
                try:
                    msg = await self.iopub_channel.get_msg(timeout=wait)
                except (TimeoutError, Empty):
                    return seen
                seen = True
                # A kernel whose IOPub welcomes subscribers says so once it hears this
                # client: the status of a request sent before then was broadcast to no
                # one, and waiting for it would only wait out the silence.
                if msg["msg_type"] == IOPUB_WELCOME:
                    return True
                if (
                    msg["msg_type"] == "status"
                    and msg["content"].get("execution_state") == "idle"
                    and msg["parent_header"].get("msg_id") == request
                ):
                    return True

    return ReportKernelClient


def notebook_imports(notebook: str | os.PathLike[str]) -> list[str]:
    """The modules a notebook's code cells import (top-level statements; magics ignored).

    >>> import nbformat, tempfile, os
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_code_cell("import pandas as pd\\nfrom scipy import stats\\n%matplotlib inline")]
    >>> path = os.path.join(tempfile.mkdtemp(), "n.ipynb"); nbformat.write(nb, path)
    >>> notebook_imports(path)
    ['pandas', 'scipy', 'scipy.stats']
    """
    # Plain JSON, not nbformat: this runs before a zygote starts, and should be quick.
    try:
        with open(notebook, encoding="utf-8") as handle:
            cells = json.load(handle).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return []
    names: list[str] = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        text = cell.get("source", "")
        text = "".join(text) if isinstance(text, list) else str(text)
        source = "\n".join(
            line for line in text.splitlines() if not line.lstrip().startswith(("%", "!"))
        )
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.append(node.module)
                # "from scipy import stats" imports the submodule scipy.stats
                names += [
                    f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*"
                ]
    return list(dict.fromkeys(names))


# ---------------------------------------------------------------- the zygote process
def _serve(listener_fd: int, preload: list[str]) -> None:
    """Import everything, then fork a kernel for each client until stdin closes."""
    listener = socket.socket(fileno=listener_fd)
    children: dict[int, socket.socket] = {}
    clients: set[socket.socket] = set()
    waiting: list[tuple[socket.socket, dict, list[int]]] = []

    def start_helpers() -> None:
        """Fork the section helpers asked for while this process was importing; keep the
        kernels asked for until their own modules are imported too."""
        for conn in _waiting_connections(listener):
            request = _read_request(conn)
            if request is None:
                continue
            if "section_helper" in request[0]:
                folder = str(request[0]["section_helper"])
                pid = _fork_section_helper(folder, conn, listener, clients, children)
                if pid:
                    children[pid] = conn
                    seconds.append((folder, conn))
            else:
                waiting.append((conn, *request))

    seconds: list[tuple[str, socket.socket]] = []
    _prepare_imports(preload, before_kernel_modules=start_helpers)
    try:
        # The kernels asked for meanwhile, and the second helpers (left until now, so
        # that the first helpers and this process's last imports had the CPUs).
        for conn, request, fds in waiting:
            pid = _fork_kernel(conn, listener, clients, children, (request, fds))
            if pid:
                children[pid] = conn
        for folder, conn in seconds:
            _fork_second_helper(folder, conn, listener, clients, children)
        while True:
            readable, _, _ = select.select([listener, sys.stdin, *clients], [], [], 0.05)
            if sys.stdin in readable and not os.read(sys.stdin.fileno(), 4096):
                break  # the owning process has gone
            if listener in readable:
                conn, _ = listener.accept()
                clients.add(conn)
            for conn in [c for c in readable if c in clients]:
                clients.discard(conn)
                pid = _fork_kernel(conn, listener, clients, children)
                if pid:
                    children[pid] = conn
            _reap(children)
    finally:
        for pid in children:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)
        listener.close()


def _prepare_imports(
    preload: list[str], before_kernel_modules: Callable[[], None] | None = None
) -> None:
    """Import ``preload`` and load the data folder ahead; given ``before_kernel_modules``,
    call it once everything but the modules only a kernel needs (:data:`KERNEL_ONLY_PRELOAD`)
    is imported and the data loaded, and the process is ready to fork: a section helper
    forked then starts its month's work a tenth of a second sooner, on a CPU that would
    otherwise wait for the kernel."""
    # What ipykernel_launcher and IPKernelApp do before any user code.
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    os.environ.setdefault("MPLBACKEND", _INLINE_BACKEND)
    for name, value in KERNEL_THREADS_ENV.items():
        os.environ.setdefault(name, value)  # a setting of the user's own is kept
    # A report kernel runs without ipykernel's debugger: nobody steps through a batch run,
    # and its debugpy and pydevd cost every run a twentieth of a second to import (and
    # pydevd warns, into the terminal of whoever ran the report, that frozen modules may
    # make its breakpoints miss). With debugpy marked as not importable, ipykernel starts
    # its kernels without a debugger, as where debugpy is not installed.
    sys.modules.setdefault("debugpy", None)  # type: ignore[arg-type]
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # should pydevd come in all the same
    _import_each(name for name in preload if name not in KERNEL_ONLY_PRELOAD)
    _preload_data()
    if before_kernel_modules is not None:
        _ready_to_fork()
        before_kernel_modules()
    _import_each(name for name in preload if name in KERNEL_ONLY_PRELOAD)
    _ready_to_fork()


def _import_each(names: Iterable[str]) -> None:
    import importlib

    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # a module the notebook itself will fail to import, with its own message
            continue


def _preload_data() -> None:
    """The data folder the zygote was started for, loaded (or taken as the runner left it)."""
    folder = os.environ.pop(_DATA_ENV, "")
    handoff = os.environ.pop(_HANDOFF_ENV, "")
    if folder:
        try:
            from auditlib.report.preload import preload

            # The data loaded (or taken as the runner left it), and month-independent work
            # done, for every kernel.
            preload(folder, handed_over=handoff or None)
        except Exception:  # the kernel loads it again and says plainly what is wrong
            pass


def _ready_to_fork() -> None:
    import gc
    import threading

    global _FORK_SAFE
    # A preloaded module that started a thread makes forking unsafe: kernels are then
    # started by fork-and-exec instead, which is always safe (and as slow as usual).
    _FORK_SAFE = threading.active_count() == 1
    # Keep what exists now out of the collector, so that forks share its memory pages and
    # no kernel's collections go through it. (Not collected first: the little garbage the
    # imports leave would cost every run a tenth of a second to find.)
    gc.freeze()
    # A month's kernel makes many short-lived objects (frames, chart artists) and would
    # otherwise run the youngest collection some ninety times; fewer, larger ones give
    # the same result (nothing depends on when garbage is collected).
    gc.set_threshold(KERNEL_GC_THRESHOLD, *gc.get_threshold()[1:])


def _waiting_connections(listener: socket.socket) -> list[socket.socket]:
    """The connections waiting to be accepted now (without waiting for more)."""
    found = []
    while select.select([listener], [], [], 0)[0]:
        try:
            conn, _ = listener.accept()
        except OSError:
            break
        found.append(conn)
    return found


def _read_request(conn: socket.socket) -> tuple[dict, list[int]] | None:
    """A client's request and the file descriptors it passed (None, the connection closed,
    if it sent none)."""
    try:
        msg, fds, _, _ = socket.recv_fds(conn, 1 << 16, 3)
        while msg and not msg.endswith(b"\n"):
            more = conn.recv(1 << 16)
            if not more:
                break
            msg += more
        return json.loads(msg.decode()), fds
    except (OSError, ValueError):
        conn.close()
        return None


def _fork_kernel(
    conn: socket.socket,
    listener: socket.socket,
    clients: set[socket.socket],
    children: dict[int, socket.socket],
    received: tuple[dict, list[int]] | None = None,
) -> int:
    """Fork the kernel (or section helper) ``conn`` asks for, its request read now unless
    ``received``; returns its pid (0 if none was started)."""
    received = received or _read_request(conn)
    if received is None:
        return 0
    request, fds = received
    zygote_pid = os.getpid()
    if "section_helper" in request:
        folder = str(request["section_helper"])
        pid = _fork_section_helper(folder, conn, listener, clients, children)
        if pid:
            _fork_second_helper(folder, conn, listener, clients, children)
        return pid
    pid = os.fork()
    if pid:
        for fd in fds:
            os.close(fd)
        with contextlib.suppress(OSError):
            conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        return pid
    # ---- in the new kernel process
    try:
        listener.close()
        for other in [*clients, *children.values()]:
            other.close()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.chdir(request["cwd"])
        die_with_parent(signal.SIGKILL, parent=zygote_pid)  # the zygote gone, the kernel goes
        if not _FORK_SAFE:
            os.execve(request["argv"][0], request["argv"], request["env"])
        os.environ.clear()
        os.environ.update(request["env"])
        # IPKernelApp read JPY_PARENT_PID when the zygote imported it; name the real parent.
        sys.argv = [
            "ipykernel_launcher",
            f"--IPKernelApp.parent_handle={os.getppid()}",
            *request["argv"][request["argv"].index("ipykernel_launcher") + 1 :],
        ]
        _reseed()
        _exit_when_client_goes(conn)
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
    os._exit(code)


def _fork_section_helper(
    folder: str,
    conn: socket.socket,
    listener: socket.socket,
    clients: set[socket.socket],
    children: dict[int, socket.socket],
    second: bool = False,
) -> int:
    """Fork a section helper for the month's kernel sharing ``folder``: it builds the
    report's sections ahead of the kernel (:func:`auditlib.report.monthly.run_section_helper`;
    the ``second`` helper, those that need no statistics) and exits when done, or when the
    runner closes ``conn``."""
    if not _FORK_SAFE:
        conn.close()  # the kernel builds every section itself
        return 0
    zygote_pid = os.getpid()
    pid = os.fork()
    if pid:
        if not second:
            with contextlib.suppress(OSError):
                conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        return pid
    # ---- in the helper process: quiet, and gone with the zygote or the runner's connection
    code = 0
    try:
        listener.close()
        for other in [*clients, *children.values()]:
            other.close()
        devnull = os.open(os.devnull, os.O_RDWR)
        for target in (0, 1, 2):
            os.dup2(devnull, target)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        die_with_parent(signal.SIGKILL, parent=zygote_pid)
        _reseed()
        _exit_when_client_goes(conn)
        from auditlib.report import monthly

        monthly.run_section_helper(folder, second=second)
    except BaseException:  # the kernel builds whatever the helpers did not
        code = 1
    os._exit(code)


def _fork_second_helper(
    folder: str,
    conn: socket.socket,
    listener: socket.socket,
    clients: set[socket.socket],
    children: dict[int, socket.socket],
) -> None:
    """Fork the second section helper beside the first (``conn`` is the first one's)."""
    try:
        own = conn.dup()
    except OSError:
        return
    pid = _fork_section_helper(folder, own, listener, clients, children, second=True)
    if pid:
        children[pid] = own
    else:
        own.close()


def _reseed() -> None:
    """Give the kernel its own random state, as a fresh process would have."""
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()


def _exit_when_client_goes(conn: socket.socket) -> None:
    """The client is the kernel's stand-in for jupyter_client: if it dies, so does the kernel."""
    import threading

    def watch() -> None:
        with contextlib.suppress(OSError):
            while conn.recv(1024):
                pass
        os._exit(1)

    threading.Thread(target=watch, name="auditlib-client-watch", daemon=True).start()


def _reap(children: dict[int, socket.socket]) -> None:
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        conn = children.pop(pid, None)
        if conn is not None:
            code = os.waitstatus_to_exitcode(status)
            with contextlib.suppress(OSError):
                conn.sendall(json.dumps({"exit": code}).encode() + b"\n")
            conn.close()


def _main(argv: list[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Told to stop (or its owner died): leave through _serve's finally, which stops the kernels.
    signal.signal(signal.SIGTERM, _stop_serving)
    die_with_parent(signal.SIGTERM, parent=int(os.environ.get(_OWNER_ENV, os.getppid())))
    try:
        _serve(int(argv[0]), argv[1:])
    finally:
        # Its kernels told to go, nothing is left to tidy: leave without tearing down
        # every imported module, which the command that started it would wait for.
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(0)


def _stop_serving(_signum: int, _frame: object) -> None:
    raise SystemExit(0)


if __name__ == "__main__":
    _main(sys.argv[1:])
    sys.exit(0)
