"""Plotly HTML reports built from the warehouse.

``pipelines.reports.tables.build_report_tables`` builds the ``report_*`` tables; then
``build_reports(con, out_dir, rules)`` reads them, builds the pages and writes the site.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.reasons.rules import Rules
from pipelines.reports.context import ReportContext
from pipelines.reports.findings import Finding
from pipelines.reports.html import Page, render_site
from pipelines.reports.pages import PAGES
from pipelines.reports.population import read as read_population
from pipelines.reports.privacy import count_text, rate
from pipelines.reports.site import publish_site


@dataclass
class BuiltReports:
    pages: list[Page]
    paths: list[Path]  # the index, then each page
    seconds: float


MAX_RECOMMENDATIONS = 5


def index_headline(ctx: ReportContext) -> list[tuple[str, str]]:
    """The index page's headline figures, from the shared cubes."""
    pop = ctx.population
    cohort, rejected = pop.cohort.value(), pop.applications.value(outcome="rejected")
    share = rate(cohort, rejected) if cohort is not None and rejected is not None else None
    return [
        ("period covered", pop.period_text),
        ("applications", count_text(pop.applications.value())),
        ("rejected after a successful interview", count_text(cohort)),
        ("share of all rejections", "suppressed" if share is None else f"{share:.0%}"),
    ]


def recommendations(pages: list[Page]) -> list[Finding]:
    """At most MAX_RECOMMENDATIONS actions, each from a finding that passed its test."""
    found = [f for p in pages for f in p.findings if f.holds and f.action]
    unique = list({f.action: f for f in found}.values())
    return unique[:MAX_RECOMMENDATIONS]


def build_reports(con: duckdb.DuckDBPyConnection, out_dir: Path, rules: Rules) -> BuiltReports:
    """Build every page from the ``report_*`` tables (run ``build_report_tables`` first) and
    publish the site as one step (``site.publish_site``): the index, the pages, the CSV files,
    filters.js and plotly.min.js. ``rules`` gives the reason taxonomy and its order."""
    t0 = time.perf_counter()
    ctx = ReportContext.from_rules(rules, read_population(con))
    pages = [page.build(page.data(con), ctx) for page in PAGES]
    pages[0].recommendations = recommendations(pages[1:])
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    publish_site(render_site(pages, index_headline(ctx), generated), out_dir)
    paths = [out_dir / "index.html", *(out_dir / p.file_name for p in pages)]
    return BuiltReports(pages, paths, time.perf_counter() - t0)
