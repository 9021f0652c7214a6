"""Competition: how much stronger the hire was, in experience and education, where another
candidate was stronger. Counts *competition cases with the hire's record*: post-interview
rejections put down to competition whose job has a hire in the data (a few competition cases,
decided from the note alone, have none, so this is at most the Overview's competition count)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.reports.charts import OKABE_ITO, axis, figure, shown
from pipelines.reports.context import ReportContext
from pipelines.reports.findings import share_over
from pipelines.reports.html import Chart, Page, Table
from pipelines.reports.population import tidy
from pipelines.reports.privacy import count_text
from pipelines.reports.suppression import ALL, Cube, Dim, View

YEARS = tuple(str(y) for y in range(-5, 16))
UNIT = "competition cases with the hire's record"


@dataclass(frozen=True)
class CompetitionData:
    gaps: pl.DataFrame  # report_competition_gaps


def data(con: duckdb.DuckDBPyConnection) -> CompetitionData:
    return CompetitionData(gaps=con.sql("select * from report_competition_gaps").pl())


def build(data: CompetitionData, ctx: ReportContext) -> Page:
    df = data.gaps.with_columns(
        pl.col("experience_gap_years").cast(pl.String).fill_null("not recorded"),
        pl.col("education_gap_levels").cast(pl.String).fill_null("not recorded"),
    )
    exp_leaves = (*YEARS, "not recorded")
    exp = Dim(
        "experience_gap_years",
        exp_leaves,
        {
            "2 or more years": tuple(y for y in YEARS if int(y) >= 2),
            "under 2 years": tuple(y for y in YEARS if int(y) < 2),
            ALL: ("2 or more years", "under 2 years", "not recorded"),
        },
    )
    levels = tuple(str(x) for x in range(-6, 7))
    edu = Dim(
        "education_gap_levels",
        (*levels, "not recorded"),
        {
            "higher": tuple(x for x in levels if int(x) > 0),
            "same or lower": tuple(x for x in levels if int(x) <= 0),
            ALL: ("higher", "same or lower", "not recorded"),
        },
    )
    cube = Cube(
        UNIT,
        [exp, edu],
        df,
        [View({"education_gap_levels": [ALL]}), View({"experience_gap_years": [ALL]})],
    )
    total = cube.value()
    ys = [cube.value(experience_gap_years=y) for y in YEARS]
    fig1 = figure(
        [
            {
                "type": "bar",
                "x": [int(y) for y in YEARS],
                "y": ys,
                "marker": {"color": OKABE_ITO["blue"]},
                "hovertemplate": "hire had %{x} more years: %{y:,}<extra></extra>",
            }
        ]
    )
    fig1.add_vline(x=1.5, line_dash="dot", annotation_text="2+ years")
    axis(fig1, "years more experience the hire had (capped at -5 and 15)", UNIT)
    f1 = share_over(
        cube.value(experience_gap_years="2 or more years"),
        total,
        UNIT,
        "lost to a hire with 2 or more years more experience",
    )
    t1 = Table(
        ["experience gap (years)", UNIT],
        [[y, shown(cube.value(experience_gap_years=y))] for y in exp.labels],
    )
    # by published values: leaving out the true zeros would tell which hidden levels are zero
    es = [x for x in levels if cube.value(education_gap_levels=x) != 0]
    fig2 = figure(
        [
            {
                "type": "bar",
                "x": [int(x) for x in es],
                "y": [cube.value(education_gap_levels=x) for x in es],
                "marker": {"color": OKABE_ITO["orange"]},
                "hovertemplate": "%{x} levels: %{y:,}<extra></extra>",
            }
        ]
    )
    axis(fig2, "education levels the hire had above the candidate", UNIT)
    f2 = share_over(
        cube.value(education_gap_levels="higher"),
        total,
        UNIT,
        "lost to a hire with a higher level of education",
    )
    t2 = Table(
        ["education gap (levels)", UNIT],
        [[x, shown(cube.value(education_gap_levels=x))] for x in edu.labels],
    )
    return Page(
        "competition",
        "Competition",
        "When another candidate was stronger, how much stronger was the hire? (For career advisers: the experience and education gaps.)",
        f1.text + ".",
        [
            Chart(
                f1,
                fig1,
                t1,
                "Read this as the size of the gap, not as proof that experience decided: the "
                "reason rules take a hire with 2 or more years more experience (or a higher "
                "education level) as evidence of competition (rules/reasons_v1.toml, "
                "competition_min_experience_gap), so part of this share restates how cases were "
                "assigned.",
                name="experience gap to the hire",
            ),
            Chart(f2, fig2, t2, name="education gap to the hire"),
        ],
        [(UNIT, count_text(total))],
        tidy=tidy(cube),
        findings=[f1, f2],
    )
