"""get_symbol over a built corpus: a member a subclass inherits is found through the subclass (Python,
JavaScript, TypeScript), a class named as a value lists who names it, and a symbol whose callers did
not resolve reads "callers unknown", never "none found"."""

from __future__ import annotations

import pytest

from kctest.mcp_process import run_with_client, text_of

FILES = {
    "pkg/__init__.py": '"""A package."""\n',
    "pkg/base.py": '''"""Bases."""


class Base:
    """The base."""

    def run(self):
        """Run it."""
        return 1


class Mail:
    def send(self):
        return 1


class Fax:
    def send(self):
        return 2


class Option:
    """An option."""


def make(cls):
    return cls()


def work(client):
    make(cls=Option)
    return client.send()
''',
    "pkg/sub.py": '''"""Subclasses."""

from pkg.base import Base


class Sub(Base):
    def go(self):
        return self.run()
''',
    "web/base.js": "class Base {\n  run() { return 1; }\n}\n\nmodule.exports = { Base };\n",
    "web/sub.js": (
        "const { Base } = require('./base');\n\nclass Sub extends Base {\n  go() { return this.run(); }\n}\n\n"
        "module.exports = { Sub };\n"
    ),
    "ts/base.ts": "export class Base {\n  run(): number { return 1; }\n}\n",
    "ts/sub.ts": (
        "import { Base } from './base';\n\nexport class Sub extends Base {\n  go(): number { return this.run(); }\n}\n"
    ),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from compiler.build import build
    from compiler.mcp import create_server

    source = tmp_path_factory.mktemp("inherit") / "src"
    for path, text in FILES.items():
        (source / path).parent.mkdir(parents=True, exist_ok=True)
        (source / path).write_text(text)
    out = source.parent / "corpus"
    build(source, out, index=False)
    return create_server(out, source=source)


def get_symbol(server, name: str):
    result = run_with_client(server, lambda client: client.call_tool("get_symbol", {"name": name}))
    assert not result.is_error, text_of(result)
    return result.structured_content, text_of(result)


@pytest.mark.parametrize(
    "asked,found,base,where",
    [
        ("pkg.sub.Sub.run", "pkg.base.Base.run", "pkg.base.Base", "pkg/base.py:4-9"),
        ("web.sub.Sub.run", "web.base.Base.run", "web.base.Base", "web/base.js:1-3"),
        ("ts.sub.Sub.run", "ts.base.Base.run", "ts.base.Base", "ts/base.ts:1-3"),
    ],
)
def test_an_inherited_member_is_the_base_class_member(server, asked, found, base, where):
    data, text = get_symbol(server, asked)
    assert data["id"] == found and data["inherited_by"] == asked.rsplit(".", 1)[0]
    assert f"inherits `run` from `{base}` ({where})" in text
    # and ``self.run()`` / ``this.run()`` in the subclass is a resolved call of it
    assert data["callers"] == [asked.replace(".run", ".go")]


def test_a_member_defined_in_place_is_not_inherited(server):
    data, text = get_symbol(server, "pkg.base.Base.run")
    assert data["inherited_by"] is None and "inherits" not in text


def test_a_class_named_as_a_value_lists_who_names_it(server):
    data, text = get_symbol(server, "pkg.base.Option")
    assert data["referrers"] == ["pkg.base.work"] and "Named as a value by (1): `pkg.base.work`" in text


def test_unresolved_callers_read_as_unknown_never_none(server):
    data, text = get_symbol(server, "pkg.base.Mail.send")  # ``client.send()`` may be Mail's or Fax's
    assert data["caller_count"] == 0
    assert data["callers_unknown"] == "callers unknown: 1 call by this name could not be resolved"
    assert "Called by: callers unknown: 1 call by this name" in text and "Called by (0)" not in text
    data, text = get_symbol(server, "pkg.sub.Sub.go")  # nothing calls ``go``, by any name
    assert data["callers_unknown"] == "" and "Called by (0): none found" in text
