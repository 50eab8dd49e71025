"""Helpers for the front-end tests: parse a fixture repository file by file."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.config import Settings
from compiler.frontend import parse_file, scan
from compiler.model import FileFacts

REPOS = Path(__file__).parents[1] / "fixtures" / "repos"


@pytest.fixture(scope="session")
def repo_facts():
    """``repo_facts(name)`` -> {path: FileFacts} for every file the scanner keeps in a fixture repo."""
    cache: dict[str, dict[str, FileFacts]] = {}

    def get(name: str) -> dict[str, FileFacts]:
        if name not in cache:
            root = REPOS / name
            result = scan(root, Settings())
            paths = frozenset(f.path for f in result.files)
            cache[name] = {f.path: parse_file(f, (root / f.path).read_bytes(), repo_paths=paths) for f in result.files}
        return cache[name]

    return get
