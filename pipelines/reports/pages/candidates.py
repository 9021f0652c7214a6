"""Candidates' side: where candidates withdraw or decline an offer, by the stage their
application ended at. The same applications cube as the Overview funnel (population.py)."""

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
    shown,
    stacked,
    words,
)
from pipelines.reports.context import ReportContext
from pipelines.reports.findings import Group, highest_rate
from pipelines.reports.html import Chart, Page, Table
from pipelines.reports.population import OUTCOMES, STAGES, tidy
from pipelines.reports.privacy import count_text
from pipelines.reports.suppression import ALL

COLOURS = (OKABE_ITO["green"], GREY, OKABE_ITO["orange"], OKABE_ITO["purple"], OKABE_ITO["sky"])


def data(con: duckdb.DuckDBPyConnection) -> None:
    """Everything this page shows is in the shared population cubes."""
    return None


def build(data: Any, ctx: ReportContext) -> Page:
    a = ctx.population.applications
    stages = [s for s in STAGES if s != "hired"]
    segs = [
        (o, c, [a.value(stage=s, outcome=o) for s in stages])
        for o, c in zip(OUTCOMES, COLOURS, strict=True)
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
    fig2 = figure(
        [
            rate_bar(
                [words(s) for s in stages],
                left,
                ended,
                "candidate withdrew or declined",
                OKABE_ITO["orange"],
                "applications that ended at the stage",
            )
        ]
    )
    fig2.update_xaxes(type="category")
    axis(fig2, "stage the application ended at", "withdrew or declined an offer (%)")
    f2 = highest_rate(
        [Group(words(s), n, d) for s, n, d in zip(stages, left, ended, strict=True)],
        "rate at which candidates walk away",
        "stage",
        action="Find out why candidates walk away at the {name} stage (exit survey, time to next step): they leave there clearly more often than at other stages",
    )
    declined, offers = a.value(outcome="offer_declined"), a.value(stage="reached offer")
    t1 = Table(
        ["stage ended at", *OUTCOMES, "total", "withdrew or declined (%)"],
        [
            [
                words(s),
                *[shown(seg[2][i]) for seg in segs],
                shown(ended[i]),
                pct_cell(left[i], ended[i]),
            ]
            for i, s in enumerate(stages)
        ],
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
                t1,
                "Per application that ended at the stage. Offers declined are per application that reached the offer stage: "
                + str(pct_cell(declined, offers))
                + " %.",
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
