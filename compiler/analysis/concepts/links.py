"""Importance of each concept and the prerequisite and related links between concepts.

In: the clusters, their ids and titles, the graph. Out: ``cluster_importance`` (0..1 per cluster),
``link_clusters`` (acyclic prerequisites, related concepts, diagnostics).
"""

from __future__ import annotations

from collections import defaultdict

from compiler.analysis.concepts.surface import Surface
from compiler.analysis.concepts.units import LINK_KINDS, SPECIAL_ROLES, Cluster, file_stem
from compiler.analysis.graph import CodeGraph
from compiler.analysis.notes import NOTES_FILE
from compiler.analysis.order import NEVER, teaching_key
from compiler.analysis.rank import Ranking
from compiler.model import Diagnostic, Symbol
from compiler.roles import is_support_path
from compiler.text import slugify

OWN_RANK_SHARE = 0.1  # a concept's importance counts its own members' rank this much
SPECIAL_IMPORTANCE = 0.1  # tests, examples, benchmarks: at most a tenth of the least code concept
DATA_SHARE = 0.7  # a concept this much variables and type aliases is data
SUPPORT_IMPORTANCE = 0.25  # compat shims, utils, internal folders, *_impl: never near the top
DATA_IMPORTANCE = 0.25  # type aliases, constants, enum values: looked up, not learnt first
DOCS_SHARE = 0.5  # share of a concept's importance that comes from how often the docs mention it
DOCS_FULL = 100  # mentions (concept, docs section) the docs need before they get their full share
MAX_PREREQUISITES = 3
MAX_RELATED = 3
PREREQUISITE_MIN_WEIGHT = 1.0
MINOR_PREREQUISITE = 0.25  # a concept this much less important than its user is no prerequisite of it
MUTUAL_RATIO = 3.0  # flows both ways within this ratio: the more important concept comes first
RELATED_MIN_WEIGHT = 0.5
_REEXPORT_STEMS = frozenset({"__init__", "index", "mod"})


def _data_only(cluster: Cluster, symbols: dict[str, Symbol]) -> bool:
    """Type aliases, constants and enum values: a concept of data is looked up, not learnt first."""
    kinds = [symbols[sid].kind for sid in cluster.symbols if sid in symbols and symbols[sid].kind != "module"]
    return len(kinds) >= 5 and sum(1 for k in kinds if k in ("variable", "type")) >= DATA_SHARE * len(kinds)


def cluster_importance(
    clusters: list[Cluster],
    ranking: Ranking,
    symbols: dict[str, Symbol],
    docs: list[int] | None = None,
    surface: Surface | None = None,
) -> list[float]:
    """How much the rest of the code relies on each concept, normalised to top = 1.0.

    The rank that flows into a concept's members from outside it, plus a quarter of the
    members' own rank: links inside a concept (subclasses handing rank to their base)
    do not make it important, being used from elsewhere does. Support code (compat shims, utils,
    ``internal`` folders, ``*_impl``) and data (type aliases, constants, enum values) count a quarter;
    tests, examples and benchmarks rank below
    every code concept. ``docs`` (how often the project's docs mention each concept) blends in at
    ``DOCS_SHARE``: what the docs teach is the public surface a newcomer meets first. A Python or Go
    concept none of whose members a user can reach from the package's front door (``surface``) is support code.
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
        raw.append(score)
    if docs and any(docs):
        top_code = max((r for r, c in zip(raw, clusters) if c.role == "code"), default=0.0) or 1.0
        top_docs = max(docs) ** 0.5
        share = DOCS_SHARE * min(1.0, sum(docs) / DOCS_FULL)  # a README alone says little
        raw = [
            (1 - share) * r / top_code + share * (n**0.5) / top_docs if c.role == "code" else r / top_code
            for r, n, c in zip(raw, docs, clusters)
        ]
    for i, cluster in enumerate(clusters):
        hidden = (
            surface is not None
            and cluster.role == "code"
            and bool(cluster.paths)
            and all(p in surface.declared for p in cluster.paths)
            and not any(sid in surface.reachable for sid in cluster.symbols)
        )
        if hidden or (cluster.paths and all(is_support_path(p) for p in cluster.paths)):
            raw[i] *= SUPPORT_IMPORTANCE
        elif _data_only(cluster, symbols):
            raw[i] *= DATA_IMPORTANCE
    code = [r for r, c in zip(raw, clusters) if c.role not in SPECIAL_ROLES]
    floor = min(code, default=0.0)
    top_special = max((r for r, c in zip(raw, clusters) if c.role in SPECIAL_ROLES), default=0.0)
    for i, cluster in enumerate(clusters):
        if cluster.role in SPECIAL_ROLES:  # tests, examples, benchmarks come after every code concept
            raw[i] = SPECIAL_IMPORTANCE * floor * (raw[i] / top_special if top_special > 0 else 0.0) if code else raw[i]
    top = max(raw, default=0.0)
    return [round(r / top, 6) if top > 0 else 0.0 for r in raw]


def link_clusters(
    clusters: list[Cluster],
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
        if edge.kind not in LINK_KINDS:
            continue
        a, b = membership.get(edge.source), membership.get(edge.target)
        if a is None or b is None or a == b:
            continue
        source_path, target_path = graph.symbols[edge.source].path, graph.symbols[edge.target].path
        if edge.kind == "imports":
            if file_stem(source_path) in _REEXPORT_STEMS:
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
                            NOTES_FILE,
                            line,
                            "warning",
                            "unknown-concept",
                            f"concept {note.id!r}: {key} {name!r} is no concept id or title; known ids: {', '.join(sorted(ids)[:15])}",
                        )
                    )
                    continue
                if j == i or j in target_list[i]:
                    continue
                if key == "requires" and _reachable(dag, j, i):
                    diagnostics.append(
                        Diagnostic(
                            NOTES_FILE,
                            line,
                            "warning",
                            "prerequisite-cycle",
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


def _is_error_concept(cluster: Cluster, symbols: dict[str, Symbol], error_classes: frozenset[str]) -> bool:
    """A concept made of exception classes (or of errors/exceptions modules)."""
    if cluster.role != "code" or not cluster.paths:
        return False
    if all(file_stem(p).strip("_").lower() in _ERROR_STEMS for p in cluster.paths):
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


def follow_the_teaching_order(
    ids: list[str],
    prerequisites: list[list[str]],
    related: list[list[str]],
    mentions: dict[str, int],
    noted: list[bool],
    importance: list[float],
    weights: list[float],
) -> None:
    """Code links that contradict the teaching order (``order.teaching_key``) become related, in place.

    A prerequisite the docs first mention after the concept that needs it, or never while they mention
    that concept, is taught later: the docs teach the API a user calls before what it is built on (a client
    before its transport). Where the docs name neither, the concept of more teaching weight (public
    importance, ``order.teaching_weight``) is taught first: a link's code direction says who calls whom, not what a newcomer meets first (an application
    calls its router; a doc generator calls the command it documents). The author's ``requires:`` and
    links to noted concepts stay.
    """
    key = {cid: teaching_key(cid, mentions.get(cid, NEVER), weights[i], importance[i]) for i, cid in enumerate(ids)}
    is_noted = {cid for cid, flag in zip(ids, noted) if flag}
    for i, cid in enumerate(ids):
        if noted[i]:
            continue
        kept = [p for p in prerequisites[i] if p in is_noted or key[p] < key[cid]]
        moved = [p for p in prerequisites[i] if p not in kept]
        if moved:
            prerequisites[i][:] = kept
            related[i][:] = (moved + [r for r in related[i] if r not in moved])[: max(MAX_RELATED, len(moved))]
