"""Change tracking for the reason engine: what a run must recompute.

Every ingested row carries ``_file_id`` (its line in ``ingest_log``; ids only grow), so the rows a
run has not seen yet are those above the engine's *watermark*, the largest file id it last read.
Every reason table depends only on rows of the same job: an application's own interviews and
background check, its job, and the job's hire (the competition rule compares the candidate with
the person hired for the same job). So a change is traced to the jobs it touches, and the run
recomputes every application of those jobs, and nothing else:

- a new or newer application row: its job, and the job it was in before (its stored cohort row
  or the stored hire of ``job_hires``): a late hire makes the job's earlier rejections a
  competition case, a hire withdrawn undoes that;
- a newer interview or background-check row (a dispute resolved weeks later): its application's
  job;
- a newer job row: the job.

A different rules file, text model, contract or reason SQL (the *fingerprint*) recomputes
everything, and the run says which of them changed. Free of Dagster.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import duckdb

from pipelines.reasons.model import MODEL_DIR, MODEL_FILES
from pipelines.warehouse import scalar, table_exists

STATE_TABLE = "reason_engine_state"
# The applications the engine's latest run recomputed, under its run number (the checks on the
# reason tables check those rows only, after a clean check of the run before).
RECOMPUTED_TABLE = "reason_recomputed"


@dataclass(frozen=True)
class EngineState:
    """What the last complete run of the reason engine read."""

    watermark: int  # largest ingest_log.file_id it had read
    fingerprints: dict[str, str]  # part (rules, model, sql) -> digest


def fingerprints(rules_repr: str, sql_texts: list[str]) -> dict[str, str]:
    """Digests of what decides every assignment: the rules (with the contract values the SQL
    takes), the text model's files, and the reason SQL as it runs."""

    def digest(*parts: bytes) -> str:
        h = hashlib.blake2b(digest_size=16)
        for p in parts:
            h.update(len(p).to_bytes(8, "little") + p)
        return h.hexdigest()

    model = [(MODEL_DIR / name).read_bytes() for name in sorted(MODEL_FILES.values())]
    return {
        "rules": digest(rules_repr.encode()),
        "text model": digest(*model),
        "reason SQL": digest(*(t.encode() for t in sql_texts)),
    }


def read_state(con: duckdb.DuckDBPyConnection) -> EngineState | None:
    """The last complete run's state, or None (never ran, or a full rebuild did not finish)."""
    if not table_exists(con, STATE_TABLE):
        return None
    rows = con.execute(f"select watermark, part, digest from {STATE_TABLE}").fetchall()
    if not rows:
        return None
    return EngineState(int(rows[0][0]), {part: digest for _, part, digest in rows})


def write_state(con: duckdb.DuckDBPyConnection, state: EngineState | None) -> None:
    """Record a complete run (or, with None, that the tables are being rebuilt from scratch)."""
    con.execute(
        f"create table if not exists {STATE_TABLE} "
        "(watermark bigint, part varchar, digest varchar, recorded_at timestamp)"
    )
    con.execute(f"delete from {STATE_TABLE}")
    if state is not None:
        con.executemany(
            f"insert into {STATE_TABLE} values (?, ?, ?, current_timestamp)",
            [[state.watermark, part, d] for part, d in state.fingerprints.items()],
        )


def current_watermark(con: duckdb.DuckDBPyConnection) -> int:
    """The largest file id ingested so far (0 before any)."""
    if not table_exists(con, "ingest_log"):
        return 0
    return int(scalar(con, "select coalesce(max(file_id), 0) from ingest_log"))


def engine_run(con: duckdb.DuckDBPyConnection) -> int:
    """The number of the engine's latest run that wrote anything (0 before the first)."""
    if not table_exists(con, RECOMPUTED_TABLE):
        return 0
    return int(scalar(con, f"select coalesce(max(run), 0) from {RECOMPUTED_TABLE}"))


def record_recomputed(con: duckdb.DuckDBPyConnection, applications: str | None) -> None:
    """Record, as the next run, what it recomputes: the ``application_id`` column of the query
    ``applications``, or every application (None, a full run). Only the latest run is kept: one
    row with no application carries the run number and whether it was whole."""
    con.execute(
        f"create table if not exists {RECOMPUTED_TABLE} "
        "(run bigint, application_id varchar, whole boolean)"
    )
    run = engine_run(con) + 1
    # The new run's row first, then the older ones out: stopped in between (a full run's record
    # is not in a transaction), the run number still only grows, and the leftover rows only make
    # a check read more.
    con.execute(f"insert into {RECOMPUTED_TABLE} values (?, null, ?)", [run, applications is None])
    con.execute(f"delete from {RECOMPUTED_TABLE} where run < ?", [run])
    if applications is not None:
        con.execute(
            f"insert into {RECOMPUTED_TABLE} "
            f"select {run}, application_id, false from ({applications})"
        )


def recomputed_since(con: duckdb.DuckDBPyConnection, run: int) -> bool:
    """Whether ``reason_recomputed`` lists every application recomputed after run ``run``: the
    latest run came right after it and was not a full one."""
    if not table_exists(con, RECOMPUTED_TABLE):
        return False
    runs, latest, whole = con.execute(
        f"select count(distinct run), max(run), bool_or(whole) from {RECOMPUTED_TABLE}"
    ).fetchone()  # type: ignore[misc]
    return runs == 1 and latest == run + 1 and not whole


def changed_parts(old: EngineState | None, new: dict[str, str]) -> list[str]:
    """Which of rules / text model / reason SQL differ from the last run (all when none)."""
    if old is None:
        return list(new)
    return [part for part, d in new.items() if old.fingerprints.get(part) != d]


@dataclass(frozen=True)
class Affected:
    """What an incremental run recomputes, and the new or newer rows that made it."""

    jobs: int  # jobs recomputed whole: a new or newer job row, or a change in their hires
    applications: int
    changed_rows: dict[str, int]  # source table -> rows above the watermark

    def why(self) -> str:
        rows = ", ".join(f"{t} {n:,}" for t, n in self.changed_rows.items() if n)
        return (
            f"{self.applications:,} applications touched by new or newer rows ({rows or 'none'}), "
            f"{self.jobs:,} jobs of them whole (a new job row or a change in their hires)"
        )


SOURCE_TABLES = ("jobs", "applications", "interviews", "background_checks")


def mark_affected(con: duckdb.DuckDBPyConnection, watermark: int) -> Affected:
    """Temp tables of what rows above the watermark can change, and what recomputing it reads.

    An application's reason depends on its own row, interviews and check, on its job's row, and
    on its job's hires (``job_hires``: the competition rule compares with them). So:

    - ``_affected_jobs``: jobs with a new or newer job row, or whose hires changed (a changed
      application that is hired now or was a hire before): every application of them;
    - ``_affected_applications``: those, plus each application with a new or newer row of its
      own (application, interview, background check): a dispute resolved later or a new
      interview changes that application only, not the rest of its job;
    - ``_scope_jobs`` and ``_scope_applications``: what the recomputation reads besides them,
      the job of each affected application and that job's hires.

    Each source table is read only where ``_file_id`` is above the watermark (row groups below
    it are skipped by their min/max)."""
    w = int(watermark)
    has_hires = table_exists(con, "job_hires")  # absent where the engine has never run
    stored_hires = (
        "union select h.job_id from job_hires h semi join _changed_applications using (application_id) "
        if has_hires
        else ""
    )
    con.execute(
        f"""
        create or replace temp table _changed_applications as
        select application_id, job_id, outcome from applications where _file_id > {w}
        """
    )
    con.execute(
        f"""
        create or replace temp table _affected_jobs as
        select job_id from jobs where _file_id > {w}
        union select job_id from _changed_applications where outcome = 'hired'
        {stored_hires}
        """
    )
    # One pass over the applications finds both the affected jobs' applications and the jobs of
    # the applications with a new interview or check.
    con.execute(
        f"""
        create or replace temp table _affected_applications as
        select application_id, job_id from applications
        where job_id in (select job_id from _affected_jobs)
           or application_id in (
               select application_id from interviews where _file_id > {w}
               union all
               select application_id from background_checks where _file_id > {w})
        union select application_id, job_id from _changed_applications
        """
    )
    con.execute(
        "create or replace temp table _scope_jobs as "
        "select distinct job_id from _affected_applications"
    )
    # The hires of those jobs, from the stored job_hires (a hire with a newer row this batch is
    # an affected application already).
    hires = (
        "union select application_id from job_hires "
        "where job_id in (select job_id from _scope_jobs)"
        if has_hires
        else ""
    )
    con.execute(
        "create or replace temp table _scope_applications as "
        f"select application_id from _affected_applications {hires}"
    )
    changed = con.execute(
        " union all ".join(
            f"select '{t}', count(*) from {t} where _file_id > {w}" for t in SOURCE_TABLES
        )
    ).fetchall()
    return Affected(
        jobs=int(scalar(con, "select count(*) from _affected_jobs")),
        applications=int(scalar(con, "select count(*) from _affected_applications")),
        changed_rows={str(t): int(n) for t, n in changed},
    )
