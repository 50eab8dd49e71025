"""What a question asks for besides its words, read once per query by the search.

In: the question text. Out: a ``Question`` (the text the retrievers read, whether tests, benchmarks or
tooling code should yield, whether it is an onboarding, a "how do I" or a "what is" question; the search
fills in the retrievers' scores). Also the per-file rules the search applies with it: ``aside_code``
(which files yield unless asked about: tests, then roles.SIDE_ROLES) and ``is_private`` (a private
member, ``_name`` or an unexported Go name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from compiler.roles import SIDE_ROLES, file_role, is_test_path, unasked_side_roles

ASIDE = ("test", *SIDE_ROLES)  # aside code i + 1 per chunk and file; 0 = the code itself

# A newcomer asking where to begin wants the central, public entry into the topic.
ONBOARDING = re.compile(
    r"\b(read first|(start|begin) (reading|here)|where (do|should|can) i (start|begin)|get started|"
    r"first (look|steps?)|entry ?points?|new to|overview)\b",
    re.IGNORECASE,
)
# "How do I ...?" is asked by someone who uses the code: the answer is what they call, not a helper.
USER_VOICE = re.compile(r"\b(how|where|what) (do|can|should|would|must) (i|we|you)\b|\bi (want|need) to\b", re.I)
# "What is a macro?" asks what a thing is: a class hit answers as the class, not as one of its methods.
WHAT_IS = re.compile(r"^\s*what (is|are)\b|^\s*what kinds? of\b|\bwhat does\b.*\bmean\b", re.I)
TEST_WORDS = re.compile(r"\b(tests?|testing|tested|spec|specs|fixtures?)\b", re.IGNORECASE)


@dataclass
class Question:
    """One question as the retrievers saw it: what the member choice and boosts read again."""

    text: str
    demote_tests: bool = True
    unasked_sides: frozenset[str] = frozenset()  # side roles (benchmarks, tooling) it does not ask about
    onboarding: bool = False  # "where do I start", "what should I read first"
    user_voice: bool = False  # "how do I ...": asks for what a user of the code calls
    what_is: bool = False  # "what is the context ...?": asks for the thing itself, not one of its methods
    similarity: np.ndarray | None = None  # cosine of every chunk (None without a dense index)
    lexical: np.ndarray | None = None  # BM25 of every chunk
    yielding: np.ndarray | None = None  # 1.0 for the chunks whose file yields (see aside), computed once

    @property
    def aside(self) -> tuple[int, ...]:
        """The aside codes (see ASIDE) of the files that yield for this question."""
        return tuple(
            code
            for code, role in enumerate(ASIDE, start=1)
            if (role == "test" and self.demote_tests) or role in self.unasked_sides
        )


def read_question(query: str) -> Question:
    """What the question asks for besides its words: tests or not, benchmarks or tooling or not, where to start."""
    return Question(
        query,
        demote_tests=not TEST_WORDS.search(query),
        unasked_sides=unasked_side_roles(query),
        onboarding=bool(ONBOARDING.search(query)),
        user_voice=bool(USER_VOICE.search(query)),
        what_is=bool(WHAT_IS.search(query)),
    )


def aside_code(path: str | None) -> int:
    """1 + the index in ASIDE of the role of ``path`` when its code is aside, else 0."""
    if not path:
        return 0
    if is_test_path(path):
        return 1
    role = file_role(path)
    return ASIDE.index(role) + 1 if role in ASIDE else 0


def is_private(corpus, symbol_id: str | None) -> bool:
    """A private member (``_name``, not ``__dunder__``; an unexported Go name): a hit names it only
    when none of the public members it stands beside matches."""
    symbol = corpus.symbols.get(symbol_id) if symbol_id else None
    if symbol is None or symbol.kind == "module":
        return False
    name = symbol.name
    if name.startswith("__") and name.endswith("__"):
        return False
    return name.startswith("_") or not symbol.public
