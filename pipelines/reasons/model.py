"""The committed text model (``rules/text_model_v1/``) as warehouse tables.

Training lives in ``pipelines/text_model.py`` (a command); this is only the loader the pipeline
needs, so the reason engine does not depend on the training tool.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.warehouse import PROJECT_ROOT, quote_ident

MODEL_DIR = PROJECT_ROOT / "rules" / "text_model_v1"
MODEL_FILES = {"text_model_labels": "labels.csv", "text_model_weights": "weights.csv"}
MODEL_TABLES = {
    "text_model_labels": "The text model's labels: log prior and smoothing value per label "
    "(rules/text_model_v1/labels.csv).",
    "text_model_weights": "The text model's weights: per token and label, how much more likely "
    "the token is under the label than an unseen token (rules/text_model_v1/weights.csv).",
}


def load_model(con: duckdb.DuckDBPyConnection, model_dir: Path = MODEL_DIR) -> None:
    """The model's CSV files as tables text_model_labels and text_model_weights."""
    for table, name in MODEL_FILES.items():
        con.execute(
            f"create or replace table {quote_ident(table)} as "
            "select * from read_csv(?, header = true)",
            [str(model_dir / name)],
        )
