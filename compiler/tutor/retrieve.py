"""Retrieval for the planner: the core's own TF-IDF search, or the corpus index when there is one.

In: an opened corpus (and its directory for the index) and a query. Out: ``retrieve(query, k)``,
a function returning hits (dicts or ``compiler.index.hits.Hit``) best first. Tests and sample
apps count less than the code they exercise; filler words of a question count for nothing.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from compiler.roles import is_test_path
from compiler.tutor.words import EXAMPLE_PATH, QUESTION_FILLER, tokens

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
    if symbol.kind == "module" or symbol.name.startswith("_"):
        return 0.8
    return 1.0


def _build_core_retrieve(corpus: Any) -> Retrieve:
    documents: list[tuple[dict[str, Any], Counter[str], float]] = []
    for concept in corpus.core.concepts:
        text = " ".join([concept.title] * 3 + [concept.id, concept.summary, concept.body])
        ref = concept.sources[0] if concept.sources else None
        # No symbol on a concept hit: its first source is not what the query matched.
        documents.append(
            (
                {
                    "path": ref.path if ref else (concept.files[0] if concept.files else None),
                    "symbol": None,
                    "concept": concept.id,
                    "title": concept.title,
                    "lines": tuple(ref.lines) if ref else None,
                    "text": concept.summary,
                    "kind": "concept",
                },
                Counter(tokens(text)),
                1.5,
            )
        )  # curated prose: the author's map of the code
    for symbol in corpus.core.symbols:
        text = " ".join([symbol.name] * 3 + [symbol.id, symbol.signature, symbol.doc])
        documents.append(
            (
                {
                    "path": symbol.path,
                    "symbol": symbol.id,
                    "concept": symbol.concept,
                    "title": symbol.id,
                    "lines": tuple(symbol.lines),
                    "text": symbol.doc or symbol.signature,
                    "kind": symbol.kind,
                },
                Counter(tokens(text)),
                _prior(symbol),
            )
        )
    frequency: Counter[str] = Counter()
    for _, counts, _ in documents:
        frequency.update(counts.keys())
    total = len(documents) or 1
    idf = defaultdict(float, {t: math.log(1 + total / n) for t, n in frequency.items()})

    filler = set(tokens(" ".join(QUESTION_FILLER)))

    def retrieve(query: str, k: int) -> list[dict[str, Any]]:
        wanted = set(tokens(query))
        wanted = (wanted - filler) or wanted
        scored = []
        for position, (hit, counts, prior) in enumerate(documents):
            matched = [t for t in wanted if counts[t]]
            if not matched:
                continue
            # Matching more of the question's words beats repeating one of them.
            coverage = math.sqrt(len(matched) / len(wanted))
            score = prior * coverage * sum(idf[t] * (1 + math.log(counts[t])) for t in matched)
            scored.append((score, position, hit))
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
