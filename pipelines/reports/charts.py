"""Chart helpers shared by the report pages: no database and no I/O.

Every number drawn comes from a protected cube cell (``suppression.Cube.value``: None when
suppressed). Stacked bars draw a grey "suppressed" segment for the hidden part of a bar whenever
the bar's total is shown, so heights stay right and no segment silently disappears; a rate is a
bar with its 95 % Wilson interval and its denominator in the hover and the table. Colours are
the Okabe–Ito palette (safe for the common kinds of colour blindness).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from pipelines.reports.html import Table, drawn
from pipelines.reports.privacy import SUPPRESSED, plot_text, rate, wilson_interval

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "orange": "#E69F00",
    "green": "#009E73",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
GREY = "#999999"
SUPPRESSED_COLOUR = "#DDDDDD"
SUPPRESSED_NAME = "suppressed"
REASON_PALETTE = (
    OKABE_ITO["blue"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["orange"],
    OKABE_ITO["green"],
    GREY,
    OKABE_ITO["purple"],
    OKABE_ITO["sky"],
    OKABE_ITO["yellow"],
    OKABE_ITO["black"],
)
FCRA_DAYS = 30


def reason_colours(reasons: Sequence[str]) -> dict[str, str]:
    return {r: REASON_PALETTE[i % len(REASON_PALETTE)] for i, r in enumerate(reasons)}


def label(s: object) -> str:
    """A label as Plotly shows it (axis, legend, hover): underscores as spaces, escaped."""
    return plot_text(str(s).replace("_", " "))


def words(s: object) -> str:
    return str(s).replace("_", " ")


def shown(n: int | None) -> object:
    """A count for a table cell: the number, or SUPPRESSED."""
    return SUPPRESSED if n is None else n


def pct_cell(num: int | None, den: int | None) -> object:
    """A rate for a table cell, as a number of percent (one decimal), or SUPPRESSED."""
    if num is None or den is None:
        return SUPPRESSED
    r = rate(num, den)
    return SUPPRESSED if r is None else round(r * 100, 1)


def ci_cells(num: int | None, den: int | None) -> list[object]:
    if num is None or den is None or rate(num, den) is None:
        return [SUPPRESSED, SUPPRESSED]
    lo, hi = wilson_interval(num, den)
    return [round(lo * 100, 1), round(hi * 100, 1)]


def axis(fig: go.Figure, x: str, y: str) -> go.Figure:
    fig.update_xaxes(title_text=plot_text(x))
    fig.update_yaxes(title_text=plot_text(y), rangemode="tozero")  # counts and rates: never below 0
    return fig


def stacked(
    xs: Sequence[str],
    segments: Sequence[tuple[str, str, Sequence[int | None]]],
    totals: Sequence[int | None],
    horizontal: bool = False,
) -> list[dict[str, Any]]:
    """Traces of a stacked bar chart, one bar per x: ``segments`` (name, colour, published counts
    per x) and the published total per x. The hidden part of a bar (total minus the shown
    segments) is one grey, hatched "suppressed" segment when the total is shown; a bar whose
    total is suppressed is not drawn. The hidden part is the sum of two or more suppressed cells
    (suppression.py never leaves one alone in a sum), so it reveals no single one."""
    hidden: list[int | None] = []
    for i, total in enumerate(totals):
        if total is None:
            hidden.append(None)
            continue
        known = sum(seg[2][i] or 0 for seg in segments)
        hidden.append(total - known if any(seg[2][i] is None for seg in segments) else 0)
    x = [label(v) for v in xs]
    traces = []
    for name, colour, ys in [*segments, (SUPPRESSED_NAME, SUPPRESSED_COLOUR, hidden)]:
        vals = [None if t is None else y for y, t in zip(ys, totals, strict=True)]
        if name == SUPPRESSED_NAME and not any(vals):
            vals = [None] * len(vals)
        value_axis = "x" if horizontal else "y"
        trace: dict[str, Any] = {
            "type": "bar",
            "name": label(name),
            "marker": {
                "color": colour,
                "pattern": {"shape": "/" if name == SUPPRESSED_NAME else ""},
            },
            "hovertemplate": "%{"
            + ("y" if horizontal else "x")
            + "}: %{"
            + value_axis
            + ":,}<extra>"
            + label(name)
            + "</extra>",
            ("y" if horizontal else "x"): x,
            value_axis: vals,
        }
        if horizontal:
            trace["orientation"] = "h"
        traces.append(trace)
    return traces


def figure(traces: Sequence[dict[str, Any]], **layout: Any) -> go.Figure:
    """A figure of bar traces (and of scatter traces, those with ``"type": "scatter"``)."""
    fig = go.Figure(
        [
            go.Scatter({k: v for k, v in t.items() if k != "type"})
            if t.get("type") == "scatter"
            else go.Bar(t)
            for t in traces
        ]
    )
    fig.update_layout(**layout)
    return fig


def rate_bar(
    names: Sequence[str],
    nums: Sequence[int | None],
    dens: Sequence[int | None],
    name: str,
    colour: str,
    denominator: str,
) -> dict[str, Any]:
    """One bar per group: the rate in %, its 95 % Wilson interval, and "x of n" (the
    denominator named in the hover). A rate that may not be shown has no bar and the word
    "suppressed" at its foot, so an empty slot never reads as zero."""
    ys, lo, hi, custom, text, hover = [], [], [], [], [], []
    for s, n in zip(nums, dens, strict=True):
        r = rate(s, n) if s is not None and n is not None else None
        if r is None:
            ys.append(0)
            lo.append(0)
            hi.append(0)
            custom.append(SUPPRESSED if n is None else f"{SUPPRESSED} (of {n:,})")
            text.append(SUPPRESSED)
            hover.append("rate suppressed" + ("" if n is None else f" (of {n:,} {denominator})"))
        else:
            a, b = wilson_interval(s, n)  # type: ignore[arg-type]
            ys.append(round(r * 100, 1))
            lo.append(round((r - a) * 100, 1))
            hi.append(round((b - r) * 100, 1))
            custom.append(f"{s:,} of {n:,}")
            text.append("")
            hover.append(f"{r * 100:.1f}% ({s:,} of {n:,} {denominator})")
    return {
        "type": "bar",
        "x": [label(n) for n in names],
        "y": ys,
        "name": plot_text(name),
        "marker": {"color": colour},
        "error_y": {"type": "data", "symmetric": False, "array": hi, "arrayminus": lo},
        "customdata": custom,
        "text": text,
        "hovertext": [plot_text(h) for h in hover],
        "textposition": "outside",
        "textangle": -90,
        "textfont": {"color": "#555"},
        "cliponaxis": False,
        "hovertemplate": "%{x}: %{hovertext}<extra>" + plot_text(name) + "</extra>",
    }


def rate_table(
    dim_label: str,
    names: Sequence[str],
    nums: Sequence[int | None],
    dens: Sequence[int | None],
    num_label: str,
    den_label: str,
) -> Table:
    return Table(
        [dim_label, den_label, num_label, "rate (%)", "95% CI low (%)", "95% CI high (%)"],
        [
            [n, shown(d), shown(s), pct_cell(s, d), *ci_cells(s, d)]
            for n, s, d in zip(names, nums, dens, strict=True)
        ],
    )


def variant_of(
    traces: Sequence[dict[str, Any]], finding: str, *, computed: bool = True
) -> dict[str, Any]:
    """What a filter changes in a chart: each trace's arrays, the title (capitalised as
    ``Chart.title`` is) and whether the "nothing drawn" note shows (not for a chart that is not
    computed under the filter: its title says so)."""
    keep = ("x", "y", "customdata", "error_y", "text", "hovertext")
    return {
        "traces": [{k: t[k] for k in keep if k in t} for t in traces],
        "title": finding[:1].upper() + finding[1:],
        "empty": computed and not any(drawn(t) for t in traces),
    }
