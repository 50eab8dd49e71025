"""The stdio transport, with every request answered: malformed JSON-RPC gets a JSON-RPC error.

In: lines of bytes on stdin. Out: each well-formed message handed to the SDK's server loop
unchanged; each malformed one answered on stdout at once with a JSON-RPC error response:

* -32700 parse error: not UTF-8, not JSON;
* -32600 invalid request: not a JSON-RPC 2.0 object, a batch, a line over ``MAX_LINE_BYTES``,
  or a message the SDK's own schema rejects;
* -32602 invalid params: nesting deeper than ``MAX_DEPTH``, a number with more than
  ``MAX_NUMBER_DIGITS`` digits, a lone surrogate in a string.

The id of the request is echoed whenever it can be read (also from a line too deep to parse,
by a flat scan of its top level), else ``null``. The SDK's own stdio reader passes such lines
on as exceptions that the session drops, so a client waited for its timeout; here nothing
reaches the SDK that it cannot parse. While serving, fd 1 points at stderr so a stray print
cannot corrupt the wire, as the SDK's transport does.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO

import anyio

log = logging.getLogger("kc.mcp")

MAX_LINE_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64
MAX_NUMBER_DIGITS = 100
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
INVALID_PARAMS = -32602


@dataclass(frozen=True)
class Rejected:
    """Why a line is not passed on, and the JSON-RPC error response that answers it."""

    code: int
    message: str
    id: Any = None

    def response(self) -> str:
        return json.dumps({"jsonrpc": "2.0", "id": self.id, "error": {"code": self.code, "message": self.message}})


class _TooLong:
    """A number with too many digits, kept as a marker while the rest of the line is parsed."""


_TOO_LONG = _TooLong()


def _number(text: str) -> Any:
    return _TOO_LONG if len(text) > MAX_NUMBER_DIGITS else (float(text) if any(c in text for c in ".eE") else int(text))


def screen(line: bytes) -> str | Rejected | None:
    """The line as text when it may go to the SDK, a ``Rejected`` when it must be answered here, None when blank."""
    if len(line) > MAX_LINE_BYTES:
        return Rejected(INVALID_REQUEST, f"request larger than {MAX_LINE_BYTES} bytes")
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Rejected(PARSE_ERROR, f"parse error: not UTF-8 (byte {exc.start})")
    if not text.strip():
        return None
    try:
        message = json.loads(text, parse_int=_number, parse_float=_number, parse_constant=lambda _: _TOO_LONG)
    except RecursionError:
        return Rejected(INVALID_PARAMS, f"invalid params: nested deeper than {MAX_DEPTH} levels", _top_level_id(text))
    except ValueError as exc:
        return Rejected(PARSE_ERROR, f"parse error: {exc}")
    if not isinstance(message, dict):
        kind = "a batch (array)" if isinstance(message, list) else type(message).__name__
        return Rejected(INVALID_REQUEST, f"invalid request: a JSON-RPC message is an object, got {kind}")
    ident = message.get("id")
    if not (ident is None or isinstance(ident, str) or (isinstance(ident, int) and not isinstance(ident, bool))):
        return Rejected(INVALID_REQUEST, "invalid request: id must be a string or an integer")
    if message.get("jsonrpc") != "2.0":
        return Rejected(INVALID_REQUEST, 'invalid request: "jsonrpc" must be "2.0"', ident)
    problem = _problem(message, MAX_DEPTH)
    if problem:
        return Rejected(INVALID_PARAMS, f"invalid params: {problem}", ident)
    import mcp_types

    try:
        mcp_types.jsonrpc_message_adapter.validate_json(text, by_name=False)
    except ValueError as exc:
        first = exc.errors()[0] if hasattr(exc, "errors") and exc.errors() else {}
        return Rejected(INVALID_REQUEST, f"invalid request: {first.get('msg', 'not a JSON-RPC 2.0 message')}", ident)
    return text


def _problem(value: Any, depth: int) -> str:
    """What is wrong inside a parsed message ("" when nothing): too deep, too long a number, a lone surrogate."""
    stack = [(value, depth)]
    while stack:  # bounded: every node of a line of at most MAX_LINE_BYTES is visited once
        node, left = stack.pop()
        if node is _TOO_LONG:
            return f"a number with more than {MAX_NUMBER_DIGITS} digits (or NaN/Infinity)"
        if isinstance(node, str):
            if any("\ud800" <= c <= "\udfff" for c in node):
                return "a string holds a lone surrogate (not valid Unicode)"
            continue
        if isinstance(node, dict | list):
            if left <= 0:
                return f"nested deeper than {MAX_DEPTH} levels"
            items = node.items() if isinstance(node, dict) else enumerate(node)
            for key, item in items:
                stack.append((item, left - 1))
                if isinstance(key, str):
                    stack.append((key, left - 1))
    return ""


def _top_level_id(text: str) -> Any:
    """The ``"id"`` member of a JSON object's top level, read without parsing the nested values; None if absent."""
    decoder = json.JSONDecoder()
    depth, i, n = 0, 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            end = _string_end(text, i)
            if depth == 1 and text[i:end] == '"id"':
                j = end
                while j < n and text[j] in " \t\r\n":
                    j += 1
                if j < n and text[j] == ":":
                    j += 1
                    while j < n and text[j] in " \t\r\n":
                        j += 1
                    if j < n and (text[j] == '"' or text[j] == "-" or text[j].isdigit()):
                        try:
                            value, _ = decoder.raw_decode(text, j)
                        except ValueError:
                            return None
                        return (
                            value
                            if isinstance(value, str) or (isinstance(value, int) and len(str(value)) <= 20)
                            else None
                        )
            i = end
            continue
        if c in "{[":
            depth += 1
        elif c in "}]":
            depth -= 1
        i += 1
    return None


def _string_end(text: str, start: int) -> int:
    """Index just past the JSON string that opens at ``start``."""
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i + 1
        i += 1
    return len(text)


class _Writer:
    """Whole lines to the wire, one writer at a time (the SDK's replies and ours share it)."""

    def __init__(self, stream: BinaryIO) -> None:
        self._file = anyio.wrap_file(stream)
        self._lock = anyio.Lock()
        self._pending = ""

    async def write(self, text: str) -> None:
        self._pending += text

    async def flush(self) -> None:
        data, self._pending = self._pending, ""
        async with self._lock:
            await self._file.write(data.encode("utf-8", errors="replace"))
            await self._file.flush()

    async def send(self, line: str) -> None:
        async with self._lock:
            await self._file.write((line + "\n").encode("utf-8", errors="replace"))
            await self._file.flush()


async def _lines(stream: BinaryIO, out: _Writer) -> AsyncIterator[str]:
    """Screened lines of ``stream``; rejected ones are answered on ``out`` and not yielded."""

    def read(limit: int) -> Any:
        return anyio.to_thread.run_sync(stream.readline, limit, abandon_on_cancel=True)

    while True:
        line = await read(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while True:  # drop the rest of the oversized line
                rest = await read(MAX_LINE_BYTES)
                if not rest or rest.endswith(b"\n"):
                    break
        verdict = screen(line)
        if verdict is None:
            continue
        if isinstance(verdict, Rejected):
            log.info("answered a malformed request with %s", verdict.code)
            await out.send(verdict.response())
            continue
        yield verdict


@asynccontextmanager
async def _wire() -> AsyncIterator[tuple[BinaryIO, BinaryIO]]:
    """stdin and a private copy of stdout; fd 1 points at stderr meanwhile, and is restored after."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        with os.fdopen(os.dup(saved), "wb") as wire:
            yield sys.stdin.buffer, wire
    finally:
        os.dup2(saved, 1)
        os.close(saved)


async def run_stdio(server: Any, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
    """Run ``server`` (an SDK ``MCPServer``) over stdio, answering malformed requests itself."""
    from mcp.server.stdio import stdio_server

    async def serve(source: BinaryIO, sink: BinaryIO) -> None:
        out = _Writer(sink)
        async with stdio_server(stdin=_lines(source, out), stdout=out) as (read_stream, write_stream):
            lowlevel = server._lowlevel_server
            await lowlevel.run(read_stream, write_stream, lowlevel.create_initialization_options())

    if stdin is not None and stdout is not None:
        await serve(stdin, stdout)
        return
    async with _wire() as (source, sink):
        await serve(source, sink)
