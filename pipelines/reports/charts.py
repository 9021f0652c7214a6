"""Chart and text helpers shared by the report pages: no database and no I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
import polars as pl

from pipelines.reports.html import Table
from pipelines.reports.privacy import (
    OTHER_GROUPS,
    SUPPRESSED,
    count_text,
    count_value,
    group_labels,
    plot_text,
    rate,
    rate_text,
    wilson_interval,
)

# Reason colours by position in the taxonomy; the first five are the colours the reports have
# always used, the rest are there so that a longer taxonomy still gets distinct colours.
REASON_PALETTE = (
    "#3366cc",
    "#dc3912",
    "#ff9900",
    "#109618",
    "#9e9e9e",
    "#990099",
    "#0099c6",
    "#dd4477",
    "#66aa00",
)
FCRA_DAYS = 30


def reason_colours(reasons: Sequence[str]) -> dict[str, str]:
    return {r: REASON_PALETTE[i % len(REASON_PALETTE)] for i, r in enumerate(reasons)}


def label(s: object) -> str:
    """A label as Plotly shows it (axis, legend, hover): underscores as spaces, escaped for
    Plotly. A label from data must already be one ``publish_groups`` gave."""
    return plot_text(str(s).replace("_", " "))


def publish_groups(
    df: pl.DataFrame, column: str, sizes: Mapping[object, int | float | None]
) -> pl.DataFrame:
    """``df`` with ``column``, a label from data, replaced by the label each group is published
    under (``privacy.group_labels``, from ``sizes``: people per group): a small group, or one
    missing from ``sizes``, becomes OTHER_GROUPS. Aggregate by ``column`` afterwards."""
    mapping = {k: v for k, v in group_labels(sizes).items() if k is not None}
    return df.with_columns(
        pl.col(column).replace_strict(mapping, default=OTHER_GROUPS, return_dtype=pl.String)
    )


def sizes_of(df: pl.DataFrame, column: str, people: pl.Expr) -> dict[object, int]:
    """People per value of ``column``: ``people`` (e.g. ``pl.col("checks").sum()``) per group."""
    g = df.group_by(column).agg(people.alias("_people"))
    return dict(zip(g[column].to_list(), g["_people"].to_list(), strict=True))


def named_first(names: Sequence[str]) -> list[str]:
    """``names`` in their order, the OTHER_GROUPS bucket moved to the end."""
    return [n for n in names if n != OTHER_GROUPS] + [n for n in names if n == OTHER_GROUPS]


def pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.0%}"


def share(num: int, den: int, sentence: str, otherwise: str, digits: int = 0) -> str:
    """``sentence`` with its {share} filled in, or ``otherwise`` where the share may not be shown."""
    r = rate(num, den)
    return sentence.format(share=f"{r:.{digits}%}") if r is not None else otherwise


def ci_text(s: int, n: int) -> str:
    if rate(s, n) is None:
        return SUPPRESSED if n else ""
    a, b = wilson_interval(s, n)
    return f"{a:.0%}–{b:.0%}"


def axis(fig: go.Figure, x: str, y: str) -> go.Figure:
    fig.update_xaxes(title_text=plot_text(x))
    fig.update_yaxes(title_text=plot_text(y))
    return fig


def count_bar(x: list, counts: list, hover: str, colour: str | list[str]) -> go.Bar:
    """One bar per group: suppressed groups are gaps, and hover shows "<11" for them."""
    return go.Bar(
        x=x,
        y=[count_value(n) for n in counts],
        customdata=[count_text(n) for n in counts],
        hovertemplate=hover + "<extra></extra>",
        marker_color=colour,
    )


def rate_bars(
    names: list[str], succ: list[int], totals: list[int], name: str, colour: str
) -> go.Bar:
    """One bar per group: the rate in %, with its 95% Wilson interval; suppressed rates are gaps."""
    ys, lo, hi, custom = [], [], [], []
    for s, n in zip(succ, totals, strict=True):
        r = rate(s, n)
        if r is None:
            ys.append(None)
            lo.append(0)
            hi.append(0)
        else:
            a, b = wilson_interval(s, n)
            ys.append(r * 100)
            lo.append((r - a) * 100)
            hi.append((b - r) * 100)
        custom.append(f"{rate_text(s, n)} of {count_text(n)}")
    return go.Bar(
        x=[label(n) for n in names],
        y=ys,
        name=plot_text(name),
        marker_color=colour,
        error_y={"type": "data", "symmetric": False, "array": hi, "arrayminus": lo},
        customdata=custom,
        hovertemplate="%{x}: %{customdata}<extra>" + plot_text(name) + "</extra>",
    )


def stacked_reasons(
    df: pl.DataFrame,
    dim: str,
    dim_label: str,
    reasons: Sequence[str],
    order: list | None = None,
) -> tuple[go.Figure, Table]:
    """Counts of post-interview rejections by reason within each value of ``dim``."""
    g = df.group_by(dim, "reason").agg(pl.col("n").sum()).sort(dim)
    dims = order or sorted(g[dim].unique().to_list(), key=str)
    wide = {(r[dim], r["reason"]): r["n"] for r in g.iter_rows(named=True)}
    colours = reason_colours(reasons)
    fig = go.Figure()
    for reason in reasons:
        ys = [count_value(wide.get((d, reason), 0)) for d in dims]
        texts = [count_text(wide.get((d, reason), 0)) for d in dims]
        fig.add_bar(
            x=[label(d) for d in dims],
            y=ys,
            name=label(reason),
            marker_color=colours[reason],
            customdata=texts,
            hovertemplate="%{x}<br>" + label(reason) + ": %{customdata}<extra></extra>",
        )
    fig.update_layout(barmode="stack", legend_title_text="reason")
    axis(fig, dim_label, "post-interview rejections")
    rows = []
    for d in dims:
        total = sum(wide.get((d, r), 0) for r in reasons)
        rows.append(
            [str(d)] + [count_text(wide.get((d, r), 0)) for r in reasons] + [count_text(total)]
        )
    return fig, Table([dim_label, *reasons, "total"], rows)
