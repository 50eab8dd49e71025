"""Indexing: incremental re-embedding, model checks, one writer at a time, atomic publishing."""

from __future__ import annotations

import threading

import pytest

from compiler.config import index_dir
from compiler.corpus import open_corpus
from compiler.errors import SearchIndexError
from compiler.index import index_corpus, store
from compiler.index.chunk import chunk_corpus
from compiler.index.embed import HashEmbedder
from compiler.index.search import Searcher
from kctest.corpus import render_corpus_to as write_corpus
from kctest.index_corpus import core_from_package


def rebuild(source_repo, corpus_dir):
    return write_corpus(core_from_package(source_repo, "minihttp"), corpus_dir)


def test_first_index_embeds_everything_then_nothing(corpus_dir, settings, embedder):
    stats = index_corpus(corpus_dir, settings, embedder=embedder)
    total = len(chunk_corpus(open_corpus(corpus_dir)))
    assert (stats.chunks, stats.embedded, stats.deleted) == (total, total, 0)
    assert embedder.embedded == total

    again = index_corpus(corpus_dir, settings, embedder=embedder)
    assert (again.chunks, again.embedded, again.deleted) == (total, 0, 0)
    assert embedder.embedded == total  # nothing was embedded the second time


def test_changing_one_file_reembeds_only_its_chunks(source_repo, corpus_dir, settings, embedder):
    index_corpus(corpus_dir, settings, embedder=embedder)
    before = {c.id: c for c in chunk_corpus(open_corpus(corpus_dir))}

    auth = source_repo / "minihttp" / "auth.py"
    text = auth.read_text()
    text = text.replace(
        "Return the request with credentials added.", "Return a copy of the request carrying the credentials."
    )
    auth.write_text(text)
    rebuild(source_repo, corpus_dir)
    after = {c.id: c for c in chunk_corpus(open_corpus(corpus_dir))}
    new_ids = set(after) - set(before)
    assert new_ids and {after[i].path for i in new_ids} == {"minihttp/auth.py"}

    counter = HashEmbedder(dim=64)
    stats = index_corpus(corpus_dir, settings, embedder=counter)
    assert counter.embedded == stats.embedded == len(new_ids)
    assert stats.deleted == len(set(before) - set(after))
    assert stats.chunks == len(after)

    hits = Searcher(corpus_dir, settings, embedder=counter).search("copy of the request carrying the credentials", k=3)
    assert hits[0].symbol == "minihttp.auth.Auth.apply"
    assert "carrying the credentials" in hits[0].text


def test_removed_symbols_leave_the_index(source_repo, corpus_dir, settings, embedder):
    index_corpus(corpus_dir, settings, embedder=embedder)
    (source_repo / "minihttp" / "cli.py").unlink()
    rebuild(source_repo, corpus_dir)
    stats = index_corpus(corpus_dir, settings, embedder=embedder)
    assert stats.deleted > 0 and stats.embedded >= 0
    snapshot = store.load_snapshot(index_dir(corpus_dir, settings))
    assert not any(c.path == "minihttp/cli.py" for c in snapshot.chunks)
    hits = Searcher(corpus_dir, settings, embedder=embedder).search("command line parser main", k=10)
    assert all(h.path != "minihttp/cli.py" for h in hits)


def test_search_with_another_model_is_a_clear_error(corpus_dir, settings):
    index_corpus(corpus_dir, settings, embedder=HashEmbedder(dim=64, name="model-a"))
    with pytest.raises(SearchIndexError, match="kc index") as error:
        Searcher(corpus_dir, settings, embedder=HashEmbedder(dim=64, name="model-b")).search("retry")
    assert "model-a@64" in str(error.value) and "model-b@64" in str(error.value)
    with pytest.raises(SearchIndexError, match="32 dims"):
        Searcher(corpus_dir, settings, embedder=HashEmbedder(dim=32, name="model-a")).search("retry")


def test_search_with_another_model_path_is_a_clear_error(corpus_dir, settings, tmp_path):
    index_corpus(corpus_dir, settings, embedder=HashEmbedder(dim=64))
    other = tmp_path / "other-model"
    other.mkdir()
    (other / "config.json").write_text('{"model_type": "bert"}')
    from dataclasses import replace

    with pytest.raises(SearchIndexError, match="run 'kc index'"):
        Searcher(corpus_dir, replace(settings, model_path=str(other))).search("retry")


def test_indexing_with_another_model_starts_over(corpus_dir, settings):
    first = index_corpus(corpus_dir, settings, embedder=HashEmbedder(dim=64, name="a"))
    second = index_corpus(corpus_dir, settings, embedder=HashEmbedder(dim=32, name="b"))
    assert second.embedded == first.chunks  # vectors of another model are never mixed in
    manifest = store.read_manifest(index_dir(corpus_dir, settings))
    assert (manifest.model_id, manifest.dim) == ("b@32", 32)


def test_no_index_falls_back_to_words_and_says_so_once(corpus_dir, settings, capsys):
    searcher = Searcher(corpus_dir, settings)
    hits = searcher.search("retry a failed connection")
    searcher.search("backoff delay")
    assert hits and hits[0].path == "minihttp/transport.py"
    assert capsys.readouterr().err.count("no search index") == 1


def test_stale_index_still_searches_the_current_corpus(source_repo, corpus_dir, settings, embedder, capsys):
    index_corpus(corpus_dir, settings, embedder=embedder)
    auth = source_repo / "minihttp" / "auth.py"
    auth.write_text(
        auth.read_text().replace("Return the request with credentials added.", "Stamp a zebra token on the request.")
    )
    rebuild(source_repo, corpus_dir)
    hits = Searcher(corpus_dir, settings, embedder=embedder).search("zebra token", k=3)
    assert "minihttp.auth.Auth.apply" in [h.symbol for h in hits]  # the changed chunk is found by its words
    assert "older than the corpus" in capsys.readouterr().err


def test_a_second_writer_waits_for_the_lock(corpus_dir, settings, embedder):
    from dataclasses import replace

    from filelock import FileLock

    folder = index_dir(corpus_dir, settings)
    folder.mkdir(parents=True, exist_ok=True)
    impatient = replace(settings, index_lock_timeout=0.2)
    with FileLock(str(folder / store.LOCK_FILE)):
        with pytest.raises(SearchIndexError, match="another 'kc index'"):
            index_corpus(corpus_dir, impatient, embedder=embedder)
    assert index_corpus(corpus_dir, impatient, embedder=embedder).embedded > 0


def test_readers_never_see_a_half_written_index(source_repo, tmp_path, settings):
    """A reader loading snapshots while a writer re-indexes two corpus versions in turn
    always gets one whole version: chunks, vectors and manifest agree."""
    corpus_dir = tmp_path / "corpus"
    auth = source_repo / "minihttp" / "auth.py"
    original = auth.read_text()
    changed = original.replace("Return the request with credentials added.", "Attach credentials.")
    auth.write_text(changed)
    ids_b = frozenset(c.id for c in chunk_corpus(open_corpus(rebuild(source_repo, tmp_path / "version-b"))))
    auth.write_text(original)
    ids_a = frozenset(c.id for c in chunk_corpus(open_corpus(rebuild(source_repo, corpus_dir))))
    assert ids_a != ids_b
    index_corpus(corpus_dir, settings, embedder=HashEmbedder())
    folder = index_dir(corpus_dir, settings)
    errors: list[BaseException] = []

    def writer():
        try:
            for round_ in range(6):
                auth.write_text(changed if round_ % 2 == 0 else original)
                rebuild(source_repo, corpus_dir)
                index_corpus(corpus_dir, settings, embedder=HashEmbedder())
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    seen = set()
    reads = 0
    while thread.is_alive() and reads < 5000:
        snapshot = store.load_snapshot(folder)
        reads += 1
        ids = [c.id for c in snapshot.chunks]
        assert len(ids) == snapshot.manifest.chunks == snapshot.vectors.shape[0] == snapshot.lexical.size
        seen.add(frozenset(ids))
    thread.join(timeout=120)
    assert not errors, errors
    assert reads > 0
    assert seen <= {ids_a, ids_b}  # only ever one whole version, never a mix


def test_words_only_search_is_built_once_and_reused(source_repo, corpus_dir, settings, monkeypatch):
    """No 'kc index' yet: the words-only index is cached on disk per core.json hash and in memory."""
    import compiler.index.chunk as chunk_module

    first = Searcher(corpus_dir, settings).search("copy of the request carrying the credentials", k=3)
    words = index_dir(corpus_dir, settings) / "words"
    assert [p.name for p in words.iterdir()] == [store.corpus_hash(corpus_dir)]
    assert not any(p.name == "words" for p in corpus_dir.iterdir())  # never inside the corpus

    def no_chunking(corpus):
        raise AssertionError("the corpus was chunked again")

    monkeypatch.setattr(chunk_module, "chunk_corpus", no_chunking)
    store._WORDS_MEMO.clear()  # a new process: only the disk cache is left
    again = Searcher(corpus_dir, settings).search("copy of the request carrying the credentials", k=3)
    assert [(h.symbol, h.path, h.lines) for h in again] == [(h.symbol, h.path, h.lines) for h in first]

    monkeypatch.undo()
    (source_repo / "minihttp" / "cli.py").unlink()
    rebuild(source_repo, corpus_dir)  # a new core.json: a new hash, the old cache goes
    Searcher(corpus_dir, settings).search("command line parser main", k=3)
    assert [p.name for p in words.iterdir()] == [store.corpus_hash(corpus_dir)]
