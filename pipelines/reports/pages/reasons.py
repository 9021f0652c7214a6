"""Reasons: the reason mix by month, job family and seniority, and the assignments' confidence."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import plotly.graph_objects as go
import polars as pl

from pipelines.reports.charts import (
    axis,
    count_bar,
    named_first,
    publish_groups,
    share,
    sizes_of,
    stacked_reasons,
)
from pipelines.reports.context import ReportContext
from pipelines.reports.html import Chart, Page, Table
from pipelines.reports.privacy import OTHER_GROUPS, count_text, rate, rate_text

SENIORITY_ORDER = ["entry", "mid", "senior", "lead", "executive", "not recorded", OTHER_GROUPS]


@dataclass(frozen=True)
class ReasonsData:
    reason_mix: pl.DataFrame  # report_reason_mix
    confidence: pl.DataFrame  # report_confidence


def data(con: duckdb.DuckDBPyConnection) -> ReasonsData:
    return ReasonsData(
        reason_mix=con.sql("select * from report_reason_mix").pl(),
        confidence=con.sql("select * from report_confidence").pl(),
    )


def build(data: ReasonsData, ctx: ReportContext) -> Page:
    reasons = ctx.reasons
    df = data.reason_mix.with_columns(pl.col("decision_month").dt.strftime("%Y-%m").alias("month"))
    # Job families and seniority levels are named only where they have MIN_GROUP applications.
    for dim, size in (
        ("job_family", "family_applications"),
        ("seniority", "seniority_applications"),
    ):
        df = publish_groups(df, dim, sizes_of(df, dim, pl.col(size).max()))
    conf = data.confidence
    total = int(df["n"].sum() or 0)

    monthly = df.group_by("month").agg(pl.col("n").sum()).sort("month")
    months, per_month = monthly["month"].to_list(), monthly["n"].to_list()
    fig1, t1 = stacked_reasons(df, "month", "month decided", reasons, months)
    # The latest month may be incomplete, so the trend compares the three months before it with
    # the three before those.
    if len(per_month) >= 7:
        recent, before = sum(per_month[-4:-1]), sum(per_month[-7:-4])
        change = (recent - before) / before if before else 0.0
        finding1 = (
            f"Post-interview rejections {'rose' if change > 0 else 'fell'} {abs(change):.0%} in "
            f"{months[-4]} to {months[-2]} against the three months before"
            if abs(change) >= 0.05
            else f"Post-interview rejections held steady ({change:+.0%}) in {months[-4]} to {months[-2]} "
            "against the three months before"
        )
    else:
        finding1 = (
            "Post-interview rejections by month (fewer than seven months of data: no trend stated)"
        )

    fam = (
        df.group_by("job_family")
        .agg(pl.col("n").sum())
        .sort("n", "job_family", descending=[True, False])
    )
    fig2, t2 = stacked_reasons(
        df, "job_family", "job family", reasons, named_first(fam["job_family"].to_list())
    )
    fig2.update_xaxes(type="category")
    named = fam.filter(pl.col("job_family") != OTHER_GROUPS)
    top_fam = named.row(0, named=True) if named.height else None
    fam_reason = (
        df.filter(pl.col("job_family") == top_fam["job_family"])
        .group_by("reason")
        .agg(pl.col("n").sum())
        .sort("n", "reason", descending=[True, False])
        .row(0, named=True)
        if top_fam
        else None
    )
    finding2 = (
        f"{str(top_fam['job_family']).replace('_', ' ').capitalize()} loses the most candidates who interviewed well "
        f"({count_text(top_fam['n'])}), mostly to {fam_reason['reason'].replace('_', ' ')}"
        if top_fam and fam_reason
        else "No post-interview rejections by job family"
    )

    sen = df.group_by("seniority").agg(pl.col("n").sum())
    present = [s for s in SENIORITY_ORDER if s in sen["seniority"].to_list()]
    fig3, t3 = stacked_reasons(df, "seniority", "seniority", reasons, present)
    fig3.update_xaxes(type="category")
    sen_rates = {}
    for s in present:
        if s == OTHER_GROUPS:
            continue
        part = df.filter(pl.col("seniority") == s)
        n_all = int(part["n"].sum())
        n_comp = int(part.filter(pl.col("reason") == "competition")["n"].sum())
        r = rate(n_comp, n_all)
        if r is not None:
            sen_rates[s] = r
    finding3 = (
        f"Competition decides {sen_rates[max(sen_rates, key=sen_rates.get)]:.0%} of post-interview rejections at "
        f"{max(sen_rates, key=sen_rates.get)} level, the highest share of any seniority"
        if sen_rates
        else "Reasons by seniority (groups too small to compare)"
    )

    bins = conf.group_by("confidence_bin").agg(pl.col("n").sum()).sort("confidence_bin")
    fig4 = go.Figure(
        count_bar(
            [f"{b:.1f}–{b + 0.1:.1f}" for b in bins["confidence_bin"].to_list()],
            bins["n"].to_list(),
            "confidence %{x}: %{customdata}",
            "#486581",
        )
    )
    axis(fig4, "confidence", "assignments")
    high = int(conf.filter(pl.col("confidence_bin") >= 0.9)["n"].sum())
    unknown = int(df.filter(pl.col("reason") == "unknown")["n"].sum())
    finding4 = share(
        high,
        total,
        "{share} of assignments have confidence of 0.9 or more",
        "Confidence of the assignments",
    ) + share(unknown, total, "; {share} of reasons are unknown (no evidence at all)", "")
    t4 = Table(
        ["confidence", "assignments"],
        [
            [f"{b:.1f}–{b + 0.1:.1f}", count_text(n)]
            for b, n in zip(bins["confidence_bin"], bins["n"], strict=True)
        ],
    )
    return Page(
        "reasons",
        "Reasons",
        "Why were candidates who interviewed well rejected, and is it changing? "
        "Which job families and seniority levels lose most?",
        finding2 + ".",
        [
            Chart(
                finding1,
                fig1,
                t1,
                "By the month the rejection was decided. The latest months fill in as pending "
                "applications are decided, so a fall at the end of the chart is partly that.",
            ),
            Chart(finding2, fig2, t2),
            Chart(finding3, fig3, t3),
            Chart(
                finding4,
                fig4,
                t4,
                "Confidence is calibrated per decision path (rules/reasons_v1.toml).",
            ),
        ],
        [
            ("post-interview rejections", count_text(total)),
            ("reason unknown", rate_text(unknown, total)),
        ],
    )
