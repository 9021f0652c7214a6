"""Overview: the funnel, the post-interview cohort within all rejections, and the reason mix."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import plotly.graph_objects as go
import polars as pl

from pipelines.reports.charts import axis, label, pct, reason_colours, share
from pipelines.reports.context import ReportContext
from pipelines.reports.html import Chart, Page, Table
from pipelines.reports.privacy import count_text, count_value, rate, rate_text


@dataclass(frozen=True)
class OverviewData:
    headline: pl.DataFrame  # report_headline: one row
    funnel: pl.DataFrame  # report_funnel
    reason_mix: pl.DataFrame  # report_reason_mix


def data(con: duckdb.DuckDBPyConnection) -> OverviewData:
    return OverviewData(
        headline=con.sql("select * from report_headline").pl(),
        funnel=con.sql("select * from report_funnel").pl(),
        reason_mix=con.sql("select * from report_reason_mix").pl(),
    )


def build(data: OverviewData, ctx: ReportContext) -> Page:
    reasons = ctx.reasons
    colours = reason_colours(reasons)
    h = data.headline.row(0, named=True)
    funnel = data.funnel.sort("stage_order")
    mix = data.reason_mix.group_by("reason").agg(pl.col("n").sum())
    counts = {r["reason"]: r["n"] for r in mix.iter_rows(named=True)}
    cohort = h["post_interview_rejections"]

    # Funnel with pass-through rates.
    stages, apps = funnel["stage"].to_list(), funnel["applications"].to_list()
    through = [None] + [rate(apps[i], apps[i - 1]) for i in range(1, len(apps))]
    drops = [
        (through[i], stages[i - 1], stages[i])
        for i in range(1, len(stages))
        if through[i] is not None
    ]
    worst = min(drops) if drops else None
    fig = go.Figure(
        go.Bar(
            x=[label(s) for s in stages],
            y=[count_value(a) for a in apps],
            customdata=[[count_text(a), pct(t)] for a, t in zip(apps, through, strict=True)],
            hovertemplate="%{x}: %{customdata[0]} applications<br>pass-through %{customdata[1]}<extra></extra>",
            text=[pct(t) if t is not None else "" for t in through],
            textposition="outside",
            marker_color="#486581",
        )
    )
    axis(fig, "stage reached", "applications")
    finding1 = (
        f"The steepest drop is from {worst[1].replace('_', ' ')} to {worst[2].replace('_', ' ')}: "
        f"only {worst[0]:.0%} pass"
        if worst
        else "Too few applications to show pass-through rates"
    )
    funnel_table = Table(
        ["stage", "applications", "pass-through from previous stage"],
        [
            [s, count_text(a), pct(t) if i else ""]
            for i, (s, a, t) in enumerate(zip(stages, apps, through, strict=True))
        ],
    )

    # The cohort within all rejections.
    other_rej = h["rejections"] - cohort
    cohort_share = rate(cohort, h["rejections"])
    fig2 = go.Figure(
        go.Bar(
            x=["after a successful interview", "all other rejections"],
            y=[count_value(cohort), count_value(other_rej)],
            customdata=[count_text(cohort), count_text(other_rej)],
            hovertemplate="%{x}: %{customdata}<extra></extra>",
            marker_color=["#dc3912", "#9fb3c8"],
        )
    )
    axis(fig2, "rejection", "applications")
    finding2 = share(
        cohort,
        h["rejections"],
        f"{{share}} of rejected applicants had interviewed well ({count_text(cohort)} of "
        f"{count_text(h['rejections'])})",
        "Rejections after a successful interview (too few to state a share)",
    )

    # Reason mix.
    total = sum(counts.values())
    ranked = sorted(((counts.get(r, 0), r) for r in reasons), reverse=True)
    fig3 = go.Figure(
        go.Bar(
            x=[label(r) for r in reasons],
            y=[count_value(counts.get(r, 0)) for r in reasons],
            customdata=[
                [count_text(counts.get(r, 0)), rate_text(counts.get(r, 0), total)] for r in reasons
            ],
            hovertemplate="%{x}: %{customdata[0]} (%{customdata[1]})<extra></extra>",
            marker_color=[colours[r] for r in reasons],
        )
    )
    axis(fig3, "reason", "post-interview rejections")
    top, second = ranked[0], ranked[1]
    finding3 = (
        f"{top[1].replace('_', ' ').capitalize()} is the most common reason ({rate_text(top[0], total)}), "
        f"then {second[1].replace('_', ' ')} ({rate_text(second[0], total)})"
        if total
        else "No post-interview rejections in the data"
    )
    period = f"{h['first_application']} to {h['last_decision']}"
    return Page(
        "overview",
        "Overview",
        "Where do candidates who interviewed well fall out of the funnel, and why?",
        f"{count_text(cohort)} post-interview rejections ({pct(cohort_share)} of rejections), {period}.",
        [
            Chart(
                finding1,
                fig,
                funnel_table,
                "Each application counts at every stage up to the one it reached.",
            ),
            Chart(
                finding2,
                fig2,
                Table(
                    ["rejection", "applications"],
                    [
                        ["after a successful interview", count_text(cohort)],
                        ["all other rejections", count_text(other_rej)],
                    ],
                ),
            ),
            Chart(
                finding3,
                fig3,
                Table(
                    ["reason", "post-interview rejections", "share"],
                    [
                        [r, count_text(counts.get(r, 0)), rate_text(counts.get(r, 0), total)]
                        for r in reasons
                    ],
                ),
            ),
        ],
        [
            ("period covered", period),
            ("applications", count_text(h["applications"])),
            ("hires", count_text(h["hires"])),
            ("rejected after a successful interview", count_text(cohort)),
            ("reason unknown", rate_text(h["unknown_reason"], cohort)),
        ],
    )
