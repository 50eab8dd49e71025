"""Retrieval for the planner: the core's own TF-IDF search, or the corpus index when there is one.

In: an opened corpus (and its directory for the index) and a query. Out: ``retrieve(query, k)``,
a function returning hits (dicts or ``compiler.index.hits.Hit``) best first. Tests and sample
apps count less than the code they exercise; filler words of a question count for nothing.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from compiler.roles import is_declaration_path, is_test_path
from compiler.tutor.words import (
    ASKED_KINDS,
    ASKS_ABOUT_TYPES,
    CODE_META,
    EXAMPLE_PATH,
    IDENTIFIER,
    QUESTION_FILLER,
    is_private,
    name_words,
    tokens,
)

# retrieve(query, k) -> hits; a hit is a compiler.index.hits.Hit or anything with the same fields.
Retrieve = Callable[[str, int], Sequence[Any]]


_LEXICAL_CACHE: dict[int, tuple[Any, Retrieve]] = {}


def core_retrieve(corpus: Any) -> Retrieve:
    """A small TF-IDF search over concepts and symbols of the core, for when no index is available."""
    cached = _LEXICAL_CACHE.get(id(corpus.core))
    if cached is not None and cached[0] is corpus.core:
        return cached[1]
    retrieve = _build_core_retrieve(corpus)
    if len(_LEXICAL_CACHE) > 8:
        _LEXICAL_CACHE.clear()
    _LEXICAL_CACHE[id(corpus.core)] = (corpus.core, retrieve)
    return retrieve


def _prior(symbol: Any) -> float:
    """How much a symbol's match counts: tests and private helpers explain less than the code they serve."""
    if is_test_path(symbol.path):
        return 0.4
    if EXAMPLE_PATH.search(symbol.path):
        return 0.5  # sample apps show use, but the answer is the library code they call
    if symbol.kind == "module" or symbol.name.startswith("_") or is_private(symbol):
        return 0.8
    return 1.0


# BM25's term-frequency saturation and length normalisation: a long docstring that uses many of the question's
# words in passing says less than a short one about exactly them.
_K1, _B = 1.2, 0.75
NAME_WEIGHT = 1.0  # a question word that is a word of the name counts this much on top of its text matches
NAME_FIT_WEIGHT = 1.0  # score factor for a name that is the question's words ("Hook" for "what is a hook?")
KIND_WEIGHT = 1.5  # score factor for the kind of symbol the question asks for ("where is the ... class defined?")
CENTRALITY_WEIGHT = 0.25  # score factor per unit of PageRank: among equal matches, the code the rest relies on
DECLARATION_WEIGHT = 0.3  # TypeScript declarations (types of code that lives elsewhere), unless types are asked


@dataclass(frozen=True)
class _Document:
    hit: dict[str, Any]
    counts: Counter[str]  # words of the whole text
    name: frozenset[str]  # words of the symbol's own name, or the concept's title
    length: int
    prior: float
    declaration: bool = False
    kind: str = "concept"
    importance: float = 0.0


def _name_match(word: str, name: frozenset[str]) -> float:
    """1 when ``word`` is a word of the name; 0.5 when it begins or ends one of its run-together words
    (``escape`` in ``select_autoescape``, ``router`` in ``lazyrouter``); else 0."""
    if word in name:
        return 1.0
    if len(word) >= 4 and any(
        len(part) > len(word) + 1 and (part.startswith(word) or part.endswith(word)) for part in name
    ):
        return 0.5
    return 0.0


def _build_core_retrieve(corpus: Any) -> Retrieve:
    documents: list[_Document] = []
    for concept in corpus.core.concepts:
        text = " ".join([concept.title, concept.id, concept.summary, concept.body])
        ref = concept.sources[0] if concept.sources else None
        counts = Counter(tokens(text))
        # No symbol on a concept hit: its first source is not what the query matched.
        hit = {
            "path": ref.path if ref else (concept.files[0] if concept.files else None),
            "symbol": None,
            "concept": concept.id,
            "title": concept.title,
            "lines": tuple(ref.lines) if ref else None,
            "text": concept.summary,
            "kind": "concept",
        }
        # curated prose: the author's map of the code
        documents.append(_Document(hit, counts, name_words(concept.title), sum(counts.values()), 1.5))
    for symbol in corpus.core.symbols:
        counts = Counter(tokens(" ".join([symbol.id, symbol.signature, symbol.doc])))
        hit = {
            "path": symbol.path,
            "symbol": symbol.id,
            "concept": symbol.concept,
            "title": symbol.id,
            "lines": tuple(symbol.lines),
            "text": symbol.doc or symbol.signature,
            "kind": symbol.kind,
        }
        documents.append(
            _Document(
                hit,
                counts,
                name_words(symbol.name),
                sum(counts.values()),
                _prior(symbol),
                is_declaration_path(symbol.path),
                symbol.kind,
                symbol.importance,
            )
        )
    frequency: Counter[str] = Counter()
    for document in documents:
        frequency.update(set(document.counts) | document.name)
    total = len(documents) or 1
    idf = defaultdict(float, {t: math.log(1 + total / n) for t, n in frequency.items()})
    average = sum(d.length for d in documents) / total or 1.0

    filler = set(tokens(" ".join(QUESTION_FILLER)))

    def retrieve(query: str, k: int) -> list[dict[str, Any]]:
        asked = set(tokens(query))
        # Words about code in general ("class", "defined") say what kind of symbol is wanted, not which one;
        # a word of an identifier the query spells (``should_retry``) is never filler.
        spelled = {t for word in IDENTIFIER.findall(query) for t in tokens(word)}
        wanted = (asked - filler - CODE_META) | spelled or (asked - filler) or asked
        kinds = frozenset().union(*(ASKED_KINDS.get(t, frozenset()) for t in asked))
        declarations = 1.0 if ASKS_ABOUT_TYPES.search(query) else DECLARATION_WEIGHT
        scored = []
        for position, document in enumerate(documents):
            counts, name = document.counts, document.name
            in_name = {t: _name_match(t, name) for t in wanted}
            matched = [t for t in wanted if counts[t] or in_name[t]]
            if not matched:
                continue
            norm = _K1 * (1 - _B + _B * document.length / average)
            # Matching more of the question's words beats repeating one of them.
            coverage = math.sqrt(len(matched) / len(wanted))
            relevance = sum(
                idf[t] * (counts[t] * (_K1 + 1) / (counts[t] + norm) + NAME_WEIGHT * in_name[t]) for t in matched
            )
            # A name that is the question's words is what it asks about (Dice overlap of the two word sets): one
            # that shares a word among others ("AddHook" for "what is a hook?"), or one word of a long question
            # ("Name" for "load a template by its name"), says less.
            fit = 2 * sum(in_name.values()) / (len(name) + len(wanted)) if name else 0.0
            prior = document.prior * (declarations if document.declaration else 1.0)
            prior *= (KIND_WEIGHT if document.kind in kinds else 1.0) * (1 + CENTRALITY_WEIGHT * document.importance)
            score = prior * coverage * relevance * (1 + NAME_FIT_WEIGHT * fit)
            scored.append((score, position, document.hit))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [dict(hit, rank=rank, score=round(score, 4)) for rank, (score, _, hit) in enumerate(scored[:k], start=1)]

    return retrieve


def index_retrieve(corpus_dir: Any, settings: Any = None, corpus: Any = None) -> Retrieve:
    """Retrieval through ``compiler.index.search.Searcher``; the core's lexical search when the index cannot answer."""
    from compiler.index.search import Searcher

    searcher: list[Any] = []

    fallback: list[Retrieve] = []

    def retrieve(query: str, k: int) -> Sequence[Any]:
        from compiler.errors import SearchIndexError

        if fallback:
            return fallback[0](query, k)
        try:
            if not searcher:  # opened on first use
                searcher.append(Searcher(corpus_dir, settings))
            return searcher[0].search(query, k)
        except SearchIndexError as exc:
            import sys

            print(f"kc: note: {exc}; answering from the core's lexical search instead", file=sys.stderr)
            from compiler.corpus import open_corpus

            fallback.append(core_retrieve(corpus if corpus is not None else open_corpus(corpus_dir)))
            return fallback[0](query, k)

    return retrieve
