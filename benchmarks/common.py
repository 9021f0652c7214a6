"""What both benchmarks share: where their data lives and how it is generated."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "data" / "bench"


def ensure_dataset(n: int) -> tuple[Path, Path]:
    """data/bench/N (the four CSV files) and its ground truth, generated once and reused."""
    folder, truth = BENCH_DIR / str(n), BENCH_DIR / f"{n}_truth.csv"
    if not (folder / "applications.csv").exists() or not truth.exists():
        subprocess.run(
            [sys.executable, "-m", "pipelines.sample", "--applications", str(n),
             "--out", str(folder), "--truth", str(truth)],
            cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
    return folder, truth
