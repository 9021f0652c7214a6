"""Runs the reason tables in dependency order: the cohort, its evidence, one reason each, the
review queue (``sql/reasons``), and the rule audit (``sql/rule_audit``). Free of Dagster."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from pipelines.contract import Contract, load_contract
from pipelines.reasons.model import load_model
from pipelines.reasons.rules import Rules, register_rules, sql_params
from pipelines.sqlgraph import pipeline_graph
from pipelines.warehouse import transaction


def assign_reasons(
    con: duckdb.DuckDBPyConnection, rules: Rules, contract: Contract | None = None
) -> list[str]:
    """Build the rules and model tables and every table of ``sql/reasons``, in one transaction
    (a reader never sees assignments from one run beside evidence from another). Returns the
    tables built, in the order they ran."""
    params = sql_params(rules, contract or load_contract())
    with transaction(con):
        register_rules(con, rules)
        load_model(con)
        return pipeline_graph().run_step(con, "reasons", params)


def build_rule_audit(
    con: duckdb.DuckDBPyConnection,
    eval_precision: Sequence[tuple[str, int, float]],
    rules: Rules,
    contract: Contract | None = None,
) -> None:
    """``reason_rule_eval`` (the evaluation set's precision per rule) and ``reason_rule_audit``."""
    with transaction(con):
        con.execute(
            "create or replace table reason_rule_eval "
            "(rule_id varchar, eval_fired bigint, eval_precision double)"
        )
        if eval_precision:
            con.executemany(
                "insert into reason_rule_eval values (?, ?, ?)", [list(r) for r in eval_precision]
            )
        pipeline_graph().run_step(con, "rule_audit", sql_params(rules, contract or load_contract()))
