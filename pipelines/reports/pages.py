"""The six report pages. Each reads small ``report_*`` aggregates (built by ``sql/reports``),
applies small-group suppression, and states each chart's finding in words computed from the data.
"""

from __future__ import annotations

import statistics

import duckdb
import plotly.graph_objects as go
import polars as pl

from pipelines.reports.html import Chart, Page, Table
from pipelines.reports.privacy import (
    SUPPRESSED,
    count_text,
    count_value,
    esc,
    is_small,
    rate,
    rate_text,
    wilson_interval,
)

REASON_ORDER = ["competition", "background_check", "goal_mismatch", "other", "unknown"]
REASON_COLOURS = {
    "competition": "#3366cc",
    "background_check": "#dc3912",
    "goal_mismatch": "#ff9900",
    "other": "#109618",
    "unknown": "#9e9e9e",
}
FCRA_DAYS = 30


def _df(con: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    return con.sql(f"select * from {table}").pl()


def _label(s: object) -> str:
    return esc(str(s).replace("_", " "))


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.0%}"


def _share(num: int, den: int, sentence: str, otherwise: str, digits: int = 0) -> str:
    """``sentence`` with its {share} filled in, or ``otherwise`` where the share may not be shown."""
    r = rate(num, den)
    return sentence.format(share=f"{r:.{digits}%}") if r is not None else otherwise


def _axis(fig: go.Figure, x: str, y: str) -> go.Figure:
    fig.update_xaxes(title_text=esc(x))
    fig.update_yaxes(title_text=esc(y))
    return fig


def _count_bar(x: list, counts: list, hover: str, colour: str | list[str]) -> go.Bar:
    """One bar per group: suppressed groups are gaps, and hover shows "<11" for them."""
    return go.Bar(
        x=x,
        y=[count_value(n) for n in counts],
        customdata=[count_text(n) for n in counts],
        hovertemplate=hover + "<extra></extra>",
        marker_color=colour,
    )


def _stacked_reasons(
    df: pl.DataFrame, dim: str, dim_label: str, order: list | None = None
) -> tuple[go.Figure, Table]:
    """Counts of post-interview rejections by reason within each value of ``dim``."""
    g = df.group_by(dim, "reason").agg(pl.col("n").sum()).sort(dim)
    dims = order or sorted(g[dim].unique().to_list(), key=str)
    wide = {(r[dim], r["reason"]): r["n"] for r in g.iter_rows(named=True)}
    fig = go.Figure()
    for reason in REASON_ORDER:
        ys = [count_value(wide.get((d, reason), 0)) for d in dims]
        texts = [count_text(wide.get((d, reason), 0)) for d in dims]
        fig.add_bar(
            x=[_label(d) for d in dims],
            y=ys,
            name=_label(reason),
            marker_color=REASON_COLOURS[reason],
            customdata=texts,
            hovertemplate="%{x}<br>" + _label(reason) + ": %{customdata}<extra></extra>",
        )
    fig.update_layout(barmode="stack", legend_title_text="reason")
    _axis(fig, dim_label, "post-interview rejections")
    rows = []
    for d in dims:
        total = sum(wide.get((d, r), 0) for r in REASON_ORDER)
        rows.append(
            [str(d)] + [count_text(wide.get((d, r), 0)) for r in REASON_ORDER] + [count_text(total)]
        )
    return fig, Table([dim_label] + REASON_ORDER + ["total"], rows)


# ------------------------------------------------------------------------------------------------


def overview(con: duckdb.DuckDBPyConnection) -> Page:
    h = _df(con, "report_headline").row(0, named=True)
    funnel = _df(con, "report_funnel").sort("stage_order")
    mix = _df(con, "report_reason_mix").group_by("reason").agg(pl.col("n").sum())
    counts = {r["reason"]: r["n"] for r in mix.iter_rows(named=True)}
    cohort = h["post_interview_rejections"]

    # Funnel with pass-through rates.
    stages, apps = funnel["stage"].to_list(), funnel["applications"].to_list()
    through = [None] + [rate(apps[i], apps[i - 1]) for i in range(1, len(apps))]
    drops = [
        (through[i], stages[i - 1], stages[i])
        for i in range(1, len(stages))
        if through[i] is not None
    ]
    worst = min(drops) if drops else None
    fig = go.Figure(
        go.Bar(
            x=[_label(s) for s in stages],
            y=[count_value(a) for a in apps],
            customdata=[[count_text(a), _pct(t)] for a, t in zip(apps, through, strict=True)],
            hovertemplate="%{x}: %{customdata[0]} applications<br>pass-through %{customdata[1]}<extra></extra>",
            text=[_pct(t) if t is not None else "" for t in through],
            textposition="outside",
            marker_color="#486581",
        )
    )
    _axis(fig, "stage reached", "applications")
    finding1 = (
        f"The steepest drop is from {worst[1].replace('_', ' ')} to {worst[2].replace('_', ' ')}: "
        f"only {worst[0]:.0%} pass"
        if worst
        else "Too few applications to show pass-through rates"
    )
    funnel_table = Table(
        ["stage", "applications", "pass-through from previous stage"],
        [
            [s, count_text(a), _pct(t) if i else ""]
            for i, (s, a, t) in enumerate(zip(stages, apps, through, strict=True))
        ],
    )

    # The cohort within all rejections.
    other_rej = h["rejections"] - cohort
    share = rate(cohort, h["rejections"])
    fig2 = go.Figure(
        go.Bar(
            x=["after a successful interview", "all other rejections"],
            y=[count_value(cohort), count_value(other_rej)],
            customdata=[count_text(cohort), count_text(other_rej)],
            hovertemplate="%{x}: %{customdata}<extra></extra>",
            marker_color=["#dc3912", "#9fb3c8"],
        )
    )
    _axis(fig2, "rejection", "applications")
    finding2 = _share(
        cohort,
        h["rejections"],
        f"{{share}} of rejected applicants had interviewed well ({count_text(cohort)} of "
        f"{count_text(h['rejections'])})",
        "Rejections after a successful interview (too few to state a share)",
    )

    # Reason mix.
    total = sum(counts.values())
    ranked = sorted(((counts.get(r, 0), r) for r in REASON_ORDER), reverse=True)
    fig3 = go.Figure(
        go.Bar(
            x=[_label(r) for r in REASON_ORDER],
            y=[count_value(counts.get(r, 0)) for r in REASON_ORDER],
            customdata=[
                [count_text(counts.get(r, 0)), rate_text(counts.get(r, 0), total)]
                for r in REASON_ORDER
            ],
            hovertemplate="%{x}: %{customdata[0]} (%{customdata[1]})<extra></extra>",
            marker_color=[REASON_COLOURS[r] for r in REASON_ORDER],
        )
    )
    _axis(fig3, "reason", "post-interview rejections")
    top, second = ranked[0], ranked[1]
    finding3 = (
        f"{top[1].replace('_', ' ').capitalize()} is the most common reason ({rate_text(top[0], total)}), "
        f"then {second[1].replace('_', ' ')} ({rate_text(second[0], total)})"
        if total
        else "No post-interview rejections in the data"
    )
    period = f"{h['first_application']} to {h['last_decision']}"
    return Page(
        "overview",
        "Overview",
        "Where do candidates who interviewed well fall out of the funnel, and why?",
        f"{count_text(cohort)} post-interview rejections ({_pct(share)} of rejections), {period}.",
        [
            Chart(
                finding1,
                fig,
                funnel_table,
                "Each application counts at every stage up to the one it reached.",
            ),
            Chart(
                finding2,
                fig2,
                Table(
                    ["rejection", "applications"],
                    [
                        ["after a successful interview", count_text(cohort)],
                        ["all other rejections", count_text(other_rej)],
                    ],
                ),
            ),
            Chart(
                finding3,
                fig3,
                Table(
                    ["reason", "post-interview rejections", "share"],
                    [
                        [r, count_text(counts.get(r, 0)), rate_text(counts.get(r, 0), total)]
                        for r in REASON_ORDER
                    ],
                ),
            ),
        ],
        [
            ("period covered", period),
            ("applications", count_text(h["applications"])),
            ("hires", count_text(h["hires"])),
            ("rejected after a successful interview", count_text(cohort)),
            ("reason unknown", rate_text(h["unknown_reason"], cohort)),
        ],
    )


def reasons(con: duckdb.DuckDBPyConnection) -> Page:
    df = _df(con, "report_reason_mix").with_columns(
        pl.col("decision_month").dt.strftime("%Y-%m").alias("month")
    )
    conf = _df(con, "report_confidence")
    total = int(df["n"].sum() or 0)

    monthly = df.group_by("month").agg(pl.col("n").sum()).sort("month")
    months, per_month = monthly["month"].to_list(), monthly["n"].to_list()
    fig1, t1 = _stacked_reasons(df, "month", "month decided", months)
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

    fam = df.group_by("job_family").agg(pl.col("n").sum()).sort("n", descending=True)
    fig2, t2 = _stacked_reasons(df, "job_family", "job family", fam["job_family"].to_list())
    top_fam = fam.row(0, named=True) if fam.height else None
    fam_reason = (
        df.filter(pl.col("job_family") == top_fam["job_family"])
        .group_by("reason")
        .agg(pl.col("n").sum())
        .sort("n", descending=True)
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

    seniority_order = ["entry", "mid", "senior", "lead", "executive", "not recorded"]
    sen = df.group_by("seniority").agg(pl.col("n").sum())
    present = [s for s in seniority_order if s in sen["seniority"].to_list()]
    fig3, t3 = _stacked_reasons(df, "seniority", "seniority", present)
    sen_rates = {}
    for s in present:
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
        _count_bar(
            [f"{b:.1f}–{b + 0.1:.1f}" for b in bins["confidence_bin"].to_list()],
            bins["n"].to_list(),
            "confidence %{x}: %{customdata}",
            "#486581",
        )
    )
    _axis(fig4, "confidence", "assignments")
    high = int(conf.filter(pl.col("confidence_bin") >= 0.9)["n"].sum())
    unknown = int(df.filter(pl.col("reason") == "unknown")["n"].sum())
    finding4 = _share(
        high,
        total,
        "{share} of assignments have confidence of 0.9 or more",
        "Confidence of the assignments",
    ) + _share(unknown, total, "; {share} of reasons are unknown (no evidence at all)", "")
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


def _rate_bars(
    names: list[str], succ: list[int], totals: list[int], label: str, colour: str
) -> go.Bar:
    ys, lo, hi, custom = [], [], [], []
    for s, n in zip(succ, totals, strict=True):
        r = rate(s, n)
        if r is None:
            ys.append(None)
            lo.append(0)
            hi.append(0)
        else:
            a, b = wilson_interval(s, n)
            ys.append(r * 100)
            lo.append((r - a) * 100)
            hi.append((b - r) * 100)
        custom.append(f"{rate_text(s, n)} of {count_text(n)}")
    return go.Bar(
        x=[_label(n) for n in names],
        y=ys,
        name=esc(label),
        marker_color=colour,
        error_y={"type": "data", "symmetric": False, "array": hi, "arrayminus": lo},
        customdata=custom,
        hovertemplate="%{x}: %{customdata}<extra>" + esc(label) + "</extra>",
    )


def background_checks(con: duckdb.DuckDBPyConnection) -> Page:
    df = _df(con, "report_background_checks")
    vendors = (
        df.group_by("vendor_id")
        .agg(pl.col("checks", "adverse", "disputed", "corrected", "upheld", "pending").sum())
        .sort("vendor_id")
    )
    v = vendors.to_dict(as_series=False)
    names = v["vendor_id"]

    fig1 = go.Figure(_rate_bars(names, v["adverse"], v["checks"], "adverse action", "#dc3912"))
    _axis(fig1, "screening vendor", "checks ending in adverse action (%)")
    adverse_rates = {
        n: rate(a, c) for n, a, c in zip(names, v["adverse"], v["checks"], strict=True)
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
            [n, count_text(c), count_text(a), rate_text(a, c, 1), _ci_text(a, c)]
            for n, c, a in zip(names, v["checks"], v["adverse"], strict=True)
        ],
    )

    findings = (
        df.filter(pl.col("finding") != "none")
        .group_by("finding")
        .agg(pl.col("checks", "adverse").sum())
        .sort("adverse", descending=True)
    )
    f = findings.to_dict(as_series=False)
    fig2 = go.Figure(
        _count_bar(
            [_label(x) for x in f["finding"]],
            f["adverse"],
            "%{x}: %{customdata} offers ended",
            "#dc3912",
        )
    )
    _axis(fig2, "finding on the report", "checks ending in adverse action")
    finding2 = (
        f"{str(f['finding'][0]).replace('_', ' ').capitalize()} findings end the most offers ({count_text(f['adverse'][0])})"
        if f["finding"]
        else "No adverse findings recorded"
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
            _rate_bars(
                names, v["disputed"], v["adverse"], "disputed (of adverse reports)", "#ff9900"
            ),
            _rate_bars(names, v["corrected"], v["disputed"], "corrected (of disputes)", "#3366cc"),
        ]
    )
    fig3.update_layout(barmode="group")
    _axis(fig3, "screening vendor", "% with 95% CI (Wilson)")
    # The vendor with the highest correction rate that may be shown, against all other vendors
    # pooled (the pool is usually large enough even where single vendors are suppressed).
    corr = {n: (c, d) for n, c, d in zip(names, v["corrected"], v["disputed"], strict=True)}
    shown_corr = {k: c / d for k, (c, d) in corr.items() if rate(c, d) is not None}
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
                _ci_text(c, d),
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

    days = _df(con, "report_dispute_days")
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
    _axis(fig4, "days from report to dispute resolution", "resolved disputes")
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
        days.group_by("vendor_id").agg(pl.col("n", "over_30_days").sum()).sort("vendor_id")
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

    lost = _df(con, "report_lost_offers")
    lost_total = int(lost["n"].sum() or 0)
    wrong = (
        lost.filter(pl.col("detail") == "dispute_corrected")
        .group_by("vendor_id")
        .agg(pl.col("n").sum())
        .sort("vendor_id")
    )
    n_wrong = int(wrong["n"].sum() or 0)
    fig5 = go.Figure(
        _count_bar(
            [_label(x) for x in wrong["vendor_id"]], wrong["n"], "%{x}: %{customdata}", "#3366cc"
        )
    )
    _axis(fig5, "screening vendor", "offers lost to a report later corrected")
    finding5 = (
        f"{count_text(n_wrong)} candidates who interviewed well lost the job to a report later "
        "shown to be wrong"
        + _share(n_wrong, lost_total, " ({share} of background-check rejections)", "")
    )
    by_detail = lost.group_by("detail").agg(pl.col("n").sum()).sort("n", descending=True)
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


def _ci_text(s: int, n: int) -> str:
    if rate(s, n) is None:
        return SUPPRESSED if n else ""
    a, b = wilson_interval(s, n)
    return f"{a:.0%}–{b:.0%}"


def competition(con: duckdb.DuckDBPyConnection) -> Page:
    df = _df(con, "report_competition_gaps")
    exp = df.group_by("experience_gap_years").agg(pl.col("n").sum()).sort("experience_gap_years")
    total = int(df["n"].sum() or 0)
    fig1 = go.Figure(
        _count_bar(
            exp["experience_gap_years"].to_list(),
            exp["n"],
            "hire had %{x} more years: %{customdata}",
            "#3366cc",
        )
    )
    _axis(fig1, "years more experience the hire had (capped at -5 and 15)", "competition cases")
    expanded = [
        g
        for g, n in zip(exp["experience_gap_years"], exp["n"], strict=True)
        for _ in range(int(n))
        if g is not None
    ]
    median = statistics.median(expanded) if expanded else None
    two_plus = sum(
        n
        for g, n in zip(exp["experience_gap_years"], exp["n"], strict=True)
        if g is not None and g >= 2
    )
    finding1 = (
        f"In competition cases the hire had a median of {median:g} more years of experience; "
        f"{rate_text(two_plus, total)} had 2 or more"
        if median is not None and not is_small(total)
        else "Experience gap to the hire (too few competition cases to summarise)"
    )
    edu = df.group_by("education_gap_levels").agg(pl.col("n").sum()).sort("education_gap_levels")
    fig2 = go.Figure(
        _count_bar(
            edu["education_gap_levels"].to_list(), edu["n"], "%{x} levels: %{customdata}", "#ff9900"
        )
    )
    _axis(fig2, "education levels the hire had above the candidate", "competition cases")
    higher = int(edu.filter(pl.col("education_gap_levels") > 0)["n"].sum() or 0)
    finding2 = _share(
        higher,
        total,
        "The hire had a higher level of education in {share} of competition cases",
        "Education gap to the hire (too few competition cases to state a share)",
    )
    return Page(
        "competition",
        "Competition",
        "When another candidate was stronger, how much stronger was the hire? (For career advisers: the "
        "experience and education gaps.)",
        finding1 + ".",
        [
            Chart(
                finding1,
                fig1,
                Table(
                    ["experience gap (years)", "competition cases"],
                    [
                        [g, count_text(n)]
                        for g, n in zip(exp["experience_gap_years"], exp["n"], strict=True)
                    ],
                ),
            ),
            Chart(
                finding2,
                fig2,
                Table(
                    ["education gap (levels)", "competition cases"],
                    [
                        [g, count_text(n)]
                        for g, n in zip(edu["education_gap_levels"], edu["n"], strict=True)
                    ],
                ),
            ),
        ],
        [("competition cases", count_text(total))],
    )


def goal_mismatch(con: duckdb.DuckDBPyConnection) -> Page:
    df = _df(con, "report_goal_mismatch")
    goals = ["rapid_advancement", "steady_growth", "stay_in_role", "undecided", "not recorded"]
    outlooks = ["limited", "moderate", "strong", "not recorded"]
    goals = [g for g in goals if g in df["career_goal"].to_list()]
    outlooks = [o for o in outlooks if o in df["advancement_outlook"].to_list()]
    cell = {(r["career_goal"], r["advancement_outlook"]): r for r in df.iter_rows(named=True)}
    z, text = [], []
    for g in goals:
        zr, tr = [], []
        for o in outlooks:
            n = cell.get((g, o), {}).get("goal_mismatch", 0)
            zr.append(count_value(n))
            tr.append(count_text(n))
        z.append(zr)
        text.append(tr)
    fig1 = go.Figure(
        go.Heatmap(
            z=z,
            x=[_label(o) for o in outlooks],
            y=[_label(g) for g in goals],
            text=text,
            texttemplate="%{text}",
            customdata=text,
            hovertemplate="goal %{y}, role outlook %{x}: %{customdata}<extra></extra>",
            colorscale="Oranges",
            colorbar={"title": {"text": "goal mismatch"}},
        )
    )
    _axis(fig1, "what the role offers (advancement outlook)", "candidate's career goal")
    amb = int(df["ambitious_for_limited_role"].sum() or 0)
    settled = int(df["settled_for_growth_role"].sum() or 0)
    stated = int(df["stated_in_notes"].sum() or 0)
    total = int(df["goal_mismatch"].sum() or 0)
    finding1 = _share(
        amb,
        total,
        "{share} of goal mismatches are ambitious candidates in roles with limited progression",
        "Candidate goal against what the role offers (too few goal mismatches to state shares)",
    ) + _share(settled, total, "; {share} run the other way", "")
    t1 = Table(
        ["career goal", "advancement outlook", "post-interview rejections", "goal mismatch"],
        [
            [
                g,
                o,
                count_text(cell.get((g, o), {}).get("rejections", 0)),
                count_text(cell.get((g, o), {}).get("goal_mismatch", 0)),
            ]
            for g in goals
            for o in outlooks
        ],
    )
    labels = [
        "ambitious for a limited role",
        "settled in a growth role",
        "stated in the notes only",
    ]
    values = [amb, settled, stated]
    fig2 = go.Figure(_count_bar(labels, values, "%{x}: %{customdata}", "#ff9900"))
    _axis(fig2, "which way the mismatch ran", "goal-mismatch rejections")
    way = max(zip(values, labels, strict=True))
    finding2 = (
        f"The largest group of goal mismatches: {way[1]} ({rate_text(way[0], total)})"
        if total
        else "No goal mismatches"
    )
    return Page(
        "goal_mismatch",
        "Goal mismatch",
        "Where did the candidate's career goals not fit what the role offers, and which way did it run?",
        finding1 + ".",
        [
            Chart(finding1, fig1, t1),
            Chart(
                finding2,
                fig2,
                Table(
                    ["direction", "goal-mismatch rejections"],
                    [[lbl, count_text(v)] for lbl, v in zip(labels, values, strict=True)],
                ),
            ),
        ],
        [("goal-mismatch rejections", count_text(total))],
    )


def data_quality(con: duckdb.DuckDBPyConnection) -> Page:
    dq = _df(con, "report_data_quality")
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
    _axis(fig1, "table", "rows (log scale)")
    loaded = sum(get.get((t, "loaded"), 0) for t in tables)
    quarantined = sum(get.get((t, "quarantined"), 0) for t in tables)
    worst = max(tables, key=lambda t: get.get((t, "quarantined"), 0))
    finding1 = (
        _share(
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
    _axis(fig2, "quarantined rows", "")
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

    audit = _df(con, "reason_rule_audit").sort("hits", descending=True)
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
    _axis(fig3, "rule", "%")
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


PAGES = [overview, reasons, background_checks, competition, goal_mismatch, data_quality]
