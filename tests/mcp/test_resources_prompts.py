"""Resources (llms.txt, concept and reference pages) and prompts through the in-memory client."""

from __future__ import annotations

import pytest
from mcp.shared.exceptions import MCPError

from kctest.mcp_process import run_with_client


def test_resources_list_llms_txt_and_every_concept_page(server):
    resources = run_with_client(server, lambda c: c.list_resources()).resources
    uris = {str(r.uri) for r in resources}
    assert {"kc://llms.txt", "kc://index", "kc://path"} <= uris
    assert {f"kc://concepts/{cid}" for cid in ("configuration", "requests", "errors", "retries", "client")} <= uris
    titled = {str(r.uri): r for r in resources}
    assert titled["kc://concepts/retries"].title == "Retries and backoff"
    templates = run_with_client(server, lambda c: c.list_resource_templates()).resource_templates
    assert {t.uri_template for t in templates} == {"kc://concepts/{id}{?page}", "kc://reference/{module}{?page}"}


def test_read_llms_txt_and_pages(server, corpus_dir):
    async def body(client):
        llms = await client.read_resource("kc://llms.txt")
        listed = await client.read_resource("kc://concepts/retries")
        templated = await client.read_resource("kc://concepts/retries?page=1")
        reference = await client.read_resource("kc://reference/minihttp.client")
        return llms, listed, templated, reference

    llms, listed, templated, reference = run_with_client(server, body)
    assert llms.contents[0].text == (corpus_dir / "llms.txt").read_text()
    page = (corpus_dir / "concepts" / "retries.md").read_text()
    assert listed.contents[0].text == page == templated.contents[0].text
    assert listed.contents[0].mime_type == "text/markdown"
    assert "# `minihttp.client`" in reference.contents[0].text


def test_unknown_resource_ids_are_clear_errors(server):
    async def body(client):
        errors = []
        for uri in (
            "kc://concepts/nope",
            "kc://reference/nope.module",
            "kc://concepts/retries?page=7",
            "kc://concepts/retries?page=two",
            "kc://nothing",
        ):
            with pytest.raises(MCPError) as info:
                await client.read_resource(uri)
            errors.append(str(info.value))
        return errors

    nope, module, page, word, nothing = run_with_client(server, body)
    assert "no concept page 'nope'" in nope and "retries" in nope
    assert "no reference page" in module and "minihttp.client" in module
    assert "page 7 does not exist" in page
    assert "whole number" in word
    assert "Unknown resource" in nothing


def test_long_pages_are_paginated(tmp_path):
    from compiler.mcp import create_server
    from compiler.mcp.schema import RESOURCE_PAGE_CHARS
    from kctest.mcp_corpus import write_corpus

    corpus = write_corpus(tmp_path / "corpus")
    long_page = "".join(f"line {i}: " + "word " * 30 + "\n" for i in range(3000))
    (corpus / "concepts" / "retries.md").write_text(long_page)
    server = create_server(corpus)

    async def body(client):
        pages, uri = [], "kc://concepts/retries"
        for number in range(1, 20):
            text = (await client.read_resource(f"{uri}?page={number}")).contents[0].text
            pages.append(text)
            if f"?page={number + 1}" not in text:
                break
        return pages

    pages = run_with_client(server, body)
    assert len(pages) > 1
    assert all(len(p) <= RESOURCE_PAGE_CHARS + 200 for p in pages)
    joined = "".join(p.split("\n\n<!-- kc: page")[0] for p in pages)
    assert joined == long_page


def test_prompts_onboard_and_explain_concept(server):
    async def body(client):
        listed = await client.list_prompts()
        onboard = await client.get_prompt("onboard")
        explain = await client.get_prompt("explain_concept", {"id": "retries"})
        return listed, onboard, explain

    listed, onboard, explain = run_with_client(server, body)
    prompts = {p.name: p for p in listed.prompts}
    assert set(prompts) == {"onboard", "explain_concept"}
    assert [a.name for a in prompts["explain_concept"].arguments] == ["id"]
    assert prompts["explain_concept"].arguments[0].required
    text = onboard.messages[0].content.text
    assert onboard.messages[0].role == "user"
    assert "Configuration" in text and "get_concept" in text and "minihttp.client.Client" in text
    explained = explain.messages[0].content.text
    assert "Retries and backoff" in explained and "minihttp/transport.py" in explained


def test_explain_concept_prompt_with_unknown_id_says_what_to_pass(server):
    async def body(client):
        with pytest.raises(MCPError) as info:
            await client.get_prompt("explain_concept", {"id": "../../etc/passwd"})
        return str(info.value)

    message = run_with_client(server, body)
    assert "no concept" in message and "retries" in message
