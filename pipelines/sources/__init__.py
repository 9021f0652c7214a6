"""Vendor exports as input: Greenhouse, Lever and Ashby (applicant tracking) and Checkr
(background checks), each recognised from a sub-folder of the input folder named after it.

An adapter is data and SQL: :mod:`pipelines.sources.vendors` says which files a vendor folder may
hold and which fields are read from each; ``sql/sources/<vendor>/<table>.sql`` maps one primary
file's records to the canonical rows of one contract table (one row per record, numbered
``_row``, with ``_raw``, the record reduced to the fields read with ids pseudonymised and text
scrubbed, and ``_problem``, why a record cannot be mapped); ``pipelines/sources/<vendor>.toml``
holds the custom-field names, codes and stage patterns. The ingest (``pipelines.ingest``) then
validates, quarantines, snapshots and logs those rows exactly as it does a contract file's.

Nothing here imports the ingest (which imports this), Dagster or the environment: the pseudonym
key is passed in (:func:`prepare`).
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.contract import load_contract
from pipelines.scrub import scrub_sql
from pipelines.sources.config import (
    NORMALISE_SQL,
    SourceError,
    load_config,
    override_file,
    register_config,
)
from pipelines.sources.pseudonym import register_pseudonyms, resolve_key
from pipelines.sources.vendors import KINDS, NOT_READ, VENDORS, Kind
from pipelines.warehouse import SQL_DIR, quote_ident, sql_literal

__all__ = [
    "VENDORS",
    "SourceError",
    "SourceFile",
    "VendorListing",
    "adapter_query",
    "discover",
    "drop_views",
    "prepare",
    "resolve_key",
]

_JSON_EXT = (".json", ".jsonl", ".ndjson")
# A whole-file list response ({"data": [...]}) is one JSON object: up to this size (a plain
# array or JSON Lines file is read record by record, DuckDB's default limit per record).
_MAX_OBJECT = 256 * 1024 * 1024


def _object_size(paths: list[Path]) -> int:
    """The ``maximum_object_size`` for reading ``paths`` whole: DuckDB allocates twice this up
    front, so a fixed 256 MB failed on a tiny file under a memory cap below 600 MB. The largest
    file's content (a gzip file's counted as it is decompressed), between DuckDB's own default,
    16 MiB, and 256 MiB."""
    largest = 0
    for p in paths:
        if not _is_gzip(p):
            largest = max(largest, p.stat().st_size + 1)
            continue
        size = 0
        try:
            with gzip.open(p, "rb") as f:
                while size <= _MAX_OBJECT and (chunk := f.read(1 << 20)):
                    size += len(chunk)
        except (OSError, EOFError, zlib.error):
            size = _MAX_OBJECT  # corrupt: DuckDB's reader says so, naming the file
        largest = max(largest, size + 1)
    return min(_MAX_OBJECT, max(16 << 20, largest))


@dataclass(frozen=True)
class SourceFile:
    """A primary file of a vendor export: its records become rows of ``table``."""

    table: str
    path: Path
    format: str  # json | csv
    inputs: tuple[Path, ...]  # every file of the folder the adapter reads (for the content hash)
    size: int  # of all the inputs
    mtime: float  # the newest of the inputs

    def listed(self) -> tuple[str, Path, str, int, float]:
        """(table, path, format, size, mtime): how the ingest's listing names an input."""
        return self.table, self.path, self.format, self.size, self.mtime


@dataclass
class VendorListing:
    files: list[SourceFile] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # "<vendor>/<name>" -> why not read


def _kind_of(vendor: str, name: str) -> tuple[str, Kind | None] | None:
    """(kind name, Kind, or None for a known file that is not read) of an export file name."""
    lower = name.lower()
    base = lower[:-3] if lower.endswith(".gz") else lower
    stem, ext = (base.rsplit(".", 1) + [""])[:2]
    ext = "." + ext
    candidates: list[tuple[str, Kind | None]] = [(k.name, k) for k in KINDS[vendor]]
    candidates += [(n, None) for n in NOT_READ[vendor]]
    for kind_name, kind in sorted(candidates, key=lambda c: -len(c[0])):
        if stem == kind_name or re.fullmatch(rf"{re.escape(kind_name)}[-_.].+", stem):
            if kind is None:
                return kind_name, None
            if (ext == ".csv") == kind.csv and (kind.csv or ext in _JSON_EXT):
                return kind_name, kind
    return None


def discover(folder: Path, vendor: str) -> VendorListing:
    """The primary files of a vendor folder, and every other entry with why it is not read.
    Files are only stat'ed here, never opened."""
    out = VendorListing()
    read: list[tuple[Path, Kind]] = []
    override = override_file(folder, vendor)
    for path in sorted(folder.iterdir()):
        label = f"{vendor}/{path.name}"
        if path.name.startswith(".") or path == override:
            continue
        if not path.is_file():
            out.skipped[label] = "not a regular file (sub-folders of an export are not read)"
            continue
        found = _kind_of(vendor, path.name)
        if found is None:
            names = ", ".join(k.name for k in KINDS[vendor])
            out.skipped[label] = f"not a file the {vendor} adapter reads ({names})"
        elif found[1] is None:
            out.skipped[label] = NOT_READ[vendor][found[0]]
        else:
            read.append((path, found[1]))
    inputs = tuple(p for p, _ in read) + ((override,) if override.is_file() else ())
    stats = [p.stat() for p in inputs]
    size, mtime = sum(st.st_size for st in stats), max((st.st_mtime for st in stats), default=0)
    for path, kind in read:
        if kind.produces and not (SQL_DIR / "sources" / vendor / f"{kind.produces}.sql").is_file():
            out.skipped[f"{vendor}/{path.name}"] = (
                f"no adapter maps it yet (sql/sources/{vendor}/{kind.produces}.sql)"
            )
        elif kind.produces:
            fmt = "csv" if kind.csv else "json"
            out.files.append(SourceFile(kind.produces, path, fmt, inputs, size, mtime))
    if not out.files:
        out.skipped[vendor + "/"] = (
            f"a {vendor} export folder without a file its adapter maps to a contract table"
        )
    return out


def prepare(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    """The macros the adapter SQL uses, on ``con`` (temporary: never in the warehouse file)."""
    register_pseudonyms(con, key)
    register_config(con, {})  # the settings tables the macros read (filled per adapter)
    # Scrubbed, then cut to the contract's free-text max_chars (as the staging insert does): a
    # text kept in an adapter's raw record cannot grow to megabytes either.
    max_chars = max(
        c.max_chars for t in load_contract().tables.values() for c in t.columns if c.max_chars
    )
    con.execute(
        f"create or replace temp macro scrub_text(x) as left({scrub_sql('x')}, {int(max_chars)})"
    )
    # A vendor's note, cut as soon as it is read: the adapter SQL groups and compares notes, and
    # DuckDB holds 2,048 of them at once (the staging insert scrubs what is kept).
    con.execute(f"create or replace temp macro cut_text(x) as left(x, {int(max_chars)})")
    con.execute(f"create or replace temp macro norm(x) as {NORMALISE_SQL.format(x='x')}")
    con.execute(
        "create or replace temp macro code(c, k) as "
        "(select first(value) from source_codes where code = c and key = norm(k))"
    )
    # Timestamps as written (ISO 8601, with or without T and zone) and epoch milliseconds.
    con.execute(
        "create or replace temp macro ts(x) as "
        "try_cast(replace(left(trim(x::varchar), 19), 'T', ' ') as timestamp)"
    )
    con.execute(
        "create or replace temp macro ms_ts(x) as "
        "case when try_cast(x as bigint) is not null then epoch_ms(try_cast(x as bigint)) end"
    )
    con.execute(
        "create or replace temp macro match_list(l, t) as (select arg_min(value, priority) "
        "from source_patterns where list_name = l and regexp_matches(t, '(?i)' || pattern))"
    )
    # A file of one object's records names the object: activity_feed-<candidate_id>.json
    con.execute(
        "create or replace temp macro id_in_file_name(filename, kind) as nullif(regexp_extract("
        r"filename, '(?i:' || kind || ')[-_.]([^/]+?)\.(?i:json|jsonl|ndjson)(?:\.(?i:gz))?$', 1), '')"
    )
    con.execute(
        "create or replace temp macro setting(n) as "
        "(select first(value) from source_settings where name = n)"
    )


# A list response as the API returns it: Lever's {"data": [...], "hasNext": ...}, Ashby's
# {"success": true, "results": [...], "moreDataAvailable": ..., "nextCursor": ...} (scalar keys
# may come before the list).
_ENVELOPE = re.compile(
    r'\{\s*(?:"(?:success|hasNext|next|moreDataAvailable|nextCursor|syncToken)"\s*:\s*'
    r'(?:true|false|null|-?[0-9.]+|"[^"]*")\s*,\s*)*"(data|results)"\s*:\s*\['
)


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(2) == b"\x1f\x8b"


def _envelope_key(path: Path) -> str | None:
    """The key of the records' list when ``path`` is a list response (``data`` or ``results``)
    rather than records (from its first bytes), else None."""
    with (gzip.open if _is_gzip(path) else open)(path, "rb") as f:
        head = f.read(4096).decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    m = _ENVELOPE.match(head)
    return m[1] if m else None


def _columns_literal(columns: dict[str, str]) -> str:
    return "{" + ", ".join(f"{sql_literal(k)}: {sql_literal(v)}" for k, v in columns.items()) + "}"


def _read(kind: Kind, paths: list[Path]) -> str:
    """SQL reading every record of ``paths`` (files of one kind): the kind's fields only."""
    if not paths:
        cols = ", ".join(f"NULL::{t} as {quote_ident(c)}" for c, t in kind.columns.items())
        return f"select {cols}, NULL::varchar as filename limit 0"
    if kind.csv:
        return _by_compression(
            paths,
            lambda files, c: (
                f"select * from read_csv({files}, header = true, all_varchar = true, "
                f"union_by_name = true, filename = true, compression = '{c}')"
            ),
        )
    if kind.name == "feedback_by_opportunity":
        # Lever: {opportunityId: {"data": [form, ...], "hasNext": ...}, ...}
        fields = ", ".join(
            f"form -> {sql_literal(c)} as {quote_ident(c)}"
            if t == "JSON"
            else f"form ->> {sql_literal(c)} as {quote_ident(c)}"
            for c, t in kind.columns.items()
            if c != "opportunityId"
        )
        size = _object_size(paths)
        return _by_compression(
            paths,
            lambda files, c: (
                f"select opportunityId, {fields}, filename from (select e.key as "
                "opportunityId, unnest(json_extract(e.value, '$.data[*]')) as form, r.filename "
                f"from read_json_objects({files}, format = 'auto', filename = true, "
                f"compression = '{c}', maximum_object_size = {size}) r, "
                "json_each(r.json) e)"
            ),
        )
    keys = {p: _envelope_key(p) for p in paths}
    plain = [p for p in paths if keys[p] is None]
    parts = []
    if plain:
        parts.append(
            _by_compression(
                plain,
                lambda files, c: (
                    f"select * from read_json({files}, format = 'auto', "
                    f"filename = true, compression = '{c}', "
                    f"columns = {_columns_literal(kind.columns)})"
                ),
            )
        )
    struct = "STRUCT(" + ", ".join(f"{quote_ident(c)} {t}" for c, t in kind.columns.items()) + ")[]"
    for key in ("data", "results"):
        wrapped = [p for p in paths if keys[p] == key]
        if not wrapped:
            continue
        size = _object_size(wrapped)
        parts.append(
            _by_compression(
                wrapped,
                lambda files, c, key=key, size=size: (
                    f"select u.*, filename from (select unnest({key}) as u, "
                    f"filename from read_json({files}, format = 'auto', filename = true, "
                    f"compression = '{c}', columns = {{{sql_literal(key)}: {sql_literal(struct)}}}, "
                    f"maximum_object_size = {size}))"
                ),
            )
        )
    return " union all by name ".join(f"({p})" for p in parts)


def _by_compression(paths: list[Path], read: Callable[[str, str], str]) -> str:
    """``read(files, compression)`` for the gzip files of ``paths`` and for the others, as one
    query: a file is gzip by its bytes, whatever its name (DuckDB goes by the name)."""
    gz = [p for p in paths if _is_gzip(p)]
    groups = [(g, c) for g, c in (([p for p in paths if p not in gz], "none"), (gz, "gzip")) if g]
    return " union all by name ".join(
        f"({read('[' + ', '.join(sql_literal(str(p)) for p in g) + ']', c)})" for g, c in groups
    )


def adapter_query(con: duckdb.DuckDBPyConnection, vendor: str, table: str, primary: Path) -> str:
    """Register the views and settings ``sql/sources/<vendor>/<table>.sql`` reads (``src``: the
    primary file's records numbered ``_row``; ``<vendor>_<kind>``: every file of each kind in the
    folder) and return its query."""
    folder = primary.parent
    by_kind: dict[str, list[Path]] = {k.name: [] for k in KINDS[vendor]}
    primary_kind: Kind | None = None
    for path in sorted(folder.iterdir()):
        found = _kind_of(vendor, path.name) if path.is_file() else None
        if found and found[1] is not None:
            by_kind[found[0]].append(path)
            if path == primary:
                primary_kind = found[1]
    if primary_kind is None or primary_kind.produces != table:
        raise SourceError(f"{primary}: not a {vendor} export of {table}")
    try:
        register_config(con, load_config(vendor, folder))
        for kind in KINDS[vendor]:
            con.execute(
                f"create or replace temp view {vendor}_{kind.name} as {_read(kind, by_kind[kind.name])}"
            )
        numbered = (
            "select row_number() over () as _row, *, NULL::varchar as _shadowed "
            f"from ({_read(primary_kind, [primary])})"
        )
        if primary_kind.reshape:
            con.execute(f"create or replace temp view raw_src as {numbered}")
            numbered = _sql_file(vendor, primary_kind.reshape)
        con.execute(f"create or replace temp view src as {numbered}")
    except OSError as e:
        raise SourceError(f"{primary}: cannot be read: {e.strerror or e}") from e
    return _sql_file(vendor, table)


def _sql_file(vendor: str, name: str) -> str:
    path = SQL_DIR / "sources" / vendor / f"{name}.sql"
    return path.read_text(encoding="utf-8").strip().rstrip(";")


def drop_views(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the adapters' temporary views and settings tables (at the end of a batch)."""
    for vendor, kinds in KINDS.items():
        for kind in kinds:
            con.execute(f"drop view if exists {vendor}_{kind.name}")
    for view in ("src", "raw_src"):
        con.execute(f"drop view if exists {view}")
    for table in ("source_fields", "source_codes", "source_patterns", "source_settings"):
        con.execute(f"drop table if exists {table}")
