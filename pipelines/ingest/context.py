"""What the steps of one batch share (:class:`BatchContext`, in place of long parameter lists)
and what publishing reports for each file (:class:`FileResult`).

Apart from batch.py so that staging and publishing can use them without importing the module
that calls them (the project's import graph has no circles).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.contract import Contract, Table
from pipelines.ingest.files import InputFile
from pipelines.warehouse import scalar


@dataclass
class FileResult:
    table: str
    path: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    encoding: str
    ignored_columns: list[str]


@dataclass(frozen=True)
class BatchContext:
    """What the steps of one batch share."""

    con: duckdb.DuckDBPyConnection
    contract: Contract
    data_dir: Path
    batch_id: int
    now: datetime  # the batch's time, written on every row it logs or quarantines
    files: list[InputFile]  # the new files, in load order
    file_ids: dict[Path, int]  # path -> file id (its ingest_log row)
    digests: dict[Path, Future[str]]  # path -> content hash, computed in the background
    log: Callable[[str], None]

    @classmethod
    def start(
        cls,
        con: duckdb.DuckDBPyConnection,
        contract: Contract,
        data_dir: Path,
        files: list[InputFile],
        digests: dict[Path, Future[str]],
        log: Callable[[str], None],
    ) -> BatchContext:
        """A new batch of ``files``: the next batch id, and the next file ids in file order."""
        batch_id = int(scalar(con, "select coalesce(max(batch_id), 0) + 1 from ingest_batches"))
        first_id = int(scalar(con, "select coalesce(max(file_id), 0) + 1 from ingest_log"))
        now = datetime.now(UTC).replace(tzinfo=None)
        file_ids = {f.path: first_id + i for i, f in enumerate(files)}
        return cls(con, contract, data_dir, batch_id, now, files, file_ids, digests, log)

    def files_of(self, table: Table) -> list[InputFile]:
        """The batch's files for ``table``, in load order."""
        return [f for f in self.files if f.table == table.name]
