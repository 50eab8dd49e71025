"""Go facts from a tree-sitter tree.

In: a ``SourceFile``, its bytes and the parsed root (``treesitter/__init__.py`` parses).
Out: a filled ``GoExtractor``: the package's module symbol, functions, methods (by receiver
type), types (structs as ``class`` with embedded types as bases, interfaces), package-level
constants and variables, imports and calls. The id rules are in ``treesitter/__init__.py``.
A function or type named as a value (an argument, ``Run: runRoot`` in a composite literal) is a
reference: a name the file declares at package level, an exported name, or ``pkg.Name`` of an import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from compiler.frontend.treesitter.go_build import builds_by_default
from compiler.frontend.treesitter.walker import MAX_CALLEE, ChainGrammar, Extractor, dotted, one_line, one_line_of
from compiler.model import Import, Symbol

if TYPE_CHECKING:
    from tree_sitter import Node

__all__ = ["GoExtractor", "go_package_id"]

CHAINS = ChainGrammar(
    names=frozenset({"identifier", "field_identifier", "package_identifier", "type_identifier"}),
    member="selector_expression",
    member_object="operand",
    member_name="field",
    index="index_expression",
    index_object="operand",
    wrappers=frozenset({"parenthesized_expression"}),
)


def go_package_id(path: str, package_name: str) -> str:
    """``internal/wal/wal.go`` -> ``internal.wal``; a file at the root -> its package name."""
    directory = path.rpartition("/")[0]
    return directory.replace("/", ".") if directory else package_name


@dataclass
class GoExtractor(Extractor):
    package: str = ""
    variant: str = ""  # the file stem, for a file the default build leaves out (its ids hold it)
    _own_types: set[str] = field(default_factory=set)  # types declared in such a file
    _bound: set[str] | None = None  # names this file declares at package level, made on first use
    _packages: set[str] = field(default_factory=set)  # names its imports bind

    def run(self, root: Node) -> None:
        clause = next((c for c in root.named_children if c.type == "package_clause"), None)
        self.package = self.text(clause.named_children[0]) if clause is not None and clause.named_child_count else ""
        self.module = go_package_id(self.path, self.package or "main")
        stem = self.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        header = [c for c in root.named_children if c.end_byte <= (clause.start_byte if clause else 0)]
        if not builds_by_default(self.path, "\n".join(self.text(c) for c in header if c.type == "comment")):
            self.variant = stem  # terminal_check_windows.go: logrus.terminal_check_windows.checkIfTerminal
            self._own_types = {
                self.text(spec.child_by_field_name("name"))
                for declaration in root.named_children
                if declaration.type == "type_declaration"
                for spec in declaration.named_children
                if spec.type in ("type_spec", "type_alias")
            }
        self.add(
            Symbol(
                id=self.module,
                name=self.module.rsplit(".", 1)[-1],
                kind="module",
                path=self.path,
                lines=(1, max(1, root.end_point.row + (0 if root.end_point.column == 0 else 1))),
                doc=self.doc_above(clause) if clause is not None else "",
                public=True,  # internal/ packages are private to the module, not to a reader
            )
        )
        for declaration in self.named_children(root):
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
                if receiver in self._own_types:  # a method of a type this build variant declares
                    parent = self.own(parent)
                self.define(name, "method", declaration, parent, symbol_id=self.own(f"{parent}.{name}"))
            elif kind == "type_declaration":
                type_specs = [s for s in self.named_children(declaration) if s.type in ("type_spec", "type_alias")]
                for spec in type_specs:
                    self.define_type(spec, declaration, len(type_specs) == 1)
            elif kind in ("const_declaration", "var_declaration"):
                children = self.named_children(declaration)
                specs = [s for s in children if s.type in ("const_spec", "var_spec")]
                for spec_list in children:
                    if spec_list.type == "var_spec_list":
                        specs.extend(s for s in self.named_children(spec_list) if s.type == "var_spec")
                for spec in specs:
                    self.define_values(spec, declaration, len(specs) == 1)
            elif kind == "import_declaration":
                self.import_declaration(declaration)
        self.walk_calls(root)

    def own(self, symbol_id: str) -> str:
        """The id of a package-level definition: ``symbol_id``, or in a file the default build leaves out,
        the file stem after the package (``logrus.terminal_check_windows.checkIfTerminal``): the same name
        may be defined once per build variant. Idempotent."""
        if not self.variant or symbol_id.startswith(f"{self.module}.{self.variant}."):
            return symbol_id
        return f"{self.module}.{self.variant}{symbol_id[len(self.module) :]}"

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
                id=symbol_id or self.own(f"{parent}.{name}"),
                name=name,
                kind=kind,
                path=self.path,
                lines=(node.start_point.row + 1, node.end_point.row + 1),
                signature=self.header(node, body),
                doc=self.doc_above(node),
                parent=parent,
                public=name[:1].isupper(),
            ),
            node,
        )

    def define_type(self, spec: Node, declaration: Node, single: bool) -> None:
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
        span = declaration if single else spec
        if kind in ("class", "interface"):  # type Store struct / type Set[T any] struct: not the fields
            head = self.data[spec.start_byte : type_node.start_byte].decode("utf-8", "replace")
            signature = one_line(f"type {head}{type_node.type.split('_')[0]}")
        else:
            signature = one_line_of(self.data, spec.start_byte, spec.end_byte, prefix="type ")
        self.add(
            Symbol(
                id=self.own(f"{self.module}.{name}"),
                name=name,
                kind=kind,
                path=self.path,
                lines=(span.start_point.row + 1, span.end_point.row + 1),
                signature=signature,
                doc=self.doc_above(spec) or (self.doc_above(declaration) if single else ""),
                parent=self.module,
                public=name[:1].isupper(),
                bases=tuple(bases),
            ),
            spec,
        )

    def define_values(self, spec: Node, declaration: Node, single: bool) -> None:
        doc = self.doc_above(spec) or (self.doc_above(declaration) if single else "")
        group_doc = "" if single else self.doc_above(declaration)
        keyword = "const" if spec.type == "const_spec" else "var"
        signature = one_line_of(self.data, spec.start_byte, spec.end_byte, prefix=f"{keyword} ")
        for name_node in spec.children_by_field_name("name"):
            name = self.text(name_node)
            if not name or name == "_":
                continue
            self.add(
                Symbol(
                    id=self.own(f"{self.module}.{name}"),
                    name=name,
                    kind="variable",
                    path=self.path,
                    lines=(spec.start_point.row + 1, spec.end_point.row + 1),
                    signature=signature,
                    doc=doc or group_doc,
                    parent=self.module,
                    public=name[:1].isupper(),
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
                Import(
                    self.path,
                    self.text(path).strip('"`'),
                    (),
                    spec.start_point.row + 1,
                    self.text(name) if name is not None else None,
                )
            )

    def visit(self, node: Node, scope: str) -> None:
        kind = node.type
        if kind == "call_expression":
            self.record_call(scope, dotted(self, node.child_by_field_name("function"), CHAINS, MAX_CALLEE), node)
        elif kind == "argument_list":  # http.HandleFunc("/", index), run(wal.Open)
            for value in node.named_children:
                if value.type in _VALUE_NODES:
                    self.record_reference(scope, value)
        elif kind == "keyed_element":  # &cobra.Command{Run: runRoot}
            children = node.named_children
            element = children[-1] if len(children) == 2 else None
            if element is not None and element.named_child_count == 1:
                value = element.named_children[0]
                if value.type in _VALUE_NODES:
                    self.record_reference(scope, value)

    def record_reference(self, scope: str, value: Node) -> None:
        """A function or type named as a value: a name this file declares at package level or an exported
        name (a local variable is neither, mostly), or ``pkg.Name`` of an imported package."""
        if self._bound is None:
            self._bound = {s.name for s in self.symbols if s.parent == self.module}
            self._packages = {_package_name(imp) for imp in self.imports}
        if value.type == "identifier":
            text = self.text(value)
            if text in self._bound or text[:1].isupper():
                self.record_call(scope, text, value, reference=True)
            return
        operand, name = value.child_by_field_name("operand"), value.child_by_field_name("field")
        if operand is not None and operand.type == "identifier" and name is not None:
            package, member = self.text(operand), self.text(name)
            if member[:1].isupper() and package in self._packages:
                self.record_call(scope, f"{package}.{member}", value, reference=True)


_VALUE_NODES = frozenset({"identifier", "selector_expression"})


def _package_name(imp: Import) -> str:
    """The name an import binds: its alias, else the last element of its path (``yaml.v3`` -> ``yaml``,
    ``.../v2`` -> the element before)."""
    if imp.alias:
        return imp.alias
    parts = imp.module.rstrip("/").split("/")
    last = parts[-1]
    if re.fullmatch(r"v\d+", last) and len(parts) > 1:
        last = parts[-2]
    return last.split(".")[0].removeprefix("go-").replace("-", "_")
