"""The walker shared by the tree-sitter languages: one pass over a parsed tree, in linear time.

In: a ``SourceFile``, its UTF-8 bytes and the tree-sitter root. Out: the ``Extractor``'s lists
(symbols, imports, calls, exports) that ``treesitter/__init__.py`` packs into ``FileFacts``.
A language module (``javascript.py``, ``go.py``) subclasses ``Extractor`` with its ``run`` and
``visit``, and describes its call chains as data (a ``ChainGrammar``) for ``dotted``.

Every pass here is linear in the file: the call walk is iterative (no recursion limit on deeply
nested code), call chains stop after ``MAX_CALLEE`` characters (a callee longer than that is
dropped anyway), signatures read at most what they keep, doc comments are looked up once per
node, and a ``Budget`` checked every few hundred nodes turns a file that takes too long into
a ``FileTooSlow`` error (a diagnostic, one level up).
"""

from __future__ import annotations

import inspect
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from compiler.model import Call, Import, SourceFile, Symbol

if TYPE_CHECKING:
    from tree_sitter import Node

__all__ = [
    "MAX_CALLEE",
    "Budget",
    "ChainGrammar",
    "Extractor",
    "FileTooSlow",
    "clean_comment",
    "dotted",
    "first_error_line",
    "one_line",
]

MAX_SIGNATURE = 200
MAX_CALLEE = 120
# JSDoc tags of a block that documents the file, not the definition below it.
_FILE_TAGS = re.compile(r"@(?:license|preserve|file|fileoverview|overview|copyright|module)\b")
_CHECK_EVERY = 256  # nodes between two looks at the clock


class FileTooSlow(Exception):
    """The file's walk ran past its time budget."""


@dataclass
class Budget:
    """A deadline for one file; ``check`` raises ``FileTooSlow`` once it has passed."""

    seconds: float
    deadline: float = 0.0

    def __post_init__(self) -> None:
        self.deadline = time.monotonic() + self.seconds

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise FileTooSlow(f"took longer than {self.seconds:g} s")


@dataclass(frozen=True)
class ChainGrammar:
    """How a language spells a call chain (``a.b().c[0]``), as node types and field names."""

    names: frozenset[str]  # leaf node types that are a name: identifier, this, field_identifier ...
    member: str  # a.b: node type ...
    member_object: str  # ... its field holding ``a`` ...
    member_name: str  # ... and its field holding ``b``
    call: str = "call_expression"
    call_function: str = "function"
    index: str = ""  # a[0]: node type and its field holding ``a``
    index_object: str = ""
    wrappers: frozenset[str] = frozenset()  # (a), a!, await a: one named child, looked through


def dotted(extractor: Extractor, node: Node | None, grammar: ChainGrammar, limit: int = MAX_CALLEE) -> str | None:
    """``this.router.handle``, ``res.send``, ``foo().bar``; None for anything else or for a chain
    longer than ``limit`` characters (so a chain of n calls costs O(1) per call, not O(n))."""
    parts: list[str] = []
    size = 0
    while node is not None:
        if size > limit:
            return None
        kind = node.type
        if kind in grammar.names:
            parts.append(extractor.text(node))
            break
        if kind == grammar.member:
            name = extractor.text(node.child_by_field_name(grammar.member_name))
            parts.append(name)
            size += len(name) + 1
            node = node.child_by_field_name(grammar.member_object)
        elif kind == grammar.call:
            parts.append("()")
            size += 2
            node = node.child_by_field_name(grammar.call_function)
        elif kind == grammar.index and grammar.index:
            parts.append("[]")
            size += 2
            node = node.child_by_field_name(grammar.index_object)
        elif kind in grammar.wrappers and node.named_child_count == 1:
            node = node.named_children[0]
        else:
            return None
    else:
        return None
    text = ""
    for part in reversed(parts):
        text += part if part in ("()", "[]") or not text else "." + part
    return text


def first_error_line(root: Node) -> int:
    """1-based line of the first ERROR or MISSING node, in source order."""
    node = root
    while True:
        for child in node.children:
            if child.is_error or child.is_missing:
                return child.start_point.row + 1
            if child.has_error:
                node = child
                break
        else:
            return node.start_point.row + 1


def one_line(text: str, limit: int = MAX_SIGNATURE) -> str:
    """``text`` on one line (runs of whitespace made one space), cut to ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def one_line_of(
    data: bytes, start: int, end: int, strip: str = "", limit: int = MAX_SIGNATURE, prefix: str = ""
) -> str:
    """``one_line(prefix + data[start:end].decode().rstrip(strip))``, reading only as much as it keeps.

    Collapsing a prefix gives a prefix of the collapsed whole, so once a prefix alone runs past
    ``limit`` the answer is known: a 50,000-name declaration costs a few hundred bytes, not all.
    """
    size = 4 * limit
    while start + size < end:
        head = " ".join((prefix + data[start : start + size].decode("utf-8", "replace")).split())
        # The last character may be cut; one not in ``strip`` after the kept part stops the rstrip.
        if len(head) > limit + 4 and head[limit:-1].strip(strip + " "):
            return head[: limit - 3].rstrip() + "..."
        size *= 4
    return one_line(prefix + data[start:end].decode("utf-8", "replace").rstrip(strip), limit)


def clean_comment(raw: str) -> str:
    """The text of a ``/** ... */`` block or a run of ``//`` lines, without the comment markers."""
    raw = raw.strip()
    if raw.startswith("/*"):
        body = raw[2:-2] if raw.endswith("*/") else raw[2:]
        body = body.lstrip("*!")
        lines = [re.sub(r"^\s*\* ?", "", line) for line in body.split("\n")]
    else:
        lines = [re.sub(r"^\s*//+ ?", "", line) for line in raw.split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return inspect.cleandoc("\n".join(line.rstrip() for line in lines))


@dataclass
class Extractor:
    """What one file defines, imports and calls, filled by a language's ``run``."""

    source: SourceFile
    data: bytes
    module: str = ""
    symbols: list[Symbol] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    exports: list[str] = field(default_factory=list)
    is_entry_point: bool = False
    ids: dict[str, Symbol] = field(default_factory=dict)
    scope_of: dict[int, str] = field(default_factory=dict)  # node id -> symbol id whose body it is
    budget: Budget | None = None
    _seen_calls: set[tuple[str, str]] = field(default_factory=set)
    _docs: dict[int, str] = field(default_factory=dict)  # node id -> its doc comment, looked up once
    _previous: dict[int, Node | None] = field(default_factory=dict)  # node id -> sibling before it (see children)

    @property
    def path(self) -> str:
        return self.source.path

    def run(self, root: Node) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def text(self, node: Node | None) -> str:
        if node is None:
            return ""
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def header(self, node: Node, body: Node | None) -> str:
        """The declaration up to its body: ``function handle(req, res)``, ``func (s *Store) Get(key string) error``."""
        end = body.start_byte if body is not None else node.end_byte
        return one_line_of(self.data, node.start_byte, end, " {=>\n\t")

    def add(self, symbol: Symbol, body: Node | None = None) -> bool:
        """Record a symbol unless its id is taken (the first definition wins)."""
        if symbol.id in self.ids:
            return False
        self.ids[symbol.id] = symbol
        self.symbols.append(symbol)
        if body is not None:
            self.scope_of[body.id] = symbol.id
        return True

    def doc_above(self, node: Node) -> str:
        """The comment block that ends on the line right above ``node`` (consecutive ``//`` lines joined).

        JavaScript also takes a ``/** ... */`` block one blank line above: many codebases (express
        among them) leave that line between a JSDoc block and the definition it documents.
        """
        known = self._docs.get(node.id)
        if known is None:
            known = self._docs[node.id] = self._doc_above(node)
        return known

    def _doc_above(self, node: Node) -> str:
        comments: list[Node] = []
        expected_row = node.start_point.row - 1
        sibling = self.previous(node)
        if (
            self.source.language != "go"
            and sibling is not None
            and sibling.type == "comment"
            and sibling.end_point.row == expected_row - 1
            and self._detached_jsdoc(sibling)
            and not _heads_a_run(node)
        ):
            return clean_comment(self.text(sibling))
        while sibling is not None and sibling.type == "comment" and sibling.end_point.row == expected_row:
            comments.append(sibling)
            raw = self.text(sibling)
            if raw.startswith("/*"):
                break
            expected_row = sibling.start_point.row - 1
            sibling = self.previous(sibling)
        if not comments:
            return ""
        comments.reverse()
        if self.source.language != "go" and not self.text(comments[-1]).startswith(("/**", "//")):
            return ""  # a plain /* */ block above JS code is usually commented-out code or a licence
        return clean_comment("\n".join(self.text(c) for c in comments))

    def children(self, parent: Node) -> list[Node]:
        """``parent.children``, remembering each one's previous sibling: tree-sitter's ``prev_sibling``
        walks from the first sibling, so asking it for each of n declarations costs O(n^2)."""
        children = parent.children
        previous = None
        for child in children:
            self._previous[child.id] = previous
            previous = child
        return children

    def named_children(self, parent: Node) -> list[Node]:
        """``parent.named_children``, with ``children``'s bookkeeping."""
        return [child for child in self.children(parent) if child.is_named]

    def previous(self, node: Node) -> Node | None:
        """``node.prev_sibling``; O(1) for a node listed by ``children``."""
        return self._previous[node.id] if node.id in self._previous else node.prev_sibling

    def _detached_jsdoc(self, comment: Node) -> bool:
        """True for a ``/** */`` block that may document what follows a blank line below it.

        Not a file's opening block (that is the file's own doc, or its licence), and not one
        whose tags say it speaks for the whole file.
        """
        raw = self.text(comment)
        if not raw.startswith("/**") or raw.startswith("/**/"):
            return False
        parent = comment.parent
        if parent is not None and parent.parent is None and _opens_file(comment):
            return False
        return not _FILE_TAGS.search(raw)

    def record_call(self, caller: str, callee: str | None, node: Node, reference: bool = False) -> None:
        """Record a call once per caller and callee; ``reference``: the callee is named as a value, not called."""
        if not callee or len(callee) > MAX_CALLEE:
            return
        key = (caller, "&" + callee if reference else callee)
        if key in self._seen_calls:
            return
        self._seen_calls.add(key)
        self.calls.append(Call(caller, callee, self.path, node.start_point.row + 1, reference))

    def walk_calls(self, root: Node) -> None:
        """Visit every node once, tracking the innermost enclosing symbol, and record calls."""
        stack: list[tuple[Node, str]] = [(root, self.module)]
        budget = self.budget
        seen = 0
        while stack:
            seen += 1
            if budget is not None and not seen % _CHECK_EVERY:
                budget.check()
            node, scope = stack.pop()
            scope = self.scope_of.get(node.id, scope)
            self.visit(node, scope)
            children = node.children
            if children:
                stack.extend((child, scope) for child in reversed(children) if child.is_named)

    def visit(self, node: Node, scope: str) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


def _heads_a_run(node: Node) -> bool:
    """True for the first of consecutive declarations: a block set apart above a run of
    ``var`` lines titles the run ("Module variables."), it does not document the first one."""
    following = node.next_named_sibling
    return (
        node.type in ("lexical_declaration", "variable_declaration")
        and following is not None
        and following.type in ("lexical_declaration", "variable_declaration")
        and following.start_point.row == node.end_point.row + 1
    )


def _opens_file(node: Node) -> bool:
    """True when nothing but a ``#!`` line comes before ``node`` in its file."""
    before = node.prev_named_sibling
    return before is None or (before.type == "hash_bang_line" and before.prev_named_sibling is None)
