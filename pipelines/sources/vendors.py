"""What each vendor's export folder holds: the kinds of file an adapter reads (by name), the
fields it reads from each (JSON field → DuckDB type; nothing else of a record is ever parsed, so
names, contacts and attachments are never read at all), and the files it knows but does not read.

A file belongs to a kind when its name is ``<kind>.<ext>`` or ``<kind>[-_.]<anything>.<ext>``
(pages of one export: ``applications-2.json``), the longest kind name winning; ``<ext>`` is
``json`` (a JSON array, one object, or an API list response ``{"data": [...]}``), ``jsonl`` or
``ndjson`` (one object per line), each optionally ``.gz``, or ``csv`` for the kinds read as CSV.
A kind with ``produces`` is a primary file: each of its records becomes one row of that canonical
table (``sql/sources/<vendor>/<table>.sql``); the other kinds are lookups the SQL joins.
"""

from __future__ import annotations

from dataclasses import dataclass

VENDORS = ("greenhouse", "lever", "ashby", "checkr")


@dataclass(frozen=True)
class Kind:
    name: str
    columns: dict[str, str]
    produces: str | None = None  # canonical table, for a primary file
    csv: bool = False  # read as CSV (every column text) instead of JSON
    # sql/sources/<vendor>/<reshape>.sql turns this kind's records (view raw_src) into the shape
    # of the kind that usually produces the table, so that one SQL file maps both
    reshape: str | None = None


J, V = "JSON", "VARCHAR"
ACTIVITIES = "STRUCT(created_at VARCHAR, subject VARCHAR, body VARCHAR)[]"
# A Lever note's fields, values as text: DuckDB's JSON reader needs several times a batch's size
# to keep a JSON column, and a batch of notes of megabytes ran out of memory (#11).
NOTE_FIELDS = "STRUCT(type VARCHAR, value VARCHAR)[]"

GREENHOUSE = (
    Kind("jobs", {"id": V, "name": V, "status": V, "opened_at": V, "created_at": V,
                  "departments": J, "offices": J, "custom_fields": J, "keyed_custom_fields": J},
         produces="jobs"),
    Kind("applications", {"id": V, "candidate_id": V, "prospect": V, "status": V,
                          "applied_at": V, "rejected_at": V, "last_activity_at": V, "jobs": J,
                          "current_stage": J, "rejection_reason": J, "custom_fields": J,
                          "keyed_custom_fields": J},
         produces="applications"),
    Kind("bi_connector_applications", {"id": V, "candidate_id": V, "applied_at": V, "status": V,
                                       "prospect": V, "stage_id": V, "rejected_at": V,
                                       "rejection_reason_id": V},
         produces="applications", csv=True, reshape="bi_connector_applications"),
    Kind("scorecards", {"id": V, "application_id": V, "interview": V, "interview_step": J,
                        "interviewer": J, "submitted_by": J, "interviewed_at": V,
                        "submitted_at": V, "overall_recommendation": V},
         produces="interviews"),
    Kind("job_stages", {"id": V, "name": V, "job_id": V, "priority": V, "interviews": J}),
    # of an activity only its time, subject and body are parsed (never its user)
    Kind("activity_feed", {"candidate_id": V, "activities": ACTIVITIES}),
    Kind("offers", {"id": V, "application_id": V, "status": V, "resolved_at": V}),
    Kind("candidates", {"id": V, "application_ids": J, "custom_fields": J,
                        "keyed_custom_fields": J}),
    Kind("rejection_reasons", {"id": V, "name": V, "type": J}),
)  # fmt: skip

LEVER_FEEDBACK = {"id": V, "opportunityId": V, "user": V, "panel": V, "interview": V,
                  "type": V, "completedAt": V, "createdAt": V, "deletedAt": V, "fields": J}  # fmt: skip

LEVER = (
    Kind("postings", {"id": V, "text": V, "state": V, "createdAt": V, "categories": J},
         produces="jobs"),
    Kind("opportunities", {"id": V, "contact": V, "stage": V, "stageChanges": J, "archived": J,
                           "archivedAt": V, "archiveReason": V, "applications": J,
                           "createdAt": V},
         produces="applications"),
    Kind("feedback", LEVER_FEEDBACK, produces="interviews"),
    # {opportunityId: {"data": [form, ...], "hasNext": ...}, ...}: read by pipelines.sources._read
    Kind("feedback_by_opportunity", LEVER_FEEDBACK, produces="interviews"),
    Kind("applications", {"id": V, "opportunityId": V, "posting": V, "createdAt": V,
                          "customQuestions": J}),
    Kind("archive_reasons", {"id": V, "text": V, "type": V}),
    Kind("stages", {"id": V, "text": V}),
    Kind("notes", {"id": V, "opportunityId": V, "fields": NOTE_FIELDS, "secret": V, "createdAt": V,
                   "deletedAt": V}),
    Kind("panels", {"id": V, "start": V}),
)  # fmt: skip

ID = "STRUCT(id VARCHAR)"  # of a nested person object only its id is parsed (never names)

ASHBY = (
    Kind("jobs", {"id": V, "title": V, "status": V, "departmentId": V, "locationId": V,
                  "createdAt": V, "openedAt": V, "customFields": J},
         produces="jobs"),
    Kind("applications", {"id": V, "createdAt": V, "updatedAt": V, "status": V, "candidate": ID,
                          "currentInterviewStage": J, "archiveReason": J, "archivedAt": V,
                          "job": J, "customFields": J, "applicationHistory": J},
         produces="applications"),
    Kind("application_feedback", {"id": V, "applicationId": V, "submittedAt": V,
                                  "submittedByUser": ID, "interviewId": V,
                                  "interviewEventId": V, "applicationHistoryId": V,
                                  "submittedValues": J},
         produces="interviews"),
    Kind("application_history", {"applicationId": V, "id": V, "stageId": V, "title": V,
                                 "enteredStageAt": V, "stageNumber": V}),
    Kind("interview_stages", {"id": V, "title": V, "type": V, "orderInInterviewPlan": V}),
    Kind("archive_reasons", {"id": V, "text": V, "reasonType": V}),
    Kind("departments", {"id": V, "name": V}),
    Kind("locations", {"id": V, "name": V}),
    # candidate.listNotes results (candidate_notes-<candidateId>.json, or notes that each carry
    # candidateId): of a note never its author (a person), only its time, text and privacy
    Kind("candidate_notes", {"id": V, "candidateId": V, "createdAt": V, "content": V,
                             "isPrivate": V}),
)  # fmt: skip

CHECKR = (
    Kind("reports", {"id": V, "object": V, "status": V, "result": V, "adjudication": V,
                     "assessment": V, "created_at": V, "completed_at": V, "candidate_id": V,
                     "candidate": J, "package": V},
         produces="background_checks"),
    Kind("adverse_actions", {"id": V, "status": V, "report_id": V, "created_at": V,
                             "post_notice_scheduled_at": V, "post_notice_ready_at": V,
                             "canceled_at": V, "adverse_items": J}),
    Kind("candidates", {"id": V, "custom_id": V}),
    Kind("webhook_events", {"id": V, "type": V, "created_at": V, "data": J}),
)  # fmt: skip

KINDS: dict[str, tuple[Kind, ...]] = {
    "greenhouse": GREENHOUSE,
    "lever": LEVER,
    "ashby": ASHBY,
    "checkr": CHECKR,
}

# Files a vendor export may hold that the adapter knows and does not read, and why.
NOT_READ: dict[str, dict[str, str]] = {
    "greenhouse": {
        "candidates_anonymized": "anonymized candidates carry no application or custom field",
        "close_reasons": "job opening close reasons are not part of the contract",
        "scheduled_interviews": "interview schedules: the scorecards carry the feedback",
        "webhooks_candidate_events": "webhook payloads repeat the applications export; "
        "load the Harvest list export instead",
    },
    "lever": {
        "interviews": "interview schedules: the feedback forms carry the recommendations",
        "offers": "an offer's status (draft ... signed) says nothing the candidate decided; a "
        "declined offer is an archive reason",
        "webhooks_candidatearchivechange": "webhook payloads (shape unverified) repeat the "
        "opportunities export",
    },
    "ashby": {
        "webhooks": "webhook payloads repeat the applications export; load application.list",
    },
    "checkr": {},
}
