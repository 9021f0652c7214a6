"""Vendor-shaped exports of a contract dataset, for tests and benchmarks: ``--format greenhouse``
(or ``lever``, ``ashby``) writes the applicant-tracking export in that vendor's shape plus the
background checks as a Checkr export; ``--format checkr`` writes the Checkr export alone (its
custom_id = application_id).

Each export file is one SQL file, ``pipelines/sample/shapes/<vendor>/<file>.sql``, a query over
the contract tables (views ``c_jobs``, ``c_applications``, ``c_interviews``,
``c_background_checks``) and the vendor's shared views (``shapes/<vendor>/_views.sql``, when
there is one), written by DuckDB as a JSON array (``.json``) or JSON Lines (``.jsonl``, where a
real export is one object per call). The records carry the personal data a real export does
(names, e-mails, phones, resume links), which the adapters must never read. A contract fact the
vendor has no home for is written as the closest faithful value (each SQL header says which).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.contract import load_contract
from pipelines.warehouse import quote_ident, sql_literal

SHAPES = Path(__file__).with_name("shapes")
TABLES = ("jobs", "applications", "interviews", "background_checks")
# vendor -> export files (name as written); the ATS vendors add the Checkr export
FILES = {
    "greenhouse": ("jobs.json", "job_stages.json", "applications.json", "candidates.json",
                   "scorecards.json", "offers.json", "activity_feed.jsonl"),
    "lever": ("postings.json", "stages.json", "archive_reasons.json", "opportunities.json",
              "applications.json", "notes.jsonl", "panels.json", "feedback.jsonl"),
    "ashby": ("jobs.json", "departments.json", "locations.json", "interview_stages.json",
              "archive_reasons.json", "applications.json", "application_history.jsonl",
              "application_feedback.json", "candidate_notes.jsonl"),
    "checkr": ("reports.json", "candidates.json", "adverse_actions.json", "webhook_events.json"),
}  # fmt: skip
FORMATS = tuple(FILES)


def write_vendor_export(contract_dir: Path, out: Path, vendor: str) -> list[Path]:
    """Write ``contract_dir``'s contract CSV files (jobs, applications, interviews,
    background_checks) as ``vendor``'s export into ``out/<vendor>/`` (and ``out/checkr/`` for an
    ATS vendor). Returns the files written."""
    if vendor not in FILES:
        raise ValueError(f"unknown vendor export format {vendor!r} (one of {', '.join(FILES)})")
    con, contract = duckdb.connect(), load_contract()
    written: list[Path] = []
    try:
        for table in TABLES:
            # Every contract column, typed as the contract says (absent ones NULL).
            read = (
                f"read_csv({sql_literal(str(contract_dir / f'{table}.csv'))}, header = true, "
                "all_varchar = true)"
            )
            names = [r[0] for r in con.execute(f"describe select * from {read}").fetchall()]
            have = set(names)
            as_text = "{" + ", ".join(f"{sql_literal(n)}: 'VARCHAR'" for n in names) + "}"
            read = read.replace("all_varchar = true", f"auto_detect = false, columns = {as_text}")
            cols = ", ".join(
                # (through trim: DuckDB would push a bare try_cast into the CSV reader as a cast)
                f"try_cast(trim({quote_ident(c.name)}) as {c.sql_type}) as {quote_ident(c.name)}"
                if c.name in have
                else f"NULL::{c.sql_type} as {quote_ident(c.name)}"
                for c in contract.table(table).columns
            )
            con.execute(f"create view c_{table} as select {cols} from {read}")
        # The stages an application passed, in funnel order, up to the one it reached (a hire
        # reached the offer): the stage history Lever's and Ashby's exports both carry.
        stages = (
            "['applied', 'screen', 'interview', 'final_interview', 'offer', 'background_check']"
        )
        con.execute(
            f"create macro stage_path(stage) as list_slice({stages}, 1, coalesce(list_position("
            f"{stages}, case stage when 'hired' then 'offer' else stage end), 0))"
        )
        for v in [vendor] + (["checkr"] if vendor != "checkr" else []):
            folder = out / v
            folder.mkdir(parents=True, exist_ok=True)
            views = SHAPES / v / "_views.sql"  # views the vendor's files share, if any
            if views.is_file():
                con.execute(views.read_text(encoding="utf-8"))
            for name in FILES[v]:
                stem, ext = name.rsplit(".", 1)
                query = (SHAPES / v / f"{stem}.sql").read_text(encoding="utf-8")
                array = "true" if ext == "json" else "false"
                target = folder / name
                con.execute(
                    f"copy ({query.strip().rstrip(';')}) to {sql_literal(str(target))} "
                    f"(format json, array {array})"
                )
                written.append(target)
    finally:
        con.close()
    return written
