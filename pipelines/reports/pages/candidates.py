"""Candidates' side: where candidates withdraw or decline an offer, by the stage their
application ended at. The same applications cube as the Overview funnel (population.py).

The rate at which candidates walk away at a stage is per application that *reached* it, not per
application that ended there: everyone who accepts an offer moves on to the next stage, so per
application ended at the offer stage, declining is near half by construction."""

from __future__ import annotations

from typing import Any

import duckdb

from pipelines.reports.charts import (
    GREY,
    OKABE_ITO,
    axis,
    figure,
    pct_cell,
    rate_bar,
    rate_table,
    shown,
    stacked,
    words,
)
from pipelines.reports.context import ReportContext
from pipelines.reports.findings import Group, highest_rate
from pipelines.reports.html import Chart, Page, Table
from pipelines.reports.population import OUTCOMES, STAGE_GROUP, STAGES, tidy
from pipelines.reports.privacy import count_text
from pipelines.reports.suppression import ALL

COLOURS = (OKABE_ITO["green"], GREY, OKABE_ITO["orange"], OKABE_ITO["purple"], OKABE_ITO["sky"])
# The funnel's label for everyone who reached a stage (the applications cube's stage groups).
REACH = {"applied": ALL, "screen": "reached screen", **STAGE_GROUP}


def data(con: duckdb.DuckDBPyConnection) -> None:
    """Everything this page shows is in the shared population cubes."""
    return None


def build(data: Any, ctx: ReportContext) -> Page:
    a = ctx.population.applications
    stages = [s for s in STAGES if s != "hired"]
    # (an application that ended before the hired stage was not hired: no such segment)
    segs = [
        (o, c, [a.value(stage=s, outcome=o) for s in stages])
        for o, c in zip(OUTCOMES, COLOURS, strict=True)
        if o != "hired"
    ]
    ended = [a.value(stage=s) for s in stages]
    fig1 = figure(stacked([words(s) for s in stages], segs, ended), barmode="stack")
    axis(fig1, "stage the application ended at (funnel order)", "applications")
    left = [
        None if w is None or d is None else w + d
        for w, d in zip(
            [a.value(stage=s, outcome="withdrawn") for s in stages],
            [a.value(stage=s, outcome="offer_declined") for s in stages],
            strict=True,
        )
    ]
    reached = [a.value(stage=REACH[s]) for s in stages]
    fig2 = figure(
        [
            rate_bar(
                [words(s) for s in stages],
                left,
                reached,
                "candidate withdrew or declined",
                OKABE_ITO["orange"],
                "applications that reached the stage",
            )
        ]
    )
    fig2.update_xaxes(type="category")
    axis(fig2, "stage", "withdrew or declined, per application that reached the stage (%)")
    f2 = highest_rate(
        [Group(words(s), n, d) for s, n, d in zip(stages, left, reached, strict=True)],
        "rate at which candidates walk away",
        "stage",
        action="Find out why candidates walk away at the {name} stage (exit survey, time to next step): they leave there clearly more often than at other stages",
    )
    declined, offers = a.value(outcome="offer_declined"), a.value(stage="reached offer")
    t1 = Table(
        ["stage ended at", *(seg[0] for seg in segs), "total"],
        [
            [words(s), *[shown(seg[2][i]) for seg in segs], shown(ended[i])]
            for i, s in enumerate(stages)
        ],
    )
    t2 = rate_table(
        "stage",
        [words(s) for s in stages],
        left,
        reached,
        "withdrew or declined",
        "applications that reached the stage",
    )
    return Page(
        "candidates",
        "Candidates",
        "Where do candidates walk away: withdrawing, or declining an offer?",
        f2.text + ".",
        [
            Chart(
                f"Outcome by the stage each application ended at ({count_text(a.value(outcome='withdrawn'))} withdrawn, {count_text(declined)} offers declined)",
                fig1,
                t1,
                name="outcomes by stage ended at",
            ),
            Chart(
                f2,
                fig2,
                t2,
                "Per application that reached the stage (applied: every application); one "
                "withdrawn later counts at the stage it ended at. Offers declined per "
                f"application that reached the offer stage: {pct_cell(declined, offers)} %.",
                name="withdrawn or declined by stage",
            ),
        ],
        [
            ("offers declined", count_text(declined)),
            ("applications that reached an offer", count_text(offers)),
            ("withdrawn", count_text(a.value(outcome="withdrawn"))),
        ],
        tidy=tidy(a, month=ALL, job_family=ALL, seniority=ALL, region=ALL),
        findings=[f2],
        figures={"applications": a.value()},
    )
