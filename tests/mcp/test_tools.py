"""Every tool through the SDK's in-memory client: schemas, text block, structured content."""

from __future__ import annotations

import re

from kctest.mcp_process import response_tokens, run_with_client, text_of

EXPECTED_TOOLS = {"search", "get_concept", "get_symbol", "learning_path", "overview", "corpus_status"}


def test_tools_are_listed_with_schemas_and_read_only_hints(server):
    tools = run_with_client(server, lambda c: c.list_tools()).tools
    by_name = {t.name: t for t in tools}
    assert EXPECTED_TOOLS <= set(by_name)
    for tool in tools:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", tool.name), tool.name
        assert len(tool.description) > 60, f"{tool.name}: a description an agent can act on"
        assert tool.output_schema and tool.output_schema.get("type") == "object", tool.name
        assert tool.annotations.read_only_hint is True and tool.annotations.destructive_hint is False
    search_k = by_name["search"].input_schema["properties"]["k"]
    assert (search_k["minimum"], search_k["maximum"]) == (1, 25)
    assert by_name["search"].input_schema["properties"]["query"]["minLength"] == 1
    assert by_name["get_concept"].input_schema["properties"]["detail"]["enum"] == ["brief", "summary", "full", "code"]


def test_search_returns_contract_hits(call):
    result = call("search", query="retry backoff", k=3)
    assert not result.is_error
    hits = result.structured_content["hits"]
    assert 1 <= len(hits) <= 3
    for rank, hit in enumerate(hits, 1):
        assert {"rank", "score", "path", "symbol", "lines", "concept", "title", "snippet"} <= set(hit)
        assert hit["rank"] == rank
    assert any(h["concept"] == "retries" for h in hits)
    assert "retries" in text_of(result) or "Retries" in text_of(result)


def test_get_concept_grows_with_detail_level(call):
    sizes = {}
    for detail in ("brief", "summary", "full", "code"):
        result = call("get_concept", id="retries", detail=detail)
        assert not result.is_error, text_of(result)
        data = result.structured_content
        assert data["id"] == "retries" and data["detail"] == detail
        assert [p["id"] for p in data["prerequisites"]] == ["configuration", "requests"]
        sizes[detail] = len(text_of(result)) // 4
    assert sizes["brief"] < sizes["summary"] < sizes["full"] < sizes["code"], sizes
    code = call("get_concept", id="retries", detail="code")
    assert "def should_retry" in text_of(code)
    members = {m["id"]: m for m in code.structured_content["members"]}
    assert members["minihttp.transport.should_retry"]["excerpt"].startswith("def should_retry")
    assert members["minihttp.transport.should_retry"]["location"] == "minihttp/transport.py:16-28"
    full = call("get_concept", id="retries", detail="full")
    assert "429/502/503/504" in text_of(full), "full carries the author's notes"
    assert all(m["excerpt"] is None for m in full.structured_content["members"])


def test_get_concept_accepts_a_title(call):
    result = call("get_concept", id="Retries and backoff", detail="brief")
    assert result.structured_content["id"] == "retries"


def test_get_symbol_gives_signature_location_callers_callees(call):
    result = call("get_symbol", name="Transport.send")
    data = result.structured_content
    assert data["id"] == "minihttp.transport.Transport.send"
    assert data["signature"] == "def send(self, request: Request) -> Response"
    assert data["doc"] == "Send with retries."
    assert data["location"] == "minihttp/transport.py:47-60"
    assert data["callers"] == ["minihttp.client.Client.send"]
    assert data["callees"] == ["minihttp.transport.backoff_delay", "minihttp.transport.should_retry"]
    assert data["concept"] == {"id": "retries", "title": "Retries and backoff"}
    text = text_of(result)
    assert "minihttp/transport.py:47-60" in text and "minihttp.client.Client.send" in text


def test_get_symbol_lists_methods_of_a_class(call):
    data = call("get_symbol", name="minihttp.client.Client").structured_content
    assert data["children"] == ["minihttp.client.Client.get", "minihttp.client.Client.send"]


def test_learning_path_orders_prerequisites_and_skips_known(call):
    result = call("learning_path", goal="client")
    steps = [s["id"] for s in result.structured_content["steps"]]
    assert steps[-1] == "client"
    assert set(steps) == {"configuration", "requests", "retries", "client"}
    assert steps.index("configuration") < steps.index("retries") and steps.index("requests") < steps.index("retries")
    assert "errors" not in steps, "related is not a prerequisite"

    known = call("learning_path", goal="client", known=["requests"]).structured_content
    assert [s["id"] for s in known["steps"]] == ["configuration", "retries", "client"]
    assert known["skipped_known"] == ["requests"]

    # Knowing retries implies its foundations: only the goal is left.
    assert [s["id"] for s in call("learning_path", goal="client", known=["retries"]).structured_content["steps"]] == [
        "client"
    ]


def test_overview_lists_concepts_in_learning_order_and_entry_points(call):
    result = call("overview")
    data = result.structured_content
    assert [c["id"] for c in data["concepts"]] == ["configuration", "requests", "errors", "retries", "client"]
    assert [e["id"] for e in data["entry_points"]] == ["minihttp.client.Client"]
    assert data["truncated"] is False
    assert "minihttp is a tiny HTTP client" in text_of(result)


def test_overview_stays_within_max_tokens(call):
    for budget in (200, 300, 1500):
        result = call("overview", max_tokens=budget)
        assert len(text_of(result)) / 4 <= budget, budget
        assert result.structured_content["tokens"] <= budget
    small = call("overview", max_tokens=200).structured_content
    big = call("overview", max_tokens=1500).structured_content
    assert sum(1 for c in small["concepts"] if c["summary"]) <= sum(1 for c in big["concepts"] if c["summary"])


def test_corpus_status_reports_build_time_and_its_origin(call, corpus_dir):
    data = call("corpus_status").structured_content
    assert data["name"] == "minihttp" and data["commit"] == "0123456789abcdef"
    assert data["built_at_source"] == "core.json mtime"
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", data["built_at"])
    assert data["stale"] is None and "--source" in data["stale_note"]
    assert data["counts"]["concepts"] == 5


def test_corpus_status_prefers_a_build_time_from_the_report(corpus_dir):
    import json

    from compiler.mcp import create_server

    (corpus_dir / "build-report.json").write_text(json.dumps({"built_at": "2024-01-02T03:04:05+00:00"}))
    server = create_server(corpus_dir)
    data = run_with_client(server, lambda c: c.call_tool("corpus_status", {})).structured_content
    assert (data["built_at"], data["built_at_source"]) == ("2024-01-02T03:04:05+00:00", "build-report.json")


def test_every_tool_answer_stays_under_the_response_cap(call):
    calls = [
        ("overview", {"max_tokens": 8000}),
        ("search", {"query": "client request retry", "k": 25}),
        ("get_concept", {"id": "retries", "detail": "code"}),
        ("get_symbol", {"name": "Transport"}),
        ("learning_path", {"goal": "client"}),
        ("corpus_status", {}),
    ]
    for tool, arguments in calls:
        result = call(tool, **arguments)
        assert not result.is_error, (tool, text_of(result))
        assert response_tokens(result) <= 20_000


def test_search_falls_back_to_words_when_the_index_is_unusable(corpus_dir, tmp_path):
    from dataclasses import replace

    from compiler.config import load_settings
    from compiler.mcp import create_server

    broken = tmp_path / "index"
    broken.mkdir()
    (broken / "manifest.json").write_text("{not json")
    server = create_server(corpus_dir, settings=replace(load_settings(), index_dir=str(broken)))
    result = run_with_client(server, lambda c: c.call_tool("search", {"query": "backoff delay", "k": 3}))
    assert not result.is_error, text_of(result)
    data = result.structured_content
    assert data["backend"].startswith("lexical (index unusable")
    assert data["hits"] and data["hits"][0]["concept"] == "retries"
    assert data["hits"][0]["path"] == "minihttp/transport.py"


def test_a_rebuilt_corpus_is_picked_up_without_a_restart(corpus_dir, monkeypatch):
    import os
    from dataclasses import replace

    from compiler import service
    from compiler.mcp import create_server
    from compiler.model import Concept
    from kctest.mcp_corpus import make_core, write_corpus

    monkeypatch.setattr(service, "RELOAD_CHECK_SECONDS", 0.0)
    server = create_server(corpus_dir)
    before = run_with_client(server, lambda c: c.call_tool("get_concept", {"id": "auth"}))
    assert before.is_error

    core = make_core()
    auth = Concept("auth", "Authentication", "Strategies that sign a request.", "author", (), (), 0.4)
    write_corpus(
        corpus_dir, replace(core, concepts=core.concepts + (auth,), learning_path=core.learning_path + ("auth",))
    )
    stat = (corpus_dir / "core.json").stat()
    os.utime(corpus_dir / "core.json", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))

    async def body(client):
        concept = await client.call_tool("get_concept", {"id": "auth", "detail": "brief"})
        page = await client.read_resource("kc://concepts/auth")
        return concept, page

    concept, page = run_with_client(server, body)
    assert not concept.is_error and concept.structured_content["title"] == "Authentication"
    assert "# Authentication" in page.contents[0].text


def test_learning_path_takes_a_free_text_goal(call):
    """A goal in the learner's words, not a concept id, is resolved by search to the concept it is about."""
    data = call("learning_path", goal="tune the backoff between retries").structured_content
    assert data["goal"]["id"] == "retries"
    steps = [s["id"] for s in data["steps"]]
    assert steps[-1] == "retries" and "configuration" in steps and "client" not in steps
