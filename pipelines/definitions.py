"""The one Definitions object: everything under ``pipelines/defs`` plus the in-process executor.

One DuckDB file has one writer, so every step runs in this process (the multiprocess executor
would also add seconds per step). Works with ``dg`` and with ``dagster dev -m pipelines.definitions``.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions.merge(
        dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
        dg.Definitions(executor=dg.in_process_executor),
    )
