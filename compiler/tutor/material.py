"""The core's material for an offline answer, each piece cited: titles, prose, excerpts, docs, callers.

In: a corpus and a ``Plan``. Out: strings ready for an answer, with the ``Citation`` of every line they
quote appended to the caller's list; instruction-like repository text is recorded in ``flagged`` and
never written as ours. ``usage`` writes the call a user types for a symbol;
``can_call`` says whether a line of real code can be a call of it; ``attributes_read`` which attributes
of an object (``form`` of ``request``) it reads. ``offline.Composer``
arranges this material into sections.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from compiler.analysis.examples import usual_receiver
from compiler.roles import is_test_path
from compiler.tutor.citations import Citation
from compiler.tutor.plan import Plan, symbol_text
from compiler.tutor.prose import clean_prose, language_of, ref, render_doc, sentences
from compiler.tutor.words import tokens
from compiler.untrusted import looks_like_instruction


def usage(corpus: Any, symbol: Any) -> str:
    """The call a user writes for ``symbol``, from its signature: ``app.use(fn)``, ``Client(...)``, ``obj.send(request)``,
    ``reply.code(code)`` for ``Reply.prototype.code = function (code)``; a getter is read: ``response.text``."""
    signature = " ".join((symbol.signature or "").split())
    assigned = re.match(r"^([\w$.]+)\s*=\s*(?:async\s+)?function\b[^(]*\(([^)]*)\)", signature)
    if assigned:  # JavaScript: proto.use = function use(fn)
        target, args = assigned.group(1), assigned.group(2).strip()
        owner, dot, name = target.rpartition(".prototype.")
        if dot:  # Reply.prototype.code = function (code): users call it on an instance, ``reply.code(code)``
            instance = usual_receiver(corpus, symbol) or owner.split(".")[-1][:1].lower() + owner.split(".")[-1][1:]
            return f"{instance}.{name}({args})"
        if target.split(".")[0] in {"module", "exports"}:  # module.exports = function (...): called by its name
            return f"{symbol.name}({args})"
        return f"{target}({args})"
    match = re.search(rf"\b{re.escape(symbol.name)}\s*\(([^)]*)\)", signature)
    if symbol.kind not in {"function", "method", "class"}:
        return ""
    args = [a.strip() for a in (match.group(1).split(",") if match else []) if a.strip()]
    args = [a.split(":")[0].split("=")[0].split()[0] for a in args]  # Go's "path string" is "path"
    args = [a for a in args if a not in {"self", "cls"}]
    args = [a for a in args if a not in {"*", "/"}][:3]
    shown = ", ".join(args) if len(args) <= 3 else ", ".join(args) + ", ..."
    if symbol.kind == "class":
        shown = "..."  # the signature lists base classes, not the constructor's arguments
    parent = corpus.symbols.get(symbol.parent) if symbol.parent else None
    if symbol.kind == "method" and parent is not None:
        # The receiver users write in real examples (``app.errorhandler``), else the class's name.
        receiver = usual_receiver(corpus, symbol) or parent.name[:1].lower() + parent.name[1:]
        if (signature and match is None) or "property" in " ".join(getattr(symbol, "decorators", ()) or ()):
            return (
                f"{receiver}.{symbol.name}"  # a getter (``Object.defineProperties``, ``@property``): read, not called
            )
        return f"{receiver}.{symbol.name}({shown})"
    parts = symbol.id.split(".")
    if len(parts) > 2 and any(p.startswith("_") for p in parts[1:-1]):  # httpx._api.get is used as httpx.get
        return f"{parts[0]}.{symbol.name}({shown})"
    if symbol.kind == "function" and (parent is None or parent.kind == "module"):
        package = usual_receiver(corpus, symbol)  # Go's log.WithFields(: called through its package, as imported
        if package:
            return f"{package}.{symbol.name}({shown})"
    return f"{symbol.name}({shown})"


def can_call(call: str, symbol: Any) -> bool:
    """Whether a line can call ``symbol``: a function or class is called bare or on its package or module
    (``httpx.get(``, ``logrus.Error(``), never as a method of something else (``t.Error(`` in a Go test)."""
    if symbol.kind not in {"function", "class"}:
        return True
    owners = {part.lstrip("_").lower() for part in re.split(r"[./]", symbol.id)[:-1]}
    receivers = re.findall(rf"([\w$]+)\s*\.\s*{re.escape(symbol.name)}\s*\(", call)
    return not receivers or any(r.lstrip("_").lower() in owners for r in receivers)


class Material:
    """Cited pieces of the core for one answer; ``Composer`` builds on it."""

    def __init__(self, corpus: Any, plan: Plan) -> None:
        self.corpus = corpus
        self.plan = plan
        self.depth = plan.depth
        self.level = plan.level
        self.flagged: list[tuple[str, str]] = []  # (where, sentence) of instruction-like repository text
        self.analogies_used: set[str] = set()

    def t(self, concept: Any) -> str:
        """A concept's title as the tutor may write it: one that addresses an AI is never our heading."""
        title = " ".join((concept.title or "").split())
        if looks_like_instruction(title) or re.search(r"[<>`]|&[#\w]+;", title):
            self.flagged.append(("a concept title", title))
            return "this part of the code"
        return title

    def prose(self, text: str, where: str) -> str:
        cleaned, flagged = clean_prose(text)
        self.flagged += [(where, sentence) for sentence in flagged]
        return cleaned

    def cite_symbol(self, symbol: Any, citations: list[Citation]) -> str:
        start, end = symbol.lines
        citations.append(Citation(symbol.path, start, end, symbol=symbol.id))
        return ref(symbol.path, start, end)

    def excerpt(self, symbol: Any, citations: list[Citation], max_lines: int | None = None) -> str:
        """A fenced excerpt of the symbol's first lines, cited exactly."""
        text, (start, end) = symbol_text(symbol)
        if not text:
            if not symbol.signature:
                return ""
            # No excerpt in this core: the signature, cited at the line where the definition starts.
            citations.append(Citation(symbol.path, start, start, symbol=symbol.id))
            return (
                f"`{ref(symbol.path, start, start)}`\n\n```{language_of(self.corpus, symbol.path)}\n"
                f"{symbol.signature}\n```\n"
            )
        lines = text.split("\n")
        limit = max_lines or self.depth.excerpt_lines
        shown = lines[:limit]
        while shown and not shown[-1].strip():
            shown.pop()
        last = start + len(shown) - 1
        citations.append(Citation(symbol.path, start, last, symbol=symbol.id))
        total = symbol.lines[1] - symbol.lines[0] + 1
        note = f" (first {len(shown)} of {total} lines)" if len(shown) < total else ""
        fence = "````" if "```" in "\n".join(shown) else "```"
        return (
            f"`{ref(symbol.path, start, last)}`{note}\n\n{fence}{language_of(self.corpus, symbol.path)}\n"
            + "\n".join(shown)
            + f"\n{fence}\n"
        )

    def symbol_doc(self, symbol: Any, count: int) -> str:
        doc = self.prose(render_doc(symbol.doc), f"the docstring of `{symbol.id}`")
        found = sentences(doc, count)
        return found if len(found) <= 320 else found[:319].rsplit(" ", 1)[0] + "…"

    def concept_summary(self, concept: Any, count: int) -> str:
        return sentences(self.prose(concept.summary, f"the summary of {self.t(concept)}"), count)

    def resolved(self, ids: Sequence[str]) -> list[Any]:
        return [self.corpus.symbols[i] for i in ids if i in self.corpus.symbols]

    def users(self, symbol_ids: Sequence[str]) -> list[Any]:
        """Callers, the code they serve before the tests that exercise it, most important first."""
        found = self.resolved(symbol_ids)
        return sorted(found, key=lambda s: (is_test_path(s.path), -s.importance, s.id))


def attributes_read(call: str, symbol: Any) -> set[str]:
    """The word tokens of the attributes ``call`` reads on ``symbol`` (``form`` in ``request.form['name']``)."""
    return set(tokens(" ".join(re.findall(rf"(?<![\w.]){re.escape(symbol.name)}\.(\w+)", call))))
