"""Quizzes: generated from the core, graded, recorded, and taken into account by the next plan."""

from __future__ import annotations

import json

import pytest

from compiler.errors import NotFound
from compiler.tutor.llm import AnthropicBackend
from compiler.tutor.offline import OfflineBackend
from compiler.tutor.quiz import Question, grade, make_quiz, parse_choice
from compiler.tutor.session import TutorSession
from kctest.tutor_corpus import ConceptSpec, python_core, write_corpus


def test_offline_quiz_is_built_from_the_core(mh_corpus):
    quiz = make_quiz(mh_corpus, "retries")
    assert quiz.concept == "retries" and quiz.origin == "offline" and len(quiz.questions) == 3
    kinds = {q.kind for q in quiz.questions}
    assert "which-symbol" in kinds and "call-order" in kinds
    assert not kinds & {"returns", "prerequisite", "where"}  # no trivia
    for question in quiz.questions:
        assert len(question.choices) >= 3 and len(set(question.choices)) == len(question.choices)
        assert 0 <= question.answer < len(question.choices)
    which = next(q for q in quiz.questions if q.kind == "which-symbol")
    symbol = next(s for s in mh_corpus.core.symbols if _display(s, mh_corpus) == which.choices[which.answer])
    assert symbol.doc.split(".")[0].split()[-1] in which.prompt  # the prompt is that symbol's own docstring
    assert mh_corpus.valid_range(which.source.rsplit(":", 1)[0], *map(int, which.source.rsplit(":", 1)[1].split("-")))


def test_call_order_question_follows_the_call_graph(mh_corpus):
    quiz = make_quiz(mh_corpus, "configuration")
    order = next(q for q in quiz.questions if q.kind == "call-order")
    names = order.choices[order.answer].split(" → ")
    assert names[0] == "load_settings" and len(names) == 3
    ids = {_display(s, mh_corpus): s.id for s in mh_corpus.core.symbols}
    for caller, callee in zip(names, names[1:]):
        assert any(e.target == ids[callee] and e.kind == "calls" for e in mh_corpus.edges_from(ids[caller]))
    assert all(sorted(c.split(" → ")) == sorted(names) for c in order.choices)  # distractors: other orders


def test_what_happens_question_comes_from_conditional_docstrings(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "cache.py").write_text(
        '''def get(key):
    """Look a key up. If the key is missing, return the default value."""


def put(key, value):
    """Store a value. When the cache is full, evict the oldest entry."""


def drop(key):
    """Forget a key. Raise KeyError unless the key is present."""
'''
    )
    corpus = write_corpus(
        python_core(repo, [ConceptSpec("cache", "Cache", "A small cache.", ("cache.py",))]), tmp_path / "corpus"
    )
    quiz = make_quiz(corpus, "cache", count=5)
    happens = [q for q in quiz.questions if q.kind == "what-happens"]
    assert happens
    for question in happens:
        case = question.prompt.split("` ", 1)[1].rstrip("?")
        right = question.choices[question.answer]
        assert {
            "if the key is missing": "return the default value",
            "when the cache is full": "evict the oldest entry",
            "unless the key is present": "Raise KeyError",
        }[case] == right
        assert len(question.choices) == 3  # the other outcomes are the distractors


def _display(symbol, corpus):
    parent = corpus.symbols.get(symbol.parent) if symbol.parent else None
    return f"{parent.name}.{symbol.name}" if parent is not None and parent.kind == "class" else symbol.name


def test_quiz_varies_with_attempts_and_is_deterministic(mh_corpus):
    assert make_quiz(mh_corpus, "client", seed=0) == make_quiz(mh_corpus, "client", seed=0)
    assert make_quiz(mh_corpus, "client", seed=0) != make_quiz(mh_corpus, "client", seed=1)


def test_unknown_concept(mh_corpus):
    with pytest.raises(NotFound, match="no concept"):
        make_quiz(mh_corpus, "nope")


def test_parse_choice_and_grade():
    question = Question("c", "where", "Where?", ("a.py", "b.py", "c.py"), 1, "It is in b.py.")
    assert [parse_choice(question, r) for r in ("B", "b)", "(b)", "2", "b.py", " B. because", "z", "", "9")] == [
        1,
        1,
        1,
        1,
        1,
        1,
        None,
        None,
        None,
    ]
    from compiler.tutor.quiz import Quiz

    quiz = Quiz("c", "C", (question, question, question))
    result = grade(quiz, ["b", "a", "B"])
    assert (result.correct, result.total, result.passed) == (2, 3, True) and result.score == pytest.approx(2 / 3)
    assert result.feedback[1].startswith("Not quite: the answer is B) b.py")
    assert not grade(quiz, ["a", "a", "b"]).passed


def test_quiz_result_is_recorded_and_shapes_the_next_plan(mh_corpus, store):
    session = TutorSession(
        mh_corpus, backend=OfflineBackend(), store=store, learner="ana", profile_defaults={"level": "novice"}
    )
    before = session.plan("How does the client send a request?")
    assert "retries" in before.prerequisites
    quiz = session.quiz("retries")
    result = session.grade_quiz(quiz, [q.answer for q in quiz.questions])  # all right
    assert result.passed
    state = store.progress("ana", "minihttp")["retries"]
    assert state.passed and state.quiz_score == 1.0 and state.quiz_attempts == 1
    after = session.plan("How does the client send a request?")
    assert "retries" not in after.prerequisites
    assert any(s.concept == "retries" and "passed the quiz" in s.reason for s in after.skipped)
    assert [e.status for e in session.path() if e.concept == "retries"] == ["passed"]


def test_failed_quiz_brings_the_concept_back_for_an_expert(mh_corpus, store):
    session = TutorSession(
        mh_corpus, backend=OfflineBackend(), store=store, learner="exp", profile_defaults={"level": "expert"}
    )
    assert session.plan("How does the client send a request?").prerequisites == ()
    quiz = session.quiz("auth")
    wrong = [(q.answer + 1) % len(q.choices) for q in quiz.questions]
    assert not session.grade_quiz(quiz, wrong).passed
    assert session.plan("How does the client send a request?").prerequisites == ("auth",)


def test_default_quiz_concept_is_the_last_topic(mh_corpus, store):
    session = TutorSession(mh_corpus, backend=OfflineBackend(), store=store, learner="ana")
    assert session.quiz_concept() == mh_corpus.core.learning_path[0]  # nothing asked yet: start of the path
    session.ask("How is the backoff delay computed?").result()
    assert session.quiz_concept() == "retries"
    assert session.quiz_concept("Authentication") == "auth"


def test_llm_writes_its_own_quiz(mh_corpus, anthropic_stub):
    anthropic_stub.completion = (
        "Here you go:\n```json\n"
        + json.dumps(
            {
                "questions": [
                    {
                        "question": "What does should_retry return once attempt >= max_retries?",
                        "choices": ["True", "False", "None", "raises"],
                        "answer": 1,
                        "explanation": "It stops retrying.",
                        "source": "minihttp/transport.py:23-24",
                    },
                    {
                        "question": "Which statuses are retried?",
                        "choices": ["404", "429"],
                        "answer": 1,
                        "explanation": "RETRYABLE_STATUSES.",
                        "source": "minihttp/ghost.py:1-2",
                    },
                    {"question": "broken", "choices": ["x"], "answer": 5},
                ]
            }
        )
        + "\n```"
    )
    backend = AnthropicBackend(api_key="k", base_url=anthropic_stub.url, max_retries=0, timeout=5)
    quiz = make_quiz(mh_corpus, "retries", backend=backend)
    assert quiz.origin == "anthropic" and len(quiz.questions) == 2  # the malformed one is dropped
    assert quiz.questions[0].source == "minihttp/transport.py:23-24"
    assert quiz.questions[1].source is None  # a made-up reference is not shown
    prompt = anthropic_stub.posts()[0]["body"]["messages"][0]["content"]
    assert "<documents" in prompt and "def should_retry" in prompt


def test_llm_quiz_falls_back_to_offline(mh_corpus, anthropic_stub):
    anthropic_stub.completion = "I cannot do that."
    backend = AnthropicBackend(api_key="k", base_url=anthropic_stub.url, max_retries=0, timeout=5)
    assert make_quiz(mh_corpus, "retries", backend=backend).origin == "offline"
    anthropic_stub.behaviour = "500"
    assert make_quiz(mh_corpus, "retries", backend=backend).origin == "offline"
