"""One service layer for every front end (MCP server, web app, REPL): corpus, retrieval, tutor.

In: a corpus directory (and optional settings, source tree, backend name, learner store).
Out: ``Service.view()``, a ``CorpusView`` of the corpus as it is on disk now, with its page
whitelists and its ``Retriever``; ``Service.session()``, a ``TutorSession`` wired to that view;
``Service.explain()``, a stateless tutor answer. Front ends depend on this module, never on
each other, and read tutor results through the tutor's own types (``Answer.to_dict()``).

* Live corpus. ``kc build`` swaps a finished corpus into place atomically, so ``core.json``
  gets a new inode/mtime/size. ``LiveCorpus.get()`` stats it at most every ``check_every``
  seconds and reopens the corpus when the stamp changed; a corpus caught mid-write keeps the
  previous view answering.
* One retriever. ``compiler.index.search.Searcher`` answers: hybrid search when the index
  exists, BM25 over the corpus chunks (``index/lexical.py``) when it does not. That words-only
  mode is also the one fallback when the index exists but cannot be used (another model, a
  broken snapshot): the service opens a second ``Searcher`` pointed at an index folder that
  does not exist. (``tutor/plan.py``'s ``core_retrieve`` stays the tutor's second opinion and
  its default when no retriever is passed; the MCP server's own core searcher is gone.)
* One tutor-backend factory: ``make_tutor_backend`` -> ``compiler.tutor.llm.make_backend``,
  offline unless a backend is named explicitly or configured (``tutor_backend`` in kc.toml or
  ``KC_TUTOR_BACKEND``): an API key in the environment alone never sends code to a model.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from compiler.config import Settings, load_settings
from compiler.corpus import Corpus, open_corpus
from compiler.errors import KcError, SearchIndexError

log = logging.getLogger("kc.service")

RELOAD_CHECK_SECONDS = 1.0  # how often a request may stat core.json to notice a rebuild
BACKENDS = ("offline", "anthropic", "openai")


class Retriever:
    """The one search of a corpus: the index's ``Searcher``, words-only when the index is unusable.

    Loaded lazily (the first search may load the embedding model) and once, under a lock.
    ``search(query, k)`` returns ``compiler.index.hits.Hit`` objects, best first; it is also
    the tutor's ``retrieve`` function.
    """

    def __init__(self, root: Path, settings: Settings) -> None:
        self.root = root
        self.settings = settings
        self._searcher: Any = None
        self._backend = ""
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._searcher is not None

    @property
    def backend(self) -> str:
        """Which retrieval answers: hybrid, words only, or words only because the index is unusable."""
        return self._backend or "index (loaded on first search)"

    def load(self) -> None:
        from compiler.index.search import Searcher

        with self._lock:
            if self._searcher is not None:
                return
            _quiet_bm25s()
            searcher = Searcher(self.root, self.settings)
            try:
                searcher.load()
            except SearchIndexError as exc:
                # An unusable index must not take search away: BM25 over the chunks still answers.
                log.warning("search index unusable (%s); searching by words only", exc)
                searcher = Searcher(self.root, _without_index(self.settings))
                searcher.load()
                self._backend = f"lexical (index unusable: {exc})"
            else:
                from compiler.config import index_dir
                from compiler.index.store import read_manifest

                has_index = read_manifest(index_dir(self.root, self.settings)) is not None
                self._backend = (
                    "hybrid (embeddings + BM25)"
                    if has_index
                    else "lexical (no search index; run 'kc index' for search by meaning)"
                )
            self._searcher = searcher

    def search(self, query: str, k: int) -> list[Any]:
        """The ``k`` best ``Hit``s for ``query``."""
        if self._searcher is None:
            self.load()
        return list(self._searcher.search(query, k))


def _without_index(settings: Settings) -> Settings:
    """Settings whose index folder does not exist, so ``Searcher`` searches by words only."""
    missing = Path(tempfile.gettempdir()) / f"kc-no-index-{uuid.uuid4().hex}"
    return replace(settings, index_dir=str(missing), chroma_url="")


def _quiet_bm25s() -> None:
    # bm25s sets its own logger to DEBUG when imported; under a root handler that chatters on stderr.
    logger = logging.getLogger("bm25s")
    if _warnings_only not in logger.filters:
        logger.addFilter(_warnings_only)


def _warnings_only(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING


@dataclass
class CorpusView:
    """An opened corpus plus what front ends derive from it once: page whitelists and the retriever."""

    corpus: Corpus
    settings: Settings
    retriever: Retriever
    source: Path | None = None  # the source tree, for staleness checks
    pages: dict[str, str] = field(default_factory=dict)  # relpath -> relpath, inside the corpus only
    concept_pages: dict[str, str] = field(default_factory=dict)  # concept id -> relpath
    reference_pages: dict[str, str] = field(default_factory=dict)  # module id -> relpath
    stamp: tuple[int, int, int] | None = None  # core.json (inode, mtime_ns, size) when opened

    @property
    def root(self) -> Path:
        return self.corpus.root

    @property
    def name(self) -> str:
        return self.corpus.core.source.name

    def page_text(self, relpath: str) -> str:
        """A whitelisted page's text; NotFound for anything else."""
        from compiler.errors import NotFound

        if relpath not in self.pages:
            raise NotFound(f"no page {relpath!r} in this corpus")
        return self.corpus.page(relpath)


def core_stamp(corpus_dir: Path) -> tuple[int, int, int] | None:
    """``core.json``'s (inode, mtime_ns, size), or None when it is missing."""
    try:
        stat = (Path(corpus_dir) / "core.json").stat()
    except OSError:
        return None
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


def open_view(
    corpus_dir: str | Path, *, source: str | Path | None = None, settings: Settings | None = None
) -> CorpusView:
    """Open ``corpus_dir`` and index its pages; a clear ``CorpusError`` when it is not a corpus."""
    stamp = core_stamp(Path(corpus_dir))
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
    concept_pages = {
        rel[len("concepts/") : -len(".md")]: rel for rel in pages if rel.startswith("concepts/") and rel.endswith(".md")
    }
    concept_pages = {cid: rel for cid, rel in concept_pages.items() if cid in corpus.concepts}
    reference_pages = {
        rel[len("reference/") : -len(".md")]: rel
        for rel in pages
        if rel.startswith("reference/") and rel.endswith(".md") and rel.count("/") == 1
    }
    # Warm the lookup tables now: requests run on worker threads and should not race to build them.
    _ = corpus.concepts, corpus.symbols, corpus.files, corpus.callers(""), corpus.callees("")
    return CorpusView(
        corpus=corpus,
        settings=settings,
        retriever=Retriever(root, settings),
        source=Path(source).resolve() if source else None,
        pages=pages,
        concept_pages=concept_pages,
        reference_pages=reference_pages,
        stamp=stamp,
    )


class LiveCorpus:
    """The current ``CorpusView``, reopened when ``core.json`` changes on disk (a rebuild while serving)."""

    def __init__(
        self,
        corpus_dir: str | Path,
        *,
        source: str | Path | None = None,
        settings: Settings | None = None,
        check_every: float | None = None,
    ) -> None:
        self.corpus_dir = Path(corpus_dir)
        self._source = source
        self._settings = settings
        self._check_every = check_every
        self._lock = threading.Lock()
        self._view = open_view(self.corpus_dir, source=source, settings=settings)
        self._checked = time.monotonic()

    def get(self) -> CorpusView:
        """The view to answer from; looks at the disk at most every ``check_every`` seconds."""
        every = RELOAD_CHECK_SECONDS if self._check_every is None else self._check_every
        if time.monotonic() - self._checked < every:
            return self._view
        with self._lock:
            self._checked = time.monotonic()
            stamp = core_stamp(self.corpus_dir)
            if stamp is not None and stamp != self._view.stamp:
                try:
                    view = open_view(self.corpus_dir, source=self._source, settings=self._settings)
                except KcError as exc:  # caught mid-write or broken: keep answering from the corpus we have
                    log.warning("corpus changed on disk but cannot be reopened yet: %s", exc)
                else:
                    self._view = view
                    log.info("corpus changed on disk: reopened %s", view.root)
            return self._view


def backend_name(settings: Settings, name: str | None = None) -> str:
    """The tutor backend to use: ``name`` when given, else the configured one, else offline."""
    chosen = (name or settings.tutor_backend or "offline").strip().lower()
    if chosen not in BACKENDS:
        from compiler.errors import ConfigError

        raise ConfigError(f"unknown tutor backend {chosen!r}: use one of {', '.join(BACKENDS)}")
    return chosen


def make_tutor_backend(settings: Settings, name: str | None = None) -> Any:
    """The tutor backend (``compiler.tutor.llm.Backend``) every front end of this service uses."""
    from compiler.tutor.llm import make_backend

    return make_backend(backend_name(settings, name), settings)


class Service:
    """Corpus, retrieval and tutor for one corpus directory, shared by every front end."""

    def __init__(
        self,
        corpus_dir: str | Path,
        *,
        settings: Settings | None = None,
        source: str | Path | None = None,
        backend: str | None = None,
        check_every: float | None = None,
    ) -> None:
        self.settings = settings or load_settings()
        self.live = LiveCorpus(corpus_dir, source=source, settings=self.settings, check_every=check_every)
        self.backend_name = backend_name(self.settings, backend)
        self._backend: Any = None
        self._lock = threading.Lock()

    def view(self) -> CorpusView:
        return self.live.get()

    def tutor_backend(self) -> Any:
        """The tutor backend, made once."""
        with self._lock:
            if self._backend is None:
                self._backend = make_tutor_backend(self.settings, self.backend_name)
            return self._backend

    def search(self, query: str, k: int = 10) -> list[Any]:
        return self.view().retriever.search(query, k)

    def session(
        self,
        *,
        learner: str | None = None,
        store: Any = None,
        level: str | None = None,
        profile_defaults: dict[str, Any] | None = None,
        view: CorpusView | None = None,
    ) -> Any:
        """A ``TutorSession`` on the current corpus, retrieving through this service's retriever."""
        from compiler.tutor.session import TutorSession

        view = view or self.view()
        return TutorSession(
            view.corpus,
            backend=self.tutor_backend(),
            store=store,
            learner=learner,
            retrieve=view.retriever.search,
            level=level,
            profile_defaults=profile_defaults,
        )

    def explain(self, question: str, level: str = "intermediate") -> Any:
        """The tutor's finished ``Answer`` from a fresh, stateless session (no learner store is written)."""
        return self.session(level=level).ask(question).result()


__all__ = [
    "BACKENDS",
    "RELOAD_CHECK_SECONDS",
    "CorpusView",
    "LiveCorpus",
    "Retriever",
    "Service",
    "backend_name",
    "core_stamp",
    "make_tutor_backend",
    "open_view",
]
