"""Settings a run cannot work with stop it before it starts, in one line naming the variable."""

from __future__ import annotations

import duckdb
import pytest
from conftest import SAMPLE_DIR

from pipelines.preflight import PreflightError, preflight
from pipelines.summary import failure_line


@pytest.mark.parametrize(
    ("value", "why"),
    [("abc", "not a size"), ("-1GB", "not a size"), ("0", "not a size"), ("10MB", "below")],
)
def test_a_memory_limit_that_is_not_a_size_or_too_small_stops_the_run_before_it_starts(
    tmp_path, monkeypatch, value, why
):
    monkeypatch.setenv("HIRING_MEMORY_LIMIT", value)
    with pytest.raises(PreflightError, match=rf"^HIRING_MEMORY_LIMIT='{value}': {why}"):
        preflight(SAMPLE_DIR, tmp_path / "wh" / "w.duckdb", tmp_path / "reports")


@pytest.mark.parametrize("value", ["1100MB", "3GB", " 2 gb", "512MiB", "3G", "500m"])
def test_a_memory_limit_duckdb_reads_passes(tmp_path, monkeypatch, value):
    monkeypatch.setenv("HIRING_MEMORY_LIMIT", value)
    preflight(SAMPLE_DIR, tmp_path / "wh" / "w.duckdb", tmp_path / "reports")


def test_a_step_out_of_memory_is_one_line_naming_the_setting_to_raise(monkeypatch):
    monkeypatch.setenv("HIRING_MEMORY_LIMIT", "300MB")
    con = duckdb.connect(config={"memory_limit": "20MB", "temp_directory": ""})
    with pytest.raises(duckdb.OutOfMemoryException) as oom:
        con.sql("select list(range) from range(20000000)").fetchall()
    line = failure_line('Error occurred while executing op "reasons":\n...', str(oom.value))
    assert "\n" not in line and "Possible solutions" not in str(line)
    assert line.startswith("out of memory under HIRING_MEMORY_LIMIT=300MB: raise it")


def test_a_file_read_out_of_memory_names_the_setting_not_the_file_as_the_problem(
    tmp_path, monkeypatch
):
    from pipelines.ingest.errors import read_error

    monkeypatch.setenv("HIRING_MEMORY_LIMIT", "300MB")
    con = duckdb.connect(config={"memory_limit": "20MB", "temp_directory": ""})
    with pytest.raises(duckdb.OutOfMemoryException) as oom:
        con.sql("select list(range) from range(20000000)").fetchall()
    message = str(read_error(tmp_path / "applications.csv", oom.value, "CSV"))
    assert message == (
        f"{tmp_path / 'applications.csv'}: out of memory while reading it as CSV under "
        "HIRING_MEMORY_LIMIT=300MB: raise it, e.g. 3GB"
    )


def test_an_empty_input_folder_the_warehouse_never_read_is_still_an_error(tmp_path):
    # (a mistyped or unmounted HIRING_DATA_DIR; the folder the warehouse did read may be empty)
    from pipelines.ingest import IngestError, ingest_folder
    from pipelines.warehouse import connect

    warehouse = tmp_path / "wh" / "w.duckdb"
    con = connect(warehouse)
    ingest_folder(con, SAMPLE_DIR)
    con.close()
    (tmp_path / "other").mkdir()
    with pytest.raises(IngestError, match="no input file the pipeline recognises"):
        preflight(tmp_path / "other", warehouse, tmp_path / "reports")
