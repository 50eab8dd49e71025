"""The tutor: personalised explanations of a compiled codebase, with checked citations.

    learner.py    LearnerStore: profiles and per-concept progress in one SQLite file (WAL)
    plan.py       make_plan(): retrieve targets, add uncovered prerequisites, order, choose depth -> Plan
    reply.py      Backend protocol, Turn, Draft, Reply, Answer: what every backend returns
    prompts.py    system rules, overview, plan brief and escaped document blocks for LLM backends
    llm.py        AnthropicBackend, OpenAIBackend on compiler.llm's clients; make_backend()
    offline.py    OfflineBackend: a structured explanation composed from the plan and the core
    prose.py      sentences, names, decision lines and reasons read from repository text
    analogies.py  a symbol's language features related to the learner's background languages
    citations.py  every path:start-end checked against core.json; bad ones removed and reported
    safety.py     instruction-like repository text is flagged and treated as data
    quiz.py       multiple-choice quizzes from the core (or a model), graded locally
    session.py    TutorSession: plan -> backend -> checked answer -> learner state

The commands (`kc ask`, `kc tutor`, `kc learner`) and the REPL live in compiler/cli/.

Nothing heavy is imported here: ``from compiler.tutor import TutorSession`` loads the session
module on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "TutorSession": "compiler.tutor.session",
    "Tutor": "compiler.tutor.session",
    "LearnerStore": "compiler.tutor.learner",
    "Profile": "compiler.tutor.learner",
    "Plan": "compiler.tutor.plan",
    "make_plan": "compiler.tutor.plan",
    "Answer": "compiler.tutor.llm",
    "Backend": "compiler.tutor.llm",
    "make_backend": "compiler.tutor.llm",
    "complete": "compiler.tutor.llm",
    "OfflineBackend": "compiler.tutor.offline",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'compiler.tutor' has no attribute {name!r}")
    module = importlib.import_module(_EXPORTS[name])
    return getattr(module, "TutorSession" if name == "Tutor" else name)
