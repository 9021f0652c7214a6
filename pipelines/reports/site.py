"""Publishing the site as one step: a reader (or a run killed at any point) sees the previous
complete site or the new complete site, never a mix.

The new site is written into a sibling folder, then swapped with the reports folder in one atomic
``renameat2(RENAME_EXCHANGE)`` (Linux); the old site, now in the sibling, is deleted. Where that
call is missing, two renames are used, and a site left between them by a killed run is put back
at the next publish.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from pathlib import Path

from plotly.offline import get_plotlyjs

from pipelines.reports.html import PLOTLY_JS
from pipelines.run_state import process_alive

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
# Files that belong to the folder, not to a site (version control keeps the empty folder).
_KEPT = (".gitkeep",)
# Files a file browser leaves in any folder it shows: not a reason to refuse it, and not kept.
_OS_FILES = (".DS_Store", "Thumbs.db", "desktop.ini")


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False where the system cannot."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: this file system cannot
        return False
    raise OSError(err, os.strerror(err), str(a))


def _leftovers(out_dir: Path, kind: str) -> list[tuple[Path, int]]:
    """Sibling folders ``.<name>.<kind>-<pid>`` a (possibly killed) publish left behind."""
    found = []
    for p in out_dir.parent.glob(f".{out_dir.name}.{kind}-*"):
        pid = p.name.rsplit("-", 1)[1]
        if pid.isdigit():
            found.append((p, int(pid)))
    return found


def recover(out_dir: Path) -> None:
    """Put back a site a killed publish left between its two renames, and remove leftovers of
    publishes whose process has ended."""
    for old, pid in _leftovers(out_dir, "old"):
        if not process_alive(pid) or pid == os.getpid():
            if not out_dir.exists():
                old.rename(out_dir)
            else:
                shutil.rmtree(old, ignore_errors=True)
    for new, pid in _leftovers(out_dir, "next"):
        if not process_alive(pid) or pid == os.getpid():
            shutil.rmtree(new, ignore_errors=True)


class NotAReportsFolder(Exception):
    """The reports folder holds files no report wrote: publishing would delete them."""


def check_reports_folder(out_dir: Path) -> None:
    """Raise NotAReportsFolder unless ``out_dir`` is missing, empty or holds only what a site
    holds (pages, scripts, ``data/`` with CSV files): a site replaces the whole folder, and a
    reports folder named after the input folder or the warehouse's once deleted them."""
    if not out_dir.is_dir():
        return
    foreign = []
    for entry in sorted(out_dir.iterdir()):
        if entry.name in _KEPT + _OS_FILES or (
            entry.is_file() and entry.suffix in (".html", ".js")
        ):
            continue
        if entry.name == "data" and entry.is_dir() and not entry.is_symlink():
            # a site's CSV files are named <page>--<figure>.csv; an input file is not
            foreign += [f"data/{p.name}" for p in sorted(entry.iterdir())
                        if p.name not in _OS_FILES
                        and not (p.is_file() and p.suffix == ".csv" and "--" in p.stem)]  # fmt: skip
            continue
        foreign.append(entry.name + ("/" if entry.is_dir() else ""))
    if foreign:
        shown = ", ".join(foreign[:3]) + (
            f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        )
        raise NotAReportsFolder(
            f"{out_dir}: holds {shown}, which no report wrote; the reports replace this whole "
            "folder, so it must be empty or hold reports only (HIRING_REPORTS_DIR)"
        )


def publish_site(files: dict[str, str], out_dir: Path) -> None:
    """Write ``files`` (relative name → text) and plotly.min.js as the new site in ``out_dir``."""
    out_dir = out_dir.absolute()
    check_reports_folder(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    recover(out_dir)
    new = out_dir.parent / f".{out_dir.name}.next-{os.getpid()}"
    shutil.rmtree(new, ignore_errors=True)
    (new / "data").mkdir(parents=True)
    old_js = out_dir / PLOTLY_JS
    js = get_plotlyjs()
    try:
        if not (old_js.exists() and old_js.stat().st_size == len(js.encode("utf-8"))):
            raise FileNotFoundError(old_js)
        os.link(old_js, new / PLOTLY_JS)  # the same library: share the 4.8 MB file
    except OSError:
        (new / PLOTLY_JS).write_text(js, encoding="utf-8")
    for name in _KEPT:
        if (out_dir / name).exists():
            shutil.copy2(out_dir / name, new / name)
    for name, text in files.items():
        (new / name).write_text(text, encoding="utf-8")
    if not out_dir.exists():
        new.rename(out_dir)
    elif _exchange(new, out_dir):
        shutil.rmtree(new)
    else:
        old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
        out_dir.rename(old)
        new.rename(out_dir)
        shutil.rmtree(old)
