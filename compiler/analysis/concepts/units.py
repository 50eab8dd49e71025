"""The units the map is cut from: one per source file (a huge file split into its unconnected parts),
or folders for a big repository, and the ``Cluster`` every later step works on.

In: the code graph's symbols grouped by file. Out: ``Cluster`` lists (``split_file``, ``coarsen``).
"""

from __future__ import annotations

import math
import posixpath
from collections import defaultdict
from dataclasses import dataclass

from compiler.analysis.graph import CodeGraph
from compiler.analysis.notes import ResolvedNote
from compiler.model import Symbol
from compiler.roles import file_role

SPECIAL_ROLES = {"test": ("tests", "Tests"), "example": ("examples", "Examples"), "bench": ("benchmarks", "Benchmarks")}
LEFT_OUT_ROLES = frozenset({"docs", "tooling"})
SPLIT_MIN_SYMBOLS = 40  # a file must hold this many symbols before it may be split
SPLIT_MIN_LINES = 400
COARSEN_FACTOR = 3  # with more files than this many per concept, start from folders instead
LINK_KINDS = ("calls", "inherits", "imports", "references")
BASE_CONCEPTS = 24  # the map of a library of ``BASE_LINES`` lines of code (or fewer)
BASE_LINES = 20_000  # the tuning libraries (2.5k to 15k lines) are mapped best at 24; beyond, extrapolated


def concept_budget(code_lines: int) -> int:
    """How many concepts a map may hold: ``BASE_CONCEPTS`` up to ``BASE_LINES`` lines of code, then growing with
    the square root of the size. A bigger project teaches more ideas, each spanning more code: a map with a
    constant count makes a 150k-line project's concepts whole packages (several documented ideas in one),
    while one concept per few hundred lines would be a file list no newcomer reads."""
    return max(BASE_CONCEPTS, round(BASE_CONCEPTS * math.sqrt(max(code_lines, 0) / BASE_LINES)))


@dataclass
class Cluster:
    """Symbols that will become one concept, while they are being grouped."""

    key: str  # stable tie-break key (first unit's key)
    symbols: list[str]
    paths: list[str]
    size: int  # symbols that are not modules
    lines: int
    role: str = "code"  # code | test | example | bench
    note: ResolvedNote | None = None
    family: str = ""  # "Class word" when the unit is one idea among a god-class's methods
    summary: str = ""  # a sentence the unit's own shape gives (parallel files), when no author note says more


def file_roles(graph: CodeGraph) -> dict[str, str]:
    """Role of each file; when a repository has no ``code`` files at all, its tooling is the code."""
    roles = {f.path: file_role(f.path) for f in graph.files}
    if not any(role == "code" for path, role in roles.items() if graph.path_module.get(path)):
        roles = {path: ("code" if role in ("tooling", "example", "docs") else role) for path, role in roles.items()}
    return roles


def make_cluster(key: str, members: list[str], symbols: dict[str, Symbol], role: str = "code", note=None) -> Cluster:
    paths: set[str] = set()
    size = 0
    # lines of top-level definitions: a file of imports only is tiny however long it is
    lines = 0
    for sid in members:
        sym = symbols[sid]
        paths.add(sym.path)
        if sym.kind != "module":
            size += 1
        parent = symbols.get(sym.parent) if sym.parent else None
        if parent is not None and parent.kind == "module":
            lines += max(0, sym.lines[1] - sym.lines[0] + 1)
    return Cluster(key=key, symbols=list(members), paths=sorted(paths), size=size, lines=lines, role=role, note=note)


def by_importance(ids, importance: dict[str, float]) -> list[str]:
    """``ids`` most important first, ties by id: ``sorted(key=(-importance, id))`` done as two C-level sorts."""
    ordered = sorted(ids)
    if all(map(importance.__contains__, ordered)):
        ordered.sort(key=importance.__getitem__, reverse=True)  # stable: ties keep the id order
    else:
        ordered.sort(key=lambda sid: importance.get(sid, 0.0), reverse=True)
    return ordered


def _top_level(sid: str, symbols: dict[str, Symbol], path: str) -> str:
    """The outermost definition in ``path`` that contains ``sid`` (a class for a method)."""
    current = symbols[sid]
    while current.parent and current.parent in symbols:
        parent = symbols[current.parent]
        if parent.kind == "module" or parent.path != path:
            break
        current = parent
    return current.id


def split_file(path: str, members: list[str], graph: CodeGraph, lines: int) -> list[list[str]]:
    """A file as one unit, or split into its independent clusters of top-level definitions."""
    symbols = graph.symbols
    if len(members) < SPLIT_MIN_SYMBOLS or lines < SPLIT_MIN_LINES:
        return [members]
    member_set = set(members)
    block_of = {sid: _top_level(sid, symbols, path) for sid in members if symbols[sid].kind != "module"}
    blocks = sorted(set(block_of.values()))
    sets = DisjointSets(blocks)
    file_edges = [
        e for sid in members for e in graph.edges_from(sid) if e.kind in LINK_KINDS and e.target in member_set
    ]
    for edge in file_edges:
        if edge.source in block_of and edge.target in block_of:
            sets.union(block_of[edge.source], block_of[edge.target])
    components: dict[str, list[str]] = defaultdict(list)
    for sid in sorted(block_of):
        components[sets.find(block_of[sid])].append(sid)
    total = len(block_of)
    threshold = max(6, int(0.15 * total))
    major = sorted((c for c in components.values() if len(c) >= threshold), key=lambda c: (-len(c), c[0]))
    if len(major) < 2:
        return [members]
    # minor pieces join the major component they reference most, else the largest
    owner = {sid: i for i, comp in enumerate(major) for sid in comp}
    touching: dict[str, list[int]] = defaultdict(list)  # symbol -> positions of its file edges
    for position, edge in enumerate(file_edges):
        touching[edge.source].append(position)
        touching[edge.target].append(position)
    for comp in sorted((c for c in components.values() if len(c) < threshold), key=lambda c: c[0]):
        votes: dict[int, float] = defaultdict(float)
        comp_set = set(comp)
        # only the piece's own edges, in file order (a scan of every edge per piece is quadratic
        # in a file of a thousand unrelated functions)
        for position in sorted({p for sid in comp for p in touching.get(sid, ())}):
            edge = file_edges[position]
            if edge.source in comp_set and edge.target in owner:
                votes[owner[edge.target]] += edge.weight
            elif edge.target in comp_set and edge.source in owner:
                votes[owner[edge.source]] += edge.weight
        best = min(votes, key=lambda i: (-votes[i], i)) if votes else 0
        major[best].extend(comp)
    modules = [sid for sid in members if symbols[sid].kind == "module"]
    major[0] = modules + major[0]
    return [sorted(part, key=lambda sid: (symbols[sid].lines[0], sid)) for part in major]


def coarsen(units: list[Cluster], symbols: dict[str, Symbol], budget: int) -> list[Cluster]:
    """For a big repository, start from folders: cut the folder tree into about ``COARSEN_FACTOR * budget`` parts.

    The biggest part is split into its sub-folders (and its own files) until there are
    enough parts, so big packages (``django/db``) break up and small ones stay whole. A part that
    cannot split further (a folder's own files) then gives back its files, biggest first, while
    they fit: a flat package of forty modules stays forty units, not one.
    """
    target = max(COARSEN_FACTOR * budget, 1)
    if len(units) <= target:
        return units
    folder_of = [posixpath.dirname(u.paths[0]) if u.paths else "" for u in units]
    # a part is (folder, own_only): every unit under folder, or only the units directly in it
    parts: dict[tuple[str, bool], list[int]] = {(_common_folder(folder_of), False): list(range(len(units)))}

    def split(part: tuple[str, bool]) -> dict[tuple[str, bool], list[int]]:
        folder, _ = part
        pieces: dict[tuple[str, bool], list[int]] = defaultdict(list)
        for i in parts[part]:
            rest = folder_of[i][len(folder) :].lstrip("/") if folder else folder_of[i]
            if not rest:
                pieces[(folder, True)].append(i)
            else:
                child = f"{folder}/{rest.split('/')[0]}" if folder else rest.split("/")[0]
                pieces[(child, False)].append(i)
        return pieces

    while len(parts) < target:
        splittable = []
        for part, members in parts.items():
            if part[1]:
                continue
            pieces = split(part)
            if len(pieces) > 1 or (len(pieces) == 1 and next(iter(pieces)) != part and not next(iter(pieces))[1]):
                splittable.append((sum(units[i].size for i in members), part, pieces))
        if not splittable:
            break
        _, part, pieces = max(splittable, key=lambda item: (item[0], item[1]))
        del parts[part]
        parts.update(pieces)
    # a folder that cannot split further (its own files, or one without sub-folders) gives its units back,
    # biggest first, while there is room: a flat package of forty modules is forty ideas, not one
    whole: list[Cluster] = []
    for part, members in sorted(parts.items(), key=lambda item: (-sum(units[i].size for i in item[1]), item[0])):
        if (
            len(members) > 1
            and not split(part).keys() - {part} - {(part[0], True)}
            and (len(parts) - 1 + len(members) + len(whole) <= target)
        ):
            del parts[part]
            whole += [units[i] for i in members]
    merged = []
    for (folder, own), members in sorted(parts.items()):
        # what make_cluster would count over the units' symbols, summed from the units
        merged.append(
            Cluster(
                key=f"dir:{folder}{'/.' if own else ''}",
                symbols=[sid for i in members for sid in units[i].symbols],
                paths=sorted({path for i in members for path in units[i].paths}),
                size=sum(units[i].size for i in members),
                lines=sum(units[i].lines for i in members),
            )
        )
    return merged + sorted(whole, key=lambda u: u.key)


def _common_folder(folders: list[str]) -> str:
    common = folders[0].split("/") if folders and folders[0] else []
    for folder in folders[1:]:
        parts = folder.split("/") if folder else []
        depth = 0
        while depth < min(len(common), len(parts)) and common[depth] == parts[depth]:
            depth += 1
        common = common[:depth]
    return "/".join(common)


def file_stem(path: str) -> str:
    name = posixpath.basename(path)
    for suffix in (".d.ts",):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name.split(".", 1)[0] if not name.startswith(".") else name


class DisjointSets:
    """Union-find over ids; a set's representative is its smallest member, so results never depend on order."""

    def __init__(self, items) -> None:
        self.parent = {item: item for item in items}

    def find(self, item: str) -> str:
        parent = self.parent
        while parent[item] != item:
            parent[item] = parent[parent[item]]  # path halving
            item = parent[item]
        return item

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)
