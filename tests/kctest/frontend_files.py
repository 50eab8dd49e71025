"""Small helpers shared by the front-end tests."""

from __future__ import annotations

from pathlib import Path

from compiler.model import FileFacts, Symbol


def write(root: Path, rel: str, content: str | bytes = "x = 1\n") -> Path:
    """Write a file under ``root`` (folders made as needed): text or bytes."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


def symbols_by_id(facts: FileFacts) -> dict[str, Symbol]:
    return {s.id: s for s in facts.symbols}
