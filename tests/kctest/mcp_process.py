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
