"""scan(stat_cache=...): unchanged files are not read again; changed, racy or deleted ones are."""

from __future__ import annotations

import hashlib
import importlib
import marshal
import os
import time
import zlib
from pathlib import Path

import pytest

from compiler.config import Settings
from compiler.frontend.scan import scan
from kctest.frontend_files import write

scan_module = importlib.import_module("compiler.frontend.scan")  # compiler.frontend re-exports the function

HOUR_NS = 3600 * 10**9


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def hashes(result) -> dict[str, str]:
    return {f.path: f.sha256 for f in result.files}


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "repo"
    write(root, "app.py", "print('hello')\n")
    write(root, "pkg/mod.py", "x = 1\n")
    write(root, "pkg/blob.dat", b"a\x00b")  # binary by content: cached as "binary"
    write(root, "docs/guide.md", "# Guide\n")
    write(root, "logo.png", b"\x89PNG")  # binary by extension: never read
    return root


@pytest.fixture
def reads(monkeypatch):
    """Paths the scanner reads, in order."""
    seen: list[str] = []
    real = scan_module._read_bytes

    def counting(path: str) -> bytes:
        seen.append(os.path.basename(path))
        return real(path)

    monkeypatch.setattr(scan_module, "_read_bytes", counting)
    return seen


@pytest.fixture
def settled(monkeypatch):
    """Pretend each cache is written an hour after now, so freshly written files are not racy."""
    monkeypatch.setattr(scan_module, "_clock_ns", lambda: time.time_ns() + HOUR_NS)


def test_second_scan_equals_the_first_and_reads_nothing(tree, tmp_path, reads, settled):
    cache = tmp_path / "cache" / "scan.pickle"  # the folder does not exist yet
    first = scan(tree, Settings(), stat_cache=cache)
    assert sorted(reads) == ["app.py", "blob.dat", "guide.md", "mod.py"]
    assert first == scan(tree, Settings())  # the cache changes nothing in the result
    assert cache.is_file()
    written = os.stat(cache)
    reads.clear()
    second = scan(tree, Settings(), stat_cache=cache)
    assert second == first
    assert reads == []
    again = os.stat(cache)  # nothing changed: the cache file is not rewritten
    assert (again.st_ino, again.st_mtime_ns) == (written.st_ino, written.st_mtime_ns)
    assert [p.name for p in cache.parent.iterdir()] == ["scan.pickle"]  # no temp file left behind


def test_file_edited_in_place_with_the_same_size_gets_its_new_hash(tree, tmp_path, reads, settled):
    cache = tmp_path / "scan.pickle"
    path = tree / "pkg/mod.py"
    past = time.time_ns() - HOUR_NS
    os.utime(path, ns=(past, past))
    scan(tree, Settings(), stat_cache=cache)
    path.write_text("y = 2\n")  # same size as "x = 1\n"
    os.utime(path, ns=(past + 10**9, past + 10**9))
    reads.clear()
    result = scan(tree, Settings(), stat_cache=cache)
    assert hashes(result)["pkg/mod.py"] == sha("y = 2\n")
    assert reads == ["mod.py"]  # only the changed file is read
    assert result == scan(tree, Settings())


def test_racy_entry_is_read_again_even_with_an_identical_stat(tree, tmp_path, reads):
    """A file changed right after it was read, within the timestamps' granularity, keeps its stat."""
    cache = tmp_path / "scan.pickle"
    path = tree / "pkg/mod.py"
    scan(tree, Settings(), stat_cache=cache)  # real clock: the files are seconds old at most
    info = os.stat(path)
    path.write_text("y = 2\n")  # same size
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))  # same mtime
    # The ctime moved, which alone would betray the change; make the stored signature match the
    # file exactly, as when the change lands in the same timestamp tick as the read.
    _rewrite_cache(cache, lambda rel, signature, verdict: (_signature(tree / rel), verdict))
    reads.clear()
    assert hashes(scan(tree, Settings(), stat_cache=cache))["pkg/mod.py"] == sha("y = 2\n")
    assert "mod.py" in reads


def test_non_racy_identical_stat_is_trusted(tree, tmp_path, reads):
    """The counterpart of the racy test: with the cache written long after the mtime, the entry is believed."""
    cache = tmp_path / "scan.pickle"
    scan(tree, Settings(), stat_cache=cache)
    _rewrite_cache(cache, lambda rel, signature, verdict: (signature, verdict), written_ns=time.time_ns() + HOUR_NS)
    reads.clear()
    assert hashes(scan(tree, Settings(), stat_cache=cache))["pkg/mod.py"] == sha("x = 1\n")
    assert reads == []


def test_racy_entries_are_trusted_once_the_cache_is_rewritten_later(tree, tmp_path, reads, monkeypatch):
    cache = tmp_path / "scan.pickle"
    scan(tree, Settings(), stat_cache=cache)  # written now: every entry is racy
    reads.clear()
    monkeypatch.setattr(scan_module, "_clock_ns", lambda: time.time_ns() + HOUR_NS)
    scan(tree, Settings(), stat_cache=cache)  # reads them again and rewrites the cache
    assert len(reads) == 4
    reads.clear()
    scan(tree, Settings(), stat_cache=cache)
    assert reads == []


@pytest.mark.parametrize("content", [b"", b"garbage", b"KCSCAN\x00\x01\x00\x00\x00\x00\xff\xfe", None])
def test_corrupt_cache_is_ignored_and_replaced(tree, tmp_path, reads, settled, content):
    cache = tmp_path / "scan.pickle"
    if content is None:  # a valid cache truncated mid-write
        scan(tree, Settings(), stat_cache=cache)
        content = cache.read_bytes()[:-7]
    cache.write_bytes(content)
    reads.clear()
    assert scan(tree, Settings(), stat_cache=cache) == scan(tree, Settings())
    reads.clear()
    scan(tree, Settings(), stat_cache=cache)
    assert reads == []  # the bad file was replaced by a good one


def test_cache_of_another_version_is_ignored(tree, tmp_path, reads, settled):
    cache = tmp_path / "scan.pickle"
    scan(tree, Settings(), stat_cache=cache)
    _rewrite_cache(cache, lambda rel, signature, verdict: (signature, ("python", 6, "0" * 64)), version=999)
    reads.clear()
    result = scan(tree, Settings(), stat_cache=cache)
    assert len(reads) == 4
    assert result == scan(tree, Settings())


def test_deleted_file_disappears_and_is_dropped_from_the_cache(tree, tmp_path, settled):
    cache = tmp_path / "scan.pickle"
    scan(tree, Settings(), stat_cache=cache)
    (tree / "docs/guide.md").unlink()
    result = scan(tree, Settings(), stat_cache=cache)
    assert "docs/guide.md" not in hashes(result)
    assert result == scan(tree, Settings())
    assert "docs/guide.md" not in _read_cache(cache)[3]


def test_changed_max_file_bytes_invalidates_the_cache(tree, tmp_path, reads, settled):
    cache = tmp_path / "scan.pickle"
    scan(tree, Settings(), stat_cache=cache)
    reads.clear()
    small = Settings(max_file_bytes=10)
    result = scan(tree, small, stat_cache=cache)
    assert sorted(reads) == ["blob.dat", "guide.md", "mod.py"]  # the cache of the other setting was not used
    assert result == scan(tree, small)
    assert {s.path: s.reason for s in result.skipped}["app.py"] == "too-large (15 bytes > 10)"
    assert _read_cache(cache)[1][1] == 10


def test_symlinks_are_never_cached_and_follow_their_target(tmp_path, settled):
    root = tmp_path / "repo"
    write(root, "a.py", "a = 1\n")
    write(root, "b.py", "b = 2\n")
    os.symlink("a.py", root / "link.py")
    cache = tmp_path / "scan.pickle"
    assert hashes(scan(root, Settings(), stat_cache=cache))["link.py"] == sha("a = 1\n")
    assert "link.py" not in _read_cache(cache)[3]
    (root / "link.py").unlink()
    os.symlink("b.py", root / "link.py")
    assert hashes(scan(root, Settings(), stat_cache=cache))["link.py"] == sha("b = 2\n")


def test_unwritable_cache_location_does_not_fail_the_scan(tree, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache folder should be\n")
    assert scan(tree, Settings(), stat_cache=blocker / "scan.pickle") == scan(tree, Settings())


# -- the cache file, as the tests see it ---------------------------------------------------------


def _signature(path: Path) -> tuple:
    info = os.lstat(path)
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns, info.st_mode)


def _read_cache(cache: Path) -> tuple:
    blob = cache.read_bytes()
    assert blob[:8] == scan_module._CACHE_MAGIC
    return marshal.loads(blob[12:])


def _rewrite_cache(cache: Path, change, written_ns: int | None = None, version: int | None = None) -> None:
    stored_version, key, stored_written, entries = _read_cache(cache)
    entries = {rel: change(rel, *entry) for rel, entry in entries.items()}
    body = marshal.dumps(
        (
            stored_version if version is None else version,
            key,
            stored_written if written_ns is None else written_ns,
            entries,
        )
    )
    cache.write_bytes(scan_module._CACHE_MAGIC + zlib.crc32(body).to_bytes(4, "big") + body)
