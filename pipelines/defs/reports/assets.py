"""Reports: the Plotly HTML site in HIRING_REPORTS_DIR, rebuilt whenever its inputs change."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.resources import HiringPaths
from pipelines.reports import build_reports


@dg.asset(
    deps=["reason_assignments", "review_queue", "reason_rule_audit", "quarantine", "ingest_log"],
    group_name="reports",
    kinds={"duckdb", "polars", "plotly"},
    automation_condition=dg.AutomationCondition.eager(),
    description="Six HTML pages and an index (reports/index.html) with plotly.min.js beside them: "
    "opens offline; groups of fewer than 11 people are suppressed.",
)
def reports(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, paths: HiringPaths
) -> dg.MaterializeResult:
    with duckdb.get_connection() as con:
        built = build_reports(con, paths.reports_path)
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
