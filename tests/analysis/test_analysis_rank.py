"""PageRank on small hand graphs, and the aider-like weights of ``rank``."""

from __future__ import annotations

import pytest

from compiler.analysis.graph import link
from compiler.analysis.rank import pagerank, rank
from kctest.factkit import FileBuilder


def test_pagerank_of_a_cycle_is_uniform():
    scores = pagerank(["a", "b", "c"], [("a", "b", 1.0), ("b", "c", 1.0), ("c", "a", 1.0)])
    assert scores == pytest.approx({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3})


def test_pagerank_matches_the_closed_form_of_a_star():
    # three leaves point at a hub; the hub is dangling (gives its rank back uniformly)
    nodes = ["hub", "x", "y", "z"]
    scores = pagerank(nodes, [(leaf, "hub", 1.0) for leaf in "xyz"])
    # leaf: r = (1-d)/4 + d*h/4 (only the hub's returned rank reaches it); and h + 3r = 1
    d = 0.85
    h = (1 - 3 * (1 - d) / 4) / (1 + 3 * d / 4)
    leaf = (1 - d) / 4 + d * h / 4
    assert scores["hub"] == pytest.approx(h, abs=1e-9)
    assert scores["x"] == pytest.approx(leaf, abs=1e-9)
    assert sum(scores.values()) == pytest.approx(1.0)


def test_pagerank_known_ordering_with_weights():
    # a uses b heavily and c lightly; b and c both use d; e uses nothing and nobody uses it
    edges = [("a", "b", 3.0), ("a", "c", 1.0), ("b", "d", 1.0), ("c", "d", 1.0)]
    scores = pagerank(["a", "b", "c", "d", "e"], edges)
    assert scores["d"] > scores["b"] > scores["c"] > scores["a"]
    assert scores["a"] == pytest.approx(scores["e"])  # nothing points at either


def test_pagerank_leak_makes_a_damped_single_edge_pass_less():
    plain = pagerank(["a", "b"], [("a", "b", 1.0)])
    leaky = pagerank(["a", "b"], [("a", "b", 1.0)], leak={"a": 3.0})
    assert leaky["b"] < plain["b"]


def _ranked(*builders):
    graph = link([b.facts() for b in builders])
    return graph, rank(graph)


def test_heavily_used_definitions_rank_highest_and_top_is_one():
    core = FileBuilder("lib/core.py", "lib.core")
    core.func("parse")
    core.func("render")
    users = FileBuilder("lib/users.py", "lib.users")
    for i in range(5):
        users.func(f"user{i}", "lib.core.parse")
    users.imp("lib.core")
    users.func("one_render", "lib.core.render")
    graph, ranking = _ranked(core, users)
    assert ranking.symbols["lib.core.parse"] == 1.0
    assert ranking.symbols["lib.core.parse"] > ranking.symbols["lib.core.render"] > ranking.symbols["lib.users.user0"]
    assert max(ranking.files.values()) == 1.0
    assert ranking.files["lib/core.py"] == 1.0


def test_private_names_and_tests_count_less():
    lib = FileBuilder("lib/a.py", "lib.a")
    lib.func("public_api")
    lib.func("_private_helper")
    lib.func("tested_only")
    user = FileBuilder("lib/b.py", "lib.b")
    user.func("caller", "lib.a.public_api", "lib.a._private_helper")
    user.imp("lib.a")
    tests = FileBuilder("tests/test_a.py", "tests.test_a")
    tests.imp("lib.a", "tested_only")
    tests.func("test_it", "tested_only")
    graph, ranking = _ranked(lib, user, tests)
    assert ranking.symbols["lib.a.public_api"] > ranking.symbols["lib.a._private_helper"]
    # a definition used by code outranks one used only by tests
    assert ranking.symbols["lib.a.public_api"] > ranking.symbols["lib.a.tested_only"]
    assert ranking.symbols["tests.test_a.test_it"] < ranking.symbols["lib.b.caller"]


def test_a_used_method_lends_rank_to_its_class():
    lib = FileBuilder("p/m.py", "p.m")
    lib.cls("Popular", methods={"go": []})
    lib.cls("Lonely", methods={"go_alone": []})
    user = FileBuilder("p/u.py", "p.u")
    user.imp("p.m", "Popular")
    for i in range(4):
        user.func(f"f{i}", "Popular.go")
    _, ranking = _ranked(lib, user)
    assert ranking.symbols["p.m.Popular"] > ranking.symbols["p.m.Lonely"]
