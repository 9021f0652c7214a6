"""The synthetic data generator: seeded, in the contract's format, with consistent ground truth."""

from __future__ import annotations

import subprocess
import sys

import polars as pl
from conftest import PROJECT_ROOT

from pipelines.contract import load_contract
from pipelines.ingest import ingest_folder
from pipelines.sample.generator import generate, make_messy, write


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = generate(2000, seed=1), generate(2000, seed=1), generate(2000, seed=2)
    assert a.applications.equals(b.applications) and a.interviews.equals(b.interviews)
    assert not a.applications.equals(c.applications)


def test_tables_have_exactly_the_contract_1_0_columns():
    # The generator writes contract 1.0 files; the optional 1.1 columns come from ATS exports.
    data = generate(3000)
    for name, table in load_contract().tables.items():
        v10 = [c.name for c in table.columns if c.since == "1.0"]
        assert getattr(data, name).columns == v10, name


def test_sizes_scale_and_every_job_has_applications():
    data = generate(10_000)
    assert data.applications.height == 10_000
    assert data.jobs.height == 400
    assert set(data.applications["job_id"]) <= set(data.jobs["job_id"])
    per_job = data.applications.group_by("job_id").len()
    assert per_job["len"].min() >= 5


def test_truth_covers_exactly_the_post_interview_rejections_with_all_reasons():
    data = generate(20_000)
    truth = data.truth
    assert set(truth["reason"]) == {
        "competition",
        "background_check",
        "goal_mismatch",
        "other",
        "unknown",
    }
    rejected = data.applications.filter(pl.col("outcome") == "rejected")["application_id"]
    assert set(truth["application_id"]) <= set(rejected)
    # Several rounds and panels of interviewers, one hire per job at most.
    assert data.interviews["round"].max() >= 3
    assert data.interviews.group_by("application_id", "round").len()["len"].max() >= 2
    assert (
        data.applications.filter(pl.col("outcome") == "hired").group_by("job_id").len()["len"].max()
        == 1
    )


def test_background_reason_has_a_matching_adverse_check_and_vendors_differ():
    data = generate(50_000)
    bg = data.truth.filter(
        (pl.col("reason") == "background_check") & (pl.col("detail") != "no_record")
    )
    checks = data.background_checks.join(bg, on="application_id")
    assert checks.height == bg.height
    assert (checks["result"] == "consider").all()
    adverse = data.background_checks.filter(pl.col("disputed"))
    rates = adverse.group_by("vendor_id").agg(
        (pl.col("dispute_outcome") == "corrected").mean().alias("r")
    )["r"]
    assert rates.max() - rates.min() > 0.2


def test_notes_are_varied_and_some_are_empty():
    data = generate(20_000)
    notes = data.applications.join(data.truth, on="application_id")["recruiter_note"]
    assert notes.n_unique() > 60
    assert (notes == "").mean() > 0.02
    assert notes.str.contains("w/").any() and notes.str.contains("bg chk").any()


def test_messy_sample_loads_with_every_row_accounted_for(tmp_path, con):
    data = make_messy(generate(3000), rate=0.01)
    write(data, tmp_path / "in", "csv", tmp_path / "truth.csv")
    result = ingest_folder(con, tmp_path / "in")
    read, loaded, quarantined = result.totals("applications")
    assert read == data.applications.height and quarantined >= 120 and read == loaded + quarantined


def test_parquet_output_ingests_like_csv(tmp_path, con):
    write(generate(1000), tmp_path / "in", "parquet", tmp_path / "truth.csv")
    result = ingest_folder(con, tmp_path / "in")
    assert result.totals("applications") == (1000, 1000, 0)


def test_cli_writes_the_dataset_and_a_separate_truth_file(tmp_path):
    out = tmp_path / "gen"
    proc = subprocess.run(
        [sys.executable, "-m", "pipelines.sample", "--applications", "1500", "--out", str(out)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir() if p.is_file()) == [
        "applications.csv",
        "background_checks.csv",
        "interviews.csv",
        "jobs.csv",
    ]
    assert (out / "ground_truth" / "reasons.csv").is_file()
