"""parse_file(): decoding, secrets first, dispatch, and no exception ever escapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.config import Settings
from compiler.frontend import decode_source, parse_file
from compiler.frontend.scan import scan
from compiler.model import SourceFile

REPOS = Path(__file__).parents[1] / "fixtures" / "repos"
PLANTED = (REPOS / "secrets.planted.txt").read_text().split()


def source(path: str, language: str) -> SourceFile:
    return SourceFile(path, language, 0, "0" * 64)


def test_broken_files_each_give_a_diagnostic_with_a_line(repo_facts):
    facts = repo_facts("broken")
    found = {path: [(d.code, d.line) for d in f.diagnostics] for path, f in facts.items()}
    assert found == {
        "README.md": [],
        "good.py": [],
        "bad.js": [("syntax-error", 5)],
        "syntax_error.py": [("syntax-error", 7)],
        "latin1.py": [("encoding-error", 3)],
        "deep_nesting.py": [("recursion-limit", 3)],
    }
    assert [s.id for s in facts["good.py"].symbols] == ["good", "good.add"]


def test_secrets_never_reach_symbols_signatures_or_docs(repo_facts):
    facts = repo_facts("secrets")
    dumped = repr(list(facts.values()))  # every field of every fact, redactions included
    assert [value for value in PLANTED if value in dumped] == []
    clients = facts["app/clients.py"]
    symbols = {s.id: s for s in clients.symbols}
    assert (
        symbols["app.clients.make_github_client"].signature
        == 'def make_github_client(token: str = "<redacted:github-token>")'
    )
    assert symbols["app.clients.notify"].doc == "Post to Slack with the bot token <redacted:slack-token>."
    assert {r.rule for r in clients.redactions} >= {"github-token", "slack-token", "jwt"}
    assert facts[".env"].symbols == () and facts[".env"].redactions[0].action == "file-excluded"
    root = Path(__file__).parents[1] / "fixtures" / "repos" / "secrets"
    for f in scan(root, Settings()).files:  # the excerpts are cut from the redacted text, inside the front end
        cut = parse_file(f, (root / f.path).read_bytes(), excerpt_lines=30)
        assert [value for value in PLANTED if value in repr(cut)] == []


def test_decode_honours_bom_and_coding_cookie():
    assert decode_source(b"\xef\xbb\xbfx = 1\n", "a.py") == ("x = 1\n", None)
    latin = "# -*- coding: latin-1 -*-\nNAME = 'Köln'\n"
    assert decode_source(latin.encode("latin-1"), "a.py") == (latin, None)
    assert decode_source("x = 'é'\n".encode("utf-16"), "notes.txt")[0] == "x = 'é'\n"
    text, problem = decode_source(b"a = 1\nb = '\xff'\n", "a.py")
    assert text is None and (problem.code, problem.line) == ("encoding-error", 2)
    text, problem = decode_source(b"# coding: no-such-codec\n", "a.py")
    assert text is None and problem.code == "encoding-error"


def test_internal_errors_become_diagnostics(monkeypatch):
    import compiler.frontend.python as python_frontend

    def explode(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(python_frontend, "parse_python", explode)
    facts = parse_file(source("pkg/mod.py", "python"), b"x = 1\n")
    assert [(d.code, d.path) for d in facts.diagnostics] == [("internal-error", "pkg/mod.py")]
    assert "pkg/mod.py" in facts.diagnostics[0].message


@pytest.mark.parametrize(
    ("path", "language", "data"),
    [
        ("a.py", "python", b"\x00\x01\x02"),
        ("a.js", "javascript", b"}}}{{{((("),
        ("a.ts", "typescript", b"interface {"),
        ("a.tsx", "tsx", b"const x = <div>{</div>;"),
        ("a.go", "go", b"package"),
        ("a.md", "markdown", b"#\n\n```\nunterminated"),
        ("a.txt", "text", b""),
        ("a.py", "python", b""),
    ],
)
def test_garbage_never_raises(path, language, data):
    facts = parse_file(source(path, language), data)
    assert facts.path == path


def test_text_files_keep_only_lines_and_hash():
    facts = parse_file(SourceFile("pyproject.toml", "text", 10, "ab" * 32), b"[project]\nname = 'x'\n")
    assert (facts.module, facts.lines, facts.symbols, facts.sha256) == ("", 2, (), "ab" * 32)


def test_an_mkdocs_config_yields_its_nav_as_a_section():
    text = b"site_name: x\nnav:\n  - Home: index.md\n  - api.md\n"
    facts = parse_file(source("site/mkdocs.yml", "text"), text)
    assert [s.text for s in facts.sections] == ["- [Home](docs/index.md)\n- [docs/api.md](docs/api.md)"]
    assert parse_file(source("site/other.yml", "text"), text).sections == ()
