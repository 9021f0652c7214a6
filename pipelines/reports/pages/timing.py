"""Time: days from the last interview to the decision, by what the decision was, and for checks
ending in adverse action, the days from the report to the decision against the FCRA's
pre-adverse waiting period."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.reports.charts import GREY, OKABE_ITO, axis, figure, shown, stacked
from pipelines.reports.context import ReportContext
from pipelines.reports.cubes import named_values, ordered, relabel
from pipelines.reports.findings import share_over
from pipelines.reports.html import Chart, Page, Table
from pipelines.reports.population import tidy
from pipelines.reports.privacy import count_text
from pipelines.reports.suppression import ALL, Cube, Dim, View

# A decision dated before the last interview is a record that contradicts itself (listed in the
# implausible_records table), not a fast decision: it has a band of its own.
BEFORE = "decided before the last interview"
BANDS = (BEFORE, "under 1 week", "1–2 weeks", "2–4 weeks", "4–8 weeks", "8 weeks or more")
DECISIONS = (
    "hired",
    "rejected after a successful interview",
    "other rejection",
    "withdrawn",
    "offer_declined",
)
WAIT = ("under 7 days", "7–13 days", "14–29 days", "30 days or more", "no date")
REQUEST = ("under 14 days", "14–29 days", "30–59 days", "60 days or more", "no date")
# the bands from fast (vermillion) to slow (purple); grey for the contradictory records
BAND_COLOURS = (
    GREY,
    OKABE_ITO["vermillion"],
    OKABE_ITO["orange"],
    OKABE_ITO["sky"],
    OKABE_ITO["blue"],
    OKABE_ITO["purple"],
)
# adverse-action waits, fast to slow; grey for no date
WAIT_COLOURS = (
    OKABE_ITO["vermillion"],
    OKABE_ITO["orange"],
    OKABE_ITO["sky"],
    OKABE_ITO["blue"],
    GREY,
)


@dataclass(frozen=True)
class TimingData:
    decision_time: pl.DataFrame  # report_decision_time
    check_timing: pl.DataFrame  # report_check_timing


def data(con: duckdb.DuckDBPyConnection) -> TimingData:
    return TimingData(
        decision_time=con.sql("select * from report_decision_time").pl(),
        check_timing=con.sql("select * from report_check_timing").pl(),
    )


def build(data: TimingData, ctx: ReportContext) -> Page:
    dt = data.decision_time
    decisions = Dim(
        "decision", tuple(dict.fromkeys([*DECISIONS, *dt["decision"].unique().to_list()]))
    )
    band = Dim("band", BANDS)
    cube = Cube(
        "decisions after an interview",
        [decisions, band],
        dt,
        [View({})],
        pinned=[{"decision": "rejected after a successful interview"}],  # the cohort's, mostly
    )
    rows = list(decisions.leaves)
    segs = [
        (b, c, [cube.value(decision=d, band=b) for d in rows])
        for b, c in zip(BANDS, BAND_COLOURS, strict=True)
    ]
    fig1 = figure(
        stacked(rows, segs, [cube.value(decision=d) for d in rows], horizontal=True),
        barmode="stack",
    )
    axis(fig1, "decisions", "what was decided")
    slow = cube.value(decision="rejected after a successful interview", band="8 weeks or more")
    cohort = cube.value(decision="rejected after a successful interview")
    f1 = share_over(
        slow,
        cohort,
        "candidates rejected after a successful interview",
        "waited 8 weeks or more after their last interview",
    )
    if f1.holds:
        f1 = type(f1)(
            f1.text,
            True,
            f1.test,
            "Set a decision deadline after the final interview: many candidates who interviewed well wait 8 weeks or more for a rejection",
        )
    t1 = Table(
        ["decision", *BANDS, "total"],
        [
            [
                d,
                *[shown(cube.value(decision=d, band=b)) for b in BANDS],
                shown(cube.value(decision=d)),
            ]
            for d in [*rows, ALL]
        ],
    )

    ct = data.check_timing
    vmap = named_values(ct, "vendor_id")
    ct = relabel(ct, "vendor_id", vmap)
    vendor = Dim("vendor_id", ordered(list(vmap.values()) or ["not recorded"]))
    wait = Dim("report_to_decision", WAIT)
    req = Dim("request_to_decision", REQUEST)
    tcube = Cube(
        "adverse-action decisions",
        [vendor, wait, req],
        ct,
        [View({"request_to_decision": [ALL]}), View({"report_to_decision": [ALL]})],
    )
    vs = list(vendor.leaves)
    segs2 = [
        (w, c, [tcube.value(vendor_id=v, report_to_decision=w) for v in vs])
        for w, c in zip(WAIT, WAIT_COLOURS, strict=True)
    ]
    fig2 = figure(stacked(vs, segs2, [tcube.value(vendor_id=v) for v in vs]), barmode="stack")
    fig2.update_xaxes(type="category")
    axis(fig2, "screening vendor", "rejections after adverse action")
    short, total = tcube.value(report_to_decision="under 7 days"), tcube.value()
    f2 = share_over(
        short,
        total,
        "rejections after an adverse report",
        "were decided less than 7 days after the report was completed: check that each had its "
        "pre-adverse notice and waiting period",
    )
    if f2.holds and short:
        f2 = type(f2)(
            f2.text,
            True,
            f2.test,
            "Check the pre-adverse notice process: some rejections follow an adverse report by less "
            "than a week, which leaves little room for the notice and the usual 5-business-day wait",
        )
    t2 = Table(
        ["vendor", *WAIT, "total", *[f"request to decision: {r}" for r in REQUEST]],
        [
            [
                v,
                *[shown(tcube.value(vendor_id=v, report_to_decision=w)) for w in WAIT],
                shown(tcube.value(vendor_id=v)),
                *[shown(tcube.value(vendor_id=v, request_to_decision=r)) for r in REQUEST],
            ]
            for v in [*vs, ALL]
        ],
    )
    return Page(
        "timing",
        "Time",
        "How long do candidates wait for a decision after their last interview, and is the FCRA "
        "pre-adverse waiting period kept before an adverse-action rejection?",
        f1.text + ".",
        [
            Chart(
                f1,
                fig1,
                t1,
                "Days from the last interview to the decision; pending applications are left out. "
                f"'{BEFORE.capitalize()}' (grey) are records whose decision is dated before their "
                "last interview: they contradict themselves (the warehouse table "
                "implausible_records lists them; `make run` warns with their count) and are not "
                "counted as fast decisions.",
                name="days from last interview to decision",
            ),
            Chart(
                f2,
                fig2,
                t2,
                "The FCRA requires a pre-adverse notice with the report before a final adverse action "
                "and a reasonable wait (commonly 5 business days). The notice date is not in the data, "
                "so this measures report completion to the application's decision; the 30-day dispute "
                "clock is on the Background checks page.",
                name="days from adverse report to decision",
            ),
        ],
        [
            ("decisions after an interview", count_text(cube.value())),
            ("adverse-action rejections", count_text(total)),
        ],
        tidy=pl.concat([tidy(cube), tidy(tcube)], how="diagonal_relaxed"),
        findings=[f1, f2],
    )
