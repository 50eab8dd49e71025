"""Check every citation of an answer against the core: real file, real lines, or it goes.

An answer cites ``path:start-end``. A citation is kept only when the path is a
compiled file of the corpus and the range lies inside it (``Corpus.valid_range``).
Anything else is removed from the text, listed in ``rejected_citations``, and never
shown as fact. Inline references in the text are checked too, also while streaming
(``CitationFilter`` holds back only the word being written).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

REMOVED = "[unverified reference removed]"

# Extensions that make "name.ext:12" a file reference rather than, say, "api.example.com:443".
_SOURCE_EXTENSIONS = frozenset(
    [
        "py",
        "pyi",
        "js",
        "mjs",
        "cjs",
        "jsx",
        "ts",
        "tsx",
        "go",
        "rs",
        "java",
        "kt",
        "c",
        "h",
        "cc",
        "cpp",
        "hpp",
        "cs",
        "rb",
        "php",
        "swift",
        "scala",
        "md",
        "rst",
        "txt",
        "toml",
        "json",
        "yaml",
        "yml",
        "cfg",
        "ini",
        "sh",
        "bash",
        "zsh",
        "html",
        "css",
        "scss",
        "sql",
        "proto",
        "lua",
        "r",
        "jl",
        "ex",
        "exs",
        "erl",
        "hs",
        "ml",
        "vue",
        "svelte",
    ]
)
CITATION_RE = re.compile(
    r"(?<![\w/.\-:])"  # not in the middle of a word, a URL or another reference
    r"(?P<path>(?:[\w.\-]+/)*[\w.\-]+\.(?P<ext>[A-Za-z][A-Za-z0-9]*))"
    r":L?(?P<start>\d+)(?:[-–]L?(?P<end>\d+))?"
    r"(?![\w])"
)


@dataclass(frozen=True)
class Citation:
    """A checked reference to lines of a compiled file."""

    path: str
    start: int
    end: int
    symbol: str | None = None
    quote: str = ""  # the cited text, when the backend returned it

    def __str__(self) -> str:
        return f"{self.path}:{self.start}-{self.end}"

    def to_dict(self) -> dict[str, Any]:
        return dict(asdict(self), ref=str(self))


@dataclass(frozen=True)
class RejectedCitation:
    """A reference that did not check out, as written, and why."""

    citation: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CheckedText:
    """Answer text with bad references removed, and the citations that survived or failed."""

    text: str
    citations: tuple[Citation, ...]
    rejected: tuple[RejectedCitation, ...]


def find_references(text: str) -> list[re.Match[str]]:
    """Inline ``path:start-end`` / ``path:line`` references that name a source-like file."""
    return [m for m in CITATION_RE.finditer(text or "") if m["ext"].lower() in _SOURCE_EXTENSIONS]


def problem(corpus: Any, path: str, start: int, end: int) -> str | None:
    """Why ``path:start-end`` is not a valid citation, or None when it is."""
    info = corpus.files.get(path)
    if info is None:
        return f"{path} is not a compiled file of this corpus"
    if start > end:
        return f"range {start}-{end} is reversed"
    if not corpus.valid_range(path, start, end):
        return f"lines {start}-{end} are outside {path} (it has {info.lines} lines)"
    return None


def check_citations(corpus: Any, citations: Iterable[Citation]) -> tuple[list[Citation], list[RejectedCitation]]:
    """Split structured citations into valid (deduplicated, in order) and rejected."""
    valid: list[Citation] = []
    rejected: list[RejectedCitation] = []
    seen: set[tuple[str, int, int]] = set()
    for citation in citations:
        reason = problem(corpus, citation.path, citation.start, citation.end)
        if reason:
            rejected.append(RejectedCitation(str(citation), reason))
        elif (citation.path, citation.start, citation.end) not in seen:
            seen.add((citation.path, citation.start, citation.end))
            valid.append(citation)
    return valid, rejected


def check_text(corpus: Any, text: str) -> tuple[str, list[Citation], list[RejectedCitation]]:
    """Remove invalid inline references from ``text``; return it with the valid and rejected ones."""
    valid: list[Citation] = []
    rejected: list[RejectedCitation] = []
    pieces: list[str] = []
    last = 0
    for match in find_references(text):
        start = int(match["start"])
        end = int(match["end"] or start)
        reason = problem(corpus, match["path"], start, end)
        if reason is None:
            valid.append(Citation(match["path"], start, end, symbol=_symbol_at(corpus, match["path"], start, end)))
            continue
        rejected.append(RejectedCitation(match.group(0), reason))
        pieces.append(text[last : match.start()])
        pieces.append(REMOVED)
        last = match.end()
    pieces.append(text[last:])
    return "".join(pieces), valid, rejected


def check_answer(corpus: Any, text: str, citations: Sequence[Citation] = ()) -> CheckedText:
    """Check the inline references of ``text`` and the structured ``citations`` together."""
    cleaned, inline_valid, inline_rejected = check_text(corpus, text)
    valid, rejected = check_citations(corpus, [*citations, *inline_valid])
    return CheckedText(cleaned, tuple(valid), tuple(inline_rejected + rejected))


def _symbol_at(corpus: Any, path: str, start: int, end: int) -> str | None:
    """The innermost symbol whose lines contain the cited range (for display)."""
    best = None
    for symbol in corpus.symbols_by_path.get(path, []):
        s, e = symbol.lines
        if s <= start and end <= e and (best is None or (e - s) < (best.lines[1] - best.lines[0])):
            best = symbol
    return best.id if best else None


class CitationFilter:
    """Streams text through the inline check: releases everything but the word still being written."""

    def __init__(self, corpus: Any) -> None:
        self.corpus = corpus
        self._pending = ""
        self.citations: list[Citation] = []
        self.rejected: list[RejectedCitation] = []

    def feed(self, chunk: str) -> str:
        """Text that is safe to show now (may be empty)."""
        self._pending += chunk
        # A reference never contains whitespace, so text up to the last whitespace is complete.
        cut = max(self._pending.rfind(c) for c in (" ", "\n", "\t"))
        if cut < 0:
            return ""
        ready, self._pending = self._pending[: cut + 1], self._pending[cut + 1 :]
        return self._check(ready)

    def close(self) -> str:
        """The rest of the text, checked."""
        ready, self._pending = self._pending, ""
        return self._check(ready)

    def _check(self, text: str) -> str:
        cleaned, valid, rejected = check_text(self.corpus, text)
        self.citations.extend(valid)
        self.rejected.extend(rejected)
        return cleaned


def filter_stream(corpus: Any, chunks: Iterable[str], into: CitationFilter | None = None) -> Iterator[str]:
    """Yield ``chunks`` with invalid inline references removed, as soon as each word is complete."""
    checker = into or CitationFilter(corpus)
    for chunk in chunks:
        out = checker.feed(chunk)
        if out:
            yield out
    rest = checker.close()
    if rest:
        yield rest
