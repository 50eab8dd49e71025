"""JavaScript, TypeScript and TSX facts from a tree-sitter tree.

In: a ``SourceFile``, its bytes and the parsed root (``treesitter/__init__.py`` parses).
Out: a filled ``JsExtractor`` (definitions here; imports and calls in ``js_calls.py``): module symbol, definitions (functions, classes, methods,
CommonJS ``exports.x =`` / ``Foo.prototype.x =`` members, properties defined by
``Object.defineProperty``-like calls, methods of object literals assigned, declared or exported by
default, anonymous default exports, the functions a factory exposes on the object it returns
(``js_factory.py``)), imports (``import``, ``require``, ``import()``) and calls.
The id rules are in ``treesitter/__init__.py``'s docstring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from compiler.frontend.treesitter.js_calls import JsImportsAndCalls, dotted_js
from compiler.frontend.treesitter.js_factory import exposed_functions
from compiler.frontend.treesitter.js_values import CLASS_VALUES, FUNCTION_VALUES, descriptor_function, function_value
from compiler.frontend.treesitter.walker import Extractor, clean_comment, one_line_of
from compiler.model import Import, Symbol, symbol_with

if TYPE_CHECKING:
    from tree_sitter import Node

__all__ = ["JsExtractor", "js_default_name", "js_module_id"]

_JS_EXTENSIONS = re.compile(r"\.(?:d\.[mc]?ts|[mc]?[jt]sx?)$")
_DECLARATION = re.compile(r"\.d\.[mc]?ts$")


def js_module_id(path: str) -> str:
    """``lib/router/index.js`` -> ``lib.router.index``; a declaration file keeps its ``.d``
    (``fastify.d.ts`` -> ``fastify.d``), so it never takes the id of the code beside it (``fastify.js``)."""
    if _DECLARATION.search(path):
        return _DECLARATION.sub(".d", path).replace("/", ".")
    return _JS_EXTENSIONS.sub("", path).replace("/", ".")


def js_default_name(path: str) -> str:
    """The name of an anonymous default export: the file's (``lib/bind.js`` -> ``bind``), or its folder's
    for an index file (``lib/helpers/index.js`` -> ``helpers``)."""
    parts = _JS_EXTENSIONS.sub("", path).split("/")
    return parts[-2] if parts[-1] == "index" and len(parts) > 1 else parts[-1]


# Calls that define a property by name: Object.defineProperty, __defineGetter__, defineGetter ...
_DEFINES_PROPERTY = re.compile(
    r"^(?:__)?define(?:Propert(?:y|ies)|Getter|Setter|Accessor|Lazy\w*)(?:__)?$", re.IGNORECASE
)


@dataclass
class JsExtractor(JsImportsAndCalls):
    # TypeScript overloads: id -> index in ``symbols`` of the symbol made from its signatures so far
    _stubs: dict[str, int] = field(default_factory=dict)

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
                id=self.module,
                name=js_module_id(stem),  # index, fastify.d
                kind="module",
                path=self.path,
                lines=(1, max(1, root.end_point.row + (0 if root.end_point.column == 0 else 1))),
                doc=self._file_doc(root),
                public=not stem.startswith("_"),
            )
        )
        for statement in self.named_children(root):
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
        return "" if attached else clean_comment(self.text(first))  # attached: it documents the definition

    # ---- definitions
    def statement(self, node: Node, exported: bool, doc_node: Node | None = None) -> None:
        kind = node.type
        doc_node = doc_node or node
        if kind == "export_statement":
            self.export_statement(node)
        elif kind in ("function_declaration", "generator_function_declaration"):
            name = self.text(node.child_by_field_name("name"))
            self.define(name, "function", node, node, node.child_by_field_name("body"), doc_node, exported)
        elif kind == "function_signature":  # TypeScript: an overload, or ``declare function f(): void;``
            name = self.text(node.child_by_field_name("name"))
            signature = one_line_of(self.data, node.start_byte, node.end_byte, " ;\n\t")
            self.define(name, "function", node, node, None, doc_node, exported, signature=signature, stub=True)
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
                    self.text(t)
                    for clause in node.named_children
                    if clause.type == "extends_type_clause"
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
                    self.exports.extend(("default", symbol.name) if is_default else (symbol.name,))
            return
        if source is not None:
            names = self.specifier_names(node)
            self.imports.append(Import(self.path, self.string_value(source), names or ("*",), node.start_point.row + 1))
            self.exports.extend(_split_local(n) for n in names if n != "*")
            return
        value = node.child_by_field_name("value")
        if is_default:
            self.exports.append("default")
            function = function_value(value)
            if function is not None or (value is not None and value.type in CLASS_VALUES):
                # export default function () {} / class {} / (a) => ...: named after the file if anonymous
                defined = function if function is not None else value
                name = self.text(defined.child_by_field_name("name")) or js_default_name(self.path)
                self.exports.append(name)
                if function is None:
                    self.define_class(value, name, node, True)
                else:
                    body = function.child_by_field_name("body")
                    self.define(name, "function", node, node, body, node, True, body_override=function)
            elif value is not None and value.type == "object":  # export default { method() {}, key: function }
                self.object_members(value, self.module, export=True)
            elif value is not None and value.type == "identifier":
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
        function = function_value(value)
        if function is not None:  # const f = () => {}, const f = supported && function f() {}
            self.define(
                name,
                "function",
                statement,
                statement,
                function.child_by_field_name("body"),
                doc_node,
                exported,
                body_override=function,
            )
        elif value is not None and value.type in CLASS_VALUES:
            self.define_class(value, name, doc_node, exported, span=statement)
        elif value is not None and value.type == "object":
            symbol_id = self.define(name, "variable", statement, statement, None, doc_node, exported)
            if symbol_id:
                self.object_members(value, symbol_id)
        else:
            self.define(
                name, "variable", statement, statement, None, doc_node, exported, signature=self.header(statement, None)
            )

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
            dotted = dotted_js(self, target)
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
            if value.type in CLASS_VALUES:
                self.define_member(parts, value, node, doc_node)
            elif (function := function_value(value)) is not None:
                self.define_member(parts, function, node, doc_node)
        return value

    def property_definitions(self, call: Node, statement: Node, doc_node: Node) -> None:
        """Properties defined by a call: ``Object.defineProperty(req, 'ip', {get: function () {…}})``,
        ``Object.defineProperties(obj, {…})``, and helpers shaped like them
        (``defineGetter(req, 'ip', function ip() {…})``) become members, as ``req.ip = function`` would."""
        function = call.child_by_field_name("function")
        arguments = call.child_by_field_name("arguments")
        callee = dotted_js(self, function) if function is not None else None
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
                value = descriptor_function(self, pair.child_by_field_name("value"))
                if value is not None:
                    self.define_member([*owner, self.text(key).strip("'\"")], value, statement, doc_node)
            return
        if args[1].type != "string" or len(args) < 3:
            return
        value = descriptor_function(self, args[2])
        if value is not None:
            self.define_member([*owner, self.string_value(args[1])], value, statement, doc_node)

    def property_owner(self, target: Node) -> list[str] | None:
        """The id parts under the module for the object a property is defined on (``[]``: the module)."""
        dotted = dotted_js(self, target)
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
        if value.type in CLASS_VALUES:
            self.define_class(value, name, doc_node, False, span=statement, symbol_id=symbol_id, parent=parent)
            return
        parent_kind = self.ids[parent].kind if parent in self.ids else "module"
        kind = "method" if len(parts) > 1 and parent_kind != "module" else "function"
        end = value.child_by_field_name("body")
        stop = end.start_byte if end is not None else statement.end_byte
        signature = one_line_of(self.data, statement.start_byte, stop, " {=>\n\t")
        self.define(
            name,
            kind,
            statement,
            statement,
            value,
            doc_node,
            True,
            symbol_id=symbol_id,
            parent=parent,
            signature=signature,
        )

    def module_exports(self, value: Node, doc_node: Node) -> None:
        """``module.exports = X``: an object's members, or a function or class (named after the file if
        anonymous) whose lines and signature start at the statement (``module.exports = function f(a)``)."""
        function = function_value(value)
        if value.type == "identifier":
            self.exports.append(self.text(value))
        elif value.type == "object":
            self.object_members(value, self.module, export=True)
        elif function is not None or value.type in CLASS_VALUES:
            defined = function if function is not None else value
            name = self.text(defined.child_by_field_name("name")) or js_default_name(self.path)
            if function is None:
                self.define_class(value, name, doc_node, True)
            else:
                body = function.child_by_field_name("body")
                self.define(name, "function", doc_node, doc_node, body, doc_node, True, body_override=function)
            self.exports.append(name)
        elif value.type == "call_expression" and self.require_import(value, None, value):
            pass

    def object_members(self, obj: Node, owner: str, export: bool = False) -> None:
        """Methods written in an object literal: ``{ foo() {}, bar: function () {} }``."""
        kind = "function" if owner == self.module else "method"
        for member in self.named_children(obj):
            if member.type == "method_definition":
                name = self.text(member.child_by_field_name("name"))
                self.define(
                    name,
                    kind,
                    member,
                    member,
                    member.child_by_field_name("body"),
                    member,
                    export,
                    symbol_id=f"{owner}.{name}",
                    parent=owner,
                    body_override=member,
                )
            elif member.type == "pair":
                key = member.child_by_field_name("key")
                value = member.child_by_field_name("value")
                if key is None or value is None or key.type not in ("property_identifier", "string", "identifier"):
                    continue
                name = self.text(key).strip("'\"")
                if export:
                    self.exports.append(name)
                function = function_value(value, in_array=True)  # key: function, key: [function key() {}]
                if function is not None:
                    self.define(
                        name,
                        kind,
                        member,
                        member,
                        function.child_by_field_name("body"),
                        member,
                        export,
                        symbol_id=f"{owner}.{name}",
                        parent=owner,
                        body_override=function,
                    )
            elif member.type == "shorthand_property_identifier" and export:
                self.exports.append(self.text(member))

    def define_class(
        self,
        node: Node,
        name: str,
        doc_node: Node,
        exported: bool,
        span: Node | None = None,
        symbol_id: str | None = None,
        parent: str | None = None,
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
            name,
            "class",
            span or node,
            node,
            body,
            doc_node,
            exported,
            bases=tuple(bases),
            symbol_id=symbol_id,
            parent=parent,
            body_override=span or node,
        )
        if not class_id or body is None:
            return
        for member in self.named_children(body):
            if member.type in ("method_definition", "method_signature", "abstract_method_signature"):
                method_name = self.text(member.child_by_field_name("name"))
                self.define(
                    method_name,
                    "method",
                    member,
                    member,
                    member.child_by_field_name("body"),
                    member,
                    exported,
                    symbol_id=f"{class_id}.{method_name}",
                    parent=class_id,
                    body_override=member,
                    stub=member.type != "method_definition",  # an overload signature (or an abstract one)
                )
            elif member.type in ("field_definition", "public_field_definition"):
                value = member.child_by_field_name("value")
                name_node = member.child_by_field_name("property") or member.child_by_field_name("name")
                if value is not None and value.type in FUNCTION_VALUES and name_node is not None:
                    method_name = self.text(name_node)
                    self.define(
                        method_name,
                        "method",
                        member,
                        member,
                        value.child_by_field_name("body"),
                        member,
                        exported,
                        symbol_id=f"{class_id}.{method_name}",
                        parent=class_id,
                        body_override=value,
                    )

    def define(
        self,
        name: str,
        kind: str,
        span: Node,
        head: Node,
        body: Node | None,
        doc_node: Node,
        exported: bool,
        *,
        bases: tuple[str, ...] = (),
        symbol_id: str | None = None,
        parent: str | None = None,
        signature: str | None = None,
        body_override: Node | None = None,
        stub: bool = False,
    ) -> str | None:
        """Record a definition; the first one of an id wins, except that an implementation replaces
        the overload signatures (``stub``) before it and keeps theirs in front of its own signature."""
        if not name:
            return None
        parent = parent or self.module
        symbol_id = symbol_id or f"{parent}.{name}"
        if signature is None:
            signature = (
                self.header(head, body)
                if kind not in ("type", "variable")
                else one_line_of(self.data, head.start_byte, head.end_byte)
            )
        start = doc_node.start_point.row + 1 if doc_node.type == "export_statement" else span.start_point.row + 1
        symbol = Symbol(
            id=symbol_id,
            name=name,
            kind=kind,
            path=self.path,
            lines=(start, span.end_point.row + 1),
            signature=signature,
            doc=self.doc_above(doc_node),
            parent=parent,
            public=not name.startswith(("_", "#")) and (parent not in self.ids or self.ids[parent].public),
            bases=bases,
        )
        scope = body_override or body or span
        if symbol_id in self._stubs:
            return self._overload(symbol, stub, scope)
        if not self.add(symbol, scope):
            return None
        if stub:
            self._stubs[symbol_id] = len(self.symbols) - 1
        elif kind in ("function", "method"):
            self.exposed_members(symbol_id, body)
        return symbol_id

    def exposed_members(self, factory: str, body: Node | None) -> None:
        """A factory's members: the functions it puts on the object it returns (``js_factory.py``),
        ``<factory id>.<property>``; its other inner functions stay out. ``body``: the factory's
        body, or its function node (``define_member``)."""
        if body is None:
            return
        if body.type in FUNCTION_VALUES:
            function, body = body, body.child_by_field_name("body")
        else:
            function = body.parent
        if function is None or body is None:
            return
        for member in exposed_functions(self, function, body):
            self.define(
                member.name,
                "method",
                member.span,
                member.span,
                member.body,
                member.span,
                True,
                symbol_id=f"{factory}.{member.name}",
                parent=factory,
                body_override=member.function,
            )

    def _overload(self, symbol: Symbol, stub: bool, scope: Node) -> str | None:
        """One more overload signature of a symbol made from signatures, or its implementation."""
        index = self._stubs[symbol.id]
        first = self.symbols[index]
        signature = f"{first.signature}\n{symbol.signature}"
        if stub:
            merged = symbol_with(first, signature=signature, doc=first.doc or symbol.doc)
        else:  # the implementation is the symbol: its lines and body, every signature
            merged = symbol_with(symbol, signature=signature, doc=symbol.doc or first.doc, public=first.public)
            del self._stubs[symbol.id]
            self.scope_of[scope.id] = symbol.id
        self.symbols[index] = self.ids[symbol.id] = merged
        return None if stub else symbol.id


def _assigns_module_exports(extractor: Extractor, node: Node | None) -> bool:
    """True for ``exports = module.exports = ...`` chains."""
    while node is not None and node.type == "assignment_expression":
        if dotted_js(extractor, node.child_by_field_name("left")) in ("module.exports", "exports"):
            return True
        node = node.child_by_field_name("right")
    return False


def _split_local(name: str) -> str:
    """``a as b`` -> ``b`` (the exported name)."""
    return name.split(" as ", 1)[1] if " as " in name else name
