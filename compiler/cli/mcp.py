"""``kc mcp``: argument wiring over ``compiler.mcp`` (imported only when the command runs)."""

from __future__ import annotations

import argparse

from compiler.cli.options import port_number

DEFAULT_PORT = 8765  # mirrors compiler.mcp.schema.DEFAULT_HTTP_PORT without importing it


def register(sub: argparse._SubParsersAction) -> None:
    mcp = sub.add_parser(
        "mcp",
        help="serve a corpus to coding agents over MCP (stdio by default)",
        description=(
            "Serve a compiled corpus to coding agents (Claude Code, Cursor, VS Code, Claude Desktop) over the "
            "Model Context Protocol. Read-only; reads nothing outside the corpus directory. With --http it "
            "listens on 127.0.0.1 only; set KC_MCP_TOKEN to require 'Authorization: Bearer <token>'."
        ),
    )
    mcp.add_argument("--corpus", default="corpus", help="corpus directory (default: ./corpus)")
    mcp.add_argument("--http", action="store_true", help="streamable HTTP on 127.0.0.1 instead of stdio")
    mcp.add_argument("--port", type=port_number, default=DEFAULT_PORT, help=f"HTTP port (default: {DEFAULT_PORT})")
    mcp.add_argument("--source", help="source tree, so corpus_status can say whether the corpus is stale")
    mcp.set_defaults(func=run_mcp)


def run_mcp(args: argparse.Namespace) -> int:
    from compiler.config import load_settings
    from compiler.mcp.server import serve

    settings = load_settings(args.source) if args.source else load_settings()
    serve(args.corpus, http=args.http, port=args.port, source=args.source, settings=settings)
    return 0
