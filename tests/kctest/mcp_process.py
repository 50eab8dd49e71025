"""Helpers shared by the MCP tests."""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio


def run_with_client(server: Any, body: Callable[[Any], Awaitable[Any]]) -> Any:
    """Run ``body(client)`` against ``server`` through the SDK's in-memory client."""
    from mcp import Client

    async def main():
        async with Client(server) as client:
            return await body(client)

    return anyio.run(main)


def text_of(result: Any) -> str:
    return "".join(block.text for block in result.content if getattr(block, "type", "") == "text")


def response_tokens(result: Any) -> int:
    """Estimated tokens of a whole tool response: text blocks plus structured content."""
    structured = json.dumps(result.structured_content) if result.structured_content is not None else ""
    return (len(text_of(result)) + len(structured) + 3) // 4


def kc_command() -> list[str]:
    """How to start ``kc`` from the venv this test runs in."""
    kc = Path(sys.executable).with_name("kc")
    return [str(kc)] if kc.is_file() else [sys.executable, "-m", "compiler.cli"]


def _deep(levels: int) -> str:
    return "[" * levels + "1" + "]" * levels


def malformed_call(ident: int, arguments: str, name: str = "search") -> bytes:
    return (
        f'{{"jsonrpc":"2.0","method":"tools/call","params":{{"name":"{name}","arguments":{arguments}}},"id":{ident}}}'
    ).encode()


def malformed_requests(base: int) -> list[tuple[bytes, int, int | None]]:
    """(line, expected JSON-RPC error code, expected id) for one round of 14 malformed requests, ids from ``base``:
    the same answers are due over stdio and over HTTP."""
    return [
        (b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":', -32700, None),  # cut short
        (b'\xff\xfe{"jsonrpc":"2.0"}', -32700, None),  # not UTF-8
        (b"not json at all", -32700, None),
        (b"[1, 2]", -32600, None),  # a batch
        (b"42", -32600, None),
        (f'{{"jsonrpc":"1.0","id":{base},"method":"ping"}}'.encode(), -32600, base),
        (malformed_call(base + 1, '{"query":' + _deep(300) + "}"), -32602, base + 1),  # deep, still parseable
        (malformed_call(base + 2, '{"query":' + _deep(5000) + "}"), -32602, base + 2),  # too deep to parse at all
        (malformed_call(base + 3, '{"query":"\\ud800 lone surrogate"}'), -32602, base + 3),
        (malformed_call(base + 4, '{"query":"retry","k":' + "9" * 5000 + "}"), -32602, base + 4),
        (b'{"jsonrpc":"2.0","id":{"an":"object"},"method":"ping"}', -32600, None),
        (f'{{"jsonrpc":"2.0","id":{base + 5}}}'.encode(), -32600, base + 5),  # neither request nor response
        (
            f'{{"jsonrpc":"2.0","id":{base + 6},"method":"prompts/get","params":{{"name":"nope"}}}}'.encode(),
            -32602,
            base + 6,
        ),
        (f'{{"jsonrpc":"2.0","id":{base + 7},"method":"kc/no-such-method"}}'.encode(), -32601, base + 7),
    ]
