"""Fixtures for the index tests (helpers in ``index_helpers``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from compiler.config import Settings
from compiler.index.embed import HashEmbedder
from kctest.corpus import render_corpus_to as write_corpus
from kctest.index_corpus import FIXTURE_REPO, core_from_package


@pytest.fixture
def source_repo(tmp_path) -> Path:
    """A private copy of the pyapp fixture repository (tests may edit it)."""
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE_REPO, repo)
    return repo


@pytest.fixture
def corpus_dir(source_repo, tmp_path) -> Path:
    return write_corpus(core_from_package(source_repo, "minihttp"), tmp_path / "corpus")


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Settings with the index in the test's own folder and no Chroma server."""
    return Settings(index_dir=str(tmp_path / "index"), chroma_url="")


@pytest.fixture
def embedder() -> HashEmbedder:
    return HashEmbedder(dim=64)
