"""The public surface: what a user reaches from the package's front door, per language."""

from __future__ import annotations

from dataclasses import replace

from compiler.analysis.concepts.surface import public_surface
from compiler.analysis.graph import link
from kctest.factkit import FileBuilder


def test_python_front_door_reexports_public_modules_and_bases():
    init = FileBuilder("src/pkg/__init__.py", "pkg").imp(".app", "App")
    app = FileBuilder("src/pkg/app.py", "pkg.app").imp(".scaffold", "Scaffold")
    app.cls("App", bases=("Scaffold",), methods={"run": []})
    app.func("helper")
    scaffold = FileBuilder("src/pkg/scaffold.py", "pkg.scaffold")
    scaffold.cls("Scaffold", methods={"route": [], "_private": []})
    testing = FileBuilder("src/pkg/testing.py", "pkg.testing")
    testing.cls("Runner")
    hidden = FileBuilder("src/pkg/_impl.py", "pkg._impl")
    hidden.func("work")
    surface = public_surface(link([f.facts() for f in (init, app, scaffold, testing, hidden)]))
    assert surface is not None
    assert surface.front == {"pkg.app.App"}  # what ``from pkg import ...`` gets
    # the class opens its members and its base's; a public module is reachable; an underscore module is not
    assert {"pkg.app.App.run", "pkg.scaffold.Scaffold", "pkg.scaffold.Scaffold.route"} <= surface.reachable
    assert {"pkg.testing.Runner", "pkg.app.helper"} <= surface.reachable
    assert not {"pkg._impl.work", "pkg.scaffold.Scaffold._private"} & surface.reachable
    assert "src/pkg/_impl.py" in surface.declared


def test_go_exported_names_outside_internal_and_main():
    root = FileBuilder("log.go", "example.com/log", language="go")
    root.func("New")
    root.func("helper")
    inner = FileBuilder("internal/pool/pool.go", "example.com/log/internal/pool", language="go")
    inner.func("Get")
    tool = FileBuilder("cmd/gen/main.go", "example.com/log/cmd/gen", language="go")
    tool.func("main")
    tool.func("Render")
    sub = FileBuilder("hooks/syslog/syslog.go", "example.com/log/hooks/syslog", language="go")
    sub.func("NewHook")
    facts = [  # Go: capitalised names are exported
        replace(f, symbols=tuple(replace(s, public=s.name[0].isupper()) for s in f.symbols))
        for f in (b.facts() for b in (root, inner, tool, sub))
    ]
    surface = public_surface(link(facts))
    assert surface is not None
    assert surface.reachable == {"example.com/log.New", "example.com/log/hooks/syslog.NewHook"}
    assert surface.front == {"example.com/log.New"}  # the outermost package


def test_no_front_door_judges_nothing():
    assert public_surface(link([FileBuilder("tool.rb", "tool", language="ruby").facts()])) is None


def test_javascript_index_that_requires_the_real_entry_opens_it():
    index = FileBuilder("index.js", "index", language="javascript").imp("./lib/express")
    main = FileBuilder("lib/express.js", "lib.express", language="javascript").imp("./router")
    main.func("createApplication")
    router = FileBuilder("lib/router.js", "lib.router", language="javascript")
    router.func("Router")
    other = FileBuilder("lib/view.js", "lib.view", language="javascript")
    other.func("View")
    surface = public_surface(link([f.facts() for f in (index, main, router, other)]))
    assert surface is not None
    assert {"lib.express.createApplication", "lib.router.Router"} <= surface.front
    assert "lib.view.View" not in surface.reachable
    # but JavaScript does not declare what is private: being out of reach judges nothing there
    assert not surface.declared
