"""The hand-labelled evaluation cases (``data/eval/cases.csv``): one reader, shared by the
evaluation harness (``pipelines.evaluate``) and the text model's training (``pipelines.text_model``)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.warehouse import PROJECT_ROOT

EVAL_CASES = PROJECT_ROOT / "data" / "eval" / "cases.csv"


def load_cases(path: Path = EVAL_CASES) -> pl.DataFrame:
    """Every case, all columns as text except ``records_disagree`` (boolean); no detail = ''."""
    return pl.read_csv(path, infer_schema=False).with_columns(
        pl.col("detail").fill_null(""),
        pl.col("records_disagree") == "true",
    )
