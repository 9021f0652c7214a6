"""Files as a hostile tester sends them (issue #13, findings 2 and 8): a huge header line, text
that is not UTF-8, compressed or binary files named .csv, CR line ends, lines over the limit, and
folder entries that are not files. Each either loads or fails with one line naming the file.

Work that used to hang runs in a subprocess with a timeout, so a regression fails instead of
blocking the suite.
"""

from __future__ import annotations

import gzip
import io
import os
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import polars as pl
import pytest
from conftest import APPS_HEADER, PROJECT_ROOT, ingest, quarantine_reasons, write

from pipelines.contract import load_contract
from pipelines.ingest import IngestError, check_headers, discover_files, table_for_file

GOOD = "A1,J1,2026-01-05,rejected,2026-02-01,4,bachelor,steady_growth,final_interview,fine\n"
APPS = APPS_HEADER + GOOD + GOOD.replace("A1", "A2")
# A header that, read correctly, lacks job_id (read as garbage, it lacks application_id first).
NO_JOB_ID = "application_id,applied_at,outcome\nA1,2026-01-05,hired\n"
LONG_HEADER = "x," * 600_000  # 1.2 MB, no line end: the tester's file


def header_error(data_dir: Path) -> str:
    with pytest.raises(IngestError) as e:
        check_headers(data_dir)
    return str(e.value)


def in_subprocess(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter, bounded by a timeout."""
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=20,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


CHECK_HEADERS = """
import sys
from pathlib import Path
from pipelines.ingest import IngestError, check_headers
try:
    print(len(check_headers(Path(sys.argv[1])).skipped), "skipped")
except IngestError as e:
    print(e)
"""


# ---- finding 2: the hang


def test_a_1_2_mb_header_line_fails_fast_naming_the_file_and_the_limit(data_dir):
    path = write(data_dir, "applications.csv", LONG_HEADER)
    out = in_subprocess(CHECK_HEADERS, str(data_dir)).stdout.strip()
    assert out == f"{path}: header line longer than the 64 KiB limit (is it a CSV file?)"


def test_the_column_check_is_linear_in_the_number_of_names():
    # Parquet schemas and JSON Lines keys reach it without the CSV header limit.
    code = """
from pathlib import Path
from pipelines.contract import load_contract
from pipelines.ingest.files import _check_columns
t = load_contract().table("applications")
names = [f"c{i}" for i in range(300_000)] + list(t.required)
print(len(_check_columns(Path("x.parquet"), t, names)))
"""
    assert in_subprocess(code).stdout.strip() == "300000"


def test_a_header_over_1000_columns_is_refused_naming_the_limit(data_dir):
    path = write(data_dir, "applications.csv", ",".join(f"c{i}" for i in range(1001)) + "\n")
    assert header_error(data_dir) == f"{path}: header has 1,001 columns, over the limit of 1,000"


# ---- finding 8: encodings and compression, found by content


@pytest.mark.parametrize("bom", [True, False], ids=["bom", "no-bom"])
def test_utf16_little_endian_csv_loads(con, data_dir, bom):
    body = APPS.replace("fine", "café ☕").encode("utf-16-le")
    write(data_dir, "applications.csv", (b"\xff\xfe" if bom else b"") + body)
    check_headers(data_dir)
    result = ingest(con, data_dir)
    assert result.totals("applications") == (2, 2, 0)
    assert con.execute("select distinct recruiter_note from applications").fetchall() == [
        ("café ☕",)
    ]
    assert next(f for f in result.files if f.table == "applications").encoding == "utf-16"


@pytest.mark.parametrize(
    "data, kind",
    [
        (b"\xfe\xff" + APPS.encode("utf-16-be"), "UTF-16 big-endian text; save it as UTF-8 CSV"),
        (APPS.encode("utf-16-be"), "UTF-16 big-endian text; save it as UTF-8 CSV"),
        (APPS.encode("utf-32"), "UTF-32 text; save it as UTF-8 CSV"),
    ],
    ids=["utf16be-bom", "utf16be", "utf32"],
)
def test_text_in_an_encoding_not_read_says_which(data_dir, data, kind):
    path = write(data_dir, "applications.csv", data)
    assert header_error(data_dir) == f"{path}: {kind}"


@pytest.mark.parametrize("name", ["applications.csv", "applications.csv.gz"])
def test_gzip_csv_loads_whatever_its_name(con, data_dir, name):
    bad = GOOD.replace("A1", "A3").replace("2026-01-05", "someday")
    write(data_dir, name, gzip.compress((APPS + bad).encode()))
    check_headers(data_dir)
    result = ingest(con, data_dir)
    assert result.totals("applications") == (3, 2, 1)
    assert con.execute("select row_number from quarantine").fetchall() == [(3,)]
    assert next(f for f in result.files if f.table == "applications").encoding == "utf-8, gzip"


def test_gzip_latin1_csv_and_gzip_jsonl_load(con, data_dir):
    write(data_dir, "applications.csv.gz", gzip.compress(APPS.replace("fine", "réussie").encode("latin-1")))  # fmt: skip
    lines = '{"application_id": "A1", "round": 1, "recommendation": "yes"}\nnot json\n'
    write(data_dir, "interviews.jsonl.gz", gzip.compress(lines.encode()))
    result = ingest(con, data_dir)
    assert result.totals("applications") == (2, 2, 0) and result.totals("interviews") == (2, 1, 1)
    assert con.execute("select distinct recruiter_note from applications").fetchall() == [
        ("réussie",)
    ]
    assert {f.table: f.encoding for f in result.files}["applications"] == "latin-1, gzip"


def test_compressed_names_are_inputs_of_their_table():
    c = load_contract()
    assert table_for_file("applications.csv.gz", c) == "applications"
    assert table_for_file("applications-2026-05.CSV.GZ", c) == "applications"
    assert table_for_file("interviews.jsonl.gz", c) == "interviews"
    assert table_for_file("jobs.ndjson.gz", c) == "jobs"
    assert table_for_file("jobs.parquet.gz", c) is None  # Parquet compresses inside


def test_discovery_lists_a_gzip_csv_as_csv(data_dir):
    write(data_dir, "applications.csv.gz", gzip.compress(APPS.encode()))
    files, unrecognised = discover_files(data_dir, load_contract())
    assert [(f.path.name, f.format) for f in files] == [
        ("jobs.csv", "csv"),
        ("applications.csv.gz", "csv"),
    ]
    assert unrecognised == []


def test_corrupt_gzip_says_so(data_dir):
    path = write(data_dir, "applications.csv", b"\x1f\x8b\x08\x00" + b"not really gzip" * 10)
    assert header_error(data_dir).startswith(f"{path}: gzip-compressed, but corrupt or cut short")


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("applications.csv", APPS)
    return buf.getvalue()


def _parquet() -> bytes:
    buf = io.BytesIO()
    pl.DataFrame({"application_id": ["A1"]}).write_parquet(buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    "data, kind",
    [
        (bytes(range(256)) * 8, "binary data (control bytes in its first 1024 bytes), not CSV text"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "binary data (control bytes in its first 1024 bytes), not CSV text"),
        (_zip(), "a zip archive (an .xlsx workbook is one), not CSV; unzip or export it"),
        (_parquet(), "a Parquet file, not CSV; name it .parquet"),
        (gzip.compress(_parquet()), "gzip-compressed, holding a Parquet file, not CSV; name it .parquet"),
    ],
    ids=["garbage", "elf", "zip", "parquet", "gzip-parquet"],
)  # fmt: skip
def test_a_file_that_is_not_text_says_what_it_is(data_dir, data, kind):
    path = write(data_dir, "applications.csv", data)
    assert header_error(data_dir) == f"{path}: {kind}"


def test_jsonl_that_is_not_text_says_what_it_is(data_dir):
    path = write(data_dir, "interviews.jsonl", _zip())
    assert header_error(data_dir) == (
        f"{path}: a zip archive (an .xlsx workbook is one), not JSON Lines; unzip or export it"
    )


def test_a_parquet_name_on_something_else_says_so(data_dir):
    path = write(data_dir, "applications.parquet", APPS)
    assert header_error(data_dir) == (
        f"{path}: not a Parquet file (does not start with the Parquet magic bytes)"
    )


def test_cr_only_line_ends_are_read(con, data_dir):
    body = APPS + GOOD.replace("A1", "A3").replace("2026-01-05", "someday")
    write(data_dir, "applications.csv", body.replace("\n", "\r"))
    check_headers(data_dir)
    result = ingest(con, data_dir)
    assert result.totals("applications") == (3, 2, 1)
    assert con.execute("select row_number from quarantine").fetchall() == [(3,)]


# ---- lines over the limit (MAX_LINE_BYTES, 8 MiB)


def test_a_csv_line_over_the_limit_is_quarantined_naming_the_limit(con, data_dir):
    huge = "x" * (9 * 1024 * 1024)
    write(data_dir, "applications.csv", APPS + GOOD.replace("A1", "A3").replace("fine", huge))
    result = ingest(con, data_dir)
    assert result.totals("applications") == (3, 2, 1)
    assert con.execute("select line_number from quarantine").fetchall() == [(4,)]
    n = len(GOOD.replace("A1", "A3").replace("fine", huge)) - 1  # (without its line end)
    assert quarantine_reasons(con) == [
        f"unreadable CSV line: line size over maximum (longer than the 8 MiB line limit: {n} bytes)"
    ]


def test_a_jsonl_line_over_the_limit_fails_naming_file_line_and_limit(data_dir):
    huge = "x" * (9 * 1024 * 1024)
    path = write(data_dir, "interviews.jsonl", '{"a": 1}\n{"a": "' + huge + '"}\n')
    assert header_error(data_dir) == f"{path}: line 2 is longer than the 8 MiB line limit"


# ---- folder entries that are not files


def test_entries_that_are_not_files_are_skipped_with_a_reason(data_dir):
    from pipelines.ingest.files import list_input_folder

    os.mkfifo(data_dir / "applications.csv")
    (data_dir / "interviews.csv").mkdir()
    (data_dir / "loop.csv").symlink_to(data_dir / "loop.csv")
    (data_dir / "background_checks.csv").symlink_to(data_dir / "nowhere.csv")
    (data_dir / "archive").mkdir()  # a folder not named like an input: left out, as before
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(data_dir / "jobs-live.csv"))
        listing = list_input_folder(data_dir, load_contract())
    finally:
        sock.close()
    assert [f.path.name for f in listing.files] == ["jobs.csv"]
    assert listing.skipped == {
        "applications.csv": "a FIFO (named pipe), not a file: never opened, a read could wait forever",
        "background_checks.csv": f"a broken symbolic link (to {data_dir / 'nowhere.csv'})",
        "interviews.csv": "a folder (subfolders are not read)",
        "jobs-live.csv": "a socket, not a file",
        "loop.csv": "a symbolic link loop",
    }  # fmt: skip
    assert listing.unrecognised == []
    # The pre-run check says so, one warning per entry, and never opens the FIFO (run in a
    # subprocess, so that a regression times out instead of blocking).
    (data_dir / "jobs-live.csv").unlink()
    proc = in_subprocess(CHECK_HEADERS, str(data_dir))
    assert proc.stdout.strip() == "4 skipped"
    assert f"{data_dir / 'applications.csv'}: skipped: a FIFO (named pipe)" in proc.stderr
    assert f"{data_dir / 'loop.csv'}: skipped: a symbolic link loop" in proc.stderr


# ---- through the CLI: one line on stderr, exit 2, no traceback


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\xff\xfe" + NO_JOB_ID.encode("utf-16-le"), "missing required column 'job_id'"),
        (b"\xfe\xff" + NO_JOB_ID.encode("utf-16-be"), "UTF-16 big-endian text"),
        (gzip.compress(NO_JOB_ID.encode()), "missing required column 'job_id'"),
        (bytes(range(256)) * 8, "binary data"),
        (LONG_HEADER.encode(), "header line longer than the 64 KiB limit"),
    ],
    ids=["utf16", "utf16be", "gzip-in-csv", "garbage", "long-header"],
)
def test_cli_says_what_is_wrong_with_the_file_in_one_line(tmp_path, data_dir, data, message):
    path = write(data_dir, "applications.csv", data)
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env |= {
        "HIRING_DATA_DIR": str(data_dir),
        "HIRING_WAREHOUSE": str(tmp_path / "out" / "warehouse.duckdb"),
        "HIRING_REPORTS_DIR": str(tmp_path / "out" / "reports"),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "pipelines", "run"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert proc.stderr.startswith(f"error: {path}: {message}")


def _many_rows(n: int) -> bytes:
    return (APPS_HEADER + "".join(GOOD.replace("A1,", f"A{i},") for i in range(n))).encode()


def test_a_gzip_file_damaged_mid_stream_fails_the_run_and_loads_nothing(con, data_dir):
    # a byte flipped mid-stream decompressed into rows that were never in the file
    raw = bytearray(gzip.compress(_many_rows(20_000)))
    raw[len(raw) // 2] ^= 0x55
    path = write(data_dir, "applications.csv.gz", bytes(raw))
    with pytest.raises(IngestError, match=rf"^{path}: gzip-compressed, but corrupt"):
        ingest(con, data_dir)
    assert not con.execute(
        "select * from duckdb_tables() where table_name = 'applications'"
    ).fetchall() or con.execute("select count(*) from applications").fetchall() == [(0,)]


def test_a_gzip_file_of_several_members_loads_whole(con, data_dir):
    head, *rows = _many_rows(3000).decode().splitlines(keepends=True)
    parts = [
        gzip.compress((head + "".join(rows[:1500])).encode()),
        gzip.compress("".join(rows[1500:]).encode()),
    ]
    write(data_dir, "applications.csv.gz", b"".join(parts))
    result = ingest(con, data_dir)
    assert result.totals("applications") == (3000, 3000, 0)


def test_gzip_members_of_over_a_mebibyte_each_are_checked_once(tmp_path):
    # a member ending after a read capped at 1 MiB once fed the rest of the file twice: the
    # check never ended (two members) or grew without bound (three); a subprocess, so that a
    # hang fails the test instead of the suite
    members = b"".join(gzip.compress(_many_rows(40_000)) for _ in range(3))
    (tmp_path / "a.csv.gz").write_bytes(members)
    broken = bytearray(members)
    broken[-len(members) // 6] ^= 0x55  # in the last member
    (tmp_path / "b.csv.gz").write_bytes(bytes(broken))
    code = (
        "import sys; from pathlib import Path; from pipelines.ingest import IngestError\n"
        "from pipelines.ingest.hashing import content_hash\n"
        "content_hash(Path(sys.argv[1]))\n"
        "try:\n    content_hash(Path(sys.argv[2]))\nexcept IngestError as e:\n    print(e)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "a.csv.gz"), str(tmp_path / "b.csv.gz")],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "b.csv.gz: gzip-compressed, but corrupt" in proc.stdout


def test_gzip_magic_bytes_past_a_files_start_are_data(tmp_path):
    # a Parquet file's bytes at a 1 MiB boundary can read 1f 8b; only a file's first bytes say gzip
    from pipelines.ingest.hashing import content_hash

    path = tmp_path / "applications.parquet"
    path.write_bytes(b"PAR1" + b"x" * ((1 << 20) - 4) + b"\x1f\x8b\x08 not gzip" + b"PAR1")
    assert content_hash(path).startswith("blake3:")
