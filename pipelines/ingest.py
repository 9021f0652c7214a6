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
from pipelines.warehouse import scalar

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


# --------------------------------------------------------------------------------------------
# DDL


def ensure_tables(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Create the typed tables, quarantine and ingest log if they are missing."""
    for t in contract.tables.values():
        cols = ", ".join(f'"{c.name}" {c.sql_type}' for c in t.columns)
        con.execute(
            f'create table if not exists "{t.name}" ({cols}, '
            "_batch_id integer, _source_file varchar, _row_number bigint)"
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
# Reading one file into the staging table (all values as text)


def _q(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _csv_header(path: Path) -> tuple[list[str], str]:
    """Header names (trimmed, lower-cased) and the encoding to read the file with."""
    with path.open("rb") as f:
        first = f.readline(1 << 20)
        rest = f.read(1 << 20)
    if not first.strip():
        raise IngestError(f"{path}: file is empty or has no header line")
    if first.startswith(b"\xef\xbb\xbf"):
        first = first[3:]
    encoding = "utf-8"
    try:
        first.decode("utf-8")
        rest.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        # A cut multi-byte character at the 1 MiB boundary is not evidence of Latin-1.
        if not (isinstance(e, UnicodeDecodeError) and e.start >= len(rest) - 4 and rest):
            encoding = "latin-1"
    text = first.decode(encoding, errors="replace")
    names = next(csv.reader(io.StringIO(text)), [])
    return [n.strip().lower() for n in names], encoding


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


def _stage_csv(
    con: duckdb.DuckDBPyConnection, f: InputFile, table: Table, seq: int
) -> tuple[list[str], str]:
    names, encoding = _csv_header(f.path)
    ignored = _check_columns(f.path, table, names)
    # Read every header column as text, position by position; extra names get unique aliases.
    aliases = [n if n in table.column_names else f"_extra_{i}" for i, n in enumerate(names)]
    columns = "{" + ", ".join(f"'{a}': 'VARCHAR'" for a in aliases) + "}"

    def read(enc: str) -> None:
        con.execute("drop table if exists _rejects; drop table if exists _reject_scans")
        select_cols = ", ".join(
            f'"{c}"' if c in names else f'NULL::varchar as "{c}"' for c in table.column_names
        )
        con.execute(
            f"""
            insert into _stg_{table.name}
            select {seq} as file_seq, row_number() over () as row_number, {select_cols}
            from read_csv({_q(f.path)}, auto_detect = false, header = true, columns = {columns},
                          delim = ',', quote = '"', escape = '"', encoding = '{enc}',
                          max_line_size = {MAX_LINE_BYTES}, store_rejects = true,
                          rejects_table = '_rejects', rejects_scan = '_reject_scans')
            """
        )

    try:
        read(encoding)
        if encoding == "utf-8" and _has_encoding_rejects(con):
            con.execute(f"delete from _stg_{table.name} where file_seq = {seq}")
            encoding = "latin-1"
            read(encoding)
    except duckdb.Error as e:
        raise IngestError(f"{f.path}: cannot be read as CSV: {_first_line(e)}") from e
    # Lines the CSV reader could not split into the header's columns: quarantined whole.
    con.execute(
        f"""
        insert into _stg_rejects
        select {seq}, min(line), arg_min(csv_line, line),
               'unreadable CSV line: ' || lower(arg_min(error_type, line)) || ' ('
                   || arg_min(error_message, line) || ')'
        from _rejects group by line
        """
    )
    return ignored, encoding


def _has_encoding_rejects(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "select count(*) from _rejects where error_type = 'INVALID ENCODING'"
    ).fetchone()
    return bool(row and row[0])


def _first_line(e: BaseException) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__


def _stage_parquet(
    con: duckdb.DuckDBPyConnection, f: InputFile, table: Table, seq: int
) -> tuple[list[str], str]:
    try:
        schema = con.execute(f"describe select * from read_parquet({_q(f.path)})").fetchall()
    except duckdb.Error as e:
        raise IngestError(f"{f.path}: cannot be read as Parquet: {_first_line(e)}") from e
    names = [str(r[0]).strip().lower() for r in schema]
    original = {str(r[0]).strip().lower(): str(r[0]) for r in schema}
    ignored = _check_columns(f.path, table, names)
    select_cols = ", ".join(
        f'cast("{original[c]}" as varchar) as "{c}"' if c in names else f'NULL::varchar as "{c}"'
        for c in table.column_names
    )
    con.execute(
        f"""
        insert into _stg_{table.name}
        select {seq}, file_row_number + 1, {select_cols}
        from read_parquet({_q(f.path)}, file_row_number = true)
        """
    )
    return ignored, "parquet"


def _stage_jsonl(
    con: duckdb.DuckDBPyConnection, f: InputFile, table: Table, seq: int
) -> tuple[list[str], str]:
    # Read physical lines as text (\x1f never appears unescaped in valid JSON), then parse each.
    try:
        con.execute(
            f"""
            create or replace temp table _lines as
            select row_number() over () as line_number, line
            from read_csv({_q(f.path)}, auto_detect = false, header = false,
                          columns = {{'line': 'VARCHAR'}}, delim = '\\x1f', quote = '',
                          escape = '', max_line_size = {MAX_LINE_BYTES}, encoding = 'utf-8')
            """
        )
    except duckdb.Error as e:
        raise IngestError(f"{f.path}: cannot be read as JSON Lines: {_first_line(e)}") from e
    con.execute("delete from _lines where trim(coalesce(line, '')) = ''")
    con.execute(
        """
        create or replace temp table _json as
        select line_number, line,
               case when json_valid(line) and json_type(line) = 'OBJECT' then line::json end as j
        from _lines
        """
    )
    keys = [
        str(r[0])
        for r in con.execute(
            "select distinct unnest(json_keys(j)) from _json where j is not null"
        ).fetchall()
    ]
    names = sorted({k.strip().lower() for k in keys})
    if keys:
        _check_columns(f.path, table, names)
    ignored = [n for n in names if n not in table.column_names]
    by_lower = {k.strip().lower(): k for k in keys}

    def extract(c: str) -> str:
        if c not in by_lower:
            return f'NULL::varchar as "{c}"'
        path = "$." + '"' + by_lower[c].replace('"', '\\"') + '"'
        return f"j ->> '{path}' as \"{c}\""

    select_cols = ", ".join(extract(c) for c in table.column_names)
    con.execute(
        f"""
        insert into _stg_{table.name}
        select {seq}, line_number, {select_cols} from _json where j is not null
        """
    )
    con.execute(
        f"""
        insert into _stg_rejects
        select {seq}, line_number, left(line, 100000), 'unreadable JSON line: not a JSON object'
        from _json where j is null
        """
    )
    return ignored, "utf-8"


STAGERS: dict[
    str, Callable[[duckdb.DuckDBPyConnection, InputFile, Table, int], tuple[list[str], str]]
] = {
    "csv": _stage_csv,
    "parquet": _stage_parquet,
    "jsonl": _stage_jsonl,
}


# --------------------------------------------------------------------------------------------
# Validation: one set-based statement per table, generated from the contract


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
            norm = f"regexp_replace(lower(trim({raw})), '\\s+', '_', 'g')"
            values = ", ".join(_lit(v) for v in c.values)
            return f"case when {norm} in ({values}) then {norm} end"
        case "date":
            return f"try_cast(trim({raw}) as date)"
        case "number":
            return f"case when isfinite(try_cast(trim({raw}) as double)) then try_cast(trim({raw}) as double) end"
        case "integer":
            d = f"try_cast(trim({raw}) as double)"
            return f"case when {d} = round({d}) and abs({d}) < 1e15 then {d}::bigint end"
        case "boolean":
            norm = f"lower(trim({raw}))"
            return (
                f"case when {norm} in ('true','t','yes','y','1') then true "
                f"when {norm} in ('false','f','no','n','0') then false end"
            )
    raise ValueError(c.type)


def _problem_exprs(c: Column) -> list[str]:
    """SQL expressions that give a specific reason string, or NULL when the value is fine."""
    raw, val = f'r."{c.name}"', f'v."{c.name}"'
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
            f"case when {present} and {val} is null then "
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


def _checked_sql(table: Table, contract: Contract) -> str:
    """Build ``_checked_<table>``: typed values plus a ``reason`` for every row that must not load."""
    typed = ",\n    ".join(f'{_typed_expr(c)} as "{c.name}"' for c in table.columns)
    raw_cols = ", ".join(f'r."{c}" as "raw_{c}"' for c in table.column_names)
    problems = ", ".join(p for c in table.columns for p in _problem_exprs(c))
    cols = ", ".join(f'"{c}"' for c in table.column_names)
    content_hash = f"hash({cols})"
    if table.key:
        part = ", ".join(["file_seq"] + [f'"{k}"' for k in table.key])
        key_desc = " || ', ' || ".join(f"'{k}=' || \"{k}\"" for k in table.key)
        dup_reason = (
            "case when occurrence > 1 and content_hash = first_hash then "
            "'exact duplicate of row ' || first_row || ' of the same file' "
            "when occurrence > 1 then 'conflicting duplicate key (' || "
            f"{key_desc} || '): differs from row ' || first_row || ' of the same file' end"
        )
    else:
        part = "file_seq, content_hash"
        dup_reason = (
            "case when occurrence > 1 then "
            "'exact duplicate of row ' || first_row || ' of the same file' end"
        )
    fk_joins, fk_reasons = [], []
    for i, c in enumerate(c for c in table.columns if c.references):
        parent, parent_col = c.references.split(".")  # type: ignore[union-attr]
        fk_joins.append(
            f'left join (select distinct "{parent_col}" as k from "{parent}") p{i} '
            f'on p{i}.k = d."{c.name}"'
        )
        fk_reasons.append(
            f'case when d."{c.name}" is not null and p{i}.k is null then '
            f"'orphan foreign key: {c.name} ' || '''' || d.\"{c.name}\" || '''' || "
            f"' not found in {parent}' end"
        )
    fk_reason = f"coalesce({', '.join(fk_reasons)})" if fk_reasons else "NULL"
    return f"""
create or replace temp table _checked_{table.name} as
with typed as (
    select r.file_seq, r.row_number, {raw_cols},
    {typed}
    from _stg_{table.name} r
),
problems as (
    select v.*, array_to_string(list_filter([{problems}], lambda p: p is not null), '; ') as problem
    from typed v join _stg_{table.name} r using (file_seq, row_number)
),
dups as (
    select *,
        row_number() over w as occurrence,
        first_value(row_number) over w as first_row,
        first_value(content_hash) over w as first_hash
    from (select *, {content_hash} as content_hash from problems where problem = '')
    window w as (partition by {part} order by row_number)
)
select d.* exclude (problem, occurrence, first_row, first_hash, content_hash),
       coalesce({dup_reason}, {fk_reason}) as reason
from dups d {" ".join(fk_joins)}
union all by name
select * exclude (problem), problem as reason from problems where problem <> ''
"""


# --------------------------------------------------------------------------------------------
# Merge valid rows into the typed tables


def _merge(con: duckdb.DuckDBPyConnection, table: Table, batch_id: int) -> None:
    cols = ", ".join(f'"{c}"' for c in table.column_names)
    lineage = f"{batch_id} as _batch_id, f.path as _source_file, c.row_number as _row_number"
    valid = (
        f"select c.*, f.path from _checked_{table.name} c "
        f"join _batch_files f on f.file_seq = c.file_seq where c.reason is null"
    )
    if table.key:
        key_eq = " and ".join(f't."{k}" = i."{k}"' for k in table.key)
        key_cols = ", ".join(f'"{k}"' for k in table.key)
        version = f'"{table.version_column}" desc nulls last, ' if table.version_column else ""
        # Newest snapshot of each key in this batch: latest version, then latest file, then row.
        con.execute(
            f"""
            create or replace temp table _incoming as
            select * from ({valid}) c
            qualify row_number() over (partition by {key_cols}
                                       order by {version}file_seq desc, row_number desc) = 1
            """
        )
        if table.version_column:
            v = table.version_column
            # A re-sent older snapshot must not overwrite a newer stored one.
            con.execute(
                f"""
                delete from _incoming i using "{table.name}" t
                where {key_eq} and coalesce(t."{v}", date '0001-01-01')
                                   > coalesce(i."{v}", date '0001-01-01')
                """
            )
        con.execute(f'delete from "{table.name}" t using _incoming i where {key_eq}')
    else:
        snap = ", ".join(f'"{k}"' for k in table.snapshot_key)
        # A newer file's rows for an application replace all earlier rows for it.
        con.execute(
            f"""
            create or replace temp table _incoming as
            select * from ({valid}) c
            qualify file_seq = max(file_seq) over (partition by {snap})
            """
        )
        snap_eq = " and ".join(f't."{k}" = i."{k}"' for k in table.snapshot_key)
        con.execute(
            f'delete from "{table.name}" t using (select distinct {snap} from _incoming) i '
            f"where {snap_eq}"
        )
    con.execute(
        f"""
        insert into "{table.name}"
        select {cols}, {lineage.replace("f.path", "path").replace("c.row_number", "row_number")}
        from _incoming
        """
    )


# --------------------------------------------------------------------------------------------
# The batch


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
                result.files += _ingest_table(con, table, contract, table_files, batch_id, now, log)
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
    contract: Contract,
    files: list[InputFile],
    batch_id: int,
    now: datetime,
    log: Callable[[str], None],
) -> list[FileResult]:
    t0 = time.perf_counter()
    raw_cols = ", ".join(f'"{c}" varchar' for c in table.column_names)
    con.execute(
        f"create or replace temp table _stg_{table.name} (file_seq integer, row_number bigint, {raw_cols})"
    )
    con.execute(
        "create or replace temp table _stg_rejects "
        "(file_seq integer, line_number bigint, raw_line varchar, reason varchar)"
    )
    con.execute("create or replace temp table _batch_files (file_seq integer, path varchar)")
    meta: dict[int, tuple[list[str], str]] = {}
    for seq, f in enumerate(files, start=1):
        con.execute("insert into _batch_files values (?, ?)", [seq, str(f.path)])
        meta[seq] = STAGERS[f.format](con, f, table, seq)
        if meta[seq][0]:
            log(f"{f.path.name}: ignored columns not in the contract: {', '.join(meta[seq][0])}")

    con.execute(_checked_sql(table, contract))
    _merge(con, table, batch_id)

    raw_struct = ", ".join(f'"{c}" := "raw_{c}"' for c in table.column_names)
    con.execute(
        f"""
        insert into quarantine
        select {batch_id}, '{table.name}', f.path, c.row_number, NULL, c.reason,
               to_json(struct_pack({raw_struct}))::varchar, ?
        from _checked_{table.name} c join _batch_files f using (file_seq)
        where c.reason is not null
        union all
        select {batch_id}, '{table.name}', f.path, NULL, r.line_number, r.reason, r.raw_line, ?
        from _stg_rejects r join _batch_files f using (file_seq)
        """,
        [now, now],
    )
    staged = dict(
        (int(r[0]), int(r[1]))
        for r in con.execute(
            f"select file_seq, count(*) from _stg_{table.name} group by file_seq"
        ).fetchall()
    )
    counts = dict(
        ((int(r[0]), (int(r[1]), int(r[2]))))
        for r in con.execute(
            f"""
            select file_seq, count(*) filter (where reason is null), count(*) filter (where reason is not null)
            from _checked_{table.name} group by file_seq
            """
        ).fetchall()
    )
    rejects = dict(
        (int(r[0]), int(r[1]))
        for r in con.execute(
            "select file_seq, count(*) from _stg_rejects group by file_seq"
        ).fetchall()
    )
    results = []
    for seq, f in enumerate(files, start=1):
        loaded, bad = counts.get(seq, (0, 0))
        bad += rejects.get(seq, 0)
        # Rows read are counted from what was staged, independently of validation, so the
        # conservation check can catch a row lost between staging and the tables.
        read = staged.get(seq, 0) + rejects.get(seq, 0)
        ignored, encoding = meta[seq]
        con.execute(
            "insert into ingest_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                batch_id,
                table.name,
                str(f.path),
                f.path.name,
                f.sha256,
                f.size,
                f.format,
                encoding,
                read,
                loaded,
                bad,
                ignored,
                now,
            ],
        )
        results.append(FileResult(table.name, str(f.path), read, loaded, bad, encoding, ignored))
    for name in (f"_stg_{table.name}", f"_checked_{table.name}", "_incoming", "_stg_rejects"):
        con.execute(f"drop table if exists {name}")
    read = sum(r.rows_read for r in results)
    q = sum(r.rows_quarantined for r in results)
    log(
        f"{table.name}: {read:,} rows read, {read - q:,} loaded, {q:,} quarantined "
        f"({time.perf_counter() - t0:.1f}s)"
    )
    return results
