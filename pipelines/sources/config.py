"""Each vendor's settings: ``pipelines/sources/<vendor>.toml`` (the defaults), overridden key by
key by a ``<vendor>.toml`` inside the export folder (``greenhouse/greenhouse.toml``), so an
organisation's own custom-field names and codes travel with its export.

The SQL reads the settings from small temporary tables, registered before each adapter runs:

- ``source_fields(column_name, field)``: the custom-field names (normalised: lower case, runs of
  other characters as ``_``) that hold a canonical column, in order of preference;
- ``source_codes(code, key, value)``: vendor code → canonical value, keys normalised the same way;
- ``source_patterns(list_name, priority, pattern, value)``: ordered lists of case-insensitive
  regular expressions, first match wins (``stages``: stage name → canonical stage; ``findings``:
  adverse item text → finding);
- ``source_settings(name, value)``: single values (e.g. the vendor id of a screening vendor).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import duckdb

CONFIG_DIR = Path(__file__).parent


class SourceError(Exception):
    """An export folder or file an adapter cannot use; the message names it and the problem."""


def normalise(name: str) -> str:
    """How custom-field names and codes are compared: ``"Career Goal"`` → ``career_goal``."""
    out, last_us = [], False
    for ch in name.strip().lower():
        if ch.isalnum():
            out.append(ch)
            last_us = False
        elif not last_us:
            out.append("_")
            last_us = True
    return "".join(out).strip("_")


NORMALISE_SQL = "trim(regexp_replace(lower(trim({x})), '[^a-z0-9]+', '_', 'g'), '_')"


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def override_file(folder: Path, vendor: str) -> Path:
    return folder / f"{vendor}.toml"


def load_config(vendor: str, folder: Path | None = None) -> dict[str, Any]:
    """The vendor's settings: the defaults, with the export folder's own file over them."""
    config = tomllib.loads((CONFIG_DIR / f"{vendor}.toml").read_text(encoding="utf-8"))
    if folder is not None and (path := override_file(folder, vendor)).is_file():
        try:
            config = _merge(config, tomllib.loads(path.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise SourceError(f"{path}: not a valid settings file: {e}") from e
    return config


def register_config(con: duckdb.DuckDBPyConnection, config: dict[str, Any]) -> None:
    """The settings as the temporary tables the adapter SQL reads (see the module docstring)."""
    fields = [
        (column, normalise(name), i)
        for column, names in config.get("custom_fields", {}).items()
        for i, name in enumerate([names] if isinstance(names, str) else names)
    ]
    codes = [
        (code, normalise(str(key)), str(value))
        for code, mapping in config.get("codes", {}).items()
        for key, value in mapping.items()
    ]
    patterns = [
        (name, i, pattern, value)
        for name, pairs in config.items()
        if isinstance(pairs, list)
        for i, (pattern, value) in enumerate(pairs)
    ]
    settings = [(k, str(v)) for k, v in config.get("settings", {}).items()]
    con.execute(
        "create or replace temp table source_fields "
        "(column_name varchar, field varchar, preference integer)"
    )
    con.execute(
        "create or replace temp table source_codes (code varchar, key varchar, value varchar)"
    )
    con.execute(
        "create or replace temp table source_patterns "
        "(list_name varchar, priority integer, pattern varchar, value varchar)"
    )
    con.execute("create or replace temp table source_settings (name varchar, value varchar)")
    for table, rows in (
        ("source_fields", fields),
        ("source_codes", codes),
        ("source_patterns", patterns),
        ("source_settings", settings),
    ):
        if rows:
            marks = ", ".join("?" * len(rows[0]))
            con.executemany(f"insert into {table} values ({marks})", [list(r) for r in rows])
