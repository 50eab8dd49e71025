"""Entry points (where a reader starts in the code) and the learning path (what to learn first).

In: the ``CodeGraph`` and the symbols' importance; the concepts, their doc mentions and public shares.
Out: ``find_entry_points`` -> entry symbol ids (entry modules and their ``main`` functions);
``learning_path`` -> concept ids in the order to learn them.

A Go repository is an application when a ``main`` package lies outside its tooling folders
(``_GO_TOOLING``, and what ``file_role`` does not call code: examples, tools, scripts, tests); its
mains are where a reader starts. Otherwise it is a library: its root package (the one in the
shallowest folder that holds code, when that folder is alone at its depth) is the entry, with the
commands under ``cmd/`` that ship with it; a build script's or an example's ``main`` is not.
"""

from __future__ import annotations

import heapq
import posixpath

from compiler.analysis.graph import CodeGraph
from compiler.analysis.order import NEVER, teaching_key
from compiler.model import Concept, FileFacts
from compiler.roles import file_role, language_family

_MAIN_NAMES = frozenset({"main", "cli"})
_JS_INDEX = frozenset({"index.js", "index.ts", "index.mjs", "index.cjs", "main.js", "main.ts", "mod.ts"})
# Go folders whose ``main`` packages build, generate or demonstrate the code rather than being it.
_GO_TOOLING = frozenset({"cmd", "internal", "hack", "ci", "tools", "tool", "scripts", "examples", "example"})
_GO_COMMANDS = "cmd"  # a library's own commands: still a place to start


def _is_go_main(facts: FileFacts) -> bool:
    return facts.is_entry_point or any(s.name == "main" and s.kind == "function" for s in facts.symbols)


def _in_go_tooling(path: str) -> bool:
    return any(part in _GO_TOOLING or part.startswith("_") for part in path.split("/")[:-1])


def go_library_root(files: list[FileFacts] | tuple[FileFacts, ...]) -> str | None:
    """The root package's module id when the Go code is a library (see the module docstring), else None."""
    go = [f for f in files if f.module and language_family(f.language) == "go" and file_role(f.path) == "code"]
    outside = [f for f in go if not _in_go_tooling(f.path)]
    if not outside or any(_is_go_main(f) for f in outside):
        return None
    folders = {posixpath.dirname(f.path): f.module for f in outside}
    depth = {folder: folder.count("/") + (folder != "") for folder in folders}
    shallowest = min(depth.values())
    top = [folder for folder in folders if depth[folder] == shallowest]
    return folders[top[0]] if len(top) == 1 else None


def is_entry_file(facts: FileFacts, top_packages: set[str], go_library: str | None = None) -> bool:
    """A file a reader starts from: CLI mains, a package's public ``__init__``/``index.js``, Go ``main``,
    or a Go library's root package (``go_library``: its module id, from ``go_library_root``)."""
    if file_role(facts.path) != "code" or not facts.module:
        return False
    family = language_family(facts.language)
    if family == "go" and go_library is not None:
        return facts.module == go_library or (_is_go_main(facts) and facts.path.split("/")[0] == _GO_COMMANDS)
    if facts.is_entry_point:
        return True
    name = posixpath.basename(facts.path)
    directory = posixpath.dirname(facts.path)
    if family == "python":
        return name in ("__main__.py", "cli.py") or (name == "__init__.py" and facts.module in top_packages)
    if family == "javascript":
        return (name in _JS_INDEX and directory in ("", "src", "lib")) or directory.split("/")[0] == "bin"
    if family == "go":
        return _is_go_main(facts)
    return False


def find_entry_points(graph: CodeGraph, importance: dict[str, float]) -> tuple[str, ...]:
    """Entry-point symbol ids, most important first: entry modules and their ``main`` functions."""
    python_packages = sorted(
        f.module for f in graph.files if f.path.endswith("__init__.py") and file_role(f.path) == "code"
    )
    # a top package is one whose parent is not itself a package of this repository
    package_set = set(python_packages)
    top_packages = {m for m in python_packages if m.rsplit(".", 1)[0] not in package_set or "." not in m}
    mains: dict[str, list[str]] = {}  # path -> its main/cli functions (one pass, not one per entry file)
    for sym in graph.symbols.values():
        if sym.name in _MAIN_NAMES and sym.kind == "function":
            mains.setdefault(sym.path, []).append(sym.id)
    go_library = go_library_root(graph.files)
    found: set[str] = set()
    for facts in graph.files:
        if not is_entry_file(facts, top_packages, go_library):
            continue
        if facts.module in graph.symbols and graph.symbols[facts.module].path == facts.path:
            found.add(facts.module)
        found.update(mains.get(facts.path, ()))
    return tuple(sorted(found, key=lambda sid: (-importance.get(sid, 0.0), sid)))


def _inherited_mentions(concepts, mentions: dict[str, int]) -> dict[str, float]:
    """A prerequisite is learnt just before what needs it: it takes the earliest mention of its dependents."""
    first: dict[str, float] = dict(mentions)
    for _ in range(len(concepts)):  # longest chain of prerequisites, at most
        changed = False
        for concept in concepts:
            mine = first.get(concept.id)
            if mine is None:
                continue
            for prerequisite in concept.prerequisites:
                if first.get(prerequisite, float("inf")) > mine:
                    first[prerequisite] = mine
                    changed = True
        if not changed:
            break
    return first


def learning_path(
    concepts: tuple[Concept, ...] | list[Concept],
    mentions: dict[str, int] | None = None,
    weights: dict[str, float] | None = None,
) -> tuple[str, ...]:
    """A topological order of the prerequisite graph; among concepts ready to learn, the first in the teaching
    order (``order.teaching_key``): the one the docs mention first (``mentions``: concept id -> first mention;
    a prerequisite counts the first mention of what needs it), then the one of most teaching weight
    (``weights``: concept id -> ``order.teaching_weight``, public importance; tests and examples have none;
    missing: its importance).
    Computed prerequisites follow the same order, so the path is that order wherever no author's
    ``requires:`` says otherwise."""
    known = {c.id: c for c in concepts}
    weight = weights or {}
    first = _inherited_mentions(concepts, mentions or {})

    def key(cid: str) -> tuple:
        importance = known[cid].importance
        return teaching_key(cid, first.get(cid, NEVER), weight.get(cid, importance), importance)

    waiting = {c.id: {p for p in c.prerequisites if p in known and p != c.id} for c in concepts}
    dependents: dict[str, list[str]] = {c.id: [] for c in concepts}
    for concept_id, prerequisites in waiting.items():
        for prerequisite in prerequisites:
            dependents[prerequisite].append(concept_id)
    ready = [key(cid) for cid, pre in waiting.items() if not pre]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        *_, concept_id = heapq.heappop(ready)
        order.append(concept_id)
        for dependent in sorted(dependents[concept_id]):
            waiting[dependent].discard(concept_id)
            if not waiting[dependent]:
                heapq.heappush(ready, key(dependent))
    # a cycle that slipped through (should not happen: prerequisites are made acyclic)
    leftovers = sorted((cid for cid in known if cid not in order), key=lambda cid: (-known[cid].importance, cid))
    return tuple(order + leftovers)
