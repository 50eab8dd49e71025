"""Frozen dataclasses passed between stages, and the knowledge core they add up to.

Every stage is a function from these types to these types. ``Core`` is the whole
compiled knowledge core; ``core.json`` is ``Core.to_json()`` and every consumer
(index, tutor, MCP server, site) reads it back with ``Core.from_json()`` through
``compiler.corpus.open_corpus``.

Conventions used everywhere:

* ``path`` is relative to the compiled repository's root, ``/``-separated.
* Line numbers are 1-based and ranges are inclusive: ``(start, end)``.
* A symbol's ``id`` is its dotted qualified name: ``package.module.Class.method``
  for Python, ``dir.file.Name.method`` for JavaScript/TypeScript (the path without
  extension, ``/`` replaced by ``.``), ``dir.Name`` / ``dir.Type.Method`` for Go
  (the package directory, since Go symbols belong to packages).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import MISSING, dataclass, field, fields, is_dataclass, replace
from typing import Any, Literal

SCHEMA_VERSION = "kc-core/1"

SymbolKind = Literal["module", "class", "function", "method", "variable", "interface", "type"]
EdgeKind = Literal["imports", "calls", "inherits", "contains", "references"]
SummarySource = Literal["author", "docstring", "readme", "llm", "generated"]
Severity = Literal["error", "warning", "info"]

Lines = tuple[int, int]


@dataclass(frozen=True)
class SourceFile:
    """One file the scanner kept: where it is, what language, its content hash."""

    path: str
    language: str  # python, javascript, typescript, tsx, go, markdown, text, ...
    size: int
    sha256: str


@dataclass(frozen=True)
class SkippedFile:
    """A file the scanner left out, and why (``vendored``, ``binary``, ``too-large``, ...)."""

    path: str
    reason: str


@dataclass(frozen=True)
class Diagnostic:
    """A problem found in the source. Never fatal: the build goes on."""

    path: str
    line: int | None
    severity: Severity
    code: str  # syntax-error, encoding-error, recursion-limit, unreadable, ...
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message} [{self.code}]"


@dataclass(frozen=True)
class Redaction:
    """A secret that was kept out of the corpus: where and which rule, never the value."""

    path: str
    line: int
    rule: str
    action: Literal["redacted", "file-excluded"] = "redacted"


@dataclass(frozen=True)
class Symbol:
    """A definition: module, class, function, method, variable, interface or type."""

    id: str  # dotted qualified name, unique in the core
    name: str
    kind: str  # one of SymbolKind
    path: str
    lines: Lines
    # e.g. "def get(url: str, *, timeout: float = 5.0) -> Response"; an overloaded definition has one
    # line per signature, its overloads' (``@overload``, TypeScript signatures) first, its own last
    signature: str = ""
    doc: str = ""  # docstring / doc comment, cleaned, may be empty
    parent: str | None = None  # id of the containing symbol (module for top-level defs)
    public: bool = True
    decorators: tuple[str, ...] = ()
    bases: tuple[str, ...] = ()  # base classes / embedded types as written
    excerpt: str = ""  # the first lines of the source (secrets redacted); filled by the build
    importance: float = 0.0  # PageRank, normalised so the top symbol is 1.0; filled by analysis
    concept: str | None = None  # id of the concept it belongs to; filled by analysis


# Symbols are made and copied by the hundred thousand, and a frozen dataclass's __init__ or
# replace() costs microseconds (one object.__setattr__ per field). Symbol is a plain frozen
# dataclass (no slots, no __post_init__, no factory defaults), so filling a new instance's
# __dict__ makes the same object (==, repr, pickle) in a third of the time. Should Symbol change
# shape, these fall back to the constructor and its checks.
_SYMBOL_FIELDS = fields(Symbol)
_SYMBOL_REQUIRED = frozenset(f.name for f in _SYMBOL_FIELDS if f.default is MISSING)
_SYMBOL_TEMPLATE = {f.name: None if f.default is MISSING else f.default for f in _SYMBOL_FIELDS}
_PLAIN_SYMBOL = (
    "__slots__" not in vars(Symbol)
    and not hasattr(Symbol, "__post_init__")
    and all(f.init and (f.default is not MISSING or f.default_factory is MISSING) for f in _SYMBOL_FIELDS)
)


def make_symbol(**values: Any) -> Symbol:
    """``Symbol(**values)``, faster."""
    if not _PLAIN_SYMBOL or not values.keys() >= _SYMBOL_REQUIRED:
        return Symbol(**values)
    symbol = object.__new__(Symbol)
    state = symbol.__dict__
    state.update(_SYMBOL_TEMPLATE)
    state.update(values)
    return symbol


def symbol_with(symbol: Symbol, **changes: Any) -> Symbol:
    """``dataclasses.replace(symbol, **changes)``, faster."""
    if not _PLAIN_SYMBOL:
        return replace(symbol, **changes)
    copy = object.__new__(Symbol)
    copy.__dict__.update(symbol.__dict__, **changes)
    return copy


@dataclass(frozen=True)
class Import:
    """An import statement: ``module`` as written (``..utils``, ``./router``, ``net/http``)."""

    path: str
    module: str
    names: tuple[str, ...] = ()  # imported names, () for ``import x``
    line: int = 0
    alias: str | None = None  # ``import numpy as np`` -> "np"
    scope: str | None = None  # id of the symbol the import sits in (None: module level)


@dataclass(frozen=True)
class Call:
    """A call site: the caller's id and the callee as written (``self.send``, ``os.path.join``)."""

    caller: str
    callee: str
    path: str
    line: int
    reference: bool = False  # named as a value, not called (``cls=Option``, ``context_class = Context``)


@dataclass(frozen=True)
class Section:
    """A markdown section (README, docs/): heading, level, text, line range."""

    path: str
    title: str
    level: int
    lines: Lines
    text: str
    anchor: str = ""  # slug of the heading


NAV_ANCHOR = "docs-nav"  # a Section's anchor when it is a docs site's table of contents (mkdocs.yml ``nav``)


@dataclass(frozen=True)
class FileFacts:
    """Everything the front end learned from one file."""

    path: str
    language: str
    module: str  # dotted module id ("" for non-code files)
    lines: int
    sha256: str
    symbols: tuple[Symbol, ...] = ()
    imports: tuple[Import, ...] = ()
    calls: tuple[Call, ...] = ()
    sections: tuple[Section, ...] = ()
    exports: tuple[str, ...] | None = None  # __all__ / export list when declared
    diagnostics: tuple[Diagnostic, ...] = ()
    redactions: tuple[Redaction, ...] = ()
    is_entry_point: bool = False  # CLI main, package __init__, index.js, main.go


@dataclass(frozen=True)
class Edge:
    """A link in the code graph between two symbol ids (modules are symbols too)."""

    source: str
    target: str
    kind: str  # one of EdgeKind
    weight: float = 1.0


@dataclass(frozen=True)
class SourceRef:
    """A citation target: a line range in a source file, optionally naming a symbol."""

    path: str
    lines: Lines
    symbol: str | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.lines[0]}-{self.lines[1]}"


@dataclass(frozen=True)
class Concept:
    """A coherent idea a newcomer must learn, made of symbols."""

    id: str  # slug, [a-z0-9-]+, unique; also the page name concepts/<id>.md
    title: str
    summary: str
    summary_source: str  # one of SummarySource
    members: tuple[str, ...]  # symbol ids, most important first
    files: tuple[str, ...]  # paths, most important first
    importance: float  # 0..1, the top concept is 1.0
    prerequisites: tuple[str, ...] = ()  # concept ids this builds on
    related: tuple[str, ...] = ()  # concept ids
    sources: tuple[SourceRef, ...] = ()  # key line ranges to read
    entry_points: tuple[str, ...] = ()  # member symbol ids that are entry points
    body: str = ""  # the author's longer explanation (markdown), if any


@dataclass(frozen=True)
class FileInfo:
    """A compiled file as recorded in the core."""

    path: str
    language: str
    module: str
    lines: int
    sha256: str
    importance: float = 0.0
    doc: str = ""  # module docstring / file header comment


@dataclass(frozen=True)
class SourceInfo:
    """What was compiled: repository name, commit, and the hash of every input file."""

    name: str
    commit: str | None
    files: dict[str, str] = field(default_factory=dict)  # path -> sha256 of every scanned input
    description: str = ""  # one paragraph: what the codebase is
    config_hash: str = ""  # hash of the build settings that shape the output


@dataclass(frozen=True)
class Core:
    """The knowledge core: what ``core.json`` holds."""

    source: SourceInfo
    files: tuple[FileInfo, ...]
    symbols: tuple[Symbol, ...]
    edges: tuple[Edge, ...]
    concepts: tuple[Concept, ...]
    learning_path: tuple[str, ...]  # concept ids in teaching order
    entry_points: tuple[str, ...]  # symbol ids
    sections: tuple[Section, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    skipped: tuple[SkippedFile, ...] = ()
    redactions: tuple[Redaction, ...] = ()
    # (name, count): calls by a name some definition bears that resolved to nothing, sorted by name;
    # a definition with no resolved caller but its name here has callers unknown, not none
    calls_unresolved: tuple[tuple[str, int], ...] = ()
    schema: str = SCHEMA_VERSION

    # ---- serialisation -------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return _plain(self)

    def to_json(self) -> str:
        """Deterministic JSON, one record per line: sorted keys, no timestamps, trailing newline."""
        return "".join(self.iter_json())

    def iter_json(self, layout: dict[str, tuple[int, int, int, int]] | None = None) -> Iterator[str]:
        """``to_json()`` one line at a time (each piece ends with its newline), for writing a big
        core without holding its text in memory.

        Each top-level list item (a symbol, an edge, a concept ...) and each source file hash sits
        on its own line, so a corpus diffs cleanly in review, and an incremental build can patch
        single records in place. Records go straight from their ``__dict__`` to the C encoder: no
        intermediate copy of the whole core (an indented dump, or ``asdict``, takes seconds and
        gigabytes on a 13,000-file tree).

        ``layout``, when given, is filled with ``field -> (first line, line of its first item,
        item count, end line)`` (0-based, end exclusive) for every field.
        """
        yield "{\n"
        line = 1
        names = sorted(f.name for f in fields(self))
        for position, name in enumerate(names):
            count = 0
            for piece in field_lines(name, getattr(self, name), last=position == len(names) - 1):
                count += 1
                yield piece
            if layout is not None:
                layout[name] = (line, line + 1, max(0, count - 2), line + count)
            line += count
        yield "}\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Core:
        schema = data.get("schema")
        if schema != SCHEMA_VERSION:
            from compiler.errors import CorpusError

            raise CorpusError(
                f"core.json has schema {schema!r}, this kc reads {SCHEMA_VERSION!r}: rebuild the corpus with 'kc build'"
            )
        return cls(
            source=_build(SourceInfo, data["source"]),
            files=tuple(_build(FileInfo, f) for f in data["files"]),
            symbols=tuple(_build(Symbol, s) for s in data["symbols"]),
            edges=tuple(_build(Edge, e) for e in data["edges"]),
            concepts=tuple(_build(Concept, c) for c in data["concepts"]),
            learning_path=tuple(data["learning_path"]),
            entry_points=tuple(data["entry_points"]),
            sections=tuple(_build(Section, s) for s in data.get("sections", ())),
            diagnostics=tuple(_build(Diagnostic, d) for d in data.get("diagnostics", ())),
            skipped=tuple(_build(SkippedFile, s) for s in data.get("skipped", ())),
            redactions=tuple(_build(Redaction, r) for r in data.get("redactions", ())),
            calls_unresolved=tuple((str(name), int(count)) for name, count in data.get("calls_unresolved", ())),
            schema=schema,
        )

    @classmethod
    def from_json(cls, text: str) -> Core:
        return cls.from_dict(json.loads(text))


def field_lines(name: str, value: Any, last: bool) -> Iterator[str]:
    """The lines of one top-level field of ``core.json``: a header, one line per item, a closer."""
    comma = "" if last else ","
    if isinstance(value, tuple) and value:
        yield f" {_compact(name)}: [\n"
        final = len(value) - 1
        for index, item in enumerate(value):
            yield f"  {_compact(item)},\n" if index < final else f"  {_compact(item)}\n"
        yield f" ]{comma}\n"
    elif is_dataclass(value):
        yield f" {_compact(name)}: {{\n"
        inner = sorted(vars(value).items())
        for index, (key, inner_value) in enumerate(inner):
            tail = ",\n" if index < len(inner) - 1 else "\n"
            if isinstance(inner_value, dict) and inner_value:
                yield f"  {_compact(key)}: {{\n"
                keys = sorted(inner_value)
                for row, k in enumerate(keys):
                    yield f"   {_compact(k)}: {_compact(inner_value[k])}" + (",\n" if row < len(keys) - 1 else "\n")
                yield "  }" + tail
            else:
                yield f"  {_compact(key)}: {_compact(inner_value)}" + tail
        yield f" }}{comma}\n"
    else:
        yield f" {_compact(name)}: {_compact(value)}{comma}\n"


def record_line(item: Any, last: bool) -> str:
    """The line of one item of a top-level list field, as ``field_lines`` writes it."""
    return f"  {_compact(item)}\n" if last else f"  {_compact(item)},\n"


def _compact(value: Any) -> str:
    """One record as JSON: sorted keys, ", " and ": " separators, UTF-8 kept as is.

    What ``json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))`` writes,
    through one C encoder made once: ``dumps`` builds a new encoder per call, which was half the
    cost of writing a 1.4-million-record core.json.
    """
    if hasattr(value, "__dataclass_fields__"):
        value = vars(value)
    return (
        "".join(_ENCODE(value, 0))
        if _ENCODE is not None
        else json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": "), default=_record)
    )


def _record(value: Any) -> Any:
    """Nested records (a concept's SourceRefs) for the JSON encoder."""
    if is_dataclass(value):
        return vars(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _make_encoder():
    from json import encoder

    if encoder.c_make_encoder is None:
        return None
    string = encoder.c_encode_basestring or encoder.py_encode_basestring
    # (markers, default, encoder, indent, key_separator, item_separator, sort_keys, skipkeys, allow_nan)
    return encoder.c_make_encoder(None, _record, string, None, ": ", ", ", True, False, True)


_ENCODE = _make_encoder()

_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _plain(value: Any) -> Any:
    """Dataclasses to dicts, tuples to lists, floats rounded: JSON-ready and stable.

    Hand-rolled rather than ``dataclasses.asdict``, which deep-copies every leaf and costs
    seconds on a core with a quarter of a million symbols.
    """
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        return round(value, 6)
    if kind is tuple or kind is list:
        return [_plain(v) for v in value]
    if kind is dict:
        return {k: _plain(v) for k, v in value.items()}
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(kind))
    return {name: _plain(getattr(value, name)) for name in names}


_NESTED = {"sources": SourceRef}


def _build(cls: type, data: dict[str, Any]) -> Any:
    """Rebuild a frozen dataclass from its JSON dict: lists become tuples again."""
    kwargs: dict[str, Any] = {}
    names = {f.name for f in fields(cls)}
    for key, value in data.items():
        if key not in names:
            continue  # forward compatible: ignore fields a newer kc added
        if key in _NESTED and isinstance(value, list):
            value = tuple(_build(_NESTED[key], v) for v in value)
        elif isinstance(value, list):
            value = tuple(tuple(v) if isinstance(v, list) else v for v in value)
        kwargs[key] = value
    return cls(**kwargs)
