"""The public surface: the definitions a user can reach from the package's front door.

In: the ``CodeGraph``. Out: ``public_surface``, the set of symbol ids a user names, or None when the
repository has no front door kc recognises (then nothing is judged by it).

The front door, per language:

- **Python**: the outermost packages' ``__init__.py``. What it imports (``from .app import Flask``), what
  ``__all__`` lists, and the public top-level definitions of a module it imports whole
  (``from . import json``) are the surface.
- **JavaScript/TypeScript**: the top-level code files (``index.js``, ``fastify.js``), else an ``index`` in
  ``src/`` or ``lib/``. What they import, require or export (``module.exports = {Foo}``) is the surface; a
  module they import whole opens its own public top-level definitions and imports (``index.js`` is often
  ``module.exports = require('./lib/express')``).
- **Go**: exported (capitalised) identifiers of packages outside ``internal/`` and outside ``main``.

Then the surface grows through classes: the members of a surfaced class, its base classes (``Flask.route``
is defined on ``Scaffold``) and their members. A module that is itself on the surface is not: what it
holds counts only as above.
"""

from __future__ import annotations

import posixpath

from compiler.analysis.graph import CodeGraph
from compiler.roles import file_role, language_family

_JS_INDEX = frozenset({"index", "main", "mod"})
_SURFACE_EDGES = frozenset({"imports", "references"})


def _front_doors(graph: CodeGraph) -> tuple[list[str], bool]:
    """(front-door module ids, whether Go's exported names decide), from the code files."""
    code = [f for f in graph.files if f.module and file_role(f.path) == "code"]
    families = {language_family(f.language) for f in code}
    doors: list[str] = []
    python_inits = [f for f in code if language_family(f.language) == "python" and f.path.endswith("/__init__.py")]
    if python_inits:
        top = min(f.path.count("/") for f in python_inits)
        packages = [posixpath.dirname(f.path) for f in python_inits if f.path.count("/") == top]
        doors += [  # the package's ``__init__`` and its public modules (``from click.testing import ...``)
            f.module
            for f in code
            if f.path.endswith(".py")
            and any(f.path.startswith(p + "/") for p in packages)
            and not any(part.startswith("_") and part != "__init__.py" for part in f.path.split("/"))
        ]
    scripts = [f for f in code if language_family(f.language) == "javascript"]
    root = [f for f in scripts if "/" not in f.path and not f.path.endswith(".d.ts")]
    if not root:
        root = [
            f
            for f in scripts
            if posixpath.dirname(f.path) in ("src", "lib")
            and posixpath.basename(f.path).split(".")[0] in _JS_INDEX
            and not f.path.endswith(".d.ts")
        ]
    doors += [f.module for f in root]
    return doors, "go" in families


def _is_definition(kind: str) -> bool:
    return kind not in ("module", "variable")


def public_surface(graph: CodeGraph) -> frozenset[str] | None:
    """The symbol ids a user reaches from the front door (see the module docstring), or None."""
    doors, go = _front_doors(graph)
    if not doors and not go:
        return None
    symbols = graph.symbols
    family = {f.path: language_family(f.language) for f in graph.files}
    mains = {f.path.rsplit("/", 1)[0] if "/" in f.path else "" for f in graph.files
             if any(s.name == "main" and s.kind == "function" for s in f.symbols)}  # fmt: skip
    children: dict[str, list[str]] = {}
    for sid, sym in symbols.items():
        if sym.parent and sym.parent != sid and sym.kind != "module":
            children.setdefault(sym.parent, []).append(sid)

    def opened(module: str) -> list[str]:
        """A module imported whole: its public top-level definitions (and variables: ``exports.app = ...``)."""
        return [
            sid for sid in children.get(module, ()) if symbols[sid].public and not symbols[sid].name.startswith("_")
        ]

    found: set[str] = set(graph.exported)
    door_set = set(doors)
    reexports: list[str] = []
    for edge in graph.edges:
        if edge.source not in door_set or edge.kind not in _SURFACE_EDGES:
            continue
        target = symbols[edge.target]
        if target.kind == "module":
            found.update(opened(edge.target))
            if family.get(target.path) == "javascript":
                reexports.append(edge.target)
        else:
            found.add(edge.target)
    for door in doors:  # the door's own public definitions (``fastify.js``'s ``fastify``)
        found.update(opened(door))
    for module in reexports:  # ``index.js`` = ``require('./lib/express')``: express.js is a door too
        for edge in graph.edges_from(module):
            if edge.kind in _SURFACE_EDGES and symbols[edge.target].kind != "module":
                found.add(edge.target)
            elif edge.kind == "imports":
                found.update(opened(edge.target))
    if go:
        for sid, sym in symbols.items():
            parts = sym.path.split("/")
            if (
                family.get(sym.path) == "go"
                and sym.public
                and sym.kind != "module"
                and "internal" not in parts[:-1]
                and file_role(sym.path) == "code"
                and "/".join(parts[:-1]) not in mains
            ):
                found.add(sid)
    # classes open their members and their bases
    stack = [sid for sid in found if symbols.get(sid) is not None]
    seen: set[str] = set()
    while stack:
        sid = stack.pop()
        if sid in seen:
            continue
        seen.add(sid)
        for child in children.get(sid, ()):
            if symbols[child].public:
                stack.append(child)
        for edge in graph.edges_from(sid):
            if edge.kind == "inherits":
                stack.append(edge.target)
    return frozenset(s for s in seen if _is_definition(symbols[s].kind) or symbols[s].kind == "variable")
