"""What a file is for, decided in one place.

In: a path relative to the source root (``/``-separated) or a language name.
Out: ``file_role`` -> ``code``, ``test``, ``example``, ``bench``, ``docs`` or ``tooling`` (the map and
the ranking read it); ``is_test_path`` -> True for tests and test fixtures (the search and the tutor
read it: a looser rule, fixtures folders and root ``integration/``/``e2e/`` folders included, because they only
demote matches);
A Go file is a test only when it ends in ``_test.go`` (or lies under ``testdata/``, which the Go tool
never builds): any other Go file is compiled into a package users may import (cobra's ``doc``, logrus's
``hooks/test``), whatever its folder is called.
``language_family`` -> ``python``, ``javascript`` (JS and TS), ``go`` or the language itself;
``is_support_path`` -> True for support modules a newcomer learns last (``compat``, ``internal``
folders, ``*_impl``, shims, utils; not every ``_module``: httpx keeps its whole public API in them);
``unasked_side_roles`` -> the side roles (benchmarks, tooling scripts) a question does not ask about:
their files use the code rather than define it, so the search and the tutor demote them (one rule);
``is_declaration_path`` -> True for TypeScript declaration files (types only; the behaviour is elsewhere).
"""

from __future__ import annotations

import functools
import re

PYTHON = frozenset({"python"})
JAVASCRIPT = frozenset({"javascript", "typescript", "tsx", "jsx"})
GO = frozenset({"go"})

_ROLE_DIRS = {
    "tests": "test", "test": "test", "__tests__": "test", "spec": "test", "specs": "test", "testdata": "test",
    "examples": "example", "example": "example", "samples": "example", "sample": "example",
    "demo": "example", "demos": "example", "tutorial": "example",
    "benchmarks": "bench", "benchmark": "bench", "bench": "bench",
    "docs": "docs", "doc": "docs", "documentation": "docs",
    "scripts": "tooling", "tools": "tooling", ".github": "tooling",
}  # fmt: skip

_TEST_PATH = re.compile(
    r"(^|/)(tests?|testing|testutils?|testhelpers?|__tests__|spec|specs|fixtures?)/"
    r"|^(integration|e2e)/"  # integration tests at the root (fastify's integration/server.js); never a package's own
    r"|(^|/)(test_[^/]*|[^/]*_test\.[a-z]+|[^/]*\.(test|spec)\.[a-z]+|conftest\.py)$"
)
_SUPPORT_PATH = re.compile(
    r"(^|/)_?(compat|internals?|vendor|vendored|shims?|utils?)(/|\.[a-z]+$)"
    r"|_(impl|compat|shim)\.[a-z]+$"
)


@functools.lru_cache(maxsize=1 << 16)  # called per symbol; a repository has far fewer paths
def file_role(path: str) -> str:
    """What a file is for: ``code``, ``test``, ``example``, ``bench``, ``docs`` or ``tooling``."""
    parts = path.split("/")
    name = parts[-1]
    stem = name.split(".", 1)[0]
    if (
        name.startswith("test_")
        or stem.endswith("_test")
        or name in {"conftest.py", "noxfile.py", "tox.ini"}
        or re.search(r"\.(test|spec)\.[cm]?[jt]sx?$", name)
    ):
        return "test"
    for part in parts[:-1]:
        role = _ROLE_DIRS.get(part.lower())
        if role in ("docs", "test") and name.endswith(".go") and part.lower() != "testdata":
            continue  # Go tests are only *_test.go: a package named doc or test (logrus/hooks/test) is code
        if role:
            return role
    if name in {"setup.py", "conftest.py", "Makefile", "gulpfile.js", "Gruntfile.js"} or name.endswith(
        (".config.js", ".config.ts", ".config.mjs")
    ):
        return "tooling"
    return "code"


# Benchmarks and tooling scripts use the code; they answer a question only when it asks about them.
SIDE_ROLES = {
    "bench": re.compile(r"\bbench(mark)?s?\b", re.I),
    "tooling": re.compile(r"\b(scripts?|tools?|tooling)\b", re.I),
}


def unasked_side_roles(question: str) -> frozenset[str]:
    """The roles of ``SIDE_ROLES`` whose files should yield for ``question`` (those it does not ask about)."""
    return frozenset(role for role, asked in SIDE_ROLES.items() if not asked.search(question))


def is_declaration_path(path: str | None) -> bool:
    """True for TypeScript declaration files (``index.d.ts``): types of code that lives elsewhere."""
    return bool(path) and path.endswith((".d.ts", ".d.mts", ".d.cts"))


def is_test_path(path: str | None) -> bool:
    """True for test files and fixtures (``tests/``, ``test_x.py``, ``x_test.go``, ``x.spec.js``, ...)."""
    return bool(path) and bool(_TEST_PATH.search(path))


@functools.lru_cache(maxsize=1 << 16)
def is_support_path(path: str) -> bool:
    """True for support modules: ``_internal/``, ``_compat.py``, ``compat.py``, ``*_impl.go``, ``shims/``."""
    return bool(_SUPPORT_PATH.search(path))


def language_family(language: str) -> str:
    """``python``, ``javascript`` (JS and TS), ``go``, or the language itself."""
    if language in PYTHON:
        return "python"
    if language in JAVASCRIPT:
        return "javascript"
    if language in GO:
        return "go"
    return language
