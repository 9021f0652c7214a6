"""Shared fixtures: a temporary warehouse and small hand-written input folders."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


@dataclass
class SampleSite:
    """The bundled sample through the pipeline in process and the report site built from it."""

    reports: Path
    built: Any  # pipelines.reports.BuiltReports
    cubes: list  # every suppression cube the pages made, in the order they were made
    con: duckdb.DuckDBPyConnection


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleSite]:
    """One site for the report tests that read the cells behind the published pages (read only:
    the consistency and the cross-page suppression tests). The cubes are recorded by patching
    ``Cube.__init__`` while the pages are built."""
    from pipelines.reasons.engine import assign_reasons, build_rule_audit
    from pipelines.reasons.rules import load_rules
    from pipelines.reports import build_reports, suppression
    from pipelines.reports.tables import build_report_tables

    work = tmp_path_factory.mktemp("sample_site")
    con = connect(work / "warehouse.duckdb")
    ingest_folder(con, SAMPLE_DIR)
    rules = load_rules()
    assign_reasons(con, rules)
    build_rule_audit(con, [], rules)
    build_report_tables(con, rules)
    cubes: list = []
    original = suppression.Cube.__init__

    def record(self, *args, **kwargs):
        original(self, *args, **kwargs)
        cubes.append(self)

    mp = pytest.MonkeyPatch()
    mp.setattr(suppression.Cube, "__init__", record)
    try:
        built = build_reports(con, work / "reports", rules)
    finally:
        mp.undo()
    yield SampleSite(work / "reports", built, cubes, con)
    con.close()
