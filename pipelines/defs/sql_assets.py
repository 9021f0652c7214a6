"""SQL tables as Dagster assets: one AssetSpec per ``sql/<step>/<table>.sql`` file, and asset
checks that are one query each (the query lists the violations; none = passed).

Check metadata holds the count of violations only, never the rows (they are about people).
"""

import hashlib
from collections.abc import Callable

import dagster as dg
from dagster_duckdb import DuckDBResource
from duckdb import DuckDBPyConnection

from pipelines.reasons.changes import current_watermark
from pipelines.run_state import checked_result, clean_since, record_checked
from pipelines.sqlgraph import SqlTable


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


def sql_check(
    asset: str,
    name: str,
    description: str,
    sql: str,
    blocking: bool = False,
    since_sql: str | None = None,
    data_version: Callable[[DuckDBPyConnection], str] | None = None,
) -> dg.AssetChecksDefinition:
    """An asset check that passes when ``sql`` returns no row. The version of the data it reads
    is the ingest watermark (the ingested tables change only with a file), with ``data_version``
    for tables that also change otherwise (the reason tables' version): on data it has already
    checked, with the same query, the check reports that result again instead of rescanning the
    table (a run with no new file scans nothing). ``since_sql``: the same check
    over the rows of files after the DuckDB variable ``check_since`` only, run instead when the
    last result was clean (a batch checks its own rows, not the whole table). Results are kept
    in the warehouse's ``asset_check_results`` (pipelines.run_state)."""
    digest = hashlib.blake2b((sql + "\n" + (since_sql or "")).encode(), digest_size=8).hexdigest()

    @dg.asset_check(asset=asset, name=name, description=description, blocking=blocking)
    def _check(duckdb: DuckDBResource) -> dg.AssetCheckResult:
        key = f"{asset}:{name}"
        with duckdb.get_connection() as con:
            # (with the table's row count: a row added or removed by hand is checked anew)
            rows = con.execute(
                "select estimated_size from duckdb_tables() where table_name = ? "
                "and schema_name = 'main' and database_name = current_database()",
                [asset],
            ).fetchall()
            watermark = current_watermark(con)
            extra = data_version(con) if data_version else ""
            version = f"{watermark}-{extra}-{rows[0][0] if rows else ''}-{digest}"
            violations = checked_result(con, key, version)
            if violations is not None:
                return dg.AssetCheckResult(
                    passed=not violations,
                    metadata={"violations": violations, "reused": "data unchanged since checked"},
                )
            since = clean_since(con, key, digest) if since_sql else None
            metadata: dict[str, object] = {}
            if since is not None and since < watermark:
                con.execute("set variable check_since = ?", [since])
                violations = len(con.execute(since_sql).fetchall())  # type: ignore[arg-type]
                metadata["rows_checked"] = f"of files after file {since} (the rest passed before)"
            else:
                violations = len(con.execute(sql).fetchall())
            record_checked(con, key, version, digest, watermark, violations)
        return dg.AssetCheckResult(
            passed=not violations, metadata={"violations": violations, **metadata}
        )

    return _check
