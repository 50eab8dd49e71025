"""The compiler pipeline, top to bottom: scan, parse, analyze (and summarize), link, emit, swap, index.

``build()`` reads like a recipe: each stage is a plain function from typed data to typed data,
timed under its name. The jobs around the stages live in their own modules: the facts cache,
parse pool and code digest in ``cache.py``; freshness (``check``) in ``freshness.py``; the
atomic swap in ``swap.py``; patching the previous corpus after small edits in ``incremental.py``.
Emission goes to a staging folder that replaces the old corpus in one step, so a build killed
half-way leaves the previous corpus whole.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compiler.cache import FACTS_CACHE, FactsCache, Parser, Progress, atomic_write, facts_key, parse_all, parse_source
from compiler.config import Settings, cache_dir, load_settings
from compiler.freshness import check, project_name, recorded_commit, scan_tree, source_commit, source_root, stale_paths
from compiler.incremental import STATE_FILE, new_state, save_state
from compiler.model import Core, Diagnostic, FileFacts, SourceFile, SourceInfo
from compiler.swap import new_staging, output_lock, recover_interrupted_swap, swap_into_place

__all__ = ["BuildResult", "build", "check", "parse_source", "parse_stage", "scan_stage"]

SUMMARY_CACHE = "summaries.json"
scan_stage = scan_tree  # the scan stage is the freshness scan: one rule for what a tree holds


@dataclass
class BuildResult:
    """What a build did: where the corpus is, counts, and per-stage wall time."""

    corpus: Path
    core: Core | None
    files: int = 0
    parsed: int = 0  # files parsed this time (the rest came from the cache)
    reused: int = 0
    up_to_date: bool = False
    patched: bool = False  # the previous corpus was patched: the edits left the analysis unchanged
    timings: dict[str, float] = field(default_factory=dict)
    index_stats: Any = None

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return self.core.diagnostics if self.core else ()


def build(
    source: str | Path,
    out: str | Path | None = None,
    *,
    settings: Settings | None = None,
    index: bool = True,
    force: bool = False,
    progress: Progress | None = None,
    wait: bool = True,
    on_wait: Callable[[str], None] | None = None,
) -> BuildResult:
    """Compile ``source`` into a corpus at ``out`` (default ``SOURCE/corpus``); incremental.

    One build at a time writes ``out``: another one's lock makes this one wait (``on_wait`` hears
    why), or with ``wait=False`` raise ``BuildLockedError``.
    """
    root = source_root(source)
    out_dir = Path(out).resolve() if out else root / "corpus"
    settings = settings or load_settings(root)
    with output_lock(out_dir, wait=wait, on_wait=on_wait):
        return _build(
            root, out_dir, settings, index=index, force=force, report=progress or (lambda stage, done, total: None)
        )


def _build(root: Path, out_dir: Path, settings: Settings, *, index: bool, force: bool, report: Progress) -> BuildResult:
    """The recipe, with the output's lock held."""
    timings: dict[str, float] = {}

    def timed(stage: str, fn: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        value = fn()
        timings[stage] = time.perf_counter() - started
        return value

    recover_interrupted_swap(out_dir)
    scanned = timed("scan", lambda: scan_tree(root, settings, out_dir))
    if (
        not force
        and (out_dir / "core.json").is_file()
        and not stale_paths(root, out_dir, scanned, settings)
        and recorded_commit(out_dir) == source_commit(root, out_dir)  # else: same files, new commit: patch
    ):
        result = BuildResult(corpus=out_dir, core=None, files=len(scanned.files), up_to_date=True, timings=timings)
        if index:
            result.index_stats = timed("index", lambda: index_stage(out_dir, settings, report))
        return result

    cache = FactsCache(cache_dir(out_dir, settings) / FACTS_CACHE)
    keys = {source.path: facts_key(source, settings) for source in scanned.files}
    state_path = cache_dir(out_dir, settings) / STATE_FILE
    parser = Parser(root, cache, keys, settings)  # counts what it parses (a failed patch attempt parses some)
    patched = None
    if not force and not scanned.diagnostics:  # the patch keeps the old diagnostics: the scan's could differ
        patched = timed("patch", lambda: _try_patch(root, out_dir, settings, scanned, cache, keys, parser, state_path))
    if patched is not None:
        for key in patched.replaced_keys:
            cache.discard(key)
        cache.save()
        timed("swap", lambda: swap_into_place(patched.staging, out_dir))
        save_state(state_path, patched.state, out_dir)
        result = BuildResult(
            corpus=out_dir,
            core=patched.core,
            files=len(scanned.files),
            parsed=patched.files,
            reused=len(scanned.files) - patched.files,
            patched=True,
            timings=timings,
        )
    else:
        facts = timed("parse", lambda: parse_all(scanned.files, cache, keys, parser, report))
        parsed = len(parser.parsed)
        analysis = timed("analyze", lambda: analyze_stage(root, facts, out_dir, settings))
        core = timed("link", lambda: assemble_core(root, scanned, facts, analysis, settings, out_dir))
        files, reused = len(scanned.files), len(facts) - parsed
        del facts, analysis  # the core holds what emission needs; the raw facts are the biggest thing alive
        notes: dict = {}
        staging, line_lengths, pages = timed("emit", lambda: emit_stage(core, out_dir, report, notes))
        state = new_state(core, settings, notes, line_lengths, keys, pages)
        del line_lengths
        timed("swap", lambda: swap_into_place(staging, out_dir))
        save_state(state_path, state, out_dir)
        result = BuildResult(corpus=out_dir, core=core, files=files, parsed=parsed, reused=reused, timings=timings)
    if index:
        result.index_stats = timed("index", lambda: index_stage(out_dir, settings, report))
    return result


def _try_patch(root, out_dir, settings, scanned, cache, keys, parser, state_path):
    """The corpus patched from the previous one, when the edits leave the analysis unchanged (else None)."""
    from compiler.incremental import try_patch

    return try_patch(
        out_dir=out_dir,
        state_path=state_path,
        settings=settings,
        sources=scanned.files,
        skipped=scanned.skipped,
        keys=keys,
        old_facts=cache.get,
        parse=parser,
        source_info=lambda: (project_name(root), source_commit(root, out_dir)),
    )


# ---- stages ---------------------------------------------------------------------


def parse_stage(
    root: Path, files: list[SourceFile], out_dir: Path, settings: Settings, report: Progress
) -> tuple[list[FileFacts], int]:
    """Facts for every file; unchanged files come from the content-hash cache."""
    cache = FactsCache(cache_dir(out_dir, settings) / FACTS_CACHE)
    keys = {source.path: facts_key(source, settings) for source in files}
    parser = Parser(root, cache, keys, settings)
    return parse_all(files, cache, keys, parser, report), len(parser.parsed)


def analyze_stage(root: Path, facts: list[FileFacts], out_dir: Path, settings: Settings):
    """Code graph, ranks, concepts and learning path, with the author's CONCEPTS.md on top.

    With ``--llm``, concept summaries come from the model, cached by prompt hash in the build
    cache so an unchanged concept is never summarized twice.
    """
    from compiler.analysis import analyze
    from compiler.analysis.notes import NOTES_FILE

    notes_text = None
    for fact in facts:
        if fact.path == NOTES_FILE:  # read through the scanner, so a secret in it is already redacted
            notes_text = _redacted_text(root, fact)
    summarizer, cache, cache_path = None, None, cache_dir(out_dir, settings) / SUMMARY_CACHE
    if settings.llm not in ("", "none"):
        from compiler.llm import make_client

        summarizer = make_client(settings.llm, settings, model=settings.llm_model, base_url=settings.llm_base_url)
        cache = json.loads(cache_path.read_text(encoding="utf-8")) if cache_path.is_file() else {}
    analysis = analyze(facts, notes_text=notes_text, settings=settings, summarizer=summarizer, summary_cache=cache)
    if summarizer is not None:
        atomic_write(cache_path, json.dumps(cache, indent=1, sort_keys=True))
    return analysis


def _redacted_text(root: Path, fact: FileFacts) -> str | None:
    from compiler.frontend import decode_source
    from compiler.frontend.secrets import scan_text

    text, _ = decode_source((root / fact.path).read_bytes(), fact.path)
    return scan_text(fact.path, text).clean_text if text is not None else None


def assemble_core(root: Path, scanned, facts: list[FileFacts], analysis, settings: Settings, out_dir: Path) -> Core:
    """Put the analysis and the scan record together into the knowledge core."""
    diagnostics = [*scanned.diagnostics, *(d for f in facts for d in f.diagnostics), *analysis.diagnostics]
    redactions = [r for f in facts for r in f.redactions]
    sections = [s for f in facts for s in f.sections]
    return Core(
        source=SourceInfo(
            name=project_name(root),
            commit=source_commit(root, out_dir),
            files={f.path: f.sha256 for f in scanned.files},
            description=analysis.description,
            config_hash=settings.output_hash(),
        ),
        files=tuple(sorted(analysis.files, key=lambda f: f.path)),
        symbols=tuple(sorted(analysis.symbols, key=lambda s: s.id)),
        edges=tuple(sorted(analysis.edges, key=lambda e: (e.source, e.target, e.kind))),
        concepts=tuple(analysis.concepts),
        learning_path=tuple(analysis.learning_path),
        entry_points=tuple(analysis.entry_points),
        sections=tuple(sorted(sections, key=lambda s: (s.path, s.lines))),
        diagnostics=tuple(sorted(diagnostics, key=lambda d: (d.path, d.line or 0, d.code, d.message))),
        skipped=tuple(sorted(scanned.skipped, key=lambda s: s.path)),
        redactions=tuple(sorted(redactions, key=lambda r: (r.path, r.line, r.rule))),
        calls_unresolved=analysis.calls_unresolved,
    )


def emit_stage(
    core: Core, out_dir: Path, report: Progress, notes: dict | None = None
) -> tuple[Path, list[int], list[str]]:
    """Write every corpus file into a staging directory beside ``out_dir``, page by page.

    Returns the staging folder, the byte length of every line of core.json (so the next build
    can patch it record by record) and the relative paths written. ``notes`` receives what
    ``iter_corpus_files`` records about the layout.
    """
    staging = new_staging(out_dir)
    total = 7 + len(core.concepts) + len({s.path for s in core.symbols})
    line_lengths: list[int] = []
    written: list[str] = []
    try:
        _emit_into(staging, core, notes, report, total, line_lengths, written)
    except BaseException:  # a failed emission leaves no staging folder behind
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging, line_lengths, written


def _emit_into(staging: Path, core: Core, notes, report: Progress, total: int, line_lengths, written) -> None:
    from compiler.backend.docs import iter_corpus_files

    made_dirs: set[Path] = set()
    for done, (relpath, text) in enumerate(iter_corpus_files(core, notes), 1):
        target = staging / relpath
        if target.parent not in made_dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(target.parent)
        if relpath == "core.json":
            _write_lines(target, text, line_lengths)
        else:
            with target.open("w", encoding="utf-8") as handle:
                if isinstance(text, str):
                    handle.write(text)
                else:
                    handle.writelines(text)
        written.append(relpath)
        if done % 100 == 0:
            report("emit", done, total)
    report("emit", total, total)


def _write_lines(target: Path, lines, lengths: list[int], batch: int = 4096) -> None:
    """Write text lines as UTF-8, recording each line's length in bytes."""
    with target.open("wb") as handle:
        chunk: list[str] = []
        for line in lines:
            chunk.append(line)
            lengths.append(len(line) if line.isascii() else len(line.encode("utf-8")))
            if len(chunk) >= batch:
                handle.write("".join(chunk).encode("utf-8"))
                chunk.clear()
        handle.write("".join(chunk).encode("utf-8"))


def index_stage(out_dir: Path, settings: Settings, report: Progress):
    """Chunk, embed and index the new corpus (derived data, outside the corpus)."""
    from compiler.index import index_corpus

    return index_corpus(out_dir, settings, progress=report)
