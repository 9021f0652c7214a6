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


@pytest.mark.parametrize("value", ["1100MB", "3GB", " 2 gb", "512MiB"])
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
