"""The whole-pipeline job, its daily schedule, and a sensor for new input files.

The sensor only lists the input folder (names, sizes, modification times): it never opens the
DuckDB file, which has a single writer.
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
)


def input_fingerprint(data_dir: Path) -> dict[str, list[float]]:
    """Name → [size, mtime] of every input file the ingest would read (the ingest's own discovery)."""
    if not data_dir.is_dir():
        return {}
    files, _ = discover_files(data_dir, load_contract())
    return {f.path.name: [f.size, f.mtime] for f in files}


@dg.sensor(
    job=hiring_pipeline,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Starts the pipeline when files in HIRING_DATA_DIR are added or change.",
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


@dg.definitions
def automation() -> dg.Definitions:
    return dg.Definitions(
        jobs=[hiring_pipeline], schedules=[daily_hiring_pipeline], sensors=[new_input_files]
    )
