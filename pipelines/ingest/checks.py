"""SQL for the data-quality checks on loaded tables, generated from the contract.

Each query returns the violating rows (empty = pass). Used by the Dagster asset checks and tests.
"""

from __future__ import annotations

from pipelines.contract import Table
from pipelines.warehouse import quote_ident, sql_literal

# A check "since" a file reads only the rows of later files (``_file_id`` above the DuckDB
# variable ``check_since``): rows are only ever added by files and a parent row is never removed
# (a newer snapshot replaces it under the same key), so after a clean check only newer rows can
# break one. pipelines/defs/sql_assets.py sets the variable.
SINCE = "_file_id > getvariable('check_since')"


def key_unique_sql(t: Table, since: bool = False) -> str:
    """Keys held by more than one row (with ``since``: only keys of rows of later files)."""
    key = ", ".join(quote_ident(k) for k in t.key)
    rows = quote_ident(t.name)
    if since:
        rows = f"{rows} semi join (select {key} from {rows} where {SINCE}) using ({key})"
    return f"select {key}, count(*) from {rows} group by all having count(*) > 1 limit 20"


def foreign_key_sql(t: Table, since: bool = False) -> str:
    """References without their parent row (with ``since``: only rows of later files)."""
    parts = []
    for c in t.columns:
        if c.references:
            parent, pcol = c.references.split(".")
            col = quote_ident(c.name)
            newer = f" and c.{SINCE}" if since else ""
            parts.append(
                f"select {sql_literal(c.name)} as col, c.{col} as value from {quote_ident(t.name)} c "
                f"anti join {quote_ident(parent)} p on p.{quote_ident(pcol)} = c.{col} "
                f"where c.{col} is not null{newer}"
            )
    return " union all ".join(parts) + " limit 20"


def accepted_values_sql(t: Table, since: bool = False) -> str:
    """Rows with a value outside the contract (with ``since``: only rows of later files)."""
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
    if since:
        where = f"{SINCE} and ({where})"
    return f"select * from {quote_ident(t.name)} where {where} limit 20"
