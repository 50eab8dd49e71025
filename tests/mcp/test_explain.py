"""The explain tool: the tutor's answer (offline backend), with citations that point into the corpus."""

from __future__ import annotations

import pytest

from kctest.mcp_process import run_with_client, text_of

pytest.importorskip("compiler.tutor.session")


def _explain(server, **arguments):
    return run_with_client(server, lambda c: c.call_tool("explain", arguments))


def test_explain_is_registered_with_a_level_enum(server):
    tools = {t.name: t for t in run_with_client(server, lambda c: c.list_tools()).tools}
    assert "explain" in tools
    assert tools["explain"].input_schema["properties"]["level"]["enum"] == ["novice", "intermediate", "expert"]


def test_explain_answers_with_checked_citations(server, corpus_dir):
    result = _explain(server, question="how does retrying work?", level="novice")
    assert not result.is_error, text_of(result)
    data = result.structured_content
    assert data["backend"] == "offline"
    assert "retries" in data["concepts"]
    assert "Retries and backoff" in data["answer"]
    files = {f.path: f.lines for f in server.kc_view.corpus.core.files}
    assert data["citations"]
    for citation in data["citations"]:
        start, end = citation["lines"]
        assert citation["path"] in files and 1 <= start <= end <= files[citation["path"]]
    assert "minihttp/transport.py:" in text_of(result)


def test_level_changes_the_answer(server):
    novice = _explain(server, question="how does retrying work?", level="novice").structured_content["answer"]
    expert = _explain(server, question="how does retrying work?", level="expert").structured_content["answer"]
    assert novice != expert


def test_explain_stays_offline_and_writes_nothing(tmp_path, corpus_dir, monkeypatch):
    from compiler.config import load_settings
    from compiler.mcp import create_server

    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test-not-a-real-key")
    learner_db = tmp_path / "learners.sqlite3"
    monkeypatch.setenv("KC_LEARNER_DB", str(learner_db))
    before = sorted(p.relative_to(corpus_dir) for p in corpus_dir.rglob("*"))
    server = create_server(corpus_dir, settings=load_settings())
    result = _explain(server, question="what is the Client facade?")
    assert result.structured_content["backend"] == "offline", "an API key alone must not send code to a model"
    assert not learner_db.exists()
    assert sorted(p.relative_to(corpus_dir) for p in corpus_dir.rglob("*")) == before


def test_blank_and_bad_level_are_clear_errors(server):
    blank = _explain(server, question="   ")
    assert blank.is_error and "blank" in text_of(blank)
    level = _explain(server, question="retry", level="guru")
    assert level.is_error and "novice" in text_of(level)
    assert not _explain(server, question="what is a Request?").is_error
