"""Agglomerate units into concepts over the weight of calls, inheritance and imports between them.

In: unit ``Cluster``s, the ``CodeGraph`` and a budget of concepts. Out: at most ``budget`` clusters
(twins merge, a file and its kinds beside it merge, linked small folders merge unless the project has room for each of its substantial
files, a cohesive folder of more than ``SMALL_FOLDER_FILES`` files merges only while it is idea-sized (a
subsystem holds several ideas), tiny units fold into a neighbour, then the smallest joins the neighbour it is most tied to per
unit of size). A call into an exception class is a weak tie (``ERROR_TIE``): everything raises the errors,
and a unit is not about errors because it raises them. An import of a Go package ties the importer to the package, not to
the file that holds the package's symbol (``doc.go``).
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter, defaultdict

from compiler.analysis.concepts.units import LINK_KINDS, Cluster, file_stem
from compiler.analysis.graph import CodeGraph
from compiler.text import split_words

MAX_CONCEPT_SHARE = 0.25  # no voluntary merge may hold more than this share of the code's symbols (or 3/budget)
MIN_SIZE_LIMIT = 40  # ... unless it is this small anyway
ROOMY_UNIT_MIN = 6  # in a project with room for every file, files this big stay apart from their folder-mates
SMALL_FOLDER_FILES = 8  # a sub-folder this small is one concept when its files are linked at all
ERROR_TIE = 0.1  # raising an exception class is a weak tie: everything raises the errors
TINY_SYMBOLS = 3  # a unit with fewer symbols than this (and few lines) is folded into a neighbour
TINY_LINES = 60
DIR_PRIOR = 0.5  # folder prior, in units of the mean unit degree
MAX_TWIN_FOLDERS = 3  # a file name in more folders than this (models.py in every app) makes no twins
TWIN_MIN_WEIGHT = 1.0  # twins must at least call or subclass each other
KIND_MIN_VARIANTS = 2  # a base file and this many ``<kind>_<base>`` files beside it are one idea
_VERSION = re.compile(r"v?\d+")
GENERIC_STEMS = frozenset(
    {"__init__", "__main__", "index", "main", "mod", "lib", "src", "init", "pkg", "internal", "source"}
)


def agglomerate(units: list[Cluster], graph: CodeGraph, budget: int) -> list[Cluster]:
    """Group units: twin files, cohesive folders, tiny units into neighbours; then meet ``budget``."""
    if not units:
        return []
    unit_of: dict[str, int] = {}
    for i, unit in enumerate(units):
        for sid in unit.symbols:
            unit_of[sid] = i
    # ``code`` is the weight of calls, inheritance and imports; ``weight`` adds the folder prior
    code: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    packages = Counter(graph.path_module.values())  # a Go package's symbol sits in one of its files (``doc.go``)
    for edge in graph.edges:
        if edge.kind not in LINK_KINDS or packages.get(edge.target, 0) > 1 or packages.get(edge.source, 0) > 1:
            continue  # importing a package (or its files' top-level code) ties to it, not to the file holding its symbol
        a, b = unit_of.get(edge.source), unit_of.get(edge.target)
        if a is None or b is None or a == b:
            continue
        weight = edge.weight * (ERROR_TIE if edge.target in graph.error_classes else 1.0)
        code[a][b] += weight
        code[b][a] += weight
    weight: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for a in sorted(code):
        for b, w in code[a].items():
            weight[a][b] = w
    _add_folder_prior(units, weight)

    clusters: dict[int, Cluster] = dict(enumerate(units))
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
            stem_folders[file_stem(path).strip("_")].add(posixpath.dirname(path))
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

    # a'. kinds of one thing: a file and the files beside it named after it with a qualifier in front
    #     (formatter.go, text_formatter.go, json_formatter.go) are one idea, the base and its kinds; like twins,
    #     the author's naming says so and the size limit does not apply
    main_units = {c.paths[0]: i for i, c in clusters.items() if len(c.paths) == 1 and c.key == c.paths[0]}
    for base, variants in kind_families(sorted(main_units), graph):  # a handful at most: forty are ``parallel``'s
        for variant in variants:
            merge(main_units[base], main_units[variant])

    # b. cohesive folders: a small sub-folder with linked files, or one whose files talk more
    #    to each other than to the rest
    #    (not when every file fits the budget twice over and each is substantial: then a small
    #    project's files are its ideas, express's router/ is Router, Route and Layer)
    roomy = len({p for c in clusters.values() for p in c.paths}) * 2 <= budget  # files, not their parts
    for directory in _folders(clusters.values()):
        inside = sorted(i for i, c in clusters.items() if c.paths and all(_within(p, directory) for p in c.paths))
        if len(inside) < 2 or len(inside) == len(clusters):
            continue
        if roomy and min(clusters[i].size for i in inside) >= ROOMY_UNIT_MIN:
            continue
        inside_set = set(inside)
        internal = sum(w for i in inside for j, w in code[i].items() if j in inside_set) / 2.0
        external = sum(w for i in inside for j, w in code[i].items() if j not in inside_set)
        files_inside = sum(len(clusters[i].paths) for i in inside)
        cohesive = internal >= 0.5 * external or files_inside <= SMALL_FOLDER_FILES
        unlinked = sum(1 for i in inside if not any(w > 0 for w in code[i].values()))
        data_only = unlinked >= 0.8 * len(inside)  # a folder of data (locales, fixtures): one concept
        # a small folder is the author's grouping of one idea; a big one is a subsystem of several (an ORM's
        # sessions, queries and relationships), one concept only while it is idea-sized
        limit = folder_limit if files_inside <= SMALL_FOLDER_FILES else size_limit
        if (data_only or (internal > 0 and cohesive)) and sum(clusters[i].size for i in inside) <= limit:
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
            linked = any(w > 0 and j in clusters for j, w in code[i].items())  # the folder prior only breaks ties
            neighbours = [(w, j) for j, w in weight[i].items() if j in clusters and w > 0] if linked else []
            if neighbours:
                _, j = min(neighbours, key=lambda item: (-item[0], clusters[item[1]].key))
            else:
                # unlinked (a Go doc.go holding only the package doc): the biggest concept of its folder
                folder = posixpath.dirname(cluster.paths[0]) if cluster.paths else None
                mates = [
                    k
                    for k in clusters
                    if k != i and clusters[k].paths and posixpath.dirname(clusters[k].paths[0]) == folder
                ]
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


def kind_families(paths: list[str], graph: CodeGraph) -> list[tuple[str, list[str]]]:
    """(base file, its kinds): files of one folder whose name words end with the base file's name words, a qualifier
    in front and maybe a version after (``bash_completions``, ``bash_completionsV2`` for ``completions``), when
    there are ``KIND_MIN_VARIANTS`` to ``SMALL_FOLDER_FILES`` of them; a file is the kind of one base only (the longest
    name). A kind defines what its name says: text_formatter.go a ``TextFormatter``, bash_completions.go a
    ``GenBashCompletion``; http_assertions.go, whose functions are ``HTTPSuccess``..., is its own idea."""
    wanted = set(paths)  # naming asks per concept: read only these files' definitions
    defined: dict[str, set[str]] = defaultdict(set)
    for facts in graph.files:
        if facts.path in wanted:
            for symbol in facts.symbols:
                if symbol.kind != "module":  # a module is named after its file: it says nothing of what it holds
                    defined[symbol.path].add(symbol.name.lower().replace("_", ""))
    words = {}
    for path in paths:
        found = split_words(file_stem(path))
        while len(found) > 1 and _VERSION.fullmatch(found[-1]):
            found.pop()
        words[path] = tuple(found)
    taken: set[str] = set()
    families = []
    by_length = sorted(paths, key=lambda p: (-len(words[p]), p))
    for base in by_length:
        stem = words[base]
        if not stem or file_stem(base).strip("_") in GENERIC_STEMS or base in taken:
            continue
        folder = posixpath.dirname(base)
        variants = [
            p
            for p in paths
            if p != base and p not in taken and posixpath.dirname(p) == folder
            and len(words[p]) > len(stem) and words[p][-len(stem):] == stem and _defines_its_kind(p, words[p], defined)
        ]  # fmt: skip
        if KIND_MIN_VARIANTS <= len(variants) <= SMALL_FOLDER_FILES:
            taken.update(variants)
            taken.add(base)
            families.append((base, variants))
    return sorted(families)


def _defines_its_kind(path: str, words: tuple[str, ...], defined: dict[str, set[str]]) -> bool:
    """Whether ``path`` defines a name holding its own file name (singular or plural, any case or underscores)."""
    kind = "".join(words).lower()
    kinds = {kind, kind[:-1] if kind.endswith("s") else kind}
    return any(k in name for name in defined.get(path, ()) for k in kinds)


def _shared_depth(a: Cluster, b: Cluster) -> int:
    """How many leading folders the first files of two clusters share."""
    if not a.paths or not b.paths:
        return 0
    depth = 0
    for x, y in zip(posixpath.dirname(a.paths[0]).split("/"), posixpath.dirname(b.paths[0]).split("/")):
        if x != y:
            break
        depth += 1
    return depth


def _twins(a: Cluster, b: Cluster, twin_stems: set[str]) -> bool:
    """Both clusters hold a file of the same (non-generic) name, in different folders."""
    stems_a = {(file_stem(p).strip("_"), posixpath.dirname(p)) for p in a.paths}
    stems_b = {(file_stem(p).strip("_"), posixpath.dirname(p)) for p in b.paths}
    return any(
        sa == sb and da != db and sa in twin_stems and sa not in GENERIC_STEMS
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


def _add_folder_prior(units: list[Cluster], weight: dict[int, dict[int, float]]) -> None:
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
    for _directory, members in sorted(by_dir.items()):
        if len(members) < 2:
            continue
        specificity = 1.0 - len(members) / total
        prior = DIR_PRIOR * scale * specificity / (len(members) - 1)
        for x in members:
            for y in members:
                if x < y:
                    weight[x][y] += prior
                    weight[y][x] += prior
