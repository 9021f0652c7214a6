"""Validation, generated from the contract: typed values and problem reasons in one pass.

Row-level problems are found in the same pass that types the values (:func:`_load_sql`, the
staging insert); duplicate keys and orphans are then found on keys only, with set queries whose
results are small (see publish.py).
"""

from __future__ import annotations

from pipelines.contract import Column, Table
from pipelines.scrub import scrub_sql
from pipelines.warehouse import quote_ident, sql_literal

TRUE_WORDS, FALSE_WORDS = ("true", "t", "yes", "y", "1"), ("false", "f", "no", "n", "0")


def _one_of(expr: str, values: list[str] | tuple[str, ...]) -> str:
    """SQL that is true when ``expr`` is exactly one of ``values``. A cast to an ENUM, not IN:
    DuckDB turns an IN list of five or more values into a join, and a join in the staging insert
    loses the file's row order that row numbers are derived from."""
    enum = "ENUM(" + ", ".join(sql_literal(v) for v in values) + ")"
    return f"try_cast({expr} as {enum}) is not null"


def _cut(expr: str, c: Column) -> str:
    """``expr`` (a scrubbed text: cut after the scrub, so that the cut cannot leave half an e-mail
    address the scrub no longer recognises) cut to the column's max_chars, if it has one."""
    return f"left({expr}, {int(c.max_chars)})" if c.max_chars else expr


def _typed_expr(c: Column) -> str:
    # DuckDB's casts skip surrounding whitespace, so only text comparisons trim. Each expression
    # tries the common, exact case first: most values never reach lower()/regexp_replace().
    raw = f"r.{quote_ident(c.name)}"
    if c.scrubbed:
        # Personal data never reaches the warehouse file: free text is scrubbed here.
        raw = scrub_sql(raw)
    # (a value cut has max_chars characters: stage._log_cut_text counts them)
    raw = _cut(raw, c)
    match c.type:
        case "string":
            # trim() copies every value; most have no space at either end to remove.
            return f"case when {raw} like ' %' or {raw} like '% ' then nullif(trim({raw}), '') else {raw} end"
        case "text":
            return raw
        case "enum":
            n = f"lower(trim({raw}))"
            spaced = f"regexp_replace({n}, '\\s+', '_', 'g')"  # "Strong Yes" -> strong_yes
            return (
                f"case when {_one_of(raw, c.values)} then {raw} "
                f"when {_one_of(n, c.values)} then {n} "
                f"when {_one_of(spaced, c.values)} then {spaced} end"
            )
        case "date":
            return f"try_cast({raw} as date)"
        case "number":
            d = f"try_cast({raw} as double)"
            return f"case when isfinite({d}) then {d} end"
        case "integer":
            d = f"try_cast({raw} as double)"
            return f"case when {d} = round({d}) and abs({d}) < 1e15 then {d}::bigint end"
        case "boolean":
            n = f"lower(trim({raw}))"
            return (
                f"case when {_one_of(n, TRUE_WORDS)} then true "
                f"when {_one_of(n, FALSE_WORDS)} then false end"
            )
    raise ValueError(c.type)


def _fine_exprs(c: Column) -> list[str]:
    """Cheap tests that a value certainly has no problem. Only rows failing one of them get the
    reason string built (a blank optional value fails here but gets no reason: that is fine)."""
    raw, val = f"v.{quote_ident('raw_' + c.name)}", f"v.{quote_ident(c.name)}"
    out: list[str] = []
    if c.required:
        out.append(f"{val} is not null")
    elif c.type not in ("string", "text"):
        out.append(f"({val} is not null or {raw} is null)")
    if c.min is not None:
        out.append(f"coalesce({val} >= {c.min}, true)")
    if c.max is not None:
        out.append(f"coalesce({val} <= {c.max}, true)")
    return out


def _problems(c: Column) -> list[tuple[str, str, str]]:
    """(condition, reason, kind) SQL for each way a value can be bad: the reason names the
    (scrubbed) value for whoever fixes the file; the kind is fixed text, safe to show anywhere."""
    raw, val = f"v.{quote_ident('raw_' + c.name)}", f"v.{quote_ident(c.name)}"
    present = f"nullif(trim({raw}), '') is not null"
    shown = f"'''' || left({scrub_sql(raw)}, 80) || ''''"
    out: list[tuple[str, str, str]] = []
    if c.required:
        missing = f"missing required value for {c.name}"
        out.append((f"not ({present})", sql_literal(missing), missing))
    expected = {
        "enum": "one of " + "|".join(c.values),
        "date": "an ISO 8601 date such as 2026-03-14",
        "number": "a number",
        "integer": "a whole number",
        "boolean": "true or false",
    }.get(c.type)
    if expected:
        out.append(
            (
                f"{val} is null and {present}",
                f"{sql_literal(f'bad value for {c.name}: ')} || {shown} || "
                f"{sql_literal(f' (expected {expected})')}",
                f"bad value for {c.name}",
            )
        )
    if c.min is not None and c.max is not None:
        out.append(
            (
                f"{val} < {c.min} or {val} > {c.max}",
                f"{sql_literal(f'{c.name} out of range: ')} || {val} || "
                f"{sql_literal(f' (expected {c.min:g} to {c.max:g})')}",
                f"{c.name} out of range",
            )
        )
    elif c.min is not None:
        word = "negative" if c.min == 0 else "too small"
        out.append(
            (
                f"{val} < {c.min}",
                f"{sql_literal(f'{word} {c.name}: ')} || {val} || "
                f"{sql_literal(f' (must be at least {c.min:g})')}",
                f"{word} {c.name}",
            )
        )
    return out


def _implausible(table: Table) -> list[tuple[str, str, str]]:
    """(condition, reason, kind) for the contract's plausibility rules: a date outside the
    plausible window, and each of the table's ``implausible`` rules. The conditions read the
    row's typed values (the inner query's columns, by name)."""
    earliest, days_ahead = table.date_window
    out: list[tuple[str, str, str]] = []
    for c in table.columns:
        if c.type == "date":
            val = f"v.{quote_ident(c.name)}"
            latest = f"current_date + {int(days_ahead)}"
            out.append(
                (
                    f"{val} < date {sql_literal(earliest)} or {val} > {latest}",
                    f"{sql_literal(f'{c.name} outside the plausible window: ')} || {val} || "
                    f"{sql_literal(f' (expected {earliest} to ')} || ({latest}) || ')'",
                    f"{c.name} outside the plausible window",
                )
            )
    for rule in table.implausible:
        out.append((f"({rule.when})", sql_literal(rule.name), rule.name))
    return out


def _json_of(cols: list[str], prefix: str = "") -> str:
    """SQL for the columns ``cols`` (read from ``prefix``, e.g. ``c.``) as one JSON object."""
    return (
        "to_json(struct_pack("
        + ", ".join(f"{quote_ident(c)} := {prefix}{quote_ident(c)}" for c in cols)
        + "))::varchar"
    )


def _load_sql(table: Table, file_id: int, source: str, adapter: bool = False) -> str:
    """Insert one file's rows into ``_ingest_<table>``: typed, and for a row with a problem a
    ``_reject`` JSON holding the reason, its kind and the scrubbed raw record (NULL for every
    good row).

    ``adapter``: the rows come from a vendor adapter (``pipelines.sources``), whose query also
    has ``_raw`` (the vendor's record reduced to the fields the adapter reads, none of them
    personal, ids pseudonymised, free text scrubbed by the adapter SQL: kept as the raw record,
    and in the staging table's ``_raw`` for rows quarantined later) and ``_problem`` (why the
    adapter could not map the record, or NULL), which comes first among the row's reasons.

    The file id is written into the SQL as a number, not bound: this statement is also run as
    EXPLAIN on its own (tests/test_ingest_contract.py guards its plan), and ``source`` may bring
    its own parameters."""
    names = table.column_names
    typed = ", ".join(f"{_typed_expr(c)} as {quote_ident(c.name)}" for c in table.columns)
    raws = ", ".join(f"r.{quote_ident(c)} as {quote_ident('raw_' + c)}" for c in names)
    checks = [p for c in table.columns for p in _problems(c)] + _implausible(table)
    if adapter:
        raws += ", r._raw, r._problem"
        checks.insert(0, ("v._problem is not null", "v._problem", ""))
    problems = ", ".join(f"case when {cond} then {reason} end" for cond, reason, _ in checks)
    kinds = ", ".join(
        f"case when {cond} then {sql_literal(kind) if kind else reason} end"
        for cond, reason, kind in checks
    )
    fine = " and ".join(
        [p for c in table.columns for p in _fine_exprs(c)]
        + [f"coalesce(not ({cond}), true)" for cond, _, _ in _implausible(table)]
        + (["v._problem is null"] if adapter else [])
    )
    # A rejected row's raw record is kept for the user to fix the file, scrubbed like any text
    # (and free text cut to its max_chars, as when loaded).
    raw_record = (
        "struct_pack("
        + ", ".join(
            f"{quote_ident(c.name)} := {_cut(scrub_sql(quote_ident('raw_' + c.name)), c)}"
            for c in table.columns
        )
        + ")"
    )
    if adapter:
        raw_record = "json(_raw)"  # built by the adapter SQL: non-personal fields, text scrubbed
    cols = ", ".join(quote_ident(c) for c in names)
    raw_col = ", _raw" if adapter else ""  # (NULL for a contract file's rows)
    return f"""
        insert into _ingest_{table.name} ({cols}, _file_id, _reject{raw_col})
        select {cols}, {int(file_id)},
               case when reason is not null
                    then to_json(struct_pack(reason := reason, kind := reason_kind,
                                             record := {raw_record}))::varchar end{raw_col}
        from (
            select v.*,
                   case when {fine} then NULL
                        else nullif(concat_ws('; ', {problems}), '') end as reason,
                   case when {fine} then NULL else concat_ws('; ', {kinds}) end as reason_kind
            from (select {raws}, {typed} from ({source}) r) v
        )
    """
