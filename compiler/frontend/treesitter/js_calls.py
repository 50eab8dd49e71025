"""JavaScript, TypeScript and TSX imports and calls from a tree-sitter tree.

In: nodes handed over by ``JsExtractor`` (``import`` statements, ``require`` calls, every call and ``new``).
Out: ``Import`` records (``import``, ``require``, ``import()``) and calls recorded on the extractor; also how
JavaScript spells a dotted chain (``CHAINS``, ``dotted_js``), which definitions use for their names.

A class or function named as a value is a reference (a ``Call`` with ``reference=True``): an argument
(``register(Foo)``, ``arr.map(helper)``), an object value (``{cls: Option}``, ``{ Foo }``), the right side
of an assignment or declaration (``this.Ctx = Context``, ``const x = Foo``), a class field
(``static Ctx = Context``), an array element, ``export default Foo``. Only names the file binds at
module level (its definitions and imports) and ``this.name`` count: a local variable is no reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from compiler.frontend.treesitter.walker import MAX_CALLEE, ChainGrammar, Extractor, dotted
from compiler.model import Import

if TYPE_CHECKING:
    from tree_sitter import Node

# A definition's own name (module.exports.Router, Foo.prototype.bar) is read with a longer limit than a callee.
_MAX_TARGET = 1000
CHAINS = ChainGrammar(
    names=frozenset({"identifier", "this", "super", "property_identifier", "private_property_identifier"}),
    member="member_expression",
    member_object="object",
    member_name="property",
    index="subscript_expression",
    index_object="object",
    wrappers=frozenset({"parenthesized_expression", "non_null_expression", "await_expression"}),
)


def dotted_js(extractor: Extractor, node: Node | None, limit: int = _MAX_TARGET) -> str | None:
    """``this.router.handle``, ``res.send``, ``foo()``.bar -> ``foo().bar``; None for anything else."""
    return dotted(extractor, node, CHAINS, limit)


# Nodes that hold values, and the field holding the value (None: every named child is one; "": the node itself).
_VALUE_FIELDS: dict[str, str | None] = {
    "shorthand_property_identifier": "",  # { Foo }
    "arguments": None,
    "array": None,
    "pair": "value",
    "assignment_expression": "right",
    "variable_declarator": "value",
    "public_field_definition": "value",
    "field_definition": "value",
    "export_statement": "value",
}
_VALUE_NODES = frozenset({"identifier", "member_expression"})


@dataclass
class JsImportsAndCalls(Extractor):
    _required_ids: set[int] = field(default_factory=set)  # require() calls already recorded as imports
    _bound: set[str] | None = None  # names bound at module level (definitions, imports), made on first use

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
                    parts.append(
                        f"{self.text(part.child_by_field_name('key'))} as {self.text(part.child_by_field_name('value'))}"
                    )
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
                    self.imports.append(
                        Import(self.path, self.string_value(first), (), node.start_point.row + 1, None, where)
                    )
                return
            if function.type == "identifier" and self.text(function) == "require":
                if node.id not in self._required_ids:
                    where = None if scope == self.module else scope
                    self.require_import(node, None, node, where)
                return
            self.record_call(scope, dotted_js(self, function, MAX_CALLEE), node)
        elif kind == "new_expression":
            self.record_call(scope, dotted_js(self, node.child_by_field_name("constructor"), MAX_CALLEE), node)
        else:
            name = _VALUE_FIELDS.get(kind, "-")
            if name == "-":
                return
            if name is None:
                for value in node.named_children:
                    if value.type in _VALUE_NODES:
                        self.record_reference(scope, value)
            elif name:
                value = node.child_by_field_name(name)
                if value is not None and value.type in _VALUE_NODES:
                    self.record_reference(scope, value)
            else:
                self.record_reference(scope, node)

    def record_reference(self, scope: str, value: Node) -> None:
        """Record ``value`` (``name``, ``name.attr`` or ``this.attr``) as a reference when the file binds ``name``."""
        if value.type == "member_expression":
            head = value.child_by_field_name("object")
            if head is None or head.type not in ("identifier", "this"):
                return  # a longer chain: the type of its middle is unknown
            head_text = self.text(head)
        else:
            head = value
            head_text = self.text(value)
        if head_text != "this":
            if self._bound is None:
                self._bound = self.module_names()
            if head_text not in self._bound:
                return
        text = head_text if head is value else f"{head_text}.{self.text(value.child_by_field_name('property'))}"
        self.record_call(scope, text, value, reference=True)

    def module_names(self) -> set[str]:
        """The names the file binds at module level: its top-level definitions and its imports."""
        names = {symbol.name for symbol in self.symbols if symbol.parent == self.module}
        for imp in self.imports:
            if imp.scope is not None:
                continue
            if imp.alias:
                names.add(imp.alias)
            for name in imp.names:
                if name not in ("*", "default"):
                    names.add(name.split(" as ", 1)[-1].strip())
        return names
