"""SQL for the data-quality checks on loaded tables, generated from the contract.

Each query returns the violating rows (empty = pass). Used by the Dagster asset checks and tests.
"""

from __future__ import annotations

from pipelines.contract import Table
from pipelines.warehouse import quote_ident, sql_literal


def key_unique_sql(t: Table) -> str:
    key = ", ".join(quote_ident(k) for k in t.key)
    return f"select {key}, count(*) from {quote_ident(t.name)} group by all having count(*) > 1 limit 20"


def foreign_key_sql(t: Table) -> str:
    parts = []
    for c in t.columns:
        if c.references:
            parent, pcol = c.references.split(".")
            col = quote_ident(c.name)
            parts.append(
                f"select {sql_literal(c.name)} as col, c.{col} as value from {quote_ident(t.name)} c "
                f"anti join {quote_ident(parent)} p on p.{quote_ident(pcol)} = c.{col} "
                f"where c.{col} is not null"
            )
    return " union all ".join(parts) + " limit 20"


def accepted_values_sql(t: Table) -> str:
    conds = []
    for c in t.columns:
        col = quote_ident(c.name)
        if c.required:
            conds.append(f"{col} is null")
        if c.values:
            vals = ", ".join(sql_literal(v) for v in c.values)
            conds.append(f"{col} not in ({vals})")
        if c.min is not None:
            conds.append(f"{col} < {c.min}")
        if c.max is not None:
            conds.append(f"{col} > {c.max}")
    where = " or ".join(conds) or "false"
    return f"select * from {quote_ident(t.name)} where {where} limit 20"
