"""Reasons: the post-interview rejection cohort, its evidence, one reason each, and the audit."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.evaluate import rule_precision, run_eval
from pipelines.reasons import assign_reasons, build_rule_audit, load_rules
from pipelines.warehouse import markdown_preview, row_count, scalar

GROUP = "reasons"
INGESTED = ["jobs", "applications", "interviews", "background_checks"]


def _specs() -> list[dg.AssetSpec]:
    return [
        dg.AssetSpec(
            "post_interview_rejections",
            deps=INGESTED,
            group_name=GROUP,
            kinds={"duckdb"},
            description="Applications rejected although every last-round recommendation was a yes "
            "(rules/reasons_v1.toml [cohort]).",
        ),
        dg.AssetSpec(
            "reason_evidence",
            deps=["post_interview_rejections"],
            group_name=GROUP,
            kinds={"duckdb"},
            description="Structured evidence (records) and text evidence (note clauses matched by "
            "rules) per cohort application: tables reason_structured_evidence, "
            "reason_text_evidence, background_check_status.",
        ),
        dg.AssetSpec(
            "reason_assignments",
            deps=["reason_evidence"],
            group_name=GROUP,
            kinds={"duckdb"},
            description="One reason per cohort application, with detail, calibrated confidence, "
            "the evidence that decided it and the rules version.",
        ),
        dg.AssetSpec(
            "review_queue",
            deps=["reason_assignments"],
            group_name=GROUP,
            kinds={"duckdb"},
            description="Low-confidence and conflicting assignments for a person to review.",
        ),
    ]


@dg.multi_asset(
    specs=_specs(), name="assign_reasons", description="Run sql/reasons in one transaction."
)
def assign_reasons_asset(context: dg.AssetExecutionContext, duckdb: DuckDBResource):  # noqa: ANN201
    rules = load_rules()
    with duckdb.get_connection() as con:
        assign_reasons(con, rules)
        cohort = row_count(con, "post_interview_rejections")
        rejections = int(
            scalar(con, "select count(*) from applications where outcome = 'rejected'")
        )
        share = cohort / rejections if rejections else 0.0
        context.log.info(
            f"post-interview rejections: {cohort:,} of {rejections:,} rejections ({share:.1%})"
        )
        yield dg.MaterializeResult(
            asset_key="post_interview_rejections",
            metadata={
                "dagster/row_count": cohort,
                "all_rejections": rejections,
                "share_of_rejections": dg.MetadataValue.float(round(share, 4)),
            },
        )
        yield dg.MaterializeResult(
            asset_key="reason_evidence",
            metadata={
                "text_evidence_rows": row_count(con, "reason_text_evidence"),
                "structured_evidence_rows": row_count(con, "reason_structured_evidence"),
            },
        )
        yield dg.MaterializeResult(
            asset_key="reason_assignments",
            metadata={
                "dagster/row_count": row_count(con, "reason_assignments"),
                "rules_version": rules.version,
                "reason_mix": dg.MetadataValue.md(
                    markdown_preview(
                        con,
                        "select reason, count(*) as n, round(avg(confidence), 3) as mean_confidence "
                        "from reason_assignments group by 1 order by 2 desc",
                        limit=10,
                    )
                ),
            },
        )
        yield dg.MaterializeResult(
            asset_key="review_queue",
            metadata={
                "dagster/row_count": row_count(con, "review_queue"),
                "by_why": dg.MetadataValue.md(
                    markdown_preview(
                        con,
                        "select why, count(*) as n from review_queue group by 1 order by 2 desc",
                    )
                ),
            },
        )


@dg.asset(
    deps=["reason_assignments"],
    group_name=GROUP,
    kinds={"duckdb", "polars"},
    description="Per rule: coverage, overlap and conflict on the warehouse cohort, and precision "
    "on the labelled evaluation set (data/eval), run with the same rules.",
)
def reason_rule_audit(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource
) -> dg.MaterializeResult:
    result = run_eval()
    precision = [tuple(r) for r in rule_precision(result).iter_rows()]
    with duckdb.get_connection() as con:
        build_rule_audit(con, precision)  # type: ignore[arg-type]
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": row_count(con, "reason_rule_audit"),
                "eval_cases": result.joined.height,
                "eval_accuracy": dg.MetadataValue.float(
                    round(float(result.joined["correct"].mean()), 4)
                ),
                "preview": dg.MetadataValue.md(
                    markdown_preview(
                        con,
                        "select rule_id, reason, hits, coverage, overlap, conflict, eval_precision "
                        "from reason_rule_audit order by hits desc",
                        limit=12,
                    )
                ),
            }
        )
