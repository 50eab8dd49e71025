"""A tutoring session: one learner, one corpus, one backend, and the conversation so far.

``TutorSession.ask`` plans the answer for this learner, lets the backend write it,
streams it through the citation check, and when it is complete records what was
taught (so the next plan skips it) and keeps the exchange in the history. Quizzes
go through the session too, so their results land in the learner store.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from compiler.errors import ConfigError, NotFound
from compiler.tutor.citations import CitationFilter, check_citations
from compiler.tutor.goals import goal_concepts, goal_path
from compiler.tutor.learner import DEFAULT_LEARNER, LearnerStore, Profile, check_level
from compiler.tutor.llm import Answer, Backend, OfflineBackend, Turn
from compiler.tutor.plan import Plan, Retrieve, make_plan
from compiler.tutor.quiz import Quiz, QuizResult, grade, make_quiz

MAX_HISTORY_TURNS = 8
_FOLLOW_UP = re.compile(r"\b(it|its|this|that|these|those|they|them|there|same)\b", re.IGNORECASE)


@dataclass(frozen=True)
class PathEntry:
    """A concept on the learning path and where this learner stands with it."""

    concept: str
    title: str
    status: str  # passed | failed | explained | seen | new
    on_goal: bool = False  # needed for the learner's goal (it comes first on their path)


class AnswerStream:
    """An answer as it arrives, already citation-checked; ``answer`` is set once it is consumed."""

    def __init__(self, session: TutorSession, plan: Plan, chunks: Iterator[str], reply: Any) -> None:
        self.session = session
        self.plan = plan
        self._reply = reply
        self._checker = CitationFilter(session.corpus)
        self._chunks = chunks
        self._parts: list[str] = []
        self.answer: Answer | None = None

    def __iter__(self) -> Iterator[str]:
        for chunk in self._chunks:
            text = self._checker.feed(chunk)
            if text:
                self._parts.append(text)
                yield text
        rest = self._checker.close()
        if rest:
            self._parts.append(rest)
            yield rest
        self.answer = self._finish()

    def result(self) -> Answer:
        """Read the rest and return the finished Answer."""
        if self.answer is None:
            for _ in self:
                pass
        assert self.answer is not None
        return self.answer

    def _finish(self) -> Answer:
        draft = self._reply.draft
        valid, rejected = check_citations(self.session.corpus, [*draft.citations, *self._checker.citations])
        answer = Answer(
            text="".join(self._parts).strip() + "\n",
            citations=tuple(valid),
            rejected_citations=tuple(dict.fromkeys([*self._checker.rejected, *rejected])),
            backend=self._reply.backend,
            model=draft.model or self._reply.model,
            plan=self.plan,
            usage=dict(draft.usage),
            covered=self.plan.covered,
        )
        self.session._record(self.plan, answer)
        return answer


class TutorSession:
    """Answers questions for one learner on one corpus, remembering what they covered."""

    def __init__(
        self,
        corpus: Any,
        *,
        backend: Backend,
        store: LearnerStore | None = None,
        learner: str | None = None,
        retrieve: Retrieve | None = None,
        level: str | None = None,
        profile_defaults: dict[str, Any] | None = None,
    ) -> None:
        self.corpus = corpus
        self.backend = backend
        self.store = store
        self.retrieve = retrieve
        self.learner = learner or DEFAULT_LEARNER
        self.level_override = check_level(level) if level else None
        if store is not None:
            self.profile = store.get_or_create(self.learner, **(profile_defaults or {}))
        else:
            self.profile = Profile(self.learner, **(profile_defaults or {}))
        self.history: list[Turn] = []
        self.last_plan: Plan | None = None
        self.context: list[str] = []  # targets of recent answers, newest first

    @property
    def corpus_name(self) -> str:
        return self.corpus.core.source.name

    @property
    def level(self) -> str:
        return self.level_override or self.profile.level

    def progress(self) -> dict[str, Any]:
        return self.store.progress(self.learner, self.corpus_name) if self.store else {}

    # ---- answering -----------------------------------------------------------------
    def plan(self, question: str) -> Plan:
        """The teaching plan for ``question`` given this learner's profile and progress."""
        question = question.strip()
        if not question:
            raise ConfigError("the question is empty: ask something about the codebase")
        context = list(self.context)
        follow_up = bool(context) and len(question.split()) <= 12 and _FOLLOW_UP.search(question)
        return make_plan(
            self.corpus,
            question,
            self.profile,
            self.progress(),
            retrieve=self.retrieve,
            level=self.level,
            context=context if follow_up else (),
        )

    def ask(self, question: str, *, stream: bool = False) -> AnswerStream:
        """Plan and answer ``question``; iterate the result for checked text, or call ``.result()``."""
        plan = self.plan(question)
        self.last_plan = plan
        # Not about this codebase: say so and name the closest concepts; no model composes an answer.
        backend = self.backend if plan.covered else OfflineBackend()
        reply = backend.answer(self.corpus, plan, self.history[-MAX_HISTORY_TURNS:], stream=stream)
        return AnswerStream(self, plan, iter(reply), reply)

    def _record(self, plan: Plan, answer: Answer) -> None:
        self.history += [Turn("user", plan.question), Turn("assistant", answer.text)]
        if not plan.covered:
            return
        self.context = list(dict.fromkeys([*plan.targets, *self.context]))[:3]
        if self.store is None:
            return
        seen = {
            self.corpus.symbols[c.symbol].concept
            for c in answer.citations
            if c.symbol in self.corpus.symbols and self.corpus.symbols[c.symbol].concept
        }
        seen |= {s.concept for s in plan.steps if s.role == "recap"}
        self.store.mark_explained(self.learner, self.corpus_name, plan.taught)
        self.store.mark_seen(self.learner, self.corpus_name, seen | set(plan.taught))
        self.store.log_question(self.learner, self.corpus_name, plan.question, plan.taught)

    # ---- learner controls ------------------------------------------------------------
    def set_level(self, level: str, *, persist: bool = True) -> str:
        """Change the level for the rest of the session (and in the profile when ``persist``)."""
        level = check_level(level)
        self.level_override = None if persist else level
        if persist and self.store is not None:
            self.profile = self.store.update(self.learner, level=level)
        elif persist:
            self.profile = Profile(**{**self.profile.__dict__, "level": level})
        return level

    def quiz_concept(self, concept: str | None = None) -> str:
        """Which concept a /quiz is about: the one named, else the last answer's, else the next on the path."""
        if concept:
            concept = concept.strip().lower()
            if concept in self.corpus.concepts:
                return concept
            by_title = [
                c.id for c in self.corpus.core.concepts if c.title.lower() == concept or concept in c.title.lower()
            ]
            if by_title:
                return by_title[0]
            raise NotFound(f"no concept {concept!r}; try one of: {', '.join(self.corpus.concepts)}")
        if self.last_plan and self.last_plan.targets:
            return self.last_plan.targets[0]
        progress = self.progress()
        for concept_id in self.corpus.core.learning_path:
            if not (progress.get(concept_id) and progress[concept_id].passed):
                return concept_id
        if self.corpus.core.learning_path:
            return self.corpus.core.learning_path[0]
        raise NotFound("this corpus has no concepts to quiz on")

    def quiz(self, concept: str | None = None) -> Quiz:
        """A quiz on a concept; attempts so far vary the questions."""
        concept_id = self.quiz_concept(concept)
        state = self.progress().get(concept_id)
        attempts = state.quiz_attempts if state else 0
        return make_quiz(self.corpus, concept_id, seed=attempts, backend=self.backend)

    def grade_quiz(self, quiz: Quiz, responses: Sequence[str | int | None]) -> QuizResult:
        """Grade and record the result, so the next plan takes it into account."""
        result = grade(quiz, responses)
        if self.store is not None:
            self.store.record_quiz(
                self.learner, self.corpus_name, quiz.concept, score=result.score, passed=result.passed
            )
        return result

    def set_goal(self, goal: str, *, persist: bool = True) -> str:
        """Change the learner's goal (free text); the next plans and the path follow it."""
        goal = " ".join((goal or "").split())
        if persist and self.store is not None:
            self.profile = self.store.update(self.learner, goal=goal)
        else:
            self.profile = Profile(**{**self.profile.__dict__, "goal": goal})
        return goal

    def path(self, goal: str | None = None) -> list[PathEntry]:
        """The learning path with this learner's status on each concept, reordered for ``goal``
        (free text, resolved by search; default: the profile's goal) so what the goal needs comes first."""
        progress = self.progress()
        goal = self.profile.goal if goal is None else goal
        order = goal_path(self.corpus, goal) if goal else list(self.corpus.core.learning_path)
        needed: set[str] = set()
        if goal:
            wanted = goal_concepts(self.corpus, goal, limit=1)
            needed = {c for c in order[: max((order.index(w) for w in wanted if w in order), default=-1) + 1]}
        entries = []
        for concept_id in order:
            concept = self.corpus.concepts.get(concept_id)
            if concept is None:
                continue
            state = progress.get(concept_id)
            if state is None:
                status = "new"
            elif state.quiz_result:
                status = state.quiz_result
            elif state.explained_count:
                status = "explained"
            else:
                status = "seen"
            entries.append(PathEntry(concept_id, concept.title, status, on_goal=concept_id in needed))
        return entries

    def why(self) -> str:
        """Why the last answer taught what it taught (markdown)."""
        plan = self.last_plan
        if plan is None:
            return "Nothing asked yet: ask a question first, then `/why` explains how the answer was planned."
        lines = [
            f"**Plan for:** {plan.question}",
            "",
            f"Level **{plan.level}**, intent **{plan.intent}**"
            + (f", background {', '.join(plan.background)}" if plan.background else "")
            + (f", goal “{plan.goal}”" if plan.goal else "")
            + ".",
            "",
        ]
        for number, step in enumerate(plan.steps, start=1):
            lines.append(f"{number}. **{step.title}** ({step.role}): {step.reason}.")
        if plan.skipped:
            lines += ["", "Left out:"] + [
                f"- {self.corpus.concepts[s.concept].title}: {s.reason}."
                for s in plan.skipped
                if s.concept in self.corpus.concepts
            ]
        if plan.sources:
            lines += ["", "Sources handed to the writer: " + ", ".join(f"`{s.ref}`" for s in plan.sources)]
        depth = plan.depth
        lines += [
            "",
            f"Depth: about {depth.words} words, {depth.excerpts} excerpts of up to {depth.excerpt_lines} lines ({depth.style}).",
        ]
        return "\n".join(lines)
