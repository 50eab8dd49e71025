"""Words of questions and code, and what a path is: the small rules the planner and the coverage check share.

In: text (a question, a name, a docstring) or a file path. Out: stemmed lower-case tokens, and
whether a path is an example (whether it is a test: compiler.roles). One place for each rule.
"""

from __future__ import annotations

import re
from typing import Any

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
    """One stem for a word's forms: plural, then -ing/-ed, then a final e (message, messages: messag; warning,
    warnings, warn: warn; retry, retries: retri), so a question's words meet the code's in any form."""
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "i"
    elif word.endswith("es") and word[-3:-2] in {"s", "x", "z", "h"} and len(word) > 4 and not word.endswith("ses"):
        word = word[:-2]
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    elif word.endswith("y") and len(word) > 3 and word[-2] not in "aeiou":
        word = word[:-1] + "i"  # retry, retries: retri
    return word


# A question about the code the learner writes ("how do I ...", "I want to ..."), not about how the code works.
HOW_TO = re.compile(r"\bhow (do|can|could|should|would|to) (i|we|you)\b|\bhow to\b|\b(i|we) want to\b")


def is_private(symbol: Any) -> bool:
    """A helper the code keeps to itself: not exported (``public`` is False: Go's lower-case names, Python's
    ``__all__``) or named with one leading underscore (dunder methods are the language's public protocol)."""
    return not getattr(symbol, "public", True) or (symbol.name.startswith("_") and not symbol.name.startswith("__"))


EXAMPLE_PATH = re.compile(r"(^|/)(examples?|samples?|docs?)/")
# A question about types: only then do TypeScript declaration files (roles.is_declaration_path) answer it.
ASKS_ABOUT_TYPES = re.compile(r"\b(types?|typing|typings|typescript|declarations?|interfaces?)\b", re.I)
# A word written as code: snake_case, camelCase, dotted or called (``should_retry``, ``app.use``, ``send()``).
IDENTIFIER = re.compile(r"\b[A-Za-z]\w*(?:_\w+|[a-z][A-Z]\w*|\.\w+)|\b\w+(?=\(\))")
_NAME_PARTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def name_words(name: str) -> frozenset[str]:
    """The words of an identifier, path or title: ``appendKeyValue`` and ``append_key_value`` give append, key,
    value (stemmed like ``tokens``)."""
    return frozenset(tokens(" ".join(_NAME_PARTS.findall(name or ""))))


# Words about code in general ("where is X implemented?", "which class defines it?"): they say a question is
# about code, not about this codebase, so they count neither for nor against it.
CODE_META = frozenset(
    tokens(
        "implemented implements implementation defined defines definition declared located lives live class "
        "classes function functions method methods module modules library package codebase project source"
    )
)
# What a question says it wants ("which class ...", "the function that ..."): kinds of symbol, by word.
ASKED_KINDS = {
    **dict.fromkeys(
        tokens("class classes interface interfaces struct structs"), frozenset({"class", "interface", "type"})
    ),
    **dict.fromkeys(tokens("function functions"), frozenset({"function"})),
    **dict.fromkeys(tokens("method methods"), frozenset({"method"})),
}
