"""``python -m pipelines run``: materialize every asset on HIRING_DATA_DIR and print a summary.

User mistakes (a missing folder, an unreadable file, a missing required column, a warehouse
built by an older version) end with one clear message and exit code 2, not a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import dagster as dg

from pipelines.definitions import defs
from pipelines.defs.resources import configured_paths
from pipelines.ingest import IngestError, check_headers, check_warehouse
from pipelines.summary import print_summary


def run() -> int:
    paths = configured_paths()
    data_dir, warehouse = paths.data_path, paths.warehouse_path
    print(f"input folder : {data_dir}")
    print(f"warehouse    : {warehouse}")
    try:
        # User mistakes get one line here, not a failed run's traceback.
        check_headers(data_dir)
        check_warehouse(warehouse)
    except IngestError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    instance = (
        dg.DagsterInstance.get()
        if os.environ.get("DAGSTER_HOME")
        else dg.DagsterInstance.ephemeral()
    )
    job = defs().resolve_job_def("hiring_pipeline")
    result = job.execute_in_process(
        instance=instance,
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
    )
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure and event.step_failure_data:
                data = event.step_failure_data
                if data.user_failure_data and data.user_failure_data.description:
                    msg = data.user_failure_data.description  # a user mistake, said plainly
                else:
                    err = data.error
                    msg = (err.message if err else "step failed").strip()
                    if err and err.cause:
                        msg += f" ({err.cause.message.strip()})"
                print(f"\nerror in step {event.step_key}: {msg}", file=sys.stderr)
        return 2
    print_summary(warehouse, paths.reports_path, time.perf_counter() - t0)
    return 0


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m pipelines")
    p.add_argument("command", choices=["run"], help="run: materialize every asset")
    p.parse_args(argv)
    sys.exit(run())


if __name__ == "__main__":
    main()
