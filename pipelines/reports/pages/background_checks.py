"""Background checks: adverse action per vendor and finding, disputes, corrections and how long
disputes take against the FCRA's 30-day reinvestigation clock.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import plotly.graph_objects as go
import polars as pl

from pipelines.reports.charts import (
    FCRA_DAYS,
    axis,
    ci_text,
    count_bar,
    label,
    publish_groups,
    rate_bars,
    share,
    sizes_of,
)
from pipelines.reports.context import ReportContext
from pipelines.reports.html import Chart, Page, Table
from pipelines.reports.privacy import OTHER_GROUPS, count_text, count_value, rate, rate_text


@dataclass(frozen=True)
class BackgroundChecksData:
    checks: pl.DataFrame  # report_background_checks
    dispute_days: pl.DataFrame  # report_dispute_days
    lost_offers: pl.DataFrame  # report_lost_offers


def data(con: duckdb.DuckDBPyConnection) -> BackgroundChecksData:
    return BackgroundChecksData(
        checks=con.sql("select * from report_background_checks").pl(),
        dispute_days=con.sql("select * from report_dispute_days").pl(),
        lost_offers=con.sql("select * from report_lost_offers").pl(),
    )


def build(data: BackgroundChecksData, ctx: ReportContext) -> Page:
    # A vendor, and a finding, is named only where it has MIN_GROUP checks.
    checks = sizes_of(data.checks, "vendor_id", pl.col("checks").sum())
    df = publish_groups(data.checks, "vendor_id", checks)
    df = publish_groups(df, "finding", sizes_of(df, "finding", pl.col("checks").sum()))
    vendors = (
        df.group_by("vendor_id")
        .agg(pl.col("checks", "adverse", "disputed", "corrected", "upheld", "pending").sum())
        .sort(pl.col("vendor_id") == OTHER_GROUPS, "vendor_id")
    )
    v = vendors.to_dict(as_series=False)
    names = v["vendor_id"]

    fig1 = go.Figure(rate_bars(names, v["adverse"], v["checks"], "adverse action", "#dc3912"))
    axis(fig1, "screening vendor", "checks ending in adverse action (%)")
    fig1.update_xaxes(type="category")
    adverse_rates = {
        n: rate(a, c)
        for n, a, c in zip(names, v["adverse"], v["checks"], strict=True)
        if n != OTHER_GROUPS
    }
    shown = {k: r for k, r in adverse_rates.items() if r is not None}
    finding1 = (
        f"{max(shown, key=shown.get)} takes adverse action on {shown[max(shown, key=shown.get)]:.0%} of its checks, "
        f"the most of any vendor"
        if shown
        else "Adverse-action rates per vendor (groups too small to show)"
    )
    t1 = Table(
        ["vendor", "checks", "adverse action", "rate", "95% CI (Wilson)"],
        [
            [n, count_text(c), count_text(a), rate_text(a, c, 1), ci_text(a, c)]
            for n, c, a in zip(names, v["checks"], v["adverse"], strict=True)
        ],
    )

    findings = (
        df.filter(pl.col("finding") != "none")
        .group_by("finding")
        .agg(pl.col("checks", "adverse").sum())
        .sort(
            pl.col("finding") == OTHER_GROUPS, "adverse", "finding", descending=[False, True, False]
        )
    )
    f = findings.to_dict(as_series=False)
    fig2 = go.Figure(
        count_bar(
            [label(x) for x in f["finding"]],
            f["adverse"],
            "%{x}: %{customdata} offers ended",
            "#dc3912",
        )
    )
    axis(fig2, "finding on the report", "checks ending in adverse action")
    finding2 = (
        f"{str(f['finding'][0]).replace('_', ' ').capitalize()} findings end the most offers ({count_text(f['adverse'][0])})"
        if f["finding"] and f["finding"][0] != OTHER_GROUPS
        else "No adverse findings recorded"
        if not f["finding"]
        else "Adverse action by finding (findings too rare to name)"
    )
    t2 = Table(
        ["finding", "checks with this finding", "adverse action"],
        [
            [x, count_text(c), count_text(a)]
            for x, c, a in zip(f["finding"], f["checks"], f["adverse"], strict=True)
        ],
    )

    fig3 = go.Figure(
        [
            rate_bars(
                names, v["disputed"], v["adverse"], "disputed (of adverse reports)", "#ff9900"
            ),
            rate_bars(names, v["corrected"], v["disputed"], "corrected (of disputes)", "#3366cc"),
        ]
    )
    fig3.update_layout(barmode="group")
    fig3.update_xaxes(type="category")
    axis(fig3, "screening vendor", "% with 95% CI (Wilson)")
    # The vendor with the highest correction rate that may be shown, against all other vendors
    # pooled (the pool is usually large enough even where single vendors are suppressed).
    corr = {n: (c, d) for n, c, d in zip(names, v["corrected"], v["disputed"], strict=True)}
    shown_corr = {
        k: c / d for k, (c, d) in corr.items() if rate(c, d) is not None and k != OTHER_GROUPS
    }
    finding3 = "Correction rates on dispute (groups too small to compare vendors)"
    if shown_corr:
        best = max(shown_corr, key=shown_corr.get)
        oc = sum(c for k, (c, _) in corr.items() if k != best)
        od = sum(d for k, (_, d) in corr.items() if k != best)
        others = rate(oc, od)
        if others:
            finding3 = (
                f"{best}'s adverse reports are corrected on dispute {shown_corr[best] / others:.1f}× as "
                f"often as the other vendors' ({shown_corr[best]:.0%} vs {others:.0%})"
            )
    t3 = Table(
        [
            "vendor",
            "adverse reports",
            "disputed",
            "dispute rate",
            "corrected",
            "correction rate",
            "95% CI (Wilson)",
            "upheld",
            "pending",
        ],
        [
            [
                n,
                count_text(a),
                count_text(d),
                rate_text(d, a),
                count_text(c),
                rate_text(c, d),
                ci_text(c, d),
                count_text(u),
                count_text(p),
            ]
            for n, a, d, c, u, p in zip(
                names,
                v["adverse"],
                v["disputed"],
                v["corrected"],
                v["upheld"],
                v["pending"],
                strict=True,
            )
        ],
    )

    days = publish_groups(data.dispute_days, "vendor_id", checks)
    buckets = (
        days.group_by("days_bucket").agg(pl.col("n", "over_30_days").sum()).sort("days_bucket")
    )
    resolved, late = int(days["n"].sum() or 0), int(days["over_30_days"].sum() or 0)
    fig4 = go.Figure(
        go.Bar(
            x=[f"{b}–{b + 4}" if b < 60 else "60+" for b in buckets["days_bucket"]],
            y=[count_value(n) for n in buckets["n"]],
            customdata=[count_text(n) for n in buckets["n"]],
            hovertemplate="%{x} days: %{customdata}<extra></extra>",
            marker_color=[
                "#dc3912" if b >= FCRA_DAYS else "#486581" for b in buckets["days_bucket"]
            ],
        )
    )
    positions = [i for i, b in enumerate(buckets["days_bucket"]) if b >= FCRA_DAYS]
    line_at = (positions[0] if positions else buckets.height) - 0.5  # just before the 30–34 bar
    fig4.add_vline(x=line_at, line_dash="dash", annotation_text="30-day FCRA clock")
    axis(fig4, "days from report to dispute resolution", "resolved disputes")
    late_rate = rate(late, resolved)
    finding4 = (
        f"{late_rate:.0%} of resolved disputes took longer than the 30-day reinvestigation clock"
        if late_rate is not None
        else "No resolved disputes yet"
        if resolved == 0
        else f"Dispute resolution times ({count_text(resolved)} resolved disputes; the share over 30 days "
        "is suppressed to protect small groups)"
    )
    per_vendor_days = (
        days.group_by("vendor_id")
        .agg(pl.col("n", "over_30_days").sum())
        .sort(pl.col("vendor_id") == OTHER_GROUPS, "vendor_id")
    )
    t4 = Table(
        ["vendor", "resolved disputes", "over 30 days", "share over 30 days"],
        [
            [
                r["vendor_id"],
                count_text(r["n"]),
                count_text(r["over_30_days"]),
                rate_text(r["over_30_days"], r["n"]),
            ]
            for r in per_vendor_days.iter_rows(named=True)
        ],
    )

    lost = publish_groups(data.lost_offers, "vendor_id", checks)
    lost_total = int(lost["n"].sum() or 0)
    wrong = (
        lost.filter(pl.col("detail") == "dispute_corrected")
        .group_by("vendor_id")
        .agg(pl.col("n").sum())
        .sort(pl.col("vendor_id") == OTHER_GROUPS, "vendor_id")
    )
    n_wrong = int(wrong["n"].sum() or 0)
    fig5 = go.Figure(
        count_bar(
            [label(x) for x in wrong["vendor_id"]], wrong["n"], "%{x}: %{customdata}", "#3366cc"
        )
    )
    axis(fig5, "screening vendor", "offers lost to a report later corrected")
    fig5.update_xaxes(type="category")
    finding5 = (
        f"{count_text(n_wrong)} candidates who interviewed well lost the job to a report later "
        "shown to be wrong"
        + share(n_wrong, lost_total, " ({share} of background-check rejections)", "")
    )
    by_detail = (
        lost.group_by("detail").agg(pl.col("n").sum()).sort("n", "detail", descending=[True, False])
    )
    t5 = Table(
        ["what happened to the report", "post-interview rejections"],
        [[d, count_text(n)] for d, n in zip(by_detail["detail"], by_detail["n"], strict=True)],
    )
    return Page(
        "background_checks",
        "Background checks",
        "How often does a background check end an offer, per vendor and finding? How often are adverse "
        "reports disputed and corrected, and how long do disputes take against the FCRA's 30 days?",
        finding3 + ".",
        [
            Chart(finding1, fig1, t1),
            Chart(finding2, fig2, t2),
            Chart(finding3, fig3, t3),
            Chart(
                finding4,
                fig4,
                t4,
                "Measured from report completion to resolution: the dispute start date is not in the data, so this overstates each dispute's length.",
            ),
            Chart(finding5, fig5, t5),
        ],
        [
            ("checks", count_text(int(df["checks"].sum() or 0))),
            ("adverse action", count_text(int(df["adverse"].sum() or 0))),
            ("offers lost to corrected reports", count_text(n_wrong)),
        ],
    )
