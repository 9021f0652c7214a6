"""Content hashes of input files: what tells a file already ingested from a new one."""

from __future__ import annotations

import hashlib
import zlib
from pathlib import Path

import blake3
import duckdb

from pipelines.ingest.files import IngestError
from pipelines.warehouse import table_exists, transaction

_CHUNK = 1 << 20


def content_hash(path: Path) -> str:
    """``blake3:<hex>`` of the file's bytes: BLAKE3 hashes ~5 GB/s per core here, SHA-256 (with
    SHA-NI) ~1.9 GB/s, and every new file is hashed in full. Read in 1 MiB chunks into one
    buffer (not mapped: a mapped multi-GB export counts its pages in the process's resident
    memory while DuckDB reads it too); blake3 releases the GIL while it hashes a chunk."""
    try:
        h = blake3.blake3()
        buf = bytearray(_CHUNK)
        view = memoryview(buf)
        gz: _GzipCheck | None = None
        with path.open("rb", buffering=0) as f:
            first = True
            while n := f.readinto(buf):
                if first and bytes(view[:2]) == b"\x1f\x8b":  # gzip by its first bytes only
                    gz = _GzipCheck(path)
                first = False
                h.update(view[:n])
                if gz is not None:
                    gz.feed(bytes(view[:n]))
        if gz is not None:
            gz.close()
        return "blake3:" + h.hexdigest()
    except OSError as e:
        raise IngestError(f"{path}: cannot be read: {e.strerror or e}") from e


class _GzipCheck:
    """The whole gzip stream, decompressed and thrown away as it is hashed, so that its checksums
    are verified: DuckDB's reader does not verify them, and a byte flipped mid-file loaded as rows
    that were never in the file. Members may follow one another."""

    def __init__(self, path: Path) -> None:
        self.path, self.d, self.fed = path, zlib.decompressobj(wbits=31), False

    def feed(self, data: bytes) -> None:
        try:
            while data:
                self.fed = True
                self.d.decompress(data, _CHUNK)
                data = self.d.unconsumed_tail
                if self.d.eof:  # a member ended, its checksums verified; another may follow
                    # (what follows it, the unconsumed tail included: not added twice)
                    data = self.d.unused_data
                    self.d, self.fed = zlib.decompressobj(wbits=31), False
        except zlib.error as e:
            raise IngestError(f"{self.path}: gzip-compressed, but corrupt: {e}") from None

    def close(self) -> None:
        if self.fed:
            raise IngestError(f"{self.path}: gzip-compressed, but cut short")


# A file's size and modification and change times: a file with the same stamp as when it was
# hashed is not read again (as git and rsync decide). Hashing every input of each run read the
# whole folder, 2.3 GB at 10M applications, about 1.5 s of every run, the no-change one too.
Stamp = tuple[int, int, int]
STATS_DDL = (
    "create table if not exists ingest_file_stats (path_digest varchar, size_bytes bigint, "
    "modified_ns bigint, changed_ns bigint, content_hash varchar)"
)


def path_digest(path: Path) -> str:
    """The key of a file's stamp: a digest of its path, not the path (a vendor export's files can
    be named after a candidate)."""
    return hashlib.blake2b(str(path).encode(), digest_size=16).hexdigest()


def file_stamp(path: Path) -> Stamp | None:
    """The file's (size, mtime, ctime) in ns, or None when it cannot be read (hashing it says
    why)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def known_hashes(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[Stamp, str]]:
    """path digest -> (stamp, content hash) of every file hashed before."""
    if not table_exists(con, "ingest_file_stats"):
        return {}
    rows = con.execute(
        "select path_digest, size_bytes, modified_ns, changed_ns, content_hash "
        "from ingest_file_stats"
    ).fetchall()
    return {r[0]: ((r[1], r[2], r[3]), r[4]) for r in rows}


def remember_hashes(con: duckdb.DuckDBPyConnection, hashed: dict[Path, tuple[Stamp, str]]) -> None:
    """Keep the stamp and hash of files just hashed, for the next run."""
    if not hashed:
        return
    rows = [(path_digest(p), *stamp, digest) for p, (stamp, digest) in hashed.items()]
    with transaction(con):
        con.execute(STATS_DDL)
        con.execute(
            "delete from ingest_file_stats where list_contains(?, path_digest)",
            [[r[0] for r in rows]],
        )
        con.executemany("insert into ingest_file_stats values (?, ?, ?, ?, ?)", rows)
