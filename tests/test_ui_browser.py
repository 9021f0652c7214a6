"""The Dagster UI as README's "Using the Dagster UI" describes it, in Debian's headless Chromium.

The command ``make dev`` runs (read from ``make -n``) starts the UI on a free port with a new
DAGSTER_HOME and a copy of the sample; the asset graph shows the assets under the project's code
location; "Materialize all" launches a run that succeeds; and Ctrl-C (SIGINT to the process group,
as a terminal sends it) stops everything with exit code 0 and no warning on the way.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
START_TIMEOUT = 240  # seconds: the UI answers in 20-40 s on an idle 2-core machine
RUN_TIMEOUT = 180  # the sample takes about 15 s through the UI
STOP_TIMEOUT = 60
LOCATION = "hiring-outcomes"

pytestmark = pytest.mark.browser


# Run argv[1:] with SIGINT as a terminal's foreground job has it: default action, not blocked.
TERMINAL_SIGNALS = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT}); os.execvp(sys.argv[1], sys.argv[1:])"
)


def signal_state(pid: int) -> str:
    """A process's command and its ignored, blocked and caught signal masks (for a failure)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:120]
    except OSError:
        return f"{pid}: gone"
    masks = [
        ln for ln in status.splitlines() if ln.startswith(("State", "SigIgn", "SigBlk", "SigCgt"))
    ]
    return f"{pid} {cmd!r}: " + ", ".join(m.replace("\t", " ") for m in masks)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dev_command(port: int) -> str:
    """What `make dev PORT=port` runs (without syncing the environment first)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    proc = subprocess.run(
        ["make", "-n", "-o", ".venv/.synced", "dev", f"PORT={port}"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    command = proc.stdout.strip().splitlines()[-1]
    assert command.endswith(f"python -m pipelines dev --port {port}"), proc.stdout
    return command


def processes() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, process group) of every process (Linux /proc)."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            table[int(stat.parent.name)] = (int(fields[1]), int(fields[2]))
    return table


def process_tree(pid: int) -> set[int]:
    """``pid`` and every process below it."""
    table = processes()
    below, todo = {pid}, [pid]
    while todo:
        parent = todo.pop()
        for child, (ppid, _) in table.items():
            if ppid == parent and child not in below:
                below.add(child)
                todo.append(child)
    return below


def process_groups_below(pid: int) -> set[int]:
    """The process groups of ``pid`` and every process below it."""
    table = processes()
    return {table[p][1] for p in process_tree(pid) if p in table}


def graphql(url: str, query: str, variables: dict | None = None) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(
        f"{url}/graphql", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as r:
        return json.load(r)["data"]


RUNS = "{ runsOrError { ... on Runs { results { runId status jobName } } } }"
RUN_ERRORS = """query ($runId: ID!) { logsForRun(runId: $runId) { ... on EventConnection {
  events { __typename ... on MessageEvent { message level } } } } }"""


@pytest.fixture
def ui(tmp_path: Path, sample_copy: Path):
    """The UI as `make dev` starts it; stopped (and anything left killed) afterwards."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    env |= {
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),  # does not exist yet
        "HIRING_DATA_DIR": str(sample_copy),
        "HIRING_WAREHOUSE": str(tmp_path / "out" / "warehouse.duckdb"),
        "HIRING_REPORTS_DIR": str(tmp_path / "out" / "reports"),
    }
    log = tmp_path / "dev.log"
    started = time.monotonic()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            # A terminal's shell starts with SIGINT at its default and unblocked; pytest's process
            # may have inherited it ignored or blocked (both survive fork and exec), so the command
            # starts from a terminal's signal state (see TERMINAL_SIGNALS).
            [sys.executable, "-c", TERMINAL_SIGNALS, "bash", "-c", "exec " + dev_command(port)],
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, like a terminal's foreground job
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    server = {"url": url, "proc": proc, "log": log, "tmp": tmp_path, "started": started}
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/server_info", timeout=2):
                    break
            except OSError:
                pass
            assert proc.poll() is None, f"make dev's command ended early:\n{log.read_text()}"
            waited = time.monotonic() - started
            assert waited < START_TIMEOUT, f"no UI after {waited:.0f}s:\n{log.read_text()}"
            time.sleep(1)
        yield server
    finally:
        # `make dev`'s command is one process group, `dg dev` and its services another: after
        # Ctrl-C, whatever is left in those groups (only ever ours) is killed.
        ours = (process_groups_below(proc.pid) | {proc.pid}) - {os.getpgrp()}
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(STOP_TIMEOUT)
        for pid, (_, group) in processes().items():
            if group in ours:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)


@pytest.fixture
def page():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            "Debian's chromium is missing: `make test` installs it (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2400})
        page.set_default_timeout(60_000)
        yield page
        browser.close()


def see(page, text: str, tmp: Path) -> None:
    """Wait until ``text`` is shown; otherwise fail with what the page shows (and a screenshot)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.get_by_text(text, exact=True).filter(visible=True).first.wait_for()
    except PlaywrightTimeout:
        page.screenshot(path=tmp / "failed.png", full_page=True)
        shown = " | ".join(page.inner_text("body").split("\n"))[:3000]
        pytest.fail(f"{text!r} not shown on {page.url} (screenshot {tmp / 'failed.png'}): {shown}")


def test_ui_shows_the_assets_materializes_all_and_stops_cleanly_on_ctrl_c(ui, page):
    url, proc, log = ui["url"], ui["proc"], ui["log"]
    times = {"ready": time.monotonic() - ui["started"]}

    # Two asset groups, listed under the project's code location (not the folder's name). (The
    # graph view renders only the nodes in view; its list view renders every row of a tall page.)
    for group, assets in {
        "reasons": ("reason_assignments", "review_queue"),
        "reports": ("report_funnel", "reports"),
    }.items():
        page.goto(f"{url}/locations/{LOCATION}/asset-groups/{group}/list")
        for asset in assets:
            see(page, asset, ui["tmp"])

    # Lineage -> Materialize all, as the README says.
    page.goto(f"{url}/asset-groups")
    button = page.get_by_role("button", name="Materialize all")
    button.wait_for()
    page.wait_for_function(
        "() => [...document.querySelectorAll('button')].some("
        "b => b.innerText.includes('Materialize all') && !b.disabled)"
    )
    button.click()
    deadline = time.monotonic() + 60
    while not (runs := graphql(url, RUNS)["runsOrError"]["results"]):
        assert time.monotonic() < deadline, f"no run launched:\n{log.read_text()[-3000:]}"
        time.sleep(1)
    assert len(runs) == 1, runs
    run_id = runs[0]["runId"]
    times["launched"] = time.monotonic() - ui["started"]

    deadline = time.monotonic() + RUN_TIMEOUT
    while (status := graphql(url, RUNS)["runsOrError"]["results"][0]["status"]) not in (
        "SUCCESS",
        "FAILURE",
        "CANCELED",
    ):
        assert time.monotonic() < deadline, f"run {run_id} still {status} after {RUN_TIMEOUT}s"
        time.sleep(2)
    if status != "SUCCESS":
        events = graphql(url, RUN_ERRORS, {"runId": run_id})["logsForRun"]["events"]
        errors = [e["message"] for e in events if e.get("level") == "ERROR"]
        pytest.fail(f"run {run_id} ended {status}: {errors[:3]}\n{log.read_text()[-3000:]}")
    times["run done"] = time.monotonic() - ui["started"]
    page.goto(f"{url}/runs/{run_id}")
    see(page, "Success", ui["tmp"])
    assert (ui["tmp"] / "out" / "reports" / "index.html").is_file()

    # Ctrl-C in a terminal: SIGINT to the whole foreground process group. The page leaves the UI
    # first, as a user closing the tab would: an open run page keeps a live subscription that the
    # web server waits for while it shuts down.
    page.goto("about:blank")
    os.killpg(proc.pid, signal.SIGINT)
    try:
        code = proc.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        # After the whole suite this used to hang (three CI runs) until the command was started
        # with a terminal's SIGINT state (TERMINAL_SIGNALS); if it ever hangs again, the failure
        # shows each process's state and signal masks.
        left = [signal_state(pid) for pid in sorted(process_tree(proc.pid))]
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail(
            f"dagster dev did not stop within {STOP_TIMEOUT}s of Ctrl-C; "
            f"pytest: {signal_state(os.getpid())}; still running: {left}"
        )
    output = log.read_text()
    assert code == 0, output[-3000:]
    assert output.rstrip().endswith("Dagster UI   : stopped"), output[-3000:]
    for noise in ("Aborted!", "Traceback", "Warning", "WARNING", " - DEBUG - "):
        assert noise not in output, f"{noise!r} in the output of make dev:\n{output[-3000:]}"
    assert len(output.splitlines()) < 40, output
    times["stopped"] = time.monotonic() - ui["started"]
    print("UI test, seconds since start:", {k: round(v) for k, v in times.items()})
