"""What every corpus builder shares: the repository's paths, a learning path from prerequisites, the real renderer.

In: a ``Core`` built by one of the builders (``synthetic``, ``index_corpus``, ``tutor_corpus``, ``mcp_corpus``).
Out: its learning order, or the corpus the real back end renders from it on disk.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from compiler.model import Core

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "repos"


def topological(ids: list[str], prerequisites: dict[str, tuple[str, ...]]) -> list[str]:
    """``ids`` in order, each after its prerequisites (unknown ones ignored; a cycle keeps the given order)."""
    ordered: list[str] = []
    remaining = list(ids)
    while remaining:
        for concept in remaining:
            if all(p in ordered or p not in ids for p in prerequisites[concept]):
                ordered.append(concept)
                remaining.remove(concept)
                break
        else:
            ordered += remaining
            break
    return ordered


def render_corpus_to(core: Core, directory: Path) -> Path:
    """Render ``core`` with the real back end into ``directory`` (replacing it) and return it."""
    from compiler.backend.docs import render_corpus

    if directory.exists():
        shutil.rmtree(directory)
    for relpath, text in render_corpus(core).items():
        target = directory / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return directory
