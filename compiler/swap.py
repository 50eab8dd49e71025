"""The atomic swap: a finished staging folder in, the corpus at ``out`` replaced in one step out.

A build writes the new corpus into a staging folder beside ``out`` (``new_staging``), then
``swap_into_place`` exchanges the two (Linux ``renameat2(RENAME_EXCHANGE)``; elsewhere two
renames through ``.NAME.old``). A build killed at any point leaves either the old corpus or the
new one at ``out``; ``recover_interrupted_swap`` finishes what a killed build left behind.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from compiler.errors import CorpusError


def new_staging(out_dir: Path) -> Path:
    """An empty staging folder beside ``out_dir``, on the same file system so the swap is a rename."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))


def swap_into_place(staging: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` by ``staging`` in one step; the old corpus survives any crash before it."""
    if out_dir.exists() and not out_dir.is_dir():
        shutil.rmtree(staging, ignore_errors=True)
        raise CorpusError(f"{out_dir} exists and is not a directory; pass another --out")
    if out_dir.exists() and _rename_exchange(staging, out_dir):
        _remove_in_background(staging)  # staging now holds the old corpus
        return
    old = out_dir.with_name(f".{out_dir.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if out_dir.exists():
        os.rename(out_dir, old)
    os.rename(staging, out_dir)
    shutil.rmtree(old, ignore_errors=True)


def _remove_in_background(directory: Path) -> None:
    """Delete an old corpus off the build's critical path; the next build sweeps up if this dies.

    The name keeps the ``.NAME.new-*`` prefix, which ``recover_interrupted_swap`` removes.
    """
    try:
        subprocess.Popen(
            ["rm", "-rf", "--", str(directory)], start_new_session=True,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
    except OSError:
        shutil.rmtree(directory, ignore_errors=True)


def _rename_exchange(a: Path, b: Path) -> bool:
    """Linux renameat2(RENAME_EXCHANGE): swap two directories atomically. False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


def recover_interrupted_swap(out_dir: Path) -> None:
    """Finish what a killed build left: restore the old corpus if only it survived; drop staging dirs."""
    old = out_dir.with_name(f".{out_dir.name}.old")
    if old.is_dir() and not out_dir.exists():
        os.rename(old, out_dir)
    if out_dir.parent.is_dir():
        for leftover in out_dir.parent.glob(f".{out_dir.name}.new-*"):
            shutil.rmtree(leftover, ignore_errors=True)
