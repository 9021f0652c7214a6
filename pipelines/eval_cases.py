"""The hand-labelled evaluation cases (``data/eval/*.csv``): one reader, shared by the evaluation
harness (``pipelines.evaluate``) and the text model's training (``pipelines.text_model``).

Each file holds cases with the same columns; ``style`` (the writing voice) is optional: the
first set predates it and reads as ``unlabelled``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl

from pipelines.warehouse import PROJECT_ROOT

EVAL_DIR = PROJECT_ROOT / "data" / "eval"
EVAL_CASES = EVAL_DIR / "cases.csv"


def case_files(folder: Path = EVAL_DIR) -> list[Path]:
    return sorted(folder.glob("*.csv"))


def load_cases(path: Path = EVAL_DIR) -> pl.DataFrame:
    """Every case (of one file, or of every file in a folder), all columns as text except
    ``records_disagree`` (boolean); no detail = ''."""
    files = case_files(path) if path.is_dir() else [path]
    frames = [pl.read_csv(f, infer_schema=False) for f in files]
    frames = [
        f if "style" in f.columns else f.with_columns(pl.lit("unlabelled").alias("style"))
        for f in frames
    ]
    return pl.concat(frames, how="diagonal").with_columns(
        pl.col("detail").fill_null(""),
        pl.col("records_disagree") == "true",
    )


def eval_cases_digest(folder: Path = EVAL_DIR) -> str:
    """A digest of every case file, so that a step reading them knows when they changed."""
    h = hashlib.blake2b(digest_size=8)
    for f in case_files(folder):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()
