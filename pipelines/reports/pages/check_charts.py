"""The Background checks page's statuses, time bands and the charts that change with its vendor
filter (by finding, resolution time): one variant per vendor, built from that vendor's cells."""

from __future__ import annotations

from typing import Any

from pipelines.reports.charts import (
    FCRA_DAYS,
    GREY,
    OKABE_ITO,
    shown,
    variant_of,
    words,
)
from pipelines.reports.cubes import Filter
from pipelines.reports.findings import (
    Finding,
    most_common,
    share_over,
)
from pipelines.reports.html import Table
from pipelines.reports.suppression import ALL, Cube

STATUSES = ("no adverse action", "not disputed", "dispute pending", "corrected", "upheld")
STATUS_PARTS = {
    "disputed": ("dispute pending", "corrected", "upheld"),
    "resolved": ("corrected", "upheld"),
    "adverse": ("not disputed", "disputed"),
    ALL: ("no adverse action", "adverse"),
}
BANDS = (
    "not resolved",
    *[f"{5 * k - 4 if k > 1 else 0}–{5 * k} days" for k in range(1, 13)],
    "61+ days",
)
WITHIN, OVER = BANDS[1:7], BANDS[7:]
BAND_PARTS = {
    f"within {FCRA_DAYS} days": WITHIN,
    f"over {FCRA_DAYS} days": OVER,
    "resolved": (f"within {FCRA_DAYS} days", f"over {FCRA_DAYS} days"),
    ALL: ("not resolved", "resolved"),
}
DETAILS = ("dispute_corrected", "dispute_upheld", "dispute_pending", "not_disputed")
FADED = 0.35  # opacity of the other vendors' bars while one vendor is chosen
HIDDEN_FINDINGS = "findings not shown (suppressed), together"
NOT_SPLIT = f"not split at {FCRA_DAYS} days (suppressed)"  # resolution time, on the line


# A rejection's report outcome (report_lost_offers.detail) and the check's status in the checks
# cube: the rejections of a vendor with one outcome are among that vendor's checks with it, or
# with no adverse action (background_check_status does not ask whether the report was adverse;
# report_checks files those as 'no adverse action'; disputes are on adverse reports in the data).
# Hiding by this map is conservative either way.
LOST_STATUS = {
    "dispute_corrected": "corrected",
    "dispute_upheld": "upheld",
    "dispute_pending": "dispute pending",
    "not_disputed": "not disputed",
}


def hide_where_checks_hide(lost: Cube, checks: Cube) -> None:
    """Mark for suppression every lost-offer count whose checks count is suppressed: a shown
    subset bounds the hidden count from below (VEND-D: 15 resolved disputes, 14 lost offers
    upheld, so at most 1 corrected, although the checks page hid the corrected and upheld
    counts). protect() then hides complements for them as for small cells."""
    vendors = set(checks.dims[0].leaves)
    for i, (vendor, detail) in enumerate(lost.keys):
        status = LOST_STATUS.get(detail)
        if vendor in vendors and status and checks.value(vendor_id=vendor, status=status) is None:
            lost.suppressed[i] = True


def marked_variant(traces: list[dict[str, Any]], title: str) -> dict[str, Any]:
    """``variant_of`` with each trace's marker: this page's filters also change bar colours,
    patterns and the highlight."""
    out = variant_of(traces, title)
    for v, t in zip(out["traces"], traces, strict=True):
        v["marker"] = t["marker"]
    return out


def compared(
    traces: list[dict[str, Any]], names: list[str], f: Filter, finding: Finding
) -> dict[str, Any]:
    """A per-vendor chart under a vendor filter: every vendor stays, for comparison, the chosen
    one drawn at full strength and the others faded; the title says so."""
    opacity = [1.0 if n == f.value else FADED for n in names] if f.dim else 1.0
    marked = [{**t, "marker": {**t["marker"], "opacity": opacity}} for t in traces]
    if not f.dim:
        return marked_variant(marked, finding.text)
    return marked_variant(
        marked, f"{finding.text} (every vendor, for comparison: {f.value} highlighted)"
    )


def by_finding(cube: Cube, v: str) -> tuple[list[dict[str, Any]], Finding, Table]:
    """Adverse action by finding for one vendor (or ALL), sorted. The findings too small to show
    are drawn together as one hatched bar, the vendor's published total minus its shown findings
    (a sum of two or more hidden cells), so the bars add up to the headline."""
    leaves = list(cube.dims[1].leaves)
    fnames = [x for x in leaves if x != "none"]
    fa = {x: cube.value(vendor_id=v, finding=x, status="adverse") for x in leaves}
    forder = sorted(fnames, key=lambda x: -(fa[x] if fa[x] is not None else -1))
    total = cube.value(vendor_id=v, status="adverse")
    hidden = (
        total - sum(n or 0 for n in fa.values())
        if total is not None and any(n is None for n in fa.values())
        else None
    )
    ys = [words(x) for x in forder] + ([HIDDEN_FINDINGS] if hidden is not None else [])
    xs = [fa[x] for x in forder] + ([hidden] if hidden is not None else [])
    trace = {
        "type": "bar",
        "y": ys[::-1],
        "x": xs[::-1],
        "orientation": "h",
        "marker": {
            "color": OKABE_ITO["vermillion"],
            "pattern": {"shape": ["/" if y == HIDDEN_FINDINGS else "" for y in ys[::-1]]},
        },
        "hovertemplate": "%{y}: %{x:,}<extra></extra>",
    }
    finding = most_common(
        [(words(x), fa[x]) for x in fnames], total, "finding behind adverse action"
    )
    shown_counts = sorted((n for x, n in fa.items() if x != "none" and n is not None), reverse=True)
    if len(shown_counts) > 1 and hidden is not None and hidden > shown_counts[1]:
        # a hidden finding could be larger than the second shown one: no claim, no ranking
        finding = Finding(
            "Too few to say which finding behind adverse action is most common: some findings "
            "are not shown (suppressed)",
            False,
            finding.test,
        )
    table = Table(
        ["finding", "checks with this finding", "ending in adverse action"],
        [[x, shown(cube.value(vendor_id=v, finding=x)), shown(fa[x])] for x in forder],
    )
    return [trace], finding, table


def resolved_days(cube: Cube, v: str, days: str) -> int | None:
    """Resolved disputes of vendor ``v`` (or ALL) in a time band or grouping. Read with the status
    "resolved", not ALL: the resolved disputes are then one cell, tied by the cube's own sums both
    to the statuses (disputed = pending + corrected + upheld) and to the time bands. Read with the
    status ALL, the time bands' total was a second count of the same disputes that the cube did
    not tie to the statuses, and disputed minus it gave away the pending disputes."""
    return cube.value(vendor_id=v, status="resolved", days=days)


def resolution(cube: Cube, v: str) -> tuple[list[dict[str, Any]], Finding]:
    """Resolution time against the 30-day clock for one vendor (or ALL). Bands too small to show
    are drawn together, on their side of the line, as one hatched bar: the sum of several hidden
    bands (the side's total is published). When the sides' totals are hidden too (a vendor with
    few disputes), what no side shows is one grey hatched bar on the line itself, so the chart
    always adds up to the resolved disputes. Every filter has the same bars in the same places,
    so the line stays where it is."""
    xs, ys, colours, patterns = [], [], [], []
    for side, bands, colour in (
        (f"within {FCRA_DAYS} days", WITHIN, OKABE_ITO["blue"]),
        (f"over {FCRA_DAYS} days", OVER, OKABE_ITO["vermillion"]),
    ):
        values = [resolved_days(cube, v, b) for b in bands]
        side_total = resolved_days(cube, v, side)
        xs += [*bands, f"{side}: bands not shown, together"]
        ys += values
        ys.append(
            side_total - sum(y or 0 for y in values)
            if side_total is not None and any(y is None for y in values)
            else None
        )
        colours += [colour] * (len(bands) + 1)
        patterns += [""] * len(bands) + ["/"]
        if side.startswith("within"):
            xs.append(NOT_SPLIT)
            ys.append(None)
            colours.append(GREY)
            patterns.append("/")
    resolved = resolved_days(cube, v, "resolved")
    if resolved is not None and resolved_days(cube, v, f"over {FCRA_DAYS} days") is None:
        ys[xs.index(NOT_SPLIT)] = resolved - sum(y or 0 for y in ys)
    trace = {
        "type": "bar",
        "x": xs,
        "y": ys,
        "marker": {"color": colours, "pattern": {"shape": patterns}},
        "hovertemplate": "%{x}: %{y:,} resolved disputes<extra></extra>",
    }
    over = resolved_days(cube, v, f"over {FCRA_DAYS} days")
    subject, past = "resolved disputes", f"took longer than the {FCRA_DAYS}-day clock"
    # (a hidden count may be of any size: share_over says only that it is suppressed)
    return [trace], share_over(over, resolved, subject, past)
