"""Shared fixtures: the tiny fixture repositories and corpora compiled from them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURE_REPOS = Path(__file__).parent / "fixtures" / "repos"


def pytest_configure(config):
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture
def copy_repo(tmp_path):
    """Copy a fixture repository into a fresh temporary directory (outside any git checkout)."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(FIXTURE_REPOS / name, target, symlinks=True)
        return target

    return copy


@pytest.fixture(scope="session")
def compiled(tmp_path_factory):
    """``compiled(name)``: a corpus built (without index) from a fixture repo, once per session."""
    from compiler.build import build

    built: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in built:
            base = tmp_path_factory.mktemp(f"compiled-{name}")
            source = base / name
            shutil.copytree(FIXTURE_REPOS / name, source, symlinks=True)
            build(source, base / "corpus", index=False)
            built[name] = base / "corpus"
        return built[name]

    return get
