"""Rank symbols and files with PageRank over the reference graph (aider's repo-map idea).

Rank flows along edges from the user to the used definition, so definitions that many
important things use become important. Weights follow aider: references to private
names (``_x``, unexported Go names) count less, references from or into tests,
examples, benchmarks and docs count much less, and the teleport vector favours public,
exported code; exception classes, raised everywhere, count less. Containment is not use: instead a used method lends rank to its class
(``member-of``, ranking only).
"""

from __future__ import annotations

from dataclasses import dataclass

from compiler.analysis.graph import CodeGraph
from compiler.roles import file_role

DAMPING = 0.85
MAX_ITERATIONS = 100
TOLERANCE = 1e-10

PRIVATE_TARGET = 0.25  # a reference to a private name
NON_CODE_SOURCE = 0.2  # a reference made by a test, example, benchmark ...
NON_CODE_TARGET = 0.1  # a reference to a definition in a test, example ...
MEMBER_OF_WEIGHT = 0.5  # a method's rank lent back to its class
EXTERNAL_WEIGHT = 1.0  # every symbol also uses things outside the repository (stdlib, packages)
ERROR_TARGET = 0.3
VARIABLE_TARGET = 0.3  # calling a variable (``var debug = require('debug')(...)``) calls something else
IMPORT_RANK = 0.2  # an import is a mention (often for type hints only); calls and subclassing are use
METHOD_TELEPORT = 0.3  # methods earn rank by being called, not by existing (big classes would win otherwise)  # raising an exception is a use, but not what makes it worth learning

_CONTAINER_KINDS = ("class", "interface", "type")


@dataclass(frozen=True)
class Ranking:
    """PageRank results: raw scores, and importances normalised so the top one is 1.0."""

    raw: dict[str, float]  # symbol id -> PageRank (sums to 1)
    earned: dict[str, float]  # symbol id -> the part of its PageRank that came through edges
    flows: dict[tuple[str, str], float]  # (source, target) -> rank passed along that link per iteration
    symbols: dict[str, float]  # symbol id -> importance in 0..1 (top non-module symbol = 1.0)
    files: dict[str, float]  # path -> importance in 0..1 (top file = 1.0)


def pagerank(
    nodes: list[str],
    edges: list[tuple[str, str, float]],
    personalization: dict[str, float] | None = None,
    *,
    leak: dict[str, float] | None = None,
    damping: float = DAMPING,
    max_iterations: int = MAX_ITERATIONS,
    tolerance: float = TOLERANCE,
) -> dict[str, float]:
    """Weighted personalised PageRank by power iteration; deterministic for a given input order.

    Dangling nodes (no out-edges) give their rank back through the personalisation
    vector, as networkx does. ``leak`` adds, per node, out-weight that leads nowhere: that
    share of its rank also goes back through the personalisation vector. It is how a
    damped edge really passes less rank, even from a node with a single out-edge.
    Scores sum to 1.
    """
    if not nodes:
        return {}
    import numpy as np  # lazily, like every heavy library: ``kc --help`` stays fast

    index = {node: i for i, node in enumerate(nodes)}
    n = len(nodes)
    if personalization:
        wanted = np.array([personalization.get(node, 0.0) for node in nodes], dtype=np.float64)
        teleport = np.where(wanted > 0.0, wanted, 0.0)  # max(0.0, value)
    else:
        teleport = np.ones(n)
    sources: list[int] = []
    targets: list[int] = []
    weights: list[float] = []
    for source, target, weight in edges:
        if weight <= 0 or source not in index or target not in index or source == target:
            continue
        sources.append(index[source])
        targets.append(index[target])
        weights.append(weight)
    links = _merge_links(
        n, np.array(sources, dtype=np.int64), np.array(targets, dtype=np.int64), np.array(weights, dtype=np.float64)
    )
    lost = np.zeros(n)
    for node, amount in (leak or {}).items():
        if node in index and amount > 0:
            lost[index[node]] = amount
    scores = _power_iteration(n, *links, teleport, lost, damping, max_iterations, tolerance)
    # (a node listed twice gets the score of its last place, as index[node] says)
    return dict(zip(nodes, scores.tolist()))


# The arithmetic below is exactly that of plain Python loops over nodes and links in order, so
# scores do not move by a bit from one version to the next: np.bincount adds each bin's terms
# one by one in array order, and _sum adds left to right like ``sum()`` (np.sum adds pairwise).


def _sum(values) -> float:
    """Left-to-right sum of a float array, bit for bit ``sum()`` of its items on Python 3.11."""
    return float(values.cumsum()[-1]) if len(values) else 0.0


def _merge_links(n: int, sources, targets, weights):
    """Distinct links as (source, target, weight) arrays sorted by link; parallel weights added in input order."""
    import numpy as np

    keys, which = np.unique(sources * n + targets, return_inverse=True)
    # (np.bincount of nothing is an integer array, whatever the weights: hence the astype)
    merged = np.bincount(which.ravel(), weights=weights, minlength=len(keys)).astype(np.float64, copy=False)
    return keys // n, keys % n, merged


def _power_iteration(n, link_source, link_target, link_weight, teleport, lost, damping, max_iterations, tolerance):
    """PageRank scores (summing to 1) of nodes ``0..n-1``; see ``pagerank``. ``lost``: leak per node."""
    import numpy as np

    total = _sum(teleport)
    teleport = teleport / total if total > 0 else np.full(n, 1.0 / n)
    out_weight = np.bincount(link_source, weights=link_weight, minlength=n).astype(np.float64, copy=False)
    leaking = (lost > 0) & (out_weight > 0)  # leak only from a node with links
    leaked_nodes = np.flatnonzero(leaking)
    leaked_share = lost[leaking] / (out_weight[leaking] + lost[leaking])
    out_weight[leaking] += lost[leaking]
    dangling = np.flatnonzero(out_weight == 0.0)
    has_out = out_weight != 0.0
    kept = (1.0 - damping) * teleport

    rank = teleport
    for _ in range(max_iterations):
        dangling_mass = _sum(rank[dangling]) + _sum(rank[leaked_nodes] * leaked_share)
        share = np.zeros(n)
        np.divide(rank, out_weight, out=share, where=has_out)
        flow = np.bincount(link_target, weights=share[link_source] * link_weight, minlength=n)
        new = damping * (flow + dangling_mass * teleport) + kept
        delta = _sum(np.abs(new - rank))
        rank = new
        if delta < n * tolerance:
            break
    return rank / _sum(rank)


def rank(graph: CodeGraph) -> Ranking:
    """PageRank every symbol of ``graph``; files get the sum of their symbols' earned rank."""
    import numpy as np

    symbols = graph.symbols
    nodes = list(symbols)
    n = len(nodes)
    if not n:
        return Ranking(raw={}, earned={}, flows={}, symbols={}, files=_normalise({f.path: 0.0 for f in graph.files}))
    index = {sid: i for i, sid in enumerate(nodes)}
    # (a big repository has half a million symbols and a million edges: everything below is
    # done on arrays indexed like ``nodes``, in the same order and with the same float
    # operations as per-edge loops would, so the results are the same to the bit)
    kinds = [sym.kind for sym in symbols.values()]
    is_module = np.array([k == "module" for k in kinds])
    not_code = np.array([file_role(sym.path) != "code" for sym in symbols.values()])
    private = np.array([_is_private(sym) for sym in symbols.values()])
    exported = np.array([sid in graph.exported for sid in nodes])
    error = np.array([sid in graph.error_classes for sid in nodes])
    container = np.array([k in _CONTAINER_KINDS for k in kinds])
    callable_ = np.array([k in ("method", "function") for k in kinds])
    variable = np.array([k == "variable" for k in kinds])
    method = np.array([k == "method" for k in kinds])

    edges = graph.edges
    source = np.array([index[e.source] for e in edges], dtype=np.int64)
    target = np.array([index[e.target] for e in edges], dtype=np.int64)
    edge_weight = np.array([e.weight for e in edges], dtype=np.float64)
    edge_kinds = [e.kind for e in edges]
    contains = np.array([k == "contains" for k in edge_kinds], dtype=bool)
    calls = np.array([k == "calls" for k in edge_kinds], dtype=bool)
    imports = np.array([k == "imports" for k in edge_kinds], dtype=bool)

    # containment is not use; a used member lends rank to its container instead (member-of).
    # (Passing rank down as well would let big classes trap it in class->method->class loops.)
    member_of = contains & container[source] & callable_[target]
    weight = edge_weight
    weight = np.where(private[target], weight * PRIVATE_TARGET, weight)
    weight = np.where(error[target], weight * ERROR_TARGET, weight)
    weight = np.where(calls & variable[target], weight * VARIABLE_TARGET, weight)
    weight = np.where(imports, weight * IMPORT_RANK, weight)
    weight = np.where(not_code[source], weight * NON_CODE_SOURCE, weight)
    weight = np.where(not_code[target], weight * NON_CODE_TARGET, weight)
    # the weight damped away from each source leaks back through the teleport vector; and the
    # references we cannot see (stdlib, third-party) take a share of every symbol's rank, so a
    # class whose only resolved reference is its base does not hand that base all of its rank
    used = ~contains
    damped = np.bincount(source[used], weights=(edge_weight - weight)[used], minlength=n)
    has_edges = np.bincount(source, minlength=n) > 0
    leak = np.where(has_edges, damped + EXTERNAL_WEIGHT, 0.0)

    # the ranking links, in edge order: each edge, or its member-of link, or nothing
    kept = used | member_of
    link_from = np.where(member_of, target, source)[kept]
    link_to = np.where(member_of, source, target)[kept]
    link_weight = np.where(member_of, MEMBER_OF_WEIGHT, weight)[kept]
    real = (link_weight > 0) & (link_from != link_to)
    link_from, link_to, link_weight = link_from[real], link_to[real], link_weight[real]

    personalization = np.ones(n)
    personalization = np.where(not_code, personalization * 0.1, personalization)
    personalization = np.where(private, personalization * 0.3, personalization)
    personalization = np.where(exported, personalization * 2.0, personalization)
    personalization = np.where(method, personalization * METHOD_TELEPORT, personalization)

    merged_from, merged_to, merged_weight = _merge_links(n, link_from, link_to, link_weight)
    raw_scores = _power_iteration(
        n, merged_from, merged_to, merged_weight, personalization, leak, DAMPING, MAX_ITERATIONS, TOLERANCE
    )
    raw = dict(zip(nodes, raw_scores.tolist()))

    # rank passed along each link per iteration: its share of the source's out-weight (leak included)
    out_total = np.bincount(link_from, weights=link_weight, minlength=n)
    out_total = np.where(has_edges & (out_total != 0), out_total + leak, out_total)
    position = np.empty(n, dtype=np.int64)  # each id's place in sorted order: flows go sorted by id
    position[sorted(range(n), key=nodes.__getitem__)] = np.arange(n)
    order = np.lexsort((position[merged_to], position[merged_from]))
    flow_from, flow_to = merged_from[order], merged_to[order]
    amounts = DAMPING * raw_scores[flow_from] * merged_weight[order] / out_total[flow_from]
    pairs = zip([nodes[i] for i in flow_from.tolist()], [nodes[i] for i in flow_to.tolist()])
    flows = dict(zip(pairs, amounts.tolist()))

    # what a node earned is what flowed into it along links; the rest it got through the
    # teleport vector for merely existing. Aggregates (files, concepts) sum the earned part, so
    # a file of fifty unused definitions does not outrank one much-used class.
    earned_scores = np.bincount(flow_to, weights=amounts, minlength=n).astype(np.float64, copy=False)
    earned = dict(zip(nodes, earned_scores.tolist()))

    path_index: dict[str, int] = {}
    node_path = np.array([path_index.setdefault(sym.path, len(path_index)) for sym in symbols.values()], dtype=np.int64)
    by_path = np.bincount(node_path, weights=earned_scores, minlength=len(path_index))
    by_file = dict(zip(path_index, by_path.tolist()))
    for facts in graph.files:
        by_file.setdefault(facts.path, 0.0)
    files = _normalise(by_file)

    top = float(raw_scores[~is_module].max()) if not is_module.all() else 0.0
    scaled = (raw_scores / top).tolist() if top > 0 else [0.0] * n
    importance: dict[str, float] = {}
    for sid, sym, value in zip(nodes, symbols.values(), scaled):
        importance[sid] = files.get(sym.path, 0.0) if sym.kind == "module" else (round(value, 6) if top > 0 else 0.0)
    return Ranking(raw=raw, earned=earned, flows=flows, symbols=importance, files=files)


def _normalise(values: dict[str, float]) -> dict[str, float]:
    top = max(values.values(), default=0.0)
    return {k: (round(v / top, 6) if top > 0 else 0.0) for k, v in sorted(values.items())}


def _is_private(sym) -> bool:
    if sym.kind == "module":
        return False  # httpx._client is where the public Client lives
    name = sym.name
    if name.startswith("__") and name.endswith("__"):
        return False
    return name.startswith("_") or not sym.public
