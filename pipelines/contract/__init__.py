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

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    snapshot_key: tuple[str, ...] = ()
    version_column: str | None = None

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


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
        )
    return Contract(version=raw["version"], tables=tables)
