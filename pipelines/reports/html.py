"""Rendering the report site: pages, chart tables, CSV downloads. ``render_site`` returns every
file's text and writes nothing; the caller writes the files and one local plotly.min.js.

The filters' script (``filters.js``, ours, shipped beside the pages) only switches charts between
variants built here. Every label from data has passed ``privacy.group_labels`` / ``clean_label`` in its page (small
groups unnamed, invisible characters out, length bounded); here every string passes through
``esc`` before it reaches HTML and every CSV cell through ``csv_cell``. Figure text is escaped
once, for Plotly, with ``privacy.plot_text`` (not ``esc``: Plotly would show "&quot;" as typed). Charts are rendered by Plotly without its library inlined; each page loads the one
``plotly.min.js`` written next to the pages, so the site opens offline.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl

from pipelines.reports.filter_menus import filter_menus
from pipelines.reports.findings import Finding
from pipelines.reports.privacy import MIN_GROUP, SUPPRESSED, csv_cell, esc

FILTERS_JS = "filters.js"
OKABE_ITO_COLOURS = ("#0072B2", "#D55E00", "#E69F00", "#009E73", "#56B4E9", "#CC79A7", "#F0E442")

PLOTLY_JS = "plotly.min.js"

STYLE = """
body { font-family: system-ui, -apple-system, Segoe UI, Roboto, sans-serif; margin: 0; color: #1f2933; }
header { background: #243b53; color: #fff; padding: 12px 24px; }
header a { color: #d9e2ec; margin-right: 16px; text-decoration: none; }
header a.current { color: #fff; font-weight: 600; text-decoration: underline; }
main { max-width: 1100px; margin: 0 auto; padding: 8px 24px 48px; }
h1 { font-size: 1.6em; } h2 { font-size: 1.15em; margin-top: 2em; }
.note { color: #52606d; font-size: 0.92em; }
.headline { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.headline div { background: #f0f4f8; border-radius: 6px; padding: 10px 14px; min-width: 150px; }
.headline b { display: block; font-size: 1.4em; }
table { border-collapse: collapse; font-size: 0.88em; margin: 8px 0; }
th, td { border: 1px solid #d9e2ec; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
details { margin-bottom: 12px; }
.chart { min-height: 420px; }
.test { color: #52606d; font-size: 0.85em; font-style: italic; }
.filters { background: #f0f4f8; border-radius: 6px; padding: 8px 14px; margin: 12px 0; }
.filters label { margin-right: 18px; }
.todo li { margin-bottom: 6px; }
"""


def _cell_html(v: object) -> str:
    if isinstance(v, bool) or v is None:  # true/false as in the CSV files
        return "" if v is None else str(v).lower()
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        return f"{v:,.1f}"
    return esc(v)


@dataclass
class Table:
    """The numbers behind a chart. Cells are numbers (int, float: a percentage is a number in a
    column whose name says "%"), text, None (not applicable) or SUPPRESSED."""

    columns: list[str]
    rows: list[list[object]]

    def html(self) -> str:
        head = "".join(f"<th>{esc(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{_cell_html(v)}</td>" for v in row) + "</tr>"
            for row in self.rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def csv(self) -> str:
        """Numbers stay numbers: a suppressed cell is empty, and the last column, "suppressed",
        names the row's hidden columns (the HTML table writes the word in the cell)."""
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        hides = any(v == SUPPRESSED for row in self.rows for v in row)
        w.writerow([csv_cell(c) for c in [*self.columns, *(["suppressed"] if hides else [])]])
        for row in self.rows:
            hidden = [c for c, v in zip(self.columns, row, strict=True) if v == SUPPRESSED]
            cells = ["" if v == SUPPRESSED else csv_cell(v) for v in row]
            w.writerow([*cells, "; ".join(hidden)] if hides else cells)
        return out.getvalue()


@dataclass
class Chart:
    """One chart of a page. Making the Chart adds a note to its figure if nothing may be drawn,
    so build the figure completely first; the site's look (template, colours, margins, height)
    is merged in when the figure is written (``styled_figure``). ``variants`` (filter key -> the
    traces' changing arrays and the finding) are what the page's filters switch between in the
    browser."""

    finding: Finding | str  # the title: what the chart shows, tested (findings.py)
    figure: go.Figure
    table: Table
    note: str = ""
    name: str = ""  # the CSV's descriptive name: "<page>--<name>.csv"
    variants: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _note_if_nothing_drawn(self.figure)

    @property
    def title(self) -> str:
        text = self.finding.text if isinstance(self.finding, Finding) else self.finding
        return text[:1].upper() + text[1:]


@dataclass
class Page:
    slug: str
    title: str
    question: str
    summary: str  # one line for the index and for Dagster metadata
    charts: list[Chart] = field(default_factory=list)
    headline: list[tuple[str, str]] = field(default_factory=list)
    tidy: pl.DataFrame | None = None  # every published number of the page, one row each
    findings: list[Finding] = field(default_factory=list)  # the tested claims, for "what to change"
    figures: dict[str, int | None] = field(default_factory=dict)  # counts shared across pages
    filters: list[tuple[str, str]] = field(default_factory=list)  # (key, label); first = default
    headline_variants: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    intro: str = ""  # extra HTML (already escaped) under the question
    recommendations: list[Finding] = field(default_factory=list)

    @property
    def file_name(self) -> str:
        return f"{self.slug}.html"


def _nav(pages: list[Page], current: str) -> str:
    links = [
        '<a href="index.html"' + (' class="current"' if current == "index" else "") + ">Index</a>"
    ]
    for p in pages:
        cls = ' class="current"' if p.slug == current else ""
        links.append(f'<a href="{p.file_name}"{cls}>{esc(p.title)}</a>')
    return "<header><nav>" + "".join(links) + "</nav></header>"


def _document(title: str, nav: str, body: str, with_plotly: bool) -> str:
    script = (
        f'<script src="{PLOTLY_JS}" charset="utf-8"></script>'
        f'<script src="{FILTERS_JS}" charset="utf-8"></script>'
        if with_plotly
        else ""
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} · hiring-outcomes</title><style>{STYLE}</style>{script}</head>"
        f"<body>{nav}<main>{body}</main></body></html>\n"
    )


def drawn(trace: Mapping[str, Any]) -> bool:
    """Whether a trace (a figure's, or the dict a filter variant swaps in) draws any value: a
    heatmap's z, a horizontal bar's x, else y. A rate bar's hidden rate (charts.rate_bar: the
    word SUPPRESSED at zero) is not one."""
    axis = "z" if trace.get("z") is not None else "x" if trace.get("orientation") == "h" else "y"
    values = trace.get(axis)
    if values is None:
        return False
    flat = [v for row in values for v in (row if isinstance(row, list | tuple) else [row])]
    text = trace.get("text")
    labels = list(text) if axis != "z" and isinstance(text, list | tuple) else [None] * len(flat)
    return any(v is not None and t != SUPPRESSED for v, t in zip(flat, labels, strict=False))


# Where suppression left nothing to draw; ``name`` lets filters.js add or remove it per filter.
NOTHING_DRAWN: dict[str, Any] = {
    "name": "nothing-drawn",
    "text": f"Every group here has fewer than {MIN_GROUP} people or is suppressed, so nothing is drawn.",
    "showarrow": False,
    "xref": "paper",
    "yref": "paper",
    "x": 0.5,
    "y": 0.85,  # above the "suppressed" labels of hidden rate bars
    "bgcolor": "white",
    "font": {"size": 15},
}


def _note_if_nothing_drawn(fig: go.Figure) -> None:
    """The NOTHING_DRAWN note where suppression left nothing to draw (the site's look is set
    when the figure is written: ``styled_figure``)."""
    if not any(drawn(t.to_plotly_json()) for t in fig.data):
        fig.add_annotation(**NOTHING_DRAWN)


# The look of Plotly's "plotly_white", set directly: applying a template deep-copies it into
# every figure, which cost more than everything else in a build.
_LAYOUT_LOOK: dict[str, Any] = {
    # what Plotly writes for an empty template (the browser then applies no default template)
    "template": {"data": {"scatter": [{"type": "scatter"}]}},
    "paper_bgcolor": "white",
    "plot_bgcolor": "white",
    "colorway": list(OKABE_ITO_COLOURS),
    "margin": {"t": 30, "l": 70, "r": 30, "b": 60},
    "font": {"size": 13, "color": "#2a3f5f"},
    "hoverlabel": {"align": "left"},
}
_AXIS_LOOK = {
    "automargin": True,
    "gridcolor": "#EBF0F8",
    "linecolor": "#EBF0F8",
    "zerolinecolor": "#EBF0F8",
}
_AXIS_KEY = re.compile(r"[xy]axis[0-9]*")


def styled_figure(fig: go.Figure) -> dict[str, Any]:
    """The figure as Plotly's JSON dict with the site's look merged into its layout and every
    axis, as ``update_layout``/``update_xaxes``/``update_yaxes`` would set it: merged into the
    dict, because those calls check every property path (under the profiler, 0.9 s of the 2.3 s
    a 10M build took)."""
    out = fig.to_dict()
    layout = out["layout"]
    look = copy.deepcopy(_LAYOUT_LOOK)  # the caller may change what it gets
    layout["template"] = look.pop("template")
    for key, value in look.items():
        merged = isinstance(value, dict) and isinstance(layout.get(key), dict)
        layout[key] = {**layout[key], **value} if merged else value
    layout["height"] = layout.get("height") or 420
    for key in {"xaxis", "yaxis", *(k for k in layout if _AXIS_KEY.fullmatch(k))}:
        layout[key] = {**layout.get(key, {}), **_AXIS_LOOK}
    return out


def _figure_html(fig: go.Figure, div_id: str) -> str:
    return pio.to_html(
        styled_figure(fig),
        validate=False,
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        config={"displaylogo": False, "responsive": True},
    )


def _headline(items: list[tuple[str, str]]) -> str:
    if not items:
        return ""
    cells = "".join(f"<div><b>{esc(v)}</b>{esc(k)}</div>" for k, v in items)
    return f'<div class="headline">{cells}</div>'


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "chart"


def csv_name(page: Page, chart_number: int) -> str:
    """The CSV download of a page's chart (numbered from 1), in the site's ``data`` folder:
    ``<page>--<what the chart counts>.csv``."""
    chart = page.charts[chart_number - 1]
    return f"{page.slug}--{_slug(chart.name or f'chart {chart_number}')}.csv"


def tidy_name(page: Page) -> str:
    return f"{page.slug}--all-numbers.csv"


def _test_note(chart: Chart) -> str:
    if not isinstance(chart.finding, Finding):
        return ""
    return f'<p class="test">How this title was tested: {esc(chart.finding.test)}.</p>'


def _json(value: object) -> str:
    """JSON for a <script> block: '<' written as an escape so no tag can close the block."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).replace("<", "\\u003c")


def _variants(page: Page) -> str:
    if not page.filters:
        return ""
    charts = {}
    for i, chart in enumerate(page.charts, start=1):
        if not chart.variants:
            continue
        unique: dict[str, int] = {}
        keys = {}
        for key, variant in chart.variants.items():
            text = json.dumps(variant, sort_keys=True)
            keys[key] = unique.setdefault(text, len(unique))
        charts[f"{page.slug}-chart-{i}"] = {
            "keys": keys,
            "variants": [json.loads(t) for t in unique],
        }
    payload = {"charts": charts, "headline": page.headline_variants, "note": NOTHING_DRAWN}
    return f'<script type="application/json" id="variants">{_json(payload)}</script>'


def render_page(page: Page, pages: list[Page], generated: str) -> str:
    parts = [
        f"<h1>{esc(page.title)}</h1>",
        f'<p class="note">{esc(page.question)}</p>',
        page.intro,
        filter_menus(page.filters),
        f'<div id="headline">{_headline(page.headline)}</div>',
    ]
    if page.recommendations:
        items = "".join(
            f"<li><b>{esc(r.action)}</b> ({esc(r.text)}; {esc(r.test)})</li>"
            for r in page.recommendations
        )
        parts.append(f'<h2>What to change</h2><ol class="todo">{items}</ol>')
    for i, chart in enumerate(page.charts, start=1):
        div = f"{page.slug}-chart-{i}"
        parts += [
            f'<section id="chart-{i}"><h2 data-chart="{div}">{esc(chart.title)}</h2>',
            f'<div class="chart">{_figure_html(chart.figure, div)}</div>',
            _test_note(chart),
            f'<p class="note">{esc(chart.note)}</p>' if chart.note else "",
            f"<details><summary>The numbers behind this chart"
            f"{' (all data, unfiltered)' if chart.variants else ''} "
            f'(<a href="data/{csv_name(page, i)}" download>download CSV</a>)</summary>'
            f"{chart.table.html()}</details></section>",
        ]
    if page.tidy is not None:
        parts.append(
            f'<p class="note">Every number on this page, for every filter, in one table: '
            f'<a href="data/{tidy_name(page)}" download>{esc(tidy_name(page))}</a>.</p>'
        )
    parts.append(
        f'<p class="note">Groups of fewer than {MIN_GROUP} people, and the cells that would give '
        f'them away by subtraction (these may be of any size), read "suppressed" and are drawn as '
        f'a grey "suppressed" part or left out. Generated {esc(generated)}.</p>'
    )
    parts.append(_variants(page))
    return _document(page.title, _nav(pages, page.slug), "".join(parts), with_plotly=True)


def render_index(pages: list[Page], headline: list[tuple[str, str]], generated: str) -> str:
    items = "".join(
        f'<li><a href="{p.file_name}">{esc(p.title)}</a>: {esc(p.summary)}</li>' for p in pages
    )
    body = (
        "<h1>Why do candidates who interviewed well still not get the job?</h1>"
        + _headline(headline)
        + f"<ul>{items}</ul>"
        + f'<p class="note">Built from the warehouse on {esc(generated)}. Opens offline; no data '
        f"leaves this folder. Groups of fewer than {MIN_GROUP} people are suppressed.</p>"
    )
    return _document("Index", _nav(pages, "index"), body, with_plotly=False)


def tidy_csv(df: pl.DataFrame) -> str:
    """A page's numbers as CSV: numbers as numbers, suppressed cells empty with
    ``suppressed`` = true, text cells guarded against formulas."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([csv_cell(c) for c in df.columns])
    w.writerows([[csv_cell(v) for v in row] for row in df.iter_rows()])
    return out.getvalue()


def render_site(
    pages: list[Page], headline: list[tuple[str, str]], generated: str
) -> dict[str, str]:
    """Every file of the site but plotly.min.js: relative path → text (the index, each page,
    ``data/<page>--<chart>.csv`` for each chart and ``data/<page>--all-numbers.csv``)."""
    files = {
        "index.html": render_index(pages, headline, generated),
        FILTERS_JS: (Path(__file__).parent / FILTERS_JS).read_text(encoding="utf-8"),
    }
    for page in pages:
        files[page.file_name] = render_page(page, pages, generated)
        for i, chart in enumerate(page.charts, start=1):
            files[f"data/{csv_name(page, i)}"] = chart.table.csv()
        if page.tidy is not None:
            files[f"data/{tidy_name(page)}"] = tidy_csv(page.tidy)
    return files


__all__ = ["SUPPRESSED", "Chart", "Page", "Table", "render_site"]
