"""The tutor on corpora the real ``kc build`` compiled from the fixture repositories."""

from __future__ import annotations

import re

import pytest

from compiler.corpus import open_corpus
from compiler.tutor.citations import check_answer
from compiler.tutor.learner import LearnerStore
from compiler.tutor.offline import OfflineBackend
from compiler.tutor.plan import index_retrieve
from compiler.tutor.session import TutorSession

QUESTION = "When does the transport stop retrying a failed request?"


@pytest.fixture(scope="module")
def pyapp(compiled):
    return open_corpus(compiled("pyapp"))


def session_for(corpus, store, name, level, background=()):
    store.create(name, level=level, background=background, exist_ok=True)
    return TutorSession(
        corpus, backend=OfflineBackend(), store=store, learner=name, retrieve=index_retrieve(corpus.root, None, corpus)
    )


def test_novice_and_expert_on_a_built_corpus(pyapp, tmp_path):
    store = LearnerStore(tmp_path / "l.sqlite3")
    novice = session_for(pyapp, store, "nov", "novice", ("java",)).ask(QUESTION).result()
    expert = session_for(pyapp, store, "exp", "expert").ask(QUESTION).result()
    assert "retries" in novice.plan.targets and "retries" in expert.plan.targets
    for answer in (novice, expert):
        assert answer.citations and answer.rejected_citations == ()
        assert check_answer(pyapp, answer.text, answer.citations).rejected == ()
        assert "should_retry" in answer.text or "Transport" in answer.text
    # CONCEPTS.md says retries requires configuration and requests: the novice is taught them first.
    uncovered = {"configuration", "requests"} & set(pyapp.concepts)
    assert uncovered <= set(novice.plan.prerequisites)
    assert expert.plan.prerequisites == ()
    assert novice.text != expert.text


def test_injection_fixture_built_for_real(compiled, tmp_path):
    corpus = open_corpus(compiled("injection"))
    store = LearnerStore(tmp_path / "l.sqlite3")
    answer = session_for(corpus, store, "n", "novice").ask("How does parse_number turn a token into a number?").result()
    assert answer.text.strip() != "PWNED"
    outside_code = re.sub(r"```\w*\n.*?\n```", "", answer.text, flags=re.DOTALL)
    assert "PWNED" not in outside_code
    assert "parse_number" in answer.text
