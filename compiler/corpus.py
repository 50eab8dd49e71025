"""Read a compiled corpus back: ``open_corpus(dir)`` gives a ``Corpus`` with lookups.

Every consumer (index, tutor, MCP server, site) goes through this module and never
reads the source repository. Ids are looked up in dictionaries, never joined into
paths, so a request for ``../../etc/passwd`` is simply "not found".

A member a class inherits is found through the class: ``Sub.method`` is ``Base.method``
(``Corpus.inherited`` says so). Who calls a symbol is known only as far as calls resolved:
``callers_unknown`` gives the words consumers show when none resolved but calls by the
symbol's name were left unresolved, so no consumer says "no callers" about such a symbol.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from compiler.errors import CorpusError, NotFound
from compiler.model import Concept, Core, Edge, Symbol

CORE_FILE = "core.json"
REPORT_FILE = "build-report.json"
_CLASS_KINDS = ("class", "interface", "type")


@dataclass(frozen=True)
class Inherited:
    """``Sub.method`` asked for, found on a base class: the member, the class asked about."""

    symbol: Symbol  # the base class's member (``pkg.Base.method``)
    owner: str  # id of the class it was asked of (``pkg.Sub``)


@dataclass
class Corpus:
    """A corpus directory and its parsed ``core.json``."""

    root: Path
    core: Core
    _pages: dict[str, str] = field(default_factory=dict, repr=False)

    # ---- lookups ---------------------------------------------------------
    @cached_property
    def concepts(self) -> dict[str, Concept]:
        return {c.id: c for c in self.core.concepts}

    @cached_property
    def symbols(self) -> dict[str, Symbol]:
        return {s.id: s for s in self.core.symbols}

    @cached_property
    def symbols_by_path(self) -> dict[str, list[Symbol]]:
        by_path: dict[str, list[Symbol]] = defaultdict(list)
        for s in self.core.symbols:
            by_path[s.path].append(s)
        return dict(by_path)

    @cached_property
    def _out_edges(self) -> dict[str, list[Edge]]:
        out: dict[str, list[Edge]] = defaultdict(list)
        for e in self.core.edges:
            out[e.source].append(e)
        return dict(out)

    @cached_property
    def _in_edges(self) -> dict[str, list[Edge]]:
        inc: dict[str, list[Edge]] = defaultdict(list)
        for e in self.core.edges:
            inc[e.target].append(e)
        return dict(inc)

    def concept(self, concept_id: str) -> Concept:
        try:
            return self.concepts[concept_id]
        except (KeyError, TypeError):
            raise NotFound(
                f"no concept {concept_id!r} in this corpus; known ids: {', '.join(sorted(self.concepts)[:20])}"
            ) from None

    def symbol(self, symbol_id: str) -> Symbol:
        """Exact id, else a unique suffix match (``Router.handle``), else NotFound."""
        if symbol_id in self.symbols:
            return self.symbols[symbol_id]
        matches = self.find_symbols(symbol_id)
        if len(matches) == 1:
            return matches[0]
        if matches:
            names = ", ".join(s.id for s in matches[:10])
            raise NotFound(f"{symbol_id!r} is ambiguous; pass one of: {names}")
        inherited = self.inherited(symbol_id)
        if inherited is not None:
            return inherited.symbol
        raise NotFound(f"no symbol {symbol_id!r} in this corpus; pass a dotted name such as one from search results")

    def inherited(self, name: str) -> Inherited | None:
        """``Class.member`` where the class (an id or a unique suffix) does not define ``member`` but a
        base class does: the nearest base's member, bases searched breadth first in declaration order."""
        owner_name, _, member = name.rpartition(".") if isinstance(name, str) else ("", "", "")
        if not owner_name or not member or name in self.symbols:
            return None
        try:
            owner = self.symbol(owner_name)
        except NotFound:
            return None
        if owner.kind not in _CLASS_KINDS:
            return None
        seen, queue = {owner.id}, list(self._bases(owner.id))
        while queue:
            base = queue.pop(0)
            if base in seen:
                continue
            seen.add(base)
            found = self.symbols.get(f"{base}.{member}")
            if found is not None and found.parent == base:
                return Inherited(found, owner.id)
            queue.extend(self._bases(base))
        return None

    def _bases(self, class_id: str) -> list[str]:
        """The classes ``class_id`` inherits from (``inherits`` edges), in the order its bases are written."""
        targets = [e.target for e in self._out_edges.get(class_id, []) if e.kind == "inherits"]
        written = [b.rsplit(".", 1)[-1].split("<", 1)[0].split("[", 1)[0] for b in self.symbols[class_id].bases]

        def place(target: str) -> int:
            name = self.symbols[target].name if target in self.symbols else ""
            return written.index(name) if name in written else len(written)

        return sorted(targets, key=lambda t: (place(t), t))

    def find_symbols(self, name: str) -> list[Symbol]:
        """Symbols whose id ends with ``name`` at a dot boundary, most important first."""
        if not isinstance(name, str) or not name:
            return []
        suffix = "." + name
        found = [s for s in self.core.symbols if s.id == name or s.id.endswith(suffix)]
        return sorted(found, key=lambda s: (-s.importance, s.id))

    def callers(self, symbol_id: str) -> list[str]:
        return sorted({e.source for e in self._in_edges.get(symbol_id, []) if e.kind == "calls"})

    def callees(self, symbol_id: str) -> list[str]:
        return sorted({e.target for e in self._out_edges.get(symbol_id, []) if e.kind == "calls"})

    def referrers(self, symbol_id: str) -> list[str]:
        """Symbols that name ``symbol_id`` as a value (``cls=Option``, ``arr.map(helper)``) without calling it."""
        return sorted({e.source for e in self._in_edges.get(symbol_id, []) if e.kind == "references"})

    @cached_property
    def unresolved_calls(self) -> dict[str, int]:
        """Called name -> how many calls by that name resolved to no definition."""
        return dict(self.core.calls_unresolved)

    def callers_unknown(self, symbol: Symbol) -> str:
        """What to say instead of "no callers" about a symbol none of whose callers resolved, when calls by
        its name were left unresolved (they may be calls of it); "" when it has callers or no such call."""
        count = self.unresolved_calls.get(symbol.name, 0)
        if not count or self.callers(symbol.id):
            return ""
        calls = "1 call" if count == 1 else f"{count} calls"
        return f"callers unknown: {calls} by this name could not be resolved"

    def edges_from(self, symbol_id: str) -> list[Edge]:
        return list(self._out_edges.get(symbol_id, []))

    def edges_to(self, symbol_id: str) -> list[Edge]:
        return list(self._in_edges.get(symbol_id, []))

    def valid_range(self, path: str, start: int, end: int) -> bool:
        """True when ``path:start-end`` lies inside a compiled file (used to check citations)."""
        info = self.files.get(path)
        return info is not None and 1 <= start <= end <= info.lines

    @cached_property
    def files(self):
        return {f.path: f for f in self.core.files}

    # ---- pages -------------------------------------------------------------
    def page(self, relpath: str) -> str:
        """Text of a corpus page listed in the corpus (``concepts/x.md``); never an arbitrary path."""
        allowed = self._page_list
        if relpath not in allowed:
            raise NotFound(f"no page {relpath!r} in this corpus")
        if relpath not in self._pages:
            self._pages[relpath] = (self.root / allowed[relpath]).read_text(encoding="utf-8")
        return self._pages[relpath]

    @cached_property
    def _page_list(self) -> dict[str, str]:
        """``page_paths()`` listed once: ``page`` keeps what it read, so one ``Corpus`` is one moment."""
        return self.page_paths()

    def page_paths(self) -> dict[str, str]:
        """Every markdown/text page of the corpus, relative path -> relative path (a whitelist)."""
        pages = {}
        for p in sorted(self.root.rglob("*")):
            if p.is_file() and p.suffix in {".md", ".txt"} and not p.is_symlink():
                rel = p.relative_to(self.root).as_posix()
                if not rel.startswith("."):
                    pages[rel] = rel
        return pages


def open_corpus(directory: str | Path) -> Corpus:
    """Load a corpus directory; a clear ``CorpusError`` when it is missing or broken."""
    root = Path(directory)
    core_path = root / CORE_FILE
    if not core_path.is_file():
        raise CorpusError(f"{root}: no {CORE_FILE} here; build a corpus first with 'kc build SOURCE --out {root}'")
    try:
        core = Core.from_json(core_path.read_text(encoding="utf-8"))
    except CorpusError:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        raise CorpusError(f"{core_path}: unreadable ({exc}); rebuild it with 'kc build'") from exc
    return Corpus(root=root.resolve(), core=core)
