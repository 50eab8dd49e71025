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
    types = facts_of("declare function fastify(opts?: object): object\nexport default fastify\n", "fastify.d.ts", "typescript")
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
