"""What the ingest says when it cannot go on: :class:`IngestError`, whose message is one line
naming the file and the problem, and :func:`read_error`, that line for a file DuckDB could not
read. DuckDB's own messages quote the values they could not read (a line of a CSV file, a note's
text in a JSON record): what reaches the message is chosen here, and the callers raise it without
DuckDB's error behind it, which Dagster would store with the step's failure."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from pipelines.warehouse import out_of_memory_advice

MAX_LINE_BYTES = 8 * 1024 * 1024  # a 200 KB recruiter note must fit comfortably


class IngestError(Exception):
    """A file that cannot be read at all. The message names the file and the problem."""


def first_line(e: BaseException) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__


def read_error(path: Path, e: duckdb.Error, what: str) -> IngestError:
    """One line for a file DuckDB could not read; a line over the limit is named as such."""
    if "Maximum line size" in str(e):
        line = re.search(r"CSV Error on Line: (\d+)", str(e))
        return IngestError(
            f"{path}: line {line.group(1) if line else '?'} is longer than the "
            f"{MAX_LINE_BYTES // 2**20} MiB line limit"
        )
    if "Out of Memory" in str(e):  # not the file's fault: the setting to raise, in one line
        return IngestError(
            f"{path}: out of memory while reading it as {what} {out_of_memory_advice()}"
        )
    # One JSON object over DuckDB's limit: a record, or a list response ({"data": [...]}),
    # which is read whole
    whole = re.search(
        r'"maximum_object_size" of (\d+) bytes exceeded while reading file "(.+)" \(', str(e)
    )
    if whole:
        return IngestError(
            f"{whole[2]}: a JSON object larger than {int(whole[1]) // 2**20} MiB, the most "
            f"{what} reads in one piece (one record, or a whole list response): save a list "
            "response as pages, as the API returns them"
        )
    # A record of another file of the export (a vendor's notes, say) that is not in the shape
    # its adapter reads: that file and record are named, and never the value DuckDB quotes
    # after the reason (it may be a note's text)
    if "JSON transform error" in str(e):
        shape = re.search(
            r'in file "(.+?)", in (record/value \d+|line \d+): (Expected \w+, but got \w+)', str(e)
        )
        where = f"{shape[1]}: {shape[2].replace('record/value', 'record')}" if shape else path
        why = shape[3] if shape else "a record of another shape than the one it is read as"
        return IngestError(f"{where} cannot be read as part of {what}: {why}")
    return IngestError(f"{path}: cannot be read as {what}: {first_line(e)}")
