"""The whole pipeline on the fixture repositories: files, determinism, incremental, atomic, check."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from compiler.build import build, check
from compiler.corpus import open_corpus
from compiler.errors import CorpusError, SourceError

FIXTURES = Path(__file__).parents[1] / "fixtures" / "repos"
KC = [sys.executable, "-m", "compiler.cli"]


def tree(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_corpus_has_every_documented_file(compiled):
    corpus = compiled("pyapp")
    for name in (
        "core.json",
        "index.md",
        "path.md",
        "llms.txt",
        "llms-full.txt",
        "build-report.json",
        "reference/index.md",
    ):
        assert (corpus / name).is_file(), name
    core = open_corpus(corpus).core
    assert core.concepts, "no concepts distilled"
    for concept in core.concepts:
        page = (corpus / "concepts" / f"{concept.id}.md").read_text()
        assert page.startswith("---\n") and f"id: {concept.id}" in page
    assert list((corpus / "reference").glob("*.md"))
    assert core.learning_path and set(core.learning_path) == {c.id for c in core.concepts}


def test_reference_pages_carry_signatures_and_excerpts(compiled):
    corpus = open_corpus(compiled("pyapp"))
    should_retry = corpus.symbol("minihttp.transport.should_retry")
    assert should_retry.signature.startswith("def should_retry(")
    assert should_retry.excerpt.strip(), "symbols carry a code excerpt so the corpus is self-contained"
    page = (corpus.root / "reference" / "minihttp.transport.md").read_text()
    assert "## `minihttp.transport.should_retry`" in page
    assert f"minihttp/transport.py:{should_retry.lines[0]}-{should_retry.lines[1]}" in page


def test_author_notes_win(compiled):
    corpus = open_corpus(compiled("pyapp"))
    retries = corpus.concept("retries")
    assert retries.title == "Retries and backoff"
    assert retries.summary_source == "author"
    assert "minihttp.transport.should_retry" in retries.members
    assert "configuration" in retries.prerequisites


def test_build_is_deterministic(copy_repo, tmp_path):
    source = copy_repo("pyapp")
    build(source, tmp_path / "a", index=False)
    build(source, tmp_path / "b", index=False, force=True)
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_incremental_rebuild_parses_only_the_changed_file(copy_repo, tmp_path):
    source = copy_repo("pyapp")
    out = tmp_path / "corpus"
    first = build(source, out, index=False)
    assert first.parsed == first.files
    unchanged = build(source, out, index=False)
    assert unchanged.up_to_date
    target = source / "minihttp" / "auth.py"
    target.write_text(
        target.read_text()
        + '\n\ndef token_expired(token: str) -> bool:\n    """Whether a bearer token has expired."""\n    return False\n'
    )
    second = build(source, out, index=False)
    assert second.parsed == 1 and second.reused == second.files - 1
    assert "minihttp.auth.token_expired" in open_corpus(out).symbols


def test_check_reports_changed_added_and_removed_files(copy_repo, tmp_path):
    source = copy_repo("pyapp")
    out = tmp_path / "corpus"
    build(source, out, index=False)
    assert check(source, out) == []
    (source / "minihttp" / "auth.py").write_text("# changed\n")
    (source / "minihttp" / "new_module.py").write_text("X = 1\n")
    (source / "README.md").unlink()
    stale = check(source, out)
    assert "minihttp/auth.py (changed)" in stale
    assert "minihttp/new_module.py (added)" in stale
    assert "README.md (removed)" in stale


def test_kc_check_cli_exit_codes(copy_repo, tmp_path):
    source = copy_repo("pyapp")
    out = tmp_path / "corpus"
    build(source, out, index=False)
    fresh = subprocess.run([*KC, "check", str(source), "--corpus", str(out)], capture_output=True, text=True)
    assert fresh.returncode == 0, fresh.stderr
    (source / "minihttp" / "auth.py").write_text("# changed\n")
    stale = subprocess.run([*KC, "check", str(source), "--corpus", str(out)], capture_output=True, text=True)
    assert stale.returncode == 1
    assert "minihttp/auth.py" in stale.stdout


def test_missing_source_and_corpus_are_clear_errors(tmp_path):
    with pytest.raises(SourceError, match="no such directory"):
        build(tmp_path / "nope", tmp_path / "out", index=False)
    with pytest.raises(CorpusError, match="no core.json"):
        check(tmp_path, tmp_path / "missing")
    result = subprocess.run([*KC, "build", str(tmp_path / "nope"), "--no-index"], capture_output=True, text=True)
    assert result.returncode == 2 and "no such directory" in result.stderr and "Traceback" not in result.stderr


def test_llms_txt_parses_with_the_llms_txt_package(compiled):
    from llms_txt import parse_llms_file

    corpus = compiled("pyapp")
    parsed = parse_llms_file((corpus / "llms.txt").read_text())
    assert parsed.title == open_corpus(corpus).core.source.name
    assert parsed.summary
    sections = parsed.sections
    assert "Concepts" in sections and "Optional" in sections
    links = [link["url"] for link in sections["Concepts"]]
    assert links and all((corpus / url).is_file() for url in links)


def test_planted_secrets_never_reach_the_corpus(compiled):
    corpus = compiled("secrets")
    planted = [
        v.strip()
        for v in (FIXTURES / "secrets.planted.txt").read_text().splitlines()
        if v.strip() and not v.startswith("#")
    ]
    assert planted
    for path, content in tree(corpus).items():
        text = content.decode("utf-8", "replace")
        for value in planted:
            assert value not in text, f"planted secret leaked into {path}"
    report = json.loads((corpus / "build-report.json").read_text())
    assert report["redactions"], "redactions are reported"
    for redaction in report["redactions"]:
        assert set(redaction) == {"path", "line", "rule", "action"}
        assert redaction["line"] >= 1


def test_broken_files_become_diagnostics_and_the_build_goes_on(compiled):
    corpus = open_corpus(compiled("broken"))
    codes = {(d.path, d.code) for d in corpus.core.diagnostics}
    assert any(code == "syntax-error" for _, code in codes)
    assert any(code == "encoding-error" for _, code in codes)
    assert any(code == "recursion-limit" for _, code in codes)
    for diagnostic in corpus.core.diagnostics:
        if diagnostic.code == "syntax-error":
            assert diagnostic.line, "a syntax error says which line"
    assert corpus.core.symbols, "the good file still compiles"


def test_javascript_and_go_repositories_compile(compiled):
    js = open_corpus(compiled("jsapp"))
    assert js.core.concepts and any(s.kind in ("function", "method") for s in js.core.symbols)
    go = open_corpus(compiled("goapp"))
    assert go.core.concepts and any(s.kind == "method" for s in go.core.symbols)


def _make_big_repo(root: Path, modules: int) -> None:
    package = root / "bigpkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""A generated package."""\n')
    for i in range(modules):
        calls = "\n".join(f"    helper_{j}()" for j in range(10))
        helpers = "\n\n".join(f"def helper_{j}():\n    return {j}" for j in range(10))
        (package / f"mod_{i}.py").write_text(f'"""Module {i}."""\n\n{helpers}\n\n\ndef run_{i}():\n{calls}\n')


@pytest.mark.slow
def test_build_killed_half_way_leaves_the_old_corpus_whole(tmp_path):
    source = tmp_path / "repo"
    _make_big_repo(source, 1500)
    out = tmp_path / "corpus"
    build(source, out, index=False)
    before = tree(out)
    (source / "bigpkg" / "mod_0.py").write_text('"""Changed."""\n\ndef changed():\n    return 1\n')
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    proc = subprocess.Popen([*KC, "build", str(source), "--out", str(out), "--no-index", "--force", "--quiet"], env=env)
    try:
        deadline = time.monotonic() + 120
        staging = []
        while time.monotonic() < deadline and proc.poll() is None:
            staging = list(tmp_path.glob(".corpus.new-*"))
            if staging and any(staging[0].rglob("*.md")):
                break
            time.sleep(0.01)
        assert proc.poll() is None, "the build finished before it could be killed; make the repo bigger"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert tree(out) == before, "the old corpus is intact after SIGKILL"
    result = build(source, out, index=False)
    assert staging and not staging[0].exists(), "the next build cleans up the killed build's staging dir"
    assert "bigpkg.mod_0.changed" in open_corpus(out).symbols
    assert result.core is not None


def test_an_old_corpus_inside_the_source_is_not_compiled_again(copy_repo, tmp_path):
    source = copy_repo("pyapp")
    build(source, source / "corpus", index=False)  # the default layout: SOURCE/corpus
    elsewhere = tmp_path / "elsewhere"
    build(source, elsewhere, index=False)
    core = open_corpus(elsewhere).core
    assert not any(path.startswith("corpus/") for path in core.source.files)
    assert any(s.path == "corpus/" and s.reason == "kc-corpus" for s in core.skipped)


def test_excerpts_come_from_the_lines_the_parser_numbered(tmp_path):
    """Form feeds and Unicode line separators are not line ends to the parsers: excerpts must not shift."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "pages.py").write_text(
        '"""Paged module."""\n\x0c\n# a comment with a line separator \u2028 inside\n\ndef first():\n    return 1\n'
        "\x0c\n\ndef second():\n    return 2\n",
        encoding="utf-8",
    )
    (source / "app.js").write_text(
        "// note \u2028 here\r\nfunction handle(req) {\r\n  return req;\r\n}\r\n", encoding="utf-8"
    )
    build(source, tmp_path / "corpus", index=False)
    symbols = {s["id"]: s for s in json.loads((tmp_path / "corpus" / "core.json").read_text())["symbols"]}
    assert symbols["pages.first"]["excerpt"].startswith("def first():")
    assert symbols["pages.second"]["excerpt"].startswith("def second():")
    handle = next(s for s in symbols.values() if s["name"] == "handle")
    assert handle["excerpt"].startswith("function handle(req) {") and "\r" not in handle["excerpt"]


def test_parsing_on_every_core_gives_the_same_corpus(copy_repo, tmp_path, monkeypatch):
    import compiler.cache as cache_module

    source = copy_repo("jsapp")
    build(source, tmp_path / "serial", index=False)
    monkeypatch.setattr(cache_module, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(cache_module.os, "cpu_count", lambda: 2)
    pids = tmp_path / "pids"
    real_parse = cache_module.parse_source

    def spy(*args):  # runs in the worker processes: note which process parsed
        with pids.open("a") as handle:
            handle.write(f"{os.getpid()}\n")
        return real_parse(*args)

    monkeypatch.setattr(cache_module, "parse_source", spy)
    result = build(source, tmp_path / "parallel", index=False)
    workers = set(pids.read_text().split())
    assert result.parsed == result.files and str(os.getpid()) not in workers and len(workers) >= 1
    assert tree(tmp_path / "parallel") == tree(tmp_path / "serial")
