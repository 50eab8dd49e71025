"""Helpers shared by the ``kc serve`` tests, and for any server process a test or benchmark starts."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

HOSTILE_DOC = 'Render <script>window.__kc_pwned = 1</script> and <img src=x onerror="window.__kc_pwned = 2"> safely.'

TINY_REPO = {
    "README.md": "# tinyretry\n\nA tiny HTTP-ish client that retries failed calls with exponential backoff.\n",
    "tinyretry/__init__.py": '"""tinyretry: retry calls with backoff."""\n',
    "tinyretry/backoff.py": '''"""Backoff: how long to wait between attempts."""


def backoff_delay(attempt: int, base: float = 0.5, cap: float = 30.0) -> float:
    """The delay before retry number ``attempt``: doubles each time, never above ``cap``."""
    delay = base * (2 ** attempt)
    if delay > cap:
        return cap
    return delay
''',
    "tinyretry/retry.py": '''"""Retrying: call a function again when it fails, waiting longer each time."""

import time

from tinyretry.backoff import backoff_delay


class RetryExhausted(Exception):
    """Raised when every attempt failed."""


def should_retry(attempt: int, max_attempts: int) -> bool:
    """Whether another attempt is allowed."""
    return attempt + 1 < max_attempts


def retry_call(func, max_attempts: int = 3, sleep=time.sleep):
    """Call ``func`` until it succeeds or ``max_attempts`` calls failed; wait ``backoff_delay`` between calls."""
    attempt = 0
    while True:
        try:
            return func()
        except OSError as error:
            if not should_retry(attempt, max_attempts):
                raise RetryExhausted(str(error)) from error
            sleep(backoff_delay(attempt))
            attempt += 1
''',
    "tinyretry/client.py": '''"""The client: sends requests through a transport and retries connection errors."""

from tinyretry.retry import retry_call


class Client:
    """Sends requests; connection errors are retried with backoff."""

    def __init__(self, transport, max_attempts: int = 3):
        self.transport = transport
        self.max_attempts = max_attempts

    def get(self, url: str):
        """Fetch ``url``, retrying connection failures."""
        return retry_call(lambda: self.transport.send("GET", url), self.max_attempts)
''',
    "tinyretry/render.py": f'''"""Rendering of responses as text."""


def render_banner(text: str) -> str:
    """{HOSTILE_DOC}"""
    return "== " + text + " =="
''',
}


def write_tiny_repo(root: Path) -> Path:
    for rel, text in TINY_REPO.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def build_corpus(source: Path, out: Path) -> Path:
    from compiler.build import build

    build(source, out, index=False)
    return out


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    """Terminate ``process``; kill it when it has not exited within ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_app(corpus: Path, work: Path, *, token: str | None = None) -> Iterator[str]:
    """``kc serve``'s app for ``corpus`` on 127.0.0.1 (a free port) in a thread; yields the base URL."""
    import uvicorn

    from compiler.config import load_settings
    from compiler.web.server import make_app

    port = free_port()
    settings = replace(load_settings(), learner_db=str(work / "learners.sqlite3"), tutor_backend="offline")
    app = make_app(corpus, settings=settings, backend="offline", token=token, port=port, site_dir=work / "site")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("kc serve's app did not start within 30 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def sse_events(response: Any) -> list[tuple[str, dict[str, Any]]]:
    """The (event, data) pairs of a server-sent-events response (httpx, streamed)."""
    events, name, data = [], "message", []
    for line in response.iter_lines():
        line = line.rstrip("\r")
        if not line:
            if data:
                events.append((name, json.loads("\n".join(data))))
            name, data = "message", []
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip(" "))
    if data:
        events.append((name, json.loads("\n".join(data))))
    return events


def ask(client: Any, base: str, learner: str, question: str) -> list[tuple[str, dict[str, Any]]]:
    with client.stream("POST", f"{base}/api/ask", json={"learner": learner, "question": question}) as response:
        assert response.status_code == 200, response.read()
        return sse_events(response)
