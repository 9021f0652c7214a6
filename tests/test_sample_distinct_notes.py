"""``--distinct-notes``: mostly distinct recruiter notes that still say what they said."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipelines.ingest import ingest_folder
from pipelines.reasons.engine import assign_reasons
from pipelines.reasons.model import MODEL_DIR
from pipelines.reasons.rules import load_rules
from pipelines.sample.generator import (
    SampleData,
    distinct_notes,
    distinct_share,
    generate,
    write,
)
from pipelines.warehouse import connect

N = 20_000  # for the shares
N_ACCURACY = 5_000  # for the reason engine's accuracy (~1,000 post-interview rejections)


@pytest.fixture(scope="module")
def plain() -> SampleData:
    return generate(N, seed=3)


@pytest.fixture(scope="module")
def distinct(plain: SampleData) -> SampleData:
    return distinct_notes(plain, seed=3)


def test_at_least_90_percent_of_notes_are_distinct(plain: SampleData, distinct: SampleData):
    assert distinct_share(plain.applications["recruiter_note"]) < 0.05
    assert distinct_share(distinct.applications["recruiter_note"]) >= 0.90
    cohort = distinct.applications.join(distinct.truth, on="application_id", how="semi")
    assert distinct_share(cohort["recruiter_note"]) >= 0.90


def test_only_the_notes_change_and_each_keeps_its_phrasing(plain: SampleData, distinct: SampleData):
    assert distinct.applications.drop("recruiter_note").equals(
        plain.applications.drop("recruiter_note")
    )
    assert distinct.truth.equals(plain.truth) and distinct.interviews.equals(plain.interviews)
    both = pl.DataFrame(
        {
            "old": plain.applications["recruiter_note"],
            "new": distinct.applications["recruiter_note"],
        }
    )
    assert both.select(pl.col("new").str.contains(pl.col("old"), literal=True).all()).item()


def test_added_words_and_numbers_are_unknown_to_the_text_model(
    plain: SampleData, distinct: SampleData
):
    def tokens(notes: pl.Series) -> pl.Series:  # as the model reads notes: [a-z0-9]+ runs
        return notes.str.to_lowercase().str.extract_all(r"[a-z0-9]+")

    added = (
        tokens(distinct.applications["recruiter_note"])
        .list.set_difference(tokens(plain.applications["recruiter_note"]))
        .explode()
        .drop_nulls()
        .unique()
    )
    assert added.len() > 1000  # ids and dates
    vocabulary = pl.read_csv(MODEL_DIR / "weights.csv", infer_schema=False)["token"]
    assert not set(added) & set(vocabulary)


def _as_other_batch(data: SampleData) -> SampleData:
    """The same data under other ids (A→B, J→K, C→D): both versions fit in one warehouse, so
    the engine's fixed cost is paid once."""
    ids = {"application_id": "B", "job_id": "K", "candidate_id": "D"}

    def move(df: pl.DataFrame) -> pl.DataFrame:
        return df.with_columns(
            (pl.lit(new) + pl.col(col).str.slice(1)).alias(col)
            for col, new in ids.items()
            if col in df.columns
        )

    tables = ("jobs", "applications", "interviews", "background_checks", "truth")
    return SampleData(*(move(getattr(data, t)) for t in tables))


def test_cohort_notes_still_state_the_same_reasons(tmp_path: Path):
    plain = generate(N_ACCURACY, seed=5)
    distinct = _as_other_batch(distinct_notes(plain, seed=5))
    write(plain, tmp_path / "in", "csv", tmp_path / "truth.csv")
    write(distinct, tmp_path / "d", "csv", tmp_path / "truth-d.csv")
    for f in (tmp_path / "d").glob("*.csv"):
        f.rename(tmp_path / "in" / f"{f.stem}-distinct.csv")
    con = connect(tmp_path / "warehouse.duckdb")
    try:
        ingest_folder(con, tmp_path / "in")
        assign_reasons(con, load_rules())
        before, after = con.execute(
            "select avg((a.reason = t.reason)::int) filter (where t.application_id like 'A%'), "
            "avg((a.reason = t.reason)::int) filter (where t.application_id like 'B%') "
            "from reason_assignments a join read_csv([?, ?], all_varchar = true) t "
            "using (application_id)",
            [str(tmp_path / "truth.csv"), str(tmp_path / "truth-d.csv")],
        ).fetchone()
        # The scrub leaves the added context alone (no id or date is taken for a phone number).
        scrubbed = con.execute(
            "select count(*) from applications where recruiter_note like '%[%]%'"
        ).fetchone()[0]
    finally:
        con.close()
    assert after >= before - 0.02, (before, after)
    assert scrubbed == 0
