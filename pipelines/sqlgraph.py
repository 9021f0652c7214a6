"""The SQL transformations as a graph: one file ``sql/<step>/<table>.sql`` builds one table.

Like dbt's ``ref()``, a file's dependencies are declared once, in the file itself: they are the
tables its SQL reads (``from x`` / ``join x``) that some step of the pipeline builds. Nothing else
lists them: the run order inside a step and the Dagster asset dependencies are both derived here.

A *step* is a folder under ``sql/`` and runs as one transaction (one Dagster multi-asset), so the
tables that must change together do. A file's header comment (its first comment lines) explains
the business rule and becomes the asset's description.

Free of Dagster.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb

from pipelines.contract import load_contract
from pipelines.reasons.model import MODEL_TABLES
from pipelines.reasons.rules import AUDIT_INPUT_TABLES, RULE_TABLES
from pipelines.warehouse import SQL_DIR, sql_text

STEPS = ("reasons", "rule_audit", "reports")

# A table name after FROM / JOIN (schema-less: every table lives in the warehouse's main schema).
_READS = re.compile(r"\b(?:from|join)\s+([a-z_][a-z0-9_]*)\b", re.IGNORECASE)
_BUILDS = re.compile(r"^\s*create\s+or\s+replace\s+(table|view)\s+([a-z_][a-z0-9_]*)", re.I | re.M)
_COMMENT = re.compile(r"--[^\n]*")


@dataclass(frozen=True)
class SqlTable:
    """One SQL file and the table (or view) it builds."""

    name: str
    step: str
    path: Path
    description: str
    deps: tuple[str, ...]
    is_view: bool = False

    @property
    def template(self) -> str:
        """The file's name for :func:`pipelines.warehouse.sql_text`: ``<step>/<table>``."""
        return f"{self.step}/{self.name}"


def _description(text: str) -> str:
    """The header comment, without its leading ``<table>:``, as one paragraph."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line[2:].strip())
    head = " ".join(lines)
    return head.split(":", 1)[1].strip() if ":" in head.split(" ", 1)[0] else head


def _topological(tables: dict[str, SqlTable]) -> list[SqlTable]:
    """Tables ordered so that each comes after the tables of the same step it reads."""
    ordered: list[SqlTable] = []
    state: dict[str, str] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise ValueError("circular SQL dependency: " + " -> ".join((*path, name)))
        state[name] = "visiting"
        for dep in tables[name].deps:
            if dep in tables:
                visit(dep, (*path, name))
        state[name] = "done"
        ordered.append(tables[name])

    for name in sorted(tables):
        visit(name, ())
    return ordered


@dataclass(frozen=True)
class SqlGraph:
    """Every table built from ``sql/``, by step, each step in run order."""

    steps: dict[str, list[SqlTable]]
    external: frozenset[str]  # tables built outside sql/: ingested tables, rules and model tables

    def step(self, name: str) -> list[SqlTable]:
        return self.steps[name]

    def table(self, name: str) -> SqlTable:
        return next(t for tables in self.steps.values() for t in tables if t.name == name)

    @property
    def tables(self) -> list[SqlTable]:
        return [t for tables in self.steps.values() for t in tables]

    def run_step(
        self,
        con: duckdb.DuckDBPyConnection,
        step: str,
        params: dict[str, str],
        only: Iterable[str] | None = None,
    ) -> list[str]:
        """Run a step's files in dependency order (all, or the named ones); returns their names."""
        wanted = set(only) if only is not None else None
        ran = []
        for table in self.steps[step]:
            if wanted is None or table.name in wanted:
                con.execute(sql_text(table.template, **params))
                ran.append(table.name)
        return ran


def build_graph(steps: Iterable[str], external: Iterable[str], sql_dir: Path = SQL_DIR) -> SqlGraph:
    """Read ``sql/<step>/*.sql`` for each step; every table a file reads must be built by some
    file or be one of ``external``, and each file must build the table it is named after."""
    external = frozenset(external)
    files: dict[str, tuple[str, Path, str, bool]] = {}
    for step in steps:
        for path in sorted((sql_dir / step).glob("*.sql")):
            text = path.read_text(encoding="utf-8")
            built = _BUILDS.findall(_COMMENT.sub("", text))  # [(table or view, name)]
            if [name for _, name in built] != [path.stem]:
                raise ValueError(
                    f"{path}: must build exactly the table {path.stem!r}, "
                    f"builds {[name for _, name in built]}"
                )
            if path.stem in files or path.stem in external:
                raise ValueError(f"{path}: table {path.stem!r} is built twice")
            files[path.stem] = (step, path, text, built[0][0].lower() == "view")
    known = external | files.keys()
    by_step: dict[str, dict[str, SqlTable]] = {step: {} for step in steps}
    for name, (step, path, text, is_view) in files.items():
        reads = {m.lower() for m in _READS.findall(_COMMENT.sub("", text))}
        deps = tuple(sorted((reads & known) - {name}))
        by_step[step][name] = SqlTable(name, step, path, _description(text), deps, is_view)
    graph = SqlGraph({s: _topological(t) for s, t in by_step.items()}, external)
    position = {t.name: i for i, t in enumerate(graph.tables)}
    for t in graph.tables:
        for dep in t.deps:
            if dep in position and position[dep] > position[t.name]:
                raise ValueError(f"{t.path}: reads {dep}, which a later step builds")
    return graph


@cache
def pipeline_graph() -> SqlGraph:
    """The project's graph: the reason tables, the rule audit, the report tables. Tables loaded by
    Python are external: the ingested ones (data contract), the rules and the text model."""
    external = [*load_contract().tables, "quarantine", "ingest_log"]
    external += [*RULE_TABLES, *MODEL_TABLES, *AUDIT_INPUT_TABLES]
    return build_graph(STEPS, external)
