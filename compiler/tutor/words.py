"""Words of questions and code, and what a path is: the small rules the planner and the coverage check share.

In: text (a question, a name, a docstring) or a file path. Out: stemmed lower-case tokens, and
whether a path is an example (whether it is a test: compiler.roles). One place for each rule.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z][a-z]+|[A-Z]+(?![a-z])|\d+")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "how",
        "i",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "so",
        "that",
        "the",
        "their",
        "this",
        "to",
        "was",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
        "want",
        "need",
        "about",
        "does",
    ]
)


# Words any question uses ("make", "best", "way"): they say nothing about which code is meant.
QUESTION_FILLER = frozenset(
    [
        "good",
        "best",
        "way",
        "should",
        "often",
        "long",
        "get",
        "set",
        "make",
        "use",
        "write",
        "learn",
        "change",
        "new",
        "work",
        "thing",
        "things",
        "one",
        "two",
        "three",
        "four",
        "week",
        "year",
        "day",
        "night",
        "time",
        "people",
        "someone",
        "beginner",
        "start",
        "stop",
        "help",
        "know",
        "tell",
        "like",
        "just",
        "really",
        "also",
        "could",
        "would",
        "much",
        "many",
        "most",
        "more",
        "some",
        "any",
        "every",
        "all",
        "other",
        "there",
        "here",
        "then",
        "than",
        "very",
        "well",
        "right",
        "left",
        "out",
        "up",
        "down",
        "off",
        "over",
        "under",
        "again",
        "first",
        "last",
        "next",
        "after",
        "before",
        "while",
        "during",
        "without",
        "within",
        "between",
        "want",
        "need",
        "done",
        "cause",
        "caused",
        "happen",
        "happened",
        "happens",
        "put",
        "take",
        "give",
        "keep",
        "let",
        "say",
        "see",
        "look",
        "find",
    ]
)


def tokens(text: str) -> list[str]:
    """Lower-case word tokens; ``should_retry`` and ``shouldRetry`` both give ``should``, ``retry``."""
    words = [w.lower() for w in _WORD.findall(text or "")]
    return [_stem(w) for w in words if w not in _STOP and len(w) > 1]


def _stem(word: str) -> str:
    for suffix in ("ies", "ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


# A question about the code the learner writes ("how do I ...", "I want to ..."), not about how the code works.
HOW_TO = re.compile(r"\bhow (do|can|could|should|would|to) (i|we|you)\b|\bhow to\b|\b(i|we) want to\b")


EXAMPLE_PATH = re.compile(r"(^|/)(examples?|samples?|docs?)/")
