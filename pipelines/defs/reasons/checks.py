"""Checks on the reason tables: one assignment per cohort row, reasons in the taxonomy, sane
confidence (blocking); implausible records across tables (a warning)."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.sql_assets import SqlCheck, sql_checks
from pipelines.reasons.engine import engine_version

ASSIGNMENT_CHECKS = {
    "one_assignment_per_cohort_row": (
        "Every post-interview rejection has exactly one assignment, and nothing else has one.",
        """
        select coalesce(c.application_id, a.application_id) as application_id, count(a.application_id) as n
        from post_interview_rejections c
        full join reason_assignments a using (application_id)
        group by all having count(a.application_id) <> 1 or any_value(c.application_id) is null
        """,
    ),
    "reasons_in_taxonomy": (
        "Every reason is in the rules file's taxonomy.",
        "select application_id, reason from reason_assignments anti join reason_taxonomy using (reason)",
    ),
    "confidence_between_0_and_1": (
        "Every confidence is set and within 0..1.",
        "select application_id, confidence from reason_assignments "
        "where confidence is null or confidence < 0 or confidence > 1",
    ),
    "evidence_for_every_known_reason": (
        "Every reason other than unknown cites at least one piece of evidence.",
        "select application_id, reason from reason_assignments "
        "where reason <> 'unknown' and json_array_length(evidence) = 0",
    ),
}


@dg.definitions
def reason_checks() -> dg.Definitions:
    return dg.Definitions(
        asset_checks=[
            sql_checks(
                "reason_assignment_checks",
                [
                    SqlCheck(
                        "reason_assignments",
                        name,
                        description,
                        sql,
                        blocking=True,
                        data_version=engine_version,
                    )
                    for name, (description, sql) in ASSIGNMENT_CHECKS.items()
                ],
            )
        ]
        + [no_implausible_records]
    )


@dg.asset_check(
    asset="implausible_records",
    name="no_implausible_records",
    description="Records that contradict another table (sql/reasons/implausible_records.sql): a "
    "warning with the count per rule; the run goes on.",
)
def no_implausible_records(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    with duckdb.get_connection() as con:
        counts = dict(
            con.execute(
                "select rule, count(*) from implausible_records group by 1 order by 1"
            ).fetchall()
        )
    return dg.AssetCheckResult(
        passed=not counts,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "records_by_rule": dg.MetadataValue.json(counts),
            "records": sum(counts.values()),
        },
    )
