"""Competition: how much stronger the hire was, in experience and education, where another
candidate was stronger.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

import duckdb
import plotly.graph_objects as go
import polars as pl

from pipelines.reports.charts import axis, count_bar, share
from pipelines.reports.context import ReportContext
from pipelines.reports.html import Chart, Page, Table
from pipelines.reports.privacy import count_text, is_small, rate_text


@dataclass(frozen=True)
class CompetitionData:
    gaps: pl.DataFrame  # report_competition_gaps


def data(con: duckdb.DuckDBPyConnection) -> CompetitionData:
    return CompetitionData(gaps=con.sql("select * from report_competition_gaps").pl())


def build(data: CompetitionData, ctx: ReportContext) -> Page:
    df = data.gaps
    exp = df.group_by("experience_gap_years").agg(pl.col("n").sum()).sort("experience_gap_years")
    total = int(df["n"].sum() or 0)
    fig1 = go.Figure(
        count_bar(
            exp["experience_gap_years"].to_list(),
            exp["n"],
            "hire had %{x} more years: %{customdata}",
            "#3366cc",
        )
    )
    axis(fig1, "years more experience the hire had (capped at -5 and 15)", "competition cases")
    expanded = [
        g
        for g, n in zip(exp["experience_gap_years"], exp["n"], strict=True)
        for _ in range(int(n))
        if g is not None
    ]
    median = statistics.median(expanded) if expanded else None
    two_plus = sum(
        n
        for g, n in zip(exp["experience_gap_years"], exp["n"], strict=True)
        if g is not None and g >= 2
    )
    finding1 = (
        f"In competition cases the hire had a median of {median:g} more years of experience; "
        f"{rate_text(two_plus, total)} had 2 or more"
        if median is not None and not is_small(total)
        else "Experience gap to the hire (too few competition cases to summarise)"
    )
    edu = df.group_by("education_gap_levels").agg(pl.col("n").sum()).sort("education_gap_levels")
    fig2 = go.Figure(
        count_bar(
            edu["education_gap_levels"].to_list(), edu["n"], "%{x} levels: %{customdata}", "#ff9900"
        )
    )
    axis(fig2, "education levels the hire had above the candidate", "competition cases")
    higher = int(edu.filter(pl.col("education_gap_levels") > 0)["n"].sum() or 0)
    finding2 = share(
        higher,
        total,
        "The hire had a higher level of education in {share} of competition cases",
        "Education gap to the hire (too few competition cases to state a share)",
    )
    return Page(
        "competition",
        "Competition",
        "When another candidate was stronger, how much stronger was the hire? (For career advisers: the "
        "experience and education gaps.)",
        finding1 + ".",
        [
            Chart(
                finding1,
                fig1,
                Table(
                    ["experience gap (years)", "competition cases"],
                    [
                        [g, count_text(n)]
                        for g, n in zip(exp["experience_gap_years"], exp["n"], strict=True)
                    ],
                ),
            ),
            Chart(
                finding2,
                fig2,
                Table(
                    ["education gap (levels)", "competition cases"],
                    [
                        [g, count_text(n)]
                        for g, n in zip(edu["education_gap_levels"], edu["n"], strict=True)
                    ],
                ),
            ),
        ],
        [("competition cases", count_text(total))],
    )
