"""The index's freshness manifest: an unchanged corpus is not chunked, embedded or opened in Chroma again."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from compiler.build import build
from compiler.config import Settings
from compiler.index import index_corpus
from compiler.index import manifest as freshness
from compiler.index.embed import HashEmbedder

FIXTURES = Path(__file__).parents[1] / "fixtures" / "repos"


@pytest.fixture
def built(tmp_path):
    source = tmp_path / "pyapp"
    shutil.copytree(FIXTURES / "pyapp", source)
    out = tmp_path / "corpus"
    build(source, out, index=False)
    return source, out, Settings(index_dir=str(tmp_path / "index"))


def test_an_unchanged_corpus_costs_a_stat_and_a_compare(built, monkeypatch):
    source, out, settings = built
    first = index_corpus(out, settings, embedder=HashEmbedder(dim=32))
    assert first.embedded == first.chunks > 0
    import compiler.index.chunk as chunk_module

    def no_chunking(*args, **kwargs):
        raise AssertionError("an unchanged corpus was chunked again")

    monkeypatch.setattr(chunk_module, "chunk_corpus", no_chunking)
    embedder = HashEmbedder(dim=32)
    again = index_corpus(out, settings, embedder=embedder)
    assert (again.chunks, again.embedded, again.deleted, embedder.calls) == (first.chunks, 0, 0, 0)


def test_a_rebuilt_identical_corpus_is_still_fresh(built):
    source, out, settings = built
    index_corpus(out, settings, embedder=HashEmbedder(dim=32))
    build(source, out, index=False, force=True)  # same bytes, new inode
    assert freshness.fresh(out, Path(settings.index_dir), settings, HashEmbedder(dim=32)) is not None


def test_a_changed_corpus_another_model_or_a_lost_snapshot_reindexes(built):
    source, out, settings = built
    folder = Path(settings.index_dir)
    first = index_corpus(out, settings, embedder=HashEmbedder(dim=32))
    assert freshness.fresh(out, folder, settings, HashEmbedder(dim=16)) is None, "another model"
    assert freshness.fresh(out, folder, settings, None) is None, "the settings' model, not the one indexed with"
    (source / "minihttp" / "extra.py").write_text('"""Extra module."""\n\n\ndef extra_helper():\n    return 42\n')
    build(source, out, index=False)
    assert freshness.fresh(out, folder, settings, HashEmbedder(dim=32)) is None, "the corpus changed"
    second = index_corpus(out, settings, embedder=HashEmbedder(dim=32))
    assert 0 < second.embedded < second.chunks and second.chunks > first.chunks
    assert freshness.fresh(out, folder, settings, HashEmbedder(dim=32)) == second.chunks
    for snapshot in (folder / "snapshots").iterdir():
        shutil.rmtree(snapshot)
    assert freshness.fresh(out, folder, settings, HashEmbedder(dim=32)) is None, "the published snapshot is gone"


def test_the_fresh_check_loads_no_heavy_library(built, tmp_path):
    import subprocess

    source, out, settings = built
    index_corpus(out, settings, embedder=HashEmbedder(dim=32))
    probe = (
        "import sys; from pathlib import Path; from compiler.config import Settings; "
        "from compiler.index import manifest; from compiler.index.embed import HashEmbedder; "
        f"s = Settings(index_dir={settings.index_dir!r}); "
        f"assert manifest.fresh(Path({str(out)!r}), Path(s.index_dir), s, HashEmbedder(dim=32)) is not None; "
        "print(sorted(m for m in ('chromadb', 'torch', 'sentence_transformers', 'onnxruntime') if m in sys.modules))"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[2]
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
