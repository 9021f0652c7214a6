"""Staging, a batch's first phase: each new file read, typed and validated into its table's
working table ``_ingest_<table>``, one transaction per file. Nothing a reader of the warehouse
sees changes here; publish.py then applies the staged rows."""

from __future__ import annotations

import time
from dataclasses import dataclass

from pipelines.contract import Table
from pipelines.ingest.context import BatchContext
from pipelines.ingest.readers import READERS, ReadMeta, read_source
from pipelines.ingest.validate import _load_sql
from pipelines.warehouse import quote_ident, transaction


@dataclass
class _Staged:
    meta: dict[int, ReadMeta]  # file id -> what its reader found
    seconds: float


def _stage_table(ctx: BatchContext, table: Table) -> _Staged:
    """Read, type and validate a table's new files into ``_ingest_<table>``, committed per file."""
    con = ctx.con
    t0, t = time.perf_counter(), table.name
    typed_cols = ", ".join(f"{quote_ident(c.name)} {c.sql_type}" for c in table.columns)
    # The working table has the target's columns first, so that on a table's first load it can
    # become the target itself (see publish._merge). It is on disk, so a large batch need not fit
    # in memory; the temp tables beside it are small.
    # _raw: an adapter row's vendor record (pipelines.sources), kept for the quarantine; NULL for
    # rows of contract files.
    con.execute(
        f"create table _ingest_{t} ({typed_cols}, _file_id integer, _reject varchar, _raw varchar)"
    )
    con.execute(
        f"create temp table _rejects_{t} "
        "(file_id integer, line_number bigint, raw_line varchar, reason varchar)"
    )
    con.execute(f"create temp table _files_{t} (file_id integer, path varchar, first_rowid bigint)")
    con.execute(
        f"create temp table _lines_{t} (file_id integer, ordinal bigint, line_number bigint)"
    )
    meta: dict[int, ReadMeta] = {}
    for f in ctx.files_of(table):
        file_id = ctx.file_ids[f.path]

        def load(
            source: str, params: list[object], adapter: bool = False, file_id: int = file_id
        ) -> None:
            con.execute(_load_sql(table, file_id, source, adapter), params)

        # Nothing is ever deleted from the working table while staging, so the file's rows will
        # take the row ids from the current row count on.
        con.execute(
            f"insert into _files_{t} select ?, ?, count(*) from _ingest_{t}", [file_id, str(f.path)]
        )
        started = time.perf_counter()
        with transaction(con):
            reader = READERS[f.format] if f.source == "contract" else read_source
            meta[file_id] = reader(con, f, table, file_id, load)
        ctx.log(f"staged {f.path.name} ({time.perf_counter() - started:.1f}s)")
        _log_cut_text(ctx, table, file_id, f.path.name)
    return _Staged(meta, time.perf_counter() - t0)


def _log_cut_text(ctx: BatchContext, table: Table, file_id: int, file: str) -> None:
    """Say how many loaded free-text values of the file reached their column's max_chars
    (longer ones were cut to it; the column statistics answer at once for a file with none)."""
    for c in table.columns:
        if c.max_chars:
            (n,) = ctx.con.execute(
                f"select count(*) from _ingest_{table.name} "
                f"where _file_id = ? and _reject is null and length({quote_ident(c.name)}) >= ?",
                [file_id, c.max_chars],
            ).fetchone()
            if n:
                ctx.log(
                    f"{file}: {n:,} {c.name} values reached {c.max_chars:,} characters "
                    "(the contract's max_chars: a longer value is loaded cut to it)"
                )
