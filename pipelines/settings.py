"""Where things live: environment variables with the project's defaults. No Dagster, no I/O."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = {
    "HIRING_DATA_DIR": "data/sample",
    "HIRING_WAREHOUSE": "data/warehouse.duckdb",
    "HIRING_REPORTS_DIR": "reports",
}


def apply_defaults() -> None:
    """Fill unset variables with absolute default paths, so `dg.EnvVar` always resolves."""
    for name, default in DEFAULTS.items():
        if not os.environ.get(name):
            os.environ[name] = str(PROJECT_ROOT / default)


def resolve(path: str) -> Path:
    """A configured path; relative ones are relative to the directory the command runs in."""
    return Path(path).expanduser().resolve()
