"""One batch: :func:`ingest_folder` finds the new files, stages them (stage.py), then publishes
them (publish.py), sharing a :class:`~pipelines.ingest.context.BatchContext` between the steps."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import blake3
import duckdb

from pipelines import sources
from pipelines.contract import Contract, load_contract
from pipelines.ingest.context import BatchContext, FileResult
from pipelines.ingest.files import IngestError, InputFile, list_input_folder
from pipelines.ingest.hashing import (
    content_hash,
    file_stamp,
    known_hashes,
    path_digest,
    remember_hashes,
)
from pipelines.ingest.layout import _drop_working_tables, ensure_tables
from pipelines.ingest.publish import _publish_table
from pipelines.ingest.stage import _stage_table
from pipelines.warehouse import scalar, transaction


@dataclass
class BatchResult:
    batch_id: int | None
    files: list[FileResult] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)
    unrecognised_files: list[str] = field(default_factory=list)
    not_read: dict[str, str] = field(default_factory=dict)  # name -> why (FIFO, link loop...)
    seconds: float = 0.0

    def totals(self, table: str) -> tuple[int, int, int]:
        fs = [f for f in self.files if f.table == table]
        return (
            sum(f.rows_read for f in fs),
            sum(f.rows_loaded for f in fs),
            sum(f.rows_quarantined for f in fs),
        )


def export_hash(f: InputFile, hashes: dict[Path, Future[str]]) -> str:
    """The content hash of a vendor export file: one hash over the content hashes (``hashes``,
    each file's, computed once) of every file its adapter reads, so a change to a lookup file
    re-reads it too."""
    h = blake3.blake3()
    for p in f.inputs:
        h.update(f"{'*' if p == f.path else ''}{p.name}:{hashes[p].result()}\n".encode())
    return "blake3:" + h.hexdigest()


PseudonymKey = bytes | Callable[[], bytes] | None


def ingest_folder(
    con: duckdb.DuckDBPyConnection,
    data_dir: Path,
    contract: Contract | None = None,
    log: Callable[[str], None] = lambda _msg: None,
    pseudonym_key: PseudonymKey = None,
) -> BatchResult:
    """Ingest every new file in ``data_dir`` as one batch.

    Vendor exports (sub-folders ``greenhouse/``, ``lever/``, ``ashby/``, ``checkr/``) are mapped
    to contract rows by their adapters (pipelines.sources) and go through the same steps in the
    same batch. Their ids become keyed pseudonyms under ``pseudonym_key`` (the key, or a function
    giving it, called only when a vendor export is new); without one, the key file beside the
    warehouse is used, created on first use (logged).

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
    listing = list_input_folder(Path(data_dir), contract)
    files, unrecognised = listing.files, listing.unrecognised
    for name in unrecognised:
        log(f"ignored {name}: not named after a contract table ({', '.join(contract.tables)})")
    for name, why in listing.skipped.items():
        log(f"not read: {name}: {why}")
    ensure_tables(con, contract)
    _drop_working_tables(con, contract)  # left behind by a run killed between the phases
    logged = con.execute("select source_table, content_hash, size_bytes from ingest_log").fetchall()
    seen = {(r[0], r[1]) for r in logged}
    seen_sizes = {(r[0], r[2]) for r in logged}
    # Files are hashed in the background (blake3 releases the GIL) while DuckDB works. Only a
    # file of a size already logged can have been seen: only its hash is waited for here.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        # Every file hashed once, even when several vendor files read it (a vendor file's hash
        # covers its whole folder). The combining tasks only wait for hashing tasks queued
        # before them, so they cannot starve the pool.
        paths = dict.fromkeys(p for f in files for p in (f.inputs or (f.path,)))
        known, stamps = known_hashes(con), {p: file_stamp(p) for p in paths}
        keys = {p: path_digest(p) for p in paths}
        hashes: dict[Path, Future[str]] = {}
        hashed_now: list[Path] = []  # not taken from ingest_file_stats: remembered after
        for p in paths:
            stamp, cached = stamps[p], known.get(keys[p])
            if stamp is not None and cached is not None and cached[0] == stamp:
                hashes[p] = Future()
                hashes[p].set_result(cached[1])
            else:
                hashes[p] = pool.submit(content_hash, p)
                hashed_now.append(p)
        digests = {
            f.path: hashes[f.path] if not f.inputs else pool.submit(export_hash, f, hashes)
            for f in files
        }
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
            not_read=dict(listing.skipped),
        )
        if new:
            if any(f.source != "contract" for f in new):
                sources.prepare(con, _key(con, pseudonym_key, log))
            _ingest_batch(BatchContext.start(con, contract, data_dir, new, digests, log), result)
        else:
            log("no new input files: the warehouse is up to date")
        hashed = {
            p: (stamp, hashes[p].result()) for p in hashed_now if (stamp := stamps[p]) is not None
        }
    remember_hashes(con, hashed)
    result.seconds = time.perf_counter() - started
    return result


def _key(con: duckdb.DuckDBPyConnection, given: PseudonymKey, log: Callable[[str], None]) -> bytes:
    """The pseudonym key: the one given, or the key file beside the warehouse file."""
    if callable(given):
        try:
            return given()
        except (OSError, ValueError) as e:
            raise IngestError(f"pseudonym key: {e}") from e
    if given:
        return given
    database = scalar(
        con, "select path from duckdb_databases() where database_name = current_database()"
    )
    if not database:
        raise IngestError(
            "vendor exports need a pseudonym key: set HIRING_PSEUDONYM_KEY (an in-memory "
            "warehouse has no folder for a key file)"
        )
    try:
        key, created = sources.resolve_key(None, Path(database))
    except (OSError, ValueError) as e:
        raise IngestError(f"pseudonym key: {e}") from e
    if created:
        log(created)
    return key


def _ingest_batch(ctx: BatchContext, result: BatchResult) -> None:
    """Stage the new files, then publish them in one transaction (see ingest_folder)."""
    con = ctx.con
    result.batch_id = ctx.batch_id
    tables = [table for table in ctx.contract.tables.values() if ctx.files_of(table)]
    try:
        staged = {table.name: _stage_table(ctx, table) for table in tables}
        with transaction(con):
            con.execute(
                "insert into ingest_batches values (?, ?, ?, ?, NULL, ?)",
                [ctx.batch_id, str(ctx.data_dir), ctx.contract.version, ctx.now, len(ctx.files)],
            )
            for table in tables:
                result.files += _publish_table(ctx, table, staged[table.name])
            con.execute(
                "update ingest_batches set finished_at = ? where batch_id = ?",
                [datetime.now(UTC).replace(tzinfo=None), ctx.batch_id],
            )
    finally:
        _drop_working_tables(con, ctx.contract)
