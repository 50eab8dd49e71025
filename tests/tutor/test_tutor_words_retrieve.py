"""The tutor's own lexical retrieval and its word rules: stems, identifier words, names, kinds, privacy."""

from __future__ import annotations

from types import SimpleNamespace

from compiler.model import Symbol
from compiler.tutor.coverage import assess
from compiler.tutor.retrieve import core_retrieve
from compiler.tutor.words import IDENTIFIER, is_private, name_words, tokens


def _symbol(sid: str, kind: str = "function", path: str = "lib/x.js", doc: str = "", **extra) -> Symbol:
    return Symbol(id=sid, name=sid.rsplit(".", 1)[-1], kind=kind, path=path, lines=(1, 2), doc=doc, **extra)


def _corpus(*symbols: Symbol) -> SimpleNamespace:
    core = SimpleNamespace(concepts=(), symbols=tuple(symbols))
    return SimpleNamespace(core=core, symbols={s.id: s for s in symbols})


def _first(corpus, query: str) -> str:
    return core_retrieve(corpus)(query, 5)[0]["symbol"]


def test_a_words_forms_share_one_stem():
    assert tokens("warnings warning Warn") == ["warn"] * 3
    assert tokens("message messages") == ["messag"] * 2
    assert tokens("retry retries") == tokens("retri retri")
    assert tokens("cookie cookies") == ["cooki"] * 2
    assert tokens("classes class processes process") == ["class", "class", "process", "process"]
    assert tokens("parse parsing parses") == ["pars"] * 3


def test_name_words_and_identifiers():
    assert name_words("appendKeyValue") == name_words("append_key_value") == frozenset(tokens("append key value"))
    assert IDENTIFIER.findall("why does should_retry call app.use and send()?") == ["should_retry", "app.use", "send"]


def test_private_means_unexported_or_one_underscore():
    assert is_private(_symbol("m._helper"))
    assert is_private(_symbol("m.helper", public=False))
    assert not is_private(_symbol("m.__init__"))
    assert not is_private(_symbol("m.helper"))


def test_a_name_that_is_the_question_beats_one_that_shares_a_word():
    corpus = _corpus(
        _symbol("lib.AddHook", doc="AddHook adds a hook to the standard logger hooks."),
        _symbol("lib.Hook", kind="interface", doc="A hook to be fired when logging on the logging levels."),
        _symbol("lib.LevelHooks.Add", kind="method", doc="Add a hook to an instance of logger."),
    )
    assert _first(corpus, "what is a hook?") == "lib.Hook"


def test_a_long_docstring_does_not_win_on_passing_words():
    long_doc = "This class handles templates, loading, folders, caching and everything else. " * 8
    corpus = _corpus(
        _symbol("lib.Environment", kind="class", doc=long_doc + " look for templates in a folder"),
        _symbol("lib.FileSystemLoader", kind="class", doc="Load templates from a folder in the file system."),
    )
    assert _first(corpus, "how do I load templates from a folder?") == "lib.FileSystemLoader"


def test_run_together_name_words_match_half():
    corpus = _corpus(
        _symbol("lib.select_autoescape", doc="Intelligently sets the initial value of autoescaping."),
        _symbol("lib.do_upper", doc="Convert a value to uppercase."),
    )
    # No word of the docstring is "escape": only the name's run-together "autoescape" finds it.
    assert [h["symbol"] for h in core_retrieve(corpus)("how do I escape output?", 5)] == ["lib.select_autoescape"]


def test_declarations_answer_only_questions_about_types():
    corpus = _corpus(
        _symbol(
            "types.register.FastifyRegister", kind="interface", path="types/register.d.ts", doc="register a plugin"
        ),
        _symbol("lib.pluginUtils.registerPlugin", path="lib/pluginUtils.js", doc="register a plugin"),
    )
    assert _first(corpus, "how do I register a plugin?") == "lib.pluginUtils.registerPlugin"
    assert _first(corpus, "what is the type of a register plugin interface?") == "types.register.FastifyRegister"


def test_the_asked_kind_and_spelled_identifiers():
    corpus = _corpus(
        _symbol("app.session_store", doc="The session store of the application."),
        _symbol("app.SessionStore", kind="class", doc="The session store of the application."),
        _symbol("app.should_retry", doc="Whether to try again."),
        _symbol("app.RetryError", kind="class", doc="Raised when retry attempts run out."),
    )
    assert _first(corpus, "which class keeps the session store?") == "app.SessionStore"
    assert _first(corpus, "which function makes the session store?") == "app.session_store"
    # "should" is filler in prose, but a word of an identifier the question spells.
    assert _first(corpus, "should_retry") == "app.should_retry"


def test_short_question_with_a_generic_word_is_covered(mh_corpus):
    assert assess(mh_corpus, "what is the transport object?").covered
    assert not assess(mh_corpus, "what is a goroutine object?").covered
