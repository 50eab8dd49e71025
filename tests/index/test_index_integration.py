"""Real components: embedded Chroma, a real `chroma run` server, the bundled sentence-transformers model."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from compiler.config import index_dir
from compiler.errors import SearchIndexError
from compiler.index import index_corpus, store
from compiler.index.embed import HashEmbedder
from compiler.index.search import Searcher
from kctest.serve_process import stop

CHROMA = Path(sys.executable).with_name("chroma")
RETRY_QUESTION = "where does it decide whether to retry a failed connection?"


def test_embedded_chroma_holds_the_vectors_of_record(corpus_dir, settings, embedder):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    stats = index_corpus(corpus_dir, settings, embedder=embedder)
    manifest = store.read_manifest(index_dir(corpus_dir, settings))
    client = chromadb.PersistentClient(
        path=str(index_dir(corpus_dir, settings) / store.CHROMA_DIR),
        settings=ChromaSettings(anonymized_telemetry=False),
    )
    collection = client.get_collection(manifest.collection)
    assert collection.count() == stats.chunks
    assert collection.metadata["kc_model"] == "hash@64" and collection.metadata["kc_dim"] == 64
    record = collection.get(where={"symbol": "minihttp.transport.should_retry"}, include=["metadatas", "embeddings"])
    assert record["metadatas"][0]["path"] == "minihttp/transport.py"
    assert len(record["embeddings"][0]) == 64


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    """A real `chroma run` on 127.0.0.1, waited for by its heartbeat, killed afterwards."""
    import httpx

    assert CHROMA.exists(), f"{CHROMA} is missing: the chromadb package (the 'index' extra) installs it; run make setup"
    port = _free_port()
    log = open(tmp_path / "chroma.log", "w")
    process = subprocess.Popen(
        [str(CHROMA), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(tmp_path / "chroma-data")],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):  # at most ~60 s
            if process.poll() is not None:
                pytest.fail(f"chroma run exited early: {(tmp_path / 'chroma.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail("chroma run did not answer its heartbeat within 60 s")
        yield url
    finally:
        stop(process)
        log.close()


def test_shared_chroma_server(corpus_dir, settings, chroma_server):
    shared = replace(settings, chroma_url=chroma_server)
    first = index_corpus(corpus_dir, shared, embedder=HashEmbedder())
    assert first.embedded == first.chunks > 0
    assert not (index_dir(corpus_dir, shared) / store.CHROMA_DIR).exists()  # nothing embedded locally
    again = index_corpus(corpus_dir, shared, embedder=HashEmbedder())
    assert again.embedded == 0

    manifest = store.read_manifest(index_dir(corpus_dir, shared))
    assert manifest.store == "server" and manifest.chroma_url == chroma_server
    searcher = Searcher(corpus_dir, shared, embedder=HashEmbedder())
    assert searcher._state is None
    hits = searcher.search("decide whether a failed attempt is worth retrying", k=5)
    assert searcher._state.server is not None  # dense results came from the server
    assert hits[0].symbol == "minihttp.transport.should_retry"

    # Another model's query vectors cannot be compared with these: a clear error.
    with pytest.raises(SearchIndexError, match="kc index"):
        Searcher(corpus_dir, shared, embedder=HashEmbedder(dim=32)).search("retry")


def test_unreachable_chroma_server_is_a_clear_error(corpus_dir, settings):
    dead = replace(settings, chroma_url=f"http://127.0.0.1:{_free_port()}")
    with pytest.raises(SearchIndexError, match="Chroma server"):
        index_corpus(corpus_dir, dead, embedder=HashEmbedder())


@pytest.mark.slow
def test_bundled_model_end_to_end(corpus_dir, settings):
    """sentence-transformers indexes, the ONNX copy answers queries the same way, `kc search` finds should_retry."""
    from compiler.index.embed import OnnxEmbedder, SentenceTransformerEmbedder

    stats = index_corpus(corpus_dir, settings)
    assert stats.embedded == stats.chunks
    folder = index_dir(corpus_dir, settings)
    manifest = store.read_manifest(folder)
    assert manifest.model_id.startswith("all-MiniLM-L6-v2@") and manifest.dim == 384 and manifest.query_model

    reference = SentenceTransformerEmbedder()
    onnx = OnnxEmbedder(folder / manifest.query_model)
    texts = [RETRY_QUESTION, "how are settings layered?", "x", "a much longer question " * 60]
    cosine = np.sum(reference.embed_batch(texts) * onnx.embed_batch(texts), axis=1)
    assert cosine.min() >= 0.999, cosine

    result = subprocess.run(
        [sys.executable, "-m", "compiler.cli", "search", RETRY_QUESTION, "--corpus", str(corpus_dir), "--json", "-k", "5"],
        capture_output=True, text=True, timeout=120, env={**os.environ, "KC_INDEX_DIR": str(folder), "HF_HUB_OFFLINE": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert hits[0]["symbol"] == "minihttp.transport.should_retry"
    assert "no search index" not in result.stderr

    # the same model named explicitly is accepted; searching never imports torch (checked in a clean process)
    probe = (
        "import sys; from compiler.index.search import Searcher; from compiler.config import Settings;"
        f"h = Searcher({str(corpus_dir)!r}, Settings(index_dir={str(folder)!r})).search('backoff between attempts');"
        "print(h[0].path, 'torch' in sys.modules, 'sentence_transformers' in sys.modules, 'chromadb' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["minihttp/transport.py", "False", "False", "False"], out.stderr


def test_export_is_skipped_when_already_there(tmp_path):
    """The ONNX copy is written once per model; a second export reuses it."""
    from compiler.index import embed

    target = tmp_path / "m"
    target.mkdir()
    (target / embed.ONNX_FILE).write_bytes(b"onnx")
    (target / embed.MODEL_INFO_FILE).write_text(json.dumps({"model_id": "x@1"}))
    fake = type("E", (), {"model_id": "x@1"})()
    assert embed.export_onnx(fake, target) == target
    shutil.rmtree(target)
