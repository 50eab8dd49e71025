"""Distill the ranked code graph into concepts: named groups of symbols a newcomer must learn.

How (each step is a function below):

1. **Units.** Author-noted concepts claim their files and symbols first. Every other
   source file is a unit, because a file is the author's own grouping; a huge file whose
   top-level definitions fall into several unconnected clusters is split into them. A big
   repository (more than three files per allowed concept) starts instead from its folder
   tree, cut into about twice as many parts as concepts, biggest folders split first.
   Tests, examples and benchmarks each become one low-importance concept
   (``tests``, ``examples``, ``benchmarks``); docs and tooling code are left out of the map.
2. **Agglomeration**, over the weight of calls, inheritance and imports between units:
   (a) twin files, same name in different folders and linked (``app.py``,
   ``sansio/app.py``), merge; (b) a sub-folder merges when it is small (at most eight
   files) and linked inside, or its files talk more to each other than half their talk
   outside; (c) tiny units fold into their strongest neighbour (a folder prior, stronger
   the more specific the folder, breaks ties); (d) while there are more than
   ``max_concepts``, the smallest concept joins the neighbour it is most tied to per unit of
   that neighbour's size (so no giant swallows the rest), favouring folder-mates. No
   voluntary merge may make a concept hold more than a quarter (or 3/max_concepts) of the code.
3. **Naming.** Author notes first; else a folder name when the concept is a folder, else
   the module names (``blueprints`` -> "Blueprints"), expanded when abbreviated and refined by
   the dominant classes (``ctx`` with AppContext, RequestContext -> "App and request contexts").
4. **Summaries.** Author notes, else docstrings (module first, then top class), else a
   README section that names the concept, else a sentence generated from its members.
5. **Links.** B is a prerequisite of A when A's symbols call, subclass or import B's (an
   import counts once per file pair; a package ``__init__``/``index`` that re-exports
   everything counts not at all). When both use each other comparably (within 3x), the
   less important one comes after the more important one. Error concepts (exception
   classes) and concepts far less important than their user (a quarter) are never
   prerequisites: they become related instead. Candidates are added strongest first,
   skipping any that would close a cycle (so each cycle loses its weakest edge), then
   pruned to the strongest three; the author's ``requires:`` come first and replace them.
   Related concepts are strongly linked ones, in either direction, that are not prerequisites.
6. **Importance.** The PageRank that flows into a concept's members from other code
   concepts, plus a tenth of the members' own rank; tests and examples count a tenth.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass
from itertools import islice

from compiler.analysis.graph import CodeGraph
from compiler.roles import file_role
from compiler.analysis.notes import NOTES_FILE, ResolvedNote, first_paragraph, plain_text, slugify
from compiler.analysis.rank import Ranking
from compiler.model import Concept, Diagnostic, Section, SourceRef, Symbol

# roles that form a concept of their own, and the roles left out of the map
SPECIAL_ROLES = {"test": ("tests", "Tests"), "example": ("examples", "Examples"), "bench": ("benchmarks", "Benchmarks")}
LEFT_OUT_ROLES = frozenset({"docs", "tooling"})

SPLIT_MIN_SYMBOLS = 40  # a file must hold this many symbols before it may be split
SPLIT_MIN_LINES = 400
COARSEN_FACTOR = 3  # with more files than this many per concept, start from folders instead
MAX_CONCEPT_SHARE = 0.25  # no voluntary merge may hold more than this share of the code's symbols (or 3/budget)
MIN_SIZE_LIMIT = 40  # ... unless it is this small anyway
OWN_RANK_SHARE = 0.1  # a concept's importance counts its own members' rank this much
SPECIAL_IMPORTANCE = 0.1  # tests, examples, benchmarks: their rank counts a tenth
SMALL_FOLDER_FILES = 8  # a sub-folder this small is one concept when its files are linked at all
TINY_SYMBOLS = 3  # a unit with fewer symbols than this (and few lines) is folded into a neighbour
TINY_LINES = 60
DIR_PRIOR = 0.5  # folder prior, in units of the mean unit degree
MAX_TWIN_FOLDERS = 3  # a file name in more folders than this (models.py in every app) makes no twins
TWIN_MIN_WEIGHT = 1.0  # twins must at least call or subclass each other
MAX_PREREQUISITES = 3
MAX_RELATED = 3
PREREQUISITE_MIN_WEIGHT = 1.0
MINOR_PREREQUISITE = 0.25  # a concept this much less important than its user is no prerequisite of it
MUTUAL_RATIO = 3.0  # flows both ways within this ratio: the more important concept comes first
RELATED_MIN_WEIGHT = 0.5
MAX_SOURCES = 5
SUMMARY_CHARS = 300

_LINK_KINDS = ("calls", "inherits", "imports")
_GENERIC_STEMS = frozenset({"__init__", "__main__", "index", "main", "mod", "lib", "src", "init", "pkg", "internal", "source"})
_MEANINGLESS_DIRS = frozenset({"", "src", "lib", "pkg", "internal", "impl", "base", "source", "sources", "code"})
_REEXPORT_STEMS = frozenset({"__init__", "index", "mod"})
_GENERIC_DIRS = frozenset({"", "src", "lib", "pkg", "internal", "source", "sources", "app", "code"})
_ACRONYMS = frozenset(
    """api cli css csv db dns ftp grpc html http https id io ip js json jwt kv ldap orm os rpc sdk smtp
    sql ssh ssl tcp tls toml ui uri url utf uuid wsgi asgi xml yaml yml ast gui http2 mime wal gdal geos""".split()
)
_EXPANSIONS = {
    "ctx": "context", "cfg": "configuration", "conf": "configuration", "config": "configuration",
    "configs": "configuration", "settings": "settings", "auth": "authentication", "authn": "authentication",
    "authz": "authorization", "req": "request", "res": "response", "resp": "response", "msg": "messages",
    "msgs": "messages", "util": "utilities", "utils": "utilities", "env": "environment", "fmt": "formatting",
    "cmd": "commands", "cmds": "commands", "err": "errors", "errs": "errors", "exc": "errors",
    "exceptions": "errors", "mw": "middleware", "impl": "implementation", "tmpl": "templates", "tpl": "templates",
    "conn": "connections", "app": "application", "mgr": "manager", "srv": "server", "svc": "service",
    "repo": "repository", "sched": "scheduler", "cb": "callbacks", "evt": "events", "ev": "events",
    "str": "strings", "num": "numbers", "params": "parameters", "deps": "dependencies", "init": "initialization",
}
_COMMON_WORDS = frozenset(
    """helper helpers util utils tool tools store manager handler handlers client server loader parser
    builder factory registry config router request response session cache queue worker event events
    stream buffer format codes status types base core common data file files path text debug error
    errors log time date key value map list set table model models view views form field query user
    token string node tree graph task job plugin hook hooks signal signals context template templates
    render static asset parse parser middleware backend backends frontend database namespace timezone
    keyword password username filesystem endpoint callback metadata workflow widget widgets validator
    validators serializer serializers migration migrations locale locales translation storage upload route routes app application command commands option options
    provider transport transports proxy auth memory disk network socket message messages storage
    """.split()
)
_LICENCE = re.compile(r"copyright|\(c\)\s*\d{4}|licen[cs]ed under|mit licen[cs]e|all rights reserved", re.I)
_BAD_DOC = re.compile(r"^\s*(copyright|license|licensed|spdx|@license|eslint|use strict|!|-\*-|#!|coding[:=]|generated)", re.I)


@dataclass
class _Cluster:
    """Symbols that will become one concept, while they are being grouped."""

    key: str  # stable tie-break key (first unit's key)
    symbols: list[str]
    paths: list[str]
    size: int  # symbols that are not modules
    lines: int
    role: str = "code"  # code | test | example | bench
    note: ResolvedNote | None = None


@dataclass(frozen=True)
class ConceptMap:
    """The distilled concepts and which concept each symbol belongs to."""

    concepts: tuple[Concept, ...]
    membership: dict[str, str]  # symbol id -> concept id
    diagnostics: tuple[Diagnostic, ...]


def distill(
    graph: CodeGraph,
    ranking: Ranking,
    notes: list[ResolvedNote],
    entry_points: tuple[str, ...],
    sections: list[Section],
    max_concepts: int = 24,
) -> ConceptMap:
    """Group the symbols of ``graph`` into at most ``max_concepts`` named, linked concepts."""
    diagnostics: list[Diagnostic] = []
    symbols = graph.symbols
    roles = _roles(graph)

    # 1. noted concepts claim their symbols; the rest is grouped by role
    claimed: dict[str, int] = {}
    noted: list[_Cluster] = []
    for index, resolved in enumerate(notes):
        members = [sid for sid in resolved.symbols if sid not in claimed]
        for sid in members:
            claimed[sid] = index
        noted.append(_make_cluster(f"note:{index:04d}", members, symbols, note=resolved))

    by_path: dict[str, list[str]] = defaultdict(list)
    for sid, sym in symbols.items():
        if sid not in claimed:
            by_path[sym.path].append(sid)

    special: dict[str, list[str]] = defaultdict(list)
    code_units: list[_Cluster] = []
    file_lines = {f.path: f.lines for f in graph.files}
    for path in sorted(by_path):
        role = roles.get(path, "code")
        if role in LEFT_OUT_ROLES:
            continue
        if role in SPECIAL_ROLES:
            special[role].extend(by_path[path])
            continue
        for number, part in enumerate(_split_file(path, by_path[path], graph, file_lines.get(path, 0))):
            code_units.append(_make_cluster(f"{path}#{number}" if number else path, part, symbols))

    # 2. group the code units
    reserved = len(noted) + len(special)
    budget = max(1, max_concepts - reserved)
    clusters = _agglomerate(_coarsen(code_units, symbols, budget), graph, budget)
    clusters += [
        _make_cluster(f"role:{role}", special[role], symbols, role=role) for role in SPECIAL_ROLES if special.get(role)
    ]

    # a note that names no code adopts the computed concept it names
    for cluster in noted:
        if cluster.symbols or cluster.note is None:
            continue
        match = _cluster_named(cluster.note.note.id, cluster.note.note.title, clusters, graph, ranking)
        if match is not None:
            clusters.remove(match)
            cluster.symbols, cluster.paths, cluster.size, cluster.lines = match.symbols, match.paths, match.size, match.lines
        else:
            diagnostics.append(
                Diagnostic(
                    NOTES_FILE, cluster.note.note.line, "info", "concept-without-code",
                    f"concept {cluster.note.note.id!r} names no files or symbols; add 'files:' or 'symbols:' to tie it to code",
                )
            )
    all_clusters = noted + clusters

    # 3. build the concepts
    importance = _cluster_importance(all_clusters, ranking)
    vocabulary = code_vocabulary(symbols)
    titles = [_title(c, graph, ranking, roles, vocabulary) for c in all_clusters]
    titles = _unique_titles(titles, all_clusters, importance)
    ids = _unique_ids(all_clusters, titles)
    membership = {sid: ids[i] for i, c in enumerate(all_clusters) for sid in c.symbols}

    prerequisites, related, link_diagnostics = _link(all_clusters, ids, titles, importance, graph, membership)
    diagnostics.extend(link_diagnostics)

    entry_set = set(entry_points)
    dependents: dict[str, list[str]] = defaultdict(list)
    for i, cid in enumerate(ids):
        for prerequisite in prerequisites[i]:
            dependents[prerequisite].append(cid)
    title_of = dict(zip(ids, titles))
    concepts: list[Concept] = []
    for i, cluster in enumerate(all_clusters):
        members = _by_importance(cluster.symbols, ranking.symbols)
        summary, source = _summary(cluster, members, titles[i], graph, sections, ranking)
        if not summary:
            users = sorted(dependents.get(ids[i], []), key=lambda cid: (-importance[ids.index(cid)], cid))
            summary = _generated_summary(members, symbols, [title_of[u] for u in users])
            source = "generated"
        note = cluster.note.note if cluster.note else None
        concepts.append(
            Concept(
                id=ids[i],
                title=titles[i],
                summary=summary,
                summary_source=source,
                members=tuple(members),
                files=tuple(_ordered_files(cluster, ranking)),
                importance=importance[i],
                prerequisites=tuple(prerequisites[i]),
                related=tuple(related[i]),
                sources=tuple(_sources(members, symbols)),
                entry_points=tuple(sid for sid in members if sid in entry_set),
                body=note.body if note else "",
            )
        )
    concepts.sort(key=lambda c: (-c.importance, c.id))
    return ConceptMap(concepts=tuple(concepts), membership=membership, diagnostics=tuple(diagnostics))


# ---------------------------------------------------------------------------
# units


def _roles(graph: CodeGraph) -> dict[str, str]:
    """Role of each file; when a repository has no ``code`` files at all, its tooling is the code."""
    roles = {f.path: file_role(f.path) for f in graph.files}
    if not any(role == "code" for path, role in roles.items() if graph.path_module.get(path)):
        roles = {path: ("code" if role in ("tooling", "example", "docs") else role) for path, role in roles.items()}
    return roles


def _make_cluster(key: str, members: list[str], symbols: dict[str, Symbol], role: str = "code", note=None) -> _Cluster:
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
    return _Cluster(key=key, symbols=list(members), paths=sorted(paths), size=size, lines=lines, role=role, note=note)


def _by_importance(ids, importance: dict[str, float]) -> list[str]:
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


def _split_file(path: str, members: list[str], graph: CodeGraph, lines: int) -> list[list[str]]:
    """A file as one unit, or split into its independent clusters of top-level definitions."""
    symbols = graph.symbols
    if len(members) < SPLIT_MIN_SYMBOLS or lines < SPLIT_MIN_LINES:
        return [members]
    member_set = set(members)
    block_of = {sid: _top_level(sid, symbols, path) for sid in members if symbols[sid].kind != "module"}
    blocks = sorted(set(block_of.values()))
    parent = {b: b for b in blocks}

    def find(b: str) -> str:
        while parent[b] != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        return b

    file_edges = [
        e for sid in members for e in graph.edges_from(sid) if e.kind in _LINK_KINDS and e.target in member_set
    ]
    for edge in file_edges:
        if edge.source in block_of and edge.target in block_of:
            a, b = find(block_of[edge.source]), find(block_of[edge.target])
            if a != b:
                parent[max(a, b)] = min(a, b)
    components: dict[str, list[str]] = defaultdict(list)
    for sid in sorted(block_of):
        components[find(block_of[sid])].append(sid)
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


def _coarsen(units: list[_Cluster], symbols: dict[str, Symbol], budget: int) -> list[_Cluster]:
    """For a big repository, start from folders: cut the folder tree into about ``2 * budget`` parts.

    The biggest part is split into its sub-folders (and its own files) until there are
    enough parts, so big packages (``django/db``) break up and small ones stay whole.
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
            rest = folder_of[i][len(folder):].lstrip("/") if folder else folder_of[i]
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
    merged = []
    for (folder, own), members in sorted(parts.items()):
        # what _make_cluster would count over the units' symbols, summed from the units
        merged.append(
            _Cluster(
                key=f"dir:{folder}{'/.' if own else ''}",
                symbols=[sid for i in members for sid in units[i].symbols],
                paths=sorted({path for i in members for path in units[i].paths}),
                size=sum(units[i].size for i in members),
                lines=sum(units[i].lines for i in members),
            )
        )
    return merged


def _common_folder(folders: list[str]) -> str:
    common = folders[0].split("/") if folders and folders[0] else []
    for folder in folders[1:]:
        parts = folder.split("/") if folder else []
        depth = 0
        while depth < min(len(common), len(parts)) and common[depth] == parts[depth]:
            depth += 1
        common = common[:depth]
    return "/".join(common)


# ---------------------------------------------------------------------------
# agglomeration


def _agglomerate(units: list[_Cluster], graph: CodeGraph, budget: int) -> list[_Cluster]:
    """Group units: twin files, cohesive folders, tiny units into neighbours; then meet ``budget``."""
    if not units:
        return []
    unit_of: dict[str, int] = {}
    for i, unit in enumerate(units):
        for sid in unit.symbols:
            unit_of[sid] = i
    # ``code`` is the weight of calls, inheritance and imports; ``weight`` adds the folder prior
    code: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for edge in graph.edges:
        if edge.kind not in _LINK_KINDS:
            continue
        a, b = unit_of.get(edge.source), unit_of.get(edge.target)
        if a is None or b is None or a == b:
            continue
        code[a][b] += edge.weight
        code[b][a] += edge.weight
    weight: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for a in sorted(code):
        for b, w in code[a].items():
            weight[a][b] = w
    _add_folder_prior(units, weight)

    clusters: dict[int, _Cluster] = dict(enumerate(units))
    total_size = sum(u.size for u in units) or 1
    folder_limit = max(MAX_CONCEPT_SHARE * total_size, MIN_SIZE_LIMIT)  # a folder is the author's grouping
    size_limit = max(min(MAX_CONCEPT_SHARE, 3.0 / budget) * total_size, MIN_SIZE_LIMIT)

    def merge(a: int, b: int) -> None:
        """Fold cluster ``b`` into ``a``."""
        keep, gone = clusters[a], clusters.pop(b)
        keep.symbols += gone.symbols
        keep.paths = sorted(set(keep.paths) | set(gone.paths))
        keep.size += gone.size
        keep.lines += gone.lines
        keep.key = min(keep.key, gone.key)
        for table in (weight, code):
            for other, w in list(table[b].items()):
                if other != a:
                    table[a][other] += w
                    table[other][a] += w
                table[other].pop(b, None)
            table[a].pop(b, None)
            table.pop(b, None)

    def pick(score, minimum: float, respect_size: bool) -> tuple[int, int] | None:
        """The linked pair with the highest ``score`` (at least ``minimum``); ties by unit keys."""
        best = None
        for a in sorted(clusters):
            for b, w in weight[a].items():
                if b <= a or w <= 0 or b not in clusters:
                    continue
                if respect_size and clusters[a].size + clusters[b].size > size_limit:
                    continue
                value = score(a, b)
                if value < minimum:
                    continue
                candidate = (-value, *sorted((clusters[a].key, clusters[b].key)), a, b)
                if best is None or candidate < best:
                    best = candidate
        if best is None:
            return None
        a, b = best[3], best[4]
        # the bigger cluster keeps its identity
        return (a, b) if (clusters[a].size, clusters[b].key) >= (clusters[b].size, clusters[a].key) else (b, a)

    # a. twins: files with the same name in different folders (app.py, sansio/app.py) are one idea
    #    split in two by the author; the size limit does not apply to them
    stem_folders: dict[str, set[str]] = defaultdict(set)
    for unit in units:
        for path in unit.paths:
            stem_folders[_stem(path).strip("_")].add(posixpath.dirname(path))
    twin_stems = {stem for stem, folders in stem_folders.items() if 2 <= len(folders) <= MAX_TWIN_FOLDERS}

    def twin_share(a: int, b: int) -> float:
        if len(clusters[a].paths) != 1 or len(clusters[b].paths) != 1:
            return 0.0  # file to file only: twins must not chain into a blob
        linked = code[a][b] >= TWIN_MIN_WEIGHT
        return 1.0 if linked and _twins(clusters[a], clusters[b], twin_stems) else 0.0

    while len(clusters) > 1:
        pair = pick(twin_share, 1.0, respect_size=False)
        if pair is None:
            break
        merge(*pair)

    # b. cohesive folders: a small sub-folder with linked files, or one whose files talk more
    #    to each other than to the rest
    for directory in _folders(clusters.values()):
        inside = sorted(i for i, c in clusters.items() if c.paths and all(_within(p, directory) for p in c.paths))
        if len(inside) < 2 or len(inside) == len(clusters):
            continue
        inside_set = set(inside)
        internal = sum(w for i in inside for j, w in code[i].items() if j in inside_set) / 2.0
        external = sum(w for i in inside for j, w in code[i].items() if j not in inside_set)
        files_inside = sum(len(clusters[i].paths) for i in inside)
        cohesive = internal >= 0.5 * external or files_inside <= SMALL_FOLDER_FILES
        unlinked = sum(1 for i in inside if not any(w > 0 for w in code[i].values()))
        data_only = unlinked >= 0.8 * len(inside)  # a folder of data (locales, fixtures): one concept
        if (data_only or (internal > 0 and cohesive)) and sum(clusters[i].size for i in inside) <= folder_limit:
            target = max(inside, key=lambda i: (clusters[i].size, clusters[i].key))
            for i in inside:
                if i != target:
                    merge(target, i)

    # c. tiny clusters join their strongest neighbour
    changed = True
    while changed and len(clusters) > 1:
        changed = False
        for i in sorted(clusters, key=lambda i: (clusters[i].size, clusters[i].key)):
            cluster = clusters[i]
            if cluster.size >= TINY_SYMBOLS or cluster.lines >= TINY_LINES:
                continue
            neighbours = [(w, j) for j, w in weight[i].items() if j in clusters and w > 0]
            if neighbours:
                _, j = min(neighbours, key=lambda item: (-item[0], clusters[item[1]].key))
            else:
                # unlinked (a Go doc.go holding only the package doc): the biggest concept of its folder
                folder = posixpath.dirname(cluster.paths[0]) if cluster.paths else None
                mates = [k for k in clusters if k != i and clusters[k].paths and posixpath.dirname(clusters[k].paths[0]) == folder]
                if not mates:
                    continue
                j = min(mates, key=lambda k: (-clusters[k].size, clusters[k].key))
            merge(j, i)
            changed = True
            break

    # d. the budget: the smallest concept joins the neighbour it is most tied to, per unit of the
    #    neighbour's size (so one giant does not swallow everything) and favouring folder-mates;
    #    without any link, its nearest folder-mate
    while len(clusters) > budget:
        smallest = min(clusters, key=lambda i: (clusters[i].size, clusters[i].key))

        def affinity(j: int) -> float:
            closeness = 1 + _shared_depth(clusters[smallest], clusters[j])
            return weight[smallest][j] * closeness / (clusters[j].size + 1)

        linked = [j for j, w in weight[smallest].items() if j in clusters and w > 0]
        within = [j for j in linked if clusters[smallest].size + clusters[j].size <= size_limit] or linked
        if within:
            target = min(within, key=lambda j: (-affinity(j), clusters[j].key))
        else:
            target = min(
                (j for j in clusters if j != smallest),
                key=lambda j: (-_shared_depth(clusters[smallest], clusters[j]), clusters[j].size, clusters[j].key),
            )
        merge(target, smallest)

    return [clusters[i] for i in sorted(clusters, key=lambda i: clusters[i].key)]


def _shared_depth(a: _Cluster, b: _Cluster) -> int:
    """How many leading folders the first files of two clusters share."""
    if not a.paths or not b.paths:
        return 0
    depth = 0
    for x, y in zip(posixpath.dirname(a.paths[0]).split("/"), posixpath.dirname(b.paths[0]).split("/")):
        if x != y:
            break
        depth += 1
    return depth


def _twins(a: _Cluster, b: _Cluster, twin_stems: set[str]) -> bool:
    """Both clusters hold a file of the same (non-generic) name, in different folders."""
    stems_a = {(_stem(p).strip("_"), posixpath.dirname(p)) for p in a.paths}
    stems_b = {(_stem(p).strip("_"), posixpath.dirname(p)) for p in b.paths}
    return any(
        sa == sb and da != db and sa in twin_stems and sa not in _GENERIC_STEMS
        for sa, da in stems_a
        for sb, db in stems_b
    )


def _within(path: str, directory: str) -> bool:
    return path.startswith(directory + "/")


def _folders(clusters) -> list[str]:
    """Sub-folders holding code, deepest first (the repository root and top folders are not candidates)."""
    dirs: set[str] = set()
    for cluster in clusters:
        for path in cluster.paths:
            parts = posixpath.dirname(path).split("/")
            for depth in range(1, len(parts) + 1):
                dirs.add("/".join(parts[:depth]))
    dirs.discard("")
    # the folder(s) holding the bulk of the code say nothing: skip the ones above half the files
    all_paths = [p for c in clusters for p in c.paths]
    files_under: dict[str, int] = defaultdict(int)  # folder -> paths below it (``_within``), counted in one pass
    for path in all_paths:
        for position, char in enumerate(path):
            if char == "/":
                files_under[path[:position]] += 1
    specific = [d for d in dirs if files_under.get(d, 0) <= 0.5 * len(all_paths)]
    return sorted(specific, key=lambda d: (-d.count("/"), d))


def _add_folder_prior(units: list[_Cluster], weight: dict[int, dict[int, float]]) -> None:
    """Files in a specific folder, and files sharing a name across folders, attract each other."""
    degrees = [sum(weight[i].values()) for i in range(len(units))]
    linked = [d for d in degrees if d > 0]
    scale = (sum(linked) / len(linked)) if linked else 1.0
    by_dir: dict[str, list[int]] = defaultdict(list)
    for i, unit in enumerate(units):
        if not unit.paths:
            continue
        main_path = unit.paths[0]
        by_dir[posixpath.dirname(main_path)].append(i)
    total = len(units)
    for directory, members in sorted(by_dir.items()):
        if len(members) < 2:
            continue
        specificity = 1.0 - len(members) / total
        prior = DIR_PRIOR * scale * specificity / (len(members) - 1)
        for x in members:
            for y in members:
                if x < y:
                    weight[x][y] += prior
                    weight[y][x] += prior


# ---------------------------------------------------------------------------
# importance, titles, ids


def _cluster_importance(clusters: list[_Cluster], ranking: Ranking) -> list[float]:
    """How much the rest of the code relies on each concept, normalised to top = 1.0.

    The rank that flows into a concept's members from outside it, plus a quarter of the
    members' own rank: links inside a concept (subclasses handing rank to their base)
    do not make it important, being used from elsewhere does. Tests and examples are damped.
    """
    owner = {sid: i for i, c in enumerate(clusters) for sid in c.symbols}
    inflow = [0.0] * len(clusters)
    for (source, target), amount in ranking.flows.items():
        j = owner.get(target)
        if j is None:
            continue
        i = owner.get(source)
        if i != j and (i is None or clusters[i].role == "code" or clusters[j].role != "code"):
            inflow[j] += amount  # what tests use says little about what a newcomer must learn
    raw = []
    for i, cluster in enumerate(clusters):
        own = sum(ranking.raw.get(sid, 0.0) for sid in cluster.symbols)
        score = inflow[i] + OWN_RANK_SHARE * own
        raw.append(score * (SPECIAL_IMPORTANCE if cluster.role in SPECIAL_ROLES else 1.0))
    top = max(raw, default=0.0)
    return [round(r / top, 6) if top > 0 else 0.0 for r in raw]


def _stem(path: str) -> str:
    name = posixpath.basename(path)
    for suffix in (".d.ts",):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name.split(".", 1)[0] if not name.startswith(".") else name


def split_words(name: str) -> list[str]:
    """``HTTPTransport`` -> [http, transport]; ``status_codes`` -> [status, codes]."""
    text = name
    if not name.islower():  # no capital letter, no camel-case boundary to mark (the common snake_case name)
        text = _ACRONYM_WORD.sub(r"\1 \2", text)
        text = _CAMEL_BOUNDARY.sub(r"\1 \2", text)
    if name.isidentifier():  # no separator but "_" (and the spaces just put in): str.split will do
        return [w.lower() for w in text.replace(" ", "_").split("_") if w]
    return [w.lower() for w in _WORD_SEPARATORS.split(text) if w]


_ACRONYM_WORD = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL_BOUNDARY = re.compile(r"([a-z0-9])([A-Z])")
_WORD_SEPARATORS = re.compile(r"[\s_\-.]+")


def _humanize(name: str, expand: bool = True, vocabulary: frozenset[str] = frozenset()) -> str:
    """A title from an identifier: ``status_codes`` -> "Status codes", ``cli`` -> "CLI".

    A run-together name (``debughelpers``) is split into words the codebase itself uses.
    """
    words = split_words(name)
    if len(words) == 1 and vocabulary:
        words = segment_word(words[0], vocabulary)
    if expand and len(words) == 1 and words[0] in _EXPANSIONS:
        words = _EXPANSIONS[words[0]].split()
    shown = [_word_case(w) for w in words]
    if not shown:
        return name
    text = " ".join(shown)
    return text[0].upper() + text[1:]


def _word_case(word: str) -> str:
    """Acronyms upper-case, plural acronyms too (``urls`` -> URLs)."""
    if word in _ACRONYMS:
        return word.upper()
    if word.endswith("s") and word[:-1] in _ACRONYMS and len(word) > 2:
        return word[:-1].upper() + "s"
    return word


def segment_word(word: str, vocabulary: frozenset[str]) -> list[str]:
    """``debughelpers`` -> [debug, helpers] when both are known words; else [word]."""
    if len(word) < 7 or word in _COMMON_WORDS or word.rstrip("s") in _COMMON_WORDS:
        return [word]
    # fewest pieces, each a known word of 3+ letters or an acronym
    best: list[list[str] | None] = [None] * (len(word) + 1)
    best[0] = []
    for end in range(1, len(word) + 1):
        for start in range(end):
            piece = word[start:end]
            if len(piece) == len(word) or best[start] is None or not (piece in _ACRONYMS or (len(piece) >= 3 and _known(piece, vocabulary))):
                continue
            candidate = best[start] + [piece]
            if best[end] is None or len(candidate) < len(best[end]):
                best[end] = candidate
    found = best[len(word)]
    return found if found and 2 <= len(found) <= 3 else [word]


def _known(word: str, vocabulary: frozenset[str]) -> bool:
    return word in vocabulary or word.rstrip("s") in vocabulary or word in _COMMON_WORDS


def code_vocabulary(symbols: dict[str, Symbol]) -> frozenset[str]:
    """Words the codebase's identifiers are built from (``DebugFilesKeyError`` -> debug, files, key, error).

    Only names of two or more words count: a one-word name (``urlparse``) may itself be run together.
    """
    words: set[str] = set()
    seen: set[str] = set()  # names repeat (``__init__``, ``run``): split each once
    for sym in symbols.values():
        name = sym.name
        if sym.kind == "module" or name in seen:
            continue
        seen.add(name)
        if "_" not in name and name.islower() and name.isidentifier():
            continue  # one word (``request``): split_words would say so, slowly
        parts = split_words(name)
        if len(parts) >= 2:
            words.update(w for w in parts if len(w) >= 3)
    return frozenset(words)


def _is_abbreviation(stem: str, word: str) -> bool:
    """``ctx`` abbreviates ``context``: its letters appear in order and it starts the same."""
    stem, word = stem.lower(), word.lower()
    if not stem or stem == word or stem[0] != word[0] or len(stem) >= len(word):
        return stem == word
    position = 0
    for letter in word:
        if position < len(stem) and letter == stem[position]:
            position += 1
    return position == len(stem)


def _plural(word: str) -> str:
    if word.endswith(("s", "x", "sh", "ch")):
        return word + "es" if not word.endswith("s") else word
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def _title(
    cluster: _Cluster, graph: CodeGraph, ranking: Ranking, roles: dict[str, str], vocabulary: frozenset[str]
) -> str:
    """A human title for a cluster (see the module docstring for the rules)."""
    symbols = graph.symbols

    def humanize(name: str, expand: bool = True) -> str:
        return _humanize(name, expand, vocabulary)

    if cluster.note is not None:
        return cluster.note.note.title
    if cluster.role in SPECIAL_ROLES:
        return SPECIAL_ROLES[cluster.role][1]
    file_weight: dict[str, float] = defaultdict(float)
    for sid in cluster.symbols:
        file_weight[symbols[sid].path] += ranking.raw.get(sid, 0.0)
    files = sorted(file_weight, key=lambda p: (-file_weight[p], p))
    if not files:
        return "Concept"
    classes = [
        sid
        for sid in cluster.symbols
        if symbols[sid].kind in ("class", "interface", "type") and not symbols[sid].name.startswith("_")
    ]
    top_classes = [symbols[sid] for sid in _by_importance(classes, ranking.symbols)[:6]]

    # a folder of its own: the cluster's main files all sit in one specific folder
    main_files = [p for p in files if file_weight[p] >= 0.25 * file_weight[files[0]]] or files
    directory = _common_dir(main_files)
    if directory and len(main_files) >= 2:
        all_code = [p for p, r in roles.items() if r == "code" and graph.path_module.get(p)]
        under = [p for p in all_code if p.startswith(directory + "/")]
        parts = [part.strip("_") for part in directory.split("/")]
        while parts and parts[-1].lower() in _MEANINGLESS_DIRS:
            parts.pop()  # django/db/backends/base -> Backends
        if parts and len(under) <= 0.5 * len(all_code):
            return humanize(parts[-1])

    command = _command_title(files[0], cluster, symbols)
    if command:
        return command
    stems = [_stem(p).strip("_") or _stem(p) for p in files]
    named = [(p, s) for p, s in zip(files, stems) if s not in _GENERIC_STEMS]
    if not named:
        # __init__.py / index.js / main.go: the folder names it, else the top definition
        base = posixpath.basename(posixpath.dirname(files[0])).lstrip("_")
        if base and base.lower() not in _GENERIC_DIRS:
            return humanize(base)
        if top_classes:
            return humanize(top_classes[0].name, expand=False)
        return humanize(_stem(files[0]).strip("_") or "package")
    top_path, top_stem = named[0]
    title = _refine_with_classes(top_stem, top_classes) or humanize(top_stem)
    # a second file of comparable weight and another name joins the title
    for path, stem in named[1:]:
        if stem != top_stem and file_weight[path] >= 0.5 * file_weight[top_path]:
            second = _refine_with_classes(stem, top_classes) or humanize(stem)
            if second.lower() != title.lower():
                title = f"{title} and {second[0].lower() + second[1:] if second.split()[0].lower() not in _ACRONYMS else second}"
            break
    return title


def _command_title(path: str, cluster: _Cluster, symbols: dict[str, Symbol]) -> str | None:
    """``main.py``/``__main__.py``/``cmd/x/main.go`` with a ``main`` function: a command-line concept."""
    if _stem(path).strip("_") not in ("main", "cmd", "command"):
        return None
    if not any(symbols[s].name == "main" and symbols[s].path == path for s in cluster.symbols):
        return None
    parts = posixpath.dirname(path).split("/")
    if len(parts) >= 2 and parts[-2] == "cmd":
        return f"The {parts[-1]} command"
    return "CLI"


def _refine_with_classes(stem: str, classes: list[Symbol]) -> str | None:
    """``ctx`` + AppContext, RequestContext -> "App and request contexts"."""
    by_last: dict[str, list[Symbol]] = defaultdict(list)
    for cls in classes:
        words = split_words(cls.name)
        if len(words) >= 2:
            by_last[words[-1]].append(cls)
    stem_words = split_words(stem)
    if not stem_words:
        return None
    head = stem_words[-1]
    for last, group in sorted(by_last.items(), key=lambda item: (-len(item[1]), item[0])):
        if len(group) < 2:
            continue
        # only a skeleton abbreviation (ctx, cfg) reads worse than the classes; auth -> Authentication is fine
        if not _is_abbreviation(head, last) or last.startswith(head):
            continue
        firsts = []
        for cls in group[:2]:
            words = split_words(cls.name)[:-1]
            firsts.append(" ".join(w.upper() if w in _ACRONYMS else w for w in words))
        if firsts[0].lower() == firsts[1].lower():
            continue
        text = f"{firsts[0]} and {firsts[1]} {_plural(last)}"
        return text[0].upper() + text[1:]
    return None


def _common_dir(paths: list[str]) -> str:
    dirs = [posixpath.dirname(p).split("/") if posixpath.dirname(p) else [] for p in paths]
    common: list[str] = []
    for parts in zip(*dirs):
        if all(part == parts[0] for part in parts):
            common.append(parts[0])
        else:
            break
    return "/".join(common)


def _unique_titles(titles: list[str], clusters: list[_Cluster], importance: list[float]) -> list[str]:
    """Disambiguate equal titles: the most important keeps it, the others name a telling folder."""
    result = list(titles)
    seen: set[str] = set()
    for i in sorted(range(len(titles)), key=lambda i: (-importance[i], clusters[i].key)):
        title = titles[i]
        if title.lower() in seen and clusters[i].paths:
            words = set(split_words(title))
            folders = [f for f in reversed(posixpath.dirname(clusters[i].paths[0]).split("/")) if f]
            telling = next((f for f in folders if not set(split_words(f)) <= words), "")
            if telling:
                title = f"{title} ({humanize(telling.strip('_'), expand=False)})"
        base, count = title, 2
        while title.lower() in seen:
            title = f"{base} {count}"
            count += 1
        seen.add(title.lower())
        result[i] = title
    return result


def _unique_ids(clusters: list[_Cluster], titles: list[str]) -> list[str]:
    ids: list[str] = []
    used: set[str] = set()
    for cluster, title in zip(clusters, titles):
        if cluster.note is not None:
            base = cluster.note.note.id
        elif cluster.role in SPECIAL_ROLES:
            base = SPECIAL_ROLES[cluster.role][0]
        else:
            base = slugify(title)
        candidate, count = base, 2
        while candidate in used:
            candidate = f"{base}-{count}"
            count += 1
        used.add(candidate)
        ids.append(candidate)
    return ids


def _cluster_named(concept_id: str, title: str, clusters: list[_Cluster], graph: CodeGraph, ranking: Ranking) -> _Cluster | None:
    """The computed code cluster a memberless note refers to, by title words and file names."""
    wanted = set(split_words(concept_id)) | set(split_words(title))
    wanted |= {w.rstrip("s") for w in wanted}
    best: tuple[float, str] | None = None
    match = None
    for cluster in clusters:
        if cluster.role != "code":
            continue
        names = set()
        for path in cluster.paths:
            names.update(split_words(_stem(path).strip("_")))
            names.update(split_words(posixpath.basename(posixpath.dirname(path))))
        names |= {n.rstrip("s") for n in names} | {_EXPANSIONS.get(n, n) for n in names}
        overlap = len(wanted & names)
        if overlap == 0:
            continue
        score = (overlap, sum(ranking.raw.get(s, 0.0) for s in cluster.symbols))
        candidate = (-score[0], -score[1])
        if best is None or (candidate, cluster.key) < (best, match.key):
            best, match = candidate, cluster
    return match


# ---------------------------------------------------------------------------
# prerequisites and related concepts


def _link(
    clusters: list[_Cluster],
    ids: list[str],
    titles: list[str],
    importance: list[float],
    graph: CodeGraph,
    membership: dict[str, str],
) -> tuple[list[list[str]], list[list[str]], list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    index = {cid: i for i, cid in enumerate(ids)}
    by_name = {}
    for i, cid in enumerate(ids):
        by_name.setdefault(cid, i)
    for i, title in enumerate(titles):
        by_name.setdefault(title.lower(), i)
        by_name.setdefault(slugify(title), i)

    flow: dict[tuple[int, int], float] = defaultdict(float)  # (user, used) -> weight
    imported: set[tuple[str, str]] = set()
    for edge in graph.edges:
        if edge.kind not in _LINK_KINDS:
            continue
        a, b = membership.get(edge.source), membership.get(edge.target)
        if a is None or b is None or a == b:
            continue
        source_path, target_path = graph.symbols[edge.source].path, graph.symbols[edge.target].path
        if edge.kind == "imports":
            if _stem(source_path) in _REEXPORT_STEMS:
                continue  # a package's __init__/index re-exports everything: no dependency of its concept
            if (source_path, target_path) in imported:
                continue  # importing ten names from a file is one dependency, not ten
            imported.add((source_path, target_path))
        flow[(index[a], index[b])] += edge.weight

    # author requires first: they always win, unless they contradict each other
    dag: dict[int, set[int]] = defaultdict(set)
    authored: dict[int, list[int]] = defaultdict(list)
    authored_related: dict[int, list[int]] = defaultdict(list)
    for i, cluster in enumerate(clusters):
        if cluster.note is None:
            continue
        note = cluster.note.note
        for key, target_list in (("requires", authored), ("related", authored_related)):
            for name in getattr(note, key):
                j = by_name.get(name.strip().lower(), by_name.get(slugify(name)))
                line = note.key_lines.get(key, note.line)
                if j is None:
                    diagnostics.append(
                        Diagnostic(
                            NOTES_FILE, line, "warning", "unknown-concept",
                            f"concept {note.id!r}: {key} {name!r} is no concept id or title; known ids: {', '.join(sorted(ids)[:15])}",
                        )
                    )
                    continue
                if j == i or j in target_list[i]:
                    continue
                if key == "requires" and _reachable(dag, j, i):
                    diagnostics.append(
                        Diagnostic(
                            NOTES_FILE, line, "warning", "prerequisite-cycle",
                            f"concept {note.id!r}: requiring {ids[j]!r} would make a cycle of prerequisites; dropped",
                        )
                    )
                    continue
                target_list[i].append(j)
                if key == "requires":
                    dag[i].add(j)

    errors = [_is_error_concept(c, graph.symbols, graph.error_classes) for c in clusters]
    # direction: the user needs the used; when both use each other comparably, the less
    # important one is learned after the more important one
    totals: dict[int, float] = defaultdict(float)
    for (a, _), w in flow.items():
        totals[a] += w
    directed: list[tuple[float, int, int]] = []
    for (a, b), w_ab in sorted(flow.items()):
        w_ba = flow.get((b, a), 0.0)
        if w_ba > 0 and a > b:
            continue  # the pair is handled once, from its smaller index
        if w_ba > 0 and max(w_ab, w_ba) < MUTUAL_RATIO * min(w_ab, w_ba):
            user, used = (a, b) if (importance[a], ids[b]) < (importance[b], ids[a]) else (b, a)
            weight = w_ab + w_ba
        else:
            user, used, weight = (a, b, w_ab) if w_ab >= w_ba else (b, a, w_ba)
        if errors[used]:
            continue  # everything raises errors; learning them first teaches nothing
        if importance[used] < MINOR_PREREQUISITE * importance[user]:
            continue  # a minor detail of the user (Flask.test_client -> testing) is not its foundation
        if weight >= PREREQUISITE_MIN_WEIGHT and weight >= 0.1 * totals[user]:
            directed.append((weight, user, used))
    candidates = sorted(directed, key=lambda item: (-item[0], ids[item[1]], ids[item[2]]))
    computed: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for w, a, b in candidates:
        if clusters[a].note is not None and clusters[a].note.note.requires:
            continue  # the author said what this one requires
        if b in dag[a] or _reachable(dag, b, a):
            continue
        dag[a].add(b)
        computed[a].append((w, b))

    prerequisites: list[list[str]] = []
    related: list[list[str]] = []
    for i in range(len(clusters)):
        chosen = list(authored[i]) + [b for _, b in computed[i]][: max(0, MAX_PREREQUISITES - len(authored[i]))]
        prerequisites.append([ids[j] for j in chosen])
        chosen_set = set(chosen)
        linked = defaultdict(float)
        for (a, b), w in flow.items():
            if a == i and b not in chosen_set:
                linked[b] += w
            elif b == i and a not in chosen_set:
                linked[a] += w
        strong = sorted(
            (
                j
                for j, w in linked.items()
                if w >= RELATED_MIN_WEIGHT and (clusters[i].role != "code" or clusters[j].role == "code")
            ),
            key=lambda j: (-linked[j], ids[j]),
        )
        mine = [j for j in authored_related[i] if j not in chosen_set]
        mine += [j for j in strong if j not in mine][: max(0, MAX_RELATED - len(mine))]
        related.append([ids[j] for j in mine])
    return prerequisites, related, diagnostics


_ERROR_STEMS = frozenset({"exceptions", "exception", "errors", "error", "exc", "errs", "err", "warnings"})


def _is_error_concept(cluster: _Cluster, symbols: dict[str, Symbol], error_classes: frozenset[str]) -> bool:
    """A concept made of exception classes (or of errors/exceptions modules)."""
    if cluster.role != "code" or not cluster.paths:
        return False
    if all(_stem(p).strip("_").lower() in _ERROR_STEMS for p in cluster.paths):
        return True
    classes = [symbols[s] for s in cluster.symbols if symbols[s].kind == "class"]
    if len(classes) < 2:
        return False
    return sum(1 for c in classes if c.id in error_classes) >= 0.75 * len(classes)


def _reachable(dag: dict[int, set[int]], start: int, goal: int) -> bool:
    stack, seen = [start], set()
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node in seen:
            continue
        seen.add(node)
        stack.extend(dag.get(node, ()))
    return False


# ---------------------------------------------------------------------------
# summaries, files, sources


def first_sentence(text: str, limit: int = SUMMARY_CHARS) -> str:
    """The first sentence of a docstring's first paragraph (up to ``limit`` characters)."""
    paragraph = first_paragraph(text)
    if not paragraph:
        return ""
    match = re.search(r"(?<!\be\.g)(?<!\bi\.e)(?<!\betc)[.!?](\s|$)", paragraph)
    sentence = paragraph[: match.end()].strip() if match else paragraph
    if len(sentence) > limit:
        sentence = sentence[: limit - 1].rsplit(" ", 1)[0] + "…"
    return sentence


def _usable_doc(doc: str) -> str:
    sentence = _plain_rst(first_sentence(doc))
    if not sentence or _BAD_DOC.match(sentence) or len(sentence.split()) < 3:
        return ""
    if sentence.endswith(":") or " = " in sentence or sentence.startswith((">>>", "$ ", "`")):
        return ""  # the introduction to a list or an example, not a summary
    if _LICENCE.search(sentence):
        return ""  # a licence header (express: "express Copyright(c) 2009-2013 TJ Holowaychuk ...")
    return sentence


def _summary(
    cluster: _Cluster, members: list[str], title: str, graph: CodeGraph, sections: list[Section], ranking: Ranking
) -> tuple[str, str]:
    """(summary, source): author notes, docstrings, a README section, or nothing."""
    symbols = graph.symbols
    if cluster.note is not None and cluster.note.note.summary:
        return cluster.note.note.summary, "author"
    if cluster.role in SPECIAL_ROLES:
        return "", "generated"
    files = _ordered_files(cluster, ranking)
    module_docs = []
    for path in files:
        module_id = graph.path_module.get(path)
        sym = symbols.get(module_id) if module_id else None
        if sym is not None and sym.path == path:
            module_docs.append(sym.doc)
    # only the first two of each are read: stop looking there (a big concept has 100k members)
    classes = (sid for sid in members if symbols[sid].kind in ("class", "interface", "type"))
    class_docs = [symbols[sid].doc for sid in islice(classes, 2)]
    function_docs = [symbols[sid].doc for sid in islice((s for s in members if symbols[s].kind == "function"), 2)]
    for doc in module_docs[:2] + class_docs[:2] + module_docs[2:]:
        sentence = _usable_doc(doc or "")
        if sentence:
            return sentence, "docstring"
    section = _readme_section(title, members, symbols, sections)
    if section:
        return section, "readme"
    for doc in function_docs[:2]:
        sentence = _usable_doc(doc or "")
        if sentence:
            return sentence, "docstring"
    return "", "generated"


def _plain_rst(text: str) -> str:
    """Sphinx roles and RST literals to markdown: ``:class:`~a.B``` -> `B`, ````x```` -> `x`."""

    def role(match: re.Match) -> str:
        target = match.group(1).strip()
        target = re.sub(r"^.*<([^>]+)>$", r"\1", target) if "<" in target else target
        if target.startswith("~"):
            target = target[1:].rsplit(".", 1)[-1]
        return f"`{target}`"

    text = re.sub(r":[\w:.-]+:`([^`]+)`", role, text)
    return re.sub(r"``([^`]+)``", r"`\1`", text)


def _readme_section(title: str, members: list[str], symbols: dict[str, Symbol], sections: list[Section]) -> str:
    """The first paragraph of the README/docs section that best matches the concept."""
    title_words = {w for w in split_words(title) if len(w) > 2 and w != "and"}
    names = [symbols[sid].name for sid in members[:8] if symbols[sid].kind != "module" and len(symbols[sid].name) > 3]
    best: tuple[float, int, str, int] | None = None
    chosen = ""
    for section in sections:
        readme = posixpath.basename(section.path).lower().startswith("readme")
        if (section.level < 2 and readme) or not section.text.strip() or not _describes_code(section.path):
            continue  # a README's title section describes the whole project, not one concept
        heading_words = set(split_words(section.title))
        score = 3.0 * len(title_words & (heading_words | {w.rstrip("s") for w in heading_words}))
        score += sum(1.0 for name in names if re.search(rf"\b{re.escape(name)}\b", section.text))
        if score < 2.0:
            continue
        readme_first = 0 if readme else 1
        candidate = (-score, readme_first, section.path, section.lines[0])
        paragraph = plain_text(first_paragraph(section.text))
        if paragraph.startswith(("* ", "- ", "+ ", "1. ")):
            continue
        if paragraph and (best is None or candidate < best):
            best, chosen = candidate, paragraph
    if not chosen:
        return ""
    return chosen if len(chosen) <= SUMMARY_CHARS else chosen[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"


_NOT_DESCRIPTIONS = ("concepts", "changelog", "changes", "history", "news", "contributing", "license", "code_of_conduct", "security", "authors")


def _describes_code(path: str) -> bool:
    """README and docs pages describe the code; changelogs and licences do not (CONCEPTS.md is read as notes)."""
    stem = _stem(path).lower().replace("-", "_")
    return not any(stem.startswith(word) for word in _NOT_DESCRIPTIONS)


def _generated_summary(members: list[str], symbols: dict[str, Symbol], users: list[str]) -> str:
    def top_level(sid: str) -> bool:
        parent = symbols.get(symbols[sid].parent or "")
        return parent is None or parent.kind == "module"

    names = [
        symbols[sid].name
        for sid in members
        if symbols[sid].kind in ("class", "interface", "type", "function")
        and top_level(sid)
        and not symbols[sid].name.startswith("_")
    ][:3]
    if not names:
        names = [symbols[sid].name for sid in members if symbols[sid].kind != "module"][:3]
    if not names:
        names = [symbols[sid].name for sid in members][:3]
    text = f"Defines {_join(names)}." if names else "Holds no definitions."
    if users:
        text += f" Used by {_join(users[:2])}."
    return text


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _ordered_files(cluster: _Cluster, ranking: Ranking) -> list[str]:
    return sorted(cluster.paths, key=lambda p: (-ranking.files.get(p, 0.0), p))


def _sources(members: list[str], symbols: dict[str, Symbol]) -> list[SourceRef]:
    """Key line ranges: the top-level definitions most worth reading first (classes and functions first)."""
    picked: list[str] = []
    for wanted in (("class", "interface", "type", "function"), ("method", "variable")):
        for sid in members:
            sym = symbols[sid]
            if len(picked) == MAX_SOURCES:
                break
            if sym.kind not in wanted or sid in picked or sym.parent in picked:
                continue
            picked.append(sid)
    if not picked:
        picked = members[:1]
    return [SourceRef(path=symbols[s].path, lines=tuple(symbols[s].lines), symbol=s) for s in picked]


def humanize(name: str, expand: bool = True, vocabulary: frozenset[str] = frozenset()) -> str:
    """A title from an identifier: ``status_codes`` -> "Status codes", ``cli`` -> "CLI"."""
    return _humanize(name, expand, vocabulary)
