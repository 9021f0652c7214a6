"""Overview: what to change, the funnel with pass-through rates, the post-interview cohort within
all rejections, and the reason mix. Every number is a cell of the shared cubes (population.py),
so it is the same number, with the same suppression, as on the other pages."""

from __future__ import annotations

from typing import Any

import duckdb
import plotly.graph_objects as go
import polars as pl

from pipelines.reports.charts import (
    GREY,
    OKABE_ITO,
    axis,
    label,
    pct_cell,
    reason_colours,
    shown,
    words,
)
from pipelines.reports.context import ReportContext
from pipelines.reports.findings import Finding, most_common, share_over
from pipelines.reports.html import Chart, Page, Table
from pipelines.reports.population import REACHED, STAGES, tidy
from pipelines.reports.privacy import SUPPRESSED, count_text, rate
from pipelines.reports.suppression import ALL

UNFILTERED = {"month": ALL, "job_family": ALL, "seniority": ALL, "region": ALL}


def data(con: duckdb.DuckDBPyConnection) -> None:
    """Everything this page shows is in the shared population cubes."""
    return None


def build(data: Any, ctx: ReportContext) -> Page:
    pop, reasons = ctx.population, ctx.reasons
    a, c = pop.applications, pop.cohort

    # Funnel: applications reaching each stage, and the pass-through from the previous one.
    groups = ["all", *[k for k in REACHED if k != "all"], "hired"]
    names = ["applied", *[k.removeprefix("reached ") for k in groups[1:-1]], "hired"]
    reached = [a.value(stage=g) for g in groups]
    through = [None] + [
        rate(reached[i], reached[i - 1])
        if reached[i] is not None and reached[i - 1] is not None
        else None
        for i in range(1, len(groups))
    ]
    fig1 = go.Figure(
        go.Bar(
            x=[label(n) for n in names],
            y=reached,
            text=["" if t is None else f"{t:.0%} pass" for t in through],
            textposition="outside",
            customdata=[count_text(n) for n in reached],
            hovertemplate="%{x}: %{customdata} applications reached this stage<extra></extra>",
            marker_color=OKABE_ITO["blue"],
        )
    )
    axis(fig1, "stage reached (in funnel order)", "applications that reached the stage")
    drops = [(t, names[i - 1], names[i]) for i, t in enumerate(through) if t is not None]
    worst = min(drops) if drops else None
    finding1 = Finding(
        f"The steepest step is from {words(worst[1])} to {words(worst[2])}: {worst[0]:.0%} pass"
        if worst
        else "Too few applications to show pass-through rates",
        False,
        "the smallest pass-through rate between consecutive stages (a description, not a test)",
    )
    exact = {s: a.value(stage=s) for s in STAGES}
    t1 = Table(
        [
            "stage",
            "applications that reached it",
            "pass-through from the previous stage (%)",
            "ended at this stage",
        ],
        [
            [n, shown(r), pct_cell(reached[i], reached[i - 1]) if i else None, shown(exact.get(s))]
            for i, (n, r, s) in enumerate(zip(names, reached, STAGES, strict=True))
        ],
    )

    # The cohort within all rejections.
    cohort, rejected = c.value(), a.value(outcome="rejected")
    other = rejected - cohort if cohort is not None and rejected is not None else None
    fig2 = go.Figure(
        go.Bar(
            y=["rejected after a successful interview", "all other rejections"],
            x=[cohort, other],
            orientation="h",
            customdata=[count_text(cohort), count_text(other)],
            hovertemplate="%{y}: %{customdata}<extra></extra>",
            marker_color=[OKABE_ITO["vermillion"], GREY],
        )
    )
    axis(fig2, "rejected applications", "")
    finding2 = share_over(
        cohort,
        rejected,
        "rejected applications",
        "had interviewed well (every last-round vote a yes)",
    )
    t2 = Table(
        ["rejection", "applications", "share of all rejections (%)"],
        [
            ["rejected after a successful interview", shown(cohort), pct_cell(cohort, rejected)],
            ["all other rejections", shown(other), pct_cell(other, rejected)],
            ["all rejections", shown(rejected), 100.0 if rejected else None],
        ],
    )

    # Reason mix, sorted by size.
    counts = {r: c.value(reason=r) for r in reasons}
    order = sorted(reasons, key=lambda r: -(counts[r] if counts[r] is not None else -1))
    colours = reason_colours(reasons)
    fig3 = go.Figure(
        go.Bar(
            y=[label(r) for r in order][::-1],
            x=[counts[r] for r in order][::-1],
            orientation="h",
            customdata=[
                [
                    count_text(counts[r]),
                    "" if (p := pct_cell(counts[r], cohort)) == SUPPRESSED else f"{p}%",
                ]
                for r in order
            ][::-1],
            hovertemplate="%{y}: %{customdata[0]} (%{customdata[1]})<extra></extra>",
            marker_color=[colours[r] for r in order][::-1],
        )
    )
    axis(fig3, "post-interview rejections", "reason (sorted by count)")
    finding3 = (
        most_common([(words(r), counts[r]) for r in reasons], cohort, "reason")
        if cohort
        else Finding("No post-interview rejections in the data", False, "none")
    )
    t3 = Table(
        ["reason", "post-interview rejections", "share (%)"],
        [[r, shown(counts[r]), pct_cell(counts[r], cohort)] for r in order],
    )
    unknown = counts.get("unknown")
    return Page(
        "overview",
        "Overview",
        "Where do candidates who interviewed well fall out of the funnel, why, and what should change?",
        f"{count_text(cohort)} post-interview rejections ({finding2.text.split(' of the ')[0]} of "
        f"rejections), {pop.period_text}.",
        [
            Chart(
                finding1,
                fig1,
                t1,
                "An application counts at every stage up to the one it reached; 'ended at this "
                "stage' is how many went no further.",
                name="funnel applications reaching each stage",
            ),
            Chart(finding2, fig2, t2, name="post-interview rejections within all rejections"),
            Chart(finding3, fig3, t3, name="post-interview rejections by reason"),
        ],
        [
            ("period covered", pop.period_text),
            ("applications", count_text(a.value())),
            ("hires", count_text(a.value(outcome="hired"))),
            ("rejected after a successful interview", count_text(cohort)),
            ("of those, reason unknown", count_text(unknown)),
        ],
        tidy=pl.concat([tidy(c, **UNFILTERED), tidy(a, **UNFILTERED)], how="diagonal_relaxed"),
        findings=[finding2, finding3],
        figures={
            "post-interview rejections": cohort,
            "applications": a.value(),
            **{f"post-interview rejections: {r}": counts[r] for r in reasons},
        },
    )
