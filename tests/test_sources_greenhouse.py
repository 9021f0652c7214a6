"""Greenhouse Harvest exports: each mapping rule of docs/sources.md, on the public fixtures
(../shared/ats_fixtures/greenhouse) and on small hand-written exports."""

from __future__ import annotations

from pathlib import Path

import pytest
from sources_util import (
    FIXTURES,
    ingest,
    link_fixture,
    pid,
    quarantined,
    rows,
    write_json,
)

from pipelines.reasons.engine import assign_reasons
from pipelines.reasons.rules import load_rules


@pytest.fixture
def fixture_dir(tmp_path: Path) -> Path:
    link_fixture(tmp_path / "in", "greenhouse")
    return tmp_path / "in"


def outcome_of(con, app_id: int) -> tuple:
    return rows(
        con,
        "select outcome, stage_reached, rejected_at_stage, decided_at::varchar, "
        "ats_rejection_reason from applications where application_id = ?",
        [pid("application", app_id)],
    )[0]


def test_every_fixture_file_loads_is_quarantined_with_a_reason_or_is_named_as_not_read(
    con, fixture_dir
):
    result = ingest(con, fixture_dir)
    read = {Path(f.path).name for f in result.files}
    lookups = {"job_stages.json", "activity_feed.json", "offers.json", "candidates.json"}
    lookups |= {"rejection_reasons.json"}
    not_read = {name.split("/", 1)[1] for name in result.not_read}
    on_disk = {p.name for p in (FIXTURES / "greenhouse").iterdir()}
    assert read | lookups | not_read == on_disk
    assert read == {"jobs.json", "applications.json", "bi_connector_applications.csv", "scorecards.json"}  # fmt: skip
    for f in result.files:
        assert f.rows_read == f.rows_loaded + f.rows_quarantined > 0
    # every quarantined row says why, specifically, and keeps the (reduced) vendor record
    for reason, record in rows(con, "select reason, raw_record from quarantine"):
        assert reason and record.startswith("{")
    assert set(quarantined(con, "applications.json").values()) == {
        "orphan foreign key: job_id 'greenhouse:123' not found in jobs",
        "orphan foreign key: job_id 'greenhouse:107761' not found in jobs",
        "orphan foreign key: job_id 'greenhouse:224587' not found in jobs",
        "orphan foreign key: job_id 'greenhouse:266926' not found in jobs",
        "orphan foreign key: job_id 'greenhouse:211706' not found in jobs",
        "orphan foreign key: job_id 'greenhouse:4177046003' not found in jobs",
        "Greenhouse application on no job (a prospect); missing required value for job_id",
    }
    bi = quarantined(con, "bi_connector_applications.csv").values()
    assert all(r.startswith("also in the Greenhouse Harvest applications export") for r in bi)
    assert rows(con, "select distinct source, contract_version from ingest_log order by 2") == [
        ("greenhouse", "1.0"),
        ("greenhouse", "1.1"),
    ]


def test_they_rejected_us_is_the_candidates_decision_and_never_in_the_cohort(con, fixture_dir):
    ingest(con, fixture_dir)
    # 70100003: "They rejected us" at the Offer stage; 70100005: at the onsite. Both had only
    # yes votes in their last round, so as employer rejections they would be in the cohort.
    assert outcome_of(con, 70100003)[:3] == ("offer_declined", "offer", "offer")
    assert outcome_of(con, 70100005)[:3] == ("withdrawn", "final_interview", "final_interview")
    assert outcome_of(con, 70100002)[0] == "rejected"  # "We rejected them"
    assert outcome_of(con, 70100004)[0] == "rejected"  # "None specified"
    assign_reasons(con, load_rules())
    cohort = {r[0] for r in rows(con, "select application_id from post_interview_rejections")}
    assert not cohort & {pid("application", 70100003), pid("application", 70100005)}


def test_scorecard_recommendations_map_to_the_five_canonical_values(con, fixture_dir):
    ingest(con, fixture_dir)
    got = dict(
        rows(
            con,
            "select recommendation, score from interviews where application_id in (?, ?, ?)",
            [pid("application", a) for a in (70100001, 70100002, 70100003)],
        )
    )
    assert got == {"no": 2, "yes": 4, "strong_no": 1, "no_decision": 3, "strong_yes": 5}


def test_current_stage_of_a_rejected_application_is_its_rejected_at_stage(con, fixture_dir):
    ingest(con, fixture_dir)
    assert outcome_of(con, 70100001)[:3] == ("rejected", "applied", "applied")
    assert outcome_of(con, 70100002)[:3] == ("rejected", "interview", "interview")
    assert outcome_of(con, 70100004)[:3] == ("rejected", "screen", "screen")
    assert outcome_of(con, 70100007)[:3] == (
        "rejected",
        "screen",
        "screen",
    )  # Hiring Manager Screen
    assert outcome_of(con, 70100002)[3:] == ("2024-02-20", "Lacking skill(s)/qualification(s)")


def test_scorecards_of_one_stage_are_one_round_ordered_by_stage_priority(con, fixture_dir):
    ingest(con, fixture_dir)
    got = rows(
        con,
        "select round, recommendation from interviews where application_id = ? order by all",
        [pid("application", 70100002)],
    )
    # Recruiter Phone Screen (priority 1), then the two Technical Interview cards (priority 2)
    assert got == [(1, "yes"), (2, "no_decision"), (2, "strong_no")]


def _export(folder: Path, activities: list[dict], **app_fields: object) -> Path:
    gh = folder / "greenhouse"
    write_json(gh, "jobs.json", [{"id": 1, "name": "Analyst", "departments": [{"name": "Data"}]}])
    app = {
        "id": 11,
        "candidate_id": 501,
        "status": "rejected",
        "applied_at": "2024-01-02T10:00:00Z",
        "rejected_at": "2024-02-01T10:00:00.000Z",
        "jobs": [{"id": 1, "name": "Analyst"}],
        "current_stage": {"id": 5, "name": "Onsite Interview"},
        "rejection_reason": {
            "id": 8,
            "name": "Other",
            "type": {"id": 1, "name": "We rejected them"},
        },
    } | app_fields
    other = app | {"id": 12, "rejected_at": "2024-01-20T10:00:00.000Z"}
    write_json(gh, "applications.json", [app, other])
    write_json(gh, "activity_feed-501.json", {"activities": activities})
    return folder


def test_the_rejection_note_comes_from_the_activity_feed_scrubbed(con, tmp_path):
    feed = [
        {"created_at": "2024-02-01T10:00:03Z", "subject": "Candidate Rejected",
         "body": "Reason: Other\n\nWent with a stronger finalist. Call her on 415-555-2671 or "
                 "mail jane.roe@example.org"},
        {"created_at": "2024-01-20T10:00:01Z", "subject": "Candidate Rejected",
         "body": "Reason: Other"},
        {"created_at": "2024-02-01T09:00:00Z", "subject": "Candidate Stage Change",
         "body": "Jane Roe was moved into Onsite Interview"},
    ]  # fmt: skip
    ingest(con, _export(tmp_path / "in", feed))
    notes = dict(rows(con, "select application_id, recruiter_note from applications"))
    # the note (after the "Reason:" line) of the activity nearest each rejection; the other
    # rejection's activity had no note
    assert notes == {
        pid(
            "application", 11
        ): "Went with a stronger finalist. Call her on [phone] or mail [email]",
        pid("application", 12): None,
    }


def test_custom_fields_map_by_the_configured_names_and_missing_ones_stay_null(con, tmp_path):
    fields = {
        "career_goal": {"name": "Career Goal", "type": "single_select", "value": "Fast track"},
        "yoe": {"name": "Years of Experience", "type": "number", "value": 7},
        "date_of_birth": {"name": "Birthday", "type": "date", "value": "1992-01-27"},
    }
    folder = _export(tmp_path / "in", [], keyed_custom_fields=fields)
    ingest(con, folder)
    got = rows(con, "select career_goal, years_experience, education from applications")
    assert set(got) == {("rapid_advancement", 7.0, None)}  # "Fast track": codes.career_goal


def test_a_greenhouse_toml_in_the_export_overrides_the_field_names(con, tmp_path):
    fields = {"edu_lvl": {"name": "Schooling", "type": "single_select", "value": "Masters"}}
    folder = _export(tmp_path / "in", [], keyed_custom_fields=fields)
    (folder / "greenhouse" / "greenhouse.toml").write_text(
        '[custom_fields]\neducation = ["schooling"]\n', encoding="utf-8"
    )
    ingest(con, folder)
    assert set(rows(con, "select education from applications")) == {("master",)}


def test_an_application_only_in_the_bi_connector_table_takes_its_job_from_the_stage(con, tmp_path):
    gh = tmp_path / "in" / "greenhouse"
    write_json(gh, "jobs.json", [{"id": 4690001, "name": "Backend Engineer"}])
    (gh / "job_stages.json").symlink_to(FIXTURES / "greenhouse" / "job_stages.json")
    (gh / "rejection_reasons.json").symlink_to(FIXTURES / "greenhouse" / "rejection_reasons.json")
    (gh / "bi_connector_applications.csv").write_text(
        "id,candidate_id,applied_at,status,prospect,stage_id,source_id,referrer_id,rejected_at,"
        "rejected_by_id,rejection_reason_id,pipeline_percent\n"
        "900,901,2024-02-01 14:05:11.000,rejected,false,72190003,1,2,2024-02-03 09:12:40.118,3,8,0\n"
        "902,903,2024-02-01 14:05:11.000,rejected,false,999,1,2,2024-02-03 09:12:40.118,3,8,0\n",
        encoding="utf-8",
    )
    ingest(con, tmp_path / "in")
    assert rows(
        con, "select job_id, outcome, rejected_at_stage, ats_rejection_reason from applications"
    ) == [  # fmt: skip
        ("greenhouse:4690001", "rejected", "interview", "Lacking skill(s)/qualification(s)")
    ]
    (reason,) = quarantined(con, "bi_connector_applications.csv").values()
    assert reason.startswith("Greenhouse BI connector row whose stage_id is not in job_stages")


def test_the_same_interviewers_scorecard_twice_is_a_duplicate(con, tmp_path):
    folder = _export(tmp_path / "in", [])
    card = {
        "id": 1, "application_id": 11, "interview": "Onsite",
        "interview_step": {"id": 77, "name": "Onsite"}, "interviewer": {"id": 5, "name": "A B"},
        "interviewed_at": "2024-01-30T10:00:00Z", "overall_recommendation": "yes",
    }  # fmt: skip
    cards = [card, card | {"id": 2}, card | {"id": 3, "interviewer": {"id": 6}}]
    write_json(folder / "greenhouse", "scorecards.json", cards)
    result = ingest(con, folder)
    assert result.totals("interviews") == (3, 2, 1)
    assert list(quarantined(con, "scorecards.json").values()) == [
        "exact duplicate of row 1 of the same file"
    ]


def test_the_reason_engine_copes_with_what_an_export_leaves_null(con, tmp_path):
    # No custom fields (experience, education, goal, seniority, outlook), no note, no reason
    # text, no background check: the cohort row gets a reason (unknown), not an error or a gap.
    folder = _export(tmp_path / "in", [], rejection_reason=None)
    card = {
        "id": 1, "application_id": 11, "interview": "Onsite",
        "interview_step": {"id": 77}, "interviewer": {"id": 5},
        "interviewed_at": "2024-01-30T10:00:00Z", "overall_recommendation": "strong_yes",
    }  # fmt: skip
    write_json(folder / "greenhouse", "scorecards.json", [card])
    ingest(con, folder)
    assign_reasons(con, load_rules())
    assert rows(con, "select application_id, reason from reason_assignments") == [
        (pid("application", 11), "unknown")
    ]
