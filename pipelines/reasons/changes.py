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


def changed_parts(old: EngineState | None, new: dict[str, str]) -> list[str]:
    """Which of rules / text model / reason SQL differ from the last run (all when none)."""
    if old is None:
        return list(new)
    return [part for part, d in new.items() if old.fingerprints.get(part) != d]


@dataclass(frozen=True)
class Affected:
    """What an incremental run recomputes, and the new or newer rows that made it."""

    jobs: int
    applications: int
    changed_rows: dict[str, int]  # source table -> rows above the watermark

    def why(self) -> str:
        rows = ", ".join(f"{t} {n:,}" for t, n in self.changed_rows.items() if n)
        return (
            f"{self.applications:,} applications of {self.jobs:,} jobs touched by new or "
            f"newer rows ({rows or 'none'})"
        )


SOURCE_TABLES = ("jobs", "applications", "interviews", "background_checks")


def mark_affected(con: duckdb.DuckDBPyConnection, watermark: int) -> Affected:
    """Temp tables ``_affected_jobs`` and ``_affected_applications``: the jobs touched by rows
    above the watermark, and every application of those jobs (plus changed applications that
    moved to another job). Each source table is read only where
    ``_file_id`` is above the watermark (row groups below it are skipped by their min/max)."""
    w = int(watermark)
    stored_cohort = (
        "union select p.job_id from post_interview_rejections p "
        "semi join _changed_applications using (application_id) "
        if table_exists(con, "post_interview_rejections")
        else ""
    )
    stored_hires = (
        "union select h.job_id from job_hires h semi join _changed_applications using (application_id) "
        if table_exists(con, "job_hires")
        else ""
    )
    con.execute(
        f"""
        create or replace temp table _changed_applications as
        select application_id, job_id from applications where _file_id > {w}
        """
    )
    con.execute(
        f"""
        create or replace temp table _affected_jobs as
        select job_id from jobs where _file_id > {w}
        union select job_id from _changed_applications
        union select a.job_id from applications a semi join (
            select application_id from interviews where _file_id > {w}
            union all
            select application_id from background_checks where _file_id > {w}
        ) c using (application_id)
        {stored_cohort}
        {stored_hires}
        """
    )
    con.execute(
        """
        create or replace temp table _affected_applications as
        select application_id from applications semi join _affected_jobs using (job_id)
        union select application_id from _changed_applications
        """
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
