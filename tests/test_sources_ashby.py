"""Ashby API exports: each mapping rule of docs/sources.md, on the public fixtures
(../shared/ats_fixtures/ashby) and on small hand-written exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sources_util import FIXTURES, ingest, link_fixture, pid, quarantined, rows, write_json

from pipelines.reasons.engine import assign_reasons
from pipelines.reasons.rules import load_rules

APP = "a5b7000c-0000-4000-8000-00000000000{}"  # the fixtures' applications 1..9
STAGE = "a5b70004-0000-4000-8000-00000000000{}"  # interview_stages.json: 1 Application Review ..
STAGE_NUMBER = {"Application Review": 1, "Recruiter Screen": 2, "Technical Interview": 3,
                "Onsite": 4, "Offer": 5}  # fmt: skip


@pytest.fixture
def fixture_dir(tmp_path: Path) -> Path:
    link_fixture(tmp_path / "in", "ashby")
    return tmp_path / "in"


def outcome_of(con, app: str) -> tuple:
    return rows(
        con,
        "select outcome, stage_reached, rejected_at_stage, decided_at::varchar, "
        "ats_rejection_reason from applications where application_id = ?",
        [pid("application", app)],
    )[0]


def test_every_fixture_file_loads_is_quarantined_with_a_reason_or_is_named_as_not_read(
    con, fixture_dir
):
    result = ingest(con, fixture_dir)
    read = {Path(f.path).name for f in result.files}
    lookups = {"archive_reasons.json", "interview_stages.json"}
    not_read = {name.split("/", 1)[1] for name in result.not_read}
    on_disk = {p.name for p in (FIXTURES / "ashby").iterdir()}
    assert read | lookups | not_read == on_disk
    assert read == {"jobs.json", "applications.json", "applications_airbyte_unit_test.json", "application_feedback.json"}  # fmt: skip
    # the expected answers of the fixtures are a test file, not an Ashby export
    assert "_derived_stage_before_archive.json" in not_read and "webhooks.json" in not_read
    for f in result.files:
        assert f.rows_read == f.rows_loaded + f.rows_quarantined > 0
    assert list(quarantined(con, "applications_airbyte_unit_test.json").values()) == [
        "Ashby application on no job; missing required value for job_id; "
        "missing required value for applied_at"
    ]
    # the spec's own feedback example is for an application that is not exported
    (orphan,) = quarantined(con, "application_feedback.json").values()
    assert orphan.startswith("orphan foreign key: application_id")
    assert quarantined(con, "applications.json") == {}


def test_archive_reason_types_map_to_rejected_withdrawn_and_kept_reason_text(con, fixture_dir):
    ingest(con, fixture_dir)
    assert outcome_of(con, APP.format(2))[::4] == ("rejected", "Failed Phone Screen")  # ByOrg
    assert outcome_of(con, APP.format(4))[::4] == ("withdrawn", "Withdrew")  # ByCandidate
    assert outcome_of(con, APP.format(5))[::4] == ("withdrawn", "Accepted another offer")
    assert outcome_of(con, APP.format(7))[::4] == ("rejected", "Position closed")  # Other
    assert outcome_of(con, APP.format(6))[:2] == ("hired", "hired")
    assert outcome_of(con, APP.format(1))[:2] == ("pending", "screen")  # Active
    assert outcome_of(con, APP.format(8))[:2] == ("pending", "applied")  # Lead
    assign_reasons(con, load_rules())
    cohort = {r[0] for r in rows(con, "select application_id from post_interview_rejections")}
    assert not cohort & {pid("application", APP.format(n)) for n in (4, 5)}


def test_an_other_reason_text_is_kept_scrubbed(con, tmp_path):
    folder = tmp_path / "in"
    write_json(folder / "ashby", "jobs.json", [{"id": "j1", "title": "Analyst"}])
    app = {"id": "x1", "status": "Archived", "createdAt": "2024-01-02T00:00:00Z",
           "archivedAt": "2024-01-09T00:00:00Z", "job": {"id": "j1"},
           "candidate": {"id": "c1", "name": "Jane Roe", "primaryEmailAddress": {"value": "j@x.org"}},
           "archiveReason": {"id": "r9", "reasonType": "Other",
                             "text": "Duplicate of jane.roe@example.org"}}  # fmt: skip
    write_json(folder / "ashby", "applications.json", [app])
    ingest(con, folder)
    assert outcome_of(con, "x1")[::4] == ("rejected", "Duplicate of [email]")


def _history(stages: list[str], archived_at: str) -> list[dict]:
    """listHistory entries: the stages in order, one day apart, then the Archived stage."""
    entries = [
        {"id": f"h{i}", "stageId": STAGE.format(STAGE_NUMBER[s]), "title": s,
         "enteredStageAt": f"2024-01-{10 + i:02d}T09:00:00.000Z", "stageNumber": i + 1}
        for i, s in enumerate(stages)
    ]  # fmt: skip
    return entries + [
        {"id": "hx", "stageId": STAGE.format(7), "title": "Archived",
         "enteredStageAt": archived_at, "stageNumber": len(stages) + 1}
    ]  # fmt: skip


def test_the_stage_before_archiving_comes_from_the_application_history(con, fixture_dir):
    # The fixtures carry no history (application.listHistory): write one per archived fixture
    # application, ending in the stage the fixtures' answer file names, then the Archived stage.
    derived = json.loads((FIXTURES / "ashby" / "_derived_stage_before_archive.json").read_text())
    folder = fixture_dir / "ashby"
    apps = {a["id"]: a for a in json.loads((FIXTURES / "ashby" / "applications.json").read_text())}
    for d in derived:
        order = sorted(STAGE_NUMBER, key=STAGE_NUMBER.get)
        path = order[: order.index(d["stageBeforeArchive"]) + 1]
        entries = _history(path, apps[d["applicationId"]]["archivedAt"])
        write_json(folder, f"application_history-{d['applicationId']}.json", entries)
    ingest(con, fixture_dir)
    expected = {"Recruiter Screen": "screen", "Technical Interview": "interview",
                "Onsite": "final_interview", "Offer": "offer", "Application Review": "applied"}  # fmt: skip
    for d in derived:
        stage = expected[d["stageBeforeArchive"]]
        assert outcome_of(con, d["applicationId"])[1:3] == (stage, stage), d
    # with the history, "Accepted another offer" at the Offer stage is a declined offer
    assert outcome_of(con, APP.format(5))[0] == "offer_declined"


def test_without_a_history_the_stage_before_archiving_is_unknown(con, fixture_dir):
    ingest(con, fixture_dir)
    # currentInterviewStage of an archived application is the Archived stage: not a stage reached
    for n in (2, 3, 4, 5, 7, 9):
        assert outcome_of(con, APP.format(n))[1:3] == (None, None)


def test_an_expanded_application_history_and_a_later_history_entry(con, tmp_path):
    folder = tmp_path / "in"
    write_json(folder / "ashby", "jobs.json", [{"id": "j1", "title": "Analyst"}])
    (folder / "ashby" / "interview_stages.json").symlink_to(
        FIXTURES / "ashby" / "interview_stages.json"
    )
    history = _history(["Application Review", "Recruiter Screen", "Onsite"], "2024-01-13T10:00:00Z")
    # an entry after the archive time (a later unarchive and move) is not the stage archived at
    history.append({"id": "hy", "stageId": STAGE.format(5), "title": "Offer",
                    "enteredStageAt": "2024-02-01T00:00:00Z", "stageNumber": 9})  # fmt: skip
    app = {"id": "x1", "status": "Archived", "createdAt": "2024-01-02T00:00:00Z",
           "archivedAt": "2024-01-13T10:00:00Z", "job": {"id": "j1"}, "candidate": {"id": "c1"},
           "archiveReason": {"id": "r1", "reasonType": "RejectedByOrg", "text": "Not a fit"},
           "applicationHistory": history}  # fmt: skip
    write_json(folder / "ashby", "applications.json", [app])
    ingest(con, folder)
    assert outcome_of(con, "x1")[:4] == (
        "rejected", "final_interview", "final_interview", "2024-01-13")  # fmt: skip


def test_feedback_recommendations_map_and_ids_are_pseudonymised(con, fixture_dir):
    ingest(con, fixture_dir)
    got = rows(
        con,
        "select round, recommendation, score, interviewer_id from interviews "
        "where application_id = ? order by round",
        [pid("application", APP.format(3))],
    )
    assert got == [
        (1, "yes", 4, pid("interviewer", "a5b70001-0000-4000-8000-000000000001")),
        (2, "no", 2, pid("interviewer", "a5b70001-0000-4000-8000-000000000002")),
        (3, "no", 2, pid("interviewer", "a5b70001-0000-4000-8000-000000000003")),
    ]
    values = dict(rows(con, "select recommendation, count(*) from interviews group by 1"))
    assert values == {"strong_yes": 3, "yes": 3, "no": 3}  # strong_hire / hire / no_hire
    (candidate,) = rows(
        con,
        "select candidate_id from applications where application_id = ?",
        [pid("application", APP.format(1))],
    )[0]
    assert candidate == pid("candidate", "a5b7000d-0000-4000-8000-000000000001")


def test_a_custom_recommendation_field_and_a_score_value(con, tmp_path):
    folder = tmp_path / "in"
    write_json(folder / "ashby", "jobs.json", [{"id": "j1", "title": "Analyst", "customFields": [
        {"id": "cf1", "title": "Seniority", "value": "Senior"}]}])  # fmt: skip
    app = {"id": "x1", "status": "Active", "createdAt": "2024-01-02T00:00:00Z",
           "job": {"id": "j1"}, "candidate": {"id": "c1"},
           "customFields": [{"id": "cf2", "title": "Highest education", "value": "Masters"},
                            {"id": "cf3", "title": "Years of experience", "value": 4}]}  # fmt: skip
    write_json(folder / "ashby", "applications.json", [app])
    feedback = [
        {"id": f"f{i}", "applicationId": "x1", "submittedAt": "2024-01-05T10:00:00Z",
         "interviewEventId": "e1", "submittedByUser": {"id": f"u{i}", "email": "u@x.org"},
         "submittedValues": values}
        for i, values in enumerate([{"verdict": 4}, {"verdict": "1"}, {"verdict": "maybe"}, {}])
    ]  # fmt: skip
    write_json(folder / "ashby", "application_feedback.json", feedback)
    (folder / "ashby" / "ashby.toml").write_text(
        '[custom_fields]\nrecommendation = ["verdict"]\n', encoding="utf-8"
    )
    ingest(con, folder)
    assert rows(con, "select round, recommendation from interviews order by 2") == [
        (1, "strong_no"),
        (1, "strong_yes"),
    ]
    reasons = list(quarantined(con, "application_feedback.json").values())
    assert [r.split(";")[0] for r in reasons] == [
        "Ashby recommendation value is not one of ashby.toml [codes.recommendation]",
        "Ashby feedback without a recommendation field (names in ashby.toml [custom_fields] recommendation)",
    ]  # fmt: skip
    assert rows(con, "select education, years_experience from applications") == [("master", 4.0)]
    assert rows(con, "select seniority from jobs") == [("senior",)]
