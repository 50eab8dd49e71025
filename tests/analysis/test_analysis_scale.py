"""The indexes that keep the analysis linear on big trees give the same answers as the scans they replaced."""

from __future__ import annotations

import gc
import random

from compiler.analysis import analyze
from compiler.analysis.calls import HEURISTIC_CALL_WEIGHT
from compiler.analysis.graph import link
from compiler.analysis.notes import _find_symbol
from compiler.analysis.rank import pagerank, rank
from compiler.model import FileFacts, Import, Symbol
from kctest.factkit import FileBuilder, minihttp


def edges_of(graph, kind):
    return {(e.source, e.target): e.weight for e in graph.edges if e.kind == kind}


def left_to_right(values) -> float:
    """``sum()`` as Python 3.11 does it (3.12 compensates rounding errors)."""
    total = 0.0
    for value in values:
        total += value
    return total


def reference_pagerank(
    nodes, edges, personalization=None, *, leak=None, damping=0.85, max_iterations=100, tolerance=1e-10
):
    """The plain-loop PageRank the array version replaced, kept as the definition of the result."""
    if not nodes:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    n = len(nodes)
    teleport = [1.0] * n
    if personalization:
        teleport = [max(0.0, personalization.get(node, 0.0)) for node in nodes]
    total = left_to_right(teleport)
    teleport = [t / total for t in teleport] if total > 0 else [1.0 / n] * n
    out_weight = [0.0] * n
    incoming = [[] for _ in range(n)]
    merged = {}
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
    scores = list(teleport)
    for _ in range(max_iterations):
        dangling_mass = left_to_right(scores[i] for i in dangling) + left_to_right(
            scores[i] * share for i, share in leaked
        )
        share = [scores[i] / out_weight[i] if out_weight[i] else 0.0 for i in range(n)]
        new = [0.0] * n
        for t in range(n):
            flow = 0.0
            for s, weight in incoming[t]:
                flow += share[s] * weight
            new[t] = damping * (flow + dangling_mass * teleport[t]) + (1.0 - damping) * teleport[t]
        delta = left_to_right(abs(new[i] - scores[i]) for i in range(n))
        scores = new
        if delta < n * tolerance:
            break
    total = left_to_right(scores)
    return {node: scores[index[node]] / total for node in nodes}


def test_pagerank_is_bit_for_bit_the_plain_loop_result():
    chooser = random.Random(7)
    for trial in range(25):
        nodes = [f"n{i}" for i in range(chooser.randint(1, 60))]
        edges = []
        for _ in range(chooser.randint(0, 200)):
            source, target = chooser.choice(nodes + ["outsider"]), chooser.choice(nodes)
            weight = chooser.choice([0.0, -1.0, 0.3, 1.0, 2.0]) * chooser.random() * 10 ** chooser.randint(-3, 3)
            edges.append((source, target, weight))  # parallel links, self links, useless weights
        personalization = {node: chooser.uniform(-0.5, 3.0) for node in nodes if chooser.random() < 0.8}
        leak = {node: chooser.choice([0.0, 1.0, 2.5]) for node in nodes if chooser.random() < 0.5}
        for kwargs in ({}, {"personalization": personalization, "leak": leak}):
            expected = reference_pagerank(nodes, edges, **kwargs)
            got = pagerank(nodes, edges, **kwargs)
            assert list(got.items()) == list(expected.items()), (trial, kwargs.keys())


def test_rank_of_a_graph_without_edges_or_symbols():
    empty = rank(link([FileFacts("README.md", "markdown", "", 3, "x")]))
    assert empty.raw == {} and empty.flows == {} and empty.files == {"README.md": 0.0}
    lone = FileBuilder("solo.py", "solo")
    lone.func("alone")
    ranking = rank(link([lone.facts()]))
    assert set(ranking.raw) == {"solo", "solo.alone"} and abs(sum(ranking.raw.values()) - 1.0) < 1e-12
    assert ranking.symbols["solo.alone"] == 1.0


def test_rank_flows_are_sorted_by_link_and_add_up_to_what_each_symbol_earned():
    ranking = rank(link(minihttp()))
    assert list(ranking.flows) == sorted(ranking.flows)
    earned: dict[str, float] = {}
    for (_, target), amount in ranking.flows.items():
        earned[target] = earned.get(target, 0.0) + amount
    assert all(ranking.earned[sid] == earned.get(sid, 0.0) for sid in ranking.earned)


def test_dotted_imports_match_whole_module_names_at_the_end_only():
    files = [FileBuilder(f"{root}/pkg/mod.py", f"{root}.pkg.mod") for root in ("src", "vendor")]
    util = FileBuilder("src/pkg/util.py", "src.pkg.util")
    util.func("helper")
    user = FileBuilder("app.py", "app")
    user.imp("pkg.util", "helper")  # a unique module ends with .pkg.util
    user.imp("pkg.mod")  # two modules end with .pkg.mod: ambiguous, left out
    user.imp("kg.util")  # not at a dot boundary: no match
    user.func("main", "helper")
    graph = link([f.facts() for f in files] + [util.facts(), user.facts()])
    imports = edges_of(graph, "imports")
    assert ("app", "src.pkg.util.helper") in imports
    assert not any(target.endswith("pkg.mod") for _, target in imports)
    assert ("app.main", "src.pkg.util.helper") in edges_of(graph, "calls")


def test_javascript_alias_imports_match_a_unique_path_suffix():
    def js(path: str, module: str, name: str, *imports: tuple[str, str]) -> FileFacts:
        return FileFacts(
            path,
            "javascript",
            module,
            20,
            "x",
            symbols=(
                Symbol(module, module.rsplit(".", 1)[-1], "module", path, (1, 20)),
                Symbol(f"{module}.{name}", name, "function", path, (2, 5), parent=module),
            ),
            imports=tuple(Import(path, spec, (imported,), i + 1) for i, (spec, imported) in enumerate(imports)),
        )

    graph = link(
        [
            js("src/lib/router.js", "src.lib.router", "route"),
            js("src/util/index.js", "src.util.index", "helper"),
            js("a/dup.js", "a.dup", "twice"),
            js("b/dup.js", "b.dup", "twice"),
            js("src/main.js", "src.main", "main", ("@/lib/router", "route"), ("~/util", "helper"), ("@/dup", "twice")),
        ]
    )
    imports = {target for source, target in edges_of(graph, "imports") if source == "src.main"}
    assert imports == {"src.lib.router.route", "src.util.index.helper"}  # @/dup is ambiguous


def test_receiver_names_find_the_one_class_family_that_has_the_method():
    base = FileBuilder("s/base.py", "s.base")
    base.cls("StorageBackend", methods={"flush": []})
    impl = FileBuilder("s/impl.py", "s.impl")
    impl.cls("DiskBackend", bases=("StorageBackend",), methods={"open": []})  # inherits flush
    impl.imp("s.base", "StorageBackend")
    for number in range(30):  # many classes end with "backend" but have neither method
        impl.cls(f"Other{number}Backend", methods={"close": []})
    impl.cls("CacheBackend", methods={"close": [], "evict": []})
    impl.cls("MemoryBackend", methods={"evict": []})
    user = FileBuilder("s/user.py", "s.user")
    user.cls("Service", methods={"save": ["self.backend.flush", "self.backend.open", "self._backend.evict"]})
    calls = edges_of(link([base.facts(), impl.facts(), user.facts()]), "calls")
    # DiskBackend and StorageBackend both answer flush with the same definition
    assert calls[("s.user.Service.save", "s.base.StorageBackend.flush")] == HEURISTIC_CALL_WEIGHT
    assert calls[("s.user.Service.save", "s.impl.DiskBackend.open")] == HEURISTIC_CALL_WEIGHT
    assert not any(target.endswith(".evict") for _, target in calls)  # two different definitions


def test_the_analysis_does_not_depend_on_the_order_of_files_or_calls():
    facts = minihttp()
    expected = analyze(facts)
    shuffler = random.Random(3)
    for _ in range(3):
        shuffled = []
        for f in facts:
            calls = list(f.calls)
            shuffler.shuffle(calls)
            shuffled.append(FileFacts(**{**f.__dict__, "calls": tuple(calls)}))
        shuffler.shuffle(shuffled)
        assert analyze(shuffled) == expected


def test_garbage_collection_is_paused_only_while_analysing():
    analyze(minihttp())
    assert gc.isenabled()
    gc.disable()
    try:
        analyze(minihttp())
        assert not gc.isenabled()  # the caller's choice is kept
    finally:
        gc.enable()


def test_symbol_suffixes_in_notes_resolve_through_the_index():
    symbols = {
        sid: Symbol(sid, sid.rsplit(".", 1)[-1], "method", "a.py", (1, 2))
        for sid in ("app.client.Client.send", "app.mail.Mailer.send", "app.client.Client", "app.x.y.send")
    }
    index: dict[str, list[str]] = {}
    assert _find_symbol("Client.send", symbols, index) == "app.client.Client.send"
    assert _find_symbol("send", symbols, index) == ["app.client.Client.send", "app.mail.Mailer.send", "app.x.y.send"]
    assert _find_symbol("`y.send()`", symbols, index) == "app.x.y.send"
    assert _find_symbol("ient.send", symbols, index) is None  # a suffix at a dot boundary only
    assert _find_symbol("app.client.Client", symbols) == "app.client.Client"
