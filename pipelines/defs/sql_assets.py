"""SQL tables as Dagster assets: one AssetSpec per ``sql/<step>/<table>.sql`` file, and asset
checks that are one query each (the query lists the violations; none = passed).

Check metadata holds the count of violations only, never the rows (they are about people).
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

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
    asset: str, name: str, description: str, sql: str, blocking: bool = False
) -> dg.AssetChecksDefinition:
    """An asset check that passes when ``sql`` returns no row."""

    @dg.asset_check(asset=asset, name=name, description=description, blocking=blocking)
    def _check(duckdb: DuckDBResource) -> dg.AssetCheckResult:
        with duckdb.get_connection() as con:
            violations = len(con.execute(sql).fetchall())
        return dg.AssetCheckResult(passed=not violations, metadata={"violations": violations})

    return _check
