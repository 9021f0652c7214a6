"""The data contract, as the ingest enforces it: columns, values, and where every row ends up."""

from __future__ import annotations

import json

import duckdb
import polars as pl
import pytest
from conftest import APPS_HEADER, JOBS, ingest, quarantine_reasons, write

from pipelines.contract import load_contract
from pipelines.ingest import IngestError, _load_sql, check_headers, ensure_tables, ingest_folder


def apps(*rows: str) -> str:
    return APPS_HEADER + "".join(r + "\n" for r in rows)


GOOD = "A1,J1,2026-01-05,rejected,2026-02-01,4,bachelor,steady_growth,final_interview,fine"


def test_contract_file_defines_four_tables_in_load_order():
    c = load_contract()
    assert list(c.tables) == ["jobs", "applications", "interviews", "background_checks"]
    assert c.table("applications").required == ["application_id", "job_id", "applied_at", "outcome"]
    assert c.table("applications").column("education").ordered


def test_contract_doc_lists_every_column_of_the_machine_readable_contract():
    from conftest import PROJECT_ROOT

    doc = (PROJECT_ROOT / "docs" / "data_contract.md").read_text()
    c = load_contract()
    assert f"version {c.version}" in doc.lower()
    for t in c.tables.values():
        for col in t.columns:
            assert f"`{col.name}`" in doc, f"{t.name}.{col.name} missing from docs/data_contract.md"
            for v in col.values:
                assert v in doc


def test_valid_rows_load_typed(con, data_dir):
    write(data_dir, "applications.csv", apps(GOOD))
    result = ingest(con, data_dir)
    assert result.totals("applications") == (1, 1, 0)
    row = con.execute(
        "select applied_at, years_experience, education from applications"
    ).fetchall()[0]
    assert str(row[0]) == "2026-01-05" and row[1] == 4.0 and row[2] == "bachelor"


def test_free_text_longer_than_its_max_chars_is_loaded_cut_and_said(con, data_dir):
    limit = load_contract().table("applications").column("recruiter_note").max_chars
    assert limit
    long_note = "Pasted thread. " * (limit // 15 + 100)
    write(
        data_dir,
        "applications.csv",
        apps(GOOD, GOOD.replace("A1", "A2").replace(",fine", "," + long_note)),
    )
    said: list[str] = []
    result = ingest_folder(con, data_dir, log=said.append)
    assert result.totals("applications") == (2, 2, 0)
    assert con.execute(
        "select application_id, length(recruiter_note) from applications order by 1"
    ).fetchall() == [("A1", 4), ("A2", limit)]
    assert any("applications.csv: 1 recruiter_note values reached" in line for line in said), said


def test_a_cut_never_leaves_part_of_personal_data_in_a_loaded_or_quarantined_row(con, data_dir):
    limit = load_contract().table("applications").column("recruiter_note").max_chars
    note = "x" * (limit - 11) + " john.doe@example.com and more"
    rejected = GOOD.replace("A1", "A2").replace("rejected", "bogus").replace(",fine", "," + note)
    exact = GOOD.replace("A1", "A3").replace(",fine", "," + "y" * limit)
    write(data_dir, "applications.csv", apps(GOOD.replace(",fine", "," + note), rejected, exact))
    said: list[str] = []
    result = ingest_folder(con, data_dir, log=said.append)
    assert result.totals("applications") == (3, 2, 1)
    stored = (
        con.execute("select string_agg(recruiter_note, '|') from applications").fetchone()[0]
        + con.execute("select string_agg(raw_record, '|') from quarantine").fetchone()[0]
    )
    assert "john" not in stored and "@" not in stored
    # one loaded value was cut, one is exactly max_chars long: both reached it, the log says 2
    assert any("applications.csv: 2 recruiter_note values reached" in line for line in said), said


def test_missing_optional_column_is_null(con, data_dir):
    write(
        data_dir,
        "applications.csv",
        "application_id,job_id,applied_at,outcome\nA1,J1,2026-01-05,hired\n",
    )
    ingest(con, data_dir)
    assert con.execute("select career_goal, recruiter_note from applications").fetchall() == [
        (None, None)
    ]


def test_missing_required_column_fails_the_file_naming_file_and_column(con, data_dir):
    path = write(
        data_dir, "applications.csv", "application_id,applied_at,outcome\nA1,2026-01-05,hired\n"
    )
    with pytest.raises(IngestError) as e:
        ingest(con, data_dir)
    assert str(path) in str(e.value) and "'job_id'" in str(e.value)
    # Nothing from the failed batch is kept, not even the valid jobs file.
    assert con.execute("select count(*) from jobs").fetchall() == [(0,)]


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_header_check_before_a_run_names_file_and_missing_column_in_every_format(data_dir, fmt):
    path = data_dir / f"applications.{fmt}"
    if fmt == "csv":
        write(data_dir, path.name, "application_id,applied_at,outcome\nA1,2026-01-05,hired\n")
    elif fmt == "parquet":
        pl.DataFrame({"application_id": ["A1"], "outcome": ["hired"]}).write_parquet(path)
    else:
        write(data_dir, path.name, '{"application_id": "A1"}\nnot json\n{"Outcome": "hired"}\n')
    with pytest.raises(IngestError) as e:
        check_headers(data_dir)
    assert str(e.value).startswith(f"{path}: missing required column 'job_id'")


def test_unknown_extra_columns_are_ignored_and_reported(con, data_dir):
    write(
        data_dir,
        "applications.csv",
        "application_id,job_id,applied_at,outcome,favourite_colour\nA1,J1,2026-01-05,hired,blue\n",
    )
    result = ingest(con, data_dir)
    f = next(f for f in result.files if f.table == "applications")
    assert f.ignored_columns == ["favourite_colour"] and f.rows_loaded == 1
    logged = con.execute(
        "select ignored_columns from ingest_log where source_table = 'applications'"
    ).fetchall()
    assert logged == [(["favourite_colour"],)]


def test_columns_in_any_order(con, data_dir):
    write(
        data_dir,
        "applications.csv",
        "outcome,applied_at,job_id,application_id\nhired,2026-01-05,J2,A9\n",
    )
    ingest(con, data_dir)
    assert con.execute("select application_id, job_id, outcome from applications").fetchall() == [
        ("A9", "J2", "hired")
    ]


def test_enum_values_match_case_and_whitespace_insensitively(con, data_dir):
    write(
        data_dir,
        "applications.csv",
        apps("A1,J1,2026-01-05,  REJECTED ,,1,Master,Rapid Advancement,Final Interview,x"),
    )
    ingest(con, data_dir)
    assert con.execute(
        "select outcome, education, career_goal, stage_reached from applications"
    ).fetchall() == [("rejected", "master", "rapid_advancement", "final_interview")]


def test_timestamps_are_accepted_as_dates(con, data_dir):
    write(
        data_dir,
        "applications.csv",
        apps("A1,J1,2026-01-05T09:30:00Z,hired,2026-02-01 10:00:00,,,,,"),
    )
    ingest(con, data_dir)
    assert [
        str(d) for d in con.execute("select applied_at, decided_at from applications").fetchall()[0]
    ] == ["2026-01-05", "2026-02-01"]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (
            "A1,J1,14/03/2026,hired,,,,,,",
            "bad value for applied_at: '14/03/2026' (expected an ISO 8601 date such as 2026-03-14)",
        ),
        (
            "A1,J1,2026-02-30,hired,,,,,,",
            "bad value for applied_at: '2026-02-30' (expected an ISO 8601 date such as 2026-03-14)",
        ),
        (
            "A1,J1,2026-01-05,hired,,four,,,,",
            "bad value for years_experience: 'four' (expected a number)",
        ),
        (
            "A1,J1,2026-01-05,Hired!,,,,,,",
            "bad value for outcome: 'Hired!' (expected one of hired|rejected|withdrawn|offer_declined|pending)",
        ),
        ("A1,J1,2026-01-05,,,,,,,", "missing required value for outcome"),
        (",J1,2026-01-05,hired,,,,,,", "missing required value for application_id"),
        ("A1,J1,2026-01-05,hired,,-2,,,,", "negative years_experience: -2.0 (must be at least 0)"),
        (
            "A1,J1,2026-01-05,hired,,,phd,,,",
            "bad value for education: 'phd' (expected one of none|secondary|certificate|associate|bachelor|master|doctorate)",
        ),
        ("A1,J404,2026-01-05,hired,,,,,,", "orphan foreign key: job_id 'J404' not found in jobs"),
    ],
)
def test_bad_application_row_is_quarantined_with_a_specific_reason(con, data_dir, row, reason):
    write(data_dir, "applications.csv", apps(GOOD.replace("A1", "A0"), row))
    result = ingest(con, data_dir)
    assert result.totals("applications") == (2, 1, 1)
    assert quarantine_reasons(con, "applications") == [reason]
    raw = json.loads(con.execute("select raw_record from quarantine").fetchall()[0][0])
    assert raw["job_id"] == row.split(",")[1]


def test_several_problems_in_one_row_are_all_named(con, data_dir):
    write(data_dir, "applications.csv", apps("A1,J1,yesterday,maybe,,-1,,,,"))
    ingest(con, data_dir)
    (reason,) = quarantine_reasons(con)
    assert "applied_at" in reason and "outcome" in reason and "negative years_experience" in reason


def test_score_out_of_range_and_bad_round_are_quarantined(con, data_dir):
    write(data_dir, "applications.csv", apps(GOOD))
    write(
        data_dir,
        "interviews.csv",
        "application_id,round,recommendation,score\nA1,1,yes,4\nA1,2,yes,7\nA1,0,yes,3\nA1,1.5,no,2\nA1,2,maybe,3\n",
    )
    ingest(con, data_dir)
    assert quarantine_reasons(con, "interviews") == [
        "score out of range: 7.0 (expected 1 to 5)",
        "too small round: 0 (must be at least 1)",
        "bad value for round: '1.5' (expected a whole number)",
        "bad value for recommendation: 'maybe' (expected one of strong_no|no|no_decision|yes|strong_yes)",
    ]


def test_exact_duplicate_row_is_recorded_not_silently_dropped(con, data_dir):
    write(data_dir, "applications.csv", apps(GOOD, GOOD))
    result = ingest(con, data_dir)
    assert result.totals("applications") == (2, 1, 1)
    assert quarantine_reasons(con) == ["exact duplicate of row 1 of the same file"]


def test_interview_rows_are_duplicates_only_when_the_same_interviewer_repeats(con, data_dir):
    # Contract 1.1: identical rows without an interviewer_id are panel votes, all kept.
    write(data_dir, "applications.csv", apps(GOOD))
    panel = "A1,1,2026-01-10,yes,4.5\nA1,1,2026-01-10,yes,4.0\nA1,1,2026-01-10,yes,4.5\n"
    write(
        data_dir,
        "interviews.csv",
        "application_id,round,interviewed_at,recommendation,score\n" + panel,
    )
    result = ingest(con, data_dir)
    assert result.totals("interviews") == (3, 3, 0)
    assert quarantine_reasons(con, "interviews") == []


def test_same_key_with_different_content_is_a_conflict(con, data_dir):
    write(data_dir, "applications.csv", apps(GOOD, GOOD.replace("rejected", "hired")))
    ingest(con, data_dir)
    assert quarantine_reasons(con) == [
        "conflicting duplicate key (application_id=A1): differs from row 1 of the same file"
    ]
    assert con.execute("select outcome from applications").fetchall() == [("rejected",)]


def test_orphan_interview_and_background_check_are_quarantined(con, data_dir):
    write(data_dir, "applications.csv", apps(GOOD))
    write(data_dir, "interviews.csv", "application_id,round,recommendation\nA1,1,yes\nA2,1,yes\n")
    write(data_dir, "background_checks.csv", "application_id,result,disputed\nA3,consider,yes\n")
    ingest(con, data_dir)
    assert quarantine_reasons(con, "interviews") == [
        "orphan foreign key: application_id 'A2' not found in applications"
    ]
    assert quarantine_reasons(con, "background_checks") == [
        "orphan foreign key: application_id 'A3' not found in applications"
    ]


def test_bad_boolean_is_quarantined(con, data_dir):
    write(data_dir, "applications.csv", apps(GOOD))
    write(data_dir, "background_checks.csv", "application_id,disputed\nA1,sometimes\n")
    ingest(con, data_dir)
    assert quarantine_reasons(con) == [
        "bad value for disputed: 'sometimes' (expected true or false)"
    ]


# ---- files as real exports come


def test_utf8_bom_crlf_and_quoted_fields_with_newlines_and_quotes(con, data_dir):
    body = (
        "\ufeff"
        + APPS_HEADER.replace("\n", "\r\n")
        + 'A1,J1,2026-01-05,rejected,,,,,,"Said ""no"", then\r\nchanged mind"\r\n'
        + "A2,J1,2026-01-06,hired,,,,,,café ☕\r\n"
    )
    write(data_dir, "applications.csv", body)
    ingest(con, data_dir)
    rows = dict(con.execute("select application_id, recruiter_note from applications").fetchall())
    assert rows == {"A1": 'Said "no", then\r\nchanged mind', "A2": "café ☕"}


def test_latin1_file_is_read_with_its_encoding(con, data_dir):
    write(
        data_dir,
        "applications.csv",
        (APPS_HEADER + "A1,J1,2026-01-05,rejected,,,,,,Entrevue réussie\n").encode("latin-1"),
    )
    result = ingest(con, data_dir)
    assert con.execute("select recruiter_note from applications").fetchall() == [
        ("Entrevue réussie",)
    ]
    assert next(f for f in result.files if f.table == "applications").encoding == "latin-1"


def test_truncated_last_line_goes_to_quarantine_with_the_raw_line(con, data_dir):
    write(data_dir, "applications.csv", APPS_HEADER + GOOD + "\nA2,J1,2026-01-0")
    result = ingest(con, data_dir)
    assert result.totals("applications") == (2, 1, 1)
    reason, raw, line = con.execute(
        "select reason, raw_record, line_number from quarantine"
    ).fetchall()[0]
    assert (
        reason.startswith("unreadable CSV line: missing columns")
        and raw.startswith("A2,J1")
        and line == 3
    )


def test_unterminated_quote_at_end_is_quarantined(con, data_dir):
    write(
        data_dir,
        "applications.csv",
        APPS_HEADER + GOOD + '\nA2,J1,2026-01-05,hired,,,,,,"never closed\n',
    )
    result = ingest(con, data_dir)
    assert result.totals("applications") == (2, 1, 1)
    assert quarantine_reasons(con)[0].startswith("unreadable CSV line")


def test_a_200kb_note_loads_whole(con, data_dir):
    note = "long note " * 20_000
    write(data_dir, "applications.csv", apps(GOOD.replace("fine", f'"{note}"')))
    ingest(con, data_dir)
    assert con.execute("select length(recruiter_note) from applications").fetchall() == [
        (len(note),)
    ]


def test_parquet_and_jsonl_inputs_load_like_csv(con, data_dir):
    pl.DataFrame(
        {
            "application_id": ["A1", "A2"],
            "job_id": ["J1", "J2"],
            "applied_at": ["2026-01-05", "2026-01-06"],
            "outcome": ["hired", "rejected"],
            "years_experience": [3.5, -1.0],
        }
    ).write_parquet(data_dir / "applications.parquet")
    write(
        data_dir,
        "interviews.jsonl",
        '{"application_id": "A1", "round": 1, "recommendation": "yes", "score": 4.5}\n'
        "this is not json\n"
        '{"application_id": "A1", "round": 2, "recommendation": "STRONG_YES"}\n\n',
    )
    result = ingest(con, data_dir)
    assert result.totals("applications") == (2, 1, 1)
    assert result.totals("interviews") == (3, 2, 1)
    assert quarantine_reasons(con, "interviews") == ["unreadable JSON line: not a JSON object"]
    assert con.execute(
        "select round, recommendation, score from interviews order by round"
    ).fetchall() == [(1, "yes", 4.5), (2, "strong_yes", None)]


def test_quarantined_rows_carry_their_row_number_in_their_own_file(con, data_dir):
    # Rows are numbered from 1 after the header (CSV), from 1 (Parquet), or by physical line
    # (JSON Lines, where blank and unreadable lines also count), each file on its own.
    write(data_dir, "applications-1.csv", apps(GOOD, GOOD.replace("A1", "A2"), GOOD + "x"))
    write(
        data_dir,
        "applications-2.csv",
        apps(GOOD.replace("A1", "A3"), GOOD.replace("A1", "A4").replace("2026-01-05", "someday")),
    )
    pl.DataFrame(
        {"application_id": ["A1", "A3", "A2"], "round": [1, 0, 1], "recommendation": ["yes"] * 3}
    ).write_parquet(data_dir / "interviews.parquet")
    write(
        data_dir,
        "background_checks.jsonl",
        '{"application_id": "A1"}\n\nnot json\n{"application_id": "A9"}\n{"application_id": "A2"}\n',
    )
    ingest(con, data_dir)
    rows = con.execute(
        "select source_table, regexp_extract(source_file, '[^/]+$'), row_number, line_number, "
        "split_part(reason, ':', 1) from quarantine order by all"
    ).fetchall()
    assert rows == [
        ("applications", "applications-1.csv", 3, None, "conflicting duplicate key (application_id=A1)"),
        ("applications", "applications-2.csv", 2, None, "bad value for applied_at"),
        ("background_checks", "background_checks.jsonl", 4, None, "orphan foreign key"),
        ("background_checks", "background_checks.jsonl", None, 3, "unreadable JSON line"),
        ("interviews", "interviews.parquet", 2, None, "too small round"),
    ]  # fmt: skip


def test_row_numbers_hold_in_a_file_large_enough_to_be_read_in_parallel(con, data_dir):
    # DuckDB reads a file of more than ~32 MB with several threads; staged rows must still keep
    # the file's order, since row numbers are derived from it (an IN list of five values, planned
    # as a join, once broke that).
    n, dup_after = 1_600_000, [10, 900_000, 1_599_990]
    ids = "'A' || lpad((i // 4)::varchar, 7, '0')"
    duckdb.sql(
        f"copy (select distinct {ids} as application_id, 'J1' as job_id, "
        f"'2026-01-05' as applied_at, 'rejected' as outcome from range({n}) t(i) order by 1) "
        f"to '{data_dir / 'applications.csv'}' (header)"
    )
    recommendations = "['strong_no', 'no', 'no_decision', 'yes', 'strong_yes']"
    duckdb.sql(
        f"copy (select {ids} as application_id, 1 + i % 4 as round, 'R1' as interviewer_id, "
        "date '2026-01-01' + (i % 300)::int as interviewed_at, "
        f"{recommendations}[1 + i % 5] as recommendation, 1 + (i * 7919 % 400) / 100 as score "
        f"from (select i, 0 as copy from range({n}) t(i) "
        f"      union all select unnest({dup_after}), 1) order by i, copy) "
        f"to '{data_dir / 'interviews.csv'}' (header)"
    )
    assert (data_dir / "interviews.csv").stat().st_size > 40_000_000
    ingest(con, data_dir)
    # Row k of the file (1-based, after the header) is range value k - 1, shifted by earlier copies.
    expected = [
        (i + 2 + j, f"exact duplicate of row {i + 1 + j} of the same file")
        for j, i in enumerate(dup_after)
    ]
    assert (
        con.execute("select row_number, reason from quarantine order by 1").fetchall() == expected
    )


@pytest.mark.parametrize("table", list(load_contract().tables))
def test_staging_plan_has_no_operator_that_could_reorder_rows(con, table):
    # The guard behind the test above, for every table: a plain scan-project-insert pipeline.
    t = load_contract().table(table)
    ensure_tables(con, load_contract())
    con.execute(f'create temp table _ingest_{table} as select * from "{table}" limit 0')
    con.execute(f"alter table _ingest_{table} add column _reject varchar")
    source = "select " + ", ".join(f'NULL::varchar as "{c}"' for c in t.column_names)
    plan = con.execute("explain " + _load_sql(t, 1, source)).fetchall()[0][1].upper()
    assert "JOIN" not in plan and "GROUP" not in plan and "ORDER" not in plan, plan


def test_several_files_per_table_are_one_batch(con, data_dir):
    write(data_dir, "applications-2026-05.csv", apps(GOOD))
    write(data_dir, "applications-2026-06.csv", apps(GOOD.replace("A1", "A2")))
    write(data_dir, "notes.txt", "not an input")
    result = ingest(con, data_dir)
    assert result.totals("applications") == (2, 2, 0)
    assert result.unrecognised_files == ["notes.txt"]
    assert con.execute("select count(distinct batch_id) from ingest_log").fetchall() == [(1,)]


def test_a_file_that_cannot_be_read_fails_with_its_name(con, data_dir):
    path = write(data_dir, "applications.parquet", b"PAR1 this is not parquet")
    with pytest.raises(IngestError) as e:
        ingest(con, data_dir)
    assert str(path) in str(e.value) and "Parquet" in str(e.value)


def test_empty_file_fails_with_its_name(con, data_dir):
    path = write(data_dir, "applications.csv", "")
    with pytest.raises(IngestError, match="empty"):
        ingest(con, data_dir)
    assert path.exists()


def test_missing_input_folder_is_a_clear_error(con, tmp_path):
    with pytest.raises(IngestError, match="does not exist"):
        ingest(con, tmp_path / "nowhere")


def test_jobs_file_alone_is_unchanged_by_validation(con, data_dir):
    ingest(con, data_dir)
    assert con.execute("select job_id, advancement_outlook from jobs order by 1").fetchall() == [
        ("J1", "limited"),
        ("J2", "strong"),
    ]
    assert JOBS.count("\n") - 1 == 2
