"""Ingest: the input folder into typed warehouse tables, with quarantine and an ingest log.

One multi-asset because a batch is one transaction across all four tables: either every table of
the batch lands or none does.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource
from duckdb import DuckDBPyConnection

from pipelines.contract import load_contract
from pipelines.defs.resources import HiringPaths, ReasonRules
from pipelines.ingest import IngestError, ingest_folder
from pipelines.preflight import check_input_found
from pipelines.run_state import (
    WHOLE_RUN,
    begin_run,
    built_version,
    finish_run,
    forget_built,
    run_fingerprint,
)
from pipelines.warehouse import markdown_preview, row_count


def column_schema(con: DuckDBPyConnection, table: str) -> dg.TableSchema:
    """The table's columns and DuckDB types, for the asset's schema in the UI."""
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'main' and table_name = ? order by ordinal_position",
        [table],
    ).fetchall()
    return dg.TableSchema(columns=[dg.TableColumn(name, type_) for name, type_ in rows])


CONTRACT = load_contract()
GROUP = "ingest"
TABLES = list(CONTRACT.tables)


def _specs() -> list[dg.AssetSpec]:
    return [
        dg.AssetSpec(
            t.name,
            description=t.description + f" (data contract v{CONTRACT.version})",
            group_name=GROUP,
            kinds={"duckdb"},
            skippable=True,  # a run with nothing new materializes nothing (see below)
        )
        for t in CONTRACT.tables.values()
    ] + [
        dg.AssetSpec(
            "quarantine",
            description="Every input row that did not load, with the file, row, a specific reason and "
            "the raw record.",
            group_name=GROUP,
            kinds={"duckdb"},
            skippable=True,
        ),
        dg.AssetSpec(
            "ingest_log",
            description="One row per ingested file: path, content hash, rows read/loaded/quarantined.",
            group_name=GROUP,
            kinds={"duckdb"},
            skippable=True,
        ),
    ]


def _conservation_checks() -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            "rows_conserved",
            asset=t,
            blocking=True,
            description="For every ingested file: rows read = rows loaded + rows quarantined.",
        )
        for t in TABLES
    ]


NOTHING_TO_DO = (
    "nothing to do: no new input file, and the warehouse, code, rules and reports are as the "
    "last complete run left them; later steps skipped"
)

CONSERVATION_SQL = """
select l.batch_id, l.file_name, l.rows_read, l.rows_loaded,
       coalesce(q.n, 0) as rows_in_quarantine
from ingest_log l
left join (select batch_id, source_file, count(*) as n from quarantine
           where source_table = ? group by all) q
  on q.batch_id = l.batch_id and q.source_file = l.path
where l.source_table = ? and l.rows_read <> l.rows_loaded + coalesce(q.n, 0)
"""


def conservation_results(con: DuckDBPyConnection) -> list[dg.AssetCheckResult]:
    """The rows_conserved check of each contract table."""
    results = []
    for table in TABLES:
        bad = con.execute(CONSERVATION_SQL, [table, table]).fetchall()
        results.append(
            dg.AssetCheckResult(
                asset_key=table,
                check_name="rows_conserved",
                passed=not bad,
                metadata={"files_not_conserved": len(bad), "examples": str(bad[:3])},
            )
        )
    return results


@dg.multi_asset(
    specs=_specs(),
    check_specs=_conservation_checks(),
    name="ingest",
    description="Load new files from HIRING_DATA_DIR as one batch (one transaction). With no new "
    "file and nothing else changed since the last complete run, it materializes nothing and every "
    "later step is skipped.",
)
def ingest(  # noqa: ANN201
    context: dg.AssetExecutionContext,
    duckdb: DuckDBResource,
    paths: HiringPaths,
    reason_rules: ReasonRules,
):
    try:
        # before the warehouse is opened or created
        check_input_found(paths.data_path, CONTRACT, paths.warehouse_path)
    except IngestError as e:
        raise dg.Failure(description=str(e), allow_retries=False) from e
    with duckdb.get_connection() as con:
        interrupted = begin_run(con, context.run.run_id)
        for run_id in interrupted:
            context.log.warning(
                f"run {run_id} was interrupted before it finished; this run rebuilds the "
                "reason and report tables"
            )
        try:
            batch = ingest_folder(
                con,
                paths.data_path,
                CONTRACT,
                log=context.log.info,
                # called only when a vendor export is new; a new key file is worth a warning
                pseudonym_key=lambda: paths.pseudonym_key_bytes(context.log.warning),
            )
        except IngestError as e:
            raise dg.Failure(description=str(e), allow_retries=False) from e
        extra = [reason_rules.rules_path]
        if not batch.files and not interrupted:
            index = paths.reports_path / "index.html"
            if built_version(con, WHOLE_RUN) == run_fingerprint(con, index, extra):
                # No output: Dagster skips every step downstream, and the assets keep their last
                # materialization, which is what they still are.
                finish_run(con, context.run.run_id)
                context.log.info(NOTHING_TO_DO)
                yield from conservation_results(con)  # blocking checks: a result is required
                yield dg.AssetObservation(
                    asset_key="ingest_log",
                    metadata={
                        "nothing_to_do": NOTHING_TO_DO,
                        "files_already_ingested": len(batch.skipped_files),
                        "unrecognised_files": ", ".join(batch.unrecognised_files) or "none",
                    },
                )
                return
        # This run changes the warehouse: until it completes, no run may take it as current.
        forget_built(con, WHOLE_RUN)
        checks = {r.asset_key.to_user_string(): r for r in conservation_results(con)}
        for table in TABLES:
            read, loaded, quarantined = batch.totals(table)
            yield dg.MaterializeResult(
                asset_key=table,
                metadata={
                    "dagster/row_count": row_count(con, table),
                    "batch_id": batch.batch_id if batch.batch_id is not None else "no new files",
                    "rows_read_this_batch": read,
                    "rows_loaded_this_batch": loaded,
                    "rows_quarantined_this_batch": quarantined,
                    # The schema, never rows: the rows are about people.
                    "dagster/column_schema": column_schema(con, table),
                },
            )
            yield checks[table]
        yield dg.MaterializeResult(
            asset_key="quarantine",
            metadata={
                "dagster/row_count": row_count(con, "quarantine"),
                "by_reason": dg.MetadataValue.md(
                    markdown_preview(
                        con,
                        "select source_table, reason_kind, count(*) as n from quarantine "
                        "group by all order by n desc",
                        limit=15,
                    )
                ),
            },
        )
        yield dg.MaterializeResult(
            asset_key="ingest_log",
            metadata={
                "dagster/row_count": row_count(con, "ingest_log"),
                "files_this_batch": len(batch.files),
                "files_already_ingested": len(batch.skipped_files),
                "unrecognised_files": ", ".join(batch.unrecognised_files) or "none",
                "seconds": round(batch.seconds, 2),
                "preview": dg.MetadataValue.md(
                    markdown_preview(
                        con,
                        "select batch_id, source_table, file_name, rows_read, rows_loaded, "
                        "rows_quarantined, encoding from ingest_log order by batch_id desc",
                        limit=10,
                    )
                ),
            },
        )
