"""The teaching order: which of two concepts a newcomer learns first. One rule for the links and the path.

In: per concept, where the docs first mention it (none: never), its importance and the share of its members a
user can name. Out: ``public_share``, ``teaching_weight`` (public importance) and ``teaching_key`` (smaller
is taught earlier).

The docs' own order wins where they have one: what the README's quick start names comes before what its
later sections name, and what the docs name at all comes before what they never do. Where they are silent,
the public surface a user reaches most comes first and private machinery last: importance (how much the
rest of the code and the docs rely on a concept) times the share of its members a user can name. The order
is top-down, as docs teach: the hub a user calls (an application, a command, a client) before what it is
built on and what builds on it, whichever way the code's calls run between them.
"""

from __future__ import annotations

from compiler.model import Symbol

NEVER = float("inf")


def nameable(sym: Symbol) -> bool:
    """A member a user can name: public, and no ``_private`` name (``__len__`` and its kind are protocol)."""
    name = sym.name
    return sym.public and (
        not name.startswith("_") or (len(name) > 4 and name.startswith("__") and name.endswith("__"))
    )


def public_share(members: list[str] | tuple[str, ...], symbols: dict[str, Symbol]) -> float:
    """The share of a concept's members a user can name (0..1, rounded)."""
    if not members:
        return 0.0
    return round(sum(1 for sid in members if nameable(symbols[sid])) / len(members), 6)


def teaching_weight(importance: float, public: float) -> float:
    """How early a concept the docs do not place comes: its importance times its public share."""
    return round(importance * public, 6)


def teaching_key(concept_id: str, mention: float, weight: float, importance: float) -> tuple:
    """Sort key of a concept in the teaching order: first docs mention, then teaching weight, then importance."""
    return (mention, -weight, -importance, concept_id)
