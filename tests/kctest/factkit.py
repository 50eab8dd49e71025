"""A tiny builder for hand-written ``FileFacts``, so analysis tests read like the code they model."""

from __future__ import annotations

from compiler.model import Call, FileFacts, Import, Section, Symbol


class FileBuilder:
    """Collects the symbols, imports and calls of one file."""

    def __init__(self, path: str, module: str, language: str = "python", doc: str = "", lines: int = 100):
        self.path, self.module, self.language, self.lines = path, module, language, lines
        self.symbols: list[Symbol] = [Symbol(module, module.rsplit(".", 1)[-1], "module", path, (1, lines), doc=doc)]
        self.imports: list[Import] = []
        self.calls: list[Call] = []
        self.exports: tuple[str, ...] | None = None
        self.entry = False
        self._line = 2

    def _add(self, name: str, kind: str, parent: str | None, size: int, doc: str, bases=(), signature: str = "") -> str:
        parent = parent or self.module
        sid = f"{parent}.{name}"
        start = self._line
        self._line += size
        self.symbols.append(
            Symbol(
                sid,
                name,
                kind,
                self.path,
                (start, start + size - 1),
                signature=signature or f"{name}()",
                doc=doc,
                parent=parent,
                public=not name.startswith("_"),
                bases=tuple(bases),
            )
        )
        return sid

    def cls(self, name: str, *, bases=(), doc: str = "", methods: dict[str, list[str]] | None = None) -> str:
        """A class with methods ``{method: [callee as written, ...]}``."""
        sid = self._add(name, "class", None, 2, doc, bases=bases)
        for method, callees in (methods or {}).items():
            mid = self._add(method, "method", sid, 3, "")
            for callee in callees:
                self.call(mid, callee)
        return sid

    def func(self, name: str, *callees: str, doc: str = "") -> str:
        sid = self._add(name, "function", None, 4, doc)
        for callee in callees:
            self.call(sid, callee)
        return sid

    def var(self, name: str) -> str:
        return self._add(name, "variable", None, 1, "")

    def imp(self, module: str, *names: str, alias: str | None = None) -> FileBuilder:
        self.imports.append(Import(self.path, module, tuple(names), len(self.imports) + 1, alias))
        return self

    def call(self, caller: str, callee: str) -> None:
        self.calls.append(Call(caller, callee, self.path, len(self.calls) + 1))

    def facts(self) -> FileFacts:
        return FileFacts(
            path=self.path,
            language=self.language,
            module=self.module,
            lines=max(self.lines, self._line),
            sha256="0" * 64,
            symbols=tuple(self.symbols),
            imports=tuple(self.imports),
            calls=tuple(self.calls),
            exports=self.exports,
            is_entry_point=self.entry,
        )


def markdown(path: str, *sections: tuple[str, int, str]) -> FileFacts:
    """A markdown file from (title, level, text) sections."""
    built = []
    line = 1
    for title, level, text in sections:
        count = text.count("\n") + 2
        built.append(Section(path, title, level, (line, line + count - 1), text))
        line += count
    return FileFacts(path=path, language="markdown", module="", lines=line, sha256="1" * 64, sections=tuple(built))


def minihttp() -> list[FileFacts]:
    """A model of tests/fixtures/repos/pyapp: client -> auth, transport (retries) -> models, config, errors."""
    init = FileBuilder("minihttp/__init__.py", "minihttp", doc="minihttp: a tiny HTTP client with retries.")
    init.imp("minihttp.client", "Client").imp("minihttp.auth", "BasicAuth", "BearerAuth")
    init.imp("minihttp.config", "Settings", "load_settings").imp("minihttp.models", "Request", "Response")
    init.exports = ("Client", "BasicAuth", "BearerAuth", "Settings", "load_settings", "Request", "Response")

    errors = FileBuilder("minihttp/exceptions.py", "minihttp.exceptions", doc="The exception hierarchy of minihttp.")
    errors.cls("MiniHTTPError", bases=("Exception",), doc="Base of every minihttp error.")
    errors.cls("ConnectError", bases=("MiniHTTPError",))
    errors.cls("RetryExhausted", bases=("MiniHTTPError",))
    errors.cls("ConfigError", bases=("MiniHTTPError",))

    config = FileBuilder(
        "minihttp/config.py", "minihttp.config", doc="Settings from defaults, a TOML file and the environment."
    )
    config.imp(".exceptions", "ConfigError")
    config.cls("Settings", doc="Frozen settings.", methods={"with_overrides": ["Settings"]})
    config.func("_read_file", "ConfigError")
    config.func("_from_env", "ConfigError")
    config.func("load_settings", "_read_file", "_from_env", "Settings", doc="Load layered settings.")

    models = FileBuilder(
        "minihttp/models.py", "minihttp.models", doc="Request and Response objects, and the Headers they share."
    )
    models.cls("Headers", doc="Case-insensitive headers.", methods={"__init__": [], "get": [], "set": [], "items": []})
    models.cls(
        "Request", doc="An HTTP request.", methods={"build": ["Headers", "cls"], "with_header": ["self.headers.set"]}
    )
    models.cls(
        "Response",
        doc="An HTTP response.",
        methods={"json": [], "raise_for_status": ["MiniHTTPError"], "header": ["self.headers.get"]},
    )
    models.imp(".exceptions", "MiniHTTPError")

    transport = FileBuilder(
        "minihttp/transport.py", "minihttp.transport", doc="Sends requests and retries failed connections with backoff."
    )
    transport.imp(".models", "Request", "Response").imp(".exceptions", "ConnectError", "RetryExhausted")
    transport.func("should_retry", "isinstance", doc="Whether an attempt is worth repeating.")
    transport.func("backoff_delay", "min", "random.uniform", doc="Seconds to wait before the next attempt.")
    transport.cls(
        "Transport",
        doc="Sends a Request over a socket, retrying with exponential backoff.",
        methods={
            "__init__": [],
            "send": ["self._attempt", "should_retry", "backoff_delay", "time.sleep", "RetryExhausted"],
            "_attempt": ["socket.create_connection", "Response", "ConnectError", "self._attempt_parse"],
            "_attempt_parse": ["Response"],
        },
    )

    auth = FileBuilder("minihttp/auth.py", "minihttp.auth", doc="Authentication strategies: each signs a Request.")
    auth.imp(".models", "Request").imp(".config", "Settings")
    auth.cls("Auth", doc="Base strategy.", methods={"apply": []})
    auth.cls("BasicAuth", bases=("Auth",), methods={"apply": ["request.with_header", "base64.b64encode"]})
    auth.cls("BearerAuth", bases=("Auth",), methods={"apply": ["request.with_header"]})
    auth.func("auth_from_settings", "BasicAuth", "BearerAuth", "Auth")

    client = FileBuilder(
        "minihttp/client.py", "minihttp.client", doc="The Client facade: the one object most users need."
    )
    client.imp(".auth", "Auth", "auth_from_settings").imp(".config", "Settings", "load_settings")
    client.imp(".models", "Request", "Response").imp(".transport", "Transport")
    client.cls(
        "BaseClient",
        doc="Holds settings and builds requests.",
        methods={"__init__": ["load_settings"], "build_request": ["Request.build"]},
    )
    client.cls(
        "Client",
        bases=("BaseClient",),
        doc="A synchronous HTTP client.",
        methods={
            "__init__": ["super().__init__", "auth_from_settings", "Transport"],
            "get": ["self.send", "self.build_request"],
            "post": ["self.send", "self.build_request"],
            "send": ["self.auth.apply", "self.transport.send"],
        },
    )

    cli = FileBuilder("minihttp/cli.py", "minihttp.cli", doc="Command line: python -m minihttp GET URL.")
    cli.imp("argparse").imp("minihttp.client", "Client")
    cli.func("main", "argparse.ArgumentParser", "Client", "Client.get", doc="Run the command line.")

    test = FileBuilder("tests/test_client.py", "tests.test_client")
    test.imp("minihttp", "Client")
    test.func("test_get", "Client", "Client.get")
    test.func("test_retry", "should_retry")

    readme = markdown(
        "README.md",
        ("minihttp", 1, "A tiny HTTP client with retries, exponential backoff and pluggable authentication."),
        ("Retries", 2, "A failed connection is not the end: the `Transport` asks `should_retry()` whether to repeat."),
    )
    return [b.facts() for b in (init, errors, config, models, transport, auth, client, cli, test)] + [readme]
