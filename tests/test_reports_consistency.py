"""The published site as a reader (or an attacker) gets it: every tidy CSV against the cubes it
came from, the subtraction attack on every published number, one figure across pages, chart
CSVs with numbers as numbers and no small count."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pytest

from pipelines.reports.privacy import MIN_GROUP
from pipelines.reports.suppression import ALL, recoverable


@pytest.fixture
def site(sample_site):
    return sample_site.reports, sample_site.built, sample_site.cubes, sample_site.con


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def hidden(row: dict[str, str], column: str) -> bool:
    """A chart CSV's cell is suppressed: empty, and named in the row's "suppressed" column."""
    return column in (row.get("suppressed") or "").split("; ")


def test_every_tidy_csv_matches_its_cube_and_resists_the_subtraction_attack(site):
    out, built, cubes, _ = site
    by_measure = {c.measure: c for c in cubes}
    assert len(by_measure) == len(cubes), "one cube per count: a count has one definition"
    seen: dict[tuple[str, tuple[str, ...]], tuple[str, str]] = {}
    tidies = sorted((out / "data").glob("*--all-numbers.csv"))
    assert len(tidies) == len(built.pages)
    for path in tidies:
        published: dict[str, np.ndarray] = {}
        for row in rows(path):
            cube = by_measure[row["count"]]
            key = tuple(row[d.name] for d in cube.dims)
            i = cube._id[key]
            hidden = row["suppressed"] == "true"
            assert hidden == bool(cube.suppressed[i]), (path.name, key)
            if hidden:
                assert row["n"] == ""
            else:
                assert int(row["n"]) == cube.values[i], (path.name, key)
                assert not 0 < int(row["n"]) < MIN_GROUP, (path.name, key)
            # the same cell on two pages: the same number, the same decision
            assert seen.setdefault((cube.measure, key), (row["n"], row["suppressed"])) == (
                row["n"],
                row["suppressed"],
            )
            published.setdefault(cube.measure, np.zeros(len(cube.keys), bool))[i] |= hidden
        for measure, hidden in published.items():
            attacked = by_measure[measure]
            saved = attacked.suppressed.copy()
            attacked.suppressed[:] = hidden | saved  # what the CSV hides (and the rest of the cube)
            try:
                exposed = np.flatnonzero(recoverable(attacked))
            finally:
                attacked.suppressed[:] = saved
            assert exposed.size == 0, (path.name, [attacked.keys[i] for i in exposed[:5]])


def test_the_same_figure_is_the_same_number_on_every_page(site):
    _, built, _, _ = site
    values: dict[str, set] = {}
    for page in built.pages:
        for name, value in page.figures.items():
            values.setdefault(name, set()).add(value)
    shared = {k: v for k, v in values.items() if sum(k in p.figures for p in built.pages) > 1}
    assert "post-interview rejections" in shared
    assert {k: v for k, v in shared.items() if len(v) != 1} == {}


def test_counts_match_the_warehouse_and_the_index(site):
    out, built, _, con = site
    pages = {p.slug: p for p in built.pages}
    cohort = con.execute("select count(*) from post_interview_rejections").fetchall()[0][0]
    assert pages["overview"].figures["post-interview rejections"] == cohort
    assert (
        pages["interviewers"].figures["post-interview rejections"] == cohort
    )  # unanimous yes, rejected
    index = (out / "index.html").read_text()
    assert f"<b>{cohort:,}</b>rejected after a successful interview" in index


def test_the_confidence_share_leaves_unknown_out(site):
    _, built, _, con = site
    high, known = con.execute(
        "select count(*) filter (where confidence >= 0.9), count(*) from reason_assignments "
        "where reason <> 'unknown'"
    ).fetchall()[0]
    method = next(p for p in built.pages if p.slug == "method")
    assert method.charts[1].title.startswith(
        f"{high / known:.0%} of the {known:,} assignments with a known reason"
    )


def test_chart_csvs_hold_numbers_as_numbers_and_no_small_count(site):
    out, _, _, _ = site
    label_cols = re.compile(r"%|gap|round|evaluation|complete|rule|kind|reason$|vendor|stage|band")
    for path in sorted((out / "data").glob("*.csv")):
        if path.name.endswith("--all-numbers.csv"):
            continue
        text = path.read_text(encoding="utf-8")
        assert "'-" not in text, path.name  # negative numbers are not guarded
        for row in rows(path):
            for col, cell in list(row.items())[1:]:
                assert not re.fullmatch(r"\d+(\.\d+)?%", cell), (path.name, col, cell)
                assert not re.fullmatch(r"\d{1,3}(,\d{3})+", cell), (path.name, col, cell)
                if label_cols.search(col) or not re.fullmatch(r"-?\d+", cell):
                    continue
                assert not 0 < int(cell) < MIN_GROUP, (path.name, col, cell)


def test_recommendations_come_from_findings_that_held(site):
    _, built, _, _ = site
    overview = built.pages[0]
    assert 0 < len(overview.recommendations) <= 5
    held = {f.text for p in built.pages[1:] for f in p.findings if f.holds}
    assert all(r.text in held and r.action for r in overview.recommendations)


def test_descriptive_csv_names_one_per_chart(site):
    out, built, _, _ = site
    names = sorted(p.name for p in (out / "data").glob("*.csv"))
    assert len(names) == sum(len(p.charts) + 1 for p in built.pages)
    assert all(re.fullmatch(r"[a-z_]+--[a-z0-9-]+\.csv", n) for n in names)
    assert "background_checks--adverse-action-rate-by-vendor.csv" in names


def test_a_hidden_cell_reads_suppressed_never_a_false_small_count(site):
    # A cell hidden only to protect a small one can be of any size: the reader found "<11" for
    # 216 healthcare rejections. Every hidden cell reads "suppressed", never "<11".
    out, _, cubes, _ = site
    complements = [
        c.values[i] for c in cubes for i in np.flatnonzero(c.suppressed) if c.values[i] >= MIN_GROUP
    ]
    assert complements, "the sample has cells hidden to protect others"
    marked = 0
    for path in sorted((out / "data").glob("*.csv")):
        if path.name.endswith("--all-numbers.csv"):
            continue
        for row in rows(path):
            assert f"<{MIN_GROUP}" not in row.values(), (path.name, row)
            assert "suppressed" not in [v for k, v in row.items() if k != "suppressed"], (
                "a hidden cell is empty, so a column of numbers stays numbers"
            )
            for column in filter(None, (row.get("suppressed") or "").split("; ")):
                assert row[column] == "", (path.name, column, row)
                marked += 1
    assert marked
    for page in sorted(out.glob("*.html")):
        assert f"&lt;{MIN_GROUP}" not in page.read_text(encoding="utf-8"), page.name


def test_disputes_minus_resolved_disputes_do_not_give_away_the_pending_ones(site):
    # The reader's attack: disputes per vendor (one table) minus resolved disputes (the
    # resolution-time table) gave the pending disputes, 1 to 3 per vendor, that the first table
    # hid.
    out, _, cubes, _ = site
    checks = next(c for c in cubes if c.measure == "background checks")
    disputes = {
        r["vendor"]: r
        for r in rows(
            out / "data" / "background_checks--dispute-and-correction-rates-by-vendor.csv"
        )
    }
    resolved = {
        r["vendor"]: r
        for r in rows(out / "data" / "background_checks--dispute-resolution-days.csv")
    }
    attacked = 0
    for vendor, d in disputes.items():
        r = resolved[vendor]["resolved disputes"]
        assert not hidden(resolved[vendor], "resolved disputes") or vendor == ALL, (
            "the sample shows every vendor's resolved disputes"
        )
        if not hidden(d, "pending"):
            continue
        attacked += 1
        if not hidden(d, "disputed"):
            pending = checks.true_value(vendor_id=vendor, status="dispute pending")
            assert int(d["disputed"]) - int(r) != pending, vendor
    assert attacked, "the sample hides some vendor's pending disputes"


def test_the_quarantine_hides_no_problem_a_table_did_not_have(site):
    # The reader's attack: "jobs: application_id not found in applications" (a problem jobs cannot
    # have) was hidden at 0 to protect the 7 background-check rows, and the total quarantined
    # less the problems listed gave them away. The input-rows cube hides no zero.
    _, _, cubes, _ = site
    rows = next(c for c in cubes if c.measure == "input rows")
    assert rows.suppressed.any(), "the sample has a small quarantine count to protect"
    zeros = [rows.keys[i] for i in np.flatnonzero(rows.suppressed & (rows.values == 0))]
    assert not zeros, zeros
    assert not recoverable(rows).any()


def test_lost_offers_upheld_do_not_bound_a_vendors_hidden_corrections(site):
    # The reader's attack: VEND-D's resolved disputes (15, Background checks) minus its offers
    # lost to an upheld report (14, the lost-offers chart, a subset of its upheld checks) left
    # at most 1 corrected report, a count the checks page hid.
    out, _, _, _ = site
    tidy = rows(out / "data" / "background_checks--all-numbers.csv")

    def shown(count: str, **labels: str) -> int | None:
        for r in tidy:
            if r["count"] == count and all(r[k] == v for k, v in labels.items()):
                return None if r["suppressed"] == "true" else int(r["n"])
        raise KeyError((count, labels))

    checks, lost = "background checks", "background-check rejections"
    vendors = {r["vendor_id"] for r in tidy if r["count"] == lost} - {ALL, "no check record"}
    attacked = 0
    for v in sorted(vendors):
        at = {"vendor_id": v, "finding": ALL, "days": ALL}
        resolved = shown(checks, **at, status="resolved")
        for hidden, other in (("corrected", "dispute_upheld"), ("upheld", "dispute_corrected")):
            if shown(checks, **at, status=hidden) is not None or resolved is None:
                continue
            attacked += 1
            subset = shown(lost, vendor_id=v, detail=other)
            if subset is not None:  # hidden <= resolved - (the other status's checks) <= ...
                assert resolved - subset >= MIN_GROUP, (v, hidden, resolved, subset)
    assert attacked, "the sample hides some vendor's corrected or upheld reports"
