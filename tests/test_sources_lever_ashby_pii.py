"""Personal data in Lever and Ashby exports stops at the door: the names, e-mails, phones, links,
addresses and free text about candidates in the public fixtures, and their raw candidate,
application and interviewer ids, never reach the warehouse file (tables, quarantine, ingest log)
or its key; the bytes of every file beside the warehouse are searched (the counterpart of
test_sources_pii.py's fixture test for Greenhouse and Checkr)."""

from __future__ import annotations

import json
from pathlib import Path

from sources_util import FIXTURES, KEY, ingest, link_fixture

PERSONAL_KEYS = {
    "name", "emails", "email", "phones", "phone", "links", "headline", "location", "firstName",
    "lastName", "primaryEmailAddress", "primaryPhoneNumber", "submitterClientIp",
    "submitterUserAgent", "comments", "company", "note", "subject",
}  # fmt: skip
FREE_TEXT = ["Kathryn", "Has 10 years of experience as an office manager", "Reconstructed feedback"]
FREE_TEXT += ["demonstrated strong problem-solving", "aspiring candidates"]


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _walk(value: object, personal: list[str], ids: list[str]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            if k in PERSONAL_KEYS:
                personal.extend(_strings(v))
            elif k in {"contact", "candidateId", "opportunityId", "applicationId", "user"} and isinstance(v, str):  # fmt: skip
                ids.append(v)
            else:
                if k in {"candidate", "submittedByUser", "creditedToUser"} and isinstance(v, dict):
                    ids.append(v.get("id") or "")
                _walk(v, personal, ids)
    elif isinstance(value, list):
        for v in value:
            _walk(v, personal, ids)


def needles() -> list[str]:
    """The fixtures' personal values and raw ids, from every record of the files the adapters
    read."""
    personal: list[str] = []
    ids: list[str] = []
    for vendor, files in (
        ("lever", ["opportunities.json", "applications.json", "feedback_by_opportunity.json",
                   "notes.json", "panels.json"]),
        ("ashby", ["applications.json", "application_feedback.json", "jobs.json"]),
    ):  # fmt: skip
        for name in files:
            _walk(json.loads((FIXTURES / vendor / name).read_text()), personal, ids)
    ashby = json.loads((FIXTURES / "ashby" / "applications.json").read_text())
    ids += [a["id"] for a in ashby]
    # (a single word, such as a contact's type "other", is no evidence: names have two)
    found = {s for s in personal + ids if len(s.strip()) >= 5 and not s.isalpha()}
    found |= set(FREE_TEXT)
    # a candidate's city may also be a posting's location, which jobs.region keeps
    postings = json.loads((FIXTURES / "lever" / "postings.json").read_text())
    return sorted(found - {s for p in postings for s in _strings(p["categories"])})


def test_no_personal_data_from_the_lever_and_ashby_fixtures_reaches_the_warehouse(tmp_path, con):
    folder = tmp_path / "in"
    for vendor in ("lever", "ashby"):
        link_fixture(folder, vendor)
    result = ingest(con, folder)
    assert {f.table for f in result.files} == {"jobs", "applications", "interviews"}
    assert sum(f.rows_quarantined for f in result.files) > 0  # raw records were kept
    assert sum(f.rows_loaded for f in result.files) > 30
    con.execute("checkpoint")
    wh = Path(con.execute("select path from duckdb_databases() where database_name = current_database()").fetchall()[0][0])  # fmt: skip
    con.close()
    wanted = needles()
    assert "shane@exampleq3.com" in wanted and "test@ashbyhq.com" in wanted
    assert len(wanted) > 60
    files = [p for p in wh.parent.rglob("*") if p.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        for needle in wanted + [KEY.decode()]:
            assert needle.encode() not in data, f"{needle!r} found in {path}"
