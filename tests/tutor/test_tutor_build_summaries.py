"""`kc build --llm anthropic|openai`: concept summaries from a model (a stub on 127.0.0.1), cached by content hash."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from compiler.build import build
from compiler.config import load_settings
from compiler.corpus import open_corpus

PYAPP = Path(__file__).parents[1] / "fixtures" / "repos" / "pyapp"


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
def test_build_summaries_come_from_the_model_once(provider, anthropic_stub, openai_stub, tmp_path, monkeypatch):
    stub = anthropic_stub if provider == "anthropic" else openai_stub
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    source = tmp_path / "pyapp"
    shutil.copytree(PYAPP, source)
    settings = load_settings(source, llm=provider, llm_base_url=stub.url, llm_model="stub-model")

    build(source, tmp_path / "corpus", settings=settings, index=False)
    concepts = open_corpus(tmp_path / "corpus").core.concepts
    asked = len(stub.posts())
    assert asked >= 1, "the model was asked for summaries"
    by_source = {c.id: c.summary_source for c in concepts}
    assert by_source["retries"] == "author", "an author's summary is never replaced"
    generated = [c for c in concepts if c.summary_source == "llm"]
    assert generated and all("plain completion" in c.summary for c in generated)

    build(source, tmp_path / "corpus", settings=settings, index=False, force=True)
    assert len(stub.posts()) == asked, "unchanged concepts are not summarized twice (content-hash cache)"
