"""Runs the reason tables in dependency order: the cohort, its evidence, one reason each, the
review queue (``sql/reasons``), and the rule audit (``sql/rule_audit``). Free of Dagster.

A run recomputes only what changed (``pipelines.reasons.changes``):

- **unchanged**: no file ingested since the last run and the same rules, model and SQL: nothing
  is read or written;
- **incremental**: the same ``sql/reasons`` files run in a scratch schema over the applications
  of the affected jobs only, and their rows replace those applications' rows in the warehouse in
  one short transaction (with the new watermark), so the result is what a full run would give;
  a table of counts over the whole cohort (``COUNTED``) gets those applications' counts as
  recomputed minus their counts as they stood;
- **full**: first run, or a changed rules file, text model or reason SQL: every table is rebuilt,
  one statement (and one commit) per table so that nothing has to fit in memory at once; the
  state is cleared first and written last, so a run stopped half-way is rebuilt by the next.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb

from pipelines.contract import Contract, load_contract
from pipelines.reasons.changes import (
    SOURCE_TABLES,
    EngineState,
    changed_parts,
    current_watermark,
    fingerprints,
    mark_affected,
    read_state,
    record_recomputed,
    write_state,
)
from pipelines.reasons.model import load_model, model_params
from pipelines.reasons.rules import Rules, register_rules, rule_macros, sql_params
from pipelines.sqlgraph import pipeline_graph
from pipelines.warehouse import quote_ident, scalar, sql_text, table_exists, transaction

DELTA_SCHEMA = "reasons_delta"
BEFORE_SCHEMA = "reasons_before"
# Tables of counts over the whole cohort, one row per key: an incremental run cannot replace
# the affected applications' rows in them, so it subtracts what those applications counted
# before and adds what they count now (every other column is a count, a sum over applications).
COUNTED = {"reason_rule_counts": "rule_id"}


@dataclass(frozen=True)
class ReasonRun:
    """What one run of the engine did, and why."""

    mode: str  # "full", "incremental" or "unchanged"
    why: str
    applications: int  # applications whose rows were recomputed (all, for a full run)
    cohort: int  # post-interview rejections among them
    # tables written (not views: a view costs nothing until read), in the order they ran, with
    # the seconds of each one's statement (incremental: over the affected applications only)
    tables: dict[str, float]
    seconds: float

    def summary(self) -> str:
        if self.mode == "unchanged":
            return f"reasons unchanged: {self.why}"
        return (
            f"reasons {self.mode}: recomputed {self.cohort:,} post-interview rejections "
            f"({self.applications:,} applications): {self.why}"
        )


@contextmanager
def _spilling(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Statements free to reorder rows, so that large joins and aggregates can spill to disk
    (the ingest needs insertion order kept for row numbers; the reason tables do not)."""
    old = scalar(con, "select current_setting('preserve_insertion_order')")
    con.execute("set preserve_insertion_order = false")
    try:
        yield
    finally:
        con.execute(f"set preserve_insertion_order = {'true' if old else 'false'}")


def assign_reasons(
    con: duckdb.DuckDBPyConnection,
    rules: Rules,
    contract: Contract | None = None,
    *,
    full: bool = False,
) -> ReasonRun:
    """Bring every table of ``sql/reasons`` up to date with the ingested rows: recompute only
    the applications that new rows can change, or everything when the rules, model or SQL
    changed (or ``full``). Returns what it did."""
    t0 = time.perf_counter()
    graph = pipeline_graph()
    params = {**sql_params(rules, contract or load_contract()), **model_params()}
    macros = rule_macros(rules)
    for macro in macros:
        con.execute(macro)
    texts = {t.name: sql_text(t.template, **params) for t in graph.step("reasons")}
    digests = fingerprints(repr(rules), [*macros, *texts.values()])
    state, watermark = read_state(con), current_watermark(con)
    changed = changed_parts(state, digests)
    if full or changed:
        why = (
            "requested"
            if full
            else "first run"
            if state is None
            else "changed since the last run: " + ", ".join(changed)
        )
        write_state(con, None)
        record_recomputed(con, None)
        with _spilling(con):
            register_rules(con, rules)
            load_model(con)
            for table in graph.step("reasons"):
                _drop_other_kind(con, table.name, table.is_view)
            seconds = _run_timed(con, texts)
        tables = {t.name: seconds[t.name] for t in graph.step("reasons") if not t.is_view}
        write_state(con, EngineState(watermark, digests))
        n = int(scalar(con, "select count(*) from applications"))
        cohort = int(scalar(con, "select count(*) from post_interview_rejections"))
        return ReasonRun("full", why, n, cohort, tables, time.perf_counter() - t0)
    assert state is not None
    if watermark == state.watermark:
        return ReasonRun("unchanged", "no new file since the last run", 0, 0, {}, 0.0)
    with _spilling(con):
        affected = mark_affected(con, state.watermark)
        built, cohort = _recompute(con, texts, EngineState(watermark, digests))
    return ReasonRun(
        "incremental",
        affected.why(),
        affected.applications,
        cohort,
        built,
        time.perf_counter() - t0,
    )


def _run_timed(con: duckdb.DuckDBPyConnection, texts: dict[str, str]) -> dict[str, float]:
    """Run each table's SQL in order; the seconds each statement took, by table (where the time
    goes, for the run's metadata and ``benchmarks/bench_reasons.py``)."""
    seconds = {}
    for name, sql in texts.items():
        started = time.perf_counter()
        con.execute(sql)
        seconds[name] = time.perf_counter() - started
    return seconds


def _recompute(
    con: duckdb.DuckDBPyConnection, texts: dict[str, str], new_state: EngineState
) -> tuple[dict[str, float], int]:
    """Run the reason SQL over the affected applications only (with their jobs and those jobs'
    hires as context), in a scratch schema, then swap their rows into the warehouse tables in
    one transaction with the new watermark (and add the change in the COUNTED tables' counts)."""
    db = quote_ident(str(scalar(con, "select current_database()")))
    delta, before = quote_ident(DELTA_SCHEMA), quote_ident(BEFORE_SCHEMA)
    # Temp tables are looked up before any schema: while they exist, the SQL files read the
    # affected slice of each source table under its usual name.
    scope = {
        "jobs": "semi join _scope_jobs using (job_id)",
        "applications": "semi join _scope_applications using (application_id)",
        "interviews": "semi join _affected_applications using (application_id)",
        "background_checks": "semi join _affected_applications using (application_id)",
    }
    try:
        for schema in (delta, before):
            con.execute(f"drop schema if exists {schema} cascade")
            con.execute(f"create schema {schema}")
        if any(name in COUNTED for name in texts):
            _count_before(con, db, before, texts)
        for t in SOURCE_TABLES:
            con.execute(
                f"create or replace temp table {t} as select * from {db}.main.{t} {scope[t]}"
            )
        con.execute(f"use {db}.{delta}")
        try:
            seconds = _run_timed(con, texts)
        finally:
            con.execute(f"use {db}.main")
        built = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where schema_name = ? "
                "and database_name = current_database()",
                [DELTA_SCHEMA],
            ).fetchall()
        ]
        built = [name for name in texts if name in built]  # run order; views stay as they are
        built_seconds = {name: seconds[name] for name in built}
        cohort = int(scalar(con, f"select count(*) from {delta}.post_interview_rejections"))
        with transaction(con):
            for name in built:
                table = quote_ident(name)
                if name in COUNTED:
                    _add_counts(con, name, f"{before}.{table}", f"{delta}.{table}")
                    continue
                key = "record_key" if name == "implausible_records" else "application_id"
                keys = "select application_id from _affected_applications"
                if key == "record_key":
                    keys += " union all select job_id from _affected_jobs"
                con.execute(f"delete from main.{table} where {key} in ({keys})")
                # Only the affected rows: the scope also holds the hires of their jobs, read as
                # context (job_hires, several hires for one job), unchanged in main.
                con.execute(
                    f"insert into main.{table} select * from {delta}.{table} where {key} in ({keys})"
                )
            write_state(con, new_state)
            record_recomputed(con, "select application_id from _affected_applications")
    finally:
        for t in SOURCE_TABLES:
            con.execute(f"drop table if exists temp.main.{t}")
        for schema in (delta, before):
            con.execute(f"drop schema if exists {schema} cascade")
    return built_seconds, cohort


def _count_before(
    con: duckdb.DuckDBPyConnection, db: str, before: str, texts: dict[str, str]
) -> None:
    """What the affected applications count in each COUNTED table as the warehouse stands: the
    table's own SQL (and that of the views it reads), in the schema ``before``, over those
    applications' rows of the tables underneath (temp tables, looked up before any schema,
    stand in for them under their usual names)."""
    graph = {t.name: t for t in pipeline_graph().step("reasons")}
    run: list[str] = []  # the views and COUNTED tables to run in ``before``, in run order
    read: set[str] = set()  # the warehouse tables they read

    def visit(name: str) -> None:
        for dep in graph[name].deps:
            if dep not in graph:
                continue  # rules, taxonomy: not per application
            if graph[dep].is_view:
                visit(dep)
                run.append(dep)
            else:
                read.add(dep)

    for name in (n for n in texts if n in COUNTED):
        visit(name)
        run.append(name)
    # The slices below are cut by application: a COUNTED table may read only tables kept by
    # application (implausible_records is kept by record: of a job or of an application).
    by_application = {
        r[0]
        for r in con.execute(
            "select table_name from duckdb_columns() where database_name = current_database() "
            "and schema_name = 'main' and column_name = 'application_id'"
        ).fetchall()
    } - {"implausible_records"}
    if read - by_application:
        raise RuntimeError(
            f"COUNTED tables read tables not kept by application: {sorted(read - by_application)}"
        )
    try:
        for name in sorted(read):
            con.execute(
                f"create or replace temp table {quote_ident(name)} as select * from "
                f"{db}.main.{quote_ident(name)} semi join _affected_applications "
                "using (application_id)"
            )
        con.execute(f"use {db}.{before}")
        try:
            for name in (n for n in texts if n in run):
                con.execute(texts[name])
        finally:
            con.execute(f"use {db}.main")
    finally:
        for name in read:
            con.execute(f"drop table if exists temp.main.{quote_ident(name)}")


def _add_counts(con: duckdb.DuckDBPyConnection, name: str, before: str, after: str) -> None:
    """``main.<name>`` minus the affected applications' counts ``before`` plus ``after``; a key
    whose counts all come to 0 is dropped, as a full run would not list it."""
    key = COUNTED[name]
    columns = [
        r[0]
        for r in con.execute(
            "select column_name from duckdb_columns() where database_name = current_database() "
            "and schema_name = 'main' and table_name = ? order by column_index",
            [name],
        ).fetchall()
    ]
    counts = [quote_ident(c) for c in columns if c != key]
    sums = ", ".join(f"sum({c})::bigint as {c}" for c in counts)
    negated = ", ".join(f"-{c}" for c in counts)
    table, k = quote_ident(name), quote_ident(key)
    con.execute(
        f"create or replace temp table _counted as select {k}, {sums} from ("
        f"select {k}, {', '.join(counts)} from main.{table} "
        f"union all select {k}, {negated} from {before} "
        f"union all select {k}, {', '.join(counts)} from {after}) "
        f"group by {k} having {' or '.join(f'sum({c}) <> 0' for c in counts)}"
    )
    con.execute(f"delete from main.{table}")
    con.execute(f"insert into main.{table} by name select * from _counted")
    con.execute("drop table _counted")


def _drop_other_kind(con: duckdb.DuckDBPyConnection, name: str, is_view: bool) -> None:
    """A file that now builds a view where an earlier version built a table, or the reverse
    (reason_note_tokens became a view): ``create or replace`` cannot change what an object is,
    so the old one is dropped first."""
    other = "table" if is_view else "view"
    found = con.execute(
        f"select 1 from duckdb_{other}s() where {other}_name = ? and schema_name = 'main' "
        "and database_name = current_database()",
        [name],
    ).fetchall()
    if found:
        con.execute(f"drop {other} {quote_ident(name)}")


def notes_read_in_part(con: duckdb.DuckDBPyConnection) -> int:
    """How many cohort rejections have a text (recruiter note or ATS reason) longer than the
    rules file's ``note_chars``, read only up to it (reason_notes.cut); 0 before the engine's
    first run."""
    if not table_exists(con, "reason_notes"):
        return 0
    return int(scalar(con, "select count(distinct application_id) from reason_notes where cut"))


def engine_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """The fingerprint of the rules, model and SQL the reason tables were computed with (no
    watermark): what the evaluation set's results depend on ('' before the first complete run)."""
    state = read_state(con)
    return "" if state is None else "-".join(d[:8] for _, d in sorted(state.fingerprints.items()))


def engine_version(con: duckdb.DuckDBPyConnection) -> str:
    """The version of the reason tables' data: the watermark and the fingerprint they were
    computed with ('' before the first complete run). Equal versions mean equal tables."""
    state = read_state(con)
    return "" if state is None else f"{state.watermark}-{engine_fingerprint(con)}"


def build_rule_audit(
    con: duckdb.DuckDBPyConnection,
    eval_precision: Sequence[tuple[str, int, float]] | None,
    rules: Rules,
    contract: Contract | None = None,
) -> None:
    """``reason_rule_eval`` (the evaluation set's precision per rule; kept as it is when
    ``eval_precision`` is None) and ``reason_rule_audit``."""
    with transaction(con):
        if eval_precision is not None:
            con.execute(
                "create or replace table reason_rule_eval "
                "(rule_id varchar, eval_fired bigint, eval_precision double)"
            )
        if eval_precision:
            con.executemany(
                "insert into reason_rule_eval values (?, ?, ?)", [list(r) for r in eval_precision]
            )
        pipeline_graph().run_step(con, "rule_audit", sql_params(rules, contract or load_contract()))
