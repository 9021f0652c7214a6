"""The whole-pipeline job, its daily schedule, a sensor for new input files, and the sensor that
evaluates the assets' automation conditions.

What is on when an instance starts, and why (README, "Operating it"): only
``automation_condition_sensor``. It starts a run only when an asset's condition asks for one (today:
``reports`` is eager, so it is rebuilt after any of its inputs is re-materialized, e.g. "re-run
reasons only" in the UI), so it is quiet and safe on a laptop. ``new_input_files`` and
``daily_hiring_pipeline`` start whole-pipeline runs by themselves: they are for a deployed
instance and are turned on there (UI, Automation), where the setting is kept in DAGSTER_HOME.

Neither sensor opens the DuckDB file, which has a single writer: the file sensor only lists the
input folder (names, sizes, modification times), the automation sensor reads the Dagster instance.
"""

import json
from pathlib import Path

import dagster as dg

from pipelines.contract import load_contract
from pipelines.defs.resources import HiringPaths
from pipelines.ingest import discover_files

hiring_pipeline = dg.define_asset_job(
    "hiring_pipeline",
    selection=dg.AssetSelection.all(),
    description="Ingest new files, assign reasons, publish the reports.",
    executor_def=dg.in_process_executor,
)

daily_hiring_pipeline = dg.ScheduleDefinition(
    name="daily_hiring_pipeline",
    job=hiring_pipeline,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="The whole pipeline at 06:00 UTC. Off by default: turn it on where the instance "
    "runs unattended.",
)


def input_fingerprint(data_dir: Path) -> dict[str, list[float]]:
    """Path in the folder → [size, mtime] of every input file the ingest would read (the
    ingest's own discovery). Keyed by the path, not the name: vendor exports keep their vendor's
    names (``greenhouse/applications.json`` beside ``lever/applications.json``), and a vendor
    file's size and time cover every file of its export folder."""
    if not data_dir.is_dir():
        return {}
    files, _ = discover_files(data_dir, load_contract())
    return {f.path.relative_to(data_dir).as_posix(): [f.size, f.mtime] for f in files}


@dg.sensor(
    job=hiring_pipeline,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Starts the pipeline when files in HIRING_DATA_DIR are added or change. Off by "
    "default: turn it on where the instance runs unattended.",
)
def new_input_files(
    context: dg.SensorEvaluationContext, paths: HiringPaths
) -> dg.SensorResult | dg.SkipReason:
    data_dir = paths.data_path
    current = input_fingerprint(data_dir)
    previous = json.loads(context.cursor) if context.cursor else {}
    changed = sorted(name for name, fp in current.items() if previous.get(name) != fp)
    if not changed:
        return dg.SkipReason(f"no new or changed input files in {data_dir}")
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=json.dumps(current, sort_keys=True), tags={"files": ",".join(changed)[:200]}
            )
        ],
        cursor=json.dumps(current, sort_keys=True),
    )


automation_condition_sensor = dg.AutomationConditionSensorDefinition(
    "automation_condition_sensor",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="Evaluates the assets' automation conditions (reports: eager, rebuilt when an input "
    "changes) and starts a run only when one asks for it. On by default.",
)


@dg.definitions
def automation() -> dg.Definitions:
    return dg.Definitions(
        jobs=[hiring_pipeline],
        schedules=[daily_hiring_pipeline],
        sensors=[new_input_files, automation_condition_sensor],
    )
