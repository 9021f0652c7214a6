"""The warehouse's tables: creating them, checking an existing warehouse's layout, and dropping
the working tables a batch uses (or a killed run left behind)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines import sources
from pipelines.contract import Contract, load_contract
from pipelines.ingest.files import IngestError
from pipelines.warehouse import quote_ident, scalar, transaction

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
    "ignored_columns varchar[], ingested_at timestamp, source varchar, contract_version varchar",
}


def _layouts(contract: Contract) -> dict[str, str]:
    return {
        t.name: ", ".join(f"{quote_ident(c.name)} {c.sql_type}" for c in t.columns)
        + ", _file_id integer"
        for t in contract.tables.values()
    } | WAREHOUSE_TABLES


def _columns(con: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'main' and table_name = ? order by ordinal_position",
            [name],
        ).fetchall()
    ]


def _expected(columns: str) -> list[tuple[str, str]]:
    """(name, type) of each column of a layout."""
    return [
        (c.strip().split(" ")[0].strip('"'), c.strip().split(" ", 1)[1])
        for c in columns.split(", ")
    ]


def _upgradable(have: list[str], expected: list[str]) -> bool:
    """A table built before columns were added (contract 1.0 → 1.1, ingest_log's source and
    contract version): its columns are the expected ones, in order, with some missing."""
    return bool(have) and have != expected and [c for c in expected if c in have] == have


def _check_layout(con: duckdb.DuckDBPyConnection, name: str, columns: str) -> bool:
    """Fail clearly on a table built by an older version of the pipeline (if it exists), unless
    it only lacks columns added since (True: :func:`ensure_tables` adds them)."""
    have = _columns(con, name)
    expected = [n for n, _ in _expected(columns)]
    if _upgradable(have, expected):
        return True
    if have and have != expected:
        path = scalar(
            con, "select path from duckdb_databases() where database_name = current_database()"
        )
        raise IngestError(
            f"{path}: table {name!r} was built by another version of the pipeline (columns "
            f"{', '.join(have)}; expected {', '.join(expected)}): delete the warehouse "
            "(make clean) and run again"
        )
    return False


def ensure_tables(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Create the typed tables, quarantine and ingest log if they are missing; a table that only
    lacks columns added since it was built gets them (NULL in its rows), in one transaction."""
    for name, columns in _layouts(contract).items():
        if _check_layout(con, name, columns):
            have = set(_columns(con, name))
            cols = ", ".join(
                quote_ident(c) if c in have else f"NULL::{type_} as {quote_ident(c)}"
                for c, type_ in _expected(columns)
            )
            with transaction(con):
                con.execute(f"create table _upgrade as select {cols} from {quote_ident(name)}")
                con.execute(f"drop table {quote_ident(name)}")
                con.execute(f"alter table _upgrade rename to {quote_ident(name)}")
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
    for name in ("_rejects", "_reject_scans", "_json", "_repeated", "_adapter_out"):
        con.execute(f"drop table if exists {name}")
    sources.drop_views(con)
