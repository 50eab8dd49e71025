"""Markdown front end: README, docs/ and other ``.md`` files as a list of sections.

A section runs from its heading to the next heading of any level, so sections never
overlap and each line of prose belongs to exactly one (what a search chunker wants).
Text before the first heading becomes a level-0 section titled after the file. YAML
front matter is not content and is skipped. Headings inside code blocks are not headings
(markdown-it-py knows).
"""

from __future__ import annotations

import re

from compiler.model import FileFacts, Section, SourceFile
from compiler.text import heading_anchor

__all__ = ["parse_markdown", "sections"]

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_NOT_IN_SLUG = re.compile(r"[^\w\- ]")


def parse_markdown(source: SourceFile, text: str) -> FileFacts:
    """Facts of a markdown file: its sections."""
    return FileFacts(
        path=source.path,
        language="markdown",
        module="",
        lines=text.count("\n") + (0 if text.endswith("\n") or not text else 1),
        sha256=source.sha256,
        sections=tuple(sections(source.path, text)),
    )


def sections(path: str, text: str) -> list[Section]:
    """The sections of a markdown document, in order, with 1-based inclusive line ranges."""
    from markdown_it import MarkdownIt

    front = _FRONT_MATTER.match(text)
    if front:
        # Blank the front matter out rather than cutting it, so line numbers stay true.
        text = "\n" * front.group(0).count("\n") + text[front.end() :]
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    tokens = MarkdownIt("commonmark").parse(text)
    headings: list[tuple[int, int, int, str]] = []  # first line, last line (0-based), level, title
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.map:
            title = _plain_text(tokens[index + 1]) if index + 1 < len(tokens) else ""
            headings.append((token.map[0], token.map[1] - 1, int(token.tag[1:]), title))
    return sections_from_headings(path, lines, headings)


def _span(lines: list[str], start: int, end: int) -> tuple[int, int]:
    """1-based inclusive range from 0-based indexes, with trailing blank lines trimmed."""
    while end > start and not lines[end].strip():
        end -= 1
    return start + 1, end + 1


def _plain_text(inline) -> str:
    """A heading's text without markup: ``Using `Client` **now**`` -> ``Using Client now``."""
    if not inline.children:
        return inline.content.strip()
    parts = []
    for child in inline.children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "image":
            parts.append(child.content or "")
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts).strip()


def sections_from_headings(path: str, lines: list[str], headings: list[tuple[int, int, int, str]]) -> list[Section]:
    """Sections from a document's lines and its headings (first line, last line (0-based), level, title):
    the text before the first heading as a level-0 section named after the file, then one per heading
    up to the next one, with a unique anchor each. Markdown and reStructuredText share this rule."""
    found: list[Section] = []
    used_anchors: dict[str, int] = {}
    first_heading = headings[0][0] if headings else len(lines)
    preamble = "\n".join(lines[:first_heading]).strip()
    if preamble:
        stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        first_text = next(i for i, line in enumerate(lines) if line.strip())
        found.append(Section(path, stem, 0, _span(lines, first_text, first_heading - 1), preamble, ""))
    for position, (start, heading_end, level, title) in enumerate(headings):
        end = headings[position + 1][0] - 1 if position + 1 < len(headings) else len(lines) - 1
        body = "\n".join(lines[heading_end + 1 : end + 1]).strip()
        anchor = heading_anchor(title)
        if anchor in used_anchors:
            used_anchors[anchor] += 1
            anchor = f"{anchor}-{used_anchors[anchor]}"
        else:
            used_anchors[anchor] = 0
        found.append(Section(path, title, level, _span(lines, start, max(start, end)), body, anchor))
    return found
