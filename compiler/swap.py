"""The output's ownership and atomic swap: a finished staging folder in, the corpus at ``out`` replaced in one step out.

One build at a time per output: ``output_lock`` holds ``.kc/locks/NAME.lock`` beside ``out`` (a
``filelock``; the kernel drops it when the holder dies, even by kill -9), and a second build
waits for it or, with ``wait=False``, fails with a ``BuildLockedError``. A build writes the new
corpus into a staging folder beside ``out`` named after its process (``.NAME.new-PID-*``,
``new_staging``), then ``swap_into_place`` exchanges the two (Linux
``renameat2(RENAME_EXCHANGE)``; elsewhere two renames through ``.NAME.old``). A build killed
at any point leaves either the old corpus or the new one at ``out``; ``recover_interrupted_swap``
finishes what a killed build left behind, and removes only staging folders whose process is gone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from compiler.config import lock_file
from compiler.errors import CorpusError


class BuildLockedError(CorpusError):
    """Another build is writing the same output, and this one was told not to wait."""


@contextmanager
def output_lock(out_dir: Path, *, wait: bool = True, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the output's lock for the duration: one build at a time writes ``out_dir``.

    When another build holds it, ``on_wait`` hears why this one waits, then this one waits for
    it; with ``wait=False`` a ``BuildLockedError`` says which output is busy instead.
    """
    from filelock import FileLock, Timeout

    lock_path = lock_file(out_dir)
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(lock_path))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if not wait:
            raise BuildLockedError(
                f"{out_dir}: another kc build is writing this corpus (lock {lock_path}); "
                "wait for it, or run without --no-wait to queue behind it"
            ) from None
        if on_wait:
            on_wait(f"{out_dir}: another kc build is writing this corpus; waiting for it to finish")
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def new_staging(out_dir: Path) -> Path:
    """An empty staging folder beside ``out_dir`` named after this process, on the same file system so the swap is a rename."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-{os.getpid()}-", dir=out_dir.parent))


def _owner_alive(staging: Path, prefix: str) -> bool:
    """Whether the process that made ``staging`` (its pid is in the name) still runs."""
    pid_text = staging.name[len(prefix) :].partition("-")[0]
    if not pid_text.isdigit():
        return False  # an older kc's name: no owner to ask, and the lock says no build runs
    pid = int(pid_text)
    if pid == os.getpid():
        return False  # ours from an earlier build in this process: the lock says it is over
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
            ["rm", "-rf", "--", str(directory)],
            start_new_session=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
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
    """Finish what a killed build left: restore the old corpus if only it survived; drop stale staging dirs.

    Call with the output lock held. A staging folder whose process still runs is left alone (an
    old corpus being deleted in the background keeps its builder's pid, but that ``rm`` finishes it).
    """
    old = out_dir.with_name(f".{out_dir.name}.old")
    if old.is_dir() and not out_dir.exists():
        os.rename(old, out_dir)
    prefix = f".{out_dir.name}.new-"
    if out_dir.parent.is_dir():
        for leftover in out_dir.parent.glob(f"{prefix}*"):
            if not _owner_alive(leftover, prefix):
                shutil.rmtree(leftover, ignore_errors=True)
