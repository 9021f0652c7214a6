"""Readers: one CSV, Parquet or JSON Lines file into its table's staging table.

Each reader turns a file into a query of text columns and hands it to ``load``, which validates
and types the rows in the same pass (see validate._load_sql). An empty value arrives as NULL
(DuckDB's CSV reader already reads "" that way), so validation need not test every value for ''.
Lines that cannot be read as a row go to the table's ``_rejects_<table>``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from pipelines import sources
from pipelines.contract import Table
from pipelines.ingest.errors import read_error
from pipelines.ingest.files import (
    MAX_LINE_BYTES,
    IngestError,
    InputFile,
    _check_columns,
    _csv_header,
    _jsonl_lines,
    _object_keys,
    _parquet_names,
)
from pipelines.warehouse import quote_ident, scalar, sql_literal

# load(source, params[, adapter]): stage the rows of the query ``source`` (``params`` bound to its
# ``?``); ``adapter``: the query is a vendor adapter's (see validate._load_sql).
Load = Callable[..., None]


@dataclass(frozen=True)
class ReadMeta:
    """What reading a file found: extra columns ignored, how it was stored, and the contract
    version it was read as (the newest version that added one of its columns)."""

    ignored: list[str]
    encoding: str
    contract_version: str


Reader = Callable[[duckdb.DuckDBPyConnection, InputFile, Table, int, Load], ReadMeta]


def _text_columns(table: Table, present: set[str], expr: Callable[[str], str]) -> str:
    return ", ".join(
        f"{expr(c)} as {quote_ident(c)}" if c in present else f"NULL::varchar as {quote_ident(c)}"
        for c in table.column_names
    )


def _read_csv(
    con: duckdb.DuckDBPyConnection, f: InputFile, table: Table, file_id: int, load: Load
) -> ReadMeta:
    names, sniffed = _csv_header(f.path)  # gzip and UTF-16 are found by content
    encoding = sniffed.encoding
    ignored = _check_columns(f.path, table, names)
    # Every header column is read as text by position; extra names get unique aliases.
    aliases = [n if n in table.column_names else f"_extra_{i}" for i, n in enumerate(names)]
    columns = "{" + ", ".join(f"{sql_literal(a)}: 'VARCHAR'" for a in aliases) + "}"
    cols = _text_columns(table, set(names), quote_ident)

    def read(enc: str) -> None:
        con.execute("drop table if exists _rejects; drop table if exists _reject_scans")
        load(
            f"""
            select {cols}
            from read_csv(?, auto_detect = false, header = true, columns = {columns},
                          delim = ',', quote = '"', escape = '"', compression = ?, encoding = ?,
                          max_line_size = ?, store_rejects = true,
                          rejects_table = '_rejects', rejects_scan = '_reject_scans')
            """,
            [str(f.path), sniffed.compression, enc, MAX_LINE_BYTES],
        )

    try:
        read(encoding)
        if encoding == "utf-8" and scalar(
            con, "select count(*) from _rejects where error_type = 'INVALID ENCODING'"
        ):
            # Not UTF-8: drop what was read (each file is staged in its own transaction) and read
            # again as Latin-1, which every byte sequence is.
            con.execute("rollback")
            con.execute("begin transaction")
            encoding = "latin-1"
            read(encoding)
    except duckdb.Error as e:
        raise read_error(f.path, e, "CSV") from None  # (DuckDB quotes values: not kept)
    # Lines the CSV reader could not split into the header's columns are quarantined whole
    # (the reader may report one line twice; keep its first error).
    con.execute(
        f"""
        insert into _rejects_{table.name}
        select ?, line, arg_min(csv_line, byte_position),
               'unreadable CSV line: ' || lower(replace(arg_min(error_type, byte_position), '_', ' '))
               || ' (' || case when arg_min(error_type, byte_position) = 'LINE SIZE OVER MAXIMUM'
                               then 'longer than the {MAX_LINE_BYTES // 2**20} MiB line limit: '
                                    || regexp_extract(arg_min(error_message, byte_position),
                                                      'Actual Size:\\s*(\\d+)', 1) || ' bytes'
                               else arg_min(error_message, byte_position) end || ')'
        from _rejects group by line
        """,
        [file_id],
    )
    gz = ", gzip" if sniffed.compression == "gzip" else ""
    return ReadMeta(ignored, encoding + gz, table.version_read(names))


def _read_parquet(
    con: duckdb.DuckDBPyConnection, f: InputFile, table: Table, file_id: int, load: Load
) -> ReadMeta:
    names = _parquet_names(con, f.path)
    original = {n.strip().lower(): n for n in names}
    ignored = _check_columns(f.path, table, [n.strip().lower() for n in names])
    cols = _text_columns(
        table, set(original), lambda c: f"nullif(cast({quote_ident(original[c])} as varchar), '')"
    )
    load(f"select {cols} from read_parquet(?)", [str(f.path)])
    return ReadMeta(ignored, "parquet", table.version_read(original))


def _read_jsonl(
    con: duckdb.DuckDBPyConnection, f: InputFile, table: Table, file_id: int, load: Load
) -> ReadMeta:
    lines, params, sniffed = _jsonl_lines(f.path)
    try:
        con.execute(f"create or replace temp table _json as {lines}", params)
    except duckdb.Error as e:
        raise read_error(f.path, e, "JSON Lines") from None  # (DuckDB quotes values: not kept)
    keys = _object_keys(con, "_json")
    by_lower = {k.strip().lower(): k for k in keys}
    names = sorted(by_lower)
    ignored = _check_columns(f.path, table, names) if keys else []

    paths: list[object] = []  # bound in the order _text_columns asks for the columns

    def extract(c: str) -> str:
        paths.append('$."' + by_lower[c].replace('"', '\\"') + '"')
        return "nullif(j ->> ?, '')"

    load(
        f"select {_text_columns(table, set(names), extract)} from _json where j is not null", paths
    )
    # A staged row's number is its position among the file's objects; keep its physical line.
    con.execute(
        f"""
        insert into _lines_{table.name}
        select ?, row_number() over (order by line_number), line_number
        from _json where j is not null
        """,
        [file_id],
    )
    con.execute(
        f"""
        insert into _rejects_{table.name}
        select ?, line_number, left(line, 100000), 'unreadable JSON line: not a JSON object'
        from _json where j is null
        """,
        [file_id],
    )
    gz = ", gzip" if sniffed.compression == "gzip" else ""
    return ReadMeta(ignored, sniffed.encoding + gz, table.version_read(names))


def read_source(
    con: duckdb.DuckDBPyConnection, f: InputFile, table: Table, file_id: int, load: Load
) -> ReadMeta:
    """A vendor export's records (``f.path``, in a ``greenhouse/``, ``lever/``, ``ashby/`` or
    ``checkr/`` folder) mapped to ``table``'s canonical rows by ``sql/sources/<vendor>/<table>.sql``
    (see pipelines.sources), then validated like any contract file's rows. The adapter gives
    exactly one row per record of the file, numbered by its position (``_row``): that is the
    quarantine's row number."""
    try:
        query = sources.adapter_query(con, f.source, table.name, f.path)
        con.execute(f"create or replace temp table _adapter_out as {query}")
    except sources.SourceError as e:
        raise IngestError(str(e)) from e
    except duckdb.Error as e:
        raise read_error(
            f.path, e, f"a {f.source} export"
        ) from None  # (DuckDB quotes values: not kept)
    n, last, distinct = con.execute(
        "select count(*), coalesce(max(_row), 0), count(distinct _row) from _adapter_out"
    ).fetchall()[0]
    if not n == last == distinct:  # the SQL lost or repeated a record: a bug, never silent
        raise IngestError(
            f"{f.path}: sql/sources/{f.source}/{table.name}.sql gave {n} rows for {last} records"
        )
    cols = ", ".join(f"{quote_ident(c)}::varchar as {quote_ident(c)}" for c in table.column_names)
    load(f"select {cols}, _raw, _problem from _adapter_out order by _row", [], True)
    con.execute("drop table _adapter_out")
    return ReadMeta([], f"{f.source} {f.format}", table.version_read(table.column_names))


READERS: dict[str, Reader] = {"csv": _read_csv, "parquet": _read_parquet, "jsonl": _read_jsonl}
