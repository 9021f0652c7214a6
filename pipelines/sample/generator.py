"""Seeded, vectorised synthetic hiring data in the contract's format, with the true reasons.

Every column is drawn as a whole numpy array; polars assembles and writes the tables. The
ground truth (why each post-interview rejection really happened) is written to a separate file,
outside the input folder, so the pipeline never sees it.

Long because ``generate`` draws every table from one seeded random stream: moving or splitting a
draw changes every value after it (and so the committed sample), so the draws stay in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from pipelines.sample.notes import ATS_REASONS, FINDING_WORDS, NOTES, OTHER_NOTES

JOB_FAMILIES = [
    "engineering",
    "sales",
    "operations",
    "finance",
    "healthcare",
    "logistics",
    "customer_support",
    "marketing",
]
SENIORITY = ["entry", "mid", "senior", "lead", "executive"]
REGIONS = ["north", "south", "east", "west", "central"]
OUTLOOK = ["limited", "moderate", "strong"]
EDUCATION = ["none", "secondary", "certificate", "associate", "bachelor", "master", "doctorate"]
GOALS = ["rapid_advancement", "steady_growth", "stay_in_role", "undecided"]
VENDORS = ["VEND-A", "VEND-B", "VEND-C", "VEND-D", "VEND-E", "VEND-F"]
# Share of disputed adverse reports each vendor ends up correcting: vendors differ in error rates.
VENDOR_CORRECTION = np.array([0.15, 0.20, 0.55, 0.10, 0.25, 0.30])
FINDINGS = list(FINDING_WORDS)
OTHER_DETAILS = [
    "requisition_cancelled",
    "hiring_freeze",
    "compensation",
    "relocation",
    "visa",
    "start_date",
]
REASONS = ["competition", "background_check", "goal_mismatch", "other", "unknown"]
REASON_P = [0.40, 0.17, 0.16, 0.15, 0.12]
EPOCH = date(2025, 1, 1)


@dataclass
class SampleData:
    jobs: pl.DataFrame
    applications: pl.DataFrame
    interviews: pl.DataFrame
    background_checks: pl.DataFrame
    truth: pl.DataFrame


def _date_col(days: np.ndarray) -> pl.Series:
    return pl.Series((np.datetime64(EPOCH) + days.astype("timedelta64[D]")).astype("datetime64[D]"))


def _pick(
    rng: np.random.Generator, options: list[str], n: int, p: list[float] | None = None
) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=n, p=p)]


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pl.Series:
    """``prefix`` and the zero-padded number: "A000000042" (polars: no Python string per row)."""
    return prefix + pl.Series(numbers).cast(pl.String).str.zfill(width)


def _fill_notes(
    rng: np.random.Generator, keys: np.ndarray, table: dict[str, list[str]]
) -> pl.Series:
    """One phrasing per row for its key, drawn uniformly among that key's phrasings."""
    out = np.empty(len(keys), dtype=object)
    for key, phrasings in table.items():  # loops over the ~10 keys, not over rows
        idx = np.flatnonzero(keys == key)
        if len(idx):
            out[idx] = np.asarray(phrasings, dtype=object)[
                rng.integers(len(phrasings), size=len(idx))
            ]
    out[out == None] = ""  # noqa: E711 - numpy elementwise comparison
    return pl.Series(out.astype(str))


def generate(n_applications: int, seed: int = 7) -> SampleData:
    rng = np.random.default_rng(seed)
    n = int(n_applications)
    n_jobs = max(20, n // 25)

    # ---- jobs
    seniority_j = rng.choice(5, size=n_jobs, p=[0.30, 0.35, 0.20, 0.10, 0.05])
    outlook_j = rng.choice(3, size=n_jobs, p=[0.30, 0.40, 0.30])
    opened_j = rng.integers(0, 540, size=n_jobs)
    jobs = pl.DataFrame(
        {
            "job_id": pl.Series(
                np.char.add("J", np.char.zfill(np.arange(1, n_jobs + 1).astype(str), 7))
            ),
            "employer_id": pl.Series(
                np.char.add(
                    "E",
                    np.char.zfill(rng.integers(1, max(2, n_jobs // 8), size=n_jobs).astype(str), 5),
                )
            ),
            "job_family": _pick(rng, JOB_FAMILIES, n_jobs).astype(str),
            "seniority": np.asarray(SENIORITY)[seniority_j],
            "region": _pick(rng, REGIONS, n_jobs).astype(str),
            "opened_at": _date_col(opened_j),
            "advancement_outlook": np.asarray(OUTLOOK)[outlook_j],
        }
    )

    # ---- applications: who they are
    job = rng.integers(0, n_jobs, size=n)
    sen = seniority_j[job]
    exp = np.round(rng.gamma(2.0, 1.0 + 2.0 * sen, size=n), 1)
    edu = np.clip(
        rng.choice(7, size=n, p=[0.03, 0.2, 0.12, 0.12, 0.33, 0.16, 0.04]) + (sen >= 3), 0, 6
    )
    goal = rng.choice(4, size=n, p=[0.3, 0.4, 0.2, 0.1])
    applied = opened_j[job] + rng.integers(0, 45, size=n)

    # ---- the funnel: interviewed at all, interviewed well, hired (the strongest good one per job)
    interviewed = rng.random(n) < 0.45
    good = interviewed & (rng.random(n) < 0.55)
    strength = exp + 1.5 * edu + rng.normal(0, 2.0, size=n)
    frame = pl.DataFrame({"job": job, "good": good, "strength": np.where(good, strength, -1e9)})
    rank = frame.select(pl.col("strength").rank("ordinal", descending=True).over("job").alias("r"))[
        "r"
    ].to_numpy()
    hired = good & (rank == 1)
    # The hire's profile for each application's job: what a competitor would be compared with.
    hire_exp = np.full(n_jobs, np.nan)
    hire_edu = np.full(n_jobs, -1)
    hire_exp[job[hired]] = exp[hired]
    hire_edu[job[hired]] = edu[hired]
    job_has_hire = ~np.isnan(hire_exp[job])

    u = rng.random(n)
    outcome = np.where(
        hired,
        "hired",
        np.where(
            ~interviewed,
            np.where(u < 0.7, "rejected", np.where(u < 0.9, "withdrawn", "pending")),
            np.where(
                ~good,
                np.where(u < 0.85, "rejected", np.where(u < 0.95, "withdrawn", "pending")),
                np.where(
                    u < 0.86,
                    "rejected",
                    np.where(
                        u < 0.93, "withdrawn", np.where(u < 0.97, "offer_declined", "pending")
                    ),
                ),
            ),
        ),
    ).astype(object)
    cohort = good & ~hired & (outcome == "rejected")

    # ---- the true reason of each post-interview rejection, then evidence consistent with it
    reason = np.full(n, "", dtype=object)
    reason[cohort] = _pick(rng, REASONS, int(cohort.sum()), REASON_P)
    reason[(reason == "competition") & ~job_has_hire] = "other"
    detail = np.full(n, "", dtype=object)
    is_other = reason == "other"
    detail[is_other] = _pick(rng, OTHER_DETAILS, int(is_other.sum()))

    gap = np.clip(np.round(rng.gamma(2.0, 2.0, size=n)), 2, 15)
    comp = reason == "competition"
    comp_edge = comp & (rng.random(n) < 0.85)  # most competition cases show a stronger hire
    use_edu = comp_edge & (rng.random(n) < 0.25) & (hire_edu[job] > 0)
    exp = np.where(comp_edge & ~use_edu, np.maximum(0.0, np.nan_to_num(hire_exp[job]) - gap), exp)
    edu = np.where(use_edu, np.minimum(edu, hire_edu[job] - 1), edu)
    gap = np.where(comp_edge & ~use_edu, np.round(np.nan_to_num(hire_exp[job]) - exp), gap)
    # Unknown and other cases carry no accidental competition evidence: they match the hire.
    neutral = (reason == "unknown") | is_other
    exp = np.where(
        neutral & job_has_hire, np.nan_to_num(hire_exp[job]) + rng.integers(0, 3, size=n), exp
    )
    edu = np.where(neutral & job_has_hire, np.maximum(edu, hire_edu[job]), edu)

    outlook_a = outlook_j[job]
    gm = reason == "goal_mismatch"
    goal = np.where(gm & (outlook_a == 0), 0, goal)  # ambitious candidate, limited role
    goal = np.where(gm & (outlook_a == 2), 2, goal)  # wants to stay put, role built to grow people
    # Cohort members whose true reason is something else mostly have goals that fit the role.
    fits = cohort & ~gm & (rng.random(n) < 0.8)
    goal = np.where(fits & (outlook_a == 0) & (goal == 0), 1, goal)
    goal = np.where(fits & (outlook_a == 2) & (goal == 2), 1, goal)

    bg = reason == "background_check"
    no_record = bg & (rng.random(n) < 0.05)
    stage = np.where(
        hired,
        "hired",
        np.where(
            ~interviewed,
            np.where(rng.random(n) < 0.5, "applied", "screen"),
            np.where(
                bg,
                np.where(rng.random(n) < 0.7, "background_check", "offer"),
                np.where(good & (rng.random(n) < 0.7), "final_interview", "interview"),
            ),
        ),
    ).astype(object)
    stage[(outcome == "offer_declined")] = "offer"

    decided = np.where(outcome == "pending", -1, applied + rng.integers(10, 80, size=n))

    # ---- background checks: hires, background-check rejections, some declined offers
    has_check = hired | (bg & ~no_record) | ((outcome == "offer_declined") & (rng.random(n) < 0.5))
    ci = np.flatnonzero(has_check)
    m = len(ci)
    vendor = rng.choice(len(VENDORS), size=m)
    adverse = bg[ci]
    finding = np.where(adverse, rng.choice(len(FINDINGS), size=m), -1)
    requested = decided[ci] - rng.integers(8, 20, size=m)
    completed = requested + rng.integers(1, 7, size=m)
    disputed = adverse & (rng.random(m) < 0.35)
    corrected = disputed & (rng.random(m) < VENDOR_CORRECTION[vendor])
    pending_d = disputed & ~corrected & (rng.random(m) < 0.15)
    dispute_outcome = np.where(
        ~disputed,
        "none",
        np.where(corrected, "corrected", np.where(pending_d, "pending", "upheld")),
    )
    resolve_days = np.round(rng.lognormal(np.log(22), 0.45, size=m)).astype(int)
    resolved = np.where(disputed & ~pending_d, completed + resolve_days, -1)
    adjud = np.where(
        adverse,
        np.where(rng.random(m) < 0.7, "post_adverse_action", "pre_adverse_action"),
        np.where(rng.random(m) < 0.1, "engaged", "none"),
    )
    result_ = np.where(adverse, "consider", np.where(rng.random(m) < 0.03, "canceled", "clear"))
    checks = pl.DataFrame(
        {
            "application_id": _ids("A", ci + 1, 9),
            "vendor_id": np.asarray(VENDORS)[vendor],
            "requested_at": _date_col(requested),
            "completed_at": _date_col(completed),
            "result": result_,
            "finding": np.where(finding >= 0, np.asarray(FINDINGS + ["none"])[finding], "none"),
            "adjudication": adjud,
            "disputed": disputed,
            "dispute_outcome": dispute_outcome,
            "dispute_resolved_at": _date_col(np.where(resolved >= 0, resolved, 0)),
        }
    ).with_columns(
        pl.when(pl.Series(resolved >= 0))
        .then(pl.col("dispute_resolved_at"))
        .alias("dispute_resolved_at")
    )
    bg_detail = np.full(n, "", dtype=object)
    bg_detail[ci] = np.where(
        disputed,
        np.where(
            corrected, "dispute_corrected", np.where(pending_d, "dispute_pending", "dispute_upheld")
        ),
        "not_disputed",
    )
    detail[bg] = bg_detail[bg]
    detail[no_record] = "no_record"

    # ---- interviews: rounds, panels, and a last round that was all yes for those who did well
    ii = np.flatnonzero(interviewed)
    rounds = 1 + rng.binomial(2, 0.5, size=len(ii))
    app_of_round = np.repeat(ii, rounds)
    round_no = np.arange(len(app_of_round)) - np.repeat(np.cumsum(rounds) - rounds, rounds) + 1
    is_last = round_no == np.repeat(rounds, rounds)
    panel = 1 + rng.binomial(2, 0.4, size=len(app_of_round))
    app_row = np.repeat(app_of_round, panel)
    rnd = np.repeat(round_no, panel)
    last = np.repeat(is_last, panel)
    g = good[app_row]
    rec_good = rng.choice(
        ["yes", "strong_yes", "no_decision"], size=len(app_row), p=[0.6, 0.35, 0.05]
    )
    rec_any = rng.choice(
        ["strong_no", "no", "no_decision", "yes", "strong_yes"],
        size=len(app_row),
        p=[0.15, 0.3, 0.1, 0.3, 0.15],
    )
    # Earlier rounds were mostly passed; a good interview's last round is all yes (or no decision).
    rec = np.where(
        g & last, rec_good, np.where(~last & (rng.random(len(app_row)) < 0.85), rec_good, rec_any)
    )
    # A poor interview must really be poor: make its first last-round recommendation a no.
    first_of_round = np.r_[True, (app_row[1:] != app_row[:-1]) | (rnd[1:] != rnd[:-1])]
    rec = np.where(~g & last & first_of_round, "no", rec)
    # A good interview's last round has at least one yes.
    rec = np.where(g & last & first_of_round & (rec == "no_decision"), "yes", rec)
    score_map = {"strong_no": 1.5, "no": 2.3, "no_decision": 3.0, "yes": 3.8, "strong_yes": 4.6}
    rec_s = pl.Series(rec.astype(str))
    score = rec_s.replace_strict(score_map, return_dtype=pl.Float64).to_numpy()
    score = np.clip(np.round(score + rng.normal(0, 0.3, size=len(rec)), 2), 1, 5)
    interviews = pl.DataFrame(
        {
            "application_id": _ids("A", app_row + 1, 9),
            "round": rnd.astype(np.int64),
            "interviewed_at": _date_col(applied[app_row] + 5 + 4 * rnd),
            "recommendation": rec_s,
            "score": score,
        }
    )

    # ---- notes: most state the true reason; some are empty; some mention another reason
    key = np.where(is_other, np.char.add("other:", detail.astype(str)), reason).astype(object)
    note_key = key.copy()
    # Some notes say nothing, but only where the records still carry the reason (a silent note
    # on a cancelled requisition would make the truth unknowable).
    has_records = (comp & comp_edge) | (bg & ~no_record) | (gm & (outlook_a != 1))
    silent = cohort & has_records & (rng.random(n) < 0.12)
    note_key[silent] = "unknown"
    in_cohort_key = np.where(cohort, note_key, "")
    note = _fill_notes(rng, in_cohort_key, NOTES)
    other_note = _fill_notes(rng, np.where(cohort, "", "x"), {"x": OTHER_NOTES})
    ats = _fill_notes(
        rng, np.where(cohort, key, "x"), {**ATS_REASONS, "x": ["", "Not selected", "Withdrew"]}
    )
    role = pl.Series(jobs["job_family"].to_numpy()[job]).str.replace("_", " ")
    finding_word = np.full(n, "a record", dtype=object)
    finding_word[ci] = np.where(
        finding >= 0, np.asarray(list(FINDING_WORDS.values()) + [""])[finding], "a record"
    )

    apps = (
        pl.DataFrame(
            {
                "application_id": _ids("A", np.arange(1, n + 1), 9),
                "job_id": jobs["job_id"].gather(job),
                "candidate_id": _ids("C", rng.integers(1, max(2, int(n * 0.8)), size=n), 9),
                "applied_at": _date_col(applied),
                "stage_reached": stage.astype(str),
                "outcome": outcome.astype(str),
                "decided_at": _date_col(np.where(decided >= 0, decided, 0)),
                "years_experience": np.maximum(exp, 0.0),
                "education": np.asarray(EDUCATION)[edu.astype(int)],
                "career_goal": np.asarray(GOALS)[goal],
                "ats_rejection_reason": ats,
                "recruiter_note": pl.select(
                    pl.when(pl.Series(cohort)).then(note).otherwise(other_note)
                ).to_series(),
                "_gap": gap.astype(int),
                "_role": role,
                "_finding": pl.Series(finding_word.astype(str)),
            }
        )
        .with_columns(
            pl.when(pl.Series(decided >= 0)).then(pl.col("decided_at")).alias("decided_at"),
            pl.col("recruiter_note")
            .str.replace_all("{gap}", pl.col("_gap").cast(pl.String), literal=True)
            .str.replace_all("{role}", pl.col("_role"), literal=True)
            .str.replace_all("{finding}", pl.col("_finding"), literal=True),
        )
        .drop("_gap", "_role", "_finding")
    )

    truth = pl.DataFrame(
        {
            "application_id": apps["application_id"],
            "reason": reason.astype(str),
            "detail": detail.astype(str),
            "note_states_reason": ~silent,
        }
    ).filter(pl.Series(cohort))
    return SampleData(jobs, apps, interviews, checks, truth)


def make_messy(data: SampleData, rate: float, seed: int = 11) -> SampleData:
    """Inject the row-level problems real exports have, at ``rate`` of rows (for the demo sample)."""
    if rate <= 0:
        return data
    rng = np.random.default_rng(seed)
    apps = data.applications.with_columns(pl.all().cast(pl.String))
    k = max(1, int(len(apps) * rate))
    idx = rng.choice(len(apps), size=min(k * 5, len(apps)), replace=False)
    a, b, c, d, e = np.array_split(idx, 5)
    apps = (
        apps.with_row_index("_i")
        .with_columns(
            pl.when(pl.col("_i").is_in(a))
            .then(pl.lit("14/03/2026"))
            .otherwise(pl.col("applied_at"))
            .alias("applied_at"),
            pl.when(pl.col("_i").is_in(b))
            .then(pl.lit("Hired!"))
            .otherwise(pl.col("outcome"))
            .alias("outcome"),
            pl.when(pl.col("_i").is_in(c))
            .then(pl.lit("-3"))
            .otherwise(pl.col("years_experience"))
            .alias("years_experience"),
            pl.when(pl.col("_i").is_in(d))
            .then(pl.lit("J9999999"))
            .otherwise(pl.col("job_id"))
            .alias("job_id"),
            # Enum spelling as an ATS might export it: still valid after normalisation.
            pl.when(pl.col("_i").is_in(e))
            .then(pl.col("stage_reached").str.to_uppercase())
            .otherwise(pl.col("stage_reached"))
            .alias("stage_reached"),
        )
        .drop("_i")
    )
    dup = apps.sample(n=k, seed=seed)
    apps = pl.concat([apps, dup])
    return SampleData(data.jobs, apps, data.interviews, data.background_checks, data.truth)


def write(
    data: SampleData, out_dir: Path, fmt: str = "csv", truth_path: Path | None = None
) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for name in ("jobs", "applications", "interviews", "background_checks"):
        df: pl.DataFrame = getattr(data, name)
        path = out_dir / f"{name}.{fmt}"
        if fmt == "csv":
            df.write_csv(path, date_format="%Y-%m-%d")
        elif fmt == "parquet":
            df.write_parquet(path)
        else:
            df.write_ndjson(path)
        paths[name] = path
    truth_path = truth_path or out_dir / "ground_truth" / "reasons.csv"
    truth_path.parent.mkdir(parents=True, exist_ok=True)
    data.truth.write_csv(truth_path)
    paths["truth"] = truth_path
    return paths


# ---- mostly distinct notes (``--distinct-notes``): reason-neutral context around each note

# Openers and tails a recruiter or an ATS adds around what a note says: tracker jargon with ids
# and dates. Their words and numbers are not in the text model's vocabulary and match no rule
# (tests/test_sample_distinct_notes.py): ids have 5-6 digits and dates are written yyyymmdd, so
# no number reads as "2 years" or "30 days"; no word that recruiters use about a decision
# ("debrief", "onsite", "slot", "sync", "pod", "Fri" are in the model). A number is never followed by a capitalised
# word (the address scrub would take it for a street), and no id has 9 digits (a long number).
# Slots: {date} (yyyymmdd), {day} (Mon-Thu), {n} (10000-999999). Every template has an id, so
# that few notes repeat even at 20M applications.
NOTE_OPENERS = [
    "Ledger synced {date}, batch {n}.",
    "Batch {n} logged {date}.",
    "Tracker row {n}, {day}.",
    "Sourcer {n} synced {date}.",
    "Sourcer {n}, {day} batch.",
    "Ledger logged, tracker {n}.",
]
NOTE_TAILS = [
    "(TKT-{n})",
    "(tracker row {n})",
    "(sourcer {n})",
    "- calendar {n}",
    "(lane {n}, export {date})",
    "(export {n}, {day})",
]
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu"]
EMPTY_KEPT = 0.25  # share of empty notes left empty (the rest get an opener alone)


def _fill_slots(
    rng: np.random.Generator, templates: list[str], n: int
) -> tuple[pl.Expr, pl.DataFrame]:
    """One template per row with its slots filled by random values: an expression over the
    returned frame's columns (vectorised: a gather and three literal replaces)."""
    frame = pl.DataFrame(
        {
            "t": pl.Series(templates)[rng.integers(len(templates), size=n)],
            "date": _date_col(rng.integers(0, 540, size=n)).dt.strftime("%Y%m%d"),
            "day": pl.Series(WEEKDAYS)[rng.integers(len(WEEKDAYS), size=n)],
            "n": pl.Series(rng.integers(10_000, 1_000_000, size=n)).cast(pl.String),
        }
    )
    expr = pl.col("t")
    for slot in ("date", "day", "n"):
        expr = expr.str.replace("{" + slot + "}", pl.col(slot), literal=True)
    return expr, frame


def distinct_notes(data: SampleData, seed: int = 7) -> SampleData:
    """The same data with mostly distinct recruiter notes, as real ones are: every note that
    says something gets a neutral opener, a neutral tail or both, with random dates and numbers
    ("Batch 48213 logged 20250314. <note> (TKT-771302)"); most empty notes get an opener
    alone. What each note states is unchanged, so the ground truth still holds. Drawn from its
    own random stream: the data without it is byte for byte what ``generate`` gives."""
    rng = np.random.default_rng([seed, 0xD157])
    apps = data.applications
    n = apps.height
    opener, opener_cols = _fill_slots(rng, NOTE_OPENERS, n)
    tail, tail_cols = _fill_slots(rng, NOTE_TAILS, n)
    form = rng.random(n)  # < 0.45 opener only, < 0.75 tail only, else both
    keep_empty = rng.random(n) < EMPTY_KEPT
    parts = pl.DataFrame(
        {
            "note": apps["recruiter_note"],
            "form": form,
            "keep_empty": keep_empty,
        }
    ).with_columns(
        opener_cols.select(opener.alias("opener")).to_series(),
        tail_cols.select(tail.alias("tail")).to_series(),
    )
    empty = pl.col("note").is_null() | (pl.col("note") == "")
    with_opener = (pl.col("form") < 0.45) | (pl.col("form") >= 0.75)
    with_tail = pl.col("form") >= 0.45
    note = (
        pl.when(empty & pl.col("keep_empty"))
        .then(pl.col("note"))
        .when(empty)
        .then(pl.col("opener"))
        .otherwise(
            pl.concat_str(
                pl.when(with_opener).then(pl.col("opener") + " "),
                pl.col("note"),
                pl.when(with_tail).then(" " + pl.col("tail")),
                ignore_nulls=True,
            )
        )
    )
    notes = parts.select(note.alias("recruiter_note")).to_series()
    return SampleData(
        data.jobs,
        apps.with_columns(notes),
        data.interviews,
        data.background_checks,
        data.truth,
    )


def distinct_share(notes: pl.Series) -> float:
    """Distinct note texts per note (an empty note counts as one text)."""
    return notes.fill_null("").n_unique() / max(1, notes.len())
