"""Ingest: the input folder into typed warehouse tables, with quarantine and an ingest log.

One multi-asset because a batch is one transaction across all four tables: either every table of
the batch lands or none does.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource
from duckdb import DuckDBPyConnection

from pipelines.contract import load_contract
from pipelines.defs.resources import HiringPaths
from pipelines.ingest import IngestError, ingest_folder
from pipelines.preflight import check_input_found
from pipelines.run_state import begin_run
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
            skippable=False,
        )
        for t in CONTRACT.tables.values()
    ] + [
        dg.AssetSpec(
            "quarantine",
            description="Every input row that did not load, with the file, row, a specific reason and "
            "the raw record.",
            group_name=GROUP,
            kinds={"duckdb"},
        ),
        dg.AssetSpec(
            "ingest_log",
            description="One row per ingested file: path, content hash, rows read/loaded/quarantined.",
            group_name=GROUP,
            kinds={"duckdb"},
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


CONSERVATION_SQL = """
select l.batch_id, l.file_name, l.rows_read, l.rows_loaded,
       coalesce(q.n, 0) as rows_in_quarantine
from ingest_log l
left join (select batch_id, source_file, count(*) as n from quarantine
           where source_table = ? group by all) q
  on q.batch_id = l.batch_id and q.source_file = l.path
where l.source_table = ? and l.rows_read <> l.rows_loaded + coalesce(q.n, 0)
"""


@dg.multi_asset(
    specs=_specs(),
    check_specs=_conservation_checks(),
    name="ingest",
    description="Load new files from HIRING_DATA_DIR as one batch (one transaction).",
)
def ingest(context: dg.AssetExecutionContext, duckdb: DuckDBResource, paths: HiringPaths):  # noqa: ANN201
    try:
        check_input_found(paths.data_path, CONTRACT)  # before the warehouse is opened or created
    except IngestError as e:
        raise dg.Failure(description=str(e), allow_retries=False) from e
    with duckdb.get_connection() as con:
        for run_id in begin_run(con, context.run.run_id):
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
            bad = con.execute(CONSERVATION_SQL, [table, table]).fetchall()
            yield dg.AssetCheckResult(
                asset_key=table,
                check_name="rows_conserved",
                passed=not bad,
                metadata={"files_not_conserved": len(bad), "examples": str(bad[:3])},
            )
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
