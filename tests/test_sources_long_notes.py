"""An applicant-tracking export whose notes are megabytes long loads within a small memory limit:
each adapter cuts a vendor's note to the contract's ``max_chars`` as it reads it (#11)."""

from __future__ import annotations

import polars as pl
import pytest
from sources_util import KEY

from pipelines.contract import load_contract
from pipelines.ingest import ingest_folder
from pipelines.sample.generator import generate
from pipelines.sample.generator import write as write_contract
from pipelines.sample.notes import lengthen_notes
from pipelines.sample.vendors import write_vendor_export
from pipelines.warehouse import connect

LONG_NOTES = 40
NOTE_BYTES = 1_500_000  # 40 of them: 60 MB
# (a Lever notes export of these, its fields read as JSON, ran out of memory even at 300MB)
LIMIT = "200MB"


@pytest.mark.parametrize("vendor", ["greenhouse", "lever", "ashby"])
def test_an_export_with_notes_of_megabytes_loads_within_a_small_memory_limit(tmp_path, vendor):
    data = generate(300, seed=8)
    data.applications = lengthen_notes(data.applications, LONG_NOTES, NOTE_BYTES)
    assert (
        data.applications.filter(pl.col("recruiter_note").str.len_bytes() > 1_000_000).height >= 30
    )
    write_contract(data, tmp_path / "contract", "csv", tmp_path / "truth.csv")
    write_vendor_export(tmp_path / "contract", tmp_path / "export", vendor)

    con = connect(tmp_path / "warehouse.duckdb", memory_limit=LIMIT)
    result = ingest_folder(con, tmp_path / "export", pseudonym_key=KEY)
    limit = load_contract().table("applications").column("recruiter_note").max_chars
    ((loaded, longest),) = con.sql(
        "select count(*), max(length(recruiter_note)) from applications"
    ).fetchall()
    con.close()
    assert sum(f.rows_loaded for f in result.files if f.table == "applications") == loaded
    assert loaded >= 290
    assert limit - 100 <= longest <= limit  # the long notes were kept in part (then scrubbed)
