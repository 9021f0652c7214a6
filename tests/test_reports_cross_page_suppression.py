"""The cross-page attack (issue #12): every number the site publishes, of every page, put into
one linear system, and every suppressed cell that system fixes is a leak.

What an attacker has: every cell any tidy CSV shows (a cell shown on one page is known on all);
each cube's own sums (a margin is the sum of the cells under it); and the *identities between
cubes*, numbers two pages publish that count the same people by the definitions in the SQL
(``sql/reasons``, ``sql/reports``), or one that counts a subset of the other's people. Unknowns:
every cell no CSV shows, each >= 0, plus a slack >= 0 per subset relation. A suppressed cell is
recovered when its value is fixed: exactly, by linear algebra (its unit vector lies in the row
space of the system), or by bound propagation with the unknowns >= 0 (its upper bound meets its
lower bound), the two repeated on each other's results.

Each cube on its own is attacked by ``tests/test_suppression`` (at the level of its leaves) and
``tests/test_reports_consistency`` (per tidy CSV); this file adds what one page cannot see.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from pipelines.reports import suppression as supp
from pipelines.reports.pages.check_charts import LOST_STATUS
from pipelines.reports.population import OUTCOMES
from pipelines.reports.privacy import MIN_GROUP, OTHER_GROUPS
from pipelines.reports.suppression import ALL

# The cubes, by the count each measures (Cube.measure).
APPLICATIONS = "applications"
COHORT = "post-interview rejections"
DECISIONS = "decisions after an interview"
ADVERSE_DECISIONS = "adverse-action decisions"
CHECKS = "background checks"
LOST = "background-check rejections"
UNANIMOUS = "unanimous-yes applications"
RECOMMENDATIONS = "interview recommendations"
COMPETITION = "competition cases with the hire's record"
GOAL = "goal-mismatch rejections"
INPUT_ROWS = "input rows"
ASSIGNMENTS = "reason assignments"

Cell = tuple[str, dict[str, str]]  # (measure, labels; unnamed dimensions are ALL)


@dataclass(frozen=True)
class Relation:
    """sum(left) == sum(right), or sum(left) <= sum(right) when ``subset``; ``why`` cites the
    definitions that make it hold."""

    left: tuple[Cell, ...]
    right: tuple[Cell, ...]
    subset: bool
    why: str


def relations(cubes: dict[str, supp.Cube]) -> list[Relation]:
    """Every identity (and subset relation) between numbers of different cubes, by the SQL.

    Equal by definition:
    - ``report_cohort``, ``report_confidence``, ``report_goal_mismatch`` and
      ``report_lost_offers`` all count ``reason_assignments`` rows, one per post-interview
      rejection (``reason_assignments.sql``); background_checks has one row per application
      (the contract's key), so the lost-offers join does not multiply them;
    - the unanimous-yes applications that were rejected are the post-interview rejections (the
      same last-round rule in ``report_interview_votes`` and ``post_interview_rejections``).
    Equal in a warehouse loaded in one batch (the sample, and any first load; an attacker sees
    it from the tables that do match): the rows loaded per table (``ingest_log``) and the
    table's rows counted on another page.
    Subsets: decisions after an interview (need an interview date and a decision date) within
    the applications with that outcome; unanimous-yes applications within the applications
    with their outcome; post-interview rejections within the rejected applications of the same
    month, group and stage; competition cases with the hire's record within the competition
    rejections; background-check rejections of a vendor within that vendor's checks (and per report
    outcome within its checks of that status: so where every dispute is on an adverse report, as
    in the sample; a clear check a rejection is put down to counts as not disputed there);
    adverse-action decisions within the adverse reports (per vendor where both pages name it).
    """
    out: list[Relation] = []

    def cell(measure: str, **labels: str) -> Cell:
        return (measure, labels)

    def add(left: list[Cell], right: list[Cell], subset: bool, why: str) -> None:
        if all(m in cubes for m, _ in [*left, *right]):
            out.append(Relation(tuple(left), tuple(right), subset, why))

    c = cubes.get(COHORT)
    reasons = list(c.dims[-1].leaves) if c else []
    add([cell(COHORT)], [cell(UNANIMOUS, outcome="rejected")], False, "unanimous yes, rejected")
    add([cell(COHORT)], [cell(ASSIGNMENTS)], False, "one assignment per rejection")
    for r in reasons:
        if ASSIGNMENTS in cubes and r in cubes[ASSIGNMENTS].dims[0].labels:
            add([cell(COHORT, reason=r)], [cell(ASSIGNMENTS, reason=r)], False, "assignments")
    add([cell(COHORT, reason="background_check")], [cell(LOST)], False, "lost offers")
    add([cell(COHORT, reason="goal_mismatch")], [cell(GOAL)], False, "goal mismatch")
    add([cell(COMPETITION)], [cell(COHORT, reason="competition")], True, "competition")
    for table, measure in (
        ("applications", APPLICATIONS),
        ("interviews", RECOMMENDATIONS),
        ("background_checks", CHECKS),
    ):
        if INPUT_ROWS in cubes and table in cubes[INPUT_ROWS].dims[0].leaves:
            add([cell(INPUT_ROWS, table=table, problem="loaded")], [cell(measure)], False, table)
    decided = {
        "hired": ["hired"],
        "withdrawn": ["withdrawn"],
        "offer_declined": ["offer_declined"],
        "rejected": ["rejected after a successful interview", "other rejection"],
    }
    for outcome, decisions in decided.items():
        add(
            [cell(DECISIONS, decision=d) for d in decisions],
            [cell(APPLICATIONS, outcome=outcome)],
            True,
            "decided after an interview",
        )
    add(
        [cell(DECISIONS, decision="rejected after a successful interview")],
        [cell(COHORT)],
        True,
        "cohort with both dates",
    )
    for o in OUTCOMES:
        add([cell(UNANIMOUS, outcome=o)], [cell(APPLICATIONS, outcome=o)], True, "unanimous yes")
    if c and APPLICATIONS in cubes:
        a = cubes[APPLICATIONS]
        names = [d.name for d in c.dims]
        for key in c.keys:
            labels = dict(zip(names, key, strict=True))
            if labels.pop("reason") != ALL:
                continue
            for outcome in ("rejected", ALL):
                akey = tuple(labels.get(d.name, outcome) for d in a.dims)
                if akey in a._id:
                    add(
                        [cell(COHORT, **labels)],
                        [cell(APPLICATIONS, **labels, outcome=outcome)],
                        True,
                        "cohort within applications",
                    )
                    break
    if LOST in cubes and CHECKS in cubes:
        for v in cubes[LOST].dims[0].leaves:
            if v in cubes[CHECKS].dims[0].leaves:
                add([cell(LOST, vendor_id=v)], [cell(CHECKS, vendor_id=v)], True, "lost, vendor")
                for detail, status in LOST_STATUS.items():
                    add(
                        [cell(LOST, vendor_id=v, detail=detail)],
                        [cell(CHECKS, vendor_id=v, status=status)],
                        True,
                        "lost, vendor and report outcome",
                    )
    if ADVERSE_DECISIONS in cubes and CHECKS in cubes:
        add([cell(ADVERSE_DECISIONS)], [cell(CHECKS, status="adverse")], True, "adverse")
        for v in cubes[ADVERSE_DECISIONS].dims[0].leaves:
            if v != OTHER_GROUPS and v in cubes[CHECKS].dims[0].leaves:
                add(
                    [cell(ADVERSE_DECISIONS, vendor_id=v)],
                    [cell(CHECKS, vendor_id=v, status="adverse")],
                    True,
                    "adverse, vendor",
                )
    return out


def published(out: Path, cubes: dict[str, supp.Cube]) -> dict[str, np.ndarray]:
    """Per cube, each cell's value as the site shows it: -1 where no tidy CSV shows it."""
    known = {m: np.full(len(c.keys), -1, dtype=np.int64) for m, c in cubes.items()}
    for path in sorted((out / "data").glob("*--all-numbers.csv")):
        with path.open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                cube = cubes[row["count"]]
                i = cube._id[tuple(row[d.name] for d in cube.dims)]
                if row["suppressed"] != "true":
                    known[row["count"]][i] = int(row["n"])
    return known


def every_sum(cube: supp.Cube) -> list[tuple[int, ...]]:
    """Every sum among the cube's published cells, the total first: a cell whose label in one
    dimension is a grouping, with the cells of its parts, whichever views they were published
    in (``Cube._sums`` holds the sums inside one view; a year and its months can be in two)."""
    out: set[tuple[int, ...]] = set()
    for key in cube.keys:
        for j, d in enumerate(cube.dims):
            if key[j] not in d.parts:
                continue
            parts = [cube._id.get((*key[:j], p, *key[j + 1 :])) for p in d.parts[key[j]]]
            if all(i is not None for i in parts):
                out.add((cube._id[key], *parts))  # type: ignore[arg-type]
    return sorted(out)


@dataclass
class System:
    """Unknowns (cells no CSV shows, then slacks) and equations sum(coef * x) = rhs."""

    names: list[tuple[str, tuple[str, ...]] | str]
    rows: list[dict[int, float]]
    rhs: list[float]


def build_system(
    cubes: dict[str, supp.Cube], known: dict[str, np.ndarray], rels: list[Relation]
) -> System:
    names: list[tuple[str, tuple[str, ...]] | str] = []
    var: dict[tuple[str, int], int] = {}
    for m, cube in cubes.items():
        for i in np.flatnonzero(known[m] < 0):
            var[(m, int(i))] = len(names)
            names.append((m, cube.keys[i]))
    rows: list[dict[int, float]] = []
    rhs: list[float] = []

    def equation(terms: list[tuple[str, int, float]], slack: bool = False) -> None:
        row: dict[int, float] = {}
        b = 0.0
        for m, i, coef in terms:
            if (m, i) in var:
                row[var[(m, i)]] = row.get(var[(m, i)], 0.0) + coef
            else:
                b -= coef * known[m][i]
        if slack:
            row[len(names)] = 1.0
            names.append(f"slack {len(rows)}")
        row = {j: c for j, c in row.items() if c}
        if row:
            rows.append(row)
            rhs.append(b)
        else:
            assert b == 0, f"published numbers contradict each other: {terms}"

    for m, cube in cubes.items():
        for s in every_sum(cube):
            equation([(m, int(s[0]), 1.0), *((m, int(p), -1.0) for p in s[1:])])
    for rel in rels:
        ids = []
        for side, sign in ((rel.left, 1.0), (rel.right, -1.0)):
            for m, labels in side:
                ids.append((m, cubes[m]._id[cubes[m]._key(labels)], sign))
        equation(ids, slack=rel.subset)  # left - right (+ slack) = 0
    return System(names, rows, rhs)


def fixed_by_algebra(system: System, value: np.ndarray) -> np.ndarray:
    """``value`` with every unknown the equations fix (its unit vector in the row space) filled
    in, per connected group of unknowns; NaN stays where the value is not yet known."""
    n = len(system.names)
    done = ~np.isnan(value)
    parent = list(range(n))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    live = [[j for j in row if not done[j]] for row in system.rows]
    for js in live:
        for j in js[1:]:
            parent[find(j)] = find(js[0])
    groups: dict[int, list[int]] = {}
    for e, js in enumerate(live):
        if js:
            groups.setdefault(find(js[0]), []).append(e)
    out = value.copy()
    for eqs in groups.values():
        cols = sorted({j for e in eqs for j in live[e]})
        local = {j: k for k, j in enumerate(cols)}
        m = np.zeros((len(eqs), len(cols)))
        b = np.zeros(len(eqs))
        for r, e in enumerate(eqs):
            b[r] = system.rhs[e]
            for j, coef in system.rows[e].items():
                if done[j]:
                    b[r] -= coef * value[j]
                else:
                    m[r, local[j]] = coef
        _, sv, vt = np.linalg.svd(m)
        rank = int((sv > 1e-9 * max(1.0, sv.max(initial=0.0))).sum())
        null = vt[rank:]
        fixed = np.abs(null).sum(axis=0) < 1e-9 if null.size else np.ones(len(cols), bool)
        if fixed.any():
            x, *_ = np.linalg.lstsq(m, b, rcond=None)  # exact on the fixed unknowns
            out[np.array(cols)[fixed]] = np.round(x[fixed])
    return out


def propagate(system: System, lo: np.ndarray, hi: np.ndarray, rounds: int = 200) -> None:
    """Bound propagation over the equations, every unknown an integer >= 0 (in place)."""
    eq = np.array([e for e, row in enumerate(system.rows) for _ in row])
    var = np.array([j for row in system.rows for j in row])
    coef = np.array([c for row in system.rows for c in row.values()])
    if eq.size == 0:
        return
    b = np.array(system.rhs)
    n_eq = len(system.rows)
    for _ in range(rounds):
        tmin = np.where(coef > 0, coef * lo[var], coef * hi[var])
        tmax = np.where(coef > 0, coef * hi[var], coef * lo[var])
        inf_min, inf_max = np.isinf(tmin), np.isinf(tmax)
        smin = np.bincount(eq, np.where(inf_min, 0, tmin), n_eq)
        smax = np.bincount(eq, np.where(inf_max, 0, tmax), n_eq)
        cmin = np.bincount(eq, inf_min, n_eq)
        cmax = np.bincount(eq, inf_max, n_eq)
        # coef * x = b - (the others): bounds of the others without this term
        omin = np.where(cmin[eq] - inf_min > 0, -np.inf, smin[eq] - np.where(inf_min, 0, tmin))
        omax = np.where(cmax[eq] - inf_max > 0, np.inf, smax[eq] - np.where(inf_max, 0, tmax))
        with np.errstate(invalid="ignore"):
            a, z = (b[eq] - omax) / coef, (b[eq] - omin) / coef
        new_lo = np.where(coef > 0, a, z)
        new_hi = np.where(coef > 0, z, a)
        nlo, nhi = lo.copy(), hi.copy()
        np.maximum.at(nlo, var, np.ceil(np.nan_to_num(new_lo - 1e-9, nan=-np.inf)))
        np.minimum.at(nhi, var, np.floor(np.nan_to_num(new_hi + 1e-9, nan=np.inf)))
        if np.array_equal(nlo, lo) and np.array_equal(nhi, hi):
            return
        lo[:], hi[:] = nlo, nhi


def attack(system: System) -> np.ndarray:
    """The value of every unknown the attack fixes (NaN where it stays unknown)."""
    n = len(system.names)
    value = np.full(n, np.nan)
    lo, hi = np.zeros(n), np.full(n, np.inf)
    for _ in range(10):
        value = fixed_by_algebra(system, value)
        known = ~np.isnan(value)
        lo[known] = np.maximum(lo[known], value[known])
        hi[known] = np.minimum(hi[known], value[known])
        propagate(system, lo, hi)
        pinned = (lo == hi) & np.isnan(value)
        if not pinned.any():
            return value
        value[pinned] = lo[pinned]
    return value


def recovered(cubes: dict[str, supp.Cube], known: dict[str, np.ndarray]) -> dict[str, int]:
    """Each cell no CSV shows whose value the cross-page attack fixes, with that value."""
    system = build_system(cubes, known, relations(cubes))
    value = attack(system)
    out = {}
    for name, v in zip(system.names, value, strict=True):
        if isinstance(name, tuple) and not np.isnan(v):
            m, key = name
            truth = int(cubes[m].values[cubes[m]._id[key]])
            assert int(v) == truth, (name, v, truth)  # the attack is sound: never a wrong value
            out[f"{m} {key}"] = truth
    return out


def leaks(cubes: dict[str, supp.Cube], known: dict[str, np.ndarray]) -> list[str]:
    """Suppressed cells of one or more people the attack recovers. (A hidden zero it pins is
    no group: privacy.py. It happens where a small cell's every hypercube has a cell at a
    bound, and the hypercube then moves one way only, never fixing the small cell.)"""
    return [f"{k} = {v}" for k, v in recovered(cubes, known).items() if v > 0]


# ---- the site


@pytest.fixture
def site(sample_site):
    """The sample's site: its reports folder, the cubes the pages built by measure, the warehouse."""
    by_measure = {c.measure: c for c in sample_site.cubes}
    assert len(by_measure) == len(sample_site.cubes)
    return sample_site.reports, by_measure, sample_site.con


def test_the_identities_hold_on_the_true_counts(site):
    """The attack's relations are facts about the data, not guesses: checked on every count
    before suppression (so a relation that stopped holding fails here, not as a false leak)."""
    _, cubes, _ = site
    rels = relations(cubes)
    assert {r.why for r in rels} >= {
        "unanimous yes, rejected",
        "assignments",
        "lost offers",
        "goal mismatch",
        "background_checks",
        "decided after an interview",
        "cohort within applications",
    }
    for rel in rels:
        left, right = (
            sum(cubes[m].true_value(**labels) for m, labels in side)
            for side in (rel.left, rel.right)
        )
        assert left <= right if rel.subset else left == right, rel


def test_no_suppressed_cell_is_recoverable_across_pages(site):
    out, cubes, _ = site
    known = published(out, cubes)
    assert sum(int((k < 0).sum()) for k in known.values()) > 100  # there is something to attack
    assert leaks(cubes, known) == []


def test_no_sum_leaves_a_small_group_of_hidden_cells(site):
    # The reviewer's case: goal mismatch in 2025 (218, shown) less its shown months March to
    # December (217) left January + February = 1. Hiding each cell is not enough when the hidden
    # cells of one sum together make a small group.
    out, cubes, _ = site
    known = published(out, cubes)
    small = []
    for m, cube in cubes.items():
        for s in every_sum(cube):
            if known[m][s[0]] < 0:
                continue
            hidden = [p for p in s[1:] if known[m][p] < 0]
            together = int(sum(cube.values[p] for p in hidden))
            if 0 < together < MIN_GROUP:
                small.append(f"{m} {cube.keys[s[0]]}: {len(hidden)} hidden = {together}")
    assert small == [], "\n".join(small)
