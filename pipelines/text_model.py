"""Training the text model: a multinomial logistic regression over the scoped words and word pairs
of recruiter notes.

A command, not part of the pipeline (which loads the committed model with
``pipelines.reasons.model``). ``python -m pipelines.text_model`` trains it on the sample
generator's phrasings and the labelled notes of the training splits, prints its cross-validated
accuracy, and writes ``rules/text_model_v1/`` (``labels.csv``: label and bias; ``weights.csv``:
per token and label, its weight). The warehouse scores notes with
``sql/reasons/reason_text_model.sql``: a join and a sum, no Python per note.

Tokens come from ``sql/reasons/reason_note_tokens.sql`` in both training and scoring, so the
two cannot drift apart: words and word pairs marked by scope (``not_`` after a negation cue,
``if_`` in a hypothetical clause, ``last_`` repeated for the clause after the last contrast
word). Labels: ``competition``, ``background_check``, ``goal_mismatch``, ``other:<detail>``
and ``unknown`` (a note that states no reason). Why a linear model: it weighs a token against
the others it appears with (naive Bayes counts each alone, so "comp" beside a negated "issue"
still voted for compensation), stays a table of weights anyone can read, and scores in SQL.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from pipelines.contract import load_contract
from pipelines.eval_cases import load_cases
from pipelines.reasons.model import MODEL_DIR, load_model, model_params
from pipelines.reasons.rules import Rules, load_rules, rule_macros, sql_params
from pipelines.sample.notes import NOTES
from pipelines.sqlgraph import pipeline_graph

# A blind split joins training only once its first score is recorded (data/eval/BLIND_SCORES.md).
TRAIN_SPLITS = (
    "dev",
    "holdout",
    "blind7",
    "blind8",
    "blind9",
    "blind10",
    "blind11",
    "blind12",
    "blind13",
    "blind14",
)
MIN_NOTES = 2  # a token must occur in this many training notes to get a weight
L2 = 3e-4  # regularisation (chosen on the holdout split with dev as training)
EPOCHS = 400
PRUNE = 0.01  # weights smaller than this are left out of weights.csv


def note_label(cases: pl.DataFrame) -> pl.DataFrame:
    """(note, label) for labelled cases whose note is written: the label is what the note itself
    states, so notes that state no reason (truth from the records, the ATS code, or unknown)
    are ``unknown``; decoys keep what their note says only when it is plain, so they are left out."""
    return (
        cases.filter(
            pl.col("recruiter_note").is_not_null()
            & (pl.col("recruiter_note").str.strip_chars() != "")
            & (pl.col("reason") != "not_in_cohort")
            & (pl.col("hard_kind") != "ats_only")
        )
        .with_columns(
            pl.when(
                pl.col("hard_kind").is_in(["empty", "near_miss", "no_reason"])
                | (pl.col("reason") == "unknown")
            )
            .then(pl.lit("unknown"))
            .when(pl.col("reason") == "other")
            .then("other:" + pl.col("detail"))
            .otherwise(pl.col("reason"))
            .alias("label")
        )
        .select(pl.col("recruiter_note").alias("note"), "label")
    )


def training_notes(splits: tuple[str, ...] = TRAIN_SPLITS) -> pl.DataFrame:
    """(note, label) pairs: the generator's phrasings and the labelled notes of ``splits``, in
    the one shuffled order training sees them (``make model`` and ``make calibrate`` alike)."""
    generated = pl.DataFrame(
        [
            (
                t.replace("{gap}", "5")
                .replace("{role}", "operations")
                .replace("{finding}", "a record"),
                key,
            )
            for key, phrasings in NOTES.items()
            for t in phrasings
            if t
        ],
        schema=["note", "label"],
        orient="row",
    )
    cases = note_label(load_cases().filter(pl.col("split").is_in(list(splits))))
    notes = pl.concat([generated, cases]).unique("note", keep="last", maintain_order=True)
    return notes.sample(fraction=1.0, shuffle=True, seed=3)


def _run_text_steps(
    con: duckdb.DuckDBPyConnection, rules: Rules, tables: list[str], model_dir: Path = MODEL_DIR
) -> None:
    """The warehouse's own SQL for these tables of sql/reasons, so training and scoring agree."""
    for macro in rule_macros(rules):
        con.execute(macro)
    params = sql_params(rules, load_contract())
    if "reason_text_model" in tables:  # run_step renders only the files it runs
        params.update(model_params(model_dir))
    pipeline_graph().run_step(con, "reasons", params, only=tables)


def _notes_table(con: duckdb.DuckDBPyConnection, notes: pl.DataFrame, rules: Rules) -> None:
    """The notes as the cohort table holds them: cut to the rules file's note_chars, as
    sql/reasons/post_interview_rejections.sql cuts them."""
    frame = notes.with_row_index("application_id").select(
        pl.col("application_id").cast(pl.String), pl.col("note").alias("recruiter_note")
    )
    con.register("frame", frame.to_arrow())
    chars = int(rules.clauses["note_chars"])
    con.execute(
        "create table post_interview_rejections as "
        f"select application_id, left(recruiter_note, {chars}) as recruiter_note, "
        f"length(recruiter_note) > {chars} as recruiter_note_cut, "
        "NULL::varchar as ats_rejection_reason, NULL::boolean as ats_rejection_reason_cut "
        "from frame"
    )


def note_tokens(notes: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """(row, token) for each note, with the warehouse's own tokenizer SQL."""
    con = duckdb.connect()
    _notes_table(con, notes, rules)
    _run_text_steps(con, rules, ["reason_notes", "reason_note_tokens"])
    tokens = con.sql("select application_id::bigint as row, token from reason_note_tokens").pl()
    con.close()
    return tokens


def _design(tokens: pl.DataFrame, vocab: dict[str, int], n: int) -> np.ndarray:
    x = np.zeros((n, len(vocab)), np.float32)
    known = tokens.filter(pl.col("token").is_in(list(vocab)))
    cols = known["token"].replace_strict(vocab, return_dtype=pl.Int64).to_numpy()
    x[known["row"].to_numpy(), cols] = 1.0
    return x


def _fit(x: np.ndarray, y: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Softmax regression with an L2 penalty, full-batch Adam (a few thousand notes)."""
    n, d = x.shape
    w, b = np.zeros((d, k), np.float32), np.zeros(k, np.float32)
    target = np.eye(k, dtype=np.float32)[y]
    moments = [[np.zeros_like(w), np.zeros_like(w)], [np.zeros_like(b), np.zeros_like(b)]]
    for t in range(1, EPOCHS + 1):
        z = x @ w + b
        p = np.exp(z - z.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        g = (p - target) / n
        for param, grad, (m, v) in ((w, x.T @ g + L2 * w, moments[0]), (b, g.sum(0), moments[1])):
            m *= 0.9
            m += 0.1 * grad
            v *= 0.999
            v += 0.001 * grad * grad
            param -= 0.1 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return w, b


def train(notes: pl.DataFrame, rules: Rules) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(labels, weights) of a logistic regression on ``notes`` (columns note, label)."""
    tokens = note_tokens(notes, rules)
    kept = tokens.group_by("token").len().filter(pl.col("len") >= MIN_NOTES).sort("token")
    vocab = {t: i for i, t in enumerate(kept["token"].to_list())}
    labels = sorted(notes["label"].unique().to_list())
    y = notes["label"].replace_strict({lab: i for i, lab in enumerate(labels)}).to_numpy()
    w, b = _fit(_design(tokens, vocab, notes.height), y, len(labels))
    rows, cols = np.nonzero(np.abs(w) >= PRUNE)
    tokens_list = kept["token"].to_list()
    weights = pl.DataFrame(
        {
            "token": [tokens_list[r] for r in rows],
            "label": [labels[c] for c in cols],
            "weight": w[rows, cols].astype(np.float64).round(5),
        }
    ).sort("token", "label")
    return pl.DataFrame({"label": labels, "bias": b.astype(np.float64).round(5)}), weights


def predict(
    notes: pl.DataFrame, labels: pl.DataFrame, weights: pl.DataFrame, rules: Rules
) -> pl.DataFrame:
    """The warehouse's scoring SQL, run on ``notes`` (for cross-validation and tests)."""
    con = duckdb.connect()
    _notes_table(con, notes, rules)
    with tempfile.TemporaryDirectory() as tmp:
        labels.write_csv(Path(tmp) / "labels.csv")
        weights.write_csv(Path(tmp) / "weights.csv")
        load_model(con, Path(tmp))
        _run_text_steps(
            con,
            rules,
            ["reason_notes", "reason_note_tokens", "reason_text_model"],
            model_dir=Path(tmp),
        )
    out = con.sql(
        "select application_id::bigint as row, label as predicted, probability from reason_text_model"
    ).pl()
    con.close()
    return (
        notes.with_row_index("row")
        .with_columns(pl.col("row").cast(pl.Int64))
        .join(out, on="row", how="left")
    )


def cross_validate(notes: pl.DataFrame, rules: Rules, folds: int = 5) -> pl.DataFrame:
    """Every note scored by a model trained without its fold (out-of-fold predictions)."""
    fold = notes.with_row_index("i").with_columns((pl.col("i") % folds).alias("fold"))
    parts = []
    for k in range(folds):
        labels, weights = train(fold.filter(pl.col("fold") != k).select("note", "label"), rules)
        parts.append(
            predict(
                fold.filter(pl.col("fold") == k).select("note", "label"), labels, weights, rules
            )
        )
    return pl.concat(parts)


def main(argv: list[str] | None = None) -> float:
    """Train, write the model files, and return the cross-validated accuracy."""
    p = argparse.ArgumentParser(prog="python -m pipelines.text_model", description=__doc__)
    p.add_argument(
        "--split",
        action="append",
        default=[],
        help=f"train on this evaluation split (repeatable; default: {', '.join(TRAIN_SPLITS)})",
    )
    p.add_argument("--out", type=Path, default=MODEL_DIR)
    p.add_argument("--folds", type=int, default=5, help="cross-validation folds (0: skip)")
    args = p.parse_args(argv)
    rules = load_rules()
    notes = training_notes(tuple(args.split) or TRAIN_SPLITS)
    accuracy = float("nan")
    if args.folds > 1:
        scored = cross_validate(notes, rules, args.folds)
        accuracy = float((scored["predicted"] == scored["label"]).mean())  # type: ignore[arg-type]
    labels, weights = train(notes, rules)
    args.out.mkdir(parents=True, exist_ok=True)
    labels.write_csv(args.out / "labels.csv")
    weights.write_csv(args.out / "weights.csv")
    print(
        f"trained on {notes.height} notes, {labels.height} labels, "
        f"{weights['token'].n_unique()} tokens; {args.folds}-fold cross-validated accuracy "
        f"{accuracy:.3f}; "
        f"written to {args.out}"
    )
    return accuracy


if __name__ == "__main__":
    main()
