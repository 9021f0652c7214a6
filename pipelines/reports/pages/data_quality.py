"""Data quality: what loaded, what was quarantined and why, and the review queue's size (the
rule audit is on the Method page).

Quarantined rows are shown by the kind of problem and the column it is in, never by value: the
kinds come from ``report_data_quality`` and are put into words here from the contract (a column
is named only if the contract has it).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import polars as pl

from pipelines.contract import Contract, load_contract
from pipelines.reports.charts import OKABE_ITO, axis, figure, pct_cell, rate_bar, shown
from pipelines.reports.context import ReportContext
from pipelines.reports.cubes import ordered
from pipelines.reports.findings import Finding, most_common, share_over
from pipelines.reports.html import Chart, Page, Table
from pipelines.reports.population import tidy
from pipelines.reports.privacy import count_text, plot_text
from pipelines.reports.suppression import ALL, Cube, Dim, View, protect

# What a bad value of each contract type is, in words.
NOT_A = {
    "enum": "value not in the accepted list",
    "date": "not a date",
    "number": "not a number",
    "integer": "not a whole number",
    "boolean": "not true or false",
}
# DuckDB's CSV reader error types (rejects table), as the ingest writes them.
CSV_ERRORS = frozenset(
    {
        "cast",
        "missing columns",
        "too many columns",
        "unquoted value",
        "line size over maximum",
        "invalid encoding",
        "invalid unicode",
    }
)


def problem_text(table: str, problem: str, detail: str | None, contract: Contract) -> str:
    """A quarantine problem in words, from its kind and column (or reader error): fixed text and
    names from the contract only, so no value from data can reach it."""
    spec = contract.tables.get(table)
    col = next((c for c in spec.columns if c.name == detail), None) if spec else None
    if col is not None:
        match problem:
            case "missing":
                return f"{col.name}: missing required value"
            case "bad_value":
                return f"{col.name}: {NOT_A.get(col.type, 'bad value')}"
            case "out_of_range" if col.min is not None and col.max is not None:
                return f"{col.name}: out of range ({col.min:g} to {col.max:g})"
            case "below_minimum" if col.min is not None:
                return f"{col.name}: below the minimum ({col.min:g})"
            case "orphan" if col.references:
                return f"{col.name}: not found in {col.references.split('.')[0]}"
            case "implausible_date":
                earliest, days = spec.date_window  # type: ignore[union-attr]
                return f"{col.name}: outside the plausible window ({earliest} to {days} days ahead)"
    rules = {r.name for r in spec.implausible} if spec else set()
    if problem == "implausible" and detail in rules:
        return f"implausible: {detail}"
    match problem:
        case "exact_duplicate":
            return "exact duplicate row"
        case "conflicting_key":
            return "duplicate key with different values"
        case "unreadable_csv":
            return "unreadable CSV line" + (f" ({detail})" if detail in CSV_ERRORS else "")
        case "unreadable_json":
            return "unreadable JSON line"
    return "other problem"


@dataclass(frozen=True)
class DataQualityData:
    quality: pl.DataFrame  # report_data_quality
    review: pl.DataFrame  # report_review_queue


def data(con: duckdb.DuckDBPyConnection) -> DataQualityData:
    return DataQualityData(
        quality=con.sql("select * from report_data_quality").pl(),
        review=con.sql("select * from report_review_queue").pl(),
    )


TABLES = ("jobs", "applications", "interviews", "background_checks")
PUBLISHED_ELSEWHERE = ("applications", "interviews", "background_checks")


def protected_input_rows(
    rows: pl.DataFrame, tables: tuple[str, ...], problems: tuple[str, ...], *, structural: bool
) -> Cube:
    """Input rows by table and what happened to them (loaded, or each quarantine problem),
    suppressed. The loaded rows of the tables other pages count are pinned; with ``structural``,
    a problem a table did not have is held at zero (never a complement)."""
    cube = Cube(
        "input rows",
        [
            Dim("table", tables),
            Dim(
                "problem",
                ("loaded", *problems),
                {"quarantined": problems, ALL: ("loaded", "quarantined")} if problems else {},
            ),
        ],
        rows,
        [View({})],
        # Rows loaded are the table's rows, which other pages count (applications, interview
        # recommendations, background checks): never a complement here, or the page's input
        # rows less that count would give away the quarantined ones.
        pinned=[{"table": t, "problem": "loaded"} for t in PUBLISHED_ELSEWHERE if t in tables],
        protected=False,
    )
    if structural:
        for i, (t, p) in enumerate(cube.keys):
            if t in tables and p in problems and cube.values[i] == 0:
                cube.high[i] = 0
    protect(cube)
    return cube


def blocked_cells(cube: Cube) -> np.ndarray:
    """Hidden cells at a bound both ways (a zero, a pinned count): a hypercube through one
    protects nothing."""
    return cube.suppressed & (cube.high <= np.maximum(cube.low, 0))


def input_rows_cube(rows: pl.DataFrame, tables: tuple[str, ...], problems: tuple[str, ...]) -> Cube:
    """The Data quality page's input rows cube.

    A problem a table did not have is never used as a complement: most such combinations cannot
    happen at all ("jobs: application_id not found in applications"), so a reader takes them as
    zero, and hidden they would protect nothing (the total quarantined less the problems listed
    gave the 7 background-check rows away). The hypercubes go through problems the tables had;
    should they take a hypercube blocked both ways (one that protects nothing), the cube is
    suppressed as before instead (zeros allowed as complements)."""
    cube = protected_input_rows(rows, tables, problems, structural=True)
    if blocked_cells(cube).any():
        return protected_input_rows(rows, tables, problems, structural=False)
    return cube


def build(data: DataQualityData, ctx: ReportContext) -> Page:
    contract = load_contract()
    dq = data.quality.with_columns(pl.col("detail").fill_null(""))
    keys = dq.select("source_table", "problem", "detail").unique()
    keys = keys.with_columns(
        pl.Series(
            "shown_table",
            [t if t in contract.tables else "other table" for t in keys["source_table"]],
            dtype=pl.String,
        ),
        pl.Series(
            "problem_text",
            [
                "loaded" if p == "loaded" else problem_text(t, p, d or None, contract)
                for t, p, d in keys.iter_rows()
            ],
            dtype=pl.String,
        ),
    )
    rows = (
        dq.join(keys, on=["source_table", "problem", "detail"])
        .group_by("shown_table", "problem_text")
        .agg(pl.col("n").sum())
        .rename({"shown_table": "table", "problem_text": "problem"})
    )
    tables = ordered(rows["table"].unique().to_list() or list(TABLES), TABLES)
    problems = tuple(sorted(p for p in rows["problem"].unique().to_list() if p != "loaded"))
    cube = input_rows_cube(rows, tables, problems)
    q = [cube.value(table=t, problem="quarantined") if problems else 0 for t in tables]
    n = [cube.value(table=t) for t in tables]
    fig1 = figure(
        [rate_bar(list(tables), q, n, "quarantined", OKABE_ITO["vermillion"], "input rows")]
    )
    fig1.update_xaxes(type="category")
    axis(fig1, "table", "input rows quarantined (%)")
    quarantined = cube.value(problem="quarantined") if problems else 0
    f1 = share_over(quarantined, cube.value(), "input rows", "were quarantined")
    t1 = Table(
        ["table", "input rows", "loaded", "quarantined", "share quarantined (%)"],
        [
            [
                t,
                shown(n[i]),
                shown(cube.value(table=t, problem="loaded")),
                shown(q[i]),
                pct_cell(q[i], n[i]),
            ]
            for i, t in enumerate(tables)
        ]
        + [
            [
                "all",
                shown(cube.value()),
                shown(cube.value(problem="loaded")),
                shown(quarantined),
                pct_cell(quarantined, cube.value()),
            ]
        ],
    )
    # Chosen by the published values only: listing the cells whose true count is not zero would
    # tell which hidden cells are zero, and the total less the listed ones would then give a
    # suppressed count away (the reader's 308 - 181 - 5 x 24 = 7).
    cells = sorted(
        (
            (cube.value(table=t, problem=p), t, p)
            for t in tables
            for p in problems
            if cube.value(table=t, problem=p) != 0
        ),
        key=lambda x: (-(x[0] if x[0] is not None else 0), x[1], x[2]),
    )[:15]
    fig2 = figure(
        [
            {
                "type": "bar",
                # a hidden count draws no bar: its label says so, or it would read as zero
                "y": [
                    plot_text(f"{t}: {p}" + (" (suppressed)" if c is None else ""))
                    for c, t, p in cells
                ][::-1],
                "x": [c for c, _, _ in cells][::-1],
                "orientation": "h",
                "marker": {"color": OKABE_ITO["vermillion"]},
                "hovertemplate": "%{y}: %{x:,}<extra></extra>",
            }
        ],
        height=max(320, 40 + 28 * len(cells)),
    )
    axis(fig2, "quarantined rows", "")
    f2 = (
        most_common([(f"{t}: {p}", c) for c, t, p in cells], quarantined, "quarantine problem")
        if problems
        else Finding("Every input row loaded: nothing was quarantined", False, "none")
    )
    t2 = Table(
        ["table", "problem (values are never shown)", "rows"],
        [[t, p, shown(c)] for c, t, p in cells],
    )

    rq = data.review
    whys = tuple(sorted(rq["why"].unique().to_list())) or ("none",)
    rcube = Cube(
        "assignments to review",
        [
            Dim("why", whys),
            Dim("reason", tuple(dict.fromkeys([*ctx.reasons, *rq["reason"].unique().to_list()]))),
        ],
        rq,
        [View({})],
    )
    wv = {w: rcube.value(why=w) for w in whys}
    order = sorted(whys, key=lambda w: -(wv[w] if wv[w] is not None else -1))
    fig3 = figure(
        [
            {
                "type": "bar",
                "y": list(order)[::-1],
                "x": [wv[w] for w in order][::-1],
                "orientation": "h",
                "marker": {"color": OKABE_ITO["blue"]},
                "hovertemplate": "%{y}: %{x:,}<extra></extra>",
            }
        ]
    )
    axis(fig3, "assignments waiting for a person", "why they were queued (sorted)")
    total_q = rcube.value()
    f3 = Finding(
        f"{count_text(total_q)} reason assignments wait for review; the list is written by `make review` beside the warehouse",
        False,
        "a count, not a comparison",
    )
    t3 = Table(
        ["why queued", *rcube.dims[1].leaves, "total"],
        [
            [
                w,
                *[shown(rcube.value(why=w, reason=r)) for r in rcube.dims[1].leaves],
                shown(rcube.value(why=w)),
            ]
            for w in [*order, ALL]
        ],
    )
    return Page(
        "data_quality",
        "Data quality",
        "How much of the input loaded, what was quarantined and why, and how many assignments wait for a person?",
        f1.text + ".",
        [
            Chart(f1, fig1, t1, name="quarantined share by table"),
            Chart(
                f2,
                fig2,
                t2,
                "The 15 most common problems; a problem is named by its kind and column, never by the value.",
                name="quarantine problems",
            ),
            Chart(
                f3,
                fig3,
                t3,
                "The cases (application id, reason, confidence, the rules that decided and every rule "
                "that fired) are about people, "
                "so they never reach this folder: whoever holds the warehouse runs `make review`, which "
                "writes review_queue.csv next to the warehouse file.",
                name="review queue by why queued",
            ),
        ],
        [
            ("input rows loaded", count_text(cube.value(problem="loaded"))),
            ("rows quarantined", count_text(quarantined)),
            ("assignments to review", count_text(total_q)),
        ],
        tidy=pl.concat([tidy(cube), tidy(rcube)], how="diagonal_relaxed"),
        findings=[f1, f2],
        figures={"assignments to review": total_q},
    )
