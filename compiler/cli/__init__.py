"""The ``kc`` command line: one module per command group, imported statically.

In: ``argv``. Out: an exit code, with results printed. Each group module exposes ``register(subparsers)``
and sets ``func=handler(args) -> int`` on its parsers; handlers import the heavy libraries (torch,
chromadb, mcp, mkdocs) inside their bodies, so ``kc --help`` and ``kc check`` stay instant.
"""

from __future__ import annotations

import argparse
import sys

from compiler.cli import build, mcp, search, serve, site, tutor
from compiler.errors import KcError

# The command groups, in the order ``kc --help`` lists them.
GROUPS = (build, search, tutor, mcp, site, serve)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kc",
        description="Knowledge Compiler: compile a codebase into a knowledge core, then search it, learn from it, serve it.",
    )
    parser.add_argument("--version", action="version", version=f"kc {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in GROUPS:
        group.register(sub)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("knowledge-compiler")
    except PackageNotFoundError:
        return "dev"


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KcError as exc:
        print(f"kc: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("kc: interrupted", file=sys.stderr)
        return 130
