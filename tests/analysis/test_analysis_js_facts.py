"""JavaScript and TypeScript facts the concept map stands on: an overloaded function is its
implementation (its overload signatures kept), a class or function named as a value is a
``references`` edge, and ``this.method()`` reaches a method inherited from the base class."""

import pytest

from compiler.analysis.graph import link
from compiler.frontend import parse_file
from compiler.model import SourceFile

OVERLOADS = """
function helper(x) { return x; }

/** Fetch a URL. */
export function fetch(url: string): string;
export function fetch(url: URL): string;
export function fetch(url: any) {
  return helper(url);
}

declare function ambient(a: string): void;
declare function ambient(a: number): void;

export class Client {
  get(key: number): number;
  get(key: string): string;
  /** Look a key up. */
  get(key: any) {
    return helper(key);
  }
}
"""

VALUES = """
import { Option } from './option';

function helper(x) { return x; }
function register(c) { return c; }

class Context {}
class Extra {}

export class Group {
  static Ctx = Context;

  build(items) {
    this.ctx = Context;
    const made = Extra;
    register(Extra);
    items.map(helper);
    const local = 1;
    register(local);
    return { cls: Option, made };
  }
}

export default Group;
module.exports = { helper, Context };
"""

OPTION = "export class Option {}\n"

INHERITED = """
class Base {
  run() { return 1; }
}

class Sub extends Base {
  go() { return this.run(); }
}
"""


def parse(text: str, path: str, language: str):
    return parse_file(SourceFile(path, language, len(text), "0"), text)


def edges(*files) -> set[tuple[str, str, str]]:
    return {(e.source, e.target, e.kind) for e in link(list(files)).edges}


def test_typescript_overloads_are_one_symbol_the_implementation():
    facts = parse(OVERLOADS, "pkg/net.ts", "typescript")
    symbols = {s.id: s for s in facts.symbols}
    fetch = symbols["pkg.net.fetch"]
    assert fetch.lines == (7, 9)  # the implementation's lines
    assert fetch.doc == "Fetch a URL."  # the first overload's doc when the implementation has none
    assert fetch.signature.splitlines() == [
        "function fetch(url: string): string",
        "function fetch(url: URL): string",
        "function fetch(url: any)",
    ]
    get = symbols["pkg.net.Client.get"]
    assert get.lines == (18, 20) and get.doc == "Look a key up."
    assert get.signature.splitlines() == ["get(key: number): number", "get(key: string): string", "get(key: any)"]
    # declare function with overloads and no implementation: one symbol, every signature
    ambient = symbols["pkg.net.ambient"]
    assert ambient.signature.splitlines() == ["function ambient(a: string): void", "function ambient(a: number): void"]
    assert [s.id for s in facts.symbols].count("pkg.net.ambient") == 1
    assert facts.exports == ("fetch", "Client")


def test_typescript_implementation_calls_are_its_own():
    found = edges(parse(OVERLOADS, "pkg/net.ts", "typescript"))
    assert ("pkg.net.fetch", "pkg.net.helper", "calls") in found
    assert ("pkg.net.Client.get", "pkg.net.helper", "calls") in found


@pytest.mark.parametrize("language,suffix", [("javascript", "js"), ("typescript", "ts")])
def test_classes_and_functions_named_as_values_are_references(language, suffix):
    group = parse(VALUES, f"pkg/group.{suffix}", language)
    option = parse(OPTION, f"pkg/option.{suffix}", language)
    found = edges(group, option)
    references = {(s, t) for s, t, kind in found if kind == "references"}
    assert {
        ("pkg.group.Group", "pkg.group.Context"),  # static Ctx = Context
        ("pkg.group.Group.build", "pkg.group.Context"),  # this.ctx = Context
        ("pkg.group.Group.build", "pkg.group.Extra"),  # const made = Extra; register(Extra)
        ("pkg.group.Group.build", "pkg.group.helper"),  # items.map(helper)
        ("pkg.group.Group.build", "pkg.option.Option"),  # {cls: Option}, imported
        ("pkg.group", "pkg.group.Group"),  # export default Group
        ("pkg.group", "pkg.group.helper"),  # module.exports = { helper, Context }
        ("pkg.group", "pkg.group.Context"),
    } <= references
    assert ("pkg.group.Group.build", "pkg.group.register", "calls") in found
    # a local variable is no reference, and a reference is no call
    calls = {c.callee for c in group.calls if c.reference}
    assert "local" not in calls and "made" not in calls
    assert ("pkg.group.Group.build", "pkg.group.Extra", "calls") not in found


@pytest.mark.parametrize("language,suffix", [("javascript", "js"), ("typescript", "ts")])
def test_this_method_reaches_the_inherited_method(language, suffix):
    found = edges(parse(INHERITED, f"pkg/tree.{suffix}", language))
    assert ("pkg.tree.Sub", "pkg.tree.Base", "inherits") in found
    assert ("pkg.tree.Sub.go", "pkg.tree.Base.run", "calls") in found


FACTORY = """
function createApp () {
  const app = { get, register }
  return app

  function get (url) { return register(url) }
  function register (plugin) { return helper(plugin) }
  function helper (x) { return x }
}

module.exports = createApp
"""

FACTORY_USER = """
const createApp = require('./app')
function main () {
  const app = createApp()
  app.get('/')
}
"""


def test_a_factory_members_are_linked_to_what_they_call_and_to_their_callers():
    found = edges(parse(FACTORY, "pkg/app.js", "javascript"), parse(FACTORY_USER, "pkg/main.js", "javascript"))
    assert ("pkg.app.createApp.get", "pkg.app.createApp.register", "calls") in found
    assert ("pkg.main.main", "pkg.app.createApp.get", "calls") in found  # app.get(): the factory's member
    assert ("pkg.app.createApp", "pkg.app.createApp.get", "contains") in found
    assert not any("helper" in target for _, target, _ in found)  # a helper the factory keeps is no symbol
