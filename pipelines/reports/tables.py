"""The ``report_*`` aggregate tables the pages read: the files of ``sql/reports``, run in
dependency order (``pipelines.sqlgraph``) in one transaction."""

from __future__ import annotations

import duckdb

from pipelines.contract import Contract, load_contract
from pipelines.reasons.rules import Rules, sql_params
from pipelines.sqlgraph import pipeline_graph
from pipelines.warehouse import transaction


def build_report_tables(
    con: duckdb.DuckDBPyConnection, rules: Rules, contract: Contract | None = None
) -> list[str]:
    """Build every ``sql/reports`` table; returns their names in the order they ran."""
    with transaction(con):
        return pipeline_graph().run_step(
            con, "reports", sql_params(rules, contract or load_contract())
        )
