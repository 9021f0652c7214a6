"""The input data contract, loaded from the one machine-readable definition beside this file.

Nothing here imports Dagster: the contract is used by the ingest library, the sample generator and
the docs check alike.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CONTRACT_FILE = Path(__file__).with_name("contract_v1.toml")

# DuckDB type each contract type is stored as.
SQL_TYPES = {
    "string": "VARCHAR",
    "text": "VARCHAR",
    "enum": "VARCHAR",
    "date": "DATE",
    "number": "DOUBLE",
    "integer": "BIGINT",
    "boolean": "BOOLEAN",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    values: tuple[str, ...] = ()
    ordered: bool = False
    min: float | None = None
    max: float | None = None
    references: str | None = None
    since: str = "1.0"  # the contract version that added the column
    # Free text: a longer value is loaded up to this many characters (a pasted thread of
    # megabytes would otherwise take more memory than a run has; see the contract file)
    max_chars: int | None = None

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]

    @property
    def scrubbed(self) -> bool:
        """Free text and descriptive labels are scrubbed of personal data at the door
        (``pipelines.scrub``); identifiers (``*_id``) and typed values are kept as they are."""
        return self.type == "text" or (self.type == "string" and not self.name.endswith("_id"))


@dataclass(frozen=True)
class Implausible:
    """Values each valid on their own that cannot all be true of one row: ``when`` is a SQL
    condition over the row's typed columns; a row for which it holds is quarantined."""

    name: str
    when: str


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    snapshot_key: tuple[str, ...] = ()
    version_column: str | None = None
    # Columns whose repeat (all non-NULL) within a file is a duplicate, for a table without a key.
    duplicate_key: tuple[str, ...] = ()
    implausible: tuple[Implausible, ...] = ()
    # The contract's plausible dates: from this date to this many days after the run.
    date_window: tuple[str, int] = ("1990-01-01", 366)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def version_read(self, names: set[str] | list[str]) -> str:
        """The contract version a file with these columns was read as: the newest version that
        added one of them (a file with only 1.0 columns is a 1.0 file)."""
        present = set(names)
        versions = [c.since for c in self.columns if c.name in present] or ["1.0"]
        return max(versions, key=lambda v: tuple(int(p) for p in v.split(".")))


@dataclass(frozen=True)
class Contract:
    version: str
    tables: dict[str, Table]

    def table(self, name: str) -> Table:
        return self.tables[name]


@cache
def load_contract(path: Path = CONTRACT_FILE) -> Contract:
    """Parse the contract file; order of ``tables`` is the load order (parents before children)."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    tables: dict[str, Table] = {}
    window = raw.get("plausibility", {})
    date_window = (
        str(window.get("earliest_date", "1990-01-01")),
        int(window.get("latest_days_ahead", 366)),
    )
    for name in raw["load_order"]:
        spec = raw["tables"][name]
        columns = tuple(
            Column(
                name=c["name"],
                type=c["type"],
                required=c.get("required", False),
                values=tuple(c.get("values", ())),
                ordered=c.get("ordered", False),
                min=c.get("min"),
                max=c.get("max"),
                references=c.get("references"),
                since=str(c.get("since", "1.0")),
                max_chars=c.get("max_chars"),
            )
            for c in spec["columns"]
        )
        for c in columns:
            if c.type not in SQL_TYPES:
                raise ValueError(f"{path}: column {name}.{c.name} has unknown type {c.type!r}")
        tables[name] = Table(
            name=name,
            description=spec["description"],
            columns=columns,
            key=tuple(spec.get("key", ())),
            snapshot_key=tuple(spec.get("snapshot_key", ())),
            version_column=spec.get("version_column"),
            duplicate_key=tuple(spec.get("duplicate_key", ())),
            implausible=tuple(Implausible(**r) for r in spec.get("implausible", ())),
            date_window=date_window,
        )
    return Contract(version=raw["version"], tables=tables)
