"""auditlib.publish.kernelpool (and the runner's workers): no process outlives its run.

The real command runs ``report --all`` in parallel; once its workers, zygotes and kernels
are running, the parent is killed with SIGKILL (it can tell no one). Every process of that
run — found by a marker in the environment every one of them inherits — must be gone soon
after.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from auditlib.publish import kernelpool

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="needs Linux /proc and PR_SET_PDEATHSIG"
)

#: How long the run may take to start its kernels, and its processes to go after the kill.
START_SECONDS = 180
GONE_SECONDS = 30


def processes_with_marker(marker: str) -> dict[int, str]:
    """Live (not zombie) processes whose environment holds ``marker``: pid → command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() not in (entry / "environ").read_bytes():
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[-1].split()[0]
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if state != "Z":
            found[int(entry.name)] = command.strip()
    return found


def test_die_with_parent_is_available_here():
    assert kernelpool.die_with_parent(signal.SIGTERM) is True
    kernelpool.die_with_parent(0)  # reset: this test process should not get a signal


@pytest.mark.slow
def test_kill_9_of_report_all_leaves_no_worker_zygote_or_kernel(tmp_path):
    marker = f"AUDITLIB_ORPHAN_TEST={uuid.uuid4().hex}"
    name, value = marker.split("=")
    parent = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "auditlib",
            "report",
            "--all",
            "--jobs",
            "2",
            "--no-progress",
            "--out",
            str(tmp_path / "out"),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, name: value},
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        running: dict[int, str] = {}
        while time.monotonic() < deadline and parent.poll() is None:
            running = processes_with_marker(marker)
            kernels = [c for c in running.values() if "_kernel_client.py" in c]
            zygotes = [c for c in running.values() if "auditlib.publish.kernelpool" in c]
            # Two workers sharing the run's one zygote, each with a kernel forked from it
            # (a fork keeps the zygote's command line) and that kernel's client.
            if len(kernels) >= 2 and len(zygotes) >= 3:
                break
            time.sleep(0.2)
        assert parent.poll() is None, "the run ended before its kernels were seen"
        assert len(running) >= 8, running  # parent, 2 workers, zygote, 2 kernels, 2 clients
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + GONE_SECONDS
        left = processes_with_marker(marker)
        while left and time.monotonic() < deadline:
            time.sleep(0.2)
            left = processes_with_marker(marker)
        assert not left, "\n".join(f"{pid}: {cmd}" for pid, cmd in left.items())
    finally:
        for pid in processes_with_marker(marker):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if parent.poll() is None:
            parent.kill()


def test_report_kernels_start_without_the_debugger_and_no_warning_in_the_terminal():
    """Every kernel imports ipykernel's debugger module as it starts; the zygote does it
    once, without debugpy and pydevd (nobody debugs a batch run; importing them cost every
    run a twentieth of a second, and pydevd warns about frozen modules into the terminal of
    whoever runs the report)."""
    assert "ipykernel.debugger" in kernelpool.DEFAULT_PRELOAD
    code = (
        "import sys\n"
        "from auditlib.publish import kernelpool\n"
        "kernelpool._prepare_imports(list(kernelpool.DEFAULT_PRELOAD))\n"
        "from ipykernel import debugger\n"
        "print('ipykernel.debugger' in sys.modules, 'pydevd' in sys.modules,\n"
        "      debugger._is_debugpy_available, kernelpool._FORK_SAFE)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYDEVD")}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    # preloaded, without the debugger, and still safe to fork
    assert done.stdout.split() == ["True", "False", "False", "True"]
    assert "warning" not in done.stderr.lower(), done.stderr


def test_a_section_helper_is_forked_before_the_modules_only_a_kernel_needs():
    """The zygote forks a section helper asked for while it imports as soon as it has the
    helper's modules and the data (a third of a second before a kernel could start)."""
    code = (
        "import sys\n"
        "from auditlib.publish import kernelpool\n"
        "from auditlib.data import pipeline\n"
        "seen = []\n"
        "def helpers():\n"
        "    seen.append(('pandas' in sys.modules, 'auditlib.report.monthly' in sys.modules,\n"
        "                 'ipykernel.kernelapp' in sys.modules, bool(pipeline._PRELOADED),\n"
        "                 kernelpool._FORK_SAFE))\n"
        "preload = [*kernelpool.DEFAULT_PRELOAD, 'auditlib.report.monthly']\n"
        "kernelpool._prepare_imports(preload, before_kernel_modules=helpers)\n"
        "print(*seen[0], 'ipykernel.kernelapp' in sys.modules, kernelpool._FORK_SAFE)\n"
    )
    from auditlib.paths import DEMO_DATA_DIR

    env = {**os.environ, kernelpool._DATA_ENV: str(DEMO_DATA_DIR)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    # then: the helper's modules and the data, not the kernel's; after: everything
    assert done.stdout.split() == ["True", "True", "False", "True", "True", "True", "True"]
    assert set(kernelpool.KERNEL_ONLY_PRELOAD) <= set(kernelpool.DEFAULT_PRELOAD)


# ---------------------------------------------------------------- which kernels are forked
def test_the_same_interpreter_is_the_same_file_or_an_identical_copy_beside_it(tmp_path):
    """A virtual environment made without links has ``python`` and ``python3`` as two copies
    of one program: a report started with ``python3 -m auditlib`` must still fork the
    kernel whose kernel.json names ``python`` (it was started afresh, two seconds slower)."""
    program = Path(sys.executable).read_bytes()
    venv_bin, other_bin = tmp_path / "venv" / "bin", tmp_path / "other" / "bin"
    for folder in (venv_bin, other_bin):
        folder.mkdir(parents=True)
    for name in ("python", "python3"):
        (venv_bin / name).write_bytes(program)
    (other_bin / "python").write_bytes(program)
    (venv_bin / "python3.11").symlink_to(venv_bin / "python")
    (venv_bin / "pythonw").write_bytes(program + b"\0")

    same = kernelpool.same_interpreter
    assert same(str(venv_bin / "python"), str(venv_bin / "python3"))  # copies side by side
    assert same(str(venv_bin / "python3.11"), str(venv_bin / "python"))  # a link
    assert not same(str(other_bin / "python"), str(venv_bin / "python"))  # another environment
    assert not same(str(venv_bin / "pythonw"), str(venv_bin / "python"))  # another program
    assert not same(str(venv_bin / "missing"), str(venv_bin / "python"))


def test_a_kernel_spec_naming_a_copy_of_this_interpreter_is_forked(tmp_path, monkeypatch):
    program = Path(sys.executable).read_bytes()
    for name in ("python", "python3"):
        (tmp_path / name).write_bytes(program)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python3"))
    kernel = [str(tmp_path / "python"), "-Xfrozen_modules=off", "-m", "ipykernel_launcher"]
    assert kernelpool.Zygote.can_fork(None, [*kernel, "-f", "k.json"])  # type: ignore[arg-type]
    # what is not ipykernel, or another program, is started as it says
    assert not kernelpool.Zygote.can_fork(None, [str(tmp_path / "python"), "-m", "other"])  # type: ignore[arg-type]
    (tmp_path / "python").write_bytes(program + b"\0")
    assert not kernelpool.Zygote.can_fork(None, [*kernel, "-f", "k.json"])  # type: ignore[arg-type]


# ---------------------------------------------------------------- the kernel client
class _Channel:
    """A fake jupyter_client channel: hands out queued messages, then times out."""

    def __init__(self, messages: list[dict] | None = None) -> None:
        self.messages = list(messages or [])
        self.waited: list[float] = []

    async def get_msg(self, timeout: float | None = None) -> dict:
        from queue import Empty

        if not self.messages:
            self.waited.append(timeout or 0.0)
            raise Empty
        return self.messages.pop(0)


def _status(state: str, parent: str) -> dict:
    return {
        "msg_type": "status",
        "content": {"execution_state": state},
        "parent_header": {"msg_id": parent},
    }


def _fake_client(shell: list[dict], iopub: _Channel) -> object:
    channels = {"shell_channel": _Channel(shell), "iopub_channel": iopub}
    # A subclass with fake channels (the real class is shared with the other tests).
    fake = type(
        "FakeReportKernelClient",
        (kernelpool._report_kernel_client_class(),),
        {name: property(lambda self, c=channel: c) for name, channel in channels.items()},
    )
    client = fake()
    requests = iter(["info-1", "info-2", "info-3"])
    client.kernel_info = lambda: next(requests)
    replies: list[dict] = []
    client._handle_kernel_info_reply = replies.append

    async def alive() -> bool:
        return True

    client._async_is_alive = alive
    client.replies = replies
    return client


def _reply(parent: str) -> dict:
    return {"msg_type": "kernel_info_reply", "content": {}, "parent_header": {"msg_id": parent}}


def test_the_kernel_is_ready_once_it_is_idle_after_answering_without_waiting_for_silence():
    import asyncio

    later = {"msg_type": "stream", "content": {}, "parent_header": {"msg_id": "other"}}
    iopub = _Channel([_status("busy", "info-1"), _status("idle", "info-1"), later])
    client = _fake_client([_reply("info-1")], iopub)
    asyncio.run(client.wait_for_ready(timeout=5))
    assert client.replies == [_reply("info-1")]
    # It stopped at the idle status: no wait for silence, the next message left unread.
    assert iopub.waited == []
    assert iopub.messages == [later]


def test_the_kernel_is_ready_once_it_welcomes_the_client_without_waiting_for_silence():
    """A kernel that got this client's subscription only after broadcasting the status of
    its answer says so with a welcome (JEP 65): the start is done then, not 0.2 s later."""
    import asyncio

    welcome = {"msg_type": "iopub_welcome", "content": {}, "parent_header": {}}
    iopub = _Channel([welcome])
    client = _fake_client([_reply("info-1")], iopub)
    asyncio.run(client.wait_for_ready(timeout=5))
    assert client.replies == [_reply("info-1")]
    assert iopub.waited == []  # no silence waited out, no second request


def test_a_kernel_whose_broadcasts_are_not_yet_connected_is_asked_again():
    import asyncio

    # IOPub silent after the first reply (not connected yet): jupyter_client asks again.
    iopub = _Channel([])
    client = _fake_client([_reply("info-1"), _reply("info-2")], iopub)

    async def connect_then_wait() -> None:
        original = iopub.get_msg

        async def get_msg(timeout: float | None = None) -> dict:
            if iopub.waited and not iopub.messages and len(iopub.waited) == 1:
                iopub.messages[:] = [_status("busy", "info-2"), _status("idle", "info-2")]
            return await original(timeout)

        iopub.get_msg = get_msg
        await client.wait_for_ready(timeout=5)

    asyncio.run(connect_then_wait())
    assert iopub.waited == [kernelpool.IOPUB_CONNECT_SECONDS]
    assert client.replies == [_reply("info-2")]
