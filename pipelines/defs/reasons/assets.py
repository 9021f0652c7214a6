"""Reasons: the post-interview rejection cohort, its evidence, one reason each, and the audit.

One asset per table. The tables of ``sql/reasons`` (and the rules and model tables they read)
are one multi-asset because they are committed in one transaction; their dependencies come from
the SQL itself (``pipelines.sqlgraph``).
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.resources import ReasonRules
from pipelines.defs.sql_assets import loaded_specs, table_specs
from pipelines.eval_cases import eval_cases_digest
from pipelines.evaluate import rule_precision, run_eval
from pipelines.reasons.engine import (
    assign_reasons,
    build_rule_audit,
    engine_fingerprint,
    engine_version,
    notes_read_in_part,
)
from pipelines.reasons.model import MODEL_TABLES
from pipelines.reasons.rules import AUDIT_INPUT_TABLES, RULE_TABLES
from pipelines.run_state import WHOLE_RUN, built_version, forget_built, record_built
from pipelines.sqlgraph import pipeline_graph
from pipelines.warehouse import markdown_preview, row_count, scalar

GROUP = "reasons"
GRAPH = pipeline_graph()


@dg.multi_asset(
    specs=loaded_specs({**RULE_TABLES, **MODEL_TABLES}, GROUP)
    + table_specs(GRAPH.step("reasons"), GROUP),
    name="assign_reasons",
    description="Load the rules and text model, then run sql/reasons in dependency order, in one "
    "transaction.",
)
def assign_reasons_asset(  # noqa: ANN201
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, reason_rules: ReasonRules
):
    rules = reason_rules.rules
    with duckdb.get_connection() as con:
        forget_built(con, WHOLE_RUN)  # until the run completes (a run of this step alone, too)
        run = assign_reasons(con, rules, reason_rules.contract)
        context.log.info(run.summary())
        recomputed = {
            "reason_run": run.mode,
            "reason_run_why": run.why,
            "recomputed_applications": run.applications,
            "recomputed_cohort": run.cohort,
            "seconds": round(run.seconds, 2),
        }
        # The same data version as long as nothing was recomputed: Dagster shows the tables
        # unchanged rather than rebuilt.
        version = dg.DataVersion(engine_version(con))
        if run.mode == "unchanged":
            for table in [*RULE_TABLES, *MODEL_TABLES, *(t.name for t in GRAPH.step("reasons"))]:
                yield dg.MaterializeResult(
                    asset_key=table, data_version=version, metadata=recomputed
                )
            return
        built = [*RULE_TABLES, *MODEL_TABLES, *(t.name for t in GRAPH.step("reasons"))]
        cohort = row_count(con, "post_interview_rejections")
        rejections = int(
            scalar(con, "select count(*) from applications where outcome = 'rejected'")
        )
        share = cohort / rejections if rejections else 0.0
        context.log.info(
            f"post-interview rejections: {cohort:,} of {rejections:,} rejections ({share:.1%})"
        )
        extra = {
            # texts longer than the rules file's note_chars, read only up to it
            "reason_notes": {"notes_read_in_part": notes_read_in_part(con)},
            "post_interview_rejections": {
                "all_rejections": rejections,
                "share_of_rejections": dg.MetadataValue.float(round(share, 4)),
            },
            "reason_assignments": {
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
            "review_queue": {
                "by_why": dg.MetadataValue.md(
                    markdown_preview(
                        con,
                        "select why, count(*) as n from review_queue group by 1 order by 2 desc",
                    )
                ),
            },
        }
        # A view's row count would compute it (reason_note_tokens: 36M rows at 10M applications)
        views = {t.name for t in GRAPH.step("reasons") if t.is_view}
        for table in built:
            size = {} if table in views else {"dagster/row_count": row_count(con, table)}
            # the seconds of the table's own statement (none for a view: its cost is its reader's)
            own = {"sql_seconds": round(run.tables[table], 3)} if table in run.tables else {}
            yield dg.MaterializeResult(
                asset_key=table,
                data_version=version,
                metadata={**size, **own, **recomputed, **extra.get(table, {})},
            )


@dg.multi_asset(
    specs=loaded_specs(AUDIT_INPUT_TABLES, GROUP) + table_specs(GRAPH.step("rule_audit"), GROUP),
    name="reason_rule_audit",
    description="Run the labelled evaluation set (data/eval) with the same rules, then audit every "
    "rule: coverage, overlap and conflict on the warehouse cohort, precision on the evaluation set.",
)
def reason_rule_audit(  # noqa: ANN201
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, reason_rules: ReasonRules
):
    with duckdb.get_connection() as con:
        # The audit reads the reason tables (coverage) and the evaluation set (precision):
        # unchanged both, it has nothing to do.
        version = f"{engine_version(con)}-{eval_cases_digest()}"
        if built_version(con, "reason_rule_audit") == version:
            context.log.info("rule audit unchanged: same reason tables and evaluation set")
            for key in ("reason_rule_eval", "reason_rule_audit"):
                yield dg.MaterializeResult(
                    asset_key=key,
                    data_version=dg.DataVersion(version),
                    metadata={"unchanged": True},
                )
            return
        # Precision per rule depends on the rules and the evaluation set only, not on the
        # warehouse: a new batch re-runs the cheap coverage SQL, not the evaluation.
        eval_version = f"{engine_fingerprint(con)}-{eval_cases_digest()}"
        precision = None
        eval_meta: dict[str, object] = {"unchanged": True}
        if built_version(con, "reason_rule_eval") != eval_version:
            result = run_eval(rules=reason_rules.rules)
            precision = [tuple(r) for r in rule_precision(result).iter_rows()]
            eval_meta = {
                "eval_cases": result.joined.height,
                "eval_accuracy": dg.MetadataValue.float(
                    round(float(result.joined["correct"].mean()), 4)  # type: ignore[arg-type]
                ),
            }
        forget_built(con, WHOLE_RUN)
        build_rule_audit(con, precision, reason_rules.rules, reason_rules.contract)  # type: ignore[arg-type]
        record_built(con, "reason_rule_eval", eval_version)
        record_built(con, "reason_rule_audit", version)
        yield dg.MaterializeResult(
            asset_key="reason_rule_eval",
            data_version=dg.DataVersion(eval_version),
            metadata={"dagster/row_count": row_count(con, "reason_rule_eval"), **eval_meta},  # type: ignore[dict-item]
        )
        yield dg.MaterializeResult(
            asset_key="reason_rule_audit",
            data_version=dg.DataVersion(version),
            metadata={
                "dagster/row_count": row_count(con, "reason_rule_audit"),
                "preview": dg.MetadataValue.md(
                    markdown_preview(
                        con,
                        "select rule_id, reason, hits, coverage, overlap, conflict, eval_precision "
                        "from reason_rule_audit order by hits desc",
                        limit=12,
                    )
                ),
            },
        )
