"""What a query runs against, built once per loaded index.

In: a corpus, its chunks, their vectors (maybe partial: a stale index), the lexical index, the query
embedder (or a Chroma server) and each chunk's kind prior (``search._priors``). Out: a ``State``: the
same, plus what the ranking reads per chunk (aside codes, private members, the members a module or
class hit stands for) and the file and folder topics (mean chunk vectors).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from compiler.index.question import aside_code as _aside_code
from compiler.index.question import is_private as _private
from compiler.text import variant_stems


@dataclass
class State:
    """What a query runs against: chunks, their vectors (maybe partial), BM25, the core graph."""

    chunks: list
    vectors: np.ndarray | None  # row i = chunk i; None when there is no dense index
    has_vector: np.ndarray | None  # bool per chunk (a stale index lacks vectors for new chunks)
    lexical: object
    embedder: object | None
    server: object | None  # ChromaVectors when dense search goes to a Chroma server
    position: dict  # chunk id -> row
    by_symbol: dict  # symbol id -> rows of chunks about that symbol
    corpus: object
    aside_rows: np.ndarray | None = None  # aside code per chunk (0: the code itself; see ASIDE)
    private_rows: np.ndarray | None = None  # True for chunks of private symbols (``_name``, unexported Go)
    prior: np.ndarray | None = None  # score factor per chunk from what kind of thing it is
    file_of_row: np.ndarray | None = None  # index into file_vectors per chunk, -1 for none
    module_members: dict = field(default_factory=dict)  # a module chunk's file -> ids of what the file defines
    class_members: dict = field(default_factory=dict)  # class symbol id -> ids of its methods
    variants: dict = field(default_factory=dict)  # symbol id -> its variant family (see variant_families)
    file_vectors: np.ndarray | None = None  # per source file: the normalised mean of its chunk vectors
    folder_of_file: np.ndarray | None = None  # index into folder_vectors per file
    folder_vectors: np.ndarray | None = None  # per folder: the normalised mean of its files' topics
    aside_files: np.ndarray | None = None  # aside code per file of file_vectors
    doc_rows: np.ndarray | None = None  # True for README/docs chunks
    doc_names: dict | None = None  # docs chunk row -> ids of the symbols its section names (docnames.py), on first use
    last_query: tuple = ("", None)  # (query, vector): the dense and file rankings share one embedding


def make_state(corpus, chunks, vectors, has_vector, lexical, embedder, server, prior: np.ndarray) -> State:
    by_symbol: dict[str, list[int]] = defaultdict(list)
    for row, chunk in enumerate(chunks):
        if chunk.symbol and chunk.kind != "concept":
            by_symbol[chunk.symbol].append(row)
    return State(
        chunks=chunks, vectors=vectors, has_vector=has_vector, lexical=lexical, embedder=embedder, server=server,
        position={c.id: i for i, c in enumerate(chunks)}, by_symbol=dict(by_symbol), corpus=corpus,
        aside_rows=np.array([_aside_code(c.path) for c in chunks], dtype=np.int8),
        private_rows=np.array([_private(corpus, c.symbol) for c in chunks], dtype=bool),
        prior=prior,
        module_members=_module_members(corpus, chunks),
        class_members=_class_members(corpus),
        variants=variant_families(corpus),
        doc_rows=np.array([c.kind == "doc" for c in chunks], dtype=bool),
        **_file_topics(chunks, vectors, has_vector),
    )  # fmt: skip


def _file_topics(chunks, vectors, has_vector) -> dict:
    """Each source file's topic: the normalised mean of its chunk vectors (docs sections aside)."""
    if vectors is None or not len(vectors):
        return {}
    rows_of: dict[str, list[int]] = defaultdict(list)
    for row, chunk in enumerate(chunks):
        if chunk.path and chunk.kind != "doc" and (has_vector is None or has_vector[row]):
            rows_of[chunk.path].append(row)
    if not rows_of:
        return {}
    paths = sorted(rows_of)
    index = {path: n for n, path in enumerate(paths)}
    topics = np.stack([vectors[rows_of[path]].mean(axis=0) for path in paths]).astype(np.float32)
    topics /= np.maximum(np.linalg.norm(topics, axis=1, keepdims=True), 1e-12)
    file_of_row = np.array([index.get(c.path, -1) if c.kind != "doc" else -1 for c in chunks], dtype=np.int64)
    aside_files = np.array([_aside_code(path) for path in paths], dtype=np.int8)
    folders = sorted({path.rpartition("/")[0] for path in paths})
    folder_index = {folder: n for n, folder in enumerate(folders)}
    folder_of_file = np.array([folder_index[path.rpartition("/")[0]] for path in paths], dtype=np.int64)
    folder_vectors = np.zeros((len(folders), topics.shape[1]), dtype=np.float32)
    np.add.at(folder_vectors, folder_of_file, topics)
    folder_vectors /= np.maximum(np.linalg.norm(folder_vectors, axis=1, keepdims=True), 1e-12)
    return {
        "file_of_row": file_of_row,
        "file_vectors": topics,
        "aside_files": aside_files,
        "folder_of_file": folder_of_file,
        "folder_vectors": folder_vectors,
    }


def _module_members(corpus, chunks) -> dict[str, tuple[str, ...]]:
    """For each module chunk's file, the symbols the file defines (a module hit names the best of them).

    Keyed by the file, not the module: a Go package is one module over many files, and each
    file's chunk stands for what that file defines."""
    members = {}
    for chunk in chunks:
        if chunk.kind == "module" and chunk.symbol and chunk.path:
            members[chunk.path] = tuple(
                s.id for s in corpus.symbols_by_path.get(chunk.path, ()) if s.kind != "module" and s.id != chunk.symbol
            )
    return members


def _class_members(corpus) -> dict[str, tuple[str, ...]]:
    """For each class, its methods (a container class's hit names the best of them)."""
    members: dict[str, list[str]] = defaultdict(list)
    for symbol in corpus.core.symbols:
        if symbol.parent and symbol.kind in ("method", "function"):
            members[symbol.parent].append(symbol.id)
    return {parent: tuple(ids) for parent, ids in members.items()}


def variant_families(corpus) -> dict[str, tuple[str, str, frozenset[str], int]]:
    """Symbol id -> (owner, stem, spellings, stems spelled alike) for the functions and methods that come
    in several spellings of one call among their siblings (logrus's ``Logger.Info``/``Infof``/``Infoln``/
    ``InfoFn``; the owner is the class, or the file for functions): the hit list shows one of a family."""
    siblings: dict[str, list] = defaultdict(list)
    for symbol in corpus.core.symbols:
        if symbol.kind in ("method", "function"):
            siblings[symbol.parent or f"file:{symbol.path}"].append(symbol)
    out = {}
    for owner, symbols in siblings.items():
        stems = variant_stems({s.name for s in symbols})
        if not stems:
            continue
        alike: dict[frozenset[str], set[str]] = defaultdict(set)
        for stem, shape in stems.values():
            alike[shape].add(stem)
        for symbol in symbols:
            if symbol.name in stems:
                stem, shape = stems[symbol.name]
                out[symbol.id] = (owner, stem, shape, len(alike[shape]))
    return out
