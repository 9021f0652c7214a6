"""Checkr exports: report status / result / adjudication / assessment, adverse action timing,
disputes and their inferred outcome, and how a report is linked to an application (the Checkr
candidate's custom_id = the ATS application id, as the same keyed pseudonym)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sources_util import FIXTURES, ingest, link_fixture, pid, quarantined, rows, write_json

COLUMNS = (
    "result, adjudication, disputed, dispute_outcome, completed_at::varchar, "
    "dispute_resolved_at::varchar, pre_adverse_notice_at::varchar, post_adverse_notice_at::varchar"
)


@pytest.fixture
def linked(tmp_path: Path) -> Path:
    """The Checkr fixtures, their ten lifecycle reports' candidates given custom_ids (R1 ->
    Greenhouse application 9001, ...), beside a Greenhouse export holding those applications."""
    folder = tmp_path / "in"
    ck = link_fixture(folder, "checkr", ("reports.json", "adverse_actions.json", "webhook_events.json"))  # fmt: skip
    candidates = [{"id": f"ca0d1d{i:018d}", "custom_id": str(9000 + i)} for i in range(1, 11)]
    write_json(ck, "candidates.json", candidates + [{"id": "e44aa283528e6fde7d542194", "custom_id": None}])  # fmt: skip
    apps = [
        {"id": 9000 + i, "candidate_id": i, "status": "rejected", "jobs": [{"id": 1}],
         "applied_at": "2024-01-01T10:00:00Z", "rejected_at": "2024-03-01T10:00:00Z"}
        for i in range(1, 11)
    ]  # fmt: skip
    write_json(folder / "greenhouse", "applications.json", apps)
    write_json(folder / "greenhouse", "jobs.json", [{"id": 1, "name": "Driver"}])
    return folder


def check(con, report: int) -> tuple:
    return rows(
        con,
        f"select {COLUMNS} from background_checks where application_id = ?",
        [pid("application", 9000 + report)],
    )[0]


def test_report_lifecycle_maps_status_result_and_adjudication(con, linked):
    result = ingest(con, linked)
    assert result.totals("background_checks") == (11, 10, 1)
    assert check(con, 1)[:4] == ("pending", "none", False, "none")
    assert check(con, 2)[:4] == ("clear", "none", False, "none")
    assert check(con, 3)[:4] == ("consider", "engaged", False, "none")
    assert check(con, 7)[:2] == ("pending", "none")  # suspended
    assert check(con, 8)[:2] == ("canceled", "none")
    assert check(con, 10)[:2] == ("pending", "none")  # paused
    assert rows(
        con,
        "select distinct vendor_id, finding from background_checks where result = 'clear' and not disputed",
    ) == [  # fmt: skip
        ("checkr", "none")
    ]
    # the finding is the adverse item's text by the findings patterns ("License status: ...")
    assert check(con, 4)[0] == "consider"
    assert rows(con, "select finding from background_checks where application_id = ?", [pid("application", 9004)]) == [("driving",)]  # fmt: skip


def test_adverse_action_timing(con, linked):
    ingest(con, linked)
    # R4: pre-adverse notice when the adverse action was created; no post-adverse notice yet
    assert check(con, 4)[1:] == (
        "pre_adverse_action", False, "none", "2024-02-05", None, "2024-02-06", None,
    )  # fmt: skip
    # R5: the post-adverse notice went out (report.post_adverse_action event)
    assert check(con, 5)[1:] == (
        "post_adverse_action", False, "none", "2024-02-06", None, "2024-02-07", "2024-02-14",
    )  # fmt: skip


def test_a_report_in_dispute_is_disputed_and_pending(con, linked):
    ingest(con, linked)
    assert check(con, 6)[:4] == ("consider", "pre_adverse_action", True, "pending")
    assert check(con, 6)[5] is None


def test_a_canceled_adverse_action_and_a_recompleted_report_is_a_corrected_dispute(con, linked):
    ingest(con, linked)
    # R9: adverse action adad...04 canceled 2024-02-21, report re-completed clear 2024-02-21; its
    # first completion is the adverse action's creation (the pre-adverse notice follows it)
    assert check(con, 9) == (
        "clear", "engaged", True, "corrected", "2024-02-10", "2024-02-21", "2024-02-10", None,
    )  # fmt: skip


def test_an_adverse_action_completed_after_a_dispute_is_an_upheld_dispute(con, tmp_path):
    folder = tmp_path / "in"
    write_json(folder / "greenhouse", "jobs.json", [{"id": 1}])
    write_json(folder / "greenhouse", "applications.json", [
        {"id": 7, "candidate_id": 1, "status": "rejected", "jobs": [{"id": 1}],
         "applied_at": "2024-01-01", "rejected_at": "2024-03-01"}])  # fmt: skip
    ck = folder / "checkr"
    write_json(ck, "candidates.json", [{"id": "c7", "custom_id": "7"}])
    write_json(ck, "reports.json", [
        {"id": "r7", "status": "complete", "result": "consider", "candidate_id": "c7",
         "created_at": "2024-02-01T00:00:00Z", "completed_at": "2024-02-02T00:00:00Z"}])  # fmt: skip
    write_json(ck, "adverse_actions.json", [
        {"id": "a7", "status": "complete", "report_id": "r7", "created_at": "2024-02-03T00:00:00Z",
         "post_notice_ready_at": "2024-02-10T00:00:00Z"}])  # fmt: skip
    write_json(ck, "webhook_events.jsonl", [
        {"id": "e1", "type": "report.disputed", "created_at": "2024-02-05T00:00:00Z",
         "data": {"object": {"id": "r7", "object": "report"}}}])  # fmt: skip
    ingest(con, folder)
    assert rows(con, f"select {COLUMNS} from background_checks") == [
        ("consider", "post_adverse_action", True, "upheld", "2024-02-02", "2024-02-10",
         "2024-02-03", "2024-02-10"),
    ]  # fmt: skip


def test_old_api_status_and_assess_assessment_give_the_result(con, tmp_path):
    folder = tmp_path / "in"
    write_json(folder / "greenhouse", "jobs.json", [{"id": 1}])
    write_json(folder / "greenhouse", "applications.json", [
        {"id": i, "candidate_id": i, "status": "active", "jobs": [{"id": 1}], "applied_at": "2024-01-01"}
        for i in (1, 2, 3)])  # fmt: skip
    ck = folder / "checkr"
    write_json(ck, "candidates.json", [{"id": f"c{i}", "custom_id": str(i)} for i in (1, 2, 3)])
    write_json(ck, "reports.json", {"data": [  # an API list response
        {"id": "r1", "status": "consider", "candidate_id": "c1"},  # pre-lifecycle API
        {"id": "r2", "status": "complete", "assessment": "eligible", "candidate_id": "c2"},
        {"id": "r3", "status": "complete", "assessment": "escalated", "candidate_id": "c3"},
    ], "hasNext": False})  # fmt: skip
    ingest(con, folder)
    got = rows(con, "select application_id, result from background_checks order by 1")
    assert sorted(got) == sorted([
        (pid("application", 1), "consider"), (pid("application", 2), "clear"),
        (pid("application", 3), "consider"),
    ])  # fmt: skip


def test_reports_are_linked_by_custom_id_or_quarantined_saying_why(con, linked):
    # one more report for R2's application, newer: the older is quarantined
    ck = linked / "checkr"
    (ck / "reports.json").unlink()
    import json

    reports = json.loads((FIXTURES / "checkr" / "reports.json").read_text())
    newer = reports[2] | {"id": "newer", "created_at": "2024-03-01T00:00:00Z",
                          "completed_at": "2024-03-02T00:00:00Z"}  # fmt: skip
    write_json(ck, "reports.json", reports + [newer, reports[1] | {"candidate_id": "nobody"}])
    (ck / "reports_sdk_sample_pending.json").symlink_to(
        FIXTURES / "checkr" / "reports_sdk_sample_pending.json"
    )
    ingest(con, linked)
    reasons = quarantined(con, "reports.json")
    assert reasons[1].startswith("Checkr report not linked to an application: its candidate has no custom_id")  # fmt: skip
    assert reasons[3].startswith("an older Checkr report for the same application")
    assert reasons[13].startswith("Checkr report not linked to an application: its candidate is not in candidates.json")  # fmt: skip
    assert set(reasons) == {1, 3, 13}
    # the expanded SDK form (candidate as an object) is read too, and not linked either
    assert list(quarantined(con, "reports_sdk_sample_pending.json").values())[0].startswith(
        "Checkr report not linked to an application: its candidate has no custom_id"
    )
    # the check carries the application's pseudonym: the same as the ATS adapter's
    assert rows(con, "select count(*) from background_checks b join applications a using (application_id)") == [(10,)]  # fmt: skip


def test_every_checkr_fixture_file_loads_is_quarantined_or_is_named(con, tmp_path):
    link_fixture(tmp_path / "in", "checkr")
    result = ingest(con, tmp_path / "in")
    assert {Path(f.path).name for f in result.files} == {"reports.json", "reports_sdk_sample_pending.json"}  # fmt: skip
    assert set(result.not_read) == {"checkr/FIELDS.md", "checkr/provenance.json"}
    # no candidate in the fixtures has a custom_id: every report is quarantined, saying so
    assert result.totals("background_checks") == (12, 0, 12)
    assert {r[0].split(":")[0] for r in rows(con, "select reason from quarantine")} == {
        "Checkr report not linked to an application"
    }
