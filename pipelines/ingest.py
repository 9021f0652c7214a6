"""Load an input folder into the warehouse under the data contract.

Every input row ends up either in its table or in ``quarantine`` with a specific reason. One call of
:func:`ingest_folder` is one *batch*: the files not seen before (by content hash) are staged
(read, typed, validated) into working tables, then published, quarantine and merge, in one
transaction, so a run killed midway leaves the previous good state.

All work is set-based DuckDB SQL generated from the contract; Python only lists and hashes files
and reads CSV headers. ``benchmarks/bench_ingest.py`` measures it against a plain typed load.
"""

from __future__ import annotations

import csv
import io
import os
import re
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import blake3
import duckdb

from pipelines.contract import Column, Contract, Table, load_contract
from pipelines.warehouse import row_count, scalar

FORMATS = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}
MAX_LINE_BYTES = 8 * 1024 * 1024  # a 200 KB recruiter note must fit comfortably
TRUE_WORDS, FALSE_WORDS = ("true", "t", "yes", "y", "1"), ("false", "f", "no", "n", "0")


class IngestError(Exception):
    """A file that cannot be read at all. The message names the file and the problem."""


@dataclass(frozen=True)
class InputFile:
    table: str
    path: Path
    format: str
    size: int


@dataclass
class FileResult:
    table: str
    path: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    encoding: str
    ignored_columns: list[str]


@dataclass
class BatchResult:
    batch_id: int | None
    files: list[FileResult] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)
    unrecognised_files: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def totals(self, table: str) -> tuple[int, int, int]:
        fs = [f for f in self.files if f.table == table]
        return (
            sum(f.rows_read for f in fs),
            sum(f.rows_loaded for f in fs),
            sum(f.rows_quarantined for f in fs),
        )


# --------------------------------------------------------------------------------------------
# Finding files


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
    """Input files in load order (contract table order, then file name), and unrecognised names."""
    if not data_dir.is_dir():
        raise IngestError(f"{data_dir}: input folder does not exist (set HIRING_DATA_DIR)")
    found: list[InputFile] = []
    unrecognised: list[str] = []
    for path in sorted(p for p in data_dir.iterdir() if p.is_file() and not p.name.startswith(".")):
        table = table_for_file(path.name, contract)
        if table is None:
            unrecognised.append(path.name)
        else:
            found.append(InputFile(table, path, FORMATS[path.suffix.lower()], path.stat().st_size))
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
                try:
                    schema = con.execute(
                        f"describe select * from read_parquet({_q(f.path)})"
                    ).fetchall()
                except duckdb.Error as e:
                    raise IngestError(
                        f"{f.path}: cannot be read as Parquet: {_first_line(e)}"
                    ) from e
                _check_columns(f.path, table, [str(r[0]).strip().lower() for r in schema])
            elif f.format == "jsonl" and (keys := _jsonl_keys(con, f.path)):
                # (a file without one object is not refused: its lines are quarantined)
                _check_columns(f.path, table, sorted(keys))
    finally:
        con.close()


# --------------------------------------------------------------------------------------------
# DDL


# The warehouse's own tables. Every typed table also ends with _file_id: the row's lineage, the
# ingest_log row of the file it came from.
WAREHOUSE_TABLES = {
    "quarantine": "batch_id integer, source_table varchar, source_file varchar, "
    "row_number bigint, line_number bigint, reason varchar, raw_record varchar, "
    "quarantined_at timestamp",
    "ingest_batches": "batch_id integer, data_dir varchar, contract_version varchar, "
    "started_at timestamp, finished_at timestamp, files integer",
    "ingest_log": "file_id integer, batch_id integer, source_table varchar, path varchar, "
    "file_name varchar, content_hash varchar, size_bytes bigint, format varchar, "
    "encoding varchar, rows_read bigint, rows_loaded bigint, rows_quarantined bigint, "
    "ignored_columns varchar[], ingested_at timestamp",
}


def _layouts(contract: Contract) -> dict[str, str]:
    return {
        t.name: ", ".join(f'"{c.name}" {c.sql_type}' for c in t.columns) + ", _file_id integer"
        for t in contract.tables.values()
    } | WAREHOUSE_TABLES


def _check_layout(con: duckdb.DuckDBPyConnection, name: str, columns: str) -> None:
    """Fail clearly on a table built by an older version of the pipeline (if it exists)."""
    have = [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'main' and table_name = ? order by ordinal_position",
            [name],
        ).fetchall()
    ]
    expected = [c.strip().split(" ")[0].strip('"') for c in columns.split(", ")]
    if have and have != expected:
        path = scalar(
            con, "select path from duckdb_databases() where database_name = current_database()"
        )
        raise IngestError(
            f"{path}: table {name!r} was built by another version of the pipeline (columns "
            f"{', '.join(have)}; expected {', '.join(expected)}): delete the warehouse "
            "(make clean) and run again"
        )


def ensure_tables(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Create the typed tables, quarantine and ingest log if they are missing."""
    for name, columns in _layouts(contract).items():
        _check_layout(con, name, columns)
        con.execute(f'create table if not exists "{name}" ({columns})')


def check_warehouse(path: Path, contract: Contract | None = None) -> None:
    """Before a run: an existing warehouse must have this version's table layout."""
    if not path.exists():
        return
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return  # e.g. held by a running `make dev`: the run itself will report it
    try:
        for name, columns in _layouts(contract or load_contract()).items():
            _check_layout(con, name, columns)
    finally:
        con.close()


# --------------------------------------------------------------------------------------------
# Reading one file: each reader turns a file into a query of text columns and hands it to
# `load`, which validates and types the rows in the same pass (see _load_sql). An empty value
# arrives as NULL (DuckDB's CSV reader already reads "" that way), so validation need not test
# every value for ''.

Load = Callable[[str], None]


def _q(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _first_line(e: BaseException) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__


def _csv_header(path: Path) -> list[str]:
    """Header names, trimmed and lower-cased (the header line alone decides nothing about the
    file's encoding: that is found while reading, see _read_csv)."""
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


def _text_columns(table: Table, present: set[str], expr: Callable[[str], str]) -> str:
    return ", ".join(
        f'{expr(c)} as "{c}"' if c in present else f'NULL::varchar as "{c}"'
        for c in table.column_names
    )


def _read_csv(
    con: duckdb.DuckDBPyConnection, f: InputFile, table: Table, file_id: int, load: Load
) -> tuple[list[str], str]:
    names, encoding = _csv_header(f.path), "utf-8"
    ignored = _check_columns(f.path, table, names)
    # Every header column is read as text by position; extra names get unique aliases.
    aliases = [n if n in table.column_names else f"_extra_{i}" for i, n in enumerate(names)]
    columns = "{" + ", ".join(f"'{a}': 'VARCHAR'" for a in aliases) + "}"
    cols = _text_columns(table, set(names), lambda c: f'"{c}"')

    def read(enc: str) -> None:
        con.execute("drop table if exists _rejects; drop table if exists _reject_scans")
        load(
            f"""
            select {cols}
            from read_csv({_q(f.path)}, auto_detect = false, header = true, columns = {columns},
                          delim = ',', quote = '"', escape = '"', encoding = '{enc}',
                          max_line_size = {MAX_LINE_BYTES}, store_rejects = true,
                          rejects_table = '_rejects', rejects_scan = '_reject_scans')
            """
        )

    try:
        read(encoding)
        if scalar(con, "select count(*) from _rejects where error_type = 'INVALID ENCODING'"):
            # Not UTF-8: drop what was read (each file is staged in its own transaction) and read
            # again as Latin-1, which every byte sequence is.
            con.execute("rollback")
            con.execute("begin transaction")
            encoding = "latin-1"
            read(encoding)
    except duckdb.Error as e:
        raise IngestError(f"{f.path}: cannot be read as CSV: {_first_line(e)}") from e
    # Lines the CSV reader could not split into the header's columns are quarantined whole
    # (the reader may report one line twice; keep its first error).
    con.execute(
        f"""
        insert into _rejects_{table.name}
        select {file_id}, line, arg_min(csv_line, byte_position),
               'unreadable CSV line: ' || lower(replace(arg_min(error_type, byte_position), '_', ' '))
               || ' (' || arg_min(error_message, byte_position) || ')'
        from _rejects group by line
        """
    )
    return ignored, encoding


def _read_parquet(
    con: duckdb.DuckDBPyConnection, f: InputFile, table: Table, file_id: int, load: Load
) -> tuple[list[str], str]:
    try:
        schema = con.execute(f"describe select * from read_parquet({_q(f.path)})").fetchall()
    except duckdb.Error as e:
        raise IngestError(f"{f.path}: cannot be read as Parquet: {_first_line(e)}") from e
    original = {str(r[0]).strip().lower(): str(r[0]) for r in schema}
    ignored = _check_columns(f.path, table, [str(r[0]).strip().lower() for r in schema])
    cols = _text_columns(
        table, set(original), lambda c: f"nullif(cast(\"{original[c]}\" as varchar), '')"
    )
    load(f"select {cols} from read_parquet({_q(f.path)})")
    return ignored, "parquet"


def _jsonl_lines(path: Path) -> str:
    """SQL for a JSON Lines file's non-blank physical lines: line_number, line, and j, the parsed
    object (NULL when the line is not one). \x1f never appears unescaped in valid JSON, so
    splitting on it reads whole lines."""
    return f"""
        select line_number, line,
               case when json_valid(line) and json_type(line) = 'OBJECT' then line::json end as j
        from (select row_number() over () as line_number, line
              from read_csv({_q(path)}, auto_detect = false, header = false,
                            columns = {{'line': 'VARCHAR'}}, delim = '\\x1f', quote = '',
                            escape = '', max_line_size = {MAX_LINE_BYTES}))
        where trim(coalesce(line, '')) <> ''
    """


def _object_keys(con: duckdb.DuckDBPyConnection, lines: str) -> list[str]:
    """The keys, as written, of the objects in ``lines`` (a query or table with a column j)."""
    return [
        str(r[0])
        for r in con.execute(f"select distinct unnest(json_keys(j)) from {lines}").fetchall()
    ]


def _jsonl_keys(con: duckdb.DuckDBPyConnection, path: Path) -> set[str]:
    """The keys (trimmed, lower-cased) of a JSON Lines file's objects."""
    try:
        return {k.strip().lower() for k in _object_keys(con, f"({_jsonl_lines(path)})")}
    except duckdb.Error as e:
        raise IngestError(f"{path}: cannot be read as JSON Lines: {_first_line(e)}") from e


def _read_jsonl(
    con: duckdb.DuckDBPyConnection, f: InputFile, table: Table, file_id: int, load: Load
) -> tuple[list[str], str]:
    try:
        con.execute(f"create or replace temp table _json as {_jsonl_lines(f.path)}")
    except duckdb.Error as e:
        raise IngestError(f"{f.path}: cannot be read as JSON Lines: {_first_line(e)}") from e
    keys = _object_keys(con, "_json")
    by_lower = {k.strip().lower(): k for k in keys}
    names = sorted(by_lower)
    ignored = _check_columns(f.path, table, names) if keys else []

    def extract(c: str) -> str:
        key = by_lower[c].replace('"', '\\"').replace("'", "''")
        return f"nullif(j ->> '$.\"{key}\"', '')"

    load(f"select {_text_columns(table, set(names), extract)} from _json where j is not null")
    # A staged row's number is its position among the file's objects; keep its physical line.
    con.execute(
        f"""
        insert into _lines_{table.name}
        select {file_id}, row_number() over (order by line_number), line_number
        from _json where j is not null
        """
    )
    con.execute(
        f"""
        insert into _rejects_{table.name}
        select {file_id}, line_number, left(line, 100000), 'unreadable JSON line: not a JSON object'
        from _json where j is null
        """
    )
    return ignored, "utf-8"


READERS: dict[
    str,
    Callable[[duckdb.DuckDBPyConnection, InputFile, Table, int, Load], tuple[list[str], str]],
] = {"csv": _read_csv, "parquet": _read_parquet, "jsonl": _read_jsonl}


# --------------------------------------------------------------------------------------------
# Validation, generated from the contract. Row-level problems are found in the same pass that
# types the values; duplicate keys and orphans are then found on keys only, with set queries
# whose results are small.


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _one_of(expr: str, values: list[str] | tuple[str, ...]) -> str:
    """SQL that is true when ``expr`` is exactly one of ``values``. A cast to an ENUM, not IN:
    DuckDB turns an IN list of five or more values into a join, and a join in the staging insert
    loses the file's row order that row numbers are derived from."""
    enum = "ENUM(" + ", ".join(_lit(v) for v in values) + ")"
    return f"try_cast({expr} as {enum}) is not null"


def _typed_expr(c: Column) -> str:
    # DuckDB's casts skip surrounding whitespace, so only text comparisons trim. Each expression
    # tries the common, exact case first: most values never reach lower()/regexp_replace().
    raw = f'r."{c.name}"'
    match c.type:
        case "string":
            # trim() copies every value; most have no space at either end to remove.
            return f"case when {raw} like ' %' or {raw} like '% ' then nullif(trim({raw}), '') else {raw} end"
        case "text":
            return raw
        case "enum":
            n = f"lower(trim({raw}))"
            spaced = f"regexp_replace({n}, '\\s+', '_', 'g')"  # "Strong Yes" -> strong_yes
            return (
                f"case when {_one_of(raw, c.values)} then {raw} "
                f"when {_one_of(n, c.values)} then {n} "
                f"when {_one_of(spaced, c.values)} then {spaced} end"
            )
        case "date":
            return f"try_cast({raw} as date)"
        case "number":
            d = f"try_cast({raw} as double)"
            return f"case when isfinite({d}) then {d} end"
        case "integer":
            d = f"try_cast({raw} as double)"
            return f"case when {d} = round({d}) and abs({d}) < 1e15 then {d}::bigint end"
        case "boolean":
            n = f"lower(trim({raw}))"
            return (
                f"case when {_one_of(n, TRUE_WORDS)} then true "
                f"when {_one_of(n, FALSE_WORDS)} then false end"
            )
    raise ValueError(c.type)


def _fine_exprs(c: Column) -> list[str]:
    """Cheap tests that a value certainly has no problem. Only rows failing one of them get the
    reason string built (a blank optional value fails here but gets no reason: that is fine)."""
    raw, val = f'v."raw_{c.name}"', f'v."{c.name}"'
    out: list[str] = []
    if c.required:
        out.append(f"{val} is not null")
    elif c.type not in ("string", "text"):
        out.append(f"({val} is not null or {raw} is null)")
    if c.min is not None:
        out.append(f"coalesce({val} >= {c.min}, true)")
    if c.max is not None:
        out.append(f"coalesce({val} <= {c.max}, true)")
    return out


def _problem_exprs(c: Column) -> list[str]:
    """SQL giving a specific reason string for a bad value, or NULL when the value is fine."""
    raw, val = f'v."raw_{c.name}"', f'v."{c.name}"'
    present = f"nullif(trim({raw}), '') is not null"
    shown = f"'''' || left({raw}, 80) || ''''"
    out: list[str] = []
    if c.required:
        out.append(f"case when not ({present}) then 'missing required value for {c.name}' end")
    expected = {
        "enum": "one of " + "|".join(c.values),
        "date": "an ISO 8601 date such as 2026-03-14",
        "number": "a number",
        "integer": "a whole number",
        "boolean": "true or false",
    }.get(c.type)
    if expected:
        out.append(
            f"case when {val} is null and {present} then "
            f"'bad value for {c.name}: ' || {shown} || ' (expected {expected})' end"
        )
    if c.min is not None and c.max is not None:
        out.append(
            f"case when {val} < {c.min} or {val} > {c.max} then "
            f"'{c.name} out of range: ' || {val} || ' (expected {c.min:g} to {c.max:g})' end"
        )
    elif c.min is not None:
        word = "negative" if c.min == 0 else "too small"
        out.append(
            f"case when {val} < {c.min} then "
            f"'{word} {c.name}: ' || {val} || ' (must be at least {c.min:g})' end"
        )
    return out


def _json_of(cols: list[str], prefix: str = "") -> str:
    return (
        "to_json(struct_pack(" + ", ".join(f'"{c}" := "{prefix}{c}"' for c in cols) + "))::varchar"
    )


def _load_sql(table: Table, file_id: int, source: str) -> str:
    """Insert one file's rows into ``_ingest_<table>``: typed, and for a row with a problem a
    ``_reject`` JSON holding the reason and the raw record (NULL for every good row)."""
    names = table.column_names
    typed = ", ".join(f'{_typed_expr(c)} as "{c.name}"' for c in table.columns)
    raws = ", ".join(f'r."{c}" as "raw_{c}"' for c in names)
    problems = ", ".join(p for c in table.columns for p in _problem_exprs(c))
    fine = " and ".join(p for c in table.columns for p in _fine_exprs(c)) or "true"
    raw_record = "struct_pack(" + ", ".join(f'"{c}" := "raw_{c}"' for c in names) + ")"
    cols = ", ".join(f'"{c}"' for c in names)
    return f"""
        insert into _ingest_{table.name}
        select {cols}, {file_id},
               case when reason is not null
                    then to_json(struct_pack(reason := reason, record := {raw_record}))::varchar end
        from (
            select v.*,
                   case when {fine} then NULL
                        else nullif(concat_ws('; ', {problems}), '') end as reason
            from (select {raws}, {typed} from ({source}) r) v
        )
    """


# Rows are staged in file order (preserve_insertion_order) and files one after another, so a
# staged row's number in its file follows from its rowid: no per-row column, and no
# row_number() window, which would serialise the parallel CSV reader. JSON Lines rows map their
# number to the physical line through _lines_<table>.
def _row_number_sql(t: str, rowid: str = "c.rowid") -> tuple[str, str]:
    """(joins, expression) giving a staged row's number in its file."""
    joins = (
        f"join _files_{t} f on f.file_id = c._file_id "
        f"left join _lines_{t} l on l.file_id = c._file_id "
        f"and l.ordinal = {rowid} - f.first_rowid + 1"
    )
    return joins, f"coalesce(l.line_number, {rowid} - f.first_rowid + 1)"


def _flag(con: duckdb.DuckDBPyConnection, table: Table, rows_sql: str) -> None:
    """Record a reason for the rows ``rows_sql`` returns (rid = staging rowid, reason) in a small
    side table, so that the large working table is only ever read, then trimmed by one delete."""
    con.execute(f"insert into _flags_{table.name} select rid, reason from ({rows_sql})")


def _flag_duplicates(con: duckdb.DuckDBPyConnection, table: Table, n_files: int) -> None:
    t = table.name
    cols = ", ".join(f'c."{c}"' for c in table.column_names)
    files = ["_file_id"] if n_files > 1 else []  # duplicates are looked for within a file
    if table.key:
        key_desc = " || ', ' || ".join(f"'{k}=' || \"{k}\"" for k in table.key)
        reason = (
            "case when whole is not distinct from first_whole then 'exact duplicate of row ' || "
            "first_row || ' of the same file' else 'conflicting duplicate key (' || "
            f"{key_desc} || '): differs from row ' || first_row || ' of the same file' end"
        )
        # Candidates share a key; the window compares rows by key.
        candidate = same_as = files + [f'"{k}"' for k in table.key]
        rows, staged = f"select c.* from _valid_{t} c", f"select c.* from _ingest_{t} c"
    else:
        reason = "'exact duplicate of row ' || first_row || ' of the same file'"
        # Candidates share a row hash; the window compares whole rows (a hash may collide).
        candidate, same_as = files + ["h"], files + [f'"{c}"' for c in table.column_names]
        rows = f"select c.*, hash({cols}) as h from _valid_{t} c"
        staged = f"select c._file_id, hash({cols}) as h from _ingest_{t} c"
    by = ", ".join(candidate)
    # The keys (or row hashes) that occur more than once are found first, on narrow columns and
    # over every staged row (a superset: cheaper than excluding rejected and flagged rows here);
    # usually there are none, and only the valid rows among theirs are numbered and windowed.
    # Sorting and comparing neighbours beats a hash aggregate when nearly every value is unique
    # (10M application ids: 0.32 s against 0.72 s).
    leads = ", ".join(f"lead({g}) over w as _next_{i}" for i, g in enumerate(candidate))
    same = " and ".join(f"{g} = _next_{i}" for i, g in enumerate(candidate))
    con.execute(
        f"create or replace temp table _repeated as select distinct {by} from "
        f"(select {by}, {leads} from ({staged}) c window w as (order by {by})) where {same}"
    )
    if not row_count(con, "_repeated"):
        return
    joins, number = _row_number_sql(t, "c.rid")
    _flag(
        con,
        table,
        f"""
        select rid, {reason} as reason from (
            select *, row_number() over w as occurrence,
                   first_value(n) over w as first_row,
                   first_value(whole) over w as first_whole
            from (select c.*, {number} as n, struct_pack({cols}) as whole
                  from (select r.* from ({rows}) r semi join _repeated d using ({by})) c {joins})
            window w as (partition by {", ".join(same_as)} order by rid)
        ) where occurrence > 1
        """,
    )


def _flag_orphans(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    for c in table.columns:
        if not c.references:
            continue
        parent, pcol = c.references.split(".")
        _flag(
            con,
            table,
            f"""
            select c.rid,
                   'orphan foreign key: {c.name} ''' || c."{c.name}" || ''' not found in {parent}'
                   as reason
            from _valid_{table.name} c
            anti join "{parent}" p on p."{pcol}" = c."{c.name}"
            where c."{c.name}" is not null
            """,
        )


# --------------------------------------------------------------------------------------------
# Merge: valid rows replace older snapshots of the same key in the typed table


def _merge(con: duckdb.DuckDBPyConnection, table: Table, n_files: int) -> None:
    """Apply the batch's valid rows: newer snapshots replace older ones of the same key."""
    t = table.name
    con.execute(f"create or replace temp table _superseded_{t} (rid bigint)")
    stored = row_count(con, t) > 0
    if table.key:
        key = ", ".join(f'"{k}"' for k in table.key)
        key_eq = " and ".join(f't."{k}" = c."{k}"' for k in table.key)
        v = table.version_column
        if n_files > 1:
            # One key in several files of this batch: the newest snapshot wins.
            order = (f'"{v}" desc nulls last, ' if v else "") + "_file_id desc, rid desc"
            con.execute(
                f"""
                insert into _superseded_{t}
                select rid from (
                    select rid, row_number() over (partition by {key} order by {order}) as rank
                    from _valid_{t} semi join (select {key} from _valid_{t}
                        group by all having count(*) > 1) using ({key})
                ) where rank > 1
                """
            )
        if stored and v:
            # An older snapshot sent again must not overwrite a newer stored one.
            con.execute(
                f"""
                insert into _superseded_{t}
                select c.rid from _valid_{t} c join "{t}" t on {key_eq}
                where coalesce(t."{v}", date '0001-01-01') > coalesce(c."{v}", date '0001-01-01')
                """
            )
        replace_on = list(table.key)
    else:
        snap = ", ".join(f'"{k}"' for k in table.snapshot_key)
        if n_files > 1:
            # The newest file's rows for an application replace the older files' rows.
            con.execute(
                f"""
                insert into _superseded_{t}
                select rid from (
                    select rid, _file_id, max(_file_id) over (partition by {snap}) as newest
                    from _valid_{t}
                ) where _file_id < newest
                """
            )
        replace_on = list(table.snapshot_key)
    if not stored:
        # First load: the working table, less its excluded rows and working columns, becomes the
        # table. Deleting from committed data, dropping columns and renaming rewrite nothing; a
        # copy would write every row a second time.
        con.execute(
            f"delete from _ingest_{t} where _reject is not null "
            f"or rowid in (select rid from _flags_{t} union all select rid from _superseded_{t})"
        )
        con.execute(f"drop view _valid_{t}")
        con.execute(f"alter table _ingest_{t} drop column _reject")
        con.execute(f'drop table "{t}"')
        con.execute(f'alter table _ingest_{t} rename to "{t}"')
        return
    incoming = f"select c.* from _valid_{t} c anti join _superseded_{t} s on s.rid = c.rid"
    replace_cols = ", ".join(f'"{k}"' for k in replace_on)
    on = " and ".join(f't."{k}" = i."{k}"' for k in replace_on)
    con.execute(
        f'delete from "{t}" t using (select distinct {replace_cols} from ({incoming})) i where {on}'
    )
    cols = ", ".join(f'c."{c}"' for c in table.column_names)
    con.execute(f'insert into "{t}" select {cols}, c._file_id from ({incoming}) c')


def ingest_folder(
    con: duckdb.DuckDBPyConnection,
    data_dir: Path,
    contract: Contract | None = None,
    log: Callable[[str], None] = lambda _msg: None,
) -> BatchResult:
    """Ingest every new file in ``data_dir`` as one batch.

    Two phases. *Stage*: each file is read, typed and validated into a working table
    ``_ingest_<table>`` (one transaction per file); nothing a reader of the warehouse sees changes.
    *Publish*: one transaction quarantines the bad rows, drops them from the working tables and
    merges the rest into the typed tables, with the quarantine and ingest log. A run killed in
    either phase leaves the previous good state (leftover working tables are dropped by the next
    run). Staging commits first because DuckDB deletes cheaply from committed data but rewrites a
    table at commit when rows it wrote in the same transaction are deleted.
    """
    contract = contract or load_contract()
    started = time.perf_counter()
    files, unrecognised = discover_files(Path(data_dir), contract)
    for name in unrecognised:
        log(f"ignored {name}: not named after a contract table ({', '.join(contract.tables)})")
    ensure_tables(con, contract)
    _drop_working_tables(con, contract)  # left behind by a run killed between the phases
    logged = con.execute("select source_table, content_hash, size_bytes from ingest_log").fetchall()
    seen = {(r[0], r[1]) for r in logged}
    seen_sizes = {(r[0], r[2]) for r in logged}
    # Files are hashed in the background (blake3 releases the GIL) while DuckDB works. Only a
    # file of a size already logged can have been seen: only its hash is waited for here.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        digests = {f.path: pool.submit(content_hash, f.path) for f in files}
        is_new = {
            f.path: (f.table, f.size) not in seen_sizes
            or (f.table, digests[f.path].result()) not in seen
            for f in files
        }
        new = [f for f in files if is_new[f.path]]
        result = BatchResult(
            batch_id=None,
            skipped_files=[str(f.path) for f in files if not is_new[f.path]],
            unrecognised_files=unrecognised,
        )
        if new:
            _ingest_batch(con, contract, data_dir, new, digests, result, log)
        else:
            log("no new input files: the warehouse is up to date")
    result.seconds = time.perf_counter() - started
    return result


def _ingest_batch(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    data_dir: Path,
    new: list[InputFile],
    digests: dict[Path, Future[str]],
    result: BatchResult,
    log: Callable[[str], None],
) -> None:
    """Stage the new files, then publish them in one transaction (see ingest_folder)."""
    batch_id = int(scalar(con, "select coalesce(max(batch_id), 0) + 1 from ingest_batches"))
    result.batch_id = batch_id
    first_id = int(scalar(con, "select coalesce(max(file_id), 0) + 1 from ingest_log"))
    now = datetime.now(UTC).replace(tzinfo=None)
    file_ids = {f.path: first_id + i for i, f in enumerate(new)}
    batch = [
        (table, [f for f in new if f.table == table.name])
        for table in contract.tables.values()
        if any(f.table == table.name for f in new)
    ]
    try:
        staged = {table.name: _stage_table(con, table, fs, file_ids, log) for table, fs in batch}
        con.execute("begin transaction")
        try:
            con.execute(
                "insert into ingest_batches values (?, ?, ?, ?, NULL, ?)",
                [batch_id, str(data_dir), contract.version, now, len(new)],
            )
            for table, fs in batch:
                result.files += _publish_table(
                    con, table, fs, staged[table.name], file_ids, digests, batch_id, now, log
                )
            con.execute(
                "update ingest_batches set finished_at = ? where batch_id = ?",
                [datetime.now(UTC).replace(tzinfo=None), batch_id],
            )
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    finally:
        _drop_working_tables(con, contract)


def _drop_working_tables(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    for t in contract.tables:
        con.execute(f"drop view if exists _valid_{t}")
        for name in (f"_ingest_{t}", f"_flags_{t}", f"_superseded_{t}", f"_rejects_{t}",
                     f"_files_{t}", f"_lines_{t}"):  # fmt: skip
            con.execute(f"drop table if exists {name}")
    for name in ("_rejects", "_reject_scans", "_json", "_repeated"):
        con.execute(f"drop table if exists {name}")


@dataclass
class _Staged:
    meta: dict[int, tuple[list[str], str]]  # file id -> (ignored columns, encoding)
    seconds: float


def _stage_table(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    files: list[InputFile],
    file_ids: dict[Path, int],
    log: Callable[[str], None],
) -> _Staged:
    """Read, type and validate a table's new files into ``_ingest_<table>``, committed per file."""
    t0, t = time.perf_counter(), table.name
    typed_cols = ", ".join(f'"{c.name}" {c.sql_type}' for c in table.columns)
    # The working table has the target's columns first, so that on a table's first load it can
    # become the target itself (see _merge). It is on disk, so a large batch need not fit in
    # memory; the temp tables beside it are small.
    con.execute(f"create table _ingest_{t} ({typed_cols}, _file_id integer, _reject varchar)")
    con.execute(
        f"create temp table _rejects_{t} "
        "(file_id integer, line_number bigint, raw_line varchar, reason varchar)"
    )
    con.execute(f"create temp table _files_{t} (file_id integer, path varchar, first_rowid bigint)")
    con.execute(
        f"create temp table _lines_{t} (file_id integer, ordinal bigint, line_number bigint)"
    )
    meta: dict[int, tuple[list[str], str]] = {}
    for f in files:
        file_id = file_ids[f.path]

        def load(source: str, file_id: int = file_id) -> None:
            con.execute(_load_sql(table, file_id, source))

        # Nothing is ever deleted from the working table while staging, so the file's rows will
        # take the row ids from the current row count on.
        con.execute(
            f"insert into _files_{t} select ?, ?, count(*) from _ingest_{t}", [file_id, str(f.path)]
        )
        started = time.perf_counter()
        con.execute("begin transaction")
        try:
            meta[file_id] = READERS[f.format](con, f, table, file_id, load)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        log(f"staged {f.path.name} ({time.perf_counter() - started:.1f}s)")
    return _Staged(meta, time.perf_counter() - t0)


def _publish_table(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    files: list[InputFile],
    staged: _Staged,
    file_ids: dict[Path, int],
    digests: dict[Path, Future[str]],
    batch_id: int,
    now: datetime,
    log: Callable[[str], None],
) -> list[FileResult]:
    """Quarantine a staged table's bad rows and merge the rest (inside the batch transaction)."""
    t0, t = time.perf_counter(), table.name
    con.execute(f"create or replace temp table _flags_{t} (rid bigint, reason varchar)")
    staged_rows = f"select c.*, c.rowid as rid from _ingest_{t} c"
    con.execute(
        f"create or replace temp view _valid_{t} as select c.* from ({staged_rows}) c "
        f"anti join _flags_{t} g on g.rid = c.rid where c._reject is null"
    )
    for ignored, _ in staged.meta.values():
        if ignored:
            log(f"{t}: ignored columns not in the contract: {', '.join(ignored)}")
    # Rows read per file, counted before any reason is given (the conservation check compares).
    read = _per_file(con, f"select _file_id, count(*) from _ingest_{t} group by 1")
    rejected = _per_file(con, f"select file_id, count(*) from _rejects_{t} group by 1")

    # Orphans first: there are usually none, so the duplicate search that follows (over the
    # rows not yet flagged) excludes almost nothing.
    _flag_orphans(con, table)
    _flag_duplicates(con, table, len(files))
    # Rows flagged after typing are quarantined with their typed values (the raw text of a valid
    # row reads the same).
    typed_json = _json_of(table.column_names, "c.").replace('"c.', 'c."')
    joins, number = _row_number_sql(t, "c.rid")
    con.execute(
        f"""
        insert into quarantine
        select {batch_id}, '{t}', f.path, {number}, NULL, c._reject ->> '$.reason',
               (c._reject -> '$.record')::varchar, ?
        from ({staged_rows} where c._reject is not null) c {joins}
        union all
        select {batch_id}, '{t}', f.path, {number}, NULL, g.reason, {typed_json}, ?
        from ({staged_rows}) c join _flags_{t} g on g.rid = c.rid {joins}
        union all
        select {batch_id}, '{t}', f.path, NULL, r.line_number, r.reason, r.raw_line, ?
        from _rejects_{t} r join _files_{t} f using (file_id)
        """,
        [now, now, now],
    )
    loaded = _per_file(con, f"select _file_id, count(*) from _valid_{t} group by 1")
    _merge(con, table, len(files))
    results = []
    for f in files:
        file_id = file_ids[f.path]
        n_read = read.get(file_id, 0) + rejected.get(file_id, 0)
        n_loaded = loaded.get(file_id, 0)
        n_bad = n_read - n_loaded
        ignored, encoding = staged.meta[file_id]
        con.execute(
            "insert into ingest_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [file_id, batch_id, t, str(f.path), f.path.name, digests[f.path].result(), f.size, f.format, encoding,
             n_read, n_loaded, n_bad, ignored, now],
        )  # fmt: skip
        results.append(FileResult(t, str(f.path), n_read, n_loaded, n_bad, encoding, ignored))
    n = sum(r.rows_read for r in results)
    q = sum(r.rows_quarantined for r in results)
    log(
        f"{t}: {n:,} rows read, {n - q:,} loaded, {q:,} quarantined "
        f"({staged.seconds + time.perf_counter() - t0:.1f}s)"
    )
    return results


def _per_file(con: duckdb.DuckDBPyConnection, sql: str) -> dict[int, int]:
    return {int(k): int(v) for k, v in con.execute(sql).fetchall()}
