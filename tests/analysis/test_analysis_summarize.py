"""LLM summaries behind ``complete(system, prompt)``, cached by prompt hash."""

from __future__ import annotations

from dataclasses import replace

from compiler.analysis import analyze
from compiler.analysis.summarize import concept_prompt, prompt_key, summarize_concepts
from compiler.errors import LLMError
from kctest.factkit import minihttp

NOTES = "## Retries\nid: retries\nfiles: minihttp/transport.py\n\nThe author's own words.\n"


class CountingSummarizer:
    """A fake provider: answers from the prompt's first line and counts its calls."""

    def __init__(self):
        self.calls = 0
        self.prompts: list[str] = []

    def complete(self, system: str, prompt: str) -> str:
        self.calls += 1
        self.prompts.append(prompt)
        title = prompt.splitlines()[0].removeprefix("Concept: ")
        return f"LLM summary of {title}.\n\nA second paragraph that is dropped."


class FailingSummarizer:
    def complete(self, system: str, prompt: str) -> str:
        raise LLMError("rate limited after 3 retries")


def test_summaries_are_cached_so_an_unchanged_concept_is_never_asked_twice():
    summarizer = CountingSummarizer()
    cache: dict[str, str] = {}
    first = analyze(minihttp(), notes_text=NOTES, summarizer=summarizer, summary_cache=cache)
    asked = summarizer.calls
    assert asked == len(first.concepts) - 1  # every concept but the author's
    assert len(cache) == asked
    second = analyze(minihttp(), notes_text=NOTES, summarizer=summarizer, summary_cache=cache)
    assert summarizer.calls == asked  # second run: zero calls
    assert second.concepts == first.concepts


def test_llm_summaries_replace_generated_ones_but_never_the_authors():
    analysis = analyze(minihttp(), notes_text=NOTES, summarizer=CountingSummarizer())
    concepts = {c.id: c for c in analysis.concepts}
    assert concepts["retries"].summary == "The author's own words."
    assert concepts["retries"].summary_source == "author"
    client = next(c for c in analysis.concepts if "minihttp.client.Client" in c.members)
    assert client.summary == f"LLM summary of {client.title}."
    assert client.summary_source == "llm"


def test_prompt_holds_member_signatures_and_docs_and_its_hash_is_the_key():
    analysis = analyze(minihttp())
    symbols = {s.id: s for s in analysis.symbols}
    transport = next(c for c in analysis.concepts if "minihttp.transport.Transport" in c.members)
    prompt = concept_prompt(transport, symbols)
    assert "minihttp.transport.Transport (class)" in prompt
    assert "signature: should_retry()" in prompt
    assert "doc: Sends a Request over a socket" in prompt
    changed = replace(transport, title="Renamed")
    assert prompt_key(concept_prompt(changed, symbols)) != prompt_key(prompt)


def test_a_failing_provider_keeps_the_compiled_summary():
    analysis = analyze(minihttp())
    symbols = {s.id: s for s in analysis.symbols}
    concepts, cache = summarize_concepts(analysis.concepts, symbols, FailingSummarizer(), {})
    assert concepts == analysis.concepts
    assert cache == {}


def test_cache_keeps_only_keys_in_use():
    analysis = analyze(minihttp())
    symbols = {s.id: s for s in analysis.symbols}
    stale = {"0" * 64: "an old summary of a concept that is gone"}
    _, cache = summarize_concepts(analysis.concepts, symbols, CountingSummarizer(), stale)
    assert "0" * 64 not in cache and len(cache) == len(analysis.concepts)
