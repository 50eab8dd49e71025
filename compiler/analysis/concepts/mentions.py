"""Where the project's own docs first mention each concept: the order its docs teach them in.

In: the docs sections (README first, then the other markdown and reStructuredText pages in the order
the docs' ``.. toctree::`` lists them or, for markdown docs, the order an ``mkdocs.yml`` ``nav``, a ``SUMMARY.md``/``_sidebar.md`` or
the README links them, else by path;
reference pages last, since an API reference lists everything and teaches nothing first; changelogs and
licences skipped), the symbols and which concept each belongs to. Out: concept id -> position of the first
mention (a running count of the identifiers read), for concepts the docs mention at all.

A mention is the name of a public class, function or method that only one concept defines (or only one
defines at module level, or only one the package's front door exports), written as code (in a fence, in
backticks, called ``name(``, or reached as ``.name``) or, for a capitalised name such as ``Flask`` or
``Client``, anywhere in the prose but at the start of a sentence (``With`` there is English). A name only
methods bear is a mention reached as ``.name`` or in backticks in the prose, not as a bare word of a code
block (``items``, ``index``). In ``.rst`` pages, literal blocks (after
``::`` or ``.. code-block::``) are code, and ``.. autoclass:: pkg.Name`` mentions ``Name``.
What names nothing of the project: a keyword argument or an assignment target (``prompt="Name"``), a
reStructuredText role (``:ref:``) and the label a ``:ref:`` or ``:doc:`` points to, a name reached through
another package the page imports (``click.command``) or through a builtin (``console.error``), and a method
Python's own values bear (``input.read()``, ``session.pop()``). A method reached through a receiver named after its class (``reply.code()``,
``logger.WithField()``) is that class's, however many classes bear the name.
Out too: ``mention_counts``, how often the docs mention each concept.
"""

from __future__ import annotations

import builtins
import io
import posixpath
import re

from compiler.model import NAV_ANCHOR, Section, Symbol
from compiler.roles import file_role

_BUILTINS = frozenset(n for n in dir(builtins) if not n.startswith("_")) | {"require", "console", "print", "len"}
_BUILTINS |= {"process", "JSON", "Math", "Object", "Array", "Promise", "Reflect", "Buffer", "window", "document"}
# methods Python's own values bear: ``input.read()``, ``session.pop()``, ``s.index()`` name no class of the project
_VALUE_METHODS = frozenset(
    n for t in (str, bytes, list, dict, set, io.TextIOBase, io.BufferedIOBase) for n in dir(t) if not n.startswith("_")
)
_ROLE = re.compile(r":[A-Za-z_][\w.-]*:`")  # reStructuredText ``:ref:`x```, ``:class:`x```: the role names nothing
_LABEL_ROLE = re.compile(r":(?:ref|doc|term|numref|option|envvar|rfc|pep|download|abbr|keyword|token|std:\w+):\Z")
_PHRASE = re.compile(r"\S\s+\S")
_KEYWORD = re.compile(r"\s*=(?!=)")  # ``prompt="Name"``, ``x.level = 2``: a keyword argument or an assignment
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KINDS = frozenset({"class", "function", "method", "interface", "type"})
_FENCE = re.compile(r"^\s*(```|~~~)")
_TOKEN = re.compile(r"(``[^`\n]+``|`[^`\n]+`)|([A-Za-z_][A-Za-z0-9_]*)(\s*\()?")
_NOT_DOCS = ("changelog", "changes", "history", "news", "contributing", "license", "licence", "code_of_conduct",
             "security", "authors", "concepts")  # fmt: skip


def _names(
    symbols: dict[str, Symbol], membership: dict[str, str], front: frozenset[str] = frozenset()
) -> tuple[dict[str, str], frozenset[str]]:
    """(name -> the one concept whose public definitions use it, the names only methods bear).

    A name several concepts define goes to the one that defines it at module level, else to the one whose
    definition the package's front door exports (``front``: the docs name ``jinja2.Template``, not the
    syntax tree's ``nodes.Template``); names still shared are left out."""
    owners: dict[str, set[str]] = {}
    top_owners: dict[str, set[str]] = {}  # defined at module level (``httpx.get`` is the function, not Client.get)
    front_owners: dict[str, set[str]] = {}
    for sid, sym in symbols.items():
        concept = membership.get(sid)
        if concept is None or not sym.public or sym.name.startswith("_"):
            continue
        parent = symbols.get(sym.parent) if sym.parent else None
        module_level = parent is None or parent.kind == "module"
        if sym.kind not in _KINDS and not (sym.kind == "variable" and module_level and sym.name.islower()):
            continue  # a module-level object (flask's ``request``, ``session``) is public API too
        if len(sym.name) < 3 or file_role(sym.path) != "code":
            continue
        owners.setdefault(sym.name, set()).add(concept)
        if sym.kind != "method" and module_level:
            top_owners.setdefault(sym.name, set()).add(concept)
        if sid in front:
            front_owners.setdefault(sym.name, set()).add(concept)
    chosen = {}
    for name, found in owners.items():
        for candidates in (found, top_owners.get(name, set()), front_owners.get(name, set())):
            if len(candidates) == 1:
                chosen[name] = next(iter(candidates))
                break
    methods = frozenset(name for name in chosen if name not in top_owners)
    return chosen, methods


def _receivers(symbols: dict[str, Symbol], membership: dict[str, str]) -> dict[str, dict[str, str]]:
    """Method name -> {lowercased class name -> the concept of that class's method}: ``reply.code()`` and
    ``logger.WithField()`` name the method of the class their receiver is named after, however many classes
    bear the method."""
    found: dict[str, dict[str, str]] = {}
    for sid, sym in symbols.items():
        concept = membership.get(sid)
        parent = symbols.get(sym.parent) if sym.parent else None
        if concept is None or sym.kind != "method" or parent is None or parent.kind == "module" or not sym.public:
            continue
        if sym.name.startswith("_") or file_role(sym.path) != "code":
            continue
        found.setdefault(sym.name, {}).setdefault(parent.name.lower(), concept)
    return found


PACKAGE_DOC = "package-doc"  # the anchor of a section made from a package's docstring


def package_doc_sections(symbols: dict[str, Symbol]) -> list[Section]:
    """The docstrings of the outermost packages as docs sections: Go's ``Package pflag is ...`` comment and a
    top Python package's ``__init__`` docstring teach the API in their own order, read after the README."""
    found: list[tuple[int, str, Symbol]] = []
    for sym in symbols.values():
        if sym.kind != "module" or not (sym.doc or "").strip() or file_role(sym.path) != "code":
            continue
        name = sym.path.rsplit("/", 1)[-1]
        if name == "__init__.py" or (name.endswith(".go") and sym.doc.lstrip().startswith("Package ")):
            found.append((sym.path.count("/"), sym.path, sym))
    if not found:
        return []
    top = min(depth for depth, _, _ in found)
    return [
        Section(path, f"Package {sym.name}", 1, tuple(sym.lines), sym.doc, PACKAGE_DOC)
        for depth, path, sym in sorted(found, key=lambda f: (f[0], f[1]))
        if depth == top
    ]


EXAMPLE_DOC = "example-doc"  # the anchor of a section made from a Go ``Example`` function
_GO_EXAMPLE = re.compile(r"Example(?:$|[A-Z_])")


def example_sections(symbols: dict[str, Symbol]) -> list[Section]:
    """Go's ``Example*`` functions (in ``*_test.go``, shown by godoc beside the API) as docs sections of code, read
    after every docs page: a package without a README still teaches what a user calls, and in which order."""
    found = [
        sym
        for sym in symbols.values()
        if sym.kind == "function" and sym.path.endswith("_test.go") and _GO_EXAMPLE.match(sym.name) and sym.excerpt
    ]
    top = min((s.path.count("/") for s in symbols.values() if s.path.endswith(".go")), default=0)
    return [  # the outermost package's own examples: a sub-package's teach that sub-package, not the order
        Section(sym.path, sym.name, 2, tuple(sym.lines), f"```go\n{sym.excerpt}\n```", EXAMPLE_DOC)
        for sym in sorted(found, key=lambda s: (s.path, tuple(s.lines)))
        if sym.path.count("/") == top
    ]


def is_docs(path: str) -> bool:
    stem = path.rsplit("/", 1)[-1].lower().replace("-", "_")
    return path.lower().endswith((".md", ".markdown", ".rst", ".txt")) and not stem.startswith(_NOT_DOCS)


_DIRECTIVE = re.compile(r"^\s*\.\.\s+(?:auto\w+|py:\w+|js:\w+|go:\w+)::\s*(\S+)")
_CODE_DIRECTIVE = re.compile(r"^\s*\.\.\s+(code-block|code|sourcecode|doctest|testcode)::")
_TOC_LINK = re.compile(r"\[[^\]\n]*\]\(#[^)\s]*\)")
_TOCTREE = re.compile(r"^\s*\.\.\s+toctree::")
_MYST_TOCTREE = re.compile(r"^\s*(?:`{3,}|:{3,})\s*\{toctree\}", re.M)
_FENCE_END = re.compile(r"^\s*(?:`{3,}|:{3,})\s*$")
_TOC_ENTRY = re.compile(r"^\s+(?:[^<:\s][^<]*<([^>]+)>|([^\s:][^\s]*))\s*$")
_MD_LINK = re.compile(r"\]\(\s*(?:\./)?([^)\s#:]+\.(?:md|markdown|rst))(?:#[^)\s]*)?\s*\)", re.I)
_REFERENCE_STEMS = frozenset({"api", "reference", "api_reference", "apireference", "api_docs", "apidocs"})
_REFERENCE_DIRS = frozenset({"api", "reference", "api_reference", "apidocs"})
_MD_CONTENTS = frozenset({"summary.md", "_sidebar.md"})  # files that exist only to give the reading order
REFERENCE_DIRECTIVES = 5  # a page this many ``.. autoclass::``-like lines is an API reference


def _reference_pages(by_path: dict[str, list[Section]]) -> set[str]:
    """Docs pages that list the API rather than teach it: ``api.rst``, ``reference/...``, autodoc pages."""
    found = set()
    for path, sections in by_path.items():
        parts = path.lower().replace("-", "_").split("/")
        stem = parts[-1].rsplit(".", 1)[0]
        directives = sum(1 for s in sections for line in s.text.splitlines() if _DIRECTIVE.match(line))
        if stem in _REFERENCE_STEMS or _REFERENCE_DIRS & set(parts[:-1]) or directives >= REFERENCE_DIRECTIVES:
            found.add(path)
    return found


def _toctree_order(sections: list[Section]) -> dict[str, int]:
    """Docs path -> its place in the reading order the ``.. toctree::`` of the docs' index pages give
    (depth first from the shallowest ``index.rst``, or an ``index.md`` with a MyST ```` ```{toctree} ````; without one, from a book's ``SUMMARY.md`` or
    ``_sidebar.md``, else the README or a docs ``index.md``, through their markdown links), for the pages a
    toctree or a link lists."""
    by_path: dict[str, list[Section]] = {}
    for section in sections:
        by_path.setdefault(section.path, []).append(section)
    myst = {p for p, found in by_path.items() if any(_MYST_TOCTREE.search(s.text) for s in found)}
    indexes = sorted((p for p in by_path if p.rsplit("/", 1)[-1].lower() in ("index.rst", "contents.rst")
                      or (p in myst and p.rsplit("/", 1)[-1].lower() in ("index.md", "contents.md"))),
                     key=lambda p: (p.count("/"), p))  # fmt: skip
    if not indexes:  # an MkDocs site: its mkdocs.yml ``nav`` (read by the front end as a list of links)
        indexes = sorted((p for p, found in by_path.items() if any(s.anchor == NAV_ANCHOR for s in found)),
                         key=lambda p: (p.count("/"), p))  # fmt: skip
    if not indexes:  # a book's table of contents (mdBook/GitBook ``SUMMARY.md``, docsify ``_sidebar.md``)
        indexes = sorted((p for p in by_path if p.rsplit("/", 1)[-1].lower() in _MD_CONTENTS),
                         key=lambda p: (p.count("/"), p))  # fmt: skip
    if not indexes:  # markdown docs: the README (then a docs index) links the pages in reading order
        indexes = sorted((p for p in by_path if p.rsplit("/", 1)[-1].lower() in ("readme.md", "index.md")),
                         key=lambda p: (p.count("/"), not p.lower().endswith("readme.md"), p))  # fmt: skip
    order: dict[str, int] = {}

    def visit(path: str, depth: int) -> None:
        if path in order or depth > 20:
            return
        order[path] = len(order)
        folder = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
        entries: list[str] = []
        for section in sorted(by_path.get(path, ()), key=lambda s: tuple(s.lines)):
            in_toc = in_fence = False
            for line in section.text.splitlines():
                if _TOCTREE.match(line):
                    in_toc = True
                    continue
                if _MYST_TOCTREE.match(line):  # MyST: ```{toctree} ... ``` lists one page a line
                    in_fence = True
                    continue
                if in_fence:
                    if _FENCE_END.match(line):
                        in_fence = False
                    elif line.strip() and not line.strip().startswith(":"):
                        match = _TOC_ENTRY.match(" " + line.strip())
                        if match:
                            entries.append((match.group(1) or match.group(2)).strip())
                    continue
                if in_toc and line.strip() and not line.startswith((" ", "\t")):
                    in_toc = False
                match = _TOC_ENTRY.match(line) if in_toc else None
                if match:
                    entries.append((match.group(1) or match.group(2)).strip())
                elif path.lower().endswith(".md") or section.anchor == NAV_ANCHOR:
                    entries.extend(link.group(1) for link in _MD_LINK.finditer(line))
        for entry in entries:
            target = entry.lstrip("/") if entry.startswith("/") else folder + entry
            target = posixpath.normpath(target) if target else target
            for candidate in (target, target + ".rst", target + ".md", target + "/index.rst", target + "/index.md"):
                if candidate in by_path:
                    visit(candidate, depth + 1)
                    break

    for index in indexes[:1]:
        visit(index, 0)
    return order


def _mentions(sections: list[Section], symbols: dict[str, Symbol], membership: dict[str, str], front: frozenset[str]):
    """Yield (position, section number, concept id) for every mention, in reading order: README first, then the docs
    pages in their toctree order, then the rest by folder depth and path."""
    names, methods = _names(symbols, membership, front)
    receivers = _receivers(symbols, membership)
    modules = {part for sym in symbols.values() if sym.kind == "module" for part in sym.id.split(".")}
    if not names:
        return
    docs = [
        s for s in sections
        if s.anchor in (PACKAGE_DOC, EXAMPLE_DOC) or (is_docs(s.path) and file_role(s.path) in ("code", "docs"))
    ]  # fmt: skip
    toc = _toctree_order(docs + [s for s in sections if s.anchor == NAV_ANCHOR])  # the nav orders, never teaches
    by_path: dict[str, list[Section]] = {}
    for s in docs:
        by_path.setdefault(s.path, []).append(s)
    reference = _reference_pages(by_path)
    foreign = _foreign_modules(by_path, symbols)
    readme_first = sorted(
        docs,
        key=lambda s: (not s.path.rsplit("/", 1)[-1].lower().startswith("readme"), s.anchor != PACKAGE_DOC,
                       s.anchor == EXAMPLE_DOC, s.path in reference, toc.get(s.path, len(toc)), s.path.count("/"), s.path, tuple(s.lines)),
    )  # fmt: skip
    position = 0
    for number, section in enumerate(readme_first):
        in_fence = in_toctree = False
        literal: int | None = None  # reStructuredText: inside a literal block indented deeper than this
        rst = section.path.lower().endswith((".rst", ".py"))  # a Python docstring is reStructuredText
        opens = True  # the next line starts a sentence (the previous one ended one, or was blank)
        for line in section.text.splitlines():
            starts, opens = opens, not line.strip() or line.rstrip().endswith((".", "!", "?", ":"))
            if in_toctree or _MYST_TOCTREE.match(line):  # a MyST toctree lists pages, not code
                in_toctree = not _FENCE_END.match(line)
                continue
            if _FENCE.match(line):
                in_fence = not in_fence
                continue
            code_line = in_fence
            if rst:
                indent = len(line) - len(line.lstrip())
                if literal is not None and line.strip() and indent <= literal:
                    literal = None
                code_line = code_line or (literal is not None and bool(line.strip()))
                directive_line = line.lstrip().startswith("..")
                if (line.rstrip().endswith("::") and not directive_line) or _CODE_DIRECTIVE.match(line):
                    literal = indent if literal is None else literal  # not ``.. toctree::`` or ``.. tabs::``
                directive = _DIRECTIVE.match(line)
                if directive:
                    position += 1
                    for word in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", directive.group(1))[-1:]:
                        if word in names:
                            yield position, number, names[word]
                    continue
            if not code_line:
                line = _TOC_LINK.sub("", line)  # a table of contents names what comes later: no teaching yet
            for match in _TOKEN.finditer(line):
                position += 1
                if match.group(1) and _LABEL_ROLE.search(line, 0, match.start()):
                    continue  # ``:ref:`tests <tests>``` names a page or a label of the docs, not code
                spans = [match.group(1)[1:-1]] if match.group(1) else [match.group(2)]
                for text in spans:
                    for found in _WORD.finditer(text):
                        word = found.group(0)
                        if word not in names and word not in receivers:
                            continue
                        as_code = code_line or bool(match.group(1)) or bool(match.group(3))
                        dotted = (match.start() > 0 and line[match.start() - 1] == ".") or (
                            found.start() > 0 and text[found.start() - 1] == "."
                        )
                        before = text[: found.start()] if match.group(1) else line[: match.start()]
                        receiver = _RECEIVER.search(before).group(1) if dotted and _RECEIVER.search(before) else ""
                        if receiver in _BUILTINS or receiver in foreign.get(section.path, ()):
                            continue  # ``console.error``, and ``click.command`` on a page that imports click
                        concept = None
                        if word in receivers and receiver not in modules:  # ``flask.x`` is the module's, not Flask's
                            concept = receivers[word].get(receiver.lower())
                        if concept is not None:  # ``reply.code(200)``: the method of the class the receiver names
                            yield position, number, concept
                            continue
                        concept = names.get(word)
                        if concept is None:
                            continue
                        if word in _BUILTINS and not dotted:
                            continue  # ``open(path)`` is Python's, not FlaskClient.open
                        if word in methods and not (dotted or (match.group(1) and not code_line)):
                            continue  # a method is ``x.name`` or named in prose; ``items`` in a code block is a variable
                        if word in methods and not dotted and not code_line and _PHRASE.search(text.split("(")[0]):
                            continue  # ``npm init`` is a command line: a method named in prose is the whole span
                        if word in methods and word in _VALUE_METHODS:
                            continue  # ``input.read(1024)``: a file's method, whichever class also bears the name
                        end = match.end(2) if match.group(2) else -1
                        if end >= 0 and not match.group(3) and _KEYWORD.match(line, end):
                            continue  # ``prompt="Name"`` passes a keyword, it calls no ``prompt()``
                        if match.group(2) and _ROLE.match(line, match.start() - 1 if match.start() else 0):
                            continue  # ``:ref:`` is reStructuredText's, not a project name
                        if (
                            as_code
                            or dotted
                            or (word[0].isupper() and not _sentence_start(line, match.start(), starts))
                        ):
                            yield position, number, concept


_IMPORT = re.compile(r"^\s*(?:import\s+([A-Za-z_]\w*)(?=\s*$|\s*,|\s+as\s)|from\s+([A-Za-z_]\w*)[\w.]*\s+import)\b")
_RECEIVER = re.compile(r"([A-Za-z_]\w*)\.\Z")


def _foreign_modules(by_path: dict[str, list[Section]], symbols: dict[str, Symbol]) -> dict[str, frozenset[str]]:
    """Docs page -> the other packages its code imports (``import click`` in a Flask tutorial): ``click.command``
    there names click's function, not a method of the project that happens to bear the name."""
    own = {sym.id.split(".", 1)[0] for sym in symbols.values() if sym.kind == "module"}
    found = {}
    for path, sections in by_path.items():
        modules = {m.group(1) or m.group(2) for s in sections for m in map(_IMPORT.match, s.text.splitlines()) if m}
        if modules - own:
            found[path] = frozenset(modules - own)
    return found


_ITEM_MARK = re.compile(r"\s*(?:[-*+#>|]+|\d+[.)])")


def _sentence_start(line: str, start: int, line_opens: bool) -> bool:
    """A word that opens a sentence or a list item (``With this ...``) is capitalised as English, not as a name;
    the first word of a line opens one when the line before ended a sentence (``line_opens``), not in wrapped prose."""
    before = line[:start].rstrip()
    if not before:
        return line_opens
    if before[-1] in ".!?:" and start > len(before):
        return True
    return _ITEM_MARK.fullmatch(before) is not None


def first_mentions(
    sections: list[Section], symbols: dict[str, Symbol], membership: dict[str, str], front: frozenset[str] = frozenset()
) -> dict[str, int]:
    """Concept id -> the position of its first mention in the docs (see the module docstring)."""
    found: dict[str, int] = {}
    for position, _, concept in _mentions(sections, symbols, membership, front):
        found.setdefault(concept, position)
    return found


def mention_counts(
    sections: list[Section], symbols: dict[str, Symbol], membership: dict[str, str], front: frozenset[str] = frozenset()
) -> dict[str, int]:
    """Concept id -> how many docs sections mention it: what the project's own docs teach most."""
    seen = {(number, concept) for _, number, concept in _mentions(sections, symbols, membership, front)}
    counts: dict[str, int] = {}
    for _, concept in seen:
        counts[concept] = counts.get(concept, 0) + 1
    return counts
