"""Fixtures for the MCP server tests: a hand-built corpus, the server, a tool caller."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kctest.mcp_corpus import write_corpus
from kctest.mcp_process import run_with_client


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus")


@pytest.fixture
def server(corpus_dir: Path):
    from compiler.mcp import create_server

    return create_server(corpus_dir)


@pytest.fixture
def call(server):
    """call(tool, **arguments) -> CallToolResult, one in-memory session per call."""

    def _call(tool: str, **arguments: Any):
        return run_with_client(server, lambda client: client.call_tool(tool, arguments))

    return _call
