"""The short summary ``make run`` ends with, read from the warehouse after the run."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.contract import load_contract
from pipelines.warehouse import scalar, table_exists


def print_summary(warehouse: Path, reports_dir: Path, seconds: float) -> None:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        print(f"\nDone in {seconds:.1f}s.\n")
        print(f"{'table':<20}{'rows in table':>15}{'read (all batches)':>20}{'quarantined':>14}")
        for table in load_contract().tables:
            n = scalar(con, f'select count(*) from "{table}"')
            read, quarantined = con.execute(
                "select coalesce(sum(rows_read), 0), coalesce(sum(rows_quarantined), 0) "
                "from ingest_log where source_table = ?",
                [table],
            ).fetchall()[0]
            print(f"{table:<20}{n:>15,}{read:>20,}{quarantined:>14,}")
        if table_exists(con, "reason_assignments"):
            rows = con.execute(
                "select reason, count(*) from reason_assignments group by 1 order by 2 desc"
            ).fetchall()
            total = sum(r[1] for r in rows)
            mix = ", ".join(f"{r[0]} {r[1] / total:.0%}" for r in rows) if total else "none"
            print(f"\npost-interview rejections: {total:,} ({mix})")
    finally:
        con.close()
    print(f"\nwarehouse : {warehouse}")
    index = reports_dir / "index.html"
    if index.exists():
        print(f"reports   : {index}")
