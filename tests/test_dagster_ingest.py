"""The Dagster side: real materializations, asset checks, schedule, sensor, and the CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
from conftest import PROJECT_ROOT, write

from pipelines.definitions import defs
from pipelines.defs.automation import daily_hiring_pipeline, new_input_files
from pipelines.defs.resources import hiring_paths


def run_cli(env: dict[str, str]) -> subprocess.CompletedProcess:
    """`python -m pipelines run`, as `make run` calls it."""
    return subprocess.run(
        [sys.executable, "-m", "pipelines", "run"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def run_job(instance=None) -> dg.ExecuteInProcessResult:
    job = defs().resolve_job_def("hiring_pipeline")
    return job.execute_in_process(
        instance=instance or dg.DagsterInstance.ephemeral(), raise_on_error=False
    )


def test_pipeline_materializes_ingest_assets_with_passing_checks(pipeline_env):
    result = run_job()
    assert result.success
    mats = {
        e.asset_key.to_user_string(): e
        for e in result.get_asset_materialization_events()
        for e in [e.event_specific_data.materialization]
    }
    for table in (
        "jobs",
        "applications",
        "interviews",
        "background_checks",
        "quarantine",
        "ingest_log",
    ):
        assert table in mats
    assert mats["applications"].metadata["dagster/row_count"].value > 3000
    assert "|" in mats["applications"].metadata["preview"].value
    checks = {
        (c.asset_key.to_user_string(), c.check_name): c.passed
        for c in result.get_asset_check_evaluations()
    }
    for table in ("jobs", "applications", "interviews", "background_checks"):
        assert checks[(table, "rows_conserved")] is True
        assert checks[(table, "accepted_values")] is True
    assert checks[("applications", "key_unique")] and checks[("interviews", "foreign_keys")]
    con = duckdb.connect(pipeline_env["HIRING_WAREHOUSE"], read_only=True)
    assert con.execute("select count(*) from quarantine").fetchall()[0][0] > 0
    # Reasons and reports are materialized in the same run, with their checks passing.
    for asset in (
        "post_interview_rejections",
        "reason_assignments",
        "review_queue",
        "reason_rule_audit",
        "reports",
    ):
        assert asset in mats, asset
    for check in (
        "one_assignment_per_cohort_row",
        "reasons_in_taxonomy",
        "confidence_between_0_and_1",
        "evidence_for_every_known_reason",
    ):
        assert checks[("reason_assignments", check)] is True, check
    report_meta = mats["reports"].metadata
    assert Path(report_meta["index"].value).is_file()
    assert Path(report_meta["page_background_checks"].value).is_file()
    assert "Background checks" in report_meta["summary"].value


def test_failed_blocking_check_stops_the_run_before_downstream(pipeline_env, monkeypatch):
    import pipelines.defs.ingest.assets as assets

    # Make conservation fail: claim a row was read that is neither loaded nor quarantined.
    monkeypatch.setattr(assets, "CONSERVATION_SQL", "select 1, 'x', 2, 1, 0 where ? = ?")
    result = run_job()
    assert not result.success
    checks = {
        (c.asset_key.to_user_string(), c.check_name): c.passed
        for c in result.get_asset_check_evaluations()
    }
    assert checks[("applications", "rows_conserved")] is False


def test_unreadable_input_fails_the_run_with_a_message_naming_the_file(pipeline_env):
    bad = write(
        Path(pipeline_env["HIRING_DATA_DIR"]),
        "interviews-extra.csv",
        "application_id,score\nA1,3\n",
    )
    result = run_job()
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    message = failure.step_failure_data.error.message
    assert str(bad) in message and "'round'" in message


def test_schedule_runs_the_whole_pipeline_daily():
    assert daily_hiring_pipeline.cron_schedule == "0 6 * * *"
    assert daily_hiring_pipeline.job_name == "hiring_pipeline"
    job = defs().resolve_job_def("hiring_pipeline")
    assert {"ingest", "assign_reasons", "reason_rule_audit", "reports"} <= {
        n.name for n in job.graph.node_defs
    }


def test_sensor_requests_a_run_for_new_files_and_not_again(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    write(folder, "jobs.csv", "job_id\nJ1\n")
    write(folder, "readme.txt", "ignored")
    monkeypatch.setenv("HIRING_DATA_DIR", str(folder))
    # The sensor must never touch the warehouse: point it somewhere that cannot be opened.
    monkeypatch.setenv("HIRING_WAREHOUSE", str(tmp_path / "no" / "such" / "dir" / "w.duckdb"))

    def context(cursor=None):
        return dg.build_sensor_context(cursor=cursor, resources={"paths": hiring_paths()})

    first = new_input_files(context())
    assert len(first.run_requests) == 1 and json.loads(first.cursor).keys() == {"jobs.csv"}
    again = new_input_files(context(first.cursor))
    assert isinstance(again, dg.SkipReason)
    time.sleep(0.01)
    write(folder, "applications-2026-07.csv", "application_id,job_id,applied_at,outcome\n")
    third = new_input_files(context(first.cursor))
    assert third.run_requests[0].tags["files"] == "applications-2026-07.csv"
    assert not (tmp_path / "no").exists()


def test_cli_run_on_a_copy_of_the_sample_prints_a_summary(pipeline_env):
    proc = run_cli(pipeline_env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert re.search(r"applications\s+[\d,]+\s+[\d,]+\s+[\d,]+", proc.stdout)
    assert pipeline_env["HIRING_WAREHOUSE"] in proc.stdout
    assert Path(pipeline_env["HIRING_WAREHOUSE"]).exists()


def test_cli_user_mistake_gives_one_clear_line_and_no_traceback(pipeline_env, tmp_path):
    env = {**pipeline_env, "HIRING_DATA_DIR": str(tmp_path / "missing")}
    proc = run_cli(env)
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr and "Traceback" not in proc.stderr


def test_cli_names_the_bad_file_and_column_without_a_traceback(pipeline_env):
    bad = write(
        Path(pipeline_env["HIRING_DATA_DIR"]),
        "applications-extra.csv",
        "application_id,applied_at\nA1,2026-01-01\n",
    )
    proc = run_cli(pipeline_env)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        f"error: {bad}: missing required column 'job_id' for table 'applications' "
        "(required: application_id, job_id, applied_at, outcome)"
    )


def test_cli_on_a_warehouse_built_by_an_older_version_says_so_without_a_traceback(pipeline_env):
    warehouse = Path(pipeline_env["HIRING_WAREHOUSE"])
    warehouse.parent.mkdir(parents=True)
    old = duckdb.connect(str(warehouse))
    old.execute("create table ingest_log (batch_id integer, content_sha256 varchar)")
    old.close()
    proc = run_cli(pipeline_env)
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"error: {warehouse}: table 'ingest_log' was built by another")
    assert "make clean" in proc.stderr and "Traceback" not in proc.stderr


def test_makefile_has_the_readme_targets_and_ci_calls_make_test():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    for target in ("run", "test", "dev", "lint", "eval", "bench", "bootstrap"):
        assert re.search(rf"^{target}:", makefile, re.M), target
    assert "make test" in (PROJECT_ROOT / ".ci" / "run").read_text()
    readme = (PROJECT_ROOT / "README.md").read_text()
    quick = readme.split("## Quick start")[1].split("##")[0]
    assert re.findall(r"^make \w+", quick, re.M) == ["make run", "make test"]


def test_dg_check_defs_passes():
    dg_bin = Path(sys.executable).with_name("dg")
    proc = subprocess.run(
        [str(dg_bin), "check", "defs"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
