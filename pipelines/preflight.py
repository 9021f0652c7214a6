"""Checks before any work, so a user mistake or an unusable location is one line at once, not a
traceback after half a run: input headers, writable output locations, a warehouse that another
process holds, a warehouse built by another version.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path

import duckdb

from pipelines.contract import Contract, load_contract
from pipelines.ingest import (
    FORMATS,
    GZIP_SUFFIX,
    IngestError,
    check_headers,
    check_warehouse,
    discover_files,
)
from pipelines.reports.site import NotAReportsFolder, check_reports_folder
from pipelines.warehouse import (
    configured_memory_limit,
    memory_limit_problem,
    scalar,
    table_exists,
)


class PreflightError(Exception):
    """A location or a file the run cannot use; the message is one line naming it."""


def check_writable(path: Path, what: str, variable: str) -> None:
    """``path`` (a folder) exists or can be created, and a file can be written in it."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as e:
        raise PreflightError(
            f"{path}: the {what} cannot be written there ({e.strerror or e}); "
            f"set {variable} to a writable location"
        ) from e


def _process(pid: int) -> str:
    """``process N (command) since HH:MM`` from /proc where there is one, else ``process N``."""
    text = f"process {pid}"
    proc = Path(f"/proc/{pid}")
    try:
        cmd = (proc / "cmdline").read_bytes().split(b"\0")
        args = [a.decode(errors="replace") for a in cmd if a]
        if args:
            text += f" ({' '.join(Path(args[0]).name.split() + args[1:3])})"
        text += " since " + time.strftime("%H:%M", time.localtime(_start_time(proc)))
    except OSError:
        pass
    return text


def _start_time(proc: Path) -> float:
    """When a process started (Linux): its start in clock ticks after boot, plus boot time."""
    fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[19])
    boot = next(
        float(line.split()[1])
        for line in Path("/proc/stat").read_text().splitlines()
        if line.startswith("btime")
    )
    return boot + ticks / os.sysconf("SC_CLK_TCK")


def open_error(warehouse: Path, error: duckdb.Error) -> str:
    """One line for a warehouse that cannot be opened: who holds it, or what is wrong."""
    held = re.search(r"Conflicting lock is held in .*\(PID (\d+)\)", str(error))
    if held:
        return (
            f"{warehouse}: the warehouse is in use by {_process(int(held.group(1)))}; "
            "retry when it has finished (a Dagster UI run, `make run` or a notebook)"
        )
    return f"{warehouse}: cannot be opened ({str(error).splitlines()[0]})"


def check_not_in_use(warehouse: Path) -> None:
    """One line, at once, when another process holds the warehouse (DuckDB has one writer)."""
    if not warehouse.exists():
        return
    try:
        duckdb.connect(str(warehouse)).close()
    except duckdb.Error as e:
        raise PreflightError(open_error(warehouse, e)) from e


def check_input_found(data_dir: Path, contract: Contract, warehouse: Path | None = None) -> None:
    """Raise IngestError, one line, when ``data_dir`` holds no file the pipeline recognises (empty,
    or only other files): what was found and what is looked for. Files that were all ingested
    before are fine (a re-run with no new files changes nothing), and so is a folder emptied after
    ``warehouse`` ingested files from it (delivered files moved to an archive: nothing new); a
    missing folder is reported by the listing itself."""
    files, _ = discover_files(data_dir, contract)
    if files or (warehouse is not None and _ingested_before(warehouse, data_dir)):
        return
    found = sorted(
        p.name + ("/" if p.is_dir() else "")
        for p in data_dir.iterdir()
        if not p.name.startswith(".")
    )
    shown = ", ".join(found[:8]) + (f" and {len(found) - 8} more" if len(found) > 8 else "")
    exts = ", ".join(ext.lstrip(".") for ext in FORMATS) + f" (also compressed: .csv{GZIP_SUFFIX})"
    raise IngestError(
        f"{data_dir}: no input file the pipeline recognises "
        f"(found: {shown or 'nothing, the folder is empty'}; "
        f"looks for <table>.<ext> or <table>-<anything>.<ext> with <table> one of "
        f"{', '.join(contract.tables)} and <ext> one of {exts}; see docs/data_contract.md)"
    )


def check_reports_apart(data_dir: Path, warehouse: Path, reports_dir: Path) -> None:
    """The reports folder is replaced whole at each run: it must not be or hold the input
    folder, nor hold the warehouse, nor hold files no report wrote."""
    reports = reports_dir.resolve()
    for path, what in ((data_dir, "the input folder"), (warehouse, "the warehouse")):
        if path.resolve() == reports or reports in path.resolve().parents:
            raise PreflightError(
                f"HIRING_REPORTS_DIR {reports_dir} is or holds {what} ({path}); the reports replace "
                "their whole folder at each run: give them a folder of their own"
            )
    try:
        check_reports_folder(reports_dir)
    except NotAReportsFolder as e:
        raise PreflightError(str(e)) from None


def _ingested_before(warehouse: Path, data_dir: Path) -> bool:
    """Has ``warehouse`` ingested files from ``data_dir`` (this folder: an empty one mistyped or
    not mounted is still an error)?"""
    if not warehouse.exists():
        return False
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error:
        return False  # e.g. held by a running `make dev`: the run itself will report it
    try:
        if not table_exists(con, "ingest_batches"):
            return False
        return scalar(
            con,
            "select count(*) > 0 from ingest_batches where data_dir = ?",
            [str(data_dir.resolve())],
        )
    finally:
        con.close()


def preflight(
    data_dir: Path, warehouse: Path, reports_dir: Path, contract: Contract | None = None
) -> None:
    """Every check a run needs before it starts; raises PreflightError or IngestError."""
    contract = contract or load_contract()
    if problem := memory_limit_problem(configured_memory_limit()):
        raise PreflightError(problem)
    check_headers(data_dir, contract)
    check_not_in_use(warehouse)  # (before the input check, which reads the warehouse's history)
    check_input_found(data_dir, contract, warehouse)
    check_writable(warehouse.parent, "warehouse", "HIRING_WAREHOUSE")
    check_writable(reports_dir.parent, "reports folder", "HIRING_REPORTS_DIR")
    if reports_dir.exists():
        check_writable(reports_dir, "reports folder", "HIRING_REPORTS_DIR")
    check_reports_apart(data_dir, warehouse, reports_dir)
    check_warehouse(warehouse, contract)


__all__ = [
    "IngestError",
    "PreflightError",
    "check_input_found",
    "check_not_in_use",
    "check_reports_apart",
    "check_writable",
    "open_error",
    "preflight",
]
