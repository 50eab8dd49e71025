"""Analogies: a symbol's language features related to the languages the learner already knows.

In: a symbol, its corpus and the learner's background (``["java", "go"]``). Out: (language,
sentence) pairs such as "`@dataclass` ... much like a Java `record`". The tables are data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from compiler.tutor.plan import symbol_text

_LANGUAGE_ALIASES = {
    "java": "java",
    "kotlin": "java",
    "scala": "java",
    "javascript": "js",
    "js": "js",
    "typescript": "js",
    "ts": "js",
    "node": "js",
    "nodejs": "js",
    "go": "go",
    "golang": "go",
    "c#": "csharp",
    "csharp": "csharp",
    ".net": "csharp",
    "rust": "rust",
    "python": "python",
    "c++": "cpp",
    "cpp": "cpp",
    "c": "c",
    "ruby": "ruby",
    "php": "php",
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
            features.append(
                (
                    "keyword_only",
                    dict(
                        values,
                        example=f"{symbol.name}(..., {example}=...)",
                        example_js=f"{example}: ...",
                        example_cs=f"{example}: ...",
                    ),
                )
            )
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


_LANGUAGE_NAMES = {
    "java": "Java",
    "js": "JavaScript",
    "go": "Go",
    "csharp": "C#",
    "rust": "Rust",
    "python": "Python",
    "cpp": "C++",
    "c": "C",
    "ruby": "Ruby",
    "php": "PHP",
}


def analogies(
    corpus: Any, symbol: Any, background: Sequence[str], used: set[str], limit: int = 2
) -> list[tuple[str, str]]:
    """(language name, sentence) pairs relating the symbol's features to the learner's background languages."""
    languages = learner_languages(background)
    corpus_language = corpus.files.get(symbol.path).language if corpus.files.get(symbol.path) else ""
    out: list[tuple[str, str]] = []
    for feature, values in symbol_features(corpus, symbol):
        if feature in used:
            continue
        for language in languages:
            if language == corpus_language or (
                language == "js" and corpus_language in {"javascript", "typescript", "tsx"}
            ):
                continue
            template = _ANALOGIES.get(feature, {}).get(language)
            if template:
                out.append((_LANGUAGE_NAMES.get(language, language), template.format(**values)))
                used.add(feature)
                break
        if len(out) >= limit:
            break
    return out
