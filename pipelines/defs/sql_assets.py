"""SQL tables as Dagster assets: one AssetSpec per ``sql/<step>/<table>.sql`` file, and asset
checks that are one query each (the query lists the violations; none = passed).

Check metadata holds the count of violations only, never the rows (they are about people).
"""

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import dagster as dg
from dagster_duckdb import DuckDBResource
from duckdb import BinderException, CatalogException, DuckDBPyConnection, ParserException
from duckdb import Error as DuckDBError

from pipelines.reasons.changes import current_watermark
from pipelines.run_state import checked_result, clean_since, record_checked
from pipelines.sqlgraph import SqlTable

# Errors that name tables and columns only, never values.
SCHEMA_ERRORS = (CatalogException, BinderException, ParserException)


def table_specs(
    tables: list[SqlTable],
    group: str,
    automation_condition: dg.AutomationCondition | None = None,
) -> list[dg.AssetSpec]:
    """One AssetSpec per SQL file: its table, its header as description, its reads as deps."""
    return [
        dg.AssetSpec(
            t.name,
            deps=list(t.deps),
            group_name=group,
            kinds={"duckdb"},
            description=t.description + f" (sql/{t.template}.sql)",
            automation_condition=automation_condition,
        )
        for t in tables
    ]


def loaded_specs(tables: dict[str, str], group: str) -> list[dg.AssetSpec]:
    """AssetSpecs for tables loaded from project files (rules, model), name → description."""
    return [
        dg.AssetSpec(name, group_name=group, kinds={"duckdb"}, description=description)
        for name, description in tables.items()
    ]


@dataclass(frozen=True)
class SqlCheck:
    """An asset check that passes when ``sql`` returns no row. ``since_sql``: the same check over
    the rows changed since the DuckDB variable ``check_since`` only, run instead when the last
    result was clean (a batch checks its own rows, not the whole table). ``data_version``: for
    tables that change otherwise than by an ingested file (the reason tables' version).

    What ``check_since`` counts: by default the ingest watermark (every ingested row carries its
    file, so ``since_sql`` sees the rows of every file after any earlier watermark). A check on
    tables that change otherwise gives its own ``counter`` and ``since_covers(con, since)``:
    whether ``since_sql`` sees every row changed since the counter stood at ``since``."""

    asset: str
    name: str
    description: str
    sql: str
    blocking: bool = False
    since_sql: str | None = None
    data_version: Callable[[DuckDBPyConnection], str] | None = None
    counter: Callable[[DuckDBPyConnection], int] | None = None
    since_covers: Callable[[DuckDBPyConnection, int], bool] | None = None

    @property
    def digest(self) -> str:
        text = self.sql + "\n" + (self.since_sql or "")
        return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()

    def evaluate(self, con: DuckDBPyConnection, watermark: int) -> dg.AssetCheckResult:
        """The check's result on the data as it stands. The version of the data it reads is the
        ingest watermark (the ingested tables change only with a file) or the check's own
        ``counter``, the ``data_version`` and the table's row count (a row added or removed by
        hand is checked anew): on data it has already checked, with the same query, it reports
        that result again instead of rescanning the table (a run with no new file scans
        nothing). Results are kept in the warehouse's ``asset_check_results``
        (pipelines.run_state)."""
        key, digest = f"{self.asset}:{self.name}", self.digest
        if self.counter is not None:
            watermark = self.counter(con)
        rows = con.execute(
            "select estimated_size from duckdb_tables() where table_name = ? "
            "and schema_name = 'main' and database_name = current_database()",
            [self.asset],
        ).fetchall()
        extra = self.data_version(con) if self.data_version else ""
        version = f"{watermark}-{extra}-{rows[0][0] if rows else ''}-{digest}"
        violations = checked_result(con, key, version)
        if violations is not None:
            return self._result(violations, {"reused": "data unchanged since checked"})
        since = clean_since(con, key, digest) if self.since_sql else None
        metadata: dict[str, object] = {}
        if (
            since is not None
            and since < watermark
            and (self.since_covers is None or self.since_covers(con, since))
        ):
            con.execute("set variable check_since = ?", [since])
            violations = len(con.execute(self.since_sql).fetchall())  # type: ignore[arg-type]
            metadata["rows_checked"] = (
                f"of files after file {since} (the rest passed before)"
                if self.counter is None
                else "of the rows the latest run changed (the rest passed before)"
            )
        else:
            violations = len(con.execute(self.sql).fetchall())
        record_checked(con, key, version, digest, watermark, violations)
        return self._result(violations, metadata)

    def _result(self, violations: int, metadata: dict[str, object]) -> dg.AssetCheckResult:
        return dg.AssetCheckResult(
            asset_key=self.asset,
            check_name=self.name,
            passed=not violations,
            metadata={"violations": violations, **metadata},
        )


def sql_checks(name: str, checks: list[SqlCheck]) -> dg.AssetChecksDefinition:
    """The checks as one Dagster step: each check's own result, blocking where it says so, and
    any subset of them runnable from the UI. One step, not one per check: each step costs a
    connection to the warehouse and a round of run events, about 0.1 s, in every run."""
    specs = [
        dg.AssetCheckSpec(c.name, asset=c.asset, description=c.description, blocking=c.blocking)
        for c in checks
    ]

    @dg.multi_asset_check(specs=specs, name=name, can_subset=True)
    def _checks(
        context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource
    ) -> Iterator[dg.AssetCheckResult]:
        selected = context.selected_asset_check_keys
        could_not_run = []
        with duckdb.get_connection() as con:
            watermark = current_watermark(con)
            for c in checks:
                if dg.AssetCheckKey(dg.AssetKey(c.asset), c.name) not in selected:
                    continue
                # A check that cannot run fails the step, as its own step did, but only after
                # the others have reported. Only schema errors are quoted: other errors (a
                # failed cast) can quote a value, and values are about people.
                try:
                    yield c.evaluate(con, watermark)
                except DuckDBError as e:
                    quoted = isinstance(e, SCHEMA_ERRORS)
                    could_not_run.append(
                        f"{c.asset}:{c.name} ({str(e).splitlines()[0] if quoted else type(e).__name__})"
                    )
        if could_not_run:
            raise dg.Failure(
                description="asset checks that could not run: " + "; ".join(could_not_run),
                allow_retries=False,
            )

    return _checks
