"""Go build constraints: does a file take part in the default build (linux/amd64, cgo, no custom tags)?

In: a file's path and the text of the comments above its package clause. Out: ``builds_by_default``,
True or False. Go lets a package define one name in several files when build constraints keep those
files apart (``terminal_check_windows.go`` and ``terminal_check_notappengine.go`` both define
``checkIfTerminal``); the front end keeps the plain id for the file of the default build and gives the
others their own (``go.py``: ``logrus.terminal_check_windows.checkIfTerminal``). The rules follow ``go/build``: a ``//go:build`` expression (``&&``, ``||``,
``!``, parentheses), else every ``// +build`` line (space: or, comma: and, lines: and), and a file name
ending in ``_GOOS``, ``_GOARCH`` or ``_GOOS_GOARCH`` (after ``_test``). What the default build
satisfies, and the names Go knows, are data below. An expression this module cannot read builds.
"""

from __future__ import annotations

import re

__all__ = ["builds_by_default"]

KNOWN_OS = frozenset(
    "aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 solaris wasip1 "
    "windows zos".split()
)
KNOWN_ARCH = frozenset(
    "386 amd64 amd64p32 arm armbe arm64 arm64be loong64 mips mipsle mips64 mips64le mips64p32 mips64p32le ppc "
    "ppc64 ppc64le riscv riscv64 s390 s390x sparc sparc64 wasm".split()
)
DEFAULT_TAGS = frozenset({"linux", "amd64", "unix", "gc", "cgo"})  # and every go1.N release tag
_RELEASE_TAG = re.compile(r"go1(?:\.\d+)?$")
_GO_BUILD = re.compile(r"^//go:build\s+(.+)$", re.MULTILINE)
_PLUS_BUILD = re.compile(r"^//\s*\+build\s+(.+)$", re.MULTILINE)
_TOKEN = re.compile(r"\s*(\(|\)|!|&&|\|\||[A-Za-z0-9_.]+)")


def builds_by_default(path: str, header: str) -> bool:
    """True when the file at ``path`` with comment text ``header`` (above ``package``) builds by default."""
    if not _name_builds(path.rsplit("/", 1)[-1]):
        return False
    found = _GO_BUILD.search(header)
    if found:
        return _expression(found.group(1).strip())
    return all(
        any(all(_tag(term.strip()) for term in option.split(",")) for option in line.split())
        for line in _PLUS_BUILD.findall(header)
    )


def _tag(name: str) -> bool:
    if name.startswith("!"):
        return not _tag(name[1:])
    return name in DEFAULT_TAGS or bool(_RELEASE_TAG.match(name))


def _name_builds(filename: str) -> bool:
    """``go/build``'s file name rule: ``x_windows.go``, ``x_arm64.go``, ``x_linux_amd64_test.go``."""
    stem = filename.removesuffix(".go").removesuffix("_test")
    parts = stem.split("_")[1:]  # what comes before the first underscore never constrains
    if len(parts) >= 2 and parts[-2] in KNOWN_OS and parts[-1] in KNOWN_ARCH:
        return _tag(parts[-2]) and _tag(parts[-1])
    if parts and (parts[-1] in KNOWN_OS or parts[-1] in KNOWN_ARCH):
        return _tag(parts[-1])
    return True


def _expression(text: str) -> bool:
    """Evaluate a ``//go:build`` expression; one that does not parse counts as building."""
    tokens: list[str] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            if text[position:].strip():
                return True
            break
        tokens.append(match.group(1))
        position = match.end()
    parser = _Parser(tokens)
    try:
        value = parser.disjunction()
    except (IndexError, ValueError):
        return True
    return value if parser.at == len(tokens) else True


class _Parser:
    """Recursive descent over ``||`` / ``&&`` / ``!`` / ``( )``; nesting is bounded by the line."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.at = 0

    def disjunction(self) -> bool:
        value = self.conjunction()
        while self.at < len(self.tokens) and self.tokens[self.at] == "||":
            self.at += 1
            value = self.conjunction() or value
        return value

    def conjunction(self) -> bool:
        value = self.unary()
        while self.at < len(self.tokens) and self.tokens[self.at] == "&&":
            self.at += 1
            value = self.unary() and value
        return value

    def unary(self) -> bool:
        token = self.tokens[self.at]
        self.at += 1
        if token == "!":
            return not self.unary()
        if token == "(":
            value = self.disjunction()
            if self.tokens[self.at] != ")":
                raise ValueError("unbalanced parentheses")
            self.at += 1
            return value
        if token in (")", "&&", "||"):
            raise ValueError(f"unexpected {token}")
        return _tag(token)
