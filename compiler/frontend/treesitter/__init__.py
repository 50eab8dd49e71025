"""JavaScript, TypeScript, TSX and Go front end, on tree-sitter.

Ids
---
* JavaScript / TypeScript: the module id is the path without its extension, ``/`` -> ``.``
  (``lib/router/index.js`` -> ``lib.router.index``). Definitions hang below it:
  ``lib.router.index.Router``, ``lib.router.route.Route.dispatch`` (``Route.prototype.dispatch
  = ...``; ``prototype`` is dropped), ``lib.application.proto.handle`` (``proto.handle = ...``),
  ``lib.application.Router`` (``exports.Router = ...``: ``exports`` *is* the module).
  A declaration file keeps its ``.d`` (``fastify.d.ts`` -> ``fastify.d``): it would otherwise share
  ``fastify.js``'s id, and one of the two files' definitions would be lost. An anonymous default
  export (``export default function () {}``, ``module.exports = function () {}``) is named after
  its file, or its folder for an index file (``lib/helpers/index.js`` -> ``lib.helpers.index.helpers``).
  Functions count wherever a definition holds one: ``const f = () => {}``, ``const f = ok && function
  f() {}``, ``key: [function key() {}]`` in an object literal (``export default {…}`` included).
  Properties defined by a call are members the same way: ``defineGetter(req, 'ip', function
  ip() {…})`` and ``Object.defineProperty(req, 'ip', {get: …})`` -> ``lib.request.req.ip``.
  A factory's exposed functions are its members: ``function fastify () { const app = { get: function
  _get () {}, addHook }; return app; function addHook () {} }`` -> ``fastify.fastify.get`` and
  ``fastify.fastify.addHook`` (the inner declaration's lines and doc); inner helpers it keeps stay out.
* Go: symbols belong to packages, so the id is the package directory, ``/`` -> ``.``
  (``internal/wal`` -> ``internal.wal``; the repository root directory uses the package
  name), then the name: ``internal.wal.Open``, ``internal.wal.Log.Append`` (methods by
  receiver type). Go forbids two package-level declarations with one name, so these ids are
  unique across the files of a package, with three exceptions handled here: ``func init()``
  may appear in every file (its id is ``pkg.init.<file stem>``, and ``init`` cannot name
  anything else); the blank identifier ``_`` is never a symbol; and files that build
  constraints keep apart may each define a name (``checkIfTerminal`` in
  ``terminal_check_windows.go`` and ``terminal_check_notappengine.go``): a file the default
  build (linux/amd64, ``go_build.py``) leaves out has its stem after the package in its ids
  (``logrus.terminal_check_windows.checkIfTerminal``; a method of a type it declares too). Every file of a package
  has ``FileFacts.module`` = the package id and emits the package's module symbol (the
  analysis keeps the first by path). Structs have kind ``class`` (their embedded types are
  ``bases``), interfaces ``interface``, other named types ``type``.

Doc comments: JSDoc ``/** ... */`` (or a ``//`` block) right above a definition, or a JSDoc
block one blank line above it (unless it opens the file, carries file tags such as ``@license``,
or titles a run of declarations); Go's ``//`` block right above (no blank line between). A syntax error gives one diagnostic at the
first ERROR/MISSING node; everything that did parse is still reported.

Layout: ``walker.py`` holds what the languages share (the extractor base, doc comments, the
linear call walk, call chains described as data), ``javascript.py`` and ``go.py`` one language
each (``js_values.py``: what a JS expression holds; ``js_factory.py``: what a factory exposes; ``go_build.py``: Go's build constraints). Every file gets ``FILE_BUDGET_S`` seconds of walking; a file that takes longer is left
out with a ``file-too-slow`` diagnostic (its line count and hash kept) instead of stalling the build.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from compiler.frontend.treesitter.go import GoExtractor, go_package_id
from compiler.frontend.treesitter.javascript import JsExtractor, js_module_id
from compiler.frontend.treesitter.walker import Budget, Extractor, FileTooSlow, first_error_line
from compiler.model import Diagnostic, FileFacts, SourceFile

if TYPE_CHECKING:
    from tree_sitter import Parser

__all__ = ["FILE_BUDGET_S", "parse_treesitter", "js_module_id", "go_package_id"]

FILE_BUDGET_S = 20.0  # seconds of walking one file may take; the largest real files need well under 1


@cache
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


def parse_treesitter(source: SourceFile, text: str, *, budget_s: float = FILE_BUDGET_S) -> FileFacts:
    """Facts of one JavaScript / TypeScript / TSX / Go file (``budget_s``: seconds the walk may take)."""
    data = text.encode("utf-8")
    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    tree = _parser(source.language).parse(data)
    root = tree.root_node
    extractor_type: type[Extractor] = GoExtractor if source.language == "go" else JsExtractor
    extractor = extractor_type(source, data, budget=Budget(budget_s))
    try:
        extractor.run(root)
    except FileTooSlow as exc:
        return FileFacts(
            path=source.path,
            language=source.language,
            module="",
            lines=lines,
            sha256=source.sha256,
            diagnostics=(
                Diagnostic(
                    source.path,
                    1,
                    "warning",
                    "file-too-slow",
                    f"reading {source.path} {exc} (the per-file budget); the file was left out. "
                    "Generated or minified code is best excluded in kc.toml",
                ),
            ),
        )
    diagnostics = ()
    if root.has_error:
        line = first_error_line(root)
        diagnostics = (
            Diagnostic(
                source.path,
                line,
                "error",
                "syntax-error",
                f"syntax error in {source.language} source; definitions after it may be missing",
            ),
        )
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
