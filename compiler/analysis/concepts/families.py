"""Split a god-class into the ideas its methods name: ``Command.Flags``, ``LocalFlags``, ``ParseFlags``
are one idea ("Command flags"), ``Usage``, ``UsageString``, ``SetUsageTemplate`` another.

In: the members of one unit (a file or part of one) and the symbols. Out: the unit's members less
the families, and each family as (word, member ids). A family is a word (split from the method
names, verbs such as get/set/init left out) that at least ``FAMILY_MIN`` methods of a class with at
least ``CLASS_MIN`` methods share; each method joins the family of its most shared such word
(``LocalFlags`` and ``InheritedFlags`` are flags, not "local" and "inherited" ideas of their own;
words shared by more than ``MAX_FAMILY_SHARE`` of the methods are the class itself; a module-level function
named like a family's method, Go's ``Parse()`` over the default set, joins it). Classes below the threshold are never split. ``big_classes`` gives each of several big classes of
one file (``Client`` and ``AsyncClient``) a unit of its own first. ``object_families`` splits a
JavaScript/TypeScript object literal of many methods (express's ``app``, ``res``, ``req``, whose
method names share no words) by the calls between its methods instead (``sibling_calls`` collects
them in one pass over the graph's edges). ``variant_families`` comes first: methods spelled alike across
stems (``Info``/``Infof``/``Infoln``, ``Warn``/``Warnf``/``Warnln``, ...) are one idea, not one per level.
"""

from __future__ import annotations

from collections import Counter

from compiler.model import Symbol
from compiler.text import split_words, variant_stems

CLASS_MIN = 30  # methods a class must have before its methods are grouped into ideas
BIG_CLASS = 15  # a file with two or more classes this big gives each its own unit (Client, AsyncClient)
ROOMY_CLASS = 6  # ... or this big, public, when the map has room (``big_classes``)
FAMILY_MIN = 4  # methods a family must have
MAX_FAMILY_SHARE = 0.34  # a word most methods share (``request`` in a request class) is the class itself
VERBS = frozenset(
    """
    get set is has init new add remove make do run to as on with for from by of the and or not
    default defaults mark validate check find build create update reset handle process call apply
    all any can should must use uses used string str bytes func fn value values name names
    """.split()
)


def methods_by_owner(members: list[str], symbols: dict[str, Symbol], owners=None) -> list[tuple[str, list[str]]]:
    """(owner, its methods among ``members`` in their order), owners sorted; only owners in ``owners`` when given."""
    methods_of: dict[str, list[str]] = {}
    for sid in members:
        sym = symbols[sid]
        if sym.kind == "method" and sym.parent and (owners is None or sym.parent in owners):
            methods_of.setdefault(sym.parent, []).append(sid)
    return sorted(methods_of.items())


def method_families(
    members: list[str], symbols: dict[str, Symbol], class_sizes: Counter[str] | None = None
) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """(members left with the unit, [(word, family members)]) — see the module docstring. ``class_sizes``
    (class -> methods in the whole code) lets a class whose methods span several files count them all."""
    families: dict[tuple[str, str], list[str]] = {}
    for owner, methods in methods_by_owner(members, symbols):
        if max(len(methods), (class_sizes or {}).get(owner, 0)) < CLASS_MIN:
            continue
        owner_words = set(split_words(symbols[owner].name)) if owner in symbols else set()
        words_of = {
            sid: [w for w in dict.fromkeys(split_words(symbols[sid].name.strip("_"))) if len(w) > 2] for sid in methods
        }
        counts = Counter(w for words in words_of.values() for w in words)
        usable = {
            w for w, n in counts.items()
            if n >= FAMILY_MIN and n <= MAX_FAMILY_SHARE * len(methods) and w not in VERBS and w not in owner_words
        }  # fmt: skip
        for sid in methods:
            candidates = [w for w in words_of[sid] if w in usable]
            if candidates:
                word = min(candidates, key=lambda w: (-counts[w], w))
                families.setdefault((owner, word), []).append(sid)
    kept = [(key, ids) for key, ids in sorted(families.items()) if len(ids) >= FAMILY_MIN]
    family_of = {symbols[sid].name: i for i, (_, ids) in enumerate(kept) for sid in ids}
    for sid in members:  # Go's ``Parse()`` over the default ``CommandLine`` set is ``FlagSet.Parse``'s idea
        sym = symbols[sid]
        owner = symbols.get(sym.parent) if sym.parent else None
        if sym.kind == "function" and (owner is None or owner.kind == "module") and sym.name in family_of:
            kept[family_of[sym.name]][1].append(sid)
    return split_off(members, [(word, ids) for (_owner, word), ids in kept], symbols)


def variant_families(
    members: list[str], symbols: dict[str, Symbol], class_sizes: Counter[str] | None = None
) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """(members left, [(stem, family)]): the methods of a big class that come in the same spellings across
    ``FAMILY_MIN`` or more stems are one idea, whatever the stem (logrus's ``Info``/``Infof``/``Infoln``,
    ``Warn``/``Warnf``/``Warnln``, ... and ``Log``/``Logf``/``Logln`` are "Logger log", not seven concepts),
    named after the shortest stem."""
    out: list[tuple[str, set[str]]] = []
    for owner, methods in methods_by_owner(members, symbols):
        if max(len(methods), (class_sizes or {}).get(owner, 0)) < CLASS_MIN:
            continue
        stems = variant_stems({symbols[sid].name for sid in methods})
        by_shape: dict[frozenset[str], set[str]] = {}
        for stem, shape in stems.values():
            by_shape.setdefault(shape, set()).add(stem)
        for _shape, group_stems in sorted(by_shape.items(), key=lambda kv: sorted(kv[1])):
            if len(group_stems) < FAMILY_MIN:
                continue
            group = {sid for sid in methods if stems.get(symbols[sid].name, ("", None))[0] in group_stems}
            head = min(group_stems, key=lambda stem: (len(stem), stem))
            out.append((split_words(head)[0] if split_words(head) else head.lower(), group))
    return split_off(members, out, symbols)


def big_classes(
    members: list[str], symbols: dict[str, Symbol], roomy: bool = False
) -> tuple[list[str], list[list[str]]]:
    """(members left with the unit, [one class and its members]) when the unit holds two or more classes
    of at least ``BIG_CLASS`` methods each: each such class is an idea of its own. In a ``roomy`` map (a small
    library whose files are far fewer than its concepts may be) two public classes of ``ROOMY_CLASS`` methods do
    (tenacity's ``BaseRetrying`` and ``RetryCallState``, both in ``__init__.py``)."""
    methods: Counter[str] = Counter(symbols[sid].parent for sid in members if symbols[sid].kind == "method")
    least = ROOMY_CLASS if roomy else BIG_CLASS
    big = sorted(
        cid
        for cid, n in methods.items()
        if n >= least and cid in symbols and symbols[cid].kind == "class" and (symbols[cid].public or not roomy)
    )
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


OBJECT_MIN = 12  # methods an object literal (``app``, ``res``, ``req``) must have before it is split
OBJECT_GROUP_MIN = 3  # methods a group must have to become an idea of its own
_SCRIPT_SUFFIXES = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx")


def sibling_calls(edges, symbols: dict[str, Symbol]) -> dict[str, list[tuple[str, str]]]:
    """Object (JS/TS variable or function with methods) -> the calls between its own methods, in one pass."""
    return _calls_within(
        edges,
        symbols,
        lambda owner: owner.kind in ("variable", "function") and owner.path.endswith(_SCRIPT_SUFFIXES),
    )


def _calls_within(edges, symbols: dict[str, Symbol], wanted) -> dict[str, list[tuple[str, str]]]:
    """Owner id -> the calls between two of its own methods, for the owners ``wanted(owner)`` accepts."""
    found: dict[str, list[tuple[str, str]]] = {}
    for edge in edges:
        if edge.kind != "calls":
            continue
        a, b = symbols.get(edge.source), symbols.get(edge.target)
        if a is None or b is None or a.kind != "method" or b.kind != "method" or a.parent != b.parent or a.id == b.id:
            continue
        owner = symbols.get(a.parent)
        if owner is not None and wanted(owner):
            found.setdefault(owner.id, []).append((a.id, b.id))
    return found


def group_word(group: list[str], head: str, symbols: dict[str, Symbol]) -> str:  # head: a method's name
    """The word a group of a class's methods shares most (verbs and the class's own words left out; ties go
    to the head method's words), else the head method's name: ``FlagUsages``, ``FlagUsagesWrapped`` -> usages."""
    owner = symbols.get(symbols[group[0]].parent or "")
    owner_words = set(split_words(owner.name)) if owner is not None else set()
    head_words = split_words(head.strip("_"))
    counts = Counter(
        w for sid in group if symbols[sid].kind == "method"
        for w in dict.fromkeys(split_words(symbols[sid].name.strip("_")))
        if len(w) > 2 and w not in VERBS and w not in owner_words
    )  # fmt: skip
    if not counts:
        return " ".join(head_words)
    return min(counts, key=lambda w: (-counts[w], w not in head_words, w))


UNNAMED_SHARE = 0.5  # a god-class whose word families leave more than this share of its methods splits by calls


def unnamed_classes(
    before: list[str], after: list[str], symbols: dict[str, Symbol], calls: dict[str, list[tuple[str, str]]]
) -> dict[str, list[tuple[str, str]]]:
    """The classes of ``calls`` whose method names said little: word families took at most half their methods
    (pflag's FlagSet: Lookup, PrintDefaults, MarkHidden share no words), with their calls."""
    total = Counter(symbols[sid].parent for sid in before if symbols[sid].kind == "method")
    left = Counter(symbols[sid].parent for sid in after if symbols[sid].kind == "method")
    return {owner: found for owner, found in calls.items() if left[owner] > UNNAMED_SHARE * total[owner]}


def class_calls(edges, symbols: dict[str, Symbol], class_sizes: Counter[str]) -> dict[str, list[tuple[str, str]]]:
    """Big class (``CLASS_MIN`` methods in all the code) -> the calls between its own methods, in one pass."""
    return _calls_within(
        edges,
        symbols,
        lambda owner: owner.kind in ("class", "type", "interface") and class_sizes[owner.id] >= CLASS_MIN,
    )


def object_families(
    members: list[str], symbols: dict[str, Symbol], calls: dict[str, list[tuple[str, str]]], keep_core: bool = False
) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """Split an object literal of many methods (express's ``app.use = function``, ``res.send = ...``)
    into the groups its methods' calls to each other form: greedy modularity over those calls, a call to
    a method many siblings call (``res.set``) weighing less. (members left, [(name, group members)]),
    each group named after the method its members call most (else its first)."""
    out: list[tuple[str, list[str]]] = []
    for owner, methods in methods_by_owner(members, symbols, calls):
        if len(methods) < OBJECT_MIN:
            continue
        present = set(methods)  # calls to methods another family took are no tie here
        between = [(a, b) for a, b in calls[owner] if a in present and b in present]
        groups = modularity_groups(sorted(methods), between)
        core = max(groups, key=len) if keep_core and groups else []  # a class keeps its biggest group
        for group in groups:
            if len(group) < OBJECT_GROUP_MIN or group is core:
                continue
            called = Counter(b for a, b in between if a in group and b in group)
            head = min(group, key=lambda sid: (-called[sid], symbols[sid].lines[0], sid))
            out.append((symbols[head].name, group))
    return split_off(members, out, symbols)


def split_off(
    members: list[str], out: list[tuple[str, list[str]]], symbols: dict[str, Symbol]
) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """(what stays, named groups in member order): each group takes the members nested in its own."""
    if not out:
        return members, []
    taken = {sid for _, group in out for sid in group}
    nested = {sid for sid in members if symbols[sid].parent in taken}
    rest = [sid for sid in members if sid not in taken and sid not in nested]
    groups = []
    for name, group in out:
        chosen = set(group)
        groups.append((name, [sid for sid in members if sid in chosen or symbols[sid].parent in chosen]))
    return rest, groups


def modularity_groups(
    nodes: list[str], calls: list[tuple[str, str]], shared: list[list[str]] | tuple = ()
) -> list[list[str]]:
    """Greedy modularity communities (Clauset-Newman-Moore) of the call graph between ``nodes``; each list of
    ``shared`` (methods touching one field, say) ties its k members pairwise by 1/(k - 1) more."""
    callers = Counter(b for _, b in set(calls))
    weight: dict[tuple[str, str], float] = {}
    for a, b in set(calls):
        key = (a, b) if a < b else (b, a)
        weight[key] = weight.get(key, 0.0) + 1.0 / callers[b]
    for group in shared:
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                key = (a, b) if a < b else (b, a)
                weight[key] = weight.get(key, 0.0) + 1.0 / (len(group) - 1)
    total = sum(weight.values())
    if total <= 0:
        return []
    community = {n: i for i, n in enumerate(nodes)}
    groups: dict[int, set[str]] = {i: {n} for i, n in enumerate(nodes)}
    degree = Counter()
    for (a, b), w in weight.items():
        degree[a] += w
        degree[b] += w
    strength = {i: degree[n] for i, n in enumerate(nodes)}
    between: dict[tuple[int, int], float] = {}  # weight between two communities, kept up to date as they merge
    touching: dict[int, set[int]] = {i: set() for i in groups}
    for (a, b), w in weight.items():
        x, y = sorted((community[a], community[b]))
        if x != y:
            between[(x, y)] = between.get((x, y), 0.0) + w
            touching[x].add(y)
            touching[y].add(x)
    while True:
        best = None  # the biggest gain, ties to the smallest pair
        for (x, y), w in between.items():
            gain = w / total - strength[x] * strength[y] / (2 * total * total)
            if gain > 1e-12 and (best is None or gain > best[0] or (gain == best[0] and (x, y) < best[1:])):
                best = (gain, x, y)
        if best is None:
            break
        _, x, y = best
        for n in groups[y]:
            community[n] = x
        groups[x] |= groups.pop(y)
        strength[x] += strength.pop(y)
        del between[(x, y)]
        touching[x].discard(y)
        for z in touching.pop(y) - {x}:
            w = between.pop((min(y, z), max(y, z)))
            key = (min(x, z), max(x, z))
            between[key] = between.get(key, 0.0) + w
            touching[z].discard(y)
            touching[z].add(x)
            touching[x].add(z)
    return [sorted(g, key=nodes.index) for _, g in sorted(groups.items())]
