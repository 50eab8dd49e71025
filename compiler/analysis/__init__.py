"""Analysis: the facts of every file -> code graph -> ranks -> concept map -> learning path.

Stages, in order (each a plain function over frozen dataclasses):

* ``graph.link(facts) -> CodeGraph``: resolve imports, calls, bases, containment into weighted edges.
* ``rank.rank(graph) -> Ranking``: PageRank over the reference graph; symbol and file importance.
* ``notes.parse_notes(text)`` / ``notes.resolve_notes(...)``: the author's CONCEPTS.md.
* ``path.find_entry_points(graph, importance)``: where a reader starts.
* ``concepts.distill(...) -> ConceptMap``: concepts, their members, prerequisites, related.
* ``summarize.summarize_concepts(...)``: optional LLM summaries, cached by prompt hash.
* ``path.learning_path(concepts)``: the teaching order.

``analyze()`` runs them all. Its output is deterministic: the same facts, in any order,
give an equal ``Analysis`` (sorted iteration, stable tie-breaks, rounded floats).
"""

from __future__ import annotations

import gc
import posixpath
from dataclasses import dataclass, field

from compiler.analysis.concepts import SPLIT_MIN_LINES, distill
from compiler.analysis.concepts.cores import method_fields
from compiler.analysis.graph import CodeGraph, link
from compiler.analysis.notes import parse_notes, resolve_notes
from compiler.analysis.path import find_entry_points, learning_path
from compiler.analysis.rank import Ranking, rank
from compiler.config import Settings
from compiler.model import Concept, Diagnostic, Edge, FileFacts, FileInfo, Section, Symbol, symbol_with
from compiler.roles import file_role
from compiler.text import first_paragraph, plain_text

__all__ = ["Analysis", "analyze", "structure_key"]


@dataclass(frozen=True)
class Analysis:
    """What the analysis learned about a repository; the build turns it into the core."""

    symbols: tuple[Symbol, ...]  # importance and concept filled; sorted by (path, start line, id)
    edges: tuple[Edge, ...]  # sorted by (source, target, kind)
    files: tuple[FileInfo, ...]  # every input file, sorted by path
    concepts: tuple[Concept, ...]  # most important first
    learning_path: tuple[str, ...]  # concept ids in teaching order
    entry_points: tuple[str, ...]  # symbol ids, most important first
    description: str  # one paragraph: what the codebase is
    diagnostics: tuple[Diagnostic, ...] = ()  # problems the analysis found (CONCEPTS.md ...)
    summary_cache: dict[str, str] = field(default_factory=dict, compare=False)  # prompt hash -> LLM summary
    calls_unresolved: tuple[tuple[str, int], ...] = ()  # (called name, calls) that resolved to nothing


def analyze(
    facts: list[FileFacts],
    *,
    notes_text: str | None = None,
    settings: Settings | None = None,
    summarizer=None,
    summary_cache: dict[str, str] | None = None,
) -> Analysis:
    """Link, rank and distill ``facts`` (plus the author's CONCEPTS.md text) into a concept map.

    Args:
        facts: one ``FileFacts`` per compiled file, in any order.
        notes_text: the text of the repository's CONCEPTS.md, if it has one.
        settings: build settings (``max_concepts``); defaults when None.
        summarizer: an object with ``complete(system, prompt) -> str`` for LLM summaries, or None.
        summary_cache: prompt hash -> summary from an earlier build; updated in place when a
            summarizer runs, so the caller can save it.
    """
    # The analysis allocates millions of small objects (symbols, edges, index entries) and
    # frees almost none, so the cycle collector's full passes over the heap (facts included)
    # find nothing and cost a quarter of the time on a big repository: pause it meanwhile.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _analyze(facts, notes_text, settings or Settings(), summarizer, summary_cache)
    finally:
        if collecting:
            gc.enable()


def _analyze(
    facts: list[FileFacts],
    notes_text: str | None,
    settings: Settings,
    summarizer,
    summary_cache: dict[str, str] | None,
) -> Analysis:
    ordered = sorted(facts, key=lambda f: f.path)
    graph = link(ordered)
    ranking = rank(graph)

    diagnostics: list[Diagnostic] = []
    notes, note_diagnostics = parse_notes(notes_text) if notes_text else ([], [])
    diagnostics += note_diagnostics
    resolved, resolve_diagnostics = resolve_notes(notes, [f.path for f in ordered], graph.symbols)
    diagnostics += resolve_diagnostics

    entry_points = find_entry_points(graph, ranking.symbols)
    sections = [s for f in ordered for s in sorted(f.sections, key=lambda s: (s.lines, s.title))]
    concept_map = distill(graph, ranking, resolved, entry_points, sections, settings.max_concepts)
    diagnostics += concept_map.diagnostics
    concepts = concept_map.concepts

    cache: dict[str, str] = {}
    if summarizer is not None:
        from compiler.analysis.summarize import summarize_concepts

        concepts, cache = summarize_concepts(concepts, graph.symbols, summarizer, dict(summary_cache or {}))
        if summary_cache is not None:
            summary_cache.clear()
            summary_cache.update(cache)

    symbols = tuple(
        sorted(
            (
                _filled(sym, ranking.symbols.get(sid, 0.0), concept_map.membership.get(sid))
                for sid, sym in graph.symbols.items()
            ),
            key=lambda s: (s.path, s.lines[0], s.id),
        )
    )
    return Analysis(
        symbols=symbols,
        edges=graph.edges,
        files=_file_infos(ordered, graph, ranking),
        concepts=concepts,
        learning_path=learning_path(concepts, concept_map.mentions, concept_map.weights),
        entry_points=entry_points,
        description=describe(ordered, graph, ranking),
        diagnostics=tuple(sorted(diagnostics, key=lambda d: (d.path, d.line or 0, d.code, d.message))),
        summary_cache=cache,
        calls_unresolved=graph.unresolved,
    )


def structure_key(facts: FileFacts) -> tuple:
    """What the analysis reads of one file's facts: equal keys give an equal analysis.

    It is everything in the facts except the file's hash, the code excerpts (but for the fields each
    method reads, which split a god-class's core) and absolute line numbers. Line numbers enter only as their order within the file (the analysis sorts by
    them and breaks ties with them), plus the two sizes the concept distiller compares against
    thresholds: each definition's length in lines and whether the file is long enough to split.
    So appending a comment, editing a comment or a string in place, or inserting blank lines
    between definitions leaves the key unchanged, and the build can patch the previous core's
    line numbers and excerpts instead of re-running the analysis (``compiler.incremental``).
    Tests check that claim by comparing patched corpora with cold builds byte for byte.
    """
    # A module symbol spans its whole file, so its end moves with any edit at the end of the file;
    # the analysis only compares it with the ends of definitions that start on the same line.
    modules = {id(s) for s in facts.symbols if s.kind == "module"}
    numbers = {n for s in facts.symbols for n in (s.lines if id(s) not in modules else s.lines[:1])}
    numbers.update(i.line for i in facts.imports)
    numbers.update(c.line for c in facts.calls)
    numbers.update(n for s in facts.sections for n in s.lines)
    numbers.update(d.line for d in facts.diagnostics if d.line is not None)
    numbers.update(r.line for r in facts.redactions)
    at = {n: rank for rank, n in enumerate(sorted(numbers))}
    return (
        facts.path,
        facts.language,
        facts.module,
        facts.exports,
        facts.is_entry_point,
        facts.lines >= SPLIT_MIN_LINES,
        tuple(
            (
                s.id,
                s.name,
                s.kind,
                s.path,
                at[s.lines[0]],
                _module_end(s, facts.symbols) if id(s) in modules else (at[s.lines[1]], s.lines[1] - s.lines[0]),
                s.signature,
                s.doc,
                s.parent,
                s.public,
                s.decorators,
                s.bases,
                s.importance,
                s.concept,
                method_fields(s)
                if s.kind == "method"
                else (),  # read from the excerpt: a god-class core splits by them
            )
            for s in facts.symbols
        ),
        tuple((i.module, i.names, at[i.line], i.alias, i.scope) for i in facts.imports),
        tuple((c.caller, c.callee, at[c.line]) for c in facts.calls),
        tuple((s.title, s.level, at[s.lines[0]], at[s.lines[1]], s.text, s.anchor) for s in facts.sections),
        tuple((d.severity, d.code, at.get(d.line, -1)) for d in facts.diagnostics),
        tuple((r.rule, r.action, at[r.line]) for r in facts.redactions),
    )


def _module_end(module: Symbol, symbols: tuple[Symbol, ...]) -> tuple[int, ...]:
    """How a module's end compares with the ends of the definitions that start where it starts."""
    start, end = module.lines
    return tuple((end > s.lines[1]) - (end < s.lines[1]) for s in symbols if s is not module and s.lines[0] == start)


def _filled(sym: Symbol, importance: float, concept: str | None) -> Symbol:
    """``sym`` with its importance and concept (``dataclasses.replace`` costs seconds at 450k symbols)."""
    return symbol_with(sym, importance=importance, concept=concept)


def _file_infos(files: list[FileFacts], graph: CodeGraph, ranking: Ranking) -> tuple[FileInfo, ...]:
    infos = []
    for facts in files:
        module_symbol = next((s for s in facts.symbols if s.kind == "module"), None)
        doc = module_symbol.doc if module_symbol is not None else ""
        infos.append(
            FileInfo(
                path=facts.path,
                language=facts.language,
                module=facts.module,
                lines=facts.lines,
                sha256=facts.sha256,
                importance=ranking.files.get(facts.path, 0.0),
                doc=doc,
            )
        )
    return tuple(infos)


def describe(files: list[FileFacts], graph: CodeGraph, ranking: Ranking) -> str:
    """One paragraph saying what the codebase is: the README's first paragraph, else the top package docstring."""
    readmes = sorted(
        (
            f
            for f in files
            if posixpath.basename(f.path).lower().startswith("readme")
            and f.sections
            and f.path.count("/") <= 1
            and file_role(f.path) == "code"
        ),
        key=lambda f: (f.path.count("/"), f.path),
    )
    for readme in readmes[:1]:
        for section in sorted(readme.sections, key=lambda s: s.lines):
            paragraph = _prose(section)
            if paragraph:
                return paragraph
    modules = sorted(
        (sym for sym in graph.symbols.values() if sym.kind == "module" and sym.doc and file_role(sym.path) == "code"),
        key=lambda s: (
            not posixpath.basename(s.path).startswith(("__init__.", "index.", "main.", "doc.")),
            s.path.count("/"),
            -ranking.files.get(s.path, 0.0),
            s.path,
        ),
    )
    for module in modules:
        paragraph = first_paragraph(module.doc)
        if paragraph:
            return paragraph
    languages = sorted({f.language for f in files if f.module})
    code_files = sum(1 for f in files if f.module)
    if not code_files:
        return "A repository with no source code that kc understands."
    noun = "source file" if code_files == 1 else "source files"
    return f"A {' and '.join(languages)} codebase of {code_files} {noun}."


def _prose(section: Section) -> str:
    """The first paragraph of a section that is prose (not badges, images, code or HTML)."""
    paragraph = first_paragraph(section.text)
    if not paragraph or paragraph.startswith(("[!", "![", "<", "|")):
        return ""
    paragraph = plain_text(paragraph)
    if len(paragraph.split()) < 4:
        return ""
    return paragraph
