"""Small helpers shared by the front-end tests."""

from __future__ import annotations

from compiler.model import FileFacts, Symbol


def symbols_by_id(facts: FileFacts) -> dict[str, Symbol]:
    return {s.id: s for s in facts.symbols}
