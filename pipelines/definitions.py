"""The one Definitions object: everything under ``pipelines/defs`` plus the in-process executor.

One DuckDB file has one writer, so every step runs in this process (the multiprocess executor
would also add seconds per step). Works with ``dg`` and with ``dagster dev -m pipelines.definitions``.
"""

from __future__ import annotations

import dagster as dg

from pipelines.settings import PROJECT_ROOT, apply_defaults

apply_defaults()


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions.merge(
        dg.load_from_defs_folder(project_root=PROJECT_ROOT),
        dg.Definitions(executor=dg.in_process_executor),
    )
