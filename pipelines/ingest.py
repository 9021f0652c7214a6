"""Load an input folder into the warehouse under the data contract.

Every input row ends up either in its table or in ``quarantine`` with a specific reason. One call of
:func:`ingest_folder` is one *batch*: the files not seen before (by content hash) are read, validated
and merged in a single transaction, so a run killed midway leaves the previous good state.

All work is set-based DuckDB SQL generated from the contract; Python only lists files and reads
CSV headers.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.contract import Column, Contract, Table, load_contract
from pipelines.warehouse import row_count, scalar

FORMATS = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}
MAX_LINE_BYTES = 8 * 1024 * 1024  # a 200 KB recruiter note must fit comfortably


class IngestError(Exception):
    """A file that cannot be read at all. The message names the file and the problem."""


@dataclass(frozen=True)
class InputFile:
    table: str
    path: Path
    format: str
    sha256: str
    size: int


@dataclass
class FileResult:
    table: str
    path: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    encoding: str
    ignored_columns: list[str]


@dataclass
class BatchResult:
    batch_id: int | None
    files: list[FileResult] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)
    unrecognised_files: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def totals(self, table: str) -> tuple[int, int, int]:
        fs = [f for f in self.files if f.table == table]
        return (
            sum(f.rows_read for f in fs),
            sum(f.rows_loaded for f in fs),
            sum(f.rows_quarantined for f in fs),
        )


# --------------------------------------------------------------------------------------------
# Finding files


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def table_for_file(name: str, contract: Contract) -> str | None:
    """``applications.csv`` and ``applications-2026-05.csv`` both belong to ``applications``."""
    stem, suffix = Path(name).stem, Path(name).suffix.lower()
    if suffix not in FORMATS:
        return None
    for table in contract.tables:
        if stem == table or re.fullmatch(rf"{table}[-_.].+", stem):
            return table
    return None


def discover_files(data_dir: Path, contract: Contract) -> tuple[list[InputFile], list[str]]:
    """Input files in load order (contract table order, then file name), and unrecognised names."""
    if not data_dir.is_dir():
        raise IngestError(f"{data_dir}: input folder does not exist (set HIRING_DATA_DIR)")
    found: list[InputFile] = []
    unrecognised: list[str] = []
    for path in sorted(p for p in data_dir.iterdir() if p.is_file() and not p.name.startswith(".")):
        table = table_for_file(path.name, contract)
        if table is None:
            unrecognised.append(path.name)
            continue
        found.append(
            InputFile(table, path, FORMATS[path.suffix.lower()], _sha256(path), path.stat().st_size)
        )
    order = list(contract.tables)
    found.sort(key=lambda f: (order.index(f.table), f.path.name))
    return found, unrecognised


def check_headers(data_dir: Path, contract: Contract | None = None) -> None:
    """Fail fast, before any run, on the mistakes that would fail the batch: a missing folder, an
    unreadable file, a missing required column. Reads CSV headers and Parquet schemas only (JSON
    Lines keys are only known after reading, so those files are checked during the load)."""
    contract = contract or load_contract()
    files, _ = discover_files(data_dir, contract)
    con = duckdb.connect()
    try:
        for f in files:
            table = contract.table(f.table)
            if f.format == "csv":
                _check_columns(f.path, table, _csv_header(f.path))
            elif f.format == "parquet":
                try:
                    schema = con.execute(
                        f"describe select * from read_parquet({_q(f.path)})"
                    ).fetchall()
                except duckdb.Error as e:
                    raise IngestError(
                        f"{f.path}: cannot be read as Parquet: {_first_line(e)}"
                    ) from e
                _check_columns(f.path, table, [str(r[0]).strip().lower() for r in schema])
    finally:
        con.close()


# --------------------------------------------------------------------------------------------
# DDL


def ensure_tables(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Create the typed tables, quarantine and ingest log if they are missing."""
    for t in contract.tables.values():
        cols = ", ".join(f'"{c.name}" {c.sql_type}' for c in t.columns)
        con.execute(
            f'create table if not exists "{t.name}" ({cols}, '
            "_batch_id integer, _source_file varchar)"
        )
    con.execute(
        """
        create table if not exists quarantine (
            batch_id integer, source_table varchar, source_file varchar,
            row_number bigint, line_number bigint, reason varchar, raw_record varchar,
            quarantined_at timestamp)
        """
    )
    con.execute(
        """
        create table if not exists ingest_batches (
            batch_id integer, data_dir varchar, contract_version varchar,
            started_at timestamp, finished_at timestamp, files integer)
        """
    )
    con.execute(
        """
        create table if not exists ingest_log (
            batch_id integer, source_table varchar, path varchar, file_name varchar,
            content_sha256 varchar, size_bytes bigint, format varchar, encoding varchar,
            rows_read bigint, rows_loaded bigint, rows_quarantined bigint,
            ignored_columns varchar[], ingested_at timestamp)
        """
    )


# --------------------------------------------------------------------------------------------
# Reading one file: each reader turns a file into a query of text columns and hands it to
# `load`, which validates and types the rows in the same pass (see _load_sql).

Load = Callable[[str], None]


def _q(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _first_line(e: BaseException) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__


def _csv_header(path: Path) -> list[str]:
    """Header names, trimmed and lower-cased (the header line alone decides nothing about the
    file's encoding: that is found while reading, see _read_csv)."""
    with path.open("rb") as f:
        first = f.readline(1 << 20)
    if not first.strip():
        raise IngestError(f"{path}: file is empty or has no header line")
    if first.startswith(b"\xef\xbb\xbf"):
        first = first[3:]
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError:
        text = first.decode("latin-1")
    names = next(csv.reader(io.StringIO(text)), [])
    return [n.strip().lower() for n in names]


def _check_columns(path: Path, table: Table, names: list[str]) -> list[str]:
    """Fail on missing required or duplicated contract columns; return ignored extra columns."""
    contract_cols = set(table.column_names)
    dupes = sorted({n for n in names if names.count(n) > 1 and n in contract_cols})
    if dupes:
        raise IngestError(f"{path}: column {dupes[0]!r} appears more than once in the header")
    missing = [c for c in table.required if c not in names]
    if missing:
        raise IngestError(
            f"{path}: missing required column {missing[0]!r} for table {table.name!r} "
            f"(required: {', '.join(table.required)})"
        )
    return [n for n in names if n not in contract_cols]


def _text_columns(table: Table, present: set[str], expr: Callable[[str], str]) -> str:
    return ", ".join(
        f'{expr(c)} as "{c}"' if c in present else f'NULL::varchar as "{c}"'
        for c in table.column_names
    )


def _read_csv(
    con: duckdb.DuckDBPyConnection, f: InputFile, table: Table, seq: int, load: Load
) -> tuple[list[str], str]:
    names, encoding = _csv_header(f.path), "utf-8"
    ignored = _check_columns(f.path, table, names)
    # Every header column is read as text by position; extra names get unique aliases.
    aliases = [n if n in table.column_names else f"_extra_{i}" for i, n in enumerate(names)]
    columns = "{" + ", ".join(f"'{a}': 'VARCHAR'" for a in aliases) + "}"
    cols = _text_columns(table, set(names), lambda c: f'"{c}"')

    def read(enc: str) -> None:
        con.execute("drop table if exists _rejects; drop table if exists _reject_scans")
        load(
            f"""
            select NULL::bigint as row_number, {cols}
            from read_csv({_q(f.path)}, auto_detect = false, header = true, columns = {columns},
                          delim = ',', quote = '"', escape = '"', encoding = '{enc}',
                          max_line_size = {MAX_LINE_BYTES}, store_rejects = true,
                          rejects_table = '_rejects', rejects_scan = '_reject_scans')
            """
        )

    try:
        read(encoding)
        if scalar(con, "select count(*) from _rejects where error_type = 'INVALID ENCODING'"):
            # Not UTF-8: read again as Latin-1, which every byte sequence is.
            con.execute(f"delete from _ingest_{table.name} where file_seq = {seq}")
            encoding = "latin-1"
            read(encoding)
    except duckdb.Error as e:
        raise IngestError(f"{f.path}: cannot be read as CSV: {_first_line(e)}") from e
    # Lines the CSV reader could not split into the header's columns are quarantined whole
    # (the reader may report one line twice; keep its first error).
    con.execute(
        f"""
        insert into _rejects_batch
        select {seq}, line, arg_min(csv_line, byte_position),
               'unreadable CSV line: ' || lower(replace(arg_min(error_type, byte_position), '_', ' '))
               || ' (' || arg_min(error_message, byte_position) || ')'
        from _rejects group by line
        """
    )
    return ignored, encoding


def _read_parquet(
    con: duckdb.DuckDBPyConnection, f: InputFile, table: Table, seq: int, load: Load
) -> tuple[list[str], str]:
    try:
        schema = con.execute(f"describe select * from read_parquet({_q(f.path)})").fetchall()
    except duckdb.Error as e:
        raise IngestError(f"{f.path}: cannot be read as Parquet: {_first_line(e)}") from e
    original = {str(r[0]).strip().lower(): str(r[0]) for r in schema}
    ignored = _check_columns(f.path, table, [str(r[0]).strip().lower() for r in schema])
    cols = _text_columns(table, set(original), lambda c: f'cast("{original[c]}" as varchar)')
    load(
        f"select file_row_number + 1 as row_number, {cols} "
        f"from read_parquet({_q(f.path)}, file_row_number = true)"
    )
    return ignored, "parquet"


def _read_jsonl(
    con: duckdb.DuckDBPyConnection, f: InputFile, table: Table, seq: int, load: Load
) -> tuple[list[str], str]:
    # Physical lines as text (\x1f never appears unescaped in valid JSON), then parse each.
    try:
        con.execute(
            f"""
            create or replace temp table _json as
            select line_number, line,
                   case when json_valid(line) and json_type(line) = 'OBJECT' then line::json end as j
            from (select row_number() over () as line_number, line
                  from read_csv({_q(f.path)}, auto_detect = false, header = false,
                                columns = {{'line': 'VARCHAR'}}, delim = '\\x1f', quote = '',
                                escape = '', max_line_size = {MAX_LINE_BYTES}))
            where trim(coalesce(line, '')) <> ''
            """
        )
    except duckdb.Error as e:
        raise IngestError(f"{f.path}: cannot be read as JSON Lines: {_first_line(e)}") from e
    keys = [r[0] for r in con.execute("select distinct unnest(json_keys(j)) from _json").fetchall()]
    by_lower = {str(k).strip().lower(): str(k) for k in keys}
    names = sorted(by_lower)
    ignored = _check_columns(f.path, table, names) if keys else []

    def extract(c: str) -> str:
        return "j ->> '$.\"" + by_lower[c].replace('"', '\\"').replace("'", "''") + "\"'"

    load(
        f"select line_number as row_number, {_text_columns(table, set(names), extract)} "
        "from _json where j is not null"
    )
    con.execute(
        f"""
        insert into _rejects_batch
        select {seq}, line_number, left(line, 100000), 'unreadable JSON line: not a JSON object'
        from _json where j is null
        """
    )
    return ignored, "utf-8"


READERS: dict[
    str,
    Callable[[duckdb.DuckDBPyConnection, InputFile, Table, int, Load], tuple[list[str], str]],
] = {"csv": _read_csv, "parquet": _read_parquet, "jsonl": _read_jsonl}


# --------------------------------------------------------------------------------------------
# Validation, generated from the contract. Row-level problems are found in the same pass that
# types the values; duplicate keys and orphans are then found on keys only, with set queries
# whose results are small.


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _typed_expr(c: Column) -> str:
    raw = f'r."{c.name}"'
    match c.type:
        case "string":
            return f"nullif(trim({raw}), '')"
        case "text":
            return f"nullif({raw}, '')"
        case "enum":
            values = ", ".join(_lit(v) for v in c.values)
            n = f"lower(trim({raw}))"
            # The regexp (inner spaces → _) only runs for values not already exact.
            spaced = f"regexp_replace({n}, '\\s+', '_', 'g')"
            return (
                f"case when {n} in ({values}) then {n} "
                f"when {spaced} in ({values}) then {spaced} end"
            )
        case "date":
            return f"try_cast(trim({raw}) as date)"
        case "number":
            d = f"try_cast(trim({raw}) as double)"
            return f"case when isfinite({d}) then {d} end"
        case "integer":
            d = f"try_cast(trim({raw}) as double)"
            return f"case when {d} = round({d}) and abs({d}) < 1e15 then {d}::bigint end"
        case "boolean":
            n = f"lower(trim({raw}))"
            return (
                f"case when {n} in ('true','t','yes','y','1') then true "
                f"when {n} in ('false','f','no','n','0') then false end"
            )
    raise ValueError(c.type)


def _problem_exprs(c: Column) -> list[str]:
    """SQL giving a specific reason string for a bad value, or NULL when the value is fine."""
    raw, val = f'v."raw_{c.name}"', f'v."{c.name}"'
    present = f"nullif(trim({raw}), '') is not null"
    shown = f"'''' || left({raw}, 80) || ''''"
    out: list[str] = []
    if c.required:
        out.append(f"case when not ({present}) then 'missing required value for {c.name}' end")
    expected = {
        "enum": "one of " + "|".join(c.values),
        "date": "an ISO 8601 date such as 2026-03-14",
        "number": "a number",
        "integer": "a whole number",
        "boolean": "true or false",
    }.get(c.type)
    if expected:
        out.append(
            f"case when {val} is null and {present} then "
            f"'bad value for {c.name}: ' || {shown} || ' (expected {expected})' end"
        )
    if c.min is not None and c.max is not None:
        out.append(
            f"case when {val} < {c.min} or {val} > {c.max} then "
            f"'{c.name} out of range: ' || {val} || ' (expected {c.min:g} to {c.max:g})' end"
        )
    elif c.min is not None:
        word = "negative" if c.min == 0 else "too small"
        out.append(
            f"case when {val} < {c.min} then "
            f"'{word} {c.name}: ' || {val} || ' (must be at least {c.min:g})' end"
        )
    return out


def _json_of(cols: list[str], prefix: str = "") -> str:
    return (
        "to_json(struct_pack(" + ", ".join(f'"{c}" := "{prefix}{c}"' for c in cols) + "))::varchar"
    )


def _load_sql(table: Table, seq: int, batch_id: int, path: str, source: str) -> str:
    """Insert one file's rows into ``_ingest_<table>``: typed, with row-level ``reason``."""
    names = table.column_names
    typed = ", ".join(f'{_typed_expr(c)} as "{c.name}"' for c in table.columns)
    raws = ", ".join(f'r."{c}" as "raw_{c}"' for c in names)
    problems = ", ".join(p for c in table.columns for p in _problem_exprs(c))
    cols = ", ".join(f'"{c}"' for c in names)
    return f"""
        insert into _ingest_{table.name}
        select {cols}, {batch_id}, {_lit(path)}, {seq}, row_number, reason,
               case when reason is not null then {_json_of(names, "raw_")} end
        from (
            select v.*, nullif(concat_ws('; ', {problems}), '') as reason
            from (select r.row_number, {raws}, {typed} from ({source}) r) v
        )
    """


# A CSV row's number is its position in the file: rows are inserted in file order
# (preserve_insertion_order), so it is derived from the staging table's rowid instead of a
# row_number() window, which would serialise the parallel CSV reader.
ROW_NUMBER = "coalesce(c.row_number, c.rowid - f.first_rowid + 1)"
ROW_NUMBER_OF_VALID = ROW_NUMBER.replace("c.rowid", "c.rid")  # over the _valid_<table> view


def _flag(con: duckdb.DuckDBPyConnection, rows_sql: str) -> None:
    """Record a reason for the rows ``rows_sql`` returns (rid = staging rowid, reason).

    Flags go to a small side table: updating the large staging table would make DuckDB rewrite
    it at commit.
    """
    con.execute(f"insert into _flags select rid, reason from ({rows_sql})")


def _flag_duplicates(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    cols = ", ".join(f'"{c}"' for c in table.column_names)
    group = ["file_seq"] + ([f'"{k}"' for k in table.key] if table.key else ["h"])
    by = ", ".join(group)
    if table.key:
        key_desc = " || ', ' || ".join(f"'{k}=' || \"{k}\"" for k in table.key)
        reason = (
            "case when h = first_hash then 'exact duplicate of row ' || first_row || "
            "' of the same file' else 'conflicting duplicate key (' || "
            f"{key_desc} || '): differs from row ' || first_row || ' of the same file' end"
        )
    else:
        reason = "'exact duplicate of row ' || first_row || ' of the same file'"
    # Only keys that occur more than once in a file are windowed: usually very few rows.
    _flag(
        con,
        f"""
        select rid, {reason} as reason from (
            select *, row_number() over w as occurrence,
                   first_value(n) over w as first_row,
                   first_value(h) over w as first_hash
            from (select c.*, {ROW_NUMBER_OF_VALID} as n, hash({cols}) as h
                  from _valid_{table.name} c join _batch_files f using (file_seq)) c
            semi join (select {by} from (select *, hash({cols}) as h from _valid_{table.name})
                       group by all having count(*) > 1) d using ({by})
            window w as (partition by {by} order by rid)
        ) where occurrence > 1
        """,
    )


def _flag_orphans(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    for c in table.columns:
        if not c.references:
            continue
        parent, pcol = c.references.split(".")
        _flag(
            con,
            f"""
            select c.rid,
                   'orphan foreign key: {c.name} ''' || c."{c.name}" || ''' not found in {parent}'
                   as reason
            from _valid_{table.name} c
            anti join "{parent}" p on p."{pcol}" = c."{c.name}"
            where c."{c.name}" is not null
            """,
        )


# --------------------------------------------------------------------------------------------
# Merge: valid rows replace older snapshots of the same key in the typed table


def _merge(con: duckdb.DuckDBPyConnection, table: Table, batch_id: int, n_files: int) -> None:
    """Apply the batch's valid rows: newer snapshots replace older ones of the same key."""
    t = table.name
    con.execute("create or replace temp table _superseded (rid bigint)")
    stored = row_count(con, t) > 0
    if table.key:
        key = ", ".join(f'"{k}"' for k in table.key)
        key_eq = " and ".join(f't."{k}" = c."{k}"' for k in table.key)
        v = table.version_column
        if n_files > 1:
            # One key in several files of this batch: the newest snapshot wins.
            order = (f'"{v}" desc nulls last, ' if v else "") + "file_seq desc, rid desc"
            con.execute(
                f"""
                insert into _superseded
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
                insert into _superseded
                select c.rid from _valid_{t} c join "{t}" t on {key_eq}
                where coalesce(t."{v}", date '0001-01-01') > coalesce(c."{v}", date '0001-01-01')
                """
            )
        replace_on = list(table.key)
    else:
        snap = ", ".join(f'"{k}"' for k in table.snapshot_key)
        if n_files > 1:
            # The newest file's rows for an application replace the older files' rows.
            con.execute(
                f"""
                insert into _superseded
                select rid from (
                    select rid, file_seq, max(file_seq) over (partition by {snap}) as newest
                    from _valid_{t}
                ) where file_seq < newest
                """
            )
        replace_on = list(table.snapshot_key)
    if not stored and _nothing_excluded(con, t):
        # First load and every staged row is valid: the staging table, less its working columns,
        # becomes the table (dropping columns and renaming rewrite nothing; a copy would write
        # every row a second time).
        con.execute(f"drop view _valid_{t}")
        for column in ("file_seq", "row_number", "reason", "raw_record"):
            con.execute(f"alter table _ingest_{t} drop column {column}")
        con.execute(f'drop table "{t}"')
        con.execute(f'alter table _ingest_{t} rename to "{t}"')
        return
    incoming = f"select c.* from _valid_{t} c anti join _superseded s on s.rid = c.rid"
    replace_cols = ", ".join(f'"{k}"' for k in replace_on)
    on = " and ".join(f't."{k}" = i."{k}"' for k in replace_on)
    if stored:
        con.execute(
            f'delete from "{t}" t using (select distinct {replace_cols} from ({incoming})) i '
            f"where {on}"
        )
    cols = ", ".join(f'c."{c}"' for c in table.column_names)
    con.execute(f'insert into "{t}" select {cols}, c._batch_id, c._source_file from ({incoming}) c')


def _nothing_excluded(con: duckdb.DuckDBPyConnection, t: str) -> bool:
    """No row of the staging table is rejected, flagged or superseded."""
    return not scalar(
        con,
        f"select (select count(*) from _ingest_{t} where reason is not null) "
        "+ (select count(*) from _flags) + (select count(*) from _superseded)",
    )


def ingest_folder(
    con: duckdb.DuckDBPyConnection,
    data_dir: Path,
    contract: Contract | None = None,
    log: Callable[[str], None] = lambda _msg: None,
) -> BatchResult:
    """Ingest every new file in ``data_dir`` as one batch, in one transaction."""
    contract = contract or load_contract()
    started = time.perf_counter()
    files, unrecognised = discover_files(Path(data_dir), contract)
    for name in unrecognised:
        log(f"ignored {name}: not named after a contract table ({', '.join(contract.tables)})")
    ensure_tables(con, contract)
    seen = {
        (r[0], r[1])
        for r in con.execute("select source_table, content_sha256 from ingest_log").fetchall()
    }
    new = [f for f in files if (f.table, f.sha256) not in seen]
    result = BatchResult(
        batch_id=None,
        skipped_files=[str(f.path) for f in files if (f.table, f.sha256) in seen],
        unrecognised_files=unrecognised,
    )
    if not new:
        log("no new input files: the warehouse is up to date")
        result.seconds = time.perf_counter() - started
        return result

    con.execute("begin transaction")
    try:
        batch_id = int(scalar(con, "select coalesce(max(batch_id), 0) + 1 from ingest_batches"))
        result.batch_id = batch_id
        now = datetime.now(UTC).replace(tzinfo=None)
        con.execute(
            "insert into ingest_batches values (?, ?, ?, ?, NULL, ?)",
            [batch_id, str(data_dir), contract.version, now, len(new)],
        )
        for table in contract.tables.values():
            table_files = [f for f in new if f.table == table.name]
            if table_files:
                result.files += _ingest_table(con, table, table_files, batch_id, now, log)
        con.execute(
            "update ingest_batches set finished_at = ? where batch_id = ?",
            [datetime.now(UTC).replace(tzinfo=None), batch_id],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    result.seconds = time.perf_counter() - started
    return result


def _ingest_table(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    files: list[InputFile],
    batch_id: int,
    now: datetime,
    log: Callable[[str], None],
) -> list[FileResult]:
    t0, t = time.perf_counter(), table.name
    typed_cols = ", ".join(f'"{c.name}" {c.sql_type}' for c in table.columns)
    # The staging table has the target's columns first, so that on a table's first load it can
    # become the target itself (see _merge). It is a table of the batch's transaction, on disk,
    # so a large batch need not fit in memory and is gone if the batch does not commit.
    con.execute(
        f"create or replace table _ingest_{t} ({typed_cols}, _batch_id integer, "
        "_source_file varchar, file_seq integer, row_number bigint, reason varchar, "
        "raw_record varchar)"
    )
    con.execute("create or replace temp table _flags (rid bigint, reason varchar)")
    con.execute(
        f"create or replace temp view _valid_{t} as select c.*, c.rowid as rid "
        f"from _ingest_{t} c anti join _flags g on g.rid = c.rowid where c.reason is null"
    )
    con.execute(
        "create or replace temp table _rejects_batch "
        "(file_seq integer, line_number bigint, raw_line varchar, reason varchar)"
    )
    con.execute(
        "create or replace temp table _batch_files (file_seq integer, path varchar, first_rowid bigint)"
    )
    meta: dict[int, tuple[list[str], str]] = {}
    for seq, f in enumerate(files, start=1):

        def load(source: str, seq: int = seq, path: str = str(f.path)) -> None:
            con.execute(_load_sql(table, seq, batch_id, path, source))

        meta[seq] = READERS[f.format](con, f, table, seq, load)
        con.execute(
            f"insert into _batch_files select ?, ?, min(rowid) from _ingest_{t} where file_seq = ?",
            [seq, str(f.path), seq],
        )
        if meta[seq][0]:
            log(f"{f.path.name}: ignored columns not in the contract: {', '.join(meta[seq][0])}")
    # Rows read per file, counted before any reason is given (the conservation check compares).
    read = _per_file(con, f"select file_seq, count(*) from _ingest_{t} group by 1")
    rejected = _per_file(con, "select file_seq, count(*) from _rejects_batch group by 1")

    _flag_duplicates(con, table)
    _flag_orphans(con, table)
    # Rows flagged after typing are quarantined with their typed values (the raw text of a valid
    # row reads the same).
    typed_json = _json_of(table.column_names, "c.").replace('"c.', 'c."')
    con.execute(
        f"""
        insert into quarantine
        select {batch_id}, '{t}', f.path, {ROW_NUMBER}, NULL, c.reason, c.raw_record, ?
        from _ingest_{t} c join _batch_files f using (file_seq) where c.reason is not null
        union all
        select {batch_id}, '{t}', f.path, {ROW_NUMBER}, NULL, g.reason, {typed_json}, ?
        from _ingest_{t} c join _flags g on g.rid = c.rowid join _batch_files f using (file_seq)
        union all
        select {batch_id}, '{t}', f.path, NULL, r.line_number, r.reason, r.raw_line, ?
        from _rejects_batch r join _batch_files f using (file_seq)
        """,
        [now, now, now],
    )
    loaded = _per_file(con, f"select file_seq, count(*) from _valid_{t} group by 1")
    _merge(con, table, batch_id, len(files))
    results = []
    for seq, f in enumerate(files, start=1):
        n_read = read.get(seq, 0) + rejected.get(seq, 0)
        n_loaded = loaded.get(seq, 0)
        n_bad = n_read - n_loaded
        ignored, encoding = meta[seq]
        con.execute(
            "insert into ingest_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [batch_id, t, str(f.path), f.path.name, f.sha256, f.size, f.format, encoding,
             n_read, n_loaded, n_bad, ignored, now],
        )  # fmt: skip
        results.append(FileResult(t, str(f.path), n_read, n_loaded, n_bad, encoding, ignored))
    con.execute(f"drop view if exists _valid_{t}")
    for name in (
        f"_ingest_{t}",
        "_flags",
        "_superseded",
        "_rejects_batch",
        "_rejects",
        "_reject_scans",
        "_json",
    ):
        con.execute(f"drop table if exists {name}")
    n = sum(r.rows_read for r in results)
    q = sum(r.rows_quarantined for r in results)
    log(
        f"{t}: {n:,} rows read, {n - q:,} loaded, {q:,} quarantined ({time.perf_counter() - t0:.1f}s)"
    )
    return results


def _per_file(con: duckdb.DuckDBPyConnection, sql: str) -> dict[int, int]:
    return {int(k): int(v) for k, v in con.execute(sql).fetchall()}
