"""Link the facts of every file into one code graph: symbols by id, and weighted edges.

Edges point from the user to the used definition, so PageRank over them makes heavily
used definitions important. Edge weights (what one link is worth; names and calls are resolved by ``resolver.py`` and ``calls.py``):

* ``inherits`` 2.0 — a subclass depends on everything its base does.
* ``calls`` 1.0 when resolved through scope, imports, ``self``/``this`` or base classes;
  0.7 when resolved by a heuristic (the receiver's name matches a class, or the name is
  unique in the caller's module); 0.4 when only the method name is unique in the
  repository. Ambiguous calls are dropped: a wrong edge is worse than a missing one.
  Repeated calls between the same pair count ``weight * sqrt(count)``.
* ``imports`` 0.5 — a module to what it imports (a symbol when the name resolves, else
  the module).
* ``contains`` 0.3 — module to top-level definition, class to method.
* ``references`` 0.7 — a class or function named as a value (``cls=Option``, ``context_class =
  Context``, ``arr.map(helper)``): it is used, though never called there.

A call that resolves to nothing is counted by the name it calls (``unresolved``), so a definition
with no resolved callers reads as "callers unknown", not "never called", when calls by its name
were left unresolved.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field, replace

from compiler.analysis.calls import Resolver, called_name
from compiler.model import Edge, FileFacts, Symbol
from compiler.roles import file_role, language_family

INHERITS_WEIGHT = 2.0
IMPORT_WEIGHT = 0.5
CONTAINS_WEIGHT = 0.3
REFERENCE_WEIGHT = 0.7
_CALLABLE = ("function", "method", "class")


@dataclass(frozen=True)
class CodeGraph:
    """All symbols of the repository (modules included) and the edges between them."""

    files: tuple[FileFacts, ...]  # sorted by path
    symbols: dict[str, Symbol]  # id -> symbol, in a stable order (file path, then line)
    edges: tuple[Edge, ...]  # sorted by (source, target, kind)
    path_module: dict[str, str] = field(default_factory=dict)  # code file path -> module id
    module_paths: dict[str, tuple[str, ...]] = field(default_factory=dict)  # module id -> its files
    exported: frozenset[str] = frozenset()  # definitions named in an export list (__all__, module.exports)
    error_classes: frozenset[str] = frozenset()  # exception classes (by name or by ancestry)
    # (name, count) of calls that resolved to nothing, for names a definition here bears, by name:
    # a definition without callers may still be called under one of these
    unresolved: tuple[tuple[str, int], ...] = ()

    def edges_from(self, symbol_id: str) -> tuple[Edge, ...]:
        """Edges leaving ``symbol_id`` (indexed on first use)."""
        index = self.__dict__.get("_out_index")
        if index is None:
            built: dict[str, list[Edge]] = defaultdict(list)
            for edge in self.edges:
                built[edge.source].append(edge)
            index = {k: tuple(v) for k, v in built.items()}
            object.__setattr__(self, "_out_index", index)
        return index.get(symbol_id, ())


# ---------------------------------------------------------------------------
# symbols


def _better_module(candidate: Symbol, current: Symbol) -> bool:
    def score(sym: Symbol) -> tuple:
        return (not sym.doc, file_role(sym.path) != "code", sym.path)

    return score(candidate) < score(current)


def collect_symbols(files: list[FileFacts]) -> dict[str, Symbol]:
    """Every symbol by id; a module symbol is made for code files whose facts lack one.

    When two definitions share an id (``@overload``, a property setter) the first one, by
    path then line, is kept. A Go package is one module over many files: its module symbol
    comes from the file with the package doc (``doc.go``), else the first non-test file.
    """
    symbols: dict[str, Symbol] = {}
    for facts in files:
        for sym in facts.symbols:
            if sym.kind == "module" and sym.id in symbols and _better_module(sym, symbols[sym.id]):
                symbols[sym.id] = sym
        has_module_symbol = any(s.id == facts.module for s in facts.symbols)
        if facts.module and not has_module_symbol and facts.module not in symbols:
            symbols[facts.module] = Symbol(
                id=facts.module,
                name=facts.module.rsplit(".", 1)[-1],
                kind="module",
                path=facts.path,
                lines=(1, max(1, facts.lines)),
            )
        for sym in sorted(facts.symbols, key=lambda s: (s.lines[0], s.lines[1], s.id)):
            if sym.id in symbols:
                continue
            if sym.parent is None and sym.kind != "module" and facts.module and sym.id != facts.module:
                sym = replace(sym, parent=facts.module)
            symbols[sym.id] = sym
    return symbols


# ---------------------------------------------------------------------------
# the graph


def link(facts: list[FileFacts]) -> CodeGraph:
    """Build the code graph: resolve imports, calls, bases and containment into edges."""
    files = sorted(facts, key=lambda f: f.path)
    symbols = collect_symbols(files)
    resolver = Resolver(files, symbols)
    for f in files:
        resolver.bind_imports(f)

    # source -> (target, kind) -> weight: grouped by source, the edges sort source by source,
    # which is much faster than sorting a million (source, target, kind) triples
    weights: dict[str, dict[tuple[str, str], float]] = defaultdict(dict)
    call_counts: dict[tuple[str, str], list[float]] = defaultdict(list)
    references: dict[tuple[str, str], float] = {}
    unresolved: dict[str, int] = defaultdict(int)  # callee as written -> calls of it that resolved to nothing

    def add(source: str, target: str, kind: str, weight: float) -> None:
        if source == target or source not in symbols or target not in symbols:
            return
        out = weights[source]
        old = out.get((target, kind), 0.0)
        out[(target, kind)] = weight if weight > old else old  # max(old, weight), without the call

    # contains (a symbol is keyed by its id, so only the parent needs checking)
    for sid, sym in symbols.items():
        parent = sym.parent
        if parent and parent != sid and parent in symbols and sym.kind != "module":
            weights[parent][(sid, "contains")] = CONTAINS_WEIGHT

    # imports
    for f in files:
        if not f.module or f.module not in symbols:
            continue
        targets: set[str] = set(resolver.import_targets.get(f.module, {}))
        for local, binding in sorted(resolver.bindings.get(f.module, {}).items()):
            if binding.member is None:
                targets.add(binding.module)
            else:
                targets.add(resolver.binding_target(f.module, local) or binding.module)
        for target in sorted(targets):
            if target in symbols and resolver.module_of(symbols[target]) != f.module:
                add(f.module, target, "imports", IMPORT_WEIGHT)

    # inherits
    for sym in symbols.values():
        if sym.bases:
            for base in resolver.bases(sym.id):
                add(sym.id, base, "inherits", INHERITS_WEIGHT)

    # calls (in any order: every binding and base class is settled by now, so resolving one call
    # changes nothing another call sees, and call_counts is order-free)
    resolver.settle()
    for f in files:
        family = language_family(f.language)
        for call in f.calls:
            caller = call.caller if call.caller in symbols else f.module
            if not caller or caller not in symbols:
                continue
            if call.reference:
                found = resolver.resolve_reference(caller, call.callee, f.module)
                if found is not None:
                    references[(caller, found)] = REFERENCE_WEIGHT
                continue
            resolved = resolver.resolve_call(caller, call.callee, f.module, family)
            if resolved is None or resolved[0] not in symbols:
                unresolved[call.callee] += 1  # by name below: a callee as written recurs
                continue
            target, weight = resolved
            if target == caller:
                continue
            call_counts[(caller, target)].append(weight)
    for (source, target), found in call_counts.items():  # one edge per pair: the order does not matter
        add(source, target, "calls", max(found) * math.sqrt(len(found)))
    for (source, target), weight in references.items():
        add(source, target, "references", weight)

    exported: set[str] = set()
    for f in files:
        for name in f.exports or ():
            target = resolver.lookup(f.module, name) if f.module else None
            if target and target in symbols:
                exported.add(target)

    rounded = {w: round(w, 6) for out in weights.values() for w in set(out.values())}  # round() is slow
    edges = tuple(
        [
            Edge(source, target, kind, rounded[out[target, kind]])
            for source, out in sorted(weights.items())  # sources are unique: no dict is compared
            for target, kind in sorted(out)
        ]
    )
    module_paths: dict[str, list[str]] = defaultdict(list)
    for f in files:
        if f.module:
            module_paths[f.module].append(f.path)
    return CodeGraph(
        files=tuple(files),
        symbols=symbols,
        edges=edges,
        path_module={f.path: f.module for f in files if f.module},
        module_paths={m: tuple(p) for m, p in sorted(module_paths.items())},
        exported=frozenset(exported),
        error_classes=_error_classes(symbols, edges),
        unresolved=_unresolved_names(unresolved, symbols, resolver.by_name),
    )


def _unresolved_names(
    unresolved: dict[str, int], symbols: dict[str, Symbol], by_name: dict[str, list[str]]
) -> tuple[tuple[str, int], ...]:
    """(called name, count) for the names a function, method or class of the repository bears, by name."""
    counts: dict[str, int] = defaultdict(int)
    for callee, count in unresolved.items():
        counts[called_name(callee)] += count
    return tuple(
        (name, count)
        for name, count in sorted(counts.items())
        if not name.startswith("__")  # dunders run implicitly (``Foo()`` calls ``__init__``)
        and any(symbols[sid].kind in _CALLABLE for sid in by_name.get(name, ()))
    )


_ERROR_SUFFIXES = ("Error", "Exception", "Warning", "Exit", "Abort", "Failure", "Fault")


def _error_classes(symbols: dict[str, Symbol], edges: tuple[Edge, ...]) -> frozenset[str]:
    """Classes named like exceptions, deriving from one as written, or from one in the repository."""
    found = {
        sid
        for sid, sym in symbols.items()
        if sym.kind == "class"
        and (
            sym.name.endswith(_ERROR_SUFFIXES) or any(b.rsplit(".", 1)[-1].endswith(_ERROR_SUFFIXES) for b in sym.bases)
        )
    }
    inherits = [(e.source, e.target) for e in edges if e.kind == "inherits"]
    changed = True
    while changed:
        changed = False
        for child, base in inherits:
            if base in found and child not in found:
                found.add(child)
                changed = True
    return frozenset(found)
