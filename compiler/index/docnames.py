"""Which code a README or docs section names, so the section can vouch for that code.

In: a corpus (its symbols and its docs sections) and the search chunks. Out: for each docs chunk's
row, the ids of the symbols its section names, in the order the section first names them.

A docs section is prose about the code, written in the words a user asks in ("load templates
from a folder"), while the code it is about is named in identifiers (``FileSystemLoader``).
The search lets a section that matches the question lend its score to the code it names, rather
than let the section compete with that code as an answer of its own.

A name counts when the section marks it as code: an rst role (``:class:`~loaders.PackageLoader```),
an rst object directive (``.. autoclass:: Environment``), or an inline code span (```res.send()```).
It resolves to the symbols whose id ends with its dotted parts (``loaders.PackageLoader`` is
``jinja2.loaders.PackageLoader``); a bare name only when at most ``BARE_NAME_LIMIT`` definitions
bear it (``render`` on nine classes names none of them).
"""

from __future__ import annotations

import re
from collections import defaultdict

from compiler.index.question import aside_code

BARE_NAME_LIMIT = 2
NAMES_PER_SECTION = 24  # a section naming more is a listing (an API index), not about any one of them

_ROLE = re.compile(r":[\w:.-]+:`~?!?([^`<]+?)\s*(?:<~?([^>`]+)>)?`")
_DIRECTIVE = re.compile(
    r"^\s*\.\.\s+(?:auto)?(?:\w+:)?(?:class|function|method|attribute|data|exception)::\s*(\S+)", re.M
)
_SPAN = re.compile(r"``([^`\n]+)``|`([^`\n]+)`")
_NAME = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$")


def mentions(text: str) -> list[str]:
    """The dotted names ``text`` marks as code, first mention first."""
    found: list[tuple[int, str]] = []
    for match in _ROLE.finditer(text):
        found.append((match.start(), match.group(2) or match.group(1)))
    for match in _DIRECTIVE.finditer(text):
        found.append((match.start(), match.group(1)))
    roles = [(m.start(), m.end()) for m in _ROLE.finditer(text)]
    for match in _SPAN.finditer(text):
        if any(start <= match.start() < end for start, end in roles):
            continue
        found.append((match.start(), match.group(1) or match.group(2)))
    names = []
    for _, raw in sorted(found):
        name = raw.strip().split("(", 1)[0].strip().rstrip(".")
        if _NAME.match(name) and name not in names:
            names.append(name)
    return names


class NameIndex:
    """Resolves a dotted name to the symbols whose id ends with its parts."""

    def __init__(self, symbols):
        self._by_suffix: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for symbol in symbols:
            if symbol.kind == "module" or aside_code(symbol.path):
                continue
            parts = tuple(symbol.id.split("."))
            for size in range(1, min(3, len(parts)) + 1):
                self._by_suffix[parts[-size:]].append(symbol.id)

    def resolve(self, name: str) -> list[str]:
        parts = tuple(p for p in name.split(".") if p)
        for size in range(min(3, len(parts)), 0, -1):
            found = self._by_suffix.get(parts[-size:], [])
            if found and (size > 1 or len(found) <= BARE_NAME_LIMIT):
                return found
            if found:
                return []  # a bare name many definitions bear: it names none of them
        return []


def doc_names(corpus, chunks) -> dict[int, tuple[str, ...]]:
    """Row of each docs chunk -> the symbol ids its section names (see module doc)."""
    sections = getattr(corpus.core, "sections", ())
    if not sections or not any(c.kind == "doc" for c in chunks):
        return {}
    index = NameIndex(corpus.core.symbols)
    by_place = {(s.path, tuple(s.lines) if s.lines else None, s.title): s for s in sections}
    named: dict[int, tuple[str, ...]] = {}
    for row, chunk in enumerate(chunks):
        if chunk.kind != "doc":
            continue
        section = by_place.get((chunk.path, tuple(chunk.lines) if chunk.lines else None, chunk.title))
        if section is None:
            continue
        ids: list[str] = []
        for name in mentions(section.text):
            if name.rsplit(".", 1)[-1] not in chunk.text:
                continue  # a long section is cut into windows: each names what it mentions itself
            for symbol_id in index.resolve(name):
                if symbol_id not in ids:
                    ids.append(symbol_id)
        if 0 < len(ids) <= NAMES_PER_SECTION:
            named[row] = tuple(ids)
    return named
