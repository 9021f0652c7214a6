"""The whole pipeline as a user runs it (`python -m pipelines run`), against the targets of #11.

    python benchmarks/bench_pipeline.py --sizes 1000000 10000000
    python benchmarks/bench_pipeline.py --sizes 20000000 --full-only

For each size N, on mostly distinct notes (``python -m pipelines.sample --distinct-notes``),
generated once and cached in data/bench/N-distinct/:

- ``base/``: the four contract files, less the hires held back for the batch;
- ``inc1/``: a 1 % batch, ``*-inc1.csv``: N/100 new applications with their new jobs,
  interviews and checks (another seed, ids re-prefixed so none collides: A→N, J→K, C→D), plus
  changes to existing records: late hires for existing jobs (the hire's application, interviews
  and check, held back from ``base``; they make the job's earlier rejections competition cases)
  and newer snapshots of existing background checks whose dispute was pending and has now been
  resolved as corrected.

Then, each a separate ``python -m pipelines run`` process with its own fresh DAGSTER_HOME,
HIRING_WAREHOUSE and HIRING_REPORTS_DIR (under data/bench/N-distinct/work):

1. full run on ``base`` (fresh warehouse), then at once the floor script
   (/work/shared/bench/floor.py) on the same files;
2. 1 % batch: the ``inc1`` files added to the input folder, run again;
3. no-change run: run again, nothing new (Dagster start-up included).

Wall time is measured around the process. Peak RSS is that of the whole process tree: the sum
of the RSS (/proc/PID/statm) of the process and all its descendants, sampled every 0.1 s, with
the largest single process's maximum RSS from ``/usr/bin/time -v`` ("Maximum resident set
size", exact, never missed between samples) alongside. Prints one table with the targets; asserts
nothing. A failed run is reported with its step and error lines, and the steps after it skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import numpy as np
import polars as pl
from common import BENCH_DIR, ROOT

FLOOR = Path("/work/shared/bench/floor.py")
TABLES = ("jobs", "applications", "interviews", "background_checks")
MiB = 1024 * 1024
RSS_TARGET_MIB = 2048
NO_CHANGE_TARGET_S = 10.0
PAGE = os.sysconf("SC_PAGE_SIZE")


# ---- data: base files and the 1 % batch, generated once


def _sample(n: int, seed: int, out: Path, truth: Path) -> tuple[float, list[str]]:
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pipelines.sample", "--applications", str(n), "--seed", str(seed),
         "--distinct-notes", "--out", str(out), "--truth", str(truth)],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return time.perf_counter() - t, proc.stdout.strip().splitlines()


# Above this size the base is generated in parts of at most this many applications (each another
# seed, its ids re-prefixed), so that generating 20M does not need twice the memory of 10M.
PART = 10_000_000
PART_PREFIXES = [("A", "J", "C"), ("E", "L", "F"), ("G", "M", "H"), ("P", "Q", "R")]


def _sample_parts(n: int, out: Path, truth: Path) -> tuple[float, list[str]]:
    """The base dataset, in parts of at most PART applications joined into one file per table."""
    if n <= PART:
        return _sample(n, 7, out, truth)
    sizes = [PART] * (n // PART) + ([n % PART] if n % PART else [])
    assert len(sizes) <= len(PART_PREFIXES), "add prefixes for more parts"
    secs, lines, parts = 0.0, [], []
    for i, size in enumerate(sizes):
        part = out.parent / f"{out.name}-part{i}"
        s, part_lines = _sample(size, 7 + 100 * i, part, part / "truth.csv")
        secs += s
        lines += part_lines
        parts.append(part)
    out.mkdir(parents=True)
    for table in (*TABLES, "truth"):
        frames = []
        for (a, j, c), part in zip(PART_PREFIXES, parts, strict=False):
            path = part / ("truth.csv" if table == "truth" else f"{table}.csv")
            ids = {"application_id": ("A", a), "job_id": ("J", j), "candidate_id": ("C", c)}
            frames.append(_reprefix(pl.scan_csv(path, infer_schema=False), ids))
        pl.concat(frames).sink_csv(truth if table == "truth" else out / f"{table}.csv")
    share = pl.scan_csv(out / "applications.csv", infer_schema=False).select(
        pl.col("recruiter_note").fill_null("").n_unique() / pl.len()
    )
    lines.append(f"distinct notes: {share.collect().item():.1%} of all notes (all parts)")
    for part in parts:
        shutil.rmtree(part)
    return secs, lines


def _read(folder: Path, table: str) -> pl.DataFrame:
    # As text: every value is written back exactly as the generator wrote it.
    return pl.read_csv(folder / f"{table}.csv", infer_schema=False)


Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)


def _reprefix(df: Frame, prefixes: dict[str, tuple[str, str]]) -> Frame:
    columns = df.collect_schema().names()
    return df.with_columns(
        (pl.lit(new) + pl.col(col).str.strip_prefix(old)).alias(col)
        for col, (old, new) in prefixes.items()
        if col in columns and old != new
    )


def ensure_data(n: int) -> Path:
    """data/bench/N-distinct with base/, inc1/ and info.json (generated once, then reused)."""
    root = BENCH_DIR / f"{n}-distinct"
    info = root / "info.json"
    if info.exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    gen, genb = root / "gen", root / "gen-inc1"
    secs, lines = _sample_parts(n, gen, root / "truth.csv")
    secs_b, _ = _sample(max(100, n // 100), 8, genb, root / "truth-inc1.csv")
    print(f"  generated {n:,} in {secs:.0f}s and the batch in {secs_b:.0f}s", flush=True)
    for line in lines:
        print(f"  {line}", flush=True)
    rng = np.random.default_rng(n)

    # Late hires: the hire of some jobs reaches the warehouse only with the batch.
    apps = _read(gen, "applications")
    hires = apps.filter(pl.col("outcome") == "hired")
    late = hires.sample(min(hires.height, max(10, n // 5000)), seed=int(rng.integers(1 << 31)))
    is_late = pl.col("application_id").is_in(late["application_id"].implode())
    interviews, checks = _read(gen, "interviews"), _read(gen, "background_checks")
    base = {
        "jobs": _read(gen, "jobs"),
        "applications": apps.filter(~is_late),
        "interviews": interviews.filter(~is_late),
        "background_checks": checks.filter(~is_late),
    }
    # Disputes resolved since the base export: a newer snapshot of the same check.
    pending = base["background_checks"].filter(pl.col("dispute_outcome") == "pending")
    resolved = pending.sample(
        min(pending.height, max(10, n // 2500)), seed=int(rng.integers(1 << 31))
    )
    resolved = resolved.with_columns(
        pl.lit("corrected").alias("dispute_outcome"),
        (
            pl.col("completed_at").str.to_date("%Y-%m-%d")
            + pl.duration(days=pl.lit(pl.Series(rng.integers(20, 45, size=resolved.height))))
        )
        .dt.strftime("%Y-%m-%d")
        .alias("dispute_resolved_at"),
    )
    ids = {"application_id": ("A", "N"), "job_id": ("J", "K"), "candidate_id": ("C", "D")}
    batch = {t: _reprefix(_read(genb, t), ids) for t in TABLES}
    inc = {
        "jobs": batch["jobs"],
        "applications": pl.concat([batch["applications"], apps.filter(is_late)]),
        "interviews": pl.concat([batch["interviews"], interviews.filter(is_late)]),
        "background_checks": pl.concat(
            [batch["background_checks"], checks.filter(is_late), resolved]
        ),
    }
    for folder, frames, suffix in ((root / "base", base, ""), (root / "inc1", inc, "-inc1")):
        folder.mkdir()
        for t, df in frames.items():
            df.write_csv(folder / f"{t}{suffix}.csv")
    shares = re.findall(r"distinct notes: ([\d.]+)%", "\n".join(lines))
    meta = {
        "applications": base["applications"].height,
        "batch_new_applications": batch["applications"].height,
        "late_hires": late.height,
        "disputes_resolved": resolved.height,
        "distinct_note_share": float(shares[-1]) / 100 if shares else None,
        "generate_seconds": secs + secs_b,
    }
    shutil.rmtree(gen)
    shutil.rmtree(genb)
    info.write_text(json.dumps(meta, indent=1))
    return root


# ---- measurement


def _tree_rss(root_pid: int) -> int:
    """Bytes resident in root_pid and all its descendants, now."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/statm", "rb") as f:
                total += int(f.read().split()[1]) * PAGE
        except OSError:
            pass
    return total


@dataclass
class Measured:
    seconds: float
    peak_mib: float  # process tree, sampled
    max_single_mib: float  # /usr/bin/time -v
    returncode: int
    stdout: str
    stderr: str
    cpu_percent: int  # of one core, from /usr/bin/time: below 100 x cores means it waited
    load: float  # the machine's 1-minute load average when it ended (2 cores, shared)
    lines: list[str] = field(default_factory=list)
    steps: dict[str, float] = field(default_factory=dict)  # asset step -> seconds, as printed


# The steps that build the reports: the report_* tables, then the pages.
REPORT_STEPS = ("report_tables", "reports")


def report_build_seconds(m: Measured) -> float | None:
    """Seconds of the report build (report_tables + reports steps), None if neither ran."""
    done = [m.steps[s] for s in REPORT_STEPS if s in m.steps]
    return sum(done) if done else None


def measure(cmd: list[str], env: dict[str, str], log: Path) -> Measured:
    """Run cmd under /usr/bin/time -v, sampling the tree's RSS; output kept in log.*."""
    out, err = log.with_suffix(".out"), log.with_suffix(".err")
    with out.open("w") as fo, err.open("w") as fe:
        t = time.perf_counter()
        proc = subprocess.Popen(
            ["/usr/bin/time", "-v", *cmd], cwd=ROOT, env=env, stdout=fo, stderr=fe
        )
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.1)
        seconds = time.perf_counter() - t
    stdout, stderr = out.read_text(), err.read_text()
    single = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    cpu = re.search(r"Percent of CPU this job got: (\d+)%", stderr)
    # /usr/bin/time's own report is not the command's output.
    stderr = re.split(
        r"^(?:Command exited with non-zero status \d+\n)?\tCommand being timed", stderr, flags=re.M
    )[0]
    single_mib = int(single.group(1)) / 1024 if single else float("nan")
    return Measured(
        seconds,
        max(peak / MiB, single_mib),
        single_mib,
        proc.returncode,
        stdout,
        stderr,
        int(cpu.group(1)) if cpu else 0,
        os.getloadavg()[0],
    )


def run_pipeline(work: Path, step: str) -> Measured:
    env = dict(os.environ)
    env.update(
        DAGSTER_HOME=str(work / "dagster_home"),
        HIRING_DATA_DIR=str(work / "input"),
        HIRING_WAREHOUSE=str(work / "warehouse.duckdb"),
        HIRING_REPORTS_DIR=str(work / "reports"),
        PYTHONUNBUFFERED="1",
    )
    m = measure([sys.executable, "-m", "pipelines", "run"], env, work / "logs" / step)
    text = m.stdout + "\n" + m.stderr
    keep = re.compile(r"^\s*\[\d+/\d+\]|reasons|recomputed|^error|FAILED|OutOfMemory|Error")
    m.lines = [ln.rstrip() for ln in text.splitlines() if keep.search(ln) and "\t" not in ln]
    asset_steps = set(re.findall(r"^\s*\[\d+/\d+\] (\S+)", m.stdout, flags=re.M))
    m.steps = {
        step: float(s)
        for step, s in re.findall(r"^\s*\[\d+/\d+\] (\S+)\s+([\d.]+)s", m.stdout, flags=re.M)
    }
    m.lines += dagster_breakdown(work / "dagster_home", m.seconds, asset_steps)
    return m


def dagster_breakdown(home: Path, wall: float, asset_steps: set[str]) -> list[str]:
    """Where the newest run's wall time went, from the Dagster event log in ``home`` (the
    default SQLite storage): before the first step, the asset steps, the asset-check steps, and
    outside the run (process start-up and imports before it, the summary after it)."""
    try:
        runs = sqlite3.connect(home / "history" / "runs.db")
        (run_id,) = runs.execute(
            "select run_id from runs order by create_timestamp desc limit 1"
        ).fetchone()
        events = (
            sqlite3.connect(home / "history" / "runs" / f"{run_id}.db")
            .execute(
                "select step_key, dagster_event_type, timestamp from event_logs "
                "where dagster_event_type is not null order by id"
            )
            .fetchall()
        )
    except (sqlite3.Error, TypeError):
        return []
    if not events:
        return []
    stamp = [datetime.fromisoformat(t).timestamp() for _, _, t in events]
    started: dict[str, float] = {}
    steps: list[tuple[str, float, float]] = []  # (step, start, seconds)
    for (step, kind, _), t in zip(events, stamp, strict=True):
        if kind == "STEP_START":
            started[step] = t
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and step in started:
            steps.append((step, started[step], t - started[step]))
    if not steps:
        return []
    span = stamp[-1] - stamp[0]
    first = min(st for _, st, _ in steps) - stamp[0]
    assets = [(k, d) for k, _, d in steps if k in asset_steps]
    checks = [(k, d) for k, _, d in steps if k not in asset_steps]
    slowest = sorted(checks, key=lambda kd: -kd[1])[:3]
    return [
        f"outside the Dagster run (start-up, imports, summary) {wall - span:.1f}s; in the run "
        f"{span:.1f}s: before the first step {first:.1f}s, asset steps "
        f"{sum(d for _, d in assets):.1f}s, {len(checks)} asset-check steps "
        f"{sum(d for _, d in checks):.1f}s (slowest: "
        + ", ".join(f"{k} {d:.1f}s" for k, d in slowest)
        + ")"
    ]


def run_floor(base: Path, work: Path) -> Measured:
    db = Path("/tmp") / f"floor-{os.getpid()}.duckdb"
    for old in (db, db.with_suffix(".duckdb.wal")):
        old.unlink(missing_ok=True)
    try:
        m = measure(
            [sys.executable, str(FLOOR), str(base), str(db)],
            dict(os.environ),
            work / "logs" / "floor",
        )
    finally:
        for old in (db, db.with_suffix(".duckdb.wal")):
            old.unlink(missing_ok=True)
    m.lines = [ln for ln in m.stdout.splitlines() if ln.startswith("floor")]
    return m


def link_files(src: Path, dest: Path) -> None:
    """Hard links (the same bytes, no copy of gigabytes) of src's CSV files in dest."""
    dest.mkdir(parents=True, exist_ok=True)
    for f in sorted(src.glob("*.csv")):
        os.link(f, dest / f.name)


def bench_size(n: int, full_only: bool, keep: bool) -> list[tuple]:
    print(f"== {n:,} applications", flush=True)
    root = ensure_data(n)
    meta = json.loads((root / "info.json").read_text())
    print(
        f"  data: {meta['applications']:,} applications in base, batch of "
        f"{meta['batch_new_applications']:,} new + {meta['late_hires']:,} late hires + "
        f"{meta['disputes_resolved']:,} disputes resolved; distinct notes "
        f"{meta['distinct_note_share']:.1%}",
        flush=True,
    )
    work = root / "work"
    shutil.rmtree(work, ignore_errors=True)
    (work / "logs").mkdir(parents=True)
    link_files(root / "base", work / "input")
    steps = [("full run", None), ("floor", None)]
    if not full_only:
        steps += [("1% batch", root / "inc1"), ("no-change run", None)]
    results: dict[str, Measured] = {}
    rows = []
    for step, add in steps:
        if step != "floor" and any(m.returncode for m in results.values()):
            print(f"  {step}: skipped (an earlier run failed)", flush=True)
            continue
        if add is not None:
            link_files(add, work / "input")
        if step == "floor":
            m = run_floor(root / "base", work)
        else:
            m = run_pipeline(work, step.split()[0].replace("%", ""))
        results[step] = m
        status = "ok" if m.returncode == 0 else f"FAILED (exit {m.returncode})"
        print(
            f"  {step}: {m.seconds:.1f}s, peak RSS {m.peak_mib:,.0f} MiB (largest process "
            f"{m.max_single_mib:,.0f} MiB), CPU {m.cpu_percent}%, load {m.load:.1f}, {status}",
            flush=True,
        )
        for line in m.lines:
            print(f"    {line}", flush=True)
        if m.returncode:
            tail = [ln for ln in m.stderr.splitlines() if ln.strip()][-25:]
            print("    --- stderr tail ---", *(f"    {ln}" for ln in tail), sep="\n", flush=True)
        rows.append((n, step, m))
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return rows


def targets(rows: list[tuple]) -> list[tuple[int, str, Measured, str, str]]:
    """Each row with its target in words and whether it is met."""
    by = {(n, step): m for n, step, m in rows}
    out = []
    for n, step, m in rows:
        ok = m.returncode == 0
        full, floor = by.get((n, "full run")), by.get((n, "floor"))
        if step == "full run" and floor is not None:
            ratio = m.seconds / floor.seconds
            target, met = f"<= 2x floor: {ratio:.2f}x", ok and ratio <= 2
        elif step == "1% batch" and full is not None:
            share = m.seconds / full.seconds
            target, met = f"<= 10% of full: {share:.0%}", ok and share <= 0.10
        elif step == "no-change run":
            target, met = f"<= {NO_CHANGE_TARGET_S:.0f} s", ok and m.seconds <= NO_CHANGE_TARGET_S
        else:
            target, met = "(reference)", ok
        rss_met = m.peak_mib <= RSS_TARGET_MIB
        verdict = ("met" if met else "NOT met") if ok else "FAILED"
        if step != "floor":
            verdict += f"; RSS {'met' if rss_met else 'NOT met'}"
        out.append((n, step, m, target, verdict))
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    p.add_argument("--full-only", action="store_true", help="only the full run (and the floor)")
    p.add_argument("--keep", action="store_true", help="keep the warehouses and logs in work/")
    args = p.parse_args()
    rows = []
    for n in args.sizes:
        rows += bench_size(n, args.full_only, args.keep)
    print()
    print(f"targets: full <= 2x floor, 1% batch <= 10% of full, no-change <= "
          f"{NO_CHANGE_TARGET_S:.0f} s, peak RSS (process tree) <= {RSS_TARGET_MIB} MiB; "
          f"report s: the report build ({' + '.join(REPORT_STEPS)} steps)")  # fmt: skip
    print(
        f"{'applications':>12}  {'step':<14} {'wall s':>7} {'report s':>8} {'peak RSS MiB':>13}  "
        f"{'target':<24} result"
    )
    for n, step, m, target, verdict in targets(rows):
        report = report_build_seconds(m)
        report_s = "-" if report is None else f"{report:.1f}"
        print(
            f"{n:>12,}  {step:<14} {m.seconds:>7.1f} {report_s:>8} {m.peak_mib:>13,.0f}  "
            f"{target:<24} {verdict}"
        )


if __name__ == "__main__":
    main()
