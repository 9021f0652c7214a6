"""Asset checks on the ingested tables, generated from the data contract."""

import dagster as dg
from duckdb import DuckDBPyConnection

from pipelines.contract import load_contract
from pipelines.defs.sql_assets import sql_check
from pipelines.ingest.checks import accepted_values_sql, foreign_key_sql, key_unique_sql
from pipelines.reasons.changes import current_watermark


def ingested(con: DuckDBPyConnection) -> str:
    """The version of the ingested tables: they change only when a file is ingested."""
    return f"ingest {current_watermark(con)}"


def build_checks() -> list[dg.AssetChecksDefinition]:
    checks = []
    for t in load_contract().tables.values():
        if t.key:
            checks.append(
                sql_check(
                    t.name,
                    "key_unique",
                    f"{', '.join(t.key)} is unique.",
                    key_unique_sql(t),
                    ingested,
                    since_sql=key_unique_sql(t, since=True),
                )
            )
        if any(c.references for c in t.columns):
            checks.append(
                sql_check(
                    t.name,
                    "foreign_keys",
                    "Every reference has its parent row.",
                    foreign_key_sql(t),
                    ingested,
                    since_sql=foreign_key_sql(t, since=True),
                )
            )
        checks.append(
            sql_check(
                t.name,
                "accepted_values",
                "Enums, ranges, required values.",
                accepted_values_sql(t),
                ingested,
                since_sql=accepted_values_sql(t, since=True),
            )
        )
    return checks


@dg.definitions
def ingest_checks() -> dg.Definitions:
    return dg.Definitions(asset_checks=build_checks())
