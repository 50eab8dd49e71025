"""The ``kc`` command: argument parsing and printing only.

Each feature registers its own subcommands from a light ``commands`` module
(``register(subparsers)``), so ``kc --help`` imports nothing heavy and this file
holds no logic.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from compiler.errors import KcError

# Modules that each expose register(subparsers); each parser sets func=callable(args) -> int.
COMMAND_MODULES = (
    "compiler.commands",  # build, check
    "compiler.index.commands",  # index, search
    "compiler.tutor.commands",  # ask, tutor, learner
    "compiler.mcp_commands",  # mcp
    "compiler.backend.site_commands",  # site
)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kc",
        description="Knowledge Compiler: compile a codebase into a knowledge core, then search it, learn from it, serve it.",
    )
    parser.add_argument("--version", action="version", version=f"kc {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue  # feature not installed in this checkout
        module.register(sub)
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


if __name__ == "__main__":
    sys.exit(main())
