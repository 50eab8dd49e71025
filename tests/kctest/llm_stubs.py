"""Stub LLM servers on 127.0.0.1 for the backend tests: the Anthropic Messages API and OpenAI chat completions.

Each server records every request (path, headers, JSON body) and answers according to
``behaviour``: "ok", "429", "500" or "slow" (sleeps past the client's timeout). The
Messages API stub speaks the real server-sent-event sequence (message_start,
content_block_start/delta/stop with text_delta and citations_delta, message_delta,
message_stop, and a ping) so the official SDK parses it as it would the real API.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SLOW_SECONDS = 2.0  # how long "slow" sleeps; tests set client timeouts well below it


class StubServer:
    """A threaded HTTP server with a recorded request log; use as a context manager."""

    def __init__(self, respond: Callable[[StubServer, dict[str, Any]], tuple[int, dict[str, str], Any]]) -> None:
        self.respond = respond
        self.requests: list[dict[str, Any]] = []
        self.behaviour = "ok"
        self.completion = "SUMMARY: plain completion"  # the reply to a plain completion (no documents)
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def _handle(self, method: str) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = None
                request = {
                    "method": method,
                    "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body,
                }
                stub.requests.append(request)
                status, headers, payload = stub.respond(stub, request)
                try:
                    if callable(payload):  # a generator of SSE chunks
                        self.send_response(status)
                        for key, value in headers.items():
                            self.send_header(key, value)
                        self.send_header("Transfer-Encoding", "chunked")
                        self.end_headers()
                        for chunk in payload():
                            data = chunk.encode("utf-8")
                            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                            self.wfile.flush()
                        self.wfile.write(b"0\r\n\r\n")
                        self.wfile.flush()
                        return
                    data = json.dumps(payload).encode("utf-8")
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                self._handle("POST")

            def do_GET(self) -> None:  # noqa: N802
                self._handle("GET")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> StubServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def posts(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] == "POST"]


def _error_or_none(stub: StubServer, kind: str) -> tuple[int, dict[str, str], Any] | None:
    if stub.behaviour == "429":
        return (
            429,
            {"retry-after-ms": "10"},
            {"type": "error", "error": {"type": "rate_limit_error", "message": "Rate limited"}}
            if kind == "anthropic"
            else {"error": {"message": "Rate limited", "type": "rate_limit"}},
        )
    if stub.behaviour == "500":
        return (
            500,
            {"retry-after-ms": "10"},
            {"type": "error", "error": {"type": "api_error", "message": "Internal error"}}
            if kind == "anthropic"
            else {"error": {"message": "Internal error", "type": "server_error"}},
        )
    if stub.behaviour == "slow":
        time.sleep(SLOW_SECONDS)
    return None


# ---- Anthropic Messages API -----------------------------------------------------------------
CITED_PHRASE = "if attempt >= max_retries:"


def anthropic_blocks(stub: StubServer, request_body: dict[str, Any]) -> list[dict[str, Any]]:
    """The answer's text blocks: one cites the document holding ``CITED_PHRASE`` (found in the request)."""
    if request_body.get("messages") and isinstance(request_body["messages"][-1]["content"], str):
        return [{"type": "text", "text": stub.completion}]
    content = request_body["messages"][-1]["content"]
    documents = [block for block in content if block.get("type") == "document"]
    blocks: list[dict[str, Any]] = [{"type": "text", "text": "The transport gives up when the retry budget is spent"}]
    for index, document in enumerate(documents):
        data = document["source"]["data"]
        start = data.find(CITED_PHRASE)
        if start >= 0:
            end = start + len(CITED_PHRASE) + data[start + len(CITED_PHRASE) :].find("\n") + 1
            blocks.append(
                {
                    "type": "text",
                    "text": ": it checks the attempt count first",
                    "citations": [
                        {
                            "type": "char_location",
                            "cited_text": data[start:end],
                            "document_index": index,
                            "document_title": document.get("title"),
                            "start_char_index": start,
                            "end_char_index": end,
                        }
                    ],
                }
            )
            break
    blocks.append({"type": "text", "text": ". See also minihttp/imaginary.py:1-5 for details.\n"})
    return blocks


def anthropic_respond(stub: StubServer, request: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    failure = _error_or_none(stub, "anthropic")
    if failure:
        return failure
    body = request["body"] or {}
    blocks = anthropic_blocks(stub, body)
    usage = {"input_tokens": 120, "output_tokens": 30, "cache_creation_input_tokens": 100, "cache_read_input_tokens": 0}
    message = {
        "id": "msg_stub",
        "type": "message",
        "role": "assistant",
        "model": body.get("model", "stub"),
        "content": blocks,
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": usage,
    }
    if not body.get("stream"):
        return 200, {"request-id": "req_stub"}, message

    def events():
        def event(name: str, data: dict[str, Any]) -> str:
            return f"event: {name}\ndata: {json.dumps(data)}\n\n"

        start = dict(message, content=[], stop_reason=None, usage=dict(usage, output_tokens=1))
        yield event("message_start", {"type": "message_start", "message": start})
        yield event("ping", {"type": "ping"})
        for index, block in enumerate(blocks):
            opening = {"type": "text", "text": ""}
            if "citations" in block:
                opening["citations"] = []
            yield event(
                "content_block_start", {"type": "content_block_start", "index": index, "content_block": opening}
            )
            for citation in block.get("citations", []):
                yield event(
                    "content_block_delta",
                    {
                        "type": "content_block_delta",
                        "index": index,
                        "delta": {"type": "citations_delta", "citation": citation},
                    },
                )
            text = block["text"]
            for piece in (text[i : i + 7] for i in range(0, len(text), 7)):  # small pieces split references apart
                yield event(
                    "content_block_delta",
                    {"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": piece}},
                )
            yield event("content_block_stop", {"type": "content_block_stop", "index": index})
        yield event(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": 30},
            },
        )
        yield event("message_stop", {"type": "message_stop"})

    return 200, {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}, events


# ---- OpenAI chat completions -----------------------------------------------------------------
OPENAI_ANSWER = (
    "The decision sits in `should_retry` (minihttp/transport.py:16-27): the first check, "
    "minihttp/transport.py:23-24, stops once the budget is spent. Older notes mention "
    "minihttp/imaginary.py:1-5 and minihttp/transport.py:500-510, which do not exist.\n"
)


def openai_respond(stub: StubServer, request: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    if request["method"] == "GET" and request["path"].rstrip("/").endswith("/models"):
        return (
            200,
            {},
            {"object": "list", "data": [{"id": "local-model", "object": "model", "created": 0, "owned_by": "stub"}]},
        )
    failure = _error_or_none(stub, "openai")
    if failure:
        return failure
    body = request["body"] or {}
    asked = body.get("messages", [{}])[-1].get("content", "")
    text = OPENAI_ANSWER if "## Question" in asked else stub.completion
    model = body.get("model", "stub")
    if not body.get("stream"):
        return (
            200,
            {},
            {
                "id": "chatcmpl-stub",
                "object": "chat.completion",
                "created": 0,
                "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 50, "completion_tokens": 20, "total_tokens": 70},
            },
        )

    def events():
        def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
            data = {
                "id": "chatcmpl-stub",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            return f"data: {json.dumps(data)}\n\n"

        yield chunk({"role": "assistant", "content": ""})
        for piece in (text[i : i + 9] for i in range(0, len(text), 9)):
            yield chunk({"content": piece})
        yield chunk({}, "stop")
        yield "data: [DONE]\n\n"

    return 200, {"Content-Type": "text/event-stream"}, events
