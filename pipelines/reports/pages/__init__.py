"""The report pages, in site order. Each page module has ``data(con)``, the queries of the
``report_*`` tables it shows, and ``build(data, ctx) -> Page``: figures, tables and findings in
words computed from the data, with no database and no I/O."""

from __future__ import annotations

from typing import Any, Protocol

import duckdb

from pipelines.reports.context import ReportContext
from pipelines.reports.html import Page
from pipelines.reports.pages import (
    background_checks,
    candidates,
    competition,
    data_quality,
    goal_mismatch,
    interviewers,
    method,
    overview,
    reasons,
    timing,
)


class PageModule(Protocol):
    def data(self, con: duckdb.DuckDBPyConnection) -> Any: ...

    def build(self, data: Any, ctx: ReportContext) -> Page: ...


PAGES: tuple[PageModule, ...] = (
    overview,
    reasons,
    background_checks,
    timing,
    interviewers,
    candidates,
    competition,
    goal_mismatch,
    data_quality,
    method,
)
