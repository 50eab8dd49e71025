"""Optional LLM summaries of concepts, cached by the hash of the prompt.

A summarizer is any object with ``complete(system: str, prompt: str) -> str`` (the build
wires Anthropic or OpenAI behind it). The prompt holds only what the corpus holds anyway:
member signatures and docstrings, already redacted by the front end. An unchanged concept
gives an unchanged prompt, so its summary comes from the cache and is never asked twice.
Author summaries are never replaced.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Protocol

from compiler.errors import LLMError
from compiler.model import Concept, Symbol

SYSTEM_PROMPT = (
    "You explain codebases to newcomers. Given one concept of a codebase (a group of related "
    "definitions), write a summary of two or three plain sentences: what the concept is for and "
    "how its main pieces fit together. Name the key classes or functions. No lists, no headings, "
    "no speculation beyond the definitions given."
)
MAX_MEMBERS_IN_PROMPT = 12
MAX_DOC_CHARS = 400
MAX_SUMMARY_CHARS = 700


class Summarizer(Protocol):
    """The provider interface: one completion call."""

    def complete(self, system: str, prompt: str) -> str: ...


def concept_prompt(concept: Concept, symbols_by_id: dict[str, Symbol]) -> str:
    """The user prompt for one concept: title, files, and its top members' signatures and docs."""
    lines = [f"Concept: {concept.title}", f"Files: {', '.join(concept.files[:8])}", "", "Members:"]
    shown = 0
    for sid in concept.members:
        sym = symbols_by_id.get(sid)
        if sym is None or sym.kind == "module":
            continue
        lines.append(f"- {sym.id} ({sym.kind})")
        if sym.signature:
            lines.append(f"  signature: {sym.signature}")
        if sym.doc:
            doc = " ".join(sym.doc.split())
            lines.append(f"  doc: {doc[:MAX_DOC_CHARS]}")
        shown += 1
        if shown == MAX_MEMBERS_IN_PROMPT:
            break
    module_docs = [
        " ".join(symbols_by_id[sid].doc.split())[:MAX_DOC_CHARS]
        for sid in concept.members
        if sid in symbols_by_id and symbols_by_id[sid].kind == "module" and symbols_by_id[sid].doc
    ][:3]
    if module_docs:
        lines += ["", "Module docs:"] + [f"- {doc}" for doc in module_docs]
    if concept.summary and concept.summary_source != "generated":
        lines += ["", f"Current summary ({concept.summary_source}): {concept.summary}"]
    lines += ["", "Write the summary."]
    return "\n".join(lines)


def prompt_key(prompt: str) -> str:
    """The cache key: sha256 of the system prompt and the prompt."""
    return hashlib.sha256(f"{SYSTEM_PROMPT}\n\n{prompt}".encode()).hexdigest()


def summarize_concepts(
    concepts: tuple[Concept, ...] | list[Concept],
    symbols_by_id: dict[str, Symbol],
    summarizer: Summarizer,
    cache: dict[str, str],
) -> tuple[tuple[Concept, ...], dict[str, str]]:
    """LLM summaries for every concept without an author summary; returns the concepts and the new cache.

    A provider failure (``LLMError``) keeps the concept's current summary, so a build never
    fails because an LLM is down. The cache returned holds only the keys in use, so it does
    not grow with every edit.
    """
    new_cache: dict[str, str] = {}
    result: list[Concept] = []
    for concept in concepts:
        if concept.summary_source == "author":
            result.append(concept)
            continue
        prompt = concept_prompt(concept, symbols_by_id)
        key = prompt_key(prompt)
        summary = cache.get(key)
        if summary is None:
            try:
                summary = _clean(summarizer.complete(SYSTEM_PROMPT, prompt))
            except LLMError:
                result.append(concept)
                continue
        if not summary:
            result.append(concept)
            continue
        new_cache[key] = summary
        result.append(replace(concept, summary=summary, summary_source="llm"))
    return tuple(result), dict(sorted(new_cache.items()))


def _clean(text: str) -> str:
    """One paragraph, trimmed to a sane length."""
    paragraph = " ".join((text or "").strip().split("\n\n")[0].split())
    if len(paragraph) > MAX_SUMMARY_CHARS:
        paragraph = paragraph[: MAX_SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return paragraph
