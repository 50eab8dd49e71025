"""Go facts the concept map stands on: a function named as a value (an argument, a struct field in a
composite literal) is a ``references`` edge; a local variable passed along is none."""

from compiler.analysis.graph import link
from compiler.analysis.path import find_entry_points
from compiler.frontend import parse_file
from compiler.model import SourceFile

MAIN = """package main

import (
	"net/http"

	"example.com/app/internal/wal"
)

type Command struct{ Run func() }

var root = &Command{Run: runRoot}

func runRoot() {}

func index(w http.ResponseWriter, r *http.Request) {}

func register(f interface{}) {}

func main() {
	local := runRoot
	http.HandleFunc("/", index)
	register(wal.Open)
	register(Helper)
	register(local)
}
"""

FILES = {
    "main.go": MAIN,
    "helper.go": "package main\n\nfunc Helper() {}\n",
    "internal/wal/wal.go": "package wal\n\nfunc Open() {}\n",
}


def test_functions_named_as_values_are_references():
    facts = [parse_file(SourceFile(path, "go", len(text), "0"), text) for path, text in FILES.items()]
    edges = {(e.source, e.target, e.kind) for e in link(facts).edges}
    references = {(s, t) for s, t, kind in edges if kind == "references"}
    assert references == {
        ("main.root", "main.runRoot"),  # Run: runRoot
        ("main.main", "main.index"),  # http.HandleFunc("/", index)
        ("main.main", "internal.wal.Open"),  # an imported package's function
        ("main.main", "main.Helper"),  # declared in another file of the package
    }
    assert ("main.main", "main.register", "calls") in edges
    assert not [c for c in facts[0].calls if c.reference and c.callee == "local"]


VARIANTS = {  # one name per build variant: the call from the default build's code means the default one
    "formatter.go": "package logrus\n\nfunc format(w int) bool {\n\treturn checkIfTerminal(w)\n}\n",
    "check_appengine.go": "// +build appengine\n\npackage logrus\n\nfunc checkIfTerminal(w int) bool { return true }\n",
    "check_notappengine.go": "// +build !appengine\n\npackage logrus\n\nfunc checkIfTerminal(w int) bool {\n\treturn isTerminal(w)\n}\n",
    "check_windows.go": "package logrus\n\nfunc isTerminal(w int) bool { return false }\n\nfunc helper() bool { return isTerminal(1) }\n",
    "check_unix.go": "//go:build linux\n\npackage logrus\n\nfunc isTerminal(w int) bool { return true }\n",
}


def test_build_variants_of_a_name_are_symbols_and_calls_mean_the_default_build():
    facts = [parse_file(SourceFile(path, "go", len(text), "0"), text) for path, text in VARIANTS.items()]
    graph = link(facts)
    ids = set(graph.symbols)
    assert {
        "logrus.checkIfTerminal",
        "logrus.check_appengine.checkIfTerminal",
        "logrus.isTerminal",
        "logrus.check_windows.isTerminal",
    } <= ids
    calls = {(e.source, e.target) for e in graph.edges if e.kind == "calls"}
    assert ("logrus.format", "logrus.checkIfTerminal") in calls
    assert ("logrus.checkIfTerminal", "logrus.isTerminal") in calls
    assert ("logrus.check_windows.helper", "logrus.isTerminal") in calls  # by name: the default build's


def go_entry_points(files: dict[str, str]) -> set[str]:
    facts = [parse_file(SourceFile(path, "go", len(text), "0"), text) for path, text in files.items()]
    graph = link(facts)
    return set(find_entry_points(graph, {}))


LIBRARY = {
    "cache.go": "// Package cache keeps values.\npackage cache\n\nfunc New() *Cache { return nil }\n",
    "store.go": "package cache\n\ntype Cache struct{}\n",
    "codec/codec.go": "package codec\n\nfunc Encode() {}\n",
    "ci/mage.go": "//go:build mage\n\npackage main\n\nfunc main() {}\n",
    "internal/gen/main.go": "package main\n\nfunc main() {}\n",
    "_examples/basic/main.go": "package main\n\nfunc main() {}\n",
    "cmd/cachectl/main.go": "package main\n\nfunc main() {}\n",
}


def test_a_go_library_starts_at_its_root_package_not_at_its_build_scripts():
    # no main package outside tooling folders: the root package is the entry, with the commands under cmd/
    assert go_entry_points(LIBRARY) == {"cache", "cmd.cachectl", "cmd.cachectl.main"}
    # a library whose code sits in one folder below the root: that package
    nested = {"cache/" + path if "/" not in path else path: text for path, text in LIBRARY.items()}
    del nested["codec/codec.go"]
    assert go_entry_points(nested) == {"cache", "cmd.cachectl", "cmd.cachectl.main"}


def test_a_go_application_starts_at_its_mains():
    application = {**LIBRARY, "server/main.go": "package main\n\nfunc main() {}\n"}
    found = go_entry_points(application)
    assert {"server", "server.main", "cmd.cachectl.main"} <= found
    assert "cache" not in found
