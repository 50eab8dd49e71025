"""Linking: imports, calls, bases and containment resolved to repository definitions."""

from __future__ import annotations

from compiler.analysis.calls import CALL_WEIGHT, UNIQUE_NAME_CALL_WEIGHT
from compiler.analysis.graph import INHERITS_WEIGHT, link
from compiler.model import Call, FileFacts, Import, Symbol
from compiler.roles import file_role
from kctest.factkit import FileBuilder


def edges_of(graph, kind):
    return {(e.source, e.target): e.weight for e in graph.edges if e.kind == kind}


def test_relative_imports_resolve_to_repository_modules():
    init = FileBuilder("pkg/__init__.py", "pkg")
    init.imp(".core", "Engine")
    core = FileBuilder("pkg/core.py", "pkg.core")
    core.cls("Engine")
    util = FileBuilder("pkg/sub/util.py", "pkg.sub.util")
    util.imp("..core", "Engine")  # two dots: up from pkg.sub to pkg
    util.imp("os.path", "join")  # outside the repository: no edge
    sub_init = FileBuilder("pkg/sub/__init__.py", "pkg.sub")
    sub_init.imp(".util")  # a package's own __init__: '.' is the package itself
    graph = link([f.facts() for f in (init, core, util, sub_init)])
    imports = edges_of(graph, "imports")
    assert ("pkg", "pkg.core.Engine") in imports
    assert ("pkg.sub.util", "pkg.core.Engine") in imports
    assert ("pkg.sub", "pkg.sub.util") in imports
    assert not any(target.startswith("os") for _, target in imports)


def test_calls_through_imports_aliases_and_module_attributes():
    helpers = FileBuilder("app/helpers.py", "app.helpers")
    helpers.func("slugify")
    main = FileBuilder("app/main.py", "app.main")
    main.imp("app.helpers", alias="h")  # import app.helpers as h
    main.imp("app", "helpers")  # from app import helpers (a submodule)
    main.imp("app.helpers", "slugify as make_slug")
    main.func("one", "h.slugify")
    main.func("two", "helpers.slugify")
    main.func("three", "make_slug")
    init = FileBuilder("app/__init__.py", "app")
    calls = edges_of(link([f.facts() for f in (helpers, main, init)]), "calls")
    for caller in ("app.main.one", "app.main.two", "app.main.three"):
        assert calls[(caller, "app.helpers.slugify")] == CALL_WEIGHT


def test_self_calls_find_methods_of_the_class_and_its_bases():
    base = FileBuilder("shapes/base.py", "shapes.base")
    base.cls("Shape", methods={"area": [], "describe": ["self.area"]})
    square = FileBuilder("shapes/square.py", "shapes.square")
    square.imp(".base", "Shape")
    square.cls(
        "Square",
        bases=("Shape",),
        methods={
            "__init__": ["super().__init__"],
            "report": ["self.describe", "self.missing_attribute"],
        },
    )
    graph = link([base.facts(), square.facts()])
    calls = edges_of(graph, "calls")
    assert ("shapes.base.Shape.describe", "shapes.base.Shape.area") in calls
    assert ("shapes.square.Square.report", "shapes.base.Shape.describe") in calls  # inherited method
    assert not any(target.endswith("missing_attribute") for _, target in calls)
    assert edges_of(graph, "inherits") == {("shapes.square.Square", "shapes.base.Shape"): INHERITS_WEIGHT}


def test_constructor_calls_reach_the_class_and_super_reaches_the_base():
    a = FileBuilder("m/a.py", "m.a")
    a.cls("Base", methods={"__init__": []})
    a.cls("Child", bases=("Base",), methods={"__init__": ["super().__init__"]})
    a.func("make", "Child")
    calls = edges_of(link([a.facts()]), "calls")
    assert ("m.a.make", "m.a.Child") in calls
    assert ("m.a.Child.__init__", "m.a.Base.__init__") in calls


def test_unknown_receivers_use_unique_names_only_and_drop_ambiguous_ones():
    a = FileBuilder("z/a.py", "z.a")
    a.cls("Scheduler", methods={"reschedule_all": []})
    a.cls("Worker", methods={"run": []})
    a.cls("Job", methods={"run": []})
    b = FileBuilder("z/b.py", "z.b")
    b.func("go", "thing.reschedule_all", "thing.run", "headers.get")
    calls = edges_of(link([a.facts(), b.facts()]), "calls")
    assert calls[("z.b.go", "z.a.Scheduler.reschedule_all")] == UNIQUE_NAME_CALL_WEIGHT
    assert not any(target.endswith(".run") for _, target in calls)  # two candidates: ambiguous


def test_receiver_named_like_a_class_resolves_its_method():
    a = FileBuilder("t/transport.py", "t.transport")
    a.cls("HTTPTransport", methods={"send": []})
    a.cls("Mailer", methods={"send": []})
    b = FileBuilder("t/client.py", "t.client")
    b.cls("Client", methods={"send": ["self.transport.send"]})
    calls = edges_of(link([a.facts(), b.facts()]), "calls")
    assert ("t.client.Client.send", "t.transport.HTTPTransport.send") in calls


def test_repeated_calls_add_up_and_contains_edges_form_the_tree():
    a = FileBuilder("k/a.py", "k.a")
    a.func("leaf")
    caller = a.func("caller", "leaf", "leaf", "leaf", "leaf")
    a.cls("Box", methods={"open": []})
    graph = link([a.facts()])
    assert edges_of(graph, "calls")[(caller, "k.a.leaf")] == 2.0  # 1.0 * sqrt(4)
    contains = edges_of(graph, "contains")
    assert ("k.a", "k.a.Box") in contains and ("k.a.Box", "k.a.Box.open") in contains


def test_javascript_relative_requires_and_prototype_methods():
    layer = FileFacts(
        "lib/router/layer.js",
        "javascript",
        "lib.router.layer",
        30,
        "x",
        symbols=(
            Symbol("lib.router.layer", "layer", "module", "lib/router/layer.js", (1, 30)),
            Symbol(
                "lib.router.layer.Layer", "Layer", "function", "lib/router/layer.js", (3, 10), parent="lib.router.layer"
            ),
            Symbol(
                "lib.router.layer.match",
                "match",
                "function",
                "lib/router/layer.js",
                (12, 20),
                parent="lib.router.layer",
            ),
        ),
    )
    router = FileFacts(
        "lib/router/index.js",
        "javascript",
        "lib.router.index",
        40,
        "x",
        symbols=(
            Symbol("lib.router.index", "index", "module", "lib/router/index.js", (1, 40)),
            Symbol(
                "lib.router.index.Router",
                "Router",
                "function",
                "lib/router/index.js",
                (3, 8),
                parent="lib.router.index",
            ),
            Symbol(
                "lib.router.index.handle",
                "handle",
                "function",
                "lib/router/index.js",
                (10, 30),
                parent="lib.router.index",
            ),
            Symbol(
                "lib.router.index.use", "use", "function", "lib/router/index.js", (31, 38), parent="lib.router.index"
            ),
        ),
        imports=(Import("lib/router/index.js", "./layer", (), 1, "Layer"),),
        calls=(
            Call("lib.router.index.use", "new Layer", "lib/router/index.js", 33),
            Call("lib.router.index.use", "this.handle", "lib/router/index.js", 34),
        ),
    )
    app = FileFacts(
        "lib/application.js",
        "javascript",
        "lib.application",
        20,
        "x",
        symbols=(
            Symbol("lib.application", "application", "module", "lib/application.js", (1, 20)),
            Symbol(
                "lib.application.createApp",
                "createApp",
                "function",
                "lib/application.js",
                (3, 12),
                parent="lib.application",
            ),
        ),
        imports=(Import("lib/application.js", "./router", (), 1, "Router"),),
        calls=(Call("lib.application.createApp", "new Router", "lib/application.js", 5),),
    )
    graph = link([layer, router, app])
    imports = edges_of(graph, "imports")
    assert ("lib.application", "lib.router.index") in imports  # './router' -> lib/router/index.js
    assert ("lib.router.index", "lib.router.layer") in imports
    calls = edges_of(graph, "calls")
    assert ("lib.router.index.use", "lib.router.index.handle") in calls  # this.handle in prototype code
    # calling a module binding reaches its default export: the definition named like the binding
    assert ("lib.application.createApp", "lib.router.index.Router") in calls
    assert ("lib.router.index.use", "lib.router.layer.Layer") in calls


def test_go_imports_match_by_path_suffix_and_package_qualified_calls():
    wal = FileFacts(
        "internal/wal/wal.go",
        "go",
        "internal.wal",
        40,
        "x",
        symbols=(
            Symbol("internal.wal", "wal", "module", "internal/wal/wal.go", (1, 40)),
            Symbol("internal.wal.Open", "Open", "function", "internal/wal/wal.go", (5, 10), parent="internal.wal"),
            Symbol("internal.wal.Log", "Log", "type", "internal/wal/wal.go", (12, 14), parent="internal.wal"),
            Symbol(
                "internal.wal.Log.Append",
                "Append",
                "method",
                "internal/wal/wal.go",
                (16, 20),
                parent="internal.wal.Log",
            ),
            Symbol(
                "internal.wal.Log.sync",
                "sync",
                "method",
                "internal/wal/wal.go",
                (22, 26),
                parent="internal.wal.Log",
                public=False,
            ),
        ),
        calls=(Call("internal.wal.Log.Append", "l.sync", "internal/wal/wal.go", 18),),
    )
    store = FileFacts(
        "store.go",
        "go",
        "kvstore",
        30,
        "x",
        symbols=(
            Symbol("kvstore", "kvstore", "module", "store.go", (1, 30)),
            Symbol("kvstore.New", "New", "function", "store.go", (5, 12), parent="kvstore"),
        ),
        imports=(Import("store.go", "example.com/kvstore/internal/wal", (), 3),),
        calls=(Call("kvstore.New", "wal.Open", "store.go", 7),),
    )
    graph = link([wal, store])
    assert ("kvstore", "internal.wal") in edges_of(graph, "imports")
    calls = edges_of(graph, "calls")
    assert ("kvstore.New", "internal.wal.Open") in calls
    assert ("internal.wal.Log.Append", "internal.wal.Log.sync") in calls  # Go receiver calls its own type


def test_missing_module_symbols_are_made_and_edges_are_sorted():
    bare = FileFacts(
        "x/y.py",
        "python",
        "x.y",
        10,
        "x",
        symbols=(Symbol("x.y.f", "f", "function", "x/y.py", (1, 3)),),  # no module symbol, no parent
    )
    graph = link([bare])
    assert graph.symbols["x.y"].kind == "module"
    assert graph.symbols["x.y.f"].parent == "x.y"
    assert list(graph.edges) == sorted(graph.edges, key=lambda e: (e.source, e.target, e.kind))


def test_file_roles():
    assert file_role("tests/test_app.py") == "test"
    assert file_role("src/app_test.go") == "test"
    assert file_role("lib/router.spec.ts") == "test"
    assert file_role("examples/demo/app.py") == "example"
    assert file_role("docs/conf.py") == "docs"
    assert file_role("benchmarks/run.py") == "bench"
    assert file_role("src/flask/testing.py") == "code"


def test_go_tests_are_only_test_go_files():
    # a Go package in a folder named test (logrus's hooks/test) is imported by users: code
    assert file_role("hooks/test/test.go") == "code"
    assert file_role("hooks/test/test_test.go") == "test"
    assert file_role("tests/helpers.go") == "code"
    assert file_role("internal/testdata/gen.go") == "test"  # the Go tool never builds testdata
    assert file_role("tests/helpers.py") == "test"
    assert file_role("doc/man_docs.go") == "code"
