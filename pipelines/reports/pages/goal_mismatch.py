"""Goal mismatch: the candidate's career goal against what the role offers, and which way it ran."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import plotly.graph_objects as go
import polars as pl

from pipelines.reports.charts import axis, count_bar, label, share
from pipelines.reports.context import ReportContext
from pipelines.reports.html import Chart, Page, Table
from pipelines.reports.privacy import count_text, count_value, rate_text


@dataclass(frozen=True)
class GoalMismatchData:
    mismatch: pl.DataFrame  # report_goal_mismatch


def data(con: duckdb.DuckDBPyConnection) -> GoalMismatchData:
    return GoalMismatchData(mismatch=con.sql("select * from report_goal_mismatch").pl())


def build(data: GoalMismatchData, ctx: ReportContext) -> Page:
    df = data.mismatch
    goals = ["rapid_advancement", "steady_growth", "stay_in_role", "undecided", "not recorded"]
    outlooks = ["limited", "moderate", "strong", "not recorded"]
    goals = [g for g in goals if g in df["career_goal"].to_list()]
    outlooks = [o for o in outlooks if o in df["advancement_outlook"].to_list()]
    cell = {(r["career_goal"], r["advancement_outlook"]): r for r in df.iter_rows(named=True)}
    z, text = [], []
    for g in goals:
        zr, tr = [], []
        for o in outlooks:
            n = cell.get((g, o), {}).get("goal_mismatch", 0)
            zr.append(count_value(n))
            tr.append(count_text(n))
        z.append(zr)
        text.append(tr)
    fig1 = go.Figure(
        go.Heatmap(
            z=z,
            x=[label(o) for o in outlooks],
            y=[label(g) for g in goals],
            text=text,
            texttemplate="%{text}",
            customdata=text,
            hovertemplate="goal %{y}, role outlook %{x}: %{customdata}<extra></extra>",
            colorscale="Oranges",
            colorbar={"title": {"text": "goal mismatch"}},
        )
    )
    axis(fig1, "what the role offers (advancement outlook)", "candidate's career goal")
    amb = int(df["ambitious_for_limited_role"].sum() or 0)
    settled = int(df["settled_for_growth_role"].sum() or 0)
    stated = int(df["stated_in_notes"].sum() or 0)
    total = int(df["goal_mismatch"].sum() or 0)
    finding1 = share(
        amb,
        total,
        "{share} of goal mismatches are ambitious candidates in roles with limited progression",
        "Candidate goal against what the role offers (too few goal mismatches to state shares)",
    ) + share(settled, total, "; {share} run the other way", "")
    t1 = Table(
        ["career goal", "advancement outlook", "post-interview rejections", "goal mismatch"],
        [
            [
                g,
                o,
                count_text(cell.get((g, o), {}).get("rejections", 0)),
                count_text(cell.get((g, o), {}).get("goal_mismatch", 0)),
            ]
            for g in goals
            for o in outlooks
        ],
    )
    labels = [
        "ambitious for a limited role",
        "settled in a growth role",
        "stated in the notes only",
    ]
    values = [amb, settled, stated]
    fig2 = go.Figure(count_bar(labels, values, "%{x}: %{customdata}", "#ff9900"))
    axis(fig2, "which way the mismatch ran", "goal-mismatch rejections")
    way = max(zip(values, labels, strict=True))
    finding2 = (
        f"The largest group of goal mismatches: {way[1]} ({rate_text(way[0], total)})"
        if total
        else "No goal mismatches"
    )
    return Page(
        "goal_mismatch",
        "Goal mismatch",
        "Where did the candidate's career goals not fit what the role offers, and which way did it run?",
        finding1 + ".",
        [
            Chart(finding1, fig1, t1),
            Chart(
                finding2,
                fig2,
                Table(
                    ["direction", "goal-mismatch rejections"],
                    [[lbl, count_text(v)] for lbl, v in zip(labels, values, strict=True)],
                ),
            ),
        ],
        [("goal-mismatch rejections", count_text(total))],
    )
