"""The built site in headless Chromium: the map is clickable, search finds symbols, nothing leaves 127.0.0.1."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from kctest.site_server import ARTIFACTS, serve

from compiler.backend.site import build_site, read_front_matter
from compiler.corpus import open_corpus

pytestmark = pytest.mark.timeout(240)


def _assert_local(requests: list[str]) -> None:
    remote = [url for url in requests if urlparse(url).scheme not in ("data", "blob", "file", "about")
              and urlparse(url).hostname != "127.0.0.1"]
    assert requests and not remote, f"requests left the site: {remote}"


def _targets(corpus_dir: Path) -> tuple[str, str, str, str]:
    """A concept with prerequisites (its id, title) and a method or function to search (its id, page)."""
    corpus = open_corpus(corpus_dir)
    concept = next((c for c in corpus.core.concepts if c.prerequisites), corpus.core.concepts[0])
    page_of = {}
    for page in sorted((corpus_dir / "reference").glob("*.md")):
        for symbol_id in read_front_matter(page).get("symbols", []):
            page_of[symbol_id] = page.stem
    names = [s.name for s in corpus.core.symbols]
    symbol = next(
        (s for s in sorted(corpus.core.symbols, key=lambda s: (-s.importance, s.id))
         if s.kind in ("method", "function") and "_" in s.name and names.count(s.name) == 1 and s.id in page_of),
        None,
    )
    assert symbol is not None, f"{corpus_dir}: no uniquely named function listed on a reference page to search for"
    return concept.id, concept.title, symbol.id, page_of[symbol.id]


@pytest.fixture(params=["handmade", "pyapp"])
def site_under_test(request, small_corpus, small_site, compiled, tmp_path_factory):
    if request.param == "handmade":
        return request.param, small_corpus, small_site
    corpus = compiled("pyapp")
    out = tmp_path_factory.mktemp("pyapp-site") / "site"
    build_site(corpus, out)
    return request.param, corpus, out


def test_map_click_search_and_no_remote_request(site_under_test, browser):
    name, corpus, site = site_under_test
    concept_id, concept_title, symbol_id, symbol_page = _targets(corpus)
    short_name = symbol_id.rsplit(".", 1)[-1]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    requests: list[str] = []
    with serve(site) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("request", lambda request: requests.append(request.url))

        # 1. The home page, with the concept map.
        page.goto(base, wait_until="networkidle")
        node = page.locator(f'svg.kc-map a.kc-map-node[data-concept="{concept_id}"]')
        assert node.count() == 1
        page.screenshot(path=str(ARTIFACTS / f"{name}-home.png"), full_page=True)

        # 2-3. Clicking a concept's box opens that concept's page.
        node.click()
        page.wait_for_url(re.compile(rf"/concepts/{re.escape(concept_id)}/$"))
        assert page.locator("article h1").inner_text().strip().rstrip("¶") == concept_title
        assert page.locator("article h2", has_text="Prerequisites").count() == 1
        page.screenshot(path=str(ARTIFACTS / f"{name}-concept.png"), full_page=True)

        # 4. Material's local search finds a symbol by its name and leads to its reference entry.
        search = page.locator("input.md-search__input")
        search.click()
        # Typed key by key: Material searches on keyboard events, not on a programmatic fill.
        search.press_sequentially(short_name, delay=20)
        # The symbol's entry on its reference page (concept pages that list it may rank too).
        result = page.locator('.md-search-result__item a[href*="/reference/"]', has_text=symbol_id).first
        result.wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / f"{name}-search.png"))
        result.click()
        page.wait_for_url(re.compile(rf"/reference/{re.escape(symbol_page)}/(\?[^#]*)?#"))
        assert symbol_id in page.locator("article").inner_text()

        # The learning path page is reachable too.
        page.goto(base + "path/", wait_until="networkidle")
        assert page.locator("article h1").inner_text().strip().rstrip("¶") == "Learning path"
        page.close()

    # 5. Every request the pages made went to the local server.
    _assert_local(requests)
    assert any(url.endswith("search_index.json") for url in requests), "search index was not loaded"
