"""Go facts the concept map stands on: a function named as a value (an argument, a struct field in a
composite literal) is a ``references`` edge; a local variable passed along is none."""

from compiler.analysis.graph import link
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
