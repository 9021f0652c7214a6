"""Resources, configured from environment variables: the one place that reads the environment.

Each variable that is set becomes a ``dg.EnvVar`` (so the UI shows where a value came from); an
unset one leaves the resource's default, an absolute path inside the project. The command line
(``python -m pipelines``) and the sensor get their paths from these resources too.
"""

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource
from duckdb import DuckDBPyConnection
from pydantic import PrivateAttr

from pipelines.contract import Contract, load_contract
from pipelines.preflight import open_error
from pipelines.reasons.rules import RULES_FILE, Rules, load_rules
from pipelines.sources import resolve_key
from pipelines.warehouse import (
    DEFAULT_MEMORY_LIMIT,
    MEMORY_VARIABLE,
    PROJECT_ROOT,
    connect,
    memory_limit_problem,
)

# variable → (resource field, default)
ENVIRONMENT = {
    "HIRING_DATA_DIR": ("data_dir", PROJECT_ROOT / "data" / "sample"),
    "HIRING_WAREHOUSE": ("warehouse", PROJECT_ROOT / "data" / "warehouse.duckdb"),
    "HIRING_REPORTS_DIR": ("reports_dir", PROJECT_ROOT / "reports"),
    # The secret of the keyed pseudonyms of vendor-export ids; unset: a key file beside the
    # warehouse (pipelines.sources.pseudonym), created on first use.
    "HIRING_PSEUDONYM_KEY": ("pseudonym_key", ""),
}


def resolve(path: str) -> Path:
    """A configured path; relative ones are relative to the directory the command runs in."""
    return Path(path).expanduser().resolve()


class HiringPaths(dg.ConfigurableResource):
    """The input folder, the warehouse file, the reports folder, and the pseudonym key."""

    data_dir: str = str(ENVIRONMENT["HIRING_DATA_DIR"][1])
    warehouse: str = str(ENVIRONMENT["HIRING_WAREHOUSE"][1])
    reports_dir: str = str(ENVIRONMENT["HIRING_REPORTS_DIR"][1])
    pseudonym_key: str = ""

    @property
    def data_path(self) -> Path:
        return resolve(self.data_dir)

    @property
    def warehouse_path(self) -> Path:
        return resolve(self.warehouse)

    @property
    def reports_path(self) -> Path:
        return resolve(self.reports_dir)

    def pseudonym_key_bytes(self, log: Callable[[str], None]) -> bytes:
        """The pseudonym key: HIRING_PSEUDONYM_KEY, else the key file beside the warehouse
        (created on first use, which ``log`` is told once)."""
        key, created = resolve_key(self.pseudonym_key or None, self.warehouse_path)
        if created:
            log(created)
        return key


class WarehouseResource(DuckDBResource):
    """DuckDBResource opened the project's way (``pipelines.warehouse.connect``): the folder is
    created first (a fresh clone has no data/ files), a spill folder sits beside the file, and
    DuckDB's memory is capped at ``memory_limit`` (HIRING_MEMORY_LIMIT); past it, it spills."""

    memory_limit: str = DEFAULT_MEMORY_LIMIT

    @contextmanager
    def get_connection(self) -> Iterator[DuckDBPyConnection]:
        limit = str(self.connection_config.get("memory_limit", self.memory_limit))
        if problem := memory_limit_problem(limit):
            raise dg.Failure(description=problem, allow_retries=False)
        path = resolve(self.database)
        try:
            con = connect(path, limit)
        except duckdb.Error as e:
            # At once and in one line (who holds it), not after minutes of retries.
            raise dg.Failure(description=open_error(path, e), allow_retries=False) from e
        try:
            yield con
        finally:
            con.close()


class ReasonRules(dg.ConfigurableResource):
    """The reason rules and the data contract, loaded once per run and passed down."""

    rules_file: str = str(RULES_FILE)
    _rules: Rules = PrivateAttr()

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._rules = load_rules(Path(self.rules_file))

    @property
    def rules(self) -> Rules:
        return self._rules

    @property
    def rules_path(self) -> Path:
        return resolve(self.rules_file)

    @property
    def contract(self) -> Contract:
        return load_contract()


def _set_variables() -> dict[str, str]:
    """The paths' variables that are set: variable → resource field."""
    return {var: field for var, (field, _) in ENVIRONMENT.items() if os.environ.get(var)}


def hiring_paths() -> HiringPaths:
    """The paths resource, from the environment."""
    return HiringPaths(**{field: dg.EnvVar(var) for var, field in _set_variables().items()})


def configured_paths() -> HiringPaths:
    """The paths resource with its environment variables' values, for code outside a run.
    The values themselves, not ``dg.EnvVar``: resolving those goes through Dagster's resource
    initialisation, which builds an ephemeral instance (0.5 s of every ``make run``)."""
    return HiringPaths(**{field: os.environ[var] for var, field in _set_variables().items()})


@dg.definitions
def resources() -> dg.Definitions:
    paths = hiring_paths()
    memory = {"memory_limit": dg.EnvVar(MEMORY_VARIABLE)} if os.environ.get(MEMORY_VARIABLE) else {}
    return dg.Definitions(
        resources={
            "duckdb": WarehouseResource(database=paths.warehouse, **memory),
            "paths": paths,
            "reason_rules": ReasonRules(),
        }
    )
