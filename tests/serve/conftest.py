"""Fixtures for the ``kc serve`` tests: a tiny repository compiled by the real pipeline, the app on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from kctest.serve_process import build_corpus, running_app, write_tiny_repo


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tiny")
    return build_corpus(write_tiny_repo(root / "repo"), root / "corpus")


@pytest.fixture(scope="module")
def app_url(tiny_corpus, tmp_path_factory):
    with running_app(tiny_corpus, tmp_path_factory.mktemp("serve")) as url:
        yield url
