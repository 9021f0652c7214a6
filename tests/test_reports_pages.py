"""Report pages: findings are computed from the data, and empty warehouses still get pages."""

from __future__ import annotations

import re

import duckdb
import pytest
from conftest import write

from pipelines.ingest import ingest_folder
from pipelines.reasons.engine import assign_reasons, build_rule_audit
from pipelines.reasons.rules import load_rules
from pipelines.reports import build_reports
from pipelines.reports.tables import build_report_tables


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
    yield con, {p.slug: p for p in built.pages}
    con.close()


def test_there_are_six_pages_each_chart_with_a_table(sample_reports):
    _, pages = sample_reports
    assert list(pages) == [
        "overview",
        "reasons",
        "background_checks",
        "competition",
        "goal_mismatch",
        "data_quality",
    ]
    for page in pages.values():
        assert page.charts and page.summary
        for chart in page.charts:
            assert chart.finding and chart.table.rows, (page.slug, chart.finding)
            assert chart.figure.layout.xaxis.title.text or chart.figure.data[0].type == "heatmap"


def test_vendor_correction_finding_names_the_vendor_with_the_highest_rate(sample_reports):
    con, pages = sample_reports
    finding = pages["background_checks"].charts[2].finding
    m = re.match(
        r"(VEND-\w)'s adverse reports are corrected on dispute ([\d.]+)× as often", finding
    )
    assert m, finding
    rates = con.execute(
        "select vendor_id, sum(corrected) / sum(disputed) from report_background_checks group by 1 "
        "having sum(corrected) >= 11 order by 2 desc"
    ).fetchall()
    assert m.group(1) == rates[0][0]


def test_cohort_share_finding_matches_the_warehouse(sample_reports):
    con, pages = sample_reports
    cohort, rejections = con.execute(
        "select (select count(*) from post_interview_rejections), "
        "(select count(*) from applications where outcome = 'rejected')"
    ).fetchall()[0]
    assert (
        pages["overview"]
        .charts[1]
        .finding.startswith(f"{cohort / rejections:.0%} of rejected applicants")
    )


def test_a_warehouse_with_no_cohort_still_gets_every_page(tmp_path):
    write(tmp_path / "in", "jobs.csv", "job_id\nJ1\n")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ingest_folder(con, tmp_path / "in")
    assign_reasons(con, load_rules())
    build_rule_audit(con, [], load_rules())
    build_report_tables(con, load_rules())
    built = build_reports(con, tmp_path / "reports", load_rules())
    assert len(built.paths) == 7 and all(p.is_file() for p in built.paths)
    overview = next(p for p in built.pages if p.slug == "overview")
    assert overview.charts[2].finding == "No post-interview rejections in the data"
    assert "nothing is drawn" in (tmp_path / "reports" / "competition.html").read_text()
