"""Personal data stops at the door: planted in every free-text and label column, in bad values
and in unreadable lines, none of it may be found in the warehouse file, the reports folder or
Dagster's storage after a whole run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest
from conftest import PROJECT_ROOT

from pipelines.scrub import scrub_sql

# Each planted value and what must not survive of it (searched as bytes).
EMAIL = "jane.roe1987@example.org"
PHONE = "415-555-2671"
SSN = "078-05-1120"
CARD = "4111 1111 1111 1111"
URL = "https://linkedin.example/in/jane-roe-77"
NAME_NOTE = "Spoke to Jane Roe"
ADDRESS = "1600 Pennsylvania Avenue"
NEEDLES = [EMAIL, PHONE, SSN, CARD, "linkedin.example", "Jane Roe", "Pennsylvania Avenue"]


def scrub(text: str | None) -> str | None:
    con = duckdb.connect()
    con.execute("create table t (x varchar)")
    con.execute("insert into t values (?)", [text])
    return con.execute(f"select {scrub_sql('x')} from t").fetchall()[0][0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"Spoke to Jane Roe; reach her at {EMAIL}", "Spoke to [name]; reach her at [email]"),
        (f"call {PHONE} or +44 20 7946 0958.", "call [phone] or [phone]."),
        (f"SSN {SSN}, card {CARD}", "SSN [national id], card [number]"),
        (f"see {URL} then www.example.com", "see [url] then [url]"),
        (f"lives at {ADDRESS}. Offer pulled", "lives at [address]. Offer pulled"),
        ("Regards, Jane", "Regards, [name]"),
        ("bad\u202etxt\u0000 here\u200b", "badtxt here"),
    ],
)
def test_scrub_replaces_personal_data_with_a_bracketed_word(text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Finalist had 6 more years; decided 2026-03-14 after 10-15 days",
        "Candidate Accepted another offer",
        "Went with an internal candidate from Finance, 12 years in the team",
        "Req 12345 cancelled; score 4.5 of 5",
        None,
    ],
)
def test_scrub_leaves_notes_without_personal_data_as_they_are(text):
    assert scrub(text) == text


def plant(folder: Path) -> None:
    """PII in notes of rejected applications (so it reaches every reason table), in the ATS
    reason, in a job's family and region, in a bad enum value, and in an unreadable line."""
    apps = pl.read_csv(folder / "applications.csv", infer_schema=False)
    cohort = pl.read_csv(PROJECT_ROOT / "data" / "sample_truth" / "reasons.csv", infer_schema=False)
    ids = cohort["application_id"].head(40).to_list()
    note = f"{NAME_NOTE} ({EMAIL}, {PHONE}, SSN {SSN}, card {CARD}, {URL}, lives at {ADDRESS}). Went with a stronger finalist."
    apps = apps.with_columns(
        pl.when(pl.col("application_id").is_in(ids))
        .then(pl.lit(note))
        .otherwise(pl.col("recruiter_note"))
        .alias("recruiter_note"),
        pl.when(pl.col("application_id").is_in(ids[:10]))
        .then(pl.lit(f"Not selected - contact {EMAIL}"))
        .otherwise(pl.col("ats_rejection_reason"))
        .alias("ats_rejection_reason"),
    )
    bad = apps.head(1).with_columns(
        pl.lit("Z-BAD-1").alias("application_id"),
        pl.lit(f"x' {EMAIL} <b>hi</b> '").alias("outcome"),
        pl.lit(f"{SSN}").alias("decided_at"),
    )
    pl.concat([apps, bad]).write_csv(folder / "applications.csv")
    jobs = pl.read_csv(folder / "jobs.csv", infer_schema=False)
    jobs = jobs.with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit(f"Sales ({EMAIL})"))
        .otherwise(pl.col("job_family"))
        .alias("job_family"),
        pl.when(pl.int_range(pl.len()) == 1)
        .then(pl.lit(f"call {PHONE}"))
        .otherwise(pl.col("region"))
        .alias("region"),
    )
    jobs.write_csv(folder / "jobs.csv")
    with (folder / "interviews.csv").open("a", encoding="utf-8") as f:
        f.write(f'"unterminated {EMAIL} {SSN},1,yes\n')


@pytest.mark.slow
def test_no_planted_personal_data_reaches_the_warehouse_reports_or_dagster_storage(
    pipeline_env, tmp_path
):
    plant(Path(pipeline_env["HIRING_DATA_DIR"]))
    home = tmp_path / "dagster_home"
    home.mkdir()
    env = {**pipeline_env, "DAGSTER_HOME": str(home)}
    proc = subprocess.run(
        [sys.executable, "-m", "pipelines", "run"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    warehouse = Path(pipeline_env["HIRING_WAREHOUSE"])
    con = duckdb.connect(str(warehouse), read_only=True)
    # The planted rows did arrive: scrubbed notes in the cohort, the bad row in quarantine.
    assert (
        con.execute(
            "select count(*) from post_interview_rejections where recruiter_note like '%[email]%'"
        ).fetchall()[0][0]
        >= 30
    )
    kinds = {r[0] for r in con.execute("select reason_kind from quarantine").fetchall()}
    assert "bad value for outcome; bad value for decided_at" in kinds
    con.close()
    places = [warehouse.parent, Path(pipeline_env["HIRING_REPORTS_DIR"]), home]
    files = [p for place in places for p in place.rglob("*") if p.is_file()]
    assert any(p.suffix == ".duckdb" for p in files) and any(p.suffix == ".html" for p in files)
    for path in files:
        data = path.read_bytes()
        for needle in NEEDLES:
            assert needle.encode() not in data, f"{needle!r} found in {path}"
    for needle in NEEDLES:
        assert needle not in proc.stdout and needle not in proc.stderr
