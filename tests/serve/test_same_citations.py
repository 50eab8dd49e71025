"""One question, one set of citations: the REPL's session, MCP's explain and the web app agree (through the service)."""

from __future__ import annotations

import argparse
from pathlib import Path

import anyio
import httpx
import pytest

from kctest.serve_process import ask, running_app

QUESTIONS = ("how does retrying work with backoff?", "what does the client do when a connection fails?")


def _refs(citations) -> list[str]:
    return [f"{c['path']}:{c['start']}-{c['end']}" for c in citations]


def _repl_citations(corpus: Path, tmp_path: Path, question: str) -> list[str]:
    from compiler.cli.repl import answer_question, make_console
    from compiler.cli.tutor import open_session

    args = argparse.Namespace(
        corpus=str(corpus),
        learner="repl-reader",
        backend="offline",
        model=None,
        base_url=None,
        learner_db=str(tmp_path / "repl.sqlite3"),
    )
    session = open_session(args)
    with open(tmp_path / "repl-output.txt", "w", encoding="utf-8") as sink:
        answer = answer_question(session, question, make_console(file=sink), stream=False)
    return _refs(answer.to_dict()["citations"])


def _mcp_citations(corpus: Path, question: str) -> list[str]:
    from mcp import Client

    from compiler.mcp import create_server

    async def main():
        async with Client(create_server(corpus)) as client:
            return await client.call_tool("explain", {"question": question, "level": "intermediate"})

    result = anyio.run(main)
    return [f"{c['path']}:{c['lines'][0]}-{c['lines'][1]}" for c in result.structured_content["citations"]]


@pytest.mark.parametrize("question", QUESTIONS)
def test_repl_mcp_and_web_cite_the_same_lines(tiny_corpus, tmp_path, monkeypatch, question):
    from compiler.service import Service

    monkeypatch.setenv("KC_TUTOR_BACKEND", "offline")
    service = _refs(Service(tiny_corpus).explain(question).to_dict()["citations"])
    mcp = _mcp_citations(tiny_corpus, question)
    repl = _repl_citations(tiny_corpus, tmp_path, question)
    with running_app(tiny_corpus, tmp_path / "web") as url, httpx.Client(timeout=60) as http:
        events = ask(http, url, "web-reader", question)
    web = _refs(dict(events)["citations"]["citations"])
    assert service, "the question is answered with citations"
    assert mcp == service
    assert web == service
    assert repl == service
