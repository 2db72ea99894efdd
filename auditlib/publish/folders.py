"""Publishing a report folder atomically, and keeping what a failed run leaves.

A report is built in a temporary folder beside its final place (``.tmp-<name>-<pid>-…``)
and swapped in whole by :func:`swap_into_place`; a run that fails keeps its executed
notebook and a plain message in ``_failed/<name>/`` and never touches the last good report.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Final

from auditlib.errors import ReportError

FAILED_DIR: Final = "_failed"
FAILURE_NOTE: Final = "failure.txt"
TMP_PREFIX: Final = ".tmp-"
OLD_PREFIX: Final = ".old-"


def make_out_dir(out_root: Path) -> None:
    """Create the output folder, or say plainly why it cannot be."""
    try:
        out_root.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ReportError(f"The output folder {out_root} is a file, not a folder.") from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ReportError(f"The output folder {out_root} cannot be created: {reason}.") from None


def make_temporary(root: Path, name: str) -> Path:
    """A new private folder in ``root`` to build the report ``name`` in."""
    return Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{name}-{os.getpid()}-", dir=root))


def swap_into_place(tmp: Path, final: Path) -> None:
    """Make ``tmp`` the report folder; the old folder survives until the new one is in place."""
    old = final.with_name(f"{OLD_PREFIX}{final.name}-{os.getpid()}")
    if final.exists():
        os.replace(final, old)
    try:
        os.replace(tmp, final)
    except BaseException:
        if old.exists() and not final.exists():
            os.replace(old, final)
        raise
    shutil.rmtree(old, ignore_errors=True)
    os.chmod(final, 0o755)  # mkdtemp makes it private; reports are for reading


def recover_interrupted_swap(root: Path, name: str) -> None:
    """Put back a report folder whose swap was cut short between its two renames."""
    final = root / name
    for old in sorted(root.glob(f"{OLD_PREFIX}{name}-*")):
        if pid_alive(old.name.rsplit("-", 1)[-1]):
            continue
        if not final.exists():
            os.replace(old, final)
        else:
            shutil.rmtree(old, ignore_errors=True)


def clean_stale_temporaries(out_root: str | os.PathLike[str]) -> list[Path]:
    """Remove temporary month folders left by runs that were killed; returns what was removed."""
    removed = []
    root = Path(out_root)
    if not root.is_dir():
        return removed
    for tmp in root.glob(f"{TMP_PREFIX}*"):
        parts = tmp.name[len(TMP_PREFIX) :].split("-")
        pid = parts[2] if len(parts) > 2 else ""
        if tmp.is_dir() and not pid_alive(pid):
            shutil.rmtree(tmp, ignore_errors=True)
            removed.append(tmp)
    return removed


def pid_alive(pid: str) -> bool:
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def keep_failed(root: Path, name: str, files: list[Path], message: str) -> None:
    """Keep a failed run's ``files`` and its message in ``root/_failed/<name>/``.

    Never inside the report folder, which still holds the last good report.
    """
    failed = root / FAILED_DIR / name
    try:
        if failed.exists():
            shutil.rmtree(failed)
        failed.mkdir(parents=True)
        for path in files:
            if path.is_file():
                shutil.copy2(path, failed / path.name)
        (failed / FAILURE_NOTE).write_text(message + "\n", encoding="utf-8")
    except OSError:
        pass


def clear_failure(root: Path, name: str) -> None:
    shutil.rmtree(root / FAILED_DIR / name, ignore_errors=True)
    failed_root = root / FAILED_DIR
    if failed_root.is_dir() and not any(failed_root.iterdir()):
        failed_root.rmdir()


def kept_note(root: Path, name: str, executed: Path) -> str:
    if not executed.is_file():
        return ""
    return f" The executed notebook is kept in {root / FAILED_DIR / name} for debugging."
