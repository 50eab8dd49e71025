"""A hand-made knowledge core and its corpus, for site tests that must not wait on the front end.

``small_core()`` is a tiny HTTP client with eight concepts; ``wide_core(n)`` has ``n`` concepts in
a deeper prerequisite graph (the concept map's layout is tested on it). ``write_corpus`` renders a
core with the real back end (compiler.backend.docs.render_corpus), so the pages are the same kind
the build writes.
"""

from __future__ import annotations

from compiler.model import (
    Concept,
    Core,
    Diagnostic,
    Edge,
    FileInfo,
    Redaction,
    SkippedFile,
    SourceInfo,
    SourceRef,
    Symbol,
)
from kctest.corpus import topological

SMALL_CONCEPTS = (
    # id, title, prerequisites, related, module
    ("configuration", "Configuration", (), (), "config"),
    ("errors", "Errors and exceptions", (), ("retries",), "exceptions"),
    ("requests", "Requests and responses", ("configuration",), (), "models"),
    ("auth", "Authentication strategies", ("requests",), (), "auth"),
    ("retries", "Retries and backoff", ("configuration", "requests"), ("errors",), "transport"),
    ("client", "The client", ("auth", "retries"), (), "client"),
    ("cli", "Command line", ("client",), (), "cli"),
    ("logging", "Logging hooks", (), (), "logs"),
)


def _symbols_for(package: str, module: str, concept_id: str, importance: float) -> list[Symbol]:
    path = f"{package}/{module}.py"
    module_id = f"{package}.{module}"
    class_name = "".join(part.capitalize() for part in module.split("_")) + "Manager"
    class_id = f"{module_id}.{class_name}"
    return [
        Symbol(
            id=module_id,
            name=module,
            kind="module",
            path=path,
            lines=(1, 60),
            doc=f"The {module} module.",
            importance=importance,
            concept=concept_id,
        ),
        Symbol(
            id=class_id,
            name=class_name,
            kind="class",
            path=path,
            lines=(10, 40),
            signature=f"class {class_name}:",
            doc=f"Manage {module} for the client.\n\nLonger text here.",
            parent=module_id,
            excerpt=f"class {class_name}:\n    def __init__(self):\n        self.ready = True",
            importance=importance,
            concept=concept_id,
        ),
        Symbol(
            id=f"{class_id}.send_{module}",
            name=f"send_{module}",
            kind="method",
            path=path,
            lines=(20, 30),
            signature=f"def send_{module}(self, request: Request, *, timeout: float = 5.0) -> Response",
            doc=f"Send the {module} part of a request.",
            parent=class_id,
            excerpt=f"def send_{module}(self, request, *, timeout=5.0):\n    return self.transport.send(request)",
            importance=importance * 0.8,
            concept=concept_id,
        ),
        Symbol(
            id=f"{module_id}.load_{module}",
            name=f"load_{module}",
            kind="function",
            path=path,
            lines=(45, 58),
            signature=f"def load_{module}(path: str | None = None) -> dict",
            doc="",
            parent=module_id,
            excerpt=f"def load_{module}(path=None):\n    return {{}}",
            importance=importance * 0.5,
            concept=concept_id,
        ),
    ]


def make_core(concept_rows, package: str = "minihttp", name: str = "minihttp") -> Core:
    """A consistent core: one module per concept, a class, a method and a function in each."""
    count = len(concept_rows)
    files, symbols, concepts, edges = [], [], [], []
    for index, (cid, title, prereqs, related, module) in enumerate(concept_rows):
        importance = round(1.0 - index / max(1, count), 4) if index else 1.0
        path = f"{package}/{module}.py"
        module_symbols = _symbols_for(package, module, cid, importance)
        symbols.extend(module_symbols)
        files.append(
            FileInfo(
                path=path,
                language="python",
                module=f"{package}.{module}",
                lines=60,
                sha256=f"{index:064x}",
                importance=importance,
                doc=f"The {module} module.",
            )
        )
        for symbol in module_symbols[1:]:
            edges.append(Edge(source=symbol.parent or "", target=symbol.id, kind="contains"))
        cls = module_symbols[1]
        concepts.append(
            Concept(
                id=cid,
                title=title,
                summary=f"{title} explained: how {module} works and why the client needs it. It has a second sentence.",
                summary_source="author",
                members=tuple(s.id for s in module_symbols[1:]),
                files=(path,),
                importance=importance,
                prerequisites=tuple(prereqs),
                related=tuple(related),
                sources=(SourceRef(path=path, lines=cls.lines, symbol=cls.id), SourceRef(path=path, lines=(45, 58))),
                entry_points=(),
                body=f"The author's notes on {title.lower()}.\n\n### A detail\n\nMore words.",
            )
        )
    order = topological([c.id for c in concepts], {c.id: c.prerequisites for c in concepts})
    return Core(
        source=SourceInfo(
            name=name,
            commit="0123456789abcdef0123",
            files={f.path: f.sha256 for f in files},
            description=f"{name}: a small HTTP client used to test the docs site.\n\n"
            # A README badge: the site must show it without loading it.
            "![build status](https://img.shields.io/badge/build-passing-green.svg)",
        ),
        files=tuple(files),
        symbols=tuple(sorted(symbols, key=lambda s: s.id)),
        edges=tuple(edges),
        concepts=tuple(concepts),
        learning_path=tuple(order),
        entry_points=(symbols[1].id,),
        diagnostics=(
            Diagnostic(
                path=f"{package}/broken.py", line=3, severity="error", code="syntax-error", message="invalid syntax"
            ),
        ),
        skipped=(SkippedFile(path="assets/logo.png", reason="binary"),),
        redactions=(Redaction(path=f"{package}/settings.py", line=7, rule="aws-access-key"),),
    )


def small_core() -> Core:
    return make_core(SMALL_CONCEPTS)


def wide_core(count: int = 25) -> Core:
    """``count`` concepts: a few foundations, layers that build on them, and some standalone ones."""
    rows = []
    for index in range(count):
        cid = f"topic-{index:02d}"
        if index < 4 or index % 7 == 6:
            prereqs: tuple[str, ...] = ()  # foundations and standalone concepts
        else:
            candidates = {index - 1 - (index % 3), index // 2 - 1, index % 4}
            prereqs = tuple(f"topic-{p:02d}" for p in sorted(candidates) if 0 <= p < index and p % 7 != 6)
        title = "Request routing and dispatch to handlers" if index % 5 == 0 else f"Topic {index}"
        rows.append((cid, title, prereqs, (), f"mod_{index:02d}"))
    return make_core(rows, package="bigapp", name="bigapp")
