"""Hostile JavaScript / Go input: deep nesting, long chains, a per-file budget, bounded signatures."""

from __future__ import annotations

import random

from compiler.frontend import parse_file
from compiler.frontend.treesitter import parse_treesitter
from compiler.frontend.treesitter.walker import MAX_CALLEE, one_line, one_line_of
from compiler.model import SourceFile


def _source(path: str, language: str, text: str) -> SourceFile:
    return SourceFile(path, language, len(text), "0" * 64)


def test_a_file_over_its_budget_becomes_a_diagnostic():
    text = "".join(f"function f{i}() {{ g{i}(); }}\n" for i in range(2000))
    facts = parse_treesitter(_source("lib/big.js", "javascript", text), text, budget_s=0.0)
    assert [(d.path, d.line, d.code) for d in facts.diagnostics] == [("lib/big.js", 1, "file-too-slow")]
    assert facts.symbols == () and facts.lines == 2000


def test_deep_nesting_and_long_chains_do_not_crash():
    cases = {
        "deep.js": ("javascript", "function f(){" * 5000 + "}" * 5000),
        "parens.js": ("javascript", "x = " + "(" * 20000 + "1" + ")" * 20000 + ";\n"),
        "calls.js": ("javascript", "x = f" + "()" * 20000 + ";\n"),
        "chain.ts": ("typescript", "x = a" + ".b()" * 10000 + ";\n"),
        "chain.go": ("go", "package p\nfunc F() { a" + ".b()" * 10000 + " }\n"),
    }
    for path, (language, text) in cases.items():
        facts = parse_file(_source(path, language, text), text.encode())
        assert all(d.code in ("syntax-error",) for d in facts.diagnostics), facts.diagnostics
        assert all(len(call.callee) <= MAX_CALLEE for call in facts.calls)
    short = parse_file(_source("c.js", "javascript", "x = a.b().c();\n"), b"x = a.b().c();\n")
    assert {c.callee for c in short.calls} == {"a.b", "a.b().c"}


def test_long_declarations_keep_short_signatures_and_their_docs():
    names = ", ".join(f"a{i} = {i}" for i in range(20000))
    text = "// c\n" * 3000 + f"var {names};\n"
    facts = parse_file(_source("v.js", "javascript", text), text.encode())
    first = next(s for s in facts.symbols if s.id == "v.a0")
    assert first.signature.startswith("var a0 = 0, a1 = 1") and first.signature.endswith("...")
    assert len(first.signature) == 200
    go = (
        "package p\n" + "// group\n" * 2000 + "var (\n" + "".join(f"// v{i}\nv{i} = {i}\n" for i in range(3000)) + ")\n"
    )
    facts = parse_file(_source("p/v.go", "go", go), go.encode())
    symbols = {s.id: s for s in facts.symbols}
    assert symbols["p.v2999"].doc == "v2999" and symbols["p.v0"].signature == "var v0 = 0"


def test_one_line_of_reads_a_prefix_but_answers_like_one_line():
    rng = random.Random(7)
    alphabet = "ab {=>\n\t\u00e9xyz"
    for _ in range(400):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 3000)))
        data = text.encode()
        strip = rng.choice(["", " {=>\n\t"])
        prefix = rng.choice(["", "var "])
        limit = rng.choice([10, 50, 200])
        expected = one_line(prefix + text.rstrip(strip), limit)
        assert one_line_of(data, 0, len(data), strip, limit, prefix) == expected
