"""Plotly HTML reports built from the warehouse: ``build_reports(con, out_dir)``."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.reasons import load_rules, sql_params
from pipelines.reports.html import Page, write_site
from pipelines.reports.pages import PAGES
from pipelines.reports.privacy import count_text, rate_text
from pipelines.warehouse import SQL_DIR, run_sql

REPORT_TABLES = sorted(p.stem for p in (SQL_DIR / "reports").glob("report_*.sql"))


@dataclass
class BuiltReports:
    pages: list[Page]
    paths: list[Path]
    seconds: float


def build_reports(con: duckdb.DuckDBPyConnection, out_dir: Path) -> BuiltReports:
    """Build the report_* aggregate tables, then write every page, the index and the CSVs."""
    t0 = time.perf_counter()
    params = sql_params(load_rules())
    for table in REPORT_TABLES:
        run_sql(con, f"reports/{table}", **params)
    pages = [build(con) for build in PAGES]
    h = con.sql("select * from report_headline").fetchall()[0]
    cols = [d[0] for d in con.sql("select * from report_headline").description]
    head = dict(zip(cols, h, strict=True))
    headline = [
        ("period covered", f"{head['first_application']} to {head['last_decision']}"),
        ("applications", count_text(head["applications"])),
        ("rejected after a successful interview", count_text(head["post_interview_rejections"])),
        (
            "share of all rejections",
            rate_text(head["post_interview_rejections"], head["rejections"]),
        ),
        ("assignments to review", count_text(head["in_review_queue"])),
    ]
    paths = write_site(pages, headline, out_dir)
    return BuiltReports(pages, paths, time.perf_counter() - t0)
