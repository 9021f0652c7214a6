"""Helpers for the vendor-export tests (tests/test_sources_*.py): the public fixtures in
../shared/ats_fixtures (read from there, never copied), small hand-written exports, ingest with a
fixed pseudonym key."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import duckdb

from pipelines.ingest import BatchResult, ingest_folder
from pipelines.sources.pseudonym import pseudonym


def _shared_dir() -> Path:
    """The team's ``shared/`` folder: beside the project root, or, for a clone made elsewhere
    (CI clones the checkout), beside the checkout it was cloned from."""
    root = Path(__file__).resolve().parent.parent
    candidates = [root.parent / "shared"]
    origin = subprocess.run(
        ["git", "-C", str(root), "config", "--get", "remote.origin.url"],
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    if origin and "://" not in origin:
        candidates.append(Path(origin).expanduser().resolve().parent / "shared")
    for c in candidates:
        if (c / "ats_fixtures").is_dir():
            return c
    raise FileNotFoundError(
        "the ATS fixtures are read from ../shared/ats_fixtures beside the project (or beside the "
        f"checkout it was cloned from); looked in {', '.join(map(str, candidates))}"
    )


FIXTURES = _shared_dir() / "ats_fixtures"
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
