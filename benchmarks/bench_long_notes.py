"""Long-notes benchmark: notes of megabytes (a pasted e-mail thread, an attachment's text) from
contract CSV and from each vendor's export, loaded and read within the memory cap (#11).

    python benchmarks/bench_long_notes.py --notes 1000

Generates --applications cases, makes the first --notes recruiter notes about --note-mb MB long
(the note repeated), writes them as contract CSV and in each ATS vendor's shape
(data/bench/long_notes), then per source, each in a fresh process on a fresh warehouse: the ingest,
then the reason engine. Prints seconds and peak RSS per step; nothing is asserted (target: peak
RSS <= 2 GiB, the whole process). Long texts are cut as they are read: 200,000 characters kept
(the contract's max_chars), 4,000 read by the text engine (the rules file's note_chars).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from bench_ingest import one_process
from common import BENCH_DIR

from pipelines.sample.generator import generate
from pipelines.sample.generator import write as write_contract
from pipelines.sample.notes import lengthen_notes
from pipelines.sample.vendors import write_vendor_export

SOURCES = ("contract", "greenhouse", "lever", "ashby")
TARGET_MIB = 2048

INGEST = r"""
import sys, time
from pathlib import Path
from pipelines.ingest import ingest_folder
from pipelines.warehouse import connect
con = connect(sys.argv[2])
t = time.perf_counter()
r = ingest_folder(con, Path(sys.argv[1]), pseudonym_key=b"benchmark-key")
assert con.sql("select count(*) from applications").fetchall()[0][0] > 0
print(time.perf_counter() - t)
"""

REASONS = r"""
import sys, time
from pipelines.reasons.engine import assign_reasons
from pipelines.reasons.rules import load_rules
from pipelines.warehouse import connect
con = connect(sys.argv[2])
t = time.perf_counter()
assign_reasons(con, load_rules())
print(time.perf_counter() - t)
"""


def write_inputs(out: Path, applications: int, notes: int, note_mb: float) -> dict[str, Path]:
    """The cases as contract CSV (``out/contract``) and each vendor's export (``out/<vendor>``)."""
    data = generate(applications, seed=11)
    data.applications = lengthen_notes(data.applications, notes, int(note_mb * 1e6))
    folders = {"contract": out / "contract"}
    write_contract(data, folders["contract"], "csv", out / "truth.csv")
    for vendor in SOURCES[1:]:
        folders[vendor] = out / vendor
        write_vendor_export(folders["contract"], folders[vendor], vendor)
    return folders


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--applications", type=int, default=20_000)
    p.add_argument("--notes", type=int, default=1_000, help="notes made long")
    # (the vendor exports are written from CSV read with DuckDB's 2 MB line limit)
    p.add_argument("--note-mb", type=float, default=1.9, help="length of a long note, MB")
    p.add_argument("--keep", action="store_true", help="keep generated data in data/bench")
    args = p.parse_args()
    out = BENCH_DIR / "long_notes"
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    folders = write_inputs(out, args.applications, args.notes, args.note_mb)
    print(f"wrote the inputs in {time.perf_counter() - t:.0f}s", file=sys.stderr)
    print(
        f"{args.applications:,} applications, {args.notes:,} notes of {args.note_mb} MB; "
        f"target: peak RSS <= {TARGET_MIB} MiB"
    )
    print(
        f"{'source':<12} {'input MB':>9} {'ingest s':>9} {'peak MiB':>9} {'reasons s':>10} "
        f"{'peak MiB':>9}  result"
    )
    try:
        for name in SOURCES:
            folder = folders[name]
            size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6
            db = out / f"{name}.duckdb"
            ingest_s, ingest_mib = one_process(INGEST, str(folder), str(db))
            reasons_s, reasons_mib = one_process(REASONS, str(folder), str(db))
            met = "met" if max(ingest_mib, reasons_mib) <= TARGET_MIB else "NOT met"
            print(
                f"{name:<12} {size:>9,.0f} {ingest_s:>9.1f} {ingest_mib:>9,.0f} {reasons_s:>10.1f} "
                f"{reasons_mib:>9,.0f}  {met}",
                flush=True,
            )
            for old in out.glob(f"{name}.duckdb*"):
                shutil.rmtree(old) if old.is_dir() else old.unlink()
    finally:
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
