"""Split what is left of a god-class once its word families and call groups are out (its *core*) into the ideas
its methods share state, names and calls for: commander's ``Command`` core keeps ``hook``, ``_chainOrCallHooks``
and ``_chainOrCallSubCommandHook`` together because they all touch ``this._lifeCycleHooks``, and ``exitOverride``
with ``_exit`` because both touch ``this._exitCallback``; pflag's ``FlagSet`` core gives ``Arg``, ``Args``,
``NArg`` (``f.args``) and ``MarkHidden``, ``MarkDeprecated``, ``MarkShorthandDeprecated`` (one leading word).

In: the members left with a unit, the symbols (their excerpts are read for fields), the calls between each big
class's methods. Out: the members left (the core) and [(the group's word, group members)].

The signals hold across languages: a method's *fields* are the names read or written through its receiver
(``self.x`` in Python and Rust, ``this.x`` in JavaScript/TypeScript and the rest, ``f.x`` for Go's ``func (f *FlagSet)``; a call
``self.x()`` is a call, not state), its *words* the words of its name (a trailing ``s`` dropped: ``Arg`` and
``Args`` are one word). Two methods are tied by each field and each word they share, weighing 1/(k - 1) for
one k methods share (a field every method touches says nothing), and by their calls (weighing like
``object_families``'); a docs section that names several methods the docs name nowhere else ties them too
(``configureOutput`` and ``exitOverride`` under "Override exit and output handling"). Greedy modularity over those
ties cuts the core; a group of ``GROUP_MIN`` methods or more is an idea of its own when the docs teach
``DOCS_MIN`` of its methods or one leading word few other methods bear names them all (``Mark*``); the rest,
internals, stays the class, and so does the constructor (it touches every field). A group is named by the word
its methods share most (``hook``).
"""

from __future__ import annotations

import re
from collections import Counter

from compiler.analysis.concepts.families import VERBS, methods_by_owner, modularity_groups, split_off
from compiler.analysis.concepts.mentions import PACKAGE_DOC, is_docs
from compiler.model import Section, Symbol
from compiler.roles import file_role
from compiler.text import split_words

CORE_MIN = 15  # methods a class's core must still hold before it is split further
GROUP_MIN = 3  # methods a group must have to become an idea of its own
DOCS_RARE = 2  # a method the docs name in more sections than this (``name``, ``action``) ties nothing by docs
DOCS_MIN = 2  # methods of a group the docs must name for it to be an idea a user learns (not internals)
MAX_TIE_SHARE = 0.25  # a field or word more than this share of the core's methods touch is the class itself
MAX_TIE = 24  # ... and so is one more methods than an idea holds touch (it also bounds the ties: k * k / 2 each)
_CONSTRUCTORS = frozenset({"constructor", "__init__", "__new__", "__post_init__", "init", "Init"})
_GO_RECEIVER = re.compile(r"^\s*func\s*\(\s*(\w+)\s+\*?\s*[\w.\[\]]+\s*\)")


def _receiver(sym: Symbol) -> str | None:
    """The name a method reaches its own object's fields through."""
    if sym.path.endswith(".go"):
        found = _GO_RECEIVER.match(sym.signature or sym.excerpt)
        return found.group(1) if found else None
    if sym.path.endswith((".py", ".pyi", ".rs")):
        return "self"
    return "this"


def method_fields(sym: Symbol) -> frozenset[str]:
    """The fields a method reads or writes through its receiver, from its excerpt (calls left out)."""
    receiver = _receiver(sym)
    if not receiver or not sym.excerpt:
        return frozenset()
    pattern = re.compile(rf"\b{re.escape(receiver)}\.([A-Za-z_]\w*)\b(?!\s*\()")
    return frozenset(pattern.findall(sym.excerpt))


def _stem(word: str) -> str:
    """``args`` -> arg, ``aliases`` -> alias; ``alias``, ``class``, ``status`` stay."""
    if word.endswith("ses") and len(word) > 4:
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is", "as")) and len(word) > 3:
        return word[:-1]
    return word


def _name_forms(name: str) -> dict[str, str]:
    """Stem -> the word as the name spells it, for the words of a method name (two letters or less left out)."""
    return {_stem(word): word for word in split_words(name.strip("_")) if len(word) > 2}


def _name_words(name: str) -> set[str]:
    return set(_name_forms(name))


def _lead_word(name: str) -> str:
    words = split_words(name.strip("_"))
    return _stem(words[0]) if words else ""


def _group_word(group: list[str], symbols: dict[str, Symbol], owner_words: set[str], taught: Counter[str]) -> str:
    """The word most of a group's method names share (``hook``, ``_chainOrCallHooks``: hook; verbs and the class's
    own words left out), ties to the word of the methods the docs teach most, else the first method's name."""
    bearers: dict[str, list[str]] = {}
    spellings: Counter[tuple[str, str]] = Counter()
    for sid in group:
        for stem, word in _name_forms(symbols[sid].name).items():
            if stem not in owner_words and stem not in VERBS:
                bearers.setdefault(stem, []).append(symbols[sid].name)
                spellings[stem, word] += 1
    if not bearers:
        return " ".join(split_words(symbols[group[0]].name.strip("_")))
    stem = min(bearers, key=lambda w: (-len(bearers[w]), -sum(taught[name] for name in bearers[w]), w))
    return max((n, len(word), word) for (s, word), n in spellings.items() if s == stem)[2]  # the usual spelling


def core_groups(
    members: list[str],
    symbols: dict[str, Symbol],
    calls: dict[str, list[tuple[str, str]]],
    documented: list[frozenset[str]],
) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """(members left, [(word, group members)]) for each class of ``calls`` whose core in ``members``
    holds ``CORE_MIN`` methods or more (see the module docstring); a group the docs name fewer than ``DOCS_MIN``
    methods of (``documented``: the names each docs section writes) stays with the core."""
    taught = Counter(name for names in documented for name in names)
    out: list[tuple[str, list[str]]] = []
    for owner, methods in methods_by_owner(members, symbols, calls):
        nodes = sorted(sid for sid in methods if symbols[sid].name not in _CONSTRUCTORS)
        if len(nodes) < CORE_MIN:
            continue
        present = set(nodes)
        ties = [(a, b) for a, b in calls[owner] if a in present and b in present]
        owner_words = _name_words(symbols[owner].name) if owner in symbols else set()
        sharing: dict[str, list[str]] = {}
        for sid in nodes:
            for field in method_fields(symbols[sid]):
                sharing.setdefault(f"field:{field}", []).append(sid)
            for word in _name_words(symbols[sid].name) - owner_words:
                sharing.setdefault(f"word:{word}", []).append(sid)
        by_name: dict[str, list[str]] = {}
        for sid in nodes:
            by_name.setdefault(symbols[sid].name, []).append(sid)
        for number, names in enumerate(documented):  # a docs section that names several methods together
            rare = {name for name in names & by_name.keys() if taught[name] <= DOCS_RARE}
            sharing[f"docs:{number}"] = [sid for name in sorted(rare) for sid in by_name[name]]
        limit = max(GROUP_MIN, min(MAX_TIE, MAX_TIE_SHARE * len(nodes)))
        shared = [sids for _, sids in sorted(sharing.items()) if 2 <= len(sids) <= limit]
        groups = modularity_groups(nodes, ties, shared)
        if len(groups) < 2:
            continue
        lead = {sid: _lead_word(symbols[sid].name) for sid in nodes}
        for group in groups:
            if len(group) < GROUP_MIN:
                continue
            leads = {lead[sid] for sid in group}
            one_word = len(leads) == 1 and sum(1 for sid in nodes if lead[sid] in leads) <= limit
            if sum(1 for sid in group if taught[symbols[sid].name]) < DOCS_MIN and not one_word:
                continue  # neither taught by the docs nor led by one word few others bear (``Mark*``): internals
            out.append((_group_word(group, symbols, owner_words, taught), group))
    return split_off(members, out, symbols)


_DOTTED = re.compile(r"\.([A-Za-z_]\w*)|`([A-Za-z_][\w.]*)(?:\(\))?`")


def documented_names(sections: list[Section]) -> list[frozenset[str]]:
    """Per docs section (pages and package docs; changelogs left out), the names it writes as methods a user
    calls (``.hook(``, ``cmd.Flags``) or in backticks (the last dotted part of ```program.option()```)."""
    found = []
    for section in sections:
        if section.anchor == PACKAGE_DOC or (is_docs(section.path) and file_role(section.path) in ("code", "docs")):
            names = {dotted or ticked.rsplit(".", 1)[-1] for dotted, ticked in _DOTTED.findall(section.text)}
            if names:
                found.append(frozenset(names))
    return found
