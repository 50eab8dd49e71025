"""The offline backend: a structured explanation composed from the plan and the core, no model needed.

Prerequisites first, in plain words, then the target concept: what it is for, the key
symbols with their signatures and the lines that matter, where decisions are taken,
how it connects to the rest (callers, callees, neighbouring concepts), and what to
read next. The level shapes it: a novice gets plain words, short excerpts and
analogies to the languages they know; an expert gets the design rationale, the call
graph and the edge cases. Repository text is quoted as data: a docstring that tries
to instruct an AI is flagged, never obeyed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from compiler.tutor.citations import Citation
from compiler.tutor.llm import Draft, Reply, Turn
from compiler.tutor.plan import Plan, Step, is_test_path, symbol_text
from compiler.tutor.safety import quote_flagged, split_instructions


class OfflineBackend:
    """Writes answers from the plan and the core alone; the default when no model is configured."""

    name = "offline"
    model = "kc-offline"

    def answer(self, corpus: Any, plan: Plan, history: Sequence[Turn] = (), *, stream: bool = False) -> Reply:
        def produce(draft: Draft) -> Iterator[str]:
            sections = Composer(corpus, plan).sections()
            for text, citations in sections:
                draft.citations.extend(citations)
                yield text

        return Reply(produce, backend=self.name, model=self.model)

    def complete(self, system: str, prompt: str) -> str:
        from compiler.errors import LLMError

        raise LLMError("the offline backend has no model to complete prompts; configure an LLM (KC_LLM=anthropic or openai)")


# ---- text helpers ---------------------------------------------------------------------
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


def _same_text(first: str, second: str) -> bool:
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
    return {"module": "a module", "class": "a class", "function": "a function", "variable": "a module-level value",
            "interface": "an interface", "type": "a type"}.get(symbol.kind, f"a {symbol.kind}")


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


# ---- analogies to the learner's background --------------------------------------------
_LANGUAGE_ALIASES = {
    "java": "java", "kotlin": "java", "scala": "java", "javascript": "js", "js": "js", "typescript": "js", "ts": "js",
    "node": "js", "nodejs": "js", "go": "go", "golang": "go", "c#": "csharp", "csharp": "csharp", ".net": "csharp",
    "rust": "rust", "python": "python", "c++": "cpp", "cpp": "cpp", "c": "c", "ruby": "ruby", "php": "php",
}

_ANALOGIES: dict[str, dict[str, str]] = {
    "dataclass": {
        "java": "`@dataclass` writes the constructor, `equals` and `toString` for you, much like a Java `record`"
                " (with `frozen=True` the fields are final, as in a record).",
        "js": "`@dataclass` generates the constructor from the listed fields, like a class whose constructor just assigns its options.",
        "go": "`@dataclass` makes a plain data holder, like a Go struct with a generated constructor.",
        "csharp": "`@dataclass` is close to a C# `record`.",
        "rust": "`@dataclass` is like a Rust struct with `#[derive(Debug, PartialEq)]`.",
        "cpp": "`@dataclass` is like a C++ aggregate struct with generated constructor and `operator==`.",
    },
    "inherits": {
        "java": "`class {name}({base})` is Java's `class {name} extends {base}`.",
        "js": "`class {name}({base})` is JavaScript's `class {name} extends {base}`.",
        "go": "Go has no inheritance: `{name}({base})` is roughly a struct embedding `{base}`, reusing its methods.",
        "csharp": "`class {name}({base})` is C#'s `class {name} : {base}`.",
        "rust": "Rust has no inheritance: think of `{base}` as a trait that `{name}` implements, with default methods.",
        "cpp": "`class {name}({base})` is C++'s `class {name} : public {base}`; every Python method is virtual.",
    },
    "exception": {
        "java": "it is an exception class, like `class {name} extends RuntimeException`; Python has no checked exceptions, so nothing in a signature warns you it can be raised.",
        "js": "it is an error class, like `class {name} extends Error`; `raise` is `throw` and `except` is `catch`.",
        "go": "where Go would return an `error` value, Python raises this exception and the caller catches it with `try`/`except`.",
        "csharp": "it is an exception class, like `class {name} : Exception`.",
        "rust": "where Rust returns `Err(...)`, Python raises this exception; the caller catches it with `try`/`except`.",
        "cpp": "it is an exception class; `raise` is `throw`, `except` is `catch`.",
    },
    "property": {
        "java": "`@property` turns the method into a getter you read like a field: `obj.{name}`, no parentheses.",
        "js": "`@property` is a `get {name}()` accessor: read as `obj.{name}`.",
        "csharp": "`@property` is a C# property getter.",
        "go": "`@property` is a method read like a field (`obj.{name}`, no parentheses); Go has no equivalent.",
    },
    "classmethod": {
        "java": "`@classmethod` is close to a `static` factory method: called on the class, it receives the class as `cls`.",
        "js": "`@classmethod` is like a `static` method that builds instances.",
        "go": "`@classmethod` is like a `New...` constructor function for the type.",
        "csharp": "`@classmethod` is close to a `static` factory method.",
    },
    "staticmethod": {
        "java": "`@staticmethod` is a Java `static` method.",
        "js": "`@staticmethod` is a JavaScript `static` method.",
    },
    "function": {
        "java": "it is a top-level function: no class needed. In Java you would write it as a `static` method of a utility class.",
        "csharp": "it is a top-level function: in C# it would be a `static` method of a static class.",
        "go": "it is a package-level function, like a Go `func` outside any type.",
        "js": "it is a plain module-level function, like an exported function in a JavaScript module.",
    },
    "keyword_only": {
        "java": "parameters after `*` must be passed by name (`{example}`); Java has no named arguments, so think of a builder or an options object.",
        "js": "parameters after `*` must be passed by name, much like passing an options object `{{ {example_js} }}`.",
        "go": "parameters after `*` must be passed by name, like filling fields of an options struct.",
        "csharp": "parameters after `*` must be passed by name, like C# named arguments (`{example_cs}`).",
    },
    "optional": {
        "java": "`X | None` in a type hint means the value may be `None` (Python's `null`), like `Optional<X>` or a nullable reference.",
        "js": "`X | None` means the value may be `None`, like `X | null` in TypeScript.",
        "go": "`X | None` means the value may be `None`, like a pointer that may be `nil`.",
        "rust": "`X | None` is `Option<X>`.",
        "csharp": "`X | None` is a nullable `X?`.",
    },
    "context_manager": {
        "java": "`__enter__`/`__exit__` make it usable in a `with` block, Python's try-with-resources: `__exit__` plays the part of `close()`.",
        "csharp": "`__enter__`/`__exit__` make it usable in a `with` block, like C#'s `using`.",
        "go": "`__enter__`/`__exit__` make it usable in a `with` block: the cleanup runs like a `defer x.Close()`.",
        "js": "`__enter__`/`__exit__` make it usable in a `with` block, like a `try`/`finally` that always cleans up.",
    },
    "mapping_protocol": {
        "java": "`__getitem__`, `__setitem__` and `__delitem__` implement `obj[key]`, like implementing `Map.get`, `put` and `remove`.",
        "js": "`__getitem__` and `__setitem__` make `obj[key]` work, like a `Map` with custom `get`/`set`.",
        "go": "`__getitem__` and `__setitem__` make `obj[key]` work, like a custom map type with Get/Set methods.",
    },
    "generator": {
        "java": "`yield` makes this a generator: it returns a lazy iterator, as if you implemented `Iterator<T>` by hand.",
        "js": "`yield` makes this a generator, like a JavaScript `function*`.",
        "csharp": "`yield` works like C#'s `yield return`.",
        "go": "`yield` produces values lazily, like a goroutine sending on a channel that the caller ranges over.",
    },
    "async": {
        "java": "`async def` returns a coroutine, like a method returning `CompletableFuture`; `await` waits for it without blocking the thread.",
        "js": "`async`/`await` work as in JavaScript.",
        "go": "`async def` runs cooperatively on an event loop; it is lighter than a thread, but unlike a goroutine it only switches at `await`.",
    },
    "dict": {
        "java": "`dict` is Python's `HashMap`.",
        "go": "`dict` is Go's `map`.",
        "js": "`dict` is like a JavaScript `Map` (or a plain object).",
        "csharp": "`dict` is C#'s `Dictionary`.",
        "rust": "`dict` is `HashMap`.",
    },
    # JavaScript / TypeScript corpora
    "js_promise": {
        "java": "`async` functions return a `Promise`, JavaScript's `CompletableFuture`; `await` waits for it.",
        "python": "`async`/`await` work as in Python's asyncio; a `Promise` is like an asyncio `Future`.",
        "go": "`await` waits for a `Promise`, roughly like receiving from a channel that delivers one result.",
    },
    "js_arrow": {
        "java": "`(x) => ...` is an arrow function, JavaScript's lambda.",
        "python": "`(x) => ...` is an arrow function, like a Python `lambda` that may span several statements.",
    },
    "js_export": {
        "java": "`export` makes it visible to other modules, like `public`; anything else stays private to the file.",
        "python": "`export` lists what other modules may import; unlike Python, everything else is private to the file.",
    },
    # Go corpora
    "go_error": {
        "java": "Go has no exceptions: the function returns an `error` as its last value and the caller checks `if err != nil`.",
        "python": "Go has no exceptions: the function returns an `error` as its last value and the caller checks `if err != nil` instead of `try`/`except`.",
        "js": "Go has no exceptions: errors come back as a second return value, checked with `if err != nil`.",
    },
    "go_method": {
        "java": "`func (r *{parent}) {name}(...)` is how Go attaches a method to a type: `r` is Java's `this`.",
        "python": "`func (r *{parent}) {name}(...)` attaches a method to a type: `r` is Python's `self`.",
        "js": "`func (r *{parent}) {name}(...)` attaches a method to a type: `r` is `this`.",
    },
    "go_interface": {
        "java": "a Go interface is satisfied implicitly: any type with these methods implements it, no `implements` needed.",
        "python": "a Go interface is like a `typing.Protocol`: any type with these methods satisfies it.",
        "js": "a Go interface is a set of methods; any type that has them satisfies it, like duck typing checked by the compiler.",
    },
    "go_defer": {
        "java": "`defer` runs the call when the function returns, like a `finally` block.",
        "python": "`defer` runs the call when the function returns, like a `finally` block or a `with` exit.",
        "js": "`defer` runs the call when the function returns, like a `finally` block.",
    },
}


def learner_languages(background: Sequence[str]) -> list[str]:
    """The learner's background mapped to the languages the analogy table knows."""
    found: list[str] = []
    for item in background:
        key = _LANGUAGE_ALIASES.get(item.lower().strip())
        if key and key not in found:
            found.append(key)
    return found


def symbol_features(corpus: Any, symbol: Any) -> list[tuple[str, dict[str, str]]]:
    """Language features a symbol uses that a newcomer may not know, with format values."""
    info = corpus.files.get(symbol.path)
    language = info.language if info else ""
    text, _ = symbol_text(symbol)
    features: list[tuple[str, dict[str, str]]] = []
    values = {"name": symbol.name, "parent": (symbol.parent or "").split(".")[-1]}
    if language == "python":
        decorators = " ".join(symbol.decorators)
        if "dataclass" in decorators:
            features.append(("dataclass", values))
        if symbol.kind == "class":
            exception_base = any(b.endswith(("Exception", "Error")) for b in symbol.bases)
            if exception_base or symbol.name.endswith(("Error", "Exception")) and symbol.bases:
                features.append(("exception", values))
            elif symbol.bases and symbol.bases[0] not in {"object", "Protocol", "ABC"}:
                features.append(("inherits", dict(values, base=symbol.bases[0].split(".")[-1])))
            members = [s.name for s in corpus.symbols_by_path.get(symbol.path, []) if s.parent == symbol.id]
            if "__enter__" in members or "__exit__" in members:
                features.append(("context_manager", values))
            if "__getitem__" in members and "__setitem__" in members:
                features.append(("mapping_protocol", values))
        if "property" in decorators:
            features.append(("property", values))
        if "classmethod" in decorators:
            features.append(("classmethod", values))
        if "staticmethod" in decorators:
            features.append(("staticmethod", values))
        if symbol.kind == "function":
            features.append(("function", values))
        if symbol.signature.startswith("async ") or "async def" in text[:200]:
            features.append(("async", values))
        signature = symbol.signature
        keyword = re.search(r"\*,\s*(\w+)", signature)
        if keyword:
            example = keyword.group(1)
            features.append(("keyword_only", dict(values, example=f"{symbol.name}(..., {example}=...)",
                                                  example_js=f"{example}: ...", example_cs=f"{example}: ...")))
        if "| None" in signature or "Optional[" in signature:
            features.append(("optional", values))
        if re.search(r"\bdict\b", signature):
            features.append(("dict", values))
        if re.search(r"^\s*yield\b", text, re.MULTILINE) and symbol.kind in {"function", "method"}:
            features.append(("generator", values))
    elif language in {"javascript", "typescript", "tsx"}:
        if "async " in symbol.signature or "await " in text:
            features.append(("js_promise", values))
        if "=>" in text:
            features.append(("js_arrow", values))
        if re.search(r"^\s*export\b", text, re.MULTILINE):
            features.append(("js_export", values))
    elif language == "go":
        if symbol.kind == "interface":
            features.append(("go_interface", values))
        if symbol.kind == "method" and symbol.parent:
            features.append(("go_method", values))
        if re.search(r"\berror\b", symbol.signature):
            features.append(("go_error", values))
        if re.search(r"^\s*defer\b", text, re.MULTILINE):
            features.append(("go_defer", values))
    return features


_LANGUAGE_NAMES = {"java": "Java", "js": "JavaScript", "go": "Go", "csharp": "C#", "rust": "Rust", "python": "Python",
                   "cpp": "C++", "c": "C", "ruby": "Ruby", "php": "PHP"}


def analogies(corpus: Any, symbol: Any, background: Sequence[str], used: set[str], limit: int = 2) -> list[tuple[str, str]]:
    """(language name, sentence) pairs relating the symbol's features to the learner's background languages."""
    languages = learner_languages(background)
    corpus_language = (corpus.files.get(symbol.path).language if corpus.files.get(symbol.path) else "")
    out: list[tuple[str, str]] = []
    for feature, values in symbol_features(corpus, symbol):
        if feature in used:
            continue
        for language in languages:
            if language == corpus_language or (language == "js" and corpus_language in {"javascript", "typescript", "tsx"}):
                continue
            template = _ANALOGIES.get(feature, {}).get(language)
            if template:
                out.append((_LANGUAGE_NAMES.get(language, language), template.format(**values)))
                used.add(feature)
                break
        if len(out) >= limit:
            break
    return out


_RATIONALE_RE = re.compile(
    r"\b(so that|so as to|because|in order to|to avoid|to prevent|instead of|rather than|otherwise|"
    r"which means|the reason|this way|trade-?off|on purpose|deliberately|never|always)\b", re.IGNORECASE)


def rationale_sentences(composer: Composer, step: Step, limit: int = 4) -> list[tuple[str, str, Citation | None]]:
    """(sentence, origin, citation) giving reasons about the step's concept, best first.

    Candidates come from the author's notes and summary, the key symbols' docstrings, and
    README/docs sections that mention the concept or its symbols; a sentence scores for a
    causal phrase ("so that", "because", "instead of") and for words of the question.
    """
    from compiler.tutor.plan import tokens

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


# ---- the composer ------------------------------------------------------------------------
class Composer:
    """Builds the offline answer section by section; each section carries its citations."""

    def __init__(self, corpus: Any, plan: Plan) -> None:
        self.corpus = corpus
        self.plan = plan
        self.depth = plan.depth
        self.level = plan.level
        self.flagged: list[tuple[str, str]] = []  # (where, sentence) of instruction-like repository text
        self.analogies_used: set[str] = set()

    # -- small builders -----------------------------------------------------------------
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
            return (f"`{ref(symbol.path, start, start)}`\n\n```{language_of(self.corpus, symbol.path)}\n"
                    f"{symbol.signature}\n```\n")
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
        return f"`{ref(symbol.path, start, last)}`{note}\n\n{fence}{language_of(self.corpus, symbol.path)}\n" + "\n".join(shown) + f"\n{fence}\n"

    def symbol_doc(self, symbol: Any, count: int) -> str:
        doc = self.prose(symbol.doc, f"the docstring of `{symbol.id}`")
        return sentences(doc, count)

    def concept_summary(self, concept: Any, count: int) -> str:
        return sentences(self.prose(concept.summary, f"the summary of {concept.title}"), count)

    def resolved(self, ids: Sequence[str]) -> list[Any]:
        return [self.corpus.symbols[i] for i in ids if i in self.corpus.symbols]

    def users(self, symbol_ids: Sequence[str]) -> list[Any]:
        """Callers, the code they serve before the tests that exercise it, most important first."""
        found = self.resolved(symbol_ids)
        return sorted(found, key=lambda s: (is_test_path(s.path), -s.importance, s.id))

    # -- sections -------------------------------------------------------------------------
    def sections(self) -> list[tuple[str, list[Citation]]]:
        plan = self.plan
        out: list[tuple[str, list[Citation]]] = [self.heading()]
        prerequisites = [s for s in plan.steps if s.role == "prerequisite"]
        targets = [s for s in plan.steps if s.role != "prerequisite"]
        if prerequisites:
            out.append(self.prerequisites(prerequisites))
        for step in targets:
            if step.role == "recap":
                out.append(self.recap(step))
            else:
                out += self.target(step)
        if self.flagged:
            out.append(self.warning())
        if self.depth.next_steps:
            out.append(self.next_steps(targets))
        return [(text, citations) for text, citations in out if text.strip()]

    def heading(self) -> tuple[str, list[Citation]]:
        plan = self.plan
        citations: list[Citation] = []
        titles = [s.title for s in plan.steps if s.role != "prerequisite"]
        lines = [f"## {' and '.join(titles) or 'Where to start'}", ""]
        short = self.short_answer(citations)
        if short:
            lines += [f"**In short:** {short}", ""]
        if plan.language and plan.language.lower() not in {"en", "english"}:
            lines += [f"_(The offline tutor writes in English; configure an LLM backend for answers in {plan.language}.)_", ""]
        return "\n".join(lines) + "\n", citations

    def short_answer(self, citations: list[Citation]) -> str:
        """One or two sentences that answer the question directly, with the place to look."""
        plan = self.plan
        targets = [self.corpus.concepts[c] for c in plan.targets if c in self.corpus.concepts]
        symbols = [s for s in self.resolved(plan.target_symbols) if s.concept in plan.targets] or [
            self.corpus.symbols[i] for step in plan.steps if step.role != "prerequisite" for i in step.symbols
            if i in self.corpus.symbols]
        parts = []
        if symbols:
            main = symbols[0]
            doc = self.symbol_doc(main, 1)
            where = self.cite_symbol(main, citations)
            if plan.intent in {"where", "debug"}:
                parts.append(f"look at `{display_name(self.corpus, main)}` in `{main.path}` ({where})" + (f": {doc}" if doc else "."))
            elif doc:
                parts.append(f"`{display_name(self.corpus, main)}` ({where}): {doc}")
            else:
                parts.append(f"start with `{display_name(self.corpus, main)}` ({where}), {kind_words(self.corpus, main)}.")
        if targets:
            summary = self.concept_summary(targets[0], 1 if parts else 2)
            if summary:
                parts.append(summary)
        if not parts and not targets:
            return "nothing in this corpus matches the question closely; here is where the learning path starts."
        text = " ".join(parts)
        return text[0].upper() + text[1:] if text else ""

    def prerequisites(self, steps: Sequence[Step]) -> tuple[str, list[Citation]]:
        citations: list[Citation] = []
        count = len(steps)
        if self.level == "novice":
            intro = (f"### First, {'one idea' if count == 1 else f'{count} ideas'} this builds on\n\n"
                     "You have not covered these yet, and the answer relies on them:\n")
        else:
            intro = "### Builds on\n"
        lines = [intro]
        for step in steps:
            concept = self.corpus.concepts[step.concept]
            summary = self.concept_summary(concept, 2 if self.level == "novice" else 1)
            key = self.resolved(step.symbols)
            where = ""
            if key:
                where = f" Key piece: `{display_name(self.corpus, key[0])}` ({self.cite_symbol(key[0], citations)})."
            if self.level == "novice" and key:
                doc = self.symbol_doc(key[0], 1)
                if doc:
                    where += f" In its own words: “{doc}”"
            why = f" _({step.reason}.)_" if self.level == "novice" else ""
            lines.append(f"- **{concept.title}** — {summary or 'no summary in the corpus.'}{where}{why}")
        return "\n".join(lines) + "\n\n", citations

    def recap(self, step: Step) -> tuple[str, list[Citation]]:
        citations: list[Citation] = []
        concept = self.corpus.concepts[step.concept]
        lines = [f"### {concept.title} (recap)", "",
                 f"You passed the quiz on {concept.title}, so only the direct answer: {self.concept_summary(concept, 1)}"]
        for symbol in self.resolved(step.symbols[:2]):
            doc = self.symbol_doc(symbol, 1)
            lines.append(f"- `{display_name(self.corpus, symbol)}` ({self.cite_symbol(symbol, citations)})" + (f": {doc}" if doc else ""))
        return "\n".join(lines) + "\n\n", citations

    def target(self, step: Step) -> list[tuple[str, list[Citation]]]:
        out = [self.concept_intro(step)]
        if self.plan.intent == "why":
            out.append(self.rationale(step))
        out.append(self.code_walk(step))
        if self.plan.intent == "debug" or self.depth.rationale:
            out.append(self.decisions(step))
        out.append(self.connections(step))
        return out

    def concept_intro(self, step: Step) -> tuple[str, list[Citation]]:
        concept = self.corpus.concepts[step.concept]
        citations: list[Citation] = []
        lines = [f"### {concept.title}", ""]
        if self.level == "expert":
            body = self.prose(concept.body, f"the notes on {concept.title}")
            lines.append("**Design.** " + (demote_headings(body).strip() if body else self.derived_design(concept, citations)))
            lines.append("")
            structure = self.structure(concept, citations)
            if structure:
                lines += [structure, ""]
        else:
            summary = self.concept_summary(concept, 3)
            if summary:
                lines += [summary, ""]
            body = self.prose(concept.body, f"the notes on {concept.title}")
            first = demote_headings(body.strip().split("\n\n")[0]) if body else ""
            if first and not _same_text(first, summary):
                lines += ([f"The author explains: {first}"] if self.level == "novice" else [first]) + [""]
        files = ", ".join(f"`{f}`" for f in concept.files[:3])
        if files and self.level != "expert":
            lines += [f"It lives in {files}.", ""]
        return "\n".join(lines) + "\n", citations

    def derived_design(self, concept: Any, citations: list[Citation]) -> str:
        """When the author wrote no notes: what the structure of the code says about the design."""
        members = self.resolved(concept.members)
        kinds: dict[str, int] = {}
        for member in members:
            kinds[member.kind] = kinds.get(member.kind, 0) + 1
        counted = ", ".join(f"{n} {k}{'es' if k == 'class' and n > 1 else 's' if n > 1 else ''}" for k, n in sorted(kinds.items()))
        text = f"{concept.title} is made of {counted or 'no symbols'} across {len(concept.files)} file(s)."
        entry = self.resolved(concept.entry_points)
        if entry:
            text += f" Callers come in through `{display_name(self.corpus, entry[0])}` ({self.cite_symbol(entry[0], citations)})."
        summary = self.concept_summary(concept, 2)
        return f"{summary} {text}".strip()

    def structure(self, concept: Any, citations: list[Citation]) -> str:
        """Expert view of the concept's shape: signatures of its members, inheritance, constants."""
        members = [m for m in self.resolved(concept.members) if m.kind != "module"]
        members = sorted(members, key=lambda m: (not m.public, m.name.startswith("_"), -m.importance))[:8]
        if not members:
            return ""
        lines = ["**Members** (by importance):", ""]
        for member in members:
            signature = member.signature or member.name
            lines.append(f"- `{signature}` — {self.cite_symbol(member, citations)}")
        inherits = [e for e in self.edges(concept, "inherits")]
        if inherits:
            lines.append("")
            lines.append("Inheritance: " + "; ".join(
                f"`{e.source.split('.')[-1]}` extends `{e.target.split('.')[-1]}`" for e in inherits[:6]) + ".")
        return "\n".join(lines)

    def edges(self, concept: Any, kind: str) -> list[Any]:
        member_ids = set(concept.members)
        return [e for m in concept.members for e in self.corpus.edges_from(m) if e.kind == kind and (e.target in self.corpus.symbols or e.source in member_ids)]

    def rationale(self, step: Step) -> tuple[str, list[Citation]]:
        """For a "why" question: the sentences of the author's notes, docstrings and docs that give reasons."""
        citations: list[Citation] = []
        found = rationale_sentences(self, step)
        shown_body = self.level == "expert"  # the expert intro already quotes the author's notes in full
        lines = []
        for sentence, origin, citation in found:
            if shown_body and origin == "notes":
                continue
            if citation is not None:
                citations.append(citation)
                lines.append(f"- “{sentence}” ({ref(citation.path, citation.start, citation.end)})")
            else:
                lines.append(f"- “{sentence}” (the author's notes on {self.corpus.concepts[step.concept].title})")
        if not lines:
            return "", citations
        intro = "### Why it is built this way\n\nThe reasons the codebase itself gives:\n\n"
        return intro + "\n".join(lines) + "\n\n", citations

    def code_walk(self, step: Step) -> tuple[str, list[Citation]]:
        citations: list[Citation] = []
        symbols = [s for s in self.resolved(step.symbols) if s.kind != "module"][: self.depth.excerpts]
        if not symbols:
            return "", citations
        heading = {"novice": "The code, step by step", "intermediate": "Key code", "expert": "Key code"}[self.level]
        lines = [f"### {heading}", ""]
        shown: list[tuple[str, int, int]] = []
        for symbol in symbols:
            _, (start, end) = symbol_text(symbol)
            if any(path == symbol.path and s <= start and end <= e for path, s, e in shown):
                continue  # already on screen inside an earlier excerpt
            shown.append((symbol.path, start, min(end, start + self.depth.excerpt_lines - 1)))
            name = display_name(self.corpus, symbol)
            doc = self.symbol_doc(symbol, 1 if self.level == "novice" else 2)
            if self.level == "novice":
                lines.append(f"**`{name}`** is {kind_words(self.corpus, symbol)}." + (f" Its docstring says: “{doc}”" if doc else ""))
                for language, analogy in analogies(self.corpus, symbol, self.plan.background, self.analogies_used):
                    lines.append(f"- _If you know {language}:_ {analogy}")
            else:
                signature = f" `{symbol.signature}`" if symbol.signature and self.level == "intermediate" else ""
                lines.append(f"**`{name}`**{signature}" + (f" — {doc}" if doc else ""))
            excerpt = self.excerpt(symbol, citations)
            lines += ["", excerpt] if excerpt else [""]
        return "\n".join(lines).rstrip() + "\n\n", citations

    def decisions(self, step: Step) -> tuple[str, list[Citation]]:
        """The lines where the code branches, fails or returns: where to look for a bug, and the edge cases."""
        citations: list[Citation] = []
        concept = self.corpus.concepts[step.concept]
        symbols = [s for s in self.resolved(step.symbols) if s.kind in {"function", "method"}]
        symbols += [s for s in self.resolved(concept.members) if s.kind in {"function", "method"} and s not in symbols]
        limit = 8 if self.level == "expert" else 5
        found: list[tuple[Any, int, str]] = []
        for symbol in symbols[:6]:
            for line, code in decision_lines(symbol, 4):
                found.append((symbol, line, code))
            if len(found) >= limit:
                break
        if not found:
            return "", citations
        if self.plan.intent == "debug":
            title = "Where to look for the bug"
            intro = ("These are the lines where the code decides what happens next. Put a breakpoint (or a print) "
                     "on them and check the values against what you expect:" if self.level == "novice" else
                     "Decision points to check first:")
        else:
            title = "Edge cases and invariants"
            intro = "Where the behaviour branches or fails:"
        lines = [f"### {title}", "", intro, ""]
        for symbol, line, code in found[:limit]:
            citations.append(Citation(symbol.path, line, line, symbol=symbol.id))
            lines.append(f"- `{code}` in `{display_name(self.corpus, symbol)}` ({ref(symbol.path, line, line)})")
        constants = [s for s in self.resolved(concept.members) if s.kind == "variable"][:4]
        if constants and self.level != "novice":
            lines += ["", "Tunable values: " + ", ".join(
                f"`{c.signature or c.name}` ({self.cite_symbol(c, citations)})" for c in constants) + "."]
        if self.plan.intent == "debug":
            callers = self.caller_symbols(symbols[:2])
            if callers:
                lines += ["", "To reproduce a bug, start from a caller: " + ", ".join(
                    f"`{display_name(self.corpus, c)}` ({self.cite_symbol(c, citations)})" for c in callers[:3]) + "."]
        return "\n".join(lines) + "\n\n", citations

    def caller_symbols(self, symbols: Sequence[Any]) -> list[Any]:
        found: list[Any] = []
        for symbol in symbols:
            for caller in self.resolved(self.corpus.callers(symbol.id)):
                if caller not in found and caller not in symbols:
                    found.append(caller)
        return found

    def connections(self, step: Step) -> tuple[str, list[Citation]]:
        """How the concept connects: callers and callees of its key symbols, and neighbouring concepts."""
        citations: list[Citation] = []
        concept = self.corpus.concepts[step.concept]
        symbols = [s for s in self.resolved(step.symbols) if s.kind != "module"][: self.depth.excerpts]
        lines = ["### How it fits together" if self.level != "expert" else "### Call graph", ""]
        per_symbol = 6 if self.depth.call_graph else 3
        for symbol in symbols:
            callers = self.users(self.corpus.callers(symbol.id))[:per_symbol]
            callees = self.resolved(self.corpus.callees(symbol.id))[:per_symbol]
            if not callers and not callees:
                continue
            name = display_name(self.corpus, symbol)
            if self.level == "novice":
                parts = []
                if callers:
                    parts.append("it is used by " + ", ".join(f"`{display_name(self.corpus, c)}`" for c in callers))
                if callees:
                    parts.append("it relies on " + ", ".join(f"`{display_name(self.corpus, c)}`" for c in callees))
                lines.append(f"- `{name}`: " + "; ".join(parts) + ".")
            else:
                left = ", ".join(f"`{display_name(self.corpus, c)}` ({self.cite_symbol(c, citations)})" for c in callers) or "(no callers in the corpus)"
                right = ", ".join(f"`{display_name(self.corpus, c)}`" for c in callees) or "(calls nothing in the corpus)"
                lines.append(f"- {left} → **`{name}`** → {right}")
        neighbours = self.neighbours(concept)
        if neighbours:
            lines += ([""] if len(lines) > 2 else []) + [neighbours]
        if len(lines) <= 2:
            return "", citations
        return "\n".join(lines) + "\n\n", citations

    def neighbours(self, concept: Any) -> str:
        corpus = self.corpus
        needed_by = [c for c in corpus.core.concepts if concept.id in c.prerequisites]
        related = [corpus.concepts[r] for r in concept.related if r in corpus.concepts]
        builds_on = [corpus.concepts[p] for p in concept.prerequisites if p in corpus.concepts]
        parts = []
        if builds_on:
            parts.append("builds on " + ", ".join(f"**{c.title}**" for c in builds_on))
        if needed_by:
            parts.append("is needed by " + ", ".join(f"**{c.title}**" for c in needed_by))
        if related:
            parts.append("is related to " + ", ".join(f"**{c.title}**" for c in related))
        return f"In the concept map, {concept.title} " + "; ".join(parts) + "." if parts else ""

    def warning(self) -> tuple[str, list[Citation]]:
        places = sorted({where for where, _ in self.flagged})
        quotes = list(dict.fromkeys(quote_flagged(sentence) for _, sentence in self.flagged))
        quoted = "; ".join(f"“{quote}”" for quote in quotes[:3])
        text = (f"> **Note:** {', '.join(places)} contain{'s' if len(places) == 1 else ''} text addressed to AI assistants "
                f"({quoted}). kc treats repository text as data, so it was left out of this explanation and not followed.\n\n")
        return text, []

    def next_steps(self, targets: Sequence[Step]) -> tuple[str, list[Citation]]:
        corpus = self.corpus
        taught = {s.concept for s in self.plan.steps}
        path = list(corpus.core.learning_path)
        lines = ["### What to read next", ""]
        if targets:
            first = targets[0].concept
            lines.append(f"- The concept page: `concepts/{first}.md`.")
            position = path.index(first) if first in path else -1
            upcoming = [c for c in path[position + 1:] if c not in taught and c in corpus.concepts][:2]
            for concept_id in upcoming:
                lines.append(f"- Next on the learning path: **{corpus.concepts[concept_id].title}** (ask about it, or `concepts/{concept_id}.md`).")
            lines.append(f"- Check yourself: `/quiz {first}` in `kc tutor`.")
        elif path:
            lines.append(f"- Start the learning path with **{corpus.concepts[path[0]].title}**: `concepts/{path[0]}.md`.")
        return "\n".join(lines) + "\n", []
