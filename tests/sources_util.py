"""Helpers for the vendor-export tests (tests/test_sources_*.py): the public fixtures in
../shared/ats_fixtures (read from there, never copied), small hand-written exports, ingest with a
fixed pseudonym key."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from pipelines.ingest import BatchResult, ingest_folder
from pipelines.sources.pseudonym import pseudonym

FIXTURES = Path(__file__).resolve().parent.parent.parent / "shared" / "ats_fixtures"
KEY = b"test-pseudonym-key"


def link_fixture(folder: Path, vendor: str, only: tuple[str, ...] = ()) -> Path:
    """``folder/<vendor>`` holding symbolic links to the fixture files (all, or ``only``)."""
    target = folder / vendor
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted((FIXTURES / vendor).iterdir()):
        if not only or path.name in only:
            (target / path.name).symlink_to(path)
    return target


def write_json(folder: Path, name: str, records: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if name.endswith(".jsonl"):
        lines = [json.dumps(r) for r in records]  # type: ignore[union-attr]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        path.write_text(json.dumps(records, indent=1), encoding="utf-8")
    return path


def ingest(con: duckdb.DuckDBPyConnection, folder: Path) -> BatchResult:
    return ingest_folder(con, folder, pseudonym_key=KEY)


def pid(kind: str, value: str | int) -> str:
    """The pseudonym the adapters give ``value`` under the tests' key."""
    return pseudonym(KEY, kind, str(value))


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def quarantined(con: duckdb.DuckDBPyConnection, file_name: str) -> dict[int, str]:
    """Row number -> reason of a file's quarantined rows."""
    return dict(
        rows(
            con,
            "select row_number, reason from quarantine where source_file like '%/' || ?",
            [file_name],
        )
    )
