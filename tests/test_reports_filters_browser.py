"""The report filters in headless Chromium (the Reasons page's period and group filters, the
Background checks page's vendor filter): a filter changes the charts, their titles and the page's
totals, and what it shows is still suppressed (one browser for the module)."""

from __future__ import annotations

import csv
import itertools
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import SAMPLE_DIR

from pipelines.ingest import ingest_folder
from pipelines.reasons.engine import assign_reasons, build_rule_audit
from pipelines.reasons.rules import load_rules
from pipelines.reports import build_reports
from pipelines.reports.charts import words
from pipelines.reports.pages import background_checks as checks
from pipelines.reports.privacy import MIN_GROUP
from pipelines.reports.suppression import ALL, Dim
from pipelines.reports.tables import build_report_tables
from pipelines.warehouse import connect

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
SHOTS = Path("/tmp/report_shots")
pytestmark = pytest.mark.browser

STATE = """() => ({
    headline: document.getElementById('headline').innerText,
    titles: [...document.querySelectorAll('h2[data-chart]')].map(h => h.textContent),
    charts: [...document.querySelectorAll('.plotly-graph-div')].map(gd => gd.data.map(t => ({
        name: t.name, x: t.x, y: t.y, customdata: t.customdata || null,
        orientation: t.orientation || null, opacity: (t.marker || {}).opacity ?? null}))),
})"""
# Bars that are a sum of several hidden cells (a published total minus the shown parts), not a
# cell: they may be small (checked to hold two or more hidden cells below).
SUMS_OF_HIDDEN = (checks.HIDDEN_FINDINGS, checks.NOT_SPLIT, "bands not shown, together")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("filters")
    con = connect(tmp / "warehouse.duckdb")
    ingest_folder(con, SAMPLE_DIR)
    assign_reasons(con, load_rules())
    build_rule_audit(con, [], load_rules())
    build_report_tables(con, load_rules())
    build_reports(con, tmp / "reports", load_rules())
    con.close()
    return tmp / "reports"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: `make browser` installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def open_page(browser, site: Path, name: str):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route(re.compile(r"^(?!file:).*"), lambda route: route.abort())
    page.goto((site / name).as_uri())
    page.wait_for_function(
        "document.querySelectorAll('.plotly-graph-div .main-svg').length >= 5", timeout=30_000
    )
    yield page
    assert errors == []
    page.close()


@pytest.fixture(scope="module")
def tab(browser, site):
    yield from open_page(browser, site, "reasons.html")


@pytest.fixture(scope="module")
def checks_tab(browser, site):
    yield from open_page(browser, site, "background_checks.html")


def choose(tab, pattern: str) -> str:
    """Set the period and group menus to the first "<period>|<group>" key matching pattern."""
    options = "els => els.map(e => e.value)"
    has_period = tab.locator("#filter-period").count() == 1
    periods = (
        tab.eval_on_selector_all("#filter-period option", options)
        if has_period
        else [tab.get_attribute("#filter-group", "data-period")]
    )
    groups = tab.eval_on_selector_all("#filter-group option", options)
    value = next(f"{p}|{g}" for p in periods for g in groups if re.fullmatch(pattern, f"{p}|{g}"))
    period, group = value.split("|", 1)
    if has_period:
        tab.select_option("#filter-period", period)
    tab.select_option("#filter-group", group)
    tab.wait_for_function("v => document.body.dataset.filter === v", arg=value)
    return value


def assert_suppressed(state: dict) -> None:
    """No shown count is a small group; a rate's 'x of n' never shows a small x or n."""
    for chart in state["charts"]:
        for trace in chart:
            if (trace["name"] or "").startswith("suppressed"):
                continue  # the hidden part of a bar: a sum of several hidden cells (see charts.stacked)
            custom = trace["customdata"]
            if custom and isinstance(custom[0], str) and " of " in custom[0]:
                for text in custom:
                    for n in re.findall(r"[\d,]+", text):
                        assert int(n.replace(",", "")) >= MIN_GROUP, (trace["name"], text)
            else:
                horizontal = trace["orientation"] == "h"
                labels, values = (
                    (trace["y"], trace["x"]) if horizontal else (trace["x"], trace["y"])
                )
                for at, y in zip(labels or [], values or [], strict=True):
                    if any(s in str(at) for s in SUMS_OF_HIDDEN):
                        continue
                    assert y is None or y == 0 or y >= MIN_GROUP, (trace["name"], at, y)


def test_a_family_filter_changes_charts_titles_and_totals_and_stays_suppressed(tab):
    before = tab.evaluate(STATE)
    assert_suppressed(before)
    choose(tab, r"all\|job_family=engineering")
    after = tab.evaluate(STATE)
    assert after["headline"] != before["headline"]

    def total(s):
        return int(
            re.search(r"([\d,]+)\s*\npost-interview rejections", s["headline"])
            .group(1)
            .replace(",", "")
        )

    assert 0 < total(after) < total(before)
    stage_before = [t["y"] for t in before["charts"][1]]
    stage_after = [t["y"] for t in after["charts"][1]]
    assert stage_after != stage_before
    assert after["charts"][2][0]["x"] == [
        "engineering"
    ]  # the family chart shows the filtered family
    assert (
        after["titles"][0] != before["titles"][0]
    )  # the month chart says it is not split by family
    # a filtered title starts with a capital, as the unfiltered one does
    assert all(t[:1] == t[:1].upper() for t in after["titles"]), after["titles"]
    assert_suppressed(after)
    SHOTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(SHOTS / "reasons_filtered_engineering.png"), full_page=True)


def test_a_period_filter_keeps_only_that_year_and_stays_suppressed(tab):
    value = choose(tab, r"\d{4}\|")
    year = value[:4]
    state = tab.evaluate(STATE)
    months = state["charts"][0][0]["x"]
    assert months and all(m.startswith(year) for m in months)
    assert_suppressed(state)
    choose(tab, r"\d{4}\|seniority=executive")
    assert_suppressed(tab.evaluate(STATE))


def test_going_back_to_all_restores_the_page(tab):
    choose(tab, r"all\|")
    state = tab.evaluate(STATE)
    assert not any("not split" in t for t in state["titles"])


def published_cells(site: Path, vendor: str) -> dict[tuple[str, str, str], int | None]:
    """The background-check cells of one vendor in the page's tidy CSV: (finding, status, days)
    -> the published count, None where suppressed."""
    with (site / "data" / "background_checks--all-numbers.csv").open(encoding="utf-8") as f:
        rows = [
            r
            for r in csv.DictReader(f)
            if r["count"] == "background checks" and r["vendor_id"] == vendor
        ]
    return {
        (r["finding"], r["status"], r["days"]): None if r["suppressed"] == "true" else int(r["n"])
        for r in rows
    }


def recoverable_cells(cells: dict[tuple[str, str, str], int | None]) -> list[tuple[str, ...]]:
    """The leaf attack on one filter's cells: a suppressed cell is recoverable when its leaves
    (finding × status × days band) are a combination of the shown cells' leaves. Leaves the
    business rules fix at zero are left out, as an attacker who knows them would: only a
    resolved dispute has a resolution band."""
    dims = [
        Dim("finding", tuple(sorted({k[0] for k in cells} - {ALL}))),
        Dim("status", checks.STATUSES, checks.STATUS_PARTS),
        Dim("days", checks.BANDS, checks.BAND_PARTS),
    ]
    resolved = dims[1].members("resolved")
    leaves = [
        leaf
        for leaf in itertools.product(*(d.leaves for d in dims))
        if leaf[1] in resolved or leaf[2] == "not resolved"
    ]
    col = {leaf: i for i, leaf in enumerate(leaves)}

    def vec(key: tuple[str, ...]) -> np.ndarray:
        v = np.zeros(len(leaves))
        for leaf in itertools.product(*(d.members(k) for d, k in zip(dims, key, strict=True))):
            if leaf in col:
                v[col[leaf]] = 1
        return v

    shown = np.array([vec(k) for k, n in cells.items() if n is not None])
    _, sv, vt = np.linalg.svd(shown, full_matrices=False)
    basis = vt[sv > 1e-9 * sv.max()]  # the span of the shown cells
    out = []
    for key, n in cells.items():
        v = vec(key)
        if n is None and np.linalg.norm(v - basis.T @ (basis @ v)) < 1e-6:
            out.append(key)
    return out


def test_a_vendor_filter_changes_the_checks_page_and_stays_suppressed(checks_tab, site):
    before = checks_tab.evaluate(STATE)
    assert_suppressed(before)
    value = choose(checks_tab, r"all\|vendor_id=VEND-.*")
    vendor = value.split("=", 1)[1]
    after = checks_tab.evaluate(STATE)
    cells = published_cells(site, vendor)

    def headline(s: dict, label: str) -> str:
        return re.search(r"([\d,]+|suppressed)\s*\n" + re.escape(label), s["headline"]).group(1)

    # the totals are the vendor's
    assert after["headline"] != before["headline"]
    n_checks = int(headline(after, "checks (all stages)").replace(",", ""))
    assert n_checks == cells[(ALL, ALL, ALL)]
    assert 0 < n_checks < int(headline(before, "checks (all stages)").replace(",", ""))
    adverse = cells[(ALL, "adverse", ALL)]
    assert headline(after, "adverse reports") == f"{adverse:,}"

    # adverse action by finding: the vendor's published cells, the rest as one bar that holds
    # two or more hidden findings
    bars = after["charts"][1][0]
    assert bars != before["charts"][1][0]
    shown = dict(zip(bars["y"], bars["x"], strict=True))
    findings = {k[0] for k in cells} - {ALL, "none"}
    for finding in findings:
        assert shown[words(finding)] == cells[(finding, "adverse", ALL)], finding
    hidden = [f for f in findings | {"none"} if cells.get((f, "adverse", ALL), 0) is None]
    if hidden:
        assert len(hidden) >= 2
        assert shown[checks.HIDDEN_FINDINGS] == adverse - sum(
            n for f in findings | {"none"} if (n := cells.get((f, "adverse", ALL)))
        )

    # resolution time: the vendor's bands, and bars that add up to its resolved disputes
    days = after["charts"][3][0]
    assert days["y"] != before["charts"][3][0]["y"]
    # (the resolved disputes' cells: status "resolved", check_charts.resolved_days)
    for band, y in zip(days["x"], days["y"], strict=True):
        if band in checks.BANDS:
            assert y == cells[(ALL, "resolved", band)], band
    resolved = cells[(ALL, "resolved", "resolved")]
    assert resolved is not None and sum(y or 0 for y in days["y"]) == resolved

    # the per-vendor charts keep every vendor, the chosen one highlighted, and say so
    for i in (0, 2, 4):
        assert after["charts"][i][0]["x"] == before["charts"][i][0]["x"]
        assert f"{vendor} highlighted" in after["titles"][i]
        opacity = after["charts"][i][0]["opacity"]
        assert [o == 1 for o in opacity] == [x == vendor for x in after["charts"][i][0]["x"]]
    assert "highlighted" not in " ".join(before["titles"])

    assert_suppressed(after)
    assert any(n is None for n in cells.values())
    assert recoverable_cells(cells) == []
    SHOTS.mkdir(exist_ok=True)
    checks_tab.screenshot(path=str(SHOTS / f"background_checks_{vendor}.png"), full_page=True)

    choose(checks_tab, r"all\|")
    back = checks_tab.evaluate(STATE)

    def drawn(s: dict) -> tuple:
        return s["headline"], s["titles"], [[(t["x"], t["y"]) for t in c] for c in s["charts"]]

    assert drawn(back) == drawn(before)


NOTES = """() => [...document.querySelectorAll('.plotly-graph-div')].map(gd =>
    (gd.layout.annotations || []).filter(a => a.name === 'nothing-drawn').length)"""
LABELS = """() => [...document.querySelectorAll('.plotly-graph-div')].map(gd =>
    [...gd.querySelectorAll('text.bartext')].filter(e => e.textContent === 'suppressed').length)"""


def test_the_nothing_drawn_note_follows_the_filter(tab):
    # The note was set on the unfiltered figure; a filter that leaves a chart nothing to draw
    # (one job family whose rate is hidden) must show it, and the way back must remove it.
    variants = tab.evaluate("() => JSON.parse(document.getElementById('variants').textContent)")
    chart = variants["charts"]["reasons-chart-3"]
    empty = [k for k, i in chart["keys"].items() if chart["variants"][i]["empty"]]
    assert empty, "the sample hides some job family's rate"
    choose(tab, r"all\|")
    assert tab.evaluate(NOTES)[2] == 0
    choose(tab, re.escape(empty[0]))
    assert tab.evaluate(NOTES)[2] == 1
    choose(tab, r"all\|")
    assert tab.evaluate(NOTES)[2] == 0


def test_a_chart_not_computed_under_a_filter_says_so_and_labels_nothing_suppressed(tab):
    choose(tab, r"all\|seniority=mid")
    titles = tab.evaluate(STATE)["titles"]
    assert titles[2].startswith("Not shown while filtering by seniority"), titles[2]
    assert tab.evaluate(LABELS)[2] == 0  # nothing there is suppressed: it is not computed
    assert tab.evaluate(NOTES)[2] == 0  # and the "nothing drawn" note would say it was
    choose(tab, r"all\|")


def test_back_to_a_filtered_page_shows_what_its_menus_say(browser, site):
    page = next(open_page(browser, site, "reasons.html"))
    try:
        value = choose(page, r"\d{4}\|region=.*")
        filtered = page.evaluate(STATE)["headline"]
        page.goto((site / "index.html").as_uri())
        page.go_back()
        page.wait_for_function("v => document.body.dataset.filter === v", arg=value)
        assert page.evaluate(STATE)["headline"] == filtered
    finally:
        page.close()
