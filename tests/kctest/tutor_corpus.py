"""Hand-made knowledge cores for the tutor tests, independent of the build pipeline.

``python_core(repo, concepts)`` reads a small Python repository with ``ast`` (symbols
with real line ranges, docstrings, excerpts, call edges) and attaches the concepts the
test spells out, so tests control prerequisites exactly while citations point at real
lines. ``write_corpus`` writes it as ``core.json`` and opens it like any corpus.
"""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from compiler.corpus import open_corpus
from compiler.model import Concept, Core, Edge, FileInfo, Section, SourceInfo, SourceRef, Symbol
from kctest.corpus import FIXTURES, topological


@dataclass(frozen=True)
class ConceptSpec:
    id: str
    title: str
    summary: str
    files: tuple[str, ...]
    prerequisites: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    body: str = ""
    importance: float = 0.5
    summary_source: str = "author"
    extra_members: tuple[str, ...] = field(default=())


def _signature(lines: list[str], node: ast.AST) -> str:
    header = []
    for line in lines[node.lineno - 1 : node.body[0].lineno - 1]:
        header.append(line.strip())
        if line.rstrip().endswith(":"):
            break
    text = " ".join(header).rstrip(":")
    return text


def python_core(repo: Path, concepts: list[ConceptSpec], *, name: str = "fixture", description: str = "") -> Core:
    """A Core for the ``.py`` files under ``repo`` with ``concepts`` attached (members = symbols of their files)."""
    files: list[FileInfo] = []
    symbols: list[Symbol] = []
    calls: list[tuple[str, str, str]] = []  # caller id, callee name as written, path
    concept_of_file = {f: spec.id for spec in concepts for f in spec.files}
    for path in sorted(repo.rglob("*.py")):
        rel = path.relative_to(repo).as_posix()
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")
        module = rel[:-3].replace("/", ".").removesuffix(".__init__")
        tree = ast.parse(text)
        files.append(
            FileInfo(
                rel,
                "python",
                module,
                len(text.splitlines()),
                hashlib.sha256(text.encode()).hexdigest(),
                0.5,
                ast.get_docstring(tree) or "",
            )
        )
        concept = concept_of_file.get(rel)
        symbols.append(
            Symbol(
                module,
                module.split(".")[-1],
                "module",
                rel,
                (1, max(1, len(text.splitlines()))),
                doc=ast.get_docstring(tree) or "",
                concept=concept,
            )
        )

        def visit(node: ast.AST, parent: str, parent_kind: str) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    sid = f"{parent}.{child.name}"
                    kind = (
                        "class"
                        if isinstance(child, ast.ClassDef)
                        else ("method" if parent_kind == "class" else "function")
                    )
                    start = min([child.lineno] + [d.lineno for d in child.decorator_list])
                    end = child.end_lineno or child.lineno
                    excerpt = "\n".join(lines[start - 1 : min(end, start + 29)])
                    symbols.append(
                        Symbol(
                            sid,
                            child.name,
                            kind,
                            rel,
                            (start, end),
                            _signature(lines, child),
                            ast.get_docstring(child) or "",
                            parent,
                            not child.name.startswith("_"),
                            tuple(ast.unparse(d) for d in child.decorator_list),
                            tuple(ast.unparse(b) for b in getattr(child, "bases", [])),
                            excerpt,
                            0.0,
                            concept,
                        )
                    )
                    if kind != "class":
                        for sub in ast.walk(child):
                            if isinstance(sub, ast.Call):
                                calls.append((sid, ast.unparse(sub.func), rel))
                    visit(child, sid, kind)

        visit(tree, module, "module")

    sections: list[Section] = []
    for path in sorted(repo.rglob("*.md")):
        rel = path.relative_to(repo).as_posix()
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")
        files.append(FileInfo(rel, "markdown", "", len(text.splitlines()), hashlib.sha256(text.encode()).hexdigest()))
        starts = [i for i, line in enumerate(lines) if line.startswith("#")] + [len(text.splitlines())]
        for begin, end in zip(starts, starts[1:]):
            heading = lines[begin]
            body = "\n".join(lines[begin + 1 : end]).strip()
            if body:
                sections.append(
                    Section(
                        rel,
                        heading.lstrip("#").strip(),
                        len(heading) - len(heading.lstrip("#")),
                        (begin + 1, end),
                        body,
                    )
                )

    by_name: dict[str, list[Symbol]] = {}
    for symbol in symbols:
        by_name.setdefault(symbol.name, []).append(symbol)
    edges: set[Edge] = set()
    ids = {s.id: s for s in symbols}
    for caller, written, path in calls:
        prefix = written.rsplit(".", 1)[0] if "." in written else ""
        if prefix and prefix != "self" and not prefix.startswith("self.") and not prefix[:1].isupper():
            continue  # obj.method(): the receiver's type is unknown, do not guess
        callee_name = written.split(".")[-1]
        candidates = by_name.get(callee_name, [])
        if written.startswith("self.") and caller.count("."):
            klass = caller.rsplit(".", 1)[0]
            candidates = [c for c in candidates if c.parent == klass] or candidates
        if len(candidates) > 1:
            candidates = [c for c in candidates if c.path == path] or candidates[:1]
        for target in candidates[:1]:
            if target.id != caller:
                edges.add(Edge(caller, target.id, "calls"))
    for symbol in symbols:
        for base in symbol.bases:
            target = by_name.get(base.split(".")[-1])
            if target:
                edges.add(Edge(symbol.id, target[0].id, "inherits"))
    # importance: how often a symbol is called or inherited from, normalised
    incoming: dict[str, int] = {}
    for edge in edges:
        incoming[edge.target] = incoming.get(edge.target, 0) + 1
    top = max(incoming.values(), default=1)
    symbols = [
        Symbol(**{**s.__dict__, "importance": round(0.1 + 0.9 * incoming.get(s.id, 0) / top, 3)}) for s in symbols
    ]
    ids = {s.id: s for s in symbols}

    concept_objects = []
    for spec in concepts:
        members = [s for s in symbols if s.path in spec.files and s.kind != "module"]
        members += [ids[m] for m in spec.extra_members if m in ids]
        members.sort(key=lambda s: (-s.importance, s.id))
        sources = tuple(SourceRef(s.path, s.lines, s.id) for s in members[:3])
        concept_objects.append(
            Concept(
                spec.id,
                spec.title,
                spec.summary,
                spec.summary_source,
                tuple(s.id for s in members),
                spec.files,
                spec.importance,
                spec.prerequisites,
                spec.related,
                sources,
                (),
                spec.body,
            )
        )
    learning_path = topological([c.id for c in concept_objects], {c.id: c.prerequisites for c in concept_objects})
    return Core(
        source=SourceInfo(name, None, {f.path: f.sha256 for f in files}, description),
        files=tuple(files),
        symbols=tuple(sorted(symbols, key=lambda s: s.id)),
        edges=tuple(sorted(edges, key=lambda e: (e.source, e.target, e.kind))),
        concepts=tuple(concept_objects),
        learning_path=tuple(learning_path),
        entry_points=(),
        sections=tuple(sections),
    )


def write_corpus(core: Core, directory: Path):
    """Write ``core.json`` (and a concept page per concept) and open it as a Corpus."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "core.json").write_text(core.to_json(), encoding="utf-8")
    (directory / "concepts").mkdir(exist_ok=True)
    for concept in core.concepts:
        (directory / "concepts" / f"{concept.id}.md").write_text(
            f"# {concept.title}\n\n{concept.summary}\n", encoding="utf-8"
        )
    return open_corpus(directory)


MINIHTTP_CONCEPTS = [
    ConceptSpec(
        "configuration",
        "Configuration",
        "Settings are layered: defaults, then the [minihttp] table of "
        "minihttp.toml, then MINIHTTP_* environment variables. Everything else receives a frozen Settings object.",
        ("minihttp/config.py",),
        importance=0.7,
    ),
    ConceptSpec(
        "requests",
        "Requests and responses",
        "A Request is built once (URL joined to the base URL, params "
        "encoded, JSON body serialised) and then only decorated, e.g. by an auth strategy adding a header.",
        ("minihttp/models.py",),
        importance=0.8,
    ),
    ConceptSpec(
        "errors",
        "Errors",
        "Every error minihttp raises derives from MiniHTTPError, so callers can catch one base class.",
        ("minihttp/exceptions.py",),
        prerequisites=("requests",),
        importance=0.4,
        summary_source="docstring",
    ),
    ConceptSpec(
        "retries",
        "Retries and backoff",
        "The transport treats a failed connection as something that may heal: "
        "should_retry decides whether an attempt is worth repeating, and backoff_delay spaces the attempts out "
        "exponentially with jitter.",
        ("minihttp/transport.py",),
        prerequisites=("configuration", "errors"),
        related=("errors",),
        importance=0.9,
        body="The transport treats a failed connection as something that may heal. `should_retry` decides "
        "whether an attempt is worth repeating (connection errors, timeouts, and the statuses "
        "429/502/503/504), and `backoff_delay` spaces the attempts out exponentially with jitter, so that "
        "many clients do not retry in lockstep. When the budget of `max_retries` is spent, "
        "`RetryExhausted` carries the last error.",
    ),
    ConceptSpec(
        "auth",
        "Authentication",
        "Auth strategies sign a Request before it is sent; each implements apply(request).",
        ("minihttp/auth.py",),
        prerequisites=("requests",),
        importance=0.5,
        summary_source="docstring",
    ),
    ConceptSpec(
        "client",
        "The client facade",
        "Client is the one object most users need: it builds a Request, lets "
        "an auth strategy sign it, and hands it to a Transport.",
        ("minihttp/client.py", "minihttp/__init__.py"),
        prerequisites=("retries", "auth"),
        importance=1.0,
    ),
]


def minihttp_corpus(directory: Path):
    """The pyapp fixture (minihttp) as a corpus with a known prerequisite chain.

    configuration, requests -> errors -> retries -> client; requests -> auth -> client.
    """
    core = python_core(
        FIXTURES / "pyapp",
        MINIHTTP_CONCEPTS,
        name="minihttp",
        description="A tiny HTTP client with retries, exponential backoff and pluggable authentication.",
    )
    return write_corpus(core, directory)
