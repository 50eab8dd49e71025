"""Reading repository text for a learner: sentences, names, references, decision lines, reasons.

In: docstrings, author notes, excerpts and symbols from a corpus. Out: plain strings the
offline composer puts into an answer. Instruction-like sentences are split off by
``safety.split_instructions`` so they are never written as the tutor's own words.
"""

from __future__ import annotations

import re
from typing import Any

from compiler.tutor.citations import Citation
from compiler.tutor.plan import Step, symbol_text, tokens
from compiler.untrusted import split_instructions


def clean_prose(text: str) -> tuple[str, list[str]]:
    """Repository prose with instruction-like sentences taken out (returned separately)."""
    return split_instructions((text or "").strip())


def sentences(text: str, count: int) -> str:
    """The first ``count`` sentences of ``text``, on one line."""
    flat = " ".join((text or "").split())
    if not flat:
        return ""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z`\"'(])", flat)
    return " ".join(parts[:count])


def same_text(first: str, second: str) -> bool:
    """True when two pieces of prose say the same (one contains the other, ignoring spacing and case)."""
    a, b = (" ".join(t.lower().split()) for t in (first, second))
    return bool(a and b) and (a in b or b in a)


def demote_headings(markdown: str) -> str:
    """Author markdown inside an answer: its headings become bold lines so they do not break the outline."""
    return re.sub(r"^#{1,6}\s+(.+)$", r"**\1**", markdown, flags=re.MULTILINE)


def display_name(corpus: Any, symbol: Any) -> str:
    """``Transport.send`` for a method, ``should_retry`` for a function: what a reader calls it."""
    parent = corpus.symbols.get(symbol.parent) if symbol.parent else None
    if parent is not None and parent.kind in {"class", "interface", "type"}:
        return f"{parent.name}.{symbol.name}"
    return symbol.name


def kind_words(corpus: Any, symbol: Any) -> str:
    parent = corpus.symbols.get(symbol.parent) if symbol.parent else None
    if symbol.kind == "method" and parent is not None:
        return f"a method of `{parent.name}`"
    return {
        "module": "a module",
        "class": "a class",
        "function": "a function",
        "variable": "a module-level value",
        "interface": "an interface",
        "type": "a type",
    }.get(symbol.kind, f"a {symbol.kind}")


def language_of(corpus: Any, path: str) -> str:
    info = corpus.files.get(path)
    language = info.language if info else ""
    return {"tsx": "tsx", "typescript": "ts", "javascript": "js"}.get(language, language)


def ref(path: str, start: int, end: int) -> str:
    return f"{path}:{start}" if start == end else f"{path}:{start}-{end}"


# Lines where control branches or fails: where a bug shows itself, and where the edge cases are.
_DECISION_RE = re.compile(
    r"^\s*(if\b|elif\b|else if\b|while\b|switch\b|case\b|except\b|catch\b|raise\b|throw\b|"
    r"if\s*\(|if err\b|select\b|assert\b|panic\()"
)


def decision_lines(symbol: Any, limit: int) -> list[tuple[int, str]]:
    """Lines of a symbol's excerpt where control branches, fails or returns: where bugs hide."""
    text, (start, _) = symbol_text(symbol)
    found = []
    in_doc = False
    for offset, line in enumerate(text.split("\n")):
        stripped = line.strip()
        # Skip docstrings: prose, not control flow.
        if stripped.startswith(('"""', "'''")):
            quote = stripped[:3]
            if not (len(stripped) > 3 and stripped.endswith(quote)):
                in_doc = not in_doc
            continue
        if in_doc or not _DECISION_RE.match(line):
            continue
        found.append((start + offset, stripped))
        if len(found) >= limit:
            break
    return found


_RATIONALE_RE = re.compile(
    r"\b(so that|so as to|because|in order to|to avoid|to prevent|instead of|rather than|otherwise|"
    r"which means|the reason|this way|trade-?off|on purpose|deliberately|never|always)\b",
    re.IGNORECASE,
)


def rationale_sentences(composer: Any, step: Step, limit: int = 4) -> list[tuple[str, str, Citation | None]]:
    """(sentence, origin, citation) giving reasons about the step's concept, best first.

    Candidates come from the author's notes and summary, the key symbols' docstrings, and
    README/docs sections that mention the concept or its symbols; a sentence scores for a
    causal phrase ("so that", "because", "instead of") and for words of the question.
    """
    corpus = composer.corpus
    concept = corpus.concepts[step.concept]
    wanted = set(tokens(composer.plan.question))
    names = {corpus.symbols[s].name.lower() for s in concept.members if s in corpus.symbols}
    candidates: list[tuple[str, str, Citation | None]] = []
    for text, origin, citation in (
        (composer.prose(concept.body, f"the notes on {concept.title}"), "notes", None),
        (composer.prose(concept.summary, f"the summary of {concept.title}"), "notes", None),
    ):
        candidates += [(sentence, origin, citation) for sentence in _split_sentences(text)]
    for symbol in composer.resolved(step.symbols):
        doc = composer.prose(symbol.doc, f"the docstring of `{symbol.id}`")
        citation = Citation(symbol.path, symbol.lines[0], symbol.lines[1], symbol=symbol.id)
        candidates += [(sentence, "docstring", citation) for sentence in _split_sentences(doc)]
    for section in corpus.core.sections:
        lowered = section.text.lower()
        if concept.title.lower() in lowered or any(name in lowered for name in names if len(name) > 3):
            text = composer.prose(section.text, f"the section “{section.title}” of {section.path}")
            citation = Citation(section.path, section.lines[0], section.lines[1])
            candidates += [(sentence, "docs", citation) for sentence in _split_sentences(text)]
    scored = []
    seen: set[str] = set()
    for position, (sentence, origin, citation) in enumerate(candidates):
        key = sentence.lower()
        if key in seen or len(sentence.split()) < 5:
            continue
        seen.add(key)
        causal = 2 if _RATIONALE_RE.search(sentence) else 0
        overlap = len(wanted & set(tokens(sentence)))
        if causal:
            scored.append((-(causal + overlap), position, (sentence, origin, citation)))
    scored.sort(key=lambda item: item[:2])
    return [item[2] for item in scored[:limit]]


def _split_sentences(text: str) -> list[str]:
    flat = " ".join(re.sub(r"^#+\s.*$|^```.*$", " ", text or "", flags=re.MULTILINE).split())
    return [p.strip() for p in re.split(r"(?<=[.!?])\s+(?=[A-Z`\"'(])", flat) if p.strip()]


# ---- docstring markup as plain prose --------------------------------------------------
_ROLE = re.compile(
    r":(?:py:)?(?:class|func|meth|attr|mod|data|obj|exc|ref|doc|const|term|envvar|option)s?:`~?!?([^`<]*?)(?:\s*<[^>]*>)?`"
)
_FIELD = re.compile(
    r"^\s*(:(param|parameter|arg|argument|key|keyword|type|raises?|except|returns?|rtype|yields?|ivar|cvar|var)\b"
    r"|\.\. \w[\w-]*::|@(param|returns?|throws|example|see|type|typedef|property|deprecated)\b|>>>)",
    re.IGNORECASE,
)
_SECTION = re.compile(
    r"^\s*[*_]*(Args|Arguments|Parameters|Params|Returns?|Yields?|Raises|Examples?|Notes?|Attributes|"
    r"See Also|Warnings?|Usage|Deprecated)\s*:?[*_]*\s*:?\s*$"
)
_NUMPY_RULE = re.compile(r"^\s*-{3,}\s*$")


def render_doc(text: str) -> str:
    """A docstring's prose as plain sentences: reST roles, fields and directives, Google/NumPy sections,
    JSDoc tags and doctest lines removed; ``:class:`Foo``` becomes ``Foo``; the prose before them kept."""
    kept: list[str] = []
    for line in (text or "").split("\n"):
        line = re.sub(r"^\s*\*(\s|$)", "", line)  # JSDoc's leading stars
        if _FIELD.match(line) or _SECTION.match(line) or _NUMPY_RULE.match(line):
            break  # the prose part of a docstring comes first; the rest is reference material
        kept.append(line)
    prose = "\n".join(kept)
    prose = _ROLE.sub(
        lambda m: f"`{m.group(1).strip().split('.')[-1] if '~' in m.group(0) else m.group(1).strip()}`", prose
    )
    prose = re.sub(r"``([^`]+)``", r"`\1`", prose)
    prose = re.sub(r"\{@link\s+([^}]+)\}", r"`\1`", prose)
    return prose.strip()
