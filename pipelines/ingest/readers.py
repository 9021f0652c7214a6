"""Readers: one CSV, Parquet or JSON Lines file into its table's staging table.

Each reader turns a file into a query of text columns and hands it to ``load``, which validates
and types the rows in the same pass (see validate._load_sql). An empty value arrives as NULL
(DuckDB's CSV reader already reads "" that way), so validation need not test every value for ''.
Lines that cannot be read as a row go to the table's ``_rejects_<table>``.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from pipelines.contract import Table
from pipelines.ingest.files import (
    MAX_LINE_BYTES,
    InputFile,
    _check_columns,
    _csv_header,
    _jsonl_lines,
    _object_keys,
    _parquet_names,
    _read_error,
)
from pipelines.warehouse import quote_ident, scalar, sql_literal

# load(source, params): stage the rows of the query ``source`` (``params`` bound to its ``?``).
Load = Callable[[str, list[object]], None]
Reader = Callable[[duckdb.DuckDBPyConnection, InputFile, Table, int, Load], tuple[list[str], str]]


def _text_columns(table: Table, present: set[str], expr: Callable[[str], str]) -> str:
    return ", ".join(
        f"{expr(c)} as {quote_ident(c)}" if c in present else f"NULL::varchar as {quote_ident(c)}"
        for c in table.column_names
    )


def _read_csv(
    con: duckdb.DuckDBPyConnection, f: InputFile, table: Table, file_id: int, load: Load
) -> tuple[list[str], str]:
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
        raise _read_error(f.path, e, "CSV") from e
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
    return ignored, encoding + (", gzip" if sniffed.compression == "gzip" else "")


def _read_parquet(
    con: duckdb.DuckDBPyConnection, f: InputFile, table: Table, file_id: int, load: Load
) -> tuple[list[str], str]:
    names = _parquet_names(con, f.path)
    original = {n.strip().lower(): n for n in names}
    ignored = _check_columns(f.path, table, [n.strip().lower() for n in names])
    cols = _text_columns(
        table, set(original), lambda c: f"nullif(cast({quote_ident(original[c])} as varchar), '')"
    )
    load(f"select {cols} from read_parquet(?)", [str(f.path)])
    return ignored, "parquet"


def _read_jsonl(
    con: duckdb.DuckDBPyConnection, f: InputFile, table: Table, file_id: int, load: Load
) -> tuple[list[str], str]:
    lines, params, sniffed = _jsonl_lines(f.path)
    try:
        con.execute(f"create or replace temp table _json as {lines}", params)
    except duckdb.Error as e:
        raise _read_error(f.path, e, "JSON Lines") from e
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
    return ignored, sniffed.encoding + (", gzip" if sniffed.compression == "gzip" else "")


READERS: dict[str, Reader] = {"csv": _read_csv, "parquet": _read_parquet, "jsonl": _read_jsonl}
