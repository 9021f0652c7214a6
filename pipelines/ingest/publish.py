"""Publishing, a batch's second phase, inside the batch transaction: flag duplicates and orphans,
quarantine the bad rows, merge the rest into the typed tables, and log each file.

Flags go to a small side table, ``_flags_<table>``, so that the large working table is only ever
read, then trimmed by one delete.
"""

from __future__ import annotations

import time

import duckdb

from pipelines.contract import Table
from pipelines.ingest.context import BatchContext, FileResult
from pipelines.ingest.stage import _Staged
from pipelines.ingest.validate import _json_of
from pipelines.scrub import scrub_sql
from pipelines.warehouse import quote_ident, row_count, sql_literal


def _publish_table(ctx: BatchContext, table: Table, staged: _Staged) -> list[FileResult]:
    """Quarantine a staged table's bad rows and merge the rest (inside the batch transaction)."""
    con, files = ctx.con, ctx.files_of(table)
    t0, t = time.perf_counter(), table.name
    con.execute(
        f"create or replace temp table _flags_{t} (rid bigint, reason varchar, reason_kind varchar)"
    )
    staged_rows = f"select c.*, c.rowid as rid from _ingest_{t} c"
    con.execute(
        f"create or replace temp view _valid_{t} as select c.* from ({staged_rows}) c "
        f"anti join _flags_{t} g on g.rid = c.rid where c._reject is null"
    )
    for meta in staged.meta.values():
        if meta.ignored:
            ctx.log(f"{t}: ignored columns not in the contract: {', '.join(meta.ignored)}")
    # Rows read per file, counted before any reason is given (the conservation check compares).
    read = _per_file(con, f"select _file_id, count(*) from _ingest_{t} group by 1")
    rejected = _per_file(con, f"select file_id, count(*) from _rejects_{t} group by 1")

    # Orphans first: there are usually none, so the duplicate search that follows (over the
    # rows not yet flagged) excludes almost nothing.
    _flag_orphans(con, table)
    _flag_duplicates(con, table, len(files))
    # Rows flagged after typing are quarantined with their typed values (the raw text of a valid
    # row reads the same).
    typed_json = _json_of(table.column_names, "c.")
    joins, number = _row_number_sql(t, "c.rid")
    con.execute(
        f"""
        insert into quarantine
        select ?, ?, f.path, {number}, NULL, c._reject ->> '$.reason', c._reject ->> '$.kind',
               (c._reject -> '$.record')::varchar, ?
        from ({staged_rows} where c._reject is not null) c {joins}
        union all
        select ?, ?, f.path, {number}, NULL, g.reason, g.reason_kind,
               coalesce(c._raw, {typed_json}), ?
        from ({staged_rows}) c join _flags_{t} g on g.rid = c.rid {joins}
        union all
        -- the reader's reason starts with fixed text: "unreadable CSV line: <error type> (...)"
        select ?, ?, f.path, NULL, r.line_number, {scrub_sql("r.reason")},
               split_part(r.reason, ' (', 1), {scrub_sql("r.raw_line")}, ?
        from _rejects_{t} r join _files_{t} f using (file_id)
        """,
        [ctx.batch_id, t, ctx.now] * 3,
    )
    loaded = _per_file(con, f"select _file_id, count(*) from _valid_{t} group by 1")
    _merge(con, table, len(files))
    results = []
    for f in files:
        file_id = ctx.file_ids[f.path]
        n_read = read.get(file_id, 0) + rejected.get(file_id, 0)
        n_loaded = loaded.get(file_id, 0)
        n_bad = n_read - n_loaded
        meta = staged.meta[file_id]
        con.execute(
            "insert into ingest_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [file_id, ctx.batch_id, t, str(f.path), f.path.name, ctx.digests[f.path].result(),
             f.size, f.format, meta.encoding, n_read, n_loaded, n_bad, meta.ignored, ctx.now,
             f.source, meta.contract_version],
        )  # fmt: skip
        results.append(
            FileResult(t, str(f.path), n_read, n_loaded, n_bad, meta.encoding, meta.ignored)
        )
    n = sum(r.rows_read for r in results)
    q = sum(r.rows_quarantined for r in results)
    ctx.log(
        f"{t}: {n:,} rows read, {n - q:,} loaded, {q:,} quarantined "
        f"({staged.seconds + time.perf_counter() - t0:.1f}s)"
    )
    return results


def _per_file(con: duckdb.DuckDBPyConnection, sql: str) -> dict[int, int]:
    return {int(k): int(v) for k, v in con.execute(sql).fetchall()}


# Rows are staged in file order (preserve_insertion_order) and files one after another, so a
# staged row's number in its file follows from its rowid: no per-row column, and no
# row_number() window, which would serialise the parallel CSV reader. JSON Lines rows map their
# number to the physical line through _lines_<table>.
def _row_number_sql(t: str, rowid: str = "c.rowid") -> tuple[str, str]:
    """(joins, expression) giving a staged row's number in its file."""
    joins = (
        f"join _files_{t} f on f.file_id = c._file_id "
        f"left join _lines_{t} l on l.file_id = c._file_id "
        f"and l.ordinal = {rowid} - f.first_rowid + 1"
    )
    return joins, f"coalesce(l.line_number, {rowid} - f.first_rowid + 1)"


def _flag(con: duckdb.DuckDBPyConnection, table: Table, rows_sql: str) -> None:
    """Record a reason for the rows ``rows_sql`` returns (rid = staging rowid, reason, its kind)
    in a small side table, so that the large working table is only ever read, then trimmed by one
    delete."""
    con.execute(
        f"insert into _flags_{table.name} select rid, reason, reason_kind from ({rows_sql})"
    )


def _flag_duplicates(con: duckdb.DuckDBPyConnection, table: Table, n_files: int) -> None:
    t = table.name
    cols = ", ".join(f"c.{quote_ident(c)}" for c in table.column_names)
    files = ["_file_id"] if n_files > 1 else []  # duplicates are looked for within a file
    # A table without a key may name a duplicate key (interviews: the same interviewer's feedback
    # for the same round twice); rows with a NULL in it are never duplicates.
    key = table.key or table.duplicate_key
    if key:
        key_desc = " || ', ' || ".join(f"{sql_literal(k + '=')} || {quote_ident(k)}" for k in key)
        reason = (
            "case when whole is not distinct from first_whole then 'exact duplicate of row ' || "
            "first_row || ' of the same file' else 'conflicting duplicate key (' || "
            f"{key_desc} || '): differs from row ' || first_row || ' of the same file' end"
        )
        # Candidates share a key; the window compares rows by key.
        candidate = same_as = files + [quote_ident(k) for k in key]
        present = " and ".join(f"c.{quote_ident(k)} is not null" for k in table.duplicate_key)
        where = f" where {present}" if not table.key and present else ""
        rows = f"select c.* from _valid_{t} c{where}"
        staged = f"select c.* from _ingest_{t} c{where}"
    else:
        reason = "'exact duplicate of row ' || first_row || ' of the same file'"
        # Candidates share a row hash; the window compares whole rows (a hash may collide).
        candidate, same_as = files + ["h"], files + [quote_ident(c) for c in table.column_names]
        rows = f"select c.*, hash({cols}) as h from _valid_{t} c"
        staged = f"select c._file_id, hash({cols}) as h from _ingest_{t} c"
    by = ", ".join(candidate)
    # The keys (or row hashes) that occur more than once are found first, on narrow columns and
    # over every staged row (a superset: cheaper than excluding rejected and flagged rows here);
    # usually there are none, and only the valid rows among theirs are numbered and windowed.
    # Sorting and comparing neighbours beats a hash aggregate when nearly every value is unique
    # (10M application ids: 0.32 s against 0.72 s).
    leads = ", ".join(f"lead({g}) over w as _next_{i}" for i, g in enumerate(candidate))
    same = " and ".join(f"{g} = _next_{i}" for i, g in enumerate(candidate))
    con.execute(
        f"create or replace temp table _repeated as select distinct {by} from "
        f"(select {by}, {leads} from ({staged}) c window w as (order by {by})) where {same}"
    )
    if not row_count(con, "_repeated"):
        return
    joins, number = _row_number_sql(t, "c.rid")
    _flag(
        con,
        table,
        f"""
        select rid, {reason} as reason,
               case when whole is not distinct from first_whole then 'exact duplicate'
                    else 'conflicting duplicate key' end as reason_kind
        from (
            select *, row_number() over w as occurrence,
                   first_value(n) over w as first_row,
                   first_value(whole) over w as first_whole
            from (select c.*, {number} as n, struct_pack({cols}) as whole
                  from (select r.* from ({rows}) r semi join _repeated d using ({by})) c {joins})
            window w as (partition by {", ".join(same_as)} order by rid)
        ) where occurrence > 1
        """,
    )


def _flag_orphans(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    for c in table.columns:
        if not c.references:
            continue
        parent, pcol = c.references.split(".")
        col = quote_ident(c.name)
        _flag(
            con,
            table,
            f"""
            select c.rid,
                   {sql_literal(f"orphan foreign key: {c.name} '")} || c.{col} || {sql_literal(f"' not found in {parent}")}
                   as reason, {sql_literal(f"orphan foreign key: {c.name}")} as reason_kind
            from _valid_{table.name} c
            anti join {quote_ident(parent)} p on p.{quote_ident(pcol)} = c.{col}
            where c.{col} is not null
            """,
        )


# --------------------------------------------------------------------------------------------
# Merge: valid rows replace older snapshots of the same key in the typed table


def _merge(con: duckdb.DuckDBPyConnection, table: Table, n_files: int) -> None:
    """Apply the batch's valid rows: newer snapshots replace older ones of the same key."""
    t = table.name
    target = quote_ident(t)
    con.execute(f"create or replace temp table _superseded_{t} (rid bigint)")
    stored = row_count(con, t) > 0
    if table.key:
        key = ", ".join(quote_ident(k) for k in table.key)
        key_eq = " and ".join(f"t.{quote_ident(k)} = c.{quote_ident(k)}" for k in table.key)
        v = quote_ident(table.version_column) if table.version_column else None
        if n_files > 1:
            # One key in several files of this batch: the newest snapshot wins.
            order = (f"{v} desc nulls last, " if v else "") + "_file_id desc, rid desc"
            con.execute(
                f"""
                insert into _superseded_{t}
                select rid from (
                    select rid, row_number() over (partition by {key} order by {order}) as rank
                    from _valid_{t} semi join (select {key} from _valid_{t}
                        group by all having count(*) > 1) using ({key})
                ) where rank > 1
                """
            )
        if stored and v:
            # An older snapshot sent again must not overwrite a newer stored one.
            con.execute(
                f"""
                insert into _superseded_{t}
                select c.rid from _valid_{t} c join {target} t on {key_eq}
                where coalesce(t.{v}, date '0001-01-01') > coalesce(c.{v}, date '0001-01-01')
                """
            )
        replace_on = list(table.key)
    else:
        snap = ", ".join(quote_ident(k) for k in table.snapshot_key)
        if n_files > 1:
            # The newest file's rows for an application replace the older files' rows.
            con.execute(
                f"""
                insert into _superseded_{t}
                select rid from (
                    select rid, _file_id, max(_file_id) over (partition by {snap}) as newest
                    from _valid_{t}
                ) where _file_id < newest
                """
            )
        replace_on = list(table.snapshot_key)
    if not stored:
        # First load: the working table, less its excluded rows and working columns, becomes the
        # table. Deleting from committed data, dropping columns and renaming rewrite nothing; a
        # copy would write every row a second time.
        con.execute(
            f"delete from _ingest_{t} where _reject is not null "
            f"or rowid in (select rid from _flags_{t} union all select rid from _superseded_{t})"
        )
        con.execute(f"drop view _valid_{t}")
        con.execute(f"alter table _ingest_{t} drop column _reject")
        con.execute(f"alter table _ingest_{t} drop column _raw")
        con.execute(f"drop table {target}")
        con.execute(f"alter table _ingest_{t} rename to {target}")
        return
    incoming = f"select c.* from _valid_{t} c anti join _superseded_{t} s on s.rid = c.rid"
    replace_cols = ", ".join(quote_ident(k) for k in replace_on)
    on = " and ".join(f"t.{quote_ident(k)} = i.{quote_ident(k)}" for k in replace_on)
    con.execute(
        f"delete from {target} t using (select distinct {replace_cols} from ({incoming})) i where {on}"
    )
    cols = ", ".join(f"c.{quote_ident(c)}" for c in table.column_names)
    con.execute(f"insert into {target} select {cols}, c._file_id from ({incoming}) c")
