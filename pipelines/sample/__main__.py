"""``python -m pipelines.sample --applications 5000 --out data/sample``: write a synthetic dataset."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from pipelines.sample.generator import distinct_notes, distinct_share, generate, make_messy, write
from pipelines.sample.vendors import FORMATS as VENDOR_FORMATS
from pipelines.sample.vendors import write_vendor_export


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m pipelines.sample", description=__doc__)
    p.add_argument("--applications", type=int, default=5000, help="number of applications")
    p.add_argument("--out", type=Path, default=Path("data/sample"), help="output folder")
    p.add_argument(
        "--format",
        choices=["csv", "parquet", "jsonl", *VENDOR_FORMATS],
        default="csv",
        help="contract files, or a vendor's export shape (OUT/<vendor>/; an applicant tracking "
        "system's export comes with its background checks as OUT/checkr/)",
    )
    p.add_argument("--seed", type=int, default=7)
    p.add_argument(
        "--messy",
        type=float,
        default=0.0,
        help="share of application rows given a real-export problem (e.g. 0.002)",
    )
    p.add_argument(
        "--truth",
        type=Path,
        default=None,
        help="ground-truth CSV path (default OUT/ground_truth/reasons.csv)",
    )
    p.add_argument(
        "--distinct-notes",
        action="store_true",
        help="mostly distinct recruiter notes (neutral context with dates and numbers around "
        "each phrasing, as real notes are); without it, notes repeat ~300 phrasings",
    )
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    data = generate(args.applications, args.seed)
    if args.distinct_notes:
        data = distinct_notes(data, args.seed)
    data = make_messy(data, args.messy)
    if args.format in VENDOR_FORMATS:
        # The contract files first (in OUT/contract/, beside the export), then their vendor shape.
        truth = args.truth or args.out / "ground_truth" / "reasons.csv"
        paths = write(data, args.out / "contract", "csv", truth)
        write_vendor_export(args.out / "contract", args.out, args.format)
    else:
        paths = write(data, args.out, args.format, args.truth)
    print(
        f"wrote {len(data.applications):,} applications, {len(data.jobs):,} jobs, "
        f"{len(data.interviews):,} interviews, {len(data.background_checks):,} background checks, "
        f"{len(data.truth):,} labelled post-interview rejections to {args.out} "
        f"in {time.perf_counter() - t0:.1f}s"
    )
    if args.distinct_notes:
        notes = data.applications["recruiter_note"]
        cohort = data.applications.join(data.truth, on="application_id", how="semi")
        print(
            f"distinct notes: {distinct_share(notes):.1%} of all notes, "
            f"{distinct_share(cohort['recruiter_note']):.1%} of the post-interview rejections' "
            f"({(notes.fill_null('') == '').mean():.1%} empty)"
        )
    print(f"ground truth: {paths['truth']}")


if __name__ == "__main__":
    main()
