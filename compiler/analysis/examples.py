"""Worked examples: real code from the repository that calls a symbol the way a user would.

In: an opened corpus (core.json: README/docs sections, symbols with their docstrings and
excerpts) and a symbol. Out: ``Example`` records, best first: the lines of a README or docs code
block, a docstring example (``>>>``, ``.. code-block::``, ``@example``), or a test or example
file that call the symbol, each with the exact file lines it came from, so a tutor answer, the
site or ``get_symbol`` can cite it. Computed at read time from what the corpus already holds;
nothing here changes the build.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_DEFINES = re.compile(
    r"(^\s*|[\s`(])(async\s+def|def|function|class|func|export\s+function|interface|type)\s+[\w$.]+\s*[(:{<]"
)
_TEST_OR_EXAMPLE = re.compile(
    r"(^|/)(tests?|testing|examples?|docs?|__tests__|spec)/|(^|/)test_[^/]*$|_test\.\w+$|\.(test|spec)\.\w+$"
)
ORIGIN_RANK = {"docs": 0, "docstring": 1, "example": 2, "test": 3}


@dataclass(frozen=True)
class Example:
    """A few lines of real code that use ``symbol``; ``call`` is the line that calls it."""

    symbol: str  # id of the symbol it shows
    path: str
    lines: tuple[int, int]  # exact file lines of ``code``
    code: str
    call: str  # the calling line, stripped: what the user writes
    origin: str  # docs | docstring | example | test
    language: str = ""


def call_pattern(symbol: Any) -> re.Pattern[str] | None:
    """How a use of ``symbol`` looks in code: ``x.name(`` / ``name(`` / ``@x.name(``, or ``.name`` for values."""
    name = re.escape(symbol.name)
    if not re.match(r"^[A-Za-z_$][\w$]*$", symbol.name) or symbol.name.startswith("__"):
        return None
    if symbol.kind in {"function", "method", "class"}:
        return re.compile(rf"(?<![\w$]){name}\s*\(|\.{name}\s*\(")
    if symbol.kind == "variable" or "property" in " ".join(getattr(symbol, "decorators", ())):
        return re.compile(rf"[\w)\]]\.{name}\b|(?<![\w.$]){name}\.\w|(?<![\w.$]){name}\[")
    return None


def _blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    """(offset of the first code line, code lines) of each fenced block in markdown text."""
    lines = text.split("\n")
    inside, start, fence = False, 0, ""
    for number, line in enumerate(lines):
        match = _FENCE.match(line)
        if not inside and match:
            inside, start, fence = True, number + 1, match.group(1)
        elif inside and line.strip().startswith(fence[:3]) and line.strip().strip(fence[0]) == "":
            inside = False
            yield start, lines[start:number]


def _window(lines: list[str], hit: int, before: int = 3, after: int = 3) -> tuple[int, int]:
    """The lines around ``hit`` worth showing: a little set-up before, the call and what follows."""
    first = max(0, hit - before)
    last = min(len(lines) - 1, hit + after)
    while first < hit and not lines[first].strip():
        first += 1
    while last > hit and not lines[last].strip():
        last -= 1
    return first, last


def _doc_examples(corpus: Any, pattern: re.Pattern[str], symbol: Any) -> Iterator[Example]:
    for section in corpus.core.sections:
        text = section.text.rstrip("\n")
        # The stored text ends where the section ends; count back to the file line of its first line.
        origin_line = section.lines[1] - text.count("\n")
        if origin_line <= section.lines[0]:
            continue
        for offset, block in _blocks(text):
            for number, line in enumerate(block):
                prose_like = line.lstrip().startswith(("- ", "* ")) or "`" in line  # a list of signatures, not code
                if pattern.search(line) and not _DEFINES.search(line) and not prose_like:
                    first, last = _window(block, number)
                    start = origin_line + offset + first
                    yield Example(
                        symbol.id,
                        section.path,
                        (start, start + last - first),
                        "\n".join(block[first : last + 1]),
                        line.strip(),
                        "docs",
                    )
                    break


def _code_examples(corpus: Any, pattern: re.Pattern[str], symbol: Any) -> Iterator[Example]:
    """Docstring examples of any symbol, and tests or example files whose code calls ``symbol``."""
    for other in corpus.core.symbols:
        if other.id == symbol.id or not other.excerpt or other.kind == "module":
            continue
        is_user_code = bool(_TEST_OR_EXAMPLE.search(other.path))
        if not is_user_code and symbol.name not in (other.doc or ""):
            continue
        lines = other.excerpt.rstrip("\n").split("\n")
        in_doc = False
        for number, line in enumerate(lines):
            stripped = line.strip()
            doc_example = stripped.startswith((">>>", "* @example"))
            if stripped.startswith(('"""', "'''")):
                in_doc = not (len(stripped) > 3 and stripped.endswith(stripped[:3])) and not in_doc
            if number == 0 or not pattern.search(line) or _DEFINES.search(line):
                continue
            if in_doc and not doc_example and not is_user_code:
                continue
            if not in_doc and not is_user_code:
                continue  # library code calling its own helper is not an example for a user
            first, last = _window(lines, number, 2, 2)
            start = other.lines[0] + first
            origin = "docstring" if in_doc else ("test" if "test" in other.path.lower() else "example")
            call = stripped[3:].strip() if stripped.startswith(">>>") else stripped
            yield Example(
                symbol.id, other.path, (start, start + last - first), "\n".join(lines[first : last + 1]), call, origin
            )
            break


def _receiver_rank(example: Example, symbol: Any) -> int:
    """0: called on something named like its class or module (``response.raise_for_status()``); 1: a bare
    call or another name; 2: called on an expression result (``x().get(``), most likely another API."""
    match = re.search(rf"(\S)?\.\s*{re.escape(symbol.name)}\b", example.call)
    if match is None:
        return 1
    before = example.call[: match.start() + 1]
    word = re.search(r"([A-Za-z_$][\w$]*)$", before)
    if word is None:
        return 2
    receiver = word.group(1).lower()
    owners = {part.lower() for part in re.split(r"[./]", symbol.id)[:-1] if part}
    return 0 if any(receiver in owner or owner in receiver for owner in owners if len(owner) > 1) else 1


def examples_for(corpus: Any, symbol: Any, limit: int = 3) -> list[Example]:
    """Real uses of ``symbol``, best first: docs, then docstrings, example files, then tests."""
    pattern = call_pattern(symbol)
    if pattern is None:
        return []
    found: list[Example] = []
    for example in (*_doc_examples(corpus, pattern, symbol), *_code_examples(corpus, pattern, symbol)):
        info = corpus.files.get(example.path)
        if info is None or example.lines[1] > info.lines:
            continue
        found.append(Example(**{**example.__dict__, "language": info.language}))
    found.sort(
        key=lambda e: (_receiver_rank(e, symbol) == 2, ORIGIN_RANK[e.origin], _receiver_rank(e, symbol), len(e.code))
    )
    return found[:limit]
