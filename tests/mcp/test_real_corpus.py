"""The server over a corpus the real `kc build` wrote from tests/fixtures/repos/pyapp."""

from __future__ import annotations

import pytest

from kctest.corpus import REPO
from kctest.mcp_process import response_tokens, run_with_client, text_of

PYAPP = REPO / "tests" / "fixtures" / "repos" / "pyapp"


@pytest.fixture(scope="module")
def real_server(tmp_path_factory):
    from compiler.build import build
    from compiler.mcp import create_server

    out = tmp_path_factory.mktemp("real") / "corpus"
    build(PYAPP, out, index=False)
    return create_server(out, source=PYAPP)


def test_every_tool_answers_on_a_built_corpus(real_server):
    core = real_server.kc_view.corpus.core
    assert core.concepts, "the fixture repository has author concepts"

    async def body(client):
        results = {
            "overview": await client.call_tool("overview", {}),
            "status": await client.call_tool("corpus_status", {}),
            "search": await client.call_tool("search", {"query": "retry with backoff", "k": 5}),
            "path": await client.call_tool("learning_path", {"goal": core.learning_path[-1]}),
        }
        for concept in core.concepts:
            for detail in ("brief", "summary", "full", "code"):
                results[f"{concept.id}/{detail}"] = await client.call_tool(
                    "get_concept", {"id": concept.id, "detail": detail}
                )
        for symbol in core.entry_points[:10]:
            results[f"symbol {symbol}"] = await client.call_tool("get_symbol", {"name": symbol})
        for resource in (await client.list_resources()).resources:
            results[str(resource.uri)] = await client.read_resource(str(resource.uri))
        return results

    results = run_with_client(real_server, body)
    for name, result in results.items():
        if hasattr(result, "is_error"):
            assert not result.is_error, (name, text_of(result))
            assert response_tokens(result) <= 20_000, name
    assert [c["id"] for c in results["overview"].structured_content["concepts"]] == list(core.learning_path)
    status = results["status"].structured_content
    assert status["stale"] is False and status["source_path_origin"] == "--source"
    assert results["path"].structured_content["steps"][-1]["id"] == core.learning_path[-1]
    assert results["search"].structured_content["hits"]
    for concept in core.concepts:
        brief, summary = (len(text_of(results[f"{concept.id}/{d}"])) for d in ("brief", "summary"))
        full, code = (len(text_of(results[f"{concept.id}/{d}"])) for d in ("full", "code"))
        assert brief < summary <= full <= code, concept.id
    files = {f.path: f.lines for f in core.files}
    for name, result in results.items():
        if name.startswith("symbol "):
            data = result.structured_content
            assert data["path"] in files and 1 <= data["lines"][0] <= data["lines"][1] <= files[data["path"]]


def test_explain_cites_real_lines(real_server):
    result = run_with_client(
        real_server, lambda c: c.call_tool("explain", {"question": "how are failed requests retried?"})
    )
    assert not result.is_error, text_of(result)
    files = {f.path: f.lines for f in real_server.kc_view.corpus.core.files}
    citations = result.structured_content["citations"]
    assert citations
    for citation in citations:
        assert citation["path"] in files and citation["lines"][1] <= files[citation["path"]]
