"""Search over a corpus: chunk it, embed it, index it, query it.

Stages (each a module):

* ``chunk``    corpus pages + core.json -> ``Chunk`` list (ids are content hashes)
* ``embed``    texts -> unit vectors (sentence-transformers for many chunks, its ONNX copy for queries and updates)
* ``lexical``  identifier-aware tokens -> BM25 (bm25s)
* ``store``    Chroma (vectors of record) + published snapshots (numpy mirror, BM25, chunks)
* ``question`` the question -> what it asks for besides its words (tests or not, onboarding, "how do I", "what is")
* ``search``   dense + lexical -> reciprocal rank fusion -> concept-map boosts -> diversified hits

``index_corpus`` is the writer (``kc index``, and ``kc build`` unless ``--no-index``);
``search.Searcher`` is the reader (``kc search``, the tutor, the MCP server).

Once an index holds the model's ONNX copy (written by the first, sentence-transformers run),
updates of up to ``ONNX_MAX_CHUNKS`` new chunks embed with it: no torch. A small update (a file
or two changed) costs no Chroma either: every other vector comes from the published snapshot,
and an embedded Chroma catches up from the snapshot the next time a large update opens it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from compiler.config import Settings, index_dir, load_settings
from compiler.errors import SearchIndexError

Progress = Callable[[str, int, int], None]
EMBED_BLOCK = 512  # chunks per progress report; each block is one batched encode call
# A small update: up to this many new chunks leave an embedded Chroma to catch up later (opening it
# costs more than embedding them).
SMALL_UPDATE_CHUNKS = 200
# Up to this many new chunks are embedded by the model's ONNX copy (when the index has one). Measured on
# 2,000 flask chunks, 2 cores: the copy 69 chunks/s, sentence-transformers 77/s after a 2.9 s import
# (far more on a busy machine), so torch pays off only beyond about 2,000.
ONNX_MAX_CHUNKS = 2000


@dataclass(frozen=True)
class IndexStats:
    """What one ``index_corpus`` run did."""

    chunks: int  # chunks in the published index
    embedded: int  # chunks embedded this run (new or changed)
    deleted: int  # stale chunks removed from the vector store
    seconds: float
    encoder: str = ""  # what embedded them: "sentence-transformers", "onnx" (its ONNX copy); "" when none


def index_corpus(
    corpus_dir, settings: Settings | None = None, progress: Progress | None = None, *, embedder=None
) -> IndexStats:
    """Bring the search index of ``corpus_dir`` up to date; embed only new or changed chunks.

    Args:
        corpus_dir: a corpus written by ``kc build``.
        settings: model path, Chroma server URL, index folder; environment defaults when None.
        progress: called as ``progress(stage, done, total)``.
        embedder: an ``Embedder`` to use instead of sentence-transformers (tests, benchmarks).
    """
    from compiler.index import manifest as freshness

    started = time.perf_counter()
    settings = settings or load_settings()
    report = progress or (lambda stage, done, total: None)
    corpus_dir = Path(corpus_dir)
    folder = index_dir(corpus_dir, settings)
    if (published := freshness.fresh(corpus_dir, folder, settings, embedder)) is not None:
        return IndexStats(chunks=published, embedded=0, deleted=0, seconds=time.perf_counter() - started)
    import numpy as np
    from filelock import FileLock, Timeout

    from compiler.corpus import open_corpus
    from compiler.index import store
    from compiler.index.chunk import chunk_corpus
    from compiler.index.lexical import LexicalIndex

    corpus = open_corpus(corpus_dir)
    asked_for, core_state = embedder, freshness.core_state(corpus_dir)
    folder.mkdir(parents=True, exist_ok=True)

    lock = FileLock(str(folder / store.LOCK_FILE))
    try:
        lock.acquire(timeout=settings.index_lock_timeout)
    except Timeout:
        raise SearchIndexError(f"{folder}: another 'kc index' holds the lock; wait for it to finish") from None
    try:
        fingerprint = store.corpus_hash(corpus_dir)
        chunks = chunk_corpus(corpus)
        report("chunk", len(chunks), len(chunks))

        known = store.published_vectors(folder, asked_for.model_id if asked_for else _model_id(settings))
        new = [c for c in chunks if c.id not in known]
        embedder = asked_for or _embedder(settings, folder, len(new))
        name = store.collection_name(corpus_dir, corpus.core.source.name, settings)
        current = {c.id for c in chunks}
        if known and len(new) <= SMALL_UPDATE_CHUNKS and not settings.chroma_url:
            # A small change to an embedded store: the published snapshot holds every other vector and is
            # what search reads, so Chroma (an import that costs more than the update) catches up later.
            vectors_store, stored, missing = None, set(known), new
        else:
            vectors_store = store.ChromaVectors(
                store.chroma_client(settings, folder), name, embedder, url=settings.chroma_url
            )
            if not vectors_store.model_matches():
                vectors_store.reset()  # vectors of another model are useless: start over
            stored = vectors_store.ids()
            missing = [c for c in chunks if c.id not in stored]
            if reused := [c for c in missing if c.id in known]:  # published, not yet in Chroma: catch up
                vectors_store.add(reused, np.stack([known[c.id] for c in reused]), "published")
        # Longest first, so each encode call pads its batches to similar lengths, as one
        # sentence-transformers call over everything would.
        fresh = sorted((c for c in missing if c.id not in known), key=lambda c: -len(c.embed_text))
        for start in range(0, len(fresh), EMBED_BLOCK):
            block = fresh[start : start + EMBED_BLOCK]
            embedded = embedder.embed_batch([c.embed_text for c in block])
            if vectors_store is not None:
                vectors_store.add(block, embedded, encoder_name(embedder))
            known.update(zip((c.id for c in block), embedded))
            report("embed", min(start + EMBED_BLOCK, len(fresh)), len(fresh))
        if vectors_store is not None:
            vectors = vectors_store.vectors([c.id for c in chunks], known)  # Chroma is asked only for the others
        else:
            vectors = np.stack([known[c.id] for c in chunks])  # known is not empty, so neither are chunks

        lexical = LexicalIndex.build([c.lexical_text for c in chunks])
        report("lexical", len(chunks), len(chunks))

        query_model = _query_model(embedder, folder, report)
        manifest = store.Manifest(
            format=store.INDEX_FORMAT,
            generation=store.new_generation(),
            model_id=embedder.model_id,
            dim=int(embedder.dim),
            chunks=len(chunks),
            corpus_hash=fingerprint,
            store="server" if settings.chroma_url else "embedded",
            collection=name,
            chroma_url=settings.chroma_url,
            query_model=query_model,
        )
        freshness.forget(folder)
        store.publish_snapshot(folder, manifest, chunks, vectors, lexical)
        stale = sorted(stored - current)
        if vectors_store is not None:
            vectors_store.delete(stale)  # only now: readers of the old generation had them until the switch
        store.prune_snapshots(folder)
        freshness.record(
            folder,
            settings,
            asked_for,
            core=core_state,
            generation=manifest.generation,
            manifest=store.MANIFEST_FILE,
            snapshot=f"{store.SNAPSHOTS}/{manifest.generation}",
            chunk_ids=[c.id for c in chunks],
        )
        report("publish", len(chunks), len(chunks))
    finally:
        lock.release()
    return IndexStats(
        chunks=len(chunks),
        embedded=len(fresh),
        deleted=len(stale),
        seconds=time.perf_counter() - started,
        encoder=encoder_name(embedder) if fresh else "",
    )


def encoder_name(embedder) -> str:
    """Which runtime embeds: "sentence-transformers", "onnx" (the same model's ONNX copy), or a fake's name."""
    return getattr(embedder, "encoder", type(embedder).__name__)


def _model_id(settings: Settings) -> str:
    from compiler.index.embed import model_identity, resolve_model_path

    return model_identity(resolve_model_path(settings.model_path))


def _embedder(settings: Settings, folder: Path, new_chunks: int):
    """The settings' model for ``new_chunks`` chunks: its ONNX copy in this index when there is one and
    the batch is not large (no torch import; vectors match, cosine >= 0.9999), else sentence-transformers
    (which also writes that copy)."""
    from compiler.index import embed, store

    if new_chunks <= ONNX_MAX_CHUNKS and (light := embed.onnx_copy(settings.model_path, folder / store.MODELS)):
        return light
    return embed.SentenceTransformerEmbedder(settings.model_path)


def _query_model(embedder, folder: Path, report: Progress) -> str:
    """Export (or reuse) the ONNX copy queries are embedded with; "" when not possible."""
    from compiler.index.embed import OnnxEmbedder, SentenceTransformerEmbedder, export_onnx, onnx_folder_name
    from compiler.index.store import MODELS

    if isinstance(embedder, OnnxEmbedder):  # the copy itself embedded this run's chunks
        return f"{MODELS}/{embedder.folder.name}"
    if not isinstance(embedder, SentenceTransformerEmbedder):
        return ""
    slug = onnx_folder_name(embedder.model_id)
    target = folder / MODELS / slug
    exported = export_onnx(embedder, target)
    report("export", 1, 1)
    return f"{MODELS}/{slug}" if exported else ""


def with_overrides(settings: Settings | None, **overrides) -> Settings:
    """``settings`` (or environment defaults) with the non-empty ``overrides`` applied."""
    base = settings or load_settings()
    return replace(base, **{k: v for k, v in overrides.items() if v})


__all__ = ["IndexStats", "index_corpus", "with_overrides"]
