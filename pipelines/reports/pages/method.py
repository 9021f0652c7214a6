"""Method: for the engineers and the curious: how each reason rule behaves (the rule audit), how
sure the assignments are, and how the pages protect small groups and test their titles."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.reports.charts import OKABE_ITO, axis, figure, shown
from pipelines.reports.context import ReportContext
from pipelines.reports.findings import LEVEL, MARGIN, Finding, Group, highest_rate, share_over
from pipelines.reports.html import Chart, Page, Table
from pipelines.reports.population import tidy
from pipelines.reports.privacy import MIN_GROUP, count_text, esc, plot_text
from pipelines.reports.suppression import ALL, Cube, Dim, View

# Calibrated confidences crowd near the top, so the bins are finer there: tenths up to 0.9, then
# steps of 0.02 (lower edge in hundredths -> bin).
EDGES = (0, 50, 60, 70, 80, 90, 92, 94, 96, 98)
BINS = tuple(
    f"{a / 100:.2f}–{b / 100:.2f}" if a else "under 0.50"
    for a, b in zip(EDGES, (*EDGES[1:], 100), strict=True)
)
HIGH = BINS[EDGES.index(90) :]  # 0.9 or more
MIN_EVAL_HITS = 20  # a rule's precision is compared only with this many evaluation hits


@dataclass(frozen=True)
class MethodData:
    rule_audit: pl.DataFrame  # reason_rule_audit
    confidence: pl.DataFrame  # report_confidence


def data(con: duckdb.DuckDBPyConnection) -> MethodData:
    return MethodData(
        rule_audit=con.sql("select * from reason_rule_audit").pl(),
        confidence=con.sql("select * from report_confidence").pl(),
    )


INTRO = (
    "<p class='note'><b>Small groups.</b> A count of 1 to {m1} people is suppressed (primary "
    "suppression). Numbers that would give it away by subtraction (a total minus the other cells, "
    "one filter minus the others, one page against another) are suppressed with it "
    "(complementary suppression by hypercubes: each hidden cell can move without any shown "
    "number changing). Filters are separate pre-built aggregates suppressed together.</p>"
    "<p class='note'><b>Titles.</b> A title claims a difference only when a test says so: the "
    "95 % Wilson intervals separate (and a 'highest' leads by {margin} points) or a two-sided "
    "two-proportion z-test at the {level} level; a trend over time uses complete months only "
    "and is tested on the rate per interviewed candidate, not on a count that grows with the "
    "number interviewed; a trend across interview rounds by the Cochran–Armitage test. Otherwise the title says what the data shows, e.g. the "
    "range of the rates. Under each chart: how its title was tested.</p>"
)


def build(data: MethodData, ctx: ReportContext) -> Page:
    audit = data.rule_audit.sort("hits", "rule_id", descending=[True, False])
    rules = audit["rule_id"].to_list()
    hits = [h if h >= MIN_GROUP or h == 0 else None for h in audit["hits"].to_list()]
    fig1 = figure(
        [
            {
                "type": "bar",
                "y": [plot_text(r) for r in rules][::-1],
                "x": hits[::-1],
                "orientation": "h",
                "marker": {"color": OKABE_ITO["blue"]},
                "hovertemplate": "%{y}: %{x:,} applications<extra></extra>",
            }
        ],
        height=max(360, 60 + 20 * len(rules)),
        margin={"l": 260},
    )
    axis(fig1, "post-interview rejections the rule fired on", "")
    evals = audit.filter(pl.col("eval_hits") >= MIN_EVAL_HITS)
    errors = [
        Group(r, int(round(h * (1 - p))), int(h))
        for r, h, p in evals.select("rule_id", "eval_hits", "eval_precision").iter_rows()
    ]
    tested = highest_rate(errors, "error rate", "rule")
    f1 = Finding(
        f"{len(rules)} rules by how often they fire. On the evaluation set (error rates in the "
        f"table): {tested.text[:1].lower()}{tested.text[1:]}",
        tested.holds,
        tested.test,
    )
    t1 = Table(
        [
            "rule",
            "kind",
            "reason",
            "applications",
            "coverage (%)",
            "overlap (%)",
            "conflict (%)",
            "evaluation hits",
            "evaluation precision (%)",
        ],
        [
            [
                r["rule_id"],
                r["kind"],
                r["reason"],
                shown(h),
                None if h is None else round(100 * r["coverage"], 1),
                None if h is None else round(100 * r["overlap"], 1),
                None if h is None else round(100 * r["conflict"], 1),
                r["eval_hits"],
                None if r["eval_precision"] is None else round(100 * r["eval_precision"], 1),
            ]
            for r, h in zip(audit.iter_rows(named=True), hits, strict=True)
        ],
    )
    hundredths = pl.col("confidence_bin").mul(100).round().cast(pl.Int64).clip(0, 99)
    conf = (
        data.confidence.with_columns(
            hundredths.replace_strict(
                {h: BINS[sum(e <= h for e in EDGES) - 1] for h in range(100)},
                return_dtype=pl.String,
            ).alias("bin")
        )
        .group_by("reason", "bin")
        .agg(pl.col("n").sum())
    )
    reasons = tuple(dict.fromkeys([*ctx.reasons, *conf["reason"].unique().to_list()]))
    known = tuple(r for r in reasons if r != "unknown")
    cube = Cube(
        "reason assignments",
        [
            Dim(
                "reason",
                reasons,
                {"known reason": known, ALL: ("known reason", "unknown")}
                if "unknown" in reasons
                else {},
            ),
            Dim(
                "bin",
                BINS,
                {
                    "0.9 or more": HIGH,
                    "under 0.9": BINS[: -len(HIGH)],
                    ALL: ("under 0.9", "0.9 or more"),
                },
            ),
        ],
        conf,
        [View({})],
        # each reason's count and the total are the post-interview rejections' (population.py)
        pinned=[{}, *({"reason": r} for r in reasons)],
    )
    who = "known reason" if "unknown" in reasons else ALL
    ys = [cube.value(reason=who, bin=b) for b in BINS]
    fig2 = figure(
        [
            {
                "type": "bar",
                "x": list(BINS),
                "y": ys,
                "marker": {"color": OKABE_ITO["blue"]},
                "hovertemplate": "confidence %{x}: %{y:,}<extra></extra>",
            }
        ]
    )
    axis(fig2, "confidence", "assignments with a known reason")
    f2 = share_over(
        cube.value(reason=who, bin="0.9 or more"),
        cube.value(reason=who),
        "assignments with a known reason",
        "have confidence of 0.9 or more ('unknown' not counted)",
    )
    t2 = Table(
        ["confidence", "known reason", "unknown"],
        [
            [
                b,
                shown(cube.value(reason=who, bin=b)),
                shown(cube.value(reason="unknown", bin=b)) if "unknown" in reasons else 0,
            ]
            for b in [*BINS, ALL]
        ],
    )
    return Page(
        "method",
        "Method",
        "How the reason rules behave, how sure the assignments are, and how these pages protect small groups and test their titles.",
        f2.text + ".",
        [
            Chart(
                f1,
                fig1,
                t1,
                f"Sorted by applications. Error rates are compared only for rules with {MIN_EVAL_HITS} or more evaluation hits. Overlap: share of a rule's hits where another rule also fired; conflict: where a rule for another reason fired.",
                name="rule audit",
            ),
            Chart(
                f2,
                fig2,
                t2,
                "Confidence is calibrated per decision path (rules/reasons_v1.toml); 'unknown' (no evidence) is left out of the share.",
                name="confidence of known reasons",
            ),
        ],
        [
            ("rules", str(len(rules))),
            ("assignments with a known reason", count_text(cube.value(reason=who))),
        ],
        tidy=tidy(cube),
        intro=INTRO.format(m1=MIN_GROUP - 1, margin=round(MARGIN * 100), level=esc(f"{LEVEL:.0%}")),
        findings=[f2],
        figures={"post-interview rejections": cube.value()},
    )
