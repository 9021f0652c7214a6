"""Interviewers: how often each round's panel votes yes, by panel size, and how often a unanimous
yes in the last round still ends in rejection. No interviewer is named. Where the optional
``interviewers.interviewer_id`` column exists, the spread of interviewers' yes rates is shown
as a distribution (interviewers with 11 or more votes, counted in 10-point bands), never per
person."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.reports.charts import (
    GREY,
    OKABE_ITO,
    axis,
    figure,
    rate_bar,
    rate_table,
    shown,
    stacked,
)
from pipelines.reports.context import ReportContext
from pipelines.reports.findings import Group, highest_rate, ordered_trend
from pipelines.reports.html import Chart, Page, Table
from pipelines.reports.population import OUTCOMES, tidy
from pipelines.reports.privacy import MIN_GROUP, count_text
from pipelines.reports.suppression import ALL, Cube, Dim, View

VOTES = ("strong_yes", "yes", "no_decision", "no", "strong_no")
YES = ("strong_yes", "yes")


def round_label(r: str) -> str:
    """A round as report_interview_votes counts it: rounds 3 and later are together, '3+'."""
    return f"{r}+" if r == "3" else r


@dataclass(frozen=True)
class InterviewersData:
    votes: pl.DataFrame  # report_interview_votes
    spread: pl.DataFrame | None  # interviewers by yes-rate band, when interviewer_id exists


def data(con: duckdb.DuckDBPyConnection) -> InterviewersData:
    cols = {r[0] for r in con.sql("describe interviews").fetchall()}
    spread = None
    if "interviewer_id" in cols:
        spread = con.sql(
            f"""with per_interviewer as (
                    select least(floor(100.0 * count(*) filter (where recommendation in ('yes', 'strong_yes'))
                                       / count(*) / 10), 9)::integer as band
                    from interviews where interviewer_id is not null
                    group by interviewer_id having count(*) >= {MIN_GROUP})
                select band, count(*) as n from per_interviewer group by band"""
        ).pl()
        if spread.height == 0:
            spread = None  # the column exists (contract 1.1) but no export filled it in
    return InterviewersData(con.sql("select * from report_interview_votes").pl(), spread)


def build(data: InterviewersData, ctx: ReportContext) -> Page:
    v = data.votes.filter(pl.col("kind") == "vote").drop("kind").rename({"value": "vote"})
    rounds = tuple(sorted(v["round"].unique().to_list())) or ("1",)
    panels = tuple(sorted(v["panel"].unique().to_list())) or ("1",)
    vote = Dim(
        "vote",
        tuple(dict.fromkeys([*VOTES, *v["vote"].unique().to_list()])),
        {
            "yes or strong yes": YES,
            ALL: (
                "yes or strong yes",
                *[
                    x
                    for x in dict.fromkeys([*VOTES, *v["vote"].unique().to_list()])
                    if x not in YES
                ],
            ),
        },
    )
    cube = Cube(
        "interview recommendations",
        [Dim("round", rounds), Dim("panel", panels), vote],
        v,
        [View({})],
    )
    rnames = [f"round {round_label(r)}" for r in rounds]
    ryes = [cube.value(round=r, vote="yes or strong yes") for r in rounds]
    rtotal = [cube.value(round=r) for r in rounds]
    fig0 = figure(
        [rate_bar(rnames, ryes, rtotal, "yes votes", OKABE_ITO["blue"], "recommendations")]
    )
    fig0.update_xaxes(type="category")
    axis(fig0, "interview round", "recommendations that are yes or strong yes (%)")
    f0 = ordered_trend(
        [Group(n, y, t) for n, y, t in zip(rnames, ryes, rtotal, strict=True)],
        "the share of yes votes",
        "round",
    )
    t0 = rate_table("round", rnames, ryes, rtotal, "yes or strong yes", "recommendations")
    names, yes, total = [], [], []
    for r in rounds:
        for p in panels:
            names.append(f"round {round_label(r)}, panel of {p}")
            yes.append(cube.value(round=r, panel=p, vote="yes or strong yes"))
            total.append(cube.value(round=r, panel=p))
    fig1 = figure([rate_bar(names, yes, total, "yes votes", OKABE_ITO["blue"], "recommendations")])
    fig1.update_xaxes(type="category", tickangle=-30)
    axis(fig1, "round and panel size", "recommendations that are yes or strong yes (%)")
    f1 = highest_rate(
        [Group(n, y, t) for n, y, t in zip(names, yes, total, strict=True)],
        "share of yes votes",
        "round and panel",
        plural="rounds and panels",
    )
    t1 = rate_table("round and panel", names, yes, total, "yes or strong yes", "recommendations")

    u = data.votes.filter(pl.col("kind") == "unanimous yes").select(
        "round", pl.col("value").alias("outcome"), "n"
    )
    ucube = Cube(
        "unanimous-yes applications",
        [
            Dim("round", tuple(sorted(u["round"].unique().to_list())) or ("1",)),
            Dim("outcome", OUTCOMES),
        ],
        u,
        [View({})],
        pinned=[{"outcome": "rejected"}],  # the post-interview rejections (population.py)
    )
    ur = list(ucube.dims[0].leaves)
    ulabels = [f"last round {round_label(r)}" for r in ur]
    colours = (
        OKABE_ITO["green"],
        OKABE_ITO["vermillion"],
        OKABE_ITO["orange"],
        OKABE_ITO["purple"],
        GREY,
    )
    segs = [
        (o, c, [ucube.value(round=r, outcome=o) for r in ur])
        for o, c in zip(OUTCOMES, colours, strict=True)
    ]
    fig2 = figure(
        stacked(ulabels, segs, [ucube.value(round=r) for r in ur]),
        barmode="stack",
    )
    axis(fig2, "the application's last interview round", "applications with a unanimous yes")
    rej = [ucube.value(round=r, outcome="rejected") for r in ur]
    tot = [ucube.value(round=r) for r in ur]
    f2 = highest_rate(
        [Group(n, a, b) for n, a, b in zip(ulabels, rej, tot, strict=True)],
        "rate of rejection despite a unanimous yes",
        "round",
        action="Calibrate the {name} panel with the hiring managers: a unanimous yes there is overruled clearly more often than in other rounds",
    )
    t2 = Table(
        ["last round", *OUTCOMES, "total"],
        [
            [
                r,
                *[shown(ucube.value(round=r, outcome=o)) for o in OUTCOMES],
                shown(ucube.value(round=r)),
            ]
            for r in [*ur, ALL]
        ],
    )
    charts = [
        Chart(
            f0,
            fig0,
            t0,
            "Every recommendation of the round, all panel sizes together; rounds 3 and later are counted together as round 3+. The test counts each vote as independent; votes of one panel on one candidate are not, so a result near the 5 % level would be optimistic.",
            name="yes votes by round",
        ),
        Chart(
            f1,
            fig1,
            t1,
            "Rounds 3 and later are counted together as round 3+.",
            name="yes votes by round and panel size",
        ),
        Chart(
            f2,
            fig2,
            t2,
            "A unanimous yes: at least one yes and no vote against in the last round (no_decision is ignored), the cohort's definition; its rejections are the post-interview rejections.",
            name="outcomes after a unanimous yes",
        ),
    ]
    frames = [tidy(cube), tidy(ucube)]
    if data.spread is not None:
        bands = tuple(f"{10 * b}–{10 * b + 10}%" for b in range(10))
        s = data.spread.with_columns(
            pl.col("band").replace_strict(dict(enumerate(bands)), return_dtype=pl.String)
        )
        scube = Cube("interviewers", [Dim("band", bands)], s, [View({})])
        fig3 = figure(
            [
                {
                    "type": "bar",
                    "x": list(bands),
                    "y": [scube.value(band=b) for b in bands],
                    "marker": {"color": OKABE_ITO["blue"]},
                }
            ]
        )
        axis(fig3, "interviewer's share of yes votes", f"interviewers (with {MIN_GROUP}+ votes)")
        charts.append(
            Chart(
                f"How interviewers' yes rates spread ({count_text(scube.value())} interviewers)",
                fig3,
                Table(
                    ["yes-vote band", "interviewers"],
                    [[b, shown(scube.value(band=b))] for b in bands],
                ),
                name="interviewers by share of yes votes",
            )
        )
        frames.append(tidy(scube))
    return Page(
        "interviewers",
        "Interviewers",
        "Are panels calibrated: how often do they vote yes, and how often is a unanimous yes overruled?",
        (f0 if f0.holds else f2).text + ".",
        charts,
        [
            ("recommendations", count_text(cube.value())),
            ("unanimous-yes applications", count_text(ucube.value())),
            ("of those rejected", count_text(ucube.value(outcome="rejected"))),
        ],
        tidy=pl.concat(frames, how="diagonal_relaxed"),
        findings=[f0, f1, f2],
        figures={"post-interview rejections": ucube.value(outcome="rejected")},
    )
