"""Reading a data folder: the only module (with reporting) that touches the disk.

Files are only ever read. Every table comes back as a :class:`RawTable`: the
rows exactly as written (values untouched, headers mapped to canonical names),
each row's number as a person sees it in the file, and the file-level
problems found while reading. Parsing values is :mod:`auditlib.data.cleaning`'s job.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from auditlib.data import cohorts as cohort_rules
from auditlib.data import guards, schema
from auditlib.data.parsing import normalise_header, parse_month
from auditlib.data.programme import (
    PROGRAMME_FILE,
    Programme,
    check_month,
    load_programme,
)
from auditlib.errors import ConfigError, Problem

#: File types a table can be read from, in the order ``<table>.*`` is looked for.
TABLE_EXTENSIONS = (".csv", ".xlsx", ".xls", ".ods", ".parquet", ".tsv")
#: table name → (required?, extensions tried in order)
TABLES: dict[str, tuple[bool, tuple[str, ...]]] = {
    "audits": (True, TABLE_EXTENSIONS),
    "feedback": (False, TABLE_EXTENSIONS),
    "reflections": (False, TABLE_EXTENSIONS),
}
#: Spreadsheet file types → the pandas engine that reads them. calamine reads the old
#: binary .xls and OpenDocument .ods (pandas' xlrd engine is deprecated).
SPREADSHEET_ENGINES = {
    ".xlsx": "openpyxl",
    ".xlsm": "openpyxl",
    ".xls": "calamine",
    ".ods": "calamine",
}
CSV_EXTENSIONS = (".csv", ".tsv", ".txt")
#: CSV field separators auditlib recognises, and how messages name them.
SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab"}
#: Lines of a CSV file looked at to tell its separator.
SNIFF_LINES = 50
#: A file beside the one in use is taken for another export of the same table when it
#: has at least this share of that file's headers (a column or two may come and go).
SAME_HEADERS_SHARE = 0.8
#: Saved at least this much later (seconds) counts as saved later: files copied together
#: differ by moments.
SAVED_LATER_SECONDS = 60
#: Bytes read from the start of a CSV file to see its headers.
HEADER_PEEK_BYTES = 65536
#: A spreadsheet's header is looked for among its first rows (titles may sit above it).
HEADER_SEARCH_ROWS = 20
RECOMMENDATIONS_FILE = "recommendations.yml"
#: Canonical columns known for each table (other columns are kept but unused).
KNOWN_COLUMNS: dict[str, tuple[str, ...]] = {
    "audits": tuple(schema.AUDIT_COLUMN_KINDS),
    "feedback": tuple(schema.FEEDBACK_COLUMN_KINDS),
    "reflections": tuple(schema.REFLECTIONS_COLUMN_KINDS),
}


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
    #: every header as written in the file, in order
    raw_headers: list[str] = field(default_factory=list)
    #: the CSV field separator found (None for other file types)
    separator: str | None = None

    @property
    def format(self) -> str:
        """The file type as a person would say it ("CSV separated by semicolons", "ODS")."""
        suffix = self.path.suffix.lower().lstrip(".")
        if self.separator is not None:
            return f"CSV separated by {SEPARATORS.get(self.separator, repr(self.separator))}s"
        return suffix.upper() or "file"

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


@dataclass(frozen=True)
class NewerExport:
    """A file beside the one in use that looks like a newer export of the same table."""

    table: str
    #: the file in use, and the one that looks newer
    current: str
    candidate: str
    #: why it looks newer ("holds months up to 2022-02; audits.csv stops at 2022-01")
    why: str
    #: the programme.yml line that would use it (``files: {audits: new.csv}``)
    setting: str

    def message(self) -> str:
        """What ``validate`` and ``report`` say.

        >>> NewerExport("audits", "a.csv", "b.csv", "it holds months up to 2022-02", "files: {audits: b.csv}").message()
        'b.csv looks like a newer audits export than a.csv, which is the one read: it holds months up to 2022-02. To read it instead, change programme.yml to:  files: {audits: b.csv}'
        """
        return (
            f"{self.candidate} looks like a newer {self.table} export than {self.current}, "
            f"which is the one read: {self.why}. To read it instead, change {PROGRAMME_FILE} "
            f"to:  {self.setting}"
        )

    def as_problem(self) -> Problem:
        """The finding as a warning on the candidate file."""
        return Problem(self.candidate, None, None, None, self.message(), "warning")


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
    #: input → file read: the tables, "recommendations" and "names" (the denylist)
    files: dict[str, Path] = field(default_factory=dict)
    #: files beside the ones in use that look like newer exports of the same table
    newer_exports: list[NewerExport] = field(default_factory=list)

    def tables(self) -> Iterable[RawTable]:
        return [t for t in (self.audits, self.feedback, self.reflections) if t is not None]


def find_table_file(data_dir: Path, table: str, programme: Programme) -> Path | None:
    """The file holding ``table``: programme.yml's ``files:`` entry, else ``<table>.<extension>``
    for one of :data:`TABLE_EXTENSIONS`."""
    required, extensions = TABLES[table]
    if table in programme.files:
        path = data_dir / programme.files[table]
        check_inside_data_folder(path, data_dir, programme, f"files: {table}")
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
        expected = ", ".join(f"{table}{ext}" for ext in extensions[:-1])
        raise ConfigError(
            f"{data_dir}: no {table} file (expected {expected} or {table}{extensions[-1]}, "
            f"or a name under 'files:' in {PROGRAMME_FILE})"
        )
    return found[0] if found else None


def check_inside_data_folder(path: Path, data_dir: Path, programme: Programme, what: str) -> None:
    """Refuse a file named in programme.yml that lies outside the data folder (unless allowed),
    or that is there but is not a regular file (a link to a device, a pipe)."""
    if os.path.lexists(path):
        not_regular = guards.not_regular_reason(path)
        if not_regular:
            raise ConfigError(f"{programme.source or PROGRAMME_FILE}: {what}: {path} {not_regular}")
    if programme.allow_files_outside_data_folder or guards.inside_folder(path, data_dir):
        return
    raise ConfigError(
        f"{programme.source or PROGRAMME_FILE}: {what}: {str(path.relative_to(data_dir)) if path.is_relative_to(data_dir) else str(path)!r} "
        f"is outside the data folder {data_dir}; keep input files in the data folder, or set "
        "'allow_files_outside_data_folder: true' in programme.yml"
    )


def read_table(
    path: Path,
    name: str,
    columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
    extra_columns: Iterable[str] = (),
) -> RawTable:
    """Read one table file (CSV/TSV, XLSX, XLS, ODS or Parquet) without changing any value.

    ``columns`` maps canonical names to this council's headers (programme.yml
    ``columns:``); ``extra_columns`` are more columns to recognise by name (the
    council's own columns its cohorts read). A CSV file's separator (comma,
    semicolon or tab) is found from its first lines. Problems that stop the file
    being read at all — empty, unreadable, not the format its name says, rows
    with the wrong number of fields — come back in ``problems`` with an empty
    frame, never as a traceback.
    """
    path = Path(path)
    problems: list[Problem] = []
    not_regular = guards.not_regular_reason(path)
    if not_regular:
        return _failed(path, name, not_regular)
    separator = None
    try:
        size = path.stat().st_size
        if size == 0:
            return _failed(path, name, "the file is empty (0 bytes)")
        suffix = path.suffix.lower()
        if suffix in CSV_EXTENSIONS:
            frame, first_row, problems, separator = _read_csv(path)
        elif suffix in SPREADSHEET_ENGINES:
            frame, first_row = _read_sheet(path, sheet, SPREADSHEET_ENGINES[suffix])
        elif suffix == ".parquet":
            frame, first_row = pd.read_parquet(path), 1
        else:
            return _failed(
                path,
                name,
                f"unsupported file type {suffix!r} (use .csv, .tsv, .xlsx, .xls, .ods or .parquet)",
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
    except _calamine_error() as exc:
        return _failed(path, name, f"cannot be read as {path.suffix}: {exc}")
    if problems:
        return RawTable(
            name,
            path,
            pd.DataFrame(),
            pd.Series(dtype="int64"),
            problems=problems,
            separator=separator,
        )

    raw_headers = [str(h) for h in frame.columns]
    frame, headers, header_problems = _map_headers(frame, name, path, columns or {}, extra_columns)
    frame = frame.reset_index(drop=True)
    source_rows = pd.Series(range(first_row, first_row + len(frame)), dtype="int64")
    return RawTable(
        name, path, frame, source_rows, headers, header_problems, raw_headers, separator
    )


def _calamine_error() -> type[Exception]:
    # The engine for .xls and .ods raises its own error for a file that is not one.
    try:
        from python_calamine import CalamineError
    except ImportError:  # pragma: no cover - a dependency; without it .xls/.ods cannot be read
        return ValueError
    return CalamineError


def _failed(path: Path, name: str, reason: str) -> RawTable:
    problem = Problem(path.name, None, None, None, reason)
    return RawTable(name, path, pd.DataFrame(), pd.Series(dtype="int64"), problems=[problem])


def _decode(data: bytes) -> str:
    # Excel writes "CSV UTF-8" with a BOM and plain "CSV" in cp1252; try the strict one first.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_separator(text: str) -> str:
    """The field separator of a CSV export — comma, semicolon or tab — from its first lines.

    The separator that splits the header into the most fields and every line into as
    many as the header wins; a file with one column is taken as comma-separated.

    >>> sniff_separator("a;b;c\\n1;2,5;x\\n"), sniff_separator("a,b\\n1,2\\n")
    (';', ',')
    """
    end = 0
    for _ in range(SNIFF_LINES):  # the first lines only: a big export is millions
        end = text.find("\n", end) + 1
        if end == 0:
            end = len(text)
            break
    head = text[:end]
    best, best_score = ",", (0.0, 1)
    for separator in SEPARATORS:
        try:
            reader = csv.reader(io.StringIO(head), delimiter=separator)
            lengths = [len(row) for row in reader if row]
        except csv.Error:  # e.g. a bare carriage return: the careful reader names the row
            continue
        if not lengths or lengths[0] < 2:
            continue
        score = (sum(n == lengths[0] for n in lengths) / len(lengths), lengths[0])
        if score > best_score:
            best, best_score = separator, score
    return best


def _read_csv_fast(data: bytes, text: str, separator: str = ",") -> pd.DataFrame | None:
    """pyarrow's CSV reader, every column as text: about 5x faster on big exports.

    None when the file needs the careful reader instead: blank lines (kept as rows so
    that row numbers stay true), rows of the wrong length (reported by row), empty or
    repeated headers.
    """
    if "\n\n" in text.rstrip("\r\n").replace("\r\n", "\n"):
        return None
    header = next(csv.reader(io.StringIO(text), delimiter=separator), [])
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
            parse_options=pacsv.ParseOptions(delimiter=separator, newlines_in_values=True),
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


def _read_csv(path: Path) -> tuple[pd.DataFrame, int, list[Problem], str | None]:
    data = path.read_bytes()
    text = _decode(data)
    if not text.strip():
        return (
            pd.DataFrame(),
            2,
            [Problem(path.name, None, None, None, "the file has no header row")],
            None,
        )
    separator = sniff_separator(text)
    fast = _read_csv_fast(data, text, separator)
    if fast is not None:
        return fast, 2, [], separator
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=separator,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
        )
    except pd.errors.ParserError:
        return pd.DataFrame(), 2, _shape_problems(path, text, separator), separator
    # pandas pads a row with too few fields with blanks without a word: that row's values
    # would land in the wrong columns, so it is the same problem as a row with too many.
    short = _shape_problems(path, text, separator, only_found=True)
    if short:
        return pd.DataFrame(), 2, short, separator
    # Blank lines inside the file are kept as all-blank rows so row numbers stay true
    # (cleaning counts them as excluded); blank lines at the very end are not data.
    filled = frame.notna().any(axis=1)
    if len(frame) and not filled.iloc[-1]:
        frame = frame.iloc[: int(filled[::-1].idxmax()) + 1] if filled.any() else frame.iloc[:0]
    return frame, 2, [], separator


def _shape_problems(
    path: Path, text: str, separator: str = ",", *, only_found: bool = False
) -> list[Problem]:
    """Name every row whose number of fields differs from the header's.

    A blank line is not checked. With ``only_found``, no rows of the wrong shape means no
    problems (otherwise the file is reported as unreadable).
    """
    problems = []
    reader = csv.reader(io.StringIO(text), delimiter=separator)
    try:
        header = next(reader)
        rows = list(reader)
    except csv.Error as exc:
        # e.g. a bare carriage return inside an unquoted field: say where, never a traceback
        return [Problem(path.name, reader.line_num, None, None, f"not a readable CSV row: {exc}")]
    for number, row in enumerate(rows, start=2):
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
                        f"a stray {SEPARATORS.get(separator, 'separator')}, or a column added "
                        "part-way)"
                        if len(row) > len(header)
                        else "a missing field, or a column dropped part-way)"
                    ),
                )
            )
    if not problems and not only_found:
        problems.append(Problem(path.name, None, None, None, "not a readable CSV file"))
    return problems


def _read_sheet(path: Path, sheet: str | None, engine: str) -> tuple[pd.DataFrame, int]:
    """A spreadsheet's sheet (the first, or ``sheet``): values as the cells hold them."""
    with pd.ExcelFile(path, engine=engine) as book:
        if sheet is not None and sheet not in book.sheet_names:
            raise ValueError(f"no sheet named {sheet!r} (sheets: {', '.join(book.sheet_names)})")
        raw = pd.read_excel(
            book, sheet_name=sheet if sheet is not None else 0, header=None, dtype=object
        )
    # The header is the first row that fills at least half as many cells as the fullest
    # row near the top: rows above it are blank, or a title ("Case audits: Sept export").
    counts = raw.notna().sum(axis=1)
    if not counts.any():
        return pd.DataFrame(), 2
    widest = int(counts.iloc[:HEADER_SEARCH_ROWS].max())
    header_at = int((counts >= max(1, widest / 2)).idxmax())
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
    frame: pd.DataFrame,
    name: str,
    path: Path,
    columns: Mapping[str, str],
    extra_columns: Iterable[str] = (),
) -> tuple[pd.DataFrame, dict[str, str], list[Problem]]:
    """Rename headers to canonical names (programme.yml ``columns:`` first, then by likeness)."""
    local_to_canonical = {normalise_header(local): canon for canon, local in columns.items()}
    known = {normalise_header(c): c for c in (*KNOWN_COLUMNS[name], *extra_columns)}
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
        raw = guards.load_yaml_file(path) or {}
    except guards.SettingsFileError as exc:
        reason = str(exc).removeprefix(f"{path}: ")
        return {}, [Problem(path.name, None, None, None, reason)]
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
    not_regular = guards.not_regular_reason(path)
    if not_regular:
        raise ConfigError(f"{path}: the denylist {not_regular}")
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
        if guards.not_regular_reason(path):
            digest.update(b"\0unreadable\0")  # never open a pipe or a device
            continue
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
    file; problems inside files are collected, not raised (an unreadable names
    file too: cleaning then leaves out the free text it would have redacted).
    """
    data_dir = Path(data_dir).resolve()
    programme = load_programme(data_dir)
    tables: dict[str, RawTable | None] = {}
    inputs = [data_dir / PROGRAMME_FILE]
    files: dict[str, Path] = {}
    # The council's own columns its cohorts read are recognised by name like canonical ones.
    cohort_columns = tuple(cohort_rules.extra_column_kinds(programme.cohorts.values()))
    for name in TABLES:
        path = find_table_file(data_dir, name, programme)
        if path is None:
            tables[name] = None
            continue
        inputs.append(path)
        files[name] = path
        tables[name] = read_table(
            path,
            name,
            programme.columns,
            programme.sheets.get(name),
            cohort_columns if name == "audits" else (),
        )
    recommendations: dict[str, dict[str, list[Any]]] = {}
    problems: list[Problem] = []
    rec_path = data_dir / RECOMMENDATIONS_FILE
    if os.path.lexists(rec_path):
        inputs.append(rec_path)
        files["recommendations"] = rec_path
        recommendations, problems = load_recommendations(rec_path)
    denylist: tuple[str, ...] = ()
    deny_path = data_dir / (programme.denylist or "names.txt")
    check_inside_data_folder(deny_path, data_dir, programme, "denylist")
    if os.path.lexists(deny_path):
        inputs.append(deny_path)
        files["names"] = deny_path
        try:
            denylist = load_denylist(deny_path)
        except ConfigError as exc:
            reason = str(exc).removeprefix(f"{deny_path}: ")
            problems.append(Problem(deny_path.name, None, None, None, reason))
    elif programme.denylist:
        raise ConfigError(
            f"{programme.source}: denylist {programme.denylist!r} does not exist in {data_dir}"
        )
    audits = tables["audits"]
    assert audits is not None  # required: find_table_file raised otherwise
    newer: list[NewerExport] = []
    for table in tables.values():
        if table is not None:
            newer.extend(find_newer_exports(data_dir, table, programme, set(files.values())))
    problems.extend(n.as_problem() for n in newer)
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
        files=files,
        newer_exports=newer,
    )


# ------------------------------------------------------------- newer exports


def find_newer_exports(
    data_dir: Path, table: RawTable, programme: Programme, in_use: set[Path]
) -> list[NewerExport]:
    """Files beside ``table``'s that look like newer exports of it.

    A file looks like one when it has at least :data:`SAME_HEADERS_SHARE` of the
    headers of the file in use and either holds later months (its latest
    ``audit_month`` is later) or holds the same months and was saved later. Files
    another input already uses, hidden files and Office lock files (``~$…``) are
    not considered.
    """
    current = {normalise_header(h) for h in table.raw_headers}
    if not current or not data_dir.is_dir():
        return []
    current_month: str | None = None  # found only once a candidate needs it (a big file)
    current_saved = _saved(table.path)
    found = []
    for path in sorted(data_dir.iterdir()):
        if (
            path in in_use
            or path.name.startswith((".", "~$"))
            or path.suffix.lower() not in TABLE_EXTENSIONS
            or not path.is_file()
        ):
            continue
        headers = _peek_headers(path)
        if headers is not None and len(current & headers) < SAME_HEADERS_SHARE * len(current):
            continue
        candidate = read_table(
            path, table.name, programme.columns, programme.sheets.get(table.name)
        )
        if candidate.problems and candidate.frame.empty:
            continue
        headers = {normalise_header(h) for h in candidate.raw_headers}
        if len(current & headers) < SAME_HEADERS_SHARE * len(current):
            continue
        month = latest_month(candidate)
        current_month = current_month or latest_month(table)
        saved = _saved(path)
        if month is not None and current_month is not None and month != current_month:
            if month < current_month:
                continue
            why = f"it holds months up to {month}; {table.label} stops at {current_month}"
        elif (
            saved is not None
            and current_saved is not None
            and (saved - current_saved).total_seconds() >= SAVED_LATER_SECONDS
        ):
            why = (
                f"it has the same headers and was saved later ({saved:%d/%m/%Y %H:%M}; "
                f"{table.label}: {current_saved:%d/%m/%Y %H:%M})"
            )
        else:
            continue
        setting = files_setting({**programme.files, table.name: path.name})
        found.append(NewerExport(table.name, table.label, path.name, why, setting))
    return found


def latest_month(table: RawTable) -> str | None:
    """The latest ``audit_month`` a table holds (values that are not months ignored)."""
    if schema.AUDIT_MONTH not in table.frame:
        return None
    months = set()
    for value in pd.unique(table.frame[schema.AUDIT_MONTH].dropna()):
        try:
            month = parse_month(value)
        except ValueError:
            continue
        if month is not None:
            months.add(month)
    return max(months) if months else None


def files_setting(files: Mapping[str, str]) -> str:
    """programme.yml's ``files:`` line for ``files`` (names quoted only where YAML needs it).

    >>> files_setting({"audits": "Audit export Feb 2022.xlsx"})
    'files: {audits: Audit export Feb 2022.xlsx}'
    >>> files_setting({"audits": "audits: #2.csv"})
    'files: {audits: "audits: #2.csv"}'
    """
    plain = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_ .()\-]*")
    parts = [
        f"{table}: {name if plain.fullmatch(name) and not name.endswith(' ') else json.dumps(name)}"
        for table, name in files.items()
    ]
    return "files: {" + ", ".join(parts) + "}"


def _saved(path: Path) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(path.stat().st_mtime)
    except OSError:
        return None


def _peek_headers(path: Path) -> set[str] | None:
    """A CSV file's headers (normalised) from its first bytes; None for other types."""
    if path.suffix.lower() not in CSV_EXTENSIONS:
        return None
    try:
        with open(path, "rb") as handle:
            head = handle.read(HEADER_PEEK_BYTES)
    except OSError:
        return set()
    text = _decode(head)
    row = next(csv.reader(io.StringIO(text), delimiter=sniff_separator(text)), [])
    return {normalise_header(h) for h in row}
