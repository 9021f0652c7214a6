"""Calibrating the confidence table: ``python -m pipelines.calibrate`` (``make calibrate``).

A command, run after the text model or the rules change (``make model``). Each confidence in the
rules file's ``[confidence]`` table is the observed accuracy of one decision path on notes the
text model was not trained on: for every training split written by its own author (every split in
``TRAIN_SPLITS`` but ``dev``, the notes the rules were written against), the model is trained on
the other splits and the engine is evaluated on the held-out one (leave one split out); the
predictions are pooled, and each path's accuracy is shrunk towards the pooled accuracy by a few
pseudo-cases and capped below certainty. The committed model files are put back afterwards,
whatever happens. Prints each split's accuracy and writes the table into the rules file.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import textwrap
from pathlib import Path

import polars as pl

from pipelines.eval_cases import load_cases
from pipelines.evaluate import macro_f1, run_eval
from pipelines.reasons.model import MODEL_DIR
from pipelines.reasons.rules import RULES_FILE, load_rules
from pipelines.text_model import TRAIN_SPLITS, train, training_notes

PSEUDO_CASES = 4  # shrinkage towards the pooled accuracy: a path seen 4 times moves halfway
CAP = 0.99  # never certain
READERS = ("model", "rules_and_model", "rules", "rules_conflict", "model_weak")
RECORDS = ("", "_agrees_with_records", "_over_records")
PATHS = (
    [f"note_{r}{s}" for r in READERS for s in RECORDS]
    + [f"ats_code{s}" for s in RECORDS]
    + [
        "structured_competition",
        "structured_background_check",
        "structured_goal_mismatch",
        "structured_several",
        "no_evidence",
    ]
)


def leave_one_split_out(held_out: tuple[str, ...]) -> pl.DataFrame:
    """The engine's decisions on each held-out split with the text model trained without it
    (one row per case: split, decision_path, correct), the committed model restored after."""
    rules, cases = load_rules(), load_cases()
    scored = []
    with tempfile.TemporaryDirectory() as tmp:
        backup = Path(tmp) / "model"
        shutil.copytree(MODEL_DIR, backup)
        try:
            for split in held_out:
                notes = training_notes(tuple(s for s in TRAIN_SPLITS if s != split))
                labels, weights = train(notes, rules)
                labels.write_csv(MODEL_DIR / "labels.csv")
                weights.write_csv(MODEL_DIR / "weights.csv")
                joined = run_eval(cases.filter(pl.col("split") == split), rules).joined
                print(
                    f"{split}: {joined.height} cases, macro-F1 {macro_f1(joined, rules.reasons):.3f}, "
                    f"accuracy {joined['correct'].mean():.3f} (model trained without it)",
                    flush=True,
                )
                scored.append(joined.select("split", "decision_path", "correct"))
        finally:
            shutil.copytree(backup, MODEL_DIR, dirs_exist_ok=True)
    return pl.concat(scored)


def confidence_section(scored: pl.DataFrame, held_out: tuple[str, ...]) -> str:
    """The ``[confidence]`` table (with its header comment) from pooled held-out decisions."""
    overall = float(scored["correct"].mean())  # type: ignore[arg-type]
    counts = {
        path: (n, right)
        for path, n, right in scored.group_by("decision_path")
        .agg(pl.len(), pl.col("correct").sum())
        .iter_rows()
    }
    header = (
        "Observed accuracy of each decision path on notes the text model was not trained on, "
        f"pooled over {len(held_out)} held-out splits, each written by a different author "
        f"({', '.join(held_out)}; the model trained on all the other splits each time), shrunk "
        f"towards the overall accuracy ({overall:.3f}) by {PSEUDO_CASES} pseudo-cases: "
        f"(right + {PSEUDO_CASES} * overall) / (cases + {PSEUDO_CASES}), at most {CAP}. "
        "`note_<reader>`: who read the note (the model sure of it, the rules and the model "
        "agreeing, the rules alone, two rules in conflict, the model's weaker reading); "
        "`_agrees_with_records` / `_over_records`: the records point the same way / elsewhere. "
        "Written by `make calibrate` (python -m pipelines.calibrate); do not edit by hand."
    )
    lines = [
        "[confidence]",
        *textwrap.wrap(header, 97, initial_indent="# ", subsequent_indent="# "),
    ]
    for path in PATHS:
        n, right = counts.get(path, (0, 0))
        value = min((right + PSEUDO_CASES * overall) / (n + PSEUDO_CASES), CAP)
        lines.append(f"{path} = {value:.2f}".ljust(48) + f"# {right} of {n} right")
    return "\n".join(lines) + "\n"


def replace_section(toml: str, section: str) -> str:
    """``toml`` with its ``[confidence]`` table (up to the next ``# ---`` rule) replaced."""
    start = toml.index("[confidence]\n")
    end = toml.index("\n# ---", start)
    return toml[:start] + section + toml[end:]


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m pipelines.calibrate", description=__doc__)
    p.add_argument("--rules", type=Path, default=RULES_FILE, help="the rules file to write")
    args = p.parse_args(argv)
    held_out = tuple(s for s in TRAIN_SPLITS if s != "dev")
    section = confidence_section(leave_one_split_out(held_out), held_out)
    args.rules.write_text(replace_section(args.rules.read_text(encoding="utf-8"), section))
    print(section + f"written to {args.rules}")


if __name__ == "__main__":
    main()
