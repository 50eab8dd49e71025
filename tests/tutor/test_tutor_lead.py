"""The answer's lead: it agrees with the heading's concept, and benchmark or tooling code never answers unasked."""

from __future__ import annotations

from types import SimpleNamespace

from compiler.tutor.rank import lead_in_targets, rank_symbols


def _corpus(symbols, concepts):
    by_id = {s.id: s for s in symbols}

    return SimpleNamespace(
        symbols=by_id, concepts={c.id: c for c in concepts}, core=SimpleNamespace(symbols=tuple(symbols))
    )


def _symbol(sid, path, concept, kind="function"):
    return SimpleNamespace(
        id=sid, name=sid.rsplit(".", 1)[-1], path=path, concept=concept, kind=kind, public=True, decorators=(), bases=()
    )


SYMBOLS = [
    _symbol("pkg.build.build", "pkg/build.py", "pipeline"),
    _symbol("pkg.incremental.try_patch", "pkg/incremental.py", "incremental"),
    _symbol("pkg.incremental.structure_key", "pkg/incremental.py", "incremental"),
    _symbol("bench.search.incremental", "bench/search.py", "benchmarks"),
]
CONCEPTS = [
    SimpleNamespace(id="pipeline", summary="The recipe.", body=""),
    SimpleNamespace(
        id="incremental", summary="Patching.", body="`structure_key` is what the analysis reads; `try_patch()` patches."
    ),
]


def test_the_lead_is_a_key_piece_the_target_concept_names_when_retrieval_led_elsewhere():
    corpus = _corpus(SYMBOLS, CONCEPTS)
    retrieved = ["pkg.build.build", "pkg.incremental.try_patch"]
    assert lead_in_targets(corpus, ["incremental"], retrieved)[0] == "pkg.incremental.try_patch"
    # Not retrieved at all: the first piece the concept's prose names.
    assert lead_in_targets(corpus, ["incremental"], ["pkg.build.build"])[:2] == [
        "pkg.incremental.structure_key",
        "pkg.build.build",
    ]
    # The best symbol already lies in a target: nothing moves.
    assert lead_in_targets(corpus, ["pipeline"], retrieved) == retrieved


def test_benchmark_code_does_not_answer_unless_the_question_asks_about_benchmarks(monkeypatch):
    import compiler.tutor.rank as rank

    monkeypatch.setattr(rank, "use_prior", lambda corpus, symbol: 0.0)
    corpus = _corpus(SYMBOLS, CONCEPTS)
    retrieved = [("bench.search.incremental", "pkg.incremental.try_patch")]
    asked = "how is an incremental build decided?"
    assert rank_symbols(corpus, asked, "where", [(list(retrieved[0]), 1.0)])[0] == "pkg.incremental.try_patch"
    asked = "how does the benchmark time an incremental build?"
    assert rank_symbols(corpus, asked, "where", [(list(retrieved[0]), 1.0)])[0] == "bench.search.incremental"
