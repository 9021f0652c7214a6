"""Data quality: what loaded, what was quarantined and why, and how each reason rule behaves.

Quarantined rows are shown by the kind of problem and the column it is in, never by value: the
kinds come from ``report_data_quality`` and are put into words here from the contract (a column
is named only if the contract has it).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import plotly.graph_objects as go
import polars as pl

from pipelines.contract import Contract, load_contract
from pipelines.reports.charts import axis, share
from pipelines.reports.context import ReportContext
from pipelines.reports.html import Chart, Page, Table
from pipelines.reports.privacy import (
    SUPPRESSED,
    count_text,
    count_value,
    is_small,
    plot_text,
    rate_text,
)

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
    # Quarantined rows by problem: each (table, kind, column) group put into words, then counted.
    contract = load_contract()
    quarantined_rows = dq.filter(pl.col("status") == "quarantined").with_columns(
        pl.col("detail").fill_null("")
    )
    keys = quarantined_rows.select("source_table", "problem", "detail").unique()
    keys = keys.with_columns(
        pl.Series(
            "shown_table",
            [t if t in contract.tables else "other table" for t in keys["source_table"]],
            dtype=pl.String,
        ),
        pl.Series(
            "reason",
            [problem_text(t, p, d or None, contract) for t, p, d in keys.iter_rows()],
            dtype=pl.String,
        ),
    )
    reasons_q = (
        quarantined_rows.join(keys, on=["source_table", "problem", "detail"])
        .group_by("shown_table", "reason")
        .agg(pl.col("n").sum())
        .sort("n", "shown_table", "reason", descending=[True, False, False])
        .head(15)
        .select(pl.col("shown_table").alias("source_table"), "reason", "n")
    )
    fig2 = go.Figure(
        go.Bar(
            y=[
                plot_text(f"{t}: {r}")
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
        ["table", "problem (values are never shown)", "rows"],
        [
            [t, r, count_text(n)]
            for t, r, n in zip(
                reasons_q["source_table"], reasons_q["reason"], reasons_q["n"], strict=True
            )
        ],
    )

    audit = data.rule_audit.sort("hits", "rule_id", descending=[True, False])
    fig3 = go.Figure()
    fig3.add_bar(
        x=[plot_text(r) for r in audit["rule_id"]],
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
        x=[plot_text(r) for r in audit["rule_id"]],
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
