"""Resolve a call to its callee: the name resolver of ``resolver.py`` plus the call heuristics.

In: the caller's id, the callee as written (``self.app.route``, ``new Router``), its module and
language family. Out: ``Resolver.resolve_call`` -> (callee id, edge weight) or None. Weights: 1.0
when resolved through scope, imports, ``self``/``this`` or base classes; 0.7 by a heuristic (the
receiver's name matches a class, or the name is unique in the caller's module); 0.4 when only the
method name is unique in the repository. Ambiguous calls give None: a wrong edge is worse than none.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict

from compiler.analysis.resolver import NameResolver

CALL_WEIGHT = 1.0
HEURISTIC_CALL_WEIGHT = 0.7
UNIQUE_NAME_CALL_WEIGHT = 0.4

# Method names so common on built-in types that a unique repository definition with the
# same name is far more likely a coincidence (``headers.get``) than the callee.
_COMMON_METHODS = frozenset(
    """
    get set add pop put append extend insert remove clear copy update keys values items
    join split strip lstrip rstrip format replace lower upper startswith endswith encode
    decode read write close open flush seek send recv find index count sort reverse
    push shift unshift slice splice concat includes indexOf map filter reduce forEach some
    every then catch finally call apply bind toString valueOf length has delete emit on
    once off next run start stop wait match search sub group exists load dump dumps loads
    log debug info warn warning error exception critical print fetch test exec parse
    setdefault readline readlines lock unlock Lock Unlock String Error Close Read Write
    Get Set Add Len Less Swap Done Err Value Next
    """.split()
)


_VALUE_KINDS = ("class", "function", "method")


class Resolver(NameResolver):
    """Names and imports (``NameResolver``) plus call resolution."""

    def resolve_reference(self, caller: str, name: str, module: str) -> str | None:
        """The class or function a name used as a value means (``cls=Option``, ``this.handle``), or None.

        Only what the scope, the imports and ``self``/``this`` say: no name heuristics, since a
        value is far more often a variable than a definition.
        """
        parts = [p for p in name.split(".") if p]
        if not parts:
            return None
        if parts[0] in ("self", "this", "cls"):
            klass = self.enclosing_class(caller) if caller in self.symbols else None
            found = self.mro_lookup(klass, parts[1]) if klass and len(parts) == 2 else None
        else:
            found = self.resolve_dotted(module, parts, scope=caller if caller in self.symbols else None)
            if found and found in self.module_set and self.module_family.get(module) == "javascript":
                found = self.default_export(found, parts[-1])  # register(Router), Router = require('./router')
        if found is None or found == caller or self.symbols[found].kind not in _VALUE_KINDS:
            return None
        return found

    def resolve_call(self, caller: str, callee: str, module: str, family: str) -> tuple[str, float] | None:
        """The definition a call refers to and how sure we are, or None."""
        cleaned = self._cleaned.get(callee)
        if cleaned is None:
            text = _clean_callee(callee)
            cleaned = self._cleaned[callee] = (text, [p for p in text.split(".") if p])
        text, parts = cleaned
        if not text:
            return None
        caller_sym = self.symbols.get(caller)
        scope = caller if caller_sym is not None else None
        klass = self.enclosing_class(caller) if caller_sym is not None else None
        chained = "(" in text or "[" in text
        if text.startswith("super()."):
            name = text[len("super().") :].split(".")[0]
            if klass:
                for base in self.bases(klass):
                    found = self.mro_lookup(base, name)
                    if found:
                        return found, CALL_WEIGHT
            return None
        if chained:
            # ``make().send`` — the receiver's type is unknown: only the name is left
            return self._by_unique_name(text.rsplit(".", 1)[-1], family, module)
        if not parts:
            return None
        if parts[0] in ("self", "this", "cls") and len(parts) >= 2:
            if len(parts) == 2:
                if klass:
                    found = self.mro_lookup(klass, parts[1])
                    return (found, CALL_WEIGHT) if found else None
                if family == "javascript":
                    # prototype-style code: a function of the same module with that name
                    return self._same_module_name(parts[1], module)
                return None
            # ``self.transport.send``: the attribute's type is unknown
            return self._by_receiver_name(parts[-2], parts[-1], family, module)
        found = self.resolve_dotted(module, parts, scope=scope)
        if found and found in self.module_set:
            # calling a module (``const Router = require('./router'); new Router()``): its default export
            found = self.default_export(found, parts[-1])
        if found:
            return found, CALL_WEIGHT  # the caller itself when it recurses: resolved, and no edge
        if len(parts) == 1:
            if family == "javascript":
                return self._same_module_name(parts[0], module)
            return None
        if family == "go" and klass and len(parts) == 2 and parts[0] not in self.bindings.get(module, {}):
            # Go receivers have arbitrary names (``s.lock()``): try the caller's own type first
            found = self.mro_lookup(klass, parts[1])
            if found:
                return found, HEURISTIC_CALL_WEIGHT
        if parts[0] in self.bindings.get(module, {}) or self.lookup(module, parts[0]):
            # a known module or class without that member: probably dynamic, leave it
            return None
        return self._by_receiver_name(parts[-2], parts[-1], family, module)

    def _same_module_name(self, name: str, module: str) -> tuple[str, float] | None:
        found = self.by_module_name.get((module, name), [])
        if len(found) == 1:
            return found[0], HEURISTIC_CALL_WEIGHT
        return None

    def _by_receiver_name(self, receiver: str, name: str, family: str, module: str) -> tuple[str, float] | None:
        # the module does not change the answer (see _by_unique_name)
        key = (receiver, name, family)
        if key not in self._by_receiver_cache:
            self._by_receiver_cache[key] = self._by_receiver(receiver, name, family, module)
        return self._by_receiver_cache[key]

    def _by_receiver(self, receiver: str, name: str, family: str, module: str) -> tuple[str, float] | None:
        receiver = receiver.lstrip("_").lower()
        if len(receiver) >= 3:
            hits = self._receiver_methods(receiver, name)
            if len(hits) == 1:
                return hits[0], HEURISTIC_CALL_WEIGHT
        return self._by_unique_name(name, family, module)

    def _receiver_owners(self, receiver: str) -> list[str]:
        """Classes whose lower-case name ends with ``receiver`` (``transport`` -> HTTPTransport), sorted."""
        if receiver not in self.receiver_cache:
            names = self._reversed_class_names
            backwards = receiver[::-1]
            owners: list[str] = []
            for position in range(bisect.bisect_left(names, backwards), len(names)):
                if not names[position].startswith(backwards):
                    break
                owners.extend(self.classes_by_lower_name[names[position][::-1]])
            self.receiver_cache[receiver] = sorted(owners)
        return self.receiver_cache[receiver]

    def _receiver_methods(self, receiver: str, name: str) -> list[str]:
        """The distinct definitions of ``name`` on (or inherited by) the classes ``receiver`` may be."""
        key = (receiver, name)
        if key not in self._receiver_hits:
            if self._definers is None:
                self._definers = defaultdict(set)
                for container in self.containers:
                    for child_name in self.children.get(container, ()):
                        self._definers[child_name].add(container)
            definers = self._definers.get(name)
            hits: set[str] = set()
            if definers:
                # hundreds of classes end with ``backend``; only those inheriting a definition of
                # ``name`` need the breadth-first lookup, and an index by ancestor finds them
                under = self._owners_by_ancestor(receiver)
                if len(definers) < len(under):
                    bearers = [under[d] for d in definers if d in under]
                else:
                    bearers = [owners for ancestor, owners in under.items() if ancestor in definers]
                for owner in set().union(*bearers):
                    found = self.mro_lookup(owner, name)
                    if found:
                        hits.add(found)
            self._receiver_hits[key] = sorted(hits)
        return self._receiver_hits[key]

    def _owners_by_ancestor(self, receiver: str) -> dict[str, list[str]]:
        """For the classes ``receiver`` may be: each class they are or inherit from -> those classes."""
        if receiver not in self._receiver_index:
            index: dict[str, list[str]] = defaultdict(list)
            for owner in self._receiver_owners(receiver):
                for ancestor in self._ancestors(owner):
                    index[ancestor].append(owner)
            self._receiver_index[receiver] = dict(index)
        return self._receiver_index[receiver]

    def _ancestors(self, class_id: str) -> frozenset[str]:
        """``class_id`` and every class ``mro_lookup`` visits from it."""
        if class_id not in self._ancestry:
            seen = {class_id}
            queue = [class_id]
            while queue:
                for base in self.bases(queue.pop()):
                    if base not in seen:
                        seen.add(base)
                        queue.append(base)
            self._ancestry[class_id] = frozenset(seen)
        return self._ancestry[class_id]

    def _by_unique_name(self, name: str, family: str, module: str) -> tuple[str, float] | None:
        # the module does not change the answer: a unique name is unique repository-wide
        key = (name, family)
        if key not in self._unique_name_cache:
            self._unique_name_cache[key] = self._unique_name(name, family)
        return self._unique_name_cache[key]

    def _unique_name(self, name: str, family: str) -> tuple[str, float] | None:
        if not name or name in _COMMON_METHODS or name.startswith("__") or len(name) < 3:
            return None
        candidates = [
            sid
            for sid in self.by_name.get(name, [])
            if self.symbols[sid].kind in ("method", "function")
            and self.module_family.get(self.module_of(self.symbols[sid])) == family
        ]
        if len(candidates) == 1:
            return candidates[0], UNIQUE_NAME_CALL_WEIGHT
        return None


def called_name(callee: str) -> str:
    """The name a call asks for, as written (``self.client.send()`` -> ``send``, ``new Foo`` -> ``Foo``)."""
    return _clean_callee(callee).rsplit(".", 1)[-1].rstrip("()[]")


_CALL_PREFIXES = ("new ", "await ", "yield ", "go ", "defer ")
_GENERIC_ARGUMENTS = re.compile(r"<[^<>()]*>")


def _clean_callee(callee: str) -> str:
    text = callee.strip()
    if text.startswith(_CALL_PREFIXES):  # the common case skips the loop; the loop's order matters
        for prefix in _CALL_PREFIXES:
            if text.startswith(prefix):
                text = text[len(prefix) :].strip()
    text = text.replace("?.", ".").replace("!.", ".")
    if "<" in text:  # one call in a million has generic arguments; the regex costs every call
        text = _GENERIC_ARGUMENTS.sub("", text)
    if text.startswith("super(") and ")." in text:
        text = "super()." + text.split(").", 1)[1]
    elif text.startswith("super."):
        text = "super()." + text[len("super.") :]
    text = text.rstrip("()")
    return text.strip(".")
