"""The contract's data-quality checks over the rows of later files only: what a batch is checked
by once the rows before it passed."""

from __future__ import annotations

import duckdb

from pipelines.contract import load_contract
from pipelines.ingest.checks import accepted_values_sql, foreign_key_sql, key_unique_sql


def warehouse() -> duckdb.DuckDBPyConnection:
    """jobs and applications with the rows of files 1 (checked, clean) and 2 (new)."""
    con = duckdb.connect()
    con.execute("create table jobs (job_id varchar, _file_id integer)")
    con.execute("insert into jobs values ('J1', 1)")
    cols = ", ".join(
        f"{c.name} {c.sql_type}" for c in load_contract().table("applications").columns
    )
    con.execute(f"create table applications ({cols}, _file_id integer)")
    con.execute(
        "insert into applications (application_id, job_id, applied_at, outcome, _file_id) values "
        "('A1', 'J1', '2026-01-05', 'rejected', 1), ('A2', 'J1', '2026-01-06', 'hired', 1)"
    )
    con.execute("set variable check_since = 1")
    return con


def found(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_a_new_row_repeating_an_old_key_is_found_by_the_check_of_new_rows():
    con = warehouse()
    table = load_contract().table("applications")
    assert found(con, key_unique_sql(table, since=True)) == []
    con.execute(
        "insert into applications (application_id, job_id, applied_at, outcome, _file_id) "
        "values ('A1', 'J1', '2026-02-01', 'rejected', 2)"
    )
    assert found(con, key_unique_sql(table, since=True)) == [("A1", 2)]


def test_new_rows_with_a_bad_value_or_a_missing_parent_are_found_and_old_rows_are_not_read():
    con = warehouse()
    table = load_contract().table("applications")
    # an old row (file 1, which passed) is not read again: only rows of later files are
    con.execute(
        "insert into applications (application_id, job_id, applied_at, outcome, _file_id) "
        "values ('A0', 'J9', '2026-01-01', 'maybe', 1)"
    )
    assert found(con, accepted_values_sql(table, since=True)) == []
    assert found(con, foreign_key_sql(table, since=True)) == []
    assert len(found(con, accepted_values_sql(table))) == 1  # the whole-table check sees it
    con.execute(
        "insert into applications (application_id, job_id, applied_at, outcome, _file_id) "
        "values ('A3', 'J8', '2026-02-01', 'maybe', 2)"
    )
    assert [r[0] for r in found(con, accepted_values_sql(table, since=True))] == ["A3"]
    assert found(con, foreign_key_sql(table, since=True)) == [("job_id", "J8")]
