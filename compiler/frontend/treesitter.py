"""JavaScript, TypeScript, TSX and Go front end, on tree-sitter.

Ids
---
* JavaScript / TypeScript: the module id is the path without its extension, ``/`` -> ``.``
  (``lib/router/index.js`` -> ``lib.router.index``). Definitions hang below it:
  ``lib.router.index.Router``, ``lib.router.route.Route.dispatch`` (``Route.prototype.dispatch
  = ...``; ``prototype`` is dropped), ``lib.application.proto.handle`` (``proto.handle = ...``),
  ``lib.application.Router`` (``exports.Router = ...``: ``exports`` *is* the module).
  Properties defined by a call are members the same way: ``defineGetter(req, 'ip', function
  ip() {…})`` and ``Object.defineProperty(req, 'ip', {get: …})`` -> ``lib.request.req.ip``.
* Go: symbols belong to packages, so the id is the package directory, ``/`` -> ``.``
  (``internal/wal`` -> ``internal.wal``; the repository root directory uses the package
  name), then the name: ``internal.wal.Open``, ``internal.wal.Log.Append`` (methods by
  receiver type). Go forbids two package-level declarations with one name, so these ids are
  unique across the files of a package, with two exceptions handled here: ``func init()``
  may appear in every file (its id is ``pkg.init.<file stem>``, and ``init`` cannot name
  anything else), and the blank identifier ``_`` is never a symbol. Every file of a package
  has ``FileFacts.module`` = the package id and emits the package's module symbol (the
  analysis keeps the first by path). Structs have kind ``class`` (their embedded types are
  ``bases``), interfaces ``interface``, other named types ``type``.

Doc comments: JSDoc ``/** ... */`` (or a ``//`` block) right above a definition, or a JSDoc
block one blank line above it (unless it opens the file, carries file tags such as ``@license``,
or titles a run of declarations); Go's ``//`` block right above (no blank line between). A syntax error gives one diagnostic at the
first ERROR/MISSING node; everything that did parse is still reported.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from compiler.model import Call, Diagnostic, FileFacts, Import, SourceFile, Symbol

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

__all__ = ["parse_treesitter", "js_module_id", "go_package_id"]

_MAX_SIGNATURE = 200
# JSDoc tags of a block that documents the file, not the definition below it.
_FILE_TAGS = re.compile(r"@(?:license|preserve|file|fileoverview|overview|copyright|module)\b")
_MAX_CALLEE = 120
_JS_EXTENSIONS = re.compile(r"\.(?:d\.ts|[mc]?[jt]sx?)$")


@lru_cache(maxsize=None)
def _parser(language: str) -> Parser:
    from tree_sitter import Language, Parser

    if language == "go":
        import tree_sitter_go as grammar

        return Parser(Language(grammar.language()))
    if language in ("typescript", "tsx"):
        import tree_sitter_typescript as grammar

        return Parser(Language(grammar.language_tsx() if language == "tsx" else grammar.language_typescript()))
    import tree_sitter_javascript as grammar

    return Parser(Language(grammar.language()))


def js_module_id(path: str) -> str:
    """``lib/router/index.js`` -> ``lib.router.index``."""
    return _JS_EXTENSIONS.sub("", path).replace("/", ".")


def go_package_id(path: str, package_name: str) -> str:
    """``internal/wal/wal.go`` -> ``internal.wal``; a file at the root -> its package name."""
    directory = path.rpartition("/")[0]
    return directory.replace("/", ".") if directory else package_name


def parse_treesitter(source: SourceFile, text: str) -> FileFacts:
    """Facts of one JavaScript / TypeScript / TSX / Go file."""
    data = text.encode("utf-8")
    tree = _parser(source.language).parse(data)
    root = tree.root_node
    if source.language == "go":
        extractor: _Extractor = _GoExtractor(source, data)
    else:
        extractor = _JsExtractor(source, data)
    extractor.run(root)
    diagnostics = ()
    if root.has_error:
        line = _first_error_line(root)
        diagnostics = (
            Diagnostic(
                source.path, line, "error", "syntax-error",
                f"syntax error in {source.language} source; definitions after it may be missing",
            ),
        )
    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    return FileFacts(
        path=source.path,
        language=source.language,
        module=extractor.module,
        lines=lines,
        sha256=source.sha256,
        symbols=tuple(extractor.symbols),
        imports=tuple(sorted(extractor.imports, key=lambda i: (i.line, i.module, i.names))),
        calls=tuple(sorted(extractor.calls, key=lambda c: (c.line, c.caller, c.callee))),
        exports=tuple(dict.fromkeys(extractor.exports)) if extractor.exports else None,
        diagnostics=diagnostics,
        is_entry_point=extractor.is_entry_point,
    )


def _first_error_line(root: Node) -> int:
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


def _one_line(text: str, limit: int = _MAX_SIGNATURE) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _clean_comment(raw: str) -> str:
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
class _Extractor:
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
    _seen_calls: set[tuple[str, str]] = field(default_factory=set)

    @property
    def path(self) -> str:
        return self.source.path

    def run(self, root: Node) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def text(self, node: Node | None) -> str:
        if node is None:
            return ""
        return self.data[node.start_byte:node.end_byte].decode("utf-8", "replace")

    def header(self, node: Node, body: Node | None) -> str:
        """The declaration up to its body: ``function handle(req, res)``, ``func (s *Store) Get(key string) error``."""
        end = body.start_byte if body is not None else node.end_byte
        return _one_line(self.data[node.start_byte:end].decode("utf-8", "replace").rstrip(" {=>\n\t"))

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
        comments: list[Node] = []
        expected_row = node.start_point.row - 1
        sibling = node.prev_sibling
        if (
            self.source.language != "go"
            and sibling is not None
            and sibling.type == "comment"
            and sibling.end_point.row == expected_row - 1
            and self._detached_jsdoc(sibling)
            and not _heads_a_run(node)
        ):
            return _clean_comment(self.text(sibling))
        while sibling is not None and sibling.type == "comment" and sibling.end_point.row == expected_row:
            comments.append(sibling)
            raw = self.text(sibling)
            if raw.startswith("/*"):
                break
            expected_row = sibling.start_point.row - 1
            sibling = sibling.prev_sibling
        if not comments:
            return ""
        comments.reverse()
        if self.source.language != "go" and not self.text(comments[-1]).startswith(("/**", "//")):
            return ""  # a plain /* */ block above JS code is usually commented-out code or a licence
        return _clean_comment("\n".join(self.text(c) for c in comments))

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

    def record_call(self, caller: str, callee: str | None, node: Node) -> None:
        if not callee or len(callee) > _MAX_CALLEE:
            return
        key = (caller, callee)
        if key in self._seen_calls:
            return
        self._seen_calls.add(key)
        self.calls.append(Call(caller=caller, callee=callee, path=self.path, line=node.start_point.row + 1))

    def walk_calls(self, root: Node) -> None:
        """Visit every node once, tracking the innermost enclosing symbol, and record calls."""
        stack: list[tuple[Node, str]] = [(root, self.module)]
        while stack:
            node, scope = stack.pop()
            scope = self.scope_of.get(node.id, scope)
            self.visit(node, scope)
            children = node.children
            if children:
                stack.extend((child, scope) for child in reversed(children) if child.is_named)

    def visit(self, node: Node, scope: str) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


# ---- JavaScript / TypeScript --------------------------------------------------

_FUNCTION_VALUES = frozenset(
    {"function_expression", "function", "arrow_function", "generator_function"}
)
_CLASS_VALUES = frozenset({"class", "class_expression"})
# Calls that define a property by name: Object.defineProperty, __defineGetter__, defineGetter ...
_DEFINES_PROPERTY = re.compile(r"^(?:__)?define(?:Propert(?:y|ies)|Getter|Setter|Accessor|Lazy\w*)(?:__)?$", re.IGNORECASE)
_DECLARATIONS = frozenset(
    {
        "function_declaration", "generator_function_declaration", "class_declaration",
        "abstract_class_declaration", "lexical_declaration", "variable_declaration",
        "interface_declaration", "type_alias_declaration", "enum_declaration",
    }
)


@dataclass
class _JsExtractor(_Extractor):
    _required_ids: set[int] = field(default_factory=set)  # require() calls already recorded as imports

    def run(self, root: Node) -> None:
        self.module = js_module_id(self.path)
        stem = self.path.rsplit("/", 1)[-1]
        self.is_entry_point = (
            ("/" not in self.path and _JS_EXTENSIONS.sub("", stem) in ("index", "main", "server", "app", "cli"))
            or self.path.startswith("bin/")
            or self.data.startswith(b"#!")
        )
        self.add(
            Symbol(
                id=self.module, name=self.module.rsplit(".", 1)[-1], kind="module", path=self.path,
                lines=(1, max(1, root.end_point.row + (0 if root.end_point.column == 0 else 1))),
                doc=self._file_doc(root), public=not stem.startswith("_"),
            )
        )
        for statement in root.named_children:
            self.statement(statement, exported=False)
        self.walk_calls(root)

    def _file_doc(self, root: Node) -> str:
        """A comment at the very top that documents the file rather than the first definition."""
        children = [c for c in root.named_children if c.type != "hash_bang_line"]
        first = children[0] if children else None
        if first is None or first.type != "comment":
            return ""
        following = first.next_named_sibling
        attached = (
            following is not None
            and following.start_point.row == first.end_point.row + 1
            and following.type not in ("comment", "import_statement")
            and not self.text(following).startswith(("'use strict'", '"use strict"'))
        )
        return "" if attached else _clean_comment(self.text(first))  # attached: it documents the definition

    # ---- definitions
    def statement(self, node: Node, exported: bool, doc_node: Node | None = None) -> None:
        kind = node.type
        doc_node = doc_node or node
        if kind == "export_statement":
            self.export_statement(node)
        elif kind in ("function_declaration", "generator_function_declaration"):
            name = self.text(node.child_by_field_name("name"))
            self.define(name, "function", node, node, node.child_by_field_name("body"), doc_node, exported)
        elif kind in ("class_declaration", "abstract_class_declaration"):
            self.define_class(node, self.text(node.child_by_field_name("name")), doc_node, exported)
        elif kind in ("lexical_declaration", "variable_declaration"):
            for declarator in node.named_children:
                if declarator.type == "variable_declarator":
                    self.declarator(declarator, node, doc_node, exported)
        elif kind in ("interface_declaration", "type_alias_declaration", "enum_declaration"):
            symbol_kind = "interface" if kind == "interface_declaration" else "type"
            name = self.text(node.child_by_field_name("name"))
            body = node.child_by_field_name("body") if kind != "type_alias_declaration" else None
            signature = self.header(node, body) if body is not None else None
            bases = ()
            if kind == "interface_declaration":
                bases = tuple(
                    self.text(t) for clause in node.named_children if clause.type == "extends_type_clause"
                    for t in clause.named_children
                )
            self.define(name, symbol_kind, node, node, body, doc_node, exported, bases=bases, signature=signature)
        elif kind == "ambient_declaration":  # declare function f(): void;
            for child in node.named_children:
                self.statement(child, exported, doc_node)
        elif kind == "expression_statement":
            expression = node.named_children[0] if node.named_child_count else None
            if expression is not None and expression.type == "assignment_expression":
                self.assignment(expression, doc_node)
            elif expression is not None and expression.type == "call_expression":
                self.property_definitions(expression, node, doc_node)
        elif kind == "import_statement":
            self.import_statement(node)

    def export_statement(self, node: Node) -> None:
        source = node.child_by_field_name("source")
        declaration = node.child_by_field_name("declaration")
        is_default = any(child.type == "default" for child in node.children)
        if declaration is not None:
            names_before = len(self.symbols)
            self.statement(declaration, exported=True, doc_node=node)
            for symbol in self.symbols[names_before:]:
                if symbol.parent == self.module:
                    self.exports.append("default" if is_default else symbol.name)
            return
        if source is not None:
            names = self.specifier_names(node)
            self.imports.append(
                Import(self.path, self.string_value(source), names or ("*",), node.start_point.row + 1)
            )
            self.exports.extend(_split_local(n) for n in names if n != "*")
            return
        value = node.child_by_field_name("value")
        if is_default:
            self.exports.append("default")
            if value is not None:
                if value.type in _FUNCTION_VALUES or value.type in _CLASS_VALUES:
                    name = self.text(value.child_by_field_name("name")) or "default"
                    if value.type in _CLASS_VALUES:
                        self.define_class(value, name, node, True)
                    else:
                        self.define(name, "function", value, node, value, node, True)
                elif value.type == "identifier":
                    self.exports.append(self.text(value))
            return
        self.exports.extend(_split_local(n) for n in self.specifier_names(node))

    def specifier_names(self, node: Node) -> tuple[str, ...]:
        names = []
        for clause in node.named_children:
            if clause.type == "export_clause":
                for spec in clause.named_children:
                    name = self.text(spec.child_by_field_name("name"))
                    alias = spec.child_by_field_name("alias")
                    names.append(f"{name} as {self.text(alias)}" if alias is not None else name)
            elif clause.type == "namespace_export":
                names.append("*")
        return tuple(names)

    def declarator(self, declarator: Node, statement: Node, doc_node: Node, exported: bool) -> None:
        name_node = declarator.child_by_field_name("name")
        value = declarator.child_by_field_name("value")
        if name_node is None:
            return
        if value is not None and self.require_import(value, name_node, statement):
            return
        if name_node.type != "identifier":
            return
        name = self.text(name_node)
        if value is not None and value.type == "assignment_expression":
            exports_before = len(self.exports)
            value = self.assignment(value, doc_node)  # var app = exports = module.exports = createApp
            if value is None or value.type == "identifier":
                return
            if _assigns_module_exports(self, declarator.child_by_field_name("value")):
                del self.exports[exports_before:]
                self.exports.append(name)  # var res = module.exports = Object.create(...)
        if value is not None and value.type in _FUNCTION_VALUES:
            self.define(name, "function", statement, statement, value.child_by_field_name("body"), doc_node, exported,
                        body_override=value)
        elif value is not None and value.type in _CLASS_VALUES:
            self.define_class(value, name, doc_node, exported, span=statement)
        elif value is not None and value.type == "object":
            symbol_id = self.define(name, "variable", statement, statement, None, doc_node, exported)
            if symbol_id:
                self.object_members(value, symbol_id)
        else:
            self.define(name, "variable", statement, statement, None, doc_node, exported, signature=self.header(statement, None))

    def assignment(self, node: Node, doc_node: Node) -> Node | None:
        """``a.b = function ...``, ``module.exports = X``, chains; returns the final right-hand value."""
        targets = []
        value = node
        while value is not None and value.type == "assignment_expression":
            targets.append(value.child_by_field_name("left"))
            value = value.child_by_field_name("right")
        if value is None:
            return None
        for target in targets:
            dotted = _dotted_js(self, target)
            if dotted is None:
                continue
            if dotted in ("module.exports", "exports"):
                self.module_exports(value, doc_node)
                continue
            parts = dotted.split(".")
            if parts[0] == "module" and parts[1:2] == ["exports"]:
                parts = parts[2:]
            elif parts[0] == "exports":
                parts = parts[1:]
                if len(parts) == 1:
                    self.exports.append(parts[0])
            if not parts:
                continue
            if parts[-1] == "prototype":  # Foo.prototype = { ... }
                owner = self.member_owner(parts[:-1])
                if value.type == "object" and owner:
                    self.object_members(value, owner)
                continue
            parts = [p for p in parts if p != "prototype"]
            if value.type in _FUNCTION_VALUES or value.type in _CLASS_VALUES:
                self.define_member(parts, value, node, doc_node)
        return value

    def property_definitions(self, call: Node, statement: Node, doc_node: Node) -> None:
        """Properties defined by a call: ``Object.defineProperty(req, 'ip', {get: function () {…}})``,
        ``Object.defineProperties(obj, {…})``, and helpers shaped like them
        (``defineGetter(req, 'ip', function ip() {…})``) become members, as ``req.ip = function`` would."""
        function = call.child_by_field_name("function")
        arguments = call.child_by_field_name("arguments")
        callee = _dotted_js(self, function) if function is not None else None
        if callee is None or arguments is None or not _DEFINES_PROPERTY.search(callee.rsplit(".", 1)[-1]):
            return
        args = [a for a in arguments.named_children if a.type != "comment"]
        if len(args) < 2:
            return
        owner = self.property_owner(args[0])
        if owner is None:
            return
        if args[1].type == "object" and len(args) == 2:  # defineProperties(obj, {name: descriptor, ...})
            for pair in args[1].named_children:
                key = pair.child_by_field_name("key") if pair.type == "pair" else None
                if key is None or key.type not in ("property_identifier", "string"):
                    continue
                value = _descriptor_function(self, pair.child_by_field_name("value"))
                if value is not None:
                    self.define_member([*owner, self.text(key).strip("'\"")], value, statement, doc_node)
            return
        if args[1].type != "string" or len(args) < 3:
            return
        value = _descriptor_function(self, args[2])
        if value is not None:
            self.define_member([*owner, self.string_value(args[1])], value, statement, doc_node)

    def property_owner(self, target: Node) -> list[str] | None:
        """The id parts under the module for the object a property is defined on (``[]``: the module)."""
        dotted = _dotted_js(self, target)
        if dotted is None or "()" in dotted or "[]" in dotted:
            return None
        parts = dotted.split(".")
        if parts[0] in ("this", "super"):
            return None
        if parts[:2] == ["module", "exports"]:
            parts = parts[2:]
        elif parts[0] == "exports":
            parts = parts[1:]
        return [p for p in parts if p != "prototype"]

    def member_owner(self, parts: list[str]) -> str | None:
        candidate = ".".join([self.module, *parts])
        return candidate if candidate in self.ids else None

    def define_member(self, parts: list[str], value: Node, statement: Node, doc_node: Node) -> None:
        """``Route.prototype.dispatch = function dispatch(...)`` -> ``<module>.Route.dispatch``."""
        owner = self.member_owner(parts[:-1]) if len(parts) > 1 else self.module
        parent = owner or self.module
        name = parts[-1]
        symbol_id = ".".join([self.module, *parts])
        if value.type in _CLASS_VALUES:
            self.define_class(value, name, doc_node, False, span=statement, symbol_id=symbol_id, parent=parent)
            return
        parent_kind = self.ids[parent].kind if parent in self.ids else "module"
        kind = "method" if len(parts) > 1 and parent_kind != "module" else "function"
        end = value.child_by_field_name("body")
        signature = _one_line(self.data[statement.start_byte:end.start_byte if end is not None else statement.end_byte].decode("utf-8", "replace").rstrip(" {=>\n\t"))
        self.define(name, kind, statement, statement, value, doc_node, True, symbol_id=symbol_id, parent=parent, signature=signature)

    def module_exports(self, value: Node, doc_node: Node) -> None:
        if value.type == "identifier":
            self.exports.append(self.text(value))
        elif value.type == "object":
            self.object_members(value, self.module, export=True)
        elif value.type in _FUNCTION_VALUES or value.type in _CLASS_VALUES:
            name = self.text(value.child_by_field_name("name")) or self.module.rsplit(".", 1)[-1]
            if value.type in _CLASS_VALUES:
                self.define_class(value, name, doc_node, True)
            else:
                self.define(name, "function", value, value, value, doc_node, True)
            self.exports.append(name)
        elif value.type == "call_expression" and self.require_import(value, None, value):
            pass

    def object_members(self, obj: Node, owner: str, export: bool = False) -> None:
        """Methods written in an object literal: ``{ foo() {}, bar: function () {} }``."""
        kind = "function" if owner == self.module else "method"
        for member in obj.named_children:
            if member.type == "method_definition":
                name = self.text(member.child_by_field_name("name"))
                self.define(name, kind, member, member, member.child_by_field_name("body"), member, export,
                            symbol_id=f"{owner}.{name}", parent=owner, body_override=member)
            elif member.type == "pair":
                key = member.child_by_field_name("key")
                value = member.child_by_field_name("value")
                if key is None or value is None or key.type not in ("property_identifier", "string", "identifier"):
                    continue
                name = self.text(key).strip("'\"")
                if export:
                    self.exports.append(name)
                if value.type in _FUNCTION_VALUES:
                    self.define(name, kind, member, member, value.child_by_field_name("body"), member, export,
                                symbol_id=f"{owner}.{name}", parent=owner, body_override=value)
            elif member.type == "shorthand_property_identifier" and export:
                self.exports.append(self.text(member))

    def define_class(
        self, node: Node, name: str, doc_node: Node, exported: bool, span: Node | None = None,
        symbol_id: str | None = None, parent: str | None = None,
    ) -> None:
        if not name:
            return
        body = node.child_by_field_name("body")
        bases: list[str] = []
        for child in node.named_children:
            if child.type == "class_heritage":
                for clause in child.named_children:
                    if clause.type in ("extends_clause", "implements_clause"):
                        bases.extend(self.text(v) for v in clause.named_children if v.type != "type_arguments")
                    else:  # JavaScript: class_heritage holds the expression directly
                        bases.append(self.text(clause))
        class_id = self.define(
            name, "class", span or node, node, body, doc_node, exported, bases=tuple(bases),
            symbol_id=symbol_id, parent=parent, body_override=span or node,
        )
        if not class_id or body is None:
            return
        for member in body.named_children:
            if member.type in ("method_definition", "method_signature", "abstract_method_signature"):
                method_name = self.text(member.child_by_field_name("name"))
                self.define(method_name, "method", member, member, member.child_by_field_name("body"), member,
                            exported, symbol_id=f"{class_id}.{method_name}", parent=class_id, body_override=member)
            elif member.type in ("field_definition", "public_field_definition"):
                value = member.child_by_field_name("value")
                name_node = member.child_by_field_name("property") or member.child_by_field_name("name")
                if value is not None and value.type in _FUNCTION_VALUES and name_node is not None:
                    method_name = self.text(name_node)
                    self.define(method_name, "method", member, member, value.child_by_field_name("body"), member,
                                exported, symbol_id=f"{class_id}.{method_name}", parent=class_id, body_override=value)

    def define(
        self, name: str, kind: str, span: Node, head: Node, body: Node | None, doc_node: Node, exported: bool,
        *, bases: tuple[str, ...] = (), symbol_id: str | None = None, parent: str | None = None,
        signature: str | None = None, body_override: Node | None = None,
    ) -> str | None:
        if not name:
            return None
        parent = parent or self.module
        symbol_id = symbol_id or f"{parent}.{name}"
        if signature is None:
            signature = self.header(head, body) if kind not in ("type", "variable") else _one_line(self.text(head))
        start = doc_node.start_point.row + 1 if doc_node.type == "export_statement" else span.start_point.row + 1
        symbol = Symbol(
            id=symbol_id, name=name, kind=kind, path=self.path, lines=(start, span.end_point.row + 1),
            signature=signature, doc=self.doc_above(doc_node), parent=parent,
            public=not name.startswith(("_", "#")) and (parent not in self.ids or self.ids[parent].public),
            bases=bases,
        )
        if not self.add(symbol, body_override or body or span):
            return None
        return symbol_id

    # ---- imports and calls
    def import_statement(self, node: Node) -> None:
        source = node.child_by_field_name("source")
        if source is None:
            return
        module = self.string_value(source)
        line = node.start_point.row + 1
        clause = next((c for c in node.named_children if c.type == "import_clause"), None)
        if clause is None:  # import 'side-effect'
            self.imports.append(Import(self.path, module, (), line))
            return
        named: list[str] = []
        for part in clause.named_children:
            if part.type == "identifier":
                self.imports.append(Import(self.path, module, ("default",), line, self.text(part)))
            elif part.type == "namespace_import":
                alias = next((self.text(c) for c in part.named_children if c.type == "identifier"), None)
                self.imports.append(Import(self.path, module, ("*",), line, alias))
            elif part.type == "named_imports":
                for spec in part.named_children:
                    if spec.type != "import_specifier":
                        continue
                    name = self.text(spec.child_by_field_name("name"))
                    alias = spec.child_by_field_name("alias")
                    named.append(f"{name} as {self.text(alias)}" if alias is not None else name)
        if named:
            self.imports.append(Import(self.path, module, tuple(named), line))

    def require_import(self, value: Node, binding: Node | None, statement: Node, scope: str | None = None) -> bool:
        """``const X = require('x')`` / ``const {a, b: c} = require('x')`` / ``require('x')``."""
        call = value
        if call.type == "member_expression":  # require('x').Router
            call = call.child_by_field_name("object")
        if call is None or call.type != "call_expression":
            return False
        function = call.child_by_field_name("function")
        if function is None or self.text(function) != "require":
            return False
        arguments = call.child_by_field_name("arguments")
        first = arguments.named_children[0] if arguments is not None and arguments.named_child_count else None
        if first is None or first.type != "string":
            return False
        module = self.string_value(first)
        names: tuple[str, ...] = ()
        alias = None
        if value is not call:  # require('x').Router
            names = (self.text(value.child_by_field_name("property")),)
            alias = self.text(binding) if binding is not None and binding.type == "identifier" else None
        elif binding is not None and binding.type == "identifier":
            alias = self.text(binding)
        elif binding is not None and binding.type == "object_pattern":
            parts = []
            for part in binding.named_children:
                if part.type == "shorthand_property_identifier_pattern":
                    parts.append(self.text(part))
                elif part.type == "pair_pattern":
                    parts.append(f"{self.text(part.child_by_field_name('key'))} as {self.text(part.child_by_field_name('value'))}")
            names = tuple(parts)
        self.imports.append(Import(self.path, module, names, statement.start_point.row + 1, alias, scope))
        self._required_ids.add(call.id)
        return True

    def string_value(self, node: Node) -> str:
        return self.text(node).strip("'\"`")

    def visit(self, node: Node, scope: str) -> None:
        kind = node.type
        if kind == "call_expression":
            function = node.child_by_field_name("function")
            if function is None:
                return
            if function.type == "import":  # import('x')
                arguments = node.child_by_field_name("arguments")
                first = arguments.named_children[0] if arguments is not None and arguments.named_child_count else None
                if first is not None and first.type == "string":
                    where = None if scope == self.module else scope
                    self.imports.append(Import(self.path, self.string_value(first), (), node.start_point.row + 1, None, where))
                return
            if function.type == "identifier" and self.text(function) == "require":
                if node.id not in self._required_ids:
                    where = None if scope == self.module else scope
                    self.require_import(node, None, node, where)
                return
            self.record_call(scope, _dotted_js(self, function), node)
        elif kind == "new_expression":
            self.record_call(scope, _dotted_js(self, node.child_by_field_name("constructor")), node)


def _dotted_js(extractor: _Extractor, node: Node | None) -> str | None:
    """``this.router.handle``, ``res.send``, ``foo()``.bar -> ``foo().bar``; None for anything else."""
    parts: list[str] = []
    while node is not None:
        kind = node.type
        if kind in ("identifier", "this", "super", "property_identifier", "private_property_identifier"):
            parts.append(extractor.text(node))
            break
        if kind == "member_expression":
            parts.append(extractor.text(node.child_by_field_name("property")))
            node = node.child_by_field_name("object")
        elif kind == "call_expression":
            parts.append("()")
            node = node.child_by_field_name("function")
        elif kind == "subscript_expression":
            parts.append("[]")
            node = node.child_by_field_name("object")
        elif kind in ("parenthesized_expression", "non_null_expression", "await_expression") and node.named_child_count == 1:
            node = node.named_children[0]
        else:
            return None
    else:
        return None
    text = ""
    for part in reversed(parts):
        text += part if part in ("()", "[]") or not text else "." + part
    return text


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


def _descriptor_function(extractor: _Extractor, node: Node | None) -> Node | None:
    """The function a property definition runs: the value itself, a wrapped function
    (``deprecate.function(function host() {…}, 'msg')``), or a descriptor's ``get``/``value``."""
    if node is None:
        return None
    if node.type in _FUNCTION_VALUES:
        return node
    if node.type == "call_expression":
        arguments = node.child_by_field_name("arguments")
        first = arguments.named_children[0] if arguments is not None and arguments.named_child_count else None
        return first if first is not None and first.type in _FUNCTION_VALUES else None
    if node.type == "object":
        found = {}
        for member in node.named_children:
            if member.type == "method_definition":
                found.setdefault(extractor.text(member.child_by_field_name("name")), member)
            elif member.type == "pair":
                value = member.child_by_field_name("value")
                if value is not None and value.type in _FUNCTION_VALUES:
                    found.setdefault(extractor.text(member.child_by_field_name("key")).strip("'\""), value)
        return found.get("get") or found.get("value")
    return None


def _assigns_module_exports(extractor: _Extractor, node: Node | None) -> bool:
    """True for ``exports = module.exports = ...`` chains."""
    while node is not None and node.type == "assignment_expression":
        if _dotted_js(extractor, node.child_by_field_name("left")) in ("module.exports", "exports"):
            return True
        node = node.child_by_field_name("right")
    return False


def _split_local(name: str) -> str:
    """``a as b`` -> ``b`` (the exported name)."""
    return name.split(" as ", 1)[1] if " as " in name else name


# ---- Go -------------------------------------------------------------------------


@dataclass
class _GoExtractor(_Extractor):
    package: str = ""

    def run(self, root: Node) -> None:
        clause = next((c for c in root.named_children if c.type == "package_clause"), None)
        self.package = self.text(clause.named_children[0]) if clause is not None and clause.named_child_count else ""
        self.module = go_package_id(self.path, self.package or "main")
        stem = self.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        self.add(
            Symbol(
                id=self.module, name=self.module.rsplit(".", 1)[-1], kind="module", path=self.path,
                lines=(1, max(1, root.end_point.row + (0 if root.end_point.column == 0 else 1))),
                doc=self.doc_above(clause) if clause is not None else "",
                public=True,  # internal/ packages are private to the module, not to a reader
            )
        )
        for declaration in root.named_children:
            kind = declaration.type
            if kind == "function_declaration":
                name = self.text(declaration.child_by_field_name("name"))
                if name == "main" and self.package == "main":
                    self.is_entry_point = True
                symbol_id = f"{self.module}.init.{stem}" if name == "init" else None
                self.define(name, "function", declaration, self.module, symbol_id=symbol_id)
            elif kind == "method_declaration":
                receiver = self.receiver_type(declaration.child_by_field_name("receiver"))
                name = self.text(declaration.child_by_field_name("name"))
                parent = f"{self.module}.{receiver}" if receiver else self.module
                self.define(name, "method", declaration, parent, symbol_id=f"{parent}.{name}")
            elif kind == "type_declaration":
                for spec in declaration.named_children:
                    if spec.type in ("type_spec", "type_alias"):
                        self.define_type(spec, declaration)
            elif kind in ("const_declaration", "var_declaration"):
                specs = [s for s in declaration.named_children if s.type in ("const_spec", "var_spec")]
                for spec_list in declaration.named_children:
                    if spec_list.type == "var_spec_list":
                        specs.extend(s for s in spec_list.named_children if s.type == "var_spec")
                for spec in specs:
                    self.define_values(spec, declaration, len(specs) == 1)
            elif kind == "import_declaration":
                self.import_declaration(declaration)
        self.walk_calls(root)

    def receiver_type(self, receiver: Node | None) -> str:
        """``(s *Store)`` -> ``Store``; ``(s *Set[T])`` -> ``Set``."""
        if receiver is None:
            return ""
        for parameter in receiver.named_children:
            node = parameter.child_by_field_name("type")
            while node is not None and node.type in ("pointer_type", "generic_type", "parenthesized_type"):
                node = node.child_by_field_name("type") or (node.named_children[0] if node.named_child_count else None)
            if node is not None:
                return self.text(node)
        return ""

    def define(self, name: str, kind: str, node: Node, parent: str, *, symbol_id: str | None = None) -> None:
        if not name or name == "_":
            return
        body = node.child_by_field_name("body")
        self.add(
            Symbol(
                id=symbol_id or f"{parent}.{name}", name=name, kind=kind, path=self.path,
                lines=(node.start_point.row + 1, node.end_point.row + 1), signature=self.header(node, body),
                doc=self.doc_above(node), parent=parent, public=name[:1].isupper(),
            ),
            node,
        )

    def define_type(self, spec: Node, declaration: Node) -> None:
        name = self.text(spec.child_by_field_name("name"))
        if not name or name == "_":
            return
        type_node = spec.child_by_field_name("type")
        bases: list[str] = []
        kind = "type"
        if type_node is not None and type_node.type == "struct_type":
            kind = "class"
            fields_list = next((c for c in type_node.named_children if c.type == "field_declaration_list"), None)
            for field_node in fields_list.named_children if fields_list is not None else ():
                if field_node.type == "field_declaration" and field_node.child_by_field_name("name") is None:
                    embedded = field_node.child_by_field_name("type")
                    if embedded is not None:
                        bases.append(self.text(embedded).lstrip("*"))
        elif type_node is not None and type_node.type == "interface_type":
            kind = "interface"
            for element in type_node.named_children:
                if element.type in ("type_elem", "constraint_elem"):
                    bases.append(self.text(element))
        single = len([s for s in declaration.named_children if s.type in ("type_spec", "type_alias")]) == 1
        span = declaration if single else spec
        if kind in ("class", "interface"):  # type Store struct / type Set[T any] struct: not the fields
            head = self.data[spec.start_byte:type_node.start_byte].decode("utf-8", "replace")
            signature = _one_line(f"type {head}{type_node.type.split('_')[0]}")
        else:
            signature = _one_line(f"type {self.text(spec)}")
        self.add(
            Symbol(
                id=f"{self.module}.{name}", name=name, kind=kind, path=self.path,
                lines=(span.start_point.row + 1, span.end_point.row + 1), signature=signature,
                doc=self.doc_above(spec) or (self.doc_above(declaration) if single else ""),
                parent=self.module, public=name[:1].isupper(), bases=tuple(bases),
            ),
            spec,
        )

    def define_values(self, spec: Node, declaration: Node, single: bool) -> None:
        doc = self.doc_above(spec) or (self.doc_above(declaration) if single else "")
        group_doc = "" if single else self.doc_above(declaration)
        keyword = "const" if spec.type == "const_spec" else "var"
        for name_node in spec.children_by_field_name("name"):
            name = self.text(name_node)
            if not name or name == "_":
                continue
            self.add(
                Symbol(
                    id=f"{self.module}.{name}", name=name, kind="variable", path=self.path,
                    lines=(spec.start_point.row + 1, spec.end_point.row + 1),
                    signature=_one_line(f"{keyword} {self.text(spec)}"), doc=doc or group_doc,
                    parent=self.module, public=name[:1].isupper(),
                ),
                spec,
            )

    def import_declaration(self, declaration: Node) -> None:
        specs = []
        for child in declaration.named_children:
            if child.type == "import_spec":
                specs.append(child)
            elif child.type == "import_spec_list":
                specs.extend(c for c in child.named_children if c.type == "import_spec")
        for spec in specs:
            path = spec.child_by_field_name("path")
            name = spec.child_by_field_name("name")
            self.imports.append(
                Import(self.path, self.text(path).strip('"`'), (), spec.start_point.row + 1, self.text(name) if name is not None else None)
            )

    def visit(self, node: Node, scope: str) -> None:
        if node.type == "call_expression":
            self.record_call(scope, _dotted_go(self, node.child_by_field_name("function")), node)


def _dotted_go(extractor: _Extractor, node: Node | None) -> str | None:
    parts: list[str] = []
    while node is not None:
        kind = node.type
        if kind in ("identifier", "field_identifier", "package_identifier", "type_identifier"):
            parts.append(extractor.text(node))
            break
        if kind == "selector_expression":
            parts.append(extractor.text(node.child_by_field_name("field")))
            node = node.child_by_field_name("operand")
        elif kind == "call_expression":
            parts.append("()")
            node = node.child_by_field_name("function")
        elif kind == "index_expression":
            parts.append("[]")
            node = node.child_by_field_name("operand")
        elif kind == "parenthesized_expression" and node.named_child_count == 1:
            node = node.named_children[0]
        else:
            return None
    else:
        return None
    text = ""
    for part in reversed(parts):
        text += part if part in ("()", "[]") or not text else "." + part
    return text
