"""Plotly HTML reports built from the warehouse.

``pipelines.reports.tables.build_report_tables`` builds the ``report_*`` tables; then
``build_reports(con, out_dir, rules)`` reads them, builds the pages and writes the site.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from pipelines.reasons.rules import Rules
from pipelines.reports.context import ReportContext
from pipelines.reports.html import Page, render_site
from pipelines.reports.pages import PAGES
from pipelines.reports.privacy import count_text, rate_text
from pipelines.reports.site import publish_site


@dataclass
class BuiltReports:
    pages: list[Page]
    paths: list[Path]  # the index, then each page
    seconds: float


def index_headline(head: dict[str, Any]) -> list[tuple[str, str]]:
    """The index page's headline figures from the ``report_headline`` row."""
    return [
        ("period covered", f"{head['first_application']} to {head['last_decision']}"),
        ("applications", count_text(head["applications"])),
        ("rejected after a successful interview", count_text(head["post_interview_rejections"])),
        (
            "share of all rejections",
            rate_text(head["post_interview_rejections"], head["rejections"]),
        ),
        ("assignments to review", count_text(head["in_review_queue"])),
    ]


def build_reports(con: duckdb.DuckDBPyConnection, out_dir: Path, rules: Rules) -> BuiltReports:
    """Build every page from the ``report_*`` tables (run ``build_report_tables`` first) and
    publish the site as one step (``site.publish_site``): the index, the pages, the CSV files
    and plotly.min.js. ``rules`` gives the reason taxonomy and its order."""
    t0 = time.perf_counter()
    ctx = ReportContext.from_rules(rules)
    pages = [page.build(page.data(con), ctx) for page in PAGES]
    rel = con.sql("select * from report_headline")
    head = dict(zip([d[0] for d in rel.description], rel.fetchall()[0], strict=True))
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    publish_site(render_site(pages, index_headline(head), generated), out_dir)
    paths = [out_dir / "index.html", *(out_dir / p.file_name for p in pages)]
    return BuiltReports(pages, paths, time.perf_counter() - t0)
