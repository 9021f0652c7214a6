"""Shared fixtures: a temporary warehouse and small hand-written input folders."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb
import pytest

from pipelines.ingest import BatchResult, ingest_folder
from pipelines.warehouse import connect

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"

JOBS = "job_id,job_family,seniority,advancement_outlook\nJ1,engineering,mid,limited\nJ2,sales,senior,strong\n"
APPS_HEADER = "application_id,job_id,applied_at,outcome,decided_at,years_experience,education,career_goal,stage_reached,recruiter_note\n"


def write(folder: Path, name: str, text: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    c = connect(tmp_path / "wh" / "warehouse.duckdb")
    yield c
    c.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "input"
    write(d, "jobs.csv", JOBS)
    return d


def ingest(con: duckdb.DuckDBPyConnection, folder: Path) -> BatchResult:
    return ingest_folder(con, folder)


def quarantine_reasons(con: duckdb.DuckDBPyConnection, table: str | None = None) -> list[str]:
    sql = "select reason from quarantine"
    if table:
        sql += f" where source_table = '{table}'"
    return [r[0] for r in con.execute(sql + " order by row_number, line_number").fetchall()]


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    import shutil

    dest = tmp_path / "sample"
    shutil.copytree(SAMPLE_DIR, dest)
    return dest


@pytest.fixture
def pipeline_env(
    tmp_path: Path, sample_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    env = {
        "HIRING_DATA_DIR": str(sample_copy),
        "HIRING_WAREHOUSE": str(tmp_path / "out" / "warehouse.duckdb"),
        "HIRING_REPORTS_DIR": str(tmp_path / "out" / "reports"),
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    return {**os.environ, **env}


T = TypeVar("T")


def recording_cubes(build: Callable[[], T]) -> tuple[T, list]:
    """What ``build`` returns, and every suppression cube (pipelines.reports.suppression.Cube)
    created while it ran: the report tests read the cells behind the published pages."""
    from pipelines.reports import suppression

    cubes: list = []
    original = suppression.Cube.__init__

    def record(self, *args, **kwargs):
        original(self, *args, **kwargs)
        cubes.append(self)

    mp = pytest.MonkeyPatch()
    mp.setattr(suppression.Cube, "__init__", record)
    try:
        result = build()
    finally:
        mp.undo()
    return result, cubes
