"""The MCP server's contract: limits, the tools' output models (their output schemas) and ``Answer``.

In: nothing (declarations). Out: pydantic models that tools return as structured content, the
size limits every answer respects, and ``McpRequestError`` for requests that cannot be answered
as asked. Imported by ``answers`` and ``server``; imports nothing of theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from compiler.errors import KcError

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
    resource: str | None = Field(
        default=None, description="URI of the concept's page resource, when the corpus has the page"
    )
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
    inherited_by: str | None = Field(
        default=None, description="the class asked about, when it inherits this member from a base class (parent)"
    )
    callers: list[str] = Field(default_factory=list, description="symbols that call it (this page)")
    callees: list[str] = Field(default_factory=list, description="symbols it calls (this page)")
    referrers: list[str] = Field(
        default_factory=list, description="symbols that name it as a value without calling it (this page)"
    )
    caller_count: int
    callee_count: int
    referrer_count: int = 0
    callers_unknown: str = Field(
        default="", description="set when no caller resolved but calls by its name did not resolve: callers unknown"
    )
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


def estimate_tokens(text: str) -> int:
    """Rough token count of ``text`` (characters / 4, rounded up)."""
    return -(-len(text) // CHARS_PER_TOKEN)
