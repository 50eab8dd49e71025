"""Python facts: symbols, signatures, docstrings, imports, calls, exports, entry points."""

from __future__ import annotations

import pytest

from compiler.frontend.python import module_id, parse_python
from compiler.model import SourceFile
from kctest.frontend_files import symbols_by_id


def facts_of(text: str, path: str = "pkg/mod.py", repo_paths=frozenset()):
    return parse_python(SourceFile(path, "python", len(text), "0" * 64), text, repo_paths)


@pytest.mark.parametrize(
    ("path", "paths", "expected"),
    [
        ("minihttp/client.py", (), "minihttp.client"),
        ("minihttp/__init__.py", (), "minihttp"),
        ("src/pkg/mod.py", (), "pkg.mod"),
        ("src/pkg/mod.py", ("src/__init__.py",), "src.pkg.mod"),
        ("lib/tool.py", (), "tool"),
        ("scripts/run.py", (), "scripts.run"),
        ("setup.py", (), "setup"),
    ],
)
def test_module_ids(path, paths, expected):
    assert module_id(path, frozenset(paths)) == expected


def test_pyapp_symbols_signatures_and_docstrings(repo_facts):
    facts = repo_facts("pyapp")
    client = symbols_by_id(facts["minihttp/client.py"])
    assert client["minihttp.client"].kind == "module"
    assert client["minihttp.client"].doc == "The Client facade: the one object most users need."
    assert client["minihttp.client.Client"].signature == "class Client(BaseClient)"
    assert client["minihttp.client.Client"].bases == ("BaseClient",)
    assert client["minihttp.client.Client"].doc.startswith(
        "A synchronous HTTP client: ``Client().get(url)`` returns a Response.\n\nIt signs"
    )
    get = client["minihttp.client.Client.get"]
    assert (get.kind, get.parent) == ("method", "minihttp.client.Client")
    assert get.signature == "def get(self, url: str, *, params: dict | None = None, timeout: float = 5.0) -> Response"
    assert get.lines == (38, 40)
    assert client["minihttp.client.BaseClient.build_request"].doc == ""  # undocumented stays empty

    transport = symbols_by_id(facts["minihttp/transport.py"])
    retry = transport["minihttp.transport.should_retry"]
    assert retry.kind == "function" and retry.parent == "minihttp.transport"
    assert retry.signature == (
        "def should_retry(attempt: int, max_retries: int, *, error: Exception | None = None, status: int | None = None) -> bool"
    )
    assert retry.doc.startswith("Decide whether a failed attempt is worth retrying.\n\nConnection errors")
    assert (
        transport["minihttp.transport.RETRYABLE_STATUSES"].signature
        == "RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})"
    )
    assert transport["minihttp.transport._serialize"].public is False

    config = symbols_by_id(facts["minihttp/config.py"])
    settings = config["minihttp.config.Settings"]
    assert settings.decorators == ("dataclass(frozen=True)",)
    assert settings.lines[0] == 18  # the decorator line, not the class line
    assert config["minihttp.config.Settings.timeout"].signature == "timeout: float = DEFAULT_TIMEOUT"
    assert config["minihttp.config.Settings.timeout"].kind == "variable"


def test_pyapp_imports_are_resolved_to_module_ids(repo_facts):
    facts = repo_facts("pyapp")
    imports = {(i.module, i.names, i.scope) for i in facts["minihttp/client.py"].imports}
    assert ("minihttp.auth", ("Auth", "auth_from_settings"), None) in imports
    assert ("minihttp.transport", ("Transport",), None) in imports
    cli = {(i.module, i.names, i.scope) for i in facts["minihttp/cli.py"].imports}
    assert ("minihttp.config", ("load_settings",), "minihttp.cli.main") in cli  # function-level import
    assert ("argparse", (), None) in cli
    main = {(i.module, i.names) for i in facts["minihttp/__main__.py"].imports}
    assert ("minihttp.cli", ("main",)) in main  # from .cli import main, inside a package's __main__


def test_relative_imports_resolve_against_the_package():
    text = "from . import a\nfrom .. import b as bee\nfrom ..c.d import e\nfrom ....too_far import f\nimport x.y as z\n"
    facts = facts_of(text, "pkg/sub/mod.py")
    assert [(i.module, i.names, i.alias) for i in facts.imports] == [
        ("pkg.sub", ("a",), None),
        ("pkg", ("b",), "bee"),
        ("pkg.c.d", ("e",), None),
        ("....too_far", ("f",), None),
        ("x.y", (), "z"),
    ]
    init = facts_of("from .core import run\n", "pkg/__init__.py")
    assert init.imports[0].module == "pkg.core"


def test_calls_name_the_innermost_caller_and_the_callee_as_written(repo_facts):
    calls = {(c.caller, c.callee) for c in repo_facts("pyapp")["minihttp/client.py"].calls}
    assert ("minihttp.client.Client.send", "self.auth.apply") in calls
    assert ("minihttp.client.Client.send", "self.transport.send") in calls
    assert ("minihttp.client.Client.get", "self.build_request") in calls
    assert ("minihttp.client.Client.__init__", "Transport") in calls
    transport = {(c.caller, c.callee) for c in repo_facts("pyapp")["minihttp/transport.py"].calls}
    assert ("minihttp.transport.Transport.send", "should_retry") in transport
    assert ("minihttp.transport.Transport.send", "backoff_delay") in transport
    assert ("minihttp.transport.backoff_delay", "random.uniform") in transport


def test_nested_functions_and_decorators_count_for_the_enclosing_symbol():
    text = (
        "import functools\n\n"
        "@functools.lru_cache(maxsize=None)\n"
        "def outer(x):\n"
        "    def helper(y):\n"
        "        return os.path.join(y)\n"
        "    return helper(x)\n\n"
        "class A(Base, metaclass=Meta):\n"
        "    field = make_field()\n"
        "    def m(self):\n"
        "        return self.other().value\n"
        "print(outer(1))\n"
    )
    facts = facts_of(text)
    assert [s.id for s in facts.symbols] == ["pkg.mod", "pkg.mod.outer", "pkg.mod.A", "pkg.mod.A.m"]
    assert facts.symbols[2].signature == "class A(Base, metaclass=Meta)"
    calls = {(c.caller, c.callee, c.line) for c in facts.calls}
    assert calls == {
        ("pkg.mod.outer", "functools.lru_cache", 3),
        ("pkg.mod.outer", "os.path.join", 6),
        ("pkg.mod.outer", "helper", 7),
        ("pkg.mod.A", "make_field", 10),
        ("pkg.mod.A.m", "self.other", 12),
        ("pkg.mod", "print", 13),
        ("pkg.mod", "outer", 13),
    }


def test_all_decides_public_and_is_the_export_list(repo_facts):
    init = repo_facts("pyapp")["minihttp/__init__.py"]
    assert init.exports is not None and "Client" in init.exports and "load_settings" in init.exports
    facts = facts_of("__all__ = ['run']\n__all__ += ['Job']\ndef run(): pass\ndef helper(): pass\nclass Job: pass\n")
    public = {s.name: s.public for s in facts.symbols if s.kind != "module"}
    assert facts.exports == ("run", "Job")
    assert public == {"run": True, "helper": False, "Job": True}
    assert facts_of("__all__ = base.__all__ + ['x']\n").exports is None  # not a literal


def test_entry_points(repo_facts):
    facts = repo_facts("pyapp")
    entry = {path for path, f in facts.items() if f.is_entry_point}
    assert entry == {"minihttp/__init__.py", "minihttp/__main__.py", "minihttp/cli.py"}
    assert facts_of('def go(): pass\nif __name__ == "__main__":\n    go()\n', "tools/job.py").is_entry_point


def test_attribute_docstrings_signatures_with_positional_only_and_async():
    text = (
        "TIMEOUT: float = 5.0\n"
        '"""Seconds to wait."""\n'
        "async def fetch(a, /, b=2, *args, c: int, **kw) -> bytes:\n"
        "    await other()\n"
        "def big(x=[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]):\n"
        "    pass\n"
        "def uni(name: str = 'Grüße') -> str: pass\n"
    )
    symbols = {s.name: s for s in facts_of(text).symbols}
    assert symbols["TIMEOUT"].doc == "Seconds to wait."
    assert symbols["fetch"].signature == "async def fetch(a, /, b=2, *args, c: int, **kw) -> bytes"
    assert symbols["big"].signature == "def big(x=...)"  # long defaults are elided, not rendered
    assert symbols["uni"].signature == "def uni(name: str = 'Grüße') -> str"


def test_duplicate_definitions_keep_the_first():
    facts = facts_of("import sys\nif sys.platform == 'win32':\n    def f(): 'windows'\nelse:\n    def f(): 'posix'\n")
    fs = [s for s in facts.symbols if s.name == "f"]
    assert len(fs) == 1 and fs[0].doc == "windows"


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("def broken(:\n    pass\n", "syntax-error", 1),
        ("x = 1\ny = 2\0\n", "syntax-error", 2),
        ("x = " + " + ".join(["1"] * 12000) + "\n", "recursion-limit", 1),
    ],
)
def test_unparseable_files_give_a_diagnostic_not_an_exception(text, code, line):
    facts = facts_of(text)
    assert facts.symbols == ()
    assert [(d.code, d.line, d.severity) for d in facts.diagnostics] == [(code, line, "error")]
    assert str(facts.diagnostics[0]).startswith(f"pkg/mod.py:{line}: error:")


def test_a_public_module_instance_of_an_own_class_is_a_symbol():
    facts = facts_of(
        'class _stop_never:\n    """Never stop."""\n\n\nstop_never = _stop_never()\n'
        "logger = make_logger()\n_private = _stop_never()\nlater = Later()\n\n\nclass Later:\n    pass\n"
    )
    ids = {s.id for s in facts.symbols}
    assert "pkg.mod.stop_never" in ids
    variable = symbols_by_id(facts)["pkg.mod.stop_never"]
    assert variable.kind == "variable" and variable.public and variable.signature == "stop_never = _stop_never()"
    # a call of something else, a private name, or a class defined further down: not API we can vouch for
    assert not ids & {"pkg.mod.logger", "pkg.mod._private", "pkg.mod.later"}
