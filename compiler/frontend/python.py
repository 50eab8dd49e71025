"""Python front end: one ``ast.parse`` per file, turned into symbols, imports and calls.

Ids are dotted module paths: ``pkg/sub/mod.py`` is ``pkg.sub.mod``, ``pkg/__init__.py``
is ``pkg``, and a leading ``src/`` or ``lib/`` folder is dropped unless it is itself a
package (``src/__init__.py`` exists). Definitions inside a module, a class, or a
module-level ``if``/``try``/``with`` block are symbols; functions nested in functions are
not (their calls count for the enclosing symbol). The first definition of a name wins
when a module defines it twice (``if sys.platform == ...: def f ... else: def f``).

Speed matters: this runs on every Python file of a repository, so the AST is visited once,
with a hand-rolled traversal that skips leaves, expression contexts, identifier fields and
callee attribute chains (about 3x cheaper than ``ast.walk``), and signatures are rendered by
slicing the source rather than by ``ast.unparse``. Calls are recorded once per (caller,
callee) pair, at the call the traversal meets first (which, as it goes from the last
statement backwards, is usually the last one in the source).
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Set
from dataclasses import dataclass, field, replace

from compiler.frontend.pyast import (
    MAX_CALLEE,
    block_bodies,
    docstring,
    dotted_name,
    header_nodes,
    is_main_guard,
    is_string,
    literal_all,
    public_name,
)
from compiler.model import Call, Diagnostic, FileFacts, Import, SourceFile, Symbol, make_symbol

__all__ = ["module_id", "parse_python"]

_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
# Blocks whose definitions still belong to the module or class around them.
_BLOCKS = (ast.If, ast.Try, ast.With, ast.AsyncWith, ast.For, ast.AsyncFor, ast.While)
if hasattr(ast, "TryStar"):
    _BLOCKS = (*_BLOCKS, ast.TryStar)
_BLOCK_CLASSES = frozenset(_BLOCKS)  # the parser makes no subclasses: a set lookup does for isinstance
_CONSTANT_NAME = re.compile(r"^_*[A-Z][A-Z0-9_]*$")
_MAX_EXPR = 60  # longest default value / constant value shown in a signature


def module_id(path: str, repo_paths: Set[str] = frozenset()) -> str:
    """The dotted module id of a Python file (``repo_paths`` tells whether ``src/`` is a package)."""
    stem = path.rsplit(".", 1)[0] if path.endswith((".py", ".pyi")) else path
    parts = [p for p in stem.split("/") if p]
    if parts and parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    if len(parts) > 1 and parts[0] in ("src", "lib") and f"{parts[0]}/__init__.py" not in repo_paths:
        parts = parts[1:]
    return ".".join(parts)


def parse_python(source: SourceFile, text: str, repo_paths: Set[str] = frozenset()) -> FileFacts:
    """Facts of one Python file; a file that does not parse gives a diagnostic and no symbols."""
    module = module_id(source.path, repo_paths)
    if "\r" in text:
        # ast counts "\r" and "\r\n" as line ends; normalise so that slicing by line agrees with it.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    line_count = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    base = FileFacts(path=source.path, language="python", module=module, lines=line_count, sha256=source.sha256)
    try:
        tree = ast.parse(text, filename=source.path)
    except SyntaxError as exc:
        line = exc.lineno or _first_nul_line(text)
        return _with_diagnostic(base, line, "syntax-error", f"syntax error: {exc.msg}; the file was left out")
    except (RecursionError, MemoryError):
        # The parser does not say where; the longest line is where generated, deeply nested code lives.
        lines = text.split("\n")
        longest = max(range(len(lines)), key=lambda i: len(lines[i])) + 1 if lines else None
        return _with_diagnostic(
            base,
            longest,
            "recursion-limit",
            f"expressions nested too deeply for the Python parser (probably line {longest}, the longest); "
            "the file was left out",
        )
    except ValueError as exc:  # "source code string cannot contain null bytes"
        return _with_diagnostic(
            base, _first_nul_line(text), "syntax-error", f"cannot parse: {exc}; the file was left out"
        )
    extractor = _Extractor(source.path, module, text)
    extractor.run(tree, line_count)
    stem = source.path.rsplit("/", 1)[-1]
    entry = (
        extractor.has_main_guard
        or stem == "__main__.py"
        or (stem == "__init__.py" and module != "")
        or (module.rsplit(".", 1)[-1] in ("cli", "__main__", "main") and f"{module}.main" in extractor.ids)
    )
    return FileFacts(
        path=source.path,
        language="python",
        module=module,
        lines=line_count,
        sha256=source.sha256,
        symbols=tuple(extractor.symbols),
        imports=tuple(sorted(extractor.imports, key=lambda i: (i.line, i.module, i.names))),
        calls=tuple(sorted(extractor.calls, key=lambda c: (c.line, c.caller, c.callee))),
        exports=extractor.exports,
        is_entry_point=entry,
    )


def _first_nul_line(text: str) -> int | None:
    """Python refuses NUL bytes without saying where they are."""
    return text.count("\n", 0, text.find("\0")) + 1 if "\0" in text else None


def _with_diagnostic(facts: FileFacts, line: int | None, code: str, message: str) -> FileFacts:
    diagnostic = Diagnostic(path=facts.path, line=line, severity="error", code=code, message=message)
    return FileFacts(
        path=facts.path,
        language=facts.language,
        module=facts.module,
        lines=facts.lines,
        sha256=facts.sha256,
        diagnostics=(diagnostic,),
    )


# ---- symbols -------------------------------------------------------------------

_symbol = make_symbol  # Symbol(**values), faster (see compiler.model)


# ---- traversal tables --------------------------------------------------------


def _node_classes() -> list[type]:
    return [c for c in vars(ast).values() if isinstance(c, type) and issubclass(c, ast.AST)]


# Nodes that never contain a call, an import or a definition: not worth visiting.
_LEAVES = frozenset(
    c
    for c in _node_classes()
    if issubclass(c, (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop))
    or c in (ast.Name, ast.Constant, ast.alias, ast.Pass, ast.Break, ast.Continue, ast.Global, ast.Nonlocal)
)
# Fields that never hold a node worth visiting: operators and contexts, and identifiers, numbers
# and flags (``Attribute.attr``, ``keyword.arg``, ``ImportFrom.level``...). Reading them would
# only push strings and ints for the traversal to pop again (a third of all it popped).
_SKIPPED_FIELDS = frozenset(
    {"ctx", "op", "ops", "type_comment", "type_ignores", "tag", "lineno"}
    | {"name", "id", "attr", "arg", "asname", "module", "level", "names", "simple", "conversion", "is_async"}
    | {"kind", "rest", "kwd_attrs", "n", "s"}
)
# The node fields to visit, in ``_fields`` order (the order decides which line a repeated call
# is recorded at); leaves have none.
_CHILD_FIELDS = {
    c: () if c in _LEAVES else tuple(f for f in c._fields if f not in _SKIPPED_FIELDS) for c in _node_classes()
}
# Lists hold nodes, and None (``Dict.keys`` for ``**x``, ``kw_defaults``); a plain dict indexed
# directly is the fastest lookup, so every class a list may hold must be in it.
_CHILD_FIELDS[type(None)] = ()
# What a single-valued field may hold that is worth pushing (not None, a leaf, a str or an int).
_VISITABLE = frozenset(c for c in _node_classes() if c not in _LEAVES)


@dataclass
class _Scope:
    id: str
    kind: str  # module, class, function, method
    public: bool


@dataclass
class _Extractor:
    path: str
    module: str
    text: str
    symbols: list[Symbol] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    exports: tuple[str, ...] | None = None
    has_main_guard: bool = False
    _lines: list[str] = field(default_factory=list)
    _deferred: set[int] = field(default_factory=set)  # id() of definition nodes with their own scope
    _bound: set[str] = field(default_factory=set)  # names the module binds at its top level: see _reference
    _module_classes: set[str] = field(default_factory=set)  # classes defined so far at the top level

    def run(self, tree: ast.Module, line_count: int) -> None:
        self._lines = self.text.split("\n")
        self.exports = literal_all(tree.body)
        module_name = self.module.rsplit(".", 1)[-1]
        module_public = all(public_name(part) for part in self.module.split("."))
        self.symbols.append(
            _symbol(
                id=self.module,
                name=module_name,
                kind="module",
                path=self.path,
                lines=(1, max(line_count, 1)),
                doc=docstring(tree),
                parent=None,
                public=module_public,
            )
        )
        self.ids.add(self.module)
        module_scope = _Scope(self.module, "module", module_public)
        # Each scope's code is visited once; definitions found on the way are queued with their own scope.
        work: list[tuple[list[ast.AST], _Scope]] = [(tree.body, module_scope)]
        self._define(tree.body, module_scope, work)
        self._bound.update(symbol.name for symbol in self.symbols if symbol.parent == self.module)
        while work:
            nodes, scope = work.pop()
            self._visit(nodes, scope, work)

    # ---- definitions ---------------------------------------------------------
    def _define(self, body: list[ast.stmt], scope: _Scope, work: list) -> None:
        """Create symbols for the definitions of a module or class body (and its blocks)."""
        previous: ast.stmt | None = None
        for stmt in body:
            cls = stmt.__class__
            if cls is ast.FunctionDef or cls is ast.AsyncFunctionDef or cls is ast.ClassDef:
                self._define_def(stmt, scope, work)
            elif cls is ast.Assign or cls is ast.AnnAssign:
                self._define_variable(stmt, scope)
                if scope.kind == "class" and stmt.value is not None:  # context_class = Context
                    self._reference(stmt.value, scope, None)
            elif cls is ast.Expr and previous is not None and is_string(stmt.value):
                self._attach_attribute_doc(previous, scope, stmt.value.value)
            elif cls is ast.ImportFrom and scope.kind == "module":  # ``import m`` binds a module: no reference
                self._bound.update(alias.asname or alias.name for alias in stmt.names)
            elif cls in _BLOCK_CLASSES:
                if scope.kind == "module" and cls is ast.If and is_main_guard(stmt.test):
                    self.has_main_guard = True
                for block in block_bodies(stmt):
                    self._define(block, scope, work)
            previous = stmt

    def _define_def(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, scope: _Scope, work: list
    ) -> None:
        name = node.name
        symbol_id = f"{scope.id}.{name}"
        stub_at = None
        if symbol_id in self.ids:
            # ``@overload`` stubs come first; the implementation after them is the symbol
            stub_at = self._overload_stub(symbol_id)
            if stub_at is None:
                return
            if _is_overload(node.decorator_list, self):  # one more stub: one more signature
                stub = self.symbols[stub_at]
                more = self._function_signature(node) if node.__class__ is not ast.ClassDef else ""
                self.symbols[stub_at] = replace(
                    stub, signature=f"{stub.signature}\n{more}", doc=stub.doc or docstring(node)
                )
                return
        public = scope.public and public_name(name)
        if scope.kind == "module" and self.exports is not None:
            public = name in self.exports
        decorator_list = node.decorator_list
        if decorator_list:
            start = min([node.lineno, *(d.lineno for d in decorator_list)])
            decorators = tuple([self._segment(d, 120) for d in decorator_list])
        else:  # most definitions: skip building the generators
            start = node.lineno
            decorators = ()
        if node.__class__ is ast.ClassDef:
            kind = "class"
            bases = tuple(self._segment(b, 120) for b in node.bases)
            keywords = tuple(
                f"{k.arg}={self._segment(k.value, 60)}" if k.arg else f"**{self._segment(k.value, 60)}"
                for k in node.keywords
            )
            signature = (
                f"class {node.name}({', '.join(bases + keywords)})" if bases or keywords else f"class {node.name}"
            )
        else:
            kind = "method" if scope.kind == "class" else "function"
            bases = ()
            signature = self._function_signature(node)
        self.ids.add(symbol_id)
        made = _symbol(
            id=symbol_id, name=node.name, kind=kind, path=self.path, lines=(start, node.end_lineno or node.lineno),
            signature=signature, doc=docstring(node), parent=scope.id, public=public,
            decorators=decorators, bases=bases,
        )  # fmt: skip
        if stub_at is None:
            self.symbols.append(made)
        else:  # the implementation replaces its stubs; their signatures stay in front of its own
            stub = self.symbols[stub_at]
            self.symbols[stub_at] = replace(
                made, signature=f"{stub.signature}\n{signature}", doc=made.doc or stub.doc,
                public=stub.public or public,
            )  # fmt: skip
        inner = _Scope(symbol_id, kind, public)
        if kind == "class":
            if scope.kind == "module":
                self._module_classes.add(node.name)
            self._define(node.body, inner, work)
        # The whole definition (decorators, defaults, bases, body) is visited in its own scope.
        self._deferred.add(id(node))
        work.append(([*decorator_list, *header_nodes(node), *node.body], inner))

    def _overload_stub(self, symbol_id: str) -> int | None:
        """The index of ``symbol_id``'s symbol when it is an ``@overload`` stub (signatures so far), else None."""
        for index in range(len(self.symbols) - 1, -1, -1):
            sym = self.symbols[index]
            if sym.id == symbol_id:
                return index if any(_OVERLOAD.search(d) for d in sym.decorators) else None
        return None

    def _define_variable(self, node: ast.Assign | ast.AnnAssign, scope: _Scope) -> None:
        if node.__class__ is ast.AnnAssign:
            target = node.target
            annotation = node.annotation
        else:
            if len(node.targets) != 1:
                return
            target = node.targets[0]
            annotation = None
        if target.__class__ is not ast.Name or scope.kind not in ("module", "class"):
            return
        name = target.id
        if name.startswith("__") and name.endswith("__"):
            return  # __all__, __slots__, __version__: dunders are machinery, not API
        if annotation is None and not _CONSTANT_NAME.match(name) and not self._module_instance(name, node.value, scope):
            return
        symbol_id = f"{scope.id}.{name}"
        if symbol_id in self.ids:
            return
        public = scope.public and public_name(name)
        if scope.kind == "module" and self.exports is not None:
            public = name in self.exports
        signature = name
        if annotation is not None:
            signature += f": {self._segment(annotation, _MAX_EXPR)}"
        if node.value is not None:
            signature += f" = {self._segment(node.value, _MAX_EXPR)}"
        self.ids.add(symbol_id)
        self.symbols.append(
            _symbol(
                id=symbol_id,
                name=name,
                kind="variable",
                path=self.path,
                lines=(node.lineno, node.end_lineno or node.lineno),
                signature=signature,
                parent=scope.id,
                public=public,
            )
        )

    def _module_instance(self, name: str, value: ast.expr | None, scope: _Scope) -> bool:
        """``stop_never = _stop_never()``: a public module-level instance of a class this module defines is API."""
        if scope.kind != "module" or not public_name(name) or value.__class__ is not ast.Call:
            return False
        func = value.func
        return func.__class__ is ast.Name and func.id in self._module_classes

    def _attach_attribute_doc(self, previous: ast.stmt, scope: _Scope, doc: str) -> None:
        """A string right after ``NAME = value`` documents NAME (the convention Sphinx and griffe follow)."""
        if previous.__class__ not in (ast.Assign, ast.AnnAssign) or not self.symbols:
            return
        last = self.symbols[-1]
        if last.kind == "variable" and last.parent == scope.id and last.lines[0] == previous.lineno and not last.doc:
            self.symbols[-1] = replace(last, doc=inspect.cleandoc(doc))

    def _function_signature(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
        args = node.args
        parts: list[str] = []
        posonly = args.posonlyargs
        positional = [*posonly, *args.args] if posonly else args.args
        defaults = args.defaults
        first_default = len(positional) - len(defaults)  # defaults belong to the last parameters
        for index, arg in enumerate(positional):
            parts.append(self._arg(arg, defaults[index - first_default] if index >= first_default else None))
            if posonly and index == len(posonly) - 1:
                parts.append("/")
        if args.vararg:
            parts.append("*" + self._arg(args.vararg, None))
        elif args.kwonlyargs:
            parts.append("*")
        for arg, default in zip(args.kwonlyargs, args.kw_defaults):
            parts.append(self._arg(arg, default))
        if args.kwarg:
            parts.append("**" + self._arg(args.kwarg, None))
        prefix = "async def" if node.__class__ is ast.AsyncFunctionDef else "def"
        signature = f"{prefix} {node.name}({', '.join(parts)})"
        if node.returns is not None:
            signature += f" -> {self._segment(node.returns, 120)}"
        return signature

    def _arg(self, arg: ast.arg, default: ast.expr | None) -> str:
        text = arg.arg
        if arg.annotation is not None:
            text += f": {self._segment(arg.annotation, 120)}"
            if default is not None:
                text += f" = {self._segment(default, _MAX_EXPR)}"
        elif default is not None:
            text += f"={self._segment(default, _MAX_EXPR)}"
        return text

    def _segment(self, node: ast.AST, limit: int) -> str:
        """The source text of an expression, on one line, ``...`` when longer than ``limit``."""
        start, end = node.lineno, node.end_lineno
        if end is None or end - start > 20:
            return "..."
        col, end_col = node.col_offset, node.end_col_offset
        if start == end:
            line = self._lines[start - 1]
            text = line[col:end_col] if line.isascii() else line.encode()[col:end_col].decode("utf-8", "replace")
        else:
            chunk = "\n".join(self._lines[start - 1 : end])
            if chunk.isascii():
                last_start = len(chunk) - len(self._lines[end - 1])
                text = chunk[col : last_start + end_col]
            else:
                data = chunk.encode()
                last_start = len(data) - len(self._lines[end - 1].encode())
                text = data[col : last_start + end_col].decode("utf-8", "replace")
            text = " ".join(text.split())
        return text if len(text) <= limit else "..."

    # ---- calls and imports ---------------------------------------------------
    def _visit(self, nodes: list[ast.AST], scope: _Scope, work: list) -> None:
        """Record the calls and imports in ``nodes``; nested symbol definitions are left to ``work``.

        The traversal order is part of the output: a callee called twice in one scope is recorded
        at the call visited first. Nodes are popped from a stack, children pushed in ``_fields``
        order, so the last statement (and within a node, the last child) comes first. Every
        shortcut below skips only nodes that hold no call, import or definition, or visits the
        nodes it keeps in that same order.
        """
        stack = list(nodes)
        pop, push, extend = stack.pop, stack.append, stack.extend
        child_fields, visitable, special = _CHILD_FIELDS, _VISITABLE, _SPECIAL_CLASSES
        call_cls, name_cls, attribute_cls = ast.Call, ast.Name, ast.Attribute
        bound = self._bound
        deferred = self._deferred
        seen: set[str] = set()  # callees recorded so far: _visit runs once per scope
        while stack:
            node = pop()
            cls = node.__class__
            if cls in special:  # one set lookup for the common case: none of these
                if cls is call_cls:
                    # Visit what the callee's attribute chain ends on, then the arguments.
                    callee_base = self._call(node, scope, seen)
                    if callee_base.__class__ in visitable:
                        push(callee_base)
                    extend(node.args)
                    extend(node.keywords)
                    # register(Option), cls=Option, map(helper, xs): the class or function is used, as a value
                    for arg in node.args:
                        arg_cls = arg.__class__
                        if (arg_cls is name_cls and (arg.id in bound or arg.id[:1].isupper())) or (
                            arg_cls is attribute_cls and arg.attr[:1].isupper()
                        ):
                            self._reference(arg, scope, seen)
                    for keyword in node.keywords:
                        self._reference(keyword.value, scope, seen)
                    continue
                if cls is ast.Import or cls is ast.ImportFrom:
                    self._import(node, scope)
                    continue
                elif id(node) in deferred:
                    continue  # a symbol of its own: visited in its own scope
            for name in child_fields[cls]:
                value = getattr(node, name)
                if value.__class__ is list:
                    extend(value)
                elif value.__class__ in visitable:
                    push(value)

    def _call(self, node: ast.Call, scope: _Scope, seen: set[str]) -> ast.expr:
        """Record the call unless ``seen`` has its callee; return the node its callee's attribute
        chain ends on: the chain (``self.client.send``) holds no call, so only that node, when it
        is not a plain name (``Path().read_text``, ``handlers[key]``), is left to visit."""
        base = node.func
        attrs = []
        while base.__class__ is ast.Attribute:
            attrs.append(base.attr)
            base = base.value
        if base.__class__ is ast.Name:
            attrs.append(base.id)
            attrs.reverse()
            callee = ".".join(attrs)
            if len(callee) > MAX_CALLEE:
                callee = None
        else:
            callee = dotted_name(node.func)
        if callee is not None and callee not in seen:
            seen.add(callee)
            self.calls.append(Call(scope.id, callee, self.path, node.lineno))
        return base

    def _reference(self, value: ast.expr, scope: _Scope, seen: set[str] | None) -> None:
        """Record a class or function named as a value as a reference: a capitalised name or ``module.Name``
        (a class), or a lower-case name the module defines or imports at its top level (a function; other
        lower-case names are mostly local variables)."""
        cls = value.__class__
        if cls is ast.Name:
            callee = last = value.id
            if not last[:1].isupper() and last not in self._bound:
                return
        elif cls is ast.Attribute:
            callee = dotted_name(value)
            last = value.attr
            if not last[:1].isupper():
                return
        else:
            return
        if not callee or last.isupper() or len(callee) > MAX_CALLEE:
            return  # an ALL_CAPS constant is no class
        key = "&" + callee
        if seen is not None:
            if key in seen:
                return
            seen.add(key)
        self.calls.append(Call(scope.id, callee, self.path, value.lineno, reference=True))

    def _import(self, node: ast.Import | ast.ImportFrom, scope: _Scope) -> None:
        where = None if scope.kind == "module" else scope.id
        if node.__class__ is ast.Import:
            for alias in node.names:
                self.imports.append(Import(self.path, alias.name, (), node.lineno, alias.asname, where))
            return
        module = self._resolve(node.module, node.level)
        plain = tuple(a.name for a in node.names if not a.asname)
        if plain:
            self.imports.append(Import(self.path, module, plain, node.lineno, None, where))
        for alias in node.names:
            if alias.asname:
                self.imports.append(Import(self.path, module, (alias.name,), node.lineno, alias.asname, where))

    def _resolve(self, name: str | None, level: int) -> str:
        """``from ..x import y`` inside ``a.b.c`` is ``a.x``; beyond the top it stays as written."""
        if not level:
            return name or ""
        package = self.module if self.path.endswith("__init__.py") else self.module.rpartition(".")[0]
        parts = package.split(".") if package else []
        if level - 1 > len(parts) or (level - 1 == len(parts) and not name):
            return "." * level + (name or "")
        base = parts[: len(parts) - (level - 1)]
        if name:
            base.append(name)
        return ".".join(base)


# Nodes that _visit handles before (or instead of) walking their fields.
_SPECIAL_CLASSES = frozenset({ast.Call, ast.Import, ast.ImportFrom, *_DEFS})


_OVERLOAD = re.compile(r"^(?:[\w.]+\.)?overload$")


def _is_overload(decorators: list[ast.expr], extractor) -> bool:
    return any(_OVERLOAD.match(extractor._segment(d, 120)) for d in decorators)
