"""Lexical retrieval: BM25 (bm25s) over identifier-aware tokens.

Code names glue words together (``should_retry``, ``RetryExhausted``), questions do not
(``retry``, ``retries``). ``tokenize`` splits snake_case and camelCase, keeps the whole
identifier too (so an exact name still wins), lowercases, drops a small stoplist of
question words and code keywords, and strips common English suffixes so ``retries``,
``retrying`` and ``retry`` meet.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import numpy as np

STOPWORDS = frozenset(
    """
    a an and are as at be been but by can could do does did for from how i if in into is it its
    me my of on or so that the their them then there these they this those to was were what when
    where which who whom why will with would you your we our us should shall may might must
    has have had not no yes also just about any all some each there here very
    self cls def return function const var let new this true false none null undefined
    """.split()
)

# Keywords of the languages kc compiles. In code they carry syntax, not meaning; left in, a
# question's "raises" or "returns" would match every function body equally.
CODE_KEYWORDS = frozenset(
    """
    and as assert async await break class continue def del elif else except finally for from global
    if import in is lambda nonlocal not or pass raise return try while with yield None True False self cls
    catch const debugger extends function instanceof let new switch this throw typeof var void null undefined
    chan defer fallthrough func goto struct
    """.split()
)

_WORD = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*|[0-9]+")
_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_SUFFIXES = (
    ("ies", "i"),
    ("sses", "ss"),
    ("ions", ""),
    ("ion", ""),
    ("ings", ""),
    ("ing", ""),
    ("ed", ""),
    ("es", ""),
    ("s", ""),
)
_NO_S_STRIP = ("ss", "us", "is")
# An adverb asks about what its adjective names: "written atomically" is the code that is
# ``atomic``, "retried automatically" the ``automatic`` retry. Only endings that are surely
# adverbs: a bare "-ly" is also "apply", "reply", "family".
_ADVERBS = (
    ("ically", "ic"),
    ("ally", "al"),
    ("ively", "ive"),
    ("ously", "ous"),
    ("ently", "ent"),
    ("antly", "ant"),
    ("ately", "ate"),
    ("itly", "it"),
    ("fully", "ful"),
    ("lessly", "less"),
)


def stem(word: str) -> str:
    """A deliberately small suffix stripper: ``retries``/``retrying``/``retry`` -> ``retri``."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, replacement in _ADVERBS:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + replacement
            break
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix):
            if suffix == "s" and word.endswith(_NO_S_STRIP):
                break
            base = word[: -len(suffix)] + replacement
            if len(base) >= (4 if suffix == "ed" else 3):  # "embed" is not "emb" + "ed"
                word = base
                if suffix in ("ing", "ings", "ed") and len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                    word = word[:-1]  # stopped -> stop, embedded -> embed
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]  # encode / encoding / encoded -> encod
    if len(word) > 3 and word.endswith("y"):
        word = word[:-1] + "i"  # retry / retries -> retri
    return word


def tokenize(text: str) -> list[str]:
    """Identifier-aware tokens: whole identifiers plus their stemmed parts, lowercased."""
    tokens: list[str] = []
    for word in _WORD.findall(text):
        tokens.extend(_word_tokens(word))
    return tokens


@functools.lru_cache(maxsize=1 << 16)
def _word_tokens(word: str) -> tuple[str, ...]:
    """The tokens of one word (memoised: code repeats its words, and an index tokenizes them all)."""
    word = word.strip("_$")
    if not word:
        return ()
    parts = [p.lower() for piece in re.split(r"[_$]+", word) for p in _PART.findall(piece)]
    whole = word.lower()
    tokens = [whole] if len(parts) > 1 and whole not in STOPWORDS else []
    for part in parts:
        if part in STOPWORDS or (len(part) == 1 and not part.isdigit()):
            continue
        tokens.append(stem(part))
    return tuple(tokens)


def query_tokens(text: str) -> list[str]:
    """Tokens of a question, plus each pair of neighbouring words glued together.

    Code glues words that a question keeps apart: "url-encoded" is ``urlencoded``,
    "host name" is ``hostname``, "sub domains" is ``subdomains``. A glued pair that no
    document contains is simply not in the index vocabulary and scores nothing.
    """
    tokens = tokenize(text)
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", text)]
    for first, second in zip(words, words[1:]):
        if first in STOPWORDS or second in STOPWORDS or len(first) < 2 or len(second) < 2:
            continue
        tokens.append(stem(first + second))
    return tokens


def without_keywords(code: str) -> str:
    """Code with its language keywords removed (identifiers, strings and comments stay)."""
    return _KEYWORD.sub(" ", code)


_KEYWORD = re.compile(r"\b(?:" + "|".join(sorted(CODE_KEYWORDS, key=len, reverse=True)) + r")\b")


class LexicalIndex:
    """BM25 over a list of token lists; scores every document for a query."""

    def __init__(self, retriever, size: int):
        self.retriever = retriever
        self.size = size

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        import bm25s

        documents = [tokenize(t) or ["∅"] for t in texts]  # bm25s wants no empty documents
        retriever = bm25s.BM25(k1=1.2, b=0.75)
        if documents:
            retriever.index(documents, show_progress=False)
        return cls(retriever, len(documents))

    def scores(self, query: str) -> np.ndarray:
        """A BM25 score for every document (zeros when no query word is indexed)."""
        if self.size == 0:
            return np.zeros(0, dtype=np.float32)
        ids = self.retriever.get_tokens_ids(query_tokens(query))
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.retriever.get_scores_from_ids(ids), dtype=np.float32)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self.size:
            self.retriever.save(str(folder), show_progress=False)
        (folder / "size").write_text(str(self.size))

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        size = int((folder / "size").read_text())
        if size == 0:
            return cls(None, 0)
        return cls(_SavedScores.load(folder), size)


class _SavedScores:
    """A saved bm25s index, read with numpy alone: the precomputed per-token BM25 scores (a CSC
    matrix) summed for the query's tokens exactly as ``bm25s.BM25.get_scores_from_ids`` sums them.

    ``bm25s`` imports scipy, which costs a cold ``kc search`` more than everything else it loads;
    scoring a saved index needs neither. Variants with a non-occurrence term are read by bm25s.
    """

    def __init__(self, vocab: dict[str, int], data, indices, indptr, num_docs: int, dtype: str):
        self.vocab_dict = vocab
        self.data, self.indices, self.indptr = data, indices, indptr
        self.num_docs = num_docs
        self.dtype = np.dtype(dtype)

    @classmethod
    def load(cls, folder: Path):
        params = json.loads((folder / "params.index.json").read_text(encoding="utf-8"))
        if params.get("method", "lucene") not in {"lucene", "robertson", "atire"}:
            import bm25s

            return bm25s.BM25.load(str(folder), mmap=False, show_progress=False)
        arrays = [
            np.load(folder / f"{name}.csc.index.npy", allow_pickle=False) for name in ("data", "indices", "indptr")
        ]
        vocab = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
        return cls(vocab, *arrays, int(params["num_docs"]), params.get("dtype", "float32"))

    def get_tokens_ids(self, tokens: list[str]) -> list[int]:
        return [self.vocab_dict[token] for token in tokens if token in self.vocab_dict]

    def get_scores_from_ids(self, ids: list[int]) -> np.ndarray:
        scores = np.zeros(self.num_docs, dtype=self.dtype)
        for token in np.asarray(ids, dtype=np.int64):
            start, end = self.indptr[token], self.indptr[token + 1]
            np.add.at(scores, self.indices[start:end], self.data[start:end])
        return scores
