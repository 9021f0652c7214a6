"""Contract 1.1: optional interviewer_id (a duplicate is only a repeat of the same interviewer's
feedback; panel votes without it are all kept), rejected_at_stage, adverse notice dates; 1.0
files load unchanged; the version a file was read as is logged; a 1.0 warehouse is upgraded."""

from __future__ import annotations

from conftest import APPS_HEADER, ingest, quarantine_reasons, write

from pipelines.contract import load_contract
from pipelines.warehouse import connect

GOOD = "A1,J1,2026-01-05,rejected,2026-02-01,4,bachelor,steady_growth,final_interview,fine\n"


def test_identical_panel_votes_without_an_interviewer_are_all_kept(con, data_dir):
    # On a panel two interviewers often give the same recommendation the same day.
    write(data_dir, "applications.csv", APPS_HEADER + GOOD)
    votes = "A1,2,2026-01-20,yes\n" * 3
    write(
        data_dir, "interviews.csv", "application_id,round,interviewed_at,recommendation\n" + votes
    )
    result = ingest(con, data_dir)
    assert result.totals("interviews") == (3, 3, 0)


def test_a_duplicate_is_the_same_interviewers_feedback_for_the_same_round(con, data_dir):
    write(data_dir, "applications.csv", APPS_HEADER + GOOD)
    write(
        data_dir,
        "interviews.csv",
        "application_id,round,recommendation,interviewer_id\n"
        "A1,1,yes,R1\n"
        "A1,1,yes,R2\n"  # another interviewer: kept
        "A1,1,yes,R1\n"  # R1 again, the same: exact duplicate
        "A1,1,no,R1\n"  # R1 again, different: conflict
        "A1,2,yes,R1\n"  # R1 in the next round: kept
        "A1,1,yes,\n"  # a panel vote: kept
        "A1,1,yes,\n",
    )
    result = ingest(con, data_dir)
    assert result.totals("interviews") == (7, 5, 2)
    assert quarantine_reasons(con, "interviews") == [
        "exact duplicate of row 1 of the same file",
        "conflicting duplicate key (application_id=A1, round=1, interviewer_id=R1): "
        "differs from row 1 of the same file",
    ]


def test_rejected_at_stage_is_validated_like_any_enum(con, data_dir):
    header = APPS_HEADER.strip() + ",rejected_at_stage\n"
    write(
        data_dir,
        "applications.csv",
        header
        + GOOD.strip()
        + ",Final Interview\n"
        + GOOD.strip().replace("A1", "A2")
        + ",lunch\n",
    )
    ingest(con, data_dir)
    assert con.execute("select rejected_at_stage from applications").fetchall() == [
        ("final_interview",)
    ]
    assert quarantine_reasons(con, "applications") == [
        "bad value for rejected_at_stage: 'lunch' (expected one of "
        "applied|screen|interview|final_interview|offer|background_check)"
    ]


def test_the_contract_version_each_file_was_read_as_is_logged(con, data_dir):
    write(data_dir, "applications.csv", APPS_HEADER + GOOD)
    write(data_dir, "interviews.csv", "application_id,round,recommendation\nA1,1,yes\n")
    write(
        data_dir,
        "background_checks.csv",
        "application_id,result,adjudication,pre_adverse_notice_at,post_adverse_notice_at\n"
        "A1,consider,post_adverse_action,2026-01-10,2026-01-03\n",
    )
    ingest(con, data_dir)
    got = con.execute(
        "select file_name, source, contract_version from ingest_log order by file_id"
    ).fetchall()
    assert got == [
        ("jobs.csv", "contract", "1.0"),
        ("applications.csv", "contract", "1.0"),
        ("interviews.csv", "contract", "1.0"),
        ("background_checks.csv", "contract", "1.1"),
    ]
    assert con.execute("select contract_version from ingest_batches").fetchall() == [("1.2",)]
    assert quarantine_reasons(con, "background_checks") == [
        "post-adverse notice before the pre-adverse notice"
    ]


def test_a_warehouse_built_under_1_0_gets_the_new_columns_and_keeps_its_rows(tmp_path, data_dir):
    path = tmp_path / "old" / "warehouse.duckdb"
    con = connect(path)
    # the 1.0 layout: applications without rejected_at_stage, ingest_log without source/version
    old = [c for c in load_contract().table("applications").columns if c.since == "1.0"]
    con.execute(
        "create table applications ("
        + ", ".join(f'"{c.name}" {c.sql_type}' for c in old)
        + ", _file_id integer)"
    )
    con.execute(
        "insert into applications (application_id, job_id, applied_at, outcome, _file_id) "
        "values ('OLD', 'J1', '2025-01-01', 'hired', 1)"
    )
    con.execute(
        "create table ingest_log (file_id integer, batch_id integer, source_table varchar, "
        "path varchar, file_name varchar, content_hash varchar, size_bytes bigint, "
        "format varchar, encoding varchar, rows_read bigint, rows_loaded bigint, "
        "rows_quarantined bigint, ignored_columns varchar[], ingested_at timestamp)"
    )
    write(data_dir, "applications.csv", APPS_HEADER + GOOD)
    ingest(con, data_dir)
    assert con.execute(
        "select application_id, rejected_at_stage from applications order by 1"
    ).fetchall() == [("A1", None), ("OLD", None)]
    columns = [r[0] for r in con.execute("describe ingest_log").fetchall()]
    assert columns[-2:] == ["source", "contract_version"]
    con.close()
