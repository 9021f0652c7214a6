"""The reports folder is replaced whole at each run, so a run never publishes into a folder that
holds anything a report did not write: the input files or the warehouse stay where they are."""

from __future__ import annotations

import shutil

import pytest
from conftest import SAMPLE_DIR

from pipelines.preflight import PreflightError, preflight
from pipelines.reports.site import NotAReportsFolder, publish_site


def test_publishing_into_a_folder_holding_other_files_is_refused_and_deletes_nothing(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "applications.csv").write_text("application_id\nA1\n")
    (folder / "lever").mkdir()
    with pytest.raises(NotAReportsFolder, match=r"holds applications\.csv, lever/"):
        publish_site({"index.html": "<p>new</p>"}, folder)
    assert sorted(p.name for p in folder.iterdir()) == ["applications.csv", "lever"]


def test_a_site_replaces_the_site_before_it(tmp_path):
    out = tmp_path / "reports"
    publish_site({"index.html": "old", "data/old--numbers.csv": "n\n1\n"}, out)
    publish_site({"index.html": "new", "filters.js": ""}, out)
    assert (out / "index.html").read_text() == "new"
    assert not (out / "data" / "old--numbers.csv").exists()


@pytest.mark.parametrize("where", ["the input folder", "above the warehouse", "a folder of data"])
def test_a_run_whose_reports_folder_holds_its_inputs_or_warehouse_stops_before_it_starts(
    tmp_path, where
):
    data, warehouse = tmp_path / "in", tmp_path / "wh" / "warehouse.duckdb"
    shutil.copytree(SAMPLE_DIR, data)
    warehouse.parent.mkdir()
    reports = {"the input folder": data, "above the warehouse": tmp_path}.get(where)
    if reports is None:
        reports = tmp_path / "exports"
        reports.mkdir()
        (reports / "warehouse-backup.duckdb").write_bytes(b"kept")
    with pytest.raises(PreflightError, match="HIRING_REPORTS_DIR"):
        preflight(data, warehouse, reports)
    assert sorted(p.name for p in data.iterdir()) == sorted(p.name for p in SAMPLE_DIR.iterdir())
