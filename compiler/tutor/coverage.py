"""Honest limits: is a question about this codebase at all?

In: an opened corpus and a question. Out: a ``Coverage`` verdict: covered or not, the words of
the question the codebase knows, and the closest concepts to name when it is not covered. A
question is covered when enough of its content words are the codebase's own words: names of
its symbols, files and concepts count fully, words of its docstrings and docs count half.
Generic words of any question ("make", "best", "way") count for nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from compiler.roles import is_test_path
from compiler.tutor.words import CODE_META, QUESTION_FILLER, name_words, tokens

COVERED_SCORE = 1.5
_GENERIC = frozenset(tokens(" ".join(QUESTION_FILLER)))
# Words every codebase uses ("return", "file"): a hint, never enough on their own.
_CODE_GENERIC = frozenset(
    tokens(
        "return raise file files ask value values data error errors type types string list name "
        "names object objects code test tests run call calls line lines text number"
    )
)


@dataclass(frozen=True)
class Coverage:
    covered: bool
    score: float
    known: tuple[str, ...]  # question words the codebase uses
    closest: tuple[str, ...] = ()  # concept ids nearest to the question (filled by the planner)


class Vocabulary:
    """The codebase's own words: strong (names of symbols, files, concepts) and weak (docs, docstrings)."""

    def __init__(self, corpus: Any) -> None:
        strong: set[str] = set()
        weak: set[str] = set()
        for symbol in corpus.core.symbols:
            names = name_words(symbol.name)
            (strong if symbol.public and not is_test_path(symbol.path) else weak).update(names)
            weak.update(tokens(symbol.doc or ""))
        for path in corpus.files:
            (weak if is_test_path(path) else strong).update(name_words(path.replace("/", " ")))
        for concept in corpus.core.concepts:
            strong.update(tokens(concept.title))
            weak.update(tokens(concept.summary))
        for section in corpus.core.sections:
            weak.update(tokens(section.title))
            weak.update(tokens(section.text))
        weak.update(tokens(corpus.core.source.description or ""))
        self.strong = frozenset(strong - _GENERIC)
        self.weak = frozenset(weak - _GENERIC)


_CACHE: dict[int, tuple[Any, Vocabulary]] = {}


def vocabulary(corpus: Any) -> Vocabulary:
    cached = _CACHE.get(id(corpus.core))
    if cached is not None and cached[0] is corpus.core:
        return cached[1]
    found = Vocabulary(corpus)
    if len(_CACHE) > 8:
        _CACHE.clear()
    _CACHE[id(corpus.core)] = (corpus.core, found)
    return found


def assess(corpus: Any, question: str, *, named: bool = False) -> Coverage:
    """The verdict for ``question``; ``named`` is True when it names a symbol of the codebase outright."""
    words = [w for w in dict.fromkeys(tokens(question)) if w not in _GENERIC and len(w) > 2]
    content = [w for w in words if w not in CODE_META]  # what the question is about, in its own words
    vocab = vocabulary(corpus)
    known = [w for w in words if w in vocab.strong or w in vocab.weak]
    score = sum(0.25 if w in _CODE_GENERIC else 1.0 if w in vocab.strong else 0.5 for w in known)
    # "what is a transport?", "what is the reply object?": one or two words beside words any code uses, and
    # they are our names.
    specific = [w for w in content if w not in _CODE_GENERIC]
    if len(specific) <= 2 and specific and all(w in vocab.strong for w in specific):
        score = max(score, COVERED_SCORE)
    if content:  # a long question needs a share of its words to be ours, not one lucky word
        score *= min(1.0, 2.5 * len([w for w in known if w in content]) / len(content))
    return Coverage(covered=named or score >= COVERED_SCORE, score=round(score, 2), known=tuple(known))
