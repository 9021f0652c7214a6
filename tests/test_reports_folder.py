"""The reports folder is replaced whole at each run, so a run never publishes into a folder that
holds anything a report did not write: the input files or the warehouse stay where they are."""

from __future__ import annotations

import shutil

import dagster as dg
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


@pytest.mark.parametrize(
    ("where", "said"),
    [
        ("the input folder", "is or holds the input folder"),
        ("above the input folder", "is or holds the input folder"),
        ("above the warehouse", "is or holds the warehouse"),
        ("a folder of other files", "which no report wrote"),
    ],
)
def test_a_run_whose_reports_folder_holds_its_inputs_or_warehouse_stops_before_it_starts(
    tmp_path, where, said
):
    data, warehouse = tmp_path / "site" / "in", tmp_path / "wh" / "warehouse.duckdb"
    shutil.copytree(SAMPLE_DIR, data)
    warehouse.parent.mkdir()
    reports = {
        "the input folder": data,
        "above the input folder": data.parent,
        "above the warehouse": warehouse.parent,
    }.get(where, tmp_path / "exports")
    if where == "a folder of other files":
        reports.mkdir()
        (reports / "warehouse-backup.duckdb").write_bytes(b"kept")
    with pytest.raises(PreflightError, match=said):
        preflight(data, warehouse, reports)
    assert sorted(p.name for p in data.iterdir()) == sorted(p.name for p in SAMPLE_DIR.iterdir())


def test_a_file_browsers_own_files_do_not_stop_a_site_and_are_not_kept(tmp_path):
    out = tmp_path / "reports"
    publish_site({"index.html": "old", "data/page--numbers.csv": "n\n1\n"}, out)
    (out / ".DS_Store").write_bytes(b"\0")
    (out / "data" / "Thumbs.db").write_bytes(b"\0")
    publish_site({"index.html": "new"}, out)
    assert sorted(p.name for p in out.iterdir()) == ["data", "index.html", "plotly.min.js"]


def test_a_run_from_the_ui_does_not_publish_over_its_input_files(
    pipeline_env, tmp_path, monkeypatch
):
    # the UI skips make run's preflight: the reports step checks for itself. Input CSV files in
    # the reports folder's data/ are named like no report's CSV file
    site = tmp_path / "site"
    shutil.copytree(SAMPLE_DIR, site / "data")
    monkeypatch.setenv("HIRING_DATA_DIR", str(site / "data"))
    monkeypatch.setenv("HIRING_REPORTS_DIR", str(site))
    from pipelines.definitions import defs

    result = (
        defs()
        .resolve_job_def("hiring_pipeline")
        .execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    )
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert failure.step_key == "reports"
    assert "is or holds the input folder" in failure.step_failure_data.user_failure_data.description
    names = sorted(p.name for p in (site / "data").iterdir())
    assert names == sorted(p.name for p in SAMPLE_DIR.iterdir())
