"""Resolve names across files: imports to modules and symbols, base classes, and calls to their callee.

In: every file's ``FileFacts`` and the symbols by id (``graph.collect_symbols``).
Out: ``Resolver`` answers ``resolve_module``, ``lookup``, ``resolve_dotted``, ``resolve_base``,
``mro_lookup`` and ``resolve_call`` (callee id and the weight of the call edge: 1.0 when resolved
through scope, imports, ``self``/``this`` or base classes; 0.7 by a heuristic; 0.4 when only the
method name is unique in the repository; None when ambiguous). ``graph.link`` builds the edges with it.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass

from compiler.model import FileFacts, Symbol
from compiler.roles import file_role, language_family

_CLASS_KINDS = ("class", "interface", "type")
_JS_EXTENSIONS = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts")

# ---------------------------------------------------------------------------
# import resolution


@dataclass
class _Binding:
    """A name bound in a module by an import: a whole module, or a member of one."""

    module: str
    member: str | None = None


_UNKNOWN = object()  # not looked up yet (None is an answer: not found)


class NameResolver:
    """Resolves imports, names, base classes and calls against the repository's symbols."""

    def __init__(self, files: list[FileFacts], symbols: dict[str, Symbol]):
        self.files = files
        self.symbols = symbols
        self.modules = sorted({f.module for f in files if f.module and f.module in symbols})
        self.module_set = set(self.modules)
        self.path_module = {f.path: f.module for f in files if f.module}
        self.module_family = {f.module: language_family(f.language) for f in files if f.module}
        self.children: dict[str, dict[str, str]] = defaultdict(dict)
        self.by_name: dict[str, list[str]] = defaultdict(list)
        self.by_module_name: dict[tuple[str, str], list[str]] = defaultdict(list)
        # JavaScript constructor functions and prototype objects hold methods too: they act as classes
        self.containers: set[str] = set()
        for sid, sym in symbols.items():  # one pass over (maybe half a million) symbols for all four
            parent, kind = sym.parent, sym.kind
            if parent and sid != parent:
                # a name's plain id (``logrus.checkIfTerminal``) wins over variants of it (Go build-tagged
                # files: ``logrus.checkIfTerminal.terminal_check_windows``), else the first one
                siblings = self.children[parent]
                if sym.name not in siblings or sid == f"{parent}.{sym.name}":
                    siblings[sym.name] = sid
            if kind in _CLASS_KINDS:
                self.containers.add(sid)
            elif kind == "method" and parent in symbols:
                self.containers.add(parent)
            if kind != "module":
                if file_role(sym.path) == "code":
                    self.by_name[sym.name].append(sid)
                self.by_module_name[(self.path_module.get(sym.path, ""), sym.name)].append(sid)
        self.classes_by_lower_name: dict[str, list[str]] = defaultdict(list)
        for sid in sorted(self.containers):
            if symbols[sid].kind != "module":
                self.classes_by_lower_name[symbols[sid].name.lower()].append(sid)
        self.bindings: dict[str, dict[str, _Binding]] = defaultdict(dict)
        self.star_imports: dict[str, list[str]] = defaultdict(list)
        self.import_targets: dict[str, dict[str, str]] = defaultdict(dict)  # module -> target -> kind
        self.bases_cache: dict[str, list[str]] = {}
        self.receiver_cache: dict[str, list[str]] = {}
        # class names reversed and sorted: the classes whose name ends with a receiver's name
        # are one contiguous range (a scan of every class per receiver is quadratic)
        self._reversed_class_names = sorted(name[::-1] for name in self.classes_by_lower_name)
        # the calls phase only reads settled state (every binding and base class is known), so
        # these lookups depend on their arguments alone and are memoised
        self._receiver_hits: dict[tuple[str, str], list[str]] = {}
        self._definers: dict[str, set[str]] | None = None  # method name -> classes defining it
        self._ancestry: dict[str, frozenset[str]] = {}  # class -> itself and every base it inherits from
        self._receiver_index: dict[str, dict[str, list[str]]] = {}  # receiver -> ancestor -> owners under it
        self._unique_name_cache: dict[tuple[str, str], tuple[str, float] | None] = {}
        self._default_export_cache: dict[tuple[str, str], str] = {}
        self._by_receiver_cache: dict[tuple[str, str, str], tuple[str, float] | None] = {}
        self._enclosing: dict[str, str | None] = {}
        self._settled = False  # see settle()
        self._dotted_cache: dict[tuple[str, tuple[str, ...]], tuple[bool, str | None]] = {}
        self._lookup_cache: dict[tuple[str, str], str | None] = {}
        self._cleaned: dict[str, tuple[str, list[str]]] = {}  # callee as written -> clean text, its parts
        # module id -> the modules whose id ends with ``.suffix``, for every dot-boundary suffix
        self._module_suffixes: dict[str, list[str]] = defaultdict(list)
        for module in self.modules:
            parts = module.split(".")
            for start in range(1, len(parts)):
                self._module_suffixes[".".join(parts[start:])].append(module)
        self._path_suffixes: dict[str, set[str]] | None = None  # built on the first ``@/`` import
        self._go_dirs = self._go_package_dirs()
        self._go_dir_module = dict(self._go_dirs)

    # ---- modules -------------------------------------------------------
    def _go_package_dirs(self) -> list[tuple[str, str]]:
        dirs: dict[str, str] = {}
        for f in self.files:
            if language_family(f.language) == "go" and f.module:
                dirs.setdefault(posixpath.dirname(f.path), f.module)
        # longest directory first so the most specific suffix wins
        return sorted(dirs.items(), key=lambda item: (-len(item[0]), item[0]))

    def resolve_module(self, facts: FileFacts, spec: str) -> str | None:
        """The module id an import string refers to, or None when it is outside the repository."""
        family = language_family(facts.language)
        spec = spec.strip()
        if not spec:
            return None
        if family == "python":
            return self._resolve_python_module(facts, spec)
        if family == "javascript":
            return self._resolve_js_module(facts, spec)
        if family == "go":
            return self._resolve_go_module(spec)
        return self._suffix_module(spec.replace("/", "."))

    def _resolve_python_module(self, facts: FileFacts, spec: str) -> str | None:
        dots = len(spec) - len(spec.lstrip("."))
        rest = spec[dots:]
        if dots:
            package = facts.module.split(".")
            if not facts.path.endswith("__init__.py"):
                package = package[:-1]
            if dots - 1 > len(package):
                return None
            package = package[: len(package) - (dots - 1)]
            target = ".".join([*package, *([rest] if rest else [])])
            return target if target in self.module_set else None
        if rest in self.module_set:
            return rest
        # ``pkg.mod`` for a module the front end called ``src.pkg.mod``; never a single name,
        # or ``import json`` would land on ``flask.json``
        return self._suffix_module(rest) if "." in rest else None

    def _suffix_module(self, dotted: str) -> str | None:
        """A unique module whose id ends with ``.dotted`` (e.g. ``src.pkg.mod`` for ``pkg.mod``)."""
        found = self._module_suffixes.get(dotted, ())
        return found[0] if len(found) == 1 else None

    def _resolve_js_module(self, facts: FileFacts, spec: str) -> str | None:
        if spec.startswith("."):
            base = posixpath.normpath(posixpath.join(posixpath.dirname(facts.path), spec))
            return self._js_path_module(base)
        for prefix in ("@/", "~/", "/"):
            if spec.startswith(prefix):
                tail = spec[len(prefix) :]
                suffixes = self._path_suffix_index()
                found = sorted(set().union(*(suffixes.get(cand, ()) for cand in _js_candidates(tail))))
                return found[0] if len(found) == 1 else None
        return None

    def _path_suffix_index(self) -> dict[str, set[str]]:
        """Every path, and every tail of it after a ``/``, -> the modules of the paths that end so."""
        if self._path_suffixes is None:
            index: dict[str, set[str]] = defaultdict(set)
            for path, module in self.path_module.items():
                index[path].add(module)
                for position, char in enumerate(path):
                    if char == "/":
                        index[path[position + 1 :]].add(module)
            self._path_suffixes = dict(index)
        return self._path_suffixes

    def _js_path_module(self, base: str) -> str | None:
        for candidate in _js_candidates(base):
            module = self.path_module.get(candidate)
            if module:
                return module
        return None

    def _resolve_go_module(self, spec: str) -> str | None:
        # the package directory that is the longest ``/``-suffix of the import path: the
        # import path itself, then what follows each ``/``, longest first
        tails = [spec] + [spec[position + 1 :] for position, char in enumerate(spec) if char == "/"]
        for tail in tails:
            module = self._go_dir_module.get(tail) if tail else None
            if module:
                return module
        # the repository's root package: its import path is the go.mod module path, which
        # ends with the root package's name more often than not
        root = self._go_dir_module.get("")
        if root and "/" in spec and spec.rsplit("/", 1)[-1] == root.rsplit(".", 1)[-1]:
            return root
        return None

    # ---- bindings ------------------------------------------------------
    def bind_imports(self, facts: FileFacts) -> None:
        """Record the names each import binds in the importing module."""
        family = language_family(facts.language)
        module = facts.module
        if not module:
            return
        for imp in sorted(facts.imports, key=lambda i: (i.line, i.module, i.names, i.alias or "")):
            target = self.resolve_module(facts, imp.module)
            if family == "python" and target is None and not imp.names:
                continue
            if target is None:
                # ``from pkg import submodule`` where pkg has no __init__ module of its own
                if family == "python" and imp.names:
                    self._bind_python_submodules(facts, imp)
                continue
            bound = self.bindings[module]
            names = [n for n in imp.names if n]
            if not names:
                if family == "python" and not imp.alias:
                    # ``import a.b.c`` binds ``a`` and makes ``a.b.c`` reachable
                    top = imp.module.split(".")[0]
                    if top in self.module_set:
                        bound.setdefault(top, _Binding(top))
                    bound.setdefault(imp.module, _Binding(target))
                else:
                    local = imp.alias or _default_local_name(imp.module, family)
                    bound[local] = _Binding(target)
                self.import_targets[module].setdefault(target, "module")
                continue
            if imp.alias and len(names) == 1 and names[0] in ("*", "default"):
                bound[imp.alias] = _Binding(target)
                self.import_targets[module].setdefault(target, "module")
                continue
            for raw in names:
                original, local = _split_alias(raw)
                if original == "*":
                    self.star_imports[module].append(target)
                    self.import_targets[module].setdefault(target, "module")
                    continue
                if original == "default":
                    bound[local if local != "default" else (imp.alias or "default")] = _Binding(target)
                    self.import_targets[module].setdefault(target, "module")
                    continue
                if len(names) == 1 and imp.alias:
                    local = imp.alias
                bound[local] = _Binding(target, original)
            # a member import's edge target is decided in link(), once every binding is known

    def _bind_python_submodules(self, facts: FileFacts, imp) -> None:
        dots = len(imp.module) - len(imp.module.lstrip("."))
        for raw in imp.names:
            original, local = _split_alias(raw)
            spec = (
                imp.module + ("" if imp.module.endswith(".") else ".") + original
                if dots
                else f"{imp.module}.{original}"
            )
            target = self._resolve_python_module(facts, spec)
            if target:
                self.bindings[facts.module][local] = _Binding(target)
                self.import_targets[facts.module].setdefault(target, "module")

    def member(self, container: str, name: str, depth: int = 0) -> str | None:
        """The id ``name`` means inside ``container`` (a module or class), following re-exports."""
        if depth > 6:
            return None
        child = self.children.get(container, {}).get(name)
        if child:
            return child
        candidate = f"{container}.{name}"
        if candidate in self.symbols:
            return candidate
        if container in self.module_set:
            if name in self.bindings.get(container, {}):
                return self.binding_target(container, name, depth + 1)
            for star in self.star_imports.get(container, []):
                found = self.member(star, name, depth + 1)
                if found:
                    return found
        else:
            sym = self.symbols.get(container)
            if sym is not None and sym.kind in _CLASS_KINDS:
                for base in self.bases(container):
                    found = self.member(base, name, depth + 1)
                    if found:
                        return found
        return None

    def binding_target(self, module: str, local: str, depth: int = 0) -> str | None:
        binding = self.bindings.get(module, {}).get(local)
        if binding is None:
            return None
        if binding.member is None:
            return binding.module
        found = self.member(binding.module, binding.member, depth)
        if found:
            return found
        submodule = f"{binding.module}.{binding.member}"
        return submodule if submodule in self.module_set else None

    def lookup(self, module: str, name: str) -> str | None:
        """What a bare ``name`` means at module level: a definition, an import, a star import.

        In JavaScript an import wins: ``exports.Router = ...`` defines ``module.Router`` without
        binding the name ``Router``, which still means the imported one.
        """
        if not self._settled:
            return self._lookup(module, name)
        key = (module, name)
        found = self._lookup_cache.get(key, _UNKNOWN)
        if found is _UNKNOWN:
            found = self._lookup_cache[key] = self._lookup(module, name)
        return found

    def _lookup(self, module: str, name: str) -> str | None:
        if self.module_family.get(module) == "javascript" and name in self.bindings.get(module, {}):
            found = self.binding_target(module, name)
            if found:
                return found
        child = self.children.get(module, {}).get(name)
        if child:
            return child
        if name in self.bindings.get(module, {}):
            return self.binding_target(module, name)
        for star in self.star_imports.get(module, []):
            found = self.member(star, name)
            if found:
                return found
        return None

    def default_export(self, module: str, local_name: str) -> str:
        """What calling a whole module means: the definition named like the binding, or its only one."""
        key = (module, local_name)
        if key not in self._default_export_cache:
            self._default_export_cache[key] = self._default_export(module, local_name)
        return self._default_export_cache[key]

    def _default_export(self, module: str, local_name: str) -> str:
        children = self.children.get(module, {})
        if local_name in children:
            return children[local_name]
        for name, child in sorted(children.items()):
            if name.lower() == local_name.lower():
                return child
        callables = sorted(child for child in children.values() if self.symbols[child].kind in ("function", "class"))
        return callables[0] if len(callables) == 1 else module

    # ---- classes -------------------------------------------------------
    def resolve_base(self, sym: Symbol, written: str) -> str | None:
        expr = re.sub(r"\[.*$|<.*$|\(.*$", "", written).strip().lstrip("*")
        if not expr or "=" in expr:
            return None
        module = self.module_of(sym)
        found = self.resolve_dotted(module, expr.split("."), scope=sym.parent)
        if found and found != sym.id and self.symbols.get(found, sym).kind in _CLASS_KINDS:
            return found
        return None

    def bases(self, class_id: str) -> list[str]:
        """Resolved base classes of ``class_id``, in declaration order."""
        if class_id in self.bases_cache:
            return self.bases_cache[class_id]
        self.bases_cache[class_id] = []  # guards against inheritance cycles
        sym = self.symbols.get(class_id)
        resolved: list[str] = []
        if sym is not None:
            for written in sym.bases:
                base = self.resolve_base(sym, written)
                if base and base not in resolved:
                    resolved.append(base)
        self.bases_cache[class_id] = resolved
        return resolved

    def mro_lookup(self, class_id: str, name: str) -> str | None:
        """``name`` defined on ``class_id`` or one of its bases (breadth first)."""
        seen: set[str] = set()
        queue = [class_id]
        while queue:
            current = queue.pop(0)
            if current in seen:
                continue
            seen.add(current)
            child = self.children.get(current, {}).get(name)
            if child:
                return child
            queue.extend(self.bases(current))
        return None

    def module_of(self, sym: Symbol) -> str:
        return self.path_module.get(sym.path, "")

    def enclosing_class(self, symbol_id: str) -> str | None:
        if symbol_id not in self._enclosing:  # asked once per call: a function makes dozens
            self._enclosing[symbol_id] = self._enclosing_class(symbol_id)
        return self._enclosing[symbol_id]

    def _enclosing_class(self, symbol_id: str) -> str | None:
        current = self.symbols.get(symbol_id)
        for _ in range(20):
            if current is None:
                return None
            if current.id in self.containers and current.kind != "module" and current.id != symbol_id:
                return current.id
            if current.kind in _CLASS_KINDS:
                return current.id
            if current.kind == "module" or not current.parent:
                return None
            current = self.symbols.get(current.parent)
        return None

    # ---- names and calls -------------------------------------------------
    def settle(self) -> None:
        """Memoise name lookups from now on: every import is bound and every base class resolved."""
        # until then a lookup may see a base class list still being resolved (an inheritance
        # cycle); afterwards a name's meaning depends on the name alone, and half a million
        # calls ask about the same few hundred thousand names
        self._settled = True

    def resolve_dotted(self, module: str, parts: list[str], scope: str | None = None) -> str | None:
        """Resolve ``a.b.c`` as written in ``module`` (optionally inside ``scope``)."""
        if not parts or not module:
            return None
        if not self._settled:
            return self._resolve_dotted(module, parts, scope)
        key = (module, tuple(parts))
        entry = self._dotted_cache.get(key)
        if entry is None:
            entry = self._dotted_cache[key] = self._resolve_in_module(module, parts)
        through_import, found = entry
        if through_import or not scope:
            return found
        # an enclosing definition (a nested function, the class of a method) shadows the module's
        current = self._in_scope(module, parts[0], scope)
        return found if current is None else self._members(current, parts[1:])

    def _resolve_in_module(self, module: str, parts: list[str]) -> tuple[bool, str | None]:
        """(through an import?, what ``a.b.c`` means in ``module`` outside any enclosing scope)."""
        bound = self.bindings.get(module, {})
        for i in range(len(parts), 1, -1):
            prefix = ".".join(parts[:i])
            if prefix in bound:
                current = self.binding_target(module, prefix)
                if current is not None:
                    return True, self._members(current, parts[i:])
                break
        current = self.lookup(module, parts[0])
        return False, (None if current is None else self._members(current, parts[1:]))

    def _in_scope(self, module: str, head: str, scope: str | None) -> str | None:
        current = None
        scope_id = scope
        while scope_id and scope_id != module and current is None:
            current = self.children.get(scope_id, {}).get(head)
            parent = self.symbols.get(scope_id)
            scope_id = parent.parent if parent else None
        return current

    def _members(self, current: str, names: list[str]) -> str | None:
        for name in names:
            current = self.member(current, name)
            if current is None:
                return None
        return current

    def _resolve_dotted(self, module: str, parts: list[str], scope: str | None) -> str | None:
        current = None
        consumed = 0
        bound = self.bindings.get(module, {})
        # the longest dotted prefix bound by an import (``import a.b.c``)
        for i in range(len(parts), 1, -1):
            prefix = ".".join(parts[:i])
            if prefix in bound:
                current = self.binding_target(module, prefix)
                consumed = i
                break
        if current is None:
            head = parts[0]
            scope_id = scope
            while scope_id and scope_id != module and current is None:
                current = self.children.get(scope_id, {}).get(head)
                parent = self.symbols.get(scope_id)
                scope_id = parent.parent if parent else None
            if current is None:
                current = self.lookup(module, head)
            consumed = 1
        if current is None:
            return None
        for name in parts[consumed:]:
            current = self.member(current, name)
            if current is None:
                return None
        return current


def _js_candidates(base: str) -> list[str]:
    base = base.rstrip("/")
    candidates = [base]
    candidates += [base + ext for ext in _JS_EXTENSIONS]
    candidates += [f"{base}/index{ext}" for ext in _JS_EXTENSIONS]
    return candidates


def _split_alias(raw: str) -> tuple[str, str]:
    """``a as b`` / ``a: b`` -> (a, b); ``a`` -> (a, a)."""
    raw = raw.strip()
    for sep in (" as ", ":"):
        if sep in raw:
            original, local = raw.split(sep, 1)
            return original.strip(), local.strip()
    return raw, raw


def _default_local_name(spec: str, family: str) -> str:
    """The name an un-aliased import binds: Go's last path element, JS's file stem."""
    tail = spec.rstrip("/").rsplit("/", 1)[-1]
    if family == "go" and re.fullmatch(r"v\d+", tail) and "/" in spec.rstrip("/"):
        tail = spec.rstrip("/").rsplit("/", 2)[-2]
    tail = tail.split(".")[0]
    return tail.replace("-", "_")
