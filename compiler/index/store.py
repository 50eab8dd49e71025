"""Where the index lives: Chroma (the vector store of record) and published snapshots.

Layout of ``index_dir(corpus)``::

    index.lock                  one writer at a time (filelock)
    manifest.json               the published generation: model, dimension, corpus hash, ...
    chroma/                     embedded Chroma PersistentClient (when no server is used)
    models/<model-id>/          ONNX copy of the embedding model for fast query embedding
    snapshots/<generation>/     chunks.json, vectors.npy (numpy mirror), lexical/ (bm25s)

A writer fills Chroma, writes a complete snapshot into a new generation folder, then
publishes it by replacing ``manifest.json`` atomically (``os.replace``). Readers load
whatever generation the manifest names, so they see the old index or the new one, never a
mix. Stale vectors are deleted from Chroma only after the new manifest is published, and
the previous generation folder is kept for readers that are still loading it.

Every snapshot holds the vectors of all its chunks, so a small update of an embedded store
takes the unchanged ones from the published snapshot and leaves Chroma alone; the next update
that opens Chroma adds what it lacks from the snapshot (no embedding) and drops what is stale.
A Chroma server is always updated, since searches read it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from compiler.errors import SearchIndexError
from compiler.index.chunk import Chunk
from compiler.index.lexical import LexicalIndex

INDEX_FORMAT = 1
MANIFEST_FILE = "manifest.json"
LOCK_FILE = "index.lock"
SNAPSHOTS = "snapshots"
MODELS = "models"
CHROMA_DIR = "chroma"
ADD_BATCH = 1000


@dataclass(frozen=True)
class Manifest:
    """What a published index is: read first by every reader."""

    format: int
    generation: str
    model_id: str
    dim: int
    chunks: int
    corpus_hash: str
    store: str  # "embedded" or "server"
    collection: str
    chroma_url: str = ""
    query_model: str = ""  # folder under models/ with the ONNX copy; "" = none

    @classmethod
    def from_dict(cls, data: dict) -> Manifest:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


@dataclass
class Snapshot:
    """One published generation, loaded: chunks, their vectors (row i = chunk i), BM25."""

    manifest: Manifest
    chunks: list[Chunk]
    vectors: np.ndarray
    lexical: LexicalIndex
    folder: Path


def corpus_hash(corpus_dir: Path) -> str:
    """Hash of ``core.json``: pages are derived from it, so it tells when the index is stale."""
    core = Path(corpus_dir) / "core.json"
    return hashlib.sha256(core.read_bytes()).hexdigest()[:16] if core.is_file() else ""


def collection_name(corpus_dir: Path, source_name: str, settings) -> str:
    """A Chroma collection name per corpus (3-63 characters of ``[a-zA-Z0-9._-]``)."""
    configured = settings.chroma_collection if settings else None
    if configured:
        return str(configured)
    slug = re.sub(r"[^a-zA-Z0-9_-]+", "-", source_name or "corpus").strip("-_")[:30] or "corpus"
    where = hashlib.sha256(str(Path(corpus_dir).resolve()).encode()).hexdigest()[:10]
    return f"kc-{slug}-{where}"


# ---- manifest and snapshots ----------------------------------------------------------


def read_manifest(index_dir: Path) -> Manifest | None:
    path = Path(index_dir) / MANIFEST_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise SearchIndexError(f"{path}: unreadable ({exc}); run 'kc index' to rebuild the search index") from exc
    if data.get("format") != INDEX_FORMAT:
        raise SearchIndexError(
            f"{path}: search index format {data.get('format')!r}, this kc reads {INDEX_FORMAT}; run 'kc index' to rebuild it"
        )
    return Manifest.from_dict(data)


def load_snapshot(index_dir: Path) -> Snapshot | None:
    """The published generation, or None when nothing was ever indexed here.

    If a writer publishes and prunes while we read, the folder we were reading may vanish:
    read the manifest again (a bounded number of times) and load the new generation.
    """
    index_dir = Path(index_dir)
    for _attempt in range(5):
        manifest = read_manifest(index_dir)
        if manifest is None:
            return None
        folder = index_dir / SNAPSHOTS / manifest.generation
        try:
            with open(folder / "chunks.json", encoding="utf-8") as handle:
                chunks = [Chunk.from_dict(c) for c in json.load(handle)]
            vectors = np.load(folder / "vectors.npy", allow_pickle=False)
            lexical = LexicalIndex.load(folder / "lexical")
        except FileNotFoundError:
            time.sleep(0.05)
            continue
        except (OSError, ValueError, KeyError) as exc:
            raise SearchIndexError(f"{folder}: broken search index ({exc}); run 'kc index' to rebuild it") from exc
        if vectors.shape != (len(chunks), manifest.dim) and len(chunks):
            raise SearchIndexError(
                f"{folder}: vectors do not match the chunks; run 'kc index' to rebuild the search index"
            )
        return Snapshot(manifest, chunks, vectors, lexical, folder)
    raise SearchIndexError(f"{index_dir}: the search index keeps changing under us; try again when 'kc index' is done")


def published_vectors(index_dir: Path, model_id: str) -> dict[str, np.ndarray]:
    """Chunk id -> vector of the published generation when it was made by this model; else empty.

    A small re-index takes the vectors of unchanged chunks from here (one file read) instead of
    asking Chroma for every one; anything unreadable just means asking Chroma.
    """
    try:
        manifest = read_manifest(index_dir)
    except SearchIndexError:
        return {}
    if manifest is None or manifest.model_id != model_id:
        return {}
    folder = Path(index_dir) / SNAPSHOTS / manifest.generation
    try:
        with open(folder / "chunks.json", encoding="utf-8") as handle:
            ids = [c["id"] for c in json.load(handle)]
        vectors = np.load(folder / "vectors.npy", allow_pickle=False)
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    if vectors.shape != (len(ids), int(manifest.dim)):
        return {}
    return dict(zip(ids, vectors))


def publish_snapshot(
    index_dir: Path, manifest: Manifest, chunks: list[Chunk], vectors: np.ndarray, lexical: LexicalIndex
) -> None:
    """Write a complete generation folder, then switch the manifest to it atomically."""
    index_dir = Path(index_dir)
    snapshots = index_dir / SNAPSHOTS
    snapshots.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=snapshots))
    try:
        with open(staging / "chunks.json", "w", encoding="utf-8") as handle:
            json.dump([c.to_dict() for c in chunks], handle, ensure_ascii=False)
        np.save(staging / "vectors.npy", np.ascontiguousarray(vectors, dtype=np.float32), allow_pickle=False)
        lexical.save(staging / "lexical")
        _fsync_tree(staging)
        os.replace(staging, snapshots / manifest.generation)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    write_json_atomic(index_dir / MANIFEST_FILE, asdict(manifest))


def prune_snapshots(index_dir: Path, keep: int = 2) -> None:
    """Delete all but the newest ``keep`` generations (the previous one serves slow readers)."""
    snapshots = Path(index_dir) / SNAPSHOTS
    if not snapshots.is_dir():
        return
    current = read_manifest(index_dir)
    generations = sorted(
        (p for p in snapshots.iterdir() if p.is_dir() and not p.name.startswith(".")), key=lambda p: p.name
    )
    for old in generations[:-keep]:
        if current is None or old.name != current.generation:
            shutil.rmtree(old, ignore_errors=True)
    for staging in snapshots.glob(".staging-*"):  # left by a writer that was killed
        shutil.rmtree(staging, ignore_errors=True)


def new_generation() -> str:
    """Sortable and unique: milliseconds since the epoch plus a random tail."""
    return f"{int(time.time() * 1000):015d}-{uuid.uuid4().hex[:8]}"


def write_json_atomic(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _fsync_tree(folder: Path) -> None:
    for file in folder.rglob("*"):
        if file.is_file():
            with open(file, "rb") as handle:
                os.fsync(handle.fileno())


# ---- Chroma ----------------------------------------------------------------------------


def _embedding_function(embedder):
    """Our embedder dressed as a Chroma embedding function, so Chroma never uses its default."""
    from chromadb.api.types import EmbeddingFunction

    class KcEmbeddingFunction(EmbeddingFunction):
        def __init__(self, wrapped=None):
            self.wrapped = wrapped

        def __call__(self, input):  # noqa: A002 - Chroma's name for the argument
            if self.wrapped is None:
                raise SearchIndexError("this Chroma collection is embedded by kc; query it through 'kc search'")
            return [row for row in self.wrapped.embed_batch(list(input))]

        @staticmethod
        def name() -> str:
            return "kc"

        def get_config(self) -> dict:
            return {"model_id": getattr(self.wrapped, "model_id", "")}

        @staticmethod
        def build_from_config(config: dict):
            return KcEmbeddingFunction()

        def default_space(self):
            return "cosine"

        def supported_spaces(self):
            return ["cosine"]

    return KcEmbeddingFunction(embedder)


def chroma_client(settings, index_dir: Path):
    """An embedded PersistentClient in the index folder, or an HttpClient for a shared server."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    url = settings.chroma_url if settings else ""
    if url:
        parsed = urlparse(url if "://" in url else f"http://{url}")
        if not parsed.hostname:
            raise SearchIndexError(f"--chroma-url {url!r}: expected http://HOST:PORT")
        try:
            return chromadb.HttpClient(
                host=parsed.hostname,
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:
            raise SearchIndexError(
                f"cannot reach the Chroma server at {url} ({exc}); start it with 'chroma run' or drop --chroma-url"
            ) from exc
    path = Path(index_dir) / CHROMA_DIR
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class ChromaVectors:
    """The vectors of one corpus in one Chroma collection, tagged with model and dimension."""

    def __init__(self, client, name: str, embedder, *, url: str = ""):
        self.client = client
        self.name = name
        self.embedder = embedder
        self.url = url
        self.function = _embedding_function(embedder)
        self.collection = self._open(create=True)

    def _open(self, create: bool):
        metadata = {"kc_model": self.embedder.model_id, "kc_dim": int(self.embedder.dim), "kc_format": INDEX_FORMAT}
        try:
            if create:
                return self.client.get_or_create_collection(
                    self.name,
                    metadata=metadata,
                    configuration={"hnsw": {"space": "cosine"}},
                    embedding_function=self.function,
                )
            return self.client.get_collection(self.name, embedding_function=self.function)
        except SearchIndexError:
            raise
        except Exception as exc:
            where = self.url or "the embedded store"
            raise SearchIndexError(
                f"Chroma collection {self.name!r} at {where}: {exc}; run 'kc index' to rebuild it"
            ) from exc

    def model_matches(self) -> bool:
        meta = self.collection.metadata or {}
        return meta.get("kc_model") == self.embedder.model_id and int(meta.get("kc_dim", -1)) == int(self.embedder.dim)

    def reset(self) -> None:
        """Drop every vector (the model changed): the next add re-embeds everything."""
        self.client.delete_collection(self.name)
        self.collection = self._open(create=True)

    def ids(self) -> set[str]:
        found: set[str] = set()
        total = self.collection.count()
        offset = 0
        while offset < total:
            batch = self.collection.get(include=[], limit=ADD_BATCH * 5, offset=offset)
            if not batch["ids"]:
                break
            found.update(batch["ids"])
            offset += len(batch["ids"])
        return found

    def add(self, chunks: list[Chunk], vectors: np.ndarray, encoder: str = "") -> None:
        """Store ``vectors`` (row i = chunk i); ``encoder`` (which runtime embedded them) goes into each record."""
        for start in range(0, len(chunks), ADD_BATCH):
            part = chunks[start : start + ADD_BATCH]
            self.collection.upsert(
                ids=[c.id for c in part],
                embeddings=np.asarray(vectors[start : start + ADD_BATCH], dtype=np.float32),
                metadatas=[{**_chroma_metadata(c), "kc_encoder": encoder} for c in part],
                documents=[c.text for c in part],
            )

    def vectors(self, ids: list[str], known: dict[str, np.ndarray] | None = None) -> np.ndarray:
        """Vectors in the order of ``ids`` (all must exist); those in ``known`` are not asked for."""
        found: dict[str, np.ndarray] = {i: known[i] for i in ids if i in known} if known else {}
        wanted = [i for i in ids if i not in found]
        for start in range(0, len(wanted), ADD_BATCH):
            batch = self.collection.get(ids=wanted[start : start + ADD_BATCH], include=["embeddings"])
            for cid, vector in zip(batch["ids"], batch["embeddings"]):
                found[cid] = np.asarray(vector, dtype=np.float32)
        missing = [i for i in ids if i not in found]
        if missing:
            raise SearchIndexError(f"Chroma collection {self.name!r} lost {len(missing)} vectors; run 'kc index' again")
        if not ids:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return np.stack([found[i] for i in ids])

    def delete(self, ids: list[str]) -> None:
        for start in range(0, len(ids), ADD_BATCH):
            self.collection.delete(ids=ids[start : start + ADD_BATCH])

    def query(self, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the ``n`` nearest vectors, best first."""
        count = self.collection.count()
        if count == 0:
            return []
        result = self.collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)], n_results=min(n, count), include=["distances"]
        )
        return [(cid, 1.0 - float(d)) for cid, d in zip(result["ids"][0], result["distances"][0])]


def open_for_query(settings, index_dir: Path, manifest: Manifest, embedder) -> ChromaVectors:
    """The server collection a manifest names, checked against the query model."""
    client = chroma_client(settings, index_dir)
    vectors = ChromaVectors.__new__(ChromaVectors)
    vectors.client, vectors.name, vectors.embedder, vectors.url = (
        client,
        manifest.collection,
        embedder,
        settings.chroma_url,
    )
    vectors.function = _embedding_function(embedder)
    vectors.collection = vectors._open(create=False)
    if not vectors.model_matches():
        meta = vectors.collection.metadata or {}
        raise SearchIndexError(
            f"Chroma collection {manifest.collection!r} at {settings.chroma_url} holds vectors of "
            f"{meta.get('kc_model')!r} ({meta.get('kc_dim')} dims), not {embedder.model_id!r} ({embedder.dim}); "
            f"run 'kc index --chroma-url {settings.chroma_url}' to rebuild it"
        )
    return vectors


def _chroma_metadata(chunk: Chunk) -> dict:
    """Chroma metadata values must be scalars: no None, no lists."""
    return {
        "kind": chunk.kind,
        "path": chunk.path or "",
        "symbol": chunk.symbol or "",
        "concept": chunk.concept or "",
        "title": chunk.title,
        "line_start": chunk.lines[0] if chunk.lines else 0,
        "line_end": chunk.lines[1] if chunk.lines else 0,
        "page": chunk.page,
    }


# ---- words-only index (no `kc index` yet) ----------------------------------------------

_WORDS_MEMO: dict[tuple[str, int, int], tuple[list[Chunk], LexicalIndex]] = {}


def words_only(corpus_dir: Path, index_dir: Path, corpus) -> tuple[list[Chunk], LexicalIndex]:
    """Chunks and BM25 of a corpus that has no search index: built once, then reused.

    In memory per process, keyed by the corpus path and core.json's mtime and size; on disk under
    ``<index_dir>/words/<corpus hash>/`` (derived data, ignored by git), so the next process loads
    it instead of chunking the corpus again. Only the newest hash is kept.
    """
    from compiler.index.chunk import chunk_corpus

    core = Path(corpus_dir) / "core.json"
    stat = core.stat() if core.is_file() else None
    key = (str(Path(corpus_dir).resolve()), stat.st_mtime_ns if stat else 0, stat.st_size if stat else 0)
    if key in _WORDS_MEMO:
        return _WORDS_MEMO[key]
    folder = Path(index_dir) / "words" / (corpus_hash(corpus_dir) or "none")
    found = None
    if (folder / "lexical" / "size").is_file() and (folder / "chunks.json").is_file():
        try:
            with open(folder / "chunks.json", encoding="utf-8") as handle:
                chunks = [Chunk.from_dict(c) for c in json.load(handle)]
            found = (chunks, LexicalIndex.load(folder / "lexical"))
        except (OSError, ValueError, KeyError, TypeError):
            found = None  # a damaged cache is rebuilt below
    if found is None:
        chunks = chunk_corpus(corpus)
        found = (chunks, LexicalIndex.build([c.lexical_text for c in chunks]))
        _save_words(folder, *found)
    if len(_WORDS_MEMO) > 8:
        _WORDS_MEMO.clear()
    _WORDS_MEMO[key] = found
    return found


def _save_words(folder: Path, chunks: list[Chunk], lexical: LexicalIndex) -> None:
    """Write the words-only cache atomically; a read-only place just means no cache."""
    staging = folder.parent / f".{folder.name}.{new_generation()}"
    try:
        staging.mkdir(parents=True, exist_ok=True)
        with open(staging / "chunks.json", "w", encoding="utf-8") as handle:
            json.dump([c.to_dict() for c in chunks], handle, ensure_ascii=False)
        lexical.save(staging / "lexical")
        for old in folder.parent.iterdir():
            if old.is_dir() and old.name != staging.name:
                shutil.rmtree(old, ignore_errors=True)
        os.replace(staging, folder)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
