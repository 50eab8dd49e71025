"""Code excerpts: the redacted text a parser saw and its symbols in, symbols with excerpts out.

Each symbol (not modules) gets its first ``max_lines`` lines, dedented; a class stops before its
first method or function, which have excerpts of their own. Lines are numbered as the parser
numbered them, so an excerpt starts exactly at the symbol.
"""

from __future__ import annotations

import re
from dataclasses import replace

from compiler.model import FileFacts, symbol_with

_WHITESPACE_ONLY = re.compile("^[ \t]+$", re.MULTILINE)  # textwrap's own pattern


def with_excerpts(facts: FileFacts, text: str, max_lines: int) -> FileFacts:
    """``facts`` with a short code excerpt on each symbol, cut from ``text`` (the redacted text the parser saw)."""
    if not facts.symbols:
        return facts
    lines = _source_lines(text, facts.language)
    children: dict[str, int] = {}
    for symbol in facts.symbols:
        if symbol.parent and symbol.kind in ("method", "function"):
            start = children.get(symbol.parent)
            children[symbol.parent] = symbol.lines[0] if start is None else min(start, symbol.lines[0])
    symbols = []
    for symbol in facts.symbols:
        if symbol.kind == "module":
            symbols.append(symbol)
            continue
        start, end = symbol.lines
        if symbol.id in children:  # a class: its header, docstring and fields, not its methods again
            end = min(end, children[symbol.id] - 1)
        end = min(end, start + max_lines - 1)
        excerpt = "\n".join(lines[start - 1 : end]).rstrip()
        symbols.append(symbol_with(symbol, excerpt=_dedent(excerpt)))
    return replace(facts, symbols=tuple(symbols))


def _source_lines(text: str, language: str) -> list[str]:
    """The lines as the parser numbered them: Python counts a lone CR as a line end, tree-sitter
    only LF, and neither a form feed or a Unicode line separator (which ``splitlines`` would)."""
    text = text.replace("\r\n", "\n")
    if language == "python":
        text = text.replace("\r", "\n")
    return text.split("\n")


def _dedent(code: str) -> str:
    """``textwrap.dedent(code)`` without its three regex passes per call (41k calls per 10% of a big tree).

    Same rules: lines of only blanks become empty and do not count; the margin is the longest
    run of spaces and tabs that starts every other line.
    """
    if code and code[0] not in " \t\n":  # text at column 0: no common margin
        return _WHITESPACE_ONLY.sub("", code) if "\n" in code else code
    if "\n" not in code:
        return code.lstrip(" \t")
    lines = code.split("\n")
    margin = None
    for line in lines:
        content = line.lstrip(" \t")
        if not content:
            continue
        indent = line[: len(line) - len(content)]
        if margin is None or margin.startswith(indent):
            margin = indent
        elif not indent.startswith(margin):
            common = 0
            while margin[common] == indent[common]:
                common += 1
            margin = margin[:common]
    if not margin:
        return _WHITESPACE_ONLY.sub("", code)
    cut = len(margin)
    return "\n".join([line[cut:] if line.lstrip(" \t") else "" for line in lines])
