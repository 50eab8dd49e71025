"""Python facts the concept map stands on: an ``@overload``ed function is its implementation."""

from compiler.analysis.graph import link
from compiler.frontend.python import parse_python
from compiler.model import SourceFile

OVERLOADED = '''
import typing
from typing import overload


def helper(x):
    return x


@overload
def fetch(url: str) -> bytes: ...
@typing.overload
def fetch(url: bytes) -> bytes: ...
def fetch(url):
    """Fetch a URL and return its body."""
    return helper(url)


class Client:
    @overload
    def get(self, key: int) -> int: ...
    @overload
    def get(self, key: str) -> str: ...
    def get(self, key):
        """Look a key up."""
        return helper(key)

    @property
    def name(self):
        """The first definition of a property is kept."""
        return "n"

    @name.setter
    def name(self, value):
        helper(value)
'''


def facts():
    return parse_python(SourceFile(path="pkg/net.py", language="python", size=len(OVERLOADED), sha256="0"), OVERLOADED)


def test_the_implementation_is_the_symbol_and_the_stubs_its_signatures():
    symbols = {s.id: s for s in facts().symbols}
    fetch = symbols["pkg.net.fetch"]
    assert fetch.doc == "Fetch a URL and return its body."
    assert fetch.lines[0] == 14  # the implementation's lines
    assert fetch.signature.splitlines() == [
        "def fetch(url: str) -> bytes",
        "def fetch(url: bytes) -> bytes",
        "def fetch(url)",
    ]
    get = symbols["pkg.net.Client.get"]
    assert get.doc == "Look a key up." and len(get.signature.splitlines()) == 3
    assert symbols["pkg.net.Client.name"].doc.startswith("The first definition")  # a setter is no implementation


def test_the_implementations_calls_are_its_own():
    graph = link([facts()])
    calls = {(e.source, e.target) for e in graph.edges if e.kind == "calls"}
    assert ("pkg.net.fetch", "pkg.net.helper") in calls
    assert ("pkg.net.Client.get", "pkg.net.helper") in calls


VALUES = """
class Option:
    pass


class Context:
    pass


def command(name, cls=None):
    return cls


class Group:
    context_class = Context

    def option(self):
        return command("x", cls=Option)
"""


def test_classes_named_as_values_are_references():
    source = SourceFile(path="pkg/core.py", language="python", size=len(VALUES), sha256="0")
    graph = link([parse_python(source, VALUES)])
    edges = {(e.source, e.target, e.kind) for e in graph.edges}
    assert ("pkg.core.Group.option", "pkg.core.Option", "references") in edges
    assert ("pkg.core.Group", "pkg.core.Context", "references") in edges
    assert ("pkg.core.Group.option", "pkg.core.command", "calls") in edges


INHERITED = """
class Base:
    def run(self):
        return 1


class Sub(Base):
    def go(self):
        return self.run()
"""


def test_self_method_reaches_the_inherited_method():
    source = SourceFile(path="pkg/tree.py", language="python", size=len(INHERITED), sha256="0")
    edges = {(e.source, e.target, e.kind) for e in link([parse_python(source, INHERITED)]).edges}
    assert ("pkg.tree.Sub", "pkg.tree.Base", "inherits") in edges
    assert ("pkg.tree.Sub.go", "pkg.tree.Base.run", "calls") in edges


UNRESOLVED = """
class Mail:
    def send(self):
        return 1


class Fax:
    def send(self):
        return 2


def work(client):
    client.send()
    client.fetch()
    return Mail().send()
"""


def test_calls_that_resolve_to_nothing_are_counted_by_name():
    source = SourceFile(path="pkg/work.py", language="python", size=len(UNRESOLVED), sha256="0")
    graph = link([parse_python(source, UNRESOLVED)])
    # ``client.send()`` may be either ``send``: counted, twice with the chained call;
    # ``fetch`` names no definition here: left out
    assert graph.unresolved == (("send", 2),)
    assert not [e for e in graph.edges if e.kind == "calls" and e.target.endswith(".send")]


FUNCTION_VALUES = """
from pkg.util import normalise


class Plugin:
    pass


def helper(x):
    return x


def register(*things):
    return things


def setup(items, handler):
    register(Plugin)
    sorted(items, key=helper)
    list(map(normalise, items))
    return register(handler)
"""


def test_classes_and_functions_passed_as_values_are_references():
    util = "def normalise(x):\n    return x\n"
    files = [
        parse_python(SourceFile(path="pkg/hooks.py", language="python", size=0, sha256="0"), FUNCTION_VALUES),
        parse_python(SourceFile(path="pkg/util.py", language="python", size=0, sha256="0"), util),
    ]
    edges = {(e.source, e.target, e.kind) for e in link(files).edges}
    references = {(s, t) for s, t, kind in edges if kind == "references"}
    assert {
        ("pkg.hooks.setup", "pkg.hooks.Plugin"),  # a positional argument
        ("pkg.hooks.setup", "pkg.hooks.helper"),  # key=helper
        ("pkg.hooks.setup", "pkg.util.normalise"),  # imported, then passed
    } <= references
    # ``handler`` is a parameter, not the module's: no reference
    assert not [c for c in files[0].calls if c.reference and c.callee in ("handler", "items")]
