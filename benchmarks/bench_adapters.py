"""Vendor adapter benchmark: the same applications loaded from contract CSV and from each vendor's
export (the ingest with its adapter: read the vendor JSON, map, pseudonymise, validate, publish).

    python benchmarks/bench_adapters.py --applications 1000000

The cases are generated once as contract CSV (data/bench/N) and written in each vendor's shape
(data/bench/N_<vendor>: the applicant tracking export plus the background checks as a Checkr
export). Each load runs in a fresh process on a fresh warehouse so its peak memory (max RSS) is
its own; --repeat runs each, median shown. Rows/s counts the canonical rows loaded (every table).
Prints a table; nothing is asserted (target: each adapter within 1.5x of the contract CSV load).
"parse s" is what DuckDB's JSON reader alone takes to parse the export's JSON files (every field,
nothing kept): the part of a load that the export's size sets, whatever the adapter does.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

import duckdb
from bench_ingest import one_process
from common import BENCH_DIR, ensure_dataset

from pipelines.sample.vendors import write_vendor_export

ADAPTERS = ("greenhouse", "lever", "ashby")  # the ATS adapters; each comes with its Checkr export

LOAD = r"""
import sys, time
from pathlib import Path
from pipelines.ingest import ingest_folder
from pipelines.warehouse import connect
con = connect(sys.argv[2])
t = time.perf_counter()
r = ingest_folder(con, Path(sys.argv[1]), pseudonym_key=b"benchmark-key")
seconds = time.perf_counter() - t
print(sum(f.rows_loaded for f in r.files), file=sys.stderr)
print(seconds)
"""


def measure(folder: Path, name: str) -> tuple[float, float]:
    db = BENCH_DIR / f"adapters_{name}.duckdb"
    for old in BENCH_DIR.glob(f"adapters_{name}.duckdb*"):
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    try:
        return one_process(LOAD, str(folder), str(db))
    finally:
        for old in BENCH_DIR.glob(f"adapters_{name}.duckdb*"):
            shutil.rmtree(old) if old.is_dir() else old.unlink()
            # (the key file is never created: the key is given)


def parse_seconds(folder: Path) -> float:
    """Seconds DuckDB's JSON reader takes to parse every JSON file of ``folder``."""
    con = duckdb.connect()
    t = time.perf_counter()
    for f in sorted(folder.rglob("*.json*")):
        con.execute(
            f"select count(*) from read_json('{f}', format = 'auto', "
            "maximum_object_size = 1073741824)"
        ).fetchall()
    return time.perf_counter() - t


def canonical_rows(folder: Path) -> int:
    rows = 0
    for f in folder.glob("*.csv"):
        with f.open("rb") as fh:
            rows += sum(chunk.count(b"\n") for chunk in iter(lambda fh=fh: fh.read(1 << 24), b""))
            rows -= 1
    return rows


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--applications", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=1, help="runs of each load; medians are shown")
    p.add_argument("--keep", action="store_true", help="keep generated data in data/bench")
    args = p.parse_args()
    n = args.applications
    contract, _ = ensure_dataset(n)
    rows = canonical_rows(contract)
    exports = {}
    for vendor in ADAPTERS:
        out = BENCH_DIR / f"{n}_{vendor}"
        if not (out / vendor).exists():
            t = time.perf_counter()
            write_vendor_export(contract, out, vendor)
            print(f"wrote the {vendor} export in {time.perf_counter() - t:.0f}s", file=sys.stderr)
        exports[vendor] = out
    print(f"{n:,} applications, {rows:,} canonical rows")
    print(
        f"{'source':<12} {'input MB':>9} {'load s':>8} {'rows/s':>11} {'peak MiB':>9} {'vs CSV':>7}"
        f" {'parse s':>8} {'parse vs CSV':>13}"
    )
    base = None
    for name, folder in [("contract", contract), *exports.items()]:
        size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6
        runs = [measure(folder, name) for _ in range(args.repeat)]
        secs = statistics.median(s for s, _ in runs)
        mib = max(m for _, m in runs)
        base = base or secs
        parse = (
            f"{'-':>8} {'-':>13}"
            if folder == contract
            else f"{(ps := parse_seconds(folder)):>8.1f} {ps / base:>12.2f}x"
        )
        print(
            f"{name:<12} {size:>9.0f} {secs:>8.1f} {rows / secs:>11,.0f} {mib:>9.0f} "
            f"{secs / base:>6.2f}x {parse}",
            flush=True,
        )
    if not args.keep:
        for folder in exports.values():
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
