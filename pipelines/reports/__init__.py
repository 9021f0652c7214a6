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
from plotly.offline import get_plotlyjs

from pipelines.reasons.rules import Rules
from pipelines.reports.context import ReportContext
from pipelines.reports.html import PLOTLY_JS, Page, render_site
from pipelines.reports.pages import PAGES
from pipelines.reports.privacy import count_text, rate_text


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
    write the site: the index, the pages, the CSV files and plotly.min.js. ``rules`` gives the
    reason taxonomy and its order."""
    t0 = time.perf_counter()
    ctx = ReportContext.from_rules(rules)
    pages = [page.build(page.data(con), ctx) for page in PAGES]
    rel = con.sql("select * from report_headline")
    head = dict(zip([d[0] for d in rel.description], rel.fetchall()[0], strict=True))
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    _write_site(render_site(pages, index_headline(head), generated), out_dir)
    paths = [out_dir / "index.html", *(out_dir / p.file_name for p in pages)]
    return BuiltReports(pages, paths, time.perf_counter() - t0)


def _write_site(files: dict[str, str], out_dir: Path) -> None:
    """Write the rendered files, replacing the old CSV downloads, and plotly.min.js if it changed."""
    data_dir = out_dir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    for old in data_dir.glob("*.csv"):
        old.unlink()
    js = out_dir / PLOTLY_JS
    content = get_plotlyjs()
    if not js.exists() or js.stat().st_size != len(content.encode("utf-8")):
        js.write_text(content, encoding="utf-8")
    for name, text in files.items():
        (out_dir / name).write_text(text, encoding="utf-8")
