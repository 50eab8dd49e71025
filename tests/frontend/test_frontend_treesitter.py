"""JavaScript, TypeScript and Go facts from tree-sitter."""

from __future__ import annotations

from compiler.frontend import parse_file
from compiler.model import SourceFile
from kctest.frontend_files import symbols_by_id


def facts_of(text: str, path: str, language: str):
    return parse_file(SourceFile(path, language, len(text), "0" * 64), text.encode())


def test_commonjs_assignment_styles_define_symbols(repo_facts):
    facts = repo_facts("jsapp")
    app = symbols_by_id(facts["lib/application.js"])
    assert app["lib.application.createApp"].kind == "function"
    handle = app["lib.application.proto.handle"]  # proto.handle = function handle(req, res) {}
    assert (handle.kind, handle.parent) == ("method", "lib.application.proto")
    assert handle.signature == "proto.handle = function handle(req, res, callback)"
    assert handle.doc.startswith("Dispatch a request through the router; unmatched requests get a 404.")
    assert "@param {IncomingMessage} req" in handle.doc
    assert app["lib.application.Router"].signature == "exports.Router = function createRouter()"  # exports.foo =
    assert facts["lib/application.js"].exports == (
        "createApp",
        "Router",
        "proto",
        "methods",
    )  # module.exports = createApp

    route = symbols_by_id(facts["lib/router/route.js"])
    dispatch = route["lib.router.route.Route.dispatch"]  # Route.prototype.dispatch = ...
    assert (dispatch.kind, dispatch.parent, dispatch.lines) == ("method", "lib.router.route.Route", (21, 33))
    response = symbols_by_id(facts["lib/response.js"])
    assert response["lib.response.res.send"].parent == "lib.response.res"  # var res = module.exports = ...
    assert facts["lib/response.js"].exports == ("res",)
    request = symbols_by_id(facts["lib/request.js"])
    assert request["lib.request.isJson"].signature == "const isJson = (req)"  # arrow function assigned to const


def test_commonjs_imports_and_calls(repo_facts):
    facts = repo_facts("jsapp")
    router = facts["lib/router/index.js"]
    assert {(i.module, i.alias) for i in router.imports} == {("./layer", "Layer"), ("./route", "Route")}
    calls = {(c.caller, c.callee) for c in router.calls}
    assert ("lib.router.index.Router.handle", "layer.handleRequest") in calls
    assert ("lib.router.index.Router.route", "Route") in calls  # new Route(path)
    assert ("lib.router.index.Router.route", "route.dispatch.bind") in calls
    app_calls = {(c.caller, c.callee) for c in facts["lib/application.js"].calls}
    assert ("lib.application.proto.handle", "this.router.handle") in app_calls


def test_es_module_and_typescript_definitions(repo_facts):
    facts = repo_facts("jsapp")
    esm = facts["src/middleware.mjs"]
    symbols = symbols_by_id(esm)
    assert symbols["src.middleware.HealthCheck"].kind == "class"
    assert symbols["src.middleware.HealthCheck.mount"].kind == "method"
    assert symbols["src.middleware.logger"].doc.startswith("Log each request's method, URL and duration.")
    assert symbols["src.middleware"].doc == "Ready-made middleware, as an ES module."
    assert esm.exports == ("logger", "HealthCheck", "withHealth", "default")
    assert {(i.module, i.names, i.alias) for i in esm.imports} == {
        ("node:perf_hooks", ("performance",), None),
        ("../lib/application.js", ("default",), "createApp"),
    }
    ts = symbols_by_id(facts["src/types.ts"])
    assert (ts["src.types.LayerOptions"].kind, ts["src.types.LayerOptions"].signature) == (
        "interface",
        "interface LayerOptions",
    )
    assert ts["src.types.Next"].kind == "type"
    assert ts["src.types.Next"].signature == "type Next = (err?: Error) => void;"
    assert ts["src.types.Method"].signature == "enum Method"
    assert ts["src.types.RouteTable.add"].signature == "add(method: Method, path: string, handler: Handler): this"
    assert ts["src.types.RouteTable.add"].doc == "Register `handler` for `method` on `path`."


def test_js_entry_points(repo_facts):
    facts = repo_facts("jsapp")
    entry = {path for path, f in facts.items() if f.is_entry_point}
    assert entry == {"index.js", "bin/serve.js"}


def test_go_package_ids_methods_and_doc_comments(repo_facts):
    facts = repo_facts("goapp")
    store = facts["kvstore.go"]
    symbols = symbols_by_id(store)
    assert store.module == "kvstore"
    assert symbols["kvstore"].doc.startswith("Package kvstore is a tiny durable key-value store")
    get = symbols["kvstore.Store.Get"]
    assert (get.kind, get.parent, get.signature) == (
        "method",
        "kvstore.Store",
        "func (s *Store) Get(key string) (string, error)",
    )
    assert get.doc == "Get returns the value stored under key, or ErrNotFound."
    assert symbols["kvstore.Store"].kind == "class" and symbols["kvstore.Store"].signature == "type Store struct"
    assert (
        symbols["kvstore.Store"].doc
        == "Store is a key-value store backed by a write-ahead log.\nIt is safe for concurrent use."
    )
    assert symbols["kvstore.Getter"].kind == "interface"
    assert symbols["kvstore.Store.replay"].public is False
    assert {i.module for i in store.imports} == {"errors", "sync", "example.com/kvstore/internal/wal"}
    assert ("kvstore.Store.Set", "s.log.Append") in {(c.caller, c.callee) for c in store.calls}
    wal = symbols_by_id(facts["internal/wal/wal.go"])
    assert facts["internal/wal/wal.go"].module == "internal.wal"
    assert wal["internal.wal.Log.Append"].parent == "internal.wal.Log"
    assert wal["internal.wal.OpSet"].doc == "The operations a log can hold."  # the const block's comment
    main = facts["cmd/kvstore/main.go"]
    assert main.module == "cmd.kvstore" and main.is_entry_point
    assert not store.is_entry_point


def test_go_ids_stay_unique_across_files_of_a_package():
    first = facts_of("package util\n\nfunc init() {}\n\nvar _ = 1\n\nfunc A() {}\n", "util/a.go", "go")
    second = facts_of("package util\n\nfunc init() {}\n\nfunc B() {}\n", "util/b.go", "go")
    ids_a = {s.id for s in first.symbols if s.kind != "module"}
    ids_b = {s.id for s in second.symbols if s.kind != "module"}
    assert ids_a == {"util.init.a", "util.A"} and ids_b == {"util.init.b", "util.B"}
    assert first.module == second.module == "util"


def test_go_generic_receivers_and_embedded_types():
    text = "package set\n\ntype Set[T comparable] struct {\n\tBase\n\t*Inner\n\titems map[T]struct{}\n}\n\nfunc (s *Set[T]) Add(v T) {}\n"
    symbols = symbols_by_id(facts_of(text, "set/set.go", "go"))
    assert symbols["set.Set"].bases == ("Base", "Inner")
    assert symbols["set.Set"].signature == "type Set[T comparable] struct"
    assert symbols["set.Set.Add"].parent == "set.Set"


def test_syntax_errors_report_the_first_bad_line_and_keep_what_parsed(repo_facts):
    facts = repo_facts("broken")["bad.js"]
    assert [(d.code, d.line) for d in facts.diagnostics] == [("syntax-error", 5)]
    assert "bad.ok" in {s.id for s in facts.symbols}
    broken_go = facts_of("package x\n\nfunc Good() {}\n\nfunc Bad( {\n", "x/x.go", "go")
    assert [d.line for d in broken_go.diagnostics] == [5]
    assert "x.Good" in {s.id for s in broken_go.symbols}


JSDOC_WITH_BLANK_LINES = """\
/**
 * @license MIT
 * Router for tiny apps.
 */

function first() {}

'use strict';

/**
 * Module variables.
 * @private
 */

var slice = Array.prototype.slice;
var toString = Object.prototype.toString;

/**
 * Send a response.
 *
 * @param {string} body
 * @public
 */

res.send = function send(body) {};

/* a plain block comment, maybe commented-out code */

function plain() {}

/** Two blank lines are too far. */


function far() {}
"""


def test_jsdoc_one_blank_line_above_documents_the_definition():
    facts = facts_of("var res = {};\n" + JSDOC_WITH_BLANK_LINES, "lib/response.js", "javascript")
    symbols = symbols_by_id(facts)
    assert symbols["lib.response.res.send"].doc.startswith("Send a response.")  # express's style
    assert "@param {string} body" in symbols["lib.response.res.send"].doc
    assert symbols["lib.response.plain"].doc == ""  # only /** */ blocks are docs
    assert symbols["lib.response.far"].doc == ""
    assert symbols["lib.response.slice"].doc == ""  # a title over a run of declarations, not slice's doc
    assert symbols["lib.response.first"].doc == ""  # a licence block is the file's, never a definition's
    opening = facts_of(JSDOC_WITH_BLANK_LINES, "lib/router.js", "javascript")
    assert symbols_by_id(opening)["lib.router.first"].doc == ""  # the file's opening block is its own doc
    assert "Router for tiny apps." in symbols_by_id(opening)["lib.router"].doc


GETTERS = """\
var req = Object.create(http.IncomingMessage.prototype);

/**
 * Return the remote address.
 */

defineGetter(req, 'ip', function ip() {
  return proxyaddr(this, trust);
});

defineGetter(req, 'fresh', function () {
  return fresh(this.headers);
});

defineGetter(req, 'host', deprecate.function(function host() {
  return this.hostname;
}, 'req.host: Use req.hostname instead'));

Object.defineProperty(req, 'secure', {
  configurable: true,
  get: function () { return this.protocol === 'https'; }
});

Object.defineProperties(Route.prototype, {
  path: { get() { return this._path; } },
  size: { value: 3 }
});

Object.defineProperty(exports, 'version', { get: function () { return '1.0'; } });

app.get('/users', function (req, res) {});
emitter.on('close', function onClose() {});

function defineGetter(obj, name, getter) {
  Object.defineProperty(obj, name, { configurable: true, enumerable: true, get: getter });
}
"""


def test_properties_defined_by_calls_are_members():
    facts = facts_of("function Route() {}\n" + GETTERS, "lib/request.js", "javascript")
    symbols = symbols_by_id(facts)
    ip = symbols["lib.request.req.ip"]  # like req.get = function, which is lib.request.req.get
    assert (ip.kind, ip.parent, ip.name) == ("method", "lib.request.req", "ip")
    assert ip.signature == "defineGetter(req, 'ip', function ip()"
    assert ip.doc == "Return the remote address."
    assert symbols["lib.request.req.fresh"].kind == "method"  # an anonymous getter takes the property's name
    assert symbols["lib.request.req.host"].lines[0] < symbols["lib.request.req.secure"].lines[0]  # a wrapped getter
    assert symbols["lib.request.req.secure"].parent == "lib.request.req"  # Object.defineProperty + descriptor
    assert symbols["lib.request.Route.path"].parent == "lib.request.Route"  # defineProperties on a prototype
    assert "lib.request.Route.size" not in symbols  # a plain value defines no code
    assert symbols["lib.request.version"].kind == "function"  # defined on exports: the module itself
    assert not any(
        s.id.endswith(("users", "close", "onClose")) for s in facts.symbols
    )  # routes and listeners are calls
    calls = {(c.caller, c.callee) for c in facts.calls}
    assert ("lib.request.req.ip", "proxyaddr") in calls  # the getter's body is its own scope
