"""Asset checks on the ingested tables, generated from the data contract."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.contract import Table, load_contract
from pipelines.ingest_checks import accepted_values_sql, foreign_key_sql, key_unique_sql


def _check(table: Table, name: str, sql: str, description: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=table.name, name=name, description=description)
    def _run(duckdb: DuckDBResource) -> dg.AssetCheckResult:
        with duckdb.get_connection() as con:
            rows = con.execute(sql).fetchall()
        return dg.AssetCheckResult(
            passed=not rows, metadata={"violations": len(rows), "examples": str(rows[:5])}
        )

    return _run


def build_checks() -> list[dg.AssetChecksDefinition]:
    checks = []
    for t in load_contract().tables.values():
        if t.key:
            checks.append(
                _check(t, "key_unique", key_unique_sql(t), f"{', '.join(t.key)} is unique.")
            )
        if any(c.references for c in t.columns):
            checks.append(
                _check(t, "foreign_keys", foreign_key_sql(t), "Every reference has its parent row.")
            )
        checks.append(
            _check(t, "accepted_values", accepted_values_sql(t), "Enums, ranges, required values.")
        )
    return checks


@dg.definitions
def ingest_checks() -> dg.Definitions:
    return dg.Definitions(asset_checks=build_checks())
