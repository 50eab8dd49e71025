"""MCP server for coding agents: small, precise context from a compiled corpus.

``create_server(corpus_dir)`` returns an ``mcp`` ``MCPServer`` with:

* tools — ``search``, ``get_concept``, ``get_symbol``, ``learning_path``, ``overview``,
  ``corpus_status`` and, when the tutor package is installed, ``explain``; each returns a
  markdown text block for the model plus structured content matching its output schema;
* resources — ``kc://llms.txt``, ``kc://index``, ``kc://path``, one ``kc://concepts/{id}``
  per concept page and ``kc://reference/{module}`` per reference page;
* prompts — ``onboard`` (the first hour in this codebase) and ``explain_concept(id)``.

``serve(corpus_dir, http=False, port=8765)`` runs it over stdio, or over streamable HTTP
on 127.0.0.1 with DNS-rebinding protection and an optional bearer token (``KC_MCP_TOKEN``).

The server is read-only and reads nothing outside the corpus directory: ids are looked
up in dictionaries built from ``core.json`` and the corpus's own file list, never joined
into paths. (The one exception is the staleness check of ``corpus_status``, which hashes
the source tree through ``compiler.build.check`` and reports only changed paths.)

The knowledge functions (``search_corpus``, ``concept_answer``, ...) take a ``CorpusView``
and return an ``Answer``; the MCP layer only turns answers into tool results, so the
functions are testable and usable without a client.
"""

# No `from __future__ import annotations`: the SDK reads the tool functions' annotations, which
# name types local to _register_tools.
import hmac
import json
import logging
import math
import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from compiler.config import Settings, load_settings
from compiler.corpus import REPORT_FILE, Corpus, open_corpus
from compiler.errors import KcError, NotFound
from compiler.model import Concept, Symbol

log = logging.getLogger("kc.mcp")

SERVER_NAME = "kc"
DEFAULT_HTTP_PORT = 8765
HTTP_PATH = "/mcp"
TOKEN_ENV = "KC_MCP_TOKEN"

# Token arithmetic: ~4 characters per token is the usual estimate for English and code.
CHARS_PER_TOKEN = 4
RESPONSE_TOKEN_LIMIT = 20_000  # hard cap for one response: text block + structured content
PAGE_TOKEN_BUDGET = 12_000  # one page of a paginated tool result, text + structured together
RESOURCE_PAGE_CHARS = 60_000  # one page of a resource (~15k tokens)
REFS_PER_PAGE = 150  # callers / callees / changed paths per page
OVERVIEW_MAX_TOKENS = 8_000  # overview's text budget; its JSON mirror keeps the total under the cap
RELOAD_CHECK_SECONDS = 1.0  # how often a call may stat core.json to notice a rebuild

# Field caps, so no single item can blow a page.
SUMMARY_CHARS = 2_000
BODY_CHARS = 16_000
DOC_CHARS = 3_000
SIGNATURE_CHARS = 600
EXCERPT_CHARS = 5_000
SNIPPET_CHARS = 600

Detail = Literal["brief", "summary", "full", "code"]
Level = Literal["novice", "intermediate", "expert"]


class McpRequestError(KcError):
    """A tool or resource request that cannot be answered as asked; the message says what to pass instead."""


def estimate_tokens(text: str) -> int:
    """Rough token count of ``text`` (characters / 4, rounded up)."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, marked when cut."""
    text = text or ""
    if len(text) <= limit:
        return text
    return text[:limit].rstrip() + " …[truncated]"


def first_sentence(text: str, limit: int = 220) -> str:
    """The first sentence of ``text`` (or its first ``limit`` characters)."""
    text = " ".join((text or "").split())
    for match in _SENTENCE_END.finditer(text):
        if not text[: match.start() + 1].lower().endswith(_ABBREVIATIONS):
            return clip(text[: match.start() + 1], limit)
    return clip(text, limit)


_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-Z0-9`\"'(\[*])")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "cf.")


def first_paragraph(text: str, limit: int = 600) -> str:
    """The first paragraph of ``text``, on one line."""
    para = re.split(r"\n\s*\n", (text or "").strip(), maxsplit=1)[0]
    return clip(" ".join(para.split()), limit)


# ---- output models (the tools' output schemas) ---------------------------------------


class ConceptRef(BaseModel):
    """A concept named by id and title."""

    id: str
    title: str


class SourceLocation(BaseModel):
    """A line range in a source file of the compiled repository."""

    path: str
    lines: list[int] = Field(description="[start, end], 1-based, inclusive")
    symbol: str | None = None


class Paging(BaseModel):
    """Where this page sits in a longer result."""

    page: int
    pages: int
    next_page: int | None = Field(description="pass this as `page` to get the rest; null on the last page")


class SearchHit(BaseModel):
    """One search hit, per the `kc search --json` contract."""

    model_config = ConfigDict(extra="allow")
    rank: int
    score: float
    path: str | None
    symbol: str | None
    lines: list[int] | None
    concept: str | None
    title: str
    snippet: str


class SearchResult(BaseModel):
    query: str
    k: int
    backend: str = Field(description="which retrieval answered: hybrid/semantic index or lexical fallback")
    hits: list[SearchHit]


class Member(BaseModel):
    """A symbol that belongs to a concept."""

    id: str
    kind: str
    location: str = Field(description="path:start-end")
    signature: str | None = None
    doc: str | None = None
    excerpt: str | None = None
    language: str | None = None


class ConceptResult(BaseModel):
    id: str
    title: str
    detail: Detail
    importance: float
    summary: str
    summary_source: str | None = None
    prerequisites: list[ConceptRef] = Field(default_factory=list)
    related: list[ConceptRef] = Field(default_factory=list)
    files: list[str] | None = None
    entry_points: list[str] | None = None
    sources: list[SourceLocation] | None = None
    body: str | None = None
    members: list[Member] = Field(default_factory=list)
    member_count: int
    resource: str | None = Field(default=None, description="URI of the concept's page resource, when the corpus has the page")
    paging: Paging


class SymbolResult(BaseModel):
    id: str
    name: str
    kind: str
    signature: str
    doc: str
    location: str = Field(description="path:start-end")
    path: str
    lines: list[int]
    parent: str | None = None
    concept: ConceptRef | None = None
    bases: list[str] = Field(default_factory=list)
    decorators: list[str] = Field(default_factory=list)
    importance: float
    excerpt: str = ""
    children: list[str] = Field(default_factory=list, description="symbols defined inside it (methods of a class)")
    callers: list[str] = Field(default_factory=list, description="symbols that call it (this page)")
    callees: list[str] = Field(default_factory=list, description="symbols it calls (this page)")
    caller_count: int
    callee_count: int
    paging: Paging


class PathStep(BaseModel):
    step: int
    id: str
    title: str
    summary: str
    needed_by: list[str] = Field(default_factory=list, description="concepts on this path that build on it")
    read: list[SourceLocation] = Field(default_factory=list, description="where to read first")


class LearningPathResult(BaseModel):
    goal: ConceptRef
    known: list[str]
    steps: list[PathStep]
    skipped_known: list[str] = Field(description="prerequisites left out because they are known")


class OverviewConcept(BaseModel):
    id: str
    title: str
    importance: float
    summary: str | None = None
    prerequisites: list[str] = Field(default_factory=list)


class EntryPoint(BaseModel):
    id: str
    kind: str
    location: str
    signature: str = ""


class OverviewResult(BaseModel):
    name: str
    description: str
    commit: str | None
    counts: dict[str, int]
    concepts: list[OverviewConcept]
    entry_points: list[EntryPoint]
    truncated: bool
    omitted_concepts: int
    omitted_entry_points: int
    max_tokens: int
    tokens: int = Field(description="estimated tokens of the text block")


class StatusResult(BaseModel):
    name: str
    commit: str | None
    schema_version: str
    corpus: str = Field(description="the corpus directory this server reads")
    built_at: str = Field(description="ISO 8601, UTC")
    built_at_source: Literal["build-report.json", "core.json mtime"]
    counts: dict[str, int]
    search_backend: str
    explain_available: bool
    source_path: str | None = Field(description="source tree compared against, when known")
    source_path_origin: Literal["--source", "build-report.json", "corpus parent", "none"]
    stale: bool | None = Field(description="true: source changed since the build; null: not checked")
    stale_note: str
    changed: list[str] = Field(default_factory=list, description="changed paths (this page)")
    changed_count: int = 0
    paging: Paging


class Citation(BaseModel):
    model_config = ConfigDict(extra="allow")
    path: str
    lines: list[int]
    symbol: str | None = None


class ExplainResult(BaseModel):
    question: str
    level: Level
    answer: str
    citations: list[Citation]
    backend: str
    concepts: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class Answer:
    """A tool's answer: markdown for the model and the structured data behind it."""

    text: str
    data: BaseModel

    def tokens(self) -> int:
        return estimate_tokens(self.text) + estimate_tokens(self.data.model_dump_json())


# ---- the corpus view ------------------------------------------------------------------


@dataclass
class CorpusView:
    """An opened corpus plus what the server derives from it once: page whitelists, search."""

    corpus: Corpus
    settings: Settings
    source: Path | None = None  # --source, for the staleness check
    pages: dict[str, str] = field(default_factory=dict)  # relpath -> relpath, inside the corpus only
    concept_pages: dict[str, str] = field(default_factory=dict)  # concept id -> relpath
    reference_pages: dict[str, str] = field(default_factory=dict)  # module id -> relpath
    explain_fn: Callable[..., Any] | None = None
    _searcher: Any = None
    _search_backend: str = ""
    _tutor_backend: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def root(self) -> Path:
        return self.corpus.root

    def page_text(self, relpath: str) -> str:
        """A whitelisted page's text; NotFound for anything else."""
        if relpath not in self.pages:
            raise NotFound(f"no page {relpath!r} in this corpus")
        return self.corpus.page(relpath)

    def searcher(self) -> tuple[Any, str]:
        """The index searcher (built once, lazily: it may load the embedding model)."""
        with self._lock:
            if self._searcher is None:
                self._searcher, self._search_backend = _make_searcher(self)
            return self._searcher, self._search_backend

    def raw_search(self, query: str, k: int) -> list[Any]:
        """Hits as the searcher makes them (``compiler.index.search.Hit`` with its full text), for the tutor."""
        return self.searcher()[0].raw(query, k)

    def tutor_backend(self) -> Any:
        """The tutor backend, made once: offline unless ``tutor_backend`` is configured."""
        with self._lock:
            if self._tutor_backend is None:
                from compiler.tutor.llm import make_backend

                self._tutor_backend = make_backend(self.settings.tutor_backend or "offline", self.settings)
            return self._tutor_backend


def open_view(corpus_dir: str | Path, *, source: str | Path | None = None, settings: Settings | None = None) -> CorpusView:
    """Open ``corpus_dir`` and index its pages; a clear ``CorpusError`` when it is not a corpus."""
    corpus = open_corpus(corpus_dir)
    settings = settings or load_settings()
    root = corpus.root
    pages: dict[str, str] = {}
    for rel in corpus.page_paths():
        # Defence in depth: a page must resolve inside the corpus (no symlinked directories out of it).
        try:
            inside = (root / rel).resolve().is_relative_to(root)
        except OSError:
            inside = False
        if inside:
            pages[rel] = rel
    concept_pages = {rel[len("concepts/"):-len(".md")]: rel for rel in pages if rel.startswith("concepts/") and rel.endswith(".md")}
    concept_pages = {cid: rel for cid, rel in concept_pages.items() if cid in corpus.concepts}
    reference_pages = {rel[len("reference/"):-len(".md")]: rel for rel in pages
                       if rel.startswith("reference/") and rel.endswith(".md") and rel.count("/") == 1}
    # Warm the lookup tables now: tools run on worker threads and should not race to build them.
    _ = corpus.concepts, corpus.symbols, corpus.files, corpus.callers(""), corpus.callees("")
    return CorpusView(corpus=corpus, settings=settings, source=Path(source).resolve() if source else None,
                      pages=pages, concept_pages=concept_pages, reference_pages=reference_pages,
                      explain_fn=find_tutor_explain())


class LiveView:
    """The current ``CorpusView``, reopened when ``core.json`` changes on disk (a rebuild while serving)."""

    def __init__(self, corpus_dir: str | Path, *, source: str | Path | None = None, settings: Settings | None = None):
        self._open = lambda: open_view(corpus_dir, source=source, settings=settings)
        self._core_json = Path(corpus_dir) / "core.json"
        self._lock = threading.Lock()
        self._view = self._open()
        self._stamp = self._fingerprint()
        self._checked = time.monotonic()

    def _fingerprint(self) -> tuple[int, int, int] | None:
        try:
            stat = self._core_json.stat()
        except OSError:
            return None
        return stat.st_ino, stat.st_mtime_ns, stat.st_size

    def get(self) -> CorpusView:
        """The view to answer from; looks at the disk at most every ``RELOAD_CHECK_SECONDS``."""
        if time.monotonic() - self._checked < RELOAD_CHECK_SECONDS:
            return self._view
        with self._lock:
            self._checked = time.monotonic()
            stamp = self._fingerprint()
            if stamp is not None and stamp != self._stamp:
                try:
                    self._view = self._open()
                except KcError as exc:  # caught mid-write or broken: keep answering from the corpus we have
                    log.warning("corpus changed on disk but cannot be reopened yet: %s", exc)
                else:
                    self._stamp = stamp
                    log.info("corpus changed on disk: reopened %s", self._view.root)
            return self._view


# ---- search -----------------------------------------------------------------------------


def _make_searcher(view: CorpusView) -> tuple[Any, str]:
    try:
        from compiler.index.search import Searcher, hit_to_json
    except ImportError:
        log.info("compiler.index.search is not installed: searching core.json lexically")
        return _CoreLexicalSearcher(view.corpus), "core-lexical"
    from compiler.errors import SearchIndexError

    # bm25s sets its own logger to DEBUG when imported; under the SDK's root handler that chatters on
    # stderr. A filter (unlike a level) survives that.
    bm25s_logger = logging.getLogger("bm25s")
    if _quiet_debug not in bm25s_logger.filters:
        bm25s_logger.addFilter(_quiet_debug)
    searcher = Searcher(view.root, view.settings)
    try:
        searcher.load()  # now, under our lock, rather than inside the first query
    except SearchIndexError as exc:
        # An unusable index (another model, locked) should not take search away from the agent.
        log.warning("search index unusable (%s); searching core.json lexically", exc)
        return _CoreLexicalSearcher(view.corpus), f"core-lexical (index unusable: {exc})"
    state = getattr(searcher, "_state", None)
    if getattr(searcher, "backend", None):
        backend = str(searcher.backend)
    elif state is not None and getattr(state, "vectors", None) is None:
        backend = "lexical (no search index; run 'kc index' for search by meaning)"
    else:
        backend = "hybrid (embeddings + BM25)"
    return _IndexSearcher(searcher, hit_to_json), backend


def _quiet_debug(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING


@dataclass
class _IndexSearcher:
    """The index engineer's ``Searcher``, hits converted to the JSON contract."""

    searcher: Any
    to_json: Callable[[Any], dict[str, Any]]

    def search(self, query: str, k: int) -> list[dict[str, Any]]:
        return [self.to_json(hit) for hit in self.raw(query, k)]

    def raw(self, query: str, k: int) -> list[Any]:
        return list(self.searcher.search(query, k))


@dataclass
class _CoreLexicalSearcher:
    """Word-overlap ranking over concepts and symbols, for a kc without the index package."""

    corpus: Corpus

    def raw(self, query: str, k: int) -> list[dict[str, Any]]:
        return self.search(query, k)

    def search(self, query: str, k: int) -> list[dict[str, Any]]:
        words = set(_words(query))
        if not words:
            return []
        scored: list[tuple[float, dict[str, Any]]] = []
        for concept in self.corpus.core.concepts:
            text = f"{concept.title} {concept.id} {concept.summary} {concept.body}"
            score = _overlap(words, text) * (1.0 + concept.importance)
            if score:
                source = concept.sources[0] if concept.sources else None
                scored.append((score, {"path": source.path if source else (concept.files[0] if concept.files else None),
                                       "symbol": source.symbol if source else None,
                                       "lines": list(source.lines) if source else None, "concept": concept.id,
                                       "title": concept.title, "snippet": concept.summary}))
        for symbol in self.corpus.core.symbols:
            text = f"{symbol.id.replace('.', ' ')} {symbol.name} {symbol.signature} {symbol.doc}"
            score = _overlap(words, text) * (1.0 + symbol.importance)
            if score:
                scored.append((score, {"path": symbol.path, "symbol": symbol.id, "lines": list(symbol.lines),
                                       "concept": symbol.concept, "title": symbol.id,
                                       "snippet": symbol.signature + ("\n" + symbol.doc if symbol.doc else "")}))
        scored.sort(key=lambda item: (-item[0], item[1]["title"]))
        return [{"rank": i, "score": round(score, 4), **hit} for i, (score, hit) in enumerate(scored[:k], 1)]


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", text).lower()) if len(w) > 1]


def _overlap(words: set[str], text: str) -> float:
    found = set(_words(text))
    return sum(1.0 for w in words if w in found) / len(words)


def search_corpus(view: CorpusView, query: str, k: int) -> Answer:
    """The best ``k`` hits for ``query``, best first."""
    if not query.strip():
        raise McpRequestError("query is blank: pass a few words or a symbol name, e.g. 'retry backoff'")
    searcher, backend = view.searcher()
    hits = []
    for i, raw in enumerate(searcher.search(query, k)[:k], 1):
        hit = dict(raw)
        hit["rank"] = int(hit.get("rank") or i)
        hit["score"] = float(hit.get("score") or 0.0)
        hit.setdefault("path", None)
        hit.setdefault("symbol", None)
        hit.setdefault("concept", None)
        hit["lines"] = list(hit["lines"]) if hit.get("lines") else None
        hit["title"] = str(hit.get("title") or hit.get("symbol") or hit.get("path") or "")
        hit["snippet"] = clip(str(hit.get("snippet") or ""), SNIPPET_CHARS)
        hits.append(SearchHit.model_validate(hit))
    lines = [f"# Search: {clip(query, 200)}", f"{len(hits)} hit(s), backend {backend}.", ""]
    for hit in hits:
        where = hit.path or ""
        if hit.path and hit.lines:
            where = f"{hit.path}:{hit.lines[0]}-{hit.lines[1]}"
        tags = " · ".join(x for x in (f"`{hit.symbol}`" if hit.symbol else "", f"concept `{hit.concept}`" if hit.concept else "", where) if x)
        lines.append(f"{hit.rank}. **{hit.title}** ({hit.score:.3f}) {tags}")
        if hit.snippet:
            lines.append("   " + hit.snippet.strip().replace("\n", "\n   "))
    if not hits:
        lines.append("No hits. Try other words, a symbol name, or `overview` for the concept map.")
    return Answer("\n".join(lines) + "\n", SearchResult(query=query, k=k, backend=backend, hits=hits))


# ---- concepts -------------------------------------------------------------------------------


def resolve_concept(view: CorpusView, text: str) -> Concept:
    """A concept by id, else by title or slug, else the concept of a symbol of that name."""
    corpus = view.corpus
    if text in corpus.concepts:
        return corpus.concepts[text]
    wanted = text.strip().casefold()
    slug = re.sub(r"[^a-z0-9]+", "-", wanted).strip("-")
    for concept in corpus.core.concepts:
        if concept.title.casefold() == wanted or concept.id == slug:
            return concept
    symbols = corpus.find_symbols(text.strip()) if text.strip() else []
    owners = {s.concept for s in symbols if s.concept in corpus.concepts}
    if len(owners) == 1:
        return corpus.concepts[owners.pop()]
    known = ", ".join(concept_ids_in_order(view)[:30])
    raise NotFound(f"no concept {clip(text, 80)!r} in this corpus; pass a concept id, one of: {known}")


def concept_ids_in_order(view: CorpusView) -> list[str]:
    """Concept ids in teaching order (learning path first, the rest by importance)."""
    concepts = view.corpus.concepts
    ordered = [cid for cid in view.corpus.core.learning_path if cid in concepts]
    rest = sorted((c for c in concepts.values() if c.id not in set(ordered)), key=lambda c: (-c.importance, c.id))
    return ordered + [c.id for c in rest]


def _concept_ref(view: CorpusView, concept_id: str) -> ConceptRef:
    concept = view.corpus.concepts.get(concept_id)
    return ConceptRef(id=concept_id, title=concept.title if concept else concept_id)


def _location(symbol: Symbol) -> str:
    return f"{symbol.path}:{symbol.lines[0]}-{symbol.lines[1]}"


def _language(view: CorpusView, path: str) -> str:
    info = view.corpus.files.get(path)
    return info.language if info else ""


def _member(view: CorpusView, symbol: Symbol, detail: Detail) -> Member:
    member = Member(id=symbol.id, kind=symbol.kind, location=_location(symbol))
    if detail in ("full", "code"):
        member.signature = clip(symbol.signature, SIGNATURE_CHARS) or None
        member.doc = (clip(symbol.doc, DOC_CHARS) if detail == "code" else first_paragraph(symbol.doc)) or None
    if detail == "code" and symbol.excerpt:
        member.excerpt = clip(symbol.excerpt, EXCERPT_CHARS)
        member.language = _language(view, symbol.path) or None
    return member


def _member_text(member: Member) -> str:
    if member.signature is None and member.doc is None and member.excerpt is None:
        return f"- `{member.id}` ({member.kind}) {member.location}\n"
    out = [f"### `{member.id}`", f"{member.kind} · {member.location}"]
    if member.signature and not member.excerpt:  # the excerpt starts with the signature already
        out.append(f"```\n{member.signature}\n```")
    if member.doc:
        out.append(member.doc)
    if member.excerpt:
        fence = "````" if "```" in member.excerpt else "```"
        out.append(f"{fence}{member.language or ''}\n{member.excerpt.rstrip()}\n{fence}")
    return "\n".join(out) + "\n\n"


def concept_answer(view: CorpusView, concept_id: str, detail: Detail = "summary", page: int = 1) -> Answer:
    """One concept at a chosen depth: brief < summary < full < code, paginated when long."""
    concept = resolve_concept(view, concept_id)
    symbols = [view.corpus.symbols[m] for m in concept.members if m in view.corpus.symbols]
    shown = symbols if detail in ("full", "code") else symbols[:12] if detail == "summary" else []
    members = [_member(view, s, detail) for s in shown]
    data = ConceptResult(
        id=concept.id, title=concept.title, detail=detail, importance=round(concept.importance, 3),
        summary=first_sentence(concept.summary) if detail == "brief" else clip(concept.summary, SUMMARY_CHARS),
        prerequisites=[_concept_ref(view, p) for p in concept.prerequisites],
        member_count=len(concept.members),
        resource=f"kc://concepts/{concept.id}" if concept.id in view.concept_pages else None,
        paging=Paging(page=1, pages=1, next_page=None),
    )
    if detail != "brief":
        data.summary_source = concept.summary_source
        data.related = [_concept_ref(view, r) for r in concept.related]
        data.entry_points = list(concept.entry_points)
        data.files = list(concept.files) if detail != "summary" else list(concept.files[:8])
        sources = concept.sources if detail != "summary" else concept.sources[:6]
        data.sources = [SourceLocation(path=s.path, lines=list(s.lines), symbol=s.symbol) for s in sources]
    if detail in ("full", "code") and concept.body:
        data.body = clip(body_beyond_summary(concept.body, concept.summary), BODY_CHARS) or None

    header = _concept_header_text(concept, data, detail)
    member_texts = [_member_text(m) for m in members]
    costs = [estimate_tokens(t) + estimate_tokens(m.model_dump_json()) for t, m in zip(member_texts, members)]
    overhead = estimate_tokens(header) + estimate_tokens(data.model_dump_json())
    pages = split_pages(costs, PAGE_TOKEN_BUDGET, overhead)
    indices = _pick_page(pages, page, f"get_concept(id={concept.id!r}, detail={detail!r})")
    data.members = [members[i] for i in indices]
    data.paging = _paging(page, len(pages))
    if page > 1:
        header = f"# {concept.title} (`{concept.id}`), members continued\n\n"
    text = header
    if data.members:
        text += "Key members:\n" if detail == "summary" else "## Members\n\n"
        text += "".join(member_texts[i] for i in indices)
    hidden = len(symbols) - len(shown)
    if hidden and detail == "summary":
        text += f"\n({hidden} more members: detail=\"full\" lists all with signatures; \"code\" adds source.)\n"
    text += _more_hint(data.paging, f'get_concept(id="{concept.id}", detail="{detail}", page={page + 1})')
    return Answer(text, data)


def _concept_header_text(concept: Concept, data: ConceptResult, detail: Detail) -> str:
    if detail == "brief":
        needs = f" Needs: {', '.join(p.id for p in data.prerequisites)}." if data.prerequisites else ""
        return (f"**{concept.title}** (`{concept.id}`): {data.summary}{needs} "
                f"{len(concept.members)} members; more with detail=\"summary\".\n")
    facts = [f"Importance {data.importance:.2f} · summary from {concept.summary_source}"
             + (f" · page {data.resource}" if data.resource else "")]
    if data.prerequisites:
        facts.append("Prerequisites: " + ", ".join(f"{p.title} (`{p.id}`)" for p in data.prerequisites))
    if data.related:
        facts.append("Related: " + ", ".join(f"{r.title} (`{r.id}`)" for r in data.related))
    if data.entry_points:
        facts.append("Entry points: " + ", ".join(f"`{e}`" for e in data.entry_points))
    if data.sources:
        facts.append("Read first: " + "; ".join(
            f"{s.path}:{s.lines[0]}-{s.lines[1]}" + (f" (`{s.symbol}`)" if s.symbol else "") for s in data.sources))
    if data.files:
        facts.append("Files: " + ", ".join(data.files))
    text = f"# {concept.title} (`{concept.id}`)\n\n{data.summary}\n\n" + "\n".join(f"- {f}" for f in facts) + "\n\n"
    if data.body:
        text += "## Key ideas\n\n" + data.body.strip() + "\n\n"
    return text


def body_beyond_summary(body: str, summary: str) -> str:
    """The author's body without its leading paragraphs that the summary already says."""
    said = " ".join(summary.split())
    paragraphs = re.split(r"\n\s*\n", body.strip())
    while paragraphs and " ".join(paragraphs[0].split()) in said:
        paragraphs.pop(0)
    return "\n\n".join(paragraphs)


def split_pages(costs: Sequence[int], budget: int, first_overhead: int = 0) -> list[range]:
    """Greedy pages of item indices whose costs fit ``budget`` (page 1 also carries ``first_overhead``)."""
    pages: list[range] = []
    start, used = 0, first_overhead
    for i, cost in enumerate(costs):
        if i > start and used + cost > budget:
            pages.append(range(start, i))
            start, used = i, 0
        used += cost
    pages.append(range(start, len(costs)))
    return pages


def _pick_page(pages: Sequence[Sequence[int]], page: int, call: str) -> Sequence[int]:
    if page > len(pages):
        raise McpRequestError(f"page {page} does not exist: {call} has {len(pages)} page(s); pass page between 1 and {len(pages)}")
    return pages[page - 1]


def _paging(page: int, pages: int) -> Paging:
    return Paging(page=page, pages=pages, next_page=page + 1 if page < pages else None)


def _more_hint(paging: Paging, call: str) -> str:
    if paging.next_page is None:
        return ""
    return f"\nPage {paging.page} of {paging.pages}. More: {call}\n"


# ---- symbols -------------------------------------------------------------------------------------


def symbol_answer(view: CorpusView, name: str, page: int = 1) -> Answer:
    """A symbol's signature, docstring, location, callers and callees."""
    corpus = view.corpus
    wanted = name.strip().removesuffix("()")
    if not wanted:
        raise McpRequestError("name is blank: pass a dotted name such as 'package.module.Class.method' or a unique suffix")
    symbol = corpus.symbol(wanted)
    callers, callees = corpus.callers(symbol.id), corpus.callees(symbol.id)
    pages = max(1, math.ceil(len(callers) / REFS_PER_PAGE), math.ceil(len(callees) / REFS_PER_PAGE))
    _pick_page([range(0)] * pages, page, f"get_symbol(name={symbol.id!r})")
    window = slice((page - 1) * REFS_PER_PAGE, page * REFS_PER_PAGE)
    children = sorted((s.id for s in corpus.symbols_by_path.get(symbol.path, []) if s.parent == symbol.id))
    concept = _concept_ref(view, symbol.concept) if symbol.concept in corpus.concepts else None
    data = SymbolResult(
        id=symbol.id, name=symbol.name, kind=symbol.kind, signature=clip(symbol.signature, SIGNATURE_CHARS),
        doc=clip(symbol.doc, DOC_CHARS), location=_location(symbol), path=symbol.path, lines=list(symbol.lines),
        parent=symbol.parent, concept=concept, bases=list(symbol.bases), decorators=list(symbol.decorators),
        importance=round(symbol.importance, 3), excerpt=clip(symbol.excerpt, EXCERPT_CHARS),
        children=children[:REFS_PER_PAGE], callers=callers[window], callees=callees[window],
        caller_count=len(callers), callee_count=len(callees), paging=_paging(page, pages),
    )
    out = [f"# `{symbol.id}`", f"{symbol.kind} · {data.location} · importance {data.importance:.2f}"
           + (f" · concept {concept.title} (`{concept.id}`)" if concept else "")]
    if data.signature:
        out += ["```", data.signature, "```"]
    if data.doc:
        out.append(data.doc)
    if data.bases:
        out.append("Bases: " + ", ".join(data.bases))
    if data.decorators:
        out.append("Decorators: " + ", ".join(f"@{d}" for d in data.decorators))
    if data.children:
        out.append(f"Defines ({len(children)}): " + ", ".join(f"`{c}`" for c in data.children))
    out.append(f"Called by ({len(callers)}): " + (", ".join(f"`{c}`" for c in data.callers) or "none found"))
    out.append(f"Calls ({len(callees)}): " + (", ".join(f"`{c}`" for c in data.callees) or "none found"))
    if data.excerpt and page == 1:
        fence = "````" if "```" in data.excerpt else "```"
        out += [f"{fence}{_language(view, symbol.path)}", data.excerpt.rstrip(), fence]
    text = "\n".join(out) + "\n" + _more_hint(data.paging, f'get_symbol(name="{symbol.id}", page={page + 1})')
    return Answer(text, data)


# ---- learning path ------------------------------------------------------------------------------


def learning_path_answer(view: CorpusView, goal: str, known: Sequence[str] = ()) -> Answer:
    """Concepts to learn, in order, from what is ``known`` to ``goal`` (prerequisites first).

    A known concept is skipped together with everything below it: knowing it implies its foundations.
    """
    target = resolve_concept(view, goal)
    known_ids: list[str] = []
    unknown: list[str] = []
    for item in known:
        try:
            known_ids.append(resolve_concept(view, item).id)
        except NotFound:
            unknown.append(item)
    if unknown:
        raise McpRequestError(
            f"unknown concept(s) in known: {', '.join(repr(clip(u, 60)) for u in unknown[:10])}; "
            f"pass concept ids, one of: {', '.join(concept_ids_in_order(view)[:30])}")
    concepts = view.corpus.concepts
    needed: set[str] = set()
    skipped: set[str] = set()
    needed_by: dict[str, set[str]] = {}
    stack = [target.id]
    while stack:  # bounded: every concept is visited once
        cid = stack.pop()
        if cid in needed:
            continue
        needed.add(cid)
        for prereq in concepts[cid].prerequisites:
            if prereq not in concepts:
                continue
            needed_by.setdefault(prereq, set()).add(cid)
            if prereq in known_ids:
                skipped.add(prereq)
            elif prereq not in needed:
                stack.append(prereq)
    order = _topological(view, needed)
    steps = []
    for i, cid in enumerate(order, 1):
        concept = concepts[cid]
        steps.append(PathStep(
            step=i, id=cid, title=concept.title, summary=first_sentence(concept.summary),
            needed_by=sorted(needed_by.get(cid, set()) & needed),
            read=[SourceLocation(path=s.path, lines=list(s.lines), symbol=s.symbol) for s in concept.sources[:2]],
        ))
    data = LearningPathResult(goal=ConceptRef(id=target.id, title=target.title), known=known_ids, steps=steps,
                              skipped_known=sorted(skipped))
    out = [f"# Learning path to {target.title} (`{target.id}`)", ""]
    if target.id in known_ids:
        out.append("(The goal itself is marked known; here is its path anyway.)")
    for step in steps:
        why = f" — needed by {', '.join(step.needed_by)}" if step.needed_by else " — the goal"
        out.append(f"{step.step}. **{step.title}** (`{step.id}`){why}: {step.summary}")
        if step.read:
            out.append("   Read: " + "; ".join(f"{r.path}:{r.lines[0]}-{r.lines[1]}" for r in step.read))
    if skipped:
        out.append("\nSkipped as known: " + ", ".join(sorted(skipped)))
    out.append('\nNext: get_concept(id, detail="summary") for each step, in order.')
    return Answer("\n".join(out) + "\n", data)


def _topological(view: CorpusView, needed: set[str]) -> list[str]:
    """``needed`` ordered so prerequisites come first; ties follow the corpus learning path."""
    rank = {cid: i for i, cid in enumerate(concept_ids_in_order(view))}
    concepts = view.corpus.concepts
    pending = {cid: {p for p in concepts[cid].prerequisites if p in needed} for cid in needed}
    order: list[str] = []
    while pending:
        ready = sorted((cid for cid, deps in pending.items() if not deps), key=lambda c: rank.get(c, len(rank)))
        if not ready:  # a prerequisite cycle: break it at the earliest concept in teaching order
            ready = [min(pending, key=lambda c: rank.get(c, len(rank)))]
        chosen = ready[0]
        order.append(chosen)
        del pending[chosen]
        for deps in pending.values():
            deps.discard(chosen)
    return order


# ---- overview -----------------------------------------------------------------------------------------


def overview_answer(view: CorpusView, max_tokens: int = 1500) -> Answer:
    """The concept map and entry points, fitted into ``max_tokens`` of text."""
    limit = max_tokens * CHARS_PER_TOKEN
    budget = limit
    for _ in range(8):  # the notes added after filling are short: a few shrinking passes always fit
        answer = _overview(view, max_tokens, budget)
        if len(answer.text) <= limit:
            return answer
        budget -= len(answer.text) - limit + 40
    return answer


def _overview(view: CorpusView, max_tokens: int, budget: int) -> Answer:
    core = view.corpus.core
    counts = {"files": len(core.files), "symbols": len(core.symbols), "concepts": len(core.concepts)}
    header = [f"# {core.source.name}", ""]
    if core.source.description:
        header += [clip(core.source.description, min(1200, budget // 4)), ""]
    header.append(f"{counts['files']} files, {counts['symbols']} symbols, {counts['concepts']} concepts"
                  + (f", commit {core.source.commit[:12]}" if core.source.commit else "") + ".")
    footer = "\nNext: learning_path(goal), get_concept(id), get_symbol(name), search(query).\n"
    text = "\n".join(header) + "\n"
    used = len(text) + len(footer)

    concepts: list[OverviewConcept] = []
    ordered = concept_ids_in_order(view)
    concept_lines: list[str] = []
    omitted_concepts = 0
    for i, cid in enumerate(ordered, 1):
        c = view.corpus.concepts[cid]
        summary = first_sentence(c.summary, 200)
        needs = f" Needs: {', '.join(c.prerequisites)}." if c.prerequisites else ""
        full = f"{i}. **{c.title}** (`{c.id}`, {c.importance:.2f}): {summary}{needs}\n"
        short = f"{i}. {c.title} (`{c.id}`)\n"
        room = budget - used
        # Reserve room so every remaining concept can still get at least its short line.
        reserve = sum(len(view.corpus.concepts[o].title) + len(o) + 10 for o in ordered[i:])
        if len(full) + reserve <= room:
            line, entry = full, OverviewConcept(id=c.id, title=c.title, importance=round(c.importance, 3), summary=summary,
                                                prerequisites=list(c.prerequisites))
        elif len(short) <= room:
            line, entry = short, OverviewConcept(id=c.id, title=c.title, importance=round(c.importance, 3))
        else:
            omitted_concepts = len(ordered) - i + 1
            break
        concept_lines.append(line)
        concepts.append(entry)
        used += len(line)
    if concept_lines:
        section = "\n## Concept map (learning order)\n\n"
        used += len(section)
        text += section + "".join(concept_lines)

    entries: list[EntryPoint] = []
    entry_lines: list[str] = []
    symbols = [view.corpus.symbols[e] for e in core.entry_points if e in view.corpus.symbols]
    symbols.sort(key=lambda s: (-s.importance, s.id))
    section = "\n## Entry points\n\n"
    for symbol in symbols:
        signature = clip(" ".join(symbol.signature.split()), 160)
        line = f"- `{symbol.id}` ({symbol.kind}) {_location(symbol)}" + (f": `{signature}`" if signature else "") + "\n"
        extra = len(line) + (len(section) if not entry_lines else 0)
        if used + extra > budget:
            break
        entry_lines.append(line)
        entries.append(EntryPoint(id=symbol.id, kind=symbol.kind, location=_location(symbol), signature=signature))
        used += extra
    if entry_lines:
        text += section + "".join(entry_lines)
    omitted_entries = len(symbols) - len(entries)
    truncated = bool(omitted_concepts or omitted_entries)
    if truncated:
        text += (f"\n(Truncated to max_tokens={max_tokens}: {omitted_concepts} concepts, {omitted_entries} "
                 "entry points left out.)\n")
    text += footer
    data = OverviewResult(
        name=core.source.name, description=clip(core.source.description, min(1200, budget // 4)),
        commit=core.source.commit, counts=counts, concepts=concepts, entry_points=entries, truncated=truncated, omitted_concepts=omitted_concepts,
        omitted_entry_points=omitted_entries, max_tokens=max_tokens, tokens=estimate_tokens(text),
    )
    return Answer(text, data)


# ---- status ---------------------------------------------------------------------------------------------


def status_answer(view: CorpusView, page: int = 1) -> Answer:
    """Source name, commit, build time, and whether the corpus is stale against its source."""
    core = view.corpus.core
    report = _read_report(view)
    built_at, built_source = _built_at(view, report)
    source, origin = _source_path(view, report)
    stale: bool | None = None
    changed: list[str] = []
    if source is None:
        note = "source not known: start the server with 'kc mcp --source DIR' to check staleness"
    else:
        try:
            from compiler.build import check
        except ImportError:
            note = "kc build is not installed here, so staleness cannot be checked"
        else:
            try:
                changed = check(source, view.root, view.settings)
            except KcError as exc:
                note = f"staleness check failed: {exc}"
            else:
                stale = bool(changed)
                note = (f"{len(changed)} change(s) since the build; rebuild with 'kc build {source} --out {view.root}'"
                        if changed else "fresh: the source matches the corpus")
    pages = max(1, math.ceil(len(changed) / REFS_PER_PAGE))
    _pick_page([range(0)] * pages, page, "corpus_status()")
    window = changed[(page - 1) * REFS_PER_PAGE: page * REFS_PER_PAGE]
    backend = view._search_backend if view._searcher is not None else _search_backend_name()
    data = StatusResult(
        name=core.source.name, commit=core.source.commit, schema_version=core.schema, corpus=str(view.root),
        built_at=built_at, built_at_source=built_source,
        counts={"files": len(core.files), "symbols": len(core.symbols), "edges": len(core.edges),
                "concepts": len(core.concepts), "pages": len(view.pages), "diagnostics": len(core.diagnostics)},
        search_backend=backend, explain_available=view.explain_fn is not None,
        source_path=str(source) if source else None, source_path_origin=origin, stale=stale, stale_note=note,
        changed=window, changed_count=len(changed), paging=_paging(page, pages),
    )
    out = [f"# Corpus status: {core.source.name}",
           f"- commit: {core.source.commit or 'unknown (not a git checkout)'}",
           f"- built: {built_at} (from {built_source})",
           f"- corpus: {view.root} ({core.schema})",
           "- " + ", ".join(f"{v} {k}" for k, v in data.counts.items()),
           f"- search: {backend}; explain: {'available' if data.explain_available else 'not available'}",
           f"- source: {data.source_path or 'unknown'} ({origin})",
           f"- stale: {'unknown' if stale is None else 'yes' if stale else 'no'} — {note}"]
    out += [f"  - {p}" for p in window]
    text = "\n".join(out) + "\n" + _more_hint(data.paging, f"corpus_status(page={page + 1})")
    return Answer(text, data)


def _search_backend_name() -> str:
    try:
        import compiler.index.search  # noqa: F401
    except ImportError:
        return "core-lexical (index package not installed)"
    return "index (loaded on first search)"


def _read_report(view: CorpusView) -> dict[str, Any]:
    path = view.root / REPORT_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _built_at(view: CorpusView, report: dict[str, Any]) -> tuple[str, Literal["build-report.json", "core.json mtime"]]:
    for key in ("built_at", "build_time", "finished_at"):
        value = report.get(key)
        if isinstance(value, str) and value:
            return value, "build-report.json"
    # core.json carries no timestamp (deterministic output), so the file's mtime is the next best thing.
    mtime = (view.root / "core.json").stat().st_mtime
    return datetime.fromtimestamp(mtime, tz=timezone.utc).isoformat(timespec="seconds"), "core.json mtime"


def _source_path(view: CorpusView, report: dict[str, Any]) -> tuple[Path | None, Any]:
    if view.source is not None:
        return view.source, "--source"
    recorded_source = report.get("source")
    recorded = report.get("source_path") or (recorded_source.get("path") if isinstance(recorded_source, dict) else None)
    if isinstance(recorded, str) and recorded and Path(recorded).is_dir():
        return Path(recorded), "build-report.json"
    # `kc build SOURCE` writes SOURCE/corpus by default: accept the parent when it holds the compiled files.
    parent = view.root.parent
    sample = sorted(view.corpus.core.source.files)[:5]
    if sample and all((parent / p).is_file() for p in sample):
        return parent, "corpus parent"
    return None, "none"


# ---- explain (the tutor's answer) ----------------------------------------------------------------


def find_tutor_explain() -> Callable[..., Any] | None:
    """``ask_tutor`` when the tutor package (TutorSession, make_backend) is installed, else None."""
    try:
        from compiler.tutor.llm import make_backend  # noqa: F401
        from compiler.tutor.session import TutorSession  # noqa: F401
    except ImportError:
        return None
    return ask_tutor


def ask_tutor(view: CorpusView, question: str, level: Level) -> Any:
    """The tutor's answer (``compiler.tutor.llm.Answer``) from a fresh, stateless session.

    No learner store: an agent is not a learner, and the server stays read-only. The backend is
    offline unless ``tutor_backend`` is configured (kc.toml or KC_TUTOR_BACKEND), so an API key in
    the environment alone never sends the codebase to a model. Retrieval shares the server's searcher.
    """
    from compiler.tutor.session import TutorSession

    session = TutorSession(view.corpus, backend=view.tutor_backend(), store=None, level=level,
                           retrieve=view.raw_search)
    return session.ask(question).result()


def explain_answer(view: CorpusView, question: str, level: Level = "intermediate") -> Answer:
    """The tutor's answer to ``question`` at ``level``, with citations into the source."""
    if view.explain_fn is None:
        raise McpRequestError("explain is not available: this kc has no tutor installed")
    if not question.strip():
        raise McpRequestError("question is blank: ask something, e.g. 'how does retrying work?'")
    result = view.explain_fn(view, question, level)
    answer = clip(str(_field(result, "text", "answer", default="")), (RESPONSE_TOKEN_LIMIT // 3) * CHARS_PER_TOKEN)
    citations: list[Citation] = []
    seen: set[tuple[str, int, int]] = set()
    for cite in (_field(result, "citations", default=()) or ())[:60]:
        lines = _field(cite, "lines", default=None) or (_field(cite, "start", default=None), _field(cite, "end", default=None))
        path = _field(cite, "path", default=None)
        if path and lines[0] is not None:
            citation = (str(path), int(lines[0]), int(lines[-1]))
            if citation in seen:
                continue
            seen.add(citation)
            citations.append(Citation(path=str(path), lines=[int(lines[0]), int(lines[-1])],
                                      symbol=_field(cite, "symbol", default=None)))
    plan = _field(result, "plan", default=None)
    concepts = [str(c) for c in (_field(plan, "targets", default=()) or ())] if plan is not None else []
    data = ExplainResult(question=question, level=level, answer=answer, citations=citations, concepts=concepts,
                         backend=str(_field(result, "backend", default="") or ""))
    text = answer.rstrip() + "\n"
    if citations:
        text += "\nSources:\n" + "".join(
            f"- {c.path}:{c.lines[0]}-{c.lines[1]}" + (f" (`{c.symbol}`)" if c.symbol else "") + "\n" for c in citations)
    return Answer(text, data)


def _field(obj: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        if isinstance(obj, dict) and name in obj:
            return obj[name]
        if not isinstance(obj, dict) and hasattr(obj, name):
            return getattr(obj, name)
    return default


# ---- resources ------------------------------------------------------------------------------------------


def resource_page(view: CorpusView, relpath: str, uri: str, page: int | str = 1) -> str:
    """A corpus page's text, one ``RESOURCE_PAGE_CHARS`` chunk at a time (``?page=N`` for the rest)."""
    try:
        number = int(page)
    except (TypeError, ValueError):
        raise McpRequestError(f"page must be a whole number, got {clip(str(page), 40)!r}; read {uri}?page=2 for the second page") from None
    text = view.page_text(relpath)
    chunks = _chunks(text, RESOURCE_PAGE_CHARS)
    if not 1 <= number <= len(chunks):
        raise McpRequestError(f"page {number} does not exist: {uri} has {len(chunks)} page(s)")
    chunk = chunks[number - 1]
    if number < len(chunks):
        chunk += f"\n\n<!-- kc: page {number} of {len(chunks)}; read {uri}?page={number + 1} for more -->\n"
    return chunk


def _chunks(text: str, size: int) -> list[str]:
    """``text`` split at line ends into pieces of at most ``size`` characters."""
    if len(text) <= size:
        return [text]
    chunks, current = [], ""
    for line in text.splitlines(keepends=True):
        while len(line) > size:  # a single giant line (minified code): hard split
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:size])
            line = line[size:]
        if len(current) + len(line) > size:
            chunks.append(current)
            current = ""
        current += line
    if current:
        chunks.append(current)
    return chunks


# ---- the MCP server ---------------------------------------------------------------------------------------

INSTRUCTIONS = """\
This server answers questions about one compiled codebase ({name}) from its knowledge core, without \
reading the repository. Start with `overview` (the concept map and entry points), then `learning_path` \
to a goal or `get_concept` for one concept (detail brief < summary < full < code). Use `get_symbol` for \
exact signatures, docstrings, locations, callers and callees, and `search` for anything else. \
Paths are relative to the repository root; line ranges are inclusive. Long results are paginated: \
pass the `page` the result names. `corpus_status` says whether the corpus is stale.{explain}"""
EXPLAIN_INSTRUCTIONS = " `explain` gives a teaching answer with citations when a person wants to learn, not just look up."

def create_server(corpus_dir: str | Path = "corpus", *, source: str | Path | None = None,
                  settings: Settings | None = None, token: str | None = None, port: int = DEFAULT_HTTP_PORT):
    """An ``MCPServer`` over the corpus at ``corpus_dir``; ``token`` requires that bearer token over HTTP."""
    from mcp.server.mcpserver import MCPServer

    live = LiveView(corpus_dir, source=source, settings=settings)
    view = live.get()
    server_cls = _server_class(MCPServer)
    auth_kwargs: dict[str, Any] = {}
    if token:
        from mcp.server.auth.settings import AuthSettings

        auth_kwargs = {"token_verifier": _StaticTokenVerifier(token),
                       "auth": AuthSettings(issuer_url=f"http://127.0.0.1:{port}", resource_server_url=None)}
    server = server_cls(SERVER_NAME, title=f"kc: {view.corpus.core.source.name}",
                        instructions=INSTRUCTIONS.format(name=view.corpus.core.source.name,
                                                         explain=EXPLAIN_INSTRUCTIONS if view.explain_fn else ""),
                        version=_version(), log_level="WARNING", **auth_kwargs)
    server.kc_live = live
    _register_tools(server, live)
    _register_resources(server, live)
    _register_prompts(server, live)
    return server


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("knowledge-compiler")
    except PackageNotFoundError:
        return "dev"


def _server_class(base: type) -> type:
    """MCPServer whose argument-validation errors say which argument is wrong and what to pass."""
    from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError

    class KcMCPServer(base):  # type: ignore[misc, valid-type]
        kc_live: LiveView

        @property
        def kc_view(self) -> CorpusView:
            """The corpus view answering right now (for tests and embedding applications)."""
            return self.kc_live.get()

        async def call_tool(self, name, arguments, context=None):
            try:
                return await super().call_tool(name, arguments, context)
            except ToolError as exc:
                # UnexpectedToolError is a crash (e.g. our own output failing its schema), not the caller's mistake.
                if isinstance(exc.__cause__, ValidationError) and not isinstance(exc, UnexpectedToolError):
                    tool = self._tool_manager.get_tool(name)
                    raise ToolError(_validation_message(name, exc.__cause__, tool.parameters if tool else {})) from exc.__cause__
                raise

    return KcMCPServer


def _validation_message(tool: str, error: ValidationError, schema: dict[str, Any]) -> str:
    problems = []
    for err in error.errors():
        loc = ".".join(str(p) for p in err.get("loc", ())) or "arguments"
        got = "" if err.get("type") == "missing" else f" (got {clip(repr(err.get('input')), 60)})"
        problems.append(f"`{loc}`: {err.get('msg', 'invalid')}{got}")
    return f"invalid arguments for {tool}: " + "; ".join(problems) + f". Pass: {_signature(tool, schema)}"


def _signature(tool: str, schema: dict[str, Any]) -> str:
    """A compact call signature from a tool's input schema: ``get_concept(id: string, detail: ... = "summary")``."""
    required = set(schema.get("required", ()))
    parts = []
    for name, prop in (schema.get("properties") or {}).items():
        kind = prop.get("type") or "/".join(p.get("type", "?") for p in prop.get("anyOf", ()))
        if "enum" in prop:
            kind = "|".join(json.dumps(v) for v in prop["enum"])
        bounds = [f"{k}={prop[k]}" for k in ("minimum", "maximum", "minLength", "maxLength", "maxItems") if k in prop]
        if bounds:
            kind += f" ({', '.join(bounds)})"
        parts.append(f"{name}: {kind}" + ("" if name in required else f" = {json.dumps(prop.get('default'))}"))
    return f"{tool}({', '.join(parts)})"


class _StaticTokenVerifier:
    """Accepts exactly one bearer token (compared in constant time)."""

    def __init__(self, token: str):
        self._token = token.encode()

    async def verify_token(self, token: str):
        from mcp.server.auth.provider import AccessToken

        if hmac.compare_digest(token.encode(), self._token):
            return AccessToken(token="kc-mcp", client_id="kc-mcp-client", scopes=[])
        return None


def _tool_result(answer: Answer):
    """A CallToolResult with the markdown block and the structured content, within the size cap."""
    from mcp.server.mcpserver.exceptions import ToolError
    from mcp_types import CallToolResult, TextContent

    if answer.tokens() > RESPONSE_TOKEN_LIMIT:  # the field caps and pagers should make this unreachable
        raise ToolError(f"result too large (~{answer.tokens()} tokens, limit {RESPONSE_TOKEN_LIMIT}); "
                        "ask for a lower detail level or a later page")
    return CallToolResult(content=[TextContent(type="text", text=answer.text)],
                          structured_content=answer.data.model_dump(mode="json"))


def _guarded(fn: Callable[[], Answer]):
    """Run a knowledge function; a KcError becomes a tool error whose message says what to pass instead."""
    from mcp.server.mcpserver.exceptions import ToolError

    try:
        return _tool_result(fn())
    except KcError as exc:
        raise ToolError(str(exc)) from None


def _register_tools(server: Any, live: LiveView) -> None:
    from mcp_types import CallToolResult, ToolAnnotations

    # Read-only, repeatable, closed world: clients may call these without asking the user.
    annotations = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
    Page = Annotated[int, Field(ge=1, le=10_000, description="page of a long result, from the previous result's paging.next_page")]

    @server.tool(name="search", title="Search the codebase", annotations=annotations, description=(
        "Find the code, concepts and docs that match a question or name, best first. Each hit gives the "
        "source path, line range, symbol id, concept id, a title and a snippet. Use it to locate things; then "
        "call get_symbol(hit.symbol) or get_concept(hit.concept) for precise context."))
    def search(
        query: Annotated[str, Field(min_length=1, max_length=2000, description="words, a question, or a symbol name")],
        k: Annotated[int, Field(ge=1, le=25, description="number of hits (1-25)")] = 8,
    ) -> Annotated[CallToolResult, SearchResult]:
        return _guarded(lambda: search_corpus(live.get(), query, k))

    @server.tool(name="get_concept", title="Explain one concept", annotations=annotations, description=(
        "One concept of the codebase (a coherent idea made of symbols) at a chosen depth: 'brief' (~1 sentence), "
        "'summary' (what it is, prerequisites, key members, where to read), 'full' (+ the author's notes and every "
        "member's signature and doc), 'code' (+ source excerpts; paginated). Ids come from overview, search or "
        "learning_path; a title also works."))
    def get_concept(
        id: Annotated[str, Field(min_length=1, max_length=200, description="concept id, e.g. 'routing' (or its title)")],
        detail: Annotated[Detail, Field(description="brief | summary | full | code, in increasing size")] = "summary",
        page: Page = 1,
    ) -> Annotated[CallToolResult, ConceptResult]:
        return _guarded(lambda: concept_answer(live.get(), id, detail, page))

    @server.tool(name="get_symbol", title="Look up a symbol", annotations=annotations, description=(
        "A function, class, method or module by dotted name (or a unique suffix such as 'Router.handle'): "
        "its signature, docstring, file and line range, the concept it belongs to, what it defines, its callers "
        "and callees from the code graph, and the first lines of its source. An ambiguous name lists the candidates."))
    def get_symbol(
        name: Annotated[str, Field(min_length=1, max_length=500, description="dotted symbol id or unique suffix")],
        page: Page = 1,
    ) -> Annotated[CallToolResult, SymbolResult]:
        return _guarded(lambda: symbol_answer(live.get(), name, page))

    @server.tool(name="learning_path", title="Plan what to learn", annotations=annotations, description=(
        "An ordered list of concepts to learn to reach a goal concept: its prerequisites first (transitively), "
        "leaving out the concepts in `known` and what lies below them. Each step says why it is needed and "
        "where to read."))
    def learning_path(
        goal: Annotated[str, Field(min_length=1, max_length=200, description="the concept to reach: id, title or symbol name")],
        known: Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]],
                         Field(max_length=200, description="concept ids already understood")] = [],  # noqa: B006
    ) -> Annotated[CallToolResult, LearningPathResult]:
        return _guarded(lambda: learning_path_answer(live.get(), goal, known))

    @server.tool(name="overview", title="Codebase overview", annotations=annotations, description=(
        "What the codebase is, its concept map in learning order (id, title, one-line summary, prerequisites) "
        "and its entry points, fitted into max_tokens. Call this first."))
    def overview(
        max_tokens: Annotated[int, Field(ge=200, le=OVERVIEW_MAX_TOKENS, description="budget for the text")] = 1500,
    ) -> Annotated[CallToolResult, OverviewResult]:
        return _guarded(lambda: overview_answer(live.get(), max_tokens))

    @server.tool(name="corpus_status", title="Corpus status", annotations=annotations, description=(
        "Which source and commit the corpus was compiled from, when it was built, its size, and whether it is "
        "stale against the source (the changed paths) when the source tree is available."))
    def corpus_status(page: Page = 1) -> Annotated[CallToolResult, StatusResult]:
        return _guarded(lambda: status_answer(live.get(), page))

    if live.get().explain_fn is not None:
        @server.tool(name="explain", title="Ask the tutor", annotations=annotations, description=(
            "A teaching answer to a question about the codebase at the learner's level, built from the corpus, "
            "with citations (path:start-end). Offline (no model) unless an LLM backend is configured."))
        def explain(
            question: Annotated[str, Field(min_length=1, max_length=4000, description="the question")],
            level: Annotated[Level, Field(description="novice | intermediate | expert")] = "intermediate",
        ) -> Annotated[CallToolResult, ExplainResult]:
            return _guarded(lambda: explain_answer(live.get(), question, level))


def _register_resources(server: Any, live: LiveView) -> None:
    from mcp.server.mcpserver.exceptions import ResourceError
    from mcp.server.mcpserver.resources import FunctionResource

    def read(pages: Callable[[CorpusView], dict[str, str]], key: str, uri: str, page: int | str = 1) -> str:
        view = live.get()
        relpath = pages(view).get(key)
        if relpath is None:
            raise ResourceError(f"{uri} is not in this corpus (any more); list the resources again")
        try:
            return resource_page(view, relpath, uri, page)
        except KcError as exc:
            raise ResourceError(str(exc)) from None

    view = live.get()
    fixed = {"llms.txt": ("kc://llms.txt", "llms.txt", "The corpus index for language models (llms.txt spec)."),
             "index.md": ("kc://index", "index", "Overview page: what the codebase is, concept map, where to start."),
             "path.md": ("kc://path", "learning-path", "The learning path, one step per concept.")}
    for relpath, (uri, name, description) in fixed.items():
        if relpath in view.pages:
            server.add_resource(FunctionResource.from_function(
                fn=lambda relpath=relpath, uri=uri: read(lambda v: v.pages, relpath, uri), uri=uri, name=name,
                description=description, mime_type="text/markdown"))
    for cid in concept_ids_in_order(view):
        if cid in view.concept_pages:
            concept = view.corpus.concepts[cid]
            uri = f"kc://concepts/{cid}"
            server.add_resource(FunctionResource.from_function(
                fn=lambda cid=cid, uri=uri: read(lambda v: v.concept_pages, cid, uri), uri=uri, name=f"concept-{cid}",
                title=concept.title, description=first_sentence(concept.summary), mime_type="text/markdown"))

    @server.resource("kc://concepts/{id}{?page}", name="concept-page", mime_type="text/markdown",
                     description="The page of one concept, by concept id (see overview). ?page=N for long pages.")
    def concept_page(id: str, page: str = "1") -> str:
        known = live.get().concept_pages
        if id not in known:
            raise ResourceError(f"no concept page {clip(id, 80)!r}; pass a concept id, one of: {', '.join(sorted(known)[:30])}")
        return read(lambda v: v.concept_pages, id, f"kc://concepts/{id}", page)

    @server.resource("kc://reference/{module}{?page}", name="reference-page", mime_type="text/markdown",
                     description="The reference page of one module (dotted module id): symbols, signatures, docs, excerpts.")
    def reference_page(module: str, page: str = "1") -> str:
        known = live.get().reference_pages
        if module not in known:
            raise ResourceError(f"no reference page {clip(module, 80)!r}; pass a dotted module id, e.g. "
                                f"{', '.join(sorted(known)[:10])}")
        return read(lambda v: v.reference_pages, module, f"kc://reference/{module}", page)


def _register_prompts(server: Any, live: LiveView) -> None:
    from mcp.shared.exceptions import MCPError
    from mcp_types import INVALID_PARAMS

    name = live.get().corpus.core.source.name

    @server.prompt(name="onboard", title="Your first hour in this codebase", description=(
        f"A guided first hour in {name}: the concept map, where to start, and a plan that uses the kc tools."))
    def onboard() -> str:
        view = live.get()
        overview = overview_answer(view, 2500).text
        first = concept_ids_in_order(view)[:5]
        steps = "\n".join(f"{i}. get_concept(id=\"{cid}\", detail=\"summary\")" for i, cid in enumerate(first, 1))
        return (f"I am new to the {name} codebase and have one hour. Help me build a working mental model of it, "
                "using the kc tools rather than reading the repository file by file.\n\n"
                f"Here is the compiled overview:\n\n{overview}\n"
                "Plan for the hour:\n"
                f"{steps}\n"
                f"{len(first) + 1}. For each entry point, get_symbol(name) to see its signature, callers and callees.\n"
                f"{len(first) + 2}. Pick the concept I will work on first and call learning_path(goal=...) for it.\n\n"
                "Go one concept at a time: explain it in a few sentences, cite files as path:start-end, and "
                "check my understanding with one question before moving on.")

    @server.prompt(name="explain_concept", title="Explain a concept", description=(
        "Explain one concept of this codebase, grounded in the compiled corpus, with citations."))
    def explain_concept(id: Annotated[str, Field(description="concept id, from overview or search")]) -> str:
        try:
            summary = concept_answer(live.get(), id, "full").text
        except KcError as exc:
            raise MCPError(code=INVALID_PARAMS, message=str(exc)) from None
        return (f"Explain the concept below from the {name} codebase to me. Start with what problem it solves, "
                "then how it works, then where to read (cite path:start-end from the material; do not invent "
                "paths). Use get_symbol for any member you need in more detail.\n\n" + clip(summary, 40_000))


# ---- running ---------------------------------------------------------------------------------------------


def http_security(port: int):
    """DNS-rebinding protection: only Host 127.0.0.1:port / localhost:port and same-host origins."""
    from mcp.server.transport_security import TransportSecuritySettings

    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=[f"127.0.0.1:{port}", f"localhost:{port}"],
        allowed_origins=[f"http://127.0.0.1:{port}", f"http://localhost:{port}"],
    )


def serve(corpus_dir: str | Path = "corpus", *, http: bool = False, port: int = DEFAULT_HTTP_PORT,
          source: str | Path | None = None, settings: Settings | None = None) -> None:
    """Serve the corpus over stdio (default) or streamable HTTP on 127.0.0.1:``port``."""
    import sys

    token = os.environ.get(TOKEN_ENV) or None
    server = create_server(corpus_dir, source=source, settings=settings, token=token if http else None, port=port)
    view: CorpusView = server.kc_view
    if not http:
        print(f"kc mcp: serving {view.root} over stdio", file=sys.stderr, flush=True)
        server.run("stdio")
        return
    import anyio

    _check_port_free(port)
    auth = f"bearer token from {TOKEN_ENV}" if token else f"no auth; set {TOKEN_ENV} to require a bearer token"
    print(f"kc mcp: serving {view.root} on http://127.0.0.1:{port}{HTTP_PATH} ({auth})", file=sys.stderr, flush=True)
    anyio.run(lambda: server.run_streamable_http_async(host="127.0.0.1", port=port, streamable_http_path=HTTP_PATH,
                                                      transport_security=http_security(port)))


def _check_port_free(port: int) -> None:
    """Fail with a clear message, before the server starts, when 127.0.0.1:``port`` is taken."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: TIME_WAIT is no conflict
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as exc:
            raise McpRequestError(f"cannot listen on 127.0.0.1:{port} ({exc.strerror}); pass another port with --port") from None
