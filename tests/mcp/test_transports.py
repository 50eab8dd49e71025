"""`kc mcp` as a real process: stdio with the SDK's stdio client, and streamable HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import anyio
import httpx
import pytest

from kctest.corpus import REPO
from kctest.mcp_process import kc_command, malformed_call, malformed_requests, text_of
from kctest.serve_process import free_port, stop

STARTUP_SECONDS = 30


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "KC_MCP_TOKEN"}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


@pytest.mark.parametrize("mode", ["auto", "legacy"])  # legacy: the initialize handshake today's agents use
def test_stdio_session_with_the_sdk_stdio_client(corpus_dir: Path, mode: str):
    from mcp import Client, StdioServerParameters

    command = kc_command()
    params = StdioServerParameters(
        command=command[0], args=[*command[1:], "mcp", "--corpus", str(corpus_dir)], env=_env(), cwd=str(REPO)
    )

    async def main():
        with anyio.fail_after(60):
            async with Client(params, mode=mode) as client:
                tools = {t.name for t in (await client.list_tools()).tools}
                concept = await client.call_tool("get_concept", {"id": "retries", "detail": "brief"})
                bad = await client.call_tool("get_concept", {"id": "../../etc/passwd"})
                after = await client.call_tool("get_symbol", {"name": "Transport.send"})
                llms = await client.read_resource("kc://llms.txt")
                return tools, concept, bad, after, llms

    tools, concept, bad, after, llms = anyio.run(main)
    assert {"search", "get_concept", "get_symbol", "learning_path", "overview", "corpus_status"} <= tools
    assert concept.structured_content["id"] == "retries"
    assert bad.is_error and "no concept" in text_of(bad)
    assert after.structured_content["callers"] == ["minihttp.client.Client.send"]
    assert llms.contents[0].text.startswith("# minihttp")


@contextmanager
def http_server(corpus_dir: Path, **env: str):
    """`kc mcp --http --port P` as a subprocess; yields the port once it accepts connections."""
    port = free_port()
    command = [*kc_command(), "mcp", "--corpus", str(corpus_dir), "--http", "--port", str(port)]
    process = subprocess.Popen(
        command, env=_env(**env), cwd=str(REPO), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                raise AssertionError(f"kc mcp --http exited early: {process.stderr.read().decode()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"kc mcp --http did not listen on {port} within {STARTUP_SECONDS}s") from None
                time.sleep(0.1)
        yield port
    finally:
        stop(process)
        process.stderr.close()


INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "0"}},
}
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


async def _session(url: str, headers: dict[str, str] | None = None):
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    with anyio.fail_after(60):
        async with httpx2.AsyncClient(headers=headers or {}, timeout=30) as http:
            async with Client(streamable_http_client(url, http_client=http)) as client:
                tools = {t.name for t in (await client.list_tools()).tools}
                overview = await client.call_tool("overview", {"max_tokens": 500})
                return tools, overview


def test_http_session_and_host_check(corpus_dir: Path):
    with http_server(corpus_dir) as port:
        url = f"http://127.0.0.1:{port}/mcp"
        tools, overview = anyio.run(_session, url)
        assert "get_symbol" in tools
        assert not overview.is_error and overview.structured_content["name"] == "minihttp"

        # DNS rebinding: a request naming another host is refused before it reaches the server.
        rebound = httpx.post(url, json=INITIALIZE, headers={**HEADERS, "Host": f"evil.example:{port}"}, timeout=10)
        assert rebound.status_code == 421
        foreign_origin = httpx.post(
            url, json=INITIALIZE, headers={**HEADERS, "Origin": "http://evil.example"}, timeout=10
        )
        assert foreign_origin.status_code == 403
        good = httpx.post(url, json=INITIALIZE, headers={**HEADERS, "Host": f"localhost:{port}"}, timeout=10)
        assert good.status_code == 200


def test_http_bearer_token_is_enforced_when_set(corpus_dir: Path):
    token = "s3cret-token-for-tests"
    with http_server(corpus_dir, KC_MCP_TOKEN=token) as port:
        url = f"http://127.0.0.1:{port}/mcp"
        missing = httpx.post(url, json=INITIALIZE, headers=HEADERS, timeout=10)
        assert missing.status_code == 401
        wrong = httpx.post(url, json=INITIALIZE, headers={**HEADERS, "Authorization": "Bearer nope"}, timeout=10)
        assert wrong.status_code == 401
        tools, overview = anyio.run(_session, url, {"Authorization": f"Bearer {token}"})
        assert "search" in tools and not overview.is_error


def test_every_malformed_http_request_gets_a_json_rpc_error_and_the_server_lives(corpus_dir: Path):
    with http_server(corpus_dir) as port:
        url = f"http://127.0.0.1:{port}/mcp"
        started = httpx.post(url, json=INITIALIZE, headers=HEADERS, timeout=30)
        session = {**HEADERS, "mcp-session-id": started.headers["mcp-session-id"], "mcp-protocol-version": "2025-06-18"}
        httpx.post(url, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=session, timeout=30)
        for line, code, ident in malformed_requests(100):  # bounded: one round of 14
            reply = httpx.post(url, content=line, headers=session, timeout=30)
            body = reply.json() if reply.headers.get("content-type", "").startswith("application/json") else None
            if body is None:  # answered by the SDK on its event stream
                data = [row[5:] for row in reply.text.splitlines() if row.startswith("data:")]
                body = json.loads(data[0]) if data else {}
            assert body.get("error", {}).get("code") == code, (line[:80], reply.status_code, reply.text[:300])
            assert body.get("id") == ident, (line[:80], body)
        alive = httpx.post(url, content=malformed_call(7, '{"query":"retry","k":3}'), headers=session, timeout=30)
        assert alive.status_code == 200 and '"id":7' in alive.text and '"isError":true' not in alive.text
