"""Where the project's own docs first mention each concept: the order its docs teach them in.

In: the docs sections (README first, then the other markdown pages by path; changelogs and licences
skipped), the symbols and which concept each belongs to. Out: concept id -> position of the first
mention (a running count of the identifiers read), for concepts the docs mention at all.

A mention is the name of a public class, function or method that only one concept defines (or\nonly one defines at module level), written
as code (in a fence, in backticks, called ``name(``, or reached as ``.name``) or, for a capitalised
name such as ``Flask`` or ``Client``, anywhere in the prose.
"""

from __future__ import annotations

import re

from compiler.model import Section, Symbol
from compiler.roles import file_role

_KINDS = frozenset({"class", "function", "method", "interface", "type"})
_FENCE = re.compile(r"^\s*(```|~~~)")
_TOKEN = re.compile(r"(`[^`\n]+`)|([A-Za-z_][A-Za-z0-9_]*)(\s*\()?")
_NOT_DOCS = ("changelog", "changes", "history", "news", "contributing", "license", "licence", "code_of_conduct",
             "security", "authors", "concepts")  # fmt: skip


def _names(symbols: dict[str, Symbol], membership: dict[str, str]) -> dict[str, str]:
    """A name -> the one concept whose public definitions use it (names shared by concepts are left out)."""
    owners: dict[str, set[str]] = {}
    top_owners: dict[str, set[str]] = {}  # defined at module level (``httpx.get`` is the function, not Client.get)
    for sid, sym in symbols.items():
        concept = membership.get(sid)
        if concept is None or sym.kind not in _KINDS or not sym.public or sym.name.startswith("_"):
            continue
        if len(sym.name) < 3 or file_role(sym.path) != "code":
            continue
        owners.setdefault(sym.name, set()).add(concept)
        parent = symbols.get(sym.parent) if sym.parent else None
        if sym.kind != "method" and (parent is None or parent.kind == "module"):
            top_owners.setdefault(sym.name, set()).add(concept)
    chosen = {}
    for name, found in owners.items():
        top = top_owners.get(name, set())
        if len(found) == 1 or len(top) == 1:
            chosen[name] = next(iter(found if len(found) == 1 else top))
    return chosen


def _is_docs(path: str) -> bool:
    stem = path.rsplit("/", 1)[-1].lower().replace("-", "_")
    return path.lower().endswith((".md", ".markdown", ".rst", ".txt")) and not stem.startswith(_NOT_DOCS)


def first_mentions(sections: list[Section], symbols: dict[str, Symbol], membership: dict[str, str]) -> dict[str, int]:
    """Concept id -> the position of its first mention in the docs (see the module docstring)."""
    names = _names(symbols, membership)
    if not names:
        return {}
    readme_first = sorted(
        (s for s in sections if _is_docs(s.path) and file_role(s.path) in ("code", "docs")),
        key=lambda s: (not s.path.rsplit("/", 1)[-1].lower().startswith("readme"), s.path.count("/"), s.path,
                       tuple(s.lines)),
    )  # fmt: skip
    found: dict[str, int] = {}
    position = 0
    for section in readme_first:
        in_fence = False
        for line in section.text.splitlines():
            if _FENCE.match(line):
                in_fence = not in_fence
                continue
            for match in _TOKEN.finditer(line):
                position += 1
                spans = [match.group(1)[1:-1]] if match.group(1) else [match.group(2)]
                for text in spans:
                    for word in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text):
                        concept = names.get(word)
                        if concept is None or concept in found:
                            continue
                        as_code = in_fence or bool(match.group(1)) or bool(match.group(3))
                        dotted = match.start() > 0 and line[match.start() - 1] == "."
                        if as_code or dotted or word[0].isupper():
                            found[concept] = position
    return found
