"""A small hand-built corpus (core.json plus pages) modelled on tests/fixtures/repos/pyapp.

The MCP tests use it so they depend only on ``compiler.model`` and the corpus format,
not on the build pipeline; one test also serves a corpus the real ``kc build`` wrote.
"""

from __future__ import annotations

from pathlib import Path

from compiler.model import (
    Concept,
    Core,
    Edge,
    FileInfo,
    SourceInfo,
    SourceRef,
    Symbol,
)

SECRET_OUTSIDE = "THIS-FILE-IS-OUTSIDE-THE-CORPUS"


def _sym(
    sid: str,
    kind: str,
    path: str,
    lines: tuple[int, int],
    signature: str = "",
    doc: str = "",
    importance: float = 0.1,
    concept: str | None = None,
    parent: str | None = None,
) -> Symbol:
    name = sid.rsplit(".", 1)[-1]
    excerpt = f'{signature}:\n    """{doc}"""\n    ...\n' if signature else ""
    return Symbol(
        id=sid,
        name=name,
        kind=kind,
        path=path,
        lines=lines,
        signature=signature,
        doc=doc,
        parent=parent,
        excerpt=excerpt,
        importance=importance,
        concept=concept,
    )


def make_core() -> Core:
    """A Core with five concepts, a prerequisite chain and a small call graph."""
    files = (
        FileInfo("minihttp/__init__.py", "python", "minihttp", 12, "a" * 64, 0.5, "A tiny HTTP client."),
        FileInfo("minihttp/client.py", "python", "minihttp.client", 60, "b" * 64, 1.0, "The Client facade."),
        FileInfo("minihttp/config.py", "python", "minihttp.config", 70, "c" * 64, 0.7, "Layered settings."),
        FileInfo("minihttp/models.py", "python", "minihttp.models", 95, "d" * 64, 0.8, "Requests and responses."),
        FileInfo("minihttp/transport.py", "python", "minihttp.transport", 80, "e" * 64, 0.9, "Sending with retries."),
        FileInfo("minihttp/exceptions.py", "python", "minihttp.exceptions", 42, "f" * 64, 0.4, "Errors."),
    )
    symbols = (
        _sym("minihttp.client", "module", "minihttp/client.py", (1, 60), doc="The Client facade.", importance=0.6),
        _sym(
            "minihttp.client.Client",
            "class",
            "minihttp/client.py",
            (22, 58),
            "class Client(BaseClient)",
            "A synchronous HTTP client: ``Client().get(url)`` returns a Response.",
            1.0,
            "client",
            "minihttp.client",
        ),
        _sym(
            "minihttp.client.Client.get",
            "method",
            "minihttp/client.py",
            (38, 40),
            "def get(self, url: str, *, params: dict | None = None, timeout: float = 5.0) -> Response",
            "Send a GET request.",
            0.7,
            "client",
            "minihttp.client.Client",
        ),
        _sym(
            "minihttp.client.Client.send",
            "method",
            "minihttp/client.py",
            (46, 49),
            "def send(self, request: Request) -> Response",
            "Sign ``request`` with the auth strategy and send it through the transport.",
            0.8,
            "client",
            "minihttp.client.Client",
        ),
        _sym(
            "minihttp.config.Settings",
            "class",
            "minihttp/config.py",
            (19, 28),
            "class Settings",
            "Frozen settings every component receives.",
            0.7,
            "configuration",
            "minihttp.config",
        ),
        _sym(
            "minihttp.config.load_settings",
            "function",
            "minihttp/config.py",
            (30, 41),
            "def load_settings(path: str | Path | None = None, *, env: dict[str, str] | None = None) -> Settings",
            "Defaults, then the file, then the environment.",
            0.6,
            "configuration",
            "minihttp.config",
        ),
        _sym(
            "minihttp.models.Request",
            "class",
            "minihttp/models.py",
            (41, 67),
            "class Request",
            "An outgoing request, built once.",
            0.8,
            "requests",
            "minihttp.models",
        ),
        _sym(
            "minihttp.models.Response",
            "class",
            "minihttp/models.py",
            (70, 95),
            "class Response",
            "A received response.",
            0.8,
            "requests",
            "minihttp.models",
        ),
        _sym(
            "minihttp.transport.Transport",
            "class",
            "minihttp/transport.py",
            (38, 80),
            "class Transport",
            "Sends requests and retries connection failures.",
            0.9,
            "retries",
            "minihttp.transport",
        ),
        _sym(
            "minihttp.transport.Transport.send",
            "method",
            "minihttp/transport.py",
            (47, 60),
            "def send(self, request: Request) -> Response",
            "Send with retries.",
            0.85,
            "retries",
            "minihttp.transport.Transport",
        ),
        _sym(
            "minihttp.transport.should_retry",
            "function",
            "minihttp/transport.py",
            (16, 28),
            "def should_retry(attempt: int, max_retries: int, *, error=None, status=None) -> bool",
            "Whether another attempt is worth making.",
            0.5,
            "retries",
            "minihttp.transport",
        ),
        _sym(
            "minihttp.transport.backoff_delay",
            "function",
            "minihttp/transport.py",
            (30, 36),
            "def backoff_delay(attempt: int, factor: float = 0.5, *, jitter: bool = True) -> float",
            "Exponential backoff with jitter.",
            0.4,
            "retries",
            "minihttp.transport",
        ),
        _sym(
            "minihttp.exceptions.RetryExhausted",
            "class",
            "minihttp/exceptions.py",
            (23, 30),
            "class RetryExhausted(MiniHTTPError)",
            "Raised when every retry failed.",
            0.3,
            "errors",
            "minihttp.exceptions",
        ),
    )
    edges = (
        Edge("minihttp.client.Client.get", "minihttp.client.Client.send", "calls"),
        Edge("minihttp.client.Client.send", "minihttp.transport.Transport.send", "calls"),
        Edge("minihttp.transport.Transport.send", "minihttp.transport.should_retry", "calls"),
        Edge("minihttp.transport.Transport.send", "minihttp.transport.backoff_delay", "calls"),
        Edge("minihttp.client", "minihttp.client.Client", "contains"),
    )
    concepts = (
        Concept(
            "configuration",
            "Configuration",
            "Settings are layered: defaults, then minihttp.toml, then MINIHTTP_* environment variables. "
            "Everything else receives a frozen Settings object.",
            "author",
            ("minihttp.config.load_settings", "minihttp.config.Settings"),
            ("minihttp/config.py",),
            0.6,
            sources=(SourceRef("minihttp/config.py", (30, 41), "minihttp.config.load_settings"),),
            body="Settings are layered: defaults, then the `[minihttp]` table.\n\nNothing reads the environment itself.",
        ),
        Concept(
            "requests",
            "Requests and responses",
            "A Request is built once and then only decorated, e.g. by an auth strategy adding a header.",
            "author",
            ("minihttp.models.Request", "minihttp.models.Response"),
            ("minihttp/models.py",),
            0.7,
            sources=(SourceRef("minihttp/models.py", (41, 67), "minihttp.models.Request"),),
        ),
        Concept(
            "errors",
            "Errors",
            "Every error derives from MiniHTTPError.",
            "docstring",
            ("minihttp.exceptions.RetryExhausted",),
            ("minihttp/exceptions.py",),
            0.3,
        ),
        Concept(
            "retries",
            "Retries and backoff",
            "The transport treats a failed connection as something that may heal; backoff_delay spaces "
            "attempts out exponentially with jitter.",
            "author",
            (
                "minihttp.transport.Transport.send",
                "minihttp.transport.should_retry",
                "minihttp.transport.backoff_delay",
                "minihttp.transport.Transport",
            ),
            ("minihttp/transport.py",),
            0.9,
            prerequisites=("configuration", "requests"),
            related=("errors",),
            sources=(SourceRef("minihttp/transport.py", (16, 36), "minihttp.transport.should_retry"),),
            body="The transport retries connection errors and the statuses 429/502/503/504.",
        ),
        Concept(
            "client",
            "The Client facade",
            "Client().get(url) signs a request and sends it through a Transport.",
            "docstring",
            ("minihttp.client.Client", "minihttp.client.Client.send", "minihttp.client.Client.get"),
            ("minihttp/client.py",),
            1.0,
            prerequisites=("retries",),
            entry_points=("minihttp.client.Client",),
            sources=(SourceRef("minihttp/client.py", (22, 58), "minihttp.client.Client"),),
        ),
    )
    return Core(
        source=SourceInfo(
            name="minihttp",
            commit="0123456789abcdef",
            files={f.path: f.sha256 for f in files},
            description="minihttp is a tiny HTTP client with layered settings and retries.",
        ),
        files=files,
        symbols=symbols,
        edges=edges,
        concepts=concepts,
        learning_path=("configuration", "requests", "errors", "retries", "client"),
        entry_points=("minihttp.client.Client",),
    )


def write_corpus(root: Path, core: Core | None = None, *, plant_outside: bool = True) -> Path:
    """Write core.json, a page per concept, index.md, path.md and llms.txt under ``root``."""
    core = core or make_core()
    root.mkdir(parents=True, exist_ok=True)
    (root / "core.json").write_text(core.to_json(), encoding="utf-8")
    (root / "concepts").mkdir(exist_ok=True)
    for concept in core.concepts:
        page = (
            f"---\nid: {concept.id}\ntitle: {concept.title}\n---\n\n# {concept.title}\n\n{concept.summary}\n\n"
            f"## Members\n\n" + "".join(f"### `{m}`\n\n" for m in concept.members)
        )
        (root / "concepts" / f"{concept.id}.md").write_text(page, encoding="utf-8")
    (root / "reference").mkdir(exist_ok=True)
    (root / "reference" / "minihttp.client.md").write_text(
        "---\nmodule: minihttp.client\n---\n\n# `minihttp.client`\n\n## `minihttp.client.Client`\n", encoding="utf-8"
    )
    (root / "index.md").write_text(f"# {core.source.name}\n\n{core.source.description}\n", encoding="utf-8")
    (root / "path.md").write_text(
        "# Learning path\n\n" + "".join(f"{i}. {cid}\n" for i, cid in enumerate(core.learning_path, 1)),
        encoding="utf-8",
    )
    (root / "llms.txt").write_text(
        f"# {core.source.name}\n\n> {core.source.description}\n\n## Concepts\n\n"
        + "".join(f"- [{c.title}](concepts/{c.id}.md)\n" for c in core.concepts),
        encoding="utf-8",
    )
    if plant_outside:  # a file beside the corpus that no request may ever read
        (root.parent / "outside.md").write_text(SECRET_OUTSIDE, encoding="utf-8")
    return root
