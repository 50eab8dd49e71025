"""The index's freshness manifest: is the published index already that of this corpus?

In: a corpus folder, its index folder, the settings and the embedder asked for. Out: the
number of chunks of the published index when it is already up to date (``fresh``), else None;
``record`` writes the manifest after a publish. It holds the chunk hashes (ids) of the published
generation, the ``(size, mtime, inode)`` and hash of the ``core.json`` they came from, and what
else shapes the index (kc's index code, the model asked for, the Chroma location). An unchanged
corpus then costs a stat and a compare: no chunking, no embedding model, no Chroma.

This module imports nothing heavy; the index writer (``index_corpus``) calls it first and last.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path

from compiler.config import Settings
from compiler.errors import SearchIndexError

FRESHNESS_FILE = "freshness.json"
VERSION = 1


@functools.cache
def _index_code() -> str:
    """Hash of kc's index code (chunking, BM25, store): an edited chunker re-indexes."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        if "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _shape(settings: Settings, embedder) -> dict:
    """Everything besides the corpus that decides the index's content and where it lives."""
    model = f"embedder:{embedder.model_id}" if embedder is not None else f"path:{settings.model_path}"
    return {
        "version": VERSION,
        "code": _index_code(),
        "model": model,
        "chroma_url": settings.chroma_url,
        "collection": settings.chroma_collection,
    }


def _stamp(path: Path) -> list[int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns, info.st_ino]


def _core_hash(core: Path) -> str:
    digest = hashlib.sha256()
    with core.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fresh(corpus_dir: Path, folder: Path, settings: Settings, embedder=None) -> int | None:
    """The published index's chunk count when it already indexes this corpus; None to (re)index.

    The common case is a stat of ``core.json`` equal to the recorded one. A rebuilt but identical
    ``core.json`` (new inode, same bytes) is hashed once and its new stat recorded.
    """
    path = folder / FRESHNESS_FILE
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(recorded, dict) or recorded.get("shape") != _shape(settings, embedder):
        return None
    try:
        published = json.loads((folder / recorded["manifest"]).read_text(encoding="utf-8"))
        if published.get("generation") != recorded["generation"] or not (folder / recorded["snapshot"]).is_dir():
            return None  # the index was replaced or pruned since
        chunk_ids = recorded["chunks"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    core = Path(corpus_dir) / "core.json"
    stamp = _stamp(core)
    if stamp is None:
        return None
    if stamp != recorded.get("core_stamp"):
        if _core_hash(core) != recorded.get("core_hash"):
            return None
        recorded["core_stamp"] = stamp
        _write(path, recorded)
    return len(chunk_ids)


def core_state(corpus_dir: Path) -> tuple[list[int] | None, str]:
    """The stat and hash of the corpus's core.json, taken before indexing starts."""
    core = Path(corpus_dir) / "core.json"
    return _stamp(core), _core_hash(core)


def record(
    folder: Path,
    settings: Settings,
    embedder,
    *,
    core: tuple[list[int] | None, str],
    generation: str,
    manifest: str,
    snapshot: str,
    chunk_ids: list[str],
) -> None:
    """Remember what was just published: ``manifest`` and ``snapshot`` are paths inside ``folder``.

    ``core`` is ``core_state()`` from before the chunks were read (so a corpus replaced while
    indexing is never taken for the one indexed); ``embedder`` is the one the caller asked for
    (None: the settings' model), as ``fresh`` sees it.
    """
    _write(
        folder / FRESHNESS_FILE,
        {
            "shape": _shape(settings, embedder),
            "generation": generation,
            "manifest": manifest,
            "snapshot": snapshot,
            "core_stamp": core[0],
            "core_hash": core[1],
            "chunks": sorted(chunk_ids),
        },
    )


def forget(folder: Path) -> None:
    """Drop the record (before the index changes), so a crash half-way never leaves it claiming freshness."""
    (folder / FRESHNESS_FILE).unlink(missing_ok=True)


def _write(path: Path, data: dict) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def model_mismatch(manifest, model_id: str, dim: int | None, folder: Path) -> SearchIndexError:
    """The error for an index built with another model than the query's: which, and how to rebuild."""
    have = f"{model_id!r}" + (f" ({dim} dims)" if dim else "")
    return SearchIndexError(
        f"{folder}: the search index was built with {manifest.model_id!r} ({manifest.dim} dims) but the query model is "
        f"{have}; run 'kc index' (with the same --model) to rebuild it"
    )
