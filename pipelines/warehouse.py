"""The DuckDB warehouse: opening it and running the SQL files under ``sql/``.

Free of Dagster so that tests, benchmarks and the CLI can use it alone.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import duckdb

T = TypeVar("T")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = PROJECT_ROOT / "sql"

# Peak memory target for the whole pipeline is 2 GiB; DuckDB spills past this. At 10M applications
# the process peaked at 2,166 MiB with 1280MB and 1,941 MiB with 1100MB (make bench).
DEFAULT_MEMORY_LIMIT = "1100MB"
MEMORY_VARIABLE = "HIRING_MEMORY_LIMIT"
# Below this, DuckDB fails the first step with a page of its own advice (10MB did).
MIN_MEMORY_BYTES = 100 * 10**6
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt](?:i?b)?|b)\s*", re.IGNORECASE)
_UNIT = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12}
_UNIT |= {"kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
_UNIT |= {u[0]: _UNIT[u] for u in ("kb", "mb", "gb", "tb")}  # DuckDB reads 3G as 3GB


def configured_memory_limit() -> str:
    """The memory cap a run uses: HIRING_MEMORY_LIMIT, else the default."""
    return os.environ.get(MEMORY_VARIABLE) or DEFAULT_MEMORY_LIMIT


def out_of_memory_advice() -> str:
    """What to do about running out of memory, in one line's end (DuckDB's own is a page)."""
    return f"under {MEMORY_VARIABLE}={configured_memory_limit()}: raise it, e.g. 3GB"


def memory_limit_problem(value: str) -> str | None:
    """Why ``value`` cannot be DuckDB's memory cap (HIRING_MEMORY_LIMIT), in one line; None when
    it can."""
    m = _SIZE.fullmatch(value)
    if not m:
        return f"{MEMORY_VARIABLE}={value!r}: not a size such as 1100MB or 3GB"
    if float(m[1]) * _UNIT[m[2].lower()] < MIN_MEMORY_BYTES:
        return f"{MEMORY_VARIABLE}={value!r}: below the 100MB the pipeline needs at least"
    return None


def connect(
    database: str | Path, memory_limit: str = DEFAULT_MEMORY_LIMIT
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file with the project's memory limit and a spill folder beside it."""
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path), config=connection_config(path, memory_limit))


def connection_config(path: Path, memory_limit: str = DEFAULT_MEMORY_LIMIT) -> dict[str, Any]:
    return {
        "memory_limit": memory_limit,
        "temp_directory": str(path.parent / (path.name + ".tmp")),
        "preserve_insertion_order": True,
    }


def quote_ident(name: str) -> str:
    """An identifier (table or column name) quoted for SQL: the one quoting helper for names."""
    return '"' + name.replace('"', '""') + '"'


def sql_literal(value: str) -> str:
    """A string as a SQL literal, only where a value cannot be bound as a ``?`` parameter: SQL
    generated from the project's own rules and contract files (patterns, enum lists, DDL)."""
    return "'" + value.replace("'", "''") + "'"


def guarded_groups(
    items: Sequence[T],
    pattern: Callable[[T], str],
    var: str,
    inner: Callable[[Sequence[T]], str],
    otherwise: str,
    size: int,
) -> list[str]:
    """Per group of ``size`` items: ``inner(group)`` when a pattern of the group matches ``var``,
    else ``otherwise``. The guard is the group's patterns as alternatives: RE2 reads it in one
    pass for about the cost of one pattern, and most texts match none, so a text costs one pass
    per group instead of one per pattern. Exact: when the guard fails, no pattern of the group
    matches. (Too large a group outgrows RE2's automaton's memory budget and is slower.)"""
    out = []
    for i in range(0, len(items), size):
        group = items[i : i + size]
        guard = sql_literal("|".join(f"(?:{pattern(x)})" for x in group))
        out.append(
            f"case when regexp_matches({var}, {guard}) then {inner(group)} else {otherwise} end"
        )
    return out


def guarded_rewrites(expr: str, rewrites: Sequence[tuple[str, str]], size: int) -> str:
    """SQL for ``expr`` with each (pattern, replacement) of ``rewrites`` applied in order, every
    match (``regexp_replace(..., 'g')``), tried in guarded groups of ``size``
    (:func:`guarded_groups`): a text that no pattern of a group matches skips the group's
    rewrites, which would each have left it as it is. NULL stays NULL."""

    def rewrite(group: Sequence[tuple[str, str]], text: str) -> str:
        for pattern, replacement in group:
            text = (
                f"regexp_replace({text}, {sql_literal(pattern)}, {sql_literal(replacement)}, 'g')"
            )
        return text

    def first(r: tuple[str, str]) -> str:
        return r[0]

    if not rewrites:
        return expr
    if len(rewrites) <= size:
        # One group is written out inline, its input three times (guard, rewrite, else): a
        # lambda naming it once makes the scrub 3x slower (1.5M texts: 0.5 s -> 1.5 s).
        return guarded_groups(rewrites, first, expr, lambda g: rewrite(g, expr), expr, size)[0]
    chained = expr
    for step in guarded_groups(rewrites, first, "t", lambda g: rewrite(g, "t"), "t", size):
        # Each group's input is the expression of the groups before it, named once as a
        # lambda's argument: written out three times per group, the expression would triple
        # with each group.
        chained = f"list_transform([{chained}], lambda t: {step})[1]"
    # Most texts match no pattern at all (4 in 5 recruiter notes): one pass over every pattern
    # at once lets them skip the groups' passes (reason_notes at 10M applications: 12.4-13.0 s
    # -> 6.9-9.0 s; this one pass over the 58 [[normalize]] patterns costs 1.0 s of it). Exact:
    # a text no pattern matches goes through every group unchanged. Re-measure when the
    # patterns grow: a guard over all 34 text rules was 40x slower than groups of 6 (RE2's
    # automaton outgrew its memory budget), and results would stay right, only slow.
    everything = sql_literal("|".join(f"(?:{first(r)})" for r in rewrites))
    return f"case when regexp_matches({expr}, {everything}) then {chained} else {expr} end"


def sql_text(name: str, **params: str) -> str:
    """The text of ``sql/<name>.sql`` with ``{{ param }}`` placeholders filled in.

    Placeholders are for identifiers and numeric settings that come from the project's own rules
    files, never for values from input data (those are bound as query parameters).
    """
    text = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in params:
            raise KeyError(f"sql/{name}.sql needs a value for {{{{ {key} }}}}")
        return str(params[key])

    return re.sub(r"\{\{\s*(\w+)\s*\}\}", fill, text)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Everything inside commits together, or (on any error or interrupt) not at all."""
    con.execute("begin transaction")
    try:
        yield
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    """The first value of a query's single row (fetches it all: duckdb 2.x wants results finished)."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        scalar(
            con,
            "select count(*) from information_schema.tables "
            "where table_name = ? and table_schema = 'main'",
            [table],
        )
    )


def row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    if not table_exists(con, table):
        return 0
    return int(scalar(con, f'select count(*) from "{table}"'))


def markdown_preview(con: duckdb.DuckDBPyConnection, query: str, limit: int = 5) -> str:
    """A small Markdown table of a query's first rows, for Dagster metadata."""
    rel = con.sql(f"select * from ({query}) limit {int(limit)}")
    cols = rel.columns
    rows = rel.fetchall()

    def cell(v: object) -> str:
        s = "" if v is None else str(v)
        s = s.replace("|", "\\|").replace("\n", " ")
        return s[:60] + ("…" if len(s) > 60 else "")

    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(cell(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)
