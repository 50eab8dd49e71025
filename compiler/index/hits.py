"""What a search returns: ``Hit`` records and their ``kc search --json`` form (the contract consumers rely on).

In: a ranked chunk (from ``compiler.index.search``). Out: a frozen ``Hit`` and, for JSON, a dict with
exactly ``rank, score, path, symbol, lines, concept, title, snippet, kind``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Hit:
    """One search result: where to look, and why."""

    rank: int
    score: float
    path: str
    symbol: str | None
    lines: tuple[int, int] | None
    concept: str | None
    title: str
    snippet: str
    kind: str
    text: str


def hit_to_json(hit: Hit) -> dict:
    """The ``kc search --json`` contract: rank, score, path, symbol, lines, concept, title, snippet (+ kind)."""
    return {
        "rank": hit.rank,
        "score": round(float(hit.score), 6),
        "path": hit.path,
        "symbol": hit.symbol,
        "lines": [int(hit.lines[0]), int(hit.lines[1])] if hit.lines else None,
        "concept": hit.concept,
        "title": hit.title,
        "snippet": hit.snippet,
        "kind": hit.kind,
    }
