"""The warehouse's tables: creating them, checking an existing warehouse's layout, and dropping
the working tables a batch uses (or a killed run left behind)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.contract import Contract, load_contract
from pipelines.ingest.files import IngestError
from pipelines.warehouse import quote_ident, scalar

# The warehouse's own tables. Every typed table also ends with _file_id: the row's lineage, the
# ingest_log row of the file it came from.
WAREHOUSE_TABLES = {
    "quarantine": "batch_id integer, source_table varchar, source_file varchar, "
    "row_number bigint, line_number bigint, reason varchar, reason_kind varchar, "
    "raw_record varchar, "
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
        t.name: ", ".join(f"{quote_ident(c.name)} {c.sql_type}" for c in t.columns)
        + ", _file_id integer"
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
        con.execute(f"create table if not exists {quote_ident(name)} ({columns})")


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


def _drop_working_tables(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Drop a batch's working tables (staging, flags, rejects...), if there are any."""
    for t in contract.tables:
        con.execute(f"drop view if exists _valid_{t}")
        for name in (f"_ingest_{t}", f"_flags_{t}", f"_superseded_{t}", f"_rejects_{t}",
                     f"_files_{t}", f"_lines_{t}"):  # fmt: skip
            con.execute(f"drop table if exists {name}")
    for name in ("_rejects", "_reject_scans", "_json", "_repeated"):
        con.execute(f"drop table if exists {name}")
