"""What a JavaScript value holds, read from its tree-sitter node: the function an expression evaluates to.

In: an expression node (the right side of a declaration, an assignment, an object member, an argument).
Out: the function or class node that defines what the name holds, or None. The node types and the
expressions looked through are data here; ``javascript.py`` decides what the definition is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Node

    from compiler.frontend.treesitter.walker import Extractor

__all__ = ["CLASS_VALUES", "FUNCTION_VALUES", "descriptor_function", "function_value"]

FUNCTION_VALUES = frozenset({"function_expression", "function", "arrow_function", "generator_function"})
CLASS_VALUES = frozenset({"class", "class_expression"})

# Expressions a defined function may sit in: ``supported && function f() {}``, ``a ? f : function g() {}``,
# ``(function () {})``; ``in_array``: also a one-element list (``transformRequest: [function t() {}]``).
_WRAPPERS = {  # node type -> its fields that may hold the function (a parenthesized one: its only child)
    "binary_expression": ("right", "left"),
    "ternary_expression": ("consequence", "alternative"),
}
_CHOICE_OPERATORS = frozenset({"&&", "||", "??"})


def function_value(node: Node | None, in_array: bool = False) -> Node | None:
    """The function expression ``node`` is or evaluates to (see ``_WRAPPERS``), else None."""
    for _ in range(8):  # a few wrappers deep at most
        if node is None or node.type in FUNCTION_VALUES:
            return node
        kind = node.type
        if kind == "array" and in_array:
            elements = [c for c in node.named_children if c.type != "comment"]
            node = elements[0] if len(elements) == 1 else None
        elif kind == "parenthesized_expression":
            node = node.named_children[0] if node.named_child_count == 1 else None
        elif kind in _WRAPPERS:
            operator = node.child_by_field_name("operator")
            if kind == "binary_expression" and (operator is None or operator.type not in _CHOICE_OPERATORS):
                return None
            options = [node.child_by_field_name(f) for f in _WRAPPERS[kind]]
            node = next((o for o in options if o is not None and o.type in FUNCTION_VALUES), None)
        else:
            return None
    return None


def descriptor_function(extractor: Extractor, node: Node | None) -> Node | None:
    """The function a property definition runs: the value itself, a wrapped function
    (``deprecate.function(function host() {…}, 'msg')``), or a descriptor's ``get``/``value``."""
    if node is None:
        return None
    if node.type in FUNCTION_VALUES:
        return node
    if node.type == "call_expression":
        arguments = node.child_by_field_name("arguments")
        first = arguments.named_children[0] if arguments is not None and arguments.named_child_count else None
        return first if first is not None and first.type in FUNCTION_VALUES else None
    if node.type == "object":
        found = {}
        for member in node.named_children:
            if member.type == "method_definition":
                found.setdefault(extractor.text(member.child_by_field_name("name")), member)
            elif member.type == "pair":
                value = member.child_by_field_name("value")
                if value is not None and value.type in FUNCTION_VALUES:
                    found.setdefault(extractor.text(member.child_by_field_name("key")).strip("'\""), value)
        return found.get("get") or found.get("value")
    return None
