"""The build's caches: parsed facts by content hash, the parse pool, and the code digest keying them.

In: scanned ``SourceFile`` records, the settings and the build cache folder. Out: ``FileFacts``
(excerpts attached by the front end), from the cache when the file, its path, the excerpt length
and kc's own code are unchanged, else parsed, on every core when there are many. Also the small
atomic file helpers (pickle and text) that the build and ``incremental.py`` share.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from compiler.config import Settings
from compiler.model import Diagnostic, FileFacts, SourceFile

# Bump when the front end's output for the same bytes changes, so cached facts are re-parsed.
# The key also hashes kc's own code (``code_digest``), so an edited parser never serves stale
# facts even when nobody remembers to bump this.
PARSER_VERSION = "2"
FACTS_CACHE = "facts"  # a folder of pickles, sharded by the first hex digits of each entry's key
FACTS_SHARD_CHARS = 2  # 256 shards
PARALLEL_MIN_FILES = 200  # fewer files to parse than this: a worker pool costs more than it saves
PARALLEL_CHUNK = 16

# Parts of the package that never shape a corpus (consumers of it); everything else under
# compiler/, in any subpackage at any depth, feeds the code digest.
CONSUMERS = frozenset({"cli", "index", "tutor", "mcp", "mcp_server", "mcp_server.py", "__pycache__"})

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def code_files() -> list[Path]:
    """Every file of kc's own code that can shape a corpus, in a stable order."""
    package = Path(__file__).resolve().parent
    files = []
    for path in package.rglob("*"):
        parts = path.relative_to(package).parts
        if parts[0] in CONSUMERS or "__pycache__" in parts or not path.is_file() or path.suffix in (".pyc", ".pyo"):
            continue
        files.append(path)
    return sorted(files, key=lambda p: p.relative_to(package).as_posix())


@functools.cache
def _code_hash() -> str:
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in code_files():
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def code_digest(seed: str) -> str:
    """A hash of ``seed`` and kc's own corpus-shaping code: results made by other code are never reused."""
    return hashlib.sha256(f"{seed}\0{_code_hash()}".encode()).hexdigest()[:16]


def facts_key(source: SourceFile, settings: Settings) -> str:
    """The facts cache key of one file: kc's code, the path, the content hash and the excerpt length."""
    path = source.path.encode("utf-8", "surrogateescape")
    raw = b"\0".join(
        (code_digest(PARSER_VERSION).encode(), path, source.sha256.encode(), str(settings.excerpt_lines).encode())
    )
    return hashlib.sha256(raw).hexdigest()


def parse_all(
    files: list[SourceFile], cache: FactsCache, keys: dict[str, str], parser: Parser, report: Progress
) -> list[FileFacts]:
    """Facts for every file, from the cache or parsed; the cache then holds exactly these files."""
    cache.load_all()
    facts: list[FileFacts | None] = [cache.get(keys[source.path]) for source in files]
    missing = [index for index, hit in enumerate(facts) if hit is None]
    done = len(files) - len(missing)
    report("parse", done, len(files))
    for index, parsed in zip(missing, parser.many([files[i] for i in missing])):
        facts[index] = parsed
        done += 1
        if done % 50 == 0 or done == len(files):
            report("parse", done, len(files))
    cache.retain(set(keys.values()))
    cache.save()
    return facts  # type: ignore[return-value]


class Parser:
    """Parses source files into facts, caches them, and remembers which it parsed.

    ``parser(source)`` parses one file here; ``parser.many(sources)`` parses many, in order, on
    every core when there are enough of them: the front end is CPU-bound Python, so worker
    processes are the only way to use a second core. Without a usable pool it parses serially.
    """

    def __init__(self, root: Path, cache: FactsCache, keys: dict[str, str], settings: Settings):
        self.root, self.cache, self.keys, self.settings = root, cache, keys, settings
        self.repo_paths = frozenset(keys)
        self.parsed: set[str] = set()

    def __call__(self, source: SourceFile) -> FileFacts:
        return self._keep(source, parse_source(self.root, source, self.settings, self.repo_paths))

    def many(self, sources: list[SourceFile]) -> Iterator[FileFacts]:
        workers = min(os.cpu_count() or 1, 8)
        if workers < 2 or len(sources) < PARALLEL_MIN_FILES:
            yield from map(self, sources)
            return
        import multiprocessing

        # fork: the workers need nothing re-imported, and a caller's script needs no __main__ guard
        if "fork" not in multiprocessing.get_all_start_methods():
            yield from map(self, sources)
            return
        try:
            pool = multiprocessing.get_context("fork").Pool(
                workers, initializer=_worker_init, initargs=(str(self.root), self.settings, self.repo_paths)
            )
        except (OSError, ValueError, ImportError):
            yield from map(self, sources)
            return
        with pool:
            for source, facts in zip(sources, pool.imap(_worker_parse, sources, chunksize=PARALLEL_CHUNK)):
                yield self._keep(source, facts)

    def _keep(self, source: SourceFile, facts: FileFacts) -> FileFacts:
        self.cache.put(self.keys[source.path], facts)
        self.parsed.add(source.path)
        return facts


_WORKER: dict[str, Any] = {}


def _worker_init(root: str, settings: Settings, repo_paths: frozenset[str]) -> None:
    _WORKER.update(root=Path(root), settings=settings, repo_paths=repo_paths)


def _worker_parse(source: SourceFile) -> FileFacts:
    return parse_source(_WORKER["root"], source, _WORKER["settings"], _WORKER["repo_paths"])


def parse_source(root: Path, source: SourceFile, settings: Settings, repo_paths: frozenset[str]) -> FileFacts:
    """One file's facts, excerpts attached; an unreadable file becomes a diagnostic."""
    from compiler.frontend import parse_file

    try:
        data = (root / source.path).read_bytes()
    except OSError as exc:
        return FileFacts(
            path=source.path,
            language=source.language,
            module="",
            lines=0,
            sha256=source.sha256,
            diagnostics=(Diagnostic(source.path, None, "error", "unreadable", str(exc)),),
        )
    return parse_file(source, data, repo_paths=repo_paths, excerpt_lines=settings.excerpt_lines)


class FactsCache:
    """``FileFacts`` by content-hash key, in pickled shards named by the keys' first hex digits.

    Shards load on demand, so patching one file reads one or two of them; a full build loads
    all, keeps the entries of the files it compiled and drops the rest. Only shards whose
    entries changed are written back: an edit to one file rewrites one or two shards.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.shards: dict[str, dict[str, FileFacts]] = {}
        self.dirty: set[str] = set()

    def _shard(self, name: str) -> dict[str, FileFacts]:
        shard = self.shards.get(name)
        if shard is None:
            shard = self.shards[name] = load_pickle(self.folder / f"{name}.pickle")
        return shard

    def load_all(self) -> None:
        for path in sorted(self.folder.glob("*.pickle")):
            self._shard(path.stem)

    def get(self, key: str) -> FileFacts | None:
        return self._shard(key[:FACTS_SHARD_CHARS]).get(key)

    def put(self, key: str, facts: FileFacts) -> None:
        name = key[:FACTS_SHARD_CHARS]
        self._shard(name)[key] = facts
        self.dirty.add(name)

    def discard(self, key: str) -> None:
        name = key[:FACTS_SHARD_CHARS]
        if self._shard(name).pop(key, None) is not None:
            self.dirty.add(name)

    def retain(self, keys: set[str]) -> None:
        """Drop every loaded entry whose key is not in ``keys`` (files changed or gone)."""
        for name, shard in self.shards.items():
            stale = [key for key in shard if key not in keys]
            for key in stale:
                del shard[key]
            if stale:
                self.dirty.add(name)

    def save(self) -> None:
        for name in sorted(self.dirty):
            path = self.folder / f"{name}.pickle"
            if self.shards[name]:
                save_pickle(path, self.shards[name])
            else:
                path.unlink(missing_ok=True)
        self.dirty.clear()


def load_pickle(path: Path) -> dict:
    """A pickled dict, or {} when missing or unreadable (a lost cache only costs a re-parse)."""
    try:
        with path.open("rb") as handle:
            data = pickle.load(handle)
        return data if isinstance(data, dict) else {}
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return {}


def save_pickle(path: Path, data: Any) -> None:
    """Pickle ``data`` to ``path`` atomically (a temporary file renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (a temporary file renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
