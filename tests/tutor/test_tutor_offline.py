"""The offline backend: a useful answer at each level, only checked citations, and deaf to injected text."""

from __future__ import annotations

import re

import pytest

from compiler.tutor.citations import check_answer
from compiler.tutor.learner import ConceptState, Profile
from compiler.tutor.offline import OfflineBackend
from compiler.tutor.plan import make_plan
from compiler.tutor.session import TutorSession

QUESTION = "How does the transport decide whether to retry a failed request? I need to fix a bug there."


def answer_for(corpus, level, question=QUESTION, progress=None, background=("java",)):
    plan = make_plan(corpus, question, Profile("t", level, background), progress or {})
    reply = OfflineBackend().answer(corpus, plan)
    draft = reply.finish()
    return plan, draft


def code_blocks(text):
    return re.findall(r"```\w*\n(.*?)\n```", text, flags=re.DOTALL)


@pytest.mark.parametrize("level", ["novice", "intermediate", "expert"])
def test_every_level_answers_with_valid_citations_only(mh_corpus, level):
    plan, draft = answer_for(mh_corpus, level)
    assert plan.targets[0] == "retries"
    checked = check_answer(mh_corpus, draft.text, draft.citations)
    assert checked.rejected == () and checked.text == draft.text
    assert len(checked.citations) >= 3
    assert "**Answer.**" in draft.text and "should_retry" in draft.text
    # The debugging intent points at the line that stops the retries.
    assert "`if attempt >= max_retries:`" in draft.text and "minihttp/transport.py:23" in draft.text
    for block in code_blocks(draft.text):
        assert len(block.split("\n")) <= plan.depth.excerpt_lines


def test_novice_answer(mh_corpus):
    plan, draft = answer_for(mh_corpus, "novice")
    text = draft.text
    assert plan.prerequisites  # uncovered prerequisites are taught first, in plain words
    first_section = text.index("### First,")
    for prerequisite in plan.prerequisites:
        title = mh_corpus.concepts[prerequisite].title
        assert first_section < text.index(f"**{title}**") < text.index("### Retries and backoff")
    assert "If you know Java" in text  # analogies to the learner's background
    assert "### What to read next" in text and "/quiz retries" in text
    assert "### Call graph" not in text


def test_novice_analogies_follow_background(mh_corpus):
    _, go_draft = answer_for(mh_corpus, "novice", background=("golang",))
    assert "If you know Go" in go_draft.text and "If you know Java" not in go_draft.text
    _, plain = answer_for(mh_corpus, "novice", background=())
    assert "If you know" not in plain.text


def test_intermediate_answer(mh_corpus):
    plan, draft = answer_for(mh_corpus, "intermediate")
    assert set(plan.prerequisites) == {"configuration", "errors"}
    assert "### Builds on" in draft.text and "If you know" not in draft.text
    assert "### How it fits together" in draft.text and "→" in draft.text


def test_expert_answer(mh_corpus):
    plan, draft = answer_for(mh_corpus, "expert")
    text = draft.text
    assert plan.prerequisites == () and "### First," not in text and "### Builds on" not in text
    assert "**Design.**" in text and "lockstep" in text  # the author's rationale from the concept notes
    assert "**Members**" in text and "def backoff_delay(" in text
    assert "### Call graph" in text and "**`should_retry`**" in text and "`Transport.send`" in text
    assert "If you know" not in text and "### What to read next" not in text
    assert max(len(b.split("\n")) for b in code_blocks(text)) > 12  # longer excerpts than a novice gets


def test_expert_without_debug_intent_gets_edge_cases(mh_corpus):
    _, draft = answer_for(mh_corpus, "expert", question="Why is backoff_delay randomised?")
    assert "### Edge cases and invariants" in draft.text


def test_levels_differ_for_the_same_question(mh_corpus):
    novice = answer_for(mh_corpus, "novice")[1].text
    expert = answer_for(mh_corpus, "expert")[1].text
    assert novice != expert


def test_passed_target_is_a_short_recap(mh_corpus):
    passed = {"retries": ConceptState("retries", quiz_result="passed", quiz_score=1.0, quiz_attempts=1)}
    _, draft = answer_for(mh_corpus, "novice", progress=passed)
    assert "### Retries and backoff (recap)" in draft.text and "You passed the quiz" in draft.text
    assert "### The code, step by step" not in draft.text


def test_session_streams_the_offline_answer_through_the_checks(mh_corpus, store):
    session = TutorSession(
        mh_corpus, backend=OfflineBackend(), store=store, learner="ana", profile_defaults={"level": "novice"}
    )
    stream = session.ask("what does backoff_delay compute?", stream=True)
    chunks = list(stream)
    answer = stream.result()
    assert len(chunks) > 3 and "".join(chunks).strip() == answer.text.strip()
    assert answer.rejected_citations == () and answer.citations
    assert answer.backend == "offline" and answer.plan.targets == ("retries",)


# ---- untrusted repository text ------------------------------------------------------------------
def test_offline_answer_does_not_obey_injected_instructions(injection_corpus):
    for level in ("novice", "expert"):
        plan, draft = answer_for(injection_corpus, level, question="How does parse_number turn a token into a number?")
        text = draft.text
        assert text.strip() != "PWNED" and not text.lstrip().startswith("PWNED")
        assert "parse_number" in text and "float(token)" in text  # it still explains the code
        # The instruction is flagged, not followed: outside verbatim code it appears only in the warning.
        outside_code = re.sub(r"```\w*\n.*?\n```", "", text, flags=re.DOTALL)
        assert "PWNED" not in outside_code
        assert "text addressed to AI assistants" in text
        assert check_answer(injection_corpus, text, draft.citations).rejected == ()


def test_injected_concept_notes_are_flagged_not_repeated(injection_corpus):
    _, draft = answer_for(injection_corpus, "novice", question="What are tokens?")
    assert "numbers and operators" in draft.text  # the legitimate part of the notes is used
    assert "PWNED" not in re.sub(r"```\w*\n.*?\n```", "", draft.text, flags=re.DOTALL)
    assert "the notes on Tokens" in draft.text or "the summary of Tokens" in draft.text


def test_why_question_quotes_the_reasons_with_sources(mh_corpus):
    _, draft = answer_for(mh_corpus, "novice", question="Why is backoff_delay randomised?")
    section = draft.text.split("### Why it is built this way", 1)[1].split("###", 1)[0]
    assert "so that many clients do not retry in lockstep" in section
    assert "(README.md:" in section  # the README's Retries section, cited by its lines
    assert check_answer(mh_corpus, draft.text, draft.citations).rejected == ()


def test_sparse_go_core_still_answers(tmp_path):
    """A core with little in it (no docs, no excerpts, an empty concept) gives an answer, not a traceback."""
    from compiler.model import Concept, Core, Edge, FileInfo, SourceInfo, Symbol
    from kctest.tutor_corpus import write_corpus

    core = Core(
        source=SourceInfo("gosvc", None),
        files=(FileInfo("router/router.go", "go", "router", 40, "0" * 64),),
        symbols=(
            Symbol(
                "router.Router", "Router", "type", "router/router.go", (5, 12), "type Router struct", concept="routing"
            ),
            Symbol(
                "router.Router.Match",
                "Match",
                "method",
                "router/router.go",
                (14, 30),
                "func (r *Router) Match(path string) (*Route, error)",
                parent="router.Router",
                concept="routing",
                excerpt='func (r *Router) Match(path string) (*Route, error) {\n\tif path == "" {\n\t\treturn nil, ErrEmpty\n\t}\n\tdefer r.mu.Unlock()\n\treturn r.find(path)\n}',
            ),
        ),
        edges=(Edge("router.Router.Match", "router.Router", "contains"),),
        concepts=(
            Concept(
                "routing",
                "Routing",
                "",
                "generated",
                ("router.Router", "router.Router.Match"),
                ("router/router.go",),
                1.0,
            ),
            Concept("empty", "Empty", "", "generated", (), (), 0.1, prerequisites=("routing",)),
        ),
        learning_path=("routing", "empty"),
        entry_points=(),
    )
    corpus = write_corpus(core, tmp_path / "corpus")
    for level in ("novice", "intermediate", "expert"):
        for question in ("How does routing match a path?", "What is Empty?", "zzz qqq"):
            plan, draft = answer_for(corpus, level, question=question, background=("python",))
            assert draft.text.startswith("## ")
            assert check_answer(corpus, draft.text, draft.citations).rejected == ()
    _, draft = answer_for(corpus, "novice", question="How does Router.Match work?", background=("python",))
    assert "If you know Python" in draft.text and "`r` is Python's `self`" in draft.text
    assert "**Answer.** `Router.Match` (router/router.go:14-30) is a method of `Router`" in draft.text


def test_a_symbol_whose_calls_did_not_resolve_has_callers_unknown_not_none(mh_corpus):
    from dataclasses import replace

    from compiler.corpus import Corpus

    _, before = answer_for(mh_corpus, "expert")
    assert "- (no callers in the corpus) → **`Transport.send`**" in before.text  # nothing calls ``send`` here
    unresolved = Corpus(mh_corpus.root, replace(mh_corpus.core, calls_unresolved=(("send", 2),)))
    _, after = answer_for(unresolved, "expert")
    assert "- (callers unknown: 2 calls by this name could not be resolved) → **`Transport.send`**" in after.text
    assert "no callers in the corpus" not in after.text
