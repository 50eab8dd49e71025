"""The public surface: the definitions a user can reach from the package's front door.

In: the ``CodeGraph``. Out: ``public_surface``, a ``Surface`` (what the front door names, what a user can
reach), or None when the repository has no front door kc recognises (then nothing is judged by it).

The front door, per language:

- **Python**: the outermost packages' ``__init__.py``. What it imports (``from .app import Flask``), what
  ``__all__`` lists, and the public top-level definitions of a module it imports whole
  (``from . import json``) are what the front door names; the package's public modules
  (no ``_`` in the path: ``from click.testing import CliRunner``) are reachable too.
- **JavaScript/TypeScript**: the top-level code files (``index.js``, ``fastify.js``), else an ``index`` in
  ``src/`` or ``lib/``. What they import, require or export (``module.exports = {Foo}``) is the surface; a
  module they import whole opens its own public top-level definitions and imports (``index.js`` is often
  ``module.exports = require('./lib/express')``).
- **Go**: exported (capitalised) identifiers of packages outside ``internal/`` and outside ``main``; those of
  the outermost such package are what the front door names.

Then the surface grows through classes: the members of a surfaced class, its base classes (``Flask.route``
is defined on ``Scaffold``) and their members. A module that is itself on the surface is not: what it
holds counts only as above. Only Python and Go declare what is private, so only their files are judged
private for being out of reach (``declared``); in JavaScript an exported object hands out what no import
shows (``axios.interceptors``).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from compiler.analysis.graph import CodeGraph
from compiler.roles import file_role, language_family

_JS_INDEX = frozenset({"index", "main", "mod"})
_SURFACE_EDGES = frozenset({"imports", "references"})


@dataclass(frozen=True)
class Surface:
    """``front``: the definitions the front door itself names (``from jinja2 import Template``);
    ``reachable``: those plus what public modules hold and what classes open (members, bases)."""

    front: frozenset[str]
    reachable: frozenset[str]
    # files whose language declares what is private (Python's ``_`` and packages, Go's case and ``internal/``):
    # only there does "unreachable" mean private; a JavaScript object hands out what no import shows
    declared: frozenset[str] = frozenset()


def _front_doors(graph: CodeGraph) -> tuple[list[str], list[str], bool]:
    """(front-door module ids, other public module ids, whether Go's exported names decide)."""
    code = [f for f in graph.files if f.module and file_role(f.path) == "code"]
    doors: list[str] = []
    public: list[str] = []
    python_inits = [f for f in code if language_family(f.language) == "python" and f.path.endswith("/__init__.py")]
    if python_inits:
        top = min(f.path.count("/") for f in python_inits)
        packages = [posixpath.dirname(f.path) for f in python_inits if f.path.count("/") == top]
        doors += [f.module for f in python_inits if f.path.count("/") == top]
        public += [  # the package's public modules (``from click.testing import CliRunner``)
            f.module
            for f in code
            if f.path.endswith(".py")
            and any(f.path.startswith(p + "/") for p in packages)
            and not any(part.startswith("_") for part in f.path.split("/"))
        ]
    scripts = [f for f in code if language_family(f.language) == "javascript" and not f.path.endswith(".d.ts")]
    root = [f for f in scripts if "/" not in f.path]
    if not root:
        root = [
            f
            for f in scripts
            if posixpath.dirname(f.path) in ("src", "lib") and posixpath.basename(f.path).split(".")[0] in _JS_INDEX
        ]
    doors += [f.module for f in root]
    return doors, public, any(language_family(f.language) == "go" for f in code)


def public_surface(graph: CodeGraph) -> Surface | None:
    """The definitions a user reaches from the front door (see the module docstring), or None."""
    doors, public, go = _front_doors(graph)
    if not doors and not public and not go:
        return None
    symbols = graph.symbols
    family = {f.path: language_family(f.language) for f in graph.files}
    children: dict[str, list[str]] = {}
    for sid, sym in symbols.items():
        if sym.parent and sym.parent != sid and sym.kind != "module":
            children.setdefault(sym.parent, []).append(sid)

    def opened(module: str) -> list[str]:
        """A module imported whole: its public top-level definitions (and variables: ``exports.app = ...``)."""
        return [
            sid for sid in children.get(module, ()) if symbols[sid].public and not symbols[sid].name.startswith("_")
        ]

    front: set[str] = set(graph.exported)
    door_set = set(doors)
    reexports: list[str] = []
    for edge in graph.edges:
        if edge.source not in door_set or edge.kind not in _SURFACE_EDGES:
            continue
        target = symbols[edge.target]
        if target.kind == "module":
            front.update(opened(edge.target))
            if family.get(target.path) == "javascript":
                reexports.append(edge.target)
        else:
            front.add(edge.target)
    for door in doors:  # the door's own public definitions (``fastify.js``'s ``fastify``)
        front.update(opened(door))
    for module in reexports:  # ``index.js`` = ``require('./lib/express')``: express.js is a door too
        for edge in graph.edges_from(module):
            if edge.kind in _SURFACE_EDGES and symbols[edge.target].kind != "module":
                front.add(edge.target)
            elif edge.kind == "imports":
                front.update(opened(edge.target))
    found = set(front)
    for module in public:
        found.update(opened(module))
    if go:
        mains = {
            posixpath.dirname(f.path)
            for f in graph.files
            if any(s.name == "main" and s.kind == "function" for s in f.symbols)
        }
        packages: dict[str, list[str]] = {}
        for sid, sym in symbols.items():
            folder = posixpath.dirname(sym.path)
            if (
                family.get(sym.path) == "go"
                and sym.public
                and sym.kind != "module"
                and "internal" not in folder.split("/")
                and file_role(sym.path) == "code"
                and folder not in mains
            ):
                packages.setdefault(folder, []).append(sid)
                found.add(sid)
        if packages:  # the outermost package is the front door (``logrus.New``, ``cobra.Command``)
            top = min(f.count("/") + bool(f) for f in packages)
            front.update(sid for f, ids in packages.items() if f.count("/") + bool(f) == top
                         for sid in ids if symbols[sid].parent == graph.path_module.get(symbols[sid].path))  # fmt: skip
    # classes open their members and their bases
    stack = sorted(found)
    seen: set[str] = set()
    while stack:
        sid = stack.pop()
        if sid in seen or sid not in symbols:
            continue
        seen.add(sid)
        stack.extend(child for child in children.get(sid, ()) if symbols[child].public)
        stack.extend(edge.target for edge in graph.edges_from(sid) if edge.kind == "inherits")
    reachable = frozenset(sid for sid in seen if symbols[sid].kind != "module")
    if not reachable:  # a tool of ``main`` and ``internal/`` packages only: no library surface to judge by
        return None
    declared = frozenset(f.path for f in graph.files if family.get(f.path) in ("python", "go"))
    return Surface(front=frozenset(front) & reachable, reachable=reachable, declared=declared)
