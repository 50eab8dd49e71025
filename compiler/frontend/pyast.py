"""Small questions about Python syntax trees, asked by the Python front end (``python.py``).

In: ``ast`` nodes. Out: plain values (dotted names, docstrings, ``__all__``, whether a test is the main
guard, which nodes to walk). Stateless and free of this package's model, so ``python.py`` keeps only the
extractor.
"""

from __future__ import annotations

import ast
import inspect

MAX_CALLEE = 120  # longest callee text kept; longer chains are generated code, not a call to resolve


def header_nodes(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> list[ast.AST]:
    if node.__class__ is ast.ClassDef:
        return [*node.bases, *node.keywords]
    args = node.args
    return [*args.defaults, *(d for d in args.kw_defaults if d is not None)]


def block_bodies(stmt: ast.stmt) -> list[list[ast.stmt]]:
    bodies = [getattr(stmt, "body", []), getattr(stmt, "orelse", []), getattr(stmt, "finalbody", [])]
    bodies.extend(handler.body for handler in getattr(stmt, "handlers", []))
    return bodies


def dotted_name(node: ast.AST) -> str | None:
    """``self.transport.send``, ``os.path.join``, ``Path().read_text``; None for lambdas and the like."""
    parts: list[str] = []
    while True:
        cls = node.__class__
        if cls is ast.Name:
            parts.append(node.id)
            break
        if cls is ast.Attribute:
            parts.append(node.attr)
            node = node.value
        elif cls is ast.Call:
            parts.append("()")
            node = node.func
        elif cls is ast.Subscript:
            parts.append("[]")
            node = node.value
        else:
            return None
    text = ""
    for part in reversed(parts):
        text += part if part in ("()", "[]") or not text else "." + part
    return text if len(text) <= MAX_CALLEE else None


def literal_all(body: list[ast.stmt]) -> tuple[str, ...] | None:
    """``__all__`` when every assignment to it is a literal list/tuple of strings, else None."""
    names: list[str] = []
    found = False
    for stmt in body:
        cls = stmt.__class__
        if cls is ast.Assign and any(t.__class__ is ast.Name and t.id == "__all__" for t in stmt.targets):
            value = stmt.value
            names = []
        elif cls is ast.AnnAssign and stmt.target.__class__ is ast.Name and stmt.target.id == "__all__":
            value = stmt.value
            names = []
        elif cls is ast.AugAssign and stmt.target.__class__ is ast.Name and stmt.target.id == "__all__":
            value = stmt.value
        else:
            continue
        if value.__class__ not in (ast.List, ast.Tuple) or not all(is_string(e) for e in value.elts):
            return None
        names.extend(e.value for e in value.elts)
        found = True
    return tuple(names) if found else None


def docstring(node: ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> str:
    """``ast.getdocstring(node) or ""``, without its type checks, and without ``inspect.cleandoc``
    for a one-line docstring (which it would only expand tabs in and left-strip)."""
    body = node.body
    if not body or body[0].__class__ is not ast.Expr:
        return ""
    value = body[0].value
    if value.__class__ is not ast.Constant or value.value.__class__ is not str:
        return ""
    text = value.value
    if "\n" not in text:
        return text.expandtabs().lstrip()
    return inspect.cleandoc(text)


def is_string(node: ast.AST | None) -> bool:
    return node.__class__ is ast.Constant and isinstance(node.value, str)


def is_main_guard(test: ast.expr) -> bool:
    """``if __name__ == "__main__":`` (either order)."""
    if test.__class__ is not ast.Compare or len(test.ops) != 1 or test.ops[0].__class__ is not ast.Eq:
        return False
    sides = (test.left, test.comparators[0])
    return any(s.__class__ is ast.Name and s.id == "__name__" for s in sides) and any(
        is_string(s) and s.value == "__main__" for s in sides
    )


def public_name(name: str) -> bool:
    """A name a user of the module may use: no leading underscore, or a dunder."""
    return not name.startswith("_") or (name.startswith("__") and name.endswith("__"))
