"""Type declarations that mirror the code: ``typings/index.d.ts`` declares ``Command.option`` that
``lib/command.js`` defines. The declaration is the same idea as its implementation, not a concept of its own
(left alone, the declaration file, which names everything, becomes the most important concept of the map).

In: the code files' members (path -> symbol ids) and the symbols. Out: declaration symbol -> the
implementation symbol it declares, matched by qualified name (the id less its file's module), the longest
suffix that names exactly one implementation symbol (``Command.option``; a bare name only for a
module-level definition). Declarations with no implementation (interfaces of options, ``program``) join
the implementation file of the declaration file's name (``index.d.ts`` -> ``index.js``), else stay.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict

from compiler.model import Symbol

DECLARATION_SUFFIXES = (".d.ts", ".d.mts", ".d.cts")


def is_declaration_file(path: str) -> bool:
    return path.endswith(DECLARATION_SUFFIXES)


def _qualified(sym: Symbol, module_of: dict[str, str]) -> list[str]:
    module = module_of.get(sym.path, "")
    qualified = sym.id[len(module) + 1 :] if module and sym.id.startswith(module + ".") else sym.id
    return qualified.split(".")


def declaration_twins(by_path: dict[str, list[str]], symbols: dict[str, Symbol]) -> dict[str, str]:
    """Declaration symbol id -> implementation symbol id (see the module docstring)."""
    declared = sorted(p for p in by_path if is_declaration_file(p))
    if not declared or len(declared) == len(by_path):
        return {}
    module_of = {}
    for path, members in by_path.items():
        module_of[path] = next((sid for sid in members if symbols[sid].kind == "module"), "")
    index: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for path, members in sorted(by_path.items()):
        if is_declaration_file(path):
            continue
        for sid in members:
            sym = symbols[sid]
            if sym.kind == "module":
                continue
            parts = _qualified(sym, module_of)
            for k in range(1, len(parts) + 1):
                index[tuple(parts[-k:])].add(sid)
    twins: dict[str, str] = {}
    for path in declared:
        for sid in by_path[path]:
            sym = symbols[sid]
            if sym.kind == "module":
                continue
            parts = _qualified(sym, module_of)
            parent = symbols.get(sym.parent) if sym.parent else None
            member = parent is not None and parent.kind in ("class", "interface", "type")
            for k in range(len(parts), 0, -1):
                if k == 1 and member:
                    break  # ``option`` alone names too much: a member needs its class
                found = index.get(tuple(parts[-k:]), set())
                if len(found) == 1:
                    twins[sid] = next(iter(found))
                    break
                if len(found) > 1:
                    break
    # the rest (option interfaces, ``program``) describes the implementation file of the same name:
    # ``typings/index.d.ts`` -> ``index.js``, ``pino.d.ts`` -> ``pino.js``
    stems: dict[str, list[str]] = defaultdict(list)
    for path in sorted(by_path):
        if not is_declaration_file(path) and module_of.get(path):
            stems[_stem(path)].append(path)
    for path in declared:
        same = stems.get(_stem(path), [])
        nearest = sorted(same, key=lambda p: (posixpath.dirname(p) != posixpath.dirname(path), p.count("/"), p))
        if not nearest:
            continue
        for sid in by_path[path]:
            if sid not in twins:
                twins[sid] = module_of[nearest[0]]
    return twins


def _stem(path: str) -> str:
    return posixpath.basename(path).split(".", 1)[0]
