"""Small re-indexes: the ONNX copy embeds the changed chunks (no torch), the rest come from the snapshot."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from compiler.config import index_dir
from compiler.corpus import open_corpus
from compiler.index import index_corpus, store
from compiler.index.chunk import chunk_corpus
from compiler.index.embed import HashEmbedder
from compiler.index.search import Searcher
from kctest.corpus import render_corpus_to as write_corpus
from kctest.index_corpus import core_from_package

NEW_DOC = ("Return the request with credentials added.", "Return a copy of the request carrying the credentials.")


def _edit_auth(source_repo, corpus_dir) -> None:
    """Change one docstring in one file and write the corpus again."""
    auth = source_repo / "minihttp" / "auth.py"
    auth.write_text(auth.read_text().replace(*NEW_DOC))
    write_corpus(core_from_package(source_repo, "minihttp"), corpus_dir)


def _stored_vectors(settings, corpus_dir) -> dict[str, np.ndarray]:
    """Every vector in the index's Chroma collection, by chunk id."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    folder = index_dir(corpus_dir, settings)
    client = chromadb.PersistentClient(
        path=str(folder / store.CHROMA_DIR), settings=ChromaSettings(anonymized_telemetry=False)
    )
    found = client.get_collection(store.read_manifest(folder).collection).get(include=["embeddings"])
    return {cid: np.asarray(vector, dtype=np.float32) for cid, vector in zip(found["ids"], found["embeddings"])}


def test_a_small_change_leaves_chroma_alone_and_the_next_large_one_catches_it_up(
    source_repo, corpus_dir, settings, embedder, monkeypatch
):
    import compiler.index as index_module

    index_corpus(corpus_dir, settings, embedder=embedder)
    _edit_auth(source_repo, corpus_dir)

    def no_chroma(*args, **kwargs):
        raise AssertionError("a small update opened Chroma")

    monkeypatch.setattr(store, "chroma_client", no_chroma)
    small = index_corpus(corpus_dir, settings, embedder=HashEmbedder(dim=64))
    assert 0 < small.embedded < small.chunks and small.deleted > 0 and small.encoder == "HashEmbedder"
    hits = Searcher(corpus_dir, settings, embedder=embedder).search("copy of the request carrying the credentials", k=3)
    assert hits[0].symbol == "minihttp.auth.Auth.apply"  # the index answers the changed text
    monkeypatch.undo()

    # Another change, treated as large: Chroma gets the first change's vectors from the snapshot
    # (nothing embedded twice) and loses the stale ones.
    auth = source_repo / "minihttp" / "auth.py"
    auth.write_text(auth.read_text().replace("carrying the credentials", "that carries the credentials"))
    write_corpus(core_from_package(source_repo, "minihttp"), corpus_dir)
    monkeypatch.setattr(index_module, "SMALL_UPDATE_CHUNKS", 0)
    counter = HashEmbedder(dim=64)
    large = index_corpus(corpus_dir, settings, embedder=counter)
    assert counter.embedded == large.embedded <= small.embedded

    snapshot = store.load_snapshot(index_dir(corpus_dir, settings))
    stored = _stored_vectors(settings, corpus_dir)
    assert sorted(stored) == sorted(c.id for c in snapshot.chunks)
    for row, chunk in enumerate(snapshot.chunks):
        np.testing.assert_allclose(snapshot.vectors[row], stored[chunk.id], atol=1e-6)


def test_a_moved_corpus_reuses_the_published_vectors(corpus_dir, settings, embedder, tmp_path):
    first = index_corpus(corpus_dir, settings, embedder=embedder)
    moved = tmp_path / "moved"
    shutil.copytree(corpus_dir, moved)
    counter = HashEmbedder(dim=64)
    again = index_corpus(moved, settings, embedder=counter)  # another Chroma collection, the same chunks
    assert (again.chunks, again.embedded, counter.embedded) == (first.chunks, 0, 0)
    assert len(_stored_vectors(settings, moved)) == first.chunks


@pytest.mark.slow
def test_a_small_reindex_embeds_with_the_onnx_copy_as_sentence_transformers_would(source_repo, corpus_dir, settings):
    """Cold: sentence-transformers (and the ONNX export). One file changed: the ONNX copy, in a process
    that never imports torch, and its vectors match sentence-transformers' for every chunk."""
    from compiler.index.embed import OnnxEmbedder, SentenceTransformerEmbedder

    cold = index_corpus(corpus_dir, settings)
    assert cold.encoder == "sentence-transformers"
    folder = index_dir(corpus_dir, settings)
    query_model = store.read_manifest(folder).query_model
    assert query_model

    _edit_auth(source_repo, corpus_dir)
    probe = (
        "import json, sys; from compiler.index import index_corpus; from compiler.config import Settings;"
        f"s = index_corpus({str(corpus_dir)!r}, Settings(index_dir={str(folder)!r}));"
        "print(json.dumps([s.encoder, s.embedded, s.chunks, 'torch' in sys.modules]))"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, env={**os.environ, "HF_HUB_OFFLINE": "1"}
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    encoder, embedded, chunks, torch_loaded = json.loads(run.stdout.splitlines()[-1])
    assert (encoder, torch_loaded) == ("onnx", False) and 0 < embedded < chunks
    manifest = store.read_manifest(folder)
    assert manifest.query_model == query_model and manifest.model_id == SentenceTransformerEmbedder().model_id

    # The index answers the changed text.
    hits = Searcher(corpus_dir, settings).search("copy of the request carrying the credentials", k=3)
    assert any(h.symbol == "minihttp.auth.Auth.apply" and "carrying the credentials" in h.text for h in hits)

    # Every chunk: the ONNX copy and sentence-transformers agree, and so do the published vectors.
    texts = [c.embed_text for c in chunk_corpus(open_corpus(corpus_dir))]
    reference = SentenceTransformerEmbedder().embed_batch(texts)
    cosine = np.sum(reference * OnnxEmbedder(folder / query_model).embed_batch(texts), axis=1)
    assert cosine.min() >= 0.9999, cosine.min()
    snapshot = store.load_snapshot(folder)
    position = {c.id: row for row, c in enumerate(snapshot.chunks)}
    published = snapshot.vectors[[position[c.id] for c in chunk_corpus(open_corpus(corpus_dir))]]
    assert np.sum(reference * published, axis=1).min() >= 0.9999
