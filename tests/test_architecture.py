"""The shape of the project, as a specification: one SQL file and one asset per table, a
definitions graph that shows every change in review, and a library without import circles."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import dagster as dg
import pytest
from conftest import PROJECT_ROOT

from pipelines.definitions import defs
from pipelines.sqlgraph import build_graph, pipeline_graph

SNAPSHOT = Path(__file__).parent / "snapshots" / "definitions.txt"
LIBRARY_EXEMPT = {"pipelines.definitions", "pipelines.__main__"}  # the Dagster-facing entry points
MAX_LINES = 400


def write_sql(folder: Path, name: str, body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.sql").write_text(f"-- {name}: a test table.\n{body}\n")


# ---- sql/: one file per table, dependencies read from the SQL


def test_every_sql_file_builds_the_table_it_is_named_after():
    for table in pipeline_graph().tables:
        assert table.path.stem == table.name
        assert table.path.parent.name == table.step
        assert table.description and not table.description.startswith(table.name)


def test_dependencies_are_the_tables_the_sql_reads_and_order_follows_them(tmp_path):
    write_sql(
        tmp_path / "s", "b", "create or replace table b as select * from a join src using (k);"
    )
    write_sql(
        tmp_path / "s",
        "a",
        "create or replace table a as\nwith cte as (select 1)\nselect * from src, cte;",
    )
    write_sql(
        tmp_path / "s",
        "c",
        "-- from b in a comment does not count\ncreate or replace view c as select 1;",
    )
    graph = build_graph(["s"], external=["src"], sql_dir=tmp_path)
    assert [t.name for t in graph.step("s")] == ["a", "b", "c"]
    assert graph.table("b").deps == ("a", "src")
    assert graph.table("a").deps == ("src",) and graph.table("c").deps == ()
    assert graph.table("a").description == "a test table."


def test_a_file_that_builds_another_table_or_a_cycle_is_refused(tmp_path):
    write_sql(tmp_path / "s", "x", "create or replace table y as select 1;")
    with pytest.raises(ValueError, match="must build exactly the table 'x'"):
        build_graph(["s"], external=[], sql_dir=tmp_path)
    (tmp_path / "s" / "x.sql").unlink()
    write_sql(tmp_path / "s", "p", "create or replace table p as select * from q;")
    write_sql(tmp_path / "s", "q", "create or replace table q as select * from p;")
    with pytest.raises(ValueError, match="circular SQL dependency"):
        build_graph(["s"], external=[], sql_dir=tmp_path)


def test_a_step_may_not_read_a_table_that_a_later_step_builds(tmp_path):
    write_sql(tmp_path / "first", "early", "create or replace table early as select * from late;")
    write_sql(tmp_path / "second", "late", "create or replace table late as select 1;")
    with pytest.raises(ValueError, match="a later step builds"):
        build_graph(["first", "second"], external=[], sql_dir=tmp_path)


def test_every_sql_table_is_an_asset_with_the_same_dependencies():
    graph = defs().resolve_asset_graph()
    for table in pipeline_graph().tables:
        key = dg.AssetKey(table.name)
        assert key in graph.get_all_asset_keys(), table.name
        deps = {k.to_user_string() for k in graph.get(key).parent_keys}
        assert deps == set(table.deps), table.name


# ---- the definitions, as a readable snapshot


def definitions_snapshot() -> str:
    """Asset keys with group, op and deps; checks; jobs; schedules; sensors: one line each."""
    d = defs()
    graph = d.resolve_asset_graph()
    lines = ["# assets: key [group] (op) <- deps"]
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        op = node.assets_def.node_def.name
        deps = ", ".join(sorted(k.to_user_string() for k in node.parent_keys))
        lines.append(f"{key.to_user_string()} [{node.group_name}] ({op}) <- {deps}")
    lines.append("# checks: asset:check [blocking]")
    for check in sorted(
        graph.asset_check_keys, key=lambda c: (c.asset_key.to_user_string(), c.name)
    ):
        spec = graph.get_check_spec(check)
        flag = " [blocking]" if spec.blocking else ""
        lines.append(f"{check.asset_key.to_user_string()}:{check.name}{flag}")
    lines.append("# jobs, schedules, sensors")
    for job in sorted(j.name for j in d.jobs or []):
        lines.append(f"job {job}")
    for s in sorted(d.schedules or [], key=lambda s: s.name):
        lines.append(f"schedule {s.name} {s.cron_schedule} {s.execution_timezone} -> {s.job_name}")
    for s in sorted(d.sensors or [], key=lambda s: s.name):
        lines.append(f"sensor {s.name} default {s.default_status.value}")
    return "\n".join(lines) + "\n"


def test_definitions_match_the_reviewed_snapshot():
    """A change to the asset graph shows as a diff of tests/snapshots/definitions.txt.
    After a deliberate change: UPDATE_SNAPSHOT=1 pytest tests/test_architecture.py"""
    current = definitions_snapshot()
    if os.environ.get("UPDATE_SNAPSHOT"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(current)
    assert current == SNAPSHOT.read_text(), "definitions changed: review, then UPDATE_SNAPSHOT=1"


# ---- the library: no import circles, no Dagster, small modules


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, modules: set[str] = frozenset()) -> set[str]:
    """Every module this file imports, at the top or inside functions (``modules``: the
    project's own, to tell a submodule import from a name import)."""
    found: set[str] = set()
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rsplit(".", 1)[0]
    )
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + [base]
                )
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
    return found


def library_modules() -> dict[str, Path]:
    return {
        module_name(p): p
        for p in (PROJECT_ROOT / "pipelines").rglob("*.py")
        if "defs" not in p.relative_to(PROJECT_ROOT).parts and module_name(p) not in LIBRARY_EXEMPT
    }


def test_library_modules_import_no_dagster():
    for name, path in library_modules().items():
        assert not any(m.split(".")[0] == "dagster" for m in imports_of(path)), name


def test_import_graph_has_no_circle():
    modules = {module_name(p): p for p in (PROJECT_ROOT / "pipelines").rglob("*.py")}
    edges = {
        name: {m for m in imports_of(path, set(modules)) if m in modules and m != name}
        for name, path in modules.items()
    }
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == 2:
            return
        assert state.get(name) != 1, "import circle: " + " -> ".join([*path, name])
        state[name] = 1
        for dep in sorted(edges[name]):
            visit(dep, [*path, name])
        state[name] = 2

    for name in sorted(modules):
        visit(name, [])


def test_modules_stay_small_or_their_docstring_says_why():
    for path in (PROJECT_ROOT / "pipelines").rglob("*.py"):
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > MAX_LINES:
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
            assert "long because" in doc.lower(), f"{path}: {lines} lines"
