"""Resources, configured from environment variables (defaults in ``pipelines.settings``)."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource
from duckdb import DuckDBPyConnection

from pipelines.settings import apply_defaults, resolve
from pipelines.warehouse import DEFAULT_MEMORY_LIMIT


class WarehouseResource(DuckDBResource):
    """DuckDBResource that creates the warehouse's folder first (a fresh clone has no data/ files)."""

    @contextmanager
    def get_connection(self) -> Iterator[DuckDBPyConnection]:
        resolve(self.database).parent.mkdir(parents=True, exist_ok=True)
        with super().get_connection() as con:
            yield con


class HiringPaths(dg.ConfigurableResource):
    """The input folder and the reports folder."""

    data_dir: str
    reports_dir: str

    @property
    def data_path(self) -> Path:
        return resolve(self.data_dir)

    @property
    def reports_path(self) -> Path:
        return resolve(self.reports_dir)


@dg.definitions
def resources() -> dg.Definitions:
    apply_defaults()
    return dg.Definitions(
        resources={
            "duckdb": WarehouseResource(
                database=dg.EnvVar("HIRING_WAREHOUSE"),
                connection_config={"memory_limit": DEFAULT_MEMORY_LIMIT},
            ),
            "paths": HiringPaths(
                data_dir=dg.EnvVar("HIRING_DATA_DIR"),
                reports_dir=dg.EnvVar("HIRING_REPORTS_DIR"),
            ),
        }
    )
