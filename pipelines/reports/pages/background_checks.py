"""Background checks: adverse action per vendor and finding, disputes and corrections per vendor,
how long resolved disputes took against the FCRA's 30-day reinvestigation clock, and the
candidates who interviewed well and lost the job to a report later corrected.

Filterable in the browser by vendor (``cubes.value_filters``): each vendor is a set of cells of
this page's two cubes, suppressed together with every other vendor and the unfiltered page. A
vendor changes the charts whose axis is not the vendor (adverse action by finding, resolution
time) and the headline. The per-vendor charts keep every vendor, the chosen one highlighted and
the others faded: auditing one screening vendor means reading it against the others, and their
titles compare vendors, so they stay as they are and say so.

Counts here: *checks* are every background check in the warehouse, whatever stage the
application reached (an application can be hired after a clear check); *adverse reports* are
checks with a 'consider' result and pre- or post-adverse action; *background-check rejections*
(Overview, Reasons) are post-interview rejections whose reason is the check, a subset of the
adverse reports' applications.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

from pipelines.reports.charts import (
    FCRA_DAYS,
    GREY,
    OKABE_ITO,
    SUPPRESSED_NAME,
    axis,
    figure,
    rate_bar,
    rate_table,
    shown,
    stacked,
    words,
)
from pipelines.reports.context import ReportContext
from pipelines.reports.cubes import named_values, ordered, relabel, value_filters
from pipelines.reports.findings import (
    LEVEL,
    Finding,
    Group,
    differs_from_rest,
    highest_rate,
    share_over,
)
from pipelines.reports.html import Chart, Page, Table
from pipelines.reports.pages.check_charts import (
    BAND_PARTS,
    BANDS,
    DETAILS,
    HIDDEN_FINDINGS,
    NOT_SPLIT,
    STATUS_PARTS,
    STATUSES,
    by_finding,
    compared,
    hide_where_checks_hide,
    marked_variant,
    resolution,
    resolved_days,
)
from pipelines.reports.population import tidy
from pipelines.reports.privacy import count_text, rate
from pipelines.reports.suppression import ALL, Cube, Dim, View, protect


@dataclass(frozen=True)
class BackgroundChecksData:
    checks: pl.DataFrame  # report_checks
    lost_offers: pl.DataFrame  # report_lost_offers


def data(con: duckdb.DuckDBPyConnection) -> BackgroundChecksData:
    return BackgroundChecksData(
        checks=con.sql("select * from report_checks").pl(),
        lost_offers=con.sql("select * from report_lost_offers").pl(),
    )


def build(data: BackgroundChecksData, ctx: ReportContext) -> Page:
    vendors_map = named_values(data.checks, "vendor_id")
    checks = relabel(data.checks, "vendor_id", vendors_map).with_columns(
        pl.col("days_band").replace_strict(dict(enumerate(BANDS)), return_dtype=pl.String)
    )
    vendor = Dim("vendor_id", ordered(list(vendors_map.values()) or ["not recorded"]))
    finding = Dim("finding", ordered(checks["finding"].unique().to_list() or ["none"]))
    status = Dim("status", STATUSES, STATUS_PARTS)
    band = Dim("days", BANDS, BAND_PARTS)
    cube = Cube(
        "background checks",
        [vendor, finding, status, band],
        checks.group_by("vendor_id", "finding", "status", "days_band")
        .agg(pl.col("n").sum())
        .rename({"days_band": "days"}),
        [
            # per vendor and finding: statuses (a vendor filter's findings; the per-vendor and
            # the per-finding statuses are its margins)
            View({"days": [ALL]}),
            # per vendor: resolution time of the resolved disputes (check_charts.resolved_days)
            View({"finding": [ALL], "status": ["resolved"]}),
        ],
    )
    names = list(vendor.leaves)
    pick = value_filters(vendor) if data.checks.height else []

    # 1. Adverse action per vendor, sorted by rate.
    adverse = [cube.value(vendor_id=v, status="adverse") for v in names]
    total = [cube.value(vendor_id=v) for v in names]
    order = sorted(
        range(len(names)),
        key=lambda i: (
            -(rate(adverse[i], total[i]) or -1)
            if adverse[i] is not None and total[i] is not None
            else 1
        ),
    )
    n1 = [names[i] for i in order]
    a1 = [adverse[i] for i in order]
    t1 = [total[i] for i in order]
    traces1 = [rate_bar(n1, a1, t1, "adverse action", OKABE_ITO["vermillion"], "checks")]
    fig1 = figure(traces1)
    axis(fig1, "screening vendor (sorted by rate)", "checks ending in adverse action (%)")
    fig1.update_xaxes(type="category")
    f1 = highest_rate(
        [Group(n, a, t) for n, a, t in zip(n1, a1, t1, strict=True)],
        "adverse-action rate",
        "vendor",
        action="Review {name}'s adverse findings: it ends offers clearly more often than the other vendors",
    )
    tab1 = rate_table("vendor", n1, a1, t1, "adverse action", "checks")

    # 2. Adverse action by finding, sorted (per vendor filter).
    traces2, f2, tab2 = by_finding(cube, ALL)
    fig2 = figure(traces2)
    axis(fig2, "checks ending in adverse action", "finding on the report (sorted)")
    all_adverse = cube.value(status="adverse")

    # 3. Disputes and corrections per vendor.
    disputed = [cube.value(vendor_id=v, status="disputed") for v in n1]
    corrected = [cube.value(vendor_id=v, status="corrected") for v in n1]
    traces3 = [
        rate_bar(
            n1,
            disputed,
            a1,
            "disputed (of adverse reports)",
            OKABE_ITO["orange"],
            "adverse reports",
        ),
        rate_bar(n1, corrected, disputed, "corrected (of disputes)", OKABE_ITO["blue"], "disputes"),
    ]
    fig3 = figure(traces3, barmode="group")
    fig3.update_xaxes(type="category")
    axis(fig3, "screening vendor", "% with 95% CI (Wilson)")
    rates = {
        v: rate(c, d)
        for v, c, d in zip(n1, corrected, disputed, strict=True)
        if c is not None and d is not None
    }
    rates = {v: r for v, r in rates.items() if r is not None}
    all_c, all_d = cube.value(status="corrected"), cube.value(status="disputed")
    if rates and all_c is not None and all_d is not None:
        top = max(rates, key=rates.get)  # type: ignore[arg-type]
        i = n1.index(top)
        rest = Group("the other vendors", all_c - corrected[i], all_d - disputed[i])  # type: ignore[operator]
        f3 = differs_from_rest(
            Group(top, corrected[i], disputed[i]),
            rest,
            "correction rate on dispute",
            "the other vendors'",
            action="Ask {name} why its adverse reports are corrected on dispute clearly more often "
            "than other vendors' (each correction is an offer withdrawn on a wrong report)",
            compared=len(n1),  # picked from every vendor, shown or not
        )
    else:
        f3 = Finding(
            "Correction rate on dispute: no vendor's is shown (too few disputes per vendor, "
            "suppressed), so vendors are not compared",
            False,
            f"two-sided two-proportion z-test at the {LEVEL:.0%} level, when a vendor's rate is shown",
        )
    tab3 = Table(
        [
            "vendor",
            "adverse reports",
            "disputed",
            "dispute rate (%)",
            "corrected",
            "correction rate (%)",
            "upheld",
            "pending",
        ],
        [
            [
                v,
                shown(a1[i]),
                shown(disputed[i]),
                rate_table("", [v], [disputed[i]], [a1[i]], "", "").rows[0][3],
                shown(corrected[i]),
                rate_table("", [v], [corrected[i]], [disputed[i]], "", "").rows[0][3],
                shown(cube.value(vendor_id=v, status="upheld")),
                shown(cube.value(vendor_id=v, status="dispute pending")),
            ]
            for i, v in enumerate(n1)
        ],
    )

    # 4. Resolution time against the 30-day clock (per vendor filter).
    traces4, f4 = resolution(cube, ALL)
    fig4 = figure(traces4)
    fig4.add_vline(
        x=traces4[0]["x"].index(NOT_SPLIT),
        line_dash="dash",
        annotation_text=f"{FCRA_DAYS}-day FCRA clock",
    )
    fig4.update_xaxes(type="category")
    axis(
        fig4,
        "days from report completion to resolution (bars past the line are over 30 days)",
        "resolved disputes",
    )
    tab4 = Table(
        ["vendor", "resolved disputes", f"within {FCRA_DAYS} days", f"over {FCRA_DAYS} days"],
        [
            [
                v,
                shown(resolved_days(cube, v, "resolved")),
                shown(resolved_days(cube, v, f"within {FCRA_DAYS} days")),
                shown(resolved_days(cube, v, f"over {FCRA_DAYS} days")),
            ]
            for v in [*names, ALL]
        ],
    )

    # 5. Offers lost to a report later corrected (post-interview rejections for the check).
    lost_map = {k: vendors_map.get(k, k) for k in data.lost_offers["vendor_id"].unique().to_list()}
    lost = relabel(data.lost_offers, "vendor_id", lost_map).with_columns(
        pl.col("detail").fill_null("not_disputed")
    )
    lost_vendor = Dim("vendor_id", ordered(list(set(lost_map.values())) or ["no check record"]))
    detail = Dim("detail", tuple(dict.fromkeys([*DETAILS, *lost["detail"].unique().to_list()])))
    lcube = Cube(
        "background-check rejections",
        [lost_vendor, detail],
        lost.group_by("vendor_id", "detail").agg(pl.col("n").sum()),
        [View({})],
        pinned=[{}],  # the post-interview rejections for the check (population.py)
        protected=False,
    )
    hide_where_checks_hide(lcube, cube)
    protect(lcube)
    lv = list(lost_vendor.leaves)
    segs = [
        (words(d), col, [lcube.value(vendor_id=v, detail=d) for v in lv])
        for d, col in zip(
            detail.leaves,
            [OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["sky"], GREY, OKABE_ITO["purple"]],
            strict=False,
        )
    ]
    traces5 = stacked(lv, segs, [lcube.value(vendor_id=v) for v in lv])
    fig5 = figure(traces5, barmode="stack")
    fig5.update_xaxes(type="category")
    axis(fig5, "screening vendor", "background-check rejections (post-interview)")
    wrong, lost_total = lcube.value(detail="dispute_corrected"), lcube.value()
    f5 = share_over(
        wrong,
        lost_total,
        "candidates who interviewed well and lost the job to a background check",
        "had a report later corrected on dispute",
    )
    tab5 = Table(
        ["vendor", *[words(d) for d in detail.leaves], "total"],
        [
            [
                v,
                *[shown(lcube.value(vendor_id=v, detail=d)) for d in detail.leaves],
                shown(lcube.value(vendor_id=v)),
            ]
            for v in [*lv, ALL]
        ],
    )

    # Per vendor filter: the charts whose axis is not the vendor, and the headline.
    variants: list[dict[str, dict[str, Any]]] = [{} for _ in range(5)]
    headline_variants: dict[str, list[tuple[str, str]]] = {}
    for f in pick:
        v = f.value
        t2, g2, _ = by_finding(cube, v)
        t4, g4 = resolution(cube, v)
        variants[0][f.key] = compared(traces1, n1, f, f1)
        variants[1][f.key] = marked_variant(t2, g2.text)
        variants[2][f.key] = compared(traces3, n1, f, f3)
        variants[3][f.key] = marked_variant(t4, g4.text)
        variants[4][f.key] = compared(traces5, lv, f, f5)
        in_lost = v == ALL or v in lv  # a vendor with no such rejection is not in that cube
        headline_variants[f.key] = [
            ("checks (all stages)", count_text(cube.value(vendor_id=v))),
            ("adverse reports", count_text(cube.value(vendor_id=v, status="adverse"))),
            (
                "background-check rejections (post-interview)",
                count_text(lcube.value(vendor_id=v) if in_lost else 0),
            ),
            (
                "of those, report corrected on dispute",
                count_text(lcube.value(vendor_id=v, detail="dispute_corrected") if in_lost else 0),
            ),
        ]
    return Page(
        "background_checks",
        "Background checks",
        "How often does a background check end an offer, per vendor and finding? How often are "
        "adverse reports disputed and corrected, and how long do disputes take against the FCRA's 30 days?",
        f3.text + ".",
        [
            Chart(
                f1,
                fig1,
                tab1,
                "Checks: every background check in the warehouse, at any stage.",
                name="adverse action rate by vendor",
                variants=variants[0],
            ),
            Chart(
                f2,
                fig2,
                tab2,
                f"Findings not shown (suppressed) are drawn together as one hatched bar "
                f"('{HIDDEN_FINDINGS}').",
                name="adverse action by finding",
                variants=variants[1],
            ),
            Chart(
                f3,
                fig3,
                tab3,
                "Dispute rate: disputes per adverse report; correction rate: corrections per dispute. "
                "Where one vendor's rate is not shown, the title compares with the other "
                "vendors pooled.",
                name="dispute and correction rates by vendor",
                variants=variants[2],
            ),
            Chart(
                f4,
                fig4,
                tab4,
                "Measured from report completion to resolution: the dispute start date is not in "
                "the data, so this overstates each dispute's length. Bands not shown (suppressed) are "
                "drawn together as one hatched bar on their side of the line; where the sides are "
                f"suppressed too, the disputes are one grey hatched bar on the line ('{NOT_SPLIT}').",
                name="dispute resolution days",
                variants=variants[3],
            ),
            Chart(
                f5,
                fig5,
                tab5,
                "Background-check rejections are post-interview rejections put down to the check "
                "(Overview, Reasons), so they do not match the adverse reports: adverse reports "
                "include applications that were not in the cohort, and a rejection can be put down "
                "to the check by the recruiter's note or have no check record. The grey "
                f"'{SUPPRESSED_NAME}' part of a bar holds the hidden outcomes: small ones, and "
                "those hidden so that a small one cannot be worked out, including every outcome "
                "whose count of checks this page hides for that vendor (these rejections are among "
                "those checks, so a shown part would bound the hidden one).",
                name="background check rejections by vendor and report outcome",
                variants=variants[4],
            ),
        ],
        [
            ("checks (all stages)", count_text(cube.value())),
            ("adverse reports", count_text(all_adverse)),
            ("background-check rejections (post-interview)", count_text(lost_total)),
            ("of those, report corrected on dispute", count_text(wrong)),
        ],
        tidy=pl.concat([tidy(cube), tidy(lcube)], how="diagonal_relaxed"),
        findings=[f1, f2, f3, f4, f5],
        figures={
            "background checks": cube.value(),
            "post-interview rejections: background_check": lost_total,
        },
        filters=[(f.key, f.label) for f in pick],
        headline_variants=headline_variants,
    )
