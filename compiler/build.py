"""The compiler pipeline, top to bottom: scan, parse, analyze (and summarize), link, emit, swap, index.

``build()`` reads like a recipe: each stage is a plain function from typed data to
typed data, timed under its name. The parse stage is incremental (a content-hash
cache of ``FileFacts``), emission goes to a staging directory that replaces the old
corpus in one atomic step, so a build killed half-way leaves the previous corpus whole.
"""

from __future__ import annotations

import ctypes
import functools
import ctypes.util
import hashlib
import json
import mmap
import os
import pickle
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterator

from compiler.config import Settings, cache_dir, load_settings
from compiler.incremental import STATE_FILE, code_digest, new_state, save_state
from compiler.errors import CorpusError, SourceError
from compiler.model import Core, Diagnostic, FileFacts, SourceFile, SourceInfo, symbol_with

# Bump when the front end's output for the same bytes changes, so cached facts are re-parsed.
# The cache key also hashes the front end's own source (see _parser_fingerprint), so an edited
# parser never serves stale facts even when nobody remembers to bump this.
PARSER_VERSION = "2"
FACTS_CACHE = "facts"  # a folder of pickles, sharded by the first hex digits of each entry's key
FACTS_SHARD_CHARS = 2  # 256 shards
SUMMARY_CACHE = "summaries.json"
SCAN_CACHE = "scan.cache"

Progress = Callable[[str, int, int], None]  # (stage, done, total)


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
) -> BuildResult:
    """Compile ``source`` into a corpus at ``out`` (default ``SOURCE/corpus``); incremental."""
    root = _source_root(source)
    out_dir = Path(out).resolve() if out else root / "corpus"
    settings = settings or load_settings(root)
    report = progress or (lambda stage, done, total: None)
    timings: dict[str, float] = {}

    def timed(stage: str, fn: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        value = fn()
        timings[stage] = time.perf_counter() - started
        return value

    _recover_interrupted_swap(out_dir)
    scanned = timed("scan", lambda: scan_stage(root, settings, out_dir))
    if (
        not force
        and (out_dir / "core.json").is_file()
        and not _stale_paths(root, out_dir, scanned, settings)
        and _recorded_commit(out_dir) == _source_commit(root, out_dir)  # else: same files, new commit: patch
    ):
        result = BuildResult(corpus=out_dir, core=None, files=len(scanned.files), up_to_date=True, timings=timings)
        if index:
            result.index_stats = timed("index", lambda: index_stage(out_dir, settings, report))
        return result

    cache = FactsCache(cache_dir(out_dir, settings) / FACTS_CACHE)
    keys = {source.path: _facts_key(source, settings) for source in scanned.files}
    state_path = cache_dir(out_dir, settings) / STATE_FILE
    parser = Parser(root, cache, keys, settings)  # counts what it parses (a failed patch attempt parses some)
    patched = None
    if not force:
        patched = timed("patch", lambda: _try_patch(root, out_dir, settings, scanned, cache, keys, parser, state_path))
    if patched is not None:
        for key in patched.replaced_keys:
            cache.discard(key)
        cache.save()
        timed("swap", lambda: swap_into_place(patched.staging, out_dir))
        save_state(state_path, patched.state, out_dir)
        result = BuildResult(
            corpus=out_dir, core=patched.core, files=len(scanned.files), parsed=patched.files,
            reused=len(scanned.files) - patched.files, patched=True, timings=timings,
        )
    else:
        facts = timed("parse", lambda: _parse_all(scanned.files, cache, keys, parser, report))
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
        out_dir=out_dir, staging_parent=out_dir.parent, state_path=state_path, settings=settings,
        sources=scanned.files, skipped=scanned.skipped, keys=keys, old_facts=cache.get, parse=parser,
        source_info=lambda: (_project_name(root), _source_commit(root, out_dir)),
    )


# ---- stages ---------------------------------------------------------------------


def scan_stage(root: Path, settings: Settings, out_dir: Path):
    """Every file worth compiling, and every skipped one with its reason.

    Other kc corpora inside the tree (a folder whose ``core.json`` has our schema) are compiled
    output, not source: they are left out, so building with ``--out`` elsewhere never compiles
    an old corpus into the new one.
    """
    from compiler.frontend.scan import scan
    from compiler.model import SkippedFile

    # the stat cache lives beside the facts cache: unchanged files are not read or hashed again
    result = scan(root, settings, out_dir=out_dir, stat_cache=cache_dir(out_dir, settings) / SCAN_CACHE)
    folders = {f.path.rpartition("/")[0] for f in result.files}
    corpora = tuple(sorted(
        f"{folder}/" for folder in folders if folder and _is_corpus_file(root / folder / "core.json")
    ))
    if corpora:
        result.files = [f for f in result.files if not f.path.startswith(corpora)]
        result.skipped = sorted(
            [*(s for s in result.skipped if not s.path.startswith(corpora)),
             *(SkippedFile(prefix, "kc-corpus") for prefix in corpora)],
            key=lambda s: s.path,
        )
    return result


def _is_corpus_file(path: Path) -> bool:
    if not path.is_file():
        return False
    try:
        with path.open("rb") as handle:
            return b'"schema": "kc-core/' in handle.read(1 << 20)
    except OSError:
        return False


def parse_stage(
    root: Path, files: list[SourceFile], out_dir: Path, settings: Settings, report: Progress
) -> tuple[list[FileFacts], int]:
    """Facts for every file; unchanged files come from the content-hash cache."""
    cache = FactsCache(cache_dir(out_dir, settings) / FACTS_CACHE)
    keys = {source.path: _facts_key(source, settings) for source in files}
    parser = Parser(root, cache, keys, settings)
    return _parse_all(files, cache, keys, parser, report), len(parser.parsed)


def _parse_all(files: list[SourceFile], cache: FactsCache, keys: dict[str, str], parser: Parser, report: Progress) -> list[FileFacts]:
    """Facts for every file, from the cache or parsed; the cache then holds exactly these files."""
    cache.load_all()
    facts: list[FileFacts | None] = [cache.get(keys[source.path]) for source in files]
    missing = [index for index, hit in enumerate(facts) if hit is None]
    done = len(files) - len(missing)
    report("parse", done, len(files))
    for index, parsed in zip(missing, parser.many([files[i] for i in missing])):
        facts[index] = parsed
        done += 1
        if done % 50 == 0 or done == len(files):
            report("parse", done, len(files))
    cache.retain(set(keys.values()))
    cache.save()
    return facts  # type: ignore[return-value]


PARALLEL_MIN_FILES = 200  # fewer files to parse than this: a worker pool costs more than it saves
PARALLEL_CHUNK = 16


class Parser:
    """Parses source files into facts (excerpts attached), caches them, and remembers which it parsed.

    ``parser(source)`` parses one file here; ``parser.many(sources)`` parses many, in order, on
    every core when there are enough of them: the front end is CPU-bound Python, so worker
    processes are the only way to use a second core. Without a usable pool it parses serially.
    """

    def __init__(self, root: Path, cache: FactsCache, keys: dict[str, str], settings: Settings):
        self.root, self.cache, self.keys, self.settings = root, cache, keys, settings
        self.repo_paths = frozenset(keys)
        self.parsed: set[str] = set()

    def __call__(self, source: SourceFile) -> FileFacts:
        return self._keep(source, parse_source(self.root, source, self.settings, self.repo_paths))

    def many(self, sources: list[SourceFile]) -> Iterator[FileFacts]:
        workers = min(os.cpu_count() or 1, 8)
        if workers < 2 or len(sources) < PARALLEL_MIN_FILES:
            yield from map(self, sources)
            return
        import multiprocessing

        # fork: the workers need nothing re-imported, and a caller's script needs no __main__ guard
        if "fork" not in multiprocessing.get_all_start_methods():
            yield from map(self, sources)
            return
        try:
            pool = multiprocessing.get_context("fork").Pool(
                workers, initializer=_worker_init, initargs=(str(self.root), self.settings, self.repo_paths)
            )
        except (OSError, ValueError, ImportError):
            yield from map(self, sources)
            return
        with pool:
            for source, facts in zip(sources, pool.imap(_worker_parse, sources, chunksize=PARALLEL_CHUNK)):
                yield self._keep(source, facts)

    def _keep(self, source: SourceFile, facts: FileFacts) -> FileFacts:
        self.cache.put(self.keys[source.path], facts)
        self.parsed.add(source.path)
        return facts


_WORKER: dict[str, Any] = {}


def _worker_init(root: str, settings: Settings, repo_paths: frozenset[str]) -> None:
    _WORKER.update(root=Path(root), settings=settings, repo_paths=repo_paths)


def _worker_parse(source: SourceFile) -> FileFacts:
    return parse_source(_WORKER["root"], source, _WORKER["settings"], _WORKER["repo_paths"])


def parse_source(root: Path, source: SourceFile, settings: Settings, repo_paths: frozenset[str]) -> FileFacts:
    """One file's facts, excerpts attached; an unreadable file becomes a diagnostic."""
    from compiler.frontend import parse_file

    try:
        data = (root / source.path).read_bytes()
    except OSError as exc:
        return FileFacts(
            path=source.path, language=source.language, module="", lines=0, sha256=source.sha256,
            diagnostics=(Diagnostic(source.path, None, "error", "unreadable", str(exc)),),
        )
    return with_excerpts(parse_file(source, data, repo_paths=repo_paths), settings.excerpt_lines)


class FactsCache:
    """``FileFacts`` by content-hash key, in pickled shards named by the keys' first hex digits.

    Shards load on demand, so patching one file reads one or two of them; a full build loads
    all, keeps the entries of the files it compiled and drops the rest. Only shards whose
    entries changed are written back: an edit to one file rewrites one or two shards.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.shards: dict[str, dict[str, FileFacts]] = {}
        self.dirty: set[str] = set()

    def _shard(self, name: str) -> dict[str, FileFacts]:
        shard = self.shards.get(name)
        if shard is None:
            shard = self.shards[name] = _load_pickle(self.folder / f"{name}.pickle")
        return shard

    def load_all(self) -> None:
        for path in sorted(self.folder.glob("*.pickle")):
            self._shard(path.stem)

    def get(self, key: str) -> FileFacts | None:
        return self._shard(key[:FACTS_SHARD_CHARS]).get(key)

    def put(self, key: str, facts: FileFacts) -> None:
        name = key[:FACTS_SHARD_CHARS]
        self._shard(name)[key] = facts
        self.dirty.add(name)

    def discard(self, key: str) -> None:
        name = key[:FACTS_SHARD_CHARS]
        if self._shard(name).pop(key, None) is not None:
            self.dirty.add(name)

    def retain(self, keys: set[str]) -> None:
        """Drop every loaded entry whose key is not in ``keys`` (files changed or gone)."""
        for name, shard in self.shards.items():
            stale = [key for key in shard if key not in keys]
            for key in stale:
                del shard[key]
            if stale:
                self.dirty.add(name)

    def save(self) -> None:
        for name in sorted(self.dirty):
            path = self.folder / f"{name}.pickle"
            if self.shards[name]:
                _save_pickle(path, self.shards[name])
            else:
                path.unlink(missing_ok=True)
        self.dirty.clear()


_WHITESPACE_ONLY = re.compile("^[ \t]+$", re.MULTILINE)  # textwrap's own pattern


def with_excerpts(facts: FileFacts, max_lines: int) -> FileFacts:
    """Attach a short code excerpt to each symbol, cut from the redacted text the parser saw."""
    text = getattr(facts, "_clean_text", None)
    if text is None or not facts.symbols:
        return replace(facts)  # a plain copy: drops the parser's private text before caching
    lines = _source_lines(text, facts.language)
    children: dict[str, int] = {}
    for symbol in facts.symbols:
        if symbol.parent and symbol.kind in ("method", "function"):
            start = children.get(symbol.parent)
            children[symbol.parent] = symbol.lines[0] if start is None else min(start, symbol.lines[0])
    symbols = []
    for symbol in facts.symbols:
        if symbol.kind == "module":
            symbols.append(symbol)
            continue
        start, end = symbol.lines
        if symbol.id in children:  # a class: its header, docstring and fields, not its methods again
            end = min(end, children[symbol.id] - 1)
        end = min(end, start + max_lines - 1)
        excerpt = "\n".join(lines[start - 1 : end]).rstrip()
        symbols.append(symbol_with(symbol, excerpt=_dedent(excerpt)))
    return replace(facts, symbols=tuple(symbols))


def _source_lines(text: str, language: str) -> list[str]:
    """The lines as the parser numbered them: Python counts a lone CR as a line end, tree-sitter
    only LF, and neither a form feed or a Unicode line separator (which ``splitlines`` would)."""
    text = text.replace("\r\n", "\n")
    if language == "python":
        text = text.replace("\r", "\n")
    return text.split("\n")


def _dedent(code: str) -> str:
    """``textwrap.dedent(code)`` without its three regex passes per call (41k calls per 10% of a big tree).

    Same rules: lines of only blanks become empty and do not count; the margin is the longest
    run of spaces and tabs that starts every other line.
    """
    if code and code[0] not in " \t\n":  # text at column 0: no common margin
        return _WHITESPACE_ONLY.sub("", code) if "\n" in code else code
    if "\n" not in code:
        return code.lstrip(" \t")
    lines = code.split("\n")
    margin = None
    for line in lines:
        content = line.lstrip(" \t")
        if not content:
            continue
        indent = line[: len(line) - len(content)]
        if margin is None or margin.startswith(indent):
            margin = indent
        elif not indent.startswith(margin):
            common = 0
            while margin[common] == indent[common]:
                common += 1
            margin = margin[:common]
    if not margin:
        return _WHITESPACE_ONLY.sub("", code)
    cut = len(margin)
    return "\n".join([line[cut:] if line.lstrip(" \t") else "" for line in lines])


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
        _atomic_write(cache_path, json.dumps(cache, indent=1, sort_keys=True))
    return analysis


def _redacted_text(root: Path, fact: FileFacts) -> str | None:
    from compiler.frontend import decode_source
    from compiler.frontend.secrets import scan_text

    text, _ = decode_source((root / fact.path).read_bytes(), fact.path)
    return scan_text(fact.path, text).clean_text if text is not None else None


def assemble_core(root: Path, scanned, facts: list[FileFacts], analysis, settings: Settings, out_dir: Path) -> Core:
    """Put the analysis and the scan record together into the knowledge core."""
    diagnostics = [d for f in facts for d in f.diagnostics] + list(analysis.diagnostics)
    redactions = [r for f in facts for r in f.redactions]
    sections = [s for f in facts for s in f.sections]
    return Core(
        source=SourceInfo(
            name=_project_name(root),
            commit=_source_commit(root, out_dir),
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
    )


def emit_stage(core: Core, out_dir: Path, report: Progress, notes: dict | None = None) -> tuple[Path, list[int], list[str]]:
    """Write every corpus file into a staging directory beside ``out_dir``, page by page.

    Returns the staging folder, the byte length of every line of core.json (so the next build
    can patch it record by record) and the relative paths written. ``notes`` receives what
    ``iter_corpus_files`` records about the layout.
    """
    from compiler.backend.docs import iter_corpus_files

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    total = 7 + len(core.concepts) + len({s.path for s in core.symbols})
    made_dirs: set[Path] = set()
    line_lengths: list[int] = []
    written: list[str] = []
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
    return staging, line_lengths, written


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


# ---- staleness -------------------------------------------------------------------


def check(source: str | Path, corpus: str | Path | None = None, settings: Settings | None = None) -> list[str]:
    """Paths whose content differs from what the corpus was built from; [] when fresh."""
    root = _source_root(source)
    out_dir = Path(corpus).resolve() if corpus else root / "corpus"
    settings = settings or load_settings(root)
    if not (out_dir / "core.json").is_file():
        raise CorpusError(f"{out_dir}: no core.json here; build it with 'kc build {source} --out {out_dir}'")
    return _stale_paths(root, out_dir, scan_stage(root, settings, out_dir), settings)


def _stale_paths(root: Path, out_dir: Path, scanned, settings: Settings) -> list[str]:
    try:
        schema, built = _recorded_source(out_dir / "core.json")
    except (OSError, ValueError, KeyError, TypeError):
        return ["core.json (unreadable)"]
    if schema != Core.__dataclass_fields__["schema"].default:
        return [f"core.json (schema {schema!r})"]
    old: dict[str, str] = built.get("files", {})
    new = {f.path: f.sha256 for f in scanned.files}
    changed = sorted(
        [f"{p} (changed)" for p in new if p in old and old[p] != new[p]]
        + [f"{p} (added)" for p in new if p not in old]
        + [f"{p} (removed)" for p in old if p not in new]
    )
    if built.get("config_hash") != settings.output_hash():
        changed.append("settings (kc.toml / [tool.kc] changed)")
    return changed


def _recorded_commit(out_dir: Path) -> str | None:
    try:
        return _recorded_source(out_dir / "core.json")[1].get("commit")
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _recorded_source(core_json: Path) -> tuple[Any, dict]:
    """The schema and the ``source`` record of a core.json, without decoding the whole file.

    core.json puts each top-level key at the start of a line (raw newlines never occur inside
    JSON strings), so the two fields are found by a byte search: a 500 MB core is checked in
    milliseconds. A file laid out otherwise is decoded in full.
    """
    with core_json.open("rb") as handle:
        try:
            data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # an empty file
            raise ValueError(f"{core_json} is empty") from None
        with data:
            schema_at = data.find(b'\n "schema": ')
            source_at = data.find(b'\n "source": {\n')
            source_end = data.find(b"\n }", source_at + 1) if source_at >= 0 else -1
            if schema_at < 0 or source_end < 0:
                recorded = json.loads(data[:].decode("utf-8"))
                return recorded.get("schema"), recorded["source"]
            schema_line = data[schema_at + 1 : data.find(b"\n", schema_at + 1)].decode("utf-8").rstrip().rstrip(",")
            schema = json.loads("{" + schema_line + "}")["schema"]
            block = data[source_at + 1 : source_end + 3].decode("utf-8")
            return schema, json.loads("{" + block + "}")["source"]


# ---- atomic replacement ------------------------------------------------------------


def swap_into_place(staging: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` by ``staging`` in one step; the old corpus survives any crash before it."""
    if out_dir.exists() and not out_dir.is_dir():
        shutil.rmtree(staging, ignore_errors=True)
        raise CorpusError(f"{out_dir} exists and is not a directory; pass another --out")
    if out_dir.exists() and _rename_exchange(staging, out_dir):
        _remove_in_background(staging)  # staging now holds the old corpus
        return
    old = out_dir.with_name(f".{out_dir.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if out_dir.exists():
        os.rename(out_dir, old)
    os.rename(staging, out_dir)
    shutil.rmtree(old, ignore_errors=True)


def _remove_in_background(directory: Path) -> None:
    """Delete an old corpus off the build's critical path; the next build sweeps up if this dies.

    The name keeps the ``.NAME.new-*`` prefix, which ``_recover_interrupted_swap`` removes.
    """
    try:
        subprocess.Popen(
            ["rm", "-rf", "--", str(directory)], start_new_session=True,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
    except OSError:
        shutil.rmtree(directory, ignore_errors=True)


def _rename_exchange(a: Path, b: Path) -> bool:
    """Linux renameat2(RENAME_EXCHANGE): swap two directories atomically. False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


def _recover_interrupted_swap(out_dir: Path) -> None:
    """Finish what a killed build left: restore the old corpus if only it survived; drop staging dirs."""
    old = out_dir.with_name(f".{out_dir.name}.old")
    if old.is_dir() and not out_dir.exists():
        os.rename(old, out_dir)
    if out_dir.parent.is_dir():
        for leftover in out_dir.parent.glob(f".{out_dir.name}.new-*"):
            shutil.rmtree(leftover, ignore_errors=True)


# ---- helpers ---------------------------------------------------------------------


def _source_root(source: str | Path) -> Path:
    root = Path(source).resolve()
    if not root.exists():
        raise SourceError(f"{source}: no such directory")
    if not root.is_dir():
        raise SourceError(f"{source}: not a directory; pass the root of a repository")
    return root


def _facts_key(source: SourceFile, settings: Settings) -> str:
    raw = f"{_parser_fingerprint()}\0{source.path}\0{source.sha256}\0{settings.excerpt_lines}"
    return hashlib.sha256(raw.encode()).hexdigest()


@functools.cache
def _parser_fingerprint() -> str:
    """PARSER_VERSION plus a hash of the code that makes facts: the front end and this module."""
    return code_digest(PARSER_VERSION, ("frontend",), ("build.py", "model.py"))


def _project_name(root: Path) -> str:
    """The project's own name: pyproject, package.json, go.mod, else the folder name."""
    import tomllib

    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            name = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {}).get("name")
            if name:
                return str(name)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            pass
    package_json = root / "package.json"
    if package_json.is_file():
        try:
            name = json.loads(package_json.read_text(encoding="utf-8")).get("name")
            if isinstance(name, str) and name:
                return name
        except (ValueError, UnicodeDecodeError):
            pass
    go_mod = root / "go.mod"
    if go_mod.is_file():
        for line in go_mod.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("module "):
                return line.split()[1]
    return root.name


def _source_commit(root: Path, out_dir: Path) -> str | None:
    """The last commit that touched the compiled files (not HEAD: committing the corpus must not make it stale)."""
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=root, capture_output=True, text=True, timeout=10
        )
        if top.returncode != 0:
            return None
        spec = ["."]
        if out_dir.is_relative_to(root):
            spec.append(f":(exclude){out_dir.relative_to(root).as_posix()}")
        log = subprocess.run(
            ["git", "log", "-1", "--format=%H", "--", *spec], cwd=root, capture_output=True, text=True, timeout=30
        )
        commit = log.stdout.strip() or None
        if commit:
            dirty = subprocess.run(
                ["git", "status", "--porcelain", "--untracked-files=no", "--", *spec],
                cwd=root, capture_output=True, text=True, timeout=60,
            )
            if dirty.stdout.strip():
                commit += "+dirty"
        return commit
    except (OSError, subprocess.SubprocessError):
        return None


def _load_pickle(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            data = pickle.load(handle)
        return data if isinstance(data, dict) else {}
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return {}  # a missing or unreadable cache only costs a full parse


def _save_pickle(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, dir=path.parent)
    with os.fdopen(fd, "wb") as handle:
        pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)
