"""The search leads: the tutor's rules move its best symbol down only with evidence from the question itself."""

from __future__ import annotations

from types import SimpleNamespace

import compiler.tutor.rank as rank
from compiler.tutor.material import can_call
from compiler.tutor.rank import keep_search_lead, rank_symbols, search_first


def _symbol(sid, path, doc="", kind="function", parent=None):
    return SimpleNamespace(
        id=sid,
        name=sid.rsplit(".", 1)[-1],
        path=path,
        doc=doc,
        kind=kind,
        parent=parent,
        concept=None,
        public=True,
        decorators=(),
        bases=(),
    )


SYMBOLS = [
    _symbol("pkg.lexer.tokenize", "pkg/lexer.py", "Split the source into tokens."),
    _symbol("pkg.env.Environment", "pkg/env.py", "The central object: holds settings and loads templates.", "class"),
    _symbol("pkg.cache._evict", "pkg/cache.py", "Drop old entries."),
    _symbol("types.index.Options", "types/index.d.ts", "Options to split the source.", "class"),
]


def _corpus():
    return SimpleNamespace(
        symbols={s.id: s for s in SYMBOLS}, concepts={}, core=SimpleNamespace(symbols=tuple(SYMBOLS), sections=())
    )


def _hit(symbol=None, path=None, kind="function"):
    return {"symbol": symbol, "path": path, "kind": kind}


def test_the_search_pick_leads_unless_the_rules_have_more_evidence_from_the_question():
    corpus = _corpus()
    question = "where is the source split into tokens?"
    ranked = ["pkg.env.Environment", "pkg.lexer.tokenize"]  # the rules liked the popular class
    assert keep_search_lead(corpus, question, "pkg.lexer.tokenize", ranked)[0] == "pkg.lexer.tokenize"
    # The rules' pick says more of what is asked: it keeps the lead.
    question = "where are templates loaded by the central object?"
    assert keep_search_lead(corpus, question, "pkg.lexer.tokenize", ranked)[0] == "pkg.env.Environment"


def test_a_name_that_spells_the_question_overrides_the_search_only_for_the_api(monkeypatch):
    corpus = _corpus()
    monkeypatch.setattr(rank, "asked_evidence", lambda corpus, question, symbol: 0.5)
    ranked = ["pkg.env.Environment", "pkg.lexer.tokenize"]
    question = "central environment: how do I get one?"  # "central environment" is the pick's name, not the search's
    assert keep_search_lead(corpus, question, "pkg.lexer.tokenize", ranked, intent="how")[0] == "pkg.env.Environment"
    # A where question is about the machinery: the search's pick stays.
    question = "where is the central environment made?"
    assert keep_search_lead(corpus, question, "pkg.lexer.tokenize", ranked, intent="where")[0] == "pkg.lexer.tokenize"


def test_the_search_pick_is_code_an_answer_can_lead_with():
    corpus = _corpus()
    hits = [_hit("pkg.cache._evict"), _hit("types.index.Options", kind="class"), _hit("pkg.lexer.tokenize")]
    assert search_first(corpus, hits, "how is the source split?") == "pkg.lexer.tokenize"
    assert search_first(corpus, hits, "which type holds the options?") == "types.index.Options"
    # A where or why question asks about the machinery: a private helper may lead it.
    assert search_first(corpus, hits, "where are old entries dropped?", "where") == "pkg.cache._evict"
    assert keep_search_lead(corpus, "why drop entries?", "pkg.cache._evict", ["pkg.lexer.tokenize"], intent="why") == [
        "pkg.cache._evict",
        "pkg.lexer.tokenize",
    ]
    # A docs section first: its calls speak for the search, through the docs votes.
    assert search_first(corpus, [_hit(path="docs/guide.md", kind="doc"), *hits], "split?") is None


def test_real_use_promotes_only_what_the_question_points_at(monkeypatch):
    corpus = _corpus()
    popular = {"pkg.env.Environment": 2.0}
    monkeypatch.setattr(rank, "use_prior", lambda corpus, symbol: popular.get(symbol.id, 0.0))
    monkeypatch.setattr(rank, "_twins", lambda corpus, symbol: [])
    ids = ["pkg.lexer.tokenize", "pkg.env.Environment"]
    # Nothing of "split the source into tokens" is in Environment's name or docstring: popularity does not count.
    assert rank_symbols(corpus, "how do I split the source into tokens?", "how", [(ids, 1.0)])[0] == ids[0]
    # "templates" is: the API users call comes first.
    assert rank_symbols(corpus, "how do I split templates into tokens?", "how", [(ids, 1.0)])[0] == ids[1]


def test_declarations_answer_only_questions_about_types(monkeypatch):
    corpus = _corpus()
    monkeypatch.setattr(rank, "use_prior", lambda corpus, symbol: 0.0)
    ids = ["types.index.Options", "pkg.lexer.tokenize"]
    assert rank_symbols(corpus, "where is the source split?", "where", [(ids, 1.0)])[0] == "pkg.lexer.tokenize"
    assert rank_symbols(corpus, "what type are the split options?", "what", [(ids, 1.0)])[0] == "types.index.Options"


def test_a_function_is_never_called_as_a_method_of_something_else():
    error = _symbol("logrus.Error", "exported.go", kind="function")
    assert can_call('logrus.Error("failed")', error)
    assert can_call('Error("failed")', error)
    assert not can_call('t.Error("unexpected error", err)', error)
    method = _symbol("pkg.Client.get", "pkg/client.py", kind="method")
    assert can_call("client.get(url)", method)


def test_a_winning_pick_leads_before_a_helper_that_cannot_lead():
    corpus = _corpus()
    # The rules ranked a private helper first, then the class the question describes.
    ranked = ["pkg.cache._evict", "pkg.env.Environment", "pkg.lexer.tokenize"]
    question = "how do templates get loaded by the central object?"
    result = keep_search_lead(corpus, question, "pkg.lexer.tokenize", ranked, intent="how")
    assert result[0] == "pkg.env.Environment"
    assert sorted(result) == sorted(ranked)
