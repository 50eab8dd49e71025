"""No response over ~20k tokens: long results are paginated, and the pages add up to the whole."""

from __future__ import annotations

from dataclasses import replace

import pytest

from compiler.model import Concept, Edge, Symbol
from kctest.mcp_corpus import make_core, write_corpus
from kctest.mcp_process import response_tokens, run_with_client, text_of

MEMBERS = 120
CALLERS = 700


@pytest.fixture
def big_server(tmp_path):
    from compiler.mcp import create_server

    core = make_core()
    body = "def handler():\n" + "".join(f"    step_{i} = compute({i}, 'some argument text')\n" for i in range(60))
    members = tuple(
        Symbol(
            id=f"big.mod.handler_{i:03d}",
            name=f"handler_{i:03d}",
            kind="function",
            path="big/mod.py",
            lines=(i * 10 + 1, i * 10 + 9),
            signature=f"def handler_{i:03d}(request, *, option=None) -> None",
            doc=("Handle one request. " * 80).strip(),
            excerpt=body,
            importance=0.2,
            concept="big",
        )
        for i in range(MEMBERS)
    )
    callers = tuple(
        Symbol(
            id=f"big.callers.caller_number_{i:04d}",
            name=f"caller_number_{i:04d}",
            kind="function",
            path="big/callers.py",
            lines=(i + 1, i + 1),
            signature="def caller()",
            importance=0.01,
        )
        for i in range(CALLERS)
    )
    edges = tuple(Edge(c.id, "big.mod.handler_000", "calls") for c in callers)
    big = Concept(
        "big",
        "A very big concept",
        "It has a great many members. " * 40,
        "generated",
        tuple(m.id for m in members),
        ("big/mod.py",),
        0.5,
        body="Long notes. " * 3000,
    )
    core = replace(
        core,
        symbols=core.symbols + members + callers,
        edges=core.edges + edges,
        concepts=core.concepts + (big,),
        learning_path=core.learning_path + ("big",),
        entry_points=core.entry_points + tuple(s.id for s in members + callers),
    )
    return create_server(write_corpus(tmp_path / "corpus", core))


def _pages(server, tool, arguments):
    async def body(client):
        results, page = [], 1
        while page is not None and len(results) < 100:
            result = await client.call_tool(tool, {**arguments, "page": page})
            assert not result.is_error, text_of(result)
            results.append(result)
            page = result.structured_content["paging"]["next_page"]
        return results

    return run_with_client(server, body)


def test_concept_code_is_paginated_and_complete(big_server):
    pages = _pages(big_server, "get_concept", {"id": "big", "detail": "code"})
    assert len(pages) > 1
    assert all(response_tokens(p) <= 20_000 for p in pages)
    assert {p.structured_content["paging"]["pages"] for p in pages} == {len(pages)}
    ids = [m["id"] for p in pages for m in p.structured_content["members"]]
    assert ids == [f"big.mod.handler_{i:03d}" for i in range(MEMBERS)]
    assert "page=2" in text_of(pages[0]), "the text block tells the model how to get the next page"


def test_every_detail_level_fits(big_server):
    for detail in ("brief", "summary", "full", "code"):
        result = run_with_client(big_server, lambda c: c.call_tool("get_concept", {"id": "big", "detail": detail}))
        assert not result.is_error and response_tokens(result) <= 20_000, detail


def test_callers_are_paginated_and_complete(big_server):
    pages = _pages(big_server, "get_symbol", {"name": "big.mod.handler_000"})
    assert len(pages) > 1 and all(response_tokens(p) <= 20_000 for p in pages)
    callers = [c for p in pages for c in p.structured_content["callers"]]
    assert len(callers) == len(set(callers)) == CALLERS == pages[0].structured_content["caller_count"]


def test_overview_and_search_fit_at_their_maximum(big_server):
    async def body(client):
        return [
            await client.call_tool("overview", {"max_tokens": 8000}),
            await client.call_tool("search", {"query": "handle request handler", "k": 25}),
        ]

    overview, search = run_with_client(big_server, body)
    assert overview.structured_content["truncated"] is True
    assert overview.structured_content["omitted_entry_points"] > 0
    assert len(text_of(overview)) / 4 <= 8000
    for result in (overview, search):
        assert not result.is_error and response_tokens(result) <= 20_000
