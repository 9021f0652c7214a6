"""Rendering the report site: pages, chart tables, CSV downloads. ``render_site`` returns every
file's text and writes nothing; the caller writes the files and one local plotly.min.js.

Every label from data has passed ``privacy.group_labels`` / ``clean_label`` in its page (small
groups unnamed, invisible characters out, length bounded); here every string passes through
``esc`` before it reaches HTML and every CSV cell through ``csv_cell``. Figure text is escaped
once, for Plotly, with ``privacy.plot_text`` (not ``esc``: Plotly would show "&quot;" as typed). Charts are rendered by Plotly without its library inlined; each page loads the one
``plotly.min.js`` written next to the pages, so the site opens offline.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import plotly.graph_objects as go

from pipelines.reports.privacy import MIN_GROUP, csv_cell, esc

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
"""


@dataclass
class Table:
    columns: list[str]
    rows: list[list[object]]  # already suppressed / formatted for people to read

    def html(self) -> str:
        head = "".join(f"<th>{esc(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{esc(v)}</td>" for v in row) + "</tr>" for row in self.rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def csv(self) -> str:
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow([csv_cell(c) for c in self.columns])
        w.writerows([[csv_cell(v) for v in row] for row in self.rows])
        return out.getvalue()


@dataclass
class Chart:
    """One chart of a page. Making the Chart finishes its figure (the site's template, margins
    and height; a note if nothing may be drawn), so build the figure completely first: rendering
    then only reads it."""

    finding: str  # the title: what the chart shows, in words computed from the data
    figure: go.Figure
    table: Table
    note: str = ""

    def __post_init__(self) -> None:
        _finish_figure(self.figure)


@dataclass
class Page:
    slug: str
    title: str
    question: str
    summary: str  # one line for the index and for Dagster metadata
    charts: list[Chart] = field(default_factory=list)
    headline: list[tuple[str, str]] = field(default_factory=list)

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
    script = f'<script src="{PLOTLY_JS}" charset="utf-8"></script>' if with_plotly else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} · hiring-outcomes</title><style>{STYLE}</style>{script}</head>"
        f"<body>{nav}<main>{body}</main></body></html>\n"
    )


def _has_values(fig: go.Figure) -> bool:
    for trace in fig.data:
        for attr in ("y", "x", "z"):
            values = getattr(trace, attr, None)
            if values is None or (attr == "x" and getattr(trace, "orientation", None) != "h"):
                continue
            flat = [v for row in values for v in (row if isinstance(row, list | tuple) else [row])]
            if any(v is not None for v in flat):
                return True
    return False


def _finish_figure(fig: go.Figure) -> None:
    """The site's look for every chart, and a note where suppression left nothing to draw."""
    if not _has_values(fig):
        fig.add_annotation(
            text=f"Every group here has fewer than {MIN_GROUP} people, so nothing is drawn.",
            showarrow=False,
            xref="paper",
            yref="paper",
            x=0.5,
            y=0.5,
            font={"size": 15},
        )
    fig.update_layout(
        template="plotly_white", margin={"t": 30, "l": 70, "r": 30, "b": 60}, height=420
    )


def _figure_html(fig: go.Figure, div_id: str) -> str:
    return fig.to_html(
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


def csv_name(page: Page, chart_number: int) -> str:
    """The CSV download of a page's chart (numbered from 1), in the site's ``data`` folder."""
    return f"{page.slug}-{chart_number}.csv"


def render_page(page: Page, pages: list[Page], generated: str) -> str:
    parts = [
        f"<h1>{esc(page.title)}</h1>",
        f'<p class="note">{esc(page.question)}</p>',
        _headline(page.headline),
    ]
    for i, chart in enumerate(page.charts, start=1):
        parts += [
            f'<section id="chart-{i}"><h2>{esc(chart.finding)}</h2>',
            f'<div class="chart">{_figure_html(chart.figure, f"{page.slug}-chart-{i}")}</div>',
            f'<p class="note">{esc(chart.note)}</p>' if chart.note else "",
            f"<details><summary>The numbers behind this chart "
            f'(<a href="data/{csv_name(page, i)}" download>download CSV</a>)</summary>'
            f"{chart.table.html()}</details></section>",
        ]
    parts.append(
        f'<p class="note">Groups of fewer than {MIN_GROUP} people are shown as "&lt;{MIN_GROUP}" '
        f"and left out of charts. Generated {esc(generated)}.</p>"
    )
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


def render_site(
    pages: list[Page], headline: list[tuple[str, str]], generated: str
) -> dict[str, str]:
    """Every file of the site but plotly.min.js: relative path → text (the index, each page and
    ``data/<page>-<n>.csv`` for each chart)."""
    files = {"index.html": render_index(pages, headline, generated)}
    for page in pages:
        files[page.file_name] = render_page(page, pages, generated)
        for i, chart in enumerate(page.charts, start=1):
            files[f"data/{csv_name(page, i)}"] = chart.table.csv()
    return files
