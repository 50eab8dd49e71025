"""The index over corpora that `kc build` really wrote (Python and JavaScript fixture repos)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from compiler.config import Settings
from compiler.corpus import open_corpus
from compiler.index import index_corpus
from compiler.index.chunk import chunk_corpus
from compiler.index.embed import HashEmbedder
from compiler.index.search import Searcher

REPOS = Path(__file__).resolve().parents[1] / "fixtures" / "repos"


@pytest.mark.parametrize("name", ["pyapp", "jsapp"])
def test_every_reference_entry_of_a_built_corpus_is_a_chunk(compiled, name):
    corpus = open_corpus(compiled(name))
    chunks = chunk_corpus(corpus)
    entries = {c.symbol for c in chunks if c.kind not in {"concept", "module", "doc"}}
    documented = {s.id for s in corpus.core.symbols if s.kind != "module"}
    assert entries == documented
    for chunk in chunks:
        assert chunk.path is None or chunk.path in corpus.files or chunk.kind == "doc", chunk
        if chunk.kind not in {"concept", "doc"} and chunk.lines:
            assert corpus.valid_range(chunk.path, *chunk.lines), chunk
    assert {c.concept for c in chunks if c.kind == "concept"} == set(corpus.concepts)


def test_author_concept_leads_to_the_code_it_explains(compiled, tmp_path):
    """CONCEPTS.md says retries are decided by should_retry: a plain-words question lands there."""
    corpus = compiled("pyapp")
    settings = Settings(index_dir=str(tmp_path / "index"))
    embedder = HashEmbedder()
    index_corpus(corpus, settings, embedder=embedder)
    hits = Searcher(corpus, settings, embedder=embedder).search(
        "where does it decide whether to retry a failed connection?", k=5
    )
    assert hits[0].path == "minihttp/transport.py"
    assert "minihttp.transport.should_retry" in [h.symbol for h in hits[:3]]


def test_rebuilding_after_one_file_changed_reembeds_only_that_file(tmp_path):
    from compiler.build import build

    source = tmp_path / "pyapp"
    shutil.copytree(REPOS / "pyapp", source)
    corpus = tmp_path / "corpus"
    build(source, corpus, index=False)
    settings = Settings(index_dir=str(tmp_path / "index"))
    first = index_corpus(corpus, settings, embedder=HashEmbedder())
    before = {c.id for c in chunk_corpus(open_corpus(corpus))}

    auth = source / "minihttp" / "auth.py"
    auth.write_text(
        auth.read_text()
        + '\n\ndef token_from_env(name: str) -> str:\n    """Read a bearer token from the environment."""\n    return name\n'
    )
    build(source, corpus, index=False)
    after = chunk_corpus(open_corpus(corpus))
    changed = [c for c in after if c.id not in before]

    counter = HashEmbedder()
    stats = index_corpus(corpus, settings, embedder=counter)
    assert counter.embedded == stats.embedded == len(changed) > 0
    assert stats.embedded < first.chunks / 4
    assert {c.path for c in changed if c.kind != "concept"} == {"minihttp/auth.py"}
    hits = Searcher(corpus, settings, embedder=counter).search("read a bearer token from the environment", k=3)
    assert hits[0].symbol == "minihttp.auth.token_from_env"


@pytest.mark.parametrize("name", ["goapp", "broken", "secrets"])
def test_any_built_corpus_indexes_and_searches(compiled, name, tmp_path):
    corpus = compiled(name)
    settings = Settings(index_dir=str(tmp_path / "index"))
    stats = index_corpus(corpus, settings, embedder=HashEmbedder())
    assert stats.chunks == len(chunk_corpus(open_corpus(corpus)))
    hits = Searcher(corpus, settings, embedder=HashEmbedder()).search("main entry point configuration", k=5)
    assert all(hit.path and not hit.path.startswith("/") for hit in hits)


def test_no_planted_secret_reaches_the_index(compiled, tmp_path):
    """The index reads the (redacted) corpus only: no planted secret in any file it writes."""
    corpus = compiled("secrets")
    settings = Settings(index_dir=str(tmp_path / "index"))
    index_corpus(corpus, settings, embedder=HashEmbedder())
    planted = [
        line.strip() for line in (REPOS / "secrets.planted.txt").read_text().splitlines() if len(line.strip()) >= 12
    ]
    assert planted
    for file in (tmp_path / "index").rglob("*"):
        if file.is_file():
            data = file.read_bytes()
            leaked = [secret for secret in planted if secret.encode() in data]
            assert not leaked, f"{file} holds a planted secret"
