"""reStructuredText front end: ``docs/*.rst`` and other ``.rst`` files as a list of sections.

In: the (redacted) text of one ``.rst`` file. Out: ``FileFacts`` whose ``sections`` run from one
heading to the next, like the markdown front end's (``markdown.py``), so search, the concept map
(docs mentions: ``.. autoclass::``, ``:func:`` references) and the site read both alike.

A heading is a line of text underlined (and optionally overlined) by one punctuation character
repeated at least as long as the text; its level is the order in which its style (character,
overlined or not) first appears in the file, as docutils decides. Text before the first heading
becomes a level-0 section titled after the file. Literal blocks (after ``::``) hold no headings.
"""

from __future__ import annotations

import re

from compiler.frontend.markdown import sections_from_headings
from compiler.model import FileFacts, Section, SourceFile

__all__ = ["parse_rst", "sections"]

_ADORNMENT = re.compile(r"^([=\-~^\"'`*+#:.<>_])\1{2,}\s*$")


def parse_rst(source: SourceFile, text: str) -> FileFacts:
    """Facts of a reStructuredText file: its sections (the language stays what the scan said)."""
    return FileFacts(
        path=source.path,
        language=source.language,
        module="",
        lines=text.count("\n") + (0 if text.endswith("\n") or not text else 1),
        sha256=source.sha256,
        sections=tuple(sections(source.path, text)),
    )


def _headings(lines: list[str]) -> list[tuple[int, int, int, str]]:
    """(first line, last line, level, title) of each heading, 0-based."""
    styles: dict[tuple[str, bool], int] = {}
    found: list[tuple[int, int, int, str]] = []
    literal_indent: int | None = None  # inside a literal block: lines indented deeper than this
    i = 0
    while i < len(lines) - 1:
        line = lines[i]
        stripped = line.strip()
        if literal_indent is not None:
            if stripped and len(line) - len(line.lstrip()) <= literal_indent:
                literal_indent = None
            else:
                i += 1
                continue
        if stripped.endswith("::"):
            literal_indent = len(line) - len(line.lstrip())
            i += 1
            continue
        over = bool(_ADORNMENT.match(line))
        title_at = i + 1 if over else i
        if title_at + 1 >= len(lines):
            break
        title = lines[title_at].strip()
        under = lines[title_at + 1]
        if (
            title
            and not _ADORNMENT.match(lines[title_at])
            and not lines[title_at].startswith((" ", "\t"))
            and _ADORNMENT.match(under)
            and len(under.rstrip()) >= len(title)
            and (not over or line.strip()[0] == under.strip()[0])
        ):
            style = (under.strip()[0], over)
            level = styles.setdefault(style, len(styles) + 1)
            found.append((i, title_at + 1, level, title))
            i = title_at + 2
            continue
        i += 1
    return found


def sections(path: str, text: str) -> list[Section]:
    """The sections of a reStructuredText document, in order, with 1-based inclusive line ranges."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    headings = _headings(lines)
    return sections_from_headings(path, lines, headings)
