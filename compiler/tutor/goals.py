"""A learner's goal, in free text, turned into what to teach: its kind, its concepts, its path.

In: a corpus and a goal ("write a CLI with subcommands", "fix a bug in retries"). Out: the goal's kind
(use, extend, fix, contribute), the concepts a search finds for it, and the learning path reordered so
what the goal needs (prerequisites first) comes first. Also the prerequisite-respecting order that the
planner shares (``learning_order``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from compiler.tutor.retrieve import core_retrieve

_GOAL_KINDS = (
    ("fix", r"\b(fix|bug|debug|broken|crash|regression)"),
    ("contribute", r"\b(contribut|pull request|maintain|patch)"),
    ("extend", r"\b(extend|plugin|subclass|custom|hook|add (a|my) own|middleware)"),
    ("use", r"\b(use|using|build|write|make|call|app|application|script)\b"),
)


def goal_kind(goal: str) -> str:
    """What the learner wants to do with the code: use, extend, fix, contribute (or "" when no goal)."""
    for kind, pattern in _GOAL_KINDS:
        if re.search(pattern, (goal or "").lower()):
            return kind
    return "use" if (goal or "").strip() else ""


def goal_concepts(corpus: Any, goal: str, limit: int = 2) -> list[str]:
    """A free-text goal ("write a CLI with subcommands") resolved by search to the concepts it is about."""
    if not (goal or "").strip():
        return []
    if goal.strip().lower() in corpus.concepts:
        return [goal.strip().lower()]
    votes: Counter[str] = Counter()
    for rank, hit in enumerate(core_retrieve(corpus)(goal, 8), start=1):
        symbol = corpus.symbols.get(hit["symbol"]) if hit["symbol"] else None
        concept = hit["concept"] or (symbol.concept if symbol else None)
        if concept in corpus.concepts:
            votes[concept] += 1.0 / rank
    return [c for c, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))][:limit]


def goal_path(corpus: Any, goal: str) -> list[str]:
    """The learning path reordered for a goal: what the goal needs (its prerequisites first), then the rest."""
    path = [c for c in corpus.core.learning_path if c in corpus.concepts]
    wanted = goal_concepts(corpus, goal, limit=1)
    if not wanted:
        return path
    needed: set[str] = set()
    frontier = list(wanted)
    while frontier:
        concept = frontier.pop()
        if concept in needed or concept not in corpus.concepts:
            continue
        needed.add(concept)
        frontier += list(corpus.concepts[concept].prerequisites)
    first = learning_order(corpus, [c for c in needed if c in path] or list(needed))
    return first + [c for c in path if c not in needed]


def path_index(corpus: Any, concept_id: str) -> int:
    """Where a concept stands in the learning path (after the end when it is not on it)."""
    path = corpus.core.learning_path
    return path.index(concept_id) if concept_id in path else len(path)


def learning_order(corpus: Any, concept_ids: Sequence[str]) -> list[str]:
    """Topological order over prerequisites, learning-path position breaking ties."""
    remaining = set(concept_ids)
    ordered: list[str] = []
    while remaining:
        ready = [c for c in remaining if not (set(corpus.concepts[c].prerequisites) & remaining)]
        if not ready:  # a cycle in the prerequisites: fall back to the learning path
            ready = list(remaining)
        nxt = min(ready, key=lambda c: (path_index(corpus, c), c))
        ordered.append(nxt)
        remaining.discard(nxt)
    return ordered
