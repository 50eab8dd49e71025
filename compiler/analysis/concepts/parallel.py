"""Parallel files: many files of one folder with the same symbol shape are one idea, not one idea each.

pflag's ``int.go``, ``bool.go``, ``ip_slice.go`` ... (forty of them) each define a value type named after the
file (``intValue`` with ``Set``/``Type``/``String``, ``newIntValue``, ``intConv``) and the same methods on a
class defined elsewhere (``FlagSet.Int``, ``IntVar``, ``IntP``, ``GetInt``). Cut file by file they fill the
map with forty copies of one idea.

In: the code files' members (path -> symbol ids), the symbols and the graph. Out: the files taken and
``ParallelUnit`` s: one unit for the files' own definitions ("Value types"), and one per group of the
methods they add to an outside class (``FlagSet.<T>``, ``<T>Var``, ``<T>P`` together; ``Get<T>`` apart).

How. A symbol's *template* is its name with the file's stem replaced by ``{}`` (``GetInt`` in ``int.go``
-> ``get {}``; ``intValue.Set`` -> ``{} value.set``). Templates that at least ``PARALLEL_MIN`` files of one
folder share are the shape (it must hold a type or methods: functions alone are no shape); a file whose symbols are mostly such templates is parallel, and files sharing
at least ``LINK_TEMPLATES`` templates form a family. Methods of an outside class are grouped by their
template (a slot); two slots are one idea when, in most files holding both, their members call each
other or call the same thing (``Int`` calls ``IntVarP``, ``IntVar`` and ``IntVarP`` both call ``VarP``;
``GetInt`` calls ``getFlagType``). Module-level functions that mirror such a method (``Int`` beside
``FlagSet.Int``) join its slot. A file holding the shape for two variants of its stem (``bytes.go``: ``BytesHex``
and ``BytesBase64``, ``bytesHexValue``) joins when its names fit the shape with the stem and a qualifier as ``{}``.
"""

from __future__ import annotations

import posixpath
from collections import Counter, defaultdict
from dataclasses import dataclass

from compiler.analysis.concepts.naming import plural
from compiler.analysis.concepts.units import DisjointSets, file_stem
from compiler.analysis.graph import CodeGraph
from compiler.model import Symbol
from compiler.text import split_words

PARALLEL_MIN = 4  # files of one folder that must share a template before it is a shape
SHAPED_SHARE = 0.5  # a parallel file has at least this share of its definitions in shared templates
LINK_TEMPLATES = 3  # parallel files sharing this many templates are one family
SLOT_LINK_SHARE = 0.5  # two slots are one idea when linked in at least this share of the files holding both
GROUP_MIN = 3  # members a group of slots needs to stand apart from the files' own definitions
_TYPE_KEYS = ("class:", "interface:", "type:")


@dataclass(frozen=True)
class ParallelUnit:
    """One idea out of a family of parallel files: its key, members and ``Cluster.family`` title."""

    key: str
    members: tuple[str, ...]
    family: str
    summary: str


def _stems(path: str) -> set[str]:
    words = split_words(file_stem(path).strip("_"))
    joined = "".join(words)
    return {s for s in (joined, joined.rstrip("s")) if len(s) >= 2}


def _stem_runs(words: list[str], stems: set[str]) -> list[tuple[int, int]]:
    """(first, last) of each run of ``words`` that spells one of the file's ``stems``."""
    longest = max((len(s) for s in stems), default=0)
    runs = []
    for i in range(len(words)):
        spelled = ""
        for j in range(i, len(words)):
            spelled += words[j]
            if len(spelled) > longest:
                break
            if spelled in stems:
                runs.append((i, j))
    return runs


def _template(name: str, stems: set[str]) -> str | None:
    """``name`` with its longest run of words spelling the file's stem replaced by ``{}``, or None."""
    words = split_words(name)
    runs = _stem_runs(words, stems)
    if not runs:
        return None
    first, last = max(runs, key=lambda run: (run[1] - run[0], -run[0]))  # the longest, the first of equals
    return " ".join(words[:first] + ["{}"] + words[last + 1 :])


def _variant_templates(name: str, stems: set[str]) -> list[str]:
    """``name`` with a run of words that starts by spelling the file's stem, and may go on with a qualifier, replaced by
    ``{}``: ``bytesHexValue`` in ``bytes.go`` -> ``{} hex value``, ``{} value``; shortest run first."""
    words = split_words(name)
    return [
        " ".join(words[:first] + ["{}"] + words[end + 1 :])
        for first, last in _stem_runs(words, stems)
        for end in range(last, len(words))
    ]


def _variant_key(sym: Symbol, symbols: dict[str, Symbol], stems: set[str], shared: set[str]) -> str:
    """The shape's key ``sym`` takes in a file holding the shape for two variants of its stem (``bytes.go``: BytesHex
    and BytesBase64), else its own key."""
    names = _variant_templates(sym.name, stems) + [sym.name.lower()]
    parent = symbols.get(sym.parent) if sym.parent else None
    if sym.kind == "method" and parent is not None:
        inside = parent.path == sym.path
        owners = (_variant_templates(parent.name, stems) + [parent.name.lower()]) if inside else [parent.id]
        candidates = [f"{owner}|{name}" for owner in owners for name in names]
    else:
        candidates = [f"{sym.kind}:{name}" for name in names]
    return next((c for c in candidates if c in shared), _key(sym, symbols, stems))


def _key(sym: Symbol, symbols: dict[str, Symbol], stems: set[str]) -> str:
    name = _template(sym.name, stems) or sym.name.lower()
    parent = symbols.get(sym.parent) if sym.parent else None
    if sym.kind == "method" and parent is not None:
        owner = (_template(parent.name, stems) or parent.name.lower()) if parent.path == sym.path else parent.id
        return f"{owner}|{name}"
    return f"{sym.kind}:{name}"


def parallel_units(
    by_path: dict[str, list[str]], symbols: dict[str, Symbol], graph: CodeGraph
) -> tuple[set[str], list[ParallelUnit]]:
    """(paths taken, units) for the families of parallel files among ``by_path`` (see the module docstring)."""
    keys: dict[str, dict[str, str]] = {}  # path -> symbol -> template key
    for path, members in by_path.items():
        stems = _stems(path)
        if stems:
            keys[path] = {sid: _key(symbols[sid], symbols, stems) for sid in members if symbols[sid].kind != "module"}
    holders: dict[tuple[str, str], set[str]] = defaultdict(set)  # (folder, key) -> paths
    for path, found in keys.items():
        for key in set(found.values()):
            if "{}" in key:
                holders[(posixpath.dirname(path), key)].add(path)
    shape: dict[str, set[str]] = {}
    for path, found in keys.items():
        folder = posixpath.dirname(path)
        shared = {k for k in found.values() if len(holders.get((folder, k), ())) >= PARALLEL_MIN}
        covered = sum(1 for k in found.values() if k in shared)
        typed = any("|" in k or k.startswith(_TYPE_KEYS) for k in shared)  # a shape is types, not just functions
        if found and typed and covered >= SHAPED_SHARE * len(found):
            shape[path] = shared
    shapes: dict[str, set[str]] = defaultdict(set)  # folder -> the keys of its shape
    for path, shared in shape.items():
        shapes[posixpath.dirname(path)] |= shared
    for path in sorted(set(keys) - set(shape)):  # a file with the shape twice over, for two variants of its stem
        folder_shape = shapes.get(posixpath.dirname(path))
        if folder_shape:
            stems = _stems(path)
            found = {sid: _variant_key(symbols[sid], symbols, stems, folder_shape) for sid in keys[path]}
            shared = {k for k in found.values() if k in folder_shape}
            if sum(1 for k in found.values() if k in shared) >= SHAPED_SHARE * len(found):
                keys[path], shape[path] = found, shared
    sets = DisjointSets(shape)
    ordered = sorted(shape)
    by_folder: dict[str, list[str]] = defaultdict(list)
    for path in ordered:
        by_folder[posixpath.dirname(path)].append(path)
    for folder_paths in by_folder.values():  # families never cross folders
        for i, a in enumerate(folder_paths):
            for b in folder_paths[i + 1 :]:
                if len(shape[a] & shape[b]) >= LINK_TEMPLATES:
                    sets.union(a, b)
    families: dict[str, list[str]] = defaultdict(list)
    for path in ordered:
        families[sets.find(path)].append(path)
    taken: set[str] = set()
    units: list[ParallelUnit] = []
    for root, paths in sorted(families.items()):
        if len(paths) < PARALLEL_MIN:
            continue
        taken.update(paths)
        units.extend(_family_units(root, paths, by_path, keys, symbols, graph))
    return taken, units


def _family_units(
    root: str,
    paths: list[str],
    by_path: dict[str, list[str]],
    keys: dict[str, dict[str, str]],
    symbols: dict[str, Symbol],
    graph: CodeGraph,
) -> list[ParallelUnit]:
    inside = set(paths)
    slot_of: dict[str, str] = {}  # member -> its slot: (outside class id)|(name template)
    for path in paths:
        added = {}
        for sid in by_path[path]:
            sym = symbols[sid]
            owner = symbols.get(sym.parent) if sym.parent else None
            if sym.kind == "method" and owner is not None and owner.kind != "module" and owner.path not in inside:
                slot_of[sid] = keys[path][sid]
                added[keys[path][sid].split("|", 1)[1]] = keys[path][sid]
        for sid in by_path[path]:  # ``Int`` beside ``FlagSet.Int``: the module-level mirror
            sym = symbols[sid]
            owner = symbols.get(sym.parent) if sym.parent else None
            if sym.kind == "function" and (owner is None or owner.kind == "module"):
                name = keys[path][sid].split(":", 1)[1]
                if name in added:
                    slot_of[sid] = added[name]
    # link slots whose members call each other or the same thing, file by file
    together: Counter[tuple[str, str]] = Counter()
    linked: Counter[tuple[str, str]] = Counter()
    for path in paths:
        members = [sid for sid in by_path[path] if sid in slot_of]
        callees = {sid: {e.target for e in graph.edges_from(sid) if e.kind == "calls"} for sid in members}
        pairs: set[tuple[str, str]] = set()
        linked_here: set[tuple[str, str]] = set()
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                pair = (min(slot_of[a], slot_of[b]), max(slot_of[a], slot_of[b]))
                if pair[0] == pair[1]:
                    continue
                pairs.add(pair)
                if b in callees[a] or a in callees[b] or callees[a] & callees[b]:
                    linked_here.add(pair)
        together.update(pairs)  # once per file, however many members each slot has there
        linked.update(linked_here)
    slots = sorted(set(slot_of.values()))
    groups = DisjointSets(slots)
    for pair, n in sorted(together.items()):
        if linked[pair] >= SLOT_LINK_SHARE * n:
            groups.union(pair[0], pair[1])
    grouped: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        for sid in by_path[path]:
            if sid in slot_of:
                grouped[groups.find(slot_of[sid])].append(sid)
    units: list[ParallelUnit] = []
    own_taken: set[str] = set()
    for head, members in sorted(grouped.items()):
        if len(members) < GROUP_MIN:
            continue
        own_taken.update(members)
        owner = symbols[symbols[members[0]].parent]
        name = owner.name if owner.kind != "module" else head.split("|", 1)[0]
        path, names = _example(members, symbols)
        verb = "do" if " and " in names else "does"
        summary = f"What each of {len(paths)} files of one shape adds to `{name}`, as {names} {verb} in `{path}`."
        units.append(ParallelUnit(f"{root}~{head}", tuple(members), f"{name} {_group_word(members, slot_of)}", summary))
    own = [sid for path in paths for sid in by_path[path] if sid not in own_taken]
    if own:
        path, names = _example(own, symbols)
        shown = ", ".join(f"`{posixpath.basename(p)}`" for p in paths[:3])
        summary = (
            f"{len(paths)} files of one shape, one per variant ({shown}, …); each defines what `{path}` does: {names}."
        )
        units.append(ParallelUnit(f"{root}~own", tuple(own), _own_title(own, paths, keys, symbols), summary))
    return units


def _example(members: list[str], symbols: dict[str, Symbol]) -> tuple[str, str]:
    """The file that shows the shape best (most members, then the shortest name) and its definitions, in words."""
    by_file: dict[str, list[str]] = defaultdict(list)
    for sid in members:
        if symbols[sid].kind != "module":
            by_file[symbols[sid].path].append(sid)
    sizes = Counter(len(found) for found in by_file.values())
    typical = min(sizes, key=lambda n: (-sizes[n], -n))  # the usual shape, not the odd file with extras
    path = min((p for p in by_file if len(by_file[p]) == typical), key=lambda p: (len(p), p))
    names = [f"`{n}`" for n in dict.fromkeys(symbols[sid].name for sid in by_file[path])][:5]
    return posixpath.basename(path), (", ".join(names[:-1]) + " and " + names[-1]) if len(names) > 1 else names[0]


def _group_word(members: list[str], slot_of: dict[str, str]) -> str:
    """The word the group's templates share most (``var`` in ``{} var``, ``{} var p``), else "definitions"."""
    words = Counter(w for sid in members for w in slot_of[sid].split("|", 1)[1].split() if w != "{}" and len(w) > 1)
    return min(words, key=lambda w: (-words[w], w)) if words else "definitions"


def _own_title(own: list[str], paths: list[str], keys: dict[str, dict[str, str]], symbols: dict[str, Symbol]) -> str:
    """What the files are: the word most of their names end in (``*Plugin.js`` -> "Plugins"), else their
    types' shared word (``<t>Value`` -> "Value types"), else their folder (``render/`` -> "Render")."""
    endings = Counter(words[-1] for words in (split_words(file_stem(p).strip("_")) for p in paths) if len(words) > 1)
    ending = min(endings, key=lambda w: (-endings[w], w)) if endings else ""
    if len(ending) > 2 and endings[ending] >= SHAPED_SHARE * len(paths):
        return plural(ending).capitalize()
    path_of = {sid: path for path in paths for sid in keys[path]}
    kinds = ("class", "interface", "type")
    types = Counter(
        keys[path_of[sid]][sid].split(":", 1)[1] for sid in own if sid in path_of and symbols[sid].kind in kinds
    )
    words = [w for w in (min(types, key=lambda t: (-types[t], t)).split() if types else []) if w != "{}"]
    if words:
        return f"{words[-1].capitalize()} types"
    folder = posixpath.basename(posixpath.dirname(paths[0])).strip("_")
    return folder.replace("_", " ").capitalize() if folder else "Variants"
