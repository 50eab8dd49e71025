"""Answer a plain-words question with ranked places in the code.

    dense (cosine over the numpy mirror, or the Chroma server)  ┐
    lexical (BM25 over identifier-aware tokens)                 ├─ reciprocal rank fusion
    file topic (cosine to each file's mean chunk vector)        │   (files and folders only
    folder topic (cosine to each folder's mean file topic)      ┘    reorder candidates)
        -> priors (kind of answer: module, constant, class without methods; importance,
           more of it for "where do I start" questions)
        -> concept-map boosts (concept members, graph neighbours of strong hits)
        -> concept, module and container-class hits name their best-matching member
           (same retrievers; never a test unless the question asks about tests)
        -> diversify (one symbol, one family of spellings, or one file, cannot fill the top 10)

Importable without torch, sentence-transformers or chromadb: queries are embedded with the
ONNX copy of the model stored in the index (onnxruntime + tokenizers).
"""

from __future__ import annotations

import math
import sys
import threading
from collections import defaultdict
from pathlib import Path

import numpy as np

from compiler.config import Settings, index_dir, load_settings
from compiler.index.hits import Hit
from compiler.index.manifest import model_mismatch
from compiler.index.question import Question as _Query
from compiler.index.question import read_question as _asked
from compiler.index.state import State as _State
from compiler.index.state import make_state
from compiler.roles import is_declaration_path

# Ranking knobs. They are chosen on the retrieval benchmark's tuning codebases as a whole, never
# for single questions, by leave-one-codebase-out cross-validation (bench/retrieval.py --cv,
# whose GRID records what was tried); the Search index section of ARCHITECTURE.md says why each exists.
CANDIDATES = 200  # from each retriever before fusion (100 left cobra's and fastify's answers out)
RRF_K = 20  # smaller than the classic 60: the first few ranks of each retriever carry the signal
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 0.7
IMPORTANCE_BOOST = 0.15  # PageRank prior: central code is what newcomers ask about
ONBOARDING_IMPORTANCE_BOOST = 0.5  # the same prior for "where do I start" questions
# Questions ask how or where something happens: that is a function, method or class. A whole
# module or a constant is a coarser answer, so it yields when the evidence is otherwise equal.
MODULE_PRIOR = 0.7
VARIABLE_PRIOR = 0.5
# A TypeScript declaration file (``types/route.d.ts``) states the types of code that lives elsewhere:
# it has no behaviour to show, as a class without methods has none.
DECLARATION_PRIOR = 0.5
DOC_PRIOR = 0.5  # a README or docs section: prose about the code, not the place in it
# A class that defines no methods (an exception type, a plain record) has no behaviour to
# show: its name matches the question ("too many redirects") while the code that raises or
# fills it is the place asked about.
EMPTY_CLASS_PRIOR = 0.6
# A private helper (``_name``, an unexported Go name) answers "how do I ...?" less surely than
# the public API a user calls: its score is multiplied by this for such questions.
WHAT_IS_KEEPS_CLASS = True  # see question.WHAT_IS
USER_PRIVATE_PRIOR = 0.5
CONCEPT_MEMBER_BOOST = 0.1  # a matching concept lends its score to its members
CONCEPT_SPECIFIC_SIZE = 5  # concepts up to this many members lend their full score
# A docs section that matches the question lends its score to the code it names (docnames.py):
# the section speaks the user's words, the code bears the answer's identifiers. Named code that no
# retriever found becomes a candidate on that lend alone when DOC_LEND_ADDS.
DOC_LEND = 0.0
DOC_LEND_ADDS = True
# Docs and code are ranked apart by each retriever (each has its own rank 1): a codebase with
# many pages of docs would otherwise push its code out of the candidates.
DOCS_APART = False
NEIGHBOUR_BOOST = 0.1  # callers/callees/containers of the strongest hits
STRONG_HITS = 5
NEIGHBOUR_CEILING = 0.95  # share of the gap to the lending hit a neighbour's lift may close
# The file as a whole is a third voter: a chunk in the file whose topic (mean chunk vector)
# is closest to the question gets FILE_WEIGHT / (FILE_RRF_K + file rank). It reorders the
# candidates of the two retrievers, it adds none.
FILE_WEIGHT = 0.5
FILE_RRF_K = 20
# The folder is a fourth voter, the same way (its topic: the mean of its files' topics). In a
# large codebase it routes the question to the part of the tree that is about it before the
# symbols within compete; in a flat one every chunk gets the same vote and nothing changes.
FOLDER_WEIGHT = 0.0
PER_FILE_TOP = 4  # at most this many hits from one file in the top 10
# A class with this many methods is a container, like a module: the question is about one of
# its methods, so a class hit names the best-matching method (as concept and module hits do).
# A smaller class is itself the answer. Chosen by leave-one-codebase-out CV (bench/retrieval.py).
CONTAINER_METHODS = 8
# How a coarse hit picks its member: True, by the dense and lexical retrievers over all its
# members (fused by rank); False, the member with the best final score among the candidates
# first, the retrievers only when no member is a candidate.
MEMBER_BY_RETRIEVERS = False
# A container class's hit names a public method when one of them is a candidate, a private helper
# (``_bases``) only when no public method matches. Not for modules: their private functions are
# where "how" questions are answered (httpx's ``_urlparse`` helpers; bench/retrieval.py GRID notes).
PUBLIC_MEMBERS_FIRST = True
TOP = 10
# One call in several spellings (logrus's Logger.Info, Infof, Infoln, InfoFn) is one answer: within the top
# 10 a family shows its best member once, so other places get the room. "stem": the spellings of one stem;
# "shape": every stem spelled alike too (Info..., Warn..., Error...) when at least FAMILY_STEMS are; None: off.
VARIANT_FAMILY = "shape"
FAMILY_STEMS = 4
# Tests, fixtures, benchmarks and tooling scripts use the code rather than define it: unless the
# question asks about them (roles.SIDE_ROLES, question.TEST_WORDS), their chunks yield.
TEST_PENALTY = 0.5  # BM25 score factor for such chunks
TEST_DENSE_MARGIN = 0.1  # cosine taken off them, likewise
STALE_EMBED_LIMIT = 256  # chunks a stale index embeds on the fly at load time

_NOTED: set[str] = set()  # corpora we already told about a missing/stale index


class Searcher:
    """Keeps the model and index warm for many queries (MCP server, tutor)."""

    def __init__(self, corpus_dir, settings: Settings | None = None, *, embedder=None):
        self.corpus_dir = Path(corpus_dir)
        self.settings = settings or load_settings()
        self._embedder = embedder
        self._state: _State | None = None
        self._lock = threading.Lock()

    # ---- loading -------------------------------------------------------------------
    def load(self) -> None:
        """Open the corpus and index now (otherwise done by the first search)."""
        with self._lock:
            if self._state is None:
                self._state = self._open()

    def _open(self) -> _State:
        from compiler.corpus import open_corpus
        from compiler.index import store

        corpus = open_corpus(self.corpus_dir)
        folder = index_dir(self.corpus_dir, self.settings)
        snapshot = store.load_snapshot(folder)
        if snapshot is None:
            self._note(
                f"no search index for {self.corpus_dir} yet; searching by words only. Run 'kc index' for search by meaning."
            )
            return self._lexical_only(corpus, folder)
        embedder = self._query_embedder(snapshot.manifest, folder)
        server = None
        if self.settings.chroma_url:
            server = store.open_for_query(self.settings, folder, snapshot.manifest, embedder)
        if snapshot.manifest.corpus_hash != store.corpus_hash(self.corpus_dir):
            self._note(f"the search index of {self.corpus_dir} is older than the corpus; run 'kc index' to refresh it.")
            return self._refreshed(corpus, snapshot, embedder, server)
        return _make_state(corpus, snapshot.chunks, snapshot.vectors, None, snapshot.lexical, embedder, server)

    def refresh_priors(self) -> None:
        """Recompute the per-chunk kind priors (after the ranking constants changed: cross-validation)."""
        if self._state is not None:
            self._state.prior = _priors(self._state.corpus, self._state.chunks)

    def _query_embedder(self, manifest, folder: Path):
        """The embedder for queries; it must be the model the index was built with."""
        from compiler.index import embed

        wanted = None
        if self._embedder is not None:
            wanted = self._embedder
        elif self.settings.model_path:
            wanted_id = embed.model_identity(embed.resolve_model_path(self.settings.model_path))
            if wanted_id != manifest.model_id:
                raise model_mismatch(manifest, wanted_id, None, folder)
        if wanted is not None:
            if wanted.model_id != manifest.model_id or int(wanted.dim) != int(manifest.dim):
                raise model_mismatch(manifest, wanted.model_id, wanted.dim, folder)
            return wanted
        if manifest.query_model:
            onnx = embed.OnnxEmbedder(folder / manifest.query_model)
            if onnx.model_id != manifest.model_id or onnx.dim != manifest.dim:
                raise model_mismatch(manifest, onnx.model_id, onnx.dim, folder)
            return onnx
        # No ONNX copy (a model whose pooling we could not export): the slow, exact path.
        bundled = embed.resolve_model_path(self.settings.model_path)
        if embed.model_identity(bundled) != manifest.model_id:
            raise model_mismatch(manifest, embed.model_identity(bundled), None, folder)
        return embed.SentenceTransformerEmbedder(self.settings.model_path)

    def _lexical_only(self, corpus, folder: Path) -> _State:
        from compiler.index import store

        chunks, lexical = store.words_only(self.corpus_dir, folder, corpus)  # built once per corpus, then cached
        return _make_state(corpus, chunks, None, None, lexical, None, None)

    def _refreshed(self, corpus, snapshot, embedder, server) -> _State:
        """A stale index: search the current corpus, with vectors for the chunks that did not change."""
        from compiler.index.chunk import chunk_corpus
        from compiler.index.lexical import LexicalIndex

        chunks = chunk_corpus(corpus)
        known = {c.id: i for i, c in enumerate(snapshot.chunks)}
        vectors = np.zeros((len(chunks), snapshot.manifest.dim), dtype=np.float32)
        has_vector = np.zeros(len(chunks), dtype=bool)
        for row, chunk in enumerate(chunks):
            if chunk.id in known:
                vectors[row] = snapshot.vectors[known[chunk.id]]
                has_vector[row] = True
        missing = np.flatnonzero(~has_vector)
        if 0 < len(missing) <= STALE_EMBED_LIMIT and server is None:
            # A few changed chunks: embed them now rather than leave them to words alone.
            vectors[missing] = embedder.embed_batch([chunks[row].embed_text for row in missing])
            has_vector[missing] = True
        lexical = LexicalIndex.build([c.lexical_text for c in chunks])
        return _make_state(corpus, chunks, vectors, has_vector, lexical, embedder, server)

    def _note(self, message: str) -> None:
        key = f"{self.corpus_dir.resolve()}:{message}"
        if key not in _NOTED:
            _NOTED.add(key)
            print(f"kc: note: {message}", file=sys.stderr)

    # ---- querying ------------------------------------------------------------------
    def search(self, query: str, k: int = 10) -> list[Hit]:
        """The ``k`` best places for ``query``, best first."""
        if self._state is None:
            self.load()
        state = self._state
        query = (query or "").strip()
        if not query or k <= 0 or not state.chunks:
            return []
        # "Where does it ...?" means the code that does it, not the tests that check it.
        asked = _asked(query)
        fused = _fuse(state, asked)
        if not fused:
            return []
        scores = _boost(state, fused, asked)
        ranked = sorted(scores, key=lambda row: (-scores[row], row))
        hits = _diversify(state, ranked, scores, k, asked)
        return hits


def search(corpus_dir, query: str, k: int = 10, settings: Settings | None = None) -> list[Hit]:
    """One-shot search (loads the index each call; keep a ``Searcher`` for many queries)."""
    return Searcher(corpus_dir, settings).search(query, k)


# ---- stages ----------------------------------------------------------------------------


def _yields(codes: np.ndarray, asked: _Query) -> np.ndarray:
    """1.0 where the aside code is one that yields for this question, else 0.0."""
    return np.isin(codes, asked.aside).astype(np.float32)


def _yielding(state: _State, asked: _Query) -> np.ndarray:
    """``_yields`` of every chunk for this question (computed once per question)."""
    if asked.yielding is None:
        asked.yielding = _yields(state.aside_rows, asked)
    return asked.yielding


def _make_state(corpus, chunks, vectors, has_vector, lexical, embedder, server) -> _State:
    return make_state(corpus, chunks, vectors, has_vector, lexical, embedder, server, _priors(corpus, chunks))


def _priors(corpus, chunks) -> np.ndarray:
    """What kind of answer each chunk is, as a score factor (see MODULE_PRIOR, VARIABLE_PRIOR, EMPTY_CLASS_PRIOR)."""
    with_behaviour = {s.parent for s in corpus.core.symbols if s.parent and s.kind in ("method", "function")}
    prior = np.ones(len(chunks), dtype=np.float32)
    for row, chunk in enumerate(chunks):
        if chunk.kind == "class" and chunk.symbol not in with_behaviour:
            prior[row] = EMPTY_CLASS_PRIOR
        else:
            prior[row] = {"module": MODULE_PRIOR, "variable": VARIABLE_PRIOR, "doc": DOC_PRIOR}.get(chunk.kind, 1.0)
        if chunk.kind != "doc" and is_declaration_path(chunk.path):
            prior[row] *= DECLARATION_PRIOR
    return prior


def _query_vector(state: _State, query: str) -> np.ndarray:
    cached_query, vector = state.last_query
    if cached_query != query or vector is None:
        vector = state.embedder.embed_batch([query])[0]
        state.last_query = (query, vector)
    return vector


def _dense_ranking(state: _State, asked: _Query) -> list[int]:
    if state.embedder is None:
        return []
    query = asked.text
    vector = _query_vector(state, query)
    if state.server is not None:
        rows = []
        for chunk_id, _similarity in state.server.query(vector, CANDIDATES * 2):
            row = state.position.get(chunk_id)
            if row is not None:  # ignore vectors a concurrent writer added but has not published
                rows.append(row)
        return rows[:CANDIDATES]
    if state.vectors is None or not len(state.vectors):
        return []
    similarity = state.vectors @ vector
    if asked.aside and state.aside_rows is not None:
        similarity = similarity - TEST_DENSE_MARGIN * _yielding(state, asked)
    if state.has_vector is not None:
        similarity = np.where(state.has_vector, similarity, -np.inf)
    asked.similarity = similarity
    top = _top_apart(state, similarity)
    return [int(row) for row in top if np.isfinite(similarity[row])]


def _lexical_ranking(state: _State, asked: _Query) -> list[int]:
    scores = state.lexical.scores(asked.text)
    if not len(scores):
        return []
    if asked.aside and state.aside_rows is not None:
        scores = scores * np.where(_yielding(state, asked), TEST_PENALTY, 1.0)
    asked.lexical = scores
    top = _top_apart(state, scores)
    return [int(row) for row in top if scores[row] > 0]


def _top_apart(state: _State, values: np.ndarray) -> np.ndarray:
    """The best CANDIDATES rows; with DOCS_APART, the best code rows and then the best docs rows."""
    if not DOCS_APART or state.doc_rows is None or not state.doc_rows.any():
        return _top(values, CANDIDATES)
    code = np.flatnonzero(~state.doc_rows)
    docs = np.flatnonzero(state.doc_rows)
    return np.concatenate([code[_top(values[code], CANDIDATES)], docs[_top(values[docs], CANDIDATES)]])


def _top(values: np.ndarray, n: int) -> np.ndarray:
    if len(values) <= n:
        return np.argsort(-values, kind="stable")
    part = np.argpartition(-values, n)[:n]
    return part[np.argsort(-values[part], kind="stable")]


def _file_ranks(state: _State, query: str, asked: _Query | None = None) -> np.ndarray | None:
    """Rank (1 = best) of every source file by how close its topic is to the query."""
    if state.embedder is None or state.file_vectors is None:
        return None
    similarity = state.file_vectors @ _query_vector(state, query)
    if asked is not None and asked.aside and state.aside_files is not None:
        similarity = similarity - TEST_DENSE_MARGIN * _yields(state.aside_files, asked)  # as in the dense retriever
    ranks = np.empty(len(similarity), dtype=np.int64)
    ranks[np.argsort(-similarity, kind="stable")] = np.arange(1, len(similarity) + 1)
    return ranks


def _fuse(state: _State, asked: _Query) -> dict[int, float]:
    """Reciprocal rank fusion: each retriever votes 1/(K + rank) for its candidates, and the
    file a candidate lives in votes by how well the file as a whole matches the question."""
    fused: dict[int, float] = defaultdict(float)
    rankings = ((DENSE_WEIGHT, _dense_ranking(state, asked)), (LEXICAL_WEIGHT, _lexical_ranking(state, asked)))
    apart = DOCS_APART and state.doc_rows is not None
    for weight, ranking in rankings:
        ranks = [0, 0]  # code, docs: each ranked from 1 when DOCS_APART
        for row in ranking:
            group = int(state.doc_rows[row]) if apart else 0
            ranks[group] += 1
            fused[row] += weight / (RRF_K + ranks[group])
    file_ranks = _file_ranks(state, asked.text, asked) if fused and (FILE_WEIGHT or FOLDER_WEIGHT) else None
    if file_ranks is not None:
        folder_ranks = _folder_ranks(state, asked) if FOLDER_WEIGHT else None
        for row in fused:
            file = state.file_of_row[row]
            if file >= 0:
                fused[row] += FILE_WEIGHT / (FILE_RRF_K + file_ranks[file])
                if folder_ranks is not None:
                    fused[row] += FOLDER_WEIGHT / (FILE_RRF_K + folder_ranks[state.folder_of_file[file]])
    return dict(fused)


def _folder_ranks(state: _State, asked: _Query) -> np.ndarray | None:
    """Rank (1 = best) of every folder by how close its topic is to the query."""
    if state.folder_vectors is None or len(state.folder_vectors) < 2:
        return None  # one folder: its vote is the same for everyone
    similarity = state.folder_vectors @ _query_vector(state, asked.text)
    ranks = np.empty(len(similarity), dtype=np.int64)
    ranks[np.argsort(-similarity, kind="stable")] = np.arange(1, len(similarity) + 1)
    return ranks


def _boost(state: _State, fused: dict[int, float], asked: _Query | None = None) -> dict[int, float]:
    """Lift what the concept map says matters: important code, members of matching concepts,
    and the graph neighbours of the strongest hits. Only candidates are lifted: the map
    reorders what the retrievers found, it does not invent hits."""
    chunks = state.chunks
    prior = state.prior
    # Where to start reading is the central code of the topic: importance counts for more.
    importance = ONBOARDING_IMPORTANCE_BOOST if asked is not None and asked.onboarding else IMPORTANCE_BOOST
    scores = {
        row: score * float(prior[row]) * (1.0 + importance * max(0.0, min(1.0, chunks[row].importance)))
        for row, score in fused.items()
    }
    if asked is not None and asked.user_voice and state.private_rows is not None and USER_PRIVATE_PRIOR != 1.0:
        for row in scores:
            if state.private_rows[row]:
                scores[row] *= USER_PRIVATE_PRIOR
    lifts: dict[int, float] = defaultdict(float)

    for row, score in fused.items():
        chunk = chunks[row]
        if chunk.kind == "concept" and chunk.members:
            _lend(state, lifts, fused, chunk.members, CONCEPT_MEMBER_BOOST * score, adds=False)
        elif DOC_LEND and chunk.kind == "doc" and row in _doc_names(state):
            _lend(state, lifts, fused, state.doc_names[row], DOC_LEND * score, adds=DOC_LEND_ADDS)

    strong = sorted((r for r in fused if chunks[r].symbol and chunks[r].kind != "concept"), key=lambda r: -fused[r])[
        :STRONG_HITS
    ]
    corpus = state.corpus
    for row in strong:
        symbol = chunks[row].symbol
        neighbours = {e.target for e in corpus.edges_from(symbol)} | {e.source for e in corpus.edges_to(symbol)}
        for neighbour in neighbours:
            for other in state.by_symbol.get(neighbour, ()):
                if other in fused and other != row:
                    lift = NEIGHBOUR_BOOST * fused[row]
                    if scores[other] < scores[row]:
                        # Vouched for, not promoted past: a neighbour may close in on the hit
                        # that lends it a lift, never overtake it on that lift alone.
                        lift = min(lift, NEIGHBOUR_CEILING * (scores[row] - scores[other]))
                    lifts[other] = max(lifts[other], lift)

    for row, lift in lifts.items():
        scores[row] = scores.get(row, 0.0) + lift

    return scores


def _doc_names(state: _State) -> dict:
    """Which code each docs chunk names (docnames.py), worked out on first use."""
    if state.doc_names is None:
        from compiler.index.docnames import doc_names

        state.doc_names = doc_names(state.corpus, state.chunks)
    return state.doc_names


def _lend(state: _State, lifts: dict, fused: dict, members, amount: float, *, adds: bool) -> None:
    """Lift the chunks of ``members`` (best first) by ``amount``, less for later and for many members:
    a concept or section naming three symbols says which code it means; one naming ninety barely does.
    Only candidates are lifted unless ``adds``."""
    specificity = 1.0 / math.sqrt(max(1, len(members) / CONCEPT_SPECIFIC_SIZE))
    for position, member in enumerate(members):
        for member_row in state.by_symbol.get(member, ()):
            if member_row in fused or adds:
                lifts[member_row] = max(lifts[member_row], amount * specificity / (1 + 0.25 * position))


def _members(state: _State, chunk, asked: _Query | None = None) -> tuple[str, ...]:
    """The symbols a coarse hit stands for: a concept's members, a module's definitions."""
    if chunk.kind == "concept":
        return chunk.members
    if chunk.kind == "module" and chunk.symbol:
        return state.module_members.get(chunk.path, ())
    if chunk.kind == "class" and chunk.symbol:
        if WHAT_IS_KEEPS_CLASS and asked is not None and asked.what_is:
            return ()
        methods = state.class_members.get(chunk.symbol, ())
        return methods if len(methods) >= CONTAINER_METHODS else ()
    return ()


def _coarse(state: _State, chunk, asked: _Query | None = None) -> bool:
    """A hit that stands for several places and names the best-matching one of them."""
    return chunk.kind in ("concept", "module") or (chunk.kind == "class" and bool(_members(state, chunk, asked)))


def _best_member(
    state: _State,
    chunk,
    scores: dict[int, float],
    asked: _Query | None = None,
    taken: set[str] | frozenset = frozenset(),
) -> tuple[str | None, str | None, tuple[int, int] | None]:
    """The member of a concept or module that answers this query best and is not shown yet.

    A member among the candidates wins by its score; when none is, the same two retrievers
    choose among the members (fused by rank, as the candidates were). Without members the
    hit keeps its own place (a concept's anchor, the module)."""
    skip = _yielding(state, asked) if asked is not None and asked.aside and state.aside_rows is not None else None
    rows = [
        row
        for member in _members(state, chunk, asked)
        if f"symbol:{member}" not in taken
        for row in state.by_symbol.get(member, ())
        if skip is None or not skip[row]  # a test or a benchmark is not what a module or concept is about
    ]
    if not rows:
        return chunk.symbol, chunk.path, chunk.lines
    if PUBLIC_MEMBERS_FIRST and chunk.kind == "class" and state.private_rows is not None:
        public = [row for row in rows if not state.private_rows[row]]
        if any(row in scores for row in public):
            rows = public
    scored = [row for row in rows if row in scores]
    if MEMBER_BY_RETRIEVERS and asked is not None and (asked.similarity is not None or asked.lexical is not None):
        best = _fused_among(rows, asked)
    elif scored:
        best = max(scored, key=lambda row: (scores[row], -row))
    elif asked is not None and (asked.similarity is not None or asked.lexical is not None):
        best = _fused_among(rows, asked)
    else:
        return chunk.symbol, chunk.path, chunk.lines
    member = state.chunks[best]
    return member.symbol, member.path, member.lines


def _fused_among(rows: list[int], asked: _Query) -> int:
    """The row that reciprocal rank fusion of the dense and lexical scores puts first among ``rows``."""
    fused = defaultdict(float)
    for weight, values in ((DENSE_WEIGHT, asked.similarity), (LEXICAL_WEIGHT, asked.lexical)):
        if values is None:
            continue
        order = sorted(rows, key=lambda row: (-float(values[row]), row))
        for rank, row in enumerate(order, start=1):
            fused[row] += weight / (RRF_K + rank)
    return max(rows, key=lambda row: (fused[row], -row))


def _family(state: _State, symbol: str | None) -> str | None:
    """The key of the family ``symbol`` belongs to (see VARIANT_FAMILY), or None."""
    variant = state.variants.get(symbol) if symbol and VARIANT_FAMILY else None
    if variant is None:
        return None
    owner, stem, shape, stems = variant
    if VARIANT_FAMILY == "shape" and stems >= FAMILY_STEMS:
        return f"family:{owner}:{','.join(sorted(shape))}"
    return f"family:{owner}:{stem}"


def _diversify(
    state: _State, ranked: list[int], scores: dict[int, float], k: int, asked: _Query | None = None
) -> list[Hit]:
    """Best first, but within the top 10 a symbol shows once, a concept once, a variant family once
    (``_family``), a file at most PER_FILE_TOP times: extras move down below the top 10, they are not dropped."""
    top: list[tuple] = []
    rest: list[tuple] = []
    per_file: dict[str, int] = defaultdict(int)
    shown: set[str] = set()  # symbols and concepts already in the top
    for row in ranked:
        chunk = state.chunks[row]
        symbol, path, lines = chunk.symbol, chunk.path, chunk.lines
        if _coarse(state, chunk, asked):
            symbol, path, lines = _best_member(state, chunk, scores, asked, taken=shown)
        keys = {f"symbol:{symbol}"} if symbol else set()
        family = _family(state, symbol)
        if family:
            keys.add(family)
        if chunk.kind == "concept":
            keys.add(f"concept:{chunk.concept}")
        entry = (row, symbol, path, lines)
        crowded = bool(keys & shown) or (path is not None and per_file[path] >= PER_FILE_TOP)
        if len(top) < TOP and not crowded:
            top.append(entry)
            per_file[path] += 1
            shown |= keys
        else:
            rest.append(entry)
        if len(top) >= min(k, TOP) and len(top) + len(rest) >= k:
            break
    hits = []
    for rank, (row, symbol, path, lines) in enumerate((top + rest)[:k], start=1):
        chunk = state.chunks[row]
        hits.append(
            Hit(
                rank=rank,
                score=float(scores[row]),
                path=path or chunk.page,
                symbol=symbol,
                lines=tuple(lines) if lines else None,
                concept=chunk.concept,
                title=chunk.title,
                snippet=chunk.snippet,
                kind=chunk.kind,
                text=chunk.text,
            )
        )
    return hits
