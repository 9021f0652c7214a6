"""Reason-assignment and report benchmark on N applications.

    python benchmarks/bench_reasons.py --applications 1000000

Generates (or reuses) data/bench/N, ingests it into a fresh warehouse, then times
`assign_reasons` (cohort, evidence, assignments, review queue; with the seconds of each table's
statement) and then the report build, each in its own process, with peak memory and the
assignments' accuracy against the generator's ground truth. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys

from common import BENCH_DIR, ROOT, ensure_dataset

STEP = r"""
import json, resource, sys, time
from pathlib import Path
from pipelines.warehouse import connect
step, db = sys.argv[1], sys.argv[2]
con = connect(db)
t = time.perf_counter()
if step == "ingest":
    from pipelines.ingest import ingest_folder
    ingest_folder(con, Path(sys.argv[3]))
elif step == "reasons":
    from pipelines.reasons.engine import assign_reasons
    from pipelines.reasons.rules import load_rules
    run = assign_reasons(con, load_rules())
else:
    from pipelines.reasons.engine import build_rule_audit
    from pipelines.reasons.rules import load_rules
    from pipelines.reports import build_reports
    from pipelines.reports.tables import build_report_tables
    build_rule_audit(con, [], load_rules())
    build_report_tables(con, load_rules())
    built = build_reports(con, Path(sys.argv[3]), load_rules())
secs = time.perf_counter() - t
out = {"seconds": secs, "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
if step == "reasons":
    out["tables"] = run.tables
    out["cohort"] = con.execute("select count(*) from post_interview_rejections").fetchall()[0][0]
    out["mix"] = dict(con.execute("select reason, count(*) from reason_assignments group by 1").fetchall())
    truth = sys.argv[3]
    out["accuracy"] = con.execute(
        f"select avg((a.reason = t.reason)::int) from reason_assignments a "
        f"join read_csv('{truth}', all_varchar=true) t using (application_id)").fetchall()[0][0]
print(json.dumps(out))
"""


def run(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", STEP, *args], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--applications", type=int, default=1_000_000)
    args = p.parse_args()
    n = args.applications
    folder, truth = ensure_dataset(n)
    db = BENCH_DIR / f"{n}_reasons.duckdb"
    for old in BENCH_DIR.glob(f"{n}_reasons.duckdb*"):
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    ingest = run("ingest", str(db), str(folder))
    reasons = run("reasons", str(db), str(truth))
    reports = run("reports", str(db), str(BENCH_DIR / f"{n}_reports"))
    print(
        f"applications {n:,}: ingest {ingest['seconds']:.1f}s (peak {ingest['peak_mib']:.0f} MiB)"
    )
    print(
        f"reasons: cohort {reasons['cohort']:,} in {reasons['seconds']:.1f}s, "
        f"{reasons['cohort'] / reasons['seconds']:,.0f} cohort rows/s, peak {reasons['peak_mib']:.0f} MiB, "
        f"accuracy vs generator truth {reasons['accuracy']:.3f}"
    )
    slowest = sorted(reasons["tables"].items(), key=lambda kv: -kv[1])
    print("reasons by table:", ", ".join(f"{name} {s:.1f}s" for name, s in slowest if s >= 0.05))
    print(f"reports: all pages in {reports['seconds']:.1f}s, peak {reports['peak_mib']:.0f} MiB")
    print(
        "mix:",
        ", ".join(f"{k} {v:,}" for k, v in sorted(reasons["mix"].items(), key=lambda kv: -kv[1])),
    )
    for old in [*BENCH_DIR.glob(f"{n}_reasons.duckdb*"), BENCH_DIR / f"{n}_reports"]:
        shutil.rmtree(old) if old.is_dir() else old.unlink()


if __name__ == "__main__":
    main()
