"""Text helpers shared by the stages: sentences, paragraphs, plain text, slugs and identifier words.

In: docstrings, markdown or reStructuredText, identifiers. Out: strings (or word lists). One rule
each; where two consumers need different rules they are named variants (``first_sentence`` for
summaries, ``first_sentence_flat`` for the concept map's tooltips).
"""

from __future__ import annotations

import hashlib
import re

# The longest page name (in UTF-8 bytes) a corpus uses: file systems allow 255 bytes per name, and
# the name still needs its ``.md`` (and a site's ``/index.html`` sits in a folder of that name).
MAX_PAGE_NAME = 200


def slugify(text: str) -> str:
    """A page-safe id: lowercase ``[a-z0-9-]+``, shortened by ``page_name`` when too long."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return page_name(slug or "concept")


def page_name(name: str, limit: int = MAX_PAGE_NAME) -> str:
    """``name`` when it fits in ``limit`` UTF-8 bytes; else its start and a stable hash of the whole name,
    so two long names that share a start stay apart and a rebuild gives the same name."""
    encoded = name.encode("utf-8", "surrogateescape")
    if len(encoded) <= limit:
        return name
    digest = hashlib.sha256(encoded).hexdigest()[:12]
    head = encoded[: limit - len(digest) - 1].decode("utf-8", "ignore").rstrip("-.")
    return f"{head}-{digest}"


def first_paragraph(markdown: str) -> str:
    """The first prose paragraph of ``markdown``, joined onto one line."""
    paragraph: list[str] = []
    in_fence = False
    lines = markdown.splitlines()
    for number, line in enumerate(lines):
        stripped = line.strip()
        following = lines[number + 1].strip() if number + 1 < len(lines) else ""
        if not paragraph and stripped and re.fullmatch(r"([=~\-^*#+])\1{2,}", following):
            continue  # an RST title; its underline is skipped below
        if re.fullmatch(r"([=~\-^*#+])\1{2,}", stripped):
            if paragraph:
                break
            continue
        if stripped.startswith(("```", "~~~")):
            in_fence = not in_fence
            if paragraph:
                break
            continue
        if in_fence:
            continue
        if not stripped:
            if paragraph:
                break
            continue
        if stripped.startswith(("#", "<", "![", "[![", "|", "---", "===", "..")) and not paragraph:
            continue
        paragraph.append(stripped)
    return " ".join(paragraph)


def plain_text(markdown: str) -> str:
    """Markdown prose with images dropped, links reduced to their text, bold unmarked."""
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", markdown)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]+)\]\[[^\]]*\]", r"\1", text)
    text = re.sub(r"(?<![\w`])\[([^\]]+)\](?![(:\[])", r"\1", text)
    text = re.sub(r"(\*\*|__)(\S(?:.*?\S)?)\1", r"\2", text)  # **bold** -> bold
    return re.sub(r"[ \t]+", " ", text).strip()


SUMMARY_CHARS = 300


def first_sentence(text: str, limit: int = SUMMARY_CHARS) -> str:
    """The first sentence of a docstring's first paragraph (up to ``limit`` characters)."""
    paragraph = first_paragraph(text)
    if not paragraph:
        return ""
    match = re.search(r"(?<!\be\.g)(?<!\bi\.e)(?<!\betc)[.!?](\s|$)", paragraph)
    sentence = paragraph[: match.end()].strip() if match else paragraph
    if len(sentence) > limit:
        sentence = sentence[: limit - 1].rsplit(" ", 1)[0] + "…"
    return sentence


def plain_rst(text: str) -> str:
    """Sphinx roles and RST literals to markdown: ``:class:`~a.B``` -> `B`, ````x```` -> `x`."""

    def role(match: re.Match) -> str:
        target = match.group(1).strip()
        target = re.sub(r"^.*<([^>]+)>$", r"\1", target) if "<" in target else target
        if target.startswith("~"):
            target = target[1:].rsplit(".", 1)[-1]
        return f"`{target}`"

    text = re.sub(r":[\w:.-]+:`([^`]+)`", role, text)
    return re.sub(r"``([^`]+)``", r"`\1`", text)


def split_words(name: str) -> list[str]:
    """``HTTPTransport`` -> [http, transport]; ``status_codes`` -> [status, codes]."""
    text = name
    if not name.islower():  # no capital letter, no camel-case boundary to mark (the common snake_case name)
        text = _ACRONYM_WORD.sub(r"\1 \2", text)
        text = _CAMEL_BOUNDARY.sub(r"\1 \2", text)
    if name.isidentifier():  # no separator but "_" (and the spaces just put in): str.split will do
        return [w.lower() for w in text.replace(" ", "_").split("_") if w]
    return [w.lower() for w in _WORD_SEPARATORS.split(text) if w]


_ACRONYM_WORD = re.compile(r"([A-Z]+)([A-Z][a-z])")


_CAMEL_BOUNDARY = re.compile(r"([a-z0-9])([A-Z])")


_WORD_SEPARATORS = re.compile(r"[\s_\-.]+")


def first_sentence_flat(text: str) -> str:
    """The text up to its first ". " on one line, at most 200 characters (the concept map's tooltips)."""
    flat = " ".join(text.split())
    end = flat.find(". ")
    sentence = flat if end < 0 else flat[: end + 1]
    return sentence if len(sentence) <= 200 else sentence[:199].rstrip() + "…"


def first_sentence_page(text: str, limit: int = 200) -> str:
    """The first sentence (or line) of a docstring, trimmed to ``limit`` characters (corpus pages and llms.txt)."""
    text = " ".join(text.strip().split("\n\n", 1)[0].split())
    # A sentence ends at . ! ? before a capital, a quote or the end, and not after e.g./i.e./etc.
    match = re.match(r"(.+?(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)[.!?])(\s+(?=[A-Z`\"'(*_\[])|$)", text)
    sentence = match.group(1) if match else text
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"
