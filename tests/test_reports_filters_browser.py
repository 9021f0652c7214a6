"""The Reasons page's filters in headless Chromium: a filter changes the charts, their titles and
the page's totals, and what it shows is still suppressed (one browser for the module)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import SAMPLE_DIR

from pipelines.ingest import ingest_folder
from pipelines.reasons.engine import assign_reasons, build_rule_audit
from pipelines.reasons.rules import load_rules
from pipelines.reports import build_reports
from pipelines.reports.privacy import MIN_GROUP
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
        name: t.name, x: t.x, y: t.y, customdata: t.customdata || null}))),
})"""


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
def tab(site):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: `make browser` installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route(re.compile(r"^(?!file:).*"), lambda route: route.abort())
        page.goto((site / "reasons.html").as_uri())
        page.wait_for_function(
            "document.querySelectorAll('.plotly-graph-div .main-svg').length >= 5", timeout=30_000
        )
        yield page
        assert errors == []
        browser.close()


def choose(tab, pattern: str) -> str:
    value = next(
        o
        for o in tab.eval_on_selector_all("#filter option", "els => els.map(e => e.value)")
        if re.fullmatch(pattern, o)
    )
    tab.select_option("#filter", value)
    tab.wait_for_function("v => document.body.dataset.filter === v", arg=value)
    return value


def assert_suppressed(state: dict) -> None:
    """No shown count is a small group; a rate's 'x of n' never shows a small x or n."""
    for chart in state["charts"]:
        for trace in chart:
            if trace["name"].startswith("suppressed"):
                continue  # the hidden part of a bar: a sum of several hidden cells (see charts.stacked)
            custom = trace["customdata"]
            if custom and isinstance(custom[0], str) and " of " in custom[0]:
                for text in custom:
                    for n in re.findall(r"[\d,]+", text):
                        assert int(n.replace(",", "")) >= MIN_GROUP, (trace["name"], text)
            else:
                for y in trace["y"] or []:
                    assert y is None or y == 0 or y >= MIN_GROUP, (trace["name"], y)


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
