"""The dimensions the report cubes share, and the page filters built on them.

Filters are bounded: a period (all months, or one calendar year: at most the three latest) and
at most one of job family, seniority and region at a time (each with at most MAX_VALUES named
values: smaller groups are published together as OTHER_GROUPS). A page therefore has at most
4 × (1 + 3 × MAX_VALUES) = 148 filter combinations, each a set of cells of one cube with its
suppression decided together with every other combination (suppression.py). A page whose cubes
have a dimension of their own (the Background checks page's vendor) filters by its values alone
(:func:`value_filters`), again every one a set of cells of the same cube.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from pipelines.reports.privacy import OTHER_GROUPS, group_labels
from pipelines.reports.suppression import ALL, Dim, View

ALL_MONTHS = "all months"  # the label of the unfiltered period (filter_menus reads it)

MAX_VALUES = 12  # named values per filter dimension; the rest are OTHER_GROUPS
MAX_YEARS = 3  # years offered as a period filter
FILTER_DIMS = ("job_family", "seniority", "region")
FILTER_NAMES = {
    "job_family": "job family",
    "seniority": "seniority",
    "region": "region",
    "vendor_id": "vendor",
}
SENIORITY_ORDER = ("entry", "mid", "senior", "lead", "executive", "not recorded")


def month_dim(months: Sequence[str], name: str = "month") -> Dim:
    """Months ("YYYY-MM") as leaves; each year the sum of its months, ALL the sum of the years."""
    leaves = tuple(sorted(set(months)))
    years: dict[str, list[str]] = {}
    for m in leaves:
        years.setdefault(m[:4] if m[:4].isdigit() else m, []).append(m)
    parts: dict[str, tuple[str, ...]] = {y: tuple(ms) for y, ms in years.items() if y not in leaves}
    parts[ALL] = tuple(years)  # a year, or a leaf of its own ("not recorded")
    return Dim(name, leaves, parts)


def named_values(df: pl.DataFrame, column: str) -> dict[str, str]:
    """Value -> published label for a label from data: its cleaned name when it has MIN_GROUP
    or more rows' worth of ``n`` and is among the MAX_VALUES largest, else OTHER_GROUPS."""
    sizes = df.group_by(column).agg(pl.col("n").sum()).sort("n", column, descending=[True, False])
    keep = set(sizes[column].head(MAX_VALUES).to_list())
    raw = {k: (n if k in keep else 0) for k, n in sizes.iter_rows()}
    labels = group_labels(raw)
    return {str(k): str(v) for k, v in labels.items()}


def relabel(df: pl.DataFrame, column: str, mapping: Mapping[str, str]) -> pl.DataFrame:
    return df.with_columns(
        pl.col(column)
        .cast(pl.String)
        .replace_strict(dict(mapping), default=OTHER_GROUPS, return_dtype=pl.String)
    )


def ordered(values: Sequence[str], order: Sequence[str] = ()) -> tuple[str, ...]:
    """Known order first, then the rest sorted, OTHER_GROUPS last."""
    vals = set(values)
    first = [v for v in order if v in vals]
    rest = sorted(v for v in vals if v not in first and v != OTHER_GROUPS)
    return tuple(first + rest + ([OTHER_GROUPS] if OTHER_GROUPS in vals else []))


@dataclass(frozen=True)
class Filter:
    key: str  # "period|dimension=value"
    label: str
    period: str  # a year or ALL
    dim: str | None
    value: str

    def cell(self) -> dict[str, str]:
        """The labels this filter fixes in a cube with a month dimension and FILTER_DIMS."""
        out = {"month": self.period}
        if self.dim:
            out[self.dim] = self.value
        return out


def filters(month: Dim, dims: Mapping[str, Dim]) -> list[Filter]:
    """Every filter combination a page offers, the unfiltered one first."""
    years = [p for p in month.parts if p != ALL][-MAX_YEARS:]
    periods = [ALL, *years]
    out = []
    for period in periods:
        when = ALL_MONTHS if period == ALL else period
        out.append(Filter(f"{period}|", when, period, None, ALL))
        for name, dim in dims.items():
            for v in dim.leaves:
                out.append(
                    Filter(
                        f"{period}|{name}={v}",
                        f"{when} · {FILTER_NAMES[name]}: {v}",
                        period,
                        name,
                        v,
                    )
                )
    return out


def value_filters(dim: Dim) -> list[Filter]:
    """A page's filters over one dimension of its cubes, all months: every value of ``dim``
    (MAX_VALUES named ones and OTHER_GROUPS, as ``named_values`` made them), the unfiltered
    one first. ``Filter.value`` is ALL for the unfiltered one, so it names the cell either way."""
    name = FILTER_NAMES[dim.name]
    return [
        Filter(f"{ALL}|", f"all {name}s", ALL, None, ALL),
        *(Filter(f"{ALL}|{dim.name}={v}", f"{name}: {v}", ALL, dim.name, v) for v in dim.leaves),
    ]


def filter_views(
    extra: Mapping[str, Sequence[str]], dims: Sequence[str] = FILTER_DIMS
) -> list[View]:
    """One view per filter dimension: that dimension with all its labels, the others at ALL,
    plus ``extra`` (labels of the other dimensions shown)."""
    return [View({**{d: [ALL] for d in dims if d != shown}, **extra}) for shown in dims]
