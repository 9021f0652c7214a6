"""The Dagster side: real materializations, asset checks, schedule, sensor, and the CLI."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from conftest import PROJECT_ROOT, write

from pipelines.__main__ import TEMPLATE, ensure_dagster_home
from pipelines.definitions import defs
from pipelines.defs.automation import daily_hiring_pipeline, new_input_files
from pipelines.defs.resources import hiring_paths


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """`python -m pipelines run`, as `make run` calls it."""
    return subprocess.run(
        [sys.executable, "-m", "pipelines", "run", *args],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def run_job(instance=None) -> dg.ExecuteInProcessResult:
    job = defs().resolve_job_def("hiring_pipeline")
    return job.execute_in_process(
        instance=instance or dg.DagsterInstance.ephemeral(), raise_on_error=False
    )


def check_results(result: dg.ExecuteInProcessResult) -> dict[tuple[str, str], bool]:
    """(asset, check) -> passed, for every check that reported in the run."""
    return {
        (c.asset_key.to_user_string(), c.check_name): c.passed
        for c in result.get_asset_check_evaluations()
    }


def replace_reason_check(monkeypatch: pytest.MonkeyPatch, name: str, sql: str) -> None:
    """Give one of the reason-assignment checks another query (same name and description)."""
    import pipelines.defs.reasons.checks as reason_checks

    checks = dict(reason_checks.ASSIGNMENT_CHECKS)
    checks[name] = (checks[name][0], sql)
    monkeypatch.setattr(reason_checks, "ASSIGNMENT_CHECKS", checks)


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
    # Views are not counted: counting reason_note_tokens computes all of it (30 s at 10M).
    assert mats["reason_assignments"].metadata["dagster/row_count"].value > 1000
    assert "dagster/row_count" not in mats["reason_note_tokens"].metadata
    assert "dagster/row_count" not in mats["reason_rule_hits"].metadata
    # Each reason table shows its own statement's seconds; a view has none of its own.
    assert mats["reason_text_model"].metadata["sql_seconds"].value >= 0
    assert "sql_seconds" not in mats["reason_note_tokens"].metadata
    # The schema, never rows (rows are about people).
    schema = mats["applications"].metadata["dagster/column_schema"].value
    assert "recruiter_note" in {c.name for c in schema.columns}
    assert not any(
        "preview" in m.metadata
        for m in mats.values()
        if m.asset_key.path[0] in ("jobs", "applications", "interviews", "background_checks")
    )
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
    assert check_results(result)[("applications", "rows_conserved")] is False


def test_a_check_reuses_its_result_on_unchanged_data_checks_a_batch_by_its_rows_and_a_hand_edit_whole(
    pipeline_env,
):
    def evaluations(result: dg.ExecuteInProcessResult) -> dict[tuple[str, str], tuple]:
        return {
            (c.asset_key.to_user_string(), c.check_name): (c.passed, set(c.metadata))
            for c in result.get_asset_check_evaluations()
        }

    first = evaluations(run_job())
    assert first[("applications", "key_unique")] == (True, {"violations"})
    # No new file, but the site is gone, so every step runs: the checks give the same results,
    # taken from check_results instead of a scan.
    (Path(pipeline_env["HIRING_REPORTS_DIR"]) / "index.html").unlink()
    again = evaluations(run_job())
    for key in (("applications", "key_unique"), ("interviews", "foreign_keys"),
                ("reason_assignments", "one_assignment_per_cohort_row")):  # fmt: skip
        assert again[key] == (True, {"violations", "reused"}), key
    # A new file: after a clean check, the batch is checked by its own rows.
    first_job = (Path(pipeline_env["HIRING_DATA_DIR"]) / "jobs.csv").read_text().splitlines()[1]
    write(
        Path(pipeline_env["HIRING_DATA_DIR"]),
        "applications-late.csv",
        "application_id,job_id,applied_at,outcome\n"
        f"A-LATE-1,{first_job.split(',')[0]},2026-03-02,pending\n",
    )
    batch = evaluations(run_job())
    for key in (("applications", "key_unique"), ("applications", "foreign_keys"),
                ("applications", "accepted_values"),
                ("reason_assignments", "one_assignment_per_cohort_row")):  # fmt: skip
        assert batch[key] == (True, {"violations", "rows_checked"}), key
    # A row added by hand (no file, so the ingest watermark is the same) is checked anew, whole.
    con = duckdb.connect(pipeline_env["HIRING_WAREHOUSE"])
    con.execute("insert into applications select * from applications limit 1")
    con.close()
    edited = evaluations(run_job())
    assert edited[("applications", "key_unique")] == (False, {"violations"})


def table_digests(warehouse: str) -> dict[str, str]:
    """Each data table's content digest (the run bookkeeping tables left out)."""
    con = duckdb.connect(warehouse, read_only=True)
    try:
        names = [r[0] for r in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'main' "
            "and table_name not in ('pipeline_runs', 'built_versions', 'asset_check_results', "
            "'ingest_file_stats')"
        ).fetchall()]  # fmt: skip
        return {
            n: con.execute(f'select count(*), md5(string_agg(t::varchar, \'|\' order by '
                           f't::varchar)) from "{n}" t').fetchall()[0]
            for n in names
        }  # fmt: skip
    finally:
        con.close()


def test_a_run_with_nothing_new_skips_every_step_after_ingest_and_changes_no_table(pipeline_env):
    first = run_job()
    assert first.success
    warehouse = pipeline_env["HIRING_WAREHOUSE"]
    tables = table_digests(warehouse)
    site = {
        p.name: p.stat().st_mtime_ns for p in Path(pipeline_env["HIRING_REPORTS_DIR"]).iterdir()
    }

    again = run_job()
    assert again.success
    assert again.get_asset_materialization_events() == []
    skipped = {e.step_key for e in again.all_events if e.is_step_skipped}
    assert {"assign_reasons", "reason_rule_audit", "report_tables", "reports"} <= skipped
    observed = [e.asset_observation_data.asset_observation for e in again.all_events
                if e.is_asset_observation]  # fmt: skip
    assert "nothing to do" in str(observed[0].metadata["nothing_to_do"].value)
    assert table_digests(warehouse) == tables
    assert {p.name: p.stat().st_mtime_ns
            for p in Path(pipeline_env["HIRING_REPORTS_DIR"]).iterdir()} == site  # fmt: skip
    con = duckdb.connect(warehouse, read_only=True)
    assert con.execute(
        "select count(*) from pipeline_runs where status <> 'complete'"
    ).fetchall() == [(0,)]
    con.close()


def test_a_run_that_changes_the_warehouse_forgets_it_was_current_until_it_completes(
    pipeline_env, monkeypatch
):
    """A failed run leaves no record that the warehouse is current: the next run does not take
    a half-built warehouse for a finished one, and runs every step."""

    def recorded() -> list[tuple[str]]:
        con = duckdb.connect(pipeline_env["HIRING_WAREHOUSE"], read_only=True)
        try:
            return con.execute(
                "select step from built_versions where step = 'whole_run'"
            ).fetchall()
        finally:
            con.close()

    assert run_job().success
    assert recorded() == [("whole_run",)]
    # A hand edit (no file) makes the next run work; its reason check fails before the reports.
    con = duckdb.connect(pipeline_env["HIRING_WAREHOUSE"])
    con.execute("insert into applications select * from applications limit 1")
    con.close()
    with monkeypatch.context() as m:
        replace_reason_check(
            m, "reasons_in_taxonomy", "select application_id from reason_assignments"
        )
        assert not run_job().success
    assert recorded() == []
    again = run_job()
    assert again.success and not [e for e in again.all_events if e.is_step_skipped]
    assert recorded() == [("whole_run",)]
    # A run of some assets only (the UI) that writes also leaves no record: the others may be
    # stale for all it knows.
    (Path(pipeline_env["HIRING_REPORTS_DIR"]) / "index.html").unlink()
    job = defs().resolve_job_def("hiring_pipeline")
    some = job.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), asset_selection=[dg.AssetKey("reports")]
    )
    assert some.success and (Path(pipeline_env["HIRING_REPORTS_DIR"]) / "index.html").is_file()
    assert recorded() == []


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


def test_sensor_tells_vendor_exports_with_the_same_file_names_apart(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    for vendor in ("greenhouse", "ashby"):
        write(folder / vendor, "applications.json", "[]")
    monkeypatch.setenv("HIRING_DATA_DIR", str(folder))
    monkeypatch.setenv("HIRING_WAREHOUSE", str(tmp_path / "no" / "such" / "dir" / "w.duckdb"))

    def context(cursor=None):
        return dg.build_sensor_context(cursor=cursor, resources={"paths": hiring_paths()})

    first = new_input_files(context())
    assert json.loads(first.cursor).keys() == {
        "greenhouse/applications.json",
        "ashby/applications.json",
    }
    time.sleep(0.01)
    write(folder / "ashby", "applications.json", '[{"id": "x"}]')  # a newer export, same name
    second = new_input_files(context(first.cursor))
    assert second.run_requests[0].tags["files"] == "ashby/applications.json"
    assert not (tmp_path / "no").exists()


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


# ---- the first ten minutes (issue #14): an empty folder, DAGSTER_HOME, the output, automation


def _unrecognised_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    write(folder, "notes.txt", "not data")
    write(folder, "applications.xlsx", b"PK\x03\x04")
    (folder / "2025").mkdir()
    write(folder, ".DS_Store", b"\0")
    return folder


@pytest.mark.parametrize("kind", ["empty", "unrecognised"])
def test_cli_on_a_folder_without_input_files_says_so_in_one_line(pipeline_env, tmp_path, kind):
    folder = _unrecognised_folder(tmp_path) if kind == "unrecognised" else tmp_path / "empty"
    folder.mkdir(exist_ok=True)
    proc = run_cli({**pipeline_env, "HIRING_DATA_DIR": str(folder)})
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0].startswith(f"error: {folder}: no input file the pipeline recognises (found: ")
    if kind == "empty":
        assert "found: nothing, the folder is empty;" in lines[0]
    else:
        assert "found: 2025/, applications.xlsx, notes.txt;" in lines[0]  # not the dotfile
    # What it looks for comes from the contract and the readers' formats.
    for table in ("jobs", "applications", "interviews", "background_checks"):
        assert table in lines[0]
    assert "<table>-<anything>.<ext>" in lines[0] and "csv, parquet, jsonl, ndjson" in lines[0]
    assert not Path(pipeline_env["HIRING_WAREHOUSE"]).exists()


def test_job_on_a_folder_without_input_files_fails_with_the_same_message(
    pipeline_env, tmp_path, monkeypatch
):
    folder = _unrecognised_folder(tmp_path)
    monkeypatch.setenv("HIRING_DATA_DIR", str(folder))
    result = run_job()
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert failure.step_key == "ingest"
    description = failure.step_failure_data.user_failure_data.description
    assert description.startswith(f"{folder}: no input file the pipeline recognises (found: ")
    assert "notes.txt" in description and "background_checks" in description
    assert not Path(pipeline_env["HIRING_WAREHOUSE"]).exists()  # failed before opening it


def test_cli_run_fits_on_a_screen_and_says_what_changed(pipeline_env, tmp_path):
    """`make clean && make run`: DAGSTER_HOME does not exist yet. Then a re-run on the same files
    with --verbose, which is not an error, changes no table and also shows Dagster's logs."""
    home = tmp_path / "gone" / ".dagster_home"
    env = {**pipeline_env, "DAGSTER_HOME": str(home)}
    first = run_cli(env)
    assert first.returncode == 0, first.stderr[-2000:]
    out = first.stdout.splitlines()
    assert len(out) <= 40, first.stdout
    assert out[0] == f"input folder : {pipeline_env['HIRING_DATA_DIR']}"
    assert out[1] == f"warehouse    : {pipeline_env['HIRING_WAREHOUSE']}"
    assert out[2] == f"reports      : {pipeline_env['HIRING_REPORTS_DIR']}"
    assert out[3].startswith(f"dagster runs : {home}")
    assert sum(bool(re.match(r"  \[\d/\d\] \w+ +\d+\.\ds$", line)) for line in out) == 5
    text = first.stdout
    assert "batch 1: 4 new files (0 ingested before)" in text
    assert re.search(r"^applications +[\d,]+ +[\d,]+ +[1-9][\d,]*$", text, re.M)  # quarantined
    assert re.search(r"^quarantined this run: [\d,]+ rows \(.*exact duplicate", text, re.M)
    rejections = r"^post-interview rejections: [\d,]+ \(competition \d+%.*to review$"
    assert re.search(rejections, text, re.M)
    assert re.search(r"^asset checks: \d+ passed", text, re.M)
    # a warning says how many records it found and where they are listed (the sample has some)
    implausible = r"1 warning: implausible_records:no_implausible_records \(([\d,]+) records, "
    implausible += r"listed in the warehouse table implausible_records\)"
    found = re.search(implausible, text)
    assert found and int(found.group(1).replace(",", "")) > 0, text
    assert out[-2:] == [
        f"warehouse    : {pipeline_env['HIRING_WAREHOUSE']}",
        f"reports      : {Path(pipeline_env['HIRING_REPORTS_DIR']) / 'index.html'}",
    ]
    # Quiet: no telemetry banner, no missing dagster.yaml warning, no Dagster log lines.
    noise = ("Telemetry", "dagster.yaml", " - INFO - ", " - DEBUG - ", "Warning")
    assert not [n for n in noise if n in first.stdout + first.stderr], first.stdout + first.stderr
    assert (home / "dagster.yaml").read_text() == TEMPLATE.read_text()
    assert Path(pipeline_env["HIRING_WAREHOUSE"]).is_file()

    again = run_cli(env, "--verbose")
    assert again.returncode == 0, again.stderr[-2000:]
    assert " - INFO - " in again.stdout + again.stderr
    assert "no new input files (4 ingested before)." in again.stdout
    assert re.search(
        r"^nothing to do: no new input file, .* later steps skipped$", again.stdout, re.M
    )
    assert len(re.findall(r"^  \[\d/5\] \w+ +skipped$", again.stdout, re.M)) == 4
    assert re.search(
        r"^reasons: full run, [\d,]+ post-interview rejections recomputed \(first run\)", text, re.M
    )
    assert re.search(r"^applications +[\d,]+ +0 +0$", again.stdout, re.M)
    instance = dg.DagsterInstance.from_config(str(home))
    assert [r.status for r in instance.get_runs()] == [dg.DagsterRunStatus.SUCCESS] * 2


def test_cli_run_names_the_files_and_columns_it_did_not_read(pipeline_env, tmp_path):
    data = tmp_path / "in"
    shutil.copytree(pipeline_env["HIRING_DATA_DIR"], data)
    (data / "applications-2026-10.txt").write_text("application_id\nA1\n")
    first_lines = (data / "applications.csv").read_text().splitlines()[:3]
    first_lines[0] = first_lines[0].replace("recruiter_note", "Recruiter Notes")
    (data / "applications-2026-10.csv").write_text("\n".join(first_lines) + "\n")
    proc = run_cli({**pipeline_env, "HIRING_DATA_DIR": str(data)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert re.search(r"^not read: applications-2026-10\.txt: not named <table>", proc.stdout, re.M)
    assert re.search(
        r"^columns not in the contract, not read: applications-2026-10\.csv: recruiter notes$",
        proc.stdout,
        re.M,
    )


def test_a_run_after_the_delivered_files_were_archived_has_nothing_to_do(pipeline_env, tmp_path):
    # a scheduled job whose drop folder is emptied after each delivery must not fail every day
    data = tmp_path / "in"
    shutil.copytree(pipeline_env["HIRING_DATA_DIR"], data)
    env = {**pipeline_env, "HIRING_DATA_DIR": str(data)}
    assert run_cli(env).returncode == 0
    shutil.move(data, tmp_path / "archive")
    data.mkdir()
    proc = run_cli(env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "no new input files (4 ingested before)." in proc.stdout
    assert re.search(r"^nothing to do: no new input file", proc.stdout, re.M)


def test_a_step_that_fails_ends_the_run_with_its_one_error_line(pipeline_env, tmp_path):
    data = tmp_path / "in"
    shutil.copytree(pipeline_env["HIRING_DATA_DIR"], data)
    raw = bytearray(gzip.compress((data / "interviews.csv").read_bytes()))
    raw[len(raw) // 2] ^= 0x55  # found when the step hashes it, not before the run
    (data / "interviews-2026-10.csv.gz").write_bytes(bytes(raw))
    proc = run_cli({**pipeline_env, "HIRING_DATA_DIR": str(data)})
    assert proc.returncode == 2
    assert "warning" not in proc.stdout + proc.stderr  # nor Dagster's skipped-step notices
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith(
        f"error in step ingest: {data / 'interviews-2026-10.csv.gz'}: gzip-compressed, but corrupt"
    )


def test_dagster_yaml_template_gives_the_instance_settings(tmp_path, monkeypatch):
    from dagster._core.scheduler.instigation import InstigatorType, TickStatus
    from dagster._core.storage.noop_compute_log_manager import NoOpComputeLogManager

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "new" / "home"))
    home = ensure_dagster_home()
    assert home == tmp_path / "new" / "home" and (home / "dagster.yaml").is_file()
    instance = dg.DagsterInstance.get()
    try:
        assert instance.telemetry_enabled is False
        assert instance.nux_enabled is False
        assert instance.run_monitoring_enabled is True
        assert instance.run_monitoring_start_timeout_seconds == 180
        assert instance.run_monitoring_max_runtime_seconds == 3600
        assert instance.run_coordinator.inst_data.config_dict["max_concurrent_runs"] == 1
        assert isinstance(instance.compute_log_manager, NoOpComputeLogManager)
        for kind in (InstigatorType.SENSOR, InstigatorType.SCHEDULE):
            retention = instance.get_tick_retention_settings(kind)
            assert retention[TickStatus.SUCCESS] == 30, kind
        assert instance.get_tick_retention_settings(InstigatorType.SENSOR)[TickStatus.SKIPPED] == 1
    finally:
        instance.dispose()


def test_dagster_yaml_copy_follows_the_template_but_a_users_own_file_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    target = tmp_path / "dagster.yaml"
    first_line = TEMPLATE.read_text().splitlines()[0]
    target.write_text(first_line + "\ntelemetry:\n  enabled: true\n")  # an older copy
    ensure_dagster_home()
    assert target.read_text() == TEMPLATE.read_text()
    target.write_text("run_storage: {}\n")  # the user's own
    ensure_dagster_home()
    assert target.read_text() == "run_storage: {}\n"


def test_old_finished_runs_are_deleted_and_the_newest_kept(tmp_path, monkeypatch):
    import pipelines.__main__ as cli

    @dg.asset
    def tiny() -> None:
        return None

    instance = dg.DagsterInstance.from_config(str(tmp_path))
    try:
        runs = [dg.materialize([tiny], instance=instance).run_id for _ in range(3)]
        assert cli.prune_runs(instance) == 0  # all younger than RUN_RETENTION_DAYS
        monkeypatch.setattr(cli, "RUN_RETENTION_DAYS", -1)  # now all count as old
        monkeypatch.setattr(cli, "RUNS_ALWAYS_KEPT", 1)
        assert cli.prune_runs(instance) == 2
        assert [r.run_id for r in instance.get_runs()] == [runs[-1]]
        assert not instance.all_logs(runs[0])  # with its event log
    finally:
        instance.dispose()


def test_automation_on_by_default_is_the_condition_sensor_only():
    d = defs()
    sensors = {s.name: s for s in d.sensors}
    assert sensors["automation_condition_sensor"].default_status == dg.DefaultSensorStatus.RUNNING
    assert sensors["new_input_files"].default_status == dg.DefaultSensorStatus.STOPPED
    assert daily_hiring_pipeline.default_status == dg.DefaultScheduleStatus.STOPPED
    # ... and it is what makes the eager reports asset rebuild on its own.
    graph = d.resolve_asset_graph()
    assert graph.get(dg.AssetKey("reports")).automation_condition is not None
    target = sensors["automation_condition_sensor"].asset_selection.resolve(graph)
    assert dg.AssetKey("reports") in target


def test_dg_names_the_code_location_after_the_project_not_the_folder():
    from dagster_dg_core.context import DgContext

    context = DgContext.for_project_environment(PROJECT_ROOT, {})
    assert context.code_location_name == "hiring-outcomes"
    assert context.code_location_target_module_name == "pipelines.definitions"


def test_make_run_and_dev_call_the_cli_and_clean_removes_dagster_home():
    def dry(*args: str) -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
        proc = subprocess.run(
            ["make", "-n", "-o", ".venv/.synced", *args],
            cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    assert dry("run").strip().endswith("python -m pipelines run")
    assert dry("run", "VERBOSE=1").strip().endswith("python -m pipelines run --verbose")
    assert dry("dev", "PORT=3999").strip().endswith("python -m pipelines dev --port 3999")
    assert ".dagster_home" in dry("clean")  # so run and dev must create it again


def test_dev_on_a_port_in_use_is_one_error_line(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "pipelines", "dev", "--port", str(port)],
            cwd=PROJECT_ROOT, env={**os.environ, "DAGSTER_HOME": str(tmp_path / "h")},
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        f"error: 127.0.0.1:{port} is in use (another `make dev`?); "
        "choose another port: PORT=3001 make dev"
    )


def test_a_failed_blocking_reason_check_stops_the_reports(pipeline_env, monkeypatch):
    """The reason checks run as one step; a blocking one that fails still stops what is built
    from the reason tables."""
    replace_reason_check(
        monkeypatch, "reasons_in_taxonomy", "select application_id from reason_assignments"
    )
    result = run_job()
    assert not result.success
    checks = check_results(result)
    assert checks[("reason_assignments", "reasons_in_taxonomy")] is False
    assert checks[("reason_assignments", "one_assignment_per_cohort_row")] is True
    built = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "reason_assignments" in built
    assert not {"report_cohort", "reports"} & built


def test_a_check_that_cannot_run_fails_the_run_after_the_others_report(pipeline_env, monkeypatch):
    replace_reason_check(monkeypatch, "reasons_in_taxonomy", "select * from no_such_table")
    result = run_job()
    assert not result.success
    reported = {c.check_name for c in result.get_asset_check_evaluations()}
    assert {"one_assignment_per_cohort_row", "confidence_between_0_and_1"} <= reported
    assert "reasons_in_taxonomy" not in reported
    failure = next(e for e in result.all_events if e.is_step_failure)
    message = failure.step_failure_data.user_failure_data.description
    assert "reason_assignments:reasons_in_taxonomy" in message and "no_such_table" in message
