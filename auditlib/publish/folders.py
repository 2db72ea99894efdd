"""Publishing a report folder atomically, and touching nothing a run did not write.

A report is built in a temporary folder beside its final place (``.tmp-<name>-<pid>-…``)
and swapped in whole by :func:`swap_into_place`; a run that fails keeps its executed
notebook and a plain message in ``_failed/<name>/`` and never touches the last good report.

Every folder a run writes carries an ownership marker, :data:`OWNER_MARKER` (a small JSON
file), and a run replaces or removes only folders that carry it:

- a report folder that exists but is not auditlib's (a user's ``2020-09/`` of their own)
  is refused with a message, never replaced;
- a file a user put into one of auditlib's report folders is carried over into the new
  report folder, so it survives every later run;
- temporary (``.tmp-*``) and swapped-out (``.old-*``) folders are cleaned up only when they
  carry the marker and the process that made them has gone;
- the output folder may not be, be inside, or contain the data folder.

Swaps into one output folder are serialised by an advisory lock on that folder, so several
processes publishing the same month at once each succeed in turn and leave no ``.old-*``
folder behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final

from auditlib import __version__
from auditlib.errors import ReportError

FAILED_DIR: Final = "_failed"
FAILURE_NOTE: Final = "failure.txt"
TMP_PREFIX: Final = ".tmp-"
OLD_PREFIX: Final = ".old-"
#: The ownership marker in every folder auditlib writes (hidden, small, JSON).
OWNER_MARKER: Final = ".auditlib-report"
#: What the marker says about the folder.
STATE_BUILDING: Final = "building"
STATE_REPORT: Final = "report"
STATE_FAILED: Final = "failed"
#: Figures files whose presence (with an ``input_hash``) marks a report folder written by
#: an auditlib from before the marker existed.
LEGACY_FIGURES: Final = ("figures.json", "shift-figures.json")


# ---------------------------------------------------------------- the output folder
def make_out_dir(out_root: Path) -> None:
    """Create the output folder, or say plainly why it cannot be."""
    try:
        out_root.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ReportError(f"The output folder {out_root} is a file, not a folder.") from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ReportError(f"The output folder {out_root} cannot be created: {reason}.") from None
    if not out_root.is_dir():
        raise ReportError(f"The output folder {out_root} is a file, not a folder.")


def check_out_apart_from_data(
    out_dir: str | os.PathLike[str], data_dir: str | os.PathLike[str]
) -> None:
    """Refuse an output folder that is, is inside, or contains the data folder.

    Reports replace folders in the output folder; with the data inside it (or it inside the
    data) a run could replace or remove input files. Paths are compared after resolving
    symbolic links, so a link cannot hide the overlap.

    >>> check_out_apart_from_data("/tmp/x/outputs", "/tmp/x/data")
    >>> check_out_apart_from_data("/tmp/x", "/tmp/x/data")
    Traceback (most recent call last):
    ...
    auditlib.errors.ReportError: The output folder /tmp/x contains the data folder /tmp/x/data: reports replace folders in the output folder, so they must be kept apart. Choose an output folder outside the data folder (e.g. --out outputs).
    """
    out = Path(os.path.realpath(out_dir))
    data = Path(os.path.realpath(data_dir))
    if out == data:
        relation = "is the data folder"
    elif out.is_relative_to(data):
        relation = f"is inside the data folder {data}"
    elif data.is_relative_to(out):
        relation = f"contains the data folder {data}"
    else:
        return
    raise ReportError(
        f"The output folder {out} {relation}: reports replace folders in the output folder, "
        "so they must be kept apart. Choose an output folder outside the data folder "
        "(e.g. --out outputs)."
    )


# ---------------------------------------------------------------- ownership
def write_marker(folder: Path, state: str, **details: Any) -> None:
    """Mark ``folder`` as auditlib's (``state`` says what it holds)."""
    record = {"written_by": "auditlib", "version": __version__, "state": state, **details}
    (folder / OWNER_MARKER).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The marker of ``folder`` when it is auditlib's, else None (never follows a link)."""
    path = folder / OWNER_MARKER
    try:
        if folder.is_symlink() or path.is_symlink() or not path.is_file():
            return None
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(record, dict) and record.get("written_by") == "auditlib":
        return record
    return None


def is_owned(folder: Path) -> bool:
    """True when ``folder`` is a real folder that auditlib wrote (marked, or an older report)."""
    if folder.is_symlink() or not folder.is_dir():
        return False
    return read_marker(folder) is not None or _legacy_report(folder)


def _legacy_report(folder: Path) -> bool:
    """A report folder from before the marker: its figures file records an input hash."""
    for name in LEGACY_FIGURES:
        path = folder / name
        if path.is_file() and not path.is_symlink():
            try:
                figures = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(figures, dict) and "input_hash" in figures:
                return True
    return False


def check_replaceable(final: Path) -> None:
    """Refuse to replace ``final`` unless it is missing or a folder auditlib wrote."""
    if not os.path.lexists(final):
        return
    if final.is_symlink() or not final.is_dir():
        raise ReportError(
            f"{final} exists and is not a folder auditlib wrote (it is a "
            f"{'link' if final.is_symlink() else 'file'}), so it was left alone and no report "
            "was written there. Move it away or choose another output folder (--out)."
        )
    if not is_owned(final):
        raise ReportError(
            f"{final} exists and was not written by auditlib (it has no {OWNER_MARKER} "
            "marker), so it was left alone and no report was written there. Move it away or "
            "choose another output folder (--out)."
        )


@contextlib.contextmanager
def locked(root: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on the folder ``root`` (released on exit)."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


# ---------------------------------------------------------------- building and swapping
def make_temporary(root: Path, name: str) -> Path:
    """A new private, marked folder in ``root`` to build the report ``name`` in."""
    tmp = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{name}-{os.getpid()}-", dir=root))
    write_marker(tmp, STATE_BUILDING, name=name, pid=os.getpid())
    return tmp


def swap_into_place(tmp: Path, final: Path) -> None:
    """Make ``tmp`` the report folder ``final``; the old one survives until the new is in place.

    ``final`` must be missing or auditlib's (:func:`check_replaceable`). Files a user put in
    the old folder (anything its marker does not list) are carried over into the new one.
    """
    root = final.parent
    write_marker(tmp, STATE_REPORT, name=final.name, files=sorted(_entries(tmp)))
    os.chmod(tmp, 0o755)  # mkdtemp makes it private; reports are for reading
    old: Path | None = None
    with locked(root):
        check_replaceable(final)
        carried: list[str] = []
        if os.path.lexists(final):
            old = Path(
                tempfile.mkdtemp(prefix=f"{OLD_PREFIX}{final.name}-{os.getpid()}-", dir=root)
            )
            os.rmdir(old)  # only its unique name is wanted: the rename below needs it free
            os.replace(final, old)
        try:
            if old is not None:
                carried = _carry_over(old, tmp)
            os.replace(tmp, final)
        except BaseException:
            if old is not None and not os.path.lexists(final):
                for entry in carried:
                    with contextlib.suppress(OSError):
                        os.replace(tmp / entry, old / entry)
                os.replace(old, final)
            raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _entries(folder: Path) -> set[str]:
    return {entry.name for entry in folder.iterdir()} - {OWNER_MARKER}


def _carry_over(old: Path, new: Path) -> list[str]:
    """Move the entries of ``old`` that auditlib did not write into ``new``; returns their names.

    The old marker lists what auditlib wrote; a folder from before the marker counts as
    auditlib's whatever the new report also writes.
    """
    marker = read_marker(old)
    ours = set(marker.get("files", [])) if marker else _entries(new)
    carried = []
    for name in sorted(_entries(old) - ours):
        if os.path.lexists(new / name):
            continue  # the new report writes a file of that name: it is auditlib's
        os.replace(old / name, new / name)
        carried.append(name)
    if carried:
        # Keep listing only auditlib's own files, so a carried file is carried again next time.
        write_marker(new, STATE_REPORT, name=old.name, files=sorted(_entries(new) - set(carried)))
    return carried


def recover_interrupted_swap(root: Path, name: str) -> None:
    """Put back a report folder whose swap was cut short between its two renames."""
    if not root.is_dir():
        return
    final = root / name
    with locked(root):
        for old in sorted(root.glob(f"{OLD_PREFIX}{name}-*")):
            pid = _pid_in_name(old.name[len(OLD_PREFIX) + len(name) + 1 :])
            if pid_alive(pid) or not is_owned(old):
                continue
            if not os.path.lexists(final):
                os.replace(old, final)
            else:
                shutil.rmtree(old, ignore_errors=True)


def clean_stale_temporaries(out_root: str | os.PathLike[str]) -> list[Path]:
    """Remove auditlib's temporary folders left by runs that were killed; returns them.

    A ``.tmp-*`` folder without auditlib's marker is not auditlib's and is left alone.
    """
    removed: list[Path] = []
    root = Path(out_root)
    if not root.is_dir():
        return removed
    for tmp in sorted(root.glob(f"{TMP_PREFIX}*")):
        if tmp.is_symlink() or not tmp.is_dir():
            continue
        marker = read_marker(tmp)
        if marker is None or marker.get("state") != STATE_BUILDING:
            continue
        if not pid_alive(str(marker.get("pid", ""))):
            shutil.rmtree(tmp, ignore_errors=True)
            removed.append(tmp)
    return removed


def _pid_in_name(rest: str) -> str:
    """The pid in ``<pid>-<random>``."""
    return rest.split("-", 1)[0]


def pid_alive(pid: str) -> bool:
    """True when a process with this id exists (a zombie counts as gone)."""
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{int(pid)}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


# ---------------------------------------------------------------- failed runs
def keep_failed(root: Path, name: str, files: Iterable[Path], message: str) -> str:
    """Keep a failed run's ``files`` and its message in ``root/_failed/<name>/``.

    Never inside the report folder, which still holds the last good report. Only a file
    kept whole is kept: an empty one (a disk that filled up) or a copy cut short is
    dropped. Returns a sentence for the message: where the executed notebook is kept, or
    that it could not be kept; the same sentence ends the ``failure.txt`` written there.
    """
    failed = root / FAILED_DIR / name
    files = list(files)
    notebook = next((p for p in files if p.suffix == ".ipynb"), None)
    kept: list[str] = []
    note = ""
    try:
        (root / FAILED_DIR).mkdir(exist_ok=True)
        if os.path.lexists(failed):
            if not is_owned(failed):
                return f" Nothing was kept in {failed}: it exists and was not written by auditlib."
            shutil.rmtree(failed)
        failed.mkdir()
        write_marker(failed, STATE_FAILED, name=name)
        for path in files:
            if _copy_whole(path, failed / path.name):
                kept.append(path.name)
        if notebook is not None:
            note = (
                f" The executed notebook is kept in {failed} for debugging."
                if notebook.name in kept
                else _not_kept(notebook)
            )
        (failed / FAILURE_NOTE).write_text(message + note + "\n", encoding="utf-8")
    except OSError as exc:
        note = note or (
            f" The executed notebook could not be kept ({exc.strerror or exc})."
            if notebook is not None
            else ""
        )
    return note


def _not_kept(notebook: Path) -> str:
    if notebook.is_file() and notebook.stat().st_size == 0:
        return " The executed notebook could not be kept: it was empty (is the disk full?)."
    if not notebook.is_file():
        return " The executed notebook could not be kept: it was never written."
    return " The executed notebook could not be kept: copying it failed (is the disk full?)."


def _copy_whole(source: Path, target: Path) -> bool:
    """Copy ``source`` to ``target``; True only if a non-empty file was copied whole."""
    try:
        if not source.is_file() or source.stat().st_size == 0:
            return False
        shutil.copy2(source, target)
        if target.stat().st_size == source.stat().st_size:
            return True
    except OSError:
        pass  # a full disk, a quota, an I/O error: the copy is dropped below
    with contextlib.suppress(OSError):
        target.unlink()
    return False


def clear_failure(root: Path, name: str) -> None:
    """Remove the record of an earlier failed run of ``name`` (only if auditlib wrote it)."""
    failed = root / FAILED_DIR / name
    if is_owned(failed) or (failed.is_dir() and _legacy_failure(failed)):
        shutil.rmtree(failed, ignore_errors=True)
    failed_root = root / FAILED_DIR
    with contextlib.suppress(OSError):
        if failed_root.is_dir() and not failed_root.is_symlink() and not any(failed_root.iterdir()):
            failed_root.rmdir()


def _legacy_failure(folder: Path) -> bool:
    """A ``_failed/<name>/`` from before the marker: only a failure note and what it kept."""
    names = _entries(folder)
    return FAILURE_NOTE in names and all(
        n == FAILURE_NOTE or n.endswith((".ipynb", ".json")) for n in names
    )


# ---------------------------------------------------------------- pages in the output folder
#: How an auditlib page names its maker (the report template and the index both write it).
_GENERATOR_RE: Final = re.compile(
    r"<meta\b(?=[^>]*\bname\s*=\s*[\"']?generator)[^>]*\bcontent\s*=\s*[\"']?auditlib\b", re.I
)
#: The footer of index pages written before the generator meta.
_LEGACY_INDEX_MARK: Final = "Index written by auditlib"
#: Enough of a page to find its head (and an old index page's footer).
_PAGE_HEAD_BYTES: Final = 1 << 20


def is_auditlib_page(path: Path) -> bool:
    """True when ``path`` is a regular file auditlib wrote (its generator meta says so)."""
    if path.is_symlink() or not path.is_file():
        return False
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            head = handle.read(_PAGE_HEAD_BYTES)
    except OSError:
        return False
    return bool(_GENERATOR_RE.search(head)) or _LEGACY_INDEX_MARK in head


def check_page_replaceable(path: Path) -> None:
    """Refuse to overwrite ``path`` unless it is missing or a page auditlib wrote."""
    if os.path.lexists(path) and not is_auditlib_page(path):
        raise ReportError(
            f"{path} exists and was not written by auditlib, so it was left alone (no index "
            "was written). Move it away, or use another output folder (--out) to get an index."
        )
