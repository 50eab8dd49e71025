"""MCP server for coding agents: small, precise context from a compiled corpus.

    schema.py   limits, the tools' output models, ``Answer``, ``McpRequestError``
    paging.py   clipping and pagination of long answers and pages
    answers.py  one knowledge function per tool: ``CorpusView`` (or ``Service``) + arguments -> ``Answer``
    server.py   ``create_server()`` / ``serve()``: tools, resources and prompts on the SDK's ``MCPServer``
    stdio.py    the stdio transport that answers malformed JSON-RPC with JSON-RPC errors (``screen``)
    http.py     streamable HTTP behind the same screen (127.0.0.1 only)

All of it sits on ``compiler.service`` (live corpus, retriever, tutor backend). Importing this
package does not import the ``mcp`` SDK; ``server`` imports it inside its functions.
"""

from __future__ import annotations

from compiler.mcp.server import create_server, serve

__all__ = ["create_server", "serve"]
