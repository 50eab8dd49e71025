"""Early cutoff: when an edit leaves what the analysis reads unchanged, patch the previous corpus.

A full build re-runs the whole-repository analysis (graph, PageRank, concepts) and renders every
page: on a 13,000-file tree that takes a minute even when one comment changed. Most edits (a
comment, a string, a function body that calls the same things, blank lines between definitions)
do not change what the analysis reads of a file (``compiler.analysis.structure_key``). Then the
graph, ranks and concept map are exactly those of the previous build, and only line numbers,
excerpts and hashes of the edited files move. This module makes the new corpus from the old one:

* ``core.json``: unchanged byte ranges are copied by the kernel (``copy_file_range``); the records
  of the edited files (their file entry, symbols, sections, diagnostics, redactions, and the
  concepts that cite their lines) are re-encoded in place; ``source`` and ``skipped`` are rewritten.
* pages: the edited files' reference pages, the concept pages that show their lines, ``index.md``,
  the build report and ``llms-full.txt`` are rendered again; every other page is hard-linked.

It needs the previous build's ``CorpusState`` (line offsets of core.json and a few maps), kept in
the build cache and tied to the exact core.json it describes (size, mtime, inode). Anything
unexpected (no state, a corpus edited or replaced since, kc's code or settings changed, files
added or removed, CONCEPTS.md edited, an edit that changes a file's structure) returns None and
the build runs in full. Tests compare patched corpora with cold builds byte for byte.
"""

from __future__ import annotations

import bisect
import json
import os
import pickle
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compiler.cache import code_digest, save_pickle
from compiler.config import Settings
from compiler.model import (
    Concept,
    Core,
    Diagnostic,
    Edge,
    FileFacts,
    FileInfo,
    Redaction,
    Section,
    SkippedFile,
    SourceFile,
    SourceInfo,
    Symbol,
    _build,
    field_lines,
    record_line,
)
from compiler.swap import new_staging

if TYPE_CHECKING:
    import numpy as np

STATE_FILE = "corpus-state.pickle"
STATE_VERSION = 1
MAX_PATCHED_FILES = 64  # more edited files than this: a full build is as quick and simpler
LAST_FIELD = "symbols"  # the last key of core.json (no trailing comma)


@dataclass
class CorpusState:
    """What a build remembers about the corpus it wrote, so the next one can patch it."""

    version: int
    code: str  # fingerprint of kc's own code and the output settings
    stamp: tuple[int, int, int]  # (size, mtime_ns, inode) of the core.json this describes
    offsets: np.ndarray  # byte offset of every line of core.json, and its size last
    layout: dict[str, tuple[int, int, int, int]]  # field -> (first line, first item line, items, end line)
    facts_keys: dict[str, str]  # source path -> facts cache key (parser, path, content hash)
    module_pages: dict[str, str]  # source path -> reference page name
    symbol_order: np.ndarray  # indices of core.symbols grouped by path
    symbol_spans: dict[str, tuple[int, int]]  # path -> its slice of symbol_order
    reference_order: list[str]  # reference pages in llms-full.txt order
    pages: list[str]  # every file of the corpus, relative to it

    def symbols_of(self, path: str) -> list[int]:
        start, end = self.symbol_spans.get(path, (0, 0))
        return [int(i) for i in self.symbol_order[start:end]]


@dataclass
class Patched:
    """A patched build, ready to swap in: the staging folder and the state to save after the swap."""

    staging: Path
    state: CorpusState
    core: Core
    files: int  # files patched
    replaced_keys: list[str]  # facts cache keys of the edited files' old versions


class _Unpatchable(Exception):
    """The previous corpus cannot be patched into this one: build in full."""


# ---- state ----------------------------------------------------------------------------


def code_fingerprint(settings: Settings) -> str:
    return f"{code_digest(f'state-{STATE_VERSION}')}-{settings.output_hash()}"


def stamp_of(path: Path) -> tuple[int, int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ino)


def new_state(
    core: Core,
    settings: Settings,
    notes: dict,
    line_lengths: Sequence[int],
    facts_keys: dict[str, str],
    pages: list[str],
) -> CorpusState:
    """The state of a corpus a full build just wrote (its stamp is set after the swap)."""
    import numpy as np

    offsets = np.zeros(len(line_lengths) + 1, dtype=np.int64)
    np.cumsum(np.asarray(line_lengths, dtype=np.int64), out=offsets[1:])
    paths = [symbol.path for symbol in core.symbols]
    order = sorted(range(len(paths)), key=paths.__getitem__)
    spans: dict[str, tuple[int, int]] = {}
    for position, index in enumerate(order):
        path = paths[index]
        start = spans[path][0] if path in spans else position
        spans[path] = (start, position + 1)
    return CorpusState(
        version=STATE_VERSION,
        code=code_fingerprint(settings),
        stamp=(0, 0, 0),
        offsets=offsets,
        layout=dict(notes["layout"]),
        facts_keys=dict(facts_keys),
        module_pages=dict(notes["module_pages"]),
        symbol_order=np.asarray(order, dtype=np.int64),
        symbol_spans=spans,
        reference_order=list(notes["reference_order"]),
        pages=sorted(pages),
    )


def save_state(path: Path, state: CorpusState, corpus: Path) -> None:
    """Save ``state`` for the corpus now at ``corpus`` (call after the swap: it stamps core.json)."""
    stamp = stamp_of(corpus / "core.json")
    if stamp is None:
        return
    state.stamp = stamp
    save_pickle(path, state)


def load_state(path: Path) -> CorpusState | None:
    try:
        with path.open("rb") as handle:
            state = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
    return state if isinstance(state, CorpusState) and state.version == STATE_VERSION else None


# ---- reading the previous core.json record by record ---------------------------------------


class CoreReader:
    """Lines of the previous core.json, read on demand by line number."""

    def __init__(self, path: Path, state: CorpusState):
        self.path = path
        self.state = state
        self.fd = os.open(path, os.O_RDONLY)

    def close(self) -> None:
        os.close(self.fd)

    def line(self, number: int) -> str:
        start, end = int(self.state.offsets[number]), int(self.state.offsets[number + 1])
        return os.pread(self.fd, end - start, start).decode("utf-8")

    def item(self, field: str, index: int) -> Any:
        _, first, count, _ = self.state.layout[field]
        if not 0 <= index < count:
            raise IndexError(f"{field}[{index}]")
        text = self.line(first + index).strip()
        return json.loads(text[:-1] if text.endswith(",") else text)

    def block(self, field: str) -> Any:
        """A whole top-level field, decoded (for the small ones)."""
        start, _, _, end = self.state.layout[field]
        begin, stop = int(self.state.offsets[start]), int(self.state.offsets[end])
        text = os.pread(self.fd, stop - begin, begin).decode("utf-8").rstrip().rstrip(",")
        return json.loads("{" + text + "}")[field]


class LazyRecords(Sequence):
    """One list field of the previous core, decoded record by record, with patched records on top."""

    def __init__(self, reader: CoreReader, field: str, cls: type):
        self.reader, self.field, self.cls = reader, field, cls
        self.count = reader.state.layout[field][2]
        self.patched: dict[int, Any] = {}
        self._decoded: dict[int, Any] = {}
        self._keyed: dict[str, _Keyed] = {}

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.count))]
        if index < 0:
            index += self.count
        if index in self.patched:
            return self.patched[index]
        record = self._decoded.get(index)
        if record is None:
            record = self._decoded[index] = _build(self.cls, self.reader.item(self.field, index))
        return record

    def __iter__(self) -> Iterator[Any]:
        return (self[i] for i in range(self.count))

    def patch(self, index: int, record: Any) -> None:
        if record != self[index]:
            self.patched[index] = record

    def span(self, attribute: str, key: str) -> tuple[int, int]:
        """``[start, end)`` of the records whose ``attribute`` is ``key`` (the field is sorted by it)."""
        get = lambda i: getattr(self[i], attribute)  # noqa: E731
        start = bisect.bisect_left(range(self.count), key, key=get)
        return start, bisect.bisect_right(range(start, self.count), key, key=get) + start

    def keyed(self, attribute: str) -> _Keyed:
        if attribute not in self._keyed:
            self._keyed[attribute] = _Keyed(self, attribute)
        return self._keyed[attribute]


class _Keyed:
    """``LazyRecords`` sorted by a unique attribute, looked up like a dict by binary search."""

    def __init__(self, records: LazyRecords, attribute: str):
        self.records, self.attribute = records, attribute
        self.found: dict[str, Any] = {}

    def get(self, key: str, default: Any = None) -> Any:
        if key not in self.found:
            start, end = self.records.span(self.attribute, key)
            self.found[key] = self.records[start] if end > start else None
        found = self.found[key]
        return default if found is None else found

    def __getitem__(self, key: str) -> Any:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None


# ---- the patch ------------------------------------------------------------------------


def try_patch(
    *,
    out_dir: Path,
    state_path: Path,
    settings: Settings,
    sources: list[SourceFile],
    skipped: list[SkippedFile],
    keys: dict[str, str],
    old_facts: Callable[[str], FileFacts | None],
    parse: Callable[[SourceFile], FileFacts],
    source_info: Callable[[], tuple[str, str | None]],
) -> Patched | None:
    """The new corpus patched from the previous one in a staging folder, or None when it cannot be.

    ``keys`` are the facts cache keys of ``sources``; ``old_facts(key)`` returns cached facts;
    ``parse(source)`` parses (and caches) one file; ``source_info()`` gives the project's
    (name, commit) now.
    """
    from compiler.analysis import structure_key
    from compiler.analysis.notes import NOTES_FILE

    state = load_state(state_path)
    if state is None or state.code != code_fingerprint(settings) or state.stamp != stamp_of(out_dir / "core.json"):
        return None
    if keys.keys() != state.facts_keys.keys():
        return None  # files added or removed: the graph changes
    changed = [s for s in sources if keys[s.path] != state.facts_keys[s.path]]
    if len(changed) > MAX_PATCHED_FILES or any(s.path == NOTES_FILE for s in changed):
        return None  # (no file changed at all: only the commit moved, which the patch records)
    fresh: dict[str, FileFacts] = {}
    for source in changed:
        old = old_facts(state.facts_keys[source.path])
        if old is None:
            return None
        new = parse(source)
        if structure_key(old) != structure_key(new):
            return None
        fresh[source.path] = new
    reader = CoreReader(out_dir / "core.json", state)
    staging = new_staging(out_dir)
    try:
        return _patch(reader, out_dir, staging, state, fresh, skipped, keys, source_info)
    except (_Unpatchable, OSError, ValueError, KeyError, IndexError):
        # a corpus page missing or unreadable, a record that does not decode: build in full instead
        shutil.rmtree(staging, ignore_errors=True)
        return None
    finally:
        reader.close()


def _patch(reader, out_dir, staging, state, fresh, skipped, keys, source_info) -> Patched:
    from compiler.backend.docs import CorpusPages
    from compiler.backend.llmstxt import LlmsFull
    from compiler.backend.report import render_report, render_report_markdown

    files = LazyRecords(reader, "files", FileInfo)
    symbols = LazyRecords(reader, "symbols", Symbol)
    sections = LazyRecords(reader, "sections", Section)
    moved: dict[str, Symbol] = {}  # symbol id -> patched symbol, for the symbols whose lines or excerpt changed
    for path, facts in fresh.items():
        start, end = files.span("path", path)
        if end != start + 1:
            raise _Unpatchable(path)
        files.patch(start, replace(files[start], lines=facts.lines, sha256=facts.sha256))
        by_id = {s.id: s for s in facts.symbols}
        for index in state.symbols_of(path):
            old = symbols[index]
            new = by_id.get(old.id)
            if new is not None:
                lines, excerpt = tuple(new.lines), new.excerpt
            elif old.kind == "module":  # the module symbol the graph makes for a file without one
                lines, excerpt = (1, max(1, facts.lines)), old.excerpt
            else:
                raise _Unpatchable(old.id)
            if (lines, excerpt) != (old.lines, old.excerpt):
                moved[old.id] = replace(old, lines=lines, excerpt=excerpt)
                symbols.patch(index, moved[old.id])
        start, end = sections.span("path", path)
        ordered = sorted(facts.sections, key=lambda s: (s.path, s.lines))
        if end - start != len(ordered):
            raise _Unpatchable(path)
        for index, section in zip(range(start, end), ordered):
            sections.patch(index, section)

    diagnostics = _replace_per_path(
        [_build(Diagnostic, d) for d in reader.block("diagnostics")],
        fresh,
        "diagnostics",
        key=lambda d: (d.path, d.line or 0, d.code, d.message),
    )
    redactions = _replace_per_path(
        [_build(Redaction, r) for r in reader.block("redactions")],
        fresh,
        "redactions",
        key=lambda r: (r.path, r.line, r.rule),
    )
    concepts_old = [_build(Concept, c) for c in reader.block("concepts")]
    concepts, touched = [], set()
    for concept in concepts_old:
        sources = []
        for ref in concept.sources:
            if ref.path in fresh:
                if ref.symbol is None or ref.symbol not in symbols.keyed("id"):
                    raise _Unpatchable(concept.id)
                if ref.symbol in moved:
                    ref = replace(ref, lines=tuple(moved[ref.symbol].lines))
            sources.append(ref)
        patched = replace(concept, sources=tuple(sources))
        if patched != concept or any(m in moved for m in concept.members):
            touched.add(concept.id)
        concepts.append(patched)

    name, commit = source_info()
    old_source = _build(SourceInfo, reader.block("source"))
    if name != old_source.name:
        raise _Unpatchable("project name")
    source = replace(old_source, commit=commit, files={**old_source.files, **{p: f.sha256 for p, f in fresh.items()}})

    core = Core(
        source=source,
        files=files,
        symbols=symbols,
        edges=LazyRecords(reader, "edges", Edge),
        concepts=tuple(concepts),
        learning_path=tuple(reader.block("learning_path")),
        entry_points=tuple(reader.block("entry_points")),
        sections=sections,
        diagnostics=tuple(diagnostics),
        skipped=tuple(sorted(skipped, key=lambda s: s.path)),
        redactions=tuple(redactions),
        calls_unresolved=tuple((name, count) for name, count in reader.block("calls_unresolved")),
    )

    # core.json: per-record edits, and two fields rewritten whole
    edits: list[tuple[int, int, list[str]]] = []
    for records in (files, symbols, sections):
        _, first, count, _ = state.layout[records.field]
        edits += [(first + i, first + i + 1, [record_line(r, i == count - 1)]) for i, r in records.patched.items()]
    for name_, values, old_values in (
        ("concepts", core.concepts, concepts_old),
        ("diagnostics", core.diagnostics, None),
        ("redactions", core.redactions, None),
    ):
        _, first, count, _ = state.layout[name_]
        if len(values) != count:
            raise _Unpatchable(name_)
        for i, value in enumerate(values):
            if old_values is None or value != old_values[i]:
                edits.append((first + i, first + i + 1, [record_line(value, i == count - 1)]))
    for name_ in ("skipped", "source"):
        start, _, _, end = state.layout[name_]
        edits.append((start, end, list(field_lines(name_, getattr(core, name_), last=name_ == LAST_FIELD))))

    offsets = write_patched(reader, staging / "core.json", edits)
    layout = _shifted_layout(state.layout, edits)

    pages = CorpusPages(core, module_pages=state.module_pages)
    rendered: dict[str, str] = {"index.md": pages.index()}
    by_id = {c.id: c for c in core.concepts}
    for concept_id in sorted(touched):
        rendered[f"concepts/{concept_id}.md"] = pages.concept(by_id[concept_id])
    for path in fresh:
        page = state.module_pages.get(path)
        members = sorted((symbols[i] for i in state.symbols_of(path)), key=lambda s: (s.lines[0], s.id))
        if page and members:
            rendered[f"reference/{page}.md"] = pages.reference(page, members)
    languages = json.loads((out_dir / "build-report.json").read_text(encoding="utf-8"))["languages"]
    report = render_report(core, languages=languages)  # the same files in the same languages
    rendered["build-report.json"] = json.dumps(report, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    rendered["build-report.md"] = render_report_markdown(report)

    full = LlmsFull(core)
    order = ["index.md", "path.md", *(f"concepts/{c}.md" for c in core.learning_path), *state.reference_order]
    for relpath in order:
        if full.wants(relpath):
            full.add(relpath, rendered.get(relpath) or (out_dir / relpath).read_text(encoding="utf-8"))
        else:
            full.add(relpath, "")
    rendered["llms-full.txt"] = full.text()

    made: set[str] = {""}
    old_root, new_root = str(out_dir), str(staging)
    for relpath in state.pages:
        folder = os.path.dirname(relpath)
        if folder not in made:
            os.makedirs(os.path.join(new_root, folder), exist_ok=True)
            made.add(folder)
        target = os.path.join(new_root, relpath)
        if relpath in rendered:
            with open(target, "w", encoding="utf-8") as handle:
                handle.write(rendered[relpath])
        elif relpath != "core.json":
            _link_or_copy(os.path.join(old_root, relpath), target)

    new = replace(state, offsets=offsets, layout=layout, facts_keys=dict(keys))
    replaced = [state.facts_keys[path] for path in fresh]
    return Patched(staging=staging, state=new, core=core, files=len(fresh), replaced_keys=replaced)


def _replace_per_path(records: list, fresh: dict[str, FileFacts], attribute: str, key) -> list:
    """``records`` (sorted by ``key``, path first) with those of the edited files taken from their new facts."""
    out = list(records)
    for path, facts in fresh.items():
        positions = [i for i, r in enumerate(out) if r.path == path]
        new = sorted(getattr(facts, attribute), key=key)
        if len(positions) != len(new) or (positions and positions[-1] - positions[0] + 1 != len(positions)):
            raise _Unpatchable(f"{attribute} of {path}")
        for position, record in zip(positions, new):
            out[position] = record
    return out


def write_patched(reader: CoreReader, target: Path, edits: list[tuple[int, int, list[str]]]) -> np.ndarray:
    """Write core.json as the old one with ``edits`` (replace old lines [start, end) with new lines).

    Unchanged stretches are copied by the kernel. Returns the new file's line offsets.
    """
    import numpy as np

    offsets = reader.state.offsets
    total_lines = len(offsets) - 1
    pieces: list[np.ndarray] = []
    position = 0  # bytes written so far
    line = 0  # next old line to copy
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        for start, end, lines in sorted(edits, key=lambda e: e[0]):
            if start < line:
                raise _Unpatchable("overlapping edits")
            position = _copy_lines(reader, fd, line, start, position, pieces)
            lengths = []
            for text in lines:
                data = text.encode("utf-8")
                os.write(fd, data)
                lengths.append(len(data))
            pieces.append(
                position + np.concatenate(([0], np.cumsum(lengths[:-1], dtype=np.int64)))
                if lengths
                else np.zeros(0, np.int64)
            )
            position += sum(lengths)
            line = end
        position = _copy_lines(reader, fd, line, total_lines, position, pieces)
    finally:
        os.close(fd)
    pieces.append(np.array([position], dtype=np.int64))
    return np.concatenate(pieces).astype(np.int64)


def _copy_lines(reader: CoreReader, fd: int, first: int, end: int, position: int, pieces: list) -> int:
    """Copy old lines [first, end) to ``fd``; record their new offsets; return the new position."""
    if end <= first:
        return position
    offsets = reader.state.offsets
    start_byte, end_byte = int(offsets[first]), int(offsets[end])
    pieces.append(offsets[first:end] - start_byte + position)
    copied = 0
    length = end_byte - start_byte
    while copied < length:
        try:
            n = os.copy_file_range(reader.fd, fd, length - copied, start_byte + copied)
        except (AttributeError, OSError):
            n = os.write(fd, os.pread(reader.fd, min(length - copied, 1 << 24), start_byte + copied))
        if n <= 0:
            raise _Unpatchable("core.json ended early")
        copied += n
    return position + length


def _shifted_layout(layout: dict[str, tuple[int, int, int, int]], edits: list[tuple[int, int, list[str]]]) -> dict:
    """The field layout after the edits (fields rewritten whole may change length)."""
    new = {}
    for name, (start, first, count, end) in layout.items():
        shift = sum(len(lines) - (e - s) for s, e, lines in edits if e <= start)
        inner = [(s, e, lines) for s, e, lines in edits if s == start and e == end]
        if inner:
            lines = inner[0][2]
            new_count = max(0, len(lines) - 2)
            new[name] = (start + shift, start + shift + 1, new_count, start + shift + len(lines))
        else:
            new[name] = (start + shift, first + shift, count, end + shift)
    return new


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
