"""Lever Data API exports: each mapping rule of docs/sources.md, on the public fixtures
(../shared/ats_fixtures/lever) and on small hand-written exports."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from sources_util import FIXTURES, ingest, link_fixture, pid, quarantined, rows, write_json

from pipelines.ingest import IngestError
from pipelines.reasons.engine import assign_reasons
from pipelines.reasons.rules import load_rules

OPP = "0c0ffee0-0000-4000-8000-00000000000{}"  # the fixtures' reconstructed opportunities 1..7
UNDERQUALIFIED, WITHDREW = "63dd55b2-a99f-4e7b-985f-22c7bf80ab42", "3274b963-c37c-4465-abeb-1113896e2aa3"  # fmt: skip
OFFER_DECLINED, HIRED = "1fdbfaac-4c73-45f7-af32-369054426364", "16308515-dc77-4aa7-b3af-96161b2b4e9b"  # fmt: skip
SCREEN, ONSITE, OFFER = "a42482ff-00ac-4cb2-a698-4b4436885b0c", "fbfb4473-38d2-4acf-943b-28cc0ed7ba87", "f48aad6f-91f7-4e87-b3f3-5e7a9207e54b"  # fmt: skip
DAY = 86_400_000


@pytest.fixture
def fixture_dir(tmp_path: Path) -> Path:
    link_fixture(tmp_path / "in", "lever")
    return tmp_path / "in"


def outcome_of(con, opportunity: str) -> tuple:
    return rows(
        con,
        "select outcome, stage_reached, rejected_at_stage, decided_at::varchar, "
        "ats_rejection_reason from applications where application_id = ?",
        [pid("application", opportunity)],
    )[0]


def test_every_fixture_file_loads_is_quarantined_with_a_reason_or_is_named_as_not_read(
    con, fixture_dir
):
    result = ingest(con, fixture_dir)
    read = {Path(f.path).name for f in result.files}
    lookups = {"applications.json", "archive_reasons.json", "stages.json", "notes.json"}
    lookups |= {"panels.json"}
    not_read = {name.split("/", 1)[1] for name in result.not_read}
    on_disk = {p.name for p in (FIXTURES / "lever").iterdir()}
    assert read | lookups | not_read == on_disk
    assert read == {"postings.json", "opportunities.json", "feedback_by_opportunity.json"}
    assert {"interviews.json", "offers.json", "webhooks_candidateArchiveChange.json"} <= not_read
    for f in result.files:
        assert f.rows_read == f.rows_loaded + f.rows_quarantined > 0
    for reason, record in rows(con, "select reason, raw_record from quarantine"):
        assert reason and record.startswith("{")
    no_posting = "Lever opportunity whose posting is unknown (its application is not in applications.json); missing required value for job_id"  # fmt: skip
    unknown_reason = "Lever archive reason not in archive_reasons.json: whether hired is unknown; missing required value for outcome"  # fmt: skip
    assert set(quarantined(con, "opportunities.json").values()) == {
        no_posting,  # the three documentation examples: their applications are not exported
        unknown_reason,  # two sandbox opportunities archived with reasons of another account
        "orphan foreign key: job_id 'lever:f45efa75-63f3-466c-93c2-643d3147968d' not found in jobs",
        "orphan foreign key: job_id 'lever:2200dd68-757d-4ed2-a9b7-e1856196b513' not found in jobs",
    }
    assert list(quarantined(con, "feedback_by_opportunity.json").values()) == [
        "deleted Lever feedback form (deletedAt); missing required value for round"
    ]
    assert rows(con, "select distinct source from ingest_log") == [("lever",)]


def test_archive_reasons_map_hired_rejected_and_the_candidates_decisions(con, fixture_dir):
    ingest(con, fixture_dir)
    assert outcome_of(con, OPP.format(1))[0] == "rejected"  # Underqualified (non-hired)
    assert outcome_of(con, OPP.format(2))[0] == "rejected"  # Culture Fit
    assert outcome_of(con, OPP.format(3))[0] == "rejected"  # Timing
    assert outcome_of(con, OPP.format(4))[::4] == ("withdrawn", "Withdrew")
    assert outcome_of(con, OPP.format(5))[::4] == ("offer_declined", "Offer declined")
    assert outcome_of(con, OPP.format(6))[:2] == ("hired", "hired")  # type hired
    assert outcome_of(con, OPP.format(7))[0] == "pending"  # not archived
    assign_reasons(con, load_rules())
    cohort = {r[0] for r in rows(con, "select application_id from post_interview_rejections")}
    assert not cohort & {pid("application", OPP.format(4)), pid("application", OPP.format(5))}


def _export(folder: Path, opportunities: list[dict], **files: object) -> Path:
    lv = folder / "lever"
    write_json(lv, "postings.json", [{"id": "p1", "text": "Analyst", "createdAt": 1704067200000,
                                      "categories": {"department": "Data", "level": "Senior"}}])  # fmt: skip
    write_json(lv, "applications.json", [
        {"id": f"a-{o['id']}", "opportunityId": o["id"], "posting": "p1",
         "createdAt": 1704153600000} for o in opportunities])  # fmt: skip
    write_json(lv, "archive_reasons.json", [
        {"id": "r-acc", "text": "Accepted another offer", "type": "non-hired"},
        {"id": "r-dec", "text": "Declined", "type": "non-hired"},
        {"id": "r-skill", "text": "Lacks skills", "type": "non-hired"}])  # fmt: skip
    (lv / "stages.json").symlink_to(FIXTURES / "lever" / "stages.json")
    write_json(lv, "opportunities.json", opportunities)
    for name, records in files.items():
        write_json(lv, name, records)
    return folder


def _opp(id_: str, reason: str | None, changes: list[tuple[str, int]], archived_day: int = 20):
    t0 = 1704153600000
    return {
        "id": id_, "contact": f"c-{id_}", "name": "Jane Roe", "emails": ["jane@example.org"],
        "stage": changes[-1][0], "createdAt": t0,
        "stageChanges": [{"toStageId": s, "toStageIndex": i, "updatedAt": t0 + d * DAY}
                         for i, (s, d) in enumerate(changes)],
        "archived": {"reason": reason, "archivedAt": t0 + archived_day * DAY} if reason else None,
    }  # fmt: skip


def test_a_candidate_side_reason_is_withdrawn_or_offer_declined_at_the_offer_stage(con, tmp_path):
    opps = [
        _opp("o1", "r-acc", [(SCREEN, 1)]),
        _opp("o2", "r-acc", [(SCREEN, 1), (OFFER, 5)]),
        _opp("o3", "r-dec", [(ONSITE, 3)]),
        _opp("o4", "r-skill", [(ONSITE, 3)]),
    ]
    ingest(con, _export(tmp_path / "in", opps))
    got = [outcome_of(con, o)[0] for o in ("o1", "o2", "o3", "o4")]
    assert got == ["withdrawn", "offer_declined", "withdrawn", "rejected"]


def test_the_stage_at_archive_time_comes_from_stage_changes(con, tmp_path):
    # o1 was archived on day 10 while at the screen, then moved on (a later change, e.g. after
    # an unarchive); o2 has no stage change before the archive: its current stage is used
    opps = [
        _opp("o1", "r-skill", [(SCREEN, 1), (ONSITE, 12)], archived_day=10),
        _opp("o2", "r-skill", [(ONSITE, 30)], archived_day=10),
        _opp("o3", "r-skill", [(SCREEN, 1), (ONSITE, 4), ("offer", 8)], archived_day=10),
    ]
    ingest(con, _export(tmp_path / "in", opps))
    assert outcome_of(con, "o1")[:4] == ("rejected", "screen", "screen", "2024-01-12")
    assert outcome_of(con, "o2")[:3] == ("rejected", "final_interview", "final_interview")
    assert outcome_of(con, "o3")[:3] == ("rejected", "offer", "offer")  # a default stage id


def test_the_fixture_stage_at_archive(con, fixture_dir):
    ingest(con, fixture_dir)
    assert outcome_of(con, OPP.format(1))[1:3] == ("screen", "screen")  # Recruiter Screen
    assert outcome_of(con, OPP.format(2))[1:3] == ("final_interview", "final_interview")
    assert outcome_of(con, OPP.format(4))[1:3] == ("interview", "interview")  # Phone Interview
    assert outcome_of(con, OPP.format(5))[1:3] == ("offer", "offer")
    assert outcome_of(con, OPP.format(7))[1:3] == ("final_interview", None)  # active: current


def _form(id_: str, opp: str, user: str, field_type: str, value: str | None, **kw) -> dict:
    return {
        "id": id_, "type": "interview", "user": user, "panel": kw.pop("panel", f"panel-{id_}"),
        "createdAt": 1704500000000, "completedAt": kw.pop("completedAt", 1704500000000),
        "deletedAt": None,
        "fields": [{"type": "textarea", "text": "Notes", "value": "Call 415-555-2671"},
                   {"type": field_type, "text": "Rating", "value": value,
                    "options": [{"text": "4 - Strong Hire"}, {"text": "1 - Strong No Hire"}]}],
    } | kw  # fmt: skip


def test_ratings_map_to_four_canonical_values_from_score_or_score_system(con, tmp_path):
    forms = {
        "o1": {"data": [
            _form("f1", "o1", "u1", "score-system", "4 - Strong Hire"),
            _form("f2", "o1", "u2", "score", "3 - Hire"),
            _form("f3", "o1", "u3", "score-system", "2 - No Hire"),
            _form("f4", "o1", "u4", "score", "1 - Strong No Hire"),
            _form("f5", "o1", "u5", "score-system", None),
            _form("f6", "o1", "u6", "score-system", "Maybe"),
        ], "hasNext": False},
    }  # fmt: skip
    folder = _export(tmp_path / "in", [_opp("o1", None, [(ONSITE, 3)])])
    write_json(folder / "lever", "feedback_by_opportunity.json", forms)
    ingest(con, folder)
    got = rows(con, "select recommendation, score, interviewer_id from interviews order by score")
    assert got == [
        ("strong_no", 1, pid("interviewer", "u4")),
        ("no", 2, pid("interviewer", "u3")),
        ("yes", 4, pid("interviewer", "u2")),
        ("strong_yes", 5, pid("interviewer", "u1")),
    ]
    assert list(quarantined(con, "feedback_by_opportunity.json").values()) == [
        "Lever feedback form without a rating (no score-system or score field answered)"
        "; missing required value for recommendation",
        "Lever rating is not one of 4 - Strong Hire, 3 - Hire, 2 - No Hire, 1 - Strong No Hire"
        "; missing required value for recommendation",
    ]


def test_the_fixture_ratings_of_both_field_types(con, fixture_dir):
    ingest(con, fixture_dir)
    got = rows(
        con,
        "select round, recommendation from interviews where application_id = ? order by round",
        [pid("application", OPP.format(2))],
    )
    assert got == [(1, "yes"), (2, "strong_no"), (3, "no")]  # score-system values
    # the documentation's form types its rating "score": it was read (then quarantined as deleted)
    (raw,) = rows(con, "select raw_record from quarantine where source_table = 'interviews'")[0]
    assert '"rating":"4 - Strong Hire"' in raw and "Kathryn" not in raw


def test_forms_of_one_panel_are_one_round_in_panel_order_and_flat_feedback_loads(con, tmp_path):
    folder = _export(tmp_path / "in", [_opp("o1", None, [(ONSITE, 3)])])
    forms = [
        _form("f1", "o1", "u1", "score-system", "3 - Hire", panel="late", opportunityId="o1"),
        _form("f2", "o1", "u2", "score-system", "2 - No Hire", panel="early", opportunityId="o1"),
        _form("f3", "o1", "u3", "score-system", "4 - Strong Hire", panel="late", opportunityId="o1"),
        _form("f4", "o1", "u1", "score-system", "3 - Hire", panel="late", opportunityId="o1"),
    ]  # fmt: skip
    write_json(folder / "lever", "feedback.json", forms)
    write_json(folder / "lever", "panels.json", [
        {"id": "early", "start": 1704240000000}, {"id": "late", "start": 1704412800000}])  # fmt: skip
    result = ingest(con, folder)
    got = rows(con, "select round, interviewed_at::varchar, recommendation from interviews order by all")  # fmt: skip
    assert got == [(1, "2024-01-03", "no"), (2, "2024-01-05", "strong_yes"), (2, "2024-01-05", "yes")]  # fmt: skip
    # u1's second form for the same panel is a repeat of the same interviewer's feedback
    assert result.totals("interviews") == (4, 3, 1)


def test_custom_questions_map_by_label_and_the_posting_level_is_seniority(con, tmp_path):
    folder = _export(tmp_path / "in", [_opp("o1", "r-skill", [(ONSITE, 3)])])
    questions = [{"id": "q", "type": "posting", "text": "Application questions", "fields": [
        {"type": "dropdown", "text": "Career Goal", "value": "Fast track"},
        {"type": "text", "text": "Years of experience", "value": "6"},
        {"type": "text", "text": "Date of birth", "value": "1992-01-27"}]}]  # fmt: skip
    write_json(folder / "lever", "applications.json", [
        {"id": "a1", "opportunityId": "o1", "posting": "p1", "createdAt": 1704153600000,
         "customQuestions": questions}])  # fmt: skip
    ingest(con, folder)
    assert rows(con, "select career_goal, years_experience, education from applications") == [
        ("rapid_advancement", 6.0, None)
    ]
    assert rows(con, "select job_id, job_family, seniority, advancement_outlook from jobs") == [
        ("lever:p1", "Data", "senior", None)
    ]


# The notes tests: one opportunity archived on day 20 (_opp's default), and a note of it.
ARCHIVED_AT = 1704153600000 + 20 * DAY


def _one_opportunity(tmp_path: Path) -> Path:
    return _export(tmp_path / "in", [_opp("o1", "r-skill", [(ONSITE, 3)])])


def _note(value: object, created_at: int = ARCHIVED_AT) -> dict:
    return {"id": "n1", "createdAt": created_at, "fields": [{"type": "note", "value": value}]}


def test_the_nearest_non_secret_note_is_the_recruiter_note_scrubbed(con, tmp_path):
    notes = [
        {"id": "n1", "createdAt": ARCHIVED_AT + 3_600_000, "secret": False,
         "fields": [{"type": "note", "value": "Strong, but mail jane.roe@example.org or 415-555-2671"}]},
        {"id": "n2", "createdAt": ARCHIVED_AT, "secret": True,
         "fields": [{"type": "note", "value": "secret: private matter"}]},
        {"id": "n3", "createdAt": ARCHIVED_AT - 30 * DAY, "secret": False,
         "fields": [{"type": "note", "value": "old note"}]},
    ]  # fmt: skip
    folder = _one_opportunity(tmp_path)
    write_json(folder / "lever", "notes-o1.json", notes)
    ingest(con, folder)
    assert rows(con, "select recruiter_note from applications") == [
        ("Strong, but mail [email] or [phone]",)
    ]


def test_a_notes_text_fields_join_in_order_and_its_scores_and_choices_are_left_out(con, tmp_path):
    fields = [
        {"type": "note", "value": "Went with the internal candidate."},
        {"type": "score", "value": 3},
        {"type": "yes-no", "value": True},
        {"type": "multiple-select", "value": ["Skills", "Culture"]},
        {"type": "note", "value": None},
        {"type": "note", "value": "  "},
        {"type": "note", "value": "Salary was fine."},
        {"type": "text", "value": "3"},  # a text field is text, even one that reads as JSON
        {"type": "multiple-select", "value": ["Skills " * 20_000, "Culture " * 20_000]},
    ]
    notes = [
        {"id": "n1", "createdAt": ARCHIVED_AT, "secret": False, "fields": fields},
        {"id": "n0", "createdAt": ARCHIVED_AT, "secret": False, "deletedAt": ARCHIVED_AT,
         "fields": [{"type": "note", "value": "deleted note, first by id"}]},
    ]  # fmt: skip
    folder = _one_opportunity(tmp_path)
    write_json(folder / "lever", "notes-o1.json", notes)
    ingest(con, folder)
    assert rows(con, "select recruiter_note from applications") == [
        ("Went with the internal candidate.\nSalary was fine.\n3",)
    ]


def test_a_notes_record_of_another_shape_fails_the_run_naming_its_file_and_record_not_its_text(
    con, tmp_path
):
    notes = [
        {"id": "n1", "createdAt": 1, "fields": [{"type": "note", "value": "fine"}]},
        {"id": "n2", "createdAt": 1, "fields": ["Spoke to Jane Roe about the offer"]},
    ]
    folder = _one_opportunity(tmp_path)
    write_json(folder / "lever", "notes-o1.json", notes)
    with pytest.raises(IngestError) as failed:
        ingest(con, folder)
    message = str(failed.value)
    assert message.startswith(f"{folder / 'lever' / 'notes-o1.json'}: record 2 ")
    assert "Expected OBJECT" in message and "Jane" not in message


def test_list_responses_load_under_a_small_memory_cap(con, tmp_path):
    # a list response is read whole; DuckDB allocates twice the largest object it may read up
    # front, which once made a file of a few bytes need 512 MiB
    notes = [_note("Hired")]
    folder = _one_opportunity(tmp_path)
    write_json(folder / "lever", "notes-o1.json", {"data": notes, "hasNext": False})
    con.execute("set memory_limit = '200MB'")
    ingest(con, folder)
    assert rows(con, "select recruiter_note from applications") == [("Hired",)]


def test_a_gzip_list_response_is_read_with_room_for_its_whole_content(con, tmp_path):
    # 49 KB compressed, 20 MB of content: the room DuckDB is given is the content's size
    value = "Went with another candidate. " * 700_000
    notes = {"data": [{"id": "n1", "createdAt": ARCHIVED_AT, "fields": [{"value": value}]}]}
    folder = _one_opportunity(tmp_path)
    (folder / "lever" / "notes-o1.json.GZ").write_bytes(gzip.compress(json.dumps(notes).encode()))
    ingest(con, folder)
    ((note,),) = rows(con, "select recruiter_note from applications")
    assert note.startswith("Went with another candidate.") and len(note) > 150_000


def test_a_notes_file_name_gives_the_opportunity_whatever_its_case(con, tmp_path):
    notes = [_note("Hired")]
    folder = _one_opportunity(tmp_path)
    write_json(folder / "lever", "Notes-o1.JSON", notes)
    ingest(con, folder)
    assert rows(con, "select recruiter_note from applications") == [("Hired",)]


def test_a_record_over_the_json_object_limit_is_named_as_such(con, tmp_path):
    notes = [_note("x" * 40_000_000, created_at=1)]
    folder = _one_opportunity(tmp_path)
    write_json(folder / "lever", "notes.jsonl", notes)
    with pytest.raises(IngestError) as failed:
        ingest(con, folder)
    assert str(failed.value).startswith(
        f"{folder / 'lever' / 'notes.jsonl'}: a JSON object larger than 16 MiB"
    )


def test_a_gzip_file_is_read_whatever_its_name(con, tmp_path):
    notes = [_note("Hired")]
    folder = _one_opportunity(tmp_path)
    (folder / "lever" / "notes-o1.json").write_bytes(gzip.compress(json.dumps(notes).encode()))
    ingest(con, folder)
    assert rows(con, "select recruiter_note from applications") == [("Hired",)]
