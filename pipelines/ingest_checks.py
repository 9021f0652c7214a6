"""SQL for the data-quality checks on loaded tables, generated from the contract.

Each query returns the violating rows (empty = pass). Used by the Dagster asset checks and tests.
"""

from __future__ import annotations

from pipelines.contract import Table


def key_unique_sql(t: Table) -> str:
    key = ", ".join(f'"{k}"' for k in t.key)
    return f'select {key}, count(*) from "{t.name}" group by all having count(*) > 1 limit 20'


def foreign_key_sql(t: Table) -> str:
    parts = []
    for c in t.columns:
        if c.references:
            parent, pcol = c.references.split(".")
            parts.append(
                f'select \'{c.name}\' as col, c."{c.name}" as value from "{t.name}" c '
                f'anti join "{parent}" p on p."{pcol}" = c."{c.name}" where c."{c.name}" is not null'
            )
    return " union all ".join(parts) + " limit 20"


def accepted_values_sql(t: Table) -> str:
    conds = []
    for c in t.columns:
        col = f'"{c.name}"'
        if c.required:
            conds.append(f"{col} is null")
        if c.values:
            vals = ", ".join("'" + v + "'" for v in c.values)
            conds.append(f"{col} not in ({vals})")
        if c.min is not None:
            conds.append(f"{col} < {c.min}")
        if c.max is not None:
            conds.append(f"{col} > {c.max}")
    where = " or ".join(conds) or "false"
    return f'select * from "{t.name}" where {where} limit 20'
