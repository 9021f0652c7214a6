"""`make review`: the review queue as a CSV for the reviewer who holds the warehouse.

The queued cases (application id, the reason assigned, its confidence, why it was queued and
the rules that fired) are about people, so they are written next to the warehouse file
(``review_queue.csv`` in its folder), never into the shareable reports folder, which holds
aggregates only. Evidence snippets (quotes from notes) are left out: the reviewer opens the case
in the ATS.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

QUERY = """
select
    application_id,
    reason,
    round(confidence, 3) as confidence,
    why as why_queued,
    decision_path,
    array_to_string(list_distinct(list_transform(
        from_json(evidence, '["json"]'), lambda x: json_extract_string(x, '$.rule'))), '; ') as rules_fired,
    rules_version
from review_queue
order by confidence, application_id
"""


def write_review_queue(warehouse: Path, out: Path | None = None) -> tuple[Path, int]:
    """Write the review queue of ``warehouse`` to ``out`` (default: review_queue.csv beside the
    warehouse); returns the path and the number of cases."""
    out = out or warehouse.parent / "review_queue.csv"
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.sql("select count(*) from review_queue").fetchall()[0][0]
        con.sql(QUERY).write_csv(str(out))
    finally:
        con.close()
    return out, int(rows)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="make review", description=__doc__.splitlines()[0])
    p.add_argument("--warehouse", type=Path, default=Path("data/warehouse.duckdb"))
    args = p.parse_args(argv)
    if not args.warehouse.is_file():
        print(f"error: no warehouse at {args.warehouse} (run `make run` first)", file=sys.stderr)
        return 2
    path, n = write_review_queue(args.warehouse)
    print(f"review queue: {n:,} cases written to {path} (beside the warehouse, not in the reports)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
