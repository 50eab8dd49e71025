"""Rank symbols and files with PageRank over the reference graph (aider's repo-map idea).

Rank flows along edges from the user to the used definition, so definitions that many
important things use become important. Weights follow aider: references to private
names (``_x``, unexported Go names) count less, references from or into tests,
examples, benchmarks and docs count much less, and the teleport vector favours public,
exported code; exception classes, raised everywhere, count less. Containment is not use: instead a used method lends rank to its class
(``member-of``, ranking only).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from compiler.analysis.graph import CodeGraph, file_role

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
    index = {node: i for i, node in enumerate(nodes)}
    n = len(nodes)
    teleport = [1.0] * n
    if personalization:
        teleport = [max(0.0, personalization.get(node, 0.0)) for node in nodes]
    total = sum(teleport)
    teleport = [t / total for t in teleport] if total > 0 else [1.0 / n] * n

    out_weight = [0.0] * n
    incoming: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    merged: dict[tuple[int, int], float] = {}
    for source, target, weight in edges:
        if weight <= 0 or source not in index or target not in index or source == target:
            continue
        key = (index[source], index[target])
        merged[key] = merged.get(key, 0.0) + weight
    for (s, t), weight in sorted(merged.items()):
        out_weight[s] += weight
        incoming[t].append((s, weight))
    lost = [0.0] * n
    for node, amount in sorted((leak or {}).items()):
        if node in index and amount > 0 and out_weight[index[node]] > 0:
            lost[index[node]] = amount
    leaked = [(i, lost[i] / (out_weight[i] + lost[i])) for i in range(n) if lost[i] > 0]
    for i, _ in leaked:
        out_weight[i] += lost[i]
    dangling = [i for i in range(n) if out_weight[i] == 0.0]

    rank = list(teleport)
    for _ in range(max_iterations):
        dangling_mass = sum(rank[i] for i in dangling) + sum(rank[i] * share for i, share in leaked)
        share = [rank[i] / out_weight[i] if out_weight[i] else 0.0 for i in range(n)]
        new = [0.0] * n
        for t in range(n):
            flow = 0.0
            for s, weight in incoming[t]:
                flow += share[s] * weight
            new[t] = damping * (flow + dangling_mass * teleport[t]) + (1.0 - damping) * teleport[t]
        delta = sum(abs(new[i] - rank[i]) for i in range(n))
        rank = new
        if delta < n * tolerance:
            break
    total = sum(rank)
    return {node: rank[index[node]] / total for node in nodes}


def rank(graph: CodeGraph) -> Ranking:
    """PageRank every symbol of ``graph``; files get the sum of their symbols' earned rank."""
    symbols = graph.symbols
    nodes = list(symbols)
    role = {sid: file_role(sym.path) for sid, sym in symbols.items()}
    exported = graph.exported

    weighted: list[tuple[str, str, float]] = []
    leak: dict[str, float] = defaultdict(float)  # weight damped away from each source
    for edge in graph.edges:
        if edge.kind == "contains":
            # containment is not use; a used member lends rank to its container instead, below.
            # (Passing rank down as well would let big classes trap it in class->method->class loops.)
            if symbols[edge.source].kind in _CONTAINER_KINDS and symbols[edge.target].kind in ("method", "function"):
                weighted.append((edge.target, edge.source, MEMBER_OF_WEIGHT))
            continue
        weight = edge.weight
        target = symbols[edge.target]
        if _is_private(target):
            weight *= PRIVATE_TARGET
        if edge.target in graph.error_classes:
            weight *= ERROR_TARGET
        if target.kind == "variable" and edge.kind == "calls":
            weight *= VARIABLE_TARGET
        if edge.kind == "imports":
            weight *= IMPORT_RANK
        if role[edge.source] != "code":
            weight *= NON_CODE_SOURCE
        if role[edge.target] != "code":
            weight *= NON_CODE_TARGET
        weighted.append((edge.source, edge.target, weight))
        leak[edge.source] += edge.weight - weight
    # the references we cannot see (stdlib, third-party) take a share of every symbol's rank, so a
    # class whose only resolved reference is its base does not hand that base all of its rank
    for source in sorted({e.source for e in graph.edges}):
        leak[source] += EXTERNAL_WEIGHT

    personalization: dict[str, float] = {}
    for sid, sym in symbols.items():
        value = 1.0
        if role[sid] != "code":
            value *= 0.1
        if _is_private(sym):
            value *= 0.3
        if sid in exported:
            value *= 2.0
        if sym.kind == "method":
            value *= METHOD_TELEPORT
        personalization[sid] = value

    raw = pagerank(nodes, weighted, personalization, leak=dict(leak))
    out_total: dict[str, float] = defaultdict(float)
    link_weight: dict[tuple[str, str], float] = defaultdict(float)
    for source, target, weight in weighted:
        if source != target and weight > 0:
            out_total[source] += weight
            link_weight[(source, target)] += weight
    for source, amount in sorted(leak.items()):
        if out_total.get(source):
            out_total[source] += amount
    flows = {
        pair: DAMPING * raw[pair[0]] * weight / out_total[pair[0]] for pair, weight in sorted(link_weight.items())
    }

    # what a node earned is what flowed into it along links; the rest it got through the
    # teleport vector for merely existing. Aggregates (files, concepts) sum the earned part, so
    # a file of fifty unused definitions does not outrank one much-used class.
    earned = dict.fromkeys(nodes, 0.0)
    for (_, target), amount in flows.items():
        earned[target] += amount

    by_file: dict[str, float] = defaultdict(float)
    for sid in nodes:
        by_file[symbols[sid].path] += earned[sid]
    for facts in graph.files:
        by_file.setdefault(facts.path, 0.0)
    files = _normalise(dict(by_file))

    top = max((raw[s] for s in nodes if symbols[s].kind != "module"), default=0.0)
    importance: dict[str, float] = {}
    for sid in nodes:
        sym = symbols[sid]
        if sym.kind == "module":
            importance[sid] = files.get(sym.path, 0.0)
        else:
            importance[sid] = round(raw[sid] / top, 6) if top > 0 else 0.0
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
