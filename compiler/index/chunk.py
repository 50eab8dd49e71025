"""Cut a corpus into search chunks that follow its structure.

* ``reference/<module>.md``: one chunk for the module (heading + module doc + what it
  defines) and one per ``## `symbol.id` `` entry (signature, docstring, short excerpt).
* ``concepts/<id>.md``: the concept's summary and the author's explanation, in windows
  short enough for the embedding model to read whole.
* README / docs sections recorded in ``core.json``: one chunk each.

Pages are parsed with markdown-it-py; every heading is mapped back to ``core.json``
through ``Corpus`` lookups, so each chunk carries the source path, symbol id, line range,
concept and kind a search hit reports. A chunk's id is a hash of what gets embedded, so
an unchanged chunk keeps its vector across rebuilds.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import yaml

from compiler.corpus import Corpus
from compiler.index.lexical import without_keywords
from compiler.model import Concept, Section, Symbol
from compiler.text import first_sentence_snippet, identifier_words, plain_prose

EMBED_EXCERPT_LINES = 12  # code lines the dense model reads when the docstring is short
DOC_WORDS_WITHOUT_CODE = 8  # a docstring at least this long speaks for the code
REASON_WORDS = 60  # words of explanatory comments the dense model reads (why the code does what it does)
TEXT_EXCERPT_LINES = 20  # code lines kept for readers and for BM25
WINDOW_WORDS = 160  # MiniLM reads 256 word pieces; ~160 words fit with room to spare
SNIPPET_CHARS = 200


@dataclass(frozen=True)
class Chunk:
    """One retrievable unit with everything a search hit reports about it."""

    id: str
    kind: str  # symbol kind (function, class, method, module, ...), "concept" or "doc"
    page: str  # corpus page it came from, relative to the corpus root
    path: str | None  # source file relative to the compiled repository root
    symbol: str | None
    lines: tuple[int, int] | None
    concept: str | None
    title: str
    snippet: str
    text: str  # markdown for readers (Hit.text)
    embed_text: str  # what the dense model reads
    lexical_text: str  # what BM25 reads
    importance: float = 0.0
    members: tuple[str, ...] = field(default=())  # concept chunks: member symbol ids, best first

    def to_dict(self) -> dict:
        return {
            "id": self.id, "kind": self.kind, "page": self.page, "path": self.path, "symbol": self.symbol,
            "lines": list(self.lines) if self.lines else None, "concept": self.concept, "title": self.title,
            "snippet": self.snippet, "text": self.text, "lexical_text": self.lexical_text,
            "importance": self.importance, "members": list(self.members),
        }  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict) -> Chunk:
        lines = data.get("lines")
        return cls(
            id=data["id"], kind=data["kind"], page=data["page"], path=data.get("path"), symbol=data.get("symbol"),
            lines=(int(lines[0]), int(lines[1])) if lines else None, concept=data.get("concept"),
            title=data["title"], snippet=data.get("snippet", ""), text=data.get("text", ""), embed_text="",
            lexical_text=data.get("lexical_text", ""), importance=float(data.get("importance", 0.0)),
            members=tuple(data.get("members", ())),
        )  # fmt: skip


# ---- the whole corpus ---------------------------------------------------------------


def chunk_corpus(corpus: Corpus) -> list[Chunk]:
    """Every chunk of ``corpus``, in a stable order (pages sorted, sections in page order)."""
    chunks: list[Chunk] = []
    for page in sorted(corpus.page_paths()):
        if not page.endswith(".md") or not page.startswith(("reference/", "concepts/")):
            continue
        text = corpus.page(page)
        kind = split_front_matter(text)[0].get("kind")
        if kind == "reference" or (kind is None and page.startswith("reference/") and page != "reference/index.md"):
            chunks.extend(chunk_reference_page(corpus, page, text))
        elif kind == "concept" or (kind is None and page.startswith("concepts/")):
            chunks.extend(chunk_concept_page(corpus, page, text))
    chunks.extend(chunk_sections(corpus.core.sections))
    return _unique(chunks)


def _unique(chunks: Iterable[Chunk]) -> list[Chunk]:
    """Drop exact duplicates (same id): one vector and one hit per distinct chunk."""
    seen: set[str] = set()
    kept = []
    for chunk in chunks:
        if chunk.id not in seen:
            seen.add(chunk.id)
            kept.append(chunk)
    return kept


# ---- markdown helpers -------------------------------------------------------------


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it: the same data, faster


def split_front_matter(text: str) -> tuple[dict, str, int]:
    """(front matter, body, number of lines the front matter took)."""
    if not text.startswith("---\n"):
        return {}, text, 0
    end = text.find("\n---\n", 4)
    if end < 0:
        return {}, text, 0
    try:
        meta = yaml.load(text[4:end], Loader=_YAML_LOADER) or {}  # a safe loader
    except yaml.YAMLError:
        meta = {}
    consumed = text[: end + 5].count("\n")
    return (meta if isinstance(meta, dict) else {}), text[end + 5 :], consumed


@dataclass(frozen=True)
class _Block:
    level: int  # heading level; 0 for the text before the first heading
    heading: str  # heading text (inline source, backticks kept)
    body: str  # markdown between this heading and the next heading of level <= split level


def _blocks(body: str, split_level: int) -> list[_Block]:
    """Split markdown at headings of ``split_level`` or higher, using markdown-it's token map.

    markdown-it knows which ``#`` lines are real headings (not comments inside fenced code),
    which a regular expression does not.
    """
    lines = body.splitlines()
    tokens = _markdown().parse(body)
    cuts: list[tuple[int, int, int, str]] = []  # (start line, body start, level, heading)
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.map and int(token.tag[1]) <= split_level:
            inline = tokens[i + 1].content if i + 1 < len(tokens) else ""
            cuts.append((token.map[0], token.map[1], int(token.tag[1]), inline))
    blocks = []
    first = cuts[0][0] if cuts else len(lines)
    if first > 0:
        blocks.append(_Block(0, "", "\n".join(lines[:first]).strip()))
    for n, (_start, body_start, level, heading) in enumerate(cuts):
        end = cuts[n + 1][0] if n + 1 < len(cuts) else len(lines)
        blocks.append(_Block(level, heading.strip(), "\n".join(lines[body_start:end]).strip()))
    return blocks


@functools.cache
def _markdown():
    """One commonmark parser for every page, block rules only: a heading's inline token keeps its
    source text in ``content``, which is all ``_blocks`` reads, so parsing inline markup is waste."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").disable(["inline", "text_join"])


_CODE_HEADING = re.compile(r"^`([^`]+)`")
_SOURCE_LINE = re.compile(r"^\s*\**Source\**:?\**\s.*$", re.MULTILINE)


def heading_id(heading: str) -> str | None:
    """The symbol id in a ``## `id` `` heading, or None."""
    match = _CODE_HEADING.match(heading.strip())
    return match.group(1).strip() if match else None


# Where a docstring stops describing and starts listing: parameters, tags, version notes.
# (Examples stay: a call written out, ``res.jsonp({user: 'tj'})``, still says what it is for.)
_DOC_SECTION = re.compile(
    r"^\s*(?:@\w+|:(?:param|type|returns?|rtype|raises?)\b|\.\. \w+::|"
    r"\**(?:args|arguments|parameters|params|returns?|yields?|raises?)\**:?\**\s*$)",
    re.IGNORECASE,
)


def doc_prose(doc: str) -> str:
    """The describing part of a docstring, on one line: what comes before its parameter list,
    tags (``@param``, ``:param``) or version notes. Those read as noise to a sentence model
    (BM25 still reads them); a docstring that is nothing else keeps its untagged lines."""
    kept = []
    for line in doc.splitlines():
        if _DOC_SECTION.match(line):
            break
        kept.append(line)
    prose = " ".join(" ".join(kept).split())
    if prose:
        return prose
    return " ".join(" ".join(line for line in doc.splitlines() if not line.lstrip().startswith("@")).split())


def code_lines(excerpt: str, limit: int) -> list[str]:
    """Up to ``limit`` lines of code from an excerpt, leaving out doc comments/docstrings.

    The docstring is already in the chunk; repeating it would waste the model's window.
    """
    kept, in_doc, quote = [], False, ""
    for line in excerpt.splitlines():
        stripped = line.strip()
        if in_doc:
            if quote in stripped:
                in_doc = False
            continue
        if stripped.startswith(('"""', "'''", 'r"""')):
            quote = '"""' if '"""' in stripped else "'''"
            if stripped.count(quote) == 1:
                in_doc = True
            continue
        if stripped.startswith("/**") or (stripped.startswith("/*") and not stripped.startswith("/*!")):
            quote = "*/"
            if "*/" not in stripped:
                in_doc = True
            continue
        if not stripped or stripped.startswith(("//", "#")):
            continue
        kept.append(line.rstrip())
        if len(kept) >= limit:
            break
    return kept


# Comment markers of the languages kc compiles, and machine directives that explain nothing.
_COMMENT = re.compile(
    r"^\s*(?:#(?!!)|//(?!go:|\s*eslint|\s*@ts-|\s*istanbul|\s*prettier)|/\*+|\*(?!/))\s?(.*?)\s*(?:\*/)?\s*$"
)
# Words that mark a comment as a reason rather than a label ("# windows hook").
_REASON = re.compile(
    r"\b(because|so that|otherwise|instead|avoid|in order|since|ensure|workaround|why|note|must|need|needs|"
    r"can't|cannot|don't|won't|would|should|unless|rather than|prevent|allow|regardless|even (if|when|though))\b",
    re.IGNORECASE,
)
_DIRECTIVE = re.compile(r"^(?:type:|noqa|pragma|fmt:|pylint:|mypy:|nolint|lint:|TODO\s*$|-\*-)", re.IGNORECASE)


def comment_prose(excerpt: str) -> str:
    """The explanatory comments inside a code excerpt, as one line of prose.

    Comments say why code does what it does ("run on Root only, regardless of which command
    was called"); "why" questions are answered there. Doc comments and docstrings are the
    docstring's business (already in the chunk); tool directives (``# noqa``) explain nothing."""
    kept, in_doc, quote = [], False, ""
    for line in excerpt.splitlines():
        stripped = line.strip()
        if in_doc:  # a Python docstring: the chunk has it already
            if quote in stripped:
                in_doc = False
            continue
        if stripped.startswith(('"""', "'''", 'r"""')):
            quote = '"""' if '"""' in stripped else "'''"
            in_doc = stripped.count(quote) == 1
            continue
        match = _COMMENT.match(line)
        if not match:
            continue
        text = match.group(1).strip()
        if text and not _DIRECTIVE.match(text) and re.search(r"[A-Za-z]{3}", text):
            kept.append(text)
    # A reason often runs over several comment lines: keep each comment block that gives one.
    return " ".join(" ".join(line for line in _reason_blocks(kept)).split())


def _reason_blocks(lines: list[str]) -> list[str]:
    return [line for line in lines if _REASON.search(line)]


def _without_header(code: list[str], signature: str) -> list[str]:
    """Code lines after the decorators and the declaration the signature already gives
    (``def f(\n    a,\n) -> T:`` spans several lines)."""
    start = 0
    while start < len(code) and code[start].lstrip().startswith("@"):
        start += 1
    head = signature.strip().split("(", 1)[0][:60]  # "def send", "res.send = function send"
    if start >= len(code) or not head or not code[start].strip().startswith(head):
        return code[start:] if start else code
    for end in range(start, min(len(code), start + 12)):
        if code[end].rstrip().endswith((":", "{", "=>")):
            return code[end + 1 :]
    return code[start + 1 :]


def chunk_id(*parts: object) -> str:
    digest = hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode("utf-8"))
    return digest.hexdigest()[:32]


def _path_words(path: str | None) -> str:
    return identifier_words(path.rsplit(".", 1)[0]) if path else ""


# ---- reference pages -----------------------------------------------------------------


def chunk_reference_page(corpus: Corpus, page: str, text: str) -> list[Chunk]:
    """The module chunk and one chunk per ``## `symbol.id` `` entry of a reference page."""
    meta, body, _ = split_front_matter(text)
    page_path = meta.get("path") if isinstance(meta.get("path"), str) else None
    module_id = meta.get("module") if isinstance(meta.get("module"), str) else None
    blocks = _blocks(body, split_level=2)
    symbol_blocks = [(heading_id(b.heading), b) for b in blocks if b.level == 2 and heading_id(b.heading)]
    intro = "\n\n".join(b.body for b in blocks if b.level in (0, 1)).strip()
    if module_id is None:
        h1 = next((b for b in blocks if b.level == 1), None)
        module_id = heading_id(h1.heading) if h1 else None

    chunks = []
    defined = [sid for sid, _ in symbol_blocks]
    module_symbol = corpus.symbols.get(module_id) if module_id else None
    module_path = page_path or (module_symbol.path if module_symbol else None)
    file_info = corpus.files.get(module_path) if module_path else None
    # A Go package is one module over many files: its doc describes the file that holds it, and
    # every other file is described by its own doc and what it defines, not by the package doc again.
    own = module_symbol is not None and module_symbol.doc and (module_path is None or module_symbol.path == module_path)
    module_doc = (module_symbol.doc if own else "") or (file_info.doc if file_info else "")
    doc = module_doc or plain_prose(intro)
    names = ", ".join(identifier_words(sid.rsplit(".", 1)[-1]) for sid in defined[:40])
    if module_id:
        title = module_id
        spoken = identifier_words(module_id)
        file_words = _path_words(module_path.rsplit("/", 1)[-1]) if module_path else ""
        if file_words and file_words not in spoken:  # a Go file: "cobra module, flag groups"
            spoken = f"{spoken} module, {file_words}"
        else:
            spoken = f"{spoken} module"
        embed = f"{spoken} ({module_path}). {doc}\nDefines: {names}".strip()
        lexical = f"{module_id} {module_path} {doc} {' '.join(defined)}"
        lines = (
            module_symbol.lines if module_symbol else ((1, file_info.lines) if file_info and file_info.lines else None)
        )
        chunks.append(
            Chunk(
                id=chunk_id("module", module_path, module_id, embed),
                kind="module",
                page=page,
                path=module_path,
                symbol=module_id,
                lines=tuple(lines) if lines else None,
                concept=module_symbol.concept if module_symbol else None,
                title=title,
                snippet=first_sentence_snippet(doc, SNIPPET_CHARS) if doc else f"module {module_id}",
                text=(f"# `{module_id}`\n\n{intro}").strip(),
                embed_text=embed,
                lexical_text=lexical,
                importance=(
                    module_symbol.importance if module_symbol else (file_info.importance if file_info else 0.0)
                ),
            )
        )
    for sid, block in symbol_blocks:
        symbol = corpus.symbols.get(sid)
        chunks.append(_symbol_chunk(page, sid, block.body, symbol, module_path, _class_outline(corpus, symbol)))
    return chunks


def _class_outline(corpus: Corpus, symbol: Symbol | None) -> str:
    """What a class can do, for a class chunk: its methods in words and how it is constructed.

    A class without a docstring otherwise reads as its bare name; its constructor's
    parameters (``retries``, ``verify``) and methods (``handle request``) say what it is for."""
    if symbol is None or symbol.kind != "class":
        return ""
    methods = [
        s
        for s in corpus.symbols_by_path.get(symbol.path, ())
        if s.parent == symbol.id and s.kind in ("method", "function")
    ]
    if not methods:
        return ""
    names = [
        identifier_words(m.name)
        for m in methods
        if m.name not in ("__init__", "constructor", "New") and not m.name.startswith("__")
    ]
    init = next((m for m in methods if m.name in ("__init__", "constructor")), None)
    parts = []
    if names:
        parts.append("Methods: " + ", ".join(dict.fromkeys(names)) + ".")
    if init is not None and init.signature:
        parts.append("Created with: " + init.signature)
    return "\n".join(parts)


def _symbol_chunk(
    page: str, sid: str, section: str, symbol: Symbol | None, module_path: str | None, outline: str = ""
) -> Chunk:
    if symbol is not None:
        signature, doc, excerpt = symbol.signature, symbol.doc, symbol.excerpt
        path, lines, kind, concept, importance = (
            symbol.path,
            symbol.lines,
            symbol.kind,
            symbol.concept,
            symbol.importance,
        )
    else:  # a heading core.json does not know: read what the page itself says
        fences = re.findall(r"```[^\n]*\n(.*?)```", section, flags=re.DOTALL)
        signature = fences[0].strip() if fences else ""
        excerpt = fences[1] if len(fences) > 1 else ""
        doc = plain_prose(_SOURCE_LINE.sub("", section))
        path, lines, kind, concept, importance = module_path, None, "symbol", None, 0.0
    name = sid.rsplit(".", 1)[-1]
    owner = sid.rsplit(".", 2)[-2] if kind == "method" and sid.count(".") >= 1 else ""
    spoken = f"{identifier_words(owner)} {identifier_words(name)}".strip()
    doc_text = " ".join(doc.split())
    prose = doc_prose(doc)
    code = _without_header(code_lines(excerpt, EMBED_EXCERPT_LINES + 8), signature)[:EMBED_EXCERPT_LINES]
    reasons = comment_prose(excerpt)
    if doc_text and reasons.startswith(doc_text[:40]):
        reasons = ""  # a JS/Go doc comment kept in the excerpt: the docstring says it already
    # The dense model reads prose best: name in words, the describing part of the docstring,
    # signature; for a class, what it can do. Code only when the docstring says too little
    # to go on and there is no outline (BM25 reads all of it either way).
    embed = "\n".join(
        part
        for part in (
            f"{spoken}: {prose}" if prose else spoken,
            f"{kind} {sid} in {path}",
            signature.strip(),
            outline,
            "Notes: " + " ".join(reasons.split()[:REASON_WORDS]) if reasons and REASON_WORDS else "",
            "\n".join(code) if len(prose.split()) < DOC_WORDS_WITHOUT_CODE and not outline else "",
        )
        if part
    )
    full_code = without_keywords("\n".join(code_lines(excerpt, TEXT_EXCERPT_LINES)))
    # The name twice: a match on what a thing is called says more than one in its body.
    lexical = f"{sid} {identifier_words(name)} {path} {signature} {doc} {outline} {reasons} {full_code}"
    snippet = (
        first_sentence_snippet(doc_text, SNIPPET_CHARS)
        if doc_text
        else (signature.strip().splitlines()[0][:SNIPPET_CHARS] if signature.strip() else sid)
    )
    return Chunk(
        id=chunk_id(kind, path, sid, embed),
        kind=kind,
        page=page,
        path=path,
        symbol=sid,
        lines=tuple(lines) if lines else None,
        concept=concept,
        title=sid,
        snippet=snippet,
        text=f"## `{sid}`\n\n{section}".strip(),
        embed_text=embed,
        lexical_text=lexical,
        importance=float(importance or 0.0),
    )


# ---- concept pages -------------------------------------------------------------------


def chunk_concept_page(corpus: Corpus, page: str, text: str) -> list[Chunk]:
    """The concept's summary and explanation, in windows the embedding model reads whole."""
    meta, body, _ = split_front_matter(text)
    concept_id = meta.get("id") if isinstance(meta.get("id"), str) else page.rsplit("/", 1)[-1].removesuffix(".md")
    concept = corpus.concepts.get(concept_id)
    blocks = _blocks(body, split_level=2)
    title = (concept.title if concept else None) or next((b.heading for b in blocks if b.level == 1), concept_id)
    # Members and Related sections repeat what reference pages and other concepts say.
    skip = {"members", "related", "prerequisites", "where to read"}
    prose = "\n\n".join(b.body for b in blocks if b.level < 2 or b.heading.strip().lower() not in skip)
    summary = concept.summary if concept else ""
    explanation = plain_prose(prose)
    if concept and concept.body:
        explanation = plain_prose(concept.body) if plain_prose(concept.body) not in explanation else explanation
    if summary and summary.strip() and " ".join(summary.split()) not in " ".join(explanation.split()):
        explanation = f"{summary}\n\n{explanation}"
    members = concept.members if concept else tuple(meta.get("members") or ())
    member_names = " ".join(members)
    path, lines, symbol = _concept_anchor(corpus, concept)
    chunks = []
    for n, window in enumerate(_windows(explanation, WINDOW_WORDS)):
        embed = f"{title}: {window}"
        chunks.append(
            Chunk(
                id=chunk_id("concept", concept_id, n, embed),
                kind="concept",
                page=page,
                path=path,
                symbol=symbol,
                lines=lines,
                concept=concept_id,
                title=title,
                snippet=first_sentence_snippet(summary or window, SNIPPET_CHARS),
                text=window if n else f"# {title}\n\n{window}",
                embed_text=embed,
                lexical_text=f"{title} {concept_id} {window} {member_names}",
                importance=float(concept.importance) if concept else 0.0,
                members=tuple(members),
            )
        )
    return chunks


def _concept_anchor(corpus: Corpus, concept: Concept | None) -> tuple[str | None, tuple[int, int] | None, str | None]:
    """Where a concept hit points before the query picks a better member: its first key source."""
    if concept is None:
        return None, None, None
    for ref in concept.sources:
        return ref.path, tuple(ref.lines), ref.symbol
    for member in concept.entry_points + concept.members:
        symbol = corpus.symbols.get(member)
        if symbol:
            return symbol.path, tuple(symbol.lines), symbol.id
    return (concept.files[0] if concept.files else None), None, None


def _windows(text: str, size: int) -> list[str]:
    """Paragraph-aligned windows of at most ~``size`` words (a long paragraph is cut by words)."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    windows, current = [], []
    for paragraph in paragraphs:
        words = paragraph.split()
        while len(words) > size:
            if current:
                windows.append(" ".join(current))
                current = []
            windows.append(" ".join(words[:size]))
            words = words[size - 20 :]  # a little overlap so a sentence cut in two is still found
        if len(current) + len(words) > size and current:
            windows.append(" ".join(current))
            current = []
        current.extend(words)
    if current:
        windows.append(" ".join(current))
    return windows or [""]


# ---- README / docs sections ------------------------------------------------------------

_RELEASE_NOTES = re.compile(
    r"(^|/)(change_?log|changes|history|news|releases?|license|licence|copying)(\.[a-z]+)?$", re.IGNORECASE
)


def chunk_sections(sections: Iterable[Section]) -> list[Chunk]:
    """One chunk per README/docs section window (long sections cut into windows)."""
    chunks = []
    for section in sections:
        if _RELEASE_NOTES.search(section.path):
            continue  # release notes describe past changes, not where things are now
        body = plain_prose(section.text)
        if len(body.split()) < 5:
            continue  # a bare heading or a badge line: nothing to find there
        for n, window in enumerate(_windows(body, WINDOW_WORDS)):
            embed = f"{section.title}: {window}"
            chunks.append(
                Chunk(
                    id=chunk_id("doc", section.path, section.title, n, embed),
                    kind="doc",
                    page=section.path,
                    path=section.path,
                    symbol=None,
                    lines=tuple(section.lines) if section.lines else None,
                    concept=None,
                    title=section.title,
                    snippet=first_sentence_snippet(window, SNIPPET_CHARS),
                    text=window,
                    embed_text=embed,
                    lexical_text=f"{section.title} {section.path} {window}",
                    importance=0.0,
                )
            )
    return chunks
