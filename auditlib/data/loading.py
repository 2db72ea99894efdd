"""Reading a data folder: the only module (with reporting) that touches the disk.

Files are only ever read. Every table comes back as a :class:`RawTable`: the
rows exactly as written (values untouched, headers mapped to canonical names),
each row's number as a person sees it in the file, and the file-level
problems found while reading. Parsing values is :mod:`auditlib.data.cleaning`'s job.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from auditlib.data import schema
from auditlib.data.programme import (
    PROGRAMME_FILE,
    SAFE_YAML_LOADER,
    Programme,
    check_month,
    load_programme,
)
from auditlib.errors import ConfigError, Problem

#: table name → (required?, extensions tried in order)
TABLES: dict[str, tuple[bool, tuple[str, ...]]] = {
    "audits": (True, (".csv", ".xlsx", ".parquet")),
    "feedback": (False, (".csv", ".xlsx", ".parquet")),
    "reflections": (False, (".csv", ".xlsx", ".parquet")),
}
RECOMMENDATIONS_FILE = "recommendations.yml"
#: Canonical columns known for each table (other columns are kept but unused).
KNOWN_COLUMNS: dict[str, tuple[str, ...]] = {
    "audits": tuple(schema.AUDIT_COLUMN_KINDS),
    "feedback": tuple(schema.FEEDBACK_COLUMN_KINDS),
    "reflections": tuple(schema.REFLECTIONS_COLUMN_KINDS),
}
_HEADER_JUNK = re.compile(r"[^0-9a-z]+")


@dataclass
class RawTable:
    """One input table as read: values untouched, headers canonical."""

    name: str
    path: Path
    frame: pd.DataFrame
    #: row number as a person sees it in the file (header = row 1), per frame row
    source_rows: pd.Series
    #: canonical column → header as written in the file
    headers: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return len(self.frame)

    @property
    def label(self) -> str:
        """The file's name, as problems name it."""
        return self.path.name

    def header_for(self, column: str) -> str:
        """The column as the file calls it, for messages a person can act on.

        A mapped column shows both names: ``Audit Ref (audit_id)``.
        """
        local = self.headers.get(column, column)
        return column if local == column else f"{local} ({column})"


@dataclass
class Dataset:
    """Everything in a data folder, as read."""

    data_dir: Path
    programme: Programme
    audits: RawTable
    feedback: RawTable | None = None
    reflections: RawTable | None = None
    recommendations: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    denylist: tuple[str, ...] = ()
    problems: list[Problem] = field(default_factory=list)
    input_hash: str = ""

    def tables(self) -> Iterable[RawTable]:
        return [t for t in (self.audits, self.feedback, self.reflections) if t is not None]


def normalise_header(header: Any) -> str:
    """Headers are matched ignoring case, spaces and punctuation.

    >>> normalise_header(" Audit ID "), normalise_header("audit_id"), normalise_header("Re-audit of")
    ('audit_id', 'audit_id', 're_audit_of')
    """
    return _HEADER_JUNK.sub("_", str(header).strip().lower()).strip("_")


def find_table_file(data_dir: Path, table: str, programme: Programme) -> Path | None:
    """The file holding ``table``: programme.yml's ``files:`` entry, else ``<table>.csv|xlsx|parquet``."""
    required, extensions = TABLES[table]
    if table in programme.files:
        path = data_dir / programme.files[table]
        if not path.exists():
            raise ConfigError(
                f"{programme.source or PROGRAMME_FILE}: files: {table}: "
                f"{programme.files[table]!r} does not exist in {data_dir}"
            )
        return path
    found = [
        data_dir / f"{table}{ext}" for ext in extensions if (data_dir / f"{table}{ext}").exists()
    ]
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise ConfigError(
            f"{data_dir}: more than one {table} file ({names}); keep one, "
            f"or name the one to use under 'files:' in {PROGRAMME_FILE}"
        )
    if not found and required:
        raise ConfigError(
            f"{data_dir}: no {table} file (expected {table}.csv, {table}.xlsx or {table}.parquet, "
            f"or a name under 'files:' in {PROGRAMME_FILE})"
        )
    return found[0] if found else None


def read_table(
    path: Path,
    name: str,
    columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
) -> RawTable:
    """Read one table file (CSV, XLSX or Parquet) without changing any value.

    ``columns`` maps canonical names to this council's headers (programme.yml
    ``columns:``). Problems that stop the file being read at all — empty,
    unreadable, not the format its name says, rows with the wrong number of
    fields — come back in ``problems`` with an empty frame, never as a traceback.
    """
    path = Path(path)
    problems: list[Problem] = []
    try:
        size = path.stat().st_size
        if size == 0:
            return _failed(path, name, "the file is empty (0 bytes)")
        suffix = path.suffix.lower()
        if suffix == ".csv" or suffix == ".txt":
            frame, first_row, problems = _read_csv(path)
        elif suffix in (".xlsx", ".xlsm"):
            frame, first_row = _read_xlsx(path, sheet)
        elif suffix == ".parquet":
            frame, first_row = pd.read_parquet(path), 1
        else:
            return _failed(
                path, name, f"unsupported file type {suffix!r} (use .csv, .xlsx or .parquet)"
            )
    except PermissionError:
        return _failed(path, name, "cannot be read (permission denied — is it open or locked?)")
    except IsADirectoryError:
        return _failed(path, name, "is a folder, not a file")
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        return _failed(path, name, f"cannot be read as {path.suffix or 'a table'}: {exc}")
    except ValueError as exc:
        # openpyxl and pyarrow raise ValueError for files that are not what they say.
        return _failed(path, name, f"cannot be read as {path.suffix or 'a table'}: {exc}")
    if problems:
        return RawTable(name, path, pd.DataFrame(), pd.Series(dtype="int64"), problems=problems)

    frame, headers, header_problems = _map_headers(frame, name, path, columns or {})
    frame = frame.reset_index(drop=True)
    source_rows = pd.Series(range(first_row, first_row + len(frame)), dtype="int64")
    return RawTable(name, path, frame, source_rows, headers, header_problems)


def _failed(path: Path, name: str, reason: str) -> RawTable:
    problem = Problem(path.name, None, None, None, reason)
    return RawTable(name, path, pd.DataFrame(), pd.Series(dtype="int64"), problems=[problem])


def _decode(data: bytes) -> str:
    # Excel writes "CSV UTF-8" with a BOM and plain "CSV" in cp1252; try the strict one first.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _read_csv_fast(data: bytes, text: str) -> pd.DataFrame | None:
    """pyarrow's CSV reader, every column as text: about 5x faster on big exports.

    None when the file needs the careful reader instead: blank lines (kept as rows so
    that row numbers stay true), rows of the wrong length (reported by row), empty or
    repeated headers.
    """
    if "\n\n" in text.rstrip("\r\n").replace("\r\n", "\n"):
        return None
    header = next(csv.reader(io.StringIO(text)), [])
    if not header or "" in header or len(set(header)) != len(header):
        return None
    import pyarrow as pa
    from pyarrow import csv as pacsv

    utf8 = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if utf8 is data and not text.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            utf8 = text.encode("utf-8")  # a cp1252 file, decoded already
    try:
        table = pacsv.read_csv(
            io.BytesIO(utf8),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if table.column_names != header:
        return None
    return table.to_pandas()


def _read_csv(path: Path) -> tuple[pd.DataFrame, int, list[Problem]]:
    data = path.read_bytes()
    text = _decode(data)
    if text.strip():
        fast = _read_csv_fast(data, text)
        if fast is not None:
            return fast, 2, []
    if not text.strip():
        return (
            pd.DataFrame(),
            2,
            [Problem(path.name, None, None, None, "the file has no header row")],
        )
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
        )
    except pd.errors.ParserError:
        return pd.DataFrame(), 2, _shape_problems(path, text)
    # pandas pads a row with too few fields with blanks without a word: that row's values
    # would land in the wrong columns, so it is the same problem as a row with too many.
    short = _shape_problems(path, text, only_found=True)
    if short:
        return pd.DataFrame(), 2, short
    # Blank lines inside the file are kept as all-blank rows so row numbers stay true
    # (cleaning counts them as excluded); blank lines at the very end are not data.
    filled = frame.notna().any(axis=1)
    if len(frame) and not filled.iloc[-1]:
        frame = frame.iloc[: int(filled[::-1].idxmax()) + 1] if filled.any() else frame.iloc[:0]
    return frame, 2, []


def _shape_problems(path: Path, text: str, *, only_found: bool = False) -> list[Problem]:
    """Name every row whose number of fields differs from the header's.

    A blank line is not checked. With ``only_found``, no rows of the wrong shape means no
    problems (otherwise the file is reported as unreadable).
    """
    problems = []
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    for number, row in enumerate(reader, start=2):
        if row and len(row) != len(header):
            problems.append(
                Problem(
                    path.name,
                    number,
                    None,
                    None,
                    f"the row has {len(row)} fields but the header has {len(header)} "
                    "(the file changes shape here: "
                    + (
                        "a stray comma, or a column added part-way)"
                        if len(row) > len(header)
                        else "a missing field, or a column dropped part-way)"
                    ),
                )
            )
    if not problems and not only_found:
        problems.append(Problem(path.name, None, None, None, "not a readable CSV file"))
    return problems


def _read_xlsx(path: Path, sheet: str | None) -> tuple[pd.DataFrame, int]:
    with pd.ExcelFile(path, engine="openpyxl") as book:
        if sheet is not None and sheet not in book.sheet_names:
            raise ValueError(f"no sheet named {sheet!r} (sheets: {', '.join(book.sheet_names)})")
        raw = pd.read_excel(
            book, sheet_name=sheet if sheet is not None else 0, header=None, dtype=object
        )
    # The header is the first row with anything in it; rows above it are blank.
    filled = raw.notna().any(axis=1)
    if not filled.any():
        return pd.DataFrame(), 2
    header_at = int(filled.idxmax())
    frame = raw.iloc[header_at + 1 :].copy()
    frame.columns = [
        str(v).strip() if pd.notna(v) else f"Unnamed: {i}"
        for i, v in enumerate(raw.iloc[header_at])
    ]
    # Excel leaves formatting in rows below the data; trailing all-blank rows are not data.
    filled_rows = frame.notna().any(axis=1)
    last = filled_rows[::-1].idxmax() if filled_rows.any() else header_at
    frame = frame.loc[:last]
    return frame, header_at + 2


def _map_headers(
    frame: pd.DataFrame, name: str, path: Path, columns: Mapping[str, str]
) -> tuple[pd.DataFrame, dict[str, str], list[Problem]]:
    """Rename headers to canonical names (programme.yml ``columns:`` first, then by likeness)."""
    local_to_canonical = {normalise_header(local): canon for canon, local in columns.items()}
    known = {normalise_header(c): c for c in KNOWN_COLUMNS[name]}
    renames: dict[str, str] = {}
    headers: dict[str, str] = {}
    problems: list[Problem] = []
    for header in frame.columns:
        key = normalise_header(header)
        canon = local_to_canonical.get(key) or known.get(key)
        if canon is None and key.startswith("judgement_") and name == "audits":
            canon = key  # a domain judgement column
        if canon is None:
            continue
        if canon in headers:
            problems.append(
                Problem(
                    path.name,
                    1,
                    str(header),
                    None,
                    f"two columns both map to '{canon}' ('{headers[canon]}' and '{header}'); "
                    "keep one or map them in programme.yml 'columns:'",
                )
            )
            continue
        renames[header] = canon
        headers[canon] = str(header)
    return frame.rename(columns=renames), headers, problems


def load_recommendations(path: Path) -> tuple[dict[str, dict[str, list[Any]]], list[Problem]]:
    """Read recommendations.yml: ``{YYYY-MM: {high_priority: [...], practice_standards: [...]}}``."""
    problems: list[Problem] = []
    try:
        raw = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=SAFE_YAML_LOADER) or {}
    except IsADirectoryError:
        return {}, [Problem(path.name, None, None, None, "is a folder, not a file")]
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as exc:
        return {}, [Problem(path.name, None, None, None, f"cannot be read: {exc}")]
    if not isinstance(raw, dict):
        return {}, [Problem(path.name, None, None, None, "must map months (YYYY-MM) to lists")]
    result: dict[str, dict[str, list[Any]]] = {}
    for key, entry in raw.items():
        try:
            month = check_month(key, "month")
        except ConfigError:
            problems.append(
                Problem(path.name, None, None, str(key), "not a month (expected YYYY-MM)")
            )
            continue
        if not isinstance(entry, dict):
            problems.append(
                Problem(
                    path.name,
                    None,
                    month,
                    None,
                    "must have high_priority: and/or practice_standards: lists",
                )
            )
            continue
        unknown = set(entry) - {"high_priority", "practice_standards"}
        if unknown:
            problems.append(
                Problem(
                    path.name,
                    None,
                    month,
                    ", ".join(sorted(map(str, unknown))),
                    "unknown key (expected high_priority and practice_standards)",
                )
            )
        result[month] = {
            "high_priority": list(entry.get("high_priority") or []),
            "practice_standards": list(entry.get("practice_standards") or []),
        }
    return result, problems


def load_denylist(path: Path) -> tuple[str, ...]:
    """Personal names to redact from free text, one per line (``#`` starts a comment).

    An unreadable list is a :class:`ConfigError`: reporting without it could show a name.
    """
    try:
        lines = _decode(path.read_bytes()).splitlines()
    except IsADirectoryError:
        raise ConfigError(f"{path}: the denylist is a folder, not a file") from None
    except OSError as exc:
        reason = (
            "permission denied — is it open or locked?"
            if isinstance(exc, PermissionError)
            else exc.strerror or str(exc)
        )
        raise ConfigError(f"{path}: the denylist cannot be read ({reason})") from None
    return tuple(
        line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")
    )


def hash_inputs(paths: Iterable[Path]) -> str:
    """SHA-256 over the bytes of every input file, in name order: the report's input hash.

    A file that cannot be read (a folder, a locked file) is hashed as unreadable: reading
    it has already been reported as a problem that stops the report, with a plain message.
    """
    digest = hashlib.sha256()
    for path in sorted(set(paths), key=lambda p: p.name):
        digest.update(path.name.encode())
        digest.update(b"\0")
        try:
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        except OSError:
            digest.update(b"\0unreadable\0")
    return digest.hexdigest()


def input_paths(data_dir: str | Path) -> list[Path]:
    """Every file of a data folder that :func:`load_dataset` reads (what its hash covers).

    Raises :class:`ConfigError` as :func:`load_dataset` does for a missing folder,
    programme.yml or audits file.
    """
    data_dir = Path(data_dir).resolve()
    programme = load_programme(data_dir)
    paths = [data_dir / PROGRAMME_FILE]
    for name in TABLES:
        path = find_table_file(data_dir, name, programme)
        if path is not None:
            paths.append(path)
    for path in (data_dir / RECOMMENDATIONS_FILE, data_dir / (programme.denylist or "names.txt")):
        if path.exists():
            paths.append(path)
    return paths


def load_dataset(data_dir: str | Path) -> Dataset:
    """Read a whole data folder: programme.yml, audits, and the optional files.

    Raises :class:`ConfigError` for a missing folder, programme.yml or audits
    file; problems inside files are collected, not raised.
    """
    data_dir = Path(data_dir).resolve()
    programme = load_programme(data_dir)
    tables: dict[str, RawTable | None] = {}
    inputs = [data_dir / PROGRAMME_FILE]
    for name in TABLES:
        path = find_table_file(data_dir, name, programme)
        if path is None:
            tables[name] = None
            continue
        inputs.append(path)
        tables[name] = read_table(path, name, programme.columns, programme.sheets.get(name))
    recommendations: dict[str, dict[str, list[Any]]] = {}
    problems: list[Problem] = []
    rec_path = data_dir / RECOMMENDATIONS_FILE
    if rec_path.exists():
        inputs.append(rec_path)
        recommendations, problems = load_recommendations(rec_path)
    denylist: tuple[str, ...] = ()
    deny_path = data_dir / (programme.denylist or "names.txt")
    if deny_path.exists():
        inputs.append(deny_path)
        denylist = load_denylist(deny_path)
    elif programme.denylist:
        raise ConfigError(
            f"{programme.source}: denylist {programme.denylist!r} does not exist in {data_dir}"
        )
    audits = tables["audits"]
    assert audits is not None  # required: find_table_file raised otherwise
    return Dataset(
        data_dir=data_dir,
        programme=programme,
        audits=audits,
        feedback=tables["feedback"],
        reflections=tables["reflections"],
        recommendations=recommendations,
        denylist=denylist,
        problems=problems,
        input_hash=hash_inputs(inputs),
    )
