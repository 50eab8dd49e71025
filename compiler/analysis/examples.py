"""Worked examples: real code from the repository that calls a symbol the way a user would.

In: an opened corpus (core.json: README/docs sections, symbols with their docstrings and
excerpts) and a symbol. Out: ``Example`` records, best first: the lines of a README or docs code
block, a docstring example (``>>>``, ``.. code-block::``, ``@example``), or a test or example
file that call the symbol, each with the exact file lines it came from, so a tutor answer, the
site or ``get_symbol`` can cite it. Also what user code calls and reads, counted by receiver
(``user_calls``, ``user_reads``): which API a user holds and calls, for ranking and for choosing the
receiver an example shows. Computed at read time from what the corpus already holds; nothing here
changes the build.
"""

from __future__ import annotations

import re
from collections import Counter
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
    is_property = "property" in " ".join(getattr(symbol, "decorators", ()) or ())
    if symbol.kind in {"function", "method", "class"} and not is_property:
        return re.compile(rf"(?<![\w$]){name}\s*\(|\.{name}\s*\(")
    if symbol.kind == "variable" or is_property:
        return re.compile(rf"[\w)\]]\.{name}\b|(?<![\w.$]){name}\.\w|(?<![\w.$]){name}\[")
    return None


_RST_DIRECTIVE = re.compile(r"^\s*\.\.\s+([\w-]+)::")
_RST_CODE = {"code-block", "code", "sourcecode", "doctest"}


def code_blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    """(offset of the first code line, code lines) of each code block in markdown (fenced) or
    reStructuredText (``.. code-block::`` and ``::`` literal blocks) text."""
    lines = text.split("\n")
    inside, start, fence = False, 0, ""
    number = 0
    while number < len(lines):
        line = lines[number]
        match = _FENCE.match(line)
        if not inside and match:
            inside, start, fence = True, number + 1, match.group(1)
        elif inside and line.strip().startswith(fence[:3]) and line.strip().strip(fence[0]) == "":
            inside = False
            yield start, lines[start:number]
        elif not inside and _rst_opens(line):
            found = _rst_block(lines, number)
            if found is not None:
                yield found
                number = found[0] + len(found[1]) - 1
        number += 1


def _rst_opens(line: str) -> bool:
    """A line that opens a reStructuredText code block: a code directive, or a paragraph ending in ``::``."""
    directive = _RST_DIRECTIVE.match(line)
    if directive:
        return directive.group(1) in _RST_CODE
    return line.rstrip().endswith("::")


def _rst_block(lines: list[str], opener: int) -> tuple[int, list[str]] | None:
    """The indented block under ``lines[opener]`` (options and blank lines before it skipped)."""
    indent = len(lines[opener]) - len(lines[opener].lstrip())
    number = opener + 1
    while number < len(lines) and (not lines[number].strip() or lines[number].strip().startswith(":")):
        if lines[number].strip() and len(lines[number]) - len(lines[number].lstrip()) <= indent:
            return None  # a field list at the directive's own level, not options
        number += 1
    first = number
    while number < len(lines) and (
        not lines[number].strip() or len(lines[number]) - len(lines[number].lstrip()) > indent
    ):
        number += 1
    while number > first and not lines[number - 1].strip():
        number -= 1
    return (first, lines[first:number]) if number > first else None


def _window(lines: list[str], hit: int, before: int = 3, after: int = 3) -> tuple[int, int]:
    """The lines around ``hit`` worth showing: a little set-up before, the call and what follows."""
    first = max(0, hit - before)
    last = min(len(lines) - 1, hit + after)
    # Never from blank lines or the tail of an earlier statement (``});``, ``}``): the set-up starts a statement.
    while first < hit and not lines[first].strip(" \t)]};,"):
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
        for offset, block in code_blocks(text):
            for number, line in enumerate(block):
                prose_like = line.lstrip().startswith(("- ", "* ")) or "`" in line  # a list of signatures, not code
                # A template or a shell line shows markup or a command, not the call a program makes.
                prose_like = prose_like or line.lstrip().startswith(("<", "{%", "{{", "$ ")) or "{{" in line
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


def _lines_in_docstrings(lines: list[str]) -> Iterator[tuple[int, str, bool]]:
    """(number, line, whether it is a line of a Python docstring, its opening and closing lines included)."""
    quote = ""
    for number, line in enumerate(lines):
        stripped = line.strip()
        if not quote and stripped.startswith(('"""', "'''")):
            one_line = len(stripped) > 3 and stripped.endswith(stripped[:3])
            quote = "" if one_line else stripped[:3]
            yield number, line, True
        elif quote:
            if stripped.endswith(quote):
                quote = ""
            yield number, line, True
        else:
            yield number, line, False


def _code_examples(corpus: Any, pattern: re.Pattern[str], symbol: Any) -> Iterator[Example]:
    """Docstring examples of any symbol, and tests or example files whose code calls ``symbol``."""
    for other in corpus.core.symbols:
        if other.id == symbol.id or not other.excerpt or other.kind == "module":
            continue
        is_user_code = bool(_TEST_OR_EXAMPLE.search(other.path))
        if not is_user_code and symbol.name not in (other.doc or ""):
            continue
        lines = other.excerpt.rstrip("\n").split("\n")
        for number, line, doc_line in _lines_in_docstrings(lines):
            stripped = line.strip()
            doc_example = stripped.startswith((">>>", "* @example"))
            if number == 0 or not pattern.search(line) or _DEFINES.search(line):
                continue
            if doc_line and not doc_example:
                continue  # prose that names the call, not code that makes it
            if not doc_line and not is_user_code:
                continue  # library code calling its own helper is not an example for a user
            first, last = _window(lines, number, 2, 2)
            start = other.lines[0] + first
            origin = "docstring" if doc_line else ("test" if "test" in other.path.lower() else "example")
            call = stripped[3:].strip() if stripped.startswith(">>>") else stripped
            yield Example(
                symbol.id, other.path, (start, start + last - first), "\n".join(lines[first : last + 1]), call, origin
            )
            break


_CALL = re.compile(r"(?<![\w$])(?:([A-Za-z_$][\w$]*)\s*\.\s*)?([A-Za-z_$][\w$]*)\s*\(")
_READ = re.compile(r"(?<![\w$.])([A-Za-z_$][\w$]*)\.([A-Za-z_$][\w$]*)\b(?![\w$]|\s*\()")
_CALLS_CACHE: dict[int, tuple[Any, tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]]] = {}
_SUBCLASS_CACHE: dict[int, tuple[Any, dict[str, set[str]]]] = {}


def _user_lines(corpus: Any) -> Iterator[str]:
    """Lines a user of the code wrote: README/docs code blocks, docstring examples, tests and example files."""
    for section in corpus.core.sections:
        for _, block in code_blocks(section.text):
            yield from block
    for symbol in corpus.core.symbols:
        if symbol.kind == "module" or not symbol.excerpt:
            continue
        if _TEST_OR_EXAMPLE.search(symbol.path):
            lines = symbol.excerpt.split("\n")
            # The first line defines the test, it calls nothing; a docstring is prose, not calls.
            yield from (line for number, line, doc in _lines_in_docstrings(lines) if number and not doc)
        elif ">>>" in (symbol.doc or ""):
            yield from (line.strip()[3:] for line in symbol.doc.split("\n") if line.strip().startswith(">>>"))


def user_calls(corpus: Any) -> Counter[tuple[str, str]]:
    """How often user code calls each name, by receiver: ``("app", "use")``, ``("", "render_template")``."""
    return _user_uses(corpus)[0]


def user_reads(corpus: Any) -> Counter[tuple[str, str]]:
    """How often user code reads an attribute without calling it: ``("request", "form")``, ``("response", "text")``."""
    return _user_uses(corpus)[1]


def _user_uses(corpus: Any) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]:
    cached = _CALLS_CACHE.get(id(corpus.core))
    if cached is not None and cached[0] is corpus.core:
        return cached[1]
    calls: Counter[tuple[str, str]] = Counter()
    reads: Counter[tuple[str, str]] = Counter()
    for line in _user_lines(corpus):
        if _DEFINES.search(line):
            continue
        for receiver, name in _CALL.findall(line):
            calls[(receiver.lower(), name)] += 1
        for receiver, name in _READ.findall(line):
            reads[(receiver.lower(), name)] += 1
    if len(_CALLS_CACHE) > 8:
        _CALLS_CACHE.clear()
    _CALLS_CACHE[id(corpus.core)] = (corpus.core, (calls, reads))
    return calls, reads


def _owners(corpus: Any, symbol: Any) -> set[str]:
    """Names a caller may hold ``symbol``'s owner under: the parts of its id before its name, and the
    classes that inherit the method (``app.errorhandler(`` calls ``Scaffold.errorhandler`` through ``App``).
    A method of a class is called on an instance, never on the package: ``httpx.stream(`` calls the
    package-level ``stream``, not ``Client.stream``, so the package (the id's first part) owns only what
    lives at module level."""
    parts = re.split(r"[./]", symbol.id)[:-1]
    if symbol.kind == "method" and len(parts) > 1 and _parent_is_class(corpus, symbol):
        parts = parts[1:]
    owners = {part.lower().lstrip("_") for part in parts if len(part.lstrip("_")) > 1}
    if symbol.kind == "method" and parts:
        owners |= _subclasses(corpus).get(parts[-1], set())
    return owners


def _parent_is_class(corpus: Any, symbol: Any) -> bool:
    parent = corpus.symbols.get(symbol.parent) if symbol.parent else None
    return parent is not None and parent.kind == "class"


def _subclasses(corpus: Any) -> dict[str, set[str]]:
    """Class name -> the lower-case names of every class that inherits from it, directly or not."""
    cached = _SUBCLASS_CACHE.get(id(corpus.core))
    if cached is not None and cached[0] is corpus.core:
        return cached[1]
    direct: dict[str, set[str]] = {}
    for symbol in corpus.core.symbols:
        for base in symbol.bases if symbol.kind == "class" else ():
            direct.setdefault(base.split(".")[-1].split("[")[0], set()).add(symbol.name)
    found: dict[str, set[str]] = {}
    for name in direct:
        seen: set[str] = set()
        frontier = [name]
        while frontier:  # bounded: each class is visited once
            for child in direct.get(frontier.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    frontier.append(child)
        found[name] = {child.lower() for child in seen}
    if len(_SUBCLASS_CACHE) > 8:
        _SUBCLASS_CACHE.clear()
    _SUBCLASS_CACHE[id(corpus.core)] = (corpus.core, found)
    return found


def _is_owner(receiver: str, owners: set[str]) -> bool:
    return any(receiver == owner or (len(receiver) >= 3 and owner.startswith(receiver)) for owner in owners)


def user_call_count(corpus: Any, symbol: Any) -> int:
    """How many times user code uses ``symbol`` the way a user does: calls on a receiver named like its owner
    (``app.use(``, ``response.raise_for_status(``, ``httpx.get(``) or bare for a function or class; reads of
    a property (``response.text``); a module-level object used as one (``request.form``, ``g.user``)."""
    if call_pattern(symbol) is None:
        return 0
    owners = _owners(corpus, symbol)
    parent = corpus.symbols.get(symbol.parent) if symbol.parent else None
    if symbol.kind == "variable" and (parent is None or parent.kind == "module"):  # a module-level object
        wanted = symbol.name.lower()
        return sum(
            n
            for (receiver, name), n in (*user_calls(corpus).items(), *user_reads(corpus).items())
            if receiver == wanted or (name == symbol.name and _is_owner(receiver, owners))
        )
    if "property" in " ".join(getattr(symbol, "decorators", ()) or ()):
        return sum(
            n
            for (receiver, name), n in user_reads(corpus).items()
            if name == symbol.name and _is_owner(receiver, owners)
        )
    if symbol.kind not in {"function", "method", "class"}:
        return 0
    bare = symbol.kind != "method"
    return sum(
        count
        for (receiver, name), count in user_calls(corpus).items()
        if name == symbol.name and ((not receiver and bare) or (receiver and _is_owner(receiver, owners)))
    )


_NAMED_CACHE: dict[int, tuple[Any, dict[str, list[Any]]]] = {}


def symbols_named(corpus: Any, name: str) -> list[Any]:
    """The symbols whose own name is ``name`` (any owner), from an index built once per corpus."""
    cached = _NAMED_CACHE.get(id(corpus.core))
    if cached is None or cached[0] is not corpus.core:
        named: dict[str, list[Any]] = {}
        for symbol in corpus.core.symbols:
            named.setdefault(symbol.name, []).append(symbol)
        if len(_NAMED_CACHE) > 8:
            _NAMED_CACHE.clear()
        cached = _NAMED_CACHE[id(corpus.core)] = (corpus.core, named)
    return cached[1].get(name, [])


def usual_receiver(corpus: Any, symbol: Any) -> str:
    """The name user code most often calls the method ``symbol`` on (``app`` for ``Scaffold.errorhandler``),
    or the package a function is called through more often than bare (``log`` for logrus's ``WithFields``,
    imported as ``log``); "" when no user code calls it on a receiver named like its owner."""
    if symbol.kind not in {"method", "function"}:
        return ""
    owners = _owners(corpus, symbol)
    bare = user_calls(corpus)[("", symbol.name)] if symbol.kind == "function" else -1
    found = [
        (count, receiver)
        for (receiver, name), count in (*user_calls(corpus).items(), *user_reads(corpus).items())
        if name == symbol.name and receiver and _is_owner(receiver, owners) and count > bare
    ]
    return max(found)[1] if found else ""


def section_calls(corpus: Any, path: str, lines: tuple[int, int]) -> Counter[tuple[str, str]]:
    """The calls (receiver, name) in the code blocks of the docs sections of ``path`` that overlap ``lines``."""
    counts: Counter[tuple[str, str]] = Counter()
    for section in corpus.core.sections:
        if section.path != path or section.lines[1] < lines[0] or section.lines[0] > lines[1]:
            continue
        for _, block in code_blocks(section.text):
            for line in block:
                if not _DEFINES.search(line):
                    counts.update((receiver.lower(), name) for receiver, name in _CALL.findall(line))
                    counts.update((receiver.lower(), "") for receiver, _ in _READ.findall(line))
    return counts


def called_symbols(corpus: Any, receiver: str, name: str) -> list[Any]:
    """The symbols a user's call ``receiver.name(`` (or bare ``name(``) may mean: same name, owner named alike."""
    if not name:  # an attribute read: the object read from, when it is a module-level value (``request.form``)
        return [
            symbol
            for symbol in symbols_named(corpus, receiver)
            if symbol.kind == "variable" and symbol.name == receiver and not _TEST_OR_EXAMPLE.search(symbol.path)
        ]
    if len(name) < 2:
        return []
    found = []
    for symbol in symbols_named(corpus, name):
        if (
            symbol.name != name
            or symbol.kind not in {"function", "method", "class"}
            or _TEST_OR_EXAMPLE.search(symbol.path)
        ):
            continue
        if (receiver and _is_owner(receiver, _owners(corpus, symbol))) or (not receiver and symbol.kind != "method"):
            found.append(symbol)
    return found


def user_receiver_count(corpus: Any, symbol: Any) -> int:
    """How many calls user code makes on a receiver named like ``symbol``'s owner (``app.get(`` counts for
    ``app.use``): the object a user holds, even where this method is never called in an example."""
    if symbol.kind != "method":
        return 0
    owners = _owners(corpus, symbol)
    return sum(count for (receiver, _), count in user_calls(corpus).items() if receiver and _is_owner(receiver, owners))


def _receiver(example: Example, symbol: Any) -> str | None:
    """What the example calls ``symbol`` on, lower-case: "" for a bare call, None for an expression result
    (``x().get(``, most likely another API)."""
    match = re.search(rf"(\S)?\.\s*{re.escape(symbol.name)}\b", example.call)
    if match is None:
        return ""
    word = re.search(r"([A-Za-z_$][\w$]*)$", example.call[: match.start() + 1])
    return word.group(1).lower() if word else None


def _receiver_rank(corpus: Any, example: Example, symbol: Any) -> int:
    """0: called on something named like its class, module or a subclass (``response.raise_for_status()``);
    1: a bare call or another name; 2: called on an expression result."""
    receiver = _receiver(example, symbol)
    if receiver is None:
        return 2
    return 0 if receiver and _is_owner(receiver, _owners(corpus, symbol)) else 1


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
    calls = user_calls(corpus)

    def key(example: Example) -> tuple[bool, int, int, int, int]:
        # The receiver users write most often for this call (``app.errorhandler(`` over ``simple_page.``).
        receiver = _receiver(example, symbol)
        usual = calls[(receiver, symbol.name)] if receiver is not None else 0
        rank = _receiver_rank(corpus, example, symbol)
        return (rank == 2, -usual, ORIGIN_RANK[example.origin], rank, len(example.code))

    found.sort(key=key)
    return found[:limit]
