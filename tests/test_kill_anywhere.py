"""A run killed anywhere leaves the previous complete state or the new one: the reports folder is
always one whole site, the warehouse either says its last run finished (and then matches a run
that was never killed) or says it is unfinished, and the next run repairs it."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from conftest import PROJECT_ROOT

KILLS = 4  # each waits up to one run's length: 4 kills keep CI within its 20 minutes (6 took 142 s)


def cli(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines", "run"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip


def outputs(tmp: Path, name: str, data: Path) -> dict[str, str]:
    home = tmp / name / "dagster_home"
    home.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIRING_")}
    return env | {
        "HIRING_DATA_DIR": str(data),
        "HIRING_WAREHOUSE": str(tmp / name / "wh" / "warehouse.duckdb"),
        "HIRING_REPORTS_DIR": str(tmp / name / "reports"),
        "DAGSTER_HOME": str(home),
    }


def warehouse_state(path: Path) -> dict[str, object]:
    if not path.exists():
        return {}
    con = duckdb.connect(str(path))
    try:
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        state: dict[str, object] = {
            t: con.execute(f"select count(*) from {t}").fetchall()[0][0]
            for t in ("jobs", "applications", "interviews", "background_checks", "quarantine")
            if t in tables
        }
        if "reason_assignments" in tables:
            state["assignments"] = con.execute(
                "select application_id, reason, detail, confidence from reason_assignments "
                "order by 1"
            ).fetchall()
        if "pipeline_runs" in tables:
            state["runs"] = [
                r[0]
                for r in con.execute(
                    "select status from pipeline_runs order by started_at"
                ).fetchall()
            ]
        return state
    finally:
        con.close()


def site(folder: Path) -> dict[str, str] | None:
    """The site's files (name → text without its generation stamp), after checking it is whole:
    every page and CSV the pages link to is there, and nothing else; one generation stamp."""
    if not folder.exists():
        return None
    files = {
        p.relative_to(folder).as_posix(): p
        for p in folder.rglob("*")
        if p.is_file() and p.name != "plotly.min.js"
    }
    assert "index.html" in files and (folder / "plotly.min.js").is_file(), sorted(files)
    html = {n: p.read_text(encoding="utf-8") for n, p in files.items() if n.endswith(".html")}
    linked = {
        m
        for text in html.values()
        for m in re.findall(r'(?:href|src)="([^"#:]+)"', text)
        if m not in ("#", "plotly.min.js")
    }
    assert linked <= set(files), f"links to missing files: {sorted(linked - set(files))}"
    assert set(files) - linked <= {"index.html"}, f"files no page links: {set(files) - linked}"
    stamps = {
        m for text in html.values() for m in re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", text)
    }
    assert len(stamps) == 1, f"pages from different runs: {stamps}"
    stamp = stamps.pop()
    return {n: p.read_text(encoding="utf-8").replace(stamp, "") for n, p in files.items()}


@pytest.mark.slow
def test_a_run_killed_at_random_points_leaves_a_whole_previous_or_new_state(tmp_path, monkeypatch):
    data = tmp_path / "input"
    subprocess.run(
        [sys.executable, "-m", "pipelines.sample", "--applications", "1500", "--out", str(data),
         "--truth", str(tmp_path / "truth.csv")],
        cwd=PROJECT_ROOT, check=True, capture_output=True,
    )  # fmt: skip
    ref_env = outputs(tmp_path, "ref", data)
    t0 = time.monotonic()
    assert cli(ref_env).wait(timeout=300) == 0
    duration = time.monotonic() - t0
    reference = warehouse_state(Path(ref_env["HIRING_WAREHOUSE"]))
    reference_site = site(Path(ref_env["HIRING_REPORTS_DIR"]))
    assert reference["runs"] == ["complete"] and reference_site

    env = outputs(tmp_path, "killed", data)
    warehouse, reports = Path(env["HIRING_WAREHOUSE"]), Path(env["HIRING_REPORTS_DIR"])
    rng = random.Random(13)
    for i in range(KILLS):
        proc = cli(env)
        time.sleep(rng.uniform(0.3, duration * 1.1))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        state = warehouse_state(warehouse)
        for table in ("jobs", "applications", "interviews", "background_checks", "quarantine"):
            assert state.get(table, 0) in (0, reference[table]), (i, table)
        runs = state.get("runs", [])
        if runs and runs[-1] == "complete":
            assert state["assignments"] == reference["assignments"], i
        else:
            assert not runs or runs[-1] == "running", (i, runs)
        built = site(reports)
        assert built is None or built == reference_site, i
        leftovers = [p.name for p in reports.parent.iterdir() if p.name.startswith(".reports.")]
        assert all(re.fullmatch(r"\.reports\.(next|old)-\d+", n) for n in leftovers), leftovers

    # The next run repairs whatever the kills left, and says which runs did not finish.
    assert cli(env).wait(timeout=300) == 0
    final = warehouse_state(warehouse)
    assert {k: v for k, v in final.items() if k != "runs"} == {
        k: v for k, v in reference.items() if k != "runs"
    }
    assert final["runs"][-1] == "complete" and "running" not in final["runs"]
    assert site(reports) == reference_site
    assert not [p for p in reports.parent.iterdir() if p.name.startswith(".reports.")]
    # ... and no killed run is left STARTED in Dagster's run storage.
    monkeypatch.setenv("DAGSTER_HOME", env["DAGSTER_HOME"])
    with dg.DagsterInstance.get() as instance:
        statuses = {r.dagster_run.status for r in instance.get_run_records()}
    assert dg.DagsterRunStatus.STARTED not in statuses
    assert dg.DagsterRunStatus.SUCCESS in statuses
