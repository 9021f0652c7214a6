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


# Candidate notes (candidate.listNotes): Ashby keeps no note on the archive action, so the
# recruiter's note is the candidate's note written nearest to the application's archiving.

AUTHOR = {"id": "u-rita", "firstName": "Rita", "lastName": "Recruiter",
          "email": "rita.recruiter@hire.example.com"}  # fmt: skip


def _archived(app_id: str, candidate: str, archived_at: str, status: str = "Archived") -> dict:
    return {"id": app_id, "status": status, "createdAt": "2024-01-02T00:00:00Z",
            "updatedAt": archived_at, "job": {"id": "j1"},
            "archivedAt": archived_at if status == "Archived" else None,
            "candidate": {"id": candidate, "name": "Jane Roe"},
            "archiveReason": {"id": "r1", "reasonType": "RejectedByOrg", "text": "Not a fit"}
            if status == "Archived" else None}  # fmt: skip


def _note(note_id: str, created_at: str, content: str, **more: object) -> dict:
    return {"id": note_id, "createdAt": created_at, "content": content, "author": AUTHOR,
            "isPrivate": False, **more}  # fmt: skip


def _notes_export(folder: Path, apps: list[dict], notes: dict[str, list[dict]]) -> Path:
    """An Ashby export of ``apps`` with each candidate's notes as candidate.listNotes results,
    one file per candidate (candidate_notes-<candidateId>.json)."""
    write_json(folder / "ashby", "jobs.json", [{"id": "j1", "title": "Analyst"}])
    write_json(folder / "ashby", "applications.json", apps)
    for candidate, results in notes.items():
        write_json(folder / "ashby", f"candidate_notes-{candidate}.json", results)
    return folder


def notes_of(con) -> dict[str, str | None]:
    return dict(rows(con, "select application_id, recruiter_note from applications"))


def test_an_ashby_candidate_note_becomes_the_note_of_the_application_archived_nearest_to_it(
    con, tmp_path
):
    apps = [
        _archived("x1", "c1", "2024-02-01T10:00:00.000Z"),
        _archived("x2", "c1", "2024-02-05T16:00:00.000Z"),
        _archived("x3", "c1", "2024-02-02T10:00:00.000Z", status="Active"),
        _archived("y1", "c2", "2024-03-01T09:00:00.000Z"),
    ]
    notes = {"c1": [
        # a minute after x1 was archived: x1's
        _note("n1", "2024-02-01T10:01:00.000Z", "Went with a stronger finalist."),
        # a day before x2 was archived, three after x1: x2's (never the active application's)
        _note("n2", "2024-02-04T16:00:00.000Z", "Screen notes: keen on the role."),
        # an hour after x2, nearer than n2: x2's note is this one
        _note("n3", "2024-02-05T17:00:00.000Z", "Salary expectations far above the band."),
    ]}  # fmt: skip
    folder = _notes_export(tmp_path / "in", apps, notes)
    # one JSON Lines file of notes that each carry candidateId is read too
    write_json(folder / "ashby", "candidate_notes.jsonl", [
        _note("m1", "2024-02-28T09:00:00.000Z", "No visa sponsorship possible.",
              candidateId="c2")])  # fmt: skip
    result = ingest(con, folder)
    assert {Path(f.path).name for f in result.files} == {"jobs.json", "applications.json"}
    assert notes_of(con) == {
        pid("application", "x1"): "Went with a stronger finalist.",
        pid("application", "x2"): "Salary expectations far above the band.",
        pid("application", "x3"): None,
        pid("application", "y1"): "No visa sponsorship possible.",
    }


def test_a_note_outside_the_window_is_not_attached(con, tmp_path):
    apps = [_archived("x1", "c1", "2024-02-01T10:00:00.000Z")]
    late = [_note("n1", "2024-02-09T10:00:01.000Z", "Written eight days after archiving.")]
    folder = _notes_export(tmp_path / "in", apps, {"c1": late})
    ingest(con, folder)
    assert notes_of(con) == {pid("application", "x1"): None}  # note_window_days = 7


def test_the_note_window_is_a_setting_of_the_export_folder(con, tmp_path):
    apps = [_archived("x1", "c1", "2024-02-01T10:00:00.000Z")]
    late = [_note("n1", "2024-02-09T10:00:01.000Z", "Written eight days after archiving.")]
    folder = _notes_export(tmp_path / "in", apps, {"c1": late})
    (folder / "ashby" / "ashby.toml").write_text(
        "[settings]\nnote_window_days = 10\n", encoding="utf-8"
    )
    ingest(con, folder)
    assert notes_of(con) == {pid("application", "x1"): "Written eight days after archiving."}


def test_a_private_note_is_never_read(con, tmp_path):
    apps = [_archived("x1", "c1", "2024-02-01T10:00:00.000Z")]
    notes = [
        _note("n1", "2024-02-01T10:00:30.000Z", "Private: health situation.", isPrivate=True),
        _note("n2", "2024-02-01T10:05:00.000Z", "Not enough depth in statistics."),
    ]
    ingest(con, _notes_export(tmp_path / "in", apps, {"c1": notes}))
    assert notes_of(con) == {pid("application", "x1"): "Not enough depth in statistics."}


def test_html_in_an_ashby_note_is_reduced_to_text(con, tmp_path):
    apps = [_archived(f"x{i}", f"c{i}", "2024-02-01T10:00:00.000Z") for i in range(1, 5)]
    contents = [
        # paragraphs, inline tags, a line break, a list, whitespace as a browser collapses it
        "<p>Strong on <b>SQL</b>,\n   <i>weak</i> on design.</p><p>Two things:<br/>"
        "<ul><li>no tests</li><li>no   ownership</li></ul></p>",
        # character references: named, decimal, hexadecimal; &amp; decoded once only
        "<p>R&amp;D fit &lt;low&gt;; &quot;great&quot; attitude&nbsp;&#8211; isn&#39;t "
        "ready&#x2026; &amp;lt;kept&amp;gt;</p>",
        # comments, scripts and styles are not text; a "<" that opens no tag is
        "<!-- draft --><style>p {color: red}</style><script>alert(1)</script>"
        "<div>Rated it <3 out of 5</div>",
        # plain text is kept as written
        "Plain text note.\nSecond line.",
    ]
    notes = {f"c{i}": [_note(f"n{i}", "2024-02-01T10:01:00.000Z", c)]
             for i, c in enumerate(contents, 1)}  # fmt: skip
    ingest(con, _notes_export(tmp_path / "in", apps, notes))
    assert notes_of(con) == {
        pid("application", "x1"): "Strong on SQL, weak on design.\nTwo things:\nno tests\n"
        "no ownership",
        pid("application", "x2"): 'R&D fit <low>; "great" attitude \u2013 isn\'t ready\u2026 '
        "&lt;kept&gt;",
        pid("application", "x3"): "Rated it <3 out of 5",
        pid("application", "x4"): "Plain text note.\nSecond line.",
    }


def test_personal_data_in_and_around_an_ashby_note_never_reaches_the_warehouse(con, tmp_path):
    apps = [_archived("x1", "cand-7f3a9", "2024-02-01T10:00:00.000Z")]
    notes = [
        _note("n1", "2024-02-01T10:02:00.000Z",
              "<p>Went with another finalist. Call her on 415-555-2671, mail "
              "<a href=\"mailto:jane.roe@example.org\">jane.roe&#64;example.org</a> or see "
              "https://linkedin.example.com/in/jane-roe-1988</p>"),
        _note("n2", "2024-02-01T10:01:00.000Z",
              "<p>Private: Jane Roe-Hartley disclosed a pregnancy, call 212-555-0188</p>",
              isPrivate=True),
    ]  # fmt: skip
    ingest(con, _notes_export(tmp_path / "in", apps, {"cand-7f3a9": notes}))
    # the note is kept, its contact details scrubbed (after the HTML: "&#64;" is an "@")
    assert notes_of(con) == {
        pid("application", "x1"): "Went with another finalist. Call her on [phone], mail "
        "[email] or see [url]"
    }
    con.execute("checkpoint")
    (wh,) = rows(con, "select path from duckdb_databases() where database_name = current_database()")[0]  # fmt: skip
    con.close()
    needles = [
        "cand-7f3a9", "Rita", "Recruiter", "rita.recruiter@hire.example.com", "u-rita",
        "Jane Roe", "jane.roe", "415-555-2671", "linkedin.example.com", "pregnancy",
        "212-555-0188", "Hartley",
    ]  # fmt: skip
    files = [p for p in Path(wh).parent.rglob("*") if p.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        for needle in needles:
            assert needle.encode() not in data, f"{needle!r} found in {path}"


def test_an_ashby_api_response_saved_as_it_came_is_read_from_its_results_list(con, tmp_path):
    # {"success": true, "results": [...], "moreDataAvailable": ...}: what the API returns
    def response(results: list[dict]) -> dict:
        return {"success": True, "results": results, "moreDataAvailable": False}

    folder = tmp_path / "in"
    apps = [_archived("x1", "c1", "2024-02-01T10:00:00.000Z")]
    write_json(folder / "ashby", "jobs.json", response([{"id": "j1", "title": "Analyst"}]))
    write_json(folder / "ashby", "applications.json", response(apps))
    note = _note("n1", "2024-02-01T10:01:00.000Z", "Went with a stronger finalist.")
    write_json(folder / "ashby", "candidate_notes-c1.json", response([note]))
    result = ingest(con, folder)
    assert [f.rows_loaded for f in result.files] == [1, 1]
    assert notes_of(con) == {pid("application", "x1"): "Went with a stronger finalist."}
