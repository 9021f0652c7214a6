"""What ``make run`` prints: a line per step as it finishes (:class:`Progress`), and what it
ends with (:func:`print_summary`): what this run changed, read from the warehouse after the run.

This run's batch (``batch_id``; None when there were no new files) gives the rows loaded and
quarantined per table and the quarantine reasons; then the reason mix, the review queue, the
asset checks and the paths.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import duckdb

from pipelines.contract import load_contract
from pipelines.reasons.engine import notes_read_in_part
from pipelines.warehouse import out_of_memory_advice, scalar, table_exists

MAX_KINDS = 4  # quarantine reasons named on the line; the rest are "other"


class Progress:
    """One line per asset step as it finishes (check-only steps are counted in the summary), and
    the warnings the assets log."""

    def __init__(self, steps: set[str], show_warnings: bool) -> None:
        self.steps = steps
        self.show_warnings = show_warnings
        self.started: dict[str, float] = {}
        self.finished = 0
        self.width = max(map(len, steps), default=10)

    def __call__(
        self, entry: Any
    ) -> None:  # a Dagster EventLogEntry (the library stays free of Dagster)
        event, step = entry.dagster_event, entry.step_key
        if event is None:
            level = entry.level if isinstance(entry.level, int) else logging.INFO
            # (Dagster's "Dependencies for step ... failed" after a failed step repeat the error
            # line the run ends with)
            if (
                self.show_warnings
                and level >= logging.WARNING
                and not (entry.user_message.startswith("Dependencies for step"))
            ):
                print(f"  warning: {entry.user_message}", flush=True)
            return
        if step not in self.steps:
            return
        if event.is_step_start:
            self.started[step] = entry.timestamp
        elif event.is_step_success or event.is_step_failure or event.is_step_skipped:
            self.finished += 1
            seconds = entry.timestamp - self.started.get(step, entry.timestamp)
            status = "  FAILED" if event.is_step_failure else ""
            took = " skipped" if event.is_step_skipped else f"{seconds:5.1f}s{status}"
            print(f"  [{self.finished}/{len(self.steps)}] {step:<{self.width}} {took}", flush=True)


def print_summary(
    warehouse: Path,
    reports_dir: Path,
    seconds: float,
    batch_id: int | None = None,
    checks_passed: int = 0,
    checks_failed: list[str] | None = None,
    checks_warned: list[str] | None = None,
    reason_run: tuple[str, str, int] | None = None,
    nothing_to_do: str | None = None,
    unrecognised: list[str] | None = None,
) -> None:
    """``reason_run``: the reason engine's mode (full / incremental / unchanged), why, and how
    many post-interview rejections it recomputed. ``nothing_to_do``: why the run skipped every
    step after the ingest (the asset checks' last results stand). ``unrecognised``: names in the
    input folder that are no input file's."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        batch = batch_id if batch_id is not None else -1
        files, seen = con.execute(
            "select count(*) filter (where batch_id = ?), count(*) filter (where batch_id <> ?) "
            "from ingest_log",
            [batch, batch],
        ).fetchall()[0]
        if files:
            what = f"batch {batch_id}: {files} new file{'s' * (files != 1)}"
            print(f"\nDone in {seconds:.1f}s; {what} ({seen} ingested before).")
        else:
            print(f"\nDone in {seconds:.1f}s; no new input files ({seen} ingested before).")
        if unrecognised:
            shown = ", ".join(unrecognised[:MAX_KINDS])
            more = (
                f" and {len(unrecognised) - MAX_KINDS} more"
                if len(unrecognised) > MAX_KINDS
                else ""
            )
            print(f"not read: {shown}{more}: not named <table>.<ext> or <table>-<anything>.<ext> "
                  "(docs/data_contract.md)")  # fmt: skip
        ignored = con.execute(
            "select file_name, ignored_columns from ingest_log "
            "where batch_id = ? and len(ignored_columns) > 0 order by file_id",
            [batch],
        ).fetchall()
        for name, columns in ignored[:MAX_KINDS]:
            print(f"columns not in the contract, not read: {name}: {', '.join(columns)}")
        print(f"{'table':<20}{'rows now':>12}{'loaded this run':>18}{'quarantined':>14}")
        for table in load_contract().tables:
            n = scalar(con, f'select count(*) from "{table}"')
            loaded, quarantined = con.execute(
                "select coalesce(sum(rows_loaded), 0), coalesce(sum(rows_quarantined), 0) "
                "from ingest_log where source_table = ? and batch_id = ?",
                [table, batch],
            ).fetchall()[0]
            print(f"{table:<20}{n:>12,}{loaded:>18,}{quarantined:>14,}")
        kinds = con.execute(
            "select reason_kind, count(*) as n from quarantine where batch_id = ? "
            "group by 1 order by n desc, 1",
            [batch],
        ).fetchall()
        if kinds:
            total = sum(k[1] for k in kinds)
            named = [f"{k[0]} {k[1]:,}" for k in kinds[:MAX_KINDS]]
            if len(kinds) > MAX_KINDS:
                named.append(f"other {sum(k[1] for k in kinds[MAX_KINDS:]):,}")
            print(f"quarantined this run: {total:,} rows ({', '.join(named)}); table quarantine")
        if nothing_to_do is not None:
            print(nothing_to_do)
        if reason_run is not None:
            mode, why, cohort = reason_run
            if mode == "unchanged":
                print(f"reasons: unchanged ({why}); nothing recomputed")
            else:
                print(
                    f"reasons: {mode} run, {cohort:,} post-interview rejections recomputed ({why})"
                )
        if table_exists(con, "reason_assignments"):
            rows = con.execute(
                "select reason, count(*) from reason_assignments group by 1 order by 2 desc, 1"
            ).fetchall()
            total = sum(r[1] for r in rows)
            mix = ", ".join(f"{r[0]} {r[1] / total:.0%}" for r in rows) if total else "none"
            line = f"post-interview rejections: {total:,} ({mix})"
            if table_exists(con, "review_queue"):
                line += f"; {scalar(con, 'select count(*) from review_queue'):,} to review"
            print(line)
            cut = notes_read_in_part(con)
            if cut:
                print(
                    f"read in part: {cut:,} rejections whose note or ATS reason is longer than "
                    "the rules file's note_chars"
                )
    finally:
        con.close()
    failed, warned = checks_failed or [], checks_warned or []
    line = f"asset checks: {checks_passed} passed"
    if warned:
        line += f", {len(warned)} warning: {', '.join(warned)}"
    if failed:
        line += f", {len(failed)} FAILED: {', '.join(failed)}"
    if nothing_to_do is not None:
        line += " (the ingest's; the others stand as they last ran)"
    if checks_passed or warned or failed:
        print(line)
    print(f"\nwarehouse    : {warehouse}")
    index = reports_dir / "index.html"
    if index.exists():
        print(f"reports      : {index}")


def check_name(table: str, check: str, records: object) -> str:
    """A check that did not pass, for the summary line: with how many records it found, where
    its metadata says (``records``), and where they are listed (the asset's table)."""
    n = getattr(records, "value", records)
    where = f" ({n:,} records, listed in the warehouse table {table})" if isinstance(n, int) else ""
    return f"{table}:{check}{where}"


def failure_line(message: str, cause: str | None = None) -> str:
    """One line for a step that failed on an error, not on a user mistake: the first line of the
    error and of its cause; running out of memory says which setting to raise (DuckDB's own
    advice is a page)."""

    def first(text: str) -> str:
        return next((line.strip() for line in text.splitlines() if line.strip()), "")

    line = first(message) + (f" ({first(cause)})" if cause else "")
    if "Out of Memory" in line:
        return f"out of memory {out_of_memory_advice()} ({first(cause or message)})"
    return line
