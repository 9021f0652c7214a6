"""`make review`: the review queue as a CSV for the reviewer who holds the warehouse.

The queued cases (application id, the reason assigned, its confidence, why it was queued, the
rules whose evidence decided it and every rule that fired, with the reason each points to) are
about people, so they are written next to the warehouse file (``review_queue.csv`` in its
folder), never into the shareable reports folder, which holds
aggregates only. Evidence snippets (quotes from notes) are left out: the reviewer opens the case
in the ATS.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

# rules_cited: the rules whose evidence decided the assignment; rules_fired: every rule that fired
# on the case, with the reason it points to (reason_rule_hits), so that the reviewer sees the
# competing reasons a case was queued for, not only the winner's.
QUERY = """
with fired as (
    select h.application_id,
           string_agg(h.rule_id || ' (' || h.reason || ')', '; ' order by h.rule_id) as rules_fired
    from reason_rule_hits h
    semi join review_queue q using (application_id)
    group by h.application_id
)
select
    q.application_id,
    q.reason,
    round(q.confidence, 3) as confidence,
    q.why as why_queued,
    q.decision_path,
    array_to_string(list_distinct(list_transform(
        from_json(q.evidence, '["json"]'), lambda x: json_extract_string(x, '$.rule'))), '; ')
        as rules_cited,
    coalesce(f.rules_fired, '') as rules_fired,
    q.rules_version
from review_queue q
left join fired f using (application_id)
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
