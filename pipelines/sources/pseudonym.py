"""Keyed pseudonyms: HMAC-SHA-256 of ``<kind>:<id>`` under a secret key, computed set-wise in
DuckDB SQL (the ``pseudonym(kind, id)`` macro), so the same person maps to the same pseudonym in
every batch and nobody can reverse or recompute one without the key.

The key is the value of ``HIRING_PSEUDONYM_KEY`` (read by ``pipelines/defs/resources.py``, the
only reader of the environment, and passed down), or else a key file beside the warehouse,
created with a random key the first time a vendor export is loaded. The key lives in two DuckDB
session variables (the HMAC's inner and outer padded keys), never in a table, a view or SQL text,
so it never reaches the warehouse file.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import duckdb

KEY_FILE_SUFFIX = ".pseudonym-key"
HEX_CHARS = 32  # 128 bits of the HMAC: no collision among billions of ids
_BLOCK = 64  # SHA-256 block size: the HMAC key is padded (or hashed) to it


def key_file(warehouse: Path) -> Path:
    """Where the key is kept when HIRING_PSEUDONYM_KEY is not set: beside the warehouse."""
    return warehouse.with_name(warehouse.name + KEY_FILE_SUFFIX)


def resolve_key(secret: str | None, warehouse: Path) -> tuple[bytes, str | None]:
    """The key (``secret`` if given, else the key file beside ``warehouse``, created with a random
    key when missing) and, when the file was just created, the one message to show."""
    if secret:
        return secret.encode("utf-8"), None
    path = key_file(warehouse)
    if path.exists():
        text = path.read_text(encoding="utf-8").strip()
        if not text:
            raise ValueError(f"{path}: the pseudonym key file is empty; restore it or delete it")
        return text.encode("utf-8"), None
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(key + "\n")
    return key.encode("utf-8"), (
        f"created the pseudonym key {path}: candidate, application and interviewer ids from "
        "vendor exports are replaced by HMAC-SHA-256 pseudonyms under it. Keep it with the "
        "warehouse (without it the same person gets a new pseudonym), or set "
        "HIRING_PSEUDONYM_KEY to a secret of your own"
    )


def _pads(key: bytes) -> tuple[bytes, bytes]:
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def register_pseudonyms(con: duckdb.DuckDBPyConnection, key: bytes) -> None:
    """Create the temporary macro ``pseudonym(kind, id)`` on ``con``: NULL for a NULL or blank id,
    else the first HEX_CHARS hex digits of HMAC-SHA-256(key, ``kind:id``), id trimmed."""
    inner, outer = _pads(key)
    con.execute("set variable hiring_pseudonym_ipad = ?", [inner])
    con.execute("set variable hiring_pseudonym_opad = ?", [outer])
    con.execute(
        f"""
        create or replace temp macro pseudonym(kind, id) as
        case when nullif(trim(id::varchar), '') is not null then
            left(sha256(getvariable('hiring_pseudonym_opad') || unhex(sha256(
                getvariable('hiring_pseudonym_ipad') || encode(kind || ':' || trim(id::varchar))
            ))), {HEX_CHARS})
        end
        """
    )


def pseudonym(key: bytes, kind: str, value: str) -> str:
    """The pseudonym of one id, in Python (for tests and for checking a value by hand)."""
    digest = hmac.new(key, f"{kind}:{value.strip()}".encode(), hashlib.sha256).hexdigest()
    return digest[:HEX_CHARS]
