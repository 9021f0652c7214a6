"""The input files: which ones there are, what they hold and their column names (their content
hashes: :mod:`pipelines.ingest.hashing`).

Python only lists, sniffs and hashes files and reads CSV headers; Parquet schemas and JSON Lines
keys are read by DuckDB. :func:`list_input_folder` is the one listing of the input folder: the
ingest, the pre-run header check (:func:`check_headers`) and a sensor that only watches the folder
all use it (it stats entries, never opens them: a FIFO named like an input would block a reader).

Before a text file is read, :func:`sniff` looks at its first KB, so the header check and the
reader agree on what it is: gzip (by its magic bytes, whatever the name) and UTF-16 little-endian
are read; anything else that is not text (UTF-32, UTF-16 big-endian, zip, Parquet, other
compression, binary data) fails with one line naming the file and what it is. Limits, each with
its own message: a CSV header line of 64 KiB and 1,000 columns, lines of 8 MiB.
"""

from __future__ import annotations

import codecs
import csv
import errno
import gzip
import logging
import os
import re
import stat
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import duckdb

from pipelines import sources
from pipelines.contract import Contract, Table, load_contract
from pipelines.ingest.errors import MAX_LINE_BYTES, IngestError, read_error

FORMATS = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}
GZIP_SUFFIX = ".gz"  # applications.csv.gz, interviews.jsonl.gz (Parquet compresses inside)
MAX_HEADER_BYTES = 64 * 1024  # a CSV header line; all the contract's columns take < 300 bytes
MAX_HEADER_COLUMNS = 1000
SNIFF_BYTES = 1024  # what sniff() reads of a file (of its decompressed text, when gzip)

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InputFile:
    table: str
    path: Path
    format: str
    size: int
    mtime: float  # with size, what a sensor compares to see that a file changed
    # "contract", or the vendor of an export sub-folder (pipelines.sources), whose adapter reads
    # ``inputs`` with this file (size, mtime and content hash cover them all)
    source: str = "contract"
    inputs: tuple[Path, ...] = ()


@dataclass
class InputListing:
    """What :func:`list_input_folder` found: input files in load order, names of other regular
    files, and entries that are named like inputs (or are not files) but are not read, each with
    the reason (FIFOs, sockets, symbolic link loops, folders)."""

    files: list[InputFile] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # name -> why it is not read


@dataclass(frozen=True)
class Sniffed:
    """How DuckDB's read_csv is to read a text file (its ``compression`` and ``encoding``)."""

    compression: str  # "none" or "gzip"
    encoding: str  # "utf-8" or "utf-16" (little-endian, as DuckDB reads it)


def _name_format(name: str) -> tuple[str, str] | None:
    """(stem, format) of an input file name: ``applications-05.csv.gz`` -> (applications-05, csv)."""
    base = name[: -len(GZIP_SUFFIX)] if name.lower().endswith(GZIP_SUFFIX) else name
    fmt = FORMATS.get(Path(base).suffix.lower())
    if fmt is None or (fmt == "parquet" and base != name):
        return None
    return Path(base).stem, fmt


def _table_of(stem: str, contract: Contract) -> str | None:
    for table in contract.tables:
        if stem == table or re.fullmatch(rf"{table}[-_.].+", stem):
            return table
    return None


def table_for_file(name: str, contract: Contract) -> str | None:
    """``applications.csv``, ``applications-2026-05.csv`` and ``applications.csv.gz`` all belong
    to ``applications``."""
    named = _name_format(name)
    return _table_of(named[0], contract) if named else None


def _not_a_file(path: Path, st: os.stat_result | None, error: OSError | None) -> str:
    """Why a folder entry that is not a regular file is not read."""
    if st is None:
        if error is not None and error.errno == errno.ELOOP:
            return "a symbolic link loop"
        if error is not None and error.errno == errno.ENOENT and path.is_symlink():
            return f"a broken symbolic link (to {os.readlink(path)})"
        return f"cannot be examined: {error.strerror if error else 'unknown error'}"
    if stat.S_ISDIR(st.st_mode):
        return "a folder (subfolders are not read)"
    if stat.S_ISFIFO(st.st_mode):
        return "a FIFO (named pipe), not a file: never opened, a read could wait forever"
    if stat.S_ISSOCK(st.st_mode):
        return "a socket, not a file"
    return "a device, not a file"


def list_input_folder(data_dir: Path, contract: Contract) -> InputListing:
    """Input files in load order (contract table order, then file name: the bare
    ``<table>.<ext>`` first), unrecognised names, and entries not read with the reason. A vendor
    export folder (greenhouse/, lever/, ashby/, checkr/) gives its adapter's files. Dotfiles,
    other folders are left out. Nothing is opened."""
    if not data_dir.is_dir():
        raise IngestError(f"{data_dir}: input folder does not exist (set HIRING_DATA_DIR)")
    try:
        names = sorted(n for n in os.listdir(data_dir) if not n.startswith("."))
    except OSError as e:
        raise IngestError(f"{data_dir}: input folder cannot be listed: {e.strerror or e}") from e
    out = InputListing()
    for name in names:
        path, named = data_dir / name, _name_format(name)
        table = _table_of(named[0], contract) if named else None
        st: os.stat_result | None = None
        error: OSError | None = None
        try:
            st = path.stat()  # follows symbolic links
        except OSError as e:
            error = e
        if st is not None and stat.S_ISDIR(st.st_mode) and name.lower() in sources.VENDORS:
            export, v = sources.discover(path, name.lower()), name.lower()  # pipelines.sources
            out.skipped.update(export.skipped)
            out.files += [InputFile(*x.listed(), v, x.inputs) for x in export.files]
        elif st is not None and stat.S_ISREG(st.st_mode):
            if named is None or table is None:
                out.unrecognised.append(name)
            else:
                out.files.append(InputFile(table, path, named[1], st.st_size, st.st_mtime))
        elif table is not None or st is None or not stat.S_ISDIR(st.st_mode):
            out.skipped[name] = _not_a_file(path, st, error)
    # Within a table, the bare <table>.<ext> first, then by name: applications.csv is delivered
    # before applications-2026-05.csv and applications.2026-05.csv (plain order puts "-" and
    # "2" before "c"), so that a rebuild from every file takes the same snapshot as the runs
    # that read them in turn
    order = list(contract.tables)

    def bare(f: InputFile) -> bool:
        named = _name_format(f.path.name)
        return named is not None and named[0].lower() == f.table

    out.files.sort(key=lambda f: (order.index(f.table), not bare(f), f.path.name))
    return out


def discover_files(data_dir: Path, contract: Contract) -> tuple[list[InputFile], list[str]]:
    """Input files in load order and unrecognised names (see :func:`list_input_folder`, which
    also says which entries were skipped and why)."""
    listing = list_input_folder(data_dir, contract)
    return listing.files, listing.unrecognised


def check_headers(data_dir: Path, contract: Contract | None = None) -> InputListing:
    """Fail fast, before any run, on the mistakes that would fail the batch: a missing folder, an
    unreadable file, a file that is not what its name says, a missing required column. Reads CSV
    headers, Parquet schemas and the keys of JSON Lines objects (those are only known after
    parsing every line). Entries skipped (FIFOs, link loops, ...) are logged as warnings; the
    listing is returned."""
    contract = contract or load_contract()
    listing = list_input_folder(data_dir, contract)
    for name, reason in listing.skipped.items():
        _log.warning("%s: skipped: %s", data_dir / name, reason)
    con = duckdb.connect()
    try:
        for f in listing.files:
            table = contract.table(f.table)
            if f.source != "contract":  # read by its adapter, which names a file it cannot read
                continue
            if f.format == "csv":
                _check_columns(f.path, table, _csv_header(f.path)[0])
            elif f.format == "parquet":
                names = _parquet_names(con, f.path)
                _check_columns(f.path, table, [n.strip().lower() for n in names])
            elif f.format == "jsonl" and (keys := _jsonl_keys(con, f.path)):
                # (a file without one object is not refused: its lines are quarantined)
                _check_columns(f.path, table, sorted(keys))
    finally:
        con.close()
    return listing


def _open(path: Path) -> BinaryIO:
    """The file, opened for reading only if it is a regular file (never blocks on a FIFO)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        raise IngestError(f"{path}: cannot be read: {e.strerror or e}") from e
    f = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        f.close()
        raise IngestError(f"{path}: not a regular file")
    return f


def _head(path: Path, n: int, compression: str = "none") -> bytes:
    """The first ``n`` bytes of the file, or of its decompressed content (``gzip``)."""
    with _open(path) as f:
        if compression != "gzip":
            return f.read(n)
        try:
            with gzip.GzipFile(fileobj=f) as g:
                return g.read(n)
        except (OSError, EOFError, zlib.error) as e:
            raise IngestError(f"{path}: gzip-compressed, but corrupt or cut short: {e}") from e


_MAGIC = (  # (pattern at the start of the file, what it is); checked after gzip is decompressed
    (rb"\x00\x00\xfe\xff|\xff\xfe\x00\x00", "UTF-32 text; save it as UTF-8 {what}"),
    (rb"\xfe\xff", "UTF-16 big-endian text; save it as UTF-8 {what}"),
    (rb"PK\x03\x04", "a zip archive (an .xlsx workbook is one), not {what}; unzip or export it"),
    (rb"PAR1", "a Parquet file, not {what}; name it .parquet"),
    (rb"\xd0\xcf\x11\xe0", "an Office document (.xls?), not {what}; export it as {what}"),
    (rb"BZh[1-9]1AY&SY", "bzip2-compressed; only gzip is read: decompress it or use gzip"),
    (rb"\xfd7zXZ\x00", "xz-compressed; only gzip is read: decompress it or use gzip"),
    (rb"\x28\xb5\x2f\xfd", "zstd-compressed; only gzip is read: decompress it or use gzip"),
    (rb"7z\xbc\xaf\x27\x1c", "a 7-Zip archive, not {what}"),
    (rb"%PDF-", "a PDF document, not {what}"),
)
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\r\f")


def sniff(path: Path, what: str = "CSV") -> Sniffed:
    """What a CSV or JSON Lines file (``what``) holds, from its first KB: gzip and UTF-16
    little-endian (with or without a byte order mark) are read; a file that is not UTF-8, Latin-1
    or UTF-16LE text fails with one line saying what it is."""
    head, compression = _head(path, SNIFF_BYTES), "none"
    if head[:2] == b"\x1f\x8b":
        head, compression = _head(path, SNIFF_BYTES, "gzip"), "gzip"
    gz = "gzip-compressed, holding " if compression == "gzip" else ""
    # Share of NUL bytes at even and odd offsets: ASCII as UTF-16LE is "a\0b\0", as BE "\0a\0b".
    even, odd = (head[i::2].count(0) / max(len(head[i::2]), 1) for i in (0, 1))
    utf16 = len(head) >= 8 and min(even, odd) <= 0.1 and max(even, odd) >= 0.9
    if (head[:2] == b"\xff\xfe" and head[2:4] != b"\x00\x00") or (utf16 and odd > even):
        return Sniffed(compression, "utf-16")  # little-endian, with or without byte order mark
    kind = next((k for magic, k in _MAGIC if re.match(magic, head)), None)
    if kind is None and utf16:
        kind = "UTF-16 big-endian text; save it as UTF-8 {what}"  # without a byte order mark
    if kind is None and (
        b"\x00" in head or len(head) - len(head.translate(None, _CONTROL)) > len(head) // 20
    ):
        kind = f"binary data (control bytes in its first {SNIFF_BYTES} bytes), not {{what}} text"
    if kind is not None:
        raise IngestError(f"{path}: {gz}{kind.format(what=what)}")
    return Sniffed(compression, "utf-8")


def _record_end(text: str) -> int | None:
    """Where the first CSV record of ``text`` ends (a line end outside quotes), if it does."""
    quoted = False
    for m in re.finditer(r'["\r\n]', text):
        if m.group() == '"':
            quoted = not quoted
        elif not quoted:
            return m.start()
    return None


def _csv_header(path: Path) -> tuple[list[str], Sniffed]:
    """Header names, trimmed and lower-cased, and how the file is to be read. Reads at most
    MAX_HEADER_BYTES (of the decompressed text): a longer header line fails. (The header line
    alone decides nothing about UTF-8 or Latin-1: that is found while reading, see
    readers._read_csv.)"""
    sniffed = sniff(path)
    data = _head(path, MAX_HEADER_BYTES + 1, sniffed.compression)
    if sniffed.encoding == "utf-16":
        text = codecs.getincrementaldecoder("utf-16-le")("replace").decode(data)
    else:
        text = data.decode("latin-1")  # one character per byte: finds the line end in bytes
    end = _record_end(text)
    if end is None and len(data) > MAX_HEADER_BYTES:
        raise IngestError(
            f"{path}: header line longer than the {MAX_HEADER_BYTES // 1024} KiB limit "
            "(is it a CSV file?)"
        )
    first = text[:end]
    if sniffed.encoding != "utf-16":
        try:
            first = data[:end].decode("utf-8")
        except UnicodeDecodeError:
            first = data[:end].decode("latin-1")
    first = first.removeprefix("\ufeff")  # (Latin-1 header lines have no byte order mark)
    if not first.strip():
        raise IngestError(f"{path}: file is empty or has no header line")
    try:
        names = next(csv.reader([first]), [])
    except csv.Error as e:
        raise IngestError(f"{path}: cannot be read as CSV: header line: {e}") from e
    if len(names) > MAX_HEADER_COLUMNS:
        raise IngestError(
            f"{path}: header has {len(names):,} columns, over the limit of {MAX_HEADER_COLUMNS:,}"
        )
    return [n.strip().lower() for n in names], sniffed


def _parquet_names(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """A Parquet file's column names, as written."""
    if (head := _head(path, 4)) != b"PAR1":
        problem = "file is empty" if not head else "does not start with the Parquet magic bytes"
        raise IngestError(f"{path}: not a Parquet file ({problem})")
    try:
        schema = con.execute("describe select * from read_parquet(?)", [str(path)]).fetchall()
    except duckdb.Error as e:
        raise read_error(path, e, "Parquet") from None  # (DuckDB quotes values: not kept)
    return [str(r[0]) for r in schema]


def _check_columns(path: Path, table: Table, names: list[str]) -> list[str]:
    """Fail on missing required or duplicated contract columns; return ignored extra columns.
    Linear in the number of names."""
    counts, contract_cols = Counter(names), set(table.column_names)
    dupes = sorted(n for n in contract_cols if counts[n] > 1)
    if dupes:
        raise IngestError(f"{path}: column {dupes[0]!r} appears more than once in the header")
    missing = [c for c in table.required if c not in counts]
    if missing:
        raise IngestError(
            f"{path}: missing required column {missing[0]!r} for table {table.name!r} "
            f"(required: {', '.join(table.required)})"
        )
    return [n for n in names if n not in contract_cols]


def _jsonl_lines(path: Path) -> tuple[str, list[object], Sniffed]:
    """SQL (and its parameters) for a JSON Lines file's non-blank physical lines: line_number,
    line, and j, the parsed object (NULL when the line is not one), and how the file was found to
    be stored (sniff). \x1f never appears unescaped in valid JSON, so splitting on it reads whole
    lines."""
    sniffed = sniff(path, "JSON Lines")
    sql = """
        select line_number, line,
               case when json_valid(line) and json_type(line) = 'OBJECT' then line::json end as j
        from (select row_number() over () as line_number, line
              from read_csv(?, auto_detect = false, header = false,
                            columns = {'line': 'VARCHAR'}, delim = '\\x1f', quote = '',
                            escape = '', compression = ?, encoding = ?, max_line_size = ?))
        where trim(coalesce(line, '')) <> ''
    """
    return sql, [str(path), sniffed.compression, sniffed.encoding, MAX_LINE_BYTES], sniffed


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
    sql, params, _ = _jsonl_lines(path)
    try:
        return {k.strip().lower() for k in _object_keys(con, f"({sql})", params)}
    except duckdb.Error as e:
        raise read_error(path, e, "JSON Lines") from None  # (DuckDB quotes values: not kept)
