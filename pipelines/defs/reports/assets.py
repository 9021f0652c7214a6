"""Reports: the ``report_*`` aggregate tables (one asset each, from ``sql/reports``) and the
Plotly HTML site in HIRING_REPORTS_DIR built from them, rebuilt whenever its inputs change."""

import hashlib
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from pipelines.defs.resources import HiringPaths, ReasonRules
from pipelines.defs.sql_assets import table_specs
from pipelines.preflight import PreflightError, check_reports_apart
from pipelines.reasons.changes import current_watermark
from pipelines.reasons.engine import engine_version
from pipelines.reports import build_reports
from pipelines.reports.tables import build_report_tables
from pipelines.run_state import (
    WHOLE_RUN,
    built_version,
    finish_run,
    forget_built,
    record_built,
    run_fingerprint,
)
from pipelines.sqlgraph import pipeline_graph
from pipelines.warehouse import PROJECT_ROOT, SQL_DIR, row_count

GROUP = "reports"
REPORT_TABLES = pipeline_graph().step("reports")
# What the pages are made from besides the data: their code and SQL (a new page rebuilds them).
REPORT_SOURCES = sorted(
    [
        *(PROJECT_ROOT / "pipelines" / "reports").rglob("*.py"),
        *(PROJECT_ROOT / "pipelines" / "reports").rglob("*.js"),
        *(SQL_DIR / "reports").glob("*.sql"),
    ]
)


def reports_input_version(con: duckdb.DuckDBPyConnection) -> str:
    """The version of everything the reports show: the ingested files (quarantine, ingest log),
    the reason tables, the rule audit, and the report code itself."""
    code = hashlib.blake2b(digest_size=8)
    for path in REPORT_SOURCES:
        code.update(path.read_bytes())
    audit = built_version(con, "reason_rule_audit") or ""
    return f"{current_watermark(con)}-{engine_version(con)}-{audit}-{code.hexdigest()}"


def complete(
    con: duckdb.DuckDBPyConnection,
    context: dg.AssetExecutionContext,
    index: Path,
    reason_rules: ReasonRules,
) -> None:
    """The run's last step is done: mark it complete and, when the run materialized every asset,
    remember what the warehouse was built from, so that the next run with nothing new skips
    every step (the ingest asset compares). A run of some assets only (from the UI) leaves the
    others as they were, perhaps stale: it records nothing."""
    finish_run(con, context.run.run_id)
    selection = context.run.asset_selection  # empty: the whole job
    graph = context.job_def.asset_layer.asset_graph
    if not selection or set(graph.get_all_asset_keys()) <= selection:
        record_built(con, WHOLE_RUN, run_fingerprint(con, index, [reason_rules.rules_path]))


@dg.multi_asset(
    # eager, like the site: rebuilt whenever the reason tables they read change
    specs=table_specs(REPORT_TABLES, GROUP, dg.AutomationCondition.eager()),
    name="report_tables",
    description="Run sql/reports in dependency order, in one transaction: the aggregates the "
    "report pages read (no row-level data).",
)
def report_tables(  # noqa: ANN201
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, reason_rules: ReasonRules
):
    with duckdb.get_connection() as con:
        version = reports_input_version(con)
        if built_version(con, "report_tables") == version:
            context.log.info("report tables unchanged: same ingested files and reason tables")
            for table in REPORT_TABLES:
                yield dg.MaterializeResult(
                    asset_key=table.name,
                    data_version=dg.DataVersion(version),
                    metadata={"unchanged": True},
                )
            return
        forget_built(con, WHOLE_RUN)
        built = build_report_tables(con, reason_rules.rules, reason_rules.contract)
        record_built(con, "report_tables", version)
        for table in built:
            yield dg.MaterializeResult(
                asset_key=table,
                data_version=dg.DataVersion(version),
                metadata={"dagster/row_count": row_count(con, table)},
            )


@dg.asset(
    # the data-quality page also shows the rule audit as it stands
    deps=[t.name for t in REPORT_TABLES] + ["reason_rule_audit"],
    group_name=GROUP,
    kinds={"duckdb", "polars", "plotly"},
    automation_condition=dg.AutomationCondition.eager(),
    description="The HTML pages and an index (reports/index.html) with plotly.min.js beside them: "
    "opens offline; groups of fewer than 11 people are suppressed, with complementary cells.",
)
def reports(
    context: dg.AssetExecutionContext,
    duckdb: DuckDBResource,
    paths: HiringPaths,
    reason_rules: ReasonRules,
) -> dg.MaterializeResult:
    with duckdb.get_connection() as con:
        version = reports_input_version(con)
        index = paths.reports_path / "index.html"
        if built_version(con, "reports") == version and index.exists():
            # Nothing the pages show has changed: the site stays as it is (no warehouse write).
            context.log.info(f"reports unchanged: {index}")
            complete(con, context, index, reason_rules)
            return dg.MaterializeResult(
                data_version=dg.DataVersion(version),
                metadata={"index": dg.MetadataValue.path(str(index)), "unchanged": True},
            )
        try:  # (make run checks this before it starts; a run from the UI does not)
            check_reports_apart(paths.data_path, paths.warehouse_path, paths.reports_path)
        except PreflightError as e:
            raise dg.Failure(description=str(e), allow_retries=False) from None
        forget_built(con, WHOLE_RUN)
        built = build_reports(con, paths.reports_path, reason_rules.rules)
        record_built(con, "reports", version)
        complete(con, context, index, reason_rules)
    summary = "\n".join(f"- **{p.title}** (`{p.file_name}`): {p.summary}" for p in built.pages)
    context.log.info(
        f"reports written to {paths.reports_path / 'index.html'} in {built.seconds:.1f}s"
    )
    return dg.MaterializeResult(
        data_version=dg.DataVersion(version),
        metadata={
            "index": dg.MetadataValue.path(str(paths.reports_path / "index.html")),
            **{
                f"page_{p.slug}": dg.MetadataValue.path(str(path))
                for p, path in zip(built.pages, built.paths[1:], strict=True)
            },
            "summary": dg.MetadataValue.md(summary),
            "seconds": round(built.seconds, 2),
        },
    )
