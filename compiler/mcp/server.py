"""The MCP server: the tools, resources and prompts of ``answers`` registered on an ``MCPServer``.

In: a corpus directory (or a ``compiler.service.Service``). Out: ``create_server()``, an ``mcp``
``MCPServer`` with

* tools: ``search``, ``get_concept``, ``get_symbol``, ``learning_path``, ``overview``,
  ``corpus_status`` and ``explain``; each returns a markdown text block for the model plus
  structured content matching its output schema (``schema``);
* resources: ``kc://llms.txt``, ``kc://index``, ``kc://path``, one ``kc://concepts/{id}`` per
  concept page and ``kc://reference/{module}`` per reference page;
* prompts: ``onboard`` (the first hour in this codebase) and ``explain_concept(id)``.

``serve(corpus_dir, http=False, port=8765)`` runs it over stdio (through ``stdio``, which answers
malformed JSON-RPC with JSON-RPC errors) or over streamable HTTP on 127.0.0.1 (through ``http``, which
screens each request body by the same rules) with DNS-rebinding protection and an optional bearer token
(``KC_MCP_TOKEN``).

The server is read-only and reads nothing outside the corpus directory: ids are looked up in
dictionaries built from ``core.json`` and the corpus's own file list, never joined into paths.
(The one exception is ``corpus_status``'s staleness check, which hashes the source tree.)
"""

# No `from __future__ import annotations`: the SDK reads the tool functions' annotations, which
# name types local to _register_tools.
import hmac
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError

from compiler.config import Settings
from compiler.errors import KcError
from compiler.mcp.answers import (
    concept_answer,
    concept_ids_in_order,
    explain_answer,
    learning_path_answer,
    overview_answer,
    search_corpus,
    symbol_answer,
)
from compiler.mcp.paging import resource_page
from compiler.mcp.schema import (
    DEFAULT_HTTP_PORT,
    HTTP_PATH,
    OVERVIEW_MAX_TOKENS,
    RESPONSE_TOKEN_LIMIT,
    SERVER_NAME,
    TOKEN_ENV,
    Answer,
    ConceptResult,
    Detail,
    ExplainResult,
    LearningPathResult,
    Level,
    McpRequestError,
    OverviewResult,
    SearchResult,
    StatusResult,
    SymbolResult,
)
from compiler.mcp.status import status_answer
from compiler.service import CorpusView, Service
from compiler.text import clip, first_sentence_clipped

INSTRUCTIONS = """\
This server answers questions about one compiled codebase ({name}) from its knowledge core, without \
reading the repository. Start with `overview` (the concept map and entry points), then `learning_path` \
to a goal or `get_concept` for one concept (detail brief < summary < full < code). Use `get_symbol` for \
exact signatures, docstrings, locations, callers and callees, and `search` for anything else. \
Paths are relative to the repository root; line ranges are inclusive. Long results are paginated: \
pass the `page` the result names. `corpus_status` says whether the corpus is stale.{explain}"""
EXPLAIN_INSTRUCTIONS = (
    " `explain` gives a teaching answer with citations when a person wants to learn, not just look up."
)


def create_server(
    corpus_dir: str | Path = "corpus",
    *,
    source: str | Path | None = None,
    settings: Settings | None = None,
    token: str | None = None,
    port: int = DEFAULT_HTTP_PORT,
    service: Service | None = None,
):
    """An ``MCPServer`` over the corpus at ``corpus_dir`` (or ``service``'s); ``token`` requires that bearer token over HTTP."""
    from mcp.server.mcpserver import MCPServer

    service = service or Service(corpus_dir, settings=settings, source=source)
    view = service.view()
    server_cls = _server_class(MCPServer)
    auth_kwargs: dict[str, Any] = {}
    if token:
        from mcp.server.auth.settings import AuthSettings

        auth_kwargs = {
            "token_verifier": _StaticTokenVerifier(token),
            "auth": AuthSettings(issuer_url=f"http://127.0.0.1:{port}", resource_server_url=None),
        }
    server = server_cls(
        SERVER_NAME,
        title=f"kc: {view.corpus.core.source.name}",
        instructions=INSTRUCTIONS.format(name=view.corpus.core.source.name, explain=EXPLAIN_INSTRUCTIONS),
        version=_version(),
        log_level="WARNING",
        **auth_kwargs,
    )
    server.kc_service = service
    _register_tools(server, service)
    _register_resources(server, service)
    _register_prompts(server, service)
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
    from mcp.shared.exceptions import MCPError
    from mcp_types import INVALID_PARAMS

    class KcMCPServer(base):  # type: ignore[misc, valid-type]
        kc_service: Service

        @property
        def kc_view(self) -> CorpusView:
            """The corpus view answering right now (for tests and embedding applications)."""
            return self.kc_service.view()

        async def call_tool(self, name, arguments, context=None):
            try:
                return await super().call_tool(name, arguments, context)
            except ToolError as exc:
                # UnexpectedToolError is a crash (e.g. our own output failing its schema), not the caller's mistake.
                if isinstance(exc.__cause__, ValidationError) and not isinstance(exc, UnexpectedToolError):
                    tool = self._tool_manager.get_tool(name)
                    raise ToolError(
                        _validation_message(name, exc.__cause__, tool.parameters if tool else {})
                    ) from exc.__cause__
                raise

        async def get_prompt(self, name, arguments=None, context=None):
            # An unknown prompt is the client's mistake: a JSON-RPC error naming the prompts, not a traceback.
            if not self._prompt_manager.get_prompt(name):
                known = ", ".join(p.name for p in self._prompt_manager.list_prompts())
                raise MCPError(
                    code=INVALID_PARAMS, message=f"unknown prompt {clip(str(name), 80)!r}; the prompts are: {known}"
                )
            return await super().get_prompt(name, arguments, context)

    return KcMCPServer


def _validation_message(tool: str, error: ValidationError, schema: dict[str, Any]) -> str:
    problems = []
    for err in error.errors():
        loc = ".".join(str(p) for p in err.get("loc", ())) or "arguments"
        got = "" if err.get("type") == "missing" else f" (got {_short_repr(err.get('input'))})"
        problems.append(f"`{loc}`: {err.get('msg', 'invalid')}{got}")
    return f"invalid arguments for {tool}: " + "; ".join(problems) + f". Pass: {_signature(tool, schema)}"


def _short_repr(value: Any) -> str:
    """``repr(value)`` cut to 60 characters; a number too long to print in full is described instead."""
    try:
        return clip(repr(value), 60)
    except ValueError:  # int -> str refuses more than sys.get_int_max_str_digits() digits
        return (
            f"a number of about {value.bit_length() * 3 // 10} digits"
            if isinstance(value, int)
            else "an unprintable value"
        )


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
        raise ToolError(
            f"result too large (~{answer.tokens()} tokens, limit {RESPONSE_TOKEN_LIMIT}); "
            "ask for a lower detail level or a later page"
        )
    return CallToolResult(
        content=[TextContent(type="text", text=answer.text)], structured_content=answer.data.model_dump(mode="json")
    )


def _guarded(fn: Callable[[], Answer]):
    """Run a knowledge function; a KcError becomes a tool error whose message says what to pass instead."""
    from mcp.server.mcpserver.exceptions import ToolError

    try:
        return _tool_result(fn())
    except KcError as exc:
        raise ToolError(str(exc)) from None


def _register_tools(server: Any, service: Service) -> None:
    from mcp_types import CallToolResult, ToolAnnotations

    # Read-only, repeatable, closed world: clients may call these without asking the user.
    annotations = ToolAnnotations(
        read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
    )
    Page = Annotated[
        int, Field(ge=1, le=10_000, description="page of a long result, from the previous result's paging.next_page")
    ]

    @server.tool(
        name="search",
        title="Search the codebase",
        annotations=annotations,
        description=(
            "Find the code, concepts and docs that match a question or name, best first. Each hit gives the "
            "source path, line range, symbol id, concept id, a title and a snippet. Use it to locate things; then "
            "call get_symbol(hit.symbol) or get_concept(hit.concept) for precise context."
        ),
    )
    def search(
        query: Annotated[str, Field(min_length=1, max_length=2000, description="words, a question, or a symbol name")],
        k: Annotated[int, Field(ge=1, le=25, description="number of hits (1-25)")] = 8,
    ) -> Annotated[CallToolResult, SearchResult]:
        return _guarded(lambda: search_corpus(service.view(), query, k))

    @server.tool(
        name="get_concept",
        title="Explain one concept",
        annotations=annotations,
        description=(
            "One concept of the codebase (a coherent idea made of symbols) at a chosen depth: 'brief' (~1 sentence), "
            "'summary' (what it is, prerequisites, key members, where to read), 'full' (+ the author's notes and every "
            "member's signature and doc), 'code' (+ source excerpts; paginated). Ids come from overview, search or "
            "learning_path; a title also works."
        ),
    )
    def get_concept(
        id: Annotated[
            str, Field(min_length=1, max_length=200, description="concept id, e.g. 'routing' (or its title)")
        ],
        detail: Annotated[Detail, Field(description="brief | summary | full | code, in increasing size")] = "summary",
        page: Page = 1,
    ) -> Annotated[CallToolResult, ConceptResult]:
        return _guarded(lambda: concept_answer(service.view(), id, detail, page))

    @server.tool(
        name="get_symbol",
        title="Look up a symbol",
        annotations=annotations,
        description=(
            "A function, class, method or module by dotted name (or a unique suffix such as 'Router.handle'): "
            "its signature, docstring, file and line range, the concept it belongs to, what it defines, its callers "
            "and callees from the code graph, and the first lines of its source. An ambiguous name lists the candidates."
        ),
    )
    def get_symbol(
        name: Annotated[str, Field(min_length=1, max_length=500, description="dotted symbol id or unique suffix")],
        page: Page = 1,
    ) -> Annotated[CallToolResult, SymbolResult]:
        return _guarded(lambda: symbol_answer(service.view(), name, page))

    @server.tool(
        name="learning_path",
        title="Plan what to learn",
        annotations=annotations,
        description=(
            "An ordered list of concepts to learn to reach a goal concept: its prerequisites first (transitively), "
            "leaving out the concepts in `known` and what lies below them. Each step says why it is needed and "
            "where to read."
        ),
    )
    def learning_path(
        goal: Annotated[
            str, Field(min_length=1, max_length=200, description="the concept to reach: id, title or symbol name")
        ],
        known: Annotated[
            list[Annotated[str, Field(min_length=1, max_length=200)]],
            Field(max_length=200, description="concept ids already understood"),
        ] = [],  # noqa: B006
    ) -> Annotated[CallToolResult, LearningPathResult]:
        return _guarded(lambda: learning_path_answer(service.view(), goal, known))

    @server.tool(
        name="overview",
        title="Codebase overview",
        annotations=annotations,
        description=(
            "What the codebase is, its concept map in learning order (id, title, one-line summary, prerequisites) "
            "and its entry points, fitted into max_tokens. Call this first."
        ),
    )
    def overview(
        max_tokens: Annotated[int, Field(ge=200, le=OVERVIEW_MAX_TOKENS, description="budget for the text")] = 1500,
    ) -> Annotated[CallToolResult, OverviewResult]:
        return _guarded(lambda: overview_answer(service.view(), max_tokens))

    @server.tool(
        name="corpus_status",
        title="Corpus status",
        annotations=annotations,
        description=(
            "Which source and commit the corpus was compiled from, when it was built, its size, and whether it is "
            "stale against the source (the changed paths) when the source tree is available."
        ),
    )
    def corpus_status(page: Page = 1) -> Annotated[CallToolResult, StatusResult]:
        return _guarded(lambda: status_answer(service.view(), page))

    @server.tool(
        name="explain",
        title="Ask the tutor",
        annotations=annotations,
        description=(
            "A teaching answer to a question about the codebase at the learner's level, built from the corpus, "
            "with citations (path:start-end). Offline (no model) unless an LLM backend is configured."
        ),
    )
    def explain(
        question: Annotated[str, Field(min_length=1, max_length=4000, description="the question")],
        level: Annotated[Level, Field(description="novice | intermediate | expert")] = "intermediate",
    ) -> Annotated[CallToolResult, ExplainResult]:
        return _guarded(lambda: explain_answer(service, question, level))


def _register_resources(server: Any, service: Service) -> None:
    from mcp.server.mcpserver.exceptions import ResourceError
    from mcp.server.mcpserver.resources import FunctionResource

    def read(pages: Callable[[CorpusView], dict[str, str]], key: str, uri: str, page: int | str = 1) -> str:
        view = service.view()
        relpath = pages(view).get(key)
        if relpath is None:
            raise ResourceError(f"{uri} is not in this corpus (any more); list the resources again")
        try:
            return resource_page(view.page_text(relpath), uri, page)
        except KcError as exc:
            raise ResourceError(str(exc)) from None

    view = service.view()
    fixed = {
        "llms.txt": ("kc://llms.txt", "llms.txt", "The corpus index for language models (llms.txt spec)."),
        "index.md": ("kc://index", "index", "Overview page: what the codebase is, concept map, where to start."),
        "path.md": ("kc://path", "learning-path", "The learning path, one step per concept."),
    }
    for relpath, (uri, name, description) in fixed.items():
        if relpath in view.pages:
            server.add_resource(
                FunctionResource.from_function(
                    fn=lambda relpath=relpath, uri=uri: read(lambda v: v.pages, relpath, uri),
                    uri=uri,
                    name=name,
                    description=description,
                    mime_type="text/markdown",
                )
            )
    for cid in concept_ids_in_order(view):
        if cid in view.concept_pages:
            concept = view.corpus.concepts[cid]
            uri = f"kc://concepts/{cid}"
            server.add_resource(
                FunctionResource.from_function(
                    fn=lambda cid=cid, uri=uri: read(lambda v: v.concept_pages, cid, uri),
                    uri=uri,
                    name=f"concept-{cid}",
                    title=concept.title,
                    description=first_sentence_clipped(concept.summary),
                    mime_type="text/markdown",
                )
            )

    @server.resource(
        "kc://concepts/{id}{?page}",
        name="concept-page",
        mime_type="text/markdown",
        description="The page of one concept, by concept id (see overview). ?page=N for long pages.",
    )
    def concept_page(id: str, page: str = "1") -> str:
        known = service.view().concept_pages
        if id not in known:
            raise ResourceError(
                f"no concept page {clip(id, 80)!r}; pass a concept id, one of: {', '.join(sorted(known)[:30])}"
            )
        return read(lambda v: v.concept_pages, id, f"kc://concepts/{id}", page)

    @server.resource(
        "kc://reference/{module}{?page}",
        name="reference-page",
        mime_type="text/markdown",
        description="The reference page of one module (dotted module id): symbols, signatures, docs, excerpts.",
    )
    def reference_page(module: str, page: str = "1") -> str:
        known = service.view().reference_pages
        if module not in known:
            raise ResourceError(
                f"no reference page {clip(module, 80)!r}; pass a dotted module id, e.g. {', '.join(sorted(known)[:10])}"
            )
        return read(lambda v: v.reference_pages, module, f"kc://reference/{module}", page)


def _register_prompts(server: Any, service: Service) -> None:
    from mcp.shared.exceptions import MCPError
    from mcp_types import INVALID_PARAMS

    name = service.view().corpus.core.source.name

    @server.prompt(
        name="onboard",
        title="Your first hour in this codebase",
        description=(
            f"A guided first hour in {name}: the concept map, where to start, and a plan that uses the kc tools."
        ),
    )
    def onboard() -> str:
        view = service.view()
        overview = overview_answer(view, 2500).text
        first = concept_ids_in_order(view)[:5]
        steps = "\n".join(f'{i}. get_concept(id="{cid}", detail="summary")' for i, cid in enumerate(first, 1))
        return (
            f"I am new to the {name} codebase and have one hour. Help me build a working mental model of it, "
            "using the kc tools rather than reading the repository file by file.\n\n"
            f"Here is the compiled overview:\n\n{overview}\n"
            "Plan for the hour:\n"
            f"{steps}\n"
            f"{len(first) + 1}. For each entry point, get_symbol(name) to see its signature, callers and callees.\n"
            f"{len(first) + 2}. Pick the concept I will work on first and call learning_path(goal=...) for it.\n\n"
            "Go one concept at a time: explain it in a few sentences, cite files as path:start-end, and "
            "check my understanding with one question before moving on."
        )

    @server.prompt(
        name="explain_concept",
        title="Explain a concept",
        description=("Explain one concept of this codebase, grounded in the compiled corpus, with citations."),
    )
    def explain_concept(id: Annotated[str, Field(description="concept id, from overview or search")]) -> str:
        try:
            summary = concept_answer(service.view(), id, "full").text
        except KcError as exc:
            raise MCPError(code=INVALID_PARAMS, message=str(exc)) from None
        return (
            f"Explain the concept below from the {name} codebase to me. Start with what problem it solves, "
            "then how it works, then where to read (cite path:start-end from the material; do not invent "
            "paths). Use get_symbol for any member you need in more detail.\n\n" + clip(summary, 40_000)
        )


# ---- running ---------------------------------------------------------------------------------------------


def http_security(port: int):
    """DNS-rebinding protection: only Host 127.0.0.1:port / localhost:port and same-host origins."""
    from mcp.server.transport_security import TransportSecuritySettings

    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=[f"127.0.0.1:{port}", f"localhost:{port}"],
        allowed_origins=[f"http://127.0.0.1:{port}", f"http://localhost:{port}"],
    )


def serve(
    corpus_dir: str | Path = "corpus",
    *,
    http: bool = False,
    port: int = DEFAULT_HTTP_PORT,
    source: str | Path | None = None,
    settings: Settings | None = None,
) -> None:
    """Serve the corpus over stdio (default) or streamable HTTP on 127.0.0.1:``port``."""
    import sys

    token = os.environ.get(TOKEN_ENV) or None
    server = create_server(corpus_dir, source=source, settings=settings, token=token if http else None, port=port)
    view: CorpusView = server.kc_view
    if not http:
        import anyio

        from compiler.mcp.stdio import run_stdio

        print(f"kc mcp: serving {view.root} over stdio", file=sys.stderr, flush=True)
        anyio.run(run_stdio, server)
        return
    import anyio

    _check_port_free(port)
    auth = f"bearer token from {TOKEN_ENV}" if token else f"no auth; set {TOKEN_ENV} to require a bearer token"
    print(f"kc mcp: serving {view.root} on http://127.0.0.1:{port}{HTTP_PATH} ({auth})", file=sys.stderr, flush=True)
    from compiler.mcp.http import run_http

    anyio.run(lambda: run_http(server, port=port, path=HTTP_PATH, transport_security=http_security(port)))


def _check_port_free(port: int) -> None:
    """Fail with a clear message, before the server starts, when 127.0.0.1:``port`` is taken."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: TIME_WAIT is no conflict
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as exc:
            raise McpRequestError(
                f"cannot listen on 127.0.0.1:{port} ({exc.strerror}); pass another port with --port"
            ) from None
