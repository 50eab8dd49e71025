"""Argument types shared by more than one command group (``kc mcp --port``, ``kc serve --port``).

In: the text of one command-line value. Out: the parsed value, or ``argparse.ArgumentTypeError`` with
a message that says what is wrong and what to pass.
"""

from __future__ import annotations

import argparse


def port_number(text: str) -> int:
    """A TCP port, 1-65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is out of range; pass 1-65535")
    return port
