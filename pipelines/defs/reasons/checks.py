"""Checks on the reason tables: one assignment per cohort row, reasons in the taxonomy, sane
confidence (blocking); implausible records across tables (a warning). After an incremental run
of the engine, a check that passed after the run before reads only the applications this run
recomputed (``reason_recomputed``): nothing else in the tables changed."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.sql_assets import SqlCheck, sql_checks
from pipelines.reasons.changes import (
    RECOMPUTED_TABLE,
    engine_run,
    recomputed_since,
)
from pipelines.reasons.engine import engine_version

# Each check reads {assignments} (and {cohort}): the whole tables, or (since_sql) their rows of
# the applications the engine's latest run recomputed, when the run before it checked clean.
ASSIGNMENT_CHECKS = {
    "one_assignment_per_cohort_row": (
        "Every post-interview rejection has exactly one assignment, and nothing else has one.",
        """
        select coalesce(c.application_id, a.application_id) as application_id, count(a.application_id) as n
        from {cohort} c
        full join {assignments} a using (application_id)
        group by all having count(a.application_id) <> 1 or any_value(c.application_id) is null
        """,
    ),
    "reasons_in_taxonomy": (
        "Every reason is in the rules file's taxonomy.",
        "select application_id, reason from {assignments} a anti join reason_taxonomy using (reason)",
    ),
    "confidence_between_0_and_1": (
        "Every confidence is set and within 0..1.",
        "select application_id, confidence from {assignments} a "
        "where confidence is null or confidence < 0 or confidence > 1",
    ),
    "evidence_for_every_known_reason": (
        "Every reason other than unknown cites at least one piece of evidence.",
        "select application_id, reason from {assignments} a "
        "where reason <> 'unknown' and json_array_length(evidence) = 0",
    ),
}
WHOLE = {"assignments": "reason_assignments", "cohort": "post_interview_rejections"}
RECOMPUTED = {
    name: f"(select * from {table} semi join {RECOMPUTED_TABLE} using (application_id))"
    for name, table in WHOLE.items()
}


def reason_assignment_checks() -> list[SqlCheck]:
    return [
        SqlCheck(
            "reason_assignments",
            name,
            description,
            sql.format(**WHOLE),
            blocking=True,
            since_sql=sql.format(**RECOMPUTED),
            data_version=engine_version,
            counter=engine_run,
            since_covers=recomputed_since,
        )
        for name, (description, sql) in ASSIGNMENT_CHECKS.items()
    ]


@dg.definitions
def reason_checks() -> dg.Definitions:
    return dg.Definitions(
        asset_checks=[sql_checks("reason_assignment_checks", reason_assignment_checks())]
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
