"""Bad input gets a clear error that says what to pass, and the session keeps serving afterwards."""

from __future__ import annotations

import pytest

from kctest.mcp_corpus import SECRET_OUTSIDE
from kctest.mcp_process import run_with_client, text_of

BAD_CALLS = [
    # (tool, arguments, words the error must contain)
    ("get_concept", {"id": "no-such-concept"}, ["no concept", "retries"]),
    ("get_concept", {"id": "../../etc/passwd"}, ["no concept", "concept id"]),
    ("get_concept", {"id": "../outside.md"}, ["no concept"]),
    ("get_concept", {"id": "/etc/passwd", "detail": "code"}, ["no concept"]),
    ("get_concept", {"id": "retries", "detail": "everything"}, ["detail", "brief", "code"]),
    ("get_concept", {"id": "retries", "page": 99}, ["page 99", "1 page"]),
    ("get_concept", {"id": 42}, ["id", "string"]),
    ("get_concept", {}, ["id", "required"]),
    ("get_symbol", {"name": "nope.Nothing"}, ["no symbol", "dotted name"]),
    ("get_symbol", {"name": "send"}, ["ambiguous", "minihttp.client.Client.send", "minihttp.transport.Transport.send"]),
    ("get_symbol", {"name": "../../../etc/passwd"}, ["no symbol"]),
    ("get_symbol", {"name": ["a", "list"]}, ["name", "string"]),
    ("search", {"query": ""}, ["query", "at least 1 character"]),
    ("search", {"query": "   "}, ["blank"]),
    ("search", {"query": "x" * 50_000}, ["query", "at most 2000 characters"]),
    ("search", {"query": "retry", "k": 0}, ["k", "greater than or equal to 1"]),
    ("search", {"query": "retry", "k": 1000}, ["k", "less than or equal to 25"]),
    ("search", {"query": "retry", "k": "many"}, ["k", "integer"]),
    ("learning_path", {"goal": "nowhere"}, ["no concept", "client"]),
    ("learning_path", {"goal": "client", "known": ["retries", "bogus"]}, ["unknown concept", "bogus"]),
    ("learning_path", {"goal": "client", "known": "retries"}, ["known", "list"]),
    ("overview", {"max_tokens": 10}, ["max_tokens", "200"]),
    ("overview", {"max_tokens": 10_000_000}, ["max_tokens", "8000"]),
    ("corpus_status", {"page": 0}, ["page"]),
]


@pytest.mark.parametrize("tool,arguments,words", BAD_CALLS, ids=[f"{t}-{i}" for i, (t, _, _) in enumerate(BAD_CALLS)])
def test_bad_input_is_a_clear_tool_error(call, tool, arguments, words):
    result = call(tool, **arguments)
    assert result.is_error
    message = text_of(result)
    for word in words:
        assert word.lower() in message.lower(), (word, message)
    assert "Traceback" not in message
    assert SECRET_OUTSIDE not in message


def test_validation_errors_name_the_argument_and_what_to_pass(call):
    message = text_of(call("search", query="retry", k=1000))
    assert message.startswith("invalid arguments for search")
    assert "Pass: search(query: string" in message and "k: integer (minimum=1, maximum=25) = 8" in message


def test_session_keeps_serving_after_errors(server):
    async def body(client):
        for tool, arguments, _ in BAD_CALLS:
            assert (await client.call_tool(tool, arguments)).is_error
        unknown = await client.call_tool("delete_everything", {})
        assert unknown.is_error and "delete_everything" in text_of(unknown)
        return await client.call_tool("get_concept", {"id": "retries", "detail": "brief"})

    result = run_with_client(server, body)
    assert not result.is_error and result.structured_content["id"] == "retries"


def test_ids_are_never_joined_into_paths(tmp_path, corpus_dir):
    """A concept id that matches a file name outside the corpus still reads nothing from outside."""
    from compiler.mcp import create_server

    (corpus_dir.parent / "concepts").mkdir()
    (corpus_dir.parent / "concepts" / "evil.md").write_text(SECRET_OUTSIDE)
    server = create_server(corpus_dir)

    async def body(client):
        texts = []
        for uri in (
            "kc://concepts/..%2F..%2Fconcepts%2Fevil",
            "kc://concepts/../../concepts/evil",
            "kc://concepts/evil",
            "kc://reference/..%2Foutside",
            "kc://concepts/%2Fetc%2Fpasswd",
        ):
            try:
                texts.append(str(await client.read_resource(uri)))
            except Exception as exc:  # the SDK raises MCPError for an unreadable resource
                texts.append(str(exc))
        result = await client.call_tool("get_concept", {"id": "../concepts/evil", "detail": "code"})
        texts.append(text_of(result))
        return texts

    for text in run_with_client(server, body):
        assert SECRET_OUTSIDE not in text
        assert "root:" not in text


def test_symlinked_page_out_of_the_corpus_is_not_served(tmp_path, corpus_dir):
    from compiler.mcp import create_server

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "leak.md").write_text(SECRET_OUTSIDE)
    (corpus_dir / "linked").symlink_to(outside, target_is_directory=True)
    (corpus_dir / "concepts" / "client.md").unlink()
    (corpus_dir / "concepts" / "client.md").symlink_to(outside / "leak.md")
    server = create_server(corpus_dir)
    view = server.kc_view
    assert not any(SECRET_OUTSIDE in view.page_text(rel) for rel in view.pages)
    assert not any(rel.startswith("linked/") for rel in view.pages)
    assert "client" not in view.concept_pages

    async def body(client):
        try:
            return str(await client.read_resource("kc://concepts/client"))
        except Exception as exc:
            return str(exc)

    assert SECRET_OUTSIDE not in run_with_client(server, body)


def test_a_missing_corpus_is_a_clear_error(tmp_path):
    from compiler.errors import CorpusError
    from compiler.mcp import create_server

    with pytest.raises(CorpusError, match="kc build"):
        create_server(tmp_path / "nothing-here")
