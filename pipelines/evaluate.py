"""``make eval``: measure reason assignment on the hand-labelled evaluation set in ``data/eval``.

Each case is a recruiter note (written apart from the generator's phrasings) plus a description of
the records around it (``contexts``). This module turns the cases into a contract-shaped input
folder: per case one job, the rejected candidate, the person hired for that job, their interviews
and, where the context says so, a background check. It then runs the real ingest and reason SQL on
it and compares the assignments with the labels.

Context tokens: ``none`` (no record points anywhere), ``exp`` / ``edu`` (the hire had 4 more years /
a higher degree), ``amb`` (rapid_advancement for a limited role), ``settled`` (stay_in_role for a
strong-outlook role), ``bgnd`` / ``bgcor`` / ``bgup`` / ``bgpend`` (adverse background check:
not disputed / disputed and corrected / upheld / pending), ``bgclear`` (a clear check).
Near misses, one step short of a rule: ``exp1`` (the hire had 1 more year), ``bgeng`` (a
``consider`` report the employer went ahead with: adjudication ``engaged``). Out of scope
(label ``not_in_cohort``): ``oos_withdrawn``, ``oos_declined`` (the candidate withdrew or declined
the offer), ``oos_lastno`` (a ``no`` in the last round), ``oos_nodecision`` (a last round of only
``no_decision``).
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipelines.eval_cases import EVAL_DIR, load_cases
from pipelines.ingest import ingest_folder
from pipelines.reasons.engine import assign_reasons
from pipelines.reasons.rules import Rules, load_rules
from pipelines.warehouse import PROJECT_ROOT

DISPUTE = {
    "bgnd": (False, "none"),
    "bgcor": (True, "corrected"),
    "bgup": (True, "upheld"),
    "bgpend": (True, "pending"),
}


def write_eval_inputs(cases: pl.DataFrame, folder: Path) -> None:
    """The cases as a contract-shaped input folder (all vectorised polars expressions)."""
    folder.mkdir(parents=True, exist_ok=True)
    has = lambda token: pl.col("contexts").str.contains(rf"(^|\+){token}(\+|$)")  # noqa: E731
    c = cases.with_columns(
        pl.col("case_id").alias("application_id"),
        ("J" + pl.col("case_id")).alias("job_id"),
        ("H" + pl.col("case_id")).alias("hire_id"),
        pl.col("contexts").str.extract(r"(bgnd|bgcor|bgup|bgpend|bgeng)").alias("bg"),
        has("bgclear").alias("bgclear"),
    )
    pl.DataFrame(
        {
            "job_id": c["job_id"],
            "job_family": "operations",
            "seniority": "mid",
            "advancement_outlook": c.select(
                pl.when(has("amb"))
                .then(pl.lit("limited"))
                .when(has("settled"))
                .then(pl.lit("strong"))
                .otherwise(pl.lit("moderate"))
            ).to_series(),
            "opened_at": "2026-01-05",
        }
    ).write_csv(folder / "jobs.csv")
    candidates = c.select(
        "application_id",
        "job_id",
        pl.lit("2026-02-01").alias("applied_at"),
        pl.when(pl.col("bg").is_not_null())
        .then(pl.lit("background_check"))
        .otherwise(pl.lit("final_interview"))
        .alias("stage_reached"),
        pl.when(has("oos_withdrawn"))
        .then(pl.lit("withdrawn"))
        .when(has("oos_declined"))
        .then(pl.lit("offer_declined"))
        .otherwise(pl.lit("rejected"))
        .alias("outcome"),
        pl.lit("2026-03-15").alias("decided_at"),
        pl.lit(5.0).alias("years_experience"),
        pl.lit("bachelor").alias("education"),
        pl.when(has("amb"))
        .then(pl.lit("rapid_advancement"))
        .when(has("settled"))
        .then(pl.lit("stay_in_role"))
        .otherwise(pl.lit("steady_growth"))
        .alias("career_goal"),
        "ats_rejection_reason",
        "recruiter_note",
    )
    hires = c.select(
        pl.col("hire_id").alias("application_id"),
        "job_id",
        pl.lit("2026-02-01").alias("applied_at"),
        pl.lit("hired").alias("stage_reached"),
        pl.lit("hired").alias("outcome"),
        pl.lit("2026-03-15").alias("decided_at"),
        pl.when(has("exp"))
        .then(9.0)
        .when(has("exp1"))
        .then(6.0)
        .otherwise(5.0)
        .alias("years_experience"),
        pl.when(has("edu")).then(pl.lit("master")).otherwise(pl.lit("bachelor")).alias("education"),
        pl.lit("steady_growth").alias("career_goal"),
        pl.lit(None, pl.String).alias("ats_rejection_reason"),
        pl.lit(None, pl.String).alias("recruiter_note"),
    )
    pl.concat([candidates, hires]).write_csv(folder / "applications.csv")
    ids = pl.concat([c["application_id"], c["hire_id"]])
    interviews = pl.DataFrame({"application_id": ids}).join(
        pl.DataFrame({"round": [1, 2, 2], "recommendation": ["yes", "yes", "strong_yes"]}),
        how="cross",
    )
    # Out of scope by the votes: the last round holds a "no", or only "no_decision".
    votes = c.select(
        "application_id",
        pl.when(has("oos_lastno"))
        .then(pl.lit("no"))
        .when(has("oos_nodecision"))
        .then(pl.lit("no_decision"))
        .alias("last_round_vote"),
    )
    interviews.join(votes, on="application_id", how="left").select(
        "application_id",
        "round",
        pl.when((pl.col("round") == 2) & pl.col("last_round_vote").is_not_null())
        .then(pl.col("last_round_vote"))
        .otherwise(pl.col("recommendation"))
        .alias("recommendation"),
        pl.lit("2026-02-20").alias("interviewed_at"),
    ).write_csv(folder / "interviews.csv")
    bg = c.filter(pl.col("bg").is_not_null() | pl.col("bgclear"))
    dispute = pl.DataFrame(
        {
            "bg": list(DISPUTE),
            "disputed": [v[0] for v in DISPUTE.values()],
            "dispute_outcome": [v[1] for v in DISPUTE.values()],
        }
    )
    bg.join(dispute, on="bg", how="left").select(
        "application_id",
        pl.lit("VEND-E").alias("vendor_id"),
        pl.when(pl.col("bgclear"))
        .then(pl.lit("clear"))
        .otherwise(pl.lit("consider"))
        .alias("result"),
        pl.when(pl.col("bgclear"))
        .then(pl.lit("none"))
        .otherwise(pl.lit("criminal_record"))
        .alias("finding"),
        pl.when(pl.col("bgclear"))
        .then(pl.lit("none"))
        .when(pl.col("bg") == "bgeng")
        .then(pl.lit("engaged"))
        .otherwise(pl.lit("post_adverse_action"))
        .alias("adjudication"),
        pl.col("disputed").fill_null(False),
        pl.col("dispute_outcome").fill_null("none"),
    ).write_csv(folder / "background_checks.csv")


@dataclass
class EvalResult:
    joined: pl.DataFrame  # one row per case: labels, assignment, confidence
    text_evidence: pl.DataFrame  # application_id, rule_id, rule_reason: every rule that fired
    seconds: float
    rules: Rules

    def subset(self, split: str | None) -> pl.DataFrame:
        return self.joined if split is None else self.joined.filter(pl.col("split") == split)


def run_eval(cases: pl.DataFrame | None = None, rules: Rules | None = None) -> EvalResult:
    """Ingest the cases into a throw-away warehouse and assign reasons with the real SQL."""
    cases = cases if cases is not None else load_cases()
    rules = rules or load_rules()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "input"
        write_eval_inputs(cases, folder)
        con = duckdb.connect(str(Path(tmp) / "eval.duckdb"))
        ingest_folder(con, folder)
        assign_reasons(con, rules)
        assigned = con.sql(
            "select application_id, reason as predicted, detail as predicted_detail, "
            "confidence, decision_path from reason_assignments"
        ).pl()
        fired = con.sql(
            "select application_id, rule_id, reason as rule_reason from reason_rule_hits"
        ).pl()
        con.close()
    joined = (
        cases.join(assigned, left_on="case_id", right_on="application_id", how="left")
        .with_columns(
            pl.col("predicted").fill_null("not_in_cohort"),
        )
        .with_columns((pl.col("predicted") == pl.col("reason")).alias("correct"))
    )
    return EvalResult(joined, fired, time.perf_counter() - t0, rules)


def per_class(df: pl.DataFrame, reasons: list[str]) -> pl.DataFrame:
    rows = []
    for r in reasons:
        tp = df.filter((pl.col("reason") == r) & (pl.col("predicted") == r)).height
        fp = df.filter((pl.col("reason") != r) & (pl.col("predicted") == r)).height
        fn = df.filter((pl.col("reason") == r) & (pl.col("predicted") != r)).height
        p = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * p * rec / (p + rec) if p + rec else 0.0
        rows.append({"reason": r, "support": tp + fn, "precision": p, "recall": rec, "f1": f1})
    return pl.DataFrame(rows)


def macro_f1(df: pl.DataFrame, reasons: list[str]) -> float:
    return float(per_class(df, reasons)["f1"].mean())  # type: ignore[arg-type]


def expected_calibration_error(df: pl.DataFrame, bins: int = 10) -> float:
    d = df.filter(pl.col("confidence").is_not_null()).with_columns(
        (pl.col("confidence") * bins).floor().clip(0, bins - 1).alias("bin")
    )
    if d.height == 0:
        return math.nan
    g = d.group_by("bin").agg(
        pl.len().alias("n"),
        pl.col("confidence").mean().alias("conf"),
        pl.col("correct").mean().alias("acc"),
    )
    return float((g["n"] / d.height * (g["acc"] - g["conf"]).abs()).sum())


def hard_case_accuracy(df: pl.DataFrame) -> float:
    hard = df.filter(pl.col("hard_kind") != "plain")
    return float(hard["correct"].mean()) if hard.height else math.nan  # type: ignore[arg-type]


def detail_accuracy(df: pl.DataFrame) -> float:
    d = df.filter(pl.col("reason").is_in(["background_check", "other"]) & pl.col("correct"))
    return float((d["predicted_detail"] == d["detail"]).mean()) if d.height else math.nan  # type: ignore[arg-type]


def confusion(df: pl.DataFrame, reasons: list[str]) -> pl.DataFrame:
    """Rows: true reason; columns: assigned reason, in taxonomy order (then anything else)."""
    table = (
        df.group_by("reason", "predicted")
        .len()
        .pivot(on="predicted", index="reason", values="len")
        .fill_null(0)
        .sort("reason")
    )
    assigned = [c for c in table.columns if c != "reason"]
    order = [r for r in reasons if r in assigned] + sorted(set(assigned) - set(reasons))
    return table.select("reason", *order)


def rule_precision(result: EvalResult) -> pl.DataFrame:
    """For each rule: cases it fired on, and the share of those whose true reason is its reason.

    Cases built with records that contradict the note (``records_disagree``) test precedence,
    not rules, so they are left out: counting them would charge the structured rules for
    contradictions the evaluation set plants on purpose.
    """
    cases = result.joined.filter(~pl.col("records_disagree")).select("case_id", "reason")
    fired = result.text_evidence.join(cases, left_on="application_id", right_on="case_id")
    return (
        fired.group_by("rule_id")
        .agg(
            pl.len().alias("eval_fired"),
            (pl.col("rule_reason") == pl.col("reason")).mean().alias("eval_precision"),
        )
        .sort("rule_id")
    )


def report(result: EvalResult) -> str:
    out = [
        f"Evaluation set: {EVAL_DIR.relative_to(PROJECT_ROOT)}/*.csv ({result.joined.height} cases, "
        f"rules {result.rules.version}, {result.seconds:.1f}s)\n"
    ]
    pl.Config.set_tbl_rows(40)
    pl.Config.set_tbl_width_chars(140)
    pl.Config.set_float_precision(3)
    reasons = result.rules.reasons
    for split in (None, *result.joined["split"].unique(maintain_order=True)):
        df = result.subset(split)
        name = split or "all"
        out.append(f"== {name}: {df.height} cases")
        out.append(str(per_class(df, reasons)))
        out.append(
            f"macro-F1 {macro_f1(df, reasons):.3f} | accuracy {df['correct'].mean():.3f} | "
            f"hard-case accuracy {hard_case_accuracy(df):.3f} | ECE {expected_calibration_error(df):.3f} | "
            f"detail accuracy (background_check, other) {detail_accuracy(df):.3f}\n"
        )
    df = result.joined
    out.append("== confusion matrix (rows: truth, columns: assigned)")
    out.append(str(confusion(df, reasons)))
    out.append("\n== accuracy by hard-case kind")
    out.append(
        str(
            df.group_by("hard_kind")
            .agg(pl.len().alias("cases"), pl.col("correct").mean().alias("accuracy"))
            .sort("hard_kind")
        )
    )
    out.append("\n== accuracy by writing style (cases written with a style label)")
    out.append(
        str(
            df.filter(pl.col("style") != "unlabelled")
            .group_by("style")
            .agg(pl.len().alias("cases"), pl.col("correct").mean().alias("accuracy"))
            .sort("style")
        )
    )
    scope = df.with_columns((pl.col("reason") == "not_in_cohort").alias("out_of_scope"))
    kept = scope.filter(~pl.col("out_of_scope"))
    decoys = scope.filter(pl.col("out_of_scope"))
    out.append(
        f"\n== scope: {kept.filter(pl.col('predicted') != 'not_in_cohort').height} of "
        f"{kept.height} cohort cases assigned; {decoys.filter(pl.col('correct')).height} of "
        f"{decoys.height} out-of-scope decoys left out"
    )
    out.append("\n== calibration by decision path (confidence vs observed accuracy)")
    out.append(
        str(
            df.group_by("decision_path")
            .agg(
                pl.len().alias("cases"),
                pl.col("confidence").first(),
                pl.col("correct").mean().alias("accuracy"),
            )
            .sort("cases", descending=True)
        )
    )
    wrong = df.filter(~pl.col("correct")).select(
        "case_id", "split", "hard_kind", "contexts", "reason", "predicted", "recruiter_note"
    )
    out.append(f"\n== {wrong.height} wrong cases")
    with pl.Config(fmt_str_lengths=90, tbl_rows=100):
        out.append(str(wrong))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(prog="python -m pipelines.evaluate", description=__doc__).parse_args(
        argv
    )
    print(report(run_eval()))


if __name__ == "__main__":
    main()
