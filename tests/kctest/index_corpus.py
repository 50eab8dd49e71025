"""Helpers for the index tests: small corpora written in the real corpus format.

``make_corpus`` compiles a tiny Python package with ``ast`` into a ``Core`` by hand and
renders it with the real back end (``compiler.backend.docs.render_corpus``). The search
stage only reads the corpus, so this exercises it exactly as a ``kc build`` corpus does,
without depending on the front end and analysis being finished.
"""

from __future__ import annotations

import ast
import hashlib
import textwrap
from pathlib import Path

from compiler.model import Concept, Core, Edge, FileInfo, SourceInfo, SourceRef, Symbol
from kctest.corpus import FIXTURES

FIXTURE_REPO = FIXTURES / "pyapp"

CONCEPTS = {
    "retries": (
        "Retries and backoff",
        "The transport treats a failed connection as something that may heal: it decides whether an attempt is worth repeating and spaces the attempts out exponentially.",
        ("transport.py",),
    ),
    "configuration": (
        "Configuration",
        "Settings are layered: defaults, then a toml file, then environment variables.",
        ("config.py",),
    ),
    "requests": (
        "Requests and responses",
        "A request is built once and then only decorated, for example by an auth strategy adding a header.",
        ("models.py", "auth.py"),
    ),
}


def _signature(node: ast.AST, source: str) -> str:
    segment = ast.get_source_segment(source, node) or ""
    header = []
    for line in segment.splitlines():
        header.append(line.strip())
        if line.rstrip().endswith(":"):
            break
    return " ".join(header).rstrip(":")


def core_from_package(root: Path, package: str) -> Core:
    """A Core for ``root/package``: symbols, contains/calls edges, three concepts."""
    symbols: list[Symbol] = []
    edges: list[Edge] = []
    files: list[FileInfo] = []
    hashes = {}
    for file in sorted((root / package).glob("*.py")):
        rel = file.relative_to(root).as_posix()
        source = file.read_text()
        hashes[rel] = hashlib.sha256(source.encode()).hexdigest()
        tree = ast.parse(source)
        module_id = f"{package}.{file.stem}" if file.stem != "__init__" else package
        lines = source.count("\n") + 1
        doc = ast.get_docstring(tree) or ""
        files.append(FileInfo(rel, "python", module_id, lines, hashes[rel], 0.5, doc))
        symbols.append(Symbol(module_id, file.stem, "module", rel, (1, lines), doc=doc, importance=0.3))

        def visit(body, parent_id, in_class):
            for node in body:
                if not isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                    continue
                sid = f"{parent_id}.{node.name}"
                kind = "class" if isinstance(node, ast.ClassDef) else ("method" if in_class else "function")
                excerpt = "\n".join(source.splitlines()[node.lineno - 1 : node.end_lineno][:30])
                symbols.append(
                    Symbol(
                        sid, node.name, kind, rel, (node.lineno, node.end_lineno), signature=_signature(node, source),
                        doc=ast.get_docstring(node) or "", parent=parent_id, public=not node.name.startswith("_"),
                        excerpt=textwrap.dedent(excerpt), importance=0.8 if kind == "class" else 0.5,
                    )
                )  # fmt: skip
                edges.append(Edge(parent_id, sid, "contains"))
                for call in ast.walk(node):
                    if isinstance(call, ast.Call):
                        name = (
                            call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)
                        )
                        if name:
                            edges.append(Edge(sid, name, "calls"))  # resolved below
                if isinstance(node, ast.ClassDef):
                    visit(node.body, sid, True)

        visit(tree.body, module_id, False)

    by_name: dict[str, list[str]] = {}
    for s in symbols:
        by_name.setdefault(s.name, []).append(s.id)
    resolved = []
    for e in edges:
        if e.kind == "calls":
            for target in by_name.get(e.target, ())[:1]:
                if target != e.source:
                    resolved.append(Edge(e.source, target, "calls"))
        else:
            resolved.append(e)

    concept_of = {}
    concepts = []
    for n, (cid, (title, summary, concept_files)) in enumerate(CONCEPTS.items()):
        paths = tuple(f"{package}/{f}" for f in concept_files)
        members = tuple(s.id for s in symbols if s.path in paths and s.kind != "module")
        for m in members:
            concept_of[m] = cid
        first = next(s for s in symbols if s.id in members)
        concepts.append(
            Concept(
                cid,
                title,
                summary,
                "author",
                members,
                paths,
                1.0 - 0.2 * n,
                sources=(SourceRef(first.path, first.lines, first.id),),
            )
        )
    symbols = [Symbol(**{**s.__dict__, "concept": concept_of.get(s.id)}) for s in symbols]
    return Core(
        source=SourceInfo(name=root.name, commit=None, files=hashes, description="A tiny HTTP client."),
        files=tuple(files),
        symbols=tuple(symbols),
        edges=tuple(sorted(set(resolved), key=lambda e: (e.source, e.target, e.kind))),
        concepts=tuple(concepts),
        learning_path=tuple(c.id for c in concepts),
        entry_points=(),
    )
