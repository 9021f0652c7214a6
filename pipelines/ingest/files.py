"""The input files: which ones there are, their content hashes, and their column names.

Python only lists and hashes files and reads CSV headers; Parquet schemas and JSON Lines keys are
read by DuckDB. :func:`discover_files` is the one listing of the input folder: the ingest, the
pre-run header check (:func:`check_headers`) and a sensor that only watches the folder all use it
(it stats files, never opens them).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import blake3
import duckdb

from pipelines.contract import Contract, Table, load_contract

FORMATS = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}
MAX_LINE_BYTES = 8 * 1024 * 1024  # a 200 KB recruiter note must fit comfortably


class IngestError(Exception):
    """A file that cannot be read at all. The message names the file and the problem."""


@dataclass(frozen=True)
class InputFile:
    table: str
    path: Path
    format: str
    size: int
    mtime: float  # with size, what a sensor compares to see that a file changed


def content_hash(path: Path) -> str:
    """``blake3:<hex>`` of the file's bytes: BLAKE3 hashes ~5 GB/s per core here, SHA-256 (with
    SHA-NI) ~1.9 GB/s, and every new file is hashed in full."""
    try:
        h = blake3.blake3()
        h.update_mmap(path)
        return "blake3:" + h.hexdigest()
    except OSError as e:
        raise IngestError(f"{path}: cannot be read: {e.strerror or e}") from e


def table_for_file(name: str, contract: Contract) -> str | None:
    """``applications.csv`` and ``applications-2026-05.csv`` both belong to ``applications``."""
    stem, suffix = Path(name).stem, Path(name).suffix.lower()
    if suffix not in FORMATS:
        return None
    for table in contract.tables:
        if stem == table or re.fullmatch(rf"{table}[-_.].+", stem):
            return table
    return None


def discover_files(data_dir: Path, contract: Contract) -> tuple[list[InputFile], list[str]]:
    """Input files in load order (contract table order, then file name), and unrecognised names.
    Dotfiles and anything but regular files are skipped."""
    if not data_dir.is_dir():
        raise IngestError(f"{data_dir}: input folder does not exist (set HIRING_DATA_DIR)")
    found: list[InputFile] = []
    unrecognised: list[str] = []
    for path in sorted(p for p in data_dir.iterdir() if p.is_file() and not p.name.startswith(".")):
        table = table_for_file(path.name, contract)
        if table is None:
            unrecognised.append(path.name)
        else:
            st = path.stat()
            found.append(
                InputFile(table, path, FORMATS[path.suffix.lower()], st.st_size, st.st_mtime)
            )
    order = list(contract.tables)
    found.sort(key=lambda f: (order.index(f.table), f.path.name))
    return found, unrecognised


def check_headers(data_dir: Path, contract: Contract | None = None) -> None:
    """Fail fast, before any run, on the mistakes that would fail the batch: a missing folder, an
    unreadable file, a missing required column. Reads CSV headers, Parquet schemas and the keys
    of JSON Lines objects (those are only known after parsing every line)."""
    contract = contract or load_contract()
    files, _ = discover_files(data_dir, contract)
    con = duckdb.connect()
    try:
        for f in files:
            table = contract.table(f.table)
            if f.format == "csv":
                _check_columns(f.path, table, _csv_header(f.path))
            elif f.format == "parquet":
                names = _parquet_names(con, f.path)
                _check_columns(f.path, table, [n.strip().lower() for n in names])
            elif f.format == "jsonl" and (keys := _jsonl_keys(con, f.path)):
                # (a file without one object is not refused: its lines are quarantined)
                _check_columns(f.path, table, sorted(keys))
    finally:
        con.close()


def _first_line(e: BaseException) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__


def _csv_header(path: Path) -> list[str]:
    """Header names, trimmed and lower-cased (the header line alone decides nothing about the
    file's encoding: that is found while reading, see readers._read_csv)."""
    with path.open("rb") as f:
        first = f.readline(1 << 20)
    if not first.strip():
        raise IngestError(f"{path}: file is empty or has no header line")
    if first.startswith(b"\xef\xbb\xbf"):
        first = first[3:]
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError:
        text = first.decode("latin-1")
    names = next(csv.reader(io.StringIO(text)), [])
    return [n.strip().lower() for n in names]


def _parquet_names(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """A Parquet file's column names, as written."""
    try:
        schema = con.execute("describe select * from read_parquet(?)", [str(path)]).fetchall()
    except duckdb.Error as e:
        raise IngestError(f"{path}: cannot be read as Parquet: {_first_line(e)}") from e
    return [str(r[0]) for r in schema]


def _check_columns(path: Path, table: Table, names: list[str]) -> list[str]:
    """Fail on missing required or duplicated contract columns; return ignored extra columns."""
    contract_cols = set(table.column_names)
    dupes = sorted({n for n in names if names.count(n) > 1 and n in contract_cols})
    if dupes:
        raise IngestError(f"{path}: column {dupes[0]!r} appears more than once in the header")
    missing = [c for c in table.required if c not in names]
    if missing:
        raise IngestError(
            f"{path}: missing required column {missing[0]!r} for table {table.name!r} "
            f"(required: {', '.join(table.required)})"
        )
    return [n for n in names if n not in contract_cols]


def _jsonl_lines(path: Path) -> tuple[str, list[object]]:
    """SQL (and its parameters) for a JSON Lines file's non-blank physical lines: line_number,
    line, and j, the parsed object (NULL when the line is not one). \x1f never appears unescaped
    in valid JSON, so splitting on it reads whole lines."""
    sql = """
        select line_number, line,
               case when json_valid(line) and json_type(line) = 'OBJECT' then line::json end as j
        from (select row_number() over () as line_number, line
              from read_csv(?, auto_detect = false, header = false,
                            columns = {'line': 'VARCHAR'}, delim = '\\x1f', quote = '',
                            escape = '', max_line_size = ?))
        where trim(coalesce(line, '')) <> ''
    """
    return sql, [str(path), MAX_LINE_BYTES]


def _object_keys(
    con: duckdb.DuckDBPyConnection, lines: str, params: Sequence[object] = ()
) -> list[str]:
    """The keys, as written, of the objects in ``lines`` (a query or table with a column j)."""
    return [
        str(r[0])
        for r in con.execute(
            f"select distinct unnest(json_keys(j)) from {lines}", list(params)
        ).fetchall()
    ]


def _jsonl_keys(con: duckdb.DuckDBPyConnection, path: Path) -> set[str]:
    """The keys (trimmed, lower-cased) of a JSON Lines file's objects."""
    sql, params = _jsonl_lines(path)
    try:
        return {k.strip().lower() for k in _object_keys(con, f"({sql})", params)}
    except duckdb.Error as e:
        raise IngestError(f"{path}: cannot be read as JSON Lines: {_first_line(e)}") from e
