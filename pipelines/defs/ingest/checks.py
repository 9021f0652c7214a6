"""Asset checks on the ingested tables, generated from the data contract."""

import dagster as dg

from pipelines.contract import load_contract
from pipelines.defs.sql_assets import SqlCheck, sql_checks
from pipelines.ingest.checks import accepted_values_sql, foreign_key_sql, key_unique_sql


def build_checks() -> list[SqlCheck]:
    checks = []
    for t in load_contract().tables.values():
        if t.key:
            checks.append(
                SqlCheck(
                    t.name,
                    "key_unique",
                    f"{', '.join(t.key)} is unique.",
                    key_unique_sql(t),
                    since_sql=key_unique_sql(t, since=True),
                )
            )
        if any(c.references for c in t.columns):
            checks.append(
                SqlCheck(
                    t.name,
                    "foreign_keys",
                    "Every reference has its parent row.",
                    foreign_key_sql(t),
                    since_sql=foreign_key_sql(t, since=True),
                )
            )
        checks.append(
            SqlCheck(
                t.name,
                "accepted_values",
                "Enums, ranges, required values.",
                accepted_values_sql(t),
                since_sql=accepted_values_sql(t, since=True),
            )
        )
    return checks


@dg.definitions
def ingest_checks() -> dg.Definitions:
    return dg.Definitions(asset_checks=[sql_checks("ingested_table_checks", build_checks())])
