"""Data quality: what loaded, what was quarantined and why, and how each reason rule behaves."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import plotly.graph_objects as go
import polars as pl

from pipelines.reports.charts import axis, share
from pipelines.reports.context import ReportContext
from pipelines.reports.html import Chart, Page, Table
from pipelines.reports.privacy import SUPPRESSED, count_text, count_value, esc, is_small, rate_text


@dataclass(frozen=True)
class DataQualityData:
    quality: pl.DataFrame  # report_data_quality
    rule_audit: pl.DataFrame  # reason_rule_audit


def data(con: duckdb.DuckDBPyConnection) -> DataQualityData:
    return DataQualityData(
        quality=con.sql("select * from report_data_quality").pl(),
        rule_audit=con.sql("select * from reason_rule_audit").pl(),
    )


def build(data: DataQualityData, ctx: ReportContext) -> Page:
    dq = data.quality
    tables = ["jobs", "applications", "interviews", "background_checks"]
    by = dq.group_by("source_table", "status").agg(pl.col("n").sum())
    get = {(r["source_table"], r["status"]): r["n"] for r in by.iter_rows(named=True)}
    fig1 = go.Figure()
    for status, colour in (("loaded", "#486581"), ("quarantined", "#dc3912")):
        vals = [get.get((t, status), 0) for t in tables]
        fig1.add_bar(
            x=tables,
            y=[count_value(v) for v in vals],
            name=status,
            marker_color=colour,
            customdata=[count_text(v) for v in vals],
            hovertemplate="%{x}: %{customdata} " + status + "<extra></extra>",
        )
    fig1.update_layout(barmode="group", yaxis_type="log")
    axis(fig1, "table", "rows (log scale)")
    loaded = sum(get.get((t, "loaded"), 0) for t in tables)
    quarantined = sum(get.get((t, "quarantined"), 0) for t in tables)
    worst = max(tables, key=lambda t: get.get((t, "quarantined"), 0))
    finding1 = (
        share(
            quarantined,
            loaded + quarantined,
            f"{{share}} of input rows were quarantined, most of them in {worst}",
            f"Fewer than {SUPPRESSED[1:]} input rows were quarantined",
            digits=1,
        )
        if quarantined
        else "Every input row loaded: nothing was quarantined"
    )
    t1 = Table(
        ["table", "loaded", "quarantined", "share quarantined"],
        [
            [
                t,
                count_text(get.get((t, "loaded"), 0)),
                count_text(get.get((t, "quarantined"), 0)),
                rate_text(
                    get.get((t, "quarantined"), 0),
                    get.get((t, "loaded"), 0) + get.get((t, "quarantined"), 0),
                    1,
                ),
            ]
            for t in tables
        ],
    )
    reasons_q = (
        dq.filter(pl.col("status") == "quarantined")
        .group_by("source_table", "reason")
        .agg(pl.col("n").sum())
        .sort("n", descending=True)
        .head(15)
    )
    fig2 = go.Figure(
        go.Bar(
            y=[
                f"{esc(t)}: {esc(r)[:70]}"
                for t, r in zip(reasons_q["source_table"], reasons_q["reason"], strict=True)
            ][::-1],
            x=[count_value(n) for n in reasons_q["n"]][::-1],
            orientation="h",
            customdata=[count_text(n) for n in reasons_q["n"]][::-1],
            hovertemplate="%{y}: %{customdata}<extra></extra>",
            marker_color="#dc3912",
        )
    )
    fig2.update_layout(height=520, margin={"l": 420})
    axis(fig2, "quarantined rows", "")
    finding2 = (
        f"The most common problem: {reasons_q['source_table'][0]} — {reasons_q['reason'][0]}"
        if reasons_q.height
        else "No quarantined rows"
    )
    t2 = Table(
        ["table", "reason (values removed)", "rows"],
        [
            [t, r, count_text(n)]
            for t, r, n in zip(
                reasons_q["source_table"], reasons_q["reason"], reasons_q["n"], strict=True
            )
        ],
    )

    audit = data.rule_audit.sort("hits", descending=True)
    fig3 = go.Figure()
    fig3.add_bar(
        x=[esc(r) for r in audit["rule_id"]],
        y=[
            None if is_small(h) else c * 100
            for h, c in zip(audit["hits"], audit["coverage"], strict=True)
        ],
        name="coverage in the warehouse (%)",
        marker_color="#486581",
        customdata=[count_text(h) for h in audit["hits"]],
        hovertemplate="%{x}: %{y:.1f}% (%{customdata} applications)<extra></extra>",
    )
    fig3.add_bar(
        x=[esc(r) for r in audit["rule_id"]],
        y=[None if p is None else p * 100 for p in audit["eval_precision"]],
        name="precision on the evaluation set (%)",
        marker_color="#109618",
        hovertemplate="%{x}: %{y:.0f}%<extra></extra>",
    )
    fig3.update_layout(barmode="group", height=520, margin={"b": 200})
    axis(fig3, "rule", "%")
    with_precision = audit.filter(pl.col("eval_precision").is_not_null())
    weakest = (
        with_precision.sort("eval_precision").row(0, named=True) if with_precision.height else None
    )
    finding3 = (
        f"{audit.height} rules; the least precise on the evaluation set is {weakest['rule_id']} "
        f"({weakest['eval_precision']:.0%} of its {weakest['eval_hits']} evaluation hits)"
        if weakest
        else f"{audit.height} rules"
    )
    t3 = Table(
        [
            "rule",
            "kind",
            "reason",
            "applications",
            "coverage",
            "overlap",
            "conflict",
            "cited in evidence",
            "evaluation hits",
            "evaluation precision",
        ],
        [
            [
                r["rule_id"],
                r["kind"],
                r["reason"],
                count_text(r["hits"]),
                "" if is_small(r["hits"]) else f"{r['coverage']:.1%}",
                "" if is_small(r["hits"]) else f"{r['overlap']:.0%}",
                "" if is_small(r["hits"]) else f"{r['conflict']:.0%}",
                count_text(r["in_evidence"]),
                r["eval_hits"] if r["eval_hits"] is not None else "",
                "" if r["eval_precision"] is None else f"{r['eval_precision']:.0%}",
            ]
            for r in audit.iter_rows(named=True)
        ],
    )
    return Page(
        "data_quality",
        "Data quality",
        "How much of the input loaded, what was quarantined and why, and how each reason rule behaves.",
        finding1 + ".",
        [
            Chart(finding1, fig1, t1),
            Chart(finding2, fig2, t2),
            Chart(
                finding3,
                fig3,
                t3,
                "Overlap: share of a rule's hits where another rule also fired; conflict: where a rule for another reason fired.",
            ),
        ],
        [("rows loaded", count_text(loaded)), ("rows quarantined", count_text(quarantined))],
    )
