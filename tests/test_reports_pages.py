"""Report pages: findings are computed from the data and tested, and empty warehouses still get
pages."""

from __future__ import annotations

import csv
import re

import duckdb
import pytest
from conftest import write

from pipelines.ingest import ingest_folder
from pipelines.reasons.engine import assign_reasons, build_rule_audit
from pipelines.reasons.rules import load_rules
from pipelines.reports import build_reports
from pipelines.reports.findings import Finding
from pipelines.reports.tables import build_report_tables

SLUGS = [
    "overview",
    "reasons",
    "background_checks",
    "timing",
    "interviewers",
    "candidates",
    "competition",
    "goal_mismatch",
    "data_quality",
    "method",
]


@pytest.fixture(scope="module")
def sample_reports(tmp_path_factory):
    from conftest import SAMPLE_DIR

    tmp = tmp_path_factory.mktemp("pages")
    con = duckdb.connect(str(tmp / "w.duckdb"))
    ingest_folder(con, SAMPLE_DIR)
    assign_reasons(con, load_rules())
    build_rule_audit(con, [], load_rules())
    build_report_tables(con, load_rules())
    built = build_reports(con, tmp / "reports", load_rules())
    yield con, {p.slug: p for p in built.pages}, tmp / "reports"
    con.close()


def test_every_page_has_charts_with_tables_axes_and_tested_titles(sample_reports):
    _, pages, _ = sample_reports
    assert list(pages) == SLUGS
    for page in pages.values():
        assert page.charts and page.summary and page.tidy is not None
        for chart in page.charts:
            assert chart.title and chart.table.rows, (page.slug, chart.title)
            assert chart.title[0].isupper() or chart.title[0].isdigit(), chart.title
            fig = chart.figure
            assert fig.layout.xaxis.title.text or fig.data[0].type == "heatmap", chart.title


def test_the_rule_audit_is_on_the_method_page_only(sample_reports):
    _, pages, _ = sample_reports
    assert [c.table.columns[0] for c in pages["method"].charts][0] == "rule"
    assert not any(c.table.columns[0] == "rule" for c in pages["data_quality"].charts)


def test_vendor_correction_finding_is_tested_against_the_other_vendors(sample_reports):
    _, pages, _ = sample_reports
    chart = pages["background_checks"].charts[2]
    f = chart.finding
    assert isinstance(f, Finding) and "z-test" in f.test
    # The vendor compared is the one with the highest correction rate the page shows; when no
    # vendor's rate is shown (suppressed: the sample has about 20 disputes per vendor), nothing
    # is compared and the title says so.
    col = chart.table.columns.index("correction rate (%)")
    rates = {r[0]: r[col] for r in chart.table.rows if isinstance(r[col], float | int)}
    if rates:
        top = max(rates, key=rates.get)
        assert f.text.startswith(f"{top}'s correction rate on dispute"), f.text
    else:
        assert not f.holds and "no vendor's is shown" in f.text and "suppressed" in f.text


def test_no_vendor_is_called_the_most_adverse_without_a_clear_lead(sample_reports):
    _, pages, _ = sample_reports
    f = pages["background_checks"].charts[0].finding
    assert isinstance(f, Finding)
    assert f.holds == f.text.startswith("VEND") and (
        f.holds or f.text.startswith("No vendor differs clearly")
    )


def test_the_monthly_trend_leaves_months_still_filling_in_out(sample_reports):
    con, pages, _ = sample_reports
    last = con.execute("select last_complete_month from report_periods").fetchall()[0][0]
    title = pages["reasons"].charts[0].title
    later = re.search(r"\((\d{4}-\d{2}) to (\d{4}-\d{2}) still filling in, left out\)", title)
    assert later and later.group(1) > last, title


def test_cohort_share_finding_matches_the_warehouse(sample_reports):
    con, pages, _ = sample_reports
    cohort, rejections = con.execute(
        "select (select count(*) from post_interview_rejections), "
        "(select count(*) from applications where outcome = 'rejected')"
    ).fetchall()[0]
    assert (
        pages["overview"]
        .charts[1]
        .title.startswith(f"{cohort / rejections:.0%} of the {rejections:,} rejected applications")
    )


def test_review_queue_cases_never_reach_the_reports_folder(sample_reports, tmp_path):
    con, pages, out = sample_reports
    from pipelines.reports.review import write_review_queue

    ids = [r[0] for r in con.execute("select application_id from review_queue").fetchall()]
    assert ids and pages["data_quality"].figures["assignments to review"] == len(ids)
    published = "".join(p.read_text() for p in out.rglob("*") if p.suffix in (".html", ".csv"))
    assert not any(i in published for i in ids[:50])
    wh = tmp_path / "copy.duckdb"
    con.execute(f"attach '{wh}' as c; copy from database w to c; detach c")
    path, n = write_review_queue(wh)
    assert path == tmp_path / "review_queue.csv" and n == len(ids)
    head = path.read_text().splitlines()
    assert head[0] == (
        "application_id,reason,confidence,why_queued,decision_path,rules_cited,rules_fired,"
        "rules_version"
    )
    assert len(head) == n + 1


def test_the_review_list_shows_every_rule_that_fired_not_only_the_winner(sample_reports, tmp_path):
    # The reader's case: queued because "the records point to several reasons", the list named
    # only bg_adverse_action although competition_stronger_hire fired too.
    con, _, _ = sample_reports
    from pipelines.reports.review import write_review_queue

    wh = tmp_path / "copy.duckdb"
    con.execute(f"attach '{wh}' as c; copy from database w to c; detach c")
    path, _ = write_review_queue(wh)
    with path.open(newline="") as f:
        cases = {r["application_id"]: r for r in csv.DictReader(f)}
    several = [r for r in cases.values() if r["decision_path"] == "structured_several"]
    assert several
    for r in several:
        reasons = set(re.findall(r"\(([a-z_]+)\)", r["rules_fired"]))
        assert len(reasons) >= 2, r
        assert set(r["rules_cited"].split("; ")) <= {
            x.split(" (")[0] for x in r["rules_fired"].split("; ")
        } | {"txt_model"}, r


def test_a_warehouse_with_no_cohort_still_gets_every_page(tmp_path):
    write(tmp_path / "in", "jobs.csv", "job_id\nJ1\n")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ingest_folder(con, tmp_path / "in")
    assign_reasons(con, load_rules())
    build_rule_audit(con, [], load_rules())
    build_report_tables(con, load_rules())
    built = build_reports(con, tmp_path / "reports", load_rules())
    assert len(built.paths) == len(SLUGS) + 1 and all(p.is_file() for p in built.paths)
    overview = next(p for p in built.pages if p.slug == "overview")
    assert overview.charts[2].title == "No post-interview rejections in the data"
    assert "nothing is drawn" in (tmp_path / "reports" / "competition.html").read_text()


def test_walking_away_is_a_rate_per_application_that_reached_the_stage(sample_reports):
    # The reader's case: per application that ended at the offer stage, declining was near half
    # by construction (everyone who accepted moved on); per application that reached it, 10 %.
    con, pages, _ = sample_reports
    walked, reached = con.execute(
        "select count(*) filter (where stage_reached = 'offer' "
        "and outcome in ('withdrawn', 'offer_declined')), "
        "count(*) filter (where stage_reached in ('offer', 'background_check', 'hired')) "
        "from applications"
    ).fetchall()[0]
    table = pages["candidates"].charts[1].table
    row = next(r for r in table.rows if r[0] == "offer")
    cols = table.columns
    assert row[cols.index("applications that reached the stage")] == reached
    assert row[cols.index("withdrew or declined")] == walked
    assert row[cols.index("rate (%)")] == round(100 * walked / reached, 1) < 20


def test_the_monthly_trend_is_of_the_rate_per_interviewed_candidate(sample_reports):
    # The reader's point: a count per month rises and falls with the number interviewed.
    con, pages, _ = sample_reports
    chart = pages["reasons"].charts[0]
    assert "per interviewed candidate" in chart.title and "two-proportion" in chart.finding.test
    interviewed = dict(
        con.execute(
            """select strftime(month, '%Y-%m'), sum(n) from report_funnel
               where stage in ('interview', 'final_interview', 'offer', 'background_check', 'hired')
               group by all"""
        ).fetchall()
    )
    cols = chart.table.columns
    checked = 0
    for row in chart.table.rows:
        cell = dict(zip(cols, row, strict=True))
        if cell["per 100 interviewed"] == "suppressed":
            continue
        assert cell["reached the interview stage"] == interviewed[cell["month"]]
        assert cell["per 100 interviewed"] == round(
            100 * cell["total"] / cell["reached the interview stage"], 1
        )
        checked += 1
    assert checked >= 12, "the sample has a year of months with a rate shown"


def test_confidence_bins_split_the_top_tenth_where_calibrated_confidences_crowd(sample_reports):
    # Tenths drew one bar (every known reason is 0.9 or more in the sample).
    con, pages, _ = sample_reports
    table = pages["method"].charts[1].table
    known = {row[0]: row[1] for row in table.rows}
    expected = dict(
        con.execute(
            """select case when confidence < 0.5 then 'under 0.50'
                           when confidence < 0.9 then printf('%.2f–%.2f', floor(confidence * 10) / 10,
                                                             floor(confidence * 10) / 10 + 0.1)
                           else printf('%.2f–%.2f', floor(confidence * 50) / 50,
                                       least(floor(confidence * 50) / 50 + 0.02, 1)) end,
                      count(*)
               from reason_assignments where reason <> 'unknown' group by all"""
        ).fetchall()
    )
    assert len([b for b in expected if b >= "0.90"]) >= 2, "the top tenth falls in several bins"
    for b, n in known.items():
        if b != "all":
            assert n == expected.get(b, 0), (b, n, expected)
