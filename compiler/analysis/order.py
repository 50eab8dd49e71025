"""The teaching order: which of two concepts a newcomer learns first. One rule for the links and the path.

In: per concept, where the docs first mention it (none: never), its importance and the share of its members a
user can name. Out: ``public_share``, ``teaching_weight`` (public importance) and ``teaching_key`` (smaller
is taught earlier).

The docs' own order wins where they have one: what the README's quick start names comes before what its
later sections name, and what the docs name at all comes before what they never do. Where they are silent,
the public surface a user reaches most comes first and private machinery last: importance (how much the
rest of the code and the docs rely on a concept) times the share of its members a user can name. The order
is top-down, as docs teach: the hub a user calls (an application, a command, a client) before what it is
built on and what builds on it, whichever way the code's calls run between them; the concepts split from
the methods of a class the user names follow it closer (``parts_follow_their_class``).
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


PART_SHARE = 0.5  # a concept this much methods of one class (held by another concept) is a part of that class


def parts_follow_their_class(
    members: list[list[str]],
    symbols: dict[str, Symbol],
    weights: list[float],
    code: list[bool],
    front: frozenset[str] = frozenset(),
) -> list[float]:
    """Teaching weights where a concept made of the methods of one class the front door names (``Command help``,
    split from cobra's ``Command``) moves halfway (on a log scale) from its own weight to its class's: a class a
    user calls is learnt with its own API, before the lighter concepts around it. A class the user never names
    (a code generator's ``visit_*`` methods) gives its parts no lift."""
    holder = {sid: i for i, sids in enumerate(members) for sid in sids}
    out = list(weights)
    for i, sids in enumerate(members):
        parents: dict[str, int] = {}
        for sid in sids:
            sym = symbols.get(sid)
            if code[i] and sym is not None and sym.kind == "method" and sym.parent:
                parents[sym.parent] = parents.get(sym.parent, 0) + 1
        if not parents:
            continue
        parent, count = max(parents.items(), key=lambda item: (item[1], item[0]))
        head = holder.get(parent)
        if parent not in front or head is None or head == i or count < PART_SHARE * len(sids):
            continue
        if weights[head] > weights[i]:
            out[i] = round((weights[head] * weights[i]) ** 0.5, 6)
    return out
