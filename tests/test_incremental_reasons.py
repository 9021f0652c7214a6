"""An incremental run of the reason engine gives exactly what a full recompute gives on the same
ingested files, whatever the new files change; a run with nothing new writes nothing."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl
import pytest
from conftest import SAMPLE_DIR

from pipelines.ingest import ingest_folder
from pipelines.reasons.engine import assign_reasons
from pipelines.reasons.rules import load_rules
from pipelines.sqlgraph import pipeline_graph

TABLES = ["jobs", "applications", "interviews", "background_checks"]


def _read(name: str) -> pl.DataFrame:
    return pl.read_csv(SAMPLE_DIR / f"{name}.csv", infer_schema=False)


def reason_tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every table of sql/reasons, as sorted rows (views excluded: they are definitions)."""
    tables = {
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'main'"
        ).fetchall()
    }
    out = {}
    for t in pipeline_graph().step("reasons"):
        if t.name in tables:
            rows = con.execute(f"select * from {t.name}").fetchall()
            out[t.name] = sorted(rows, key=repr)
    return out


def write(folder: Path, frames: dict[str, pl.DataFrame], suffix: str = "") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in frames.items():
        if df.height:
            df.write_csv(folder / f"{name}{suffix}.csv")


# Each scenario splits the bundled sample into a first delivery and a later one (a new file in the
# same folder) that changes something the reasons depend on.
Scenario = Callable[
    [dict[str, pl.DataFrame]], tuple[dict[str, pl.DataFrame], dict[str, pl.DataFrame]]
]


def new_applications(d: dict[str, pl.DataFrame]):
    """A later file brings whole new jobs with their applications, interviews and checks."""
    later_jobs = d["jobs"]["job_id"].sort().tail(40)
    later_apps = d["applications"].filter(pl.col("job_id").is_in(later_jobs.implode()))[
        "application_id"
    ]
    of_later = {
        "jobs": pl.col("job_id").is_in(later_jobs.implode()),
        "applications": pl.col("job_id").is_in(later_jobs.implode()),
        "interviews": pl.col("application_id").is_in(later_apps.implode()),
        "background_checks": pl.col("application_id").is_in(later_apps.implode()),
    }
    first = {t: d[t].filter(~of_later[t]) for t in TABLES}
    later = {t: d[t].filter(of_later[t]) for t in TABLES}
    return first, later


def late_hire(d: dict[str, pl.DataFrame]):
    """The hires of some jobs arrive after their rejections were assigned a reason: the hire's
    experience makes those earlier rejections competition cases."""
    apps = d["applications"]
    hires = apps.filter(pl.col("outcome") == "hired").head(120)
    first = {
        **d,
        "applications": apps.join(hires.select("application_id"), on="application_id", how="anti"),
    }
    first["interviews"] = d["interviews"].join(
        hires.select("application_id"), on="application_id", how="anti"
    )
    first["background_checks"] = d["background_checks"].join(
        hires.select("application_id"), on="application_id", how="anti"
    )
    later = {
        "applications": hires,
        "interviews": d["interviews"].join(hires.select("application_id"), on="application_id"),
        "background_checks": d["background_checks"].join(
            hires.select("application_id"), on="application_id"
        ),
    }
    return first, later


def dispute_resolved_later(d: dict[str, pl.DataFrame]):
    """Adverse checks first delivered as disputed and pending; weeks later a newer snapshot says
    the reports were corrected (shown to be wrong)."""
    checks = d["background_checks"]
    adverse = checks.filter(pl.col("adjudication").str.contains("adverse"))
    pending = adverse.with_columns(
        pl.lit("true").alias("disputed"),
        pl.lit("pending").alias("dispute_outcome"),
        pl.lit("").alias("dispute_resolved_at"),
    )
    corrected = adverse.with_columns(
        pl.lit("true").alias("disputed"),
        pl.lit("corrected").alias("dispute_outcome"),
        pl.col("completed_at")
        .str.to_date()
        .dt.offset_by("20d")
        .cast(pl.String)
        .alias("dispute_resolved_at"),
    )
    first = {
        **d,
        "background_checks": pl.concat(
            [
                checks.join(adverse.select("application_id"), on="application_id", how="anti"),
                pending,
            ]
        ),
    }
    return first, {"background_checks": corrected}


def interviews_replaced(d: dict[str, pl.DataFrame]):
    """A newer interviews file replaces some applications' feedback: rejected applications whose
    last round had a 'no' now show all yes (they join the cohort), and some cohort members now
    show a 'no' (they leave it)."""
    iv = d["interviews"]
    rejected = d["applications"].filter(pl.col("outcome") == "rejected")["application_id"]
    some = (
        iv.filter(pl.col("application_id").is_in(rejected.implode()))["application_id"]
        .unique()
        .sort()
        .head(300)
    )
    changed = iv.filter(pl.col("application_id").is_in(some.implode()))
    flipped = changed.with_columns(
        pl.when(pl.col("recommendation").is_in(["yes", "strong_yes"]))
        .then(pl.lit("no"))
        .otherwise(pl.lit("yes"))
        .alias("recommendation")
    )
    return d, {"interviews": flipped}


def hire_withdrawn_later(d: dict[str, pl.DataFrame]):
    """A newer snapshot of some hires says the candidate withdrew: the job's other rejections no
    longer lose to a hire (the job was recomputed because its hire was one before)."""
    hires = d["applications"].filter(pl.col("outcome") == "hired").head(120)
    withdrawn = hires.with_columns(
        pl.lit("withdrawn").alias("outcome"),
        pl.col("decided_at").str.to_date().dt.offset_by("3d").cast(pl.String).alias("decided_at"),
    )
    return d, {"applications": withdrawn}


def job_row_changed(d: dict[str, pl.DataFrame]):
    """A newer export of some jobs changes what the role offers (its advancement outlook): every
    application of those jobs is recomputed, not only those with new rows."""
    jobs = d["jobs"].head(80)
    flipped = jobs.with_columns(
        pl.when(pl.col("advancement_outlook") == "strong")
        .then(pl.lit("limited"))
        .otherwise(pl.lit("strong"))
        .alias("advancement_outlook")
    )
    return d, {"jobs": flipped}


def everything_at_once(d: dict[str, pl.DataFrame]):
    first, later = new_applications(d)
    first2, later2 = late_hire(first)
    for t, df in later2.items():
        later[t] = pl.concat([later.get(t, df.clear()), df])
    return first2, later


@pytest.mark.parametrize(
    "scenario",
    [
        new_applications,
        late_hire,
        dispute_resolved_later,
        interviews_replaced,
        hire_withdrawn_later,
        job_row_changed,
        everything_at_once,
    ],
    ids=lambda f: f.__name__,
)
def test_incremental_run_equals_a_full_recompute_on_the_same_files(
    tmp_path: Path, scenario: Scenario
):
    data = {t: _read(t) for t in TABLES}
    first, later = scenario(data)
    folder = tmp_path / "input"
    write(folder, first)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    rules = load_rules()
    ingest_folder(con, folder)
    assert assign_reasons(con, rules).mode == "full"
    before = reason_tables(con)
    write(folder, later, suffix="-later")
    ingest_folder(con, folder)
    run = assign_reasons(con, rules)
    assert run.mode == "incremental"
    assert 0 < run.applications < con.execute("select count(*) from applications").fetchone()[0]
    incremental = reason_tables(con)
    assert incremental != before, "the later file must change some reason table"
    full = assign_reasons(con, rules, full=True)
    assert full.mode == "full"
    assert reason_tables(con) == incremental
    # each says what it wrote and how long each statement took, in the order they ran
    graph = pipeline_graph().step("reasons")
    assert list(full.tables) == list(run.tables) == [t.name for t in graph if not t.is_view]
    assert all(s > 0 for s in [*full.tables.values(), *run.tables.values()])
    con.close()


def _contract_rows(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """The ingested tables, as sorted rows, without the columns that say which file a row came
    from (file ids follow the order files were read in)."""
    out = {}
    for t in TABLES:
        cols = [c for (c,) in con.execute(f"select name from pragma_table_info('{t}')").fetchall()]
        keep = ", ".join(f'"{c}"' for c in cols if not c.startswith("_"))
        out[t] = sorted(con.execute(f"select {keep} from {t}").fetchall(), key=repr)
    return out


@pytest.mark.parametrize(
    "scenario", [dispute_resolved_later, job_row_changed, interviews_replaced],
    ids=lambda f: f.__name__,
)  # fmt: skip
def test_a_rebuild_from_every_file_equals_the_runs_that_read_them_in_turn(
    tmp_path: Path, scenario: Scenario
):
    # the later delivery is named as the README suggests (applications-2026-05.csv), which sorts
    # before applications.csv in plain name order
    first, later = scenario({t: _read(t) for t in TABLES})
    folder, rules = tmp_path / "input", load_rules()
    write(folder, first)
    con = duckdb.connect(str(tmp_path / "in_turn.duckdb"))
    ingest_folder(con, folder)
    assign_reasons(con, rules)
    write(folder, later, suffix="-2026-05")
    ingest_folder(con, folder)
    assign_reasons(con, rules)
    in_turn = _contract_rows(con), reason_tables(con)
    con.close()
    con = duckdb.connect(str(tmp_path / "rebuilt.duckdb"))
    ingest_folder(con, folder)
    assign_reasons(con, rules)
    assert (_contract_rows(con), reason_tables(con)) == in_turn
    con.close()


def test_late_hire_turns_earlier_rejections_into_competition(tmp_path: Path):
    first, later = late_hire({t: _read(t) for t in TABLES})
    folder = tmp_path / "input"
    write(folder, first)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ingest_folder(con, folder)
    assign_reasons(con, load_rules())
    jobs = later["applications"]["job_id"].to_list()
    count = (
        "select count(*) from reason_structured_evidence e join post_interview_rejections p "
        "using (application_id) where e.rule_id = 'competition_stronger_hire' and p.job_id in "
        "(select unnest(?))"
    )
    assert con.execute(count, [jobs]).fetchone()[0] == 0
    write(folder, later, suffix="-later")
    ingest_folder(con, folder)
    assign_reasons(con, load_rules())
    assert con.execute(count, [jobs]).fetchone()[0] > 0


def test_dispute_resolved_later_turns_pending_into_corrected(tmp_path: Path):
    first, later = dispute_resolved_later({t: _read(t) for t in TABLES})
    folder = tmp_path / "input"
    write(folder, first)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ingest_folder(con, folder)
    assign_reasons(con, load_rules())
    details = "select detail, count(*) from reason_assignments where reason = 'background_check' group by all"
    assert dict(con.execute(details).fetchall()).get("dispute_corrected", 0) == 0
    write(folder, later, suffix="-later")
    ingest_folder(con, folder)
    assign_reasons(con, load_rules())
    after = dict(con.execute(details).fetchall())
    assert after.get("dispute_corrected", 0) > 0 and after.get("dispute_pending", 0) == 0


def test_changed_rules_recompute_everything_and_say_why(tmp_path: Path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ingest_folder(con, SAMPLE_DIR)
    rules = load_rules()
    assert assign_reasons(con, rules).why == "first run"
    stricter = dataclasses.replace(
        rules, thresholds={**rules.thresholds, "competition_min_experience_gap": 6.0}
    )
    run = assign_reasons(con, stricter)
    assert run.mode == "full" and "rules" in run.why
    fewer = con.execute(
        "select count(*) from reason_assignments where reason = 'competition'"
    ).fetchone()[0]
    assign_reasons(con, rules)
    more = con.execute(
        "select count(*) from reason_assignments where reason = 'competition'"
    ).fetchone()[0]
    assert more > fewer


def test_a_run_with_no_new_file_writes_nothing(tmp_path: Path):
    shutil.copytree(SAMPLE_DIR, tmp_path / "input")
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    ingest_folder(con, tmp_path / "input")
    assign_reasons(con, load_rules())
    con.close()
    before = path.read_bytes()
    con = duckdb.connect(str(path))
    ingest_folder(con, tmp_path / "input")
    run = assign_reasons(con, load_rules())
    con.close()
    assert run.mode == "unchanged" and run.tables == {}
    assert path.read_bytes() == before


def test_a_warehouse_built_when_a_view_was_a_table_is_rebuilt_by_the_new_sql(tmp_path: Path):
    """reason_note_tokens was a table before it became a view: a warehouse from then is rebuilt
    (its reason SQL changed) without 'is of type Table' errors, with the same assignments."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ingest_folder(con, SAMPLE_DIR)
    rules = load_rules()
    assign_reasons(con, rules)
    expected = reason_tables(con)
    views = [t.name for t in pipeline_graph().step("reasons") if t.is_view]
    assert "reason_note_tokens" in views
    for name in views:  # as an older version left them
        con.execute(f"create or replace table {name}_old as select * from {name}")
        con.execute(f"drop view {name}")
        con.execute(f"alter table {name}_old rename to {name}")
    con.execute("update reason_engine_state set digest = 'older' where part = 'reason SQL'")
    run = assign_reasons(con, rules)
    assert run.mode == "full" and "reason SQL" in run.why
    kinds = dict(
        con.execute(
            "select view_name, 'view' from duckdb_views() where not internal "
            "union all select table_name, 'table' from duckdb_tables()"
        ).fetchall()
    )
    assert all(kinds[name] == "view" for name in views)
    assert reason_tables(con) == {k: v for k, v in expected.items() if k not in views}


def test_after_a_clean_check_the_assignment_checks_read_only_what_the_latest_run_recomputed(
    tmp_path: Path,
):
    from pipelines.defs.reasons.checks import reason_assignment_checks

    checks = {c.name: c for c in reason_assignment_checks()}
    first, later = late_hire({t: _read(t) for t in TABLES})
    folder = tmp_path / "input"
    write(folder, first)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    rules = load_rules()
    ingest_folder(con, folder)
    assign_reasons(con, rules)

    def evaluate(name: str) -> tuple[bool, set[str]]:
        result = checks[name].evaluate(con, 0)
        return result.passed, set(result.metadata)

    assert {name: evaluate(name) for name in checks} == dict.fromkeys(
        checks, (True, {"violations"})
    )
    write(folder, later, suffix="-later")
    ingest_folder(con, folder)
    assert assign_reasons(con, rules).mode == "incremental"
    recomputed = [
        r[0]
        for r in con.execute(
            "select application_id from reason_recomputed where application_id is not null"
        ).fetchall()
    ]
    assert 0 < len(recomputed) < con.execute("select count(*) from applications").fetchone()[0]
    # A bad row among the recomputed ones is found by the check of those rows.
    con.execute(
        "update reason_assignments set confidence = 2 where application_id = ("
        "select min(application_id) from reason_assignments semi join reason_recomputed "
        "using (application_id))"
    )
    assert evaluate("confidence_between_0_and_1") == (False, {"violations", "rows_checked"})
    assert evaluate("one_assignment_per_cohort_row") == (True, {"violations", "rows_checked"})
    # Two runs since a check passed: the latest run's list is not all that changed since.
    job = con.execute("select min(job_id) from jobs").fetchone()[0]
    (folder / "applications-later2.csv").write_text(
        f"application_id,job_id,applied_at,outcome\nA-LATER-2,{job},2026-03-02,pending\n"
    )
    ingest_folder(con, folder)
    assert assign_reasons(con, rules).mode == "incremental"
    assert evaluate("reasons_in_taxonomy") == (True, {"violations"})
    assert evaluate("one_assignment_per_cohort_row") == (True, {"violations", "rows_checked"})
    # A full run (here: changed rules) changes every row: the checks read the whole tables.
    stricter = dataclasses.replace(
        rules, thresholds={**rules.thresholds, "competition_min_experience_gap": 6.0}
    )
    assert assign_reasons(con, stricter).mode == "full"
    assert evaluate("one_assignment_per_cohort_row") == (True, {"violations"})
    con.close()
