"""Training the small text model: naive Bayes over the words and word pairs of recruiter notes.

A command, not part of the pipeline (which loads the committed model with
``pipelines.reasons.model``). ``python -m pipelines.text_model`` trains it on the sample generator's phrasings and the labelled
evaluation set, prints its cross-validated accuracy, and writes ``rules/text_model_v1/``
(``labels.csv``: log prior and smoothing value per label; ``weights.csv``: per token and label,
how much more likely the token is under the label than an unseen token). The warehouse scores
notes with ``sql/reasons/reason_text_model.sql``: a join and a sum, no Python per note.

Tokens come from ``sql/reasons/reason_note_tokens.sql`` in both training and scoring, so the
two cannot drift apart. Labels: ``competition``, ``background_check``, ``goal_mismatch``,
``other:<detail>`` and ``unknown`` (a note that states no reason).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import duckdb
import polars as pl

from pipelines.contract import load_contract
from pipelines.eval_cases import load_cases
from pipelines.reasons.model import MODEL_DIR
from pipelines.reasons.rules import Rules, load_rules, rule_macros, sql_params
from pipelines.sample.notes import NOTES
from pipelines.sqlgraph import pipeline_graph

SMOOTHING = 0.5  # added to every token count


def training_notes(exclude_splits: tuple[str, ...] = ()) -> pl.DataFrame:
    """(note, label) pairs: the generator's phrasings and the evaluation set's distinct notes."""
    rows = [
        (
            t.replace("{gap}", "5")
            .replace("{role}", "operations")
            .replace("{finding}", "a record"),
            key,
        )
        for key, phrasings in NOTES.items()
        for t in phrasings
        if t
    ]
    cases = load_cases().filter(~pl.col("split").is_in(list(exclude_splits)))
    cases = cases.filter(pl.col("recruiter_note").is_not_null()).with_columns(
        pl.when((pl.col("hard_kind") == "empty") | (pl.col("reason") == "unknown"))
        .then(pl.lit("unknown"))  # the note itself states no reason
        .when(pl.col("reason") == "other")
        .then("other:" + pl.col("detail"))
        .otherwise(pl.col("reason"))
        .alias("label")
    )
    rows += list(cases.select("recruiter_note", "label").unique("recruiter_note").iter_rows())
    return pl.DataFrame(rows, schema=["note", "label"], orient="row")


def _run_text_steps(con: duckdb.DuckDBPyConnection, rules: Rules, tables: list[str]) -> None:
    """The warehouse's own SQL for these tables of sql/reasons, so training and scoring agree."""
    for macro in rule_macros(rules):
        con.execute(macro)
    pipeline_graph().run_step(con, "reasons", sql_params(rules, load_contract()), only=tables)


def note_tokens(notes: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """(row, token) for each note, with the warehouse's own tokenizer SQL."""
    con = duckdb.connect()
    frame = notes.with_row_index("application_id").select(
        pl.col("application_id").cast(pl.String), pl.col("note").alias("recruiter_note")
    )
    con.register("frame", frame.to_arrow())
    con.execute(
        "create table post_interview_rejections as "
        "select *, NULL::varchar as ats_rejection_reason from frame"
    )
    _run_text_steps(con, rules, ["reason_notes", "reason_note_tokens"])
    tokens = con.sql("select application_id::bigint as row, token from reason_note_tokens").pl()
    con.close()
    return tokens


def train(notes: pl.DataFrame, rules: Rules) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(labels, weights): naive Bayes over the tokens present in a note.

    Score(label) = log prior + sum over the note's known tokens of log p(token | label), with
    p = (notes of the label with the token + a) / (notes of the label + 1). A token a label
    never saw gets one smoothing value shared by every label (``log_unseen``): a per-label value
    would favour small labels on long notes. ``log_ratio`` is a seen token's log p minus it.
    """
    tokens = note_tokens(notes, rules).join(
        notes.with_row_index("row").select(pl.col("row").cast(pl.Int64), "label"), on="row"
    )
    docs = notes.group_by("label").len().rename({"len": "docs"})
    unseen = math.log(SMOOTHING / (notes.height / docs.height + 1.0))
    labels = docs.with_columns(
        (pl.col("docs") / notes.height).log().alias("log_prior"),
        pl.lit(unseen).alias("log_unseen"),
    ).sort("label")
    weights = (
        tokens.group_by("token", "label")
        .len()
        .join(docs, on="label")
        .with_columns(
            (((pl.col("len") + SMOOTHING) / (pl.col("docs") + 1.0)).log() - unseen).alias(
                "log_ratio"
            )
        )
        .select("token", "label", "log_ratio")
        .sort("token", "label")
    )
    return labels.select("label", "docs", "log_prior", "log_unseen"), weights


def predict(
    notes: pl.DataFrame, labels: pl.DataFrame, weights: pl.DataFrame, rules: Rules
) -> pl.DataFrame:
    """The warehouse's scoring SQL, run on ``notes`` (for cross-validation and tests)."""
    con = duckdb.connect()
    frame = notes.with_row_index("application_id").select(
        pl.col("application_id").cast(pl.String), pl.col("note").alias("recruiter_note")
    )
    for name, df in (("frame", frame), ("labels_df", labels), ("weights_df", weights)):
        con.register(name, df.to_arrow())
    con.execute(
        "create table post_interview_rejections as "
        "select *, NULL::varchar as ats_rejection_reason from frame"
    )
    con.execute("create table text_model_labels as select * from labels_df")
    con.execute("create table text_model_weights as select * from weights_df")
    _run_text_steps(con, rules, ["reason_notes", "reason_note_tokens", "reason_text_model"])
    out = con.sql(
        "select application_id::bigint as row, label as predicted, probability from reason_text_model"
    ).pl()
    con.close()
    return (
        notes.with_row_index("row")
        .with_columns(pl.col("row").cast(pl.Int64))
        .join(out, on="row", how="left")
    )


def cross_validate(notes: pl.DataFrame, rules: Rules, folds: int = 5) -> float:
    fold = notes.with_row_index("i").with_columns((pl.col("i") % folds).alias("fold"))
    right = 0
    for k in range(folds):
        train_part = fold.filter(pl.col("fold") != k).select("note", "label")
        test_part = fold.filter(pl.col("fold") == k).select("note", "label")
        labels, weights = train(train_part, rules)
        scored = predict(test_part, labels, weights, rules)
        right += int((scored["predicted"] == scored["label"]).sum())
    return right / notes.height


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m pipelines.text_model", description=__doc__)
    p.add_argument(
        "--exclude-split",
        action="append",
        default=[],
        help="leave this evaluation split out of training (to score it blind)",
    )
    p.add_argument("--out", type=Path, default=MODEL_DIR)
    args = p.parse_args(argv)
    rules = load_rules()
    notes = training_notes(tuple(args.exclude_split)).sample(fraction=1.0, shuffle=True, seed=3)
    accuracy = cross_validate(notes, rules)
    labels, weights = train(notes, rules)
    args.out.mkdir(parents=True, exist_ok=True)
    labels.write_csv(args.out / "labels.csv")
    weights.write_csv(args.out / "weights.csv", float_precision=5)
    print(
        f"trained on {notes.height} notes, {labels.height} labels, {weights['token'].n_unique()} tokens; "
        f"5-fold cross-validated accuracy {accuracy:.3f}; written to {args.out}"
    )
    if math.isnan(accuracy):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
