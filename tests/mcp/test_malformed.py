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
from kctest.mcp_process import kc_command, malformed_call, malformed_requests

REPLY_SECONDS = 30


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
        for line, code, ident in malformed_requests(1000 * (round_number + 1)):
            stdio_server.send(line)
            reply = stdio_server.reply()
            assert reply.get("error", {}).get("code") == code, (line[:80], reply)
            assert reply["id"] == ident, (line[:80], reply)
            answered += 1
    assert answered == rounds * 14
    stdio_server.send(malformed_call(7, '{"query":"retry backoff","k":3}'))
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
