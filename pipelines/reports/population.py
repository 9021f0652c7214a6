"""The two cubes several pages share: applications (``report_funnel``) and post-interview
rejections (``report_cohort``), by month, job family, seniority, region, stage and outcome or
reason. They are built once per site, so a number that two pages show is one cell with one
suppression decision, and a rate divides two cells of the same filter combination.

Counts (one definition each, used by every page):

- *applications*: every application in the warehouse, by the month it was decided (or applied,
  while pending);
- *reached the interview stage* / *reached the final interview*: applications whose furthest stage
  is that stage or later (the denominators of "per interviewed" and "per final interview");
- *post-interview rejections*: rejected although every last-round recommendation was a yes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import polars as pl

from pipelines.reports.cubes import (
    FILTER_DIMS,
    SENIORITY_ORDER,
    Filter,
    filter_views,
    filters,
    month_dim,
    named_values,
    ordered,
    relabel,
)
from pipelines.reports.suppression import ALL, Cube, Dim, View, protect

STAGES = ("applied", "screen", "interview", "final_interview", "offer", "background_check", "hired")
REACHED = {  # cumulative groups: reached this stage or a later one
    "reached screen": ("screen", "reached interview"),
    "reached interview": ("interview", "reached final interview"),
    "reached final interview": ("final_interview", "reached offer"),
    "reached offer": ("offer", "reached background check"),
    "reached background check": ("background_check", "hired"),
    ALL: ("applied", "reached screen"),
}
STAGE_GROUP = {  # the denominator of a rejection at a stage: everyone who reached it
    "interview": "reached interview",
    "final_interview": "reached final interview",
    "offer": "reached offer",
    "background_check": "reached background check",
}
OUTCOMES = ("hired", "rejected", "withdrawn", "offer_declined", "pending")


@dataclass(frozen=True)
class PopulationData:
    funnel: pl.DataFrame  # report_funnel
    cohort: pl.DataFrame  # report_cohort
    periods: dict[str, Any]  # report_periods: one row


def read(con: duckdb.DuckDBPyConnection) -> PopulationData:
    rel = con.sql("select * from report_periods")
    periods = dict(zip(rel.columns, rel.fetchall()[0], strict=True))
    month = pl.col("month").dt.strftime("%Y-%m").fill_null("not recorded")
    return PopulationData(
        funnel=con.sql("select * from report_funnel").pl().with_columns(month),
        cohort=con.sql("select * from report_cohort").pl().with_columns(month),
        periods=periods,
    )


@dataclass
class Population:
    applications: Cube
    cohort: Cube
    month: Dim
    filter_dims: dict[str, Dim]
    filters: list[Filter]
    periods: dict[str, Any]

    def complete(self, month: str) -> bool:
        """Whether a month's decisions are all in (report_periods.sql)."""
        last = self.periods.get("last_complete_month")
        return bool(last) and month <= str(last)

    @property
    def period_text(self) -> str:
        first, last = self.periods.get("first_application"), self.periods.get("last_decision")
        return f"{_day(first)} to {_day(last)}" if first and last else "no applications"


def _day(d: date | None) -> str:
    return d.isoformat() if d else ""


def build(data: PopulationData, reasons: tuple[str, ...]) -> Population:
    funnel, cohort = data.funnel, data.cohort
    labels = {d: named_values(funnel, d) for d in FILTER_DIMS}
    for d in FILTER_DIMS:
        funnel = relabel(funnel, d, labels[d])
        cohort = relabel(cohort, d, labels[d])
    dims = {
        d: Dim(d, ordered(list(labels[d].values()), SENIORITY_ORDER if d == "seniority" else ()))
        for d in FILTER_DIMS
    }
    month = month_dim([*funnel["month"].to_list(), *cohort["month"].to_list()] or ["none"])
    stage = Dim("stage", STAGES, REACHED)
    outcome = Dim("outcome", OUTCOMES)
    applications = Cube(
        "applications",
        [month, *dims.values(), stage, outcome],
        funnel,
        [
            # per filter: every stage and group, all outcomes together (rates' denominators)
            *filter_views({"month": [*month.parts], "outcome": [ALL]}),
            # unfiltered: stage by outcome (the funnel, candidate-side outcomes)
            View({"month": [ALL], **{d: [ALL] for d in FILTER_DIMS}}),
            # unfiltered, per month: the interviewed, the monthly rate's denominator (Reasons)
            View(
                {
                    "month": list(month.leaves),
                    **{d: [ALL] for d in FILTER_DIMS},
                    "stage": ["reached interview"],
                    "outcome": [ALL],
                }
            ),
        ],
        protected=False,
    )
    rejected_at = tuple(
        s for s in STAGES if s in set(cohort["stage"].to_list()) or s in STAGE_GROUP
    )
    cohort_cube = Cube(
        "post-interview rejections",
        [month, *dims.values(), Dim("stage", rejected_at), Dim("reason", reasons)],
        cohort,
        [
            # by month and reason, unfiltered: per month and group nearly every cell is small
            View({"stage": [ALL], **{d: [ALL] for d in FILTER_DIMS}}),
            *filter_views({"month": [*month.parts]}),  # per filter: stage and reason
        ],
        # the total and each reason's: Method, Interviewers, Background checks, Goal mismatch
        pinned=[{}, *({"reason": r} for r in reasons)],
        protected=False,
    )
    nest(cohort_cube, applications)
    protect(applications)
    protect(cohort_cube)
    return Population(applications, cohort_cube, month, dims, filters(month, dims), data.periods)


def nest(cohort: Cube, applications: Cube) -> None:
    """The post-interview rejections are rejected applications: a cohort cell is at most the
    applications cell of the same month, group and stage (rejected, or every outcome where a
    filter shows no outcome), and that cell at least the cohort's. The two cubes' hypercubes
    keep to those bounds, so the pages' pairs of cells (a rate's numerator and denominator)
    cannot pin a suppressed cell where every such application is in the cohort."""
    a_names = [d.name for d in applications.dims]
    c_names = [d.name for d in cohort.dims]
    stage = applications.dims[a_names.index("stage")]
    for j, key in enumerate(applications.keys):
        labels = dict(zip(a_names, key, strict=True))
        if labels["outcome"] not in ("rejected", ALL):
            continue
        found = [
            cohort._id.get(tuple({**labels, "stage": s}.get(n, ALL) for n in c_names))
            for s in stage.members(labels["stage"])
            if s in cohort.dims[c_names.index("stage")].leaves
        ]
        if all(i is not None for i in found):
            applications.low[j] = sum(int(cohort.values[i]) for i in found)  # type: ignore[index]
    for i, key in enumerate(cohort.keys):
        labels = dict(zip(c_names, key, strict=True))
        for outcome in ("rejected", ALL):
            j = applications._id.get(tuple({**labels, "outcome": outcome}.get(n) for n in a_names))
            if j is not None:
                cohort.high[i] = applications.values[j]
                break


def tidy(cube: Cube, **fixed: str) -> pl.DataFrame:
    """A cube's published cells for a page's tidy CSV, with the count's name; ``fixed`` keeps
    only the cells with those labels (e.g. the unfiltered ones, for a page without filters)."""
    df = cube.frame()
    for dim, value in fixed.items():
        df = df.filter(pl.col(dim) == value)
    return df.select(pl.lit(cube.measure).alias("count"), pl.all())
