"""What a month's report reads, as one fingerprint: a month is rebuilt only when it changed.

A month's report reads more than its own rows: the trend and the programme-to-date
headline go back to the start of the programme, re-audits look back at the audits they
re-audit, comparisons look at the previous month and the previous year, and recurring
themes at the last few audit months of feedback and reflections. Its fingerprint is a
SHA-256 over each of these *parts*, so that a run can say which of them changed:

- ``audit rows``: every cleaned audit row of the months up to and including the report
  month, in the order the file has them (after cleaning, so a merged team name or a
  moderated judgement counts; without the rows' line numbers, so rows added above them,
  such as a new month at the top of the export, do not);
- ``data quality``: the data-quality figures and "as at" date the report states;
- ``feedback`` and ``reflections``: the rows of the audit months its recurring themes look
  back over (:data:`auditlib.analysis.voices.RECURRING_WINDOW`), the month included;
- ``recommendations``: the recommendations of the months up to the report month (earlier
  months' mark repeats);
- ``settings``: the programme.yml settings the month uses (pauses, month labels and SPC
  rebases up to the month, the month's themes, everything month-free such as the
  organisation), the file names shown, the name denylist and the theme dictionary;
- ``disclosure``: the disclosure profile, and any other notebook parameter;
- ``notebook``: the report notebook's bytes;
- ``auditlib``: auditlib's version and the bytes of its code and templates;
- ``libraries``: the versions of the libraries that draw and export the report.

A past row that changes (a late completion, a moderated judgement) changes ``audit rows``
for exactly the months from its own onwards: the months that show it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from importlib import metadata
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from auditlib import __version__
from auditlib.analysis import metrics
from auditlib.analysis.voices import RECURRING_WINDOW
from auditlib.data import schema
from auditlib.data.pipeline import AuditData
from auditlib.data.programme import Programme
from auditlib.paths import PACKAGE_DIR, THEMES_FILE

#: Bumped when what a fingerprint covers changes, so older records never match.
FINGERPRINT_VERSION: Final = 1
#: The parts of a fingerprint, in the order a message lists them.
PARTS: Final = (
    "audit rows",
    "data quality",
    "feedback",
    "reflections",
    "recommendations",
    "settings",
    "disclosure",
    "notebook",
    "auditlib",
    "libraries",
)
#: Libraries whose version can change how a report looks or what it says.
LIBRARIES: Final = (
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "matplotlib",
    "nbconvert",
    "nbformat",
    "papermill",
    "jupyterlab",
)
#: Programme settings that belong to particular months (handled month by month) or that no
#: report reads (the frozen list is about publishing, the source path about where the
#: folder happens to be; the extract date reaches a report only through its "as at" date).
_MONTHLY_SETTINGS: Final = frozenset(
    {"pauses", "month_labels", "themes", "spc_rebase", "frozen", "source", "extract_date"}
)
#: The name of the theme dictionary a data folder may carry instead of auditlib's own.
CUSTOM_THEMES_FILE: Final = "themes.yml"


@dataclass(frozen=True)
class Fingerprint:
    """A month's fingerprint: one digest per part, and one over them all."""

    month: str
    parts: Mapping[str, str] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        return _digest(json.dumps({"version": FINGERPRINT_VERSION, **self.parts}, sort_keys=True))

    def changed_parts(self, earlier: Mapping[str, Any] | None) -> list[str]:
        """The parts that differ from an earlier fingerprint's (all of them without one)."""
        earlier = earlier or {}
        return [name for name in self.parts if earlier.get(name) != self.parts[name]]

    def as_record(self) -> dict[str, Any]:
        return {"version": FINGERPRINT_VERSION, "digest": self.digest, "parts": dict(self.parts)}


def month_fingerprints(
    data: AuditData,
    months: Iterable[str],
    *,
    notebook: str | os.PathLike[str],
    parameters: Mapping[str, Any] | None = None,
) -> dict[str, Fingerprint]:
    """The fingerprint of each of ``months``' reports, from the loaded data folder.

    ``parameters`` are the notebook parameters the runner passes besides the month and
    folders (e.g. ``disclosure``); the disclosure profile defaults to programme.yml's.
    """
    months = sorted(dict.fromkeys(months))
    rows = _cumulative_row_digests(data.audits, months)
    audited = metrics.audited_months(data.audits)
    shared = {
        "notebook": _file_digest(Path(notebook)),
        "auditlib": _digest(__version__ + _code_digest()),
        "libraries": _digest(json.dumps(_library_versions(), sort_keys=True)),
        "disclosure": _digest(json.dumps(_notebook_settings(data.programme, parameters))),
    }
    extras = _digest(
        json.dumps(
            {
                "files": data.files,
                "denylist": list(data.denylist),
                "themes": _file_digest(_themes_file(data)),
            },
            sort_keys=True,
        )
    )
    fingerprints = {}
    for month in months:
        window = text_window(audited, month)
        parts = {
            "audit rows": rows[month],
            "data quality": _digest(json.dumps(_data_quality(data, month), sort_keys=True)),
            "feedback": _rows_digest(data.feedback, window),
            "reflections": _rows_digest(data.reflections, window),
            "recommendations": _digest(
                json.dumps(
                    {m: v for m, v in sorted(data.recommendations.items()) if str(m) <= month},
                    sort_keys=True,
                    default=str,
                )
            ),
            "settings": _digest(_settings_text(data.programme, month) + extras),
            **shared,
        }
        fingerprints[month] = Fingerprint(month, {name: parts[name] for name in PARTS})
    return fingerprints


def text_window(audited_months: Sequence[str], month: str) -> list[str]:
    """The audit months whose feedback and reflections a month's report reads.

    >>> text_window(["2020-06", "2020-07", "2020-08", "2020-09"], "2020-09")
    ['2020-07', '2020-08', '2020-09']
    """
    return sorted({m for m in audited_months if m <= month} | {month})[-RECURRING_WINDOW:]


# ---------------------------------------------------------------- the parts
def _digest(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def _row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """One 64-bit hash per row over every column but the line number, names included."""
    columns = sorted(c for c in frame.columns if c != schema.SOURCE_ROW)
    if not len(frame):
        return np.zeros(0, dtype=np.uint64)
    hashes = pd.util.hash_pandas_object(frame[columns], index=False).to_numpy()
    return hashes


def _columns_text(frame: pd.DataFrame) -> str:
    return json.dumps(
        [[c, str(frame[c].dtype)] for c in sorted(frame.columns) if c != schema.SOURCE_ROW]
    )


def _cumulative_row_digests(audits: pd.DataFrame, months: Sequence[str]) -> dict[str, str]:
    """For each month, a digest of every audit row of the months up to it, in file order.

    Each programme month's rows are hashed once; a month's digest chains the digests of
    every month up to it, so the cost is one pass over the rows however many months.
    """
    hashes = _row_hashes(audits)
    month_of = audits[schema.AUDIT_MONTH].astype("string").fillna("").to_numpy(dtype=object)
    per_month: dict[str, hashlib._Hash] = {}
    for month in sorted(set(month_of)):
        per_month[month] = hashlib.sha256(hashes[month_of == month].tobytes())
    chain = hashlib.sha256(_columns_text(audits).encode())
    out: dict[str, str] = {}
    pending = sorted(months)
    for month in sorted(set(per_month) | set(pending)):
        if month in per_month:
            chain.update(month.encode() + per_month[month].digest())
        if month in pending:
            out[month] = chain.copy().hexdigest()
    return out


def _rows_digest(frame: pd.DataFrame | None, months: Sequence[str]) -> str:
    if frame is None:
        return _digest("none")
    rows = frame.loc[frame[schema.AUDIT_MONTH].isin(list(months)).to_numpy(dtype=bool)]
    return _digest(_columns_text(frame).encode() + _row_hashes(rows).tobytes())


def _data_quality(data: AuditData, month: str) -> dict[str, Any]:
    from auditlib.report.figures import month_as_at, month_data_quality

    as_at = month_as_at(data, month)
    return {
        "as_at": as_at.isoformat() if as_at else None,
        "data_quality": month_data_quality(data, month),
    }


def _settings_text(programme: Programme, month: str) -> str:
    """The programme settings a month's report uses, as canonical JSON."""
    settings: dict[str, Any] = {}
    for item in fields(programme):
        if item.name not in _MONTHLY_SETTINGS:
            settings[item.name] = getattr(programme, item.name)
    settings["pauses"] = [[p.start, p.end, p.reason] for p in programme.pauses if p.start <= month]
    settings["month_labels"] = {m: v for m, v in programme.month_labels.items() if m <= month}
    settings["themes"] = list(programme.themes.get(month, ()))
    settings["spc_rebase"] = [m for m in programme.spc_rebase if m <= month]
    return json.dumps(settings, sort_keys=True, default=str)


def _notebook_settings(programme: Programme, parameters: Mapping[str, Any] | None) -> dict:
    settings = dict(parameters or {})
    settings["disclosure"] = settings.get("disclosure") or programme.disclosure
    return {str(k): str(v) for k, v in sorted(settings.items())}


def _themes_file(data: AuditData) -> Path:
    custom = Path(data.data_dir) / CUSTOM_THEMES_FILE
    return custom if custom.is_file() else THEMES_FILE


@functools.lru_cache(maxsize=1)
def _code_digest() -> str:
    """SHA-256 over auditlib's own files (code, templates, theme dictionary), by path.

    An edited source checkout rebuilds what its edit may change without a version bump.
    """
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def _library_versions() -> dict[str, str]:
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions
