"""Fusion, concept-map boosts and diversification, on a hand-made state."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from compiler.index import search as S
from compiler.index.chunk import Chunk
from compiler.index.hits import Hit, hit_to_json
from compiler.index.question import ONBOARDING
from compiler.model import Edge
from compiler.roles import is_test_path


def chunk(n, *, path="a.py", symbol=None, kind="function", concept=None, members=(), importance=0.0):
    return Chunk(
        id=f"c{n}", kind=kind, page="reference/a.md", path=path, symbol=symbol if symbol is not None else f"m.s{n}",
        lines=(n, n + 1), concept=concept, title=f"t{n}", snippet=f"snippet {n}", text=f"text {n}", embed_text="",
        lexical_text="", importance=importance, members=tuple(members),
    )  # fmt: skip


class FakeCorpus:
    def __init__(self, edges=(), symbols=()):
        self.edges = list(edges)
        self.core = SimpleNamespace(symbols=list(symbols))

    @property
    def symbols(self):
        return {symbol.id: symbol for symbol in self.core.symbols}

    @property
    def symbols_by_path(self):
        by_path = {}
        for symbol in self.core.symbols:
            by_path.setdefault(symbol.path, []).append(symbol)
        return by_path

    def edges_from(self, symbol):
        return [e for e in self.edges if e.source == symbol]

    def edges_to(self, symbol):
        return [e for e in self.edges if e.target == symbol]


def state(chunks, edges=(), symbols=()):
    return S._make_state(FakeCorpus(edges, symbols), chunks, None, None, None, None, None)


def rankings(monkeypatch, dense, lexical):
    monkeypatch.setattr(S, "_dense_ranking", lambda st, asked: list(dense))
    monkeypatch.setattr(S, "_lexical_ranking", lambda st, asked: list(lexical))


def test_reciprocal_rank_fusion(monkeypatch):
    st = state([chunk(i) for i in range(4)])
    rankings(monkeypatch, dense=[0, 1, 2], lexical=[1, 3])
    fused = S._fuse(st, S._Query("q"))
    k, wd, wl = S.RRF_K, S.DENSE_WEIGHT, S.LEXICAL_WEIGHT
    assert fused[1] == pytest.approx(wd / (k + 2) + wl / (k + 1))
    assert fused[0] == pytest.approx(wd / (k + 1))
    assert fused[3] == pytest.approx(wl / (k + 2))
    assert max(fused, key=fused.get) == 1  # found by both beats first place in one
    assert 2 in fused and len(fused) == 4


def test_lexical_only_when_there_is_no_dense_index(monkeypatch):
    st = state([chunk(i) for i in range(3)])
    monkeypatch.setattr(S, "_lexical_ranking", lambda st, asked: [2, 0])
    assert S._dense_ranking(st, S._Query("q")) == []  # no embedder: no dense votes
    assert list(S._fuse(st, S._Query("q"))) == [2, 0]


def test_importance_lifts_central_code():
    st = state([chunk(0, importance=0.0), chunk(1, importance=1.0)])
    scores = S._boost(st, {0: 0.10, 1: 0.095})
    assert scores[1] > scores[0]


def test_matching_concept_lifts_its_members_and_names_the_best_one():
    members = ("m.s1", "m.s2")
    chunks = [chunk(0, kind="concept", concept="retries", symbol="m.s1", members=members), chunk(1), chunk(2), chunk(3)]
    st = state(chunks)
    fused = {0: 0.09, 1: 0.02, 2: 0.03, 3: 0.035}
    scores = S._boost(st, fused)
    assert scores[2] > scores[3]  # the lift overtakes a slightly better non-member
    assert scores[2] - fused[2] > 0 and scores[3] == pytest.approx(fused[3])  # non-members get nothing
    symbol, path, lines = S._best_member(st, chunks[0], scores)
    assert symbol == "m.s2" and lines == (2, 3)


def test_graph_neighbours_of_strong_hits_are_lifted():
    chunks = [chunk(i) for i in range(4)]
    st = state(chunks, edges=[Edge("m.s0", "m.s3", "calls")])
    fused = {0: 0.1, 1: 0.02, 3: 0.02}
    scores = S._boost(st, fused)
    assert scores[3] > scores[1]
    assert 2 not in scores  # the map reorders what retrievers found; it does not invent hits


def test_a_neighbour_closes_in_on_the_hit_that_lifts_it_but_never_overtakes_it():
    chunks = [chunk(i) for i in range(3)]
    st = state(chunks, edges=[Edge("m.s0", "m.s1", "calls"), Edge("m.s0", "m.s2", "calls")])
    fused = {0: 0.080, 1: 0.078, 2: 0.050}  # s1 is nearly as good as s0 on its own
    scores = S._boost(st, fused)
    assert scores[0] > scores[1] > fused[1]  # lifted, still second
    assert scores[2] == pytest.approx(fused[2] + S.NEIGHBOUR_BOOST * fused[0])  # far below: the full lift


def test_a_class_without_methods_yields_to_the_code_that_does_the_work():
    from compiler.model import Symbol

    chunks = [chunk(0, kind="class", symbol="m.TooManyRedirects"), chunk(1, kind="class", symbol="m.Client"), chunk(2)]
    symbols = [
        Symbol("m.TooManyRedirects", "TooManyRedirects", "class", "a.py", (1, 2), parent="m"),
        Symbol("m.Client", "Client", "class", "a.py", (3, 9), parent="m"),
        Symbol("m.Client.send", "send", "method", "a.py", (4, 9), parent="m.Client"),
    ]
    st = state(chunks, symbols=symbols)
    scores = S._boost(st, {0: 0.100, 1: 0.100, 2: 0.090})
    assert scores[0] == pytest.approx(0.100 * S.EMPTY_CLASS_PRIOR)
    assert scores[1] == pytest.approx(0.100)  # a class with behaviour keeps its score
    assert scores[2] > scores[0]


def test_the_file_whose_topic_matches_breaks_a_tie(monkeypatch):
    from compiler.index.embed import HashEmbedder

    embedder = HashEmbedder(dim=64)
    chunks = [
        chunk(0, path="cookies.py"),
        chunk(1, path="retry.py"),
        chunk(2, path="retry.py"),
        chunk(3, path="retry.py"),
    ]
    texts = ["cookie jar header", "retry failed connection backoff", "retry attempts limit", "backoff delay retry"]
    st = S._make_state(FakeCorpus(), chunks, embedder.embed_batch(texts), None, None, embedder, None)
    assert list(st.file_of_row) == [0, 1, 1, 1] and st.file_vectors.shape == (2, 64)
    rankings(monkeypatch, dense=[0, 1], lexical=[1, 0])  # the retrievers disagree on rows 0 and 1
    question = "retry backoff after a failed connection"
    fused = S._fuse(st, S._Query(question))
    assert fused[1] > fused[0]  # retry.py as a whole is about the question
    assert set(fused) == {0, 1}  # the file vote reorders candidates, it adds none
    monkeypatch.setattr(S, "FILE_WEIGHT", 0.0)
    fused = S._fuse(st, S._Query(question))
    assert fused[0] > fused[1]  # without it, the dense retriever's first place wins


def test_a_test_file_is_not_the_best_topic_unless_tests_are_asked_for():
    from compiler.index.embed import HashEmbedder

    embedder = HashEmbedder(dim=64)
    chunks = [chunk(0, path="acceptance/tests/test_retry.py"), chunk(1, path="src/retry.py")]
    texts = ["retry failed connection", "retry failed connection"]  # one topic; only the path differs
    st = S._make_state(FakeCorpus(), chunks, embedder.embed_batch(texts), None, None, embedder, None)
    # ranks per file, files in path order: [the test file, the code]
    every_file = S._Query("q", demote_tests=False)
    assert list(S._file_ranks(st, "retry failed connection", every_file)) == [1, 2]  # a tie, in path order
    assert list(S._file_ranks(st, "retry failed connection", S._Query("q"))) == [2, 1]  # as in the dense retriever


def test_one_file_cannot_fill_the_top_ten():
    chunks = [chunk(i, path="big.py") for i in range(8)] + [chunk(10 + i, path=f"f{i}.py") for i in range(8)]
    st = state(chunks)
    ranked = list(range(len(chunks)))
    scores = {row: 1.0 - row / 100 for row in ranked}
    hits = S._diversify(st, ranked, scores, 10)
    assert sum(h.path == "big.py" for h in hits) == S.PER_FILE_TOP
    assert [h.rank for h in hits] == list(range(1, 11))
    more = S._diversify(st, ranked, scores, 16)
    assert sum(h.path == "big.py" for h in more[:10]) == S.PER_FILE_TOP
    assert len(more) == 16  # pushed down, not dropped
    assert [h.path for h in more[:3]] == ["big.py"] * 3


def test_one_symbol_or_concept_appears_once_in_the_top_ten():
    chunks = [
        chunk(0, symbol="m.x", path="a.py"),
        chunk(1, symbol="m.x", path="a.py", kind="module"),
        chunk(2, kind="concept", concept="c", symbol="m.x", members=("m.x", "m.z"), path="b.py"),
        chunk(3, kind="concept", concept="c", symbol="m.x", members=("m.x", "m.z"), path="b.py"),
        chunk(4, symbol="m.y", path="c.py"),
        chunk(5, symbol="m.z", path="d.py"),
    ]
    st = state(chunks)
    ranked = [0, 1, 2, 3, 4, 5]
    scores = {r: 1.0 - r / 10 for r in ranked}
    hits = S._diversify(st, ranked, scores, 6)
    assert [(h.kind, h.symbol) for h in hits] == [
        ("function", "m.x"),
        ("concept", "m.z"),  # the concept names its best member not shown yet
        ("function", "m.y"),
        ("module", "m.x"),  # moved down, not dropped
        ("concept", "m.x"),  # every member shown: the concept's own anchor
        ("function", "m.z"),
    ]


def test_hit_json_contract():
    hit = Hit(1, 0.5, "a/b.py", "a.b.f", (3, 9), "c", "a.b.f", "Does f.", "function", "full text")
    data = hit_to_json(hit)
    assert data == {
        "rank": 1, "score": 0.5, "path": "a/b.py", "symbol": "a.b.f", "lines": [3, 9], "concept": "c",
        "title": "a.b.f", "snippet": "Does f.", "kind": "function",
    }  # fmt: skip
    assert hit_to_json(Hit(2, 0.1, "README.md", None, None, None, "Intro", "", "doc", ""))["lines"] is None


def test_empty_query_and_empty_index(corpus_dir, settings):
    searcher = S.Searcher(corpus_dir, settings)
    assert searcher.search("   ") == []
    assert searcher.search("retry", k=0) == []
    assert searcher.search("zzzqqq nothing matches this") == []


def test_tests_rank_below_the_code_they_check_unless_asked_for():
    from compiler.index.embed import HashEmbedder
    from compiler.index.lexical import LexicalIndex

    chunks = [chunk(0, path="tests/test_client.py"), chunk(1, path="pkg/client.py")]
    texts = ["retry failed connection", "retry failed connection"]  # equally good: only the path differs
    embedder = HashEmbedder()
    st = S._make_state(
        FakeCorpus(), chunks, embedder.embed_batch(texts), None, LexicalIndex.build(texts), embedder, None
    )
    assert S._lexical_ranking(st, S._Query("retry", demote_tests=False)) == [0, 1]  # a tie, in chunk order
    assert S._lexical_ranking(st, S._Query("retry")) == [1, 0]
    assert S._dense_ranking(st, S._Query("retry failed connection"))[0] == 1
    searcher = S.Searcher.__new__(S.Searcher)
    searcher._state = st
    assert [h.path for h in searcher.search("retry")] == ["pkg/client.py", "tests/test_client.py"]
    assert [h.path for h in searcher.search("which tests retry")][0] == "tests/test_client.py"
    assert is_test_path("src/router.spec.ts") and not is_test_path("src/contest.py")
    assert is_test_path("internal/testutils/testutils.go") and is_test_path("pkg/testhelpers/db.py")
    assert not is_test_path("pkg/testimony/report.py")
    # Integration tests at the root (fastify's integration/server.js), never a package's own integration module.
    assert is_test_path("integration/server.js") and is_test_path("e2e/app.spec.ts")
    assert not is_test_path("src/pkg/integration/slack.py")


def test_release_notes_are_not_chunked():
    from compiler.index.chunk import chunk_sections
    from compiler.model import Section

    body = "Fixed the retry loop so that failed connections are retried with backoff again."
    sections = [Section("CHANGELOG.md", "0.2.0", 2, (1, 3), body), Section("README.md", "Retries", 2, (1, 3), body),
                Section("docs/History.md", "1.0", 2, (1, 3), body)]  # fmt: skip
    assert [c.path for c in chunk_sections(sections)] == ["README.md"]


def test_a_module_hit_names_the_definition_that_answers_even_when_no_definition_was_a_candidate():
    import numpy as np

    from compiler.model import Symbol

    symbols = [
        Symbol(id="m", name="m", kind="module", path="m.py", lines=(1, 90)),
        Symbol(id="m.s1", name="s1", kind="function", path="m.py", lines=(1, 2), parent="m"),
        Symbol(id="m.s2", name="s2", kind="function", path="m.py", lines=(2, 3), parent="m"),
    ]
    chunks = [chunk(0, kind="module", symbol="m", path="m.py"), chunk(1, path="m.py"), chunk(2, path="m.py")]
    st = state(chunks, symbols=symbols)
    assert st.module_members == {"m.py": ("m.s1", "m.s2")}
    asked = S._Query("q", similarity=np.array([0.9, 0.1, 0.5]), lexical=np.array([3.0, 0.0, 1.0]))
    hits = S._diversify(st, [0], {0: 0.1}, 1, asked)
    assert (hits[0].symbol, hits[0].lines, hits[0].kind) == ("m.s2", (2, 3), "module")  # not the module itself
    # a definition that is a candidate wins by its score
    assert S._best_member(st, chunks[0], {0: 0.1, 1: 0.05}, asked)[0] == "m.s1"


def test_a_concept_hit_without_candidate_members_lets_the_retrievers_choose_among_them():
    import numpy as np

    chunks = [chunk(0, kind="concept", concept="c", symbol="m.s1", members=("m.s1", "m.s2")), chunk(1), chunk(2)]
    st = state(chunks)
    asked = S._Query("q", similarity=np.array([0.9, 0.2, 0.6]), lexical=np.array([1.0, 0.0, 2.0]))
    assert S._best_member(st, chunks[0], {0: 0.1}, asked)[0] == "m.s2"  # the anchor (s1) matched worse


@pytest.mark.parametrize(
    "question, onboarding",
    [
        ("what should I read first to understand routing?", True),
        ("where do I start to add a new command?", True),
        ("which are the entry points of the library?", True),
        ("what default settings does a new application start with?", False),
        ("how are values read from variables that start with a prefix?", False),
        ("how does the router walk through the middleware stack?", False),
    ],
)
def test_onboarding_questions_are_told_apart(question, onboarding):
    assert bool(ONBOARDING.search(question)) is onboarding


def test_onboarding_questions_lean_on_importance():
    st = state([chunk(0, importance=0.0), chunk(1, importance=1.0)])
    fused = {0: 0.10, 1: 0.085}
    assert S._boost(st, fused, S._Query("how is x done?"))[0] > S._boost(st, fused, S._Query("how is x done?"))[1]
    asked = S._Query("where do I start with x?", onboarding=True)
    assert S._boost(st, fused, asked)[1] > S._boost(st, fused, asked)[0]


def test_a_module_hit_never_names_a_test_unless_the_question_is_about_tests():
    import numpy as np

    from compiler.model import Symbol

    symbols = [
        Symbol(id="m", name="m", kind="module", path="m.go", lines=(1, 90)),
        Symbol(id="m.Run", name="Run", kind="function", path="m.go", lines=(1, 2), parent="m"),
        Symbol(id="m.TestRun", name="TestRun", kind="function", path="m.go", lines=(2, 3), parent="m"),
    ]
    chunks = [
        chunk(0, kind="module", symbol="m", path="m.go"),
        chunk(1, path="m.go", symbol="m.Run"),
        chunk(2, path="m_test.go", symbol="m.TestRun"),
    ]
    st = state(chunks, symbols=symbols)
    asked = S._Query("q", similarity=np.array([0.9, 0.1, 0.8]), lexical=np.array([3.0, 0.0, 2.0]))
    assert S._best_member(st, chunks[0], {0: 0.1, 2: 0.09}, asked)[0] == "m.Run"
    asked.demote_tests = False
    assert S._best_member(st, chunks[0], {0: 0.1, 2: 0.09}, asked)[0] == "m.TestRun"


def test_a_container_class_hit_names_its_best_method(monkeypatch):
    import numpy as np

    from compiler.model import Symbol

    methods = [f"C.m{n}" for n in range(3)]
    symbols = [Symbol(id="C", name="C", kind="class", path="a.py", lines=(1, 90))] + [
        Symbol(id=m, name=m[2:], kind="method", path="a.py", lines=(n + 2, n + 3), parent="C")
        for n, m in enumerate(methods)
    ]
    chunks = [chunk(0, kind="class", symbol="C")] + [
        chunk(n + 1, kind="method", symbol=m) for n, m in enumerate(methods)
    ]
    st = state(chunks, symbols=symbols)
    assert st.class_members == {"C": tuple(methods)}
    asked = S._Query("q", similarity=np.array([0.9, 0.1, 0.7, 0.2]), lexical=np.array([3.0, 0.0, 2.0, 0.0]))
    monkeypatch.setattr(S, "CONTAINER_METHODS", 4)
    assert S._diversify(st, [0], {0: 0.1}, 1, asked)[0].symbol == "C"  # three methods: the class is the answer
    monkeypatch.setattr(S, "CONTAINER_METHODS", 3)
    assert S._diversify(st, [0], {0: 0.1}, 1, asked)[0].symbol == "C.m1"


def test_a_container_class_names_a_private_helper_only_when_no_public_method_matches(monkeypatch):
    from compiler.model import Symbol

    names = ["_bases", "write", "read"]
    symbols = [Symbol(id="C", name="C", kind="class", path="a.py", lines=(1, 90))] + [
        Symbol(id=f"C.{name}", name=name, kind="method", path="a.py", lines=(n + 2, n + 3), parent="C")
        for n, name in enumerate(names)
    ]
    chunks = [chunk(0, kind="class", symbol="C")] + [
        chunk(n + 1, kind="method", symbol=f"C.{name}") for n, name in enumerate(names)
    ]
    st = state(chunks, symbols=symbols)
    monkeypatch.setattr(S, "CONTAINER_METHODS", 3)
    assert S._diversify(st, [0], {0: 0.2, 1: 0.1, 2: 0.05}, 1)[0].symbol == "C.write"  # _bases scores more
    assert S._diversify(st, [0], {0: 0.2, 1: 0.1}, 1)[0].symbol == "C._bases"  # the only member that matches


def test_benchmark_and_tooling_code_yield_unless_the_question_asks_about_them():
    from compiler.index.embed import HashEmbedder
    from compiler.index.lexical import LexicalIndex

    chunks = [chunk(0, path="bench/search.py"), chunk(1, path="scripts/release.py"), chunk(2, path="pkg/search.py")]
    texts = ["incremental search update"] * 3  # equally good: only the path differs
    embedder = HashEmbedder()
    st = S._make_state(
        FakeCorpus(), chunks, embedder.embed_batch(texts), None, LexicalIndex.build(texts), embedder, None
    )
    assert S._lexical_ranking(st, S._asked("incremental search update")) == [2, 0, 1]
    assert S._lexical_ranking(st, S._asked("which benchmark measures the incremental search update")) == [0, 2, 1]
    assert S._lexical_ranking(st, S._asked("which script does the incremental search update")) == [1, 2, 0]
    assert S._dense_ranking(st, S._asked("incremental search update"))[0] == 2


def test_a_how_do_i_question_prefers_the_public_api_and_a_what_is_question_keeps_the_class(monkeypatch):
    from compiler.model import Symbol

    names = ["_helper", "run", "stop"]
    symbols = [Symbol(id="C", name="C", kind="class", path="a.py", lines=(1, 90))] + [
        Symbol(id=f"C.{name}", name=name, kind="method", path="a.py", lines=(n + 2, n + 3), parent="C")
        for n, name in enumerate(names)
    ]
    chunks = [chunk(0, kind="class", symbol="C")] + [
        chunk(n + 1, kind="method", symbol=f"C.{name}") for n, name in enumerate(names)
    ]
    st = state(chunks, symbols=symbols)
    fused = {1: 0.1, 2: 0.09}
    assert S._boost(st, fused, S._asked("how is the run prepared?"))[1] > S._boost(st, fused, S._asked("x"))[2]
    voiced = S._boost(st, fused, S._asked("how do I prepare a run?"))
    assert voiced[2] > voiced[1]  # the private helper yields to the public method
    monkeypatch.setattr(S, "CONTAINER_METHODS", 3)
    assert S._diversify(st, [0], {0: 0.2, 2: 0.1}, 1, S._asked("where is a run prepared?"))[0].symbol == "C.run"
    assert S._diversify(st, [0], {0: 0.2, 2: 0.1}, 1, S._asked("what is a C and what can it do?"))[0].symbol == "C"


def test_a_docs_section_yields_to_code_that_matches_as_well():
    st = state([chunk(0, kind="doc", symbol="", path="docs/guide.md"), chunk(1, path="pkg/a.py")])
    assert st.prior[0] == S.DOC_PRIOR < 1.0 == st.prior[1]


def test_a_typescript_declaration_yields_to_the_code_it_declares():
    st = state([chunk(0, path="types/route.d.ts"), chunk(1, path="lib/route.js"), chunk(2, path="lib/route.ts")])
    assert st.prior[0] == S.DECLARATION_PRIOR < 1.0 == st.prior[1] == st.prior[2]


def test_a_family_of_spellings_shows_its_best_member_once_in_the_top(monkeypatch):
    from compiler.model import Symbol

    names = ["Info", "Infof", "Infoln", "InfoFn", "Warn", "Warnf", "Warnln", "WarnFn", "WithField"]
    symbols = [
        Symbol(id=f"L.{name}", name=name, kind="method", path="logger.go", lines=(n, n), parent="L")
        for n, name in enumerate(names)
    ]
    chunks = [chunk(n, kind="method", symbol=f"L.{name}", path=f"f{n}.go") for n, name in enumerate(names)]
    st = state(chunks, symbols=symbols)
    assert st.variants["L.Infof"][:2] == ("L", "Info") and "L.WithField" not in st.variants
    scores = {n: 1.0 - n / 10 for n in range(len(names))}
    ranked = list(range(len(names)))
    monkeypatch.setattr(S, "VARIANT_FAMILY", None)
    assert [h.symbol for h in S._diversify(st, ranked, scores, 3)] == ["L.Info", "L.Infof", "L.Infoln"]
    monkeypatch.setattr(S, "VARIANT_FAMILY", "stem")
    top = [h.symbol for h in S._diversify(st, ranked, scores, 9)]
    assert top[:3] == ["L.Info", "L.Warn", "L.WithField"]  # the other spellings move down, not out
    assert sorted(top) == sorted(f"L.{name}" for name in names)
    monkeypatch.setattr(S, "VARIANT_FAMILY", "shape")
    monkeypatch.setattr(S, "FAMILY_STEMS", 2)
    assert [h.symbol for h in S._diversify(st, ranked, scores, 2)] == ["L.Info", "L.WithField"]
