"""Records that cannot be true: each plausibility rule of the contract quarantines the row with
its own reason; contradictions across tables are a warning with counts, and the run goes on."""

from __future__ import annotations

from datetime import date, timedelta

from conftest import APPS_HEADER, ingest, quarantine_reasons, write

from pipelines.contract import load_contract
from pipelines.reasons.engine import assign_reasons
from pipelines.reasons.rules import load_rules

CHECKS = "application_id,vendor_id,requested_at,completed_at,result,adjudication,disputed,dispute_outcome,dispute_resolved_at\n"


def apps(*rows: str) -> str:
    return APPS_HEADER + "".join(r + "\n" for r in rows)


def kinds(con, table: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select reason_kind from quarantine where source_table = ? order by row_number",
            [table],
        ).fetchall()
    ]


def test_application_decided_before_it_was_applied_for_is_quarantined(con, data_dir):
    write(
        data_dir,
        "applications.csv",
        apps(
            "A1,J1,2026-03-01,rejected,2026-02-01,,,,,",
            "A2,J1,2026-03-01,rejected,2026-03-20,,,,,",
        ),
    )
    assert ingest(con, data_dir).totals("applications") == (2, 1, 1)
    assert kinds(con, "applications") == ["decided before applied"]
    assert con.execute("select application_id from applications").fetchall() == [("A2",)]


def test_dates_outside_the_plausible_window_are_quarantined_with_the_window(con, data_dir):
    far = date.today() + timedelta(days=load_contract().table("jobs").date_window[1] + 30)
    write(
        data_dir,
        "applications.csv",
        apps(
            "A1,J1,1989-12-31,pending,,,,,,",
            f"A2,J1,2026-01-05,rejected,{far.isoformat()},,,,,",
            "A3,J1,1990-01-01,pending,,,,,,",
        ),
    )
    ingest(con, data_dir)
    assert kinds(con, "applications") == [
        "applied_at outside the plausible window",
        "decided_at outside the plausible window",
    ]
    reasons = quarantine_reasons(con, "applications")
    assert "1989-12-31 (expected 1990-01-01 to " in reasons[0]


def test_dispute_resolved_before_the_report_was_completed_is_quarantined(con, data_dir):
    write(data_dir, "applications.csv", apps("A1,J1,2026-01-05,rejected,2026-03-01,,,,,"))
    write(
        data_dir,
        "background_checks.csv",
        CHECKS
        + "A1,V1,2026-02-01,2026-02-10,consider,pre_adverse_action,true,corrected,2026-01-01\n",
    )
    assert ingest(con, data_dir).totals("background_checks") == (1, 0, 1)
    assert kinds(con, "background_checks") == ["dispute resolved before the report was completed"]


def test_contradictions_across_tables_are_listed_as_implausible_records(con, data_dir):
    write(
        data_dir,
        "applications.csv",
        apps(
            "A1,J1,2026-01-05,hired,2026-02-01,,,,,",
            "A2,J1,2026-01-05,hired,2026-02-01,,,,,",
            "A3,J2,2026-01-05,rejected,2026-02-01,,,,,",
        ),
    )
    write(
        data_dir,
        "interviews.csv",
        "application_id,round,interviewed_at,recommendation\n"
        "A3,1,2026-01-20,yes\nA3,2,2026-02-15,yes\n",
    )
    write(
        data_dir,
        "background_checks.csv",
        CHECKS + "A1,V1,2026-01-10,2026-01-20,consider,post_adverse_action,false,none,\n",
    )
    ingest(con, data_dir)
    assign_reasons(con, load_rules())
    found = con.execute("select rule, record_key from implausible_records order by 1, 2").fetchall()
    assert found == [
        ("hired_after_adverse_action", "A1"),
        ("interview_after_decision", "A3"),
        ("several_hires_for_one_job", "J1"),
    ]
    # A warning only: the records stay, and A3 is still judged on its interviews.
    assert con.execute("select count(*) from applications").fetchall()[0][0] == 3
