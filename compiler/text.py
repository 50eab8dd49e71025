"""Text helpers shared by the stages: sentences, paragraphs, plain text, slugs, identifier words and
variant spellings of one call (``Info``/``Infof``/``Infoln``).

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


def heading_anchor(title: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens."""
    return _NOT_IN_ANCHOR.sub("", title.strip().lower()).replace(" ", "-")


_NOT_IN_ANCHOR = re.compile(r"[^\w\- ]")


def plain_prose(markdown: str) -> str:
    """Markdown prose without fences, link targets and emphasis: what a reader reads (search chunks)."""
    out, in_fence = [], False
    for line in markdown.splitlines():
        if _FENCE.match(line.strip()):
            in_fence = not in_fence
            continue
        if not in_fence:
            out.append(line)
    text = _LINK.sub(r"\1", "\n".join(out))
    return re.sub(r"[*_`>#]+", "", text).strip()


_FENCE = re.compile(r"^(```|~~~)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def identifier_words(identifier: str) -> str:
    """``Transport.should_retry`` -> ``transport should retry`` (what a reader would say)."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", identifier))
    return re.sub(r"[\W_]+", " ", words).strip().lower()


def first_sentence_snippet(text: str, limit: int | None = None) -> str:
    """Up to the first . ! ? followed by a space or the end, on one line (search snippets, quiz choices)."""
    text = " ".join(text.split())
    match = re.search(r"(.+?[.!?])(\s|$)", text)
    sentence = match.group(1) if match else text
    return sentence if limit is None or len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, marked when cut."""
    text = text or ""
    if len(text) <= limit:
        return text
    return text[:limit].rstrip() + " …[truncated]"


def first_sentence_clipped(text: str, limit: int = 220) -> str:
    """The first sentence of ``text`` (or its first ``limit`` characters, marked when cut): MCP answers."""
    text = " ".join((text or "").split())
    for match in _SENTENCE_END.finditer(text):
        if not text[: match.start() + 1].lower().endswith(_ABBREVIATIONS):
            return clip(text[: match.start() + 1], limit)
    return clip(text, limit)


_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-Z0-9`\"'(\[*])")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "cf.")


def first_paragraph_clipped(text: str, limit: int = 600) -> str:
    """The first paragraph of ``text`` (split at the first blank line), on one line, clipped: MCP answers."""
    para = re.split(r"\n\s*\n", (text or "").strip(), maxsplit=1)[0]
    return clip(" ".join(para.split()), limit)


def first_block(text: str) -> str:
    """``text`` up to its first blank line, as written (reference pages quote it verbatim)."""
    return text.strip().split("\n\n", 1)[0].strip()


VARIANT_SUFFIXES = ("Fn", "ln", "f")  # Printf, Println, PrintFn: one call in three spellings


def variant_stems(names: set[str]) -> dict[str, tuple[str, frozenset[str]]]:
    """Method name -> (its stem, the stem's suffix variants present), for methods that come in two or more
    spellings of one stem (``Info``, ``Infof``, ``Infoln``; ``Logf``, ``Logln``)."""
    variants: dict[str, set[str]] = {}
    for name in names:
        for suffix in VARIANT_SUFFIXES:
            stem = name[: -len(suffix)]
            if name.endswith(suffix) and len(stem) >= 3 and stem[-1].isalpha():
                variants.setdefault(stem, set()).add(suffix)
                break
    found: dict[str, tuple[str, frozenset[str]]] = {}
    for stem, suffixes in variants.items():
        shape = frozenset(suffixes | ({""} if stem in names else set()))
        if len(shape) >= 2:
            for suffix in shape:
                found[stem + suffix] = (stem, shape)
    return found
