"""The planner: uncovered prerequisites for novices, none for experts, passed quizzes never re-taught."""

from __future__ import annotations

import json

from compiler.tutor.learner import ConceptState, Profile
from compiler.tutor.plan import DEPTHS, Plan, core_retrieve, detect_intent, make_plan


def fake_retrieve(concept: str, symbol: str | None = None):
    """A retriever that always finds ``concept`` (and ``symbol``): the planner is tested apart from search."""
    calls = []

    def retrieve(query, k):
        calls.append((query, k))
        return [
            {
                "rank": 1,
                "score": 1.0,
                "path": None,
                "symbol": symbol,
                "lines": None,
                "concept": concept,
                "title": concept,
                "snippet": "",
                "kind": "concept",
            }
        ]

    retrieve.calls = calls
    return retrieve


def plan_for(corpus, level, progress=None, concept="client", background=("java",), question="Explain this part to me."):
    return make_plan(corpus, question, Profile("t", level, background), progress or {}, retrieve=fake_retrieve(concept))


def test_novice_gets_at_most_two_direct_prerequisites(mh_corpus):
    plan = plan_for(mh_corpus, "novice")
    assert plan.targets == ("client",)
    # client needs retries and auth (direct), which need configuration, errors, requests: only the
    # two the answer relies on directly are taught; the further ones wait.
    assert set(plan.prerequisites) == {"retries", "auth"}
    left_out = {s.concept for s in plan.skipped if "later" in s.reason}
    assert left_out == {"configuration", "errors", "requests"}
    assert [s.role for s in plan.steps][-1] == "target"


def test_prerequisites_come_in_learning_order(mh_corpus):
    plan = plan_for(mh_corpus, "novice", concept="retries")
    order = [s.concept for s in plan.steps]
    assert order == ["configuration", "errors", "retries"]
    for position, concept in enumerate(order):
        for prerequisite in mh_corpus.concepts[concept].prerequisites:
            if prerequisite in order:
                assert order.index(prerequisite) < position


def test_intermediate_gets_direct_prerequisites_only(mh_corpus):
    plan = plan_for(mh_corpus, "intermediate", concept="retries")
    assert set(plan.prerequisites) == {"configuration", "errors"}
    assert "requests" in {s.concept for s in plan.skipped}


def test_expert_gets_no_prerequisites(mh_corpus):
    plan = plan_for(mh_corpus, "expert")
    assert plan.prerequisites == ()
    assert [s.role for s in plan.steps] == ["target"]
    assert all("expert" in s.reason for s in plan.skipped)


def test_expert_gets_a_prerequisite_they_failed(mh_corpus):
    failed = {"errors": ConceptState("errors", quiz_result="failed", quiz_score=0.33, quiz_attempts=1)}
    plan = plan_for(mh_corpus, "expert", failed, concept="retries")
    assert plan.prerequisites == ("errors",)
    assert "quiz" in plan.steps[0].reason


def test_passed_quiz_is_not_taught_again(mh_corpus):
    passed = {
        "retries": ConceptState("retries", quiz_result="passed", quiz_score=1.0, quiz_attempts=1),
        "auth": ConceptState("auth", explained_count=1),
    }
    plan = plan_for(mh_corpus, "novice", passed)
    assert "retries" not in plan.prerequisites and "retries" not in plan.taught
    assert "auth" not in plan.prerequisites  # explained before, not failed: covered
    reasons = {s.concept: s.reason for s in plan.skipped}
    assert "passed the quiz" in reasons["retries"] and "explained" in reasons["auth"]
    # What the learner knows brought its own prerequisites along: nothing is pulled in through it.
    assert plan.prerequisites == ()


def test_passed_target_is_only_recapped(mh_corpus):
    passed = {"retries": ConceptState("retries", quiz_result="passed", quiz_score=1.0, quiz_attempts=1)}
    plan = plan_for(mh_corpus, "novice", passed, concept="retries")
    assert [s.role for s in plan.steps if s.concept == "retries"] == ["recap"]
    assert "retries" not in plan.taught


def test_depth_follows_level(mh_corpus):
    novice, expert = plan_for(mh_corpus, "novice"), plan_for(mh_corpus, "expert")
    assert novice.depth == DEPTHS["novice"] and expert.depth == DEPTHS["expert"]
    assert novice.depth.excerpt_lines < expert.depth.excerpt_lines and novice.depth.excerpts < expert.depth.excerpts
    assert novice.depth.analogies and not expert.depth.analogies and expert.depth.rationale


def test_plan_is_json_serialisable_and_round_trips(mh_corpus):
    plan = plan_for(mh_corpus, "novice")
    data = json.loads(plan.to_json())
    assert data["level"] == "novice" and data["targets"] == ["client"]
    assert Plan.from_dict(data) == plan


def test_sources_are_real_lines_of_the_corpus(mh_corpus):
    plan = plan_for(mh_corpus, "intermediate", concept="retries")
    assert plan.sources
    for source in plan.sources:
        assert mh_corpus.valid_range(source.path, *source.lines)
        if source.exact:
            assert source.text.count("\n") + 1 == source.lines[1] - source.lines[0] + 1  # exactly those lines
    assert [s.index for s in plan.sources] == list(range(len(plan.sources)))


def test_uses_the_given_retriever(mh_corpus):
    retrieve = fake_retrieve("auth")
    plan = make_plan(mh_corpus, "who signs it?", Profile("t", "expert"), {}, retrieve=retrieve)
    assert retrieve.calls and retrieve.calls[0][0] == "who signs it?"
    assert plan.targets == ("auth",)


def test_lexical_fallback_finds_the_right_concept(mh_corpus):
    plan = make_plan(mh_corpus, "How does the backoff delay grow between retry attempts?", Profile("t", "expert"), {})
    assert plan.targets[0] == "retries"
    assert "minihttp.transport.backoff_delay" in plan.target_symbols
    hits = core_retrieve(mh_corpus)("should_retry", 3)
    assert [h["symbol"] for h in hits if h["symbol"]][0] == "minihttp.transport.should_retry"


def test_symbol_named_in_question_is_targeted(mh_corpus):
    plan = make_plan(
        mh_corpus,
        "what does `auth_from_settings` pick?",
        Profile("t", "intermediate"),
        {},
        retrieve=fake_retrieve("configuration"),
    )
    assert plan.target_symbols[0] == "minihttp.auth.auth_from_settings"
    assert "auth" in plan.targets


def test_follow_up_question_uses_conversation_context(mh_corpus):
    plan = make_plan(
        mh_corpus, "and who calls it?", Profile("t", "intermediate"), {}, retrieve=lambda q, k: [], context=["retries"]
    )
    assert plan.targets == ("retries",)


def test_intent():
    assert detect_intent("the client crashes with a traceback") == "debug"
    assert detect_intent("what happens when a file has a syntax error?") == "how"  # an error is not a bug report
    assert detect_intent("why is the transport separate from the client?") == "why"
    assert detect_intent("where is the config loaded") == "where"
    assert detect_intent("tell me about auth", goal="fix a bug in routing") == "debug"


def test_core_without_excerpts_gives_summary_sources(mh_corpus, tmp_path):
    from dataclasses import replace

    from compiler.tutor.llm import lines_of_span
    from kctest.tutor_corpus import write_corpus

    bare = replace(mh_corpus.core, symbols=tuple(replace(s, excerpt="") for s in mh_corpus.core.symbols))
    corpus = write_corpus(bare, tmp_path / "bare")
    plan = make_plan(corpus, "What does should_retry decide?", Profile("t", "expert"), {})
    assert plan.sources and not any(s.exact for s in plan.sources)
    source = next(s for s in plan.sources if s.symbol == "minihttp.transport.should_retry")
    assert source.text.startswith("def should_retry(") and "worth retrying" in source.text
    assert source.lines == corpus.symbols["minihttp.transport.should_retry"].lines
    assert lines_of_span(source, 5, 20) == source.lines  # no line arithmetic on a summary
