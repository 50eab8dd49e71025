"""Every request on the stdio transport gets an answer: malformed JSON-RPC gets a JSON-RPC error, never silence."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
from pathlib import Path

import pytest

from kctest.corpus import REPO
from kctest.mcp_process import kc_command

REPLY_SECONDS = 30


def _deep(levels: int) -> str:
    return "[" * levels + "1" + "]" * levels


def _call(ident: int, arguments: str, name: str = "search") -> bytes:
    return (
        f'{{"jsonrpc":"2.0","method":"tools/call","params":{{"name":"{name}","arguments":{arguments}}},"id":{ident}}}'
    ).encode()


def _cases(base: int) -> list[tuple[bytes, int, int | None]]:
    """(line, expected error code, expected id) for one round of malformed requests, ids from ``base``."""
    return [
        (b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":', -32700, None),  # cut short
        (b'\xff\xfe{"jsonrpc":"2.0"}', -32700, None),  # not UTF-8
        (b"not json at all", -32700, None),
        (b"[1, 2]", -32600, None),  # a batch
        (b"42", -32600, None),
        (f'{{"jsonrpc":"1.0","id":{base},"method":"ping"}}'.encode(), -32600, base),
        (_call(base + 1, '{"query":' + _deep(300) + "}"), -32602, base + 1),  # deep, still parseable
        (_call(base + 2, '{"query":' + _deep(5000) + "}"), -32602, base + 2),  # too deep to parse at all
        (_call(base + 3, '{"query":"\\ud800 lone surrogate"}'), -32602, base + 3),
        (_call(base + 4, '{"query":"retry","k":' + "9" * 5000 + "}"), -32602, base + 4),
        (b'{"jsonrpc":"2.0","id":{"an":"object"},"method":"ping"}', -32600, None),
        (f'{{"jsonrpc":"2.0","id":{base + 5}}}'.encode(), -32600, base + 5),  # neither request nor response
        (
            f'{{"jsonrpc":"2.0","id":{base + 6},"method":"prompts/get","params":{{"name":"nope"}}}}'.encode(),
            -32602,
            base + 6,
        ),
        (f'{{"jsonrpc":"2.0","id":{base + 7},"method":"kc/no-such-method"}}'.encode(), -32601, base + 7),
    ]


class _Server:
    """`kc mcp` over stdio with a reader thread, so every read has a timeout."""

    def __init__(self, corpus_dir: Path) -> None:
        env = {k: v for k, v in os.environ.items() if k != "KC_MCP_TOKEN"}
        env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
        self.process = subprocess.Popen(
            [*kc_command(), "mcp", "--corpus", str(corpus_dir)],
            cwd=str(REPO),
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.replies: queue.Queue[dict] = queue.Queue()
        self.stderr: list[bytes] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=lambda: self.stderr.extend(self.process.stderr), daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.replies.put(json.loads(line))

    def send(self, line: bytes) -> None:
        self.process.stdin.write(line + b"\n")
        self.process.stdin.flush()

    def reply(self) -> dict:
        try:
            return self.replies.get(timeout=REPLY_SECONDS)
        except queue.Empty:
            raise AssertionError(
                f"no reply within {REPLY_SECONDS} s; stderr: {b''.join(self.stderr)[-2000:]!r}"
            ) from None

    def close(self) -> str:
        self.process.stdin.close()
        self.process.wait(timeout=30)
        return b"".join(self.stderr).decode("utf-8", "replace")


@pytest.fixture
def stdio_server(corpus_dir: Path):
    server = _Server(corpus_dir)
    server.send(
        json.dumps(
            {
                "jsonrpc": "2.0",
                "id": 0,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-06-18",
                    "capabilities": {},
                    "clientInfo": {"name": "test", "version": "0"},
                },
            }
        ).encode()
    )
    assert server.reply()["id"] == 0
    server.send(b'{"jsonrpc":"2.0","method":"notifications/initialized"}')
    yield server
    if server.process.poll() is None:
        server.process.kill()


def test_every_malformed_request_gets_a_json_rpc_error_and_the_server_lives(stdio_server):
    rounds = 5
    answered = 0
    for round_number in range(rounds):  # bounded: 5 rounds of 14 malformed requests
        for line, code, ident in _cases(1000 * (round_number + 1)):
            stdio_server.send(line)
            reply = stdio_server.reply()
            assert reply.get("error", {}).get("code") == code, (line[:80], reply)
            assert reply["id"] == ident, (line[:80], reply)
            answered += 1
    assert answered == rounds * 14
    stdio_server.send(_call(7, '{"query":"retry backoff","k":3}'))
    alive = stdio_server.reply()
    assert alive["id"] == 7 and not alive["result"].get("isError"), alive
    stderr = stdio_server.close()
    assert "Traceback" not in stderr, stderr[-3000:]


def test_screen_passes_a_good_request_unchanged():
    from compiler.mcp.stdio import Rejected, screen

    good = b'{"jsonrpc":"2.0","id":"a","method":"tools/list"}\n'
    assert screen(good) == good.decode()
    assert screen(b"   \n") is None
    oversized = screen(b'{"jsonrpc":"2.0","id":3,"method":"ping","params":{"x":"' + b"a" * (4 * 1024 * 1024) + b'"}}')
    assert isinstance(oversized, Rejected) and oversized.code == -32600
