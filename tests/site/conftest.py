"""Fixtures for the docs-site tests: hand-made corpora, built sites, a local HTTP server, a browser."""

from __future__ import annotations

import contextlib
import functools
import http.server
import sys
import threading
from pathlib import Path

import pytest

from kctest import synthetic
from kctest.corpus import REPO, render_corpus_to  # noqa: F401
from kctest.site_server import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, serve  # noqa: F401


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory) -> Path:
    """The corpus of a small hand-made core (eight concepts), rendered by the real back end."""
    return render_corpus_to(synthetic.small_core(), tmp_path_factory.mktemp("small") / "corpus")


@pytest.fixture(scope="session")
def small_site(small_corpus, tmp_path_factory) -> Path:
    from compiler.backend.site import build_site

    out = tmp_path_factory.mktemp("small-site") / "site"
    build_site(small_corpus, out)
    return out


@pytest.fixture
def browser():
    """Debian's headless Chromium through Playwright (never a downloaded browser)."""
    import playwright.sync_api as playwright_api
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (make setup does)")
    with playwright_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()
