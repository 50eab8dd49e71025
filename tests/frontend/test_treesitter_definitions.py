"""Definitions real npm and Go code writes that must each be one symbol, with its own id and real lines."""

from __future__ import annotations

from compiler.frontend import parse_file
from compiler.frontend.treesitter import js_module_id
from compiler.model import SourceFile
from kctest.frontend_files import symbols_by_id


def facts_of(text: str, path: str, language: str = "javascript"):
    return parse_file(SourceFile(path, language, len(text), "0" * 64), text.encode())


def shape(symbol):
    return (symbol.kind, symbol.lines, symbol.signature)


def test_a_declaration_file_never_takes_the_id_of_the_code_beside_it():
    code = facts_of("function fastify (options) {\n  return {}\n}\nmodule.exports = fastify\n", "fastify.js")
    types = facts_of(
        "declare function fastify(opts?: object): object\nexport default fastify\n", "fastify.d.ts", "typescript"
    )
    assert code.module == "fastify" and types.module == "fastify.d"
    assert "fastify.fastify" in symbols_by_id(code)
    assert "fastify.d.fastify" in symbols_by_id(types)
    assert symbols_by_id(types)["fastify.d"].name == "fastify.d"
    assert js_module_id("types/index.d.mts") == "types.index.d"
    assert js_module_id("lib/router/index.js") == "lib.router.index"


def test_functions_behind_a_condition_or_in_parentheses_are_functions():
    text = (
        "const composeSignals = (signals, timeout) => {\n  return signals\n}\n\n"
        "export const fetchIt = async () => {\n  return 1\n}\n\n"
        "const httpAdapter = isHttpAdapterSupported && function httpAdapter(config) {\n  return config\n}\n\n"
        "const pick = fast ? function quick() {} : slow\n"
        "const wrapped = (function () {\n  return 2\n})\n"
        "const sum = a + b\n"
    )
    symbols = symbols_by_id(facts_of(text, "lib/adapters.js"))
    assert shape(symbols["lib.adapters.composeSignals"]) == (
        "function",
        (1, 3),
        "const composeSignals = (signals, timeout)",
    )
    assert shape(symbols["lib.adapters.fetchIt"]) == ("function", (5, 7), "const fetchIt = async ()")
    adapter = symbols["lib.adapters.httpAdapter"]
    assert (adapter.kind, adapter.lines) == ("function", (9, 11))
    assert adapter.signature == "const httpAdapter = isHttpAdapterSupported && function httpAdapter(config)"
    assert symbols["lib.adapters.pick"].kind == "function"
    assert symbols["lib.adapters.wrapped"].kind == "function"
    assert symbols["lib.adapters.sum"].kind == "variable"  # arithmetic is not a function


def test_functions_assigned_to_exports_keep_the_statement_as_their_signature():
    text = "/** Merge b into a. */\nmodule.exports = function override(a, b) {\n  return a\n}\n"
    facts = facts_of(text, "lib/override.js")
    override = symbols_by_id(facts)["lib.override.override"]
    assert shape(override) == ("function", (2, 4), "module.exports = function override(a, b)")
    assert override.doc == "Merge b into a."
    assert facts.exports == ("override",)
    anonymous = facts_of("module.exports = function (a) {\n  return a\n}\n", "lib/helpers/index.js")
    assert shape(symbols_by_id(anonymous)["lib.helpers.index.helpers"]) == (
        "function",
        (1, 3),
        "module.exports = function (a)",
    )
    member = symbols_by_id(facts_of("exports.x = flag || function () {\n  return 1\n}\n", "lib/x.js"))
    assert shape(member["lib.x.x"]) == ("function", (1, 3), "exports.x = flag || function ()")


def test_methods_of_an_exported_object_literal_are_symbols():
    text = (
        "export default {\n"
        "  transformRequest: [function transformRequest(data, headers) {\n    return data\n  }],\n"
        "  validateStatus: function validateStatus(status) {\n    return status >= 200\n  },\n"
        "  adapter: ['xhr', 'http'],\n"
        "  handlers: [function a() {}, function b() {}]\n"
        "}\n"
    )
    facts = facts_of(text, "lib/defaults/index.js")
    symbols = symbols_by_id(facts)
    transform = symbols["lib.defaults.index.transformRequest"]
    assert (transform.kind, transform.lines, transform.parent) == ("function", (2, 4), "lib.defaults.index")
    assert symbols["lib.defaults.index.validateStatus"].lines == (5, 7)
    assert "lib.defaults.index.adapter" not in symbols and "lib.defaults.index.handlers" not in symbols
    assert {"transformRequest", "validateStatus"} <= set(facts.exports)
    named = symbols_by_id(facts_of("const defaults = {\n  t: [function t(d) {\n    return d\n  }]\n}\n", "d.js"))
    assert (named["d.defaults.t"].kind, named["d.defaults.t"].lines) == ("method", (2, 4))


def test_default_exports_are_symbols_named_after_the_file_when_anonymous():
    anonymous = facts_of("export default function (a) {\n  return a\n}\n", "lib/bind.js")
    assert shape(symbols_by_id(anonymous)["lib.bind.bind"]) == ("function", (1, 3), "export default function (a)")
    assert anonymous.exports == ("default", "bind")
    arrow = facts_of("// Add one.\nexport default (a) => a + 1\n", "src/helpers/index.mjs")
    plus = symbols_by_id(arrow)["src.helpers.index.helpers"]
    assert (plus.kind, plus.lines, plus.doc) == ("function", (2, 2), "Add one.")
    klass = facts_of("export default class {\n  run() {}\n}\n", "src/Runner.js")
    assert symbols_by_id(klass)["src.Runner.Runner.run"].kind == "method"
    named = facts_of("export default function bind(fn) {\n  return fn\n}\n", "lib/helpers/bind.js")
    assert symbols_by_id(named)["lib.helpers.bind.bind"].lines == (1, 3)
    assert named.exports == ("default", "bind")


def test_go_definitions_of_one_name_in_build_tagged_files_are_each_a_symbol():
    body = '\n\nimport "io"\n\nfunc checkIfTerminal(w io.Writer) bool {\n\treturn true\n}\n'
    files = {
        "terminal_check_notappengine.go": "// +build !appengine,!js,!windows,!nacl,!plan9\n\npackage logrus" + body,
        "terminal_check_appengine.go": "// +build appengine\n\npackage logrus" + body,
        "terminal_check_windows.go": "//go:build !appengine && !js && windows\n\npackage logrus" + body,
        "terminal_check_solaris.go": "package logrus" + body,  # the file name constrains it
        "terminal_check_bsd.go": "// +build darwin dragonfly freebsd netbsd openbsd\n// +build !js\n\npackage logrus"
        + body,
        "terminal_check_unix.go": "//go:build (linux || aix) && !js && go1.17\n\npackage logrus" + body,
    }
    ids = {}
    for path, text in files.items():
        facts = facts_of(text, path, "go")
        (symbol,) = [s for s in facts.symbols if s.kind != "module"]
        start = text.split("\n").index("func checkIfTerminal(w io.Writer) bool {") + 1
        assert (symbol.name, symbol.path, symbol.lines) == ("checkIfTerminal", path, (start, start + 2))
        ids[path] = symbol.id
        assert facts.module == "logrus"
    assert ids["terminal_check_notappengine.go"] == "logrus.checkIfTerminal"  # builds on linux/amd64
    assert ids["terminal_check_unix.go"] == "logrus.checkIfTerminal"
    assert ids["terminal_check_appengine.go"] == "logrus.terminal_check_appengine.checkIfTerminal"
    assert ids["terminal_check_windows.go"] == "logrus.terminal_check_windows.checkIfTerminal"
    assert ids["terminal_check_solaris.go"] == "logrus.terminal_check_solaris.checkIfTerminal"
    assert ids["terminal_check_bsd.go"] == "logrus.terminal_check_bsd.checkIfTerminal"


def test_go_build_rules_follow_go_build():
    from compiler.frontend.treesitter.go_build import builds_by_default

    assert builds_by_default("a/x.go", "")
    assert builds_by_default("a/linux.go", "")  # a name without an underscore never constrains
    assert builds_by_default("a/x_linux_amd64_test.go", "")
    assert not builds_by_default("a/x_darwin_amd64.go", "")
    assert not builds_by_default("a/x_arm64.go", "")
    assert builds_by_default("a/x_unix.go", "")  # unix is a tag, not a GOOS: names do not carry it
    assert not builds_by_default("a/x.go", "//go:build ignore")
    assert builds_by_default("a/x.go", "//go:build !(windows || plan9) && cgo")
    assert not builds_by_default("a/x.go", "//go:build !linux || (amd64 && !unix)")
    assert builds_by_default("a/x.go", "// +build linux,cgo darwin")
    assert not builds_by_default("a/x.go", "// +build linux\n// +build purego")
    assert builds_by_default("a/x.go", "//go:build linux &&")  # unreadable: builds
    assert builds_by_default("a/x.go", "// Package x does things.")


def test_go_methods_and_types_of_a_left_out_file_get_its_stem():
    text = (
        "//go:build windows\n\npackage term\n\nfunc (s *state) Restore() {}\n\ntype state struct{}\n\n"
        "func (o *Other) Close() {}\n\nconst mode = 1\n"
    )
    symbols = symbols_by_id(facts_of(text, "term/term_windows.go", "go"))
    assert set(symbols) == {
        "term",
        "term.term_windows.state",
        "term.term_windows.state.Restore",
        "term.term_windows.Other.Close",
        "term.term_windows.mode",
    }
    assert symbols["term.term_windows.state.Restore"].parent == "term.term_windows.state"  # declared below it
    assert symbols["term.term_windows.Other.Close"].parent == "term.Other"  # a type of the package
    assert symbols["term.term_windows.mode"].name == "mode"


FACTORY = """'use strict'

/** Build an app. */
function createApp (options) {
  const app = {
    /** Answer GET requests. */
    get: function _get (url, handler) {
      return route('GET', url, handler)
    },
    addHook,
    use: useIt,
    name: 'app',
    decorate: helpers.add,
    ready () {
      return privateHelper()
    }
  }

  app.listen = listen

  return app

  /**
   * Add a hook.
   */
  function addHook (name, fn) {
    return privateHelper()
  }

  function useIt (plugin) {
    addHook('plugin', plugin)
  }

  function listen (port) {
    return port
  }

  function route (method, url, handler) {
    return privateHelper(method)
  }

  function privateHelper () {
    return 1
  }
}

function Emitter () {
  this.on = function on (event) { return event }
  function hidden () {}
}

const makeStore = () => ({
  load () { return 1 },
  save: (x) => x
})

function configure (options) {
  function unused () {}
  const local = { run () {} }
  return options
}

module.exports = createApp
"""


def test_functions_a_factory_exposes_are_its_members_and_its_helpers_stay_out():
    symbols = symbols_by_id(facts_of(FACTORY, "lib/app.js"))
    members = {i for i, s in symbols.items() if s.kind == "method"}
    assert members == {
        "lib.app.createApp.get",  # a function written as the member's value
        "lib.app.createApp.addHook",  # shorthand for a function declared in the factory
        "lib.app.createApp.use",  # key: innerFunction
        "lib.app.createApp.ready",  # a method of the returned literal
        "lib.app.createApp.listen",  # assigned onto the returned object
        "lib.app.Emitter.on",  # assigned onto ``this`` in a constructor function
        "lib.app.makeStore.load",  # () => ({ ... })
        "lib.app.makeStore.save",
    }
    # helpers the factory keeps to itself, and what a function builds but does not return, stay out
    assert not {i for i in symbols if i.rsplit(".", 1)[-1] in ("route", "privateHelper", "hidden", "unused", "run")}
    assert "lib.app.createApp.decorate" not in symbols and "lib.app.createApp.name" not in symbols
    get = symbols["lib.app.createApp.get"]
    assert shape(get) == ("method", (7, 9), "get: function _get (url, handler)")
    assert get.doc == "Answer GET requests." and get.parent == "lib.app.createApp"
    add_hook = symbols["lib.app.createApp.addHook"]  # the declaration's own lines, signature and JSDoc
    assert shape(add_hook) == ("method", (26, 28), "function addHook (name, fn)")
    assert add_hook.doc == "Add a hook."
    assert symbols["lib.app.createApp.use"].signature == "function useIt (plugin)"
    assert symbols["lib.app.createApp"].lines == (4, 45)


def test_a_factory_members_calls_are_its_own():
    calls = {(c.caller, c.callee) for c in facts_of(FACTORY, "lib/app.js").calls if not c.reference}
    assert ("lib.app.createApp.get", "route") in calls
    assert ("lib.app.createApp.addHook", "privateHelper") in calls
    assert ("lib.app.createApp.use", "addHook") in calls
    assert ("lib.app.createApp", "privateHelper") in calls  # from route, a helper: the factory's own
