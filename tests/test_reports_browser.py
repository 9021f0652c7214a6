"""The report site, opened from disk in Debian's headless Chromium through Playwright."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import SAMPLE_DIR

from pipelines.evaluate import rule_precision, run_eval
from pipelines.ingest import ingest_folder
from pipelines.reasons.engine import assign_reasons, build_rule_audit
from pipelines.reasons.rules import load_rules
from pipelines.reports import build_reports
from pipelines.reports.tables import build_report_tables
from pipelines.warehouse import connect

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOSTILE = '<img src=x onerror="window.__pwned=1">'

pytestmark = pytest.mark.browser


def _build(tmp: Path, data_dir: Path) -> tuple[Path, list]:
    con = connect(tmp / "warehouse.duckdb")
    ingest_folder(con, data_dir)
    assign_reasons(con, load_rules())
    build_rule_audit(con, [tuple(r) for r in rule_precision(run_eval()).iter_rows()], load_rules())
    build_report_tables(con, load_rules())
    built = build_reports(con, tmp / "reports", load_rules())
    con.close()
    return tmp / "reports", built.pages


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, list, Path]:
    """Reports built from a copy of the sample in which one job family is hostile markup."""
    tmp = tmp_path_factory.mktemp("site")
    data = tmp / "input"
    shutil.copytree(SAMPLE_DIR, data)
    jobs = (
        (data / "jobs.csv")
        .read_text()
        .replace(",finance,", ',"' + HOSTILE.replace('"', '""') + '",')
        .replace(",sales,", ",=HYPERLINK(1),")
    )
    (data / "jobs.csv").write_text(jobs)
    out, pages = _build(tmp, data)
    return out, pages, data


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            "Debian's chromium is missing: `make test` installs it (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def html_files(out: Path) -> list[Path]:
    return sorted(out.glob("*.html"))


def _links_resolve(tab, name: str) -> None:
    """Every link and script of the page open in ``tab`` points to a file beside it."""
    hrefs = tab.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    srcs = tab.eval_on_selector_all("script[src]", "els => els.map(e => e.src)")
    assert hrefs, name
    for url in hrefs + srcs:
        parsed = urlparse(url)
        assert parsed.scheme == "file", f"{name} links off the machine: {url}"
        assert Path(parsed.path).is_file(), f"{name}: broken link {url}"


def test_every_page_opens_offline_renders_every_chart_and_every_link_resolves(site, browser):
    # One load per page: loading eleven Plotly pages twice cost CI a minute.
    out, pages, _ = site
    assert [p.name for p in html_files(out)] == sorted(
        ["index.html"] + [p.file_name for p in pages]
    )
    index = browser.new_page()
    index.goto((out / "index.html").as_uri())
    _links_resolve(index, "index.html")
    index.close()
    hidden_rates = 0
    for page in pages:
        tab = browser.new_page()
        errors, remote = [], []
        tab.on(
            "console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None
        )
        tab.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        tab.route(
            re.compile(r"^(?!file:).*"),
            lambda route, remote=remote: (remote.append(route.request.url), route.abort()),
        )
        tab.goto((out / page.file_name).as_uri())
        tab.wait_for_function(
            "n => document.querySelectorAll('.plotly-graph-div .main-svg').length >= n",
            arg=len(page.charts),
            timeout=20000,
        )
        plots = tab.locator(".plotly-graph-div")
        assert plots.count() == len(page.charts)
        for i in range(plots.count()):
            assert plots.nth(i).locator("svg.main-svg").count() >= 1, (
                f"{page.file_name} chart {i + 1} has no SVG"
            )
        # A hidden rate is a word at the bar's foot, drawn: an empty slot would read as zero.
        labelled, drawn = tab.evaluate(
            """() => [
                [...document.querySelectorAll('.plotly-graph-div')].flatMap(d => d.data)
                    .flatMap(t => Array.isArray(t.text) ? t.text : [])
                    .filter(x => x === 'suppressed').length,
                [...document.querySelectorAll('text.bartext')]
                    .filter(e => e.textContent === 'suppressed').length]"""
        )
        assert labelled == drawn, f"{page.file_name}: {labelled} hidden rates, {drawn} labels drawn"
        hidden_rates += labelled
        assert errors == [], f"{page.file_name}: {errors}"
        assert remote == [], f"{page.file_name} asked the network for {remote}"
        assert tab.evaluate("window.__pwned") is None
        _links_resolve(tab, page.file_name)
        tab.close()
    assert hidden_rates, "the sample hides some vendors' dispute rates"


def test_plotly_is_shipped_once_next_to_the_pages(site):
    out, _, _ = site
    assert (out / "plotly.min.js").stat().st_size > 1_000_000
    for path in html_files(out):
        text = path.read_text()
        assert "cdn.plot.ly" not in text and "https://" not in text
        assert len(text) < 200_000, f"{path.name} inlines too much"


def test_text_from_data_is_escaped_in_titles_tables_and_hover(site, browser):
    out, pages, _ = site
    page = next(p for p in pages if p.slug == "reasons")
    html = (out / page.file_name).read_text()
    assert HOSTILE not in html
    assert "&lt;img src=x onerror=" in html
    tab = browser.new_page()
    tab.goto((out / page.file_name).as_uri())
    tab.wait_for_timeout(500)
    assert tab.evaluate("window.__pwned") is None
    assert tab.locator("table td", has_text="<img src=x").count() >= 1  # shown as text, not markup
    tab.close()


def test_csv_downloads_neutralise_formulas(site):
    out, _, _ = site
    cells = [c for f in (out / "data").glob("*.csv") for row in csv.reader(f.open()) for c in row]
    assert "'=HYPERLINK(1)" in cells
    assert not [
        c
        for c in cells
        if c[:1] in ("=", "+", "@", "\t", "\r")
        or (c[:1] == "-" and not re.fullmatch(r"-[\d.]+", c))
    ]


def test_no_identifiers_or_free_text_reach_any_report_file(site):
    out, _, data = site
    published = "\n".join(p.read_text() for p in [*html_files(out), *(out / "data").glob("*.csv")])
    assert not re.search(r"\bA\d{9}\b", published), "an application id leaked"
    assert not re.search(r"\bC\d{9}\b", published), "a candidate id leaked"
    notes = {row["recruiter_note"] for row in csv.DictReader((data / "applications.csv").open())}
    leaked = [n for n in notes if len(n) > 25 and n in published]
    assert leaked == []


def test_small_groups_show_as_suppressed_everywhere(tmp_path, browser):
    """A warehouse with one small job family: its counts never appear, in tables, CSV or hover."""
    data = tmp_path / "input"
    shutil.copytree(SAMPLE_DIR, data)
    text = (data / "jobs.csv").read_text().splitlines()
    # Give one job a family of its own: a group of a handful of people.
    text[1] = re.sub(r"^(J\d+,E\d+,)[^,]+", r"\1rare_family", text[1])
    (data / "jobs.csv").write_text("\n".join(text) + "\n")
    out, pages = _build(tmp_path, data)
    table = out / "data" / "reasons--rate-per-interviewed-by-job-family.csv"
    rows = {r["job family"]: r for r in csv.DictReader(table.open())}
    if "rare_family" in rows:  # named (enough applications): its few rejections are not shown
        rare = rows["rare_family"]
        assert rare["post-interview rejections"] == rare["rate (%)"] == ""
        assert {"post-interview rejections", "rate (%)"} <= set(rare["suppressed"].split("; "))
    tab = browser.new_page()
    tab.goto((out / "reasons.html").as_uri())
    tab.wait_for_function("document.querySelectorAll('.main-svg').length > 0")
    hover = tab.evaluate(
        """() => { const d = document.querySelectorAll('.plotly-graph-div')[2];
                    return d.data.flatMap(t => (t.customdata || []).map((c, i) => [t.x[i], c])); }"""
    )
    tab.close()
    rare = [c for x, c in hover if x == "rare family"]
    assert all(c.startswith("suppressed") for c in rare), rare
