"""Small-cell suppression that holds against subtraction: primary and complementary suppression
over a cube of counts with its margins. (Long because it is one algorithm: the cube, the exact
recoverability check and the hypercube search read each other's internals.)

A :class:`Cube` holds the counts of one population (post-interview rejections, applications,
background checks...) at the finest level the reports use (its *leaves*: one count per
combination of one leaf value of each dimension, aggregated in DuckDB), and the groupings of each
dimension the reports publish: "all", a quarter made of months, "reached the interview stage"
made of the stages after it. Every number the reports show of that population is one *cell* of
the cube: one label per dimension, its value the sum of the leaves under those labels. The cells
published together form *views* (a view: for each dimension, the labels it shows), and the cube
treats every cell of every view as published: a page may show fewer, never more.

Suppression:

1. *Primary*: a cell of 1 to MIN_GROUP - 1 people is suppressed (zero is not a group).
2. *Complementary*: the published cells are tied by sums (a margin is the sum of the cells under
   it: "all" = the sum of the families, a quarter = the sum of its months, a stage total = the
   sum of its reasons). Those sums are the only way one published number follows from others in
   a cube with complete margins, so a suppressed cell can be recovered exactly when, in the linear
   system of those sums, its value is fixed by the cells that are shown. That is checked exactly
   (the null space of the sums restricted to the suppressed cells, per connected group of them);
   while a suppressed cell is recoverable, the smallest shown non-zero cell in one of its sums is
   suppressed too, preferring inner cells to margins, and the check runs again.

Different filters of a page are different views of the same cube, so a cell shared by two
filters or two pages is one cell with one decision: the subtraction "unfiltered minus the other
filter values" is a sum like any other and is protected the same way. ``tests/test_suppression``
attacks every cube at the level of its leaves (all the sums there are, not only the ones this
module knows) and ``tests/test_reports_consistency`` attacks the published CSV files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product

import numpy as np
import polars as pl

from pipelines.reports.privacy import MIN_GROUP

ALL = "all"


@dataclass(frozen=True)
class Dim:
    """A dimension of a cube: its leaf values in display order, and its groupings.

    ``parts`` says how each grouping adds up: label -> the labels (leaves or other groupings) it
    is the sum of, disjoint and covering it. ``ALL`` (every leaf) is added when not given."""

    name: str
    leaves: tuple[str, ...]
    parts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if ALL not in self.parts and ALL not in self.leaves:
            object.__setattr__(self, "parts", {**self.parts, ALL: tuple(self.leaves)})

    @property
    def labels(self) -> tuple[str, ...]:
        return (*self.leaves, *self.parts)

    def members(self, label: str) -> frozenset[str]:
        """The leaves under a label."""
        if label in self.leaves:
            return frozenset([label])
        return frozenset().union(*(self.members(p) for p in self.parts[label]))


@dataclass(frozen=True)
class View:
    """Cells published together: for each dimension the labels shown (all of its labels when a
    dimension is not named)."""

    labels: Mapping[str, Sequence[str]]


class Cube:
    """Counts of one population with its dimensions, views and suppression decisions.

    ``leaf_counts``: one row per combination of leaf values that occurs (one column per dimension,
    values already mapped to the dimension's leaves) and the count in column ``n``."""

    def __init__(
        self,
        measure: str,
        dims: Sequence[Dim],
        leaf_counts: pl.DataFrame,
        views: Sequence[View],
        *,
        pinned: Sequence[Mapping[str, str]] = (),
        protected: bool = True,
    ) -> None:
        self.measure = measure
        self.dims = list(dims)
        self.views = list(views)
        shape = tuple(len(d.leaves) for d in self.dims)
        dense = np.zeros(shape, dtype=np.int64)
        if leaf_counts.height:
            idx = []
            for d in self.dims:
                pos = {v: i for i, v in enumerate(d.leaves)}
                col = leaf_counts[d.name].cast(pl.String)
                unknown = set(col.unique().to_list()) - set(pos)
                if unknown:
                    raise ValueError(f"{measure}: {d.name} values not among its leaves")
                idx.append(col.replace_strict(pos, return_dtype=pl.Int64).to_numpy())
            np.add.at(dense, tuple(idx), leaf_counts["n"].to_numpy().astype(np.int64))
        self._leaf = dense
        self.keys: list[tuple[str, ...]] = []
        self._id: dict[tuple[str, ...], int] = {}
        values: list[np.ndarray] = []
        self._view_ids: list[np.ndarray] = []
        for view in self.views:
            labels = [list(view.labels.get(d.name, d.labels)) for d in self.dims]
            arr = dense
            for axis, (d, labs) in enumerate(zip(self.dims, labels, strict=True)):
                m = np.array(
                    [[leaf in d.members(lab) for leaf in d.leaves] for lab in labs], dtype=np.int64
                )
                arr = np.moveaxis(np.tensordot(m, arr, axes=([1], [axis])), 0, axis)
            ids = np.empty(arr.shape, dtype=np.int64)
            for pos in product(*(range(len(labs)) for labs in labels)):
                key = tuple(labs[i] for labs, i in zip(labels, pos, strict=True))
                if key not in self._id:
                    self._id[key] = len(self.keys)
                    self.keys.append(key)
                    values.append(arr[pos])
                ids[pos] = self._id[key]
            self._view_ids.append(ids)
        self.values = np.array(values, dtype=np.int64)
        self.suppressed = np.zeros(len(self.keys), dtype=bool)
        # What else the reports say about each cell (another cube's count of a superset or a
        # subset of its people, or the same count): a hypercube moves no cell past these.
        self.low = np.zeros(len(self.keys), dtype=np.int64)
        self.high = np.full(len(self.keys), np.iinfo(np.int64).max, dtype=np.int64)
        for labels in pinned:  # the same count another page shows: never a complement here
            i = self._id[self._key(labels)]
            self.low[i] = self.high[i] = self.values[i]
        self._sums = self._relations()
        if protected:  # else the caller sets low and high, then calls protect()
            protect(self)

    # ---- the sums that tie published cells together

    def _relations(self) -> list[np.ndarray]:
        """Each sum as an array of cell ids, the total first: total = sum of the rest."""
        sums: list[np.ndarray] = []
        seen: set[tuple[int, ...]] = set()
        for view, ids in zip(self.views, self._view_ids, strict=True):
            for axis, d in enumerate(self.dims):
                labs = list(view.labels.get(d.name, d.labels))
                where = {lab: i for i, lab in enumerate(labs)}
                for total, parts in d.parts.items():
                    if total not in where or any(p not in where for p in parts):
                        continue
                    cols = [where[total], *(where[p] for p in parts)]
                    block = np.moveaxis(np.take(ids, cols, axis=axis), axis, -1)
                    for row in block.reshape(-1, len(cols)):
                        key = tuple(row)
                        if key not in seen:
                            seen.add(key)
                            sums.append(row)
        return sums

    # ---- reading the cube

    def value(self, **labels: str) -> int | None:
        """The published value of a cell (None when suppressed); unnamed dimensions are ALL."""
        i = self._id[self._key(labels)]
        return None if self.suppressed[i] else int(self.values[i])

    def true_value(self, **labels: str) -> int:
        """The cell's count before suppression: for decisions (is there anything at all), never
        to be shown."""
        return int(self.values[self._id[self._key(labels)]])

    def _key(self, labels: Mapping[str, str]) -> tuple[str, ...]:
        unknown = set(labels) - {d.name for d in self.dims}
        if unknown:
            raise KeyError(f"{self.measure}: no dimension {sorted(unknown)}")
        return tuple(labels.get(d.name, ALL) for d in self.dims)

    def frame(self) -> pl.DataFrame:
        """Every published cell: one column per dimension, ``n`` (None where suppressed) and
        ``suppressed``. This is what the page's tidy CSV holds for the cube."""
        cols = {d.name: [k[i] for k in self.keys] for i, d in enumerate(self.dims)}
        shown = np.where(self.suppressed, 0, self.values)
        return pl.DataFrame(
            {
                **cols,
                "n": pl.Series(shown, dtype=pl.Int64),
                "suppressed": self.suppressed,
            }
        ).with_columns(pl.when(pl.col("suppressed")).then(None).otherwise(pl.col("n")).alias("n"))

    def support(self, key: tuple[str, ...]) -> list[tuple[str, ...]]:
        """The leaves a cell adds up (for the leaf-level attack in the tests)."""
        return list(product(*(sorted(d.members(k)) for d, k in zip(self.dims, key, strict=True))))

    def leaf_counts(self) -> dict[tuple[str, ...], int]:
        out = {}
        for pos in zip(*np.nonzero(self._leaf), strict=True):
            out[tuple(d.leaves[i] for d, i in zip(self.dims, pos, strict=True))] = int(
                self._leaf[pos]
            )
        return out


def recoverable(cube: Cube) -> np.ndarray:
    """Suppressed cells whose value follows from the shown cells through the cube's sums."""
    supp = np.flatnonzero(cube.suppressed)
    out = np.zeros(len(cube.keys), dtype=bool)
    if supp.size == 0:
        return out
    col = {int(c): j for j, c in enumerate(supp)}
    rows = []
    for s in cube._sums:
        hidden = [(col[int(c)], 1.0 if k == 0 else -1.0) for k, c in enumerate(s) if int(c) in col]
        if hidden:
            rows.append(hidden)
    if not rows:
        return out
    # Connected groups of suppressed cells (tied by a sum), each solved on its own.
    parent = list(range(supp.size))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for r in rows:
        first = find(r[0][0])
        for j, _ in r[1:]:
            parent[find(j)] = first
    groups: dict[int, list[int]] = {}
    for j in range(supp.size):
        groups.setdefault(find(j), []).append(j)
    row_group: dict[int, list[list[tuple[int, float]]]] = {}
    for r in rows:
        row_group.setdefault(find(r[0][0]), []).append(r)
    for root, members in groups.items():
        eqs = row_group.get(root)
        if not eqs:
            continue
        local = {j: i for i, j in enumerate(members)}
        m = np.zeros((len(eqs), len(members)))
        for e, r in enumerate(eqs):
            for j, coef in r:
                m[e, local[j]] += coef
        _, sv, vt = np.linalg.svd(m)
        rank = int((sv > 1e-9 * max(1.0, sv.max(initial=0.0))).sum())
        null = vt[rank:]
        fixed = np.abs(null).sum(axis=0) < 1e-9 if null.size else np.ones(len(members), bool)
        for j, is_fixed in zip(members, fixed, strict=True):
            if is_fixed:
                out[supp[j]] = True
    return out


def _level(cube: Cube, i: int) -> int:
    """How many margins a cell is in: inner cells are suppressed before totals."""
    return sum(k not in d.leaves for d, k in zip(cube.dims, cube.keys[i], strict=True))


MAX_OPTIONS = 40  # leaf pairs tried per dimension when placing a hypercube
# A cell at a bound (zero: no count is below it) blocks one of the hypercube's two directions;
# blocked both ways it would pin the small cell's value, so it is never chosen while another is.
ONE_WAY_COST = 1_000
BLOCKED_COST = 10**9
MARGIN_COST = 1_000  # per margin a cell is in: hide inner cells before totals


def _cell_labels(cube: Cube) -> np.ndarray:
    """(cells, dims) array of each cell's label index in its dimension's ``labels``."""
    pos = [{lab: i for i, lab in enumerate(d.labels)} for d in cube.dims]
    return np.array([[pos[j][k] for j, k in enumerate(key)] for key in cube.keys], dtype=np.int64)


def _options(d: Dim, label: str) -> list[np.ndarray]:
    """Leaf perturbations along one dimension that change ``label``: +1 on a leaf under it and
    -1 on a leaf outside it (so the totals above both stay the same), or +1 on one leaf under it
    (the totals above it change too: the way round a row whose other cells are all zero).
    Returned as the change of each of the dimension's labels."""
    members = d.members(label)
    inside = [i for i, leaf in enumerate(d.leaves) if leaf in members]
    outside = [i for i, leaf in enumerate(d.leaves) if leaf not in members]
    member = np.array([[leaf in d.members(lab) for leaf in d.leaves] for lab in d.labels], float)
    out = [member[:, a] for a in inside[:MAX_OPTIONS]]
    for a in inside:
        for b in outside:
            out.append(member[:, a] - member[:, b])
            if len(out) >= MAX_OPTIONS:
                return out
    return out


MAX_WIDENINGS = 50  # rounds of widening small groups of hidden cells (protect)


def _every_sum(cube: Cube) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every sum among the published cells, whichever views they are in (a year and its months
    can be in two): the totals, and the parts with the index of their sum, flat."""
    totals, parts, of_sum = [], [], []
    for key, i in cube._id.items():
        for j, d in enumerate(cube.dims):
            if key[j] not in d.parts:
                continue
            ids = [cube._id.get((*key[:j], p, *key[j + 1 :])) for p in d.parts[key[j]]]
            if all(x is not None for x in ids):
                parts += ids  # type: ignore[arg-type]
                of_sum += [len(totals)] * len(ids)
                totals.append(i)
    as_array = [np.array(x, dtype=np.int64) for x in (totals, parts, of_sum)]
    return as_array[0], as_array[1], as_array[2]


def _nested_pairs(cube: Cube) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of published cells, the second's label inside the first's along one dimension (the
    same labels elsewhere): shown together, their difference is a group of its own ("all" less
    "disputed" = no adverse action + not disputed)."""
    # per dimension, each label's strictly smaller labels (members() recomputed per cell cost
    # 0.4 s of the sample's 1.0 s report build)
    members = [{lab: d.members(lab) for lab in d.labels} for d in cube.dims]
    inside = [{lab: [x for x in m if m[x] < m[lab]] for lab in m} for m in members]
    outer, inner = [], []
    for key, i in cube._id.items():
        for j in range(len(cube.dims)):
            for label in inside[j][key[j]]:
                k = cube._id.get((*key[:j], label, *key[j + 1 :]))
                if k is not None:
                    outer.append(i)
                    inner.append(k)
    return np.array(outer, dtype=np.int64), np.array(inner, dtype=np.int64)


def protect(cube: Cube) -> None:
    """Primary suppression, then complementary suppression by hypercubes.

    For each small cell not yet protected, a perturbation of the leaves is chosen, one factor per
    dimension (+1 on a leaf under the cell's label and -1 on a leaf outside it, or +1 on one leaf
    where the label is "all"), and every cell whose value the perturbation changes is suppressed.
    The shown cells are then the same for the real counts and the perturbed ones, so no
    combination of shown cells (sums, differences, other filters, other pages) can fix the small
    cell's value, provided the perturbation can move at least one way: a cell it lowers cannot be
    at its lower bound (zero, or ``cube.low``) nor a cell it raises at ``cube.high`` (bounds are
    what other pages publish about the same people). A hypercube blocked both ways is never
    chosen while another is; one way costs as much as a margin. The factors are chosen
    dimension by dimension to hide as little as possible: inner cells before margins, small
    counts before large ones. Last, no shown total may leave its hidden parts together a small
    group (where they add up to 1 to MIN_GROUP - 1, another part is hidden and covered), nor two
    shown cells one inside the other differ by 1 to MIN_GROUP - 1 (one of them is hidden and
    covered). Differences of a total and several shown cells at different depths are not
    checked (an attacker's linear program can still narrow some hidden cells there)."""
    v = cube.values
    sup = cube.suppressed
    sup |= (v > 0) & (v < MIN_GROUP)
    if not sup.any():
        return
    idx = _cell_labels(cube)
    level = np.array([_level(cube, i) for i in range(len(cube.keys))])
    cost = v + MARGIN_COST * level
    at_low, at_high = v <= np.maximum(cube.low, 0), v >= cube.high
    outside = (cube.low > 0) & at_low | at_high  # at a bound another cube sets
    protected = np.zeros(len(cube.keys), dtype=bool)
    low, high, beyond = at_low.astype(float), at_high.astype(float), outside.astype(float)
    # (options, labels) per dimension and label: one row per option
    options_cache: dict[tuple[int, str], np.ndarray] = {}

    def cover(cell: int) -> None:
        """Hide the cheapest hypercube through ``cell`` (its cells are then protected)."""
        nonlocal sup, protected
        key = cube.keys[cell]
        opts = []
        for j, d in enumerate(cube.dims):
            if (j, key[j]) not in options_cache:
                found = _options(d, key[j])
                options_cache[(j, key[j])] = np.stack(found) if found else np.empty((0, 0))
            opts.append(options_cache[(j, key[j])])
        if any(len(o) == 0 for o in opts):
            return  # a dimension with one leaf: nothing else to hide it with
        choice = [0] * len(opts)

        def shift(
            ch: list[int], skip: int | None = None, opts: list[np.ndarray] = opts
        ) -> np.ndarray:
            """Each cell's change under the options ``ch`` (one per dimension, but ``skip``)."""
            prod = np.ones(len(cube.keys))
            for j, o in enumerate(opts):
                if j != skip:
                    prod = prod * o[ch[j]][idx[:, j]]
            return prod

        visible_cost = np.where(sup, 0, cost).astype(float)  # (exact: integers far below 2**53)

        def prices(d: np.ndarray, visible_cost: np.ndarray = visible_cost) -> list[float]:
            """The price of each row of ``d`` (one perturbation's change of every cell), with
            matrix products for the sums over cells."""
            neg, pos = (d < 0).astype(float), (d > 0).astype(float)
            changed = neg + pos
            up = neg @ low + pos @ high == 0
            down = pos @ low + neg @ high == 0
            reaches_bound = changed @ beyond > 0
            hides = changed @ visible_cost
            out = []
            for i in range(len(d)):
                one_way = ONE_WAY_COST if not reaches_bound[i] else BLOCKED_COST
                blocked = 0 if up[i] and down[i] else one_way if up[i] or down[i] else BLOCKED_COST
                out.append(float(hides[i] + blocked))
            return out

        best = prices(shift(choice)[None, :])[0]
        for _ in range(2):  # coordinate descent over the dimensions
            for j, o in enumerate(opts):
                # Every option along dimension j at once, the others as chosen: one matrix
                # instead of a pass over the cells per option (the bundled sample's 13 cubes:
                # 1.21 s -> 0.52 s). The first cheapest wins, as when tried one at a time.
                for k, p in enumerate(prices(o[:, idx[:, j]] * shift(choice, skip=j))):
                    if p < best:
                        best, choice = p, [*choice[:j], k, *choice[j + 1 :]]
        if best >= BLOCKED_COST and len(opts) == 2:
            # Coordinate descent can stop on a hypercube blocked both ways (it protects nothing)
            # while another exists; with two dimensions every pair is few enough to price.
            for a in range(len(opts[0])):
                pairs = opts[1][:, idx[:, 1]] * opts[0][a][idx[:, 0]]
                for b, p in enumerate(prices(pairs)):
                    if p < best:
                        best, choice = p, [a, b]
        hit = shift(choice) != 0
        sup |= hit
        protected |= hit

    for cell in np.flatnonzero(sup):
        if not protected[cell]:
            cover(int(cell))
    # A sum whose hidden cells together make a small group (a year's goal mismatch, 218, less
    # its shown months, 217, left January + February = 1): one more of its cells is hidden, the
    # cheapest, and covered in turn, until no shown total leaves 1 to MIN_GROUP - 1 hidden.
    # Likewise two shown cells one inside the other (all 60 less disputed 58 = 2): the cheaper
    # of the two that is not pinned is hidden and covered.
    totals, parts, of_sum = _every_sum(cube)
    outer, inner = _nested_pairs(cube)
    free_of_bounds = cube.low < cube.high
    for _ in range(MAX_WIDENINGS):
        hidden = np.bincount(of_sum, weights=sup[parts] * v[parts], minlength=len(totals))
        small = ~sup[totals] & (hidden > 0) & (hidden < MIN_GROUP)
        gap = v[outer] - v[inner]
        pairs = ~sup[outer] & ~sup[inner] & (gap > 0) & (gap < MIN_GROUP)
        if not small.any() and not pairs.any():
            break
        for k in np.flatnonzero(pairs):
            a, b = int(outer[k]), int(inner[k])
            if sup[a] or sup[b]:
                continue  # hidden already, for another pair
            either = [c for c in (b, a) if free_of_bounds[c]]
            if either:
                cell = min(either, key=lambda c: cost[c])
                sup[cell] = True
                cover(cell)
        for k in np.flatnonzero(small):
            members = parts[of_sum == k]
            together = int((sup[members] * v[members]).sum())
            if sup[totals[k]] or together >= MIN_GROUP:
                continue  # widened already, by a cell added for another sum
            free = members[~sup[members] & (v[members] > 0) & free_of_bounds[members]]
            if free.size == 0:
                continue  # every other part is empty or pinned: nothing to widen it with
            cell = int(free[np.argmin(cost[free])])
            sup[cell] = True
            cover(cell)
