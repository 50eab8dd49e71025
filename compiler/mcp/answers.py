"""The MCP tools' knowledge: one function per tool, from a ``CorpusView`` to an ``Answer``.

In: a ``compiler.service.CorpusView`` (or the ``Service``, for ``explain``) and the tool's
arguments. Out: ``schema.Answer``, markdown for the model plus the structured data behind it,
within the limits in ``schema``. No MCP types here, so the functions are testable and usable
without a client; ``server`` turns answers into tool results.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from compiler.errors import NotFound
from compiler.mcp.paging import more_hint, paging, pick_page, split_pages
from compiler.mcp.schema import (
    BODY_CHARS,
    CHARS_PER_TOKEN,
    DOC_CHARS,
    EXCERPT_CHARS,
    PAGE_TOKEN_BUDGET,
    REFS_PER_PAGE,
    RESPONSE_TOKEN_LIMIT,
    SIGNATURE_CHARS,
    SNIPPET_CHARS,
    SUMMARY_CHARS,
    Answer,
    Citation,
    ConceptRef,
    ConceptResult,
    Detail,
    EntryPoint,
    ExplainResult,
    LearningPathResult,
    Level,
    McpRequestError,
    Member,
    OverviewConcept,
    OverviewResult,
    PathStep,
    SearchHit,
    SearchResult,
    SourceLocation,
    SymbolResult,
    estimate_tokens,
)
from compiler.model import Concept, Symbol
from compiler.service import CorpusView, Service
from compiler.text import clip, first_paragraph_clipped, first_sentence_clipped


def search_corpus(view: CorpusView, query: str, k: int) -> Answer:
    """The best ``k`` hits for ``query``, best first."""
    if not query.strip():
        raise McpRequestError("query is blank: pass a few words or a symbol name, e.g. 'retry backoff'")
    from compiler.index.hits import hit_to_json

    found = view.retriever.search(query, k)[:k]
    backend = view.retriever.backend
    hits = []
    for raw in found:
        hit = hit_to_json(raw)
        hit["title"] = hit["title"] or hit["symbol"] or hit["path"] or ""
        hit["snippet"] = clip(hit["snippet"] or "", SNIPPET_CHARS)
        hits.append(SearchHit.model_validate(hit))
    lines = [f"# Search: {clip(query, 200)}", f"{len(hits)} hit(s), backend {backend}.", ""]
    for hit in hits:
        where = hit.path or ""
        if hit.path and hit.lines:
            where = f"{hit.path}:{hit.lines[0]}-{hit.lines[1]}"
        tags = " · ".join(
            x
            for x in (f"`{hit.symbol}`" if hit.symbol else "", f"concept `{hit.concept}`" if hit.concept else "", where)
            if x
        )
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
        member.doc = (clip(symbol.doc, DOC_CHARS) if detail == "code" else first_paragraph_clipped(symbol.doc)) or None
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
        id=concept.id,
        title=concept.title,
        detail=detail,
        importance=round(concept.importance, 3),
        summary=first_sentence_clipped(concept.summary) if detail == "brief" else clip(concept.summary, SUMMARY_CHARS),
        prerequisites=[_concept_ref(view, p) for p in concept.prerequisites],
        member_count=len(concept.members),
        resource=f"kc://concepts/{concept.id}" if concept.id in view.concept_pages else None,
        paging=paging(1, 1),
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
    indices = pick_page(pages, page, f"get_concept(id={concept.id!r}, detail={detail!r})")
    data.members = [members[i] for i in indices]
    data.paging = paging(page, len(pages))
    if page > 1:
        header = f"# {concept.title} (`{concept.id}`), members continued\n\n"
    text = header
    if data.members:
        text += "Key members:\n" if detail == "summary" else "## Members\n\n"
        text += "".join(member_texts[i] for i in indices)
    hidden = len(symbols) - len(shown)
    if hidden and detail == "summary":
        text += f'\n({hidden} more members: detail="full" lists all with signatures; "code" adds source.)\n'
    text += more_hint(data.paging, f'get_concept(id="{concept.id}", detail="{detail}", page={page + 1})')
    return Answer(text, data)


def _concept_header_text(concept: Concept, data: ConceptResult, detail: Detail) -> str:
    if detail == "brief":
        needs = f" Needs: {', '.join(p.id for p in data.prerequisites)}." if data.prerequisites else ""
        return (
            f"**{concept.title}** (`{concept.id}`): {data.summary}{needs} "
            f'{len(concept.members)} members; more with detail="summary".\n'
        )
    facts = [
        f"Importance {data.importance:.2f} · summary from {concept.summary_source}"
        + (f" · page {data.resource}" if data.resource else "")
    ]
    if data.prerequisites:
        facts.append("Prerequisites: " + ", ".join(f"{p.title} (`{p.id}`)" for p in data.prerequisites))
    if data.related:
        facts.append("Related: " + ", ".join(f"{r.title} (`{r.id}`)" for r in data.related))
    if data.entry_points:
        facts.append("Entry points: " + ", ".join(f"`{e}`" for e in data.entry_points))
    if data.sources:
        facts.append(
            "Read first: "
            + "; ".join(
                f"{s.path}:{s.lines[0]}-{s.lines[1]}" + (f" (`{s.symbol}`)" if s.symbol else "") for s in data.sources
            )
        )
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


# ---- symbols -------------------------------------------------------------------------------------


def symbol_answer(view: CorpusView, name: str, page: int = 1) -> Answer:
    """A symbol's signature, docstring, location, callers and callees."""
    corpus = view.corpus
    wanted = name.strip().removesuffix("()")
    if not wanted:
        raise McpRequestError(
            "name is blank: pass a dotted name such as 'package.module.Class.method' or a unique suffix"
        )
    symbol = corpus.symbol(wanted)
    asked_of = symbol.id == wanted or symbol.id.endswith("." + wanted)
    inherited = None if asked_of else corpus.inherited(wanted)
    callers, callees = corpus.callers(symbol.id), corpus.callees(symbol.id)
    referrers = corpus.referrers(symbol.id)
    pages = max(1, *(math.ceil(len(refs) / REFS_PER_PAGE) for refs in (callers, callees, referrers)))
    pick_page([range(0)] * pages, page, f"get_symbol(name={symbol.id!r})")
    window = slice((page - 1) * REFS_PER_PAGE, page * REFS_PER_PAGE)
    children = sorted(s.id for s in corpus.symbols_by_path.get(symbol.path, []) if s.parent == symbol.id)
    concept = _concept_ref(view, symbol.concept) if symbol.concept in corpus.concepts else None
    data = SymbolResult(
        id=symbol.id,
        name=symbol.name,
        kind=symbol.kind,
        signature=clip(symbol.signature, SIGNATURE_CHARS),
        doc=clip(symbol.doc, DOC_CHARS),
        location=_location(symbol),
        path=symbol.path,
        lines=list(symbol.lines),
        parent=symbol.parent,
        concept=concept,
        bases=list(symbol.bases),
        decorators=list(symbol.decorators),
        importance=round(symbol.importance, 3),
        excerpt=clip(symbol.excerpt, EXCERPT_CHARS),
        children=children[:REFS_PER_PAGE],
        inherited_by=inherited.owner if inherited else None,
        callers=callers[window],
        callees=callees[window],
        referrers=referrers[window],
        caller_count=len(callers),
        callee_count=len(callees),
        referrer_count=len(referrers),
        callers_unknown=corpus.callers_unknown(symbol),
        paging=paging(page, pages),
    )
    out = [
        f"# `{symbol.id}`",
        f"{symbol.kind} · {data.location} · importance {data.importance:.2f}"
        + (f" · concept {concept.title} (`{concept.id}`)" if concept else ""),
    ]
    if inherited is not None:
        base = corpus.symbols.get(symbol.parent or "")
        where = f" ({_location(base)})" if base is not None else ""
        out.append(f"`{inherited.owner}` inherits `{symbol.name}` from `{symbol.parent}`{where}.")
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
    if data.callers_unknown:
        out.append(f"Called by: {data.callers_unknown}")
    else:
        out.append(f"Called by ({len(callers)}): " + (", ".join(f"`{c}`" for c in data.callers) or "none found"))
    if referrers:
        out.append(f"Named as a value by ({len(referrers)}): " + ", ".join(f"`{c}`" for c in data.referrers))
    out.append(f"Calls ({len(callees)}): " + (", ".join(f"`{c}`" for c in data.callees) or "none found"))
    if data.excerpt and page == 1:
        fence = "````" if "```" in data.excerpt else "```"
        out += [f"{fence}{_language(view, symbol.path)}", data.excerpt.rstrip(), fence]
    text = "\n".join(out) + "\n" + more_hint(data.paging, f'get_symbol(name="{symbol.id}", page={page + 1})')
    return Answer(text, data)


# ---- learning path ------------------------------------------------------------------------------


def learning_path_answer(view: CorpusView, goal: str, known: Sequence[str] = ()) -> Answer:
    """Concepts to learn, in order, from what is ``known`` to ``goal`` (prerequisites first).

    A known concept is skipped together with everything below it: knowing it implies its foundations.
    """
    target = _goal_concept(view, goal)
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
            f"pass concept ids, one of: {', '.join(concept_ids_in_order(view)[:30])}"
        )
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
        steps.append(
            PathStep(
                step=i,
                id=cid,
                title=concept.title,
                summary=first_sentence_clipped(concept.summary),
                needed_by=sorted(needed_by.get(cid, set()) & needed),
                read=[SourceLocation(path=s.path, lines=list(s.lines), symbol=s.symbol) for s in concept.sources[:2]],
            )
        )
    data = LearningPathResult(
        goal=ConceptRef(id=target.id, title=target.title), known=known_ids, steps=steps, skipped_known=sorted(skipped)
    )
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


def _goal_concept(view: CorpusView, goal: str) -> Concept:
    """The concept a goal names (id, title, symbol), else the one a search for the free-text goal finds first
    ("write a CLI with subcommands"); NotFound when neither finds one."""
    from compiler.tutor.goals import goal_concepts

    try:
        return resolve_concept(view, goal)
    except NotFound:
        found = goal_concepts(view.corpus, goal, limit=1)
        if not found:
            raise
        return view.corpus.concepts[found[0]]


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
    header.append(
        f"{counts['files']} files, {counts['symbols']} symbols, {counts['concepts']} concepts"
        + (f", commit {core.source.commit[:12]}" if core.source.commit else "")
        + "."
    )
    footer = "\nNext: learning_path(goal), get_concept(id), get_symbol(name), search(query).\n"
    text = "\n".join(header) + "\n"
    used = len(text) + len(footer)

    concepts: list[OverviewConcept] = []
    ordered = concept_ids_in_order(view)
    concept_lines: list[str] = []
    omitted_concepts = 0
    for i, cid in enumerate(ordered, 1):
        c = view.corpus.concepts[cid]
        summary = first_sentence_clipped(c.summary, 200)
        needs = f" Needs: {', '.join(c.prerequisites)}." if c.prerequisites else ""
        full = f"{i}. **{c.title}** (`{c.id}`, {c.importance:.2f}): {summary}{needs}\n"
        short = f"{i}. {c.title} (`{c.id}`)\n"
        room = budget - used
        # Reserve room so every remaining concept can still get at least its short line.
        reserve = sum(len(view.corpus.concepts[o].title) + len(o) + 10 for o in ordered[i:])
        if len(full) + reserve <= room:
            line, entry = (
                full,
                OverviewConcept(
                    id=c.id,
                    title=c.title,
                    importance=round(c.importance, 3),
                    summary=summary,
                    prerequisites=list(c.prerequisites),
                ),
            )
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
        text += (
            f"\n(Truncated to max_tokens={max_tokens}: {omitted_concepts} concepts, {omitted_entries} "
            "entry points left out.)\n"
        )
    text += footer
    data = OverviewResult(
        name=core.source.name,
        description=clip(core.source.description, min(1200, budget // 4)),
        commit=core.source.commit,
        counts=counts,
        concepts=concepts,
        entry_points=entries,
        truncated=truncated,
        omitted_concepts=omitted_concepts,
        omitted_entry_points=omitted_entries,
        max_tokens=max_tokens,
        tokens=estimate_tokens(text),
    )
    return Answer(text, data)


# ---- explain (the tutor's answer) ----------------------------------------------------------------


def explain_answer(service: Service, question: str, level: Level = "intermediate") -> Answer:
    """The tutor's answer to ``question`` at ``level``, with citations into the source.

    A fresh, stateless session: no learner store (an agent is not a learner, and the server stays
    read-only); the backend is the service's (offline unless one is configured).
    """
    if not question.strip():
        raise McpRequestError("question is blank: ask something, e.g. 'how does retrying work?'")
    result = service.explain(question, level).to_dict()
    answer = clip(result["answer"], (RESPONSE_TOKEN_LIMIT // 3) * CHARS_PER_TOKEN)
    citations: list[Citation] = []
    seen: set[tuple[str, int, int]] = set()
    for cite in result["citations"][:60]:
        key = (cite["path"], int(cite["start"]), int(cite["end"]))
        if key not in seen:
            seen.add(key)
            citations.append(Citation(path=key[0], lines=[key[1], key[2]], symbol=cite.get("symbol")))
    plan = result.get("plan") or {}
    data = ExplainResult(
        question=question,
        level=level,
        answer=answer,
        citations=citations,
        concepts=[str(c) for c in plan.get("targets", ())],
        backend=str(result["backend"]),
    )
    text = answer.rstrip() + "\n"
    if citations:
        text += "\nSources:\n" + "".join(
            f"- {c.path}:{c.lines[0]}-{c.lines[1]}" + (f" (`{c.symbol}`)" if c.symbol else "") + "\n" for c in citations
        )
    return Answer(text, data)
