"""Split a god-class into the ideas its methods name: ``Command.Flags``, ``LocalFlags``, ``ParseFlags``
are one idea ("Command flags"), ``Usage``, ``UsageString``, ``SetUsageTemplate`` another.

In: the members of one unit (a file or part of one) and the symbols. Out: the unit's members less
the families, and each family as (word, member ids). A family is a word (split from the method
names, verbs such as get/set/init left out) that at least ``FAMILY_MIN`` methods of a class with at
least ``CLASS_MIN`` methods share; each method joins the family of its rarest such word, so a small
idea is not swallowed by a broad one. Classes below the threshold are never split. ``big_classes`` gives each of several big classes of
one file (``Client`` and ``AsyncClient``) a unit of its own first.
"""

from __future__ import annotations

from collections import Counter

from compiler.model import Symbol
from compiler.text import split_words

CLASS_MIN = 30  # methods a class must have before its methods are grouped into ideas
BIG_CLASS = 15  # a file with two or more classes this big gives each its own unit (Client, AsyncClient)
FAMILY_MIN = 4  # methods a family must have
MAX_FAMILY_SHARE = 0.34  # a word most methods share (``request`` in a request class) is the class itself
_VERBS = frozenset(
    """
    get set is has init new add remove make do run to as on with for from by of the and or not
    default defaults mark validate check find build create update reset handle process call apply
    all any can should must use uses used string str bytes func fn value values name names
    """.split()
)


def method_families(members: list[str], symbols: dict[str, Symbol]) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """(members left with the unit, [(word, family members)]) — see the module docstring."""
    methods_of: dict[str, list[str]] = {}
    for sid in members:
        sym = symbols[sid]
        if sym.kind == "method" and sym.parent:
            methods_of.setdefault(sym.parent, []).append(sid)
    families: dict[tuple[str, str], list[str]] = {}
    for owner, methods in sorted(methods_of.items()):
        if len(methods) < CLASS_MIN:
            continue
        owner_words = set(split_words(symbols[owner].name)) if owner in symbols else set()
        words_of = {
            sid: [w for w in dict.fromkeys(split_words(symbols[sid].name.strip("_"))) if len(w) > 2]
            for sid in methods
        }
        counts = Counter(w for words in words_of.values() for w in words)
        usable = {
            w for w, n in counts.items()
            if n >= FAMILY_MIN and n <= MAX_FAMILY_SHARE * len(methods) and w not in _VERBS and w not in owner_words
        }  # fmt: skip
        for sid in methods:
            candidates = [w for w in words_of[sid] if w in usable]
            if candidates:
                word = min(candidates, key=lambda w: (counts[w], w))
                families.setdefault((owner, word), []).append(sid)
    kept = [(key, ids) for key, ids in sorted(families.items()) if len(ids) >= FAMILY_MIN]
    taken = {sid for _, ids in kept for sid in ids}
    nested = {sid for sid in members if symbols[sid].parent in taken}  # a method's own nested defs go with it
    rest = [sid for sid in members if sid not in taken and sid not in nested]
    out = []
    for (owner, word), ids in kept:
        group = set(ids)
        out.append((word, [sid for sid in members if sid in group or symbols[sid].parent in group]))
    return rest, out


def big_classes(members: list[str], symbols: dict[str, Symbol]) -> tuple[list[str], list[list[str]]]:
    """(members left with the unit, [one class and its members]) when the unit holds two or more classes
    of at least ``BIG_CLASS`` methods each: each such class is an idea of its own."""
    methods: Counter[str] = Counter(symbols[sid].parent for sid in members if symbols[sid].kind == "method")
    big = sorted(cid for cid, n in methods.items() if n >= BIG_CLASS and cid in symbols and symbols[cid].kind == "class")
    if len(big) < 2:
        return members, []
    owner_of: dict[str, str] = {}
    for sid in members:  # a member belongs to the big class it is nested in, however deep
        current = sid
        while current in symbols and current not in big:
            current = symbols[current].parent or ""
        if current in big:
            owner_of[sid] = current
    rest = [sid for sid in members if sid not in owner_of]
    return rest, [[sid for sid in members if owner_of.get(sid) == cid] for cid in big]
