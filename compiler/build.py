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
import os
import pickle
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from compiler.config import Settings, cache_dir, load_settings
from compiler.errors import CorpusError, SourceError
from compiler.model import Core, Diagnostic, FileFacts, SourceFile, SourceInfo

# Bump when the front end's output for the same bytes changes, so cached facts are re-parsed.
# The cache key also hashes the front end's own source (see _parser_fingerprint), so an edited
# parser never serves stale facts even when nobody remembers to bump this.
PARSER_VERSION = "2"
FACTS_CACHE = "facts"  # a folder of pickles, sharded by the first hex digits of each entry's key
FACTS_SHARD_CHARS = 2  # 256 shards
SUMMARY_CACHE = "summaries.json"

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
    if not force and (out_dir / "core.json").is_file() and not _stale_paths(root, out_dir, scanned, settings):
        result = BuildResult(corpus=out_dir, core=None, files=len(scanned.files), up_to_date=True, timings=timings)
        if index:
            result.index_stats = timed("index", lambda: index_stage(out_dir, settings, report))
        return result

    facts, parsed = timed("parse", lambda: parse_stage(root, scanned.files, out_dir, settings, report))
    analysis = timed("analyze", lambda: analyze_stage(root, facts, out_dir, settings))
    core = timed("link", lambda: assemble_core(root, scanned, facts, analysis, settings, out_dir))
    files, reused = len(scanned.files), len(facts) - parsed
    del facts, analysis  # the core holds what emission needs; the raw facts are the biggest thing alive
    staging = timed("emit", lambda: emit_stage(core, out_dir, report))
    timed("swap", lambda: swap_into_place(staging, out_dir))
    result = BuildResult(corpus=out_dir, core=core, files=files, parsed=parsed, reused=reused, timings=timings)
    if index:
        result.index_stats = timed("index", lambda: index_stage(out_dir, settings, report))
    return result


# ---- stages ---------------------------------------------------------------------


def scan_stage(root: Path, settings: Settings, out_dir: Path):
    """Every file worth compiling, and every skipped one with its reason.

    Other kc corpora inside the tree (a folder whose ``core.json`` has our schema) are compiled
    output, not source: they are left out, so building with ``--out`` elsewhere never compiles
    an old corpus into the new one.
    """
    from compiler.frontend.scan import scan
    from compiler.model import SkippedFile

    result = scan(root, settings, out_dir=out_dir)
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
    from compiler.frontend import parse_file

    repo_paths = frozenset(f.path for f in files)
    shards_dir = cache_dir(out_dir, settings) / FACTS_CACHE
    shards = {path.stem: _load_pickle(path) for path in sorted(shards_dir.glob("*.pickle"))}
    cached = {key: value for shard in shards.values() for key, value in shard.items()}
    fresh: dict[str, FileFacts] = {}
    facts: list[FileFacts] = []
    parsed = 0
    for done, source in enumerate(files, 1):
        key = _facts_key(source, settings)
        hit = cached.get(key)
        if hit is None:
            try:
                data = (root / source.path).read_bytes()
            except OSError as exc:
                hit = FileFacts(
                    path=source.path, language=source.language, module="", lines=0, sha256=source.sha256,
                    diagnostics=(Diagnostic(source.path, None, "error", "unreadable", str(exc)),),
                )
            else:
                hit = with_excerpts(parse_file(source, data, repo_paths=repo_paths), settings.excerpt_lines)
            parsed += 1
        fresh[key] = hit
        facts.append(hit)
        if done % 50 == 0 or done == len(files):
            report("parse", done, len(files))
    _save_shards(shards_dir, shards, fresh)
    return facts, parsed


def _save_shards(shards_dir: Path, old: dict[str, dict], fresh: dict[str, FileFacts]) -> None:
    """Rewrite only the cache shards whose entries changed: an edit to one file rewrites one shard."""
    new: dict[str, dict] = {}
    for key, value in fresh.items():
        new.setdefault(key[:FACTS_SHARD_CHARS], {})[key] = value
    for name, entries in new.items():
        if old.get(name, {}).keys() != entries.keys():
            _save_pickle(shards_dir / f"{name}.pickle", entries)
    for name in old.keys() - new.keys():
        (shards_dir / f"{name}.pickle").unlink(missing_ok=True)


def with_excerpts(facts: FileFacts, max_lines: int) -> FileFacts:
    """Attach a short code excerpt to each symbol, cut from the redacted text the parser saw."""
    text = getattr(facts, "_clean_text", None)
    if text is None or not facts.symbols:
        return replace(facts)  # a plain copy: drops the parser's private text before caching
    lines = text.splitlines()
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
        symbols.append(replace(symbol, excerpt=_dedent(excerpt)))
    return replace(facts, symbols=tuple(symbols))


def _dedent(code: str) -> str:
    import textwrap

    return textwrap.dedent(code)


def analyze_stage(root: Path, facts: list[FileFacts], out_dir: Path, settings: Settings):
    """Code graph, ranks, concepts and learning path, with the author's CONCEPTS.md on top.

    With ``--llm``, concept summaries come from the model, cached by prompt hash in the build
    cache so an unchanged concept is never summarized twice.
    """
    from compiler.analysis import analyze

    notes_text = None
    for fact in facts:
        if fact.path == "CONCEPTS.md":  # read through the scanner, so a secret in it is already redacted
            notes_text = _redacted_text(root, fact)
    summarizer, cache, cache_path = None, None, cache_dir(out_dir, settings) / SUMMARY_CACHE
    if settings.llm not in ("", "none"):
        from compiler.tutor.llm import make_backend

        summarizer = make_backend(settings.llm, settings, model=settings.llm_model, base_url=settings.llm_base_url)
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


def emit_stage(core: Core, out_dir: Path, report: Progress) -> Path:
    """Write every corpus file into a staging directory beside ``out_dir``, page by page."""
    from compiler.backend.docs import iter_corpus_files

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    total = 7 + len(core.concepts) + len({s.path for s in core.symbols})
    made_dirs: set[Path] = set()
    for done, (relpath, text) in enumerate(iter_corpus_files(core), 1):
        target = staging / relpath
        if target.parent not in made_dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(target.parent)
        with target.open("w", encoding="utf-8") as handle:
            if isinstance(text, str):
                handle.write(text)
            else:
                handle.writelines(text)
        if done % 100 == 0:
            report("emit", done, total)
    report("emit", total, total)
    return staging


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
        recorded = json.loads((out_dir / "core.json").read_text(encoding="utf-8"))
        built = recorded["source"]
    except (OSError, ValueError, KeyError):
        return ["core.json (unreadable)"]
    if recorded.get("schema") != Core.__dataclass_fields__["schema"].default:
        return [f"core.json (schema {recorded.get('schema')!r})"]
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
    digest = hashlib.sha256(PARSER_VERSION.encode())
    package = Path(__file__).resolve().parent
    for path in [*sorted((package / "frontend").glob("*.py")), package / "build.py", package / "model.py"]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


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


def _save_pickle(path: Path, data: dict) -> None:
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
