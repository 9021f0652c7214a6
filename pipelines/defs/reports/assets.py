"""Reports: the ``report_*`` aggregate tables (one asset each, from ``sql/reports``) and the
Plotly HTML site in HIRING_REPORTS_DIR built from them, rebuilt whenever its inputs change."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.resources import HiringPaths, ReasonRules
from pipelines.defs.sql_assets import table_specs
from pipelines.reports import build_reports
from pipelines.reports.tables import build_report_tables
from pipelines.run_state import finish_run
from pipelines.sqlgraph import pipeline_graph
from pipelines.warehouse import row_count

GROUP = "reports"
REPORT_TABLES = pipeline_graph().step("reports")


@dg.multi_asset(
    # eager, like the site: rebuilt whenever the reason tables they read change
    specs=table_specs(REPORT_TABLES, GROUP, dg.AutomationCondition.eager()),
    name="report_tables",
    description="Run sql/reports in dependency order, in one transaction: the aggregates the "
    "report pages read (no row-level data).",
)
def report_tables(duckdb: DuckDBResource, reason_rules: ReasonRules):  # noqa: ANN201
    with duckdb.get_connection() as con:
        built = build_report_tables(con, reason_rules.rules, reason_rules.contract)
        for table in built:
            yield dg.MaterializeResult(
                asset_key=table, metadata={"dagster/row_count": row_count(con, table)}
            )


@dg.asset(
    # the data-quality page also shows the rule audit as it stands
    deps=[t.name for t in REPORT_TABLES] + ["reason_rule_audit"],
    group_name=GROUP,
    kinds={"duckdb", "polars", "plotly"},
    automation_condition=dg.AutomationCondition.eager(),
    description="Six HTML pages and an index (reports/index.html) with plotly.min.js beside them: "
    "opens offline; groups of fewer than 11 people are suppressed.",
)
def reports(
    context: dg.AssetExecutionContext,
    duckdb: DuckDBResource,
    paths: HiringPaths,
    reason_rules: ReasonRules,
) -> dg.MaterializeResult:
    with duckdb.get_connection() as con:
        built = build_reports(con, paths.reports_path, reason_rules.rules)
        finish_run(con, context.run.run_id)
    summary = "\n".join(f"- **{p.title}** (`{p.file_name}`): {p.summary}" for p in built.pages)
    context.log.info(
        f"reports written to {paths.reports_path / 'index.html'} in {built.seconds:.1f}s"
    )
    return dg.MaterializeResult(
        metadata={
            "index": dg.MetadataValue.path(str(paths.reports_path / "index.html")),
            **{
                f"page_{p.slug}": dg.MetadataValue.path(str(path))
                for p, path in zip(built.pages, built.paths[1:], strict=True)
            },
            "summary": dg.MetadataValue.md(summary),
            "seconds": round(built.seconds, 2),
        }
    )
