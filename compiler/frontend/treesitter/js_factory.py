"""What a JavaScript factory function exposes: the functions it puts on the object it builds.

In: the body of a function (a ``statement_block``, or an arrow function's ``({ ... })``).
Out: ``Exposed`` members, in source order: the functions the body makes reachable from outside as
properties of the object it returns, or of ``this`` for a function that may be called with ``new``:

* an object literal returned (``return { get() {}, addHook }``) or held by a name the body returns
  (``const app = { ... }; return app``): its methods, its ``key: function () {}`` members, and its
  shorthand ``{ addHook }`` or ``key: addHook`` members that name a function declared in the body;
* an assignment onto that name or onto ``this`` (``app.listen = listen``, ``this.x = function () {}``).

A function declared in the body that none of these names stays a private helper and is not
returned. Only the body's own statements are read (not nested blocks), so the cost is linear.
``javascript.py`` decides what an exposed member is called (``<factory id>.<property>``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from compiler.frontend.treesitter.js_values import function_value

if TYPE_CHECKING:
    from tree_sitter import Node

    from compiler.frontend.treesitter.walker import Extractor

__all__ = ["Exposed", "exposed_functions"]

_DECLARATIONS = ("function_declaration", "generator_function_declaration")
_KEYS = ("property_identifier", "string", "identifier")
# Functions whose ``this`` is the object ``new`` builds (an arrow function or a method has another ``this``).
_CONSTRUCTIBLE = ("function_declaration", "function_expression", "function")


@dataclass(frozen=True)
class Exposed:
    """One function a factory exposes: the property's name, where it is written, what it runs."""

    name: str
    span: Node  # the lines the symbol covers: the inner declaration, or the member / assignment
    function: Node  # the function node (its calls belong to the member)
    body: Node | None


def exposed_functions(extractor: Extractor, function: Node, body: Node | None) -> list[Exposed]:
    """The functions ``function`` (whose body is ``body``) exposes on the object it returns or on ``this``."""
    if body is None:
        return []
    if body.type == "parenthesized_expression":  # () => ({ ... })
        inner = body.named_children[0] if body.named_child_count == 1 else None
        return _Collector(extractor, {}).members(inner) if inner is not None and inner.type == "object" else []
    if body.type != "statement_block":
        return []
    statements = extractor.named_children(body)
    inner_functions: dict[str, tuple[Node, Node]] = {}  # name -> (its statement, its function node)
    returned: set[str] = {"this"} if function.type in _CONSTRUCTIBLE else set()
    returns_object = False
    for statement in statements:
        if statement.type in _DECLARATIONS:
            name = extractor.text(statement.child_by_field_name("name"))
            inner_functions.setdefault(name, (statement, statement))
        elif statement.type in ("lexical_declaration", "variable_declaration"):
            for declarator in statement.named_children:
                value = function_value(declarator.child_by_field_name("value"))
                name_node = declarator.child_by_field_name("name")
                if value is not None and name_node is not None and name_node.type == "identifier":
                    inner_functions.setdefault(extractor.text(name_node), (statement, value))
        elif statement.type == "return_statement" and statement.named_child_count:
            value = statement.named_children[0]
            if value.type == "identifier":
                returned.add(extractor.text(value))
            returns_object = returns_object or value.type == "object"
    if not returns_object and not returned:
        return []
    collector = _Collector(extractor, inner_functions)
    found: list[Exposed] = []
    for statement in statements:
        if statement.type in ("lexical_declaration", "variable_declaration"):
            for declarator in statement.named_children:
                name_node = declarator.child_by_field_name("name")
                value = declarator.child_by_field_name("value")
                if name_node is not None and value is not None and value.type == "object":
                    if extractor.text(name_node) in returned:
                        found.extend(collector.members(value))
        elif statement.type == "expression_statement" and statement.named_child_count:
            found.extend(collector.assignment(statement, returned))
        elif statement.type == "return_statement" and statement.named_child_count:
            value = statement.named_children[0]
            if value.type == "object":
                found.extend(collector.members(value))
    return found


@dataclass
class _Collector:
    """Reads members and assignments against the functions declared in the factory's body."""

    extractor: Extractor
    inner_functions: dict[str, tuple[Node, Node]]

    def __post_init__(self) -> None:
        self.taken: set[int] = set()  # function nodes already exposed (under their first name)

    def members(self, obj: Node) -> list[Exposed]:
        found = []
        for member in self.extractor.named_children(obj):
            if member.type == "method_definition":
                name = self.extractor.text(member.child_by_field_name("name"))
                found.extend(self._take(name, member, member))
            elif member.type == "pair":
                key = member.child_by_field_name("key")
                if key is not None and key.type in _KEYS:
                    found.extend(self._value(self.extractor.text(key).strip("'\""), member, member))
            elif member.type == "shorthand_property_identifier":
                name = self.extractor.text(member)
                found.extend(self._inner(name, name))
        return found

    def assignment(self, statement: Node, owners: set[str]) -> list[Exposed]:
        """``app.key = function () {}`` or ``app.key = helper`` with ``app`` in ``owners``."""
        expression = statement.named_children[0]
        if expression.type != "assignment_expression":
            return []
        left = expression.child_by_field_name("left")
        if left is None or left.type != "member_expression":
            return []
        target = left.child_by_field_name("object")
        prop = left.child_by_field_name("property")
        if target is None or prop is None or target.type not in ("identifier", "this"):
            return []
        if self.extractor.text(target) not in owners:
            return []
        return self._value(self.extractor.text(prop), statement, expression)

    def _value(self, name: str, span: Node, holder: Node) -> list[Exposed]:
        """A member whose value is ``holder``'s ``value`` (a pair) or ``right`` (an assignment)."""
        value = holder.child_by_field_name("value") or holder.child_by_field_name("right")
        if value is None:
            return []
        if value.type == "identifier":
            return self._inner(name, self.extractor.text(value))
        function = function_value(value)
        return self._take(name, span, function) if function is not None else []

    def _inner(self, name: str, local: str) -> list[Exposed]:
        declared = self.inner_functions.get(local)
        return self._take(name, declared[0], declared[1]) if declared is not None else []

    def _take(self, name: str, span: Node, function: Node) -> list[Exposed]:
        if not name or function.id in self.taken:
            return []
        self.taken.add(function.id)
        return [Exposed(name, span, function, function.child_by_field_name("body"))]
