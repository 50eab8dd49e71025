"""``kc serve`` in headless Chromium: ask, watch the answer stream, follow a citation to the highlighted
lines, take a quiz, see progress on the map; a hostile docstring never runs; nothing leaves 127.0.0.1."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from kctest.corpus import REPO
from kctest.serve_process import running_app
from kctest.site_server import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.timeout(420)
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


@pytest.fixture(scope="module")
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


class Watched:
    """A page whose requests, dialogs and console errors are recorded."""

    def __init__(self, browser, base: str) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 860})
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.base = base

    def assert_local(self) -> None:
        remote = [
            u
            for u in self.requests
            if urlparse(u).scheme not in ("data", "blob", "about") and urlparse(u).hostname != "127.0.0.1"
        ]
        assert self.requests and not remote, f"requests left 127.0.0.1: {remote}"

    def pwned(self) -> object:
        return self.page.evaluate("() => window.__kc_pwned")


def _open_chat(watched: Watched, learner: str) -> None:
    page = watched.page
    page.add_init_script(f"localStorage.setItem('kc-learner', {learner!r})")
    page.goto(f"{watched.base}/chat")
    page.wait_for_selector("[data-kc=map-list] [data-kc=concept]")


def _ask(page, question: str) -> None:
    page.fill("[data-kc=question]", question)
    page.click("[data-kc=send]")
    page.wait_for_selector("[data-kc=done]", timeout=60_000)


def test_ask_stream_follow_a_citation_to_the_highlighted_lines(browser, app_url):
    watched = Watched(browser, app_url)
    page = watched.page
    try:
        _open_chat(watched, "browser-ada")
        _ask(page, "how does retrying work with backoff?")
        answer = page.locator("[data-kc=answer]").last
        assert "backoff_delay" in answer.inner_text()
        assert page.locator("[data-kc=plan] [data-kc=plan-step]").count() >= 1
        explained = page.locator('[data-kc=map-list] [data-status="explained"]')
        assert explained.count() >= 1, "the map shows what the answer explained"
        citation = page.locator("a[data-kc=citation]").first
        ref = citation.get_attribute("data-ref")
        _path, lines = ref.rsplit(":", 1)
        start, end = (int(x) for x in lines.split("-"))
        citation.click()
        page.wait_for_selector("mark[data-kc=cited-line]")
        marks = page.locator("mark[data-kc=cited-line]")
        numbers = {int(marks.nth(i).get_attribute("data-line")) for i in range(marks.count())}
        assert numbers and min(numbers) >= start and max(numbers) <= end, (ref, numbers)
        assert marks.first.is_visible()
        box = marks.first.bounding_box()
        assert box and 0 <= box["y"] <= 860, "the page is scrolled to the cited lines"
        assert page.locator("[data-kc=cited]").count() == 1
        assert page.locator("[data-kc=chat-link]").count() == 1, "every site page links back to the chat"
        watched.assert_local()
    finally:
        watched.context.close()


def test_quiz_flow_and_progress_on_the_map(browser, app_url):
    watched = Watched(browser, app_url)
    page = watched.page
    try:
        _open_chat(watched, "browser-quiz")
        page.click("[data-kc=quiz]")
        page.wait_for_selector("[data-kc=quiz-form]")
        questions = page.locator("[data-kc=quiz-question]")
        assert questions.count() >= 1
        for i in range(questions.count()):
            questions.nth(i).locator("[data-kc=quiz-choice]").first.check()
        page.click("[data-kc=quiz-submit]")
        result = page.wait_for_selector("[data-kc=quiz-result]")
        passed = result.get_attribute("data-passed") == "true"
        status = "passed" if passed else "failed"
        assert page.locator(f'[data-kc=map-list] [data-status="{status}"]').count() == 1
        page.click("[data-kc=path]")
        page.wait_for_selector("[data-kc=path-view] li")
        watched.assert_local()
    finally:
        watched.context.close()


def test_profile_create_and_two_learners_do_not_share_state(browser, app_url):
    first, second = Watched(browser, app_url), Watched(browser, app_url)
    try:
        _open_chat(first, "someone")
        page = first.page
        page.click("[data-kc=profile-editor] summary")
        page.fill("[data-kc=profile-name]", "browser-lin")
        page.select_option("[data-kc=profile-level]", "novice")
        page.fill("[data-kc=profile-background]", "go, sql")
        page.fill("[data-kc=profile-goal]", "add a retry option")
        page.click("[data-kc=profile-save]")
        expect(page.locator("[data-kc=learner-select]")).to_have_value("browser-lin")
        page.wait_for_selector("[data-kc=map-list] [data-kc=concept]")
        _ask(page, "how does retrying work with backoff?")
        _open_chat(second, "browser-max")
        statuses = second.page.eval_on_selector_all(
            "[data-kc=map-list] [data-kc=concept]", "items => items.map(i => i.getAttribute('data-status'))"
        )
        assert statuses and set(statuses) == {"new"}
        assert second.page.locator("[data-kc=answer]").count() == 0
    finally:
        first.context.close()
        second.context.close()


def test_a_hostile_docstring_never_runs(browser, app_url):
    watched = Watched(browser, app_url)
    page = watched.page
    try:
        _open_chat(watched, "browser-eve")
        _ask(page, "what does render_banner do? show its docstring")
        answer = page.locator("[data-kc=answer]").last
        page.wait_for_timeout(300)
        assert "<script>" in answer.inner_text() or "onerror" in answer.inner_text(), "the docstring is shown as text"
        assert page.locator("[data-kc=answer] script, [data-kc=answer] img").count() == 0
        assert watched.pwned() is None and not watched.dialogs
        page.goto(f"{app_url}/site/reference/tinyretry.render/")
        page.wait_for_load_state("load")
        assert watched.pwned() is None and not watched.dialogs
        watched.assert_local()
    finally:
        watched.context.close()


@pytest.mark.slow
def test_chat_on_this_repositorys_corpus_with_screenshot(browser, tmp_path):
    """This repository's own corpus: ask, see the streamed answer, land on the cited lines; screenshot the chat."""
    corpus = Path(os.environ.get("KC_SERVE_TEST_CORPUS", REPO / "corpus"))
    if not (corpus / "core.json").is_file():
        pytest.skip(f"no corpus at {corpus}: build one with 'kc build . --out corpus'")
    with running_app(corpus, tmp_path) as base:
        watched = Watched(browser, base)
        page = watched.page
        try:
            _open_chat(watched, "readme-reader")
            _ask(page, "How does the incremental build decide what to recompile?")
            assert page.locator("[data-kc=answer]").last.inner_text().strip()
            page.locator("[data-kc=plan]").last.evaluate(
                "el => { el.open = true; el.closest('[data-kc=turn]').scrollIntoView(); }"
            )
            # The README's screenshots are refreshed on request only, so a test run leaves the tree as it was.
            shots = SCREENSHOTS if os.environ.get("KC_SERVE_SCREENSHOTS") else tmp_path
            shots.mkdir(exist_ok=True)
            page.screenshot(path=str(shots / "chat.png"))
            citation = page.locator("a[data-kc=citation]").first
            citation.click()
            page.wait_for_selector("[data-kc=cited]")
            page.screenshot(path=str(shots / "cited-lines.png"))
            watched.assert_local()
        finally:
            watched.context.close()
