"""Load an input folder into the warehouse under the data contract.

Every input row ends up either in its table or in ``quarantine`` with a specific reason. One call of
:func:`ingest_folder` is one *batch*: the files not seen before (by content hash) are staged
(read, typed, validated) into working tables, then published, quarantine and merge, in one
transaction, so a run killed midway leaves the previous good state.

All work is set-based DuckDB SQL generated from the contract; Python only lists, sniffs (the first
KB: compression, encoding, what a file really is) and hashes files, and reads CSV headers. ``benchmarks/bench_ingest.py`` measures it against a plain typed load.

Modules: ``files`` (listing, hashing, headers), ``readers`` (CSV, Parquet, JSON Lines into
staging), ``validate`` (typed values and problem reasons from the contract), ``stage`` and
``publish`` (the batch's two phases), ``context`` (what they share), ``layout`` (the
warehouse's tables), ``batch`` (:func:`ingest_folder`), ``checks`` (SQL for the asset checks).
"""

from pipelines.ingest.batch import BatchResult, ingest_folder
from pipelines.ingest.context import BatchContext, FileResult
from pipelines.ingest.files import (
    FORMATS,
    GZIP_SUFFIX,
    IngestError,
    InputFile,
    InputListing,
    check_headers,
    discover_files,
    list_input_folder,
    sniff,
    table_for_file,
)
from pipelines.ingest.hashing import content_hash
from pipelines.ingest.layout import WAREHOUSE_TABLES, check_warehouse, ensure_tables

# Private name used by a test: _load_sql (the staging plan test).
from pipelines.ingest.validate import _load_sql as _load_sql

__all__ = [
    "FORMATS",
    "GZIP_SUFFIX",
    "WAREHOUSE_TABLES",
    "BatchContext",
    "BatchResult",
    "FileResult",
    "IngestError",
    "InputFile",
    "InputListing",
    "check_headers",
    "check_warehouse",
    "content_hash",
    "discover_files",
    "ensure_tables",
    "ingest_folder",
    "list_input_folder",
    "sniff",
    "table_for_file",
]
