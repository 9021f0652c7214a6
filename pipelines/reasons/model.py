"""The committed text model (``rules/text_model_v1/``) as warehouse tables.

A linear model (multinomial logistic regression) over the scoped words and word pairs of a note
(``sql/reasons/reason_note_tokens.sql``): a label's score is its bias plus the weights of the
note's tokens; the probability is the softmax of the scores. Training lives in
``pipelines/text_model.py`` (a command); this is only the loader the pipeline needs, so the
reason engine does not depend on the training tool.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from pipelines.warehouse import PROJECT_ROOT

MODEL_DIR = PROJECT_ROOT / "rules" / "text_model_v1"
MODEL_FILES = {"text_model_labels": "labels.csv", "text_model_weights": "weights.csv"}
MODEL_TABLES = {
    "text_model_labels": "The text model's labels in score order, with their bias "
    "(rules/text_model_v1/labels.csv).",
    "text_model_weights": "The text model's weights: per token, one weight per label in the "
    "labels' order (rules/text_model_v1/weights.csv, where weights near zero are left out).",
}


def model_labels(model_dir: Path = MODEL_DIR) -> list[str]:
    with (model_dir / MODEL_FILES["text_model_labels"]).open(encoding="utf-8") as f:
        return [row["label"] for row in csv.DictReader(f)]


def model_params(model_dir: Path = MODEL_DIR) -> dict[str, str]:
    """The SQL the scoring file needs from the model: one sum per label, in label order, rounded
    to 6 decimals so that a note scores the same whatever order its tokens are summed in (a
    double sum's order changes only the last bits; a decimal sum was exact but held 16-byte
    accumulators per label and note, too much to keep in memory at 10M applications)."""
    n = len(model_labels(model_dir))
    sums = ", ".join(f"round(sum(w.weights[{i}]), 6)" for i in range(1, n + 1))
    return {"model_sums": f"[{sums}]"}


def load_model(con: duckdb.DuckDBPyConnection, model_dir: Path = MODEL_DIR) -> None:
    """The model's CSV files as tables: text_model_labels (position, label, bias) and
    text_model_weights (token, weights: one per label, in position order)."""
    labels = str(model_dir / MODEL_FILES["text_model_labels"])
    weights = str(model_dir / MODEL_FILES["text_model_weights"])
    con.execute(
        "create or replace table text_model_labels as "
        "select row_number() over () as position, label, bias "
        "from read_csv(?, header = true, columns = {'label': 'varchar', 'bias': 'double'})",
        [labels],
    )
    con.execute(
        """
        create or replace table text_model_weights as
        with w as (
            select * from read_csv(?, header = true,
                columns = {'token': 'varchar', 'label': 'varchar', 'weight': 'double'})
        )
        select t.token, list(coalesce(w.weight, 0) order by l.position) as weights
        from (select distinct token from w) t
        cross join text_model_labels l
        left join w on w.token = t.token and w.label = l.label
        group by t.token
        """,
        [weights],
    )
