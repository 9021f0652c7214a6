"""Reasons: the reason mix by month and by the stage at which good interviewees were rejected,
and the rate of post-interview rejections per interviewed candidate by job family, seniority and
region. Filterable in the browser by period and by one of job family, seniority and region: each
filter is a set of cells of the shared cubes (population.py), suppressed together."""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl

from pipelines.reports.charts import (
    SUPPRESSED_NAME,
    axis,
    figure,
    pct_cell,
    rate_bar,
    rate_table,
    reason_colours,
    shown,
    stacked,
    variant_of,
    words,
)
from pipelines.reports.context import ReportContext
from pipelines.reports.cubes import FILTER_NAMES, Filter
from pipelines.reports.findings import Finding, Group, highest_rate, rate_trend
from pipelines.reports.html import Chart, Page, Table
from pipelines.reports.population import STAGE_GROUP, Population, tidy
from pipelines.reports.privacy import SUPPRESSED, count_text, rate
from pipelines.reports.suppression import ALL


def data(con: duckdb.DuckDBPyConnection) -> None:
    """Everything this page shows is in the shared population cubes."""
    return None


Made = tuple[list[dict[str, Any]], Finding, Table]
# the test of a chart not computed under a filter of another dimension (its title says so)
NOT_COMPUTED = "none: not computed under this filter"


def _by_month(pop: Population, f: Filter, reasons: tuple[str, ...]) -> Made:
    c = pop.cohort
    fixed: dict[str, str] = {}  # by month only unfiltered: per month and group most cells are small
    months = [m for m in pop.month.leaves if f.period == ALL or m.startswith(f.period)]
    totals = [c.value(month=m, **fixed) for m in months]
    segs = [
        (
            words(r),
            reason_colours(reasons)[r],
            [c.value(month=m, reason=r, **fixed) for m in months],
        )
        for r in reasons
    ]
    xs = [m if pop.complete(m) else f"{m} (filling in)" for m in months]
    interviewed = [pop.applications.value(month=m, stage="reached interview") for m in months]
    per100 = [pct_cell(t, n) for t, n in zip(totals, interviewed, strict=True)]
    traces = [
        *stacked(xs, segs, totals),
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": xs,
            # complete months only: a month still filling in counts applications still pending
            "y": [
                r if pop.complete(m) and r != SUPPRESSED else None
                for m, r in zip(months, per100, strict=True)
            ],
            "yaxis": "y2",
            "name": "per 100 interviewed (right axis)",
            "line": {"color": "#000000", "width": 2},
            "customdata": [shown(n) for n in interviewed],
            "hovertemplate": "%{x}: %{y} per 100 of %{customdata} interviewed<extra></extra>",
        },
    ]
    finding = rate_trend(
        [(m, t, n, pop.complete(m)) for m, t, n in zip(months, totals, interviewed, strict=True)],
        "the rate of post-interview rejection per interviewed candidate",
    )
    if f.dim:
        finding = Finding(
            f"{finding.text} (every {FILTER_NAMES[f.dim]}: this chart is not split by "
            f"{FILTER_NAMES[f.dim]}, per month most groups would be suppressed)",
            finding.holds,
            finding.test,
        )
    table = Table(
        [
            "month",
            "complete",
            *[words(r) for r in reasons],
            "total",
            "reached the interview stage",
            "per 100 interviewed",
        ],
        [
            [
                m,
                pop.complete(m),
                *[shown(s[2][i]) for s in segs],
                shown(totals[i]),
                shown(interviewed[i]),
                per100[i],
            ]
            for i, m in enumerate(months)
        ],
    )
    return traces, finding, table


def _by_stage(pop: Population, f: Filter, reasons: tuple[str, ...]) -> Made:
    c, a = pop.cohort, pop.applications
    cell = f.cell()
    stages = [s for s in c.dims[4].leaves if s in STAGE_GROUP]
    totals = [c.value(stage=s, **cell) for s in stages]
    segs = [
        (words(r), reason_colours(reasons)[r], [c.value(stage=s, reason=r, **cell) for s in stages])
        for r in reasons
    ]
    reached = [a.value(stage=STAGE_GROUP[s], **cell) for s in stages]
    traces = stacked([words(s) for s in stages], segs, totals)
    groups = [Group(words(s), t, n) for s, t, n in zip(stages, totals, reached, strict=True)]
    finding = highest_rate(
        groups,
        "rate of rejection after a successful interview, per candidate reaching the stage",
        "stage",
        action="Review how decisions are made at the {name} stage: candidates who interviewed "
        "well are turned down there clearly more often than at other stages",
    )
    table = Table(
        [
            "stage",
            "candidates who reached it",
            *[words(r) for r in reasons],
            "total",
            "per 100 who reached it",
        ],
        [
            [
                words(s),
                shown(reached[i]),
                *[shown(seg[2][i]) for seg in segs],
                shown(totals[i]),
                pct_cell(totals[i], reached[i]),
            ]
            for i, s in enumerate(stages)
        ],
    )
    return traces, finding, table


def _rate_by(pop: Population, f: Filter, dim: str) -> Made:
    c, a = pop.cohort, pop.applications
    base = {k: v for k, v in f.cell().items() if k != dim}
    if f.dim and f.dim != dim:
        names = list(pop.filter_dims[dim].leaves)
        nums = [None] * len(names)
        dens = [None] * len(names)
    else:
        names = [v for v in pop.filter_dims[dim].leaves if not f.dim or v == f.value]
        nums = [c.value(**{**base, dim: v}) for v in names]
        dens = [a.value(stage="reached interview", **{**base, dim: v}) for v in names]
    order = sorted(
        range(len(names)),
        key=lambda i: (
            -(rate(nums[i], dens[i]) or -1) if nums[i] is not None and dens[i] is not None else 1
        ),
    )
    names = [names[i] for i in order]
    nums = [nums[i] for i in order]
    dens = [dens[i] for i in order]
    traces = [
        rate_bar(
            names,
            nums,
            dens,
            "post-interview rejections per interviewed",
            "#0072B2",
            "reached the interview stage",
        )
    ]
    if f.dim and f.dim != dim:  # not computed under this filter: nothing is suppressed
        blank = {"y": [None] * len(names), "text": [""] * len(names)}
        traces[0].update(blank, hovertext=["not shown under this filter"] * len(names))
        finding = Finding(
            f"Not shown while filtering by {FILTER_NAMES[f.dim]} (one filter at a time)",
            False,
            NOT_COMPUTED,
        )
    else:
        finding = highest_rate(
            [Group(n, s, d) for n, s, d in zip(names, nums, dens, strict=True)],
            "rate of rejection after a successful interview per interviewed candidate",
            FILTER_NAMES[dim],
            action="Look at the " + FILTER_NAMES[dim] + " {name}: its interviewed candidates are "
            "rejected after a successful interview clearly more often than elsewhere",
        )
    table = rate_table(
        FILTER_NAMES[dim],
        names,
        nums,
        dens,
        "post-interview rejections",
        "reached the interview stage",
    )
    return traces, finding, table


STYLE = {
    0: ("month decided (months still filling in are marked)", "post-interview rejections"),
    1: ("stage at which the candidate was rejected", "post-interview rejections"),
}


def build(data: Any, ctx: ReportContext) -> Page:
    pop, reasons = ctx.population, ctx.reasons
    builders = [
        ("post-interview rejections by month and reason", lambda f: _by_month(pop, f, reasons)),
        (
            "post-interview rejections by rejection stage and reason",
            lambda f: _by_stage(pop, f, reasons),
        ),
        *[
            (f"rate per interviewed by {FILTER_NAMES[d]}", lambda f, d=d: _rate_by(pop, f, d))
            for d in ("job_family", "seniority", "region")
        ],
    ]
    charts, findings = [], []
    headline_variants: dict[str, list[tuple[str, str]]] = {}
    for name, make in builders:
        variants: dict[str, dict[str, Any]] = {}
        for f in pop.filters[1:]:
            traces, finding, _ = make(f)
            variants[f.key] = variant_of(
                traces, finding.text, computed=finding.test != NOT_COMPUTED
            )
        traces, finding, table = make(pop.filters[0])
        variants[pop.filters[0].key] = variant_of(traces, finding.text)
        i = len(charts)
        fig = figure(traces, barmode="stack" if i < 2 else "group")
        x_title, y_title = STYLE.get(
            i,
            (
                name.rsplit(" by ", 1)[1] + " (sorted by rate)",
                "per 100 interviewed",
            ),
        )
        axis(fig, x_title, y_title)
        fig.update_xaxes(type="category")
        if i == 0:  # the monthly rate on its own axis: the trend in the title is of the rate
            fig.update_layout(
                yaxis2={
                    "overlaying": "y",
                    "side": "right",
                    "rangemode": "tozero",
                    "tickmode": "auto",
                    "title": {"text": "per 100 interviewed"},
                    "showgrid": False,
                },
                legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
            )
        findings.append(finding)
        charts.append(Chart(finding, fig, table, name=name, variants=variants))
    for f in pop.filters:
        n = pop.cohort.value(**f.cell())
        d = pop.applications.value(stage="reached interview", **f.cell())
        r = rate(n, d) if n is not None and d is not None else None
        headline_variants[f.key] = [
            ("post-interview rejections", count_text(n)),
            ("candidates who reached the interview stage", count_text(d)),
            (
                "per 100 interviewed",
                SUPPRESSED if r is None else f"{100 * r:.1f}",
            ),
        ]
    charts[0].note = (
        "By the month the rejection was decided; the line is the rate per 100 applications "
        "decided that month that reached the interview stage, and the title's trend is of that "
        f"rate, not of the count. Months after {pop.periods.get('last_complete_month')} "
        "are still filling in (applications made before the export are still pending) and are "
        f"left out of the trend. The grey '{SUPPRESSED_NAME}' part of a bar holds the hidden "
        "reasons: small ones, and those hidden so that a small one cannot be worked out."
    )
    charts[
        1
    ].note = "Stages are where the application ended; the rate divides by everyone who reached that stage."
    tidy_df = pl.concat([tidy(pop.cohort), tidy(pop.applications)], how="diagonal_relaxed")
    total = pop.cohort.value()
    return Page(
        "reasons",
        "Reasons",
        "Why were candidates who interviewed well rejected, at which stage, and is it changing? "
        "Where are interviewed candidates turned down most often?",
        charts[1].title + ".",
        charts,
        headline_variants[pop.filters[0].key],
        tidy=tidy_df,
        findings=findings,
        figures={"post-interview rejections": total},
        filters=[(f.key, f.label) for f in pop.filters],
        headline_variants=headline_variants,
    )
