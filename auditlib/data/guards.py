"""Bounded input: what auditlib agrees to read from a data folder.

- Only regular files are read: a link to ``/dev/zero``, a named pipe or a socket given as
  an input is refused with a message (reading it would never end, or never start).
- Settings files (programme.yml, recommendations.yml) are YAML without aliases and of a
  bounded size: a few lines of nested aliases (a "billion laughs" bomb) would otherwise
  expand to gigabytes.
- Files named in programme.yml (``files:``, ``denylist:``) stay inside the data folder
  unless programme.yml says ``allow_files_outside_data_folder: true``.
- Months are in a sane range: not before :data:`EARLIEST_MONTH`, not more than
  :data:`MONTHS_AFTER_EXTRACT` months after the extract date (or today).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import functools
import os
import stat
from pathlib import Path
from typing import Any, Final

import yaml

#: The largest settings file read (programme.yml, recommendations.yml): far above any real one.
MAX_YAML_BYTES: Final = 2 * 1024 * 1024
#: The first month auditlib accepts: no children's social care audit programme is older.
EARLIEST_MONTH: Final = "2000-01"
#: How far after the extract date (or today, without one) a month may lie.
MONTHS_AFTER_EXTRACT: Final = 12


def not_regular_reason(path: Path) -> str | None:
    """Why ``path`` cannot be read as an input file, or None when it is a regular file.

    Checked with ``stat`` (which follows links but never opens the file), so a named pipe
    cannot make the check itself wait.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "does not exist" + (" (a broken link)" if os.path.islink(path) else "")
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    kind = (
        "a named pipe"
        if stat.S_ISFIFO(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "not a regular file"
    )
    via = " (through a link)" if os.path.islink(path) else ""
    return f"is {kind}{via}, not a regular file: only ordinary files are read"


class _NoAliasLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses aliases (``*name``, and ``<<: *name`` merges)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None,
                None,
                "YAML aliases (*name) are not allowed in auditlib's settings files; "
                "write the value out in full",
                event.start_mark,
            )
        return super().compose_node(parent, index)


class SettingsFileError(ValueError):
    """A settings file that cannot be read; the message is plain and names the file."""


def load_yaml_file(path: Path) -> Any:
    """Parse a settings file: a regular file, at most :data:`MAX_YAML_BYTES`, no aliases.

    Raises :class:`SettingsFileError` with a message that starts with the file's path.
    """
    reason = not_regular_reason(path)
    if reason:
        raise SettingsFileError(f"{path}: {reason}")
    size = os.stat(path).st_size
    if size > MAX_YAML_BYTES:
        raise SettingsFileError(
            f"{path}: is {size:,} bytes; settings files are limited to {MAX_YAML_BYTES:,} bytes"
        )
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_YAML_BYTES + 1)
        text = data.decode("utf-8-sig")
    except PermissionError:
        raise SettingsFileError(f"{path}: cannot be read (permission denied)") from None
    except UnicodeDecodeError:
        raise SettingsFileError(f"{path}: is not UTF-8 text") from None
    except OSError as exc:
        raise SettingsFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        return copy.deepcopy(_parse_yaml(text))  # the caller's own copy to change
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise SettingsFileError(f"{path}: is not valid YAML{where}: {problem}") from None
    except RecursionError:
        raise SettingsFileError(f"{path}: is nested too deeply to be a settings file") from None


@functools.lru_cache(maxsize=32)
def _parse_yaml(text: str) -> Any:
    """``text`` parsed (remembered: a report's processes read the same programme.yml again
    and again, and PyYAML's pure-Python loader takes a sixtieth of a second over it)."""
    return yaml.load(text, Loader=_NoAliasLoader)  # a SafeLoader subclass: no tags run


def inside_folder(path: Path, folder: Path) -> bool:
    """True when ``path`` (links resolved) lies inside ``folder``."""
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(folder))


def latest_month(extract_date: str | None, today: dt.date | None = None) -> str:
    """The last month accepted: :data:`MONTHS_AFTER_EXTRACT` after the extract date (or today).

    >>> latest_month("2020-10-05"), latest_month(None, dt.date(2024, 1, 31))
    ('2021-10', '2025-01')
    """
    day = today or dt.date.today()
    if extract_date:
        with contextlib.suppress(ValueError):  # a malformed date is reported elsewhere
            day = dt.date.fromisoformat(str(extract_date)[:10])
    months = day.year * 12 + day.month - 1 + MONTHS_AFTER_EXTRACT
    return f"{months // 12:04d}-{months % 12 + 1:02d}"


def month_out_of_range(month: str, extract_date: str | None) -> str | None:
    """Why ``month`` (``YYYY-MM``) is outside the sane range, or None.

    >>> month_out_of_range("1900-01", None)
    'is before 2000-01: no audit programme is that old'
    >>> month_out_of_range("2100-12", "2020-10-05")
    'is more than 12 months after the extract date (latest accepted: 2021-10)'
    """
    if month < EARLIEST_MONTH:
        return f"is before {EARLIEST_MONTH}: no audit programme is that old"
    last = latest_month(extract_date)
    if month > last:
        after = "the extract date" if extract_date else "today"
        return f"is more than {MONTHS_AFTER_EXTRACT} months after {after} (latest accepted: {last})"
    return None
