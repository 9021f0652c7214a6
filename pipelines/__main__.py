"""``python -m pipelines run | dev``: what ``make run`` and ``make dev`` call.

``run`` materializes every asset on HIRING_DATA_DIR in this process: first what it reads and
writes, then one line per step, then what changed (summary.py). ``--verbose`` (``VERBOSE=1 make
run``) adds Dagster's INFO logs. ``dev`` is the Dagster UI through ``dg dev`` (the code location
is named in pyproject.toml, [tool.dg.project]); Ctrl-C stops it and exits 0.

Both first make sure DAGSTER_HOME exists and holds the project's instance settings (copied from
pipelines/dagster.yaml), so ``make clean && make run`` works, and delete finished runs older than
RUN_RETENTION_DAYS (Dagster's own retention setting covers sensor and schedule ticks only).

User mistakes (a missing or empty input folder, an unreadable file, a missing required column, a
warehouse built by an older version, a port in use) end with one ``error:`` line and exit code 2,
not a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

import dagster as dg

from pipelines.run_state import process_alive
from pipelines.warehouse import PROJECT_ROOT

JOB = "hiring_pipeline"
TEMPLATE = Path(__file__).with_name("dagster.yaml")
DEFAULT_DAGSTER_HOME = PROJECT_ROOT / ".dagster_home"
RUN_RETENTION_DAYS = 30  # finished runs older than this are deleted, with their event logs
RUNS_ALWAYS_KEPT = 20  # ... except the newest ones, however old
PID_TAG = "hiring/pid"  # the process of a `make run` run, to tell a killed run later
UI_START_TIMEOUT = 300  # seconds to wait for the UI to answer before saying so


INTERRUPTED = (
    "interrupted: the run is marked failed; the warehouse keeps every batch published before "
    "(a batch is one transaction), and the next run rebuilds the rest"
)


class UsageError(Exception):
    """A mistake in how the command was called; the message is one line."""


# ---- the Dagster instance: DAGSTER_HOME with the project's dagster.yaml, old runs pruned


def ensure_dagster_home(default: Path | None = None) -> Path | None:
    """Create DAGSTER_HOME (or ``default`` when it is unset; None: no instance) and put the
    project's dagster.yaml there when it is missing or an older copy of the template. A
    dagster.yaml that is not a copy (its first line differs) is the user's and is kept."""
    value = os.environ.get("DAGSTER_HOME") or (str(default) if default else "")
    if not value:
        return None
    home = Path(value).expanduser().resolve()
    os.environ["DAGSTER_HOME"] = str(home)  # Dagster requires an absolute path
    try:
        home.mkdir(parents=True, exist_ok=True)
        target = home / "dagster.yaml"
        template = TEMPLATE.read_text(encoding="utf-8")
        current = target.read_text(encoding="utf-8") if target.exists() else None
        ours = current is None or current.split("\n", 1)[0] == template.split("\n", 1)[0]
        if ours and current != template:
            target.write_text(template, encoding="utf-8")
    except OSError as e:
        raise UsageError(f"{home}: cannot be used as DAGSTER_HOME ({e.strerror or e})") from e
    return home


def prune_runs(instance: dg.DagsterInstance) -> int:
    """Delete finished runs (and their event logs and captured logs) that ended more than
    RUN_RETENTION_DAYS ago, always keeping the newest RUNS_ALWAYS_KEPT runs. Returns how many."""
    cutoff = datetime.now(UTC) - timedelta(days=RUN_RETENTION_DAYS)
    keep = set(instance.get_run_ids(limit=RUNS_ALWAYS_KEPT))
    finished = [
        dg.DagsterRunStatus.SUCCESS,
        dg.DagsterRunStatus.FAILURE,
        dg.DagsterRunStatus.CANCELED,
    ]
    old = instance.get_run_ids(dg.RunsFilter(statuses=finished, updated_before=cutoff))
    deleted = 0
    for run_id in old:
        if run_id in keep:
            continue
        instance.delete_run(run_id)
        # The steps' captured stdout/stderr (another log manager may not support deleting them).
        with contextlib.suppress(NotImplementedError, OSError):
            instance.compute_log_manager.delete_logs(prefix=[run_id])
        deleted += 1
    return deleted


# ---- run: the whole pipeline in this process


def fail_dead_runs(instance: dg.DagsterInstance) -> list[str]:
    """Runs this command started whose process is gone (killed: no chance to say so) stay
    STARTED forever; mark them failed. Runs started by the UI have no such tag: the daemon's run
    monitoring (dagster.yaml) handles those."""
    dead = []
    for record in instance.get_run_records(
        filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED], job_name=JOB)
    ):
        pid = record.dagster_run.tags.get(PID_TAG, "")
        if pid.isdigit() and not process_alive(int(pid)):
            instance.report_run_failed(record.dagster_run, "its process ended without a word")
            dead.append(record.dagster_run.run_id)
    return dead


def asset_steps(definitions: dg.Definitions) -> set[str]:
    """The steps that materialize assets (the job's other steps only run asset checks)."""
    graph = definitions.resolve_asset_graph()
    return {graph.get(key).assets_def.node_def.name for key in graph.get_all_asset_keys()}


def run(verbose: bool = False) -> int:
    # Here, not at the top: `dev` starts faster without the definitions.
    from pipelines.definitions import defs
    from pipelines.defs.resources import configured_paths
    from pipelines.ingest import IngestError
    from pipelines.preflight import PreflightError, preflight
    from pipelines.summary import Progress, check_name, failure_line, print_summary

    paths = configured_paths()
    data_dir, warehouse, reports = paths.data_path, paths.warehouse_path, paths.reports_path
    home = ensure_dagster_home()
    print(f"input folder : {data_dir}")
    print(f"warehouse    : {warehouse}")
    print(f"reports      : {reports}")
    if home:
        print(f"dagster runs : {home} (shown by `make dev`)")
    try:
        # User mistakes get one line here, not a failed run's traceback.
        preflight(data_dir, warehouse, reports)
    except (IngestError, PreflightError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    instance = dg.DagsterInstance.get() if home else dg.DagsterInstance.ephemeral()
    pruned = prune_runs(instance) if home else 0
    for dead in fail_dead_runs(instance):
        print(f"dagster runs : run {dead[:8]} was killed; marked failed", file=sys.stderr)
    definitions = defs()
    job = definitions.resolve_job_def(JOB)
    steps = asset_steps(definitions)
    run_id = str(uuid.uuid4())
    instance.add_event_listener(run_id, Progress(steps, show_warnings=not verbose))
    print(f"running {JOB}: {len(steps)} steps, run {run_id[:8]}")
    try:
        result = job.execute_in_process(
            instance=instance,
            run_id=run_id,
            tags={PID_TAG: str(os.getpid())},
            raise_on_error=False,
            run_config={
                "loggers": {"console": {"config": {"log_level": "INFO" if verbose else "CRITICAL"}}}
            },
        )
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return 130
    if not result.success:
        if any(
            e.is_step_failure
            and e.step_failure_data
            and e.step_failure_data.error
            and e.step_failure_data.error.cls_name == "DagsterExecutionInterruptedError"
            for e in result.all_events
        ):
            print(INTERRUPTED, file=sys.stderr)
            return 130
        for event in result.all_events:
            if event.is_step_failure and event.step_failure_data:
                data = event.step_failure_data
                if data.user_failure_data and data.user_failure_data.description:
                    msg = data.user_failure_data.description  # a user mistake, said plainly
                else:
                    err = data.error
                    msg = failure_line(err.message if err else "step failed",
                                       err.cause.message if err and err.cause else None)  # fmt: skip
                print(f"error in step {event.step_key}: {msg}", file=sys.stderr)
        return 2
    mats = [
        e.event_specific_data.materialization for e in result.get_asset_materialization_events()
    ]
    batch = next((m.metadata["batch_id"].value for m in mats if "batch_id" in m.metadata), None)
    seen = [e.asset_observation_data.asset_observation.metadata for e in result.all_events
            if e.is_asset_observation]  # fmt: skip
    nothing = next((str(m["nothing_to_do"].value) for m in seen if "nothing_to_do" in m), None)
    unread = next((str(m["unrecognised_files"].value) for m in [*seen, *(m.metadata for m in mats)]
                   if "unrecognised_files" in m), "none")  # fmt: skip
    reasons = next((m.metadata for m in mats if "reason_run" in m.metadata), None)
    checks = result.get_asset_check_evaluations()

    def names(severity: dg.AssetCheckSeverity) -> list[str]:
        return sorted(
            check_name(c.asset_key.to_user_string(), c.check_name, c.metadata.get("records"))
            for c in checks
            if not c.passed and c.severity == severity
        )

    failed, warned = names(dg.AssetCheckSeverity.ERROR), names(dg.AssetCheckSeverity.WARN)
    print_summary(
        warehouse,
        reports,
        time.perf_counter() - t0,
        batch_id=batch if isinstance(batch, int) else None,
        checks_passed=len(checks) - len(failed) - len(warned),
        checks_failed=failed,
        checks_warned=warned,
        nothing_to_do=nothing,
        unrecognised=[] if unread == "none" else unread.split(", "),
        reason_run=(
            None
            if reasons is None
            else (
                str(reasons["reason_run"].value),
                str(reasons["reason_run_why"].value),
                int(reasons["recomputed_cohort"].value),  # type: ignore[arg-type]
            )
        ),
    )
    if pruned:
        print(f"dagster runs : deleted {pruned} finished more than {RUN_RETENTION_DAYS} days ago")
    return 0


# ---- dev: the Dagster UI through `dg dev`


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def dev(host: str, port: int, verbose: bool = False) -> int:
    """Run ``dg dev`` until Ctrl-C, then stop it and exit 0.

    ``dg dev`` runs in its own process group, so a Ctrl-C in the terminal reaches this process
    only; it is passed on once. (Sent to the whole group, the code server, webserver and daemon
    would each get it while ``dg dev`` shuts them down, which ends in "Aborted!" and exit code 1.)
    Unless ``verbose``, the services log warnings only and the runs' DEBUG lines (every step
    event, also in the UI's run view) are left out of the terminal.
    """
    home = ensure_dagster_home(default=DEFAULT_DAGSTER_HOME)
    dg_cli = str(Path(sys.executable).with_name("dg"))
    if not Path(dg_cli).exists():
        raise UsageError(f"{dg_cli} is missing: `make dev` installs the dev dependencies (uv sync)")
    if port_in_use(host, port):
        raise UsageError(
            f"{host}:{port} is in use (another `make dev`?); choose another port: PORT=3001 make dev"
        )
    instance = dg.DagsterInstance.get()
    prune_runs(instance)
    instance.dispose()
    url = f"http://{host}:{port}"
    print(f"Dagster UI   : {url} (starting; runs kept in {home}); Ctrl-C stops it", flush=True)
    command = [dg_cli, "dev", "--host", host, "--port", str(port)]
    if not verbose:
        # (no defs.yaml to check; and the services' INFO lines repeat every sensor tick)
        command += ["--no-check-yaml", "--log-level", "warning"]
    env = dict(os.environ)
    if sys.prefix != sys.base_prefix:
        env.setdefault("VIRTUAL_ENV", sys.prefix)  # dg warns when the project's venv is not active
    interrupted: list[float] = []  # when Ctrl-C (or SIGTERM, SIGHUP) arrived
    output = None if verbose else subprocess.PIPE
    proc = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, process_group=0, stdout=output, stderr=output
    )

    def stop(signum: int, _frame: object) -> None:
        # One Ctrl-C can arrive twice (from the terminal and forwarded by `uv run`): pass it on
        # once; a second press a little later is passed on too (dg dev then stops at once).
        now = time.monotonic()
        if proc.poll() is None and (not interrupted or now - interrupted[-1] > 2):
            proc.send_signal(signal.SIGINT)
        interrupted.append(now)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)

    def say_when_ready() -> None:
        t0 = time.monotonic()
        while proc.poll() is None and not interrupted:
            if _answers(f"{url}/server_info"):
                print(f"Dagster UI   : ready at {url} ({time.monotonic() - t0:.0f}s)", flush=True)
                return
            if time.monotonic() - t0 > UI_START_TIMEOUT:
                print(f"Dagster UI   : no answer from {url} after {UI_START_TIMEOUT}s", flush=True)
                return
            time.sleep(1)

    threading.Thread(target=say_when_ready, daemon=True).start()
    streams = [s for s in (proc.stdout, proc.stderr) if s is not None]
    copiers = [threading.Thread(target=_copy_without_debug, args=(s,)) for s in streams]
    for t in copiers:
        t.start()
    code = proc.wait()
    for t in copiers:
        t.join(timeout=5)
    if interrupted:
        print("Dagster UI   : stopped", flush=True)
        return 0
    return code


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _copy_without_debug(stream: IO[bytes]) -> None:
    """Copy ``dg dev``'s output to ours, leaving out log lines at DEBUG level."""
    for raw in iter(stream.readline, b""):
        line = raw.decode("utf-8", errors="replace")
        if " - DEBUG - " not in ANSI.sub("", line):
            sys.stdout.write(line)
            sys.stdout.flush()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m pipelines")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="materialize every asset on HIRING_DATA_DIR")
    r.add_argument("-v", "--verbose", action="store_true", help="also Dagster's INFO logs")
    d = sub.add_parser("dev", help="the Dagster UI (dg dev) until Ctrl-C")
    d.add_argument("--host", default="127.0.0.1")
    d.add_argument("--port", type=int, default=3000)
    d.add_argument("-v", "--verbose", action="store_true", help="Dagster's INFO logs")
    args = p.parse_args(argv)
    try:
        if args.command == "run":
            code = run(verbose=args.verbose)
        else:
            code = dev(args.host, args.port, verbose=args.verbose)
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        code = 2
    sys.exit(code)


if __name__ == "__main__":
    main()
