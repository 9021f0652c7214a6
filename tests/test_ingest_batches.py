"""Batches: idempotent re-ingest, newer snapshots, one transaction, conservation."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from conftest import APPS_HEADER, PROJECT_ROOT, ingest, write

from pipelines.defs.ingest.assets import CONSERVATION_SQL
from pipelines.ingest import ingest_folder
from pipelines.warehouse import connect


def snapshot(con) -> list:
    return con.execute(
        "select application_id, outcome, decided_at, batch_id "
        "from applications a join ingest_log l on l.file_id = a._file_id order by 1"
    ).fetchall()


def test_ingesting_the_same_files_twice_changes_nothing(con, data_dir):
    write(data_dir, "applications.csv", APPS_HEADER + "A1,J1,2026-01-05,rejected,2026-02-01,,,,,\n")
    first = ingest(con, data_dir)
    before = (snapshot(con), con.execute("select count(*) from ingest_log").fetchall())
    second = ingest(con, data_dir)
    assert first.batch_id == 1 and second.batch_id is None
    assert len(second.skipped_files) == 2
    assert (snapshot(con), con.execute("select count(*) from ingest_log").fetchall()) == before


def test_an_unchanged_input_file_is_not_read_again_but_a_rewritten_one_is(
    con, data_dir, monkeypatch
):
    """A file whose size, modification and change times are as when it was hashed is not read
    again; rewriting it, even at the same size and with its modification time set back, is
    noticed (the change time moves) and the new content ingested."""
    import os

    import pipelines.ingest.batch as batch
    from pipelines.ingest.hashing import content_hash

    read: list[str] = []
    monkeypatch.setattr(batch, "content_hash", lambda p: read.append(p.name) or content_hash(p))
    path = write(data_dir, "applications.csv", APPS_HEADER + "A1,J1,2026-01-05,pending,,,,,,\n")
    assert ingest(con, data_dir).batch_id == 1
    assert sorted(read) == ["applications.csv", "jobs.csv"]
    read.clear()
    assert ingest(con, data_dir).batch_id is None
    assert read == []
    stat = path.stat()
    write(data_dir, "applications.csv", APPS_HEADER + "A1,J1,2026-01-06,pending,,,,,,\n")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    assert ingest(con, data_dir).batch_id == 2
    assert read == ["applications.csv"]
    applied = con.execute("select applied_at::varchar from applications").fetchall()
    assert applied == [("2026-01-06",)]


def test_newer_batch_updates_an_application_instead_of_duplicating_it(con, data_dir, tmp_path):
    write(
        data_dir,
        "applications-2026-01.csv",
        APPS_HEADER + "A1,J1,2026-01-05,pending,,,,,,\nA2,J1,2026-01-05,pending,,,,,,\n",
    )
    ingest(con, data_dir)
    write(
        data_dir,
        "applications-2026-02.csv",
        APPS_HEADER + "A1,J1,2026-01-05,rejected,2026-02-10,,,,,\n",
    )
    ingest(con, data_dir)
    assert [(r[0], r[1], r[3]) for r in snapshot(con)] == [
        ("A1", "rejected", 2),
        ("A2", "pending", 1),
    ]


def test_an_older_snapshot_sent_later_does_not_overwrite_a_newer_one(con, data_dir):
    write(
        data_dir, "applications-b.csv", APPS_HEADER + "A1,J1,2026-01-05,rejected,2026-02-10,,,,,\n"
    )
    ingest(con, data_dir)
    write(
        data_dir, "applications-c.csv", APPS_HEADER + "A1,J1,2026-01-05,pending,2026-01-20,,,,,\n"
    )
    ingest(con, data_dir)
    assert [r[1] for r in snapshot(con)] == ["rejected"]


def test_latest_decided_at_wins_between_files_of_one_batch(con, data_dir):
    write(
        data_dir, "applications-1.csv", APPS_HEADER + "A1,J1,2026-01-05,rejected,2026-03-01,,,,,\n"
    )
    write(
        data_dir, "applications-2.csv", APPS_HEADER + "A1,J1,2026-01-05,pending,2026-02-01,,,,,\n"
    )
    result = ingest(con, data_dir)
    assert result.totals("applications") == (2, 2, 0)
    assert [r[1] for r in snapshot(con)] == ["rejected"]


def test_newer_interview_file_replaces_an_applications_interviews(con, data_dir):
    write(
        data_dir,
        "applications.csv",
        APPS_HEADER + "A1,J1,2026-01-05,rejected,,,,,,\nA2,J1,2026-01-05,rejected,,,,,,\n",
    )
    write(
        data_dir,
        "interviews-1.csv",
        "application_id,round,recommendation\nA1,1,yes\nA1,2,no\nA2,1,yes\n",
    )
    ingest(con, data_dir)
    write(data_dir, "interviews-2.csv", "application_id,round,recommendation\nA1,1,yes\nA1,2,yes\n")
    ingest(con, data_dir)
    rows = con.execute(
        "select application_id, round, recommendation from interviews order by 1, 2"
    ).fetchall()
    assert rows == [("A1", 1, "yes"), ("A1", 2, "yes"), ("A2", 1, "yes")]


def test_background_check_dispute_resolution_updates_the_stored_check(con, data_dir):
    write(data_dir, "applications.csv", APPS_HEADER + "A1,J1,2026-01-05,rejected,,,,,,\n")
    write(
        data_dir,
        "background_checks-1.csv",
        "application_id,result,disputed,dispute_outcome\nA1,consider,true,pending\n",
    )
    ingest(con, data_dir)
    write(
        data_dir,
        "background_checks-2.csv",
        "application_id,result,disputed,dispute_outcome\nA1,consider,true,corrected\n",
    )
    ingest(con, data_dir)
    assert con.execute("select dispute_outcome from background_checks").fetchall() == [
        ("corrected",)
    ]


def test_rows_read_equal_rows_loaded_plus_quarantined_for_every_file(con, sample_copy):
    result = ingest_folder(con, sample_copy)
    for table in ("jobs", "applications", "interviews", "background_checks"):
        read, loaded, quarantined = result.totals(table)
        assert read == loaded + quarantined and read > 0
        assert con.execute(CONSERVATION_SQL, [table, table]).fetchall() == []
    # Every data line of the sample CSV is counted once (the sample has no embedded newlines).
    lines = sum(1 for _ in (sample_copy / "applications.csv").open()) - 1
    assert result.totals("applications")[0] == lines


def test_conservation_check_catches_a_lost_row(con, sample_copy):
    ingest_folder(con, sample_copy)
    con.execute(
        "delete from quarantine where rowid in (select min(rowid) from quarantine where source_table = 'applications')"
    )
    assert len(con.execute(CONSERVATION_SQL, ["applications", "applications"]).fetchall()) == 1


# Where the loader process is SIGKILLed: after every file is staged (committed working tables,
# before the batch transaction: killed as the first table's publishing starts), and inside the
# batch transaction, once applications merged into their table.
KILL_POINTS = {
    "after_staging": ("pipelines.ingest.batch", "_publish_table", "before"),
    "mid_publish": ("pipelines.ingest.publish", "_merge", "after"),
}


@pytest.mark.parametrize("kill_point", KILL_POINTS)
def test_a_run_killed_mid_load_leaves_the_previous_state(tmp_path, data_dir, kill_point):
    warehouse = tmp_path / "wh.duckdb"
    write(data_dir, "applications-1.csv", APPS_HEADER + "A1,J1,2026-01-05,pending,,,,,,\n")
    con = connect(warehouse)
    ingest_folder(con, data_dir)
    before = snapshot(con), con.execute("select count(*) from ingest_log").fetchall()
    con.close()
    write(
        data_dir,
        "applications-2.csv",
        APPS_HEADER + "A1,J1,2026-01-05,rejected,2026-02-01,,,,,\nA2,J1,2026-01-05,hired,,,,,,\n",
    )
    write(data_dir, "interviews.csv", "application_id,round,recommendation\nA1,1,yes\n")
    module, function, when = KILL_POINTS[kill_point]
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        import {module} as ing
        from pipelines.ingest import ingest_folder
        from pipelines.warehouse import connect
        real = ing.{function}
        def die_{when}(con, table, *args):
            if "{when}" == "before":
                os.kill(os.getpid(), signal.SIGKILL)
            real(con, table, *args)
            if table.name == "applications":
                os.kill(os.getpid(), signal.SIGKILL)
        ing.{function} = die_{when}
        ingest_folder(connect({str(warehouse)!r}), Path({str(data_dir)!r}))
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True)
    assert proc.returncode == -9, proc.stderr.decode()
    con = connect(warehouse)
    working = "select table_name from duckdb_tables() where table_name like '\\_%' escape '\\'"
    assert ("_ingest_applications",) in con.execute(working).fetchall()  # staged, then killed
    assert (snapshot(con), con.execute("select count(*) from ingest_log").fetchall()) == before
    # ... and the next run loads the batch properly, leaving no working table behind.
    ingest_folder(con, data_dir)
    assert [r[1] for r in snapshot(con)] == ["rejected", "hired"]
    assert con.execute(working).fetchall() == []
