"""Goal mismatch: the candidate's career goal against what the role offers, and which way it ran."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import plotly.graph_objects as go
import polars as pl

from pipelines.reports.charts import OKABE_ITO, axis, figure, label, shown
from pipelines.reports.context import ReportContext
from pipelines.reports.findings import most_common
from pipelines.reports.html import Chart, Page, Table
from pipelines.reports.population import tidy
from pipelines.reports.privacy import count_text
from pipelines.reports.suppression import ALL, Cube, Dim, View

GOALS = ("rapid_advancement", "steady_growth", "stay_in_role", "undecided", "not recorded")
OUTLOOKS = ("limited", "moderate", "strong", "not recorded")
DIRECTIONS = (
    "ambitious for a limited role",
    "settled in a growth role",
    "stated in the notes only",
    "other",
)


@dataclass(frozen=True)
class GoalMismatchData:
    mismatch: pl.DataFrame  # report_goal_mismatch


def data(con: duckdb.DuckDBPyConnection) -> GoalMismatchData:
    return GoalMismatchData(mismatch=con.sql("select * from report_goal_mismatch").pl())


def build(data: GoalMismatchData, ctx: ReportContext) -> Page:
    df = data.mismatch
    long = (
        df.with_columns(
            (
                pl.col("goal_mismatch")
                - pl.col("ambitious_for_limited_role")
                - pl.col("settled_for_growth_role")
                - pl.col("stated_in_notes")
            ).alias("other")
        )
        .unpivot(
            index=["career_goal", "advancement_outlook"],
            on=[
                "ambitious_for_limited_role",
                "settled_for_growth_role",
                "stated_in_notes",
                "other",
            ],
            variable_name="direction",
            value_name="n",
        )
        .with_columns(
            pl.col("direction").replace_strict(
                {
                    "ambitious_for_limited_role": DIRECTIONS[0],
                    "settled_for_growth_role": DIRECTIONS[1],
                    "stated_in_notes": DIRECTIONS[2],
                    "other": DIRECTIONS[3],
                },
                return_dtype=pl.String,
            )
        )
    )
    cube = Cube(
        "goal-mismatch rejections",
        [
            Dim("career_goal", GOALS),
            Dim("advancement_outlook", OUTLOOKS),
            Dim("direction", DIRECTIONS),
        ],
        long,
        [View({"direction": [ALL]}), View({"career_goal": [ALL], "advancement_outlook": [ALL]})],
        pinned=[{}],  # the post-interview rejections for goal mismatch (population.py)
    )
    # by published values: leaving out the true zeros would tell which hidden ones are zero
    goals = [g for g in GOALS if cube.value(career_goal=g) != 0]
    outs = [o for o in OUTLOOKS if cube.value(advancement_outlook=o) != 0]
    z = [[cube.value(career_goal=g, advancement_outlook=o) for o in outs] for g in goals]
    text = [[count_text(x) for x in row] for row in z]
    fig1 = go.Figure(
        go.Heatmap(
            z=z,
            x=[label(o) for o in outs],
            y=[label(g) for g in goals],
            text=text,
            texttemplate="%{text}",
            hovertemplate="goal %{y}, role outlook %{x}: %{text}<extra></extra>",
            colorscale="Cividis",
            colorbar={"title": {"text": "goal mismatch"}},
        )
    )
    axis(fig1, "what the role offers (advancement outlook)", "candidate's career goal")
    total = cube.value()
    dirs = {d: cube.value(direction=d) for d in DIRECTIONS}
    f = most_common(list(dirs.items()), total, "direction of goal mismatch")
    order = sorted(DIRECTIONS, key=lambda d: -(dirs[d] if dirs[d] is not None else -1))
    fig2 = figure(
        [
            {
                "type": "bar",
                "y": order[::-1],
                "x": [dirs[d] for d in order][::-1],
                "orientation": "h",
                "marker": {"color": OKABE_ITO["orange"]},
                "hovertemplate": "%{y}: %{x:,}<extra></extra>",
            }
        ]
    )
    axis(fig2, "goal-mismatch rejections", "which way the mismatch ran (sorted)")
    t1 = Table(
        ["career goal", *OUTLOOKS, "total"],
        [
            [
                g,
                *[shown(cube.value(career_goal=g, advancement_outlook=o)) for o in OUTLOOKS],
                shown(cube.value(career_goal=g)),
            ]
            for g in [*GOALS, ALL]
        ],
    )
    t2 = Table(["direction", "goal-mismatch rejections"], [[d, shown(dirs[d])] for d in order])
    return Page(
        "goal_mismatch",
        "Goal mismatch",
        "Where did the candidate's career goals not fit what the role offers, and which way did it run?",
        f.text + ".",
        [
            Chart(
                f"Goal-mismatch rejections by career goal and role outlook ({count_text(total)} in all)",
                fig1,
                t1,
                name="goal mismatch by goal and outlook",
            ),
            Chart(f, fig2, t2, name="goal mismatch by direction"),
        ],
        [("goal-mismatch rejections", count_text(total))],
        tidy=tidy(cube),
        findings=[f],
        figures={"post-interview rejections: goal_mismatch": total},
    )
