"""Ingest benchmark: our validated ingest vs a plain typed DuckDB load of the same four files.

    python benchmarks/bench_ingest.py --sizes 1000000 10000000

Each measurement runs in a fresh process so its peak memory (max RSS) is its own; each load runs
--repeat times (median shown, min-max in brackets). Prints a table; nothing is asserted
(targets: ingest within 1.5x of the plain load, peak memory under 2 GiB).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import BENCH_DIR, ROOT, ensure_dataset

PLAIN = r"""
import sys, time, duckdb
from pipelines.contract import load_contract
from pipelines.warehouse import connection_config
from pathlib import Path
folder, db = Path(sys.argv[1]), Path(sys.argv[2])
con = duckdb.connect(str(db), config=connection_config(db))
t = time.perf_counter()
for table in load_contract().tables.values():
    cols = "{" + ", ".join(f"'{c.name}': '{c.sql_type}'" for c in table.columns) + "}"
    con.execute(f"create table {table.name} as select * from read_csv('{folder / (table.name + '.csv')}', "
                f"header = true, columns = {cols}, dateformat = '%Y-%m-%d')")
print(time.perf_counter() - t)
"""

OURS = r"""
import sys, time
from pathlib import Path
from pipelines.ingest import ingest_folder
from pipelines.warehouse import connect
con = connect(sys.argv[2])
t = time.perf_counter()
r = ingest_folder(con, Path(sys.argv[1]))
print(time.perf_counter() - t)
"""


def one_process(code: str, *args: str) -> tuple[float, float]:
    """Run in a wrapper process so the peak RSS is this measurement's alone."""
    wrapper = (
        "import resource, subprocess, sys, json;"
        "o = subprocess.run([sys.executable, '-c', sys.argv[1], *sys.argv[2:]], check=True, capture_output=True, text=True);"
        "print(json.dumps([float(o.stdout.strip().splitlines()[-1]), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", wrapper, code, *args],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    secs, mib = json.loads(out.stdout.strip().splitlines()[-1])
    return secs, mib


def measure(name: str, code: str, folder: Path, n: int) -> tuple[float, float]:
    """One run in a fresh process on a fresh warehouse: (seconds, peak MiB)."""
    db = BENCH_DIR / f"{n}_{name}.duckdb"
    for old in BENCH_DIR.glob(f"{n}_{name}.duckdb*"):
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    try:
        return one_process(code, str(folder), str(db))
    finally:
        for old in BENCH_DIR.glob(f"{n}_{name}.duckdb*"):
            shutil.rmtree(old) if old.is_dir() else old.unlink()


def span(runs: list[tuple[float, float]]) -> str:
    secs = [s for s, _ in runs]
    return f"{statistics.median(secs):.1f} ({min(secs):.1f}-{max(secs):.1f})"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    p.add_argument("--repeat", type=int, default=3, help="runs of each load; medians are shown")
    p.add_argument("--keep", action="store_true", help="keep generated data in data/bench")
    args = p.parse_args()
    print(
        f"{'applications':>12} {'gen s':>7} {'input MB':>9} {'plain s':>15} {'plain MiB':>10} "
        f"{'ingest s':>15} {'ingest MiB':>11} {'ratio':>6} {'rows/s':>11}"
    )
    for n in args.sizes:
        folder = BENCH_DIR / str(n)
        t = time.perf_counter()
        ensure_dataset(n)
        gen = time.perf_counter() - t
        size_mb = sum(f.stat().st_size for f in folder.glob("*.csv")) / 1e6
        rows = 0
        for f in folder.glob("*.csv"):
            with f.open("rb") as fh:
                rows += (
                    sum(chunk.count(b"\n") for chunk in iter(lambda fh=fh: fh.read(1 << 24), b""))
                    - 1
                )
        # Runs alternate so that both loads see the same machine conditions; a single run of
        # either varies by about +-0.3 s at 10M here.
        runs: dict[str, list[tuple[float, float]]] = {"plain": [], "ours": []}
        for _ in range(args.repeat):
            for name, code in (("plain", PLAIN), ("ours", OURS)):
                runs[name].append(measure(name, code, folder, n))
        ps, os_ = (statistics.median(s for s, _ in runs[k]) for k in ("plain", "ours"))
        pm, om = (max(m for _, m in runs[k]) for k in ("plain", "ours"))

        print(
            f"{n:>12,} {gen:>7.1f} {size_mb:>9.0f} {span(runs['plain']):>15} {pm:>10.0f} "
            f"{span(runs['ours']):>15} {om:>11.0f} {os_ / ps:>6.2f} {rows / os_:>11,.0f}",
            flush=True,
        )
        if not args.keep:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
