"""Which run last changed the warehouse, and whether it finished.

The ingest, the reason tables and the report tables are each committed in their own transaction
(one transaction over all of them ran DuckDB out of memory at 10M applications). So a run killed
between two steps leaves a warehouse whose later tables are from the run before: ``pipeline_runs``
makes that visible (status ``running``), and the next run marks it ``interrupted`` and repairs it:
the reason engine's state is written with its tables (``pipelines.reasons.changes``), and each
later step records the input version it built from (``built_versions``), so the steps a killed
run did not finish are the ones whose versions differ.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.reasons.changes import current_watermark
from pipelines.warehouse import PROJECT_ROOT, table_exists, transaction

DDL = (
    "create table if not exists pipeline_runs (run_id varchar, started_at timestamp, "
    "finished_at timestamp, status varchar)"
)


def begin_run(con: duckdb.DuckDBPyConnection, run_id: str) -> list[str]:
    """Record a run's start; returns the runs that never finished (they were killed: the
    warehouse has one writer, and this one holds it), now marked ``interrupted``."""
    with transaction(con):
        con.execute(DDL)
        unfinished = [
            r[0]
            for r in con.execute(
                "select run_id from pipeline_runs where status = 'running' and run_id <> ?",
                [run_id],
            ).fetchall()
        ]
        con.execute(
            "update pipeline_runs set status = 'interrupted' where status = 'running' "
            "and run_id <> ?",
            [run_id],
        )
        con.execute(
            "insert into pipeline_runs select ?, ?, NULL, 'running' "
            "where not exists (select 1 from pipeline_runs where run_id = ?)",
            [run_id, datetime.now(UTC).replace(tzinfo=None), run_id],
        )
    return unfinished


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Mark the run complete: every table it builds is in place."""
    with transaction(con):
        con.execute(DDL)
        con.execute(
            "update pipeline_runs set status = 'complete', finished_at = ? where run_id = ?",
            [datetime.now(UTC).replace(tzinfo=None), run_id],
        )


def last_run(con: duckdb.DuckDBPyConnection) -> tuple[str, str] | None:
    """(run id, status) of the latest run, if any run was recorded."""
    if not table_exists(con, "pipeline_runs"):
        return None
    row = con.execute(
        "select run_id, status from pipeline_runs order by started_at desc limit 1"
    ).fetchall()
    return (row[0][0], row[0][1]) if row else None


def process_alive(pid: int) -> bool:
    """Whether a process with this id still runs (a killed run's process does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it runs, as another user
    return True


# What a step last built from: a step whose inputs carry the same version as last time has nothing
# to do (a run with no new file writes no table).
VERSIONS_DDL = "create table if not exists built_versions (step varchar, version varchar)"


def built_version(con: duckdb.DuckDBPyConnection, step: str) -> str | None:
    """The input version the step last built from, or None."""
    if not table_exists(con, "built_versions"):
        return None
    row = con.execute("select version from built_versions where step = ?", [step]).fetchall()
    return row[0][0] if row else None


def record_built(con: duckdb.DuckDBPyConnection, step: str, version: str) -> None:
    """Remember the input version a step has just built from (call after its tables commit)."""
    with transaction(con):
        con.execute(VERSIONS_DDL)
        con.execute("delete from built_versions where step = ?", [step])
        con.execute("insert into built_versions values (?, ?)", [step, version])


CHECKS_DDL = (
    "create table if not exists asset_check_results (check_name varchar, version varchar, "
    "query varchar, watermark bigint, violations bigint, checked_at timestamp)"
)


def checked_result(con: duckdb.DuckDBPyConnection, check: str, version: str) -> int | None:
    """The violations ``check`` found when it last ran on data of ``version``, or None (never,
    or the data or the check's query has changed since)."""
    if not table_exists(con, "asset_check_results"):
        return None
    row = con.execute(
        "select violations from asset_check_results where check_name = ? and version = ?",
        [check, version],
    ).fetchall()
    return int(row[0][0]) if row else None


def clean_since(con: duckdb.DuckDBPyConnection, check: str, query: str) -> int | None:
    """The watermark (the ingest watermark, or the check's own counter: the reason engine's run
    number) at which ``check`` (with the query digest ``query``) last found nothing, if its last
    result was clean; else None."""
    if not table_exists(con, "asset_check_results"):
        return None
    row = con.execute(
        "select watermark from asset_check_results "
        "where check_name = ? and query = ? and violations = 0",
        [check, query],
    ).fetchall()
    return int(row[0][0]) if row else None


def record_checked(
    con: duckdb.DuckDBPyConnection,
    check: str,
    version: str,
    query: str,
    watermark: int,
    violations: int,
) -> None:
    """Remember what ``check`` found on data of ``version`` (only its latest result is kept)."""
    with transaction(con):
        con.execute(CHECKS_DDL)
        con.execute("delete from asset_check_results where check_name = ?", [check])
        con.execute(
            "insert into asset_check_results values (?, ?, ?, ?, ?, current_timestamp)",
            [check, version, query, watermark, violations],
        )


# ---- a run with nothing to do
#
# The steps each know whether their inputs changed, but asking them means running them: every
# step opens the warehouse and reports to Dagster, about 10 s of a run that changes nothing at 10M
# applications. So the last complete run leaves one fingerprint of everything any step reads;
# a run that finds no new file and the same fingerprint skips every later step.

WHOLE_RUN = "whole_run"  # its key in built_versions
# What the steps are made of besides the data: their code and SQL, the rules and text model,
# the labelled evaluation set.
PROJECT_SOURCES = ("pipelines", "sql", "rules", "data/eval")
# Tables that record runs rather than data (written by every run, the skipped one too).
BOOKKEEPING = ("pipeline_runs", "built_versions", "asset_check_results", "ingest_file_stats")


def _sources_digest(extra: Sequence[Path]) -> str:
    digest = hashlib.blake2b(digest_size=8)
    files = [p for d in PROJECT_SOURCES for p in (PROJECT_ROOT / d).rglob("*") if p.is_file()]
    for path in sorted({*files, *(p.resolve() for p in extra)}):
        if "__pycache__" in path.parts:
            continue
        digest.update(f"{path}\0".encode())
        digest.update(path.read_bytes() if path.exists() else b"(missing)")
    return digest.hexdigest()


def run_fingerprint(
    con: duckdb.DuckDBPyConnection, reports_index: Path, extra_sources: Sequence[Path] = ()
) -> str:
    """Everything a run's steps build from: the ingested files (their last id), every table's
    row count (a hand edit counts), the project's code, SQL, rules and evaluation set (and
    ``extra_sources``, e.g. a rules file outside the project), and the report site's index."""
    tables = con.execute(
        "select table_name, estimated_size from duckdb_tables() where schema_name = 'main' "
        "and database_name = current_database() and not list_contains(?, table_name) "
        "order by table_name",
        [list(BOOKKEEPING)],
    ).fetchall()
    watermark = current_watermark(con)
    state = hashlib.blake2b(repr((watermark, tables)).encode(), digest_size=8).hexdigest()
    site = f"{reports_index}:{reports_index.exists()}"
    return f"{state}-{_sources_digest(extra_sources)}-{site}"


def forget_built(con: duckdb.DuckDBPyConnection, step: str) -> None:
    """Drop what a step last built from: the next run cannot take it as current."""
    if table_exists(con, "built_versions"):
        with transaction(con):
            con.execute("delete from built_versions where step = ?", [step])
