"""Personal data in vendor exports stops at the door: names, e-mails, phones, addresses, resume
links and the raw candidate / application ids never reach the warehouse file (tables,
quarantine), the reports or Dagster's storage, nor does the pseudonym key; notes are scrubbed.
The bytes of every file are searched after a whole in-process run of the Dagster job."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest
from sources_util import KEY, ingest, link_fixture, write_json

from pipelines.__main__ import JOB, ensure_dagster_home
from pipelines.reasons.engine import assign_reasons
from pipelines.reasons.rules import load_rules
from pipelines.sample.generator import generate
from pipelines.sample.generator import write as write_contract
from pipelines.sample.vendors import write_vendor_export

SECRET = "planted-pseudonym-secret-7f3a"
NOTE_PII = ["jane.roe1987@example.org", "415-555-2671", "078-05-1120", "linkedin.example"]
# what the generated exports carry (pipelines/sample/shapes): contacts, addresses, resume links
EXPORT_PII = [
    "@mail.example.com", "@check.example.com", "files.example.com", "Harbour Street",
    "+1 415 555", "Hana Manager", "Ivan Interviewer", "XXX-XX-",
]  # fmt: skip
FIXTURE_PII = [
    "Kate Austen", "Robert Robertson", "Boone Carlyle", "john.locke@example.com",
    "john.smith@gmail.com", "5555555555", "XXX-XX-4645", "prod-heroku.s3.amazonaws.com",
    "New York, New York", "I heard you're awesome", "1992-01-27",
]  # fmt: skip


def planted_export(folder: Path, tmp: Path) -> list[str]:
    """A Greenhouse + Checkr export of generated cases, notes carrying personal data. Returns
    raw ids that must be pseudonymised."""
    contract = tmp / "contract"
    data = generate(800, seed=4)
    note = f"Spoke to Jane Roe at {NOTE_PII[0]}, {NOTE_PII[1]}, SSN {NOTE_PII[2]}, https://{NOTE_PII[3]}/in/x"  # fmt: skip
    data.applications = data.applications.with_columns(
        pl.when(pl.col("outcome") == "rejected")
        .then(pl.lit(note) + " " + pl.col("recruiter_note"))
        .otherwise(pl.col("recruiter_note"))
        .alias("recruiter_note")
    )
    write_contract(data, contract, "csv", tmp / "truth.csv")
    write_vendor_export(contract, folder, "greenhouse")
    ids = data.applications.select("application_id", "candidate_id").head(40)
    return [v for v in ids.to_numpy().ravel().tolist() if v]


def searched(places: list[Path]) -> list[Path]:
    return [p for place in places if place.exists() for p in place.rglob("*") if p.is_file()]


@pytest.mark.slow
def test_no_personal_data_from_an_export_reaches_warehouse_reports_or_dagster(
    tmp_path, monkeypatch
):
    data_dir, out, home = tmp_path / "in", tmp_path / "out", tmp_path / "dagster_home"
    raw_ids = planted_export(data_dir, tmp_path)
    env = {
        "HIRING_DATA_DIR": str(data_dir),
        "HIRING_WAREHOUSE": str(out / "warehouse.duckdb"),
        "HIRING_REPORTS_DIR": str(out / "reports"),
        "HIRING_PSEUDONYM_KEY": SECRET,
        "DAGSTER_HOME": str(home),
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    ensure_dagster_home()
    from pipelines.definitions import defs

    with dg.DagsterInstance.get() as instance:
        result = (
            defs().resolve_job_def(JOB).execute_in_process(instance=instance, raise_on_error=False)
        )
    # The ingest must succeed; the steps after it are other modules' (searched all the same).
    assert result.is_node_success("ingest")
    if not result.success:  # the reason tables at least, by the library, to search them too
        con = duckdb.connect(str(out / "warehouse.duckdb"))
        assign_reasons(con, load_rules())
        con.close()
    con = duckdb.connect(str(out / "warehouse.duckdb"), read_only=True)
    # the planted rows arrived, scrubbed, and the cohort is there
    assert (
        con.execute(
            "select count(*) from post_interview_rejections where recruiter_note like '%[email]%'"
        ).fetchall()[0][0]
        > 10
    )
    assert con.execute("select count(*) from ingest_log where source = 'greenhouse'").fetchall()[0][0] == 3  # fmt: skip
    con.close()
    files = searched([out, home])
    assert any(p.suffix == ".duckdb" for p in files)
    assert any(p.suffix == ".html" for p in files) or not result.success
    needles = NOTE_PII + EXPORT_PII + raw_ids + [SECRET]
    for path in files:
        data = path.read_bytes()
        for needle in needles:
            assert needle.encode() not in data, f"{needle!r} found in {path}"


def test_no_personal_data_from_the_public_fixtures_reaches_the_warehouse_or_quarantine(
    tmp_path, con
):
    folder = tmp_path / "in"
    for vendor in ("greenhouse", "checkr"):
        link_fixture(folder, vendor)
    result = ingest(con, folder)
    assert sum(f.rows_quarantined for f in result.files) > 0  # raw records were kept
    con.execute("checkpoint")
    wh = Path(con.execute("select path from duckdb_databases() where database_name = current_database()").fetchall()[0][0])  # fmt: skip
    con.close()
    for path in searched([wh.parent]):
        data = path.read_bytes()
        for needle in FIXTURE_PII + [KEY.decode()]:
            assert needle.encode() not in data, f"{needle!r} found in {path}"


def test_an_adapter_text_is_scrubbed_then_cut_to_the_contracts_max_chars():
    # what an adapter keeps of a vendor's text (its raw record too) is bounded like a loaded note,
    # and the cut comes after the scrub, so that no part of an address survives it
    from pipelines.contract import load_contract
    from pipelines.sources import prepare

    limit = load_contract().table("applications").column("recruiter_note").max_chars
    con = duckdb.connect()
    prepare(con, KEY)
    text = "x" * (limit - 11) + " john.doe@example.com and more"
    (kept,) = con.execute("select scrub_text(?)", [text]).fetchone()
    assert len(kept) == limit and "john" not in kept and "@" not in kept


def test_a_vendor_file_that_cannot_be_read_leaves_none_of_its_text_in_dagsters_storage(
    tmp_path, monkeypatch
):
    # DuckDB's error quotes the record's value; the run's failure names the file and record,
    # and the error it came from (which Dagster would store with it) is not kept
    data_dir, out, home = tmp_path / "in", tmp_path / "out", tmp_path / "dagster_home"
    lever = link_fixture(data_dir, "lever")
    note = f"Spoke to Jane Roe at {NOTE_PII[0]}"
    write_json(lever, "notes-o9.json", [{"id": "n9", "createdAt": 1, "fields": [note]}])
    for k, v in {
        "HIRING_DATA_DIR": str(data_dir),
        "HIRING_WAREHOUSE": str(out / "warehouse.duckdb"),
        "HIRING_REPORTS_DIR": str(out / "reports"),
        "HIRING_PSEUDONYM_KEY": SECRET,
        "DAGSTER_HOME": str(home),
    }.items():
        monkeypatch.setenv(k, v)
    ensure_dagster_home()
    from pipelines.definitions import defs

    with dg.DagsterInstance.get() as instance:
        result = (
            defs().resolve_job_def(JOB).execute_in_process(instance=instance, raise_on_error=False)
        )
        failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert not result.success and len(failures) == 1
    assert "notes-o9.json: record 1 cannot be read" in failures[0].step_failure_data.error.message
    files = searched([out, home])
    assert any("runs" in str(p) or p.suffix == ".db" for p in files)
    for path in files:
        data = path.read_bytes()
        for needle in ("Jane Roe", NOTE_PII[0]):
            assert needle.encode() not in data, f"{needle!r} found in {path}"
