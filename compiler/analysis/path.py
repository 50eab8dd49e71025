"""Entry points (where a reader starts in the code) and the learning path (what to learn first)."""

from __future__ import annotations

import heapq
import posixpath

from compiler.analysis.graph import CodeGraph
from compiler.analysis.order import NEVER, teaching_key
from compiler.model import Concept, FileFacts
from compiler.roles import file_role, language_family

_MAIN_NAMES = frozenset({"main", "cli"})
_JS_INDEX = frozenset({"index.js", "index.ts", "index.mjs", "index.cjs", "main.js", "main.ts", "mod.ts"})


def is_entry_file(facts: FileFacts, top_packages: set[str]) -> bool:
    """A file a reader starts from: CLI mains, a package's public ``__init__``/``index.js``, Go ``main``."""
    if file_role(facts.path) != "code" or not facts.module:
        return False
    if facts.is_entry_point:
        return True
    name = posixpath.basename(facts.path)
    directory = posixpath.dirname(facts.path)
    family = language_family(facts.language)
    if family == "python":
        return name in ("__main__.py", "cli.py") or (name == "__init__.py" and facts.module in top_packages)
    if family == "javascript":
        return (name in _JS_INDEX and directory in ("", "src", "lib")) or directory.split("/")[0] == "bin"
    if family == "go":
        return any(s.name == "main" and s.kind == "function" for s in facts.symbols)
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
    found: set[str] = set()
    for facts in graph.files:
        if not is_entry_file(facts, top_packages):
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
